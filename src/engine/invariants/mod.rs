//! The invariant monitor: the design's seven invariants, checked against the simulated world.
//!
//! [`check`] looks at a simulation at one moment and reports every broken invariant as data;
//! [`Monitor`] runs it after every event and remembers when each one first broke.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::event::Outcome;
use super::fault::FaultSpec;
use super::message::{MessageState, SagaId, Task};
use super::scenario::Coordination;
use super::sim::{Occurrence, Simulation};
use super::tables::LedgerKind;

/// The invariants, numbered as in the design.
pub const INVARIANTS: [(u8, &str); 7] = [
    (
        1,
        "Every saga ends completed, compensated, or listed for manual intervention",
    ),
    (2, "No compensation without its step, and none twice"),
    (3, "Each action takes effect at most once"),
    (4, "Attempts never exceed the configured maximum"),
    (
        5,
        "No message is lost: sent = handled + in flight + dead-lettered (+ dropped by a fault)",
    ),
    (6, "Money adds up, and no slot is held by two sagas"),
    (7, "Same scenario and seed give the same trace"),
];

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Which invariant (1–7).
    pub invariant: u8,
    /// The saga concerned, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saga: Option<SagaId>,
    /// What is wrong, in words.
    pub detail: String,
}

/// The state of one invariant in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvariantStatus {
    /// Which invariant (1–7).
    pub invariant: u8,
    /// Its statement.
    pub name: String,
    /// Whether it holds (as far as it has been checked).
    pub holds: bool,
    /// Whether it has been checked at all: invariant 7 is checked by replaying the run, which
    /// callers do once a run settles.
    pub checked: bool,
    /// When it first broke (simulated ms), and the event sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<(u64, u64)>,
    /// What broke, the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Checks invariants 1–6 now. `settled` says the run has come to rest (nothing more is due),
/// which is when invariant 1 asks every saga to have ended.
pub fn check(sim: &Simulation, settled: bool) -> Vec<Violation> {
    let mut found = Vec::new();
    check_outcomes(sim, settled, &mut found);
    check_effects(sim, &mut found);
    check_attempts(sim, &mut found);
    check_messages(sim, &mut found);
    check_money_and_slots(sim, &mut found);
    found
}

fn violation(found: &mut Vec<Violation>, invariant: u8, saga: Option<SagaId>, detail: String) {
    found.push(Violation {
        invariant,
        saga,
        detail,
    });
}

/// A fault that never ends by itself keeps a saga from ending: invariant 1 allows that.
fn permanent_fault_active(sim: &Simulation) -> bool {
    sim.faults().iter().any(|f| {
        f.active
            && matches!(
                f.spec,
                FaultSpec::Poison { .. } | FaultSpec::CompensationFails { times: None, .. }
            )
    })
}

