//! What an event means, in words: a short line for the event log and a narration that says what
//! happened, why, and which idea of the saga pattern it shows.

use crate::engine::definition::{Operation, ServiceId, StepKind};
use crate::engine::event::{
    AttentionReason, ClearReason, CompensationReason, Event, EventKind, FailReason, LossReason,
    Outcome,
};
use crate::engine::fault::FaultKind;
use crate::engine::message::{Body, Message, MessageId, Node, SagaId, Task, TaskResult};
use crate::engine::scenario::{Coordination, Scenario, Storage};
use crate::engine::sim::{ActiveFault, SagaRecord};
use crate::engine::tables::{NotificationRow, Recipient};

use super::format::{capitalise, duration, money, saga_letter};
use super::layout::NodeKey;

/// An idea of the saga pattern an event shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idea {
    /// Undo completed steps with compensating actions, newest first.
    Compensation,
    /// The go/no-go step.
    Pivot,
    /// After the pivot: retry until done.
    ForwardRecovery,
    /// PENDING as a lock others can see.
    SemanticLock,
    /// A request remembered by its key takes effect once.
    Idempotency,
    /// Consumers remember processed event ids.
    IdempotentConsumer,
    /// Queues deliver at least once.
    AtLeastOnce,
    /// Poison messages set aside.
    DeadLetter,
    /// State change and event in one local transaction.
    Outbox,
    /// No reply in time.
    Timeout,
    /// Waiting longer before each retry.
    Backoff,
    /// The orchestrator's durable log.
    DurableLog,
    /// A person must finish the rollback.
    ManualIntervention,
    /// How far one failure reaches.
    BlastRadius,
    /// A step whose outcome is unknown.
    UnknownOutcome,
    /// A central coordinator.
    Orchestration,
    /// Services reacting to events.
    Choreography,
    /// The customer changes their mind.
    Cancellation,
    /// Faults as part of the scenario.
    FaultInjection,
    /// Once the pivot may have taken effect, only forward.
    PointOfNoReturn,
    /// Replies matched to the attempt they answer.
    TaskToken,
    /// A received message hidden for a while, then delivered again.
    VisibilityTimeout,
    /// Committing and publishing as two separate steps.
    DualWrite,
    /// One event delivered to every subscribed queue.
    FanOut,
}

impl Idea {
    /// Every idea.
    pub const ALL: [Idea; 24] = [
        Idea::Compensation,
        Idea::Pivot,
        Idea::ForwardRecovery,
        Idea::SemanticLock,
        Idea::Idempotency,
        Idea::IdempotentConsumer,
        Idea::AtLeastOnce,
        Idea::DeadLetter,
        Idea::Outbox,
        Idea::Timeout,
        Idea::Backoff,
        Idea::DurableLog,
        Idea::ManualIntervention,
        Idea::BlastRadius,
        Idea::UnknownOutcome,
        Idea::Orchestration,
        Idea::Choreography,
        Idea::Cancellation,
        Idea::FaultInjection,
        Idea::PointOfNoReturn,
        Idea::TaskToken,
        Idea::VisibilityTimeout,
        Idea::DualWrite,
        Idea::FanOut,
    ];

    /// The idea's name.
    pub fn name(self) -> &'static str {
        match self {
            Idea::Compensation => "Compensation",
            Idea::Pivot => "Pivot",
            Idea::ForwardRecovery => "Forward recovery",
            Idea::SemanticLock => "Semantic lock",
            Idea::Idempotency => "Idempotency",
            Idea::IdempotentConsumer => "Idempotent consumer",
            Idea::AtLeastOnce => "At-least-once delivery",
            Idea::DeadLetter => "Dead-letter queue",
            Idea::Outbox => "Transactional outbox",
            Idea::Timeout => "Timeout",
            Idea::Backoff => "Retry with backoff",
            Idea::DurableLog => "Durable saga log",
            Idea::ManualIntervention => "Manual intervention",
            Idea::BlastRadius => "Blast radius",
            Idea::UnknownOutcome => "Unknown outcome",
            Idea::Orchestration => "Orchestration",
            Idea::Choreography => "Choreography",
            Idea::Cancellation => "Cancellation",
            Idea::FaultInjection => "Fault injection",
            Idea::PointOfNoReturn => "Point of no return",
            Idea::TaskToken => "Task token",
            Idea::VisibilityTimeout => "Visibility timeout",
            Idea::DualWrite => "Dual write",
            Idea::FanOut => "Fan-out",
        }
    }

    /// The idea in one or two sentences.
    pub fn explain(self) -> &'static str {
        match self {
            Idea::Compensation => "A saga cannot roll back other services' databases. It undoes each completed step with a compensating action, in exact reverse order.",
            Idea::Pivot => "The go/no-go step. Failures before it are compensated; once it succeeds the saga can only go forward.",
            Idea::ForwardRecovery => "Steps after the pivot are never undone: they are retried until they succeed, or, if a retry policy gives up, left for a person to finish.",
            Idea::SemanticLock => "PENDING tells everyone the reservation is not final yet; the slot hold keeps other sagas off the same table.",
            Idea::Idempotency => "The service remembers each request by its idempotency key (saga + step), so a retry or a duplicate takes effect only once.",
            Idea::IdempotentConsumer => "Each consumer records the ids of the events it processed in the same transaction, so a redelivered event is ignored.",
            Idea::AtLeastOnce => "A queue delivers every message at least once: a message not deleted before its visibility timeout is delivered again.",
            Idea::DeadLetter => "A message that keeps failing is set aside after its maximum receives, so it stops blocking the queue; after a fix it can be redriven.",
            Idea::Outbox => "The service writes its state change and the event to publish in one local transaction; a relay publishes the outbox, so no event is lost or invented.",
            Idea::Timeout => "No reply in time: the orchestrator cannot tell whether the step happened, so it retries, and idempotency makes that safe.",
            Idea::Backoff => "Each retry waits longer than the last (1 s, 2 s, 4 s…), giving a struggling service room to recover.",
            Idea::DurableLog => "The orchestrator writes every decision to a durable log before acting; after a crash it rebuilds its state from the log and resumes.",
            Idea::ManualIntervention => "A compensation that keeps failing cannot be finished by the saga itself: it is listed for a person (rollback incomplete).",
            Idea::BlastRadius => "With one shared database, one outage stops every service at once; a database per service keeps the failure contained.",
            Idea::UnknownOutcome => "After a timeout or a lost reply nobody knows whether the step happened: its compensation must do nothing if it never did.",
            Idea::Orchestration => "A central orchestrator tells each service what to do, waits for the reply and decides what comes next.",
            Idea::Choreography => "No coordinator: each service reacts to the events it subscribes to and publishes its own.",
            Idea::Cancellation => "Before the pivot a cancellation aborts the saga and compensates; after completion a cancellation saga undoes it.",
            Idea::FaultInjection => "Faults are part of the scenario: the same seed and fault plan replay exactly the same run.",
            Idea::PointOfNoReturn => "Once the pivot has been sent and no refusal has come back, it may have taken effect: the saga only goes forward, asking again until it knows.",
            Idea::TaskToken => "Each reply carries the attempt it answers; a reply to an attempt no longer awaited is stale and is ignored.",
            Idea::VisibilityTimeout => "A received message is hidden for the visibility timeout; if it is not deleted by then, even by a consumer that is only slow, it is delivered again.",
            Idea::DualWrite => "Committing a change and then publishing its event are two steps: a crash between them loses the event unless an outbox keeps it.",
            Idea::FanOut => "A topic delivers each event to every queue subscribed to it, so one event can concern several services.",
        }
    }
}

