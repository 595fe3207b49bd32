//! Reading the trace into spans with times: which attempt, wait or outage each event opens or
//! closes, before anything has a position. One coherent reader, so it is longer than the
//! other files of the timeline; its tests are in `read/tests.rs`.

use std::collections::HashMap;

use crate::engine::definition::ServiceId;
use crate::engine::event::{Event, EventKind, FailReason};
use crate::engine::message::{Body, MessageId, Node, SagaId, Task, TaskResult};
use crate::engine::scenario::Coordination;
use crate::view::format::{duration, seconds};

use super::{GanttInput, RowKey, SpanKind, SpanOutcome};

/// Reads the whole trace: every span with its times (an open span still has no end).
pub(super) fn raw_spans(input: &GanttInput) -> Vec<Raw> {
    let mut reader = Reader::new(input);
    for e in input.trace {
        reader.read(e);
    }
    reader.raws
}

/// A span while the trace is read: times, not yet positions.
#[derive(Debug, Clone)]
pub(super) struct Raw {
    pub(super) row: RowKey,
    pub(super) kind: SpanKind,
    pub(super) saga: Option<SagaId>,
    pub(super) task: Option<Task>,
    pub(super) attempt: Option<u32>,
    pub(super) start_ms: u64,
    /// `None` while open.
    pub(super) end_ms: Option<u64>,
    pub(super) outcome: SpanOutcome,
    pub(super) label: String,
    pub(super) detail: String,
    pub(super) seq: u64,
    pub(super) events: Vec<u64>,
    /// The queue message that caused it (choreography attempts, visibility waits).
    message: Option<MessageId>,
}

impl Raw {
    fn new(row: RowKey, kind: SpanKind, at: u64, seq: u64, label: String) -> Self {
        Raw {
            row,
            kind,
            saga: None,
            task: None,
            attempt: None,
            start_ms: at,
            end_ms: None,
            outcome: SpanOutcome::Running,
            label,
            detail: String::new(),
            seq,
            events: vec![seq],
            message: None,
        }
    }

    fn add_detail(&mut self, text: &str) {
        if !self.detail.is_empty() {
            self.detail.push_str("; ");
        }
        self.detail.push_str(text);
    }
}

/// Which outage a band stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Outage {
    Service(ServiceId),
    Database(Option<ServiceId>),
    Orchestrator,
}

/// Reads the trace into spans with times.
struct Reader<'a> {
    input: &'a GanttInput<'a>,
    raws: Vec<Raw>,
    /// Message bodies and receivers, by id.
    sent: HashMap<MessageId, (Node, Body)>,
    /// The attempt of the command a service last received, by saga and task.
    last_command: HashMap<(SagaId, Task), u32>,
    /// The message each saga last received from a queue (choreography).
    last_received: HashMap<SagaId, MessageId>,
    /// When each message was last received.
    received_at: HashMap<MessageId, u64>,
    /// Open visibility waits, by message.
    hidden: HashMap<MessageId, usize>,
    /// Open dead-letter waits, by message.
    dead: HashMap<MessageId, usize>,
    /// Open outage bands.
    outages: HashMap<Outage, Vec<usize>>,
    /// Attempt spans not yet closed, oldest first.
    open: Vec<usize>,
    /// The latest attempt span of each (saga, task, attempt).
    attempts: HashMap<(SagaId, Task, u32), usize>,
}

impl<'a> Reader<'a> {
    fn new(input: &'a GanttInput<'a>) -> Self {
        let sent = input
            .messages
            .iter()
            .map(|m| (m.id, (m.to, m.body)))
            .collect();
        Reader {
            input,
            raws: Vec::new(),
            sent,
            last_command: HashMap::new(),
            last_received: HashMap::new(),
            received_at: HashMap::new(),
            hidden: HashMap::new(),
            dead: HashMap::new(),
            outages: HashMap::new(),
            open: Vec::new(),
            attempts: HashMap::new(),
        }
    }

    fn orchestrated(&self) -> bool {
        self.input.scenario.coordination == Coordination::Orchestration
    }

    fn task_row(&self, task: Task) -> Option<RowKey> {
        task.service(&self.input.scenario.definition)
            .map(RowKey::Service)
    }

    fn task_label(&self, task: Task) -> String {
        let name = task.label(&self.input.scenario.definition);
        match task {
            Task::Compensate(_) => format!("undo {name}"),
            _ => name,
        }
    }