fn check_outcomes(sim: &Simulation, settled: bool, found: &mut Vec<Violation>) {
    let def = &sim.scenario().definition;
    for saga in sim.sagas() {
        let id = saga.id;
        let actions: BTreeSet<usize> = effects_of(sim, id, |t| match t {
            Task::Action(s) => Some(s),
            _ => None,
        });
        let compensations: Vec<usize> = sim
            .effects()
            .iter()
            .filter(|e| e.saga == id)
            .filter_map(|e| match e.task {
                Task::Compensate(s) => Some(s),
                _ => None,
            })
            .collect();
        match saga.outcome {
            Outcome::Running => {
                if settled && saga.started && saga.stuck.is_none() && !permanent_fault_active(sim) {
                    violation(
                        found,
                        1,
                        Some(id),
                        format!("saga {} came to rest without an outcome", id + 1),
                    );
                }
            }
            Outcome::Completed => {
                if let Some(missing) = (0..def.steps.len()).find(|s| !actions.contains(s)) {
                    violation(
                        found,
                        1,
                        Some(id),
                        format!(
                            "saga {} completed but step {} never took effect",
                            id + 1,
                            missing + 1
                        ),
                    );
                }
            }
            Outcome::Compensated => {
                if compensations.windows(2).any(|w| w[0] <= w[1]) {
                    violation(
                        found,
                        1,
                        Some(id),
                        format!(
                            "saga {} compensated out of reverse order: steps {:?}",
                            id + 1,
                            compensations.iter().map(|s| s + 1).collect::<Vec<_>>()
                        ),
                    );
                }
                let undone: BTreeSet<usize> = compensations.iter().copied().collect();
                if let Some(left) = actions
                    .iter()
                    .find(|s| def.steps[**s].compensation.is_some() && !undone.contains(s))
                {
                    violation(
                        found,
                        1,
                        Some(id),
                        format!(
                            "saga {} ended compensated but step {} was never undone",
                            id + 1,
                            left + 1
                        ),
                    );
                }
                let told = sim
                    .effects()
                    .iter()
                    .any(|e| e.saga == id && e.task == Task::FailureNotice);
                if !told {
                    violation(
                        found,
                        1,
                        Some(id),
                        format!("saga {} compensated without telling both parties", id + 1),
                    );
                }
            }
            Outcome::RollbackIncomplete | Outcome::AwaitingPerson => {
                if saga.stuck.is_none() {
                    violation(
                        found,
                        1,
                        Some(id),
                        format!(
                            "saga {} is rollback incomplete but not listed for intervention",
                            id + 1
                        ),
                    );
                }
            }
        }
    }
}

fn effects_of(
    sim: &Simulation,
    saga: SagaId,
    pick: impl Fn(Task) -> Option<usize>,
) -> BTreeSet<usize> {
    sim.effects()
        .iter()
        .filter(|e| e.saga == saga)
        .filter_map(|e| pick(e.task))
        .collect()
}

fn check_effects(sim: &Simulation, found: &mut Vec<Violation>) {
    let mut actions: BTreeMap<(SagaId, usize), u32> = BTreeMap::new();
    let mut compensations: BTreeMap<(SagaId, usize), u32> = BTreeMap::new();
    let mut notices: BTreeMap<SagaId, u32> = BTreeMap::new();
    for effect in sim.effects() {
        match effect.task {
            Task::Action(s) => {
                let n = actions.entry((effect.saga, s)).or_default();
                *n += 1;
                if *n == 2 {
                    violation(
                        found,
                        3,
                        Some(effect.saga),
                        format!(
                            "step {} ({}) took effect twice for saga {}",
                            s + 1,
                            step_name(sim, s),
                            effect.saga + 1
                        ),
                    );
                }
            }
            Task::Compensate(s) => {
                if !actions.contains_key(&(effect.saga, s)) {
                    violation(
                        found,
                        2,
                        Some(effect.saga),
                        format!(
                            "step {} was undone for saga {} but never took effect",
                            s + 1,
                            effect.saga + 1
                        ),
                    );
                }
                let n = compensations.entry((effect.saga, s)).or_default();
                *n += 1;
                if *n == 2 {
                    violation(
                        found,
                        2,
                        Some(effect.saga),
                        format!(
                            "the compensation of step {} ({}) took effect twice for saga {}",
                            s + 1,
                            step_name(sim, s),
                            effect.saga + 1
                        ),
                    );
                }
            }
            Task::FailureNotice => {
                let n = notices.entry(effect.saga).or_default();
                *n += 1;
                if *n == 2 {
                    violation(
                        found,
                        3,
                        Some(effect.saga),
                        format!(
                            "the failure notice was sent twice for saga {}",
                            effect.saga + 1
                        ),
                    );
                }
            }
        }
    }
}

fn step_name(sim: &Simulation, step: usize) -> String {
    sim.scenario()
        .definition
        .steps
        .get(step)
        .map(|s| s.name.clone())
        .unwrap_or_default()
}

