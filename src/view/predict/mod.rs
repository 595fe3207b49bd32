//! Predict mode: before a key event the run pauses and asks what happens next, then shows and
//! explains the answer; a score runs along.
//!
//! [`question`] is stateless: it decides from the trace so far whether the next event deserves a
//! question. It asks at most one question per topic per saga (the first time the topic comes up)
//! and none for bookkeeping events. One step of the engine can produce two key events (a refusal
//! and the first compensation, in orchestration): ask about each event of the step in turn, each
//! with the trace before it. The panel's buttons follow the `data-action` convention of
//! [`super::html`]:
//!
//! | `data-action` | arguments | does |
//! |---|---|---|
//! | `predict-answer` | `data-choice` (index in [`Question::choices`]) | pick an answer |
//! | `predict-continue` | | close the question and let the run go on |

use std::fmt::Write;

use crate::engine::definition::{SagaDefinition, ServiceId, StepKind};
use crate::engine::event::{CompensationReason, Event, EventKind, Outcome};
use crate::engine::message::{Message, MessageId, SagaId, Task};
use crate::engine::scenario::{Coordination, Scenario};

use super::format::{duration, escape, saga_letter, seconds};
use super::story::Idea;

/// A question asked before a key event.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The key event's sequence number.
    pub seq: u64,
    /// A short stable id of what is asked ("compensation-order").
    pub topic: &'static str,
    /// The situation and the question.
    pub prompt: String,
    /// The answers to pick from, in the order shown.
    pub choices: Vec<String>,
    /// Index of the right answer in `choices`.
    pub answer: usize,
    /// Why the answer is right, in a sentence or three.
    pub explanation: String,
    /// The idea of the saga pattern the question is about.
    pub idea: Option<Idea>,
}

/// How many predictions were right so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    /// Right answers.
    pub right: u32,
    /// Questions answered.
    pub asked: u32,
}

/// Topic: what a saga does when a step fails for good or the customer cancels.
pub const TOPIC_COMPENSATE: &str = "compensate";
/// Topic: which completed step is undone first.
pub const TOPIC_COMPENSATION_ORDER: &str = "compensation-order";
/// Topic: what happens after a failure a retry may fix (before the pivot, or a compensation).
pub const TOPIC_RETRY: &str = "retry";
/// Topic: a failure after the pivot (or of the failure notice): retried until done.
pub const TOPIC_FORWARD_RECOVERY: &str = "forward-recovery";
/// Topic: a message that keeps failing (choreography).
pub const TOPIC_DEAD_LETTER: &str = "dead-letter";
/// Topic: a repeat reaches a service that already did the task.
pub const TOPIC_DUPLICATE: &str = "duplicate";
/// Topic: how the saga ends.
pub const TOPIC_OUTCOME: &str = "outcome";
/// Topic: how the orchestrator finds its place after a crash.
pub const TOPIC_RECOVERY: &str = "recovery";

/// The question to ask before `next` happens, given everything that happened before it
/// (`before`: the trace so far, every event with a smaller `seq`), or `None` when `next` is not a
/// key event or a question on the same topic for the same saga came up earlier in `before`.
/// `messages` are the run's messages (looked up by id, to name what a queue holds).
pub fn question(
    before: &[Event],
    next: &Event,
    scenario: &Scenario,
    messages: &[Message],
) -> Option<Question> {
    let topic = topic_of(before, next, scenario)?;
    // The first event of a topic for a saga got the question; later ones do not.
    let asked = before.iter().enumerate().any(|(i, e)| {
        e.saga == next.saga
            && topic_of(before.get(..i).unwrap_or_default(), e, scenario) == Some(topic)
    });
    if asked {
        return None;
    }
    let ctx = Ctx {
        before,
        next,
        scenario,
        messages,
    };
    let draft = match &next.kind {
        EventKind::CompensationBegun { reason } => compensate(&ctx, *reason),
        EventKind::TaskStarted { task, .. } => compensation_order(&ctx, *task),
        EventKind::RetryScheduled {
            task,
            attempt,
            delay_ms,
        } => retry(&ctx, *task, *attempt, *delay_ms, topic),
        EventKind::Received { queue, message, .. } => redelivery(&ctx, *queue, *message, topic),
        EventKind::DeadLettered { queue, message } => dead_letter(&ctx, *queue, *message),
        EventKind::DuplicateIgnored { task, service } => duplicate(&ctx, *task, *service),
        EventKind::SagaEnded { outcome } => ending(&ctx, *outcome),
        EventKind::OrchestratorRecovered { resumed, replayed } => recovery(*resumed, *replayed),
        _ => None,
    }?;
    Some(draft.finish(next.seq, topic))
}

/// Which topic `event` would ask about, given the trace before it; `None` for events that
/// never get a question.
fn topic_of(before: &[Event], event: &Event, scenario: &Scenario) -> Option<&'static str> {
    let def = &scenario.definition;
    match &event.kind {
        EventKind::CompensationBegun { .. } => Some(TOPIC_COMPENSATE),
        EventKind::TaskStarted {
            task: Task::Compensate(_),
            ..
        } => Some(TOPIC_COMPENSATION_ORDER),
        EventKind::RetryScheduled { task, .. } => Some(retry_topic(*task, def)),
        EventKind::Received {
            queue,
            receive_count,
            ..
        } if *receive_count > 1 && *receive_count <= scenario.queues.max_receive_count => {
            let saga = event.saga?;
            let task = last_task_on(before, saga, *queue, def)?;
            Some(retry_topic(task, def))
        }
        EventKind::DeadLettered { .. } => Some(TOPIC_DEAD_LETTER),
        EventKind::DuplicateIgnored { .. } => Some(TOPIC_DUPLICATE),
        EventKind::SagaEnded { outcome } if outcome.is_final() => Some(TOPIC_OUTCOME),
        EventKind::OrchestratorRecovered { .. } => Some(TOPIC_RECOVERY),
        _ => None,
    }
}

/// Retrying a step after the pivot (or the failure notice) is forward recovery; anything else
/// is an ordinary retry.
fn retry_topic(task: Task, def: &SagaDefinition) -> &'static str {
    let after_pivot = match task {
        Task::Action(step) => def
            .steps
            .get(step)
            .is_some_and(|s| s.kind == StepKind::Retriable),
        Task::FailureNotice => true,
        Task::Compensate(_) => false,
    };
    if after_pivot {
        TOPIC_FORWARD_RECOVERY
    } else {
        TOPIC_RETRY
    }
}

