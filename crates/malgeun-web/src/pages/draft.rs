//! 기안: choosing a kind by category, the form generated from the kind's fields (tables of rows
//! with live totals), attachments, the 결재선 prefilled from the kind and editable within what the
//! kind allows, and 임시저장 / 상신. A refused form comes back with everything typed and the
//! reasons in Korean; files sent with it are kept by their hash. With the script, the form is
//! sent by htmx so that a progress bar shows the attachments' upload; a saved form then answers
//! `HX-Redirect` instead of `303`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use malgeun_app::documents::{AttachmentSpec, DraftInput, DraftUpdate, StepInput};
use malgeun_app::{App, AppError, ErrorKind, Member};
use malgeun_domain::approval::StepKind;
use malgeun_domain::catalogue::{FieldDef, FieldType, KindDefinition};
use serde_json::{Map, Value};

use super::form::PostedForm;
use super::views::{
    CarriedFile, DraftPage, ExistingAttachment, FormCell, FormField, FormTable, KindGroup,
    KindLink, KindsPage, Layout, LineRow, Nav, Opt, human_size, thousands,
};
use super::{PageError, PageResult, Visitor, enter, html, html_status, redirect_after_post};
use crate::error::status_of;
use crate::extract::document_id;

/// Blank rows offered below the typed rows of a table and of the 결재선.
const SPARE_ROWS: usize = 2;

/// `GET /c/{complex}/new`: the kinds the visitor may draft, by category.
pub(super) async fn kinds(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let mut groups: Vec<KindGroup> = Vec::new();
    for k in app.list_kinds(&member).await? {
        let may_draft = member
            .positions
            .iter()
            .any(|p| k.drafters().contains(&p.role));
        if !may_draft || k.received() {
            continue;
        }
        let link = KindLink {
            href: format!("/c/{complex}/new/{}", k.code().as_str()),
            name: k.name().to_owned(),
            description: k.description().to_owned(),
        };
        match groups.iter_mut().find(|g| g.category == k.category()) {
            Some(g) => g.kinds.push(link),
            None => groups.push(KindGroup {
                category: k.category().to_owned(),
                kinds: vec![link],
            }),
        }
    }
    html(&KindsPage {
        layout: Layout::with("기안", nav, "new"),
        groups,
    })
}

fn no_such_kind() -> AppError {
    AppError::not_found("kind_not_found", "문서 종류", "document kind")
}

/// The complex's kind `code` at its latest version, or "not found".
pub(super) async fn kind_of(
    app: &App,
    member: &Member,
    code: &str,
) -> PageResult<std::sync::Arc<KindDefinition>> {
    Ok(app
        .list_kinds(member)
        .await?
        .into_iter()
        .find(|k| k.code().as_str() == code)
        .ok_or_else(no_such_kind)?)
}

fn input_kind(t: &FieldType) -> &'static str {
    match t {
        FieldType::Text { .. } => "text",
        FieldType::Multiline { .. } => "multiline",
        FieldType::Date => "date",
        FieldType::Money { .. } => "money",
        FieldType::Integer { .. } => "integer",
        FieldType::Choice { .. } => "choice",
        FieldType::Table { .. } => "table",
    }
}

/// A stored or typed value as an input shows it (money with separators, no 원).
fn input_text(def: &FieldDef, v: Option<&Value>) -> String {
    match (def.field_type(), v) {
        (_, None | Some(Value::Null)) => String::new(),
        (FieldType::Money { .. } | FieldType::Integer { .. }, Some(Value::Number(n))) => {
            n.as_i64().map_or_else(|| n.to_string(), thousands)
        }
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(other)) => other.to_string(),
    }
}

fn options(def: &FieldDef, current: &str) -> Vec<Opt> {
    match def.field_type() {
        FieldType::Choice { options } => std::iter::once(Opt::new("", "(선택하세요)", current))
            .chain(
                options
                    .iter()
                    .map(|o| Opt::new(o.clone(), o.clone(), current)),
            )
            .collect(),
        _ => Vec::new(),
    }
}

