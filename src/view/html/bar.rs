//! The bar on top of the page: preset, style, storage, safeguards, playback, speed, seed and theme.

use std::fmt::Write;

use crate::engine::presets::{self, PRESETS};
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{Coordination, Safeguards, Storage};

use super::attr_if;
use super::share::share_menu;
use crate::view::command::{Command, Control, StyleChoice};
use crate::view::format::escape;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::command::ExportFormat;

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
    fn an_orchestration_only_preset_disables_choreography() {
        let html = bar("orchestrator-crash", Coordination::Orchestration);
        assert!(html.contains(r#"data-value="choreography" aria-pressed="false" title="This preset needs an orchestrator" disabled"#));
        assert!(html.contains("Orchestrator crash (orchestration only)"));
    }
}
