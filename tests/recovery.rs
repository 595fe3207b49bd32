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
