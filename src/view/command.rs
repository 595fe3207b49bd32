//! What the page can be asked to do. A click and a key press both become a [`Command`], and the
//! page carries every command out in one place (`crate::ui::actions::apply`).
//!
//! The markup names the command an element sends with [`Command::attrs`] (a `data-action` and
//! its arguments in other `data-` attributes), and the page reads it back with
//! [`Command::read`]. Both are exhaustive matches over the enum, and a test sends every command
//! through the round trip, so a new command cannot be drawn without being handled, nor handled
//! under a name the markup does not write.
//!
//! Form controls are named the same way by [`Control`], and the data panel's tabs by [`DataTab`].

use crate::engine::commit::CommitPlan;
use crate::engine::commit::Protocol;
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{Coordination, Storage};

use super::glossary;
use super::layout::NodeKey;
use super::teach::View;

/// Which style (or both) the coordination switch asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleChoice {
    /// One style.
    One(Coordination),
    /// Both side by side.
    SideBySide,
}

impl StyleChoice {
    /// Every choice, in the switch's order.
    pub const ALL: [StyleChoice; 3] = [
        StyleChoice::One(Coordination::Orchestration),
        StyleChoice::One(Coordination::Choreography),
        StyleChoice::SideBySide,
    ];

    /// The switch's `data-value`.
    pub fn as_str(self) -> &'static str {
        match self {
            StyleChoice::One(c) => c.as_str(),
            StyleChoice::SideBySide => "side-by-side",
        }
    }

    fn parse(text: &str) -> Option<StyleChoice> {
        StyleChoice::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// What presenter mode shows side by side, one at a time: a style's run, or the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwinShown {
    /// This style's run, full size.
    Run(Coordination),
    /// The table comparing the two runs.
    Comparison,
}

impl TwinShown {
    /// Every choice, in the switch's order.
    pub const ALL: [TwinShown; 3] = [
        TwinShown::Run(Coordination::Orchestration),
        TwinShown::Run(Coordination::Choreography),
        TwinShown::Comparison,
    ];

    /// The switch's `data-value`, and the page's `data-twin`.
    pub fn as_str(self) -> &'static str {
        match self {
            TwinShown::Run(c) => c.as_str(),
            TwinShown::Comparison => "comparison",
        }
    }

    /// The switch's label.
    pub fn label(self) -> &'static str {
        match self {
            TwinShown::Run(Coordination::Orchestration) => "Orchestration",
            TwinShown::Run(Coordination::Choreography) => "Choreography",
            TwinShown::Comparison => "Comparison",
        }
    }

    fn parse(text: &str) -> Option<TwinShown> {
        TwinShown::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// A download the Share menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Every event of the run.
    Trace,
    /// The scenario with its faults and commands.
    Scenario,
    /// The diagram as it is drawn.
    Svg,
    /// A Mermaid sequence diagram.
    Mermaid,
    /// The saga as a Step Functions state machine.
    Asl,
    /// The 2PC / 3PC view's run (protocol and failure as chosen there) as a trace file.
    CommitTrace,
    /// The 2PC / 3PC view's run as a Mermaid sequence diagram.
    CommitMermaid,
}

impl ExportFormat {
    /// Every format, in the menu's order.
    pub const ALL: [ExportFormat; 7] = [
        ExportFormat::Trace,
        ExportFormat::Scenario,
        ExportFormat::Svg,
        ExportFormat::Mermaid,
        ExportFormat::Asl,
        ExportFormat::CommitTrace,
        ExportFormat::CommitMermaid,
    ];

