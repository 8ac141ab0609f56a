//! Verification speed over a large ledger.
//!
//! A fresh database and one complex whose ledger is filled with realistic document events through
//! the real write path, `malgeun_app::events::record`, in large transactions (each takes the
//! complex's head lock with `ledger::lock_head`, as every command does). Events alternate between
//! `document.draft` and `document.submit` of one document, each carrying that document's
//! `documents` row and its `document_versions` row (uuid ids, a Korean title, a ~300-byte body, an
//! expense form, a one-step line), so the ledger holds one entry per event and the tables one
//! document and one version per two entries. The WAL is then checkpointed (the database at rest,
//! as the background checkpointer leaves it once writes pause), `App::verify_complex` is timed
//! and the process's peak RSS during it is read from `/proc/self/status`.

use std::time::Instant;

use anyhow::Context;
use malgeun_app::App;
use malgeun_app::events::{Change, record};
use malgeun_domain::content::Sha256Hash;
use malgeun_domain::document::DocumentStatus;
use malgeun_domain::{ComplexId, DocumentId, PersonId, PositionId, Timestamp};
use malgeun_store::image::{Row, Value};
use malgeun_store::{ledger, tables};
use serde::Serialize;
use serde_json::json;

use super::Options;
use super::env::{BenchDb, Engine, Office};
use super::stats;

/// What the verification benchmark measured on one engine.
#[derive(Debug, Serialize)]
pub struct VerifyBenchReport {
    /// The engine.
    pub engine: Engine,
    /// Ledger entries asked for (`--verify-entries`, or the PostgreSQL default).
    pub entries_requested: u64,
    /// Entries `verify_complex` read.
    pub entries: u64,
    /// Rows it compared.
    pub rows: u64,
    /// Whether it found no problem.
    pub ok: bool,
    /// The first problems, if any.
    pub problems: Vec<String>,
    /// Seconds spent building the ledger (not part of the result).
    pub build_secs: f64,
    /// Events written per second while building.
    pub build_entries_per_sec: f64,
    /// Average payload size of the generated events (what a leaf hashes), in bytes.
    pub avg_payload_bytes: u64,
    /// Average size of the row images stored beside each entry, in bytes.
    pub avg_images_bytes: u64,
    /// Seconds `verify_complex` took.
    pub verify_secs: f64,
    /// Entries verified per second.
    pub entries_per_sec: f64,
    /// Rows compared per second.
    pub rows_per_sec: f64,
    /// Resident set size just before verifying, in bytes.
    pub rss_before_bytes: Option<u64>,
    /// Peak RSS (`VmHWM`) while verifying, in bytes: reset before via `/proc/self/clear_refs`
    /// when the kernel allows, otherwise the peak of the whole process so far.
    pub peak_rss_bytes: Option<u64>,
    /// Whether the peak was reset before verifying (else it is the whole process's peak).
    pub peak_rss_reset: bool,
    /// Database size on disk, in bytes.
    pub db_bytes: u64,
}

impl VerifyBenchReport {
    /// Whether the ledger verified and holds what was asked for.
    pub fn correct(&self) -> bool {
        self.ok && self.entries == self.entries_requested
    }
}

/// Runs the verification benchmark on one engine with a ledger of `entries` entries.
pub async fn run(
    engine: Engine,
    opts: &Options,
    entries: u64,
) -> anyhow::Result<VerifyBenchReport> {
    let db = BenchDb::create(engine, &opts.postgres_url, opts.pool_size).await?;
    let result = run_on(&db, engine, opts, entries).await;
    let destroyed = db.destroy().await;
    let report = result?;
    destroyed?;
    Ok(report)
}

