//! 전자화문서 (digitised records): the rules that map the scanned files of a paper archive, by their
//! path inside the import folder, to a document kind, the original's date, a title and provenance
//! (who scanned it, when, from which box).
//!
//! Rules are TOML written by people (see `default-rules.toml` beside this file for the shape), so
//! every refusal names the rule and what is wrong, in Korean and English. Matching is pure: the
//! caller walks the folder, passes each file's path as NFC segments and any manifest (`출처.toml`)
//! that applies, and gets a [`Mapped`] record or the reason it matched nothing.

mod pattern;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use thiserror::Error;

use crate::error::UserFacing;
use crate::text::{nfc, single_line};
use crate::time::parse_date;

use pattern::{Capture, PathPattern};

/// The default rules: `DIR/<year>/<kind name>/<file>`, with or without a box folder.
pub const DEFAULT_RULES: &str = include_str!("default-rules.toml");

/// File names of the per-folder provenance manifest; it applies to its folder and everything below.
pub const MANIFEST_NAMES: &[&str] = &["출처.toml", "provenance.toml"];

/// Longest title in characters (as for drafts).
const MAX_TITLE_CHARS: usize = 200;

/// Folder names common in storerooms, as (name, kind code); used when the complex's catalogue has
/// the kind. A rules file's `[kinds]` table adds to (and overrides) these.
const BUILTIN_ALIASES: &[(&str, &str)] = &[
    ("관리비", "management-fee-levy"),
    ("관리비부과", "management-fee-levy"),
    ("관리비부과내역", "management-fee-levy"),
    ("회의록", "council-minutes"),
    ("입대의회의록", "council-minutes"),
    ("입주자대표회의", "council-minutes"),
    ("업무일지", "daily-work-log"),
    ("점검일지", "facility-inspection-log"),
    ("시설점검", "facility-inspection-log"),
    ("시설점검일지", "facility-inspection-log"),
    ("공문", "received-document"),
    ("수신공문", "received-document"),
    ("접수공문", "received-document"),
    ("발신공문", "outgoing-document"),
    ("공고", "notice"),
    ("공고문", "notice"),
    ("안내문", "notice"),
    ("계약서", "service-contract"),
    ("계약", "service-contract"),
    ("지출결의", "expense-resolution"),
    ("품의", "purchase-request"),
    ("예산", "budget"),
    ("결산", "settlement"),
    ("외부감사", "external-audit-report"),
    ("입찰", "bid-notice"),
    ("민원", "complaint-register"),
    ("인수인계", "handover"),
    ("임금", "payroll"),
    ("장기수선계획", "ltr-plan-review"),
    ("소방점검", "fire-self-inspection"),
    ("놀이터점검", "playground-inspection"),
    ("저수조", "water-tank-cleaning"),
    ("안전점검", "safety-inspection"),
    ("하자보수", "defect-repair-claim"),
];

/// Why a rules file or a manifest was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RulesError {
    /// Not TOML, or not the expected shape (unknown key, wrong type).
    #[error("{file}: not valid TOML of the expected shape: {detail}")]
    Syntax {
        /// Which file.
        file: String,
        /// The parser's explanation, with line and column.
        detail: String,
    },
    /// No `[[rule]]` at all.
    #[error("the rules file has no [[rule]]")]
    NoRules,
    /// A rule's `path` is not a valid pattern.
    #[error("rule `{rule}`: invalid path pattern `{path}`: {detail}")]
    BadPattern {
        /// The rule.
        rule: String,
        /// The pattern.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// A rule that neither fixes a kind nor captures one.
    #[error("rule `{rule}` gives no kind: set `kind = \"…\"` or put {{kind}} in its path")]
    NoKind {
        /// The rule.
        rule: String,
    },
    /// A kind code that the complex's catalogue does not have.
    #[error("{place}: unknown document kind `{code}`")]
    UnknownKind {
        /// Where it was named (a rule or the `[kinds]` table).
        place: String,
        /// The code.
        code: String,
    },
    /// A date that is not `YYYY-MM-DD`.
    #[error("{place}: `{value}` is not a date (YYYY-MM-DD)")]
    BadDate {
        /// Where.
        place: String,
        /// The text.
        value: String,
    },
    /// A text value that is empty or spans several lines.
    #[error("{place}: `{what}` must be a non-empty single line")]
    BadText {
        /// Where.
        place: String,
        /// Which key.
        what: String,
    },
}

