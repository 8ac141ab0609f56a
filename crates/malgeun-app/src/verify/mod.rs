//! `verify`: recomputes every leaf from the stored payloads, rebuilds the tree and checks it
//! against the signed checkpoint; then re-renders every ledgered row from the database and compares
//! it with the image its last ledger entry recorded; then re-hashes every attachment blob. Any
//! edited, deleted, inserted or reordered row or entry, and any changed file, is named.

use std::borrow::Cow;
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicUsize, Ordering};

use malgeun_domain::ComplexId;
use malgeun_domain::content::Sha256Hash;
use malgeun_ledger::{Checkpoint, Frontier, Hash};
use malgeun_store::image::Packed;
use malgeun_store::ledger::{EntryRange, Head};
use malgeun_store::{Reader, documents, image, ledger, rows, tables};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::App;
use crate::error::AppError;
use crate::events::RowsError;

mod payload;
mod shards;
mod table;

use table::RecordTable;

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

/// The last image the ledger holds for a row: the entry index and the SHA-256 of the image
/// text (`None` for a deletion).
#[derive(Clone, Copy)]
struct Recorded {
    idx: i64,
    image: Option<[u8; 32]>,
}

/// Names rows in the maps by a 128-bit hash of their table and key under this run's random seeds,
/// so that a million rows need no key copies, allocations or long comparisons. Two rows sharing
/// an id could only make verify compare one row with the other's recorded image hash, which
/// always differs (an image holds its key): a collision could raise a false alarm but never hide
/// a change, and at 128 bits with secret seeds it does not happen by chance.
#[derive(Clone)]
struct RowIds(
    foldhash::quality::RandomState,
    foldhash::quality::RandomState,
);

impl RowIds {
    fn new() -> Self {
        Self(Default::default(), Default::default())
    }

    /// Never 0: [`table::RecordTable`] marks its empty slots with it. (0 becomes 1 rather than
    /// setting a bit in every id, which would take that bit out of the table's and the shards'
    /// spread.)
    fn id(&self, table: u8, key: &[u8]) -> u128 {
        use std::hash::BuildHasher;
        let a = self.0.hash_one((table, key));
        let b = self.1.hash_one((table, key));
        ((u128::from(a) << 64) | u128::from(b)).max(1)
    }
}

const MAX_PROBLEMS: usize = 200;

fn push(problems: &mut Vec<Problem>, code: &'static str, detail: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(Problem { code, detail });
    }
}

/// How many entries a ledger part gathers before it computes their leaves side by side
/// ([`malgeun_ledger::leaf_hashes`]).
const LEAF_BATCH: usize = 64;

/// Entries met but not yet hashed: their indexes, stored leaf hashes and payloads.
#[derive(Default)]
struct PendingLeaves {
    stored: Vec<(i64, Option<Hash>)>,
    payloads: Packed,
}

/// What one scan of a range of ledger entries found; ranges are scanned side by side and merged
/// in index order. A part may meet its entries in any order (storage order is index order
/// unless rows were put back behind the service's back): nothing here depends on it.
struct LedgerPart {
    cid: String,
    /// Entries whose leaves are still to be computed, [`LEAF_BATCH`] at a time.
    pending: PendingLeaves,
    /// Each entry's index and recomputed leaf, in the order met.
    leaves: Vec<(i64, Hash)>,
    /// Problems of single entries, with the entry's index, in the order met (at most
    /// [`MAX_PROBLEMS`]: the merged report keeps no more).
    problems: Vec<(i64, &'static str, String)>,
    /// The last image of each row the part's entries wrote (the one of the highest entry
    /// index), in one table per shard ([`shards::shard_of`]).
    recorded: Vec<RecordTable>,
    ids: RowIds,
    /// The payload of the lowest index that does not parse.
    malformed: Option<(i64, String)>,
    /// The rows of the entry being read (kept to reuse its allocation).
    named: Vec<payload::NamedRow>,
    /// Whether to check the row images stored beside the entries.
    check_images: bool,
}

impl LedgerPart {
    /// A part expected to hold about `entries` entries, its rows kept in one map per shard with
    /// room for `rows` rows in all.
    fn new(cid: &str, ids: RowIds, check_images: bool, entries: usize, rows: usize) -> Self {
        let shards = shards::count();
        // Sized up front, the maps are not rehashed as they grow.
        let per_shard = rows / shards + 1;
        Self {
            check_images,
            cid: cid.to_owned(),
            pending: PendingLeaves::default(),
            leaves: Vec::with_capacity(entries),
            problems: Vec::new(),
            recorded: (0..shards)
                .map(|_| RecordTable::with_rows(per_shard))
                .collect(),
            ids,
            malformed: None,
            named: Vec::new(),
        }
    }

