//! `cargo xtask bench --only search`: the service's search index side by side with SQLite FTS5
//! (trigram tokenizer) in one run, on the same generated corpus ([`corpus`]) and the same
//! queries, at each `--search-docs` size (100,000 and 1,000,000 by default; the index grows from
//! one size to the next).
//!
//! For each engine and size: the indexing rate (documents committed per second in batches of
//! `--index-batch`, as the service's indexer commits, with the time to generate the documents
//! left out, and the final merges or checkpoint included), the size on disk, and the peak RSS
//! while indexing and while searching. Then `--search-queries` queries, each drawn from a
//! random document and asked in that document's complex: first by one client (latency), then
//! by one client per core at once (queries per second and latency under full load). A search is
//! what the search page needs: the count and the first 10 hits with highlighted title and
//! snippet. Both engines' counts are compared query by query.

mod corpus;
mod engine;
mod fts;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use super::Options;
use super::report::Machine;
use super::stats::{Latency, mib, peak_rss, reset_peak_rss};
use corpus::{Corpus, DOCS_PER_COMPLEX, Query};
use engine::{Found, Ours, Side};
use fts::Fts;

/// Queries run before timing starts (not counted): a server has served searches before.
const WARMUP_QUERIES: usize = 200;

/// The targets of the issue for our index.
const TARGET_P99_MS: f64 = 20.0;
/// At this many documents.
const TARGET_P99_AT: u64 = 1_000_000;
/// Documents indexed per second.
const TARGET_DOCS_PER_SEC: f64 = 2_000.0;

/// Indexing up to one size.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Indexing {
    /// Documents added in this step.
    pub docs: u64,
    /// Seconds spent indexing them (commits and final merges; not generating them).
    pub secs: f64,
    /// `docs / secs`.
    pub docs_per_sec: f64,
    /// Peak RSS while indexing, in bytes (includes mapped index files).
    pub peak_rss_bytes: Option<u64>,
}

/// Queries by one or more clients.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Run {
    /// Clients (threads) asking at once.
    pub clients: usize,
    /// Queries answered.
    pub queries: usize,
    /// Wall-clock seconds.
    pub wall_secs: f64,
    /// Queries per second.
    pub qps: f64,
    /// Latency of every query.
    pub all: Latency,
    /// Latency of the queries whose words all have three or more characters.
    pub long_words: Latency,
    /// Latency of the queries with a two-syllable word.
    pub short_words: Latency,
}

/// One engine at one size.
#[derive(Clone, Debug, Serialize)]
pub struct EngineAtSize {
    /// The engine.
    pub engine: String,
    /// Indexing up to this size.
    pub indexing: Indexing,
    /// Bytes on disk.
    pub index_bytes: u64,
    /// One client.
    pub single: Run,
    /// One client per core.
    pub concurrent: Run,
    /// Peak RSS while searching, in bytes (includes mapped index files).
    pub search_peak_rss_bytes: Option<u64>,
}

/// Both engines at one size.
#[derive(Clone, Debug, Serialize)]
pub struct AtSize {
    /// Documents indexed.
    pub docs: u64,
    /// Complexes they belong to.
    pub complexes: u64,
    /// Per engine.
    pub engines: Vec<EngineAtSize>,
    /// Queries with the same count in both engines.
    pub same_total: usize,
    /// Queries compared.
    pub compared: usize,
    /// The first few queries whose counts differ.
    pub differences: Vec<String>,
}

/// One target checked.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// What the target is.
    pub target: String,
    /// What was measured.
    pub measured: String,
    /// Whether it is met.
    pub met: bool,
}

/// The whole search report.
#[derive(Clone, Debug, Serialize)]
pub struct SearchReport {
    /// The machine.
    pub machine: Machine,
    /// Average bytes of text per document (all fields).
    pub avg_doc_bytes: u64,
    /// Documents per complex.
    pub docs_per_complex: u64,
    /// Documents per commit.
    pub index_batch: usize,
    /// The query plans of the FTS5 side.
    pub fts_plans: Vec<String>,
    /// Per size.
    pub sizes: Vec<AtSize>,
    /// The targets (for our index).
    pub verdicts: Vec<Verdict>,
}

fn text_bytes(d: &malgeun_search::IndexDocument) -> usize {
    d.title.len()
        + d.body.len()
        + d.fields.len()
        + d.kind_name.len()
        + d.drafter.len()
        + d.registration_number.as_ref().map_or(0, String::len)
        + d.attachments.iter().map(String::len).sum::<usize>()
        + d.attachment_text.iter().map(String::len).sum::<usize>()
}

