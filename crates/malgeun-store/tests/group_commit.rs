//! SQLite group commit keeps one-transaction-per-command semantics: under concurrency every
//! committed command is durable and visible once `commit` returns, and a command that is dropped
//! or cancelled half-way undoes only itself, never its neighbours in the same batch.

use std::sync::Arc;
use std::time::Duration;

use malgeun_store::{Db, raw};

async fn open(dir: &tempfile::TempDir) -> Db {
    let url = format!("sqlite://{}", dir.path().join("g.db").display());
    let db = Db::connect(&url, &Default::default())
        .await
        .expect("connect");
    let mut tx = db.begin().await.expect("begin");
    raw::execute(tx.conn(), "CREATE TABLE probe (n INTEGER PRIMARY KEY)")
        .await
        .expect("create");
    tx.commit().await.expect("commit");
    db
}

async fn numbers(db: &Db) -> Vec<i64> {
    let mut r = db.reader().await.expect("reader");
    let rows: Vec<(i64,)> = raw::fetch_all(r.conn(), "SELECT n FROM probe ORDER BY n", &[])
        .await
        .expect("select");
    rows.into_iter().map(|(n,)| n).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commands_commit_or_roll_back_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Arc::new(open(&dir).await);
    let mut tasks = Vec::new();
    for n in 0..200i64 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.expect("begin");
            raw::execute(tx.conn(), &format!("INSERT INTO probe (n) VALUES ({n})"))
                .await
                .expect("insert");
            match n % 5 {
                // Dropped without commit: rolled back.
                0 => drop(tx),
                // A failing statement after a good one: the caller gives up, nothing of it stays.
                1 => {
                    let dup =
                        raw::execute(tx.conn(), &format!("INSERT INTO probe (n) VALUES ({n})"))
                            .await;
                    assert!(dup.is_err(), "a duplicate key is refused");
                    drop(tx);
                }
                _ => {
                    tx.commit().await.expect("commit");
                    // Durable and visible to every other connection once commit returns.
                    let mut r = db.reader().await.expect("reader");
                    let seen: Vec<(i64,)> = raw::fetch_all(
                        r.conn(),
                        &format!("SELECT n FROM probe WHERE n = {n}"),
                        &[],
                    )
                    .await
                    .expect("select");
                    assert_eq!(seen, vec![(n,)], "command {n} visible after commit");
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let expected: Vec<i64> = (0..200).filter(|n| n % 5 >= 2).collect();
    assert_eq!(numbers(&db).await, expected);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_cancelled_while_holding_the_writer_is_undone_and_others_proceed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Arc::new(open(&dir).await);
    // Commit one command, then cancel one mid-transaction while others queue behind it.
    let mut tx = db.begin().await.expect("begin");
    raw::execute(tx.conn(), "INSERT INTO probe (n) VALUES (1)")
        .await
        .expect("insert");
    tx.commit().await.expect("commit");

    let stuck = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.expect("begin");
            raw::execute(tx.conn(), "INSERT INTO probe (n) VALUES (2)")
                .await
                .expect("insert");
            // Holds the writer until cancelled.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            tx.commit().await.expect("never reached");
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let waiting: Vec<_> = (3..6i64)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await.expect("begin");
                raw::execute(tx.conn(), &format!("INSERT INTO probe (n) VALUES ({n})"))
                    .await
                    .expect("insert");
                tx.commit().await.expect("commit");
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    stuck.abort();
    for w in waiting {
        tokio::time::timeout(Duration::from_secs(10), w)
            .await
            .expect("queued commands finish once the stuck one is cancelled")
            .expect("task");
    }
    assert_eq!(numbers(&db).await, vec![1, 3, 4, 5]);
    let (commands, commits) = malgeun_store::sqlite::commit_stats();
    assert!(commits <= commands, "never more fsyncs than commands");
    db.close().await;
}
