//! 관리 · 기본 결재선: the complex's administrators change a kind's default approval line (its
//! steps 검토 · 협조 · 결재 · 참조 by role, parallel groups by a shared order number, which roles may
//! hold the 결재 step, whether drafters may change it) or go back to the standard catalogue's line.
//! Each change is a new version of the kind through the app's `override_line` and
//! `restore_standard_line`; documents already drafted keep their version. A refused line comes
//! back as it was typed, with the reason in Korean.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use malgeun_app::standards::standard_catalogue;
use malgeun_app::{App, AppError, ErrorKind, Member};
use malgeun_domain::approval::StepKind;
use malgeun_domain::catalogue::{KindDefinition, LineTemplate, StepTemplate};
use malgeun_domain::role::{Role, STANDARD_ROLES};
use serde::Deserialize;

use super::draft::{STEP_KINDS, group_steps, invalid_line, kind_of};
use super::form::PostedForm;
use super::views::{Check, KindLinePage, Layout, Nav, Opt, RoleLineRow};
use super::{PageQuery, PageResult, Visitor, enter, html, html_status};
use crate::error::status_of;

/// Blank rows offered below the line's rows.
const SPARE_ROWS: usize = 3;

#[derive(Deserialize, Default)]
pub(super) struct KindLineQuery {
    done: Option<String>,
}

/// The Korean title of a role (a complex's own role shows its code).
pub(super) fn role_title(code: &str) -> String {
    STANDARD_ROLES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, t, _)| (*t).to_owned())
}

/// A line as one line of text: `검토 시설과장 → 협조 감사·회장 → 결재 관리사무소장`.
pub(super) fn line_text(line: &LineTemplate) -> String {
    line.steps
        .iter()
        .map(|s| {
            let roles: Vec<String> = s.roles.iter().map(|r| role_title(r.as_str())).collect();
            format!("{} {}", s.kind.label_ko(), roles.join("·"))
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// One typed row of the editor: order, step kind code, role code.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct RoleEntry {
    order: String,
    kind: String,
    role: String,
}

/// What the editor shows: the line's rows, the 결재 roles and the drafters' freedom.
#[derive(Clone, Debug, Default)]
pub(super) struct LineForm {
    rows: Vec<RoleEntry>,
    final_roles: Vec<String>,
    editable: bool,
}

impl LineForm {
    /// The form of a stored line: one row per role, parallel roles sharing their step's order.
    pub(super) fn of(line: &LineTemplate) -> Self {
        Self {
            rows: line
                .steps
                .iter()
                .enumerate()
                .flat_map(|(i, s)| {
                    s.roles.iter().map(move |r| RoleEntry {
                        order: (i + 1).to_string(),
                        kind: s.kind.code().to_owned(),
                        role: r.as_str().to_owned(),
                    })
                })
                .collect(),
            final_roles: line
                .final_roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            editable: line.editable,
        }
    }

    /// The form as posted; rows without a kind or a role are left out.
    pub(super) fn posted(form: &PostedForm) -> Self {
        let mut rows: std::collections::BTreeMap<usize, RoleEntry> =
            std::collections::BTreeMap::new();
        for (rest, v) in form.with_prefix("line.") {
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
                "role" => e.role = v.to_owned(),
                _ => {}
            }
        }
        Self {
            rows: rows
                .into_values()
                .filter(|e| !e.kind.is_empty() && !e.role.is_empty())
                .collect(),
            final_roles: form
                .values
                .iter()
                .filter(|(k, v)| k == "final_role" && !v.is_empty())
                .map(|(_, v)| v.clone())
                .collect(),
            editable: form.get("editable").is_some(),
        }
    }

    /// The line template the form describes, or why it is not one.
    pub(super) fn template(&self) -> Result<LineTemplate, AppError> {
        let role = |code: &str| {
            Role::parse(code).ok_or_else(|| {
                invalid_line(
                    "결재선의 역할이 올바르지 않습니다.",
                    "a role code is malformed",
                )
            })
        };
        let rows = self
            .rows
            .iter()
            .map(|e| Ok((e.order.as_str(), e.kind.as_str(), role(&e.role)?)))
            .collect::<Result<Vec<_>, AppError>>()?;
        let steps = group_steps(rows)?
            .into_iter()
            .map(|(kind, roles)| StepTemplate { kind, roles })
            .collect();
        Ok(LineTemplate {
            editable: self.editable,
            final_roles: self
                .final_roles
                .iter()
                .map(|r| role(r))
                .collect::<Result<_, _>>()?,
            steps,
        })
    }
}

/// The roles the editor offers: the standard ones, then the complex's own (from its positions and
/// the line), each with the positions that hold it here, since a role is filled by them.
async fn role_choices(
    app: &App,
    member: &Member,
    form: &LineForm,
) -> PageResult<Vec<(String, String)>> {
    let positions = app.positions(member).await?;
    let mut codes: Vec<String> = STANDARD_ROLES
        .iter()
        .map(|(c, _, _)| (*c).to_owned())
        .collect();
    let extra = positions
        .iter()
        .filter(|p| p.active)
        .map(|p| p.role.as_str().to_owned())
        .chain(form.rows.iter().map(|r| r.role.clone()))
        .chain(form.final_roles.iter().cloned());
    for code in extra {
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes
        .into_iter()
        .map(|code| {
            let held: Vec<String> = positions
                .iter()
                .filter(|p| p.active && p.role.as_str() == code)
                .map(|p| match &p.holder_name {
                    Some(n) => format!("{} {n}", p.title),
                    None => format!("{} (공석)", p.title),
                })
                .collect();
            let label = if held.is_empty() {
                format!("{} — 이 단지에 직위 없음", role_title(&code))
            } else {
                format!("{} — {}", role_title(&code), held.join(", "))
            };
            (code, label)
        })
        .collect())
}

fn done_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "기본 결재선을 저장했습니다. 지금부터 새로 기안하는 문서에 적용됩니다.",
        "restored" => "표준 결재선으로 되돌렸습니다. 지금부터 새로 기안하는 문서에 적용됩니다.",
        _ => return None,
    })
}

