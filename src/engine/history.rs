//! Time travel: checkpoints of a run, so any past moment is rebuilt exactly and quickly.
//!
//! The engine is deterministic, so a moment can always be rebuilt by replaying from the start;
//! checkpoints (clones of the simulation every few hundred events) make that instant for long
//! runs: a seek restores the nearest checkpoint at or before the target and replays the rest.

use super::sim::Simulation;

/// How many events apart checkpoints are taken.
pub const CHECKPOINT_EVERY: u64 = 256;

/// Checkpoints of one run.
#[derive(Debug, Clone)]
pub struct History {
    checkpoints: Vec<Simulation>,
    every: u64,
}

impl History {
    /// A history whose first checkpoint is `start` (a simulation before its first step).
    pub fn new(start: &Simulation) -> Self {
        Self::with_interval(start, CHECKPOINT_EVERY)
    }

    /// Like [`History::new`], with checkpoints every `every` events.
    pub fn with_interval(start: &Simulation, every: u64) -> Self {
        Self {
            checkpoints: vec![start.clone()],
            every: every.max(1),
        }
    }

    /// Call after each step of the live run: takes a checkpoint when one is due.
    pub fn record(&mut self, sim: &Simulation) {
        let last = self
            .checkpoints
            .last()
            .map(Simulation::event_count)
            .unwrap_or(0);
        if sim.event_count() >= last + self.every {
            self.checkpoints.push(sim.clone());
        }
    }

    /// Forgets every checkpoint after `events` (a fork makes them another future's).
    pub fn truncate(&mut self, events: u64) {
        let mut first = true;
        self.checkpoints.retain(|c| {
            let keep = first || c.event_count() <= events;
            first = false;
            keep
        });
    }

    /// Number of checkpoints held.
    pub fn len(&self) -> usize {
        self.checkpoints.len()
    }

    /// Whether no checkpoint is held.
    pub fn is_empty(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// The run as it was right after the step that produced event number `events - 1`
    /// (`events` = how many events had happened; never earlier than the run's start, whose
    /// construction already emits the initial faults' events).
    pub fn seek(&self, events: u64) -> Option<Simulation> {
        let base = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.event_count() <= events)
            .or_else(|| self.checkpoints.first())?;
        let mut sim = base.clone();
        while sim.event_count() < events && sim.step() {}
        sim.discard_pending_events();
        Some(sim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::{Coordination, Storage};

    fn run_with_history(every: u64) -> (Simulation, History) {
        let scenario = presets::scenario("chaos", Coordination::Choreography, Storage::Shared, 3)
            .expect("preset");
        let mut sim = Simulation::new(scenario).expect("valid");
        let mut history = History::with_interval(&sim, every);
        while sim.step() {
            history.record(&sim);
        }
        (sim, history)
    }

    #[test]
    fn seeking_rebuilds_exactly_the_same_moment_as_a_replay() {
        let (full, history) = run_with_history(16);
        assert!(history.len() > 2);
        let total = full.event_count();
        for target in [0, 1, 7, 16, 17, 40, total / 2, total] {
            let sought = history.seek(target).expect("seek");
            let mut replay = Simulation::new(full.scenario().clone()).expect("valid");
            while replay.event_count() < target && replay.step() {}
            assert_eq!(sought.trace(), replay.trace(), "target {target}");
            assert_eq!(sought.snapshot(), replay.snapshot(), "target {target}");
        }
    }

    #[test]
    fn playing_on_from_a_sought_moment_gives_the_same_trace() {
        let (full, history) = run_with_history(32);
        let mut sim = history.seek(full.event_count() / 3).expect("seek");
        while sim.step() {}
        assert_eq!(sim.trace(), full.trace());
    }

    #[test]
    fn truncating_keeps_the_start() {
        let (_, mut history) = run_with_history(8);
        history.truncate(0);
        assert_eq!(history.len(), 1);
        assert!(history.seek(5).is_some());
    }
}
