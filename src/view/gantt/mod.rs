//! The timeline (Gantt) view of a run: one row per service (and the orchestrator), time going
//! right.
//!
//! Each step attempt is a span on its service's row, each retry its own span; compensations are
//! hatched and say "undo"; the orchestrator's waits (backoff, reply timeout) and a queue's
//! visibility timeout are dashed spans; outages are grey bands; a line marks now. Spans of
//! different sagas on one row go to their own sub-lanes, so they never cover each other.
//!
//! [`layout`] computes every position (tested natively); [`gantt_svg`] writes the markup. Each
//! span selects the event that began it (`data-action="select-event"`, `data-seq`).

use std::collections::HashMap;
use std::fmt::Write;

use crate::engine::definition::ServiceId;
use crate::engine::event::{Event, EventKind, FailReason};
use crate::engine::message::{Body, Message, MessageId, Node, SagaId, Task, TaskResult};
use crate::engine::scenario::{Coordination, Scenario};

use super::format::{duration, escape, saga_colour, saga_letter, seconds, Num};

/// What the timeline is drawn from.
#[derive(Debug, Clone, Copy)]
pub struct GanttInput<'a> {
    /// The scenario being run.
    pub scenario: &'a Scenario,
    /// The trace so far.
    pub trace: &'a [Event],
    /// Every message so far.
    pub messages: &'a [Message],
    /// The clock: open spans run to here.
    pub now_ms: u64,
    /// The selected event's `seq`.
    pub selected: Option<u64>,
}

/// Whose row it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKey {
    /// The orchestrator (orchestration only): its timeouts and backoffs.
    Orchestrator,
    /// A service.
    Service(ServiceId),
}

impl RowKey {
    /// The stable lower-case name (`data-row`).
    pub fn as_str(self) -> &'static str {
        match self {
            RowKey::Orchestrator => "orchestrator",
            RowKey::Service(s) => s.as_str(),
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            RowKey::Orchestrator => "Orchestrator",
            RowKey::Service(s) => s.label(),
        }
    }
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct GanttRow {
    /// Whose row.
    pub key: RowKey,
    /// Top edge.
    pub y: f64,
    /// Height (all its lanes).
    pub height: f64,
    /// Its sub-lanes, top to bottom, each with the saga it holds (`None`: an empty row's lane).
    pub lanes: Vec<Option<SagaId>>,
}

/// What a span stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpanKind {
    /// One attempt at a forward task (or the failure notice).
    Attempt,
    /// One attempt at a compensation.
    Compensation,
    /// The orchestrator waiting before a retry.
    BackoffWait,
    /// A received message hidden in its queue until it is delivered again.
    VisibilityWait,
    /// The orchestrator waiting for a reply that did not come in time.
    Timeout,
    /// A message in the dead-letter queue, waiting for a person to redrive it.
    DeadLetter,
    /// A service, its database or the orchestrator down (a band across the row).
    Down,
}

impl SpanKind {
    /// The class and `data-kind` suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Attempt => "attempt",
            SpanKind::Compensation => "compensation",
            SpanKind::BackoffWait => "backoff",
            SpanKind::VisibilityWait => "visibility",
            SpanKind::Timeout => "timeout",
            SpanKind::DeadLetter => "dead-letter",
            SpanKind::Down => "down",
        }
    }

    /// A wait rather than work.
    pub fn is_wait(self) -> bool {
        matches!(
            self,
            SpanKind::BackoffWait
                | SpanKind::VisibilityWait
                | SpanKind::Timeout
                | SpanKind::DeadLetter
        )
    }
}

/// How a span ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpanOutcome {
    /// Done (a wait or outage: over).
    Ok,
    /// Failed in a way a retry may fix.
    Failed,
    /// A business rule said no.
    Refused,
    /// No reply in time.
    TimedOut,
    /// Not over yet: it runs to now.
    Running,
}

impl SpanOutcome {
    /// The class and `data-outcome` suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanOutcome::Ok => "ok",
            SpanOutcome::Failed => "failed",
            SpanOutcome::Refused => "refused",
            SpanOutcome::TimedOut => "timed-out",
            SpanOutcome::Running => "running",
        }
    }

    /// A mark that tells the outcome without colour.
    fn icon(self) -> &'static str {
        match self {
            SpanOutcome::Ok => "✓",
            SpanOutcome::Failed => "!",
            SpanOutcome::Refused => "✕",
            SpanOutcome::TimedOut => "?",
            SpanOutcome::Running => "…",
        }
    }
}

/// One bar of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// Index in [`GanttLayout::rows`].
    pub row: usize,
    /// Sub-lane in the row (`None`: a band across the whole row).
    pub lane: Option<usize>,
    /// Left edge.
    pub x0: f64,
    /// Right edge (at least a few pixels right of `x0`, so an instant stays visible).
    pub x1: f64,
    /// Top edge.
    pub y: f64,
    /// Height.
    pub height: f64,
    /// When it began.
    pub start_ms: u64,
    /// When it ended (now, if it has not).
    pub end_ms: u64,
    /// What it stands for.
    pub kind: SpanKind,
    /// How it ended.
    pub outcome: SpanOutcome,
    /// Short text drawn on it ("Charge card · attempt 2", "undo Refund payment", "backoff 1 s").
    pub label: String,
    /// More words for its title ("transient error", "before attempt 2").
    pub detail: String,
    /// The `seq` of the event that began it.
    pub seq: u64,
    /// Every event it stands for (selecting any of them highlights it).
    pub events: Vec<u64>,
    /// The saga it belongs to (`None` for an outage).
    pub saga: Option<SagaId>,
    /// The task, for attempts, compensations and the waits around them.
    pub task: Option<Task>,
    /// The attempt (orchestration) or receive count (choreography).
    pub attempt: Option<u32>,
}

/// A labelled mark on the time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Its time.
    pub ms: u64,
    /// Its x.
    pub x: f64,
    /// "0 s", "2.5 s".
    pub label: String,
}

/// Where everything of the timeline goes.
#[derive(Debug, Clone, PartialEq)]
pub struct GanttLayout {
    /// Rows, top to bottom.
    pub rows: Vec<GanttRow>,
    /// Spans, outage bands first.
    pub spans: Vec<Span>,
    /// Time axis ticks, left to right.
    pub axis: Vec<Tick>,
    /// Width in px.
    pub width: f64,
    /// Height in px.
    pub height: f64,
    /// Time scale.
    pub ms_per_px: f64,
    /// The now-line's x.
    pub now_x: f64,
}

