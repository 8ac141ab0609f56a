//! Reads of documents, versions, attachments and approvals; the derived inbox tables; registration
//! serials; the catalogue versions a complex uses.

use crate::db::{Conn, Tx};
use crate::error::StoreError;

db_row! {
    /// A document's current state.
    #[derive(Clone, Debug)]
    pub struct DocumentRow {
        /// Complex.
        pub complex_id: String,
        /// Id.
        pub id: String,
        /// Kind code.
        pub kind_code: String,
        /// Catalogue version drafted on.
        pub kind_version: i64,
        /// Drafting position.
        pub drafter_position_id: String,
        /// Drafting person.
        pub drafter_person_id: String,
        /// Current title.
        pub title: String,
        /// Status code.
        pub status: String,
        /// Current version number.
        pub current_version: i64,
        /// Content hash of the current version.
        pub content_sha256: String,
        /// Registration number once registered.
        pub registration_number: Option<String>,
        /// Registration year.
        pub registration_year: Option<i64>,
        /// Registration serial.
        pub registration_serial: Option<i64>,
        /// Registration time.
        pub registered_at: Option<i64>,
        /// The registered document this one corrects.
        pub corrects_id: Option<String>,
        /// Sender of a received document (공문 접수).
        pub received_from: Option<String>,
        /// Created.
        pub created_at: i64,
        /// Last change.
        pub updated_at: i64,
    }
}

db_row! {
    /// A version of a document.
    #[derive(Clone, Debug)]
    pub struct VersionRow {
        /// Version number.
        pub version: i64,
        /// Title.
        pub title: String,
        /// Body.
        pub body: String,
        /// Canonical form JSON.
        pub form_json: String,
        /// The approval line as JSON.
        pub line_json: String,
        /// Content hash.
        pub content_sha256: String,
        /// Person who wrote it.
        pub created_by: String,
        /// Written.
        pub created_at: i64,
        /// Submitted (상신).
        pub submitted_at: Option<i64>,
    }
}

db_row! {
    /// An attachment.
    #[derive(Clone, Debug)]
    pub struct AttachmentRow {
        /// Version it belongs to.
        pub version: i64,
        /// Order.
        pub ordinal: i64,
        /// File name.
        pub name: String,
        /// Bytes.
        pub size: i64,
        /// SHA-256 hex.
        pub sha256: String,
        /// Media type.
        pub media_type: String,
    }
}

db_row! {
    /// An approval act.
    #[derive(Clone, Debug)]
    pub struct ApprovalRow {
        /// Version acted on.
        pub version: i64,
        /// Sequence in the version's round.
        pub seq: i64,
        /// Step index in the line.
        pub step: i64,
        /// Line member acted for.
        pub position_id: String,
        /// Person who acted.
        pub person_id: String,
        /// Name of the person who acted.
        pub person_name: String,
        /// A deputy acted (대결).
        pub proxy: bool,
        /// Decision code.
        pub decision: String,
        /// Reason or comment.
        pub comment: Option<String>,
        /// The content hash approved.
        pub content_sha256: String,
        /// When.
        pub at: i64,
        /// Ledger entry index.
        pub ledger_index: i64,
    }
}

/// A document.
pub async fn document(
    conn: Conn<'_>,
    complex_id: &str,
    id: &str,
) -> Result<Option<DocumentRow>, StoreError> {
    fetch_as!(
        conn,
        DocumentRow,
        fetch_optional,
        "SELECT complex_id, id, kind_code, kind_version, drafter_position_id, drafter_person_id, title, status, \
         current_version, content_sha256, registration_number, registration_year, registration_serial, \
         registered_at, corrects_id, received_from, created_at, updated_at \
         FROM documents WHERE complex_id = $1 AND id = $2",
        complex_id,
        id
    )
}

/// A version.
pub async fn version(
    conn: Conn<'_>,
    complex_id: &str,
    document_id: &str,
    version: i64,
) -> Result<Option<VersionRow>, StoreError> {
    fetch_as!(
        conn,
        VersionRow,
        fetch_optional,
        "SELECT version, title, body, form_json, line_json, content_sha256, created_by, created_at, submitted_at \
         FROM document_versions WHERE complex_id = $1 AND document_id = $2 AND version = $3",
        complex_id,
        document_id,
        version
    )
}

