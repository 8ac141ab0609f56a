//! 기안, 임시저장, attachments, 상신, 회수, 재기안 and 공문 접수.

use malgeun_domain::approval::Progress;
use malgeun_domain::catalogue::{FieldValue, KindDefinition};
use malgeun_domain::content::Sha256Hash;
use malgeun_domain::document::DocumentStatus;
use malgeun_domain::registration::RegistrationNumber;
use malgeun_domain::text::{nfc, single_line};
use malgeun_domain::{ComplexId, DocumentId, PositionId};
use malgeun_store::documents::{self, AttachmentRow, DocumentRow, VersionRow};
use serde_json::Value;

use super::line::{StepInput, custom_line, default_line, line_to_json};
use super::rows::{attachment_row, content_hash, document_row, version_row};
use super::{Loaded, document_not_found};
use crate::App;
use crate::error::AppError;
use crate::events::{Change, record};
use crate::member::{Caller, Member, Position};

/// Longest title in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest body in characters.
pub const MAX_BODY_CHARS: usize = 100_000;

/// A new draft (기안).
#[derive(Clone, Debug, Default)]
pub struct DraftInput {
    /// Kind code.
    pub kind_code: String,
    /// Title.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Form input, validated against the kind.
    pub form: Value,
    /// The line; `None` takes the kind's default filled with the complex's positions.
    pub line: Option<Vec<StepInput>>,
    /// Which of the drafter's positions drafts it, when they hold several.
    pub drafter_position: Option<PositionId>,
    /// The registered document this one corrects.
    pub corrects: Option<DocumentId>,
    /// Previously uploaded blobs to attach.
    pub attachments: Vec<AttachmentSpec>,
}

/// An attachment by reference to an uploaded blob.
#[derive(Clone, Debug)]
pub struct AttachmentSpec {
    /// File name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// SHA-256 of the uploaded bytes.
    pub sha256: String,
}

/// Changes to a draft; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct DraftUpdate {
    /// New title.
    pub title: Option<String>,
    /// New body.
    pub body: Option<String>,
    /// New form input (replaces the whole form).
    pub form: Option<Value>,
    /// New line.
    pub line: Option<Vec<StepInput>>,
}

/// A received external document (공문 접수), registered on receipt.
#[derive(Clone, Debug, Default)]
pub struct ReceiveInput {
    /// Kind code (a kind marked `received`).
    pub kind_code: String,
    /// Title.
    pub title: String,
    /// Body or summary.
    pub body: String,
    /// Form input.
    pub form: Value,
    /// Uploaded scans and files.
    pub attachments: Vec<AttachmentSpec>,
}

pub(super) fn check_title(title: &str) -> Result<String, AppError> {
    single_line(title)
        .filter(|t| t.chars().count() <= MAX_TITLE_CHARS)
        .ok_or_else(|| {
            AppError::invalid(
                "invalid_title",
                format!("제목은 1자 이상 {MAX_TITLE_CHARS}자 이하의 한 줄로 입력해 주세요."),
                format!("the title must be one line of 1 to {MAX_TITLE_CHARS} characters"),
            )
        })
}

fn check_body(body: &str) -> Result<String, AppError> {
    let body = nfc(body).replace("\r\n", "\n");
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::invalid(
            "body_too_long",
            format!("본문은 {MAX_BODY_CHARS}자까지 쓸 수 있습니다."),
            format!("the body may have at most {MAX_BODY_CHARS} characters"),
        ));
    }
    Ok(body)
}

pub(super) fn check_file_name(name: &str) -> Result<String, AppError> {
    single_line(name)
        .filter(|n| n.chars().count() <= 200 && !n.contains(['/', '\\']) && n != "." && n != "..")
        .ok_or_else(|| {
            AppError::invalid(
                "invalid_file_name",
                "파일 이름이 올바르지 않습니다 (200자 이하, / \\ 없이).",
                "invalid file name (one line, at most 200 characters, no slashes)",
            )
        })
}

pub(super) fn check_media_type(mt: &str) -> String {
    let ok = mt.len() <= 100
        && mt.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && mt.chars().all(|c| c.is_ascii_graphic() && c != ';')
        });
    if ok {
        mt.to_ascii_lowercase()
    } else {
        "application/octet-stream".to_owned()
    }
}

