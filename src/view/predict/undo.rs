//! The questions about undoing: what a saga does when a step fails for good or the customer
//! cancels ([`compensate`]), and which completed step is undone first ([`compensation_order`]).

use crate::engine::definition::StepKind;
use crate::engine::event::{CompensationReason, EventKind};
use crate::engine::message::Task;
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
                    "Cancel the reservation only and keep the other steps' effects".to_string(),
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

/// Which step ran out of retries, and whether its outcome is known, in words: "Charge card ran
/// out of retries (its last attempt got no reply, so nobody knows whether it took effect)".
fn out_of_retries(ctx: &Ctx<'_>) -> String {
    let last = ctx.history().find_map(|e| match e.kind {
        EventKind::TaskFailed {
            task: task @ Task::Action(_),
            ..
        } => Some((task, false)),
        EventKind::TimedOut {
            task: task @ Task::Action(_),
            ..
        } => Some((task, true)),
        _ => None,
    });
    match last {
        Some((task, true)) => format!(
            "{} ran out of retries (its last attempt got no reply, so nobody knows whether it took effect)",
            ctx.task(task)
        ),
        Some((task, false)) => format!(
            "{} ran out of retries (its last attempt failed)",
            ctx.task(task)
        ),
        None => "a step ran out of retries".to_string(),
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
            } => Some(out_of_retries(ctx)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::EventKind;
    use crate::engine::message::SagaId;
    use crate::engine::scenario::Coordination;
    use crate::engine::sim::Simulation;
    use crate::view::predict::testing::*;

    #[test]
    fn a_declined_card_asks_what_the_saga_does_and_the_answer_is_compensate() {
        for c in STYLES {
            let sim = run("card-declined", c);
            let qs = walk(&sim);
            let (event, q) = first(&qs, Topic::Compensate).expect("a compensate question");
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
                let (event, q) = first(&qs, Topic::CompensationOrder).expect("an order question");
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
        let (_, q) = first(&qs, Topic::CompensationOrder).expect("order");
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
        let (_, q) = first(&qs, Topic::CompensationOrder).expect("order");
        assert_eq!(right(q), "Cancel reservation");
        assert!(q.choices.iter().any(|c| c == "Refund payment"));
        assert!(
            q.explanation.contains("Charge card never took effect"),
            "{}",
            q.explanation
        );
    }
}
