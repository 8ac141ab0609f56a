//! The approval line (결재선) and its state machine: 검토, 협조/합의, 결재, 참조 and the actions on them.

use std::fmt;
use std::str::FromStr;

/// The kind of a step in an approval line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// 검토: review; one position; approves or rejects.
    Review,
    /// 협조/합의: agreement; one or more positions acting in parallel; any may reject.
    Agreement,
    /// 결재: the final approval that brings the document into being.
    Final,
    /// 참조/공람: informed only, never acts and never blocks.
    Reference,
}

impl StepKind {
    /// Stable code used in catalogue files, storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Agreement => "agreement",
            Self::Final => "final",
            Self::Reference => "reference",
        }
    }

    /// Korean label as printed in a 결재란.
    pub fn label_ko(self) -> &'static str {
        match self {
            Self::Review => "검토",
            Self::Agreement => "협조",
            Self::Final => "결재",
            Self::Reference => "참조",
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for StepKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "review" => Ok(Self::Review),
            "agreement" => Ok(Self::Agreement),
            "final" => Ok(Self::Final),
            "reference" => Ok(Self::Reference),
            _ => Err(format!("unknown step kind `{s}`")),
        }
    }
}

use crate::PositionId;
use crate::error::WorkflowError;

/// One step of a line: its kind and the positions that act in it (several only for 협조/합의).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// What the step is.
    pub kind: StepKind,
    /// Who acts (or is informed) in it.
    pub members: Vec<PositionId>,
}

/// A validated approval line: exactly one 결재 step, which is the last acting step; review and final
/// steps have one member; no position acts twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalLine {
    steps: Vec<Step>,
}

impl ApprovalLine {
    /// Checks the shape of a line. Role rules (who may be final, what the kind allows) are the
    /// catalogue's; this checks only what every line must satisfy.
    pub fn new(steps: Vec<Step>) -> Result<Self, WorkflowError> {
        let finals = steps.iter().filter(|s| s.kind == StepKind::Final).count();
        if finals != 1 {
            return Err(WorkflowError::LineNeedsOneFinal);
        }
        let last_acting = steps
            .iter()
            .rev()
            .find(|s| s.kind != StepKind::Reference)
            .map(|s| s.kind);
        if last_acting != Some(StepKind::Final) {
            return Err(WorkflowError::FinalNotLast);
        }
        let mut seen = Vec::new();
        for step in &steps {
            let single = matches!(step.kind, StepKind::Review | StepKind::Final);
            if step.members.is_empty() || (single && step.members.len() != 1) {
                return Err(WorkflowError::BadStepMembers(step.kind));
            }
            for m in &step.members {
                if seen.contains(m) {
                    return Err(WorkflowError::DuplicateMember);
                }
                seen.push(*m);
            }
        }
        Ok(Self { steps })
    }

    /// The steps in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether the position appears anywhere in the line (acting or informed).
    pub fn includes(&self, position: PositionId) -> bool {
        self.steps.iter().any(|s| s.members.contains(&position))
    }

    fn acting_after(&self, index: Option<usize>) -> Option<usize> {
        let start = index.map_or(0, |i| i + 1);
        (start..self.steps.len()).find(|&i| self.steps[i].kind != StepKind::Reference)
    }

    fn acting_before(&self, index: usize) -> Option<usize> {
        (0..index)
            .rev()
            .find(|&i| self.steps[i].kind != StepKind::Reference)
    }
}

/// What an approver decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// 승인.
    Approve,
    /// 전결: approve as final under delegation, ending the line (the caller has checked the kind allows it).
    DelegatedFinal,
    /// 반려: back to the drafter, or to the previous acting step (전단계 반려).
    Reject {
        /// 전단계 반려 instead of returning to the drafter.
        to_previous: bool,
    },
    /// 보류: the document waits on this approver.
    Hold,
    /// 후결: the absent approver confirms what their deputy approved.
    PostConfirm,
}

impl Decision {
    /// Stable code for storage and ledger lines.
    pub fn code(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::DelegatedFinal => "delegated_final",
            Self::Reject { to_previous: false } => "reject",
            Self::Reject { to_previous: true } => "reject_to_previous",
            Self::Hold => "hold",
            Self::PostConfirm => "post_confirm",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "approve" => Self::Approve,
            "delegated_final" => Self::DelegatedFinal,
            "reject" => Self::Reject { to_previous: false },
            "reject_to_previous" => Self::Reject { to_previous: true },
            "hold" => Self::Hold,
            "post_confirm" => Self::PostConfirm,
            _ => return None,
        })
    }

    /// Korean label as stamped in the 결재란.
    pub fn label_ko(self, proxy: bool) -> &'static str {
        match (self, proxy) {
            (Self::Approve, true) => "대결",
            (Self::Approve, false) => "승인",
            (Self::DelegatedFinal, _) => "전결",
            (Self::Reject { .. }, _) => "반려",
            (Self::Hold, _) => "보류",
            (Self::PostConfirm, _) => "후결",
        }
    }
}