/// The key of the field an error path names: `items[1].amount` and `items_total` → `items`.
fn error_key<'a>(kind: &KindDefinition, path: &'a str) -> Option<&'a str> {
    let head = path.split(['[', '.']).next().unwrap_or(path);
    if kind.field(head).is_some() {
        return Some(head);
    }
    head.strip_suffix("_total")
        .filter(|k| kind.field(k).is_some())
}

/// The form's fields with the values given (a form JSON object) and the field errors.
pub(super) fn form_fields(
    kind: &KindDefinition,
    values: &Value,
    errors: &BTreeMap<String, Vec<String>>,
) -> Vec<FormField> {
    kind.fields()
        .iter()
        .map(|f| {
            let errs = errors.get(f.key()).cloned().unwrap_or_default();
            let name = format!("f.{}", f.key());
            if let FieldType::Table { columns, total, .. } = f.field_type() {
                let typed = values
                    .get(f.key())
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let rows = typed
                    .iter()
                    .map(Some)
                    .chain(std::iter::repeat_n(
                        None,
                        SPARE_ROWS + usize::from(typed.is_empty()),
                    ))
                    .enumerate()
                    .map(|(i, row)| {
                        columns
                            .iter()
                            .map(|c| {
                                let value = input_text(c, row.and_then(|r| r.get(c.key())));
                                FormCell {
                                    name: format!("t.{}.{i}.{}", f.key(), c.key()),
                                    label: format!("{}행 {}", i + 1, c.label()),
                                    input: input_kind(c.field_type()).to_owned(),
                                    options: options(c, &value),
                                    summed: total.as_deref() == Some(c.key()),
                                    value,
                                    error: None,
                                }
                            })
                            .collect()
                    })
                    .collect();
                let total_value = total.as_ref().map(|t| {
                    typed
                        .iter()
                        .filter_map(|r| {
                            r.get(t).and_then(|v| match v {
                                Value::Number(n) => n.as_i64(),
                                Value::String(s) => s
                                    .trim()
                                    .trim_end_matches('원')
                                    .replace(',', "")
                                    .trim()
                                    .parse()
                                    .ok(),
                                _ => None,
                            })
                        })
                        .fold(0i64, i64::saturating_add)
                });
                FormField {
                    name,
                    label: f.label().to_owned(),
                    help: f.help().unwrap_or_default().to_owned(),
                    required: f.required(),
                    input: "table".to_owned(),
                    value: String::new(),
                    options: Vec::new(),
                    table: Some(FormTable {
                        headers: columns
                            .iter()
                            .map(|c| {
                                if c.required() {
                                    format!("{} *", c.label())
                                } else {
                                    c.label().to_owned()
                                }
                            })
                            .collect(),
                        rows,
                        has_total: total.is_some(),
                        total: total_value.map(thousands).unwrap_or_default(),
                    }),
                    errors: errs,
                }
            } else {
                let value = input_text(f, values.get(f.key()));
                FormField {
                    name,
                    label: f.label().to_owned(),
                    help: f.help().unwrap_or_default().to_owned(),
                    required: f.required(),
                    input: input_kind(f.field_type()).to_owned(),
                    options: options(f, &value),
                    value,
                    table: None,
                    errors: errs,
                }
            }
        })
        .collect()
}

