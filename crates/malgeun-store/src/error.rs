//! Storage errors.

use thiserror::Error;

/// What can go wrong below the use cases. None of these is the user's fault except `Conflict`.
#[derive(Debug, Error)]
pub enum StoreError {
    /// PostgreSQL failed or refused.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// SQLite failed or refused.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Migrations failed.
    #[error("migration: {0}")]
    Migrate(String),
    /// The blob store failed.
    #[error("blob store: {0}")]
    Blob(String),
    /// A uniqueness rule was hit (e.g. a login already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Stored data does not parse: someone edited it outside the service, or a bug.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The database URL names no supported engine.
    #[error("unsupported database URL `{0}` (use sqlite:// or postgres://)")]
    UnsupportedUrl(String),
}

impl StoreError {
    /// Whether the error is a unique-constraint violation, which callers turn into a clear message.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Self::Database(sqlx::Error::Database(e)) => e.is_unique_violation(),
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            Self::Conflict(_) => true,
            _ => false,
        }
    }
}