/// How a line reads: a CSS modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Ordinary progress.
    Info,
    /// Something succeeded.
    Ok,
    /// Something failed.
    Fail,
    /// Something went wrong that may be recovered.
    Warn,
    /// Something was undone.
    Undo,
    /// Bookkeeping.
    Muted,
}

impl Tone {
    /// The CSS modifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Info => "info",
            Tone::Ok => "ok",
            Tone::Fail => "fail",
            Tone::Warn => "warn",
            Tone::Undo => "undo",
            Tone::Muted => "muted",
        }
    }
}

/// One event, told.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// A one-character icon.
    pub icon: &'static str,
    /// What happened, in one line.
    pub text: String,
    /// Why, in a sentence or two.
    pub why: String,
    /// The idea it shows.
    pub idea: Option<Idea>,
    /// How it reads.
    pub tone: Tone,
    /// The nodes it concerns (for highlighting and filtering).
    pub nodes: Vec<NodeKey>,
    /// The message it concerns.
    pub message: Option<MessageId>,
    /// Bookkeeping that the narration skips while playing.
    pub minor: bool,
}

/// What telling an event needs besides the event.
#[derive(Debug, Clone, Copy)]
pub struct StoryContext<'a> {
    /// The scenario (definition, style, storage).
    pub scenario: &'a Scenario,
    /// Every message sent so far.
    pub messages: &'a [Message],
    /// Every fault injected so far.
    pub faults: &'a [ActiveFault],
    /// Every saga.
    pub sagas: &'a [SagaRecord],
    /// The Notification service's sent messages (the notices' own words).
    pub notifications: &'a [NotificationRow],
}

impl StoryContext<'_> {
    fn message(&self, id: MessageId) -> Option<&Message> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.messages.get(i))
            .filter(|m| m.id == id)
            .or_else(|| self.messages.iter().find(|m| m.id == id))
    }

    fn customer(&self, saga: Option<SagaId>) -> String {
        saga.and_then(|s| self.sagas.get(s))
            .map(|r| r.spec.customer.clone())
            .unwrap_or_else(|| "the customer".to_string())
    }

    fn amount(&self, saga: Option<SagaId>) -> String {
        saga.and_then(|s| self.sagas.get(s))
            .map(|r| money(r.spec.amount_cents))
            .unwrap_or_default()
    }

    fn task(&self, task: Task) -> String {
        task.label(&self.scenario.definition)
    }

    /// What the notice sent to a saga's customer at `at_ms` says, as the notifications table has it.
    fn notice_text(&self, saga: Option<SagaId>, at_ms: u64) -> Option<&str> {
        self.notifications
            .iter()
            .find(|r| {
                Some(r.saga) == saga && r.updated_ms == at_ms && r.recipient == Recipient::Customer
            })
            .map(|r| r.text.as_str())
    }

    fn body(&self, body: &Body) -> String {
        body.label(&self.scenario.definition)
    }

    fn service_of(&self, task: Task) -> Option<ServiceId> {
        task.service(&self.scenario.definition)
    }

    fn orchestrated(&self) -> bool {
        self.scenario.coordination == Coordination::Orchestration
    }

    fn fault(&self, id: usize) -> String {
        self.faults
            .get(id)
            .map(|f| f.spec.describe(self.scenario))
            .unwrap_or_else(|| format!("fault {id}"))
    }

    fn fault_node(&self, id: usize) -> Vec<NodeKey> {
        match self.faults.get(id) {
            Some(f) => match f.spec.service(self.scenario) {
                Some(s) => vec![NodeKey::Service(s)],
                None if f.spec.kind() == FaultKind::OrchestratorDown => vec![NodeKey::Orchestrator],
                None => Vec::new(),
            },
            None => Vec::new(),
        }
    }

    /// Who learns a task's result: the orchestrator, or the service itself in choreography.
    fn decider(&self, task: Task) -> Vec<NodeKey> {
        if self.orchestrated() {
            vec![NodeKey::Orchestrator]
        } else {
            self.service_of(task)
                .map(NodeKey::Service)
                .into_iter()
                .collect()
        }
    }
}

