//! 문서 검색: the search box of every page leads here; the words, filters (kind, status, year,
//! dates) and order go to `App::search`, which answers only documents the visitor may open, with
//! the matches marked in the title and a passage.

use axum::extract::{Path, State};
use axum::response::Response;
use malgeun_app::App;
use malgeun_app::search::{SearchQuery, SearchSort};
use malgeun_domain::document::DocumentStatus;
use serde::Deserialize;

use super::views::{Layout, Opt, Pager, SearchHitRow, SearchPage};
use super::{
    PageQuery, PageResult, Visitor, enter, html, kind_options, percent_encode, year_options,
};

/// Hits per page.
pub const PER_PAGE: usize = 20;

#[derive(Deserialize, Default, Clone)]
pub(super) struct SearchParams {
    q: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    year: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    page: Option<usize>,
}

fn value(s: Option<&String>) -> String {
    s.map(|s| s.trim().to_owned()).unwrap_or_default()
}

const STATUSES: [DocumentStatus; 5] = [
    DocumentStatus::Draft,
    DocumentStatus::InProgress,
    DocumentStatus::Rejected,
    DocumentStatus::Withdrawn,
    DocumentStatus::Registered,
];

/// `GET /c/{complex}/search`.
pub(super) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
    PageQuery(p): PageQuery<SearchParams>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let page = p.page.unwrap_or(1).max(1);
    let (q, kind, status, year, from, to, sort) = (
        value(p.q.as_ref()),
        value(p.kind.as_ref()),
        value(p.status.as_ref()),
        value(p.year.as_ref()),
        value(p.from.as_ref()),
        value(p.to.as_ref()),
        value(p.sort.as_ref()),
    );
    let mut error = None;
    let mut hits = Vec::new();
    let mut total = 0;
    let parsed_year = if year.is_empty() {
        None
    } else {
        match year.parse::<i64>() {
            Ok(y) => Some(y),
            Err(_) => {
                error = Some("연도를 숫자 네 자리로 골라 주세요.".to_owned());
                None
            }
        }
    };
    let parsed_sort = match sort.as_str() {
        "" => SearchSort::Relevance,
        s => SearchSort::parse(s).unwrap_or_else(|| {
            error = Some("정렬을 다시 골라 주세요.".to_owned());
            SearchSort::Relevance
        }),
    };
    if !q.is_empty() && error.is_none() {
        let query = SearchQuery {
            text: q.clone(),
            kinds: (!kind.is_empty())
                .then(|| kind.clone())
                .into_iter()
                .collect(),
            statuses: (!status.is_empty())
                .then(|| status.clone())
                .into_iter()
                .collect(),
            year: parsed_year,
            from: (!from.is_empty()).then(|| from.clone()),
            to: (!to.is_empty()).then(|| to.clone()),
            sort: parsed_sort,
        };
        match app
            .search(&member, &query, PER_PAGE, (page - 1) * PER_PAGE)
            .await
        {
            Ok(found) => {
                total = found.total;
                hits = found
                    .items
                    .into_iter()
                    .map(|h| SearchHitRow {
                        href: format!("/c/{complex}/documents/{}", h.id),
                        title_html: h.title_html,
                        snippet_html: h.snippet_html,
                        kind_name: h.kind_name,
                        status_label: h.status_label,
                        registration_number: h.registration_number.unwrap_or_default(),
                        drafter: h.drafter,
                        date: h.date_display,
                    })
                    .collect();
            }
            Err(e) if e.kind == malgeun_app::ErrorKind::Invalid => error = Some(e.message_ko),
            Err(e) => return Err(e.into()),
        }
    }
    let years = year_options(&app, &year);
    let kinds = kind_options(&app, &member, &kind).await?;
    let statuses = std::iter::once(Opt::new("", "전체", &status))
        .chain(
            STATUSES
                .iter()
                .map(|s| Opt::new(s.code(), s.label_ko(), &status)),
        )
        .collect();
    let sort_code = if sort.is_empty() { "relevance" } else { &sort };
    let sorts = vec![
        Opt::new("relevance", "정확도순", sort_code),
        Opt::new("date", "최신순", sort_code),
    ];
    let base = format!("/c/{complex}/search");
    let qs: String = [
        ("q", &q),
        ("kind", &kind),
        ("status", &status),
        ("year", &year),
        ("from", &from),
        ("to", &to),
        ("sort", &sort),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}&", percent_encode(v)))
    .collect();
    let per_page = i64::try_from(PER_PAGE).unwrap_or(20);
    let view = SearchPage {
        layout: Layout::with("문서 검색", nav, "search"),
        action: base.clone(),
        q,
        kinds,
        statuses,
        years,
        from,
        to,
        sorts,
        hits,
        pager: Pager::new(
            i64::try_from(total).unwrap_or(i64::MAX),
            per_page,
            i64::try_from(page).unwrap_or(1),
            |n| format!("{base}?{qs}page={n}"),
        ),
        error,
    };
    html(&view)
}
