//! The embedded engine: SQLite through rusqlite, one writer connection behind an async lock and a
//! small pool of read-only connections, with statements run in place on the calling thread.
//!
//! Why not sqlx here: sqlx-sqlite runs every statement on a worker thread and hands the result back
//! to the async task, two thread wake-ups per statement. A write command is a dozen statements, and
//! on a 2-core machine those hand-offs, not SQLite, set the throughput (measured: 1.7 ms per approval
//! of which 0.5 ms was SQL). A local SQLite statement takes microseconds, so running it on the
//! calling thread is cheaper than any hand-off; only commit waits for the disk.
//!
//! Group commit: each write transaction of the store is a SAVEPOINT inside one SQLite transaction
//! that stays open while more commands are queued for the writer, and is committed (one fsync) by
//! the last of them. A command's `commit` returns only once the transaction holding it is durable,
//! so callers see exactly the semantics of one transaction per command; a command that fails rolls
//! back to its savepoint and takes nothing else with it.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::FromSql;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Params};
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore, oneshot};

use crate::error::StoreError;

/// Prepared statements kept per connection: every distinct SQL text of the store fits.
const STATEMENT_CACHE: usize = 256;

/// Page cache of a read connection, in KiB (SQLite's negative `cache_size`).
pub(crate) const CACHE_KIB: i64 = 8192;

/// Page cache of the writer, in KiB.
const WRITER_CACHE_KIB: i64 = 32768;

/// Page cache of a reader during a long scan ([`crate::Reader::begin_read`]): a scan reads each
/// page once, so a large cache only adds to the process's memory.
pub(crate) const SCAN_CACHE_KIB: i64 = 8192;

/// Most commands committed by one fsync: bounds how long the first of them waits.
const MAX_BATCH: usize = 64;

/// How long a command whose commit was deferred waits for the next command to commit it before it
/// commits the batch itself (the next one may have been cancelled while queued).
const DEFERRED_COMMIT_WAIT: Duration = Duration::from_millis(50);

/// Signs a complex's checkpoint: `(complex id, tree size, root)` → the signed note.
pub type CheckpointSigner =
    dyn Fn(&str, u64, malgeun_ledger::Hash) -> Result<String, String> + Send + Sync;

/// Where the checkpoint signer is installed once the application knows its keys.
type SignerSlot = Arc<std::sync::OnceLock<Arc<CheckpointSigner>>>;

/// An open SQLite database: the writer and the readers.
pub struct SqliteDb {
    path: PathBuf,
    writer: Arc<tokio::sync::Mutex<Writer>>,
    /// Commands waiting for the writer: while there are any, a commit is left to the next one.
    queued: Arc<AtomicUsize>,
    readers: Arc<ReaderPool>,
    signer: SignerSlot,
    _checkpointer: Checkpointer,
}

impl std::fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDb")
            .field("path", &self.path)
            .field("signer", &self.signer.get().is_some())
            .finish_non_exhaustive()
    }
}

/// The writer connection and the SQLite transaction currently open on it, if any.
struct Writer {
    conn: Connection,
    batch: Option<Batch>,
    batches: u64,
    signer: SignerSlot,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("batch", &self.batch)
            .field("batches", &self.batches)
            .finish_non_exhaustive()
    }
}

/// An open SQLite transaction holding the released savepoints of finished commands.
#[derive(Debug)]
struct Batch {
    id: u64,
    commands: usize,
    waiters: Vec<oneshot::Sender<Result<(), String>>>,
    /// Complexes whose ledger head changed and whose checkpoint is signed once, at commit.
    unsigned: std::collections::BTreeSet<String>,
}

