//! The web pages over HTTP, as a browser without JavaScript uses them: login with its CSRF token
//! and rate limit, the security headers, a 지출결의서 drafted through the form (a refused form
//! keeps what was typed and changes nothing), approved along its line, found in the 문서등록대장
//! and its CSV and XLSX exports; attachments previewed inline only when they are images or PDFs
//! and only for those who may see the document; the default line of a kind changed on the 관리
//! page and used by the next 기안; and an ended session sending htmx requests to the login page.

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
        self.get_with(path, &[]).await
    }

    async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::page(req.send().await.unwrap()).await
    }

    async fn get_bytes(&self, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        (res.headers().clone(), res.bytes().await.unwrap().to_vec())
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)], files: Vec<(&str, &[u8])>) -> Page {
        let files: Vec<(&str, &str, &[u8])> = files
            .into_iter()
            .map(|(name, bytes)| (name, "text/plain", bytes))
            .collect();
        self.post_with(path, fields, &files, &[]).await
    }

    /// Posts a form with files `(name, media type, bytes)` and extra request headers.
    async fn post_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut form = Form::new();
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        for (name, media_type, bytes) in files {
            form = form.part(
                "files",
                Part::bytes(bytes.to_vec())
                    .file_name((*name).to_owned())
                    .mime_str(media_type)
                    .unwrap(),
            );
        }
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::page(req.send().await.unwrap()).await
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

/// The text of one part of an XLSX file (a ZIP archive).
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a ZIP");
    let mut text = String::new();
    zip.by_name(name)
        .expect("the part exists")
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The value of the selected option of the `<select name="{name}">` in a page.
fn selected(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\""))?;
    let end = start + html[start..].find("</select>")?;
    let select = &html[start..end];
    let at = select.find("\" selected>")?;
    let open = select[..at].rfind("value=\"")? + 7;
    Some(select[open..at].to_owned())
}