/// One recorded act on the line: `position` is the line member acted for; `proxy` means a deputy
/// acted in that position's absence (대결).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Act {
    /// The line member the act is for.
    pub position: PositionId,
    /// Done by the member's deputy (대결).
    pub proxy: bool,
    /// What was decided.
    pub decision: Decision,
}

/// Where a member of the line stands in the current round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberState {
    /// Not yet acted (or not yet reached).
    Waiting,
    /// Approved; `proxy` when by a deputy, `delegated` when as 전결, `confirmed` after 후결.
    Approved {
        /// Approved by the deputy (대결).
        proxy: bool,
        /// Approved as 전결.
        delegated: bool,
        /// The absent approver has confirmed (후결).
        confirmed: bool,
    },
    /// Rejected this round.
    Rejected,
    /// Holding the document (보류).
    Held,
    /// Never reached because an earlier member approved as 전결.
    Skipped,
}

/// The phase of the current round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting on the acting step at this index.
    InProgress {
        /// Index into [`ApprovalLine::steps`].
        step: usize,
    },
    /// Held by a member of the step at this index; only that member may act next.
    OnHold {
        /// Index into [`ApprovalLine::steps`].
        step: usize,
        /// Who holds it.
        by: PositionId,
    },
    /// Returned to the drafter.
    Rejected,
    /// Finally approved: the document is to be registered.
    Completed,
}

/// What an act changed, so the caller knows whether to register or notify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The same step still waits on other members of a parallel group.
    Recorded,
    /// The line moved on to the acting step at this index.
    Advanced(usize),
    /// Final approval: register the document now.
    Completed,
    /// Returned to the drafter.
    Rejected,
    /// Returned one step back to the step at this index.
    ReturnedTo(usize),
    /// Put on hold.
    Held,
    /// A 후결 was recorded.
    Confirmed,
}

/// The state of one round of approval (from 상신 to completion or 반려), rebuilt by replaying acts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    line: ApprovalLine,
    phase: Phase,
    members: Vec<Vec<MemberState>>,
    /// Whether any act was accepted this round; a 전단계 반려 resets member states but not this.
    acted: bool,
}

impl Progress {
    /// A round just submitted (상신): waiting on the first acting step.
    pub fn start(line: ApprovalLine) -> Self {
        let members = line
            .steps
            .iter()
            .map(|s| vec![MemberState::Waiting; s.members.len()])
            .collect();
        let first = line.acting_after(None).unwrap_or(0);
        Self {
            line,
            phase: Phase::InProgress { step: first },
            members,
            acted: false,
        }
    }

    /// Rebuilds a round from its recorded acts, rejecting any act that was not allowed.
    pub fn replay(line: ApprovalLine, acts: &[Act]) -> Result<Self, WorkflowError> {
        let mut p = Self::start(line);
        for act in acts {
            p.apply(*act)?;
        }
        Ok(p)
    }