/// Runs the benchmark, prints the report and writes it as JSON.
pub fn run(opts: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(opts.index_batch > 0, "--index-batch must be at least 1");
    let mut sizes = opts.search_docs.clone();
    sizes.sort_unstable();
    sizes.dedup();
    anyhow::ensure!(
        sizes.first().is_some_and(|s| *s > 0),
        "--search-docs needs sizes above 0"
    );
    let root = workspace_root();
    let corpus = Corpus::load(&root.join("crates/malgeun-search/tests/data"))?;
    let work = tempfile::Builder::new()
        .prefix("bench-search-")
        .tempdir_in(root.join("target"))
        .context("creating a working folder under target/")?;
    let machine = Machine::detect();
    println!(
        "search benchmark — {} cores; sizes {:?}; {} documents per complex; working in {}",
        machine.cores,
        sizes,
        DOCS_PER_COMPLEX,
        work.path().display()
    );
    let mut ours = Ours::create(work.path())?;
    let mut fts = Fts::create(work.path())?;
    let mut report = SearchReport {
        machine,
        avg_doc_bytes: 0,
        docs_per_complex: DOCS_PER_COMPLEX,
        index_batch: opts.index_batch,
        fts_plans: fts::plans(&fts)?,
        sizes: Vec::new(),
        verdicts: Vec::new(),
    };
    let (mut indexed, mut text_total) = (0_u64, 0_u64);
    for &size in &sizes {
        let mut rows = Vec::new();
        let mut step_bytes = 0;
        for side in [&mut ours as &mut dyn Side, &mut fts] {
            let (indexing, bytes) = index_up_to(side, &corpus, indexed, size, opts.index_batch)?;
            step_bytes = bytes;
            rows.push((side.name(), indexing));
        }
        text_total += step_bytes;
        report.avg_doc_bytes = text_total / size;
        indexed = size;
        let queries = corpus.queries(size, opts.search_queries, size);
        let mut engines = Vec::new();
        let mut founds = Vec::new();
        for (side, (name, indexing)) in [&ours as &dyn Side, &fts].into_iter().zip(rows) {
            println!("{name}: {size} documents, {} queries…", queries.len());
            let (row, found) = search_runs(side, &queries, indexing)?;
            println!(
                "  1 client p50 {:.2} ms p99 {:.2} ms; {} clients {:.0} q/s p99 {:.2} ms",
                row.single.all.p50_ms,
                row.single.all.p99_ms,
                row.concurrent.clients,
                row.concurrent.qps,
                row.concurrent.all.p99_ms
            );
            engines.push(row);
            founds.push(found);
        }
        let (same_total, differences) = compare(&queries, &founds[0], &founds[1]);
        report.sizes.push(AtSize {
            docs: size,
            complexes: size.div_ceil(DOCS_PER_COMPLEX),
            engines,
            same_total,
            compared: queries.len(),
            differences,
        });
        report.verdicts = verdicts(&report);
        save(&report, opts)?;
    }
    println!("\n{}", render(&report));
    if std::env::var_os("MALGEUN_BENCH_KEEP").is_some() {
        println!("kept {}", work.keep().display());
    }
    Ok(())
}

/// Indexes documents `from..to` into `side` in batches, timing only the indexing. Returns the
/// measurement and the text bytes indexed.
fn index_up_to(
    side: &mut dyn Side,
    corpus: &Corpus,
    from: u64,
    to: u64,
    batch: usize,
) -> anyhow::Result<(Indexing, u64)> {
    let name = side.name();
    let reset = reset_peak_rss();
    let mut spent = Duration::ZERO;
    let mut bytes = 0_u64;
    let mut n = from;
    let mut last_print = Instant::now();
    while n < to {
        let end = (n + batch as u64).min(to);
        let docs: Vec<_> = (n..end).map(|i| corpus.document(i)).collect();
        bytes += docs.iter().map(|d| text_bytes(d) as u64).sum::<u64>();
        let t = Instant::now();
        side.index(&docs)
            .with_context(|| format!("{name}: indexing"))?;
        spent += t.elapsed();
        n = end;
        if last_print.elapsed() > Duration::from_secs(15) {
            println!(
                "  {name}: {n} indexed ({:.0} docs/s so far)",
                (n - from) as f64 / spent.as_secs_f64()
            );
            last_print = Instant::now();
        }
    }
    let t = Instant::now();
    side.finish()
        .with_context(|| format!("{name}: finishing"))?;
    spent += t.elapsed();
    let docs = to - from;
    let indexing = Indexing {
        docs,
        secs: spent.as_secs_f64(),
        docs_per_sec: docs as f64 / spent.as_secs_f64(),
        peak_rss_bytes: if reset { peak_rss() } else { None },
    };
    println!(
        "{name}: indexed {docs} documents in {:.1} s = {:.0} docs/s",
        indexing.secs, indexing.docs_per_sec
    );
    Ok((indexing, bytes))
}

