//! Wiring of the `malgeun` binary: configuration, opening the database and blob store, the demo
//! data, the paper-archive import. `main.rs` holds only the command line.

pub mod config;
pub mod demo;
pub mod import;

use malgeun_app::{App, LedgerKeys, Limits};
use malgeun_store::db::PoolOptions;
use malgeun_store::{BlobStore, Db};

use crate::config::Config;

/// Opens the database (migrating it), the blob store and the search index (`data_dir/search`),
/// turns on attachment text extraction, and builds the application.
pub async fn open(cfg: &Config) -> anyhow::Result<App> {
    let url = cfg.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir)?;
    }
    let db = Db::connect(
        &url,
        &PoolOptions {
            max_connections: cfg.pool_size,
            ..PoolOptions::default()
        },
    )
    .await?;
    db.migrate().await?;
    let blobs = BlobStore::local(cfg.blob_dir())?;
    let keys = LedgerKeys::new(cfg.ledger_seed()?, &cfg.origin_prefix);
    let limits = Limits {
        max_attachment_bytes: cfg.max_attachment_mb * 1024 * 1024,
        ..Limits::default()
    };
    let app = App::new(db, blobs, keys, limits);
    app.enable_search(&cfg.search_dir())
        .map_err(|e| anyhow::anyhow!("opening the search index: {e}"))?;
    app.enable_extraction(cfg.extraction()?)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(app)
}
