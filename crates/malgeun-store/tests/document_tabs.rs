//! `documents::set_tabs` leaves a document's 결재함 rows exactly as asked and writes only the rows
//! that change: an approval act that keeps the document in approval writes none.

use std::path::PathBuf;

use malgeun_store::db::Conn;
use malgeun_store::documents::{self, Bucket};
use malgeun_store::{Db, Tx, raw};

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("malgeun-tabs-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const COMPLEX: &str = "c1";
const DOC: &str = "d1";

fn rows(list: &[(&str, Bucket)]) -> Vec<(String, Bucket)> {
    list.iter().map(|(p, b)| ((*p).to_owned(), *b)).collect()
}

/// The tab rows of `DOC` as `(position, bucket code)`, sorted.
async fn held(tx: &mut Tx) -> Vec<(String, String)> {
    raw::fetch_all(
        tx.conn(),
        "SELECT position_id, bucket FROM document_tabs WHERE document_id = 'd1' \
         ORDER BY position_id, bucket",
        &[],
    )
    .await
    .expect("select")
}

fn codes(list: &[(String, Bucket)]) -> Vec<(String, String)> {
    let mut out: Vec<_> = list
        .iter()
        .map(|(p, b)| (p.clone(), b.code().to_owned()))
        .collect();
    out.sort();
    out
}

/// Rows SQLite has inserted, updated or deleted on the writer so far.
fn changes(tx: &mut Tx) -> u64 {
    match tx.conn() {
        Conn::Sqlite(c) => c.total_changes(),
        Conn::Pg(_) => unreachable!("the test runs on SQLite"),
    }
}

/// Sets `DOC`'s tabs to `list`, checks that they hold exactly that, and returns how many rows
/// SQLite wrote.
async fn set(tx: &mut Tx, list: &[(String, Bucket)]) -> u64 {
    let before = changes(tx);
    documents::set_tabs(tx, COMPLEX, DOC, list)
        .await
        .expect("set_tabs");
    assert_eq!(held(tx).await, codes(list));
    changes(tx) - before
}

#[tokio::test]
async fn set_tabs_writes_only_what_differs() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}", dir.0.join("t.db").display());
    let db = Db::connect(&url, &Default::default())
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    let mut tx = db.begin().await.expect("begin");
    // Another document's rows, which must never be touched.
    raw::execute(
        tx.conn(),
        "INSERT INTO document_tabs (complex_id, position_id, bucket, document_id) \
         VALUES ('c1', 'drafter', 'active', 'd2')",
    )
    .await
    .expect("other document");

    let in_approval = rows(&[
        ("drafter", Bucket::Active),
        ("final", Bucket::Active),
        ("ref", Bucket::Reference),
        ("review", Bucket::Active),
    ]);
    assert_eq!(set(&mut tx, &in_approval).await, 4, "four rows inserted");

    // An act that leaves the document in approval: the same rows, nothing written.
    assert_eq!(set(&mut tx, &in_approval).await, 0, "no row written");

    // A new line after 재기안: one bucket changes (a delete and an insert), one position leaves
    // (a delete) and one joins (an insert); the unchanged rows stay.
    let changed = rows(&[
        ("drafter", Bucket::Active),
        ("final", Bucket::Active),
        ("ref", Bucket::Active),
        ("audit", Bucket::Active),
    ]);
    assert_eq!(set(&mut tx, &changed).await, 4, "two deletes, two inserts");

    // Registered: every row moves; and no rows at all empties the document's tabs.
    let done = rows(&[("drafter", Bucket::Done), ("final", Bucket::Done)]);
    assert_eq!(set(&mut tx, &done).await, 6, "four deletes, two inserts");
    assert_eq!(set(&mut tx, &[]).await, 2, "two deletes");

    let other: Vec<(String,)> =
        raw::fetch_all(tx.conn(), "SELECT document_id FROM document_tabs", &[])
            .await
            .expect("all");
    assert_eq!(
        other,
        vec![("d2".to_owned(),)],
        "the other document's row is untouched"
    );
    tx.commit().await.expect("commit");
}