/// The task a service last started for a saga.
fn last_task_on(
    before: &[Event],
    saga: SagaId,
    service: ServiceId,
    def: &SagaDefinition,
) -> Option<Task> {
    before.iter().rev().find_map(|e| match e.kind {
        EventKind::TaskStarted { task, .. }
            if e.saga == Some(saga) && task.service(def) == Some(service) =>
        {
            Some(task)
        }
        _ => None,
    })
}

/// What building a question needs.
struct Ctx<'a> {
    before: &'a [Event],
    next: &'a Event,
    scenario: &'a Scenario,
    messages: &'a [Message],
}

impl Ctx<'_> {
    fn def(&self) -> &SagaDefinition {
        &self.scenario.definition
    }

    fn saga(&self) -> Option<SagaId> {
        self.next.saga
    }

    fn letter(&self) -> char {
        self.saga().map(saga_letter).unwrap_or('?')
    }

    fn customer(&self) -> String {
        self.saga()
            .and_then(|s| self.scenario.sagas.get(s))
            .map(|s| s.customer.clone())
            .unwrap_or_else(|| "The customer".to_string())
    }

    fn orchestrated(&self) -> bool {
        self.scenario.coordination == Coordination::Orchestration
    }

    fn task(&self, task: Task) -> String {
        task.label(self.def())
    }

    fn service(&self, task: Task) -> &'static str {
        task.service(self.def())
            .map(ServiceId::label)
            .unwrap_or("A service")
    }

    /// This saga's earlier events, newest first.
    fn history(&self) -> impl Iterator<Item = &Event> {
        let saga = self.saga();
        self.before.iter().rev().filter(move |e| e.saga == saga)
    }

    /// The steps this saga completed, in order (each once).
    fn completed(&self) -> Vec<usize> {
        let saga = self.saga();
        let mut done: Vec<usize> = Vec::new();
        for e in self.before.iter().filter(|e| e.saga == saga) {
            if let EventKind::StepSucceeded {
                task: Task::Action(step),
            } = e.kind
            {
                if !done.contains(&step) {
                    done.push(step);
                }
            }
        }
        done
    }

    fn step_names(&self, steps: &[usize]) -> String {
        let names: Vec<String> = steps.iter().map(|&s| self.task(Task::Action(s))).collect();
        list(&names)
    }

    fn message(&self, id: MessageId) -> Option<&Message> {
        self.messages.iter().find(|m| m.id == id)
    }
}

