//! Ad-hoc SQL on either engine for tools and tests (the benchmark's gap check, tamper tests). The
//! service itself never calls these: its queries live in the store's modules.

use sqlx::postgres::PgRow;

use crate::db::Conn;
use crate::error::StoreError;
use crate::sqlite::SqliteRow;

/// A row type readable on both engines (tuples of plain values qualify).
pub trait DbRow: SqliteRow + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

impl<T> DbRow for T where T: SqliteRow + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

/// Executes one statement with no parameters; returns the rows changed.
pub async fn execute(conn: Conn<'_>, sql: &str) -> Result<u64, StoreError> {
    match conn {
        Conn::Sqlite(c) => crate::sqlite::execute(c, sql, []),
        Conn::Pg(c) => Ok(sqlx::query(sql).execute(&mut *c).await?.rows_affected()),
    }
}

/// Every row of a query whose parameters are all text (`$1`, `$2`, …).
pub async fn fetch_all<T: DbRow>(
    conn: Conn<'_>,
    sql: &str,
    params: &[&str],
) -> Result<Vec<T>, StoreError> {
    match conn {
        Conn::Sqlite(c) => crate::sqlite::fetch_all(c, sql, rusqlite::params_from_iter(params)),
        Conn::Pg(c) => {
            let mut q = sqlx::query_as::<_, T>(sql);
            for p in params {
                q = q.bind(*p);
            }
            Ok(q.fetch_all(&mut *c).await?)
        }
    }
}
