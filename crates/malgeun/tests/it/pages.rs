//! The web pages over HTTP, as a browser without JavaScript uses them: login with its CSRF token
//! and rate limit, the security headers, a 지출결의서 drafted through the form (a refused form
//! keeps what was typed and changes nothing), approved along its line, found in the 문서등록대장
//! and its CSV export.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use reqwest::multipart::{Form, Part};

use crate::support::{Engine, Env, PASSWORD};

/// A cookie-keeping client that does not follow redirects, so each step can be checked.
struct Browser {
    http: reqwest::Client,
    base: String,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Browser {
    fn new(env: &Env) -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: env.base.clone(),
        }
    }

    async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        Page {
            status,
            location,
            headers,
            text: res.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Page {
        Self::page(
            self.http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)], files: Vec<(&str, &[u8])>) -> Page {
        let mut form = Form::new();
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        for (name, bytes) in files {
            form = form.part(
                "files",
                Part::bytes(bytes.to_vec())
                    .file_name(name.to_owned())
                    .mime_str("text/plain")
                    .unwrap(),
            );
        }
        Self::page(
            self.http
                .post(format!("{}{path}", self.base))
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn login(&self, login: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = csrf_of(&form.text);
        self.post(
            "/login",
            &[("csrf", &csrf), ("login", login), ("password", password)],
            Vec::new(),
        )
        .await
    }
}

/// The CSRF token in a page's first form.
fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// The first document link of a page.
fn first_document(html: &str) -> String {
    let start = html.find("/documents/").expect("a document link") + 11;
    html[start..start + 36].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_is_protected_and_rate_limited_and_pages_carry_security_headers() {
    let env = Env::start(Engine::Sqlite).await.unwrap();
    let b = Browser::new(&env);

    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location.as_deref(), Some("/login"));

    let login = b.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let csp = login.headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(!login.text.contains("<script>"), "no inline script");

    // A login form posted from elsewhere (without the pre-session token) is refused.
    let forged = b
        .post(
            "/login",
            &[
                ("csrf", "forged"),
                ("login", "manager"),
                ("password", PASSWORD),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.text.contains("보안 확인에 실패했습니다"));

    // Five wrong passwords, then the login is held off with a clear message.
    for _ in 0..5 {
        let wrong = b.login("auditor", "wrong-password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.text.contains("아이디 또는 비밀번호가 맞지 않습니다"));
    }
    let held = b.login("auditor", PASSWORD).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        held.text.contains("분 뒤에 다시 시도해 주세요"),
        "{}",
        held.text
    );

    // Another person logs in: HttpOnly, SameSite cookie and straight to the one complex's inbox.
    let ok = b.login("manager", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let cookie = ok
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("malgeun_session="))
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let inbox_url = format!("/c/{}/inbox", env.complex);
    assert_eq!(ok.location.as_deref(), Some(inbox_url.as_str()));
    let inbox = b.get(&inbox_url).await;
    assert_eq!(inbox.status, StatusCode::OK);
    for tab in ["결재대기", "진행", "완료", "반려", "참조"] {
        assert!(inbox.text.contains(tab), "tab {tab}");
    }

    // The neighbour complex does not exist for this person.
    let other = b.get(&format!("/c/{}/inbox", env.other_complex)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(other.text.contains("찾을 수 없습니다") || other.text.contains("없습니다"));

    // Logging out needs the session's CSRF token.
    let refused = b.post("/logout", &[("csrf", "nope")], Vec::new()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let csrf = csrf_of(&inbox.text);
    let out = b.post("/logout", &[("csrf", &csrf)], Vec::new()).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get(&inbox_url).await.location.as_deref(), Some("/login"));

    // Assets are embedded and cached for long.
    let css = b.get("/assets/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_goes_through_the_pages_to_the_register() {
    let env = Env::start(Engine::Sqlite).await.unwrap();
    let c = env.complex.to_string();
    let accountant = Browser::new(&env);
    assert_eq!(
        accountant.login("accountant", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let kinds = accountant.get(&format!("/c/{c}/new")).await;
    assert!(kinds.text.contains("지출결의서") && kinds.text.contains("회계"));
    let form_url = format!("/c/{c}/new/expense-resolution");
    let form = accountant.get(&form_url).await;
    assert_eq!(form.status, StatusCode::OK);
    // The default line is prefilled: 시설과장 reviews, 관리사무소장 approves.
    let facility = env.position("facility").to_string();
    let manager = env.position("manager").to_string();
    assert!(
        form.text
            .contains(&format!("value=\"{facility}\" selected"))
    );
    assert!(form.text.contains(&format!("value=\"{manager}\" selected")));
    let csrf = csrf_of(&form.text);

    let line = [
        ("line.0.order", "1"),
        ("line.0.kind", "review"),
        ("line.0.position", facility.as_str()),
        ("line.1.order", "2"),
        ("line.1.kind", "final"),
        ("line.1.position", manager.as_str()),
    ];
    // Missing 지출일자 and 지출 방법: the form comes back with what was typed and nothing is saved.
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("intent", "submit"),
        ("title", "승강기 부품 교체"),
        ("f.budget_item", "수선유지비"),
        ("t.items.0.summary", "승강기 도어 센서"),
        ("t.items.0.vendor", "한빛승강기"),
        ("t.items.0.amount", "450,000"),
        ("t.items.1.summary", "출장비"),
        ("t.items.1.vendor", "한빛승강기"),
        ("t.items.1.amount", "50,000"),
    ];
    fields.extend(line);
    let refused = accountant
        .post(
            &form_url,
            &fields,
            vec![("견적서.txt", b"quote".as_slice())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text.contains("지출일자: 필수 입력 항목입니다."),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("value=\"승강기 부품 교체\""));
    assert!(refused.text.contains("value=\"450,000\""));
    assert!(
        refused.text.contains("견적서.txt"),
        "the uploaded file is kept"
    );
    let drafts = accountant.get(&format!("/c/{c}/inbox?tab=drafts")).await;
    assert!(
        !drafts.text.contains("승강기 부품 교체"),
        "nothing was saved"
    );

    // Corrected, with the kept file carried along.
    let carried_sha = {
        let at = refused.text.find("carry.0.sha256\" value=\"").unwrap() + 23;
        refused.text[at..at + 64].to_owned()
    };
    fields.extend([
        ("f.spent_on", "2026-03-02"),
        ("f.method", "계좌이체"),
        ("carry.0.sha256", carried_sha.as_str()),
        ("carry.0.name", "견적서.txt"),
        ("carry.0.type", "text/plain"),
        ("carry.0.size", "5"),
    ]);
    let created = accountant.post(&form_url, &fields, Vec::new()).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let doc_url = created.location.unwrap();
    assert!(doc_url.ends_with("?done=submit"));
    let view = accountant.get(&doc_url).await;
    assert!(view.text.contains("상신했습니다."));
    assert!(view.text.contains("500,000원"), "the total");
    assert!(view.text.contains("견적서.txt"));
    assert!(
        view.text.contains("회수"),
        "the drafter may withdraw before anyone acts"
    );
    let doc_path = doc_url.split('?').next().unwrap().to_owned();
    let act_url = format!("{doc_path}/act");

    // 시설과장 approves; an act without the CSRF token is refused and changes nothing.
    let fac = Browser::new(&env);
    fac.login("facility", PASSWORD).await;
    let waiting = fac.get(&format!("/c/{c}/inbox")).await;
    assert!(waiting.text.contains("승강기 부품 교체"));
    let forged = fac
        .post(&act_url, &[("action", "approve")], Vec::new())
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let page = fac.get(&doc_path).await;
    assert!(page.text.contains("value=\"approve\""));
    assert!(
        !page.text.contains("value=\"delegated_final\""),
        "500,000원 is over the 전결 limit"
    );
    let csrf = csrf_of(&page.text);
    // 반려 needs a reason: the page says so and keeps the document waiting.
    let no_reason = fac
        .post(
            &act_url,
            &[("csrf", &csrf), ("action", "reject")],
            Vec::new(),
        )
        .await;
    assert_eq!(no_reason.status.as_u16() / 100, 4);
    assert!(no_reason.text.contains("role=\"alert\""));
    let approved = fac
        .post(
            &act_url,
            &[
                ("csrf", &csrf),
                ("action", "approve"),
                ("comment", "확인했습니다"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);

    // 관리사무소장 approves: the document is registered.
    let mgr = Browser::new(&env);
    mgr.login("manager", PASSWORD).await;
    let page = mgr.get(&doc_path).await;
    let csrf = csrf_of(&page.text);
    let done = mgr
        .post(
            &act_url,
            &[("csrf", &csrf), ("action", "approve")],
            Vec::new(),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let view = mgr.get(&done.location.unwrap()).await;
    assert!(view.text.contains("승인했습니다."));
    assert!(view.text.contains("시험아파트-"), "a registration number");
    assert!(
        view.text.contains("확인했습니다"),
        "the reviewer's comment in the history"
    );

    let register = mgr.get(&format!("/c/{c}/register")).await;
    assert!(register.text.contains("승강기 부품 교체"));
    assert_eq!(
        first_document(&register.text),
        doc_path.rsplit('/').next().unwrap()
    );
    let csv = mgr.get(&format!("/c/{c}/register.csv")).await;
    assert!(
        csv.text.starts_with('\u{feff}'),
        "a BOM for spreadsheet programs"
    );
    assert!(
        csv.text.contains("지출결의서,승강기 부품 교체,이경리"),
        "{}",
        csv.text
    );
    let bad = mgr.get(&format!("/c/{c}/register?from=2026-13-01")).await;
    assert!(bad.text.contains("YYYY-MM-DD"));

    // The 원장 page checks the checkpoint's signature and an entry's inclusion proof.
    let ledger = mgr.get(&format!("/c/{c}/ledger?entry=1")).await;
    assert!(ledger.text.contains("서명 확인됨"), "{}", ledger.text);
    assert!(ledger.text.contains("포함 증명 확인됨"));
    let bad = mgr.get(&format!("/c/{c}/ledger?entry=999999")).await;
    assert!(bad.text.contains("원장 항목 번호는 0부터"));

    // 관리: only administrators; a wrong login is refused in Korean and changes nothing; a
    // deputy is set.
    assert_eq!(
        accountant.get(&format!("/c/{c}/admin")).await.status,
        StatusCode::FORBIDDEN
    );
    let admin = mgr.get(&format!("/c/{c}/admin")).await;
    assert!(admin.text.contains("직위와 담당자") && admin.text.contains("지출결의서"));
    let csrf = csrf_of(&admin.text);
    let admin_url = format!("/c/{c}/admin");
    let unknown = mgr
        .post(
            &admin_url,
            &[
                ("csrf", &csrf),
                ("action", "appoint"),
                ("position", &facility),
                ("login", "nobody"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .text
            .contains("nobody&#39; 아이디를 가진 사람이 없습니다.")
    );
    assert!(unknown.text.contains("박시설"), "the 시설과장 is unchanged");
    let deputy = mgr
        .post(
            &admin_url,
            &[
                ("csrf", &csrf),
                ("action", "deputy"),
                ("position", &manager),
                ("deputy", &facility),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(deputy.status, StatusCode::SEE_OTHER);
    let after = mgr.get(&deputy.location.unwrap()).await;
    assert!(after.text.contains("대결자를 저장했습니다."));
    assert!(
        after
            .text
            .contains(&format!("<option value=\"{facility}\" selected>"))
    );

    // The file downloads with its bytes.
    let file = mgr
        .get(&format!("{doc_path}/versions/1/attachments/1"))
        .await;
    assert_eq!(file.text, "quote");
}
