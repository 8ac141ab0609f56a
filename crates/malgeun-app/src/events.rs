//! Ledger events: the canonical payload of each state change and the one function that writes a
//! change's rows together with its ledger entry and a freshly signed checkpoint (invariant 2).

use malgeun_domain::content::Sha256Hash;
use malgeun_domain::{ComplexId, PersonId, PositionId, Timestamp};
use malgeun_ledger::{Checkpoint, NoteSigner};
use malgeun_store::image::{Row, json_string};
use malgeun_store::ledger::{self, Head, NewEntry};
use malgeun_store::{Tx, rows};
use serde_json::value::RawValue;

use crate::error::AppError;

/// Payload format version: bump when the encoding changes; verifiers read it first. Version 1
/// carried each row's image inside the payload; version 2 names each row by the SHA-256 of its
/// image and keeps the images beside the entry (see [`encode`]).
pub const PAYLOAD_VERSION: u32 = 2;

/// One state change: what happened, who did it, and every ledgered row it wrote.
#[derive(Debug)]
pub struct Change {
    /// Event name, e.g. `document.approve`.
    pub event: &'static str,
    /// The object the event is about (a document id), for its history.
    pub subject: Option<String>,
    /// The person who acted (`None` for the system, e.g. seeding).
    pub actor: Option<PersonId>,
    /// The position they acted in.
    pub position: Option<PositionId>,
    /// Rows created or changed, in write order.
    pub rows: Vec<Row>,
    /// Rows deleted (recorded as tombstones: `[table, key, null]`).
    pub deletes: Vec<Row>,
}

impl Change {
    /// A change with no rows yet.
    pub fn new(event: &'static str) -> Self {
        Self {
            event,
            subject: None,
            actor: None,
            position: None,
            rows: Vec::new(),
            deletes: Vec::new(),
        }
    }

    /// Sets the subject.
    pub fn subject(mut self, s: impl ToString) -> Self {
        self.subject = Some(s.to_string());
        self
    }

    /// Sets the actor and their position.
    pub fn by(mut self, actor: PersonId, position: Option<PositionId>) -> Self {
        self.actor = Some(actor);
        self.position = position;
        self
    }

    /// Adds a row.
    pub fn row(mut self, row: Row) -> Self {
        self.rows.push(row);
        self
    }

    /// Deletes a row.
    pub fn delete(mut self, row: Row) -> Self {
        self.deletes.push(row);
        self
    }
}

fn opt(out: &mut String, v: Option<String>) {
    match v {
        Some(s) => json_string(out, &s),
        None => out.push_str("null"),
    }
}

/// A change encoded for the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The canonical payload, which the leaf hashes.
    pub payload: String,
    /// The rows' images, a JSON array in the payload's row order (`null` for a deletion).
    pub images: String,
}

/// The canonical payload: a JSON object with fixed key order, naming every row the change wrote
/// as `[table, key, SHA-256 of its image in hex]` (`null` for a deletion), and beside it the
/// images. The leaf is taken over the payload's exact bytes, so the order is part of the format
/// (`verify` never re-encodes a payload). Hashing images instead of embedding them keeps a leaf
/// near 600 bytes whatever the rows hold, which is what lets `verify` read and hash a million
/// entries in seconds, and lets anyone check an entry without seeing the rows' contents.
pub fn encode(complex: ComplexId, at: Timestamp, change: &Change) -> Encoded {
    let mut out = String::with_capacity(256 + change.rows.len() * 160);
    let mut images = String::with_capacity(2 + change.rows.len() * 400);
    out.push_str("{\"v\":");
    out.push_str(&PAYLOAD_VERSION.to_string());
    out.push_str(",\"complex\":");
    json_string(&mut out, &complex.to_string());
    out.push_str(",\"event\":");
    json_string(&mut out, change.event);
    out.push_str(",\"at\":");
    json_string(&mut out, &at.to_rfc3339());
    out.push_str(",\"actor\":");
    opt(&mut out, change.actor.map(|a| a.to_string()));
    out.push_str(",\"position\":");
    opt(&mut out, change.position.map(|p| p.to_string()));
    out.push_str(",\"subject\":");
    opt(&mut out, change.subject.clone());
    out.push_str(",\"rows\":[");
    images.push('[');
    let written = change.rows.iter().map(|r| (r, Some(r.image())));
    let deleted = change.deletes.iter().map(|r| (r, None));
    for (i, (row, image)) in written.chain(deleted).enumerate() {
        if i > 0 {
            out.push(',');
            images.push(',');
        }
        out.push('[');
        json_string(&mut out, row.table.name);
        out.push(',');
        json_string(&mut out, &row.key());
        out.push(',');
        match image {
            Some(image) => {
                out.push('"');
                out.push_str(&Sha256Hash::of(image.as_bytes()).to_hex());
                out.push('"');
                images.push_str(&image);
            }
            None => {
                out.push_str("null");
                images.push_str("null");
            }
        }
        out.push(']');
    }
    out.push_str("]}");
    images.push(']');
    Encoded {
        payload: out,
        images,
    }
}

