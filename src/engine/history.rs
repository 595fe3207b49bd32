//! Time travel: checkpoints of a run, so any past moment is rebuilt exactly and quickly.
//!
//! The engine is deterministic, so a moment can always be rebuilt by replaying from the start;
//! checkpoints (clones of the simulation and its invariant monitor every few hundred events)
//! make that instant for long runs: a seek restores the nearest checkpoint at or before the
//! target and replays the rest. The history also remembers where each step of the run ended
//! (its *boundaries*, counted in events), so "one step back" lands where a step forward began.

use super::invariants::Monitor;
use super::scenario::{Scenario, ScenarioError};
use super::sim::Simulation;

/// How many events apart checkpoints are taken.
pub const CHECKPOINT_EVERY: u64 = 256;

/// A run with its invariant monitor, checked after every step up to now: what the player
/// steps, what a checkpoint keeps and what a seek rebuilds.
#[derive(Debug, Clone)]
pub struct CheckedRun {
    /// The run.
    pub sim: Simulation,
    /// The invariant monitor, having checked after every step so far.
    pub monitor: Monitor,
}

impl CheckedRun {
    /// The start of a run: the simulation before its first step, checked once.
    pub fn start(sim: Simulation) -> Self {
        let mut monitor = Monitor::new();
        monitor.observe(&sim);
        CheckedRun { sim, monitor }
    }

    /// Runs the next due occurrence and checks the invariants; `false` if nothing was due.
    pub fn step(&mut self) -> bool {
        if !self.sim.step() {
            return false;
        }
        self.sim.discard_pending_events();
        self.monitor.observe(&self.sim);
        true
    }

    /// Like [`CheckedRun::step`], and also returns the run as it stood right after each event
    /// of the occurrence. `None` if nothing was due.
    ///
    /// The invariants are checked between occurrences, the engine's indivisible steps: inside
    /// one, a message may be sent before its arrival is scheduled, so the moments keep the
    /// monitor as it was before the occurrence, and what the occurrence broke shows at its end.
    pub fn step_by_event(&mut self) -> Option<Vec<CheckedRun>> {
        self.sim.next_timer()?;
        let before = self.monitor.clone();
        let moments = self.sim.step_by_event();
        self.sim.discard_pending_events();
        self.monitor.observe(&self.sim);
        Some(
            moments
                .into_iter()
                .map(|mut sim| {
                    sim.discard_pending_events();
                    CheckedRun {
                        sim,
                        monitor: before.clone(),
                    }
                })
                .collect(),
        )
    }
}

/// Checkpoints and step boundaries of one run.
#[derive(Debug, Clone)]
pub struct History {
    checkpoints: Vec<CheckedRun>,
    every: u64,
    boundaries: Vec<u64>,
}

impl History {
    /// A history whose first checkpoint is `start` (a run before its first step).
    pub fn new(start: &CheckedRun) -> Self {
        Self::with_interval(start, CHECKPOINT_EVERY)
    }

    /// Like [`History::new`], with checkpoints every `every` events.
    pub fn with_interval(start: &CheckedRun, every: u64) -> Self {
        Self {
            boundaries: vec![start.sim.event_count()],
            checkpoints: vec![start.clone()],
            every: every.max(1),
        }
    }

    /// Replays `scenario` through everything due up to `until_ms`, recording as it goes;
    /// returns the history and the moment reached.
    pub fn replay(
        scenario: Scenario,
        until_ms: u64,
        every: u64,
    ) -> Result<(History, CheckedRun), ScenarioError> {
        let mut moment = CheckedRun::start(Simulation::new(scenario)?);
        let mut history = History::with_interval(&moment, every);
        while moment.sim.next_timer().is_some_and(|t| t <= until_ms) && moment.step() {
            history.record(&moment);
        }
        Ok((history, moment))
    }

    /// Call after each step of the run: notes where the step ended and takes a checkpoint when
    /// one is due.
    pub fn record(&mut self, moment: &CheckedRun) {
        let events = moment.sim.event_count();
        if self.boundaries.last().is_some_and(|&b| events > b) {
            self.boundaries.push(events);
        }
        let last = self
            .checkpoints
            .last()
            .map(|c| c.sim.event_count())
            .unwrap_or(0);
        if events >= last + self.every {
            self.checkpoints.push(moment.clone());
        }
    }

