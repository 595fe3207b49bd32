//! The side column (outcome, narration, invariants) and the data panel, each drawn by the view
//! layer as markup.

use leptos::prelude::*;

use crate::view::html::{data_html, invariants_html, narrated, narration_html, outcome_html};
use crate::view::lesson::lesson_html;

use super::derived::Derived;
use super::handles::{Reader, Selection};
use super::Pane;

/// The outcome banner, the narration and the invariant monitor.
#[component]
pub fn Side(
    reader: Reader,
    selection: Selection,
    derived: Derived,
    drawer: RwSignal<bool>,
    lessons: super::lessons::Lessons,
) -> impl IntoView {
    let sel = selection;
    let outcome = Signal::derive(move || {
        let report = reader.read(|p| p.invariants()).unwrap_or_default();
        derived.snapshot.with(|s| outcome_html(s, &report))
    });
    let narration = Signal::derive(move || {
        let selected = sel.event.get();
        let scenario = derived.scenario.get();
        derived
            .lines
            .with(|lines| narration_html(narrated(lines, selected), selected.is_some(), &scenario))
    });
    let invariants = Signal::derive(move || {
        reader
            .read(|p| invariants_html(&p.invariants()))
            .unwrap_or_default()
    });
    let lesson = Signal::derive(move || {
        lessons
            .current
            .with(|l| l.as_ref().map(lesson_html).unwrap_or_default())
    });
    view! {
        <aside class="side" aria-label="What is happening">
            <Pane class="side__lesson" markup=lesson />
            <Pane class="side__outcome" markup=outcome />
            <div class="side__live" aria-live="polite" aria-atomic="true">
                <Pane class="side__narration" markup=narration />
            </div>
            <Pane class="side__invariants" markup=invariants />
            // Presenter mode keeps the tables, the log and the monitor in a drawer (CSS hides
            // this button elsewhere, where they are always on the page).
            <button
                type="button"
                class="btn drawer-toggle"
                data-action="drawer"
                data-testid="drawer"
                title="Tables, log and monitor (D)"
                aria-expanded=move || drawer.get().to_string()
            >
                {move || if drawer.get() { "▾ Hide tables, log and monitor" } else { "▴ Tables, log and monitor" }}
            </button>
        </aside>
    }
}

/// The data panel: databases, dead letters, the manual-intervention queue.
#[component]
pub fn Data(selection: Selection, derived: Derived) -> impl IntoView {
    let sel = selection;
    let markup = Signal::derive(move || {
        let tab = sel.tab.get();
        let scenario = derived.scenario.get();
        derived.snapshot.with(|s| data_html(tab, s, &scenario))
    });
    view! {
        <section class="data" aria-label="Data">
            <Pane class="data__pane" markup=markup />
        </section>
    }
}
