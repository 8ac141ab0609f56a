//! 문서 보기: a document laid out like a Korean 기안문 (두문 · 본문 · 결문) with its 결재란, history,
//! attachments (images and PDFs previewed in place) and only the actions the visitor may take
//! now; and the one form that takes them. With the script, each action first asks for the
//! comment in a dialog (a reason is required for 반려 and 보류); without it the form posts as is.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use malgeun_app::documents::{ActInput, AttachmentView, DocumentView, HistoryEntry};
use malgeun_app::{App, AppError, ErrorKind, Member};
use malgeun_domain::approval::Decision;
use malgeun_domain::catalogue::{FieldDef, FieldType, KindDefinition};
use serde::Deserialize;
use serde_json::Value;

use super::attachment::{self, Preview};
use super::form::PostedForm;
use super::views::{
    ActionButton, AttachmentShow, DocumentPage, FieldShow, HistoryShow, Layout, Nav, ShowCell,
    StampBox, TableShow, human_size, seoul, thousands,
};
use super::{PageError, PageQuery, PageResult, Visitor, enter, html, html_status};
use crate::error::status_of;
use crate::extract::document_id;

#[derive(Deserialize, Default)]
pub(super) struct ViewQuery {
    done: Option<String>,
}

/// Whether an action needs a written reason (the app refuses it without one).
fn needs_reason(code: &str) -> bool {
    matches!(code, "reject" | "reject_to_previous" | "hold")
}

/// Korean label and style of each action code the app offers.
fn action_label(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "approve" => ("승인", "primary"),
        "approve_as_deputy" => ("대결 (대신 승인)", "primary"),
        "delegated_final" => ("전결", "primary"),
        "post_confirm" => ("후결 (사후 확인)", "primary"),
        "hold" => ("보류", "plain"),
        "reject" => ("반려", "danger"),
        "reject_to_previous" => ("전단계 반려", "danger"),
        _ => return None,
    })
}

/// What a finished action says on the next page.
fn done_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "approve" | "approve_as_deputy" => "승인했습니다.",
        "delegated_final" => "전결 처리했습니다.",
        "post_confirm" => "후결(사후 확인)했습니다.",
        "hold" => "보류했습니다.",
        "reject" | "reject_to_previous" => "반려했습니다.",
        "submit" => "상신했습니다.",
        "withdraw" => "회수했습니다.",
        "saved" => "임시저장했습니다.",
        _ => return None,
    })
}