impl UserFacing for RulesError {
    fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } => "rules_syntax",
            Self::NoRules => "rules_empty",
            Self::BadPattern { .. } => "rules_bad_pattern",
            Self::NoKind { .. } => "rules_no_kind",
            Self::UnknownKind { .. } => "unknown_kind",
            Self::BadDate { .. } => "rules_bad_date",
            Self::BadText { .. } => "rules_bad_text",
        }
    }

    fn message_ko(&self) -> String {
        match self {
            Self::Syntax { file, detail } => {
                format!("{file}: 규칙 파일 형식이 올바르지 않습니다: {detail}")
            }
            Self::NoRules => "규칙 파일에 [[rule]]이 하나도 없습니다.".to_owned(),
            Self::BadPattern { rule, path, detail } => {
                format!("규칙 '{rule}'의 경로 패턴 '{path}'이(가) 올바르지 않습니다: {detail}")
            }
            Self::NoKind { rule } => format!(
                "규칙 '{rule}'은(는) 문서 종류를 정하지 않습니다. kind = \"…\"를 쓰거나 경로에 {{kind}}를 넣어 주세요."
            ),
            Self::UnknownKind { place, code } => {
                format!("{place}: '{code}'은(는) 이 단지에 없는 문서 종류입니다.")
            }
            Self::BadDate { place, value } => {
                format!("{place}: '{value}'은(는) 날짜(YYYY-MM-DD)가 아닙니다.")
            }
            Self::BadText { place, what } => {
                format!("{place}: '{what}'은(는) 비어 있지 않은 한 줄이어야 합니다.")
            }
        }
    }
}

/// Provenance values as written in a rules file, a rule or a manifest.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvenanceToml {
    scanned_by: Option<String>,
    scanned_on: Option<String>,
    #[serde(rename = "box")]
    box_label: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesToml {
    #[serde(default)]
    kinds: BTreeMap<String, String>,
    #[serde(default)]
    provenance: ProvenanceToml,
    #[serde(default)]
    rule: Vec<RuleToml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    name: Option<String>,
    path: String,
    kind: Option<String>,
    extensions: Option<Vec<String>>,
    scanned_by: Option<String>,
    scanned_on: Option<String>,
    #[serde(rename = "box")]
    box_label: Option<String>,
}

/// Who scanned a paper document, when, and from which box (all optional: unknown is recorded as
/// unknown).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// Who scanned it.
    pub scanned_by: Option<String>,
    /// The day it was scanned.
    pub scanned_on: Option<NaiveDate>,
    /// The storeroom box it came from (e.g. `상자 12`).
    pub box_label: Option<String>,
}

impl Provenance {
    fn parse(p: ProvenanceToml, place: &str) -> Result<Self, RulesError> {
        let text = |v: Option<String>, what: &str| {
            v.map(|s| {
                single_line(&s).ok_or_else(|| RulesError::BadText {
                    place: place.to_owned(),
                    what: what.to_owned(),
                })
            })
            .transpose()
        };
        let scanned_on = p
            .scanned_on
            .map(|s| {
                parse_date(s.trim()).ok_or_else(|| RulesError::BadDate {
                    place: place.to_owned(),
                    value: s.clone(),
                })
            })
            .transpose()?;
        Ok(Self {
            scanned_by: text(p.scanned_by, "scanned_by")?,
            scanned_on,
            box_label: text(p.box_label, "box")?,
        })
    }

    /// Fills what is unknown here from `other`.
    pub fn or(self, other: &Provenance) -> Provenance {
        Provenance {
            scanned_by: self.scanned_by.or_else(|| other.scanned_by.clone()),
            scanned_on: self.scanned_on.or(other.scanned_on),
            box_label: self.box_label.or_else(|| other.box_label.clone()),
        }
    }

    /// A per-folder manifest (`출처.toml`): `scanned_by`, `scanned_on`, `box`.
    pub fn from_manifest(source: &str, file: &str) -> Result<Self, RulesError> {
        let p: ProvenanceToml = toml::from_str(source).map_err(|e| RulesError::Syntax {
            file: file.to_owned(),
            detail: e.to_string(),
        })?;
        Self::parse(p, file)
    }
}

/// The original's date, as precisely as the path tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginalDate {
    /// A day.
    Day(NaiveDate),
    /// Only year and month.
    Month(i32, u32),
    /// Only the year.
    Year(i32),
}

