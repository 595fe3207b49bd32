//! Clicks and key presses. The view layer's markup names the [`Command`] an element sends (see
//! `crate::view::command`); one handler on the page reads it back, a key press maps to one
//! (`crate::view::teach::key_command`), and [`apply`] carries out both.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys;

use crate::engine::presets::{self, PRESETS};
use crate::engine::scenario::Coordination;
use crate::view::command::{Command, Control, StyleChoice};
use crate::view::faults::{menu, CHAOS};
use crate::view::layout::NodeKey;
use crate::view::teach::View;

use super::derived::Derived;
use super::focus::focus_later;
use super::handles::Overlay;
use super::state::Run;
use super::theme::Theme;
use crate::player::RunSettings;
use crate::share::query::{parse_seed, SPEEDS};

/// What the handlers act on.
#[derive(Clone, Copy)]
pub struct Page {
    /// The run.
    pub run: Run,
    /// Its derived values.
    pub derived: Derived,
    /// The theme switch.
    pub theme: Theme,
    /// The link last shared, shown to copy by hand.
    pub shared: RwSignal<Option<String>>,
}

/// Selects a node (the log filters to it) and opens its fault menu, if it has one.
fn activate(run: Run, derived: Derived, key: NodeKey) {
    let sel = run.selection;
    sel.node.set(Some(key));
    let has_menu = derived
        .scenario
        .with_untracked(|s| !menu(s, key).is_empty());
    sel.menu.set(has_menu.then_some(key));
}

