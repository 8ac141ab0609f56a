//! The pages' templates and the plain data they show. Handlers turn the app's read models into
//! these (formatted Korean text, links, flags), so a template only lays out strings and the
//! snapshot tests can render every page from fixed data.

use askama::Template;

use super::assets::{AssetUrls, URLS};

/// What every page's frame needs.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Page title (before "· 맑은").
    pub title: String,
    /// Asset URLs.
    pub assets: &'static AssetUrls,
    /// The navigation bar, for a logged-in visitor inside a complex.
    pub nav: Option<Nav>,
}

impl Layout {
    /// A frame without navigation (login, errors).
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            assets: &URLS,
            nav: None,
        }
    }

    /// A frame with navigation; `section` marks the current menu item.
    pub fn with(title: &str, mut nav: Nav, section: &'static str) -> Self {
        nav.section = section;
        Self {
            title: title.to_owned(),
            assets: &URLS,
            nav: Some(nav),
        }
    }

    /// The session's CSRF token (empty without navigation).
    pub fn csrf(&self) -> &str {
        self.nav.as_ref().map_or("", |n| n.csrf.as_str())
    }
}

/// The navigation bar.
#[derive(Clone, Debug)]
pub struct Nav {
    /// Complex id.
    pub complex_id: String,
    /// Complex name.
    pub complex_name: String,
    /// The visitor's name.
    pub user_name: String,
    /// Their positions in this complex.
    pub positions: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Whether they work in more than one complex.
    pub several_complexes: bool,
    /// Whether they administer this complex (the 관리 menu).
    pub admin: bool,
    /// Current menu item: `inbox`, `new`, `register`, `ledger`, `admin`, `search`.
    pub section: &'static str,
}

/// An option of a `<select>`.
#[derive(Clone, Debug)]
pub struct Opt {
    /// Value sent.
    pub value: String,
    /// Text shown.
    pub label: String,
    /// Selected now.
    pub selected: bool,
}

impl Opt {
    /// An option, selected when `value == current`.
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Self {
            selected: value == current,
            label: label.into(),
            value,
        }
    }
}