    fn problem(&mut self, idx: i64, code: &'static str, detail: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push((idx, code, detail));
        }
    }

    /// Notes a payload that does not parse.
    fn malformed(&mut self, idx: i64, detail: impl FnOnce() -> String) {
        keep_lowest(&mut self.malformed, idx, detail);
    }

    /// One entry: recompute its leaf, and remember the image hash of every row it wrote unless
    /// an entry of a higher index of this part wrote the row too.
    fn entry(&mut self, e: ledger::Scanned<'_>) {
        let idx = e.idx;
        self.pending
            .stored
            .push((idx, Hash::from_slice(e.leaf_hash).ok()));
        self.pending.payloads.push(e.payload);
        if self.pending.stored.len() == LEAF_BATCH {
            self.hash_pending();
        }
        let mut named = std::mem::take(&mut self.named);
        if let Some(complex) = payload::read(e.payload, &mut named) {
            let complex = &e.payload[complex];
            if complex != self.cid.as_bytes() {
                self.foreign(idx, &String::from_utf8_lossy(complex));
            }
            let rows = named.iter().map(|r| {
                (
                    &e.payload[r.table.clone()],
                    &e.payload[r.key.clone()],
                    r.image,
                )
            });
            self.rows(idx, 2, rows, e.images);
        } else {
            self.entry_in_general(idx, e.payload, e.images);
        }
        self.named = named;
    }

    /// Computes the leaves of the pending entries and checks each against the stored one.
    fn hash_pending(&mut self) {
        let mut leaves = Vec::with_capacity(self.pending.stored.len());
        malgeun_ledger::leaf_hashes(&self.pending.payloads.slices(), &mut leaves);
        self.pending.payloads.clear();
        let pending = std::mem::take(&mut self.pending.stored);
        for (&(idx, stored), leaf) in pending.iter().zip(leaves) {
            if stored != Some(leaf) {
                self.problem(
                    idx,
                    "entry_edited",
                    format!(
                        "ledger entry #{idx}: its stored leaf hash does not match its payload (edited)"
                    ),
                );
            }
            self.leaves.push((idx, leaf));
        }
        // Its allocation, emptied, serves the next batch.
        self.pending.stored = pending;
        self.pending.stored.clear();
    }

    /// Finishes the part once its entries are all met.
    fn finish(mut self) -> Self {
        self.hash_pending();
        self
    }

    fn foreign(&mut self, idx: i64, complex: &str) {
        self.problem(
            idx,
            "entry_foreign",
            format!("ledger entry #{idx} belongs to complex {complex}"),
        );
    }

