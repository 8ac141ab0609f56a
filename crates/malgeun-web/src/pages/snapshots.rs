//! Snapshot tests of every page rendered from fixed data (ids, times and asset hashes fixed), so a
//! change to a template or to what a handler puts in it shows up as a reviewed diff.

use askama::Template;
use malgeun_app::documents::{
    ApprovalView, AttachmentView, DocumentView, HistoryEntry, LineMemberView, LineStepView,
};
use malgeun_app::extraction::ExtractionView;
use malgeun_domain::catalogue::KindDefinition;
use serde_json::json;

use super::assets::URLS;
use super::views::{
    ComplexLink, ComplexesPage, ErrorPage, InboxPage, KindGroup, KindLink, KindsPage, Layout,
    ListRow, LoginPage, Nav, Opt, Pager, RegisterPage, RegisterRow, TabLink,
};

const C: &str = "00000000-0000-4000-8000-0000000000c1";
const D: &str = "00000000-0000-4000-8000-0000000000d1";
const FACILITY: &str = "00000000-0000-4000-8000-0000000000f1";
const MANAGER: &str = "00000000-0000-4000-8000-0000000000a1";

/// Renders and replaces the content hashes of asset URLs, which change with every CSS edit.
fn render<T: Template>(t: &T) -> String {
    let mut html = t.render().expect("the template renders");
    for url in [&URLS.css, &URLS.js, &URLS.htmx] {
        let stable = format!("{}?v=HASH", url.split('?').next().unwrap_or_default());
        html = html.replace(url.as_str(), &stable);
    }
    html
}

fn nav() -> Nav {
    Nav {
        complex_id: C.to_owned(),
        complex_name: "맑은아파트".to_owned(),
        user_name: "이수진".to_owned(),
        positions: "경리주임".to_owned(),
        csrf: "CSRF".to_owned(),
        several_complexes: false,
        admin: false,
        section: "",
    }
}

fn expense_kind() -> KindDefinition {
    KindDefinition::from_toml(include_str!(
        "../../../../standards/kr-apartment/expense-resolution.toml"
    ))
    .expect("the standard kind parses")
}

#[test]
fn login_page() {
    insta::assert_snapshot!(render(&LoginPage {
        layout: Layout::bare("로그인"),
        csrf: "PRE".to_owned(),
        login: "auditor".to_owned(),
        error: Some(
            "로그인에 여러 번 실패하여 잠시 막혔습니다. 15분 뒤에 다시 시도해 주세요.".to_owned()
        ),
        logged_out: false,
        next: format!("/c/{C}/inbox?tab=done"),
    }));
}

#[test]
fn complexes_page() {
    insta::assert_snapshot!(render(&ComplexesPage {
        layout: Layout::bare("단지 선택"),
        user_name: "김정민".to_owned(),
        csrf: "CSRF".to_owned(),
        complexes: vec![
            ComplexLink {
                href: format!("/c/{C}/inbox"),
                name: "맑은아파트".to_owned(),
            },
            ComplexLink {
                href: "/c/00000000-0000-4000-8000-0000000000c2/inbox".to_owned(),
                name: "푸른마을".to_owned(),
            },
        ],
    }));
}

#[test]
fn error_page() {
    insta::assert_snapshot!(render(&ErrorPage {
        layout: Layout::bare("오류"),
        status: 404,
        message: "문서을(를) 찾을 수 없습니다.".to_owned(),
        code: "document_not_found".to_owned(),
    }));
}