    /// The line of this round.
    pub fn line(&self) -> &ApprovalLine {
        &self.line
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Each member's state, step by step, parallel to the line's members.
    pub fn member_states(&self) -> &[Vec<MemberState>] {
        &self.members
    }

    /// Positions that must act now (결재대기): the waiting members of the current step, or the holder.
    pub fn waiting_on(&self) -> Vec<PositionId> {
        match self.phase {
            Phase::InProgress { step } => self.line.steps[step]
                .members
                .iter()
                .zip(&self.members[step])
                .filter(|(_, s)| **s == MemberState::Waiting)
                .map(|(p, _)| *p)
                .collect(),
            Phase::OnHold { by, .. } => vec![by],
            Phase::Rejected | Phase::Completed => Vec::new(),
        }
    }

    /// Deputy approvals still waiting for the absent approver's 후결.
    pub fn awaiting_post_confirmation(&self) -> Vec<PositionId> {
        self.line
            .steps
            .iter()
            .zip(&self.members)
            .flat_map(|(s, states)| s.members.iter().zip(states))
            .filter(|(_, st)| {
                matches!(
                    st,
                    MemberState::Approved {
                        proxy: true,
                        confirmed: false,
                        ..
                    }
                )
            })
            .map(|(p, _)| *p)
            .collect()
    }

    /// 회수 is allowed only while no approver has acted in this round: once someone has approved,
    /// rejected or held, the drafter can no longer pull the draft back silently.
    pub fn can_withdraw(&self) -> bool {
        matches!(self.phase, Phase::InProgress { .. }) && !self.acted
    }

    fn locate(&self, step: usize, position: PositionId) -> Option<usize> {
        self.line.steps[step]
            .members
            .iter()
            .position(|m| *m == position)
    }

    /// Applies one act, or explains why it is not allowed now; on error nothing changes.
    pub fn apply(&mut self, act: Act) -> Result<Outcome, WorkflowError> {
        let outcome = self.apply_inner(act)?;
        self.acted = true;
        Ok(outcome)
    }

    fn apply_inner(&mut self, act: Act) -> Result<Outcome, WorkflowError> {
        if act.decision == Decision::PostConfirm {
            return self.post_confirm(act.position, act.proxy);
        }
        let step = match self.phase {
            Phase::InProgress { step } => step,
            Phase::OnHold { step, by } => {
                if by != act.position {
                    return Err(WorkflowError::HeldByAnother);
                }
                step
            }
            Phase::Rejected => return Err(WorkflowError::NotInProgress),
            Phase::Completed => return Err(WorkflowError::AlreadyCompleted),
        };
        let Some(slot) = self.locate(step, act.position) else {
            return Err(self.why_not_now(act.position));
        };
        match self.members[step][slot] {
            MemberState::Waiting | MemberState::Held => {}
            _ => return Err(WorkflowError::AlreadyActed),
        }
        match act.decision {
            Decision::Approve => {
                self.members[step][slot] = MemberState::Approved {
                    proxy: act.proxy,
                    delegated: false,
                    confirmed: false,
                };
                if let Phase::OnHold { .. } = self.phase {
                    self.phase = Phase::InProgress { step };
                }
                let step_done = self.members[step]
                    .iter()
                    .all(|s| matches!(s, MemberState::Approved { .. }));
                if !step_done {
                    return Ok(Outcome::Recorded);
                }
                match self.line.acting_after(Some(step)) {
                    Some(next) => {
                        self.phase = Phase::InProgress { step: next };
                        Ok(Outcome::Advanced(next))
                    }
                    None => {
                        self.phase = Phase::Completed;
                        Ok(Outcome::Completed)
                    }
                }
            }
            Decision::DelegatedFinal => {
                self.members[step][slot] = MemberState::Approved {
                    proxy: act.proxy,
                    delegated: true,
                    confirmed: false,
                };
                for (i, states) in self.members.iter_mut().enumerate() {
                    for s in states.iter_mut() {
                        let acting = self.line.steps[i].kind != StepKind::Reference;
                        if acting && matches!(s, MemberState::Waiting | MemberState::Held) {
                            *s = MemberState::Skipped;
                        }
                    }
                }
                self.phase = Phase::Completed;
                Ok(Outcome::Completed)
            }
            Decision::Reject { to_previous } => {
                let previous = self.line.acting_before(step).filter(|_| to_previous);
                match previous {
                    Some(prev) => {
                        for i in prev..=step {
                            self.members[i].fill(MemberState::Waiting);
                        }
                        self.phase = Phase::InProgress { step: prev };
                        Ok(Outcome::ReturnedTo(prev))
                    }
                    None => {
                        self.members[step][slot] = MemberState::Rejected;
                        self.phase = Phase::Rejected;
                        Ok(Outcome::Rejected)
                    }
                }
            }
            Decision::Hold => {
                if self.members[step][slot] == MemberState::Held {
                    return Err(WorkflowError::AlreadyActed);
                }
                self.members[step][slot] = MemberState::Held;
                self.phase = Phase::OnHold {
                    step,
                    by: act.position,
                };
                Ok(Outcome::Held)
            }
            Decision::PostConfirm => unreachable!("handled above"),
        }
    }

    /// Why a position that is not in the current step cannot act: it already acted in an earlier
    /// step, it is not its turn yet (or it is only informed), or it is not on the line at all.
    fn why_not_now(&self, position: PositionId) -> WorkflowError {
        for (i, step) in self.line.steps.iter().enumerate() {
            if let Some(slot) = step.members.iter().position(|m| *m == position) {
                return match self.members[i][slot] {
                    MemberState::Approved { .. } | MemberState::Rejected | MemberState::Held => {
                        WorkflowError::AlreadyActed
                    }
                    MemberState::Waiting | MemberState::Skipped => WorkflowError::NotYourTurn,
                };
            }
        }
        WorkflowError::NotOnLine
    }

    fn post_confirm(
        &mut self,
        position: PositionId,
        proxy: bool,
    ) -> Result<Outcome, WorkflowError> {
        if proxy {
            // 후결 is the absent approver's own confirmation; a deputy cannot confirm for them.
            return Err(WorkflowError::PostConfirmNeedsOwner);
        }
        for (i, step) in self.line.steps.iter().enumerate() {
            if let Some(slot) = step.members.iter().position(|m| *m == position) {
                return match &mut self.members[i][slot] {
                    MemberState::Approved {
                        proxy: true,
                        confirmed,
                        ..
                    } if !*confirmed => {
                        *confirmed = true;
                        Ok(Outcome::Confirmed)
                    }
                    _ => Err(WorkflowError::NothingToConfirm),
                };
            }
        }
        Err(WorkflowError::NotOnLine)
    }
}
