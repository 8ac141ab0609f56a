//! What the search benchmark asks of each engine, and our side of it: the service's own index
//! (`malgeun-search`), used exactly as the service uses it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use malgeun_search::{Access, IndexDocument, Position, SearchIndex, SearchRequest, Sort};

use super::corpus::{Query, VIEWER_ROLE};

/// Hits returned per search: one page of the search page, in both engines.
pub const PAGE: usize = 10;

/// What a search found: how many documents match, and the ids of the first page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Matching documents in the complex.
    pub total: usize,
    /// Ids of the page's hits, best (or newest) first.
    pub hits: Vec<String>,
}

/// One engine under test.
pub trait Side {
    /// The name in the report.
    fn name(&self) -> &'static str;
    /// Indexes a batch and makes it durable and searchable (one commit, as the service's indexer
    /// commits one batch of its outbox at a time).
    fn index(&mut self, batch: &[IndexDocument]) -> anyhow::Result<()>;
    /// Brings the index to rest after a bulk load (merges, checkpoints).
    fn finish(&mut self) -> anyhow::Result<()>;
    /// Bytes on disk.
    fn size_bytes(&self) -> u64;
    /// A searcher for one thread.
    fn searcher(&self) -> anyhow::Result<Box<dyn Searcher>>;
}

/// Searches from one thread.
pub trait Searcher: Send {
    /// Runs one query: the count and the first page with highlighted titles and snippets.
    fn search(&mut self, q: &Query) -> anyhow::Result<Found>;
}

/// The service's index in a folder of its own.
pub struct Ours {
    dir: PathBuf,
    index: Arc<SearchIndex>,
    indexed: i64,
}

impl Ours {
    /// A new index in `dir`.
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        let dir = dir.join("tantivy");
        let index = Arc::new(SearchIndex::open(&dir)?);
        Ok(Self {
            dir,
            index,
            indexed: 0,
        })
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(std::fs::Metadata::is_file)
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

impl Side for Ours {
    fn name(&self) -> &'static str {
        "malgeun (tantivy, bigrams)"
    }

    fn index(&mut self, batch: &[IndexDocument]) -> anyhow::Result<()> {
        self.indexed += i64::try_from(batch.len())?;
        let position = Position::from([("bench".to_owned(), self.indexed)]);
        self.index.apply(batch, &[], &position)?;
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        self.index.wait_merges()?;
        Ok(())
    }

    fn size_bytes(&self) -> u64 {
        dir_size(&self.dir)
    }

    fn searcher(&self) -> anyhow::Result<Box<dyn Searcher>> {
        Ok(Box::new(OursSearcher(Arc::clone(&self.index))))
    }
}

struct OursSearcher(Arc<SearchIndex>);

impl Searcher for OursSearcher {
    fn search(&mut self, q: &Query) -> anyhow::Result<Found> {
        let results = self.0.search(&SearchRequest {
            text: q.text.clone(),
            complex: q.complex.clone(),
            access: vec![Access::role(VIEWER_ROLE)],
            sort: Sort::Relevance,
            limit: PAGE,
            ..SearchRequest::default()
        })?;
        Ok(Found {
            total: results.total,
            hits: results.hits.into_iter().map(|h| h.id).collect(),
        })
    }
}
