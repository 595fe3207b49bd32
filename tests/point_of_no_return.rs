//! The point of no return: once the pivot has been sent and no definite failure has come back,
//! the saga only goes forward. The orchestrator asks again; if it still cannot know, a person is
//! asked, and nothing is compensated. A definite refusal of the pivot is compensated.

mod common;

use common::{pivot_confirmed_behind_errors, Harness};
use sagascope::engine::event::EventKind;
use sagascope::engine::message::Body;
use sagascope::engine::tables::ReservationStatus;
use sagascope::engine::{
    AttentionReason, Command, Coordination, FaultSpec, Outcome, Scenario, ServiceId, Storage, Task,
    TaskResult,
};

const PIVOT: Task = Task::Action(3);

fn scenario(faults: Vec<FaultSpec>) -> Scenario {
    let mut s = sagascope::engine::presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
        0,
    )
    .expect("preset");
    s.faults = faults;
    s
}

/// Steps until the first command of the pivot has been sent.
fn until_the_pivot_is_sent(h: &mut Harness) {
    while h.step() {
        let sent = h.sim.trace().iter().any(|e| {
            matches!(
                e.kind,
                EventKind::MessageSent {
                    body: Body::Command { task: PIVOT, .. },
                    ..
                }
            )
        });
        if sent {
            return;
        }
    }
    panic!("the pivot was never sent");
}

/// A run whose pivot takes effect but whose every reply (and later command) is lost.
fn pivot_replies_lost() -> Harness {
    let mut h = Harness::new(scenario(Vec::new()));
    until_the_pivot_is_sent(&mut h);
    h.sim
        .handle_command(Command::InjectFault {
            fault: FaultSpec::Drop {
                service: Some(ServiceId::Reservation),
                times: 3,
            },
        })
        .expect("inject");
    h.drive();
    h
}

fn compensation_begun(h: &Harness) -> usize {
    h.count(|k| matches!(k, EventKind::CompensationBegun { .. }))
}

#[test]
fn a_pivot_whose_replies_are_lost_waits_for_a_person_and_is_never_compensated() {
    let h = pivot_replies_lost();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::PivotOutcomeUnknown);
    let saga = &h.sim.sagas()[0];
    assert_eq!(saga.stuck, Some(PIVOT));
    let max = h.sim.scenario().retry.step.max_attempts.expect("bounded");
    assert_eq!(
        saga.steps[3].attempts, max,
        "asked again until out of attempts"
    );
    let t = h.sim.tables();
    assert_eq!(t.reservations[&0].status, ReservationStatus::Confirmed);
    assert_eq!(compensation_begun(&h), 0);
    assert!(h.compensations(0).is_empty());
    assert_eq!(t.net_cents(0), 4_000, "the charge stands");
    assert_eq!(t.slots.len(), 1, "the slot stays held");
}

#[test]
fn a_pivot_that_never_answers_is_not_compensated_either() {
    // The pivot never took effect, but the orchestrator cannot know that.
    let mut h = Harness::new(scenario(vec![FaultSpec::NoReply {
        step: 4,
        times: 3,
        saga: None,
    }]));
    h.drive();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::PivotOutcomeUnknown);
    assert_eq!(compensation_begun(&h), 0);
    assert_eq!(
        h.sim.tables().reservations[&0].status,
        ReservationStatus::Pending
    );
}

#[test]
fn a_redrive_asks_the_pivot_again_and_the_saga_completes() {
    let mut h = pivot_replies_lost();
    h.sim.handle_command(Command::Redrive).expect("redrive");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.sim.sagas()[0].stuck, None);
    assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5], "confirmed once");
    assert_eq!(compensation_begun(&h), 0);
    let first_attempts = h.count(|k| {
        matches!(
            k,
            EventKind::TaskStarted {
                task: PIVOT,
                attempt: 1
            }
        )
    });
    assert_eq!(first_attempts, 2, "the redrive begins a new series at 1");
}

#[test]
fn an_ambiguous_pivot_is_asked_again_and_completes() {
    let mut h = Harness::new(scenario(vec![FaultSpec::Ambiguous {
        step: 4,
        times: 1,
        saga: None,
    }]));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.sim.sagas()[0].steps[3].attempts, 2);
    assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5]);
}

#[test]
fn a_pivot_refused_after_a_timeout_is_compensated() {
    // Attempt 1 hangs (unknown), attempt 2 is a definite business refusal: compensate.
    let mut h = Harness::new(scenario(vec![
        FaultSpec::NoReply {
            step: 4,
            times: 1,
            saga: None,
        },
        FaultSpec::BusinessFailure {
            step: 4,
            saga: None,
        },
    ]));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(h.compensations(0), vec![3, 2, 1]);
    assert_eq!(h.sim.tables().net_cents(0), 0);
}

#[test]
fn a_pivot_answered_only_by_errors_waits_for_a_person() {
    // Every attempt got an error reply. An error says that one copy of the command did nothing,
    // not that no copy did: the pivot may still have taken effect, so nothing is undone.
    let mut h = Harness::new(scenario(vec![FaultSpec::TransientError {
        step: 4,
        times: 3,
        saga: None,
    }]));
    h.drive();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::PivotOutcomeUnknown);
    assert_eq!(compensation_begun(&h), 0);
    assert_eq!(
        h.sim.tables().reservations[&0].status,
        ReservationStatus::Pending
    );
}

/// The reason an error cannot close the pivot: the network delivers its command twice, the first
/// copy confirms the reservation and its reply is lost, the second copy and the retry fail. Every
/// answer the orchestrator hears is an error, and the reservation is CONFIRMED.
#[test]
fn a_duplicated_pivot_that_took_effect_behind_an_error_is_never_compensated() {
    let h = pivot_confirmed_behind_errors(None);
    h.assert_invariants_hold();
    let heard: Vec<_> = h
        .sim
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MessageArrived { message } => h
                .sim
                .messages()
                .iter()
                .find(|m| m.id == *message)
                .and_then(|m| match m.body {
                    Body::Reply {
                        task: PIVOT,
                        result,
                        ..
                    } => Some(result),
                    _ => None,
                }),
            _ => None,
        })
        .collect();
    assert_eq!(
        heard,
        vec![TaskResult::TransientError, TaskResult::TransientError],
        "every answer heard is an error"
    );
    assert_eq!(
        h.sim.tables().reservations[&0].status,
        ReservationStatus::Confirmed
    );
    h.assert_awaiting_person(0, AttentionReason::PivotOutcomeUnknown);
    assert_eq!(compensation_begun(&h), 0);
}

#[test]
fn a_pivot_with_one_timeout_among_errors_still_waits_for_a_person() {
    // One attempt's outcome is unknown: errors on the others do not say it did not take effect.
    let mut h = Harness::new(scenario(vec![
        FaultSpec::NoReply {
            step: 4,
            times: 1,
            saga: None,
        },
        FaultSpec::TransientError {
            step: 4,
            times: 2,
            saga: None,
        },
    ]));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::AwaitingPerson);
    assert_eq!(compensation_begun(&h), 0);
}
