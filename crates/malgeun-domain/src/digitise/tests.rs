//! Rules parsing and matching.

use chrono::NaiveDate;

use super::*;
use crate::error::UserFacing;

fn catalogue() -> Vec<(String, String)> {
    [
        ("management-fee-levy", "관리비 부과내역"),
        ("council-minutes", "입주자대표회의 회의록"),
        ("daily-work-log", "업무일지"),
        ("received-document", "공문 접수"),
    ]
    .iter()
    .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
    .collect()
}

fn segs(path: &str) -> Vec<String> {
    path.split('/').map(nfc).collect()
}

fn day(y: i32, m: u32, d: u32) -> OriginalDate {
    OriginalDate::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

#[test]
fn default_rules_map_year_and_kind_folders() {
    let rules = ImportRules::default_rules();
    let kinds = rules.kind_names(&catalogue()).unwrap();
    let m = rules
        .map(
            &segs("2019/관리비/2019-03-05_3월 관리비 부과내역.pdf"),
            &kinds,
            None,
        )
        .unwrap();
    assert_eq!(m.kind_code, "management-fee-levy");
    assert_eq!(m.date, day(2019, 3, 5));
    assert_eq!(m.title, "3월 관리비 부과내역");
    assert_eq!(m.rule, "연도/종류");
    assert_eq!(m.provenance, Provenance::default());

    // The kind's own name (spaces and case ignored), a compact date, a box folder below.
    let m = rules
        .map(
            &segs("2020/입주자대표회의회의록/상자 12/20200114 정기회의.PDF"),
            &kinds,
            None,
        )
        .unwrap();
    assert_eq!(m.kind_code, "council-minutes");
    assert_eq!(m.date, day(2020, 1, 14));
    assert_eq!(m.title, "정기회의");
    assert_eq!(m.provenance.box_label.as_deref(), Some("상자 12"));

    // No date in the name: the year alone, and the title is the file name.
    let m = rules
        .map(&segs("2018/업무일지/경비 업무일지.jpg"), &kinds, None)
        .unwrap();
    assert_eq!(m.date, OriginalDate::Year(2018));
    assert_eq!(m.date.to_string(), "2018");
    assert_eq!(
        m.date.first_day(),
        NaiveDate::from_ymd_opt(2018, 1, 1).unwrap()
    );
    assert_eq!(m.title, "경비 업무일지");

    // A box folder above the years, and a year-month date.
    let m = rules
        .map(
            &segs("상자 3/2017/공문/2017-11 구청 공문.tif"),
            &kinds,
            None,
        )
        .unwrap();
    assert_eq!(m.rule, "상자/연도/종류");
    assert_eq!(m.date, OriginalDate::Month(2017, 11));
    assert_eq!(m.date.to_string(), "2017-11");
    assert_eq!(m.provenance.box_label.as_deref(), Some("상자 3"));
    assert_eq!(m.kind_code, "received-document");
}

#[test]
fn nfd_names_from_macos_match() {
    let rules = ImportRules::default_rules();
    let kinds = rules.kind_names(&catalogue()).unwrap();
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("관리비").collect();
    assert_ne!(nfd, "관리비");
    let path = vec!["2019".to_owned(), nfc(&nfd), nfc("a.pdf")];
    assert!(rules.map(&path, &kinds, None).is_ok());
}

#[test]
fn unmatched_files_say_why() {
    let rules = ImportRules::default_rules();
    let kinds = rules.kind_names(&catalogue()).unwrap();
    // A note beside the scans: the rule's folders fit, its extension does not.
    let why = rules
        .map(&segs("2019/관리비/메모.txt"), &kinds, None)
        .unwrap_err();
    assert_eq!(
        why,
        Unmatched::Extension {
            rule: "연도/종류".into(),
            ext: "txt".into()
        }
    );
    assert!(why.message_ko().contains(".txt"), "{}", why.message_ko());
    // Unknown kind folder, file at the top, no year.
    for p in [
        "2019/잡동사니/a.pdf",
        "a.pdf",
        "관리비/a.pdf",
        "1850/관리비/a.pdf",
    ] {
        assert_eq!(
            rules.map(&segs(p), &kinds, None),
            Err(Unmatched::NoRule),
            "{p}"
        );
    }
    assert!(!Unmatched::NoRule.message_ko().is_empty());
}

#[test]
fn custom_rules_capture_dates_titles_and_provenance() {
    let src = r#"
        [kinds]
        "입대의" = "council-minutes"

        [provenance]
        scanned_by = "김서무"
        scanned_on = "2024-05-01"

        [[rule]]
        name = "관리비 파일"
        path = "관리비/{date}_{title}.pdf"
        kind = "management-fee-levy"
        box = "상자 1"

        [[rule]]
        path = "{kind}/{year}년/{month}월/*"
        scanned_by = "이기전"

        [[rule]]
        path = "스캔/{scanner}/{box}/{kind}/{any}-{year}.pdf"
    "#;
    let rules = ImportRules::parse(src, "rules.toml").unwrap();
    let kinds = rules.kind_names(&catalogue()).unwrap();

    let m = rules
        .map(&segs("관리비/2019.03.05_3월분.pdf"), &kinds, None)
        .unwrap();
    assert_eq!(m.kind_code, "management-fee-levy");
    assert_eq!(m.date, day(2019, 3, 5));
    assert_eq!(m.title, "3월분");
    assert_eq!(
        m.provenance,
        Provenance {
            scanned_by: Some("김서무".into()),
            scanned_on: NaiveDate::from_ymd_opt(2024, 5, 1),
            box_label: Some("상자 1".into()),
        }
    );

    let m = rules
        .map(&segs("입대의/2021년/7월/임시회의.hwp"), &kinds, None)
        .unwrap();
    assert_eq!(m.rule, "규칙 2");
    assert_eq!(m.kind_code, "council-minutes");
    assert_eq!(m.date, OriginalDate::Month(2021, 7));
    assert_eq!(m.provenance.scanned_by.as_deref(), Some("이기전"));

    // A manifest fills what the path does not say and overrides the rule and the defaults.
    let manifest =
        Provenance::from_manifest("scanned_by = \"박관리\"\nbox = \"문서고 B-4\"", "출처.toml")
            .unwrap();
    let m = rules
        .map(&segs("입대의/2021년/7월/a.pdf"), &kinds, Some(&manifest))
        .unwrap();
    assert_eq!(m.provenance.scanned_by.as_deref(), Some("박관리"));
    assert_eq!(m.provenance.box_label.as_deref(), Some("문서고 B-4"));
    assert_eq!(m.provenance.scanned_on, NaiveDate::from_ymd_opt(2024, 5, 1));

    let m = rules
        .map(
            &segs("스캔/최주임/상자 9/업무일지/경비-2016.pdf"),
            &kinds,
            None,
        )
        .unwrap();
    assert_eq!(m.kind_code, "daily-work-log");
    assert_eq!(m.date, OriginalDate::Year(2016));
    assert_eq!(m.provenance.scanned_by.as_deref(), Some("최주임"));
    assert_eq!(m.provenance.box_label.as_deref(), Some("상자 9"));
    assert_eq!(m.title, "경비");
}

#[test]
fn a_rule_without_a_year_reports_no_date() {
    let src = "[[rule]]\nname = \"종류만\"\npath = \"{kind}/*\"\n";
    let rules = ImportRules::parse(src, "r.toml").unwrap();
    let kinds = rules.kind_names(&catalogue()).unwrap();
    assert_eq!(
        rules.map(&segs("업무일지/경비.pdf"), &kinds, None),
        Err(Unmatched::NoDate {
            rule: "종류만".into()
        })
    );
    assert_eq!(
        rules
            .map(&segs("업무일지/경비 20200101.pdf"), &kinds, None)
            .unwrap()
            .date,
        day(2020, 1, 1)
    );
}

#[test]
fn bad_rules_are_refused_with_clear_errors() {
    let cases: &[(&str, &str)] = &[
        (
            "[[rule]]\npath = \"{kind}/*\"\ncolour = 1\n",
            "rules_syntax",
        ),
        ("[kinds]\n", "rules_empty"),
        (
            "[[rule]]\npath = \"{yaer}/{kind}/*\"\n",
            "rules_bad_pattern",
        ),
        ("[[rule]]\npath = \"/abs/{kind}\"\n", "rules_bad_pattern"),
        ("[[rule]]\npath = \"a//{kind}\"\n", "rules_bad_pattern"),
        (
            "[[rule]]\npath = \"{year}/{year}/{kind}\"\n",
            "rules_bad_pattern",
        ),
        ("[[rule]]\npath = \"a***/{kind}\"\n", "rules_bad_pattern"),
        ("[[rule]]\npath = \"{year}/*\"\n", "rules_no_kind"),
        (
            "[[rule]]\npath = \"{kind}/*\"\nscanned_on = \"2024-13-01\"\n",
            "rules_bad_date",
        ),
        (
            "[provenance]\nscanned_by = \"\"\n[[rule]]\npath = \"{kind}/*\"\n",
            "rules_bad_text",
        ),
    ];
    for (src, code) in cases {
        let err = ImportRules::parse(src, "r.toml")
            .err()
            .unwrap_or_else(|| panic!("accepted: {src}"));
        assert_eq!(err.code(), *code, "{src}: {err}");
        assert!(!err.message_ko().is_empty());
    }
}

#[test]
fn unknown_kinds_in_rules_are_refused() {
    let fixed = ImportRules::parse("[[rule]]\npath = \"a/*\"\nkind = \"nope\"\n", "r").unwrap();
    let err = fixed.kind_names(&catalogue()).err().unwrap();
    assert_eq!(err.code(), "unknown_kind");
    assert!(err.message_ko().contains("nope"), "{}", err.message_ko());
    let alias = ImportRules::parse(
        "[kinds]\n\"x\" = \"nope\"\n[[rule]]\npath = \"{kind}/*\"\n",
        "r",
    )
    .unwrap();
    assert_eq!(
        alias.kind_names(&catalogue()).err().unwrap().code(),
        "unknown_kind"
    );
    // Built-in storeroom names of kinds this catalogue lacks are simply not offered.
    let kinds = ImportRules::default_rules()
        .kind_names(&catalogue())
        .unwrap();
    assert_eq!(kinds.resolve("예산"), None);
    assert_eq!(kinds.resolve("관리비"), Some("management-fee-levy"));
    assert_eq!(kinds.resolve("Council Minutes"), Some("council-minutes"));
}

#[test]
fn dates_in_file_names() {
    let cases: &[(&str, Option<OriginalDate>)] = &[
        ("2019-03-05_관리비", Some(day(2019, 3, 5))),
        ("관리비_20190305", Some(day(2019, 3, 5))),
        ("관리비 2019.03.05 (1)", Some(day(2019, 3, 5))),
        ("2019_03_05", Some(day(2019, 3, 5))),
        ("2019-03 관리비", Some(OriginalDate::Month(2019, 3))),
        ("scan0001", None),
        ("120190305", None),
        ("20191305", None),
        ("2019-02-30", Some(OriginalDate::Month(2019, 2))),
        ("2019-03.05", Some(OriginalDate::Month(2019, 3))),
        ("3000-01-01", None),
    ];
    for (stem, want) in cases {
        assert_eq!(detect_date(stem).map(|(d, _, _)| d), *want, "{stem}");
    }
    assert_eq!(
        parse_loose_date("2019-03-05"),
        NaiveDate::from_ymd_opt(2019, 3, 5)
    );
    assert_eq!(parse_loose_date("2019/03/05"), None);
}
