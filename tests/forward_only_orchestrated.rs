//! Orchestration: retriable steps and the failure notice only go forward: retried with capped backoff; when the
//! policy gives up, the saga waits for a person (never compensated), and a redrive resumes it.

mod common;

use common::Harness;
use sagascope::engine::event::EventKind;
use sagascope::engine::tables::ReservationStatus;
use sagascope::engine::{
    AttentionReason, Command, Coordination, FaultSpec, Outcome, Scenario, ServiceId, Storage, Task,
};

const NOTIFY: Task = Task::Action(4);
const NOTIFIER_DOWN_MS: u64 = 60_000;

/// `preset` with Notification down for a minute and the retriable policy bounded to `max`.
fn notifier_down(preset: &str, max: Option<u32>) -> Scenario {
    let mut s = sagascope::engine::presets::scenario(
        preset,
        Coordination::Orchestration,
        Storage::PerService,
        0,
    )
    .expect("preset");
    s.faults.push(FaultSpec::ServiceDown {
        service: ServiceId::Notification,
        for_ms: NOTIFIER_DOWN_MS,
    });
    s.retry.retriable.max_attempts = max;
    s
}

fn compensation_begun(h: &Harness) -> usize {
    h.count(|k| matches!(k, EventKind::CompensationBegun { .. }))
}

/// Runs until the notifier is back, then redrives.
fn back_and_redrive(h: &mut Harness) {
    h.drive_until(NOTIFIER_DOWN_MS + 1);
    h.sim.handle_command(Command::Redrive).expect("redrive");
    h.drive();
}

#[test]
fn a_step_after_the_pivot_out_of_retries_waits_for_a_person() {
    let mut h = Harness::new(notifier_down("happy-path", Some(3)));
    h.drive();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::ForwardStepExhausted);
    let saga = &h.sim.sagas()[0];
    assert_eq!(saga.stuck, Some(NOTIFY));
    assert_eq!(saga.steps[4].attempts, 3);
    assert_eq!(compensation_begun(&h), 0, "never compensated");
    let t = h.sim.tables();
    assert_eq!(t.reservations[&0].status, ReservationStatus::Confirmed);
    assert_eq!(t.net_cents(0), 4_000);
}

#[test]
fn a_single_attempt_policy_waits_for_a_person_after_the_first_failure() {
    let mut h = Harness::new(notifier_down("happy-path", Some(1)));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::AwaitingPerson);
    assert_eq!(h.sim.sagas()[0].steps[4].attempts, 1);
    assert_eq!(
        h.count(|k| matches!(k, EventKind::RetryScheduled { task: NOTIFY, .. })),
        0
    );
    assert_eq!(compensation_begun(&h), 0);
}

#[test]
fn a_redrive_resumes_the_step_and_the_saga_completes() {
    let mut h = Harness::new(notifier_down("happy-path", Some(3)));
    back_and_redrive(&mut h);
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.sim.sagas()[0].stuck, None);
    assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5]);
    assert_eq!(compensation_begun(&h), 0);
}

#[test]
fn retries_of_a_step_after_the_pivot_back_off_up_to_the_cap() {
    let mut h = Harness::new(notifier_down("happy-path", None));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    let cap = h.sim.scenario().retry.retriable.max_delay_ms;
    let delays: Vec<u64> = h
        .sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::RetryScheduled {
                task: NOTIFY,
                delay_ms,
                ..
            } => Some(delay_ms),
            _ => None,
        })
        .collect();
    assert!(delays.len() > 4, "{delays:?}");
    assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
    assert!(delays.iter().all(|&d| d <= cap), "{delays:?}");
    assert_eq!(delays.last(), Some(&cap), "{delays:?}");
}

#[test]
fn a_failure_notice_that_cannot_be_delivered_waits_for_a_person() {
    let mut h = Harness::new(notifier_down("card-declined", Some(2)));
    h.drive();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::FailureNoticeExhausted);
    let saga = &h.sim.sagas()[0];
    assert_eq!(saga.stuck, Some(Task::FailureNotice));
    assert_eq!(saga.notice.attempts, 2);
    assert_eq!(h.compensations(0), vec![1], "the rollback itself is done");
    assert!(h.sim.tables().notifications.is_empty());
}

#[test]
fn a_redrive_delivers_the_failure_notice_and_the_saga_is_compensated() {
    let mut h = Harness::new(notifier_down("card-declined", Some(2)));
    back_and_redrive(&mut h);
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(h.sim.sagas()[0].stuck, None);
    assert_eq!(h.sim.tables().notifications.len(), 2, "both parties told");
    assert_eq!(
        h.count(|k| matches!(
            k,
            EventKind::TaskStarted {
                task: Task::FailureNotice,
                attempt: 1
            }
        )),
        2,
        "the redrive begins a new series at 1"
    );
}

/// The happy path with the notifier answering later than the step timeout, under a retriable
/// policy of `max` attempts.
fn slow_notifier(max: u32) -> Scenario {
    let mut s = common::orchestrated_happy_path(&[]);
    s.faults.push(FaultSpec::Latency {
        service: ServiceId::Notification,
        extra_ms: s.timing.step_timeout_ms + 500,
    });
    s.retry.retriable.max_attempts = Some(max);
    s
}

#[test]
fn a_late_done_heard_before_the_retries_run_out_lets_the_saga_complete() {
    // Every reply from the notifier is late, so none decides an attempt. But the "done" to the
    // first attempt comes back while the second is out: the notification took effect, and when
    // the retries run out the saga goes forward instead of waiting for a person.
    let mut h = Harness::new(slow_notifier(2));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(
        h.count(|k| matches!(k, EventKind::ReplyStale { .. })),
        2,
        "both replies were late"
    );
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.sim.sagas()[0].stuck_reason, None);
    assert_eq!(compensation_begun(&h), 0);
}

#[test]
fn with_one_attempt_no_late_done_comes_in_time_and_a_person_decides() {
    let mut h = Harness::new(slow_notifier(1));
    h.drive();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::ForwardStepExhausted);
    assert_eq!(compensation_begun(&h), 0);
}
