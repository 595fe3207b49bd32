//! The teaching controls: the timeline strip to scrub, the view switch, the keyboard shortcuts
//! and their help overlay, and what the page says after a fork.
//!
//! Pure functions, tested natively; the page (`crate::ui`) puts the markup in place and maps key
//! presses through [`key_action`].

use crate::engine::event::{Event, EventKind};
use crate::engine::message::Task;

use super::command::Command;
use super::format::seconds;
use super::html::Html;

/// What an event is, for the colour of its tick on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickKind {
    /// A saga started, ended or was cancelled.
    Saga,
    /// A message or a queue's bookkeeping.
    Message,
    /// A step did its work.
    Work,
    /// Something went wrong: a failure, a refusal, a timeout, a loss, a crash.
    Failure,
    /// Undoing: compensation begun, a compensation ran.
    Compensation,
    /// Trying again: a retry scheduled, a redelivery, a redrive.
    Retry,
    /// A fault injected, fired or cleared.
    Fault,
}

impl TickKind {
    /// Every kind, in legend order.
    pub const ALL: [TickKind; 7] = [
        TickKind::Saga,
        TickKind::Work,
        TickKind::Message,
        TickKind::Retry,
        TickKind::Failure,
        TickKind::Compensation,
        TickKind::Fault,
    ];

    /// The CSS modifier and `data-kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            TickKind::Saga => "saga",
            TickKind::Message => "message",
            TickKind::Work => "work",
            TickKind::Failure => "failure",
            TickKind::Compensation => "compensation",
            TickKind::Retry => "retry",
            TickKind::Fault => "fault",
        }
    }

    /// In words, for the legend.
    pub fn label(self) -> &'static str {
        match self {
            TickKind::Saga => "saga",
            TickKind::Message => "message",
            TickKind::Work => "step done",
            TickKind::Failure => "failure",
            TickKind::Compensation => "undo",
            TickKind::Retry => "retry",
            TickKind::Fault => "fault",
        }
    }
}

/// The kind of an event's tick.
pub fn tick_kind(kind: &EventKind) -> TickKind {
    use EventKind as K;
    match kind {
        K::SagaStarted | K::SagaEnded { .. } | K::CancelRequested => TickKind::Saga,
        K::TaskStarted {
            task: Task::Compensate(_),
            ..
        }
        | K::TaskApplied {
            task: Task::Compensate(_),
            ..
        }
        | K::CompensationBegun { .. } => TickKind::Compensation,
        K::TaskStarted { .. }
        | K::StepSucceeded { .. }
        | K::OrchestratorRecovered { .. }
        | K::RecordRead { .. }
        | K::RecordWritten { .. } => TickKind::Work,
        K::TaskApplied { result, .. } => {
            if matches!(result, crate::engine::message::TaskResult::Done) {
                TickKind::Work
            } else {
                TickKind::Failure
            }
        }
        K::MessageSent {
            duplicate: true, ..
        } => TickKind::Retry,
        K::MessageSent { .. }
        | K::MessageArrived { .. }
        | K::Enqueued { .. }
        | K::Deleted { .. }
        | K::OutboxWritten { .. }
        | K::DuplicateIgnored { .. }
        | K::LateActionRefused { .. }
        | K::ReplyIgnored { .. }
        | K::ReplyStale { .. } => TickKind::Message,
        K::Received { receive_count, .. } => {
            if *receive_count > 1 {
                TickKind::Retry
            } else {
                TickKind::Message
            }
        }
        K::RetryScheduled { .. } | K::Redriven { .. } => TickKind::Retry,
        K::MessageLost { .. }
        | K::TaskFailed { .. }
        | K::TimedOut { .. }
        | K::StepRefused { .. }
        | K::ManualIntervention { .. }
        | K::DeadLettered { .. }
        | K::PublishLost { .. }
        | K::ServiceDown { .. }
        | K::DatabaseDown { .. }
        | K::OrchestratorCrashed => TickKind::Failure,
        K::ServiceUp { .. } | K::DatabaseUp { .. } => TickKind::Work,
        K::FaultInjected { .. } | K::FaultFired { .. } | K::FaultCleared { .. } => TickKind::Fault,
    }
}

