//! Transient failures are retried with exponential backoff; forward recovery after the pivot.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::event::EventKind;
use sagascope::engine::scenario::RetryPolicies;
use sagascope::engine::{Coordination, Outcome, Task};

#[test]
fn transient_payment_errors_are_retried_then_succeed() {
    for style in STYLES {
        let mut h = Harness::preset("transient-payment", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert_eq!(
            h.sim.sagas()[0].steps[1].attempts,
            3,
            "{style:?}: two failures, then success"
        );
        assert_eq!(h.sim.tables().ledger.len(), 1, "{style:?}: charged once");
    }
}

#[test]
fn orchestration_backs_off_exponentially() {
    let mut h = Harness::preset("transient-payment", Coordination::Orchestration);
    h.drive();
    let delays: Vec<u64> = h
        .sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::RetryScheduled { delay_ms, .. } => Some(delay_ms),
            _ => None,
        })
        .collect();
    assert_eq!(delays, vec![1_000, 2_000]);
}

#[test]
fn retry_delays_grow_by_the_backoff_rate_up_to_the_cap() {
    let policy = RetryPolicies::default().step;
    assert_eq!(policy.delay_before(2), 1_000);
    assert_eq!(policy.delay_before(3), 2_000);
    assert_eq!(policy.delay_before(4), 4_000);
    assert_eq!(policy.delay_before(5), 8_000);
    assert_eq!(policy.delay_before(9), 8_000, "capped at max_delay_ms");
    assert!(policy.allows(2));
    assert!(!policy.allows(3));
}

#[test]
fn choreography_redelivers_after_the_visibility_timeout() {
    let mut h = Harness::preset("transient-payment", Coordination::Choreography);
    h.drive();
    let receives: Vec<(u64, u32)> = h
        .sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Received {
                queue: sagascope::engine::ServiceId::Payment,
                receive_count,
                ..
            } => Some((e.at_ms, receive_count)),
            _ => None,
        })
        .collect();
    assert_eq!(
        receives.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let visibility = h.sim.scenario().queues.visibility_timeout_ms;
    assert_eq!(receives[1].0 - receives[0].0, visibility);
}

#[test]
fn retries_exhausted_before_the_pivot_compensate() {
    for style in STYLES {
        let mut scenario = sagascope::engine::presets::scenario(
            "happy-path",
            style,
            sagascope::engine::Storage::PerService,
            0,
        )
        .expect("preset");
        scenario
            .faults
            .push(sagascope::engine::FaultSpec::TransientError {
                step: 3,
                times: 10,
                saga: None,
            });
        let mut h = Harness::new(scenario);
        h.drive();
        h.assert_invariants_hold();
        match style {
            Coordination::Orchestration => {
                assert_eq!(h.outcome(0), Outcome::Compensated);
                assert_eq!(h.sim.sagas()[0].steps[2].attempts, 3, "max attempts");
                assert_eq!(h.compensations(0), vec![2, 1]);
            }
            Coordination::Choreography => {
                // No coordinator gives up: the message goes to the dead-letter queue for a person.
                assert_eq!(h.outcome(0), Outcome::AwaitingPerson);
                assert_eq!(h.sim.dead_letters().len(), 1);
                assert_eq!(h.sim.sagas()[0].stuck, Some(Task::Action(2)));
            }
        }
    }
}

#[test]
fn notifier_down_is_recovered_forwards_after_the_pivot() {
    for style in STYLES {
        let mut h = Harness::preset("notifier-down", style);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert!(
            h.compensations(0).is_empty(),
            "{style:?}: nothing is undone after the pivot"
        );
        let notified_at = h
            .sim
            .effects()
            .iter()
            .find(|e| e.task == Task::Action(4))
            .map(|e| e.at_ms)
            .expect("notified");
        assert!(
            notified_at >= 9_000,
            "{style:?}: only once the notifier is back ({notified_at})"
        );
    }
}

#[test]
fn orchestration_retries_the_retriable_step_beyond_the_step_limit() {
    let mut scenario = sagascope::engine::presets::scenario(
        "notifier-down",
        Coordination::Orchestration,
        sagascope::engine::Storage::PerService,
        0,
    )
    .expect("preset");
    scenario.faults = vec![sagascope::engine::FaultSpec::ServiceDown {
        service: sagascope::engine::ServiceId::Notification,
        for_ms: 30_000,
    }];
    let mut h = Harness::new(scenario);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert!(
        h.sim.sagas()[0].steps[4].attempts > 3,
        "a retriable step has no attempt limit: {}",
        h.sim.sagas()[0].steps[4].attempts
    );
}
