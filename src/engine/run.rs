//! Running a scenario to rest, with the invariant monitor watching every event.

use serde::Serialize;

use super::event::Outcome;
use super::invariants::{self, InvariantStatus, Monitor};
use super::scenario::Scenario;
use super::sim::Simulation;
use super::snapshot::overall_outcome;

/// How far a run may go in simulated time before it is stopped (ten minutes).
pub const HORIZON_MS: u64 = 600_000;

/// How thoroughly to watch a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// Check the invariants after every event.
    EveryEvent,
    /// Check them once, at the end.
    AtEnd,
}

/// What a run came to.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Each saga's outcome.
    pub outcomes: Vec<Outcome>,
    /// The run's overall outcome.
    pub outcome: Outcome,
    /// Events in the trace.
    pub events: usize,
    /// Simulated time at the end.
    pub end_ms: u64,
    /// Whether the run came to rest (nothing more due) before the horizon.
    pub settled: bool,
    /// Every invariant's status.
    pub invariants: Vec<InvariantStatus>,
    /// Invariant checks made.
    pub checks: u64,
}

impl RunReport {
    /// Whether every invariant held.
    pub fn all_hold(&self) -> bool {
        self.invariants.iter().all(|i| i.holds)
    }
}

/// Steps `sim` until it rests or passes the horizon, checking the invariants as asked; invariant 7
/// is checked by replaying the run when `replay` is set.
pub fn run_to_rest(sim: &mut Simulation, watch: Watch, replay: bool) -> RunReport {
    let mut monitor = Monitor::new();
    while sim.next_timer().is_some_and(|t| t <= HORIZON_MS) {
        sim.step();
        sim.discard_pending_events();
        if watch == Watch::EveryEvent {
            monitor.observe(sim);
        }
    }
    // One last check in every case: only now does the monitor know the run is at rest (invariant 1).
    monitor.observe(sim);
    if replay {
        let result = invariants::check_determinism(sim);
        monitor.record_determinism(sim, result);
    }
    RunReport {
        outcomes: sim.sagas().iter().map(|s| s.outcome).collect(),
        outcome: overall_outcome(sim.sagas()),
        events: usize::try_from(sim.event_count()).unwrap_or(usize::MAX),
        end_ms: sim.now_ms(),
        settled: sim.is_quiescent(),
        invariants: monitor.report(),
        checks: monitor.checks(),
    }
}

/// Builds and runs a scenario to rest.
pub fn run_scenario(
    scenario: Scenario,
    watch: Watch,
) -> Result<(Simulation, RunReport), super::ScenarioError> {
    let mut sim = Simulation::new(scenario)?;
    let report = run_to_rest(&mut sim, watch, false);
    Ok((sim, report))
}
