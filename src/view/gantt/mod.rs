//! The timeline (Gantt) view of a run: one row per service (and the orchestrator), time going
//! right.
//!
//! Each step attempt is a span on its service's row, each retry its own span; compensations are
//! hatched and say "undo"; the orchestrator's waits (backoff, reply timeout) and a queue's
//! visibility timeout are dashed spans; outages are grey bands; a line marks now. Spans of
//! different sagas on one row go to their own sub-lanes, so they never cover each other.
//!
//! The work is split by job: [`read`] turns the trace into spans with times, [`layout()`]
//! (in `layout.rs`) places rows, lanes, spans and the axis (tested natively), and [`gantt_svg`]
//! (in `svg.rs`) writes the markup. Each span selects the event that began it
//! (`data-action="select-event"`, `data-seq`). This file holds what they share: the types of
//! the layout, its measures, and the test runs.

mod layout;
mod read;
mod svg;

pub use layout::layout;
pub use svg::{gantt_svg, span_description};

use crate::engine::definition::ServiceId;
use crate::engine::event::Event;
use crate::engine::message::{Message, SagaId, Task};
use crate::engine::scenario::Scenario;

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

/// Preset runs the timeline's tests lay out.
#[cfg(test)]
mod testing {
    use super::*;
    use crate::engine::event::EventKind;
    use crate::engine::presets::{self, PRESETS};
    use crate::engine::scenario::{Coordination, Storage};
    use crate::engine::sim::Simulation;

    pub(super) const STYLES: [Coordination; 2] =
        [Coordination::Orchestration, Coordination::Choreography];

    /// A preset run to its end (or to `until_ms`), with its trace, messages and clock.
    pub(super) struct Run {
        pub(super) scenario: Scenario,
        pub(super) trace: Vec<Event>,
        pub(super) messages: Vec<Message>,
        pub(super) now_ms: u64,
    }

    impl Run {
        pub(super) fn input(&self, selected: Option<u64>) -> GanttInput<'_> {
            GanttInput {
                scenario: &self.scenario,
                trace: &self.trace,
                messages: &self.messages,
                now_ms: self.now_ms,
                selected,
            }
        }

        pub(super) fn layout(&self) -> GanttLayout {
            layout(&self.input(None))
        }

        pub(super) fn events<'a>(
            &'a self,
            pred: impl Fn(&EventKind) -> bool + 'a,
        ) -> Vec<&'a Event> {
            self.trace.iter().filter(|e| pred(&e.kind)).collect()
        }
    }

    pub(super) fn run(id: &str, coordination: Coordination, until_ms: Option<u64>) -> Run {
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
    pub(super) fn all_runs() -> Vec<(String, Run)> {
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

    pub(super) fn row_of(g: &GanttLayout, key: RowKey) -> usize {
        g.rows.iter().position(|r| r.key == key).expect("row")
    }

    pub(super) fn is_work(s: &Span) -> bool {
        matches!(s.kind, SpanKind::Attempt | SpanKind::Compensation)
    }
}
