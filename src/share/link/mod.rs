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
//! Either form may end with the moment: `at=MS` (simulated milliseconds) or `ev=SEQ` (the moment
//! event `SEQ` happened). Every character of a link is one that addresses leave alone, so it
//! survives being copied, pasted and mailed. Decoding never panics: a tampered, truncated or
//! oversized link gets a [`LinkError`] that says what is wrong, and every decoded scenario has
//! passed [`Scenario::validate`].

use crate::engine::definition::ServiceId;
use crate::engine::fault::{FaultKind, FaultSpec};
use crate::engine::presets::{self, Preset, PRESETS};
use crate::engine::run::HORIZON_MS;
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{
    Command, Coordination, Safeguards, SagaSpec, Scenario, ScenarioError, ScheduledCommand, Storage,
};
use crate::engine::sim::Simulation;

use super::base64url;

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

/// The preset whose scenario (for the same style, storage and seed) `scenario` extends with
/// switched safeguards, faults and commands only, if there is one.
pub fn detect_preset(scenario: &Scenario) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| preset_extras(scenario, p).is_some())
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
        Some((preset, extras)) => {
            params.push(("p", preset.id.to_string()));
            params.push(("c", coordination_code(s.coordination).to_string()));
            params.push(("st", storage_code(s.storage).to_string()));
            params.push(("seed", s.seed.to_string()));
            if !extras.switched.is_empty() {
                let items: Vec<String> = extras
                    .switched
                    .iter()
                    .map(|(safeguard, on)| {
                        format!("{}.{}", safeguard.as_str(), if *on { "on" } else { "off" })
                    })
                    .collect();
                params.push(("sg", items.join("~")));
            }
            let (faults, commands) = (extras.faults, extras.commands);
            if !faults.is_empty() {
                let items: Vec<String> = faults.iter().map(fault_item).collect();
                params.push(("f", items.join("~")));
            }
            if !commands.is_empty() {
                let items: Vec<String> = commands.iter().map(command_item).collect();
                params.push(("x", items.join("~")));
            }
        }
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

/// What a scenario changes in a preset's.
struct PresetExtras {
    /// The safeguards switched from the preset's own, and how.
    switched: Vec<(Safeguard, bool)>,
    /// Faults after the preset's own.
    faults: Vec<FaultSpec>,
    /// Commands after the preset's own.
    commands: Vec<ScheduledCommand>,
}

/// What `scenario` changes in `preset`'s scenario, if it is that scenario otherwise.
fn preset_extras(scenario: &Scenario, preset: &Preset) -> Option<PresetExtras> {
    let base = presets::scenario(
        preset.id,
        scenario.coordination,
        scenario.storage,
        scenario.seed,
    )?;
    if !scenario.faults.starts_with(&base.faults) || !scenario.commands.starts_with(&base.commands)
    {
        return None;
    }
    let switched = Safeguard::ALL
        .into_iter()
        .filter(|s| scenario.safeguards.get(*s) != base.safeguards.get(*s))
        .map(|s| (s, scenario.safeguards.get(s)))
        .collect();
    let extra_faults = scenario.faults[base.faults.len()..].to_vec();
    let extra_commands = scenario.commands[base.commands.len()..].to_vec();
    let mut rebuilt = base;
    rebuilt.safeguards = scenario.safeguards.clone();
    rebuilt.faults.extend(extra_faults.iter().cloned());
    rebuilt.commands.extend(extra_commands.iter().cloned());
    (rebuilt == *scenario).then_some(PresetExtras {
        switched,
        faults: extra_faults,
        commands: extra_commands,
    })
}

/// The scenario as one line of JSON with every top-level field at its default value left out:
/// [`Scenario::from_json`] reads it back to an equal scenario.
///
/// It works on the text of [`Scenario::to_json`] (whose top-level fields each begin a line
/// indented by two spaces) rather than on a `serde_json::Value`, which would add several KiB to
/// the page's wasm.
pub fn compact_json(scenario: &Scenario) -> String {
    let text = scenario.to_json();
    let defaults = Scenario::new(Vec::new()).to_json();
    let default_fields = top_level_fields(&defaults);
    let kept: Vec<&str> = top_level_fields(&text)
        .into_iter()
        .filter(|field| {
            let key = field.split(':').next().unwrap_or_default();
            matches!(key, "\"version\"" | "\"sagas\"") || !default_fields.contains(field)
        })
        .collect();
    minify(&format!("{{{}}}", kept.join(",")))
}

