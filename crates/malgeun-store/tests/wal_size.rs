//! After a bulk write the SQLite WAL file shrinks back to the writer's size limit once the
//! background checkpointer has copied it into the database, instead of keeping its high-water mark.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use malgeun_store::db::PoolOptions;
use malgeun_store::{Db, raw};

/// The limit this test sets: small, so that the bulk write stays quick.
const LIMIT: u64 = 8 << 20;

fn wal_len(db_path: &std::path::Path) -> u64 {
    let mut wal = db_path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).map_or(0, |m| m.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_file_shrinks_back_after_a_bulk_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("w.db");
    let opts = PoolOptions {
        sqlite_wal_limit_bytes: i64::try_from(LIMIT).expect("fits"),
        ..PoolOptions::default()
    };
    let db = Db::connect(&format!("sqlite://{}", path.display()), &opts)
        .await
        .expect("connect");

    // One transaction larger than the limit: the WAL must grow past it to hold it.
    let mut tx = db.begin().await.expect("begin");
    raw::execute(tx.conn(), "CREATE TABLE bulk (b BLOB NOT NULL)")
        .await
        .expect("create");
    let rows = LIMIT / 3_000 + 2_000;
    raw::execute(
        tx.conn(),
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
             INSERT INTO bulk (b) SELECT randomblob(3000) FROM n"
        ),
    )
    .await
    .expect("bulk insert");
    tx.commit().await.expect("commit");
    let grown = wal_len(&path);
    assert!(grown > LIMIT, "the bulk write left a WAL of {grown} bytes");

    // Small writes go on; once the checkpointer has copied everything back, the next one rewinds
    // the WAL and truncates the file to the limit.
    let started = Instant::now();
    let mut n = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        n += 1;
        let mut tx = db.begin().await.expect("begin");
        raw::execute(tx.conn(), &format!("DELETE FROM bulk WHERE rowid = {n}"))
            .await
            .expect("small write");
        tx.commit().await.expect("commit");
        let now = wal_len(&path);
        if now <= LIMIT {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the WAL file still holds {now} bytes after 20 s of small writes"
        );
    }
    let mut r = db.reader().await.expect("reader");
    let left: Vec<(i64,)> = raw::fetch_all(r.conn(), "SELECT count(*) FROM bulk", &[])
        .await
        .expect("count");
    assert_eq!(left[0].0, i64::try_from(rows - n).expect("fits"));
}
