//! Documents from draft to registration: 기안, 임시저장, attachments, 상신, the approval acts, 회수,
//! 재기안, registration, 공문 접수, 전자화문서 등록 (scanned paper records), corrections, and what a person may see of them.

mod act;
mod browse;
mod digitise;
mod draft;
mod line;
mod rows;
mod view;

pub use act::ActInput;
pub use browse::{DefaultStep, InboxSort, ListPage, RegisterQuery};
pub use digitise::{DigitiseOutcome, DigitisedInput, ImportSetup};
pub use draft::{AttachmentSpec, DraftInput, DraftUpdate, ReceiveInput, too_large};
pub use line::{StepInput, line_from_json, line_to_json};
pub use view::{
    ApprovalView, AttachmentView, DocumentSummary, DocumentView, HistoryEntry, InboxPage,
    LineMemberView, LineStepView, RegisterPage, VersionView,
};

use std::sync::Arc;

use malgeun_domain::approval::{Act, ApprovalLine, Decision, Progress};
use malgeun_domain::catalogue::KindDefinition;
use malgeun_domain::document::DocumentStatus;
use malgeun_domain::{ComplexId, DocumentId};
use malgeun_store::db::Conn;
use malgeun_store::documents::{self, ApprovalRow, AttachmentRow, DocumentRow, VersionRow};

use crate::App;
use crate::error::AppError;
use crate::member::parse_id;

/// A document loaded for a command or a view.
#[derive(Clone, Debug)]
pub(crate) struct Loaded {
    pub doc: DocumentRow,
    pub status: DocumentStatus,
    pub version: VersionRow,
    pub attachments: Vec<AttachmentRow>,
    pub approvals: Vec<ApprovalRow>,
    pub kind: Arc<KindDefinition>,
    pub line: ApprovalLine,
}

impl Loaded {
    /// The approval round of the current version, replayed from its recorded acts.
    pub fn progress(&self) -> Result<Option<Progress>, AppError> {
        if self.version.submitted_at.is_none() {
            return Ok(None);
        }
        let acts = self
            .approvals
            .iter()
            .map(|a| {
                Ok(Act {
                    position: parse_id(&a.position_id)?,
                    proxy: a.proxy,
                    decision: Decision::from_code(&a.decision).ok_or_else(|| {
                        AppError::internal(format!("stored decision `{}`", a.decision))
                    })?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Progress::replay(self.line.clone(), &acts)
            .map(Some)
            .map_err(|e| AppError::internal(format!("stored approvals do not replay: {e}")))
    }
}

pub(crate) fn document_not_found() -> AppError {
    AppError::not_found("document_not_found", "문서", "document")
}

impl App {
    /// Loads a document's current version with its attachments, acts and kind.
    pub(crate) async fn load(
        &self,
        conn: Conn<'_>,
        complex: ComplexId,
        id: DocumentId,
    ) -> Result<Loaded, AppError> {
        self.load_with(conn, complex, id, true).await
    }

    /// Loads a document; `attachments = false` skips them for commands that do not touch them.
    pub(crate) async fn load_with(
        &self,
        mut conn: Conn<'_>,
        complex: ComplexId,
        id: DocumentId,
        with_attachments: bool,
    ) -> Result<Loaded, AppError> {
        let cid = complex.to_string();
        let did = id.to_string();
        let doc = documents::document(conn.reborrow(), &cid, &did)
            .await?
            .ok_or_else(document_not_found)?;
        let status: DocumentStatus = doc.status.parse().map_err(AppError::internal)?;
        let version = documents::version(conn.reborrow(), &cid, &did, doc.current_version)
            .await?
            .ok_or_else(|| AppError::internal("document without its current version"))?;
        let attachments = if with_attachments {
            documents::attachments(conn.reborrow(), &cid, &did, doc.current_version).await?
        } else {
            Vec::new()
        };
        let approvals =
            documents::approvals(conn.reborrow(), &cid, &did, Some(doc.current_version)).await?;
        let kind_version = u32::try_from(doc.kind_version).map_err(AppError::internal)?;
        let kind = self
            .kind_version(conn.reborrow(), complex, &doc.kind_code, kind_version)
            .await?;
        let line = line_from_json(&version.line_json)?;
        Ok(Loaded {
            doc,
            status,
            version,
            attachments,
            approvals,
            kind,
            line,
        })
    }
}

/// The line's members as `(position, step kind code)`, in line order.
pub(crate) fn line_members(line: &ApprovalLine) -> Vec<(String, &'static str)> {
    line.steps()
        .iter()
        .flat_map(|s| {
            s.members
                .iter()
                .map(move |m| (m.to_string(), s.kind.code()))
        })
        .collect()
}

/// Rewrites where the document shows in the 결재함 tabs after its status or line changed; in the
/// same transaction as the change.
pub(crate) async fn refresh_tabs(
    tx: &mut malgeun_store::Tx,
    doc: &DocumentRow,
    line: &[(String, &'static str)],
) -> Result<(), AppError> {
    let rows = documents::tab_rows(&doc.status, &doc.drafter_position_id, line);
    documents::set_tabs(tx, &doc.complex_id, &doc.id, &rows).await?;
    Ok(())
}
