//! Serving the ledger: the latest signed checkpoint, single entries, inclusion proofs and
//! consistency proofs, computed from the stored complete nodes (O(log n) lookups each).

use malgeun_domain::ComplexId;
use malgeun_ledger::{
    Hash, consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes,
};
use malgeun_store::ledger;
use serde::Serialize;

use crate::App;
use crate::error::AppError;
use crate::events::RowsError;
use crate::member::Member;

/// The latest checkpoint of a complex's log.
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointView {
    /// The signed note (C2SP tlog-checkpoint).
    pub note: String,
    /// Tree size.
    pub size: u64,
    /// Root hash, base64.
    pub root: String,
    /// The verifier key (`name+hash+key`) to check the note with.
    pub verifier_key: String,
}

/// One ledger entry.
#[derive(Clone, Debug, Serialize)]
pub struct EntryView {
    /// Index.
    pub index: i64,
    /// Event name.
    pub event: String,
    /// Canonical payload (the leaf is SHA-256 of 0x00 followed by these bytes).
    pub payload: String,
    /// Leaf hash, base64.
    pub leaf_hash: String,
    /// The row images kept beside the entry, in the payload's row order: each the exact text
    /// whose SHA-256 (hex) the payload names, `null` for a deletion. Absent for version 1
    /// payloads, which carry their images inline, and when the kept images no longer match.
    pub images: Option<Vec<Option<String>>>,
    /// Whether the images kept beside the entry still hash to what its payload names (absent for
    /// version 1 payloads).
    pub images_intact: Option<bool>,
}

/// An inclusion proof.
#[derive(Clone, Debug, Serialize)]
pub struct InclusionView {
    /// Leaf index.
    pub index: u64,
    /// Tree size the proof is for.
    pub size: u64,
    /// Leaf hash, base64.
    pub leaf_hash: String,
    /// Proof hashes, base64, leaf to root.
    pub proof: Vec<String>,
    /// Root at `size`, base64.
    pub root: String,
}

/// A consistency proof.
#[derive(Clone, Debug, Serialize)]
pub struct ConsistencyView {
    /// Older size.
    pub old_size: u64,
    /// Newer size.
    pub new_size: u64,
    /// Proof hashes, base64.
    pub proof: Vec<String>,
    /// Root at the older size, base64.
    pub old_root: String,
    /// Root at the newer size, base64.
    pub new_root: String,
}

fn bad_range(what: &str) -> AppError {
    AppError::invalid(
        "bad_proof_range",
        format!("증명 범위가 올바르지 않습니다: {what}"),
        format!("invalid proof range: {what}"),
    )
}

impl App {
    /// The latest signed checkpoint.
    pub async fn checkpoint(&self, member: &Member) -> Result<CheckpointView, AppError> {
        let mut r = self.db().reader().await?;
        let head = ledger::read_head(r.conn(), &member.complex.to_string())
            .await?
            .ok_or_else(crate::member::complex_not_found)?;
        Ok(CheckpointView {
            note: head.checkpoint.clone(),
            size: head.size(),
            root: head.frontier.root().to_base64(),
            verifier_key: self.keys().verifier(member.complex).vkey(),
        })
    }

    /// One entry.
    pub async fn ledger_entry(&self, member: &Member, index: u64) -> Result<EntryView, AppError> {
        let mut r = self.db().reader().await?;
        let e = ledger::entry(r.conn(), &member.complex.to_string(), index)
            .await?
            .ok_or_else(|| AppError::not_found("entry_not_found", "원장 항목", "ledger entry"))?;
        let leaf = Hash::from_slice(&e.leaf_hash).map_err(AppError::internal)?;
        let (images, images_intact) =
            match crate::events::recorded_rows(&e.payload, e.images.as_deref()) {
                Ok(rows) if e.images.is_some() => (
                    Some(rows.into_iter().map(|r| r.image).collect()),
                    Some(true),
                ),
                Ok(_) | Err(RowsError::Malformed(_)) => (None, None),
                Err(RowsError::ImagesAltered | RowsError::ImagesMissing) => (None, Some(false)),
            };
        Ok(EntryView {
            index: e.idx,
            event: e.event,
            payload: e.payload,
            leaf_hash: leaf.to_base64(),
            images,
            images_intact,
        })
    }

    async fn root_at(
        &self,
        conn: malgeun_store::db::Conn<'_>,
        complex: ComplexId,
        size: u64,
    ) -> Result<Hash, AppError> {
        if size == 0 {
            return Ok(malgeun_ledger::empty_root());
        }
        let ids = malgeun_ledger::range_nodes(0, size).map_err(|e| bad_range(&e.to_string()))?;
        let mut nodes = ledger::fetch_nodes(conn, &complex.to_string(), &ids).await?;
        malgeun_ledger::range_root(0, size, &mut nodes)
            .map_err(|e| AppError::internal(format!("{e:?}")))
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries (default: current).
    pub async fn inclusion(
        &self,
        member: &Member,
        index: u64,
        size: Option<u64>,
    ) -> Result<InclusionView, AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let mut r = self.db().reader().await?;
        let head = ledger::read_head(r.conn(), &cid)
            .await?
            .ok_or_else(crate::member::complex_not_found)?;
        let size = size.unwrap_or(head.size());
        if size > head.size() || index >= size {
            return Err(bad_range(&format!(
                "index {index}, size {size}, log size {}",
                head.size()
            )));
        }
        let ids = inclusion_proof_nodes(index, size).map_err(|e| bad_range(&e.to_string()))?;
        let mut leaf_ids = ids.clone();
        leaf_ids.push(malgeun_ledger::NodeId::leaf(index));
        let mut nodes = ledger::fetch_nodes(r.conn(), &cid, &leaf_ids).await?;
        let leaf = nodes[&malgeun_ledger::NodeId::leaf(index)];
        let proof = inclusion_proof(index, size, &mut nodes)
            .map_err(|e| AppError::internal(format!("{e:?}")))?;
        let root = self.root_at(r.conn(), complex, size).await?;
        Ok(InclusionView {
            index,
            size,
            leaf_hash: leaf.to_base64(),
            proof: proof.iter().map(Hash::to_base64).collect(),
            root: root.to_base64(),
        })
    }

    /// The consistency proof between two sizes of the log.
    pub async fn consistency(
        &self,
        member: &Member,
        old_size: u64,
        new_size: Option<u64>,
    ) -> Result<ConsistencyView, AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let mut r = self.db().reader().await?;
        let head = ledger::read_head(r.conn(), &cid)
            .await?
            .ok_or_else(crate::member::complex_not_found)?;
        let new_size = new_size.unwrap_or(head.size());
        if new_size > head.size() || old_size == 0 || old_size > new_size {
            return Err(bad_range(&format!(
                "{old_size}..{new_size} of {}",
                head.size()
            )));
        }
        let ids =
            consistency_proof_nodes(old_size, new_size).map_err(|e| bad_range(&e.to_string()))?;
        let mut nodes = ledger::fetch_nodes(r.conn(), &cid, &ids).await?;
        let proof = consistency_proof(old_size, new_size, &mut nodes)
            .map_err(|e| AppError::internal(format!("{e:?}")))?;
        let old_root = self.root_at(r.conn(), complex, old_size).await?;
        let new_root = self.root_at(r.conn(), complex, new_size).await?;
        Ok(ConsistencyView {
            old_size,
            new_size,
            proof: proof.iter().map(Hash::to_base64).collect(),
            old_root: old_root.to_base64(),
            new_root: new_root.to_base64(),
        })
    }
}