#[test]
fn inbox_page() {
    let tabs = [
        ("waiting", "결재대기", 2),
        ("in_progress", "진행", 5),
        ("done", "완료", 41),
    ]
    .iter()
    .map(|(code, label, count)| TabLink {
        href: format!("/c/{C}/inbox?tab={code}"),
        label: (*label).to_owned(),
        count: *count,
        active: *code == "waiting",
    })
    .collect();
    insta::assert_snapshot!(render(&InboxPage {
        layout: Layout::with("결재함", nav(), "inbox"),
        action: format!("/c/{C}/inbox"),
        tabs,
        tab: "waiting".to_owned(),
        tab_label: "결재대기".to_owned(),
        q: "승강기".to_owned(),
        sorts: vec![
            Opt::new("recent", "최근 변경순", "title"),
            Opt::new("title", "제목순", "title"),
        ],
        rows: vec![ListRow {
            href: format!("/c/{C}/documents/{D}"),
            title: "승강기 도어 센서 교체 <긴급>".to_owned(),
            kind_name: "지출결의서".to_owned(),
            drafter: "이수진".to_owned(),
            status: "in_progress".to_owned(),
            status_label: "진행 중".to_owned(),
            when: "2026-11-20 10:02".to_owned(),
            number: String::new(),
        }],
        pager: Pager::new(41, 20, 2, |p| format!("/c/{C}/inbox?tab=waiting&page={p}")),
    }));
}

fn member(title: &str, id: &str, state: &'static str, stamp: Option<&str>) -> LineMemberView {
    LineMemberView {
        position_id: id.to_owned(),
        title: title.to_owned(),
        holder_name: Some(
            if id == FACILITY {
                "박철호"
            } else {
                "김정민"
            }
            .to_owned(),
        ),
        state,
        stamp: stamp.map(str::to_owned),
        acted_by: stamp.map(|_| "박철호".to_owned()),
        acted_at: stamp.map(|_| "2026-11-20T02:00:00.000000Z".to_owned()),
        acted_at_display: stamp.map(|_| "2026-11-20 11:00".to_owned()),
    }
}

fn document_view() -> DocumentView {
    DocumentView {
        id: D.to_owned(),
        kind_code: "expense-resolution".to_owned(),
        kind_name: "지출결의서".to_owned(),
        kind_version: 1,
        status: "in_progress".to_owned(),
        status_label: "진행 중",
        title: "승강기 도어 센서 교체".to_owned(),
        body: "101동 승강기 도어 센서 고장으로\n교체합니다.".to_owned(),
        form: json!({
            "spent_on": "2026-11-20",
            "items": [
                {"summary": "도어 센서", "vendor": "한빛승강기", "amount": 450_000},
                {"summary": "출장비", "vendor": "한빛승강기", "amount": 50_000, "note": "1회"}
            ],
            "items_total": 500_000,
            "method": "계좌이체",
            "budget_item": "수선유지비"
        }),
        version: 1,
        content_sha256: "ab".repeat(32),
        registration_number: None,
        registered_at: None,
        drafter_position_id: "00000000-0000-4000-8000-0000000000e1".to_owned(),
        drafter_title: "경리주임".to_owned(),
        drafter_name: "이수진".to_owned(),
        created_at: "2026-11-20T01:02:00.000000Z".to_owned(),
        updated_at: "2026-11-20T02:00:00.000000Z".to_owned(),
        corrects_id: None,
        received_from: None,
        retention: "5년".to_owned(),
        disclosure: "청구 시 공개",
        restricted: false,
        line: vec![
            LineStepView {
                kind: "review",
                label: "검토",
                members: vec![member("시설과장", FACILITY, "approved", Some("승인"))],
            },
            LineStepView {
                kind: "final",
                label: "결재",
                members: vec![member("관리사무소장", MANAGER, "current", None)],
            },
        ],
        attachments: vec![
            AttachmentView {
                ordinal: 1,
                name: "견적서.pdf".to_owned(),
                size: 48_213,
                sha256: "cd".repeat(32),
                media_type: "application/pdf".to_owned(),
                extraction: Some(ExtractionView {
                    state: "done".to_owned(),
                    label: "추출 완료",
                    reason: None,
                }),
            },
            AttachmentView {
                ordinal: 2,
                name: "고장 부위.jpg".to_owned(),
                size: 812_044,
                sha256: "ef".repeat(32),
                media_type: "image/jpeg".to_owned(),
                extraction: Some(ExtractionView {
                    state: "failed".to_owned(),
                    label: "추출 실패",
                    reason: Some(
                        "문자 인식(OCR) 프로그램이 설치되어 있지 않습니다 (tesseract).".to_owned(),
                    ),
                }),
            },
            AttachmentView {
                ordinal: 3,
                name: "도면.svg".to_owned(),
                size: 2_048,
                sha256: "12".repeat(32),
                media_type: "image/svg+xml".to_owned(),
                extraction: Some(ExtractionView {
                    state: "queued".to_owned(),
                    label: "추출 대기",
                    reason: None,
                }),
            },
        ],
        approvals: vec![ApprovalView {
            version: 1,
            seq: 1,
            position_id: FACILITY.to_owned(),
            position_title: "시설과장".to_owned(),
            person_name: "박철호".to_owned(),
            proxy: false,
            decision: "approve".to_owned(),
            label: "승인",
            comment: Some("견적 확인했습니다.".to_owned()),
            content_sha256: "ab".repeat(32),
            at: "2026-11-20T02:00:00.000000Z".to_owned(),
            ledger_index: 12,
        }],
        versions: Vec::new(),
        actions: vec!["approve", "reject", "reject_to_previous", "hold"],
    }
}

