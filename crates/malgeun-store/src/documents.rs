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

    /// The tab's bucket in `document_tabs` (every tab but 결재대기 has one).
    fn bucket(self) -> Option<&'static str> {
        match self {
            Tab::Waiting => None,
            Tab::InProgress => Some(Bucket::Active.code()),
            Tab::Done => Some(Bucket::Done.code()),
            Tab::Rejected => Some(Bucket::Rejected.code()),
            Tab::Reference => Some(Bucket::Reference.code()),
            Tab::Drafts => Some(Bucket::Drafts.code()),
        }
    }

    /// The condition on `d` (a document of complex `$1`) for person `$2`. Work follows the
    /// position: a tab is the union over the positions the person holds now, so a successor sees
    /// it at once; 결재대기 also holds what waits on a position the person deputises for.
    fn sql_condition(self) -> String {
        let waiting = format!(
            "SELECT w.document_id FROM document_waiting w WHERE w.complex_id = $1 AND \
             (w.position_id IN ({MINE}) OR w.position_id IN ({DEPUTY}))"
        );
        match self.bucket() {
            None => format!("d.id IN ({waiting})"),
            Some(bucket) => {
                let mut c = format!(
                    "d.id IN (SELECT b.document_id FROM document_tabs b WHERE b.complex_id = $1 \
                     AND b.bucket = '{bucket}' AND b.position_id IN ({MINE}))"
                );
                if self == Tab::InProgress {
                    c.push_str(&format!(" AND d.id NOT IN ({waiting})"));
                }
                c
            }
        }
    }
}

/// The positions person `$2` holds now in complex `$1`.
const MINE: &str = "SELECT t.position_id FROM position_terms t WHERE t.complex_id = $1 AND t.person_id = $2 AND t.ended_at IS NULL";

/// The positions whose deputy person `$2` is in complex `$1`.
const DEPUTY: &str = "SELECT p.id FROM positions p WHERE p.complex_id = $1 AND p.deputy_position_id IN \
     (SELECT t.position_id FROM position_terms t WHERE t.complex_id = $1 AND t.person_id = $2 AND t.ended_at IS NULL)";

/// Where a document shows for one position (`document_tabs.bucket`), apart from 결재대기.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bucket {
    /// In approval: the drafter and the non-reference members (진행, unless it waits on them).
    Active,
    /// Registered: the drafter and the non-reference members (완료).
    Done,
    /// Rejected: the drafter and every member (반려).
    Rejected,
    /// In approval or registered, for reference members (참조).
    Reference,
    /// Draft or withdrawn, for the drafter (임시저장).
    Drafts,
}

impl Bucket {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Bucket::Active => "active",
            Bucket::Done => "done",
            Bucket::Rejected => "rejected",
            Bucket::Reference => "reference",
            Bucket::Drafts => "drafts",
        }
    }
}

