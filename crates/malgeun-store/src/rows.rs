//! Generic reads and writes of ledgered rows by their [`TableSpec`]: the same code writes a row and
//! reads it back for verification, so the two can never disagree on columns.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use futures::TryStreamExt;
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use sqlx::Row as _;

use crate::db::{Conn, Tx};
use crate::error::StoreError;
use crate::image::{ColType, Row, TableSpec, Value, ValueRef};

/// The upsert of each ledgered table, built once: every ledgered write would otherwise format it.
fn upsert_sql(t: &TableSpec) -> &'static str {
    static CACHE: std::sync::OnceLock<HashMap<&'static str, String>> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(|| {
        crate::tables::LEDGERED
            .iter()
            .map(|t| (t.name, build_upsert_sql(t)))
            .collect()
    });
    cache
        .get(t.name)
        .map(String::as_str)
        .expect("every ledgered table is in tables::LEDGERED")
}

fn build_upsert_sql(t: &TableSpec) -> String {
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let params: Vec<String> = (1..=cols.len() + 1).map(|i| format!("${i}")).collect();
    let updates: Vec<String> = cols
        .iter()
        .filter(|c| !t.keys.contains(c))
        .chain(std::iter::once(&"ledger_index"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {} ({}, ledger_index) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        t.name,
        cols.join(", "),
        params.join(", "),
        t.keys.join(", "),
        updates.join(", ")
    )
}

macro_rules! bind_row {
    ($q:expr, $row:expr, $idx:expr) => {{
        let mut q = $q;
        for (v, (_, ty)) in $row.values.iter().zip($row.table.columns) {
            q = match (v, ty) {
                (Value::Text(s), _) => q.bind(s.as_str()),
                (Value::Int(n), _) => q.bind(*n),
                (Value::Bool(b), _) => q.bind(*b),
                (Value::Null, ColType::Int) => q.bind(None::<i64>),
                (Value::Null, ColType::Bool) => q.bind(None::<bool>),
                (Value::Null, _) => q.bind(None::<String>),
            };
        }
        q.bind($idx)
    }};
}

fn sqlite_value(v: &Value) -> ToSqlOutput<'_> {
    match v {
        Value::Text(s) => ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes())),
        Value::Int(n) => ToSqlOutput::Owned(SqlValue::Integer(*n)),
        Value::Bool(b) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(*b))),
        Value::Null => ToSqlOutput::Owned(SqlValue::Null),
    }
}

/// Inserts or replaces a ledgered row, stamping it with the index of the event that wrote it.
pub async fn upsert(tx: &mut Tx, row: &Row, ledger_index: i64) -> Result<(), StoreError> {
    let sql = upsert_sql(row.table);
    match tx.conn() {
        Conn::Sqlite(c) => {
            let mut params: Vec<ToSqlOutput<'_>> = row.values.iter().map(sqlite_value).collect();
            params.push(ToSqlOutput::Owned(SqlValue::Integer(ledger_index)));
            crate::sqlite::execute(c, sql, rusqlite::params_from_iter(params))?;
        }
        Conn::Pg(c) => {
            bind_row!(sqlx::query(sql), row, ledger_index)
                .execute(&mut *c)
                .await?;
        }
    }
    Ok(())
}

macro_rules! decode_row {
    ($r:expr, $t:expr) => {{
        let mut values = Vec::with_capacity($t.columns.len());
        for (i, (_, ty)) in $t.columns.iter().enumerate() {
            values.push(match ty {
                ColType::Text | ColType::Secret => Value::from($r.try_get::<Option<String>, _>(i)?),
                ColType::Int => Value::from($r.try_get::<Option<i64>, _>(i)?),
                ColType::Bool => Value::from($r.try_get::<Option<bool>, _>(i)?),
            });
        }
        let idx: i64 = $r.try_get($t.columns.len())?;
        (Row { table: $t, values }, idx)
    }};
}

/// `SELECT` every column of a ledgered table and `ledger_index` `FROM` it (the caller adds the
/// rest).
fn select_from(t: &TableSpec) -> String {
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    format!("SELECT {}, ledger_index FROM {}", cols.join(", "), t.name)
}

/// Every column of a ledgered table and `ledger_index`, for one complex, in key order.
fn scan_sql(t: &TableSpec) -> String {
    format!(
        "{} WHERE {} = $1 ORDER BY {}",
        select_from(t),
        t.keys[0],
        t.keys.join(", ")
    )
}