/// The drafting position, if the member holds it. Someone who may not even see a draft learns
/// nothing about it: for drafts the answer is "not found".
fn require_drafter(member: &Member, l: &Loaded) -> Result<PositionId, AppError> {
    let drafter: PositionId = crate::member::parse_id(&l.doc.drafter_position_id)?;
    if member.holds(drafter) {
        Ok(drafter)
    } else if l.status == DocumentStatus::Draft {
        Err(document_not_found())
    } else {
        Err(not_drafter())
    }
}

fn not_drafter() -> AppError {
    AppError::forbidden(
        "not_drafter",
        "기안자만 할 수 있습니다.",
        "only the drafter may do this",
    )
}

fn not_editable(status: DocumentStatus) -> AppError {
    AppError::conflict(
        "not_editable",
        format!("{} 상태의 문서는 고칠 수 없습니다.", status.label_ko()),
        format!("a document in state `{status}` cannot be changed"),
    )
}

/// Picks the position the member drafts in: the one asked for, or their first position the kind
/// lets draft.
fn drafting_position<'a>(
    member: &'a Member,
    kind: &KindDefinition,
    requested: Option<PositionId>,
) -> Result<&'a Position, AppError> {
    let allowed = |p: &&Position| kind.drafters().contains(&p.role);
    let found = match requested {
        Some(id) => member.positions.iter().find(|p| p.id == id).filter(allowed),
        None => member.positions.iter().find(allowed),
    };
    found.ok_or_else(|| {
        AppError::forbidden(
            "may_not_draft",
            format!("'{}'을(를) 기안할 수 있는 직위가 아닙니다.", kind.name()),
            format!("none of your positions may draft `{}`", kind.code()),
        )
    })
}

impl App {
    /// Stores uploaded bytes as a blob of the complex (before any transaction references them)
    /// and returns the SHA-256 hex and size.
    pub async fn upload_blob(
        &self,
        member: &Member,
        bytes: Vec<u8>,
    ) -> Result<(String, i64), AppError> {
        let limit = self.limits().max_attachment_bytes;
        if bytes.len() as u64 > limit {
            return Err(too_large(limit));
        }
        if member.positions.is_empty() {
            return Err(AppError::forbidden(
                "no_position",
                "직위가 없는 사용자는 올릴 수 없습니다.",
                "no position in this complex",
            ));
        }
        let size = i64::try_from(bytes.len()).map_err(AppError::internal)?;
        let sha = self.blobs().put(&member.complex.to_string(), bytes).await?;
        Ok((sha.to_hex(), size))
    }

    async fn resolve_attachments(
        &self,
        complex: ComplexId,
        version: i64,
        first_ordinal: i64,
        specs: &[AttachmentSpec],
    ) -> Result<Vec<AttachmentRow>, AppError> {
        let mut out = Vec::with_capacity(specs.len());
        for (i, s) in specs.iter().enumerate() {
            let name = check_file_name(&s.name)?;
            let sha = Sha256Hash::from_hex(&s.sha256).ok_or_else(|| {
                AppError::invalid(
                    "invalid_sha256",
                    "첨부파일 해시가 올바르지 않습니다.",
                    "sha256 must be 64 hex digits",
                )
            })?;
            let bytes = self
                .blobs()
                .get(&complex.to_string(), &sha)
                .await?
                .ok_or_else(|| {
                    AppError::invalid(
                        "blob_not_uploaded",
                        "첨부파일을 먼저 올려 주세요.",
                        "no uploaded file has that sha256 in this complex",
                    )
                })?;
            out.push(AttachmentRow {
                version,
                ordinal: first_ordinal + i64::try_from(i).map_err(AppError::internal)?,
                name,
                size: i64::try_from(bytes.len()).map_err(AppError::internal)?,
                sha256: sha.to_hex(),
                media_type: check_media_type(&s.media_type),
            });
        }
        Ok(out)
    }