    /// Reads a payload [`payload::read`] declined (version 1, escapes, or not canonical) with
    /// serde_json, and reports what is wrong with it.
    fn entry_in_general(&mut self, idx: i64, bytes: &[u8], images: Option<&str>) {
        let p = match serde_json::from_slice::<PayloadRows<'_>>(bytes) {
            Ok(p) => p,
            Err(err) => {
                self.malformed(idx, || {
                    format!("ledger entry #{idx} payload does not parse: {err}")
                });
                return;
            }
        };
        if p.complex != self.cid {
            self.foreign(idx, &p.complex);
        }
        if !matches!(p.v, 1 | 2) {
            self.problem(
                idx,
                "entry_version",
                format!("ledger entry #{idx} has payload version {}, unknown", p.v),
            );
            return;
        }
        let mut rows = Vec::with_capacity(p.rows.len());
        for (table, key, third) in &p.rows {
            match crate::events::named_hash(p.v, third) {
                Ok(image) => rows.push((table.as_bytes(), key.as_bytes(), image)),
                Err(err) => {
                    self.malformed(idx, || {
                        format!("ledger entry #{idx} names row {table} {key}: {err}")
                    });
                    return;
                }
            }
        }
        self.rows(idx, p.v, rows.into_iter(), images);
    }

    /// Remembers the rows entry `idx` names (table, key, image hash), and with
    /// [`VerifyOptions::images`] checks the images stored beside it against those hashes.
    fn rows<'r>(
        &mut self,
        idx: i64,
        version: u32,
        rows: impl Iterator<Item = (&'r [u8], &'r [u8], Option<[u8; 32]>)>,
        images: Option<&str>,
    ) {
        let mut hashes = Vec::new();
        for (table, key, image) in rows {
            if self.check_images {
                hashes.push(image);
            }
            let Some(t) = tables::LEDGERED
                .iter()
                .position(|t| t.name.as_bytes() == table)
            else {
                self.problem(
                    idx,
                    "entry_unknown_table",
                    format!(
                        "ledger entry #{idx} names table `{}`",
                        String::from_utf8_lossy(table)
                    ),
                );
                continue;
            };
            let id = self.ids.id(table_byte(t), key);
            let shard = shards::shard_of(id, self.recorded.len());
            self.recorded[shard].record(id, Recorded { idx, image });
        }
        if self.check_images && version == 2 {
            match crate::events::checked_images(images, &hashes) {
                Ok(_) => {}
                Err(RowsError::ImagesMissing) => self.problem(
                    idx,
                    "entry_images_missing",
                    format!("the row images of ledger entry #{idx} are missing (deleted)"),
                ),
                Err(_) => self.problem(
                    idx,
                    "entry_images_altered",
                    format!(
                        "the row images stored beside ledger entry #{idx} do not match the hashes it names (edited)"
                    ),
                ),
            }
        }
    }
}

