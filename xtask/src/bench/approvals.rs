//! Approvals end to end over HTTP.
//!
//! Setup (not timed): a fresh database, one complex, an accountant and a manager, and
//! `warmup + approvals` documents drafted and submitted through the app with a one-step line
//! `[final: manager]`. Then the real server runs on `127.0.0.1:0` and `--clients` clients, each its
//! own `reqwest::Client` (own connection pool, keep-alive) and its own session, approve their share
//! with `POST …/documents/{d}/actions {"action":"approve"}` as fast as they can: first the warm-up
//! documents (not counted), then the timed ones. Every request's latency is recorded. Afterwards
//! (not timed) the registration numbers must be gapless and `verify_complex` must pass.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use malgeun_app::App;
use malgeun_app::documents::{DraftInput, StepInput};
use malgeun_domain::DocumentId;
use malgeun_domain::approval::StepKind;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::Barrier;

use super::Options;
use super::env::{BenchDb, Engine, Office, PASSWORD, query_i64_pairs};
use super::stats::{FsyncProbe, Latency, fsync_probe, process_cpu_secs};

/// How many failed requests are described in the report.
const MAX_ERROR_SAMPLES: usize = 10;

/// What the approvals benchmark measured on one engine.
#[derive(Debug, Serialize)]
pub struct ApprovalsReport {
    /// The engine.
    pub engine: Engine,
    /// Documents approved in the timed run.
    pub approvals: usize,
    /// Documents approved before timing (not counted).
    pub warmup: usize,
    /// Concurrent clients.
    pub clients: usize,
    /// The offered rate in approvals per second when the clients ran on a schedule (open loop);
    /// `None` when each sent its next request as soon as the last was answered (closed loop).
    pub rate: Option<f64>,
    /// Database connections (`pool_size`).
    pub pool_size: u32,
    /// Seconds spent drafting and submitting every document (not part of the result).
    pub setup_secs: f64,
    /// Wall-clock seconds of the timed run.
    pub wall_secs: f64,
    /// Approvals per second of wall-clock time.
    pub approvals_per_sec: f64,
    /// CPU seconds this process (server, clients and, for SQLite, the database) used during the
    /// timed run.
    pub cpu_secs: Option<f64>,
    /// `cpu_secs / (wall_secs × cores)`: how busy the machine's cores were with this process.
    pub cpu_utilisation: Option<f64>,
    /// Latency of each timed request, from sending it to having read the response body.
    pub latency: Latency,
    /// Requests of the timed run that failed (transport error or a status other than 200).
    pub errors: usize,
    /// Requests of the warm-up that failed.
    pub warmup_errors: usize,
    /// The first few failures, described.
    pub error_samples: Vec<String>,
    /// Whether the registration numbers are distinct and gapless.
    pub registration: RegistrationCheck,
    /// Whether the ledger verifies afterwards.
    pub verify: VerifyCheck,
    /// Database size on disk afterwards, in bytes.
    pub db_bytes: u64,
    /// How long a durable small write takes on the disk under the database folder.
    pub fsync: Option<FsyncProbe>,
    /// SQLite only: write commands per SQLite commit (one fsync) during the warm-up and timed
    /// run, from group commit.
    pub commands_per_commit: Option<f64>,
}

impl ApprovalsReport {
    /// Whether every correctness check passed.
    pub fn correct(&self) -> bool {
        self.errors == 0 && self.warmup_errors == 0 && self.registration.gapless && self.verify.ok
    }
}

/// The registration-number check.
#[derive(Debug, Serialize)]
pub struct RegistrationCheck {
    /// Registered documents found.
    pub registered: usize,
    /// Documents expected to be registered (warm-up and timed).
    pub expected: usize,
    /// Whether every year's serials are exactly 1..=n and the total is as expected.
    pub gapless: bool,
    /// What was wrong, if anything.
    pub detail: String,
}

/// The ledger check after the run.
#[derive(Debug, Serialize)]
pub struct VerifyCheck {
    /// Whether `verify_complex` found no problem.
    pub ok: bool,
    /// Entries verified.
    pub entries: u64,
    /// Rows compared.
    pub rows: u64,
    /// Seconds it took (for information; not part of the result).
    pub secs: f64,
    /// The first problems found.
    pub problems: Vec<String>,
}

