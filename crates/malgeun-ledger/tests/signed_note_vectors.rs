//! golang.org/x/mod sumdb/note vectors and the example checkpoint.

mod common;

use common::{json, reference_tree, testdata};
use malgeun_ledger::{Checkpoint, NoteError, NoteSigner, NoteVerifier, open_note, sign_note};

fn field(j: &serde_json::Value, k: &str) -> String {
    j[k].as_str()
        .unwrap_or_else(|| panic!("field {k}"))
        .to_owned()
}

#[test]
fn go_note_vectors() {
    let v = json("signed-note/go-sumdb-note-vectors.json");
    let (skey, vkey, text, signed) = (
        field(&v, "skey"),
        field(&v, "vkey"),
        field(&v, "text"),
        field(&v, "signed_note"),
    );
    let signer = NoteSigner::from_skey(&skey).unwrap();
    assert_eq!(signer.skey(), skey);
    assert_eq!(signer.name(), "PeterNeumann");
    let verifier = NoteVerifier::from_vkey(&vkey).unwrap();
    assert_eq!(verifier.vkey(), vkey);
    assert_eq!(signer.verifier(), verifier);

    // Ed25519 is deterministic: byte-identical to the Go output.
    assert_eq!(sign_note(&text, &signer).unwrap(), signed);

    let opened = open_note(&signed, std::slice::from_ref(&verifier)).unwrap();
    assert_eq!(opened.text, text);
    assert_eq!(opened.verified_by, vec!["PeterNeumann".to_owned()]);

    // An extra signature from an unknown key is ignored, before or after ours.
    let extra = field(&v, "extra_unknown_sig_line");
    let with_extra = format!("{signed}{extra}");
    assert_eq!(
        open_note(&with_extra, std::slice::from_ref(&verifier))
            .unwrap()
            .text,
        text
    );
    let (body, sig_line) = signed.rsplit_once("\n\n").unwrap();
    let extra_first = format!("{body}\n\n{extra}{sig_line}");
    assert_eq!(
        open_note(&extra_first, std::slice::from_ref(&verifier))
            .unwrap()
            .text,
        text
    );
    // ...but a note signed only by unknown keys is not accepted.
    let only_extra = format!("{text}\n{extra}");
    assert_eq!(
        open_note(&only_extra, std::slice::from_ref(&verifier)),
        Err(NoteError::Unverified)
    );
    assert_eq!(open_note(&signed, &[]), Err(NoteError::Unverified));

    for bad in v["bad_vkeys"].as_array().expect("bad_vkeys") {
        let bad = bad.as_str().unwrap();
        assert!(
            NoteVerifier::from_vkey(bad).is_err(),
            "accepted bad vkey {bad}"
        );
    }
}

#[test]
fn tampered_and_malformed_notes() {
    let v = json("signed-note/go-sumdb-note-vectors.json");
    let verifier = NoteVerifier::from_vkey(&field(&v, "vkey")).unwrap();
    let signed = field(&v, "signed_note");
    let vs = std::slice::from_ref(&verifier);

    let changed_text = signed.replacen("problem", "pr0blem", 1);
    assert!(matches!(
        open_note(&changed_text, vs),
        Err(NoteError::InvalidSignature(_))
    ));

    for bad in [
        signed.trim_end_matches('\n').to_owned(), // no final newline
        signed.replacen("\n\n", "\n", 1),         // no blank line
        signed.replacen('\u{2014}', "-", 1),      // wrong dash
        signed.replacen("PeterNeumann ", "PeterNeumann  ", 1), // bad base64
        signed.replacen("x08go", "x08g\u{1}", 1), // control char
        format!("{signed}\n"),                    // empty sig line
        signed.replacen("\u{2014} PeterNeumann", "\u{2014} Peter+Neumann", 1),
        signed.replacen("x08go/ZJkuBS9UG", "AAA=", 1), // too short
    ] {
        assert!(open_note(&bad, vs).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn example_checkpoint_opens_with_reference_root() {
    let v = json("signed-note/go-sumdb-note-vectors.json");
    let verifier = NoteVerifier::from_vkey(&field(&v, "vkey")).unwrap();
    let path = testdata().join("signed-note/checkpoint-example.txt");
    let note = std::fs::read_to_string(&path).expect("checkpoint-example.txt");
    let cp = Checkpoint::open(&note, &verifier).unwrap();
    let (_, roots) = reference_tree();
    assert_eq!(cp.origin, "example.com/scout-reference-tree");
    assert_eq!(cp.size, 8);
    assert_eq!(cp.root, roots[8]);
    assert!(cp.extensions.is_empty());

    // Re-signing with the vector key reproduces the file exactly.
    let signer = NoteSigner::from_skey(&field(&v, "skey")).unwrap();
    assert_eq!(cp.sign(&signer).unwrap(), note);

    // A different key must not open it.
    let other = NoteSigner::from_seed("PeterNeumann", [9; 32])
        .unwrap()
        .verifier();
    assert!(Checkpoint::open(&note, &other).is_err());
}
