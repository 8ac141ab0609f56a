//! Why a kind definition, a catalogue or an approval-line edit was refused.
//!
//! Catalogue files are written by people (the project, a complex's override), so every refusal names
//! what is wrong in Korean and English and carries a stable code for the API.

use thiserror::Error;

use crate::approval::StepKind;
use crate::error::UserFacing;

/// An invalid kind definition, catalogue or approval line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogueError {
    /// The TOML text does not parse or does not have the expected shape (unknown key, wrong type).
    #[error("the kind definition is not valid TOML of the expected shape: {detail}")]
    Syntax {
        /// The parser's explanation, with line and column.
        detail: String,
    },
    /// A kind code that is not lowercase ASCII kebab-case of at most 60 characters.
    #[error("invalid kind code `{value}` (lowercase ASCII kebab-case, at most 60 characters)")]
    InvalidKindCode {
        /// The offending text.
        value: String,
    },
    /// Version 0, or an override whose version does not increase.
    #[error(
        "invalid version {value}: versions start at 1 and an override must increase the version"
    )]
    InvalidVersion {
        /// The offending version.
        value: u32,
    },
    /// A role code that does not parse as a `Role`.
    #[error("invalid role code `{value}`")]
    InvalidRole {
        /// The offending text.
        value: String,
    },
    /// An unknown retention code.
    #[error("invalid retention period `{value}`")]
    InvalidRetention {
        /// The offending text.
        value: String,
    },
    /// An unknown disclosure class.
    #[error("invalid disclosure class `{value}` (expected P, R or N)")]
    InvalidDisclosure {
        /// The offending text.
        value: String,
    },
    /// A name, label or other text that is empty or spans several lines.
    #[error("`{what}` must be a non-empty single line")]
    InvalidText {
        /// Which attribute (`name`, `fields.items.label` …).
        what: String,
    },
    /// A kind nobody may draft.
    #[error("a kind needs at least one drafter role")]
    NoDrafters,
    /// A field key that is not lowercase snake_case ASCII.
    #[error("invalid field key `{key}` (lowercase ASCII snake_case, at most 40 characters)")]
    InvalidFieldKey {
        /// The offending key.
        key: String,
    },
    /// Two fields (or two columns of a table) share a key, or a key collides with a table total.
    #[error("field key `{key}` is used twice")]
    DuplicateField {
        /// The repeated key.
        key: String,
    },
    /// An unknown field type.
    #[error("field `{key}` has unknown type `{value}`")]
    InvalidFieldType {
        /// The field.
        key: String,
        /// The offending type name.
        value: String,
    },
    /// An attribute that means nothing for the field's type (e.g. `options` on a date).
    #[error("field `{key}`: attribute `{attribute}` does not apply to its type")]
    AttributeNotApplicable {
        /// The field.
        key: String,
        /// The attribute.
        attribute: &'static str,
    },
    /// A choice without options, or with an option twice.
    #[error("choice field `{key}` needs at least one option and no option twice")]
    InvalidOptions {
        /// The field.
        key: String,
    },
    /// A table without columns or with a table column.
    #[error("table field `{key}` needs one or more scalar columns")]
    InvalidColumns {
        /// The field.
        key: String,
    },
    /// A table total naming no column, or a column that is not money or integer.
    #[error("table `{key}`: total column `{column}` must be a money or integer column")]
    InvalidTotal {
        /// The table.
        key: String,
        /// The named column.
        column: String,
    },
    /// Inconsistent limits (min > max, max_length 0 or too large, max_rows 0 …).
    #[error("field `{key}` has inconsistent limits")]
    InvalidLimits {
        /// The field.
        key: String,
    },
    /// `amount_field` names no money field and no table with a money total.
    #[error("amount_field `{key}` must name a money field or a table with a money total")]
    InvalidAmountField {
        /// The named key.
        key: String,
    },
    /// The line has no 결재 step.
    #[error("an approval line needs a final (결재) step")]
    NoFinalStep,
    /// The line has more than one 결재 step.
    #[error("an approval line may have only one final (결재) step")]
    MultipleFinalSteps,
    /// An acting step follows the 결재 step.
    #[error("the final (결재) step must be the last acting step")]
    FinalNotLast,
    /// A step with no roles, or a review/final step with more than one.
    #[error("step {index} ({kind}) has the wrong number of roles")]
    StepRoleCount {
        /// 0-based position of the step.
        index: usize,
        /// Its kind.
        kind: StepKind,
    },
    /// The 결재 step names a role not in `final_roles`.
    #[error("role `{role}` may not give final approval for this kind")]
    FinalRoleNotAllowed {
        /// The role.
        role: String,
    },
    /// The line template allows nobody to give final approval.
    #[error("final_roles must name at least one role")]
    NoFinalRoles,
    /// A role acts twice in the line.
    #[error("role `{role}` appears more than once in the approval line")]
    DuplicateRole {
        /// The role.
        role: String,
    },
    /// The kind's line is fixed and the drafter changed it.
    #[error("the approval line of this kind may not be changed")]
    LineNotEditable,
    /// 전결 without roles, or with an amount limit on a kind that has no amount.
    #[error("invalid delegation (전결): {reason_en}")]
    InvalidDelegation {
        /// What is wrong, in English.
        reason_en: &'static str,
        /// What is wrong, in Korean.
        reason_ko: &'static str,
    },
    /// A catalogue file whose name is not `<code>.toml` or `<code>.v<version>.toml`.
    #[error("file `{file}` must be named after its code `{code}`")]
    FileNameMismatch {
        /// The file name.
        file: String,
        /// The code inside.
        code: String,
    },
    /// The same code and version twice in a catalogue.
    #[error("kind `{code}` version {version} is defined twice")]
    DuplicateKind {
        /// The code.
        code: String,
        /// The version.
        version: u32,
    },
    /// An error inside a named catalogue file.
    #[error("{file}: {source}")]
    InFile {
        /// The file name.
        file: String,
        /// What is wrong in it.
        source: Box<CatalogueError>,
    },
}