    /// The open attempt a service's answer belongs to: the attempt of the command it received
    /// (orchestration; a late answer to an attempt already given up on belongs to none), else
    /// the oldest open one.
    fn open_work(&self, saga: SagaId, task: Task) -> Option<usize> {
        match self.last_command.get(&(saga, task)) {
            Some(&attempt) => self
                .work_of(saga, task, attempt)
                .filter(|&i| self.raws.get(i).is_some_and(|r| r.end_ms.is_none())),
            None => self.open.iter().copied().find(|&i| {
                self.raws.get(i).is_some_and(|r| {
                    r.end_ms.is_none() && r.saga == Some(saga) && r.task == Some(task)
                })
            }),
        }
    }

    /// The latest attempt span of a task's attempt, open or not.
    fn work_of(&self, saga: SagaId, task: Task, attempt: u32) -> Option<usize> {
        self.attempts.get(&(saga, task, attempt)).copied()
    }

    fn close(&mut self, index: usize, at: u64, seq: u64, outcome: SpanOutcome) {
        self.open.retain(|&i| i != index);
        if let Some(r) = self.raws.get_mut(index) {
            r.end_ms = Some(at.max(r.start_ms));
            r.outcome = outcome;
            r.events.push(seq);
        }
    }

    /// An attempt ended at the service.
    fn finish(&mut self, e: &Event, saga: SagaId, task: Task, outcome: SpanOutcome, note: &str) {
        match self.open_work(saga, task) {
            Some(i) => {
                self.close(i, e.at_ms, e.seq, outcome);
                if let Some(r) = self.raws.get_mut(i) {
                    r.add_detail(note);
                }
                let message = self.raws.get(i).and_then(|r| r.message);
                if outcome == SpanOutcome::Failed && !self.orchestrated() {
                    if let Some(m) = message {
                        self.open_visibility_wait(e, saga, task, m);
                    }
                }
            }
            None => {
                // A late answer to an attempt already given up on, or a copy of its command
                // handled again: say so on that attempt.
                let attempt = self.last_command.get(&(saga, task)).copied();
                if let Some(i) = attempt.and_then(|a| self.work_of(saga, task, a)) {
                    let at = seconds(e.at_ms);
                    if let Some(r) = self.raws.get_mut(i) {
                        let what = if r.outcome == SpanOutcome::TimedOut {
                            "answered late"
                        } else {
                            "handled again"
                        };
                        r.add_detail(&format!("{what} at {at}: {note}"));
                        r.events.push(e.seq);
                    }
                }
            }
        }
    }

    fn open_visibility_wait(&mut self, e: &Event, saga: SagaId, task: Task, message: MessageId) {
        let Some(row) = self.task_row(task) else {
            return;
        };
        let mut raw = Raw::new(
            row,
            SpanKind::VisibilityWait,
            e.at_ms,
            e.seq,
            "visibility timeout".to_string(),
        );
        raw.saga = Some(saga);
        raw.task = Some(task);
        raw.message = Some(message);
        self.hidden.insert(message, self.raws.len());
        self.raws.push(raw);
    }

    fn end_visibility_wait(&mut self, e: &Event, message: MessageId, redelivered: bool) {
        if let Some(i) = self.hidden.remove(&message) {
            self.close(i, e.at_ms, e.seq, SpanOutcome::Ok);
            let since = self.received_at.get(&message).copied();
            if let (Some(r), Some(since)) = (self.raws.get_mut(i), since) {
                let gap = duration(e.at_ms.saturating_sub(since));
                if redelivered {
                    r.add_detail(&format!("delivered again {gap} after it was received"));
                } else {
                    r.add_detail("left the queue");
                }
            }
        }
    }

    /// A message seen again (or dead-lettered) while the attempt it began never finished: the
    /// consumer hung, and the queue gave the message out again after its visibility timeout.
    fn end_hung(&mut self, e: &Event, message: MessageId) {
        let hung: Vec<usize> = self
            .open
            .iter()
            .copied()
            .filter(|&i| self.raws.get(i).is_some_and(|r| r.message == Some(message)))
            .collect();
        for i in hung {
            self.close(i, e.at_ms, e.seq, SpanOutcome::TimedOut);
            if let Some(r) = self.raws.get_mut(i) {
                r.add_detail("no answer before the message was given out again");
            }
        }
    }

