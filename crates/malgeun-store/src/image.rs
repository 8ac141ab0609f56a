//! Row images: the canonical text of a ledgered row as the ledger records it ("after image").
//!
//! Every event in the ledger carries the image of each row it created or changed, and every such
//! row remembers the index of the last event that touched it. `verify` then needs no knowledge of
//! any use case: it re-reads each row, renders its image the same way and compares. Free text
//! (titles, bodies, comments, file names) enters the image only as its SHA-256, so the ledger can be
//! shown to residents and the city without leaking what only the line may read.

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
        let values: Vec<ValueRef<'_>> = self.values.iter().map(Value::borrowed).collect();
        let mut out = Vec::new();
        write_key(&key_positions(self.table), &values, &mut out);
        String::from_utf8(out).expect("a key is built from UTF-8 text")
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
        let values: Vec<ValueRef<'_>> = self.values.iter().map(Value::borrowed).collect();
        let mut out = Vec::with_capacity(64 * self.values.len());
        write_image(self.table, &values, &mut out);
        String::from_utf8(out).expect("an image is built from UTF-8 text")
    }
}

/// A column value borrowed from wherever the row was read (no copy per column), for rendering
/// images and keys while scanning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// Text (for `Text` and `Secret` columns), as the bytes stored: not checked to be UTF-8 until
    /// it becomes a [`Value`]. Rendering needs no check: bytes that are not UTF-8 render to an
    /// image no recorded image can equal, since every recorded image was rendered from text.
    Text(&'a [u8]),
    /// Integer.
    Int(i64),
    /// Boolean.
    Bool(bool),
    /// SQL NULL.
    Null,
}

impl ValueRef<'_> {
    /// An owned copy; text that is not UTF-8 is refused.
    pub fn to_owned(&self) -> Result<Value, std::str::Utf8Error> {
        Ok(match *self {
            Self::Text(b) => Value::Text(std::str::from_utf8(b)?.to_owned()),
            Self::Int(n) => Value::Int(n),
            Self::Bool(b) => Value::Bool(b),
            Self::Null => Value::Null,
        })
    }
}

impl Value {
    /// The value borrowed.
    pub fn borrowed(&self) -> ValueRef<'_> {
        match self {
            Self::Text(s) => ValueRef::Text(s.as_bytes()),
            Self::Int(n) => ValueRef::Int(*n),
            Self::Bool(b) => ValueRef::Bool(*b),
            Self::Null => ValueRef::Null,
        }
    }
}

/// The positions in [`TableSpec::columns`] of the table's key columns, in key order.
pub fn key_positions(table: &TableSpec) -> Vec<usize> {
    table
        .keys
        .iter()
        .map(|k| {
            table
                .columns
                .iter()
                .position(|(c, _)| c == k)
                .expect("key column is a column")
        })
        .collect()
}

/// Appends the key of a row (values parallel to the table's columns) to `out`: the key column
/// values, at `positions` (from [`key_positions`]), joined by `/`. [`Row::key`] is this.
pub fn write_key(positions: &[usize], values: &[ValueRef<'_>], out: &mut Vec<u8>) {
    for (i, &pos) in positions.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        match values[pos] {
            ValueRef::Text(b) => out.extend_from_slice(b),
            ValueRef::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            ValueRef::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            ValueRef::Null => out.push(b'-'),
        }
    }
}

/// Appends the canonical image of a row (values parallel to `table.columns`) to `out`: a JSON
/// object with the columns in table order, secret text as `sha256:<hex>` of its UTF-8 bytes.
/// [`Row::image`] is this; `verify` renders many rows of one table with an [`ImageWriter`],
/// which writes the same bytes once its [`Secrets`] are filled in.
pub fn write_image(table: &TableSpec, values: &[ValueRef<'_>], out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, ((name, ty), value)) in table.columns.iter().zip(values).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_bytes(out, name.as_bytes());
        out.push(b':');
        write_value(*ty, *value, out);
    }
    out.push(b'}');
}

/// Appends one column's value to an image.
fn write_value(ty: ColType, value: ValueRef<'_>, out: &mut Vec<u8>) {
    match (value, ty) {
        (ValueRef::Null, _) => out.extend_from_slice(b"null"),
        (ValueRef::Text(b), ColType::Secret) => {
            out.extend_from_slice(b"\"sha256:");
            hex_into(out, &Sha256Hash::of(b).0);
            out.push(b'"');
        }
        (ValueRef::Text(b), _) => json_bytes(out, b),
        (ValueRef::Int(n), _) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        (ValueRef::Bool(b), _) => out.extend_from_slice(if b { b"true" } else { b"false" }),
    }
}

/// Renders images of one table's rows ([`write_image`]) with each column's `{"name":` or
/// `,"name":` rendered once, not once per row, and the SHA-256 of each secret text left for
/// [`Secrets::fill`] to compute with those of other rows, side by side.
pub struct ImageWriter {
    columns: Vec<(Vec<u8>, ColType)>,
}

