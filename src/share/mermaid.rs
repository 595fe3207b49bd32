//! The run's messages as a Mermaid `sequenceDiagram`, to paste into a design document.
//!
//! One arrow per message, in the order they were sent:
//! - `->>` a command, or an event on its way to the bus or a queue;
//! - `-->>` a reply to the orchestrator;
//! - `-)` / `--)` a copy made by a duplicate fault (`--)` for a reply);
//! - `-x` / `--x` a message that never arrived (dropped, or its receiver was down).
//!
//! `Note` lines tell the rest: faults injected and removed, failures, timeouts, retries, redeliveries, dead letters,
//! compensations, idempotent repeats and how each saga ended. Compensation commands read
//! `compensate: …`. Every label is escaped so that Mermaid reads it as text.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::definition::{SagaDefinition, ServiceId};
use crate::engine::event::{ClearReason, Event, EventKind};
use crate::engine::fault::FaultSpec;
use crate::engine::message::{Body, MessageId, Node, Task};
use crate::engine::scenario::{Command, Coordination, Scenario};
use crate::engine::sim::Simulation;

/// The sequence diagram of a simulation's trace so far.
pub fn sequence_diagram(sim: &Simulation) -> String {
    from_trace(sim.scenario(), sim.trace())
}

/// The sequence diagram of `events`, a trace of `scenario` (from a run or a trace file).
pub fn from_trace(scenario: &Scenario, events: &[Event]) -> String {
    Diagram::new(scenario, events).render(events)
}

/// A vertical line of the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Lifeline {
    Customer,
    Orchestrator,
    Bus,
    Queue(ServiceId),
    Service(ServiceId),
    DeadLetters,
}

impl Lifeline {
    fn of(node: Node) -> Self {
        match node {
            Node::Customer => Lifeline::Customer,
            Node::Orchestrator => Lifeline::Orchestrator,
            Node::Bus => Lifeline::Bus,
            Node::Service(s) => Lifeline::Service(s),
            Node::Queue(s) => Lifeline::Queue(s),
        }
    }

    /// Left-to-right position: the customer, the coordinator, each service after its queue, the
    /// dead-letter queue.
    fn rank(self) -> usize {
        match self {
            Lifeline::Customer => 0,
            Lifeline::Orchestrator => 1,
            Lifeline::Bus => 2,
            Lifeline::Queue(s) => 3 + 2 * s.index(),
            Lifeline::Service(s) => 4 + 2 * s.index(),
            Lifeline::DeadLetters => 100,
        }
    }

    fn id(self) -> String {
        match self {
            Lifeline::Customer => "Customer".to_string(),
            Lifeline::Orchestrator => "Orchestrator".to_string(),
            Lifeline::Bus => "Bus".to_string(),
            Lifeline::Queue(s) => format!("{}Queue", s.label()),
            Lifeline::Service(s) => s.label().to_string(),
            Lifeline::DeadLetters => "DLQ".to_string(),
        }
    }

    fn declaration(self) -> String {
        match self {
            Lifeline::Customer => "actor Customer".to_string(),
            Lifeline::Orchestrator => "participant Orchestrator".to_string(),
            Lifeline::Bus => "participant Bus as Event bus".to_string(),
            Lifeline::Queue(s) => format!("participant {} as {} queue", self.id(), s.label()),
            Lifeline::Service(s) => format!("participant {}", s.label()),
            Lifeline::DeadLetters => "participant DLQ as Dead-letter queue".to_string(),
        }
    }
}

struct Diagram<'a> {
    scenario: &'a Scenario,
    def: &'a SagaDefinition,
    /// Messages that never arrived.
    lost: BTreeSet<MessageId>,
    /// Each message's body and receiver, by number.
    sent: BTreeMap<MessageId, (Body, Node)>,
    /// Each fault, by number.
    faults: BTreeMap<usize, FaultSpec>,
    /// More than one saga: labels say which.
    many_sagas: bool,
    used: BTreeMap<usize, Lifeline>,
    lines: Vec<String>,
}

impl<'a> Diagram<'a> {
    fn new(scenario: &'a Scenario, events: &[Event]) -> Self {
        let mut lost = BTreeSet::new();
        let mut sent = BTreeMap::new();
        let mut faults = BTreeMap::new();
        for event in events {
            match &event.kind {
                EventKind::MessageLost { message, .. } => {
                    lost.insert(*message);
                }
                EventKind::MessageSent {
                    message, body, to, ..
                } => {
                    sent.insert(*message, (*body, *to));
                }
                EventKind::FaultInjected { fault, spec } => {
                    faults.insert(*fault, spec.clone());
                }
                _ => {}
            }
        }
        let started_later = scenario
            .commands
            .iter()
            .filter(|c| matches!(c.command, Command::Start { .. }))
            .count();
        Self {
            scenario,
            def: &scenario.definition,
            lost,
            sent,
            faults,
            many_sagas: scenario.sagas.len() + started_later > 1,
            used: BTreeMap::new(),
            lines: Vec::new(),
        }
    }

