//! The approval line (결재선) state machine: example tests for the Korean approval conventions and
//! property tests over random lines and random act sequences.

use malgeun_domain::PositionId;
use malgeun_domain::WorkflowError;
use malgeun_domain::approval::{
    Act, ApprovalLine, Decision, MemberState, Outcome, Phase, Progress, Step, StepKind,
};
use proptest::prelude::*;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn pos(n: u128) -> PositionId {
    PositionId::from_uuid(Uuid::from_u128(n))
}

fn step(kind: StepKind, members: &[u128]) -> Step {
    Step {
        kind,
        members: members.iter().copied().map(pos).collect(),
    }
}

fn line(steps: Vec<Step>) -> ApprovalLine {
    ApprovalLine::new(steps).expect("the line is valid")
}

fn own(n: u128, decision: Decision) -> Act {
    Act {
        position: pos(n),
        proxy: false,
        decision,
    }
}

fn deputy(n: u128, decision: Decision) -> Act {
    Act {
        position: pos(n),
        proxy: true,
        decision,
    }
}

const APPROVE: Decision = Decision::Approve;
const REJECT: Decision = Decision::Reject { to_previous: false };
const REJECT_PREV: Decision = Decision::Reject { to_previous: true };
const HOLD: Decision = Decision::Hold;
const DELEGATED: Decision = Decision::DelegatedFinal;
const POST_CONFIRM: Decision = Decision::PostConfirm;

const W: MemberState = MemberState::Waiting;
const A: MemberState = MemberState::Approved {
    proxy: false,
    delegated: false,
    confirmed: false,
};
const SKIP: MemberState = MemberState::Skipped;

const REVIEWER: u128 = 1;
const AGREE_1: u128 = 2;
const AGREE_2: u128 = 3;
const FINAL: u128 = 4;
const REF_1: u128 = 5;
const REF_2: u128 = 6;
const STRANGER: u128 = 99;

/// 검토(1) → 협조(2, 3) → 결재(4) → 참조(5, 6): the everyday line.
fn standard_line() -> ApprovalLine {
    line(vec![
        step(StepKind::Review, &[REVIEWER]),
        step(StepKind::Agreement, &[AGREE_1, AGREE_2]),
        step(StepKind::Final, &[FINAL]),
        step(StepKind::Reference, &[REF_1, REF_2]),
    ])
}

fn standard() -> Progress {
    Progress::start(standard_line())
}

fn ok(p: &mut Progress, act: Act) -> Outcome {
    p.apply(act)
        .unwrap_or_else(|e| panic!("{act:?} should be allowed in {:?}: {e}", p.phase()))
}

/// Applies an act that must fail, checks the error and that nothing changed.
fn refused(p: &mut Progress, act: Act, expected: WorkflowError) {
    let before = p.clone();
    assert_eq!(
        p.apply(act),
        Err(expected),
        "{act:?} in {:?}",
        before.phase()
    );
    assert_eq!(*p, before, "a refused act must not change the progress");
}

fn positions(ns: &[u128]) -> Vec<PositionId> {
    ns.iter().copied().map(pos).collect()
}

/// The standard line with the review and both agreements approved: waiting on 결재.
fn standard_at_final() -> Progress {
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    ok(&mut p, own(AGREE_1, APPROVE));
    ok(&mut p, own(AGREE_2, APPROVE));
    assert_eq!(p.phase(), Phase::InProgress { step: 2 });
    p
}

// ---------------------------------------------------------------------------------------------
// The normal flow: 검토 → 협조 → 결재
// ---------------------------------------------------------------------------------------------

#[test]
fn review_then_parallel_agreement_then_final_completes() {
    let mut p = standard();
    assert_eq!(p.phase(), Phase::InProgress { step: 0 });
    assert_eq!(p.waiting_on(), positions(&[REVIEWER]));

    assert_eq!(ok(&mut p, own(REVIEWER, APPROVE)), Outcome::Advanced(1));
    assert_eq!(p.phase(), Phase::InProgress { step: 1 });
    assert_eq!(p.waiting_on(), positions(&[AGREE_1, AGREE_2]));

    // Both agreement members must approve; the first approval only records.
    assert_eq!(ok(&mut p, own(AGREE_2, APPROVE)), Outcome::Recorded);
    assert_eq!(p.phase(), Phase::InProgress { step: 1 });
    assert_eq!(p.waiting_on(), positions(&[AGREE_1]));

    assert_eq!(ok(&mut p, own(AGREE_1, APPROVE)), Outcome::Advanced(2));
    assert_eq!(p.phase(), Phase::InProgress { step: 2 });
    assert_eq!(p.waiting_on(), positions(&[FINAL]));

    assert_eq!(ok(&mut p, own(FINAL, APPROVE)), Outcome::Completed);
    assert_eq!(p.phase(), Phase::Completed);
    assert!(p.waiting_on().is_empty());
    assert_eq!(
        p.member_states(),
        &[vec![A], vec![A, A], vec![A], vec![W, W]][..],
        "reference members stay untouched"
    );
    assert!(p.awaiting_post_confirmation().is_empty());
}