fn check_attempts(sim: &Simulation, found: &mut Vec<Violation>) {
    let scenario = sim.scenario();
    let def = &scenario.definition;
    for saga in sim.sagas() {
        for (i, step) in saga.steps.iter().enumerate() {
            let (action_max, compensation_max) = match scenario.coordination {
                Coordination::Choreography => (
                    Some(scenario.queues.max_receive_count),
                    Some(scenario.queues.max_receive_count),
                ),
                Coordination::Orchestration => {
                    let action = match def.steps[i].kind {
                        super::definition::StepKind::Retriable => {
                            scenario.retry.retriable.max_attempts
                        }
                        _ => scenario.retry.step.max_attempts,
                    };
                    (action, scenario.retry.compensation.max_attempts)
                }
            };
            if let Some(max) = action_max {
                if step.attempts > max {
                    violation(
                        found,
                        4,
                        Some(saga.id),
                        format!(
                            "step {} was attempted {} times (max {max})",
                            i + 1,
                            step.attempts
                        ),
                    );
                }
            }
            if let Some(max) = compensation_max {
                if step.compensation_attempts > max {
                    violation(
                        found,
                        4,
                        Some(saga.id),
                        format!(
                            "the compensation of step {} was attempted {} times (max {max})",
                            i + 1,
                            step.compensation_attempts
                        ),
                    );
                }
            }
        }
    }
}

fn check_messages(sim: &Simulation, found: &mut Vec<Violation>) {
    let mut counts = [0usize; 5];
    for m in sim.messages() {
        let i = match m.state {
            MessageState::InFlight => 0,
            MessageState::Queued => 1,
            MessageState::Handled => 2,
            MessageState::DeadLettered => 3,
            MessageState::Lost => 4,
        };
        counts[i] += 1;
    }
    let [in_flight, queued, _handled, dead, _lost] = counts;
    let arrivals = sim
        .pending()
        .filter(|o| matches!(o, Occurrence::Arrive(_)))
        .count();
    if arrivals != in_flight {
        violation(
            found,
            5,
            None,
            format!("{in_flight} messages are in flight but {arrivals} arrivals are due"),
        );
    }
    let waiting: usize = super::definition::ServiceId::ALL
        .iter()
        .map(|s| sim.queue(*s).len())
        .sum::<usize>()
        + sim.orchestrator().held.len();
    if waiting != queued {
        violation(
            found,
            5,
            None,
            format!("{queued} messages are marked queued but the queues hold {waiting}"),
        );
    }
    if sim.dead_letters().len() != dead {
        violation(
            found,
            5,
            None,
            format!(
                "{dead} messages are marked dead-lettered but the dead-letter queue holds {}",
                sim.dead_letters().len()
            ),
        );
    }
}

