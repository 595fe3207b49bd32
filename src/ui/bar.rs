//! The bar on top of the page, drawn from [`BarState`] with Leptos: each control is created once
//! and only its attributes follow the run, so the keyboard focus, an open menu and a half-typed
//! seed stay put while the run plays. What each control shows is decided in `crate::view::bar`;
//! clicks and changes reach `actions` by delegation, through the same `data-action` and
//! `data-control` attributes as the rest of the page.

use leptos::prelude::*;

use crate::engine::presets::PRESETS;
use crate::engine::safeguard::{Safeguard, SafeguardGroup};
use crate::view::bar::{
    preset_option_title, safeguard_test_id, safeguards_off, safeguards_summary, BarState,
    SegmentButton, STORAGE_BUTTONS,
};
use crate::view::command::{Command, Control};
use crate::view::html::share_menu_html;

/// The value a command's button carries in `data-value` (the style, the storage, the safeguard).
fn value_of(command: Command) -> Option<String> {
    command.arg().map(|(_, value)| value)
}

/// A group of buttons of which one is on.
fn segment(
    test_id: &'static str,
    label: &'static str,
    on: Signal<Command>,
    buttons: Signal<Vec<SegmentButton>>,
) -> impl IntoView {
    let count = buttons.with_untracked(Vec::len);
    let button = move |i: usize| {
        let first = buttons.with_untracked(|b| b.get(i).copied());
        let command = first.map(|b| b.command);
        let is_on = Signal::derive(move || command.is_some_and(|c| on.get() == c));
        let field = move |read: fn(&SegmentButton) -> &'static str| {
            Signal::derive(move || buttons.with(|b| b.get(i).map(read).unwrap_or_default()))
        };
        view! {
            <button
                type="button"
                class=Signal::derive(move || { if is_on.get() { "seg__btn seg__btn--on" } else { "seg__btn" } })
                data-action=command.map(Command::name)
                data-value=command.and_then(value_of)
                aria-pressed=Signal::derive(move || is_on.get().to_string())
                title=field(|b| b.title)
                disabled=Signal::derive(move || buttons.with(|b| b.get(i).is_some_and(|b| b.disabled)))
            >
                {field(|b| b.text)}
            </button>
        }
    };
    view! {
        <div
            class="seg"
            role="group"
            aria-label=label
            data-testid=test_id
            data-value=Signal::derive(move || value_of(on.get()).unwrap_or_default())
        >
            {(0..count).map(button).collect_view()}
        </div>
    }
}

/// The Safeguards menu: one switch per safeguard, showing its state; the menu's button says how
/// many are off.
fn safeguards_menu(bar: Memo<BarState>) -> impl IntoView {
    let off = Memo::new(move |_| bar.with(|b| safeguards_off(&b.safeguards)));
    let summary = Memo::new(move |_| bar.with(|b| safeguards_summary(&b.safeguards)));
    let switch = move |safeguard: Safeguard| {
        let on = Memo::new(move |_| bar.with(|b| b.safeguards.get(safeguard)));
        let command = Command::ToggleSafeguard(safeguard);
        view! {
            <button
                type="button"
                class="menu__item menu__switch"
                data-testid=safeguard_test_id(safeguard)
                data-action=command.name()
                data-value=value_of(command)
                aria-pressed=Signal::derive(move || on.get().to_string())
                title=safeguard.explanation()
            >
                <span>{safeguard.label()}</span>
                <span class=Signal::derive(move || {
                    if on.get() { "menu__state menu__state--on" } else { "menu__state menu__state--off" }
                })>{Signal::derive(move || if on.get() { "On" } else { "Off" })}</span>
            </button>
        }
    };
    view! {
        <details class="menu bar__menu bar__safeguards" data-testid="safeguards" data-off=off>
            <summary
                class=Signal::derive(move || { if off.get() > 0 { "btn btn--icon btn--warn" } else { "btn btn--icon" } })
                title=summary
                aria-label=summary
            >
                <svg class="menu__icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6z"></path>
                    <path d=Signal::derive(move || { if off.get() == 0 { "M9 12l2 2 4-4" } else { "M12 8v5M12 16v.5" } })></path>
                </svg>
                <Show when=move || { off.get() > 0 }>
                    <span class="bar__count">{move || off.get()}</span>
                </Show>
            </summary>
            <div class="menu__list" role="group" aria-label="Safeguards">
                <p class="menu__head">"Safeguards"</p>
                {Safeguard::ALL
                    .into_iter()
                    .filter(|s| s.group() == SafeguardGroup::Failures)
                    .map(switch)
                    .collect_view()}
                <p class="menu__head" title="A saga has no isolation: concurrent sagas see each other's work. Richardson's countermeasures.">
                    "Isolation countermeasures"
                </p>
                {Safeguard::ALL
                    .into_iter()
                    .filter(|s| s.group() == SafeguardGroup::Isolation)
                    .map(switch)
                    .collect_view()}
                <p class="menu__note">"Switching one starts the run again from 0 s, with your faults."</p>
            </div>
        </details>
    }
}

/// A button of the bar that sends `command`.
fn command_button(
    command: Command,
    test_id: &'static str,
    class: &'static str,
    title: &'static str,
    aria_label: Option<&'static str>,
    disabled: Signal<bool>,
    children: impl IntoView + 'static,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=class
            data-testid=test_id
            data-action=command.name()
            title=title
            aria-label=aria_label
            disabled=disabled
        >
            {children}
        </button>
    }
}

