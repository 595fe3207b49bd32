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

/// The speeds the page offers, in percent of real time (25 = 0.25×).
pub const SPEEDS: [u32; 5] = [25, 50, 100, 200, 400];

/// The fastest speed a link may ask for (`?speed=100` is 100×), in percent, for demos and
/// end-to-end tests.
pub const MAX_SPEED: u32 = 10_000;

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
}

/// The run's latest moment, kept while the page shows an earlier one.
#[derive(Debug, Clone)]
struct Latest {
    at: CheckedRun,
    clock_ms: f64,
    determinism_checked: bool,
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
        };

        Ok(player)
    }

    /// The same settings and plan, from time 0.
    pub fn restarted(&self) -> Result<Self, PlayerError> {
        Player::build(self.settings.clone(), self.plan.clone(), self.base.clone())
    }

    /// Runs forward to a link's moment, paused there (a run already past it stays where it is).
    pub fn reach(&mut self, moment: Playhead) {
        match moment {
            Playhead::Start => {}
            Playhead::AtMs(t) => {
                let ahead = (t as f64 - self.clock_ms).max(0.0);
                self.advance(ahead);
            }
            Playhead::Event(seq) => {
                while self.at.sim.event_count() <= seq
                    && self.at.sim.next_timer().is_some_and(|t| t <= HORIZON_MS)
                {
                    if !self.step_once() {
                        break;
                    }
                }
                self.clock_ms = self.at.sim.now_ms() as f64;
                self.after_change();
            }
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

    /// The simulation (read only).
    pub fn sim(&self) -> &Simulation {
        &self.at.sim
    }

    /// Everything a view needs, now.
    pub fn snapshot(&self) -> Snapshot {
        self.at.sim.snapshot()
    }

    /// Simulated now, in whole milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.at.sim.now_ms()
    }

    /// How many events have happened.
    pub fn event_count(&self) -> u64 {
        self.at.sim.event_count()
    }

    /// Nothing more will happen without a new command.
    pub fn is_settled(&self) -> bool {
        self.at.sim.next_timer().is_none() || self.at.sim.now_ms() >= HORIZON_MS
    }

    /// Every invariant's status so far.
    pub fn invariants(&self) -> Vec<InvariantStatus> {
        self.at.monitor.report()
    }

    /// Whether a fault of this run came from the user's plan.
    pub fn is_planned(&self, fault: usize) -> bool {
        self.planned.iter().any(|(id, _)| *id == fault)
    }

    /// Runs one occurrence, then the monitor; `false` if nothing was due or predict mode asked
    /// to stop before it.
    fn step_once(&mut self) -> bool {
        if self.at_stop() || !self.at.step() {
            return false;
        }
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
        true
    }

    /// Whether the run stands just before the step predict mode asked to stop at.
    pub fn at_stop(&self) -> bool {
        self.stop_before == Some(self.at.sim.event_count())
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

    /// Whether an earlier moment than the latest is shown.
    pub fn in_past(&self) -> bool {
        self.latest.is_some()
    }

    /// Every event of the run up to its latest moment (the timeline), even while an earlier
    /// moment is shown.
    pub fn timeline(&self) -> &[Event] {
        match &self.latest {
            Some(l) => l.at.sim.trace(),
            None => self.at.sim.trace(),
        }
    }

    /// How many events the run's start has (events of faults injected at time 0).
    pub fn start_events(&self) -> u64 {
        self.start_events
    }

    /// The history, rebuilt by replaying the latest moment's run when a command made it stale.
    fn tape(&mut self) -> Option<&History> {
        if self.tape.is_none() {
            let (scenario, until) = match &self.latest {
                Some(l) => (l.at.sim.replay_scenario(), l.at.sim.now_ms()),
                None => (self.at.sim.replay_scenario(), self.at.sim.now_ms()),
            };
            self.tape = History::replay(scenario, until, CHECKPOINT_EVERY)
                .ok()
                .map(|(history, _)| history);
        }
        self.tape.as_ref()
    }

    /// Shows the moment when `events` events had happened (rounded up to the end of the step
    /// that produced the last of them). Going to the latest moment or beyond returns to it.
    pub fn seek(&mut self, events: u64) {
        let latest = self.timeline().len() as u64;
        let target = events.max(self.start_events);
        if target >= latest {
            self.return_to_latest();
            return;
        }
        if target == self.at.sim.event_count() && self.in_past() {
            return;
        }
        let Some(moment) = self.tape().and_then(|t| t.seek(target)) else {
            return;
        };
        if moment.sim.event_count() >= latest {
            // The step holding the target was the last one: that is the latest moment.
            self.return_to_latest();
            return;
        }
        let shown = std::mem::replace(&mut self.at, moment);
        if self.latest.is_none() {
            self.latest = Some(Box::new(Latest {
                at: shown,
                clock_ms: self.clock_ms,
                determinism_checked: self.determinism_checked,
            }));
        }
        self.clock_ms = self.at.sim.now_ms() as f64;
        self.determinism_checked = false;
        self.after_change();
    }

    /// Goes back to where the last step forward began. `false` at the start of the run.
    pub fn step_back(&mut self) -> bool {
        let now = self.at.sim.event_count();
        if now <= self.start_events {
            return false;
        }
        let Some(target) = self.tape().map(|t| t.boundary_before(now)) else {
            return false;
        };
        self.seek(target);
        true
    }

    /// Shows the latest moment again.
    pub fn return_to_latest(&mut self) {
        if let Some(l) = self.latest.take() {
            self.at = l.at;
            self.clock_ms = l.clock_ms;
            self.determinism_checked = l.determinism_checked;
        }
    }

    /// The fork the last command made, once (for the page to say so).
    pub fn take_fork(&mut self) -> Option<Fork> {
        self.fork.take()
    }

    /// A command at a past moment: the future after it is discarded and this moment becomes the
    /// latest, with the commands it had already run and none of the old future's.
    fn fork_here(&mut self) {
        let Some(latest) = self.latest.take() else {
            return;
        };
        self.at.sim.forget_future_commands(self.own_commands);
        let faults = self.at.sim.faults().len();
        let gone: Vec<FaultSpec> = self
            .planned
            .iter()
            .filter(|(id, _)| *id >= faults)
            .map(|(_, f)| f.clone())
            .collect();
        self.planned.retain(|(id, _)| *id < faults);
        for spec in gone {
            if let Some(i) = self.plan.iter().rposition(|f| *f == spec) {
                self.plan.remove(i);
            }
        }
        self.fork = Some(Fork {
            at_ms: self.at.sim.now_ms(),
            events: self.at.sim.event_count(),
            discarded: latest
                .at
                .sim
                .event_count()
                .saturating_sub(self.at.sim.event_count()),
        });
    }

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

    /// Runs the next occurrences until at least one event happens (or nothing is due).
    /// Returns how many events happened.
    pub fn step(&mut self) -> u64 {
        let before = self.at.sim.event_count();
        // An occurrence can be silent (a poll of an empty queue); a bound keeps this finite.
        for _ in 0..10_000 {
            if self.at.sim.now_ms() >= HORIZON_MS || !self.step_once() {
                break;
            }
            if self.at.sim.event_count() > before {
                break;
            }
        }
        self.clock_ms = self.at.sim.now_ms() as f64;
        self.after_change();
        self.at.sim.event_count() - before
    }

    fn command(&mut self, command: Command) -> Result<(), PlayerError> {
        if self.in_past() {
            // Refuse a command that cannot apply before discarding anything.
            let mut trial = self.at.sim.clone();
            trial.handle_command(command.clone())?;
            self.fork_here();
        }
        self.tape = None;
        self.at.sim.handle_command(command)?;
        self.at.sim.discard_pending_events();
        self.at.monitor.observe(&self.at.sim);
        self.determinism_checked = false;
        self.after_change();
        Ok(())
    }

    /// Injects a fault now and adds it to the plan, so a restart meets it from time 0.
    /// Returns the fault's number in this run.
    pub fn inject(&mut self, fault: FaultSpec) -> Result<usize, PlayerError> {
        self.command(Command::InjectFault {
            fault: fault.clone(),
        })?;
        let id = self.at.sim.faults().len().saturating_sub(1);
        if fault.applies_to(self.settings.coordination) {
            self.plan.push(fault.clone());
            self.planned.push((id, fault));
        }
        Ok(id)
    }

    /// Removes an active fault; a fault from the user's plan leaves the plan too.
    pub fn remove_fault(&mut self, fault: usize) -> Result<(), PlayerError> {
        self.command(Command::RemoveFault { fault })?;
        if let Some(pos) = self.planned.iter().position(|(id, _)| *id == fault) {
            let (_, spec) = self.planned.remove(pos);
            if let Some(i) = self.plan.iter().position(|f| *f == spec) {
                self.plan.remove(i);
            }
        }
        Ok(())
    }

    /// Switches chaos on (injecting `chaos`) or off (removing every active chaos fault).
    pub fn set_chaos(&mut self, on: bool, chaos: FaultSpec) -> Result<(), PlayerError> {
        if on {
            self.inject(chaos).map(|_| ())
        } else {
            let active: Vec<usize> = self
                .at
                .sim
                .faults()
                .iter()
                .filter(|f| f.active && f.spec.kind() == FaultKind::Chaos)
                .map(|f| f.id)
                .collect();
            for id in active {
                self.remove_fault(id)?;
            }
            self.plan.retain(|f| f.kind() != FaultKind::Chaos);
            Ok(())
        }
    }

    /// Whether a chaos fault is acting.
    pub fn chaos_on(&self) -> bool {
        self.at
            .sim
            .faults()
            .iter()
            .any(|f| f.active && f.spec.kind() == FaultKind::Chaos)
    }

    /// The customer cancels saga `saga`.
    pub fn cancel(&mut self, saga: usize) -> Result<(), PlayerError> {
        self.command(Command::Cancel { saga })
    }

    /// Dead letters go back to their queues; stuck compensations are tried again.
    pub fn redrive(&mut self) -> Result<(), PlayerError> {
        self.command(Command::Redrive)
    }
}

/// Settings asked for by a link: `?preset=card-declined&coordination=choreography&storage=shared&seed=7&speed=4`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkParams {
    /// A preset id.
    pub preset: Option<&'static str>,
    /// A style.
    pub coordination: Option<Coordination>,
    /// A storage mode.
    pub storage: Option<Storage>,
    /// A seed.
    pub seed: Option<u64>,
    /// A speed in percent (25 to [`MAX_SPEED`]).
    pub speed: Option<u32>,
    /// Start playing at once.
    pub autoplay: bool,
    /// Values it could not read, in words, so the page can say so.
    pub problems: Vec<String>,
}

