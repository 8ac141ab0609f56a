//! Ledgered rows of documents, versions, attachments and approvals, built from the store's row
//! structs so that what is written and what is ledgered are the same values.

use malgeun_domain::ComplexId;
use malgeun_domain::content::Sha256Hash;
use malgeun_domain::document::{AttachmentRef, DocumentContent};
use malgeun_store::documents::{ApprovalRow, AttachmentRow, DocumentRow, VersionRow};
use malgeun_store::image::Row;
use malgeun_store::tables;

use crate::error::AppError;

pub(crate) fn document_row(d: &DocumentRow) -> Row {
    Row::new(
        &tables::DOCUMENTS,
        vec![
            ("complex_id", d.complex_id.clone().into()),
            ("id", d.id.clone().into()),
            ("kind_code", d.kind_code.clone().into()),
            ("kind_version", d.kind_version.into()),
            ("drafter_position_id", d.drafter_position_id.clone().into()),
            ("drafter_person_id", d.drafter_person_id.clone().into()),
            ("title", d.title.clone().into()),
            ("status", d.status.clone().into()),
            ("current_version", d.current_version.into()),
            ("content_sha256", d.content_sha256.clone().into()),
            ("registration_number", d.registration_number.clone().into()),
            ("registration_year", d.registration_year.into()),
            ("registration_serial", d.registration_serial.into()),
            ("registered_at", d.registered_at.into()),
            ("corrects_id", d.corrects_id.clone().into()),
            ("received_from", d.received_from.clone().into()),
            ("created_at", d.created_at.into()),
            ("updated_at", d.updated_at.into()),
        ],
    )
}

pub(crate) fn version_row(complex: ComplexId, document_id: &str, v: &VersionRow) -> Row {
    Row::new(
        &tables::DOCUMENT_VERSIONS,
        vec![
            ("complex_id", complex.to_string().into()),
            ("document_id", document_id.into()),
            ("version", v.version.into()),
            ("title", v.title.clone().into()),
            ("body", v.body.clone().into()),
            ("form_json", v.form_json.clone().into()),
            ("line_json", v.line_json.clone().into()),
            ("content_sha256", v.content_sha256.clone().into()),
            ("created_by", v.created_by.clone().into()),
            ("created_at", v.created_at.into()),
            ("submitted_at", v.submitted_at.into()),
        ],
    )
}

pub(crate) fn attachment_row(complex: ComplexId, document_id: &str, a: &AttachmentRow) -> Row {
    Row::new(
        &tables::ATTACHMENTS,
        vec![
            ("complex_id", complex.to_string().into()),
            ("document_id", document_id.into()),
            ("version", a.version.into()),
            ("ordinal", a.ordinal.into()),
            ("name", a.name.clone().into()),
            ("size", a.size.into()),
            ("sha256", a.sha256.clone().into()),
            ("media_type", a.media_type.clone().into()),
        ],
    )
}

pub(crate) fn approval_row(complex: ComplexId, document_id: &str, a: &ApprovalRow) -> Row {
    Row::new(
        &tables::APPROVALS,
        vec![
            ("complex_id", complex.to_string().into()),
            ("document_id", document_id.into()),
            ("version", a.version.into()),
            ("seq", a.seq.into()),
            ("step", a.step.into()),
            ("position_id", a.position_id.clone().into()),
            ("person_id", a.person_id.clone().into()),
            ("proxy", a.proxy.into()),
            ("decision", a.decision.clone().into()),
            ("comment", a.comment.clone().into()),
            ("content_sha256", a.content_sha256.clone().into()),
            ("at", a.at.into()),
        ],
    )
}

/// The content hash of a version with its attachments (invariant 3).
pub(crate) fn content_hash(
    kind_code: &str,
    kind_version: i64,
    v: &VersionRow,
    attachments: &[AttachmentRow],
) -> Result<String, AppError> {
    let refs = attachments
        .iter()
        .map(|a| {
            Ok(AttachmentRef {
                name: a.name.clone(),
                size: u64::try_from(a.size).map_err(AppError::internal)?,
                sha256: Sha256Hash::from_hex(&a.sha256)
                    .ok_or_else(|| AppError::internal("stored attachment hash is not hex"))?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let content = DocumentContent {
        kind_code,
        kind_version: u32::try_from(kind_version).map_err(AppError::internal)?,
        title: &v.title,
        body: &v.body,
        form_json: &v.form_json,
        attachments: &refs,
    };
    Ok(content.hash().to_hex())
}
