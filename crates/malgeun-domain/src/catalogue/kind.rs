//! A document kind (문서 종류): what it is, who drafts and approves it, how long it is kept, who may
//! see it and which form fields it has. Definitions are data (TOML), validated here once so that the
//! rest of the system can trust them.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::CatalogueError;
use crate::approval::StepKind;
use crate::disclosure::DisclosureClass;
use crate::money::Won;
use crate::retention::RetentionPeriod;
use crate::role::Role;
use crate::text;

/// Default `max_length` of a single-line text field (characters, after NFC).
pub const TEXT_DEFAULT_MAX: usize = 200;
/// Largest `max_length` a single-line text field may declare.
pub const TEXT_LIMIT: usize = 2_000;
/// Default and largest `max_length` of a multiline field: long enough for minutes, short enough for
/// a ledger of documents that is hashed and kept for decades.
pub const MULTILINE_DEFAULT_MAX: usize = 20_000;
/// Default `max_rows` of a table.
pub const TABLE_DEFAULT_MAX_ROWS: usize = 200;
/// Largest `max_rows` a table may declare.
pub const TABLE_ROW_LIMIT: usize = 1_000;

/// A stable kind code such as `expense-resolution`: lowercase ASCII kebab-case, at most 60
/// characters. It names the catalogue file and is stored with every document, so it never changes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KindCode(String);

impl KindCode {
    /// Parses a code; `None` unless it is `[a-z][a-z0-9]*(-[a-z0-9]+)*` and at most 60 characters.
    pub fn parse(code: &str) -> Option<Self> {
        let ok = !code.is_empty()
            && code.len() <= 60
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        ok.then(|| Self(code.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KindCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KindCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KindCode({})", self.0)
    }
}

impl FromStr for KindCode {
    type Err = CatalogueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| CatalogueError::InvalidKindCode {
            value: s.to_owned(),
        })
    }
}

/// One step of a line template: a kind of step and the role(s) that act in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepTemplate {
    /// 검토, 협조, 결재 or 참조.
    pub kind: StepKind,
    /// One role for review and final; one or more (a parallel group) for agreement and reference.
    pub roles: Vec<Role>,
}

/// The default approval line (결재선) of a kind and how far a drafter may change it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineTemplate {
    /// Whether the drafter may edit the line before 상신 (within [`KindDefinition::check_line`]).
    pub editable: bool,
    /// Roles allowed in the 결재 step: whoever else the drafter picks, the document must come into
    /// being under someone with that authority.
    pub final_roles: Vec<Role>,
    /// The default steps, in order.
    pub steps: Vec<StepTemplate>,
}

/// 전결: roles that may give final approval in place of the 결재 step, ending the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delegation {
    /// Roles that may approve as final.
    pub roles: Vec<Role>,
    /// Only when the form's money total is at most this (원); `None` means no amount limit.
    pub max_total: Option<Won>,
}

impl Delegation {
    /// Whether `role` may approve as final for a form whose money total is `total`. With an amount
    /// limit, an unknown total never qualifies: 전결 is the exception and must be provable.
    pub fn allows(&self, role: &Role, total: Option<Won>) -> bool {
        self.roles.contains(role)
            && match self.max_total {
                None => true,
                Some(max) => total.is_some_and(|t| t <= max),
            }
    }
}

/// The type of a form field and its type-specific rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// One line of text (no newlines or control characters), at most `max_length` characters.
    Text {
        /// Maximum length in characters after NFC.
        max_length: usize,
    },
    /// Several lines of text, at most `max_length` characters.
    Multiline {
        /// Maximum length in characters after NFC.
        max_length: usize,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// An amount in 원.
    Money {
        /// Whether negative amounts (refunds, corrections) are allowed.
        allow_negative: bool,
    },
    /// A whole number within optional bounds.
    Integer {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// One of a fixed list of options.
    Choice {
        /// The options, NFC, in display order.
        options: Vec<String>,
    },
    /// Rows of scalar columns, optionally with a summed column.
    Table {
        /// The columns (never tables).
        columns: Vec<FieldDef>,
        /// Fewest rows when the table is given.
        min_rows: usize,
        /// Most rows.
        max_rows: usize,
        /// The money or integer column whose sum is the table's total.
        total: Option<String>,
    },
}

impl FieldType {
    /// The type name used in catalogue files.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Multiline { .. } => "multiline",
            Self::Date => "date",
            Self::Money { .. } => "money",
            Self::Integer { .. } => "integer",
            Self::Choice { .. } => "choice",
            Self::Table { .. } => "table",
        }
    }
}

