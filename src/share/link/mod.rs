//! The shareable link: the text after a page address's `#` that reproduces a run exactly.
//!
//! A link is `&`-separated `name=value` pairs, beginning with the format version. It has two
//! forms.
//!
//! **Preset form**, when the scenario is a preset's (for its coordination, storage and seed) with
//! safeguards switched, faults added at time 0 and commands given later:
//!
//! ```text
//! v=1&p=restaurant-rejects&c=ch&st=ps&seed=7&at=5230
//! v=1&p=happy-path&c=or&st=sh&seed=3&f=transient.2.2&x=1200.cancel.0~3000.down.payment.4000&ev=57
//! v=1&p=two-customers&c=ch&sg=semantic_lock.off~idempotency.off
//! ```
//!
//! - `p` the preset id; `c` the coordination (`or`chestration, `ch`oreography); `st` the storage
//!   (`ps` per service, `sh` shared); `seed` the seed;
//! - `sg` the safeguards switched from the preset's own, each `NAME.on` or `NAME.off` (names as
//!   in [`Safeguard::as_str`]); absent, the preset's own;
//! - `f` faults present from time 0, after the preset's own; `x` scheduled commands after the
//!   preset's own, each `AT_MS.COMMAND`; items are separated by `~`, fields by `.`:
//!   - faults: `fail.STEP`, `transient.STEP.TIMES`, `noreply.STEP.TIMES`,
//!     `ambiguous.STEP.TIMES`, `undofails.STEP[.TIMES]` (each may end in `.sSAGA`),
//!     `latency.SERVICE.MS`, `down.SERVICE.MS`, `dbdown.SERVICE.MS`, `crash.MS`,
//!     `drop.TIMES[.SERVICE]`, `dup.TIMES[.SERVICE]`, `delay.MS.TIMES[.SERVICE]`,
//!     `reorder.TIMES[.SERVICE]`, `poison.SERVICE`, `commitcrash.SERVICE.TIMES`,
//!     `chaos.PERCENT.MS`;
//!   - commands: a fault (inject it), `remove.FAULT`, `cancel.SAGA`, `redrive`,
//!     `start.CUSTOMER.SLOT.PARTY.AMOUNT_CENTS.START_MS` (names percent-encoded).
//!
//! **Scenario form**, for any other scenario: `v=1&s=PAYLOAD` where the payload is the scenario's
//! JSON, with every top-level field at its default value left out, in base64url without padding;
//! `p` may still name the preset it came from.
//!
//! Either form may end with the playhead: `at=MS` (simulated milliseconds) or `ev=SEQ` (the
//! moment event `SEQ` happened). Every character of a link is one that addresses leave alone,
//! so it survives being copied, pasted and mailed. Decoding never panics: a tampered, truncated or
//! oversized link gets a [`LinkError`] that says what is wrong, and every decoded scenario has
//! passed [`Scenario::validate`].
//!
//! The codec's parts: `preset_form` and `scenario_form` write and read the two forms, `items`
//! the fault and command items of the preset form, `fields` the grammar those items share. This
//! file holds what every part answers to: the link state, the error, and [`encode`] and
//! [`decode`] with the parameters around the forms (version, playhead).

mod fields;
mod items;
mod preset_form;
mod scenario_form;

use crate::engine::presets::{self, Preset};
use crate::engine::run::HORIZON_MS;
use crate::engine::scenario::{Scenario, ScenarioError};
use crate::engine::sim::Simulation;

use super::base64url;
use fields::number;
use preset_form::{preset_extras, preset_params, scenario_from_preset};
use scenario_form::scenario_from_payload;

pub use preset_form::detect_preset;
pub use scenario_form::compact_json;

/// The link format this code writes and reads.
pub const LINK_VERSION: u32 = 1;
/// The longest link accepted, in bytes (well under what browsers and chat tools keep).
pub const MAX_LINK_BYTES: usize = 8 * 1024;
/// The highest event number a link may point at.
pub const MAX_EVENT_INDEX: u64 = 1_000_000;

/// Where the playhead stands when a link opens: the start, a simulated time, or the moment an
/// event happened. Written as `at=MS` or `ev=SEQ` (nothing for the start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Playhead {
    /// Time 0, before anything has happened.
    #[default]
    Start,
    /// This simulated time: everything due up to and including it has happened.
    AtMs(u64),
    /// The moment event number `seq` happened (the page selects it): the run as
    /// [`History::seek`](crate::engine::history::History::seek)`(seq + 1)` rebuilds it.
    Event(u64),
}

