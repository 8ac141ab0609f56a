//! Tamper evidence: `malgeun verify` exits 0 on untouched data and non-zero, naming the problem,
//! after a document row is edited, an approval row deleted, an attachment file changed by one
//! byte, a ledger row deleted or edited, a row inserted behind the service's back, or a row made
//! to point to another entry; and `malgeun verify --images` after the row images kept beside the
//! ledger are edited or deleted.

use serde_json::json;

use crate::support::{Engine, Env, expense_form, raw_sql, verify, verify_with};

/// A registered document with an attachment, and its attachment's hash.
async fn registered_document(env: &Env) -> (String, String) {
    let accountant = env.login("accountant").await;
    let facility = env.login("facility").await;
    let manager = env.login("manager").await;
    let doc = accountant
        .post("documents", json!({"kind": "expense-resolution", "title": "영수증 있는 지출", "form": expense_form()}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    accountant
        .raw(
            reqwest::Method::POST,
            &format!("documents/{doc}/attachments?name=receipt.txt"),
            "text/plain",
            b"receipt: 670,000 won".to_vec(),
        )
        .await
        .expect(201);
    accountant
        .post(&format!("documents/{doc}/submit"), json!({}))
        .await
        .expect(200);
    facility.act(&doc, "approve", None).await.expect(200);
    manager.act(&doc, "approve", None).await.expect(200);
    let sha =
        manager.get(&format!("documents/{doc}")).await.expect(200)["attachments"][0]["sha256"]
            .as_str()
            .unwrap()
            .to_owned();
    let (ok, out) = verify(env);
    assert!(ok, "untouched data must verify:\n{out}");
    assert!(out.contains("OK"), "{out}");
    (doc, sha)
}

async fn tamper_case(engine: Engine, case: &str) {
    let Some(env) = Env::start(engine).await else {
        return;
    };
    let (doc, sha) = registered_document(&env).await;
    let expect: &[&str] = match case {
        "edit_document" => {
            assert_eq!(
                raw_sql(
                    &env,
                    &format!("UPDATE documents SET title = '위조된 제목' WHERE id = '{doc}'")
                )
                .await,
                1
            );
            &["row_edited", "documents row", "column title"]
        }
        "title_not_utf8" => {
            // Bytes that are not UTF-8 in a text column (SQLite stores them as given).
            assert_eq!(
                raw_sql(
                    &env,
                    &format!(
                        "UPDATE documents SET title = CAST(X'ECA09CFF' AS TEXT) WHERE id = '{doc}'"
                    )
                )
                .await,
                1
            );
            &["row_edited", "documents row"]
        }
        "delete_approval" => {
            assert_eq!(
                raw_sql(
                    &env,
                    &format!("DELETE FROM approvals WHERE document_id = '{doc}' AND seq = 1")
                )
                .await,
                1
            );
            &["row_missing", "approvals row"]
        }
        "change_file" => {
            let path = env
                .app
                .blobs()
                .local_path(
                    &env.complex.to_string(),
                    &malgeun_domain::content::Sha256Hash::from_hex(&sha).unwrap(),
                )
                .unwrap();
            let mut bytes = std::fs::read(&path).unwrap();
            bytes[0] ^= 0x01;
            std::fs::write(&path, bytes).unwrap();
            &["blob_altered", sha.as_str()]
        }
        "delete_ledger_row" => {
            assert_eq!(
                raw_sql(
                    &env,
                    &format!(
                        "DELETE FROM ledger_entries WHERE complex_id = '{}' AND idx = 3",
                        env.complex
                    )
                )
                .await,
                1
            );
            &["ledger_gap", "#3", "ledger_size_mismatch"]
        }
        "insert_approval" => {
            assert_eq!(
                raw_sql(
                    &env,
                    &format!(
                        "INSERT INTO approvals (complex_id, document_id, version, seq, step, position_id, \
                         person_id, proxy, decision, comment, content_sha256, at, ledger_index) \
                         SELECT complex_id, document_id, version, seq + 100, step, position_id, person_id, \
                         proxy, decision, comment, content_sha256, at, ledger_index FROM approvals \
                         WHERE document_id = '{doc}' AND seq = 1"
                    )
                )
                .await,
                1
            );
            &[
                "row_not_in_ledger",
                "approvals row",
                "/101 is not in the ledger",
            ]
        }
        "repoint_row" => {
            assert_eq!(
                raw_sql(
                    &env,
                    &format!("UPDATE documents SET ledger_index = 1 WHERE id = '{doc}'")
                )
                .await,
                1
            );
            &["row_ledger_index", "documents row", "points to entry #1"]
        }
        "edit_ledger_entry" => {
            assert_eq!(
                raw_sql(
                    &env,
                    &format!(
                        "UPDATE ledger_entries SET payload = payload || ' ' WHERE complex_id = '{}' AND idx = 4",
                        env.complex
                    )
                )
                .await,
                1
            );
            &["entry_edited", "#4", "ledger_root_mismatch"]
        }
        "edit_row_image" => {
            // The history copies beside the ledger: the default run proves the current rows
            // against their last recorded hashes; `--images` proves every kept copy.
            let n = raw_sql(
                &env,
                &format!(
                    "UPDATE ledger_images SET images = \
                     replace(images, '\"decision\":\"approve\"', '\"decision\":\"reject\"') \
                     WHERE complex_id = '{}' AND images LIKE '%\"decision\":\"approve\"%'",
                    env.complex
                ),
            )
            .await;
            assert_eq!(n, 2, "the two approvals' images");
            let (ok, out) = verify(&env);
            assert!(ok, "the current rows still match their last hashes:\n{out}");
            let (ok, out) = verify_with(&env, &["--images"]);
            assert!(
                !ok,
                "verify --images must fail after editing kept images:\n{out}"
            );
            assert!(out.contains("entry_images_altered"), "{out}");
            // The document's last entry is the final approval, which wrote an approval row.
            let entry = env.login("manager").await.last_entry_of(&doc).await;
            assert_eq!(entry["images_intact"], false, "{entry}");
            assert!(entry["images"].is_null(), "{entry}");
            return;
        }
        "delete_row_images" => {
            assert_eq!(
                raw_sql(
                    &env,
                    &format!(
                        "DELETE FROM ledger_images WHERE complex_id = '{}' AND idx = 4",
                        env.complex
                    )
                )
                .await,
                1
            );
            let (ok, out) = verify_with(&env, &["--images"]);
            assert!(!ok, "verify --images must fail:\n{out}");
            assert!(out.contains("entry_images_missing"), "{out}");
            assert!(out.contains("#4"), "{out}");
            return;
        }
        other => panic!("unknown case {other}"),
    };
    let (ok, out) = verify(&env);
    assert!(!ok, "verify must fail after {case}:\n{out}");
    for needle in expect {
        assert!(
            out.contains(needle),
            "after {case}, expected `{needle}` in:\n{out}"
        );
    }
}

macro_rules! tamper_tests {
    ($($case:literal => $sqlite:ident, $postgres:ident;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            tamper_case(Engine::Sqlite, $case).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            tamper_case(Engine::Postgres, $case).await;
        }
    )*};
}

tamper_tests! {
    "edit_document" => tamper_edit_document_sqlite, tamper_edit_document_postgres;
    "delete_approval" => tamper_delete_approval_sqlite, tamper_delete_approval_postgres;
    "change_file" => tamper_change_file_sqlite, tamper_change_file_postgres;
    "delete_ledger_row" => tamper_delete_ledger_row_sqlite, tamper_delete_ledger_row_postgres;
    "insert_approval" => tamper_insert_approval_sqlite, tamper_insert_approval_postgres;
    "repoint_row" => tamper_repoint_row_sqlite, tamper_repoint_row_postgres;
    "edit_ledger_entry" => tamper_edit_ledger_entry_sqlite, tamper_edit_ledger_entry_postgres;
    "edit_row_image" => tamper_edit_row_image_sqlite, tamper_edit_row_image_postgres;
    "delete_row_images" => tamper_delete_row_images_sqlite, tamper_delete_row_images_postgres;
}

/// PostgreSQL refuses text that is not UTF-8, so this one is SQLite's alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tamper_title_not_utf8_sqlite() {
    tamper_case(Engine::Sqlite, "title_not_utf8").await;
}