/// The ledger parts' leaves and problems, put in index order.
struct Merged {
    leaves: Vec<(i64, Hash)>,
    problems: Vec<(i64, &'static str, String)>,
    malformed: Option<(i64, String)>,
}

/// Keeps in `slot` the problem of the lowest entry index: the one a report names.
fn keep_lowest(slot: &mut Option<(i64, String)>, idx: i64, detail: impl FnOnce() -> String) {
    if slot.as_ref().is_none_or(|(i, _)| idx < *i) {
        *slot = Some((idx, detail()));
    }
}

/// Joins the parts' findings in index order. The parts are usually in order already (each met
/// its entries in index order, and they cover consecutive ranges); only a log whose rows were
/// put back in another order is sorted.
fn merge_parts(parts: Vec<LedgerPart>) -> Merged {
    let mut leaves = Vec::with_capacity(parts.iter().map(|p| p.leaves.len()).sum());
    let mut problems = Vec::new();
    let mut malformed = None;
    for part in parts {
        leaves.extend(part.leaves);
        problems.extend(part.problems);
        if let Some((idx, e)) = part.malformed {
            keep_lowest(&mut malformed, idx, || e);
        }
    }
    if !leaves.is_sorted_by_key(|(idx, _)| *idx) {
        leaves.sort_unstable_by_key(|(idx, _)| *idx);
    }
    // An entry's edited leaf is named before what its payload shows (leaves are checked a batch
    // after the payloads are read).
    problems.sort_by_key(|(idx, code, _)| (*idx, *code != "entry_edited"));
    Merged {
        leaves,
        problems,
        malformed,
    }
}

fn table_byte(t: usize) -> u8 {
    u8::try_from(t).expect("fewer than 256 ledgered tables")
}

/// One row read from a ledgered table: where its key lies in [`TableScan::keys`], its
/// [`RowIds::id`], its `ledger_index` and the SHA-256 of its re-rendered image (the hash payloads name
/// images by).
struct Scanned {
    key: std::ops::Range<usize>,
    id: u128,
    idx: i64,
    image: [u8; 32],
}

/// Ledgered rows of a complex, in table order (rows in storage order), re-rendered and hashed.
#[derive(Default)]
struct TableScan {
    rows: Vec<Scanned>,
    /// The rows' tables (as their position in [`tables::LEDGERED`]) and keys, one after the
    /// other (only read to name a row in a problem).
    keys: Vec<u8>,
}

impl TableScan {
    /// The table name and key text of a row.
    fn name(&self, row: &Scanned) -> (&'static str, String) {
        let bytes = &self.keys[row.key.clone()];
        (
            tables::LEDGERED[usize::from(bytes[0])].name,
            String::from_utf8_lossy(&bytes[1..]).into_owned(),
        )
    }
}

/// Reads a range of about `entries` ledger entries, with room for `rows` rows in the part's
/// maps.
async fn scan_ledger(
    conn: malgeun_store::db::Conn<'_>,
    cid: &str,
    range: EntryRange,
    ids: RowIds,
    options: VerifyOptions,
    (entries, rows): (usize, usize),
) -> Result<LedgerPart, AppError> {
    let mut part = LedgerPart::new(cid, ids, options.images, entries, rows);
    ledger::scan_entries_in(conn, cid, range, options.images, |e| part.entry(e)).await?;
    Ok(part.finish())
}

/// Reads the whole log (`all`), then every table, on one connection.
async fn scan_in_turn(
    mut conn: malgeun_store::db::Conn<'_>,
    cid: &str,
    all: EntryRange,
    ids: RowIds,
    options: VerifyOptions,
    entries: usize,
) -> Result<(LedgerPart, Vec<TableScan>), AppError> {
    let sizes = (entries, entries);
    let part = scan_ledger(conn.reborrow(), cid, all, ids.clone(), options, sizes).await?;
    let scans = scan_tables(conn, cid, &TablePlan::whole(), ids).await?;
    Ok((part, scans.into_iter().map(|(_, scan)| scan).collect()))
}

/// One piece of the table scans: a ledgered table (its place in [`tables::LEDGERED`]), whole or
/// a range of its rowids.
#[derive(Debug)]
struct Chunk {
    table: usize,
    rowids: Option<RangeInclusive<i64>>,
}

/// Rowids per chunk of a table split between readers: a few tens of milliseconds of work, so the
/// readers finish within that of each other.
const CHUNK_ROWIDS: i64 = 32_768;

/// The table scans of a verification cut into chunks that readers take one at a time, so that
/// whichever is free reads the next: split by table, the two readers ended a quarter of a second
/// apart (the versions, with their free text, weigh more than the documents), one core idle.
struct TablePlan {
    chunks: Vec<Chunk>,
    next: AtomicUsize,
}

impl TablePlan {
    /// Every table whole, in order (one reader, or PostgreSQL).
    fn whole() -> Self {
        Self::of(
            (0..tables::LEDGERED.len())
                .map(|table| Chunk {
                    table,
                    rowids: None,
                })
                .collect(),
        )
    }

    /// Every table in rowid ranges of [`CHUNK_ROWIDS`], in table and rowid order; an empty table
    /// is left out. On PostgreSQL, which has no rowids, every table whole.
    async fn split(mut conn: malgeun_store::db::Conn<'_>) -> Result<Self, AppError> {
        if !matches!(conn, malgeun_store::db::Conn::Sqlite(_)) {
            return Ok(Self::whole());
        }
        let mut chunks = Vec::new();
        for (table, t) in tables::LEDGERED.iter().enumerate() {
            // An empty table needs no chunk.
            if let Some(span) = rows::rowid_span(conn.reborrow(), t).await? {
                let step = chunk_step(&span);
                chunks.extend(rowid_ranges(span, step).map(|r| Chunk {
                    table,
                    rowids: Some(r),
                }));
            }
        }
        Ok(Self::of(chunks))
    }

    fn of(chunks: Vec<Chunk>) -> Self {
        Self {
            chunks,
            next: AtomicUsize::new(0),
        }
    }

    /// The next chunk nobody has taken, with its number (its place in the plan).
    fn take(&self) -> Option<(usize, &Chunk)> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.chunks.get(n).map(|c| (n, c))
    }
}

