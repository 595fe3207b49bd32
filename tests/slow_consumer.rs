//! Queues behave like real ones: a handler slower than the visibility timeout still finishes;
//! meanwhile the message is delivered again, and the idempotent consumer drops the duplicate.
//! Switched off, the duplicate takes effect.

mod common;

use common::Harness;
use sagascope::engine::event::EventKind;
use sagascope::engine::presets;
use sagascope::engine::tables::LedgerKind;
use sagascope::engine::{Coordination, FaultSpec, Outcome, Scenario, ServiceId, Storage, Task};

/// Payment takes longer than the visibility timeout (2.5 s) to charge, but less than the time
/// it takes to exhaust the receives.
fn slow_payment(idempotency: bool, preset: &str) -> Scenario {
    let mut s = presets::scenario(preset, Coordination::Choreography, Storage::PerService, 0)
        .expect("preset");
    s.safeguards.idempotency = idempotency;
    s.faults.push(FaultSpec::Latency {
        service: ServiceId::Payment,
        extra_ms: 3_000,
    });
    s
}

fn receives_of_payment(h: &Harness) -> u32 {
    h.sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Received {
                queue: ServiceId::Payment,
                receive_count,
                ..
            } => Some(receive_count),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn a_slow_handler_still_charges_once_and_the_duplicate_is_dropped() {
    let mut h = Harness::new(slow_payment(true, "happy-path"));
    h.drive();
    h.assert_invariants_hold();
    assert!(
        receives_of_payment(&h) >= 2,
        "the message became visible again while the handler ran"
    );
    assert_eq!(h.outcome(0), Outcome::Completed, "the handler finished");
    assert_eq!(h.sim.tables().ledger.len(), 1, "one charge");
    assert!(
        h.count(|k| matches!(
            k,
            EventKind::DuplicateIgnored {
                task: Task::Action(1),
                ..
            }
        )) >= 1,
        "the idempotent consumer dropped the second delivery"
    );
    assert!(h.sim.dead_letters().is_empty());
}

#[test]
fn without_idempotency_the_second_delivery_charges_twice() {
    let mut h = Harness::new(slow_payment(false, "happy-path"));
    h.drive();
    let charges = h
        .sim
        .tables()
        .ledger
        .iter()
        .filter(|r| r.saga == 0 && r.kind == LedgerKind::Charged)
        .count();
    assert_eq!(charges, 2, "a double charge shows in the ledger");
    let broken = h.broken();
    assert!(broken.contains(&3), "took effect twice: {broken:?}");
    assert!(broken.contains(&6), "money does not add up: {broken:?}");
}

#[test]
fn without_idempotency_a_slow_refund_refunds_twice() {
    // The slot is taken: Payment charges at its usual speed, then refunds slowly, and the
    // refund is delivered a second time.
    let mut s = slow_payment(false, "slot-taken");
    let latency = s.faults.remove(1);
    s.commands
        .push(sagascope::engine::scenario::ScheduledCommand {
            at_ms: 2_500,
            command: sagascope::engine::Command::InjectFault { fault: latency },
        });
    let mut h = Harness::new(s);
    h.drive();
    let refunds = h
        .sim
        .tables()
        .ledger
        .iter()
        .filter(|r| r.saga == 0 && r.kind == LedgerKind::Refunded)
        .count();
    assert!(
        refunds >= 2,
        "a double refund shows in the ledger: {refunds}"
    );
    assert!(h.sim.tables().net_cents(0) < 0);
    assert!(h.broken().contains(&2), "{:?}", h.broken());
}

#[test]
fn a_handler_slower_than_every_redelivery_still_commits() {
    // Slower than visibility × max receives: the message is dead-lettered while the handler is
    // still at work. Its commit still happens, so the saga goes on; the leftover in the
    // dead-letter queue is dropped as a duplicate when redriven.
    let mut s = slow_payment(true, "happy-path");
    s.faults[0] = FaultSpec::Latency {
        service: ServiceId::Payment,
        extra_ms: 12_000,
    };
    s.commands
        .push(sagascope::engine::scenario::ScheduledCommand {
            at_ms: 39_000,
            command: sagascope::engine::Command::RemoveFault { fault: 0 },
        });
    s.commands
        .push(sagascope::engine::scenario::ScheduledCommand {
            at_ms: 40_000,
            command: sagascope::engine::Command::Redrive,
        });
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.count(|k| matches!(k, EventKind::DeadLettered { .. })), 1);
    assert!(h.count(|k| matches!(k, EventKind::DuplicateIgnored { .. })) >= 1);
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.sim.tables().ledger.len(), 1);
    assert_eq!(h.sim.sagas()[0].stuck, None);
    assert!(h.sim.dead_letters().is_empty(), "redriven and dropped");
}
