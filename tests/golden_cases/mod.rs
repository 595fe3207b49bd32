//! The golden traces: a few presets whose traces are checked in under tests/golden/, so that the
//! native tests and the browser tests both compare the engine's output with the same bytes.

#![allow(dead_code)]

use sagascope::engine::presets;
use sagascope::engine::{Coordination, Simulation, Storage};

/// (preset, style, seed, file name, the file's contents).
pub const CASES: [(&str, Coordination, u64, &str, &str); 6] = [
    (
        "restaurant-rejects",
        Coordination::Orchestration,
        7,
        "restaurant-rejects-orchestration.jsonl",
        include_str!("../golden/restaurant-rejects-orchestration.jsonl"),
    ),
    (
        "restaurant-rejects",
        Coordination::Choreography,
        7,
        "restaurant-rejects-choreography.jsonl",
        include_str!("../golden/restaurant-rejects-choreography.jsonl"),
    ),
    (
        "chaos",
        Coordination::Orchestration,
        3,
        "chaos-orchestration.jsonl",
        include_str!("../golden/chaos-orchestration.jsonl"),
    ),
    (
        "chaos",
        Coordination::Choreography,
        3,
        "chaos-choreography.jsonl",
        include_str!("../golden/chaos-choreography.jsonl"),
    ),
    (
        "two-customers",
        Coordination::Choreography,
        11,
        "two-customers-choreography.jsonl",
        include_str!("../golden/two-customers-choreography.jsonl"),
    ),
    (
        "orchestrator-crash",
        Coordination::Orchestration,
        5,
        "orchestrator-crash-orchestration.jsonl",
        include_str!("../golden/orchestrator-crash-orchestration.jsonl"),
    ),
];

/// The trace of a preset run to rest, one JSON object per line.
pub fn trace(preset: &str, style: Coordination, seed: u64) -> String {
    let scenario = presets::scenario(preset, style, Storage::PerService, seed).expect("preset");
    let mut sim = Simulation::new(scenario).expect("valid");
    while sim.step() {}
    let mut out = String::new();
    for event in sim.trace() {
        out.push_str(&event.to_json());
        out.push('\n');
    }
    out
}
