//! The questions at the end of a run's story: how the saga ends ([`ending`]), and how a crashed
//! orchestrator finds its place again from its log ([`recovery`]).

use crate::engine::event::{EventKind, Outcome};
use crate::view::story::Idea;

use super::*;

pub(super) fn ending(ctx: &Ctx<'_>, outcome: Outcome) -> Option<Draft> {
    let letter = ctx.letter();
    let done = ctx.completed();
    // What the student saw before the end, but not the end itself: the steps done and why the
    // saga turned back, never what its compensations achieved (that is the answer).
    let mut facts = vec![format!("Steps done: {}.", ctx.step_names(&done))];
    if let Some(reason) = ctx.history().find_map(|e| match e.kind {
        EventKind::CompensationBegun { reason } => Some(reason),
        _ => None,
    }) {
        facts.push(format!("It turned back because {}.", reason.label()));
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
mod tests {
    use super::*;
    use crate::engine::event::EventKind;
    use crate::engine::scenario::Coordination;
    use crate::view::predict::testing::*;

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
                let (event, q) = first(&qs, Topic::Outcome).expect("outcome question");
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
        let (event, q) = first(&qs, Topic::Recovery).expect("recovery question");
        let EventKind::OrchestratorRecovered { replayed, .. } = event.kind else {
            panic!("asked before {event:?}");
        };
        assert!(right(q).contains(&format!("({replayed} records)")));
        assert_eq!(q.idea, Some(Idea::DurableLog));
    }
}
