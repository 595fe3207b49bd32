//! Messages: what travels between the customer, the orchestrator, the bus, queues and services.

use serde::{Deserialize, Serialize};

use super::definition::{Operation, SagaDefinition, ServiceId};
use super::tables::MoneyFact;

/// A saga's number, from 0, in start order.
pub type SagaId = usize;

/// The letter that names a saga in the page and the monitor: saga 0 is `A`.
pub fn saga_letter(saga: SagaId) -> char {
    u8::try_from(saga % 26)
        .map(|n| char::from(b'A' + n))
        .unwrap_or('?')
}
/// A message's number, from 0, in send order.
pub type MessageId = u32;

/// Something a service is asked to do for a saga.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "task", content = "step", rename_all = "snake_case")]
pub enum Task {
    /// The forward action of step `n` (0-based).
    Action(usize),
    /// The compensation of step `n` (0-based).
    Compensate(usize),
    /// Tell both parties the saga failed.
    FailureNotice,
}

impl Task {
    /// The operation this task runs.
    pub fn operation(self, def: &SagaDefinition) -> Option<Operation> {
        match self {
            Task::Action(step) => def.steps.get(step).map(|s| s.action),
            Task::Compensate(step) => def.steps.get(step).and_then(|s| s.compensation),
            Task::FailureNotice => Some(def.failure_notice),
        }
    }

    /// Whether the task may only go forward: a retriable step (after the pivot) or the failure
    /// notice. It is retried under the retriable policy and never undone.
    pub fn only_forward(self, def: &SagaDefinition) -> bool {
        match self {
            Task::Action(step) => def
                .steps
                .get(step)
                .is_some_and(|s| s.kind == super::definition::StepKind::Retriable),
            Task::FailureNotice => true,
            Task::Compensate(_) => false,
        }
    }

    /// The service that runs this task.
    pub fn service(self, def: &SagaDefinition) -> Option<ServiceId> {
        self.operation(def).map(Operation::service)
    }

    /// A name people read ("Charge card", "undo Charge card", "Notify failure").
    pub fn label(self, def: &SagaDefinition) -> String {
        match self {
            Task::Action(step) => def
                .steps
                .get(step)
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            Task::Compensate(step) => match def.steps.get(step).and_then(|s| s.compensation) {
                Some(op) => compensation_label(op),
                None => String::new(),
            },
            Task::FailureNotice => "Notify failure".to_string(),
        }
    }

    /// The step index, if the task belongs to a step.
    pub fn step(self) -> Option<usize> {
        match self {
            Task::Action(s) | Task::Compensate(s) => Some(s),
            Task::FailureNotice => None,
        }
    }
}

fn compensation_label(op: Operation) -> String {
    match op {
        Operation::CancelReservation => "Cancel reservation",
        Operation::RefundPayment => "Refund payment",
        Operation::ReleaseSlot => "Release slot",
        other => other.as_str(),
    }
    .to_string()
}

/// How a task went, as a service reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskResult {
    /// It took effect (or had already).
    Done,
    /// A business rule said no (declined, slot taken, rejected).
    BusinessFailure,
    /// Something went wrong that a retry may fix.
    TransientError,
}

/// A choreography event, named by its role in the saga definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "event", content = "step", rename_all = "snake_case")]
pub enum EventName {
    /// The customer asks for a reservation.
    Start,
    /// The customer asks to cancel.
    CancelRequested,
    /// Step `n`'s action succeeded.
    StepDone(usize),
    /// Step `n` met its business failure.
    StepFailed(usize),
    /// Step `n`'s compensation is done.
    Compensated(usize),
    /// A completed saga is being undone at the customer's request.
    CancellationStarted,
    /// Both parties know the saga failed.
    FailureNotified,
}

