//! Keyboard focus and keys: where the focus goes when an overlay or a menu opens and closes,
//! Tab kept inside a dialog, and which key presses belong to the focused control rather than to
//! the page's shortcuts.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::handles::Overlay;
use super::state::Run;

/// Escape closes what is open, innermost first: an overlay, then the fault menu (giving the
/// focus back to what opened them), then the log's filter to one node.
pub(super) fn escape_pressed(run: Run) {
    if run.layout.overlay.get_untracked() != Overlay::None {
        run.layout.close_overlay();
        return;
    }
    if let Some(node) = run.selection.menu.get_untracked() {
        run.selection.menu.set(None);
        focus_later(format!("[data-node=\"{}\"]", node.test_id()));
        return;
    }
    if run.selection.node.get_untracked().is_some() {
        run.selection.node.set(None);
    }
}

/// The element that has the keyboard focus: an overlay it opens gives the focus back to it.
pub(super) fn focused_element() -> Option<web_sys::Element> {
    document().active_element()
}

/// Keeps Tab inside an open overlay (a dialog): from its last control to its first, and back.
pub(super) fn keep_tab_in_overlay(ev: &KeyboardEvent) {
    let Ok(Some(dialog)) = document().query_selector(".app__overlay [role=\"dialog\"]") else {
        return;
    };
    let Ok(found) =
        dialog.query_selector_all("button:not([disabled]), a[href], input, [tabindex=\"0\"]")
    else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = document().active_element();
    let inside = active
        .as_ref()
        .is_some_and(|a| dialog.contains(Some(a.unchecked_ref())));
    let at = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let to = if !inside {
        Some(first)
    } else if ev.shift_key() && at(first) {
        Some(last)
    } else if !ev.shift_key() && at(last) {
        Some(first)
    } else {
        None
    };
    if let Some(to) = to {
        ev.prevent_default();
        let _ignored = to.focus();
    }
}

/// Focuses the element matching `selector` once the pending redraw has happened.
pub(crate) fn focus_later(selector: String) {
    request_animation_frame(move || {
        if let Ok(Some(el)) = document().query_selector(&selector) {
            // SVG and HTML elements both have `focus()`; the binding calls it by name.
            let _ignored = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

/// Whether a key press belongs to the focused control rather than to the page's shortcuts:
/// every key typed into a field or a list, Space or Enter on a button or a line of the log (they
/// press it), and Enter on a node of the diagram (it opens the node's fault menu; Space there
/// plays and pauses, as everywhere outside a control).
pub(super) fn key_for_a_control(ev: &KeyboardEvent) -> bool {
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    if matches!(tag.as_str(), "input" | "select" | "textarea" | "option") {
        return true;
    }
    let presses = matches!(ev.key().as_str(), " " | "Enter" | "Spacebar");
    if el.has_attribute("data-node") {
        return ev.key() == "Enter";
    }
    presses
        && (super::actions::is_native_control(&el)
            || el.has_attribute("data-action")
            || el.has_attribute("data-chip")
            || tag == "summary")
}