/// Runs the approvals benchmark on one engine.
pub async fn run(engine: Engine, opts: &Options) -> anyhow::Result<ApprovalsReport> {
    let db = BenchDb::create(engine, &opts.postgres_url, opts.pool_size).await?;
    let result = run_on(&db, engine, opts).await;
    let destroyed = db.destroy().await;
    let report = result?;
    destroyed?;
    Ok(report)
}

async fn run_on(db: &BenchDb, engine: Engine, opts: &Options) -> anyhow::Result<ApprovalsReport> {
    let app = &db.app;
    let dir = db.dir().to_path_buf();
    let fsync = tokio::task::spawn_blocking(move || fsync_probe(&dir, 300))
        .await?
        .ok();
    if let Some(f) = &fsync {
        println!(
            "disk: 4 KiB write + fdatasync p50 {:.2} ms, p99 {:.2} ms (≤ {:.0} serial commits/s)",
            f.p50_ms, f.p99_ms, f.serial_commits_per_sec
        );
    }
    let office = Arc::new(Office::create(app).await?);
    let total = opts.warmup + opts.approvals;

    println!(
        "setup: drafting and submitting {total} documents with {} tasks (not timed)…",
        opts.setup_tasks
    );
    let started = Instant::now();
    let docs = prepare_documents(app, &office, total, opts.setup_tasks.max(1)).await?;
    let setup_secs = started.elapsed().as_secs_f64();
    println!(
        "setup: {total} documents in {setup_secs:.1} s ({:.0} draft+submit pairs/s)",
        total as f64 / setup_secs
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(malgeun_web::serve(app.clone(), listener));
    let (commands0, commits0) = malgeun_store::sqlite::commit_stats();
    let outcome = drive(&office, &base, &docs, opts).await;
    let (commands1, commits1) = malgeun_store::sqlite::commit_stats();
    server.abort();
    let commands_per_commit = (engine == Engine::Sqlite && commits1 > commits0)
        .then(|| (commands1 - commands0) as f64 / (commits1 - commits0) as f64);
    if let Some(c) = commands_per_commit {
        println!("group commit: {c:.1} write commands per SQLite commit");
    }
    let (warm, timed) = outcome?;

    let registration = check_registration(app, &office, total).await?;
    println!(
        "check: {} of {} documents registered; gapless: {}{}",
        registration.registered,
        registration.expected,
        registration.gapless,
        if registration.detail.is_empty() {
            String::new()
        } else {
            format!(" ({})", registration.detail)
        }
    );
    let started = Instant::now();
    let v = app.verify_complex(office.complex).await?;
    let verify = VerifyCheck {
        ok: v.ok(),
        entries: v.entries,
        rows: v.rows,
        secs: started.elapsed().as_secs_f64(),
        problems: v
            .problems
            .iter()
            .take(10)
            .map(|p| format!("{}: {}", p.code, p.detail))
            .collect(),
    };
    println!(
        "check: verify_complex ok: {} ({} entries, {} rows, {:.2} s)",
        verify.ok, verify.entries, verify.rows, verify.secs
    );

    let wall_secs = timed.wall.as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    let mut error_samples = warm.error_samples;
    error_samples.extend(timed.error_samples);
    error_samples.truncate(MAX_ERROR_SAMPLES);
    Ok(ApprovalsReport {
        engine,
        approvals: opts.approvals,
        warmup: opts.warmup,
        clients: opts.clients,
        rate: opts.rate,
        pool_size: opts.pool_size,
        setup_secs,
        wall_secs,
        approvals_per_sec: opts.approvals as f64 / wall_secs,
        cpu_secs: timed.cpu_secs,
        cpu_utilisation: timed.cpu_secs.map(|c| c / (wall_secs * cores)),
        latency: Latency::of(timed.latencies),
        errors: timed.errors,
        warmup_errors: warm.errors,
        error_samples,
        registration,
        verify,
        db_bytes: db.size_bytes().await.unwrap_or(0),
        fsync,
        commands_per_commit,
    })
}

/// An expense resolution (지출결의서) form, varied by `i`.
fn expense_form(i: usize) -> Value {
    json!({
        "spent_on": "2026-11-20",
        "items": [
            {"summary": "승강기 정기점검 용역", "vendor": "한국승강기(주)", "amount": 550_000 + (i % 97) * 1_000},
            {"summary": "소방 감지기 교체", "vendor": "안전소방", "amount": 120_000 + (i % 13) * 500}
        ],
        "method": "계좌이체",
        "budget_item": "수선유지비",
        "evidence": "세금계산서",
    })
}

/// Drafts and submits `total` documents with `tasks` concurrent tasks; returns their ids.
pub(super) async fn prepare_documents(
    app: &App,
    office: &Arc<Office>,
    total: usize,
    tasks: usize,
) -> anyhow::Result<Vec<DocumentId>> {
    let done = Arc::new(AtomicUsize::new(0));
    let ticker = {
        let done = done.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(10));
            tick.tick().await;
            loop {
                tick.tick().await;
                println!(
                    "setup: {} / {total} submitted",
                    done.load(Ordering::Relaxed)
                );
            }
        })
    };
    let mut handles = Vec::with_capacity(tasks);
    for t in 0..tasks {
        let (app, office, done) = (app.clone(), office.clone(), done.clone());
        handles.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in (t..total).step_by(tasks) {
                let id = app
                    .create_draft(
                        &office.accountant,
                        office.complex,
                        DraftInput {
                            kind_code: "expense-resolution".into(),
                            title: format!("2026년 11월 승강기 점검 및 소방 설비 지출결의 제{i}호"),
                            body: "11월 정기 승강기 점검 용역비와 소방 감지기 교체 비용을 \
                                   아래와 같이 지출하고자 합니다."
                                .into(),
                            form: expense_form(i),
                            line: Some(vec![StepInput {
                                kind: StepKind::Final,
                                positions: vec![office.manager_position],
                            }]),
                            ..DraftInput::default()
                        },
                    )
                    .await
                    .with_context(|| format!("drafting document {i}"))?;
                app.submit(&office.accountant, office.complex, id)
                    .await
                    .with_context(|| format!("submitting document {i}"))?;
                ids.push((i, id));
                done.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(ids)
        }));
    }
    let mut all = Vec::with_capacity(total);
    for h in handles {
        all.extend(h.await??);
    }
    ticker.abort();
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, id)| id).collect())
}