/// Paging links.
#[derive(Clone, Debug)]
pub struct Pager {
    /// Current page (1-based).
    pub page: i64,
    /// Number of pages (at least 1).
    pub pages: i64,
    /// Matching rows.
    pub total: i64,
    /// Link to the previous page.
    pub prev: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

impl Pager {
    /// Paging for `total` rows, `per_page` at a time, on `page`; `link(n)` builds page n's URL.
    pub fn new(total: i64, per_page: i64, page: i64, link: impl Fn(i64) -> String) -> Self {
        let pages = ((total + per_page - 1) / per_page).max(1);
        Self {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Frame.
    pub layout: Layout,
    /// HTTP status.
    pub status: u16,
    /// Korean message.
    pub message: String,
    /// Stable error code.
    pub code: String,
}

/// The login page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Frame.
    pub layout: Layout,
    /// The pre-session CSRF token.
    pub csrf: String,
    /// The login typed.
    pub login: String,
    /// What went wrong.
    pub error: Option<String>,
    /// Logged out just now.
    pub logged_out: bool,
    /// The page to return to after logging in (empty: the 결재함).
    pub next: String,
}

/// A complex to choose.
#[derive(Clone, Debug)]
pub struct ComplexLink {
    /// Link.
    pub href: String,
    /// Name.
    pub name: String,
}

/// Choosing among one's complexes.
#[derive(Template)]
#[template(path = "complexes.html")]
pub struct ComplexesPage {
    /// Frame.
    pub layout: Layout,
    /// The visitor's name.
    pub user_name: String,
    /// The CSRF token (for logout).
    pub csrf: String,
    /// Their complexes.
    pub complexes: Vec<ComplexLink>,
}

/// A 결재함 tab.
#[derive(Clone, Debug)]
pub struct TabLink {
    /// Link.
    pub href: String,
    /// Label.
    pub label: String,
    /// Documents in it.
    pub count: i64,
    /// Shown now.
    pub active: bool,
}

/// A row of a document list.
#[derive(Clone, Debug)]
pub struct ListRow {
    /// Link to the document.
    pub href: String,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind_name: String,
    /// Drafter's name.
    pub drafter: String,
    /// Status code (for styling).
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// Last change or registration time, Seoul.
    pub when: String,
    /// Registration number.
    pub number: String,
}

/// The 결재함.
#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    /// Frame.
    pub layout: Layout,
    /// The form's target.
    pub action: String,
    /// Tabs.
    pub tabs: Vec<TabLink>,
    /// The tab shown (code).
    pub tab: String,
    /// Its label.
    pub tab_label: String,
    /// Title filter.
    pub q: String,
    /// Orders.
    pub sorts: Vec<Opt>,
    /// Rows.
    pub rows: Vec<ListRow>,
    /// Paging.
    pub pager: Pager,
}

/// One box of the 결재란.
#[derive(Clone, Debug)]
pub struct StampBox {
    /// 기안, 검토, 협조, 결재.
    pub step: String,
    /// Position title.
    pub title: String,
    /// Who acted, or the holder.
    pub name: String,
    /// The stamp (승인, 반려, 전결, 대결, 후결, 보류), if acted.
    pub stamp: Option<String>,
    /// CSS modifier: `ok`, `no`, `hold`, `wait`, `now`.
    pub class: String,
    /// When, Seoul.
    pub at: String,
}

/// A form value as the document shows it.
#[derive(Clone, Debug)]
pub struct FieldShow {
    /// Label.
    pub label: String,
    /// Text for scalar fields.
    pub value: String,
    /// Rows for table fields.
    pub table: Option<TableShow>,
}

/// A cell of a table field.
#[derive(Clone, Debug)]
pub struct ShowCell {
    /// Text.
    pub text: String,
    /// A number (right-aligned).
    pub num: bool,
}

/// A table field.
#[derive(Clone, Debug)]
pub struct TableShow {
    /// Column labels.
    pub headers: Vec<String>,
    /// Cells.
    pub rows: Vec<Vec<ShowCell>>,
    /// The total row (empty cells except under the total column), when the table has a total.
    pub total: Option<Vec<ShowCell>>,
}

/// An attachment.
#[derive(Clone, Debug)]
pub struct AttachmentShow {
    /// Download link.
    pub href: String,
    /// Inline link for the preview.
    pub preview_href: String,
    /// How to preview it: `image`, `pdf`, or empty (no preview).
    pub preview: String,
    /// File name.
    pub name: String,
    /// Size, human readable.
    pub size: String,
    /// SHA-256 hex.
    pub sha256: String,
    /// Whether its text was read for search: 추출 대기, 추출 중, 추출 완료, 추출 실패 (empty
    /// when unknown).
    pub extraction: String,
    /// `queued`, `running`, `done` or `failed` (a style hook).
    pub extraction_state: String,
    /// Why extraction failed (Korean; empty otherwise).
    pub extraction_reason: String,
}

/// An entry of the history timeline.
#[derive(Clone, Debug)]
pub struct HistoryShow {
    /// When, Seoul.
    pub at: String,
    /// What.
    pub label: String,
    /// Who, in which position.
    pub who: String,
    /// Comment or reason.
    pub comment: Option<String>,
    /// Ledger index.
    pub ledger_index: i64,
}

/// A button of the approval form.
#[derive(Clone, Debug)]
pub struct ActionButton {
    /// Action code sent.
    pub code: String,
    /// Label.
    pub label: String,
    /// CSS modifier: `primary`, `danger`, `plain`.
    pub class: String,
    /// Whether the comment dialog asks for a reason: `required` or `optional`.
    pub reason: &'static str,
}

/// The document view (기안문).
#[derive(Template)]
#[template(path = "document.html")]
pub struct DocumentPage {
    /// Frame.
    pub layout: Layout,
    /// Complex name (the issuing body).
    pub complex_name: String,
    /// Kind name.
    pub kind_name: String,
    /// Title.
    pub title: String,
    /// Status code.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// Registration number, or empty.
    pub number: String,
    /// Registered, Seoul, or empty.
    pub registered: String,
    /// Drafter's position title and name.
    pub drafter: String,
    /// Drafted, Seoul.
    pub created: String,
    /// Version.
    pub version: i64,
    /// Content hash.
    pub content_sha256: String,
    /// Retention label.
    pub retention: String,
    /// Disclosure label.
    pub disclosure: String,
    /// Body text.
    pub body: String,
    /// The 결재란.
    pub stamps: Vec<StampBox>,
    /// 참조.
    pub references: Vec<String>,
    /// Form values.
    pub fields: Vec<FieldShow>,
    /// Attachments.
    pub attachments: Vec<AttachmentShow>,
    /// History.
    pub history: Vec<HistoryShow>,
    /// Approval buttons.
    pub actions: Vec<ActionButton>,
    /// Where the action form posts.
    pub act_url: String,
    /// The complex's 원장 page (history entries link to their proofs there).
    pub ledger_url: String,
    /// Edit link, when the visitor may edit.
    pub edit_url: Option<String>,
    /// The drafter may submit (상신).
    pub can_submit: bool,
    /// The drafter may withdraw (회수).
    pub can_withdraw: bool,
    /// The drafter may revise (재기안).
    pub can_revise: bool,
    /// The comment typed (kept after an error).
    pub comment: String,
    /// What went wrong with the last action.
    pub error: Option<String>,
    /// What the last action did.
    pub notice: Option<String>,
}

/// A kind to draft.
#[derive(Clone, Debug)]
pub struct KindLink {
    /// Link to its form.
    pub href: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// A category of kinds.
#[derive(Clone, Debug)]
pub struct KindGroup {
    /// Category name.
    pub category: String,
    /// Kinds.
    pub kinds: Vec<KindLink>,
}

/// Choosing a kind to draft.
#[derive(Template)]
#[template(path = "kinds.html")]
pub struct KindsPage {
    /// Frame.
    pub layout: Layout,
    /// Kinds by category.
    pub groups: Vec<KindGroup>,
}

/// A cell of a table field on the form.
#[derive(Clone, Debug)]
pub struct FormCell {
    /// Input name.
    pub name: String,
    /// Column label (for screen readers).
    pub label: String,
    /// Input kind: `text`, `date`, `money`, `integer`, `choice`, `multiline`.
    pub input: String,
    /// Value typed.
    pub value: String,
    /// Options of a choice column.
    pub options: Vec<Opt>,
    /// This column is the table's total column.
    pub summed: bool,
    /// Error.
    pub error: Option<String>,
}

/// A table field on the form.
#[derive(Clone, Debug)]
pub struct FormTable {
    /// Column labels with a required mark.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<FormCell>>,
    /// The total as typed rows add up (filled by the script as rows change), formatted.
    pub total: String,
    /// Has a total column.
    pub has_total: bool,
}

/// A field on the form.
#[derive(Clone, Debug)]
pub struct FormField {
    /// Input id and name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Hint.
    pub help: String,
    /// Required.
    pub required: bool,
    /// Input kind: `text`, `multiline`, `date`, `money`, `integer`, `choice`, `table`.
    pub input: String,
    /// Value typed.
    pub value: String,
    /// Options of a choice.
    pub options: Vec<Opt>,
    /// The table, for a table field.
    pub table: Option<FormTable>,
    /// Errors for this field (and its cells, for a table).
    pub errors: Vec<String>,
}

/// A row of the 결재선 editor.
#[derive(Clone, Debug)]
pub struct LineRow {
    /// Row index in the form.
    pub index: usize,
    /// Order typed (rows with the same order form one parallel step).
    pub order: String,
    /// Step kinds with the current one selected (an empty value removes the row).
    pub kinds: Vec<Opt>,
    /// Positions with the current one selected.
    pub positions: Vec<Opt>,
}

/// An attachment already on the draft.
#[derive(Clone, Debug)]
pub struct ExistingAttachment {
    /// Ordinal (for removal).
    pub ordinal: i64,
    /// Name.
    pub name: String,
    /// Size, human readable.
    pub size: String,
}

/// A file uploaded with a form that was sent back for correction: kept by its hash.
#[derive(Clone, Debug)]
pub struct CarriedFile {
    /// Index in the form.
    pub index: usize,
    /// SHA-256 hex.
    pub sha256: String,
    /// Name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Size, human readable.
    pub size: String,
    /// Size in bytes.
    pub bytes: i64,
}

/// The 기안 form (new or editing a draft).
#[derive(Template)]
#[template(path = "draft.html")]
pub struct DraftPage {
    /// Frame.
    pub layout: Layout,
    /// Where the form posts.
    pub action: String,
    /// Kind name.
    pub kind_name: String,
    /// Kind description.
    pub description: String,
    /// Editing an existing draft.
    pub editing: bool,
    /// Title typed.
    pub title: String,
    /// Body typed.
    pub body: String,
    /// Form fields.
    pub fields: Vec<FormField>,
    /// The 결재선 rows.
    pub line: Vec<LineRow>,
    /// The kind lets the drafter change the line.
    pub line_editable: bool,
    /// The line as text, when it may not be changed.
    pub line_fixed: Vec<String>,
    /// Attachments already on the draft.
    pub existing: Vec<ExistingAttachment>,
    /// Files uploaded with a returned form.
    pub carried: Vec<CarriedFile>,
    /// The form was refused.
    pub has_errors: bool,
    /// Errors not tied to one field.
    pub errors: Vec<String>,
    /// Title error.
    pub title_error: Option<String>,
}

/// A row of the 문서등록대장.
#[derive(Clone, Debug)]
pub struct RegisterRow {
    /// Registration number.
    pub number: String,
    /// Registered, Seoul.
    pub registered: String,
    /// Title.
    pub title: String,
    /// Link.
    pub href: String,
    /// Kind name.
    pub kind_name: String,
    /// Drafter's name.
    pub drafter: String,
}

/// The 문서등록대장.
#[derive(Template)]
#[template(path = "register.html")]
pub struct RegisterPage {
    /// Frame.
    pub layout: Layout,
    /// The form's target.
    pub action: String,
    /// Years.
    pub years: Vec<Opt>,
    /// Kinds.
    pub kinds: Vec<Opt>,
    /// Drafting positions.
    pub positions: Vec<Opt>,
    /// From date typed.
    pub from: String,
    /// To date typed.
    pub to: String,
    /// Rows.
    pub rows: Vec<RegisterRow>,
    /// Paging.
    pub pager: Pager,
    /// The CSV export of the same filter.
    pub csv_href: String,
    /// The Excel (XLSX) export of the same filter.
    pub xlsx_href: String,
    /// A filter error.
    pub error: Option<String>,
}

/// One ledger entry with its proof checked.
#[derive(Clone, Debug)]
pub struct LedgerEntryShow {
    /// Index.
    pub index: u64,
    /// Event name.
    pub event: String,
    /// Canonical payload.
    pub payload: String,
    /// Leaf hash, base64.
    pub leaf_hash: String,
    /// The leaf hash recomputed from the payload matches.
    pub leaf_matches: bool,
    /// The row images kept beside the entry, when they still match the hashes the payload names.
    pub images: Vec<String>,
    /// Whether the kept images match (`None` for version 1 payloads, which hold them inline).
    pub images_intact: Option<bool>,
    /// Proof hashes, base64.
    pub proof: Vec<String>,
    /// The proof leads to the checkpoint's root.
    pub included: bool,
    /// The proof as JSON.
    pub proof_json: String,
    /// The entry as JSON.
    pub entry_json: String,
}

/// 원장: the checkpoint and one entry.
#[derive(Template)]
#[template(path = "ledger.html")]
pub struct LedgerPage {
    /// Frame.
    pub layout: Layout,
    /// The form's target.
    pub action: String,
    /// The signed note.
    pub note: String,
    /// Tree size.
    pub size: u64,
    /// Root, base64.
    pub root: String,
    /// Verifier key.
    pub verifier_key: String,
    /// The signature and the note's size and root check out.
    pub signed: bool,
    /// The checkpoint as JSON.
    pub checkpoint_json: String,
    /// The entry number typed.
    pub requested: String,
    /// The entry asked for.
    pub entry: Option<LedgerEntryShow>,
    /// A bad entry number.
    pub error: Option<String>,
}

/// A position on the 관리 page.
#[derive(Clone, Debug)]
pub struct PositionRowShow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Role label.
    pub role: String,
    /// Holder's name, or 공석.
    pub holder: String,
    /// May administer the complex.
    pub admin: bool,
    /// Deputy choices with the current one selected.
    pub deputies: Vec<Opt>,
}

/// A kind's approval line on the 관리 page.
#[derive(Clone, Debug)]
pub struct KindLineShow {
    /// The line editor of the kind.
    pub href: String,
    /// Where the line comes from: 표준, 단지 재정의 (the complex changed a standard line) or 단지
    /// 문서 (a kind the complex made).
    pub origin: String,
    /// Kind name.
    pub name: String,
    /// Category.
    pub category: String,
    /// The default line as text.
    pub line: String,
    /// The drafter may change it.
    pub editable: bool,
    /// Catalogue version.
    pub version: u32,
}

/// 관리.
#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    /// Frame.
    pub layout: Layout,
    /// Where the forms post.
    pub base: String,
    /// Positions.
    pub positions: Vec<PositionRowShow>,
    /// Roles for a new position.
    pub roles: Vec<Opt>,
    /// The catalogue's lines.
    pub kinds: Vec<KindLineShow>,
    /// What the last action did.
    pub notice: Option<String>,
    /// Why it was refused.
    pub error: Option<String>,
}

