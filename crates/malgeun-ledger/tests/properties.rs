//! Property tests: frontier roots, stored-node proofs and encodings over random trees.

use malgeun_ledger::{
    Frontier, Hash, MemoryTree, NodeId, consistency_proof, consistency_proof_nodes,
    inclusion_proof, inclusion_proof_nodes, leaf_hash, node_hash, verify_consistency,
    verify_inclusion,
};
use proptest::prelude::*;
use std::collections::HashMap;

/// RFC 6962 §2.1 MTH, written straight from the recursive definition.
fn naive_root(leaves: &[Hash]) -> Hash {
    use sha2::Digest as _;
    match leaves.len() {
        0 => Hash(sha2::Sha256::digest(b"").into()),
        1 => leaves[0],
        n => {
            // k = the largest power of two smaller than n.
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
        }
    }
}

fn leaves(n: usize, salt: u64) -> Vec<Hash> {
    (0..n as u64)
        .map(|i| leaf_hash(&[i.to_be_bytes(), salt.to_be_bytes()].concat()))
        .collect()
}

/// Builds the store-shaped table only from what `append` hands out.
fn store_from_appends(leaves: &[Hash]) -> (MemoryTree, Vec<Hash>) {
    let mut f = Frontier::new();
    let mut t = MemoryTree::new();
    let mut roots = vec![f.root()];
    for (i, leaf) in leaves.iter().enumerate() {
        let completed = f.append(*leaf);
        t.insert(NodeId::leaf(i as u64), *leaf);
        for (id, h) in completed {
            assert!(id.level >= 1);
            t.insert(id, h);
        }
        roots.push(f.root());
    }
    (t, roots)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn frontier_root_matches_naive(n in 0usize..2000, salt: u64) {
        let ls = leaves(n, salt);
        let f = Frontier::from_leaves(ls.iter().copied());
        prop_assert_eq!(f.size(), n as u64);
        prop_assert_eq!(f.root(), naive_root(&ls));
        prop_assert_eq!(Frontier::from_bytes(&f.to_bytes()), Ok(f.clone()));
    }

    #[test]
    fn proofs_from_stored_nodes_verify(
        n in 1usize..2000,
        salt: u64,
        picks in proptest::collection::vec((any::<u64>(), any::<u64>()), 8),
    ) {
        let ls = leaves(n, salt);
        let (mut t, roots) = store_from_appends(&ls);
        prop_assert_eq!(roots[n], naive_root(&ls));
        for (a, b) in picks {
            let size = 1 + b % n as u64;
            let index = a % size;
            let proof = inclusion_proof(index, size, &mut t).unwrap();
            prop_assert!(verify_inclusion(&ls[index as usize], index, size, &proof, &roots[size as usize]).is_ok());

            // The batch-fetch path yields the same proof.
            let ids = inclusion_proof_nodes(index, size).unwrap();
            prop_assert!(ids.len() <= 2 * 64);
            let mut fetched: HashMap<NodeId, Hash> = HashMap::new();
            for id in ids {
                prop_assert!(id.end() <= size, "node {:?} beyond size {}", id, size);
                fetched.insert(id, t.levels()[id.level as usize][id.index as usize]);
            }
            prop_assert_eq!(inclusion_proof(index, size, &mut fetched).unwrap(), proof);

            let old = 1 + a % size;
            let cproof = consistency_proof(old, size, &mut t).unwrap();
            prop_assert!(verify_consistency(old, size, &roots[old as usize], &roots[size as usize], &cproof).is_ok());
            let mut fetched: HashMap<NodeId, Hash> = HashMap::new();
            for id in consistency_proof_nodes(old, size).unwrap() {
                fetched.insert(id, t.levels()[id.level as usize][id.index as usize]);
            }
            prop_assert_eq!(consistency_proof(old, size, &mut fetched).unwrap(), cproof);
            if old < size {
                prop_assert!(verify_consistency(old, size, &roots[old as usize - 1], &roots[size as usize], &consistency_proof(old, size, &mut t).unwrap()).is_err());
            }
        }
    }

    #[test]
    fn frontier_bytes_round_trip_mid_stream(n in 0usize..300, extra in 0usize..300, salt: u64) {
        let ls = leaves(n + extra, salt);
        let mut f = Frontier::from_leaves(ls[..n].iter().copied());
        let mut g = Frontier::from_bytes(&f.to_bytes()).unwrap();
        for leaf in &ls[n..] {
            prop_assert_eq!(f.append(*leaf), g.append(*leaf));
        }
        prop_assert_eq!(f.root(), g.root());
        prop_assert_eq!(f.root(), naive_root(&ls));
    }

    #[test]
    fn frontier_rebuilds_from_stored_nodes(n in 0usize..1500, salt: u64) {
        let ls = leaves(n, salt);
        let (t, roots) = store_from_appends(&ls);
        let f = Frontier::from_nodes(n as u64, |id| {
            t.levels().get(id.level as usize)?.get(id.index as usize).copied()
        }).unwrap();
        prop_assert_eq!(f.root(), roots[n]);
    }
}
