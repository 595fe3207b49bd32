//! Re-sent and duplicated work takes effect once, unless idempotency is switched off.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::event::EventKind;
use sagascope::engine::Outcome;

#[test]
fn an_ambiguous_payment_is_charged_once() {
    for style in STYLES {
        let mut h = Harness::preset("ambiguous-payment", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert_eq!(h.sim.tables().ledger.len(), 1, "{style:?}");
        assert!(
            h.count(|k| matches!(k, EventKind::DuplicateIgnored { .. })) >= 1,
            "{style:?}: the repeat is recognised"
        );
    }
}

#[test]
fn a_duplicated_message_is_charged_once() {
    for style in STYLES {
        let mut h = Harness::preset("duplicate-event", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert_eq!(h.sim.tables().ledger.len(), 1, "{style:?}");
        assert_eq!(
            h.count(|k| matches!(k, EventKind::DuplicateIgnored { .. })),
            1,
            "{style:?}"
        );
    }
}

#[test]
fn without_idempotency_a_duplicate_charges_twice_and_the_monitor_says_so() {
    for style in STYLES {
        let mut h = Harness::preset("no-idempotency", style);
        h.drive();
        assert_eq!(h.sim.tables().ledger.len(), 2, "{style:?}: a double charge");
        assert_eq!(h.sim.tables().net_cents(0), 8_000);
        let broken = h.broken();
        assert!(
            broken.contains(&3),
            "{style:?}: action took effect twice: {broken:?}"
        );
        assert!(
            broken.contains(&6),
            "{style:?}: money does not add up: {broken:?}"
        );
    }
}

#[test]
fn slow_replies_meet_retries_without_a_second_charge() {
    let mut h = Harness::preset(
        "slow-payment",
        sagascope::engine::Coordination::Orchestration,
    );
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert!(h.count(|k| matches!(k, EventKind::TimedOut { .. })) >= 1);
    assert_eq!(h.sim.tables().ledger.len(), 1);
}

#[test]
fn a_late_action_after_its_compensation_does_not_take_effect() {
    use sagascope::engine::{FaultSpec, ServiceId};
    // Payment is so slow that the orchestrator gives up and compensates; the delayed charge
    // commands then arrive after the refund and must be refused by the tombstone.
    let mut scenario = sagascope::engine::presets::scenario(
        "happy-path",
        sagascope::engine::Coordination::Orchestration,
        sagascope::engine::Storage::PerService,
        0,
    )
    .expect("preset");
    scenario.faults.push(FaultSpec::Delay {
        service: Some(ServiceId::Payment),
        extra_ms: 9_000,
        times: 3,
    });
    let mut h = Harness::new(scenario);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(h.sim.tables().net_cents(0), 0);
    assert!(
        h.actions(0).iter().all(|&s| s == 1),
        "payment never took effect: {:?}",
        h.actions(0)
    );
}
