//! Ledger persistence: entries (leaves with their payloads), the complete nodes of level ≥ 1 as
//! they are finished, and one head row per complex holding the frontier and the latest signed
//! checkpoint. Locking the head row is how every write to a complex is serialised.

use std::collections::HashMap;

use futures::TryStreamExt;
use malgeun_ledger::{Frontier, Hash, NodeId, leaf_hash};
use sqlx::Row as _;

use crate::db::{Conn, Tx};
use crate::error::StoreError;

/// The head of one complex's log as of the current transaction.
#[derive(Clone, Debug)]
pub struct Head {
    /// The compact range over all leaves so far.
    pub frontier: Frontier,
    /// The latest signed checkpoint note (empty before the first entry).
    pub checkpoint: String,
}

impl Head {
    /// Number of entries.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }
}

/// An entry to append.
#[derive(Clone, Copy, Debug)]
pub struct NewEntry<'a> {
    /// Event name, e.g. `document.approve` (an indexed copy of what the payload says).
    pub event: &'a str,
    /// The document or other object the event is about, for per-object history.
    pub subject: Option<&'a str>,
    /// When, in microseconds.
    pub at: i64,
    /// The canonical payload: the leaf is `SHA-256(0x00 || payload)`.
    pub payload: &'a str,
    /// The row images the payload names by hash (a JSON array in the payload's row order),
    /// stored beside the entry; `None` for formats that carry them inside the payload.
    pub images: Option<&'a str>,
}

db_row! {
    /// A stored entry.
    #[derive(Clone, Debug)]
    pub struct Entry {
        /// Leaf index.
        pub idx: i64,
        /// Event name.
        pub event: String,
        /// Subject id.
        pub subject: Option<String>,
        /// When, in microseconds.
        pub at: i64,
        /// Canonical payload.
        pub payload: String,
        /// Stored leaf hash (32 bytes).
        pub leaf_hash: Vec<u8>,
        /// The row images stored beside the entry (payload version 2 on), unchecked.
        pub images: Option<String>,
    }
}

/// The columns of [`Entry`], for `ledger_entries e LEFT JOIN ledger_images i`.
macro_rules! entry_select {
    ($($rest:literal),*) => {
        concat!(
            "SELECT e.idx, e.event, e.subject, e.at, e.payload, e.leaf_hash, i.images \
             FROM ledger_entries e LEFT JOIN ledger_images i \
             ON i.complex_id = e.complex_id AND i.idx = e.idx ",
            $($rest),*
        )
    };
}

fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{n} does not fit a BIGINT")))
}

/// Creates the empty head of a new complex's log.
pub async fn create_head(tx: &mut Tx, complex_id: &str) -> Result<(), StoreError> {
    exec!(
        tx.conn(),
        "INSERT INTO ledger_heads (complex_id, size, frontier, checkpoint) VALUES ($1, 0, $2, '')",
        complex_id,
        Frontier::new().to_bytes()
    )?;
    Ok(())
}

/// Locks the complex's head for the rest of the transaction and reads it. Every write transaction
/// of a complex starts here, so writes to one complex are serialised on every engine and nothing
/// can deadlock on lock order.
pub async fn lock_head(tx: &mut Tx, complex_id: &str) -> Result<Option<Head>, StoreError> {
    // SQLite's one writer already serialises every write transaction: a plain read suffices, and
    // the no-op update PostgreSQL needs for its row lock would dirty the page (and copy it into
    // the command's savepoint journal) for nothing.
    let sql = match tx.conn() {
        Conn::Sqlite(_) => "SELECT frontier, checkpoint FROM ledger_heads WHERE complex_id = $1",
        Conn::Pg(_) => {
            "UPDATE ledger_heads SET size = size WHERE complex_id = $1 RETURNING frontier, checkpoint"
        }
    };
    let row: Option<(Vec<u8>, String)> = fetch_as!(
        tx.conn(),
        (Vec<u8>, String),
        fetch_optional,
        sql,
        complex_id
    )?;
    row.map(|(frontier, checkpoint)| {
        Ok(Head {
            frontier: Frontier::from_bytes(&frontier)
                .map_err(|e| StoreError::Corrupt(format!("ledger frontier: {e}")))?,
            checkpoint,
        })
    })
    .transpose()
}

/// Reads the head without locking (for serving checkpoints and proofs).
pub async fn read_head(conn: Conn<'_>, complex_id: &str) -> Result<Option<Head>, StoreError> {
    let row: Option<(Vec<u8>, String)> = fetch_as!(
        conn,
        (Vec<u8>, String),
        fetch_optional,
        "SELECT frontier, checkpoint FROM ledger_heads WHERE complex_id = $1",
        complex_id
    )?;
    row.map(|(frontier, checkpoint)| {
        Ok(Head {
            frontier: Frontier::from_bytes(&frontier)
                .map_err(|e| StoreError::Corrupt(format!("ledger frontier: {e}")))?,
            checkpoint,
        })
    })
    .transpose()
}