/// A checkbox.
#[derive(Clone, Debug)]
pub struct Check {
    /// Value sent when checked.
    pub value: String,
    /// Text shown.
    pub label: String,
    /// Checked now.
    pub checked: bool,
}

/// A row of the default-line editor on the 관리 page.
#[derive(Clone, Debug)]
pub struct RoleLineRow {
    /// Row index in the form.
    pub index: usize,
    /// Order typed (rows with the same order and kind form one parallel step).
    pub order: String,
    /// Step kinds with the current one selected (an empty value removes the row).
    pub kinds: Vec<Opt>,
    /// Roles (with the positions holding them) with the current one selected.
    pub roles: Vec<Opt>,
}

/// 관리 · 기본 결재선: one kind's default line, editable.
#[derive(Template)]
#[template(path = "kind_line.html")]
pub struct KindLinePage {
    /// Frame.
    pub layout: Layout,
    /// Where the form posts.
    pub action: String,
    /// The 관리 page.
    pub admin_url: String,
    /// Kind name.
    pub kind_name: String,
    /// Its latest version.
    pub version: u32,
    /// The stored line as text.
    pub current: String,
    /// The standard catalogue's line as text (none for the complex's own kinds).
    pub standard: Option<String>,
    /// The stored line differs from the standard one.
    pub overridden: bool,
    /// The editor's rows.
    pub rows: Vec<RoleLineRow>,
    /// Roles that may hold the 결재 step.
    pub final_roles: Vec<Check>,
    /// Drafters may change the line.
    pub editable: bool,
    /// What the last action did.
    pub notice: Option<String>,
    /// Why it was refused.
    pub error: Option<String>,
}

