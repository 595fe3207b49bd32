//! Fair questions: predict mode's prompts never give their answer away, and every question's
//! right answer is what the engine then does. The run is played to its end, each question is
//! asked before its key event exactly as the page asks it (with only the trace before it), and
//! the answer is checked against the events that follow, by a checker that reads the trace and
//! nothing of the questions' own reasoning. Over every preset in both styles and over random
//! schedules (`SAGASCOPE_QUESTION_SCHEDULES`, 1,000 by default).

mod common;

use std::collections::BTreeMap;

use common::played;
use common::random::random_scenario;
use common::words::{duration_after, number_after};
use sagascope::engine::event::{Event, EventKind, Outcome};
use sagascope::engine::message::{Body, Node, SagaId, Task};
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::{Coordination, Scenario, Simulation, Storage};
use sagascope::view::predict::{question, Question, Topic};

/// Events a question may come before (the rest never get one: asking `question` about them only
/// costs time).
fn may_ask(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::CompensationBegun { .. }
            | EventKind::TaskStarted {
                task: Task::Compensate(_),
                ..
            }
            | EventKind::RetryScheduled { .. }
            | EventKind::Received { .. }
            | EventKind::DeadLettered { .. }
            | EventKind::DuplicateIgnored { .. }
            | EventKind::SagaEnded { .. }
            | EventKind::OrchestratorRecovered { .. }
    )
}

/// Every question the page would ask in a run, with the index of the event it comes before.
fn asked(sim: &Simulation) -> Vec<(usize, Question)> {
    let trace = sim.trace();
    (0..trace.len())
        .filter(|&i| may_ask(&trace[i]))
        .filter_map(|i| {
            question(&trace[..i], &trace[i], sim.scenario(), sim.messages()).map(|q| (i, q))
        })
        .collect()
}

/// The part of an answer before its first ':', '(' or ',' ("Wait 2.00 s" of "Wait 2.00 s, then
/// try …").
fn head(answer: &str) -> &str {
    answer
        .split([':', '(', ','])
        .next()
        .unwrap_or(answer)
        .trim()
}

/// The question gives nothing away and is well formed.
fn fair(q: &Question) -> Result<(), String> {
    let right = q
        .choices
        .get(q.answer)
        .ok_or("the answer is not a choice")?;
    let prompt = q.prompt.to_lowercase();
    if prompt.contains(&right.to_lowercase()) {
        return Err(format!("the prompt contains the answer {right:?}"));
    }
    let h = head(right).to_lowercase();
    if h.len() >= 6 && prompt.contains(&h) {
        return Err(format!("the prompt contains the answer's words {h:?}"));
    }
    let mut distinct = q.choices.clone();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != q.choices.len() || q.choices.len() < 3 {
        return Err(format!("choices {:?}", q.choices));
    }
    Ok(())
}

/// What the checker reads.
struct Run<'a> {
    trace: &'a [Event],
    scenario: &'a Scenario,
}

