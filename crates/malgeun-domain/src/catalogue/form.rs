//! Form input validated against a kind's fields, and the canonical bytes a document's content hash
//! is computed over.
//!
//! Input is a JSON object keyed by field key. A table's total travels beside it under
//! `"<table key>_total"`: optional in input (when given it must equal the sum of the total column,
//! so a total typed on paper and a mistyped row are caught), always present in stored content.
//!
//! ## Canonical JSON
//! [`FormData::canonical_json`] is the byte string that content hashes are computed over, so it
//! must never change for the same data:
//! - one JSON object, keys sorted by byte order (all keys are ASCII), at every level; no whitespace;
//! - absent optional fields are omitted (never `null`); a table with no rows is absent;
//! - text and choices are NFC strings, trimmed; multiline text uses `\n` line ends; strings are
//!   escaped as `serde_json` does (`"` `\` and control characters; everything else literal UTF-8);
//! - dates are `"YYYY-MM-DD"` strings; money (원) and integers are plain JSON integers;
//! - a table is an array of row objects in input order; a table with a total column adds the
//!   top-level key `"<table key>_total"` with the sum.
//!
//! Canonical JSON is also valid input, which is how [`FormData::from_canonical_json`] re-reads it.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::kind::{FieldDef, FieldType, KindDefinition, total_key};
use crate::money::Won;
use crate::text;

/// A normalised field value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// Single-line or multiline text (NFC, trimmed).
    Text(String),
    /// A calendar date.
    Date(NaiveDate),
    /// An amount in 원.
    Money(Won),
    /// A whole number.
    Integer(i64),
    /// One of the field's options.
    Choice(String),
    /// Table rows (column key → value; absent optional cells are left out) and the total of the
    /// total column, when the table has one.
    Table {
        /// The rows in input order.
        rows: Vec<BTreeMap<String, FieldValue>>,
        /// The sum of the total column.
        total: Option<i64>,
    },
}

/// Validated form content: field key → value, sorted by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormData {
    values: BTreeMap<String, FieldValue>,
    amount_field: Option<String>,
}

impl FormData {
    /// The value of a field, `None` when absent.
    pub fn get(&self, key: &str) -> Option<&FieldValue> {
        self.values.get(key)
    }

    /// All present values, sorted by key.
    pub fn values(&self) -> &BTreeMap<String, FieldValue> {
        &self.values
    }

    /// The amount 전결 limits look at: the kind's amount field (a money field or a table with a
    /// money total, see [`KindDefinition::amount_field`]); `None` when the kind has none or it is
    /// absent.
    pub fn money_total(&self) -> Option<Won> {
        match self.values.get(self.amount_field.as_deref()?)? {
            FieldValue::Money(w) => Some(*w),
            FieldValue::Table {
                total: Some(total), ..
            } => Some(Won(*total)),
            _ => None,
        }
    }

    /// The content as a JSON value, in the same shape as canonical JSON (for display and APIs).
    pub fn to_json_value(&self) -> Value {
        let mut map = Map::new();
        for (key, value) in &self.values {
            if let FieldValue::Table {
                total: Some(total), ..
            } = value
            {
                map.insert(total_key(key), Value::from(*total));
            }
            map.insert(key.clone(), scalar_json(value));
        }
        Value::Object(map)
    }

    /// The canonical JSON text (see the module documentation): what content hashes cover.
    pub fn canonical_json(&self) -> String {
        let mut out = String::new();
        write_canonical(&self.to_json_value(), &mut out);
        out
    }

    /// Re-reads stored canonical JSON with the kind (and version) it was written under. Canonical
    /// JSON does not carry types (a date and a text are both strings), so the kind is needed; the
    /// text must be exactly canonical, so that what is re-read hashes as it did when stored.
    pub fn from_canonical_json(kind: &KindDefinition, json: &str) -> Result<Self, FormErrors> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            FormErrors(vec![FieldError::new(
                String::new(),
                "invalid_json",
                format!("저장된 내용을 읽을 수 없습니다: {e}"),
                format!("stored content is not JSON: {e}"),
            )])
        })?;
        let data = kind.validate_form(&value)?;
        if data.canonical_json() != json {
            return Err(FormErrors(vec![FieldError::new(
                String::new(),
                "not_canonical",
                "저장된 내용이 정규 형식이 아닙니다.".into(),
                "stored content is not in canonical form".into(),
            )]));
        }
        Ok(data)
    }
}

fn scalar_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Text(s) | FieldValue::Choice(s) => Value::String(s.clone()),
        FieldValue::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
        FieldValue::Money(w) => Value::from(w.0),
        FieldValue::Integer(n) => Value::from(*n),
        FieldValue::Table { rows, .. } => Value::Array(
            rows.iter()
                .map(|row| {
                    Value::Object(
                        row.iter()
                            .map(|(k, v)| (k.clone(), scalar_json(v)))
                            .collect(),
                    )
                })
                .collect(),
        ),
    }
}

