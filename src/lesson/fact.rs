//! Reading facts from a run: which events match a pattern, where the page should pause, and
//! whether a challenge's goal or a question's check holds.
//!
//! Each fact is computed here from the trace and the tables (and the scenario the run was made
//! from), with no help from the engine's outcome bookkeeping, counters or invariant monitor:
//! the money is summed from the ledger's rows, a double booking counted from the slots' rows,
//! an ending read from the `saga_ended` events.

use std::collections::BTreeMap;

use super::*;
use crate::engine::commit::{commit_run, CommitEvent, CommitEventKind, CommitPlan, TxnId};
use crate::engine::definition::{SagaDefinition, StepKind};
use crate::engine::event::{Event, EventKind};
use crate::engine::message::{SagaId, Task, TaskResult};
use crate::engine::sim::Simulation;
use crate::engine::tables::LedgerKind;
use crate::player::Player;

/// How many engine steps [`pause_point`] looks ahead at most.
pub const LOOK_AHEAD_STEPS: usize = 50_000;

/// Where the page pauses for a `pause_at` stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    /// Stop the player before the step that begins with this many events
    /// (`Player::set_stop`): right after the step that holds the event.
    pub stop_at: u64,
    /// The matching event's sequence number (to select it in the log).
    pub seq: u64,
    /// When it happens, in simulated ms.
    pub at_ms: u64,
}

/// Finds the first event after the moment shown that matches `pattern`, by running a copy of
/// the run on; `None` if the run never reaches one (within [`LOOK_AHEAD_STEPS`]).
pub fn pause_point(player: &Player, pattern: &EventPattern) -> Option<Pause> {
    player
        .look_ahead(LOOK_AHEAD_STEPS, |_, event, sim| {
            pattern
                .matches(event, &sim.scenario().definition)
                .then(|| Pause {
                    stop_at: sim.event_count(),
                    seq: event.seq,
                    at_ms: event.at_ms,
                })
        })
        .and_then(|(_, found)| found.into_iter().next())
}

/// An event's kind as a lesson names it, with the task and the service it is about.
fn parts(kind: &EventKind) -> Option<(EventWanted, Option<Task>, Option<ServiceId>)> {
    use EventWanted as W;
    Some(match kind {
        EventKind::SagaStarted => (W::SagaStarted, None, None),
        EventKind::TaskStarted { task, .. } => (W::TaskStarted, Some(*task), None),
        EventKind::TaskApplied { task, service, .. } => {
            (W::TaskApplied, Some(*task), Some(*service))
        }
        EventKind::TaskFailed { task, service, .. } => (W::TaskFailed, Some(*task), Some(*service)),
        EventKind::TimedOut { task, .. } => (W::TimedOut, Some(*task), None),
        EventKind::RetryScheduled { task, .. } => (W::RetryScheduled, Some(*task), None),
        EventKind::StepSucceeded { task } => (W::StepSucceeded, Some(*task), None),
        EventKind::StepRefused { task } => (W::StepRefused, Some(*task), None),
        EventKind::CompensationBegun { .. } => (W::CompensationBegun, None, None),
        EventKind::DuplicateIgnored { task, service } => {
            (W::DuplicateIgnored, Some(*task), Some(*service))
        }
        EventKind::Received { queue, .. } => (W::Received, None, Some(*queue)),
        EventKind::DeadLettered { queue, .. } => (W::DeadLettered, None, Some(*queue)),
        EventKind::Redriven { queue, .. } => (W::Redriven, None, Some(*queue)),
        EventKind::ManualIntervention { task, .. } => (W::ManualIntervention, Some(*task), None),
        EventKind::SagaEnded { .. } => (W::SagaEnded, None, None),
        EventKind::MessageLost { .. } => (W::MessageLost, None, None),
        EventKind::ServiceDown { service } => (W::ServiceDown, None, Some(*service)),
        EventKind::ServiceUp { service } => (W::ServiceUp, None, Some(*service)),
        EventKind::OrchestratorCrashed => (W::OrchestratorCrashed, None, None),
        EventKind::OrchestratorRecovered { .. } => (W::OrchestratorRecovered, None, None),
        EventKind::RecordRead { task, service, .. } => (W::RecordRead, Some(*task), Some(*service)),
        EventKind::RecordWritten { task, service, .. } => {
            (W::RecordWritten, Some(*task), Some(*service))
        }
        EventKind::CancelRequested => (W::CancelRequested, None, None),
        EventKind::PublishLost { service, .. } => (W::PublishLost, None, Some(*service)),
        _ => return None,
    })
}

impl EventPattern {
    /// Whether `event` (of a run of `def`) is one of the events this pattern names.
    pub fn matches(&self, event: &Event, def: &SagaDefinition) -> bool {
        let Some((wanted, task, service)) = parts(&event.kind) else {
            return false;
        };
        let service = service.or_else(|| task.and_then(|t| t.service(def)));
        wanted == self.event
            && self
                .step
                .is_none_or(|op| task.and_then(|t| t.operation(def)) == Some(op))
            && self.service.is_none_or(|s| service == Some(s))
            && self.saga.is_none_or(|s| event.saga == Some(s))
            && self.outcome.is_none_or(
                |o| matches!(event.kind, EventKind::SagaEnded { outcome } if outcome == o),
            )
    }
}