    /// 기안: creates a draft (임시저장) of a kind, with its form, line and attachments.
    pub async fn create_draft(
        &self,
        caller: &Caller,
        complex: ComplexId,
        input: DraftInput,
    ) -> Result<DocumentId, AppError> {
        let title = check_title(&input.title)?;
        let body = check_body(&input.body)?;
        if input.attachments.len() > self.limits().max_attachments {
            return Err(too_many_attachments(self.limits().max_attachments));
        }
        let attachments = self
            .resolve_attachments(complex, 1, 1, &input.attachments)
            .await?;
        let now = self.clock().now();
        let cid = complex.to_string();
        let (mut tx, head) = self.begin_write(complex).await?;
        let member = Member::resolve(tx.conn(), complex, caller).await?;
        let kind = self
            .latest_kind(tx.conn(), complex, &input.kind_code)
            .await
            .map_err(|e| {
                if e.code == "unknown_kind" {
                    AppError::invalid(
                        "unknown_kind",
                        format!("'{}'은(는) 없는 문서 종류입니다.", input.kind_code),
                        format!("unknown document kind `{}`", input.kind_code),
                    )
                } else {
                    e
                }
            })?;
        if kind.received() {
            return Err(AppError::invalid(
                "use_receive",
                "접수 문서는 기안하지 않고 '공문 접수'로 등록합니다.",
                "received kinds are registered with the receive command",
            ));
        }
        let drafter = drafting_position(&member, &kind, input.drafter_position)?.clone();
        let form = kind.validate_form(&input.form)?;
        let positions = self.positions(&member).await?;
        let line = match &input.line {
            Some(steps) => custom_line(&kind, &positions, steps)?,
            None => default_line(&kind, &positions, drafter.id)?,
        };
        if let Some(original) = input.corrects {
            let orig = documents::document(tx.conn(), &cid, &original.to_string())
                .await?
                .ok_or_else(document_not_found)?;
            if orig.status != DocumentStatus::Registered.code() {
                return Err(AppError::conflict(
                    "corrects_unregistered",
                    "등록된 문서만 정정 문서를 만들 수 있습니다.",
                    "only a registered document can be corrected",
                ));
            }
        }
        let id = DocumentId::from_uuid(App::new_uuid());
        let did = id.to_string();
        let mut version = VersionRow {
            version: 1,
            title: title.clone(),
            body,
            form_json: form.canonical_json(),
            line_json: line_to_json(&line),
            content_sha256: String::new(),
            created_by: caller.person.to_string(),
            created_at: now.as_micros(),
            submitted_at: None,
        };
        version.content_sha256 = content_hash(
            kind.code().as_str(),
            i64::from(kind.version()),
            &version,
            &attachments,
        )?;
        let doc = DocumentRow {
            complex_id: cid.clone(),
            id: did.clone(),
            kind_code: kind.code().to_string(),
            kind_version: i64::from(kind.version()),
            drafter_position_id: drafter.id.to_string(),
            drafter_person_id: caller.person.to_string(),
            title,
            status: DocumentStatus::Draft.code().to_owned(),
            current_version: 1,
            content_sha256: version.content_sha256.clone(),
            registration_number: None,
            registration_year: None,
            registration_serial: None,
            registered_at: None,
            corrects_id: input.corrects.map(|c| c.to_string()),
            received_from: None,
            created_at: now.as_micros(),
            updated_at: now.as_micros(),
        };
        let mut change = Change::new("document.draft")
            .subject(id)
            .by(caller.person, Some(drafter.id))
            .row(document_row(&doc))
            .row(version_row(complex, &did, &version));
        for a in &attachments {
            change = change.row(attachment_row(complex, &did, a));
        }
        crate::extraction::enqueue(&mut tx, complex, &attachments, now).await?;
        super::refresh_tabs(&mut tx, &doc, &[]).await?;
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(id)
    }

    /// Loads a document the caller drafted, in a state that allows `what`.
    async fn load_own_editable(
        &self,
        tx: &mut malgeun_store::Tx,
        complex: ComplexId,
        caller: &Caller,
        id: DocumentId,
    ) -> Result<(Member, Loaded), AppError> {
        let member = Member::resolve(tx.conn(), complex, caller).await?;
        let loaded = self.load(tx.conn(), complex, id).await?;
        require_drafter(&member, &loaded)?;
        if loaded.status != DocumentStatus::Draft || loaded.version.submitted_at.is_some() {
            return Err(not_editable(loaded.status));
        }
        Ok((member, loaded))
    }

