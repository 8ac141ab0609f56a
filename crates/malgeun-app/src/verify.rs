//! `verify`: recomputes every leaf from the stored payloads, rebuilds the tree and checks it
//! against the signed checkpoint; then re-renders every ledgered row from the database and compares
//! it with the image its last ledger entry recorded; then re-hashes every attachment blob. Any
//! edited, deleted, inserted or reordered row or entry, and any changed file, is named.

use std::borrow::Cow;
use std::collections::HashMap;

use malgeun_domain::ComplexId;
use malgeun_domain::content::Sha256Hash;
use malgeun_ledger::{Checkpoint, Frontier, Hash, LeafHasher};
use malgeun_store::{documents, ledger, rows, tables};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::App;
use crate::error::AppError;

/// One problem found.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Stable code, e.g. `row_edited`.
    pub code: &'static str,
    /// What and where, in English.
    pub detail: String,
}

/// The result of verifying one complex.
#[derive(Clone, Debug)]
pub struct VerifyReport {
    /// Which complex.
    pub complex: ComplexId,
    /// Entries read.
    pub entries: u64,
    /// Rows compared.
    pub rows: u64,
    /// Blobs re-hashed.
    pub blobs: u64,
    /// Problems; empty means intact.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// Whether nothing was wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Deserialize)]
struct PayloadRows<'a> {
    #[serde(borrow)]
    complex: Cow<'a, str>,
    #[serde(borrow)]
    rows: Vec<(Cow<'a, str>, Cow<'a, str>, &'a RawValue)>,
}

/// The last image the ledger holds for a row: the entry index and the SHA-256 of the image text
/// (`None` for a deletion).
struct Recorded {
    idx: i64,
    image: Option<[u8; 32]>,
}

const MAX_PROBLEMS: usize = 200;

fn push(problems: &mut Vec<Problem>, code: &'static str, detail: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(Problem { code, detail });
    }
}

impl App {
    /// Verifies every complex with a log.
    pub async fn verify_all(&self) -> Result<Vec<VerifyReport>, AppError> {
        let ids = {
            let mut r = self.db().reader().await?;
            ledger::complexes_with_logs(r.conn()).await?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let complex: ComplexId = crate::member::parse_id(&id)?;
            out.push(self.verify_complex(complex).await?);
        }
        Ok(out)
    }

    /// Verifies one complex.
    pub async fn verify_complex(&self, complex: ComplexId) -> Result<VerifyReport, AppError> {
        let cid = complex.to_string();
        let mut problems = Vec::new();
        let mut r = self.db().reader().await?;
        let head = ledger::read_head(r.conn(), &cid)
            .await?
            .ok_or_else(crate::member::complex_not_found)?;

        // 1. The entries: contiguous, each leaf recomputed from its payload, the tree rebuilt.
        let mut frontier = Frontier::new();
        let mut hasher = LeafHasher::new();
        let mut expected_idx: i64 = 0;
        let mut recorded: HashMap<(usize, String), Recorded> = HashMap::new();
        let mut scan_error: Option<String> = None;
        ledger::scan_entries(r.conn(), &cid, |idx, stored, payload| {
            if idx != expected_idx {
                push(
                    &mut problems,
                    "ledger_gap",
                    format!("ledger entries #{expected_idx}..#{} are missing (deleted)", idx - 1),
                );
                expected_idx = idx;
            }
            expected_idx += 1;
            let leaf = hasher.update(payload.as_bytes()).finish_reset();
            if Hash::from_slice(stored).ok() != Some(leaf) {
                push(
                    &mut problems,
                    "entry_edited",
                    format!("ledger entry #{idx}: its stored leaf hash does not match its payload (edited)"),
                );
            }
            frontier.append_with(leaf, |_, _| {});
            match serde_json::from_str::<PayloadRows<'_>>(payload) {
                Ok(p) => {
                    if p.complex != cid {
                        push(&mut problems, "entry_foreign", format!("ledger entry #{idx} belongs to complex {}", p.complex));
                    }
                    for (table, key, image) in p.rows {
                        let Some(t) = tables::LEDGERED.iter().position(|t| t.name == table) else {
                            push(&mut problems, "entry_unknown_table", format!("ledger entry #{idx} names table `{table}`"));
                            continue;
                        };
                        let image = (image.get() != "null").then(|| Sha256Hash::of(image.get().as_bytes()).0);
                        recorded.insert((t, key.into_owned()), Recorded { idx, image });
                    }
                }
                Err(e) => {
                    if scan_error.is_none() {
                        scan_error = Some(format!("ledger entry #{idx} payload does not parse: {e}"));
                    }
                }
            }
        })
        .await?;
        if let Some(e) = scan_error {
            push(&mut problems, "entry_malformed", e);
        }
        let entries = frontier.size();

