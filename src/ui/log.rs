//! The event log: every event, newest at the bottom, linked to the diagram both ways (select a
//! line: its message and nodes light up; select a node: the log shows only its events).
//!
//! A run has hundreds or thousands of events, so new lines are appended to the list, and going
//! back in time removes the lines after the moment, instead of redrawing the list.

use leptos::html::Ol;
use leptos::prelude::*;

use crate::view::html::{log_head_html, log_line_html};
use crate::view::layout::NodeKey;

use super::derived::Derived;
use super::handles::{Reader, Selection};
use super::Pane;

/// What the list shows, to tell an append from a redraw.
#[derive(Clone, Copy, PartialEq)]
struct Shown {
    generation: u64,
    filter: Option<NodeKey>,
    lines: usize,
    selected: Option<u64>,
}

/// The log.
#[component]
pub fn EventLog(reader: Reader, selection: Selection, derived: Derived) -> impl IntoView {
    let sel = selection;
    let list = NodeRef::<Ol>::new();
    Effect::new(move |previous: Option<Option<Shown>>| {
        let generation = reader.generation.get();
        let filter = sel.node.get();
        let selected = sel.event.get();
        let el = list.get()?;
        derived.lines.with(|lines| {
            let shown: Vec<_> = lines
                .iter()
                .filter(|l| filter.is_none_or(|n| l.concerns(n)))
                .collect();
            let before = previous.flatten();
            let same_list =
                before.is_some_and(|b| b.generation == generation && b.filter == filter);
            if same_list {
                // Within one run the lines only grow, or shrink back to an earlier moment (and a
                // fork grows them again from there): drop the lines past the moment, add new ones.
                let mut from = before.map(|b| b.lines).unwrap_or(0);
                while from > shown.len() {
                    match el.last_element_child() {
                        Some(last) => last.remove(),
                        None => break,
                    }
                    from -= 1;
                }
                let from = from.min(shown.len());
                let markup: String = shown[from..]
                    .iter()
                    .map(|l| log_line_html(l, Some(l.seq) == selected))
                    .collect();
                if !markup.is_empty() {
                    // Cannot fail for a list element; the worst case is a missing line.
                    let _ignored = el.insert_adjacent_html("beforeend", &markup);
                }
                let was = before.and_then(|b| b.selected);
                if was != selected {
                    for (seq, on) in [(was, false), (selected, true)] {
                        let Some(seq) = seq else { continue };
                        if let Ok(Some(line)) = el.query_selector(&format!("[data-seq=\"{seq}\"]"))
                        {
                            let _ignored = if on {
                                line.class_list().add_1("log__line--selected")
                            } else {
                                line.class_list().remove_1("log__line--selected")
                            };
                            let _ignored = if on {
                                line.set_attribute("aria-current", "true")
                            } else {
                                line.remove_attribute("aria-current")
                            };
                        }
                    }
                }
            } else {
                let markup: String = shown
                    .iter()
                    .map(|l| log_line_html(l, Some(l.seq) == selected))
                    .collect();
                el.set_inner_html(&markup);
            }
            if selected.is_none() {
                el.set_scroll_top(el.scroll_height());
                // Lines out of view are laid out at an estimated height (`content-visibility`
                // in main.css); the ones now in view take their real height when the next frame
                // is drawn, which can move the end: scroll to it again in the frame after.
                let list = el.clone();
                request_animation_frame(move || {
                    request_animation_frame(move || list.set_scroll_top(list.scroll_height()))
                });
            }
            Some(Shown {
                generation,
                filter,
                lines: shown.len(),
                selected,
            })
        })
    });
    let head = Signal::derive(move || {
        let filter = sel.node.get();
        derived.lines.with(|lines| log_head_html(lines, filter))
    });
    view! {
        <section class="log" data-testid="event-log" aria-label="Event log">
            <header class="panel__head">
                <h2 class="panel__title">"Event log"</h2>
                <Pane class="log__head" markup=head />
            </header>
            <ol class="log__list" node_ref=list></ol>
        </section>
    }
}