    fn outage_start(&mut self, e: &Event, key: Outage) {
        let rows: Vec<(RowKey, String)> = match key {
            Outage::Service(s) => vec![(RowKey::Service(s), format!("{} down", s.label()))],
            Outage::Database(Some(s)) => {
                vec![(RowKey::Service(s), format!("{} database down", s.label()))]
            }
            Outage::Database(None) => ServiceId::ALL
                .iter()
                .map(|&s| (RowKey::Service(s), "shared database down".to_string()))
                .collect(),
            Outage::Orchestrator if self.orchestrated() => {
                vec![(RowKey::Orchestrator, "orchestrator down".to_string())]
            }
            Outage::Orchestrator => Vec::new(),
        };
        if self.outages.get(&key).is_some_and(|v| !v.is_empty()) {
            return;
        }
        let mut indices = Vec::new();
        for (row, label) in rows {
            indices.push(self.raws.len());
            self.raws
                .push(Raw::new(row, SpanKind::Down, e.at_ms, e.seq, label));
        }
        self.outages.insert(key, indices);
    }

    fn outage_end(&mut self, e: &Event, key: Outage) {
        for i in self.outages.remove(&key).unwrap_or_default() {
            self.close(i, e.at_ms, e.seq, SpanOutcome::Ok);
        }
    }

    fn read(&mut self, e: &Event) {
        let saga = e.saga;
        match (&e.kind, saga) {
            (
                EventKind::MessageSent {
                    message, to, body, ..
                },
                _,
            ) => {
                self.sent.insert(*message, (*to, *body));
                self.note_command(e, *message);
            }
            (EventKind::MessageArrived { message }, Some(saga)) => {
                if let Some((Node::Service(_), Body::Command { task, attempt, .. })) =
                    self.sent.get(message).copied()
                {
                    self.last_command.insert((saga, task), attempt);
                }
                self.note_command(e, *message);
            }
            (EventKind::TaskStarted { task, attempt }, Some(saga)) => {
                self.task_started(e, saga, *task, *attempt);
            }
            (
                EventKind::TaskApplied {
                    task,
                    result,
                    changed,
                    ..
                },
                Some(saga),
            ) => {
                let (outcome, note) = match result {
                    TaskResult::Done if *changed => (SpanOutcome::Ok, "done"),
                    TaskResult::Done => (SpanOutcome::Ok, "done, nothing to change"),
                    TaskResult::BusinessFailure => (SpanOutcome::Refused, "refused"),
                    TaskResult::TransientError => (SpanOutcome::Failed, "error"),
                };
                self.finish(e, saga, *task, outcome, note);
            }
            (EventKind::DuplicateIgnored { task, .. }, Some(saga)) => {
                self.finish(e, saga, *task, SpanOutcome::Ok, "duplicate ignored");
            }
            (EventKind::TaskFailed { task, reason, .. }, Some(saga)) => {
                if *reason == FailReason::NoReply {
                    // The service keeps quiet: the attempt stays open until the timeout.
                    if let Some(i) = self.open_work(saga, *task) {
                        if let Some(r) = self.raws.get_mut(i) {
                            r.add_detail("the service does not answer");
                            r.events.push(e.seq);
                        }
                    }
                } else {
                    self.finish(e, saga, *task, SpanOutcome::Failed, reason.label());
                }
            }
            (EventKind::TimedOut { task, attempt }, Some(saga)) => {
                self.timed_out(e, saga, *task, *attempt);
            }
            (
                EventKind::RetryScheduled {
                    task,
                    attempt,
                    delay_ms,
                },
                Some(saga),
            ) => {
                let row = if self.orchestrated() {
                    Some(RowKey::Orchestrator)
                } else {
                    self.task_row(*task)
                };
                if let Some(row) = row {
                    let mut raw = Raw::new(
                        row,
                        SpanKind::BackoffWait,
                        e.at_ms,
                        e.seq,
                        format!("backoff {}", duration(*delay_ms)),
                    );
                    raw.saga = Some(saga);
                    raw.task = Some(*task);
                    raw.attempt = Some(*attempt);
                    raw.detail =
                        format!("{} waits before attempt {attempt}", self.task_label(*task));
                    let end = e.at_ms.saturating_add(*delay_ms);
                    if end <= self.input.now_ms {
                        raw.end_ms = Some(end);
                        raw.outcome = SpanOutcome::Ok;
                    }
                    self.raws.push(raw);
                }
            }
            (
                EventKind::Received {
                    message,
                    receive_count,
                    ..
                },
                Some(saga),
            ) => {
                self.end_hung(e, *message);
                self.end_visibility_wait(e, *message, *receive_count > 1);
                self.last_received.insert(saga, *message);
                self.received_at.insert(*message, e.at_ms);
            }
            (EventKind::DeadLettered { queue, message }, _) => {
                self.end_hung(e, *message);
                self.end_visibility_wait(e, *message, false);
                let mut raw = Raw::new(
                    RowKey::Service(*queue),
                    SpanKind::DeadLetter,
                    e.at_ms,
                    e.seq,
                    "dead-letter queue".to_string(),
                );
                raw.saga = e.saga;
                raw.message = Some(*message);
                raw.detail = "received too often; waits for a redrive".to_string();
                self.dead.insert(*message, self.raws.len());
                self.raws.push(raw);
            }
            (EventKind::Redriven { message, .. }, _) => {
                if let Some(i) = self.dead.remove(message) {
                    self.close(i, e.at_ms, e.seq, SpanOutcome::Ok);
                    if let Some(r) = self.raws.get_mut(i) {
                        r.add_detail("redriven");
                    }
                }
            }
            (EventKind::Deleted { message, .. }, _) => {
                self.end_visibility_wait(e, *message, false);
            }
            (EventKind::ServiceDown { service }, _) => {
                self.outage_start(e, Outage::Service(*service));
            }
            (EventKind::ServiceUp { service }, _) => self.outage_end(e, Outage::Service(*service)),
            (EventKind::DatabaseDown { service }, _) => {
                self.outage_start(e, Outage::Database(*service));
            }
            (EventKind::DatabaseUp { service }, _) => {
                self.outage_end(e, Outage::Database(*service));
            }
            (EventKind::OrchestratorCrashed, _) => self.outage_start(e, Outage::Orchestrator),
            (EventKind::OrchestratorRecovered { .. }, _) => {
                self.outage_end(e, Outage::Orchestrator);
            }
            _ => {}
        }
    }

