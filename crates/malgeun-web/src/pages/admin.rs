//! 관리: the complex's positions with their holders and deputies, handing a position to a successor
//! (인수인계: the position's pending work stays with the position, so it moves to the new holder),
//! setting a deputy (대결자), adding a position, and the catalogue's approval lines with a link to
//! each kind's line editor (`kind_line`). Only the complex's administrators see it; the use cases
//! check that again.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use malgeun_app::org::NewPosition;
use malgeun_app::standards::standard_catalogue;
use malgeun_app::{App, AppError, ErrorKind, Member};
use malgeun_domain::PositionId;
use malgeun_domain::role::STANDARD_ROLES;
use serde::Deserialize;

use super::form::PostedForm;
use super::kind_line::{line_text, role_title};
use super::views::{AdminPage, KindLineShow, Layout, Nav, Opt, PositionRowShow};
use super::{PageQuery, PageResult, Visitor, enter, html, html_status};
use crate::error::status_of;

#[derive(Deserialize, Default)]
pub(super) struct AdminQuery {
    done: Option<String>,
}

async fn admin_page(
    app: &App,
    member: &Member,
    nav: Nav,
    complex: &str,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult<AdminPage> {
    member.require_admin()?;
    let base = format!("/c/{complex}/admin");
    let positions = app.positions(member).await?;
    let rows = positions
        .iter()
        .filter(|p| p.active)
        .map(|p| {
            let current = p.deputy.map(|d| d.to_string()).unwrap_or_default();
            PositionRowShow {
                id: p.id.to_string(),
                title: p.title.clone(),
                role: role_title(p.role.as_str()),
                holder: p.holder_name.clone().unwrap_or_else(|| "(공석)".to_owned()),
                admin: p.is_admin,
                deputies: std::iter::once(Opt::new("", "(없음)", &current))
                    .chain(
                        positions
                            .iter()
                            .filter(|o| o.active && o.id != p.id)
                            .map(|o| Opt::new(o.id.to_string(), o.title.clone(), &current)),
                    )
                    .collect(),
            }
        })
        .collect();
    let kinds = app
        .list_kinds(member)
        .await?
        .iter()
        .map(|k| KindLineShow {
            href: format!("{base}/kinds/{}", k.code().as_str()),
            origin: match standard_catalogue().get(k.code().as_str()) {
                Some(s) if s.line() == k.line() => "표준",
                Some(_) => "단지 재정의",
                None => "단지 문서",
            }
            .to_owned(),
            name: k.name().to_owned(),
            category: k.category().to_owned(),
            line: line_text(k.line()),
            editable: k.line().editable,
            version: k.version(),
        })
        .collect();
    Ok(AdminPage {
        layout: Layout::with("관리", nav, "admin"),
        base,
        positions: rows,
        roles: STANDARD_ROLES
            .iter()
            .map(|(code, title, _)| Opt::new(*code, *title, ""))
            .collect(),
        kinds,
        notice,
        error,
    })
}

fn done_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "appoint" => "인수인계했습니다. 그 직위의 결재대기 문서도 새 담당자에게 넘어갔습니다.",
        "deputy" => "대결자를 저장했습니다.",
        "position" => "직위를 만들었습니다.",
        _ => return None,
    })
}

/// `GET /c/{complex}/admin`.
pub(super) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
    PageQuery(q): PageQuery<AdminQuery>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let notice = q.done.as_deref().and_then(done_notice).map(str::to_owned);
    html(&admin_page(&app, &member, nav, &complex, notice, None).await?)
}

fn bad_position() -> AppError {
    AppError::invalid(
        "invalid_position",
        "직위가 올바르지 않습니다.",
        "bad position id",
    )
}

fn position_of(text: &str) -> Result<PositionId, AppError> {
    text.parse().map_err(|_| bad_position())
}

/// `POST /c/{complex}/admin`: 인수인계, 대결자 or a new position, by the form's `action`.
pub(super) async fn act(
    State(app): State<App>,
    visitor: Visitor,
    Path(complex): Path<String>,
    form: PostedForm,
) -> PageResult<Response> {
    visitor.check_csrf(form.get("csrf"))?;
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    let action = form.text("action");
    let result: Result<&str, AppError> = async {
        member.require_admin()?;
        match action.as_str() {
            "appoint" => {
                let position = position_of(&form.text("position"))?;
                let login = form.text("login");
                let person = app.person_by_login(login.trim()).await?.ok_or_else(|| {
                    AppError::invalid(
                        "unknown_login",
                        format!("'{}' 아이디를 가진 사람이 없습니다.", login.trim()),
                        "no person has that login",
                    )
                })?;
                app.appoint(&member, position, person).await?;
                Ok("appoint")
            }
            "deputy" => {
                let position = position_of(&form.text("position"))?;
                let deputy = Some(form.text("deputy"))
                    .filter(|d| !d.is_empty())
                    .map(|d| position_of(&d))
                    .transpose()?;
                app.set_deputy(&member, position, deputy).await?;
                Ok("deputy")
            }
            "position" => {
                app.create_position(
                    &member,
                    NewPosition {
                        title: form.text("title"),
                        role: form.text("role"),
                        is_admin: form.get("is_admin").is_some(),
                    },
                )
                .await?;
                Ok("position")
            }
            other => Err(AppError::invalid(
                "unknown_action",
                format!("'{other}'은(는) 없는 관리 작업입니다."),
                format!("unknown admin action `{other}`"),
            )),
        }
    }
    .await;
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/c/{complex}/admin?done={done}")).into_response()),
        Err(e) if e.kind != ErrorKind::Internal && e.code != "admin_only" => {
            let status = status_of(e.kind, e.code);
            let page = admin_page(
                &app,
                &member,
                nav,
                &complex,
                None,
                Some(e.message_ko.clone()),
            )
            .await?;
            html_status(
                if status == StatusCode::OK {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    status
                },
                &page,
            )
        }
        Err(e) => Err(e.into()),
    }
}
