//! Administration: complexes, persons, positions, holders, deputies and the catalogue.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use malgeun_app::org::{NewComplex, NewPosition};
use malgeun_app::{App, AppError};
use malgeun_domain::approval::StepKind;
use malgeun_domain::catalogue::{FieldType, KindDefinition, LineTemplate, StepTemplate};
use malgeun_domain::role::Role;
use malgeun_domain::{PersonId, PositionId, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{created, member, ok};
use crate::auth::Authed;
use crate::error::ApiResult;
use crate::extract::JsonBody;

fn position_id(s: &str) -> Result<PositionId, AppError> {
    s.parse()
        .map_err(|_| AppError::not_found("position_not_found", "직위", "position"))
}

pub(super) async fn list_complexes(
    State(app): State<App>,
    Authed(caller): Authed,
) -> ApiResult<Json<Value>> {
    let list = app.complexes_of(&caller).await?;
    Ok(Json(
        list.iter()
            .map(|c| json!({"id": c.id, "name": c.name, "short_name": c.short_name, "households": c.households}))
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ComplexRequest {
    name: String,
    short_name: String,
    #[serde(default)]
    households: i64,
}

pub(super) async fn create_complex(
    State(app): State<App>,
    Authed(caller): Authed,
    JsonBody(req): JsonBody<ComplexRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = app
        .create_complex(
            &caller,
            NewComplex {
                name: req.name,
                short_name: req.short_name,
                households: req.households,
            },
        )
        .await?;
    Ok(created(json!({"id": id.to_string()})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PersonRequest {
    login: String,
    name: String,
    password: String,
    #[serde(default)]
    operator: bool,
    /// Creating as an administrator of this complex (instead of as an operator).
    complex: Option<String>,
}

pub(super) async fn create_person(
    State(app): State<App>,
    Authed(caller): Authed,
    JsonBody(req): JsonBody<PersonRequest>,
) -> ApiResult<impl IntoResponse> {
    let allowed = if caller.operator {
        true
    } else if let Some(c) = &req.complex {
        member(&app, &caller, c).await?.is_admin() && !req.operator
    } else {
        false
    };
    let id = app
        .create_person(allowed, &req.login, &req.name, &req.password, req.operator)
        .await?;
    Ok(created(json!({"id": id.to_string()})))
}

pub(super) async fn positions(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let list = app.positions(&m).await?;
    Ok(Json(
        list.iter()
            .map(|p| {
                json!({
                    "id": p.id.to_string(),
                    "title": p.title,
                    "role": p.role.as_str(),
                    "is_admin": p.is_admin,
                    "deputy_position_id": p.deputy.map(|d| d.to_string()),
                    "holder_id": p.holder.map(|h| h.to_string()),
                    "holder_name": p.holder_name,
                    "active": p.active,
                })
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PositionRequest {
    title: String,
    role: String,
    #[serde(default)]
    is_admin: bool,
}

pub(super) async fn create_position(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    JsonBody(req): JsonBody<PositionRequest>,
) -> ApiResult<impl IntoResponse> {
    let m = member(&app, &caller, &complex).await?;
    let id = app
        .create_position(
            &m,
            NewPosition {
                title: req.title,
                role: req.role,
                is_admin: req.is_admin,
            },
        )
        .await?;
    Ok(created(json!({"id": id.to_string()})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HolderRequest {
    person_id: Option<String>,
    login: Option<String>,
}

pub(super) async fn appoint(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, position)): Path<(String, String)>,
    JsonBody(req): JsonBody<HolderRequest>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let person: PersonId = match (req.person_id, req.login) {
        (Some(id), _) => id
            .parse()
            .map_err(|_| AppError::not_found("person_not_found", "사용자", "person"))?,
        (None, Some(login)) => app
            .person_by_login(&login)
            .await?
            .ok_or_else(|| AppError::not_found("person_not_found", "사용자", "person"))?,
        (None, None) => {
            return Err(AppError::invalid(
                "person_required",
                "맡을 사람(person_id 또는 login)을 지정해 주세요.",
                "give person_id or login",
            )
            .into());
        }
    };
    app.appoint(&m, position_id(&position)?, person).await?;
    Ok(ok())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeputyRequest {
    deputy_position_id: Option<String>,
}

pub(super) async fn set_deputy(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, position)): Path<(String, String)>,
    JsonBody(req): JsonBody<DeputyRequest>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let deputy = req
        .deputy_position_id
        .as_deref()
        .map(position_id)
        .transpose()?;
    app.set_deputy(&m, position_id(&position)?, deputy).await?;
    Ok(ok())
}

pub(super) async fn terms(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, position)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let terms = app.position_terms(&m, position_id(&position)?).await?;
    Ok(Json(
        terms
            .iter()
            .map(|t| {
                json!({
                    "seq": t.seq,
                    "person_id": t.person_id,
                    "person_name": t.person_name,
                    "started_at": Timestamp::from_micros(t.started_at).to_rfc3339(),
                    "ended_at": t.ended_at.map(|e| Timestamp::from_micros(e).to_rfc3339()),
                })
            })
            .collect(),
    ))
}

fn field_json(f: &malgeun_domain::catalogue::FieldDef) -> Value {
    let mut v = json!({
        "key": f.key(),
        "label": f.label(),
        "type": f.field_type().code(),
        "required": f.required(),
        "help": f.help(),
    });
    match f.field_type() {
        FieldType::Text { max_length } | FieldType::Multiline { max_length } => {
            v["max_length"] = json!(max_length)
        }
        FieldType::Money { allow_negative } => v["allow_negative"] = json!(allow_negative),
        FieldType::Integer { min, max } => {
            v["min"] = json!(min);
            v["max"] = json!(max);
        }
        FieldType::Choice { options } => v["options"] = json!(options),
        FieldType::Table {
            columns,
            min_rows,
            max_rows,
            total,
        } => {
            v["columns"] = columns.iter().map(field_json).collect();
            v["min_rows"] = json!(min_rows);
            v["max_rows"] = json!(max_rows);
            v["total"] = json!(total);
        }
        FieldType::Date => {}
    }
    v
}

fn roles_json(roles: &[Role]) -> Value {
    roles.iter().map(Role::as_str).collect()
}

/// A kind as JSON (summary or full).
pub(super) fn kind_json(k: &KindDefinition, full: bool) -> Value {
    let mut v = json!({
        "code": k.code().as_str(),
        "version": k.version(),
        "name": k.name(),
        "category": k.category(),
        "description": k.description(),
        "retention": k.retention().to_string(),
        "retention_label": k.retention().label_ko(),
        "disclosure": k.disclosure().code(),
        "restricted": k.restricted(),
        "received": k.received(),
        "drafters": roles_json(k.drafters()),
    });
    if full {
        v["basis"] = json!(k.basis());
        v["viewers"] = roles_json(k.viewers());
        v["line"] = json!({
            "editable": k.line().editable,
            "final_roles": roles_json(&k.line().final_roles),
            "steps": k.line().steps.iter().map(|s| json!({"kind": s.kind.code(), "roles": roles_json(&s.roles)})).collect::<Vec<_>>(),
        });
        v["delegation"] = k.delegation().map_or(
            Value::Null,
            |d| json!({"roles": roles_json(&d.roles), "max_total": d.max_total.map(|w| w.0)}),
        );
        v["fields"] = k.fields().iter().map(field_json).collect();
    }
    v
}

pub(super) async fn kinds(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let kinds = app.list_kinds(&m).await?;
    Ok(Json(kinds.iter().map(|k| kind_json(k, false)).collect()))
}

pub(super) async fn kind(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, code)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let mut r = app.db().reader().await.map_err(AppError::from)?;
    let k = app.latest_kind(r.conn(), m.complex, &code).await?;
    Ok(Json(kind_json(&k, true)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KindRequest {
    /// The kind definition as TOML (the same format as `standards/`).
    source: String,
}

pub(super) async fn add_kind(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(complex): Path<String>,
    JsonBody(req): JsonBody<KindRequest>,
) -> ApiResult<impl IntoResponse> {
    let m = member(&app, &caller, &complex).await?;
    let k = app.add_kind(&m, &req.source).await?;
    Ok(created(kind_json(&k, true)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LineStepRequest {
    kind: String,
    roles: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LineRequest {
    editable: bool,
    final_roles: Vec<String>,
    steps: Vec<LineStepRequest>,
}

fn role(s: &str) -> Result<Role, AppError> {
    Role::parse(s).ok_or_else(|| {
        AppError::invalid(
            "invalid_role",
            format!("'{s}'은(는) 올바른 역할 코드가 아닙니다."),
            format!("invalid role `{s}`"),
        )
    })
}

pub(super) async fn override_line(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((complex, code)): Path<(String, String)>,
    JsonBody(req): JsonBody<LineRequest>,
) -> ApiResult<Json<Value>> {
    let m = member(&app, &caller, &complex).await?;
    let steps = req
        .steps
        .iter()
        .map(|s| {
            Ok(StepTemplate {
                kind: s.kind.parse::<StepKind>().map_err(|e| {
                    AppError::invalid(
                        "invalid_step_kind",
                        "결재 단계 종류가 올바르지 않습니다.",
                        e,
                    )
                })?,
                roles: s
                    .roles
                    .iter()
                    .map(|r| role(r))
                    .collect::<Result<_, AppError>>()?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let line = LineTemplate {
        editable: req.editable,
        final_roles: req
            .final_roles
            .iter()
            .map(|r| role(r))
            .collect::<Result<_, _>>()?,
        steps,
    };
    let k = app.override_line(&m, &code, line).await?;
    Ok(Json(kind_json(&k, true)))
}
