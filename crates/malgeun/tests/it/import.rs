//! 종이 문서 가져오기: the real `malgeun import` over a generated storeroom (year and kind folders,
//! box folders, a manifest, duplicates, files no rule takes) is killed with SIGKILL part-way,
//! run again to the end, and run a third time; every distinct file is then a registered document
//! exactly once, with gapless serials per year, and `malgeun verify` passes. Bad input refuses the
//! run and changes nothing.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use malgeun_domain::ComplexId;

use crate::support::{Env, snapshot, verify};

/// Kind folders as a storeroom labels them (default rules know these names).
const KIND_FOLDERS: &[&str] = &[
    "관리비",
    "회의록",
    "업무일지",
    "점검일지",
    "공문",
    "공고문",
    "계약서",
    "지출결의서",
];

/// What the generator made.
struct Storeroom {
    dir: tempfile::TempDir,
    /// Files a rule takes.
    matched: usize,
    /// Distinct contents among them.
    distinct: usize,
    /// Files no rule takes.
    unmatched: usize,
}

/// Writes `n` files: `YEAR/KIND/YYYY-MM-DD_….pdf`, some in `상자 N` subfolders, one year with
/// `출처.toml`; every 50th file repeats the previous file's content; every 40th is a file no rule
/// takes (an unknown kind folder or a `.txt` note).
fn generate(n: usize) -> Storeroom {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut matched = 0;
    let mut unmatched = 0;
    let mut contents = HashSet::new();
    let mut previous: Vec<u8> = Vec::new();
    std::fs::create_dir_all(dir.path().join("2016")).unwrap();
    std::fs::write(
        dir.path().join("2016").join("출처.toml"),
        "scanned_by = \"김서무\"\nscanned_on = \"2024-05-01\"\nbox = \"문서고 A\"\n",
    )
    .unwrap();
    for i in 0..n {
        let year = 2015 + (i % 10);
        let kind = KIND_FOLDERS[(i / 10) % KIND_FOLDERS.len()];
        let month = 1 + (i / 80) % 12;
        let day = 1 + (i / 7) % 28;
        let mut folder = dir.path().join(year.to_string());
        let rel_name;
        if i % 40 == 39 {
            unmatched += 1;
            if i % 80 == 79 {
                folder = folder.join("기타자료");
                rel_name = format!("잡문서 {i}.pdf");
            } else {
                folder = folder.join(kind);
                rel_name = format!("메모 {i}.txt");
            }
        } else {
            matched += 1;
            folder = folder.join(kind);
            if i % 3 == 0 {
                folder = folder.join(format!("상자 {}", 1 + i % 17));
            }
            rel_name = format!("{year}-{month:02}-{day:02}_문서 {i}.pdf");
        }
        let bytes = if i % 50 == 49 && i % 40 != 39 && !previous.is_empty() {
            previous.clone()
        } else {
            format!("%PDF-1.4\n% 스캔 {i}\n").into_bytes()
        };
        if i % 40 != 39 {
            contents.insert(bytes.clone());
            previous = bytes.clone();
        }
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(rel_name), &bytes).unwrap();
    }
    // System files are passed over silently.
    std::fs::write(dir.path().join("Thumbs.db"), b"x").unwrap();
    Storeroom {
        distinct: contents.len(),
        dir,
        matched,
        unmatched,
    }
}

/// The `malgeun import` command against the environment's data, as the manager.
fn import_command(env: &Env, dir: &Path, extra: &[&str]) -> Command {
    import_as(env, dir, env.complex, "manager", extra)
}

/// The `malgeun import` command into a complex as a person.
fn import_as(env: &Env, dir: &Path, complex: ComplexId, login: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_malgeun"));
    cmd.arg("--data-dir")
        .arg(env.data_dir())
        .arg("import")
        .arg(dir)
        .arg("--complex")
        .arg(complex.to_string())
        .arg("--as")
        .arg(login)
        .args(extra);
    cmd.env("MALGEUN_LEDGER_SEED", env.cfg.ledger_seed.clone().unwrap());
    cmd.env("MALGEUN_LOG", "error");
    cmd.env("MALGEUN_MAX_ATTACHMENT_MB", "1");
    if let Some(url) = &env.cfg.database_url {
        cmd.env("MALGEUN_DATABASE_URL", url);
    }
    cmd
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// The `key=value` counts of the summary's last line.
fn counts(out: &str) -> BTreeMap<String, f64> {
    out.lines()
        .rev()
        .find(|l| l.starts_with("imported="))
        .unwrap_or_else(|| panic!("no summary line in:\n{out}"))
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.parse().unwrap()))
        .collect()
}