/// The top-level `"key": value` entries of pretty JSON, without their separating commas.
fn top_level_fields(pretty: &str) -> Vec<&str> {
    let body = pretty
        .trim()
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .unwrap_or_default();
    let mut fields = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.starts_with("  \"") {
            if let Some(s) = start {
                fields.push(body[s..offset].trim().trim_end_matches(','));
            }
            start = Some(offset);
        }
        offset += line.len();
    }
    if let Some(s) = start {
        fields.push(body[s..].trim().trim_end_matches(','));
    }
    fields
}

/// JSON without the whitespace between tokens.
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn coordination_code(c: Coordination) -> &'static str {
    match c {
        Coordination::Orchestration => "or",
        Coordination::Choreography => "ch",
    }
}

fn storage_code(s: Storage) -> &'static str {
    match s {
        Storage::PerService => "ps",
        Storage::Shared => "sh",
    }
}

/// The code a fault kind has in a link. The match has no catch-all arm: a new kind does not
/// compile until it has a code (and [`parse_fault`] reads it back).
fn fault_code(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::BusinessFailure => "fail",
        FaultKind::TransientError => "transient",
        FaultKind::NoReply => "noreply",
        FaultKind::Ambiguous => "ambiguous",
        FaultKind::CompensationFails => "undofails",
        FaultKind::Latency => "latency",
        FaultKind::ServiceDown => "down",
        FaultKind::DatabaseDown => "dbdown",
        FaultKind::OrchestratorDown => "crash",
        FaultKind::Drop => "drop",
        FaultKind::Duplicate => "dup",
        FaultKind::Delay => "delay",
        FaultKind::Reorder => "reorder",
        FaultKind::Poison => "poison",
        FaultKind::CrashAfterCommit => "commitcrash",
        FaultKind::Chaos => "chaos",
    }
}

fn fault_item(fault: &FaultSpec) -> String {
    let saga = |s: &Option<usize>| s.map(|n| format!(".s{n}")).unwrap_or_default();
    let service = |s: &Option<ServiceId>| s.map(|s| format!(".{}", s.as_str())).unwrap_or_default();
    let fields = match fault {
        FaultSpec::BusinessFailure { step, saga: s } => format!("{step}{}", saga(s)),
        FaultSpec::TransientError {
            step,
            times,
            saga: s,
        }
        | FaultSpec::NoReply {
            step,
            times,
            saga: s,
        }
        | FaultSpec::Ambiguous {
            step,
            times,
            saga: s,
        } => format!("{step}.{times}{}", saga(s)),
        FaultSpec::CompensationFails {
            step,
            times,
            saga: s,
        } => format!(
            "{step}{}{}",
            times.map(|t| format!(".{t}")).unwrap_or_default(),
            saga(s)
        ),
        FaultSpec::Latency {
            service: s,
            extra_ms: ms,
        }
        | FaultSpec::ServiceDown {
            service: s,
            for_ms: ms,
        }
        | FaultSpec::DatabaseDown {
            service: s,
            for_ms: ms,
        } => format!("{}.{ms}", s.as_str()),
        FaultSpec::OrchestratorDown { for_ms } => for_ms.to_string(),
        FaultSpec::Drop { service: s, times }
        | FaultSpec::Duplicate { service: s, times }
        | FaultSpec::Reorder { service: s, times } => format!("{times}{}", service(s)),
        FaultSpec::Delay {
            service: s,
            extra_ms,
            times,
        } => format!("{extra_ms}.{times}{}", service(s)),
        FaultSpec::Poison { service: s } => s.as_str().to_string(),
        FaultSpec::CrashAfterCommit { service: s, times } => format!("{}.{times}", s.as_str()),
        FaultSpec::Chaos { percent, for_ms } => format!("{percent}.{for_ms}"),
    };
    format!("{}.{fields}", fault_code(fault.kind()))
}

