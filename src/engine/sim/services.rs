//! The services: a service serving one task for one saga, meeting the faults on its step
//! first, then its idempotency records, then the operation on its tables.

use super::{Effect, Simulation};
use crate::engine::definition::ServiceId;
use crate::engine::event::{EventKind, FailReason};
use crate::engine::fault::{FaultKind, FaultSpec};
use crate::engine::message::{MessageId, SagaId, Task, TaskResult};
use crate::engine::shared::Change;
use crate::engine::tables::{MoneyFact, OperationContext, VersionRow};

/// How a service dealt with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Served {
    /// It answered with this result; whether the operation changed anything.
    Answered(TaskResult, bool),
    /// It had done this already and did nothing (idempotency): the remembered result, and
    /// whether the first run changed anything if that was remembered.
    Repeat(TaskResult, Option<bool>),
    /// It failed; a retry may work.
    Failed(FailReason),
    /// It took the request and never answered, and did nothing.
    Hung,
    /// It did the task but its answer (or acknowledgement) was lost.
    AnswerLost(TaskResult),
}

/// How a task is deduplicated by the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DedupKey {
    /// Orchestration: idempotency key = saga id + task.
    Key,
    /// Choreography: the business event id.
    Event(u32),
}

impl Simulation {
    /// A service runs a task for a saga: faults first, then idempotency, then the operation.
    /// `money` is what the request says happened to the customer's money (the failure notice's
    /// facts reach the notifier this way, never from Payment's ledger). `message` is the request
    /// handled: what its handling read of a shared record is kept by it, and let go here.
    pub(super) fn serve(
        &mut self,
        service: ServiceId,
        saga: SagaId,
        task: Task,
        dedup: DedupKey,
        (money, message): (Option<MoneyFact>, Option<MessageId>),
    ) -> Served {
        let served = self.serve_request(service, saga, task, dedup, money, message);
        if let Some(message) = message {
            self.end_read(message);
        }
        served
    }

