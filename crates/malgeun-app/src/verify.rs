//! `verify`: recomputes every leaf from the stored payloads, rebuilds the tree and checks it
//! against the signed checkpoint; then re-renders every ledgered row from the database and compares
//! it with the image its last ledger entry recorded; then re-hashes every attachment blob. Any
//! edited, deleted, inserted or reordered row or entry, and any changed file, is named.

use std::borrow::Cow;
use std::collections::HashMap;

use malgeun_domain::ComplexId;
use malgeun_domain::content::Sha256Hash;
use malgeun_ledger::{Checkpoint, Frontier, Hash, LeafHasher};
use malgeun_store::ledger::Head;
use malgeun_store::{Reader, documents, image, ledger, rows, tables};
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

/// What verification reads of a payload: its version, complex and rows. In version 1 a row's
/// third element is its image (or `null`), in version 2 the SHA-256 of its image in hex (or
/// `null`).
#[derive(Deserialize)]
struct PayloadRows<'a> {
    v: u32,
    #[serde(borrow)]
    complex: Cow<'a, str>,
    #[serde(borrow)]
    rows: Vec<(Cow<'a, str>, Cow<'a, str>, &'a RawValue)>,
}

/// What a verification checks beyond the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyOptions {
    /// Also re-hash every row image stored beside the entries and compare it with the hash its
    /// entry's payload names (the default checks only each row's last image, against the row).
    pub images: bool,
}

/// The last image the ledger holds for a row: the entry index and the [`digest`] of the image
/// text (`None` for a deletion).
#[derive(Clone, Copy)]
struct Recorded {
    idx: i64,
    image: Option<[u8; 32]>,
}

/// Recorded rows by lookup key: the table's position in [`tables::LEDGERED`] as one byte, then
/// the row's key text.
type RecordMap = HashMap<Box<[u8]>, Recorded, foldhash::fast::RandomState>;

const MAX_PROBLEMS: usize = 200;

/// The digest by which a recorded image and a re-rendered row are compared: SHA-256, the hash
/// payloads of version 2 name images by (a version 1 payload's inline images are hashed the same
/// way here).
fn digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

fn push(problems: &mut Vec<Problem>, code: &'static str, detail: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(Problem { code, detail });
    }
}

/// What one scan of a range of ledger entries found; ranges are scanned side by side and merged
/// in index order.
struct LedgerPart {
    cid: String,
    hasher: LeafHasher,
    /// Each entry's index and recomputed leaf, in index order.
    leaves: Vec<(i64, Hash)>,
    /// Problems of single entries, with the entry's index, in index order (at most
    /// [`MAX_PROBLEMS`], the newest, as the part is read newest first: the merged report keeps no
    /// more).
    problems: Vec<(i64, &'static str, String)>,
    recorded: RecordMap,
    /// The first payload that does not parse.
    malformed: Option<String>,
    key: Vec<u8>,
    /// Whether to check the row images stored beside the entries.
    check_images: bool,
}

impl LedgerPart {
    fn new(cid: &str, check_images: bool) -> Self {
        Self {
            check_images,
            cid: cid.to_owned(),
            hasher: LeafHasher::new(),
            leaves: Vec::new(),
            problems: Vec::new(),
            recorded: RecordMap::default(),
            malformed: None,
            key: Vec::new(),
        }
    }

    fn problem(&mut self, idx: i64, code: &'static str, detail: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push((idx, code, detail));
        }
    }