fn command_item(scheduled: &ScheduledCommand) -> String {
    let what = match &scheduled.command {
        Command::Start { saga } => format!(
            "start.{}.{}.{}.{}.{}",
            percent_encode(&saga.customer),
            percent_encode(&saga.slot),
            saga.party_size,
            saga.amount_cents,
            saga.start_ms
        ),
        Command::InjectFault { fault } => fault_item(fault),
        Command::RemoveFault { fault } => format!("remove.{fault}"),
        Command::Cancel { saga } => format!("cancel.{saga}"),
        Command::Redrive => "redrive".to_string(),
    };
    format!("{}.{what}", scheduled.at_ms)
}

/// Percent-encodes every byte but ASCII letters, digits, `-` and `_`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

fn scenario_from_payload(payload: &str) -> Result<Scenario, LinkError> {
    let bytes = base64url::decode(payload)?;
    let json = String::from_utf8(bytes).map_err(|_| LinkError::NotText)?;
    Ok(Scenario::from_json(&json)?)
}

fn scenario_from_preset(params: &Params<'_>, preset: &Preset) -> Result<Scenario, LinkError> {
    let coordination = match params.get("c") {
        None => Coordination::default(),
        Some("or" | "orchestration") => Coordination::Orchestration,
        Some("ch" | "choreography") => Coordination::Choreography,
        Some(other) => {
            return Err(bad(
                "c",
                format!(
                    "{:?} is not a coordination style: use \"or\" (orchestration) or \"ch\" (choreography)",
                    shorten(other)
                ),
            ))
        }
    };
    let storage = match params.get("st") {
        None => Storage::default(),
        Some("ps" | "per_service" | "per-service") => Storage::PerService,
        Some("sh" | "shared") => Storage::Shared,
        Some(other) => {
            return Err(bad(
                "st",
                format!(
                    "{:?} is not a storage mode: use \"ps\" (per service) or \"sh\" (shared)",
                    shorten(other)
                ),
            ))
        }
    };
    let seed = match params.get("seed") {
        None => 0,
        Some(text) => number::<u64>(text).map_err(|p| bad("seed", p))?,
    };
    let mut scenario = presets::scenario(preset.id, coordination, storage, seed)
        .ok_or_else(|| LinkError::UnknownPreset(preset.id.to_string()))?;
    switch_safeguards(&mut scenario.safeguards, params.get("sg"))?;
    for (i, item) in items(params.get("f")).enumerate() {
        let fault = parse_fault_item(item).map_err(|problem| item_error("f", i, item, problem))?;
        scenario.faults.push(fault);
    }
    for (i, item) in items(params.get("x")).enumerate() {
        let command =
            parse_command_item(item).map_err(|problem| item_error("x", i, item, problem))?;
        scenario.commands.push(command);
    }
    scenario.validate()?;
    Ok(scenario)
}

/// Applies a link's `sg` items (`NAME.on`, `NAME.off`) to a preset's safeguards.
fn switch_safeguards(safeguards: &mut Safeguards, value: Option<&str>) -> Result<(), LinkError> {
    for (i, item) in items(value).enumerate() {
        let mut f = Fields::new(item);
        let switched = f
            .take("safeguard")
            .and_then(|name| {
                Safeguard::parse(name).ok_or_else(|| {
                    let known: Vec<&str> = Safeguard::ALL.iter().map(|s| s.as_str()).collect();
                    format!(
                        "{:?} is not a safeguard: use {}",
                        shorten(name),
                        known.join(", ")
                    )
                })
            })
            .and_then(|safeguard| {
                let on = match f.take("state")? {
                    "on" => true,
                    "off" => false,
                    other => return Err(format!("{:?} should be on or off", shorten(other))),
                };
                f.finish((safeguard, on))
            })
            .map_err(|problem| item_error("sg", i, item, problem))?;
        let (safeguard, on) = switched;
        safeguards.set(safeguard, on);
    }
    Ok(())
}

