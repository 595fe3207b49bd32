//! Trace events: everything that happens, in total order (time, sequence number).

use serde::{Deserialize, Serialize};

use super::definition::ServiceId;
use super::fault::FaultSpec;
use super::message::{Body, EventName, MessageId, Node, SagaId, Task, TaskResult};
use super::shared::Record;

/// How a saga ended (or that it has not yet).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Still going.
    #[default]
    Running,
    /// Every step done.
    Completed,
    /// The completed compensatable steps undone in reverse order, both parties told.
    Compensated,
    /// A compensation could not be done: listed for manual intervention.
    RollbackIncomplete,
    /// The saga cannot go on by itself and may not go back: listed for a person with the reason
    /// ([`AttentionReason`]); a redrive resumes it.
    AwaitingPerson,
}

impl Outcome {
    /// The `data-outcome` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Completed => "completed",
            Outcome::Compensated => "compensated",
            Outcome::RollbackIncomplete => "rollback-incomplete",
            Outcome::AwaitingPerson => "awaiting-person",
        }
    }

    /// Whether the saga has come to an end.
    pub fn is_final(self) -> bool {
        self != Outcome::Running
    }
}

/// Why a saga is listed for a person.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AttentionReason {
    /// A compensation ran out of retries: the rollback cannot finish by itself.
    #[default]
    CompensationExhausted,
    /// The pivot may have taken effect and no reply says whether: the saga may only go forward,
    /// so it waits for a person instead of being compensated.
    PivotOutcomeUnknown,
    /// A step that may only go forward (a retriable step after the pivot) ran out of retries.
    ForwardStepExhausted,
    /// The failure notice could not be delivered; it may only be retried, never undone.
    FailureNoticeExhausted,
    /// A message of this saga went to the dead-letter queue.
    DeadLettered,
}

impl AttentionReason {
    /// Every reason, for exhaustive tests and the page's legend.
    pub const ALL: [AttentionReason; 5] = [
        AttentionReason::CompensationExhausted,
        AttentionReason::PivotOutcomeUnknown,
        AttentionReason::ForwardStepExhausted,
        AttentionReason::FailureNoticeExhausted,
        AttentionReason::DeadLettered,
    ];

    /// The stable snake_case name, as in the trace.
    pub fn as_str(self) -> &'static str {
        match self {
            AttentionReason::CompensationExhausted => "compensation_exhausted",
            AttentionReason::PivotOutcomeUnknown => "pivot_outcome_unknown",
            AttentionReason::ForwardStepExhausted => "forward_step_exhausted",
            AttentionReason::FailureNoticeExhausted => "failure_notice_exhausted",
            AttentionReason::DeadLettered => "dead_lettered",
        }
    }

    /// What a person reads: why the saga waits for them.
    pub fn label(self) -> &'static str {
        match self {
            AttentionReason::CompensationExhausted => {
                "a compensation ran out of retries: the rollback is incomplete"
            }
            AttentionReason::PivotOutcomeUnknown => {
                "the pivot may have taken effect but no reply says so: it may only go forward"
            }
            AttentionReason::ForwardStepExhausted => {
                "a step after the pivot ran out of retries: it may only go forward"
            }
            AttentionReason::FailureNoticeExhausted => {
                "the failure notice could not be delivered: it may only be retried"
            }
            AttentionReason::DeadLettered => "its message went to the dead-letter queue",
        }
    }
}

/// Why a message did not arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossReason {
    /// An injected drop (or chaos).
    Dropped,
    /// The receiver was down.
    ReceiverDown,
}

impl LossReason {
    /// Why the message was lost, as words that follow "lost: ".
    pub fn label(self) -> &'static str {
        match self {
            LossReason::Dropped => "dropped on the way",
            LossReason::ReceiverDown => "the receiver is down",
        }
    }

    /// What lost it, as words that fit "the message never arrives (…)".
    pub fn cause(self) -> &'static str {
        match self {
            LossReason::Dropped => "an injected fault dropped it",
            LossReason::ReceiverDown => "its receiver is down",
        }
    }
}

/// Why a task failed without a business reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// An injected transient error.
    Transient,
    /// The service's database was down.
    DatabaseDown,
    /// A poison message.
    Poison,
    /// An injected compensation failure.
    CompensationFault,
    /// The service took the request and never answered.
    NoReply,
    /// Chaos.
    Chaos,
    /// Choreography: the notifier has not yet heard every event its failure notice must tell
    /// of (a refund, say); it waits for them rather than tell less than the truth.
    AwaitingEvents,
    /// Semantic lock: when the service read the shared record, another saga's update of it was
    /// under way (PENDING); it waits and tries again.
    RecordLocked,
    /// Reread value: the shared record no longer held the value read; the service writes
    /// nothing and the step is tried again.
    RecordChanged,
}

