//! Same scenario and seed give the same trace, byte for byte; different seeds under chaos differ.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::invariants::check_determinism;
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::{Command, Coordination, FaultSpec, ServiceId, Storage};

fn trace_of(id: &str, style: Coordination, seed: u64) -> String {
    let mut h =
        Harness::new(presets::scenario(id, style, Storage::PerService, seed).expect("preset"));
    h.drive();
    h.trace_json()
}

#[test]
fn every_preset_gives_identical_trace_bytes_twice() {
    for style in STYLES {
        for preset in PRESETS.iter() {
            if !preset.runs_in(style) {
                continue;
            }
            let a = trace_of(preset.id, style, 42);
            let b = trace_of(preset.id, style, 42);
            assert!(!a.is_empty());
            assert_eq!(a, b, "{} {style:?}", preset.id);
        }
    }
}

#[test]
fn different_seeds_under_chaos_give_different_traces() {
    for style in STYLES {
        let traces: std::collections::BTreeSet<String> =
            (0..5).map(|seed| trace_of("chaos", style, seed)).collect();
        assert!(
            traces.len() >= 4,
            "{style:?}: only {} distinct traces of 5",
            traces.len()
        );
    }
}

#[test]
fn interactive_commands_are_reproduced_by_the_replay_scenario() {
    for style in STYLES {
        let mut h = Harness::preset("happy-path", style);
        h.drive_until(1_700);
        h.sim
            .handle_command(Command::InjectFault {
                fault: FaultSpec::BusinessFailure {
                    step: 3,
                    saga: None,
                },
            })
            .expect("inject");
        h.drive_until(2_345);
        h.sim
            .handle_command(Command::InjectFault {
                fault: FaultSpec::Duplicate {
                    service: Some(ServiceId::Calendar),
                    times: 1,
                },
            })
            .expect("inject");
        h.drive();
        assert_eq!(check_determinism(&h.sim), Ok(()), "{style:?}");
        let mut again = Harness::new(h.sim.replay_scenario());
        again.drive();
        assert_eq!(again.trace_json(), h.trace_json(), "{style:?}");
        assert_eq!(again.outcome(0), h.outcome(0));
    }
}

#[test]
fn a_trace_survives_a_json_round_trip() {
    let mut h = Harness::preset("restaurant-rejects", Coordination::Choreography);
    h.drive();
    for event in h.sim.trace() {
        let back: sagascope::engine::Event =
            serde_json::from_str(&event.to_json()).expect("parses");
        assert_eq!(&back, event);
    }
}

#[test]
fn the_scenario_file_reproduces_the_run() {
    let scenario = presets::scenario(
        "transient-payment",
        Coordination::Choreography,
        Storage::Shared,
        9,
    )
    .expect("preset");
    let text = scenario.to_json();
    let back = sagascope::engine::Scenario::from_json(&text).expect("reads back");
    assert_eq!(back, scenario);
    let mut a = Harness::new(scenario);
    let mut b = Harness::new(back);
    a.drive();
    b.drive();
    assert_eq!(a.trace_json(), b.trace_json());
}

#[test]
fn time_only_moves_forward() {
    let mut h = Harness::preset("happy-path", Coordination::Orchestration);
    h.sim.advance_to(3_000);
    let events = h.sim.event_count();
    h.sim.advance_to(1_000);
    assert_eq!(h.sim.now_ms(), 3_000);
    assert_eq!(h.sim.event_count(), events);
}
