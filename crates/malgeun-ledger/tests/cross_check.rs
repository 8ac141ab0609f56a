//! Cross-check against independent implementations: ct-merkle (roots and
//! proofs) and Cloudflare's signed_note (notes and checkpoints).

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use malgeun_ledger::{
    Checkpoint, Frontier, Hash, MemoryTree, NoteSigner, NoteVerifier, consistency_proof,
    inclusion_proof, leaf_hash, open_note, verify_consistency, verify_inclusion,
};
use proptest::prelude::*;
use sha2::Sha256;
use signed_note::{Note, StandardSigner, StandardVerifier, VerifierList};

fn data(n: usize, salt: u64) -> Vec<Vec<u8>> {
    (0..n as u64)
        .map(|i| format!("entry {i} salt {salt}").into_bytes())
        .collect()
}

/// ct-merkle returns proofs as concatenated bytes; split them ourselves and
/// insist on whole 32-byte elements (the crate does not check this).
fn split32(bytes: &[u8]) -> Vec<Hash> {
    assert_eq!(
        bytes.len() % 32,
        0,
        "proof length {} not a multiple of 32",
        bytes.len()
    );
    bytes
        .chunks(32)
        .map(|c| Hash::from_slice(c).unwrap())
        .collect()
}

fn concat(proof: &[Hash]) -> Vec<u8> {
    proof.iter().flat_map(|h| h.0).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn roots_and_proofs_match_ct_merkle(n in 1usize..1200, salt: u64, a: u64, b: u64) {
        let entries = data(n, salt);
        let mut theirs: MemoryBackedTree<Sha256, Vec<u8>> = MemoryBackedTree::new();
        let mut ours = MemoryTree::new();
        let mut f = Frontier::new();
        for e in &entries {
            theirs.push(e.clone());
            ours.push_leaf(leaf_hash(e));
            f.append(leaf_hash(e));
        }
        let their_root = theirs.root();
        let root = Hash::from_slice(their_root.as_bytes().as_slice()).unwrap();
        prop_assert_eq!(f.root(), root);
        let size = n as u64;

        // Inclusion: identical bytes, and each side verifies the other's proof.
        let idx = a % size;
        let their_proof = theirs.prove_inclusion(idx as usize);
        let our_proof = inclusion_proof(idx, size, &mut ours).unwrap();
        prop_assert_eq!(split32(their_proof.as_bytes()), our_proof.clone());
        prop_assert!(verify_inclusion(&leaf_hash(&entries[idx as usize]), idx, size, &split32(their_proof.as_bytes()), &root).is_ok());
        let ours_for_them = InclusionProof::<Sha256>::try_from_bytes(concat(&our_proof)).unwrap();
        prop_assert!(their_root.verify_inclusion(&entries[idx as usize], idx, &ours_for_them).is_ok());

        // Consistency from a random older size.
        let old = 1 + b % size;
        if old < size {
            let mut old_tree: MemoryBackedTree<Sha256, Vec<u8>> = MemoryBackedTree::new();
            for e in &entries[..old as usize] {
                old_tree.push(e.clone());
            }
            let old_root = Hash::from_slice(old_tree.root().as_bytes().as_slice()).unwrap();
            let their_c = theirs.prove_consistency((size - old) as usize);
            let our_c = consistency_proof(old, size, &mut ours).unwrap();
            prop_assert_eq!(split32(their_c.as_bytes()), our_c.clone());
            prop_assert!(verify_consistency(old, size, &old_root, &root, &split32(their_c.as_bytes())).is_ok());
            let ours_for_them = ConsistencyProof::<Sha256>::try_from_bytes(concat(&our_c)).unwrap();
            prop_assert!(their_root.verify_consistency(&old_tree.root(), &ours_for_them).is_ok());
            let fake_old = RootHash::<Sha256>::new(leaf_hash(b"nope").0.into(), old);
            prop_assert!(their_root.verify_consistency(&fake_old, &ours_for_them).is_err());
        }
    }
}

#[test]
fn signed_checkpoint_accepted_by_cloudflare_signed_note() {
    let signer = NoteSigner::from_seed("malgeun.example/tenant-7", [42; 32]).unwrap();
    let leaves: Vec<Hash> = data(13, 1).iter().map(|d| leaf_hash(d)).collect();
    let f = Frontier::from_leaves(leaves);
    let cp = Checkpoint::new("malgeun.example/tenant-7", f.size(), f.root());
    let note = cp.sign(&signer).unwrap();

    // Their parser accepts our vkey and verifies our note.
    let their_v = StandardVerifier::new(&signer.verifier().vkey()).unwrap();
    let list = VerifierList::new(vec![Box::new(their_v)]);
    let parsed = Note::from_bytes(note.as_bytes()).unwrap();
    let (verified, unverified) = parsed.verify(&list).unwrap();
    assert_eq!(verified.len(), 1);
    assert!(unverified.is_empty());
    assert_eq!(parsed.text(), cp.to_text().as_bytes());

    // Their signer with our skey produces the exact same note, and we open
    // notes they sign (including after they add a second, unknown signature).
    let their_s = StandardSigner::new(&signer.skey()).unwrap();
    let mut theirs = Note::new(cp.to_text().as_bytes(), &[]).unwrap();
    theirs.add_sigs(&[&their_s]).unwrap();
    assert_eq!(String::from_utf8(theirs.to_bytes()).unwrap(), note);

    let witness = NoteSigner::from_seed("witness.example", [5; 32]).unwrap();
    let witness_s = StandardSigner::new(&witness.skey()).unwrap();
    theirs.add_sigs(&[&witness_s]).unwrap();
    let cosigned = String::from_utf8(theirs.to_bytes()).unwrap();
    assert_eq!(Checkpoint::open(&cosigned, &signer.verifier()).unwrap(), cp);
    let both = [
        signer.verifier(),
        NoteVerifier::from_vkey(&witness.verifier().vkey()).unwrap(),
    ];
    let opened = open_note(&cosigned, &both).unwrap();
    assert_eq!(
        opened.verified_by,
        vec!["malgeun.example/tenant-7", "witness.example"]
    );
}
