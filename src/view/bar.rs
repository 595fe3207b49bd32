//! The bar on top of the page, as data: what each control shows (which option is on, which
//! buttons are disabled, their titles, the Safeguards menu's summary). `crate::ui::bar` draws it
//! with Leptos, so each control stays the same element from one frame to the next: the keyboard
//! focus, an open menu and a half-typed seed stay where they are while the run plays.

use crate::engine::presets::{self, Preset};
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{Coordination, Safeguards, Storage};

use crate::view::command::{Command, StyleChoice};

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

/// One button of a segmented control (a group of which one is on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentButton {
    /// What it sends (its `data-action` and `data-value`).
    pub command: Command,
    /// Its text.
    pub text: &'static str,
    /// Its tooltip: what it means, or why it is disabled.
    pub title: &'static str,
    /// Whether it cannot be pressed with this preset.
    pub disabled: bool,
}

impl BarState {
    /// The command of the coordination button that is on.
    pub fn coordination_on(&self) -> Command {
        Command::Style(if self.side_by_side {
            StyleChoice::SideBySide
        } else {
            StyleChoice::One(self.coordination)
        })
    }

    /// The command of the storage button that is on.
    pub fn storage_on(&self) -> Command {
        Command::Storage(self.storage)
    }

    /// The coordination buttons, in order: a preset that means something in one style only
    /// disables the other style and Both, and says why.
    pub fn coordination_buttons(&self) -> [SegmentButton; 3] {
        let only = presets::find(self.preset).and_then(|p| p.only);
        let orchestration_only = only == Some(Coordination::Orchestration);
        let choreography_only = only == Some(Coordination::Choreography);
        [
            SegmentButton {
                command: Command::Style(StyleChoice::One(Coordination::Orchestration)),
                text: "Orchestration",
                title: if choreography_only {
                    "This preset needs an outbox and a relay"
                } else {
                    "An orchestrator commands each service and keeps a durable saga log"
                },
                disabled: choreography_only,
            },
            SegmentButton {
                command: Command::Style(StyleChoice::One(Coordination::Choreography)),
                text: "Choreography",
                title: if orchestration_only {
                    "This preset needs an orchestrator"
                } else {
                    "Services react to each other's events over a bus"
                },
                disabled: orchestration_only,
            },
            SegmentButton {
                command: Command::Style(StyleChoice::SideBySide),
                text: "Both",
                title: if only.is_some() {
                    "This preset runs in one style only"
                } else {
                    "Both styles side by side: one seed, one fault plan, one clock (B)"
                },
                disabled: only.is_some(),
            },
        ]
    }

    /// The title of the preset chosen (shown as the list's tooltip).
    pub fn preset_description(&self) -> &'static str {
        presets::find(self.preset)
            .map(|p| p.description)
            .unwrap_or_default()
    }
}

/// The storage buttons, in order.
pub const STORAGE_BUTTONS: [SegmentButton; 2] = [
    SegmentButton {
        command: Command::Storage(Storage::PerService),
        text: "Per service",
        title: "Each service owns its database",
        disabled: false,
    },
    SegmentButton {
        command: Command::Storage(Storage::Shared),
        text: "Shared DB",
        title: "One database instance holds every service's tables",
        disabled: false,
    },
];

/// A preset's tooltip in the list: what it shows, and the one style it runs in, if any. (The
/// line itself is the title alone, so that the closed menu shows it whole at 1280 px; the style
/// buttons say the rest.)
pub fn preset_option_title(preset: &Preset) -> String {
    let only = match preset.only {
        Some(Coordination::Orchestration) => " Runs in orchestration only.",
        Some(Coordination::Choreography) => " Runs in choreography only.",
        None => "",
    };
    format!("{}{only}", preset.description)
}

/// The `data-testid` of a safeguard's switch (`safeguard-semantic-lock`).
pub fn safeguard_test_id(safeguard: Safeguard) -> String {
    format!("safeguard-{}", safeguard.as_str().replace('_', "-"))
}

/// The Safeguards menu button's accessible name, which shows what the eye sees: how many are off
/// and which ("2 safeguards off: Idempotent consumers, Outbox").
pub fn safeguards_summary(safeguards: &Safeguards) -> String {
    let off: Vec<&str> = off(safeguards).map(Safeguard::label).collect();
    if off.is_empty() {
        return "Safeguards: none switched off".to_string();
    }
    let n = off.len();
    let noun = if n == 1 { "safeguard" } else { "safeguards" };
    format!("{n} {noun} off: {}", off.join(", "))
}