    /// Number of checkpoints held.
    pub fn len(&self) -> usize {
        self.checkpoints.len()
    }

    /// Whether no checkpoint is held.
    pub fn is_empty(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// How many events had happened at the end of each step that produced any, from the run's
    /// start (whose construction already emits the initial faults' events).
    pub fn boundaries(&self) -> &[u64] {
        &self.boundaries
    }

    /// The last step boundary before `events`: where "one step back" from there lands.
    pub fn boundary_before(&self, events: u64) -> u64 {
        let i = self.boundaries.partition_point(|&b| b < events);
        match i.checked_sub(1) {
            Some(j) => self.boundaries.get(j).copied().unwrap_or(0),
            None => self.boundaries.first().copied().unwrap_or(0),
        }
    }

    /// The run as it was right after the step that produced event number `events - 1`
    /// (`events` = how many events had happened; never earlier than the run's start).
    pub fn seek(&self, events: u64) -> Option<CheckedRun> {
        let base = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.sim.event_count() <= events)
            .or_else(|| self.checkpoints.first())?;
        let mut moment = base.clone();
        while moment.sim.event_count() < events && moment.step() {}
        Some(moment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::{Coordination, Storage};

    fn run_with_history(every: u64) -> (CheckedRun, History) {
        let scenario = presets::scenario("chaos", Coordination::Choreography, Storage::Shared, 3)
            .expect("preset");
        let mut moment = CheckedRun::start(Simulation::new(scenario).expect("valid"));
        let mut history = History::with_interval(&moment, every);
        while moment.step() {
            history.record(&moment);
        }
        (moment, history)
    }

    #[test]
    fn seeking_rebuilds_exactly_the_same_moment_as_a_replay() {
        let (full, history) = run_with_history(16);
        assert!(history.len() > 2);
        let total = full.sim.event_count();
        for target in [0, 1, 7, 16, 17, 40, total / 2, total] {
            let sought = history.seek(target).expect("seek");
            let mut replay =
                CheckedRun::start(Simulation::new(full.sim.scenario().clone()).expect("valid"));
            while replay.sim.event_count() < target && replay.step() {}
            assert_eq!(sought.sim.trace(), replay.sim.trace(), "target {target}");
            assert_eq!(
                sought.sim.snapshot(),
                replay.sim.snapshot(),
                "target {target}"
            );
            assert_eq!(
                sought.monitor.report(),
                replay.monitor.report(),
                "target {target}"
            );
        }
    }

    #[test]
    fn playing_on_from_a_sought_moment_gives_the_same_trace() {
        let (full, history) = run_with_history(32);
        let mut moment = history.seek(full.sim.event_count() / 3).expect("seek");
        while moment.step() {}
        assert_eq!(moment.sim.trace(), full.sim.trace());
    }

    #[test]
    fn boundaries_are_where_steps_ended() {
        let (full, history) = run_with_history(64);
        let b = history.boundaries();
        assert!(b.windows(2).all(|w| w[0] < w[1]), "strictly increasing");
        assert_eq!(b.last().copied(), Some(full.sim.event_count()));
        // Seeking to a boundary lands exactly on it; one step back from it lands on the one before.
        for w in b.windows(2).step_by(7) {
            let sought = history.seek(w[1]).expect("seek");
            assert_eq!(sought.sim.event_count(), w[1]);
            assert_eq!(history.boundary_before(w[1]), w[0]);
            if w[1] - 1 > w[0] {
                assert_eq!(history.boundary_before(w[1] - 1), w[0]);
            }
        }
        assert_eq!(history.boundary_before(0), b[0]);
    }

    #[test]
    fn a_replay_stops_at_the_time_asked() {
        let (full, _) = run_with_history(64);
        let mid = full.sim.trace()[full.sim.trace().len() / 2].at_ms;
        let (history, moment) =
            History::replay(full.sim.scenario().clone(), mid, 64).expect("replay");
        assert!(moment.sim.trace().iter().all(|e| e.at_ms <= mid));
        assert!(moment.sim.next_timer().is_some_and(|t| t > mid));
        assert_eq!(
            history.boundaries().last().copied(),
            Some(moment.sim.event_count())
        );
        assert_eq!(
            moment.sim.trace(),
            &full.sim.trace()[..moment.sim.trace().len()]
        );
    }
}
