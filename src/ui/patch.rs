//! Redraws a box of markup in place. The view layer hands the page a panel as markup; rather
//! than throw the old elements away, [`morph`] changes the ones on the page until they match
//! it: an element that is still there keeps being the same element, so its keyboard focus, its
//! scroll position and the text selected in it stay without anyone putting them back.
//!
//! Which element is "still there": a control is known by the [`Command`] it sends (a log line
//! by its event, a tab by its tab, a node by its node), so a line that moves up the list as
//! others are dropped is kept, not rewritten with another line's text. Anything else is known by
//! its place among its siblings and its tag.

use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

use crate::view::command::Command;

/// Changes `container`'s children in place until they are what `markup` describes.
pub fn morph(container: &Element, markup: &str) {
    // A shallow copy parses the markup in the container's own context: SVG inside a `<g>`,
    // HTML inside a `<div>`.
    let Some(fresh) = container
        .clone_node()
        .ok()
        .and_then(|n| n.dyn_into::<Element>().ok())
    else {
        container.set_inner_html(markup);
        return;
    };
    fresh.set_inner_html(markup);
    patch_children(container, &fresh);
}

/// The command an element sends, which is what tells one control from another.
fn command_of(node: &Node) -> Option<Command> {
    let el = node.dyn_ref::<Element>()?;
    Command::read(|name| el.get_attribute(name))
}

/// Whether `old` can become `new` by changing its attributes and contents.
fn same_kind(old: &Node, new: &Node) -> bool {
    if old.node_type() != new.node_type() {
        return false;
    }
    match (old.dyn_ref::<Element>(), new.dyn_ref::<Element>()) {
        (Some(o), Some(n)) => o.tag_name() == n.tag_name() && command_of(old) == command_of(new),
        _ => true,
    }
}

/// Makes `old`'s children match `new`'s, taking the new nodes that have no old counterpart out
/// of `new`.
fn patch_children(old: &Node, new: &Node) {
    let mut here = old.first_child();
    let mut next = new.first_child();
    while let Some(wanted) = next {
        next = wanted.next_sibling();
        let found = match command_of(&wanted) {
            // A control may have moved up: look for it further on.
            Some(_) => {
                let mut at = here.clone();
                while let Some(candidate) = at.as_ref().filter(|c| !same_kind(c, &wanted)) {
                    at = candidate.next_sibling();
                }
                at
            }
            None => here.clone().filter(|h| same_kind(h, &wanted)),
        };
        match found {
            Some(kept) => {
                // What stood before it is gone from the new markup.
                while let Some(gone) = here.clone().filter(|h| *h != kept) {
                    here = gone.next_sibling();
                    let _ignored = old.remove_child(&gone);
                }
                patch_node(&kept, &wanted);
                here = kept.next_sibling();
            }
            None => {
                let _ignored = old.insert_before(&wanted, here.as_ref());
            }
        }
    }
    while let Some(gone) = here {
        here = gone.next_sibling();
        let _ignored = old.remove_child(&gone);
    }
}

/// Makes one node match another of the same kind: its text, or its attributes and children.
fn patch_node(old: &Node, new: &Node) {
    let (Some(old_el), Some(new_el)) = (old.dyn_ref::<Element>(), new.dyn_ref::<Element>()) else {
        if old.node_value() != new.node_value() {
            old.set_node_value(new.node_value().as_deref());
        }
        return;
    };
    for name in old_el.get_attribute_names().iter() {
        if let Some(name) = name.as_string() {
            if !new_el.has_attribute(&name) {
                let _ignored = old_el.remove_attribute(&name);
            }
        }
    }
    for name in new_el.get_attribute_names().iter() {
        if let Some(name) = name.as_string() {
            let value = new_el.get_attribute(&name).unwrap_or_default();
            if old_el.get_attribute(&name).as_deref() != Some(value.as_str()) {
                let _ignored = old_el.set_attribute(&name, &value);
            }
        }
    }
    patch_children(old, new);
}