/// How many safeguards are off.
pub fn safeguards_off(safeguards: &Safeguards) -> usize {
    off(safeguards).count()
}

/// The safeguards switched off that a run has unless switched off, in the menu's order (an
/// isolation countermeasure left off is the default, not a warning).
fn off(safeguards: &Safeguards) -> impl Iterator<Item = Safeguard> + '_ {
    Safeguard::ALL
        .into_iter()
        .filter(|s| s.on_by_default() && !safeguards.get(*s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets::PRESETS;

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
    fn the_safeguards_summary_counts_and_names_what_is_off() {
        assert_eq!(
            safeguards_summary(&Safeguards::default()),
            "Safeguards: none switched off"
        );
        assert_eq!(safeguards_off(&Safeguards::default()), 0);
        for safeguard in Safeguard::ALL {
            let one_off = Safeguards::default().with(safeguard, false);
            if !safeguard.on_by_default() {
                assert_eq!(
                    safeguards_off(&one_off),
                    0,
                    "{safeguard:?} is off by default"
                );
                assert_eq!(
                    safeguards_off(&Safeguards::default().with(safeguard, true)),
                    0,
                    "{safeguard:?}: switched on is no warning"
                );
                continue;
            }
            assert_eq!(safeguards_off(&one_off), 1);
            assert_eq!(
                safeguards_summary(&one_off),
                format!("1 safeguard off: {}", safeguard.label())
            );
        }
        let mut all_off = Safeguards::default();
        for safeguard in Safeguard::ALL {
            all_off = all_off.with(safeguard, false);
        }
        let n = Safeguard::ALL.iter().filter(|s| s.on_by_default()).count();
        assert_eq!(n, 3);
        assert_eq!(safeguards_off(&all_off), n);
        assert!(safeguards_summary(&all_off).starts_with(&format!("{n} safeguards off: ")));
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
    fn the_button_on_follows_the_style_and_storage() {
        let one = bar_state("card-declined", Coordination::Choreography);
        assert_eq!(
            one.coordination_on(),
            Command::Style(StyleChoice::One(Coordination::Choreography))
        );
        assert_eq!(one.storage_on(), Command::Storage(Storage::Shared));
        let both = BarState {
            side_by_side: true,
            ..one.clone()
        };
        assert_eq!(
            both.coordination_on(),
            Command::Style(StyleChoice::SideBySide)
        );
        // Each button on is one of the buttons drawn.
        for state in [&one, &both] {
            assert!(state
                .coordination_buttons()
                .iter()
                .any(|b| b.command == state.coordination_on()));
            assert!(STORAGE_BUTTONS
                .iter()
                .any(|b| b.command == state.storage_on()));
        }
        assert_eq!(
            one.preset_description(),
            "Payment refuses: the reservation is cancelled and both parties told."
        );
    }

    #[test]
    fn a_preset_for_one_style_disables_the_others_and_says_why() {
        let enabled = |state: &BarState| -> Vec<&'static str> {
            state
                .coordination_buttons()
                .iter()
                .filter(|b| !b.disabled)
                .map(|b| b.text)
                .collect()
        };
        let both = bar_state("happy-path", Coordination::Orchestration);
        assert_eq!(enabled(&both), ["Orchestration", "Choreography", "Both"]);
        let orchestration = bar_state("orchestrator-crash", Coordination::Orchestration);
        assert_eq!(enabled(&orchestration), ["Orchestration"]);
        let [_, choreography, side_by_side] = orchestration.coordination_buttons();
        assert_eq!(choreography.title, "This preset needs an orchestrator");
        assert_eq!(side_by_side.title, "This preset runs in one style only");
        let crash = PRESETS
            .iter()
            .find(|p| p.id == "orchestrator-crash")
            .expect("preset");
        assert!(preset_option_title(crash).ends_with(". Runs in orchestration only."));
        let relay = PRESETS
            .iter()
            .find(|p| p.only == Some(Coordination::Choreography))
            .expect("a choreography-only preset");
        let only = bar_state(relay.id, Coordination::Choreography);
        assert_eq!(enabled(&only), ["Choreography"]);
        assert_eq!(
            only.coordination_buttons()[0].title,
            "This preset needs an outbox and a relay"
        );
    }
}