impl GanttLayout {
    /// The x of a moment.
    pub fn x_of(&self, ms: u64) -> f64 {
        LABEL_W + ms as f64 / self.ms_per_px
    }
}

/// Width of the row-label column.
const LABEL_W: f64 = 140.0;
/// Space right of the plot.
const RIGHT_PAD: f64 = 24.0;
/// Height of the axis strip above the rows.
const AXIS_H: f64 = 38.0;
/// Space below the last row.
const BOTTOM_PAD: f64 = 8.0;
/// Smallest and largest overall width.
const MIN_WIDTH: f64 = 800.0;
const MAX_WIDTH: f64 = 4000.0;
/// The finest scale: 10 ms per px (an 8 s run fills the minimum width).
const MIN_MS_PER_PX: f64 = 10.0;
/// A span is never drawn narrower than this.
const MIN_SPAN_PX: f64 = 4.0;
/// Sub-lane height, gap between sub-lanes and padding inside a row.
const LANE_H: f64 = 22.0;
const LANE_GAP: f64 = 4.0;
const ROW_PAD: f64 = 6.0;
/// Span text font size (the stylesheet's `.gantt-span__text`), to decide whether a label fits.
const SPAN_FONT: f64 = 11.0;

/// A span while the trace is read: times, not yet positions.
#[derive(Debug, Clone)]
struct Raw {
    row: RowKey,
    kind: SpanKind,
    saga: Option<SagaId>,
    task: Option<Task>,
    attempt: Option<u32>,
    start_ms: u64,
    /// `None` while open.
    end_ms: Option<u64>,
    outcome: SpanOutcome,
    label: String,
    detail: String,
    seq: u64,
    events: Vec<u64>,
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

/// The rows of a style, top to bottom.
fn row_keys(coordination: Coordination) -> Vec<RowKey> {
    let services = ServiceId::ALL.iter().map(|&s| RowKey::Service(s));
    match coordination {
        Coordination::Orchestration => std::iter::once(RowKey::Orchestrator)
            .chain(services)
            .collect(),
        Coordination::Choreography => services.collect(),
    }
}

/// Tick spacing: about 6 to 12 ticks over the axis.
fn tick_step(axis_ms: f64) -> u64 {
    const MANTISSAS: [u64; 4] = [10, 20, 25, 50];
    let mut scale = 10u64;
    loop {
        for m in MANTISSAS {
            let step = m.saturating_mul(scale);
            if (axis_ms / step as f64).floor() < 12.0 || step >= u64::MAX / 100 {
                return step;
            }
        }
        scale = scale.saturating_mul(10);
    }
}

/// A tick's text: whole seconds where possible ("3 s", "1.5 s", "0.25 s").
fn tick_label(ms: u64) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        format!("{s} s")
    } else if frac % 100 == 0 {
        format!("{s}.{} s", frac / 100)
    } else {
        format!("{s}.{:02} s", frac / 10)
    }
}

/// Lays the run out: rows, spans, axis, size and scale.
pub fn layout(input: &GanttInput) -> GanttLayout {
    let mut reader = Reader::new(input);
    for e in input.trace {
        reader.read(e);
    }
    let now = input.now_ms;
    let mut raws = reader.raws;
    for r in &mut raws {
        if r.end_ms.is_none() {
            r.end_ms = Some(now.max(r.start_ms));
            r.outcome = SpanOutcome::Running;
        }
    }

    // Scale: 10 ms per px at most, shrunk so the whole run fits the widest plot.
    let last = input.trace.iter().map(|e| e.at_ms).max().unwrap_or(0);
    let span_ms = now.max(last).max(1) as f64;
    let max_plot = MAX_WIDTH - LABEL_W - RIGHT_PAD;
    let min_plot = MIN_WIDTH - LABEL_W - RIGHT_PAD;
    let ms_per_px = (span_ms / max_plot).max(MIN_MS_PER_PX);
    let plot_w = (span_ms / ms_per_px).max(min_plot);
    let width = LABEL_W + plot_w + RIGHT_PAD;
    let x_of = |ms: u64| LABEL_W + ms as f64 / ms_per_px;

    let axis_ms = plot_w * ms_per_px;
    let step = tick_step(axis_ms);
    let axis: Vec<Tick> = (0..)
        .map(|i: u64| i.saturating_mul(step))
        .take_while(|&ms| (ms as f64) <= axis_ms)
        .map(|ms| Tick {
            ms,
            x: x_of(ms),
            label: tick_label(ms),
        })
        .collect();

    // Spans with x; down bands first (drawn under the rest).
    let mut spans: Vec<(RowKey, Span)> = raws
        .into_iter()
        .map(|r| {
            let end_ms = r.end_ms.unwrap_or(now).max(r.start_ms);
            let x0 = x_of(r.start_ms);
            let span = Span {
                row: 0,
                lane: None,
                x0,
                x1: x_of(end_ms).max(x0 + MIN_SPAN_PX),
                y: 0.0,
                height: 0.0,
                start_ms: r.start_ms,
                end_ms,
                kind: r.kind,
                outcome: r.outcome,
                label: r.label,
                detail: r.detail,
                seq: r.seq,
                events: r.events,
                saga: r.saga,
                task: r.task,
                attempt: r.attempt,
            };
            (r.row, span)
        })
        .collect();
    spans.sort_by_key(|s| (s.1.kind != SpanKind::Down, s.1.start_ms, s.1.seq));

    // Rows and sub-lanes: per row, per saga, first fit by start.
    let keys = row_keys(input.scenario.coordination);
    let mut rows = Vec::with_capacity(keys.len());
    let mut y = AXIS_H;
    let mut placed: Vec<Span> = Vec::with_capacity(spans.len());
    let mut pending = spans;
    for (row_index, key) in keys.iter().enumerate() {
        let (mine, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(k, _)| k == key);
        pending = rest;
        let mut sagas: Vec<SagaId> = mine
            .iter()
            .filter(|(_, s)| s.kind != SpanKind::Down)
            .filter_map(|(_, s)| s.saga)
            .collect();
        sagas.sort_unstable();
        sagas.dedup();
        let mut lanes: Vec<(Option<SagaId>, f64)> = Vec::new();
        let mut row_spans: Vec<Span> = Vec::new();
        for saga in &sagas {
            let first_lane = lanes.len();
            for (_, mut s) in mine
                .iter()
                .filter(|(_, s)| s.kind != SpanKind::Down && s.saga == Some(*saga))
                .cloned()
            {
                let free = (first_lane..lanes.len())
                    .find(|&l| lanes.get(l).is_some_and(|&(_, end)| end <= s.x0));
                let lane = match free {
                    Some(l) => l,
                    None => {
                        lanes.push((Some(*saga), s.x1));
                        lanes.len() - 1
                    }
                };
                if let Some(slot) = lanes.get_mut(lane) {
                    slot.1 = s.x1;
                }
                s.lane = Some(lane);
                row_spans.push(s);
            }
        }
        if lanes.is_empty() {
            lanes.push((None, 0.0));
        }
        let n = lanes.len() as f64;
        let height = 2.0 * ROW_PAD + n * LANE_H + (n - 1.0) * LANE_GAP;
        for (_, mut s) in mine.into_iter().filter(|(_, s)| s.kind == SpanKind::Down) {
            s.row = row_index;
            s.y = y;
            s.height = height;
            placed.push(s);
        }
        for mut s in row_spans {
            s.row = row_index;
            let lane = s.lane.unwrap_or(0) as f64;
            s.y = y + ROW_PAD + lane * (LANE_H + LANE_GAP);
            s.height = LANE_H;
            placed.push(s);
        }
        rows.push(GanttRow {
            key: *key,
            y,
            height,
            lanes: lanes.into_iter().map(|(saga, _)| saga).collect(),
        });
        y += height;
    }
    placed.sort_by(|a, b| {
        (a.kind != SpanKind::Down)
            .cmp(&(b.kind != SpanKind::Down))
            .then(a.start_ms.cmp(&b.start_ms))
            .then(a.seq.cmp(&b.seq))
            .then(a.row.cmp(&b.row))
    });

    GanttLayout {
        rows,
        spans: placed,
        axis,
        width,
        height: y + BOTTOM_PAD,
        ms_per_px,
        now_x: x_of(now),
    }
}

