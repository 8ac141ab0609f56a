//! The web pages: server-rendered Korean HTML (askama templates in `templates/`), one stylesheet,
//! one small script and vendored htmx served from `/assets`. Every page calls the same [`App`] use
//! cases as the JSON API and never the database. Sessions are the API's HttpOnly SameSite=Strict
//! cookie; every state-changing form carries a per-session CSRF token; every response carries a
//! Content-Security-Policy that allows only our own scripts and styles. A request of htmx whose
//! session has ended is answered with `HX-Redirect` to the login page, so the whole page goes
//! there instead of a login form being swapped into a fragment.

mod admin;
pub mod assets;
pub mod attachment;
mod document;
mod draft;
pub mod form;
mod inbox;
mod kind_line;
mod ledger;
mod register;
mod search;
mod session;
#[cfg(test)]
mod snapshots;
pub mod views;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use malgeun_app::{App, AppError, Caller, ErrorKind, Member};
use sha2::{Digest, Sha256};

use crate::auth::COOKIE_NAME;
use crate::error::status_of;
use views::{ErrorPage, Layout, Nav};

/// How the pages are served.
#[derive(Clone, Debug, Default)]
pub struct PagesConfig {
    /// Mark cookies `Secure` (the service is behind TLS).
    pub secure_cookies: bool,
}

/// What the pages share between requests: their configuration and the login rate limiter.
#[derive(Debug)]
pub struct PagesState {
    /// Configuration.
    pub config: PagesConfig,
    /// Failed logins by login name and by client address.
    pub limiter: LoginLimiter,
}

/// Failed logins remembered per key (a login name or a client address) over a sliding window; too
/// many refuse further attempts for that key until the window has passed.
#[derive(Debug)]
pub struct LoginLimiter {
    window: Duration,
    max_per_login: usize,
    max_per_address: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 30)
    }
}

impl LoginLimiter {
    /// A limiter allowing `max_per_login` failures per login and `max_per_address` per client
    /// address within `window`.
    pub fn new(window: Duration, max_per_login: usize, max_per_address: usize) -> Self {
        Self {
            window,
            max_per_login,
            max_per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(login: &str, address: Option<&str>) -> (String, Option<String>) {
        (
            format!("login:{}", login.trim().to_lowercase()),
            address.map(|a| format!("addr:{a}")),
        )
    }

    /// `Some(minutes to wait)` when the login or the address has failed too often.
    pub fn blocked(&self, login: &str, address: Option<&str>) -> Option<u64> {
        let now = Instant::now();
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, v| {
            v.retain(|t| now.duration_since(*t) < self.window);
            !v.is_empty()
        });
        let (by_login, by_addr) = Self::keys(login, address);
        let check = |key: &str, max: usize| {
            map.get(key).filter(|v| v.len() >= max).map(|v| {
                let oldest = v.iter().min().copied().unwrap_or(now);
                let left = self.window.saturating_sub(now.duration_since(oldest));
                left.as_secs().div_ceil(60).max(1)
            })
        };
        check(&by_login, self.max_per_login).or_else(|| {
            by_addr
                .as_deref()
                .and_then(|k| check(k, self.max_per_address))
        })
    }

    /// Records a failed attempt.
    pub fn failed(&self, login: &str, address: Option<&str>) {
        let now = Instant::now();
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (by_login, by_addr) = Self::keys(login, address);
        map.entry(by_login).or_default().push(now);
        if let Some(k) = by_addr {
            map.entry(k).or_default().push(now);
        }
    }

    /// Forgets a login's failures after it succeeded.
    pub fn succeeded(&self, login: &str) {
        let (by_login, _) = Self::keys(login, None);
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&by_login);
    }
}

/// The pages' routes (state: the app).
pub fn routes(config: PagesConfig, limits: &malgeun_app::Limits) -> Router<App> {
    let state = Arc::new(PagesState {
        config,
        limiter: LoginLimiter::default(),
    });
    // Room for a form with as many attachments as a version may hold; each file is checked again.
    let body_limit = usize::try_from(limits.max_attachment_bytes)
        .unwrap_or(usize::MAX / 2)
        .saturating_mul(4)
        .saturating_add(1024 * 1024);
    let c = "/c/{complex}";
    Router::new()
        .route("/", get(session::home))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/complexes", get(session::complexes))
        .route(&format!("{c}/inbox"), get(inbox::page))
        .route(&format!("{c}/new"), get(draft::kinds))
        .route(
            &format!("{c}/new/{{kind}}"),
            get(draft::new_form).post(draft::create),
        )
        .route(&format!("{c}/documents/{{document}}"), get(document::page))
        .route(
            &format!("{c}/documents/{{document}}/edit"),
            get(draft::edit_form).post(draft::update),
        )
        .route(
            &format!("{c}/documents/{{document}}/act"),
            post(document::act),
        )
        .route(
            &format!("{c}/documents/{{document}}/versions/{{version}}/attachments/{{ordinal}}"),
            get(document::download),
        )
        .route(
            &format!(
                "{c}/documents/{{document}}/versions/{{version}}/attachments/{{ordinal}}/preview"
            ),
            get(document::preview),
        )
        .route(&format!("{c}/register"), get(register::page))
        .route(&format!("{c}/search"), get(search::page))
        .route(&format!("{c}/register.csv"), get(register::csv))
        .route(&format!("{c}/register.xlsx"), get(register::xlsx))
        .route(&format!("{c}/ledger"), get(ledger::page))
        .route(&format!("{c}/admin"), get(admin::page).post(admin::act))
        .route(
            &format!("{c}/admin/kinds/{{kind}}"),
            get(kind_line::page).post(kind_line::save),
        )
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::Extension(state))
        .route_layer(axum::middleware::from_fn(security_headers))
        .route("/assets/{name}", get(assets::serve))
}

