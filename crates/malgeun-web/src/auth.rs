//! Who is calling: a bearer token (`Authorization: Bearer …`) or the session cookie. The cookie is
//! HttpOnly and SameSite=Strict, so another site cannot ride it into a state-changing request.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use malgeun_app::{App, AppError, Caller};

use crate::error::ApiError;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "malgeun_session";

/// The token presented with the request, if any.
pub fn token_of(parts: &Parts) -> Option<String> {
    if let Some(v) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ")
    {
        return Some(t.trim().to_owned());
    }
    cookie(&parts.headers, COOKIE_NAME)
}

/// The value of the cookie `name` sent with the request, if any.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// An authenticated caller.
pub struct Authed(pub Caller);

impl FromRequestParts<App> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = token_of(parts).ok_or_else(|| ApiError(AppError::unauthenticated()))?;
        Ok(Self(app.authenticate(&token).await?))
    }
}

/// A `Set-Cookie` value for a new session.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    )
}

/// A `Set-Cookie` value that ends the session in the browser.
pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}
