//! The run as a sequence diagram: a lane per participant, an arrow per message in time order,
//! and notes for what happens on a lane (a timeout, a retry wait, a failure, a crash).
//!
//! Pure functions, tested natively. [`layout`] classifies the trace and places every row;
//! [`sequence_svg`] draws it. Each arrow and note carries `data-action="select-event"` with the
//! `data-seq` of the event it stands for, so the page's delegated handler selects that event in
//! the log and the timeline; the selected row is highlighted and marked `aria-current`.
//!
//! A service's queue (choreography) shares its service's lane: a message to the queue ends on the
//! service's lifeline, and queue activity that matters (a redelivery, a dead letter, a redrive)
//! is drawn on that lane too. Lanes stay few and wide enough for their labels.
//!
//! No style is told by colour alone: duplicates are dashed and say "duplicate", retries say
//! "retry n", lost messages stop short of their target with a ✕ and say "lost", compensations
//! say "undo", dead letters and redrives say so and are drawn thicker.
//!
//! Markup: the `<svg>` has `data-testid="sequence-view"`; each lane head
//! `data-testid="sequence-lane-<key>"` (see [`LaneKey::as_str`]); each row `data-seq`, and
//! `data-message` (arrows) or `data-note` (notes, see [`NoteKind::as_str`]).

use std::collections::HashMap;
use std::fmt::Write;

use crate::engine::definition::{SagaDefinition, ServiceId};
use crate::engine::event::{Event, EventKind, Outcome};
use crate::engine::message::{
    Body, EventName, Message, MessageId, MessageState, Node, SagaId, Task,
};
use crate::engine::scenario::{Coordination, Scenario};

use super::format::{duration, escape, saga_colour, saga_letter, seconds, Num};

/// Width of the time column on the left.
pub const TIME_WIDTH: f64 = 64.0;
/// Distance between two lifelines.
pub const LANE_WIDTH: f64 = 136.0;
/// Height of the lane heads.
pub const HEAD_HEIGHT: f64 = 48.0;
/// Distance between two rows.
pub const ROW_PITCH: f64 = 24.0;
/// Space under the last row.
const BOTTOM: f64 = 16.0;

/// What to draw.
#[derive(Debug, Clone, Copy)]
pub struct SequenceInput<'a> {
    /// The scenario being run (its style and saga definition).
    pub scenario: &'a Scenario,
    /// The trace so far.
    pub trace: &'a [Event],
    /// The messages so far.
    pub messages: &'a [Message],
    /// The event selected elsewhere (log, timeline), by its `seq`.
    pub selected: Option<u64>,
}

/// A participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LaneKey {
    /// The person reserving.
    Customer,
    /// The orchestrator (orchestration).
    Orchestrator,
    /// The event bus (choreography).
    Bus,
    /// A service, with its queue in choreography.
    Service(ServiceId),
    /// The dead-letter queue (and, in orchestration, the list for manual intervention).
    DeadLetters,
}

impl LaneKey {
    /// A stable lower-case name (`data-lane`, `data-testid`).
    pub fn as_str(self) -> &'static str {
        match self {
            LaneKey::Customer => "customer",
            LaneKey::Orchestrator => "orchestrator",
            LaneKey::Bus => "bus",
            LaneKey::Service(s) => s.as_str(),
            LaneKey::DeadLetters => "dead-letters",
        }
    }

    /// The lane a message's end is drawn on.
    pub fn of_node(node: Node) -> LaneKey {
        match node {
            Node::Customer => LaneKey::Customer,
            Node::Orchestrator => LaneKey::Orchestrator,
            Node::Bus => LaneKey::Bus,
            Node::Service(s) | Node::Queue(s) => LaneKey::Service(s),
        }
    }
}

/// One lane: a head and a lifeline.
#[derive(Debug, Clone, PartialEq)]
pub struct SeqLane {
    /// Which participant.
    pub key: LaneKey,
    /// Its name as people read it.
    pub label: String,
    /// A second line under the name ("and its queue"), or empty.
    pub sub: String,
    /// The lifeline's x.
    pub x: f64,
}

/// What an arrow stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrowKind {
    /// A message sent (a `MessageSent` event).
    Message,
    /// A message moved from its queue to the dead-letter queue.
    DeadLetter,
    /// A dead letter put back on its queue.
    Redrive,
}

/// An arrow between two lanes.
#[derive(Debug, Clone, PartialEq)]
pub struct SeqArrow {
    /// Index of the sending lane in [`SequenceLayout::lanes`].
    pub from: usize,
    /// Index of the receiving lane.
    pub to: usize,
    /// What it is.
    pub kind: ArrowKind,
    /// "command", "reply" or "event" (the message's class).
    pub class: &'static str,
    /// The message.
    pub message: MessageId,
    /// The text on the arrow: the body, and what marks it ("retry 2", "duplicate", "lost").
    pub label: String,
    /// The retry number (attempt − 1, or receive count − 1 for a redelivered message).
    pub retry: Option<u32>,
    /// A copy made by a duplicate fault.
    pub duplicate: bool,
    /// Lost on the way: drawn short of its target.
    pub lost: bool,
    /// Part of undoing the saga (a compensation command, its reply, a compensated event).
    pub compensation: bool,
}

/// What a note says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// The orchestrator waited too long for a reply.
    Timeout,
    /// A retry is scheduled after a wait.
    RetryWait,
    /// A queued message is received again (choreography's retry).
    Redelivery,
    /// A task failed for a reason a retry may fix.
    Failed,
    /// A repeat recognised and ignored (idempotency).
    DuplicateIgnored,
    /// A stale or duplicate reply ignored by the orchestrator.
    ReplyIgnored,
    /// The saga starts undoing its steps.
    CompensationBegun,
    /// The saga reached an outcome.
    Ended,
    /// A task needs a person.
    ManualIntervention,
    /// The orchestrator crashed.
    Crashed,
    /// The orchestrator recovered from its log.
    Recovered,
    /// A service or database went down.
    Down,
    /// A service or database came back.
    Up,
}