    /// One entry, met newest first: recompute its leaf, and remember the image hash of every row
    /// it wrote unless a later entry of this part already gave that row's last image.
    fn entry(&mut self, e: ledger::Scanned<'_>) {
        let idx = e.idx;
        let leaf = self.hasher.update(e.payload.as_bytes()).finish_reset();
        if Hash::from_slice(e.leaf_hash).ok() != Some(leaf) {
            self.problem(
                idx,
                "entry_edited",
                format!(
                    "ledger entry #{idx}: its stored leaf hash does not match its payload (edited)"
                ),
            );
        }
        self.leaves.push((idx, leaf));
        let p = match serde_json::from_str::<PayloadRows<'_>>(e.payload) {
            Ok(p) => p,
            Err(err) => {
                // Met newest first: the last one kept is the earliest.
                self.malformed = Some(format!("ledger entry #{idx} payload does not parse: {err}"));
                return;
            }
        };
        if p.complex != self.cid {
            self.problem(
                idx,
                "entry_foreign",
                format!("ledger entry #{idx} belongs to complex {}", p.complex),
            );
        }
        if !matches!(p.v, 1 | 2) {
            self.problem(
                idx,
                "entry_version",
                format!("ledger entry #{idx} has payload version {}, unknown", p.v),
            );
            return;
        }
        let mut hashes = Vec::new();
        for (table, key, third) in &p.rows {
            let image = match (p.v, third.get()) {
                (_, "null") => None,
                (1, image) => Some(digest(image.as_bytes())),
                (_, quoted) => {
                    match quoted
                        .strip_prefix('"')
                        .and_then(|h| h.strip_suffix('"'))
                        .and_then(Sha256Hash::from_hex)
                    {
                        Some(h) => Some(h.0),
                        None => {
                            self.malformed = Some(format!(
                                "ledger entry #{idx} names row {table} {key} by `{quoted}`, not a SHA-256"
                            ));
                            return;
                        }
                    }
                }
            };
            if self.check_images {
                hashes.push(image);
            }
            let Some(t) = tables::LEDGERED.iter().position(|t| t.name == table) else {
                self.problem(
                    idx,
                    "entry_unknown_table",
                    format!("ledger entry #{idx} names table `{table}`"),
                );
                continue;
            };
            self.key.clear();
            self.key.push(table_byte(t));
            self.key.extend_from_slice(key.as_bytes());
            if !self.recorded.contains_key(self.key.as_slice()) {
                self.recorded
                    .insert(self.key.as_slice().into(), Recorded { idx, image });
            }
        }
        if self.check_images && p.v == 2 {
            self.images(idx, e.images, &hashes);
        }
    }

    /// Checks the row images stored beside an entry against the hashes its payload names.
    fn images(&mut self, idx: i64, images: Option<&str>, hashes: &[Option<[u8; 32]>]) {
        let Some(images) = images else {
            self.problem(
                idx,
                "entry_images_missing",
                format!("the row images of ledger entry #{idx} are missing (deleted)"),
            );
            return;
        };
        let matches = serde_json::from_str::<Vec<&RawValue>>(images).is_ok_and(|images| {
            images.len() == hashes.len()
                && images.iter().zip(hashes).all(|(image, hash)| match hash {
                    None => image.get() == "null",
                    Some(h) => digest(image.get().as_bytes()) == *h,
                })
        });
        if !matches {
            self.problem(
                idx,
                "entry_images_altered",
                format!(
                    "the row images stored beside ledger entry #{idx} do not match the hashes it names (edited)"
                ),
            );
        }
    }
}

fn table_byte(t: usize) -> u8 {
    u8::try_from(t).expect("fewer than 256 ledgered tables")
}

/// One row read from a ledgered table: where its lookup key lies in [`TableScan::keys`], its
/// `ledger_index` and the BLAKE3 digest of its re-rendered image.
struct Scanned {
    key: std::ops::Range<usize>,
    idx: i64,
    image: [u8; 32],
}

/// Every ledgered row of a complex, in table order then key order, re-rendered and hashed.
#[derive(Default)]
struct TableScan {
    rows: Vec<Scanned>,
    /// The rows' lookup keys (as in [`RecordMap`]), one after the other.
    keys: Vec<u8>,
}

impl TableScan {
    fn lookup_key(&self, row: &Scanned) -> &[u8] {
        &self.keys[row.key.clone()]
    }
}

/// Reads a range of ledger entries.
async fn scan_ledger(
    conn: malgeun_store::db::Conn<'_>,
    cid: &str,
    range: std::ops::RangeInclusive<i64>,
    options: VerifyOptions,
) -> Result<LedgerPart, AppError> {
    let mut part = LedgerPart::new(cid, options.images);
    ledger::scan_entries_in(conn, cid, range, true, options.images, |e| part.entry(e)).await?;
    part.leaves.reverse();
    part.problems.reverse();
    Ok(part)
}

/// Reads and re-renders every ledgered row.
async fn scan_tables(
    mut conn: malgeun_store::db::Conn<'_>,
    cid: &str,
) -> Result<TableScan, AppError> {
    let mut out = TableScan::default();
    let mut image = Vec::with_capacity(4096);
    for (t_index, table) in tables::LEDGERED.iter().enumerate() {
        let positions = image::key_positions(table);
        rows::scan_values(conn.reborrow(), table, cid, |values, idx| {
            let start = out.keys.len();
            out.keys.push(table_byte(t_index));
            image::write_key(&positions, values, &mut out.keys);
            image.clear();
            image::write_image(table, values, &mut image);
            out.rows.push(Scanned {
                key: start..out.keys.len(),
                idx,
                image: digest(&image),
            });
        })
        .await?;
    }
    Ok(out)
}

