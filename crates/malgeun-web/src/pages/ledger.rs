//! 원장: the complex's latest signed checkpoint with its signature checked, and for one entry its
//! payload, its leaf hash recomputed, and its inclusion proof checked against the checkpoint's root,
//! with links to the same proofs as JSON for independent verifiers.

use axum::extract::{Path, State};
use axum::response::Response;
use malgeun_app::{App, AppError};
use malgeun_ledger::{Checkpoint, Hash, leaf_hash, verify_inclusion};
use serde::Deserialize;

use super::views::{Layout, LedgerEntryShow, LedgerPage};
use super::{PageQuery, PageResult, Visitor, enter, html};

#[derive(Deserialize, Default)]
pub(super) struct LedgerQuery {
    entry: Option<String>,
}

fn hashes(list: &[String]) -> Result<Vec<Hash>, AppError> {
    list.iter()
        .map(|h| Hash::from_base64(h).map_err(AppError::internal))
        .collect()
}

/// `GET /c/{complex}/ledger`.
pub(super) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
    PageQuery(q): PageQuery<LedgerQuery>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let cp = app.checkpoint(&member).await?;
    let signed = Checkpoint::open(&cp.note, &app.keys().verifier(member.complex))
        .is_ok_and(|c| c.size == cp.size && c.root.to_base64() == cp.root);
    let requested = q.entry.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut error = None;
    let mut entry = None;
    if let Some(text) = requested {
        match text.parse::<u64>() {
            Ok(index) if index < cp.size => {
                let e = app.ledger_entry(&member, index).await?;
                let inc = app.inclusion(&member, index, Some(cp.size)).await?;
                let leaf = Hash::from_base64(&inc.leaf_hash).map_err(AppError::internal)?;
                let root = Hash::from_base64(&cp.root).map_err(AppError::internal)?;
                let proof = hashes(&inc.proof)?;
                entry = Some(LedgerEntryShow {
                    index,
                    event: e.event,
                    leaf_matches: leaf_hash(e.payload.as_bytes()) == leaf,
                    payload: e.payload,
                    images: e
                        .images
                        .unwrap_or_default()
                        .into_iter()
                        .map(|i| i.unwrap_or_else(|| "(삭제)".to_owned()))
                        .collect(),
                    images_intact: e.images_intact,
                    leaf_hash: inc.leaf_hash,
                    included: verify_inclusion(&leaf, index, cp.size, &proof, &root).is_ok(),
                    proof: inc.proof,
                    proof_json: format!(
                        "/api/v1/complexes/{complex}/ledger/inclusion?index={index}&size={}",
                        cp.size
                    ),
                    entry_json: format!("/api/v1/complexes/{complex}/ledger/entries/{index}"),
                });
            }
            _ => {
                error = Some(format!(
                    "원장 항목 번호는 0부터 {}까지의 숫자로 입력해 주세요.",
                    cp.size.saturating_sub(1)
                ));
            }
        }
    }
    html(&LedgerPage {
        layout: Layout::with("원장", nav, "ledger"),
        action: format!("/c/{complex}/ledger"),
        note: cp.note,
        size: cp.size,
        root: cp.root,
        verifier_key: cp.verifier_key,
        signed,
        checkpoint_json: format!("/api/v1/complexes/{complex}/ledger/checkpoint"),
        requested: requested.unwrap_or_default().to_owned(),
        entry,
        error,
    })
}
