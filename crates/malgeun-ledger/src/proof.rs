//! RFC 9162 inclusion and consistency proofs generated from stored complete nodes.
//!
//! The store keeps only complete subtrees ([`NodeId`]s). Proof elements that
//! are incomplete right-edge ("ephemeral") subtrees are recomputed here from
//! the complete nodes that tile them, so each proof costs O(log n) lookups.

use std::collections::HashMap;

use crate::hash::{Hash, empty_root, node_hash};
use crate::tree::{Frontier, NodeId};

/// Where proof generation reads complete node hashes from (a DB in the store,
/// [`MemoryTree`] in tests).
pub trait NodeSource {
    /// The lookup failure, e.g. a database error or a node that is not stored.
    type Error;
    /// Returns the hash of a complete node (level 0 = leaf hash).
    fn node(&mut self, id: NodeId) -> Result<Hash, Self::Error>;
}

impl<S: NodeSource + ?Sized> NodeSource for &mut S {
    type Error = S::Error;
    fn node(&mut self, id: NodeId) -> Result<Hash, Self::Error> {
        (**self).node(id)
    }
}

/// A node the in-memory sources do not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("node {0:?} is not stored")]
pub struct MissingNode(pub NodeId);

/// `levels[l][i]` is node `(l, i)`; level 0 holds leaf hashes.
impl NodeSource for Vec<Vec<Hash>> {
    type Error = MissingNode;
    fn node(&mut self, id: NodeId) -> Result<Hash, MissingNode> {
        lookup_levels(self, id)
    }
}

/// Lets the store batch-fetch [`inclusion_proof_nodes`] in one query and then
/// generate the proof from the result.
impl NodeSource for HashMap<NodeId, Hash> {
    type Error = MissingNode;
    fn node(&mut self, id: NodeId) -> Result<Hash, MissingNode> {
        self.get(&id).copied().ok_or(MissingNode(id))
    }
}

fn lookup_levels(levels: &[Vec<Hash>], id: NodeId) -> Result<Hash, MissingNode> {
    usize::try_from(id.index)
        .ok()
        .and_then(|i| levels.get(usize::from(id.level))?.get(i))
        .copied()
        .ok_or(MissingNode(id))
}

/// In-memory node table laid out exactly like the store's: leaf hashes plus
/// complete nodes of level >= 1, nothing ephemeral.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
    frontier: Frontier,
}

impl MemoryTree {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds the table by appending every leaf hash.
    pub fn from_leaves<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut t = MemoryTree::new();
        for leaf in leaves {
            t.push_leaf(leaf);
        }
        t
    }

    /// Appends a leaf and stores what [`Frontier::append`] reports, mirroring the store.
    pub fn push_leaf(&mut self, leaf: Hash) {
        let index = self.frontier.size();
        let completed = self.frontier.append(leaf);
        self.insert(NodeId::leaf(index), leaf);
        for (id, h) in completed {
            self.insert(id, h);
        }
    }

    /// Stores one node. Nodes of a level must arrive left to right (as the
    /// log produces them); re-inserting an existing node overwrites it.
    ///
    /// # Panics
    /// If inserting would leave a gap in the level.
    pub fn insert(&mut self, id: NodeId, hash: Hash) {
        let level = usize::from(id.level);
        if self.levels.len() <= level {
            self.levels.resize_with(level + 1, Vec::new);
        }
        let row = &mut self.levels[level];
        let index = usize::try_from(id.index).expect("index fits in memory");
        assert!(index <= row.len(), "gap before {id:?}");
        if index == row.len() {
            row.push(hash);
        } else {
            row[index] = hash;
        }
    }

    /// Number of leaves stored.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The stored nodes, `levels[l][i]` being node `(l, i)`.
    pub fn levels(&self) -> &[Vec<Hash>] {
        &self.levels
    }
}

impl NodeSource for MemoryTree {
    type Error = MissingNode;
    fn node(&mut self, id: NodeId) -> Result<Hash, MissingNode> {
        lookup_levels(&self.levels, id)
    }
}