impl Writer {
    /// Signs the checkpoint of every complex whose log grew in this batch, over its final head.
    fn sign_checkpoints(
        &mut self,
        complexes: &std::collections::BTreeSet<String>,
    ) -> Result<(), String> {
        let Some(sign) = self.signer.get() else {
            return Ok(());
        };
        for complex in complexes {
            let frontier: Vec<u8> = self
                .conn
                .query_row(
                    "SELECT frontier FROM ledger_heads WHERE complex_id = ?1",
                    [complex],
                    |r| r.get(0),
                )
                .map_err(|e| e.to_string())?;
            let frontier = malgeun_ledger::Frontier::from_bytes(&frontier)
                .map_err(|e| format!("ledger frontier: {e}"))?;
            let note = sign(complex, frontier.size(), frontier.root())?;
            self.conn
                .execute(
                    "UPDATE ledger_heads SET checkpoint = ?2 WHERE complex_id = ?1",
                    rusqlite::params![complex, note],
                )
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Commits the open transaction (one fsync) and tells every command in it how it went.
    fn finish_batch(&mut self) -> Result<(), StoreError> {
        let Some(batch) = self.batch.take() else {
            return Ok(());
        };
        let result = if batch.commands == 0 {
            self.conn.execute_batch("ROLLBACK")
        } else if let Err(e) = self.sign_checkpoints(&batch.unsigned) {
            let _ = self.conn.execute_batch("ROLLBACK");
            let message = format!("signing the checkpoint: {e}");
            for w in batch.waiters {
                let _ = w.send(Err(message.clone()));
            }
            return Err(StoreError::Corrupt(message));
        } else {
            self.conn.execute_batch("COMMIT")
        };
        let result = match result {
            Ok(()) => {
                if batch.commands > 0 {
                    STATS.fsyncs.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            }
            Err(e) => {
                // A failed COMMIT may leave the transaction open; never leave it to the next user.
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                Err(e)
            }
        };
        let shared = result.as_ref().map(|_| ()).map_err(ToString::to_string);
        for w in batch.waiters {
            let _ = w.send(shared.clone());
        }
        Ok(result?)
    }
}

/// Counts a command as queued for the writer until it gets it (or is cancelled while waiting).
struct Queued(Arc<AtomicUsize>);

impl Queued {
    fn new(n: &Arc<AtomicUsize>) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Self(n.clone())
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Commands committed and fsyncs done, for benchmarks and logs.
#[derive(Debug, Default)]
pub struct CommitStats {
    commands: AtomicU64,
    fsyncs: AtomicU64,
}

static STATS: CommitStats = CommitStats {
    commands: AtomicU64::new(0),
    fsyncs: AtomicU64::new(0),
};

/// `(commands committed, SQLite commits)` since the process started, over all databases.
pub fn commit_stats() -> (u64, u64) {
    (
        STATS.commands.load(Ordering::Relaxed),
        STATS.fsyncs.load(Ordering::Relaxed),
    )
}

#[derive(Debug)]
struct ReaderPool {
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    path: PathBuf,
}

fn configure(conn: &Connection, read_only: bool) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    if !read_only {
        // WAL lets readers run beside the writer; FULL syncs the WAL on every commit, so a
        // committed approval survives a power cut.
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Every command of a group-committed batch runs in a savepoint, which copies each page it first
    // changes into a statement journal. Held in memory (`temp_store = MEMORY`), that journal grows
    // in 1 KiB pieces, five allocations per page; left to the default it is one piece as large as
    // `SQLITE_STMTJRNL_SPILL` (set in `.cargo/config.toml`), and only a command that outgrows it
    // spills to a temporary file. Readers keep their temporary data (sorts) in memory.
    conn.pragma_update(
        None,
        "temp_store",
        if read_only { "MEMORY" } else { "DEFAULT" },
    )?;
    // SQLite walks a connection's whole page-cache hash table at the end of many transactions, so
    // a large cache costs every read; readers get a modest one (the OS caches the file anyway).
    conn.pragma_update(
        None,
        "cache_size",
        -if read_only {
            CACHE_KIB
        } else {
            WRITER_CACHE_KIB
        },
    )?;
    if read_only {
        // Readers map the file (up to SQLite's default ceiling of 2 GB) instead of copying every
        // page through `pread`: on a scan of gigabytes that copy was a third of the CPU time.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    }
    if !read_only {
        // The WAL is copied back into the database by the checkpointer thread, not by whichever
        // commit crosses the threshold: with synchronous=FULL a checkpoint costs two more fsyncs
        // and thousands of page writes, which would stall every command queued behind it.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    }
    Ok(())
}

/// The size the WAL file is cut back to by default: bursts below it (~10 s of approvals at full
/// speed) keep overwriting the file in place.
pub const WAL_SIZE_LIMIT_BYTES: i64 = 1 << 30;

/// How much of the database file a reader maps (SQLite caps it at `SQLITE_MAX_MMAP_SIZE`, 2 GB
/// by default).
const MMAP_BYTES: i64 = 0x7fff_0000;

/// How often the checkpointer copies the WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// A thread that checkpoints the WAL in the background (`PASSIVE`: it never blocks the writer or
/// readers) until the database is dropped.
#[derive(Debug)]
struct Checkpointer {
    stop: Arc<(Mutex<bool>, std::sync::Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: PathBuf) -> Result<Self, StoreError> {
        let conn = Connection::open(&path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let stop = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("malgeun-checkpoint".into())
            .spawn(move || {
                let (lock, cv) = &*flag;
                let Ok(mut stopped) = lock.lock() else { return };
                while !*stopped {
                    match cv.wait_timeout(stopped, CHECKPOINT_EVERY) {
                        Ok((guard, _)) => stopped = guard,
                        Err(_) => return,
                    }
                    if *stopped {
                        break;
                    }
                    let done: rusqlite::Result<(i64, i64, i64)> =
                        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        });
                    if let Err(e) = done {
                        tracing::warn!("checkpointing the WAL: {e}");
                    }
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("starting the checkpointer: {e}")))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (lock, cv) = &*self.stop;
        if let Ok(mut stopped) = lock.lock() {
            *stopped = true;
        }
        cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The file path of a `sqlite:` URL (`sqlite://path`, `sqlite:path`, with `?options` ignored).
pub fn path_of(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::UnsupportedUrl(url.to_owned()))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    Ok(PathBuf::from(path))
}

impl SqliteDb {
    /// Opens (creating if missing) the database file with room for `readers` concurrent readers;
    /// the writer cuts the WAL file back to `wal_limit_bytes` whenever it starts the WAL again.
    pub fn open(url: &str, readers: usize, wal_limit_bytes: i64) -> Result<Self, StoreError> {
        let path = path_of(url)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Corrupt(format!("creating {}: {e}", dir.display())))?;
        }
        let writer = Connection::open(&path)?;
        configure(&writer, false)?;
        // SQLite rewinds the WAL once every frame is copied back, but keeps the file at its
        // high-water mark. That is what lets commits overwrite the file instead of appending to
        // it (an append also makes each fsync update the file's size: the approvals benchmark ran
        // ~11 % slower on a WAL cut back to 64 MiB than on one a burst had grown). But after a
        // bulk job (an import, a benchmark's load) the mark is gigabytes of disk holding nothing;
        // with the limit the first commit after a rewind cuts the file back.
        writer.pragma_update(None, "journal_size_limit", wal_limit_bytes)?;
        let checkpointer = Checkpointer::start(path.clone())?;
        let signer = SignerSlot::default();
        Ok(Self {
            path: path.clone(),
            writer: Arc::new(tokio::sync::Mutex::new(Writer {
                conn: writer,
                batch: None,
                batches: 0,
                signer: signer.clone(),
            })),
            queued: Arc::new(AtomicUsize::new(0)),
            readers: Arc::new(ReaderPool {
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(readers.max(1))),
                path,
            }),
            signer,
            _checkpointer: checkpointer,
        })
    }

    /// Installs the checkpoint signer: from then on a command that appends to a log leaves the
    /// signing to the batch commit (see [`SqliteTx::defer_checkpoint`]), which signs each grown
    /// log once, over its final head, inside the same transaction. Returns `false` if one was
    /// installed already.
    pub fn set_checkpoint_signer(&self, signer: Arc<CheckpointSigner>) -> bool {
        self.signer.set(signer).is_ok()
    }

    /// The database file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Waits for the writer and starts a command's transaction: a savepoint in the open batch, or
    /// a new batch. `BEGIN IMMEDIATE` takes SQLite's write lock up front, so a transaction never
    /// fails half-way for want of it.
    pub async fn begin(&self) -> Result<SqliteTx, StoreError> {
        let mut w = {
            let _queued = Queued::new(&self.queued);
            self.writer.clone().lock_owned().await
        };
        if w.batch.is_none() {
            w.conn.execute_batch("BEGIN IMMEDIATE")?;
            w.batches += 1;
            w.batch = Some(Batch {
                id: w.batches,
                commands: 0,
                waiters: Vec::new(),
                unsigned: std::collections::BTreeSet::new(),
            });
        }
        if let Err(e) = w.conn.execute_batch("SAVEPOINT command") {
            let _ = w.finish_batch();
            return Err(e.into());
        }
        Ok(SqliteTx {
            w: Some(w),
            open: true,
            queued: self.queued.clone(),
            writer: self.writer.clone(),
        })
    }

    /// Runs `f` on the writer outside any transaction (migrations manage their own).
    pub async fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut w = self.writer.clone().lock_owned().await;
        w.finish_batch()?;
        f(&mut w.conn)
    }

    /// A read-only connection from the pool (opened on first use).
    pub async fn reader(&self) -> Result<PooledReader, StoreError> {
        let permit = self
            .readers
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Corrupt("the reader pool is closed".into()))?;
        self.reader_with(permit)
    }

    /// A read-only connection if one is free right now (for work that can also run on fewer).
    pub fn try_reader(&self) -> Result<Option<PooledReader>, StoreError> {
        match self.readers.permits.clone().try_acquire_owned() {
            Ok(permit) => self.reader_with(permit).map(Some),
            Err(_) => Ok(None),
        }
    }

    fn reader_with(&self, permit: OwnedSemaphorePermit) -> Result<PooledReader, StoreError> {
        let idle = self
            .readers
            .idle
            .lock()
            .map_err(|_| StoreError::Corrupt("the reader pool is poisoned".into()))?
            .pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.readers.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX
                        | OpenFlags::SQLITE_OPEN_URI,
                )?;
                configure(&c, true)?;
                c
            }
        };
        Ok(PooledReader {
            conn: Some(conn),
            pool: self.readers.clone(),
            _permit: permit,
        })
    }

    /// Closes the pool's idle readers and checkpoints the WAL into the database file.
    pub async fn close(&self) {
        if let Ok(mut idle) = self.readers.idle.lock() {
            idle.clear();
        }
        self.readers.permits.close();
        let mut w = self.writer.lock().await;
        if let Err(e) = w.finish_batch() {
            tracing::error!("committing the last batch on close: {e}");
        }
        if let Err(e) = w.conn.pragma_update(None, "wal_checkpoint", "TRUNCATE") {
            tracing::warn!("checkpointing the WAL on close: {e}");
        }
    }
}