fn node_name(node: Node) -> String {
    match node {
        Node::Customer => "Customer".to_string(),
        Node::Orchestrator => "Orchestrator".to_string(),
        Node::Bus => "Event bus".to_string(),
        Node::Service(s) => s.label().to_string(),
        Node::Queue(s) => format!("{}'s queue", s.label()),
    }
}

fn story(icon: &'static str, text: String, tone: Tone, nodes: Vec<NodeKey>) -> Story {
    Story {
        icon,
        text,
        why: String::new(),
        idea: None,
        tone,
        nodes,
        message: None,
        minor: false,
    }
}

impl Story {
    fn why(mut self, why: impl Into<String>) -> Self {
        self.why = why.into();
        self
    }
    fn idea(mut self, idea: Idea) -> Self {
        self.idea = Some(idea);
        self
    }
    fn message(mut self, id: MessageId) -> Self {
        self.message = Some(id);
        self
    }
    fn minor(mut self) -> Self {
        self.minor = true;
        self
    }
}

/// The icon of a message class.
pub fn class_icon(body: &Body) -> &'static str {
    match body {
        Body::Command { .. } => "■",
        Body::Reply { .. } => "●",
        Body::Event { .. } => "◆",
    }
}

/// Tells one event.
pub fn tell(event: &Event, ctx: &StoryContext<'_>) -> Story {
    let story = tell_event(event, ctx);
    // Once a saga has ended, its last event still travels to the bus: bookkeeping, so that the
    // narration keeps telling the outcome.
    let after_the_end = event
        .saga
        .and_then(|s| ctx.sagas.get(s))
        .and_then(|r| r.ended_ms)
        .is_some_and(|end| end <= event.at_ms);
    if after_the_end && matches!(event.kind, EventKind::MessageSent { .. }) {
        story.minor()
    } else {
        story
    }
}