/// A form field (or a table column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    key: String,
    label: String,
    help: Option<String>,
    required: bool,
    field_type: FieldType,
}

impl FieldDef {
    /// The key in form input and stored content (snake_case ASCII).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The Korean label shown on the form.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// A Korean hint shown under the field.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Whether a value must be given.
    pub fn required(&self) -> bool {
        self.required
    }

    /// The type and its rules.
    pub fn field_type(&self) -> &FieldType {
        &self.field_type
    }

    /// For a table with a total: the total column's definition.
    pub fn total_column(&self) -> Option<&FieldDef> {
        match &self.field_type {
            FieldType::Table {
                columns,
                total: Some(t),
                ..
            } => columns.iter().find(|c| &c.key == t),
            _ => None,
        }
    }

    /// Whether this is a money field or a table whose total is money: what 전결 limits look at.
    fn is_amount(&self) -> bool {
        matches!(self.field_type, FieldType::Money { .. })
            || self
                .total_column()
                .is_some_and(|c| matches!(c.field_type, FieldType::Money { .. }))
    }
}

/// A validated document kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindDefinition {
    code: KindCode,
    version: u32,
    name: String,
    category: String,
    description: String,
    basis: Option<String>,
    retention: RetentionPeriod,
    disclosure: DisclosureClass,
    restricted: bool,
    received: bool,
    drafters: Vec<Role>,
    viewers: Vec<Role>,
    amount_field: Option<String>,
    line: LineTemplate,
    delegation: Option<Delegation>,
    fields: Vec<FieldDef>,
}

impl KindDefinition {
    /// Parses and validates a kind definition (see `standards/README.md` for the format).
    pub fn from_toml(source: &str) -> Result<Self, CatalogueError> {
        let raw: RawKind = toml::from_str(source).map_err(|e| CatalogueError::Syntax {
            detail: e.to_string().trim().to_owned(),
        })?;
        Self::from_raw(raw)
    }

    /// Writes the definition as TOML that [`KindDefinition::from_toml`] reads back to an equal
    /// definition: a complex's override is stored as the TOML text of a new version.
    pub fn to_toml(&self) -> String {
        // Serialising plain strings, numbers and tables cannot fail; an empty string would only
        // appear if the toml crate broke that promise, and from_toml would then reject it loudly.
        toml::to_string(&self.to_raw()).unwrap_or_default()
    }

    /// A complex's override of the default line, as a new version of this kind.
    pub fn with_line(&self, line: LineTemplate, new_version: u32) -> Result<Self, CatalogueError> {
        if new_version <= self.version {
            return Err(CatalogueError::InvalidVersion { value: new_version });
        }
        check_template(&line)?;
        let mut next = self.clone();
        next.line = line;
        next.version = new_version;
        Ok(next)
    }

    /// Checks a drafter's edited line: unchanged when the kind's line is not editable, otherwise
    /// exactly one 결재 step, which is the last acting step and held by a role in `final_roles`,
    /// review/final steps with one role, no empty step and no role acting twice.
    pub fn check_line(&self, steps: &[StepTemplate]) -> Result<(), CatalogueError> {
        if !self.line.editable {
            return if steps == self.line.steps.as_slice() {
                Ok(())
            } else {
                Err(CatalogueError::LineNotEditable)
            };
        }
        check_steps(steps, &self.line.final_roles)
    }

    /// The stable code.
    pub fn code(&self) -> &KindCode {
        &self.code
    }

    /// The version (1 for the standard; a complex's override increases it).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The Korean name, e.g. `지출결의서`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Korean category used to group kinds, e.g. `회계`.
    pub fn category(&self) -> &str {
        &self.category
    }

    /// One Korean sentence on what the kind is for.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The legal basis, when there is one.
    pub fn basis(&self) -> Option<&str> {
        self.basis.as_deref()
    }

