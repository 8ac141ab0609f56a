//! The demo seeds once, covers every state, and its ledger verifies.

use malgeun::config::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seeds_every_state_once_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        data_dir: dir.path().to_path_buf(),
        ledger_seed: Some("22".repeat(32)),
        ..Config::default()
    };
    let app = malgeun::open(&cfg).await.unwrap();
    let demo = malgeun::demo::seed(&app).await.unwrap();
    assert!(demo.created);
    assert_eq!(demo.people.len(), 7);
    let mut r = app.db().reader().await.unwrap();
    let statuses: Vec<(String, i64)> = malgeun_store::raw::fetch_all(
        r.conn(),
        "SELECT status, COUNT(*) FROM documents GROUP BY status ORDER BY status",
        &[],
    )
    .await
    .unwrap();
    drop(r);
    let states: Vec<&str> = statuses.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        states,
        [
            "draft",
            "in_progress",
            "registered",
            "rejected",
            "withdrawn"
        ],
        "{statuses:?}"
    );
    let registered = statuses.iter().find(|(s, _)| s == "registered").unwrap().1;
    assert!(registered >= 30, "{registered} registered documents");
    let report = app.verify_complex(demo.complex).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    let again = malgeun::demo::seed(&app).await.unwrap();
    assert!(
        !again.created,
        "a second run finds the demo instead of seeding it again"
    );
    assert_eq!(again.complex, demo.complex);
    let text = demo.describe("http://127.0.0.1:8080");
    assert!(text.contains("manager") && text.contains(malgeun::demo::DEMO_PASSWORD));
}