impl ImageWriter {
    /// The writer for `table`'s rows.
    pub fn new(table: &TableSpec) -> Self {
        let columns = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (name, ty))| {
                let mut prefix = vec![if i == 0 { b'{' } else { b',' }];
                json_bytes(&mut prefix, name.as_bytes());
                prefix.push(b':');
                (prefix, *ty)
            })
            .collect();
        Self { columns }
    }

    /// Appends the image of a row whose values are parallel to the table's columns, with a hole
    /// where the digest of each secret text goes: the image is complete once `secrets` is
    /// [filled](Secrets::fill) into `out`.
    pub fn write(&self, values: &[ValueRef<'_>], out: &mut Vec<u8>, secrets: &mut Secrets) {
        // The first column's prefix opens the object; with no columns nothing else would.
        if self.columns.is_empty() || values.is_empty() {
            out.push(b'{');
        }
        for ((prefix, ty), value) in self.columns.iter().zip(values) {
            out.extend_from_slice(prefix);
            match (*value, *ty) {
                (ValueRef::Text(b), ColType::Secret) => {
                    out.extend_from_slice(b"\"sha256:");
                    secrets.defer(b, out);
                    out.push(b'"');
                }
                (value, ty) => write_value(ty, value, out),
            }
        }
        out.push(b'}');
    }
}

/// Byte strings kept one after the other in one buffer, for hashing many at once: a scanned
/// row lives only as long as its callback, so what is hashed a batch later is copied here.
#[derive(Debug, Default)]
pub struct Packed {
    /// The strings' bytes, one after the other; a writer may append to it directly and then
    /// [`Packed::close`] the string.
    pub bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Packed {
    /// Marks the bytes appended to `self.bytes` since the last string as one string.
    pub fn close(&mut self) {
        self.ends.push(self.bytes.len());
    }

    /// Appends one string.
    pub fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        self.close();
    }

    /// How many strings it holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it holds no string.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The strings, in order.
    pub fn slices(&self) -> Vec<&[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(a, b)| &self.bytes[a..*b])
            .collect()
    }

    /// Forgets every string, keeping the allocations.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }
}

/// Secret texts of images an [`ImageWriter`] wrote, not yet hashed. Most of a row's image is
/// short, but its free text (a body, a form) is often most of its bytes: hashing the texts of
/// many rows together, like the images themselves, keeps the SHA-256 unit busy, where one text
/// after another waits on each round.
#[derive(Debug, Default)]
pub struct Secrets {
    texts: Packed,
    /// Where each text's hex digest goes in the images' buffer.
    holes: Vec<usize>,
}

impl Secrets {
    /// Keeps `text` and leaves a hole for its digest at the end of `out`.
    fn defer(&mut self, text: &[u8], out: &mut Vec<u8>) {
        self.texts.push(text);
        self.holes.push(out.len());
        out.extend_from_slice(&[b'0'; 64]);
    }

    /// Hashes the texts and writes each digest into its hole in `images` (the buffer the
    /// writer wrote to, unchanged since), then forgets them.
    ///
    /// # Panics
    /// If a hole lies outside `images`.
    pub fn fill(&mut self, images: &mut [u8]) {
        let texts = self.texts.slices();
        let mut digests = vec![[0u8; 32]; texts.len()];
        malgeun_ledger::sha256_many(&[], &texts, &mut digests);
        for (&hole, digest) in self.holes.iter().zip(&digests) {
            images[hole..hole + 64].copy_from_slice(&hex(digest));
        }
        self.texts.clear();
        self.holes.clear();
    }
}

fn hex(bytes: &[u8; 32]) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 64];
    for (pair, b) in text.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 0x0f)];
    }
    text
}

fn hex_into(out: &mut Vec<u8>, bytes: &[u8; 32]) {
    out.extend_from_slice(&hex(bytes));
}

/// Appends text as a JSON string literal, escaped exactly as serde_json escapes it (`\"`, `\\`,
/// `\b \f \n \r \t`, other control characters as `\u00xx`), without an intermediate `String`
/// and without checking UTF-8 first. Only ASCII bytes are ever replaced, so bytes that are not
/// UTF-8 stay as they are: the result is then not UTF-8 either, and equals no image rendered
/// from text (see [`ValueRef::Text`]).
fn json_bytes(out: &mut Vec<u8>, b: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut rest = b;
    loop {
        // Runs of plain text (ids, codes, hex, Korean prose) are copied whole.
        let n = plain_prefix_len(rest);
        out.extend_from_slice(&rest[..n]);
        let Some(&c) = rest.get(n) else { break };
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 0x0f)],
            ]),
        }
        rest = &rest[n + 1..];
    }
    out.push(b'"');
}