/// One benchmark client: its own connection pool and session.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    token: String,
    documents_url: String,
}

impl Client {
    /// A new client that logs in as the manager.
    async fn login(base: &str, complex: &str, login: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()?;
        let res = http
            .post(format!("{base}/api/v1/login"))
            .json(&json!({"login": login, "password": PASSWORD}))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "login: {}", res.status());
        let body: Value = res.json().await?;
        let token = body["token"]
            .as_str()
            .context("login response without a token")?
            .to_owned();
        Ok(Self {
            http,
            token,
            documents_url: format!("{base}/api/v1/complexes/{complex}/documents"),
        })
    }

    /// Approves one document; `Err` describes a failure.
    async fn approve(&self, doc: &str) -> Result<(), String> {
        let res = self
            .http
            .post(format!("{}/{doc}/actions", self.documents_url))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(r#"{"action":"approve"}"#)
            .send()
            .await
            .map_err(|e| format!("{doc}: request failed: {e}"))?;
        let status = res.status();
        let text = res
            .text()
            .await
            .map_err(|e| format!("{doc}: reading the body failed: {e}"))?;
        if status.as_u16() == 200 {
            Ok(())
        } else {
            Err(format!("{doc}: {status}: {text}"))
        }
    }
}

/// What one phase (warm-up or timed) of approving produced.
struct Phase {
    wall: Duration,
    cpu_secs: Option<f64>,
    latencies: Vec<Duration>,
    errors: usize,
    error_samples: Vec<String>,
}

/// Logs the clients in, approves the warm-up documents, then the timed ones.
async fn drive(
    office: &Office,
    base: &str,
    docs: &[DocumentId],
    opts: &Options,
) -> anyhow::Result<(Phase, Phase)> {
    let complex = office.complex.to_string();
    let mut clients = Vec::with_capacity(opts.clients);
    for _ in 0..opts.clients {
        clients.push(Client::login(base, &complex, &office.manager.login).await?);
    }
    let (warm, timed) = docs.split_at(opts.warmup.min(docs.len()));
    println!(
        "warm-up: {} approvals by {} clients (not counted)…",
        warm.len(),
        clients.len()
    );
    let warm = phase(&clients, warm, opts.rate).await?;
    println!(
        "warm-up: done in {:.2} s, {} errors",
        warm.wall.as_secs_f64(),
        warm.errors
    );
    println!(
        "timed: {} approvals by {} clients…",
        timed.len(),
        clients.len()
    );
    let timed = phase(&clients, timed, opts.rate).await?;
    let l = Latency::of(timed.latencies.clone());
    println!(
        "timed: done in {:.2} s ({:.0} approvals/s), {} errors; latency ms p50 {:.2} p90 {:.2} \
         p99 {:.2} max {:.2}",
        timed.wall.as_secs_f64(),
        timed.latencies.len() as f64 / timed.wall.as_secs_f64(),
        timed.errors,
        l.p50_ms,
        l.p90_ms,
        l.p99_ms,
        l.max_ms
    );
    Ok((warm, timed))
}