/// Reads a page's query string (with or without its `?`); a value it cannot read is left at its
/// default and named in `problems`; parameters it does not know are left alone.
pub fn parse_link(query: &str) -> LinkParams {
    let mut out = LinkParams::default();
    for pair in query.trim_start_matches('?').split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "preset" => out.preset = presets::find(value).map(|p| p.id),
            "coordination" => {
                out.coordination = match value {
                    "orchestration" => Some(Coordination::Orchestration),
                    "choreography" => Some(Coordination::Choreography),
                    _ => None,
                }
            }
            "storage" => {
                out.storage = match value {
                    "per_service" | "per-service" => Some(Storage::PerService),
                    "shared" => Some(Storage::Shared),
                    _ => None,
                }
            }
            "seed" => out.seed = parse_seed(value).ok(),
            "speed" => {
                out.speed = parse_percent(value).filter(|s| (SPEEDS[0]..=MAX_SPEED).contains(s))
            }
            "play" => out.autoplay = value != "0",
            _ => continue,
        }
        let read = match key {
            "preset" => out.preset.is_some(),
            "coordination" => out.coordination.is_some(),
            "storage" => out.storage.is_some(),
            "seed" => out.seed.is_some(),
            "speed" => out.speed.is_some(),
            _ => true,
        };
        if !read {
            let shown: String = value.chars().take(40).collect();
            out.problems
                .push(format!("{key}={shown:?} is not understood"));
        }
    }
    out
}

