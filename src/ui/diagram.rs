//! The diagram: the view layer draws it as SVG markup (`crate::view::svg`); this component puts
//! the markup in place and keeps the tokens moving with the clock. Clicks and key presses on
//! nodes and fault chips are handled by the page's delegated handler (`super::actions`).

use leptos::prelude::*;

use leptos::ev::PointerEvent;
use wasm_bindgen::JsCast;

use crate::engine::scenario::Coordination;
use crate::engine::snapshot::Snapshot;
use crate::view::command::{Command, TwinShown};
use crate::view::commit::commit_html;
use crate::view::compare::{compare_html, figures};
use crate::view::format::{seconds, Num};
use crate::view::gantt::{gantt_svg, GanttInput};
use crate::view::html::{fault_menu_html, filter_chip_html, toolbar_html};
use crate::view::layout::{node_rect_in, Size};
use crate::view::predict::{question_html, score_html};
use crate::view::sequence::{sequence_svg, SequenceInput};
use crate::view::svg::{diagram_svg_in, tokens_svg, tokens_svg_in, topics, DiagramState, Topic};
use crate::view::teach::{
    event_at, timeline_label, timeline_legend, timeline_svg, views_html, Timeline, View,
};
use crate::view::tokens::tokens_in;

use super::derived::Derived;
use super::handles::{Clock, Layout, Selection};
use super::state::Run;
use super::{keep_drawn, Pane};
use crate::player::Player;

/// Whether the person asked for reduced motion (then tokens jump instead of gliding).
fn reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// The event bus's topics (choreography only; an orchestrated run has no bus).
fn bus_topics(p: &Player, snapshot: &Snapshot) -> Vec<Topic> {
    let scenario = p.sim().scenario();
    if scenario.coordination != Coordination::Choreography {
        return Vec::new();
    }
    topics(
        p.sim().messages(),
        &snapshot.in_flight,
        &scenario.definition,
    )
}

/// The class of a diagram's `<svg>` drawn at a size (presenter mode's type is larger).
fn svg_class(base: &str, size: Size) -> String {
    if size.is_presenter() {
        format!("{base} diagram--presenter")
    } else {
        base.to_string()
    }
}

/// One run's diagram as a whole SVG, tokens included (side by side).
fn whole_diagram(p: &Player, now_ms: f64, jump: bool, size: Size) -> String {
    let snapshot = p.snapshot();
    let scenario = p.sim().scenario();
    let topics = bus_topics(p, &snapshot);
    let nodes = diagram_svg_in(
        &DiagramState {
            snapshot: &snapshot,
            scenario,
            saga: 0,
            selected: None,
            focus: None,
            topics: &topics,
        },
        size,
    );
    let style = scenario.coordination;
    let moving = tokens_in(size, &snapshot.in_flight, &scenario.definition, style);
    let (w, h) = size.view();
    let title = match style {
        Coordination::Orchestration => "Orchestration",
        Coordination::Choreography => "Choreography",
    };
    format!(
        r#"<figure class="twin" data-testid="twin-{}"><figcaption class="twin__title">{title}</figcaption><svg class="{}" viewBox="0 0 {} {}" preserveAspectRatio="xMidYMid meet" role="group" aria-label="{title} of the restaurant saga"><g class="diagram__nodes">{nodes}</g><g class="tokens">{}</g></svg></figure>"#,
        style.as_str(),
        svg_class("twin__svg", size),
        Num(w),
        Num(h),
        tokens_svg_in(size, &moving, now_ms, None, jump),
    )
}