/// Writes the change's rows stamped with the new entry's index, appends the entry, and re-signs
/// the head. The caller holds the complex's head lock (taken first in the transaction) and commits.
pub async fn record(
    tx: &mut Tx,
    complex: ComplexId,
    head: &mut Head,
    signer: &NoteSigner,
    at: Timestamp,
    change: Change,
) -> Result<u64, AppError> {
    let complex_s = complex.to_string();
    let idx = head.size();
    let idx_i64 = i64::try_from(idx).map_err(AppError::internal)?;
    for row in &change.rows {
        rows::upsert(tx, row, idx_i64).await?;
    }
    for row in &change.deletes {
        rows::delete(tx, row).await?;
    }
    let encoded = encode(complex, at, &change);
    ledger::append(
        tx,
        &complex_s,
        head,
        NewEntry {
            event: change.event,
            subject: change.subject.as_deref(),
            at: at.as_micros(),
            payload: &encoded.payload,
            images: Some(&encoded.images),
        },
    )
    .await?;
    // Where commits are batched, the batch signs each grown log once, over its final head, in the
    // same transaction (the signer `App::new` installs does exactly what follows).
    if !tx.defer_checkpoint(&complex_s) {
        let checkpoint = Checkpoint::new(signer.name(), head.size(), head.frontier.root());
        head.checkpoint = checkpoint.sign(signer).map_err(AppError::internal)?;
    }
    ledger::save_head(tx, &complex_s, head).await?;
    Ok(idx)
}

/// One row an entry names, with its image (`None` for a deletion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRow {
    /// Table name.
    pub table: String,
    /// Row key.
    pub key: String,
    /// The canonical image text, exactly as hashed.
    pub image: Option<String>,
}

/// Why an entry's rows cannot be read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RowsError {
    /// The payload is not a payload of a known version.
    #[error("the payload does not parse: {0}")]
    Malformed(String),
    /// The images stored beside a version 2 entry are missing.
    #[error("the row images are missing")]
    ImagesMissing,
    /// The images stored beside a version 2 entry do not hash to what the payload names.
    #[error("the row images do not match the hashes the payload names")]
    ImagesAltered,
}

/// The image hash a payload names for one row (the third element of `[table, key, …]`): in
/// version 1 the SHA-256 of the image written inline, in version 2 the hex it holds; `None` for a
/// deletion. The one reading of that element, shared by [`recorded_rows`] and `verify`.
pub fn named_hash(version: u32, third: &RawValue) -> Result<Option<[u8; 32]>, RowsError> {
    match (version, third.get()) {
        (_, "null") => Ok(None),
        (1, image) => Ok(Some(Sha256Hash::of(image.as_bytes()).0)),
        (2, quoted) => quoted
            .strip_prefix('"')
            .and_then(|h| h.strip_suffix('"'))
            .and_then(Sha256Hash::from_hex)
            .map(|h| Some(h.0))
            .ok_or_else(|| RowsError::Malformed(format!("`{quoted}` is not a SHA-256"))),
        (v, _) => Err(RowsError::Malformed(format!("unknown payload version {v}"))),
    }
}

/// Splits the images kept beside a version 2 entry, each checked against the hash its payload
/// names for that row (`hashes`, in row order).
pub fn checked_images<'a>(
    images: Option<&'a str>,
    hashes: &[Option<[u8; 32]>],
) -> Result<Vec<&'a RawValue>, RowsError> {
    let images: Vec<&RawValue> = serde_json::from_str(images.ok_or(RowsError::ImagesMissing)?)
        .map_err(|_| RowsError::ImagesAltered)?;
    let intact = images.len() == hashes.len()
        && images.iter().zip(hashes).all(|(image, hash)| match hash {
            None => image.get() == "null",
            Some(h) => Sha256Hash::of(image.get().as_bytes()).0 == *h,
        });
    if intact {
        Ok(images)
    } else {
        Err(RowsError::ImagesAltered)
    }
}