    /// The `data-format` value (and the `export-<format>` test id).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Trace => "trace",
            ExportFormat::Scenario => "scenario",
            ExportFormat::Svg => "svg",
            ExportFormat::Mermaid => "mermaid",
            ExportFormat::Asl => "asl",
            ExportFormat::CommitTrace => "commit-trace",
            ExportFormat::CommitMermaid => "commit-mermaid",
        }
    }

    /// The menu item's label.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Trace => "Trace (.json)",
            ExportFormat::Scenario => "Scenario (.json)",
            ExportFormat::Svg => "Diagram (.svg)",
            ExportFormat::Mermaid => "Sequence (.mmd)",
            ExportFormat::Asl => "Step Functions (.asl.json)",
            ExportFormat::CommitTrace => "2PC / 3PC trace (.json)",
            ExportFormat::CommitMermaid => "2PC / 3PC sequence (.mmd)",
        }
    }

    /// What the download is, for the menu item's title.
    pub fn title(self) -> &'static str {
        match self {
            ExportFormat::Trace => {
                "Every event of the run, versioned, for the native runner to check"
            }
            ExportFormat::Scenario => {
                "The scenario with your faults and commands, to import again or run natively"
            }
            ExportFormat::Svg => "The diagram as it looks now, styles included",
            ExportFormat::Mermaid => "The run as a Mermaid sequenceDiagram",
            ExportFormat::Asl => "The saga as an AWS Step Functions state machine",
            ExportFormat::CommitTrace => {
                "This run's customers booked as distributed transactions, with the protocol and failure chosen in the 2PC / 3PC view: every event and the guarantees broken"
            }
            ExportFormat::CommitMermaid => {
                "This run's customers booked as distributed transactions (the 2PC / 3PC view's protocol and failure) as a Mermaid sequenceDiagram: prepare, votes, decision, locks"
            }
        }
    }

    /// Reads a `data-format` value.
    pub fn parse(text: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// The tabs of the data panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataTab {
    /// Every service's tables.
    #[default]
    Tables,
    /// The dead-letter queues.
    DeadLetters,
    /// What waits for a person.
    Manual,
}

impl DataTab {
    /// Every tab, in the panel's order.
    pub const ALL: [DataTab; 3] = [DataTab::Tables, DataTab::DeadLetters, DataTab::Manual];

    /// The `data-tab` value (and the `tab-<id>` test id).
    pub fn as_str(self) -> &'static str {
        match self {
            DataTab::Tables => "tables",
            DataTab::DeadLetters => "dead-letters",
            DataTab::Manual => "manual",
        }
    }

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            DataTab::Tables => "Databases",
            DataTab::DeadLetters => "Dead letters",
            DataTab::Manual => "Manual intervention",
        }
    }

    /// Reads a `data-tab` value.
    pub fn parse(text: &str) -> Option<DataTab> {
        DataTab::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// A form control, read when it changes (`data-control`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// The preset list.
    Preset,
    /// The speed list.
    Speed,
    /// The seed field.
    Seed,
    /// The scenario file picker.
    Import,
}

impl Control {
    /// Every control.
    pub const ALL: [Control; 4] = [
        Control::Preset,
        Control::Speed,
        Control::Seed,
        Control::Import,
    ];

