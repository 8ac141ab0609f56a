//! Test support: a real server on 127.0.0.1:0 over a fresh SQLite file or a fresh PostgreSQL
//! database, an office and a council set up, and a small HTTP client.

use std::path::PathBuf;

use malgeun::config::Config;
use malgeun_app::App;
use malgeun_app::org::{NewComplex, NewPosition};
use malgeun_domain::{ComplexId, PositionId};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const PASSWORD: &str = "test-password-1";

/// Which engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server URL for the tier, or `None` (the test prints that it skipped).
pub fn postgres_url() -> Option<String> {
    std::env::var("MALGEUN_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Creates a fresh database on the PostgreSQL server and returns its URL.
async fn fresh_postgres(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("malgeun_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.ok();
    let (prefix, _) = base.rsplit_once('/').expect("URL with a database name");
    format!("{prefix}/{name}")
}

/// A running test environment.
pub struct Env {
    pub app: App,
    pub base: String,
    pub complex: ComplexId,
    pub other_complex: ComplexId,
    pub cfg: Config,
    pub positions: Vec<(&'static str, PositionId)>,
    _dir: tempfile::TempDir,
    http: reqwest::Client,
}

/// Logins of the office and council (all with [`PASSWORD`]).
const PEOPLE: &[(&str, &str, &str, &str, bool)] = &[
    ("manager", "김관리", "관리사무소장", "manager", true),
    ("accountant", "이경리", "경리주임", "accountant", false),
    ("facility", "박시설", "시설과장", "facility_chief", false),
    ("chair", "최회장", "입주자대표회의 회장", "chair", false),
    ("auditor", "정감사", "감사", "auditor", false),
    (
        "rep101",
        "강동대표",
        "101동 동대표",
        "council_member",
        false,
    ),
    (
        "rep102",
        "윤동대표",
        "102동 동대표",
        "council_member",
        false,
    ),
];

impl Env {
    /// Starts a server on the engine, or `None` for PostgreSQL when the tier is not configured.
    pub async fn start(engine: Engine) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => {
                let Some(base) = postgres_url() else {
                    eprintln!("SKIPPED on PostgreSQL: MALGEUN_TEST_POSTGRES_URL is not set");
                    return None;
                };
                Some(fresh_postgres(&base).await)
            }
        };
        let cfg = Config {
            data_dir: dir.path().to_path_buf(),
            database_url,
            ledger_seed: Some("11".repeat(32)),
            max_attachment_mb: 1,
            pool_size: 8,
            extract_program: Some(PathBuf::from(env!("CARGO_BIN_EXE_malgeun"))),
            ..Config::default()
        };
        let app = malgeun::open(&cfg).await.expect("open app");
        let complex = app
            .create_complex_unchecked(
                None,
                NewComplex {
                    name: "시험아파트".into(),
                    short_name: "시험아파트".into(),
                    households: 500,
                },
            )
            .await
            .expect("complex");
        let other_complex = app
            .create_complex_unchecked(
                None,
                NewComplex {
                    name: "이웃아파트".into(),
                    short_name: "이웃아파트".into(),
                    households: 300,
                },
            )
            .await
            .expect("other complex");
        let mut positions = Vec::new();
        for (login, name, title, role, admin) in PEOPLE {
            let person = app
                .create_person(true, login, name, PASSWORD, false)
                .await
                .expect("person");
            let position = app
                .create_position_unchecked(
                    complex,
                    NewPosition {
                        title: (*title).into(),
                        role: (*role).into(),
                        is_admin: *admin,
                    },
                )
                .await
                .expect("position");
            app.appoint_unchecked(complex, None, position, person)
                .await
                .expect("appoint");
            positions.push((*login, position));
        }
        // The neighbour's manager, to prove that nothing crosses complexes.
        let stranger = app
            .create_person(true, "neighbour", "이웃소장", PASSWORD, false)
            .await
            .expect("person");
        let pos = app
            .create_position_unchecked(
                other_complex,
                NewPosition {
                    title: "관리사무소장".into(),
                    role: "manager".into(),
                    is_admin: true,
                },
            )
            .await
            .expect("position");
        app.appoint_unchecked(other_complex, None, pos, stranger)
            .await
            .expect("appoint");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(malgeun_web::serve(app.clone(), listener));
        Some(Self {
            app,
            base,
            complex,
            other_complex,
            cfg,
            positions,
            _dir: dir,
            http: reqwest::Client::new(),
        })
    }

    /// A position id by the login of its holder.
    pub fn position(&self, login: &str) -> PositionId {
        self.positions
            .iter()
            .find(|(l, _)| *l == login)
            .expect("known login")
            .1
    }

    /// The data folder.
    pub fn data_dir(&self) -> PathBuf {
        self.cfg.data_dir.clone()
    }

    /// Logs in over HTTP and returns a client for that person.
    pub async fn login(&self, login: &str) -> Client {
        let res = self
            .http
            .post(format!("{}/api/v1/login", self.base))
            .json(&json!({"login": login, "password": PASSWORD}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), StatusCode::OK, "login {login}");
        let body: Value = res.json().await.expect("login json");
        Client {
            base: self.base.clone(),
            complex: self.complex.to_string(),
            token: body["token"].as_str().expect("token").to_owned(),
            http: self.http.clone(),
        }
    }
}

/// An authenticated HTTP client bound to the test complex.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub complex: String,
    pub token: String,
    http: reqwest::Client,
}

/// A response: status and JSON body (or `Null`).
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub body: Value,
}

