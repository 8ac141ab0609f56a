//! The search outbox: which documents changed, numbered per complex, written in the transaction
//! of the change so the search index (derived data) can catch up with nothing lost. See the
//! migration `0003_search_outbox.sql` for why the numbers are gap-free in commit order.

use crate::db::{Conn, Tx};
use crate::error::StoreError;

/// Records that a document changed: takes the complex's next outbox number and writes the row.
/// The caller holds the complex's ledger head lock (every write transaction takes it first), so
/// the numbers of one complex commit in order.
pub async fn enqueue(
    tx: &mut Tx,
    complex_id: &str,
    document_id: &str,
    at: i64,
) -> Result<i64, StoreError> {
    let seq = fetch_scalar!(
        tx.conn(),
        i64,
        fetch_one,
        "INSERT INTO search_outbox_heads (complex_id, last_seq) VALUES ($1, 1) \
         ON CONFLICT (complex_id) DO UPDATE SET last_seq = search_outbox_heads.last_seq + 1 \
         RETURNING last_seq",
        complex_id
    )?;
    exec!(
        tx.conn(),
        "INSERT INTO search_outbox (complex_id, seq, document_id, created_at) VALUES ($1, $2, $3, $4)",
        complex_id,
        seq,
        document_id,
        at
    )?;
    Ok(seq)
}

/// The last outbox number of every complex that has one.
pub async fn heads(conn: Conn<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    fetch_as!(
        conn,
        (String, i64),
        fetch_all,
        "SELECT complex_id, last_seq FROM search_outbox_heads ORDER BY complex_id"
    )
}

/// The last outbox number of one complex (0 when it has none).
pub async fn head(conn: Conn<'_>, complex_id: &str) -> Result<i64, StoreError> {
    Ok(fetch_scalar!(
        conn,
        i64,
        fetch_optional,
        "SELECT last_seq FROM search_outbox_heads WHERE complex_id = $1",
        complex_id
    )?
    .unwrap_or(0))
}

/// Outbox rows of a complex after `seq`, in order, at most `limit`: `(seq, document id)`.
pub async fn after(
    conn: Conn<'_>,
    complex_id: &str,
    seq: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    fetch_as!(
        conn,
        (i64, String),
        fetch_all,
        "SELECT seq, document_id FROM search_outbox WHERE complex_id = $1 AND seq > $2 \
         ORDER BY seq LIMIT $3",
        complex_id,
        seq,
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
        "SELECT position_id FROM document_line_members WHERE complex_id = $1 AND document_id = $2 \
         ORDER BY position_id",
        complex_id,
        document_id
    )
}
