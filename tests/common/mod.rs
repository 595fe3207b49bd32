//! The test harness: holds a simulation and its virtual time, checks every invariant after every
//! event, and offers `step`, `drive` and `drive_bounded`.

#![allow(dead_code)]

pub mod random;
pub mod words;

use sagascope::engine::defect::Defect;
use sagascope::engine::event::EventKind;
use sagascope::engine::invariants::{Monitor, Violation};
use sagascope::engine::presets;
use sagascope::engine::run::HORIZON_MS;
use sagascope::engine::{
    AttentionReason, Command, Coordination, FaultSpec, Outcome, Scenario, ServiceId, Simulation,
    Storage, Task,
};

/// Both coordination styles, for tests that must hold in each.
pub const STYLES: [Coordination; 2] = [Coordination::Orchestration, Coordination::Choreography];

pub struct Harness {
    pub sim: Simulation,
    pub violations: Vec<Violation>,
    pub steps: usize,
    /// Folds the trace as the run goes, so each check costs only the new events.
    pub monitor: Monitor,
}

impl Harness {
    pub fn new(scenario: Scenario) -> Self {
        Self {
            sim: Simulation::new(scenario).expect("scenario is valid"),
            violations: Vec::new(),
            steps: 0,
            monitor: Monitor::new(),
        }
    }

    pub fn preset(id: &str, coordination: Coordination) -> Self {
        Self::new(
            presets::scenario(id, coordination, Storage::PerService, 0).expect("preset exists"),
        )
    }

    /// Processes the next occurrence (jumping time to it) and checks the invariants.
    pub fn step(&mut self) -> bool {
        let stepped = self.sim.step();
        if stepped {
            self.steps += 1;
            self.violations.extend(self.monitor.observe(&self.sim));
        }
        stepped
    }

    /// Steps until `until` holds for the run so far; panics if the run ends first.
    pub fn step_until(&mut self, until: impl Fn(&Harness) -> bool) {
        while !until(self) {
            assert!(self.step(), "the run ended before the moment looked for");
        }
    }

    /// Runs until nothing is due (or the horizon).
    pub fn drive(&mut self) -> &mut Self {
        while self.sim.next_timer().is_some_and(|t| t <= HORIZON_MS) {
            self.step();
        }
        self.violations.extend(self.monitor.observe(&self.sim));
        self
    }

    /// Runs at most `n` steps.
    pub fn drive_bounded(&mut self, n: usize) -> usize {
        let mut done = 0;
        while done < n && self.step() {
            done += 1;
        }
        done
    }

    /// Runs until simulated time `t`.
    pub fn drive_until(&mut self, t: u64) {
        while self.sim.next_timer().is_some_and(|next| next <= t) {
            self.step();
        }
        self.sim.advance_to(t);
    }

    pub fn outcome(&self, saga: usize) -> Outcome {
        self.sim.sagas()[saga].outcome
    }

    /// The tasks of one saga that took effect, in order.
    pub fn effects(&self, saga: usize) -> Vec<Task> {
        self.sim
            .effects()
            .iter()
            .filter(|e| e.saga == saga)
            .map(|e| e.task)
            .collect()
    }

    /// The steps whose compensation took effect, in order (1-based, as people count).
    pub fn compensations(&self, saga: usize) -> Vec<usize> {
        self.effects(saga)
            .into_iter()
            .filter_map(|t| match t {
                Task::Compensate(s) => Some(s + 1),
                _ => None,
            })
            .collect()
    }

    /// The steps whose action took effect, in order (1-based).
    pub fn actions(&self, saga: usize) -> Vec<usize> {
        self.effects(saga)
            .into_iter()
            .filter_map(|t| match t {
                Task::Action(s) => Some(s + 1),
                _ => None,
            })
            .collect()
    }

    pub fn count(&self, pred: impl Fn(&EventKind) -> bool) -> usize {
        self.sim.trace().iter().filter(|e| pred(&e.kind)).count()
    }

    pub fn assert_invariants_hold(&self) {
        assert!(
            self.violations.is_empty(),
            "invariants broke: {:#?}",
            &self.violations[..self.violations.len().min(5)]
        );
    }

    /// Asserts that saga `saga` waits for a person, for `reason`.
    pub fn assert_awaiting_person(&self, saga: usize, reason: AttentionReason) {
        assert_eq!(self.outcome(saga), Outcome::AwaitingPerson, "saga {saga}");
        assert_eq!(
            self.sim.sagas()[saga].stuck_reason,
            Some(reason),
            "saga {saga}"
        );
    }

    pub fn broken(&self) -> Vec<u8> {
        let mut v: Vec<u8> = self
            .violations
            .iter()
            .map(|v| v.invariant.number())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub fn trace_json(&self) -> String {
        self.sim
            .trace()
            .iter()
            .map(|e| e.to_json())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The happy path in orchestration (a database per service, seed 0) with `faults` added.
pub fn orchestrated_happy_path(faults: &[FaultSpec]) -> Scenario {
    let mut scenario = presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
        0,
    )
    .expect("preset exists");
    scenario.faults.extend(faults.iter().cloned());
    scenario
}

/// Orchestration, two attempts at the pivot; its first command is delivered twice, the first copy takes effect
/// with its reply lost, and every later copy or attempt fails with an error.
pub fn pivot_confirmed_behind_errors(defect: Option<Defect>) -> Harness {
    let mut scenario = orchestrated_happy_path(&[FaultSpec::Ambiguous {
        step: 4,
        times: 1,
        saga: None,
    }]);
    scenario.retry.step.max_attempts = Some(2);
    let mut h = Harness::new(scenario);
    if let Some(d) = defect {
        h.sim.inject_defect(d);
    }
    let applied = |h: &Harness, step| {
        h.count(|k| matches!(k, EventKind::TaskApplied { task, .. } if *task == Task::Action(step)))
            > 0
    };
    h.step_until(|h| applied(h, 2));
    h.sim
        .handle_command(Command::InjectFault {
            fault: FaultSpec::Duplicate {
                service: Some(ServiceId::Reservation),
                times: 1,
            },
        })
        .expect("a fault");
    h.step_until(|h| applied(h, 3));
    h.sim
        .handle_command(Command::InjectFault {
            fault: FaultSpec::TransientError {
                step: 4,
                times: 2,
                saga: None,
            },
        })
        .expect("a fault");
    h.drive();
    h
}

/// A run played to its end (or 200,000 steps), with no monitor watching: for checks that read
/// only what the run left behind.
pub fn played(scenario: Scenario) -> Simulation {
    let mut sim = Simulation::new(scenario).expect("valid scenario");
    let mut steps = 0;
    while sim.step() && steps < 200_000 {
        steps += 1;
    }
    sim
}

/// A count from the environment (`SAGASCOPE_…_SCHEDULES`), else `default`: the long runs.
/// A run of a preset in a style, paused at 0 s, as the page starts it.
pub fn preset_player(
    preset: &'static str,
    coordination: Coordination,
) -> sagascope::player::Player {
    sagascope::player::Player::new(
        sagascope::player::RunSettings {
            preset,
            coordination,
            ..sagascope::player::RunSettings::default()
        },
        Vec::new(),
    )
    .expect("a run")
}

pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