/// The rows an entry names with their images: from the payload itself (version 1), or from the
/// images stored beside it, each checked against the hash the payload names (version 2), so that
/// what is shown as history is what the leaf commits to.
pub fn recorded_rows(payload: &str, images: Option<&str>) -> Result<Vec<RecordedRow>, RowsError> {
    #[derive(serde::Deserialize)]
    struct Rows<'a> {
        v: u32,
        #[serde(borrow)]
        rows: Vec<(String, String, &'a RawValue)>,
    }
    let p: Rows<'_> =
        serde_json::from_str(payload).map_err(|e| RowsError::Malformed(e.to_string()))?;
    let image_of = |raw: &RawValue| (raw.get() != "null").then(|| raw.get().to_owned());
    let images: Vec<&RawValue> = match p.v {
        1 => p.rows.iter().map(|(_, _, image)| *image).collect(),
        2 => {
            let hashes = p
                .rows
                .iter()
                .map(|(_, _, third)| named_hash(2, third))
                .collect::<Result<Vec<_>, _>>()?;
            checked_images(images, &hashes)?
        }
        v => return Err(RowsError::Malformed(format!("unknown payload version {v}"))),
    };
    Ok(p.rows
        .into_iter()
        .zip(images)
        .map(|((table, key, _), image)| RecordedRow {
            table,
            key,
            image: image_of(image),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use malgeun_domain::{ComplexId, Timestamp};
    use malgeun_store::image::{Row, Value};
    use malgeun_store::tables;

    use super::*;

    fn position_row(complex: &str, title: &str) -> Row {
        Row::new(
            &tables::POSITIONS,
            tables::POSITIONS
                .columns
                .iter()
                .map(|(c, _)| {
                    let v: Value = match *c {
                        "complex_id" => complex.into(),
                        "id" => "p1".into(),
                        "title" => title.into(),
                        _ => Value::Null,
                    };
                    (*c, v)
                })
                .collect(),
        )
    }

    fn change(complex: &str) -> Change {
        Change::new("position.create")
            .row(position_row(complex, "관리사무소장"))
            .delete(position_row(complex, "경리"))
    }

    #[test]
    fn payload_names_rows_by_image_hash_and_images_read_back() {
        let complex = ComplexId::from_uuid(uuid::Uuid::nil());
        let c = change(&complex.to_string());
        let e = encode(complex, Timestamp::from_micros(0), &c);
        let image = c.rows[0].image();
        let hash = Sha256Hash::of(image.as_bytes()).to_hex();
        assert!(e.payload.starts_with("{\"v\":2,"), "{}", e.payload);
        assert!(e.payload.contains(&hash), "{}", e.payload);
        assert!(
            !e.payload.contains("관리사무소장"),
            "images stay out of the leaf"
        );
        assert!(e.payload.ends_with(",null]]}"), "a deletion is a null hash");
        assert_eq!(e.images, format!("[{image},null]"));
        let rows = recorded_rows(&e.payload, Some(&e.images)).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].table, "positions");
        assert_eq!(rows[0].image.as_deref(), Some(image.as_str()));
        assert_eq!(rows[1].image, None);
    }

    #[test]
    fn altered_or_missing_images_are_refused() {
        let complex = ComplexId::from_uuid(uuid::Uuid::nil());
        let e = encode(
            complex,
            Timestamp::from_micros(0),
            &change(&complex.to_string()),
        );
        let forged = e.images.replace("관리사무소장", "관리소장");
        assert_eq!(
            recorded_rows(&e.payload, Some(&forged)),
            Err(RowsError::ImagesAltered)
        );
        assert_eq!(
            recorded_rows(&e.payload, Some("[null,null]")),
            Err(RowsError::ImagesAltered)
        );
        assert_eq!(
            recorded_rows(&e.payload, Some("[]")),
            Err(RowsError::ImagesAltered)
        );
        assert_eq!(
            recorded_rows(&e.payload, None),
            Err(RowsError::ImagesMissing)
        );
        assert!(matches!(
            recorded_rows("{\"v\":9,\"rows\":[]}", None),
            Err(RowsError::Malformed(_))
        ));
    }

    #[test]
    fn version_1_payloads_carry_their_images() {
        let payload = "{\"v\":1,\"complex\":\"c\",\"rows\":[[\"positions\",\"c/p1\",{\"id\":\"p1\"}],[\"positions\",\"c/p2\",null]]}";
        let rows = recorded_rows(payload, None).unwrap();
        assert_eq!(rows[0].image.as_deref(), Some("{\"id\":\"p1\"}"));
        assert_eq!(rows[1].image, None);
    }
}