impl Playhead {
    /// Runs a simulation built from the link's scenario forward to this moment.
    ///
    /// `sim` should be fresh; a run already past the moment stays where it is. Events produced on
    /// the way are left for the caller to drain or discard.
    pub fn reach(self, sim: &mut Simulation) {
        match self {
            Playhead::Start => {}
            Playhead::AtMs(t) => sim.advance_to(t),
            Playhead::Event(seq) => {
                while sim.event_count() <= seq && sim.next_timer().is_some_and(|t| t <= HORIZON_MS)
                {
                    sim.step();
                }
            }
        }
    }
}

/// Everything a link carries.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkState {
    /// The whole scenario: sagas, fault plan, commands given so far, seed, style, storage,
    /// safeguards, timings and retry policies.
    pub scenario: Scenario,
    /// Where in the run the link opens.
    pub moment: Playhead,
    /// The preset the scenario came from, if any (the page shows it as selected).
    pub preset: Option<&'static Preset>,
}

impl LinkState {
    /// The link state of a run at a moment: its scenario with every command given so far (so the
    /// link reproduces the run exactly), and the preset it came from, if it came from one.
    pub fn of_run(sim: &Simulation, moment: Playhead) -> Self {
        let scenario = sim.replay_scenario();
        let preset = detect_preset(&scenario);
        Self {
            scenario,
            moment,
            preset,
        }
    }
}

