//! The keyboard shortcuts: what each [`KeyAction`] does to the run and the page, so a presenter
//! can run a whole class without the mouse. The keys themselves are mapped by the view layer
//! ([`crate::view::teach::key_action`]), which also lists them for the help overlay.

use leptos::prelude::*;

use crate::engine::presets::PRESETS;
use crate::engine::scenario::Coordination;
use crate::view::teach::KeyAction;

use super::player::{RunSettings, SPEEDS};
use super::state::{Overlay, Run};
use super::theme::Theme;
use super::{actions, focus_later, selector_of};

/// A selector for the element that has the focus, if it can be found again.
fn focused_selector() -> Option<String> {
    document().active_element().and_then(|el| selector_of(&el))
}

/// Carries out a shortcut.
pub fn run_key(run: Run, theme: Theme, action: KeyAction) {
    let asking = run.predict.with_untracked(|p| p.asking);
    let picked = run.predict.with_untracked(|p| p.picked.is_some());
    match action {
        KeyAction::PlayPause => {
            if asking && !picked {
                // Answer first: the question stays until a choice is made.
                focus_later("[data-testid=\"predict-choice-0\"]".to_string());
            } else if asking {
                run.predict_continue();
            } else if run.playing.get_untracked() {
                run.pause();
            } else {
                run.play();
            }
        }
        KeyAction::Preset(n) if asking => {
            run.predict_answer(n);
            focus_later("[data-testid=\"predict-continue\"]".to_string());
        }
        KeyAction::Step => run.step(),
        KeyAction::StepBack => run.step_back(),
        KeyAction::Slower | KeyAction::Faster => {
            let now = run.speed.get_untracked();
            let next = if action == KeyAction::Faster {
                SPEEDS.iter().copied().find(|&s| s > now)
            } else {
                SPEEDS.iter().rev().copied().find(|&s| s < now)
            };
            if let Some(speed) = next {
                run.speed.set(speed);
            }
        }
        KeyAction::Preset(n) => {
            if let Some(preset) = PRESETS.get(n) {
                actions::pick_preset(run, preset);
            }
        }
        KeyAction::FullScreen => toggle_full_screen(run),
        KeyAction::Theme => theme.toggle(),
        KeyAction::Help => {
            if run.overlay.get_untracked() == Overlay::Help {
                run.close_overlay();
            } else {
                run.open_overlay(Overlay::Help, focused_selector());
            }
        }
        KeyAction::Glossary => {
            if matches!(run.overlay.get_untracked(), Overlay::Glossary(_)) {
                run.close_overlay();
            } else {
                run.open_overlay(Overlay::Glossary(None), focused_selector());
            }
        }
        KeyAction::Presenter => run.presenter.update(|p| *p = !*p),
        KeyAction::NextView => run.view.update(|v| *v = v.next()),
        KeyAction::Predict => run.set_predict(!run.predict.with_untracked(|p| p.on)),
        KeyAction::SideBySide => run.set_side_by_side(!run.side_by_side.get_untracked()),
        KeyAction::OtherStyle => {
            let settings = run.peek(|p| p.settings().clone()).unwrap_or_default();
            let coordination = match settings.coordination {
                Coordination::Orchestration => Coordination::Choreography,
                Coordination::Choreography => Coordination::Orchestration,
            };
            run.set_side_by_side(false);
            run.reconfigure(|s| RunSettings { coordination, ..s });
        }
        KeyAction::Reset => run.reset(),
        KeyAction::First => run.seek(0),
        KeyAction::Latest => run.to_latest(),
        KeyAction::Services => {
            run.view.set(crate::view::teach::View::Diagram);
            focus_later("[data-node]".to_string());
        }
    }
}

/// Full screen on or off; a browser that refuses says so in the notice.
fn toggle_full_screen(run: Run) {
    let document = document();
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
        return;
    }
    let refused = document
        .document_element()
        .map(|el| el.request_fullscreen().is_err())
        .unwrap_or(true);
    if refused {
        run.notice.set(Some(
            "This browser does not allow full screen here; its own full-screen key (often F11) still works.".to_string(),
        ));
    }
}