/// All versions' summaries (no bodies), oldest first.
pub async fn versions(
    conn: Conn<'_>,
    complex_id: &str,
    document_id: &str,
) -> Result<Vec<VersionRow>, StoreError> {
    fetch_as!(
        conn,
        VersionRow,
        fetch_all,
        "SELECT version, title, '' AS body, '' AS form_json, line_json, content_sha256, created_by, created_at, submitted_at \
         FROM document_versions WHERE complex_id = $1 AND document_id = $2 ORDER BY version",
        complex_id,
        document_id
    )
}

/// Attachments of one version, in order.
pub async fn attachments(
    conn: Conn<'_>,
    complex_id: &str,
    document_id: &str,
    version: i64,
) -> Result<Vec<AttachmentRow>, StoreError> {
    fetch_as!(
        conn,
        AttachmentRow,
        fetch_all,
        "SELECT version, ordinal, name, size, sha256, media_type FROM attachments \
         WHERE complex_id = $1 AND document_id = $2 AND version = $3 ORDER BY ordinal",
        complex_id,
        document_id,
        version
    )
}

/// Every distinct attachment hash of a complex (for blob verification).
pub async fn attachment_hashes(
    conn: Conn<'_>,
    complex_id: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    fetch_as!(
        conn,
        (String, i64),
        fetch_all,
        "SELECT sha256, MAX(size) FROM attachments WHERE complex_id = $1 GROUP BY sha256 ORDER BY sha256",
        complex_id
    )
}

/// Approval acts on a document; `version = None` for all versions.
pub async fn approvals(
    conn: Conn<'_>,
    complex_id: &str,
    document_id: &str,
    version: Option<i64>,
) -> Result<Vec<ApprovalRow>, StoreError> {
    fetch_as!(
        conn,
        ApprovalRow,
        fetch_all,
        "SELECT a.version, a.seq, a.step, a.position_id, a.person_id, pe.name AS person_name, a.proxy, a.decision, \
         a.comment, a.content_sha256, a.at, a.ledger_index FROM approvals a JOIN persons pe ON pe.id = a.person_id \
         WHERE a.complex_id = $1 AND a.document_id = $2 AND ($3 IS NULL OR a.version = $3) ORDER BY a.version, a.seq",
        complex_id,
        document_id,
        version
    )
}

/// Takes the next registration serial of a complex and year. Runs inside the registering
/// transaction after the complex's ledger head is locked, so serials are gapless: a rolled-back
/// registration gives its number back.
pub async fn next_serial(tx: &mut Tx, complex_id: &str, year: i64) -> Result<i64, StoreError> {
    fetch_scalar!(
        tx.conn(),
        i64,
        fetch_one,
        "INSERT INTO registration_counters (complex_id, year, last_serial) VALUES ($1, $2, 1) \
         ON CONFLICT (complex_id, year) DO UPDATE SET last_serial = registration_counters.last_serial + 1 \
         RETURNING last_serial",
        complex_id,
        year
    )
}