/// What the timeline strip shows.
#[derive(Debug, Clone, Copy)]
pub struct Timeline<'a> {
    /// Every event of the run up to its latest moment.
    pub events: &'a [Event],
    /// How many events the run's start has (a run cannot go back before them).
    pub start: u64,
    /// How many events had happened at the moment shown.
    pub at: u64,
    /// The event selected in the log, the sequence diagram or the Gantt view.
    pub selected: Option<u64>,
}

/// The ticks of the timeline as one SVG, a unit of width per event (stretched to the strip):
/// runs of events of the same kind are drawn as one bar; what comes after the moment shown is
/// dimmed; a marker stands at the moment and another on the selected event.
pub fn timeline_svg(t: &Timeline) -> String {
    let n = t.events.len().max(1);
    let mut out = Html::with_capacity(64 * 32);
    out.push(r#"<svg class="timeline__svg" viewBox="0 0 "#)
        .push_plain(n)
        .push(r#" 10" preserveAspectRatio="none" aria-hidden="true">"#);
    let mut i = 0;
    while i < t.events.len() {
        let kind = t.events.get(i).map(|e| tick_kind(&e.kind));
        let mut j = i + 1;
        while j < t.events.len() && t.events.get(j).map(|e| tick_kind(&e.kind)) == kind {
            j += 1;
        }
        if let Some(kind) = kind {
            out.push(r#"<rect class="tick tick--"#)
                .push(kind.as_str())
                .push(r#"" x=""#)
                .push_plain(i)
                .push(r#"" y="2" width=""#)
                .push_plain(j - i)
                .push(r#"" height="8"></rect>"#);
        }
        i = j;
    }
    let at = usize::try_from(t.at).unwrap_or(usize::MAX).min(n);
    if at < t.events.len() {
        out.push(r#"<rect class="timeline__future" x=""#)
            .push_plain(at)
            .push(r#"" y="0" width=""#)
            .push_plain(t.events.len() - at)
            .push(r#"" height="10"></rect>"#);
    }
    if let Some(seq) = t.selected {
        if let Some(i) = t.events.iter().position(|e| e.seq == seq) {
            out.push(r#"<rect class="timeline__selected" x=""#)
                .push_plain(i)
                .push(r#"" y="0" width="1" height="10"></rect>"#);
        }
    }
    out.push(r#"<rect class="timeline__now" x=""#)
        .push_plain(at.saturating_sub(1))
        .push(r#"" y="0" width="1" height="10"></rect></svg>"#);
    out.into_string()
}

/// The words beside the strip: where the moment is, and a way back to the latest one.
pub fn timeline_label(t: &Timeline, in_past: bool) -> String {
    let total = t.events.len() as u64;
    let at_ms = usize::try_from(t.at)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| t.events.get(i))
        .map(|e| e.at_ms)
        .unwrap_or(0);
    let mut out = Html::with_capacity(256);
    out.push(r#"<span class="timeline__where">Event "#)
        .push_plain(t.at.min(total))
        .push(" of ")
        .push_plain(total)
        .push(" · ")
        .push_text(&seconds(at_ms))
        .push("</span>");
    if in_past {
        out.push(r#"<span class="timeline__past">Looking back: play on to replay the same future, or change a fault to fork a new one</span><button type="button" class="btn btn--small" "#)
            .push_command(Command::Latest)
            .push(r#" data-testid="to-latest" title="Back to the latest moment (End)">Latest ⇥</button>"#);
    }
    out.into_string()
}

/// The event a pointer at `fraction` (0 to 1) of the strip's width stands on.
pub fn event_at(fraction: f64, events: usize) -> Option<usize> {
    if events == 0 || !fraction.is_finite() {
        return None;
    }
    let i = (fraction.clamp(0.0, 1.0) * events as f64).floor() as usize;
    Some(i.min(events - 1))
}

/// The legend of the tick colours.
pub fn timeline_legend() -> String {
    let mut out = Html::trusted(r#"<ul class="timeline__legend" aria-label="Tick colours">"#);
    for kind in TickKind::ALL {
        out.push(r#"<li><span class="tick-swatch tick--"#)
            .push(kind.as_str())
            .push(r#"" aria-hidden="true"></span>"#)
            .push_text(kind.label())
            .push("</li>");
    }
    out.push("</ul>");
    out.into_string()
}

/// The views of the run the main area can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Services, orchestrator or bus, tokens.
    #[default]
    Diagram,
    /// A lane per participant, an arrow per message.
    Sequence,
    /// A row per service, a span per attempt.
    Gantt,
    /// The same customers as distributed transactions (2PC or 3PC).
    Commit,
}

impl View {
    /// Every view, in the switch's order.
    pub const ALL: [View; 4] = [View::Diagram, View::Sequence, View::Gantt, View::Commit];

    /// The `data-view` value.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Diagram => "diagram",
            View::Sequence => "sequence",
            View::Gantt => "gantt",
            View::Commit => "commit",
        }
    }

    /// The switch's label.
    pub fn label(self) -> &'static str {
        match self {
            View::Diagram => "Diagram",
            View::Sequence => "Sequence",
            View::Gantt => "Gantt",
            View::Commit => "2PC / 3PC",
        }
    }

    /// Reads a `data-view` value.
    pub fn parse(text: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == text)
    }

    /// The next view (the V key).
    pub fn next(self) -> View {
        match self {
            View::Diagram => View::Sequence,
            View::Sequence => View::Gantt,
            View::Gantt => View::Commit,
            View::Commit => View::Diagram,
        }
    }
}

/// The view switch and the predict-mode toggle, above the main area.
pub fn views_html(view: View, predict: bool, side_by_side: bool) -> String {
    let mut out = Html::trusted(r#"<div class="views" role="group" aria-label="View">"#);
    for v in View::ALL {
        let on = v == view && !side_by_side;
        out.push(r#"<button type="button" class="views__btn"#)
            .push(if on { " views__btn--on" } else { "" })
            .push(r#"" "#)
            .push_command(Command::ShowView(v))
            .push(r#" data-testid="view-"#)
            .push(v.as_str())
            .push(r#"" aria-pressed=""#)
            .push_plain(on)
            .push(r#"" title="Show the "#)
            .push(v.label())
            .push(r#" view (V)""#)
            .push(if side_by_side { " disabled" } else { "" })
            .push(">")
            .push(v.label())
            .push("</button>");
    }
    out.push(r#"</div><button type="button" class="btn btn--small views__predict"#)
        .push(if predict { " btn--on" } else { "" })
        .push(r#"" "#)
        .push_command(Command::TogglePredict)
        .push(r#" data-testid="predict-toggle" aria-pressed=""#)
        .push_plain(predict)
        .push(r#"" title="Pause before key events and guess what happens next (Q)">? Predict</button>"#);
    out.into_string()
}

/// A keyboard shortcut, as the help overlay lists it.
#[derive(Debug, Clone, Copy)]
pub struct Shortcut {
    /// The keys, as shown.
    pub keys: &'static [&'static str],
    /// What it does.
    pub does: &'static str,
}

/// Every shortcut, in the help overlay's order.
pub const SHORTCUTS: &[Shortcut] = &[
    Shortcut {
        keys: &["Space"],
        does: "Play or pause (in predict mode: continue)",
    },
    Shortcut {
        keys: &["←", "→"],
        does: "One event back, one event forward",
    },
    Shortcut {
        keys: &["Shift", "←", "→"],
        does: "One instant back, one instant forward (everything at one moment of time)",
    },
    Shortcut {
        keys: &["Home", "End"],
        does: "The start of the run, the latest moment",
    },
    Shortcut {
        keys: &["[", "]"],
        does: "Slower, faster",
    },
    Shortcut {
        keys: &["1", "…", "9"],
        does: "Presets 1 to 9 (in predict mode: answer 1 to 4)",
    },
    Shortcut {
        keys: &["R"],
        does: "Reset this run to 0 s, keeping your faults",
    },
    Shortcut {
        keys: &["C"],
        does: "Switch orchestration and choreography",
    },
    Shortcut {
        keys: &["B"],
        does: "Both styles side by side, or back to one",
    },
    Shortcut {
        keys: &["V"],
        does: "Next view: diagram, sequence, Gantt",
    },
    Shortcut {
        keys: &["Q"],
        does: "Predict mode: pause before key events and guess",
    },
    Shortcut {
        keys: &["G"],
        does: "Glossary of the saga pattern, with sources",
    },
    Shortcut {
        keys: &["P"],
        does: "Presenter mode: the diagram and the narration in large type",
    },
    Shortcut {
        keys: &["L"],
        does: "Guided lessons: open the list",
    },
    Shortcut {
        keys: &["PageDown", "."],
        does: "Lesson: the next stop",
    },
    Shortcut {
        keys: &["PageUp", ","],
        does: "Lesson: the previous stop",
    },
    Shortcut {
        keys: &["D"],
        does: "Presenter mode: open or close the drawer (tables, log, monitor)",
    },
    Shortcut {
        keys: &["F"],
        does: "Full screen",
    },
    Shortcut {
        keys: &["T"],
        does: "Light or dark theme",
    },
    Shortcut {
        keys: &["?"],
        does: "This help",
    },
    Shortcut {
        keys: &["Esc"],
        does: "Close a menu, the help or the glossary",
    },
    Shortcut {
        keys: &["S"],
        does: "Jump to the diagram's services (then Tab between them)",
    },
    Shortcut {
        keys: &["Tab", "Enter"],
        does: "Move to a service and open its fault menu; pick a fault",
    },
];

/// The command of a key (`KeyboardEvent.key`), if it has one.
pub fn key_command(key: &str) -> Option<Command> {
    Some(match key {
        " " | "Spacebar" => Command::PlayPause,
        "ArrowRight" => Command::Step,
        "ArrowLeft" => Command::StepBack,
        "[" => Command::Slower,
        "]" => Command::Faster,
        "f" | "F" => Command::FullScreen,
        "t" | "T" => Command::ToggleTheme,
        "?" => Command::ToggleHelp,
        "p" | "P" => Command::TogglePresenter,
        "d" | "D" => Command::ToggleDrawer,
        "l" | "L" => Command::ToggleLessons,
        "PageDown" | "." => Command::LessonNext,
        "PageUp" | "," => Command::LessonBack,
        "v" | "V" => Command::NextView,
        "q" | "Q" => Command::TogglePredict,
        "b" | "B" => Command::ToggleSideBySide,
        "c" | "C" => Command::OtherStyle,
        "r" | "R" => Command::Reset,
        "g" | "G" => Command::ToggleGlossary,
        "s" | "S" => Command::Services,
        "Home" => Command::First,
        "End" => Command::Latest,
        _ => {
            let digit = key.parse::<usize>().ok().filter(|d| (1..=9).contains(d))?;
            Command::Number(digit - 1)
        }
    })
}

/// The help overlay: every shortcut, and presenter mode's switch.
pub fn help_html(presenter: bool) -> String {
    let mut out = Html::with_capacity(4096);
    out.push(r#"<section class="overlay help" data-testid="help-overlay" role="dialog" aria-modal="true" aria-labelledby="help-title"><header class="overlay__head"><h2 id="help-title">Keyboard shortcuts</h2><button type="button" class="btn btn--icon" "#)
        .push_command(Command::CloseOverlay)
        .push(r#" data-testid="close-help" aria-label="Close the help">✕</button></header><dl class="help__list">"#);
    for s in SHORTCUTS {
        out.push(r#"<div class="help__row"><dt>"#);
        for (i, k) in s.keys.iter().enumerate() {
            if i > 0 {
                out.push(" ");
            }
            out.push("<kbd>").push_text(k).push("</kbd>");
        }
        out.push("</dt><dd>").push_text(s.does).push("</dd></div>");
    }
    out.push(r#"</dl><p class="help__foot">Presenter mode is "#)
        .push(if presenter { "on" } else { "off" })
        .push(r#". Shortcuts work anywhere except in a text field; a whole class can be run from the keyboard.</p><button type="button" class="btn" "#)
        .push_command(Command::TogglePresenter)
        .push(r#" data-testid="presenter" aria-pressed=""#)
        .push_plain(presenter)
        .push(r#"">"#)
        .push(if presenter { "Leave" } else { "Start" })
        .push(" presenter mode (P)</button></section>");
    out.into_string()
}

/// What the page says after a command at a past moment replaced the future.
pub fn fork_notice(at_ms: u64, events: u64, discarded: u64) -> String {
    format!(
        "A new future: you changed the run at {} (after event {events}), so the {discarded} {} that had come after it {} discarded and the run goes on from there with your change.",
        seconds(at_ms),
        if discarded == 1 { "event" } else { "events" },
        if discarded == 1 { "was" } else { "were" }
    )
}

#[cfg(test)]
mod tests;
