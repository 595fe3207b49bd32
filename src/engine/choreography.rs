//! Choreography: no coordinator. Services react to events from their own queues and publish
//! their own through a transactional outbox and a relay.
//!
//! Who reacts to what is derived from the saga definition ([`Reaction::subscribers`]): a step's
//! "done" event triggers the next step, a failure or a compensation triggers the compensation
//! below it, and the last compensation triggers the failure notice. The bus is a set of topics
//! (SNS → SQS): an event reaches every queue subscribed to it. Besides the queue that carries
//! the saga on, the notifier hears of every business failure and every compensation (so that
//! its failure notice can tell what happened), and the pivot's owner hears that the saga
//! completed (so that a cancel it recorded after the pivot starts the cancellation saga only
//! then).
//!
//! Queues behave like SQS: a received message is hidden for the visibility timeout, and a
//! handler slower than that still finishes while the message is delivered again; the idempotent
//! consumer (processed message ids, recorded in the handler's local transaction) drops the
//! duplicate.
//!
//! This file holds who subscribes to what and what a queue holds, and knows nothing of the
//! simulation; the consumers, the relay and the bus at work are in `sim/choreographed.rs`.

use serde::{Deserialize, Serialize};

use super::definition::{SagaDefinition, ServiceId};
use super::message::{EventName, MessageId, SagaId, Task};

/// How long a service that crashed after a commit stays down before it restarts.
pub const CRASH_RESTART_MS: u64 = 2_000;

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

/// What a service does with an event from its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// Run a task.
    Run(ServiceId, Task),
    /// Record the customer's cancellation (the pivot's owner does this).
    RecordCancel(ServiceId),
    /// The pivot's owner notes that the saga completed: a cancel it recorded after the pivot
    /// now starts the cancellation saga.
    NoteCompletion(ServiceId),
    /// The notifier notes what happened (a business failure, a compensation) for the notice.
    Learn(ServiceId),
}

/// The service that owns the pivot: it records cancellations and decides go / no-go.
pub fn pivot_owner(def: &SagaDefinition) -> ServiceId {
    def.pivot()
        .and_then(|p| def.steps.get(p))
        .map(|s| s.service())
        .unwrap_or(ServiceId::Reservation)
}

impl Reaction {
    /// Every queue subscribed to `event`, with what its consumer does, in delivery order: the
    /// whole choreography, derived from the definition. Empty: the event ends the saga.
    pub fn subscribers(event: EventName, def: &SagaDefinition) -> Vec<(ServiceId, Reaction)> {
        let mut out: Vec<(ServiceId, Reaction)> = Vec::new();
        if let Some(reaction) = Self::carries_on(event, def) {
            out.push((reaction.service(), reaction));
        }
        let mut add = |queue: ServiceId, reaction: Reaction| {
            if !out.iter().any(|(q, _)| *q == queue) {
                out.push((queue, reaction));
            }
        };
        if let Some(notifier) = Task::FailureNotice.service(def) {
            if matches!(
                event,
                EventName::StepFailed(_)
                    | EventName::Compensated(_)
                    | EventName::CancellationStarted
            ) {
                add(notifier, Reaction::Learn(notifier));
            }
        }
        if matches!(event, EventName::StepDone(s) if s + 1 == def.steps.len()) {
            let owner = pivot_owner(def);
            add(owner, Reaction::NoteCompletion(owner));
        }
        out
    }

    /// What the consumer of `queue` does with `event`, if the queue is subscribed to it.
    pub fn of(event: EventName, queue: ServiceId, def: &SagaDefinition) -> Option<Reaction> {
        Self::subscribers(event, def)
            .into_iter()
            .find(|(q, _)| *q == queue)
            .map(|(_, r)| r)
    }

    /// The reaction that carries the saga on (the next step, compensation or notice).
    fn carries_on(event: EventName, def: &SagaDefinition) -> Option<Reaction> {
        let run = |task: Task| {
            task.service(def)
                .map(|service| Reaction::Run(service, task))
        };
        let compensate_below = |step: usize| match def.compensations_below(step).next() {
            Some(s) => run(Task::Compensate(s)),
            None => run(Task::FailureNotice),
        };
        match event {
            EventName::Start => run(Task::Action(0)),
            // After the last step there is no next action: `run` finds no service for it.
            EventName::StepDone(step) => run(Task::Action(step + 1)),
            EventName::StepFailed(step) | EventName::Compensated(step) => compensate_below(step),
            EventName::CancellationStarted => compensate_below(def.steps.len()),
            EventName::CancelRequested => Some(Reaction::RecordCancel(pivot_owner(def))),
            EventName::FailureNotified => None,
        }
    }

    /// The service whose consumer reacts.
    pub fn service(self) -> ServiceId {
        match self {
            Reaction::Run(s, _)
            | Reaction::RecordCancel(s)
            | Reaction::NoteCompletion(s)
            | Reaction::Learn(s) => s,
        }
    }

    /// The task it runs, if it runs one.
    pub fn task(self) -> Option<Task> {
        match self {
            Reaction::Run(_, task) => Some(task),
            _ => None,
        }
    }
}

/// The queue a customer's request goes to (choreography has no front door but the queues).
pub fn customer_queue(event: EventName, def: &SagaDefinition) -> Option<ServiceId> {
    Reaction::subscribers(event, def)
        .first()
        .map(|(queue, _)| *queue)
}

/// The bus's topics: every event the services can publish, with the queues subscribed to it,
/// in saga order (for drawing the fan-out).
pub fn topic_subscriptions(def: &SagaDefinition) -> Vec<(EventName, Vec<ServiceId>)> {
    let mut events: Vec<EventName> = (0..def.steps.len()).map(EventName::StepDone).collect();
    events.extend(
        (0..def.steps.len())
            .filter(|&s| def.is_before_commit(s))
            .map(EventName::StepFailed),
    );
    events.extend(
        (0..def.steps.len())
            .rev()
            .filter(|&s| def.steps[s].compensation.is_some())
            .map(EventName::Compensated),
    );
    events.push(EventName::CancellationStarted);
    events.push(EventName::FailureNotified);
    events
        .into_iter()
        .map(|e| {
            let queues = Reaction::subscribers(e, def)
                .into_iter()
                .map(|(q, _)| q)
                .collect();
            (e, queues)
        })
        .collect()
}