/// The form input as the app validates it: blank inputs and blank table rows left out.
pub(super) fn form_json(kind: &KindDefinition, posted: &PostedForm) -> Value {
    let mut obj = Map::new();
    for f in kind.fields() {
        if let FieldType::Table { columns, .. } = f.field_type() {
            let prefix = format!("t.{}.", f.key());
            let mut rows: BTreeMap<usize, Map<String, Value>> = BTreeMap::new();
            for (rest, v) in posted.with_prefix(&prefix) {
                let Some((idx, col)) = rest.split_once('.') else {
                    continue;
                };
                let (Ok(idx), Some(c)) = (
                    idx.parse::<usize>(),
                    columns.iter().find(|c| c.key() == col),
                ) else {
                    continue;
                };
                let row = rows.entry(idx).or_default();
                if !v.trim().is_empty() {
                    row.insert(c.key().to_owned(), Value::String(v.to_owned()));
                }
            }
            let rows: Vec<Value> = rows
                .into_values()
                .filter(|r| !r.is_empty())
                .map(Value::Object)
                .collect();
            if !rows.is_empty() {
                obj.insert(f.key().to_owned(), Value::Array(rows));
            }
        } else {
            let v = posted.text(&format!("f.{}", f.key()));
            if !v.trim().is_empty() {
                obj.insert(f.key().to_owned(), Value::String(v));
            }
        }
    }
    Value::Object(obj)
}

/// One typed row of the 결재선 editor.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct LineEntry {
    /// Order number typed.
    pub(super) order: String,
    /// Step kind code.
    pub(super) kind: String,
    /// Position id.
    pub(super) position: String,
}

/// The step kinds a line editor offers, in the order people think of them.
pub(super) const STEP_KINDS: [StepKind; 4] = [
    StepKind::Review,
    StepKind::Agreement,
    StepKind::Final,
    StepKind::Reference,
];

pub(super) fn line_rows(entries: &[LineEntry], positions: &[(String, String)]) -> Vec<LineRow> {
    entries
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(LineEntry::default(), SPARE_ROWS))
        .enumerate()
        .map(|(index, e)| LineRow {
            index,
            order: e.order.clone(),
            kinds: std::iter::once(Opt::new("", "(빼기)", &e.kind))
                .chain(
                    STEP_KINDS
                        .iter()
                        .map(|k| Opt::new(k.code(), k.label_ko(), &e.kind)),
                )
                .collect(),
            positions: std::iter::once(Opt::new("", "(직위 선택)", &e.position))
                .chain(
                    positions
                        .iter()
                        .map(|(id, label)| Opt::new(id.clone(), label.clone(), &e.position)),
                )
                .collect(),
        })
        .collect()
}

/// Entries from steps `(kind code, position ids)`: one row per position, parallel members sharing
/// their step's order number.
fn entries_of<'a>(steps: impl Iterator<Item = (&'a str, Vec<String>)>) -> Vec<LineEntry> {
    steps
        .enumerate()
        .flat_map(|(i, (kind, positions))| {
            positions.into_iter().map(move |p| LineEntry {
                order: (i + 1).to_string(),
                kind: kind.to_owned(),
                position: p,
            })
        })
        .collect()
}

fn posted_entries(posted: &PostedForm) -> Vec<LineEntry> {
    let mut rows: BTreeMap<usize, LineEntry> = BTreeMap::new();
    for (rest, v) in posted.with_prefix("line.") {
        let Some((idx, part)) = rest.split_once('.') else {
            continue;
        };
        let Ok(idx) = idx.parse::<usize>() else {
            continue;
        };
        let e = rows.entry(idx).or_default();
        match part {
            "order" => e.order = v.trim().to_owned(),
            "kind" => e.kind = v.to_owned(),
            "position" => e.position = v.to_owned(),
            _ => {}
        }
    }
    rows.into_values()
        .filter(|e| !e.kind.is_empty() && !e.position.is_empty())
        .collect()
}

pub(super) fn invalid_line(ko: &str, en: &str) -> AppError {
    AppError::invalid("invalid_line", ko.to_owned(), en.to_owned())
}