impl Run<'_> {
    fn of(&self, saga: Option<SagaId>, from: usize) -> impl Iterator<Item = (usize, &Event)> {
        self.trace
            .iter()
            .enumerate()
            .skip(from)
            .filter(move |(_, e)| e.saga == saga)
    }

    /// The non-duplicate commands the orchestrator sent for a saga's task from `from` on:
    /// (index, attempt).
    fn commands(&self, saga: Option<SagaId>, task: Task, from: usize) -> Vec<(usize, u32)> {
        self.of(saga, from)
            .filter_map(|(j, e)| match &e.kind {
                EventKind::MessageSent {
                    from: Node::Orchestrator,
                    body:
                        Body::Command {
                            task: t, attempt, ..
                        },
                    duplicate: false,
                    ..
                } if *t == task => Some((j, *attempt)),
                _ => None,
            })
            .collect()
    }

    /// Whether something outside the retry policy (a crash, a cancellation, a person) stepped in
    /// for `saga` between `from` and `to`.
    fn interrupted(&self, saga: Option<SagaId>, from: usize, to: usize) -> bool {
        self.trace[from..to].iter().any(|e| {
            matches!(e.kind, EventKind::OrchestratorCrashed)
                || (e.saga == saga
                    && matches!(
                        e.kind,
                        EventKind::CancelRequested | EventKind::ManualIntervention { .. }
                    ))
        })
    }

    /// The answer is what the engine then does.
    fn happens(&self, i: usize, q: &Question) -> Result<(), String> {
        let event = &self.trace[i];
        let saga = event.saga;
        let right = &q.choices[q.answer];
        let def = &self.scenario.definition;
        match q.topic {
            Topic::Compensate => {
                let lower = right.to_lowercase();
                if !(lower.contains("undo") || lower.contains("compensat")) {
                    return Err(format!("a compensate question answered {right:?}"));
                }
                // The saga starts no step beyond those it had begun (a redelivered or repeated
                // request is not going on), and it compensates or tells both parties.
                let reached = self
                    .of(saga, 0)
                    .take_while(|(j, _)| *j < i)
                    .filter_map(|(_, e)| match e.kind {
                        EventKind::TaskStarted {
                            task: Task::Action(s),
                            ..
                        } => Some(s),
                        _ => None,
                    })
                    .max();
                for (_, e) in self.of(saga, i) {
                    if let EventKind::TaskStarted {
                        task: Task::Action(s),
                        ..
                    } = e.kind
                    {
                        if reached.is_none_or(|r| s > r) {
                            return Err(format!("the saga went on with step {}", s + 1));
                        }
                    }
                }
                let turned_back = self.of(saga, i).any(|(_, e)| {
                    matches!(
                        e.kind,
                        EventKind::TaskStarted {
                            task: Task::Compensate(_) | Task::FailureNotice,
                            ..
                        }
                    )
                });
                if turned_back {
                    Ok(())
                } else {
                    Err("the saga neither compensated nor told the parties".to_string())
                }
            }
            Topic::CompensationOrder => {
                let first = self.of(saga, i).find_map(|(_, e)| match e.kind {
                    EventKind::TaskStarted {
                        task: task @ Task::Compensate(_),
                        ..
                    } => Some(task),
                    _ => None,
                });
                let first = first.ok_or("no compensation followed")?;
                if first.label(def) == *right {
                    Ok(())
                } else {
                    Err(format!(
                        "answered {right:?}, but {} ran first",
                        first.label(def)
                    ))
                }
            }
            Topic::Retry | Topic::ForwardRecovery => match event.kind {
                EventKind::RetryScheduled { task, .. } => {
                    let n = number_after(right, "(attempt ").ok_or("no attempt in the answer")?;
                    let wait = duration_after(right, "Wait ").ok_or("no wait in the answer")?;
                    let next = self
                        .commands(saga, task, i + 1)
                        .into_iter()
                        .find(|(_, a)| u64::from(*a) == n);
                    match next {
                        Some((j, _)) if self.interrupted(saga, i, j) => Ok(()),
                        Some((j, _)) => {
                            let actual = self.trace[j].at_ms - event.at_ms;
                            if actual >= wait && actual < wait + 10 {
                                Ok(())
                            } else {
                                Err(format!("answered a wait of {wait} ms, but attempt {n} came after {actual} ms"))
                            }
                        }
                        None if self.interrupted(saga, i, self.trace.len()) => Ok(()),
                        None => Err(format!("answered attempt {n}, which never came")),
                    }
                }
                EventKind::Received { message, .. } => {
                    let visibility =
                        duration_after(right, "(").ok_or("no timeout in the answer")?;
                    if visibility != self.scenario.queues.visibility_timeout_ms {
                        return Err(format!("answered a timeout of {visibility} ms"));
                    }
                    let previous = self.trace[..i].iter().rev().find(|e| {
                        matches!(e.kind, EventKind::Received { message: m, .. } if m == message)
                    });
                    match previous {
                        Some(p) if event.at_ms >= p.at_ms + visibility => Ok(()),
                        Some(p) => Err(format!(
                            "delivered again {} ms after the last receive, before the timeout",
                            event.at_ms - p.at_ms
                        )),
                        None => Err("a redelivery of a message never received".to_string()),
                    }
                }
                _ => Err(format!("a retry question before {:?}", event.kind)),
            },
            Topic::DeadLetter => {
                let EventKind::DeadLettered { message, .. } = event.kind else {
                    return Err(format!("a dead-letter question before {:?}", event.kind));
                };
                if !right.contains("dead-letter queue") {
                    return Err(format!("answered {right:?}"));
                }
                for e in &self.trace[i + 1..] {
                    match e.kind {
                        EventKind::Redriven { message: m, .. } if m == message => break,
                        EventKind::Received { message: m, .. } if m == message => {
                            return Err("the queue delivered it again".to_string())
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
            Topic::Duplicate => {
                let EventKind::DuplicateIgnored { task, .. } = event.kind else {
                    return Err(format!("a duplicate question before {:?}", event.kind));
                };
                let effects = self
                    .of(saga, 0)
                    .filter(|(_, e)| {
                        matches!(e.kind, EventKind::TaskApplied { task: t, changed: true, .. } if t == task)
                    })
                    .count();
                if right.contains("second time") || effects > 1 {
                    Err(format!(
                        "answered {right:?}; the task took effect {effects} times"
                    ))
                } else {
                    Ok(())
                }
            }
            Topic::Outcome => {
                let ended = self.of(saga, i).find_map(|(_, e)| match e.kind {
                    EventKind::SagaEnded { outcome } if outcome != Outcome::Running => {
                        Some(outcome)
                    }
                    _ => None,
                });
                let said = match head(right) {
                    "Completed" => Outcome::Completed,
                    "Compensated" => Outcome::Compensated,
                    "Rollback incomplete" => Outcome::RollbackIncomplete,
                    other => return Err(format!("an outcome answered {other:?}")),
                };
                if ended == Some(said) {
                    Ok(())
                } else {
                    Err(format!("answered {said:?}, but the saga ended {ended:?}"))
                }
            }
            Topic::Recovery => {
                if !matches!(event.kind, EventKind::OrchestratorRecovered { .. }) {
                    return Err(format!("a recovery question before {:?}", event.kind));
                }
                if !right.contains("durable log") {
                    return Err(format!("answered {right:?}"));
                }
                Ok(())
            }
        }
    }
}

/// Checks every question of a run; returns how many of each topic were asked.
fn check_run(sim: &Simulation, tally: &mut BTreeMap<&'static str, usize>) -> Result<(), String> {
    let run = Run {
        trace: sim.trace(),
        scenario: sim.scenario(),
    };
    for (i, q) in asked(sim) {
        let judged = fair(&q).and_then(|()| run.happens(i, &q));
        judged.map_err(|why| {
            format!(
                "question before event {i} ({:?}): {:?}: {why}",
                run.trace[i].kind, q.prompt
            )
        })?;
        *tally.entry(q.topic.as_str()).or_default() += 1;
    }
    Ok(())
}

fn schedules() -> u64 {
    common::env_u64("SAGASCOPE_QUESTION_SCHEDULES", 1_000)
}

#[test]
fn every_preset_asks_fair_questions_in_both_styles() {
    let mut tally = BTreeMap::new();
    for preset in PRESETS {
        for c in common::STYLES {
            if !preset.runs_in(c) {
                continue;
            }
            let sim =
                played(presets::scenario(preset.id, c, Storage::PerService, 1).expect("preset"));
            if let Err(e) = check_run(&sim, &mut tally) {
                panic!("{} {c:?}: {e}", preset.id);
            }
        }
    }
    // Every topic comes up somewhere among the presets.
    assert_eq!(tally.len(), 8, "{tally:?}");
    println!("figures: fair questions over every preset, {tally:?}");
}

#[test]
fn random_schedules_ask_fair_questions() {
    let n = schedules();
    let mut tally = BTreeMap::new();
    for seed in 0..n {
        let scenario = random_scenario(seed);
        let sim = played(scenario.clone());
        if let Err(e) = check_run(&sim, &mut tally) {
            panic!("schedule {seed}: {e}\nscenario: {}", scenario.to_json());
        }
    }
    println!("figures: fair questions over {n} random schedules, {tally:?}");
}

// --- Each check can fail: a question doctored to give its answer away, or to claim what the
// engine does not do, is caught. ---

fn first_question(preset: &str, c: Coordination, topic: Topic) -> (Simulation, usize, Question) {
    let sim = played(presets::scenario(preset, c, Storage::PerService, 1).expect("preset"));
    let (i, q) = asked(&sim)
        .into_iter()
        .find(|(_, q)| q.topic == topic)
        .expect("a question of the topic");
    (sim, i, q)
}

fn judge(sim: &Simulation, i: usize, q: &Question) -> Result<(), String> {
    let run = Run {
        trace: sim.trace(),
        scenario: sim.scenario(),
    };
    fair(q).and_then(|()| run.happens(i, q))
}

#[test]
fn a_prompt_that_gives_the_answer_away_is_caught() {
    let (sim, i, mut q) = first_question(
        "compensation-fails",
        Coordination::Orchestration,
        Topic::Outcome,
    );
    judge(&sim, i, &q).expect("the real question is fair");
    q.prompt.push_str(" Rollback incomplete, surely?");
    assert!(judge(&sim, i, &q).is_err_and(|e| e.contains("answer")));
}

/// The question with its answer moved to another choice.
fn moved(mut q: Question) -> Question {
    q.answer = (q.answer + 1) % q.choices.len();
    q
}

#[test]
fn an_answer_the_engine_does_not_bear_out_is_caught() {
    for (preset, c, topic) in [
        (
            "restaurant-rejects",
            Coordination::Orchestration,
            Topic::CompensationOrder,
        ),
        ("card-declined", Coordination::Choreography, Topic::Outcome),
        (
            "transient-payment",
            Coordination::Orchestration,
            Topic::Retry,
        ),
        (
            "card-declined",
            Coordination::Orchestration,
            Topic::Compensate,
        ),
    ] {
        let (sim, i, q) = first_question(preset, c, topic);
        judge(&sim, i, &q).expect("the real question is fair");
        assert!(judge(&sim, i, &moved(q)).is_err(), "{preset} {topic:?}");
    }
    // A retry answered with the wrong wait.
    let (sim, i, mut q) = first_question(
        "transient-payment",
        Coordination::Orchestration,
        Topic::Retry,
    );
    let right = q.choices[q.answer].replace("Wait 1.00 s", "Wait 3.00 s");
    q.choices[q.answer] = right;
    assert!(judge(&sim, i, &q).is_err_and(|e| e.contains("3000 ms")));
}
