//! Invariant 11 from the trace: every write to a shared record must apply its own change to the
//! value the record held just before. The monitor keeps its own value of each record, starting
//! from the scenario and moved only by the trace's writes, and works out each change from the
//! task and the saga's request (one table, the amount); it never asks the engine how it decided.
//! A write that lands anywhere else wiped out another saga's update: a lost update, named with
//! the sagas whose writes came between the writer's read and its write.
//!
//! It also keeps, from the writes, how much of each record every saga has taken and not given
//! back. A saga refused a take on a value that covered it but for other sagas' takes, one of
//! which is later given back (the taker compensated), was turned away by an update that never
//! stood: a dirty read, named when the taker gives back.

use crate::engine::definition::Operation;
use crate::engine::event::{Event, EventKind};
use crate::engine::message::{SagaId, Task};
use crate::engine::shared::{Anomaly, Record};
use crate::engine::sim::Simulation;

use super::super::shared::signed;
use super::super::vocabulary::{saga_name, Invariant, Violation};

/// The shared records as the trace has written them.
#[derive(Debug, Clone, Default)]
pub(super) struct IsolationWatch {
    /// (Lists rather than maps: a run has a few records, and lists weigh far less in the page.)
    values: Vec<(Record, i64)>,
    /// Every write, in order: (record, sequence number, saga, how much it changed the record).
    writes: Vec<(Record, u64, SagaId, i64)>,
    /// How much of each record each saga still running has taken and not given back.
    taken: Vec<(Record, SagaId, i64)>,
    /// Each saga's last read of a record.
    seen: Vec<(SagaId, Record, Seen)>,
    /// Each saga's last read of a record that a forward step acted on, by step: (saga, record,
    /// step, the read).
    steps_read: Vec<(SagaId, Record, usize, Seen)>,
    /// Refusals that other sagas' takes explain, until one of those takes is given back.
    turned_away: Vec<TurnedAway>,
}

#[derive(Debug, Clone)]
struct Seen {
    /// The read's sequence number.
    seq: u64,
    value: i64,
    /// Other sagas' takes not given back when it read: (saga, amount).
    others: Vec<(SagaId, i64)>,
}

#[derive(Debug, Clone)]
struct TurnedAway {
    saga: SagaId,
    task: Task,
    record: Record,
    seen: Seen,
}

impl IsolationWatch {
    /// Folds one event; a write that lost another's update, or gave back a take that turned
    /// another saga away, is pushed onto `found`.
    pub(super) fn fold(&mut self, sim: &Simulation, event: &Event, found: &mut Vec<Violation>) {
        let Some(saga) = event.saga else {
            return;
        };
        match &event.kind {
            EventKind::RecordRead {
                task,
                record,
                value,
                pending,
                ..
            } => {
                let record: &Record = record;
                if let (Task::Action(step), None) = (task, pending) {
                    self.step_read(sim, saga, (*step, signed(*value)), record, event, found);
                }
                let others = self
                    .taken
                    .iter()
                    .filter(|&(r, by, n)| r == record && *by != saga && *n > 0)
                    .map(|&(_, by, n)| (by, n))
                    .collect();
                let seen = Seen {
                    seq: event.seq,
                    value: signed(*value),
                    others,
                };
                self.seen.retain(|(by, r, _)| !(*by == saga && r == record));
                self.seen.push((saga, record.clone(), seen));
            }
            EventKind::StepRefused { task } => self.refused(sim, saga, *task),
            EventKind::SagaEnded { .. } => {
                // Its takes stand now: undoing them later (a cancellation after completion) is
                // a new change, not the undoing of one others should not have seen.
                self.taken.retain(|(_, by, _)| *by != saga);
            }
            EventKind::RecordWritten {
                task,
                record,
                based_on,
                after,
                ..
            } => {
                let record: &Record = record;
                let before = self.value(sim, record);
                let after = signed(*after);
                self.values.retain(|(r, _)| r != record);
                self.values.push((record.clone(), after));
                let since = self
                    .seen
                    .iter()
                    .find(|(by, r, _)| *by == saga && r == record)
                    .map(|(_, _, seen)| seen.seq);
                let between: Vec<SagaId> = self
                    .writes
                    .iter()
                    .filter(|(r, seq, other, _)| {
                        r == record && *other != saga && since.is_some_and(|s| *seq > s)
                    })
                    .map(|&(_, _, other, _)| other)
                    .collect();
                self.writes
                    .push((record.clone(), event.seq, saga, after - before));
                let change = change_of(sim, saga, *task, record);
                if let Some(c) = change {
                    let mine = self
                        .taken
                        .iter_mut()
                        .find(|(r, by, _)| r == record && *by == saga);
                    match mine {
                        Some((_, _, held)) => *held = (*held - c).max(0),
                        None => self.taken.push((record.clone(), saga, (-c).max(0))),
                    }
                }
                if change.is_some_and(|c| c > 0) {
                    self.given_back(sim, saga, record, event, found);
                }
                let expected = change.map(|c| before + c);
                if expected == Some(after) && expected.is_some_and(|e| e >= 0) {
                    return;
                }
                let mut others = between.clone();
                others.sort_unstable();
                others.dedup();
                let mut sagas = vec![saga];
                sagas.extend(others);
                let detail = match (change, between.is_empty()) {
                    (None, _) => format!(
                        "{} wrote {} though {} does not change it",
                        saga_name(saga),
                        record.label(),
                        task.label(&sim.scenario().definition)
                    ),
                    (Some(_), false) => format!(
                        "{} wrote {} = {} from its read of {}, over {}'s update since: that update is lost",
                        saga_name(saga),
                        record.label(),
                        text(record, after),
                        record.value_text(*based_on),
                        names(&between)
                    ),
                    (Some(c), true) => format!(
                        "{} wrote {} = {}, but it held {} and the change is {c:+}",
                        saga_name(saga),
                        record.label(),
                        text(record, after),
                        text(record, before)
                    ),
                };
                let violation = Violation::new(
                    Invariant::Isolation,
                    sagas,
                    task.step(),
                    (event.at_ms, event.seq),
                    detail,
                );
                found.push(if between.is_empty() {
                    violation
                } else {
                    violation.anomaly(Anomaly::LostUpdate)
                });
            }
            _ => {}
        }
    }