/// Replaces the derived inbox rows of a document: who must act now and, when `line` is given, who
/// is on its line.
pub async fn set_inbox(
    tx: &mut Tx,
    complex_id: &str,
    document_id: &str,
    waiting: &[String],
    line: Option<&[(String, &'static str)]>,
) -> Result<(), StoreError> {
    exec!(
        tx.conn(),
        "DELETE FROM document_waiting WHERE complex_id = $1 AND document_id = $2",
        complex_id,
        document_id
    )?;
    for p in waiting {
        exec!(
            tx.conn(),
            "INSERT INTO document_waiting (complex_id, position_id, document_id) VALUES ($1, $2, $3)",
            complex_id,
            p.as_str(),
            document_id
        )?;
    }
    let Some(line) = line else {
        return Ok(());
    };
    exec!(
        tx.conn(),
        "DELETE FROM document_line_members WHERE complex_id = $1 AND document_id = $2",
        complex_id,
        document_id
    )?;
    for (p, kind) in line {
        exec!(
            tx.conn(),
            "INSERT INTO document_line_members (complex_id, position_id, document_id, step_kind) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (complex_id, position_id, document_id) DO NOTHING",
            complex_id,
            p.as_str(),
            document_id,
            *kind
        )?;
    }
    Ok(())
}

/// The inbox tabs (결재함).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// 결재대기: waiting on one of my positions or on a position I deputise for.
    Waiting,
    /// 진행: in approval, mine or with me on the line, not waiting on me.
    InProgress,
    /// 완료: registered, mine or with me on the line.
    Done,
    /// 반려: rejected, mine or with me on the line.
    Rejected,
    /// 참조: I am informed (참조/공람).
    Reference,
    /// 임시저장: my drafts and withdrawn documents.
    Drafts,
}

impl Tab {
    /// Every tab in display order.
    pub const ALL: [Tab; 6] = [
        Tab::Waiting,
        Tab::InProgress,
        Tab::Done,
        Tab::Rejected,
        Tab::Reference,
        Tab::Drafts,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Tab::Waiting => "waiting",
            Tab::InProgress => "in_progress",
            Tab::Done => "done",
            Tab::Rejected => "rejected",
            Tab::Reference => "reference",
            Tab::Drafts => "drafts",
        }
    }

    /// Korean label.
    pub fn label_ko(self) -> &'static str {
        match self {
            Tab::Waiting => "결재대기",
            Tab::InProgress => "진행",
            Tab::Done => "완료",
            Tab::Rejected => "반려",
            Tab::Reference => "참조",
            Tab::Drafts => "임시저장",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.code() == code)
    }

    fn condition(self) -> &'static str {
        // $1 complex, $2 person. MINE: positions the person holds now; DEPUTY: positions whose
        // deputy the person holds. Work follows the position, so a successor sees it at once.
        match self {
            Tab::Waiting => {
                "d.id IN (SELECT w.document_id FROM document_waiting w WHERE w.complex_id = $1 AND \
                 (w.position_id IN (SELECT MINE) OR w.position_id IN (SELECT DEPUTY)))"
            }
            Tab::InProgress => {
                "d.status = 'in_progress' AND (d.drafter_position_id IN (SELECT MINE) OR d.id IN \
                 (SELECT m.document_id FROM document_line_members m WHERE m.complex_id = $1 AND m.step_kind <> 'reference' \
                 AND m.position_id IN (SELECT MINE))) AND d.id NOT IN (SELECT w.document_id FROM document_waiting w \
                 WHERE w.complex_id = $1 AND (w.position_id IN (SELECT MINE) OR w.position_id IN (SELECT DEPUTY)))"
            }
            Tab::Done => {
                "d.status = 'registered' AND (d.drafter_position_id IN (SELECT MINE) OR d.id IN \
                 (SELECT m.document_id FROM document_line_members m WHERE m.complex_id = $1 AND m.step_kind <> 'reference' \
                 AND m.position_id IN (SELECT MINE)))"
            }
            Tab::Rejected => {
                "d.status = 'rejected' AND (d.drafter_position_id IN (SELECT MINE) OR d.id IN \
                 (SELECT m.document_id FROM document_line_members m WHERE m.complex_id = $1 \
                 AND m.position_id IN (SELECT MINE)))"
            }
            Tab::Reference => {
                "d.status IN ('in_progress', 'registered') AND d.id IN (SELECT m.document_id FROM document_line_members m \
                 WHERE m.complex_id = $1 AND m.step_kind = 'reference' AND m.position_id IN (SELECT MINE))"
            }
            Tab::Drafts => {
                "d.status IN ('draft', 'withdrawn') AND d.drafter_position_id IN (SELECT MINE)"
            }
        }
    }

    fn sql_condition(self) -> String {
        self.condition()
            .replace(
                "SELECT MINE",
                "SELECT t.position_id FROM position_terms t WHERE t.complex_id = $1 AND t.person_id = $2 AND t.ended_at IS NULL",
            )
            .replace(
                "SELECT DEPUTY",
                "SELECT p.id FROM positions p WHERE p.complex_id = $1 AND p.deputy_position_id IN \
                 (SELECT t.position_id FROM position_terms t WHERE t.complex_id = $1 AND t.person_id = $2 AND t.ended_at IS NULL)",
            )
    }
}

db_row! {
    /// A row of a document list.
    #[derive(Clone, Debug)]
    pub struct ListedDocument {
        /// Id.
        pub id: String,
        /// Kind code.
        pub kind_code: String,
        /// Title.
        pub title: String,
        /// Status code.
        pub status: String,
        /// Drafting position.
        pub drafter_position_id: String,
        /// Drafter's name.
        pub drafter_name: String,
        /// Registration number.
        pub registration_number: Option<String>,
        /// Registered.
        pub registered_at: Option<i64>,
        /// Created.
        pub created_at: i64,
        /// Last change.
        pub updated_at: i64,
    }
}

const LIST_SELECT: &str = "SELECT d.id, d.kind_code, d.title, d.status, d.drafter_position_id, pe.name AS drafter_name, \
     d.registration_number, d.registered_at, d.created_at, d.updated_at \
     FROM documents d JOIN persons pe ON pe.id = d.drafter_person_id";