/// One command's transaction on the writer. Dropping it without [`SqliteTx::commit`] rolls the
/// command back (and only the command).
#[derive(Debug)]
pub struct SqliteTx {
    /// The writer; taken out only by `commit`, to wait for the disk off the async thread.
    w: Option<OwnedMutexGuard<Writer>>,
    open: bool,
    queued: Arc<AtomicUsize>,
    writer: Arc<tokio::sync::Mutex<Writer>>,
}

impl SqliteTx {
    fn w(&mut self) -> &mut Writer {
        self.w.as_mut().expect("the writer is held until commit")
    }

    /// The connection.
    pub fn conn(&mut self) -> &mut Connection {
        &mut self.w().conn
    }

    /// Leaves signing the complex's checkpoint to the batch commit, if a signer is installed
    /// (returns whether it is). Ed25519 signing is a good part of a command's time on the writer;
    /// a batch of many commands to one complex then signs once.
    pub fn defer_checkpoint(&mut self, complex_id: &str) -> bool {
        let w = self.w();
        if w.signer.get().is_none() {
            return false;
        }
        match w.batch.as_mut() {
            Some(b) => {
                if !b.unsigned.contains(complex_id) {
                    b.unsigned.insert(complex_id.to_owned());
                }
                true
            }
            None => false,
        }
    }

