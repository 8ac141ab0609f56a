//! Connections: an enum of the two engines' pools (sqlx's `Any` cannot decode everything on
//! PostgreSQL), write transactions and read connections.

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::error::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine a database runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Bundled SQLite in WAL mode with synchronous=FULL.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The database. SQLite gets one writer connection (SQLite has a single writer anyway; one
/// connection avoids busy-retry storms) and several readers; PostgreSQL one shared pool.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite pools.
    Sqlite {
        /// The single writer.
        write: SqlitePool,
        /// Concurrent readers (WAL lets them run beside the writer).
        read: SqlitePool,
    },
    /// PostgreSQL pool.
    Postgres(PgPool),
}

/// A borrowed connection of either engine: what the query macros match on.
pub enum Conn<'a> {
    /// SQLite.
    Sqlite(&'a mut SqliteConnection),
    /// PostgreSQL.
    Pg(&'a mut PgConnection),
}

impl Conn<'_> {
    /// Borrows the connection again for one more statement (the macros take a `Conn` by value).
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(c) => Conn::Sqlite(c),
            Self::Pg(c) => Conn::Pg(c),
        }
    }
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls back.
pub enum Tx {
    /// SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL.
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    /// The connection to run statements on.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(t) => Conn::Sqlite(&mut *t),
            Self::Pg(t) => Conn::Pg(&mut *t),
        }
    }

    /// Commits.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(t) => t.commit().await?,
            Self::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// A pooled read connection.
pub enum Reader {
    /// SQLite.
    Sqlite(PoolConnection<Sqlite>),
    /// PostgreSQL.
    Pg(PoolConnection<Postgres>),
}

impl Reader {
    /// The connection to run statements on.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(c) => Conn::Sqlite(&mut *c),
            Self::Pg(c) => Conn::Pg(&mut *c),
        }
    }
}

/// Pool sizes.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// Connections for PostgreSQL, or SQLite readers.
    pub max_connections: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
        }
    }
}

impl Db {
    /// Opens `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, opts: &PoolOptions) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let base = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .pragma("temp_store", "memory")
                .pragma("cache_size", "-65536")
                // Rows stream from SQLite's worker thread through a channel; a deep buffer lets a
                // long scan (verify) run without a thread hand-off per row.
                .row_buffer_size(4096);
            // A local SQLite connection cannot go stale, so the pool's liveness ping before every
            // acquire would only add a round trip to the worker thread.
            let write = SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(1)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(base.clone())
                .await?;
            let read = SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(opts.max_connections.max(1))
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(base.read_only(true))
                .await?;
            Ok(Self::Sqlite { write, read })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(PgConnectOptions::from_str(url)?)
                .await?;
            Ok(Self::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite { .. } => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite `BEGIN IMMEDIATE` takes the write lock up front, so a
    /// transaction never fails half-way for want of it.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Self::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    /// A read connection. Reads outside a transaction see committed data only.
    pub async fn reader(&self) -> Result<Reader, StoreError> {
        Ok(match self {
            Self::Sqlite { read, .. } => Reader::Sqlite(read.acquire().await?),
            Self::Postgres(pool) => Reader::Pg(pool.acquire().await?),
        })
    }

    /// Closes all connections (lets SQLite checkpoint its WAL on exit).
    pub async fn close(&self) {
        match self {
            Self::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Self::Postgres(pool) => pool.close().await,
        }
    }
}
