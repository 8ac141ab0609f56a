//! Errors of the search index.

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy failed (IO inside the index, a busy lock, a corrupt segment).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index folder could not be opened.
    #[error("search index folder: {0}")]
    Folder(#[from] tantivy::directory::error::OpenDirectoryError),
    /// A file or folder of the index could not be created.
    #[error("search index folder {0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// The stored outbox position is unreadable.
    #[error("the search index's outbox position is unreadable: `{0}`")]
    BadPosition(String),
    /// The index writer could not be kept.
    #[error("the search index writer is gone")]
    WriterGone,
}