fn items(value: Option<&str>) -> impl Iterator<Item = &str> {
    value.into_iter().flat_map(|v| v.split('~'))
}

fn item_error(param: &'static str, index: usize, item: &str, problem: String) -> LinkError {
    LinkError::BadItem {
        param,
        number: index + 1,
        item: shorten(item),
        problem,
    }
}

/// A whole number written in decimal digits only.
fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    if text.is_empty() {
        return Err("a number is missing".to_string());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{:?} is not a whole number", shorten(text)));
    }
    text.parse::<T>()
        .map_err(|_| format!("{} is too large", shorten(text)))
}

/// The `.`-separated fields of one item, read left to right.
struct Fields<'a> {
    fields: Vec<&'a str>,
    next: usize,
}

impl<'a> Fields<'a> {
    fn new(item: &'a str) -> Self {
        Self {
            fields: item.split('.').collect(),
            next: 0,
        }
    }

    fn take(&mut self, what: &str) -> Result<&'a str, String> {
        let field = self
            .fields
            .get(self.next)
            .copied()
            .ok_or_else(|| format!("the {what} is missing"))?;
        self.next += 1;
        Ok(field)
    }

    fn peek(&self) -> Option<&'a str> {
        self.fields.get(self.next).copied()
    }

    fn number<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, String> {
        let field = self.take(what)?;
        number(field).map_err(|p| format!("{what}: {p}"))
    }

    fn service(&mut self) -> Result<ServiceId, String> {
        let field = self.take("service")?;
        parse_service(field)
    }

    /// An optional trailing `.SERVICE`.
    fn optional_service(&mut self) -> Result<Option<ServiceId>, String> {
        match self.peek() {
            Some(_) => self.service().map(Some),
            None => Ok(None),
        }
    }

    /// An optional trailing `.sSAGA`.
    fn optional_saga(&mut self) -> Result<Option<usize>, String> {
        match self.peek() {
            Some(field) => match field.strip_prefix('s') {
                Some(n) => {
                    self.next += 1;
                    number(n).map(Some).map_err(|p| format!("saga: {p}"))
                }
                None => Err(format!("{:?} should be a saga (s0, s1, …)", shorten(field))),
            },
            None => Ok(None),
        }
    }

    fn finish<T>(self, value: T) -> Result<T, String> {
        match self.fields.get(self.next) {
            Some(extra) => Err(format!("{:?} is one field too many", shorten(extra))),
            None => Ok(value),
        }
    }
}

fn parse_service(field: &str) -> Result<ServiceId, String> {
    ServiceId::parse(field).ok_or_else(|| {
        format!(
            "{:?} is not a service: use reservation, payment, calendar or notification",
            shorten(field)
        )
    })
}

fn parse_fault_item(item: &str) -> Result<FaultSpec, String> {
    let mut f = Fields::new(item);
    let code = f.take("fault")?;
    parse_fault(code, f)
}

