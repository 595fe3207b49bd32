//! The orchestrator's memory is a fold of its durable log: a crash loses nothing.

mod common;

use common::Harness;
use sagascope::engine::event::EventKind;
use sagascope::engine::orchestration::OrchestratorState;
use sagascope::engine::{Coordination, Outcome};

#[test]
fn an_orchestrator_crash_mid_saga_resumes_from_the_log() {
    let mut h = Harness::preset("orchestrator-crash", Coordination::Orchestration);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.count(|k| matches!(k, EventKind::OrchestratorCrashed)), 1);
    let resumed: Vec<u32> = h
        .sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::OrchestratorRecovered { resumed, .. } => Some(resumed),
            _ => None,
        })
        .collect();
    assert_eq!(resumed, vec![1]);
    assert_eq!(
        h.sim.tables().ledger.len(),
        1,
        "re-sent steps take effect once"
    );
    assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5]);
}

/// A crash at any moment changes nothing a customer could see: the same outcome, the same steps
/// and compensations taking effect, the same money, and every invariant after every event. This
/// compares the crashed run with the run that never crashed, not the log's fold with itself.
#[test]
fn a_crash_at_any_moment_changes_no_business_result() {
    use sagascope::engine::{Command, FaultSpec};
    for preset in [
        "happy-path",
        "card-declined",
        "restaurant-rejects",
        "transient-payment",
    ] {
        let mut calm = Harness::preset(preset, Coordination::Orchestration);
        calm.drive();
        calm.assert_invariants_hold();
        let moments: Vec<u64> = {
            let mut m: Vec<u64> = calm.sim.trace().iter().map(|e| e.at_ms).collect();
            m.dedup();
            m
        };
        let ledger = |h: &Harness| -> Vec<_> {
            h.sim
                .tables()
                .ledger
                .iter()
                .map(|r| (r.kind, r.amount_cents))
                .collect()
        };
        for at_ms in moments {
            let mut h = Harness::preset(preset, Coordination::Orchestration);
            h.drive_until(at_ms);
            h.sim
                .handle_command(Command::InjectFault {
                    fault: FaultSpec::OrchestratorDown { for_ms: 1_500 },
                })
                .expect("a crash is a valid fault");
            h.drive();
            let what = format!("{preset}, crash at {at_ms} ms");
            h.assert_invariants_hold();
            assert_eq!(h.outcome(0), calm.outcome(0), "{what}");
            assert_eq!(h.actions(0), calm.actions(0), "{what}");
            assert_eq!(h.compensations(0), calm.compensations(0), "{what}");
            assert_eq!(ledger(&h), ledger(&calm), "{what}");
        }
    }
}

#[test]
fn the_memory_always_equals_a_replay_of_the_log() {
    for preset in [
        "happy-path",
        "restaurant-rejects",
        "transient-payment",
        "compensation-fails",
        "cancel-after-completion",
    ] {
        let mut h = Harness::preset(preset, Coordination::Orchestration);
        while h.step() {
            if h.sim.orchestrator().down {
                continue;
            }
            let replayed = OrchestratorState::replay(&h.sim.orchestrator().log);
            assert_eq!(
                replayed,
                h.sim.orchestrator().memory,
                "{preset} at {} ms",
                h.sim.now_ms()
            );
        }
    }
}

#[test]
fn a_crash_at_any_moment_still_completes_with_one_charge() {
    use sagascope::engine::scenario::ScheduledCommand;
    use sagascope::engine::{Command, FaultSpec};
    for crash_at in (0..8_000).step_by(250) {
        let mut scenario = sagascope::engine::presets::scenario(
            "happy-path",
            Coordination::Orchestration,
            sagascope::engine::Storage::PerService,
            3,
        )
        .expect("preset");
        scenario.commands.push(ScheduledCommand {
            at_ms: crash_at,
            command: Command::InjectFault {
                fault: FaultSpec::OrchestratorDown { for_ms: 2_000 },
            },
        });
        let mut h = Harness::new(scenario);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "crash at {crash_at}");
        assert_eq!(h.sim.tables().ledger.len(), 1, "crash at {crash_at}");
    }
}

/// Steps `h` until the pivot's first command has been sent.
fn until_the_pivot_is_sent(h: &mut Harness) {
    use sagascope::engine::message::Body;
    use sagascope::engine::Task;
    while h.step() {
        if h.sim.trace().iter().any(|e| {
            matches!(
                e.kind,
                EventKind::MessageSent {
                    body: Body::Command {
                        task: Task::Action(3),
                        ..
                    },
                    ..
                }
            )
        }) {
            return;
        }
    }
    panic!("the pivot was never sent");
}

/// Steps to the end, checking after every step that the memory is a replay of the log.
fn drive_checking_replay(h: &mut Harness, what: &str) {
    while h.step() {
        if h.sim.orchestrator().down {
            continue;
        }
        assert_eq!(
            OrchestratorState::replay(&h.sim.orchestrator().log),
            h.sim.orchestrator().memory,
            "{what} at {} ms",
            h.sim.now_ms()
        );
    }
}