    /// 보존기간.
    pub fn retention(&self) -> RetentionPeriod {
        self.retention
    }

    /// 공개 구분.
    pub fn disclosure(&self) -> DisclosureClass {
        self.disclosure
    }

    /// Whether only the drafter and the line's members may see documents of this kind (personnel,
    /// complaints with personal data); `viewers` are then ignored.
    pub fn restricted(&self) -> bool {
        self.restricted
    }

    /// Whether this kind records a received external document (공문 접수).
    pub fn received(&self) -> bool {
        self.received
    }

    /// Roles that may draft (기안).
    pub fn drafters(&self) -> &[Role] {
        &self.drafters
    }

    /// Roles that may view besides the drafter and the line; empty when the kind is restricted.
    pub fn viewers(&self) -> &[Role] {
        if self.restricted { &[] } else { &self.viewers }
    }

    /// The key of the field whose amount 전결 limits look at, if any: set in the file, or else the
    /// first table with a money total.
    pub fn amount_field(&self) -> Option<&str> {
        self.amount_field.as_deref().or_else(|| {
            self.fields
                .iter()
                .find(|f| f.total_column().is_some() && f.is_amount())
                .map(|f| f.key.as_str())
        })
    }

    /// The default line.
    pub fn line(&self) -> &LineTemplate {
        &self.line
    }

    /// 전결 rules, if any.
    pub fn delegation(&self) -> Option<&Delegation> {
        self.delegation.as_ref()
    }

    /// The form fields, in display order.
    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// A field by key.
    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    fn from_raw(raw: RawKind) -> Result<Self, CatalogueError> {
        let code = raw.code.parse::<KindCode>()?;
        if raw.version == 0 {
            return Err(CatalogueError::InvalidVersion { value: 0 });
        }
        let name = single_line(&raw.name, "name")?;
        let category = single_line(&raw.category, "category")?;
        let description = single_line(&raw.description, "description")?;
        let basis = raw
            .basis
            .as_deref()
            .map(|b| single_line(b, "basis"))
            .transpose()?;
        let retention = raw.retention.parse::<RetentionPeriod>().map_err(|_| {
            CatalogueError::InvalidRetention {
                value: raw.retention.clone(),
            }
        })?;
        let disclosure = raw.disclosure.parse::<DisclosureClass>().map_err(|_| {
            CatalogueError::InvalidDisclosure {
                value: raw.disclosure.clone(),
            }
        })?;
        let drafters = roles(&raw.drafters)?;
        if drafters.is_empty() {
            return Err(CatalogueError::NoDrafters);
        }
        let viewers = roles(&raw.viewers)?;
        let line = LineTemplate {
            editable: raw.line.editable,
            final_roles: roles(&raw.line.final_roles)?,
            steps: raw
                .line
                .steps
                .iter()
                .map(|s| {
                    Ok(StepTemplate {
                        kind: s.kind.parse().map_err(|_| CatalogueError::Syntax {
                            detail: format!("unknown step kind `{}`", s.kind),
                        })?,
                        roles: roles(&s.roles)?,
                    })
                })
                .collect::<Result<_, CatalogueError>>()?,
        };
        check_template(&line)?;

        let fields = fields(&raw.fields, false)?;
        check_total_keys(&fields)?;

        let kind = Self {
            code,
            version: raw.version,
            name,
            category,
            description,
            basis,
            retention,
            disclosure,
            restricted: raw.restricted,
            received: raw.received,
            drafters,
            viewers,
            amount_field: raw.amount_field,
            line,
            delegation: None,
            fields,
        };
        if let Some(key) = &kind.amount_field
            && !kind.field(key).is_some_and(FieldDef::is_amount)
        {
            return Err(CatalogueError::InvalidAmountField { key: key.clone() });
        }
        let delegation = raw
            .delegation
            .map(|d| -> Result<Delegation, CatalogueError> {
                let roles = roles(&d.roles)?;
                if roles.is_empty() {
                    return Err(CatalogueError::InvalidDelegation {
                        reason_en: "no roles",
                        reason_ko: "전결할 수 있는 역할이 없습니다",
                    });
                }
                if d.max_total.is_some_and(|m| m < 0) {
                    return Err(CatalogueError::InvalidDelegation {
                        reason_en: "negative amount limit",
                        reason_ko: "금액 한도가 음수입니다",
                    });
                }
                if d.max_total.is_some() && kind.amount_field().is_none() {
                    return Err(CatalogueError::InvalidDelegation {
                        reason_en: "an amount limit needs a money field or a table with a money total",
                        reason_ko: "금액 한도를 두려면 금액 항목이나 금액 합계가 있는 표가 있어야 합니다",
                    });
                }
                Ok(Delegation {
                    roles,
                    max_total: d.max_total.map(Won),
                })
            })
            .transpose()?;
        Ok(Self { delegation, ..kind })
    }

