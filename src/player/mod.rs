//! The run the page shows: one simulation, its invariant monitor, its settings and the user's
//! fault plan, driven by the page's clock.
//!
//! Plain Rust with no web dependency, so it is tested natively. The page keeps one `Player` and
//! reaches the engine only through it: commands in (`inject`, `cancel`, `redrive`), time in
//! (`advance`, `step`), snapshots out.

use crate::engine::event::Event;
use crate::engine::fault::{FaultKind, FaultSpec};
use crate::engine::history::{CheckedRun, History, CHECKPOINT_EVERY};
use crate::engine::invariants::{self, InvariantStatus};
use crate::engine::presets;
use crate::engine::run::HORIZON_MS;
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{
    Command, Coordination, Safeguards, Scenario, ScenarioError, Storage,
};
use crate::engine::sim::{CommandError, Simulation};
use crate::engine::snapshot::Snapshot;
use crate::share::link::Playhead;

/// What a run is made of, besides the user's fault plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSettings {
    /// The preset's id.
    pub preset: &'static str,
    /// Orchestration or choreography.
    pub coordination: Coordination,
    /// Per service or shared.
    pub storage: Storage,
    /// The seed.
    pub seed: u64,
    /// The safeguards switched in the bar; `None` keeps the preset's (or the scenario's) own.
    pub safeguards: Option<Safeguards>,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            preset: "happy-path",
            coordination: Coordination::Orchestration,
            storage: Storage::PerService,
            seed: 1,
            safeguards: None,
        }
    }
}

