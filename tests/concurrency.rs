//! Several sagas at once: the semantic lock keeps a slot to one saga.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::Outcome;

#[test]
fn two_customers_one_slot_the_second_is_refused_and_compensates() {
    for style in STYLES {
        let mut h = Harness::preset("two-customers", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert_eq!(h.outcome(1), Outcome::Compensated, "{style:?}");
        assert_eq!(
            h.compensations(1),
            vec![2, 1],
            "{style:?}: refund, then cancel"
        );
        let t = h.sim.tables();
        assert_eq!(t.slots.len(), 1);
        assert_eq!(t.slots[0].saga, 0);
        assert_eq!(t.net_cents(0), 4_000);
        assert_eq!(t.net_cents(1), 0);
    }
}

#[test]
fn without_the_semantic_lock_both_take_the_slot_and_invariant_6_breaks() {
    for style in STYLES {
        let mut h = Harness::preset("no-semantic-lock", style);
        h.drive();
        assert_eq!(h.sim.tables().slots.len(), 2, "{style:?}");
        assert_eq!(h.broken(), vec![6], "{style:?}");
        let first = h
            .violations
            .iter()
            .find(|v| v.invariant == sagascope::engine::Invariant::MoneyAddsUp)
            .expect("a violation");
        assert!(
            first.detail.contains("held by sagas 1 and 2"),
            "{}",
            first.detail
        );
    }
}
