//! The comparison: SQLite FTS5 with the trigram tokenizer, set up as a careful engineer would for
//! this service. One table for all complexes, the same fields as our index, content stored (for
//! snippets). A complex's documents get rowids in a range of their own (complex × 2³² + n), so
//! `MATCH … AND rowid BETWEEN …` narrows to one complex inside the index instead of filtering
//! every match afterwards. Words of fewer than three characters cannot be looked up in a trigram
//! index at all; for them the search falls back to `LIKE '%…%'` over the complex's rows, which
//! the trigram tokenizer supports by scanning.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use malgeun_search::IndexDocument;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, params};

use super::corpus::Query;
use super::engine::{Found, PAGE, Searcher, Side};

/// Columns matched (after `complex` and `date`, which are stored but not indexed).
const COLUMNS: &[&str] = &[
    "kind_name",
    "title",
    "body",
    "form",
    "regno",
    "drafter",
    "attachments",
    "attachment_text",
];

/// bm25 weights: 0 for `complex` and `date`, then the weights our index gives the same fields.
const BM25: &str = "bm25(fts, 0, 0, 1.5, 3.0, 1.0, 1.0, 3.0, 1.0, 1.0, 0.8)";

/// The FTS5 database.
#[derive(Debug)]
pub struct Fts {
    path: PathBuf,
    conn: Connection,
}

/// The number of a corpus complex id (`complex-00042` → 42).
fn complex_number(complex: &str) -> anyhow::Result<i64> {
    complex
        .rsplit('-')
        .next()
        .and_then(|c| c.parse().ok())
        .context("complex id")
}

/// The rowid of a document: its complex's range, then its number.
fn rowid(d: &IndexDocument) -> anyhow::Result<i64> {
    let n: i64 = d.id.parse().context("document id")?;
    Ok((complex_number(&d.complex)? << 32) | (n & 0xFFFF_FFFF))
}

/// The rowids of a complex's documents, inclusive.
fn complex_range(complex: &str) -> anyhow::Result<(i64, i64)> {
    let c = complex_number(complex)?;
    Ok((c << 32, ((c + 1) << 32) - 1))
}

impl Fts {
    /// Creates the database in `dir`: WAL and synchronous=FULL, as the service runs SQLite.
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join("fts5.db");
        let conn = Connection::open(&path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE VIRTUAL TABLE fts USING fts5(
               complex UNINDEXED, date UNINDEXED, kind_name, title, body, form, regno, drafter,
               attachments, attachment_text, tokenize='trigram');",
        )?;
        Ok(Self { path, conn })
    }
}

impl Side for Fts {
    fn name(&self) -> &'static str {
        "SQLite FTS5 trigram"
    }

    fn index(&mut self, batch: &[IndexDocument]) -> anyhow::Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO fts(rowid, complex, date, kind_name, title, body, form, regno,
                   drafter, attachments, attachment_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for d in batch {
                insert.execute(params![
                    rowid(d)?,
                    d.complex,
                    d.date,
                    d.kind_name,
                    d.title,
                    d.body,
                    d.fields,
                    d.registration_number,
                    d.drafter,
                    d.attachments.join("\n"),
                    d.attachment_text.join("\n"),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        // Copies the WAL back, as a server at rest has; FTS5 merges as it inserts.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn size_bytes(&self) -> u64 {
        ["", "-wal"]
            .iter()
            .filter_map(|s| {
                let mut p = self.path.clone().into_os_string();
                p.push(s);
                std::fs::metadata(p).ok()
            })
            .map(|m| m.len())
            .sum()
    }

    fn searcher(&self) -> anyhow::Result<Box<dyn Searcher>> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch("PRAGMA mmap_size=2147418112;")?;
        Ok(Box::new(FtsSearcher { conn }))
    }
}

/// A reader connection.
struct FtsSearcher {
    conn: Connection,
}

/// `s` as an FTS5 string (a phrase): in double quotes, quotes doubled.
fn phrase(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `s` as a LIKE pattern matching it anywhere (with `\` escaping `%`, `_` and itself).
fn like(s: &str) -> String {
    let mut p = String::from("%");
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl FtsSearcher {
    /// Runs the count and the page (rowid, title, passage: every column read, as a page would
    /// show them) with the same parameters.
    fn count_and_page(
        &mut self,
        condition: &str,
        page: &str,
        order: &str,
        values: &[Value],
    ) -> anyhow::Result<Found> {
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM fts WHERE {condition}"))?
            .query_row(rusqlite::params_from_iter(values), |r| r.get(0))?;
        let mut top = self.conn.prepare_cached(&format!(
            "{page} WHERE {condition} ORDER BY {order} LIMIT {PAGE}"
        ))?;
        let hits = top
            .query_map(rusqlite::params_from_iter(values), |r| {
                let id: i64 = r.get(0)?;
                let _title: String = r.get(1)?;
                let _passage: String = r.get(2)?;
                Ok(format!("{:08}", id & 0xFFFF_FFFF))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Found {
            total: usize::try_from(total)?,
            hits,
        })
    }

    /// Words all of three or more characters: one MATCH of the phrases, ranked by bm25, with a
    /// highlighted title and a snippet, plus the count.
    fn by_match(&mut self, q: &Query, lo: i64, hi: i64) -> anyhow::Result<Found> {
        let expr = q
            .substrings
            .iter()
            .map(|s| phrase(s))
            .collect::<Vec<_>>()
            .join(" AND ");
        self.count_and_page(
            "fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3",
            "SELECT rowid, highlight(fts, 3, '<mark>', '</mark>'),
                    snippet(fts, -1, '<mark>', '</mark>', '…', 40) FROM fts",
            BM25,
            &[expr.into(), lo.into(), hi.into()],
        )
    }

    /// A word shorter than three characters: LIKE over every column of the complex's rows (a
    /// scan), newest first; no relevance without MATCH.
    fn by_like(&mut self, q: &Query, lo: i64, hi: i64) -> anyhow::Result<Found> {
        let words = (0..q.substrings.len())
            .map(|i| {
                let any = COLUMNS
                    .iter()
                    .map(|c| format!("{c} LIKE ?{} ESCAPE '\\'", i + 3))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                format!("({any})")
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        let mut values: Vec<Value> = vec![lo.into(), hi.into()];
        values.extend(q.substrings.iter().map(|s| like(s).into()));
        self.count_and_page(
            &format!("rowid BETWEEN ?1 AND ?2 AND {words}"),
            "SELECT rowid, title, substr(body, 1, 160) FROM fts",
            "date DESC",
            &values,
        )
    }
}

impl Searcher for FtsSearcher {
    fn search(&mut self, q: &Query) -> anyhow::Result<Found> {
        let (lo, hi) = complex_range(&q.complex)?;
        if q.trigram_indexable() {
            self.by_match(q, lo, hi)
        } else {
            self.by_like(q, lo, hi)
        }
    }
}

/// The query plans SQLite chooses for the two kinds of search (printed with the report, so a
/// reader can see that both narrow to the complex's rowid range).
pub fn plans(fts: &Fts) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for sql in [
        "SELECT rowid FROM fts WHERE fts MATCH '\"관리비\"' AND rowid BETWEEN 0 AND 10 ORDER BY bm25(fts) LIMIT 10",
        "SELECT rowid FROM fts WHERE rowid BETWEEN 0 AND 10 AND (title LIKE '%공사%' OR body LIKE '%공사%') ORDER BY date DESC LIMIT 10",
    ] {
        let mut stmt = fts.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(3))?
            .collect::<Result<Vec<_>, _>>()?;
        out.push(rows.join("; "));
    }
    Ok(out)
}