#[test]
fn agreement_members_may_approve_in_either_order() {
    for (first, second) in [(AGREE_1, AGREE_2), (AGREE_2, AGREE_1)] {
        let mut p = standard();
        ok(&mut p, own(REVIEWER, APPROVE));
        assert_eq!(ok(&mut p, own(first, APPROVE)), Outcome::Recorded);
        assert_eq!(p.waiting_on(), positions(&[second]));
        assert_eq!(ok(&mut p, own(second, APPROVE)), Outcome::Advanced(2));
    }
}

#[test]
fn any_agreement_member_may_reject_even_after_the_other_approved() {
    // The second member rejects after the first approved.
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    ok(&mut p, own(AGREE_1, APPROVE));
    assert_eq!(ok(&mut p, own(AGREE_2, REJECT)), Outcome::Rejected);
    assert_eq!(p.phase(), Phase::Rejected);
    assert_eq!(
        p.member_states(),
        &[vec![A], vec![A, MemberState::Rejected], vec![W], vec![W, W]][..]
    );
    assert!(p.waiting_on().is_empty());

    // The first member rejects before the other acted.
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    assert_eq!(ok(&mut p, own(AGREE_1, REJECT)), Outcome::Rejected);
    assert_eq!(p.phase(), Phase::Rejected);
    refused(&mut p, own(AGREE_2, APPROVE), WorkflowError::NotInProgress);
}

#[test]
fn single_step_line_of_only_a_final() {
    let mut p = Progress::start(line(vec![step(StepKind::Final, &[FINAL])]));
    assert_eq!(p.phase(), Phase::InProgress { step: 0 });
    assert_eq!(p.waiting_on(), positions(&[FINAL]));
    assert_eq!(ok(&mut p, own(FINAL, APPROVE)), Outcome::Completed);
    assert_eq!(p.phase(), Phase::Completed);
}

// ---------------------------------------------------------------------------------------------
// 반려 and 전단계 반려
// ---------------------------------------------------------------------------------------------

#[test]
fn reject_returns_to_the_drafter() {
    for (setup, rejecter) in [(0, REVIEWER), (3, FINAL)] {
        let mut p = if setup == 0 {
            standard()
        } else {
            standard_at_final()
        };
        assert_eq!(ok(&mut p, own(rejecter, REJECT)), Outcome::Rejected);
        assert_eq!(p.phase(), Phase::Rejected);
        assert!(p.waiting_on().is_empty());
        assert!(!p.can_withdraw());
    }
}

#[test]
fn reject_to_previous_returns_to_the_previous_acting_step_and_resets_its_approvals() {
    let mut p = standard_at_final();
    assert_eq!(ok(&mut p, own(FINAL, REJECT_PREV)), Outcome::ReturnedTo(1));
    assert_eq!(p.phase(), Phase::InProgress { step: 1 });
    assert_eq!(p.waiting_on(), positions(&[AGREE_1, AGREE_2]));
    assert_eq!(
        p.member_states(),
        &[vec![A], vec![W, W], vec![W], vec![W, W]][..],
        "the agreement approvals are reset, the review approval is kept"
    );

    // The round goes on from there.
    assert_eq!(ok(&mut p, own(AGREE_1, APPROVE)), Outcome::Recorded);
    assert_eq!(ok(&mut p, own(AGREE_2, APPROVE)), Outcome::Advanced(2));
    assert_eq!(ok(&mut p, own(FINAL, APPROVE)), Outcome::Completed);
}

#[test]
fn reject_to_previous_from_an_agreement_member_resets_the_other_members_approval() {
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    ok(&mut p, own(AGREE_1, APPROVE));
    assert_eq!(
        ok(&mut p, own(AGREE_2, REJECT_PREV)),
        Outcome::ReturnedTo(0)
    );
    assert_eq!(p.phase(), Phase::InProgress { step: 0 });
    assert_eq!(p.waiting_on(), positions(&[REVIEWER]));
    assert_eq!(
        p.member_states(),
        &[vec![W], vec![W, W], vec![W], vec![W, W]][..]
    );
    // Both agreement members must approve again.
    ok(&mut p, own(REVIEWER, APPROVE));
    assert_eq!(p.waiting_on(), positions(&[AGREE_1, AGREE_2]));
}

#[test]
fn reject_to_previous_skips_reference_steps() {
    let mut p = Progress::start(line(vec![
        step(StepKind::Review, &[REVIEWER]),
        step(StepKind::Reference, &[REF_1]),
        step(StepKind::Final, &[FINAL]),
    ]));
    assert_eq!(ok(&mut p, own(REVIEWER, APPROVE)), Outcome::Advanced(2));
    assert_eq!(ok(&mut p, own(FINAL, REJECT_PREV)), Outcome::ReturnedTo(0));
    assert_eq!(p.phase(), Phase::InProgress { step: 0 });
    assert_eq!(p.waiting_on(), positions(&[REVIEWER]));
}

