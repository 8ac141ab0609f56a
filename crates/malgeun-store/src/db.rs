//! Connections: an enum of the two engines (SQLite through rusqlite, PostgreSQL through sqlx; the
//! same SQL text runs on both), write transactions and read connections.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::error::StoreError;
use crate::sqlite::{PooledReader, SqliteDb, SqliteTx};

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
    /// SQLite.
    Sqlite(Arc<SqliteDb>),
    /// PostgreSQL pool.
    Postgres(PgPool),
}

/// A borrowed connection of either engine: what the query macros match on.
pub enum Conn<'a> {
    /// SQLite.
    Sqlite(&'a mut rusqlite::Connection),
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
    Sqlite(SqliteTx),
    /// PostgreSQL.
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    /// The connection to run statements on.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(t) => Conn::Sqlite(t.conn()),
            Self::Pg(t) => Conn::Pg(&mut *t),
        }
    }

    /// Leaves signing the complex's checkpoint to the commit when the engine batches commits and
    /// has a signer (SQLite, see [`SqliteTx::defer_checkpoint`]); `false` means sign it now.
    pub fn defer_checkpoint(&mut self, complex_id: &str) -> bool {
        match self {
            Self::Sqlite(t) => t.defer_checkpoint(complex_id),
            Self::Pg(_) => false,
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
    Sqlite(PooledReader),
    /// PostgreSQL.
    Pg(PoolConnection<Postgres>),
}

impl Reader {
    /// The connection to run statements on.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(c) => Conn::Sqlite(c.conn()),
            Self::Pg(c) => Conn::Pg(&mut *c),
        }
    }

    /// On SQLite, starts a read transaction for a long scan: every statement until
    /// [`Reader::end_read`] sees the snapshot taken by the first of them (several readers that read
    /// the same state from their first statement on see one database), with a smaller page cache.
    /// A no-op on PostgreSQL.
    pub fn begin_read(&mut self) -> Result<(), StoreError> {
        if let Self::Sqlite(c) = self {
            let c = c.conn();
            c.pragma_update(None, "cache_size", -crate::sqlite::SCAN_CACHE_KIB)?;
            c.execute_batch("BEGIN DEFERRED")?;
        }
        Ok(())
    }

    /// Ends what [`Reader::begin_read`] started.
    pub fn end_read(&mut self) -> Result<(), StoreError> {
        if let Self::Sqlite(c) = self {
            let c = c.conn();
            if !c.is_autocommit() {
                c.execute_batch("COMMIT")?;
            }
            c.pragma_update(None, "cache_size", -crate::sqlite::CACHE_KIB)?;
        }
        Ok(())
    }
}

/// Pool sizes.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// Connections for PostgreSQL, or SQLite readers.
    pub max_connections: u32,
    /// SQLite: the size in bytes the WAL file is cut back to once its frames have been copied into
    /// the database and it starts again ([`crate::sqlite::WAL_SIZE_LIMIT_BYTES`] by default).
    pub sqlite_wal_limit_bytes: i64,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            sqlite_wal_limit_bytes: crate::sqlite::WAL_SIZE_LIMIT_BYTES,
        }
    }
}

impl Db {
    /// Opens `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, opts: &PoolOptions) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let readers = usize::try_from(opts.max_connections).unwrap_or(16);
            Ok(Self::Sqlite(Arc::new(SqliteDb::open(
                url,
                readers,
                opts.sqlite_wal_limit_bytes,
            )?)))
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
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.with_writer(crate::sqlite::migrate).await?,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS
                .run(pool)
                .await
                .map_err(|e| StoreError::Migrate(e.to_string()))?,
        }
        Ok(())
    }

    /// Copies the whole SQLite WAL back into the database file and empties it (a no-op on
    /// PostgreSQL), as the background checkpointer does within moments once writes pause. Readers
    /// of a checkpointed database read the file directly instead of looking every page up in the
    /// WAL's index, which for a WAL of gigabytes costs more than the read itself: benchmarks call
    /// this after a bulk load so that they measure the database at rest.
    ///
    /// A reader in the middle of a read (the background checkpointer's own pass, say) makes SQLite
    /// give up with "busy" and leave the WAL as it is; this tries again until a pass completes,
    /// for up to ten seconds, and then fails.
    pub async fn checkpoint_wal(&self) -> Result<(), StoreError> {
        const ATTEMPTS: u32 = 200;
        if let Self::Sqlite(db) = self {
            for _ in 0..ATTEMPTS {
                let busy: i64 = db
                    .with_writer(|c| {
                        Ok(c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?)
                    })
                    .await?;
                if busy == 0 {
                    return Ok(());
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                Some(
                    "the WAL could not be checkpointed: readers kept it busy for ten seconds"
                        .into(),
                ),
            )));
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite `BEGIN IMMEDIATE` takes the write lock up front, so a
    /// transaction never fails half-way for want of it.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Self::Sqlite(db) => Tx::Sqlite(db.begin().await?),
            Self::Postgres(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    /// A read connection. Reads outside a transaction see committed data only.
    pub async fn reader(&self) -> Result<Reader, StoreError> {
        Ok(match self {
            Self::Sqlite(db) => Reader::Sqlite(db.reader().await?),
            Self::Postgres(pool) => Reader::Pg(pool.acquire().await?),
        })
    }

    /// Another SQLite read connection if one is free right now; `None` on PostgreSQL (whose
    /// statements are async and not worth a thread each) or when the pool is exhausted.
    pub fn try_sqlite_reader(&self) -> Result<Option<Reader>, StoreError> {
        Ok(match self {
            Self::Sqlite(db) => db.try_reader()?.map(Reader::Sqlite),
            Self::Postgres(_) => None,
        })
    }

    /// Closes all connections (lets SQLite checkpoint its WAL on exit).
    pub async fn close(&self) {
        match self {
            Self::Sqlite(db) => db.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}
