//! Storage for 맑은: one SQL code path over SQLite (embedded default) or PostgreSQL (the service),
//! ledger persistence that fits the Merkle tree's node addressing, and content-addressed blobs.
//!
//! Queries are written once in the portable subset (`$1` placeholders, `ON CONFLICT`, `RETURNING`)
//! and run on either engine through the [`db::Conn`] enum (rusqlite for SQLite, sqlx for
//! PostgreSQL); migrations exist per engine.

#[macro_use]
mod macros;

pub mod blob;
pub mod db;
pub mod digitised;
pub mod documents;
pub mod error;
pub mod extraction;
pub mod image;
pub mod ledger;
pub mod org;
pub mod raw;
pub mod rows;
pub mod search_feed;
pub mod sqlite;
pub mod tables;

pub use blob::BlobStore;
pub use db::{Db, Engine, Reader, Tx};
pub use error::StoreError;