/// Formats an amount with thousands separators: `1,234,000`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size in bytes as people read it: `812 B`, `4.2 KB`, `1.3 MB`.
pub fn human_size(bytes: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    }
}

/// An RFC 3339 time as Seoul local `YYYY-MM-DD HH:MM`.
pub fn seoul(rfc3339: &str) -> String {
    malgeun_domain::Timestamp::parse_rfc3339(rfc3339)
        .map_or_else(|| rfc3339.to_owned(), |t| t.seoul_display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(812), "812 B");
        assert_eq!(human_size(4300), "4.2 KB");
        assert_eq!(human_size(1_363_149), "1.3 MB");
    }
}

/// One hit of 문서 검색.
#[derive(Clone, Debug)]
pub struct SearchHitRow {
    /// Link to the document.
    pub href: String,
    /// Title as HTML with the matches marked (escaped by the search index).
    pub title_html: String,
    /// A matching passage as HTML with the matches marked (escaped), or empty.
    pub snippet_html: String,
    /// Kind name.
    pub kind_name: String,
    /// Korean status label.
    pub status_label: &'static str,
    /// Registration number, or empty.
    pub registration_number: String,
    /// Drafting position and drafter.
    pub drafter: String,
    /// The document's date in Seoul.
    pub date: String,
}

/// 문서 검색: the search form with its filters, and a page of hits.
#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    /// Frame.
    pub layout: Layout,
    /// The form's target.
    pub action: String,
    /// The words searched.
    pub q: String,
    /// Kinds.
    pub kinds: Vec<Opt>,
    /// Statuses.
    pub statuses: Vec<Opt>,
    /// Years.
    pub years: Vec<Opt>,
    /// From date typed.
    pub from: String,
    /// To date typed.
    pub to: String,
    /// Orders.
    pub sorts: Vec<Opt>,
    /// Hits.
    pub hits: Vec<SearchHitRow>,
    /// Paging.
    pub pager: Pager,
    /// A query error.
    pub error: Option<String>,
}
