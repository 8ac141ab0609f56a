//! Row images: the canonical text of a ledgered row as the ledger records it ("after image").
//!
//! Every event in the ledger carries the image of each row it created or changed, and every such
//! row remembers the index of the last event that touched it. `verify` then needs no knowledge of
//! any use case: it re-reads each row, renders its image the same way and compares. Free text
//! (titles, bodies, comments, file names) enters the image only as its SHA-256, so the ledger can be
//! shown to residents and the city without leaking what only the line may read.

use std::fmt::Write as _;

use malgeun_domain::content::Sha256Hash;

/// How a column is typed in storage and rendered in an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// Text shown as is (ids, codes, hashes, statuses).
    Text,
    /// Text shown only as `sha256:<hex>` of its UTF-8 bytes.
    Secret,
    /// 64-bit integer.
    Int,
    /// Boolean.
    Bool,
}

/// A ledgered table: its key columns (complex first) and value columns, in image order.
#[derive(Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// Table name.
    pub name: &'static str,
    /// Key columns; all text except where typed otherwise in `columns`.
    pub keys: &'static [&'static str],
    /// Every column including keys, in order, with its type.
    pub columns: &'static [(&'static str, ColType)],
}

/// A column value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text (for `Text` and `Secret` columns).
    Text(String),
    /// Integer.
    Int(i64),
    /// Boolean.
    Bool(bool),
    /// SQL NULL.
    Null,
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// A full row of a ledgered table, values parallel to [`TableSpec::columns`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Which table.
    pub table: &'static TableSpec,
    /// One value per column.
    pub values: Vec<Value>,
}

impl Row {
    /// Builds a row from `(column, value)` pairs; every column must be given exactly once, in order.
    pub fn new(table: &'static TableSpec, values: Vec<(&'static str, Value)>) -> Self {
        debug_assert_eq!(
            values.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            table.columns.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            "row for {} must list its columns in order",
            table.name
        );
        Self {
            table,
            values: values.into_iter().map(|(_, v)| v).collect(),
        }
    }

    /// The key as one string: key column values joined by `/`.
    pub fn key(&self) -> String {
        let mut out = String::new();
        for (i, k) in self.table.keys.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            let pos = self
                .table
                .columns
                .iter()
                .position(|(c, _)| c == k)
                .expect("key column is a column");
            match &self.values[pos] {
                Value::Text(s) => out.push_str(s),
                Value::Int(n) => write!(out, "{n}").expect("write to String"),
                Value::Bool(b) => write!(out, "{b}").expect("write to String"),
                Value::Null => out.push('-'),
            }
        }
        out
    }

    /// The value of a column by name.
    pub fn get(&self, column: &str) -> Option<&Value> {
        self.table
            .columns
            .iter()
            .position(|(c, _)| *c == column)
            .map(|i| &self.values[i])
    }

    /// The canonical image: a JSON object with the columns in table order, secret text hashed.
    pub fn image(&self) -> String {
        let mut out = String::with_capacity(64 * self.values.len());
        out.push('{');
        for (i, ((name, ty), value)) in self.table.columns.iter().zip(&self.values).enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(&mut out, name);
            out.push(':');
            match (value, ty) {
                (Value::Null, _) => out.push_str("null"),
                (Value::Text(s), ColType::Secret) => {
                    out.push_str("\"sha256:");
                    out.push_str(&Sha256Hash::of(s.as_bytes()).to_hex());
                    out.push('"');
                }
                (Value::Text(s), _) => json_string(&mut out, s),
                (Value::Int(n), _) => write!(out, "{n}").expect("write to String"),
                (Value::Bool(b), _) => out.push_str(if *b { "true" } else { "false" }),
            }
        }
        out.push('}');
        out
    }
}

/// Appends `s` as a JSON string literal (the same escaping serde_json uses).
pub fn json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("a str always serialises"));
}

#[cfg(test)]
mod tests {
    use super::*;

    static T: TableSpec = TableSpec {
        name: "t",
        keys: &["complex_id", "n"],
        columns: &[
            ("complex_id", ColType::Text),
            ("n", ColType::Int),
            ("title", ColType::Secret),
            ("ok", ColType::Bool),
            ("note", ColType::Text),
        ],
    };

    #[test]
    fn image_hashes_secrets_and_is_stable() {
        let row = Row::new(
            &T,
            vec![
                ("complex_id", "c1".into()),
                ("n", 7.into()),
                ("title", "급여 \"명세\"".into()),
                ("ok", true.into()),
                ("note", Value::Null),
            ],
        );
        assert_eq!(row.key(), "c1/7");
        let image = row.image();
        assert!(image.starts_with(r#"{"complex_id":"c1","n":7,"title":"sha256:"#));
        assert!(image.ends_with(r#","ok":true,"note":null}"#));
        assert!(!image.contains("급여"), "secret text must not appear");
        let parsed: serde_json::Value = serde_json::from_str(&image).unwrap();
        assert_eq!(parsed["n"], 7);
    }
}