#[test]
fn reject_to_previous_from_the_first_acting_step_goes_to_the_drafter() {
    let mut p = standard();
    assert_eq!(ok(&mut p, own(REVIEWER, REJECT_PREV)), Outcome::Rejected);
    assert_eq!(p.phase(), Phase::Rejected);
    assert_eq!(p.member_states()[0], vec![MemberState::Rejected]);

    // Also when reference steps come before the first acting step.
    let mut p = Progress::start(line(vec![
        step(StepKind::Reference, &[REF_1]),
        step(StepKind::Final, &[FINAL]),
    ]));
    assert_eq!(ok(&mut p, own(FINAL, REJECT_PREV)), Outcome::Rejected);
    assert_eq!(p.phase(), Phase::Rejected);
}

// ---------------------------------------------------------------------------------------------
// 보류
// ---------------------------------------------------------------------------------------------

#[test]
fn hold_lets_only_the_holder_act_and_approve_after_hold_continues() {
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    assert_eq!(ok(&mut p, own(AGREE_1, HOLD)), Outcome::Held);
    assert_eq!(
        p.phase(),
        Phase::OnHold {
            step: 1,
            by: pos(AGREE_1)
        }
    );
    assert_eq!(p.waiting_on(), positions(&[AGREE_1]));
    assert_eq!(p.member_states()[1], vec![MemberState::Held, W]);

    // Nobody else may act, not even the other member of the same parallel step.
    for other in [AGREE_2, REVIEWER, FINAL, REF_1, STRANGER] {
        for decision in [APPROVE, REJECT, REJECT_PREV, HOLD, DELEGATED] {
            refused(&mut p, own(other, decision), WorkflowError::HeldByAnother);
        }
    }
    // Holding twice is acting twice.
    refused(&mut p, own(AGREE_1, HOLD), WorkflowError::AlreadyActed);

    // The holder approves: the step goes on waiting for the other member.
    assert_eq!(ok(&mut p, own(AGREE_1, APPROVE)), Outcome::Recorded);
    assert_eq!(p.phase(), Phase::InProgress { step: 1 });
    assert_eq!(p.waiting_on(), positions(&[AGREE_2]));
    assert_eq!(ok(&mut p, own(AGREE_2, APPROVE)), Outcome::Advanced(2));
    assert_eq!(ok(&mut p, own(FINAL, APPROVE)), Outcome::Completed);
}

#[test]
fn hold_on_a_single_step_then_approve_advances() {
    let mut p = standard();
    assert_eq!(ok(&mut p, own(REVIEWER, HOLD)), Outcome::Held);
    assert!(!p.can_withdraw());
    assert_eq!(ok(&mut p, own(REVIEWER, APPROVE)), Outcome::Advanced(1));
    assert_eq!(p.phase(), Phase::InProgress { step: 1 });
}

#[test]
fn the_holder_may_reject_from_hold() {
    let mut p = standard_at_final();
    ok(&mut p, own(FINAL, HOLD));
    assert_eq!(ok(&mut p, own(FINAL, REJECT)), Outcome::Rejected);
    assert_eq!(p.phase(), Phase::Rejected);

    let mut p = standard_at_final();
    ok(&mut p, own(FINAL, HOLD));
    assert_eq!(ok(&mut p, own(FINAL, REJECT_PREV)), Outcome::ReturnedTo(1));
    assert_eq!(p.phase(), Phase::InProgress { step: 1 });
    assert_eq!(p.member_states()[2], vec![W], "the hold is cleared");
}

// ---------------------------------------------------------------------------------------------
// 전결
// ---------------------------------------------------------------------------------------------

#[test]
fn delegated_final_completes_and_skips_remaining_acting_members_but_not_references() {
    const SECOND_REVIEWER: u128 = 7;
    let mut p = Progress::start(line(vec![
        step(StepKind::Review, &[REVIEWER]),
        step(StepKind::Reference, &[REF_1]),
        step(StepKind::Review, &[SECOND_REVIEWER]),
        step(StepKind::Agreement, &[AGREE_1, AGREE_2]),
        step(StepKind::Final, &[FINAL]),
        step(StepKind::Reference, &[REF_2]),
    ]));
    ok(&mut p, own(REVIEWER, APPROVE));
    assert_eq!(
        ok(&mut p, own(SECOND_REVIEWER, DELEGATED)),
        Outcome::Completed
    );
    assert_eq!(p.phase(), Phase::Completed);
    assert!(p.waiting_on().is_empty());
    let delegated = MemberState::Approved {
        proxy: false,
        delegated: true,
        confirmed: false,
    };
    assert_eq!(
        p.member_states(),
        &[
            vec![A],
            vec![W],
            vec![delegated],
            vec![SKIP, SKIP],
            vec![SKIP],
            vec![W]
        ][..]
    );
    refused(&mut p, own(FINAL, APPROVE), WorkflowError::AlreadyCompleted);
}