/// The editor page for `kind` with `form` in it.
async fn editor(
    app: &App,
    member: &Member,
    nav: Nav,
    kind: &KindDefinition,
    form: &LineForm,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult<KindLinePage> {
    let complex = nav.complex_id.clone();
    let roles = role_choices(app, member, form).await?;
    let standard = standard_catalogue().get(kind.code().as_str());
    let rows = form
        .rows
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(RoleEntry::default(), SPARE_ROWS))
        .enumerate()
        .map(|(index, e)| RoleLineRow {
            index,
            order: e.order.clone(),
            kinds: std::iter::once(Opt::new("", "(빼기)", &e.kind))
                .chain(
                    STEP_KINDS
                        .iter()
                        .map(|k: &StepKind| Opt::new(k.code(), k.label_ko(), &e.kind)),
                )
                .collect(),
            roles: std::iter::once(Opt::new("", "(역할 선택)", &e.role))
                .chain(
                    roles
                        .iter()
                        .map(|(code, label)| Opt::new(code.clone(), label.clone(), &e.role)),
                )
                .collect(),
        })
        .collect();
    Ok(KindLinePage {
        layout: Layout::with(&format!("{} 기본 결재선", kind.name()), nav, "admin"),
        action: format!("/c/{complex}/admin/kinds/{}", kind.code().as_str()),
        admin_url: format!("/c/{complex}/admin"),
        kind_name: kind.name().to_owned(),
        version: kind.version(),
        current: line_text(kind.line()),
        standard: standard.map(|s| line_text(s.line())),
        overridden: standard.is_some_and(|s| s.line() != kind.line()),
        rows,
        final_roles: roles
            .iter()
            .map(|(code, _)| Check {
                value: code.clone(),
                label: role_title(code),
                checked: form.final_roles.contains(code),
            })
            .collect(),
        editable: form.editable,
        notice,
        error,
    })
}

/// `GET /c/{complex}/admin/kinds/{kind}`.
pub(super) async fn page(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, code)): Path<(String, String)>,
    PageQuery(q): PageQuery<KindLineQuery>,
) -> PageResult<Response> {
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    member.require_admin()?;
    let kind = kind_of(&app, &member, &code).await?;
    let notice = q.done.as_deref().and_then(done_notice).map(str::to_owned);
    let form = LineForm::of(kind.line());
    html(&editor(&app, &member, nav, &kind, &form, notice, None).await?)
}

