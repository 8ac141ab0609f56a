//! What the web pages need beyond the JSON API's lists: a 결재함 tab filtered by title, sorted and
//! counted for paging; the 문서등록대장 filtered by drafting position and registration date; and
//! the default 결재선 a drafter starts from. Each reads through the same store queries and the same
//! visibility rules as [`App::inbox`] and [`App::register`].

use malgeun_domain::{PositionId, Timestamp};
use malgeun_store::documents::{self, RegisterFilter, Tab};
use serde::Serialize;

use super::line::default_line;
use super::view::DocumentSummary;
use crate::App;
use crate::error::AppError;
use crate::member::Member;

/// Most rows a filtered list reads before paging in memory.
const SCAN_LIMIT: i64 = 100_000;

/// Order of a 결재함 list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InboxSort {
    /// Most recently changed first (the default).
    #[default]
    Recent,
    /// Least recently changed first.
    Oldest,
    /// By title (가나다순).
    Title,
}

impl InboxSort {
    /// Every order in display order.
    pub const ALL: [InboxSort; 3] = [InboxSort::Recent, InboxSort::Oldest, InboxSort::Title];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Recent => "recent",
            Self::Oldest => "oldest",
            Self::Title => "title",
        }
    }

    /// Korean label.
    pub fn label_ko(self) -> &'static str {
        match self {
            Self::Recent => "최근 변경순",
            Self::Oldest => "오래된 순",
            Self::Title => "제목순",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One page of a filtered list and how many rows match in all.
#[derive(Clone, Debug, Serialize)]
pub struct ListPage {
    /// The rows of this page.
    pub items: Vec<DocumentSummary>,
    /// Rows matching the filter.
    pub total: i64,
}

/// Filters of the 문서등록대장 as the pages offer them.
#[derive(Clone, Debug, Default)]
pub struct RegisterQuery {
    /// Registration year.
    pub year: Option<i64>,
    /// Kind code.
    pub kind_code: Option<String>,
    /// Drafting position.
    pub drafter_position: Option<PositionId>,
    /// First registration date (Seoul), `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Last registration date (Seoul), `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
}

/// A step of the default line with the names a form shows.
#[derive(Clone, Debug, Serialize)]
pub struct DefaultStep {
    /// Step kind code.
    pub kind: &'static str,
    /// Position ids.
    pub positions: Vec<String>,
}

fn page_of<T>(rows: Vec<T>, limit: i64, offset: i64) -> Vec<T> {
    let skip = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
    let take = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
    rows.into_iter().skip(skip).take(take).collect()
}

impl App {
    /// One 결재함 tab, its rows whose title contains `title` (case-insensitive; empty matches all),
    /// in the given order, `limit` rows from `offset`.
    pub async fn inbox_filtered(
        &self,
        member: &Member,
        tab: Tab,
        title: &str,
        sort: InboxSort,
        limit: i64,
        offset: i64,
    ) -> Result<ListPage, AppError> {
        let cid = member.complex.to_string();
        let pid = member.caller.person.to_string();
        let needle = malgeun_domain::text::nfc(title.trim()).to_lowercase();
        let limit = limit.clamp(1, 200);
        let mut r = self.db().reader().await?;
        if needle.is_empty() && sort == InboxSort::Recent {
            // The store's own order and paging: no scan.
            let total = documents::inbox_count(r.conn(), &cid, &pid, tab).await?;
            let items = documents::inbox(r.conn(), &cid, &pid, tab, limit, offset.max(0)).await?;
            return Ok(ListPage {
                items: items
                    .into_iter()
                    .map(DocumentSummary::from_listed)
                    .collect(),
                total,
            });
        }
        let mut rows = documents::inbox(r.conn(), &cid, &pid, tab, SCAN_LIMIT, 0).await?;
        if !needle.is_empty() {
            rows.retain(|d| d.title.to_lowercase().contains(&needle));
        }
        match sort {
            InboxSort::Recent => {}
            InboxSort::Oldest => rows.sort_by(|a, b| {
                a.updated_at
                    .cmp(&b.updated_at)
                    .then_with(|| a.id.cmp(&b.id))
            }),
            InboxSort::Title => {
                rows.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
            }
        }
        let total = i64::try_from(rows.len()).map_err(AppError::internal)?;
        Ok(ListPage {
            items: page_of(rows, limit, offset)
                .into_iter()
                .map(DocumentSummary::from_listed)
                .collect(),
            total,
        })
    }

    /// The 문서등록대장 with the pages' filters, in serial order; restricted titles are masked as in
    /// [`App::register`].
    pub async fn register_filtered(
        &self,
        member: &Member,
        query: &RegisterQuery,
        limit: i64,
        offset: i64,
    ) -> Result<ListPage, AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let mut r = self.db().reader().await?;
        let filter = RegisterFilter {
            year: query.year,
            kind_code: query.kind_code.clone(),
        };
        let mut rows = documents::register(r.conn(), &cid, &filter, SCAN_LIMIT, 0).await?;
        let drafter = query.drafter_position.map(|p| p.to_string());
        rows.retain(|d| {
            let date = d
                .registered_at
                .map(|t| Timestamp::from_micros(t).seoul_date().to_string())
                .unwrap_or_default();
            drafter.as_ref().is_none_or(|p| &d.drafter_position_id == p)
                && query
                    .from
                    .as_ref()
                    .is_none_or(|f| date.as_str() >= f.as_str())
                && query
                    .to
                    .as_ref()
                    .is_none_or(|t| date.as_str() <= t.as_str())
        });
        let total = i64::try_from(rows.len()).map_err(AppError::internal)?;
        let mut items = Vec::new();
        for d in page_of(rows, limit.clamp(1, 100_000), offset) {
            let restricted = match self.latest_kind(r.conn(), complex, &d.kind_code).await {
                Ok(k) => k.restricted(),
                Err(_) => true,
            };
            let mut s = DocumentSummary::from_listed(d);
            if restricted {
                let (is_drafter, on_line) =
                    documents::relation(r.conn(), &cid, &s.id, &member.caller.person.to_string())
                        .await?;
                if !is_drafter && !on_line {
                    s.title = "(비공개 문서)".to_owned();
                }
            }
            items.push(s);
        }
        Ok(ListPage { items, total })
    }

    /// The kind's default 결재선 for the member's drafting position (the first of their positions
    /// the kind lets draft), as a form prefills it; `None` when none of their positions may draft
    /// the kind.
    pub async fn default_line_for(
        &self,
        member: &Member,
        kind_code: &str,
    ) -> Result<Option<Vec<DefaultStep>>, AppError> {
        let mut r = self.db().reader().await?;
        let kind = self
            .latest_kind(r.conn(), member.complex, kind_code)
            .await?;
        let Some(drafter) = member
            .positions
            .iter()
            .find(|p| kind.drafters().contains(&p.role))
        else {
            return Ok(None);
        };
        let positions = self.positions(member).await?;
        let line = default_line(&kind, &positions, drafter.id)?;
        Ok(Some(
            line.steps()
                .iter()
                .map(|s| DefaultStep {
                    kind: s.kind.code(),
                    positions: s.members.iter().map(ToString::to_string).collect(),
                })
                .collect(),
        ))
    }
}
