//! Shared records under concurrent sagas: a service handling a task on one reads it when the
//! handling begins and writes it when it ends (see [`crate::engine::shared`]). This file holds
//! the read, the countermeasures' checks before the write, and the semantic lock's PENDING flag.
//!
//! The flag belongs to one handling (the request it handles), not to a saga: a saga's own
//! compensation arriving while its action is still being handled waits too, or its write would
//! undo an update it never read.

use super::Simulation;
use crate::engine::definition::ServiceId;
use crate::engine::event::{EventKind, FailReason};
use crate::engine::message::{MessageId, SagaId, Task};
use crate::engine::shared::{Access, Read};

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
        let lock = self.scenario.safeguards.semantic_lock;
        let Some(counter) = self.tables.shared.get_mut(&record) else {
            return false;
        };
        let value = counter.value;
        // The PENDING flag belongs to one handling: any other, of this saga or another, waits.
        let locked_by = match self.locks.get(&record) {
            Some(&(holder, by)) if holder != message => Some(by),
            _ => None,
        };
        if lock && locked_by.is_none() {
            counter.pending = Some(saga);
            self.locks.insert(record.clone(), (message, saga));
        }
        self.reads.insert(
            message,
            PendingRead {
                saga,
                read: Read {
                    record: record.clone(),
                    value,
                    locked_by,
                },
            },
        );
        self.emit(
            Some(saga),
            EventKind::RecordRead {
                task,
                service,
                record,
                value,
                pending: locked_by,
            },
        );
        true
    }

    /// The handling of `message` is over (written, refused, failed or abandoned): its read is
    /// dropped and its PENDING flag, if it set one, cleared.
    pub(super) fn end_read(&mut self, message: MessageId) {
        if let Some(PendingRead { read, .. }) = self.reads.remove(&message) {
            if self
                .locks
                .get(&read.record)
                .is_some_and(|&(m, _)| m == message)
            {
                self.locks.remove(&read.record);
                if let Some(counter) = self.tables.shared.get_mut(&read.record) {
                    counter.pending = None;
                }
            }
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
            .and_then(|m| self.reads.get(&m))
            .filter(|p| p.saga == saga && p.read.record == record)
            .map(|p| &p.read);
        let safeguards = &self.scenario.safeguards;
        let locked_now = self
            .locks
            .get(&record)
            .is_some_and(|&(m, _)| Some(m) != message);
        if safeguards.semantic_lock && read.is_none() && locked_now {
            // It read nothing when it began (its database was down then): the flag now counts.
            return Err(FailReason::RecordLocked);
        }
        if let Some(read) = read {
            if safeguards.semantic_lock && read.locked_by.is_some() {
                return Err(FailReason::RecordLocked);
            }
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