    /// Commits the command and returns once it is durable: at once if no other command is waiting
    /// for the writer, else when the last of the waiting commands commits the whole batch.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.open = false;
        if let Err(e) = self.w().conn.execute_batch("RELEASE command") {
            self.rollback_command();
            return Err(e.into());
        }
        STATS.commands.fetch_add(1, Ordering::Relaxed);
        let queued = self.queued.load(Ordering::SeqCst);
        let batch = self
            .w()
            .batch
            .as_mut()
            .expect("a command runs inside a batch");
        batch.commands += 1;
        if queued == 0 || batch.commands >= MAX_BATCH {
            // The fsync takes milliseconds on some disks: wait for it on a blocking thread, still
            // holding the writer, so commands arriving meanwhile queue up and form the next batch.
            let mut w = self.w.take().expect("the writer is held until commit");
            return tokio::task::spawn_blocking(move || w.finish_batch())
                .await
                .map_err(|e| StoreError::Corrupt(format!("the commit thread failed: {e}")))?;
        }
        let (tx, mut rx) = oneshot::channel();
        batch.waiters.push(tx);
        let id = batch.id;
        let writer = self.writer.clone();
        // Hand the writer to the next command; it (or a later one) commits for us.
        drop(self);
        let outcome = match tokio::time::timeout(DEFERRED_COMMIT_WAIT, &mut rx).await {
            Ok(outcome) => outcome,
            Err(_) => {
                let mut w = writer.lock().await;
                if w.batch.as_ref().is_some_and(|b| b.id == id) {
                    // Our own waiter hears the outcome through `rx` like everyone else's.
                    let _ = w.finish_batch();
                }
                drop(w);
                rx.await
            }
        };
        outcome
            .map_err(|_| StoreError::Corrupt("the writer dropped a deferred commit".into()))?
            .map_err(|e| StoreError::Corrupt(format!("group commit failed: {e}")))
    }

    fn rollback_command(&mut self) {
        let w = self.w();
        if let Err(e) = w.conn.execute_batch("ROLLBACK TO command; RELEASE command") {
            tracing::error!("rolling back a command: {e}");
            // The savepoint is in an unknown state: give up the whole batch rather than commit it.
            if let Some(batch) = w.batch.take() {
                let _ = w.conn.execute_batch("ROLLBACK");
                for waiter in batch.waiters {
                    let _ = waiter.send(Err(format!("rolled back with a failed command: {e}")));
                }
            }
        }
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if !self.open || self.w.is_none() {
            return;
        }
        self.rollback_command();
        // Commands deferred to us must not wait for one that never comes, and an empty batch
        // must not keep SQLite's write lock from other processes.
        let queued = self.queued.load(Ordering::SeqCst);
        let w = self.w();
        let empty = w.batch.as_ref().is_none_or(|b| b.commands == 0);
        if (empty || queued == 0)
            && let Err(e) = w.finish_batch()
        {
            tracing::error!("committing a batch after a rolled-back command: {e}");
        }
    }
}

