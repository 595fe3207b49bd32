//! Choreography: no coordinator. Services react to events from their own queues and publish
//! their own through a transactional outbox and a relay.
//!
//! Who reacts to what is derived from the saga definition ([`Reaction::to`]): a step's "done"
//! event triggers the next step, a failure or a compensation triggers the compensation below it,
//! and the last compensation triggers the failure notice.

use serde::{Deserialize, Serialize};

use super::definition::{SagaDefinition, ServiceId};
use super::event::{AttentionReason, EventKind, Outcome};
use super::message::{
    Body, EventName, Message, MessageId, MessageState, Node, SagaId, Task, TaskResult,
};
use super::sim::{DedupKey, Occurrence, Served, Simulation};
use super::tables::{OutboxRow, ReservationStatus};

/// A message in a service's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedMessage {
    /// The message.
    pub message: MessageId,
    /// The saga.
    pub saga: SagaId,
    /// The event it carries.
    pub event: EventName,
    /// How many times it has been received.
    pub receive_count: u32,
    /// Hidden until then after a receive.
    pub visible_at_ms: u64,
}

/// What a service does with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// Run a task.
    Run(ServiceId, Task),
    /// Record the customer's cancellation (the pivot's owner does this).
    RecordCancel(ServiceId),
    /// Nobody consumes it: it ends the saga.
    Final,
}

impl Reaction {
    /// Who reacts to `event`, and how: the whole choreography, derived from the definition.
    pub fn to(event: EventName, def: &SagaDefinition) -> Reaction {
        let run = |task: Task| match task.service(def) {
            Some(service) => Reaction::Run(service, task),
            None => Reaction::Final,
        };
        let compensate_below = |step: usize| match def.compensations_below(step).next() {
            Some(s) => run(Task::Compensate(s)),
            None => run(Task::FailureNotice),
        };
        match event {
            EventName::Start => run(Task::Action(0)),
            EventName::StepDone(step) if step + 1 < def.steps.len() => run(Task::Action(step + 1)),
            EventName::StepDone(_) => Reaction::Final,
            EventName::StepFailed(step) | EventName::Compensated(step) => compensate_below(step),
            EventName::CancellationStarted => compensate_below(def.steps.len()),
            EventName::CancelRequested => {
                let owner = def
                    .pivot()
                    .and_then(|p| def.steps.get(p))
                    .map(|s| s.service())
                    .unwrap_or(ServiceId::Reservation);
                Reaction::RecordCancel(owner)
            }
            EventName::FailureNotified => Reaction::Final,
        }
    }

    /// The service that consumes the event, if any.
    pub fn service(self) -> Option<ServiceId> {
        match self {
            Reaction::Run(s, _) | Reaction::RecordCancel(s) => Some(s),
            Reaction::Final => None,
        }
    }
}

impl Simulation {
    /// The bus receives a publish and fans it out to the subscribed queues.
    pub(crate) fn bus_receive(&mut self, message: Message) {
        self.set_message_state(message.id, MessageState::Handled);
        self.emit(
            Some(message.saga),
            EventKind::MessageArrived {
                message: message.id,
            },
        );
        let Body::Event { name } = message.body else {
            return;
        };
        if let Some(service) = Reaction::to(name, &self.scenario.definition).service() {
            self.send(
                message.saga,
                Node::Bus,
                Node::Queue(service),
                message.body,
                message.event_id,
                self.now_ms,
            );
        }
    }

    pub(crate) fn enqueue(&mut self, service: ServiceId, message: Message) {
        let Body::Event { name } = message.body else {
            return;
        };
        self.set_message_state(message.id, MessageState::Queued);
        self.emit(
            Some(message.saga),
            EventKind::Enqueued {
                queue: service,
                message: message.id,
            },
        );
        self.queues[service.index()].push(QueuedMessage {
            message: message.id,
            saga: message.saga,
            event: name,
            receive_count: 0,
            visible_at_ms: self.now_ms,
        });
        self.schedule_seq(self.now_ms, Occurrence::Poll(service));
    }

