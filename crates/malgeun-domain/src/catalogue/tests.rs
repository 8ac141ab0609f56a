//! Tests of the catalogue: the project's standard files, form validation, canonical JSON and line
//! rules.

use std::collections::BTreeSet;
use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::approval::StepKind;
use crate::money::Won;
use crate::role::Role;

fn standards_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../standards/kr-apartment")
}

fn standard_sources() -> Vec<(String, String)> {
    let mut sources: Vec<(String, String)> = std::fs::read_dir(standards_dir())
        .expect("standards/kr-apartment exists")
        .map(|entry| {
            let path = entry.expect("readable entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("utf-8 file name")
                .to_owned();
            (name, path)
        })
        .filter(|(name, _)| name.ends_with(".toml"))
        .map(|(name, path)| {
            let text = std::fs::read_to_string(&path).expect("readable file");
            (name, text)
        })
        .collect();
    sources.sort();
    sources
}

fn standard() -> Catalogue {
    Catalogue::from_sources(standard_sources()).unwrap_or_else(|e| panic!("{e}"))
}

fn expense() -> KindDefinition {
    standard()
        .get("expense-resolution")
        .expect("expense-resolution is standard")
        .clone()
}

fn role(code: &str) -> Role {
    Role::parse(code).expect("valid role")
}

fn step(kind: StepKind, roles: &[&str]) -> StepTemplate {
    StepTemplate {
        kind,
        roles: roles.iter().map(|r| role(r)).collect(),
    }
}

fn valid_expense_input() -> Value {
    json!({
        "spent_on": "2026-03-05",
        "items": [
            {"summary": "승강기 부품 교체", "vendor": "한빛엘리베이터", "amount": 1_200_000, "note": "2호기"},
            {"summary": "소모품 구입", "vendor": "맑은상사", "amount": "35,000원"}
        ],
        "method": "계좌이체",
        "budget_item": "수선유지비"
    })
}

// ---- the standard catalogue -------------------------------------------------------------------

#[test]
fn all_standard_files_parse_with_unique_codes_named_after_their_files() {
    let sources = standard_sources();
    assert!(sources.len() >= 28, "only {} kinds", sources.len());
    let mut codes = BTreeSet::new();
    for (file, text) in &sources {
        let kind = KindDefinition::from_toml(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(format!("{}.toml", kind.code()), *file);
        assert!(codes.insert(kind.code().clone()), "{file}: duplicate code");
        assert_eq!(kind.version(), 1, "{file}: the standard is version 1");
    }
    assert_eq!(standard().len(), sources.len());
}

#[test]
fn every_standard_kind_is_draftable_and_approvable_by_standard_roles() {
    for kind in standard().kinds() {
        let code = kind.code();
        assert!(!kind.drafters().is_empty(), "{code}: no drafter");
        let finals: Vec<_> = kind
            .line()
            .steps
            .iter()
            .filter(|s| s.kind == StepKind::Final)
            .collect();
        assert_eq!(finals.len(), 1, "{code}: needs one final step");
        kind.check_line(&kind.line().steps)
            .unwrap_or_else(|e| panic!("{code}: default line fails its own check: {e}"));
        let all_roles = kind
            .drafters()
            .iter()
            .chain(kind.viewers())
            .chain(&kind.line().final_roles)
            .chain(kind.line().steps.iter().flat_map(|s| &s.roles))
            .chain(kind.delegation().into_iter().flat_map(|d| &d.roles));
        for r in all_roles {
            assert!(
                r.standard_title().is_some(),
                "{code}: non-standard role {r}"
            );
        }
        assert!(!kind.fields().is_empty(), "{code}: no fields");
        assert!(
            kind.fields().iter().any(|f| f.required()),
            "{code}: nothing required"
        );
    }
}

#[test]
fn standard_kinds_round_trip_through_to_toml() {
    for kind in standard().kinds() {
        let text = kind.to_toml();
        let again = KindDefinition::from_toml(&text)
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", kind.code()));
        assert_eq!(&again, kind);
    }
}

#[test]
fn required_kinds_and_flags_are_present() {
    let catalogue = standard();
    let expense = catalogue.get("expense-resolution").unwrap();
    assert_eq!(expense.name(), "지출결의서");
    assert_eq!(expense.category(), "회계");
    assert_eq!(expense.retention().to_string(), "5y");
    assert_eq!(expense.disclosure().code(), "R");
    assert_eq!(expense.amount_field(), Some("items"));
    assert_eq!(expense.delegation().unwrap().max_total, Some(Won(300_000)));
    let received = catalogue.get("received-document").unwrap();
    assert!(received.received());
    for restricted in ["complaint-register", "employment-contract"] {
        let kind = catalogue.get(restricted).unwrap();
        assert!(kind.restricted(), "{restricted}");
        assert!(
            kind.viewers().is_empty(),
            "{restricted}: restricted hides viewers"
        );
        assert_eq!(kind.disclosure().code(), "N");
    }
    let categories = catalogue.categories();
    assert!(categories.contains(&"회계") && categories.contains(&"시설"));
    let sorted: Vec<_> = catalogue
        .kinds()
        .iter()
        .map(|k| (k.category().to_owned(), k.name().to_owned()))
        .collect();
    let mut expected = sorted.clone();
    expected.sort();
    assert_eq!(sorted, expected);
}

#[test]
fn catalogue_errors_name_the_file() {
    let text = std::fs::read_to_string(standards_dir().join("expense-resolution.toml")).unwrap();
    let err = Catalogue::from_sources([("wrong-name.toml", text.as_str())]).unwrap_err();
    assert_eq!(err.code(), "file_name_mismatch");
    let broken = text.replace("retention = \"5y\"", "retention = \"7y\"");
    let err = Catalogue::from_sources([("expense-resolution.toml", broken.as_str())]).unwrap_err();
    assert_eq!(err.code(), "invalid_retention");
    assert!(err.to_string().contains("expense-resolution.toml"));
    assert!(err.message_ko().contains("expense-resolution.toml"));
    let twice = Catalogue::from_sources([
        ("expense-resolution.toml", text.as_str()),
        ("a/expense-resolution.toml", text.as_str()),
    ])
    .unwrap_err();
    assert_eq!(twice.code(), "duplicate_kind");
}

#[test]
fn later_versions_are_served_and_earlier_ones_kept() {
    let kind = expense();
    let line = LineTemplate {
        editable: true,
        final_roles: vec![role("manager")],
        steps: vec![
            step(StepKind::Agreement, &["chair", "auditor"]),
            step(StepKind::Final, &["manager"]),
        ],
    };
    let v2 = kind.with_line(line.clone(), 2).unwrap();
    assert_eq!(v2.version(), 2);
    assert_eq!(v2.line(), &line);
    let mut catalogue = standard();
    catalogue.insert(v2.clone()).unwrap();
    assert_eq!(catalogue.get("expense-resolution"), Some(&v2));
    assert_eq!(catalogue.get_version("expense-resolution", 1), Some(&kind));
    // The override is stored as TOML text and read back as is.
    assert_eq!(KindDefinition::from_toml(&v2.to_toml()).unwrap(), v2);
    let file = [("expense-resolution.v2.toml", v2.to_toml())];
    assert!(Catalogue::from_sources(file).is_ok());

    assert_eq!(
        kind.with_line(line, 1).unwrap_err().code(),
        "invalid_version"
    );
    let bad = LineTemplate {
        editable: true,
        final_roles: vec![role("manager")],
        steps: vec![step(StepKind::Review, &["facility_chief"])],
    };
    assert_eq!(kind.with_line(bad, 3).unwrap_err().code(), "line_no_final");
}

// ---- kind definition validation ---------------------------------------------------------------

const MINIMAL: &str = r#"
code = "test-kind"
version = 1
name = "시험 문서"
category = "시험"
description = "시험용 문서입니다."
retention = "1y"
disclosure = "N"
drafters = ["clerk"]
[line]
final_roles = ["manager"]
[[line.steps]]
kind = "final"
roles = ["manager"]
[[fields]]
key = "title"
label = "제목"
type = "text"
required = true
"#;

fn with(extra: &str) -> Result<KindDefinition, CatalogueError> {
    KindDefinition::from_toml(&format!("{MINIMAL}{extra}"))
}

#[test]
fn definition_rules_are_enforced() {
    let kind = with("").unwrap();
    assert!(kind.line().editable, "editable defaults to true");
    assert!(!kind.restricted() && !kind.received());

    let unknown_key = MINIMAL.replace("version = 1", "version = 1\ncolour = \"blue\"");
    assert_eq!(
        KindDefinition::from_toml(&unknown_key).unwrap_err().code(),
        "catalogue_syntax"
    );
    let dup = "[[fields]]\nkey = \"title\"\nlabel = \"또 제목\"\ntype = \"text\"\n";
    assert_eq!(with(dup).unwrap_err().code(), "duplicate_field");
    let choice = "[[fields]]\nkey = \"c\"\nlabel = \"선택\"\ntype = \"choice\"\noptions = []\n";
    assert_eq!(with(choice).unwrap_err().code(), "invalid_options");
    let total = "[[fields]]\nkey = \"t\"\nlabel = \"표\"\ntype = \"table\"\ntotal = \"name\"\n\
                 [[fields.columns]]\nkey = \"name\"\nlabel = \"이름\"\ntype = \"text\"\n";
    assert_eq!(with(total).unwrap_err().code(), "invalid_total");
    let attr = "[[fields]]\nkey = \"d\"\nlabel = \"날짜\"\ntype = \"date\"\noptions = [\"a\"]\n";
    assert_eq!(with(attr).unwrap_err().code(), "attribute_not_applicable");
    let ty = "[[fields]]\nkey = \"d\"\nlabel = \"날짜\"\ntype = \"datetime\"\n";
    assert_eq!(with(ty).unwrap_err().code(), "invalid_field_type");
    let role = MINIMAL.replace("drafters = [\"clerk\"]", "drafters = [\"Clerk\"]");
    assert_eq!(
        KindDefinition::from_toml(&role).unwrap_err().code(),
        "invalid_role"
    );
    let none = MINIMAL.replace("drafters = [\"clerk\"]", "drafters = []");
    assert_eq!(
        KindDefinition::from_toml(&none).unwrap_err().code(),
        "no_drafters"
    );
    let code = MINIMAL.replace("test-kind", "Test_Kind");
    assert_eq!(
        KindDefinition::from_toml(&code).unwrap_err().code(),
        "invalid_kind_code"
    );
    let final_role = MINIMAL.replace("final_roles = [\"manager\"]", "final_roles = [\"chair\"]");
    assert_eq!(
        KindDefinition::from_toml(&final_role).unwrap_err().code(),
        "line_final_role_not_allowed"
    );
    let limit = "[delegation]\nroles = [\"clerk\"]\nmax_total = 1000\n";
    assert_eq!(with(limit).unwrap_err().code(), "invalid_delegation");
    let two_reviewers = MINIMAL.replace(
        "[[line.steps]]\nkind = \"final\"",
        "[[line.steps]]\nkind = \"review\"\nroles = [\"clerk\", \"accountant\"]\n[[line.steps]]\nkind = \"final\"",
    );
    assert_eq!(
        KindDefinition::from_toml(&two_reviewers)
            .unwrap_err()
            .code(),
        "line_step_role_count"
    );
}

#[test]
fn kind_codes_are_kebab_case() {
    assert!(KindCode::parse("expense-resolution").is_some());
    assert!(KindCode::parse("a1-b2").is_some());
    for bad in [
        "",
        "-a",
        "a-",
        "a--b",
        "A",
        "a_b",
        "1a",
        "지출",
        &"a".repeat(61),
    ] {
        assert!(KindCode::parse(bad).is_none(), "{bad}");
    }
}

// ---- approval lines ---------------------------------------------------------------------------

#[test]
fn drafters_may_edit_lines_within_the_rules() {
    let kind = expense();
    let edited = [
        step(StepKind::Reference, &["auditor"]),
        step(StepKind::Agreement, &["chair", "auditor"]),
        step(StepKind::Final, &["manager"]),
        step(StepKind::Reference, &["chair"]),
    ];
    assert_eq!(kind.check_line(&edited), Ok(()));
    assert_eq!(kind.check_line(&kind.line().steps), Ok(()));

    let no_final = [step(StepKind::Review, &["facility_chief"])];
    assert_eq!(
        kind.check_line(&no_final).unwrap_err().code(),
        "line_no_final"
    );
    let not_allowed = [step(StepKind::Final, &["facility_chief"])];
    assert_eq!(
        kind.check_line(&not_allowed).unwrap_err().code(),
        "line_final_role_not_allowed"
    );
    let after_final = [
        step(StepKind::Final, &["manager"]),
        step(StepKind::Review, &["facility_chief"]),
    ];
    assert_eq!(
        kind.check_line(&after_final).unwrap_err().code(),
        "line_final_not_last"
    );
    let two_finals = [
        step(StepKind::Final, &["manager"]),
        step(StepKind::Final, &["manager"]),
    ];
    assert_eq!(
        kind.check_line(&two_finals).unwrap_err().code(),
        "line_multiple_final"
    );
    let twice = [
        step(StepKind::Review, &["manager"]),
        step(StepKind::Final, &["manager"]),
    ];
    assert_eq!(
        kind.check_line(&twice).unwrap_err().code(),
        "line_duplicate_role"
    );
    let empty = [
        step(StepKind::Agreement, &[]),
        step(StepKind::Final, &["manager"]),
    ];
    assert_eq!(
        kind.check_line(&empty).unwrap_err().code(),
        "line_step_role_count"
    );
}

#[test]
fn fixed_lines_reject_any_change() {
    let catalogue = standard();
    let fixed = catalogue
        .kinds()
        .into_iter()
        .find(|k| !k.line().editable)
        .expect("some standard kind has a fixed line")
        .clone();
    assert_eq!(fixed.check_line(&fixed.line().steps), Ok(()));
    let mut changed = fixed.line().steps.clone();
    changed.insert(0, step(StepKind::Reference, &["clerk"]));
    assert_eq!(
        fixed.check_line(&changed).unwrap_err().code(),
        "line_not_editable"
    );
    let err = fixed.check_line(&[]).unwrap_err();
    assert_eq!(
        err.message_ko(),
        "이 문서 종류의 결재선은 바꿀 수 없습니다."
    );
}

#[test]
fn delegation_respects_the_amount_limit() {
    let kind = expense();
    let d = kind.delegation().unwrap();
    let chief = role("facility_chief");
    assert!(d.allows(&chief, Some(Won(300_000))));
    assert!(!d.allows(&chief, Some(Won(300_001))));
    assert!(!d.allows(&chief, None));
    assert!(!d.allows(&role("clerk"), Some(Won(1))));
    let small = json!({
        "spent_on": "2026-03-05",
        "items": [{"summary": "건전지", "vendor": "맑은상사", "amount": 12_000}],
        "method": "현금", "budget_item": "소모품비"
    });
    let data = kind.validate_form(&small).unwrap();
    assert_eq!(data.money_total(), Some(Won(12_000)));
    assert!(d.allows(&chief, data.money_total()));
}

// ---- forms ------------------------------------------------------------------------------------

#[test]
fn valid_expense_form_is_normalised_and_totalled() {
    let kind = expense();
    let data = kind.validate_form(&valid_expense_input()).unwrap();
    assert_eq!(data.money_total(), Some(Won(1_235_000)));
    let Some(FieldValue::Table { rows, total }) = data.get("items") else {
        panic!("items is a table");
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(*total, Some(1_235_000));
    assert_eq!(rows[1].get("amount"), Some(&FieldValue::Money(Won(35_000))));
    assert_eq!(rows[1].get("note"), None);
    assert_eq!(
        data.get("spent_on"),
        Some(&FieldValue::Date(
            chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
        ))
    );
    assert_eq!(
        data.get("method"),
        Some(&FieldValue::Choice("계좌이체".into()))
    );
    assert_eq!(
        data.canonical_json(),
        concat!(
            r#"{"budget_item":"수선유지비","items":[{"amount":1200000,"note":"2호기","#,
            r#""summary":"승강기 부품 교체","vendor":"한빛엘리베이터"},"#,
            r#"{"amount":35000,"summary":"소모품 구입","vendor":"맑은상사"}],"#,
            r#""items_total":1235000,"method":"계좌이체","spent_on":"2026-03-05"}"#
        )
    );
    assert_eq!(data.to_json_value()["items_total"], json!(1_235_000));

    let mut with_total = valid_expense_input();
    with_total["items_total"] = json!("1,235,000원");
    assert_eq!(kind.validate_form(&with_total).unwrap(), data);
}

#[test]
fn money_is_read_as_people_type_it() {
    let kind = expense();
    for (typed, expected) in [
        (json!("1,200,000원"), 1_200_000),
        (json!("1200000"), 1_200_000),
        (json!(" 1,200,000 원 "), 1_200_000),
        (json!(0), 0),
    ] {
        let mut input = valid_expense_input();
        input["items"][0]["amount"] = typed.clone();
        let data = kind
            .validate_form(&input)
            .unwrap_or_else(|e| panic!("{typed}: {e}"));
        let Some(FieldValue::Table { rows, .. }) = data.get("items") else {
            panic!("table");
        };
        assert_eq!(
            rows[0]["amount"],
            FieldValue::Money(Won(expected)),
            "{typed}"
        );
    }
    for (typed, code) in [
        (json!("abc"), "invalid_type"),
        (json!("1,20,000"), "invalid_type"),
        (json!(1.5), "invalid_type"),
        (json!(true), "invalid_type"),
        (json!(-5000), "negative"),
        (json!("-5,000원"), "negative"),
        (json!("99999999999999999999"), "out_of_range"),
    ] {
        let mut input = valid_expense_input();
        input["items"][0]["amount"] = typed.clone();
        let errors = kind.validate_form(&input).unwrap_err();
        assert!(errors.has("items[0].amount", code), "{typed}: {errors:?}");
        assert_eq!(errors.errors().len(), 1, "{typed}: {errors:?}");
    }
}

#[test]
fn wrong_total_is_a_mismatch() {
    let kind = expense();
    let mut input = valid_expense_input();
    input["items_total"] = json!(1_000_000);
    let errors = kind.validate_form(&input).unwrap_err();
    assert!(errors.has("items_total", "total_mismatch"));
    assert!(
        errors.errors()[0]
            .message_ko
            .contains("합계가 맞지 않습니다")
    );
}

#[test]
fn totals_that_overflow_are_errors() {
    let kind = expense();
    let mut input = valid_expense_input();
    input["items"][0]["amount"] = json!(i64::MAX);
    let errors = kind.validate_form(&input).unwrap_err();
    assert!(errors.has("items_total", "total_overflow"), "{errors:?}");
}

#[test]
fn every_error_is_reported_at_once() {
    let kind = expense();
    let input = json!({
        "spent_on": "2026-02-30",
        "items": [
            {"summary": "", "vendor": "맑은상사", "amount": "abc"},
            {"summary": "a\nb", "vendor": "맑은상사", "amount": 1, "colour": "red"}
        ],
        "method": "수표",
        "stray": 1
    });
    let errors = kind.validate_form(&input).unwrap_err();
    let found: Vec<(&str, &str)> = errors
        .errors()
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect();
    assert_eq!(
        found,
        [
            ("spent_on", "invalid_date"),
            ("items[0].summary", "required"),
            ("items[0].amount", "invalid_type"),
            ("items[1].summary", "not_single_line"),
            ("items[1].colour", "unknown_field"),
            ("method", "not_an_option"),
            ("budget_item", "required"),
            ("stray", "unknown_field"),
        ]
    );
    let first = &errors.errors()[0];
    assert!(
        first.message_ko.starts_with("지출일자: "),
        "{}",
        first.message_ko
    );
    assert!(
        errors.errors()[1]
            .message_ko
            .starts_with("지출 항목 1행 적요: ")
    );
}

#[test]
fn missing_and_malformed_values() {
    let kind = expense();
    let errors = kind.validate_form(&json!({})).unwrap_err();
    for key in ["spent_on", "items", "method", "budget_item"] {
        assert!(errors.has(key, "required"), "{key}");
    }
    assert_eq!(errors.errors().len(), 4);
    assert!(
        kind.validate_form(&json!([]))
            .unwrap_err()
            .has("", "invalid_type")
    );

    for bad in [
        "2026-2-3",
        "2026/02/03",
        "20260203",
        "2026-13-01",
        "2025-02-29",
    ] {
        let mut input = valid_expense_input();
        input["spent_on"] = json!(bad);
        assert!(
            kind.validate_form(&input)
                .unwrap_err()
                .has("spent_on", "invalid_date"),
            "{bad}"
        );
    }
    let mut leap = valid_expense_input();
    leap["spent_on"] = json!("2028-02-29");
    assert!(kind.validate_form(&leap).is_ok());

    let mut long = valid_expense_input();
    long["budget_item"] = json!("가".repeat(201));
    assert!(
        kind.validate_form(&long)
            .unwrap_err()
            .has("budget_item", "too_long")
    );

    let mut rows = valid_expense_input();
    let row = json!({"summary": "a", "vendor": "b", "amount": 1});
    rows["items"] = Value::Array(vec![row; 101]);
    assert!(
        kind.validate_form(&rows)
            .unwrap_err()
            .has("items", "too_many_rows")
    );
    rows["items"] = json!([]);
    assert!(
        kind.validate_form(&rows)
            .unwrap_err()
            .has("items", "required")
    );
    rows["items"] = json!("not a table");
    assert!(
        kind.validate_form(&rows)
            .unwrap_err()
            .has("items", "invalid_type")
    );

    // Blank optional values are absent, not empty strings.
    let mut blank = valid_expense_input();
    blank["evidence"] = json!("");
    blank["reason"] = Value::Null;
    let data = kind.validate_form(&blank).unwrap();
    assert_eq!(data.get("evidence"), None);
    assert_eq!(data.get("reason"), None);
}

#[test]
fn text_is_nfc_and_trimmed_so_hashes_agree_across_systems() {
    use unicode_normalization::UnicodeNormalization;
    let kind = expense();
    let nfc = valid_expense_input();
    let nfd_text = |s: &str| format!("  {}  ", s.nfd().collect::<String>());
    let mut nfd = valid_expense_input();
    nfd["budget_item"] = json!(nfd_text("수선유지비"));
    nfd["method"] = json!(nfd_text("계좌이체"));
    nfd["items"][0]["summary"] = json!(nfd_text("승강기 부품 교체"));
    assert_ne!(nfd, nfc);
    let a = kind.validate_form(&nfc).unwrap();
    let b = kind.validate_form(&nfd).unwrap();
    assert_eq!(a.canonical_json(), b.canonical_json());
    assert_eq!(a, b);
    // Same data, same bytes: key order of the input does not matter.
    let reordered: Value = serde_json::from_str(&serde_json::to_string(&nfc).unwrap()).unwrap();
    assert_eq!(
        kind.validate_form(&reordered).unwrap().canonical_json(),
        a.canonical_json()
    );
}

#[test]
fn multiline_keeps_line_breaks_with_unix_endings() {
    let kind = expense();
    let mut input = valid_expense_input();
    input["reason"] = json!("첫째 줄\r\n둘째 줄\t끝\n");
    let data = kind.validate_form(&input).unwrap();
    assert_eq!(
        data.get("reason"),
        Some(&FieldValue::Text("첫째 줄\n둘째 줄\t끝".into()))
    );
    assert!(
        data.canonical_json()
            .contains(r#""reason":"첫째 줄\n둘째 줄\t끝""#)
    );
    let back = FormData::from_canonical_json(&kind, &data.canonical_json()).unwrap();
    assert_eq!(back, data);
}

#[test]
fn stored_content_must_be_canonical() {
    let kind = expense();
    let data = kind.validate_form(&valid_expense_input()).unwrap();
    let canonical = data.canonical_json();
    assert_eq!(
        FormData::from_canonical_json(&kind, &canonical).unwrap(),
        data
    );
    let spaced = canonical.replacen(',', ", ", 1);
    assert!(
        FormData::from_canonical_json(&kind, &spaced)
            .unwrap_err()
            .has("", "not_canonical")
    );
    assert!(
        FormData::from_canonical_json(&kind, "{")
            .unwrap_err()
            .has("", "invalid_json")
    );
}

#[test]
fn every_standard_form_accepts_a_generated_filled_form() {
    // A minimal valid input for each kind, built from its definition: proves that no standard form
    // is impossible to fill in (e.g. an integer field whose min exceeds every sensible value).
    fn sample(field: &FieldDef) -> Value {
        match field.field_type() {
            FieldType::Text { .. } | FieldType::Multiline { .. } => json!("내용"),
            FieldType::Date => json!("2026-01-15"),
            FieldType::Money { .. } => json!(10_000),
            FieldType::Integer { min, max } => json!(min.or(*max).unwrap_or(1)),
            FieldType::Choice { options } => json!(options[0]),
            FieldType::Table {
                columns, min_rows, ..
            } => {
                let row: serde_json::Map<String, Value> = columns
                    .iter()
                    .map(|c| (c.key().to_owned(), sample(c)))
                    .collect();
                Value::Array(vec![Value::Object(row); (*min_rows).max(1)])
            }
        }
    }
    for kind in standard().kinds() {
        let input: serde_json::Map<String, Value> = kind
            .fields()
            .iter()
            .map(|f| (f.key().to_owned(), sample(f)))
            .collect();
        let data = kind
            .validate_form(&Value::Object(input))
            .unwrap_or_else(|e| panic!("{}: {e}", kind.code()));
        let again = FormData::from_canonical_json(kind, &data.canonical_json()).unwrap();
        assert_eq!(again, data, "{}", kind.code());
        if kind.delegation().is_some_and(|d| d.max_total.is_some()) {
            assert!(data.money_total().is_some(), "{}", kind.code());
        }
    }
}

// ---- property: canonical JSON is a fixed point ------------------------------------------------

fn text_strategy() -> impl Strategy<Value = String> {
    // Hangul (precomposed and conjoining jamo), ASCII, spaces and a few symbols, so NFC and trimming
    // both have work to do.
    proptest::collection::vec(
        prop_oneof![
            proptest::char::range('가', '힣'),
            proptest::char::range('\u{1100}', '\u{1112}'),
            proptest::char::range('\u{1161}', '\u{1175}'),
            proptest::char::range('a', 'z'),
            Just(' '),
            Just('"'),
            Just('\\'),
            Just('·'),
        ],
        1..30,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>())
    .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn money_strategy() -> impl Strategy<Value = Value> {
    (0i64..10_000_000_000, any::<bool>()).prop_map(|(n, as_text)| {
        if as_text {
            json!(format!("{}", Won(n)))
        } else {
            json!(n)
        }
    })
}

fn row_strategy() -> impl Strategy<Value = Value> {
    (
        text_strategy(),
        text_strategy(),
        money_strategy(),
        proptest::option::of(text_strategy()),
    )
        .prop_map(|(summary, vendor, amount, note)| {
            let mut row = json!({"summary": summary, "vendor": vendor, "amount": amount});
            if let Some(note) = note {
                row["note"] = json!(note);
            }
            row
        })
}

proptest! {
    #[test]
    fn canonical_json_is_a_fixed_point(
        day in 0u32..3000,
        rows in proptest::collection::vec(row_strategy(), 1..8),
        method in 0usize..3,
        budget in text_strategy(),
        reason in proptest::option::of(text_strategy()),
    ) {
        let kind = expense();
        let date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
            + chrono::Days::new(u64::from(day));
        let method = ["계좌이체", "법인카드", "현금"][method];
        let mut input = json!({
            "spent_on": date.format("%Y-%m-%d").to_string(),
            "items": rows,
            "method": method,
            "budget_item": budget,
        });
        if let Some(reason) = reason {
            input["reason"] = json!(reason);
        }
        let data = kind.validate_form(&input).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let canonical = data.canonical_json();
        let again = FormData::from_canonical_json(&kind, &canonical)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&again.canonical_json(), &canonical);
        prop_assert_eq!(&again, &data);
        // The canonical text is valid JSON equal to the display value.
        let parsed: Value = serde_json::from_str(&canonical).unwrap();
        prop_assert_eq!(parsed, data.to_json_value());
    }
}