fn parse_fault(code: &str, mut f: Fields<'_>) -> Result<FaultSpec, String> {
    let Some(kind) = FaultKind::ALL.into_iter().find(|k| fault_code(*k) == code) else {
        return Err(format!("{:?} is not a fault", shorten(code)));
    };
    let fault = match kind {
        FaultKind::BusinessFailure => FaultSpec::BusinessFailure {
            step: f.number("step")?,
            saga: f.optional_saga()?,
        },
        FaultKind::TransientError => FaultSpec::TransientError {
            step: f.number("step")?,
            times: f.number("times")?,
            saga: f.optional_saga()?,
        },
        FaultKind::NoReply => FaultSpec::NoReply {
            step: f.number("step")?,
            times: f.number("times")?,
            saga: f.optional_saga()?,
        },
        FaultKind::Ambiguous => FaultSpec::Ambiguous {
            step: f.number("step")?,
            times: f.number("times")?,
            saga: f.optional_saga()?,
        },
        FaultKind::CompensationFails => {
            let step = f.number("step")?;
            let times = match f.peek() {
                Some(field) if !field.starts_with('s') => Some(f.number("times")?),
                _ => None,
            };
            FaultSpec::CompensationFails {
                step,
                times,
                saga: f.optional_saga()?,
            }
        }
        FaultKind::Latency => FaultSpec::Latency {
            service: f.service()?,
            extra_ms: f.number("extra time")?,
        },
        FaultKind::ServiceDown => FaultSpec::ServiceDown {
            service: f.service()?,
            for_ms: f.number("duration")?,
        },
        FaultKind::DatabaseDown => FaultSpec::DatabaseDown {
            service: f.service()?,
            for_ms: f.number("duration")?,
        },
        FaultKind::OrchestratorDown => FaultSpec::OrchestratorDown {
            for_ms: f.number("duration")?,
        },
        FaultKind::Drop => FaultSpec::Drop {
            times: f.number("times")?,
            service: f.optional_service()?,
        },
        FaultKind::Duplicate => FaultSpec::Duplicate {
            times: f.number("times")?,
            service: f.optional_service()?,
        },
        FaultKind::Delay => FaultSpec::Delay {
            extra_ms: f.number("extra time")?,
            times: f.number("times")?,
            service: f.optional_service()?,
        },
        FaultKind::Reorder => FaultSpec::Reorder {
            times: f.number("times")?,
            service: f.optional_service()?,
        },
        FaultKind::Poison => FaultSpec::Poison {
            service: f.service()?,
        },
        FaultKind::CrashAfterCommit => FaultSpec::CrashAfterCommit {
            service: f.service()?,
            times: f.number("times")?,
        },
        FaultKind::Chaos => FaultSpec::Chaos {
            percent: f.number("percent")?,
            for_ms: f.number("duration")?,
        },
    };
    f.finish(fault)
}

