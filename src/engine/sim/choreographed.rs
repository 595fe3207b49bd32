//! Choreography at work: how the simulation runs the services' reactions (who reacts to what,
//! and what sits in a queue, live in `engine/choreography.rs`, which knows nothing of the
//! simulation).
//!
//! The bus fans each event out to every subscribed queue; a consumer receives a message, hides
//! it for the visibility timeout and runs its handler in one local transaction with the outbox;
//! the relay publishes what the outbox holds. A handler slower than the visibility timeout still
//! finishes while the message is delivered again, and the idempotent consumer drops the
//! duplicate.
//!
//! One file, though long: receiving, handling, publishing and redelivery are one consumer's
//! cycle, and each rule (idempotency, the outbox, the dead-letter queue) reads across it.

use super::{DedupKey, Occurrence, Served, Simulation, StepStatus};
use crate::engine::definition::{Operation, ServiceId};
use crate::engine::event::{AttentionReason, EventKind, FailReason, Outcome};
use crate::engine::fault::FaultSpec;
use crate::engine::message::{
    Body, EventName, Message, MessageId, MessageState, Node, SagaId, Task, TaskResult,
};
use crate::engine::scenario::Coordination;
use crate::engine::tables::{OutboxRow, ReservationStatus};

use crate::engine::choreography::{pivot_owner, QueuedMessage, Reaction, CRASH_RESTART_MS};

/// What a handler's local transaction came to.
struct Handled {
    /// The event it commits to publish.
    publish: Option<EventName>,
    /// Whether the consumer deletes the message.
    acknowledged: bool,
}

impl Handled {
    fn ack(publish: Option<EventName>) -> Self {
        Self {
            publish,
            acknowledged: true,
        }
    }
}

impl Simulation {
    /// The bus receives a publish and fans it out to every subscribed queue.
    pub(super) fn bus_receive(&mut self, message: Message) {
        self.arrived(&message);
        let Body::Event { name } = message.body else {
            return;
        };
        for (queue, _) in Reaction::subscribers(name, &self.scenario.definition) {
            self.send(
                message.saga,
                Node::Bus,
                Node::Queue(queue),
                message.body,
                message.event_id,
                self.now_ms,
            );
        }
    }

    pub(super) fn enqueue(&mut self, service: ServiceId, message: Message) {
        let Body::Event { name } = message.body else {
            return;
        };
        self.set_message_state(message.id, MessageState::Queued);
        let vanishes = crate::engine::defect::vanishes_from_queue(self.defect, &message);
        if !vanishes {
            self.queues[service.index()].push(QueuedMessage {
                message: message.id,
                saga: message.saga,
                event: name,
                receive_count: 0,
                visible_at_ms: self.now_ms,
            });
        }
        self.emit(
            Some(message.saga),
            EventKind::Enqueued {
                queue: service,
                message: message.id,
            },
        );
        if !vanishes {
            self.schedule_seq(self.now_ms, Occurrence::Poll(service));
        }
    }