/// The `document_tabs` rows of a document: for its drafting position and each member of its
/// current line (`(position, step kind code)`), the bucket its status puts it in. The same rules
/// as the backfill in migration 0002.
pub fn tab_rows(
    status: &str,
    drafter_position: &str,
    line: &[(String, &str)],
) -> Vec<(String, Bucket)> {
    let mut out = Vec::with_capacity(line.len() + 1);
    let drafter = match status {
        "in_progress" => Bucket::Active,
        "registered" => Bucket::Done,
        "rejected" => Bucket::Rejected,
        _ => Bucket::Drafts,
    };
    out.push((drafter_position.to_owned(), drafter));
    if matches!(status, "in_progress" | "registered" | "rejected") {
        for (position, kind) in line {
            let bucket = if status == "rejected" {
                Bucket::Rejected
            } else if *kind == "reference" {
                Bucket::Reference
            } else if status == "in_progress" {
                Bucket::Active
            } else {
                Bucket::Done
            };
            out.push((position.clone(), bucket));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Replaces the `document_tabs` rows of a document (see [`tab_rows`]). Called where a document's
/// status or line changes, in the same transaction.
pub async fn set_tabs(
    tx: &mut Tx,
    complex_id: &str,
    document_id: &str,
    rows: &[(String, Bucket)],
) -> Result<(), StoreError> {
    exec!(
        tx.conn(),
        "DELETE FROM document_tabs WHERE complex_id = $1 AND document_id = $2",
        complex_id,
        document_id
    )?;
    for (position, bucket) in rows {
        exec!(
            tx.conn(),
            "INSERT INTO document_tabs (complex_id, position_id, bucket, document_id) VALUES ($1, $2, $3, $4)",
            complex_id,
            position.as_str(),
            bucket.code(),
            document_id
        )?;
    }
    Ok(())
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

/// Order of a document list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// Most recently changed first.
    #[default]
    Recent,
    /// Least recently changed first.
    Oldest,
    /// By title, then id.
    Title,
}

impl ListOrder {
    fn sql(self) -> &'static str {
        match self {
            ListOrder::Recent => "d.updated_at DESC, d.id DESC",
            ListOrder::Oldest => "d.updated_at, d.id",
            ListOrder::Title => "d.title, d.id",
        }
    }
}

/// A `LIKE` pattern (escape character: backslash) that matches text containing `needle`.
pub fn contains_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// One inbox tab for a person, newest change first.
pub async fn inbox(
    conn: Conn<'_>,
    complex_id: &str,
    person_id: &str,
    tab: Tab,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListedDocument>, StoreError> {
    inbox_where(
        conn,
        complex_id,
        person_id,
        tab,
        None,
        ListOrder::Recent,
        limit,
        offset,
    )
    .await
}

/// One inbox tab for a person, only titles whose lower case matches `title_pattern` (a `LIKE`
/// pattern, see [`contains_pattern`]) when given, in `order`.
#[allow(clippy::too_many_arguments)]
pub async fn inbox_where(
    conn: Conn<'_>,
    complex_id: &str,
    person_id: &str,
    tab: Tab,
    title_pattern: Option<&str>,
    order: ListOrder,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListedDocument>, StoreError> {
    let sql = format!(
        "{LIST_SELECT} WHERE d.complex_id = $1 AND {} AND ($3 IS NULL OR lower(d.title) LIKE $3 ESCAPE '\\') \
         ORDER BY {} LIMIT $4 OFFSET $5",
        tab.sql_condition(),
        order.sql()
    );
    fetch_as!(
        conn,
        ListedDocument,
        fetch_all,
        &sql,
        complex_id,
        person_id,
        title_pattern,
        limit,
        offset
    )
}

/// How many documents a tab holds for a person, only titles matching `title_pattern` when given.
pub async fn inbox_count_where(
    conn: Conn<'_>,
    complex_id: &str,
    person_id: &str,
    tab: Tab,
    title_pattern: Option<&str>,
) -> Result<i64, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM documents d WHERE d.complex_id = $1 AND {} \
         AND ($3 IS NULL OR lower(d.title) LIKE $3 ESCAPE '\\')",
        tab.sql_condition()
    );
    fetch_scalar!(
        conn,
        i64,
        fetch_one,
        &sql,
        complex_id,
        person_id,
        title_pattern
    )
}

/// How many documents each tab holds for a person, in [`Tab::ALL`] order. Reads the index ranges
/// of the person's positions in `document_tabs` and `document_waiting` only, never the documents.
pub async fn inbox_counts(
    mut conn: Conn<'_>,
    complex_id: &str,
    person_id: &str,
) -> Result<[i64; 6], StoreError> {
    let (mine, deputy) = fetch_as!(
        conn.reborrow(),
        (i64, i64),
        fetch_one,
        &format!("SELECT (SELECT COUNT(*) FROM ({MINE}) x), (SELECT COUNT(*) FROM ({DEPUTY}) y)"),
        complex_id,
        person_id
    )?;
    // With one position and no deputy duty no document can be counted twice, and what waits on
    // the position is always in its 'active' bucket, so plain index counts suffice. Otherwise
    // the counts must be distinct and 진행 must leave out what waits on any of the positions.
    let sql = if mine == 1 && deputy == 0 {
        format!(
            "SELECT b.bucket, COUNT(*) FROM document_tabs b \
             WHERE b.complex_id = $1 AND b.position_id IN ({MINE}) GROUP BY b.bucket \
             UNION ALL SELECT 'waiting', COUNT(*) FROM document_waiting w \
             WHERE w.complex_id = $1 AND w.position_id IN ({MINE}) \
             UNION ALL SELECT 'active_waiting', COUNT(*) FROM document_waiting w \
             WHERE w.complex_id = $1 AND w.position_id IN ({MINE})"
        )
    } else {
        let waiting_set = format!(
            "SELECT w.document_id FROM document_waiting w WHERE w.complex_id = $1 AND \
             (w.position_id IN ({MINE}) OR w.position_id IN ({DEPUTY}))"
        );
        format!(
            "SELECT b.bucket, COUNT(DISTINCT b.document_id) FROM document_tabs b \
             WHERE b.complex_id = $1 AND b.position_id IN ({MINE}) GROUP BY b.bucket \
             UNION ALL SELECT 'waiting', COUNT(DISTINCT x.document_id) FROM ({waiting_set}) x \
             UNION ALL SELECT 'active_waiting', COUNT(DISTINCT b.document_id) FROM document_tabs b \
             WHERE b.complex_id = $1 AND b.bucket = 'active' AND b.position_id IN ({MINE}) \
             AND b.document_id IN ({waiting_set})"
        )
    };
    let rows = fetch_as!(
        conn.reborrow(),
        (String, i64),
        fetch_all,
        &sql,
        complex_id,
        person_id
    )?;
    let get = |code: &str| rows.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n);
    Ok([
        get("waiting"),
        get(Bucket::Active.code()) - get("active_waiting"),
        get(Bucket::Done.code()),
        get(Bucket::Rejected.code()),
        get(Bucket::Reference.code()),
        get(Bucket::Drafts.code()),
    ])
}

/// Filters of the 문서등록대장.
#[derive(Clone, Debug, Default)]
pub struct RegisterFilter {
    /// Registration year.
    pub year: Option<i64>,
    /// Kind code.
    pub kind_code: Option<String>,
    /// Drafting position.
    pub drafter_position_id: Option<String>,
    /// Registered at or after (microseconds since the epoch).
    pub registered_from: Option<i64>,
    /// Registered before (microseconds since the epoch).
    pub registered_before: Option<i64>,
}

/// Registered documents are those with a registration year (registration sets it, and nothing
/// changes a registered document afterwards): the unfiltered count then reads the registration
/// index alone.
const REGISTER_WHERE: &str = "d.complex_id = $1 AND d.registration_year IS NOT NULL AND ($2 IS NULL OR d.registration_year = $2) \
     AND ($3 IS NULL OR d.kind_code = $3) AND ($4 IS NULL OR d.drafter_position_id = $4) \
     AND ($5 IS NULL OR d.registered_at >= $5) AND ($6 IS NULL OR d.registered_at < $6)";

/// The 문서등록대장: registered documents in serial order.
pub async fn register(
    conn: Conn<'_>,
    complex_id: &str,
    filter: &RegisterFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListedDocument>, StoreError> {
    let sql = format!(
        "{LIST_SELECT} WHERE {REGISTER_WHERE} ORDER BY d.registration_year, d.registration_serial LIMIT $7 OFFSET $8"
    );
    fetch_as!(
        conn,
        ListedDocument,
        fetch_all,
        &sql,
        complex_id,
        filter.year,
        filter.kind_code.as_deref(),
        filter.drafter_position_id.as_deref(),
        filter.registered_from,
        filter.registered_before,
        limit,
        offset
    )
}

/// How many registered documents match the filter.
pub async fn register_count(
    conn: Conn<'_>,
    complex_id: &str,
    filter: &RegisterFilter,
) -> Result<i64, StoreError> {
    let sql = format!("SELECT COUNT(*) FROM documents d WHERE {REGISTER_WHERE}");
    fetch_scalar!(
        conn,
        i64,
        fetch_one,
        &sql,
        complex_id,
        filter.year,
        filter.kind_code.as_deref(),
        filter.drafter_position_id.as_deref(),
        filter.registered_from,
        filter.registered_before
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

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> Vec<(String, &'static str)> {
        vec![
            ("review".to_owned(), "review"),
            ("ref".to_owned(), "reference"),
            ("final".to_owned(), "final"),
        ]
    }

    #[test]
    fn tab_rows_follow_the_status() {
        let rows = |status| tab_rows(status, "drafter", &line());
        assert_eq!(
            tab_rows("draft", "drafter", &line()),
            vec![("drafter".to_owned(), Bucket::Drafts)]
        );
        assert_eq!(
            rows("in_progress"),
            vec![
                ("drafter".to_owned(), Bucket::Active),
                ("final".to_owned(), Bucket::Active),
                ("ref".to_owned(), Bucket::Reference),
                ("review".to_owned(), Bucket::Active),
            ]
        );
        assert!(rows("rejected").iter().all(|(_, b)| *b == Bucket::Rejected));
        assert_eq!(rows("rejected").len(), 4);
        assert_eq!(
            rows("registered")
                .iter()
                .filter(|(_, b)| *b == Bucket::Done)
                .count(),
            3
        );
        assert_eq!(
            rows("withdrawn"),
            vec![("drafter".to_owned(), Bucket::Drafts)]
        );
    }

    #[test]
    fn a_drafter_on_its_own_line_has_one_row() {
        let line = vec![("drafter".to_owned(), "final")];
        assert_eq!(tab_rows("registered", "drafter", &line).len(), 1);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("관리비"), "%관리비%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