/// Reads a multiple such as `4`, `0.5` or `0.25` as a percentage (400, 50, 25); at most two
/// decimals.
pub fn parse_percent(text: &str) -> Option<u32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 2 {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || whole.len() > 5 {
        return None;
    }
    let whole: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u32 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u32>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    Some(whole * 100 + fraction)
}

/// Speed in percent as people read it: `0.25×`, `1×`, `20×`.
pub fn speed_label(percent: u32) -> String {
    let (whole, fraction) = (percent / 100, percent % 100);
    match fraction {
        0 => format!("{whole}×"),
        f if f % 10 == 0 => format!("{whole}.{}×", f / 10),
        f => format!("{whole}.{f:02}×"),
    }
}

/// Reads a seed typed by a person: a whole number, nothing else.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Type a whole number for the seed.".to_string());
    }
    t.parse::<u64>().map_err(|_| {
        format!(
            "“{}” is not a seed: use a whole number from 0 to {}.",
            t.chars().take(24).collect::<String>(),
            u64::MAX
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::Outcome;

    fn player(preset: &'static str, coordination: Coordination) -> Player {
        Player::new(
            RunSettings {
                preset,
                coordination,
                ..RunSettings::default()
            },
            Vec::new(),
        )
        .unwrap()
    }

    fn play_out(p: &mut Player) {
        for _ in 0..10_000 {
            if p.is_settled() {
                break;
            }
            p.advance(100.0);
        }
    }

    #[test]
    fn playing_the_happy_path_completes_and_every_invariant_holds() {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            let mut p = player("happy-path", c);
            play_out(&mut p);
            assert!(p.is_settled());
            assert_eq!(p.snapshot().outcome, Outcome::Completed);
            assert!(
                p.invariants().iter().all(|i| i.holds),
                "{:?}",
                p.invariants()
            );
        }
    }

    fn uninterrupted(preset: &'static str, c: Coordination) -> Player {
        let mut p = player(preset, c);
        play_out(&mut p);
        p
    }

    #[test]
    fn scrubbing_back_and_playing_on_gives_the_uninterrupted_trace() {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            let full = uninterrupted("card-declined", c);
            let total = full.sim().event_count();
            for target in [0, 1, total / 4, total / 2, total - 1] {
                let mut p = uninterrupted("card-declined", c);
                p.seek(target);
                assert!(p.sim().event_count() >= target.max(p.start_events()));
                assert_eq!(p.in_past(), p.sim().event_count() < total);
                assert_eq!(
                    p.timeline(),
                    full.sim().trace(),
                    "the timeline keeps the future"
                );
                play_out(&mut p);
                assert!(!p.in_past());
                assert_eq!(p.sim().trace(), full.sim().trace(), "{c:?} from {target}");
                assert_eq!(p.invariants(), full.invariants());
            }
        }
    }

    #[test]
    fn a_past_moment_is_exactly_the_moment_a_fresh_run_had_then() {
        let mut p = uninterrupted("transient-payment", Coordination::Orchestration);
        let total = p.sim().event_count();
        p.seek(total / 2);
        let mut fresh = player("transient-payment", Coordination::Orchestration);
        while fresh.sim().event_count() < p.sim().event_count() {
            fresh.step();
        }
        assert_eq!(fresh.sim().trace(), p.sim().trace());
        assert_eq!(fresh.snapshot(), p.snapshot());
        assert_eq!(fresh.invariants(), p.invariants());
        assert_eq!(fresh.now_ms(), p.now_ms());
    }

    #[test]
    fn step_back_undoes_exactly_one_step_forward() {
        let mut p = player("slot-taken", Coordination::Choreography);
        let mut moments = vec![(p.sim().event_count(), p.snapshot())];
        while !p.is_settled() {
            if p.step() > 0 {
                moments.push((p.sim().event_count(), p.snapshot()));
            }
        }
        moments.pop();
        while let Some((events, snapshot)) = moments.pop() {
            assert!(p.step_back());
            assert_eq!(p.sim().event_count(), events);
            assert_eq!(p.snapshot(), snapshot);
        }
        assert!(!p.step_back(), "nothing before the start");
        p.seek(u64::MAX);
        assert!(!p.in_past());
        assert_eq!(p.snapshot().outcome, Outcome::Compensated);
    }

    #[test]
    fn a_fault_at_a_past_moment_forks_a_new_future() {
        let mut p = uninterrupted("happy-path", Coordination::Orchestration);
        assert_eq!(p.snapshot().outcome, Outcome::Completed);
        let total = p.sim().event_count();
        let early = p
            .sim()
            .trace()
            .iter()
            .position(|e| matches!(e.kind, crate::engine::event::EventKind::TaskStarted { .. }))
            .unwrap() as u64;
        p.seek(early + 1);
        p.inject(FaultSpec::BusinessFailure {
            step: 2,
            saga: None,
        })
        .unwrap();
        let fork = p.take_fork().expect("a fork");
        assert!(fork.events <= early + 2 && fork.discarded > 0);
        assert_eq!(fork.events + fork.discarded, total);
        assert!(p.take_fork().is_none(), "told once");
        assert!(!p.in_past());
        play_out(&mut p);
        assert_eq!(p.snapshot().outcome, Outcome::Compensated);
        assert_eq!(p.timeline(), p.sim().trace());
        assert!(
            p.invariants().iter().all(|i| i.holds),
            "{:?}",
            p.invariants()
        );
        // The new run is its own: replaying it gives it again.
        let again = Simulation::new(p.sim().replay_scenario()).unwrap();
        let mut again = crate::engine::history::CheckedRun::start(again);
        while again.step() {}
        assert_eq!(again.sim.trace(), p.sim().trace());
        // Going back in the new future and on again stays in it.
        p.seek(early + 3);
        play_out(&mut p);
        assert_eq!(p.snapshot().outcome, Outcome::Compensated);
    }

    #[test]
    fn a_fork_drops_the_old_futures_commands_but_keeps_the_scenarios_own() {
        let mut p = player("cancel-before-pivot", Coordination::Choreography);
        p.advance(300.0);
        p.advance(100.0);
        let late = p
            .inject(FaultSpec::Latency {
                service: crate::engine::definition::ServiceId::Calendar,
                extra_ms: 900,
            })
            .unwrap();
        play_out(&mut p);
        assert_eq!(p.plan().len(), 1);
        assert!(p.sim().faults().len() > late);
        p.seek(2);
        p.inject(FaultSpec::Latency {
            service: crate::engine::definition::ServiceId::Payment,
            extra_ms: 100,
        })
        .unwrap();
        assert!(p.take_fork().is_some());
        play_out(&mut p);
        let calendar_latency = p.sim().faults().iter().any(|f| {
            matches!(
                f.spec,
                FaultSpec::Latency {
                    service: crate::engine::definition::ServiceId::Calendar,
                    ..
                }
            )
        });
        assert!(!calendar_latency, "the old future's fault is gone");
        assert_eq!(p.plan().len(), 1, "and left the plan");
        assert!(
            p.sim()
                .trace()
                .iter()
                .any(|e| matches!(e.kind, crate::engine::event::EventKind::CancelRequested)),
            "the preset's own cancel still happens"
        );
    }

    #[test]
    fn a_refused_command_at_a_past_moment_discards_nothing() {
        let mut p = uninterrupted("happy-path", Coordination::Orchestration);
        let total = p.sim().event_count();
        p.seek(5);
        assert!(p.remove_fault(42).is_err());
        assert!(p.in_past());
        assert_eq!(p.timeline().len() as u64, total);
        assert!(p.take_fork().is_none());
    }

    #[test]
    fn looking_ahead_finds_the_step_and_leaves_the_run_alone() {
        use crate::engine::event::EventKind;
        let mut p = player("card-declined", Coordination::Orchestration);
        p.advance(100.0);
        let before = p.sim().trace().to_vec();
        let (stop, found) = p
            .look_ahead(10_000, |_, e, _| {
                matches!(e.kind, EventKind::CompensationBegun { .. }).then_some(e.seq)
            })
            .expect("card declined compensates");
        assert_eq!(p.sim().trace(), &before[..], "the run itself did not move");
        let full = uninterrupted("card-declined", Coordination::Orchestration);
        let begun = full
            .sim()
            .trace()
            .iter()
            .find(|e| matches!(e.kind, EventKind::CompensationBegun { .. }))
            .unwrap()
            .seq;
        assert_eq!(found, vec![begun]);
        assert!(stop <= begun);
        p.set_stop(Some(stop));
        play_out(&mut p);
        assert_eq!(p.sim().event_count(), stop);
        assert!(p.sim().trace().iter().all(|e| e.seq < begun));
        assert!(p.look_ahead(10_000, |_, _, _| None::<()>).is_none());
    }

    #[test]
    fn predict_mode_stops_before_the_step_asked_and_goes_on_when_released() {
        let full = uninterrupted("card-declined", Coordination::Orchestration);
        let mut p = player("card-declined", Coordination::Orchestration);
        let mut starts = Vec::new();
        while !p.is_settled() {
            starts.push(p.sim().event_count());
            p.step();
        }
        let stop = starts[starts.len() / 2];
        let mut p = player("card-declined", Coordination::Orchestration);
        p.set_stop(Some(stop));
        play_out(&mut p);
        assert!(p.at_stop());
        assert!(!p.is_settled());
        assert_eq!(p.sim().event_count(), stop);
        assert_eq!(p.step(), 0, "Step waits too");
        p.set_stop(None);
        play_out(&mut p);
        assert_eq!(p.sim().trace(), full.sim().trace());
    }

    #[test]
    fn advance_moves_the_clock_by_the_simulated_time() {
        let mut p = player("happy-path", Coordination::Orchestration);
        p.advance(250.0);
        assert_eq!(p.now_ms(), 250);
        p.advance(0.4);
        p.advance(0.4);
        assert_eq!(p.now_ms(), 250);
        p.advance(0.4);
        assert_eq!(p.now_ms(), 251);
    }

    #[test]
    fn step_always_shows_at_least_one_event() {
        let mut p = player("happy-path", Coordination::Choreography);
        let mut steps = 0;
        while !p.is_settled() {
            assert!(p.step() >= 1 || p.is_settled());
            steps += 1;
            assert!(steps < 1_000);
        }
        assert_eq!(p.snapshot().outcome, Outcome::Completed);
        assert_eq!(p.step(), 0);
    }

    #[test]
    fn an_injected_fault_joins_the_plan_and_a_restart_meets_it_from_the_start() {
        let mut p = player("happy-path", Coordination::Orchestration);
        play_out(&mut p);
        assert_eq!(p.snapshot().outcome, Outcome::Completed);
        p.inject(FaultSpec::BusinessFailure {
            step: 2,
            saga: None,
        })
        .unwrap();
        assert_eq!(p.plan().len(), 1);
        let mut again = p.restarted().unwrap();
        play_out(&mut again);
        assert_eq!(again.snapshot().outcome, Outcome::Compensated);
        assert!(again.is_planned(0));
    }

    #[test]
    fn a_fault_injected_mid_run_takes_effect_from_then_on() {
        let mut p = player("happy-path", Coordination::Choreography);
        p.advance(500.0);
        p.inject(FaultSpec::BusinessFailure {
            step: 3,
            saga: None,
        })
        .unwrap();
        play_out(&mut p);
        assert_eq!(p.snapshot().outcome, Outcome::Compensated);
        assert!(p.invariants().iter().all(|i| i.holds));
    }

    #[test]
    fn removing_a_planned_fault_takes_it_out_of_the_plan() {
        let mut p = player("happy-path", Coordination::Orchestration);
        let id = p
            .inject(FaultSpec::Latency {
                service: crate::engine::definition::ServiceId::Payment,
                extra_ms: 2_500,
            })
            .unwrap();
        p.remove_fault(id).unwrap();
        assert!(p.plan().is_empty());
        assert!(p.remove_fault(99).is_err());
    }

    #[test]
    fn a_new_preset_clears_the_plan_and_a_new_style_keeps_it() {
        let mut p = player("happy-path", Coordination::Orchestration);
        p.inject(FaultSpec::BusinessFailure {
            step: 2,
            saga: None,
        })
        .unwrap();
        p.inject(FaultSpec::OrchestratorDown { for_ms: 3_000 })
            .unwrap();
        let other_style = p
            .reconfigured(RunSettings {
                coordination: Coordination::Choreography,
                ..p.settings().clone()
            })
            .unwrap();
        assert_eq!(
            other_style.plan(),
            &[FaultSpec::BusinessFailure {
                step: 2,
                saga: None
            }]
        );
        let other_preset = p
            .reconfigured(RunSettings {
                preset: "slot-taken",
                ..p.settings().clone()
            })
            .unwrap();
        assert!(other_preset.plan().is_empty());
    }

    #[test]
    fn a_safeguard_switch_starts_again_from_zero_with_the_same_faults() {
        let duplicate = FaultSpec::Duplicate {
            service: Some(crate::engine::definition::ServiceId::Payment),
            times: 1,
        };
        let mut p = player("happy-path", Coordination::Orchestration);
        p.inject(duplicate.clone()).unwrap();
        play_out(&mut p);
        assert!(p.invariants().iter().all(|i| i.holds));
        for safeguard in Safeguard::ALL {
            let off = p.with_safeguard(safeguard, false).unwrap();
            assert_eq!(off.now_ms(), 0);
            assert_eq!(off.plan(), std::slice::from_ref(&duplicate));
            assert!(!off.safeguards().get(safeguard));
            assert_eq!(
                off.settings().safeguards,
                Some(Safeguards::default().with(safeguard, false))
            );
            // It stays switched through a restart and a change of style or storage.
            let restarted = off.restarted().unwrap();
            assert!(!restarted.safeguards().get(safeguard));
            let moved = off
                .reconfigured(RunSettings {
                    coordination: Coordination::Choreography,
                    storage: Storage::Shared,
                    ..off.settings().clone()
                })
                .unwrap();
            assert!(!moved.safeguards().get(safeguard));
            assert_eq!(
                off.with_safeguard(safeguard, true).unwrap().safeguards(),
                &Safeguards::default()
            );
        }
        // Switched off, idempotency lets the duplicate charge the card twice, and it shows.
        let mut off = p.with_safeguard(Safeguard::Idempotency, false).unwrap();
        play_out(&mut off);
        assert!(off.invariants().iter().any(|i| !i.holds));
    }

    #[test]
    fn another_preset_brings_its_own_safeguards() {
        let p = player("happy-path", Coordination::Orchestration)
            .with_safeguard(Safeguard::SemanticLock, false)
            .unwrap();
        let other = p
            .reconfigured(RunSettings {
                preset: "no-idempotency",
                ..p.settings().clone()
            })
            .unwrap();
        assert_eq!(other.settings().safeguards, None);
        assert!(!other.safeguards().idempotency);
        assert!(other.safeguards().semantic_lock);
    }

    #[test]
    fn a_switched_safeguard_is_remembered_in_the_link() {
        use crate::share::link::{self, LinkState};
        let p = player("no-semantic-lock", Coordination::Choreography)
            .with_safeguard(Safeguard::SemanticLock, true)
            .unwrap();
        let text = link::encode(&LinkState::of_run(p.sim(), Playhead::Start)).unwrap();
        assert!(text.contains("p=no-semantic-lock"), "{text}");
        assert!(text.contains("sg=semantic_lock.on"), "{text}");
        let state = link::decode(&text).unwrap();
        let reopened = Player::from_scenario(state.scenario, state.preset.map(|p| p.id)).unwrap();
        assert_eq!(reopened.settings().preset, "no-semantic-lock");
        assert_eq!(reopened.safeguards(), &Safeguards::default());
        // Switched again after reopening, it still goes back into the link.
        let off = reopened
            .with_safeguard(Safeguard::Idempotency, false)
            .unwrap();
        let text = link::encode(&LinkState::of_run(off.sim(), Playhead::Start)).unwrap();
        assert!(text.contains("idempotency.off"), "{text}");
    }

    #[test]
    fn an_orchestration_only_preset_refuses_choreography() {
        let err = Player::new(
            RunSettings {
                preset: "orchestrator-crash",
                coordination: Coordination::Choreography,
                ..RunSettings::default()
            },
            Vec::new(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            PlayerError::OneStyleOnly(_, Coordination::Orchestration)
        ));
    }

    #[test]
    fn poison_reaches_the_dead_letter_queue_and_redrive_clears_it() {
        let mut p = player("happy-path", Coordination::Choreography);
        let poison = p
            .inject(FaultSpec::Poison {
                service: crate::engine::definition::ServiceId::Payment,
            })
            .unwrap();
        play_out(&mut p);
        assert_eq!(p.snapshot().dead_letters.len(), 1);
        p.remove_fault(poison).unwrap();
        p.redrive().unwrap();
        assert!(p.snapshot().dead_letters.is_empty());
        play_out(&mut p);
        assert_eq!(p.snapshot().outcome, Outcome::Completed);
        assert!(
            p.invariants().iter().all(|i| i.holds),
            "{:?}",
            p.invariants()
        );
    }

    #[test]
    fn chaos_switches_on_and_off() {
        let mut p = player("happy-path", Coordination::Orchestration);
        p.set_chaos(true, crate::view::faults::CHAOS).unwrap();
        assert!(p.chaos_on());
        p.advance(1_000.0);
        p.set_chaos(false, crate::view::faults::CHAOS).unwrap();
        assert!(!p.chaos_on());
        assert!(p.plan().is_empty());
    }

    #[test]
    fn switched_off_idempotency_breaks_an_invariant_visibly() {
        let mut p = player("no-idempotency", Coordination::Choreography);
        play_out(&mut p);
        assert!(p.invariants().iter().any(|i| !i.holds));
    }

    #[test]
    fn a_shared_link_reopens_the_same_run_at_the_same_moment() {
        use crate::share::link::{decode, encode, LinkState};
        let mut p = player("restaurant-rejects", Coordination::Choreography);
        p.advance(1_234.0);
        p.inject(FaultSpec::Latency {
            service: crate::engine::definition::ServiceId::Payment,
            extra_ms: 700,
        })
        .unwrap();
        p.advance(900.0);
        let moment = Playhead::AtMs(p.now_ms());
        let text = encode(&LinkState::of_run(p.sim(), moment)).unwrap();
        let state = decode(&text).unwrap();
        let mut again = Player::from_scenario(state.scenario, state.preset.map(|x| x.id)).unwrap();
        again.reach(state.moment);
        assert_eq!(again.now_ms(), p.now_ms());
        assert_eq!(again.sim().trace(), p.sim().trace());
        assert_eq!(again.settings().preset, "restaurant-rejects");
        play_out(&mut p);
        play_out(&mut again);
        assert_eq!(again.sim().trace(), p.sim().trace());
    }

    #[test]
    fn a_run_opened_from_a_scenario_keeps_it_across_restarts_and_new_seeds() {
        let mut scenario = presets::scenario(
            "card-declined",
            Coordination::Orchestration,
            Storage::Shared,
            5,
        )
        .unwrap();
        scenario.name = "My own".to_string();
        let p = Player::from_scenario(scenario.clone(), None).unwrap();
        assert_eq!(p.settings().preset, CUSTOM);
        let mut restarted = p.restarted().unwrap();
        play_out(&mut restarted);
        assert_eq!(restarted.sim().scenario(), &scenario);
        assert_eq!(restarted.snapshot().outcome, Outcome::Compensated);
        let reseeded = p
            .reconfigured(RunSettings {
                seed: 9,
                ..p.settings().clone()
            })
            .unwrap();
        assert_eq!(reseeded.sim().scenario().name, "My own");
        assert_eq!(reseeded.sim().scenario().seed, 9);
        let preset = p
            .reconfigured(RunSettings {
                preset: "happy-path",
                ..p.settings().clone()
            })
            .unwrap();
        assert_ne!(preset.sim().scenario().name, "My own");
    }

    #[test]
    fn links_are_read_leniently() {
        let l = parse_link(
            "?preset=card-declined&coordination=choreography&storage=shared&seed=7&speed=20&play=1",
        );
        assert_eq!(l.preset, Some("card-declined"));
        assert_eq!(l.coordination, Some(Coordination::Choreography));
        assert_eq!(l.storage, Some(Storage::Shared));
        assert_eq!(l.seed, Some(7));
        assert_eq!(l.speed, Some(2_000));
        assert!(l.autoplay);
        let bad = parse_link("preset=nope&seed=-1&speed=1e9&coordination=x&junk");
        assert_eq!(
            LinkParams {
                problems: Vec::new(),
                ..bad.clone()
            },
            LinkParams::default()
        );
        assert_eq!(bad.problems.len(), 4, "{:?}", bad.problems);
        assert!(bad.problems[0].contains("preset=\"nope\""));
        assert!(l.problems.is_empty());
    }

    #[test]
    fn speeds_are_read_and_written_in_percent() {
        assert_eq!(parse_percent("4"), Some(400));
        assert_eq!(parse_percent("0.5"), Some(50));
        assert_eq!(parse_percent("0.25"), Some(25));
        assert_eq!(parse_percent(".5"), Some(50));
        assert_eq!(parse_percent("1.234"), None);
        assert_eq!(parse_percent("x"), None);
        assert_eq!(parse_percent(""), None);
        assert_eq!(parse_percent("."), None);
        for (pct, text) in [
            (25, "0.25×"),
            (50, "0.5×"),
            (100, "1×"),
            (400, "4×"),
            (2_000, "20×"),
        ] {
            assert_eq!(speed_label(pct), text);
            assert_eq!(parse_percent(text.trim_end_matches('×')), Some(pct));
        }
    }

    #[test]
    fn seeds_are_whole_numbers() {
        assert_eq!(parse_seed(" 42 "), Ok(42));
        assert!(parse_seed("4.2").is_err());
        assert!(parse_seed("-1").is_err());
        assert!(parse_seed("").is_err());
        assert!(parse_seed("99999999999999999999999").is_err());
    }
}