/// The Content-Security-Policy of every page: our own scripts, styles, images and forms only;
/// frames and objects only from our own origin (the PDF preview of an attachment).
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-src 'self'; object-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// Sets the security headers of every page response. A response that set its own policy (an
/// attachment, which has a stricter one, or a PDF preview that our pages may frame) keeps it.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.entry(X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// The CSRF token of a session: derived from the session's secret token, so it needs no storage,
/// is the same in every form of the session, and cannot be computed by another site (which never
/// sees the HttpOnly cookie).
pub fn csrf_token(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"malgeun-csrf\0");
    h.update(session_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&h.finalize()[..24])
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A logged-in visitor of the pages: who they are, the CSRF token of their session and the
/// session token itself (for logout).
pub struct Visitor {
    /// Who.
    pub caller: Caller,
    /// The session's CSRF token.
    pub csrf: String,
    /// The session token.
    pub token: String,
}

impl Visitor {
    /// Refuses a state-changing request whose CSRF token is missing or wrong.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), PageError> {
        match given {
            Some(t) if same_token(t, &self.csrf) => Ok(()),
            _ => Err(PageError::csrf()),
        }
    }
}

fn cookie_token(parts: &Parts) -> Option<String> {
    crate::auth::cookie(&parts.headers, COOKIE_NAME).filter(|v| !v.is_empty())
}

/// Whether htmx sent the request (it swaps the answer into part of a page).
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers
        .get("hx-request")
        .is_some_and(|v| v.as_bytes() == b"true")
}

/// A path of ours that the login may send the visitor back to: it starts with one `/`, is not
/// the login page itself, and holds no backslash or control character (so it cannot name another
/// host).
pub fn safe_return_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2048
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path != "/login"
        && !path.starts_with("/login?");
    ok.then_some(path)
}

/// Where the visitor was going when the login was asked for: the page htmx was showing
/// (`HX-Current-URL`), or the address of a plain `GET`.
fn return_path(parts: &Parts) -> Option<String> {
    let htmx_page = parts
        .headers
        .get("hx-current-url")
        .and_then(|v| v.to_str().ok())
        .map(|url| {
            // `http://host:port/path?query` → `/path?query`
            url.split_once("://")
                .map_or(url, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]))
        });
    let path = match htmx_page {
        Some(p) if is_htmx(&parts.headers) => p.to_owned(),
        _ if parts.method == Method::GET => parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        _ => return None,
    };
    safe_return_path(&path).map(str::to_owned)
}

impl FromRequestParts<App> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let login = || PageError::Login {
            next: return_path(parts),
            htmx: is_htmx(&parts.headers),
        };
        let token = cookie_token(parts).ok_or_else(login)?;
        let caller = app.authenticate(&token).await.map_err(|e| {
            if e.kind == ErrorKind::Unauthenticated {
                login()
            } else {
                PageError::from(e)
            }
        })?;
        Ok(Self {
            csrf: csrf_token(&token),
            caller,
            token,
        })
    }
}

/// A page failed: either the visitor must log in first, or an error page in Korean.
#[derive(Debug)]
pub enum PageError {
    /// Not logged in (or the session ended): go to the login page, and back afterwards.
    Login {
        /// Where to return after logging in.
        next: Option<String>,
        /// The request came from htmx, which must be told to leave the page.
        htmx: bool,
    },
    /// An error to show.
    App(AppError),
}

/// The login page's address, with the page to come back to.
pub fn login_url(next: Option<&str>) -> String {
    match next {
        Some(n) => format!("/login?next={}", percent_encode(n)),
        None => "/login".to_owned(),
    }
}

