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
//!
//! This file decides whether and what to ask ([`question`]) and holds what every question is
//! built from; `undo.rs`, `retries.rs` and `ending.rs` build the question of each topic, and
//! `panel.rs` draws the question and score panels.

mod ending;
mod panel;
mod retries;
mod undo;

pub(crate) use panel::mark_choice;
pub use panel::{question_html, score_html};

use std::fmt::Write;

use crate::engine::definition::{SagaDefinition, ServiceId};
use crate::engine::event::{Event, EventKind};
use crate::engine::message::{Message, MessageId, SagaId, Task};
use crate::engine::scenario::{Coordination, Scenario};

use super::format::{list, saga_letter};
use super::story::Idea;
use ending::{ending, recovery};
use retries::{dead_letter, duplicate, redelivery, retry};
use undo::{compensate, compensation_order};

/// A question asked before a key event.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The key event's sequence number.
    pub seq: u64,
    /// A short stable id of what is asked ("compensation-order").
    pub topic: Topic,
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

pub use crate::player::predict::Score;

impl crate::player::predict::Asked for Question {
    fn choice_count(&self) -> usize {
        self.choices.len()
    }
    fn right_choice(&self) -> usize {
        self.answer
    }
}

/// What a predict question is about (one question per topic and saga).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    /// What a saga does when a step fails for good or the customer cancels.
    Compensate,
    /// Which completed step is undone first.
    CompensationOrder,
    /// What happens after a failure a retry may fix (before the pivot, or a compensation).
    Retry,
    /// A failure after the pivot (or of the failure notice): it only goes forward.
    ForwardRecovery,
    /// A message that keeps failing (choreography).
    DeadLetter,
    /// A repeat reaches a service that already did the task.
    Duplicate,
    /// How the saga ends.
    Outcome,
    /// How the orchestrator finds its place after a crash.
    Recovery,
}

impl Topic {
    /// A short stable id (`compensation-order`), written into the panel's markup.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Compensate => "compensate",
            Topic::CompensationOrder => "compensation-order",
            Topic::Retry => "retry",
            Topic::ForwardRecovery => "forward-recovery",
            Topic::DeadLetter => "dead-letter",
            Topic::Duplicate => "duplicate",
            Topic::Outcome => "outcome",
            Topic::Recovery => "recovery",
        }
    }
}

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
fn topic_of(before: &[Event], event: &Event, scenario: &Scenario) -> Option<Topic> {
    let def = &scenario.definition;
    match &event.kind {
        EventKind::CompensationBegun { .. } => Some(Topic::Compensate),
        EventKind::TaskStarted {
            task: Task::Compensate(_),
            ..
        } => Some(Topic::CompensationOrder),
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
        EventKind::DeadLettered { .. } => Some(Topic::DeadLetter),
        EventKind::DuplicateIgnored { .. } => Some(Topic::Duplicate),
        EventKind::SagaEnded { outcome } if outcome.is_final() => Some(Topic::Outcome),
        EventKind::OrchestratorRecovered { .. } => Some(Topic::Recovery),
        _ => None,
    }
}

/// Retrying a step after the pivot (or the failure notice) is forward recovery; anything else
/// is an ordinary retry.
fn retry_topic(task: Task, def: &SagaDefinition) -> Topic {
    if task.only_forward(def) {
        Topic::ForwardRecovery
    } else {
        Topic::Retry
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

    /// Whether the customer asked to cancel this saga: what happens to a retry then depends on
    /// when the request arrives, which the prompt cannot say, so no retry question is asked.
    fn cancel_pending(&self) -> bool {
        self.history()
            .any(|e| matches!(e.kind, EventKind::CancelRequested))
    }

    fn message(&self, id: MessageId) -> Option<&Message> {
        self.messages.iter().find(|m| m.id == id)
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
    fn finish(self, seq: u64, topic: Topic) -> Question {
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

/// Runs and walks the predict tests share.
#[cfg(test)]
mod testing {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;

    pub(super) const STYLES: [Coordination; 2] =
        [Coordination::Orchestration, Coordination::Choreography];

    pub(super) use crate::view::testing::played as run;

    pub(super) fn run_with(
        preset: &str,
        c: Coordination,
        storage: Storage,
        seed: u64,
    ) -> Simulation {
        let scenario = presets::scenario(preset, c, storage, seed).expect("preset");
        let mut sim = Simulation::new(scenario).expect("valid");
        while sim.step() {}
        sim
    }

    /// Every question the page would ask, walking the trace event by event.
    pub(super) fn walk(sim: &Simulation) -> Vec<(Event, Question)> {
        let trace = sim.trace();
        (0..trace.len())
            .filter_map(|i| {
                question(&trace[..i], &trace[i], sim.scenario(), sim.messages())
                    .map(|q| (trace[i].clone(), q))
            })
            .collect()
    }

    pub(super) fn right(q: &Question) -> &str {
        &q.choices[q.answer]
    }

    pub(super) fn first(qs: &[(Event, Question)], topic: Topic) -> Option<&(Event, Question)> {
        qs.iter().find(|(_, q)| q.topic == topic)
    }
}

#[cfg(test)]
mod tests;