fn parse_command_item(item: &str) -> Result<ScheduledCommand, String> {
    let mut f = Fields::new(item);
    let at_ms = f.number("time")?;
    let code = f.take("command")?;
    let command = match code {
        "start" => {
            let customer = percent_decode(f.take("customer")?)?;
            let slot = percent_decode(f.take("slot")?)?;
            let saga = SagaSpec {
                customer,
                slot,
                party_size: f.number("party size")?,
                amount_cents: f.number("amount")?,
                start_ms: f.number("start time")?,
            };
            f.finish(Command::Start { saga })?
        }
        "remove" => {
            let fault = f.number("fault number")?;
            f.finish(Command::RemoveFault { fault })?
        }
        "cancel" => {
            let saga = f.number("saga number")?;
            f.finish(Command::Cancel { saga })?
        }
        "redrive" => f.finish(Command::Redrive)?,
        fault => Command::InjectFault {
            fault: parse_fault(fault, f).map_err(|p| {
                format!("{p} (commands are remove, cancel, redrive, start or a fault)")
            })?,
        },
    };
    Ok(ScheduledCommand { at_ms, command })
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let high = bytes.get(i + 1).copied().and_then(hex_digit);
            let low = bytes.get(i + 2).copied().and_then(hex_digit);
            match (high, low) {
                (Some(h), Some(l)) => out.push(h * 16 + l),
                _ => return Err("a % is not followed by two hex digits".to_string()),
            }
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "a name is not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_survive_percent_encoding() {
        for name in ["Ada", "Fri 19:30 · table 4", "a.b~c&d=e%f#g", "", "日本"] {
            assert_eq!(percent_decode(&percent_encode(name)).unwrap(), name);
        }
        assert!(percent_decode("%4").is_err());
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%FF").is_err());
    }

    #[test]
    fn compact_json_leaves_out_what_is_default() {
        let mut s = Scenario::new(vec![SagaSpec::new("Ada", "Fri")]);
        assert_eq!(
            compact_json(&s),
            r#"{"version":1,"sagas":[{"customer":"Ada","party_size":2,"slot":"Fri","amount_cents":4000,"start_ms":0}]}"#
        );
        s.seed = 7;
        s.name = "a \"quoted\" name:\n".to_string();
        let compact = compact_json(&s);
        assert!(
            compact.contains(r#""name":"a \"quoted\" name:\n""#),
            "{compact}"
        );
        assert!(compact.contains(r#""seed":7"#), "{compact}");
        assert_eq!(Scenario::from_json(&compact), Ok(s));
    }

    /// Faults of one kind, with and without their optional fields (an exhaustive match: a new
    /// kind must show what it looks like in a link).
    fn samples(kind: FaultKind) -> Vec<FaultSpec> {
        match kind {
            FaultKind::BusinessFailure => vec![
                FaultSpec::BusinessFailure {
                    step: 2,
                    saga: Some(1),
                },
                FaultSpec::BusinessFailure {
                    step: 3,
                    saga: None,
                },
            ],
            FaultKind::TransientError => vec![FaultSpec::TransientError {
                step: 5,
                times: 3,
                saga: Some(0),
            }],
            FaultKind::NoReply => vec![FaultSpec::NoReply {
                step: 1,
                times: 1,
                saga: None,
            }],
            FaultKind::Ambiguous => vec![FaultSpec::Ambiguous {
                step: 4,
                times: 2,
                saga: Some(2),
            }],
            FaultKind::CompensationFails => vec![
                FaultSpec::CompensationFails {
                    step: 2,
                    times: None,
                    saga: Some(0),
                },
                FaultSpec::CompensationFails {
                    step: 2,
                    times: Some(3),
                    saga: None,
                },
                FaultSpec::CompensationFails {
                    step: 1,
                    times: None,
                    saga: None,
                },
            ],
            FaultKind::Latency => vec![FaultSpec::Latency {
                service: ServiceId::Notification,
                extra_ms: 2_500,
            }],
            FaultKind::ServiceDown => vec![FaultSpec::ServiceDown {
                service: ServiceId::Payment,
                for_ms: 4_000,
            }],
            FaultKind::DatabaseDown => vec![FaultSpec::DatabaseDown {
                service: ServiceId::Reservation,
                for_ms: 3_000,
            }],
            FaultKind::OrchestratorDown => vec![FaultSpec::OrchestratorDown { for_ms: 3_000 }],
            FaultKind::Drop => vec![
                FaultSpec::Drop {
                    service: None,
                    times: 2,
                },
                FaultSpec::Drop {
                    service: Some(ServiceId::Calendar),
                    times: 1,
                },
            ],
            FaultKind::Duplicate => vec![FaultSpec::Duplicate {
                service: Some(ServiceId::Payment),
                times: 1,
            }],
            FaultKind::Delay => vec![
                FaultSpec::Delay {
                    service: Some(ServiceId::Calendar),
                    extra_ms: 700,
                    times: 2,
                },
                FaultSpec::Delay {
                    service: None,
                    extra_ms: 3_000,
                    times: 1,
                },
            ],
            FaultKind::Reorder => vec![FaultSpec::Reorder {
                service: None,
                times: 3,
            }],
            FaultKind::Poison => vec![FaultSpec::Poison {
                service: ServiceId::Calendar,
            }],
            FaultKind::CrashAfterCommit => vec![FaultSpec::CrashAfterCommit {
                service: ServiceId::Reservation,
                times: 1,
            }],
            FaultKind::Chaos => vec![FaultSpec::Chaos {
                percent: 25,
                for_ms: 20_000,
            }],
        }
    }

    #[test]
    fn every_fault_kind_round_trips_through_an_item() {
        for kind in FaultKind::ALL {
            let faults = samples(kind);
            assert!(!faults.is_empty(), "{kind}");
            for fault in faults {
                assert_eq!(fault.kind(), kind);
                let item = fault_item(&fault);
                assert!(item.starts_with(fault_code(kind)), "{item}");
                assert_eq!(parse_fault_item(&item), Ok(fault.clone()), "{item}");
                let command = format!("1500.{item}");
                assert_eq!(
                    parse_command_item(&command).map(|c| c.command),
                    Ok(Command::InjectFault { fault }),
                    "{command}"
                );
            }
        }
    }

    #[test]
    fn every_fault_kind_round_trips_through_a_whole_link() {
        for kind in FaultKind::ALL {
            let style = if kind.applies_to(Coordination::Choreography) {
                Coordination::Choreography
            } else {
                Coordination::Orchestration
            };
            let mut scenario =
                presets::scenario("happy-path", style, Storage::PerService, 3).unwrap();
            scenario.faults.extend(samples(kind));
            let state = LinkState {
                preset: detect_preset(&scenario),
                scenario,
                moment: Playhead::Start,
            };
            let text = encode(&state).unwrap();
            assert!(text.contains("&f="), "{kind} is in the preset form: {text}");
            assert_eq!(decode(&text), Ok(state), "{text}");
        }
    }

    #[test]
    fn fault_codes_are_distinct() {
        let mut codes: Vec<&str> = FaultKind::ALL.into_iter().map(fault_code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), FaultKind::ALL.len());
    }

    #[test]
    fn every_safeguard_switched_either_way_rides_the_preset_form() {
        for preset in PRESETS {
            let style = Coordination::Orchestration;
            for safeguard in Safeguard::ALL {
                let mut scenario =
                    presets::scenario(preset.id, style, Storage::PerService, 4).unwrap();
                let own = scenario.safeguards.get(safeguard);
                scenario.safeguards.set(safeguard, !own);
                let state = LinkState {
                    preset: detect_preset(&scenario),
                    scenario,
                    moment: Playhead::AtMs(1_500),
                };
                assert_eq!(state.preset.map(|p| p.id), Some(preset.id));
                let text = encode(&state).unwrap();
                let item = format!(
                    "sg={}.{}",
                    safeguard.as_str(),
                    if own { "off" } else { "on" }
                );
                assert!(text.contains(&item), "{text}");
                assert!(!text.contains("&s="), "{text}");
                assert_eq!(decode(&text), Ok(state), "{text}");
            }
        }
    }

    #[test]
    fn a_link_without_safeguards_keeps_the_presets_own() {
        let state = decode("v=1&p=no-idempotency&c=ch").unwrap();
        assert!(!state.scenario.safeguards.idempotency);
        assert!(state.scenario.safeguards.semantic_lock);
        let state = decode("v=1&p=no-semantic-lock").unwrap();
        assert!(!state.scenario.safeguards.semantic_lock);
        let state = decode("v=1&p=happy-path&sg=semantic_lock.off~idempotency.off").unwrap();
        assert_eq!(
            state.scenario.safeguards,
            Safeguards::default()
                .with(Safeguard::Idempotency, false)
                .with(Safeguard::SemanticLock, false)
        );
        // The preset's own state is not written.
        let own = presets::scenario(
            "no-idempotency",
            Coordination::Orchestration,
            Storage::PerService,
            0,
        )
        .unwrap();
        let text = encode(&LinkState {
            preset: detect_preset(&own),
            scenario: own,
            moment: Playhead::Start,
        })
        .unwrap();
        assert!(text.starts_with("v=1&p=no-idempotency&"), "{text}");
        assert!(!text.contains("sg="), "{text}");
    }

    #[test]
    fn bad_safeguard_items_say_what_is_wrong() {
        let err = |text: &str| decode(text).unwrap_err().to_string();
        assert!(err("v=1&p=happy-path&sg=firewall.off")
            .contains("is not a safeguard: use idempotency, semantic_lock"));
        assert!(err("v=1&p=happy-path&sg=idempotency.maybe").contains("should be on or off"));
        assert!(err("v=1&p=happy-path&sg=idempotency").contains("state is missing"));
        assert!(err("v=1&p=happy-path&sg=idempotency.on.x").contains("one field too many"));
        assert!(err("v=1&p=happy-path&sg=idempotency.on&sg=semantic_lock.on").contains("sg"));
        assert_eq!(
            decode("v=1&s=e30&sg=idempotency.on"),
            Err(LinkError::Conflict("sg"))
        );
    }
}
