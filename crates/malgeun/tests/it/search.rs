//! 문서 검색 over HTTP: Korean words with particles, form fields and registration numbers are
//! found; a person finds only what they may open (drafts, restricted kinds, another complex); and
//! the index catches up from the outbox after a crash, in another process's index too, with
//! nothing lost or duplicated.

use std::collections::BTreeSet;
use std::path::Path;

use malgeun::config::Config;
use malgeun_app::App;
use malgeun_app::search::{SearchQuery, SearchSort};
use serde_json::{Value, json};

use crate::on_both_engines;
use crate::support::{Client, Env, expense_form, urlencode};

/// The ids of a search's hits, and its total.
async fn ids(client: &Client, query: &str) -> (Vec<String>, i64) {
    let body = client
        .get(&format!("search?q={}", urlencode(query)))
        .await
        .expect(200);
    hit_ids(&body)
}

fn hit_ids(body: &Value) -> (Vec<String>, i64) {
    let ids = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, body["total"].as_i64().unwrap())
}

async fn draft(client: &Client, kind: &str, title: &str, form: Value, submit: bool) -> String {
    client
        .post(
            "documents",
            json!({"kind": kind, "title": title, "body": "시험문서 본문", "form": form, "submit": submit}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn complaint_form() -> Value {
    json!({"received_on": "2026-11-20", "channel": "전화", "complainant": "홍길동", "unit": "101동 1203호",
           "phone": "010-1234-5678", "subject": "층간소음", "content": "야간 소음", "status": "접수"})
}

async fn finds_what_each_person_may_open(env: &Env) {
    let accountant = env.login("accountant").await;
    let manager = env.login("manager").await;
    let chair = env.login("chair").await;
    let neighbour = env.login("neighbour").await;

    let expense = draft(
        &accountant,
        "expense-resolution",
        "승강기 교체 공사비 지출결의 (시험문서)",
        expense_form(),
        true,
    )
    .await;
    let complaint = draft(
        &accountant,
        "complaint-register",
        "1203호 층간소음 민원 (시험문서)",
        complaint_form(),
        true,
    )
    .await;
    let private = draft(
        &accountant,
        "expense-resolution",
        "관리비 절감 방안 초안 (시험문서)",
        expense_form(),
        false,
    )
    .await;
    manager.act(&complaint, "approve", None).await.expect(200);

    // The drafter finds all three; particles and parts of compounds are found.
    assert_eq!(ids(&accountant, "시험문서").await.1, 3);
    assert_eq!(ids(&accountant, "공사비는").await.0, [expense.as_str()]);
    assert_eq!(ids(&accountant, "교체를 공사").await.0, [expense.as_str()]);
    assert_eq!(ids(&accountant, "관리비를").await.0, [private.as_str()]);
    // Form fields (a vendor in the items table) and the registration number.
    let (mut vendor, _) = ids(&accountant, "한국승강기").await;
    vendor.sort();
    let mut both = vec![expense.clone(), private.clone()];
    both.sort();
    assert_eq!(vendor, both, "both use the same form");
    let registered = accountant
        .get(&format!("documents/{complaint}"))
        .await
        .expect(200)["registration_number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(ids(&accountant, &registered).await.0, [complaint.as_str()]);

    // Highlighted, escaped snippets, filters and order.
    let body = accountant
        .get(&format!(
            "search?q={}&kind=expense-resolution&sort=date",
            urlencode("승강기")
        ))
        .await
        .expect(200);
    assert_eq!(hit_ids(&body).1, 2, "the draft's form names 한국승강기 too");
    assert_eq!(
        body["items"][0]["id"], private,
        "newest first: the draft was created last"
    );
    let body = accountant
        .get(&format!(
            "search?q={}&status=in_progress",
            urlencode("승강기 공사비")
        ))
        .await
        .expect(200);
    let hit = &body["items"][0];
    assert_eq!(hit["id"], expense);
    assert!(
        hit["title_html"] == "<mark>승강기</mark> 교체 <mark>공사비</mark> 지출결의 (시험문서)",
        "{hit}"
    );
    assert_eq!(hit["status_label"], "진행");
    assert_eq!(ids(&accountant, "시험문서").await.1, 3);
    let none = accountant
        .get(&format!("search?q={}&year=1999", urlencode("시험문서")))
        .await
        .expect(200);
    assert_eq!(hit_ids(&none).1, 0);
    let dated = accountant
        .get(&format!(
            "search?q={}&from=2000-01-01&to=2999-12-31&status=registered",
            urlencode("시험문서")
        ))
        .await
        .expect(200);
    assert_eq!(hit_ids(&dated).0, [complaint.as_str()]);
    accountant
        .get("search?q=x&sort=best")
        .await
        .expect_error(422, "invalid_search");
    accountant
        .get("search?q=x&from=yesterday")
        .await
        .expect_error(422, "invalid_search");
    accountant
        .get("search?q=x&offset=1000000000000")
        .await
        .expect_error(422, "invalid_search");
    accountant
        .get("search?q=x&status=lost")
        .await
        .expect_error(422, "invalid_search");

    // The 회장 may read expense resolutions once submitted, never the complaint (restricted, not
    // on its line) nor the draft.
    assert_eq!(ids(&chair, "시험문서").await, (vec![expense.clone()], 1));
    assert_eq!(ids(&chair, "층간소음").await.1, 0);
    assert_eq!(ids(&chair, &registered).await.1, 0);
    assert_eq!(ids(&chair, "초안").await.1, 0);
    // The 관리사무소장 is on the complaint's line.
    let (mine, _) = ids(&manager, "층간소음을").await;
    assert_eq!(mine, [complaint.as_str()]);

    // Another complex's member finds nothing of ours and cannot search our complex.
    let theirs = neighbour
        .call(
            reqwest::Method::GET,
            &format!(
                "/api/v1/complexes/{}/search?q={}",
                env.other_complex,
                urlencode("시험문서")
            ),
            None,
        )
        .await
        .expect(200);
    assert_eq!(hit_ids(&theirs).1, 0);
    neighbour
        .get(&format!("search?q={}", urlencode("시험문서")))
        .await
        .expect_error(404, "complex_not_found");
}

on_both_engines!(
    finds_what_each_person_may_open,
    search_permissions_sqlite,
    search_permissions_postgres
);

/// Copies an index folder as a crash would leave it (without the lock files).
fn copy_index(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".lock") {
            continue;
        }
        std::fs::copy(entry.path(), to.join(name)).unwrap();
    }
}

/// A second server process on the same database with its own data folder (and so its own index).
async fn second_process(env: &Env, data_dir: &Path) -> App {
    let cfg = Config {
        data_dir: data_dir.to_path_buf(),
        database_url: Some(env.cfg.database_url()),
        ledger_seed: env.cfg.ledger_seed.clone(),
        pool_size: 2,
        ..Config::default()
    };
    malgeun::open(&cfg).await.expect("second process")
}

async fn search_as(app: &App, env: &Env, login: &str, text: &str) -> Vec<(String, String)> {
    let caller = app.caller_by_login(login).await.unwrap().unwrap();
    let member = app.member(&caller, env.complex).await.unwrap();
    let page = app
        .search(
            &member,
            &SearchQuery {
                text: text.to_owned(),
                sort: SearchSort::Date,
                ..SearchQuery::default()
            },
            100,
            0,
        )
        .await
        .unwrap();
    assert_eq!(page.total, page.items.len());
    page.items.into_iter().map(|h| (h.id, h.title)).collect()
}

async fn catches_up_after_a_crash(env: &Env) {
    let accountant = env.login("accountant").await;
    let first = draft(
        &accountant,
        "expense-resolution",
        "수선 시험문서 하나",
        expense_form(),
        false,
    )
    .await;
    let second = draft(
        &accountant,
        "expense-resolution",
        "수선 시험문서 둘",
        expense_form(),
        true,
    )
    .await;
    assert_eq!(ids(&accountant, "시험문서").await.1, 2);
    // The index as a crash would leave it: everything up to here committed.
    let crashed = tempfile::tempdir().unwrap();
    copy_index(&env.cfg.search_dir(), &crashed.path().join("search"));

    // Changes the crashed index never saw: an edit, a new document, a submission.
    accountant
        .call(
            reqwest::Method::PATCH,
            &format!("documents/{first}"),
            Some(json!({"title": "수선 시험문서 하나 (고침)"})),
        )
        .await
        .expect(200);
    let third = draft(
        &accountant,
        "expense-resolution",
        "수선 시험문서 셋",
        expense_form(),
        false,
    )
    .await;
    accountant
        .post(&format!("documents/{third}/submit"), json!({}))
        .await
        .expect(200);
    let expected: BTreeSet<String> = [first.clone(), second.clone(), third.clone()].into();
    let live = search_as(&env.app, env, "accountant", "시험문서").await;
    assert_eq!(
        live.iter()
            .map(|(id, _)| id.clone())
            .collect::<BTreeSet<_>>(),
        expected
    );

    // Restarted on the crashed index: it replays the outbox from its committed position.
    let restarted = second_process(env, crashed.path()).await;
    let hits = search_as(&restarted, env, "accountant", "시험문서").await;
    assert_eq!(hits.len(), 3, "no document twice: {hits:?}");
    assert_eq!(
        hits.iter()
            .map(|(id, _)| id.clone())
            .collect::<BTreeSet<_>>(),
        expected
    );
    assert!(hits.contains(&(first.clone(), "수선 시험문서 하나 (고침)".to_owned())));
    assert_eq!(
        search_as(&restarted, env, "accountant", "고침").await.len(),
        1
    );

    // A process whose index lost its position altogether (a new, empty folder) replays all.
    let fresh = tempfile::tempdir().unwrap();
    let other = second_process(env, fresh.path()).await;
    let hits = search_as(&other, env, "accountant", "시험문서").await;
    assert_eq!(
        hits.iter()
            .map(|(id, _)| id.clone())
            .collect::<BTreeSet<_>>(),
        expected
    );
    // A change made through one process is seen by the other's index.
    accountant
        .post(&format!("documents/{first}/submit"), json!({}))
        .await
        .expect(200);
    let chair_sees = search_as(&other, env, "chair", "시험문서").await;
    assert_eq!(chair_sees.len(), 3, "all three submitted: {chair_sees:?}");

    // `malgeun reindex` rebuilds the same index from the database.
    assert_eq!(env.app.reindex().await.unwrap(), 3);
    assert_eq!(
        search_as(&env.app, env, "accountant", "시험문서")
            .await
            .len(),
        3
    );
    restarted.db().close().await;
    other.db().close().await;
}

on_both_engines!(
    catches_up_after_a_crash,
    search_catch_up_sqlite,
    search_catch_up_postgres
);