    fn coordinator(&self) -> Lifeline {
        match self.scenario.coordination {
            Coordination::Orchestration => Lifeline::Orchestrator,
            Coordination::Choreography => Lifeline::Bus,
        }
    }

    fn use_line(&mut self, line: Lifeline) -> String {
        self.used.insert(line.rank(), line);
        line.id()
    }

    fn arrow(&mut self, from: Lifeline, arrow: &str, to: Lifeline, text: &str) {
        let (from, to) = (self.use_line(from), self.use_line(to));
        self.lines
            .push(format!("    {from}{arrow}{to}: {}", escape(text)));
    }

    fn note(&mut self, over: &[Lifeline], text: &str) {
        let ids: Vec<String> = over.iter().map(|l| self.use_line(*l)).collect();
        self.lines
            .push(format!("    Note over {}: {}", ids.join(","), escape(text)));
    }

    fn saga_prefix(&self, saga: Option<usize>) -> String {
        match saga {
            Some(s) if self.many_sagas => format!("[saga {}] ", s + 1),
            _ => String::new(),
        }
    }

    fn body_label(&self, body: &Body) -> String {
        match body {
            Body::Command {
                task: task @ Task::Compensate(_),
                attempt,
                ..
            } => {
                let mut label = format!("compensate: {}", task.label(self.def));
                if *attempt > 1 {
                    label.push_str(&format!(" (attempt {attempt})"));
                }
                label
            }
            other => other.label(self.def),
        }
    }

    fn message_label(&self, message: MessageId) -> String {
        self.sent
            .get(&message)
            .map(|(b, _)| self.body_label(b))
            .unwrap_or_else(|| format!("message {message}"))
    }

    fn service_line(&self, task: Task) -> Lifeline {
        task.service(self.def)
            .map(Lifeline::Service)
            .unwrap_or_else(|| self.coordinator())
    }

