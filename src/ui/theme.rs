//! Light and dark themes. The stylesheet follows the system (`prefers-color-scheme`) until the
//! person picks one; the pick is kept in `localStorage`.

use leptos::prelude::*;

const STORAGE_KEY: &str = "sagascope.theme";

/// The theme switch: `None` follows the system.
#[derive(Clone, Copy)]
pub struct Theme(RwSignal<Option<&'static str>>);

fn stored() -> Option<&'static str> {
    let value = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())?;
    match value.as_str() {
        "light" => Some("light"),
        "dark" => Some("dark"),
        _ => None,
    }
}

fn system_is_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

impl Theme {
    /// The theme as last picked, applied to the document.
    pub fn new() -> Self {
        let theme = Theme(RwSignal::new(stored()));
        theme.apply();
        theme
    }

    /// The theme in effect: `light` or `dark`.
    pub fn current(&self) -> &'static str {
        self.0
            .get()
            .unwrap_or(if system_is_dark() { "dark" } else { "light" })
    }

    /// The theme a toggle would switch to.
    pub fn other(&self) -> &'static str {
        if self.current() == "dark" {
            "light"
        } else {
            "dark"
        }
    }

    /// The theme the person picked, if any (`None` follows the system).
    pub fn picked(&self) -> Option<&'static str> {
        self.0.get()
    }

    /// Applies a remembered pick (`light`, `dark`; anything else follows the system).
    pub fn restore(&self, picked: Option<&str>) {
        self.0.set(match picked {
            Some("light") => Some("light"),
            Some("dark") => Some("dark"),
            _ => None,
        });
        self.apply();
    }

    /// Switches to the other theme and remembers it.
    pub fn toggle(&self) {
        let next = self.other();
        self.0.set(Some(next));
        if let Some(storage) = window().local_storage().ok().flatten() {
            // Private browsing may refuse; the theme still applies to this page.
            let _ignored = storage.set_item(STORAGE_KEY, next);
        }
        self.apply();
    }

    fn apply(&self) {
        let Some(root) = document().document_element() else {
            return;
        };
        // Failing to set an attribute only loses the theme, never the page.
        let _ignored = match self.0.get_untracked() {
            Some(theme) => root.set_attribute("data-theme", theme),
            None => root.remove_attribute("data-theme"),
        };
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::new()
    }
}
