//! Node addressing and the append-only frontier (compact range `[0, size)`).

use crate::hash::{Hash, empty_root, node_hash, node_hashes};

/// A complete subtree: level `level` covers leaves `[index << level, (index + 1) << level)`.
///
/// Level 0 is a leaf hash. Only complete nodes get an id, so an id is a
/// stable database key: its hash never changes once the log has grown past it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    /// Height above the leaves; the node covers `2^level` leaves.
    pub level: u8,
    /// Position among the nodes of this level, counted from the left.
    pub index: u64,
}

impl NodeId {
    /// Builds an id; a plain constructor keeps call sites short.
    pub const fn new(level: u8, index: u64) -> Self {
        NodeId { level, index }
    }

    /// The id of leaf `index`.
    pub const fn leaf(index: u64) -> Self {
        NodeId { level: 0, index }
    }

    /// First leaf covered.
    pub fn begin(&self) -> u64 {
        self.index
            .checked_shl(u32::from(self.level))
            .unwrap_or(u64::MAX)
    }

    /// One past the last leaf covered (saturates for ids beyond any real log).
    pub fn end(&self) -> u64 {
        (u128::from(self.index) + 1)
            .checked_shl(u32::from(self.level))
            .map_or(u64::MAX, |e| u64::try_from(e).unwrap_or(u64::MAX))
    }
}

/// Why a stored frontier could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontierError {
    /// Empty input or an unknown format version: refuse rather than guess.
    #[error("unsupported frontier encoding version {0:?}")]
    Version(Option<u8>),
    /// The byte length does not match the hash count implied by the size.
    #[error("frontier encoding has {got} bytes, expected {want}")]
    Length {
        /// Bytes given.
        got: usize,
        /// Bytes implied by the encoded size.
        want: usize,
    },
    /// The size is beyond what this log can ever reach.
    #[error("frontier size {0} is out of range")]
    Size(u64),
    /// A node source failed while rebuilding the frontier.
    #[error("node {0:?} unavailable while rebuilding the frontier")]
    Missing(NodeId),
}

/// Largest supported log size: keeps every `NodeId::end` representable.
pub const MAX_SIZE: u64 = 1 << 63;

/// Current `Frontier::to_bytes` format: 0x01 || size (u64 BE) || hashes.
const FRONTIER_V1: u8 = 1;

