//! The approval acts: 승인, 반려 (to the drafter or one step back), 보류, 전결, 대결 and 후결, and
//! registration on final approval.

use malgeun_domain::approval::{Act, Decision, Outcome, Phase};
use malgeun_domain::catalogue::FormData;
use malgeun_domain::document::DocumentStatus;
use malgeun_domain::registration::RegistrationNumber;
use malgeun_domain::text::nfc;
use malgeun_domain::{ComplexId, DocumentId, PositionId};
use malgeun_store::documents::{self, ApprovalRow};
use malgeun_store::org;

use super::rows::{approval_row, document_row};
use super::{Loaded, document_not_found};
use crate::App;
use crate::error::AppError;
use crate::events::Change;
use crate::member::{Caller, Member};

/// What an approver sends.
#[derive(Clone, Debug)]
pub struct ActInput {
    /// The decision.
    pub decision: Decision,
    /// Reason (required for 반려 and 보류) or comment.
    pub comment: Option<String>,
    /// The line member to act for, when the caller could act for several (own or as deputy).
    pub position: Option<PositionId>,
    /// The content hash the approver saw; a mismatch means the document changed under them.
    pub expected_sha256: Option<String>,
}

/// Longest comment in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// Chooses which line member the caller acts for, and whether as deputy (대결).
fn acting_for(
    member: &Member,
    l: &Loaded,
    input: &ActInput,
) -> Result<(PositionId, bool), AppError> {
    let not_on_line = || AppError::from(malgeun_domain::WorkflowError::NotOnLine);
    if let Some(p) = input.position {
        return if member.holds(p) {
            Ok((p, false))
        } else if member.deputises_for(p) {
            Ok((p, true))
        } else {
            Err(not_on_line())
        };
    }
    let progress = l.progress()?;
    let candidates: Vec<PositionId> = match (&progress, input.decision) {
        (Some(p), Decision::PostConfirm) => p.awaiting_post_confirmation(),
        (Some(p), _) => p.waiting_on(),
        (None, _) => Vec::new(),
    };
    if let Some(p) = candidates.iter().find(|p| member.holds(**p)) {
        return Ok((*p, false));
    }
    if input.decision != Decision::PostConfirm
        && let Some(p) = candidates.iter().find(|p| member.deputises_for(**p))
    {
        return Ok((*p, true));
    }
    // Not anyone's turn that the caller can take: let the state machine say why, for the first
    // of their positions on the line.
    l.line
        .steps()
        .iter()
        .flat_map(|s| s.members.iter())
        .find(|m| member.holds(**m))
        .map(|m| (*m, false))
        .ok_or_else(not_on_line)
}

impl App {
    /// Acts on a document as an approver. Final approval registers it in the same transaction.
    /// On PostgreSQL it runs on the writer thread; on SQLite, whose statements never wait, in place,
    /// so that concurrent commands queue for the writer where group commit can see them.
    pub async fn act(
        &self,
        caller: &Caller,
        complex: ComplexId,
        id: DocumentId,
        input: ActInput,
    ) -> Result<Outcome, AppError> {
        if self.db().engine() == malgeun_store::Engine::Sqlite {
            return self.act_now(caller, complex, id, input).await;
        }
        let (app, caller) = (self.clone(), caller.clone());
        self.writer()
            .run(async move { app.act_now(&caller, complex, id, input).await })
            .await
    }