/// Carries out a command, from a click or a key. `origin` is the control that sent it, which
/// gets the focus back when an overlay it opened closes.
pub fn apply(page: Page, command: Command, origin: Option<web_sys::Element>) {
    let Page {
        run,
        derived,
        theme,
        shared,
    } = page;
    let sel = run.selection;
    let asking = run.predict.with_untracked(|p| p.asking);
    let picked = run.predict.with_untracked(|p| p.picked.is_some());
    match command {
        Command::Play => run.play(),
        Command::Pause => run.pause(),
        Command::PlayPause => {
            if asking && !picked {
                // Answer first: the question stays until a choice is made.
                focus_later("[data-testid=\"predict-choice-0\"]".to_string());
            } else if asking {
                run.predict_continue();
            } else if run.clock.playing.get_untracked() {
                run.pause();
            } else {
                run.play();
            }
        }
        Command::Step => run.step(),
        Command::StepBack => run.step_back(),
        Command::StepInstant => run.step_instant(),
        Command::StepBackInstant => run.step_back_instant(),
        Command::First => run.seek(0),
        Command::Latest => run.to_latest(),
        Command::Reset => run.reset(),
        Command::Slower | Command::Faster => {
            let now = run.clock.speed.get_untracked();
            let next = if command == Command::Faster {
                SPEEDS.iter().copied().find(|&s| s > now)
            } else {
                SPEEDS.iter().rev().copied().find(|&s| s < now)
            };
            if let Some(speed) = next {
                run.clock.speed.set(speed);
            }
        }
        Command::ShowView(view) => run.layout.view.set(view),
        Command::NextView => run.layout.view.update(|v| *v = v.next()),
        Command::CommitProtocol(protocol) => run.layout.commit.update(|c| c.0 = protocol),
        Command::CommitPlan(plan) => run.layout.commit.update(|c| c.1 = plan),
        Command::TogglePredict => run.set_predict(!run.predict.with_untracked(|p| p.on)),
        Command::PredictAnswer(choice) => {
            run.predict_answer(choice);
            focus_later("[data-testid=\"predict-continue\"]".to_string());
        }
        Command::Number(n) if asking => {
            run.predict_answer(n);
            focus_later("[data-testid=\"predict-continue\"]".to_string());
        }
        Command::Number(n) => {
            if let Some(preset) = PRESETS.get(n) {
                pick_preset(run, preset);
            }
        }
        Command::PredictContinue => run.predict_continue(),
        Command::OpenGlossary(term) => run.layout.open_overlay(Overlay::Glossary(term), origin),
        Command::ToggleGlossary => {
            if matches!(run.layout.overlay.get_untracked(), Overlay::Glossary(_)) {
                run.layout.close_overlay();
            } else {
                run.layout.open_overlay(Overlay::Glossary(None), origin);
            }
        }
        Command::ToggleHelp => {
            if run.layout.overlay.get_untracked() == Overlay::Help {
                run.layout.close_overlay();
            } else {
                run.layout.open_overlay(Overlay::Help, origin);
            }
        }
        Command::CloseOverlay => run.layout.close_overlay(),
        Command::TogglePresenter => run.layout.presenter.update(|p| *p = !*p),
        Command::ToggleDrawer => {
            // Outside presenter mode every panel is on the page already: the key opens presenter
            // mode's drawer only where there is one.
            if run.layout.presenter.get_untracked() {
                run.layout.drawer.update(|d| *d = !*d);
            }
        }
        Command::ShowTwin(shown) => run.layout.twin_shown.set(shown),
        Command::ToggleLessons => super::lessons::toggle_list(run, origin),
        Command::LessonOpen(n) => super::lessons::open_listed(run, n),
        Command::LessonNext => super::lessons::go(run, |l| l.forward()),
        Command::LessonBack => super::lessons::go(run, |l| l.back()),
        Command::LessonGo(n) => super::lessons::go(run, |l| l.go_to(n)),
        Command::LessonAnswer(n) => super::lessons::answer(run, n),
        Command::LessonClose => super::lessons::close(run),
        Command::ToggleTheme => theme.toggle(),
        Command::FullScreen => toggle_full_screen(run),
        Command::DismissNotice => run.layout.notice.set(None),
        Command::Share => super::share::share(run, shared),
        Command::CloseShare => shared.set(None),
        Command::Export(format) => super::share::export(run, format),
        Command::Style(StyleChoice::SideBySide) => run.set_side_by_side(true),
        Command::Style(StyleChoice::One(coordination)) => {
            run.set_side_by_side(false);
            run.reconfigure(|s| RunSettings { coordination, ..s });
        }
        Command::OtherStyle => {
            let settings = run.peek(|p| p.settings().clone()).unwrap_or_default();
            let coordination = match settings.coordination {
                Coordination::Orchestration => Coordination::Choreography,
                Coordination::Choreography => Coordination::Orchestration,
            };
            run.set_side_by_side(false);
            run.reconfigure(|s| RunSettings { coordination, ..s });
        }
        Command::ToggleSideBySide => run.set_side_by_side(!run.layout.side_by_side.get_untracked()),
        Command::Storage(storage) => run.reconfigure(|s| RunSettings { storage, ..s }),
        Command::ToggleSafeguard(safeguard) => {
            run.replace(|p| p.with_safeguard(safeguard, !p.safeguards().get(safeguard)));
        }
        Command::SelectSaga(saga) => sel.saga.set(saga),
        Command::Cancel(saga) => run.act_both(|p| p.cancel(saga)),
        Command::Redrive => run.act_both(|p| p.redrive()),
        Command::ToggleChaos => {
            let on = !run.peek(|p| p.chaos_on()).unwrap_or(false);
            run.act_both(|p| p.set_chaos(on, CHAOS));
        }
        Command::Inject(index) => {
            let Some(key) = sel.menu.get_untracked() else {
                return;
            };
            let choice = derived
                .scenario
                .with_untracked(|s| menu(s, key).into_iter().nth(index));
            if let Some(choice) = choice {
                run.act_both(move |p| p.inject(choice.spec.clone()).map(|_| ()));
                // A fault picked gives the focus back to its node (the menu stays open, listing
                // it for removal), so that Space plays on instead of picking it again.
                super::focus::focus_later(format!("[data-node=\"{}\"]", key.test_id()));
            }
        }
        Command::RemoveFault(id) => remove_fault(run, id),
        Command::CloseMenu => sel.menu.set(None),
        Command::SelectNode(key) => activate(run, derived, key),
        Command::Services => {
            run.layout.view.set(View::Diagram);
            focus_later("[data-node]".to_string());
        }
        Command::Live => sel.event.set(None),
        Command::ShowAll => sel.node.set(None),
        Command::SelectEvent(seq) => {
            let now = sel.event.get_untracked();
            sel.event
                .set(if now == Some(seq) { None } else { Some(seq) });
        }
        Command::Tab(tab) => sel.tab.set(tab),
    }
}

/// Full screen on or off. The browser answers with a promise, and may refuse (no key press or
/// click behind the request, a frame not allowed to): a refused request says so in the notice, a
/// refused exit is let be; neither is left unhandled.
fn toggle_full_screen(run: Run) {
    let document = document();
    let leaving = document.fullscreen_element().is_some();
    let (target, method): (JsValue, &str) = if leaving {
        (document.into(), "exitFullscreen")
    } else {
        match document.document_element() {
            Some(el) => (el.into(), "requestFullscreen"),
            None => return full_screen_refused(run),
        }
    };
    // Called by name: web-sys's bindings drop the promise these return.
    let answer = js_sys::Reflect::get(&target, &JsValue::from_str(method))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .map(|f| f.call0(&target));
    match answer {
        Some(Ok(value)) => {
            if let Ok(promise) = value.dyn_into::<js_sys::Promise>() {
                let refused = Closure::once(move |_: JsValue| {
                    if !leaving {
                        full_screen_refused(run);
                    }
                });
                let _handled = promise.catch(&refused);
                // The promise calls it once, later; it is small and made once per press.
                refused.forget();
            }
        }
        _ if leaving => {}
        _ => full_screen_refused(run),
    }
}

