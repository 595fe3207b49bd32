//! Shared records under concurrent sagas: a service handling a task on one reads it when the
//! handling begins and writes it when it ends (see [`crate::engine::shared`]). This file holds
//! the read, the countermeasures' checks before the write, and the semantic lock's PENDING flag.
//!
//! The flag is held twice over. While a request is handled it belongs to that handling: any
//! other, a saga's own compensation included, waits, or its write would undo an update it never
//! read. Once a saga has written the record, the flag stays with the saga until it ends
//! (Richardson: cleared by the saga completing or by its compensation), so other sagas wait
//! rather than act on an update that may yet be undone (a dirty read).

use super::Simulation;
use crate::engine::definition::ServiceId;
use crate::engine::event::{EventKind, FailReason};
use crate::engine::message::{MessageId, SagaId, Task};
use crate::engine::shared::{Access, Change, Read, Record};

/// What a handling read when it began, kept by the message it handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingRead {
    pub saga: SagaId,
    pub read: Read,
}

impl Simulation {
    /// A service begins handling `task` for `saga` (the request `message`): if the task touches
    /// a shared record, it reads it now and, with the semantic lock, marks it PENDING unless
    /// another saga's update is under way. Returns whether it read.
    pub(super) fn begin_read(
        &mut self,
        service: ServiceId,
        saga: SagaId,
        task: Task,
        message: MessageId,
    ) -> bool {
        if !self.database_up(service) {
            return false;
        }
        let Some(op) = task.operation(&self.scenario.definition) else {
            return false;
        };
        let Some(spec) = self.sagas.get(saga).map(|s| &s.spec) else {
            return false;
        };
        let Some((record, _)) = self.scenario.shared.access(op, spec) else {
            return false;
        };
        let lock = self.scenario.safeguards.flags_for(spec);
        let Some(value) = self.tables.shared.get(&record).map(|c| c.value) else {
            return false;
        };
        // Another handling's flag stops anyone; a saga's flag stops other sagas.
        let locked_by = self.flagged(&record, saga, Some(message));
        if lock && locked_by.is_none() {
            self.locks.push((record.clone(), message, saga));
            self.show_flag(&record);
        }
        self.reads.retain(|(m, _)| *m != message);
        self.reads.push((
            message,
            PendingRead {
                saga,
                read: Read {
                    record: record.clone(),
                    value,
                    locked_by,
                },
            },
        ));
        self.emit(
            Some(saga),
            EventKind::RecordRead {
                task,
                service,
                record: Box::new(record),
                value,
                pending: locked_by,
            },
        );
        true
    }

    /// The saga whose PENDING flag on `record` stops `saga` handling `message` from acting on
    /// it: another handling's, or another saga's that wrote it and has not ended.
    fn flagged(&self, record: &Record, saga: SagaId, message: Option<MessageId>) -> Option<SagaId> {
        match self.locks.iter().find(|(r, _, _)| r == record) {
            Some(&(_, holder, by)) if Some(holder) != message => Some(by),
            _ => self.holder(record).filter(|&by| by != saga),
        }
    }

    /// The saga that holds `record`'s flag after writing it, if one.
    fn holder(&self, record: &Record) -> Option<SagaId> {
        self.holds
            .iter()
            .find(|(r, _)| r == record)
            .map(|&(_, by)| by)
    }

    /// The handling of `message` is over (written, refused, failed or abandoned): its read is
    /// dropped and its PENDING flag, if it set one, cleared (the row shows the saga's own flag
    /// if it holds one).
    pub(super) fn end_read(&mut self, message: MessageId) {
        let Some(at) = self.reads.iter().position(|(m, _)| *m == message) else {
            return;
        };
        let (_, PendingRead { read, .. }) = self.reads.swap_remove(at);
        let before = self.locks.len();
        self.locks.retain(|(_, m, _)| *m != message);
        if self.locks.len() < before {
            self.show_flag(&read.record);
        }
    }

    /// With the semantic lock, `saga` has written `record`, or looked at it and acted on it: a
    /// take or a look keeps the flag with the saga until it ends or gives back (its compensation
    /// is the write that settles the record), so that no other saga changes what it saw. A write
    /// after its end (a late copy of a command) flags nothing.
    pub(super) fn hold_written(&mut self, saga: SagaId, access: &Access) {
        let record = &access.record;
        let flags = self
            .sagas
            .get(saga)
            .is_some_and(|s| !s.outcome.is_final() && self.scenario.safeguards.flags_for(&s.spec));
        match access.change {
            Change::Take(_) | Change::Need(_) if flags => {
                self.holds.retain(|(r, _)| r != record);
                self.holds.push((record.clone(), saga));
            }
            Change::Give(_) if self.holder(record) == Some(saga) => {
                self.holds.retain(|(r, _)| r != record);
            }
            _ => return,
        }
        self.show_flag(record);
    }

    /// `saga` has ended: the flags it held are cleared.
    pub(super) fn release_holds(&mut self, saga: SagaId) {
        let (released, kept) = std::mem::take(&mut self.holds)
            .into_iter()
            .partition(|&(_, by)| by == saga);
        self.holds = kept;
        for (record, _) in released {
            self.show_flag(&record);
        }
    }

    /// The record's PENDING column: the handling's saga, else the holding saga, else nothing.
    fn show_flag(&mut self, record: &Record) {
        let by = self
            .locks
            .iter()
            .find(|(r, _, _)| r == record)
            .map(|&(_, _, by)| by)
            .or_else(|| self.holder(record));
        if let Some(counter) = self.tables.shared.get_mut(record) {
            counter.pending = by;
        }
    }

    /// How the operation of `task` will decide and write its shared record, with the value the
    /// handling of `message` read; or why it must not write now (the semantic lock found another
    /// saga's update under way, or reread value found the record changed).
    pub(super) fn shared_access(
        &self,
        saga: SagaId,
        task: Task,
        message: Option<MessageId>,
    ) -> Result<Option<Access>, FailReason> {
        let definition = &self.scenario.definition;
        let (Some(op), Some(spec)) = (
            task.operation(definition),
            self.sagas.get(saga).map(|s| &s.spec),
        ) else {
            return Ok(None);
        };
        let Some((record, change)) = self.scenario.shared.access(op, spec) else {
            return Ok(None);
        };
        let read = message
            .and_then(|m| self.reads.iter().find(|(r, _)| *r == m))
            .map(|(_, p)| p)
            .filter(|p| p.saga == saga && p.read.record == record)
            .map(|p| &p.read);
        let safeguards = &self.scenario.safeguards;
        // Flags are set only with the semantic lock (or by value, for a risky request), and
        // every saga honours one.
        // A flag now counts as much as one seen at the read: a handling that read before a risky
        // request flagged the record (by value) must not write over it, nor one that read
        // nothing (its database was down then).
        let locked_now = self.flagged(&record, saga, message).is_some();
        if locked_now || read.is_some_and(|r| r.locked_by.is_some()) {
            return Err(FailReason::RecordLocked);
        }
        if let Some(read) = read {
            let now = self.tables.shared.get(&record).map(|c| c.value);
            if safeguards.reread_value && now != Some(read.value) {
                return Err(FailReason::RecordChanged);
            }
        }
        Ok(Some(Access {
            record,
            change,
            read: read.map(|r| r.value),
            commutative: safeguards.commutative_updates,
        }))
    }
}