/// How many bytes at the start of `b` need no escaping in a JSON string: the index of the first
/// control character, quote or backslash, or the length. Eight bytes at a time: every row verify
/// re-renders, and every payload it reads, goes through here.
pub fn plain_prefix_len(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `v` below `n` (n <= 128). A borrow can also flag bytes above
    // a flagged one, never below: the lowest flag is always exact.
    let less = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & HIGH;
    let equal = |v: u64, n: u8| less(v ^ (ONES * u64::from(n)), 1);
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        let v = u64::from_le_bytes(word);
        let flags = less(v, 0x20) | equal(v, b'"') | equal(v, b'\\');
        if flags != 0 {
            // Little-endian: the lowest flag belongs to the first such byte.
            return at + flags.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    at + chunks
        .remainder()
        .iter()
        .position(|&c| c < 0x20 || c == b'"' || c == b'\\')
        .unwrap_or(chunks.remainder().len())
}

/// Appends `s` as a JSON string literal (the same escaping serde_json uses).
pub fn json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("a str always serialises"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_wise_escape_check_agrees_with_the_byte_wise_one() {
        let naive = |b: &[u8]| b.iter().all(|&c| c >= 0x20 && c != b'"' && c != b'\\');
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let alphabet: Vec<u8> = [
            b'"', b'\\', 0x00, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xea, 0xff, b'a',
        ]
        .into_iter()
        .chain("관리비 회의록".bytes())
        .collect();
        for len in 0..40 {
            for _ in 0..300 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly plain bytes, so both answers occur often.
                        if seed.is_multiple_of(16) {
                            alphabet[(seed >> 8) as usize % alphabet.len()]
                        } else {
                            b'a' + (seed >> 8) as u8 % 26
                        }
                    })
                    .collect();
                assert_eq!(
                    plain_prefix_len(&bytes) == bytes.len(),
                    naive(&bytes),
                    "{bytes:?}"
                );
                let first = bytes
                    .iter()
                    .position(|&c| c < 0x20 || c == b'"' || c == b'\\')
                    .unwrap_or(bytes.len());
                assert_eq!(plain_prefix_len(&bytes), first, "{bytes:?}");
            }
        }
    }

    #[test]
    fn the_image_writer_writes_what_write_image_writes() {
        let tables = [&crate::tables::DOCUMENT_VERSIONS, &crate::tables::POSITIONS];
        let texts: [&[u8]; 5] = [
            b"",
            "관리비 \"11월\"".as_bytes(),
            b"a\\b\n",
            b"\xff",
            b"plain",
        ];
        let mut secrets = Secrets::default();
        for table in tables {
            let writer = ImageWriter::new(table);
            let (mut got, mut want) = (Vec::new(), Vec::new());
            for shift in 0..texts.len() * 3 {
                let values: Vec<ValueRef<'_>> = (0..table.columns.len())
                    .map(|i| match (i + shift) % 4 {
                        0 => ValueRef::Null,
                        1 => ValueRef::Int(i64::try_from(i * shift).unwrap() - 7),
                        2 => ValueRef::Bool(shift % 2 == 0),
                        _ => ValueRef::Text(texts[(i + shift) % texts.len()]),
                    })
                    .collect();
                write_image(table, &values, &mut want);
                writer.write(&values, &mut got, &mut secrets);
                assert_eq!(
                    want.len(),
                    got.len(),
                    "the holes are as long as the digests"
                );
                // Several rows' texts are filled at once, now and then.
                if shift % 4 == 3 {
                    secrets.fill(&mut got);
                    assert_eq!(got, want);
                }
            }
            secrets.fill(&mut got);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn text_that_is_not_utf8_renders_to_no_image_of_text() {
        let mut out = Vec::new();
        json_bytes(&mut out, b"a\xffb");
        assert!(std::str::from_utf8(&out).is_err());
        out.clear();
        json_bytes(&mut out, b"\"\xff");
        assert!(std::str::from_utf8(&out).is_err());
        assert!(ValueRef::Text(b"\xff").to_owned().is_err());
        out.clear();
        json_bytes(&mut out, "줄\n\"인용\"".as_bytes());
        assert_eq!(out, serde_json::to_vec("줄\n\"인용\"").unwrap());
    }

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

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_does() {
        let mut samples: Vec<String> = (0u32..0x80)
            .chain([0xa0, 0x2028, 0xac00, 0x1f600])
            .map(|c| format!("a{}b", char::from_u32(c).unwrap()))
            .collect();
        samples.extend(["".into(), "\"\\\u{1}".into(), "급여 \"명세\"\n".into()]);
        for s in samples {
            let mut out = Vec::new();
            json_bytes(&mut out, s.as_bytes());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&s).unwrap(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn image_and_key_from_borrowed_values_match_the_row() {
        let row = Row::new(
            &T,
            vec![
                ("complex_id", "c/1".into()),
                ("n", (-42).into()),
                ("title", "제목\t".into()),
                ("ok", false.into()),
                ("note", "\u{7f}\"x\"".into()),
            ],
        );
        let values: Vec<ValueRef<'_>> = row.values.iter().map(Value::borrowed).collect();
        let mut image = Vec::new();
        write_image(&T, &values, &mut image);
        assert_eq!(String::from_utf8(image).unwrap(), row.image());
        let mut key = Vec::new();
        write_key(&key_positions(&T), &values, &mut key);
        assert_eq!(String::from_utf8(key).unwrap(), "c/1/-42");
        let title = format!(
            "\"title\":\"sha256:{}\"",
            Sha256Hash::of("제목\t".as_bytes()).to_hex()
        );
        assert!(row.image().contains(&title), "{}", row.image());
    }
}
