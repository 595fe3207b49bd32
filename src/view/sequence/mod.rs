//! The run as a sequence diagram: a lane per participant, an arrow per message in time order,
//! and notes for what happens on a lane (a timeout, a retry wait, a failure, a crash).
//!
//! Pure functions, tested natively. [`layout()`] classifies the trace and places every row;
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
//!
//! This file holds the layout's types and measures; `layout.rs` reads the trace into lanes and
//! rows, and `svg.rs` draws them.

mod layout;
mod svg;

pub use layout::layout;
pub use svg::sequence_svg;

use crate::engine::definition::ServiceId;
use crate::engine::event::Event;
use crate::engine::message::{Message, MessageId, Node, SagaId};
use crate::engine::scenario::Scenario;

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
    /// A service read a record other sagas share.
    RecordRead,
    /// A service wrote a shared record, changing the value it read.
    RecordWritten,
    /// A service wrote a shared record from a stale read: another saga's update is lost.
    LostUpdate,
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
            NoteKind::RecordRead => "record-read",
            NoteKind::RecordWritten => "record-written",
            NoteKind::LostUpdate => "lost-update",
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

/// Runs and lookups the sequence view's tests share.
#[cfg(test)]
mod testing {
    use super::*;
    use crate::engine::event::EventKind;
    use crate::engine::scenario::Coordination;
    use crate::engine::sim::Simulation;

    pub(super) const ORCH: Coordination = Coordination::Orchestration;

    pub(super) const CHOREO: Coordination = Coordination::Choreography;

    pub(super) fn run_scenario(s: Scenario) -> Simulation {
        let mut sim = Simulation::new(s).expect("valid");
        while sim.step() {}
        sim
    }

    pub(super) use crate::view::testing::played as run;

    pub(super) fn input(sim: &Simulation, selected: Option<u64>) -> SequenceInput<'_> {
        SequenceInput {
            scenario: sim.scenario(),
            trace: sim.trace(),
            messages: sim.messages(),
            selected,
        }
    }

    pub(super) fn sends(sim: &Simulation) -> usize {
        sim.trace()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::MessageSent { .. }))
            .count()
    }

    pub(super) fn message_arrows(l: &SequenceLayout) -> Vec<&SeqArrow> {
        l.rows
            .iter()
            .filter_map(SeqRow::arrow)
            .filter(|a| a.kind == ArrowKind::Message)
            .collect()
    }

    pub(super) fn keys(l: &SequenceLayout) -> Vec<&'static str> {
        l.lanes.iter().map(|l| l.key.as_str()).collect()
    }
}