impl CatalogueError {
    /// Wraps the error with the name of the file it was found in.
    pub fn in_file(self, file: &str) -> Self {
        Self::InFile {
            file: file.to_owned(),
            source: Box::new(self),
        }
    }

    /// Stable machine-readable code (the file wrapper is transparent).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } => "catalogue_syntax",
            Self::InvalidKindCode { .. } => "invalid_kind_code",
            Self::InvalidVersion { .. } => "invalid_version",
            Self::InvalidRole { .. } => "invalid_role",
            Self::InvalidRetention { .. } => "invalid_retention",
            Self::InvalidDisclosure { .. } => "invalid_disclosure",
            Self::InvalidText { .. } => "invalid_text",
            Self::NoDrafters => "no_drafters",
            Self::InvalidFieldKey { .. } => "invalid_field_key",
            Self::DuplicateField { .. } => "duplicate_field",
            Self::InvalidFieldType { .. } => "invalid_field_type",
            Self::AttributeNotApplicable { .. } => "attribute_not_applicable",
            Self::InvalidOptions { .. } => "invalid_options",
            Self::InvalidColumns { .. } => "invalid_columns",
            Self::InvalidTotal { .. } => "invalid_total",
            Self::InvalidLimits { .. } => "invalid_limits",
            Self::InvalidAmountField { .. } => "invalid_amount_field",
            Self::NoFinalStep => "line_no_final",
            Self::MultipleFinalSteps => "line_multiple_final",
            Self::FinalNotLast => "line_final_not_last",
            Self::StepRoleCount { .. } => "line_step_role_count",
            Self::FinalRoleNotAllowed { .. } => "line_final_role_not_allowed",
            Self::NoFinalRoles => "line_no_final_roles",
            Self::DuplicateRole { .. } => "line_duplicate_role",
            Self::LineNotEditable => "line_not_editable",
            Self::InvalidDelegation { .. } => "invalid_delegation",
            Self::FileNameMismatch { .. } => "file_name_mismatch",
            Self::DuplicateKind { .. } => "duplicate_kind",
            Self::InFile { source, .. } => source.code(),
        }
    }

    /// The message shown to Korean users.
    pub fn message_ko(&self) -> String {
        match self {
            Self::Syntax { detail } => {
                format!("문서 종류 정의의 형식이 올바르지 않습니다: {detail}")
            }
            Self::InvalidKindCode { value } => format!(
                "문서 종류 코드 `{value}`가 올바르지 않습니다 (영문 소문자·숫자·하이픈, 60자 이내)."
            ),
            Self::InvalidVersion { value } => {
                format!("버전 {value}이(가) 올바르지 않습니다 (1 이상, 변경 시 이전보다 커야 함).")
            }
            Self::InvalidRole { value } => format!("역할 코드 `{value}`가 올바르지 않습니다."),
            Self::InvalidRetention { value } => format!("보존기간 `{value}`가 올바르지 않습니다."),
            Self::InvalidDisclosure { value } => {
                format!("공개 구분 `{value}`가 올바르지 않습니다 (P, R, N 중 하나).")
            }
            Self::InvalidText { what } => {
                format!("`{what}`은(는) 비어 있지 않은 한 줄이어야 합니다.")
            }
            Self::NoDrafters => "기안할 수 있는 역할이 하나 이상 있어야 합니다.".into(),
            Self::InvalidFieldKey { key } => {
                format!("항목 키 `{key}`가 올바르지 않습니다 (영문 소문자·숫자·밑줄, 40자 이내).")
            }
            Self::DuplicateField { key } => format!("항목 키 `{key}`가 중복되었습니다."),
            Self::InvalidFieldType { key, value } => {
                format!("항목 `{key}`의 유형 `{value}`을(를) 알 수 없습니다.")
            }
            Self::AttributeNotApplicable { key, attribute } => {
                format!("항목 `{key}`의 유형에는 `{attribute}` 속성을 쓸 수 없습니다.")
            }
            Self::InvalidOptions { key } => {
                format!("선택 항목 `{key}`에는 중복 없는 선택지가 하나 이상 있어야 합니다.")
            }
            Self::InvalidColumns { key } => {
                format!("표 항목 `{key}`에는 표가 아닌 열이 하나 이상 있어야 합니다.")
            }
            Self::InvalidTotal { key, column } => {
                format!("표 `{key}`의 합계 열 `{column}`은(는) 금액 또는 정수 열이어야 합니다.")
            }
            Self::InvalidLimits { key } => format!("항목 `{key}`의 제한값이 서로 맞지 않습니다."),
            Self::InvalidAmountField { key } => format!(
                "금액 기준 항목 `{key}`은(는) 금액 항목이거나 금액 합계가 있는 표여야 합니다."
            ),
            Self::NoFinalStep => "결재선에 결재 단계가 있어야 합니다.".into(),
            Self::MultipleFinalSteps => "결재선에는 결재 단계가 하나만 있어야 합니다.".into(),
            Self::FinalNotLast => "결재 단계는 참조를 제외한 마지막 단계여야 합니다.".into(),
            Self::StepRoleCount { index, kind } => format!(
                "{}번째 {} 단계의 결재자 수가 올바르지 않습니다.",
                index + 1,
                kind.label_ko()
            ),
            Self::FinalRoleNotAllowed { role } => {
                format!(
                    "`{}`은(는) 이 문서의 결재권자가 될 수 없습니다.",
                    role_title(role)
                )
            }
            Self::NoFinalRoles => "결재권자가 될 수 있는 역할이 하나 이상 있어야 합니다.".into(),
            Self::DuplicateRole { role } => {
                format!("`{}`이(가) 결재선에 두 번 들어 있습니다.", role_title(role))
            }
            Self::LineNotEditable => "이 문서 종류의 결재선은 바꿀 수 없습니다.".into(),
            Self::InvalidDelegation { reason_ko, .. } => {
                format!("전결 규정이 올바르지 않습니다: {reason_ko}")
            }
            Self::FileNameMismatch { file, code } => {
                format!("파일 `{file}`의 이름이 코드 `{code}`와 맞지 않습니다.")
            }
            Self::DuplicateKind { code, version } => {
                format!("문서 종류 `{code}` 버전 {version}이(가) 두 번 정의되었습니다.")
            }
            Self::InFile { file, source } => format!("{file}: {}", source.message_ko()),
        }
    }

    /// The message in English (API clients, logs).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

impl UserFacing for CatalogueError {
    fn code(&self) -> &'static str {
        CatalogueError::code(self)
    }

    fn message_ko(&self) -> String {
        CatalogueError::message_ko(self)
    }
}

/// The Korean title of a standard role, else the code itself (messages must stay readable).
fn role_title(code: &str) -> String {
    crate::role::Role::parse(code)
        .and_then(|r| r.standard_title())
        .map_or_else(|| code.to_owned(), str::to_owned)
}