#[test]
fn delegated_final_by_one_agreement_member_skips_the_other() {
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    assert_eq!(ok(&mut p, own(AGREE_2, DELEGATED)), Outcome::Completed);
    let states = p.member_states();
    assert_eq!(states[1][0], SKIP);
    assert!(matches!(
        states[1][1],
        MemberState::Approved {
            delegated: true,
            ..
        }
    ));
    assert_eq!(states[2], vec![SKIP]);
    assert_eq!(states[3], vec![W, W]);
}

#[test]
fn delegated_final_from_hold_replaces_the_hold() {
    let mut p = standard();
    ok(&mut p, own(REVIEWER, HOLD));
    assert_eq!(ok(&mut p, own(REVIEWER, DELEGATED)), Outcome::Completed);
    assert!(matches!(
        p.member_states()[0][0],
        MemberState::Approved {
            delegated: true,
            ..
        }
    ));
}

// ---------------------------------------------------------------------------------------------
// 대결 and 후결
// ---------------------------------------------------------------------------------------------

#[test]
fn proxy_approval_then_post_confirmation_by_the_owner() {
    assert_eq!(APPROVE.label_ko(true), "대결");
    assert_eq!(APPROVE.label_ko(false), "승인");
    assert_eq!(POST_CONFIRM.label_ko(false), "후결");

    let mut p = standard();
    assert_eq!(ok(&mut p, deputy(REVIEWER, APPROVE)), Outcome::Advanced(1));
    assert_eq!(
        p.member_states()[0],
        vec![MemberState::Approved {
            proxy: true,
            delegated: false,
            confirmed: false
        }]
    );
    assert_eq!(p.awaiting_post_confirmation(), positions(&[REVIEWER]));

    // The round goes on meanwhile; 후결 may come at any time, even after completion.
    ok(&mut p, own(AGREE_1, APPROVE));
    ok(&mut p, own(AGREE_2, APPROVE));
    ok(&mut p, own(FINAL, APPROVE));
    assert_eq!(p.phase(), Phase::Completed);

    assert_eq!(ok(&mut p, own(REVIEWER, POST_CONFIRM)), Outcome::Confirmed);
    assert_eq!(
        p.member_states()[0],
        vec![MemberState::Approved {
            proxy: true,
            delegated: false,
            confirmed: true
        }]
    );
    assert!(p.awaiting_post_confirmation().is_empty());
    assert_eq!(p.phase(), Phase::Completed, "후결 does not move the line");
}

#[test]
fn post_confirm_while_in_progress_does_not_move_the_line() {
    let mut p = standard();
    ok(&mut p, deputy(REVIEWER, APPROVE));
    assert_eq!(ok(&mut p, own(REVIEWER, POST_CONFIRM)), Outcome::Confirmed);
    assert_eq!(p.phase(), Phase::InProgress { step: 1 });
    assert_eq!(p.waiting_on(), positions(&[AGREE_1, AGREE_2]));
}

#[test]
fn post_confirm_by_the_deputy_needs_the_owner() {
    let mut p = standard();
    ok(&mut p, deputy(REVIEWER, APPROVE));
    refused(
        &mut p,
        deputy(REVIEWER, POST_CONFIRM),
        WorkflowError::PostConfirmNeedsOwner,
    );
    assert_eq!(p.awaiting_post_confirmation(), positions(&[REVIEWER]));
}

#[test]
fn post_confirm_twice_has_nothing_to_confirm() {
    let mut p = standard();
    ok(&mut p, deputy(REVIEWER, APPROVE));
    ok(&mut p, own(REVIEWER, POST_CONFIRM));
    refused(
        &mut p,
        own(REVIEWER, POST_CONFIRM),
        WorkflowError::NothingToConfirm,
    );
}

#[test]
fn post_confirm_without_a_deputy_approval() {
    let mut p = standard();
    // Not yet acted at all.
    refused(
        &mut p,
        own(REVIEWER, POST_CONFIRM),
        WorkflowError::NothingToConfirm,
    );
    // Approved in person.
    ok(&mut p, own(REVIEWER, APPROVE));
    refused(
        &mut p,
        own(REVIEWER, POST_CONFIRM),
        WorkflowError::NothingToConfirm,
    );
    // A reference member never approves.
    refused(
        &mut p,
        own(REF_1, POST_CONFIRM),
        WorkflowError::NothingToConfirm,
    );
    // Not on the line.
    refused(
        &mut p,
        own(STRANGER, POST_CONFIRM),
        WorkflowError::NotOnLine,
    );
}

#[test]
fn a_deputy_approval_reset_by_reject_to_previous_needs_no_confirmation() {
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    ok(&mut p, deputy(AGREE_1, APPROVE));
    ok(&mut p, own(AGREE_2, APPROVE));
    assert_eq!(p.awaiting_post_confirmation(), positions(&[AGREE_1]));
    ok(&mut p, own(FINAL, REJECT_PREV));
    assert!(p.awaiting_post_confirmation().is_empty());
    refused(
        &mut p,
        own(AGREE_1, POST_CONFIRM),
        WorkflowError::NothingToConfirm,
    );
}