        // 2. The signed checkpoint must cover exactly the rebuilt tree.
        let verifier = self.keys().verifier(complex);
        if head.checkpoint.is_empty() {
            if entries > 0 {
                push(
                    &mut problems,
                    "checkpoint_missing",
                    "the log has entries but no signed checkpoint".into(),
                );
            }
        } else {
            match Checkpoint::open(&head.checkpoint, &verifier) {
                Err(e) => push(
                    &mut problems,
                    "checkpoint_invalid",
                    format!("the signed checkpoint does not verify: {e}"),
                ),
                Ok(cp) => {
                    if cp.size != entries {
                        push(
                            &mut problems,
                            "ledger_size_mismatch",
                            format!(
                                "the signed checkpoint covers {} entries but {entries} are stored",
                                cp.size
                            ),
                        );
                    } else if cp.root != frontier.root() {
                        push(
                            &mut problems,
                            "ledger_root_mismatch",
                            "the tree rebuilt from the stored entries does not match the signed root (entries edited or reordered)".into(),
                        );
                    }
                }
            }
        }
        if head.frontier.size() != entries || head.frontier.root() != frontier.root() {
            push(
                &mut problems,
                "head_mismatch",
                "the stored ledger head differs from the rebuilt tree".into(),
            );
        }

        // 3. Every ledgered row must be exactly its last recorded image; every recorded row must exist.
        let mut rows_checked: u64 = 0;
        let mut edited: Vec<(&'static str, String, i64)> = Vec::new();
        for (t_index, table) in tables::LEDGERED.iter().enumerate() {
            rows::scan(r.conn(), table, &cid, |row, idx| {
                rows_checked += 1;
                let key = row.key();
                match recorded.remove(&(t_index, key.clone())) {
                    None => push(
                        &mut problems,
                        "row_not_in_ledger",
                        format!("{} row {key} is not in the ledger (inserted outside the service)", table.name),
                    ),
                    Some(rec) => {
                        if rec.idx != idx {
                            push(
                                &mut problems,
                                "row_ledger_index",
                                format!("{} row {key} points to entry #{idx}, but its last entry is #{}", table.name, rec.idx),
                            );
                        }
                        match rec.image {
                            None => push(
                                &mut problems,
                                "row_resurrected",
                                format!("{} row {key} was deleted in entry #{} but exists", table.name, rec.idx),
                            ),
                            Some(h) if h != Sha256Hash::of(row.image().as_bytes()).0 => {
                                edited.push((table.name, key, rec.idx));
                            }
                            Some(_) => {}
                        }
                    }
                }
            })
            .await?;
        }
        for (table, key, idx) in edited {
            let columns = self
                .diff_columns(&cid, table, &key, idx)
                .await
                .unwrap_or_default();
            push(
                &mut problems,
                "row_edited",
                format!("{table} row {key} differs from ledger entry #{idx}{columns}"),
            );
        }
        let mut missing: Vec<_> = recorded
            .into_iter()
            .filter(|(_, rec)| rec.image.is_some())
            .map(|((t, key), rec)| (tables::LEDGERED[t].name, key, rec.idx))
            .collect();
        missing.sort_by_key(|(_, _, idx)| *idx);
        for (table, key, idx) in missing {
            push(
                &mut problems,
                "row_missing",
                format!("{table} row {key}, recorded in ledger entry #{idx}, is missing (deleted)"),
            );
        }

        // 4. Every attachment's bytes must still hash to their name.
        let hashes = documents::attachment_hashes(r.conn(), &cid).await?;
        drop(r);
        let mut blobs = 0u64;
        for (hex, size) in hashes {
            blobs += 1;
            let Some(sha) = Sha256Hash::from_hex(&hex) else {
                push(
                    &mut problems,
                    "attachment_hash_malformed",
                    format!("attachment hash `{hex}` is not hex"),
                );
                continue;
            };
            match self.blobs().get(&cid, &sha).await? {
                None => push(
                    &mut problems,
                    "blob_missing",
                    format!("attachment file {hex} is missing"),
                ),
                Some(bytes) => {
                    if Sha256Hash::of(&bytes) != sha {
                        push(
                            &mut problems,
                            "blob_altered",
                            format!(
                                "attachment file {hex} was altered: its bytes hash to {}",
                                Sha256Hash::of(&bytes)
                            ),
                        );
                    } else if i64::try_from(bytes.len()).ok() != Some(size) {
                        push(
                            &mut problems,
                            "blob_size",
                            format!("attachment file {hex} has a different size"),
                        );
                    }
                }
            }
        }
        Ok(VerifyReport {
            complex,
            entries,
            rows: rows_checked,
            blobs,
            problems,
        })
    }

    /// Names the columns of a row that differ from its recorded image (only on failure).
    async fn diff_columns(&self, cid: &str, table: &str, key: &str, idx: i64) -> Option<String> {
        let mut r = self.db().reader().await.ok()?;
        let entry = ledger::entry(r.conn(), cid, u64::try_from(idx).ok()?)
            .await
            .ok()??;
        let payload: serde_json::Value = serde_json::from_str(&entry.payload).ok()?;
        let recorded = payload["rows"]
            .as_array()?
            .iter()
            .find(|r| r[0] == table && r[1] == key)?
            .get(2)?
            .clone();
        let spec = tables::by_name(table)?;
        let mut current = None;
        rows::scan(r.conn(), spec, cid, |row, _| {
            if row.key() == key {
                current = serde_json::from_str::<serde_json::Value>(&row.image()).ok();
            }
        })
        .await
        .ok()?;
        let current = current?;
        let cols: Vec<&str> = spec
            .columns
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| recorded.get(c) != current.get(c))
            .collect();
        Some(format!(" (column {})", cols.join(", ")))
    }
}
