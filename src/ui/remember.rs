//! What the page remembers between visits: the last run (as a link), the data tab, the view, the
//! theme, presenter mode and the speed, in `localStorage` under one versioned key.
//!
//! A damaged, old or oversized entry is removed and reported; storage that is full, disabled or
//! missing only means nothing is remembered.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The key, with the format's version in it.
pub const KEY: &str = "sagascope.v1";
/// The format this code writes and reads.
pub const VERSION: u32 = 1;
/// The largest entry read back, in bytes (a link is at most 8 KiB).
pub const MAX_BYTES: usize = 16 * 1024;

/// What is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remembered {
    /// Always [`VERSION`].
    pub version: u32,
    /// The last run, as a share link (see [`crate::share::link`]).
    pub link: String,
    /// The theme picked (`light`, `dark`), or none to follow the system.
    pub theme: Option<String>,
    /// The speed, in percent.
    pub speed: u32,
    /// The data panel's tab.
    pub tab: String,
    /// Presenter mode (large type) was on.
    #[serde(default)]
    pub presenter: bool,
    /// The view shown (`diagram`, `sequence`, `gantt`).
    #[serde(default)]
    pub view: String,
}

#[derive(Deserialize)]
struct VersionProbe {
    version: u32,
}

/// Reads an entry's text; `Err` says why it cannot be used.
pub fn parse(text: &str) -> Result<Remembered, String> {
    if text.len() > MAX_BYTES {
        return Err(format!(
            "it is {} bytes, more than the {MAX_BYTES} kept",
            text.len()
        ));
    }
    match serde_json::from_str::<VersionProbe>(text) {
        Ok(probe) if probe.version != VERSION => {
            return Err(format!(
                "it was saved in format {}, and this page reads format {VERSION}",
                probe.version
            ))
        }
        Ok(_) => {}
        Err(_) => return Err("it is damaged".to_string()),
    }
    serde_json::from_str(text).map_err(|e| format!("it is damaged ({e})"))
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The remembered state: `Ok(None)` when there is none; `Err` (with the entry removed) when it
/// cannot be used.
pub fn load() -> Result<Option<Remembered>, String> {
    let Some(storage) = storage() else {
        return Ok(None);
    };
    let Some(text) = storage.get_item(KEY).ok().flatten() else {
        return Ok(None);
    };
    parse(&text).map(Some).inspect_err(|_| forget())
}

/// Removes the remembered state.
pub fn forget() {
    if let Some(storage) = storage() {
        // Nothing to do if the browser refuses: the entry is ignored next time too.
        let _ignored = storage.remove_item(KEY);
    }
}

/// Keeps `state`; a full or disabled storage is silently skipped (the page works without it).
pub fn save(state: &Remembered) {
    let Some(storage) = storage() else {
        return;
    };
    if let Ok(text) = serde_json::to_string(state) {
        let _ignored = storage.set_item(KEY, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Remembered {
        Remembered {
            version: VERSION,
            link: "v=1&p=happy-path&c=or&st=ps&seed=1".to_string(),
            theme: Some("dark".to_string()),
            speed: 200,
            tab: crate::view::command::DataTab::Tables.as_str().to_string(),
            presenter: true,
            view: "gantt".to_string(),
        }
    }

    #[test]
    fn an_entry_from_before_presenter_mode_still_reads() {
        let kept =
            parse(r#"{"version":1,"link":"v=1","theme":null,"speed":100,"tab":"tables"}"#).unwrap();
        assert!(!kept.presenter);
        assert_eq!(kept.view, "");
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let text = serde_json::to_string(&sample()).unwrap();
        assert_eq!(parse(&text), Ok(sample()));
    }

    #[test]
    fn damaged_old_and_oversized_entries_are_refused_with_a_reason() {
        assert!(parse("{not json").unwrap_err().contains("damaged"));
        assert!(parse(r#"{"version":0,"link":""}"#)
            .unwrap_err()
            .contains("format 0"));
        assert!(
            parse(r#"{"version":1,"link":"","theme":null,"speed":1,"tab":"x","extra":1}"#)
                .unwrap_err()
                .contains("damaged")
        );
        assert!(parse(&" ".repeat(MAX_BYTES + 1))
            .unwrap_err()
            .contains("bytes"));
    }
}