/// Appends an entry at index `head.size()`, storing the nodes it completes; returns the index.
pub async fn append(
    tx: &mut Tx,
    complex_id: &str,
    head: &mut Head,
    entry: NewEntry<'_>,
) -> Result<u64, StoreError> {
    let idx = head.size();
    let leaf = leaf_hash(entry.payload.as_bytes());
    exec!(
        tx.conn(),
        "INSERT INTO ledger_entries (complex_id, idx, leaf_hash, event, subject, at, payload) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        complex_id,
        to_i64(idx)?,
        leaf.0.to_vec(),
        entry.event,
        entry.subject,
        entry.at,
        entry.payload
    )?;
    if let Some(images) = entry.images {
        exec!(
            tx.conn(),
            "INSERT INTO ledger_images (complex_id, idx, images) VALUES ($1, $2, $3)",
            complex_id,
            to_i64(idx)?,
            images
        )?;
    }
    for (node, hash) in head.frontier.append(leaf) {
        exec!(
            tx.conn(),
            "INSERT INTO ledger_nodes (complex_id, level, idx, hash) VALUES ($1, $2, $3, $4)",
            complex_id,
            i64::from(node.level),
            to_i64(node.index)?,
            hash.0.to_vec()
        )?;
    }
    Ok(idx)
}

/// Stores the head after appends, with the checkpoint signed over its new size and root.
pub async fn save_head(tx: &mut Tx, complex_id: &str, head: &Head) -> Result<(), StoreError> {
    exec!(
        tx.conn(),
        "UPDATE ledger_heads SET size = $2, frontier = $3, checkpoint = $4 WHERE complex_id = $1",
        complex_id,
        to_i64(head.size())?,
        head.frontier.to_bytes(),
        head.checkpoint.as_str()
    )?;
    Ok(())
}

/// Fetches stored complete nodes (level 0 from the entries' leaf hashes).
pub async fn fetch_nodes(
    mut conn: Conn<'_>,
    complex_id: &str,
    ids: &[NodeId],
) -> Result<HashMap<NodeId, Hash>, StoreError> {
    let mut out = HashMap::with_capacity(ids.len());
    for id in ids {
        let index = to_i64(id.index)?;
        let bytes: Option<Vec<u8>> = if id.level == 0 {
            fetch_scalar!(
                conn.reborrow(),
                Vec<u8>,
                fetch_optional,
                "SELECT leaf_hash FROM ledger_entries WHERE complex_id = $1 AND idx = $2",
                complex_id,
                index
            )?
        } else {
            fetch_scalar!(
                conn.reborrow(),
                Vec<u8>,
                fetch_optional,
                "SELECT hash FROM ledger_nodes WHERE complex_id = $1 AND level = $2 AND idx = $3",
                complex_id,
                i64::from(id.level),
                index
            )?
        };
        let bytes = bytes.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "ledger node level {} index {} missing",
                id.level, id.index
            ))
        })?;
        let hash = Hash::from_slice(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("ledger node hash: {e}")))?;
        out.insert(*id, hash);
    }
    Ok(out)
}

/// One entry by index.
pub async fn entry(
    conn: Conn<'_>,
    complex_id: &str,
    idx: u64,
) -> Result<Option<Entry>, StoreError> {
    fetch_as!(
        conn,
        Entry,
        fetch_optional,
        entry_select!("WHERE e.complex_id = $1 AND e.idx = $2"),
        complex_id,
        to_i64(idx)?
    )
}

/// The entries about one subject, oldest first (a document's history).
pub async fn entries_for_subject(
    conn: Conn<'_>,
    complex_id: &str,
    subject: &str,
) -> Result<Vec<Entry>, StoreError> {
    fetch_as!(
        conn,
        Entry,
        fetch_all,
        entry_select!("WHERE e.complex_id = $1 AND e.subject = $2 ORDER BY e.idx"),
        complex_id,
        subject
    )
}

/// A page of entries by index range, oldest first.
pub async fn entries_range(
    conn: Conn<'_>,
    complex_id: &str,
    from: u64,
    limit: u32,
) -> Result<Vec<Entry>, StoreError> {
    fetch_as!(
        conn,
        Entry,
        fetch_all,
        entry_select!("WHERE e.complex_id = $1 AND e.idx >= $2 ORDER BY e.idx LIMIT $3"),
        complex_id,
        to_i64(from)?,
        i64::from(limit)
    )
}

/// One entry as a scan meets it.
#[derive(Clone, Copy, Debug)]
pub struct Scanned<'a> {
    /// Leaf index.
    pub idx: i64,
    /// The stored leaf hash.
    pub leaf_hash: &'a [u8],
    /// The canonical payload's bytes (UTF-8 unchecked here: whoever parses them checks).
    pub payload: &'a [u8],
    /// The row images stored beside it, when the scan asked for them and there are any.
    pub images: Option<&'a str>,
}

