//! The JSON API routes under `/api/v1`.

mod admin;
pub(crate) mod documents;
mod ledger;
mod session;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use malgeun_app::{App, AppError, Member};
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::complex_id;

/// Every route: `(method, path)` as documented in the OpenAPI document (a test keeps them equal).
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/login"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/complexes"),
    ("post", "/api/v1/complexes"),
    ("post", "/api/v1/persons"),
    ("get", "/api/v1/complexes/{complex}/positions"),
    ("post", "/api/v1/complexes/{complex}/positions"),
    (
        "put",
        "/api/v1/complexes/{complex}/positions/{position}/holder",
    ),
    (
        "put",
        "/api/v1/complexes/{complex}/positions/{position}/deputy",
    ),
    (
        "get",
        "/api/v1/complexes/{complex}/positions/{position}/terms",
    ),
    ("get", "/api/v1/complexes/{complex}/kinds"),
    ("post", "/api/v1/complexes/{complex}/kinds"),
    ("get", "/api/v1/complexes/{complex}/kinds/{code}"),
    ("put", "/api/v1/complexes/{complex}/kinds/{code}/line"),
    ("post", "/api/v1/complexes/{complex}/blobs"),
    ("post", "/api/v1/complexes/{complex}/documents"),
    ("get", "/api/v1/complexes/{complex}/documents/{document}"),
    ("patch", "/api/v1/complexes/{complex}/documents/{document}"),
    (
        "post",
        "/api/v1/complexes/{complex}/documents/{document}/attachments",
    ),
    (
        "delete",
        "/api/v1/complexes/{complex}/documents/{document}/attachments/{ordinal}",
    ),
    (
        "get",
        "/api/v1/complexes/{complex}/documents/{document}/versions/{version}/attachments/{ordinal}",
    ),
    (
        "post",
        "/api/v1/complexes/{complex}/documents/{document}/submit",
    ),
    (
        "post",
        "/api/v1/complexes/{complex}/documents/{document}/withdraw",
    ),
    (
        "post",
        "/api/v1/complexes/{complex}/documents/{document}/revise",
    ),
    (
        "post",
        "/api/v1/complexes/{complex}/documents/{document}/actions",
    ),
    (
        "get",
        "/api/v1/complexes/{complex}/documents/{document}/history",
    ),
    ("post", "/api/v1/complexes/{complex}/received"),
    ("get", "/api/v1/complexes/{complex}/inbox"),
    ("get", "/api/v1/complexes/{complex}/register"),
    ("get", "/api/v1/complexes/{complex}/search"),
    ("get", "/api/v1/complexes/{complex}/ledger/checkpoint"),
    ("get", "/api/v1/complexes/{complex}/ledger/entries/{index}"),
    ("get", "/api/v1/complexes/{complex}/ledger/inclusion"),
    ("get", "/api/v1/complexes/{complex}/ledger/consistency"),
    ("get", "/api/v1/openapi.json"),
];

/// Builds the router (state: the app).
pub fn routes() -> Router<App> {
    let c = "/api/v1/complexes/{complex}";
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/login", post(session::login))
        .route("/api/v1/logout", post(session::logout))
        .route("/api/v1/me", get(session::me))
        .route(
            "/api/v1/complexes",
            get(admin::list_complexes).post(admin::create_complex),
        )
        .route("/api/v1/persons", post(admin::create_person))
        .route(
            &format!("{c}/positions"),
            get(admin::positions).post(admin::create_position),
        )
        .route(
            &format!("{c}/positions/{{position}}/holder"),
            put(admin::appoint),
        )
        .route(
            &format!("{c}/positions/{{position}}/deputy"),
            put(admin::set_deputy),
        )
        .route(
            &format!("{c}/positions/{{position}}/terms"),
            get(admin::terms),
        )
        .route(
            &format!("{c}/kinds"),
            get(admin::kinds).post(admin::add_kind),
        )
        .route(&format!("{c}/kinds/{{code}}"), get(admin::kind))
        .route(
            &format!("{c}/kinds/{{code}}/line"),
            put(admin::override_line),
        )
        .route(&format!("{c}/blobs"), post(documents::upload_blob))
        .route(&format!("{c}/documents"), post(documents::create))
        .route(
            &format!("{c}/documents/{{document}}"),
            get(documents::show).patch(documents::update),
        )
        .route(
            &format!("{c}/documents/{{document}}/attachments"),
            post(documents::attach),
        )
        .route(
            &format!("{c}/documents/{{document}}/attachments/{{ordinal}}"),
            delete(documents::detach),
        )
        .route(
            &format!("{c}/documents/{{document}}/versions/{{version}}/attachments/{{ordinal}}"),
            get(documents::download),
        )
        .route(
            &format!("{c}/documents/{{document}}/submit"),
            post(documents::submit),
        )
        .route(
            &format!("{c}/documents/{{document}}/withdraw"),
            post(documents::withdraw),
        )
        .route(
            &format!("{c}/documents/{{document}}/revise"),
            post(documents::revise),
        )
        .route(
            &format!("{c}/documents/{{document}}/actions"),
            post(documents::act),
        )
        .route(
            &format!("{c}/documents/{{document}}/history"),
            get(documents::history),
        )
        .route(&format!("{c}/received"), post(documents::receive))
        .route(&format!("{c}/inbox"), get(documents::inbox))
        .route(&format!("{c}/register"), get(documents::register))
        .route(&format!("{c}/search"), get(documents::search))
        .route(&format!("{c}/ledger/checkpoint"), get(ledger::checkpoint))
        .route(&format!("{c}/ledger/entries/{{index}}"), get(ledger::entry))
        .route(&format!("{c}/ledger/inclusion"), get(ledger::inclusion))
        .route(&format!("{c}/ledger/consistency"), get(ledger::consistency))
        .route(
            "/api/v1/openapi.json",
            get(|| async { axum::Json(crate::openapi::document()) }),
        )
        .fallback(|| async {
            ApiError(AppError::not_found("no_such_route", "요청한 주소", "route"))
        })
        .layer(axum::extract::DefaultBodyLimit::disable())
        .route_layer(axum::middleware::from_fn(no_store))
}

async fn no_store(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// Resolves the caller within the complex of the path.
async fn member(app: &App, caller: &malgeun_app::Caller, complex: &str) -> ApiResult<Member> {
    Ok(app.member(caller, complex_id(complex)?).await?)
}

/// `201 Created` with a JSON body.
fn created(body: serde_json::Value) -> (StatusCode, axum::Json<serde_json::Value>) {
    (StatusCode::CREATED, axum::Json(body))
}

/// `{"ok": true}`.
fn ok() -> axum::Json<serde_json::Value> {
    axum::Json(json!({"ok": true}))
}