    fn render(mut self, events: &[Event]) -> String {
        for event in events {
            self.event(event);
        }
        let mut out = String::from("sequenceDiagram\n");
        out.push_str(&format!(
            "    %% Sagascope · {} · {} · {} storage · seed {}\n",
            single_line(&self.scenario.name),
            self.scenario.coordination.as_str(),
            self.scenario.storage.as_str(),
            self.scenario.seed
        ));
        for line in self.used.values() {
            out.push_str(&format!("    {}\n", line.declaration()));
        }
        for line in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    fn event(&mut self, event: &Event) {
        let prefix = self.saga_prefix(event.saga);
        let coordinator = self.coordinator();
        match &event.kind {
            EventKind::MessageSent {
                message,
                from,
                to,
                body,
                duplicate,
                ..
            } => {
                let reply = matches!(body, Body::Reply { .. });
                let arrow = match (self.lost.contains(message), *duplicate, reply) {
                    (true, _, true) => "--x",
                    (true, _, false) => "-x",
                    (false, true, true) => "--)",
                    (false, true, false) => "-)",
                    (false, false, true) => "-->>",
                    (false, false, false) => "->>",
                };
                let mut text = format!("{prefix}{}", self.body_label(body));
                if *duplicate {
                    text.push_str(" (duplicate)");
                }
                self.arrow(Lifeline::of(*from), arrow, Lifeline::of(*to), &text);
            }
            EventKind::MessageLost { message, reason } => {
                let why = reason.label();
                let label = self.message_label(*message);
                let over = self
                    .sent
                    .get(message)
                    .map(|(_, to)| Lifeline::of(*to))
                    .unwrap_or(coordinator);
                self.note(&[over], &format!("{prefix}lost: {label} ({why})"));
            }
            EventKind::ReplyIgnored { message } | EventKind::ReplyStale { message, .. } => {
                let label = self.message_label(*message);
                self.note(
                    &[Lifeline::Orchestrator],
                    &format!("{prefix}late or repeated reply ignored: {label}"),
                );
            }
            EventKind::TaskStarted {
                task: task @ Task::Compensate(_),
                attempt,
            } if self.scenario.coordination == Coordination::Choreography => {
                let line = self.service_line(*task);
                let mut text = format!("{prefix}compensate: {}", task.label(self.def));
                if *attempt > 1 {
                    text.push_str(&format!(" (receive {attempt})"));
                }
                self.note(&[line], &text);
            }
            EventKind::DuplicateIgnored { task, service } => self.note(
                &[Lifeline::Service(*service)],
                &format!(
                    "{prefix}repeat of {} ignored (idempotency)",
                    task.label(self.def)
                ),
            ),
            EventKind::TaskFailed {
                task,
                service,
                reason,
            } => self.note(
                &[Lifeline::Service(*service)],
                &format!(
                    "{prefix}{} failed: {}",
                    task.label(self.def),
                    reason.label()
                ),
            ),
            EventKind::TimedOut { task, attempt } => self.note(
                &[Lifeline::Orchestrator],
                &format!(
                    "{prefix}timeout: no reply to {} (attempt {attempt})",
                    task.label(self.def)
                ),
            ),
            EventKind::RetryScheduled {
                task,
                attempt,
                delay_ms,
            } => self.note(
                &[Lifeline::Orchestrator],
                &format!(
                    "{prefix}retry {} in {delay_ms} ms (attempt {attempt})",
                    task.label(self.def)
                ),
            ),
            EventKind::StepRefused { task } => {
                let line = self.service_line(*task);
                self.note(
                    &[line],
                    &format!("{prefix}{} refused", task.label(self.def)),
                );
            }
            EventKind::CompensationBegun { reason } => self.note(
                &[coordinator],
                &format!("{prefix}compensation begins: {}", reason.label()),
            ),
            EventKind::SagaEnded { outcome } => self.note(
                &[Lifeline::Customer],
                &format!("{prefix}saga ended: {}", outcome.as_str()),
            ),
            EventKind::ManualIntervention { task, reason } => self.note(
                &[coordinator],
                &format!(
                    "{prefix}needs a person: {} ({})",
                    task.label(self.def),
                    reason.label()
                ),
            ),
            EventKind::CancelRequested => {
                self.note(&[Lifeline::Customer], &format!("{prefix}cancel requested"));
            }
            EventKind::ServiceDown { service } => {
                self.note(&[Lifeline::Service(*service)], "service down");
            }
            EventKind::ServiceUp { service } => {
                self.note(&[Lifeline::Service(*service)], "service back up");
            }
            EventKind::DatabaseDown { service } => self.database_note(*service, "down"),
            EventKind::DatabaseUp { service } => self.database_note(*service, "back up"),
            EventKind::OrchestratorCrashed => self.note(
                &[Lifeline::Orchestrator],
                "orchestrator crashed (its saga log survives)",
            ),
            EventKind::OrchestratorRecovered { resumed, replayed } => self.note(
                &[Lifeline::Orchestrator],
                &format!(
                    "orchestrator recovered: {replayed} log records replayed, {resumed} sagas resumed"
                ),
            ),
            EventKind::Received {
                queue,
                message,
                receive_count,
            } if *receive_count > 1 => {
                let label = self.message_label(*message);
                self.note(
                    &[Lifeline::Queue(*queue)],
                    &format!("{prefix}{label} delivered again (receive {receive_count})"),
                );
            }
            EventKind::DeadLettered { queue, message } => {
                let label = self.message_label(*message);
                self.note(
                    &[Lifeline::Queue(*queue), Lifeline::DeadLetters],
                    &format!("{prefix}dead-lettered: {label}"),
                );
            }
            EventKind::Redriven { queue, message } => {
                let label = self.message_label(*message);
                self.note(
                    &[Lifeline::Queue(*queue), Lifeline::DeadLetters],
                    &format!("{prefix}redriven to its queue: {label}"),
                );
            }
            EventKind::FaultInjected { spec, .. } => {
                let over = self.fault_line(spec);
                self.note(
                    &[over],
                    &format!("fault: {}", spec.describe(self.scenario)),
                );
            }
            EventKind::FaultCleared {
                fault,
                reason: ClearReason::Removed,
            } => {
                if let Some(spec) = self.faults.get(fault).cloned() {
                    let over = self.fault_line(&spec);
                    self.note(
                        &[over],
                        &format!("fault removed: {}", spec.describe(self.scenario)),
                    );
                }
            }
            _ => {}
        }
    }

    fn fault_line(&self, spec: &FaultSpec) -> Lifeline {
        spec.service(self.scenario)
            .map(Lifeline::Service)
            .unwrap_or_else(|| self.coordinator())
    }

    fn database_note(&mut self, service: Option<ServiceId>, what: &str) {
        match service {
            Some(s) => self.note(&[Lifeline::Service(s)], &format!("database {what}")),
            None => {
                let first = ServiceId::ALL[0];
                let last = ServiceId::ALL[ServiceId::ALL.len() - 1];
                self.note(
                    &[Lifeline::Service(first), Lifeline::Service(last)],
                    &format!("shared database {what}: every service"),
                );
            }
        }
    }
}

fn single_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Makes text safe for a Mermaid message or note: entity codes for the characters Mermaid
/// gives a meaning (`#`, `;`, `<`, `>`), and one line.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_character_mermaid_reads() {
        let e = escape("a;b#c<d>e\nf\r\tg");
        assert_eq!(e, "a#59;b#35;c#60;d#62;e f  g");
    }
}