    /// The service's consumer receives every visible message.
    pub(crate) fn poll_queue(&mut self, service: ServiceId) {
        if !self.service_up(service) {
            return;
        }
        let now = self.now_ms;
        let visibility = self.scenario.queues.visibility_timeout_ms;
        let max_receives = self.scenario.queues.max_receive_count;
        let process_ms = self.scenario.timing.process_ms + self.latency_ms(service);
        let mut i = 0;
        while i < self.queues[service.index()].len() {
            let entry = &mut self.queues[service.index()][i];
            if entry.visible_at_ms > now {
                i += 1;
                continue;
            }
            entry.receive_count += 1;
            let (message, saga, event, count) =
                (entry.message, entry.saga, entry.event, entry.receive_count);
            self.emit(
                Some(saga),
                EventKind::Received {
                    queue: service,
                    message,
                    receive_count: count,
                },
            );
            if count > max_receives {
                let entry = self.queues[service.index()].remove(i);
                self.dead_letter(service, entry);
                continue;
            }
            self.queues[service.index()][i].visible_at_ms = now + visibility;
            if let Reaction::Run(_, task) = Reaction::to(event, &self.scenario.definition) {
                self.note_attempt(saga, task, count);
            }
            self.schedule_seq(now + visibility, Occurrence::Poll(service));
            self.schedule_seq(
                now + process_ms,
                Occurrence::ProcessDone { service, message },
            );
            i += 1;
        }
    }

    fn dead_letter(&mut self, service: ServiceId, entry: QueuedMessage) {
        let (saga, message) = (entry.saga, entry.message);
        self.set_message_state(message, MessageState::DeadLettered);
        self.emit(
            Some(saga),
            EventKind::DeadLettered {
                queue: service,
                message,
            },
        );
        let reaction = Reaction::to(entry.event, &self.scenario.definition);
        self.dead_letters.push((service, entry));
        if let Reaction::Run(_, task) = reaction {
            self.set_status(saga, task, super::sim::StepStatus::Failed);
            self.mark_stuck(saga, Some((task, AttentionReason::DeadLettered)));
            if matches!(task, Task::Compensate(_)) {
                self.end_saga(saga, Outcome::RollbackIncomplete);
            }
        }
    }

    pub(crate) fn redrive_dead_letters(&mut self) {
        let letters = std::mem::take(&mut self.dead_letters);
        for (service, mut entry) in letters {
            entry.receive_count = 0;
            entry.visible_at_ms = self.now_ms;
            let (saga, message) = (entry.saga, entry.message);
            self.set_message_state(message, MessageState::Queued);
            self.emit(
                Some(saga),
                EventKind::Redriven {
                    queue: service,
                    message,
                },
            );
            self.mark_stuck(saga, None);
            if self
                .sagas
                .get(saga)
                .is_some_and(|s| s.outcome == Outcome::RollbackIncomplete)
            {
                self.end_saga(saga, Outcome::Running);
            }
            self.queues[service.index()].push(entry);
            self.schedule_seq(self.now_ms, Occurrence::Poll(service));
        }
    }

    /// A consumer finishes handling a message: one local transaction (state change, outbox row,
    /// processed-message id), then the message is deleted.
    pub(crate) fn process_done(&mut self, service: ServiceId, message: MessageId) {
        if !self.service_up(service) {
            return; // the consumer died mid-way: the message will be visible again
        }
        let Some(entry) = self.queues[service.index()]
            .iter()
            .find(|q| q.message == message)
            .cloned()
        else {
            return;
        };
        let Some(event_id) = self.messages.get(message as usize).map(|m| m.event_id) else {
            return;
        };
        let saga = entry.saga;
        let (published, acknowledged) = match Reaction::to(entry.event, &self.scenario.definition) {
            Reaction::Run(_, task) => {
                let money = match task {
                    Task::FailureNotice => self.notice_money_from_events(saga),
                    _ => None,
                };
                match self.serve(service, saga, task, DedupKey::Event(event_id), money) {
                    Served::Answered(result) => {
                        self.note_result(saga, task, result);
                        (self.event_for(task, result), true)
                    }
                    Served::AnswerLost(result) => {
                        self.note_result(saga, task, result);
                        (self.event_for(task, result), false)
                    }
                    Served::Repeat(_) => (None, true),
                    Served::Failed(_) | Served::Hung => return,
                }
            }
            Reaction::RecordCancel(_) => {
                if !self.database_up(service) {
                    return;
                }
                let idempotent = self.scenario.safeguards.idempotency;
                let store = self.tables.store(service);
                if idempotent && store.processed_events.contains(&event_id) {
                    (None, true)
                } else {
                    // A second request to cancel the same reservation changes nothing.
                    let first_request = self.tables.cancellations.insert(saga);
                    if idempotent {
                        self.tables
                            .store_mut(service)
                            .processed_events
                            .insert(event_id);
                    }
                    let confirmed = self
                        .tables
                        .reservations
                        .get(&saga)
                        .is_some_and(|r| r.status == ReservationStatus::Confirmed);
                    (
                        (first_request && confirmed).then_some(EventName::CancellationStarted),
                        true,
                    )
                }
            }
            Reaction::Final => (None, true),
        };
        if let Some(event) = published {
            self.write_outbox(service, saga, event);
            self.observe(saga, event);
        }
        if acknowledged {
            self.queues[service.index()].retain(|q| q.message != message);
            self.set_message_state(message, MessageState::Handled);
            self.emit(
                Some(saga),
                EventKind::Deleted {
                    queue: service,
                    message,
                },
            );
        }
    }