#[test]
fn a_crash_at_the_pivot_resumes_forward_and_confirms_once() {
    use sagascope::engine::tables::ReservationStatus;
    use sagascope::engine::{Command, FaultSpec};
    let mut h = Harness::preset("happy-path", Coordination::Orchestration);
    until_the_pivot_is_sent(&mut h);
    // Down long enough that the pivot's reply arrives while it is down and is lost.
    h.sim
        .handle_command(Command::InjectFault {
            fault: FaultSpec::OrchestratorDown { for_ms: 3_000 },
        })
        .expect("crash");
    drive_checking_replay(&mut h, "crash at the pivot");
    h.assert_invariants_hold();
    assert_eq!(
        h.count(|k| matches!(
            k,
            EventKind::MessageLost {
                reason: sagascope::engine::event::LossReason::ReceiverDown,
                ..
            }
        )),
        1,
        "the pivot's reply was lost in the crash"
    );
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5], "confirmed once");
    assert_eq!(
        h.count(|k| matches!(k, EventKind::CompensationBegun { .. })),
        0
    );
    assert_eq!(
        h.sim.tables().reservations[&0].status,
        ReservationStatus::Confirmed
    );
}

#[test]
fn a_crash_while_waiting_for_a_person_keeps_the_saga_waiting() {
    use sagascope::engine::{Command, FaultSpec};
    let mut scenario = sagascope::engine::presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        sagascope::engine::Storage::PerService,
        0,
    )
    .expect("preset");
    scenario.faults.push(FaultSpec::NoReply {
        step: 4,
        times: 3,
        saga: None,
    });
    let mut h = Harness::new(scenario);
    drive_checking_replay(&mut h, "pivot unknown");
    assert_eq!(h.outcome(0), Outcome::AwaitingPerson);
    h.sim
        .handle_command(Command::InjectFault {
            fault: FaultSpec::OrchestratorDown { for_ms: 1_000 },
        })
        .expect("crash");
    drive_checking_replay(&mut h, "restart");
    assert_eq!(
        h.outcome(0),
        Outcome::AwaitingPerson,
        "not resumed by itself"
    );
    h.sim.handle_command(Command::Redrive).expect("redrive");
    drive_checking_replay(&mut h, "redrive");
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
}

#[test]
fn a_cancel_logged_before_the_start_survives_a_crash() {
    use sagascope::engine::scenario::ScheduledCommand;
    use sagascope::engine::{Command, FaultSpec};
    let mut scenario = sagascope::engine::presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        sagascope::engine::Storage::PerService,
        0,
    )
    .expect("preset");
    scenario.sagas[0].start_ms = 5_000;
    scenario.commands.push(ScheduledCommand {
        at_ms: 1_000,
        command: Command::Cancel { saga: 0 },
    });
    scenario.commands.push(ScheduledCommand {
        at_ms: 3_000,
        command: Command::InjectFault {
            fault: FaultSpec::OrchestratorDown { for_ms: 1_000 },
        },
    });
    let mut h = Harness::new(scenario);
    drive_checking_replay(&mut h, "cancel before the start");
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert!(h.actions(0).is_empty());
}

#[test]
fn a_pivot_whose_reply_died_in_a_crash_stays_unknown_whatever_the_resends_hear() {
    use sagascope::engine::message::Body;
    use sagascope::engine::tables::ReservationStatus;
    use sagascope::engine::{AttentionReason, Command, FaultSpec, Task};
    let mut h = Harness::preset("happy-path", Coordination::Orchestration);
    // Step until the pivot has taken effect and its reply is on the way.
    while h.step() {
        if h.sim.trace().iter().any(|e| {
            matches!(
                e.kind,
                EventKind::MessageSent {
                    body: Body::Reply {
                        task: Task::Action(3),
                        ..
                    },
                    ..
                }
            )
        }) {
            break;
        }
    }
    for fault in [
        FaultSpec::OrchestratorDown { for_ms: 2_000 },
        FaultSpec::TransientError {
            step: 4,
            times: 3,
            saga: None,
        },
    ] {
        h.sim
            .handle_command(Command::InjectFault { fault })
            .expect("inject");
    }
    drive_checking_replay(&mut h, "pivot reply lost in a crash");
    h.assert_invariants_hold();
    assert_eq!(
        h.sim.tables().reservations[&0].status,
        ReservationStatus::Confirmed
    );
    h.assert_awaiting_person(0, AttentionReason::PivotOutcomeUnknown);
    assert_eq!(
        h.count(|k| matches!(k, EventKind::CompensationBegun { .. })),
        0,
        "errors on the resends do not say the first send did nothing"
    );
}

/// A second outage that begins while the orchestrator is already down is the same crash: one
/// crash, one recovery when the last outage ends, and the saga goes on once.
#[test]
fn overlapping_outages_are_one_crash_and_one_recovery() {
    use sagascope::engine::{Command, FaultSpec};
    let mut h = Harness::preset("happy-path", Coordination::Orchestration);
    h.step_until(|h| h.sim.trace().len() > 6);
    for for_ms in [3_000, 1_000] {
        h.sim
            .handle_command(Command::InjectFault {
                fault: FaultSpec::OrchestratorDown { for_ms },
            })
            .expect("an outage");
    }
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.count(|k| matches!(k, EventKind::OrchestratorCrashed)), 1);
    assert_eq!(
        h.count(|k| matches!(k, EventKind::OrchestratorRecovered { .. })),
        1
    );
    assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5]);
}