#[test]
fn document_page() {
    let history = vec![
        HistoryEntry {
            ledger_index: 10,
            event: "document.draft".to_owned(),
            label: "기안",
            at: "2026-11-20T01:02:00.000000Z".to_owned(),
            actor_name: Some("이수진".to_owned()),
            position_title: Some("경리주임".to_owned()),
        },
        HistoryEntry {
            ledger_index: 12,
            event: "document.approve".to_owned(),
            label: "승인",
            at: "2026-11-20T02:00:00.000000Z".to_owned(),
            actor_name: Some("박철호".to_owned()),
            position_title: Some("시설과장".to_owned()),
        },
    ];
    let kind = expense_kind();
    let page = super::document::document_page(
        nav(),
        C,
        &document_view(),
        &history,
        Some(&kind),
        super::document::Feedback {
            comment: "반려 사유를".to_owned(),
            error: Some("반려하려면 사유를 적어 주세요.".to_owned()),
            notice: None,
        },
    );
    insta::assert_snapshot!(render(&page));
}

#[test]
fn kinds_page() {
    insta::assert_snapshot!(render(&KindsPage {
        layout: Layout::with("기안", nav(), "new"),
        groups: vec![KindGroup {
            category: "회계".to_owned(),
            kinds: vec![KindLink {
                href: format!("/c/{C}/new/expense-resolution"),
                name: "지출결의서".to_owned(),
                description: "지출 전에 결재받는 문서입니다.".to_owned(),
            }],
        }],
    }));
}

#[test]
fn draft_page_with_errors() {
    let kind = expense_kind();
    let mut errors = std::collections::BTreeMap::new();
    errors.insert(
        "spent_on".to_owned(),
        vec!["지출일자: 필수 입력 항목입니다.".to_owned()],
    );
    let values = json!({
        "items": [{"summary": "도어 센서", "vendor": "한빛승강기", "amount": "450,000"}],
        "method": "계좌이체"
    });
    let positions = vec![
        (FACILITY.to_owned(), "시설과장 (박철호)".to_owned()),
        (MANAGER.to_owned(), "관리사무소장 (김정민)".to_owned()),
    ];
    let line = vec![
        super::draft::LineEntry {
            order: "1".to_owned(),
            kind: "review".to_owned(),
            position: FACILITY.to_owned(),
        },
        super::draft::LineEntry {
            order: "2".to_owned(),
            kind: "final".to_owned(),
            position: MANAGER.to_owned(),
        },
    ];
    let page = super::views::DraftPage {
        layout: Layout::with("지출결의서 기안", nav(), "new"),
        action: format!("/c/{C}/new/expense-resolution"),
        kind_name: kind.name().to_owned(),
        description: kind.description().to_owned(),
        editing: false,
        title: "승강기 도어 센서 교체".to_owned(),
        body: String::new(),
        fields: super::draft::form_fields(&kind, &values, &errors),
        line: super::draft::line_rows(&line, &positions),
        line_editable: true,
        line_fixed: Vec::new(),
        existing: Vec::new(),
        carried: vec![super::views::CarriedFile {
            index: 0,
            sha256: "ef".repeat(32),
            name: "견적서.pdf".to_owned(),
            media_type: "application/pdf".to_owned(),
            size: "47.1 KB".to_owned(),
            bytes: 48_213,
        }],
        has_errors: true,
        errors: Vec::new(),
        title_error: None,
    };
    insta::assert_snapshot!(render(&page));
}