/// Streams every row of a ledgered table for one complex with its `ledger_index`, in key order.
pub async fn scan<F>(
    conn: Conn<'_>,
    t: &'static TableSpec,
    complex_id: &str,
    mut each: F,
) -> Result<(), StoreError>
where
    F: FnMut(Row, i64),
{
    let sql = scan_sql(t);
    match conn {
        Conn::Sqlite(c) => {
            let mut st = c.prepare_cached(&crate::sqlite::portable_to_sqlite(&sql))?;
            let mut rows = st.query([complex_id])?;
            while let Some(r) = rows.next()? {
                let mut buf = [ValueRef::Null; MAX_COLUMNS];
                let values = sqlite_values(r, t, &mut buf)?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v.to_owned().map_err(|e| bad_column(t, i, e)))
                    .collect::<Result<_, _>>()?;
                let idx: i64 = r.get(t.columns.len())?;
                each(Row { table: t, values }, idx);
            }
        }
        Conn::Pg(c) => {
            let mut rows = sqlx::query(&sql).bind(complex_id).fetch(&mut *c);
            while let Some(r) = rows.try_next().await? {
                let (row, idx) = decode_row!(r, t);
                each(row, idx);
            }
        }
    }
    Ok(())
}

/// A stored value that column `i` of `t` cannot hold: corrupt data.
fn bad_column(t: &TableSpec, i: usize, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{}.{}: {e}", t.name, t.columns[i].0))
}

/// Most columns a ledgered table has (a test holds every table to it): a row's values fit in an
/// array on the stack, so a scan allocates nothing per row.
pub const MAX_COLUMNS: usize = 32;

/// A SQLite result row's columns as values of the table's column types, borrowed from the row and
/// put in `buf`; a stored value of another type is corrupt data.
fn sqlite_values<'r, 'b>(
    r: &'r rusqlite::Row<'_>,
    t: &TableSpec,
    buf: &'b mut [ValueRef<'r>; MAX_COLUMNS],
) -> Result<&'b [ValueRef<'r>], StoreError> {
    let bad = |i: usize, e: rusqlite::types::FromSqlError| bad_column(t, i, e);
    let values = buf.get_mut(..t.columns.len()).ok_or_else(|| {
        StoreError::Corrupt(format!("{} has more than {MAX_COLUMNS} columns", t.name))
    })?;
    for (i, ((_, ty), slot)) in t.columns.iter().zip(values.iter_mut()).enumerate() {
        let v = r.get_ref(i)?;
        *slot = match ty {
            // The bytes as stored; checked to be UTF-8 only where they become a `Value`.
            ColType::Text | ColType::Secret => match v {
                rusqlite::types::ValueRef::Text(b) => ValueRef::Text(b),
                rusqlite::types::ValueRef::Null => ValueRef::Null,
                _ => return Err(bad(i, rusqlite::types::FromSqlError::InvalidType)),
            },
            ColType::Int => v
                .as_i64_or_null()
                .map_err(|e| bad(i, e))?
                .map_or(ValueRef::Null, ValueRef::Int),
            ColType::Bool => v
                .as_i64_or_null()
                .map_err(|e| bad(i, e))?
                .map_or(ValueRef::Null, |n| ValueRef::Bool(n != 0)),
        };
    }
    Ok(values)
}