impl OriginalDate {
    /// The first day the date can mean (for the register and for retention).
    pub fn first_day(self) -> NaiveDate {
        match self {
            Self::Day(d) => d,
            Self::Month(y, m) => NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN),
            Self::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN),
        }
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.first_day().year()
    }
}

impl std::fmt::Display for OriginalDate {
    /// `2019-03-05`, `2019-03` or `2019`: the precision is part of the record.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Self::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            Self::Year(y) => write!(f, "{y:04}"),
        }
    }
}

/// One file mapped to a digitised record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    /// The rule that matched.
    pub rule: String,
    /// Kind code.
    pub kind_code: String,
    /// The original's date.
    pub date: OriginalDate,
    /// Title (from the file name).
    pub title: String,
    /// Provenance.
    pub provenance: Provenance,
}

/// Why a file became no record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unmatched {
    /// No rule's pattern fits the path.
    NoRule,
    /// A rule fits but the path tells no year.
    NoDate {
        /// The rule.
        rule: String,
    },
    /// A rule's folders fit but it does not take files of this extension.
    Extension {
        /// The rule.
        rule: String,
        /// The extension (lowercase, may be empty).
        ext: String,
    },
}

impl Unmatched {
    /// The reason in Korean.
    pub fn message_ko(&self) -> String {
        match self {
            Self::NoRule => "맞는 규칙이 없습니다".to_owned(),
            Self::NoDate { rule } => format!("규칙 '{rule}'에 맞지만 연도를 알 수 없습니다"),
            Self::Extension { rule, ext } if ext.is_empty() => {
                format!("규칙 '{rule}'은(는) 확장자 없는 파일을 받지 않습니다")
            }
            Self::Extension { rule, ext } => {
                format!("규칙 '{rule}'은(는) .{ext} 파일을 받지 않습니다")
            }
        }
    }
}

struct Rule {
    name: String,
    pattern: PathPattern,
    kind: Option<String>,
    extensions: Option<Vec<String>>,
    provenance: Provenance,
}

/// A parsed and checked rules file.
pub struct ImportRules {
    rules: Vec<Rule>,
    aliases: BTreeMap<String, String>,
    provenance: Provenance,
}

/// How kind names written on folders are found: the catalogue's codes and names, the built-in
/// storeroom names, and the rules file's `[kinds]` table, compared without spaces, `·` or case.
pub struct KindNames {
    by_key: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
}