/// Runs the queries by one client, then by one client per core; returns the row and what the
/// single client found for each query.
fn search_runs(
    side: &dyn Side,
    queries: &[Query],
    indexing: Indexing,
) -> anyhow::Result<(EngineAtSize, Vec<Found>)> {
    let mut searcher = side.searcher()?;
    for q in queries.iter().cycle().take(WARMUP_QUERIES) {
        searcher.search(q)?;
    }
    let reset = reset_peak_rss();
    let started = Instant::now();
    let mut timed = Vec::with_capacity(queries.len());
    let mut found = Vec::with_capacity(queries.len());
    for q in queries {
        let t = Instant::now();
        found.push(searcher.search(q)?);
        timed.push((q.trigram_indexable(), t.elapsed()));
    }
    let single = summarise(1, started.elapsed(), timed);
    let clients = std::thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    let timed = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let mut searcher = side.searcher();
                s.spawn(move || -> anyhow::Result<Vec<(bool, Duration)>> {
                    let searcher = searcher.as_mut().map_err(|e| anyhow::anyhow!("{e}"))?;
                    let mut out = Vec::new();
                    for q in queries.iter().skip(c).step_by(clients) {
                        let t = Instant::now();
                        searcher.search(q)?;
                        out.push((q.trigram_indexable(), t.elapsed()));
                    }
                    Ok(out)
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(
                h.join()
                    .map_err(|_| anyhow::anyhow!("a search thread panicked"))??,
            );
        }
        anyhow::Ok(all)
    })?;
    let concurrent = summarise(clients, started.elapsed(), timed);
    let row = EngineAtSize {
        engine: side.name().to_owned(),
        indexing,
        index_bytes: side.size_bytes(),
        single,
        concurrent,
        search_peak_rss_bytes: if reset { peak_rss() } else { None },
    };
    Ok((row, found))
}

fn summarise(clients: usize, wall: Duration, timed: Vec<(bool, Duration)>) -> Run {
    let pick = |long: bool| {
        Latency::of(
            timed
                .iter()
                .filter(|(l, _)| *l == long)
                .map(|(_, d)| *d)
                .collect(),
        )
    };
    Run {
        clients,
        queries: timed.len(),
        wall_secs: wall.as_secs_f64(),
        qps: timed.len() as f64 / wall.as_secs_f64(),
        long_words: pick(true),
        short_words: pick(false),
        all: Latency::of(timed.into_iter().map(|(_, d)| d).collect()),
    }
}

/// How many queries both engines count alike, and the first few that differ.
fn compare(queries: &[Query], ours: &[Found], theirs: &[Found]) -> (usize, Vec<String>) {
    let mut same = 0;
    let mut differences = Vec::new();
    for ((q, a), b) in queries.iter().zip(ours).zip(theirs) {
        if a.total == b.total {
            same += 1;
        } else if differences.len() < 5 {
            differences.push(format!(
                "{:?} in {}: ours {}, FTS5 {}",
                q.text, q.complex, a.total, b.total
            ));
        }
    }
    (same, differences)
}

fn verdicts(report: &SearchReport) -> Vec<Verdict> {
    let mut out = Vec::new();
    for at in &report.sizes {
        let Some(ours) = at.engines.first() else {
            continue;
        };
        if at.docs == TARGET_P99_AT {
            for run in [&ours.single, &ours.concurrent] {
                out.push(Verdict {
                    target: format!(
                        "p99 ≤ {TARGET_P99_MS:.0} ms at {} documents, {} client(s)",
                        at.docs, run.clients
                    ),
                    measured: format!("p99 {:.2} ms", run.all.p99_ms),
                    met: run.all.p99_ms <= TARGET_P99_MS,
                });
            }
        }
        out.push(Verdict {
            target: format!(
                "≥ {TARGET_DOCS_PER_SEC:.0} documents indexed/s (to {} documents)",
                at.docs
            ),
            measured: format!("{:.0} documents/s", ours.indexing.docs_per_sec),
            met: ours.indexing.docs_per_sec >= TARGET_DOCS_PER_SEC,
        });
    }
    out
}

