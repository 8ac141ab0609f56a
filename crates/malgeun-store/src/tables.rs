//! The ledgered tables and their columns, in image order. The migrations must match (a test checks).

use crate::image::ColType::{Bool, Int, Secret, Text};
use crate::image::TableSpec;

/// 단지.
pub static COMPLEXES: TableSpec = TableSpec {
    name: "complexes",
    keys: &["id"],
    columns: &[
        ("id", Text),
        ("name", Text),
        ("short_name", Text),
        ("households", Int),
        ("created_at", Int),
    ],
};

/// 직위.
pub static POSITIONS: TableSpec = TableSpec {
    name: "positions",
    keys: &["complex_id", "id"],
    columns: &[
        ("complex_id", Text),
        ("id", Text),
        ("title", Text),
        ("role", Text),
        ("is_admin", Bool),
        ("deputy_position_id", Text),
        ("active", Bool),
        ("created_at", Int),
    ],
};

/// Who held a position when (재임 기간): the history that makes 인수인계 traceable.
pub static POSITION_TERMS: TableSpec = TableSpec {
    name: "position_terms",
    keys: &["complex_id", "position_id", "seq"],
    columns: &[
        ("complex_id", Text),
        ("position_id", Text),
        ("seq", Int),
        ("person_id", Text),
        ("started_at", Int),
        ("ended_at", Int),
    ],
};

/// Catalogue versions a complex uses (standard or its own).
pub static KINDS: TableSpec = TableSpec {
    name: "kinds",
    keys: &["complex_id", "code", "version"],
    columns: &[
        ("complex_id", Text),
        ("code", Text),
        ("version", Int),
        ("name", Text),
        ("origin", Text),
        ("source", Secret),
        ("created_at", Int),
    ],
};

/// Documents (current state).
pub static DOCUMENTS: TableSpec = TableSpec {
    name: "documents",
    keys: &["complex_id", "id"],
    columns: &[
        ("complex_id", Text),
        ("id", Text),
        ("kind_code", Text),
        ("kind_version", Int),
        ("drafter_position_id", Text),
        ("drafter_person_id", Text),
        ("title", Secret),
        ("status", Text),
        ("current_version", Int),
        ("content_sha256", Text),
        ("registration_number", Text),
        ("registration_year", Int),
        ("registration_serial", Int),
        ("registered_at", Int),
        ("corrects_id", Text),
        ("received_from", Secret),
        ("created_at", Int),
        ("updated_at", Int),
    ],
};

/// Document versions (one per 기안/재기안).
pub static DOCUMENT_VERSIONS: TableSpec = TableSpec {
    name: "document_versions",
    keys: &["complex_id", "document_id", "version"],
    columns: &[
        ("complex_id", Text),
        ("document_id", Text),
        ("version", Int),
        ("title", Secret),
        ("body", Secret),
        ("form_json", Secret),
        ("line_json", Text),
        ("content_sha256", Text),
        ("created_by", Text),
        ("created_at", Int),
        ("submitted_at", Int),
    ],
};

/// Attachments of a version.
pub static ATTACHMENTS: TableSpec = TableSpec {
    name: "attachments",
    keys: &["complex_id", "document_id", "version", "ordinal"],
    columns: &[
        ("complex_id", Text),
        ("document_id", Text),
        ("version", Int),
        ("ordinal", Int),
        ("name", Secret),
        ("size", Int),
        ("sha256", Text),
        ("media_type", Text),
    ],
};

/// Approval acts.
pub static APPROVALS: TableSpec = TableSpec {
    name: "approvals",
    keys: &["complex_id", "document_id", "version", "seq"],
    columns: &[
        ("complex_id", Text),
        ("document_id", Text),
        ("version", Int),
        ("seq", Int),
        ("step", Int),
        ("position_id", Text),
        ("person_id", Text),
        ("proxy", Bool),
        ("decision", Text),
        ("comment", Secret),
        ("content_sha256", Text),
        ("at", Int),
    ],
};

/// 전자화문서: the provenance of a document registered from a scanned paper original.
pub static DIGITISED_RECORDS: TableSpec = TableSpec {
    name: "digitised_records",
    keys: &["complex_id", "document_id"],
    columns: &[
        ("complex_id", Text),
        ("document_id", Text),
        ("sha256", Text),
        ("source_path", Secret),
        ("original_date", Text),
        ("scanned_by", Secret),
        ("scanned_on", Text),
        ("box_label", Secret),
        ("rule_name", Secret),
    ],
};

/// The text taken from a file of a complex (첨부파일 본문), by its SHA-256: written by the
/// extraction worker (`document.extract`), read by the search index.
pub static ATTACHMENT_TEXTS: TableSpec = TableSpec {
    name: "attachment_texts",
    keys: &["complex_id", "sha256"],
    columns: &[
        ("complex_id", Text),
        ("sha256", Text),
        ("format", Text),
        ("ocr", Bool),
        ("truncated", Bool),
        ("text", Secret),
        ("extracted_at", Int),
    ],
};

/// Every ledgered table, in the order `verify` checks them.
pub static LEDGERED: &[&TableSpec] = &[
    &COMPLEXES,
    &POSITIONS,
    &POSITION_TERMS,
    &KINDS,
    &DOCUMENTS,
    &DOCUMENT_VERSIONS,
    &ATTACHMENTS,
    &APPROVALS,
    &DIGITISED_RECORDS,
    &ATTACHMENT_TEXTS,
];

/// Looks a ledgered table up by name (when reading images back from ledger payloads).
pub fn by_name(name: &str) -> Option<&'static TableSpec> {
    LEDGERED.iter().copied().find(|t| t.name == name)
}