/// All clients approve their share of `docs` (client k takes every k-th document) at once: as
/// fast as each can (a closed loop), or, with `rate`, on a fixed schedule that offers `rate`
/// approvals per second in all (an open loop). On a schedule a request's latency counts from the
/// moment it was due, not from when it was sent, so a slow response also counts against the
/// requests it delayed (no coordinated omission).
async fn phase(
    clients: &[Client],
    docs: &[DocumentId],
    rate: Option<f64>,
) -> anyhow::Result<Phase> {
    let n = clients.len();
    // Client k's requests are due every n/rate seconds, the clients' schedules spread evenly.
    let interval = rate.map(|r| Duration::from_secs_f64(n as f64 / r));
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let barrier = Arc::new(Barrier::new(n + 1));
    let mut handles = Vec::with_capacity(n);
    for (k, client) in clients.iter().enumerate() {
        let share: Vec<String> = docs
            .iter()
            .skip(k)
            .step_by(n)
            .map(ToString::to_string)
            .collect();
        let (client, barrier) = (client.clone(), barrier.clone());
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(share.len());
            let mut errors = Vec::new();
            barrier.wait().await;
            for (i, doc) in share.iter().enumerate() {
                let t0 = match interval {
                    Some(every) => {
                        let due = start + every.mul_f64(k as f64 / n as f64 + i as f64);
                        tokio::time::sleep_until(due).await;
                        due.into_std()
                    }
                    None => Instant::now(),
                };
                let result = client.approve(doc).await;
                latencies.push(t0.elapsed());
                if let Err(e) = result {
                    errors.push(e);
                }
            }
            (latencies, errors)
        }));
    }
    barrier.wait().await;
    let started = if rate.is_some() {
        tokio::time::sleep_until(start).await;
        start.into_std()
    } else {
        Instant::now()
    };
    let cpu_before = process_cpu_secs();
    let mut out = Phase {
        wall: Duration::ZERO,
        cpu_secs: None,
        latencies: Vec::with_capacity(docs.len()),
        errors: 0,
        error_samples: Vec::new(),
    };
    for h in handles {
        let (latencies, errors) = h.await?;
        out.latencies.extend(latencies);
        out.errors += errors.len();
        let room = MAX_ERROR_SAMPLES.saturating_sub(out.error_samples.len());
        out.error_samples.extend(errors.into_iter().take(room));
    }
    out.wall = started.elapsed();
    out.cpu_secs = process_cpu_secs()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    Ok(out)
}

/// Checks that every document is registered and each year's serials are exactly 1..=n.
async fn check_registration(
    app: &App,
    office: &Office,
    expected: usize,
) -> anyhow::Result<RegistrationCheck> {
    let rows = query_i64_pairs(
        app,
        "SELECT registration_year, registration_serial FROM documents \
         WHERE complex_id = $1 AND registration_serial IS NOT NULL \
         ORDER BY registration_year, registration_serial",
        &office.complex.to_string(),
    )
    .await?;
    let mut detail = String::new();
    let mut prev: Option<(i64, i64)> = None;
    for &(year, serial) in &rows {
        let want = match prev {
            Some((y, s)) if y == year => s + 1,
            _ => 1,
        };
        if serial != want {
            detail = format!("year {year}: serial {serial} where {want} was expected");
            break;
        }
        prev = Some((year, serial));
    }
    if detail.is_empty() && rows.len() != expected {
        detail = format!("{} registered, {expected} expected", rows.len());
    }
    Ok(RegistrationCheck {
        registered: rows.len(),
        expected,
        gapless: detail.is_empty(),
        detail,
    })
}