    fn serve_request(
        &mut self,
        service: ServiceId,
        saga: SagaId,
        task: Task,
        dedup: DedupKey,
        money: Option<MoneyFact>,
        message: Option<MessageId>,
    ) -> Served {
        if !self.database_up(service) {
            return self.failed(service, saga, task, FailReason::DatabaseDown);
        }
        // A poison message: the first request the service meets while the fault is active.
        if let Some(id) = self.faults.iter().position(|f| {
            f.active
                && matches!(f.spec, FaultSpec::Poison { service: s } if s == service)
                && f.poisoned.is_none_or(|p| p == (saga, task))
        }) {
            if let Some(fault) = self.faults.get_mut(id) {
                fault.poisoned = Some((saga, task));
            }
            self.fire(id, Some(saga));
            return self.failed(service, saga, task, FailReason::Poison);
        }
        if let Some(percent) = self.chaos_percent() {
            if self.rng.chance(percent / 2) {
                return self.failed(service, saga, task, FailReason::Chaos);
            }
        }
        match task {
            Task::Action(step) => {
                if let Some(id) = self.step_fault(FaultKind::NoReply, saga, step) {
                    self.fire(id, Some(saga));
                    self.emit(
                        Some(saga),
                        EventKind::TaskFailed {
                            task,
                            service,
                            reason: FailReason::NoReply,
                        },
                    );
                    return Served::Hung;
                }
                if let Some(id) = self.step_fault(FaultKind::TransientError, saga, step) {
                    self.fire(id, Some(saga));
                    return self.failed(service, saga, task, FailReason::Transient);
                }
            }
            Task::Compensate(step) => {
                if let Some(id) = self.step_fault(FaultKind::CompensationFails, saga, step) {
                    self.fire(id, Some(saga));
                    return self.failed(service, saga, task, FailReason::CompensationFault);
                }
            }
            Task::FailureNotice => {}
        }
        let idempotent = self.scenario.safeguards.idempotency;
        if idempotent {
            let store = self.tables.store(service);
            let seen = match dedup {
                DedupKey::Key => store
                    .remembered_row(saga, task)
                    .map(|r| (r.result, r.changed)),
                DedupKey::Event(e) => store
                    .processed_events
                    .contains(&e)
                    .then_some((TaskResult::Done, None)),
            };
            if let Some((result, changed)) = seen {
                self.emit(Some(saga), EventKind::DuplicateIgnored { task, service });
                return Served::Repeat(result, changed);
            }
        }
        if let Task::Action(step) = task {
            let undone_first = self.scenario.safeguards.version_file
                && self
                    .tables
                    .store(service)
                    .version_file
                    .iter()
                    .any(|r| r.saga == saga && r.task == Task::Compensate(step));
            if undone_first {
                self.emit(Some(saga), EventKind::LateActionRefused { task, service });
                return Served::Repeat(TaskResult::BusinessFailure, None);
            }
        }
        let shared = match self.shared_access(saga, task, message) {
            Ok(access) => access,
            Err(reason) => return self.failed(service, saga, task, reason),
        };
        let forced = match task {
            Task::Action(step) => match self.step_fault(FaultKind::BusinessFailure, saga, step) {
                Some(id) => {
                    self.fire(id, Some(saga));
                    true
                }
                None => self.refused_after_cancel(service, saga, task),
            },
            _ => false,
        };
        let Some(op) = task.operation(&self.scenario.definition) else {
            return self.failed(service, saga, task, FailReason::Transient);
        };
        let Some(spec) = self.sagas.get(saga).map(|s| s.spec.clone()) else {
            return self.failed(service, saga, task, FailReason::Transient);
        };
        let applied = self.tables.apply(
            op,
            &OperationContext {
                saga,
                spec: &spec,
                now_ms: self.now_ms,
                forced_business_failure: forced,
                semantic_lock: self.scenario.safeguards.semantic_lock,
                money,
                shared: shared.clone(),
            },
        );
        let applied = crate::engine::defect::after_apply(self, op, task, saga, applied);
        if applied.changed {
            self.effects.push(Effect {
                saga,
                task,
                at_ms: self.now_ms,
            });
        }
        if let Some(access) = shared
            .as_ref()
            .filter(|a| matches!(a.change, Change::Need(_)))
        {
            if applied.changed {
                // A look that read nothing as it began (its database was down then) decided on
                // the value it finds now: the trace says so, as it does for a write.
                if access.read.is_none() {
                    if let Some(value) = self.tables.shared.get(&access.record).map(|c| c.value) {
                        self.emit(
                            Some(saga),
                            EventKind::RecordRead {
                                task,
                                service,
                                record: Box::new(access.record.clone()),
                                value,
                                pending: None,
                            },
                        );
                    }
                }
                self.hold_written(saga, access);
            }
        }
        if let (Some(access), Some(w)) = (shared, applied.written) {
            self.hold_written(saga, &access);
            self.emit(
                Some(saga),
                EventKind::RecordWritten {
                    task,
                    service,
                    record: Box::new(access.record),
                    based_on: w.based_on,
                    before: w.before,
                    after: w.after,
                },
            );
        }
        let now_ms = self.now_ms;
        let store = self.tables.store_mut(service);
        if self.scenario.safeguards.version_file && !matches!(task, Task::FailureNotice) {
            store.version_file.push(VersionRow {
                saga,
                task,
                at_ms: now_ms,
            });
        }
        match dedup {
            DedupKey::Key => {
                if idempotent {
                    let changed = matches!(task, Task::Compensate(_)).then_some(applied.changed);
                    store.remember(saga, task, applied.result, changed);
                    if let Task::Compensate(step) = task {
                        // A tombstone: an action command still on its way after its compensation
                        // must not take effect.
                        store.remember(saga, Task::Action(step), TaskResult::BusinessFailure, None);
                    }
                }
            }
            DedupKey::Event(e) => {
                if idempotent {
                    store.processed_events.insert(e);
                }
            }
        }
        self.emit(
            Some(saga),
            EventKind::TaskApplied {
                task,
                service,
                result: applied.result,
                changed: applied.changed,
            },
        );
        if let Task::Action(step) = task {
            if let Some(id) = self.step_fault(FaultKind::Ambiguous, saga, step) {
                self.fire(id, Some(saga));
                return Served::AnswerLost(applied.result);
            }
        }
        Served::Answered(applied.result, applied.changed)
    }

    fn failed(
        &mut self,
        service: ServiceId,
        saga: SagaId,
        task: Task,
        reason: FailReason,
    ) -> Served {
        self.emit(
            Some(saga),
            EventKind::TaskFailed {
                task,
                service,
                reason,
            },
        );
        Served::Failed(reason)
    }
}
