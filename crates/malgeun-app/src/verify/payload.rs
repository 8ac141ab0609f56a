//! Reads the rows a version 2 payload names without a general JSON parser, when the payload has
//! exactly the shape `events::encode` writes; anything else is left to serde_json.
//!
//! A general parser spent most of its time on what verification never uses (the event, time and
//! actor) and on checking each string's UTF-8 apart. This reader accepts only the canonical shape
//! (fixed keys in fixed order, no whitespace, no escapes), so whatever it accepts is JSON that
//! serde_json reads to the same rows; on anything else it declines and the caller parses the
//! payload in full, reporting what is wrong as before.

use std::ops::Range;

/// One row a payload names: where its table name and key lie in the payload, and the SHA-256 of
/// its image (`None` for a deletion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct NamedRow {
    pub table: Range<usize>,
    pub key: Range<usize>,
    pub image: Option<[u8; 32]>,
}

/// A cursor over the payload's bytes; every step fails (`None`) on anything not canonical.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        let end = self.at + lit.len();
        (self.b.get(self.at..end)? == lit).then(|| self.at = end)
    }

    /// A string with nothing to unescape: its content's range (without the quotes). A
    /// backslash would need unescaping and a control character is not JSON: both decline.
    fn string(&mut self) -> Option<Range<usize>> {
        self.literal(b"\"")?;
        let start = self.at;
        let end = start + malgeun_store::image::plain_prefix_len(&self.b[start..]);
        (self.b.get(end) == Some(&b'"')).then(|| {
            self.at = end + 1;
            start..end
        })
    }

    /// A string whose content must be UTF-8: serde_json checks that of every string it reads
    /// into a value (the complex, tables and keys), not of those it skips.
    fn text(&mut self) -> Option<Range<usize>> {
        let r = self.string()?;
        std::str::from_utf8(&self.b[r.clone()]).ok()?;
        Some(r)
    }

    /// A string or `null`.
    fn string_or_null(&mut self) -> Option<()> {
        if self.literal(b"null").is_some() {
            return Some(());
        }
        self.string().map(|_| ())
    }

    /// `"<64 hex digits>"` or `null`.
    fn image_hash(&mut self) -> Option<Option<[u8; 32]>> {
        if self.literal(b"null").is_some() {
            return Some(None);
        }
        // The general path decodes the same text the same way (`events::named_hash`); hex digits
        // are ASCII, so bytes that decode are UTF-8 and need no check of their own.
        let r = self.string()?;
        malgeun_domain::content::Sha256Hash::from_hex_bytes(&self.b[r]).map(|h| Some(h.0))
    }
}