/// A form value as text: money with separators and 원, everything else as given.
pub(super) fn value_text(def: &FieldDef, v: &Value) -> String {
    match (def.field_type(), v) {
        (FieldType::Money { .. }, Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| n.to_string(), |i| format!("{}원", thousands(i))),
        (FieldType::Integer { .. }, Value::Number(n)) => {
            n.as_i64().map_or_else(|| n.to_string(), thousands)
        }
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

fn fields_of(kind: Option<&KindDefinition>, form: &Value) -> Vec<FieldShow> {
    let Some(kind) = kind else {
        // The kind is gone from the catalogue: show the stored keys and values as they are.
        return form
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| FieldShow {
                        label: k.clone(),
                        value: v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                        table: None,
                    })
                    .collect()
            })
            .unwrap_or_default();
    };
    kind.fields()
        .iter()
        .filter_map(|f| {
            let v = form.get(f.key())?;
            if let FieldType::Table { columns, total, .. } = f.field_type() {
                let numeric = |c: &FieldDef| {
                    matches!(
                        c.field_type(),
                        FieldType::Money { .. } | FieldType::Integer { .. }
                    )
                };
                let rows = v
                    .as_array()
                    .map(|rows| {
                        rows.iter()
                            .map(|r| {
                                columns
                                    .iter()
                                    .map(|c| ShowCell {
                                        text: r
                                            .get(c.key())
                                            .map(|x| value_text(c, x))
                                            .unwrap_or_default(),
                                        num: numeric(c),
                                    })
                                    .collect()
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let total = total.as_ref().and_then(|t| {
                    let sum = form.get(format!("{}_total", f.key()))?;
                    Some(
                        columns
                            .iter()
                            .map(|c| ShowCell {
                                text: if c.key() == t {
                                    value_text(c, sum)
                                } else {
                                    String::new()
                                },
                                num: numeric(c),
                            })
                            .collect(),
                    )
                });
                Some(FieldShow {
                    label: f.label().to_owned(),
                    value: String::new(),
                    table: Some(TableShow {
                        headers: columns.iter().map(|c| c.label().to_owned()).collect(),
                        rows,
                        total,
                    }),
                })
            } else {
                Some(FieldShow {
                    label: f.label().to_owned(),
                    value: value_text(f, v),
                    table: None,
                })
            }
        })
        .collect()
}

fn stamp_class(state: &str) -> &'static str {
    match state {
        "approved" => "ok",
        "rejected" => "no",
        "held" => "hold",
        "current" => "now",
        "skipped" => "skip",
        _ => "wait",
    }
}

/// What the page says about the visitor's last action, and the comment they typed.
#[derive(Default)]
pub(super) struct Feedback {
    /// The comment typed (kept after an error).
    pub(super) comment: String,
    /// Why the action was refused.
    pub(super) error: Option<String>,
    /// What the action did.
    pub(super) notice: Option<String>,
}

/// Builds the page from the app's read models.
pub(super) fn document_page(
    nav: Nav,
    complex: &str,
    view: &DocumentView,
    history: &[HistoryEntry],
    kind: Option<&KindDefinition>,
    feedback: Feedback,
) -> DocumentPage {
    let base = format!("/c/{complex}/documents/{}", view.id);
    let mut stamps = vec![StampBox {
        step: "기안".to_owned(),
        title: view.drafter_title.clone(),
        name: view.drafter_name.clone(),
        stamp: None,
        class: "ok".to_owned(),
        at: seoul(&view.created_at),
    }];
    let mut references = Vec::new();
    for step in &view.line {
        for m in &step.members {
            if step.kind == "reference" {
                references.push(match &m.holder_name {
                    Some(n) => format!("{} ({n})", m.title),
                    None => m.title.clone(),
                });
                continue;
            }
            stamps.push(StampBox {
                step: step.label.to_owned(),
                title: m.title.clone(),
                name: m
                    .acted_by
                    .clone()
                    .or_else(|| m.holder_name.clone())
                    .unwrap_or_default(),
                stamp: m.stamp.clone(),
                class: stamp_class(m.state).to_owned(),
                at: m.acted_at_display.clone().unwrap_or_default(),
            });
        }
    }
    let history = history
        .iter()
        .map(|h| {
            let comment = view
                .approvals
                .iter()
                .find(|a| a.ledger_index == h.ledger_index)
                .and_then(|a| a.comment.clone())
                .filter(|c| !c.is_empty());
            let who = match (&h.position_title, &h.actor_name) {
                (Some(p), Some(n)) => format!("{p} {n}"),
                (None, Some(n)) => n.clone(),
                (Some(p), None) => p.clone(),
                (None, None) => String::new(),
            };
            HistoryShow {
                at: seoul(&h.at),
                label: h.label.to_owned(),
                who,
                comment,
                ledger_index: h.ledger_index,
            }
        })
        .collect();
    let actions = view
        .actions
        .iter()
        .filter_map(|code| {
            action_label(code).map(|(label, class)| ActionButton {
                code: (*code).to_owned(),
                label: label.to_owned(),
                class: class.to_owned(),
                reason: if needs_reason(code) {
                    "required"
                } else {
                    "optional"
                },
            })
        })
        .collect();
    let has = |code: &str| view.actions.contains(&code);
    DocumentPage {
        layout: Layout::with(&view.title, nav.clone(), "inbox"),
        complex_name: nav.complex_name,
        kind_name: view.kind_name.clone(),
        title: view.title.clone(),
        status: view.status.clone(),
        status_label: view.status_label.to_owned(),
        number: view.registration_number.clone().unwrap_or_default(),
        registered: view.registered_at.as_deref().map(seoul).unwrap_or_default(),
        drafter: format!("{} {}", view.drafter_title, view.drafter_name),
        created: seoul(&view.created_at),
        version: view.version,
        content_sha256: view.content_sha256.clone(),
        retention: view.retention.clone(),
        disclosure: view.disclosure.to_owned(),
        body: view.body.clone(),
        stamps,
        references,
        fields: fields_of(kind, &view.form),
        attachments: view
            .attachments
            .iter()
            .map(|a| {
                let href = format!("{base}/versions/{}/attachments/{}", view.version, a.ordinal);
                AttachmentShow {
                    preview: Preview::of(&a.media_type, &a.name)
                        .map_or("", Preview::code)
                        .to_owned(),
                    preview_href: format!("{href}/preview"),
                    href,
                    name: a.name.clone(),
                    size: human_size(a.size),
                    sha256: a.sha256.clone(),
                    extraction: a
                        .extraction
                        .as_ref()
                        .map_or_else(String::new, |e| e.label.to_owned()),
                    extraction_state: a
                        .extraction
                        .as_ref()
                        .map_or_else(String::new, |e| e.state.clone()),
                    extraction_reason: a
                        .extraction
                        .as_ref()
                        .and_then(|e| e.reason.clone())
                        .unwrap_or_default(),
                }
            })
            .collect(),
        history,
        actions,
        act_url: format!("{base}/act"),
        ledger_url: format!("/c/{complex}/ledger"),
        edit_url: has("edit").then(|| format!("{base}/edit")),
        can_submit: has("submit"),
        can_withdraw: has("withdraw"),
        can_revise: has("revise"),
        comment: feedback.comment,
        error: feedback.error,
        notice: feedback.notice,
    }
}

/// Loads everything the document page shows.
async fn load_page(
    app: &App,
    member: &Member,
    nav: Nav,
    complex: &str,
    document: &str,
    feedback: Feedback,
) -> PageResult<DocumentPage> {
    let id = document_id(document)?;
    let view = app.document(member, id).await?;
    let history = app.history(member, id).await?;
    let kinds = app.list_kinds(member).await?;
    let kind = kinds
        .iter()
        .find(|k| k.code().as_str() == view.kind_code)
        .map(AsRef::as_ref);
    Ok(document_page(nav, complex, &view, &history, kind, feedback))
}

/// `GET /c/{complex}/documents/{document}`.
pub(super) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, document)): Path<(String, String)>,
    PageQuery(q): PageQuery<ViewQuery>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let notice = q.done.as_deref().and_then(done_notice).map(str::to_owned);
    let page = load_page(
        &app,
        &member,
        nav,
        &complex,
        &document,
        Feedback {
            notice,
            ..Feedback::default()
        },
    )
    .await?;
    html(&page)
}