fn full_screen_refused(run: Run) {
    run.layout.notice.set(Some(
        "This browser does not allow full screen here; its own full-screen key (often F11) still works.".to_string(),
    ));
}

/// Starts a run of another preset (a preset of one style only switches to it and leaves side by
/// side, and says so).
pub fn pick_preset(run: Run, preset: &'static presets::Preset) {
    let settings = run.peek(|p| p.settings().clone()).unwrap_or_default();
    let was_both = run.layout.side_by_side.get_untracked();
    if preset.only.is_some() {
        run.set_side_by_side(false);
    }
    run.reconfigure(|s| RunSettings {
        preset: preset.id,
        coordination: preset.only.unwrap_or(s.coordination),
        ..s
    });
    if let Some(only) = preset.only {
        if only != settings.coordination || was_both {
            let why = match only {
                Coordination::Orchestration => "needs an orchestrator",
                Coordination::Choreography => "needs an outbox and a relay",
            };
            run.layout.notice.set(Some(format!(
                "“{}” {why}, so it runs in {} only.",
                preset.title,
                only.as_str()
            )));
        }
    }
}

/// Removes an active fault, and the same fault from the twin run when both styles are shown.
fn remove_fault(run: Run, id: usize) {
    let spec = run
        .peek(|p| p.sim().faults().get(id).map(|f| f.spec.clone()))
        .flatten();
    if let Some(spec) = spec {
        run.with_twin(|t| {
            let twin_id = t
                .sim()
                .faults()
                .iter()
                .find(|f| f.active && f.spec == spec)
                .map(|f| f.id);
            if let Some(twin_id) = twin_id {
                let _ignored = t.remove_fault(twin_id);
            }
        });
    }
    run.act(|p| p.remove_fault(id));
}

/// Closes the open drop-down menus (`<details class="menu">`) that `el` is not inside.
fn close_menus_outside(el: &web_sys::Element) {
    let Ok(open) = document().query_selector_all("details.menu[open]") else {
        return;
    };
    for i in 0..open.length() {
        if let Some(menu) = open
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        {
            if !menu.contains(Some(el)) {
                // Only tidies up: a menu left open does no harm.
                let _ignored = menu.remove_attribute("open");
            }
        }
    }
}

/// Acts on the element an event happened in (or its nearest ancestor that sends a command).
/// Returns whether there was something to do.
/// `shift`: Shift was held (a step then moves one instant).
pub fn dispatch(page: Page, target: Option<web_sys::EventTarget>, shift: bool) -> bool {
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return false;
    };
    close_menus_outside(&el);
    let Ok(Some(found)) = el.closest("[data-action],[data-chip],[data-node]") else {
        return false;
    };
    let Some(command) = Command::read(|name| found.get_attribute(name)) else {
        return false;
    };
    let command = if shift { command.with_shift() } else { command };
    if let Ok(Some(menu)) = found.closest("details") {
        // A choice made in a menu closes it; closing only tidies up, the command goes ahead.
        let _ignored = menu.remove_attribute("open");
    }
    apply(page, command, Some(found));
    true
}

/// Reads a form control that changed (`data-control`: preset, speed, seed) and acts on it.
pub fn control_changed(page: Page, target: Option<web_sys::EventTarget>) {
    let run = page.run;
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return;
    };
    let Some(control) = el
        .get_attribute("data-control")
        .and_then(|c| Control::parse(&c))
    else {
        return;
    };
    // Both <select> and <input> have a `value` property; the binding reads it by name.
    let field = el.unchecked_into::<web_sys::HtmlInputElement>();
    if control == Control::Import {
        super::share::import_file(run, field.files().and_then(|files| files.get(0)));
        // Picking the same file again should read it again.
        field.set_value("");
        return;
    }
    let value = field.value();
    let settings = run.peek(|p| p.settings().clone()).unwrap_or_default();
    match control {
        Control::Preset => {
            if let Some(preset) = presets::find(&value) {
                pick_preset(run, preset);
            }
        }
        Control::Speed => {
            if let Ok(speed) = value.parse::<u32>() {
                run.clock.speed.set(speed);
            }
        }
        Control::Seed => match parse_seed(&value) {
            Ok(seed) if seed == settings.seed => {}
            Ok(seed) => run.reconfigure(|s| RunSettings { seed, ..s }),
            Err(message) => {
                field.set_value(&settings.seed.to_string());
                run.layout
                    .notice
                    .set(Some(format!("{message} The seed stays {}.", settings.seed)));
            }
        },
        Control::Import => {}
    }
}

/// Whether an element handles Enter and Space itself (a form control or a native button).
pub fn is_native_control(el: &web_sys::Element) -> bool {
    matches!(
        el.tag_name().to_ascii_lowercase().as_str(),
        "input" | "select" | "textarea" | "button" | "option"
    )
}
