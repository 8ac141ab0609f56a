//! Extraction jobs (첨부파일 본문 추출): one per distinct file of a complex, queued in the
//! transaction that attaches it and taken by a worker under a lease. Claiming is a conditional
//! update, so two server processes on one PostgreSQL never both run a job, and a lease that
//! expires (its process crashed) lets another worker take the job again. Not ledgered; the text
//! a job produces is (`attachment_texts`).

use crate::db::{Conn, Tx};
use crate::error::StoreError;

/// Job states.
pub mod state {
    /// Waiting for a worker.
    pub const QUEUED: &str = "queued";
    /// Held by a worker until its lease ends.
    pub const RUNNING: &str = "running";
    /// Text stored.
    pub const DONE: &str = "done";
    /// Refused or failed, with a reason.
    pub const FAILED: &str = "failed";
}

db_row! {
    /// A job as the pages show it.
    #[derive(Clone, Debug)]
    pub struct JobRow {
        /// The file's SHA-256 (hex).
        pub sha256: String,
        /// `queued`, `running`, `done` or `failed`.
        pub state: String,
        /// How many times it was started.
        pub attempts: i64,
        /// Stable reason code of a failure.
        pub reason_code: Option<String>,
        /// Korean reason of a failure.
        pub reason: Option<String>,
    }
}

db_row! {
    /// A job a worker has claimed.
    #[derive(Clone, Debug)]
    pub struct Claimed {
        /// Complex id.
        pub complex_id: String,
        /// The file's SHA-256 (hex).
        pub sha256: String,
        /// Starts so far, this one included.
        pub attempts: i64,
    }
}

/// Queues a file of a complex for extraction unless it already has a job (inside the
/// transaction that attaches it).
pub async fn enqueue(
    tx: &mut Tx,
    complex_id: &str,
    sha256: &str,
    now: i64,
) -> Result<(), StoreError> {
    exec!(
        tx.conn(),
        "INSERT INTO extraction_jobs (complex_id, sha256, state, attempts, created_at, updated_at) \
         VALUES ($1, $2, 'queued', 0, $3, $3) ON CONFLICT (complex_id, sha256) DO NOTHING",
        complex_id,
        sha256,
        now
    )?;
    Ok(())
}

/// Claims the oldest job that is queued or whose lease has expired, for `owner` until
/// `lease_until`; `None` when there is none. The update re-checks the condition, so of two
/// workers that picked the same job only one gets it (the other tries the next).
pub async fn claim(
    tx: &mut Tx,
    owner: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<Claimed>, StoreError> {
    for _ in 0..8 {
        let candidate = fetch_as!(
            tx.conn(),
            (String, String),
            fetch_optional,
            "SELECT complex_id, sha256 FROM extraction_jobs \
             WHERE state = 'queued' OR (state = 'running' AND lease_until < $1) \
             ORDER BY created_at, complex_id, sha256 LIMIT 1",
            now
        )?;
        let Some((complex_id, sha256)) = candidate else {
            return Ok(None);
        };
        let taken = exec!(
            tx.conn(),
            "UPDATE extraction_jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, \
             lease_until = $2, updated_at = $3 WHERE complex_id = $4 AND sha256 = $5 \
             AND (state = 'queued' OR (state = 'running' AND lease_until < $3))",
            owner,
            lease_until,
            now,
            complex_id.as_str(),
            sha256.as_str()
        )?;
        if taken == 1 {
            let attempts = fetch_scalar!(
                tx.conn(),
                i64,
                fetch_one,
                "SELECT attempts FROM extraction_jobs WHERE complex_id = $1 AND sha256 = $2",
                complex_id.as_str(),
                sha256.as_str()
            )?;
            return Ok(Some(Claimed {
                complex_id,
                sha256,
                attempts,
            }));
        }
    }
    Ok(None)
}

/// Ends a job this owner still holds: `done`, or `failed` with a reason. Returns whether it was
/// still held (a job whose lease expired and was taken over is left to its new owner).
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    tx: &mut Tx,
    complex_id: &str,
    sha256: &str,
    owner: &str,
    state: &str,
    reason: Option<(&str, &str)>,
    now: i64,
) -> Result<bool, StoreError> {
    let (code, text) = reason.unzip();
    let n = exec!(
        tx.conn(),
        "UPDATE extraction_jobs SET state = $1, reason_code = $2, reason = $3, lease_owner = NULL, \
         lease_until = NULL, updated_at = $4 \
         WHERE complex_id = $5 AND sha256 = $6 AND state = 'running' AND lease_owner = $7",
        state,
        code,
        text,
        now,
        complex_id,
        sha256,
        owner
    )?;
    Ok(n == 1)
}

/// The jobs of a complex's files, by SHA-256.
pub async fn jobs(
    conn: Conn<'_>,
    complex_id: &str,
    sha256s: &[&str],
) -> Result<Vec<JobRow>, StoreError> {
    let mut conn = conn;
    let mut out = Vec::with_capacity(sha256s.len());
    for sha in sha256s {
        if let Some(job) = fetch_as!(
            conn.reborrow(),
            JobRow,
            fetch_optional,
            "SELECT sha256, state, attempts, reason_code, reason FROM extraction_jobs \
             WHERE complex_id = $1 AND sha256 = $2",
            complex_id,
            *sha
        )? {
            out.push(job);
        }
    }
    Ok(out)
}

/// How many jobs are in each state (all complexes).
pub async fn counts(conn: Conn<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    fetch_as!(
        conn,
        (String, i64),
        fetch_all,
        "SELECT state, COUNT(*) FROM extraction_jobs GROUP BY state ORDER BY state"
    )
}

/// The documents of a complex that hold a file (any version).
pub async fn documents_with(
    conn: Conn<'_>,
    complex_id: &str,
    sha256: &str,
) -> Result<Vec<String>, StoreError> {
    fetch_scalar!(
        conn,
        String,
        fetch_all,
        "SELECT DISTINCT document_id FROM attachments WHERE complex_id = $1 AND sha256 = $2 \
         ORDER BY document_id",
        complex_id,
        sha256
    )
}

/// The texts of a version's attachments, in attachment order (files without text left out).
pub async fn version_texts(
    conn: Conn<'_>,
    complex_id: &str,
    document_id: &str,
    version: i64,
) -> Result<Vec<String>, StoreError> {
    fetch_scalar!(
        conn,
        String,
        fetch_all,
        "SELECT t.text FROM attachments a JOIN attachment_texts t \
         ON t.complex_id = a.complex_id AND t.sha256 = a.sha256 \
         WHERE a.complex_id = $1 AND a.document_id = $2 AND a.version = $3 ORDER BY a.ordinal",
        complex_id,
        document_id,
        version
    )
}

/// Deletes a job this owner holds (its file is no longer attached anywhere).
pub async fn forget(
    tx: &mut Tx,
    complex_id: &str,
    sha256: &str,
    owner: &str,
) -> Result<(), StoreError> {
    exec!(
        tx.conn(),
        "DELETE FROM extraction_jobs WHERE complex_id = $1 AND sha256 = $2 AND lease_owner = $3",
        complex_id,
        sha256,
        owner
    )?;
    Ok(())
}