/// What is wrong with a link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// The link is longer than [`MAX_LINK_BYTES`].
    #[error("the link is {0} bytes long; at most {max} are accepted", max = MAX_LINK_BYTES)]
    TooLong(usize),
    /// There is nothing after the `#`.
    #[error("the link carries no run")]
    Empty,
    /// A part of the link has no `=`.
    #[error("{0:?} in the link is not a name=value pair")]
    NotAPair(String),
    /// A parameter this format does not have.
    #[error("the link has a parameter {0:?} that Sagascope does not know")]
    UnknownParameter(String),
    /// A parameter given twice.
    #[error("the link gives {0:?} twice")]
    RepeatedParameter(&'static str),
    /// The version marker `v=` is missing.
    #[error("the link has no version (v=…); it may have been cut short")]
    NoVersion,
    /// The version marker names another format.
    #[error("link version {0:?} is not supported; this Sagascope reads version {LINK_VERSION}")]
    Version(String),
    /// Neither a preset (`p=`) nor a scenario (`s=`).
    #[error("the link names no preset (p=) and carries no scenario (s=)")]
    NoScenario,
    /// A whole scenario (`s=`) together with parameters that only go with a preset.
    #[error("the link carries a whole scenario (s=), so it cannot also give {0:?}")]
    Conflict(&'static str),
    /// Both moment parameters.
    #[error("the link gives both a time (at=) and an event (ev=); give one")]
    TwoMoments,
    /// A parameter's value cannot be read.
    #[error("{param}: {problem}")]
    BadValue {
        /// The parameter.
        param: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The `p=` value names no preset.
    #[error("there is no preset called {0:?}")]
    UnknownPreset(String),
    /// One item of a `~`-separated list cannot be read.
    #[error("{param}, item {number} ({item:?}): {problem}")]
    BadItem {
        /// The parameter (`f` or `x`).
        param: &'static str,
        /// The item's position, from 1.
        number: usize,
        /// The item, shortened.
        item: String,
        /// What is wrong.
        problem: String,
    },
    /// The `s=` payload is not base64url.
    #[error("s: the scenario is damaged: {0}")]
    Payload(#[from] base64url::Base64Error),
    /// The `s=` payload is not text.
    #[error("s: the scenario is damaged: it is not UTF-8 text")]
    NotText,
    /// The scenario the link describes is not valid.
    #[error("the link's scenario is not valid: {0}")]
    Scenario(#[from] ScenarioError),
}

fn bad(param: &'static str, problem: impl Into<String>) -> LinkError {
    LinkError::BadValue {
        param,
        problem: problem.into(),
    }
}

/// The first characters of untrusted text, for an error message.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 32;
    let mut out: String = text.chars().take(MAX_CHARS).collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        out.push('…');
    }
    out
}

// ---- encoding ---------------------------------------------------------------------------------

/// The link text for `state` (without the `#`).
///
/// Fails when the scenario is not valid (the link could not be opened) or when the link would be
/// longer than [`MAX_LINK_BYTES`] (export the scenario as a file instead).
pub fn encode(state: &LinkState) -> Result<String, LinkError> {
    state.scenario.validate()?;
    let s = &state.scenario;
    let mut params: Vec<(&str, String)> = vec![("v", LINK_VERSION.to_string())];
    match state
        .preset
        .and_then(|p| preset_extras(s, p).map(|e| (p, e)))
    {
        Some((preset, extras)) => preset_params(&mut params, s, preset, extras),
        None => {
            if let Some(preset) = state.preset {
                params.push(("p", preset.id.to_string()));
            }
            params.push(("s", base64url::encode(compact_json(s).as_bytes())));
        }
    }
    match state.moment {
        Playhead::Start => {}
        Playhead::AtMs(t) => params.push(("at", t.to_string())),
        Playhead::Event(seq) => params.push(("ev", seq.to_string())),
    }
    let text = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    if text.len() > MAX_LINK_BYTES {
        return Err(LinkError::TooLong(text.len()));
    }
    Ok(text)
}

// ---- decoding ---------------------------------------------------------------------------------

/// Reads a link: the text after `#` (a leading `#` or `?`, or a whole address, is accepted too).
pub fn decode(text: &str) -> Result<LinkState, LinkError> {
    if text.len() > MAX_LINK_BYTES {
        return Err(LinkError::TooLong(text.len()));
    }
    let text = match text.split_once('#') {
        Some((_, fragment)) => fragment,
        None => text.split_once('?').map_or(text, |(_, query)| query),
    }
    .trim();
    if text.is_empty() {
        return Err(LinkError::Empty);
    }
    let params = Params::parse(text)?;
    let version = params.get("v").ok_or(LinkError::NoVersion)?;
    if version != LINK_VERSION.to_string() {
        return Err(LinkError::Version(shorten(version)));
    }
    let preset = params
        .get("p")
        .map(|id| presets::find(id).ok_or_else(|| LinkError::UnknownPreset(shorten(id))))
        .transpose()?;
    let scenario = match (params.get("s"), preset) {
        (Some(payload), _) => {
            for name in ["c", "st", "seed", "sg", "f", "x"] {
                if let Some(name) = params.given(name) {
                    return Err(LinkError::Conflict(name));
                }
            }
            scenario_from_payload(payload)?
        }
        (None, Some(preset)) => scenario_from_preset(&params, preset)?,
        (None, None) => return Err(LinkError::NoScenario),
    };
    let moment = match (params.get("at"), params.get("ev")) {
        (Some(_), Some(_)) => return Err(LinkError::TwoMoments),
        (Some(at), None) => {
            let t = number::<u64>(at).map_err(|p| bad("at", p))?;
            if t > HORIZON_MS {
                return Err(bad(
                    "at",
                    format!("{t} ms is after the end of a run ({HORIZON_MS} ms)"),
                ));
            }
            Playhead::AtMs(t)
        }
        (None, Some(ev)) => {
            let seq = number::<u64>(ev).map_err(|p| bad("ev", p))?;
            if seq > MAX_EVENT_INDEX {
                return Err(bad(
                    "ev",
                    format!(
                        "event {seq} is beyond the last one a link may name ({MAX_EVENT_INDEX})"
                    ),
                ));
            }
            Playhead::Event(seq)
        }
        (None, None) => Playhead::Start,
    };
    Ok(LinkState {
        scenario,
        moment,
        preset,
    })
}

/// The link's parameters, each at most once.
struct Params<'a> {
    values: Vec<(&'static str, &'a str)>,
}

const NAMES: [&str; 11] = ["v", "p", "c", "st", "seed", "sg", "f", "x", "s", "at", "ev"];

impl<'a> Params<'a> {
    fn parse(text: &'a str) -> Result<Self, LinkError> {
        let mut values: Vec<(&'static str, &'a str)> = Vec::new();
        for part in text.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| LinkError::NotAPair(shorten(part)))?;
            let name = NAMES
                .iter()
                .find(|n| **n == key)
                .ok_or_else(|| LinkError::UnknownParameter(shorten(key)))?;
            if values.iter().any(|(k, _)| k == name) {
                return Err(LinkError::RepeatedParameter(name));
            }
            values.push((name, value));
        }
        Ok(Self { values })
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }

    fn given(&self, name: &str) -> Option<&'static str> {
        self.values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(k, _)| *k)
    }
}
