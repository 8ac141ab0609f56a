//! Ledger events: the canonical payload of each state change and the one function that writes a
//! change's rows together with its ledger entry and a freshly signed checkpoint (invariant 2).

use malgeun_domain::{ComplexId, PersonId, PositionId, Timestamp};
use malgeun_ledger::{Checkpoint, NoteSigner};
use malgeun_store::image::{Row, json_string};
use malgeun_store::ledger::{self, Head, NewEntry};
use malgeun_store::{Tx, rows};

use crate::error::AppError;

/// Payload format version: bump when the encoding changes; verifiers read it first.
pub const PAYLOAD_VERSION: u32 = 1;

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

/// The canonical payload: a JSON object with fixed key order. The leaf hash is taken over these
/// exact bytes, so the order is part of the format (`verify` never re-encodes a payload).
pub fn encode(complex: ComplexId, at: Timestamp, change: &Change) -> String {
    let mut out = String::with_capacity(256 + change.rows.len() * 400);
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
    // Written rows carry their image; deleted rows a `null` tombstone.
    let written = change.rows.iter().map(|r| (r, Some(r.image())));
    let deleted = change.deletes.iter().map(|r| (r, None));
    for (i, (row, image)) in written.chain(deleted).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        json_string(&mut out, row.table.name);
        out.push(',');
        json_string(&mut out, &row.key());
        out.push(',');
        out.push_str(image.as_deref().unwrap_or("null"));
        out.push(']');
    }
    out.push_str("]}");
    out
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
    let payload = encode(complex, at, &change);
    ledger::append(
        tx,
        &complex_s,
        head,
        NewEntry {
            event: change.event,
            subject: change.subject.as_deref(),
            at: at.as_micros(),
            payload: &payload,
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
