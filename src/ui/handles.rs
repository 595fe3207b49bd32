//! The page's small `Copy` handles: [`Reader`] (reading the run), [`Clock`], [`Layout`] and
//! [`Selection`]. A component that only shows receives the handles it reads; one that sends
//! commands receives [`super::state::Run`], which bundles them with the methods that change the
//! run.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::commit::CommitPlan;
use crate::engine::commit::Protocol;
use crate::engine::message::SagaId;
use crate::player::Player;
use crate::view::command::{DataTab, TwinShown};
use crate::view::layout::NodeKey;
use crate::view::teach::View;

/// A panel over the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overlay {
    /// Nothing.
    #[default]
    None,
    /// The keyboard shortcuts.
    Help,
    /// The glossary, open at an entry.
    Glossary(Option<&'static str>),
    /// The list of guided lessons.
    Lessons,
}

/// Reading the run: the player (and its twin, side by side) and the signals that say it changed.
/// Components that only show the run receive this, not [`super::state::Run`].
#[derive(Clone, Copy)]
pub struct Reader {
    pub(super) player: StoredValue<Player>,
    /// The same run in the other coordination style, when both are shown side by side.
    pub(super) twin: StoredValue<Option<Player>>,
    /// Bumped whenever the run changed in a way views show (events, commands, a new run).
    pub(super) revision: RwSignal<u64>,
    /// Bumped for every new run (reset, new settings), so views know to start afresh.
    pub generation: RwSignal<u64>,
}

impl Reader {
    /// Reads the player and subscribes to its changes.
    pub fn read<R>(&self, f: impl FnOnce(&Player) -> R) -> Option<R> {
        self.revision.track();
        self.player.try_with_value(f)
    }

    /// Reads the twin run (side by side) and subscribes to changes.
    pub fn read_twin<R>(&self, f: impl FnOnce(&Player) -> R) -> Option<R> {
        self.revision.track();
        self.twin.try_with_value(|t| t.as_ref().map(f)).flatten()
    }

    /// Reads the player without subscribing.
    pub fn peek<R>(&self, f: impl FnOnce(&Player) -> R) -> Option<R> {
        self.player.try_with_value(f)
    }
}

/// The clock: simulated now, whether it runs, and how fast.
#[derive(Clone, Copy)]
pub struct Clock {
    /// Simulated now, for moving tokens.
    pub now_ms: RwSignal<u64>,
    /// Whether the clock is running.
    pub playing: RwSignal<bool>,
    /// Simulated time per real time, in percent (100 = real time).
    pub speed: RwSignal<u32>,
}

/// How the page is laid out around the run.
#[derive(Clone, Copy)]
pub struct Layout {
    /// The view the main area shows.
    pub view: RwSignal<View>,
    /// Presenter mode: large type.
    pub presenter: RwSignal<bool>,
    /// Presenter mode's drawer (tables, log, monitor) is open.
    pub drawer: RwSignal<bool>,
    /// Presenter mode side by side: the run shown, or the comparison.
    pub twin_shown: RwSignal<TwinShown>,
    /// The panel shown over the page.
    pub overlay: RwSignal<Overlay>,
    /// Finds the control that opened the overlay again, to give it the focus back on closing.
    pub(super) overlay_opener: StoredValue<Option<web_sys::Element>, LocalStorage>,
    /// Whether both styles are shown side by side.
    pub side_by_side: RwSignal<bool>,
    /// The commit view's protocol and the failure its run meets.
    pub commit: RwSignal<(Protocol, CommitPlan)>,
    /// A message for the person (bad input, a refused command), shown until dismissed.
    pub notice: RwSignal<Option<String>>,
}

impl Layout {
    /// Opens an overlay over the page (focus goes to its close button), remembering the control
    /// that had the focus.
    pub fn open_overlay(&self, overlay: Overlay, opener: Option<web_sys::Element>) {
        if self.overlay.get_untracked() == Overlay::None {
            self.overlay_opener.set_value(opener);
        }
        self.overlay.set(overlay);
        let close = match overlay {
            Overlay::Help => "close-help",
            Overlay::Glossary(_) => "close-glossary",
            Overlay::Lessons => "close-lessons",
            Overlay::None => return,
        };
        super::focus::focus_later(format!("[data-testid=\"{close}\"]"));
    }

    /// Closes the overlay and gives the focus back to the control that opened it.
    pub fn close_overlay(&self) {
        if self.overlay.get_untracked() == Overlay::None {
            return;
        }
        self.overlay.set(Overlay::None);
        let opener = self.overlay_opener.try_update_value(Option::take).flatten();
        // Panels are redrawn in place, so the opener is still on the page unless the run it
        // belonged to was replaced.
        if let Some(opener) = opener.filter(|el| el.is_connected()) {
            // SVG and HTML elements both have `focus()`; the binding calls it by name.
            let _ignored = opener.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    }
}

/// What the person has selected.
#[derive(Clone, Copy)]
pub struct Selection {
    /// The saga whose statuses the nodes show.
    pub saga: RwSignal<SagaId>,
    /// An event picked in the log (its sequence number).
    pub event: RwSignal<Option<u64>>,
    /// A node picked in the diagram: the log shows only its events.
    pub node: RwSignal<Option<NodeKey>>,
    /// The node whose fault menu is open.
    pub menu: RwSignal<Option<NodeKey>>,
    /// The data panel's tab.
    pub tab: RwSignal<DataTab>,
}

impl Selection {
    /// Nothing selected.
    pub fn new() -> Self {
        Selection {
            saga: RwSignal::new(0),
            event: RwSignal::new(None),
            node: RwSignal::new(None),
            menu: RwSignal::new(None),
            tab: RwSignal::new(DataTab::Tables),
        }
    }

    /// Forgets everything that belonged to the previous run.
    pub fn clear(&self) {
        self.event.set(None);
        self.menu.set(None);
    }
}

impl Default for Selection {
    fn default() -> Self {
        Self::new()
    }
}
