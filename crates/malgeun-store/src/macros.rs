//! The macros that run one SQL text on whichever engine a connection belongs to.

/// Executes a statement, returning the number of rows affected.
macro_rules! exec {
    ($conn:expr, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query(sql)$(.bind($arg))*.execute(&mut *c).await.map(|r| r.rows_affected()),
            $crate::db::Conn::Pg(c) => sqlx::query(sql)$(.bind($arg))*.execute(&mut *c).await.map(|r| r.rows_affected()),
        }
        .map_err($crate::error::StoreError::from)
    }};
}

/// Fetches rows decoded with `FromRow` (`fetch_all`, `fetch_one` or `fetch_optional`).
macro_rules! fetch_as {
    ($conn:expr, $ty:ty, $method:ident, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query_as::<_, $ty>(sql)$(.bind($arg))*.$method(&mut *c).await,
            $crate::db::Conn::Pg(c) => sqlx::query_as::<_, $ty>(sql)$(.bind($arg))*.$method(&mut *c).await,
        }
        .map_err($crate::error::StoreError::from)
    }};
}

/// Fetches a single-column result (`fetch_all`, `fetch_one` or `fetch_optional`).
macro_rules! fetch_scalar {
    ($conn:expr, $ty:ty, $method:ident, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query_scalar::<_, $ty>(sql)$(.bind($arg))*.$method(&mut *c).await,
            $crate::db::Conn::Pg(c) => sqlx::query_scalar::<_, $ty>(sql)$(.bind($arg))*.$method(&mut *c).await,
        }
        .map_err($crate::error::StoreError::from)
    }};
}
