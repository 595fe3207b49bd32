//! Every step succeeds, in both styles.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::tables::{LedgerKind, ReservationStatus};
use sagascope::engine::Outcome;

#[test]
fn happy_path_completes_every_step_in_order() {
    for style in STYLES {
        let mut h = Harness::preset("happy-path", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5], "{style:?}");
        assert!(h.compensations(0).is_empty(), "{style:?}");
    }
}

#[test]
fn happy_path_leaves_the_tables_consistent() {
    for style in STYLES {
        let mut h = Harness::preset("happy-path", style);
        h.drive();
        let t = h.sim.tables();
        assert_eq!(
            t.reservations[&0].status,
            ReservationStatus::Confirmed,
            "{style:?}"
        );
        assert_eq!(t.ledger.len(), 1, "{style:?}");
        assert_eq!(t.ledger[0].kind, LedgerKind::Charged);
        assert_eq!(t.ledger[0].amount_cents, 4_000);
        assert_eq!(t.slots.len(), 1);
        assert_eq!(t.slots[0].saga, 0);
        assert_eq!(
            t.notifications.len(),
            2,
            "customer and restaurant are both told"
        );
    }
}

#[test]
fn choreography_publishes_through_the_outbox() {
    let mut h = Harness::preset("happy-path", sagascope::engine::Coordination::Choreography);
    h.drive();
    let t = h.sim.tables();
    let outbox_rows: usize = t.stores.iter().map(|s| s.outbox.len()).sum();
    assert_eq!(outbox_rows, 5, "one event per step");
    assert!(t
        .stores
        .iter()
        .all(|s| s.outbox.iter().all(|r| r.published)));
    let processed: usize = t.stores.iter().map(|s| s.processed_events.len()).sum();
    assert_eq!(
        processed, 6,
        "each consumer records what it processed (five steps, and the pivot's owner hearing that the saga completed)"
    );
}

#[test]
fn orchestration_logs_every_decision() {
    let mut h = Harness::preset("happy-path", sagascope::engine::Coordination::Orchestration);
    h.drive();
    let log = &h.sim.orchestrator().log;
    // Started + (decided, requested, heard) per step + decided(ended).
    assert_eq!(log.len(), 1 + 3 * 5 + 1);
    let t = h.sim.tables();
    let keys: usize = t.stores.iter().map(|s| s.idempotency_keys.len()).sum();
    assert_eq!(keys, 5, "one idempotency key per step");
}