/// The right edge of the log: one hash per set bit of `size`, largest
/// (leftmost) subtree first. This is all that is needed to append and to
/// compute the root, so it fits in a single database column.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The empty log.
    pub fn new() -> Self {
        Frontier {
            size: 0,
            hashes: Vec::new(),
        }
    }

    /// Rebuilds a frontier from every leaf hash, e.g. when re-verifying a log. The tree is built
    /// a level at a time, each level's nodes hashed side by side ([`node_hashes`]) rather than
    /// one after another as [`Frontier::append`] must: at a level of odd length the last node is
    /// the root of the frontier's subtree of that height.
    ///
    /// # Panics
    /// If there are more than [`MAX_SIZE`] leaves (unreachable in practice).
    pub fn from_leaves<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut level: Vec<Hash> = leaves.into_iter().collect();
        let size = u64::try_from(level.len()).expect("a usize fits in a u64");
        assert!(size <= MAX_SIZE, "ledger size limit reached");
        // Lowest (rightmost) subtree first while climbing; the frontier lists them leftmost first.
        let mut hashes = Vec::with_capacity(size.count_ones() as usize);
        let mut next = Vec::with_capacity(level.len() / 2);
        while let Some(&last) = level.last() {
            if level.len() % 2 == 1 {
                hashes.push(last);
            }
            next.clear();
            node_hashes(&level, &mut next);
            std::mem::swap(&mut level, &mut next);
        }
        hashes.reverse();
        Frontier { size, hashes }
    }

    /// Rebuilds from stored complete nodes (see [`Frontier::node_ids`]),
    /// for when only the node table survived.
    pub fn from_nodes<F>(size: u64, mut lookup: F) -> Result<Self, FrontierError>
    where
        F: FnMut(NodeId) -> Option<Hash>,
    {
        if size > MAX_SIZE {
            return Err(FrontierError::Size(size));
        }
        let hashes = Frontier::node_ids(size)
            .into_iter()
            .map(|id| lookup(id).ok_or(FrontierError::Missing(id)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Frontier { size, hashes })
    }

    /// Ids of the maximal complete subtrees of `[0, size)`, left to right.
    pub fn node_ids(size: u64) -> Vec<NodeId> {
        let mut out = Vec::with_capacity(size.count_ones() as usize);
        let mut begin = 0u64;
        for level in (0..64u8).rev() {
            if size & (1u64 << level) != 0 {
                out.push(NodeId::new(level, begin >> level));
                begin += 1u64 << level;
            }
        }
        out
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Hashes of the maximal complete subtrees, left to right.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// RFC 6962 root of `[0, size)`.
    pub fn root(&self) -> Hash {
        let mut iter = self.hashes.iter().rev();
        match iter.next() {
            None => empty_root(),
            Some(last) => iter.fold(*last, |acc, h| node_hash(h, &acc)),
        }
    }

    /// Appends a leaf and returns the nodes of level >= 1 that it completed,
    /// lowest first; these are what the store persists next to the leaf.
    pub fn append(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let mut out = Vec::new();
        self.append_with(leaf, |id, h| out.push((id, h)));
        out
    }

    /// Like [`Frontier::append`] but hands completed nodes to a callback, so
    /// bulk verification does not allocate per leaf.
    ///
    /// # Panics
    /// If the log already holds [`MAX_SIZE`] leaves (unreachable in practice).
    pub fn append_with<F: FnMut(NodeId, Hash)>(&mut self, leaf: Hash, mut on_complete: F) {
        assert!(self.size < MAX_SIZE, "ledger size limit reached");
        let index = self.size;
        let mut acc = leaf;
        let mut level = 0u8;
        while index & (1u64 << level) != 0 {
            // A set bit means a left sibling of the same height is waiting on the stack.
            let left = self
                .hashes
                .pop()
                .expect("frontier holds one hash per set bit");
            acc = node_hash(&left, &acc);
            level += 1;
            on_complete(NodeId::new(level, index >> level), acc);
        }
        self.hashes.push(acc);
        self.size = index + 1;
    }

    /// Compact, versioned encoding: `0x01 || size (u64 big-endian) || hashes`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(9 + 32 * self.hashes.len());
        out.push(FRONTIER_V1);
        out.extend_from_slice(&self.size.to_be_bytes());
        for h in &self.hashes {
            out.extend_from_slice(&h.0);
        }
        out
    }

    /// Decodes [`Frontier::to_bytes`], checking version, size and length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FrontierError> {
        match bytes.first() {
            Some(&FRONTIER_V1) => {}
            other => return Err(FrontierError::Version(other.copied())),
        }
        let size_bytes: [u8; 8] =
            bytes
                .get(1..9)
                .and_then(|s| s.try_into().ok())
                .ok_or(FrontierError::Length {
                    got: bytes.len(),
                    want: 9,
                })?;
        let size = u64::from_be_bytes(size_bytes);
        if size > MAX_SIZE {
            return Err(FrontierError::Size(size));
        }
        let want = 9 + 32 * size.count_ones() as usize;
        if bytes.len() != want {
            return Err(FrontierError::Length {
                got: bytes.len(),
                want,
            });
        }
        let hashes = bytes[9..]
            .chunks_exact(32)
            .map(|c| Hash(c.try_into().expect("chunks are 32 bytes")))
            .collect();
        Ok(Frontier { size, hashes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    /// The level-wise rebuild against appending one leaf at a time, for every size up to a few
    /// batches of pairs (all bit patterns of the low levels).
    #[test]
    fn from_leaves_matches_appending() {
        let leaves: Vec<Hash> = (0..600u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut appended = Frontier::new();
        assert_eq!(Frontier::from_leaves(Vec::new()), appended);
        for (n, leaf) in leaves.iter().enumerate() {
            appended.append(*leaf);
            assert_eq!(
                Frontier::from_leaves(leaves[..=n].iter().copied()),
                appended,
                "{} leaves",
                n + 1
            );
        }
    }

    #[test]
    fn append_reports_completed_nodes() {
        let mut f = Frontier::new();
        assert!(f.append(leaf_hash(b"0")).is_empty());
        let done = f.append(leaf_hash(b"1"));
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].0, NodeId::new(1, 0));
        assert!(f.append(leaf_hash(b"2")).is_empty());
        let done = f.append(leaf_hash(b"3"));
        let ids: Vec<_> = done.iter().map(|d| d.0).collect();
        assert_eq!(ids, vec![NodeId::new(1, 1), NodeId::new(2, 0)]);
        assert_eq!(done[1].1, f.root());
    }

    #[test]
    fn bytes_validation() {
        let f = Frontier::from_leaves((0..5u8).map(|i| leaf_hash(&[i])));
        let b = f.to_bytes();
        assert_eq!(b.len(), 9 + 64);
        assert_eq!(Frontier::from_bytes(&b), Ok(f.clone()));
        assert!(Frontier::from_bytes(&[]).is_err());
        assert!(Frontier::from_bytes(&[2]).is_err());
        assert!(Frontier::from_bytes(&b[..b.len() - 1]).is_err());
        let mut longer = b.clone();
        longer.push(0);
        assert!(Frontier::from_bytes(&longer).is_err());
        let mut huge = vec![1u8];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(
            Frontier::from_bytes(&huge),
            Err(FrontierError::Size(_))
        ));
    }

    #[test]
    fn node_ids_cover_prefix() {
        assert_eq!(
            Frontier::node_ids(13),
            vec![NodeId::new(3, 0), NodeId::new(2, 2), NodeId::new(0, 12)]
        );
        assert!(Frontier::node_ids(0).is_empty());
    }
}
