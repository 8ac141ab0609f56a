//! Proof verification exactly as RFC 9162 §2.1.3.2 and §2.1.4.2, with the
//! stricter rules of the transparency-dev vectors.

use crate::hash::{Hash, empty_root, node_hash};

/// Why a proof was rejected. Any variant means "do not trust this".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// Claimed leaf index.
        index: u64,
        /// Claimed tree size.
        size: u64,
    },
    /// A leaf hash, root or proof element is not a 32-byte SHA-256 digest.
    #[error("hash has {0} bytes, expected 32")]
    HashLength(usize),
    /// The proof has the wrong number of elements for the claimed sizes.
    #[error("proof has {got} hashes, expected {want}")]
    ProofLength {
        /// Elements given.
        got: usize,
        /// Elements the tree shape requires.
        want: usize,
    },
    /// The recomputed root differs from the claimed one.
    #[error("recomputed root does not match")]
    RootMismatch,
    /// A log never shrinks.
    #[error("old size {old} is larger than new size {new}")]
    OldLarger {
        /// Old tree size.
        old: u64,
        /// New tree size.
        new: u64,
    },
    /// Consistency with the empty tree proves nothing; reject rather than accept.
    #[error("consistency proof from an empty tree")]
    EmptyOldTree,
}

/// RFC 9162 split of an inclusion proof into the part below the point where
/// the leaf's path and the right edge diverge (`inner`) and the left
/// siblings above it (`border`).
fn decompose(index: u64, size: u64) -> (usize, usize) {
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = index.checked_shr(inner as u32).unwrap_or(0).count_ones() as usize;
    (inner, border)
}

fn bit(value: u64, i: usize) -> bool {
    (value >> i) & 1 == 1
}

fn chain_inner(seed: Hash, proof: &[Hash], index: u64) -> Hash {
    proof.iter().enumerate().fold(seed, |acc, (i, h)| {
        if bit(index, i) {
            node_hash(h, &acc)
        } else {
            node_hash(&acc, h)
        }
    })
}

fn chain_inner_right(seed: Hash, proof: &[Hash], index: u64) -> Hash {
    proof.iter().enumerate().fold(seed, |acc, (i, h)| {
        if bit(index, i) {
            node_hash(h, &acc)
        } else {
            acc
        }
    })
}

fn chain_border_right(seed: Hash, proof: &[Hash]) -> Hash {
    proof.iter().fold(seed, |acc, h| node_hash(h, &acc))
}

fn check_root(computed: &Hash, claimed: &[u8]) -> Result<(), VerifyError> {
    if computed.0.as_slice() == claimed {
        Ok(())
    } else {
        Err(VerifyError::RootMismatch)
    }
}

fn to_hashes<T: AsRef<[u8]>>(items: &[T]) -> Result<Vec<Hash>, VerifyError> {
    items.iter().map(|b| to_hash(b.as_ref())).collect()
}

fn to_hash(bytes: &[u8]) -> Result<Hash, VerifyError> {
    Hash::from_slice(bytes).map_err(|_| VerifyError::HashLength(bytes.len()))
}

/// Root implied by an inclusion proof (RFC 9162 §2.1.3.2); useful when the
/// caller wants to compare against several candidate roots.
pub fn root_from_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    let (inner, border) = decompose(index, size);
    if proof.len() != inner + border {
        return Err(VerifyError::ProofLength {
            got: proof.len(),
            want: inner + border,
        });
    }
    let res = chain_inner(*leaf, &proof[..inner], index);
    Ok(chain_border_right(res, &proof[inner..]))
}

/// Checks that `leaf` is entry `index` of the tree of `size` leaves with `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    check_root(&root_from_inclusion(leaf, index, size, proof)?, &root.0)
}

/// [`verify_inclusion`] on untrusted byte strings (wire input): every hash
/// must be exactly 32 bytes.
pub fn verify_inclusion_bytes<T: AsRef<[u8]>>(
    leaf: &[u8],
    index: u64,
    size: u64,
    proof: &[T],
    root: &[u8],
) -> Result<(), VerifyError> {
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    let leaf = to_hash(leaf)?;
    let root = to_hash(root)?;
    verify_inclusion(&leaf, index, size, &to_hashes(proof)?, &root)
}

/// Checks that the tree `(new_size, new_root)` extends `(old_size, old_root)`
/// (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots
/// (for size 0, both must be the empty root).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    consistency_core(old_size, new_size, &old_root.0, &new_root.0, proof)
}

/// [`verify_consistency`] on untrusted byte strings. Proof elements must be
/// 32 bytes. As in the reference verifier, for equal sizes the roots are
/// only compared for byte equality (the vectors accept two equal roots of
/// any length there); otherwise a root that is not 32 bytes cannot match.
pub fn verify_consistency_bytes<T: AsRef<[u8]>>(
    old_size: u64,
    new_size: u64,
    old_root: &[u8],
    new_root: &[u8],
    proof: &[T],
) -> Result<(), VerifyError> {
    let proof = to_hashes(proof)?;
    consistency_core(old_size, new_size, old_root, new_root, &proof)
}

fn consistency_core(
    size1: u64,
    size2: u64,
    root1: &[u8],
    root2: &[u8],
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if size2 < size1 {
        return Err(VerifyError::OldLarger {
            old: size1,
            new: size2,
        });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(VerifyError::ProofLength {
                got: proof.len(),
                want: 0,
            });
        }
        // The empty tree has exactly one root, so a claimed size-0 head with
        // any other root is false even if both sides agree on it.
        let empty_ok = size1 != 0 || root1 == empty_root().0.as_slice();
        return if root1 == root2 && empty_ok {
            Ok(())
        } else {
            Err(VerifyError::RootMismatch)
        };
    }
    if size1 == 0 {
        return Err(VerifyError::EmptyOldTree);
    }
    // From here 0 < size1 < size2.
    let (inner, border) = decompose(size1 - 1, size2);
    let shift = size1.trailing_zeros() as usize;
    // shift < inner whenever size1 < size2.
    let inner = inner - shift;

    // The proof starts with the hash of the largest complete subtree ending
    // at size1, unless that subtree is the whole old tree (size1 = 2^shift),
    // whose hash the verifier already has as root1.
    let (seed, rest) = if size1 == 1u64 << shift {
        (to_hash(root1)?, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (*first, rest),
            None => {
                return Err(VerifyError::ProofLength {
                    got: 0,
                    want: 1 + inner + border,
                });
            }
        }
    };
    if rest.len() != inner + border {
        return Err(VerifyError::ProofLength {
            got: proof.len(),
            want: proof.len() - rest.len() + inner + border,
        });
    }

    let mask = (size1 - 1) >> shift;
    let hash1 = chain_inner_right(seed, &rest[..inner], mask);
    let hash1 = chain_border_right(hash1, &rest[inner..]);
    check_root(&hash1, root1)?;

    let hash2 = chain_inner(seed, &rest[..inner], mask);
    let hash2 = chain_border_right(hash2, &rest[inner..]);
    check_root(&hash2, root2)
}
