//! `cargo xtask`: project automation for 맑은.
//!
//! `cargo xtask bench` measures the numbers the service promises: end-to-end approvals per second
//! over HTTP (with their latency distribution) and ledger verification speed, on SQLite and/or
//! PostgreSQL; with `--only pages` the web pages, with `--only search` the search index against
//! SQLite FTS5. See [`bench`] for what exactly is measured and how.

mod bench;

use clap::{Parser, Subcommand};

/// The command line of `cargo xtask`.
#[derive(Debug, Parser)]
#[command(name = "xtask", about = "Project automation for 맑은")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The tasks.
#[derive(Debug, Subcommand)]
enum Command {
    /// Benchmarks approvals over HTTP and ledger verification; writes target/bench-report.json.
    Bench(bench::Options),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Bench(opts) => runtime.block_on(bench::run(opts)),
    }
}