/// Both styles side by side, orchestration on the left, and the comparison below.
fn side_by_side_html(run: Run, jump: bool) -> String {
    let now = run.clock.now_ms.get() as f64;
    // Presenter mode shows one run at a time, as large as one alone: at its size.
    let size = Size::of(run.layout.presenter.get());
    let main = run.read(|p| {
        (
            p.sim().scenario().coordination,
            whole_diagram(p, now, jump, size),
            figures(p.sim().trace(), p.sim().sagas().len(), p.now_ms()),
            p.is_settled(),
        )
    });
    let twin = run.reader.read_twin(|p| {
        (
            whole_diagram(p, now, jump, size),
            figures(p.sim().trace(), p.sim().sagas().len(), p.now_ms()),
            p.is_settled(),
        )
    });
    let (Some((style, main_svg, main_fig, main_done)), Some((twin_svg, twin_fig, twin_done))) =
        (main, twin)
    else {
        return String::new();
    };
    let (left, right, lf, rf, done) = if style == Coordination::Orchestration {
        (
            main_svg,
            twin_svg,
            main_fig,
            twin_fig,
            [main_done, twin_done],
        )
    } else {
        (
            twin_svg,
            main_svg,
            twin_fig,
            main_fig,
            [twin_done, main_done],
        )
    };
    // Presenter mode shows one run at a time, or the comparison (CSS, by `data-twin` on the
    // page): this switch picks which; elsewhere it is not drawn.
    let shown = run.layout.twin_shown.get();
    let switch: String = TwinShown::ALL
        .into_iter()
        .map(|t| {
            let on = t == shown;
            format!(
                r#"<button type="button" class="seg__btn{}" aria-pressed="{on}" {}>{}</button>"#,
                if on { " seg__btn--on" } else { "" },
                Command::ShowTwin(t).attrs(),
                t.label(),
            )
        })
        .collect();
    format!(
        r#"<div class="both" data-testid="side-by-side"><div class="both__switch seg" role="group" aria-label="Which run to show" data-testid="twin-switch">{switch}</div><div class="both__pair">{left}{right}</div>{}</div>"#,
        compare_html(&lf, &rf, done)
    )
}