/// Names joined as people write them: "a, b and c".
fn list(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A question before its choices are shuffled.
struct Draft {
    prompt: String,
    right: String,
    wrong: Vec<String>,
    explanation: String,
    idea: Idea,
}

/// Wrong answers used when a saga's definition offers too few specific ones.
const FALLBACK: [&str; 3] = [
    "Nothing: the saga just stops where it is",
    "Start the whole saga again from the first step",
    "Ask the customer what to do",
];

impl Draft {
    /// Distinct choices (at least three), rotated by `seq` so the answer moves around.
    fn finish(self, seq: u64, topic: &'static str) -> Question {
        let mut choices = vec![self.right];
        for c in self
            .wrong
            .into_iter()
            .chain(FALLBACK.iter().map(|s| s.to_string()))
        {
            if choices.len() >= 4 || (choices.len() >= 3 && FALLBACK.contains(&c.as_str())) {
                break;
            }
            if !c.is_empty() && !choices.contains(&c) {
                choices.push(c);
            }
        }
        let n = choices.len().max(1);
        let turn = usize::try_from(seq % n as u64).unwrap_or(0);
        choices.rotate_left(turn);
        Question {
            seq,
            topic,
            prompt: self.prompt,
            answer: (n - turn) % n,
            choices,
            explanation: self.explanation,
            idea: Some(self.idea),
        }
    }
}

fn compensate(ctx: &Ctx<'_>, reason: CompensationReason) -> Option<Draft> {
    let def = ctx.def();
    let letter = ctx.letter();
    let done = ctx.completed();
    let done_text = format!("Steps already done: {}.", ctx.step_names(&done));
    let undo = "Undo the completed steps, newest first (compensate)".to_string();
    let hold = "Stop there and leave the completed steps as they are".to_string();
    match reason {
        CompensationReason::BusinessFailure => {
            let step = ctx.history().find_map(|e| match e.kind {
                EventKind::StepRefused {
                    task: Task::Action(step),
                } => Some(step),
                _ => None,
            })?;
            let def_step = def.steps.get(step)?;
            let failure = def_step
                .business_failure
                .clone()
                .unwrap_or_else(|| "refused".to_string());
            let pivot = def_step.kind == StepKind::Pivot;
            let next_step = def
                .steps
                .get(step + 1)
                .map(|s| format!("Carry on with {} anyway", s.name))
                .unwrap_or_else(|| "End the saga completed anyway".to_string());
            let pivot_note = if pivot { ", at the pivot" } else { "" };
            Some(Draft {
                prompt: format!(
                    "Saga {letter}: {} refused {} ({failure}){pivot_note}. {done_text} What does the saga do next?",
                    def_step.service().label(),
                    def_step.name,
                ),
                right: undo,
                wrong: vec![
                    format!("Retry {} after a wait", def_step.name),
                    next_step,
                    hold,
                ],
                explanation: format!(
                    "A business refusal will not change on a retry, and a saga cannot roll back other services' databases. It runs a compensating action for each completed step, newest first, then tells both parties.{}",
                    if pivot { " The pivot said no-go, so nothing after it happens." } else { "" }
                ),
                idea: if pivot { Idea::Pivot } else { Idea::Compensation },
            })
        }
        CompensationReason::RetriesExhausted => {
            let (task, timed_out) = ctx.history().find_map(|e| match e.kind {
                EventKind::TaskFailed { task, .. } => Some((task, false)),
                EventKind::TimedOut { task, .. } => Some((task, true)),
                _ => None,
            })?;
            let unknown = if timed_out {
                " Its last attempt got no reply, so nobody knows whether it took effect."
            } else {
                ""
            };
            let tries = ctx
                .scenario
                .retry
                .step
                .max_attempts
                .map(|n| format!("{n} attempts"))
                .unwrap_or_else(|| "every attempt".to_string());
            Some(Draft {
                prompt: format!(
                    "Saga {letter}: {} kept failing on {} and has used up its {tries}.{unknown} {done_text} What does the saga do now?",
                    ctx.service(task),
                    ctx.task(task),
                ),
                right: undo,
                wrong: vec![
                    format!("Keep retrying {} for ever", ctx.task(task)),
                    format!("Skip {} and carry on", ctx.task(task)),
                    hold,
                ],
                explanation: format!(
                    "A step before the pivot that cannot be done is treated like a refusal: the saga gives up on going forward and compensates the completed steps, newest first.{}",
                    if timed_out { " A step whose outcome is unknown is compensated too; its compensation changes nothing if it never happened." } else { "" }
                ),
                idea: Idea::Compensation,
            })
        }
        CompensationReason::CancelledBeforePivot => {
            let pivot = def
                .pivot()
                .and_then(|p| def.steps.get(p))
                .map(|s| format!(" before the pivot ({})", s.name))
                .unwrap_or_default();
            Some(Draft {
                prompt: format!(
                    "{} asks to cancel saga {letter}{pivot}. {done_text} What does the saga do?",
                    ctx.customer()
                ),
                right: undo,
                wrong: vec![
                    "Ignore the cancellation and finish the reservation".to_string(),
                    "Finish first, then start a separate cancellation".to_string(),
                    hold,
                ],
                explanation: "Before the pivot nothing is final: the saga aborts and compensates each completed step, newest first, then tells both parties.".to_string(),
                idea: Idea::Cancellation,
            })
        }
        CompensationReason::CancelledAfterCompletion => Some(Draft {
            prompt: format!(
                "{} cancels saga {letter}, a reservation that is already confirmed. {done_text} What happens?",
                ctx.customer()
            ),
            right: "A cancellation saga undoes the steps, newest first".to_string(),
            wrong: vec![
                "Each database is rolled back to before the saga".to_string(),
                "Nothing: a completed saga can never be undone".to_string(),
                "Only the reservation is cancelled; the payment stays".to_string(),
            ],
            explanation: "The saga itself cannot go back past its pivot, but a new business transaction can: a cancellation saga runs the same compensating actions, newest first.".to_string(),
            idea: Idea::Cancellation,
        }),
    }
}

fn compensation_order(ctx: &Ctx<'_>, task: Task) -> Option<Draft> {
    let Task::Compensate(first) = task else {
        return None;
    };
    let def = ctx.def();
    let letter = ctx.letter();
    let done = ctx.completed();
    let done_undoable: Vec<usize> = done
        .iter()
        .copied()
        .filter(|&s| def.steps.get(s).is_some_and(|d| d.compensation.is_some()))
        .collect();
    // Why the saga is compensating, in words.
    let why = ctx
        .history()
        .find_map(|e| match e.kind {
            EventKind::StepRefused {
                task: Task::Action(step),
            } => def.steps.get(step).map(|s| {
                format!(
                    "{} was refused ({})",
                    s.name,
                    s.business_failure.as_deref().unwrap_or("refused")
                )
            }),
            EventKind::CompensationBegun {
                reason: CompensationReason::CancelledBeforePivot,
            }
            | EventKind::CancelRequested => Some(format!("{} cancelled", ctx.customer())),
            EventKind::CompensationBegun {
                reason: CompensationReason::CancelledAfterCompletion,
            } => Some(format!(
                "{} cancelled the confirmed reservation",
                ctx.customer()
            )),
            EventKind::CompensationBegun {
                reason: CompensationReason::RetriesExhausted,
            } => Some("a step ran out of retries".to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "it is compensating".to_string());
    let refused = ctx.history().find_map(|e| match e.kind {
        EventKind::StepRefused {
            task: Task::Action(step),
        } => Some(step),
        _ => None,
    });
    let comp = |s: usize| ctx.task(Task::Compensate(s));
    let mut wrong = Vec::new();
    // The usual mistakes: undoing in forward order, and undoing the step that never happened.
    if let Some(&oldest) = done_undoable.first() {
        wrong.push(comp(oldest));
    }
    if let Some(r) = refused.filter(|&r| def.steps.get(r).is_some_and(|d| d.compensation.is_some()))
    {
        wrong.push(comp(r));
    }
    wrong.push(format!(
        "{} (tell both parties before undoing anything)",
        ctx.task(Task::FailureNotice)
    ));
    for (i, s) in def.steps.iter().enumerate() {
        if s.compensation.is_some() {
            wrong.push(comp(i));
        }
    }
    wrong.retain(|w| *w != comp(first));
    let order: Vec<String> = done_undoable.iter().rev().map(|&s| comp(s)).collect();
    let newest = done_undoable.last() == Some(&first);
    let mut explanation = if newest {
        format!(
            "Compensations run in exact reverse order, newest first: {}, then {}.",
            list(&order),
            ctx.task(Task::FailureNotice)
        )
    } else {
        format!(
            "Nobody knows whether {} took effect (its reply never came), so the saga undoes it first; its compensation changes nothing if it never happened.",
            ctx.task(Task::Action(first))
        )
    };
    if let Some(r) = refused.filter(|r| !done.contains(r)) {
        let _ = write!(
            explanation,
            " {} never took effect, so there is nothing to undo for it.",
            ctx.task(Task::Action(r))
        );
    }
    Some(Draft {
        prompt: format!(
            "Saga {letter} compensates because {why}. Steps done: {}. Which compensation runs first?",
            ctx.step_names(&done)
        ),
        right: comp(first),
        wrong,
        explanation,
        idea: Idea::Compensation,
    })
}

/// How the last attempt of `task` went wrong, in words.
fn failure_text(ctx: &Ctx<'_>, task: Task) -> Option<(String, bool)> {
    ctx.history().find_map(|e| match e.kind {
        EventKind::TaskFailed {
            task: t, reason, ..
        } if t == task => Some((reason.what_happened().to_string(), false)),
        EventKind::TimedOut { task: t, .. } if t == task => Some((
            format!(
                "gave no reply within {}",
                duration(ctx.scenario.timing.step_timeout_ms)
            ),
            true,
        )),
        _ => None,
    })
}

fn retry(
    ctx: &Ctx<'_>,
    task: Task,
    attempt: u32,
    delay_ms: u64,
    topic: &'static str,
) -> Option<Draft> {
    let letter = ctx.letter();
    let what = ctx.task(task);
    let (failure, timed_out) =
        failure_text(ctx, task).unwrap_or_else(|| ("failed".to_string(), false));
    let prompt = format!(
        "Saga {letter}: {what} (attempt {}) at {} {failure}. What does the orchestrator do now?",
        attempt.saturating_sub(1).max(1),
        ctx.service(task),
    );
    let right = format!(
        "Wait {}, then try {what} again (attempt {attempt})",
        seconds(delay_ms)
    );
    let at_once = format!("Try {what} again at once, without waiting");
    if topic == TOPIC_FORWARD_RECOVERY {
        let pivot = ctx
            .def()
            .pivot()
            .and_then(|p| ctx.def().steps.get(p))
            .map(|s| s.name.clone())
            .unwrap_or_else(|| "The pivot".to_string());
        let (wrong, explanation) = if task == Task::FailureNotice {
            (
                vec![
                    "Leave the parties uninformed and end the saga".to_string(),
                    "Redo the undone steps and complete the reservation".to_string(),
                    at_once,
                ],
                "The failure notice has no compensation and must reach both parties: it is retried, with a growing wait, until it works.".to_string(),
            )
        } else {
            (
                vec![
                    "Compensate: undo the confirmed reservation and the earlier steps".to_string(),
                    format!("Skip {what} and end the saga completed"),
                    at_once,
                ],
                format!(
                    "{pivot} was the pivot: once it succeeded the saga can only go forward. {what} comes after it, so it is retried, with a growing wait, until it succeeds; it is never compensated."
                ),
            )
        };
        return Some(Draft {
            prompt,
            right,
            wrong,
            explanation,
            idea: Idea::ForwardRecovery,
        });
    }
    let policy = if matches!(task, Task::Compensate(_)) {
        &ctx.scenario.retry.compensation
    } else {
        &ctx.scenario.retry.step
    };
    let most = policy
        .max_attempts
        .map(|n| format!("up to {n} attempts"))
        .unwrap_or_else(|| "attempts without limit".to_string());
    let (wrong, mut explanation) = if matches!(task, Task::Compensate(_)) {
        (
            vec![
                format!("Skip {what} and undo the other steps"),
                "End the saga at once: rollback incomplete".to_string(),
                at_once,
            ],
            format!("A compensation must not be given up lightly: the compensation policy allows {most}, each after a longer wait."),
        )
    } else {
        (
            vec![
                "Undo the completed steps at once (compensate)".to_string(),
                "End the saga as failed".to_string(),
                at_once,
            ],
            format!("This is an error, not a business refusal, and it may pass: the orchestrator retries. Its policy allows {most}, each after a longer wait."),
        )
    };
    let idea = if timed_out {
        explanation.push_str(
            " No reply does not mean no effect; the idempotency key makes the repeat harmless.",
        );
        Idea::Timeout
    } else {
        explanation.push_str(" The idempotency key makes a repeat harmless.");
        Idea::Backoff
    };
    Some(Draft {
        prompt,
        right,
        wrong,
        explanation,
        idea,
    })
}

fn redelivery(
    ctx: &Ctx<'_>,
    queue: ServiceId,
    message: MessageId,
    topic: &'static str,
) -> Option<Draft> {
    let saga = ctx.saga()?;
    let letter = ctx.letter();
    let task = last_task_on(ctx.before, saga, queue, ctx.def())?;
    let what = ctx.task(task);
    let service = queue.label();
    let event = ctx
        .message(message)
        .map(|m| m.body.label(ctx.def()))
        .unwrap_or_else(|| "the".to_string());
    let (failure, _) = failure_text(ctx, task)
        .filter(|_| {
            ctx.history()
                .take_while(
                    |e| !matches!(e.kind, EventKind::Received { message: m, .. } if m == message),
                )
                .any(|e| matches!(e.kind, EventKind::TaskFailed { .. }))
        })
        .unwrap_or_else(|| ("did not finish in time".to_string(), false));
    let visibility = duration(ctx.scenario.queues.visibility_timeout_ms);
    let failed_event = match task {
        Task::Action(step) => ctx
            .def()
            .steps
            .get(step)
            .map(|s| s.failed_event.clone())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut wrong = vec![
        "It is lost, and the saga waits for ever".to_string(),
        "It goes straight to the dead-letter queue".to_string(),
    ];
    if !failed_event.is_empty() && topic == TOPIC_RETRY {
        wrong.push(format!(
            "{service} publishes {failed_event} and the saga compensates"
        ));
    } else {
        wrong.push(format!("{service} deletes it and publishes nothing"));
    }
    let mut explanation = format!(
        "Queues deliver at least once: a message not deleted within its visibility timeout comes back, here after {visibility}. After {} receives it would go to the dead-letter queue.",
        ctx.scenario.queues.max_receive_count
    );
    if topic == TOPIC_FORWARD_RECOVERY {
        explanation.push_str(" The saga is past its pivot, so it only goes forward.");
    }
    Some(Draft {
        prompt: format!(
            "Saga {letter}: {service} took the {event} message from its queue, but {what} {failure} and the message was not deleted. What happens to the message?"
        ),
        right: format!("After the visibility timeout ({visibility}) the queue delivers it again"),
        wrong,
        explanation,
        idea: if topic == TOPIC_FORWARD_RECOVERY {
            Idea::ForwardRecovery
        } else {
            Idea::AtLeastOnce
        },
    })
}

fn dead_letter(ctx: &Ctx<'_>, queue: ServiceId, message: MessageId) -> Option<Draft> {
    let saga = ctx.saga()?;
    let letter = ctx.letter();
    let service = queue.label();
    let max = ctx.scenario.queues.max_receive_count;
    let what = last_task_on(ctx.before, saga, queue, ctx.def())
        .map(|t| ctx.task(t))
        .unwrap_or_else(|| "the work".to_string());
    let event = ctx
        .message(message)
        .map(|m| m.body.label(ctx.def()))
        .unwrap_or_else(|| "its".to_string());
    Some(Draft {
        prompt: format!(
            "Saga {letter}: {service}'s queue has delivered the {event} message {max} times (its maximum receive count) and {what} failed every time. It is received once more. What happens to it?"
        ),
        right: "It moves to the dead-letter queue and waits for a person".to_string(),
        wrong: vec![
            "The queue keeps delivering it for ever".to_string(),
            "It is deleted and the saga carries on without it".to_string(),
            format!("{service} publishes a failure and the saga compensates"),
        ],
        explanation: format!(
            "A message that keeps failing is set aside after {max} receives, so it stops blocking the queue; the saga needs manual intervention. Once the cause is fixed it can be redriven."
        ),
        idea: Idea::DeadLetter,
    })
}

fn duplicate(ctx: &Ctx<'_>, task: Task, service: ServiceId) -> Option<Draft> {
    let letter = ctx.letter();
    let what = ctx.task(task);
    let name = service.label();
    let copy = ctx.history().any(|e| {
        matches!(
            e.kind,
            EventKind::MessageSent {
                duplicate: true,
                ..
            }
        )
    });
    let retried = ctx
        .history()
        .any(|e| matches!(e.kind, EventKind::RetryScheduled { task: t, .. } if t == task));
    let source = if copy {
        "a duplicate copy of the message"
    } else if retried {
        "the orchestrator's retry"
    } else if !ctx.orchestrated() {
        "the same event, delivered again,"
    } else {
        "the same request, sent again,"
    };
    let (right, idea, explanation) = if ctx.orchestrated() {
        (
            "It recognises the idempotency key (saga + step) and answers with the remembered result".to_string(),
            Idea::Idempotency,
            format!("{name} stored the result under the idempotency key when it first did {what}, so a retry or a copy takes effect only once."),
        )
    } else {
        (
            "It finds the event id among its processed messages and ignores it".to_string(),
            Idea::IdempotentConsumer,
            format!("{name} recorded the event id in the same transaction as {what}, so a redelivered or copied event is ignored."),
        )
    };
    Some(Draft {
        prompt: format!(
            "Saga {letter}: {source} reaches {name} and asks for {what}, which {name} has already done. What does {name} do?"
        ),
        right,
        wrong: vec![
            format!("It does {what} a second time"),
            "It reports an error, so the saga compensates".to_string(),
            if ctx.orchestrated() {
                "It waits for the orchestrator to confirm the request".to_string()
            } else {
                "It moves the message to the dead-letter queue".to_string()
            },
        ],
        explanation,
        idea,
    })
}

fn ending(ctx: &Ctx<'_>, outcome: Outcome) -> Option<Draft> {
    let letter = ctx.letter();
    let done = ctx.completed();
    let mut facts = vec![format!("Steps done: {}.", ctx.step_names(&done))];
    let undone: Vec<String> = {
        let mut seen: Vec<usize> = Vec::new();
        for e in ctx.before.iter().filter(|e| e.saga == ctx.saga()) {
            if let EventKind::StepSucceeded {
                task: Task::Compensate(s),
            } = e.kind
            {
                if !seen.contains(&s) {
                    seen.push(s);
                }
            }
        }
        seen.into_iter()
            .map(|s| ctx.task(Task::Compensate(s)))
            .collect()
    };
    if !undone.is_empty() {
        facts.push(format!("Undone: {}.", list(&undone)));
    }
    let stuck = ctx.history().find_map(|e| match e.kind {
        EventKind::TaskFailed {
            task: t @ Task::Compensate(_),
            ..
        } => Some(t),
        _ => None,
    });
    if let (Some(t), Outcome::RollbackIncomplete) = (stuck, outcome) {
        facts.push(format!("{} failed again and again.", ctx.task(t)));
    }
    if ctx.history().any(|e| {
        matches!(
            e.kind,
            EventKind::StepSucceeded {
                task: Task::FailureNotice
            }
        )
    }) {
        facts.push("Both parties were told it failed.".to_string());
    }
    let completed = "Completed: every step took effect".to_string();
    let compensated = "Compensated: the completed steps undone, both parties told".to_string();
    let incomplete = "Rollback incomplete: an undo failed, a person must finish it".to_string();
    let half = "Failed: left half done, nobody told".to_string();
    let (right, wrong, explanation, idea) = match outcome {
        Outcome::Completed => (
            completed,
            vec![compensated, incomplete, half],
            "Every step, the pivot included, took effect: the saga ends completed.".to_string(),
            Idea::Pivot,
        ),
        Outcome::Compensated => (
            compensated,
            vec![completed, half, incomplete],
            "Every completed step was undone in reverse order and both parties were told: the saga ends compensated, consistent again without a distributed transaction.".to_string(),
            Idea::Compensation,
        ),
        Outcome::RollbackIncomplete => (
            incomplete,
            vec![compensated, half, completed],
            "A compensation ran out of retries, so the saga cannot finish the rollback itself: it is listed for manual intervention.".to_string(),
            Idea::ManualIntervention,
        ),
        // Waiting for a person is reached by several roads; the question is about the other three.
        Outcome::Running | Outcome::AwaitingPerson => return None,
    };
    Some(Draft {
        prompt: format!(
            "Saga {letter} ({}) has nothing more to do. {} How does it end?",
            ctx.customer(),
            facts.join(" ")
        ),
        right,
        wrong,
        explanation,
        idea,
    })
}

fn recovery(resumed: u32, replayed: u32) -> Option<Draft> {
    let sagas = if resumed == 1 {
        "1 saga".to_string()
    } else {
        format!("{resumed} sagas")
    };
    Some(Draft {
        prompt: format!(
            "The orchestrator crashed with {sagas} in progress and lost everything in memory. It restarts now. How does it know where each saga was?"
        ),
        right: format!("It replays its durable log ({replayed} records) and resumes"),
        wrong: vec![
            "It asks every service what it did".to_string(),
            "It starts every saga again from the first step".to_string(),
            "It compensates every unfinished saga to be safe".to_string(),
        ],
        explanation: "The orchestrator writes each decision to a durable log before acting, so the log survives the crash. A command it may have sent without hearing back is sent again; idempotency makes that safe.".to_string(),
        idea: Idea::DurableLog,
    })
}

/// The question panel: the prompt and numbered choices; once `picked`, each choice marked right
/// or wrong, the verdict and the explanation, and a button to go on. `score` is the running
/// score, shown as it is.
pub fn question_html(q: &Question, picked: Option<usize>, score: Score) -> String {
    let mut out = String::new();
    let verdict = picked.map(|p| if p == q.answer { "right" } else { "wrong" });
    let _ = write!(
        out,
        r#"<section class="predict" data-testid="predict" role="dialog" aria-labelledby="predict-prompt" data-topic="{}" data-seq="{}""#,
        escape(q.topic),
        q.seq
    );
    if let Some(v) = verdict {
        let _ = write!(out, r#" data-verdict="{v}""#);
    }
    out.push('>');
    let _ = write!(
        out,
        r#"<header class="predict__head"><span class="predict__badge">Predict</span><span class="predict__tally">{}</span></header>"#,
        escape(&tally(score))
    );
    let _ = write!(
        out,
        r#"<p class="predict__prompt" id="predict-prompt">{}</p><ol class="predict__choices">"#,
        escape(&q.prompt)
    );
    for (i, choice) in q.choices.iter().enumerate() {
        let mut attrs = String::new();
        let mut mark = String::new();
        if let Some(p) = picked {
            let right = i == q.answer;
            let _ = write!(
                attrs,
                r#" disabled data-mark="{}""#,
                if right { "right" } else { "wrong" }
            );
            if p == i {
                attrs.push_str(r#" data-picked="true""#);
            }
            let text = match (right, p == i) {
                (true, true) => "✓ right: your answer",
                (true, false) => "✓ right",
                (false, true) => "✗ wrong: your answer",
                (false, false) => "✗ wrong",
            };
            let _ = write!(mark, r#" <span class="predict__mark">{text}</span>"#);
        }
        let _ = write!(
            out,
            r#"<li><button type="button" class="predict__choice" data-action="predict-answer" data-choice="{i}" data-testid="predict-choice-{i}" aria-keyshortcuts="{}"{attrs}><span class="predict__num">{}.</span> <span class="predict__text">{}</span>{mark}</button></li>"#,
            i + 1,
            i + 1,
            escape(choice)
        );
    }
    out.push_str("</ol>");
    out.push_str(
        r#"<div class="predict__verdict" data-testid="predict-verdict" aria-live="polite">"#,
    );
    if let Some(p) = picked {
        if p == q.answer {
            out.push_str(r#"<p class="predict__result">✓ Right!</p>"#);
        } else {
            let answer = q.choices.get(q.answer).map(String::as_str).unwrap_or("");
            let _ = write!(
                out,
                r#"<p class="predict__result">✗ Not quite. The answer: {}.</p>"#,
                escape(answer)
            );
        }
        let _ = write!(
            out,
            r#"<p class="predict__explanation">{}</p>"#,
            escape(&q.explanation)
        );
        if let Some(idea) = q.idea {
            let _ = write!(
                out,
                r#"<p class="predict__idea"><strong>{}</strong>: {}</p>"#,
                escape(idea.name()),
                escape(idea.explain())
            );
        }
        out.push_str(r#"<button type="button" class="predict__continue" data-action="predict-continue" data-testid="predict-continue" aria-keyshortcuts="Space">Continue (Space)</button>"#);
    }
    out.push_str("</div></section>");
    out
}

/// "2 of 3 right".
fn tally(score: Score) -> String {
    format!("{} of {} right", score.right, score.asked)
}

/// The score panel; once the run is `finished`, a line that says so.
pub fn score_html(score: Score, finished: bool) -> String {
    let mut out = String::from(
        r#"<div class="predict-score" data-testid="predict-score" aria-live="polite">"#,
    );
    if score.asked == 0 {
        out.push_str(r#"<p class="predict-score__line">No predictions yet.</p>"#);
    } else {
        let _ = write!(
            out,
            r#"<p class="predict-score__line">Your score: {} of {}</p>"#,
            score.right, score.asked
        );
    }
    if finished {
        out.push_str(r#"<p class="predict-score__end">The run has ended.</p>"#);
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;

    const STYLES: [Coordination; 2] = [Coordination::Orchestration, Coordination::Choreography];

    use crate::view::testing::played as run;

    fn run_with(preset: &str, c: Coordination, storage: Storage, seed: u64) -> Simulation {
        let scenario = presets::scenario(preset, c, storage, seed).expect("preset");
        let mut sim = Simulation::new(scenario).expect("valid");
        while sim.step() {}
        sim
    }

    /// Every question the page would ask, walking the trace event by event.
    fn walk(sim: &Simulation) -> Vec<(Event, Question)> {
        let trace = sim.trace();
        (0..trace.len())
            .filter_map(|i| {
                question(&trace[..i], &trace[i], sim.scenario(), sim.messages())
                    .map(|q| (trace[i].clone(), q))
            })
            .collect()
    }

    fn right(q: &Question) -> &str {
        &q.choices[q.answer]
    }

    fn first<'a>(qs: &'a [(Event, Question)], topic: &str) -> Option<&'a (Event, Question)> {
        qs.iter().find(|(_, q)| q.topic == topic)
    }

    #[test]
    fn a_declined_card_asks_what_the_saga_does_and_the_answer_is_compensate() {
        for c in STYLES {
            let sim = run("card-declined", c);
            let qs = walk(&sim);
            let (event, q) = first(&qs, TOPIC_COMPENSATE).expect("a compensate question");
            assert!(matches!(event.kind, EventKind::CompensationBegun { .. }));
            assert!(right(q).contains("compensate"), "{c:?}: {}", right(q));
            assert!(
                q.prompt
                    .contains("Payment refused Charge card (card declined)"),
                "{}",
                q.prompt
            );
            assert!(q.prompt.starts_with("Saga A"), "{}", q.prompt);
            assert_eq!(q.idea, Some(Idea::Compensation));
            assert!(q.choices.iter().any(|c| c.starts_with("Retry Charge card")));
        }
    }

    /// The step the saga should undo first, found from the trace: the newest completed
    /// compensatable step before the first compensation starts.
    fn newest_completed(sim: &Simulation, saga: SagaId) -> usize {
        let def = &sim.scenario().definition;
        let mut newest = None;
        for e in sim.trace().iter().filter(|e| e.saga == Some(saga)) {
            match e.kind {
                EventKind::StepSucceeded {
                    task: Task::Action(s),
                } if def.steps[s].compensation.is_some() => newest = Some(s),
                EventKind::TaskStarted {
                    task: Task::Compensate(_),
                    ..
                } => break,
                _ => {}
            }
        }
        newest.expect("a completed step")
    }

    #[test]
    fn the_compensation_order_answer_is_the_newest_completed_step() {
        for preset in [
            "card-declined",
            "slot-taken",
            "restaurant-rejects",
            "compensation-fails",
        ] {
            for c in STYLES {
                let sim = run(preset, c);
                let qs = walk(&sim);
                let (event, q) = first(&qs, TOPIC_COMPENSATION_ORDER).expect("an order question");
                let saga = event.saga.expect("saga");
                let newest = newest_completed(&sim, saga);
                let expected = Task::Compensate(newest).label(&sim.scenario().definition);
                assert_eq!(right(q), expected, "{preset} {c:?}");
                // The forward-order mistake is offered, and the text says why.
                assert!(q.explanation.contains("reverse order"), "{}", q.explanation);
                assert!(q.choices.len() >= 3);
            }
        }
        // Restaurant rejects: three steps done, the newest is the booking.
        let sim = run("restaurant-rejects", Coordination::Orchestration);
        let qs = walk(&sim);
        let (_, q) = first(&qs, TOPIC_COMPENSATION_ORDER).expect("order");
        assert_eq!(right(q), "Release slot");
        assert!(q.choices.iter().any(|c| c == "Cancel reservation"));
        assert!(q
            .explanation
            .contains("Release slot, Refund payment and Cancel reservation"));
    }

    #[test]
    fn a_declined_card_has_nothing_to_refund() {
        let sim = run("card-declined", Coordination::Orchestration);
        let qs = walk(&sim);
        let (_, q) = first(&qs, TOPIC_COMPENSATION_ORDER).expect("order");
        assert_eq!(right(q), "Cancel reservation");
        assert!(q.choices.iter().any(|c| c == "Refund payment"));
        assert!(
            q.explanation.contains("Charge card never took effect"),
            "{}",
            q.explanation
        );
    }

    #[test]
    fn transient_payment_errors_ask_about_the_retry() {
        let sim = run("transient-payment", Coordination::Orchestration);
        let qs = walk(&sim);
        let (event, q) = first(&qs, TOPIC_RETRY).expect("a retry question");
        let EventKind::RetryScheduled { delay_ms, .. } = event.kind else {
            panic!("asked before {event:?}");
        };
        assert!(right(q).contains(&seconds(delay_ms)), "{}", right(q));
        assert!(right(q).contains("attempt 2"));
        assert!(
            q.prompt
                .contains("Charge card (attempt 1) at Payment failed with a transient error"),
            "{}",
            q.prompt
        );
        assert_eq!(q.idea, Some(Idea::Backoff));
        // Asked once, although the payment fails twice.
        assert_eq!(qs.iter().filter(|(_, q)| q.topic == TOPIC_RETRY).count(), 1);

        let sim = run("transient-payment", Coordination::Choreography);
        let qs = walk(&sim);
        let (event, q) = first(&qs, TOPIC_RETRY).expect("a redelivery question");
        assert!(matches!(
            event.kind,
            EventKind::Received {
                receive_count: 2,
                ..
            }
        ));
        assert!(right(q).contains("delivers it again"));
        assert!(
            q.prompt.contains("PaymentCharged") || q.prompt.contains("ReservationCreated"),
            "{}",
            q.prompt
        );
        assert_eq!(q.idea, Some(Idea::AtLeastOnce));
    }

    #[test]
    fn a_timeout_after_the_pivot_is_forward_recovery() {
        let sim = run("notifier-down", Coordination::Orchestration);
        let qs = walk(&sim);
        let (_, q) = first(&qs, TOPIC_FORWARD_RECOVERY).expect("forward recovery");
        assert!(q.prompt.contains("no reply within 2 s"), "{}", q.prompt);
        assert!(q.choices.iter().any(|c| c.starts_with("Compensate")));
        assert!(q.explanation.contains("Confirm reservation was the pivot"));
        assert_eq!(q.idea, Some(Idea::ForwardRecovery));
        assert!(first(&qs, TOPIC_RETRY).is_none());
    }

    #[test]
    fn a_poison_message_asks_about_dead_lettering() {
        let sim = run("poison-redrive", Coordination::Choreography);
        let qs = walk(&sim);
        let (event, q) = first(&qs, TOPIC_DEAD_LETTER).expect("dead-letter question");
        assert!(matches!(event.kind, EventKind::DeadLettered { .. }));
        assert!(right(q).contains("dead-letter queue"));
        assert!(q.prompt.contains("Payment's queue"), "{}", q.prompt);
        assert!(q
            .prompt
            .contains(&sim.scenario().queues.max_receive_count.to_string()));
        assert_eq!(q.idea, Some(Idea::DeadLetter));
    }

    #[test]
    fn a_repeat_is_recognised() {
        for (c, key) in [
            (Coordination::Orchestration, "idempotency key"),
            (Coordination::Choreography, "processed messages"),
        ] {
            let sim = run("duplicate-event", c);
            let qs = walk(&sim);
            let (_, q) = first(&qs, TOPIC_DUPLICATE).expect("duplicate question");
            assert!(right(q).contains(key), "{c:?}: {}", right(q));
            assert!(q
                .choices
                .iter()
                .any(|c| c == "It does Charge card a second time"));
        }
    }

    #[test]
    fn the_outcome_is_asked_with_the_real_answer() {
        for (preset, outcome) in [
            ("happy-path", "Completed"),
            ("card-declined", "Compensated"),
            ("compensation-fails", "Rollback incomplete"),
        ] {
            for c in STYLES {
                let sim = run(preset, c);
                let qs = walk(&sim);
                let (event, q) = first(&qs, TOPIC_OUTCOME).expect("outcome question");
                assert!(matches!(event.kind, EventKind::SagaEnded { .. }));
                assert!(
                    right(q).starts_with(outcome),
                    "{preset} {c:?}: {}",
                    right(q)
                );
            }
        }
        let sim = run("happy-path", Coordination::Orchestration);
        let qs = walk(&sim);
        // Nothing goes wrong: the only question is how it ends.
        assert_eq!(qs.len(), 1, "{qs:?}");
        assert!(
            qs[0].1.prompt.contains("Notify confirmed") || qs[0].1.prompt.contains("Steps done")
        );
    }

    #[test]
    fn a_crashed_orchestrator_asks_about_its_log() {
        let sim = run("orchestrator-crash", Coordination::Orchestration);
        let qs = walk(&sim);
        let (event, q) = first(&qs, TOPIC_RECOVERY).expect("recovery question");
        let EventKind::OrchestratorRecovered { replayed, .. } = event.kind else {
            panic!("asked before {event:?}");
        };
        assert!(right(q).contains(&format!("({replayed} records)")));
        assert_eq!(q.idea, Some(Idea::DurableLog));
    }

    #[test]
    fn every_preset_asks_few_distinct_well_formed_questions() {
        let mut unknown_checked = 0;
        for preset in presets::PRESETS {
            for c in STYLES {
                if !preset.runs_in(c) {
                    continue;
                }
                for (storage, seed) in [
                    (Storage::PerService, 1),
                    (Storage::PerService, 7),
                    (Storage::Shared, 3),
                ] {
                    let sim = run_with(preset.id, c, storage, seed);
                    let run = format!("{} {c:?} {storage:?} seed {seed}", preset.id);
                    unknown_checked += check_run(&sim, &run);
                }
            }
        }
        assert!(unknown_checked > 0, "no run gave up on a step");
    }

    /// Checks every question of a run; returns how many gave up on a step after its retries.
    fn check_run(sim: &Simulation, run: &str) -> usize {
        let trace = sim.trace();
        let qs = walk(sim);
        let mut seen: Vec<(Option<SagaId>, &str)> = Vec::new();
        let mut gave_up = 0;
        for (event, q) in &qs {
            let key = (event.saga, q.topic);
            assert!(!seen.contains(&key), "{run}: {key:?} asked twice");
            seen.push(key);
            assert_eq!(q.seq, event.seq);
            assert!(q.answer < q.choices.len());
            assert!(q.choices.len() >= 3, "{run}: {q:?}");
            for (i, a) in q.choices.iter().enumerate() {
                assert!(!a.is_empty());
                assert!(q.choices[..i].iter().all(|b| b != a), "{run}: {q:?}");
            }
            assert!(q.prompt.ends_with('?'), "{run}: {}", q.prompt);
            assert!(q.explanation.ends_with('.'), "{run}: {}", q.explanation);
            assert!(q.idea.is_some());
            // A saga that gives up on a step whose last attempt got no reply says so.
            if let EventKind::CompensationBegun {
                reason: CompensationReason::RetriesExhausted,
            } = event.kind
            {
                let at = trace
                    .iter()
                    .position(|e| e.seq == event.seq)
                    .expect("in trace");
                let timed_out = trace[..at]
                    .iter()
                    .rev()
                    .filter(|e| e.saga == event.saga)
                    .find_map(|e| match e.kind {
                        EventKind::TaskFailed { .. } => Some(false),
                        EventKind::TimedOut { .. } => Some(true),
                        _ => None,
                    });
                assert_eq!(
                    q.prompt.contains("nobody knows"),
                    timed_out == Some(true),
                    "{run}: {}",
                    q.prompt
                );
                gave_up += 1;
            }
        }
        for saga in 0..sim.scenario().sagas.len() {
            let n = qs.iter().filter(|(e, _)| e.saga == Some(saga)).count();
            assert!(n <= 8, "{run}: {n} questions for saga {saga}");
        }
        gave_up
    }

    #[test]
    fn the_answer_is_not_always_first() {
        let mut positions = Vec::new();
        for preset in [
            "card-declined",
            "slot-taken",
            "transient-payment",
            "poison-redrive",
        ] {
            for c in STYLES {
                positions.extend(walk(&run(preset, c)).iter().map(|(_, q)| q.answer));
            }
        }
        assert!(positions.contains(&0));
        assert!(positions.iter().any(|&p| p != 0));
    }

    #[test]
    fn bookkeeping_is_never_asked_about() {
        let sim = run("slot-taken", Coordination::Choreography);
        let trace = sim.trace();
        for (i, e) in trace.iter().enumerate() {
            if matches!(
                e.kind,
                EventKind::MessageArrived { .. }
                    | EventKind::Enqueued { .. }
                    | EventKind::Deleted { .. }
                    | EventKind::OutboxWritten { .. }
                    | EventKind::FaultFired { .. }
            ) {
                assert!(question(&trace[..i], e, sim.scenario(), sim.messages()).is_none());
            }
        }
    }

    fn sample() -> Question {
        let sim = run("card-declined", Coordination::Orchestration);
        let mut q = walk(&sim)
            .into_iter()
            .map(|(_, q)| q)
            .find(|q| q.topic == TOPIC_COMPENSATE)
            .expect("question");
        q.prompt.push_str(" <b>&\"</b>");
        q
    }

    #[test]
    fn the_panel_asks_with_numbered_buttons() {
        let q = sample();
        let html = question_html(&q, None, Score { right: 1, asked: 2 });
        assert!(html.starts_with(r#"<section class="predict" data-testid="predict" role="dialog""#));
        assert!(!html.contains("data-verdict"));
        assert!(!html.contains("predict-continue"));
        assert!(html.contains("&lt;b&gt;&amp;&quot;&lt;/b&gt;"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("1 of 2 right"));
        assert!(html.contains(r#"aria-live="polite""#));
        for (i, c) in q.choices.iter().enumerate() {
            let button = format!(
                r#"data-action="predict-answer" data-choice="{i}" data-testid="predict-choice-{i}" aria-keyshortcuts="{}">"#,
                i + 1
            );
            assert!(html.contains(&button), "{html}");
            assert!(html.contains(&format!(
                r#"<span class="predict__num">{}.</span> <span class="predict__text">{}</span>"#,
                i + 1,
                escape(c)
            )));
        }
    }

    #[test]
    fn a_pick_marks_every_choice_and_explains() {
        let q = sample();
        let wrong = (q.answer + 1) % q.choices.len();
        let html = question_html(&q, Some(wrong), Score { right: 0, asked: 1 });
        assert!(html.contains(r#"data-verdict="wrong""#));
        assert!(html.contains("✗ Not quite. The answer: "));
        assert!(html.contains(&escape(&q.explanation)));
        assert!(html.contains(
            r#"data-action="predict-continue" data-testid="predict-continue" aria-keyshortcuts="Space">Continue (Space)"#
        ));
        assert_eq!(html.matches(r#"data-mark="right""#).count(), 1);
        assert_eq!(
            html.matches(r#"data-mark="wrong""#).count(),
            q.choices.len() - 1
        );
        assert_eq!(html.matches("✗ wrong: your answer").count(), 1);
        assert_eq!(html.matches("data-picked").count(), 1);
        assert_eq!(html.matches(" disabled").count(), q.choices.len());

        let html = question_html(&q, Some(q.answer), Score { right: 1, asked: 1 });
        assert!(html.contains(r#"data-verdict="right""#));
        assert!(html.contains("✓ Right!"));
        assert!(html.contains("✓ right: your answer"));
        assert!(html.contains("Compensation</strong>"));
    }

    #[test]
    fn the_score_panel_counts_and_says_when_the_run_ended() {
        let html = score_html(Score { right: 4, asked: 5 }, false);
        assert!(html.contains(r#"data-testid="predict-score""#));
        assert!(html.contains("Your score: 4 of 5"));
        assert!(!html.contains("ended"));
        let html = score_html(Score { right: 4, asked: 5 }, true);
        assert!(html.contains("The run has ended."));
        assert!(score_html(Score::default(), false).contains("No predictions yet"));
    }
}
