//! The question of each topic: the situation in words, the right answer, plausible wrong ones
//! and why. One builder per topic ([`compensate`], [`compensation_order`], [`retry`],
//! [`redelivery`], [`dead_letter`], [`duplicate`], [`ending`], [`recovery`]); together they are
//! the quiz's content, which is why this file is longer than the others. Their tests are in
//! `questions/tests.rs`.

use crate::engine::definition::{ServiceId, StepKind};
use crate::engine::event::{CompensationReason, EventKind, Outcome};
use crate::engine::message::{MessageId, Task};
use crate::view::format::{duration, seconds};
use crate::view::story::Idea;

use super::*;

pub(super) fn compensate(ctx: &Ctx<'_>, reason: CompensationReason) -> Option<Draft> {
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

pub(super) fn compensation_order(ctx: &Ctx<'_>, task: Task) -> Option<Draft> {
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

pub(super) fn retry(
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

pub(super) fn redelivery(
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

pub(super) fn dead_letter(ctx: &Ctx<'_>, queue: ServiceId, message: MessageId) -> Option<Draft> {
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

pub(super) fn duplicate(ctx: &Ctx<'_>, task: Task, service: ServiceId) -> Option<Draft> {
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

pub(super) fn ending(ctx: &Ctx<'_>, outcome: Outcome) -> Option<Draft> {
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

pub(super) fn recovery(resumed: u32, replayed: u32) -> Option<Draft> {
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

#[cfg(test)]
mod tests;
