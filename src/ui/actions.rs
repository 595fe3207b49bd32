//! Clicks and key presses, handled by delegation: the view layer's markup names what an element
//! does (`data-action`, `data-node`, `data-chip`; see `crate::view::html`), and one handler on the
//! page turns that into a selection or a command.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::presets;
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{Coordination, Storage};
use crate::view::faults::{menu, CHAOS};
use crate::view::glossary;
use crate::view::layout::NodeKey;
use crate::view::teach::View;

use super::player::{parse_seed, RunSettings};
use super::state::{Derived, Overlay, Run};
use super::theme::Theme;

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

fn number<T: std::str::FromStr>(el: &web_sys::Element, name: &str) -> Option<T> {
    el.get_attribute(name).and_then(|v| v.parse().ok())
}

fn run_action(page: Page, el: &web_sys::Element, action: &str) -> bool {
    let Page {
        run,
        derived,
        theme,
        shared,
    } = page;
    let sel = run.selection;
    if let Ok(Some(menu)) = el.closest("details") {
        // A choice made in a menu closes it; closing only tidies up, the action goes ahead.
        let _ignored = menu.remove_attribute("open");
    }
    match action {
        "play" => run.play(),
        "pause" => run.pause(),
        "step" => run.step(),
        "step-back" => run.step_back(),
        "latest" => run.to_latest(),
        "reset" => run.reset(),
        "view" => {
            if let Some(view) = el.get_attribute("data-view").and_then(|v| View::parse(&v)) {
                run.view.set(view);
            }
        }
        "predict" => run.set_predict(!run.predict.with_untracked(|p| p.on)),
        "predict-answer" => {
            if let Some(choice) = number(el, "data-choice") {
                run.predict_answer(choice);
                super::focus_later("[data-testid=\"predict-continue\"]".to_string());
            }
        }
        "predict-continue" => run.predict_continue(),
        "glossary" => {
            let term = el
                .get_attribute("data-term")
                .and_then(|t| glossary::find(&t))
                .map(|e| e.id);
            run.open_overlay(Overlay::Glossary(term), super::selector_of(el));
        }
        "help" => run.open_overlay(Overlay::Help, super::selector_of(el)),
        "close-glossary" | "close-overlay" => run.close_overlay(),
        "presenter" => run.presenter.update(|p| *p = !*p),
        "theme" => theme.toggle(),
        "dismiss" => run.notice.set(None),
        "share" => super::share::share(run, shared),
        "close-share" => shared.set(None),
        "export" => {
            let format = el.get_attribute("data-format").unwrap_or_default();
            super::share::export(run, &format);
        }
        "coordination" => {
            let coordination = match el.get_attribute("data-value").as_deref() {
                Some("side-by-side") => {
                    run.set_side_by_side(true);
                    return true;
                }
                Some("choreography") => Coordination::Choreography,
                _ => Coordination::Orchestration,
            };
            run.set_side_by_side(false);
            run.reconfigure(|s| RunSettings { coordination, ..s });
        }
        "storage" => {
            let storage = match el.get_attribute("data-value").as_deref() {
                Some("shared") => Storage::Shared,
                _ => Storage::PerService,
            };
            run.reconfigure(|s| RunSettings { storage, ..s });
        }
        "safeguard" => {
            let Some(safeguard) = el
                .get_attribute("data-value")
                .and_then(|v| Safeguard::parse(&v))
            else {
                return false;
            };
            run.replace(|p| p.with_safeguard(safeguard, !p.safeguards().get(safeguard)));
        }
        "select-saga" => {
            if let Some(saga) = number(el, "data-saga") {
                sel.saga.set(saga);
            }
        }
        "cancel" => {
            if let Some(saga) = number::<usize>(el, "data-saga") {
                run.act_both(|p| p.cancel(saga));
            }
        }
        "redrive" => run.act_both(|p| p.redrive()),
        "chaos" => {
            let on = !run.peek(|p| p.chaos_on()).unwrap_or(false);
            run.act_both(|p| p.set_chaos(on, CHAOS));
        }
        "inject" => {
            let (Some(index), Some(key)) =
                (number::<usize>(el, "data-choice"), sel.menu.get_untracked())
            else {
                return false;
            };
            let choice = derived
                .scenario
                .with_untracked(|s| menu(s, key).into_iter().nth(index));
            if let Some(choice) = choice {
                run.act_both(move |p| p.inject(choice.spec.clone()).map(|_| ()));
            }
        }
        "remove-fault" => {
            if let Some(id) = number(el, "data-fault-id") {
                remove_fault(run, id);
            }
        }
        "close-menu" => sel.menu.set(None),
        "live" => sel.event.set(None),
        "show-all" => sel.node.set(None),
        "select-event" => {
            if let Some(seq) = number::<u64>(el, "data-seq") {
                let now = sel.event.get_untracked();
                sel.event
                    .set(if now == Some(seq) { None } else { Some(seq) });
            }
        }
        "tab" => {
            let tab = el.get_attribute("data-tab");
            if let Some(&(id, _)) = crate::view::html::TABS
                .iter()
                .find(|(id, _)| Some(*id) == tab.as_deref())
            {
                sel.tab.set(id);
            }
        }
        _ => return false,
    }
    true
}