async fn scalar(env: &Env, sql: &str) -> i64 {
    let mut r = env.app.db().reader().await.expect("reader");
    let rows: Vec<(i64,)> = malgeun_store::raw::fetch_all(r.conn(), sql, &[])
        .await
        .expect(sql);
    rows[0].0
}

async fn imported_count(env: &Env) -> i64 {
    scalar(env, "SELECT COUNT(*) FROM digitised_records").await
}

/// The acceptance scenario with `n` generated files.
pub async fn kill_and_resume(env: &Env, n: usize) {
    let store = generate(n);
    let started = Instant::now();

    // 1. Start, let some files in, then SIGKILL.
    let mut child = import_command(env, store.dir.path(), &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start malgeun import");
    let wanted = i64::try_from(store.distinct / 10).unwrap().max(1);
    let deadline = Instant::now() + Duration::from_secs(600);
    while imported_count(env).await < wanted {
        assert!(Instant::now() < deadline, "the import made no progress");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended before it was killed: {status}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let after_kill = imported_count(env).await;
    assert!(
        after_kill < i64::try_from(store.distinct).unwrap(),
        "killed part-way ({after_kill} of {})",
        store.distinct
    );

    // 2. The same command finishes the job.
    let out = import_command(env, store.dir.path(), &[]).output().unwrap();
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    let c = counts(&report);
    let imported = c["imported"] as usize;
    assert_eq!(c["failed"], 0.0, "{report}");
    assert_eq!(c["unmatched"] as usize, store.unmatched, "{report}");
    assert_eq!(
        c["imported"] + c["already"] + c["duplicates"],
        store.matched as f64,
        "every matched file is imported or skipped by hash:\n{report}"
    );
    assert_eq!(
        after_kill as usize + imported,
        store.distinct,
        "no duplicate and no gap across the kill"
    );
    assert!(report.contains("규칙에 맞지 않아 건너뜀"), "{report}");
    assert!(report.contains("기타자료/잡문서 79.pdf"), "{report}");
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!(
        "import of {n} files ({} distinct) with a kill and a resume: {elapsed:.1} s; resumed run: {} files/s",
        store.distinct, c["files_per_second"]
    );

    // 3. Every distinct file is exactly one registered document with its attachment and its entry.
    let distinct = store.distinct as i64;
    assert_eq!(imported_count(env).await, distinct);
    assert_eq!(
        scalar(env, "SELECT COUNT(DISTINCT sha256) FROM digitised_records").await,
        distinct
    );
    assert_eq!(
        scalar(
            env,
            "SELECT COUNT(*) FROM documents d JOIN digitised_records r \
             ON r.complex_id = d.complex_id AND r.document_id = d.id \
             JOIN attachments a ON a.complex_id = d.complex_id AND a.document_id = d.id \
             AND a.sha256 = r.sha256 WHERE d.status = 'registered'"
        )
        .await,
        distinct
    );
    assert_eq!(
        scalar(
            env,
            "SELECT COUNT(*) FROM digitised_records r JOIN ledger_entries e \
             ON e.complex_id = r.complex_id AND e.subject = r.document_id \
             WHERE e.event = 'document.digitise'"
        )
        .await,
        distinct,
        "one ledger entry per record"
    );
    // Numbered in the originals' years, gapless.
    assert_eq!(
        scalar(
            env,
            "SELECT COUNT(*) FROM (SELECT registration_year FROM documents \
             WHERE registration_year IS NOT NULL GROUP BY registration_year \
             HAVING MAX(registration_serial) <> COUNT(*)) g"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            env,
            "SELECT COUNT(*) FROM documents WHERE registration_year BETWEEN 2015 AND 2024"
        )
        .await,
        distinct
    );
    // Provenance from the box folders and the manifest.
    assert!(
        scalar(
            env,
            "SELECT COUNT(*) FROM digitised_records WHERE box_label LIKE '상자 %'"
        )
        .await
            > 0
    );
    assert!(
        scalar(
            env,
            "SELECT COUNT(*) FROM digitised_records WHERE scanned_by = '김서무' \
             AND scanned_on = '2024-05-01' AND source_path LIKE '2016/%'"
        )
        .await
            > 0
    );

    // 4. A third run imports nothing and says so.
    let out = import_command(env, store.dir.path(), &[]).output().unwrap();
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    let c = counts(&report);
    assert_eq!(c["imported"], 0.0, "{report}");
    assert_eq!(c["already"] + c["duplicates"], store.matched as f64);
    assert!(report.contains("새로 가져온 문서가 없습니다"), "{report}");
    assert_eq!(imported_count(env).await, distinct);

    // 5. The ledger verifies, every record included.
    let (ok, out) = verify(env);
    assert!(ok, "verify after the import:\n{out}");
}

async fn import_10k_files(env: &Env) {
    kill_and_resume(env, 10_000).await;
}

async fn import_1k_files(env: &Env) {
    kill_and_resume(env, 1_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_of_10k_files_survives_a_kill_on_sqlite() {
    let env = Env::start(crate::support::Engine::Sqlite)
        .await
        .expect("SQLite always runs");
    import_10k_files(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_survives_a_kill_on_postgres() {
    if let Some(env) = Env::start(crate::support::Engine::Postgres).await {
        import_1k_files(&env).await;
    }
}

/// A run that must be refused without changing anything.
async fn refused(env: &Env, cmd: &mut Command, code: &str) {
    let before = snapshot(env).await;
    let out = cmd.output().unwrap();
    let report = text(&out);
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert!(report.contains(&format!("({code})")), "{code}: {report}");
    assert!(report.contains("오류: "), "a Korean message: {report}");
    assert_eq!(snapshot(env).await, before, "{code} changed something");
    assert_eq!(imported_count(env).await, 0);
}

fn write(root: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn bad_input_changes_nothing(env: &Env) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "2019/관리비/2019-03-05_부과내역.pdf", b"%PDF 1");
    write(root, "2019/회의록/20190310 정기회의.pdf", b"%PDF 2");

    let missing = root.join("없는 폴더");
    refused(
        env,
        &mut import_command(env, &missing, &[]),
        "import_dir_missing",
    )
    .await;

    let rules_dir = tempfile::tempdir().unwrap();
    let rules = write(
        rules_dir.path(),
        "rules.toml",
        b"[[rule]]\npath = \"{year}/*/*\"\nkind = \"no-such-kind\"\n",
    );
    let rules_arg = rules.to_str().unwrap();
    refused(
        env,
        &mut import_command(env, root, &["--rules", rules_arg]),
        "unknown_kind",
    )
    .await;
    std::fs::write(&rules, "[[rule]]\npath = \"{yaer}/{kind}/*\"\n").unwrap();
    refused(
        env,
        &mut import_command(env, root, &["--rules", rules_arg]),
        "rules_bad_pattern",
    )
    .await;
    refused(
        env,
        &mut import_command(env, root, &["--rules", "/no/such/rules.toml"]),
        "rules_unreadable",
    )
    .await;

    // The neighbour's complex: not even its existence is confirmed.
    refused(
        env,
        &mut import_as(env, root, env.other_complex, "manager", &[]),
        "complex_not_found",
    )
    .await;
    // Someone who is neither the manager nor an administrator.
    refused(
        env,
        &mut import_as(env, root, env.complex, "accountant", &[]),
        "may_not_import",
    )
    .await;
    refused(
        env,
        &mut import_as(env, root, env.complex, "nobody", &[]),
        "unknown_login",
    )
    .await;

    // An oversize file refuses the whole run (the limit here is 1 MB) …
    let big = write(
        root,
        "2019/관리비/2019-12-31_큰 파일.pdf",
        &vec![b'x'; 1024 * 1024 + 1],
    );
    refused(env, &mut import_command(env, root, &[]), "import_bad_files").await;

    // … a dry run reports and writes nothing …
    let before = snapshot(env).await;
    let out = import_command(env, root, &["--dry-run", "--skip-bad"])
        .output()
        .unwrap();
    let report = text(&out);
    assert_eq!(counts(&report)["imported"], 2.0, "{report}");
    assert_eq!(snapshot(env).await, before, "a dry run wrote something");

    // … and --skip-bad imports the rest and reports the file as failed.
    let out = import_command(env, root, &["--skip-bad"]).output().unwrap();
    let report = text(&out);
    assert!(
        !out.status.success(),
        "a failed file fails the run: {report}"
    );
    let c = counts(&report);
    assert_eq!((c["imported"], c["failed"]), (2.0, 1.0), "{report}");
    assert!(report.contains("큰 파일.pdf"), "{report}");
    std::fs::remove_file(big).unwrap();
    let (ok, out) = verify(env);
    assert!(ok, "{out}");
}

crate::on_both_engines!(
    bad_input_changes_nothing,
    import_bad_input_changes_nothing_on_sqlite,
    import_bad_input_changes_nothing_on_postgres
);

/// The document made from the file at `source_path`.
async fn document_of(env: &Env, source_path: &str) -> String {
    let mut r = env.app.db().reader().await.expect("reader");
    let rows: Vec<(String,)> = malgeun_store::raw::fetch_all(
        r.conn(),
        "SELECT document_id FROM digitised_records WHERE source_path = $1",
        &[source_path],
    )
    .await
    .unwrap();
    rows.first()
        .unwrap_or_else(|| panic!("no record of {source_path}"))
        .0
        .clone()
}

/// Imported records are registered documents of their kind: numbered in the original's year, in
/// that year's register, seen by whom the kind lets see them, kept as long as the kind says, with
/// the scan attached and the import in their history.
async fn records_follow_their_kind(env: &Env) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "2019/관리비/2019-03-05_3월 부과내역.pdf",
        b"%PDF levy",
    );
    write(
        root,
        "2019/임금/상자 4/20190325 임금대장.pdf",
        b"%PDF payroll",
    );
    let out = import_command(env, root, &["--scanned-by", "김서무"])
        .output()
        .unwrap();
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    assert_eq!(counts(&report)["imported"], 2.0, "{report}");
    let levy = document_of(env, "2019/관리비/2019-03-05_3월 부과내역.pdf").await;
    let payroll = document_of(env, "2019/임금/상자 4/20190325 임금대장.pdf").await;

    let manager = env.login("manager").await;
    let view = manager.get(&format!("documents/{levy}")).await.expect(200);
    assert_eq!(view["status"], "registered");
    assert_eq!(view["kind_code"], "management-fee-levy");
    assert_eq!(view["title"], "3월 부과내역");
    assert_eq!(view["registration_number"], "시험아파트-2019-0001");
    assert!(
        view["registered_at"]
            .as_str()
            .unwrap()
            .starts_with("2019-03-04T15:00:00"),
        "the original's day, midnight in Seoul: {}",
        view["registered_at"]
    );
    assert_eq!(view["retention"], "5년");
    let body = view["body"].as_str().unwrap();
    assert!(
        body.contains("전자화문서") && body.contains("스캔한 사람: 김서무"),
        "{body}"
    );
    assert_eq!(
        view["attachments"][0]["name"],
        "2019-03-05_3월 부과내역.pdf"
    );
    assert_eq!(view["attachments"][0]["media_type"], "application/pdf");
    let history = manager
        .get(&format!("documents/{levy}/history"))
        .await
        .expect(200);
    assert!(history.to_string().contains("전자화 등록"), "{history}");
    let view = manager
        .get(&format!("documents/{payroll}"))
        .await
        .expect(200);
    assert_eq!(view["registration_number"], "시험아파트-2019-0002");
    let register = manager.get("register?year=2019").await.expect(200);
    assert_eq!(register["items"].as_array().unwrap().len(), 2, "{register}");

    // The council's chair may read the levy (a viewer of the kind) but not the payroll
    // (restricted: only the line, here the importing manager).
    let chair = env.login("chair").await;
    chair.get(&format!("documents/{levy}")).await.expect(200);
    chair
        .get(&format!("documents/{payroll}"))
        .await
        .expect_error(404, "document_not_found");
    let (ok, out) = verify(env);
    assert!(ok, "{out}");
}

crate::on_both_engines!(
    records_follow_their_kind,
    import_records_follow_their_kind_on_sqlite,
    import_records_follow_their_kind_on_postgres
);