impl Res {
    /// Asserts a status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// Asserts an error status and code.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "Korean message"
        );
        assert!(
            self.body["message_en"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "English message"
        );
    }
}

impl Client {
    /// Sends a request; `path` is relative to `/api/v1/complexes/{complex}` unless it starts with `/`.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Res {
        let url = if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            format!("{}/api/v1/complexes/{}/{path}", self.base, self.complex)
        };
        let mut req = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        Res {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    /// Sends raw bytes.
    pub async fn raw(&self, method: Method, path: &str, content_type: &str, bytes: Vec<u8>) -> Res {
        let url = format!("{}/api/v1/complexes/{}/{path}", self.base, self.complex);
        let res = self
            .http
            .request(method, url)
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        Res {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    pub async fn get(&self, path: &str) -> Res {
        self.call(Method::GET, path, None).await
    }

    /// The ledger entry of a document's last change, as the API serves it.
    pub async fn last_entry_of(&self, doc: &str) -> Value {
        let history = self
            .get(&format!("documents/{doc}/history"))
            .await
            .expect(200);
        let last = history.as_array().unwrap().last().unwrap()["ledger_index"]
            .as_u64()
            .unwrap();
        self.get(&format!("ledger/entries/{last}"))
            .await
            .expect(200)
    }

    pub async fn post(&self, path: &str, body: Value) -> Res {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Performs an approval action on a document.
    pub async fn act(&self, doc: &str, action: &str, comment: Option<&str>) -> Res {
        let mut body = json!({"action": action});
        if let Some(c) = comment {
            body["comment"] = json!(c);
        }
        self.post(&format!("documents/{doc}/actions"), body).await
    }

    /// The inbox counts by tab.
    pub async fn counts(&self) -> std::collections::BTreeMap<String, i64> {
        let inbox = self.get("inbox?tab=waiting").await.expect(200);
        inbox["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .map(|c| {
                (
                    c["tab"].as_str().unwrap().to_owned(),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect()
    }
}

/// The ledger size and the row counts of the tables commands write: a snapshot that must not move
/// when a bad request is refused.
pub async fn snapshot(env: &Env) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    let mut r = env.app.db().reader().await.expect("reader");
    for table in [
        "ledger_entries",
        "ledger_nodes",
        "documents",
        "document_versions",
        "attachments",
        "approvals",
        "positions",
        "position_terms",
        "kinds",
        "document_waiting",
        "registration_counters",
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: Vec<(i64,)> = malgeun_store::raw::fetch_all(r.conn(), &sql, &[])
            .await
            .unwrap();
        out.push((table.to_owned(), n[0].0));
    }
    let sql = "SELECT checkpoint FROM ledger_heads ORDER BY complex_id";
    let heads: Vec<(String,)> = malgeun_store::raw::fetch_all(r.conn(), sql, &[])
        .await
        .unwrap();
    for (i, (h,)) in heads.into_iter().enumerate() {
        out.push((format!("head{i}:{h}"), 0));
    }
    out
}

/// Runs the real `malgeun verify` against the environment's database and files: whether it
/// passed, and what it printed.
pub fn verify(env: &Env) -> (bool, String) {
    verify_with(env, &[])
}

/// Runs `malgeun verify` with extra arguments.
pub fn verify_with(env: &Env, args: &[&str]) -> (bool, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_malgeun"));
    cmd.arg("--data-dir")
        .arg(env.data_dir())
        .arg("verify")
        .args(args);
    cmd.env("MALGEUN_LEDGER_SEED", env.cfg.ledger_seed.clone().unwrap());
    cmd.env("MALGEUN_LOG", "error");
    if let Some(url) = &env.cfg.database_url {
        cmd.env("MALGEUN_DATABASE_URL", url);
    }
    let out = cmd.output().expect("run malgeun verify");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Runs a SQL statement directly against the database (for tamper tests).
pub async fn raw_sql(env: &Env, sql: &str) -> u64 {
    let mut tx = env.app.db().begin().await.expect("tx");
    let n = malgeun_store::raw::execute(tx.conn(), sql).await.unwrap();
    tx.commit().await.expect("commit");
    n
}

/// An 지출결의서 form with two line items.
pub fn expense_form() -> Value {
    json!({
        "spent_on": "2026-11-20",
        "items": [
            {"summary": "승강기 정기점검 용역", "vendor": "한국승강기(주)", "amount": 550000},
            {"summary": "소방 감지기 교체", "vendor": "안전소방", "amount": 120000}
        ],
        "method": "계좌이체",
        "budget_item": "수선유지비",
        "evidence": "세금계산서",
    })
}

/// Asserts that the derived `document_tabs` rows equal what migration 0002 derives from the
/// documents and their lines from scratch: the rows written with each status change never drift
/// from the rule.
pub async fn assert_tabs_derived(env: &Env) {
    let derived = "SELECT complex_id, drafter_position_id, \
         CASE status WHEN 'in_progress' THEN 'active' WHEN 'registered' THEN 'done' \
         WHEN 'rejected' THEN 'rejected' ELSE 'drafts' END AS bucket, id AS document_id FROM documents \
         UNION SELECT m.complex_id, m.position_id, \
         CASE WHEN d.status = 'rejected' THEN 'rejected' WHEN m.step_kind = 'reference' THEN 'reference' \
         WHEN d.status = 'in_progress' THEN 'active' ELSE 'done' END, m.document_id \
         FROM document_line_members m JOIN documents d ON d.complex_id = m.complex_id AND d.id = m.document_id \
         WHERE d.status IN ('in_progress', 'registered', 'rejected')";
    let mut r = env.app.db().reader().await.expect("reader");
    let order = " ORDER BY 1, 2, 3, 4";
    let want: Vec<(String, String, String, String)> =
        malgeun_store::raw::fetch_all(r.conn(), &format!("{derived}{order}"), &[])
            .await
            .unwrap();
    let have: Vec<(String, String, String, String)> = malgeun_store::raw::fetch_all(
        r.conn(),
        &format!("SELECT complex_id, position_id, bucket, document_id FROM document_tabs{order}"),
        &[],
    )
    .await
    .unwrap();
    assert!(!have.is_empty(), "no document_tabs rows");
    assert_eq!(have, want, "document_tabs drifted from its rule");
}

/// Asserts, for every person holding a position in the complex, that each 결재함 count equals the
/// length of the tab's list and its filtered count (the counts take shortcuts the lists do not).
pub async fn assert_counts_match_lists(env: &Env) {
    use malgeun_store::documents::{self, Tab};
    let cid = env.complex.to_string();
    let mut r = env.app.db().reader().await.expect("reader");
    let people: Vec<(String,)> = malgeun_store::raw::fetch_all(
        r.conn(),
        "SELECT DISTINCT person_id FROM position_terms WHERE complex_id = $1 AND ended_at IS NULL",
        &[&cid],
    )
    .await
    .unwrap();
    assert!(people.len() > 1);
    for (pid,) in people {
        let counts = documents::inbox_counts(r.conn(), &cid, &pid).await.unwrap();
        for (tab, count) in Tab::ALL.into_iter().zip(counts) {
            let list = documents::inbox(r.conn(), &cid, &pid, tab, 100_000, 0)
                .await
                .unwrap();
            let counted = documents::inbox_count_where(r.conn(), &cid, &pid, tab, None)
                .await
                .unwrap();
            assert_eq!(
                (count, counted),
                (list.len() as i64, list.len() as i64),
                "{tab:?} of {pid}"
            );
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