/// Reads a canonical version 2 payload: its complex's id (a range of `payload`) and the rows it
/// names, put in `rows` (cleared first). `None` when the payload is not in canonical form, which
/// leaves `rows` in an unspecified state.
pub(super) fn read(payload: &[u8], rows: &mut Vec<NamedRow>) -> Option<Range<usize>> {
    rows.clear();
    let mut c = Cursor { b: payload, at: 0 };
    c.literal(b"{\"v\":2,\"complex\":")?;
    let complex = c.text()?;
    for key in [
        &b",\"event\":"[..],
        b",\"at\":",
        b",\"actor\":",
        b",\"position\":",
        b",\"subject\":",
    ] {
        c.literal(key)?;
        c.string_or_null()?;
    }
    c.literal(b",\"rows\":[")?;
    if c.literal(b"]").is_none() {
        loop {
            c.literal(b"[")?;
            let table = c.text()?;
            c.literal(b",")?;
            let key = c.text()?;
            c.literal(b",")?;
            let image = c.image_hash()?;
            c.literal(b"]")?;
            rows.push(NamedRow { table, key, image });
            if c.literal(b",").is_none() {
                c.literal(b"]")?;
                break;
            }
        }
    }
    c.literal(b"}")?;
    (c.at == payload.len()).then_some(complex)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Change, encode, named_hash};
    use malgeun_domain::{ComplexId, Timestamp};
    use malgeun_store::image::{Row, Value};
    use malgeun_store::tables;
    use serde_json::value::RawValue;

    /// What serde_json reads from a payload, as the general path of `verify` does.
    /// A payload as read: the complex and each row's table, key and image hash.
    type Read = (String, Vec<(String, String, Option<[u8; 32]>)>);

    fn general(payload: &[u8]) -> Option<Read> {
        #[derive(serde::Deserialize)]
        struct P<'a> {
            v: u32,
            complex: String,
            #[serde(borrow)]
            rows: Vec<(String, String, &'a RawValue)>,
        }
        let p: P<'_> = serde_json::from_slice(payload).ok()?;
        if p.v != 2 {
            return None;
        }
        let rows = p
            .rows
            .into_iter()
            .map(|(t, k, third)| Some((t, k, named_hash(2, third).ok()?)))
            .collect::<Option<Vec<_>>>()?;
        Some((p.complex, rows))
    }

    fn fast(payload: &[u8]) -> Option<Read> {
        let mut rows = Vec::new();
        let complex = read(payload, &mut rows)?;
        let text = |r: Range<usize>| String::from_utf8(payload[r].to_vec()).expect("UTF-8");
        Some((
            text(complex),
            rows.into_iter()
                .map(|r| (text(r.table), text(r.key), r.image))
                .collect(),
        ))
    }

    fn document(cid: &str, id: &str, title: &str) -> Row {
        let values = tables::DOCUMENTS
            .columns
            .iter()
            .map(|(c, _)| {
                let v: Value = match *c {
                    "complex_id" => cid.into(),
                    "id" => id.into(),
                    "title" => title.into(),
                    _ => Value::Null,
                };
                (*c, v)
            })
            .collect();
        Row::new(&tables::DOCUMENTS, values)
    }

    /// Payloads as the service writes them: written and deleted rows, none, keys with quotes and
    /// backslashes, Korean text, missing actor and subject.
    fn samples() -> Vec<String> {
        let complex = ComplexId::from_uuid(uuid::Uuid::from_u128(7));
        let cid = complex.to_string();
        let at = Timestamp::from_micros(1_700_000_000_000_000);
        let changes = [
            Change::new("document.draft").subject("d1").row(document(
                &cid,
                "d1",
                "관리비 부과 \"11월\"",
            )),
            Change::new("document.delete").delete(document(&cid, "d2", "x")),
            Change::new("org.nothing"),
            Change::new("document.draft")
                .subject("따옴표 \" 와 \\ 역슬래시")
                .row(document(&cid, "키 \"인용\" \\", "t"))
                .row(document(&cid, "d3", "줄\n바꿈")),
        ];
        changes
            .iter()
            .map(|c| encode(complex, at, c).payload)
            .collect()
    }

    #[test]
    fn reads_what_serde_json_reads_from_canonical_payloads() {
        let mut read_fast = 0;
        for p in samples() {
            let general = general(p.as_bytes()).expect("the general path reads it");
            match fast(p.as_bytes()) {
                Some(fast) => {
                    read_fast += 1;
                    assert_eq!(fast, general, "{p}");
                }
                // Only escapes send a service-written payload to the general path.
                None => assert!(p.contains('\\'), "declined a plain payload: {p}"),
            }
        }
        assert_eq!(read_fast, 3);
    }

    #[test]
    fn declines_what_is_not_canonical() {
        let p = samples().remove(0);
        let variants = [
            p.replacen("{\"v\":2", "{ \"v\":2", 1),
            p.replacen("{\"v\":2", "{\"v\":1", 1),
            p.replacen("{\"v\":2", "{\"v\":02", 1),
            p.replacen(",\"event\"", ",\"evnt\"", 1),
            format!("{p} "),
            format!("{p}x"),
            p.replacen("\"rows\":[[", "\"rows\":[ [", 1),
            p[..p.len() - 1].to_owned(),
            p.to_uppercase(),
        ];
        for v in &variants {
            assert!(fast(v.as_bytes()).is_none(), "accepted {v}");
        }
        // Not UTF-8 in a key, though every structural byte is in place.
        let mut bytes = p.clone().into_bytes();
        let at = p.find("/d1\"").expect("the key") + 1;
        bytes[at] = 0xff;
        assert!(fast(&bytes).is_none());
        assert!(general(&bytes).is_none());
        // In a field neither reads (the subject), both read the rows alike.
        let at = p.find("\"d1\"").expect("the subject") + 1;
        let mut bytes = p.clone().into_bytes();
        bytes[at] = 0xff;
        assert_eq!(fast(&bytes), general(&bytes));
        assert!(fast(&bytes).is_some());
    }

    /// Whatever single byte is changed, the reader either declines or reads what serde_json
    /// reads: it never accepts a payload serde_json refuses, nor reads it otherwise.
    #[test]
    fn never_disagrees_with_serde_json_on_changed_bytes() {
        for p in samples() {
            let bytes = p.as_bytes();
            for i in 0..bytes.len() {
                for replacement in [b'"', b'\\', b',', b']', b'[', b'0', b'a', b'A', b' ', 0x01] {
                    let mut changed = bytes.to_vec();
                    changed[i] = replacement;
                    if let Some(fast) = fast(&changed) {
                        assert_eq!(Some(fast), general(&changed), "byte {i} of {p}");
                    }
                }
            }
        }
    }
}