impl NoteKind {
    /// The class suffix (`seq-note--timeout`).
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Timeout => "timeout",
            NoteKind::RetryWait => "retry-wait",
            NoteKind::Redelivery => "redelivery",
            NoteKind::Failed => "failed",
            NoteKind::DuplicateIgnored => "duplicate-ignored",
            NoteKind::ReplyIgnored => "reply-ignored",
            NoteKind::CompensationBegun => "compensation-begun",
            NoteKind::Ended => "ended",
            NoteKind::ManualIntervention => "manual",
            NoteKind::Crashed => "crashed",
            NoteKind::Recovered => "recovered",
            NoteKind::Down => "down",
            NoteKind::Up => "up",
        }
    }
}

/// A note on a lane.
#[derive(Debug, Clone, PartialEq)]
pub struct SeqNote {
    /// Index of its lane in [`SequenceLayout::lanes`].
    pub lane: usize,
    /// What happened.
    pub kind: NoteKind,
    /// The text, starting with a symbol that tells the kind without colour.
    pub text: String,
}

/// What a row shows.
#[derive(Debug, Clone, PartialEq)]
pub enum SeqMark {
    /// An arrow.
    Arrow(SeqArrow),
    /// A note.
    Note(SeqNote),
}

/// One row: one event drawn as an arrow or a note.
#[derive(Debug, Clone, PartialEq)]
pub struct SeqRow {
    /// The row's middle.
    pub y: f64,
    /// The event it stands for (its `data-seq`).
    pub seq: u64,
    /// Other events it also stands for (a message's arrival, loss, queueing): selecting one of
    /// them highlights this row.
    pub related: Vec<u64>,
    /// Simulated time of the event.
    pub at_ms: u64,
    /// The saga, if any.
    pub saga: Option<SagaId>,
    /// The arrow or note.
    pub mark: SeqMark,
    /// Whether it stands for the selected event.
    pub selected: bool,
}

impl SeqRow {
    /// Whether this row stands for event `seq`.
    pub fn stands_for(&self, seq: u64) -> bool {
        self.seq == seq || self.related.contains(&seq)
    }

    /// The arrow, if the row is one.
    pub fn arrow(&self) -> Option<&SeqArrow> {
        match &self.mark {
            SeqMark::Arrow(a) => Some(a),
            SeqMark::Note(_) => None,
        }
    }

    /// The note, if the row is one.
    pub fn note(&self) -> Option<&SeqNote> {
        match &self.mark {
            SeqMark::Note(n) => Some(n),
            SeqMark::Arrow(_) => None,
        }
    }
}

/// The whole diagram's geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceLayout {
    /// The lanes, left to right.
    pub lanes: Vec<SeqLane>,
    /// The rows, top to bottom in trace order.
    pub rows: Vec<SeqRow>,
    /// Width in px.
    pub width: f64,
    /// Height in px.
    pub height: f64,
}

/// The lanes a run needs, left to right.
fn lane_keys(scenario: &Scenario, trace: &[Event]) -> Vec<LaneKey> {
    let orchestrated = scenario.coordination == Coordination::Orchestration;
    let seen = |pred: &dyn Fn(Node) -> bool| {
        trace.iter().any(|e| match &e.kind {
            EventKind::MessageSent { from, to, .. } => pred(*from) || pred(*to),
            _ => false,
        })
    };
    let mut keys = vec![LaneKey::Customer];
    if orchestrated || seen(&|n| n == Node::Orchestrator) {
        keys.push(LaneKey::Orchestrator);
    }
    if !orchestrated || seen(&|n| n == Node::Bus) {
        keys.push(LaneKey::Bus);
    }
    keys.extend(ServiceId::ALL.map(LaneKey::Service));
    let dead = trace.iter().any(|e| {
        matches!(
            e.kind,
            EventKind::DeadLettered { .. }
                | EventKind::Redriven { .. }
                | EventKind::ManualIntervention { .. }
        )
    });
    if !orchestrated || dead {
        keys.push(LaneKey::DeadLetters);
    }
    keys
}

fn lane_label(key: LaneKey, coordination: Coordination) -> String {
    match key {
        LaneKey::Customer => "Customer".to_string(),
        LaneKey::Orchestrator => "Orchestrator".to_string(),
        LaneKey::Bus => "Event bus".to_string(),
        LaneKey::Service(s) => s.label().to_string(),
        LaneKey::DeadLetters => match coordination {
            Coordination::Choreography => "Dead letters".to_string(),
            Coordination::Orchestration => "Manual list".to_string(),
        },
    }
}

fn is_compensation(body: &Body) -> bool {
    match body {
        Body::Command { task, .. } | Body::Reply { task, .. } => {
            matches!(task, Task::Compensate(_))
        }
        Body::Event { name } => matches!(name, EventName::Compensated(_)),
    }
}

/// The body as the arrow names it (without the attempt: the arrow says "retry n").
fn body_text(body: &Body, def: &SagaDefinition) -> String {
    match body {
        Body::Command { task, .. } => task.label(def),
        other => other.label(def),
    }
}

fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Running => "running",
        Outcome::Completed => "completed",
        Outcome::Compensated => "compensated",
        Outcome::RollbackIncomplete => "rollback incomplete",
        Outcome::AwaitingPerson => "awaiting a person",
    }
}

/// What the trace says about each message: when it was sent, and the events that follow it.
#[derive(Default)]
struct MessageFacts {
    body: Option<Body>,
    lost: bool,
    related: Vec<u64>,
}

