//! What an event means, in words: a short line for the event log and a narration that says what
//! happened, why, and which idea of the saga pattern it shows.
//!
//! This file holds what a story is and tells an event ([`tell`]) or a preset ([`opening`]);
//! `narrate.rs` has the words for each kind of event, and `idea.rs` the ideas of the saga
//! pattern they point to.

mod idea;
mod narrate;

pub use idea::Idea;

use narrate::tell_event;

use crate::engine::definition::ServiceId;
use crate::engine::event::{Event, EventKind, Outcome};
use crate::engine::fault::FaultKind;
use crate::engine::message::{Body, Message, MessageId, Node, SagaId, Task};
use crate::engine::scenario::{Coordination, RetryPolicy, Scenario};
use crate::engine::sim::{ActiveFault, SagaRecord};
use crate::engine::tables::{NotificationRow, Recipient};

use super::format::{capitalise, money};
use super::layout::NodeKey;

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
    /// The trace: what had happened before an event is read here, not from the sagas' states,
    /// which may have moved on since.
    pub trace: &'a [Event],
}

impl StoryContext<'_> {
    fn message(&self, id: MessageId) -> Option<&Message> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.messages.get(i))
            .filter(|m| m.id == id)
            .or_else(|| self.messages.iter().find(|m| m.id == id))
    }

    /// The events before `event` (by sequence number).
    fn before(&self, event: &Event) -> &[Event] {
        let n = self.trace.partition_point(|e| e.seq < event.seq);
        self.trace.get(..n).unwrap_or_default()
    }

    /// Whether a saga other than `event`'s had read or written the shared record `task` works
    /// on before `event` and had not settled by then (completed or compensated, and not begun
    /// again since): whether another saga may hold its PENDING flag, rather than a repeat of the
    /// same request.
    fn other_saga_flags(&self, event: &Event, task: Task) -> bool {
        let def = &self.scenario.definition;
        let Some(record) = task.operation(def).and_then(|op| {
            let spec = &event.saga.and_then(|s| self.sagas.get(s))?.spec;
            self.scenario.shared.access(op, spec).map(|(r, _)| r)
        }) else {
            return false;
        };
        let before = self.before(event);
        let mut touched: Vec<SagaId> = Vec::new();
        for e in before {
            match &e.kind {
                EventKind::RecordRead { record: r, .. }
                | EventKind::RecordWritten { record: r, .. }
                    if **r == record =>
                {
                    if let Some(s) = e
                        .saga
                        .filter(|s| Some(*s) != event.saga && !touched.contains(s))
                    {
                        touched.push(s);
                    }
                }
                _ => {}
            }
        }
        touched.into_iter().any(|other| {
            let mut settled = false;
            for e in before.iter().filter(|e| e.saga == Some(other)) {
                match e.kind {
                    EventKind::SagaEnded { outcome } => {
                        settled = matches!(outcome, Outcome::Completed | Outcome::Compensated);
                    }
                    EventKind::CompensationBegun { .. } => settled = false,
                    _ => {}
                }
            }
            !settled
        })
    }

    /// Whether another saga's PENDING flag stopped `task` of `event`'s saga: the one its last
    /// read found, or one set since by a saga that had not settled by `event`.
    fn stopped_by_other_saga(&self, event: &Event, task: Task) -> bool {
        let at_read = self.before(event).iter().rev().find_map(|e| match e.kind {
            EventKind::RecordRead {
                task: t, pending, ..
            } if e.saga == event.saga && t == task => Some(pending),
            _ => None,
        });
        match at_read {
            Some(Some(holder)) if Some(holder) != event.saga => true,
            _ => self.other_saga_flags(event, task),
        }
    }

    /// Whether another saga wrote the shared record `task` of `event`'s saga works on after one of
    /// that task's reads (rather than a request of the same saga, late or repeated).
    fn changed_by_other_saga(&self, event: &Event, task: Task) -> bool {
        let mut read = None;
        for e in self.before(event) {
            match &e.kind {
                EventKind::RecordRead {
                    task: t, record, ..
                } if e.saga == event.saga && *t == task => {
                    read = Some(record.as_ref());
                }
                EventKind::RecordWritten { record, .. }
                    if e.saga != event.saga && read == Some(record.as_ref()) =>
                {
                    return true;
                }
                _ => {}
            }
        }
        false
    }

    /// Whether a step after the pivot of `event`'s saga (or its failure notice) failed or got
    /// no reply before `event`: only then was it retried into success (forward recovery), rather
    /// than done at its first try.
    fn retried_after_pivot(&self, event: &Event) -> bool {
        self.before(event).iter().any(|e| {
            e.saga == event.saga
                && matches!(e.kind,
                    EventKind::TaskFailed { task, .. } | EventKind::TimedOut { task, .. }
                        if task.only_forward(&self.scenario.definition))
        })
    }

    /// The policy a task is retried under.
    fn retry_policy(&self, task: Task) -> &RetryPolicy {
        self.scenario
            .retry
            .for_task(task, &self.scenario.definition)
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
    use crate::engine::scenario::Storage;

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