/// The bar on top: preset, coordination, storage, safeguards, play, pause, step, reset, speed,
/// seed, Share, theme and help.
#[component]
pub fn Bar(bar: Memo<BarState>) -> impl IntoView {
    let preset = Memo::new(move |_| bar.with(|b| b.preset));
    let coordination = Signal::derive(move || bar.with(BarState::coordination_on));
    let coordination_buttons =
        Signal::derive(move || bar.with(|b| b.coordination_buttons().to_vec()));
    let storage = Signal::derive(move || bar.with(BarState::storage_on));
    let storage_buttons = Signal::stored(STORAGE_BUTTONS.to_vec());
    let playing = Memo::new(move |_| bar.with(|b| b.playing));
    let speeds = Memo::new(move |_| bar.with(|b| b.speeds.clone()));
    let speed = Memo::new(move |_| bar.with(|b| b.speed.0));
    let seed = Memo::new(move |_| bar.with(|b| b.seed));
    let presets = PRESETS.iter().map(|p| {
        view! {
            <option value=p.id title=preset_option_title(p) prop:selected=Signal::derive(move || preset.get() == p.id)>
                {p.title}
            </option>
        }
    });
    view! {
        <header class="bar">
            <h1 class="bar__brand" title="Sagascope: see the saga pattern work and fail">
                <svg class="bar__logo" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="5" cy="6" r="3"></circle>
                    <circle cx="19" cy="6" r="3"></circle>
                    <circle cx="12" cy="18" r="3"></circle>
                    <path d="M8 6h8M6.5 8.5l4 7M17.5 8.5l-4 7"></path>
                </svg>
                <span>"Sagascope"</span>
            </h1>
            <label class="bar__preset">
                <span class="sr-only">"Preset"</span>
                <select
                    data-testid="preset"
                    data-control=Control::Preset.as_str()
                    title=Signal::derive(move || bar.with(BarState::preset_description))
                >
                    {presets.collect_view()}
                </select>
            </label>
            {segment("coordination", "Coordination", coordination, coordination_buttons)}
            {segment("storage", "Storage", storage, storage_buttons)}
            {safeguards_menu(bar)}
            <div class="bar__transport" role="group" aria-label="Playback">
                {command_button(Command::Play, "play", "btn btn--primary", "Play (Space)", None,
                    playing.into(),
                    view! { <span aria-hidden="true">"▶"</span><span class="bar__word">" Play"</span> })}
                {command_button(Command::Pause, "pause", "btn btn--icon", "Pause (Space)", Some("Pause"),
                    Signal::derive(move || !playing.get()),
                    view! { <span aria-hidden="true">"❚❚"</span> })}
                {command_button(Command::StepBack, "step-back", "btn btn--icon",
                    "One event back (←); with Shift, back to the start of this instant", Some("Step back"),
                    Signal::derive(move || !bar.with(|b| b.can_step_back)),
                    view! { <span aria-hidden="true">"⇤"</span> })}
                {command_button(Command::Step, "step", "btn",
                    "One event forward (→); with Shift, everything at the next instant", None,
                    Signal::derive(move || bar.with(|b| b.settled)),
                    view! { <span aria-hidden="true">"⇥"</span><span class="bar__word">" Step"</span> })}
                {command_button(Command::Reset, "reset", "btn btn--icon",
                    "Reset: start this run again from 0 s, with your faults (R)", Some("Reset"),
                    Signal::stored(false),
                    view! { <span aria-hidden="true">"↺"</span> })}
            </div>
            <label class="bar__field" title="Speed: simulated time per real time">
                <span class="sr-only">"Speed"</span>
                <select data-testid="speed" data-control=Control::Speed.as_str()>
                    {move || {
                        speeds
                            .get()
                            .into_iter()
                            .map(|(pct, label)| {
                                view! {
                                    <option value=pct.to_string() prop:selected=Signal::derive(move || speed.get() == pct)>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="bar__field bar__field--seed">
                <span class="bar__label">"Seed"</span>
                <input
                    class="bar__seed"
                    data-testid="seed"
                    data-control=Control::Seed.as_str()
                    inputmode="numeric"
                    autocomplete="off"
                    spellcheck="false"
                    title="The only source of randomness: the same seed replays the same run"
                    value=seed.get_untracked().to_string()
                    prop:value=Signal::derive(move || seed.get().to_string())
                />
            </label>
            <div class="bar__share" inner_html=share_menu_html()></div>
            <button
                type="button"
                class="btn btn--icon bar__theme"
                data-testid="theme"
                data-action=Command::ToggleTheme.name()
                title="Switch between light and dark (T)"
                aria-label=Signal::derive(move || format!("Switch to the {} theme", bar.with(|b| b.other_theme)))
            >
                "◐"
            </button>
            <button
                type="button"
                class="btn btn--icon"
                data-testid="help"
                data-action=Command::ToggleHelp.name()
                title="Keyboard shortcuts and presenter mode (?)"
                aria-label="Help: keyboard shortcuts"
                aria-haspopup="dialog"
            >
                "?"
            </button>
        </header>
    }
}