/// Rowids per chunk of a table whose rowids span `span`: [`CHUNK_ROWIDS`], or less so that even
/// a small table is cut into [`MIN_CHUNKS`] (a chunk costs one seek; and so every verification,
/// the tests' small ones too, reads tables split between readers).
fn chunk_step(span: &RangeInclusive<i64>) -> i64 {
    let len = i128::from(*span.end()) - i128::from(*span.start()) + 1;
    let step = len.div_euclid(MIN_CHUNKS) + i128::from(len.rem_euclid(MIN_CHUNKS) != 0);
    i64::try_from(step.clamp(1, i128::from(CHUNK_ROWIDS))).unwrap_or(CHUNK_ROWIDS)
}

/// The fewest chunks a table is cut into (see [`chunk_step`]).
const MIN_CHUNKS: i128 = 4;

/// `span` cut into consecutive ranges of `step` rowids (the last may be shorter), covering it
/// exactly.
fn rowid_ranges(span: RangeInclusive<i64>, step: i64) -> impl Iterator<Item = RangeInclusive<i64>> {
    let (lo, hi) = span.into_inner();
    let mut from = Some(lo).filter(|lo| *lo <= hi);
    std::iter::from_fn(move || {
        let start = from?;
        let end = start.saturating_add(step - 1).min(hi);
        from = end.checked_add(1).filter(|next| *next <= hi);
        Some(start..=end)
    })
}

/// Reads and re-renders the ledgered rows of the plan's chunks, taking one after another until
/// none is left: one scan per chunk, with its number.
async fn scan_tables(
    mut conn: malgeun_store::db::Conn<'_>,
    cid: &str,
    plan: &TablePlan,
    ids: RowIds,
) -> Result<NumberedScans, AppError> {
    let mut scans = Vec::new();
    let mut images = Packed::default();
    let mut secrets = image::Secrets::default();
    while let Some((n, chunk)) = plan.take() {
        let mut out = TableScan::default();
        let t_index = chunk.table;
        let table = tables::LEDGERED[t_index];
        let positions = image::key_positions(table);
        let writer = image::ImageWriter::new(table);
        let rowids = chunk.rowids.clone();
        rows::scan_values(conn.reborrow(), table, cid, rowids, |values, idx| {
            let start = out.keys.len();
            out.keys.push(table_byte(t_index));
            image::write_key(&positions, values, &mut out.keys);
            writer.write(values, &mut images.bytes, &mut secrets);
            images.close();
            out.rows.push(Scanned {
                key: start..out.keys.len(),
                id: ids.id(table_byte(t_index), &out.keys[start + 1..]),
                idx,
                image: [0; 32],
            });
            if images.len() == IMAGE_BATCH {
                secrets.fill(&mut images.bytes);
                hash_images_into(&mut images, &mut out.rows);
            }
        })
        .await?;
        secrets.fill(&mut images.bytes);
        hash_images_into(&mut images, &mut out.rows);
        scans.push((n, out));
    }
    Ok(scans)
}

/// How many re-rendered images a table scan gathers before it hashes them side by side.
const IMAGE_BATCH: usize = 64;