/// Rows of a line editor `(order typed, step kind code, member)` as steps: sorted by order number
/// (rows without one go last, in their place); rows of one order and kind form one parallel step.
pub(super) fn group_steps<T>(
    rows: Vec<(&str, &str, T)>,
) -> Result<Vec<(StepKind, Vec<T>)>, AppError> {
    let mut keyed = Vec::with_capacity(rows.len());
    for (i, (order, kind, member)) in rows.into_iter().enumerate() {
        let order = if order.is_empty() {
            10_000 + i64::try_from(i).unwrap_or(0)
        } else {
            order.parse::<i64>().map_err(|_| {
                invalid_line(
                    "결재선의 순서는 숫자로 입력해 주세요.",
                    "line order must be a number",
                )
            })?
        };
        let kind: StepKind = kind.parse().map_err(|_| {
            invalid_line("결재 단계 종류가 올바르지 않습니다.", "unknown step kind")
        })?;
        keyed.push((order, i, kind, member));
    }
    keyed.sort_by_key(|(order, i, _, _)| (*order, *i));
    let mut steps: Vec<(i64, StepKind, Vec<T>)> = Vec::new();
    for (order, _, kind, member) in keyed {
        match steps.last_mut() {
            Some((o, k, members)) if *o == order && *k == kind => members.push(member),
            _ => steps.push((order, kind, vec![member])),
        }
    }
    Ok(steps.into_iter().map(|(_, k, m)| (k, m)).collect())
}