    async fn act_now(
        &self,
        caller: &Caller,
        complex: ComplexId,
        id: DocumentId,
        input: ActInput,
    ) -> Result<Outcome, AppError> {
        let comment = input
            .comment
            .as_deref()
            .map(|c| nfc(c.trim()))
            .filter(|c| !c.is_empty());
        if comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
        {
            return Err(AppError::invalid(
                "comment_too_long",
                format!("의견은 {MAX_COMMENT_CHARS}자까지 쓸 수 있습니다."),
                format!("a comment may have at most {MAX_COMMENT_CHARS} characters"),
            ));
        }
        if matches!(input.decision, Decision::Reject { .. } | Decision::Hold) && comment.is_none() {
            return Err(AppError::invalid(
                "reason_required",
                "반려하거나 보류할 때에는 사유를 적어 주세요.",
                "a reason is required to reject or hold",
            ));
        }
        let now = self.clock().now();
        let cid = complex.to_string();
        let (mut tx, head) = self.begin_write(complex).await?;
        let member = Member::resolve(tx.conn(), complex, caller).await?;
        let mut l = self.load_with(tx.conn(), complex, id, false).await?;
        let did = l.doc.id.clone();
        // Someone with no business with the document learns nothing about it.
        let drafter: PositionId = crate::member::parse_id(&l.doc.drafter_position_id)?;
        let involved = member.holds(drafter)
            || l.line
                .steps()
                .iter()
                .flat_map(|s| s.members.iter())
                .any(|m| member.holds(*m) || member.deputises_for(*m));
        if !involved && l.status == DocumentStatus::Draft {
            return Err(document_not_found());
        }
        match (l.status, input.decision) {
            (DocumentStatus::InProgress, _)
            | (DocumentStatus::Registered, Decision::PostConfirm) => {}
            (DocumentStatus::Registered, _) => {
                return Err(AppError::conflict(
                    "already_registered",
                    "이미 등록된 문서는 바꿀 수 없습니다.",
                    "the document is registered and can no longer change",
                ));
            }
            (status, _) => {
                return Err(AppError::conflict(
                    "not_in_approval",
                    format!("{} 상태의 문서는 결재할 수 없습니다.", status.label_ko()),
                    format!("a document in state `{status}` is not in approval"),
                ));
            }
        }
        if let Some(expected) = &input.expected_sha256
            && !expected.eq_ignore_ascii_case(&l.doc.content_sha256)
        {
            return Err(AppError::conflict(
                "content_changed",
                "보고 있던 내용과 문서가 다릅니다. 새로 고친 뒤 다시 결재해 주세요.",
                "the document differs from the version you saw",
            ));
        }
        let (position, proxy) = acting_for(&member, &l, &input)?;
        if input.decision == Decision::DelegatedFinal {
            let acting_role = if proxy {
                org::position(tx.conn(), &cid, &position.to_string())
                    .await?
                    .and_then(|p| malgeun_domain::role::Role::parse(&p.role))
            } else {
                member
                    .positions
                    .iter()
                    .find(|p| p.id == position)
                    .map(|p| p.role.clone())
            };
            let form = FormData::from_canonical_json(&l.kind, &l.version.form_json)
                .map_err(|e| AppError::internal(format!("stored form does not parse: {e}")))?;
            let allowed = match (l.kind.delegation(), acting_role) {
                (Some(d), Some(role)) => d.allows(&role, form.money_total()),
                _ => false,
            };
            if !allowed {
                return Err(AppError::forbidden(
                    "delegation_not_allowed",
                    "이 문서는 이 직위의 전결 범위가 아닙니다.",
                    "this position may not give final approval (전결) for this document",
                ));
            }
        }
        let mut progress = l
            .progress()?
            .ok_or_else(|| AppError::internal("no round to act on"))?;
        let step_before = match progress.phase() {
            Phase::InProgress { step } | Phase::OnHold { step, .. } => step,
            Phase::Rejected | Phase::Completed => l
                .line
                .steps()
                .iter()
                .position(|s| s.members.contains(&position))
                .unwrap_or(0),
        };
        let outcome = progress.apply(Act {
            position,
            proxy,
            decision: input.decision,
        })?;
        let approval = ApprovalRow {
            version: l.version.version,
            seq: i64::try_from(l.approvals.len()).map_err(AppError::internal)? + 1,
            step: i64::try_from(step_before).map_err(AppError::internal)?,
            position_id: position.to_string(),
            person_id: caller.person.to_string(),
            person_name: caller.name.clone(),
            proxy,
            decision: input.decision.code().to_owned(),
            comment,
            content_sha256: l.doc.content_sha256.clone(),
            at: now.as_micros(),
            ledger_index: 0,
        };
        let event = match input.decision {
            Decision::Approve if proxy => "document.approve_as_deputy",
            Decision::Approve => "document.approve",
            Decision::DelegatedFinal => "document.approve_delegated",
            Decision::Reject { to_previous: false } => "document.reject",
            Decision::Reject { to_previous: true } => "document.reject_to_previous",
            Decision::Hold => "document.hold",
            Decision::PostConfirm => "document.post_confirm",
        };
        l.doc.updated_at = now.as_micros();
        match outcome {
            Outcome::Completed => {
                let issuer = self.issuer_name(tx.conn(), complex).await?;
                let year = now.seoul_year();
                let serial = documents::next_serial(&mut tx, &cid, i64::from(year)).await?;
                let number = RegistrationNumber {
                    issuer,
                    year,
                    serial: u32::try_from(serial).map_err(AppError::internal)?,
                };
                l.doc.status = DocumentStatus::Registered.code().to_owned();
                l.doc.registration_number = Some(number.to_string());
                l.doc.registration_year = Some(i64::from(year));
                l.doc.registration_serial = Some(serial);
                l.doc.registered_at = Some(now.as_micros());
            }
            Outcome::Rejected => l.doc.status = DocumentStatus::Rejected.code().to_owned(),
            Outcome::Confirmed => {}
            Outcome::Recorded | Outcome::Advanced(_) | Outcome::ReturnedTo(_) | Outcome::Held => {}
        }
        if outcome != Outcome::Confirmed {
            let waiting: Vec<String> = progress
                .waiting_on()
                .iter()
                .map(ToString::to_string)
                .collect();
            documents::set_inbox(&mut tx, &cid, &did, &waiting, None).await?;
        }
        if matches!(outcome, Outcome::Completed | Outcome::Rejected) {
            super::refresh_tabs(&mut tx, &l.doc, &super::line_members(&l.line)).await?;
        }
        let mut change = Change::new(event)
            .subject(&did)
            .by(caller.person, Some(position))
            .row(approval_row(complex, &did, &approval));
        // A 후결 changes nothing about the document itself, so a registered document's row stays
        // exactly as registered.
        if outcome != Outcome::Confirmed {
            change = change.row(document_row(&l.doc));
        }
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(outcome)
    }
}
