//! What the search index is fed from. The ledger is the outbox: every change of a document
//! appends a `document.*` entry naming it (`subject`) in the transaction of the change, and a
//! complex's entries are numbered 0, 1, 2 … in commit order (the number is taken under the
//! complex's head lock). An index remembers, per complex, how many entries it has read (the next
//! index to read) and catches up from there; nothing extra is written with a change.

use crate::db::Conn;
use crate::error::StoreError;

/// Every complex with a log, with its number of entries (the position a caught-up index holds).
pub async fn heads(conn: Conn<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    fetch_as!(
        conn,
        (String, i64),
        fetch_all,
        "SELECT complex_id, size FROM ledger_heads ORDER BY complex_id"
    )
}

/// The number of entries of one complex's log (0 when it has none).
pub async fn head(conn: Conn<'_>, complex_id: &str) -> Result<i64, StoreError> {
    Ok(fetch_scalar!(
        conn,
        i64,
        fetch_optional,
        "SELECT size FROM ledger_heads WHERE complex_id = $1",
        complex_id
    )?
    .unwrap_or(0))
}

/// The documents changed by a complex's entries from index `from` on, in log order, at most
/// `limit`: `(position after the entry, document id)`.
pub async fn after(
    conn: Conn<'_>,
    complex_id: &str,
    from: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    fetch_as!(
        conn,
        (i64, String),
        fetch_all,
        "SELECT idx + 1, subject FROM ledger_entries WHERE complex_id = $1 AND idx >= $2 \
         AND event LIKE 'document.%' AND subject IS NOT NULL ORDER BY idx LIMIT $3",
        complex_id,
        from,
        limit
    )
}

/// Document keys `(complex, id)` after `after` in key order, at most `limit` (a rebuild walks
/// every document this way).
pub async fn document_keys(
    conn: Conn<'_>,
    after: (&str, &str),
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    fetch_as!(
        conn,
        (String, String),
        fetch_all,
        "SELECT complex_id, id FROM documents WHERE complex_id > $1 OR (complex_id = $1 AND id > $2) \
         ORDER BY complex_id, id LIMIT $3",
        after.0,
        after.1,
        limit
    )
}

/// The query of [`line_positions`] (public so a test can check that it reads one index range,
/// not the complex's whole primary key: see migration 0006).
pub const LINE_POSITIONS_SQL: &str = "SELECT position_id FROM document_line_members \
     WHERE complex_id = $1 AND document_id = $2 ORDER BY position_id";

/// The positions on any round's line of a document.
pub async fn line_positions(
    conn: Conn<'_>,
    complex_id: &str,
    document_id: &str,
) -> Result<Vec<String>, StoreError> {
    fetch_scalar!(
        conn,
        String,
        fetch_all,
        LINE_POSITIONS_SQL,
        complex_id,
        document_id
    )
}