/// Writes JSON with sorted keys and no whitespace, independent of how `serde_json::Map` orders
/// keys (another crate enabling `preserve_order` must not change hashes).
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One problem with one field (or table cell).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field: `spent_on`, `items[1].amount` (0-based rows), `items_total`; empty for
    /// the whole input.
    pub field: String,
    /// Stable code: `required`, `invalid_type`, `invalid_date`, `negative`, `out_of_range`,
    /// `too_long`, `not_single_line`, `not_an_option`, `too_few_rows`, `too_many_rows`,
    /// `total_mismatch`, `total_overflow`, `unknown_field`, `invalid_json`, `not_canonical`.
    pub code: &'static str,
    /// Message for Korean users, naming the field by its label.
    pub message_ko: String,
    /// Message in English.
    pub message_en: String,
}

impl FieldError {
    fn new(field: String, code: &'static str, message_ko: String, message_en: String) -> Self {
        Self {
            field,
            code,
            message_ko,
            message_en,
        }
    }
}

/// Every problem found in a form, so that the person filling it in can fix all at once.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    /// The errors in field order.
    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    /// Whether some error has this field path and code (handy for callers and tests).
    pub fn has(&self, field: &str, code: &str) -> bool {
        self.0.iter().any(|e| e.field == field && e.code == code)
    }
}

impl fmt::Display for FormErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message_en))
            .collect();
        write!(f, "invalid form: {}", parts.join("; "))
    }
}

/// Where a value sits, for error paths and Korean messages.
struct Place {
    path: String,
    label: String,
}

impl Place {
    fn error(&self, code: &'static str, ko: &str, en: &str) -> FieldError {
        FieldError::new(
            self.path.clone(),
            code,
            format!("{}: {ko}", self.label),
            format!("{}: {en}", self.path),
        )
    }
}

impl KindDefinition {
    /// Validates form input (a JSON object keyed by field key) and returns normalised content, or
    /// every problem found.
    pub fn validate_form(&self, input: &Value) -> Result<FormData, FormErrors> {
        let Some(object) = input.as_object() else {
            return Err(FormErrors(vec![FieldError::new(
                String::new(),
                "invalid_type",
                "입력 형식이 올바르지 않습니다.".into(),
                "form input must be a JSON object".into(),
            )]));
        };
        let mut errors = Vec::new();
        let mut values = BTreeMap::new();
        for field in self.fields() {
            let place = Place {
                path: field.key().to_owned(),
                label: field.label().to_owned(),
            };
            let given = object.get(field.key());
            let value = match field.field_type() {
                FieldType::Table { .. } => table(field, given, object, &place, &mut errors),
                _ => scalar_field(field, given, &place, &mut errors),
            };
            if let Some(value) = value {
                values.insert(field.key().to_owned(), value);
            }
        }
        let mut unknown: Vec<&String> = object
            .keys()
            .filter(|k| {
                self.field(k).is_none()
                    && !self
                        .fields()
                        .iter()
                        .any(|f| f.total_column().is_some() && total_key(f.key()) == **k)
            })
            .collect();
        unknown.sort();
        for key in unknown {
            errors.push(FieldError::new(
                key.clone(),
                "unknown_field",
                format!("알 수 없는 항목 `{key}`이(가) 있습니다."),
                format!("unknown field `{key}`"),
            ));
        }
        if errors.is_empty() {
            Ok(FormData {
                values,
                amount_field: self.amount_field().map(str::to_owned),
            })
        } else {
            Err(FormErrors(errors))
        }
    }
}

/// Whether a JSON value counts as "not given": missing, `null`, or a blank string (web forms send
/// empty inputs as `""`).
fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

