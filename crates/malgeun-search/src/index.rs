//! The document index over tantivy: one index per service data folder, one index document per
//! (complex, document), replaced whole on every change. The indexer's position in the outbox is
//! the commit's payload, so the index and the position it reflects are committed together.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

use crate::analyzer::{KOREAN_BIGRAM, KoreanBigramTokenizer, analyze, query_words};
use crate::error::SearchError;

/// Memory the index writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;

/// Longest passage shown with a hit, in characters.
const SNIPPET_CHARS: usize = 160;

/// What the index knows of one document: its text, the fields the filters and the order use, and
/// who may see it.
#[derive(Clone, Debug, Default)]
pub struct IndexDocument {
    /// Complex id.
    pub complex: String,
    /// Document id.
    pub id: String,
    /// Kind code.
    pub kind_code: String,
    /// Kind name (e.g. 지출결의서).
    pub kind_name: String,
    /// Status code.
    pub status: String,
    /// Title of the current version.
    pub title: String,
    /// Body of the current version.
    pub body: String,
    /// The text of the form's values, one per line.
    pub fields: String,
    /// Registration number, once registered.
    pub registration_number: Option<String>,
    /// The drafting position's title and the drafter's name.
    pub drafter: String,
    /// Attachment names.
    pub attachments: Vec<String>,
    /// The text inside the attachments (one entry per file whose text was extracted).
    pub attachment_text: Vec<String>,
    /// The document's date (microseconds, UTC): when it was registered, else when it was created.
    pub date: i64,
    /// Year of `date` in Seoul.
    pub year: i64,
    /// Last change (microseconds, UTC).
    pub updated_at: i64,
    /// Access terms: who may open it (see [`Access`]).
    pub access: Vec<String>,
}

/// Access terms: a document lists who may open it, a searcher lists who they are, and a hit
/// needs one term in common. This mirrors `malgeun_domain::access::may_view`.
#[derive(Clone, Debug, Default)]
pub struct Access;

impl Access {
    /// The drafting position (sees its documents in every state).
    pub fn drafter(position: &str) -> String {
        format!("d:{position}")
    }

    /// A position on the line (sees the document once it is no longer a draft).
    pub fn line(position: &str) -> String {
        format!("l:{position}")
    }

    /// A role the kind lets see its documents (only for unrestricted kinds, once not a draft).
    pub fn role(role: &str) -> String {
        format!("r:{role}")
    }

    /// The access terms of a document.
    pub fn of_document(
        drafter_position: &str,
        line_positions: &[String],
        viewer_roles: &[String],
        restricted: bool,
        is_draft: bool,
    ) -> Vec<String> {
        let mut terms = vec![Self::drafter(drafter_position)];
        if !is_draft {
            terms.extend(line_positions.iter().map(|p| Self::line(p)));
            if !restricted {
                terms.extend(viewer_roles.iter().map(|r| Self::role(r)));
            }
        }
        terms
    }
}

/// Which documents a search may return and how they are filtered.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only kinds with these codes (all when empty).
    pub kinds: Vec<String>,
    /// Only these statuses (all when empty).
    pub statuses: Vec<String>,
    /// Only this year (Seoul) of the document's date.
    pub year: Option<i64>,
    /// Document date at or after (microseconds, UTC).
    pub from: Option<i64>,
    /// Document date before (microseconds, UTC).
    pub until: Option<i64>,
}

/// The order of hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest document date first.
    Date,
}

/// A search: the text, the searcher's complex and access terms, filters, order and page.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    /// The query text as typed.
    pub text: String,
    /// The complex searched (never more than one).
    pub complex: String,
    /// The searcher's access terms (see [`Access`]).
    pub access: Vec<String>,
    /// Filters.
    pub filter: Filter,
    /// Order.
    pub sort: Sort,
    /// Most hits returned.
    pub limit: usize,
    /// Hits skipped.
    pub offset: usize,
}

