//! Use-case errors: a kind (which the web layer maps to an HTTP status in one table), a stable code,
//! a Korean and an English message, and for forms the per-field problems.

use malgeun_domain::catalogue::{CatalogueError, FormErrors};
use malgeun_domain::error::{UserFacing, WorkflowError};
use malgeun_store::StoreError;

/// The broad class of an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The thing does not exist, or the caller may not know it exists (another complex's data).
    NotFound,
    /// No valid session or token.
    Unauthenticated,
    /// Known caller, not allowed.
    Forbidden,
    /// Malformed or invalid input.
    Invalid,
    /// Valid input that conflicts with the current state.
    Conflict,
    /// Input larger than allowed.
    TooLarge,
    /// Too many attempts.
    RateLimited,
    /// Our fault; details go to the log, not to the caller.
    Internal,
}

/// An error a use case returns. Nothing was changed when it is returned.
#[derive(Clone, Debug)]
pub struct AppError {
    /// Class.
    pub kind: ErrorKind,
    /// Stable code.
    pub code: &'static str,
    /// Korean message.
    pub message_ko: String,
    /// English message.
    pub message_en: String,
    /// Per-field problems of a form.
    pub fields: Option<FormErrors>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message_en)
    }
}

impl std::error::Error for AppError {}

impl AppError {
    /// Builds an error.
    pub fn new(
        kind: ErrorKind,
        code: &'static str,
        ko: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            code,
            message_ko: ko.into(),
            message_en: en.into(),
            fields: None,
        }
    }

    /// Not found (also what another complex's objects look like).
    pub fn not_found(code: &'static str, what_ko: &str, what_en: &str) -> Self {
        Self::new(
            ErrorKind::NotFound,
            code,
            format!("{what_ko}을(를) 찾을 수 없습니다."),
            format!("{what_en} not found"),
        )
    }

    /// Invalid input.
    pub fn invalid(code: &'static str, ko: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, code, ko, en)
    }

    /// Not allowed.
    pub fn forbidden(code: &'static str, ko: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, ko, en)
    }

    /// Conflicts with the current state.
    pub fn conflict(code: &'static str, ko: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, ko, en)
    }

    /// An internal failure; the detail is logged here and hidden from the caller.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(
            ErrorKind::Internal,
            "internal",
            "서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요.",
            "internal server error",
        )
    }

    /// No session.
    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "로그인이 필요합니다.",
            "authentication required",
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<FormErrors> for AppError {
    fn from(e: FormErrors) -> Self {
        let n = e.errors().len();
        Self {
            kind: ErrorKind::Invalid,
            code: "form_invalid",
            message_ko: format!("입력한 내용에 고칠 곳이 {n}군데 있습니다."),
            message_en: format!("the form has {n} problem(s)"),
            fields: Some(e),
        }
    }
}

impl From<CatalogueError> for AppError {
    fn from(e: CatalogueError) -> Self {
        Self::new(ErrorKind::Invalid, e.code(), e.message_ko(), e.message_en())
    }
}

impl From<WorkflowError> for AppError {
    fn from(e: WorkflowError) -> Self {
        let kind = match e {
            WorkflowError::NotOnLine
            | WorkflowError::NotYourTurn
            | WorkflowError::PostConfirmNeedsOwner => ErrorKind::Forbidden,
            WorkflowError::LineNeedsOneFinal
            | WorkflowError::FinalNotLast
            | WorkflowError::BadStepMembers(_)
            | WorkflowError::DuplicateMember => ErrorKind::Invalid,
            WorkflowError::HeldByAnother
            | WorkflowError::NotInProgress
            | WorkflowError::AlreadyCompleted
            | WorkflowError::AlreadyActed
            | WorkflowError::NothingToConfirm => ErrorKind::Conflict,
        };
        Self::new(kind, e.code(), e.message_ko(), e.message_en())
    }
}