fn scalar_field(
    field: &FieldDef,
    given: Option<&Value>,
    place: &Place,
    errors: &mut Vec<FieldError>,
) -> Option<FieldValue> {
    if is_blank(given) {
        if field.required() {
            errors.push(place.error("required", "필수 입력 항목입니다.", "is required"));
        }
        return None;
    }
    match scalar(field.field_type(), given?, place) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn scalar(ty: &FieldType, value: &Value, place: &Place) -> Result<FieldValue, FieldError> {
    let wrong_type = |ko: &str, en: &str| place.error("invalid_type", ko, en);
    match ty {
        FieldType::Text { max_length } | FieldType::Multiline { max_length } => {
            let multiline = matches!(ty, FieldType::Multiline { .. });
            let Some(s) = value.as_str() else {
                return Err(wrong_type("글자로 입력해 주세요.", "must be a string"));
            };
            let s = if multiline {
                s.replace("\r\n", "\n").replace('\r', "\n")
            } else {
                s.to_owned()
            };
            let s = text::nfc(s.trim());
            let bad_char = s
                .chars()
                .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')));
            if bad_char {
                return Err(if multiline {
                    place.error(
                        "invalid_text",
                        "쓸 수 없는 제어 문자가 들어 있습니다.",
                        "contains control characters",
                    )
                } else {
                    place.error(
                        "not_single_line",
                        "줄바꿈이나 제어 문자 없이 한 줄로 입력해 주세요.",
                        "must be a single line without control characters",
                    )
                });
            }
            let len = s.chars().count();
            if len > *max_length {
                return Err(place.error(
                    "too_long",
                    &format!("{max_length}자 이내로 입력해 주세요 (현재 {len}자)."),
                    &format!("must be at most {max_length} characters (got {len})"),
                ));
            }
            Ok(FieldValue::Text(s))
        }
        FieldType::Date => {
            let Some(s) = value.as_str() else {
                return Err(place.error(
                    "invalid_date",
                    "날짜를 YYYY-MM-DD 형식으로 입력해 주세요.",
                    "must be a date YYYY-MM-DD",
                ));
            };
            crate::time::parse_date(s.trim())
                .map(FieldValue::Date)
                .ok_or_else(|| {
                    place.error(
                        "invalid_date",
                        "올바른 날짜를 YYYY-MM-DD 형식으로 입력해 주세요.",
                        "must be a real date in the form YYYY-MM-DD",
                    )
                })
        }
        FieldType::Money { allow_negative } => {
            let n = number(value, true, place)?;
            if n < 0 && !allow_negative {
                return Err(place.error(
                    "negative",
                    "0원 이상이어야 합니다.",
                    "must not be negative",
                ));
            }
            Ok(FieldValue::Money(Won(n)))
        }
        FieldType::Integer { min, max } => {
            let n = number(value, false, place)?;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                let range = match (min, max) {
                    (Some(a), Some(b)) => format!("{a}~{b}"),
                    (Some(a), None) => format!("{a} 이상"),
                    (None, Some(b)) => format!("{b} 이하"),
                    (None, None) => String::new(),
                };
                return Err(place.error(
                    "out_of_range",
                    &format!("허용 범위({range})를 벗어났습니다."),
                    &format!("is out of range ({range})"),
                ));
            }
            Ok(FieldValue::Integer(n))
        }
        FieldType::Choice { options } => {
            let Some(s) = value.as_str() else {
                return Err(wrong_type(
                    "선택지 중 하나를 골라 주세요.",
                    "must be a string",
                ));
            };
            let s = text::nfc(s.trim());
            if options.contains(&s) {
                Ok(FieldValue::Choice(s))
            } else {
                Err(place.error(
                    "not_an_option",
                    &format!("다음 중 하나여야 합니다: {}", options.join(", ")),
                    "is not one of the options",
                ))
            }
        }
        FieldType::Table { .. } => Err(wrong_type(
            "표 안에 표를 넣을 수 없습니다.",
            "a table cannot contain a table",
        )),
    }
}

/// Reads a whole number from a JSON integer or from text as people type it: digits with optional
/// thousands commas (`1,200,000`), an optional leading `-`, and for money an optional `원`.
fn number(value: &Value, money: bool, place: &Place) -> Result<i64, FieldError> {
    let (ko, en) = if money {
        (
            "금액을 숫자로 입력해 주세요 (예: 1,200,000원).",
            "must be a whole amount in won",
        )
    } else {
        ("정수로 입력해 주세요.", "must be a whole number")
    };
    let too_big = || place.error("out_of_range", "숫자가 너무 큽니다.", "is too large");
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i)
            } else if n.is_u64() {
                Err(too_big())
            } else {
                Err(place.error("invalid_type", ko, en))
            }
        }
        Value::String(s) => {
            let mut t = s.trim();
            if money && let Some(rest) = t.strip_suffix('원') {
                t = rest.trim_end();
            }
            let (negative, digits) = match t.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, t),
            };
            if !grouped_digits(digits) {
                return Err(place.error("invalid_type", ko, en));
            }
            let plain: String = digits.chars().filter(|c| *c != ',').collect();
            let magnitude: i64 = plain.parse().map_err(|_| too_big())?;
            Ok(if negative { -magnitude } else { magnitude })
        }
        _ => Err(place.error("invalid_type", ko, en)),
    }
}