fn tell_event(event: &Event, ctx: &StoryContext<'_>) -> Story {
    let saga = event.saga;
    let who = ctx.customer(saga);
    let letter = saga.map(saga_letter).unwrap_or('·');
    match &event.kind {
        EventKind::SagaStarted => {
            let slot = saga
                .and_then(|s| ctx.sagas.get(s))
                .map(|r| r.spec.slot.clone())
                .unwrap_or_default();
            let idea = if ctx.orchestrated() { Idea::Orchestration } else { Idea::Choreography };
            story("▶", format!("Saga {letter} starts: {who} asks for {slot}"), Tone::Info, vec![NodeKey::Customer])
                .why(if ctx.orchestrated() {
                    "The request goes to the orchestrator, which will run the steps one by one."
                } else {
                    "The request goes straight to the first service; from there each service reacts to the previous one's event."
                })
                .idea(idea)
        }
        EventKind::MessageSent { message, from, to, body, duplicate, .. } => {
            let what = ctx.body(body);
            let copy = if *duplicate { " (a duplicate copy)" } else { "" };
            let nodes = vec![NodeKey::of(*from), NodeKey::of(*to)];
            let base = |text: String| {
                story(class_icon(body), format!("{text}{copy}"), Tone::Info, nodes.clone()).message(*message)
            };
            match (from, to, body) {
                (Node::Orchestrator, Node::Service(s), Body::Command { .. }) => base(format!("Orchestrator → {}: {what}", s.label()))
                    .why(format!("The orchestrator commands {} to do the next task and starts waiting for its reply.", s.label()))
                    .idea(Idea::Orchestration),
                (Node::Service(s), Node::Orchestrator, Body::Reply { .. }) => base(format!("{} → Orchestrator: {what}", s.label()))
                    .why("The service answers the orchestrator, which decides what happens next.")
                    .idea(Idea::Orchestration),
                (Node::Service(s), Node::Bus, _) => base(format!("{} publishes {what}", s.label()))
                    .why(format!("{}'s outbox relay publishes the event it committed with its state change.", s.label()))
                    .idea(Idea::Outbox),
                (Node::Bus, Node::Queue(s), Body::Event { name }) => {
                    let queues = crate::engine::choreography::Reaction::subscribers(*name, &ctx.scenario.definition).len();
                    let line = base(format!("Bus delivers {what} to {}'s queue", s.label()));
                    if queues > 1 {
                        line.why(format!("{} subscribes to {what}, and so do other services: the topic puts a copy in each of the {queues} subscribed queues.", s.label()))
                            .idea(Idea::FanOut)
                    } else {
                        line.why(format!("{} subscribes to {what}: the bus puts a copy in its queue.", s.label()))
                            .idea(Idea::Choreography)
                    }
                }
                _ => base(format!("{} → {}: {what}", node_name(*from), node_name(*to))),
            }
        }
        EventKind::MessageArrived { message } => {
            let (text, nodes) = match ctx.message(*message) {
                Some(m) => (
                    format!("{} arrives at {}", ctx.body(&m.body), node_name(m.to)),
                    vec![NodeKey::of(m.to)],
                ),
                None => (format!("Message {message} arrives"), Vec::new()),
            };
            story("↘", text, Tone::Muted, nodes).message(*message).minor()
        }
        EventKind::MessageLost { message, reason } => {
            let m = ctx.message(*message);
            let what = m.map(|m| ctx.body(&m.body)).unwrap_or_else(|| format!("message {message}"));
            let nodes = m.map(|m| vec![NodeKey::of(m.from), NodeKey::of(m.to)]).unwrap_or_default();
            let (why, text) = match reason {
                LossReason::Dropped => ("an injected fault dropped it", format!("{what} is lost on the way")),
                LossReason::ReceiverDown => ("its receiver is down", format!("{what} is lost: the receiver is down")),
            };
            let s = story("✗", text, Tone::Warn, nodes).message(*message);
            if ctx.orchestrated() {
                s.why(format!("The message never arrives ({why}). The orchestrator will notice only when its timeout fires."))
                    .idea(Idea::Timeout)
            } else {
                s.why(format!("The publish never reaches the bus ({why}). The event is still in the outbox, so the relay publishes it again."))
                    .idea(Idea::Outbox)
            }
        }
        EventKind::ReplyIgnored { message } => {
            let what = ctx.message(*message).map(|m| ctx.body(&m.body)).unwrap_or_default();
            story("·", format!("Orchestrator ignores a repeated reply: {what}"), Tone::Muted, vec![NodeKey::Orchestrator])
                .message(*message)
                .why("It answers an attempt the orchestrator has already heard (a duplicated message); acting on it twice would be wrong.")
                .idea(Idea::Idempotency)
        }
        EventKind::ReplyStale { message, attempt, awaited } => {
            let what = ctx.message(*message).map(|m| ctx.body(&m.body)).unwrap_or_default();
            let why = match awaited {
                Some(now) => format!("It answers attempt {attempt}, but the orchestrator awaits attempt {now}: a reply counts only for the attempt whose task token it carries."),
                None => format!("It answers attempt {attempt}, which the orchestrator no longer awaits: a late answer never decides anything."),
            };
            story("·", format!("Orchestrator ignores a stale reply: {what}"), Tone::Muted, vec![NodeKey::Orchestrator])
                .message(*message)
                .why(why)
                .idea(Idea::TaskToken)
        }
        EventKind::TaskStarted { task, attempt } => {
            let service = ctx.service_of(*task);
            let name = service.map(|s| s.label()).unwrap_or("A service");
            let nodes: Vec<NodeKey> = service.map(NodeKey::Service).into_iter().collect();
            if *attempt > 1 {
                let (text, why, idea) = if ctx.orchestrated() {
                    (
                        format!("Orchestrator tries {} again (attempt {attempt})", ctx.task(*task)),
                        "The last attempt failed or timed out; the retry policy allows another.",
                        Idea::Backoff,
                    )
                } else {
                    (
                        format!("{name} receives the message for {} again (receive {attempt})", ctx.task(*task)),
                        "The previous delivery was not deleted before its visibility timeout, so the queue delivered it again.",
                        Idea::AtLeastOnce,
                    )
                };
                let mut nodes = nodes;
                if ctx.orchestrated() {
                    nodes.insert(0, NodeKey::Orchestrator);
                }
                story("↻", text, Tone::Warn, nodes).why(why).idea(idea)
            } else {
                let text = match task {
                    Task::Compensate(_) => format!("{name} starts to undo: {}", ctx.task(*task)),
                    _ => format!("{name}: {} begins", ctx.task(*task)),
                };
                let mut nodes = nodes;
                if ctx.orchestrated() {
                    nodes.insert(0, NodeKey::Orchestrator);
                }
                story("›", text, Tone::Info, nodes).minor()
            }
        }
        EventKind::TaskApplied { task, service, result, changed } => {
            applied(ctx, saga, event.at_ms, *task, *service, *result, *changed)
        }
        EventKind::DuplicateIgnored { task, service } => {
            let idea = if ctx.orchestrated() { Idea::Idempotency } else { Idea::IdempotentConsumer };
            story("≡", format!("{} recognises a repeat of {} and does nothing", service.label(), ctx.task(*task)), Tone::Muted, vec![NodeKey::Service(*service)])
                .why(if ctx.orchestrated() {
                    "The request carries the same idempotency key (saga + step) as one already done: the service answers with the remembered result."
                } else {
                    "The event id is already in the processed-messages table: it was handled before."
                })
                .idea(idea)
        }
        EventKind::TaskFailed { task, service, reason } => failed(ctx, *task, *service, *reason),
        EventKind::TimedOut { task, attempt } => story(
            "◷",
            format!("No reply for {} (attempt {attempt}) in time", ctx.task(*task)),
            Tone::Warn,
            vec![NodeKey::Orchestrator],
        )
        .why(format!(
            "The orchestrator waited {} and heard nothing. The step may or may not have happened.",
            duration(ctx.scenario.timing.step_timeout_ms)
        ))
        .idea(Idea::Timeout),
        EventKind::RetryScheduled { task, attempt, delay_ms } => story(
            "↻",
            format!("Retry {} in {} (attempt {attempt})", ctx.task(*task), duration(*delay_ms)),
            Tone::Warn,
            vec![NodeKey::Orchestrator],
        )
        .why("The retry policy waits a little longer before each new attempt.")
        .idea(Idea::Backoff),
        EventKind::StepSucceeded { task } => {
            let def = &ctx.scenario.definition;
            let nodes = ctx.decider(*task);
            match task {
                Task::Action(step) => {
                    let kind = def.steps.get(*step).map(|s| s.kind);
                    let s = story("✓", format!("Step {} {} succeeded", step + 1, ctx.task(*task)), Tone::Ok, nodes);
                    match kind {
                        Some(StepKind::Pivot) => s.why("The pivot succeeded: from here on the saga can only go forward.").idea(Idea::Pivot),
                        Some(StepKind::Retriable) => s.why("The last step after the pivot is done.").idea(Idea::ForwardRecovery),
                        _ => s.why("The saga moves on to the next step."),
                    }
                }
                Task::Compensate(step) => story("↩", format!("Step {} undone: {}", step + 1, ctx.task(*task)), Tone::Undo, nodes)
                    .why("The compensation is done; the saga moves on to the step before it.")
                    .idea(Idea::Compensation),
                Task::FailureNotice => story("✓", "Both parties know the saga failed".to_string(), Tone::Undo, nodes)
                    .why("After the compensations, the customer and the restaurant are told.")
                    .idea(Idea::Compensation),
            }
        }
        EventKind::StepRefused { task } => {
            let def = &ctx.scenario.definition;
            let step = task.step().unwrap_or(0);
            let pivot = def.steps.get(step).is_some_and(|s| s.kind == StepKind::Pivot);
            let s = story("✗", format!("Step {} {} refused", step + 1, ctx.task(*task)), Tone::Fail, ctx.decider(*task));
            if pivot {
                s.why("The pivot said no-go: every step before it must now be undone.").idea(Idea::Pivot)
            } else {
                s.why("A business failure cannot be retried away: the saga must undo what it did.").idea(Idea::Compensation)
            }
        }
        EventKind::CompensationBegun { reason } => {
            let (text, idea) = match reason {
                CompensationReason::BusinessFailure => ("Compensation begins: a step was refused", Idea::Compensation),
                CompensationReason::RetriesExhausted => ("Compensation begins: a step ran out of retries", Idea::Compensation),
                CompensationReason::CancelledBeforePivot => ("Compensation begins: the customer cancelled", Idea::Cancellation),
                CompensationReason::CancelledAfterCompletion => ("A cancellation saga begins: undo the confirmed reservation", Idea::Cancellation),
            };
            let nodes = if ctx.orchestrated() { vec![NodeKey::Orchestrator] } else { Vec::new() };
            story("↶", format!("Saga {letter}: {text}"), Tone::Undo, nodes)
                .why("The completed compensatable steps are undone one by one, newest first; then both parties are told.")
                .idea(idea)
        }
        EventKind::SagaEnded { outcome } => {
            let (icon, tone, text, why, idea) = match outcome {
                Outcome::Completed => ("✓", Tone::Ok, "completed", "Every step took effect.", Idea::ForwardRecovery),
                Outcome::Compensated => ("↩", Tone::Undo, "compensated", "Every completed step was undone in reverse order and both parties were told.", Idea::Compensation),
                Outcome::RollbackIncomplete => ("⚠", Tone::Fail, "ended rollback incomplete", "A compensation could not be done; the saga waits for a person.", Idea::ManualIntervention),
                Outcome::AwaitingPerson => ("⚑", Tone::Fail, "awaits a person", "It may not go back and cannot go on by itself; a person finds out what happened, then redrives it.", Idea::ManualIntervention),
                Outcome::Running => ("…", Tone::Info, "is running again", "", Idea::Compensation),
            };
            story(icon, format!("Saga {letter} {text}"), tone, Vec::new()).why(why).idea(idea)
        }
        EventKind::ManualIntervention { task, reason } => {
            let nodes: Vec<NodeKey> = ctx.service_of(*task).map(NodeKey::Service).into_iter().collect();
            story("⚠", format!("Saga {letter} needs a person: {} is stuck", ctx.task(*task)), Tone::Fail, nodes)
                .why(format!("Why: {}. Fix the cause, then redrive.", reason.label()))
                .idea(match reason {
                    AttentionReason::PivotOutcomeUnknown => Idea::PointOfNoReturn,
                    AttentionReason::ForwardStepExhausted | AttentionReason::FailureNoticeExhausted => Idea::ForwardRecovery,
                    AttentionReason::DeadLettered => Idea::DeadLetter,
                    AttentionReason::CompensationExhausted => Idea::ManualIntervention,
                })
        }
        EventKind::CancelRequested => story("⊘", format!("{who} asks to cancel saga {letter}"), Tone::Warn, vec![NodeKey::Customer])
            .why("Before the pivot the saga aborts and compensates; after completion a cancellation saga undoes it.")
            .idea(Idea::Cancellation),
        EventKind::ServiceDown { service } => {
            let s = story("✖", format!("{} goes down", service.label()), Tone::Fail, vec![NodeKey::Service(*service)]);
            if ctx.orchestrated() {
                s.why("Commands sent to it now get no reply: the orchestrator will time out and retry.").idea(Idea::Timeout)
            } else {
                s.why("Its queue keeps the messages meant for it until it is back.").idea(Idea::AtLeastOnce)
            }
        }
        EventKind::ServiceUp { service } => story("✓", format!("{} is back up", service.label()), Tone::Ok, vec![NodeKey::Service(*service)])
            .why("Work that waited for it can go on."),
        EventKind::DatabaseDown { service } => match service {
            Some(s) => story("✖", format!("{}'s database goes down", s.label()), Tone::Fail, vec![NodeKey::Service(*s)])
                .why(format!("Only {} stops: every other service has its own database.", s.label()))
                .idea(Idea::BlastRadius),
            None => story("✖", "The shared database goes down: every service stops".to_string(), Tone::Fail, ServiceId::ALL.map(NodeKey::Service).to_vec())
                .why("All services keep their tables in one database instance, so one outage stops them all.")
                .idea(Idea::BlastRadius),
        },
        EventKind::DatabaseUp { service } => match service {
            Some(s) => story("✓", format!("{}'s database is back", s.label()), Tone::Ok, vec![NodeKey::Service(*s)]),
            None => story("✓", "The shared database is back".to_string(), Tone::Ok, ServiceId::ALL.map(NodeKey::Service).to_vec()),
        }
        .why("Requests that failed meanwhile are retried."),
        EventKind::OrchestratorCrashed => story("✗", "Orchestrator crashes: its memory is gone, its log survives".to_string(), Tone::Fail, vec![NodeKey::Orchestrator])
            .why("Replies that arrive while it is down are lost; nothing it decided is lost, because it wrote it down first.")
            .idea(Idea::DurableLog),
        EventKind::OrchestratorRecovered { resumed, replayed } => story(
            "↺",
            format!("Orchestrator restarts: replays {replayed} log records, resumes {resumed} saga(s)"),
            Tone::Ok,
            vec![NodeKey::Orchestrator],
        )
        .why("It rebuilds each saga's state from the log and re-sends the command it was waiting on; idempotent services make that safe.")
        .idea(Idea::DurableLog),
        EventKind::Enqueued { queue, message } => {
            let what = ctx.message(*message).map(|m| ctx.body(&m.body)).unwrap_or_default();
            story("▤", format!("{what} waits in {}'s queue", queue.label()), Tone::Muted, vec![NodeKey::Queue(*queue)])
                .message(*message)
                .minor()
        }
        EventKind::Received { queue, message, receive_count } => {
            let what = ctx.message(*message).map(|m| ctx.body(&m.body)).unwrap_or_default();
            let nodes = vec![NodeKey::Queue(*queue), NodeKey::Service(*queue)];
            if *receive_count > 1 {
                story("↻", format!("{} receives {what} again (receive {receive_count})", queue.label()), Tone::Warn, nodes)
                    .message(*message)
                    .why("It was not deleted before its visibility timeout (its consumer failed, crashed or is only slow), so the queue delivered it again.")
                    .idea(Idea::VisibilityTimeout)
            } else {
                story("↗", format!("{} receives {what}", queue.label()), Tone::Muted, nodes).message(*message).minor()
            }
        }
        EventKind::DeadLettered { queue, message } => {
            let what = ctx.message(*message).map(|m| ctx.body(&m.body)).unwrap_or_default();
            story("☠", format!("{what} moves to the dead-letter queue"), Tone::Fail, vec![NodeKey::Queue(*queue), NodeKey::DeadLetters])
                .message(*message)
                .why(format!(
                    "{} failed it {} times: it is set aside so it stops blocking the queue. The saga waits until it is redriven.",
                    queue.label(),
                    ctx.scenario.queues.max_receive_count
                ))
                .idea(Idea::DeadLetter)
        }
        EventKind::Deleted { queue, message } => {
            let what = ctx.message(*message).map(|m| ctx.body(&m.body)).unwrap_or_default();
            story("✓", format!("{} deletes {what} from its queue", queue.label()), Tone::Muted, vec![NodeKey::Queue(*queue)])
                .message(*message)
                .why("Only a handled message is deleted; until then the queue would deliver it again.")
                .idea(Idea::AtLeastOnce)
                .minor()
        }
        EventKind::Redriven { queue, message } => {
            let what = ctx.message(*message).map(|m| ctx.body(&m.body)).unwrap_or_default();
            story("↺", format!("{what} is redriven back to {}'s queue", queue.label()), Tone::Ok, vec![NodeKey::DeadLetters, NodeKey::Queue(*queue)])
                .message(*message)
                .why("A person fixed the cause and moved the dead letter back; the saga can go on.")
                .idea(Idea::DeadLetter)
        }
        EventKind::OutboxWritten { service, event: name } => story(
            "✎",
            format!("{} writes {} to its outbox", service.label(), name.label(&ctx.scenario.definition)),
            Tone::Info,
            vec![NodeKey::Service(*service)],
        )
        .why("In the same local transaction as its table change; the relay publishes it shortly.")
        .idea(Idea::Outbox),
        EventKind::PublishLost { service, event: name } => story(
            "✖",
            format!("{} crashed before publishing {}: the event is lost", service.label(), name.label(&ctx.scenario.definition)),
            Tone::Fail,
            vec![NodeKey::Service(*service)],
        )
        .why("Its table change committed, but with no outbox the event lived only in memory: nothing will publish it, and the saga stalls (the dual-write problem).")
        .idea(Idea::DualWrite),
        EventKind::FaultInjected { fault, spec } => story(
            "⚡",
            format!("Fault: {}", spec.describe(ctx.scenario)),
            Tone::Warn,
            ctx.fault_node(*fault),
        )
        .why("From this moment on the fault acts; it is part of the run, so a replay meets it too.")
        .idea(Idea::FaultInjection),
        EventKind::FaultFired { fault } => story("⚡", format!("Fault acts: {}", ctx.fault(*fault)), Tone::Warn, ctx.fault_node(*fault)).minor(),
        EventKind::FaultCleared { fault, reason } => {
            let why = match reason {
                ClearReason::Removed => "removed",
                ClearReason::Expired => "its time is up",
                ClearReason::UsedUp => "used up",
            };
            story("·", format!("Fault over ({why}): {}", ctx.fault(*fault)), Tone::Muted, ctx.fault_node(*fault)).minor()
        }
    }
}