/// Readers that see one snapshot of the database: each is in a read transaction and has read the
/// same ledger head. On SQLite up to `want` of them (as many as the pool has free right now, at
/// least one); on PostgreSQL one.
async fn snapshot_readers(
    app: &App,
    cid: &str,
    want: usize,
) -> Result<(Vec<Reader>, Option<Head>), AppError> {
    const ATTEMPTS: usize = 8;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut readers = vec![app.db().reader().await?];
        // Once in a while a commit lands between two readers' first reads: retry, and in the end
        // make do with one reader (which always agrees with itself).
        if attempt < ATTEMPTS {
            while readers.len() < want {
                match app.db().try_sqlite_reader()? {
                    Some(r) => readers.push(r),
                    None => break,
                }
            }
        }
        let mut heads = Vec::with_capacity(readers.len());
        for r in &mut readers {
            r.begin_read()?;
            heads.push(ledger::read_head(r.conn(), cid).await?);
        }
        let same = heads.windows(2).all(|w| match (&w[0], &w[1]) {
            (Some(a), Some(b)) => a.frontier == b.frontier && a.checkpoint == b.checkpoint,
            (None, None) => true,
            _ => false,
        });
        if same {
            return Ok((readers, heads.swap_remove(0)));
        }
        for r in &mut readers {
            r.end_read()?;
        }
    }
}

/// Runs a scan on its own SQLite reader on a blocking thread (SQLite statements run on the
/// calling thread, so the scans of one verification use both cores).
fn on_thread<T, F>(
    mut reader: Reader,
    cid: String,
    scan: F,
) -> tokio::task::JoinHandle<Result<T, AppError>>
where
    T: Send + 'static,
    F: for<'c> FnOnce(
            malgeun_store::db::Conn<'c>,
            &'c str,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<T, AppError>> + 'c>,
        > + Send
        + 'static,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let out = handle.block_on(scan(reader.conn(), &cid));
        reader.end_read()?;
        out
    })
}

fn joined<T>(r: Result<Result<T, AppError>, tokio::task::JoinError>) -> Result<T, AppError> {
    r.map_err(|e| AppError::internal(format!("verification thread: {e}")))?
}

impl App {
    /// Verifies every complex with a log.
    pub async fn verify_all(&self) -> Result<Vec<VerifyReport>, AppError> {
        self.verify_all_with(VerifyOptions::default()).await
    }

    /// Verifies every complex with a log, with extra checks.
    pub async fn verify_all_with(
        &self,
        options: VerifyOptions,
    ) -> Result<Vec<VerifyReport>, AppError> {
        let ids = {
            let mut r = self.db().reader().await?;
            ledger::complexes_with_logs(r.conn()).await?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let complex: ComplexId = crate::member::parse_id(&id)?;
            out.push(self.verify_complex_with(complex, options).await?);
        }
        Ok(out)
    }

    /// Reads the ledger (in parts) and the tables at one snapshot: on SQLite on three readers on
    /// blocking threads side by side when the pool has them free, else one after the other.
    async fn scan_complex(
        &self,
        cid: &str,
        options: VerifyOptions,
    ) -> Result<(Head, Vec<LedgerPart>, TableScan), AppError> {
        let (mut readers, head) = snapshot_readers(self, cid, 3).await?;
        let head = head.ok_or_else(crate::member::complex_not_found)?;
        let size = i64::try_from(head.size()).unwrap_or(i64::MAX);
        let sqlite = self.db().engine() == malgeun_store::Engine::Sqlite;
        match readers.len() {
            1 if !sqlite => {
                let mut r = readers.pop().expect("one reader");
                let part = scan_ledger(r.conn(), cid, i64::MIN..=i64::MAX, options).await?;
                let rows = scan_tables(r.conn(), cid).await?;
                r.end_read()?;
                Ok((head, vec![part], rows))
            }
            1 => {
                let r = readers.pop().expect("one reader");
                let both = on_thread(r, cid.to_owned(), move |mut conn, cid| {
                    Box::pin(async move {
                        let part =
                            scan_ledger(conn.reborrow(), cid, i64::MIN..=i64::MAX, options).await?;
                        let rows = scan_tables(conn, cid).await?;
                        Ok((part, rows))
                    })
                });
                let (part, rows) = joined(both.await)?;
                Ok((head, vec![part], rows))
            }
            n => {
                // The ledger is most of the work (every payload is hashed): with three readers it
                // is read in two halves beside the tables.
                let mid = if n >= 3 { size / 2 } else { i64::MAX };
                let mut readers = readers.into_iter();
                let tables = on_thread(
                    readers.next().expect("reader"),
                    cid.to_owned(),
                    |conn, cid| Box::pin(scan_tables(conn, cid)),
                );
                let first = on_thread(
                    readers.next().expect("reader"),
                    cid.to_owned(),
                    move |conn, cid| {
                        Box::pin(scan_ledger(
                            conn,
                            cid,
                            i64::MIN..=mid.saturating_sub(1),
                            options,
                        ))
                    },
                );
                let second = readers.next().map(|r| {
                    on_thread(r, cid.to_owned(), move |conn, cid| {
                        Box::pin(scan_ledger(conn, cid, mid..=i64::MAX, options))
                    })
                });
                let mut parts = vec![joined(first.await)?];
                if let Some(second) = second {
                    parts.push(joined(second.await)?);
                }
                let rows = joined(tables.await)?;
                Ok((head, parts, rows))
            }
        }
    }

