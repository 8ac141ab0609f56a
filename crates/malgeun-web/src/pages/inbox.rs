//! 결재함: tabs 결재대기 · 진행 · 완료 · 반려 · 참조 (and 임시저장) with counts, filtered by title,
//! sorted and paged. The filter form updates the list in place with htmx and works without it.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use malgeun_app::App;
use malgeun_app::documents::{InboxSort, ListPage};
use serde::Deserialize;

use super::PageQuery as Query;
use super::views::{InboxPage, Layout, ListRow, Opt, Pager, TabLink, seoul};
use super::{PageResult, Visitor, enter, html, percent_encode};

/// Rows per page.
pub const PER_PAGE: i64 = 20;

#[derive(Deserialize, Default)]
pub(super) struct InboxQuery {
    tab: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
}

/// The kind names of a complex by code.
pub(super) async fn kind_names(
    app: &App,
    member: &malgeun_app::Member,
) -> PageResult<HashMap<String, String>> {
    Ok(app
        .list_kinds(member)
        .await?
        .iter()
        .map(|k| (k.code().as_str().to_owned(), k.name().to_owned()))
        .collect())
}

/// `GET /c/{complex}/inbox`.
pub(super) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
    Query(q): Query<InboxQuery>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let tab = crate::api::documents::parse_tab(q.tab.as_deref().filter(|t| !t.is_empty()))?;
    let sort = q
        .sort
        .as_deref()
        .and_then(InboxSort::from_code)
        .unwrap_or_default();
    let title = q.q.unwrap_or_default();
    let page = q.page.unwrap_or(1).max(1);
    // The plain view (no search, newest first) is one call that also counts every tab; a search
    // or another order reads the tab through the filtered use case.
    let offset = (page - 1) * PER_PAGE;
    let plain = title.trim().is_empty() && sort == InboxSort::Recent;
    let inbox = app
        .inbox(
            &member,
            tab,
            if plain { PER_PAGE } else { 1 },
            if plain { offset } else { 0 },
        )
        .await?;
    let counts = inbox.counts;
    let list = if plain {
        ListPage {
            total: counts
                .iter()
                .find(|c| c.tab == tab.code())
                .map_or(0, |c| c.count),
            items: inbox.items,
        }
    } else {
        app.inbox_filtered(&member, tab, &title, sort, PER_PAGE, offset)
            .await?
    };
    let names = kind_names(&app, &member).await?;
    let base = format!("/c/{complex}/inbox");
    let link = |tab: &str, page: i64| {
        let mut s = format!("{base}?tab={tab}");
        if !title.is_empty() {
            s.push_str(&format!("&q={}", percent_encode(&title)));
        }
        if sort != InboxSort::Recent {
            s.push_str(&format!("&sort={}", sort.code()));
        }
        if page > 1 {
            s.push_str(&format!("&page={page}"));
        }
        s
    };
    let tabs = counts
        .iter()
        .map(|c| TabLink {
            href: link(c.tab, 1),
            label: c.label.to_owned(),
            count: c.count,
            active: c.tab == tab.code(),
        })
        .collect();
    let rows = list
        .items
        .into_iter()
        .map(|d| ListRow {
            href: format!("/c/{complex}/documents/{}", d.id),
            kind_name: names.get(&d.kind_code).cloned().unwrap_or(d.kind_code),
            title: d.title,
            drafter: d.drafter_name,
            status: d.status,
            status_label: d.status_label.to_owned(),
            when: seoul(&d.updated_at),
            number: d.registration_number.unwrap_or_default(),
        })
        .collect();
    let page_view = InboxPage {
        layout: Layout::with("결재함", nav, "inbox"),
        action: base.clone(),
        tab: tab.code().to_owned(),
        tab_label: tab.label_ko().to_owned(),
        tabs,
        q: title.clone(),
        sorts: InboxSort::ALL
            .iter()
            .map(|s| Opt::new(s.code(), s.label_ko(), sort.code()))
            .collect(),
        rows,
        pager: Pager::new(list.total, PER_PAGE, page, |p| link(tab.code(), p)),
    };
    html(&page_view)
}