    /// `saga` learned its `task` was refused: if that task takes from a record whose last read
    /// could not cover it but would have without other sagas' takes, it waits to see whether one
    /// of those is given back.
    fn refused(&mut self, sim: &Simulation, saga: SagaId, task: Task) {
        let mut found = None;
        for (reader, record, seen) in &self.seen {
            let need = need_of(sim, saga, task, record);
            let Some(need) = need.filter(|_| *reader == saga) else {
                continue;
            };
            let held: i64 = seen.others.iter().map(|&(_, n)| n).sum();
            if seen.value < need && seen.value + held >= need {
                found = Some((record.clone(), seen.clone()));
            }
        }
        if let Some((record, seen)) = found {
            if self
                .turned_away
                .iter()
                .any(|t| t.saga == saga && t.task == task && t.record == record)
            {
                return;
            }
            self.turned_away.push(TurnedAway {
                saga,
                task,
                record,
                seen,
            });
        }
    }

    /// `taker` gave some of `record` back: every saga refused while its take stood read a
    /// value that never stood.
    fn given_back(
        &mut self,
        sim: &Simulation,
        taker: SagaId,
        record: &Record,
        event: &Event,
        found: &mut Vec<Violation>,
    ) {
        let (dirty, rest): (Vec<TurnedAway>, Vec<TurnedAway>) =
            std::mem::take(&mut self.turned_away)
                .into_iter()
                .partition(|t| {
                    t.record == *record && t.seen.others.iter().any(|&(by, _)| by == taker)
                });
        self.turned_away = rest;
        for t in dirty {
            let detail = format!(
                "{} was turned away ({}): it read {} = {} while {}'s update was still pending, and {} has now given it back: a dirty read",
                saga_name(t.saga),
                t.task.label(&sim.scenario().definition),
                record.label(),
                text(record, t.seen.value),
                saga_name(taker),
                saga_name(taker),
            );
            found.push(
                Violation::new(
                    Invariant::Isolation,
                    vec![t.saga, taker],
                    t.task.step(),
                    (event.at_ms, event.seq),
                    detail,
                )
                .anomaly(Anomaly::DirtyRead),
            );
        }
    }