#[test]
fn register_page() {
    insta::assert_snapshot!(render(&RegisterPage {
        layout: Layout::with("문서등록대장", nav(), "register"),
        action: format!("/c/{C}/register"),
        years: vec![
            Opt::new("", "전체", "2026"),
            Opt::new("2026", "2026년", "2026")
        ],
        kinds: vec![
            Opt::new("", "전체", ""),
            Opt::new("expense-resolution", "지출결의서", "")
        ],
        positions: vec![Opt::new("", "전체", "")],
        from: "2026-11-01".to_owned(),
        to: String::new(),
        rows: vec![RegisterRow {
            number: "맑은아파트-2026-0042".to_owned(),
            registered: "2026-11-20 15:30".to_owned(),
            title: "승강기 도어 센서 교체".to_owned(),
            href: format!("/c/{C}/documents/{D}"),
            kind_name: "지출결의서".to_owned(),
            drafter: "이수진".to_owned(),
        }],
        pager: Pager::new(1, 50, 1, |p| format!("/c/{C}/register?page={p}")),
        csv_href: format!("/c/{C}/register.csv?year=2026&from=2026-11-01"),
        xlsx_href: format!("/c/{C}/register.xlsx?year=2026&from=2026-11-01"),
        error: None,
    }));
}

#[test]
fn ledger_page() {
    insta::assert_snapshot!(render(&super::views::LedgerPage {
        layout: Layout::with("원장", nav(), "ledger"),
        action: format!("/c/{C}/ledger"),
        note: "malgeun.local/c1\n3\nq0mK3vM=\n\n— malgeun.local/c1 AbCd\n".to_owned(),
        size: 3,
        root: "q0mK3vM=".to_owned(),
        verifier_key: "malgeun.local/c1+1234abcd+AQID".to_owned(),
        signed: true,
        checkpoint_json: format!("/api/v1/complexes/{C}/ledger/checkpoint"),
        requested: "1".to_owned(),
        entry: Some(super::views::LedgerEntryShow {
            index: 1,
            event: "document.approve".to_owned(),
            payload: "{\"event\":\"document.approve\"}".to_owned(),
            leaf_hash: "bGVhZg==".to_owned(),
            leaf_matches: true,
            images: vec!["{\"id\":\"d1\",\"status\":\"registered\"}".to_owned()],
            images_intact: Some(true),
            proof: vec!["cHJvb2Yx".to_owned(), "cHJvb2Yy".to_owned()],
            included: false,
            proof_json: format!("/api/v1/complexes/{C}/ledger/inclusion?index=1&size=3"),
            entry_json: format!("/api/v1/complexes/{C}/ledger/entries/1"),
        }),
        error: None,
    }));
}

#[test]
fn admin_page() {
    insta::assert_snapshot!(render(&super::views::AdminPage {
        layout: Layout::with("관리", nav(), "admin"),
        base: format!("/c/{C}/admin"),
        positions: vec![super::views::PositionRowShow {
            id: MANAGER.to_owned(),
            title: "관리사무소장".to_owned(),
            role: "관리사무소장".to_owned(),
            holder: "김정민".to_owned(),
            admin: true,
            deputies: vec![
                Opt::new("", "(없음)", FACILITY),
                Opt::new(FACILITY, "시설과장", FACILITY),
            ],
        }],
        roles: vec![Opt::new("manager", "관리사무소장", "")],
        kinds: vec![super::views::KindLineShow {
            href: format!("/c/{C}/admin/kinds/expense-resolution"),
            origin: "단지 재정의".to_owned(),
            name: "지출결의서".to_owned(),
            category: "회계".to_owned(),
            line: "검토 시설과장 → 결재 관리사무소장".to_owned(),
            editable: true,
            version: 1,
        }],
        notice: Some("대결자를 저장했습니다.".to_owned()),
        error: None,
    }));
}