/// A read connection that goes back to the pool when dropped.
#[derive(Debug)]
pub struct PooledReader {
    conn: Option<Connection>,
    pool: Arc<ReaderPool>,
    _permit: OwnedSemaphorePermit,
}

impl PooledReader {
    /// The connection.
    pub fn conn(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("present until dropped")
    }
}

impl Drop for PooledReader {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && conn.is_autocommit()
            && let Ok(mut idle) = self.pool.idle.lock()
        {
            idle.push(conn);
        }
    }
}

/// The store's portable SQL uses PostgreSQL's `$1` placeholders; SQLite reads `$1` as a *named*
/// parameter numbered by first appearance, so `$2 … $1` would bind the wrong values. `?1` is
/// SQLite's numbered form with the same meaning as `$1`.
pub fn portable_to_sqlite(sql: &str) -> Cow<'_, str> {
    let is_placeholder = |w: &[u8]| w[0] == b'$' && w[1].is_ascii_digit();
    let Some(first) = sql.as_bytes().windows(2).position(is_placeholder) else {
        return Cow::Borrowed(sql);
    };
    let mut out = sql.as_bytes().to_vec();
    for i in first..out.len() - 1 {
        if is_placeholder(&out[i..i + 2]) {
            out[i] = b'?';
        }
    }
    // One ASCII byte replaced by another keeps the text valid UTF-8.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| sql.to_owned()))
}

/// A row type the store reads from SQLite (sqlx's `FromRow` does the same for PostgreSQL).
pub trait SqliteRow: Sized {
    /// Decodes one row.
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

macro_rules! tuple_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromSql),+> SqliteRow for ($($t,)+) {
            fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(($(row.get::<_, $t>($i)?,)+))
            }
        }
    };
}
tuple_row!(A 0);
tuple_row!(A 0, B 1);
tuple_row!(A 0, B 1, C 2);
tuple_row!(A 0, B 1, C 2, D 3);

/// Executes one statement; returns the rows changed.
pub fn execute(conn: &Connection, sql: &str, params: impl Params) -> Result<u64, StoreError> {
    let mut st = conn.prepare_cached(&portable_to_sqlite(sql))?;
    Ok(st.execute(params)? as u64)
}