fn applied(
    ctx: &StoryContext<'_>,
    saga: Option<SagaId>,
    at_ms: u64,
    task: Task,
    service: ServiceId,
    result: TaskResult,
    changed: bool,
) -> Story {
    let nodes = vec![NodeKey::Service(service)];
    let def = &ctx.scenario.definition;
    let who = ctx.customer(saga);
    if result == TaskResult::BusinessFailure {
        let step = task.step().unwrap_or(0);
        let what = def
            .steps
            .get(step)
            .and_then(|s| s.business_failure.clone())
            .unwrap_or_else(|| "refused".to_string());
        let pivot = def
            .steps
            .get(step)
            .is_some_and(|s| s.kind == StepKind::Pivot);
        let s = story(
            "✗",
            format!("{} refuses {}: {what}", service.label(), ctx.task(task)),
            Tone::Fail,
            nodes,
        );
        return if pivot {
            s.why("The pivot's answer is no-go: nothing after it will happen, and everything before it must be undone.")
                .idea(Idea::Pivot)
        } else if task.operation(def) == Some(Operation::BookSlot) {
            s.why("Another saga holds the table's slot: its hold is a semantic lock. This saga must undo its earlier steps.")
                .idea(Idea::SemanticLock)
        } else {
            s.why("A business rule said no; retrying will not help. The saga must undo its earlier steps.")
                .idea(Idea::Compensation)
        };
    }
    if !changed {
        return match task {
            Task::Compensate(_) => story(
                "·",
                format!(
                    "{}: nothing to undo for {}",
                    service.label(),
                    ctx.task(task)
                ),
                Tone::Muted,
                nodes,
            )
            .why("The step never took effect, so its compensation changes nothing, as it must.")
            .idea(Idea::UnknownOutcome),
            _ => story(
                "·",
                format!("{}: {} was already done", service.label(), ctx.task(task)),
                Tone::Muted,
                nodes,
            )
            .why("The request repeats one that already took effect; nothing changes.")
            .idea(Idea::Idempotency),
        };
    }
    let Some(op) = task.operation(def) else {
        return story(
            "✓",
            format!("{} did {}", service.label(), ctx.task(task)),
            Tone::Ok,
            nodes,
        );
    };
    let idem = if ctx.orchestrated() {
        Idea::Idempotency
    } else {
        Idea::IdempotentConsumer
    };
    match op {
        Operation::CreateReservation => story("✓", format!("Reservation created for {who}: PENDING"), Tone::Ok, nodes)
            .why("The reservation exists but is not final until the pivot confirms it.")
            .idea(Idea::SemanticLock),
        Operation::ChargeCard => story("✓", format!("Payment charges {} to {who}'s card", ctx.amount(saga)), Tone::Ok, nodes)
            .why(if ctx.orchestrated() {
                "The ledger records the charge, and the idempotency key (saga + step) remembers it, so a retry cannot charge twice."
            } else {
                "The ledger records the charge and the event id goes into processed messages, in one transaction."
            })
            .idea(idem),
        Operation::BookSlot => story("✓", "Calendar books the table's slot".to_string(), Tone::Ok, nodes)
            .why("The slot is held for this saga; no other saga can take it.")
            .idea(Idea::SemanticLock),
        Operation::ConfirmReservation => story("✓", "Reservation confirmed: PENDING → CONFIRMED".to_string(), Tone::Ok, nodes)
            .why("This is the pivot. From now on the saga must complete: the next step is retried until it works.")
            .idea(Idea::Pivot),
        Operation::NotifyConfirmed => story("✓", format!("{who} and the restaurant are told: confirmed"), Tone::Ok, nodes)
            .why("A retriable step after the pivot: it would be retried until it succeeded, never undone.")
            .idea(Idea::ForwardRecovery),
        Operation::CancelReservation => story("↩", format!("Reservation cancelled for {who}"), Tone::Undo, nodes)
            .why("The compensation of step 1: the PENDING reservation becomes CANCELLED.")
            .idea(Idea::Compensation),
        Operation::RefundPayment => story("↩", format!("Payment refunds {} to {who}", ctx.amount(saga)), Tone::Undo, nodes)
            .why("The compensation of the charge: the ledger gets a REFUNDED entry; the money adds up again.")
            .idea(Idea::Compensation),
        Operation::ReleaseSlot => story("↩", "Calendar releases the slot".to_string(), Tone::Undo, nodes)
            .why("The compensation of the booking: the table is free for other customers again.")
            .idea(Idea::Compensation),
        Operation::NotifyFailure => {
            let said = ctx.notice_text(saga, at_ms).unwrap_or("reservation failed");
            story("✉", format!("{who} and the restaurant are told: {said}"), Tone::Undo, nodes)
                .why("After undoing every completed step in reverse order, the saga tells both parties, and says what became of the money only as far as the request told the notifier.")
                .idea(Idea::Compensation)
        }
    }
}