impl FailReason {
    /// The reason as a short noun phrase, for a note on a diagram or a span's detail:
    /// "⚠ database down: Charge card".
    pub fn label(self) -> &'static str {
        match self {
            FailReason::Transient => "transient error",
            FailReason::DatabaseDown => "database down",
            FailReason::Poison => "poison message",
            FailReason::CompensationFault => "compensation fault",
            FailReason::NoReply => "no reply",
            FailReason::Chaos => "chaos",
            FailReason::AwaitingEvents => "waiting for events",
            FailReason::RecordLocked => "pending: another saga's update",
            FailReason::RecordChanged => "changed since read",
        }
    }

    /// What the service did, as words that follow its name in a sentence:
    /// "Payment service failed because its database is down".
    pub fn what_happened(self) -> &'static str {
        match self {
            FailReason::Transient => "failed with a transient error",
            FailReason::DatabaseDown => "failed because its database is down",
            FailReason::Poison => "failed: the request cannot be processed",
            FailReason::CompensationFault => "failed",
            FailReason::NoReply => "never answered",
            FailReason::Chaos => "failed (a random error)",
            FailReason::AwaitingEvents => "waited for the events it must tell of",
            FailReason::RecordLocked => {
                "waited: the record was PENDING, an update of it under way (semantic lock)"
            }
            FailReason::RecordChanged => {
                "wrote nothing: the record had changed since it was read (reread value)"
            }
        }
    }
}

/// Why compensation began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompensationReason {
    /// A step met its business failure.
    BusinessFailure,
    /// A step ran out of retries.
    RetriesExhausted,
    /// The customer cancelled before the pivot.
    CancelledBeforePivot,
    /// The customer cancelled a completed reservation: the cancellation saga.
    CancelledAfterCompletion,
}

impl CompensationReason {
    /// Why the saga turned back, as a clause: "compensation begins: a step was refused".
    pub fn label(self) -> &'static str {
        match self {
            CompensationReason::BusinessFailure => "a step was refused",
            CompensationReason::RetriesExhausted => "a step ran out of retries",
            CompensationReason::CancelledBeforePivot => {
                "the customer cancelled before confirmation"
            }
            CompensationReason::CancelledAfterCompletion => {
                "the customer cancelled a confirmed reservation"
            }
        }
    }
}