fn name_key(s: &str) -> String {
    nfc(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '・' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

impl KindNames {
    /// The kind a folder name means, as its code.
    pub fn resolve(&self, folder: &str) -> Option<&str> {
        self.by_key.get(&name_key(folder)).map(String::as_str)
    }

    /// A kind's Korean name.
    pub fn name(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }
}

impl ImportRules {
    /// The built-in rules ([`DEFAULT_RULES`]).
    pub fn default_rules() -> Self {
        Self::parse(DEFAULT_RULES, "default-rules.toml").expect("the default rules are valid")
    }

    /// Parses and checks a rules file (`file` names it in errors).
    pub fn parse(source: &str, file: &str) -> Result<Self, RulesError> {
        let raw: RulesToml = toml::from_str(source).map_err(|e| RulesError::Syntax {
            file: file.to_owned(),
            detail: e.to_string(),
        })?;
        if raw.rule.is_empty() {
            return Err(RulesError::NoRules);
        }
        let provenance = Provenance::parse(raw.provenance, "[provenance]")?;
        let mut rules = Vec::with_capacity(raw.rule.len());
        for (i, r) in raw.rule.into_iter().enumerate() {
            let name = match r.name {
                Some(n) => single_line(&n).ok_or_else(|| RulesError::BadText {
                    place: format!("[[rule]] {}", i + 1),
                    what: "name".to_owned(),
                })?,
                None => format!("규칙 {}", i + 1),
            };
            let pattern =
                PathPattern::parse(&nfc(&r.path)).map_err(|detail| RulesError::BadPattern {
                    rule: name.clone(),
                    path: r.path.clone(),
                    detail,
                })?;
            let kind = r.kind.map(|k| k.trim().to_owned());
            if kind.is_none() && !pattern.captures(Capture::Kind) {
                return Err(RulesError::NoKind { rule: name });
            }
            let extensions = r.extensions.map(|v| {
                v.iter()
                    .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
                    .collect()
            });
            let provenance = Provenance::parse(
                ProvenanceToml {
                    scanned_by: r.scanned_by,
                    scanned_on: r.scanned_on,
                    box_label: r.box_label,
                },
                &format!("규칙 '{name}'"),
            )?;
            rules.push(Rule {
                name,
                pattern,
                kind,
                extensions,
                provenance,
            });
        }
        let aliases = raw
            .kinds
            .into_iter()
            .map(|(k, v)| (k, v.trim().to_owned()))
            .collect();
        Ok(Self {
            rules,
            aliases,
            provenance,
        })
    }

    /// Checks every kind the rules name against the complex's catalogue (`(code, name)` pairs) and
    /// builds the folder-name lookup.
    pub fn kind_names(&self, catalogue: &[(String, String)]) -> Result<KindNames, RulesError> {
        let known = |code: &str| catalogue.iter().any(|(c, _)| c == code);
        for r in &self.rules {
            if let Some(code) = &r.kind
                && !known(code)
            {
                return Err(RulesError::UnknownKind {
                    place: format!("규칙 '{}'", r.name),
                    code: code.clone(),
                });
            }
        }
        let mut by_key = BTreeMap::new();
        for (name, code) in BUILTIN_ALIASES {
            if known(code) {
                by_key.insert(name_key(name), (*code).to_owned());
            }
        }
        for (code, name) in catalogue {
            by_key.insert(name_key(name), code.clone());
            by_key.insert(name_key(code), code.clone());
        }
        for (name, code) in &self.aliases {
            if !known(code) {
                return Err(RulesError::UnknownKind {
                    place: format!("[kinds] '{name}'"),
                    code: code.clone(),
                });
            }
            by_key.insert(name_key(name), code.clone());
        }
        Ok(KindNames {
            by_key,
            names: catalogue.iter().cloned().collect(),
        })
    }

    /// Maps one file, given as its path's NFC segments relative to the import folder (the last is
    /// the file name), with the provenance of the nearest manifest if any. The first rule whose
    /// pattern, extensions and kind fit wins.
    pub fn map(
        &self,
        segments: &[String],
        kinds: &KindNames,
        manifest: Option<&Provenance>,
    ) -> Result<Mapped, Unmatched> {
        let Some(file) = segments.last() else {
            return Err(Unmatched::NoRule);
        };
        let (stem, ext) = match file.rsplit_once('.') {
            Some((s, e)) if !s.is_empty() => (s, e.to_ascii_lowercase()),
            _ => (file.as_str(), String::new()),
        };
        let mut no_date = None;
        let mut wrong_ext = None;
        for rule in &self.rules {
            if let Some(exts) = &rule.extensions
                && !exts.contains(&ext)
            {
                if wrong_ext.is_none() && rule.pattern.matches(segments, kinds).is_some() {
                    wrong_ext = Some(rule.name.clone());
                }
                continue;
            }
            let Some(caps) = rule.pattern.matches(segments, kinds) else {
                continue;
            };
            let kind_code = match &rule.kind {
                Some(k) => k.clone(),
                None => match caps.get(Capture::Kind).and_then(|k| kinds.resolve(k)) {
                    Some(code) => code.to_owned(),
                    None => continue,
                },
            };
            let detected = detect_date(stem);
            let date = caps
                .get(Capture::Date)
                .and_then(parse_loose_date)
                .map(OriginalDate::Day)
                .or_else(|| detected.map(|(d, _, _)| d))
                .or_else(|| caps.year_month_day());
            let Some(date) = date else {
                no_date.get_or_insert_with(|| rule.name.clone());
                continue;
            };
            // Date parts the pattern took from the file name stay out of the title.
            let mut rest = stem.to_owned();
            if detected.is_none() {
                for part in caps.date_parts_in(segments.len() - 1) {
                    rest = rest.replacen(part, " ", 1);
                }
            }
            let title = caps
                .get(Capture::Title)
                .and_then(single_line)
                .or_else(|| title_from_stem(&rest, detected.map(|(_, a, b)| (a, b))))
                .unwrap_or_else(|| {
                    format!("{} {date}", kinds.name(&kind_code).unwrap_or(&kind_code))
                });
            let from_path = Provenance {
                scanned_by: caps.get(Capture::Scanner).and_then(single_line),
                scanned_on: None,
                box_label: caps
                    .get(Capture::Box)
                    .and_then(single_line)
                    .or_else(|| box_folder(segments)),
            };
            let provenance = from_path
                .or(manifest.unwrap_or(&Provenance::default()))
                .or(&rule.provenance)
                .or(&self.provenance);
            return Ok(Mapped {
                rule: rule.name.clone(),
                kind_code,
                date,
                title: truncate(&title, MAX_TITLE_CHARS),
                provenance,
            });
        }
        Err(match (no_date, wrong_ext) {
            (Some(rule), _) => Unmatched::NoDate { rule },
            (None, Some(rule)) => Unmatched::Extension { rule, ext },
            (None, None) => Unmatched::NoRule,
        })
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A folder named like a storeroom box (`상자 12`, `박스3`, `Box 7`), nearest the file first.
fn box_folder(segments: &[String]) -> Option<String> {
    let folders = &segments[..segments.len().saturating_sub(1)];
    folders.iter().rev().find_map(|s| {
        let lower = s.to_lowercase();
        let rest = ["상자", "박스", "box"]
            .iter()
            .find_map(|p| lower.strip_prefix(p))?;
        let rest = rest.trim_start_matches([' ', '-', '_', '#', '.']);
        rest.starts_with(|c: char| c.is_ascii_digit())
            .then(|| s.trim().to_owned())
    })
}

/// A date written as `2019-03-05`, `2019.03.05`, `2019_03_05` or `20190305`.
pub fn parse_loose_date(s: &str) -> Option<NaiveDate> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let seps_ok = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '_' | ' '));
    if digits.len() != 8 || !seps_ok {
        return None;
    }
    let d = NaiveDate::from_ymd_opt(
        digits[0..4].parse().ok()?,
        digits[4..6].parse().ok()?,
        digits[6..8].parse().ok()?,
    )?;
    plausible_year(d.year()).then_some(d)
}

/// Years a paper archive can hold.
fn plausible_year(y: i32) -> bool {
    (1900..=2100).contains(&y)
}

/// Finds a date in a file name: `YYYY-MM-DD` (also `.` or `_`), `YYYYMMDD`, or `YYYY-MM`, not
/// inside a longer run of digits. Returns it with its byte range.
pub fn detect_date(stem: &str) -> Option<(OriginalDate, usize, usize)> {
    let b = stem.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let sep = |i: usize| b.get(i).is_some_and(|c| matches!(c, b'-' | b'.' | b'_'));
    for start in 0..b.len() {
        if !digit(start) || (start > 0 && digit(start - 1)) {
            continue;
        }
        let all_digits = |from: usize, n: usize| (from..from + n).all(digit);
        if !all_digits(start, 4) {
            continue;
        }
        let year: i32 = stem[start..start + 4].parse().ok()?;
        if !plausible_year(year) {
            continue;
        }
        let candidates: [(usize, bool); 2] = [(start + 10, true), (start + 8, false)];
        for (end, separated) in candidates {
            let shape = if separated {
                sep(start + 4)
                    && b.get(start + 4) == b.get(start + 7)
                    && all_digits(start + 5, 2)
                    && all_digits(start + 8, 2)
            } else {
                all_digits(start, 8)
            };
            if shape
                && !digit(end)
                && let Some(d) = parse_loose_date(&stem[start..end])
            {
                return Some((OriginalDate::Day(d), start, end));
            }
        }
        if sep(start + 4) && all_digits(start + 5, 2) && !digit(start + 7) {
            let month: u32 = stem[start + 5..start + 7].parse().ok()?;
            if (1..=12).contains(&month) {
                return Some((OriginalDate::Month(year, month), start, start + 7));
            }
        }
    }
    None
}

/// The title a file name gives: the name without its date, separators made spaces.
fn title_from_stem(stem: &str, date_at: Option<(usize, usize)>) -> Option<String> {
    let without = match date_at {
        Some((a, b)) => format!("{} {}", &stem[..a], &stem[b..]),
        None => stem.to_owned(),
    };
    let words: Vec<&str> = without
        .split(|c: char| c.is_whitespace() || c == '_')
        .map(|w| w.trim_matches(|c: char| matches!(c, '-' | '.')))
        .filter(|w| !w.is_empty())
        .collect();
    single_line(&words.join(" "))
}