/// One inbox tab for a person, newest change first.
pub async fn inbox(
    conn: Conn<'_>,
    complex_id: &str,
    person_id: &str,
    tab: Tab,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListedDocument>, StoreError> {
    let sql = format!(
        "{LIST_SELECT} WHERE d.complex_id = $1 AND {} ORDER BY d.updated_at DESC, d.id LIMIT $3 OFFSET $4",
        tab.sql_condition()
    );
    fetch_as!(
        conn,
        ListedDocument,
        fetch_all,
        &sql,
        complex_id,
        person_id,
        limit,
        offset
    )
}

/// How many documents each tab holds for a person.
pub async fn inbox_count(
    conn: Conn<'_>,
    complex_id: &str,
    person_id: &str,
    tab: Tab,
) -> Result<i64, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM documents d WHERE d.complex_id = $1 AND {}",
        tab.sql_condition()
    );
    fetch_scalar!(conn, i64, fetch_one, &sql, complex_id, person_id)
}

/// Filters of the 문서등록대장.
#[derive(Clone, Debug, Default)]
pub struct RegisterFilter {
    /// Registration year.
    pub year: Option<i64>,
    /// Kind code.
    pub kind_code: Option<String>,
}

/// The 문서등록대장: registered documents in serial order.
pub async fn register(
    conn: Conn<'_>,
    complex_id: &str,
    filter: &RegisterFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListedDocument>, StoreError> {
    let sql = format!(
        "{LIST_SELECT} WHERE d.complex_id = $1 AND d.status = 'registered' AND ($2 IS NULL OR d.registration_year = $2) \
         AND ($3 IS NULL OR d.kind_code = $3) ORDER BY d.registration_year, d.registration_serial LIMIT $4 OFFSET $5"
    );
    fetch_as!(
        conn,
        ListedDocument,
        fetch_all,
        &sql,
        complex_id,
        filter.year,
        filter.kind_code.as_deref(),
        limit,
        offset
    )
}

/// Whether any of the person's current positions (or the positions they deputise for) is on the
/// document's current line, or drafted it.
pub async fn relation(
    conn: Conn<'_>,
    complex_id: &str,
    document_id: &str,
    person_id: &str,
) -> Result<(bool, bool), StoreError> {
    fetch_as!(
        conn,
        (bool, bool),
        fetch_one,
        "SELECT \
           EXISTS (SELECT 1 FROM documents d WHERE d.complex_id = $1 AND d.id = $2 AND d.drafter_position_id IN \
             (SELECT t.position_id FROM position_terms t WHERE t.complex_id = $1 AND t.person_id = $3 AND t.ended_at IS NULL)), \
           EXISTS (SELECT 1 FROM document_line_members m WHERE m.complex_id = $1 AND m.document_id = $2 AND (m.position_id IN \
             (SELECT t.position_id FROM position_terms t WHERE t.complex_id = $1 AND t.person_id = $3 AND t.ended_at IS NULL) \
             OR m.position_id IN (SELECT p.id FROM positions p WHERE p.complex_id = $1 AND p.deputy_position_id IN \
             (SELECT t.position_id FROM position_terms t WHERE t.complex_id = $1 AND t.person_id = $3 AND t.ended_at IS NULL))))",
        complex_id,
        document_id,
        person_id
    )
}

/// A catalogue version's TOML source.
pub async fn kind_source(
    conn: Conn<'_>,
    complex_id: &str,
    code: &str,
    version: i64,
) -> Result<Option<String>, StoreError> {
    fetch_scalar!(
        conn,
        String,
        fetch_optional,
        "SELECT source FROM kinds WHERE complex_id = $1 AND code = $2 AND version = $3",
        complex_id,
        code,
        version
    )
}

/// The latest version of every kind of a complex: `(code, version, source)`.
pub async fn latest_kinds(
    conn: Conn<'_>,
    complex_id: &str,
) -> Result<Vec<(String, i64, String)>, StoreError> {
    fetch_as!(
        conn,
        (String, i64, String),
        fetch_all,
        "SELECT k.code, k.version, k.source FROM kinds k WHERE k.complex_id = $1 AND k.version = \
         (SELECT MAX(k2.version) FROM kinds k2 WHERE k2.complex_id = k.complex_id AND k2.code = k.code) ORDER BY k.code",
        complex_id
    )
}

/// The latest version of one kind of a complex: `(version, source)`.
pub async fn latest_kind(
    conn: Conn<'_>,
    complex_id: &str,
    code: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    fetch_as!(
        conn,
        (i64, String),
        fetch_optional,
        "SELECT version, source FROM kinds WHERE complex_id = $1 AND code = $2 ORDER BY version DESC LIMIT 1",
        complex_id,
        code
    )
}