/// On SQLite, verify reads the log in storage order. Entries put back in another order behind
/// the service's back (content untouched) still verify, with each row compared against the image
/// of the highest entry that wrote it, not the one met last; and an edit is still found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_stored_in_reverse_order_still_verify_sqlite() {
    let Some(env) = Env::start(Engine::Sqlite).await else {
        return;
    };
    let (doc, _) = registered_document(&env).await;
    let c = env.complex;
    let one = |sql: String| {
        let env = &env;
        async move {
            let mut r = env.app.db().reader().await.expect("reader");
            let rows: Vec<(i64,)> = malgeun_store::raw::fetch_all(r.conn(), &sql, &[])
                .await
                .expect("query");
            rows[0].0
        }
    };
    let entries = one(format!(
        "SELECT count(*) FROM ledger_entries WHERE complex_id = '{c}'"
    ))
    .await;
    assert!(entries > 10, "{entries}");
    raw_sql(
        &env,
        &format!("CREATE TABLE moved AS SELECT * FROM ledger_entries WHERE complex_id = '{c}'"),
    )
    .await;
    raw_sql(
        &env,
        &format!("DELETE FROM ledger_entries WHERE complex_id = '{c}'"),
    )
    .await;
    let back = raw_sql(
        &env,
        "INSERT INTO ledger_entries SELECT * FROM moved ORDER BY idx DESC",
    )
    .await;
    assert_eq!(i64::try_from(back).unwrap(), entries);
    let stored_first = one(format!(
        "SELECT idx FROM ledger_entries WHERE complex_id = '{c}' ORDER BY rowid LIMIT 1"
    ))
    .await;
    assert_eq!(
        stored_first,
        entries - 1,
        "the newest entry is stored first"
    );
    let (ok, out) = verify(&env);
    assert!(ok, "entries in another storage order must verify:\n{out}");
    assert_eq!(
        raw_sql(
            &env,
            &format!("UPDATE documents SET title = '위조된 제목' WHERE id = '{doc}'")
        )
        .await,
        1
    );
    let (ok, out) = verify(&env);
    assert!(!ok, "an edited row must be found:\n{out}");
    assert!(out.contains("row_edited"), "{out}");
}