/// Why the player could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlayerError {
    /// No preset has that id.
    #[error("there is no preset called {0:?}")]
    NoSuchPreset(String),
    /// The preset means something in one coordination style only.
    #[error("the preset {0:?} runs in {style} only: switch to it", style = .1.as_str())]
    OneStyleOnly(&'static str, Coordination),
    /// The scenario was rejected.
    #[error("the scenario is not valid: {0}")]
    Scenario(#[from] ScenarioError),
    /// The engine refused a command.
    #[error("{0}")]
    Command(#[from] CommandError),
}

/// One run, as the page drives it.
#[derive(Debug, Clone)]
pub struct Player {
    settings: RunSettings,
    plan: Vec<FaultSpec>,
    /// The moment shown: the run and its invariant monitor.
    at: CheckedRun,
    /// Simulated time with a fraction, so slow speeds still move smoothly.
    clock_ms: f64,
    /// Faults of this run that belong to the user's plan: (fault number in the run, plan entry).
    planned: Vec<(usize, FaultSpec)>,
    determinism_checked: bool,
    /// A whole scenario the run is made from instead of a preset (opened from a link or a file).
    base: Option<Scenario>,
    /// The run's latest moment, while an earlier one is shown (after a step back or a seek).
    latest: Option<Box<Latest>>,
    /// Checkpoints and step boundaries of the run, for going back; rebuilt when needed.
    tape: Option<History>,
    /// How many of the scenario's commands are its own (those given while it ran come after).
    own_commands: usize,
    /// How many events the run's construction emitted (its start on the timeline).
    start_events: u64,
    /// Stop before the step that begins with this many events (predict mode's pause).
    stop_before: Option<u64>,
    /// The last fork, until the page has said so.
    fork: Option<Fork>,
    /// Step shows one event at a time: the run has gone through the whole occurrence (`at`),
    /// and the page shows it as it stood after one of the occurrence's earlier events.
    unfolding: Option<Unfolding>,
}

/// The events of one occurrence, shown one at a time.
#[derive(Debug, Clone)]
struct Unfolding {
    /// The run right after each of the occurrence's events but the last (the last is `at`).
    moments: Vec<CheckedRun>,
    /// Which is shown.
    shown: usize,
    /// How far the page has shown it (`moments.len()`: to its end, the run itself).
    seen: usize,
}

impl Unfolding {
    /// The furthest moment of the occurrence the page has shown; `None`: its end.
    fn furthest(&self) -> Option<&CheckedRun> {
        self.moments.get(self.seen)
    }
}

/// The run's latest moment, kept while the page shows an earlier one.
#[derive(Debug, Clone)]
struct Latest {
    at: CheckedRun,
    clock_ms: f64,
    determinism_checked: bool,
    /// The instant being shown event by event when the page left it: its furthest event shown
    /// is the latest moment.
    unfolding: Option<Unfolding>,
}

/// A new future: a command given at a past moment replaced what came after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fork {
    /// When, in simulated time.
    pub at_ms: u64,
    /// How many events had happened.
    pub events: u64,
    /// How many events of the old future were discarded.
    pub discarded: u64,
}

/// What `RunSettings::preset` says when the run is a whole scenario that no preset produces.
pub const CUSTOM: &str = "custom";

fn scenario_for(
    settings: &RunSettings,
    plan: &[FaultSpec],
    base: Option<&Scenario>,
) -> Result<Scenario, PlayerError> {
    if let Some(base) = base {
        let mut scenario = base.clone();
        scenario.coordination = settings.coordination;
        scenario.storage = settings.storage;
        scenario.seed = settings.seed;
        if let Some(safeguards) = &settings.safeguards {
            scenario.safeguards = safeguards.clone();
        }
        scenario.faults.extend(plan.iter().cloned());
        return Ok(scenario);
    }
    let preset = presets::find(settings.preset)
        .ok_or_else(|| PlayerError::NoSuchPreset(settings.preset.to_string()))?;
    if let Some(only) = preset.only.filter(|&only| only != settings.coordination) {
        return Err(PlayerError::OneStyleOnly(preset.title, only));
    }
    let mut scenario = presets::scenario(
        settings.preset,
        settings.coordination,
        settings.storage,
        settings.seed,
    )
    .ok_or_else(|| PlayerError::NoSuchPreset(settings.preset.to_string()))?;
    if let Some(safeguards) = &settings.safeguards {
        scenario.safeguards = safeguards.clone();
    }
    scenario.faults.extend(plan.iter().cloned());
    Ok(scenario)
}

impl Player {
    /// A run of `settings` with the user's fault plan injected at time 0.
    pub fn new(settings: RunSettings, plan: Vec<FaultSpec>) -> Result<Self, PlayerError> {
        Player::build(settings, plan, None)
    }

    /// A run of a whole scenario (opened from a link or a file), paused at time 0. `preset` is
    /// the preset it came from, if any; its faults and commands stay part of the scenario.
    pub fn from_scenario(
        scenario: Scenario,
        preset: Option<&'static str>,
    ) -> Result<Self, PlayerError> {
        let settings = RunSettings {
            preset: preset.unwrap_or(CUSTOM),
            coordination: scenario.coordination,
            storage: scenario.storage,
            seed: scenario.seed,
            safeguards: None,
        };
        Player::build(settings, Vec::new(), Some(scenario))
    }

    fn build(
        settings: RunSettings,
        plan: Vec<FaultSpec>,
        base: Option<Scenario>,
    ) -> Result<Self, PlayerError> {
        let plan: Vec<FaultSpec> = plan
            .into_iter()
            .filter(|f| f.applies_to(settings.coordination))
            .collect();
        let scenario = scenario_for(&settings, &plan, base.as_ref())?;
        let preset_faults = scenario.faults.len() - plan.len();
        let own_commands = scenario.commands.len();
        let at = CheckedRun::start(Simulation::new(scenario)?);
        let start_events = at.sim.event_count();
        let planned = plan
            .iter()
            .enumerate()
            .map(|(i, f)| (preset_faults + i, f.clone()))
            .collect();
        let tape = History::new(&at);
        let player = Player {
            settings,
            plan,
            at,
            clock_ms: 0.0,
            planned,
            determinism_checked: false,
            base,
            latest: None,
            tape: Some(tape),
            own_commands,
            start_events,
            stop_before: None,
            fork: None,
            unfolding: None,
        };

        Ok(player)
    }

    /// The same settings and plan, from time 0.
    pub fn restarted(&self) -> Result<Self, PlayerError> {
        Player::build(self.settings.clone(), self.plan.clone(), self.base.clone())
    }

    /// Runs forward to a link's moment, paused there (a run already past it stays where it is).
    pub fn reach(&mut self, moment: Playhead) {
        self.settle();
        match moment {
            Playhead::Start => {}
            Playhead::AtMs(t) => {
                let ahead = (t as f64 - self.clock_ms).max(0.0);
                self.advance(ahead);
            }
            Playhead::Event(seq) => {
                let target = seq.saturating_add(1);
                while self.at.sim.event_count() < target
                    && self.at.sim.next_timer().is_some_and(|t| t <= HORIZON_MS)
                {
                    if !self.step_once() {
                        break;
                    }
                }
                let end = self.at.sim.event_count();
                if end > target {
                    // The event is inside an instant of several: show the run right after it.
                    if let Some(start) = self.tape().map(|t| t.boundary_before(end)) {
                        self.seek(start);
                        if self.at.sim.event_count() == start && target > start {
                            let moments = self.step_to_events();
                            let shown = usize::try_from(target - start - 1).unwrap_or(usize::MAX);
                            self.unfold(moments, shown, Some(shown));
                        }
                    }
                }
                self.clock_ms = self.at.sim.now_ms() as f64;
                self.after_change();
            }
        }
    }

    /// The moment shown, as a link names it: the start, its time, or (inside an instant, or
    /// at an earlier moment than the latest) its last event, so that the link opens exactly
    /// there.
    pub fn playhead(&self) -> Playhead {
        let shown = self.event_count();
        if shown <= self.start_events {
            // Nothing has happened yet (even if the clock stands past 0 s with nothing due).
            Playhead::Start
        } else if self.unfolding.is_some()
            || self.latest.is_some()
            || self.at.sim.next_timer().is_some_and(|t| t <= self.now_ms())
        {
            // Inside an instant, or earlier than the latest moment: the time alone would open
            // the instant's end (or the latest moment's).
            Playhead::Event(shown - 1)
        } else {
            Playhead::AtMs(self.now_ms())
        }
    }

    /// A new run with other settings. A new preset starts with an empty fault plan and its own
    /// safeguards (they are part of what some presets show); a new style, storage, seed or
    /// safeguard keeps the plan (minus faults the style has no use for).
    pub fn reconfigured(&self, settings: RunSettings) -> Result<Self, PlayerError> {
        if settings.preset == self.settings.preset {
            Player::build(settings, self.plan.clone(), self.base.clone())
        } else {
            Player::new(
                RunSettings {
                    safeguards: None,
                    ..settings
                },
                Vec::new(),
            )
        }
    }

    /// A new run from 0 s with `safeguard` switched on or off, and the same faults.
    pub fn with_safeguard(&self, safeguard: Safeguard, on: bool) -> Result<Self, PlayerError> {
        let safeguards = self.safeguards().with(safeguard, on);
        self.reconfigured(RunSettings {
            safeguards: Some(safeguards),
            ..self.settings.clone()
        })
    }

    /// The safeguards of this run.
    pub fn safeguards(&self) -> &Safeguards {
        &self.at.sim.scenario().safeguards
    }

    /// The settings of this run.
    pub fn settings(&self) -> &RunSettings {
        &self.settings
    }

    /// The user's fault plan: what a restart injects at time 0.
    pub fn plan(&self) -> &[FaultSpec] {
        &self.plan
    }

    /// The moment shown: the run, or while Step unfolds an occurrence event by event, the run
    /// as it stood right after the event shown.
    fn shown(&self) -> &CheckedRun {
        self.unfolding
            .as_ref()
            .and_then(|u| u.moments.get(u.shown))
            .unwrap_or(&self.at)
    }

    /// The simulation as shown (read only).
    pub fn sim(&self) -> &Simulation {
        &self.shown().sim
    }

    /// Everything a view needs, now.
    pub fn snapshot(&self) -> Snapshot {
        self.shown().sim.snapshot()
    }

    /// Simulated now, in whole milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.shown().sim.now_ms()
    }

    /// How many events have happened (up to the one shown).
    pub fn event_count(&self) -> u64 {
        self.shown().sim.event_count()
    }

    /// Nothing more will happen without a new command (and every event has been shown).
    pub fn is_settled(&self) -> bool {
        self.unfolding.is_none()
            && (self.at.sim.next_timer().is_none() || self.at.sim.now_ms() >= HORIZON_MS)
    }

    /// Every invariant's status at the moment shown.
    pub fn invariants(&self) -> Vec<InvariantStatus> {
        self.shown().monitor.report()
    }

    /// Whether Step is showing an occurrence's events one by one (and has more to show).
    pub fn mid_instant(&self) -> bool {
        self.unfolding.is_some()
    }

    /// Shows the whole of an occurrence being unfolded (before anything else moves the run).
    fn settle(&mut self) {
        self.unfolding = None;
    }

    /// Whether a fault of this run came from the user's plan.
    pub fn is_planned(&self, fault: usize) -> bool {
        self.planned.iter().any(|(id, _)| *id == fault)
    }

    /// Runs one occurrence, then the monitor; `false` if nothing was due or predict mode asked
    /// to stop before it.
    fn step_once(&mut self) -> bool {
        self.step_occurrence(false).is_some()
    }

    /// Runs one occurrence, then the monitor; with `by_event`, also returns the run as it stood
    /// after each of its events. `None` if nothing was due or predict mode asked to stop.
    fn step_occurrence(&mut self, by_event: bool) -> Option<Vec<CheckedRun>> {
        if self.at_stop() {
            return None;
        }
        let moments = if by_event {
            self.at.step_by_event()?
        } else if self.at.step() {
            Vec::new()
        } else {
            return None;
        };
        match &self.latest {
            // Playing on from the past has caught up with the latest moment: it is the same run.
            Some(l) if self.at.sim.event_count() >= l.at.sim.event_count() => self.latest = None,
            Some(_) => {}
            None => {
                if let Some(tape) = &mut self.tape {
                    tape.record(&self.at);
                }
            }
        }
        Some(moments)
    }

    /// Whether the run stands just before the step predict mode asked to stop at (with every
    /// event before it shown).
    pub fn at_stop(&self) -> bool {
        self.unfolding.is_none() && self.stop_before == Some(self.at.sim.event_count())
    }

    /// Stop before the step that begins with `events` events (or nowhere).
    pub fn set_stop(&mut self, events: Option<u64>) {
        self.stop_before = events;
    }

    /// Runs a copy of the run on (at most `max_steps` steps) and finds the first step with an
    /// event `ask` has something to say about: returns how many events had happened before that
    /// step and what `ask` said, in the step's order (one step can hold several key events).
    /// `ask` gets the events before the one asked about, that event, and the copy after the step.
    pub fn look_ahead<Q>(
        &self,
        max_steps: usize,
        mut ask: impl FnMut(&[Event], &Event, &Simulation) -> Option<Q>,
    ) -> Option<(u64, Vec<Q>)> {
        let mut sim = self.at.sim.clone();
        for _ in 0..max_steps {
            if sim.now_ms() >= HORIZON_MS {
                return None;
            }
            let before = sim.event_count();
            if !sim.step() {
                return None;
            }
            sim.discard_pending_events();
            let trace = sim.trace();
            let found: Vec<Q> = trace
                .iter()
                .enumerate()
                .skip(usize::try_from(before).unwrap_or(usize::MAX))
                .filter_map(|(i, e)| ask(trace.get(..i).unwrap_or_default(), e, &sim))
                .collect();
            if !found.is_empty() {
                return Some((before, found));
            }
        }
        None
    }

    // ---- time travel ------------------------------------------------------------------------

    fn after_change(&mut self) {
        self.clock_ms = self.clock_ms.max(self.at.sim.now_ms() as f64);
        if self.is_settled() && !self.determinism_checked {
            self.determinism_checked = true;
            // Invariant 1 asks every saga to have ended once nothing more is due: look once more.
            self.at.monitor.observe(&self.at.sim);
            let result = invariants::check_determinism(&self.at.sim);
            self.at.monitor.record_determinism(&self.at.sim, result);
        }
    }

    /// Moves simulated time on by `sim_ms` (real time × speed), running everything due.
    /// Returns how many events happened.
    pub fn advance(&mut self, sim_ms: f64) -> u64 {
        self.settle();
        let before = self.at.sim.event_count();
        let target = (self.clock_ms + sim_ms.max(0.0)).min(HORIZON_MS as f64);
        // Truncation is intended: the engine counts whole milliseconds.
        let target_ms = target as u64;
        while self.at.sim.next_timer().is_some_and(|t| t <= target_ms) {
            if !self.step_once() {
                break;
            }
        }
        if self.at_stop() {
            // Predict mode: wait just before the step it asks about.
            self.clock_ms = self.clock_ms.max(self.at.sim.now_ms() as f64);
        } else {
            self.at.sim.advance_to(target_ms);
            self.clock_ms = target;
        }
        self.after_change();
        self.at.sim.event_count() - before
    }

    /// Shows exactly one more event: the next of the occurrence being shown event by event,
    /// or else the first of the next occurrence that has any (running it whole, and showing
    /// the run as it stood after that event). Returns how many events it showed (0 or 1).
    pub fn step(&mut self) -> u64 {
        if let Some(u) = &mut self.unfolding {
            u.shown += 1;
            u.seen = u.seen.max(u.shown);
            if u.shown >= u.moments.len() {
                self.unfolding = None;
                self.after_change();
            }
            return 1;
        }
        let before = self.at.sim.event_count();
        let moments = self.step_to_events();
        self.unfold(moments, 0, Some(0));
        self.clock_ms = self.at.sim.now_ms() as f64;
        self.after_change();
        self.event_count() - before
    }

    /// Runs the next occurrences until one of them emits events (or nothing is due); returns
    /// the run as it stood after each event of that one.
    fn step_to_events(&mut self) -> Vec<CheckedRun> {
        let before = self.at.sim.event_count();
        // An occurrence can be silent (a poll of an empty queue); a bound keeps this finite.
        for _ in 0..10_000 {
            if self.at.sim.now_ms() >= HORIZON_MS {
                break;
            }
            let Some(moments) = self.step_occurrence(true) else {
                break;
            };
            if self.at.sim.event_count() > before {
                return moments;
            }
        }
        Vec::new()
    }

    /// Shows the occurrence just run event by event, from its event number `shown` (the last
    /// event's moment is the run itself). `seen`: how far the page had shown it (`None`: all).
    fn unfold(&mut self, mut moments: Vec<CheckedRun>, shown: usize, seen: Option<usize>) {
        moments.pop();
        let seen = seen.unwrap_or(moments.len()).max(shown);
        self.unfolding = (shown < moments.len()).then_some(Unfolding {
            moments,
            shown,
            seen,
        });
    }

    /// Runs everything due at the next moment of simulated time that has any event (finishing
    /// first the moment being shown event by event, if one is). Returns how many events it
    /// showed.
    pub fn step_instant(&mut self) -> u64 {
        let before = self.event_count();
        if self.unfolding.take().is_some() {
            let now = self.at.sim.now_ms();
            while self.at.sim.next_timer().is_some_and(|t| t <= now) {
                if !self.step_once() {
                    break;
                }
            }
        } else {
            let start = self.at.sim.event_count();
            for _ in 0..10_000 {
                let Some(t) = self.at.sim.next_timer().filter(|&t| t < HORIZON_MS) else {
                    break;
                };
                while self.at.sim.next_timer().is_some_and(|n| n <= t) {
                    if !self.step_once() {
                        break;
                    }
                }
                if self.at.sim.event_count() > start || self.at_stop() {
                    break;
                }
            }
        }
        self.clock_ms = self.at.sim.now_ms() as f64;
        self.after_change();
        self.event_count() - before
    }
}

mod commands;
pub mod predict;
mod travel;

#[cfg(test)]
mod tests;
