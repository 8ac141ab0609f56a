//! Shared helpers for the integration tests: locating the external vectors.
#![allow(dead_code)]

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use malgeun_ledger::Hash;

/// The external transparency test material; never silently skipped.
pub fn testdata() -> PathBuf {
    let dir = match std::env::var_os("MALGEUN_TESTDATA") {
        Some(d) => PathBuf::from(d),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/transparency")
        }
    };
    assert!(
        dir.join("README.md").is_file(),
        "transparency test data not found at {} (set MALGEUN_TESTDATA to the folder holding \
         rfc6962-reference-tree.json, transparency-dev-merkle/, ct-argon2020/, signed-note/)",
        dir.display()
    );
    dir
}

/// Reads and parses a JSON file below [`testdata`].
pub fn json(rel: &str) -> serde_json::Value {
    let path = testdata().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()))
}

/// Decodes a base64 JSON string (null/absent means empty).
pub fn b64(v: &serde_json::Value) -> Vec<u8> {
    match v.as_str() {
        None => Vec::new(),
        Some(s) => STANDARD
            .decode(s)
            .unwrap_or_else(|e| panic!("bad base64 {s:?}: {e}")),
    }
}

/// Decodes a JSON array of base64 strings (null means empty).
pub fn b64_list(v: &serde_json::Value) -> Vec<Vec<u8>> {
    match v.as_array() {
        None => {
            assert!(v.is_null(), "proof must be an array or null: {v}");
            Vec::new()
        }
        Some(items) => items.iter().map(b64).collect(),
    }
}

/// Reads a hex digest.
pub fn hex(s: &str) -> Hash {
    Hash::from_hex(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

/// Leaf inputs of the RFC 6962 reference tree, and the expected roots by size.
pub fn reference_tree() -> (Vec<Vec<u8>>, Vec<Hash>) {
    let j = json("rfc6962-reference-tree.json");
    let leaves = j["leaf_inputs_hex"]
        .as_array()
        .expect("leaf_inputs_hex")
        .iter()
        .map(|v| {
            let s = v.as_str().expect("hex string");
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
                .collect()
        })
        .collect();
    let roots = j["root_by_size_hex"]
        .as_array()
        .expect("root_by_size_hex")
        .iter()
        .map(|v| hex(v.as_str().expect("hex string")))
        .collect();
    (leaves, roots)
}

/// All `*.json` files below `dir`, sorted for stable failure messages.
pub fn json_files(rel: &str) -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&testdata().join(rel), &mut out);
    out.sort();
    out
}

/// Parses a JSON file given by absolute path.
pub fn json_at(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()))
}
