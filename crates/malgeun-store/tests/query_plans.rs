//! SQLite's choice of index for queries that run once per document, on a database migrated to
//! the latest schema: a wrong choice does not change any answer, only makes it slower as the
//! complex grows, so only the plan shows it.

use malgeun_store::rows::{rowid_span_sql, scan_values_sql};
use malgeun_store::search_feed::LINE_POSITIONS_SQL;
use malgeun_store::sqlite::{migrate, portable_to_sqlite};
use malgeun_store::tables::LEDGERED;

fn plan(sql: &str) -> String {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    migrate(&mut conn).unwrap();
    let mut st = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", portable_to_sqlite(sql)))
        .unwrap();
    let params = ["c", "d"].into_iter().cycle().take(st.parameter_count());
    let rows = st
        .query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(3)
        })
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

/// `verify` cuts each table into rowid ranges: the two ends of the rowids are read off the ends
/// of the table's b-tree (not by scanning it), and each range is one seek into it.
#[test]
fn verify_reads_ledgered_tables_by_rowid_range() {
    for t in LEDGERED {
        let span = plan(&rowid_span_sql(t));
        assert_eq!(
            span.matches(&format!("SEARCH {}", t.name)).count(),
            2,
            "{span}"
        );
        assert!(!span.contains(&format!("SCAN {}", t.name)), "{span}");
        let scan = plan(&scan_values_sql(t));
        assert_eq!(
            scan,
            format!(
                "SEARCH {} USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)",
                t.name
            )
        );
    }
}