    /// 임시저장: changes a draft that has not been submitted.
    pub async fn update_draft(
        &self,
        caller: &Caller,
        complex: ComplexId,
        id: DocumentId,
        update: DraftUpdate,
    ) -> Result<(), AppError> {
        let title = update.title.as_deref().map(check_title).transpose()?;
        let body = update.body.as_deref().map(check_body).transpose()?;
        let now = self.clock().now();
        let (mut tx, mut head) = self.begin_write(complex).await?;
        let (member, mut l) = self.load_own_editable(&mut tx, complex, caller, id).await?;
        if let Some(t) = title {
            l.version.title = t.clone();
            l.doc.title = t;
        }
        if let Some(b) = body {
            l.version.body = b;
        }
        if let Some(form) = &update.form {
            l.version.form_json = l.kind.validate_form(form)?.canonical_json();
        }
        if let Some(steps) = &update.line {
            let positions = self.positions(&member).await?;
            l.version.line_json = line_to_json(&custom_line(&l.kind, &positions, steps)?);
        }
        self.save_version_change(
            &mut tx,
            &mut head,
            complex,
            caller,
            l,
            now,
            "document.update",
            Vec::new(),
            Vec::new(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn save_version_change(
        &self,
        tx: &mut malgeun_store::Tx,
        head: &mut malgeun_store::ledger::Head,
        complex: ComplexId,
        caller: &Caller,
        mut l: Loaded,
        now: malgeun_domain::Timestamp,
        event: &'static str,
        added: Vec<AttachmentRow>,
        removed: Vec<AttachmentRow>,
    ) -> Result<(), AppError> {
        let did = l.doc.id.clone();
        l.attachments
            .retain(|a| !removed.iter().any(|r| r.ordinal == a.ordinal));
        l.attachments.extend(added.iter().cloned());
        l.version.content_sha256 = content_hash(
            &l.doc.kind_code,
            l.doc.kind_version,
            &l.version,
            &l.attachments,
        )?;
        l.doc.content_sha256 = l.version.content_sha256.clone();
        l.doc.updated_at = now.as_micros();
        let drafter = crate::member::parse_id(&l.doc.drafter_position_id)?;
        let mut change = Change::new(event)
            .subject(&did)
            .by(caller.person, Some(drafter))
            .row(document_row(&l.doc))
            .row(version_row(complex, &did, &l.version));
        for a in &added {
            change = change.row(attachment_row(complex, &did, a));
        }
        crate::extraction::enqueue(tx, complex, &added, now).await?;
        for a in &removed {
            change = change.delete(attachment_row(complex, &did, a));
        }
        record(tx, complex, head, &self.signer(complex), now, change).await?;
        Ok(())
    }

    /// Attaches uploaded bytes to a draft (the blob is stored first, then referenced).
    pub async fn add_attachment(
        &self,
        caller: &Caller,
        complex: ComplexId,
        id: DocumentId,
        name: &str,
        media_type: &str,
        bytes: Vec<u8>,
    ) -> Result<i64, AppError> {
        let name = check_file_name(name)?;
        let limit = self.limits().max_attachment_bytes;
        if bytes.len() as u64 > limit {
            return Err(too_large(limit));
        }
        {
            // Check before storing bytes, so a stranger cannot fill the disk through someone's draft.
            let mut r = self.db().reader().await?;
            let member = Member::resolve(r.conn(), complex, caller).await?;
            let doc = documents::document(r.conn(), &complex.to_string(), &id.to_string())
                .await?
                .ok_or_else(document_not_found)?;
            if !member.holds(crate::member::parse_id(&doc.drafter_position_id)?) {
                return Err(document_not_found());
            }
        }
        let size = i64::try_from(bytes.len()).map_err(AppError::internal)?;
        let sha = self.blobs().put(&complex.to_string(), bytes).await?;
        let now = self.clock().now();
        let (mut tx, mut head) = self.begin_write(complex).await?;
        let (_, l) = self.load_own_editable(&mut tx, complex, caller, id).await?;
        if l.attachments.len() >= self.limits().max_attachments {
            return Err(too_many_attachments(self.limits().max_attachments));
        }
        let ordinal = l.attachments.iter().map(|a| a.ordinal).max().unwrap_or(0) + 1;
        let row = AttachmentRow {
            version: l.version.version,
            ordinal,
            name,
            size,
            sha256: sha.to_hex(),
            media_type: check_media_type(media_type),
        };
        self.save_version_change(
            &mut tx,
            &mut head,
            complex,
            caller,
            l,
            now,
            "document.attach",
            vec![row],
            Vec::new(),
        )
        .await?;
        tx.commit().await?;
        Ok(ordinal)
    }

    /// Removes an attachment from a draft.
    pub async fn remove_attachment(
        &self,
        caller: &Caller,
        complex: ComplexId,
        id: DocumentId,
        ordinal: i64,
    ) -> Result<(), AppError> {
        let now = self.clock().now();
        let (mut tx, mut head) = self.begin_write(complex).await?;
        let (_, l) = self.load_own_editable(&mut tx, complex, caller, id).await?;
        let row = l
            .attachments
            .iter()
            .find(|a| a.ordinal == ordinal)
            .cloned()
            .ok_or_else(|| AppError::not_found("attachment_not_found", "첨부파일", "attachment"))?;
        self.save_version_change(
            &mut tx,
            &mut head,
            complex,
            caller,
            l,
            now,
            "document.detach",
            Vec::new(),
            vec![row],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 상신: submits a draft to its line.
    pub async fn submit(
        &self,
        caller: &Caller,
        complex: ComplexId,
        id: DocumentId,
    ) -> Result<(), AppError> {
        let now = self.clock().now();
        let (mut tx, head) = self.begin_write(complex).await?;
        let (_, mut l) = self.load_own_editable(&mut tx, complex, caller, id).await?;
        let cid = complex.to_string();
        let did = l.doc.id.clone();
        let progress = Progress::start(l.line.clone());
        l.version.submitted_at = Some(now.as_micros());
        l.doc.status = DocumentStatus::InProgress.code().to_owned();
        l.doc.updated_at = now.as_micros();
        let waiting: Vec<String> = progress
            .waiting_on()
            .iter()
            .map(ToString::to_string)
            .collect();
        let line = super::line_members(&l.line);
        documents::set_inbox(&mut tx, &cid, &did, &waiting, Some(&line)).await?;
        super::refresh_tabs(&mut tx, &l.doc, &line).await?;
        let drafter = crate::member::parse_id(&l.doc.drafter_position_id)?;
        let change = Change::new("document.submit")
            .subject(&did)
            .by(caller.person, Some(drafter))
            .row(document_row(&l.doc))
            .row(version_row(complex, &did, &l.version));
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(())
    }

    /// 회수: the drafter pulls a submitted document back before any approver has acted.
    pub async fn withdraw(
        &self,
        caller: &Caller,
        complex: ComplexId,
        id: DocumentId,
    ) -> Result<(), AppError> {
        let now = self.clock().now();
        let (mut tx, head) = self.begin_write(complex).await?;
        let member = Member::resolve(tx.conn(), complex, caller).await?;
        let mut l = self.load_with(tx.conn(), complex, id, false).await?;
        let drafter = require_drafter(&member, &l)?;
        if l.status != DocumentStatus::InProgress {
            return Err(AppError::conflict(
                "not_withdrawable",
                format!("{} 상태의 문서는 회수할 수 없습니다.", l.status.label_ko()),
                format!("a document in state `{}` cannot be withdrawn", l.status),
            ));
        }
        let progress = l
            .progress()?
            .ok_or_else(|| AppError::internal("in progress without a round"))?;
        if !progress.can_withdraw() {
            return Err(AppError::conflict(
                "already_acted_on",
                "이미 결재자가 처리한 문서는 회수할 수 없습니다.",
                "an approver has already acted; the document can no longer be withdrawn",
            ));
        }
        let cid = complex.to_string();
        l.doc.status = DocumentStatus::Withdrawn.code().to_owned();
        l.doc.updated_at = now.as_micros();
        documents::set_inbox(&mut tx, &cid, &l.doc.id, &[], None).await?;
        super::refresh_tabs(&mut tx, &l.doc, &[]).await?;
        let change = Change::new("document.withdraw")
            .subject(&l.doc.id)
            .by(caller.person, Some(drafter))
            .row(document_row(&l.doc));
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(())
    }

    /// 재기안 (first half): after 반려 or 회수, starts a new version as a draft copy of the last,
    /// keeping every earlier version and its approvals as history.
    pub async fn revise(
        &self,
        caller: &Caller,
        complex: ComplexId,
        id: DocumentId,
    ) -> Result<i64, AppError> {
        let now = self.clock().now();
        let (mut tx, head) = self.begin_write(complex).await?;
        let member = Member::resolve(tx.conn(), complex, caller).await?;
        let mut l = self.load(tx.conn(), complex, id).await?;
        let drafter = require_drafter(&member, &l)?;
        if !matches!(
            l.status,
            DocumentStatus::Rejected | DocumentStatus::Withdrawn
        ) {
            return Err(AppError::conflict(
                "not_revisable",
                format!(
                    "{} 상태의 문서는 재기안할 수 없습니다.",
                    l.status.label_ko()
                ),
                format!("a document in state `{}` cannot be revised", l.status),
            ));
        }
        let next = l.doc.current_version + 1;
        let did = l.doc.id.clone();
        let mut version = l.version.clone();
        version.version = next;
        version.created_by = caller.person.to_string();
        version.created_at = now.as_micros();
        version.submitted_at = None;
        let attachments: Vec<AttachmentRow> = l
            .attachments
            .iter()
            .map(|a| AttachmentRow {
                version: next,
                ..a.clone()
            })
            .collect();
        version.content_sha256 =
            content_hash(&l.doc.kind_code, l.doc.kind_version, &version, &attachments)?;
        l.doc.current_version = next;
        l.doc.status = DocumentStatus::Draft.code().to_owned();
        l.doc.content_sha256 = version.content_sha256.clone();
        l.doc.updated_at = now.as_micros();
        let mut change = Change::new("document.revise")
            .subject(&did)
            .by(caller.person, Some(drafter))
            .row(document_row(&l.doc))
            .row(version_row(complex, &did, &version));
        for a in &attachments {
            change = change.row(attachment_row(complex, &did, a));
        }
        crate::extraction::enqueue(&mut tx, complex, &attachments, now).await?;
        super::refresh_tabs(&mut tx, &l.doc, &[]).await?;
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(next)
    }

    /// 공문 접수: registers a received external document at once, with its scans.
    pub async fn receive(
        &self,
        caller: &Caller,
        complex: ComplexId,
        input: ReceiveInput,
    ) -> Result<DocumentId, AppError> {
        let title = check_title(&input.title)?;
        let body = check_body(&input.body)?;
        if input.attachments.len() > self.limits().max_attachments {
            return Err(too_many_attachments(self.limits().max_attachments));
        }
        let attachments = self
            .resolve_attachments(complex, 1, 1, &input.attachments)
            .await?;
        let now = self.clock().now();
        let (mut tx, mut head) = self.begin_write(complex).await?;
        let member = Member::resolve(tx.conn(), complex, caller).await?;
        let kind = self
            .latest_kind(tx.conn(), complex, &input.kind_code)
            .await?;
        if !kind.received() {
            return Err(AppError::invalid(
                "not_a_received_kind",
                "접수용 문서 종류가 아닙니다.",
                "that kind is not for received documents",
            ));
        }
        let receiver = drafting_position(&member, &kind, None)?.clone();
        let form = kind.validate_form(&input.form)?;
        let sender = match form.get("sender") {
            Some(FieldValue::Text(s)) => Some(s.clone()),
            _ => None,
        };
        let id = DocumentId::from_uuid(App::new_uuid());
        let issuer = self.issuer_name(tx.conn(), complex).await?;
        self.register_at_once(
            &mut tx,
            &mut head,
            complex,
            caller,
            AtOnce {
                event: "document.receive",
                id,
                kind: &kind,
                position: receiver.id,
                title,
                body,
                form_json: form.canonical_json(),
                attachments,
                issuer: &issuer,
                year: now.seoul_year(),
                registered_at: now,
                received_from: sender,
                now,
                extra: Vec::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a document registered the moment it is recorded, with no approval round (공문
    /// 접수, 전자화문서): its line is one 결재 step of the registering position, and it takes the
    /// next serial of `year`. Returns the registration number. The caller holds the head lock and
    /// commits.
    pub(super) async fn register_at_once(
        &self,
        tx: &mut malgeun_store::Tx,
        head: &mut malgeun_store::ledger::Head,
        complex: ComplexId,
        caller: &Caller,
        d: AtOnce<'_>,
    ) -> Result<String, AppError> {
        let cid = complex.to_string();
        let did = d.id.to_string();
        let line =
            malgeun_domain::approval::ApprovalLine::new(vec![malgeun_domain::approval::Step {
                kind: malgeun_domain::approval::StepKind::Final,
                members: vec![d.position],
            }])?;
        let mut version = VersionRow {
            version: 1,
            title: d.title.clone(),
            body: d.body,
            form_json: d.form_json,
            line_json: line_to_json(&line),
            content_sha256: String::new(),
            created_by: caller.person.to_string(),
            created_at: d.now.as_micros(),
            submitted_at: Some(d.now.as_micros()),
        };
        version.content_sha256 = content_hash(
            d.kind.code().as_str(),
            i64::from(d.kind.version()),
            &version,
            &d.attachments,
        )?;
        let serial = documents::next_serial(tx, &cid, i64::from(d.year)).await?;
        let number = RegistrationNumber {
            issuer: d.issuer.to_owned(),
            year: d.year,
            serial: u32::try_from(serial).map_err(AppError::internal)?,
        }
        .to_string();
        let doc = DocumentRow {
            complex_id: cid.clone(),
            id: did.clone(),
            kind_code: d.kind.code().to_string(),
            kind_version: i64::from(d.kind.version()),
            drafter_position_id: d.position.to_string(),
            drafter_person_id: caller.person.to_string(),
            title: d.title,
            status: DocumentStatus::Registered.code().to_owned(),
            current_version: 1,
            content_sha256: version.content_sha256.clone(),
            registration_number: Some(number.clone()),
            registration_year: Some(i64::from(d.year)),
            registration_serial: Some(serial),
            registered_at: Some(d.registered_at.as_micros()),
            corrects_id: None,
            received_from: d.received_from,
            created_at: d.now.as_micros(),
            updated_at: d.now.as_micros(),
        };
        let mut change = Change::new(d.event)
            .subject(d.id)
            .by(caller.person, Some(d.position))
            .row(document_row(&doc))
            .row(version_row(complex, &did, &version));
        for a in &d.attachments {
            change = change.row(attachment_row(complex, &did, a));
        }
        for row in d.extra {
            change = change.row(row);
        }
        crate::extraction::enqueue(tx, complex, &d.attachments, d.now).await?;
        let line_members = vec![(d.position.to_string(), "final")];
        documents::set_inbox(tx, &cid, &did, &[], Some(&line_members)).await?;
        super::refresh_tabs(tx, &doc, &line_members).await?;
        record(tx, complex, head, &self.signer(complex), d.now, change).await?;
        Ok(number)
    }
}

/// What [`App::register_at_once`] records.
pub(super) struct AtOnce<'a> {
    /// The ledger event.
    pub event: &'static str,
    /// The new document's id.
    pub id: DocumentId,
    /// Its kind (latest version).
    pub kind: &'a KindDefinition,
    /// The registering position: drafter and the line's one 결재 step.
    pub position: PositionId,
    /// Title (checked).
    pub title: String,
    /// Body (checked).
    pub body: String,
    /// Canonical form JSON.
    pub form_json: String,
    /// Attachments of version 1.
    pub attachments: Vec<AttachmentRow>,
    /// The issuer in the registration number.
    pub issuer: &'a str,
    /// The year whose register it enters.
    pub year: i32,
    /// The registration date shown in the register.
    pub registered_at: malgeun_domain::Timestamp,
    /// Sender of a received document.
    pub received_from: Option<String>,
    /// When it is recorded.
    pub now: malgeun_domain::Timestamp,
    /// Further ledgered rows of the same change.
    pub extra: Vec<malgeun_store::image::Row>,
}

/// The error for a file over the size limit.
pub fn too_large(limit: u64) -> AppError {
    AppError::new(
        crate::error::ErrorKind::TooLarge,
        "file_too_large",
        format!(
            "파일이 너무 큽니다. {}MB까지 올릴 수 있습니다.",
            limit / (1024 * 1024)
        ),
        format!("file too large (limit {limit} bytes)"),
    )
}

fn too_many_attachments(max: usize) -> AppError {
    AppError::invalid(
        "too_many_attachments",
        format!("첨부파일은 {max}개까지 붙일 수 있습니다."),
        format!("at most {max} attachments"),
    )
}
