//! The run's trace as a versioned JSON file, and the scenario as a re-importable one.
//!
//! A trace file is `{"version":1,"scenario":{…},"events":[…]}`, one event per line so that two
//! traces compare well in a diff. Its scenario includes every command given during the run, so
//! running it again gives the same events: [`TraceFile::reproduce`] checks that.

use serde::{Deserialize, Serialize};

use crate::engine::event::Event;
use crate::engine::run::HORIZON_MS;
use crate::engine::scenario::{read_versioned, Scenario, ScenarioError, Unread};
use crate::engine::sim::Simulation;

/// The trace format this code writes and reads.
pub const TRACE_VERSION: u32 = 1;
/// Largest trace file accepted, in bytes.
pub const MAX_TRACE_BYTES: usize = 32 * 1024 * 1024;

/// A run: the scenario that reproduces it and the events it produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceFile {
    /// Format version: must be [`TRACE_VERSION`].
    pub version: u32,
    /// The scenario, with the commands given during the run.
    pub scenario: Scenario,
    /// Every event, in order.
    pub events: Vec<Event>,
}

/// What is wrong with a trace file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// The text is larger than [`MAX_TRACE_BYTES`].
    #[error("the trace is {0} bytes; at most {max} are accepted", max = MAX_TRACE_BYTES)]
    TooLarge(usize),
    /// The text is not trace JSON.
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The version field names a format this code does not read.
    #[error("trace version {0} is not supported; this Sagascope reads version {TRACE_VERSION}")]
    Version(u32),
    /// The trace's scenario is not valid.
    #[error("scenario: {0}")]
    Scenario(#[from] ScenarioError),
    /// Running the scenario does not give the recorded events.
    #[error("event {seq}: running the scenario gives a different event here")]
    Differs {
        /// The first event that differs.
        seq: usize,
    },
    /// Running the scenario gives fewer events than the file holds.
    #[error("running the scenario gives {produced} events; the file holds {recorded}")]
    TooFew {
        /// Events the scenario produces.
        produced: usize,
        /// Events in the file.
        recorded: usize,
    },
}

impl From<Unread> for TraceError {
    fn from(unread: Unread) -> Self {
        match unread {
            Unread::TooLarge(bytes) => TraceError::TooLarge(bytes),
            Unread::Version(v) => TraceError::Version(v),
            Unread::Json {
                line,
                column,
                message,
            } => TraceError::Json {
                line,
                column,
                message,
            },
        }
    }
}

impl TraceFile {
    /// The trace of a run so far, with the scenario that reproduces it.
    pub fn of_run(sim: &Simulation) -> Self {
        Self {
            version: TRACE_VERSION,
            scenario: sim.replay_scenario(),
            events: sim.trace().to_vec(),
        }
    }

    /// The file's text: the scenario on one line, then one event per line.
    pub fn to_json(&self) -> String {
        let scenario = serde_json::to_string(&self.scenario).unwrap_or_default();
        let mut out = format!(
            "{{\"version\":{},\n\"scenario\":{scenario},\n\"events\":[",
            self.version
        );
        for (i, event) in self.events.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            out.push_str(&event.to_json());
        }
        out.push_str("\n]}\n");
        out
    }

    /// Reads a trace file; every rejection names the place and the problem.
    pub fn from_json(text: &str) -> Result<Self, TraceError> {
        let file: TraceFile = read_versioned(text, MAX_TRACE_BYTES, TRACE_VERSION)?;
        file.scenario.validate()?;
        Ok(file)
    }

    /// Runs the scenario again and checks that it gives exactly the recorded events.
    pub fn reproduce(&self) -> Result<(), TraceError> {
        let mut sim = Simulation::new(self.scenario.clone())?;
        let wanted = u64::try_from(self.events.len()).unwrap_or(u64::MAX);
        while sim.event_count() < wanted && sim.next_timer().is_some_and(|t| t <= HORIZON_MS) {
            sim.step();
            sim.discard_pending_events();
        }
        for (seq, (recorded, produced)) in self.events.iter().zip(sim.trace()).enumerate() {
            if recorded != produced {
                return Err(TraceError::Differs { seq });
            }
        }
        if sim.trace().len() < self.events.len() {
            return Err(TraceError::TooFew {
                produced: sim.trace().len(),
                recorded: self.events.len(),
            });
        }
        Ok(())
    }
}

/// Replaces each `var(--name)` or `var(--name, fallback)` in `css` by the value `value_of` gives
/// for the name (the page's root), else by the fallback. A variable the root does not define and
/// that has no fallback is kept as it is: an element of the exported drawing defines it itself
/// (each saga's `--saga` colour, set by a rule the export copies too).
pub fn resolve_vars(css: &str, value_of: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("var(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        // Find the matching parenthesis (fallbacks may hold parentheses themselves).
        let mut depth = 1usize;
        let mut end = None;
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        let (name, fallback) = inner.split_once(',').unwrap_or((inner, ""));
        let value = value_of(name.trim());
        let value = value.trim();
        if !value.is_empty() {
            out.push_str(&resolve_vars(value, value_of));
        } else if !fallback.trim().is_empty() {
            out.push_str(&resolve_vars(fallback.trim(), value_of));
        } else {
            out.push_str(&rest[start..start + 4 + end + 1]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The run's trace file text.
pub fn trace_json(sim: &Simulation) -> String {
    TraceFile::of_run(sim).to_json()
}

/// The run's scenario, with every command given so far, as a file [`Scenario::from_json`] reads.
pub fn scenario_json(sim: &Simulation) -> String {
    sim.replay_scenario().to_json()
}
