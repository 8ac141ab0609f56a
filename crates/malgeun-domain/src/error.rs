//! Domain errors. Every error a user can cause has a stable code, a Korean and an English message;
//! the web layer maps codes to HTTP statuses in one table.

use thiserror::Error;

use crate::approval::StepKind;

/// An error a person can cause and should be told about in their language.
pub trait UserFacing: std::fmt::Display {
    /// Stable machine-readable code, e.g. `not_your_turn`.
    fn code(&self) -> &'static str;
    /// The message shown to Korean users.
    fn message_ko(&self) -> String;
    /// The message in English (API clients, logs).
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Why an approval-line act or a line shape is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkflowError {
    /// The line has no 결재 step or more than one.
    #[error("an approval line needs exactly one final (결재) step")]
    LineNeedsOneFinal,
    /// Something other than reference steps follows the 결재 step.
    #[error("the final (결재) step must be the last acting step")]
    FinalNotLast,
    /// A step with no members, or a review/final step with several.
    #[error("a {0} step has the wrong number of positions")]
    BadStepMembers(StepKind),
    /// A position appears twice.
    #[error("a position appears more than once in the approval line")]
    DuplicateMember,
    /// Someone else holds the document (보류).
    #[error("the document is on hold by another approver")]
    HeldByAnother,
    /// The document is not being approved (draft, rejected, withdrawn).
    #[error("the document is not in approval")]
    NotInProgress,
    /// The line is complete.
    #[error("the document is already finally approved")]
    AlreadyCompleted,
    /// The actor is on the line but it is not their step.
    #[error("it is not this approver's turn")]
    NotYourTurn,
    /// The actor is not on the line.
    #[error("the position is not on the approval line")]
    NotOnLine,
    /// The actor already acted in this round.
    #[error("this approver has already acted")]
    AlreadyActed,
    /// A deputy tried to confirm (후결) in the absent approver's place.
    #[error("only the absent approver can confirm afterwards (후결)")]
    PostConfirmNeedsOwner,
    /// No deputy approval awaits confirmation by this position.
    #[error("there is no deputy approval to confirm")]
    NothingToConfirm,
}

impl UserFacing for WorkflowError {
    fn code(&self) -> &'static str {
        match self {
            Self::LineNeedsOneFinal => "line_needs_one_final",
            Self::FinalNotLast => "line_final_not_last",
            Self::BadStepMembers(_) => "line_bad_step_members",
            Self::DuplicateMember => "line_duplicate_member",
            Self::HeldByAnother => "held_by_another",
            Self::NotInProgress => "not_in_approval",
            Self::AlreadyCompleted => "already_completed",
            Self::NotYourTurn => "not_your_turn",
            Self::NotOnLine => "not_on_line",
            Self::AlreadyActed => "already_acted",
            Self::PostConfirmNeedsOwner => "post_confirm_needs_owner",
            Self::NothingToConfirm => "nothing_to_confirm",
        }
    }

    fn message_ko(&self) -> String {
        match self {
            Self::LineNeedsOneFinal => "결재선에는 결재 단계가 정확히 하나 있어야 합니다.".into(),
            Self::FinalNotLast => "결재 단계는 참조를 제외한 마지막 단계여야 합니다.".into(),
            Self::BadStepMembers(k) => {
                format!("{} 단계의 결재자 수가 올바르지 않습니다.", k.label_ko())
            }
            Self::DuplicateMember => "같은 직위가 결재선에 두 번 들어 있습니다.".into(),
            Self::HeldByAnother => "다른 결재자가 보류한 문서입니다.".into(),
            Self::NotInProgress => "결재 진행 중인 문서가 아닙니다.".into(),
            Self::AlreadyCompleted => "이미 결재가 끝난 문서입니다.".into(),
            Self::NotYourTurn => "아직 결재 차례가 아닙니다.".into(),
            Self::NotOnLine => "결재선에 없는 직위입니다.".into(),
            Self::AlreadyActed => "이미 처리한 결재입니다.".into(),
            Self::PostConfirmNeedsOwner => "후결은 부재했던 결재자 본인만 할 수 있습니다.".into(),
            Self::NothingToConfirm => "후결할 대결 기록이 없습니다.".into(),
        }
    }
}
