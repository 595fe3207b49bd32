//! The page's panels as HTML markup: the toolbar, the fault menu, the outcome banner, the
//! narration, the invariant monitor, the event log and the data tabs.
//!
//! Pure functions, tested natively. An interactive element names what it does with the
//! attributes of a [`Command`] ([`Command::attrs`]), a form control with a [`Control`]; the page
//! reads them back and handles them by delegation (see `crate::view::command`).

use std::fmt::Write;

use crate::engine::event::Outcome;
use crate::engine::fault::FaultKind;
use crate::engine::invariants::InvariantStatus;
use crate::engine::message::SagaId;
use crate::engine::presets::{self, PRESETS};
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{Coordination, Safeguards, Scenario, Storage};
use crate::engine::sim::Simulation;
use crate::engine::snapshot::Snapshot;

use super::command::{Command, Control, DataTab, ExportFormat, StyleChoice};
use super::faults::{chip_label, fault_node, menu};
use super::format::{escape, saga_colour, saga_letter, seconds};
use super::glossary;
use super::layout::NodeKey;
use super::monitor::{short_name, standing, title};
use super::status::outcome_text;
use super::story::{opening, tell, Story, StoryContext};
use super::tables::{databases, databases_html, dead_letter_items, manual_items};

/// What the bar shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarState {
    /// The preset's id.
    pub preset: &'static str,
    /// The style.
    pub coordination: Coordination,
    /// The storage.
    pub storage: Storage,
    /// The seed.
    pub seed: u64,
    /// Whether the clock runs.
    pub playing: bool,
    /// Whether the run has come to rest (Step has nothing to do).
    pub settled: bool,
    /// The speed in percent, and its label.
    pub speed: (u32, String),
    /// The speeds offered: (percent, label).
    pub speeds: Vec<(u32, String)>,
    /// The theme a click on the theme switch goes to.
    pub other_theme: &'static str,
    /// Whether both styles are shown side by side.
    pub side_by_side: bool,
    /// Whether there is an earlier moment to step back to.
    pub can_step_back: bool,
    /// The run's safeguards.
    pub safeguards: Safeguards,
}

fn attr_if(on: bool, attr: &'static str) -> &'static str {
    if on {
        attr
    } else {
        ""
    }
}

fn segment(
    out: &mut String,
    test_id: &str,
    label: &str,
    current: Command,
    options: &[(Command, &str, &str, bool)],
) {
    let _ = write!(
        out,
        r#"<div class="seg" role="group" aria-label="{label}" data-testid="{test_id}" data-value="{}">"#,
        segment_value(current),
    );
    for (command, text, title, disabled) in options {
        let on = *command == current;
        let _ = write!(
            out,
            r#"<button type="button" class="seg__btn{}" {} aria-pressed="{on}" title="{title}"{}>{text}</button>"#,
            attr_if(on, " seg__btn--on"),
            command.attrs(),
            attr_if(*disabled, " disabled"),
        );
    }
    out.push_str("</div>");
}

/// The `data-value` a segmented switch shows as chosen.
fn segment_value(command: Command) -> &'static str {
    match command {
        Command::Style(choice) => choice.as_str(),
        Command::Storage(storage) => storage.as_str(),
        _ => "",
    }
}

/// The `data-testid` of a safeguard's switch (`safeguard-semantic-lock`).
pub fn safeguard_test_id(safeguard: Safeguard) -> String {
    format!("safeguard-{}", safeguard.as_str().replace('_', "-"))
}

