//! The ledger over HTTP: checkpoint, entries, inclusion and consistency proofs.

use axum::Json;
use axum::extract::{Path, State};
use malgeun_app::{App, AppError};
use serde::Deserialize;
use serde_json::Value;

use super::member;
use crate::auth::Authed;
use crate::error::ApiResult;
use crate::extract::Query;

fn to_json<T: serde::Serialize>(v: T) -> ApiResult<Json<Value>> {
    Ok(Json(serde_json::to_value(v).map_err(AppError::internal)?))
}

pub(super) async fn checkpoint(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    to_json(app.checkpoint(&m).await?)
}

pub(super) async fn entry(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, index)): Path<(String, u64)>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    to_json(app.ledger_entry(&m, index).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InclusionQuery {
    index: u64,
    size: Option<u64>,
}

pub(super) async fn inclusion(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    Query(q): Query<InclusionQuery>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    to_json(app.inclusion(&m, q.index, q.size).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConsistencyQuery {
    old: u64,
    new: Option<u64>,
}

pub(super) async fn consistency(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    to_json(app.consistency(&m, q.old, q.new).await?)
}
