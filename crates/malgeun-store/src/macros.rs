//! The macros that run one SQL text on whichever engine a connection belongs to. On SQLite the
//! statement runs in place (see [`crate::sqlite`]); on PostgreSQL it is awaited through sqlx.

/// Executes a statement, returning the number of rows affected.
macro_rules! exec {
    ($conn:expr, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => {
                $crate::sqlite::execute(c, sql, ::rusqlite::params![$($arg),*])
            }
            $crate::db::Conn::Pg(c) => sqlx::query(sql)$(.bind($arg))*
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
                .map_err($crate::error::StoreError::from),
        }
    }};
}

/// Fetches rows decoded as `$ty` (`fetch_all`, `fetch_one` or `fetch_optional`): sqlx's `FromRow`
/// on PostgreSQL, [`crate::sqlite::SqliteRow`] on SQLite.
macro_rules! fetch_as {
    ($conn:expr, $ty:ty, $method:ident, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => {
                $crate::sqlite::$method::<$ty>(c, sql, ::rusqlite::params![$($arg),*])
            }
            $crate::db::Conn::Pg(c) => sqlx::query_as::<_, $ty>(sql)$(.bind($arg))*
                .$method(&mut *c)
                .await
                .map_err($crate::error::StoreError::from),
        }
    }};
}

/// Fetches a single-column result (`fetch_all`, `fetch_one` or `fetch_optional`).
macro_rules! fetch_scalar {
    ($conn:expr, $ty:ty, $method:ident, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => {
                $crate::sqlite::scalar::$method::<$ty>(c, sql, ::rusqlite::params![$($arg),*])
            }
            $crate::db::Conn::Pg(c) => sqlx::query_scalar::<_, $ty>(sql)$(.bind($arg))*
                .$method(&mut *c)
                .await
                .map_err($crate::error::StoreError::from),
        }
    }};
}

/// Declares a row struct read by the query macros on both engines: sqlx's `FromRow` for
/// PostgreSQL and [`crate::sqlite::SqliteRow`] for SQLite, both by column name, from one field list.
macro_rules! db_row {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $fty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(sqlx::FromRow)]
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $fty ),*
        }

        impl $crate::sqlite::SqliteRow for $name {
            fn from_sqlite(row: &::rusqlite::Row<'_>) -> ::rusqlite::Result<Self> {
                Ok(Self {
                    $( $field: row.get(stringify!($field))? ),*
                })
            }
        }
    };
}