/// The bar's Safeguards menu: one switch per safeguard, showing its state; the menu's button says
/// how many are off.
fn safeguards_menu(safeguards: &Safeguards) -> String {
    let off: Vec<&str> = Safeguard::ALL
        .into_iter()
        .filter(|s| !safeguards.get(*s))
        .map(Safeguard::label)
        .collect();
    // The visible count is part of the accessible name (a screen reader and a voice command
    // then say the same as the eye sees).
    let summary = if off.is_empty() {
        "Safeguards: all on".to_string()
    } else {
        let n = off.len();
        let noun = if n == 1 { "safeguard" } else { "safeguards" };
        format!("{n} {noun} off: {}", off.join(", "))
    };
    let mut out = String::with_capacity(2048);
    let _ = write!(
        out,
        r#"<details class="menu bar__menu bar__safeguards" data-testid="safeguards" data-off="{}"><summary class="btn btn--icon{}" title="{summary}" aria-label="{summary}"><svg class="menu__icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6z"/>{}</svg>{}</summary><div class="menu__list" role="group" aria-label="Safeguards"><p class="menu__head">Safeguards</p>"#,
        off.len(),
        attr_if(!off.is_empty(), " btn--warn"),
        if off.is_empty() {
            r#"<path d="M9 12l2 2 4-4"/>"#
        } else {
            r#"<path d="M12 8v5M12 16v.5"/>"#
        },
        if off.is_empty() {
            String::new()
        } else {
            format!(r#"<span class="bar__count">{}</span>"#, off.len())
        },
    );
    for safeguard in Safeguard::ALL {
        let on = safeguards.get(safeguard);
        let _ = write!(
            out,
            r#"<button type="button" class="menu__item menu__switch" data-testid="{}" {} aria-pressed="{on}" title="{}"><span>{}</span><span class="menu__state menu__state--{}">{}</span></button>"#,
            safeguard_test_id(safeguard),
            Command::ToggleSafeguard(safeguard).attrs(),
            escape(safeguard.explanation()),
            escape(safeguard.label()),
            if on { "on" } else { "off" },
            if on { "On" } else { "Off" },
        );
    }
    out.push_str(r#"<p class="menu__note">Switching one starts the run again from 0 s, with your faults.</p></div></details>"#);
    out
}

/// The bar on top: preset, coordination, storage, safeguards, play, pause, step, reset, speed,
/// seed, theme.
pub fn bar_html(state: &BarState) -> String {
    let mut out = String::with_capacity(6 * 1024);
    out.push_str(r#"<header class="bar"><h1 class="bar__brand" title="Sagascope: see the saga pattern work and fail"><svg class="bar__logo" viewBox="0 0 24 24" aria-hidden="true"><circle cx="5" cy="6" r="3"/><circle cx="19" cy="6" r="3"/><circle cx="12" cy="18" r="3"/><path d="M8 6h8M6.5 8.5l4 7M17.5 8.5l-4 7"/></svg><span>Sagascope</span></h1>"#);
    let current = presets::find(state.preset);
    let _ = write!(
        out,
        r#"<label class="bar__preset"><span class="sr-only">Preset</span><select data-testid="preset" {} title="{}">"#,
        Control::Preset.attr(),
        escape(current.map(|p| p.description).unwrap_or_default())
    );
    for p in PRESETS {
        let _ = write!(
            out,
            r#"<option value="{}" title="{}"{}>{}{}</option>"#,
            p.id,
            escape(p.description),
            attr_if(p.id == state.preset, " selected"),
            escape(p.title),
            match p.only {
                Some(Coordination::Orchestration) => " (orchestration only)",
                Some(Coordination::Choreography) => " (choreography only)",
                None => "",
            },
        );
    }
    out.push_str("</select></label>");
    let only = current.and_then(|p| p.only);
    let orchestration_only = only == Some(Coordination::Orchestration);
    let choreography_only = only == Some(Coordination::Choreography);
    segment(
        &mut out,
        "coordination",
        "Coordination",
        Command::Style(if state.side_by_side {
            StyleChoice::SideBySide
        } else {
            StyleChoice::One(state.coordination)
        }),
        &[
            (
                Command::Style(StyleChoice::One(Coordination::Orchestration)),
                "Orchestration",
                if choreography_only {
                    "This preset needs an outbox and a relay"
                } else {
                    "An orchestrator commands each service and keeps a durable saga log"
                },
                choreography_only,
            ),
            (
                Command::Style(StyleChoice::One(Coordination::Choreography)),
                "Choreography",
                if orchestration_only {
                    "This preset needs an orchestrator"
                } else {
                    "Services react to each other's events over a bus"
                },
                orchestration_only,
            ),
            (
                Command::Style(StyleChoice::SideBySide),
                "Both",
                if only.is_some() {
                    "This preset runs in one style only"
                } else {
                    "Both styles side by side: one seed, one fault plan, one clock (B)"
                },
                only.is_some(),
            ),
        ],
    );
    segment(
        &mut out,
        "storage",
        "Storage",
        Command::Storage(state.storage),
        &[
            (
                Command::Storage(Storage::PerService),
                "Per service",
                "Each service owns its database",
                false,
            ),
            (
                Command::Storage(Storage::Shared),
                "Shared DB",
                "One database instance holds every service's tables",
                false,
            ),
        ],
    );
    out.push_str(&safeguards_menu(&state.safeguards));
    let _ = write!(
        out,
        r#"<div class="bar__transport" role="group" aria-label="Playback"><button type="button" class="btn btn--primary" data-testid="play" {a_play} title="Play (Space)"{}><span aria-hidden="true">▶</span> Play</button><button type="button" class="btn btn--icon" data-testid="pause" {a_pause} title="Pause (Space)" aria-label="Pause"{}><span aria-hidden="true">❚❚</span></button><button type="button" class="btn btn--icon" data-testid="step-back" {a_step_back} title="One step back (←)" aria-label="Step back"{}><span aria-hidden="true">⇤</span></button><button type="button" class="btn" data-testid="step" {a_step} title="Run until the next event (→)"{}><span aria-hidden="true">⇥</span> Step</button><button type="button" class="btn btn--icon" data-testid="reset" {a_reset} title="Reset: start this run again from 0 s, with your faults (R)" aria-label="Reset"><span aria-hidden="true">↺</span></button></div>"#,
        attr_if(state.playing, " disabled"),
        attr_if(!state.playing, " disabled"),
        attr_if(!state.can_step_back, " disabled"),
        attr_if(state.settled, " disabled"),
        a_play = Command::Play.attrs(),
        a_pause = Command::Pause.attrs(),
        a_step_back = Command::StepBack.attrs(),
        a_step = Command::Step.attrs(),
        a_reset = Command::Reset.attrs(),
    );
    let _ = write!(
        out,
        r#"<label class="bar__field" title="Speed: simulated time per real time"><span class="sr-only">Speed</span><select data-testid="speed" {}>"#,
        Control::Speed.attr()
    );
    for (pct, label) in &state.speeds {
        let _ = write!(
            out,
            r#"<option value="{pct}"{}>{label}</option>"#,
            attr_if(*pct == state.speed.0, " selected"),
        );
    }
    let _ = write!(
        out,
        r#"</select></label><label class="bar__field"><span class="bar__label">Seed</span><input class="bar__seed" data-testid="seed" {c_seed} inputmode="numeric" autocomplete="off" spellcheck="false" title="The only source of randomness: the same seed replays the same run" value="{}"></label>{}<button type="button" class="btn btn--icon bar__theme" data-testid="theme" {a_theme} title="Switch between light and dark (T)" aria-label="Switch to the {} theme">◐</button><button type="button" class="btn btn--icon" data-testid="help" {a_help} title="Keyboard shortcuts and presenter mode (?)" aria-label="Help: keyboard shortcuts" aria-haspopup="dialog">?</button></header>"#,
        state.seed,
        share_menu(),
        state.other_theme,
        c_seed = Control::Seed.attr(),
        a_theme = Command::ToggleTheme.attrs(),
        a_help = Command::ToggleHelp.attrs(),
    );
    out
}

/// The bar's Share menu: a link to this moment, the downloads, and the Import picker.
fn share_menu() -> String {
    let mut out = String::with_capacity(2048);
    let _ = write!(
        out,
        concat!(
            r#"<details class="menu bar__menu" data-testid="export"><summary class="btn btn--icon" title="Share, export, import" aria-label="Share, export, import"><svg class="menu__icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 15V3M7 8l5-5 5 5M5 13v7h14v-7"/></svg></summary><div class="menu__list" role="menu">"#,
            r#"<button type="button" class="menu__item" role="menuitem" data-testid="share" {SHARE} title="Put a link to this moment of the run in the address bar and copy it">Copy a link to this moment</button><p class="menu__head">Download</p>"#,
        ),
        SHARE = Command::Share.attrs(),
    );
    for format in ExportFormat::ALL {
        let _ = write!(
            out,
            r#"<button type="button" class="menu__item" role="menuitem" {} data-testid="export-{}" title="{}">{}</button>"#,
            Command::Export(format).attrs(),
            format.as_str(),
            format.title(),
            format.label(),
        );
    }
    let _ = write!(
        out,
        r#"<p class="menu__head">Open</p><label class="menu__item" title="Open a scenario file (.json); you can also drop one on the page">Import a scenario…<input type="file" accept=".json,application/json" class="sr-only" data-testid="import" {}></label></div></details>"#,
        Control::Import.attr()
    );
    out
}

/// The shared link, in a read-only field to copy by hand when the clipboard is out of reach.
pub fn share_html(url: &str) -> String {
    format!(
        r#"<div class="share" data-testid="share-panel"><label class="share__label">Link to this moment<input class="share__link" data-testid="share-link" readonly value="{}"></label><button type="button" class="btn btn--icon" {} aria-label="Hide the link">✕</button></div>"#,
        escape(url),
        Command::CloseShare.attrs(),
    )
}

/// The notice: a message for the person, with a button to hide it.
pub fn notice_html(text: &str) -> String {
    format!(
        r#"<div class="notice" role="status" data-testid="notice"><span class="notice__text">{}</span><button type="button" class="btn btn--icon" {} aria-label="Dismiss">✕</button></div>"#,
        escape(text),
        Command::DismissNotice.attrs(),
    )
}

/// One line of the event log: an event and its story.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The event's sequence number.
    pub seq: u64,
    /// When.
    pub at_ms: u64,
    /// Its saga.
    pub saga: Option<SagaId>,
    /// What it means.
    pub story: Story,
}

impl Line {
    /// Whether the event concerns a node (a service's queue counts as the service).
    pub fn concerns(&self, node: NodeKey) -> bool {
        self.story.nodes.iter().any(|n| {
            *n == node || matches!((n, node), (NodeKey::Queue(a), NodeKey::Service(b)) if *a == b)
        })
    }
}

/// Every event of a run, told.
pub fn lines(sim: &Simulation) -> Vec<Line> {
    lines_from(sim, 0)
}

/// The events of a run from number `from` on, told.
pub fn lines_from(sim: &Simulation, from: usize) -> Vec<Line> {
    let ctx = StoryContext {
        scenario: sim.scenario(),
        messages: sim.messages(),
        faults: sim.faults(),
        sagas: sim.sagas(),
        notifications: &sim.tables().notifications,
    };
    sim.trace()
        .iter()
        .skip(from)
        .map(|e| Line {
            seq: e.seq,
            at_ms: e.at_ms,
            saga: e.saga,
            story: tell(e, &ctx),
        })
        .collect()
}

/// The line the narration tells: the selected one, else the latest that is not bookkeeping.
pub fn narrated(lines: &[Line], selected: Option<u64>) -> Option<&Line> {
    match selected {
        Some(seq) => lines.iter().find(|l| l.seq == seq),
        None => lines.iter().rev().find(|l| !l.story.minor),
    }
}

fn saga_badge(out: &mut String, saga: Option<SagaId>) {
    match saga {
        Some(s) => {
            let _ = write!(
                out,
                r#"<span class="badge saga-{}">{}</span>"#,
                saga_colour(s),
                saga_letter(s)
            );
        }
        None => out.push_str(r#"<span class="badge badge--none"></span>"#),
    }
}

/// One line of the event log.
pub fn log_line_html(line: &Line, selected: bool) -> String {
    let mut out = String::with_capacity(256);
    let _ = write!(
        out,
        r#"<li class="log__line log__line--{}{}{}" {} tabindex="0"{}><span class="log__time">{}</span>"#,
        line.story.tone.as_str(),
        if line.story.minor {
            " log__line--minor"
        } else {
            ""
        },
        if selected { " log__line--selected" } else { "" },
        Command::SelectEvent(line.seq).attrs(),
        attr_if(selected, r#" aria-current="true""#),
        seconds(line.at_ms),
    );
    saga_badge(&mut out, line.saga);
    let _ = write!(
        out,
        r#"<span class="log__icon" aria-hidden="true">{}</span><span class="log__text">{}</span></li>"#,
        line.story.icon,
        escape(&line.story.text)
    );
    out
}

/// The toolbar above the diagram: one chip per saga, and the actions that are not faults.
pub fn toolbar_html(snapshot: &Snapshot, selected: SagaId) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str(r#"<div class="toolbar__sagas" role="group" aria-label="Sagas">"#);
    let several = snapshot.sagas.len() > 1;
    for r in &snapshot.sagas {
        let (icon, title, _) = outcome_text(r.outcome);
        let on = r.id == selected;
        let _ = write!(
            out,
            r#"<button type="button" class="saga-chip saga-{}{}" {} data-outcome="{}" aria-pressed="{on}" title="{}"><span class="saga-chip__letter">{}</span>{}<span class="saga-chip__outcome" aria-label="{title}">{icon}</span></button>"#,
            saga_colour(r.id),
            if on { " saga-chip--on" } else { "" },
            Command::SelectSaga(r.id).attrs(),
            r.outcome.as_str(),
            if several {
                format!(
                    "Show saga {}'s steps on the services ({title})",
                    saga_letter(r.id)
                )
            } else {
                format!("Saga {}: {title}", saga_letter(r.id))
            },
            saga_letter(r.id),
            escape(&r.spec.customer),
        );
    }
    out.push_str(r#"</div><div class="toolbar__actions">"#);
    let record = snapshot.sagas.get(selected);
    let can_cancel = record.is_some_and(|r| {
        r.started
            && !r.cancel_requested
            && matches!(r.outcome, Outcome::Running | Outcome::Completed)
    });
    let cancel_label = record
        .map(|r| format!("⊘ {} cancels ({})", r.spec.customer, saga_letter(r.id)))
        .unwrap_or_else(|| "⊘ Cancel".to_string());
    let _ = write!(
        out,
        r#"<button type="button" class="btn btn--small" data-testid="cancel" {}{} title="The customer asks to cancel: before the pivot the saga compensates; after completion a cancellation saga runs">{}</button>"#,
        Command::Cancel(selected).attrs(),
        if can_cancel { "" } else { " disabled" },
        escape(&cancel_label),
    );
    // In choreography a saga waits for a person because its message was dead-lettered: count
    // the messages; in orchestration, the sagas whose compensation ran out of retries.
    let waiting = match snapshot.coordination {
        Coordination::Choreography => snapshot.dead_letters.len(),
        Coordination::Orchestration => snapshot.manual_intervention.len(),
    };
    let _ = write!(
        out,
        r#"<button type="button" class="btn btn--small" data-testid="redrive" {}{} title="Move dead letters back to their queues and retry compensations that wait for a person">↺ Redrive{}</button>"#,
        Command::Redrive.attrs(),
        if waiting == 0 { " disabled" } else { "" },
        if waiting == 0 {
            String::new()
        } else {
            format!(" ({waiting})")
        },
    );
    let chaos = snapshot
        .faults
        .iter()
        .any(|f| f.active && f.spec.kind() == FaultKind::Chaos);
    let _ = write!(
        out,
        r#"<button type="button" class="btn btn--small btn--chaos{}" data-testid="chaos" {} aria-pressed="{chaos}" title="Random drops, duplicates, delays and errors drawn from the seed, for 20 s">⚄ Chaos{}</button></div>"#,
        if chaos { " btn--on" } else { "" },
        Command::ToggleChaos.attrs(),
        if chaos { " on" } else { "" },
    );
    out
}

/// The fault menu of a node: every fault that applies there, and its active faults.
pub fn fault_menu_html(
    scenario: &Scenario,
    snapshot: &Snapshot,
    key: NodeKey,
    side: &str,
) -> String {
    let title = match key {
        NodeKey::Orchestrator => "Break the orchestrator".to_string(),
        NodeKey::Bus => "Break the event bus".to_string(),
        other => format!("Break {}", other.label()),
    };
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        r#"<div class="fault-menu fault-menu--{side}" role="dialog" aria-label="{0}" data-testid="fault-menu" data-menu-for="{1}"><header class="fault-menu__head"><h2 class="fault-menu__title">⚡ {0}</h2><button type="button" class="btn btn--icon" {2} data-testid="fault-menu-close" aria-label="Close the fault menu">✕</button></header><p class="fault-menu__hint">Takes effect now, and from 0 s after Reset.</p><div class="fault-menu__grid">"#,
        escape(&title),
        key.test_id(),
        Command::CloseMenu.attrs(),
    );
    for (i, choice) in menu(scenario, key).iter().enumerate() {
        let _ = write!(
            out,
            r#"<button type="button" class="fault-btn" {} data-fault="{}" title="{}">{}</button>"#,
            Command::Inject(i).attrs(),
            choice.kind.as_str(),
            escape(&choice.spec.describe(scenario)),
            escape(&choice.label),
        );
    }
    out.push_str(r#"</div><div class="fault-menu__active">"#);
    let active: Vec<_> = snapshot
        .faults
        .iter()
        .filter(|f| f.active && fault_node(f, scenario) == Some(key))
        .collect();
    if active.is_empty() {
        out.push_str(r#"<p class="fault-menu__none">No active faults here.</p>"#);
    } else {
        out.push_str(r#"<ul class="fault-menu__list">"#);
        for f in active {
            let _ = write!(
                out,
                r#"<li class="fault-menu__item" title="{}"><span>⚡ {}</span><button type="button" class="btn btn--small" {}>Remove</button></li>"#,
                escape(&f.spec.describe(scenario)),
                escape(&chip_label(f, scenario)),
                Command::RemoveFault(f.id).attrs(),
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div></div>");
    out
}

/// The outcome banner (`data-testid="outcome"`, `data-outcome`).
pub fn outcome_html(snapshot: &Snapshot) -> String {
    let outcome = snapshot.outcome;
    let (icon, title, text) = outcome_text(outcome);
    let stuck = snapshot.manual_intervention.len();
    let mut text = if outcome == Outcome::Running && stuck > 0 {
        format!("{stuck} saga(s) wait for a person: see Redrive.")
    } else {
        text.to_string()
    };
    // Whoever waits for a person says why, so the banner never just says "stuck".
    for r in snapshot.sagas.iter() {
        if let Some(reason) = r.stuck_reason {
            if snapshot.sagas.len() > 1 {
                let _ = write!(text, " Saga {}: {}.", saga_letter(r.id), reason.label());
            } else {
                let _ = write!(text, " Why: {}.", reason.label());
            }
        }
    }
    let mut out = String::with_capacity(1024);
    let _ = write!(
        out,
        r#"<section class="outcome outcome--{0}" data-testid="outcome" data-outcome="{0}"><span class="outcome__icon" aria-hidden="true">{icon}</span><div class="outcome__body"><strong class="outcome__title">{title}</strong><span class="outcome__text">{1}</span></div>"#,
        outcome.as_str(),
        escape(&text),
    );
    if snapshot.sagas.len() > 1 {
        out.push_str(r#"<ul class="outcome__sagas">"#);
        for r in &snapshot.sagas {
            let (icon, title, _) = outcome_text(r.outcome);
            let _ = write!(
                out,
                r#"<li class="outcome__saga saga-{}" data-outcome="{}">{} {icon} {title}</li>"#,
                saga_colour(r.id),
                r.outcome.as_str(),
                saga_letter(r.id),
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
    out
}

/// The narration of an event (or the preset's opening when nothing has happened yet).
pub fn narration_html(line: Option<&Line>, selected: bool, scenario: &Scenario) -> String {
    let mut out = String::with_capacity(1024);
    let _ = write!(
        out,
        r#"<section class="narration" data-testid="narration"><header class="panel__head"><h2 class="panel__title">{}</h2>"#,
        if selected {
            "Selected event"
        } else {
            "What's happening"
        }
    );
    if let Some(line) = line {
        let saga = line
            .saga
            .map(|s| format!(" · saga {}", saga_letter(s)))
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<span class="panel__meta">#{} · {}{saga}</span>"#,
            line.seq,
            seconds(line.at_ms)
        );
    }
    if selected {
        let _ = write!(
            out,
            r#"<button type="button" class="btn btn--small" {} data-testid="narration-live">Back to live</button>"#,
            Command::Live.attrs()
        );
    }
    out.push_str("</header>");
    let opening_story;
    let story = match line {
        Some(line) => &line.story,
        None => {
            opening_story = opening(scenario);
            &opening_story
        }
    };
    let _ = write!(
        out,
        r#"<p class="narration__what narration__what--{}"><span class="narration__icon" aria-hidden="true">{}</span>{}</p><p class="narration__why">{}</p>"#,
        story.tone.as_str(),
        story.icon,
        escape(&story.text),
        escape(&story.why),
    );
    if let Some(idea) = story.idea {
        let _ = write!(
            out,
            r#"<p class="narration__idea" data-idea="{0}"><strong>{0}</strong> — {1} <button type="button" class="btn btn--small narration__more" {2} aria-haspopup="dialog">{0} — read more</button></p>"#,
            escape(idea.name()),
            escape(idea.explain()),
            Command::OpenGlossary(glossary::find(glossary::idea_id(idea)).map(|e| e.id)).attrs(),
        );
    }
    out.push_str("</section>");
    out
}

/// The invariant monitor: ten rows, each holding or broken (when, for which saga and step, and
/// what); broken ones loud.
pub fn invariants_html(report: &[InvariantStatus]) -> String {
    let broken = report.iter().filter(|i| !i.holds).count();
    let mut out = String::with_capacity(2048);
    let _ = write!(
        out,
        r#"<section class="invariants{}" data-testid="invariants" data-all-hold="{}"><header class="panel__head"><h2 class="panel__title">Invariants</h2><span class="panel__meta">{}</span></header><ol class="invariants__list">"#,
        if broken > 0 {
            " invariants--broken"
        } else {
            ""
        },
        broken == 0,
        match broken {
            0 => "none broken, checked after every event".to_string(),
            n => format!("⚠ {n} broken"),
        }
    );
    for status in report {
        let _ = write!(
            out,
            r#"<li class="invariant{}" data-invariant="{}" data-invariant-name="{}" data-holds="{}" title="{}"><span class="invariant__icon" aria-hidden="true">{}</span><span class="invariant__n">{}</span><span class="invariant__name">{}</span><span class="invariant__state">{}</span></li>"#,
            if status.holds {
                ""
            } else {
                " invariant--broken"
            },
            status.invariant,
            escape(&status.key),
            status.holds,
            escape(&title(status)),
            match (status.checked, status.holds) {
                (false, _) => "…",
                (true, true) => "✓",
                (true, false) => "✗",
            },
            status.invariant,
            short_name(status.invariant),
            escape(&standing(status)),
        );
    }
    out.push_str("</ol></section>");
    out
}

/// The data panel: its tabs and the chosen tab's contents.
pub fn data_html(tab: DataTab, snapshot: &Snapshot, scenario: &Scenario) -> String {
    let def = &scenario.definition;
    let dead = dead_letter_items(snapshot, def);
    let manual = manual_items(snapshot, def);
    let mut out = String::with_capacity(8 * 1024);
    out.push_str(r#"<div class="tabs" role="tablist">"#);
    for each in DataTab::ALL {
        let count = match each {
            DataTab::DeadLetters => format!(" ({})", dead.len()),
            DataTab::Manual => format!(" ({})", manual.len()),
            DataTab::Tables => String::new(),
        };
        let on = each == tab;
        let (id, label) = (each.as_str(), each.label());
        let _ = write!(
            out,
            r#"<button type="button" class="tabs__tab{}" role="tab" {} data-testid="tab-{id}" aria-selected="{on}">{label}{count}</button>"#,
            if on { " tabs__tab--on" } else { "" },
            Command::Tab(each).attrs(),
        );
    }
    let panel = tab.label();
    // Focusable: the panel scrolls, and a keyboard must be able to scroll it.
    let _ = write!(
        out,
        r#"</div><div class="data__body" role="tabpanel" aria-label="{panel}" tabindex="0">"#
    );
    match tab {
        DataTab::DeadLetters => {
            if scenario.coordination == Coordination::Orchestration {
                out.push_str(r#"<p class="data__note">Orchestration has no queues: a failing step is retried by the orchestrator, and when its retries run out the saga compensates or waits for manual intervention.</p>"#);
            } else if dead.is_empty() {
                out.push_str(r#"<p class="data__note">The dead-letter queue is empty. A message that fails on every delivery lands here after its maximum receives.</p>"#);
            } else {
                out.push_str(r#"<ul class="queue-list" data-testid="dead-letter-list">"#);
                for i in dead {
                    out.push_str(r#"<li class="queue-list__item">"#);
                    saga_badge(&mut out, Some(i.saga));
                    let _ = write!(
                        out,
                        "{} · from {}'s queue · received {} times · message {}</li>",
                        escape(&i.event),
                        i.queue.label(),
                        i.receive_count,
                        i.message
                    );
                }
                out.push_str("</ul>");
            }
        }
        DataTab::Manual => {
            if manual.is_empty() {
                out.push_str(r#"<p class="data__note">Nobody is waiting for a person. A saga lands here when it can neither finish by itself nor go back: a compensation that keeps failing (rollback incomplete), a pivot whose outcome stays unknown, a step after the pivot or the failure notice out of retries, or a dead letter. Fix the cause, then Redrive.</p>"#);
            } else {
                out.push_str(r#"<ul class="queue-list" data-testid="manual-list">"#);
                for (saga, what) in manual {
                    out.push_str(r#"<li class="queue-list__item queue-list__item--stuck">"#);
                    saga_badge(&mut out, Some(saga));
                    let _ = write!(out, "stuck: {}</li>", escape(&what));
                }
                out.push_str("</ul>");
            }
        }
        DataTab::Tables => {
            out.push_str(r#"<div class="dbs" data-testid="databases">"#);
            out.push_str(&databases_html(&databases(snapshot, def)));
            out.push_str("</div>");
        }
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::definition::ServiceId;
    use crate::engine::presets;
    use crate::engine::scenario::Storage;
    use crate::view::layout::NodeKey;

    fn run(preset: &str, c: Coordination) -> Simulation {
        let scenario = presets::scenario(preset, c, Storage::PerService, 1).unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(600_000);
        sim
    }

    fn bar(preset: &'static str, coordination: Coordination) -> String {
        bar_html(&bar_state(preset, coordination))
    }

    fn bar_state(preset: &'static str, coordination: Coordination) -> BarState {
        BarState {
            preset,
            coordination,
            storage: Storage::Shared,
            seed: 42,
            playing: true,
            settled: false,
            speed: (100, "1×".to_string()),
            speeds: vec![(25, "0.25×".to_string()), (100, "1×".to_string())],
            other_theme: "dark",
            side_by_side: false,
            can_step_back: false,
            safeguards: Safeguards::default(),
        }
    }

    #[test]
    fn the_bar_has_a_switch_per_safeguard_showing_its_state() {
        for safeguard in Safeguard::ALL {
            for on in [true, false] {
                let html = bar_html(&BarState {
                    safeguards: Safeguards::default().with(safeguard, on),
                    ..bar_state("happy-path", Coordination::Orchestration)
                });
                for each in Safeguard::ALL {
                    let pressed = if each == safeguard { on } else { true };
                    let switch = format!(
                        r#"data-testid="{}" data-action="safeguard" data-value="{}" aria-pressed="{pressed}""#,
                        safeguard_test_id(each),
                        each.as_str()
                    );
                    assert_eq!(html.matches(&switch).count(), 1, "{switch}");
                }
                let off = usize::from(!on);
                assert!(html.contains(&format!(r#"data-testid="safeguards" data-off="{off}""#)));
                assert_eq!(html.contains(r#"<span class="bar__count">1</span>"#), !on);
                assert_eq!(
                    html.contains(&format!("1 safeguard off: {}", safeguard.label())),
                    !on
                );
            }
        }
        // The contract's names.
        assert_eq!(
            safeguard_test_id(Safeguard::Idempotency),
            "safeguard-idempotency"
        );
        assert_eq!(
            safeguard_test_id(Safeguard::SemanticLock),
            "safeguard-semantic-lock"
        );
    }

    #[test]
    fn the_bar_has_every_control_of_the_contract() {
        let html = bar("card-declined", Coordination::Choreography);
        for id in [
            "preset",
            "coordination",
            "storage",
            "play",
            "pause",
            "step",
            "step-back",
            "reset",
            "speed",
            "seed",
            "share",
            "export",
            "import",
            "help",
            "safeguards",
            "safeguard-idempotency",
            "safeguard-semantic-lock",
        ] {
            assert!(
                html.contains(&format!(r#"data-testid="{id}""#)),
                "{id} missing"
            );
        }
        assert!(
            html.contains(r#"aria-label="Step back" disabled"#),
            "nothing to go back to yet"
        );
        let both = bar_html(&BarState {
            side_by_side: true,
            can_step_back: true,
            ..bar_state("card-declined", Coordination::Choreography)
        });
        assert!(both.contains(r#"data-testid="coordination" data-value="side-by-side""#));
        assert!(both.contains(r#"data-value="side-by-side" aria-pressed="true""#));
        assert!(!both.contains(r#"aria-label="Step back" disabled"#));
        assert_eq!(html.matches("<option").count(), PRESETS.len() + 2);
        assert!(html.contains(r#"<option value="card-declined" title="Payment refuses: the reservation is cancelled and both parties told." selected>"#));
        assert!(html.contains(r#"data-testid="coordination" data-value="choreography""#));
        assert!(html.contains(r#"data-action="play" title="Play (Space)" disabled"#));
        assert!(html.contains(r#"value="42""#));
        for format in ExportFormat::ALL {
            let format = format.as_str();
            assert!(html.contains(&format!(
                r#"data-action="export" data-format="{format}" data-testid="export-{format}""#
            )));
        }
    }

    #[test]
    fn the_shared_link_is_escaped_in_its_field() {
        let html = share_html(r##"http://x/?a=1&b="2"#v=1"##);
        assert!(html.contains(r##"value="http://x/?a=1&amp;b=&quot;2&quot;#v=1""##));
        assert!(html.contains(r#"data-testid="share-link" readonly"#));
    }

    #[test]
    fn an_orchestration_only_preset_disables_choreography() {
        let html = bar("orchestrator-crash", Coordination::Orchestration);
        assert!(html.contains(r#"data-value="choreography" aria-pressed="false" title="This preset needs an orchestrator" disabled"#));
        assert!(html.contains("Orchestrator crash (orchestration only)"));
    }

    #[test]
    fn notices_are_escaped() {
        assert!(notice_html("<b>").contains("&lt;b&gt;"));
    }

    #[test]
    fn every_event_becomes_a_log_line() {
        let sim = run("card-declined", Coordination::Orchestration);
        let all = lines(&sim);
        assert_eq!(all.len(), sim.trace().len());
        let html = log_line_html(&all[0], true);
        assert!(html.starts_with(r#"<li class="log__line"#));
        assert!(html.contains(r#"data-action="select-event" data-seq="0""#));
        assert!(html.contains("log__line--selected"));
        assert!(html.contains(r#"aria-current="true""#));
        assert!(!log_line_html(&all[1], false).contains("aria-current"));
    }

    #[test]
    fn the_narration_skips_bookkeeping_unless_selected() {
        let sim = run("happy-path", Coordination::Choreography);
        let all = lines(&sim);
        let latest = narrated(&all, None).unwrap();
        assert!(!latest.story.minor);
        let minor = all.iter().find(|l| l.story.minor).unwrap();
        assert_eq!(narrated(&all, Some(minor.seq)), Some(minor));
        let html = narration_html(Some(minor), true, sim.scenario());
        assert!(html.contains("Selected event"));
        assert!(html.contains(r#"data-action="live""#));
    }

    #[test]
    fn the_opening_narrates_the_preset_before_anything_happens() {
        let scenario = presets::scenario(
            "slot-taken",
            Coordination::Orchestration,
            Storage::PerService,
            1,
        )
        .unwrap();
        let html = narration_html(None, false, &scenario);
        assert!(html.contains("Slot taken"));
        assert!(html.contains(r#"data-testid="narration""#));
        assert!(html.contains(r#"data-action="glossary" data-term="orchestration" aria-haspopup="dialog">Orchestration — read more</button>"#));
    }

    #[test]
    fn the_outcome_banner_carries_data_outcome() {
        let sim = run("card-declined", Coordination::Orchestration);
        let html = outcome_html(&sim.snapshot());
        assert!(html.contains(r#"data-testid="outcome" data-outcome="compensated""#));
        let sim = run("two-customers", Coordination::Choreography);
        let html = outcome_html(&sim.snapshot());
        assert_eq!(html.matches(r#"<li class="outcome__saga"#).count(), 2);
    }

    #[test]
    fn invariants_show_ten_rows_and_broken_ones_loudly() {
        let sim = run("no-idempotency", Coordination::Choreography);
        let mut monitor = crate::engine::invariants::Monitor::new();
        monitor.observe(&sim);
        let html = invariants_html(&monitor.report());
        assert_eq!(html.matches("data-invariant=").count(), 10);
        assert!(html.contains(r#"data-invariant-name="point-of-no-return""#));
        assert!(html.contains("invariants--broken"));
        assert!(html.contains(r#"data-all-hold="false""#));
        assert!(html.contains("broken at"));
    }

    #[test]
    fn the_fault_menu_lists_buttons_with_data_fault() {
        let sim = run("happy-path", Coordination::Orchestration);
        let html = fault_menu_html(
            sim.scenario(),
            &sim.snapshot(),
            NodeKey::Service(ServiceId::Payment),
            "right",
        );
        assert!(html.contains(r#"data-choice="0" data-fault="business_failure""#));
        assert!(html.contains(">Card declined</button>"));
        assert!(html.contains("No active faults here."));
    }

    #[test]
    fn the_toolbar_enables_redrive_only_when_something_waits() {
        let sim = run("happy-path", Coordination::Choreography);
        let html = toolbar_html(&sim.snapshot(), 0);
        assert!(html.contains(r#"data-action="redrive" disabled"#));
        let scenario = presets::scenario(
            "poison-redrive",
            Coordination::Choreography,
            Storage::PerService,
            1,
        )
        .unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(15_000);
        let html = toolbar_html(&sim.snapshot(), 0);
        assert!(html.contains("↺ Redrive (1)"));
        assert!(!html.contains(r#"data-action="redrive" disabled"#));
    }

    #[test]
    fn the_data_panel_has_three_tabs() {
        let sim = run("compensation-fails", Coordination::Orchestration);
        let snap = sim.snapshot();
        let html = data_html(DataTab::Manual, &snap, sim.scenario());
        assert_eq!(html.matches(r#"role="tab""#).count(), 3);
        assert!(html.contains(
            r#"<div class="data__body" role="tabpanel" aria-label="Manual intervention" tabindex="0">"#
        ));
        assert!(html.contains("Manual intervention (1)"));
        assert!(html.contains("stuck: Refund payment (Payment): a compensation ran out of retries"));
        let banner = outcome_html(&snap);
        assert!(
            banner.contains("Why: a compensation ran out of retries"),
            "{banner}"
        );
        assert!(data_html(DataTab::Tables, &snap, sim.scenario())
            .contains(r#"data-testid="databases""#));
    }

    #[test]
    fn a_queue_event_concerns_its_service() {
        let sim = run("happy-path", Coordination::Choreography);
        let all = lines(&sim);
        let received = all
            .iter()
            .find(|l| l.story.text.starts_with("Payment receives"))
            .unwrap();
        assert!(received.concerns(NodeKey::Service(ServiceId::Payment)));
        assert!(!received.concerns(NodeKey::Service(ServiceId::Calendar)));
    }

    #[test]
    fn events_told_from_a_point_are_the_tail_of_all_told() {
        let sim = run("transient-payment", Coordination::Choreography);
        let all = lines(&sim);
        for from in [0, 1, all.len() / 2, all.len()] {
            assert_eq!(lines_from(&sim, from), all[from..].to_vec());
        }
    }
}