/// A proof request that cannot be answered for any tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofRequestError {
    /// Inclusion of a leaf the tree does not have yet.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// Requested leaf.
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// Consistency needs `0 < old <= new`; from size 0 it proves nothing
    /// and verifiers reject it.
    #[error("consistency proof needs 0 < old <= new, got {old} -> {new}")]
    BadSizes {
        /// Old tree size.
        old: u64,
        /// New tree size.
        new: u64,
    },
    /// The range is not a subtree of any RFC 6962 tree, so it has no hash.
    #[error("range [{begin}, {end}) is not an RFC 6962 subtree")]
    BadRange {
        /// First leaf.
        begin: u64,
        /// One past the last leaf.
        end: u64,
    },
}

/// Failure to produce a proof: a bad request or a failing node source.
#[derive(Debug, thiserror::Error)]
pub enum ProofError<E> {
    /// The request itself is invalid.
    #[error(transparent)]
    Request(#[from] ProofRequestError),
    /// The node source failed.
    #[error("node source failed: {0}")]
    Source(#[source] E),
}

/// Largest power of two strictly below `n` (the RFC 6962 split point); `n >= 2`.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Complete nodes tiling `[begin, end)`, left to right.
///
/// Accepted ranges are those whose RFC 6962 hash is defined by the tree
/// shape: `begin` is a multiple of the smallest power of two >= the length
/// (every node of every tree, ephemeral or not, and every prefix `[0, n)`).
pub fn range_nodes(begin: u64, end: u64) -> Result<Vec<NodeId>, ProofRequestError> {
    let bad = ProofRequestError::BadRange { begin, end };
    if end < begin || (begin == end && begin != 0) {
        return Err(bad);
    }
    let len = end - begin;
    if begin != 0 {
        // No power of two above 2^63 fits in u64, and no such range is a subtree.
        let aligned = len
            .checked_next_power_of_two()
            .is_some_and(|p| begin.is_multiple_of(p));
        if !aligned {
            return Err(bad);
        }
    }
    let mut out = Vec::new();
    let mut pos = begin;
    while pos < end {
        let fit = 63 - (end - pos).leading_zeros();
        let level = if pos == 0 {
            fit
        } else {
            fit.min(pos.trailing_zeros())
        };
        out.push(NodeId::new(level as u8, pos >> level));
        pos += 1u64 << level;
    }
    Ok(out)
}

/// RFC 6962 hash of the leaves `[begin, end)` (see [`range_nodes`] for
/// which ranges qualify); `[0, 0)` is the empty root.
pub fn range_root<S: NodeSource>(
    begin: u64,
    end: u64,
    src: &mut S,
) -> Result<Hash, ProofError<S::Error>> {
    let ids = range_nodes(begin, end)?;
    let mut acc: Option<Hash> = None;
    for id in ids.iter().rev() {
        let h = src.node(*id).map_err(ProofError::Source)?;
        acc = Some(match acc {
            None => h,
            Some(right) => node_hash(&h, &right),
        });
    }
    Ok(acc.unwrap_or_else(empty_root))
}

/// Leaf ranges of the inclusion proof elements, in proof order (RFC 9162 PATH).
fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<(u64, u64)>, ProofRequestError> {
    if index >= size {
        return Err(ProofRequestError::IndexOutOfRange { index, size });
    }
    let (mut lo, mut hi) = (0u64, size);
    let mut out = Vec::new();
    while hi - lo > 1 {
        let k = split(hi - lo);
        if index < lo + k {
            out.push((lo + k, hi));
            hi = lo + k;
        } else {
            out.push((lo, lo + k));
            lo += k;
        }
    }
    // Collected top-down; proofs list the sibling nearest the leaf first.
    out.reverse();
    Ok(out)
}

/// Leaf ranges of the consistency proof elements, in proof order (RFC 9162 SUBPROOF).
fn consistency_ranges(old: u64, new: u64) -> Result<Vec<(u64, u64)>, ProofRequestError> {
    if old == 0 || old > new {
        return Err(ProofRequestError::BadSizes { old, new });
    }
    let mut out = Vec::new();
    if old == new {
        return Ok(out);
    }
    let (mut lo, mut hi) = (0u64, new);
    // True while the old tree is a left spine the verifier already knows as old_root.
    let mut known = true;
    // Invariant: lo < old <= hi.
    loop {
        if old == hi {
            if !known {
                out.push((lo, hi));
            }
            break;
        }
        let k = split(hi - lo);
        if old - lo <= k {
            out.push((lo + k, hi));
            hi = lo + k;
        } else {
            out.push((lo, lo + k));
            lo += k;
            known = false;
        }
    }
    out.reverse();
    Ok(out)
}

fn ranges_to_nodes(ranges: &[(u64, u64)]) -> Vec<NodeId> {
    ranges
        .iter()
        .flat_map(|&(a, b)| range_nodes(a, b).expect("proof ranges are subtrees"))
        .collect()
}

fn ranges_to_proof<S: NodeSource>(
    ranges: &[(u64, u64)],
    src: &mut S,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    ranges.iter().map(|&(a, b)| range_root(a, b, src)).collect()
}

/// Every stored node [`inclusion_proof`] will read, so the store can fetch
/// them in one query (e.g. into a `HashMap<NodeId, Hash>`).
pub fn inclusion_proof_nodes(index: u64, size: u64) -> Result<Vec<NodeId>, ProofRequestError> {
    Ok(ranges_to_nodes(&inclusion_ranges(index, size)?))
}

/// Every stored node [`consistency_proof`] will read.
pub fn consistency_proof_nodes(old: u64, new: u64) -> Result<Vec<NodeId>, ProofRequestError> {
    Ok(ranges_to_nodes(&consistency_ranges(old, new)?))
}

/// RFC 9162 §2.1.3 audit path for leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof<S: NodeSource>(
    index: u64,
    size: u64,
    src: &mut S,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    ranges_to_proof(&inclusion_ranges(index, size)?, src)
}

/// RFC 9162 §2.1.4 consistency proof from size `old` to size `new`.
/// Equal sizes give the empty proof; `old == 0` is refused because such a
/// proof is meaningless and verifiers reject it.
pub fn consistency_proof<S: NodeSource>(
    old: u64,
    new: u64,
    src: &mut S,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    ranges_to_proof(&consistency_ranges(old, new)?, src)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_nodes_shapes() {
        assert_eq!(range_nodes(0, 0).unwrap(), vec![]);
        assert_eq!(
            range_nodes(4, 7).unwrap(),
            vec![NodeId::new(1, 2), NodeId::new(0, 6)]
        );
        assert_eq!(range_nodes(0, 6).unwrap().len(), 2);
        assert!(range_nodes(2, 5).is_err());
        assert!(range_nodes(3, 3).is_err());
        assert!(range_nodes(5, 4).is_err());
        assert!(range_nodes(1, u64::MAX).is_err());
        assert_eq!(range_nodes(0, u64::MAX).unwrap().len(), 64);
    }

    #[test]
    fn bad_requests() {
        let mut t = MemoryTree::new();
        assert!(matches!(
            inclusion_proof(0, 0, &mut t),
            Err(ProofError::Request(
                ProofRequestError::IndexOutOfRange { .. }
            ))
        ));
        assert!(matches!(
            consistency_proof(0, 3, &mut t),
            Err(ProofError::Request(ProofRequestError::BadSizes { .. }))
        ));
        assert!(matches!(
            consistency_proof(4, 3, &mut t),
            Err(ProofError::Request(ProofRequestError::BadSizes { .. }))
        ));
        // A tree that does not have the nodes reports the source error.
        assert!(matches!(
            inclusion_proof(0, 2, &mut t),
            Err(ProofError::Source(MissingNode(_)))
        ));
    }
}