fn check_money_and_slots(sim: &Simulation, found: &mut Vec<Violation>) {
    let tables = sim.tables();
    let mut expected_total: i64 = 0;
    for saga in sim.sagas() {
        let net = tables.net_cents(saga.id);
        let amount = i64::try_from(saga.spec.amount_cents).unwrap_or(i64::MAX);
        if net != 0 && net != amount {
            violation(
                found,
                6,
                Some(saga.id),
                format!(
                    "saga {} holds {} cents; it should hold 0 or {amount}",
                    saga.id + 1,
                    net
                ),
            );
        }
        match saga.outcome {
            Outcome::Completed if net != amount => violation(
                found,
                6,
                Some(saga.id),
                format!(
                    "saga {} completed but holds {net} cents, not {amount}",
                    saga.id + 1
                ),
            ),
            Outcome::Compensated if net != 0 => violation(
                found,
                6,
                Some(saga.id),
                format!(
                    "saga {} was compensated but still holds {net} cents",
                    saga.id + 1
                ),
            ),
            _ => {}
        }
        if saga.outcome != Outcome::Compensated
            && (net == amount || saga.outcome == Outcome::Completed)
        {
            expected_total += amount;
        }
        let holds = tables.slots.iter().filter(|r| r.saga == saga.id).count();
        if saga.outcome == Outcome::Compensated && holds > 0 {
            violation(
                found,
                6,
                Some(saga.id),
                format!(
                    "saga {} was compensated but still holds its slot",
                    saga.id + 1
                ),
            );
        }
        if saga.outcome == Outcome::Completed && holds == 0 {
            violation(
                found,
                6,
                Some(saga.id),
                format!("saga {} completed but holds no slot", saga.id + 1),
            );
        }
    }
    let charged: i64 = ledger_sum(tables, LedgerKind::Charged);
    let refunded: i64 = ledger_sum(tables, LedgerKind::Refunded);
    if charged - refunded != expected_total && found.iter().all(|v| v.invariant != 6) {
        violation(
            found,
            6,
            None,
            format!(
                "charged − refunded = {} cents, but the sagas account for {expected_total}",
                charged - refunded
            ),
        );
    }
    let mut holders: BTreeMap<&str, Vec<SagaId>> = BTreeMap::new();
    for row in &tables.slots {
        holders.entry(row.slot.as_str()).or_default().push(row.saga);
    }
    for (slot, sagas) in holders {
        if sagas.len() > 1 {
            violation(
                found,
                6,
                None,
                format!(
                    "slot \"{slot}\" is held by sagas {}",
                    sagas
                        .iter()
                        .map(|s| (s + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            );
        }
    }
}

fn ledger_sum(tables: &super::tables::Tables, kind: LedgerKind) -> i64 {
    tables
        .ledger
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| i64::try_from(r.amount_cents).unwrap_or(i64::MAX))
        .sum()
}

/// Invariant 7: replays the run's scenario (with every command issued) from scratch to the same
/// moment and compares the traces event by event.
pub fn check_determinism(sim: &Simulation) -> Result<(), Violation> {
    let mut again = match Simulation::new(sim.replay_scenario()) {
        Ok(s) => s,
        Err(e) => {
            return Err(Violation {
                invariant: 7,
                saga: None,
                detail: format!("the scenario no longer loads: {e}"),
            })
        }
    };
    again.advance_to(sim.now_ms());
    let (a, b) = (sim.trace(), again.trace());
    if let Some(i) = (0..a.len().min(b.len())).find(|&i| a[i] != b[i]) {
        return Err(Violation {
            invariant: 7,
            saga: None,
            detail: format!("the replay differs at event {i}"),
        });
    }
    if a.len() != b.len() {
        return Err(Violation {
            invariant: 7,
            saga: None,
            detail: format!("the replay has {} events, the run {}", b.len(), a.len()),
        });
    }
    Ok(())
}

/// Checks after every event and remembers when each invariant first broke.
#[derive(Debug, Clone, Default)]
pub struct Monitor {
    first: BTreeMap<u8, (u64, u64, String)>,
    checks: u64,
    determinism_checked: bool,
}

impl Monitor {
    /// A monitor that has seen nothing broken.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks `sim` now; returns the violations found.
    pub fn observe(&mut self, sim: &Simulation) -> Vec<Violation> {
        self.checks += 1;
        let found = check(sim, sim.is_quiescent());
        let at = (sim.now_ms(), sim.event_count());
        for v in &found {
            self.first
                .entry(v.invariant)
                .or_insert_with(|| (at.0, at.1, v.detail.clone()));
        }
        found
    }

    /// Records a determinism result.
    pub fn record_determinism(&mut self, sim: &Simulation, result: Result<(), Violation>) {
        self.determinism_checked = true;
        if let Err(v) = result {
            self.first
                .entry(7)
                .or_insert((sim.now_ms(), sim.event_count(), v.detail));
        }
    }

    /// How many checks have run.
    pub fn checks(&self) -> u64 {
        self.checks
    }

    /// Whether nothing has broken.
    pub fn all_hold(&self) -> bool {
        self.first.is_empty()
    }

    /// The status of every invariant.
    pub fn report(&self) -> Vec<InvariantStatus> {
        INVARIANTS
            .iter()
            .map(|(n, name)| {
                let first = self.first.get(n);
                InvariantStatus {
                    invariant: *n,
                    name: (*name).to_string(),
                    holds: first.is_none(),
                    checked: *n != 7 || self.determinism_checked,
                    broken_at: first.map(|(t, seq, _)| (*t, *seq)),
                    detail: first.map(|(_, _, d)| d.clone()),
                }
            })
            .collect()
    }
}
