//! 로그인, 로그아웃 and choosing a complex. The login form is protected against cross-site posts by
//! a pre-session token kept in a short-lived cookie; failed logins are rate limited per login name
//! and per client address. A visitor sent to the login page from another page (`?next=`) returns
//! there after logging in.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use malgeun_app::{App, AppError, ErrorKind};

use super::form::PostedForm;
use super::views::{ComplexLink, ComplexesPage, Layout, LoginPage};
use super::{
    PageError, PageQuery, PageResult, PagesState, Visitor, html, html_status, safe_return_path,
    same_token,
};
use crate::auth::{clear_cookie, session_cookie};

/// The client's IP address, when the server knows it.
pub(super) struct ClientAddress(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip().to_string()),
        ))
    }
}

const LOGIN_CSRF_COOKIE: &str = "malgeun_login";

fn random_token() -> Result<String, AppError> {
    let mut raw = [0u8; 24];
    getrandom::fill(&mut raw).map_err(AppError::internal)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw))
}

fn login_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    )
}

/// Renders the login page with a fresh pre-session token.
fn login_page(
    state: &PagesState,
    status: StatusCode,
    login: &str,
    error: Option<String>,
    logged_out: bool,
    next: Option<&str>,
) -> PageResult<Response> {
    let token = random_token()?;
    let page = LoginPage {
        layout: Layout::bare("로그인"),
        csrf: token.clone(),
        login: login.to_owned(),
        error,
        logged_out,
        next: next
            .and_then(safe_return_path)
            .unwrap_or_default()
            .to_owned(),
    };
    let mut res = html_status(status, &page)?;
    if let Ok(v) = login_cookie(&token, state.config.secure_cookies).parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    Ok(res)
}

/// `GET /`: the visitor's 결재함, or the login page.
pub(super) async fn home(State(app): State<App>, visitor: Result<Visitor, PageError>) -> Response {
    let Ok(visitor) = visitor else {
        return Redirect::to("/login").into_response();
    };
    match app.complexes_of(&visitor.caller).await {
        Ok(list) if list.len() == 1 => {
            Redirect::to(&format!("/c/{}/inbox", list[0].id)).into_response()
        }
        Ok(_) => Redirect::to("/complexes").into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

/// The login page's query: `?bye` after logging out, `?next=/c/…` to return to a page.
#[derive(serde::Deserialize, Default)]
pub(super) struct LoginQuery {
    bye: Option<String>,
    next: Option<String>,
}

/// `GET /login`.
pub(super) async fn login_form(
    Extension(state): Extension<Arc<PagesState>>,
    PageQuery(q): PageQuery<LoginQuery>,
) -> PageResult<Response> {
    login_page(
        &state,
        StatusCode::OK,
        "",
        None,
        q.bye.is_some(),
        q.next.as_deref(),
    )
}

/// `POST /login`.
pub(super) async fn login(
    State(app): State<App>,
    Extension(state): Extension<Arc<PagesState>>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: PostedForm,
) -> PageResult<Response> {
    let login = form.text("login");
    let password = form.text("password");
    let next = form.get("next").and_then(safe_return_path);
    let expected = crate::auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_token(&form.text("csrf"), &expected) {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            &login,
            Some("보안 확인에 실패했습니다. 다시 로그인해 주세요.".to_owned()),
            false,
            next,
        );
    }
    if login.trim().is_empty() || password.is_empty() {
        return login_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &login,
            Some("아이디와 비밀번호를 입력해 주세요.".to_owned()),
            false,
            next,
        );
    }
    if let Some(minutes) = state.limiter.blocked(&login, address.as_deref()) {
        return login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &login,
            Some(format!(
                "로그인에 여러 번 실패하여 잠시 막혔습니다. {minutes}분 뒤에 다시 시도해 주세요."
            )),
            false,
            next,
        );
    }
    let session = match app.login(&login, &password).await {
        Ok(s) => s,
        Err(e) if e.kind == ErrorKind::Unauthenticated => {
            state.limiter.failed(&login, address.as_deref());
            return login_page(
                &state,
                StatusCode::UNAUTHORIZED,
                &login,
                Some(e.message_ko),
                false,
                next,
            );
        }
        Err(e) => return Err(e.into()),
    };
    state.limiter.succeeded(&login);
    let complexes = app.complexes_of(&session.caller).await?;
    let target = match (next, complexes.as_slice()) {
        (Some(next), _) => next.to_owned(),
        (None, [only]) => format!("/c/{}/inbox", only.id),
        (None, _) => "/complexes".to_owned(),
    };
    let cookie = session_cookie(
        &session.token,
        app.limits().session_ttl_secs,
        state.config.secure_cookies,
    );
    let mut res = Redirect::to(&target).into_response();
    if let Ok(v) = cookie.parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    if let Ok(v) = format!("{LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0").parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    Ok(res)
}

/// `POST /logout`.
pub(super) async fn logout(
    State(app): State<App>,
    visitor: Visitor,
    form: PostedForm,
) -> PageResult<Response> {
    visitor.check_csrf(form.get("csrf"))?;
    app.logout(&visitor.token).await?;
    let mut res = Redirect::to("/login?bye").into_response();
    if let Ok(v) = clear_cookie().parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    Ok(res)
}

/// `GET /complexes`: choosing among one's complexes.
pub(super) async fn complexes(State(app): State<App>, visitor: Visitor) -> PageResult<Response> {
    let list = app.complexes_of(&visitor.caller).await?;
    let page = ComplexesPage {
        layout: Layout::bare("단지 선택"),
        user_name: visitor.caller.name.clone(),
        csrf: visitor.csrf.clone(),
        complexes: list
            .into_iter()
            .map(|c| ComplexLink {
                href: format!("/c/{}/inbox", c.id),
                name: c.name,
            })
            .collect(),
    };
    html(&page)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::LoginLimiter;

    #[test]
    fn the_limiter_blocks_after_too_many_failures_and_forgets_on_success() {
        let l = LoginLimiter::new(Duration::from_secs(600), 3, 100);
        for _ in 0..2 {
            l.failed("Manager", Some("10.0.0.1"));
        }
        assert_eq!(l.blocked("manager", Some("10.0.0.1")), None);
        l.failed("manager ", Some("10.0.0.2"));
        assert_eq!(l.blocked("MANAGER", Some("10.0.0.3")), Some(10));
        assert_eq!(l.blocked("accountant", Some("10.0.0.3")), None);
        l.succeeded("manager");
        assert_eq!(l.blocked("manager", None), None);
    }

    #[test]
    fn the_limiter_blocks_an_address_that_tries_many_logins() {
        let l = LoginLimiter::new(Duration::from_secs(600), 100, 2);
        l.failed("a", Some("10.0.0.9"));
        l.failed("b", Some("10.0.0.9"));
        assert!(l.blocked("c", Some("10.0.0.9")).is_some());
        assert!(l.blocked("c", Some("10.0.0.8")).is_none());
    }
}
