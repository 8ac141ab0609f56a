//! The SQLite and PostgreSQL migrations stay in step, match the ledgered table specs, and apply
//! (idempotently) to a fresh SQLite database.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use malgeun_store::image::{ColType, TableSpec};
use malgeun_store::tables::LEDGERED;

fn migrations_dir(engine: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine)
}

/// Every `.sql` file of one engine's migration folder, by file name.
fn migrations(engine: &str) -> BTreeMap<String, String> {
    let dir = migrations_dir(engine);
    let mut files = BTreeMap::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|x| x == "sql") {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("utf-8 file name")
                .to_owned();
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            files.insert(name, text);
        }
    }
    files
}

/// Replaces whole words (SQL identifiers and keywords) by `map`, keeping everything else as is.
fn replace_words(line: &str, map: &dyn Fn(&str) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let w = word.as_str();
        out.push_str(map(w).unwrap_or(w));
        word.clear();
    };
    for c in line.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The file without its first line (the comment naming the flavour), with each engine's type names
/// replaced by a neutral one.
fn normalised(text: &str, engine: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("--"),
        "a {engine} migration starts with a comment line, not `{first}`"
    );
    let map: &dyn Fn(&str) -> Option<&'static str> = match engine {
        "sqlite" => &|w| match w {
            "INTEGER" => Some("<INT64>"),
            "BLOB" => Some("<BYTES>"),
            _ => None,
        },
        "postgres" => &|w| match w {
            "BIGINT" => Some("<INT64>"),
            "BYTEA" => Some("<BYTES>"),
            _ => None,
        },
        _ => unreachable!("unknown engine {engine}"),
    };
    text.lines()
        .skip(1)
        .map(|l| replace_words(l, map))
        .collect()
}

#[test]
fn both_engines_have_the_same_migration_files() {
    let sqlite = migrations("sqlite");
    let postgres = migrations("postgres");
    assert!(!sqlite.is_empty(), "there are SQLite migrations");
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>(),
        "migrations/sqlite and migrations/postgres hold the same file names"
    );
}

#[test]
fn migrations_are_identical_up_to_type_names_and_the_first_comment_line() {
    let sqlite = migrations("sqlite");
    let postgres = migrations("postgres");
    for (name, lite) in &sqlite {
        let Some(pg) = postgres.get(name) else {
            panic!("{name} is missing from migrations/postgres");
        };
        let (lite, pg) = (normalised(lite, "sqlite"), normalised(pg, "postgres"));
        for (i, (l, p)) in lite.iter().zip(&pg).enumerate() {
            assert_eq!(
                l,
                p,
                "{name} line {} differs between sqlite and postgres (after normalising types)",
                i + 2
            );
        }
        assert_eq!(
            lite.len(),
            pg.len(),
            "{name} has a different number of lines in sqlite and postgres"
        );
    }
}

#[test]
fn normalisation_maps_only_whole_type_words() {
    let f = |w: &str| (w == "INTEGER").then_some("<INT64>");
    assert_eq!(
        replace_words("    households INTEGER NOT NULL,", &f),
        "    households <INT64> NOT NULL,"
    );
    assert_eq!(
        replace_words("INTEGERS x_INTEGER", &f),
        "INTEGERS x_INTEGER"
    );
}

/// One column line of a CREATE TABLE block.
#[derive(Debug)]
struct Column {
    name: String,
    ty: String,
    primary_key: bool,
}

/// A parsed CREATE TABLE block: its columns in order and its primary key.
#[derive(Debug)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
}

/// Finds `CREATE TABLE <name> (` and reads lines up to the closing `);`: the first word of each
/// column line is its name and the second its type; a `PRIMARY KEY (…)` line names the key.
fn create_table(sql: &str, name: &str) -> Table {
    let header = format!("CREATE TABLE {name} (");
    let starts: Vec<usize> = sql
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        starts.len(),
        1,
        "exactly one `{header}` line in the migration"
    );
    let mut columns = Vec::new();
    let mut primary_key = Vec::new();
    let mut closed = false;
    for line in sql.lines().skip(starts[0] + 1) {
        let line = line.trim();
        if line.starts_with(");") {
            closed = true;
            break;
        }
        if line.is_empty() || line.starts_with("--") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("PRIMARY KEY") {
            let inner = rest
                .trim()
                .trim_end_matches(',')
                .trim_start_matches('(')
                .trim_end_matches(')');
            primary_key = inner.split(',').map(|c| c.trim().to_owned()).collect();
            continue;
        }
        let mut words = line.split_whitespace();
        let name = words.next().expect("a column name").trim_end_matches(',');
        let ty = words.next().unwrap_or_default().trim_end_matches(',');
        columns.push(Column {
            name: name.to_owned(),
            ty: ty.to_owned(),
            primary_key: line.contains("PRIMARY KEY"),
        });
    }
    assert!(closed, "CREATE TABLE {name} is closed by `);`");
    if primary_key.is_empty() {
        primary_key = columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.clone())
            .collect();
    }
    Table {
        columns,
        primary_key,
    }
}

