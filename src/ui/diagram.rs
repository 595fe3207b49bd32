//! The diagram: the view layer draws it as SVG markup (`crate::view::svg`); this component puts
//! the markup in place and keeps the tokens moving with the clock. Clicks and key presses on
//! nodes and fault chips are handled by the page's delegated handler (`super::actions`).

use leptos::prelude::*;

use crate::engine::scenario::Coordination;
use crate::view::format::{seconds, Num};
use crate::view::html::{fault_menu_html, toolbar_html};
use crate::view::layout::{node_rect, VIEW_H, VIEW_W};
use crate::view::svg::{diagram_svg, tokens_svg, topics, DiagramState};

use super::actions::replace_keeping_focus;
use super::state::{Derived, Run};
use super::Pane;

/// The whole diagram with its toolbar and fault menu.
#[component]
pub fn Diagram(run: Run, derived: Derived) -> impl IntoView {
    let sel = run.selection;
    let markup = Memo::new(move |_| {
        let scenario = derived.scenario.get();
        let focus = derived.focus.get();
        let saga = sel.saga.get();
        let selected = sel.node.get();
        derived.snapshot.with(|snapshot| {
            let topics = if scenario.coordination == Coordination::Choreography {
                run.read(|p| {
                    topics(
                        p.sim().messages(),
                        &snapshot.in_flight,
                        &scenario.definition,
                    )
                })
                .unwrap_or_default()
            } else {
                Vec::new()
            };
            diagram_svg(&DiagramState {
                snapshot,
                scenario: &scenario,
                saga,
                selected,
                focus: focus.as_ref(),
                topics: &topics,
            })
        })
    });
    let nodes = NodeRef::<leptos::svg::G>::new();
    let first = markup.get_untracked();
    let mut shown = Some(first.clone());
    Effect::new(move |_| {
        let markup = markup.get();
        if shown.as_ref() == Some(&markup) {
            return;
        }
        if let Some(g) = nodes.get() {
            replace_keeping_focus(&g, &markup);
            shown = Some(markup);
        }
    });
    let toolbar = Signal::derive(move || {
        let saga = sel.saga.get();
        derived.snapshot.with(|s| toolbar_html(s, saga))
    });
    let fault_menu = Signal::derive(move || {
        let Some(key) = sel.menu.get() else {
            return String::new();
        };
        let scenario = derived.scenario.get();
        let side = node_rect(scenario.coordination, key)
            .map(|r| {
                if r.cx() < VIEW_W / 2.0 {
                    "right"
                } else {
                    "left"
                }
            })
            .unwrap_or("right");
        derived
            .snapshot
            .with(|s| fault_menu_html(&scenario, s, key, side))
    });
    let tokens = move || {
        let lit = derived.focus.with(|f| f.as_ref().and_then(|f| f.message));
        let now = run.now_ms.get() as f64;
        derived.tokens.with(|t| tokens_svg(t, now, lit))
    };
    let label = move || {
        derived.scenario.with(|s| match s.coordination {
            Coordination::Orchestration => "Orchestration of the restaurant saga",
            Coordination::Choreography => "Choreography of the restaurant saga",
        })
    };
    view! {
        <section class="diagram" aria-label="Saga diagram">
            <div class="toolbar">
                <Pane class="toolbar__main" markup=toolbar />
                <output class="toolbar__clock" data-testid="clock" aria-label="Simulated time">
                    {move || format!("t = {}", seconds(run.now_ms.get()))}
                </output>
            </div>
            <div class="diagram__canvas">
                <svg
                    class="diagram__svg"
                    viewBox=format!("0 0 {} {}", Num(VIEW_W), Num(VIEW_H))
                    preserveAspectRatio="xMidYMid meet"
                    role="group"
                    aria-label=label
                >
                    <defs>
                        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path class="edge__arrow" d="M0 0 L10 5 L0 10 Z"></path>
                        </marker>
                    </defs>
                    <g class="diagram__nodes" node_ref=nodes inner_html=first></g>
                    <g class="tokens" inner_html=tokens></g>
                </svg>
                <Pane class="diagram__menu" markup=fault_menu />
            </div>
        </section>
    }
}