/// Streams every row of a ledgered table for one complex with its `ledger_index`, in no particular
/// order, as values borrowed from the result row (parallel to the table's columns): on SQLite
/// nothing is copied per column. Column types are checked as strictly as [`scan`] checks them.
///
/// On SQLite the table is read in storage (rowid) order and filtered by complex: reading it in key
/// order through the primary-key index costs one random table seek per row (uuid keys are in no
/// relation to insertion order), which on a million rows was most of `verify`'s time in page
/// lookups and `pread` copies. An embedded database holds one complex or a few, so reading the
/// others' rows too is the cheaper trade; PostgreSQL, which hosts many, reads by index.
///
/// `rowids` limits an SQLite scan to a range of the table's rowids (see [`rowid_span`]), so that
/// several readers can share one table; PostgreSQL has no rowids and refuses a range.
pub async fn scan_values<F>(
    conn: Conn<'_>,
    t: &'static TableSpec,
    complex_id: &str,
    rowids: Option<RangeInclusive<i64>>,
    mut each: F,
) -> Result<(), StoreError>
where
    F: FnMut(&[ValueRef<'_>], i64),
{
    match conn {
        Conn::Sqlite(c) => {
            let (from, to) = rowids.map_or((i64::MIN, i64::MAX), RangeInclusive::into_inner);
            let mut st = c.prepare_cached(&scan_values_sql(t))?;
            let mut rows = st.query(rusqlite::params![complex_id, from, to])?;
            while let Some(r) = rows.next()? {
                let mut buf = [ValueRef::Null; MAX_COLUMNS];
                let row_values = sqlite_values(r, t, &mut buf)?;
                let idx: i64 = r.get(t.columns.len())?;
                each(row_values, idx);
            }
        }
        Conn::Pg(_) => {
            if rowids.is_some() {
                return Err(StoreError::Corrupt(
                    "a rowid range was asked of PostgreSQL, which has no rowids".into(),
                ));
            }
            scan(conn, t, complex_id, |row, idx| {
                let values: Vec<ValueRef<'_>> = row.values.iter().map(Value::borrowed).collect();
                each(&values, idx);
            })
            .await?;
        }
    }
    Ok(())
}

/// The SQLite statement of [`scan_values`]: a table's rows of complex `?1` with rowids from `?2`
/// to `?3`. The table's own b-tree seeks the range: `NOT INDEXED` rules out indexes only.
pub fn scan_values_sql(t: &TableSpec) -> String {
    format!(
        "{} NOT INDEXED WHERE rowid BETWEEN ?2 AND ?3 AND {} = ?1",
        select_from(t),
        t.keys[0]
    )
}

/// The SQLite statement of [`rowid_span`]. The two ends are asked apart: SQLite answers a lone
/// `min()` or `max()` of the rowid from one end of the b-tree, but both in one select by
/// scanning every row.
pub fn rowid_span_sql(t: &TableSpec) -> String {
    format!(
        "SELECT (SELECT min(rowid) FROM {0}), (SELECT max(rowid) FROM {0})",
        t.name
    )
}

/// The lowest and highest rowid of a ledgered table on SQLite (`None` when it is empty): the
/// bounds a scan split into rowid ranges must cover. PostgreSQL has no rowids and refuses, so that
/// no caller can take its answer for an empty table and skip the table's rows.
pub async fn rowid_span(
    conn: Conn<'_>,
    t: &'static TableSpec,
) -> Result<Option<RangeInclusive<i64>>, StoreError> {
    match conn {
        Conn::Sqlite(c) => {
            let mut st = c.prepare_cached(&rowid_span_sql(t))?;
            let (lo, hi): (Option<i64>, Option<i64>) =
                st.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(lo.zip(hi).map(|(lo, hi)| lo..=hi))
        }
        Conn::Pg(_) => Err(StoreError::Corrupt(
            "the rowids of a table were asked of PostgreSQL, which has none".into(),
        )),
    }
}

/// Deletes a ledgered row by its key (the event that deletes it records a tombstone).
pub async fn delete(tx: &mut Tx, row: &Row) -> Result<(), StoreError> {
    let t = row.table;
    let cond: Vec<String> = t
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ${}", i + 1))
        .collect();
    let sql = format!("DELETE FROM {} WHERE {}", t.name, cond.join(" AND "));
    let keys: Vec<(&Value, ColType)> = crate::image::key_positions(t)
        .into_iter()
        .map(|i| (&row.values[i], t.columns[i].1))
        .collect();
    macro_rules! bind_keys {
        ($q:expr) => {{
            let mut q = $q;
            for (v, _) in &keys {
                q = match v {
                    Value::Text(s) => q.bind(s.as_str()),
                    Value::Int(n) => q.bind(*n),
                    Value::Bool(b) => q.bind(*b),
                    Value::Null => q.bind(None::<String>),
                };
            }
            q
        }};
    }
    match tx.conn() {
        Conn::Sqlite(c) => {
            let params = keys.iter().map(|(v, _)| sqlite_value(v));
            crate::sqlite::execute(c, &sql, rusqlite::params_from_iter(params))?;
        }
        Conn::Pg(c) => {
            bind_keys!(sqlx::query(&sql)).execute(&mut *c).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scan puts a row's values in an array of [`MAX_COLUMNS`]: every ledgered table fits.
    #[test]
    fn every_ledgered_table_fits_the_values_array() {
        for t in crate::tables::LEDGERED {
            assert!(t.columns.len() <= MAX_COLUMNS, "{}", t.name);
        }
    }
}
