//! Replies carry their attempt (a task token): the orchestrator accepts only the reply to the
//! attempt it awaits now; an answer to an attempt no longer awaited is logged as stale and
//! decides nothing.

mod common;

use common::Harness;
use sagascope::engine::event::EventKind;
use sagascope::engine::orchestration::{Heard, LogRecord};
use sagascope::engine::{Coordination, FaultSpec, Outcome, ServiceId, Storage, Task};

const CHARGE: Task = Task::Action(1);

fn happy_path() -> sagascope::engine::Scenario {
    sagascope::engine::presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
        0,
    )
    .expect("preset")
}

/// The first charge command is held up by `extra_ms` on the way to Payment.
fn first_charge_delayed(extra_ms: u64) -> sagascope::engine::Scenario {
    let mut scenario = happy_path();
    scenario.faults.push(FaultSpec::Delay {
        service: Some(ServiceId::Payment),
        extra_ms,
        times: 1,
    });
    scenario
}

/// (attempt, awaited) of every stale reply.
fn stale(h: &Harness) -> Vec<(u32, Option<u32>)> {
    h.sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ReplyStale {
                attempt, awaited, ..
            } => Some((attempt, awaited)),
            _ => None,
        })
        .collect()
}

/// What the orchestrator's log says it heard for attempt `attempt` of `task`.
fn heard(h: &Harness, task: Task, attempt: u32) -> Vec<Heard> {
    h.sim
        .orchestrator()
        .log
        .iter()
        .filter_map(|e| match e.record {
            LogRecord::Heard {
                task: t,
                attempt: a,
                heard,
            } if t == task && a == attempt => Some(heard),
            _ => None,
        })
        .collect()
}

#[test]
fn a_late_reply_meets_the_retry_and_is_ignored_as_stale() {
    let mut h = Harness::preset("slow-payment", Coordination::Orchestration);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(
        stale(&h),
        vec![(1, Some(2))],
        "attempt 1 answers while 2 is awaited"
    );
    assert_eq!(
        heard(&h, CHARGE, 1),
        vec![Heard::TimedOut],
        "the late answer to attempt 1 is not recorded as heard"
    );
    assert_eq!(
        heard(&h, CHARGE, 2),
        vec![Heard::Reply(sagascope::engine::TaskResult::Done)]
    );
    assert_eq!(h.sim.tables().ledger.len(), 1, "one charge");
}

#[test]
fn a_late_done_while_waiting_to_retry_does_not_save_the_retry() {
    // The reply to attempt 1 arrives after its timeout and before the retry is sent.
    let mut h = Harness::new(first_charge_delayed(1_500));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(
        stale(&h),
        vec![(1, None)],
        "nothing is awaited when it arrives"
    );
    assert_eq!(
        h.sim.sagas()[0].steps[1].attempts,
        2,
        "the retry is still sent: a stale answer decides nothing"
    );
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.sim.tables().ledger.len(), 1);
}

#[test]
fn a_stale_error_never_decides_the_current_attempt() {
    // Attempt 1 reaches Payment late and fails transiently; its error arrives while attempt 2
    // (which succeeds) is awaited, and must not cause a third attempt.
    let mut scenario = first_charge_delayed(2_500);
    scenario.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 1,
        saga: None,
    });
    let mut h = Harness::new(scenario);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(stale(&h), vec![(1, Some(2))]);
    assert_eq!(h.sim.sagas()[0].steps[1].attempts, 2);
    assert_eq!(
        h.count(|k| matches!(k, EventKind::TaskStarted { task, attempt: 3 } if *task == CHARGE)),
        0
    );
    assert_eq!(h.outcome(0), Outcome::Completed);
}

#[test]
fn a_duplicated_reply_is_a_duplicate_not_a_stale_answer() {
    let mut h = Harness::preset("duplicate-event", Coordination::Orchestration);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert!(stale(&h).is_empty(), "{:?}", stale(&h));
    assert_eq!(h.count(|k| matches!(k, EventKind::ReplyIgnored { .. })), 1);
}

#[test]
fn a_reply_carries_the_token_of_the_command_it_answers() {
    let mut h = Harness::preset("slow-payment", Coordination::Orchestration);
    h.drive();
    let messages = h.sim.messages();
    let tokens: Vec<u32> = h
        .sim
        .orchestrator()
        .log
        .iter()
        .filter_map(|e| match e.record {
            LogRecord::Requested { token, .. } => Some(token),
            _ => None,
        })
        .collect();
    let replies: Vec<_> = messages
        .iter()
        .filter(|m| matches!(m.body, sagascope::engine::message::Body::Reply { .. }))
        .collect();
    assert!(!replies.is_empty());
    for reply in replies {
        assert!(
            tokens.contains(&reply.event_id),
            "reply {} carries a token no command was sent with",
            reply.id
        );
    }
    let mut unique = tokens.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        tokens.len(),
        "every command has its own token"
    );
}

/// After a restart the orchestrator sends the command it awaited again under the same token. The
/// original's answer and the re-sent copy's answer then both arrive: the first decides, the
/// second is a duplicate of an answer already heard, not a stale answer to an old attempt.
#[test]
fn the_second_answer_to_a_resent_command_is_a_duplicate() {
    let mut scenario = happy_path();
    // Payment is slow, so that the orchestrator is back before either answer arrives.
    scenario.faults.push(FaultSpec::Latency {
        service: ServiceId::Payment,
        extra_ms: 400,
    });
    let mut h = Harness::new(scenario);
    h.step_until(|h| {
        h.sim
            .orchestrator()
            .log
            .iter()
            .any(|e| matches!(e.record, LogRecord::Requested { task, .. } if task == CHARGE))
    });
    h.sim
        .handle_command(sagascope::engine::Command::InjectFault {
            fault: FaultSpec::OrchestratorDown { for_ms: 100 },
        })
        .expect("a crash");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    let charges: Vec<u32> = h
        .sim
        .orchestrator()
        .log
        .iter()
        .filter_map(|e| match e.record {
            LogRecord::Requested { task, token, .. } if task == CHARGE => Some(token),
            _ => None,
        })
        .collect();
    assert_eq!(charges.len(), 2, "sent, then re-sent after the restart");
    assert_eq!(charges[0], charges[1], "under the same token");
    assert!(stale(&h).is_empty(), "{:?}", stale(&h));
    assert_eq!(h.count(|k| matches!(k, EventKind::ReplyIgnored { .. })), 1);
    assert_eq!(h.sim.tables().ledger.len(), 1, "one charge");
}
