//! The row check of `verify`, split by row id into shards that run on threads side by side: each
//! shard merges the ledger parts' last images of its rows and compares them with the table rows
//! that fall in it. A row's shard is a function of its id alone, so a row and its images always
//! meet in the same shard, and the shards together see every row exactly once.

use super::table::{BATCH, RecordTable};
use super::{MAX_PROBLEMS, Scanned, TableScan};

/// The shard of a row id among `n`: the ids are keyed hashes, so their high half is uniform.
pub(super) fn shard_of(id: u128, n: usize) -> usize {
    // `n` is small; the remainder is below it.
    ((id >> 64) as u64 % n as u64) as usize
}

/// How many shards to use: one per core, at most eight.
pub(super) fn count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
}

/// What one shard found. Rows are named by their ordinal (their place in the table scans, one
/// after the other), so the shards' findings can be put back in the order one pass would give.
#[derive(Default)]
pub(super) struct ShardCheck {
    /// Rows of this shard compared.
    pub rows_checked: u64,
    /// `row_not_in_ledger`, `row_ledger_index` and `row_resurrected`, by ordinal.
    pub problems: Vec<(u64, &'static str, String)>,
    /// Rows that differ from their last image: ordinal, table, key, entry index.
    pub edited: Vec<(u64, &'static str, String, i64)>,
    /// Rows the ledger holds an image of but the tables do not: id, entry index.
    pub missing: Vec<(u128, i64)>,
}

impl ShardCheck {
    fn problem(&mut self, ordinal: u64, code: &'static str, detail: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push((ordinal, code, detail));
        }
    }
}

/// Checks the rows of shard `s` of `n`: `maps` are the ledger parts' images of its rows (of a
/// row, the image of the highest entry index counts).
fn check_shard(s: usize, n: usize, maps: Vec<RecordTable>, scans: &[TableScan]) -> ShardCheck {
    let mut maps = maps.into_iter();
    let mut recorded = maps.next().unwrap_or_else(|| RecordTable::with_rows(0));
    for later in maps {
        for (id, rec) in later.into_rows() {
            recorded.record(id, rec);
        }
    }
    let mut out = ShardCheck::default();
    // This shard's rows, a batch at a time: (ordinal, scan, row).
    let mut rows: Vec<(u64, &TableScan, &Scanned)> = Vec::with_capacity(BATCH);
    let mut ordinal = 0u64;
    for scan in scans {
        for row in &scan.rows {
            let here = ordinal;
            ordinal += 1;
            if shard_of(row.id, n) != s {
                continue;
            }
            rows.push((here, scan, row));
            if rows.len() == BATCH {
                check_batch(&mut recorded, &rows, &mut out);
                rows.clear();
            }
        }
    }
    check_batch(&mut recorded, &rows, &mut out);
    out.missing = recorded
        .into_rows()
        .filter(|(_, rec)| rec.image.is_some())
        .map(|(id, rec)| (id, rec.idx))
        .collect();
    out
}

/// Compares a batch of (at most [`BATCH`]) table rows with their last recorded images, taking
/// those out of `recorded` (what is left in the end was recorded but not found).
fn check_batch(
    recorded: &mut RecordTable,
    rows: &[(u64, &TableScan, &Scanned)],
    out: &mut ShardCheck,
) {
    let mut ids = [0u128; BATCH];
    for (id, (_, _, row)) in ids.iter_mut().zip(rows) {
        *id = row.id;
    }
    let found = recorded.take_all(&ids[..rows.len()]);
    for (&(here, scan, row), rec) in rows.iter().zip(found) {
        out.rows_checked += 1;
        let idx = row.idx;
        let Some(rec) = rec else {
            let (table, key) = scan.name(row);
            out.problem(
                here,
                "row_not_in_ledger",
                format!("{table} row {key} is not in the ledger (inserted outside the service)"),
            );
            continue;
        };
        if rec.idx != idx {
            let (table, key) = scan.name(row);
            out.problem(
                here,
                "row_ledger_index",
                format!(
                    "{table} row {key} points to entry #{idx}, but its last entry is #{}",
                    rec.idx
                ),
            );
        }
        match rec.image {
            None => {
                let (table, key) = scan.name(row);
                out.problem(
                    here,
                    "row_resurrected",
                    format!(
                        "{table} row {key} was deleted in entry #{} but exists",
                        rec.idx
                    ),
                );
            }
            Some(h) if h != row.image => {
                if out.edited.len() < MAX_PROBLEMS {
                    let (table, key) = scan.name(row);
                    out.edited.push((here, table, key, rec.idx));
                }
            }
            Some(_) => {}
        }
    }
}

/// Checks every row, one shard per thread; `shard_maps[s]` holds the parts' maps of shard `s`.
/// Returns the findings merged: problems and edited rows in row order, the missing rows in
/// entry order, each list cut at [`MAX_PROBLEMS`].
pub(super) fn check_rows(shard_maps: Vec<Vec<RecordTable>>, scans: &[TableScan]) -> ShardCheck {
    let n = shard_maps.len();
    let checks: Vec<ShardCheck> = std::thread::scope(|scope| {
        let handles: Vec<_> = shard_maps
            .into_iter()
            .enumerate()
            .map(|(s, maps)| scope.spawn(move || check_shard(s, n, maps, scans)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut all = ShardCheck::default();
    for c in checks {
        all.rows_checked += c.rows_checked;
        all.problems.extend(c.problems);
        all.edited.extend(c.edited);
        all.missing.extend(c.missing);
    }
    all.problems.sort_by_key(|(ordinal, _, _)| *ordinal);
    all.problems.truncate(MAX_PROBLEMS);
    all.edited.sort_by_key(|(ordinal, _, _, _)| *ordinal);
    all.edited.truncate(MAX_PROBLEMS);
    all.missing.sort_by_key(|(_, idx)| *idx);
    all.missing.truncate(MAX_PROBLEMS);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_one_shard_below_n() {
        for n in 1..=8 {
            let mut seen = vec![0u32; n];
            for i in 0..10_000u128 {
                let id = i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
                let s = shard_of(id, n);
                assert_eq!(s, shard_of(id, n));
                seen[s] += 1;
            }
            assert!(
                seen.iter().all(|c| *c > 10_000 / (n as u32 * 2)),
                "{seen:?}"
            );
        }
    }
}