    fn event_for(&self, task: Task, result: TaskResult) -> Option<EventName> {
        match (task, result) {
            (Task::Action(s), TaskResult::Done) => Some(EventName::StepDone(s)),
            (Task::Action(s), TaskResult::BusinessFailure)
                if self.scenario.definition.is_before_commit(s) =>
            {
                Some(EventName::StepFailed(s))
            }
            (Task::Compensate(s), TaskResult::Done) => Some(EventName::Compensated(s)),
            (Task::FailureNotice, TaskResult::Done) => Some(EventName::FailureNotified),
            _ => None,
        }
    }

    fn write_outbox(&mut self, service: ServiceId, saga: SagaId, event: EventName) {
        let event_id = self.new_event_id();
        let now = self.now_ms;
        let outbox = &mut self.tables.store_mut(service).outbox;
        let id = u32::try_from(outbox.len()).unwrap_or(u32::MAX);
        outbox.push(OutboxRow {
            id,
            event_id,
            saga,
            event,
            published: false,
            updated_ms: now,
        });
        self.emit(Some(saga), EventKind::OutboxWritten { service, event });
        let relay_at = now + self.scenario.timing.relay_ms;
        self.schedule_seq(relay_at, Occurrence::Relay(service));
    }

    /// What the saga's outcome is, read off the events the services commit.
    fn observe(&mut self, saga: SagaId, event: EventName) {
        let def = &self.scenario.definition;
        match event {
            // After the pivot a cancellation saga may already be running in parallel with the
            // last steps; then its end, not this one, is the saga's outcome.
            EventName::StepDone(step)
                if step + 1 == def.steps.len()
                    && !self.sagas.get(saga).is_some_and(|s| s.cancelling) =>
            {
                self.end_saga(saga, Outcome::Completed);
            }
            EventName::StepFailed(_) => self.emit(
                Some(saga),
                EventKind::CompensationBegun {
                    reason: if self.sagas.get(saga).is_some_and(|s| s.cancel_requested) {
                        super::event::CompensationReason::CancelledBeforePivot
                    } else {
                        super::event::CompensationReason::BusinessFailure
                    },
                },
            ),
            EventName::CancellationStarted => {
                if let Some(record) = self.sagas.get_mut(saga) {
                    record.cancelling = true;
                }
                self.emit(
                    Some(saga),
                    EventKind::CompensationBegun {
                        reason: super::event::CompensationReason::CancelledAfterCompletion,
                    },
                );
                self.end_saga(saga, Outcome::Running);
            }
            EventName::FailureNotified => self.end_saga(saga, Outcome::Compensated),
            _ => {}
        }
    }

    /// The outbox relay publishes every unpublished row, in order.
    pub(crate) fn relay(&mut self, service: ServiceId) {
        if !self.service_up(service) || !self.database_up(service) {
            let retry = self.now_ms + self.scenario.timing.relay_retry_ms;
            if self
                .tables
                .store(service)
                .outbox
                .iter()
                .any(|r| !r.published)
            {
                self.schedule_seq(retry, Occurrence::Relay(service));
            }
            return;
        }
        let pending: Vec<(usize, OutboxRow)> = self
            .tables
            .store(service)
            .outbox
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.published)
            .map(|(i, r)| (i, r.clone()))
            .collect();
        let mut failed = false;
        for (index, row) in pending {
            let id = self.send(
                row.saga,
                Node::Service(service),
                Node::Bus,
                Body::Event { name: row.event },
                row.event_id,
                self.now_ms,
            );
            let lost = self
                .messages
                .get(id as usize)
                .is_some_and(|m| m.state == MessageState::Lost);
            if lost {
                failed = true;
                continue;
            }
            let now = self.now_ms;
            if let Some(r) = self.tables.store_mut(service).outbox.get_mut(index) {
                r.published = true;
                r.updated_ms = now;
            }
        }
        if failed {
            let retry = self.now_ms + self.scenario.timing.relay_retry_ms;
            self.schedule_seq(retry, Occurrence::Relay(service));
        }
    }
}
