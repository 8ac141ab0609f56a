//! 문서 검색: permission-aware full-text search over the documents a member may open, and the
//! indexer that keeps the index (derived data, `malgeun-search`) in step with the database.
//!
//! The ledger is the outbox: every change of a document appends a `document.*` entry naming it,
//! in its own transaction (see [`crate::events::record`]), numbered in commit order per complex.
//! The indexer reads the entries after the position the index last committed
//! ([`malgeun_store::search_feed`]), re-reads those documents from the database, and commits the
//! index together with the new position (tantivy's commit payload), so a crash anywhere replays
//! at most one batch, and a replay only replaces documents with themselves. A search first catches up, so it sees every
//! change committed before it started, in any server process.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use malgeun_domain::document::DocumentStatus;
use malgeun_domain::{ComplexId, DocumentId, Timestamp};
use malgeun_search::{Access, Filter, IndexDocument, Position, SearchIndex, SearchRequest, Sort};
use malgeun_store::org;
use malgeun_store::{extraction, search_feed};
use serde::Serialize;

use crate::member::parse_id;
use crate::{App, AppError, Caller, Member};

/// Outbox rows read per batch.
const BATCH: i64 = 500;

/// Furthest a search pages (the index ranks `offset + limit` hits to answer a page).
const MAX_OFFSET: usize = 10_000;

/// Longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 200;

/// The index and the lock that lets one task at a time feed it.
pub(crate) struct SearchState {
    index: Arc<SearchIndex>,
    feeding: tokio::sync::Mutex<()>,
}

/// The order of hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SearchSort {
    /// 정확도순.
    #[default]
    Relevance,
    /// 최신순 (the document's date: registered, else created).
    Date,
}

impl SearchSort {
    /// Parses `relevance` or `date`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "relevance" => Some(Self::Relevance),
            "date" => Some(Self::Date),
            _ => None,
        }
    }

    /// The code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Date => "date",
        }
    }
}

/// What to search for.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    /// The words as typed.
    pub text: String,
    /// Only these kinds (codes).
    pub kinds: Vec<String>,
    /// Only these statuses (codes).
    pub statuses: Vec<String>,
    /// Only this year (Seoul) of the document's date.
    pub year: Option<i64>,
    /// From this day (YYYY-MM-DD, Seoul), inclusive.
    pub from: Option<String>,
    /// Up to this day (YYYY-MM-DD, Seoul), inclusive.
    pub to: Option<String>,
    /// Order.
    pub sort: SearchSort,
}

/// One hit as the API and the pages show it.
#[derive(Clone, Debug, Serialize)]
pub struct SearchHit {
    /// Document id.
    pub id: String,
    /// Kind code.
    pub kind_code: String,
    /// Kind name.
    pub kind_name: String,
    /// Status code.
    pub status: String,
    /// Korean status label.
    pub status_label: &'static str,
    /// Title.
    pub title: String,
    /// Title as HTML, matches in `<mark>`, everything else escaped.
    pub title_html: String,
    /// A matching passage as HTML, matches in `<mark>`, everything else escaped (may be empty).
    pub snippet_html: String,
    /// Registration number.
    pub registration_number: Option<String>,
    /// Drafting position and drafter.
    pub drafter: String,
    /// The document's date (registered, else created; RFC 3339).
    pub date: String,
    /// The same, shown in Seoul.
    pub date_display: String,
    /// Relevance score (0 when ordered by date).
    pub score: f32,
}

/// A page of search results.
#[derive(Clone, Debug, Serialize)]
pub struct SearchPage {
    /// How many documents the member may open match in all.
    pub total: usize,
    /// The hits of the page.
    pub items: Vec<SearchHit>,
}

fn bad_query(ko: &str, en: &str) -> AppError {
    AppError::invalid("invalid_search", ko, en)
}

fn search_unavailable() -> AppError {
    AppError::internal("the search index is not open")
}