    fn to_raw(&self) -> RawKind {
        let codes = |roles: &[Role]| roles.iter().map(|r| r.as_str().to_owned()).collect();
        RawKind {
            code: self.code.0.clone(),
            version: self.version,
            name: self.name.clone(),
            category: self.category.clone(),
            description: self.description.clone(),
            basis: self.basis.clone(),
            retention: self.retention.to_string(),
            disclosure: self.disclosure.code().to_owned(),
            restricted: self.restricted,
            received: self.received,
            drafters: codes(&self.drafters),
            viewers: codes(&self.viewers),
            amount_field: self.amount_field.clone(),
            line: RawLine {
                editable: self.line.editable,
                final_roles: codes(&self.line.final_roles),
                steps: self
                    .line
                    .steps
                    .iter()
                    .map(|s| RawStep {
                        kind: s.kind.code().to_owned(),
                        roles: codes(&s.roles),
                    })
                    .collect(),
            },
            delegation: self.delegation.as_ref().map(|d| RawDelegation {
                roles: codes(&d.roles),
                max_total: d.max_total.map(|w| w.0),
            }),
            fields: self.fields.iter().map(field_to_raw).collect(),
        }
    }
}

/// Validates a line template: its own shape plus the rules every drafted line must meet.
fn check_template(line: &LineTemplate) -> Result<(), CatalogueError> {
    if line.final_roles.is_empty() {
        return Err(CatalogueError::NoFinalRoles);
    }
    if let Some(dup) = first_duplicate(&line.final_roles) {
        return Err(CatalogueError::DuplicateRole {
            role: dup.to_string(),
        });
    }
    check_steps(&line.steps, &line.final_roles)
}

/// The rules every approval line meets (see [`KindDefinition::check_line`]).
fn check_steps(steps: &[StepTemplate], final_roles: &[Role]) -> Result<(), CatalogueError> {
    for (index, step) in steps.iter().enumerate() {
        let ok = match step.kind {
            StepKind::Review | StepKind::Final => step.roles.len() == 1,
            StepKind::Agreement | StepKind::Reference => !step.roles.is_empty(),
        };
        if !ok {
            return Err(CatalogueError::StepRoleCount {
                index,
                kind: step.kind,
            });
        }
        if let Some(dup) = first_duplicate(&step.roles) {
            return Err(CatalogueError::DuplicateRole {
                role: dup.to_string(),
            });
        }
    }
    let finals = steps.iter().filter(|s| s.kind == StepKind::Final).count();
    match finals {
        0 => return Err(CatalogueError::NoFinalStep),
        1 => {}
        _ => return Err(CatalogueError::MultipleFinalSteps),
    }
    let last_acting = steps
        .iter()
        .rev()
        .find(|s| s.kind != StepKind::Reference)
        .ok_or(CatalogueError::NoFinalStep)?;
    if last_acting.kind != StepKind::Final {
        return Err(CatalogueError::FinalNotLast);
    }
    if let Some(role) = last_acting.roles.first()
        && !final_roles.contains(role)
    {
        return Err(CatalogueError::FinalRoleNotAllowed {
            role: role.to_string(),
        });
    }
    let acting: Vec<Role> = steps
        .iter()
        .filter(|s| s.kind != StepKind::Reference)
        .flat_map(|s| s.roles.iter().cloned())
        .collect();
    if let Some(dup) = first_duplicate(&acting) {
        return Err(CatalogueError::DuplicateRole {
            role: dup.to_string(),
        });
    }
    Ok(())
}

fn first_duplicate(roles: &[Role]) -> Option<&Role> {
    let mut seen = BTreeSet::new();
    roles.iter().find(|r| !seen.insert(*r))
}