async fn run_on(
    db: &BenchDb,
    engine: Engine,
    opts: &Options,
    entries: u64,
) -> anyhow::Result<VerifyBenchReport> {
    let app = &db.app;
    let office = Office::create(app).await?;
    println!(
        "build: writing a ledger of {entries} entries in transactions of {} events…",
        opts.batch
    );
    let started = Instant::now();
    let (written, (avg_payload_bytes, avg_images_bytes)) =
        build_ledger(app, &office, entries, opts.batch).await?;
    let build_secs = started.elapsed().as_secs_f64();
    println!(
        "build: {written} events in {build_secs:.1} s ({:.0} events/s)",
        written as f64 / build_secs
    );
    // A bulk load of a million entries outruns the background checkpointer and leaves a WAL of
    // gigabytes; a server at rest has copied it back within moments. Verify is measured at rest.
    let started = Instant::now();
    app.db().checkpoint_wal().await?;
    println!(
        "build: WAL checkpointed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let db_bytes = db.size_bytes().await.unwrap_or(0);

    let rss_before_bytes = stats::current_rss();
    let peak_rss_reset = stats::reset_peak_rss();
    println!("verify: verify_complex over {entries} entries…");
    let started = Instant::now();
    let cpu_before = stats::process_cpu_secs();
    let v = app.verify_complex(office.complex).await?;
    let verify_secs = started.elapsed().as_secs_f64();
    let cpu_secs = stats::process_cpu_secs()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let peak_rss_bytes = stats::peak_rss();
    println!(
        "verify: ok: {} ({} entries, {} rows) in {verify_secs:.2} s, {} of CPU; peak RSS {:.0} MiB",
        v.ok(),
        v.entries,
        v.rows,
        cpu_secs.map_or_else(
            || "unknown".to_owned(),
            |c| format!(
                "{c:.2} s ({:.2} µs per entry)",
                c * 1e6 / v.entries.max(1) as f64
            )
        ),
        peak_rss_bytes.map_or(0.0, stats::mib)
    );
    Ok(VerifyBenchReport {
        engine,
        entries_requested: entries,
        entries: v.entries,
        rows: v.rows,
        ok: v.ok(),
        problems: v
            .problems
            .iter()
            .take(10)
            .map(|p| format!("{}: {}", p.code, p.detail))
            .collect(),
        build_secs,
        build_entries_per_sec: written as f64 / build_secs,
        avg_payload_bytes,
        avg_images_bytes,
        verify_secs,
        entries_per_sec: v.entries as f64 / verify_secs,
        rows_per_sec: v.rows as f64 / verify_secs,
        rss_before_bytes,
        peak_rss_bytes,
        peak_rss_reset,
        db_bytes,
    })
}

/// Appends document events until the complex's ledger holds `entries` entries (its setup events
/// count); returns the events written and their average payload and images sizes in bytes.
async fn build_ledger(
    app: &App,
    office: &Office,
    entries: u64,
    batch: u64,
) -> anyhow::Result<(u64, (u64, u64))> {
    let cid = office.complex.to_string();
    let signer = app.keys().signer(office.complex);
    let mut events = Events::new(office);
    let mut written = 0u64;
    let (mut payload_bytes, mut images_bytes, mut sampled) = (0u64, 0u64, 0u64);
    let mut next_report = entries / 10;
    loop {
        let mut tx = app.db().begin().await?;
        let mut head = ledger::lock_head(&mut tx, &cid)
            .await?
            .context("the complex has no ledger head")?;
        if head.size() >= entries {
            break;
        }
        let n = batch.min(entries - head.size());
        for _ in 0..n {
            let (at, change) = events.next();
            if events.seq.is_multiple_of(PAYLOAD_SAMPLE) {
                let (payload, images) = encoded_len(&change);
                payload_bytes += payload;
                images_bytes += images;
                sampled += 1;
            }
            record(&mut tx, office.complex, &mut head, &signer, at, change).await?;
        }
        tx.commit().await?;
        written += n;
        if head.size() >= next_report {
            println!("build: {} / {entries} entries", head.size());
            next_report += entries / 10;
        }
    }
    let n = sampled.max(1);
    Ok((written, (payload_bytes / n, images_bytes / n)))
}

/// Every how many events the payload size is sampled for the report.
const PAYLOAD_SAMPLE: u64 = 100;

/// The payload and images sizes of a change as `events::encode` writes them (for the report only).
fn encoded_len(change: &Change) -> (u64, u64) {
    let encoded = malgeun_app::events::encode(
        ComplexId::from_uuid(uuid::Uuid::nil()),
        Timestamp::from_micros(0),
        change,
    );
    (encoded.payload.len() as u64, encoded.images.len() as u64)
}

/// Korean titles of the kind an apartment office drafts.
const TITLES: &[&str] = &[
    "승강기 정기점검 용역비 지출결의",
    "소방 감지기 교체 공사비 지출결의",
    "공용 전기료 납부 지출결의",
    "지하주차장 LED 조명 교체 지출결의",
    "경비 용역 월 도급비 지출결의",
    "어린이 놀이터 안전검사 수수료 지출결의",
    "저수조 청소 및 수질검사 비용 지출결의",
    "관리사무소 사무용품 구입 지출결의",
];

/// Body sentences (about 300 bytes each once numbered).
const BODIES: &[&str] = &[
    "아래와 같이 정기 점검 용역 대금을 지출하고자 하오니 결재하여 주시기 바랍니다. 계약 업체는 \
     한국승강기(주)이며 101동부터 108동까지 승강기 16대를 점검하였고 이상은 없었습니다.",
    "입주자대표회의 의결에 따라 노후 감지기를 교체하였기에 그 비용을 지출하고자 합니다. 세금계산서와 \
     시공 사진, 준공 확인서를 첨부하오니 검토하여 주시기 바랍니다.",
    "관리규약 제45조에 따라 공용 시설 유지 비용을 장기수선충당금이 아닌 수선유지비에서 집행하고자 \
     합니다. 견적서 세 곳을 비교하여 가장 낮은 금액을 제시한 업체를 선정하였습니다.",
];

/// Generates the events: a draft, then its submission, then the next document.
struct Events {
    cid: String,
    person_id: PersonId,
    position_id: PositionId,
    person: String,
    position: String,
    line_json: String,
    seq: u64,
    at: i64,
    doc: Option<Doc>,
}

/// The document being drafted and submitted.
struct Doc {
    id: String,
    title: String,
    body: String,
    form_json: String,
    content_sha256: String,
    created_at: i64,
}

impl Events {
    fn new(office: &Office) -> Self {
        let line_json = json!([{
            "kind": "final",
            "positions": [office.manager_position.to_string()],
        }])
        .to_string();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(0));
        Self {
            cid: office.complex.to_string(),
            person_id: office.accountant.person,
            position_id: office.accountant_position,
            person: office.accountant.person.to_string(),
            position: office.accountant_position.to_string(),
            line_json,
            seq: 0,
            // A few years back, one event every 37 ms of simulated time.
            at: now - 3 * 365 * 24 * 3600 * 1_000_000,
            doc: None,
        }
    }

    /// The next event and its time.
    fn next(&mut self) -> (Timestamp, Change) {
        self.seq += 1;
        self.at += 37_000;
        let at = self.at;
        let (event, doc) = match self.doc.take() {
            Some(doc) => ("document.submit", doc),
            None => ("document.draft", self.new_doc(at)),
        };
        let submitted = event == "document.submit";
        let status = if submitted {
            DocumentStatus::InProgress
        } else {
            DocumentStatus::Draft
        };
        let document = Row::new(
            &tables::DOCUMENTS,
            vec![
                ("complex_id", self.cid.clone().into()),
                ("id", doc.id.clone().into()),
                ("kind_code", "expense-resolution".into()),
                ("kind_version", 1_i64.into()),
                ("drafter_position_id", self.position.clone().into()),
                ("drafter_person_id", self.person.clone().into()),
                ("title", doc.title.clone().into()),
                ("status", status.code().into()),
                ("current_version", 1_i64.into()),
                ("content_sha256", doc.content_sha256.clone().into()),
                ("registration_number", Value::Null),
                ("registration_year", Value::Null),
                ("registration_serial", Value::Null),
                ("registered_at", Value::Null),
                ("corrects_id", Value::Null),
                ("received_from", Value::Null),
                ("created_at", doc.created_at.into()),
                ("updated_at", at.into()),
            ],
        );
        let version = Row::new(
            &tables::DOCUMENT_VERSIONS,
            vec![
                ("complex_id", self.cid.clone().into()),
                ("document_id", doc.id.clone().into()),
                ("version", 1_i64.into()),
                ("title", doc.title.clone().into()),
                ("body", doc.body.clone().into()),
                ("form_json", doc.form_json.clone().into()),
                ("line_json", self.line_json.clone().into()),
                ("content_sha256", doc.content_sha256.clone().into()),
                ("created_by", self.person.clone().into()),
                ("created_at", doc.created_at.into()),
                ("submitted_at", submitted.then_some(at).into()),
            ],
        );
        let change = Change::new(event)
            .subject(&doc.id)
            .by(self.person_id, Some(self.position_id))
            .row(document)
            .row(version);
        if !submitted {
            self.doc = Some(doc);
        }
        (Timestamp::from_micros(at), change)
    }

    fn new_doc(&self, at: i64) -> Doc {
        let n = self.seq / 2 + 1;
        let i = usize::try_from(n).unwrap_or(0);
        let title = format!("{} 제{n}호", TITLES[i % TITLES.len()]);
        let body = format!("문서 {n}. {}", BODIES[i % BODIES.len()]);
        let form_json = json!({
            "budget_item": "수선유지비",
            "evidence": "세금계산서",
            "items": [
                {"amount": 550_000 + (i % 97) * 1_000, "summary": "승강기 정기점검 용역", "vendor": "한국승강기(주)"},
                {"amount": 120_000 + (i % 13) * 500, "summary": "소방 감지기 교체", "vendor": "안전소방"}
            ],
            "method": "계좌이체",
            "spent_on": "2026-11-20",
        })
        .to_string();
        let content_sha256 =
            Sha256Hash::of(format!("{title}\n{body}\n{form_json}").as_bytes()).to_hex();
        Doc {
            id: DocumentId::from_uuid(malgeun_app::App::new_uuid()).to_string(),
            title,
            body,
            form_json,
            content_sha256,
            created_at: at,
        }
    }
}