// ---------------------------------------------------------------------------------------------
// Refused acts
// ---------------------------------------------------------------------------------------------

#[test]
fn acting_twice_is_already_acted() {
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    ok(&mut p, own(AGREE_1, APPROVE));
    for decision in [APPROVE, REJECT, REJECT_PREV, HOLD, DELEGATED] {
        refused(&mut p, own(AGREE_1, decision), WorkflowError::AlreadyActed);
        refused(
            &mut p,
            deputy(AGREE_1, decision),
            WorkflowError::AlreadyActed,
        );
    }
}

#[test]
fn a_passed_single_step_member_acting_again_has_already_acted() {
    // Once a review step is done the line has moved on; a second approval is a double approval.
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    refused(&mut p, own(REVIEWER, APPROVE), WorkflowError::AlreadyActed);
}

#[test]
fn acting_before_ones_turn_is_not_your_turn() {
    let mut p = standard();
    for later in [AGREE_1, AGREE_2, FINAL] {
        for decision in [APPROVE, REJECT, REJECT_PREV, HOLD, DELEGATED] {
            refused(&mut p, own(later, decision), WorkflowError::NotYourTurn);
        }
    }
    // Reference members are on the line but never have a turn.
    refused(&mut p, own(REF_1, APPROVE), WorkflowError::NotYourTurn);
}

#[test]
fn a_stranger_is_not_on_the_line() {
    let mut p = standard();
    for decision in [APPROVE, REJECT, REJECT_PREV, HOLD, DELEGATED] {
        refused(&mut p, own(STRANGER, decision), WorkflowError::NotOnLine);
        refused(&mut p, deputy(STRANGER, decision), WorkflowError::NotOnLine);
    }
}

#[test]
fn acting_after_completion_is_already_completed() {
    let mut p = standard_at_final();
    ok(&mut p, own(FINAL, APPROVE));
    for who in [FINAL, REVIEWER, AGREE_1, REF_1] {
        for decision in [APPROVE, REJECT, REJECT_PREV, HOLD, DELEGATED] {
            refused(&mut p, own(who, decision), WorkflowError::AlreadyCompleted);
        }
    }
}