/// `POST /c/{complex}/admin/kinds/{kind}`: `action=save` sets the line typed, `action=restore`
/// goes back to the standard line.
pub(super) async fn save(
    State(app): State<App>,
    visitor: Visitor,
    Path((complex, code)): Path<(String, String)>,
    posted: PostedForm,
) -> PageResult<Response> {
    visitor.check_csrf(posted.get("csrf"))?;
    let (member, nav) = enter(&app, &visitor, &complex).await?;
    member.require_admin()?;
    let kind = kind_of(&app, &member, &code).await?;
    let restore = posted.get("action") == Some("restore");
    let typed = LineForm::posted(&posted);
    let result = if restore {
        app.restore_standard_line(&member, &code).await
    } else {
        match typed.template() {
            Ok(line) => app.override_line(&member, &code, line).await,
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(_) => {
            let done = if restore { "restored" } else { "saved" };
            Ok(
                Redirect::to(&format!("/c/{complex}/admin/kinds/{code}?done={done}"))
                    .into_response(),
            )
        }
        Err(e) if e.kind != ErrorKind::Internal => {
            let status = match status_of(e.kind, e.code) {
                StatusCode::OK => StatusCode::UNPROCESSABLE_ENTITY,
                s => s,
            };
            // A refused line comes back as typed; a refused restore shows the stored line.
            let form = if restore {
                LineForm::of(kind.line())
            } else {
                typed
            };
            let page = editor(&app, &member, nav, &kind, &form, None, Some(e.message_ko)).await?;
            html_status(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(values: &[(&str, &str)]) -> PostedForm {
        PostedForm {
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            files: Vec::new(),
        }
    }

    #[test]
    fn a_posted_line_groups_parallel_roles_and_keeps_the_final_roles() {
        let form = LineForm::posted(&posted(&[
            ("line.0.order", "2"),
            ("line.0.kind", "final"),
            ("line.0.role", "manager"),
            ("line.1.order", "1"),
            ("line.1.kind", "agreement"),
            ("line.1.role", "auditor"),
            ("line.2.order", "1"),
            ("line.2.kind", "agreement"),
            ("line.2.role", "chair"),
            ("line.3.order", ""),
            ("line.3.kind", ""),
            ("line.3.role", "clerk"),
            ("final_role", "manager"),
            ("editable", "1"),
        ]));
        assert_eq!(form.rows.len(), 3, "the row without a kind is left out");
        let line = form.template().unwrap();
        assert!(line.editable);
        assert_eq!(line.steps.len(), 2);
        assert_eq!(line.steps[0].kind, StepKind::Agreement);
        assert_eq!(
            line.steps[0]
                .roles
                .iter()
                .map(Role::as_str)
                .collect::<Vec<_>>(),
            ["auditor", "chair"]
        );
        assert_eq!(line.steps[1].kind, StepKind::Final);
        assert_eq!(line.final_roles, [Role::parse("manager").unwrap()]);
        assert_eq!(
            line_text(&line),
            "협조 감사·입주자대표회의 회장 → 결재 관리사무소장"
        );
    }

    #[test]
    fn a_stored_line_round_trips_through_the_form() {
        let kind = KindDefinition::from_toml(include_str!(
            "../../../../standards/kr-apartment/expense-resolution.toml"
        ))
        .unwrap();
        let form = LineForm::of(kind.line());
        assert_eq!(&form.template().unwrap(), kind.line());
    }

    #[test]
    fn malformed_roles_and_orders_are_refused() {
        let bad_role = LineForm::posted(&posted(&[
            ("line.0.kind", "final"),
            ("line.0.role", "Not A Role"),
        ]));
        assert_eq!(bad_role.template().unwrap_err().code, "invalid_line");
        let bad_order = LineForm::posted(&posted(&[
            ("line.0.order", "첫째"),
            ("line.0.kind", "final"),
            ("line.0.role", "manager"),
        ]));
        assert!(
            bad_order
                .template()
                .unwrap_err()
                .message_ko
                .contains("숫자")
        );
    }
}
