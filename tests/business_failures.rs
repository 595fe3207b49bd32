//! A business failure before the commit point compensates the completed steps in exact reverse order.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::tables::{LedgerKind, ReservationStatus};
use sagascope::engine::Outcome;

#[test]
fn card_declined_cancels_the_reservation_and_tells_both_parties() {
    for style in STYLES {
        let mut h = Harness::preset("card-declined", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(h.actions(0), vec![1], "{style:?}");
        assert_eq!(h.compensations(0), vec![1], "{style:?}");
        let t = h.sim.tables();
        assert_eq!(t.reservations[&0].status, ReservationStatus::Cancelled);
        assert!(t.ledger.is_empty(), "nothing was charged");
        assert_eq!(t.notifications.len(), 2);
        assert!(t.notifications.iter().all(|n| n.text.contains("failed")));
    }
}

#[test]
fn slot_taken_refunds_then_cancels() {
    for style in STYLES {
        let mut h = Harness::preset("slot-taken", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(h.actions(0), vec![1, 2], "{style:?}");
        assert_eq!(h.compensations(0), vec![2, 1], "{style:?}");
        let kinds: Vec<LedgerKind> = h.sim.tables().ledger.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, vec![LedgerKind::Charged, LedgerKind::Refunded]);
        assert!(h.sim.tables().slots.is_empty());
    }
}

#[test]
fn restaurant_rejects_releases_slot_refunds_and_cancels_in_that_order() {
    for style in STYLES {
        let mut h = Harness::preset("restaurant-rejects", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(h.actions(0), vec![1, 2, 3], "{style:?}");
        assert_eq!(h.compensations(0), vec![3, 2, 1], "{style:?}");
        let t = h.sim.tables();
        assert!(t.slots.is_empty());
        assert_eq!(h.sim.tables().net_cents(0), 0);
        assert_eq!(t.reservations[&0].status, ReservationStatus::Cancelled);
    }
}

#[test]
fn the_failure_notice_comes_after_the_last_compensation() {
    for style in STYLES {
        let mut h = Harness::preset("restaurant-rejects", style);
        h.drive();
        let effects = h.effects(0);
        assert_eq!(
            effects.last(),
            Some(&sagascope::engine::Task::FailureNotice),
            "{style:?}: {effects:?}"
        );
    }
}