/// Starts a run of another preset (a preset of one style only switches to it and leaves side by
/// side, and says so).
pub fn pick_preset(run: Run, preset: &'static presets::Preset) {
    let settings = run.peek(|p| p.settings().clone()).unwrap_or_default();
    let was_both = run.side_by_side.get_untracked();
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
            run.notice.set(Some(format!(
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

/// Acts on the element an event happened in (or its nearest actionable ancestor). Returns
/// whether there was something to do.
pub fn dispatch(page: Page, target: Option<web_sys::EventTarget>) -> bool {
    let Page { run, derived, .. } = page;
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return false;
    };
    close_menus_outside(&el);
    if let Ok(Some(found)) = el.closest("[data-action],[data-chip],[data-node]") {
        if let Some(action) = found.get_attribute("data-action") {
            return run_action(page, &found, &action);
        }
        if let Some(id) = number::<usize>(&found, "data-chip") {
            remove_fault(run, id);
            return true;
        }
        if let Some(key) = found
            .get_attribute("data-node")
            .and_then(|v| NodeKey::from_test_id(&v))
        {
            activate(run, derived, key);
            return true;
        }
    }
    false
}

/// Reads a form control that changed (`data-control`: preset, speed, seed) and acts on it.
pub fn control_changed(page: Page, target: Option<web_sys::EventTarget>) {
    let run = page.run;
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return;
    };
    let Some(control) = el.get_attribute("data-control") else {
        return;
    };
    // Both <select> and <input> have a `value` property; the binding reads it by name.
    let field = el.unchecked_into::<web_sys::HtmlInputElement>();
    if control == "import" {
        super::share::import_file(run, field.files().and_then(|files| files.get(0)));
        // Picking the same file again should read it again.
        field.set_value("");
        return;
    }
    let value = field.value();
    let settings = run.peek(|p| p.settings().clone()).unwrap_or_default();
    match control.as_str() {
        "preset" => {
            if let Some(preset) = presets::find(&value) {
                pick_preset(run, preset);
            }
        }
        "speed" => {
            if let Ok(speed) = value.parse::<u32>() {
                run.speed.set(speed);
            }
        }
        "seed" => match parse_seed(&value) {
            Ok(seed) if seed == settings.seed => {}
            Ok(seed) => run.reconfigure(|s| RunSettings { seed, ..s }),
            Err(message) => {
                field.set_value(&settings.seed.to_string());
                run.notice
                    .set(Some(format!("{message} The seed stays {}.", settings.seed)));
            }
        },
        _ => {}
    }
}

/// Whether an element handles Enter and Space itself (a form control or a native button).
pub fn is_native_control(el: &web_sys::Element) -> bool {
    matches!(
        el.tag_name().to_ascii_lowercase().as_str(),
        "input" | "select" | "textarea" | "button" | "option"
    )
}

/// The attributes that find an element again after its markup is replaced, most specific first.
const IDENTITY: [&str; 8] = [
    "data-chip",
    "data-choice",
    "data-fault-id",
    "data-seq",
    "data-saga",
    "data-tab",
    "data-node",
    "data-testid",
];

/// Replaces a container's markup and gives the keyboard focus back to the element that had it.
pub fn replace_keeping_focus(container: &web_sys::Element, markup: &str) {
    let active = document()
        .active_element()
        .filter(|el| container.contains(Some(el)));
    let focused = active.as_ref().and_then(|el| {
        IDENTITY
            .into_iter()
            .find_map(|attr| el.get_attribute(attr).map(|v| (attr, v)))
    });
    // Text being typed into a field (the seed) survives the redraw.
    let typing = active
        .filter(|el| el.tag_name().eq_ignore_ascii_case("input"))
        .map(|el| el.unchecked_into::<web_sys::HtmlInputElement>())
        .filter(|input| input.type_() == "text")
        .map(|input| (input.value(), input.selection_start().ok().flatten()));
    container.set_inner_html(markup);
    if let Some((attr, value)) = focused {
        let value = value.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(Some(el)) = container.query_selector(&format!("[{attr}=\"{value}\"]")) {
            if let (Some((text, caret)), Some(input)) =
                (&typing, el.dyn_ref::<web_sys::HtmlInputElement>())
            {
                input.set_value(text);
                let _ignored = input.set_selection_range(
                    caret.unwrap_or(text.len() as u32),
                    caret.unwrap_or(text.len() as u32),
                );
            }
            // SVG elements have `focus()` too; the binding calls it by name.
            let _ignored = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    }
}