    /// `saga`'s `step` read `record` (and will act on it): if another of its steps read it
    /// before, the two must agree but for its own writes since; a difference is other sagas'
    /// writes in between, a fuzzy read.
    fn step_read(
        &mut self,
        sim: &Simulation,
        saga: SagaId,
        (step, value): (usize, i64),
        record: &Record,
        event: &Event,
        found: &mut Vec<Violation>,
    ) {
        let earlier = self
            .steps_read
            .iter()
            .filter(|(by, r, s, _)| *by == saga && r == record && *s != step)
            .max_by_key(|(_, _, _, seen)| seen.seq)
            .map(|(_, _, s, seen)| (*s, seen.seq, seen.value));
        self.steps_read
            .retain(|(by, r, s, _)| !(*by == saga && r == record && *s == step));
        self.steps_read.push((
            saga,
            record.clone(),
            step,
            Seen {
                seq: event.seq,
                value,
                others: Vec::new(),
            },
        ));
        let Some((first_step, since, first_value)) = earlier else {
            return;
        };
        let later = |(r, seq, _, _): &&(Record, u64, SagaId, i64)| r == record && *seq > since;
        let own: i64 = self
            .writes
            .iter()
            .filter(|w| later(w) && w.2 == saga)
            .map(|w| w.3)
            .sum();
        if first_value + own == value {
            return;
        }
        let between: Vec<SagaId> = self
            .writes
            .iter()
            .filter(|w| later(w) && w.2 != saga)
            .map(|w| w.2)
            .collect();
        let definition = &sim.scenario().definition;
        let step_name = |s: usize| Task::Action(s).label(definition);
        let detail = format!(
            "{} read {} twice: {} in {}, then {} in {}{}: a fuzzy read",
            saga_name(saga),
            record.label(),
            text(record, first_value),
            step_name(first_step),
            text(record, value),
            step_name(step),
            if between.is_empty() {
                String::new()
            } else {
                format!(", after {}'s update", names(&between))
            },
        );
        let mut sagas = vec![saga];
        let mut others = between;
        others.sort_unstable();
        others.dedup();
        sagas.extend(others);
        found.push(
            Violation::new(
                Invariant::Isolation,
                sagas,
                Some(step),
                (event.at_ms, event.seq),
                detail,
            )
            .anomaly(Anomaly::FuzzyRead),
        );
    }

    fn value(&self, sim: &Simulation, record: &Record) -> i64 {
        if let Some((_, v)) = self.values.iter().find(|(r, _)| r == record) {
            return *v;
        }
        let shared = &sim.scenario().shared;
        let start = match record {
            Record::TablesLeft { slot } => shared.tables.get(slot).copied(),
            Record::GiftCard { customer } => shared.gift_cards.get(customer).copied(),
        };
        signed(start.unwrap_or(0))
    }
}

/// What the task does to the record, worked out from the saga definition and the request.
fn change_of(sim: &Simulation, saga: SagaId, task: Task, record: &Record) -> Option<i64> {
    let op = task.operation(&sim.scenario().definition)?;
    let spec = &sim.sagas().get(saga)?.spec;
    let amount = signed(spec.amount_cents);
    match (op, record) {
        (Operation::BookSlot, Record::TablesLeft { slot }) if *slot == spec.slot => Some(-1),
        (Operation::ReleaseSlot, Record::TablesLeft { slot }) if *slot == spec.slot => Some(1),
        (Operation::ChargeCard, Record::GiftCard { customer }) if *customer == spec.customer => {
            Some(-amount)
        }
        (Operation::RefundPayment, Record::GiftCard { customer }) if *customer == spec.customer => {
            Some(amount)
        }
        _ => None,
    }
}

/// How much of the record the task needs to find there: a take's amount, or what a look at it
/// requires (one table, for Reservation's look at the tables left before it accepts a booking).
fn need_of(sim: &Simulation, saga: SagaId, task: Task, record: &Record) -> Option<i64> {
    let op = task.operation(&sim.scenario().definition)?;
    let spec = &sim.sagas().get(saga)?.spec;
    match (op, record) {
        (Operation::CreateReservation, Record::TablesLeft { slot })
            if *slot == spec.slot && sim.scenario().shared.check_availability =>
        {
            Some(1)
        }
        _ => change_of(sim, saga, task, record)
            .filter(|&c| c < 0)
            .map(|c| -c),
    }
}

/// A value of the record as people read it (a negative one only as a number).
fn text(record: &Record, value: i64) -> String {
    u64::try_from(value).map_or(value.to_string(), |v| record.value_text(v))
}

fn names(sagas: &[SagaId]) -> String {
    let mut unique: Vec<SagaId> = sagas.to_vec();
    unique.sort_unstable();
    unique.dedup();
    unique
        .into_iter()
        .map(saga_name)
        .collect::<Vec<_>>()
        .join(" and ")
}
