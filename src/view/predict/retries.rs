//! The questions about a step that fails and comes again: a retry before or after the pivot
//! ([`retry`]), a queue's redelivery ([`redelivery`]), a message set aside as a dead letter
//! ([`dead_letter`]) and a repeat that reaches a service that already did the work
//! ([`duplicate`]).

use crate::engine::definition::ServiceId;
use crate::engine::event::EventKind;
use crate::engine::message::{MessageId, Task};
use crate::view::format::{duration, seconds};
use crate::view::story::Idea;

use super::*;

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
    topic: Topic,
) -> Option<Draft> {
    if ctx.cancel_pending() {
        return None;
    }
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
    if topic == Topic::ForwardRecovery {
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
                "The failure notice has no compensation and must reach both parties: it is retried, each wait longer up to the policy's cap, until it works.".to_string(),
            )
        } else {
            (
                vec![
                    "Compensate: undo the confirmed reservation and the earlier steps".to_string(),
                    format!("Skip {what} and end the saga completed"),
                    at_once,
                ],
                format!(
                    "{pivot} was the pivot: once it succeeded the saga can only go forward. {what} comes after it, so it is retried, each wait longer up to the policy's cap, until it succeeds (or a person finishes it); it is never compensated."
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
            format!("A compensation must not be given up lightly: the compensation policy allows {most}, each after a longer wait up to its cap."),
        )
    } else {
        (
            vec![
                "Undo the completed steps at once (compensate)".to_string(),
                "End the saga as failed".to_string(),
                at_once,
            ],
            format!("This is an error, not a business refusal, and it may pass: the orchestrator retries. Its policy allows {most}, each after a longer wait up to its cap."),
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
    topic: Topic,
) -> Option<Draft> {
    let saga = ctx.saga()?;
    if ctx.cancel_pending() {
        return None;
    }
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
    if !failed_event.is_empty() && topic == Topic::Retry {
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
    if topic == Topic::ForwardRecovery {
        explanation.push_str(" The saga is past its pivot, so it only goes forward.");
    }
    Some(Draft {
        prompt: format!(
            "Saga {letter}: {service} took the {event} message from its queue, but {what} {failure}. What happens to the message?"
        ),
        right: format!("After the visibility timeout ({visibility}) the queue delivers it again"),
        wrong,
        explanation,
        idea: if topic == Topic::ForwardRecovery {
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
            "Saga {letter}: {service}'s queue has delivered the {event} message {max} times (its maximum receive count) and {what} failed every time. Its visibility timeout has run out again. What happens to it now?"
        ),
        right: "It moves to the dead-letter queue and waits for a person".to_string(),
        wrong: vec![
            "The queue keeps delivering it for ever".to_string(),
            "It is deleted and the saga carries on without it".to_string(),
            format!("{service} publishes a failure and the saga compensates"),
        ],
        explanation: format!(
            "A message that keeps failing is moved to the dead-letter queue after {max} receives, so the queue stops handing it out; the saga needs manual intervention. Once the cause is fixed it can be redriven."
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::EventKind;
    use crate::engine::scenario::Coordination;
    use crate::view::format::seconds;
    use crate::view::predict::testing::*;

    #[test]
    fn transient_payment_errors_ask_about_the_retry() {
        let sim = run("transient-payment", Coordination::Orchestration);
        let qs = walk(&sim);
        let (event, q) = first(&qs, Topic::Retry).expect("a retry question");
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
        assert_eq!(
            qs.iter().filter(|(_, q)| q.topic == Topic::Retry).count(),
            1
        );

        let sim = run("transient-payment", Coordination::Choreography);
        let qs = walk(&sim);
        let (event, q) = first(&qs, Topic::Retry).expect("a redelivery question");
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
        let (_, q) = first(&qs, Topic::ForwardRecovery).expect("forward recovery");
        assert!(q.prompt.contains("no reply within 2 s"), "{}", q.prompt);
        assert!(q.choices.iter().any(|c| c.starts_with("Compensate")));
        assert!(q.explanation.contains("Confirm reservation was the pivot"));
        assert_eq!(q.idea, Some(Idea::ForwardRecovery));
        assert!(first(&qs, Topic::Retry).is_none());
    }

    #[test]
    fn a_poison_message_asks_about_dead_lettering() {
        let sim = run("poison-redrive", Coordination::Choreography);
        let qs = walk(&sim);
        let (event, q) = first(&qs, Topic::DeadLetter).expect("dead-letter question");
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
            let (_, q) = first(&qs, Topic::Duplicate).expect("duplicate question");
            assert!(right(q).contains(key), "{c:?}: {}", right(q));
            assert!(q
                .choices
                .iter()
                .any(|c| c == "It does Charge card a second time"));
        }
    }
}
