//! The bar on top of the page: preset, style, storage, safeguards, playback, speed, seed and theme.

use crate::engine::presets::{self, PRESETS};
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{Coordination, Safeguards, Storage};

use super::attr_if;
use super::markup::Html;
use super::share::share_menu;
use crate::view::command::{Command, Control, StyleChoice};

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
    out: &mut Html,
    test_id: &'static str,
    label: &'static str,
    current: Command,
    options: &[(Command, &'static str, &'static str, bool)],
) {
    out.push(r#"<div class="seg" role="group" aria-label=""#)
        .push(label)
        .push(r#"" data-testid=""#)
        .push(test_id)
        .push(r#"" data-value=""#)
        .push_text(&current.arg().map(|(_, value)| value).unwrap_or_default())
        .push(r#"">"#);
    for (command, text, title, disabled) in options {
        let on = *command == current;
        out.push(r#"<button type="button" class="seg__btn"#)
            .push(attr_if(on, " seg__btn--on"))
            .push(r#"" "#)
            .push_command(*command)
            .push(r#" aria-pressed=""#)
            .push_plain(on)
            .push(r#"" title=""#)
            .push(title)
            .push(r#"""#)
            .push(attr_if(*disabled, " disabled"))
            .push(">")
            .push(text)
            .push("</button>");
    }
    out.push("</div>");
}

/// The `data-testid` of a safeguard's switch (`safeguard-semantic-lock`).
pub fn safeguard_test_id(safeguard: Safeguard) -> String {
    format!("safeguard-{}", safeguard.as_str().replace('_', "-"))
}

/// The bar's Safeguards menu: one switch per safeguard, showing its state; the menu's button says
/// how many are off.
fn safeguards_menu(safeguards: &Safeguards) -> Html {
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
    let mut out = Html::with_capacity(2048);
    out.push(r#"<details class="menu bar__menu bar__safeguards" data-testid="safeguards" data-off=""#)
        .push_plain(off.len())
        .push(r#""><summary class="btn btn--icon"#)
        .push(attr_if(!off.is_empty(), " btn--warn"))
        .push(r#"""#)
        .push_attr("title", &summary)
        .push_attr("aria-label", &summary)
        .push(r#"><svg class="menu__icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6z"/>"#)
        .push(if off.is_empty() {
            r#"<path d="M9 12l2 2 4-4"/>"#
        } else {
            r#"<path d="M12 8v5M12 16v.5"/>"#
        })
        .push("</svg>");
    if !off.is_empty() {
        out.push(r#"<span class="bar__count">"#)
            .push_plain(off.len())
            .push("</span>");
    }
    out.push(r#"</summary><div class="menu__list" role="group" aria-label="Safeguards"><p class="menu__head">Safeguards</p>"#);
    for safeguard in Safeguard::ALL {
        let on = safeguards.get(safeguard);
        out.push(r#"<button type="button" class="menu__item menu__switch""#)
            .push_attr("data-testid", &safeguard_test_id(safeguard))
            .push(" ")
            .push_command(Command::ToggleSafeguard(safeguard))
            .push(r#" aria-pressed=""#)
            .push_plain(on)
            .push(r#"""#)
            .push_attr("title", safeguard.explanation())
            .push("><span>")
            .push_text(safeguard.label())
            .push(r#"</span><span class="menu__state menu__state--"#)
            .push(if on { "on" } else { "off" })
            .push(r#"">"#)
            .push(if on { "On" } else { "Off" })
            .push("</span></button>");
    }
    out.push(r#"<p class="menu__note">Switching one starts the run again from 0 s, with your faults.</p></div></details>"#);
    out
}

/// The bar on top: preset, coordination, storage, safeguards, play, pause, step, reset, speed,
/// seed, theme.
pub fn bar_html(state: &BarState) -> String {
    let mut out = Html::with_capacity(6 * 1024);
    out.push(r#"<header class="bar"><h1 class="bar__brand" title="Sagascope: see the saga pattern work and fail"><svg class="bar__logo" viewBox="0 0 24 24" aria-hidden="true"><circle cx="5" cy="6" r="3"/><circle cx="19" cy="6" r="3"/><circle cx="12" cy="18" r="3"/><path d="M8 6h8M6.5 8.5l4 7M17.5 8.5l-4 7"/></svg><span>Sagascope</span></h1>"#);
    let current = presets::find(state.preset);
    out.push(r#"<label class="bar__preset"><span class="sr-only">Preset</span><select data-testid="preset" "#)
        .push_control(Control::Preset)
        .push_attr("title", current.map(|p| p.description).unwrap_or_default())
        .push(">");
    for p in PRESETS {
        out.push("<option")
            .push_attr("value", p.id)
            .push_attr("title", p.description)
            .push(attr_if(p.id == state.preset, " selected"))
            .push(">")
            .push_text(p.title)
            .push(match p.only {
                Some(Coordination::Orchestration) => " (orchestration only)",
                Some(Coordination::Choreography) => " (choreography only)",
                None => "",
            })
            .push("</option>");
    }
    out.push("</select></label>");
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
    out.push_html(&safeguards_menu(&state.safeguards))
        .push(r#"<div class="bar__transport" role="group" aria-label="Playback"><button type="button" class="btn btn--primary" data-testid="play" "#)
        .push_command(Command::Play)
        .push(r#" title="Play (Space)""#)
        .push(attr_if(state.playing, " disabled"))
        .push(r#"><span aria-hidden="true">▶</span> Play</button><button type="button" class="btn btn--icon" data-testid="pause" "#)
        .push_command(Command::Pause)
        .push(r#" title="Pause (Space)" aria-label="Pause""#)
        .push(attr_if(!state.playing, " disabled"))
        .push(r#"><span aria-hidden="true">❚❚</span></button><button type="button" class="btn btn--icon" data-testid="step-back" "#)
        .push_command(Command::StepBack)
        .push(r#" title="One step back (←)" aria-label="Step back""#)
        .push(attr_if(!state.can_step_back, " disabled"))
        .push(r#"><span aria-hidden="true">⇤</span></button><button type="button" class="btn" data-testid="step" "#)
        .push_command(Command::Step)
        .push(r#" title="Run until the next event (→)""#)
        .push(attr_if(state.settled, " disabled"))
        .push(r#"><span aria-hidden="true">⇥</span> Step</button><button type="button" class="btn btn--icon" data-testid="reset" "#)
        .push_command(Command::Reset)
        .push(r#" title="Reset: start this run again from 0 s, with your faults (R)" aria-label="Reset"><span aria-hidden="true">↺</span></button></div>"#)
        .push(r#"<label class="bar__field" title="Speed: simulated time per real time"><span class="sr-only">Speed</span><select data-testid="speed" "#)
        .push_control(Control::Speed)
        .push(">");
    for (pct, label) in &state.speeds {
        out.push("<option")
            .push_attr("value", &pct.to_string())
            .push(attr_if(*pct == state.speed.0, " selected"))
            .push(">")
            .push_text(label)
            .push("</option>");
    }
    out.push(r#"</select></label><label class="bar__field"><span class="bar__label">Seed</span><input class="bar__seed" data-testid="seed" "#)
        .push_control(Control::Seed)
        .push(r#" inputmode="numeric" autocomplete="off" spellcheck="false" title="The only source of randomness: the same seed replays the same run" value=""#)
        .push_plain(state.seed)
        .push(r#""></label>"#)
        .push_html(&share_menu())
        .push(r#"<button type="button" class="btn btn--icon bar__theme" data-testid="theme" "#)
        .push_command(Command::ToggleTheme)
        .push(r#" title="Switch between light and dark (T)" aria-label="Switch to the "#)
        .push(state.other_theme)
        .push(r#" theme">◐</button><button type="button" class="btn btn--icon" data-testid="help" "#)
        .push_command(Command::ToggleHelp)
        .push(r#" title="Keyboard shortcuts and presenter mode (?)" aria-label="Help: keyboard shortcuts" aria-haspopup="dialog">?</button></header>"#);
    out.into_string()
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
