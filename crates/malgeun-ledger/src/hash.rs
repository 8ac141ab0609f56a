//! SHA-256 hashes with the RFC 6962 leaf/node domain separation.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// Prefix that keeps leaf hashes from colliding with interior node hashes
/// (second-preimage defence of RFC 6962 §2.1).
const LEAF_PREFIX: u8 = 0x00;
/// Prefix for interior nodes; see [`LEAF_PREFIX`].
const NODE_PREFIX: u8 = 0x01;

/// A SHA-256 digest: a leaf hash, node hash or tree root.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash(pub [u8; 32]);

/// Why bytes or text could not be read as a [`Hash`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Hashes are exactly 32 bytes; anything else is a protocol violation,
    /// never something to pad or truncate.
    #[error("hash must be 32 bytes, got {0}")]
    Length(usize),
    /// The text was not valid hex.
    #[error("invalid hex digest")]
    Hex,
    /// The text was not valid standard base64.
    #[error("invalid base64 digest")]
    Base64,
}

impl Hash {
    /// Reads a hash from untrusted bytes, rejecting any other length.
    pub fn from_slice(bytes: &[u8]) -> Result<Hash, HashError> {
        <[u8; 32]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| HashError::Length(bytes.len()))
    }

    /// Lowercase hex, the form used in logs and database dumps.
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(DIGITS[usize::from(b >> 4)] as char);
            s.push(DIGITS[usize::from(b & 0x0f)] as char);
        }
        s
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<Hash, HashError> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(HashError::Hex);
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            *o = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
        }
        Ok(Hash(out))
    }

    /// Standard base64, the form used in checkpoints and proofs on the wire.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Parses standard (padded) base64 that decodes to exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Hash, HashError> {
        let bytes = STANDARD.decode(text).map_err(|_| HashError::Base64)?;
        Hash::from_slice(&bytes)
    }

    /// The raw digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

fn hex_val(c: u8) -> Result<u8, HashError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(HashError::Hex),
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<[u8; 32]> for Hash {
    fn from(bytes: [u8; 32]) -> Self {
        Hash(bytes)
    }
}

impl TryFrom<&[u8]> for Hash {
    type Error = HashError;
    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        Hash::from_slice(bytes)
    }
}

fn finish(h: Sha256) -> Hash {
    Hash(h.finalize().into())
}

/// RFC 6962 leaf hash: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(data);
    finish(h)
}

/// Appends the [`leaf_hash`] of each entry to `out`, hashing the entries side by side: one
/// SHA-256 is a chain of dependent rounds that leaves most of a core idle, while independent
/// messages run in lockstep, one per SIMD lane (or interleaved on the SHA unit). For checking a
/// whole log, where every leaf is recomputed anyway.
pub fn leaf_hashes(entries: &[&[u8]], out: &mut Vec<Hash>) {
    let mut digests = [[0u8; 32]; MANY];
    for chunk in entries.chunks(MANY) {
        let digests = &mut digests[..chunk.len()];
        sha256_many(&[LEAF_PREFIX], chunk, digests);
        out.extend(digests.iter().map(|d| Hash(*d)));
    }
}

/// Writes to `out` the SHA-256 of `prefix || message` for each message, the messages hashed side
/// by side (`tape-sha256`) in the order of their length in blocks. The kernels run a group of
/// messages in lockstep: on the SHA unit a group is interleaved only when all its messages have
/// the same number of blocks (else it is hashed one message after another), and SIMD lanes idle
/// once their message ends, so messages of a length are put together first.
///
/// # Panics
///
/// If `messages` and `out` differ in length.
pub fn sha256_many(prefix: &[u8], messages: &[&[u8]], out: &mut [[u8; 32]]) {
    assert_eq!(messages.len(), out.len(), "one digest per message");
    let prefix = anchored(prefix);
    // SHA-256 pads with at least 9 bytes (0x80 and the 64-bit length).
    let blocks = |m: &[u8]| (prefix.len() + m.len() + 9).div_ceil(64);
    if messages.is_sorted_by_key(|m| blocks(m)) {
        tape_sha256::hash_many_prefixed(prefix, messages, out);
        return;
    }
    let mut order: Vec<usize> = (0..messages.len()).collect();
    order.sort_by_key(|&i| blocks(messages[i]));
    let sorted: Vec<&[u8]> = order.iter().map(|&i| messages[i]).collect();
    let mut digests = vec![[0u8; 32]; messages.len()];
    tape_sha256::hash_many_prefixed(prefix, &sorted, &mut digests);
    for (&i, digest) in order.iter().zip(&digests) {
        out[i] = *digest;
    }
}

/// Where an empty prefix points when handed to `tape-sha256`.
static EMPTY_ANCHOR: [u8; 1] = [0];

/// The prefix itself, or, when it is empty, an empty slice of [`EMPTY_ANCHOR`]. The hasher
/// compares every message's prefix with the first one's (`memcmp`), and an empty literal points
/// at a dangling address (`0x1`): glibc's AVX-512 `memcmp` reads it with a masked load, which the
/// CPU only completes after a slow fault-suppression assist at an unmapped address. On the AMD
/// EPYC of 2026-11-28 that made hashing 64 messages of 300 bytes with `&[]` 60 % slower than with
/// a prefix in mapped memory (160 against 100 ns a message; 700 bytes: 293 against 242 ns).
fn anchored(prefix: &[u8]) -> &[u8] {
    if prefix.is_empty() {
        &EMPTY_ANCHOR[..0]
    } else {
        prefix
    }
}