/// The whole diagram with its toolbar and fault menu.
#[component]
pub fn Diagram(run: Run, derived: Derived) -> impl IntoView {
    let sel = run.selection;
    let jump = reduced_motion();
    // Presenter mode draws the diagram at its own size: larger type, boxes to fit it.
    let size = Memo::new(move |_| Size::of(run.layout.presenter.get()));
    let markup = Memo::new(move |_| {
        // Side by side draws both runs itself: the main diagram's nodes (and their test ids)
        // would only be there twice, hidden.
        if run.layout.side_by_side.get() {
            return String::new();
        }
        let scenario = derived.scenario.get();
        let focus = derived.focus.get();
        let saga = sel.saga.get();
        let selected = sel.node.get();
        derived.snapshot.with(|snapshot| {
            let topics = run.read(|p| bus_topics(p, snapshot)).unwrap_or_default();
            diagram_svg_in(
                &DiagramState {
                    snapshot,
                    scenario: &scenario,
                    saga,
                    selected,
                    focus: focus.as_ref(),
                    topics: &topics,
                },
                size.get(),
            )
        })
    });
    let nodes = NodeRef::<leptos::svg::G>::new();
    let first = keep_drawn(nodes, markup.into());
    let toolbar = Signal::derive(move || {
        let saga = sel.saga.get();
        derived.snapshot.with(|s| toolbar_html(s, saga))
    });
    let filter = Signal::derive(move || filter_chip_html(sel.node.get()));
    let fault_menu = Signal::derive(move || {
        let Some(key) = sel.menu.get() else {
            return String::new();
        };
        let scenario = derived.scenario.get();
        let size = size.get();
        let side = node_rect_in(size, scenario.coordination, key)
            .map(|r| {
                if r.cx() < size.view().0 / 2.0 {
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
        let now = run.clock.now_ms.get() as f64;
        let size = size.get();
        if size.is_presenter() {
            // The tokens follow presenter mode's routes.
            let scenario = derived.scenario.get();
            let moving = derived.snapshot.with(|s| {
                tokens_in(
                    size,
                    &s.in_flight,
                    &scenario.definition,
                    scenario.coordination,
                )
            });
            return tokens_svg_in(size, &moving, now, lit, jump);
        }
        derived.tokens.with(|t| tokens_svg(t, now, lit, jump))
    };
    let showing = move || {
        if run.layout.side_by_side.get() {
            "side-by-side"
        } else {
            run.layout.view.get().as_str()
        }
    };
    // The other views, drawn only while shown.
    let alternative = Signal::derive(move || {
        if run.layout.side_by_side.get() {
            return side_by_side_html(run, jump);
        }
        let view = run.layout.view.get();
        if view == View::Diagram {
            return String::new();
        }
        let selected = sel.event.get();
        run.read(|p| {
            let sim = p.sim();
            match view {
                View::Sequence => sequence_svg(&SequenceInput {
                    scenario: sim.scenario(),
                    trace: sim.trace(),
                    messages: sim.messages(),
                    selected,
                }),
                View::Gantt => gantt_svg(&GanttInput {
                    scenario: sim.scenario(),
                    trace: sim.trace(),
                    messages: sim.messages(),
                    now_ms: sim.now_ms(),
                    selected,
                }),
                View::Commit => {
                    let (protocol, plan) = run.layout.commit.get();
                    let now = run.clock.now_ms.get();
                    // With every command the run has had, so the saga under the same failure
                    // meets what this run met.
                    commit_html(&sim.replay_scenario(), sim.trace(), protocol, plan, now)
                }
                View::Diagram => String::new(),
            }
        })
        .unwrap_or_default()
    });
    // The selection made elsewhere scrolls into view in the sequence and Gantt views.
    Effect::new(move |_| {
        sel.event.track();
        if run.layout.view.get() == View::Diagram {
            return;
        }
        request_animation_frame(|| {
            if let Ok(Some(el)) = document().query_selector(".diagram__alt [aria-current=\"true\"]")
            {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                options.set_inline(web_sys::ScrollLogicalPosition::Nearest);
                el.scroll_into_view_with_scroll_into_view_options(&options);
            }
        });
    });
    let views = Signal::derive(move || {
        views_html(
            run.layout.view.get(),
            run.predict.with(|p| p.on),
            run.layout.side_by_side.get(),
        )
    });
    let predict = Signal::derive(move || {
        let settled = run.read(Player::is_settled).unwrap_or(false);
        run.predict.with(|p| {
            if !p.on {
                String::new()
            } else if let (true, Some(q)) = (p.asking, p.questions.first()) {
                question_html(q, p.picked, p.score)
            } else {
                score_html(p.score, settled)
            }
        })
    });
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
                <Pane class="toolbar__views" markup=views />
                <output class="toolbar__clock" data-testid="clock" aria-label="Simulated time">
                    {move || format!("t = {}", seconds(run.clock.now_ms.get()))}
                </output>
                <Pane class="toolbar__filter" markup=filter />
            </div>
            <svg class="defs" width="0" height="0" aria-hidden="true" focusable="false">
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path class="edge__arrow" d="M0 0 L10 5 L0 10 Z"></path>
                    </marker>
                </defs>
            </svg>
            <div class="diagram__canvas" data-view=showing>
                <svg
                    class="diagram__svg"
                    class:hidden=move || showing() != "diagram"
                    class:diagram--presenter=move || size.get().is_presenter()
                    viewBox=move || {
                        let (w, h) = size.get().view();
                        format!("0 0 {} {}", Num(w), Num(h))
                    }
                    preserveAspectRatio="xMidYMid meet"
                    role="group"
                    aria-label=label
                >
                    <g class="diagram__nodes" node_ref=nodes inner_html=first></g>
                    <g class="tokens" inner_html=tokens></g>
                </svg>
                <AltPane clock=run.clock layout=run.layout selection=run.selection markup=alternative />
                <Pane class="diagram__menu" markup=fault_menu />
                <Pane class="diagram__predict" markup=predict />
            </div>
            <TimelineStrip run=run />
        </section>
    }
}

/// The pane of the other views (sequence, timeline, side by side). The sequence view follows the
/// present as the run plays (time runs down the page), unless the reader has scrolled away from
/// the end; playing or opening the view follows it again.
#[component]
fn AltPane(
    clock: Clock,
    layout: Layout,
    selection: Selection,
    markup: Signal<String>,
) -> impl IntoView {
    let sel = selection;
    let alt = NodeRef::<leptos::html::Div>::new();
    let alt_first = keep_drawn(alt, markup);
    let follow = StoredValue::new(true);
    // Whether the reader has wheeled, touched, clicked or keyed in the pane since the page last
    // scrolled it: only then does a scroll say where they want to be. (The page's own scrolls,
    // and the browser clamping the position while the rows are redrawn, say nothing.)
    let reader = StoredValue::new(false);
    // The moment the Gantt view last brought into view (`None`: not shown since).
    let gantt_at = StoredValue::new(None::<u64>);
    Effect::new(move |_| {
        let view = layout.view.get();
        if clock.playing.get() {
            follow.set_value(true);
            reader.set_value(false);
        }
        markup.track();
        if layout.side_by_side.get_untracked() {
            return;
        }
        if view == View::Gantt {
            // The Gantt view shows the moment shown: on opening, and whenever that moment moves
            // (play, step, step back, the timeline), its now-line is scrolled into view.
            let now = clock.now_ms.get_untracked();
            if gantt_at.get_value() != Some(now) {
                gantt_at.set_value(Some(now));
                request_animation_frame(move || {
                    if let Some(el) = alt.get_untracked() {
                        show_now(&el);
                    }
                });
            }
            return;
        }
        gantt_at.set_value(None);
        if view != View::Sequence {
            return;
        }
        request_animation_frame(move || {
            let Some(el) = alt.get_untracked() else {
                return;
            };
            if follow.get_value() && sel.event.get_untracked().is_none() {
                el.set_scroll_top(el.scroll_height());
                reader.set_value(false);
            }
            pin_lane_heads(&el);
        });
    });
    Effect::new(move |previous: Option<View>| {
        let view = layout.view.get();
        if previous != Some(view) {
            follow.set_value(true);
        }
        view
    });
    let on_alt_scroll = move |_| {
        if let Some(el) = alt.get_untracked() {
            if reader.get_value() {
                // The reader scrolled: follow only from the end (within a few pixels).
                follow.set_value(el.scroll_top() + el.client_height() >= el.scroll_height() - 24);
            }
            pin_lane_heads(&el);
        }
    };
    view! {
        <div
            class="diagram__alt"
            node_ref=alt
            inner_html=alt_first
            on:scroll=on_alt_scroll
            on:wheel=move |_| reader.set_value(true)
            on:touchstart=move |_| reader.set_value(true)
            on:pointerdown=move |_| reader.set_value(true)
            on:keydown=move |_| reader.set_value(true)
        ></div>
    }
}

/// Scrolls the Gantt view sideways so that its now-line is in view, right of the row labels
/// (which stay over the pane's left edge): when it is not, it goes two thirds of the way across
/// the plot, the recent past beside it (at the end of a run: as far right as the pane scrolls).
fn show_now(pane: &web_sys::HtmlDivElement) {
    let (Ok(Some(line)), Ok(Some(labels))) = (
        pane.query_selector(".gantt__now-line"),
        pane.query_selector(".gantt__labels"),
    ) else {
        return;
    };
    // In CSS pixels from the pane's visible left edge (the drawing may be zoomed).
    let inner_left = pane.get_bounding_client_rect().left() + f64::from(pane.client_left());
    let x = line.get_bounding_client_rect().left() - inner_left;
    let covered = labels.get_bounding_client_rect().width();
    let visible = f64::from(pane.client_width());
    const MARGIN: f64 = 24.0;
    if x >= covered + MARGIN && x <= visible - MARGIN {
        return;
    }
    let target = f64::from(pane.scroll_left()) + x - (covered + (visible - covered) * 2.0 / 3.0);
    pane.set_scroll_left(target.max(0.0).round() as i32);
}

/// Keeps the sequence view's lane heads at the top of its scrolled pane (an SVG group cannot be
/// `position: sticky`): moves them down by the scroll, in the drawing's own units.
fn pin_lane_heads(pane: &web_sys::HtmlDivElement) {
    let Ok(Some(heads)) = pane.query_selector("svg.sequence > .seq-heads") else {
        return;
    };
    let Ok(Some(svg)) = pane.query_selector("svg.sequence") else {
        return;
    };
    // The drawing may be zoomed (presenter mode): CSS pixels per unit of its own.
    let drawn = svg.get_bounding_client_rect().height();
    // Whole units are precise enough here, and parsing an integer keeps the float parser (over
    // 10 KiB of the bundle) out.
    let units = svg
        .get_attribute("height")
        .and_then(|h| {
            h.split('.')
                .next()
                .and_then(|whole| whole.parse::<u32>().ok())
        })
        .filter(|h| *h > 0)
        .map(f64::from);
    let Some(units) = units else {
        return;
    };
    let offset = f64::from(pane.scroll_top()) * units / drawn.max(1.0);
    let _ignored = heads.set_attribute("transform", &format!("translate(0 {})", Num(offset)));
}

/// The timeline under the main area: a tick per event, clicked or dragged to go to any moment.
#[component]
fn TimelineStrip(run: Run) -> impl IntoView {
    let sel = run.selection;
    let ticks = Signal::derive(move || {
        let selected = sel.event.get();
        run.read(|p| {
            timeline_svg(&Timeline {
                events: p.timeline(),
                start: p.start_events(),
                at: p.sim().event_count(),
                selected,
            })
        })
        .unwrap_or_default()
    });
    let label = Signal::derive(move || {
        run.read(|p| {
            timeline_label(
                &Timeline {
                    events: p.timeline(),
                    start: p.start_events(),
                    at: p.sim().event_count(),
                    selected: None,
                },
                p.in_past(),
            )
        })
        .unwrap_or_default()
    });
    let value = move || run.read(|p| p.sim().event_count()).unwrap_or(0);
    let max = move || run.read(|p| p.timeline().len()).unwrap_or(0);
    let text = move || {
        run.read(|p| {
            format!(
                "Event {} of {}, at {}",
                p.sim().event_count(),
                p.timeline().len(),
                seconds(p.now_ms())
            )
        })
        .unwrap_or_default()
    };
    let dragging = RwSignal::new(false);
    // Goes to the moment right after the event under the pointer, and selects that event.
    let go = move |ev: &PointerEvent| {
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        // The ticks fill the strip's content box (inside its border).
        let rect = el.get_bounding_client_rect();
        let width = f64::from(el.client_width());
        if width <= 0.0 {
            return;
        }
        let left = rect.left() + f64::from(el.client_left());
        let fraction = (f64::from(ev.client_x()) - left) / width;
        let Some((i, seq)) = run
            .peek(|p| {
                let events = p.timeline();
                event_at(fraction, events.len()).and_then(|i| events.get(i).map(|e| (i, e.seq)))
            })
            .flatten()
        else {
            return;
        };
        run.seek(i as u64 + 1);
        sel.event.set(Some(seq));
    };
    view! {
        <div class="timeline">
            <div
                class="timeline__strip"
                role="slider"
                tabindex="0"
                data-testid="timeline"
                aria-label="Timeline: a tick per event; ← and → step, Home and End go to the start and the latest moment"
                aria-valuemin="0"
                aria-valuemax=max
                aria-valuenow=value
                aria-valuetext=text
                inner_html=move || ticks.get()
                on:pointerdown=move |ev: PointerEvent| {
                    dragging.set(true);
                    if let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                        let _ignored = el.set_pointer_capture(ev.pointer_id());
                    }
                    go(&ev);
                }
                on:pointermove=move |ev: PointerEvent| {
                    if dragging.get_untracked() {
                        go(&ev);
                    }
                }
                on:pointerup=move |_| dragging.set(false)
                on:pointercancel=move |_| dragging.set(false)
            ></div>
            <Pane class="timeline__label" markup=label />
            <div class="timeline__legend-box" inner_html=timeline_legend()></div>
        </div>
    }
}
