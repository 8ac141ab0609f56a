//! Korean full-text search of 맑은 (문서 검색): the bigram analyzer ([`analyzer`]) and the document
//! index over tantivy ([`index`]). The index is derived data: it holds nothing the database does not,
//! is fed from the ledger (the outbox) by the application, and can be deleted and rebuilt at any time.

pub mod analyzer;
pub mod error;
pub mod index;

pub use error::SearchError;
pub use index::{
    Access, Filter, Hit, IndexDocument, Position, SearchIndex, SearchRequest, SearchResults, Sort,
};
