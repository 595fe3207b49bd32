//! A duplicated command whose copies answer differently: one copy fails transiently, the other
//! takes effect. The orchestrator acts on the first answer, but a "done" it hears late is logged
//! as knowledge, and a step that was sent and never refused is undone when the saga goes back:
//! nothing it may have done is kept.

mod common;

use common::{orchestrated_happy_path, Harness};
use sagascope::engine::event::EventKind;
use sagascope::engine::orchestration::{LogRecord, OrchestratorState};
use sagascope::engine::tables::{LedgerKind, ReservationStatus};
use sagascope::engine::{Command, FaultSpec, Outcome, Scenario, ServiceId, Task};

const CHARGE: Task = Task::Action(1);

/// The happy path with the first command to or from `service` duplicated and the first copy of
/// step `step` (1-based) failing transiently.
fn one_copy_fails(service: ServiceId, step: usize) -> Scenario {
    orchestrated_happy_path(&[
        FaultSpec::Duplicate {
            service: Some(service),
            times: 1,
        },
        FaultSpec::TransientError {
            step,
            times: 1,
            saga: None,
        },
    ])
}

fn failed(h: &Harness, task: Task) -> bool {
    h.count(|k| matches!(k, EventKind::TaskFailed { task: t, .. } if *t == task)) > 0
}

fn ledger(h: &Harness) -> (u64, u64) {
    h.sim
        .tables()
        .ledger
        .iter()
        .fold((0, 0), |(c, r), row| match row.kind {
            LedgerKind::Charged => (c + row.amount_cents, r),
            LedgerKind::Refunded => (c, r + row.amount_cents),
        })
}

fn heard_late(h: &Harness, task: Task) -> usize {
    h.sim
        .orchestrator()
        .log
        .iter()
        .filter(|e| matches!(e.record, LogRecord::HeardLate { task: t, .. } if t == task))
        .count()
}

#[test]
fn a_late_done_from_a_duplicate_is_logged_as_knowledge() {
    let mut h = Harness::new(one_copy_fails(ServiceId::Payment, 2));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(
        h.count(|k| matches!(k, EventKind::ReplyIgnored { .. })),
        1,
        "the second copy's answer decides nothing"
    );
    assert_eq!(heard_late(&h, CHARGE), 1, "but it is logged");
    assert_eq!(ledger(&h), (4_000, 0), "one charge");
    assert_eq!(
        OrchestratorState::replay(&h.sim.orchestrator().log),
        h.sim.orchestrator().memory,
        "the memory is a fold of the log"
    );
}

#[test]
fn a_cancel_after_a_duplicated_charge_refunds_it() {
    let mut h = Harness::new(one_copy_fails(ServiceId::Payment, 2));
    // The error is acted on, the other copy's "done" is set aside, the retry waits: cancel now.
    h.step_until(|h| h.count(|k| matches!(k, EventKind::ReplyIgnored { .. })) > 0);
    h.sim
        .handle_command(Command::Cancel { saga: 0 })
        .expect("a cancel");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(ledger(&h), (4_000, 4_000), "charged once, refunded once");
}

/// The late "done" never arrives (the network loses it): the charge was sent and never refused,
/// so it is refunded all the same, and the refund finds the charge.
#[test]
fn a_duplicated_charge_whose_done_is_lost_is_still_refunded() {
    let mut h = Harness::new(one_copy_fails(ServiceId::Payment, 2));
    h.step_until(|h| failed(h, CHARGE));
    // The next message to or from Payment is the other copy's reply: lose it.
    h.sim
        .handle_command(Command::InjectFault {
            fault: FaultSpec::Drop {
                service: Some(ServiceId::Payment),
                times: 1,
            },
        })
        .expect("a drop");
    h.step_until(|h| {
        h.sim
            .tables()
            .ledger
            .iter()
            .any(|r| r.kind == LedgerKind::Charged)
            && h.sim.messages().iter().any(|m| {
                m.to == sagascope::engine::message::Node::Orchestrator
                    && m.state == sagascope::engine::message::MessageState::Handled
                    && matches!(
                        m.body,
                        sagascope::engine::message::Body::Reply { task, .. } if task == CHARGE
                    )
            })
    });
    h.sim
        .handle_command(Command::Cancel { saga: 0 })
        .expect("a cancel");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(heard_late(&h, CHARGE), 0, "nothing was heard late");
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(ledger(&h), (4_000, 4_000), "charged once, refunded once");
}

/// One copy of "create reservation" fails while the other creates it, and the customer cancels
/// while the retry waits: the reservation is cancelled instead of left PENDING.
#[test]
fn a_duplicated_reservation_is_cancelled_when_the_saga_goes_back() {
    let mut h = Harness::new(one_copy_fails(ServiceId::Reservation, 1));
    h.step_until(|h| h.count(|k| matches!(k, EventKind::ReplyIgnored { .. })) > 0);
    h.sim
        .handle_command(Command::Cancel { saga: 0 })
        .expect("a cancel");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(
        h.sim.tables().reservations.get(&0).map(|r| r.status),
        Some(ReservationStatus::Cancelled)
    );
}

/// One copy of the pivot fails, the other confirms, and every retry fails: the saga heard the
/// pivot done, so it goes forward instead of undoing a confirmed reservation.
#[test]
fn a_pivot_heard_done_from_a_duplicate_goes_forward() {
    let pivot = Task::Action(3);
    let mut scenario = orchestrated_happy_path(&[]);
    scenario.retry.step.jitter = false;
    let mut h = Harness::new(scenario);
    h.step_until(|h| h.sim.tables().slots.iter().any(|r| r.saga == 0));
    for fault in [
        FaultSpec::Duplicate {
            service: Some(ServiceId::Reservation),
            times: 1,
        },
        FaultSpec::TransientError {
            step: 4,
            times: 1,
            saga: None,
        },
    ] {
        h.sim
            .handle_command(Command::InjectFault { fault })
            .expect("a fault");
    }
    h.step_until(|h| {
        h.sim
            .orchestrator()
            .log
            .iter()
            .any(|e| matches!(e.record, LogRecord::HeardLate { task, .. } if task == pivot))
    });
    // From now on the pivot only ever answers with an error.
    h.sim
        .handle_command(Command::InjectFault {
            fault: FaultSpec::TransientError {
                step: 4,
                times: 20,
                saga: None,
            },
        })
        .expect("a fault");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(
        h.sim.tables().reservations.get(&0).map(|r| r.status),
        Some(ReservationStatus::Confirmed)
    );
    assert_eq!(ledger(&h), (4_000, 0), "the charge is kept");
}

/// A step whose every answer was an error is undone too: the undo finds nothing, does nothing
/// and says so, and the notice says nothing was charged.
#[test]
fn a_step_that_only_ever_failed_is_undone_harmlessly() {
    let mut scenario = orchestrated_happy_path(&[]);
    scenario.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 10,
        saga: None,
    });
    let mut h = Harness::new(scenario);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert!(
        h.sim.orchestrator().log.iter().any(|e| matches!(
            e.record,
            LogRecord::UndoReported {
                step: 1,
                changed: false
            }
        )),
        "the refund ran and found nothing"
    );
    assert_eq!(ledger(&h), (0, 0));
    assert!(h
        .sim
        .tables()
        .notifications
        .iter()
        .all(|r| r.text == "reservation failed, nothing charged"));
}