/// How each saga stands by its `saga_ended` events: the last outcome, unless the saga went on
/// after it (a cancellation saga, a redrive), when it is running again and absent here.
fn endings(trace: &[Event]) -> BTreeMap<SagaId, Outcome> {
    let mut out = BTreeMap::new();
    for e in trace {
        let Some(saga) = e.saga else { continue };
        match e.kind {
            EventKind::SagaEnded { outcome } => {
                out.insert(saga, outcome);
            }
            EventKind::CompensationBegun { .. } | EventKind::Redriven { .. } => {
                out.remove(&saga);
            }
            _ => {}
        }
    }
    out
}

/// The steps undone, in the order their compensations took effect (a compensation that
/// changed nothing undid nothing), as the steps' actions.
fn undone(trace: &[Event], def: &SagaDefinition, saga: Option<usize>) -> Vec<Operation> {
    trace
        .iter()
        .filter(|e| saga.is_none_or(|s| e.saga == Some(s)))
        .filter_map(|e| match e.kind {
            EventKind::TaskApplied {
                task: Task::Compensate(step),
                result: TaskResult::Done,
                changed: true,
                ..
            } => def.steps.get(step).map(|s| s.action),
            _ => None,
        })
        .collect()
}

/// Whether the ledger disagrees with the sagas: each saga's charges minus refunds, summed
/// from the rows, must be nothing or its amount, its amount once completed and nothing once
/// compensated.
fn money_does_not_add_up(sim: &Simulation) -> bool {
    let mut net: BTreeMap<SagaId, i128> = BTreeMap::new();
    for row in &sim.tables().ledger {
        let amount = i128::from(row.amount_cents);
        *net.entry(row.saga).or_default() += match row.kind {
            LedgerKind::Charged => amount,
            LedgerKind::Refunded => -amount,
        };
    }
    let ended = endings(sim.trace());
    // The amount each customer asked to pay: the saga's input, not the engine's bookkeeping.
    let amount = |saga: SagaId| {
        sim.sagas()
            .get(saga)
            .map(|s| i128::from(s.spec.amount_cents))
    };
    let sagas: std::collections::BTreeSet<SagaId> =
        net.keys().chain(ended.keys()).copied().collect();
    sagas.into_iter().any(|saga| {
        let held = net.get(&saga).copied().unwrap_or(0);
        let Some(amount) = amount(saga) else {
            return held != 0;
        };
        held != 0 && held != amount
            || match ended.get(&saga) {
                Some(Outcome::Completed) => held != amount,
                Some(Outcome::Compensated) => held != 0,
                _ => false,
            }
    })
}

/// Whether some slot is held by more sagas than it has tables (one, unless the scenario gives
/// the slot a count), counted from the slots' rows.
fn double_booking(sim: &Simulation) -> bool {
    let mut holders: BTreeMap<&str, Vec<SagaId>> = BTreeMap::new();
    for row in &sim.tables().slots {
        let sagas = holders.entry(row.slot.as_str()).or_default();
        if !sagas.contains(&row.saga) {
            sagas.push(row.saga);
        }
    }
    let shared = &sim.scenario().shared.tables;
    holders.into_iter().any(|(slot, sagas)| {
        let tables = shared.get(slot).copied().unwrap_or(1);
        u64::try_from(sagas.len()).unwrap_or(u64::MAX) > tables
    })
}

/// The trace of the run's bookings as transactions of `protocol` meeting `failure`.
fn commit_trace(
    sim: &Simulation,
    protocol: Protocol,
    failure: CommitPlan,
) -> Option<Vec<CommitEvent>> {
    commit_run(sim.scenario(), protocol, failure)
        .ok()
        .map(|c| c.trace().to_vec())
}

/// Whether a participant voted yes, took a lock, and neither decided nor let the lock go:
/// read from the commit trace's own events.
fn commit_blocks(trace: &[CommitEvent]) -> bool {
    let mut voted_yes = BTreeMap::new();
    let mut decided = Vec::new();
    let mut locks: BTreeMap<(Option<TxnId>, ServiceId), i64> = BTreeMap::new();
    for e in trace {
        let txn = e.txn;
        match &e.kind {
            CommitEventKind::Voted {
                participant,
                yes: true,
            } => {
                voted_yes.insert((txn, *participant), ());
            }
            CommitEventKind::Decided { participant, .. } => decided.push((txn, *participant)),
            CommitEventKind::LockTaken { participant, .. } => {
                *locks.entry((txn, *participant)).or_default() += 1;
            }
            CommitEventKind::LockReleased { participant, .. } => {
                *locks.entry((txn, *participant)).or_default() -= 1;
            }
            _ => {}
        }
    }
    voted_yes
        .keys()
        .any(|key| !decided.contains(key) && locks.get(key).is_some_and(|&held| held > 0))
}