    /// The `data-control` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Control::Preset => "preset",
            Control::Speed => "speed",
            Control::Seed => "seed",
            Control::Import => "import",
        }
    }

    /// The attribute that names the control in the markup.
    pub fn attr(self) -> String {
        format!(r#"data-control="{}""#, self.as_str())
    }

    /// Reads a `data-control` value.
    pub fn parse(text: &str) -> Option<Control> {
        Control::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// Something the page can be asked to do, by a click or a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Run the clock.
    Play,
    /// Stop the clock.
    Pause,
    /// Play or pause (in predict mode: answer first, then continue).
    PlayPause,
    /// Show exactly one more event.
    Step,
    /// One event back.
    StepBack,
    /// Everything that happens at the next moment of simulated time (Shift + Step).
    StepInstant,
    /// Back to the start of the moment shown (Shift + Step back).
    StepBackInstant,
    /// To the start of the run.
    First,
    /// To the latest moment.
    Latest,
    /// Start this run again from 0 s, keeping its faults.
    Reset,
    /// The next slower speed.
    Slower,
    /// The next faster speed.
    Faster,
    /// Show a view of the run.
    ShowView(View),
    /// The next view.
    NextView,
    /// Predict mode on or off.
    TogglePredict,
    /// Answer the open question with choice n.
    PredictAnswer(usize),
    /// Go on after an answer.
    PredictContinue,
    /// A number key: the answer n while a question is open, else preset n (both 0-based).
    Number(usize),
    /// Open the glossary, at an entry if one is named.
    OpenGlossary(Option<&'static str>),
    /// Open or close the glossary.
    ToggleGlossary,
    /// Open or close the help.
    ToggleHelp,
    /// Close the open overlay.
    CloseOverlay,
    /// Presenter mode (large type) on or off.
    TogglePresenter,
    /// Presenter mode: open or close the drawer with the tables, the log and the monitor.
    ToggleDrawer,
    /// Presenter mode side by side: show one style's run (full size) or the comparison.
    ShowTwin(TwinShown),
    /// Open or close the list of guided lessons.
    ToggleLessons,
    /// Open the guided lesson listed n-th (0-based).
    LessonOpen(usize),
    /// The lesson's next stop.
    LessonNext,
    /// The lesson's previous stop.
    LessonBack,
    /// The lesson's stop n (0-based).
    LessonGo(usize),
    /// Answer the lesson's question with choice n.
    LessonAnswer(usize),
    /// Leave the lesson.
    LessonClose,
    /// Light or dark.
    ToggleTheme,
    /// Full screen on or off.
    FullScreen,
    /// Hide the notice.
    DismissNotice,
    /// Put a link to this moment in the address bar and copy it.
    Share,
    /// Hide the shared link.
    CloseShare,
    /// Download the run in a format.
    Export(ExportFormat),
    /// Start a run in a style, or show both side by side.
    Style(StyleChoice),
    /// Switch to the other style.
    OtherStyle,
    /// Both styles side by side, or back to one.
    ToggleSideBySide,
    /// Start a run with this storage.
    Storage(Storage),
    /// Start the run again with this safeguard switched.
    ToggleSafeguard(Safeguard),
    /// Show this saga's steps on the services.
    SelectSaga(usize),
    /// The customer of this saga cancels.
    Cancel(usize),
    /// Dead letters back to their queues, waiting sagas resumed.
    Redrive,
    /// Chaos on or off.
    ToggleChaos,
    /// Inject the open fault menu's choice n.
    Inject(usize),
    /// Remove an active fault.
    RemoveFault(usize),
    /// Close the fault menu.
    CloseMenu,
    /// Select a node of the diagram (the log filters to it) and open its fault menu.
    SelectNode(NodeKey),
    /// Move the keyboard to the diagram's nodes.
    Services,
    /// Narrate the latest event again.
    Live,
    /// Stop filtering the log to a node.
    ShowAll,
    /// Select an event (or let it go, if it is the one selected).
    SelectEvent(u64),
    /// Show a tab of the data panel.
    Tab(DataTab),
    /// The commit view: run the customers' bookings under this protocol.
    CommitProtocol(Protocol),
    /// The commit view: the failure its run meets.
    CommitPlan(CommitPlan),
}

impl Command {
    /// The command with Shift held: the steps move one instant instead of one event.
    pub fn with_shift(self) -> Command {
        match self {
            Command::Step => Command::StepInstant,
            Command::StepBack => Command::StepBackInstant,
            other => other,
        }
    }

    /// The `data-action` name.
    pub fn name(self) -> &'static str {
        match self {
            Command::Play => "play",
            Command::Pause => "pause",
            Command::PlayPause => "play-pause",
            Command::Step => "step",
            Command::StepBack => "step-back",
            Command::StepInstant => "step-instant",
            Command::StepBackInstant => "step-back-instant",
            Command::First => "first",
            Command::Latest => "latest",
            Command::Reset => "reset",
            Command::Slower => "slower",
            Command::Faster => "faster",
            Command::ShowView(_) => "view",
            Command::NextView => "next-view",
            Command::TogglePredict => "predict",
            Command::PredictAnswer(_) => "predict-answer",
            Command::PredictContinue => "predict-continue",
            Command::Number(_) => "number",
            Command::OpenGlossary(_) => "glossary",
            Command::ToggleGlossary => "toggle-glossary",
            Command::ToggleHelp => "help",
            Command::CloseOverlay => "close-overlay",
            Command::TogglePresenter => "presenter",
            Command::ToggleDrawer => "drawer",
            Command::ShowTwin(_) => "twin",
            Command::ToggleLessons => "lessons",
            Command::LessonOpen(_) => "lesson-open",
            Command::LessonNext => "lesson-next",
            Command::LessonBack => "lesson-back",
            Command::LessonGo(_) => "lesson-go",
            Command::LessonAnswer(_) => "lesson-answer",
            Command::LessonClose => "lesson-close",
            Command::ToggleTheme => "theme",
            Command::FullScreen => "full-screen",
            Command::DismissNotice => "dismiss",
            Command::Share => "share",
            Command::CloseShare => "close-share",
            Command::Export(_) => "export",
            Command::Style(_) => "coordination",
            Command::OtherStyle => "other-style",
            Command::ToggleSideBySide => "side-by-side",
            Command::Storage(_) => "storage",
            Command::ToggleSafeguard(_) => "safeguard",
            Command::SelectSaga(_) => "select-saga",
            Command::Cancel(_) => "cancel",
            Command::Redrive => "redrive",
            Command::ToggleChaos => "chaos",
            Command::Inject(_) => "inject",
            Command::RemoveFault(_) => "remove-fault",
            Command::CloseMenu => "close-menu",
            Command::SelectNode(_) => "select-node",
            Command::Services => "services",
            Command::Live => "live",
            Command::ShowAll => "show-all",
            Command::SelectEvent(_) => "select-event",
            Command::Tab(_) => "tab",
            Command::CommitProtocol(_) => "commit-protocol",
            Command::CommitPlan(_) => "commit-plan",
        }
    }

    /// The attributes that make an element send this command: `data-action="…"` and its
    /// argument, if it has one.
    pub fn attrs(self) -> String {
        // Every argument is an id, a number or a fixed word: nothing to escape.
        match self.arg() {
            Some((name, value)) => format!(r#"data-action="{}" {name}="{value}""#, self.name()),
            None => format!(r#"data-action="{}""#, self.name()),
        }
    }

    /// The command's argument as the markup writes it: the attribute's name and its value.
    pub fn arg(self) -> Option<(&'static str, String)> {
        match self {
            Command::ShowView(view) => Some(("data-view", view.as_str().to_string())),
            Command::PredictAnswer(n) | Command::Number(n) | Command::Inject(n) => {
                Some(("data-choice", n.to_string()))
            }
            Command::OpenGlossary(term) => term.map(|t| ("data-term", t.to_string())),
            Command::Export(format) => Some(("data-format", format.as_str().to_string())),
            Command::Style(choice) => Some(("data-value", choice.as_str().to_string())),
            Command::Storage(storage) => Some(("data-value", storage.as_str().to_string())),
            Command::ToggleSafeguard(s) => Some(("data-value", s.as_str().to_string())),
            Command::SelectSaga(saga) | Command::Cancel(saga) => {
                Some(("data-saga", saga.to_string()))
            }
            Command::RemoveFault(id) => Some(("data-fault-id", id.to_string())),
            Command::SelectNode(key) => Some(("data-node", key.test_id())),
            Command::SelectEvent(seq) => Some(("data-seq", seq.to_string())),
            Command::Tab(tab) => Some(("data-tab", tab.as_str().to_string())),
            Command::CommitProtocol(p) => Some(("data-protocol", p.as_str().to_string())),
            Command::CommitPlan(plan) => Some(("data-plan", plan.as_str().to_string())),
            Command::ShowTwin(c) => Some(("data-value", c.as_str().to_string())),
            Command::LessonOpen(n) => Some(("data-lesson", n.to_string())),
            Command::LessonGo(n) => Some(("data-stop", n.to_string())),
            Command::LessonAnswer(n) => Some(("data-choice", n.to_string())),
            Command::Play
            | Command::Pause
            | Command::PlayPause
            | Command::Step
            | Command::StepBack
            | Command::StepInstant
            | Command::StepBackInstant
            | Command::First
            | Command::Latest
            | Command::Reset
            | Command::Slower
            | Command::Faster
            | Command::NextView
            | Command::TogglePredict
            | Command::PredictContinue
            | Command::ToggleGlossary
            | Command::ToggleHelp
            | Command::CloseOverlay
            | Command::TogglePresenter
            | Command::ToggleDrawer
            | Command::ToggleLessons
            | Command::LessonNext
            | Command::LessonBack
            | Command::LessonClose
            | Command::ToggleTheme
            | Command::FullScreen
            | Command::DismissNotice
            | Command::Share
            | Command::CloseShare
            | Command::OtherStyle
            | Command::ToggleSideBySide
            | Command::Redrive
            | Command::ToggleChaos
            | Command::CloseMenu
            | Command::Services
            | Command::Live
            | Command::ShowAll => None,
        }
    }

    /// Reads the command an element sends from its attributes (`attr` gives an attribute's
    /// value by name). A diagram node (`data-node`) selects it; a fault chip (`data-chip`)
    /// removes its fault. `None` for a name or argument that means nothing.
    pub fn read(attr: impl Fn(&str) -> Option<String>) -> Option<Command> {
        let Some(name) = attr("data-action") else {
            if let Some(id) = attr("data-chip").and_then(|v| v.parse().ok()) {
                return Some(Command::RemoveFault(id));
            }
            return attr("data-node")
                .and_then(|v| NodeKey::from_test_id(&v))
                .map(Command::SelectNode);
        };
        fn number<T: std::str::FromStr>(
            attr: &impl Fn(&str) -> Option<String>,
            name: &str,
        ) -> Option<T> {
            attr(name).and_then(|v| v.parse().ok())
        }
        let value = || attr("data-value");
        Some(match name.as_str() {
            "play" => Command::Play,
            "pause" => Command::Pause,
            "play-pause" => Command::PlayPause,
            "step" => Command::Step,
            "step-back" => Command::StepBack,
            "step-instant" => Command::StepInstant,
            "step-back-instant" => Command::StepBackInstant,
            "first" => Command::First,
            "latest" => Command::Latest,
            "reset" => Command::Reset,
            "slower" => Command::Slower,
            "faster" => Command::Faster,
            "view" => Command::ShowView(View::parse(&attr("data-view")?)?),
            "next-view" => Command::NextView,
            "predict" => Command::TogglePredict,
            "predict-answer" => Command::PredictAnswer(number(&attr, "data-choice")?),
            "predict-continue" => Command::PredictContinue,
            "number" => Command::Number(number(&attr, "data-choice")?),
            "glossary" => Command::OpenGlossary(match attr("data-term") {
                Some(term) => Some(glossary::place(&term)?),
                None => None,
            }),
            "toggle-glossary" => Command::ToggleGlossary,
            "help" => Command::ToggleHelp,
            // The glossary's own close button predates the overlay's.
            "close-overlay" | "close-glossary" => Command::CloseOverlay,
            "presenter" => Command::TogglePresenter,
            "drawer" => Command::ToggleDrawer,
            "lessons" => Command::ToggleLessons,
            "lesson-open" => Command::LessonOpen(number(&attr, "data-lesson")?),
            "lesson-next" => Command::LessonNext,
            "lesson-back" => Command::LessonBack,
            "lesson-go" => Command::LessonGo(number(&attr, "data-stop")?),
            "lesson-answer" => Command::LessonAnswer(number(&attr, "data-choice")?),
            "lesson-close" => Command::LessonClose,
            "twin" => Command::ShowTwin(TwinShown::parse(&value()?)?),
            "theme" => Command::ToggleTheme,
            "full-screen" => Command::FullScreen,
            "dismiss" => Command::DismissNotice,
            "share" => Command::Share,
            "close-share" => Command::CloseShare,
            "export" => Command::Export(ExportFormat::parse(&attr("data-format")?)?),
            "coordination" => Command::Style(StyleChoice::parse(&value()?)?),
            "other-style" => Command::OtherStyle,
            "side-by-side" => Command::ToggleSideBySide,
            "storage" => {
                let value = value()?;
                let storage = [Storage::PerService, Storage::Shared]
                    .into_iter()
                    .find(|s| s.as_str() == value)?;
                Command::Storage(storage)
            }
            "safeguard" => Command::ToggleSafeguard(Safeguard::parse(&value()?)?),
            "select-saga" => Command::SelectSaga(number(&attr, "data-saga")?),
            "cancel" => Command::Cancel(number(&attr, "data-saga")?),
            "redrive" => Command::Redrive,
            "chaos" => Command::ToggleChaos,
            "inject" => Command::Inject(number(&attr, "data-choice")?),
            "remove-fault" => Command::RemoveFault(number(&attr, "data-fault-id")?),
            "close-menu" => Command::CloseMenu,
            "select-node" => Command::SelectNode(NodeKey::from_test_id(&attr("data-node")?)?),
            "services" => Command::Services,
            "live" => Command::Live,
            "show-all" => Command::ShowAll,
            "select-event" => Command::SelectEvent(number(&attr, "data-seq")?),
            "tab" => Command::Tab(DataTab::parse(&attr("data-tab")?)?),
            "commit-protocol" => Command::CommitProtocol(Protocol::parse(&attr("data-protocol")?)?),
            "commit-plan" => Command::CommitPlan(CommitPlan::parse(&attr("data-plan")?)?),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests;