    /// Verifies one complex.
    pub async fn verify_complex(&self, complex: ComplexId) -> Result<VerifyReport, AppError> {
        self.verify_complex_with(complex, VerifyOptions::default())
            .await
    }

    /// Verifies one complex, with extra checks.
    pub async fn verify_complex_with(
        &self,
        complex: ComplexId,
        options: VerifyOptions,
    ) -> Result<VerifyReport, AppError> {
        let cid = complex.to_string();
        let mut problems = Vec::new();
        let (head, parts, table_rows) = self.scan_complex(&cid, options).await?;

        // 1. The entries: contiguous, each leaf recomputed from its payload, the tree rebuilt.
        let mut frontier = Frontier::new();
        let mut expected_idx: i64 = 0;
        let mut recorded = RecordMap::default();
        let mut malformed: Option<String> = None;
        for part in parts {
            let mut part_problems = part.problems.into_iter().peekable();
            for (idx, leaf) in part.leaves {
                if idx != expected_idx {
                    push(
                        &mut problems,
                        "ledger_gap",
                        format!(
                            "ledger entries #{expected_idx}..#{} are missing (deleted)",
                            idx - 1
                        ),
                    );
                    expected_idx = idx;
                }
                expected_idx += 1;
                while let Some((_, code, detail)) = part_problems.next_if(|(i, _, _)| *i == idx) {
                    push(&mut problems, code, detail);
                }
                frontier.append_with(leaf, |_, _| {});
            }
            if recorded.is_empty() {
                recorded = part.recorded;
            } else {
                // A later part's images are the later ones.
                recorded.extend(part.recorded);
            }
            malformed = malformed.or(part.malformed);
        }
        if let Some(e) = malformed {
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
        let rows_checked = table_rows.rows.len() as u64;
        let mut edited: Vec<(&'static str, String, i64)> = Vec::new();
        for row in &table_rows.rows {
            let lookup = table_rows.lookup_key(row);
            let table = tables::LEDGERED[usize::from(lookup[0])].name;
            let key = || String::from_utf8_lossy(&lookup[1..]).into_owned();
            let idx = row.idx;
            match recorded.remove(lookup) {
                None => push(
                    &mut problems,
                    "row_not_in_ledger",
                    format!(
                        "{table} row {} is not in the ledger (inserted outside the service)",
                        key()
                    ),
                ),
                Some(rec) => {
                    if rec.idx != idx {
                        push(
                            &mut problems,
                            "row_ledger_index",
                            format!(
                                "{table} row {} points to entry #{idx}, but its last entry is #{}",
                                key(),
                                rec.idx
                            ),
                        );
                    }
                    match rec.image {
                        None => push(
                            &mut problems,
                            "row_resurrected",
                            format!(
                                "{table} row {} was deleted in entry #{} but exists",
                                key(),
                                rec.idx
                            ),
                        ),
                        Some(h) if h != row.image => edited.push((table, key(), rec.idx)),
                        Some(_) => {}
                    }
                }
            }
        }
        drop(table_rows);
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
            .map(|(lookup, rec)| {
                let table = tables::LEDGERED[usize::from(lookup[0])].name;
                (
                    table,
                    String::from_utf8_lossy(&lookup[1..]).into_owned(),
                    rec.idx,
                )
            })
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
        let hashes = {
            let mut r = self.db().reader().await?;
            documents::attachment_hashes(r.conn(), &cid).await?
        };
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
        let rows = crate::events::recorded_rows(&entry.payload, entry.images.as_deref()).ok()?;
        let image = rows
            .into_iter()
            .find(|r| r.table == table && r.key == key)?
            .image?;
        let recorded: serde_json::Value = serde_json::from_str(&image).ok()?;
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