/// The value of `<input name="{name}" value="…">` in a page.
fn input_value(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    Some(html[start..start + html[start..].find('"')?].to_owned())
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
    let again = b.get(&inbox_url).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        again.location.as_deref(),
        Some(format!("/login?next=%2Fc%2F{}%2Finbox", env.complex).as_str()),
        "back to the inbox after logging in again"
    );

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
    // The same rows as an Excel workbook: the registration number is in its shared strings, the
    // registration time a real date-time in the sheet.
    let number = {
        let at = view.text.find("시험아파트-").unwrap();
        view.text[at..at + "시험아파트-2026-0001".len()].to_owned()
    };
    let register = mgr.get(&format!("/c/{c}/register")).await;
    assert!(register.text.contains(&format!("/c/{c}/register.xlsx")));
    let (headers, xlsx) = mgr.get_bytes(&format!("/c/{c}/register.xlsx")).await;
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename*=UTF-8''%EB%AC%B8%EC%84%9C"),
        "문서등록대장.xlsx"
    );
    let strings = xlsx_part(&xlsx, "xl/sharedStrings.xml");
    assert!(strings.contains(&number), "{number} in {strings}");
    assert!(strings.contains("등록번호") && strings.contains("승강기 부품 교체"));
    let sheet = xlsx_part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<autoFilter ref=\"A1:E2\"/>"), "{sheet}");
    // The filter applies as it does to the CSV: another kind, no rows.
    let (_, none) = mgr
        .get_bytes(&format!("/c/{c}/register.xlsx?kind=council-minutes"))
        .await;
    assert!(!xlsx_part(&none, "xl/sharedStrings.xml").contains(&number));

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

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_preview_inline_for_those_who_may_see_them_and_html_or_svg_only_download() {
    let env = Env::start(Engine::Sqlite).await.unwrap();
    let c = env.complex.to_string();
    let accountant = Browser::new(&env);
    accountant.login("accountant", PASSWORD).await;
    let form_url = format!("/c/{c}/new/expense-resolution");
    let form = accountant.get(&form_url).await;
    let csrf = csrf_of(&form.text);
    let facility = env.position("facility").to_string();
    let manager = env.position("manager").to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("intent", "save"),
        ("title", "놀이터 파손 사진"),
        ("f.spent_on", "2026-03-02"),
        ("f.method", "계좌이체"),
        ("f.budget_item", "수선유지비"),
        ("t.items.0.summary", "놀이터 바닥 보수"),
        ("t.items.0.vendor", "푸른조경"),
        ("t.items.0.amount", "120,000"),
        ("line.0.order", "1"),
        ("line.0.kind", "review"),
        ("line.0.position", facility.as_str()),
        ("line.1.order", "2"),
        ("line.1.kind", "final"),
        ("line.1.position", manager.as_str()),
    ];
    // Sent as htmx sends it: the saved form answers HX-Redirect, not a redirect htmx would follow.
    let saved = accountant
        .post_with(
            &form_url,
            &fields,
            &[
                ("파손.png", "image/png", PNG),
                ("안내.html", "text/html", b"<script>alert(1)</script>"),
                (
                    "도면.svg",
                    "image/svg+xml",
                    b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
                ),
                ("가짜.png", "image/png", b"<html><script>alert(1)</script>"),
            ],
            &[("hx-request", "true")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::NO_CONTENT, "{}", saved.text);
    let doc_url = saved.headers["hx-redirect"].to_str().unwrap().to_owned();
    assert!(doc_url.ends_with("?done=saved"), "{doc_url}");
    let doc_path = doc_url.split('?').next().unwrap().to_owned();

    // The page previews the image (and not the HTML or SVG); its policy allows our own frames.
    let page = accountant.get(&doc_path).await;
    let file = |ordinal: i64| format!("{doc_path}/versions/1/attachments/{ordinal}");
    assert!(
        page.text
            .contains(&format!("<img src=\"{}/preview\"", file(1))),
        "{}",
        page.text
    );
    assert!(!page.text.contains(&format!("{}/preview", file(2))));
    assert!(!page.text.contains(&format!("{}/preview", file(3))));
    let csp = page.headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("frame-src 'self'") && csp.contains("object-src 'self'"),
        "{csp}"
    );

    let image = accountant.get(&format!("{}/preview", file(1))).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.headers["content-type"], "image/png");
    assert!(
        image.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline; filename*=UTF-8''"),
    );
    assert_eq!(image.headers["x-content-type-options"], "nosniff");
    assert_eq!(
        image.headers[CONTENT_SECURITY_POLICY],
        "default-src 'none'; sandbox"
    );

    // HTML and SVG are downloads, also when asked for as a preview, and never served as what they
    // claim; so is a file named .png whose bytes are HTML.
    for (ordinal, path) in [
        (2, format!("{}/preview", file(2))),
        (3, format!("{}/preview", file(3))),
        (3, file(3)),
        (4, format!("{}/preview", file(4))),
    ] {
        let r = accountant.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let disposition = r.headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment;"),
            "{ordinal}: {disposition}"
        );
        assert_eq!(
            r.headers[CONTENT_SECURITY_POLICY], "default-src 'none'; sandbox",
            "{path}"
        );
        let media = r.headers["content-type"].to_str().unwrap();
        assert!(
            !media.contains("html") && !media.contains("svg"),
            "{path}: {media}"
        );
    }

    // Whoever may not see the document gets 404 for the preview: a colleague (it is still a
    // draft) and the neighbour complex's manager; without a session, the login page.
    let colleague = Browser::new(&env);
    colleague.login("rep101", PASSWORD).await;
    let hidden = colleague.get(&format!("{}/preview", file(1))).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(
        !hidden.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("image")
    );
    let neighbour = Browser::new(&env);
    neighbour.login("neighbour", PASSWORD).await;
    assert_eq!(
        neighbour.get(&format!("{}/preview", file(1))).await.status,
        StatusCode::NOT_FOUND
    );
    let anonymous = Browser::new(&env);
    let login = anonymous.get(&format!("{}/preview", file(1))).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert!(login.location.unwrap().starts_with("/login?next="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_changes_a_kinds_default_line_and_the_next_draft_uses_it() {
    let env = Env::start(Engine::Sqlite).await.unwrap();
    let c = env.complex.to_string();
    let editor_url = format!("/c/{c}/admin/kinds/expense-resolution");
    let accountant = Browser::new(&env);
    accountant.login("accountant", PASSWORD).await;
    assert_eq!(
        accountant.get(&editor_url).await.status,
        StatusCode::FORBIDDEN,
        "only administrators"
    );

    let mgr = Browser::new(&env);
    mgr.login("manager", PASSWORD).await;
    let admin = mgr.get(&format!("/c/{c}/admin")).await;
    assert!(admin.text.contains(&format!("href=\"{editor_url}\"")));
    let editor = mgr.get(&editor_url).await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(editor.text.contains("지출결의서 기본 결재선"));
    assert_eq!(
        selected(&editor.text, "line.0.kind").as_deref(),
        Some("review")
    );
    assert_eq!(
        selected(&editor.text, "line.0.role").as_deref(),
        Some("facility_chief")
    );
    assert!(
        editor.text.contains("시설과장 — 시설과장 박시설"),
        "roles show their positions"
    );
    assert!(
        !editor.text.contains("value=\"restore\""),
        "nothing to restore yet"
    );
    let csrf = csrf_of(&editor.text);

    // 협조 by the 감사 and the 회장 together (one order number), then 결재 by the 관리사무소장.
    let mut line = vec![
        ("csrf", csrf.as_str()),
        ("action", "save"),
        ("line.0.order", "1"),
        ("line.0.kind", "agreement"),
        ("line.0.role", "auditor"),
        ("line.1.order", "1"),
        ("line.1.kind", "agreement"),
        ("line.1.role", "chair"),
        ("final_role", "manager"),
        ("editable", "1"),
    ];
    // Without a 결재 step the line is refused, in Korean, with what was typed kept.
    let refused = mgr.post(&editor_url, &line, Vec::new()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("role=\"alert\""), "{}", refused.text);
    assert!(refused.text.contains("결재"));
    assert_eq!(
        selected(&refused.text, "line.1.role").as_deref(),
        Some("chair")
    );
    assert_eq!(
        selected(&refused.text, "line.1.kind").as_deref(),
        Some("agreement")
    );
    assert_eq!(
        input_value(&refused.text, "line.1.order").as_deref(),
        Some("1")
    );
    assert!(refused.text.contains("value=\"manager\" checked"));
    let unchanged = mgr.get(&editor_url).await;
    assert_eq!(
        selected(&unchanged.text, "line.0.kind").as_deref(),
        Some("review"),
        "nothing was saved"
    );

    line.extend([
        ("line.2.order", "2"),
        ("line.2.kind", "final"),
        ("line.2.role", "manager"),
    ]);
    let saved = mgr.post(&editor_url, &line, Vec::new()).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let after = mgr.get(saved.location.as_deref().unwrap()).await;
    assert!(after.text.contains("기본 결재선을 저장했습니다."));
    assert!(
        after
            .text
            .contains("협조 감사·입주자대표회의 회장 → 결재 관리사무소장")
    );
    assert!(after.text.contains("value=\"restore\""));
    let admin = mgr.get(&format!("/c/{c}/admin")).await;
    assert!(admin.text.contains("단지 재정의"));

    // The next 기안 of the kind is prefilled with the complex's line.
    let form = accountant
        .get(&format!("/c/{c}/new/expense-resolution"))
        .await;
    let auditor = env.position("auditor").to_string();
    let chair = env.position("chair").to_string();
    let manager = env.position("manager").to_string();
    let facility = env.position("facility").to_string();
    let rows: Vec<(Option<String>, Option<String>, Option<String>)> = (0..3)
        .map(|i| {
            (
                input_value(&form.text, &format!("line.{i}.order")),
                selected(&form.text, &format!("line.{i}.kind")),
                selected(&form.text, &format!("line.{i}.position")),
            )
        })
        .collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows,
        [
            (s("1"), s("agreement"), Some(auditor)),
            (s("1"), s("agreement"), Some(chair)),
            (s("2"), s("final"), Some(manager.clone())),
        ]
    );
    assert!(
        !form
            .text
            .contains(&format!("value=\"{facility}\" selected"))
    );

    // Back to the standard line: the next 기안 has the 시설과장's review again.
    let csrf = csrf_of(&after.text);
    let restored = mgr
        .post(
            &editor_url,
            &[("csrf", &csrf), ("action", "restore")],
            Vec::new(),
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    let again = mgr
        .post(
            &editor_url,
            &[("csrf", &csrf), ("action", "restore")],
            Vec::new(),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text.contains("이미 표준 결재선입니다."));
    let form = accountant
        .get(&format!("/c/{c}/new/expense-resolution"))
        .await;
    assert_eq!(
        selected(&form.text, "line.0.kind").as_deref(),
        Some("review")
    );
    assert_eq!(selected(&form.text, "line.0.position"), Some(facility));
    assert_eq!(selected(&form.text, "line.1.position"), Some(manager));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_session_sends_htmx_to_the_login_page_and_back_afterwards() {
    let env = Env::start(Engine::Sqlite).await.unwrap();
    let c = env.complex.to_string();
    let b = Browser::new(&env);
    b.login("manager", PASSWORD).await;
    let search = format!("/c/{c}/inbox?tab=done&q=%EC%8A%B9%EA%B0%95%EA%B8%B0");
    let current = format!("{}/c/{c}/inbox?tab=done", env.base);
    let htmx = [("hx-request", "true"), ("hx-current-url", current.as_str())];
    let ok = b.get_with(&search, &htmx).await;
    assert_eq!(ok.status, StatusCode::OK);

    // The session ends (its lifetime passes).
    let ttl = env.app.limits().session_ttl_secs;
    let now = env.app.clock().now();
    env.app
        .clock()
        .set(Some(malgeun_domain::Timestamp::from_micros(
            now.as_micros() + (ttl + 60) * 1_000_000,
        )));

    // htmx is told to send the whole page to the login, and back to the page it was showing.
    let ended = b.get_with(&search, &htmx).await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
    let next = format!("%2Fc%2F{c}%2Finbox%3Ftab%3Ddone");
    assert_eq!(
        ended.headers["hx-redirect"].to_str().unwrap(),
        format!("/login?next={next}")
    );
    assert!(ended.location.is_none(), "no redirect for htmx to follow");
    assert!(!ended.text.contains("<form"), "no login form to swap in");

    // A plain request is redirected to the login page with the way back.
    let plain = b.get(&search).await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);
    assert_eq!(
        plain.location.as_deref(),
        Some(format!("/login?next=%2Fc%2F{c}%2Finbox%3Ftab%3Ddone%26q%3D%25EC%258A%25B9%25EA%25B0%2595%25EA%25B8%25B0").as_str())
    );

    // Logging in again returns there; a way back to another site is ignored.
    env.app.clock().set(None);
    let login = b.get(plain.location.as_deref().unwrap()).await;
    assert!(login.text.contains("name=\"next\""), "{}", login.text);
    let csrf = csrf_of(&login.text);
    let back = b
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("login", "manager"),
                ("password", PASSWORD),
                ("next", &format!("/c/{c}/inbox?tab=done&q=x")),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(
        back.location.as_deref(),
        Some(format!("/c/{c}/inbox?tab=done&q=x").as_str())
    );
    let login = b.get("/login?next=//elsewhere.example/").await;
    assert!(!login.text.contains("name=\"next\""));
    let csrf = csrf_of(&login.text);
    let home = b
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("login", "manager"),
                ("password", PASSWORD),
                ("next", "//elsewhere.example/"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(
        home.location.as_deref(),
        Some(format!("/c/{c}/inbox").as_str())
    );
}

/// Percent-encodes a query value.
fn q(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_page_marks_matches_filters_and_shows_only_what_one_may_open() {
    let env = Env::start(Engine::Sqlite).await.unwrap();
    let c = env.complex.to_string();
    let api = env.login("accountant").await;
    let doc = api
        .post(
            "documents",
            serde_json::json!({"kind": "expense-resolution", "title": "승강기 <교체> 공사비",
                               "form": crate::support::expense_form(), "submit": true}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let accountant = Browser::new(&env);
    accountant.login("accountant", PASSWORD).await;

    // Every page carries the search box.
    let inbox = accountant.get(&format!("/c/{c}/inbox")).await;
    assert!(
        inbox
            .text
            .contains(&format!("action=\"/c/{c}/search\" role=\"search\""))
    );

    let found = accountant
        .get(&format!("/c/{c}/search?q={}", q("공사비는")))
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.headers.contains_key(CONTENT_SECURITY_POLICY));
    assert!(found.text.contains("검색 결과 1건"), "{}", found.text);
    assert!(
        found
            .text
            .contains("승강기 &lt;교체&gt; <mark>공사비</mark>"),
        "the title is escaped and marked: {}",
        found.text
    );
    assert!(found.text.contains(&format!("/c/{c}/documents/{doc}")));
    // A filter that excludes it, and a refused date, in Korean.
    let none = accountant
        .get(&format!(
            "/c/{c}/search?q={}&status=registered",
            q("공사비")
        ))
        .await;
    assert!(none.text.contains("맞는 문서가 없습니다"), "{}", none.text);
    let bad = accountant
        .get(&format!("/c/{c}/search?q={}&from=2026-02-31", q("공사비")))
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.text.contains("class=\"alert\""), "{}", bad.text);

    // The 동대표 may not read expense resolutions: nothing found; the neighbour cannot even look.
    let rep = Browser::new(&env);
    rep.login("rep101", PASSWORD).await;
    let nothing = rep.get(&format!("/c/{c}/search?q={}", q("공사비"))).await;
    assert!(
        nothing.text.contains("맞는 문서가 없습니다"),
        "{}",
        nothing.text
    );
    let neighbour = Browser::new(&env);
    neighbour.login("neighbour", PASSWORD).await;
    assert_eq!(
        neighbour
            .get(&format!("/c/{c}/search?q={}", q("공사비")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