/// The steps the editor's rows describe (see [`group_steps`]).
fn steps_of(entries: &[LineEntry]) -> Result<Vec<StepInput>, AppError> {
    let rows = entries
        .iter()
        .map(|e| {
            let position = e.position.parse().map_err(|_| {
                invalid_line("결재선의 직위가 올바르지 않습니다.", "bad position id")
            })?;
            Ok((e.order.as_str(), e.kind.as_str(), position))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(group_steps(rows)?
        .into_iter()
        .map(|(kind, positions)| StepInput { kind, positions })
        .collect())
}

async fn position_options(app: &App, member: &Member) -> PageResult<Vec<(String, String)>> {
    Ok(app
        .positions(member)
        .await?
        .into_iter()
        .filter(|p| p.active)
        .map(|p| {
            let label = match &p.holder_name {
                Some(n) => format!("{} ({n})", p.title),
                None => p.title.clone(),
            };
            (p.id.to_string(), label)
        })
        .collect())
}

fn carried_files(posted: &PostedForm) -> Vec<(AttachmentSpec, i64)> {
    let mut rows: BTreeMap<usize, (AttachmentSpec, i64)> = BTreeMap::new();
    for (rest, v) in posted.with_prefix("carry.") {
        let Some((idx, part)) = rest.split_once('.') else {
            continue;
        };
        let Ok(idx) = idx.parse::<usize>() else {
            continue;
        };
        let e = rows.entry(idx).or_insert_with(|| {
            (
                AttachmentSpec {
                    name: String::new(),
                    media_type: String::new(),
                    sha256: String::new(),
                },
                0,
            )
        });
        match part {
            "name" => e.0.name = v.to_owned(),
            "type" => e.0.media_type = v.to_owned(),
            "sha256" => e.0.sha256 = v.to_owned(),
            "size" => e.1 = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    rows.into_values()
        .filter(|(s, _)| !s.sha256.is_empty())
        .collect()
}

/// What the form shows besides the kind's fields.
struct FormState {
    title: String,
    body: String,
    values: Value,
    line: Vec<LineEntry>,
    existing: Vec<ExistingAttachment>,
    carried: Vec<(AttachmentSpec, i64)>,
    error: Option<AppError>,
}

async fn draft_page(
    app: &App,
    member: &Member,
    nav: Nav,
    kind: &KindDefinition,
    action: String,
    editing: bool,
    state: FormState,
) -> PageResult<DraftPage> {
    let mut field_errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut title_error = None;
    if let Some(e) = &state.error {
        match &e.fields {
            Some(fe) if !fe.errors().is_empty() => {
                for f in fe.errors() {
                    match error_key(kind, &f.field) {
                        Some(k) => field_errors
                            .entry(k.to_owned())
                            .or_default()
                            .push(f.message_ko.clone()),
                        None => errors.push(f.message_ko.clone()),
                    }
                }
            }
            _ if e.code == "invalid_title" => title_error = Some(e.message_ko.clone()),
            _ => errors.push(e.message_ko.clone()),
        }
    }
    let positions = position_options(app, member).await?;
    let line_fixed = if kind.line().editable {
        Vec::new()
    } else {
        state
            .line
            .iter()
            .map(|e| {
                let kind = e.kind.parse::<StepKind>().map_or("?", StepKind::label_ko);
                let who = positions
                    .iter()
                    .find(|(id, _)| *id == e.position)
                    .map_or("?", |(_, l)| l.as_str());
                format!("{kind}: {who}")
            })
            .collect()
    };
    Ok(DraftPage {
        layout: Layout::with(&format!("{} 기안", kind.name()), nav, "new"),
        action,
        kind_name: kind.name().to_owned(),
        description: kind.description().to_owned(),
        editing,
        title: state.title,
        body: state.body,
        fields: form_fields(kind, &state.values, &field_errors),
        line: line_rows(&state.line, &positions),
        line_editable: kind.line().editable,
        line_fixed,
        existing: state.existing,
        carried: state
            .carried
            .iter()
            .enumerate()
            .map(|(index, (s, size))| CarriedFile {
                index,
                sha256: s.sha256.clone(),
                name: s.name.clone(),
                media_type: s.media_type.clone(),
                size: human_size(*size),
                bytes: *size,
            })
            .collect(),
        has_errors: state.error.is_some(),
        errors,
        title_error,
    })
}

/// `GET /c/{complex}/new/{kind}`: a blank form with the kind's default line.
pub(super) async fn new_form(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, code)): Path<(String, String)>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let kind = kind_of(&app, &member, &code).await?;
    let line = app.default_line_for(&member, &code).await?.ok_or_else(|| {
        AppError::forbidden(
            "may_not_draft",
            format!("'{}'을(를) 기안할 수 있는 직위가 아닙니다.", kind.name()),
            format!("none of your positions may draft `{code}`"),
        )
    })?;
    let entries = entries_of(line.iter().map(|s| (s.kind, s.positions.clone())));
    let page = draft_page(
        &app,
        &member,
        nav,
        &kind,
        format!("/c/{complex}/new/{code}"),
        false,
        FormState {
            title: String::new(),
            body: String::new(),
            values: Value::Object(Map::new()),
            line: entries,
            existing: Vec::new(),
            carried: Vec::new(),
            error: None,
        },
    )
    .await?;
    html(&page)
}

/// Uploads the form's new files as blobs, returning them as attachments to reference.
async fn upload_files(
    app: &App,
    member: &Member,
    posted: &PostedForm,
) -> PageResult<Vec<(AttachmentSpec, i64)>> {
    let mut out = Vec::with_capacity(posted.files.len());
    for f in &posted.files {
        let (sha256, size) = app.upload_blob(member, f.bytes.clone()).await?;
        out.push((
            AttachmentSpec {
                name: f.name.clone(),
                media_type: f.media_type.clone(),
                sha256,
            },
            size,
        ));
    }
    Ok(out)
}

fn refused(e: &AppError) -> bool {
    e.kind != ErrorKind::Internal
}

/// `POST /c/{complex}/new/{kind}`: 임시저장 or 상신 of a new document.
pub(super) async fn create(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, code)): Path<(String, String)>,
    headers: HeaderMap,
    posted: PostedForm,
) -> PageResult<Response> {
    visitor.check_csrf(posted.get("csrf"))?;
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let kind = kind_of(&app, &member, &code).await?;
    let mut files = carried_files(&posted);
    files.extend(upload_files(&app, &member, &posted).await?);
    let values = form_json(&kind, &posted);
    let entries = posted_entries(&posted);
    let submit = posted.get("intent") == Some("submit");
    let result = async {
        let line = if kind.line().editable {
            Some(steps_of(&entries)?)
        } else {
            None
        };
        let id = app
            .create_draft(
                &visitor.caller,
                member.complex,
                DraftInput {
                    kind_code: code.clone(),
                    title: posted.text("title"),
                    body: posted.text("body"),
                    form: values.clone(),
                    line,
                    drafter_position: None,
                    corrects: None,
                    attachments: files.iter().map(|(s, _)| s.clone()).collect(),
                },
            )
            .await?;
        if submit {
            app.submit(&visitor.caller, member.complex, id).await?;
        }
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(redirect_after_post(
            &headers,
            &format!(
                "/c/{complex}/documents/{id}?done={}",
                if submit { "submit" } else { "saved" }
            ),
        )),
        Err(e) if refused(&e) => {
            let status = status_of(e.kind, e.code);
            let page = draft_page(
                &app,
                &member,
                nav,
                &kind,
                format!("/c/{complex}/new/{code}"),
                false,
                FormState {
                    title: posted.text("title"),
                    body: posted.text("body"),
                    values,
                    line: entries,
                    existing: Vec::new(),
                    carried: files,
                    error: Some(e),
                },
            )
            .await?;
            html_status(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

fn not_editable() -> AppError {
    AppError::conflict(
        "not_editable",
        "임시저장 상태인 자기 문서만 고칠 수 있습니다.",
        "only the drafter's own unsubmitted draft can be edited",
    )
}

/// `GET /c/{complex}/documents/{document}/edit`: the form of an existing draft (after 재기안, too).
pub(super) async fn edit_form(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, document)): Path<(String, String)>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let view = app.document(&member, document_id(&document)?).await?;
    if !view.actions.contains(&"edit") {
        return Err(not_editable().into());
    }
    let kind = kind_of(&app, &member, &view.kind_code).await?;
    let entries = entries_of(view.line.iter().map(|s| {
        (
            s.kind,
            s.members.iter().map(|m| m.position_id.clone()).collect(),
        )
    }));
    let page = draft_page(
        &app,
        &member,
        nav,
        &kind,
        format!("/c/{complex}/documents/{document}/edit"),
        true,
        FormState {
            title: view.title.clone(),
            body: view.body.clone(),
            values: view.form.clone(),
            line: entries,
            existing: existing_of(&view),
            carried: Vec::new(),
            error: None,
        },
    )
    .await?;
    html(&page)
}

fn existing_of(view: &malgeun_app::documents::DocumentView) -> Vec<ExistingAttachment> {
    view.attachments
        .iter()
        .map(|a| ExistingAttachment {
            ordinal: a.ordinal,
            name: a.name.clone(),
            size: human_size(a.size),
        })
        .collect()
}

/// `POST /c/{complex}/documents/{document}/edit`: saves the draft, its attachments, and 상신s it
/// when asked.
pub(super) async fn update(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, document)): Path<(String, String)>,
    headers: HeaderMap,
    posted: PostedForm,
) -> PageResult<Response> {
    visitor.check_csrf(posted.get("csrf"))?;
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let id = document_id(&document)?;
    let view = app.document(&member, id).await?;
    if !view.actions.contains(&"edit") {
        return Err(not_editable().into());
    }
    let kind = kind_of(&app, &member, &view.kind_code).await?;
    let values = form_json(&kind, &posted);
    let entries = posted_entries(&posted);
    let submit = posted.get("intent") == Some("submit");
    let removals: Vec<i64> = posted
        .with_prefix("remove.")
        .filter_map(|(ord, _)| ord.parse().ok())
        .collect();
    let result = async {
        let line = if kind.line().editable {
            Some(steps_of(&entries)?)
        } else {
            None
        };
        app.update_draft(
            &visitor.caller,
            member.complex,
            id,
            DraftUpdate {
                title: Some(posted.text("title")),
                body: Some(posted.text("body")),
                form: Some(values.clone()),
                line,
            },
        )
        .await?;
        for ordinal in &removals {
            app.remove_attachment(&visitor.caller, member.complex, id, *ordinal)
                .await?;
        }
        for f in &posted.files {
            app.add_attachment(
                &visitor.caller,
                member.complex,
                id,
                &f.name,
                &f.media_type,
                f.bytes.clone(),
            )
            .await?;
        }
        if submit {
            app.submit(&visitor.caller, member.complex, id).await?;
        }
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(redirect_after_post(
            &headers,
            &format!(
                "/c/{complex}/documents/{document}?done={}",
                if submit { "submit" } else { "saved" }
            ),
        )),
        Err(mut e) if refused(&e) => {
            // Whatever was saved before the refusal is shown as it now stands.
            let view = app.document(&member, id).await?;
            if !posted.files.is_empty() && e.fields.is_none() {
                e.message_ko.push_str(" 첨부할 파일은 다시 골라 주세요.");
            }
            let status = if e.kind == ErrorKind::Invalid {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                status_of(e.kind, e.code)
            };
            let page = draft_page(
                &app,
                &member,
                nav,
                &kind,
                format!("/c/{complex}/documents/{document}/edit"),
                true,
                FormState {
                    title: posted.text("title"),
                    body: posted.text("body"),
                    values,
                    line: entries,
                    existing: existing_of(&view),
                    carried: Vec::new(),
                    error: Some(e),
                },
            )
            .await?;
            html_status(status, &page)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(order: &str, kind: &str, position: &str) -> LineEntry {
        LineEntry {
            order: order.into(),
            kind: kind.into(),
            position: position.into(),
        }
    }

    const A: &str = "00000000-0000-4000-8000-00000000000a";
    const B: &str = "00000000-0000-4000-8000-00000000000b";
    const C: &str = "00000000-0000-4000-8000-00000000000c";

    #[test]
    fn rows_sharing_an_order_and_kind_form_one_parallel_step() {
        let steps = steps_of(&[
            entry("3", "final", C),
            entry("1", "agreement", A),
            entry("1", "agreement", B),
        ])
        .unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].kind, StepKind::Agreement);
        assert_eq!(steps[0].positions.len(), 2);
        assert_eq!(steps[1].kind, StepKind::Final);
    }

    #[test]
    fn rows_without_an_order_go_last_and_bad_orders_are_refused() {
        let steps = steps_of(&[entry("", "reference", A), entry("2", "final", B)]).unwrap();
        assert_eq!(steps[0].kind, StepKind::Final);
        assert_eq!(steps[1].kind, StepKind::Reference);
        let e = steps_of(&[entry("첫째", "final", B)]).unwrap_err();
        assert_eq!(e.code, "invalid_line");
    }

    #[test]
    fn blank_table_rows_and_inputs_are_left_out_of_the_form() {
        let kind = KindDefinition::from_toml(include_str!(
            "../../../../standards/kr-apartment/expense-resolution.toml"
        ))
        .unwrap();
        let posted = PostedForm {
            values: vec![
                ("f.spent_on".into(), "2026-03-02".into()),
                ("f.method".into(), String::new()),
                ("t.items.0.summary".into(), "전구".into()),
                ("t.items.0.amount".into(), "12,000".into()),
                ("t.items.1.summary".into(), " ".into()),
                ("t.items.2.vendor".into(), "철물점".into()),
            ],
            files: Vec::new(),
        };
        let v = form_json(&kind, &posted);
        assert_eq!(
            v,
            serde_json::json!({
                "spent_on": "2026-03-02",
                "items": [{"summary": "전구", "amount": "12,000"}, {"vendor": "철물점"}]
            })
        );
    }
}
