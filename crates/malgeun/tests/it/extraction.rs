//! 첨부파일 본문 추출 over HTTP: the text inside attachments (DOCX, XLSX, HWP, HWPX, PDF, and
//! by OCR a rendered Korean form page as an image and as a scanned PDF) becomes searchable, with
//! marked snippets, only for those who may open the document; a hostile file fails its own job
//! with its reason while the server keeps serving; a job whose process died is taken up again.

use malgeun::config::Config;
use malgeun_extract::samples;
use serde_json::{Value, json};

use crate::on_both_engines;
use crate::support::{Client, Env, expense_form, raw_sql, urlencode};

/// Uploads files and drafts a document holding them; returns its id.
async fn draft_with(
    client: &Client,
    title: &str,
    files: &[(&str, Vec<u8>)],
    submit: bool,
) -> String {
    let mut attachments = Vec::new();
    for (name, bytes) in files {
        let blob = client
            .raw(
                reqwest::Method::POST,
                "blobs",
                "application/octet-stream",
                bytes.clone(),
            )
            .await
            .expect(201);
        attachments.push(json!({"name": name, "media_type": "application/octet-stream", "sha256": blob["sha256"]}));
    }
    client
        .post(
            "documents",
            json!({"kind": "expense-resolution", "title": title, "body": "첨부 참조",
                   "form": expense_form(), "attachments": attachments, "submit": submit}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn search(client: &Client, q: &str) -> Value {
    client
        .get(&format!("search?q={}", urlencode(q)))
        .await
        .expect(200)
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The extraction state of each attachment of a document, as the API shows it.
async fn states(client: &Client, doc: &str) -> Vec<(String, String, String)> {
    let view = client.get(&format!("documents/{doc}")).await.expect(200);
    view["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let e = &a["extraction"];
            (
                a["name"].as_str().unwrap().to_owned(),
                e["label"].as_str().unwrap_or("-").to_owned(),
                e["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

async fn text_inside_attachments_is_found(env: &Env) {
    let accountant = env.login("accountant").await;
    let manager = env.login("manager").await;
    let files = vec![
        (
            "견적서.docx",
            samples::docx(&["정화조 청소 견적", "한빛환경 주식회사"]),
        ),
        (
            "내역.xlsx",
            samples::xlsx(&[&["항목", "금액"], &["저수조세척", "880000"]]),
        ),
        (
            "공문.hwp",
            samples::hwp(&["소방시설 자체점검 결과 통보"], true),
        ),
        (
            "회의록.hwpx",
            samples::hwpx(&["입주자대표회의 의결 사항: 도색공사"]),
        ),
        (
            "계약서.pdf",
            samples::pdf_text(&["옥상방수 공사 계약서: 시공사 맑은건설, 공사기간 2026년 11월"]),
        ),
        ("메모.txt", "관리비 고지서 재발송 요청".as_bytes().to_vec()),
    ];
    let doc = draft_with(&accountant, "11월 지출 (본문 시험)", &files, true).await;
    let pending = states(&accountant, &doc).await;
    assert!(
        pending.iter().all(|(_, l, _)| l == "추출 대기"),
        "{pending:?}"
    );
    // Nothing is found before the job runs: the words are only inside the files.
    assert!(ids(&search(&accountant, "저수조세척").await).is_empty());

    let ran = env.app.extract_pending().await.expect("jobs run");
    assert_eq!(ran, files.len());
    let done = states(&accountant, &doc).await;
    assert!(done.iter().all(|(_, l, _)| l == "추출 완료"), "{done:?}");

    for word in [
        "정화조",
        "저수조세척",
        "소방시설",
        "도색공사",
        "옥상방수",
        "고지서를",
    ] {
        let body = search(&accountant, word).await;
        assert_eq!(ids(&body), [doc.as_str()], "`{word}` finds the document");
        let snippet = body["items"][0]["snippet_html"].as_str().unwrap();
        assert!(
            snippet.contains("<mark>"),
            "`{word}`: marked snippet {snippet}"
        );
    }
    // The manager is on the line and finds it; the neighbour complex's manager does not.
    assert_eq!(ids(&search(&manager, "정화조").await), [doc.as_str()]);
    let neighbour = env.login("neighbour").await;
    neighbour
        .get(&format!("search?q={}", urlencode("정화조")))
        .await
        .expect_error(404, "complex_not_found");
    // A draft's attachments stay the drafter's: another person finds nothing.
    let private = draft_with(
        &accountant,
        "임시 (본문 시험)",
        &[("비밀.txt", "옥탑 누수 비밀 메모".as_bytes().to_vec())],
        false,
    )
    .await;
    env.app.extract_pending().await.unwrap();
    assert_eq!(ids(&search(&accountant, "누수").await), [private.as_str()]);
    assert!(
        ids(&search(&manager, "누수").await).is_empty(),
        "a draft is not found by others"
    );

    // The same file attached again is not read twice.
    let again = draft_with(&accountant, "재첨부 (본문 시험)", &files[..1], true).await;
    assert_eq!(env.app.extract_pending().await.unwrap(), 0);
    let mut found = ids(&search(&accountant, "정화조").await);
    found.sort();
    let mut both = vec![doc.clone(), again.clone()];
    both.sort();
    assert_eq!(found, both);

    // The text is ledgered: verify covers it, and tampering with it is reported.
    assert!(env.app.verify_complex(env.complex).await.unwrap().ok());
    raw_sql(
        env,
        "UPDATE attachment_texts SET text = '조작된 본문' WHERE format = 'docx'",
    )
    .await;
    assert!(
        !env.app.verify_complex(env.complex).await.unwrap().ok(),
        "edited text is reported"
    );
}

on_both_engines!(
    text_inside_attachments_is_found,
    attachment_text_sqlite,
    attachment_text_postgres
);

const FORM_PNG: &[u8] = include_bytes!("../../../malgeun-extract/tests/data/form.png");

async fn scanned_form_becomes_searchable(env: &Env) {
    if !samples::ocr_or_skip() {
        return;
    }
    let accountant = env.login("accountant").await;
    let scan = samples::pdf_scan(FORM_PNG, 150).expect("grayscale PNG");
    let image_doc = draft_with(
        &accountant,
        "관리비 내역 사진 (OCR 시험)",
        &[("내역서.png", FORM_PNG.to_vec())],
        true,
    )
    .await;
    let scan_doc = draft_with(
        &accountant,
        "관리비 내역 스캔 (OCR 시험)",
        &[("내역서.pdf", scan)],
        true,
    )
    .await;
    assert_eq!(env.app.extract_pending().await.unwrap(), 2);
    for doc in [&image_doc, &scan_doc] {
        let s = states(&accountant, doc).await;
        assert_eq!(s[0].1, "추출 완료", "{s:?}");
    }
    let mut expected = vec![image_doc.clone(), scan_doc.clone()];
    expected.sort();
    for word in ["장기수선충당금", "승강기유지비", "부과합니다"] {
        let body = search(&accountant, word).await;
        let mut found = ids(&body);
        found.sort();
        assert_eq!(found, expected, "`{word}` finds the image and the scan");
        assert!(
            body["items"][0]["snippet_html"]
                .as_str()
                .unwrap()
                .contains("<mark>")
        );
    }
}

on_both_engines!(scanned_form_becomes_searchable, ocr_sqlite, ocr_postgres);

/// A second server process on the same database with its own extraction settings.
async fn other_process(
    env: &Env,
    dir: &std::path::Path,
    memory_mib: u64,
    timeout_secs: u64,
) -> malgeun_app::App {
    let cfg = Config {
        data_dir: dir.to_path_buf(),
        database_url: Some(env.cfg.database_url()),
        ledger_seed: env.cfg.ledger_seed.clone(),
        pool_size: 2,
        blob_dir: Some(env.cfg.blob_dir()),
        extract_program: Some(env!("CARGO_BIN_EXE_malgeun").into()),
        extract_memory_mib: memory_mib,
        extract_timeout_secs: timeout_secs,
        ..Config::default()
    };
    malgeun::open(&cfg).await.expect("second process")
}

async fn hostile_files_fail_their_own_jobs(env: &Env) {
    let accountant = env.login("accountant").await;
    let bomb = samples::zip_bomb(300 * 1024 * 1024);
    assert!(
        bomb.len() < 1024 * 1024,
        "fits the 1 MB upload limit: {}",
        bomb.len()
    );
    let files = vec![
        ("폭탄.zip", bomb.clone()),
        ("겹겹.zip", samples::nested_zip(b"deep", 5)),
        ("깨진.docx", samples::docx(&["잘린 문서"])[..200].to_vec()),
        ("정상.txt", "배수펌프 교체 요청".as_bytes().to_vec()),
    ];
    let doc = draft_with(&accountant, "위험한 첨부 (시험)", &files, true).await;
    assert_eq!(env.app.extract_pending().await.unwrap(), files.len());
    let s = states(&accountant, &doc).await;
    assert_eq!(s[0].1, "추출 실패");
    assert!(s[0].2.contains("압축 폭탄"), "{s:?}");
    assert_eq!(s[1].1, "추출 실패");
    assert!(s[1].2.contains("겹쳐"), "{s:?}");
    assert_eq!(s[2].1, "추출 실패");
    assert!(s[2].2.contains("손상"), "{s:?}");
    assert_eq!(
        s[3].1, "추출 완료",
        "the good file of the same document is read"
    );
    assert_eq!(ids(&search(&accountant, "배수펌프").await), [doc.as_str()]);

    // A file that makes the extractor pass its memory limit kills only that child: another
    // process that allows little memory (and a higher unpack limit is not needed: 200 MB of
    // zeros is more than 128 MiB) records the reason and goes on.
    let dir = tempfile::tempdir().unwrap();
    let small = other_process(env, dir.path(), 128, 300).await;
    let second = draft_with(
        &accountant,
        "메모리 시험",
        &[("폭탄2.zip", samples::zip_bomb(150 * 1024 * 1024))],
        true,
    )
    .await;
    assert_eq!(small.extract_pending().await.unwrap(), 1);
    let s = states(&accountant, &second).await;
    assert_eq!(s[0].1, "추출 실패", "{s:?}");
    assert!(s[0].2.contains("메모리"), "{s:?}");
    // The server is still serving.
    accountant
        .get(&format!("documents/{doc}"))
        .await
        .expect(200);
    assert_eq!(ids(&search(&accountant, "배수펌프").await), [doc.as_str()]);
    small.db().close().await;
}

on_both_engines!(
    hostile_files_fail_their_own_jobs,
    hostile_sqlite,
    hostile_postgres
);

async fn a_dead_workers_job_is_taken_again(env: &Env) {
    let accountant = env.login("accountant").await;
    let doc = draft_with(
        &accountant,
        "중단된 추출 (시험)",
        &[("공고.txt", "급수관 교체 공고".as_bytes().to_vec())],
        true,
    )
    .await;
    // A worker took the job and died: its lease ran out long ago.
    raw_sql(
        env,
        "UPDATE extraction_jobs SET state = 'running', attempts = 1, lease_owner = 'dead', lease_until = 1",
    )
    .await;
    assert_eq!(env.app.extract_pending().await.unwrap(), 1);
    assert_eq!(states(&accountant, &doc).await[0].1, "추출 완료");
    assert_eq!(ids(&search(&accountant, "급수관").await), [doc.as_str()]);

    // A job that keeps killing its worker fails for good after three starts.
    let other = draft_with(
        &accountant,
        "반복 중단 (시험)",
        &[("x.txt", b"again".to_vec())],
        true,
    )
    .await;
    raw_sql(
        env,
        "UPDATE extraction_jobs SET state = 'running', attempts = 3, lease_owner = 'dead', lease_until = 1 \
         WHERE state = 'queued'",
    )
    .await;
    assert_eq!(env.app.extract_pending().await.unwrap(), 1);
    let s = states(&accountant, &other).await;
    assert_eq!(s[0].1, "추출 실패");
    assert!(s[0].2.contains("3번"), "{s:?}");
    // A live lease is left alone.
    let third = draft_with(
        &accountant,
        "다른 서버 (시험)",
        &[("y.txt", b"busy".to_vec())],
        true,
    )
    .await;
    raw_sql(
        env,
        "UPDATE extraction_jobs SET state = 'running', attempts = 1, lease_owner = 'alive', \
         lease_until = 9000000000000000 WHERE state = 'queued'",
    )
    .await;
    assert_eq!(env.app.extract_pending().await.unwrap(), 0);
    assert_eq!(states(&accountant, &third).await[0].1, "추출 중");
}

on_both_engines!(
    a_dead_workers_job_is_taken_again,
    lease_sqlite,
    lease_postgres
);

/// Two server processes on one database take jobs side by side: each file is read once.
async fn two_processes_share_the_jobs(env: &Env) {
    let accountant = env.login("accountant").await;
    let mut docs = Vec::new();
    for i in 0..6 {
        let text = format!("공동작업 시험 {i}번 배관");
        docs.push(
            draft_with(
                &accountant,
                &format!("나눠 읽기 {i}"),
                &[("a.txt", text.into_bytes())],
                true,
            )
            .await,
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let other = other_process(env, dir.path(), 2048, 300).await;
    let (a, b) = tokio::join!(env.app.extract_pending(), other.extract_pending());
    assert_eq!(
        a.unwrap() + b.unwrap(),
        docs.len(),
        "every job ran once in all"
    );
    let mut r = env.app.db().reader().await.unwrap();
    let entries: Vec<(String,)> = malgeun_store::raw::fetch_all(
        r.conn(),
        "SELECT subject FROM ledger_entries WHERE event = 'document.extract'",
        &[],
    )
    .await
    .unwrap();
    drop(r);
    let mut subjects: Vec<String> = entries.into_iter().map(|(s,)| s).collect();
    subjects.sort();
    docs.sort();
    assert_eq!(subjects, docs, "one document.extract entry per document");
    let mut found = ids(&search(&accountant, "배관").await);
    found.sort();
    assert_eq!(found, docs);
    other.db().close().await;
}

on_both_engines!(
    two_processes_share_the_jobs,
    shared_jobs_sqlite,
    shared_jobs_postgres
);

/// A file that takes longer than the timeout: its child (and the OCR commands it started) are
/// killed and the job fails with the reason; the next job runs.
async fn a_slow_file_is_stopped(env: &Env) {
    if !samples::ocr_or_skip() {
        return;
    }
    let accountant = env.login("accountant").await;
    // Twenty A4 pages, each rendered at 300 dpi and read by tesseract: on the fastest machine
    // seen one page took under a second, which a one-page scan once let finish in time.
    let scan = samples::pdf_scan_pages(FORM_PNG, 150, 20).expect("grayscale PNG");
    let slow = draft_with(&accountant, "느린 스캔 (시험)", &[("스캔.pdf", scan)], true).await;
    let next = draft_with(
        &accountant,
        "다음 문서 (시험)",
        &[("메모.txt", "보일러 점검".as_bytes().to_vec())],
        true,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let hasty = other_process(env, dir.path(), 2048, 1).await;
    let started = std::time::Instant::now();
    assert_eq!(hasty.extract_pending().await.unwrap(), 2);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "stopped at the timeout"
    );
    let s = states(&accountant, &slow).await;
    assert_eq!(s[0].1, "추출 실패", "{s:?}");
    assert!(s[0].2.contains("1초 초과"), "{s:?}");
    assert_eq!(states(&accountant, &next).await[0].1, "추출 완료");
    hasty.db().close().await;
}

on_both_engines!(a_slow_file_is_stopped, timeout_sqlite, timeout_postgres);
