//! A compensation that keeps failing ends the saga rollback incomplete, listed for a person.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::{Command, Coordination, Outcome, Task};

#[test]
fn a_refund_that_always_fails_ends_rollback_incomplete() {
    for style in STYLES {
        let mut h = Harness::preset("compensation-fails", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::RollbackIncomplete, "{style:?}");
        assert_eq!(
            h.sim.sagas()[0].stuck,
            Some(Task::Compensate(1)),
            "{style:?}"
        );
        assert_eq!(
            h.compensations(0),
            vec![3],
            "{style:?}: slot released, refund stuck"
        );
        assert_eq!(
            h.sim.tables().net_cents(0),
            4_000,
            "{style:?}: the money is still held"
        );
        let snapshot = h.sim.snapshot();
        assert_eq!(snapshot.manual_intervention, vec![(0, Task::Compensate(1))]);
    }
}

#[test]
fn orchestration_gives_up_after_the_compensation_retry_limit() {
    let mut h = Harness::preset("compensation-fails", Coordination::Orchestration);
    h.drive();
    let max = h
        .sim
        .scenario()
        .retry
        .compensation
        .max_attempts
        .expect("bounded");
    assert_eq!(h.sim.sagas()[0].steps[1].compensation_attempts, max);
}

#[test]
fn fixing_the_fault_and_redriving_finishes_the_rollback() {
    for style in STYLES {
        let mut h = Harness::preset("compensation-fails", style);
        h.drive();
        h.sim
            .handle_command(Command::RemoveFault { fault: 1 })
            .expect("remove");
        h.sim.handle_command(Command::Redrive).expect("redrive");
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(h.compensations(0), vec![3, 2, 1], "{style:?}");
        assert_eq!(h.sim.tables().net_cents(0), 0);
        assert_eq!(h.sim.sagas()[0].stuck, None);
    }
}

#[test]
fn a_compensation_that_fails_a_few_times_is_retried_to_success() {
    for style in STYLES {
        let mut scenario = sagascope::engine::presets::scenario(
            "restaurant-rejects",
            style,
            sagascope::engine::Storage::PerService,
            0,
        )
        .expect("preset");
        scenario
            .faults
            .push(sagascope::engine::FaultSpec::CompensationFails {
                step: 3,
                times: Some(2),
                saga: None,
            });
        let mut h = Harness::new(scenario);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(h.compensations(0), vec![3, 2, 1]);
        assert_eq!(
            h.sim.sagas()[0].steps[2].compensation_attempts,
            3,
            "{style:?}"
        );
    }
}