/// The words an outcome reads as, for a span's kind.
fn outcome_words(kind: SpanKind, outcome: SpanOutcome) -> &'static str {
    match (kind, outcome) {
        (SpanKind::Down, SpanOutcome::Running) => "still down",
        (SpanKind::Down, _) => "back up",
        (k, SpanOutcome::Running) if k.is_wait() => "still waiting",
        (SpanKind::Timeout, _) => "timed out",
        (k, _) if k.is_wait() => "over",
        (_, SpanOutcome::Ok) => "done",
        (_, SpanOutcome::Failed) => "failed",
        (_, SpanOutcome::Refused) => "refused",
        (_, SpanOutcome::TimedOut) => "timed out",
        (_, SpanOutcome::Running) => "still running",
    }
}

/// What a span says to a screen reader and in its tooltip.
pub fn span_description(span: &Span, row: RowKey) -> String {
    let mut text = String::new();
    if let Some(saga) = span.saga {
        let _ = write!(text, "Saga {}: ", saga_letter(saga));
    }
    let _ = write!(
        text,
        "{} on {}, {}, {} to {}",
        span.label,
        row.label(),
        outcome_words(span.kind, span.outcome),
        seconds(span.start_ms),
        seconds(span.end_ms)
    );
    if !span.detail.is_empty() {
        let _ = write!(text, " ({})", span.detail);
    }
    text
}

/// Rough width of a span's text, with its padding.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * SPAN_FONT * 0.6 + 8.0
}

fn text_fits(text: &str, width: f64) -> bool {
    text_width(text) <= width
}

/// The whole timeline as an `<svg>` element.
pub fn gantt_svg(input: &GanttInput) -> String {
    let g = layout(input);
    let mut out = String::with_capacity(8 * 1024 + g.spans.len() * 600);
    let (w, h) = (Num(g.width), Num(g.height));
    let _ = write!(
        out,
        r#"<svg class="gantt" data-testid="gantt-view" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="group" aria-label="Timeline of the run: one row per {}, time to the right">"#,
        match input.scenario.coordination {
            Coordination::Orchestration => "service and the orchestrator",
            Coordination::Choreography => "service",
        }
    );
    out.push_str(concat!(
        r#"<defs><pattern id="gantt-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">"#,
        r#"<line class="gantt__hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>"#
    ));

    // Rows and their labels.
    out.push_str(r#"<g class="gantt__rows">"#);
    let several = input.scenario.sagas.len() > 1;
    for (i, row) in g.rows.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect class="gantt__row gantt__row--{}" data-row="{}" x="0" y="{}" width="{w}" height="{}"/>"#,
            if i % 2 == 0 { "even" } else { "odd" },
            row.key.as_str(),
            Num(row.y),
            Num(row.height)
        );
        let _ = write!(
            out,
            r#"<text class="gantt__row-label" x="10" y="{}">{}</text>"#,
            Num(row.y + ROW_PAD + LANE_H / 2.0 + 4.0),
            escape(row.key.label())
        );
        if several {
            for (lane, saga) in row.lanes.iter().enumerate() {
                if let Some(saga) = saga {
                    let _ = write!(
                        out,
                        r#"<text class="gantt__lane-label saga-{}" x="{}" y="{}" text-anchor="end">{}</text>"#,
                        saga_colour(*saga),
                        Num(LABEL_W - 8.0),
                        Num(row.y
                            + ROW_PAD
                            + lane as f64 * (LANE_H + LANE_GAP)
                            + LANE_H / 2.0
                            + 4.0),
                        saga_letter(*saga)
                    );
                }
            }
        }
    }
    out.push_str("</g>");

    // Axis.
    out.push_str(r#"<g class="gantt__axis" aria-hidden="true">"#);
    for t in &g.axis {
        let _ = write!(
            out,
            r#"<line class="gantt__tick" x1="{x}" y1="{}" x2="{x}" y2="{}"/><text class="gantt__tick-label" x="{x}" y="{}" text-anchor="middle">{}</text>"#,
            Num(AXIS_H - 6.0),
            Num(g.height - BOTTOM_PAD),
            Num(AXIS_H - 10.0),
            escape(&t.label),
            x = Num(t.x)
        );
    }
    out.push_str("</g>");

    // Spans.
    out.push_str(r#"<g class="gantt__spans">"#);
    // Where the next span on each lane begins, for labels drawn outside narrow spans.
    let mut starts: HashMap<(usize, usize), Vec<f64>> = HashMap::new();
    for s in &g.spans {
        if let Some(lane) = s.lane {
            starts.entry((s.row, lane)).or_default().push(s.x0);
        }
    }
    for v in starts.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    for span in &g.spans {
        let Some(row) = g.rows.get(span.row) else {
            continue;
        };
        let room = match span.lane {
            Some(lane) => starts
                .get(&(span.row, lane))
                .and_then(|v| v.iter().copied().find(|&x| x >= span.x1))
                .unwrap_or(g.width),
            // A band's label goes where no span of its row is drawn.
            None => g
                .spans
                .iter()
                .filter(|s| s.row == span.row && s.lane.is_some())
                // Counting the label a narrow span may draw to its right.
                .filter(|s| s.x1 + text_width(&s.label) > span.x0)
                .map(|s| s.x0.max(span.x0))
                .fold(span.x1, f64::min),
        };
        span_svg(&mut out, span, row.key, input.selected, room);
    }
    out.push_str("</g>");

    let now_x = Num(g.now_x);
    let _ = write!(
        out,
        r#"<g class="gantt__now" data-testid="gantt-now"><line class="gantt__now-line" x1="{now_x}" y1="{}" x2="{now_x}" y2="{}"/><text class="gantt__now-label" x="{now_x}" y="{}" text-anchor="{}">now {}</text></g>"#,
        Num(AXIS_H - 4.0),
        Num(g.height - BOTTOM_PAD),
        Num(12.0),
        if g.now_x > g.width - 60.0 {
            "end"
        } else {
            "middle"
        },
        escape(&seconds(input.now_ms))
    );
    out.push_str("</svg>");
    out
}

/// The mark that tells a span's outcome without colour.
fn span_icon(span: &Span) -> &'static str {
    match (span.kind, span.outcome) {
        (_, SpanOutcome::Running) => "…",
        (k, _) if k.is_wait() => "",
        (_, outcome) => outcome.icon(),
    }
}

