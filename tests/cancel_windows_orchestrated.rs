//! Orchestration: a cancel is honoured whenever it reaches the orchestrator: before the start (abort, nothing
//! to undo, both parties told), before the pivot (abort, even with a command out, and
//! compensate), after the pivot has been sent (complete, then the cancellation saga).

mod common;

use common::Harness;
use sagascope::engine::event::{CompensationReason, EventKind};
use sagascope::engine::message::{Body, EventName};
use sagascope::engine::orchestration::LogRecord;
use sagascope::engine::scenario::ScheduledCommand;
use sagascope::engine::tables::ReservationStatus;
use sagascope::engine::{Command, Coordination, FaultSpec, Outcome, Scenario, Storage, Task};

fn scenario(seed: u64) -> Scenario {
    sagascope::engine::presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
        seed,
    )
    .expect("preset")
}

fn cancel_at(s: &mut Scenario, at_ms: u64) {
    s.commands.push(ScheduledCommand {
        at_ms,
        command: Command::Cancel { saga: 0 },
    });
}

fn reasons(h: &Harness) -> Vec<CompensationReason> {
    h.sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::CompensationBegun { reason } => Some(reason),
            _ => None,
        })
        .collect()
}

/// Whether the cancel reached the orchestrator before the start did.
fn cancel_arrived_first(h: &Harness) -> bool {
    let arrivals: Vec<EventName> = h
        .sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::MessageArrived { message } => {
                match h.sim.messages()[message as usize].body {
                    Body::Event { name } => Some(name),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    arrivals.first() == Some(&EventName::CancelRequested)
}

#[test]
fn a_cancel_before_the_start_aborts_at_once_and_tells_both_parties() {
    let mut s = scenario(0);
    s.sagas[0].start_ms = 5_000;
    cancel_at(&mut s, 1_000);
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    assert!(cancel_arrived_first(&h));
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(
        h.effects(0),
        vec![Task::FailureNotice],
        "nothing else happened"
    );
    assert_eq!(reasons(&h), vec![CompensationReason::CancelledBeforePivot]);
    assert_eq!(h.sim.tables().notifications.len(), 2);
    let records: Vec<LogRecord> = h
        .sim
        .orchestrator()
        .log
        .iter()
        .map(|e| e.record)
        .take(2)
        .collect();
    assert_eq!(
        records,
        vec![LogRecord::CancelRequested, LogRecord::Started],
        "the cancel is logged durably before the start"
    );
}

#[test]
fn a_cancel_sent_with_the_start_is_honoured_in_either_order() {
    let mut firsts = 0;
    for seed in 0..24 {
        let mut s = scenario(seed);
        s.sagas[0].start_ms = 1_000;
        cancel_at(&mut s, 1_000);
        let mut h = Harness::new(s);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "seed {seed}");
        assert!(!h.actions(0).contains(&4), "seed {seed}: never confirmed");
        assert_eq!(h.sim.tables().net_cents(0), 0, "seed {seed}");
        if cancel_arrived_first(&h) {
            firsts += 1;
            assert!(h.actions(0).is_empty(), "seed {seed}");
        }
    }
    assert!(
        firsts > 0,
        "the network never let the cancel overtake the start"
    );
}

#[test]
fn a_cancel_with_a_command_out_aborts_on_its_timeout_without_retrying() {
    // The charge hangs; the cancel comes while it is out. On the timeout the saga aborts
    // instead of asking again, and undoes what may have taken effect.
    let mut s = scenario(0);
    s.faults.push(FaultSpec::NoReply {
        step: 2,
        times: 3,
        saga: None,
    });
    cancel_at(&mut s, 1_500);
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(h.sim.sagas()[0].steps[1].attempts, 1, "not retried");
    // It waits for the answer (here, the timeout) before it turns back: the step out may still
    // take effect, and the compensation must come after it.
    let position = |pred: &dyn Fn(&EventKind) -> bool| {
        h.sim
            .trace()
            .iter()
            .position(|e| pred(&e.kind))
            .expect("in the trace")
    };
    let cancelled = position(&|k| matches!(k, EventKind::CancelRequested));
    let timed_out = position(&|k| matches!(k, EventKind::TimedOut { .. }));
    let turned_back = position(&|k| matches!(k, EventKind::CompensationBegun { .. }));
    assert!(
        cancelled < timed_out && timed_out < turned_back,
        "cancel #{cancelled}, timeout #{timed_out}, compensation #{turned_back}"
    );
    assert_eq!(h.compensations(0), vec![1]);
    assert_eq!(
        h.sim.tables().reservations[&0].status,
        ReservationStatus::Cancelled
    );
    assert_eq!(h.sim.tables().net_cents(0), 0);
}

#[test]
fn a_cancel_while_waiting_to_retry_aborts_at_once() {
    let mut s = scenario(0);
    s.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 2,
        saga: None,
    });
    cancel_at(&mut s, 2_300);
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(h.sim.sagas()[0].steps[1].attempts, 1);
    assert_eq!(h.compensations(0), vec![1]);
}