fn all_sqlite_sql() -> String {
    migrations("sqlite")
        .into_values()
        .collect::<Vec<_>>()
        .join("\n")
}

fn expected_columns(spec: &TableSpec) -> Vec<&'static str> {
    spec.columns
        .iter()
        .map(|(c, _)| *c)
        .chain(["ledger_index"])
        .collect()
}

#[test]
fn every_ledgered_table_declares_exactly_its_spec_columns_plus_ledger_index() {
    let sql = all_sqlite_sql();
    assert!(!LEDGERED.is_empty());
    for spec in LEDGERED {
        let table = create_table(&sql, spec.name);
        let declared: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            declared,
            expected_columns(spec),
            "columns of `{}` in the sqlite migration vs tables.rs (in image order) + ledger_index",
            spec.name
        );
    }
}

#[test]
fn ledgered_tables_agree_with_their_specs_on_types_and_keys() {
    let sql = all_sqlite_sql();
    for spec in LEDGERED {
        let table = create_table(&sql, spec.name);
        for ((name, ty), col) in spec.columns.iter().zip(&table.columns) {
            let expected = match ty {
                ColType::Text | ColType::Secret => "TEXT",
                ColType::Int => "INTEGER",
                ColType::Bool => "BOOLEAN",
            };
            assert_eq!(
                col.ty, expected,
                "type of `{}.{name}` in the sqlite migration",
                spec.name
            );
        }
        let ledger_index = table.columns.last().expect("columns");
        assert_eq!(ledger_index.ty, "INTEGER", "`{}.ledger_index`", spec.name);
        assert_eq!(
            table.primary_key, spec.keys,
            "primary key of `{}` vs the spec's keys",
            spec.name
        );
        assert!(
            spec.keys
                .iter()
                .all(|k| spec.columns.iter().any(|(c, _)| c == k)),
            "every key of `{}` is one of its columns",
            spec.name
        );
    }
}

#[test]
fn the_create_table_parser_reads_a_block() {
    let sql = "CREATE TABLE t (\n    a TEXT NOT NULL,\n    b INTEGER,\n    PRIMARY KEY (a, b)\n);\n\
               CREATE TABLE u (\n    id TEXT NOT NULL PRIMARY KEY,\n    n INTEGER NOT NULL\n);\n";
    let t = create_table(sql, "t");
    let names: Vec<_> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(t.primary_key, ["a", "b"]);
    let u = create_table(sql, "u");
    let names: Vec<_> = u.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "n"]);
    assert_eq!(u.primary_key, ["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migrations_apply_and_are_idempotent() {
    let dir = tempfile::tempdir().expect("create temp dir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());

    let db = malgeun_store::Db::connect(&url, &Default::default())
        .await
        .expect("connect");
    assert_eq!(db.engine(), malgeun_store::Engine::Sqlite);
    db.migrate().await.expect("first migration");
    db.migrate().await.expect("migrating again is a no-op");

    // The schema that results has every ledgered table with exactly the spec's columns.
    let mut r = db.reader().await.expect("reader");
    for spec in LEDGERED {
        let columns: Vec<(String,)> = malgeun_store::raw::fetch_all(
            r.conn(),
            &format!(
                "SELECT name FROM pragma_table_info('{}') ORDER BY cid",
                spec.name
            ),
            &[],
        )
        .await
        .expect("table info");
        let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
        assert_eq!(
            columns,
            expected_columns(spec),
            "columns of `{}` in the migrated database",
            spec.name
        );
    }
    drop(r);
    db.close().await;

    // And again on a fresh connection to the same file.
    let db = malgeun_store::Db::connect(&url, &Default::default())
        .await
        .expect("reconnect");
    db.migrate().await.expect("migrating a migrated database");
    db.close().await;
    drop(dir);
}

#[test]
fn every_sqlite_migration_file_is_embedded() {
    let embedded: BTreeMap<String, String> = malgeun_store::sqlite::MIGRATIONS
        .iter()
        .map(|(_, name, sql)| ((*name).to_owned(), (*sql).to_owned()))
        .collect();
    assert_eq!(embedded, migrations("sqlite"));
    // Each version is its file's number, in file order (numbers are reserved per branch, so a
    // gap may stay until the branch that holds it is merged).
    let mut last = 0;
    for (version, name, _) in malgeun_store::sqlite::MIGRATIONS {
        let number: i64 = name
            .split('_')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{name} starts with its number"));
        assert_eq!(*version, number, "{name} is embedded as version {number}");
        assert!(number > last, "{name} comes after version {last}");
        last = number;
    }
}
