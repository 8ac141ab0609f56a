//! 문서등록대장: registered documents in serial order, filtered by year, kind, drafting position and
//! registration date, paged, and exported to CSV with the same filter.

use axum::extract::{Path, State};
use axum::response::Response;
use malgeun_app::documents::RegisterQuery;
use malgeun_app::{App, AppError, Member};
use serde::Deserialize;

use super::inbox::kind_names;
use super::views::{Layout, Opt, Pager, RegisterPage, RegisterRow, seoul};
use super::{PageQuery, PageResult, Visitor, csv_response, enter, html, percent_encode};

/// Rows per page.
pub const PER_PAGE: i64 = 50;

/// Most rows one CSV export holds.
const CSV_LIMIT: i64 = 100_000;

#[derive(Deserialize, Default, Clone)]
pub(super) struct RegisterParams {
    year: Option<String>,
    kind: Option<String>,
    position: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

fn non_empty(s: Option<&String>) -> Option<&str> {
    s.map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        s[0..4].parse::<u32>(),
        s[5..7].parse::<u32>(),
        s[8..10].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// The app's query from the page's parameters, or a Korean reason.
fn query_of(p: &RegisterParams) -> Result<RegisterQuery, AppError> {
    let bad =
        |ko: &str, en: &str| AppError::invalid("invalid_filter", ko.to_owned(), en.to_owned());
    let year = non_empty(p.year.as_ref())
        .map(|y| {
            y.parse::<i64>()
                .ok()
                .filter(|y| (1900..=9999).contains(y))
                .ok_or_else(|| bad("연도를 숫자 네 자리로 골라 주세요.", "bad year"))
        })
        .transpose()?;
    let date = |s: Option<&String>| {
        non_empty(s)
            .map(|d| {
                if is_date(d) {
                    Ok(d.to_owned())
                } else {
                    Err(bad(
                        "날짜를 YYYY-MM-DD 형식으로 입력해 주세요.",
                        "dates are YYYY-MM-DD",
                    ))
                }
            })
            .transpose()
    };
    let from = date(p.from.as_ref())?;
    let to = date(p.to.as_ref())?;
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        return Err(bad("시작일이 종료일보다 늦습니다.", "from is after to"));
    }
    let drafter_position = non_empty(p.position.as_ref())
        .map(|s| {
            s.parse()
                .map_err(|_| bad("기안 직위가 올바르지 않습니다.", "bad position id"))
        })
        .transpose()?;
    Ok(RegisterQuery {
        year,
        kind_code: non_empty(p.kind.as_ref()).map(str::to_owned),
        drafter_position,
        from,
        to,
    })
}

fn query_string(p: &RegisterParams) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("year", &p.year),
        ("kind", &p.kind),
        ("position", &p.position),
        ("from", &p.from),
        ("to", &p.to),
    ] {
        if let Some(v) = non_empty(v.as_ref()) {
            parts.push(format!("{k}={}", percent_encode(v)));
        }
    }
    parts.join("&")
}

async fn rows(
    app: &App,
    member: &Member,
    complex: &str,
    query: &RegisterQuery,
    limit: i64,
    offset: i64,
) -> PageResult<(Vec<RegisterRow>, i64)> {
    let names = kind_names(app, member).await?;
    let page = app.register_filtered(member, query, limit, offset).await?;
    Ok((
        page.items
            .into_iter()
            .map(|d| RegisterRow {
                number: d.registration_number.unwrap_or_default(),
                registered: d.registered_at.as_deref().map(seoul).unwrap_or_default(),
                href: format!("/c/{complex}/documents/{}", d.id),
                kind_name: names.get(&d.kind_code).cloned().unwrap_or(d.kind_code),
                title: d.title,
                drafter: d.drafter_name,
            })
            .collect(),
        page.total,
    ))
}

