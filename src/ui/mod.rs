//! Leptos components: they send commands to the engine and read its snapshots.
//!
//! The page owns one [`crate::player::Player`] (inside [`state::Run`]); a clock turns real time into
//! simulated time at the chosen speed; every component reads [`derived::Derived`] values and sends
//! commands through `Run`. Nothing here computes what to draw: that is [`crate::view`].

mod actions;
mod bar;
mod derived;
mod diagram;
mod focus;
pub mod handles;
mod lessons;
mod log;
mod panels;
pub mod patch;
pub mod remember;
mod share;
pub mod state;
mod theme;

use gloo_timers::callback::Interval;
use leptos::either::Either;
use leptos::ev::{DragEvent, Event, KeyboardEvent, MouseEvent};
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::player::{Player, PlayerError, RunSettings};
use crate::share::link::{self, LinkState};
use crate::share::query::{parse_link, speed_label, LinkParams, MAX_SPEED, SPEEDS};
use crate::view::bar::BarState;
use crate::view::command::DataTab;
use crate::view::format::capitalise;
use crate::view::glossary::glossary_html;
use crate::view::html::{notice_html, share_html};
use crate::view::teach::{help_html, key_command, View};
use actions::Page;
use derived::Derived;
use focus::{escape_pressed, focus_later, focused_element, keep_tab_in_overlay, key_for_a_control};
use handles::Overlay;
use remember::Remembered;
use state::Run;

/// How often the clock ticks while playing, in real milliseconds.
const TICK_MS: u32 = 40;

/// Shows a message with a Reload button if the program panics, instead of a frozen page.
/// Call it first thing in `main`.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash_message();
    }));
}

fn show_crash_message() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(panel), Some(body)) = (document.create_element("div"), document.body()) else {
        return;
    };
    panel.set_class_name("crash");
    // Each step can only fail if the DOM is gone, and then there is nothing left to show.
    let _ignored = panel.set_attribute("role", "alert");
    // Reload is a link to this page, not a script: the wasm has stopped, and the page's content
    // security policy runs no inline handlers.
    panel.set_inner_html(
        "<h2>Sagascope stopped</h2>\
         <p>Something went wrong inside the page. Reloading starts it again from the beginning.</p>\
         <a class=\"btn\" href=\"\">Reload</a>",
    );
    let _ignored = body.append_child(&panel);
}

fn real_now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

fn link_params() -> LinkParams {
    window()
        .location()
        .search()
        .map(|q| parse_link(&q))
        .unwrap_or_default()
}

/// The first run: the link's settings when they make sense, else the defaults (with a note).
fn first_run(link: &LinkParams) -> Result<(Player, Option<String>), PlayerError> {
    let defaults = RunSettings::default();
    let asked = RunSettings {
        preset: link.preset.unwrap_or(defaults.preset),
        coordination: link.coordination.unwrap_or(defaults.coordination),
        storage: link.storage.unwrap_or(defaults.storage),
        seed: link.seed.unwrap_or(defaults.seed),
        safeguards: None,
    };
    match Player::new(asked.clone(), Vec::new()) {
        Ok(p) => Ok((p, None)),
        Err(e @ PlayerError::OneStyleOnly(_, only)) => {
            let settings = RunSettings {
                coordination: only,
                ..asked
            };
            Player::new(settings, Vec::new())
                .map(|p| (p, Some(format!("{}.", capitalise(&e.to_string())))))
        }
        Err(e) => Player::new(defaults, Vec::new()).map(|p| {
            (
                p,
                Some(format!(
                    "{}: showing the default run.",
                    capitalise(&e.to_string())
                )),
            )
        }),
    }
}