/// How many messages [`leaf_hashes`] and [`node_hashes`] hand the multi-buffer hasher at a time:
/// a few times its widest lane count, so that lanes rarely idle.
const MANY: usize = 64;

/// Appends to `out` the [`node_hash`] of each pair of `level` (the first with the second, the
/// third with the fourth, …; a last unpaired hash is left out), side by side like
/// [`leaf_hashes`]: one level of a tree rebuilt from all its leaves.
pub fn node_hashes(level: &[Hash], out: &mut Vec<Hash>) {
    let mut digests = [[0u8; 32]; MANY];
    let (mut lefts, mut rights) = (Vec::with_capacity(MANY), Vec::with_capacity(MANY));
    // An even number of hashes per chunk, so only the last can end unpaired.
    for chunk in level.chunks(2 * MANY) {
        lefts.clear();
        rights.clear();
        for pair in chunk.chunks_exact(2) {
            lefts.push(&pair[0].0[..]);
            rights.push(&pair[1].0[..]);
        }
        let digests = &mut digests[..lefts.len()];
        tape_sha256::hash_pairs(&[NODE_PREFIX], &lefts, &rights, digests);
        out.extend(digests.iter().map(|d| Hash(*d)));
    }
}

/// RFC 6962 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 65];
    buf[0] = NODE_PREFIX;
    buf[1..33].copy_from_slice(&left.0);
    buf[33..].copy_from_slice(&right.0);
    finish(Sha256::new_with_prefix(buf))
}

/// Root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
pub fn empty_root() -> Hash {
    finish(Sha256::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The multi-buffer leaf hashes against the one-at-a-time ones (sha2), over lengths that
    /// cross every padding boundary and batches that do not fill the lanes.
    #[test]
    fn leaf_hashes_match_leaf_hash() {
        let data: Vec<Vec<u8>> = (0..300usize)
            .map(|n| (0..n * 7 % 1500).map(|i| (i * 31 + n) as u8).collect())
            .collect();
        for take in [0, 1, 3, 17, 64, 65, 300] {
            let entries: Vec<&[u8]> = data[..take].iter().map(Vec::as_slice).collect();
            let mut out = vec![leaf_hash(b"before")];
            leaf_hashes(&entries, &mut out);
            let want: Vec<Hash> = std::iter::once(leaf_hash(b"before"))
                .chain(entries.iter().map(|e| leaf_hash(e)))
                .collect();
            assert_eq!(out, want, "{take} entries");
        }
    }

    /// An empty prefix reaches the hasher as a slice of mapped memory, not the dangling address of
    /// an empty literal; a non-empty one unchanged.
    #[test]
    fn empty_prefixes_point_into_mapped_memory() {
        assert_eq!(anchored(&[]).as_ptr(), EMPTY_ANCHOR.as_ptr());
        assert!(anchored(&[]).is_empty());
        let p = [7u8, 8];
        assert_eq!(anchored(&p).as_ptr(), p.as_ptr());
    }

    /// Against sha2 one message at a time, with and without a prefix, over lengths that cross
    /// every padding boundary, in an order that mixes lengths (so the messages are regrouped).
    #[test]
    fn sha256_many_matches_sha2() {
        let data: Vec<Vec<u8>> = (0..300usize)
            .map(|n| (0..n * 37 % 1500).map(|i| (i * 31 + n) as u8).collect())
            .collect();
        for prefix in [&b""[..], b"\x00", b"prefix"] {
            for take in [0, 1, 5, 64, 300] {
                let messages: Vec<&[u8]> = data[..take].iter().map(Vec::as_slice).collect();
                let mut out = vec![[0u8; 32]; take];
                sha256_many(prefix, &messages, &mut out);
                for (m, got) in messages.iter().zip(&out) {
                    let want: [u8; 32] = Sha256::new_with_prefix(prefix)
                        .chain_update(m)
                        .finalize()
                        .into();
                    assert_eq!(*got, want, "{} bytes after {prefix:?}", m.len());
                }
            }
        }
    }

    /// The batched node hashes against the one-at-a-time ones, for levels of every parity and
    /// batches that do not fill the lanes.
    #[test]
    fn node_hashes_match_node_hash() {
        let level: Vec<Hash> = (0..300u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for take in [0, 1, 2, 3, 128, 129, 130, 300] {
            let mut out = vec![leaf_hash(b"before")];
            node_hashes(&level[..take], &mut out);
            let want: Vec<Hash> = std::iter::once(leaf_hash(b"before"))
                .chain(
                    level[..take]
                        .chunks_exact(2)
                        .map(|p| node_hash(&p[0], &p[1])),
                )
                .collect();
            assert_eq!(out, want, "{take} hashes");
        }
    }

    #[test]
    fn known_values() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // RFC 6962 reference tree, size 1 (leaf input is empty).
        assert_eq!(
            leaf_hash(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn encodings_round_trip_and_reject() {
        let h = leaf_hash(b"x");
        assert_eq!(Hash::from_hex(&h.to_hex()), Ok(h));
        assert_eq!(Hash::from_hex(&h.to_hex().to_uppercase()), Ok(h));
        assert_eq!(Hash::from_base64(&h.to_base64()), Ok(h));
        assert_eq!(Hash::from_slice(&[0u8; 31]), Err(HashError::Length(31)));
        assert_eq!(Hash::from_slice(&[0u8; 33]), Err(HashError::Length(33)));
        assert!(Hash::from_hex("zz").is_err());
        assert!(Hash::from_hex(&"g".repeat(64)).is_err());
        assert!(format!("{h:?}").contains(&h.to_hex()));
    }
}
