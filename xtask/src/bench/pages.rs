//! `cargo xtask bench --only pages`: server time and weight of every main page with many documents
//! in the complex (issue 3: under 20 ms, under 150 KB with assets). A fresh SQLite database gets
//! `--page-documents` 지출결의서 drafted and submitted, half of them approved (so the 결재함 and the
//! 문서등록대장 are both large); then the manager logs in through the login form and each page is
//! requested repeatedly over HTTP on this machine. The time is the whole request as the client sees
//! it on loopback, so it includes (slightly overstates) the server time.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use malgeun_app::documents::ActInput;
use malgeun_domain::approval::Decision;

use super::Options;
use super::approvals::prepare_documents;
use super::env::{BenchDb, Engine, Office, PASSWORD};
use super::stats::Latency;

/// Requests per page.
const ROUNDS: usize = 30;

/// Runs the benchmark and prints one line per page.
pub async fn run(opts: &Options) -> anyhow::Result<()> {
    let db = BenchDb::create(Engine::Sqlite, &opts.postgres_url, opts.pool_size).await?;
    let result = run_on(&db, opts).await;
    db.destroy().await?;
    result
}

async fn run_on(db: &BenchDb, opts: &Options) -> anyhow::Result<()> {
    let app = &db.app;
    let office = Arc::new(Office::create(app).await?);
    let total = opts.page_documents;
    println!("setup: drafting and submitting {total} documents (not timed)…");
    let docs = prepare_documents(app, &office, total, opts.setup_tasks.max(1)).await?;
    println!("setup: approving half of them, so they are registered…");
    for id in docs.iter().step_by(2) {
        app.act(
            &office.manager,
            office.complex,
            *id,
            ActInput {
                decision: Decision::Approve,
                comment: None,
                position: None,
                expected_sha256: None,
            },
        )
        .await
        .context("approving")?;
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(malgeun_web::serve(app.clone(), listener));
    let outcome = measure(&base, &office, &docs).await;
    server.abort();
    outcome
}

fn csrf_of(html: &str) -> anyhow::Result<String> {
    let start = html
        .find("name=\"csrf\" value=\"")
        .context("no csrf field")?
        + 19;
    let end = html[start..].find('"').context("unterminated csrf")?;
    Ok(html[start..start + end].to_owned())
}

/// A client logged in through the login form.
async fn login(base: &str, who: &str) -> anyhow::Result<reqwest::Client> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let page = http
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page)?)
        .text("login", who.to_owned())
        .text("password", PASSWORD);
    let res = http
        .post(format!("{base}/login"))
        .multipart(form)
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "login {who}: {}", res.status());
    Ok(http)
}

async fn measure(
    base: &str,
    office: &Office,
    docs: &[malgeun_domain::DocumentId],
) -> anyhow::Result<()> {
    let http = login(base, "manager").await?;
    let drafter = login(base, "accountant").await?;
    let c = office.complex;
    let registered = docs[0];
    let waiting = docs[1];
    let mut assets = 0usize;
    for (name, size) in malgeun_web::pages::assets::sizes() {
        println!("asset {name}: {size} bytes");
        assets += size;
    }
    let pages = [
        ("로그인", "/login".to_owned(), false),
        ("결재함 결재대기", format!("/c/{c}/inbox"), false),
        ("결재함 완료", format!("/c/{c}/inbox?tab=done"), false),
        (
            "결재함 완료, 제목 검색",
            format!("/c/{c}/inbox?tab=done&q=%EC%A0%9C77"),
            false,
        ),
        (
            "결재함 완료, 제목순",
            format!("/c/{c}/inbox?tab=done&sort=title"),
            false,
        ),
        (
            "문서 보기 (결재 대기)",
            format!("/c/{c}/documents/{waiting}"),
            false,
        ),
        (
            "문서 보기 (등록)",
            format!("/c/{c}/documents/{registered}"),
            false,
        ),
        ("기안 종류", format!("/c/{c}/new"), false),
        (
            "기안 양식 (경리주임)",
            format!("/c/{c}/new/expense-resolution"),
            true,
        ),
        ("문서등록대장", format!("/c/{c}/register"), false),
        ("원장", format!("/c/{c}/ledger"), false),
        (
            "문서 검색 (지출, 10,000건 중)",
            format!("/c/{c}/search?q=%EC%A7%80%EC%B6%9C"),
            false,
        ),
        ("관리", format!("/c/{c}/admin"), false),
        (
            "관리, 결재선 편집",
            format!("/c/{c}/admin/kinds/expense-resolution"),
            false,
        ),
        (
            "문서등록대장, 기간",
            format!("/c/{c}/register?from=2000-01-01&to=2999-12-31&page=3"),
            false,
        ),
    ];
    println!(
        "\n{:<28} {:>9} {:>9} {:>9} {:>10} {:>12}",
        "page", "p50 ms", "p90 ms", "max ms", "HTML B", "with assets"
    );
    for (name, path, as_drafter) in pages {
        let client = if as_drafter { &drafter } else { &http };
        let mut times = Vec::with_capacity(ROUNDS);
        let mut size = 0;
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let res = client.get(format!("{base}{path}")).send().await?;
            let status = res.status();
            let body = res.bytes().await?;
            times.push(started.elapsed());
            anyhow::ensure!(status.is_success(), "{path}: {status}");
            size = body.len();
        }
        let l = Latency::of(times);
        println!(
            "{name:<28} {:>9.2} {:>9.2} {:>9.2} {size:>10} {:>12}",
            l.p50_ms,
            l.p90_ms,
            l.max_ms,
            size + assets,
        );
    }
    Ok(())
}
