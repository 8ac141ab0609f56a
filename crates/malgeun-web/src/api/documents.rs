//! Documents: drafting, attachments, submission, approval acts, history, inbox and register.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use malgeun_app::documents::{
    ActInput, AttachmentSpec, DraftInput, DraftUpdate, ReceiveInput, StepInput,
};
use malgeun_app::search::{SearchQuery, SearchSort};
use malgeun_app::{App, AppError};
use malgeun_domain::approval::{Decision, Outcome, StepKind};
use malgeun_store::documents::{RegisterFilter, Tab};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{created, member, ok};
use crate::auth::Authed;
use crate::error::ApiResult;
use crate::extract::{JsonBody, Query, complex_id, document_id, read_limited};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StepRequest {
    kind: String,
    positions: Vec<String>,
}

fn steps(req: Option<Vec<StepRequest>>) -> Result<Option<Vec<StepInput>>, AppError> {
    let invalid = |ko: &str, en: String| AppError::invalid("invalid_line", ko.to_owned(), en);
    req.map(|steps| {
        steps
            .into_iter()
            .map(|s| {
                Ok(StepInput {
                    kind: s
                        .kind
                        .parse::<StepKind>()
                        .map_err(|e| invalid("결재 단계 종류가 올바르지 않습니다.", e))?,
                    positions: s
                        .positions
                        .iter()
                        .map(|p| {
                            p.parse().map_err(|_| {
                                invalid(
                                    "결재선의 직위 id가 올바르지 않습니다.",
                                    format!("bad position id `{p}`"),
                                )
                            })
                        })
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect()
    })
    .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AttachmentRequest {
    name: String,
    #[serde(default)]
    media_type: String,
    sha256: String,
}

fn attachments(list: Vec<AttachmentRequest>) -> Vec<AttachmentSpec> {
    list.into_iter()
        .map(|a| AttachmentSpec {
            name: a.name,
            media_type: a.media_type,
            sha256: a.sha256,
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateRequest {
    kind: String,
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    form: Value,
    line: Option<Vec<StepRequest>>,
    drafter_position_id: Option<String>,
    corrects: Option<String>,
    #[serde(default)]
    attachments: Vec<AttachmentRequest>,
    /// Submit (상신) right after drafting.
    #[serde(default)]
    submit: bool,
}

pub(super) async fn create(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    JsonBody(req): JsonBody<CreateRequest>,
) -> ApiResult<impl IntoResponse> {
    let complex = complex_id(&complex)?;
    let form = if req.form.is_null() {
        json!({})
    } else {
        req.form
    };
    let input = DraftInput {
        kind_code: req.kind,
        title: req.title,
        body: req.body,
        form,
        line: steps(req.line)?,
        drafter_position: req
            .drafter_position_id
            .map(|p| {
                p.parse().map_err(|_| {
                    AppError::invalid(
                        "invalid_position",
                        "기안 직위 id가 올바르지 않습니다.",
                        "bad drafter_position_id",
                    )
                })
            })
            .transpose()?,
        corrects: req
            .corrects
            .map(|d| document_id(&d))
            .transpose()
            .map_err(|e| e.0)?,
        attachments: attachments(req.attachments),
    };
    let id = app.create_draft(&caller, complex, input).await?;
    if req.submit {
        app.submit(&caller, complex, id).await?;
    }
    Ok(created(
        json!({"id": id.to_string(), "status": if req.submit { "in_progress" } else { "draft" }}),
    ))
}

pub(super) async fn show(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let view = app.document(&m, document_id(&document)?).await?;
    Ok(Json(
        serde_json::to_value(view).map_err(AppError::internal)?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UpdateRequest {
    title: Option<String>,
    body: Option<String>,
    form: Option<Value>,
    line: Option<Vec<StepRequest>>,
}

pub(super) async fn update(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document)): Path<(String, String)>,
    JsonBody(req): JsonBody<UpdateRequest>,
) -> ApiResult<Json<Value>> {
    let update = DraftUpdate {
        title: req.title,
        body: req.body,
        form: req.form,
        line: steps(req.line)?,
    };
    app.update_draft(
        &caller,
        complex_id(&complex)?,
        document_id(&document)?,
        update,
    )
    .await?;
    Ok(ok())
}

#[derive(Deserialize)]
pub(super) struct AttachQuery {
    name: String,
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned()
}

async fn body_bytes(app: &App, body: Body) -> Result<Vec<u8>, AppError> {
    let limit = usize::try_from(app.limits().max_attachment_bytes).unwrap_or(usize::MAX);
    read_limited(body, limit)
        .await
        .map(|b| b.to_vec())
        .map_err(|()| malgeun_app::documents::too_large(app.limits().max_attachment_bytes))
}

pub(super) async fn upload_blob(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let m = member(&app, &caller, &complex).await?;
    let bytes = body_bytes(&app, body).await?;
    let (sha256, size) = app.upload_blob(&m, bytes).await?;
    Ok(created(json!({"sha256": sha256, "size": size})))
}

pub(super) async fn attach(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document)): Path<(String, String)>,
    Query(q): Query<AttachQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    let complex = complex_id(&complex)?;
    let document = document_id(&document)?;
    // Membership first: a stranger's upload is refused before its bytes are read.
    app.member(&caller, complex).await?;
    let bytes = body_bytes(&app, body).await?;
    let ordinal = app
        .add_attachment(
            &caller,
            complex,
            document,
            &q.name,
            &content_type(&headers),
            bytes,
        )
        .await?;
    Ok(created(json!({"ordinal": ordinal})))
}

pub(super) async fn detach(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document, ordinal)): Path<(String, String, i64)>,
) -> ApiResult<Json<Value>> {
    app.remove_attachment(
        &caller,
        complex_id(&complex)?,
        document_id(&document)?,
        ordinal,
    )
    .await?;
    Ok(ok())
}

pub(super) async fn download(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document, version, ordinal)): Path<(String, String, i64, i64)>,
) -> ApiResult<impl IntoResponse> {
    let m = member(&app, &caller, &complex).await?;
    let (meta, bytes) = app
        .attachment(&m, document_id(&document)?, version, ordinal)
        .await?;
    Ok(download_response(&meta, bytes))
}

/// An attachment as a download: `attachment` (RFC 5987 name), its SHA-256, never sniffed, under a
/// policy that forbids everything (see `pages::attachment::download`).
pub(crate) fn download_response(
    meta: &malgeun_app::documents::AttachmentView,
    bytes: Vec<u8>,
) -> axum::response::Response {
    crate::pages::attachment::download(meta, bytes)
}

pub(super) async fn submit(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.submit(&caller, complex_id(&complex)?, document_id(&document)?)
        .await?;
    Ok(Json(json!({"status": "in_progress"})))
}

pub(super) async fn withdraw(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    app.withdraw(&caller, complex_id(&complex)?, document_id(&document)?)
        .await?;
    Ok(Json(json!({"status": "withdrawn"})))
}

pub(super) async fn revise(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let version = app
        .revise(&caller, complex_id(&complex)?, document_id(&document)?)
        .await?;
    Ok(Json(json!({"status": "draft", "version": version})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ActRequest {
    /// approve | reject | reject_to_previous | hold | delegated_final | post_confirm
    action: String,
    comment: Option<String>,
    position_id: Option<String>,
    content_sha256: Option<String>,
}

pub(super) async fn act(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document)): Path<(String, String)>,
    JsonBody(req): JsonBody<ActRequest>,
) -> ApiResult<Json<Value>> {
    let decision = Decision::from_code(&req.action).ok_or_else(|| {
        AppError::invalid(
            "unknown_action",
            format!("'{}'은(는) 없는 결재 처리입니다.", req.action),
            format!("unknown action `{}`", req.action),
        )
    })?;
    let position = req
        .position_id
        .map(|p| {
            p.parse().map_err(|_| {
                AppError::invalid(
                    "invalid_position",
                    "직위 id가 올바르지 않습니다.",
                    "bad position_id",
                )
            })
        })
        .transpose()?;
    let outcome = app
        .act(
            &caller,
            complex_id(&complex)?,
            document_id(&document)?,
            ActInput {
                decision,
                comment: req.comment,
                position,
                expected_sha256: req.content_sha256,
            },
        )
        .await?;
    let outcome = match outcome {
        Outcome::Recorded => "recorded",
        Outcome::Advanced(_) => "advanced",
        Outcome::Completed => "registered",
        Outcome::Rejected => "rejected",
        Outcome::ReturnedTo(_) => "returned_to_previous",
        Outcome::Held => "held",
        Outcome::Confirmed => "confirmed",
    };
    Ok(Json(json!({"outcome": outcome})))
}

pub(super) async fn history(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, document)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let h = app.history(&m, document_id(&document)?).await?;
    Ok(Json(serde_json::to_value(h).map_err(AppError::internal)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReceiveRequest {
    kind: String,
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    form: Value,
    #[serde(default)]
    attachments: Vec<AttachmentRequest>,
}

pub(super) async fn receive(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    JsonBody(req): JsonBody<ReceiveRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = app
        .receive(
            &caller,
            complex_id(&complex)?,
            ReceiveInput {
                kind_code: req.kind,
                title: req.title,
                body: req.body,
                form: if req.form.is_null() {
                    json!({})
                } else {
                    req.form
                },
                attachments: attachments(req.attachments),
            },
        )
        .await?;
    Ok(created(
        json!({"id": id.to_string(), "status": "registered"}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PageQuery {
    tab: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// A 결재함 tab by code; none means 결재대기.
pub(crate) fn parse_tab(code: Option<&str>) -> Result<Tab, AppError> {
    match code {
        None => Ok(Tab::Waiting),
        Some(t) => Tab::from_code(t).ok_or_else(|| {
            AppError::invalid(
                "unknown_tab",
                format!("'{t}'은(는) 없는 결재함입니다."),
                format!("unknown tab `{t}`"),
            )
        }),
    }
}

pub(super) async fn inbox(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let tab = parse_tab(q.tab.as_deref())?;
    let page = app
        .inbox(&m, tab, q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(
        serde_json::to_value(page).map_err(AppError::internal)?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterQuery {
    year: Option<i64>,
    kind: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub(super) async fn register(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    Query(q): Query<RegisterQuery>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let filter = RegisterFilter {
        year: q.year,
        kind_code: q.kind,
        ..RegisterFilter::default()
    };
    let page = app
        .register(&m, &filter, q.limit.unwrap_or(100), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(
        serde_json::to_value(page).map_err(AppError::internal)?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SearchParams {
    q: String,
    kind: Option<String>,
    status: Option<String>,
    year: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// Splits a comma-separated filter value (`kind=a,b`) into its codes.
fn codes(v: Option<&str>) -> Vec<String> {
    v.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The `sort` parameter: `relevance` (default) or `date`.
pub(crate) fn parse_sort(v: Option<&str>) -> Result<SearchSort, AppError> {
    match v.filter(|s| !s.is_empty()) {
        None => Ok(SearchSort::Relevance),
        Some(s) => SearchSort::parse(s).ok_or_else(|| {
            AppError::invalid(
                "invalid_search",
                "정렬은 relevance(정확도순) 또는 date(최신순)입니다.",
                format!("unknown sort `{s}` (relevance or date)"),
            )
        }),
    }
}

pub(super) async fn search(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    Query(q): Query<SearchParams>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let query = SearchQuery {
        text: q.q,
        kinds: codes(q.kind.as_deref()),
        statuses: codes(q.status.as_deref()),
        year: q.year,
        from: q.from,
        to: q.to,
        sort: parse_sort(q.sort.as_deref())?,
    };
    let page = app
        .search(&m, &query, q.limit.unwrap_or(20), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(
        serde_json::to_value(page).map_err(AppError::internal)?,
    ))
}
