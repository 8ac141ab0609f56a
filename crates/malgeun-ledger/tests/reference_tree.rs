//! RFC 6962 reference tree: roots, generated proofs, tampering, and real CT log data.

mod common;

use common::{b64, b64_list, json, reference_tree};
use malgeun_ledger::{
    Frontier, Hash, MemoryTree, consistency_proof, inclusion_proof, leaf_hash, range_root,
    verify_consistency, verify_inclusion, verify_inclusion_bytes,
};

fn tree() -> (MemoryTree, Vec<Hash>, Vec<Hash>) {
    let (inputs, roots) = reference_tree();
    assert_eq!(inputs.len(), 8);
    assert_eq!(roots.len(), 9);
    let leaves: Vec<Hash> = inputs.iter().map(|d| leaf_hash(d)).collect();
    (MemoryTree::from_leaves(leaves.clone()), leaves, roots)
}

/// Flips one bit of one proof element, or drops/adds an element.
fn tamperings(proof: &[Hash]) -> Vec<Vec<Hash>> {
    let mut out = Vec::new();
    for i in 0..proof.len() {
        let mut p = proof.to_vec();
        p[i].0[i % 32] ^= 0x01;
        out.push(p);
    }
    if !proof.is_empty() {
        out.push(proof[..proof.len() - 1].to_vec());
    }
    let mut longer = proof.to_vec();
    longer.push(leaf_hash(b"extra"));
    out.push(longer);
    out
}

#[test]
fn frontier_roots_match_reference() {
    let (_, leaves, roots) = tree();
    let mut f = Frontier::new();
    assert_eq!(f.root(), roots[0]);
    for (n, leaf) in leaves.iter().enumerate() {
        f.append(*leaf);
        assert_eq!(f.root(), roots[n + 1], "size {}", n + 1);
        assert_eq!(
            Frontier::from_leaves(leaves[..=n].iter().copied()).root(),
            roots[n + 1]
        );
    }
    let (mut t, _, _) = tree();
    for (n, root) in roots.iter().enumerate() {
        assert_eq!(
            range_root(0, n as u64, &mut t).unwrap(),
            *root,
            "range_root size {n}"
        );
    }
}

#[test]
fn generated_proofs_verify_and_tampering_fails() {
    let (mut t, leaves, roots) = tree();
    let mut checked = 0;
    for size in 1..=8u64 {
        let root = roots[size as usize];
        for index in 0..size {
            let leaf = leaves[index as usize];
            let proof = inclusion_proof(index, size, &mut t).unwrap();
            verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
            checked += 1;
            for bad in tamperings(&proof) {
                assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
            }
            assert!(verify_inclusion(&leaf_hash(b"x"), index, size, &proof, &root).is_err());
            let other = roots[(size as usize % 8) + 1];
            assert!(verify_inclusion(&leaf, index, size, &proof, &other).is_err());
        }
        for old in 1..=size {
            let proof = consistency_proof(old, size, &mut t).unwrap();
            let old_root = roots[old as usize];
            verify_consistency(old, size, &old_root, &root, &proof).unwrap();
            checked += 1;
            for bad in tamperings(&proof) {
                assert!(
                    verify_consistency(old, size, &old_root, &root, &bad).is_err(),
                    "tampered consistency {old}->{size}"
                );
            }
            if old < size {
                assert!(verify_consistency(old, size, &root, &old_root, &proof).is_err());
            }
        }
    }
    assert_eq!(checked, 36 + 36);
}

/// Known RFC 6962 proof from transparency-dev/merkle testonly (leaf 0 of 8).
#[test]
fn known_inclusion_path() {
    let (mut t, _, _) = tree();
    let proof = inclusion_proof(0, 8, &mut t).unwrap();
    let want = [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ];
    assert_eq!(proof, want.map(common::hex).to_vec());
}

#[test]
fn ct_argon2020_real_proofs() {
    let sth = json("ct-argon2020/sth.json");
    let size = sth["tree_size"].as_u64().expect("tree_size");
    assert_eq!(size, 961_984_013);
    let root = b64(&sth["sha256_root_hash"]);
    assert_eq!(root.len(), 32);

    let entries = json("ct-argon2020/entries.json");
    let leaf_input = b64(&entries["entries"][0]["leaf_input"]);
    let leaf = leaf_hash(&leaf_input);

    let proof = json("ct-argon2020/proof.json");
    let index = proof["leaf_index"].as_u64().expect("leaf_index");
    assert_eq!(index, 10000);
    let path = b64_list(&proof["audit_path"]);
    assert_eq!(path.len(), 30);
    verify_inclusion_bytes(&leaf.0, index, size, &path, &root).unwrap();
    assert!(verify_inclusion_bytes(&leaf.0, index + 1, size, &path, &root).is_err());
    assert!(verify_inclusion_bytes(&leaf_hash(b"forged").0, index, size, &path, &root).is_err());

    // Old root at size 3,654,490 as given in golang.org/x/mod sumdb/tlog/ct_test.go.
    let old_root = Hash::from_base64("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=").unwrap();
    let cons: Vec<Hash> = b64_list(&json("ct-argon2020/consistency.json")["consistency"])
        .iter()
        .map(|h| Hash::from_slice(h).expect("32-byte consistency element"))
        .collect();
    let root = Hash::from_slice(&root).unwrap();
    verify_consistency(3_654_490, size, &old_root, &root, &cons).unwrap();
    assert!(verify_consistency(3_654_491, size, &old_root, &root, &cons).is_err());
    assert!(verify_consistency(3_654_490, size, &root, &old_root, &cons).is_err());
}