/// Which of a complex's entries a scan reads, and in what order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryRange {
    /// The entries whose index lies in the range, in index order (through the primary key).
    Index(std::ops::RangeInclusive<i64>),
    /// SQLite only: the entries stored under a rowid in the range, in storage order, read off
    /// the table itself. That is index order unless rows were deleted and put back behind the
    /// service's back, so whoever reads it must not rely on the order.
    Stored(std::ops::RangeInclusive<i64>),
}

/// Where to split a complex's entries for reading in storage order ([`EntryRange::Stored`]): the
/// rowid of the entry at `middle`, when the database is SQLite and the complex's `size` entries
/// make up at least half of the table (a scan of rowids reads every complex's entries in the
/// range, so it pays off only for the one or few complexes an embedded database holds).
/// `None` means: read through the index.
pub async fn stored_split(
    conn: Conn<'_>,
    complex_id: &str,
    size: u64,
    middle: u64,
) -> Result<Option<i64>, StoreError> {
    let Conn::Sqlite(c) = conn else {
        return Ok(None);
    };
    // The largest rowid bounds the row count and costs one descent.
    let max: Option<i64> =
        c.query_row("SELECT max(rowid) FROM ledger_entries", [], |r| r.get(0))?;
    let rows = max.unwrap_or(0).max(0).unsigned_abs();
    if size.saturating_mul(2) < rows {
        return Ok(None);
    }
    use rusqlite::OptionalExtension as _;
    let mid = c
        .prepare_cached("SELECT rowid FROM ledger_entries WHERE complex_id = ?1 AND idx = ?2")?
        .query_row(rusqlite::params![complex_id, to_i64(middle)?], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?;
    Ok(mid)
}

/// Streams the entries of a complex in `range` ([`EntryRange`]); `with_images` also reads the
/// row images stored beside each entry.
pub async fn scan_entries_in<F>(
    conn: Conn<'_>,
    complex_id: &str,
    range: EntryRange,
    with_images: bool,
    mut each: F,
) -> Result<(), StoreError>
where
    F: FnMut(Scanned<'_>),
{
    let stored = matches!(range, EntryRange::Stored(_));
    let (table, by, (from, to)) = match range {
        EntryRange::Index(r) => ("ledger_entries e", "e.idx", r.into_inner()),
        // NOT INDEXED: SQLite would otherwise walk the primary-key index and seek the table once
        // per entry (a b-tree descent each, most of the read's cost on a million entries).
        EntryRange::Stored(r) => ("ledger_entries e NOT INDEXED", "e.rowid", r.into_inner()),
    };
    let (images, join) = if with_images {
        (
            "i.images",
            " LEFT JOIN ledger_images i ON i.complex_id = e.complex_id AND i.idx = e.idx",
        )
    } else {
        ("CAST(NULL AS TEXT)", "")
    };
    let sql = format!(
        "SELECT e.idx, e.leaf_hash, e.payload, {images} FROM {table}{join} \
         WHERE e.complex_id = $1 AND {by} >= $2 AND {by} <= $3 ORDER BY {by}"
    );
    match conn {
        Conn::Sqlite(c) => {
            let mut st = c.prepare_cached(&crate::sqlite::portable_to_sqlite(&sql))?;
            let mut rows = st.query(rusqlite::params![complex_id, from, to])?;
            while let Some(r) = rows.next()? {
                let corrupt = |e: rusqlite::types::FromSqlError| {
                    StoreError::Corrupt(format!("ledger entry column: {e}"))
                };
                each(Scanned {
                    idx: r.get(0)?,
                    leaf_hash: r.get_ref(1)?.as_blob().map_err(corrupt)?,
                    payload: r.get_ref(2)?.as_bytes().map_err(corrupt)?,
                    images: r.get_ref(3)?.as_str_or_null().map_err(corrupt)?,
                });
            }
        }
        Conn::Pg(c) => {
            if stored {
                return Err(StoreError::Corrupt(
                    "a scan of the ledger in storage order needs SQLite (a bug)".into(),
                ));
            }
            let mut rows = sqlx::query(&sql)
                .bind(complex_id)
                .bind(from)
                .bind(to)
                .fetch(&mut *c);
            while let Some(r) = rows.try_next().await? {
                each(Scanned {
                    idx: r.try_get(0)?,
                    leaf_hash: r.try_get::<&[u8], _>(1)?,
                    payload: r.try_get::<&str, _>(2)?.as_bytes(),
                    images: r.try_get::<Option<&str>, _>(3)?,
                });
            }
        }
    }
    Ok(())
}

/// Ids of all complexes that have a log.
pub async fn complexes_with_logs(conn: Conn<'_>) -> Result<Vec<String>, StoreError> {
    fetch_scalar!(
        conn,
        String,
        fetch_all,
        "SELECT complex_id FROM ledger_heads ORDER BY complex_id"
    )
}