/// Lays out the diagram: lanes, one row per message sent or lane note, in trace order.
pub fn layout(input: &SequenceInput) -> SequenceLayout {
    let scenario = input.scenario;
    let def = &scenario.definition;
    let coordination = scenario.coordination;
    let keys = lane_keys(scenario, input.trace);
    let lanes: Vec<SeqLane> = keys
        .iter()
        .enumerate()
        .map(|(i, &key)| SeqLane {
            key,
            label: lane_label(key, coordination),
            sub: match (key, coordination) {
                (LaneKey::Service(_), Coordination::Choreography) => "and its queue".to_string(),
                _ => String::new(),
            },
            x: TIME_WIDTH + LANE_WIDTH * (i as f64 + 0.5),
        })
        .collect();
    let lane = |key: LaneKey| keys.iter().position(|&k| k == key);
    let many_sagas = scenario.sagas.len() > 1;

    // First pass: what became of each message.
    let mut facts: HashMap<MessageId, MessageFacts> = HashMap::new();
    for e in input.trace {
        match &e.kind {
            EventKind::MessageSent { message, body, .. } => {
                facts.entry(*message).or_default().body = Some(*body);
            }
            EventKind::MessageLost { message, .. } => {
                let f = facts.entry(*message).or_default();
                f.lost = true;
                f.related.push(e.seq);
            }
            EventKind::MessageArrived { message }
            | EventKind::Enqueued { message, .. }
            | EventKind::Deleted { message, .. } => {
                facts.entry(*message).or_default().related.push(e.seq);
            }
            EventKind::Received {
                message,
                receive_count: 1,
                ..
            } => facts.entry(*message).or_default().related.push(e.seq),
            _ => {}
        }
    }
    for m in input.messages {
        if m.state == MessageState::Lost {
            facts.entry(m.id).or_default().lost = true;
        }
    }
    let body_of = |id: MessageId| facts.get(&id).and_then(|f| f.body);

    let mut rows: Vec<SeqRow> = Vec::new();
    for e in input.trace {
        let prefix = match (many_sagas, e.saga) {
            (true, Some(s)) => format!("{} · ", saga_letter(s)),
            _ => String::new(),
        };
        let note = |lane: Option<usize>, kind: NoteKind, text: String| {
            lane.map(|lane| {
                (
                    SeqMark::Note(SeqNote {
                        lane,
                        kind,
                        text: format!("{prefix}{text}"),
                    }),
                    Vec::new(),
                )
            })
        };
        let service_note = |s: ServiceId, kind: NoteKind, text: String| {
            note(lane(LaneKey::Service(s)), kind, text)
        };
        let orchestrator = lane(LaneKey::Orchestrator);
        // Notes about the saga as a whole go where it is coordinated.
        let coordinator = orchestrator.or(lane(LaneKey::Bus));
        let mark: Option<(SeqMark, Vec<u64>)> = match &e.kind {
            EventKind::MessageSent {
                message,
                from,
                to,
                body,
                duplicate,
                ..
            } => {
                let (Some(f), Some(t)) =
                    (lane(LaneKey::of_node(*from)), lane(LaneKey::of_node(*to)))
                else {
                    continue;
                };
                let fact = facts.get(message);
                let lost = fact.is_some_and(|f| f.lost);
                let retry = match body {
                    Body::Command { attempt, .. } if *attempt > 1 => Some(attempt - 1),
                    _ => None,
                };
                let compensation = is_compensation(body);
                let mut label = prefix.clone();
                if compensation {
                    label.push_str("undo: ");
                }
                label.push_str(&body_text(body, def));
                if let Some(n) = retry {
                    let _ = write!(label, " · retry {n}");
                }
                if *duplicate {
                    label.push_str(" · duplicate");
                }
                if lost {
                    label.push_str(" · lost");
                }
                Some((
                    SeqMark::Arrow(SeqArrow {
                        from: f,
                        to: t,
                        kind: ArrowKind::Message,
                        class: body.class(),
                        message: *message,
                        label,
                        retry,
                        duplicate: *duplicate,
                        lost,
                        compensation,
                    }),
                    fact.map(|f| f.related.clone()).unwrap_or_default(),
                ))
            }
            EventKind::DeadLettered { queue, message } | EventKind::Redriven { queue, message } => {
                let dead = matches!(e.kind, EventKind::DeadLettered { .. });
                let (Some(q), Some(d)) =
                    (lane(LaneKey::Service(*queue)), lane(LaneKey::DeadLetters))
                else {
                    continue;
                };
                let body = body_of(*message);
                let text = body.map(|b| body_text(&b, def)).unwrap_or_default();
                let (from, to, kind, word) = if dead {
                    (q, d, ArrowKind::DeadLetter, "dead-lettered")
                } else {
                    (d, q, ArrowKind::Redrive, "redrive")
                };
                Some((
                    SeqMark::Arrow(SeqArrow {
                        from,
                        to,
                        kind,
                        class: body.map(|b| b.class()).unwrap_or("event"),
                        message: *message,
                        label: format!("{prefix}{word}: {text}"),
                        retry: None,
                        duplicate: false,
                        lost: false,
                        compensation: body.is_some_and(|b| is_compensation(&b)),
                    }),
                    Vec::new(),
                ))
            }
            EventKind::Received {
                queue,
                receive_count,
                ..
            } if *receive_count > 1 => service_note(
                *queue,
                NoteKind::Redelivery,
                format!("↻ retry {}: received again", receive_count - 1),
            ),
            EventKind::TimedOut { task, attempt } => note(
                orchestrator,
                NoteKind::Timeout,
                format!("◷ timeout: {} (attempt {attempt})", task.label(def)),
            ),
            EventKind::RetryScheduled {
                task,
                attempt,
                delay_ms,
            } => note(
                coordinator,
                NoteKind::RetryWait,
                format!(
                    "↻ retry {} of {} in {}",
                    attempt.saturating_sub(1),
                    task.label(def),
                    duration(*delay_ms)
                ),
            ),
            EventKind::TaskFailed {
                task,
                service,
                reason,
            } => service_note(
                *service,
                NoteKind::Failed,
                format!("⚠ {}: {}", reason.label(), task.label(def)),
            ),
            EventKind::DuplicateIgnored { service, .. } => service_note(
                *service,
                NoteKind::DuplicateIgnored,
                "= duplicate ignored".to_string(),
            ),
            EventKind::ReplyIgnored { message } | EventKind::ReplyStale { message, .. } => {
                let text = body_of(*message)
                    .map(|b| body_text(&b, def))
                    .unwrap_or_default();
                note(
                    orchestrator,
                    NoteKind::ReplyIgnored,
                    format!("= stale reply ignored: {text}"),
                )
            }
            EventKind::CompensationBegun { .. } => note(
                coordinator,
                NoteKind::CompensationBegun,
                "↶ compensation begins".to_string(),
            ),
            EventKind::SagaEnded { outcome } => note(
                lane(LaneKey::Customer),
                NoteKind::Ended,
                format!("■ {}", outcome_word(*outcome)),
            ),
            EventKind::ManualIntervention { task, reason } => note(
                lane(LaneKey::DeadLetters),
                NoteKind::ManualIntervention,
                format!("⚑ needs a person: {} ({})", task.label(def), reason.label()),
            ),
            EventKind::OrchestratorCrashed => note(
                orchestrator,
                NoteKind::Crashed,
                "✕ crashed: memory lost".to_string(),
            ),
            EventKind::OrchestratorRecovered { resumed, .. } => note(
                orchestrator,
                NoteKind::Recovered,
                format!("✓ recovered from log: {resumed} resumed"),
            ),
            EventKind::ServiceDown { service } => {
                service_note(*service, NoteKind::Down, "▼ down".to_string())
            }
            EventKind::ServiceUp { service } => {
                service_note(*service, NoteKind::Up, "▲ up".to_string())
            }
            EventKind::DatabaseDown { service } => match service {
                Some(s) => service_note(*s, NoteKind::Down, "▼ database down".to_string()),
                None => service_note(
                    ServiceId::Reservation,
                    NoteKind::Down,
                    "▼ shared database down".to_string(),
                ),
            },
            EventKind::DatabaseUp { service } => match service {
                Some(s) => service_note(*s, NoteKind::Up, "▲ database up".to_string()),
                None => service_note(
                    ServiceId::Reservation,
                    NoteKind::Up,
                    "▲ shared database up".to_string(),
                ),
            },
            _ => None,
        };
        if let Some((mark, related)) = mark {
            let y = HEAD_HEIGHT + ROW_PITCH * (rows.len() as f64 + 0.5);
            let mut row = SeqRow {
                y,
                seq: e.seq,
                related,
                at_ms: e.at_ms,
                saga: e.saga,
                mark,
                selected: false,
            };
            row.selected = input.selected.is_some_and(|s| row.stands_for(s));
            rows.push(row);
        }
    }
    SequenceLayout {
        width: TIME_WIDTH + LANE_WIDTH * lanes.len() as f64,
        height: HEAD_HEIGHT + ROW_PITCH * rows.len() as f64 + BOTTOM,
        lanes,
        rows,
    }
}