/// All rows.
pub fn fetch_all<T: SqliteRow>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<T>, StoreError> {
    let mut st = conn.prepare_cached(&portable_to_sqlite(sql))?;
    let rows = st.query_map(params, |r| T::from_sqlite(r))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The first row, if any.
pub fn fetch_optional<T: SqliteRow>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Option<T>, StoreError> {
    let mut st = conn.prepare_cached(&portable_to_sqlite(sql))?;
    Ok(st.query_row(params, |r| T::from_sqlite(r)).optional()?)
}

/// Exactly one row (none is an error, as with sqlx's `fetch_one`).
pub fn fetch_one<T: SqliteRow>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<T, StoreError> {
    let mut st = conn.prepare_cached(&portable_to_sqlite(sql))?;
    Ok(st.query_row(params, |r| T::from_sqlite(r))?)
}

/// Single-column queries.
pub mod scalar {
    use super::*;

    /// Every row's first column.
    pub fn fetch_all<T: FromSql>(
        conn: &Connection,
        sql: &str,
        params: impl Params,
    ) -> Result<Vec<T>, StoreError> {
        let mut st = conn.prepare_cached(&portable_to_sqlite(sql))?;
        let rows = st.query_map(params, |r| r.get::<_, T>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The first row's first column, if any.
    pub fn fetch_optional<T: FromSql>(
        conn: &Connection,
        sql: &str,
        params: impl Params,
    ) -> Result<Option<T>, StoreError> {
        let mut st = conn.prepare_cached(&portable_to_sqlite(sql))?;
        Ok(st.query_row(params, |r| r.get::<_, T>(0)).optional()?)
    }

    /// The first row's first column.
    pub fn fetch_one<T: FromSql>(
        conn: &Connection,
        sql: &str,
        params: impl Params,
    ) -> Result<T, StoreError> {
        let mut st = conn.prepare_cached(&portable_to_sqlite(sql))?;
        Ok(st.query_row(params, |r| r.get::<_, T>(0))?)
    }
}

/// Embedded SQLite migrations, in order: `(version, file name, SQL)`.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_init.sql",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "0002_document_tabs.sql",
        include_str!("../migrations/sqlite/0002_document_tabs.sql"),
    ),
    (
        3,
        "0003_ledger_images.sql",
        include_str!("../migrations/sqlite/0003_ledger_images.sql"),
    ),
    (
        4,
        "0004_extraction.sql",
        include_str!("../migrations/sqlite/0004_extraction.sql"),
    ),
    (
        5,
        "0005_digitised_records.sql",
        include_str!("../migrations/sqlite/0005_digitised_records.sql"),
    ),
    (
        6,
        "0006_line_members_covering.sql",
        include_str!("../migrations/sqlite/0006_line_members_covering.sql"),
    ),
];

/// Applies the migrations not yet applied, each in its own transaction, refusing to run on a
/// database whose applied migration differs from the embedded file.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             sha256 TEXT NOT NULL,
             applied_at INTEGER NOT NULL
         )",
    )?;
    for (version, name, sql) in MIGRATIONS {
        let digest = malgeun_domain::content::Sha256Hash::of(sql.as_bytes()).to_hex();
        let applied: Option<String> = conn
            .query_row(
                "SELECT sha256 FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()?;
        match applied {
            Some(h) if h == digest => continue,
            Some(_) => {
                return Err(StoreError::Migrate(format!(
                    "migration {name} was applied from a different file"
                )));
            }
            None => {}
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Migrate(format!("{name}: {e}")))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        tx.execute(
            "INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![version, name, digest, now],
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered() {
        assert_eq!(
            portable_to_sqlite("SELECT a FROM t WHERE b = $2 AND c = $1 OR d = $10"),
            "SELECT a FROM t WHERE b = ?2 AND c = ?1 OR d = ?10"
        );
        assert!(matches!(
            portable_to_sqlite("SELECT 1 WHERE x = '$'"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn numbered_placeholders_bind_by_number_not_by_order() {
        let conn = Connection::open_in_memory().unwrap();
        let got: (String, String) =
            fetch_one(&conn, "SELECT $2, $1", rusqlite::params!["one", "two"]).unwrap();
        assert_eq!(got, ("two".to_owned(), "one".to_owned()));
    }

    /// The writer's speed relies on the bundled SQLite's build options (`.cargo/config.toml`): a
    /// `LIBSQLITE3_FLAGS` in the environment replaces them.
    #[test]
    fn sqlite_is_built_with_the_project_options() {
        let conn = Connection::open_in_memory().unwrap();
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
        assert!(
            options.iter().any(|o| o == "STMTJRNL_SPILL=1048576"),
            "{options:?}"
        );
    }

    #[test]
    fn url_paths() {
        assert_eq!(
            path_of("sqlite:///tmp/a.db?mode=rwc").unwrap(),
            PathBuf::from("/tmp/a.db")
        );
        assert_eq!(
            path_of("sqlite://data/m.db").unwrap(),
            PathBuf::from("data/m.db")
        );
        assert!(path_of("sqlite::memory:").is_err());
        assert!(path_of("postgres://x").is_err());
    }
}
