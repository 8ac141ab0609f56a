//! transparency-dev/merkle JSON probes: our verifiers must agree with `wantErr` on every file.

mod common;

use common::{b64, b64_list, json_at, json_files};
use malgeun_ledger::{verify_consistency_bytes, verify_inclusion_bytes};

fn u64_field(j: &serde_json::Value, k: &str) -> u64 {
    j[k].as_u64()
        .unwrap_or_else(|| panic!("field {k} missing or not u64: {j}"))
}

fn want_err(j: &serde_json::Value) -> bool {
    j["wantErr"].as_bool().expect("wantErr")
}

fn check_inclusion(j: &serde_json::Value, size_field: &str) -> Result<(), String> {
    let res = verify_inclusion_bytes(
        &b64(&j["leafHash"]),
        u64_field(j, "leafIdx"),
        u64_field(j, size_field),
        &b64_list(&j["proof"]),
        &b64(&j["root"]),
    );
    if res.is_err() == want_err(j) {
        Ok(())
    } else {
        Err(format!("got {res:?}, wantErr {}", want_err(j)))
    }
}

fn check_consistency(j: &serde_json::Value, old: &str, new: &str) -> Result<(), String> {
    let res = verify_consistency_bytes(
        u64_field(j, old),
        u64_field(j, new),
        &b64(&j["root1"]),
        &b64(&j["root2"]),
        &b64_list(&j["proof"]),
    );
    if res.is_err() == want_err(j) {
        Ok(())
    } else {
        Err(format!("got {res:?}, wantErr {}", want_err(j)))
    }
}

#[test]
fn inclusion_probes() {
    let files = json_files("transparency-dev-merkle/testdata/inclusion");
    let mut failures = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for f in &files {
        let j = json_at(f);
        if want_err(&j) {
            invalid += 1
        } else {
            valid += 1
        }
        if let Err(e) = check_inclusion(&j, "treeSize") {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(files.len(), 98, "inclusion probe count");
    assert!(
        valid > 0 && invalid > 0,
        "both outcomes exercised ({valid} ok / {invalid} err)"
    );
}

#[test]
fn consistency_probes() {
    let files = json_files("transparency-dev-merkle/testdata/consistency");
    let mut failures = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for f in &files {
        let j = json_at(f);
        if want_err(&j) {
            invalid += 1
        } else {
            valid += 1
        }
        if let Err(e) = check_consistency(&j, "size1", "size2") {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(files.len(), 98, "consistency probe count");
    assert!(
        valid > 0 && invalid > 0,
        "both outcomes exercised ({valid} ok / {invalid} err)"
    );
}

/// Subtree probes (Merkle Tree Certificates style proofs for an arbitrary
/// subtree `[start, end)`). Only `start == 0` maps onto our API: the subtree
/// is then the tree of size `end`. Subtrees with `start > 0` are skipped
/// because the ledger only ever proves against prefix trees (checkpoints).
#[test]
fn subtree_inclusion_probes_with_prefix_subtrees() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in json_files("transparency-dev-merkle/testdata/subtreeinclusion") {
        let j = json_at(&f);
        if u64_field(&j, "start") != 0 {
            continue;
        }
        checked += 1;
        if let Err(e) = check_inclusion(&j, "end") {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, 101, "prefix subtree inclusion probes");
}

/// Subtree consistency proves `[start, end)` is part of the tree of `size`.
/// With `start == 0` and `end > 0` that is log consistency `end -> size`.
/// Skipped: `start > 0` (not a prefix tree) and the empty subtree `end == 0`,
/// for which the subtree spec has its own rule (the subtree root must be the
/// empty hash and the tree root is ignored), whereas log consistency from
/// size 0 is meaningless and our verifier rejects it outright.
#[test]
fn subtree_consistency_probes_with_prefix_subtrees() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in json_files("transparency-dev-merkle/testdata/subtreeconsistency") {
        let j = json_at(&f);
        if u64_field(&j, "start") != 0 || u64_field(&j, "end") == 0 {
            continue;
        }
        checked += 1;
        if let Err(e) = check_consistency(&j, "end", "size") {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked >= 90,
        "prefix subtree consistency probes: {checked}"
    );
}