/// Rough width of a text at the note size.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 6.4
}

fn lane_x(layout: &SequenceLayout, i: usize) -> f64 {
    layout.lanes.get(i).map_or(0.0, |l| l.x)
}

fn lane_name(layout: &SequenceLayout, i: usize) -> &str {
    layout.lanes.get(i).map_or("", |l| l.label.as_str())
}

/// What a screen reader says for a row: its visible text first (time, then label), then where.
fn aria(layout: &SequenceLayout, row: &SeqRow) -> String {
    let time = seconds(row.at_ms);
    match &row.mark {
        SeqMark::Arrow(a) => format!(
            "{time} {}: from {} to {}",
            a.label,
            lane_name(layout, a.from),
            lane_name(layout, a.to)
        ),
        SeqMark::Note(n) => format!("{time} {}: on {}", n.text, lane_name(layout, n.lane)),
    }
}

fn arrow_classes(a: &SeqArrow) -> String {
    let mut c = format!("seq-arrow seq-arrow--{}", a.class);
    match a.kind {
        ArrowKind::Message => {}
        ArrowKind::DeadLetter => c.push_str(" seq-arrow--dead-letter"),
        ArrowKind::Redrive => c.push_str(" seq-arrow--redrive"),
    }
    for (on, name) in [
        (a.retry.is_some(), " seq-arrow--retry"),
        (a.duplicate, " seq-arrow--duplicate"),
        (a.lost, " seq-arrow--lost"),
        (a.compensation, " seq-arrow--compensation"),
    ] {
        if on {
            c.push_str(name);
        }
    }
    c
}

fn draw_arrow(out: &mut String, layout: &SequenceLayout, row: &SeqRow, a: &SeqArrow) {
    let (fx, tx) = (lane_x(layout, a.from), lane_x(layout, a.to));
    let line_y = row.y + 5.0;
    let label_y = row.y - 1.0;
    if a.from == a.to {
        // A message to oneself: a small loop to the right.
        let _ = write!(
            out,
            r#"<rect class="seq-row__hit" x="{}" y="{}" width="{}" height="{}"/><path class="seq-arrow__line" d="M{} {}h26v8h-22"/><path class="seq-arrow__head" d="M{} {}l7 -4v8z"/>"#,
            Num(fx - 4.0),
            Num(row.y - ROW_PITCH / 2.0),
            Num(LANE_WIDTH),
            Num(ROW_PITCH),
            Num(fx),
            Num(line_y - 4.0),
            Num(fx),
            Num(line_y + 4.0),
        );
        let _ = write!(
            out,
            r#"<text class="seq-text seq-text--label" x="{}" y="{}">{}</text>"#,
            Num(fx + 30.0),
            Num(line_y + 2.0),
            escape(&a.label)
        );
        return;
    }
    let dir = if tx >= fx { 1.0 } else { -1.0 };
    // A lost message stops short of its target, with a cross.
    let end = if a.lost { fx + (tx - fx) * 0.7 } else { tx };
    let (lo, hi) = if fx < tx { (fx, tx) } else { (tx, fx) };
    let _ = write!(
        out,
        r#"<rect class="seq-row__hit" x="{}" y="{}" width="{}" height="{}"/>"#,
        Num(lo - 6.0),
        Num(row.y - ROW_PITCH / 2.0),
        Num(hi - lo + 12.0),
        Num(ROW_PITCH)
    );
    let _ = write!(
        out,
        r#"<line class="seq-arrow__line" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
        Num(fx),
        Num(line_y),
        Num(end),
        Num(line_y)
    );
    if a.lost {
        let _ = write!(
            out,
            r#"<path class="seq-arrow__cross" d="M{} {}l8 8m0 -8l-8 8"/>"#,
            Num(end - 4.0),
            Num(line_y - 4.0)
        );
    } else {
        let _ = write!(
            out,
            r#"<path class="seq-arrow__head" d="M{} {}l{} -4v8z"/>"#,
            Num(tx),
            Num(line_y),
            Num(-8.0 * dir)
        );
    }
    if a.compensation {
        // The undo marker: a hook at the tail, besides the "undo" in the label.
        let _ = write!(
            out,
            r#"<path class="seq-arrow__undo" d="M{} {}v-7"/>"#,
            Num(fx + 3.0 * dir),
            Num(line_y + 3.5)
        );
    }
    let _ = write!(
        out,
        r#"<text class="seq-text seq-text--label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        Num((fx + end) / 2.0),
        Num(label_y),
        escape(&a.label)
    );
}