fn roles(codes: &[String]) -> Result<Vec<Role>, CatalogueError> {
    let roles = codes
        .iter()
        .map(|c| Role::parse(c).ok_or_else(|| CatalogueError::InvalidRole { value: c.clone() }))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(dup) = first_duplicate(&roles) {
        return Err(CatalogueError::DuplicateRole {
            role: dup.to_string(),
        });
    }
    Ok(roles)
}

fn single_line(value: &str, what: &str) -> Result<String, CatalogueError> {
    text::single_line(value).ok_or_else(|| CatalogueError::InvalidText {
        what: what.to_owned(),
    })
}

/// Whether a field key is lowercase snake_case ASCII of at most 40 characters.
fn valid_field_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 40
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The input key that carries a table's total (see the form module).
pub(super) fn total_key(table_key: &str) -> String {
    format!("{table_key}_total")
}

/// A field may not be named like another table's total key: the two would collide in form input
/// and in stored content.
fn check_total_keys(fields: &[FieldDef]) -> Result<(), CatalogueError> {
    for table in fields.iter().filter(|f| f.total_column().is_some()) {
        let key = total_key(&table.key);
        if fields.iter().any(|f| f.key == key) {
            return Err(CatalogueError::DuplicateField { key });
        }
    }
    Ok(())
}

fn fields(raw: &[RawField], in_table: bool) -> Result<Vec<FieldDef>, CatalogueError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for r in raw {
        if !valid_field_key(&r.key) {
            return Err(CatalogueError::InvalidFieldKey { key: r.key.clone() });
        }
        if !seen.insert(r.key.clone()) {
            return Err(CatalogueError::DuplicateField { key: r.key.clone() });
        }
        let field = field(r, in_table)?;
        out.push(field);
    }
    Ok(out)
}

fn field(r: &RawField, in_table: bool) -> Result<FieldDef, CatalogueError> {
    let key = &r.key;
    let label = single_line(&r.label, &format!("{key}.label"))?;
    let help = r
        .help
        .as_deref()
        .map(|h| single_line(h, &format!("{key}.help")))
        .transpose()?;
    // Which optional attributes a type accepts; anything else is a mistake in the file.
    let allowed: &[&str] = match r.ty.as_str() {
        "text" | "multiline" => &["max_length"],
        "date" => &[],
        "money" => &["allow_negative"],
        "integer" => &["min", "max"],
        "choice" => &["options"],
        "table" if !in_table => &["columns", "min_rows", "max_rows", "total"],
        "table" => {
            return Err(CatalogueError::InvalidColumns { key: key.clone() });
        }
        other => {
            return Err(CatalogueError::InvalidFieldType {
                key: key.clone(),
                value: other.to_owned(),
            });
        }
    };
    for (attribute, present) in r.present_attributes() {
        if present && !allowed.contains(&attribute) {
            return Err(CatalogueError::AttributeNotApplicable {
                key: key.clone(),
                attribute,
            });
        }
    }
    let limits = || CatalogueError::InvalidLimits { key: key.clone() };
    let field_type = match r.ty.as_str() {
        "text" => {
            let max_length = r.max_length.unwrap_or(TEXT_DEFAULT_MAX);
            if max_length == 0 || max_length > TEXT_LIMIT {
                return Err(limits());
            }
            FieldType::Text { max_length }
        }
        "multiline" => {
            let max_length = r.max_length.unwrap_or(MULTILINE_DEFAULT_MAX);
            if max_length == 0 || max_length > MULTILINE_DEFAULT_MAX {
                return Err(limits());
            }
            FieldType::Multiline { max_length }
        }
        "date" => FieldType::Date,
        "money" => FieldType::Money {
            allow_negative: r.allow_negative.unwrap_or(false),
        },
        "integer" => {
            if let (Some(min), Some(max)) = (r.min, r.max)
                && min > max
            {
                return Err(limits());
            }
            FieldType::Integer {
                min: r.min,
                max: r.max,
            }
        }
        "choice" => {
            let bad = || CatalogueError::InvalidOptions { key: key.clone() };
            let options = r
                .options
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|o| text::single_line(o).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?;
            let distinct: BTreeSet<&String> = options.iter().collect();
            if options.is_empty() || distinct.len() != options.len() {
                return Err(bad());
            }
            FieldType::Choice { options }
        }
        _ => {
            let columns = fields(r.columns.as_deref().unwrap_or_default(), true)?;
            if columns.is_empty() {
                return Err(CatalogueError::InvalidColumns { key: key.clone() });
            }
            let min_rows = r.min_rows.unwrap_or(0);
            let max_rows = r.max_rows.unwrap_or(TABLE_DEFAULT_MAX_ROWS);
            if max_rows == 0 || max_rows > TABLE_ROW_LIMIT || min_rows > max_rows {
                return Err(limits());
            }
            if let Some(total) = &r.total {
                let numeric = columns.iter().any(|c| {
                    &c.key == total
                        && matches!(
                            c.field_type,
                            FieldType::Money { .. } | FieldType::Integer { .. }
                        )
                });
                if !numeric {
                    return Err(CatalogueError::InvalidTotal {
                        key: key.clone(),
                        column: total.clone(),
                    });
                }
            }
            FieldType::Table {
                columns,
                min_rows,
                max_rows,
                total: r.total.clone(),
            }
        }
    };
    Ok(FieldDef {
        key: key.clone(),
        label,
        help,
        required: r.required,
        field_type,
    })
}

