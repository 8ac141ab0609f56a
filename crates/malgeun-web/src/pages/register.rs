//! 문서등록대장: registered documents in serial order, filtered by year, kind, drafting position and
//! registration date, paged, and exported to CSV or to an Excel workbook (XLSX) with the same
//! filter.

use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use malgeun_app::documents::RegisterQuery;
use malgeun_app::{App, AppError, Member};
use malgeun_domain::time::parse_date;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};
use serde::Deserialize;

use super::inbox::kind_names;
use super::views::{Layout, Opt, Pager, RegisterPage, RegisterRow, seoul};
use super::{
    PageQuery, PageResult, Visitor, csv_response, enter, html, kind_options, percent_encode,
    year_options,
};

/// Rows per page.
pub const PER_PAGE: i64 = 50;

/// Most rows one CSV or XLSX export holds.
const EXPORT_LIMIT: i64 = 100_000;

/// The export's column headers.
const HEADERS: [&str; 5] = ["등록번호", "등록일시", "문서 종류", "제목", "기안자"];

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
                parse_date(d).ok_or_else(|| {
                    bad(
                        "날짜를 YYYY-MM-DD 형식으로 입력해 주세요.",
                        "dates are YYYY-MM-DD",
                    )
                })
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
    let year = p.year.clone().unwrap_or_default();
    let kind = p.kind.clone().unwrap_or_default();
    let position = p.position.clone().unwrap_or_default();
    let qs = query_string(&p);
    let base = format!("/c/{complex}/register");
    let years = year_options(&app, &year);
    let kinds = kind_options(&app, &member, &kind).await?;
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
        xlsx_href: if qs.is_empty() {
            format!("{base}.xlsx")
        } else {
            format!("{base}.xlsx?{qs}")
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
    let (list, _) = rows(&app, &member, &complex, &query, EXPORT_LIMIT, 0).await?;
    let mut out = HEADERS.join(",");
    out.push_str("\r\n");
    for r in &list {
        let line = [&r.number, &r.registered, &r.kind_name, &r.title, &r.drafter]
            .map(|s| csv_field(s))
            .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    Ok(csv_response(&export_name(&query, "csv"), out))
}

/// The export's file name: `문서등록대장-2026.xlsx`, or without the year when all years are in it.
fn export_name(query: &RegisterQuery, extension: &str) -> String {
    match query.year {
        Some(y) => format!("문서등록대장-{y}.{extension}"),
        None => format!("문서등록대장.{extension}"),
    }
}

/// A Seoul time as the pages show it (`YYYY-MM-DD HH:MM`) as an Excel date and time.
fn excel_time(shown: &str) -> Option<ExcelDateTime> {
    let (date, time) = shown.split_once(' ')?;
    let mut d = date.split('-').map(str::parse::<u16>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(day))) = (d.next(), d.next(), d.next()) else {
        return None;
    };
    let (h, min) = time.split_once(':')?;
    let (h, min) = (h.parse::<u16>().ok()?, min.parse::<u8>().ok()?);
    ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(day).ok()?)
        .and_then(|t| t.and_hms(h, min, 0))
        .ok()
}

/// The register as an Excel workbook: one sheet 문서등록대장 with a bold Korean header row that
/// stays in view and carries filter buttons, registration times as real date-times (Seoul), and
/// every text as text (a title starting with `=` stays a title, never a formula).
pub(super) fn register_workbook(rows: &[RegisterRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("문서등록대장")?;
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color("D9E2F3");
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (col, title) in (0u16..).zip(HEADERS) {
        sheet.write_string_with_format(0, col, title, &header)?;
    }
    for (row, r) in (1u32..).zip(rows) {
        sheet.write_string(row, 0, &r.number)?;
        match excel_time(&r.registered) {
            Some(t) => sheet.write_datetime_with_format(row, 1, &t, &when)?,
            None => sheet.write_string(row, 1, &r.registered)?,
        };
        sheet.write_string(row, 2, &r.kind_name)?;
        sheet.write_string(row, 3, &r.title)?;
        sheet.write_string(row, 4, &r.drafter)?;
    }
    for (col, width) in (0u16..).zip([24.0, 17.0, 16.0, 48.0, 12.0]) {
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last, 4)?;
    book.save_to_buffer()
}

/// `GET /c/{complex}/register.xlsx`: the same rows as the CSV export, as an Excel workbook.
pub(super) async fn xlsx(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
    PageQuery(p): PageQuery<RegisterParams>,
) -> PageResult<Response> {
    let (member, _) = enter(&app, &visitor, &complex).await?;
    let query = query_of(&p)?;
    let (list, _) = rows(&app, &member, &complex, &query, EXPORT_LIMIT, 0).await?;
    let bytes = register_workbook(&list).map_err(AppError::internal)?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        percent_encode(&export_name(&query, "xlsx"))
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(CONTENT_DISPOSITION, v);
    }
    Ok(res)
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

    /// The text of one part of an XLSX (a ZIP archive).
    fn part(bytes: &[u8], name: &str) -> String {
        use std::io::Read as _;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn the_workbook_holds_every_row_with_real_dates_and_korean_headers() {
        let row = |n: &str, title: &str| RegisterRow {
            number: n.to_owned(),
            registered: "2026-11-20 15:30".to_owned(),
            title: title.to_owned(),
            href: String::new(),
            kind_name: "지출결의서".to_owned(),
            drafter: "이수진".to_owned(),
        };
        let bytes = register_workbook(&[
            row("맑은아파트-2026-0041", "승강기 도어 센서 교체"),
            row("맑은아파트-2026-0042", "=HYPERLINK(\"x\")"),
        ])
        .unwrap();
        let strings = part(&bytes, "xl/sharedStrings.xml");
        for s in [
            "등록번호",
            "등록일시",
            "맑은아파트-2026-0041",
            "맑은아파트-2026-0042",
            "승강기 도어 센서 교체",
            "<t>=HYPERLINK(\"x\")</t>",
        ] {
            assert!(strings.contains(s), "{s} in {strings}");
        }
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(!sheet.contains("<f>"), "no formulas: {sheet}");
        // 2026-11-20 15:30 is Excel serial 46346 + 15.5/24.
        assert!(sheet.contains("<v>46346.645833333"), "{sheet}");
        assert!(sheet.contains("<autoFilter ref=\"A1:E3\"/>"), "{sheet}");
        let book = part(&bytes, "xl/workbook.xml");
        assert!(book.contains("name=\"문서등록대장\""), "{book}");
    }

    #[test]
    fn seoul_times_become_excel_times_and_anything_else_stays_text() {
        assert!(excel_time("2026-11-20 15:30").is_some());
        assert!(excel_time("2026-13-20 15:30").is_none());
        assert!(excel_time("").is_none());
    }

    #[test]
    fn only_real_dates_pass() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2026-02-29").is_none());
        assert!(parse_date("2026-13-01").is_none());
        assert!(parse_date("2026-1-01").is_none());
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
