//! What the web pages need beyond the JSON API's lists: a 결재함 tab filtered by title, sorted and
//! counted for paging; the 문서등록대장 filtered by drafting position and registration date; and
//! the default 결재선 a drafter starts from. Each reads through the same store queries and the same
//! visibility rules as [`App::inbox`] and [`App::register`].

use chrono::NaiveDate;
use malgeun_domain::{PositionId, Timestamp};
use malgeun_store::documents::{self, ListOrder, RegisterFilter, Tab};
use serde::Serialize;

use super::line::default_line;
use super::view::DocumentSummary;
use crate::App;
use crate::error::AppError;
use crate::member::Member;

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
    /// First registration date (Seoul), inclusive.
    pub from: Option<NaiveDate>,
    /// Last registration date (Seoul), inclusive.
    pub to: Option<NaiveDate>,
}

/// A step of the default line with the names a form shows.
#[derive(Clone, Debug, Serialize)]
pub struct DefaultStep {
    /// Step kind code.
    pub kind: &'static str,
    /// Position ids.
    pub positions: Vec<String>,
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
        // SQLite's lower() folds ASCII only; titles are mostly Hangul, which has no case.
        let needle = malgeun_domain::text::nfc(title.trim()).to_lowercase();
        let pattern = (!needle.is_empty()).then(|| documents::contains_pattern(&needle));
        let order = match sort {
            InboxSort::Recent => ListOrder::Recent,
            InboxSort::Oldest => ListOrder::Oldest,
            InboxSort::Title => ListOrder::Title,
        };
        let mut r = self.db().reader().await?;
        let total =
            documents::inbox_count_where(r.conn(), &cid, &pid, tab, pattern.as_deref()).await?;
        let items = documents::inbox_where(
            r.conn(),
            &cid,
            &pid,
            tab,
            pattern.as_deref(),
            order,
            limit.clamp(1, 200),
            offset.max(0),
        )
        .await?;
        Ok(ListPage {
            items: items
                .into_iter()
                .map(DocumentSummary::from_listed)
                .collect(),
            total,
        })
    }

    /// The 문서등록대장 with the pages' filters, in serial order, and how many rows match;
    /// restricted titles are masked as in [`App::register`].
    pub async fn register_filtered(
        &self,
        member: &Member,
        query: &RegisterQuery,
        limit: i64,
        offset: i64,
    ) -> Result<ListPage, AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let (from, before) = malgeun_domain::time::seoul_days(query.from, query.to);
        let filter = RegisterFilter {
            year: query.year,
            kind_code: query.kind_code.clone(),
            drafter_position_id: query.drafter_position.map(|p| p.to_string()),
            registered_from: from.map(Timestamp::as_micros),
            registered_before: before.map(Timestamp::as_micros),
        };
        let mut r = self.db().reader().await?;
        let total = documents::register_count(r.conn(), &cid, &filter).await?;
        let rows = documents::register(
            r.conn(),
            &cid,
            &filter,
            limit.clamp(1, 100_000),
            offset.max(0),
        )
        .await?;
        let items = self.masked_register_rows(r.conn(), member, rows).await?;
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