/// Digits, either plain or with commas every three digits from the right.
fn grouped_digits(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    if !s.contains(',') {
        return s.chars().all(|c| c.is_ascii_digit());
    }
    let mut groups = s.split(',');
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

fn table(
    field: &FieldDef,
    given: Option<&Value>,
    input: &Map<String, Value>,
    place: &Place,
    errors: &mut Vec<FieldError>,
) -> Option<FieldValue> {
    let FieldType::Table {
        columns,
        min_rows,
        max_rows,
        total,
    } = field.field_type()
    else {
        return None;
    };
    let total_place = Place {
        path: total_key(field.key()),
        label: format!("{} 합계", field.label()),
    };
    let given_total = input.get(&total_place.path).filter(|v| !v.is_null());
    let rows_in: &[Value] = match given {
        None | Some(Value::Null) => &[],
        Some(Value::Array(rows)) => rows,
        Some(_) => {
            errors.push(place.error(
                "invalid_type",
                "표 형식(행 목록)이어야 합니다.",
                "must be an array of rows",
            ));
            return None;
        }
    };
    if rows_in.is_empty() {
        if field.required() {
            errors.push(place.error("required", "한 행 이상 입력해 주세요.", "is required"));
        } else if given_total.is_some() && total.is_some() {
            // A total for a table that is not there cannot be checked: say so rather than drop it.
            errors.push(total_place.error(
                "total_mismatch",
                "합계가 맞지 않습니다.",
                "total given for an empty table",
            ));
        }
        return None;
    }
    let mut ok = true;
    if rows_in.len() < *min_rows {
        ok = false;
        errors.push(place.error(
            "too_few_rows",
            &format!("{min_rows}행 이상 입력해 주세요."),
            &format!("needs at least {min_rows} rows"),
        ));
    }
    if rows_in.len() > *max_rows {
        errors.push(place.error(
            "too_many_rows",
            &format!("{max_rows}행까지만 입력할 수 있습니다."),
            &format!("may have at most {max_rows} rows"),
        ));
        // Rows beyond the limit are not examined: the input may be arbitrarily large.
        return None;
    }
    let mut rows = Vec::with_capacity(rows_in.len());
    for (i, row_in) in rows_in.iter().enumerate() {
        let row_place = Place {
            path: format!("{}[{i}]", field.key()),
            label: format!("{} {}행", field.label(), i + 1),
        };
        let Some(cells) = row_in.as_object() else {
            ok = false;
            errors.push(row_place.error(
                "invalid_type",
                "행 형식이 올바르지 않습니다.",
                "row must be an object",
            ));
            continue;
        };
        let mut row = BTreeMap::new();
        for column in columns {
            let cell_place = Place {
                path: format!("{}.{}", row_place.path, column.key()),
                label: format!("{} {}", row_place.label, column.label()),
            };
            let before = errors.len();
            if let Some(v) = scalar_field(column, cells.get(column.key()), &cell_place, errors) {
                row.insert(column.key().to_owned(), v);
            }
            ok &= errors.len() == before;
        }
        let mut unknown: Vec<&String> = cells
            .keys()
            .filter(|k| !columns.iter().any(|c| c.key() == k.as_str()))
            .collect();
        unknown.sort();
        for key in unknown {
            ok = false;
            errors.push(FieldError::new(
                format!("{}.{key}", row_place.path),
                "unknown_field",
                format!("{}: 알 수 없는 열 `{key}`이(가) 있습니다.", row_place.label),
                format!("unknown column `{key}`"),
            ));
        }
        rows.push(row);
    }
    let sum = match total {
        None => None,
        Some(column) => {
            let mut sum: Option<i64> = Some(0);
            for row in &rows {
                let cell = match row.get(column) {
                    Some(FieldValue::Money(w)) => w.0,
                    Some(FieldValue::Integer(n)) => *n,
                    _ => 0,
                };
                sum = sum.and_then(|s| s.checked_add(cell));
            }
            match sum {
                Some(sum) => Some(sum),
                None => {
                    ok = false;
                    errors.push(total_place.error(
                        "total_overflow",
                        "합계가 너무 커서 계산할 수 없습니다.",
                        "the total overflows",
                    ));
                    None
                }
            }
        }
    };
    if let (Some(given_total), Some(column)) = (given_total, total) {
        let money = columns
            .iter()
            .any(|c| c.key() == column && matches!(c.field_type(), FieldType::Money { .. }));
        match number(given_total, money, &total_place) {
            Err(e) => {
                ok = false;
                errors.push(e);
            }
            // Only a total that can be compared is compared: a bad row is reported on its own.
            Ok(n) if ok && Some(n) != sum => {
                ok = false;
                errors.push(total_place.error(
                    "total_mismatch",
                    "합계가 맞지 않습니다.",
                    "does not equal the sum of the rows",
                ));
            }
            Ok(_) => {}
        }
    }
    ok.then_some(FieldValue::Table { rows, total: sum })
}
