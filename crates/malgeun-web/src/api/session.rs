//! Login, logout and who am I.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use malgeun_app::App;
use malgeun_domain::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Authed, clear_cookie, session_cookie, token_of};
use crate::error::ApiResult;
use crate::extract::JsonBody;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginRequest {
    login: String,
    password: String,
}

fn complexes_json(list: &[malgeun_store::org::ComplexRow]) -> Value {
    list.iter()
        .map(|c| json!({"id": c.id, "name": c.name, "short_name": c.short_name}))
        .collect()
}

pub(super) async fn login(
    State(app): State<App>,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let session = app.login(&req.login, &req.password).await?;
    let complexes = app.complexes_of(&session.caller).await?;
    let cookie = session_cookie(&session.token, app.limits().session_ttl_secs, false);
    let body = json!({
        "token": session.token,
        "expires_at": Timestamp::from_micros(session.expires_at).to_rfc3339(),
        "person": {
            "id": session.caller.person.to_string(),
            "login": session.caller.login,
            "name": session.caller.name,
            "operator": session.caller.operator,
        },
        "complexes": complexes_json(&complexes),
    });
    Ok(([(SET_COOKIE, cookie)], Json(body)))
}

pub(super) async fn logout(State(app): State<App>, parts: Parts) -> ApiResult<impl IntoResponse> {
    if let Some(token) = token_of(&parts) {
        app.logout(&token).await?;
    }
    Ok(([(SET_COOKIE, clear_cookie())], super::ok()))
}

pub(super) async fn me(State(app): State<App>, Authed(caller): Authed) -> ApiResult<Json<Value>> {
    let complexes = app.complexes_of(&caller).await?;
    Ok(Json(json!({
        "id": caller.person.to_string(),
        "login": caller.login,
        "name": caller.name,
        "operator": caller.operator,
        "complexes": complexes_json(&complexes),
    })))
}