/// `GET /c/{complex}/register`.
pub(super) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
    PageQuery(p): PageQuery<RegisterParams>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let page = p.page.unwrap_or(1).max(1);
    let (query, error) = match query_of(&p) {
        Ok(q) => (q, None),
        Err(e) => (RegisterQuery::default(), Some(e.message_ko)),
    };
    let (list, total) = rows(
        &app,
        &member,
        &complex,
        &query,
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    .await?;
    let this_year =
        malgeun_domain::Timestamp::from_micros(app.clock().now().as_micros()).seoul_year();
    let year = p.year.clone().unwrap_or_default();
    let kind = p.kind.clone().unwrap_or_default();
    let position = p.position.clone().unwrap_or_default();
    let qs = query_string(&p);
    let base = format!("/c/{complex}/register");
    let years = std::iter::once(Opt::new("", "전체", &year))
        .chain(
            (this_year - 9..=this_year)
                .rev()
                .map(|y| Opt::new(y.to_string(), format!("{y}년"), &year)),
        )
        .collect();
    let kinds = std::iter::once(Opt::new("", "전체", &kind))
        .chain(
            app.list_kinds(&member)
                .await?
                .iter()
                .map(|k| Opt::new(k.code().as_str(), k.name(), &kind)),
        )
        .collect();
    let positions = std::iter::once(Opt::new("", "전체", &position))
        .chain(
            app.positions(&member)
                .await?
                .iter()
                .map(|p| Opt::new(p.id.to_string(), p.title.clone(), &position)),
        )
        .collect();
    let view = RegisterPage {
        layout: Layout::with("문서등록대장", nav, "register"),
        action: base.clone(),
        years,
        kinds,
        positions,
        from: p.from.clone().unwrap_or_default(),
        to: p.to.clone().unwrap_or_default(),
        rows: list,
        pager: Pager::new(total, PER_PAGE, page, |n| {
            if qs.is_empty() {
                format!("{base}?page={n}")
            } else {
                format!("{base}?{qs}&page={n}")
            }
        }),
        csv_href: if qs.is_empty() {
            format!("{base}.csv")
        } else {
            format!("{base}.csv?{qs}")
        },
        error,
    };
    html(&view)
}

/// A CSV field, quoted when it needs to be, and never read as a formula by spreadsheets.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `GET /c/{complex}/register.csv`.
pub(super) async fn csv(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
    PageQuery(p): PageQuery<RegisterParams>,
) -> PageResult<Response> {
    let (member, _) = enter(&app, &visitor, &complex).await?;
    let query = query_of(&p)?;
    let (list, _) = rows(&app, &member, &complex, &query, CSV_LIMIT, 0).await?;
    let mut out = String::from("등록번호,등록일시,문서 종류,제목,기안자\r\n");
    for r in &list {
        let line = [&r.number, &r.registered, &r.kind_name, &r.title, &r.drafter]
            .map(|s| csv_field(s))
            .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    let name = match query.year {
        Some(y) => format!("문서등록대장-{y}.csv"),
        None => "문서등록대장.csv".to_owned(),
    };
    Ok(csv_response(&name, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("맑은아파트-2026-0001"), "맑은아파트-2026-0001");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+2"), "'=1+2");
    }

    #[test]
    fn only_real_dates_pass() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2026-02-29"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("2026-1-01"));
    }

    #[test]
    fn bad_filters_get_korean_reasons() {
        let p = RegisterParams {
            from: Some("2026-13".into()),
            ..Default::default()
        };
        assert_eq!(query_of(&p).unwrap_err().code, "invalid_filter");
        let p = RegisterParams {
            from: Some("2026-05-01".into()),
            to: Some("2026-04-01".into()),
            ..Default::default()
        };
        assert!(query_of(&p).unwrap_err().message_ko.contains("시작일"));
        let p = RegisterParams {
            year: Some("2026".into()),
            position: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(query_of(&p).unwrap().year, Some(2026));
    }
}
