//! SQLite's choice of index for queries that run once per document, on a database migrated to
//! the latest schema: a wrong choice does not change any answer, only makes it slower as the
//! complex grows, so only the plan shows it.

use malgeun_store::search_feed::LINE_POSITIONS_SQL;
use malgeun_store::sqlite::{migrate, portable_to_sqlite};

fn plan(sql: &str) -> String {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    migrate(&mut conn).unwrap();
    let mut st = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", portable_to_sqlite(sql)))
        .unwrap();
    let rows = st
        .query_map(["c", "d"], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows.join("; ")
}

#[test]
fn a_documents_line_positions_are_one_range_of_the_by_document_index() {
    let plan = plan(LINE_POSITIONS_SQL);
    assert!(
        plan.contains("document_line_members_by_document (complex_id=? AND document_id=?)"),
        "{plan}"
    );
    assert!(!plan.contains("TEMP B-TREE"), "no sort: {plan}");
}
