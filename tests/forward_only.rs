//! Choreography: forward-only work that dead-letters waits for a person, never "rollback
//! incomplete" and never running for ever; a compensation that dead-letters leaves the rollback
//! incomplete; a redrive resumes; a poison message stops only its own saga.

mod common;

use common::Harness;
use sagascope::engine::presets;
use sagascope::engine::scenario::ScheduledCommand;
use sagascope::engine::{
    AttentionReason, Command, Coordination, FaultSpec, Outcome, SagaSpec, Scenario, ServiceId,
    Storage, Task,
};

fn choreography(preset: &str) -> Scenario {
    presets::scenario(preset, Coordination::Choreography, Storage::PerService, 0).expect("preset")
}

fn at(at_ms: u64, command: Command) -> ScheduledCommand {
    ScheduledCommand { at_ms, command }
}

#[test]
fn a_dead_lettered_step_after_the_pivot_waits_for_a_person() {
    let mut s = choreography("happy-path");
    s.faults.push(FaultSpec::TransientError {
        step: 5,
        times: 10,
        saga: None,
    });
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::ForwardStepExhausted);
    let saga = &h.sim.sagas()[0];
    assert_eq!(saga.stuck, Some(Task::Action(4)));
    assert!(
        h.compensations(0).is_empty(),
        "nothing undone after the pivot"
    );
}

#[test]
fn a_dead_lettered_failure_notice_waits_for_a_person() {
    let mut s = choreography("card-declined");
    s.faults.push(FaultSpec::Poison {
        service: ServiceId::Notification,
    });
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::FailureNoticeExhausted);
    let saga = &h.sim.sagas()[0];
    assert_eq!(saga.stuck, Some(Task::FailureNotice));
}

#[test]
fn a_dead_lettered_compensation_leaves_the_rollback_incomplete() {
    let mut s = choreography("slot-taken");
    s.faults.push(FaultSpec::CompensationFails {
        step: 2,
        times: None,
        saga: None,
    });
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::RollbackIncomplete);
    assert_eq!(h.sim.sagas()[0].stuck, Some(Task::Compensate(1)));
}

#[test]
fn a_redrive_resumes_a_saga_waiting_for_a_person() {
    let mut s = choreography("happy-path");
    s.faults.push(FaultSpec::TransientError {
        step: 5,
        times: 5,
        saga: None,
    });
    s.commands.push(at(30_000, Command::Redrive));
    let mut h = Harness::new(s);
    h.drive_until(29_000);
    assert_eq!(h.outcome(0), Outcome::AwaitingPerson);
    h.drive_until(30_000);
    assert_eq!(h.outcome(0), Outcome::Running, "the redrive resumes it");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.sim.sagas()[0].stuck, None);
}

#[test]
fn a_poison_message_stops_only_its_own_saga() {
    let mut s = choreography("poison-redrive");
    s.commands.clear();
    let mut second = SagaSpec::new("Grace", "Sat 20:00 · table 1");
    second.start_ms = 300;
    s.sagas.push(second);
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    h.assert_awaiting_person(0, AttentionReason::DeadLettered);
    assert_eq!(h.outcome(1), Outcome::Completed, "the other saga goes on");
    assert_eq!(h.sim.sagas()[1].stuck, None);
    assert_eq!(h.sim.dead_letters().len(), 1);
}