fn failed(ctx: &StoryContext<'_>, task: Task, service: ServiceId, reason: FailReason) -> Story {
    let nodes = vec![NodeKey::Service(service)];
    let what = ctx.task(task);
    let name = service.label();
    let retry = if ctx.orchestrated() {
        Idea::Backoff
    } else {
        Idea::AtLeastOnce
    };
    let retry_why = if ctx.orchestrated() {
        "The orchestrator will retry after a backoff."
    } else {
        "The message is not deleted, so the queue delivers it again after its visibility timeout."
    };
    match reason {
        FailReason::Transient => story("↯", format!("{name}: {what} fails ({})", reason.label()), Tone::Warn, nodes)
            .why(format!("A temporary error, not a business refusal. {retry_why}"))
            .idea(retry),
        FailReason::DatabaseDown => {
            let shared = ctx.scenario.storage == Storage::Shared;
            story("✖", format!("{name}: {what} fails: {}", reason.label()), Tone::Warn, nodes)
                .why(if shared {
                    format!("The shared database is down, so every service fails alike. {retry_why}")
                } else {
                    format!("Only {name}'s own database is down. {retry_why}")
                })
                .idea(Idea::BlastRadius)
        }
        FailReason::Poison => story("☣", format!("{name}: {what} fails ({})", reason.label()), Tone::Warn, nodes)
            .why(if ctx.orchestrated() {
                "This request fails every time until the fault is fixed. The orchestrator retries until its attempts run out."
            } else {
                "This message fails every time it is delivered. After the maximum receives it goes to the dead-letter queue."
            })
            .idea(if ctx.orchestrated() { Idea::Backoff } else { Idea::DeadLetter }),
        FailReason::CompensationFault => story("↯", format!("{name}: {what} fails"), Tone::Fail, nodes)
            .why(format!("A compensation must not be given up lightly: it is retried. If it never works, a person must step in. {retry_why}"))
            .idea(Idea::ManualIntervention),
        FailReason::NoReply => story("…", format!("{name} takes {what} and never answers"), Tone::Warn, nodes)
            .why("The service hangs: no effect, no reply. Only a timeout can tell the caller something is wrong.")
            .idea(Idea::Timeout),
        FailReason::Chaos => story("↯", format!("{name}: {what} fails ({})", reason.label()), Tone::Warn, nodes)
            .why(format!("A random fault drawn from the seed. {retry_why}"))
            .idea(retry),
        FailReason::AwaitingEvents => story("…", format!("{name} waits before {what}"), Tone::Info, nodes)
            .why(format!("It has not yet heard every event its notice must tell of (a refund, say): it waits rather than tell less than the truth. {retry_why}"))
            .idea(retry),
    }
}