/// The run the page opens with, and what it says about it: a link in the address (after `#`)
/// first, else the run remembered from the last visit (unless the query asks for a run), else
/// the query's settings or the defaults.
fn opening_run(
    link: &LinkParams,
    remembered: &Result<Option<Remembered>, String>,
) -> Result<(Player, Vec<String>), PlayerError> {
    let mut notes = Vec::new();
    if let Some(text) = share::link_in_address() {
        match share::open_link(&text) {
            Ok(player) => {
                notes.push(share::opened_notice("a shared link", &player));
                return Ok((player, notes));
            }
            Err(problem) => notes.push(format!(
                "This link cannot be opened: {problem}. Showing the default run instead."
            )),
        }
    } else {
        let query_asks_for_a_run = link.preset.is_some()
            || link.coordination.is_some()
            || link.storage.is_some()
            || link.seed.is_some();
        match remembered {
            Ok(Some(kept)) if !query_asks_for_a_run => match share::open_link(&kept.link) {
                Ok(player) => return Ok((player, notes)),
                Err(problem) => {
                    remember::forget();
                    notes.push(format!(
                        "Your last run could not be restored ({problem}), so it was discarded; showing the default run."
                    ));
                }
            },
            Ok(_) => {}
            Err(problem) => notes.push(format!(
                "Your saved settings were discarded: {problem}. Using the defaults."
            )),
        }
    }
    if !link.problems.is_empty() {
        notes.push(format!(
            "The address asks for something Sagascope does not know ({}); the defaults are used instead.",
            link.problems.join(", ")
        ));
    }
    let (player, note) = first_run(link)?;
    notes.extend(note);
    Ok((player, notes))
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let link = link_params();
    let remembered = remember::load();
    let (player, mut notes) = match opening_run(&link, &remembered) {
        Ok(started) => started,
        Err(e) => {
            return Either::Left(view! {
                <main class="app app--fatal">
                    <Fatal message=e.to_string() />
                </main>
            })
        }
    };
    let remembered = remembered.ok().flatten();
    let initial = player.snapshot();
    let initial_scenario = player.sim().scenario().clone();
    let speed = link
        .speed
        .or_else(|| {
            remembered
                .as_ref()
                .map(|r| r.speed)
                .filter(|s| (SPEEDS[0]..=MAX_SPEED).contains(s))
        })
        .unwrap_or(100);
    let (lessons, lessons_note) = lessons::Lessons::new();
    let run = Run::new(player, speed, lessons);
    notes.extend(lessons_note);
    run.layout
        .notice
        .set((!notes.is_empty()).then(|| notes.join(" ")));
    let derived = Derived::new(run.reader, run.selection, initial, initial_scenario);
    let theme = theme::Theme::new();
    if let Some(kept) = &remembered {
        theme.restore(kept.theme.as_deref());
        if let Some(tab) = DataTab::parse(&kept.tab) {
            run.selection.tab.set(tab);
        }
        run.layout.presenter.set(kept.presenter);
        if let Some(view) = View::parse(&kept.view) {
            run.layout.view.set(view);
        }
    }
    // A link that names a protocol or a failure plan opens the 2PC / 3PC view with them.
    if link.protocol.is_some() || link.plan.is_some() {
        run.layout.commit.update(|(protocol, plan)| {
            *protocol = link.protocol.unwrap_or(*protocol);
            *plan = link.plan.unwrap_or(*plan);
        });
        run.layout.view.set(View::Commit);
    }

    // A lesson checks its task after every change of the run; a link may open one.
    Effect::new(move |_| {
        run.reader.revision.track();
        run.reader.generation.track();
        lessons::observe(run);
    });
    if let Some(id) = &link.lesson {
        lessons::open_from_link(run, id.clone());
    }

    // Remember the run (as a link to its present moment) and the preferences whenever the run
    // pauses, changes while paused, or a preference changes.
    Effect::new(move |_| {
        let playing = run.clock.playing.get();
        run.reader.generation.track();
        let speed = run.clock.speed.get();
        let tab = run.selection.tab.get();
        let theme = theme.picked();
        let presenter = run.layout.presenter.get();
        let view = run.layout.view.get();
        if playing {
            return;
        }
        let encoded = run.read(|p| link::encode(&LinkState::of_run(p.sim(), p.playhead())));
        if let Some(Ok(link)) = encoded {
            remember::save(&Remembered {
                version: remember::VERSION,
                link,
                theme: theme.map(str::to_string),
                speed,
                tab: tab.as_str().to_string(),
                presenter,
                view: view.as_str().to_string(),
            });
        }
    });

    // The clock: while playing, an interval turns elapsed real time into simulated time.
    // Dropping the previous `Interval` (when `playing` changes) cancels it.
    Effect::new(move |previous: Option<Option<Interval>>| {
        drop(previous);
        if !run.clock.playing.get() {
            return None;
        }
        let mut last = real_now_ms();
        Some(Interval::new(TICK_MS, move || {
            let now = real_now_ms();
            // A tab in the background ticks rarely: never jump more than a quarter second.
            let elapsed = (now - last).clamp(0.0, 250.0);
            last = now;
            run.tick(elapsed);
        }))
    });
    if link.autoplay {
        run.play();
    }

    let shared = RwSignal::new(None::<String>);
    let page = Page {
        run,
        derived,
        theme,
        shared,
    };

    // Keyboard: every shortcut of the help overlay (`crate::view::teach::SHORTCUTS`).
    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            escape_pressed(run);
            return;
        }
        if ev.key() == "Tab" {
            if run.layout.overlay.get_untracked() != Overlay::None {
                keep_tab_in_overlay(&ev);
            }
            return;
        }
        if key_for_a_control(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        if let Some(command) = key_command(&ev.key()) {
            ev.prevent_default();
            // Shift moves the steps one instant instead of one event.
            let command = if shift_held(&ev) {
                command.with_shift()
            } else {
                command
            };
            actions::apply(page, command, focused_element());
        }
    });
    on_cleanup(move || keys.remove());

    // A link pasted into the address bar of an open page changes only the `#` part, which does
    // not reload the page: open it here as the first load would. (The page's own Share writes
    // the address with `replaceState`, which fires no `hashchange`.)
    let links = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(text) = share::link_in_address() {
            share::open_link_in_place(run, &text);
        }
    });
    on_cleanup(move || links.remove());

    let share_panel =
        Signal::derive(move || shared.get().map(|url| share_html(&url)).unwrap_or_default());
    // A new run makes the shown link stale.
    Effect::new(move |previous: Option<u64>| {
        let generation = run.reader.generation.get();
        if previous.is_some_and(|g| g != generation) {
            shared.set(None);
        }
        generation
    });
    let dropping = RwSignal::new(false);
    let bar = Memo::new(move |_| {
        let settings = run.read(|p| p.settings().clone()).unwrap_or_default();
        let speed = run.clock.speed.get();
        let mut speeds: Vec<u32> = SPEEDS.to_vec();
        if !speeds.contains(&speed) {
            speeds.push(speed);
        }
        BarState {
            preset: settings.preset,
            coordination: settings.coordination,
            storage: settings.storage,
            seed: settings.seed,
            playing: run.clock.playing.get(),
            settled: run.read(Player::is_settled).unwrap_or(true),
            speed: (speed, speed_label(speed)),
            speeds: speeds.into_iter().map(|s| (s, speed_label(s))).collect(),
            other_theme: theme.other(),
            side_by_side: run.layout.side_by_side.get(),
            can_step_back: run
                .read(|p| p.sim().event_count() > p.start_events())
                .unwrap_or(false),
            safeguards: run.read(|p| p.safeguards().clone()).unwrap_or_default(),
        }
    });
    let notice = Signal::derive(move || {
        run.layout
            .notice
            .get()
            .map(|t| notice_html(&t))
            .unwrap_or_default()
    });
    let coordination = move || derived.scenario.with(|s| s.coordination.as_str());
    let overlay = Signal::derive(move || match run.layout.overlay.get() {
        Overlay::None => String::new(),
        Overlay::Help => help_html(run.layout.presenter.get()),
        Overlay::Glossary(term) => glossary_html(term),
        Overlay::Lessons => lessons::list_html(run),
    });
    // An overlay opened at an entry scrolls to it.
    Effect::new(move |_| {
        if let Overlay::Glossary(Some(term)) = run.layout.overlay.get() {
            request_animation_frame(move || {
                if let Ok(Some(el)) = document().query_selector(&format!("#glossary-{term}")) {
                    el.scroll_into_view();
                }
            });
        }
    });
    Either::Right(view! {
        <main
            class="app"
            class:app--presenter=move || run.layout.presenter.get()
            class:app--drawer=move || run.layout.presenter.get() && run.layout.drawer.get()
            data-twin=move || run.layout.twin_shown.get().as_str()
            data-presenter=move || run.layout.presenter.get().to_string()
            data-in-past=move || run.in_past().to_string()
            data-now-ms=move || run.read(Player::now_ms).unwrap_or(0).to_string()
            data-side-by-side=move || run.layout.side_by_side.get().to_string()
            data-coordination=coordination
            data-playing=move || run.clock.playing.get().to_string()
            class:app--dropping=move || dropping.get()
            on:dragover=move |ev: DragEvent| {
                ev.prevent_default();
                dropping.set(true);
            }
            on:dragleave=move |_: DragEvent| dropping.set(false)
            on:drop=move |ev: DragEvent| {
                ev.prevent_default();
                dropping.set(false);
                let file = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0));
                share::import_file(run, file);
            }
            on:click=move |ev: MouseEvent| {
                // A click made by a script may be a plain `Event`, with no Shift key to read.
                let shift = ev.dyn_ref::<MouseEvent>().is_some_and(MouseEvent::shift_key);
                actions::dispatch(page, ev.target(), shift);
            }
            on:change=move |ev: Event| actions::control_changed(page, ev.target())
            on:keydown=move |ev: KeyboardEvent| {
                let own_keys = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| actions::is_native_control(&el));
                if !own_keys && focus::key_for_a_control(&ev) && actions::dispatch(page, ev.target(), shift_held(&ev)) {
                    ev.prevent_default();
                    // A node opened by keyboard: move into its fault menu.
                    if run.selection.menu.get_untracked().is_some() {
                        focus_later("[data-testid=\"fault-menu\"] [data-fault]".to_string());
                    }
                }
            }
        >
            <div class="app__bar"><bar::Bar bar=bar /></div>
            <Pane class="app__notice" markup=notice />
            <Pane class="app__share" markup=share_panel />
            <Pane class="app__overlay" markup=overlay />
            <div class="stage">
                <diagram::Diagram run=run derived=derived />
                <panels::Side reader=run.reader selection=run.selection derived=derived drawer=run.layout.drawer lessons=run.lessons />
                <panels::Data selection=run.selection derived=derived />
                <log::EventLog reader=run.reader selection=run.selection derived=derived />
            </div>
        </main>
    })
}