/// After a successful form post: a `303 See Other` to `target`, or for htmx (which would follow a
/// redirect inside its request and swap the page into the form) `HX-Redirect`, so the browser
/// itself goes there.
pub fn redirect_after_post(headers: &HeaderMap, target: &str) -> Response {
    if is_htmx(headers)
        && let Ok(v) = HeaderValue::from_str(target)
    {
        let mut res = StatusCode::NO_CONTENT.into_response();
        res.headers_mut().insert("hx-redirect", v);
        return res;
    }
    Redirect::to(target).into_response()
}

impl PageError {
    fn csrf() -> Self {
        Self::App(AppError::new(
            ErrorKind::Forbidden,
            "csrf_failed",
            "보안 확인에 실패했습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.",
            "missing or wrong CSRF token",
        ))
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<crate::error::ApiError> for PageError {
    fn from(e: crate::error::ApiError) -> Self {
        Self::App(e.0)
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        Self::App(AppError::internal(e))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::Login { next, htmx } => {
                let url = login_url(next.as_deref());
                if htmx && let Ok(v) = HeaderValue::from_str(&url) {
                    // htmx follows a 303 inside its request and would swap the login page into
                    // the fragment; HX-Redirect makes the browser itself go there.
                    let mut res = (
                        StatusCode::UNAUTHORIZED,
                        "로그인이 끝났습니다. 다시 로그인해 주세요.",
                    )
                        .into_response();
                    res.headers_mut().insert("hx-redirect", v);
                    res
                } else {
                    Redirect::to(&url).into_response()
                }
            }
            Self::App(e) => {
                let status = status_of(e.kind, e.code);
                if status == StatusCode::INTERNAL_SERVER_ERROR {
                    tracing::error!(code = e.code, detail = %e.message_en, "page failed");
                }
                let page = ErrorPage {
                    layout: Layout::bare("오류"),
                    status: status.as_u16(),
                    message: e.message_ko.clone(),
                    code: e.code.to_owned(),
                };
                match page.render() {
                    Ok(html) => (status, Html(html)).into_response(),
                    Err(_) => (status, e.message_ko).into_response(),
                }
            }
        }
    }
}

/// Result of a page handler.
pub type PageResult<T> = Result<T, PageError>;

/// Renders a template as an HTML response.
pub fn html<T: Template>(t: &T) -> PageResult<Response> {
    Ok(Html(t.render()?).into_response())
}

/// Renders a template with a status.
pub fn html_status<T: Template>(status: StatusCode, t: &T) -> PageResult<Response> {
    Ok((status, Html(t.render()?)).into_response())
}

/// The visitor within the complex of the path, and the navigation bar for them.
pub async fn enter(app: &App, visitor: &Visitor, complex: &str) -> PageResult<(Member, Nav)> {
    let id = crate::extract::complex_id(complex)?;
    let member = app.member(&visitor.caller, id).await?;
    let complexes = app.complexes_of(&visitor.caller).await?;
    let name = complexes
        .iter()
        .find(|c| c.id == complex)
        .map_or_else(String::new, |c| c.name.clone());
    let positions = member
        .positions
        .iter()
        .map(|p| p.title.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let nav = Nav {
        complex_id: complex.to_owned(),
        complex_name: name,
        user_name: visitor.caller.name.clone(),
        positions,
        csrf: visitor.csrf.clone(),
        several_complexes: complexes.len() > 1,
        admin: member.is_admin(),
        section: "",
    };
    Ok((member, nav))
}

/// The year filter's options: 전체, then this year and the nine before it (Seoul), newest first.
pub fn year_options(app: &App, current: &str) -> Vec<views::Opt> {
    let this_year = app.clock().now().seoul_year();
    std::iter::once(views::Opt::new("", "전체", current))
        .chain(
            (this_year - 9..=this_year)
                .rev()
                .map(|y| views::Opt::new(y.to_string(), format!("{y}년"), current)),
        )
        .collect()
}

/// The kind filter's options: 전체, then the complex's kinds.
pub async fn kind_options(
    app: &App,
    member: &Member,
    current: &str,
) -> PageResult<Vec<views::Opt>> {
    Ok(std::iter::once(views::Opt::new("", "전체", current))
        .chain(
            app.list_kinds(member)
                .await?
                .iter()
                .map(|k| views::Opt::new(k.code().as_str(), k.name(), current)),
        )
        .collect())
}

/// A `text/csv` download with a UTF-8 byte order mark (so spreadsheet programs read Hangul).
pub fn csv_response(file_name: &str, body: String) -> Response {
    let mut bytes = Vec::with_capacity(body.len() + 3);
    bytes.extend_from_slice(b"\xEF\xBB\xBF");
    bytes.extend_from_slice(body.as_bytes());
    let disposition = format!("attachment; filename*=UTF-8''{}", percent_encode(file_name));
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut()
            .insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Percent-encodes everything but unreserved ASCII (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A query string read into `T`; a malformed one is shown as a Korean error page.
pub struct PageQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        crate::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(PageError::from)
    }
}