/// Whether every participant that voted in a transaction decided it (no one is in doubt).
fn none_in_doubt(trace: &[CommitEvent]) -> bool {
    let decided: Vec<(Option<TxnId>, ServiceId)> = trace
        .iter()
        .filter_map(|e| match e.kind {
            CommitEventKind::Decided { participant, .. } => Some((e.txn, participant)),
            _ => None,
        })
        .collect();
    trace.iter().all(|e| match e.kind {
        CommitEventKind::Voted { participant, .. } => decided.contains(&(e.txn, participant)),
        _ => true,
    })
}

/// Whether a transaction has a participant that committed and one that aborted.
fn commit_splits(trace: &[CommitEvent]) -> bool {
    let mut seen: BTreeMap<Option<TxnId>, (bool, bool)> = BTreeMap::new();
    for e in trace {
        if let CommitEventKind::Decided { commit, .. } = e.kind {
            let entry = seen.entry(e.txn).or_default();
            if commit {
                entry.0 = true;
            } else {
                entry.1 = true;
            }
        }
    }
    seen.values()
        .any(|&(committed, aborted)| committed && aborted)
}

fn pivot(def: &SagaDefinition) -> Option<usize> {
    def.steps.iter().position(|s| s.kind == StepKind::Pivot)
}

impl Fact {
    /// Whether the fact holds of the run so far (the moment `sim` shows).
    pub fn holds(&self, sim: &Simulation) -> bool {
        let trace = sim.trace();
        let def = &sim.scenario().definition;
        match self {
            Fact::SagaEnds { outcome, saga } => endings(trace)
                .into_iter()
                .any(|(s, o)| o == *outcome && saga.is_none_or(|want| want == s)),
            Fact::MoneyDoesNotAddUp => money_does_not_add_up(sim),
            Fact::PivotOutcomeUnknown => pivot(def).is_some_and(|p| {
                trace.iter().any(|e| {
                    matches!(e.kind, EventKind::TimedOut { task: Task::Action(s), .. } if s == p)
                })
            }),
            Fact::DeadLetter => trace
                .iter()
                .any(|e| matches!(e.kind, EventKind::DeadLettered { .. })),
            Fact::DoubleBooking => double_booking(sim),
            Fact::LostUpdate => trace.iter().any(|e| {
                matches!(e.kind, EventKind::RecordWritten { based_on, before, .. } if based_on != before)
            }),
            Fact::FirstUndone { step, saga } => undone(trace, def, *saga).first() == Some(step),
            Fact::Undone { steps, saga } => undone(trace, def, *saga) == *steps,
            Fact::Pivot { step } => pivot(def)
                .and_then(|p| def.steps.get(p))
                .is_some_and(|s| s.action == *step),
            Fact::CommitBlocks { protocol, failure } => {
                commit_trace(sim, *protocol, *failure).is_some_and(|t| commit_blocks(&t))
            }
            Fact::CommitNoneInDoubt { protocol, failure } => {
                commit_trace(sim, *protocol, *failure).is_some_and(|t| none_in_doubt(&t))
            }
            Fact::CommitSplits { protocol, failure } => {
                commit_trace(sim, *protocol, *failure).is_some_and(|t| commit_splits(&t))
            }
            Fact::Happens { what, times } => {
                let n = trace.iter().filter(|e| what.matches(e, def)).count();
                match times {
                    Some(t) => usize::try_from(*t).is_ok_and(|t| t == n),
                    None => n > 0,
                }
            }
        }
    }
}

impl Challenge {
    /// Whether the goal holds of the player's run under the safeguards it requires.
    pub fn met(&self, player: &Player) -> bool {
        let safeguards = player.safeguards();
        self.requires
            .iter()
            .all(|r| safeguards.get(r.safeguard) == r.on)
            && self.goal.holds(player.sim())
    }
}

impl Action {
    /// Whether the player's run shows the action done: the fault in the student's plan, the
    /// safeguard in the position asked, the cancel or redrive among the commands given.
    pub fn done(&self, player: &Player) -> bool {
        let scenario = player.sim().scenario();
        match self {
            Action::Inject {
                fault,
                service,
                step,
            } => player.plan().iter().any(|f| {
                f.kind() == *fault
                    && f.service(scenario) == Some(*service)
                    && step.is_none_or(|op| {
                        f.step_index()
                            .and_then(|i| scenario.definition.steps.get(i))
                            .is_some_and(|s| s.action == op)
                    })
            }),
            Action::Safeguard { safeguard, on } => player.safeguards().get(*safeguard) == *on,
            Action::Cancel { saga } => player.sim().issued_commands().iter().any(|c| {
                matches!(c.command, crate::engine::scenario::Command::Cancel { saga: s } if s == *saga)
            }),
            Action::Redrive => player
                .sim()
                .issued_commands()
                .iter()
                .any(|c| matches!(c.command, crate::engine::scenario::Command::Redrive)),
        }
    }
}