/// A box whose contents are markup from the view layer: drawn at once, then redrawn in place
/// when it changes (see [`patch`]).
#[component]
fn Pane(#[prop(into)] class: String, markup: Signal<String>) -> impl IntoView {
    let el = NodeRef::<Div>::new();
    let first = keep_drawn(el, markup);
    view! { <div class=class node_ref=el inner_html=first></div> }
}

/// Keeps the element `node` refers to showing `markup`: returns the markup to draw it with
/// first (its `inner_html`), then redraws its contents in place whenever the markup changes: the
/// elements that stay keep their focus, scroll and selection (see [`patch`]).
fn keep_drawn<E>(node: NodeRef<E>, markup: Signal<String>) -> String
where
    E: leptos::tachys::html::element::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let first = markup.get_untracked();
    let mut shown = Some(first.clone());
    Effect::new(move |_| {
        let markup = markup.get();
        if shown.as_ref() == Some(&markup) {
            return;
        }
        if let Some(el) = node.get() {
            patch::morph(el.unchecked_ref(), &markup);
            shown = Some(markup);
        }
    });
    first
}

/// What the page shows when it cannot show the saga: the reason and a Reload button.
#[component]
fn Fatal(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="crash" role="alert">
            <h2>"Sagascope cannot show this run"</h2>
            <p>{message}</p>
            <button type="button" on:click=move |_| {
                let _ignored = window().location().reload();
            }>"Reload"</button>
        </div>
    }
}

/// Whether Shift was held (`false` for an event a script made without the key's fields).
fn shift_held(ev: &KeyboardEvent) -> bool {
    ev.dyn_ref::<KeyboardEvent>()
        .is_some_and(KeyboardEvent::shift_key)
}