fn draw_note(out: &mut String, layout: &SequenceLayout, row: &SeqRow, n: &SeqNote) {
    let w = text_width(&n.text) + 14.0;
    // Kept inside the drawing: a note on the last lane shifts left.
    let x = lane_x(layout, n.lane)
        .min(layout.width - w / 2.0 - 2.0)
        .max(TIME_WIDTH + w / 2.0);
    // The note's whole width and the row's height answer a click, as an arrow's row does.
    let _ = write!(
        out,
        r#"<rect class="seq-row__hit" x="{}" y="{}" width="{}" height="{}"/>"#,
        Num(x - w / 2.0 - 6.0),
        Num(row.y - ROW_PITCH / 2.0),
        Num(w + 12.0),
        Num(ROW_PITCH)
    );
    let _ = write!(
        out,
        r#"<rect class="seq-note__box" x="{}" y="{}" width="{}" height="18" rx="4"/><text class="seq-text seq-text--note" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        Num(x - w / 2.0),
        Num(row.y - 9.0),
        Num(w),
        Num(x),
        Num(row.y + 4.0),
        escape(&n.text)
    );
}

/// The sequence diagram as an `<svg>` element.
pub fn sequence_svg(input: &SequenceInput) -> String {
    let layout = layout(input);
    let (w, h) = (layout.width, layout.height);
    let arrows = layout.rows.iter().filter(|r| r.arrow().is_some()).count();
    let mut out = String::with_capacity(1024 + layout.rows.len() * 420);
    let _ = write!(
        out,
        r#"<svg class="sequence" data-testid="sequence-view" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="group" aria-label="{}">"#,
        Num(w),
        Num(h),
        Num(w),
        Num(h),
        escape(&format!(
            "Sequence diagram: {} lanes, {arrows} arrows, {} notes",
            layout.lanes.len(),
            layout.rows.len().saturating_sub(arrows)
        ))
    );
    out.push_str(r#"<g class="seq-lifelines" aria-hidden="true">"#);
    for l in &layout.lanes {
        let _ = write!(
            out,
            r#"<line class="seq-lifeline" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            Num(l.x),
            Num(HEAD_HEIGHT - 8.0),
            Num(l.x),
            Num(h)
        );
    }
    out.push_str("</g><g class=\"seq-rows\">");
    for row in &layout.rows {
        let (kind, extra, what) = match &row.mark {
            SeqMark::Arrow(a) => (
                "arrow",
                arrow_classes(a),
                format!(r#" data-message="{}""#, a.message),
            ),
            SeqMark::Note(n) => (
                "note",
                format!("seq-note seq-note--{}", n.kind.as_str()),
                format!(r#" data-note="{}""#, n.kind.as_str()),
            ),
        };
        let saga = row
            .saga
            .map(|s| {
                format!(
                    r#" data-saga="{s}" style="--saga: var(--saga-{})""#,
                    saga_colour(s)
                )
            })
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<g class="seq-row seq-row--{kind} {extra}{}" data-action="select-event" data-seq="{}"{what}{saga} tabindex="0" role="button" aria-label="{}"{}>"#,
            if row.selected {
                " seq-row--selected"
            } else {
                ""
            },
            row.seq,
            escape(&aria(&layout, row)),
            if row.selected {
                r#" aria-current="true""#
            } else {
                ""
            }
        );
        if row.selected {
            let _ = write!(
                out,
                r#"<rect class="seq-row__band" x="0" y="{}" width="{}" height="{}"/>"#,
                Num(row.y - ROW_PITCH / 2.0),
                Num(w),
                Num(ROW_PITCH)
            );
        }
        let _ = write!(
            out,
            // The space keeps the time and the label apart in the row's text, which is what a
            // screen reader's name for the row must start with.
            r#"<text class="seq-text seq-text--time" x="{}" y="{}" text-anchor="end">{} </text>"#,
            Num(TIME_WIDTH - 8.0),
            Num(row.y + 4.0),
            escape(&seconds(row.at_ms))
        );
        match &row.mark {
            SeqMark::Arrow(a) => draw_arrow(&mut out, &layout, row, a),
            SeqMark::Note(n) => draw_note(&mut out, &layout, row, n),
        }
        out.push_str("</g>");
    }
    // The lane heads come last, over everything, on a band of their own: the page keeps them
    // at the top of the pane while it scrolls down the rows.
    let _ = write!(
        out,
        r#"</g><g class="seq-heads"><rect class="seq-heads__band" x="0" y="0" width="{}" height="{}"/>"#,
        Num(w),
        Num(HEAD_HEIGHT)
    );
    for l in &layout.lanes {
        let key = l.key.as_str();
        let bw = LANE_WIDTH - 16.0;
        let _ = write!(
            out,
            r#"<g class="seq-head seq-head--{key}" data-lane="{key}" data-testid="sequence-lane-{key}"><rect class="seq-head__box" x="{}" y="4" width="{}" height="{}" rx="6"/><text class="seq-text seq-text--lane" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            Num(l.x - bw / 2.0),
            Num(bw),
            Num(HEAD_HEIGHT - 12.0),
            Num(l.x),
            Num(if l.sub.is_empty() { 25.0 } else { 20.0 }),
            escape(&l.label)
        );
        if !l.sub.is_empty() {
            let _ = write!(
                out,
                r#"<text class="seq-text seq-text--lane-sub" x="{}" y="33" text-anchor="middle">{}</text>"#,
                Num(l.x),
                escape(&l.sub)
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</g></svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fault::FaultSpec;
    use crate::engine::presets::scenario;
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;

    const ORCH: Coordination = Coordination::Orchestration;
    const CHOREO: Coordination = Coordination::Choreography;

    fn run_scenario(s: Scenario) -> Simulation {
        let mut sim = Simulation::new(s).expect("valid");
        while sim.step() {}
        sim
    }

    use crate::view::testing::played as run;

    fn input(sim: &Simulation, selected: Option<u64>) -> SequenceInput<'_> {
        SequenceInput {
            scenario: sim.scenario(),
            trace: sim.trace(),
            messages: sim.messages(),
            selected,
        }
    }

    fn sends(sim: &Simulation) -> usize {
        sim.trace()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::MessageSent { .. }))
            .count()
    }

    fn message_arrows(l: &SequenceLayout) -> Vec<&SeqArrow> {
        l.rows
            .iter()
            .filter_map(SeqRow::arrow)
            .filter(|a| a.kind == ArrowKind::Message)
            .collect()
    }

    fn keys(l: &SequenceLayout) -> Vec<&'static str> {
        l.lanes.iter().map(|l| l.key.as_str()).collect()
    }

    #[test]
    fn lanes_follow_the_style() {
        let orch = layout(&input(&run("happy-path", ORCH), None));
        assert_eq!(
            keys(&orch),
            [
                "customer",
                "orchestrator",
                "reservation",
                "payment",
                "calendar",
                "notification"
            ]
        );
        let choreo = layout(&input(&run("happy-path", CHOREO), None));
        assert_eq!(
            keys(&choreo),
            [
                "customer",
                "bus",
                "reservation",
                "payment",
                "calendar",
                "notification",
                "dead-letters"
            ]
        );
        // A person is needed: orchestration shows the manual list too.
        let stuck = layout(&input(&run("compensation-fails", ORCH), None));
        assert_eq!(keys(&stuck).last(), Some(&"dead-letters"));
        // Lifelines are evenly spaced, left to right, inside the width.
        for l in [&orch, &choreo, &stuck] {
            assert!(l.lanes.windows(2).all(|w| w[1].x - w[0].x == LANE_WIDTH));
            assert!(l.lanes.last().is_some_and(|last| last.x < l.width));
        }
    }

    #[test]
    fn one_arrow_per_message_sent_in_trace_order() {
        for preset in [
            "happy-path",
            "card-declined",
            "slow-payment",
            "two-customers",
        ] {
            for c in [ORCH, CHOREO] {
                let sim = run(preset, c);
                let l = layout(&input(&sim, None));
                let arrows = message_arrows(&l);
                assert_eq!(arrows.len(), sends(&sim), "{preset} {c:?}");
                let ids: Vec<MessageId> = arrows.iter().map(|a| a.message).collect();
                let mut sorted = ids.clone();
                sorted.sort_unstable();
                assert_eq!(ids, sorted, "{preset} {c:?}: arrows in send order");
                // Each arrow goes between the lanes of its sender and receiver.
                for m in sim.messages() {
                    let a = arrows.iter().find(|a| a.message == m.id).expect("drawn");
                    assert_eq!(l.lanes[a.from].key, LaneKey::of_node(m.from));
                    assert_eq!(l.lanes[a.to].key, LaneKey::of_node(m.to));
                }
            }
        }
    }

    #[test]
    fn rows_go_down_and_fit() {
        for (preset, c) in [("transient-payment", ORCH), ("poison-redrive", CHOREO)] {
            let sim = run(preset, c);
            let l = layout(&input(&sim, None));
            assert!(l.rows.windows(2).all(|w| w[1].y > w[0].y));
            assert!(l.rows.windows(2).all(|w| w[1].seq > w[0].seq));
            assert!(l.rows.iter().all(|r| r.y > HEAD_HEIGHT && r.y < l.height));
            let pitch = l.rows[1].y - l.rows[0].y;
            assert!((22.0..=26.0).contains(&pitch));
        }
    }

    #[test]
    fn retries_are_labelled() {
        let sim = run("transient-payment", ORCH);
        let l = layout(&input(&sim, None));
        let retries: Vec<&SeqArrow> = message_arrows(&l)
            .into_iter()
            .filter(|a| a.retry.is_some())
            .collect();
        // Payment fails twice: attempts 2 and 3 are retries 1 and 2.
        assert_eq!(
            retries.iter().map(|a| a.retry).collect::<Vec<_>>(),
            [Some(1), Some(2)]
        );
        assert!(retries[0].label.contains("retry 1"));
        assert!(retries[1].label.contains("retry 2"));
        assert!(retries.iter().all(|a| a.label.contains("Charge card")));
        // Each retry is announced by a wait note before it.
        let waits = l
            .rows
            .iter()
            .filter(|r| r.note().is_some_and(|n| n.kind == NoteKind::RetryWait))
            .count();
        assert_eq!(waits, 2);
        let svg = sequence_svg(&input(&sim, None));
        assert_eq!(svg.matches("seq-arrow--retry").count(), 2);
    }

    #[test]
    fn timeouts_are_notes_on_the_orchestrator() {
        let sim = run("slow-payment", ORCH);
        let l = layout(&input(&sim, None));
        let timeouts: Vec<&SeqNote> = l
            .rows
            .iter()
            .filter_map(SeqRow::note)
            .filter(|n| n.kind == NoteKind::Timeout)
            .collect();
        let timed_out = sim
            .trace()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::TimedOut { .. }))
            .count();
        assert!(timed_out > 0);
        assert_eq!(timeouts.len(), timed_out);
        assert!(timeouts
            .iter()
            .all(|n| l.lanes[n.lane].key == LaneKey::Orchestrator && n.text.contains("timeout")));
    }

    fn compensation_steps(l: &SequenceLayout, sim: &Simulation) -> (Vec<usize>, Vec<usize>) {
        // Forward commands that succeeded, and the compensation commands, in row order.
        let mut forward = Vec::new();
        let mut undo = Vec::new();
        for a in message_arrows(l) {
            let m = &sim.messages()[a.message as usize];
            match m.body {
                Body::Command {
                    task: Task::Action(s),
                    ..
                } if !a.compensation && !forward.contains(&s) => forward.push(s),
                Body::Command {
                    task: Task::Compensate(s),
                    ..
                } => {
                    assert!(a.compensation && a.label.starts_with("undo: "));
                    undo.push(s);
                }
                _ => {}
            }
        }
        (forward, undo)
    }

    #[test]
    fn compensations_are_marked_and_run_in_reverse() {
        let sim = run("card-declined", ORCH);
        let l = layout(&input(&sim, None));
        let (forward, undo) = compensation_steps(&l, &sim);
        // Payment refused: only the reservation is undone.
        assert_eq!(forward, [0, 1]);
        assert_eq!(undo, [0]);
        // The pivot fails: every earlier step with a compensation, last first.
        let sim = run("restaurant-rejects", ORCH);
        let l = layout(&input(&sim, None));
        let (forward, undo) = compensation_steps(&l, &sim);
        let mut expected: Vec<usize> = forward
            .iter()
            .copied()
            .filter(|&s| sim.scenario().definition.steps[s].compensation.is_some())
            .collect();
        expected.reverse();
        assert_eq!(undo, expected);
        assert_eq!(undo.len(), 3);
        let svg = sequence_svg(&input(&sim, None));
        assert!(svg.contains("seq-arrow--compensation"));
        assert!(svg.contains("seq-arrow__undo"));
        // Choreography undoes with events that say "undo" too.
        let sim = run("restaurant-rejects", CHOREO);
        let l = layout(&input(&sim, None));
        assert!(message_arrows(&l)
            .iter()
            .any(|a| a.compensation && a.label.starts_with("undo: ")));
    }

    #[test]
    fn duplicates_are_dashed_and_labelled() {
        for c in [ORCH, CHOREO] {
            let sim = run("duplicate-event", c);
            let l = layout(&input(&sim, None));
            let dups: Vec<&SeqArrow> = message_arrows(&l)
                .into_iter()
                .filter(|a| a.duplicate)
                .collect();
            let copies = sim.messages().iter().filter(|m| m.duplicate).count();
            assert!(copies > 0);
            assert_eq!(dups.len(), copies, "{c:?}");
            assert!(dups.iter().all(|a| a.label.contains("duplicate")));
            assert!(l.rows.iter().any(|r| r
                .note()
                .is_some_and(|n| n.kind == NoteKind::DuplicateIgnored)));
            let svg = sequence_svg(&input(&sim, None));
            assert_eq!(svg.matches("seq-arrow--duplicate").count(), copies);
        }
        let css = include_str!("../../../style/sequence.css");
        assert!(css.contains(".seq-arrow--duplicate .seq-arrow__line { stroke-dasharray"));
    }

    #[test]
    fn lost_messages_stop_short_with_a_cross() {
        let sim = run("notifier-down", ORCH);
        let l = layout(&input(&sim, None));
        let lost: Vec<&SeqArrow> = message_arrows(&l).into_iter().filter(|a| a.lost).collect();
        let lost_in_trace = sim
            .trace()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::MessageLost { .. }))
            .count();
        assert!(lost_in_trace > 0);
        assert_eq!(lost.len(), lost_in_trace);
        assert!(lost.iter().all(|a| a.label.ends_with("lost")));
        let svg = sequence_svg(&input(&sim, None));
        assert_eq!(svg.matches("seq-arrow__cross").count(), lost_in_trace);
        // Each stops short of its target's lifeline.
        for (row, a) in l
            .rows
            .iter()
            .filter_map(|r| r.arrow().map(|a| (r, a)))
            .filter(|(_, a)| a.lost)
        {
            let start = svg.find(&format!("data-seq=\"{}\"", row.seq)).expect("row");
            let line = &svg[start..];
            let at = line.find("x2=\"").expect("line") + 4;
            let x2: f64 = line[at..at + line[at..].find('"').expect("quote")]
                .parse()
                .expect("number");
            let (from, to) = (l.lanes[a.from].x, l.lanes[a.to].x);
            assert!((x2 - to).abs() > 20.0 && (x2 - from).abs() > 20.0, "{x2}");
        }
    }

    #[test]
    fn poison_goes_to_the_dead_letters_and_back() {
        let sim = run("poison-redrive", CHOREO);
        let l = layout(&input(&sim, None));
        let dlq = l
            .lanes
            .iter()
            .position(|x| x.key == LaneKey::DeadLetters)
            .expect("lane");
        let payment = l
            .lanes
            .iter()
            .position(|x| x.key == LaneKey::Service(ServiceId::Payment))
            .expect("lane");
        let special: Vec<&SeqArrow> = l
            .rows
            .iter()
            .filter_map(SeqRow::arrow)
            .filter(|a| a.kind != ArrowKind::Message)
            .collect();
        assert_eq!(special.len(), 2);
        assert_eq!(
            (special[0].kind, special[0].from, special[0].to),
            (ArrowKind::DeadLetter, payment, dlq)
        );
        assert_eq!(
            (special[1].kind, special[1].from, special[1].to),
            (ArrowKind::Redrive, dlq, payment)
        );
        assert!(special[0].label.starts_with("dead-lettered"));
        // The queue's redeliveries before it: retries on Payment's lane.
        let redeliveries = l
            .rows
            .iter()
            .filter_map(SeqRow::note)
            .filter(|n| n.kind == NoteKind::Redelivery)
            .collect::<Vec<_>>();
        assert!(redeliveries.len() >= 2);
        assert!(redeliveries
            .iter()
            .all(|n| n.lane == payment && n.text.contains("retry")));
        // The dead letter's row stands for the DeadLettered event.
        let dead_seq = sim
            .trace()
            .iter()
            .find(|e| matches!(e.kind, EventKind::DeadLettered { .. }))
            .map(|e| e.seq);
        let row = l
            .rows
            .iter()
            .find(|r| r.arrow() == Some(special[0]))
            .expect("row");
        assert_eq!(Some(row.seq), dead_seq);
        // Every note's box stays inside the drawing, the one on the last lane too.
        let svg = sequence_svg(&input(&sim, None));
        let num = |text: &str, attr: &str| -> f64 {
            let start = text.find(attr).expect("attr") + attr.len();
            let end = text[start..].find('"').expect("quote") + start;
            text[start..end].parse().expect("number")
        };
        let boxes: Vec<&str> = svg.split("<rect class=\"seq-note__box\"").skip(1).collect();
        assert_eq!(
            boxes.len(),
            l.rows.iter().filter(|r| r.note().is_some()).count()
        );
        for b in boxes {
            let (x, w) = (num(b, " x=\""), num(b, " width=\""));
            assert!(x >= TIME_WIDTH && x + w <= l.width, "{x} {w}");
        }
    }

    #[test]
    fn selection_highlights_one_row() {
        let sim = run("card-declined", CHOREO);
        let l = layout(&input(&sim, None));
        assert!(l.rows.iter().all(|r| !r.selected));
        let row = &l.rows[4];
        let svg = sequence_svg(&input(&sim, Some(row.seq)));
        assert_eq!(svg.matches("aria-current=\"true\"").count(), 1);
        assert_eq!(svg.matches("seq-row--selected").count(), 1);
        let at = svg.find("aria-current").expect("current");
        let start = svg[..at].rfind("<g ").expect("row start");
        assert!(svg[start..at].contains(&format!("data-seq=\"{}\"", row.seq)));
        // Selecting a message's arrival (in the log) highlights its arrow.
        let arrived = sim
            .trace()
            .iter()
            .find(|e| matches!(e.kind, EventKind::MessageArrived { .. }))
            .expect("arrival");
        let l = layout(&input(&sim, Some(arrived.seq)));
        let selected: Vec<&SeqRow> = l.rows.iter().filter(|r| r.selected).collect();
        assert_eq!(selected.len(), 1);
        assert!(selected[0].arrow().is_some() && selected[0].seq < arrived.seq);
    }

    #[test]
    fn every_row_is_a_button_for_its_event() {
        let sim = run("orchestrator-crash", ORCH);
        let l = layout(&input(&sim, None));
        let svg = sequence_svg(&input(&sim, None));
        assert!(svg.starts_with("<svg class=\"sequence\" data-testid=\"sequence-view\""));
        assert!(svg.contains(&format!(
            "viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\"",
            Num(l.width),
            Num(l.height),
            Num(l.width),
            Num(l.height)
        )));
        assert_eq!(
            svg.matches("data-action=\"select-event\"").count(),
            l.rows.len()
        );
        assert_eq!(svg.matches("role=\"button\"").count(), l.rows.len());
        let arrows = l.rows.iter().filter(|r| r.arrow().is_some()).count();
        assert_eq!(svg.matches("data-message=").count(), arrows);
        assert_eq!(svg.matches("data-note=").count(), l.rows.len() - arrows);
        assert_eq!(svg.matches("tabindex=\"0\"").count(), l.rows.len());
        for r in &l.rows {
            assert!(svg.contains(&format!("data-seq=\"{}\"", r.seq)));
        }
        let notes: Vec<NoteKind> = l
            .rows
            .iter()
            .filter_map(SeqRow::note)
            .map(|n| n.kind)
            .collect();
        assert!(notes.contains(&NoteKind::Crashed) && notes.contains(&NoteKind::Recovered));
        assert_eq!(svg.matches("<g ").count(), svg.matches("</g>").count());
    }

    #[test]
    fn text_is_escaped() {
        let mut s = scenario("card-declined", CHOREO, Storage::PerService, 1).expect("preset");
        s.definition.steps[0].name = "Reserve <b>&\"'".to_string();
        s.definition.steps[0].done_event = "<Created>".to_string();
        s.definition.steps[0].compensated_event = Some("<Undone>".to_string());
        s.definition.start_event = "<Start & go>".to_string();
        let sim = run_scenario(s.clone());
        let svg = sequence_svg(&input(&sim, None));
        assert!(svg.contains("&lt;Created&gt;"));
        assert!(svg.contains("&lt;Start &amp; go&gt;"));
        assert!(!svg.contains("<Created>") && !svg.contains("<Start") && !svg.contains("<b>"));
        s.coordination = ORCH;
        let sim = run_scenario(s);
        let svg = sequence_svg(&input(&sim, None));
        assert!(svg.contains("Reserve &lt;b&gt;&amp;&quot;&#39;"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn a_chaos_run_stays_one_row_per_send_or_note() {
        for c in [ORCH, CHOREO] {
            let mut s = scenario("chaos", c, Storage::PerService, 7).expect("preset");
            // Eight sagas under chaos: a long, messy trace.
            // The notifier stays down for minutes: retried forward until it is back.
            s.faults = vec![
                FaultSpec::Chaos {
                    percent: 30,
                    for_ms: 60_000,
                },
                FaultSpec::ServiceDown {
                    service: ServiceId::Notification,
                    for_ms: 150_000,
                },
            ];
            s.retry.retriable.max_delay_ms = 1_000;
            for i in 0..7 {
                let mut spec = crate::engine::scenario::SagaSpec::new("Ada", &format!("slot {i}"));
                spec.start_ms = 700 * i;
                s.sagas.push(spec);
            }
            let sim = run_scenario(s);
            let l = layout(&input(&sim, None));
            let notes = l.rows.iter().filter(|r| r.note().is_some()).count();
            let special = l
                .rows
                .iter()
                .filter_map(SeqRow::arrow)
                .filter(|a| a.kind != ArrowKind::Message)
                .count();
            assert_eq!(l.rows.len(), sends(&sim) + notes + special);
            assert_eq!(message_arrows(&l).len(), sends(&sim));
            // Orchestration retries the notifier over and over: well over two thousand events.
            // (Choreography's messages wait in the queue meanwhile: a shorter trace.)
            if c == ORCH {
                assert!(sim.trace().len() >= 2_000, "{}", sim.trace().len());
                assert!(l.rows.len() >= 1_000);
            }
            assert_eq!(
                l.height,
                HEAD_HEIGHT + ROW_PITCH * l.rows.len() as f64 + BOTTOM
            );
            // Many sagas: each label says whose it is.
            assert!(message_arrows(&l)
                .iter()
                .all(|a| a.label.chars().nth(1) == Some(' ')));
            let svg = sequence_svg(&input(&sim, None));
            assert_eq!(
                svg.matches("data-action=\"select-event\"").count(),
                l.rows.len()
            );
        }
    }
}