/// A story that has nothing to tell yet: the preset's description.
pub fn opening(scenario: &Scenario) -> Story {
    story("◇", scenario.name.clone(), Tone::Info, Vec::new())
        .why(format!(
            "{} Press Play (Space) or Step (→) to begin.",
            capitalise(&scenario.description)
        ))
        .idea(if scenario.coordination == Coordination::Orchestration {
            Idea::Orchestration
        } else {
            Idea::Choreography
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::sim::Simulation;

    fn run(preset: &str, c: Coordination) -> Simulation {
        let scenario = presets::scenario(preset, c, Storage::PerService, 1).unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(600_000);
        sim
    }

    fn stories(sim: &Simulation) -> Vec<Story> {
        let ctx = StoryContext {
            scenario: sim.scenario(),
            messages: sim.messages(),
            faults: sim.faults(),
            sagas: sim.sagas(),
            notifications: &sim.tables().notifications,
        };
        sim.trace().iter().map(|e| tell(e, &ctx)).collect()
    }

    #[test]
    fn every_event_of_every_preset_is_told() {
        for preset in presets::PRESETS {
            for c in [Coordination::Orchestration, Coordination::Choreography] {
                if !preset.runs_in(c) {
                    continue;
                }
                let sim = run(preset.id, c);
                for s in stories(&sim) {
                    assert!(!s.text.is_empty(), "{}: empty story", preset.id);
                    assert!(!s.icon.is_empty());
                }
            }
        }
    }

    #[test]
    fn card_declined_tells_refusal_then_compensation() {
        let sim = run("card-declined", Coordination::Orchestration);
        let texts: Vec<String> = stories(&sim).into_iter().map(|s| s.text).collect();
        let refused = texts
            .iter()
            .position(|t| t.contains("refuses Charge card: card declined"))
            .unwrap();
        let cancelled = texts
            .iter()
            .position(|t| t.contains("Reservation cancelled for Ada"))
            .unwrap();
        let told = texts
            .iter()
            .position(|t| t.contains("told: reservation failed"))
            .unwrap();
        assert!(refused < cancelled && cancelled < told, "{texts:#?}");
    }

    #[test]
    fn the_failure_notice_story_repeats_the_notice() {
        for (preset, said) in [
            ("card-declined", "told: reservation failed, nothing charged"),
            ("slot-taken", "told: reservation failed, €40.00 refunded"),
        ] {
            for c in [Coordination::Orchestration, Coordination::Choreography] {
                let sim = run(preset, c);
                let told: Vec<String> = stories(&sim)
                    .into_iter()
                    .map(|s| s.text)
                    .filter(|t| t.contains("told: reservation failed"))
                    .collect();
                assert_eq!(
                    told,
                    vec![format!("Ada and the restaurant are {said}")],
                    "{preset} {c:?}"
                );
            }
        }
    }

    #[test]
    fn compensation_stories_name_the_idea() {
        let sim = run("slot-taken", Coordination::Choreography);
        let refund = stories(&sim)
            .into_iter()
            .find(|s| s.text.starts_with("Payment refunds"))
            .unwrap();
        assert_eq!(refund.idea, Some(Idea::Compensation));
        assert!(refund.why.contains("REFUNDED"));
    }

    #[test]
    fn the_pivot_is_named() {
        let sim = run("happy-path", Coordination::Orchestration);
        let confirm = stories(&sim)
            .into_iter()
            .find(|s| s.text.starts_with("Reservation confirmed"))
            .unwrap();
        assert_eq!(confirm.idea, Some(Idea::Pivot));
    }

    #[test]
    fn messages_are_linked_to_their_nodes() {
        let sim = run("happy-path", Coordination::Choreography);
        let publish = stories(&sim)
            .into_iter()
            .find(|s| s.text == "Payment publishes PaymentCharged")
            .unwrap();
        assert!(publish.message.is_some());
        assert_eq!(
            publish.nodes,
            vec![NodeKey::Service(ServiceId::Payment), NodeKey::Bus]
        );
        assert_eq!(publish.idea, Some(Idea::Outbox));
    }

    #[test]
    fn dead_letters_and_redrive_are_told() {
        let sim = run("poison-redrive", Coordination::Choreography);
        let all = stories(&sim);
        assert!(all
            .iter()
            .any(|s| s.idea == Some(Idea::DeadLetter) && s.text.contains("dead-letter")));
        assert!(all.iter().any(|s| s.text.contains("redriven")));
        assert!(all.iter().any(|s| s.idea == Some(Idea::AtLeastOnce)));
    }

    #[test]
    fn retries_name_backoff_and_timeouts() {
        let sim = run("transient-payment", Coordination::Orchestration);
        assert!(stories(&sim).iter().any(|s| s.idea == Some(Idea::Backoff)));
        let sim = run("slow-payment", Coordination::Orchestration);
        assert!(stories(&sim).iter().any(|s| s.idea == Some(Idea::Timeout)));
    }

    #[test]
    fn a_shared_database_outage_shows_the_blast_radius() {
        let scenario = presets::scenario(
            "database-down",
            Coordination::Orchestration,
            Storage::Shared,
            1,
        )
        .unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(600_000);
        let down = stories(&sim)
            .into_iter()
            .find(|s| s.text.starts_with("The shared database goes down"))
            .unwrap();
        assert_eq!(down.nodes.len(), 4);
        assert_eq!(down.idea, Some(Idea::BlastRadius));
    }

    #[test]
    fn every_idea_is_explained() {
        for idea in Idea::ALL {
            assert!(!idea.name().is_empty());
            assert!(idea.explain().ends_with('.'), "{idea:?}");
        }
    }

    #[test]
    fn the_outcome_stays_narrated_after_the_last_publish() {
        let sim = run("card-declined", Coordination::Choreography);
        let last = stories(&sim).into_iter().rev().find(|s| !s.minor).unwrap();
        assert_eq!(last.text, "Saga A compensated");
    }

    #[test]
    fn the_opening_describes_the_preset() {
        let scenario = presets::scenario(
            "card-declined",
            Coordination::Orchestration,
            Storage::PerService,
            0,
        )
        .unwrap();
        let s = opening(&scenario);
        assert_eq!(s.text, "Card declined");
        assert!(s.why.contains("Press Play"));
    }
}