impl App {
    /// Opens (or creates) the search index in `dir`; from now on searches use it. Call once.
    pub fn enable_search(&self, dir: &Path) -> Result<(), AppError> {
        let index = SearchIndex::open(dir).map_err(AppError::internal)?;
        self.inner
            .search
            .set(Arc::new(SearchState {
                index: Arc::new(index),
                feeding: tokio::sync::Mutex::new(()),
            }))
            .map_err(|_| AppError::internal("the search index is already open"))
    }

    fn search_state(&self) -> Result<Arc<SearchState>, AppError> {
        self.inner
            .search
            .get()
            .cloned()
            .ok_or_else(search_unavailable)
    }

    /// What the index needs of one document, read from the database; `None` when it is gone.
    async fn index_document(
        &self,
        mut conn: malgeun_store::db::Conn<'_>,
        complex: ComplexId,
        id: &str,
    ) -> Result<Option<IndexDocument>, AppError> {
        let Ok(did) = id.parse::<DocumentId>() else {
            return Ok(None);
        };
        let l = match self.load(conn.reborrow(), complex, did).await {
            Ok(l) => l,
            Err(e) if e.code == "document_not_found" => return Ok(None),
            Err(e) => return Err(e),
        };
        let cid = complex.to_string();
        let drafter_title = org::positions(conn.reborrow(), &cid)
            .await?
            .into_iter()
            .find(|p| p.id == l.doc.drafter_position_id)
            .map(|p| p.title)
            .unwrap_or_default();
        let drafter_name = org::person(conn.reborrow(), &l.doc.drafter_person_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        let line = search_feed::line_positions(conn.reborrow(), &cid, &l.doc.id).await?;
        let roles: Vec<String> = l
            .kind
            .viewers()
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect();
        let date = Timestamp::from_micros(l.doc.registered_at.unwrap_or(l.doc.created_at));
        let attachment_text =
            extraction::version_texts(conn.reborrow(), &cid, &l.doc.id, l.version.version).await?;
        let mut fields = String::new();
        if let Ok(form) = serde_json::from_str::<serde_json::Value>(&l.version.form_json) {
            form_text(&form, &mut fields);
        }
        Ok(Some(IndexDocument {
            complex: cid,
            id: l.doc.id.clone(),
            kind_code: l.doc.kind_code.clone(),
            kind_name: l.kind.name().to_owned(),
            status: l.doc.status.clone(),
            title: l.version.title.clone(),
            body: l.version.body.clone(),
            fields,
            registration_number: l.doc.registration_number.clone(),
            drafter: format!("{drafter_title} {drafter_name}").trim().to_owned(),
            attachments: l.attachments.iter().map(|a| a.name.clone()).collect(),
            attachment_text,
            date: date.as_micros(),
            year: i64::from(date.seoul_year()),
            updated_at: l.doc.updated_at,
            access: Access::of_document(
                &l.doc.drafter_position_id,
                &line,
                &roles,
                l.kind.restricted(),
                l.status == DocumentStatus::Draft,
            ),
        }))
    }

    /// Brings the index up to date with the outbox: every change committed before this call is
    /// in the index when it returns. Returns how many documents were (re)indexed.
    ///
    /// A search catches up its own complex first, so it sees every change committed before it
    /// started (read-your-writes), in whichever process the change was made.
    pub async fn catch_up_search(&self) -> Result<usize, AppError> {
        self.catch_up(None).await
    }

    /// Catches up every complex, or only `only` (what a search in that complex needs).
    async fn catch_up(&self, only: Option<ComplexId>) -> Result<usize, AppError> {
        let state = self.search_state()?;
        let _feeding = state.feeding.lock().await;
        let mut position = state.index.position().map_err(AppError::internal)?;
        let mut r = self.db().reader().await?;
        let heads = match only {
            Some(c) => {
                let cid = c.to_string();
                let last = search_feed::head(r.conn(), &cid).await?;
                vec![(cid, last)]
            }
            None => search_feed::heads(r.conn()).await?,
        };
        let mut indexed = 0;
        for (complex, last) in heads {
            let mut from = position.get(&complex).copied().unwrap_or(0);
            let cid: ComplexId = parse_id(&complex)?;
            while from < last {
                let rows = search_feed::after(r.conn(), &complex, from, BATCH).await?;
                // A short batch holds every document entry up to `last`: the entries after the
                // last of them changed no document, and the position moves past them too.
                let read = rows.last().map_or(from, |(next, _)| *next);
                let short = i64::try_from(rows.len()).unwrap_or(i64::MAX) < BATCH;
                let to = if short { read.max(last) } else { read };
                if to <= from {
                    break;
                }
                from = to;
                let ids: BTreeSet<String> = rows.into_iter().map(|(_, d)| d).collect();
                let mut put = Vec::new();
                let mut remove = Vec::new();
                for id in ids {
                    match self.index_document(r.conn(), cid, &id).await? {
                        Some(d) => put.push(d),
                        None => remove.push((complex.clone(), id)),
                    }
                }
                indexed += put.len();
                position.insert(complex.clone(), from);
                apply(&state, put, remove, position.clone()).await?;
            }
        }
        Ok(indexed)
    }

    /// Rebuilds the index from the database (`malgeun reindex`): empties it, then indexes every
    /// document. The outbox heads are read first, so a change that lands during the rebuild is
    /// replayed afterwards rather than lost. Returns how many documents were indexed.
    pub async fn reindex(&self) -> Result<usize, AppError> {
        let state = self.search_state()?;
        let _feeding = state.feeding.lock().await;
        let mut r = self.db().reader().await?;
        let position: Position = search_feed::heads(r.conn()).await?.into_iter().collect();
        {
            let state = state.clone();
            let empty = Position::new();
            tokio::task::spawn_blocking(move || state.index.clear(&empty))
                .await
                .map_err(AppError::internal)?
                .map_err(AppError::internal)?;
        }
        let mut after = (String::new(), String::new());
        let mut indexed = 0;
        loop {
            let keys = search_feed::document_keys(r.conn(), (&after.0, &after.1), BATCH).await?;
            let Some(last) = keys.last().cloned() else {
                break;
            };
            let mut put = Vec::new();
            for (complex, id) in &keys {
                let cid: ComplexId = parse_id(complex)?;
                if let Some(d) = self.index_document(r.conn(), cid, id).await? {
                    put.push(d);
                }
            }
            indexed += put.len();
            // The position stays empty until the end, so an interrupted rebuild starts over.
            apply(&state, put, Vec::new(), Position::new()).await?;
            after = last;
        }
        apply(&state, Vec::new(), Vec::new(), position).await?;
        drop(_feeding);
        // Changes committed while the rebuild ran.
        Ok(indexed + self.catch_up_search().await?)
    }

    /// Keeps the index caught up in the background until the process ends (`serve`, `demo`).
    pub async fn index_forever(self, every: Duration) {
        loop {
            if let Err(e) = self.catch_up_search().await {
                tracing::warn!(error = %e, "search indexing failed; trying again");
            }
            tokio::time::sleep(every).await;
        }
    }

    /// Searches the documents the member may open in their complex.
    pub async fn search(
        &self,
        member: &Member,
        query: &SearchQuery,
        limit: usize,
        offset: usize,
    ) -> Result<SearchPage, AppError> {
        if offset > MAX_OFFSET {
            return Err(bad_query(
                "검색 결과는 처음 10,000건까지 넘겨 볼 수 있습니다. 조건을 좁혀 주세요.",
                "offset past 10,000: narrow the search",
            ));
        }
        let text = malgeun_domain::text::nfc(query.text.trim());
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(bad_query(
                "검색어는 200자까지 입력할 수 있습니다.",
                "the query is longer than 200 characters",
            ));
        }
        let day = |s: &Option<String>, what: &str| -> Result<Option<NaiveDate>, AppError> {
            s.as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| {
                    malgeun_domain::time::parse_date(d).ok_or_else(|| {
                        bad_query(
                            "날짜는 YYYY-MM-DD 형식으로 입력하세요.",
                            &format!("`{what}` must be a date YYYY-MM-DD"),
                        )
                    })
                })
                .transpose()
        };
        let (from, until) =
            malgeun_domain::time::seoul_days(day(&query.from, "from")?, day(&query.to, "to")?);
        let (from, until) = (
            from.map(Timestamp::as_micros),
            until.map(Timestamp::as_micros),
        );
        for s in &query.statuses {
            if s.parse::<DocumentStatus>().is_err() {
                return Err(bad_query(
                    "알 수 없는 문서 상태입니다.",
                    &format!("unknown status `{s}`"),
                ));
            }
        }
        let state = self.search_state()?;
        // Read-your-writes: the index reflects every change committed before this search. When
        // another process feeds this folder's index, search what it has committed.
        if let Err(e) = self.catch_up(Some(member.complex)).await {
            tracing::warn!(error = %e, "search index not caught up");
        }
        let mut access = Vec::new();
        for p in &member.positions {
            access.push(Access::drafter(&p.id.to_string()));
            access.push(Access::line(&p.id.to_string()));
            access.push(Access::role(p.role.as_str()));
        }
        for p in &member.deputy_for {
            access.push(Access::line(&p.id.to_string()));
        }
        let request = SearchRequest {
            text,
            complex: member.complex.to_string(),
            access,
            filter: Filter {
                kinds: query.kinds.clone(),
                statuses: query.statuses.clone(),
                year: query.year,
                from,
                until,
            },
            sort: match query.sort {
                SearchSort::Relevance => Sort::Relevance,
                SearchSort::Date => Sort::Date,
            },
            limit: limit.min(100),
            offset,
        };
        let results = tokio::task::spawn_blocking(move || state.index.search(&request))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        Ok(SearchPage {
            total: results.total,
            items: results
                .hits
                .into_iter()
                .map(|h| {
                    let date = Timestamp::from_micros(h.date);
                    SearchHit {
                        status_label: h
                            .status
                            .parse::<DocumentStatus>()
                            .map_or("?", DocumentStatus::label_ko),
                        id: h.id,
                        kind_code: h.kind_code,
                        kind_name: h.kind_name,
                        status: h.status,
                        title: h.title,
                        title_html: h.title_html,
                        snippet_html: h.snippet_html,
                        registration_number: h.registration_number,
                        drafter: h.drafter,
                        date: date.to_rfc3339(),
                        date_display: date.seoul_display(),
                        score: h.score,
                    }
                })
                .collect(),
        })
    }

    /// A person by login, as a caller (the command line acts as them).
    pub async fn caller_by_login(&self, login: &str) -> Result<Option<Caller>, AppError> {
        let mut r = self.db().reader().await?;
        org::person_by_login(r.conn(), login)
            .await?
            .map(|p| {
                Ok(Caller {
                    person: parse_id(&p.id)?,
                    name: p.name,
                    login: p.login,
                    operator: p.is_operator,
                })
            })
            .transpose()
    }
}

async fn apply(
    state: &Arc<SearchState>,
    put: Vec<IndexDocument>,
    remove: Vec<(String, String)>,
    position: Position,
) -> Result<(), AppError> {
    let index = state.index.clone();
    tokio::task::spawn_blocking(move || index.apply(&put, &remove, &position))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// The text of a form's values, one per line: strings and numbers, in tables row by row.
fn form_text(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| form_text(i, out)),
        serde_json::Value::Object(map) => map.values().for_each(|i| form_text(i, out)),
        serde_json::Value::Bool(_) | serde_json::Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_become_lines_of_text() {
        let v = serde_json::json!({"vendor": "한빛승강기", "items": [{"name": "권상기", "amount": 1200000}], "ok": true});
        let mut out = String::new();
        form_text(&v, &mut out);
        assert_eq!(
            out, "1200000\n권상기\n한빛승강기\n",
            "keys in order, tables row by row"
        );
    }
}