    /// The service's consumer receives every visible message.
    pub(super) fn poll_queue(&mut self, service: ServiceId) {
        if !self.service_up(service) {
            return;
        }
        let now = self.now_ms;
        let visibility = self.scenario.queues.visibility_timeout_ms;
        let max_receives = crate::engine::defect::receives_allowed(
            self.defect,
            self.scenario.queues.max_receive_count,
        );
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
            let poisoned = count > max_receives;
            if !poisoned {
                // Received, and hidden from other consumers for the visibility timeout.
                entry.visible_at_ms = now + visibility;
            }
            self.emit(
                Some(saga),
                EventKind::Received {
                    queue: service,
                    message,
                    receive_count: count,
                },
            );
            if poisoned {
                let entry = self.queues[service.index()].remove(i);
                self.dead_letter(service, entry);
                continue;
            }
            if let Some(task) =
                Reaction::of(event, service, &self.scenario.definition).and_then(Reaction::task)
            {
                self.note_attempt(saga, task, count);
                // A handling on a shared record reads it as it begins.
                self.begin_read(service, saga, task, message);
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
        let task =
            Reaction::of(entry.event, service, &self.scenario.definition).and_then(Reaction::task);
        self.dead_letters.push((service, entry));
        self.emit(
            Some(saga),
            EventKind::DeadLettered {
                queue: service,
                message,
            },
        );
        let Some(task) = task else {
            return;
        };
        // A message whose work was done after all (its acknowledgement was lost) is a leftover:
        // the saga has moved on, and a redrive would only meet the idempotent consumer.
        let processed = self.messages.get(message as usize).is_some_and(|m| {
            self.tables
                .store(service)
                .processed_events
                .contains(&m.event_id)
        });
        let done = processed
            || self
                .sagas
                .get(saga)
                .and_then(|r| match task {
                    Task::Action(s) | Task::Compensate(s) => r.steps.get(s),
                    Task::FailureNotice => Some(&r.notice),
                })
                .is_some_and(|state| {
                    let finished = match task {
                        Task::Compensate(_) => StepStatus::Compensated,
                        _ => StepStatus::Succeeded,
                    };
                    state.status == finished
                });
        if done {
            return;
        }
        self.set_status(saga, task, StepStatus::Failed);
        // A compensation that cannot be done leaves the rollback incomplete; anything else may
        // only go forward, so it waits for a person (a redrive resumes it) rather than running
        // for ever or being undone.
        let def = &self.scenario.definition;
        let (reason, outcome) = match task {
            Task::Compensate(_) => (AttentionReason::DeadLettered, Outcome::RollbackIncomplete),
            Task::FailureNotice => (
                AttentionReason::FailureNoticeExhausted,
                Outcome::AwaitingPerson,
            ),
            Task::Action(step) if !def.is_before_commit(step) => (
                AttentionReason::ForwardStepExhausted,
                Outcome::AwaitingPerson,
            ),
            Task::Action(_) => (AttentionReason::DeadLettered, Outcome::AwaitingPerson),
        };
        self.mark_stuck(saga, Some((task, reason)));
        self.end_saga(saga, outcome);
    }

    pub(super) fn redrive_dead_letters(&mut self) {
        // One letter at a time, each back in its queue (and its saga going on) as its event
        // tells.
        while !self.dead_letters.is_empty() {
            let (service, mut entry) = self.dead_letters.remove(0);
            entry.receive_count = 0;
            entry.visible_at_ms = self.now_ms;
            let (saga, message) = (entry.saga, entry.message);
            self.set_message_state(message, MessageState::Queued);
            let task = Reaction::of(entry.event, service, &self.scenario.definition)
                .and_then(Reaction::task);
            self.queues[service.index()].push(entry);
            self.resume(saga, task);
            self.emit(
                Some(saga),
                EventKind::Redriven {
                    queue: service,
                    message,
                },
            );
            self.schedule_seq(self.now_ms, Occurrence::Poll(service));
        }
    }

    /// A saga waiting for a person on `task` goes on: a redrive, or a handler of its message
    /// that finished after all.
    fn resume(&mut self, saga: SagaId, task: Option<Task>) {
        let Some(record) = self.sagas.get(saga) else {
            return;
        };
        if task.is_none() || record.stuck != task {
            return;
        }
        let waiting = matches!(
            record.outcome,
            Outcome::RollbackIncomplete | Outcome::AwaitingPerson
        );
        self.mark_stuck(saga, None);
        if waiting {
            self.end_saga(saga, Outcome::Running);
        }
    }

    /// A consumer finishes handling a message: one local transaction (state change, outbox row,
    /// processed-message id), then the message is deleted. The handler runs to the end even if
    /// the message became visible again meanwhile (it was slower than the visibility timeout),
    /// and even if it was received again or dead-lettered since: the idempotent consumer is what
    /// stops the second delivery from taking effect twice.
    pub(super) fn process_done(&mut self, service: ServiceId, message: MessageId) {
        self.finish_processing(service, message);
        // Whatever became of it, the handling is over: what it read is let go.
        self.end_read(message);
    }

    fn finish_processing(&mut self, service: ServiceId, message: MessageId) {
        if !self.service_up(service) {
            return; // the consumer died mid-way: the message will be visible again
        }
        let Some(m) = self.messages.get(message as usize) else {
            return;
        };
        let (saga, event_id) = (m.saga, m.event_id);
        let Body::Event { name: event } = m.body else {
            return;
        };
        let Some(reaction) = Reaction::of(event, service, &self.scenario.definition) else {
            return;
        };
        if let Reaction::Run(_, Task::FailureNotice) = reaction {
            // The notifier hears of the last compensation (or the failure) through the event
            // that asks for the notice itself.
            self.learn(service, saga, event);
            if !self.notice_facts_complete(service, saga) {
                self.emit(
                    Some(saga),
                    EventKind::TaskFailed {
                        task: Task::FailureNotice,
                        service,
                        reason: FailReason::AwaitingEvents,
                    },
                );
                return; // delivered again after the visibility timeout, by when they are in
            }
        }
        let handled = match reaction {
            Reaction::Run(_, task) => {
                let money = match task {
                    Task::FailureNotice => self.notice_money_from_events(saga),
                    _ => None,
                };
                match self.serve(
                    service,
                    saga,
                    task,
                    DedupKey::Event(event_id),
                    (money, Some(message)),
                ) {
                    Served::Answered(result, _) => {
                        self.note_result(saga, task, result);
                        Handled::ack(self.event_for(task, result))
                    }
                    Served::AnswerLost(result) => {
                        self.note_result(saga, task, result);
                        Handled {
                            publish: self.event_for(task, result),
                            acknowledged: false,
                        }
                    }
                    Served::Repeat(..) => Handled::ack(None),
                    Served::Failed(_) | Served::Hung => return,
                }
            }
            Reaction::RecordCancel(_) => {
                if !self.database_up(service) {
                    return;
                }
                if self.consumed_before(service, event_id) {
                    Handled::ack(None)
                } else {
                    // A second request to cancel the same reservation changes nothing. Before
                    // the pivot the record is enough: the pivot (and any earlier step of this
                    // service) refuses, and the saga compensates. After it, the cancellation
                    // saga starts once the saga has completed.
                    let first_request = self.tables.cancellations.insert(saga);
                    let completed = self.heard_completion(service, saga);
                    Handled::ack(
                        (first_request && completed).then_some(EventName::CancellationStarted),
                    )
                }
            }
            Reaction::NoteCompletion(_) => {
                if !self.database_up(service) {
                    return;
                }
                if self.consumed_before(service, event_id) {
                    Handled::ack(None)
                } else {
                    let first = !self.heard_completion(service, saga);
                    self.learn(service, saga, event);
                    let cancelled = self.tables.cancellations.contains(&saga);
                    let confirmed = self
                        .tables
                        .reservations
                        .get(&saga)
                        .is_some_and(|r| r.status == ReservationStatus::Confirmed);
                    Handled::ack(
                        (first && cancelled && confirmed).then_some(EventName::CancellationStarted),
                    )
                }
            }
            Reaction::Learn(_) => {
                if !self.database_up(service) {
                    return;
                }
                if !self.consumed_before(service, event_id) {
                    self.learn(service, saga, event);
                }
                Handled::ack(None)
            }
        };
        if handled.publish.is_some() {
            // The work is done after all (a handler that outlived its message's dead-lettering).
            self.resume(saga, reaction.task());
        }
        if let Some(event) = handled.publish {
            if !self.commit_event(service, saga, event) {
                return; // crashed before deleting: the message will be delivered again
            }
        }
        if handled.acknowledged {
            self.delete_message(service, saga, message);
        }
    }

    /// Whether this service's idempotent consumer has processed the event already; records it
    /// as processed (in the handler's transaction) otherwise.
    fn consumed_before(&mut self, service: ServiceId, event_id: u32) -> bool {
        if !self.scenario.safeguards.idempotency {
            return false;
        }
        !self
            .tables
            .store_mut(service)
            .processed_events
            .insert(event_id)
    }

    fn heard_completion(&self, service: ServiceId, saga: SagaId) -> bool {
        self.tables
            .store(service)
            .learned
            .get(&saga)
            .is_some_and(|l| l.completed)
    }

    /// Records in the service's own database what an event it consumed says about the saga.
    fn learn(&mut self, service: ServiceId, saga: SagaId, event: EventName) {
        let def = &self.scenario.definition;
        let last = def.steps.len().saturating_sub(1);
        let refund = |s: usize| {
            def.steps.get(s).and_then(|d| d.compensation) == Some(Operation::RefundPayment)
        };
        let is_refund = matches!(event, EventName::Compensated(s) if refund(s));
        let learned = self
            .tables
            .store_mut(service)
            .learned
            .entry(saga)
            .or_default();
        match event {
            EventName::StepFailed(step) => learned.failed_step = Some(step),
            EventName::Compensated(step) => {
                if !learned.undone_steps.contains(&step) {
                    learned.undone_steps.push(step);
                }
                learned.refunded |= is_refund;
            }
            EventName::StepDone(step) if step == last => learned.completed = true,
            EventName::CancellationStarted => learned.cancelled = true,
            _ => {}
        }
    }

    /// Whether the notifier has heard why the saga failed and every compensation that follows
    /// from it: only then can its notice tell the whole truth (a delayed refund event must not
    /// turn "refunded" into "nothing charged").
    fn notice_facts_complete(&self, service: ServiceId, saga: SagaId) -> bool {
        let def = &self.scenario.definition;
        let Some(learned) = self.tables.store(service).learned.get(&saga) else {
            return false;
        };
        let below = match (learned.failed_step, learned.cancelled) {
            (_, true) => def.steps.len(),
            (Some(step), false) => step,
            (None, false) => return false,
        };
        def.compensations_below(below)
            .all(|s| learned.undone_steps.contains(&s))
    }

    fn delete_message(&mut self, service: ServiceId, saga: SagaId, message: MessageId) {
        // Another delivery's handler may have deleted it already, or it may sit in the
        // dead-letter queue: then there is nothing left to delete.
        let queue = &mut self.queues[service.index()];
        let before = queue.len();
        queue.retain(|q| q.message != message);
        if queue.len() == before {
            return;
        }
        self.set_message_state(message, MessageState::Handled);
        self.emit(
            Some(saga),
            EventKind::Deleted {
                queue: service,
                message,
            },
        );
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

    /// The handler's transaction commits an event to publish: in the outbox (the relay
    /// publishes it, even after a crash), or, with the outbox switched off, by publishing it
    /// straight after the commit (a dual write: a crash in between loses it). Returns whether
    /// the service is still up.
    fn commit_event(&mut self, service: ServiceId, saga: SagaId, event: EventName) -> bool {
        let outbox = self.scenario.safeguards.outbox;
        if outbox {
            self.write_outbox(service, saga, event);
        }
        self.observe(saga, event);
        let crashed = self.crash_after_commit(service, saga);
        if !outbox {
            if crashed {
                self.emit(Some(saga), EventKind::PublishLost { service, event });
            } else {
                let event_id = self.new_event_id();
                self.send(
                    saga,
                    Node::Service(service),
                    Node::Bus,
                    Body::Event { name: event },
                    event_id,
                    self.now_ms,
                );
            }
        }
        !crashed
    }

    /// A `crash_after_commit` fault on the service fires: it goes down for a moment.
    fn crash_after_commit(&mut self, service: ServiceId, saga: SagaId) -> bool {
        let Some(id) = self.faults.iter().position(|f| {
            f.active
                && matches!(f.spec, FaultSpec::CrashAfterCommit { service: s, .. } if s == service)
        }) else {
            return false;
        };
        self.fire(id, Some(saga));
        self.service_down[service.index()] += 1;
        if self.service_down[service.index()] == 1 {
            self.emit(None, EventKind::ServiceDown { service });
        }
        self.schedule_seq(self.now_ms + CRASH_RESTART_MS, Occurrence::Restart(service));
        true
    }

    /// A service that crashed after a commit restarts.
    pub(super) fn restart_after_crash(&mut self, service: ServiceId) {
        let down = &mut self.service_down[service.index()];
        *down = down.saturating_sub(1);
        if *down == 0 {
            self.emit(None, EventKind::ServiceUp { service });
            self.service_recovered(service);
        }
    }

    /// Choreography: the pivot's owner refuses any forward work before the pivot for a saga
    /// whose customer has cancelled (a cancel that came before the start creates nothing).
    pub(super) fn refused_after_cancel(
        &self,
        service: ServiceId,
        saga: SagaId,
        task: Task,
    ) -> bool {
        let def = &self.scenario.definition;
        self.scenario.coordination == Coordination::Choreography
            && service == pivot_owner(def)
            && matches!(task, Task::Action(s) if def.pivot().is_some_and(|p| s < p))
            && self.tables.cancellations.contains(&saga)
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
                        crate::engine::event::CompensationReason::CancelledBeforePivot
                    } else {
                        crate::engine::event::CompensationReason::BusinessFailure
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
                        reason: crate::engine::event::CompensationReason::CancelledAfterCompletion,
                    },
                );
                self.end_saga(saga, Outcome::Running);
            }
            EventName::FailureNotified => self.end_saga(saga, Outcome::Compensated),
            _ => {}
        }
    }

    /// The outbox relay publishes every unpublished row, in order.
    pub(super) fn relay(&mut self, service: ServiceId) {
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