fn field_to_raw(f: &FieldDef) -> RawField {
    let mut raw = RawField {
        key: f.key.clone(),
        label: f.label.clone(),
        ty: f.field_type.code().to_owned(),
        required: f.required,
        help: f.help.clone(),
        max_length: None,
        allow_negative: None,
        min: None,
        max: None,
        options: None,
        min_rows: None,
        max_rows: None,
        total: None,
        columns: None,
    };
    // Defaults are left out so that written files stay as short as hand-written ones.
    match &f.field_type {
        FieldType::Text { max_length } => {
            raw.max_length = (*max_length != TEXT_DEFAULT_MAX).then_some(*max_length);
        }
        FieldType::Multiline { max_length } => {
            raw.max_length = (*max_length != MULTILINE_DEFAULT_MAX).then_some(*max_length);
        }
        FieldType::Date => {}
        FieldType::Money { allow_negative } => {
            raw.allow_negative = allow_negative.then_some(true);
        }
        FieldType::Integer { min, max } => {
            raw.min = *min;
            raw.max = *max;
        }
        FieldType::Choice { options } => raw.options = Some(options.clone()),
        FieldType::Table {
            columns,
            min_rows,
            max_rows,
            total,
        } => {
            raw.columns = Some(columns.iter().map(field_to_raw).collect());
            raw.min_rows = (*min_rows != 0).then_some(*min_rows);
            raw.max_rows = (*max_rows != TABLE_DEFAULT_MAX_ROWS).then_some(*max_rows);
            raw.total = total.clone();
        }
    }
    raw
}

// The file format. Only these private structs touch serde; domain types never derive Serialize so
// that nothing leaves the domain without going through a deliberate conversion.

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    code: String,
    version: u32,
    name: String,
    category: String,
    description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basis: Option<String>,
    retention: String,
    disclosure: String,
    #[serde(default)]
    restricted: bool,
    #[serde(default)]
    received: bool,
    drafters: Vec<String>,
    #[serde(default)]
    viewers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount_field: Option<String>,
    line: RawLine,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delegation: Option<RawDelegation>,
    #[serde(default)]
    fields: Vec<RawField>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    #[serde(default = "yes")]
    editable: bool,
    final_roles: Vec<String>,
    steps: Vec<RawStep>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    kind: String,
    roles: Vec<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawDelegation {
    roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_total: Option<i64>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    key: String,
    label: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    help: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    allow_negative: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_rows: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_rows: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    columns: Option<Vec<RawField>>,
}

impl RawField {
    fn present_attributes(&self) -> [(&'static str, bool); 9] {
        [
            ("max_length", self.max_length.is_some()),
            ("allow_negative", self.allow_negative.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("options", self.options.is_some()),
            ("columns", self.columns.is_some()),
            ("min_rows", self.min_rows.is_some()),
            ("max_rows", self.max_rows.is_some()),
            ("total", self.total.is_some()),
        ]
    }
}
