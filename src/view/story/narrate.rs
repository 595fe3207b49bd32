//! The words for each kind of event: what happened, why, and which idea it shows. One match over
//! every event kind (and the helpers for applied and failed tasks), so it runs longer than the
//! other files of the story; its tests are in `narrate/tests.rs`.

use crate::engine::definition::{Operation, ServiceId, StepKind};
use crate::engine::event::{
    AttentionReason, ClearReason, CompensationReason, Event, EventKind, FailReason, Outcome,
};
use crate::engine::message::{Body, Node, SagaId, Task, TaskResult};
use crate::engine::scenario::Storage;
use crate::engine::shared::Record;
use crate::view::format::{duration, list, saga_letter};
use crate::view::layout::NodeKey;

use super::*;

/// The story of one event ([`tell`] then marks what only follows a saga's end as minor).
pub(super) fn tell_event(event: &Event, ctx: &StoryContext<'_>) -> Story {
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
            let text = format!("{what} is lost: {}", reason.label());
            let why = reason.cause();
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
                .why("Replies are matched to the attempt they answer (its task token), and this attempt's answer was already heard: the copy decides nothing.")
                .idea(Idea::TaskToken)
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
        EventKind::TaskApplied { task, service, result, changed } => applied(ctx, event, *task, *service, *result, *changed),
        EventKind::RecordRead { task, service, record, value, pending } => {
            record_read(ctx, saga, *task, *service, record, *value, *pending)
        }
        EventKind::RecordWritten { task, service, record, based_on, before, after } => {
            record_written(ctx, *task, *service, record, (*based_on, *before, *after))
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
        EventKind::LateActionRefused { task, service } => story("⊘", format!("{} refuses {}: its compensation came first", service.label(), ctx.task(*task)), Tone::Muted, vec![NodeKey::Service(*service)])
            .why("The version file records the undo that arrived before this request. Doing the action now would leave it in place with nothing left to undo it, so the service refuses it.")
            .idea(Idea::VersionFile),
        EventKind::TaskFailed { task, service, reason } => failed(ctx, event, *task, *service, *reason),
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
        .why(if ctx.retry_policy(*task).jitter {
            "The retry policy waits before each new attempt, longer each time up to its cap; with jitter each wait is drawn at random below that."
        } else {
            "The retry policy waits before each new attempt, longer each time until the waits reach its cap."
        })
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
                        Some(StepKind::Retriable) if ctx.retried_after_pivot(event) => s.why("The last step after the pivot is done: it was retried until it worked (forward recovery).").idea(Idea::ForwardRecovery),
                        Some(StepKind::Retriable) => s.why("The last step after the pivot is done, at its first try.").idea(Idea::Pivot),
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
                CompensationReason::BusinessFailure | CompensationReason::RetriesExhausted => {
                    (format!("Compensation begins: {}", reason.label()), Idea::Compensation)
                }
                CompensationReason::CancelledBeforePivot => (format!("Compensation begins: {}", reason.label()), Idea::Cancellation),
                CompensationReason::CancelledAfterCompletion => {
                    (format!("A cancellation saga begins: {}", reason.label()), Idea::Cancellation)
                }
            };
            let nodes = if ctx.orchestrated() { vec![NodeKey::Orchestrator] } else { Vec::new() };
            story("↶", format!("Saga {letter}: {text}"), Tone::Undo, nodes)
                .why("The completed compensatable steps are undone one by one, newest first; then both parties are told.")
                .idea(idea)
        }
        EventKind::SagaEnded { outcome } => {
            let (icon, tone, text, why, idea) = match outcome {
                Outcome::Completed if ctx.retried_after_pivot(event) => ("✓", Tone::Ok, "completed", "Every step took effect; a step after the pivot was retried until it did (forward recovery).", Idea::ForwardRecovery),
                Outcome::Completed => ("✓", Tone::Ok, "completed", "Every step took effect: past the pivot the saga could only go forward, and nothing had to be retried.", Idea::Pivot),
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
            .why("Until the pivot is sent the saga aborts and compensates. Once the pivot is sent it may already have taken effect, so the saga goes on to its end, and a cancellation saga then undoes a completed reservation; after completion that happens at once.")
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
            .why("In this model a reply that arrives while it is down is lost (a broker would keep it queued); nothing it decided is lost, because it wrote it down first.")
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
                    "{} failed it {} times: the queue moves it aside instead of handing it out again. The saga waits until a person redrives it.",
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
    event: &Event,
    task: Task,
    service: ServiceId,
    result: TaskResult,
    changed: bool,
) -> Story {
    let (saga, at_ms) = (event.saga, event.at_ms);
    let nodes = vec![NodeKey::Service(service)];
    let def = &ctx.scenario.definition;
    let who = ctx.customer(saga);
    if result == TaskResult::BusinessFailure {
        let step = task.step().unwrap_or(0);
        let what = def
            .steps
            .get(step)
            .and_then(|s| s.business_failure.clone())
            .or_else(|| {
                // Reservation looked at the slot's tables left and saw none.
                let op = task.operation(def)?;
                let spec = &saga.and_then(|s| ctx.sagas.get(s))?.spec;
                ctx.scenario
                    .shared
                    .access(op, spec)
                    .map(|(record, _)| format!("no table left ({})", record.label()))
            })
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
            let (why, idea) = slot_refusal(ctx, event, step);
            s.why(why).idea(idea)
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
            .why("The booking commits in Calendar's database at once, visible to everyone; if this saga fails later, its compensation releases the slot.")
            .idea(Idea::Compensation),
        Operation::ConfirmReservation => story("✓", "Reservation confirmed: PENDING → CONFIRMED".to_string(), Tone::Ok, nodes)
            .why("This is the pivot. From now on the saga must complete: the next step is retried until it works.")
            .idea(Idea::Pivot),
        Operation::NotifyConfirmed if ctx.retried_after_pivot(event) => story("✓", format!("{who} and the restaurant are told: confirmed"), Tone::Ok, nodes)
            .why("A retriable step after the pivot: it failed and was retried until it worked, never undone (forward recovery).")
            .idea(Idea::ForwardRecovery),
        Operation::NotifyConfirmed => story("✓", format!("{who} and the restaurant are told: confirmed"), Tone::Ok, nodes)
            .why("A retriable step after the pivot: had it failed, it would have been retried, never undone.")
            .idea(Idea::Pivot),
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

/// Why Calendar refused a booking: a business failure struck, no table was left, or another
/// saga has the slot. Another saga is named only when one booked the slot before this moment, and
/// the semantic lock only when that saga had not finished (its booking marks the slot taken while
/// it may still be undone).
fn slot_refusal(ctx: &StoryContext<'_>, event: &Event, step: usize) -> (String, Idea) {
    let undo = "This saga must undo its earlier steps.";
    let saga = event.saga;
    let struck = ctx.faults.iter().any(|f| {
        f.spec.kind() == FaultKind::BusinessFailure
            && f.spec.step_index() == Some(step)
            && f.spec.saga_filter().is_none_or(|s| Some(s) == saga)
            && f.injected_ms <= event.at_ms
    });
    let Some(mine) = saga.and_then(|s| ctx.sagas.get(s)) else {
        return (
            format!("A business rule said no. {undo}"),
            Idea::Compensation,
        );
    };
    let before = ctx.before(event);
    // The other sagas of this slot whose booking took effect before now and still stands, and
    // whether each had ended by then.
    let mut holders: Vec<(SagaId, bool)> = Vec::new();
    for e in before {
        let Some(other) = e.saga.filter(|o| *o != mine.id) else {
            continue;
        };
        let same_slot = ctx
            .sagas
            .get(other)
            .is_some_and(|r| r.spec.slot == mine.spec.slot);
        match e.kind {
            EventKind::TaskApplied {
                task: Task::Action(s),
                changed: true,
                ..
            } if s == step && same_slot && !holders.iter().any(|(h, _)| *h == other) => {
                holders.push((other, false));
            }
            // A booking released since no longer holds the slot.
            EventKind::TaskApplied {
                task: Task::Compensate(s),
                changed: true,
                ..
            } if s == step => {
                holders.retain(|(h, _)| *h != other);
            }
            EventKind::SagaEnded { outcome } if outcome.is_final() => {
                if let Some(h) = holders.iter_mut().find(|(h, _)| *h == other) {
                    h.1 = true;
                }
            }
            _ => {}
        }
    }
    let letters: Vec<String> = holders
        .iter()
        .map(|(h, _)| format!("saga {}", saga_letter(*h)))
        .collect();
    let counted = ctx.scenario.shared.tables.contains_key(&mine.spec.slot);
    if struck || (holders.is_empty() && !counted) {
        return (
            format!("A business rule said no (the slot is not available); retrying will not help. {undo}"),
            Idea::Compensation,
        );
    }
    if counted {
        return if holders.is_empty() {
            (
                format!("Calendar has no table left at {}. {undo}", mine.spec.slot),
                Idea::Compensation,
            )
        } else {
            (
                format!(
                    "Calendar has no table left at {}: {} booked before this saga. A business refusal, not a fault: retrying will not help. {undo}",
                    mine.spec.slot,
                    list(&letters)
                ),
                Idea::Compensation,
            )
        };
    }
    if holders.iter().any(|(_, ended)| !ended) {
        (
            format!(
                "{} booked this slot and has not finished: Calendar treats a slot booked by an unfinished saga as taken (the semantic lock), so this saga is turned away rather than share it. {undo}",
                capitalise(&list(&letters))
            ),
            Idea::SemanticLock,
        )
    } else {
        (
            format!(
                "{} booked this slot: one booking per slot is a business rule. {undo}",
                capitalise(&list(&letters))
            ),
            Idea::Compensation,
        )
    }
}

fn failed(
    ctx: &StoryContext<'_>,
    event: &Event,
    task: Task,
    service: ServiceId,
    reason: FailReason,
) -> Story {
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
        FailReason::RecordLocked if !ctx.stopped_by_other_saga(event, task) => story("⏸", format!("{name}: {what} waits: another handling for this saga was under way"), Tone::Warn, nodes)
            .why(format!("When it read the record, another request of the same saga (a repeat, or another of its steps) was still being handled and held its PENDING flag; it writes nothing until that one is done. {retry_why}"))
            .idea(Idea::SemanticLock),
        FailReason::RecordLocked => story("⏸", format!("{name}: {what} waits: another saga's update was PENDING when it read"), Tone::Warn, nodes)
            .why(format!("When it read the record another saga's update of it was under way, marked PENDING; it writes nothing on a value that may change. {retry_why}"))
            .idea(Idea::SemanticLock),
        FailReason::RecordChanged if !ctx.changed_by_other_saga(event, task) => story("↺", format!("{name}: {what} writes nothing: the record changed since it was read"), Tone::Warn, nodes)
            .why(format!("Before writing it read the record again and found another value: a request of this same saga, late or repeated, wrote in between. Writing now would overwrite that update. {retry_why}"))
            .idea(Idea::RereadValue),
        FailReason::RecordChanged => story("↺", format!("{name}: {what} writes nothing: the record changed since it was read"), Tone::Warn, nodes)
            .why(format!("Before writing it read the record again and found another value: another saga wrote in between. Writing now would overwrite that update. {retry_why}"))
            .idea(Idea::RereadValue),
    }
}

/// A service reads a shared record as it begins a task.
fn record_read(
    ctx: &StoryContext<'_>,
    saga: Option<SagaId>,
    task: Task,
    service: ServiceId,
    record: &Record,
    value: u64,
    pending: Option<SagaId>,
) -> Story {
    let nodes = vec![NodeKey::Service(service)];
    let read = format!(
        "{}: {} reads {}: {}",
        service.label(),
        ctx.task(task),
        record.label(),
        record.value_text(value)
    );
    match pending {
        Some(own) if Some(own) == saga => story("⏸", format!("{read}, PENDING for another handling for this saga"), Tone::Warn, nodes)
            .why("Another request of the same saga (a repeat, or another of its steps) is still being handled and holds the record's PENDING flag: this handling waits until that one is done.")
            .idea(Idea::SemanticLock),
        Some(other) => story("⏸", format!("{read}, PENDING for saga {}", saga_letter(other)), Tone::Warn, nodes)
            .why("Another saga is updating this record, or has updated it and may still undo it: the semantic lock says the value may still change.")
            .idea(Idea::SemanticLock),
        None if task.operation(&ctx.scenario.definition) == Some(Operation::CreateReservation) => story("⌕", read, Tone::Info, nodes)
            .why("Reservation accepts the booking only if a table is left. It writes nothing: Calendar takes the table later, when it books, and reads the record again then. If the table is taken in between, the two reads disagree: a fuzzy read.")
            .idea(Idea::FuzzyRead)
            .minor(),
        None => story("⌕", read, Tone::Info, nodes)
            .why("It will decide on this value and write the record when its work is done; meanwhile the record stays readable to everyone.")
            .minor(),
    }
}

/// A service writes a shared record as it finishes a task.
fn record_written(
    ctx: &StoryContext<'_>,
    task: Task,
    service: ServiceId,
    record: &Record,
    (based_on, before, after): (u64, u64, u64),
) -> Story {
    let nodes = vec![NodeKey::Service(service)];
    let (was, now) = (record.value_text(before), record.value_text(after));
    if based_on != before {
        story(
            "✗",
            format!(
                "{}: {} writes {} = {now}, worked out from the {} it read; the record said {was} by then",
                service.label(),
                ctx.task(task),
                record.label(),
                record.value_text(based_on),
            ),
            Tone::Fail,
            nodes,
        )
        .why("Another saga wrote the record after this one read it. Writing back a value computed from the old read overwrites that update: it is lost.")
        .idea(Idea::LostUpdate)
    } else {
        let line = format!(
            "{}: {} writes {}: {was} → {now}",
            service.label(),
            ctx.task(task),
            record.label()
        );
        if matches!(task, Task::Compensate(_)) {
            return story("↩", line, Tone::Info, nodes)
                .why("The saga undoes its update. Any saga that read the record while the update stood acted on data that never stood: a dirty read.")
                .idea(Idea::DirtyRead);
        }
        let idea = if ctx.scenario.safeguards.commutative_updates {
            Idea::CommutativeUpdates
        } else {
            Idea::LostUpdate
        };
        story("✎", line, Tone::Info, nodes)
            .why("Nobody wrote the record since it was read, so no update is lost.")
            .idea(idea)
            .minor()
    }
}

#[cfg(test)]
mod tests;