#[test]
fn kind_line_page_with_an_error() {
    let rows = vec![super::views::RoleLineRow {
        index: 0,
        order: "1".to_owned(),
        kinds: vec![
            Opt::new("", "(빼기)", "agreement"),
            Opt::new("agreement", "협조", "agreement"),
            Opt::new("final", "결재", "agreement"),
        ],
        roles: vec![
            Opt::new("", "(역할 선택)", "auditor"),
            Opt::new("auditor", "감사 — 감사 정감사", "auditor"),
            Opt::new("manager", "관리사무소장 — 관리사무소장 김정민", "auditor"),
        ],
    }];
    insta::assert_snapshot!(render(&super::views::KindLinePage {
        layout: Layout::with("지출결의서 기본 결재선", nav(), "admin"),
        action: format!("/c/{C}/admin/kinds/expense-resolution"),
        admin_url: format!("/c/{C}/admin"),
        kind_name: "지출결의서".to_owned(),
        version: 2,
        current: "협조 감사 → 결재 관리사무소장".to_owned(),
        standard: Some("검토 시설과장 → 결재 관리사무소장".to_owned()),
        overridden: true,
        rows,
        final_roles: vec![
            super::views::Check {
                value: "manager".to_owned(),
                label: "관리사무소장".to_owned(),
                checked: true,
            },
            super::views::Check {
                value: "chair".to_owned(),
                label: "입주자대표회의 회장".to_owned(),
                checked: false,
            },
        ],
        editable: true,
        notice: None,
        error: Some("결재선에 결재 단계가 없습니다.".to_owned()),
    }));
}

#[test]
fn search_page() {
    insta::assert_snapshot!(render(&super::views::SearchPage {
        layout: Layout::with("문서 검색", nav(), "search"),
        action: format!("/c/{C}/search"),
        q: "승강기 공사비는".to_owned(),
        kinds: vec![
            Opt::new("", "전체", "expense-resolution"),
            Opt::new("expense-resolution", "지출결의서", "expense-resolution"),
        ],
        statuses: vec![Opt::new("", "전체", ""), Opt::new("registered", "등록", ""),],
        years: vec![Opt::new("", "전체", ""), Opt::new("2026", "2026년", "")],
        from: String::new(),
        to: String::new(),
        sorts: vec![
            Opt::new("relevance", "정확도순", "date"),
            Opt::new("date", "최신순", "date"),
        ],
        hits: vec![super::views::SearchHitRow {
            href: format!("/c/{C}/documents/{D}"),
            title_html: "<mark>승강기</mark> 교체 <mark>공사비</mark> 지출결의".to_owned(),
            snippet_html: "한국<mark>승강기</mark>(주) &lt;견적&gt;".to_owned(),
            kind_name: "지출결의서".to_owned(),
            status_label: "등록",
            registration_number: "맑은아파트-2026-0042".to_owned(),
            drafter: "경리주임 이수진".to_owned(),
            date: "2026-11-20 14:05".to_owned(),
        }],
        pager: Pager::new(21, 20, 1, |n| format!("/c/{C}/search?q=x&page={n}")),
        error: None,
    }));
}

#[test]
fn search_page_before_any_words() {
    insta::assert_snapshot!(render(&super::views::SearchPage {
        layout: Layout::with("문서 검색", nav(), "search"),
        action: format!("/c/{C}/search"),
        q: String::new(),
        kinds: vec![Opt::new("", "전체", "")],
        statuses: vec![Opt::new("", "전체", "")],
        years: vec![Opt::new("", "전체", "")],
        from: String::new(),
        to: "2026-13-01".to_owned(),
        sorts: vec![Opt::new("relevance", "정확도순", "relevance")],
        hits: Vec::new(),
        pager: Pager::new(0, 20, 1, |n| format!("/c/{C}/search?page={n}")),
        error: Some("날짜는 YYYY-MM-DD 형식으로 입력하세요.".to_owned()),
    }));
}