/// Why a fault stopped acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearReason {
    /// Removed by a command.
    Removed,
    /// Its time ran out.
    Expired,
    /// It fired as many times as planned.
    UsedUp,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The customer asked for a reservation.
    SagaStarted,
    /// A message left.
    MessageSent {
        /// Its number.
        message: MessageId,
        /// Sender.
        from: Node,
        /// Receiver.
        to: Node,
        /// Content.
        body: Body,
        /// Planned arrival.
        arrive_ms: u64,
        /// A copy made by a duplicate fault.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        duplicate: bool,
    },
    /// A message arrived.
    MessageArrived {
        /// Its number.
        message: MessageId,
    },
    /// A message was lost.
    MessageLost {
        /// Its number.
        message: MessageId,
        /// Why.
        reason: LossReason,
    },
    /// A stale or duplicate reply was received and ignored by the orchestrator.
    ReplyIgnored {
        /// Its number.
        message: MessageId,
    },
    /// The orchestrator ignored a reply that answers an attempt it no longer awaits (the attempt
    /// timed out, or its task is no longer current): a stale task token decides nothing.
    ReplyStale {
        /// Its number.
        message: MessageId,
        /// The attempt it answers.
        attempt: u32,
        /// The attempt of the same task awaited now, if one is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        awaited: Option<u32>,
    },
    /// A service began a task (a command received, or a queued message received).
    TaskStarted {
        /// The task.
        task: Task,
        /// Attempt (orchestration) or receive count (choreography).
        attempt: u32,
    },
    /// A service finished a task.
    TaskApplied {
        /// The task.
        task: Task,
        /// Where.
        service: ServiceId,
        /// Done or refused.
        result: TaskResult,
        /// Whether any row changed (a compensation of a step that never happened changes none).
        changed: bool,
    },
    /// A service began handling a task on a shared record by reading it.
    RecordRead {
        /// The task.
        task: Task,
        /// Where.
        service: ServiceId,
        /// Which record.
        record: Box<Record>,
        /// The value read.
        value: u64,
        /// Semantic lock: the saga whose update of the record was under way in another handling
        /// (its own, or another saga's): this one must wait.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pending: Option<SagaId>,
    },
    /// A service wrote a shared record as it finished a task.
    RecordWritten {
        /// The task.
        task: Task,
        /// Where.
        service: ServiceId,
        /// Which record.
        record: Box<Record>,
        /// The value its decision was based on: the value read when it began, or (commutative
        /// updates) the value at the write.
        based_on: u64,
        /// The value just before the write.
        before: u64,
        /// The value written.
        after: u64,
    },
    /// A service recognised a repeat and did nothing (idempotency).
    DuplicateIgnored {
        /// The task.
        task: Task,
        /// Where.
        service: ServiceId,
    },
    /// Version file: an action arrived after its compensation had been recorded, and is refused
    /// (the compensation came first; doing the action now would leave it undone by nothing).
    LateActionRefused {
        /// The action.
        task: Task,
        /// Where.
        service: ServiceId,
    },
    /// A task failed for a reason that a retry may fix.
    TaskFailed {
        /// The task.
        task: Task,
        /// Where.
        service: ServiceId,
        /// Why.
        reason: FailReason,
    },
    /// The orchestrator waited too long for a reply.
    TimedOut {
        /// The task.
        task: Task,
        /// The attempt.
        attempt: u32,
    },
    /// The orchestrator will try again after a wait.
    RetryScheduled {
        /// The task.
        task: Task,
        /// The next attempt.
        attempt: u32,
        /// The wait.
        delay_ms: u64,
    },
    /// The saga learned that a task succeeded.
    StepSucceeded {
        /// The task.
        task: Task,
    },
    /// The saga learned that a step met its business failure.
    StepRefused {
        /// The task.
        task: Task,
    },
    /// The saga starts undoing its steps.
    CompensationBegun {
        /// Why.
        reason: CompensationReason,
    },
    /// The saga reached an outcome.
    SagaEnded {
        /// Which.
        outcome: Outcome,
    },
    /// A task could not be done and needs a person.
    ManualIntervention {
        /// The stuck task.
        task: Task,
        /// Why it needs a person (absent in traces written before reasons existed).
        #[serde(default)]
        reason: AttentionReason,
    },
    /// The customer asked to cancel.
    CancelRequested,
    /// A service went down.
    ServiceDown {
        /// Which.
        service: ServiceId,
    },
    /// A service came back.
    ServiceUp {
        /// Which.
        service: ServiceId,
    },
    /// A database went down (`None`: the shared database).
    DatabaseDown {
        /// Whose.
        service: Option<ServiceId>,
    },
    /// A database came back.
    DatabaseUp {
        /// Whose.
        service: Option<ServiceId>,
    },
    /// The orchestrator crashed and lost its memory (not its log).
    OrchestratorCrashed,
    /// The orchestrator restarted and rebuilt its state from the log.
    OrchestratorRecovered {
        /// Sagas it resumed.
        resumed: u32,
        /// Log records it replayed.
        replayed: u32,
    },
    /// A message entered a queue.
    Enqueued {
        /// Whose queue.
        queue: ServiceId,
        /// The message.
        message: MessageId,
    },
    /// A consumer received a message (it is now hidden for the visibility timeout).
    Received {
        /// Whose queue.
        queue: ServiceId,
        /// The message.
        message: MessageId,
        /// How many times it has been received.
        receive_count: u32,
    },
    /// A message was received too often and moved to the dead-letter queue.
    DeadLettered {
        /// Whose queue.
        queue: ServiceId,
        /// The message.
        message: MessageId,
    },
    /// A consumer deleted a message it had handled.
    Deleted {
        /// Whose queue.
        queue: ServiceId,
        /// The message.
        message: MessageId,
    },
    /// A dead letter went back to its queue.
    Redriven {
        /// Whose queue.
        queue: ServiceId,
        /// The message.
        message: MessageId,
    },
    /// A local transaction wrote an event to the service's outbox.
    OutboxWritten {
        /// Whose outbox.
        service: ServiceId,
        /// The event.
        event: EventName,
    },
    /// A service crashed between its local commit and publishing its event, with no outbox to
    /// keep the event: it is lost (the dual-write problem), and the saga cannot go on.
    PublishLost {
        /// The service that crashed.
        service: ServiceId,
        /// The event that never left.
        event: EventName,
    },
    /// A fault began.
    FaultInjected {
        /// Its number.
        fault: usize,
        /// What it is.
        spec: FaultSpec,
    },
    /// A fault acted.
    FaultFired {
        /// Its number.
        fault: usize,
    },
    /// A fault stopped.
    FaultCleared {
        /// Its number.
        fault: usize,
        /// Why.
        reason: ClearReason,
    },
}

/// One entry of the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the total order.
    pub seq: u64,
    /// Simulated time.
    pub at_ms: u64,
    /// The saga it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saga: Option<SagaId>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// One line of JSON (the trace format).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