/// Draws one span; `room` is the x where the next span on its lane begins (or the plot's end;
/// for a band, where the first span of its row covers it).
fn span_svg(out: &mut String, span: &Span, row: RowKey, selected: Option<u64>, room: f64) {
    let is_selected = selected.is_some_and(|s| span.events.contains(&s));
    let description = escape(&span_description(span, row));
    let saga_class = span
        .saga
        .map(|s| format!(" saga-{}", saga_colour(s)))
        .unwrap_or_default();
    let _ = write!(
        out,
        r#"<g class="gantt-span gantt-span--{kind} gantt-span--{outcome}{saga_class}{sel}" data-kind="{kind}" data-outcome="{outcome}" data-row="{row_name}" data-action="select-event" data-seq="{seq}" tabindex="0" role="button" aria-label="{description}"{current}><title>{description}</title>"#,
        kind = span.kind.as_str(),
        outcome = span.outcome.as_str(),
        sel = if is_selected {
            " gantt-span--selected"
        } else {
            ""
        },
        row_name = row.as_str(),
        seq = span.seq,
        current = if is_selected {
            r#" aria-current="true""#
        } else {
            ""
        },
    );
    let (x, y, w, h) = (
        Num(span.x0),
        Num(span.y),
        Num(span.x1 - span.x0),
        Num(span.height),
    );
    let _ = write!(
        out,
        r#"<rect class="gantt-span__box" x="{x}" y="{y}" width="{w}" height="{h}" rx="3"/>"#
    );
    if span.kind == SpanKind::Compensation {
        let _ = write!(
            out,
            r#"<rect class="gantt-span__hatch" x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="url(#gantt-hatch)"/>"#
        );
    }
    if span.kind != SpanKind::Down {
        let width = span.x1 - span.x0;
        let icon = span_icon(span);
        let full = format!("{icon} {}", span.label).trim_start().to_string();
        let short = match span.kind {
            SpanKind::Compensation => format!("{icon} undo").trim_start().to_string(),
            _ => icon.to_string(),
        };
        let y = Num(span.y + span.height / 2.0 + 4.0);
        if text_fits(&full, width) {
            let _ = write!(
                out,
                r#"<text class="gantt-span__text" x="{}" y="{y}">{}</text>"#,
                Num(span.x0 + 4.0),
                escape(&full)
            );
        } else {
            // Too narrow: a short mark inside, the label outside if the lane has room.
            let short_fits = !short.is_empty() && text_fits(&short, width);
            if short_fits {
                let _ = write!(
                    out,
                    r#"<text class="gantt-span__text" x="{}" y="{y}">{}</text>"#,
                    Num(span.x0 + 4.0),
                    escape(&short)
                );
            }
            let outside = if short_fits { span.label.clone() } else { full };
            if text_fits(&outside, room - span.x1) {
                let _ = write!(
                    out,
                    r#"<text class="gantt-span__text gantt-span__text--outside" x="{}" y="{y}">{}</text>"#,
                    Num(span.x1 + 2.0),
                    escape(&outside)
                );
            }
        }
    } else if text_fits(&span.label, room - span.x0) {
        let _ = write!(
            out,
            r#"<text class="gantt-span__band-text" x="{}" y="{}">{}</text>"#,
            Num(span.x0 + 4.0),
            Num(span.y + span.height / 2.0 + 4.0),
            escape(&span.label)
        );
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets::{self, PRESETS};
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;

    const STYLES: [Coordination; 2] = [Coordination::Orchestration, Coordination::Choreography];

    /// A preset run to its end (or to `until_ms`), with its trace, messages and clock.
    struct Run {
        scenario: Scenario,
        trace: Vec<Event>,
        messages: Vec<Message>,
        now_ms: u64,
    }

    impl Run {
        fn input(&self, selected: Option<u64>) -> GanttInput<'_> {
            GanttInput {
                scenario: &self.scenario,
                trace: &self.trace,
                messages: &self.messages,
                now_ms: self.now_ms,
                selected,
            }
        }

        fn layout(&self) -> GanttLayout {
            layout(&self.input(None))
        }

        fn events<'a>(&'a self, pred: impl Fn(&EventKind) -> bool + 'a) -> Vec<&'a Event> {
            self.trace.iter().filter(|e| pred(&e.kind)).collect()
        }
    }

    fn run(id: &str, coordination: Coordination, until_ms: Option<u64>) -> Run {
        let scenario = presets::scenario(id, coordination, Storage::PerService, 1).expect("preset");
        let mut sim = Simulation::new(scenario).expect("valid");
        match until_ms {
            Some(t) => sim.advance_to(t),
            None => while sim.step() {},
        }
        Run {
            scenario: sim.scenario().clone(),
            trace: sim.trace().to_vec(),
            messages: sim.messages().to_vec(),
            now_ms: sim.now_ms(),
        }
    }

    /// Every preset in every style it supports.
    fn all_runs() -> Vec<(String, Run)> {
        let mut out = Vec::new();
        for p in PRESETS {
            for c in STYLES {
                if !p.runs_in(c) {
                    continue;
                }
                out.push((format!("{} {}", p.id, c.as_str()), run(p.id, c, None)));
            }
        }
        out
    }

    fn row_of(g: &GanttLayout, key: RowKey) -> usize {
        g.rows.iter().position(|r| r.key == key).expect("row")
    }

    fn is_work(s: &Span) -> bool {
        matches!(s.kind, SpanKind::Attempt | SpanKind::Compensation)
    }

    #[test]
    fn one_span_per_task_started() {
        for (name, r) in all_runs() {
            let g = r.layout();
            let started: Vec<u64> = r
                .events(|k| matches!(k, EventKind::TaskStarted { .. }))
                .iter()
                .map(|e| e.seq)
                .collect();
            let mut work: Vec<u64> = g
                .spans
                .iter()
                .filter(|s| is_work(s))
                .map(|s| s.seq)
                .collect();
            work.sort_unstable();
            assert_eq!(
                work, started,
                "{name}: one span per TaskStarted, keyed by its seq"
            );
            for s in g.spans.iter().filter(|s| is_work(s)) {
                let task = s.task.expect("task");
                let service = task.service(&r.scenario.definition).expect("service");
                assert_eq!(g.rows[s.row].key, RowKey::Service(service), "{name}: {s:?}");
                assert!(s.x1 > s.x0 && s.end_ms >= s.start_ms, "{name}: {s:?}");
            }
        }
    }

    #[test]
    fn every_retry_is_its_own_span() {
        for c in STYLES {
            let r = run("transient-payment", c, None);
            let g = r.layout();
            let payment = row_of(&g, RowKey::Service(ServiceId::Payment));
            let charge: Vec<&Span> = g
                .spans
                .iter()
                .filter(|s| s.row == payment && s.task == Some(Task::Action(1)))
                .filter(|s| s.kind == SpanKind::Attempt)
                .collect();
            assert_eq!(charge.len(), 3, "{c:?}");
            let attempts: Vec<u32> = charge.iter().filter_map(|s| s.attempt).collect();
            assert_eq!(attempts, [1, 2, 3], "{c:?}");
            let outcomes: Vec<SpanOutcome> = charge.iter().map(|s| s.outcome).collect();
            assert_eq!(
                outcomes,
                [SpanOutcome::Failed, SpanOutcome::Failed, SpanOutcome::Ok],
                "{c:?}"
            );
            assert!(!charge[0].label.contains("attempt"), "{c:?}");
            assert!(charge[1].label.ends_with("attempt 2"), "{c:?}");
            assert!(charge[2].label.ends_with("attempt 3"), "{c:?}");
            assert!(charge[0].detail.contains("transient error"), "{c:?}");
            assert!(charge.windows(2).all(|w| w[0].x1 <= w[1].x0), "{c:?}");
        }
    }

    #[test]
    fn compensations_are_marked_and_follow_their_steps() {
        for id in [
            "card-declined",
            "slot-taken",
            "restaurant-rejects",
            "compensation-fails",
        ] {
            for c in STYLES {
                let r = run(id, c, None);
                let g = r.layout();
                let comps: Vec<&Span> = g
                    .spans
                    .iter()
                    .filter(|s| s.kind == SpanKind::Compensation)
                    .collect();
                assert!(!comps.is_empty(), "{id} {c:?}");
                for comp in &comps {
                    let Some(Task::Compensate(step)) = comp.task else {
                        panic!("{id} {c:?}: {comp:?}");
                    };
                    assert!(comp.label.starts_with("undo "), "{id} {c:?}: {comp:?}");
                    let forward: Vec<&Span> = g
                        .spans
                        .iter()
                        .filter(|s| s.saga == comp.saga && s.task == Some(Task::Action(step)))
                        .collect();
                    assert!(!forward.is_empty(), "{id} {c:?}: {comp:?}");
                    for f in forward {
                        assert_eq!(f.row, comp.row, "{id} {c:?}");
                        assert!(f.end_ms <= comp.start_ms, "{id} {c:?}: {f:?} then {comp:?}");
                    }
                }
                let svg = gantt_svg(&r.input(None));
                let hatched = svg.matches(r#"fill="url(#gantt-hatch)""#).count();
                assert_eq!(
                    hatched,
                    comps.len(),
                    "{id} {c:?}: a hatch on each compensation"
                );
                assert!(svg.contains(r#"data-kind="compensation""#), "{id} {c:?}");
            }
        }
    }

    #[test]
    fn backoff_waits_last_their_delay() {
        for id in [
            "transient-payment",
            "notifier-down",
            "slow-payment",
            "compensation-fails",
        ] {
            let r = run(id, Coordination::Orchestration, None);
            let g = r.layout();
            let orchestrator = row_of(&g, RowKey::Orchestrator);
            let scheduled = r.events(|k| matches!(k, EventKind::RetryScheduled { .. }));
            let waits: Vec<&Span> = g
                .spans
                .iter()
                .filter(|s| s.kind == SpanKind::BackoffWait)
                .collect();
            assert!(!scheduled.is_empty(), "{id}");
            assert_eq!(waits.len(), scheduled.len(), "{id}");
            for e in scheduled {
                let EventKind::RetryScheduled { delay_ms, .. } = e.kind else {
                    unreachable!()
                };
                let w = waits.iter().find(|w| w.seq == e.seq).expect("its wait");
                assert_eq!(w.row, orchestrator, "{id}");
                assert_eq!(
                    (w.start_ms, w.end_ms),
                    (e.at_ms, e.at_ms + delay_ms),
                    "{id}"
                );
                let px = delay_ms as f64 / g.ms_per_px;
                assert!(
                    ((w.x1 - w.x0) - px.max(MIN_SPAN_PX)).abs() < 1e-6,
                    "{id}: {w:?}"
                );
                assert!(w.label.contains(&duration(delay_ms)), "{id}: {w:?}");
                assert_eq!(w.outcome, SpanOutcome::Ok, "{id}");
            }
        }
    }

    #[test]
    fn redeliveries_show_the_visibility_timeout() {
        for id in ["transient-payment", "poison-redrive", "database-down"] {
            let r = run(id, Coordination::Choreography, None);
            let g = r.layout();
            let redelivered: Vec<&Event> = r.events(
                |k| matches!(k, EventKind::Received { receive_count, .. } if *receive_count > 1),
            );
            let waits: Vec<&Span> = g
                .spans
                .iter()
                .filter(|s| s.kind == SpanKind::VisibilityWait)
                .collect();
            assert!(!redelivered.is_empty(), "{id}");
            assert_eq!(waits.len(), redelivered.len(), "{id}");
            for e in redelivered {
                let EventKind::Received { queue, .. } = e.kind else {
                    unreachable!()
                };
                let w = waits
                    .iter()
                    .find(|w| w.events.contains(&e.seq))
                    .expect("a wait ends at each redelivery");
                assert_eq!(w.end_ms, e.at_ms, "{id}");
                assert_eq!(g.rows[w.row].key, RowKey::Service(queue), "{id}");
                // It starts where the failed attempt before it ended.
                let failed = g
                    .spans
                    .iter()
                    .find(|s| is_work(s) && s.events.contains(&w.seq))
                    .expect("the failed attempt");
                assert_eq!(failed.outcome, SpanOutcome::Failed, "{id}");
                assert_eq!(failed.end_ms, w.start_ms, "{id}");
                assert!(w.detail.contains("delivered again"), "{id}: {w:?}");
            }
        }
        // Orchestration has no queues: no visibility waits.
        let g = run("transient-payment", Coordination::Orchestration, None).layout();
        assert!(g.spans.iter().all(|s| s.kind != SpanKind::VisibilityWait));
    }

    #[test]
    fn timeouts_wait_on_the_orchestrator_row() {
        let r = run("slow-payment", Coordination::Orchestration, None);
        let g = r.layout();
        let orchestrator = row_of(&g, RowKey::Orchestrator);
        let timed_out = r.events(|k| matches!(k, EventKind::TimedOut { .. }));
        let waits: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Timeout)
            .collect();
        assert!(!timed_out.is_empty());
        assert_eq!(waits.len(), timed_out.len());
        for e in timed_out {
            let EventKind::TimedOut { task, attempt } = e.kind else {
                unreachable!()
            };
            let w = waits
                .iter()
                .find(|w| w.events.contains(&e.seq))
                .expect("wait");
            assert_eq!(w.row, orchestrator);
            assert_eq!(w.end_ms, e.at_ms);
            let started = r
                .trace
                .iter()
                .rfind(|s| {
                    s.seq < e.seq
                        && s.kind == EventKind::TaskStarted { task, attempt }
                        && s.saga == e.saga
                })
                .expect("its start");
            assert_eq!((w.start_ms, w.seq), (started.at_ms, started.seq));
            assert_eq!(w.outcome, SpanOutcome::TimedOut);
        }
    }

    #[test]
    fn outages_are_bands_across_their_rows() {
        for c in STYLES {
            let r = run("database-down", c, None);
            let g = r.layout();
            let down = r.events(|k| matches!(k, EventKind::DatabaseDown { .. }))[0];
            let up = r.events(|k| matches!(k, EventKind::DatabaseUp { .. }))[0];
            let band = g
                .spans
                .iter()
                .find(|s| s.kind == SpanKind::Down && s.seq == down.seq)
                .expect("band");
            assert_eq!(
                (band.start_ms, band.end_ms),
                (down.at_ms, up.at_ms),
                "{c:?}"
            );
            assert_eq!(band.lane, None);
            let row = &g.rows[band.row];
            assert_eq!(row.key, RowKey::Service(ServiceId::Payment));
            assert_eq!((band.y, band.height), (row.y, row.height));
        }
        let r = run("orchestrator-crash", Coordination::Orchestration, None);
        let g = r.layout();
        let band = g
            .spans
            .iter()
            .find(|s| s.kind == SpanKind::Down)
            .expect("band");
        assert_eq!(g.rows[band.row].key, RowKey::Orchestrator);
        assert_eq!(band.outcome, SpanOutcome::Ok);
    }

    #[test]
    fn spans_on_a_lane_never_overlap() {
        for (name, r) in all_runs() {
            let g = r.layout();
            for (ri, row) in g.rows.iter().enumerate() {
                for (li, saga) in row.lanes.iter().enumerate() {
                    let mut lane: Vec<&Span> = g
                        .spans
                        .iter()
                        .filter(|s| s.row == ri && s.lane == Some(li))
                        .collect();
                    lane.sort_by(|a, b| a.x0.total_cmp(&b.x0));
                    for w in lane.windows(2) {
                        assert!(w[0].x1 <= w[1].x0 + 1e-9, "{name}: {:?} / {:?}", w[0], w[1]);
                    }
                    for s in &lane {
                        assert_eq!(s.saga, *saga, "{name}: one saga per lane");
                        assert!(s.y >= row.y && s.y + s.height <= row.y + row.height);
                    }
                }
            }
            assert!(g.spans.iter().all(|s| s.row < g.rows.len()));
        }
    }

    #[test]
    fn several_sagas_get_their_own_lanes() {
        for id in ["two-customers", "no-semantic-lock"] {
            for c in STYLES {
                let g = run(id, c, None).layout();
                let reservation = &g.rows[row_of(&g, RowKey::Service(ServiceId::Reservation))];
                assert!(reservation.lanes.contains(&Some(0)), "{id} {c:?}");
                assert!(reservation.lanes.contains(&Some(1)), "{id} {c:?}");
                // Lanes of a saga are together, in saga order.
                let mut sorted = reservation.lanes.clone();
                sorted.sort();
                assert_eq!(sorted, reservation.lanes, "{id} {c:?}");
                // Rows stack without gaps.
                for w in g.rows.windows(2) {
                    assert_eq!(w[0].y + w[0].height, w[1].y, "{id} {c:?}");
                }
            }
        }
    }

    #[test]
    fn open_spans_run_to_now() {
        // Cut short during payment's second attempt and during the second backoff.
        let full = run("transient-payment", Coordination::Orchestration, None);
        let second = full
            .trace
            .iter()
            .find(|e| {
                e.kind
                    == EventKind::TaskStarted {
                        task: Task::Action(1),
                        attempt: 2,
                    }
            })
            .expect("second attempt");
        let r = run(
            "transient-payment",
            Coordination::Orchestration,
            Some(second.at_ms + 100),
        );
        let g = r.layout();
        let open: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.outcome == SpanOutcome::Running)
            .collect();
        assert_eq!(open.len(), 1, "{open:?}");
        assert_eq!(open[0].seq, second.seq);
        assert_eq!(open[0].end_ms, r.now_ms);
        assert!((open[0].x1 - g.x_of(r.now_ms)).abs() < 1e-9);
        assert!((g.now_x - g.x_of(r.now_ms)).abs() < 1e-9);

        let backoff = full.events(|k| matches!(k, EventKind::RetryScheduled { attempt: 3, .. }))[0];
        let r = run(
            "transient-payment",
            Coordination::Orchestration,
            Some(backoff.at_ms + 300),
        );
        let g = r.layout();
        let wait = g.spans.iter().find(|s| s.seq == backoff.seq).expect("wait");
        assert_eq!(wait.outcome, SpanOutcome::Running);
        assert_eq!((wait.start_ms, wait.end_ms), (backoff.at_ms, r.now_ms));

        // Choreography: cut short while the message is hidden after a failure.
        let full = run("poison-redrive", Coordination::Choreography, None);
        let failed = full.events(|k| matches!(k, EventKind::TaskFailed { .. }))[0];
        let r = run(
            "poison-redrive",
            Coordination::Choreography,
            Some(failed.at_ms + 500),
        );
        let g = r.layout();
        let wait = g
            .spans
            .iter()
            .find(|s| s.kind == SpanKind::VisibilityWait)
            .expect("wait");
        assert_eq!(wait.outcome, SpanOutcome::Running);
        assert_eq!((wait.start_ms, wait.end_ms), (failed.at_ms, r.now_ms));
    }

    #[test]
    fn the_axis_has_readable_ticks_and_the_width_is_bounded() {
        for (name, r) in all_runs() {
            let g = r.layout();
            assert!(
                (6..=12).contains(&g.axis.len()),
                "{name}: {} ticks",
                g.axis.len()
            );
            assert_eq!(g.axis[0].label, "0 s", "{name}");
            assert!(g
                .axis
                .windows(2)
                .all(|w| w[0].x < w[1].x && w[0].ms < w[1].ms));
            assert!(
                (MIN_WIDTH..=MAX_WIDTH).contains(&g.width),
                "{name}: {}",
                g.width
            );
            let last = r.trace.iter().map(|e| e.at_ms).max().unwrap_or(0);
            assert!(
                g.x_of(last.max(r.now_ms)) <= g.width - RIGHT_PAD + 1e-6,
                "{name}"
            );
        }
        // A very long run is scaled down to fit.
        let mut r = run("happy-path", Coordination::Orchestration, None);
        r.now_ms = 3_600_000;
        let g = r.layout();
        assert!(g.width <= MAX_WIDTH);
        assert!(g.ms_per_px > MIN_MS_PER_PX);
        assert!((g.now_x - (g.width - RIGHT_PAD)).abs() < 1e-6);
        assert!((6..=12).contains(&g.axis.len()), "{}", g.axis.len());
        // A run just begun keeps the finest scale.
        let r = run("happy-path", Coordination::Orchestration, Some(500));
        let g = r.layout();
        assert_eq!((g.width, g.ms_per_px), (MIN_WIDTH, MIN_MS_PER_PX));
        assert_eq!(tick_label(2500), "2.5 s");
        assert_eq!(tick_label(250), "0.25 s");
    }

    #[test]
    fn every_span_is_a_button_that_selects_its_event() {
        for (name, r) in all_runs().into_iter().step_by(3) {
            let g = r.layout();
            let svg = gantt_svg(&r.input(None));
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{name}");
            assert!(svg.contains(r#"data-testid="gantt-view""#), "{name}");
            assert!(svg.contains(&format!(
                r#"viewBox="0 0 {} {}" width="{}" height="{}""#,
                Num(g.width),
                Num(g.height),
                Num(g.width),
                Num(g.height)
            )));
            let n = g.spans.len();
            assert_eq!(
                svg.matches(r#"data-action="select-event""#).count(),
                n,
                "{name}"
            );
            assert_eq!(
                svg.matches(r#"tabindex="0" role="button" aria-label=""#)
                    .count(),
                n
            );
            assert_eq!(svg.matches("<title>").count(), n, "{name}");
            for s in &g.spans {
                assert!(svg.contains(&format!(r#"data-seq="{}""#, s.seq)), "{name}");
            }
            assert!(!svg.contains("aria-current"), "{name}");
        }
    }

    #[test]
    fn the_selected_event_highlights_its_span() {
        let r = run("transient-payment", Coordination::Orchestration, None);
        let g = r.layout();
        let failed = r.events(|k| matches!(k, EventKind::TaskFailed { .. }))[1];
        let holders: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.events.contains(&failed.seq))
            .collect();
        assert_eq!(holders.len(), 1);
        let svg = gantt_svg(&r.input(Some(failed.seq)));
        assert_eq!(svg.matches(r#"aria-current="true""#).count(), 1);
        let start = svg.find("gantt-span--selected").expect("selected");
        let tail = &svg[start..];
        let tag_end = tail.find('>').expect("tag");
        assert!(tail[..tag_end].contains(&format!(r#"data-seq="{}""#, holders[0].seq)));
        assert!(tail[..tag_end].contains(r#"aria-current="true""#));
        // An event no span stands for highlights nothing.
        let svg = gantt_svg(&r.input(Some(u64::MAX)));
        assert!(!svg.contains("aria-current"));
    }

    #[test]
    fn text_is_escaped() {
        let mut r = run("card-declined", Coordination::Orchestration, None);
        r.scenario.definition.steps[1].name = "Charge <b>card</b> & \"co\"".to_string();
        let svg = gantt_svg(&r.input(None));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("Charge &lt;b&gt;card&lt;/b&gt; &amp; &quot;co&quot;"));
    }

    #[test]
    fn a_service_that_never_answers_times_out() {
        for c in STYLES {
            let mut scenario =
                presets::scenario("happy-path", c, Storage::PerService, 1).expect("preset");
            scenario
                .faults
                .push(crate::engine::fault::FaultSpec::NoReply {
                    step: 2,
                    times: 1,
                    saga: None,
                });
            let mut sim = Simulation::new(scenario).expect("valid");
            while sim.step() {}
            let r = Run {
                scenario: sim.scenario().clone(),
                trace: sim.trace().to_vec(),
                messages: sim.messages().to_vec(),
                now_ms: sim.now_ms(),
            };
            let g = r.layout();
            let charge: Vec<&Span> = g
                .spans
                .iter()
                .filter(|s| s.task == Some(Task::Action(1)) && is_work(s))
                .collect();
            assert_eq!(charge.len(), 2, "{c:?}: {charge:?}");
            assert_eq!(charge[0].outcome, SpanOutcome::TimedOut, "{c:?}");
            assert_eq!(charge[1].outcome, SpanOutcome::Ok, "{c:?}");
            assert!(charge[0].end_ms <= charge[1].start_ms, "{c:?}");
            // It ends when the run gives up on it: the timeout, or the redelivery.
            let ender = r
                .trace
                .iter()
                .find(|e| e.seq == *charge[0].events.last().expect("events"))
                .expect("event");
            match c {
                Coordination::Orchestration => {
                    assert!(
                        matches!(ender.kind, EventKind::TimedOut { .. }),
                        "{ender:?}"
                    );
                    assert!(g.spans.iter().any(|s| s.kind == SpanKind::Timeout));
                }
                Coordination::Choreography => {
                    assert!(
                        matches!(
                            ender.kind,
                            EventKind::Received {
                                receive_count: 2,
                                ..
                            }
                        ),
                        "{ender:?}"
                    );
                }
            }
            assert_eq!(charge[0].end_ms, ender.at_ms, "{c:?}");
            assert!(
                g.spans.iter().all(|s| s.outcome != SpanOutcome::Running),
                "{c:?}"
            );
        }
    }

    #[test]
    fn dead_letters_wait_for_their_redrive() {
        let r = run("poison-redrive", Coordination::Choreography, None);
        let g = r.layout();
        let dead = r.events(|k| matches!(k, EventKind::DeadLettered { .. }));
        let redriven = r.events(|k| matches!(k, EventKind::Redriven { .. }));
        let waits: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::DeadLetter)
            .collect();
        assert_eq!(waits.len(), dead.len());
        assert_eq!(waits[0].seq, dead[0].seq);
        assert_eq!(
            (waits[0].start_ms, waits[0].end_ms),
            (dead[0].at_ms, redriven[0].at_ms)
        );
        assert_eq!(
            g.rows[waits[0].row].key,
            RowKey::Service(ServiceId::Payment)
        );
        // Before the redrive, it is still waiting.
        let r = run(
            "poison-redrive",
            Coordination::Choreography,
            Some(redriven[0].at_ms - 1),
        );
        let g = r.layout();
        let wait = g
            .spans
            .iter()
            .find(|s| s.kind == SpanKind::DeadLetter)
            .expect("wait");
        assert_eq!(wait.outcome, SpanOutcome::Running);
        assert_eq!(wait.end_ms, r.now_ms);
    }

    #[test]
    fn answers_close_the_attempt_whose_command_arrived() {
        // Chaos duplicates and delays commands: copies and late arrivals must not close a newer
        // attempt.
        let mut checked = 0;
        for seed in 1..=16 {
            let scenario = presets::scenario(
                "chaos",
                Coordination::Orchestration,
                Storage::PerService,
                seed,
            )
            .expect("preset");
            let mut sim = Simulation::new(scenario).expect("valid");
            while sim.step() {}
            let r = Run {
                scenario: sim.scenario().clone(),
                trace: sim.trace().to_vec(),
                messages: sim.messages().to_vec(),
                now_ms: sim.now_ms(),
            };
            let g = r.layout();
            for s in g.spans.iter().filter(|s| is_work(s)) {
                let Some(end) = r.trace.iter().find(|e| {
                    s.events.contains(&e.seq)
                        && e.at_ms == s.end_ms
                        && matches!(
                            e.kind,
                            EventKind::TaskApplied { .. }
                                | EventKind::TaskFailed { .. }
                                | EventKind::DuplicateIgnored { .. }
                        )
                }) else {
                    continue;
                };
                let arrived = r
                    .trace
                    .iter()
                    .rev()
                    .filter(|e| e.seq < end.seq && e.saga == s.saga)
                    .find_map(|e| match e.kind {
                        EventKind::MessageArrived { message } => {
                            match r.messages.iter().find(|m| m.id == message)?.body {
                                Body::Command { task, attempt, .. } if Some(task) == s.task => {
                                    Some(attempt)
                                }
                                _ => None,
                            }
                        }
                        _ => None,
                    });
                assert_eq!(arrived, s.attempt, "seed {seed}: {s:?}");
                checked += 1;
            }
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn the_now_line_is_drawn_at_now() {
        let r = run("happy-path", Coordination::Choreography, Some(4_000));
        let g = r.layout();
        let svg = gantt_svg(&r.input(None));
        assert!(svg.contains(&format!(r#"x1="{}""#, Num(g.now_x))));
        assert!(svg.contains("now 4.00 s"));
        assert!((g.now_x - (LABEL_W + 4_000.0 / g.ms_per_px)).abs() < 1e-9);
    }
}