#[test]
fn acting_after_rejection_is_not_in_progress() {
    let mut p = standard();
    ok(&mut p, own(REVIEWER, APPROVE));
    ok(&mut p, own(AGREE_1, REJECT));
    for who in [REVIEWER, AGREE_1, AGREE_2, FINAL] {
        for decision in [APPROVE, REJECT, REJECT_PREV, HOLD, DELEGATED] {
            refused(&mut p, own(who, decision), WorkflowError::NotInProgress);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 참조
// ---------------------------------------------------------------------------------------------

#[test]
fn reference_steps_never_wait_and_never_block() {
    const SECOND_REF: u128 = 7;
    let mut p = Progress::start(line(vec![
        step(StepKind::Reference, &[REF_1]),
        step(StepKind::Review, &[REVIEWER]),
        step(StepKind::Reference, &[REF_2, SECOND_REF]),
        step(StepKind::Final, &[FINAL]),
        step(StepKind::Reference, &[STRANGER - 1]),
    ]));
    // A leading reference step is passed over at once.
    assert_eq!(p.phase(), Phase::InProgress { step: 1 });
    assert_eq!(p.waiting_on(), positions(&[REVIEWER]));
    assert!(p.can_withdraw());

    // Approving the review jumps over the reference step.
    assert_eq!(ok(&mut p, own(REVIEWER, APPROVE)), Outcome::Advanced(3));
    assert_eq!(p.waiting_on(), positions(&[FINAL]));

    // The final approval completes although nobody in a reference step acted.
    assert_eq!(ok(&mut p, own(FINAL, APPROVE)), Outcome::Completed);
    assert_eq!(
        p.member_states(),
        &[vec![W], vec![A], vec![W, W], vec![A], vec![W]][..]
    );
}

// ---------------------------------------------------------------------------------------------
// 회수
// ---------------------------------------------------------------------------------------------

#[test]
fn can_withdraw_only_before_any_act() {
    let p = standard();
    assert!(p.can_withdraw());

    let mut after_approve = standard();
    ok(&mut after_approve, own(REVIEWER, APPROVE));
    assert!(!after_approve.can_withdraw());

    let mut after_deputy = standard();
    ok(&mut after_deputy, deputy(REVIEWER, APPROVE));
    assert!(!after_deputy.can_withdraw());

    let mut after_hold = standard();
    ok(&mut after_hold, own(REVIEWER, HOLD));
    assert!(!after_hold.can_withdraw());

    let mut after_reject = standard();
    ok(&mut after_reject, own(REVIEWER, REJECT));
    assert!(!after_reject.can_withdraw());

    let mut after_delegated = standard();
    ok(&mut after_delegated, own(REVIEWER, DELEGATED));
    assert!(!after_delegated.can_withdraw());

    let mut completed = standard_at_final();
    assert!(!completed.can_withdraw());
    ok(&mut completed, own(FINAL, APPROVE));
    assert!(!completed.can_withdraw());

    // Refused acts are not acts.
    let mut refused_only = standard();
    let _ = refused_only.apply(own(FINAL, APPROVE));
    let _ = refused_only.apply(own(STRANGER, APPROVE));
    assert!(refused_only.can_withdraw());
}

/// `can_withdraw` documents "allowed only while no approver has acted in this round: once someone
/// has approved, rejected or held, the drafter can no longer pull the draft back silently". A
/// 전단계 반려 does not end the round, yet it resets every member it passes back over to `Waiting`,
/// and `can_withdraw` looks only at the member states: after the reviewer approved and the final
/// approver returned the document to the reviewer, the drafter may withdraw again.
#[test]
fn can_withdraw_stays_false_after_reject_to_previous_back_to_the_first_step() {
    let mut p = Progress::start(line(vec![
        step(StepKind::Review, &[REVIEWER]),
        step(StepKind::Final, &[FINAL]),
    ]));
    ok(&mut p, own(REVIEWER, APPROVE));
    assert_eq!(ok(&mut p, own(FINAL, REJECT_PREV)), Outcome::ReturnedTo(0));
    assert!(
        !p.can_withdraw(),
        "two approvers have acted in this round (승인, 전단계 반려), so 회수 must be refused"
    );
}

// ---------------------------------------------------------------------------------------------
// Line validation
// ---------------------------------------------------------------------------------------------

#[test]
fn line_validation_errors() {
    let err = |steps: Vec<Step>| ApprovalLine::new(steps).unwrap_err();

    assert_eq!(err(vec![]), WorkflowError::LineNeedsOneFinal);
    assert_eq!(
        err(vec![
            step(StepKind::Review, &[1]),
            step(StepKind::Reference, &[2])
        ]),
        WorkflowError::LineNeedsOneFinal,
        "no final"
    );
    assert_eq!(
        err(vec![
            step(StepKind::Final, &[1]),
            step(StepKind::Final, &[2])
        ]),
        WorkflowError::LineNeedsOneFinal,
        "two finals"
    );
    assert_eq!(
        err(vec![
            step(StepKind::Final, &[1]),
            step(StepKind::Review, &[2])
        ]),
        WorkflowError::FinalNotLast
    );
    assert_eq!(
        err(vec![
            step(StepKind::Review, &[1]),
            step(StepKind::Final, &[2]),
            step(StepKind::Reference, &[3]),
            step(StepKind::Agreement, &[4]),
        ]),
        WorkflowError::FinalNotLast,
        "an agreement after the final, even behind a reference step"
    );
    assert_eq!(
        err(vec![
            step(StepKind::Review, &[1, 2]),
            step(StepKind::Final, &[3])
        ]),
        WorkflowError::BadStepMembers(StepKind::Review)
    );
    assert_eq!(
        err(vec![step(StepKind::Final, &[1, 2])]),
        WorkflowError::BadStepMembers(StepKind::Final)
    );
    assert_eq!(
        err(vec![step(StepKind::Final, &[])]),
        WorkflowError::BadStepMembers(StepKind::Final)
    );
    assert_eq!(
        err(vec![
            step(StepKind::Agreement, &[]),
            step(StepKind::Final, &[1])
        ]),
        WorkflowError::BadStepMembers(StepKind::Agreement),
        "empty agreement"
    );
    assert_eq!(
        err(vec![
            step(StepKind::Final, &[1]),
            step(StepKind::Reference, &[])
        ]),
        WorkflowError::BadStepMembers(StepKind::Reference)
    );
    assert_eq!(
        err(vec![
            step(StepKind::Review, &[1]),
            step(StepKind::Final, &[1])
        ]),
        WorkflowError::DuplicateMember
    );
    assert_eq!(
        err(vec![
            step(StepKind::Agreement, &[2, 2]),
            step(StepKind::Final, &[1])
        ]),
        WorkflowError::DuplicateMember,
        "twice in one parallel group"
    );
    assert_eq!(
        err(vec![
            step(StepKind::Final, &[1]),
            step(StepKind::Reference, &[1])
        ]),
        WorkflowError::DuplicateMember,
        "acting and informed at once"
    );

    // And the shapes that are fine.
    let good = standard_line();
    assert_eq!(good.steps().len(), 4);
    assert!(good.includes(pos(REF_2)));
    assert!(!good.includes(pos(STRANGER)));
    ApprovalLine::new(vec![
        step(StepKind::Reference, &[1]),
        step(StepKind::Agreement, &[2, 3, 4]),
        step(StepKind::Final, &[5]),
    ])
    .expect("a leading reference step and a three-member agreement are fine");
}

// ---------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------

#[test]
fn decision_codes_round_trip() {
    let all = [APPROVE, DELEGATED, REJECT, REJECT_PREV, HOLD, POST_CONFIRM];
    for d in all {
        assert_eq!(Decision::from_code(d.code()), Some(d), "{d:?}");
    }
    let mut codes: Vec<_> = all.iter().map(|d| d.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len(), "codes are distinct");
    assert_eq!(Decision::from_code(""), None);
    assert_eq!(Decision::from_code("Approve"), None);
    assert_eq!(Decision::from_code("rejected"), None);
}

#[test]
fn step_kind_codes_round_trip() {
    for k in [
        StepKind::Review,
        StepKind::Agreement,
        StepKind::Final,
        StepKind::Reference,
    ] {
        assert_eq!(k.code().parse::<StepKind>(), Ok(k));
        assert_eq!(k.to_string(), k.code());
    }
    assert!("결재".parse::<StepKind>().is_err());
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// A random valid line: up to four steps of review, agreement (1–3) or reference (1–3) before the
/// final, then up to two reference steps, six steps at most; members numbered from 1.
fn arb_line() -> impl Strategy<Value = ApprovalLine> {
    let before = prop::collection::vec((0u8..3, 1usize..=3), 0..=4);
    (before, prop::collection::vec(1usize..=3, 0..=2)).prop_map(|(before, after)| {
        let mut next = 1u128;
        let mut take = |n: usize| {
            let ids: Vec<u128> = (next..next + n as u128).collect();
            next += n as u128;
            ids
        };
        let mut steps = Vec::new();
        for (kind, n) in before {
            let (kind, n) = match kind {
                0 => (StepKind::Review, 1),
                1 => (StepKind::Agreement, n),
                _ => (StepKind::Reference, n),
            };
            steps.push(step(kind, &take(n)));
        }
        steps.push(step(StepKind::Final, &take(1)));
        let room = 6 - steps.len();
        for n in after.into_iter().take(room) {
            steps.push(step(StepKind::Reference, &take(n)));
        }
        ApprovalLine::new(steps).expect("generated lines are valid")
    })
}

/// Who an act is for: one of the positions waiting now (so that lines make progress), any
/// member of the line, or someone not on it.
#[derive(Clone, Copy, Debug)]
enum Target {
    Waiting(usize),
    Member(usize),
    Stranger,
}

fn arb_act() -> impl Strategy<Value = (Target, Decision, bool)> {
    let target = prop_oneof![
        6 => any::<usize>().prop_map(Target::Waiting),
        3 => any::<usize>().prop_map(Target::Member),
        1 => Just(Target::Stranger),
    ];
    let decision = prop_oneof![
        12 => Just(APPROVE),
        1 => Just(DELEGATED),
        1 => Just(REJECT),
        2 => Just(REJECT_PREV),
        2 => Just(HOLD),
        2 => Just(POST_CONFIRM),
    ];
    (target, decision, prop::bool::weighted(0.25))
}

fn resolve(p: &Progress, target: Target) -> PositionId {
    let members: Vec<PositionId> = p
        .line()
        .steps()
        .iter()
        .flat_map(|s| s.members.iter().copied())
        .collect();
    match target {
        Target::Waiting(i) => {
            let waiting = p.waiting_on();
            if waiting.is_empty() {
                members[i % members.len()]
            } else {
                waiting[i % waiting.len()]
            }
        }
        Target::Member(i) => members[i % members.len()],
        Target::Stranger => pos(10_000),
    }
}

fn check_invariants(p: &Progress) -> Result<(), TestCaseError> {
    let steps = p.line().steps();
    let states = p.member_states();
    prop_assert_eq!(states.len(), steps.len());
    for (s, st) in steps.iter().zip(states) {
        prop_assert_eq!(st.len(), s.members.len());
        if s.kind == StepKind::Reference {
            prop_assert!(
                st.iter().all(|m| *m == MemberState::Waiting),
                "reference members never change: {:?}",
                st
            );
        }
    }

    // (d) waiting_on() is empty iff the round is over.
    let over = matches!(p.phase(), Phase::Rejected | Phase::Completed);
    prop_assert_eq!(p.waiting_on().is_empty(), over, "phase {:?}", p.phase());

    match p.phase() {
        // (e) the current step is never a reference step.
        Phase::InProgress { step } | Phase::OnHold { step, .. } => {
            prop_assert!(step < steps.len());
            prop_assert_ne!(steps[step].kind, StepKind::Reference);
            if let Phase::OnHold { step, by } = p.phase() {
                let slot = steps[step].members.iter().position(|m| *m == by);
                prop_assert!(slot.is_some(), "the holder is a member of the held step");
                prop_assert_eq!(states[step][slot.unwrap_or(0)], MemberState::Held);
            }
        }
        // (c) a completed line: every acting member approved or skipped, and a final or 전결
        // approval among them.
        Phase::Completed => {
            let mut final_or_delegated = false;
            for (s, st) in steps.iter().zip(states) {
                if s.kind == StepKind::Reference {
                    continue;
                }
                for m in st {
                    prop_assert!(
                        matches!(m, MemberState::Approved { .. } | MemberState::Skipped),
                        "{:?} left in a completed line {:?}",
                        m,
                        states
                    );
                    match m {
                        MemberState::Approved {
                            delegated: true, ..
                        } => final_or_delegated = true,
                        MemberState::Approved { .. } if s.kind == StepKind::Final => {
                            final_or_delegated = true;
                        }
                        _ => {}
                    }
                }
            }
            prop_assert!(
                final_or_delegated,
                "no final or 전결 approval in {:?}",
                states
            );
        }
        Phase::Rejected => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_act_sequences_keep_the_machine_consistent(
        line in arb_line(),
        acts in prop::collection::vec(arb_act(), 0..40),
    ) {
        let mut p = Progress::start(line.clone());
        check_invariants(&p)?;
        let mut accepted = Vec::new();
        let mut was_completed = false;
        for (target, decision, proxy) in acts {
            let act = Act { position: resolve(&p, target), proxy, decision };
            let before = p.clone();
            match p.apply(act) {
                Ok(outcome) => {
                    accepted.push(act);
                    if outcome == Outcome::Completed {
                        prop_assert_eq!(p.phase(), Phase::Completed);
                    }
                }
                // (a) a refused act changes nothing.
                Err(_) => prop_assert_eq!(&p, &before, "refused {:?} changed the progress", act),
            }
            // Completion is final: only 후결 is still accepted afterwards.
            if was_completed {
                prop_assert_eq!(p.phase(), Phase::Completed);
            }
            was_completed = p.phase() == Phase::Completed;
            check_invariants(&p)?;
        }
        // (b) replaying the accepted acts rebuilds the same progress.
        let replayed = Progress::replay(line, &accepted);
        prop_assert_eq!(replayed.as_ref(), Ok(&p));
    }

    #[test]
    fn replay_rejects_a_sequence_with_a_refused_act(
        line in arb_line(),
        acts in prop::collection::vec(arb_act(), 1..30),
    ) {
        // Build a sequence that is accepted up to some point, then add one refused act: replay
        // reports exactly that act's error.
        let mut p = Progress::start(line.clone());
        let mut accepted = Vec::new();
        for (target, decision, proxy) in acts {
            let act = Act { position: resolve(&p, target), proxy, decision };
            let mut probe = p.clone();
            match probe.apply(act) {
                Ok(_) => {
                    p = probe;
                    accepted.push(act);
                }
                Err(e) => {
                    accepted.push(act);
                    prop_assert_eq!(Progress::replay(line, &accepted), Err(e));
                    return Ok(());
                }
            }
        }
        prop_assert_eq!(Progress::replay(line, &accepted), Ok(p));
    }
}

/// The generators are not vacuous: with a fixed seed, random runs reach every outcome, including
/// completion by 결재 and by 전결, and refuse acts with several different errors.
#[test]
fn random_runs_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::BTreeSet;

    let mut runner = TestRunner::deterministic();
    let strategy = (arb_line(), prop::collection::vec(arb_act(), 0..40));
    let mut outcomes = BTreeSet::new();
    let mut errors = BTreeSet::new();
    let (mut completed, mut completed_delegated, mut rejected) = (0, 0, 0);
    for _ in 0..300 {
        let (line, acts) = strategy.new_tree(&mut runner).expect("a case").current();
        let mut p = Progress::start(line);
        for (target, decision, proxy) in acts {
            let act = Act {
                position: resolve(&p, target),
                proxy,
                decision,
            };
            match p.apply(act) {
                Ok(o) => {
                    let name = format!("{o:?}");
                    outcomes.insert(name.split('(').next().unwrap_or_default().to_owned());
                }
                Err(e) => {
                    errors.insert(format!("{e:?}"));
                }
            }
        }
        match p.phase() {
            Phase::Completed => {
                completed += 1;
                let delegated = p.member_states().iter().flatten().any(|m| {
                    matches!(
                        m,
                        MemberState::Approved {
                            delegated: true,
                            ..
                        }
                    )
                });
                if delegated {
                    completed_delegated += 1;
                }
            }
            Phase::Rejected => rejected += 1,
            _ => {}
        }
    }
    let all: BTreeSet<_> = [
        "Recorded",
        "Advanced",
        "Completed",
        "Rejected",
        "ReturnedTo",
        "Held",
        "Confirmed",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(outcomes, all);
    assert!(completed >= 30, "only {completed} of 300 runs completed");
    assert!(
        completed_delegated >= 5,
        "only {completed_delegated} by 전결"
    );
    assert!(rejected >= 30, "only {rejected} of 300 runs rejected");
    assert!(errors.len() >= 6, "errors seen: {errors:?}");
}
