//! `cargo xtask bench`: the service's performance targets, measured honestly.
//!
//! 1. **Approvals end to end** ([`approvals`]): a fresh database per engine, one complex, N
//!    documents drafted and submitted up front (not timed), then many concurrent HTTP clients,
//!    each with its own connection pool, approving their share as fast as they can. Reports
//!    throughput, the latency distribution of every request, errors, and afterwards checks that
//!    registration numbers are gapless and the ledger verifies.
//! 2. **Verification** ([`verify`]): a complex whose ledger holds many realistic document events,
//!    written through the real `events::record` path in large transactions, then
//!    `App::verify_complex` timed, with the process's peak RSS.
//!
//! Run on their own: `--only pages` ([`pages`]: server time and weight of the main pages) and
//! `--only search` ([`search`]: the search index against SQLite FTS5 with the trigram tokenizer).
//!
//! The server, the clients and the database (SQLite in-process, or the local PostgreSQL server)
//! all share this machine's cores; the report says how many there are.

mod approvals;
mod env;
mod pages;
mod report;
mod search;
mod stats;
mod verify;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use env::Engine;
use report::{Report, Targets};

/// Options of `cargo xtask bench`.
#[derive(Clone, Debug, Args, serde::Serialize)]
pub struct Options {
    /// Which engine(s) to benchmark.
    #[arg(long, value_enum, default_value_t = EngineChoice::Sqlite)]
    pub engine: EngineChoice,
    /// Documents approved in the timed run (after the warm-up).
    #[arg(long, default_value_t = 20_000)]
    pub approvals: usize,
    /// Documents approved before timing starts (not counted).
    #[arg(long, default_value_t = 500)]
    pub warmup: usize,
    /// Concurrent HTTP clients, each with its own connection pool.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Offer this many approvals per second in all, each client on a fixed schedule, with latency
    /// counted from when each request was due (open loop). Without it every client sends its next
    /// approval as soon as the last is answered (closed loop: the highest throughput).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Tasks drafting and submitting documents during (untimed) setup.
    #[arg(long, default_value_t = 8)]
    pub setup_tasks: usize,
    /// Ledger entries to build for the verification benchmark on SQLite.
    #[arg(long, default_value_t = 1_000_000)]
    pub verify_entries: u64,
    /// Ledger entries on PostgreSQL (one round trip per statement makes building 1M slow there).
    /// Defaults to `--verify-entries`, capped at 250,000.
    #[arg(long)]
    pub pg_verify_entries: Option<u64>,
    /// Ledger events per transaction while building the verification ledger.
    #[arg(long, default_value_t = 5_000)]
    pub batch: u64,
    /// Documents in the complex for `--only pages`.
    #[arg(long, default_value_t = 10_000)]
    pub page_documents: usize,
    /// Documents indexed for `--only search`, in ascending steps (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [100_000_u64, 1_000_000])]
    pub search_docs: Vec<u64>,
    /// Queries per engine and size for `--only search`.
    #[arg(long, default_value_t = 2_000)]
    pub search_queries: usize,
    /// Documents per commit for `--only search` (the service's indexer commits 500 at a time).
    #[arg(long, default_value_t = 500)]
    pub index_batch: usize,
    /// Run only one of the benchmarks.
    #[arg(long, value_enum)]
    pub only: Option<Only>,
    /// Database connections (PostgreSQL pool, or SQLite readers), as `pool_size` in the config.
    #[arg(long, default_value_t = malgeun::config::Config::default().pool_size)]
    pub pool_size: u32,
    /// PostgreSQL server; a fresh `malgeun_bench_<uuid>` database is created on it and dropped.
    #[arg(
        long,
        env = "MALGEUN_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    #[serde(skip)]
    pub postgres_url: String,
    /// Where to write the JSON report (default: `target/bench-report.json` in the workspace).
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// `--engine`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// Bundled SQLite (WAL, synchronous=FULL).
    Sqlite,
    /// The PostgreSQL server.
    Postgres,
    /// SQLite, then PostgreSQL.
    Both,
}

impl EngineChoice {
    fn engines(self) -> Vec<Engine> {
        match self {
            Self::Sqlite => vec![Engine::Sqlite],
            Self::Postgres => vec![Engine::Postgres],
            Self::Both => vec![Engine::Sqlite, Engine::Postgres],
        }
    }
}

/// `--only`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Only {
    /// Only the HTTP approvals benchmark.
    Approvals,
    /// Only the verification benchmark.
    Verify,
    /// Only the web pages: server time and weight of each main page (not part of the default run).
    Pages,
    /// Only search: our index against SQLite FTS5 trigram (not part of the default run; writes
    /// `target/bench-search.json`).
    Search,
}

impl Options {
    fn verify_entries(&self, engine: Engine) -> u64 {
        match engine {
            Engine::Sqlite => self.verify_entries,
            Engine::Postgres => self
                .pg_verify_entries
                .unwrap_or(self.verify_entries.min(250_000)),
        }
    }
}

/// Runs the benchmarks, prints the report and writes it as JSON.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    anyhow::ensure!(opts.clients > 0, "--clients must be at least 1");
    anyhow::ensure!(opts.batch > 0, "--batch must be at least 1");
    if opts.only == Some(Only::Pages) {
        println!(
            "\n== web pages on sqlite ({} documents) ==",
            opts.page_documents
        );
        return pages::run(&opts).await.context("pages benchmark");
    }
    if opts.only == Some(Only::Search) {
        return tokio::task::block_in_place(|| search::run(&opts)).context("search benchmark");
    }
    let mut report = Report::new(&opts, Targets::default());
    let path = opts.report.clone().unwrap_or_else(default_report_path);
    println!("{}", report.header());
    for engine in opts.engine.engines() {
        if opts.only != Some(Only::Verify) {
            println!("\n== approvals over HTTP on {engine} ==");
            let r = approvals::run(engine, &opts)
                .await
                .with_context(|| format!("approvals benchmark on {engine}"))?;
            report.approvals.push(r);
            // Saved after every section, so an interrupted run keeps what it measured.
            save(&mut report, &path)?;
        }
        if opts.only != Some(Only::Approvals) {
            println!("\n== verification on {engine} ==");
            let r = verify::run(engine, &opts, opts.verify_entries(engine))
                .await
                .with_context(|| format!("verification benchmark on {engine}"))?;
            report.verify.push(r);
            save(&mut report, &path)?;
        }
    }
    save(&mut report, &path)?;
    println!("\n{}", report.render());
    println!("report written to {}", path.display());
    if !report.all_correct() {
        anyhow::bail!("correctness checks failed (see above)");
    }
    Ok(())
}

/// Judges the measurements so far and writes the report as JSON.
fn save(report: &mut Report, path: &std::path::Path) -> anyhow::Result<()> {
    report.judge();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, serde_json::to_string_pretty(&*report)? + "\n")
        .with_context(|| format!("writing {}", path.display()))
}

/// `target/bench-report.json` at the workspace root (the parent of this crate).
fn default_report_path() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.clone(), std::path::Path::to_path_buf)
        .join("target")
        .join("bench-report.json")
}
