//! Invariant 11 from the trace: every write to a shared record must apply its own change to the
//! value the record held just before. The monitor keeps its own value of each record, starting
//! from the scenario and moved only by the trace's writes, and works out each change from the
//! task and the saga's request (one table, the amount); it never asks the engine how it decided.
//! A write that lands anywhere else wiped out another saga's update: a lost update, named with
//! the sagas whose writes came between the writer's read and its write.

use std::collections::BTreeMap;

use crate::engine::definition::Operation;
use crate::engine::event::{Event, EventKind};
use crate::engine::message::{SagaId, Task};
use crate::engine::shared::Record;
use crate::engine::sim::Simulation;

use super::super::vocabulary::{saga_name, Invariant, Violation};

/// The shared records as the trace has written them.
#[derive(Debug, Clone, Default)]
pub(super) struct IsolationWatch {
    values: BTreeMap<Record, i128>,
    /// The sequence number of each saga's last read of a record.
    reads: BTreeMap<(SagaId, Record), u64>,
    /// Every write, in order: (sequence number, saga).
    writes: BTreeMap<Record, Vec<(u64, SagaId)>>,
}

impl IsolationWatch {
    /// Folds one event; a write that lost another's update is returned as a violation.
    pub(super) fn fold(&mut self, sim: &Simulation, event: &Event) -> Option<Violation> {
        let saga = event.saga?;
        match &event.kind {
            EventKind::RecordRead { record, .. } => {
                self.reads.insert((saga, record.clone()), event.seq);
                None
            }
            EventKind::RecordWritten {
                task,
                record,
                based_on,
                after,
                ..
            } => {
                let before = self.value(sim, record);
                let after = i128::from(*after);
                self.values.insert(record.clone(), after);
                let since = self.reads.get(&(saga, record.clone())).copied();
                let writes = self.writes.entry(record.clone()).or_default();
                let between: Vec<SagaId> = writes
                    .iter()
                    .filter(|&&(seq, other)| other != saga && since.is_some_and(|r| seq > r))
                    .map(|&(_, other)| other)
                    .collect();
                writes.push((event.seq, saga));
                let change = change_of(sim, saga, *task, record);
                let expected = change.map(|c| before + c);
                if expected == Some(after) && expected.is_some_and(|e| e >= 0) {
                    return None;
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
                Some(Violation::new(
                    Invariant::Isolation,
                    sagas,
                    task.step(),
                    (event.at_ms, event.seq),
                    detail,
                ))
            }
            _ => None,
        }
    }

    fn value(&self, sim: &Simulation, record: &Record) -> i128 {
        if let Some(v) = self.values.get(record) {
            return *v;
        }
        let shared = &sim.scenario().shared;
        let start = match record {
            Record::TablesLeft { slot } => shared.tables.get(slot).map(|&n| u64::from(n)),
            Record::GiftCard { customer } => shared.gift_cards.get(customer).copied(),
        };
        i128::from(start.unwrap_or(0))
    }
}

/// What the task does to the record, worked out from the saga definition and the request.
fn change_of(sim: &Simulation, saga: SagaId, task: Task, record: &Record) -> Option<i128> {
    let op = task.operation(&sim.scenario().definition)?;
    let spec = &sim.sagas().get(saga)?.spec;
    let amount = i128::from(spec.amount_cents);
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

/// A value of the record as people read it (a negative one only as a number).
fn text(record: &Record, value: i128) -> String {
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