impl EventName {
    /// The event's name as the definition spells it ("PaymentCharged").
    pub fn label(self, def: &SagaDefinition) -> String {
        let step = |n: usize| def.steps.get(n);
        match self {
            EventName::Start => def.start_event.clone(),
            EventName::CancelRequested => "CancellationRequested".to_string(),
            EventName::StepDone(n) => step(n).map(|s| s.done_event.clone()).unwrap_or_default(),
            EventName::StepFailed(n) => step(n).map(|s| s.failed_event.clone()).unwrap_or_default(),
            EventName::Compensated(n) => step(n)
                .and_then(|s| s.compensated_event.clone())
                .unwrap_or_default(),
            EventName::CancellationStarted => "CancellationStarted".to_string(),
            EventName::FailureNotified => def.failure_notice_event.clone(),
        }
    }
}

/// Where a message comes from or goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "node", content = "service", rename_all = "snake_case")]
pub enum Node {
    /// The person reserving.
    Customer,
    /// The saga orchestrator.
    Orchestrator,
    /// The event bus.
    Bus,
    /// A service (its API in orchestration).
    Service(ServiceId),
    /// A service's inbound queue (choreography).
    Queue(ServiceId),
}

impl Node {
    /// A short stable name ("payment", "queue:payment", "bus").
    pub fn name(self) -> String {
        match self {
            Node::Customer => "customer".to_string(),
            Node::Orchestrator => "orchestrator".to_string(),
            Node::Bus => "bus".to_string(),
            Node::Service(s) => s.as_str().to_string(),
            Node::Queue(s) => format!("queue:{}", s.as_str()),
        }
    }

    /// The service at this end, if any.
    pub fn service(self) -> Option<ServiceId> {
        match self {
            Node::Service(s) | Node::Queue(s) => Some(s),
            _ => None,
        }
    }
}

/// What a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "snake_case")]
pub enum Body {
    /// Orchestrator → service: do this task.
    Command {
        /// The task.
        task: Task,
        /// Which attempt (from 1).
        attempt: u32,
        /// The failure notice: what the orchestrator knows happened to the money, from its log.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        money: Option<MoneyFact>,
    },
    /// Service → orchestrator: how the task went.
    Reply {
        /// The task.
        task: Task,
        /// Which attempt it answers.
        attempt: u32,
        /// The result.
        result: TaskResult,
        /// A compensation's reply: whether the undo changed anything (`false`: it found nothing
        /// to undo, so the step it undoes never took effect). Said again, from the idempotency
        /// row, when a repeat is answered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        changed: Option<bool>,
    },
    /// Choreography (and customer requests): something happened.
    Event {
        /// Which event.
        name: EventName,
    },
}

impl Body {
    /// "command", "reply" or "event".
    pub fn class(&self) -> &'static str {
        match self {
            Body::Command { .. } => "command",
            Body::Reply { .. } => "reply",
            Body::Event { .. } => "event",
        }
    }

    /// A label people read ("Charge card #2", "PaymentDeclined").
    pub fn label(&self, def: &SagaDefinition) -> String {
        match self {
            Body::Command { task, attempt, .. } if *attempt > 1 => {
                format!("{} (attempt {attempt})", task.label(def))
            }
            Body::Command { task, .. } => task.label(def),
            Body::Reply { task, result, .. } => format!(
                "{}: {}",
                task.label(def),
                match result {
                    TaskResult::Done => "done",
                    TaskResult::BusinessFailure => "refused",
                    TaskResult::TransientError => "error",
                }
            ),
            Body::Event { name } => name.label(def),
        }
    }
}

/// Where a message is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// On the wire.
    InFlight,
    /// Waiting in a queue (or being processed from it).
    Queued,
    /// Received and dealt with (including being deliberately ignored as stale or duplicate).
    Handled,
    /// Moved to the dead-letter queue.
    DeadLettered,
    /// Lost on the way by an injected fault, or sent to something that was down.
    Lost,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Its number.
    pub id: MessageId,
    /// The business event it carries: copies and redeliveries share it (idempotent consumers key on it).
    pub event_id: u32,
    /// The saga it belongs to.
    pub saga: SagaId,
    /// Sender.
    pub from: Node,
    /// Receiver.
    pub to: Node,
    /// Content.
    pub body: Body,
    /// When it leaves.
    pub sent_ms: u64,
    /// When it arrives.
    pub arrive_ms: u64,
    /// Where it is now.
    pub state: MessageState,
    /// Made by a duplicate fault.
    pub duplicate: bool,
}