fn render(report: &SearchReport) -> String {
    let mut out = String::new();
    let m = &report.machine;
    let _ = writeln!(
        out,
        "================ SEARCH REPORT ================\n{} cores{}; documents of {} B of text on average, {} per complex, committed {} at a time",
        m.cores,
        m.cpu
            .as_deref()
            .map(|c| format!(", {c}"))
            .unwrap_or_default(),
        report.avg_doc_bytes,
        report.docs_per_complex,
        report.index_batch
    );
    for at in &report.sizes {
        let _ = writeln!(
            out,
            "\n{} documents in {} complexes — both engines count the same for {} of {} queries",
            at.docs, at.complexes, at.same_total, at.compared
        );
        for d in &at.differences {
            let _ = writeln!(out, "  differs: {d}");
        }
        for e in &at.engines {
            let _ = writeln!(out, "  {}", e.engine);
            let _ = writeln!(
                out,
                "    indexing   {:>8.0} docs/s ({} documents in {:.1} s), peak RSS {:.0} MiB; on disk {:.0} MiB",
                e.indexing.docs_per_sec,
                e.indexing.docs,
                e.indexing.secs,
                e.indexing.peak_rss_bytes.map_or(0.0, mib),
                mib(e.index_bytes)
            );
            for run in [&e.single, &e.concurrent] {
                let _ = writeln!(
                    out,
                    "    {} client{} {:>7.0} q/s   all p50 {:.2} p99 {:.2} ms | 3+ syllables p50 {:.2} p99 {:.2} | 2 syllables p50 {:.2} p99 {:.2}",
                    run.clients,
                    if run.clients == 1 { " " } else { "s" },
                    run.qps,
                    run.all.p50_ms,
                    run.all.p99_ms,
                    run.long_words.p50_ms,
                    run.long_words.p99_ms,
                    run.short_words.p50_ms,
                    run.short_words.p99_ms
                );
            }
            let _ = writeln!(
                out,
                "    searching  peak RSS {:.0} MiB",
                e.search_peak_rss_bytes.map_or(0.0, mib)
            );
        }
    }
    let _ = writeln!(out, "\nFTS5 query plans:");
    for p in &report.fts_plans {
        let _ = writeln!(out, "  {p}");
    }
    let _ = writeln!(out, "\nTargets (our index)");
    for v in &report.verdicts {
        let _ = writeln!(
            out,
            "  [{}] {}: measured {}",
            if v.met { " MET " } else { "NOT MET" },
            v.target,
            v.measured
        );
    }
    out
}

fn save(report: &SearchReport, opts: &Options) -> anyhow::Result<()> {
    let path = opts
        .report
        .clone()
        .unwrap_or_else(|| workspace_root().join("target/bench-search.json"));
    std::fs::write(&path, serde_json::to_string_pretty(report)? + "\n")
        .with_context(|| format!("writing {}", path.display()))
}

/// The workspace root (the parent of this crate).
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.clone(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a small corpus both engines must count every query alike: our bigram phrases find
    /// exactly the documents that contain the words (as FTS5's substring match does), across
    /// complexes kept apart, and the generated documents do not change from run to run.
    #[test]
    fn both_engines_find_the_same_documents() {
        let corpus =
            Corpus::load(&workspace_root().join("crates/malgeun-search/tests/data")).unwrap();
        assert_eq!(corpus.document(7).body, corpus.document(7).body);
        assert_ne!(corpus.document(7).body, corpus.document(8).body);
        let dir = tempfile::tempdir().unwrap();
        let mut ours = Ours::create(dir.path()).unwrap();
        let mut fts = Fts::create(dir.path()).unwrap();
        let docs = 2 * DOCS_PER_COMPLEX / 10;
        // Two complexes: documents 0.. and DOCS_PER_COMPLEX.. .
        let batch: Vec<_> = (0..docs / 2)
            .chain(DOCS_PER_COMPLEX..DOCS_PER_COMPLEX + docs / 2)
            .map(|n| corpus.document(n))
            .collect();
        for side in [&mut ours as &mut dyn Side, &mut fts] {
            side.index(&batch).unwrap();
            side.finish().unwrap();
        }
        let mut queries = corpus.queries(docs / 2, 60, 1);
        queries.extend(
            corpus
                .queries(DOCS_PER_COMPLEX + docs / 2, 200, 2)
                .into_iter()
                .filter(|q| q.complex.ends_with("00001"))
                .take(60),
        );
        assert!(queries.iter().any(|q| !q.trigram_indexable()));
        assert!(queries.iter().any(|q| q.substrings.len() == 2));
        let (mut a, mut b) = (ours.searcher().unwrap(), fts.searcher().unwrap());
        let mut found = 0;
        for q in &queries {
            let (x, y) = (a.search(q).unwrap(), b.search(q).unwrap());
            assert_eq!(x.total, y.total, "{q:?}");
            assert!(x.total >= 1, "the source document holds the words: {q:?}");
            found += x.total;
        }
        assert!(found > queries.len(), "some words are common");
    }
}
