//! The customer cancels: before the pivot the saga aborts; after completion a cancellation saga runs.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::tables::ReservationStatus;
use sagascope::engine::Outcome;

#[test]
fn cancel_before_the_pivot_aborts_and_compensates() {
    for style in STYLES {
        let mut h = Harness::preset("cancel-before-pivot", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert!(
            !h.actions(0).contains(&4),
            "{style:?}: never confirmed: {:?}",
            h.actions(0)
        );
        let comps = h.compensations(0);
        assert!(
            comps.windows(2).all(|w| w[0] > w[1]),
            "{style:?}: reverse order {comps:?}"
        );
        assert_eq!(
            comps.last(),
            Some(&1),
            "{style:?}: the reservation is cancelled last"
        );
        assert_eq!(
            h.sim.tables().reservations[&0].status,
            ReservationStatus::Cancelled
        );
        assert_eq!(h.sim.tables().net_cents(0), 0);
    }
}

#[test]
fn cancel_after_completion_runs_a_cancellation_saga() {
    for style in STYLES {
        let mut h = Harness::preset("cancel-after-completion", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5], "{style:?}");
        assert_eq!(
            h.compensations(0),
            vec![3, 2, 1],
            "{style:?}: release, refund, cancel"
        );
        let t = h.sim.tables();
        assert_eq!(t.reservations[&0].status, ReservationStatus::Cancelled);
        assert!(t.slots.is_empty());
        assert_eq!(t.net_cents(0), 0);
        assert_eq!(
            t.notifications.len(),
            4,
            "{style:?}: confirmed, then told of the cancellation"
        );
    }
}

#[test]
fn cancelling_an_unknown_saga_is_an_error_not_a_panic() {
    let mut h = Harness::preset("happy-path", sagascope::engine::Coordination::Orchestration);
    let err = h
        .sim
        .handle_command(sagascope::engine::Command::Cancel { saga: 5 });
    assert!(err.is_err());
    h.drive();
    assert_eq!(h.outcome(0), Outcome::Completed);
}