/// One hit.
#[derive(Clone, Debug)]
pub struct Hit {
    /// Document id.
    pub id: String,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
    /// Kind code.
    pub kind_code: String,
    /// Kind name.
    pub kind_name: String,
    /// Status code.
    pub status: String,
    /// Title as stored.
    pub title: String,
    /// Title as HTML with the matches in `<mark>` (text escaped).
    pub title_html: String,
    /// The best passage of the body, the form, the attachment names or the text inside the
    /// attachments as HTML with `<mark>` (text escaped); empty when only the title matched.
    pub snippet_html: String,
    /// Registration number.
    pub registration_number: Option<String>,
    /// Drafting position and drafter.
    pub drafter: String,
    /// Document date (microseconds, UTC).
    pub date: i64,
    /// Last change (microseconds, UTC).
    pub updated_at: i64,
}

/// A page of hits.
#[derive(Clone, Debug, Default)]
pub struct SearchResults {
    /// How many documents match in all.
    pub total: usize,
    /// The hits of the page.
    pub hits: Vec<Hit>,
}

/// The indexer's position in the outbox (the ledger): for each complex, how many of its ledger
/// entries the index reflects (the index of the next entry to read).
pub type Position = BTreeMap<String, i64>;

#[derive(Clone, Copy, Debug)]
struct Fields {
    key: Field,
    complex: Field,
    id: Field,
    kind_code: Field,
    kind_name: Field,
    status: Field,
    title: Field,
    body: Field,
    form: Field,
    regno: Field,
    drafter: Field,
    attachments: Field,
    attachment_text: Field,
    date: Field,
    year: Field,
    updated_at: Field,
    access: Field,
}

/// The text fields searched, with their weights.
const WEIGHTS: &[(&str, f32)] = &[
    ("title", 3.0),
    ("regno", 3.0),
    ("kind_name", 1.5),
    ("form", 1.0),
    ("body", 1.0),
    ("drafter", 1.0),
    ("attachments", 1.0),
    ("attachment_text", 0.8),
];

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KOREAN_BIGRAM)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        complex: b.add_text_field("complex", STRING),
        id: b.add_text_field("id", STRING | STORED),
        kind_code: b.add_text_field("kind_code", STRING | STORED),
        kind_name: b.add_text_field("kind_name", text.clone()),
        status: b.add_text_field("status", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text.clone()),
        form: b.add_text_field("form", text.clone()),
        regno: b.add_text_field("regno", text.clone()),
        drafter: b.add_text_field("drafter", text.clone()),
        attachments: b.add_text_field("attachments", text.clone()),
        attachment_text: b.add_text_field("attachment_text", text),
        date: b.add_i64_field("date", INDEXED | FAST | STORED),
        year: b.add_i64_field("year", INDEXED | STORED),
        updated_at: b.add_i64_field("updated_at", STORED),
        access: b.add_text_field("access", STRING),
    };
    (b.build(), fields)
}

fn key(complex: &str, id: &str) -> String {
    format!("{complex}/{id}")
}