#[test]
fn a_cancel_after_the_pivot_is_sent_completes_then_runs_the_cancellation_saga() {
    let mut h = Harness::new(scenario(0));
    // Step until the pivot's command is on its way, then cancel.
    while h.step() {
        let pivot_sent = h.sim.trace().iter().any(|e| {
            matches!(
                e.kind,
                EventKind::MessageSent {
                    body: Body::Command {
                        task: Task::Action(3),
                        ..
                    },
                    ..
                }
            )
        });
        if pivot_sent {
            break;
        }
    }
    h.sim
        .handle_command(Command::Cancel { saga: 0 })
        .expect("cancel");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(
        h.count(|k| matches!(
            k,
            EventKind::SagaEnded {
                outcome: Outcome::Completed
            }
        )),
        1,
        "it completes first"
    );
    assert_eq!(
        reasons(&h),
        vec![CompensationReason::CancelledAfterCompletion]
    );
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5]);
    assert_eq!(h.compensations(0), vec![3, 2, 1]);
    let t = h.sim.tables();
    assert_eq!(t.reservations[&0].status, ReservationStatus::Cancelled);
    assert!(t.slots.is_empty());
    assert_eq!(t.net_cents(0), 0);
    assert_eq!(
        t.notifications.len(),
        4,
        "confirmed, then told of the cancellation"
    );
}

#[test]
fn a_cancel_while_the_pivot_is_unknown_is_honoured_after_the_redrive() {
    let mut s = scenario(0);
    s.faults.push(FaultSpec::NoReply {
        step: 4,
        times: 3,
        saga: None,
    });
    let mut h = Harness::new(s);
    h.drive();
    assert_eq!(h.outcome(0), Outcome::AwaitingPerson);
    h.sim
        .handle_command(Command::Cancel { saga: 0 })
        .expect("cancel");
    h.drive();
    assert_eq!(
        h.outcome(0),
        Outcome::AwaitingPerson,
        "the pivot may have taken effect: no going back"
    );
    h.sim.handle_command(Command::Redrive).expect("redrive");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(
        reasons(&h),
        vec![CompensationReason::CancelledAfterCompletion]
    );
    assert_eq!(h.sim.tables().net_cents(0), 0);
}

/// A retry that was waiting when the cancel came is never sent, even when it falls due while the
/// compensation is itself waiting to retry (so nothing is awaited at that moment).
#[test]
fn a_retry_left_waiting_by_a_cancel_is_never_sent() {
    let mut s = scenario(0);
    s.retry.step.jitter = false;
    s.retry.step.interval_ms = 5_000;
    s.retry.compensation.jitter = false;
    s.retry.compensation.interval_ms = 10_000;
    // The charge fails once and waits 5 s to retry; every undo fails once and waits 10 s.
    s.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 1,
        saga: None,
    });
    for step in [1, 2] {
        s.faults.push(FaultSpec::CompensationFails {
            step,
            times: Some(1),
            saga: None,
        });
    }
    let mut h = Harness::new(s);
    h.step_until(|h| {
        h.count(|k| {
            matches!(
                k,
                EventKind::RetryScheduled {
                    task: Task::Action(1),
                    ..
                }
            )
        }) > 0
    });
    h.sim
        .handle_command(Command::Cancel { saga: 0 })
        .expect("a cancel");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    let charges = h.count(|k| {
        matches!(
            k,
            EventKind::TaskStarted {
                task: Task::Action(1),
                ..
            }
        )
    });
    assert_eq!(charges, 1, "the charge's retry was dropped with the cancel");
    assert_eq!(h.sim.tables().net_cents(0), 0);
}
