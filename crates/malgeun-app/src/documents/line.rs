//! Approval lines: resolving a kind's role template to a complex's positions, checking a
//! drafter's edited line, and the stored JSON form.

use malgeun_domain::PositionId;
use malgeun_domain::approval::{ApprovalLine, Step, StepKind};
use malgeun_domain::catalogue::{KindDefinition, StepTemplate};
use malgeun_domain::role::Role;
use serde_json::{Value, json};

use crate::error::AppError;
use crate::member::{Position, parse_id};

/// A step as a drafter gives it.
#[derive(Clone, Debug)]
pub struct StepInput {
    /// 검토, 협조, 결재 or 참조.
    pub kind: StepKind,
    /// The positions acting in it.
    pub positions: Vec<PositionId>,
}

fn role_title(role: &Role) -> String {
    role.standard_title()
        .map_or_else(|| role.to_string(), str::to_owned)
}

/// The kind's default line with its roles filled by the complex's active positions. The drafter's
/// own position is left out of review, agreement and reference steps (nobody reviews their own
/// draft), as are roles the complex does not have in an editable line; a step left empty by that
/// is dropped.
pub fn default_line(
    kind: &KindDefinition,
    positions: &[Position],
    drafter: PositionId,
) -> Result<ApprovalLine, AppError> {
    let mut steps = Vec::new();
    for t in &kind.line().steps {
        let mut members = Vec::new();
        for role in &t.roles {
            let holders: Vec<PositionId> = positions
                .iter()
                .filter(|p| p.active && &p.role == role)
                .map(|p| p.id)
                .collect();
            let Some(first) = holders.first() else {
                // A complex without, say, a 시설과장 simply has no such review: an editable line
                // may lose steps the drafter could drop anyway. A fixed line, or its 결재, may not.
                if kind.line().editable && t.kind != StepKind::Final {
                    continue;
                }
                return Err(AppError::invalid(
                    "line_role_unfilled",
                    format!(
                        "결재선의 '{}' 직위가 이 단지에 없습니다. 결재선을 직접 지정해 주세요.",
                        role_title(role)
                    ),
                    format!("no position of the complex has the role `{role}` the line needs"),
                ));
            };
            // A review or final step takes one position; a group takes everyone in the role.
            if matches!(t.kind, StepKind::Review | StepKind::Final) {
                members.push(*first);
            } else {
                members.extend(holders);
            }
        }
        if matches!(t.kind, StepKind::Review | StepKind::Final) {
            members.truncate(1);
        }
        if t.kind != StepKind::Final {
            members.retain(|m| *m != drafter);
            if members.is_empty() {
                continue;
            }
        }
        steps.push(Step {
            kind: t.kind,
            members,
        });
    }
    Ok(ApprovalLine::new(steps)?)
}

/// Checks a drafter's line against the kind's rules and the complex's positions.
pub fn custom_line(
    kind: &KindDefinition,
    positions: &[Position],
    input: &[StepInput],
) -> Result<ApprovalLine, AppError> {
    let mut templates = Vec::with_capacity(input.len());
    let mut steps = Vec::with_capacity(input.len());
    for s in input {
        let mut roles: Vec<Role> = Vec::new();
        for id in &s.positions {
            let p = positions
                .iter()
                .find(|p| p.id == *id && p.active)
                .ok_or_else(|| {
                    AppError::invalid(
                        "line_unknown_position",
                        "결재선에 이 단지에 없는 직위가 있습니다.",
                        "the line names a position that is not in this complex",
                    )
                })?;
            if !roles.contains(&p.role) {
                roles.push(p.role.clone());
            }
        }
        templates.push(StepTemplate {
            kind: s.kind,
            roles,
        });
        steps.push(Step {
            kind: s.kind,
            members: s.positions.clone(),
        });
    }
    let line = ApprovalLine::new(steps)?;
    kind.check_line(&templates)?;
    Ok(line)
}

/// The stored form of a line: `[{"kind":"review","positions":["…"]}, …]`.
pub fn line_to_json(line: &ApprovalLine) -> String {
    let steps: Vec<Value> = line
        .steps()
        .iter()
        .map(|s| {
            json!({
                "kind": s.kind.code(),
                "positions": s.members.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(steps).to_string()
}

/// Reads a stored line back.
pub fn line_from_json(text: &str) -> Result<ApprovalLine, AppError> {
    let bad = |what: &str| AppError::internal(format!("stored line: {what}"));
    let value: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let mut steps = Vec::new();
    for s in value.as_array().ok_or_else(|| bad("not an array"))? {
        let kind: StepKind = s["kind"]
            .as_str()
            .ok_or_else(|| bad("kind"))?
            .parse()
            .map_err(|e: String| bad(&e))?;
        let members = s["positions"]
            .as_array()
            .ok_or_else(|| bad("positions"))?
            .iter()
            .map(|p| parse_id(p.as_str().unwrap_or_default()))
            .collect::<Result<Vec<PositionId>, _>>()?;
        steps.push(Step { kind, members });
    }
    ApprovalLine::new(steps).map_err(|e| bad(&e.to_string()))
}