    /// A command's sending and arrival belong to its attempt.
    fn note_command(&mut self, e: &Event, message: MessageId) {
        if let (Some(saga), Some((Node::Service(_), Body::Command { task, attempt, .. }))) =
            (e.saga, self.sent.get(&message).copied())
        {
            if let Some(i) = self.work_of(saga, task, attempt) {
                if let Some(r) = self.raws.get_mut(i) {
                    if r.end_ms.is_none() && !r.events.contains(&e.seq) {
                        r.events.push(e.seq);
                    }
                }
            }
        }
    }

    fn task_started(&mut self, e: &Event, saga: SagaId, task: Task, attempt: u32) {
        let Some(row) = self.task_row(task) else {
            return;
        };
        // The same attempt sent again (the orchestrator restarted): the first gets no answer.
        if let Some(i) = self.work_of(saga, task, attempt) {
            if self.raws.get(i).is_some_and(|r| r.end_ms.is_none()) {
                self.close(i, e.at_ms, e.seq, SpanOutcome::Failed);
                if let Some(r) = self.raws.get_mut(i) {
                    r.add_detail("no answer; sent again");
                }
            }
        }
        let kind = match task {
            Task::Compensate(_) => SpanKind::Compensation,
            _ => SpanKind::Attempt,
        };
        let name = self.task_label(task);
        let label = if attempt > 1 {
            format!("{name} · attempt {attempt}")
        } else {
            name
        };
        let mut raw = Raw::new(row, kind, e.at_ms, e.seq, label);
        raw.saga = Some(saga);
        raw.task = Some(task);
        raw.attempt = Some(attempt);
        if !self.orchestrated() {
            raw.message = self.last_received.get(&saga).copied();
        }
        let index = self.raws.len();
        self.open.push(index);
        self.attempts.insert((saga, task, attempt), index);
        self.raws.push(raw);
    }

    fn timed_out(&mut self, e: &Event, saga: SagaId, task: Task, attempt: u32) {
        let work = self.work_of(saga, task, attempt);
        let (start_ms, start_seq) = match work.and_then(|i| self.raws.get(i)) {
            Some(r) => (r.start_ms, r.seq),
            None => (e.at_ms, e.seq),
        };
        if let Some(i) = work {
            if self.raws.get(i).is_some_and(|r| r.end_ms.is_none()) {
                self.close(i, e.at_ms, e.seq, SpanOutcome::TimedOut);
                if let Some(r) = self.raws.get_mut(i) {
                    r.add_detail("no reply in time");
                }
            } else if let Some(r) = self.raws.get_mut(i) {
                r.events.push(e.seq);
            }
        }
        if self.orchestrated() {
            let mut raw = Raw::new(
                RowKey::Orchestrator,
                SpanKind::Timeout,
                start_ms,
                start_seq,
                format!("timeout · {}", self.task_label(task)),
            );
            raw.saga = Some(saga);
            raw.task = Some(task);
            raw.attempt = Some(attempt);
            raw.events.push(e.seq);
            raw.end_ms = Some(e.at_ms.max(start_ms));
            raw.outcome = SpanOutcome::TimedOut;
            raw.detail = format!("waited for the reply to attempt {attempt}; none came in time");
            self.raws.push(raw);
        }
    }
}

#[cfg(test)]
mod tests;
