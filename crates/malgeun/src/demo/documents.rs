//! The demo's documents: four months (August to November 2026) of an apartment office's work, in
//! every state and through every act.
//!
//! The history is written as a plan first: each action at its Seoul office-hours time. The plan is
//! then sorted by time and played against the app with the clock pinned to each action's time, so
//! documents, approvals and registration numbers look as if the office had really worked them.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use malgeun_app::App;
use malgeun_app::documents::{
    ActInput, AttachmentSpec, DraftInput, DraftUpdate, ReceiveInput, StepInput,
};
use malgeun_domain::approval::{Decision, Outcome, StepKind};
use malgeun_domain::{DocumentId, Timestamp};
use serde_json::{Value, json};

use super::{Demo, app_err};

/// When the demo history begins (Seoul morning, 3 August 2026, a Monday).
pub fn start_time() -> Timestamp {
    Timestamp::parse_rfc3339("2026-08-03T00:30:00Z").expect("valid time")
}

// ---------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------

/// A calendar day in Seoul, as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Day(i64);

/// Public holidays on weekdays in the period (광복절 대체공휴일, 추석, 개천절 대체공휴일, 한글날).
const HOLIDAYS: &[(i64, i64, i64)] = &[
    (2026, 8, 17),
    (2026, 9, 24),
    (2026, 9, 25),
    (2026, 10, 5),
    (2026, 10, 9),
];

/// The 관리사무소장's summer leave: the 시설과장 approves for them (대결).
const LEAVE: ((i64, i64, i64), (i64, i64, i64)) = ((2026, 8, 10), (2026, 8, 14));

const WEEKDAYS_KO: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];

impl Day {
    fn ymd(y: i64, m: i64, d: i64) -> Self {
        // Days from the civil date (proleptic Gregorian).
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Self(era * 146_097 + doe - 719_468)
    }

    fn parts(self) -> (i64, i64, i64) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    fn plus(self, days: i64) -> Self {
        Self(self.0 + days)
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    fn weekday(self) -> usize {
        usize::try_from((self.0 + 3).rem_euclid(7)).unwrap_or(0)
    }

    fn is_workday(self) -> bool {
        self.weekday() < 5 && !HOLIDAYS.iter().any(|&(y, m, d)| Self::ymd(y, m, d) == self)
    }

    fn workday_on_or_before(self) -> Self {
        let mut d = self;
        while !d.is_workday() {
            d = d.plus(-1);
        }
        d
    }

    fn next_workday(self) -> Self {
        let mut d = self.plus(1);
        while !d.is_workday() {
            d = d.plus(1);
        }
        d
    }

    fn on_leave(self) -> bool {
        let ((y1, m1, d1), (y2, m2, d2)) = LEAVE;
        (Self::ymd(y1, m1, d1)..=Self::ymd(y2, m2, d2)).contains(&self)
    }

    /// `2026-08-05`, as forms take dates.
    fn iso(self) -> String {
        let (y, m, d) = self.parts();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// `2026년 8월 5일`.
    fn ko(self) -> String {
        let (y, m, d) = self.parts();
        format!("{y}년 {m}월 {d}일")
    }

    /// `8월 5일(수)`.
    fn md(self) -> String {
        let (_, m, d) = self.parts();
        format!("{m}월 {d}일({})", WEEKDAYS_KO[self.weekday()])
    }

    /// The instant at a Seoul wall-clock time on this day.
    fn at(self, hour: i64, minute: i64) -> Timestamp {
        let seconds = self.0 * 86_400 + hour * 3_600 + minute * 60 - 9 * 3_600;
        Timestamp::from_micros(seconds * 1_000_000)
    }
}

fn day(m: i64, d: i64) -> Day {
    Day::ymd(2026, m, d)
}

fn later(t: Timestamp, minutes: i64) -> Timestamp {
    Timestamp::from_micros(t.as_micros() + minutes * 60_000_000)
}

// ---------------------------------------------------------------------------------------------
// Small attachments
// ---------------------------------------------------------------------------------------------

/// A minimal valid one-page PDF showing a few ASCII lines (with a correct cross-reference table).
fn tiny_pdf(lines: &[&str]) -> Vec<u8> {
    let escape = |s: &str| {
        s.chars()
            .filter(char::is_ascii)
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                _ => vec![c],
            })
            .collect::<String>()
    };
    let mut content = String::from("BT /F1 12 Tf 72 770 Td 18 TL");
    for l in lines {
        content.push_str(&format!(" ({}) Tj T*", escape(l)));
    }
    content.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

/// A scanned tax invoice stand-in.
fn invoice_pdf(vendor_en: &str, number: &str, total: i64) -> Vec<u8> {
    tiny_pdf(&[
        "Tax invoice (demo scan)",
        &format!("Supplier: {vendor_en}"),
        "Buyer: Malgeun Apartment management office",
        &format!("Invoice no.: {number}"),
        &format!("Total (KRW, VAT incl.): {total}"),
    ])
}

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

enum Action {
    Draft {
        input: DraftInput,
        corrects: Option<String>,
    },
    Attach {
        name: String,
        media_type: &'static str,
        bytes: Vec<u8>,
    },
    Update(DraftUpdate),
    Submit,
    Act {
        decision: Decision,
        comment: Option<String>,
        acting_for: Option<&'static str>,
    },
    Withdraw,
    Revise,
    Receive {
        input: ReceiveInput,
        files: Vec<(String, &'static str, Vec<u8>)>,
    },
}

struct Step {
    at: Timestamp,
    who: &'static str,
    key: String,
    action: Action,
}

#[derive(Default)]
struct Plan {
    steps: Vec<Step>,
}

impl Plan {
    fn push(&mut self, at: Timestamp, who: &'static str, key: &str, action: Action) {
        self.steps.push(Step {
            at,
            who,
            key: key.to_owned(),
            action,
        });
    }

    fn draft(&mut self, at: Timestamp, who: &'static str, key: &str, input: DraftInput) {
        self.push(
            at,
            who,
            key,
            Action::Draft {
                input,
                corrects: None,
            },
        );
    }

    fn attach(
        &mut self,
        at: Timestamp,
        who: &'static str,
        key: &str,
        name: &str,
        media_type: &'static str,
        bytes: Vec<u8>,
    ) {
        self.push(
            at,
            who,
            key,
            Action::Attach {
                name: name.to_owned(),
                media_type,
                bytes,
            },
        );
    }

    fn submit(&mut self, at: Timestamp, who: &'static str, key: &str) {
        self.push(at, who, key, Action::Submit);
    }

    /// 기안 then 상신 a few minutes later, with an optional PDF attached in between.
    fn file(
        &mut self,
        at: Timestamp,
        who: &'static str,
        key: &str,
        input: DraftInput,
        pdf: Option<(&str, Vec<u8>)>,
    ) {
        self.draft(at, who, key, input);
        if let Some((name, bytes)) = pdf {
            self.attach(later(at, 2), who, key, name, "application/pdf", bytes);
        }
        self.submit(later(at, 4), who, key);
    }

    fn act(
        &mut self,
        at: Timestamp,
        who: &'static str,
        key: &str,
        decision: Decision,
        comment: &str,
        acting_for: Option<&'static str>,
    ) {
        self.push(
            at,
            who,
            key,
            Action::Act {
                decision,
                comment: (!comment.is_empty()).then(|| comment.to_owned()),
                acting_for,
            },
        );
    }

    fn approve(&mut self, at: Timestamp, who: &'static str, key: &str, comment: &str) {
        self.act(at, who, key, Decision::Approve, comment, None);
    }
}

fn input(kind: &str, title: &str, body: &str, form: Value) -> DraftInput {
    DraftInput {
        kind_code: kind.into(),
        title: title.into(),
        body: body.into(),
        form,
        ..DraftInput::default()
    }
}

/// A line with only the 관리사무소장's 결재 (when the drafter is the kind's usual reviewer).
fn manager_only(demo: &Demo) -> Option<Vec<StepInput>> {
    Some(vec![StepInput {
        kind: StepKind::Final,
        positions: vec![demo.person("manager").position],
    }])
}

/// Table rows from (key, value) pairs, leaving out empty text so optional columns stay absent.
fn row(pairs: &[(&str, Value)]) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        if v.as_str().is_some_and(str::is_empty) {
            continue;
        }
        map.insert((*k).to_owned(), v.clone());
    }
    Value::Object(map)
}

/// 지출결의서 item rows: (적요, 거래처, 금액, 비고).
fn expense_items(items: &[(&str, &str, i64, &str)]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|(summary, vendor, amount, note)| {
                row(&[
                    ("summary", json!(summary)),
                    ("vendor", json!(vendor)),
                    ("amount", json!(amount)),
                    ("note", json!(note)),
                ])
            })
            .collect(),
    )
}

fn total(items: &[(&str, &str, i64, &str)]) -> i64 {
    items.iter().map(|i| i.2).sum()
}

fn won(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    format!("{out}원")
}

struct Expense<'a> {
    key: &'a str,
    title: &'a str,
    spent_on: Day,
    items: &'a [(&'a str, &'a str, i64, &'a str)],
    method: &'a str,
    budget_item: &'a str,
    evidence: &'a str,
    reason: &'a str,
}