/// The search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    committed: Mutex<Position>,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the folder and an empty index when there is none. An
    /// index built with another schema (an older version of this crate) is deleted and started
    /// afresh: it is derived data, and an empty index replays the whole outbox.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let io = |e| SearchError::Io(dir.display().to_string(), e);
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema();
        match Index::open_or_create(MmapDirectory::open(dir)?, schema.clone()) {
            Ok(index) => return Self::wrap(index, fields),
            Err(tantivy::TantivyError::SchemaError(_)) => {}
            Err(e) => return Err(e.into()),
        }
        std::fs::remove_dir_all(dir).map_err(io)?;
        std::fs::create_dir_all(dir).map_err(io)?;
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        Self::wrap(index, fields)
    }

    /// An index in memory (tests and measurements).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::wrap(Index::create_in_ram(schema), fields)
    }

    fn wrap(index: Index, fields: Fields) -> Result<Self, SearchError> {
        index
            .tokenizers()
            .register(KOREAN_BIGRAM, KoreanBigramTokenizer);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let committed = Mutex::new(read_position(&index)?);
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(None),
            committed,
            fields,
        })
    }

    /// The outbox position of the last commit (empty for a new index).
    pub fn position(&self) -> Result<Position, SearchError> {
        Ok(self
            .committed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone())
    }

    fn set_position(&self, position: &Position) {
        position.clone_into(
            &mut self
                .committed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
    }

    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(self.index.writer_with_num_threads(1, WRITER_MEMORY)?);
        }
        let writer = guard.as_mut().ok_or(SearchError::WriterGone)?;
        let result = f(writer);
        if result.is_err() {
            // Drop what was not committed; the next batch starts from the last commit.
            *guard = None;
        }
        result
    }

    /// Applies a batch of changes and commits it with the outbox position it reaches: each
    /// document in `put` replaces the one with its key, each key in `remove` is deleted. Nothing
    /// is visible (or remembered) until this returns; a crash before loses the whole batch, which
    /// the outbox then replays.
    pub fn apply(
        &self,
        put: &[IndexDocument],
        remove: &[(String, String)],
        position: &Position,
    ) -> Result<(), SearchError> {
        let f = self.fields;
        self.commit_with(position, |w| {
            for (complex, id) in remove {
                w.delete_term(Term::from_field_text(f.key, &key(complex, id)));
            }
            for d in put {
                w.delete_term(Term::from_field_text(f.key, &key(&d.complex, &d.id)));
                w.add_document(self.to_tantivy(d))?;
            }
            Ok(())
        })
    }

    /// Empties the index and sets the position (the start of a rebuild); committed at once.
    pub fn clear(&self, position: &Position) -> Result<(), SearchError> {
        self.commit_with(position, |w| {
            w.delete_all_documents()?;
            Ok(())
        })
    }

    /// Makes `change` with the writer and commits it with `position` as the commit's payload, so
    /// the documents and the position they reflect are durable together; then reloads the reader.
    fn commit_with(
        &self,
        position: &Position,
        change: impl FnOnce(&mut IndexWriter) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        self.with_writer(|w| {
            change(w)?;
            let mut commit = w.prepare_commit()?;
            commit.set_payload(&payload(position));
            commit.commit()?;
            Ok(())
        })?;
        self.set_position(position);
        self.reader.reload()?;
        Ok(())
    }

    /// Waits until the segment merges started by earlier commits have finished, then shows
    /// their result to searches. A bulk load (a rebuild, a benchmark) ends with this, so what it
    /// leaves is the index that later searches read rather than one still being rewritten. The
    /// writer is released; the next change opens a new one.
    pub fn wait_merges(&self) -> Result<(), SearchError> {
        let writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(writer) = writer {
            writer.wait_merging_threads()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// How many documents the index holds (all complexes).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn to_tantivy(&self, d: &IndexDocument) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, key(&d.complex, &d.id));
        doc.add_text(f.complex, &d.complex);
        doc.add_text(f.id, &d.id);
        doc.add_text(f.kind_code, &d.kind_code);
        doc.add_text(f.kind_name, &d.kind_name);
        doc.add_text(f.status, &d.status);
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        doc.add_text(f.form, &d.fields);
        if let Some(n) = &d.registration_number {
            doc.add_text(f.regno, n);
        }
        doc.add_text(f.drafter, &d.drafter);
        for a in &d.attachments {
            doc.add_text(f.attachments, a);
        }
        for t in &d.attachment_text {
            doc.add_text(f.attachment_text, t);
        }
        doc.add_i64(f.date, d.date);
        doc.add_i64(f.year, d.year);
        doc.add_i64(f.updated_at, d.updated_at);
        for a in &d.access {
            doc.add_text(f.access, a);
        }
        doc
    }

    fn field(&self, name: &str) -> Field {
        let f = self.fields;
        match name {
            "title" => f.title,
            "regno" => f.regno,
            "kind_name" => f.kind_name,
            "form" => f.form,
            "drafter" => f.drafter,
            "attachments" => f.attachments,
            "attachment_text" => f.attachment_text,
            _ => f.body,
        }
    }

    /// The query for the text alone: every word must match in some field, as a phrase of its
    /// bigrams, in the form typed or without its particle. `None` when the text has no word.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let words = query_words(text);
        if words.is_empty() {
            return None;
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for forms in words {
            let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (name, weight) in WEIGHTS {
                let field = self.field(name);
                for form in &forms {
                    let terms: Vec<Term> = analyze(form)
                        .into_iter()
                        .map(|p| Term::from_field_text(field, &p.text))
                        .collect();
                    let q: Box<dyn Query> = match terms.len() {
                        0 => continue,
                        1 => Box::new(TermQuery::new(
                            terms.into_iter().next()?,
                            IndexRecordOption::WithFreqs,
                        )),
                        _ => Box::new(PhraseQuery::new(terms)),
                    };
                    should.push((Occur::Should, Box::new(BoostQuery::new(q, *weight))));
                }
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        Some(Box::new(BooleanQuery::new(must)))
    }

    fn any_of(&self, field: Field, values: &[String]) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            values
                .iter()
                .map(|v| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect(),
        ))
    }

    /// Runs a search. The complex and the access terms are part of the query itself, so a
    /// document of another complex, or one the searcher may not open, never matches. An empty
    /// text or no access terms find nothing.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let f = self.fields;
        let Some(text_query) = self.text_query(&req.text) else {
            return Ok(SearchResults::default());
        };
        if req.access.is_empty() {
            return Ok(SearchResults::default());
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text_query),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.complex, &req.complex),
                    IndexRecordOption::Basic,
                )),
            ),
            (Occur::Must, self.any_of(f.access, &req.access)),
        ];
        let filter = &req.filter;
        if !filter.kinds.is_empty() {
            must.push((Occur::Must, self.any_of(f.kind_code, &filter.kinds)));
        }
        if !filter.statuses.is_empty() {
            must.push((Occur::Must, self.any_of(f.status, &filter.statuses)));
        }
        if let Some(year) = filter.year {
            must.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_i64(f.year, year),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if filter.from.is_some() || filter.until.is_some() {
            let lower = filter.from.map_or(Bound::Unbounded, |t| {
                Bound::Included(Term::from_field_i64(f.date, t))
            });
            let upper = filter.until.map_or(Bound::Unbounded, |t| {
                Bound::Excluded(Term::from_field_i64(f.date, t))
            });
            must.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        // Scoring comes from the text alone: the other clauses only filter.
        let query = BooleanQuery::new(must);
        let searcher = self.reader.searcher();
        let limit = req.limit.max(1);
        let (total, page): (usize, Vec<(f32, DocAddress)>) = match req.sort {
            Sort::Relevance => searcher.search(
                &query,
                &(
                    Count,
                    TopDocs::with_limit(limit)
                        .and_offset(req.offset)
                        .order_by_score(),
                ),
            )?,
            Sort::Date => {
                let (total, docs) = searcher.search(
                    &query,
                    &(
                        Count,
                        TopDocs::with_limit(limit)
                            .and_offset(req.offset)
                            .order_by_fast_field::<i64>("date", Order::Desc),
                    ),
                )?;
                (total, docs.into_iter().map(|(_, a)| (0.0, a)).collect())
            }
        };
        let page = if req.limit == 0 { Vec::new() } else { page };
        let hits = self.hits(&searcher, &phrases(&req.text), &page)?;
        Ok(SearchResults { total, hits })
    }

    fn hits(
        &self,
        searcher: &Searcher,
        phrases: &[Vec<String>],
        page: &[(f32, DocAddress)],
    ) -> Result<Vec<Hit>, SearchError> {
        let f = self.fields;
        let mut hits = Vec::with_capacity(page.len());
        for (score, addr) in page {
            let doc: TantivyDocument = searcher.doc(*addr)?;
            let text = |field: Field| {
                doc.get_all(field)
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let int = |field: Field| doc.get_first(field).and_then(|v| v.as_i64()).unwrap_or(0);
            let title = text(f.title);
            // A title is short: show it whole, marked where it matched.
            let title_html = highlight(&title, phrases);
            let snippet_html = [f.body, f.form, f.attachments, f.attachment_text]
                .into_iter()
                .find_map(|field| passage(&text(field), phrases, SNIPPET_CHARS))
                .unwrap_or_default();
            let regno = text(f.regno);
            hits.push(Hit {
                id: text(f.id),
                score: *score,
                kind_code: text(f.kind_code),
                kind_name: text(f.kind_name),
                status: text(f.status),
                title,
                title_html,
                snippet_html,
                registration_number: (!regno.is_empty()).then_some(regno),
                drafter: text(f.drafter),
                date: int(f.date),
                updated_at: int(f.updated_at),
            });
        }
        Ok(hits)
    }
}

/// The position stored in the last commit's payload.
fn read_position(index: &Index) -> Result<Position, SearchError> {
    let payload = index.load_metas()?.payload.unwrap_or_default();
    let mut position = Position::new();
    for line in payload.lines().filter(|l| !l.is_empty()) {
        let (complex, seq) = line
            .split_once(' ')
            .and_then(|(c, s)| Some((c, s.parse::<i64>().ok()?)))
            .ok_or_else(|| SearchError::BadPosition(line.to_owned()))?;
        position.insert(complex.to_owned(), seq);
    }
    Ok(position)
}

fn payload(position: &Position) -> String {
    position.iter().map(|(c, s)| format!("{c} {s}\n")).collect()
}

/// The token sequences a query looks for: each form of each word, analysed.
pub fn phrases(query: &str) -> Vec<Vec<String>> {
    query_words(query)
        .iter()
        .flatten()
        .map(|form| {
            analyze(form)
                .into_iter()
                .map(|p| p.text)
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Where the phrases occur in the text: byte ranges, merged where they touch or overlap.
fn matches(text: &str, phrases: &[Vec<String>]) -> Vec<(usize, usize)> {
    let pieces = analyze(text);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for (i, _) in pieces.iter().enumerate() {
        for phrase in phrases {
            let n = phrase.len();
            if i + n <= pieces.len()
                && pieces[i..i + n]
                    .iter()
                    .zip(phrase)
                    .all(|(p, t)| p.text == *t)
            {
                ranges.push((pieces[i].from, pieces[i + n - 1].to));
            }
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (from, to) in ranges {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// `text[start..end]` as HTML with the ranges (clipped to it) in `<mark>` and the rest escaped.
fn mark(text: &str, start: usize, end: usize, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(end - start + ranges.len() * 13);
    let mut at = start;
    for &(from, to) in ranges {
        let (from, to) = (from.max(start), to.min(end));
        if from >= to || from < at {
            continue;
        }
        out.push_str(&escape(&text[at..from]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[from..to]));
        out.push_str("</mark>");
        at = to;
    }
    out.push_str(&escape(&text[at..end]));
    out
}

/// The text as HTML with every occurrence of a query phrase (a word as typed or without its
/// particle) in `<mark>`, and everything else escaped.
pub fn highlight(text: &str, phrases: &[Vec<String>]) -> String {
    mark(text, 0, text.len(), &matches(text, phrases))
}

/// The passage of at most `max_chars` characters that holds the most matches, as HTML with them
/// marked; it starts a little before its first match. `None` when nothing matches.
pub fn passage(text: &str, phrases: &[Vec<String>], max_chars: usize) -> Option<String> {
    const BEFORE: usize = 20;
    let ranges = matches(text, phrases);
    let chars: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let char_at = |byte: usize| chars.partition_point(|&i| i < byte);
    let byte_of = |c: usize| chars.get(c).copied().unwrap_or(text.len());
    let best = (0..ranges.len()).max_by_key(|&i| {
        let window_end = byte_of(char_at(ranges[i].0) + max_chars - BEFORE);
        let covered = ranges[i..].iter().take_while(|r| r.1 <= window_end).count();
        (covered, std::cmp::Reverse(i))
    })?;
    let first = char_at(ranges[best].0);
    let start_char = first.saturating_sub(BEFORE);
    let end_char = (start_char + max_chars).min(chars.len());
    let (start, end) = (byte_of(start_char), byte_of(end_char));
    let mut html = String::new();
    if start > 0 {
        html.push('…');
    }
    html.push_str(mark(text, start, end, &ranges).trim());
    if end < text.len() {
        html.push('…');
    }
    Some(html)
}

/// Escapes text for HTML (`&`, `<`, `>`, `"`, `'`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
