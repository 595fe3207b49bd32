//! The presets that teach the rules' corners do what their descriptions say, in each style they
//! run in: the point of no return, a cancel before the start and after the pivot, a slow
//! consumer, and the dual write (with its safeguard switched off, then on).

mod common;

use common::{Harness, STYLES};
use sagascope::engine::event::EventKind;
use sagascope::engine::presets;
use sagascope::engine::tables::{LedgerKind, ReservationStatus};
use sagascope::engine::{Coordination, Invariant, Outcome, Scenario, Storage, Task};

fn scenario(id: &str, style: Coordination) -> Scenario {
    presets::scenario(id, style, Storage::PerService, 0).expect("preset exists")
}

fn ledger(h: &Harness) -> Vec<LedgerKind> {
    h.sim.tables().ledger.iter().map(|r| r.kind).collect()
}

fn notices(h: &Harness) -> Vec<String> {
    h.sim
        .tables()
        .notifications
        .iter()
        .map(|n| n.text.clone())
        .collect()
}

#[test]
fn a_pivot_whose_reply_is_lost_is_asked_again_and_goes_forward() {
    for style in STYLES {
        let mut h = Harness::new(scenario("pivot-reply-lost", style));
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        let confirm = Task::Action(3);
        let confirmations = h
            .sim
            .trace()
            .iter()
            .filter(|e| {
                matches!(e.kind, EventKind::TaskApplied { task, changed: true, .. } if task == confirm)
            })
            .count();
        assert_eq!(confirmations, 1, "{style:?}: confirmed once");
        let asked = h
            .sim
            .trace()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::TaskStarted { task, .. } if task == confirm))
            .count();
        assert!(asked >= 2, "{style:?}: asked again until it knew ({asked})");
        assert!(
            !h.sim
                .trace()
                .iter()
                .any(|e| matches!(e.kind, EventKind::CompensationBegun { .. })),
            "{style:?}: never turned back"
        );
        assert_eq!(ledger(&h), vec![LedgerKind::Charged], "{style:?}");
    }
}

#[test]
fn a_cancel_before_the_start_does_nothing_and_tells_both_parties() {
    for style in STYLES {
        let mut h = Harness::new(scenario("cancel-too-early", style));
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert!(ledger(&h).is_empty(), "{style:?}: nothing charged");
        assert!(h.sim.tables().slots.is_empty(), "{style:?}");
        assert!(
            h.sim
                .tables()
                .reservations
                .get(&0)
                .is_none_or(|r| r.status == ReservationStatus::Cancelled),
            "{style:?}"
        );
        let told = notices(&h);
        assert_eq!(told.len(), 2, "{style:?}: {told:?}");
        assert!(
            told.iter().all(|t| t.contains("nothing charged")),
            "{style:?}: {told:?}"
        );
    }
}

#[test]
fn a_cancel_after_the_pivot_completes_then_a_cancellation_saga_undoes_it() {
    for style in STYLES {
        let mut h = Harness::new(scenario("cancel-after-pivot", style));
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(
            ledger(&h),
            vec![LedgerKind::Charged, LedgerKind::Refunded],
            "{style:?}"
        );
        let told = notices(&h);
        assert_eq!(
            told,
            vec![
                "reservation confirmed".to_string(),
                "reservation confirmed".to_string(),
                "reservation failed, €40.00 refunded".to_string(),
                "reservation failed, €40.00 refunded".to_string(),
            ],
            "{style:?}: confirmed first, then told of the refund"
        );
        assert_eq!(
            h.sim.tables().reservations.get(&0).map(|r| r.status),
            Some(ReservationStatus::Cancelled),
            "{style:?}"
        );
    }
}

#[test]
fn a_slow_consumer_sees_its_message_again_and_drops_the_copy() {
    let mut h = Harness::new(scenario("slow-consumer", Coordination::Choreography));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(ledger(&h), vec![LedgerKind::Charged], "charged once");
    let redelivered =
        h.sim.trace().iter().any(
            |e| matches!(e.kind, EventKind::Received { receive_count, .. } if receive_count >= 2),
        );
    assert!(redelivered, "the message became visible again");
    assert!(
        h.sim
            .trace()
            .iter()
            .any(|e| matches!(e.kind, EventKind::DuplicateIgnored { .. })),
        "the idempotent consumer dropped the copy"
    );
}

#[test]
fn a_slow_consumer_without_idempotency_charges_twice_and_the_monitor_says_so() {
    let mut s = scenario("slow-consumer", Coordination::Choreography);
    s.safeguards.idempotency = false;
    let mut h = Harness::new(s);
    h.drive();
    assert_eq!(
        ledger(&h),
        vec![LedgerKind::Charged, LedgerKind::Charged],
        "the duplicate took effect"
    );
    assert!(
        h.violations
            .iter()
            .any(|v| v.invariant == Invariant::ActionAtMostOnce),
        "{:?}",
        h.violations
    );
}

#[test]
fn a_dual_write_loses_the_event_and_the_saga_stalls_where_the_monitor_sees_it() {
    let mut h = Harness::new(scenario("dual-write", Coordination::Choreography));
    h.drive();
    assert_eq!(ledger(&h), vec![LedgerKind::Charged], "the commit happened");
    assert!(
        h.sim
            .trace()
            .iter()
            .any(|e| matches!(e.kind, EventKind::PublishLost { .. })),
        "the trace says the event was lost"
    );
    assert_eq!(h.outcome(0), Outcome::Running, "nobody is told to go on");
    assert!(
        h.violations
            .iter()
            .any(|v| v.invariant == Invariant::EndsProperly),
        "{:?}",
        h.violations
    );
}

#[test]
fn with_the_outbox_the_relay_publishes_after_the_restart() {
    let mut s = scenario("dual-write", Coordination::Choreography);
    s.safeguards.outbox = true;
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(ledger(&h), vec![LedgerKind::Charged]);
}

#[test]
fn the_one_style_presets_say_which_style() {
    for (id, style) in [
        ("dual-write", Coordination::Choreography),
        ("slow-consumer", Coordination::Choreography),
        ("orchestrator-crash", Coordination::Orchestration),
    ] {
        let preset = presets::find(id).expect("preset exists");
        assert_eq!(preset.only, Some(style), "{id}");
        assert!(preset.runs_in(style) && STYLES.iter().any(|s| !preset.runs_in(*s)));
    }
}