fn unknown_action(code: &str) -> AppError {
    AppError::invalid(
        "unknown_action",
        format!("'{code}'은(는) 없는 결재 처리입니다."),
        format!("unknown action `{code}`"),
    )
}

/// `POST /c/{complex}/documents/{document}/act`: 승인, 반려, 보류, 전결, 대결, 후결, and the
/// drafter's 상신, 회수 and 재기안.
pub(super) async fn act(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, document)): Path<(String, String)>,
    form: PostedForm,
) -> PageResult<Response> {
    visitor.check_csrf(form.get("csrf"))?;
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let complex_id = member.complex;
    let id = document_id(&document)?;
    let action = form.text("action");
    let comment = form.text("comment");
    let base = format!("/c/{complex}/documents/{document}");
    let result: Result<String, AppError> = match action.as_str() {
        "submit" => app
            .submit(&visitor.caller, complex_id, id)
            .await
            .map(|()| format!("{base}?done=submit")),
        "withdraw" => app
            .withdraw(&visitor.caller, complex_id, id)
            .await
            .map(|()| format!("{base}?done=withdraw")),
        "revise" => app
            .revise(&visitor.caller, complex_id, id)
            .await
            .map(|_| format!("{base}/edit")),
        code => {
            let decision = match code {
                "approve_as_deputy" => Some(Decision::Approve),
                other => Decision::from_code(other),
            };
            match decision {
                None => Err(unknown_action(code)),
                Some(decision) => app
                    .act(
                        &visitor.caller,
                        complex_id,
                        id,
                        ActInput {
                            decision,
                            comment: Some(comment.clone()).filter(|c| !c.trim().is_empty()),
                            position: None,
                            expected_sha256: form
                                .get("content_sha256")
                                .filter(|s| !s.is_empty())
                                .map(str::to_owned),
                        },
                    )
                    .await
                    .map(|_| format!("{base}?done={code}")),
            }
        }
    };
    match result {
        Ok(target) => Ok(Redirect::to(&target).into_response()),
        Err(e) if e.kind != ErrorKind::Internal => {
            // Show the document again with the reason and what was typed.
            let status = status_of(e.kind, e.code);
            let page = load_page(
                &app,
                &member,
                nav,
                &complex,
                &document,
                Feedback {
                    comment,
                    error: Some(e.message_ko.clone()),
                    notice: None,
                },
            )
            .await
            .map_err(|_| PageError::from(e))?;
            html_status(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET …/versions/{version}/attachments/{ordinal}`: the file, always as a download.
pub(super) async fn download(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, document, version, ordinal)): Path<(String, String, i64, i64)>,
) -> PageResult<Response> {
    let (meta, bytes) =
        attachment_of(&app, &visitor, &complex, &document, version, ordinal).await?;
    Ok(attachment::download(&meta, bytes))
}

/// An attachment's metadata and bytes, as the member who asks may see them (404 otherwise).
async fn attachment_of(
    app: &App,
    visitor: &Visitor,
    complex: &str,
    document: &str,
    version: i64,
    ordinal: i64,
) -> PageResult<(AttachmentView, Vec<u8>)> {
    let (member, _) = enter(app, visitor, complex).await?;
    Ok(app
        .attachment(&member, document_id(document)?, version, ordinal)
        .await?)
}

/// `GET …/attachments/{ordinal}/preview`: an image or PDF inline for the document page, anything
/// else as a download. Whoever may not see the document gets the same 404 as for the document.
pub(super) async fn preview(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, document, version, ordinal)): Path<(String, String, i64, i64)>,
) -> PageResult<Response> {
    let (meta, bytes) =
        attachment_of(&app, &visitor, &complex, &document, version, ordinal).await?;
    Ok(attachment::preview(&meta, bytes))
}