/// Hashes the pending images (those of the last rows of a [`TableScan`], one per row) into
/// those rows' digests, and empties `images`.
fn hash_images_into(images: &mut Packed, rows: &mut [Scanned]) {
    let slices = images.slices();
    let mut digests = [[0u8; 32]; IMAGE_BATCH];
    let digests = &mut digests[..slices.len()];
    malgeun_ledger::sha256_many(&[], &slices, digests);
    let first = rows.len() - slices.len();
    for (row, d) in rows[first..].iter_mut().zip(digests.iter()) {
        row.image = *d;
    }
    images.clear();
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

/// Scans of table chunks, each with its number in the [`TablePlan`].
type NumberedScans = Vec<(usize, TableScan)>;

/// The tables' scans of a verification: read already, or still being read on their threads.
enum TablesPending {
    /// Read with the log, in plan order.
    Read(Vec<TableScan>),
    /// Being read, each thread taking chunks of one plan.
    Reading(Vec<tokio::task::JoinHandle<Result<NumberedScans, AppError>>>),
}

impl TablesPending {
    /// Waits for every scan; the chunks come back in plan order (tables in order, each in rowid
    /// order), whichever thread read them, so findings are listed alike on every run.
    async fn read(self) -> Result<Vec<TableScan>, AppError> {
        match self {
            Self::Read(scans) => Ok(scans),
            Self::Reading(handles) => {
                let mut chunks = Vec::new();
                for h in handles {
                    chunks.extend(joined(h.await)?);
                }
                chunks.sort_unstable_by_key(|(n, _)| *n);
                Ok(chunks.into_iter().map(|(_, scan)| scan).collect())
            }
        }
    }
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

    /// Reads the ledger (in parts) and the tables (in groups) at one snapshot: on SQLite on up to
    /// four readers on blocking threads side by side (two halves of the log, two groups of
    /// tables) when the pool has them free, else fewer, one after the other. Returns once the
    /// log is read, the tables perhaps still being read: the tree's rebuild then takes a core
    /// that the last table's scan would leave idle.
    async fn scan_complex(
        &self,
        cid: &str,
        ids: &RowIds,
        options: VerifyOptions,
    ) -> Result<(Head, Vec<LedgerPart>, TablesPending), AppError> {
        let (mut readers, head) = snapshot_readers(self, cid, 2).await?;
        let head = head.ok_or_else(crate::member::complex_not_found)?;
        let size = i64::try_from(head.size()).unwrap_or(i64::MAX);
        // Only to size the maps: a log of more entries than fit in memory fails anyway.
        let entries = usize::try_from(head.size()).unwrap_or(usize::MAX / 4);
        let ids = ids.clone();
        let all = EntryRange::Index(i64::MIN..=i64::MAX);
        if self.db().engine() != malgeun_store::Engine::Sqlite {
            let mut r = readers.pop().expect("one reader");
            let (part, scans) = scan_in_turn(r.conn(), cid, all, ids, options, entries).await?;
            r.end_read()?;
            return Ok((head, vec![part], TablesPending::Read(scans)));
        }
        // In storage order when that pays off: through the index, SQLite seeks the table once per
        // entry.
        let split =
            ledger::stored_split(readers[0].conn(), cid, head.size(), head.size() / 2).await?;
        let (all, halves) = match split {
            Some(mid) => (
                EntryRange::Stored(i64::MIN..=i64::MAX),
                vec![
                    EntryRange::Stored(i64::MIN..=mid.saturating_sub(1)),
                    EntryRange::Stored(mid..=i64::MAX),
                ],
            ),
            None => (
                all,
                vec![
                    EntryRange::Index(i64::MIN..=(size / 2).saturating_sub(1)),
                    EntryRange::Index(size / 2..=i64::MAX),
                ],
            ),
        };
        if readers.len() == 1 {
            let r = readers.pop().expect("one reader");
            let both = on_thread(r, cid.to_owned(), move |conn, cid| {
                Box::pin(scan_in_turn(conn, cid, all, ids, options, entries))
            });
            let (part, scans) = joined(both.await)?;
            return Ok((head, vec![part], TablesPending::Read(scans)));
        }
        // Two readers, one per core, each reading half the log and then chunks of the tables
        // until none is left. The log, its images and the tables are written interleaved, page by
        // page, and every connection maps the file on its own: each page a reader touches costs a
        // fault in its mapping, and the kernel maps the neighbouring pages with it, so a reader
        // going on from its half of the log to the tables finds many of their pages mapped
        // already. With four readers (the log's halves and the tables apart) the same run took
        // 13 % more page faults and 1.5 GB more resident memory, the same regions mapped four
        // times.
        let plan = std::sync::Arc::new(TablePlan::split(readers[0].conn()).await?);
        let mut parts = Vec::with_capacity(2);
        let mut scans = Vec::with_capacity(2);
        for (i, (range, reader)) in halves.into_iter().zip(readers).enumerate() {
            let ids = ids.clone();
            let plan = plan.clone();
            // About one distinct row per entry. The first part's maps take in the other's
            // (`shards::check_rows`), so they get room for all rows and never grow.
            let sizes = (entries / 2, if i == 0 { entries } else { entries / 2 });
            // The log's part is handed over as soon as it is read, so that the tree is rebuilt
            // while the tables are still being read.
            let (part_tx, part_rx) = tokio::sync::oneshot::channel();
            parts.push(part_rx);
            scans.push(on_thread(reader, cid.to_owned(), move |mut conn, cid| {
                Box::pin(async move {
                    let part =
                        scan_ledger(conn.reborrow(), cid, range, ids.clone(), options, sizes);
                    // The receiver is gone only if the verification was dropped.
                    let _ = part_tx.send(part.await?);
                    scan_tables(conn, cid, &plan, ids).await
                })
            }));
        }
        let mut ledger_parts = Vec::with_capacity(parts.len());
        for part in parts {
            match part.await {
                Ok(part) => ledger_parts.push(part),
                // The thread stopped before handing over its part: its error says why.
                Err(_) => {
                    for scan in scans {
                        joined(scan.await)?;
                    }
                    return Err(AppError::internal("a verification thread stopped"));
                }
            }
        }
        Ok((head, ledger_parts, TablesPending::Reading(scans)))
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
        let ids = RowIds::new();
        let (head, parts, tables) = self.scan_complex(&cid, &ids, options).await?;

        // 3 runs on threads (one per shard of rows), once the tables are read, while 1 and 2 run
        // here.
        let mut shard_maps: Vec<Vec<RecordTable>> = Vec::new();
        let mut ledger_parts = Vec::with_capacity(parts.len());
        for mut part in parts {
            let maps = std::mem::take(&mut part.recorded);
            shard_maps.resize_with(maps.len().max(shard_maps.len()), Vec::new);
            for (s, map) in maps.into_iter().enumerate() {
                shard_maps[s].push(map);
            }
            ledger_parts.push(part);
        }
        let rows_check = tokio::spawn(async move {
            let table_rows = tables.read().await?;
            joined(
                tokio::task::spawn_blocking(move || {
                    let check = shards::check_rows(shard_maps, &table_rows);
                    // Freed off the path: a million rows take a while to drop.
                    std::thread::spawn(move || drop(table_rows));
                    Ok(check)
                })
                .await,
            )
        });

        // 1. The entries: contiguous, each leaf recomputed from its payload, the tree rebuilt.
        let merged = merge_parts(ledger_parts);
        let mut expected_idx: i64 = 0;
        let mut entry_problems = merged.problems.into_iter().peekable();
        for &(idx, _) in &merged.leaves {
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
            while let Some((_, code, detail)) = entry_problems.next_if(|(i, _, _)| *i <= idx) {
                push(&mut problems, code, detail);
            }
        }
        // Every leaf at once, each level's nodes hashed side by side.
        let frontier = Frontier::from_leaves(merged.leaves.into_iter().map(|(_, leaf)| leaf));
        if let Some((_, e)) = merged.malformed {
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
        let check = joined(rows_check.await)?;
        let rows_checked = check.rows_checked;
        for (_, code, detail) in check.problems {
            push(&mut problems, code, detail);
        }
        for (_, table, key, idx) in check.edited {
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
        for (id, idx) in check.missing {
            let (table, key) = self
                .recorded_row_named(&cid, &ids, id, idx)
                .await
                .unwrap_or(("(unknown table)", "(unknown key)".to_owned()));
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

    /// Finds which row of entry `idx` has the id `id` (only on failure: the maps keep no names).
    async fn recorded_row_named(
        &self,
        cid: &str,
        ids: &RowIds,
        id: u128,
        idx: i64,
    ) -> Option<(&'static str, String)> {
        let mut r = self.db().reader().await.ok()?;
        let entry = ledger::entry(r.conn(), cid, u64::try_from(idx).ok()?)
            .await
            .ok()??;
        let p: PayloadRows<'_> = serde_json::from_str(&entry.payload).ok()?;
        p.rows.into_iter().find_map(|(table, key, _)| {
            let t = tables::LEDGERED.iter().position(|t| t.name == table)?;
            (ids.id(table_byte(t), key.as_bytes()) == id)
                .then(|| (tables::LEDGERED[t].name, key.into_owned()))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranges cover the span exactly, one after another without overlap, each at most `step`
    /// long; also at the ends of `i64`, where a naive `end + 1` would overflow.
    #[test]
    fn rowid_ranges_cover_the_span_exactly() {
        let cases = [
            (1..=1, 4),
            (1..=4, 4),
            (1..=5, 4),
            (-3..=10, 4),
            (RangeInclusive::new(7, 6), 4),
            (i64::MAX - 5..=i64::MAX, 4),
            (i64::MIN..=i64::MIN + 9, 4),
            (1..=499_998, CHUNK_ROWIDS),
        ];
        for (span, step) in cases {
            let ranges: Vec<RangeInclusive<i64>> = rowid_ranges(span.clone(), step).collect();
            if span.is_empty() {
                assert!(ranges.is_empty(), "{span:?}");
                continue;
            }
            assert_eq!(ranges.first().map(|r| *r.start()), Some(*span.start()));
            assert_eq!(ranges.last().map(|r| *r.end()), Some(*span.end()));
            for w in ranges.windows(2) {
                assert_eq!(*w[0].end() + 1, *w[1].start(), "{span:?}: {ranges:?}");
            }
            for r in &ranges {
                assert!(!r.is_empty() && r.end() - r.start() < step, "{r:?}");
            }
        }
        assert_eq!(rowid_ranges(1..=499_998, CHUNK_ROWIDS).count(), 16);
    }

    /// Small tables are cut into four chunks (fewer only when they span fewer rowids), large ones
    /// into chunks of [`CHUNK_ROWIDS`].
    #[test]
    fn chunk_steps_cut_small_tables_in_four() {
        let chunks =
            |span: RangeInclusive<i64>| rowid_ranges(span.clone(), chunk_step(&span)).count();
        assert_eq!(chunks(1..=1), 1);
        assert_eq!(chunks(1..=3), 3);
        assert_eq!(chunks(1..=10), 4);
        assert_eq!(chunks(5..=1_000), 4);
        assert_eq!(chunks(1..=4 * CHUNK_ROWIDS), 4);
        assert_eq!(chunks(1..=499_998), 16);
        assert_eq!(chunk_step(&(i64::MIN..=i64::MAX)), CHUNK_ROWIDS);
    }

    /// Chunks are handed out once each, in plan order, to whoever asks, until none is left.
    #[test]
    fn a_plan_hands_out_each_chunk_once() {
        let plan = TablePlan::whole();
        let taken: Vec<usize> = std::thread::scope(|s| {
            let a = s.spawn(|| std::iter::from_fn(|| plan.take().map(|(n, _)| n)).collect());
            let b = s.spawn(|| std::iter::from_fn(|| plan.take().map(|(n, _)| n)).collect());
            let (mut a, b): (Vec<usize>, Vec<usize>) = (a.join().unwrap(), b.join().unwrap());
            a.extend(b);
            a.sort_unstable();
            a
        });
        assert_eq!(taken, (0..tables::LEDGERED.len()).collect::<Vec<_>>());
        assert!(plan.take().is_none());
    }

    /// Leaves are computed a batch at a time: every entry still gets its own leaf, in the order
    /// met, and an edited entry in the middle of a later batch (or in the last, partial one) is
    /// named by its own index.
    #[test]
    fn batched_leaves_name_each_edited_entry() {
        let cid = "c";
        let payloads: Vec<Vec<u8>> = (0..150)
            .map(|i| format!("{{\"v\":9,\"entry\":{i}}}").into_bytes())
            .collect();
        let mut stored: Vec<Hash> = payloads
            .iter()
            .map(|p| malgeun_ledger::leaf_hash(p))
            .collect();
        for edited in [100, 149] {
            stored[edited] = malgeun_ledger::leaf_hash(b"something else");
        }
        let mut part = LedgerPart::new(cid, RowIds::new(), false, 150, 150);
        for (i, (p, s)) in payloads.iter().zip(&stored).enumerate() {
            part.entry(ledger::Scanned {
                idx: i64::try_from(i).unwrap(),
                leaf_hash: &s.0,
                payload: p,
                images: None,
            });
        }
        let part = part.finish();
        let want: Vec<(i64, Hash)> = payloads
            .iter()
            .enumerate()
            .map(|(i, p)| (i64::try_from(i).unwrap(), malgeun_ledger::leaf_hash(p)))
            .collect();
        assert_eq!(part.leaves, want);
        let edited: Vec<i64> = part
            .problems
            .iter()
            .filter(|(_, code, _)| *code == "entry_edited")
            .map(|(idx, _, _)| *idx)
            .collect();
        assert_eq!(edited, vec![100, 149]);
    }
}