impl Expense<'_> {
    fn input(&self) -> DraftInput {
        let body = format!(
            "{}\n\n아래와 같이 지출하고자 하오니 결재하여 주시기 바랍니다.\n\n- 지출 금액: {} ({}건)\n- 예산 과목: {}\n- 지출 방법: {}",
            self.reason,
            won(total(self.items)),
            self.items.len(),
            self.budget_item,
            self.method,
        );
        input(
            "expense-resolution",
            self.title,
            &body,
            json!({
                "spent_on": self.spent_on.iso(),
                "items": expense_items(self.items),
                "method": self.method,
                "budget_item": self.budget_item,
                "evidence": self.evidence,
                "reason": self.reason,
            }),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Weekly logs
// ---------------------------------------------------------------------------------------------

const OFFICE_TASKS: &[(&str, &str, &str)] = &[
    (
        "09:30",
        "관리사무소 민원 접수·처리 (누수·층간소음 등)",
        "이수진",
    ),
    ("10:00", "관리비 연체 세대 납부 안내문 발송", "이수진"),
    ("10:30", "경비·미화 근무일지 확인 및 근태 정리", "이수진"),
    ("11:00", "무인택배함 장기 보관 물품 세대 안내", "이수진"),
    ("13:30", "거래처 세금계산서 수취 및 전표 정리", "이수진"),
    ("14:00", "입주자대표회의 회의 자료 준비", "김정민"),
    (
        "14:30",
        "방문차량 장기주차 확인 및 주차 스티커 정리",
        "이수진",
    ),
    ("15:00", "K-apt 관리비 공개 자료 입력", "이수진"),
    ("15:30", "전입 세대 공동현관 출입카드 발급", "이수진"),
    ("16:00", "경비실 순찰 기록 확인", "박철호"),
    ("16:30", "전출 세대 관리비 중간 정산", "이수진"),
    ("17:00", "분리수거장 정리 상태 확인", "박철호"),
];

const LOG_NOTES: &[(&str, &str)] = &[
    ("", "다음 주 월요일 관리비 자동이체 결과 확인 필요"),
    (
        "소장 하계휴가(8.10.~8.14.) 중 시설과장 대결",
        "휴가 중 결재 문서 후결 요청",
    ),
    ("", ""),
    (
        "104동 1203호 욕실 천장 누수 민원 접수 (윗세대 방수 확인 요청)",
        "윗세대 방문 일정 조율",
    ),
    ("", "9월 세대 소독 일정 게시 완료"),
    ("", ""),
    (
        "태풍 예비특보에 따라 옥상 출입문·배수구 점검",
        "우천 시 지하주차장 집수정 수위 확인",
    ),
    (
        "추석 연휴 경비 근무 편성 확정",
        "연휴 중 비상연락망 경비실 비치",
    ),
    ("", ""),
    ("", "개천절 대체공휴일(10.5.) 관리사무소 휴무 안내 완료"),
    (
        "107동 공동현관 출입통제기 카드 인식 불량 민원",
        "업체 A/S 요청 (10.14. 방문 예정)",
    ),
    ("", ""),
    ("", "11월 관리비 고지서 출력 준비"),
    ("", ""),
    (
        "동절기 대비 경비실 난방기 점검 요청 접수",
        "경비실 4곳 전열기 안전점검 예정",
    ),
    ("", ""),
    (
        "놀이터 보수 지출결의 보류 중 (장기수선계획 해당 여부 검토)",
        "월요일 결재 문서 확인 요청",
    ),
];

/// (설비, items, index of the item that needed action, its action).
const INSPECTIONS: &[(&str, &[&str], &str)] = &[
    (
        "전기",
        &[
            "수변전실 변압기 온도·소음 (TR-1~3)",
            "특고압 수전반 계측값 (전압·전류)",
            "비상발전기 무부하 시운전 (10분)",
            "동별 분전반 누전차단기 동작 시험",
        ],
        "103동 분전반 누전차단기 교체",
    ),
    (
        "기계",
        &[
            "급수 부스터펌프 압력·누수 (2대)",
            "지하 집수정 배수펌프 자동 기동",
            "지하주차장 환기팬 운전 상태",
            "보일러실 순환펌프 베어링 소음",
        ],
        "배수펌프 플로트 스위치 청소 후 정상 기동 확인",
    ),
    (
        "급배수",
        &[
            "저수조 수위 및 맨홀 잠금 상태",
            "옥상 고가수조 급수 밸브",
            "오수 배출 펌프 운전 상태",
            "세대 급수 계량기함 누수 (표본 10세대)",
        ],
        "105동 계량기함 밸브 패킹 교체",
    ),
    (
        "승강기",
        &[
            "비상통화장치 작동 (24대)",
            "카 도어 안전장치(세이프티슈)",
            "기계실 온도 및 환기",
            "비상 구출 운전 스위치",
        ],
        "102동 2호기 비상통화 배터리 교체 요청",
    ),
    (
        "소방",
        &[
            "옥내소화전 방수압력 (최상층)",
            "스프링클러 유수검지장치 (알람밸브)",
            "수신기 화재표시 및 예비전원",
            "피난구 유도등 점등 상태",
        ],
        "106동 3층 유도등 램프 교체",
    ),
    (
        "가스",
        &[
            "외벽 가스 입상관 부식·도색 상태",
            "가스 누설경보기 작동",
            "정압기실 잠금 및 환기",
            "세대 가스 계량기함 외관 (표본)",
        ],
        "101동 입상관 고정 밴드 재체결",
    ),
    (
        "통신",
        &[
            "CCTV 녹화 상태 (64채널, 30일 보관)",
            "MDF실 온도 및 전원",
            "공동현관 출입통제기 통신 상태",
            "단지 방송설비 출력",
        ],
        "107동 출입통제기 통신 모듈 재설정",
    ),
];

fn work_log(plan: &mut Plan, week: i64, monday: Day) {
    let on = monday.plus(4).workday_on_or_before();
    let key = format!("work-log-{}", on.iso());
    let w = usize::try_from(week).unwrap_or(0);
    let mut tasks: Vec<(&str, &str, &str)> =
        vec![("09:00", "관리비 수납 현황 확인 및 은행 입금 대사", "이수진")];
    for i in 0..4 {
        tasks.push(OFFICE_TASKS[(w + i * 3) % OFFICE_TASKS.len()]);
    }
    tasks.sort_by_key(|t| t.0);
    let rows: Vec<Value> = tasks
        .iter()
        .map(|(time, task, worker)| {
            row(&[
                ("time", json!(time)),
                ("task", json!(task)),
                ("worker", json!(worker)),
            ])
        })
        .collect();
    let (notes, handover) = LOG_NOTES[w % LOG_NOTES.len()];
    let form = row(&[
        ("work_date", json!(on.iso())),
        ("team", json!("관리")),
        ("tasks", Value::Array(rows)),
        ("special_notes", json!(notes)),
        ("handover", json!(handover)),
    ]);
    let title = format!("{} 업무일지 (관리)", on.ko());
    let body = format!("{} 관리 업무 수행 내용을 보고드립니다.", on.md());
    plan.file(
        on.at(17, 20),
        "accountant",
        &key,
        input("daily-work-log", &title, &body, form),
        None,
    );
    let next = on.next_workday();
    if on == day_of_last_week() {
        // The last week's log still waits for the 관리사무소장 (결재대기).
        return;
    }
    if on.on_leave() || next.on_leave() {
        // 대결: the 시설과장 approves for the absent 관리사무소장; they confirm on return (후결).
        let when = if on.on_leave() {
            on.at(17, 48)
        } else {
            next.at(9, 20)
        };
        plan.act(
            when,
            "facility",
            &key,
            Decision::Approve,
            "소장 휴가로 대결합니다.",
            Some("manager"),
        );
        plan.act(
            day(8, 18).at(9, 15),
            "manager",
            &key,
            Decision::PostConfirm,
            "확인했습니다.",
            None,
        );
    } else {
        plan.approve(next.at(9, 10), "manager", &key, "");
    }
}

fn day_of_last_week() -> Day {
    day(11, 27)
}

fn inspection_log(plan: &mut Plan, demo: &Demo, week: i64, monday: Day) {
    let on = monday.plus(2).workday_on_or_before();
    let w = usize::try_from(week).unwrap_or(0);
    let (facility, items, action) = INSPECTIONS[w % INSPECTIONS.len()];
    let fixed = match w % 4 {
        2 => Some((1, "조치완료")),
        _ if w % 6 == 5 => Some((2, "이상")),
        _ => None,
    };
    let rows: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(i, item)| match fixed {
            Some((at, result)) if at == i => row(&[
                ("item", json!(item)),
                ("result", json!(result)),
                (
                    "action",
                    json!(if result == "이상" {
                        "부품 발주, 입고 후 교체 예정"
                    } else {
                        action
                    }),
                ),
            ]),
            _ => row(&[("item", json!(item)), ("result", json!("정상"))]),
        })
        .collect();
    let findings = match fixed {
        Some((_, "조치완료")) => format!("점검 중 발견한 불량은 당일 조치 완료 ({action})."),
        Some(_) => "이상 항목은 부품 입고 후 조치하고 다음 점검 때 확인합니다.".to_owned(),
        None => String::new(),
    };
    let key = format!("inspection-{}", on.iso());
    let title = format!("{} 시설 점검일지 ({facility})", on.ko());
    let body = format!("{} {facility} 설비 정기 순회 점검 결과입니다.", on.md());
    let mut doc = input(
        "facility-inspection-log",
        &title,
        &body,
        row(&[
            ("inspected_on", json!(on.iso())),
            ("facility", json!(facility)),
            ("items", Value::Array(rows)),
            ("findings", json!(findings)),
        ]),
    );
    // The 시설과장 drafts it, so the line goes straight to the 관리사무소장.
    doc.line = manager_only(demo);
    plan.file(on.at(16, 10), "facility", &key, doc, None);
    let mut next = on.next_workday();
    while next.on_leave() {
        next = next.next_workday();
    }
    let next = next;
    plan.approve(next.at(9, 30 + (week % 3) * 7), "manager", &key, "");
}

// ---------------------------------------------------------------------------------------------
// 관리비 부과내역
// ---------------------------------------------------------------------------------------------

/// (항목, 6월…10월분 부과액, 산출 근거); the 8월분 세대전기료 here is the corrected amount.
const LEVY: &[(&str, [i64; 5], &str)] = &[
    (
        "일반관리비",
        [51_772_000; 5],
        "세대당 43,000원 (인건비·제사무비·제세공과금)",
    ),
    ("청소비", [15_652_000; 5], "세대당 13,000원 (미화 용역)"),
    ("경비비", [33_712_000; 5], "세대당 28,000원 (경비 용역)"),
    ("소독비", [1_204_000; 5], "세대당 1,000원"),
    (
        "승강기유지비",
        [3_010_000; 5],
        "유지보수 월정액 및 부품비 (세대당 2,500원)",
    ),
    ("수선유지비", [6_020_000; 5], "세대당 5,000원"),
    ("장기수선충당금", [26_488_000; 5], "주택공급면적 ㎡당 240원"),
    (
        "위탁관리수수료",
        [3_612_000; 5],
        "세대당 3,000원 (위탁관리 계약)",
    ),
    ("입주자대표회의 운영비", [1_204_000; 5], "세대당 1,000원"),
    (
        "공동전기료",
        [10_388_200, 11_204_300, 12_016_800, 9_835_400, 8_902_100],
        "한국전력공사 청구액 (공용부)",
    ),
    (
        "세대전기료",
        [84_906_500, 98_412_600, 110_982_400, 71_205_300, 58_931_700],
        "세대별 검침량 (주택용 저압 누진)",
    ),
    (
        "수도료",
        [39_870_000, 41_236_000, 43_118_000, 38_904_000, 36_550_000],
        "세대별 검침량 (상수도 요금)",
    ),
];

const HOUSEHOLD_ELECTRICITY_ERROR: i64 = 112_734_900;

/// The levy of month `m` (7…10); `wrong_electricity` reproduces the 8월분 error.
fn levy_input(m: i64, wrong_electricity: bool, correction: bool) -> DraftInput {
    let i = usize::try_from(m - 6).unwrap_or(0);
    let rows: Vec<Value> = LEVY
        .iter()
        .map(|(item, amounts, basis)| {
            let mut amount = amounts[i];
            if wrong_electricity && *item == "세대전기료" {
                amount = HOUSEHOLD_ELECTRICITY_ERROR;
            }
            row(&[
                ("item", json!(item)),
                ("amount", json!(amount)),
                ("previous", json!(amounts[i - 1])),
                ("basis", json!(basis)),
            ])
        })
        .collect();
    let sum: i64 = LEVY
        .iter()
        .map(|(item, a, _)| {
            if wrong_electricity && *item == "세대전기료" {
                HOUSEHOLD_ELECTRICITY_ERROR
            } else {
                a[i]
            }
        })
        .sum();
    let due = Day::ymd(2026, m + 2, 1).plus(-1);
    let (title, body, notes) = if correction {
        (
            format!("2026년 {m}월분 관리비 부과내역 (정정)"),
            format!(
                "2026년 {m}월분 관리비 부과내역 중 세대전기료를 한국전력공사의 청구서 재발행(누진 단계 적용 오류 정정)에 따라 {}에서 {}로 정정합니다. 차액은 {}월분 관리비에서 세대별로 차감합니다.",
                won(HOUSEHOLD_ELECTRICITY_ERROR),
                won(LEVY[10].1[i]),
                m + 1,
            ),
            "세대전기료 정정 (한전 청구서 재발행). 차액은 다음 달 관리비에서 차감합니다."
                .to_owned(),
        )
    } else {
        (
            format!("2026년 {m}월분 관리비 부과내역"),
            format!(
                "2026년 {m}월분 관리비를 아래와 같이 부과하고자 합니다. 부과 총액은 {}이며 납부 기한은 {}입니다. 세대별 고지서는 별도 출력하여 배부합니다.",
                won(sum),
                due.ko()
            ),
            match m {
                7 => "하절기 냉방 사용 증가로 세대전기료가 전월보다 늘었습니다.".to_owned(),
                8 => "폭염으로 세대전기료가 크게 늘었습니다.".to_owned(),
                9 => "냉방 사용 감소로 전기료가 줄었습니다.".to_owned(),
                _ => "전월과 큰 변동 없음.".to_owned(),
            },
        )
    };
    input(
        "management-fee-levy",
        &title,
        &body,
        json!({
            "year": 2026,
            "month": m,
            "due_on": due.iso(),
            "households": 1_204,
            "items": rows,
            "notes": notes,
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// Council
// ---------------------------------------------------------------------------------------------

const COUNCIL: &[&str] = &[
    "최영순(회장)",
    "정해동(감사)",
    "강민수(101동)",
    "윤미경(102동)",
    "한상철(103동)",
    "오정희(104동)",
    "서동훈(105동)",
    "임현주(106동)",
    "조성래(107동)",
    "문경아(108동)",
    "배진우(109동)",
];

/// (안건, 제안자, 결과, 찬성, 반대, 기권)
type Agenda = (&'static str, &'static str, &'static str, i64, i64, i64);

struct Meeting {
    session: u32,
    held_on: Day,
    notice_drafted: Day,
    notice_approved: Day,
    minutes_drafted: Day,
    minutes_approved: Option<Day>,
    present: usize,
    agenda: &'static [Agenda],
    proceedings: &'static str,
}

const PLACE: &str = "관리동 2층 입주자대표회의실";

fn meetings() -> Vec<Meeting> {
    vec![
        Meeting {
            session: 8,
            held_on: day(8, 27),
            notice_drafted: day(8, 19),
            notice_approved: day(8, 19),
            minutes_drafted: day(8, 31),
            minutes_approved: Some(day(9, 2)),
            present: 9,
            agenda: &[
                (
                    "제1호 7월 관리비 부과 및 집행 내역 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
                (
                    "제2호 하반기 저수조 청소 및 수질검사 결과 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
                (
                    "제3호 승강기 유지보수 용역 부품 교체 단가 변경 승인의 건",
                    "관리사무소장",
                    "가결",
                    8,
                    1,
                    0,
                ),
                (
                    "제4호 단지 내 전동킥보드 주차구역 지정의 건",
                    "101동 동대표",
                    "보류",
                    0,
                    0,
                    0,
                ),
            ],
            proceedings: "관리사무소장이 7월 관리비 부과·집행 내역과 저수조 청소 결과(수질 전 항목 적합)를 보고함.\n승강기 부품 교체 단가 변경은 인근 단지 단가와 비교한 자료를 검토한 뒤 표결하여 가결함.\n전동킥보드 주차구역은 위치에 대한 의견이 나뉘어 동별 의견을 더 듣고 다음 회의에서 다시 논의하기로 함.",
        },
        Meeting {
            session: 9,
            held_on: day(9, 17),
            notice_drafted: day(9, 8),
            notice_approved: day(9, 9),
            minutes_drafted: day(9, 21),
            minutes_approved: Some(day(9, 22)),
            present: 10,
            agenda: &[
                (
                    "제1호 8월 관리비 부과 및 집행 내역 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
                (
                    "제2호 장기수선충당금 사용계획(옥상 방수, 지하주차장 바닥 도장) 승인의 건",
                    "관리사무소장",
                    "가결",
                    10,
                    0,
                    0,
                ),
                (
                    "제3호 추석 연휴 경비 근무 계획 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
                (
                    "제4호 단지 내 전동킥보드 주차구역 지정의 건",
                    "101동 동대표",
                    "가결",
                    7,
                    2,
                    1,
                ),
            ],
            proceedings: "8월분 세대전기료 오류(한전 청구서 재발행)와 정정 부과 계획을 보고함.\n장기수선충당금 사용계획은 장기수선계획의 수선주기 도래 항목임을 확인하고 전원 찬성으로 가결함. 공사업체는 입찰로 선정하기로 함.\n전동킥보드 주차구역은 각 동 자전거 보관소 옆으로 지정하기로 가결함.",
        },
        Meeting {
            session: 10,
            held_on: day(10, 22),
            notice_drafted: day(10, 13),
            notice_approved: day(10, 14),
            minutes_drafted: day(10, 26),
            minutes_approved: Some(day(10, 28)),
            present: 8,
            agenda: &[
                (
                    "제1호 9월 관리비 부과 및 집행 내역 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
                (
                    "제2호 소방시설 작동점검 결과 및 불량 조치 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
                (
                    "제3호 어린이놀이터 탄성포장 보수 방안의 건",
                    "관리사무소장",
                    "보류",
                    0,
                    0,
                    0,
                ),
                (
                    "제4호 2027년도 관리비 예산(안) 편성 일정 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
            ],
            proceedings: "소방시설 작동점검 불량 3건 중 2건 조치 완료, 1건은 부품 입고 후 조치 예정임을 보고함.\n놀이터 탄성포장 보수는 장기수선계획 반영 여부를 확인한 뒤 다시 논의하기로 하고 보류함.\n2027년도 예산(안)은 11월 정기회의에 상정하기로 함.",
        },
        Meeting {
            session: 11,
            held_on: day(11, 19),
            notice_drafted: day(11, 10),
            notice_approved: day(11, 11),
            minutes_drafted: day(11, 23),
            minutes_approved: None,
            present: 9,
            agenda: &[
                (
                    "제1호 10월 관리비 부과 및 집행 내역 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
                (
                    "제2호 동절기 제설 대책 보고",
                    "관리사무소장",
                    "보고",
                    0,
                    0,
                    0,
                ),
                (
                    "제3호 지하주차장 CCTV 교체 공사 입찰 공고의 건",
                    "관리사무소장",
                    "가결",
                    8,
                    0,
                    1,
                ),
                (
                    "제4호 2027년도 관리비 예산(안) 심의의 건",
                    "관리사무소장",
                    "가결",
                    9,
                    0,
                    0,
                ),
            ],
            proceedings: "제설 책임구역(구청 지정)과 염화칼슘 비축 계획을 보고함.\n지하주차장 CCTV 교체는 전자입찰(적격심사)로 진행하기로 가결함.\n2027년도 관리비 예산(안)은 일반관리비 동결, 경비비 최저임금 인상분 반영으로 가결함.",
        },
    ]
}

fn council(plan: &mut Plan) {
    for m in meetings() {
        let notice_key = format!("council-notice-{}", m.session);
        let agenda: Vec<Value> = m
            .agenda
            .iter()
            .map(|a| row(&[("title", json!(a.0)), ("proposer", json!(a.1))]))
            .collect();
        let title = format!("제{}차 입주자대표회의 정기회의 소집 공고", m.session);
        let body = format!(
            "맑은아파트 입주자대표회의 제{}차 정기회의를 아래와 같이 소집하오니 동별 대표자께서는 참석하여 주시기 바랍니다.\n\n- 일시: {} 오후 7시 30분\n- 장소: {PLACE}\n\n회의는 입주민 누구나 방청할 수 있습니다.",
            m.session,
            m.held_on.md(),
        );
        plan.file(
            m.notice_drafted.at(10, 0),
            "manager",
            &notice_key,
            input(
                "council-meeting-notice",
                &title,
                &body,
                json!({
                    "meeting_type": "정기회의",
                    "meeting_on": m.held_on.iso(),
                    "meeting_time": "19:30",
                    "place": PLACE,
                    "agenda": agenda,
                    "posted_on": m.notice_approved.iso(),
                    "notes": "회의 자료는 관리사무소에서 열람할 수 있습니다. 방청을 원하시는 분은 회의 시작 10분 전까지 오시기 바랍니다.",
                }),
            ),
            None,
        );
        let notice_at = if m.notice_drafted == m.notice_approved {
            m.notice_approved.at(16, 30)
        } else {
            m.notice_approved.at(11, 0)
        };
        plan.approve(notice_at, "chair", &notice_key, "");

        let minutes_key = format!("council-minutes-{}", m.session);
        let rows: Vec<Value> = m
            .agenda
            .iter()
            .map(|a| {
                let mut r = row(&[("title", json!(a.0)), ("result", json!(a.2))]);
                if a.2 == "가결" || a.2 == "부결" {
                    r["yes"] = json!(a.3);
                    r["no"] = json!(a.4);
                    r["abstain"] = json!(a.5);
                }
                r
            })
            .collect();
        let attendees = format!(
            "{}\n배석: 김정민(관리사무소장), 이수진(경리주임)",
            COUNCIL[..m.present].join(", ")
        );
        let title = format!("제{}차 입주자대표회의 정기회의 회의록", m.session);
        let body = format!(
            "{} 오후 7시 30분 {PLACE}에서 열린 제{}차 정기회의의 회의록입니다. 재적 {}명 중 {}명이 참석하여 성원되었습니다. 참석 동대표 서명본은 스캔하여 첨부합니다.",
            m.held_on.md(),
            m.session,
            COUNCIL.len(),
            m.present,
        );
        let at = m.minutes_drafted.at(14, 0);
        plan.draft(
            at,
            "manager",
            &minutes_key,
            input(
                "council-minutes",
                &title,
                &body,
                json!({
                    "meeting_type": "정기회의",
                    "session": format!("제{}차", m.session),
                    "held_on": m.held_on.iso(),
                    "place": PLACE,
                    "members_total": COUNCIL.len(),
                    "members_present": m.present,
                    "attendees": attendees,
                    "agenda": rows,
                    "proceedings": m.proceedings,
                    "recording": "녹음",
                }),
            ),
        );
        plan.attach(
            later(at, 3),
            "manager",
            &minutes_key,
            &format!("제{}차_회의록_서명본.pdf", m.session),
            "application/pdf",
            tiny_pdf(&[
                &format!(
                    "Council meeting no. {} - signed minutes (demo scan)",
                    m.session
                ),
                &format!("Held on {}", m.held_on.iso()),
                &format!("Present: {} of {}", m.present, COUNCIL.len()),
            ]),
        );
        plan.submit(later(at, 6), "manager", &minutes_key);
        if let Some(d) = m.minutes_approved {
            plan.approve(d.at(11, 30), "chair", &minutes_key, "회의 내용과 같습니다.");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The whole four months
// ---------------------------------------------------------------------------------------------

fn build(demo: &Demo) -> Plan {
    let mut p = Plan::default();
    let first_monday = day(8, 3);
    for week in 0..17 {
        let monday = first_monday.plus(week * 7);
        inspection_log(&mut p, demo, week, monday);
        work_log(&mut p, week, monday);
    }
    council(&mut p);
    levies(&mut p);
    expenses(&mut p);
    notices(&mut p);
    facility_records(&mut p, demo);
    received(&mut p);
    p
}

fn levies(p: &mut Plan) {
    // (month, drafted, approved)
    let plan = [
        (7, day(8, 5), day(8, 6)),
        (8, day(9, 3), day(9, 4)),
        (9, day(10, 6), day(10, 7)),
        (10, day(11, 2), day(11, 3)),
    ];
    for (m, drafted, approved) in plan {
        let key = format!("levy-{m}");
        p.file(
            drafted.at(14, 20),
            "accountant",
            &key,
            levy_input(m, m == 8, false),
            None,
        );
        p.approve(approved.at(9, 40), "manager", &key, "");
    }
    // The 8월분 세대전기료 was billed at the wrong tier: a correction of the registered levy.
    let at = day(9, 15).at(10, 40);
    p.push(
        at,
        "accountant",
        "levy-8-correction",
        Action::Draft {
            input: levy_input(8, false, true),
            corrects: Some("levy-8".into()),
        },
    );
    p.attach(
        later(at, 2),
        "accountant",
        "levy-8-correction",
        "한전_청구서_재발행_202608.pdf",
        "application/pdf",
        tiny_pdf(&[
            "KEPCO bill (reissued) - August 2026 (demo scan)",
            "Residential low-voltage, progressive tiers corrected",
            "Amount (KRW): 110982400",
        ]),
    );
    p.submit(later(at, 5), "accountant", "levy-8-correction");
    p.approve(
        day(9, 16).at(9, 35),
        "manager",
        "levy-8-correction",
        "차액 차감 내용을 9월분 고지서에 안내해 주세요.",
    );
}

fn expenses(p: &mut Plan) {
    // 8월: 승강기 유지보수 용역 (registered).
    let e = Expense {
        key: "exp-elevator-08",
        title: "2026년 8월 승강기 유지보수 용역비 지출",
        spent_on: day(8, 25),
        items: &[
            (
                "8월 승강기 유지보수 용역 (24대, 월정액)",
                "한국승강기(주)",
                2_640_000,
                "계약 제2026-03호",
            ),
            (
                "비상통화장치 배터리 교체 (103동 1·2호기)",
                "한국승강기(주)",
                176_000,
                "",
            ),
        ],
        method: "계좌이체",
        budget_item: "승강기유지비",
        evidence: "세금계산서",
        reason: "승강기 유지관리 용역 계약(2026.3.1.~2027.2.28.)에 따른 8월 월정액과 교체 부품 비용입니다.",
    };
    expense(
        p,
        &e,
        day(8, 20).at(10, 30),
        "Hankook Elevator Co.",
        "20260820-001",
    );
    p.approve(
        day(8, 20).at(15, 20),
        "facility",
        e.key,
        "작업 내역 확인함.",
    );
    p.approve(day(8, 21).at(10, 5), "manager", e.key, "");

    // 8월: 저수조 청소 (registered).
    let e = Expense {
        key: "exp-water-tank-08",
        title: "2026년 하반기 저수조 청소 및 수질검사 비용 지출",
        spent_on: day(8, 28),
        items: &[
            (
                "저수조 청소 (지하 1·2조, 560톤)",
                "(주)청수환경",
                1_980_000,
                "",
            ),
            (
                "먹는물 수질검사 (6개 항목)",
                "(주)청수환경",
                154_000,
                "검사성적서 첨부",
            ),
        ],
        method: "계좌이체",
        budget_item: "수선유지비",
        evidence: "세금계산서",
        reason: "수도법 제33조에 따른 반기 1회 저수조 청소와 수질검사 비용입니다.",
    };
    expense(
        p,
        &e,
        day(8, 26).at(13, 50),
        "Cheongsu Environment",
        "20260826-014",
    );
    p.approve(day(8, 26).at(16, 0), "facility", e.key, "");
    p.approve(day(8, 27).at(9, 50), "manager", e.key, "");

    // 8월: 사무용품 — 시설과장 전결 (≤ 300,000원).
    let e = Expense {
        key: "exp-office-supplies-08",
        title: "관리사무소 사무용품 구입 (8월)",
        spent_on: day(8, 24),
        items: &[
            ("A4 복사용지 (80g, 5박스)", "(주)한솔문구", 132_500, ""),
            ("레이저프린터 토너 (정품)", "(주)한솔문구", 89_000, ""),
            ("민원 접수대장·결재판", "(주)한솔문구", 26_400, ""),
        ],
        method: "법인카드",
        budget_item: "제사무비",
        evidence: "카드매출전표",
        reason: "관리사무소 사무용 소모품이 떨어져 구입합니다.",
    };
    expense(
        p,
        &e,
        day(8, 24).at(11, 0),
        "Hansol Stationery",
        "CARD-0824-3381",
    );
    p.act(
        day(8, 24).at(14, 30),
        "facility",
        e.key,
        Decision::DelegatedFinal,
        "위임전결 규정(30만원 이하 소모품)에 따라 전결합니다.",
        None,
    );

    // 9월: 소독 용역 — 반려, 재기안, 등록.
    let e = Expense {
        key: "exp-disinfection-09",
        title: "2026년 9월 소독 용역비 지출",
        spent_on: day(9, 10),
        items: &[
            (
                "9월 정기 소독 (세대 및 공용부)",
                "(주)푸른방역",
                1_204_000,
                "세대당 1,000원",
            ),
            ("지하주차장 방역 추가", "(주)푸른방역", 220_000, "추가 작업"),
        ],
        method: "계좌이체",
        budget_item: "소독비",
        evidence: "세금계산서",
        reason: "감염병예방법에 따른 공동주택 정기 소독(9월) 용역비입니다.",
    };
    expense(
        p,
        &e,
        day(9, 8).at(10, 20),
        "Pureun Pest Control",
        "20260908-007",
    );
    p.approve(day(9, 8).at(14, 0), "facility", e.key, "소독 작업 확인함.");
    p.act(
        day(9, 9).at(9, 40),
        "manager",
        e.key,
        Decision::Reject { to_previous: false },
        "지하주차장 방역은 소독 용역 계약 범위에 포함되어 있습니다. 계약서를 확인하여 금액을 조정한 뒤 재기안 바랍니다.",
        None,
    );
    p.push(day(9, 9).at(11, 0), "accountant", e.key, Action::Revise);
    let revised: &[(&str, &str, i64, &str)] = &[
        (
            "9월 정기 소독 (세대 및 공용부)",
            "(주)푸른방역",
            1_204_000,
            "세대당 1,000원",
        ),
        (
            "음식물쓰레기 보관장 방역 (계약 외 추가)",
            "(주)푸른방역",
            88_000,
            "계약서 제4조 단서",
        ),
    ];
    p.push(
        day(9, 9).at(11, 10),
        "accountant",
        e.key,
        Action::Update(DraftUpdate {
            body: Some(format!(
                "{}\n\n반려 의견에 따라 계약 범위인 지하주차장 방역을 제외하고, 계약 외 작업인 음식물쓰레기 보관장 방역만 추가로 지출합니다.\n\n- 지출 금액: {} ({}건)",
                e.reason,
                won(total(revised)),
                revised.len(),
            )),
            form: Some(json!({
                "spent_on": e.spent_on.iso(),
                "items": expense_items(revised),
                "method": e.method,
                "budget_item": e.budget_item,
                "evidence": e.evidence,
                "reason": "감염병예방법에 따른 공동주택 정기 소독(9월) 용역비와 계약 외 추가 방역 비용입니다.",
            })),
            ..DraftUpdate::default()
        }),
    );
    p.attach(
        day(9, 9).at(11, 12),
        "accountant",
        e.key,
        "소독용역계약서_발췌.pdf",
        "application/pdf",
        tiny_pdf(&[
            "Disinfection service contract 2026 (excerpt, demo scan)",
            "Art. 3 Scope: households, common areas, underground parking",
            "Art. 4 Extra work billed separately by agreement",
        ]),
    );
    p.submit(day(9, 9).at(11, 15), "accountant", e.key);
    p.approve(day(9, 9).at(15, 30), "facility", e.key, "");
    p.approve(day(9, 10).at(9, 15), "manager", e.key, "");

    // 9월: 승강기 (registered).
    let e = Expense {
        key: "exp-elevator-09",
        title: "2026년 9월 승강기 정기점검 용역비 지출",
        spent_on: day(9, 25).workday_on_or_before(),
        items: &[
            (
                "9월 승강기 유지보수 용역 (24대, 월정액)",
                "한국승강기(주)",
                2_640_000,
                "계약 제2026-03호",
            ),
            (
                "승강기 정기검사 수수료 (101·102동 6대)",
                "한국승강기안전공단",
                408_000,
                "대당 68,000원",
            ),
        ],
        method: "계좌이체",
        budget_item: "승강기유지비",
        evidence: "세금계산서",
        reason: "9월 승강기 유지보수 월정액과 승강기안전관리법에 따른 정기검사 수수료입니다.",
    };
    expense(
        p,
        &e,
        day(9, 18).at(10, 10),
        "Hankook Elevator Co.",
        "20260918-002",
    );
    p.approve(day(9, 18).at(13, 40), "facility", e.key, "");
    p.approve(day(9, 21).at(9, 25), "manager", e.key, "");

    // 9월: 추석 선물 (registered).
    let e = Expense {
        key: "exp-chuseok-09",
        title: "추석 명절 경비·미화 근무자 선물 구입",
        spent_on: day(9, 17),
        items: &[
            (
                "추석 선물세트 (경비원 14명)",
                "농협하나로마트 마포점",
                420_000,
                "1인 30,000원",
            ),
            (
                "추석 선물세트 (미화원 10명)",
                "농협하나로마트 마포점",
                300_000,
                "1인 30,000원",
            ),
        ],
        method: "법인카드",
        budget_item: "복리후생비",
        evidence: "카드매출전표",
        reason: "2026년도 예산(복리후생비)에 반영된 명절 선물 구입입니다.",
    };
    expense(
        p,
        &e,
        day(9, 16).at(11, 20),
        "Nonghyup Hanaro Mart",
        "CARD-0916-7720",
    );
    p.approve(day(9, 16).at(14, 10), "facility", e.key, "");
    p.approve(day(9, 16).at(16, 45), "manager", e.key, "");

    // 10월: LED 자재 — 전단계 반려, 재검토, 등록.
    let e = Expense {
        key: "exp-led-10",
        title: "지하주차장 LED 조명 교체 자재 구입",
        spent_on: day(10, 15),
        items: &[
            (
                "LED 직관등 40W (1,200mm) 120개",
                "(주)대성전기조명",
                1_740_000,
                "개당 14,500원",
            ),
            (
                "안정기 일체형 브래킷 60개",
                "(주)대성전기조명",
                252_000,
                "개당 4,200원",
            ),
            (
                "배선 부자재 (커넥터·케이블타이)",
                "(주)대성전기조명",
                84_000,
                "",
            ),
        ],
        method: "계좌이체",
        budget_item: "수선유지비",
        evidence: "세금계산서",
        reason: "지하주차장 B1·B2 형광등 불량이 잦아 LED 직관등으로 교체합니다. 설치는 시설과 직원이 직접 합니다.",
    };
    expense(
        p,
        &e,
        day(10, 13).at(10, 0),
        "Daesung Lighting",
        "QUOTE-2026-1013",
    );
    p.approve(day(10, 13).at(15, 0), "facility", e.key, "");
    p.act(
        day(10, 14).at(9, 30),
        "manager",
        e.key,
        Decision::Reject { to_previous: true },
        "수량 산출 근거(구역별 교체 수량)를 검토 의견에 적어 주세요.",
        None,
    );
    p.approve(
        day(10, 14).at(11, 0),
        "facility",
        e.key,
        "B1 64개, B2 56개, 총 120개 (10.12. 불량 등기구 전수조사 결과).",
    );
    p.approve(day(10, 14).at(14, 10), "manager", e.key, "");

    // 10월: 승강기 (registered).
    let e = Expense {
        key: "exp-elevator-10",
        title: "2026년 10월 승강기 유지보수 용역비 지출",
        spent_on: day(10, 26),
        items: &[
            (
                "10월 승강기 유지보수 용역 (24대, 월정액)",
                "한국승강기(주)",
                2_640_000,
                "계약 제2026-03호",
            ),
            ("105동 1호기 도어 롤러 교체", "한국승강기(주)", 330_000, ""),
        ],
        method: "계좌이체",
        budget_item: "승강기유지비",
        evidence: "세금계산서",
        reason: "10월 승강기 유지보수 월정액과 부품 교체 비용입니다.",
    };
    expense(
        p,
        &e,
        day(10, 20).at(10, 40),
        "Hankook Elevator Co.",
        "20261020-003",
    );
    p.approve(day(10, 20).at(14, 20), "facility", e.key, "");
    p.approve(day(10, 21).at(9, 35), "manager", e.key, "");

    // 10월: 소방 작동점검 용역 (registered).
    let e = Expense {
        key: "exp-fire-10",
        title: "2026년 소방시설 작동점검 용역비 지출",
        spent_on: day(10, 23),
        items: &[
            ("소방시설 작동점검 용역", "(주)한빛소방안전", 1_650_000, ""),
            (
                "불량 감지기 교체 (12개)",
                "(주)한빛소방안전",
                216_000,
                "개당 18,000원",
            ),
        ],
        method: "계좌이체",
        budget_item: "수선유지비",
        evidence: "세금계산서",
        reason: "소방시설법에 따른 연 1회 작동점검 용역비와 점검 중 교체한 감지기 비용입니다.",
    };
    expense(
        p,
        &e,
        day(10, 19).at(15, 10),
        "Hanbit Fire Safety",
        "20261019-011",
    );
    p.approve(day(10, 19).at(16, 30), "facility", e.key, "");
    p.approve(day(10, 20).at(9, 20), "manager", e.key, "");

    // 11월: 정수기 렌탈 — 검토에서 반려, 그대로 둔다.
    let e = Expense {
        key: "exp-water-purifier-11",
        title: "관리사무소 정수기 렌탈료 지출 (11월)",
        spent_on: day(11, 10),
        items: &[(
            "정수기 렌탈료 (관리사무소·경비실 3대)",
            "코웨이(주)",
            98_700,
            "대당 32,900원",
        )],
        method: "계좌이체",
        budget_item: "제사무비",
        evidence: "세금계산서",
        reason: "관리사무소와 경비실 정수기 월 렌탈료입니다.",
    };
    expense(p, &e, day(11, 9).at(10, 15), "Coway Co.", "20261109-021");
    p.act(
        day(11, 9).at(13, 50),
        "facility",
        e.key,
        Decision::Reject { to_previous: false },
        "렌탈 계약이 10월 31일로 만료되었습니다. 재계약 여부를 먼저 정해 주세요.",
        None,
    );

    // 11월: 놀이터 보수 — 관리사무소장 보류.
    let e = Expense {
        key: "exp-playground-11",
        title: "어린이놀이터 탄성포장 부분 보수 공사비 지출",
        spent_on: day(11, 20),
        items: &[
            (
                "놀이터 탄성포장(EPDM) 부분 보수 24㎡",
                "(주)세이프플레이",
                2_880_000,
                "㎡당 120,000원",
            ),
            (
                "그네 하부 충격흡수 매트 교체",
                "(주)세이프플레이",
                540_000,
                "",
            ),
        ],
        method: "계좌이체",
        budget_item: "수선유지비",
        evidence: "세금계산서",
        reason: "놀이터 안전점검(10월)에서 지적된 탄성포장 파손 부위를 보수합니다.",
    };
    expense(
        p,
        &e,
        day(11, 16).at(10, 30),
        "Safe Play Co.",
        "QUOTE-2026-1116",
    );
    p.approve(
        day(11, 16).at(15, 40),
        "facility",
        e.key,
        "현장 확인함. 파손 부위 사진 첨부.",
    );
    p.act(
        day(11, 17).at(10, 20),
        "manager",
        e.key,
        Decision::Hold,
        "장기수선계획의 놀이시설 항목에 해당하는지 확인한 뒤 처리하겠습니다 (10월 회의 보류 안건).",
        None,
    );

    // 11월: 승강기 — 검토 끝, 관리사무소장 결재대기.
    let e = Expense {
        key: "exp-elevator-11",
        title: "2026년 11월 승강기 유지보수 용역비 지출",
        spent_on: day(11, 30),
        items: &[
            (
                "11월 승강기 유지보수 용역 (24대, 월정액)",
                "한국승강기(주)",
                2_640_000,
                "계약 제2026-03호",
            ),
            ("동절기 기계실 보온 작업", "한국승강기(주)", 220_000, ""),
        ],
        method: "계좌이체",
        budget_item: "승강기유지비",
        evidence: "세금계산서",
        reason: "11월 승강기 유지보수 월정액과 동절기 대비 기계실 보온 작업 비용입니다.",
    };
    expense(
        p,
        &e,
        day(11, 25).at(10, 50),
        "Hankook Elevator Co.",
        "20261125-004",
    );
    p.approve(day(11, 26).at(14, 5), "facility", e.key, "");

    // 11월: 제설용품 — 임시저장만.
    let items: &[(&str, &str, i64, &str)] = &[
        (
            "염화칼슘 25kg (40포)",
            "(주)대한상사",
            560_000,
            "포당 14,000원",
        ),
        ("제설용 넉가래·빗자루", "(주)대한상사", 186_000, ""),
    ];
    let e = Expense {
        key: "exp-snow-12",
        title: "동절기 제설용품 구입",
        spent_on: day(12, 2),
        items,
        method: "계좌이체",
        budget_item: "수선유지비",
        evidence: "세금계산서",
        reason: "구청 지정 제설 책임구역과 단지 내 경사로 제설을 위한 용품을 구입합니다.",
    };
    p.draft(day(11, 26).at(16, 10), "accountant", e.key, e.input());
    let more: &[(&str, &str, i64, &str)] = &[
        (
            "염화칼슘 25kg (40포)",
            "(주)대한상사",
            560_000,
            "포당 14,000원",
        ),
        ("제설용 넉가래·빗자루", "(주)대한상사", 186_000, ""),
        (
            "모래주머니 (50개)",
            "(주)대한상사",
            125_000,
            "경사로 비치용",
        ),
    ];
    p.push(
        day(11, 27).at(15, 30),
        "accountant",
        e.key,
        Action::Update(DraftUpdate {
            form: Some(json!({
                "spent_on": e.spent_on.iso(),
                "items": expense_items(more),
                "method": e.method,
                "budget_item": e.budget_item,
                "evidence": e.evidence,
                "reason": e.reason,
            })),
            ..DraftUpdate::default()
        }),
    );
}

/// 기안 with the tax invoice attached, then 상신 (line: 시설과장 검토 → 관리사무소장 결재).
fn expense(p: &mut Plan, e: &Expense<'_>, at: Timestamp, vendor_en: &str, invoice: &str) {
    let pdf = invoice_pdf(vendor_en, invoice, total(e.items));
    let name = if invoice.starts_with("QUOTE") {
        "견적서.pdf"
    } else if invoice.starts_with("CARD") {
        "카드매출전표.pdf"
    } else {
        "세금계산서.pdf"
    };
    p.file(at, "accountant", e.key, e.input(), Some((name, pdf)));
}

struct Notice {
    key: &'static str,
    who: &'static str,
    drafted: Timestamp,
    notice_type: &'static str,
    title: &'static str,
    body: &'static str,
    from: Day,
    to: Day,
    places: &'static str,
}

impl Notice {
    fn input(&self) -> DraftInput {
        input(
            "notice",
            self.title,
            self.body,
            json!({
                "notice_type": self.notice_type,
                "title": self.title,
                "body": self.body,
                "period_from": self.from.iso(),
                "period_to": self.to.iso(),
                "places": self.places,
            }),
        )
    }
}

const PLACES: &str = "동별 게시판, 승강기 내부, 홈페이지, 맑은아파트 앱";

fn notices(p: &mut Plan) {
    let list = [
        Notice {
            key: "notice-water-cut-08",
            who: "facility",
            drafted: day(8, 6).at(10, 30),
            notice_type: "단수",
            title: "저수조 청소에 따른 단수 안내",
            body: "하반기 저수조 청소를 아래와 같이 실시합니다. 작업 시간 동안 단수되오니 미리 물을 받아 두시기 바랍니다.\n\n- 일시: 2026년 8월 20일(목) 09:00~17:00\n- 대상: 전 세대 (101동~111동)\n- 작업: 저수조 청소 및 소독, 수질검사\n\n작업 후 처음 나오는 물은 잠시 흘려보낸 뒤 사용하여 주십시오.",
            from: day(8, 7),
            to: day(8, 20),
            places: PLACES,
        },
        Notice {
            key: "notice-elevator-08",
            who: "accountant",
            drafted: day(8, 11).at(10, 0),
            notice_type: "승강기 점검",
            title: "8월 승강기 정기점검 안내",
            body: "승강기 안전을 위하여 아래와 같이 정기점검을 실시합니다. 점검 중에는 해당 승강기를 이용할 수 없으니 양해 바랍니다.\n\n- 일시: 2026년 8월 19일(수)~21일(금) 10:00~16:00 (호기당 약 1시간)\n- 업체: 한국승강기(주)\n\n동별 점검 시간은 승강기 내부 게시물을 확인하여 주십시오.",
            from: day(8, 12),
            to: day(8, 21),
            places: PLACES,
        },
        Notice {
            key: "notice-disinfection-09",
            who: "accountant",
            drafted: day(9, 1).at(10, 10),
            notice_type: "소독",
            title: "9월 세대 정기 소독 실시 안내",
            body: "감염병 예방을 위한 9월 정기 소독을 실시합니다. 부재 세대는 관리사무소에 소독약을 받아 가시거나 방문 일정을 조율하여 주십시오.\n\n- 일시: 2026년 9월 7일(월)~9일(수) 10:00~17:00\n- 업체: (주)푸른방역",
            from: day(9, 2),
            to: day(9, 9),
            places: PLACES,
        },
        Notice {
            key: "notice-chuseok-09",
            who: "accountant",
            drafted: day(9, 14).at(14, 0),
            notice_type: "기타",
            title: "추석 연휴 관리사무소 운영 안내",
            body: "추석 연휴(9월 24일~27일) 동안 관리사무소는 휴무합니다. 연휴 중 긴급 상황(누수, 정전, 승강기 갇힘 등)은 경비실 또는 방재실(02-000-0000)로 연락하여 주십시오.\n\n연휴 기간 택배는 무인택배함을 이용하여 주시고, 음식물쓰레기는 지정 장소에만 배출하여 주시기 바랍니다.",
            from: day(9, 15),
            to: day(9, 28),
            places: PLACES,
        },
        Notice {
            key: "notice-outage-10",
            who: "facility",
            drafted: day(10, 21).at(11, 20),
            notice_type: "정전",
            title: "변압기 교체 작업에 따른 정전 안내",
            body: "한국전력공사의 요청에 따라 수변전실 변압기 교체 작업을 실시합니다. 작업 시간 동안 단지 전체가 정전되며 승강기와 급수펌프도 멈춥니다.\n\n- 일시: 2026년 10월 31일(토) 09:00~13:00\n- 대상: 전 세대 및 공용부\n\n정전 전에 컴퓨터 등 전자제품의 전원을 꺼 주시고, 승강기 이용을 삼가 주십시오.",
            from: day(10, 22),
            to: day(10, 31),
            places: PLACES,
        },
        Notice {
            key: "notice-levy-10-wrong",
            who: "accountant",
            drafted: day(11, 3).at(13, 30),
            notice_type: "관리비",
            title: "10월분 관리비 고지서 배부 안내",
            body: "2026년 10월분 관리비 고지서를 11월 5일부터 세대별 우편함에 배부합니다. 납부 기한은 11월 25일입니다.",
            from: day(11, 5),
            to: day(11, 25),
            places: PLACES,
        },
        Notice {
            key: "notice-levy-10",
            who: "accountant",
            drafted: day(11, 3).at(14, 10),
            notice_type: "관리비",
            title: "10월분 관리비 고지서 배부 및 납부 안내",
            body: "2026년 10월분 관리비 고지서를 11월 5일부터 세대별 우편함에 배부합니다.\n\n- 납부 기한: 2026년 11월 30일(월)\n- 납부 방법: 자동이체, 가상계좌, 은행 창구\n\n8월분 세대전기료 정정 차액은 9월분에서 차감하였습니다. 문의: 관리사무소 경리.",
            from: day(11, 5),
            to: day(11, 30),
            places: PLACES,
        },
        Notice {
            key: "notice-freeze-11",
            who: "facility",
            drafted: day(11, 16).at(9, 50),
            notice_type: "기타",
            title: "동절기 수도 계량기 동파 예방 안내",
            body: "기온이 영하로 떨어지는 동절기에는 수도 계량기 동파가 자주 발생합니다.\n\n- 계량기함 안을 헌 옷이나 보온재로 채워 주십시오.\n- 장기간 집을 비울 때는 욕실 수도꼭지를 조금 틀어 두십시오.\n- 동파 시 관리사무소로 바로 연락하여 주십시오.\n\n동파로 인한 계량기 교체 비용은 세대 부담입니다.",
            from: day(11, 17),
            to: day(12, 31),
            places: PLACES,
        },
    ];
    for n in &list {
        p.file(n.drafted, n.who, n.key, n.input(), None);
    }
    // 대결 while the 관리사무소장 is on leave, 후결 on return.
    p.act(
        day(8, 11).at(15, 10),
        "facility",
        "notice-elevator-08",
        Decision::Approve,
        "소장 휴가로 대결합니다.",
        Some("manager"),
    );
    p.act(
        day(8, 18).at(9, 18),
        "manager",
        "notice-elevator-08",
        Decision::PostConfirm,
        "",
        None,
    );
    p.approve(day(8, 6).at(16, 0), "manager", "notice-water-cut-08", "");
    p.approve(
        day(9, 1).at(15, 30),
        "manager",
        "notice-disinfection-09",
        "",
    );
    p.approve(day(9, 15).at(9, 20), "manager", "notice-chuseok-09", "");
    p.approve(day(10, 22).at(9, 10), "manager", "notice-outage-10", "");
    // The first 10월분 notice had the wrong due date: the drafter pulls it back (회수) at once and
    // writes a new one.
    p.push(
        day(11, 3).at(13, 52),
        "accountant",
        "notice-levy-10-wrong",
        Action::Withdraw,
    );
    p.approve(day(11, 4).at(9, 25), "manager", "notice-levy-10", "");
    p.approve(day(11, 16).at(14, 0), "manager", "notice-freeze-11", "");
}

fn facility_records(p: &mut Plan, demo: &Demo) {
    // 저수조 청소·수질검사.
    let results = [
        ("일반세균", "100 CFU/mL 이하", "0 CFU/mL"),
        ("총대장균군", "불검출/100mL", "불검출"),
        ("대장균", "불검출/100mL", "불검출"),
        ("잔류염소", "4.0 mg/L 이하", "0.32 mg/L"),
        ("탁도", "0.5 NTU 이하", "0.12 NTU"),
        ("수소이온농도", "pH 5.8~8.5", "pH 7.2"),
    ];
    let rows: Vec<Value> = results
        .iter()
        .map(|(item, standard, value)| {
            json!({"item": item, "standard": standard, "value": value, "verdict": "적합"})
        })
        .collect();
    let mut doc = input(
        "water-tank-cleaning",
        "2026년 하반기 저수조 청소 및 수질검사 결과",
        "8월 20일 실시한 저수조 청소와 수질검사 결과 전 항목 먹는물 수질기준에 적합하여 게시합니다. 검사성적서를 첨부합니다.",
        json!({
            "work_type": "청소 및 수질검사",
            "performed_on": day(8, 20).iso(),
            "contractor": "(주)청수환경",
            "result": "적합",
            "items": rows,
            "posted_on": day(8, 27).iso(),
        }),
    );
    doc.line = manager_only(demo);
    p.file(
        day(8, 25).at(15, 0),
        "facility",
        "water-tank-08",
        doc,
        Some((
            "수질검사성적서.pdf",
            tiny_pdf(&[
                "Drinking water test report (demo scan)",
                "Sample: Malgeun Apt. water tank, 2026-08-20",
                "All 6 items within standards",
            ]),
        )),
    );
    p.approve(
        day(8, 26).at(10, 10),
        "manager",
        "water-tank-08",
        "게시판에 게시 바랍니다.",
    );

    // 소방시설 작동점검.
    let defects = [
        (
            "103동 지하 1층 전기실",
            "연기감지기",
            "감지기 작동 불량 (시험 시 미동작)",
            "감지기 교체",
            day(10, 20),
        ),
        (
            "106동 3층 복도",
            "피난구유도등",
            "램프 불량",
            "램프 교체",
            day(10, 20),
        ),
        (
            "지하주차장 B2 펌프실",
            "옥내소화전 기동용 압력스위치",
            "설정 압력 편차",
            "압력스위치 교체 (부품 입고 후)",
            day(11, 6),
        ),
    ];
    let rows: Vec<Value> = defects
        .iter()
        .map(|(location, equipment, defect, plan, due)| {
            json!({"location": location, "equipment": equipment, "defect": defect, "plan": plan, "due_on": due.iso()})
        })
        .collect();
    let mut doc = input(
        "fire-self-inspection",
        "2026년 소방시설 작동점검 결과 보고",
        "소방시설 설치 및 관리에 관한 법률 제22조에 따른 2026년 작동점검 결과를 보고드립니다. 불량 3건 중 2건은 즉시 조치하고 1건은 부품 입고 후 조치할 예정입니다. 점검 결과 보고서는 기한 내 마포소방서에 제출합니다.",
        json!({
            "inspection_type": "작동점검",
            "inspected_on": day(10, 15).iso(),
            "inspector": "(주)한빛소방안전",
            "defects": rows,
            "report_due_on": day(10, 30).iso(),
            "summary": "수신기, 소화전, 스프링클러 설비는 정상 작동함. 감지기·유도등 불량은 교체하였고 압력스위치는 11월 초 교체 예정.",
        }),
    );
    doc.line = manager_only(demo);
    p.file(
        day(10, 16).at(14, 30),
        "facility",
        "fire-inspection-10",
        doc,
        Some((
            "작동점검_결과보고서.pdf",
            tiny_pdf(&[
                "Fire safety self-inspection report 2026 (demo scan)",
                "Inspector: Hanbit Fire Safety Co.",
                "Defects: 3 (2 fixed on site)",
            ]),
        )),
    );
    p.approve(day(10, 19).at(9, 45), "manager", "fire-inspection-10", "");

    // 장기수선충당금 사용계획서: 제9차 회의 의결 뒤, 관리사무소장 검토 → 회장 결재 (fixed line).
    let works = [
        (
            "101·102동 옥상 방수층 보수",
            "지붕 - 방수 (우레탄)",
            "부분수리",
            38_500_000_i64,
            day(10, 12),
        ),
        (
            "지하주차장 바닥 에폭시 도장",
            "지하주차장 - 바닥 도장",
            "전면도장",
            126_000_000,
            day(11, 2),
        ),
    ];
    let rows: Vec<Value> = works
        .iter()
        .map(|(work, item, method, amount, on)| {
            json!({"work": work, "plan_item": item, "method": method, "amount": amount, "planned_on": on.iso()})
        })
        .collect();
    let sum: i64 = works.iter().map(|w| w.3).sum();
    p.file(
        day(9, 21).at(15, 0),
        "facility",
        "ltr-plan-2026",
        input(
            "ltr-fund-plan",
            "2026년 장기수선충당금 사용계획서 (옥상 방수, 지하주차장 바닥 도장)",
            &format!(
                "장기수선계획의 수선주기가 도래한 옥상 방수와 지하주차장 바닥 도장 공사를 위하여 장기수선충당금 {}을 사용하고자 합니다. 제9차 입주자대표회의(9월 17일)에서 의결되었으며, 공사업체는 전자입찰로 선정합니다.",
                won(sum)
            ),
            json!({
                "plan_year": 2026,
                "works": rows,
                "fund_balance": 1_842_360_000_i64,
                "resolved_on": day(9, 17).iso(),
                "resolution_ref": "제9차 정기회의 제2호 안건",
            }),
        ),
        None,
    );
    p.approve(
        day(9, 22).at(9, 40),
        "manager",
        "ltr-plan-2026",
        "장기수선계획 해당 항목 확인함.",
    );
    p.approve(day(9, 23).at(11, 0), "chair", "ltr-plan-2026", "");
}

fn received(p: &mut Plan) {
    let list = [
        (
            day(8, 4).at(10, 15),
            "마포구청 주택과",
            "주택과-12874",
            day(7, 31),
            "2026년 하반기 공동주택 관리실태 점검 계획 알림",
            "관리비 부과·집행, 장기수선충당금 적립·사용, 입주자대표회의 운영 실태를 10월 중 점검한다는 알림. 사전 제출 자료 목록 첨부.",
            "경리주임 이수진",
            Some(day(8, 31)),
        ),
        (
            day(9, 9).at(14, 20),
            "마포소방서 예방안전과",
            "예방안전과-5521",
            day(9, 7),
            "공동주택 소방시설 자체점검 실시 및 결과 보고 안내",
            "소방시설 작동점검을 실시하고 점검이 끝난 날부터 15일 이내에 결과를 보고하라는 안내.",
            "시설과장 박철호",
            Some(day(10, 30)),
        ),
        (
            day(10, 20).at(11, 0),
            "한국전력공사 마포용산지사",
            "마포용산-2026-1083",
            day(10, 16),
            "변압기 정기 교체 작업에 따른 정전 협조 요청",
            "10월 31일(토) 09:00~13:00 수변전실 변압기 교체 작업으로 단지 전체 정전 예정. 입주민 안내와 승강기 운행 중지 협조 요청.",
            "시설과장 박철호",
            Some(day(10, 28)),
        ),
        (
            day(11, 12).at(9, 40),
            "마포구청 안전총괄과",
            "안전총괄과-9032",
            day(11, 10),
            "동절기 공동주택 제설 책임구역 지정 안내",
            "단지 주출입구 앞 보도와 이면도로 일부를 제설 책임구역으로 지정. 제설함 위치와 염화칼슘 지원 신청 방법 안내.",
            "시설과장 박철호",
            None,
        ),
    ];
    for (i, (at, sender, doc_no, sent_on, title, summary, handler, reply_due)) in
        list.into_iter().enumerate()
    {
        let mut form = json!({
            "sender": sender,
            "sender_doc_no": doc_no,
            "sent_on": sent_on.iso(),
            "received_on": at.seoul_date().to_string(),
            "title": title,
            "summary": summary,
            "handler": handler,
        });
        if let Some(d) = reply_due {
            form["reply_due_on"] = json!(d.iso());
        }
        p.push(
            at,
            "manager",
            &format!("received-{i}"),
            Action::Receive {
                input: ReceiveInput {
                    kind_code: "received-document".into(),
                    title: title.into(),
                    body: summary.into(),
                    form,
                    attachments: Vec::new(),
                },
                files: vec![(
                    format!("{doc_no}.pdf"),
                    "application/pdf",
                    tiny_pdf(&[
                        "Official letter (demo scan)",
                        &format!(
                            "Reference: {}",
                            doc_no.chars().filter(char::is_ascii).collect::<String>()
                        ),
                        &format!("Sent on {}", sent_on.iso()),
                    ]),
                )],
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Playing the plan
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Draft,
    Waiting,
    Held,
    Rejected,
    Withdrawn,
    Registered,
}

impl State {
    fn label(self) -> &'static str {
        match self {
            Self::Draft => "임시저장",
            Self::Waiting => "진행(결재대기)",
            Self::Held => "진행(보류)",
            Self::Rejected => "반려",
            Self::Withdrawn => "회수",
            Self::Registered => "등록",
        }
    }
}

/// Seeds the documents.
pub async fn seed(app: &App, demo: &Demo) -> anyhow::Result<()> {
    let mut plan = build(demo);
    // Stable: actions at the same instant keep their written order.
    plan.steps.sort_by_key(|s| s.at);
    let mut ids: HashMap<String, DocumentId> = HashMap::new();
    let mut states: BTreeMap<String, State> = BTreeMap::new();
    for step in plan.steps {
        let Step {
            at,
            who,
            key,
            action,
        } = step;
        app.clock().set(Some(at));
        let caller = demo.person(who).caller();
        let what = format!("{key} at {} by {who}", at.seoul_display());
        let id = |ids: &HashMap<String, DocumentId>| {
            ids.get(&key)
                .copied()
                .with_context(|| format!("{what}: no document yet"))
        };
        match action {
            Action::Draft {
                mut input,
                corrects,
            } => {
                if let Some(original) = corrects {
                    let original = ids
                        .get(&original)
                        .copied()
                        .with_context(|| format!("{what}: corrects unknown {original}"))?;
                    input.corrects = Some(original);
                }
                let doc = app
                    .create_draft(&caller, demo.complex, input)
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: draft"))?;
                ids.insert(key.clone(), doc);
                states.insert(key, State::Draft);
            }
            Action::Attach {
                name,
                media_type,
                bytes,
            } => {
                app.add_attachment(&caller, demo.complex, id(&ids)?, &name, media_type, bytes)
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: attach {name}"))?;
            }
            Action::Update(update) => {
                app.update_draft(&caller, demo.complex, id(&ids)?, update)
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: update"))?;
            }
            Action::Submit => {
                app.submit(&caller, demo.complex, id(&ids)?)
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: submit"))?;
                states.insert(key, State::Waiting);
            }
            Action::Act {
                decision,
                comment,
                acting_for,
            } => {
                let outcome = app
                    .act(
                        &caller,
                        demo.complex,
                        id(&ids)?,
                        ActInput {
                            decision,
                            comment,
                            position: acting_for.map(|l| demo.person(l).position),
                            expected_sha256: None,
                        },
                    )
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: {}", decision.code()))?;
                let state = match outcome {
                    Outcome::Completed => Some(State::Registered),
                    Outcome::Rejected => Some(State::Rejected),
                    Outcome::Held => Some(State::Held),
                    Outcome::Recorded | Outcome::Advanced(_) | Outcome::ReturnedTo(_) => {
                        Some(State::Waiting)
                    }
                    Outcome::Confirmed => None,
                };
                if let Some(s) = state {
                    states.insert(key, s);
                }
            }
            Action::Withdraw => {
                app.withdraw(&caller, demo.complex, id(&ids)?)
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: withdraw"))?;
                states.insert(key, State::Withdrawn);
            }
            Action::Revise => {
                app.revise(&caller, demo.complex, id(&ids)?)
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: revise"))?;
                states.insert(key, State::Draft);
            }
            Action::Receive { mut input, files } => {
                let member = app
                    .member(&caller, demo.complex)
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: member"))?;
                for (name, media_type, bytes) in files {
                    let (sha256, _) = app
                        .upload_blob(&member, bytes)
                        .await
                        .map_err(app_err)
                        .with_context(|| format!("{what}: upload {name}"))?;
                    input.attachments.push(AttachmentSpec {
                        name,
                        media_type: media_type.into(),
                        sha256,
                    });
                }
                let doc = app
                    .receive(&caller, demo.complex, input)
                    .await
                    .map_err(app_err)
                    .with_context(|| format!("{what}: receive"))?;
                ids.insert(key.clone(), doc);
                states.insert(key, State::Registered);
            }
        }
    }
    let mut counts: BTreeMap<State, usize> = BTreeMap::new();
    for s in states.values() {
        *counts.entry(*s).or_default() += 1;
    }
    let summary = counts
        .iter()
        .map(|(s, n)| format!("{} {n}", s.label()))
        .collect::<Vec<_>>()
        .join(", ");
    tracing::info!(documents = states.len(), "demo documents seeded: {summary}");
    Ok(())
}
