//! Reading a file a person opens in the page: a scenario file, or a trace file (its scenario,
//! checked to reproduce the trace). Anything else is named for what it is, so the message says
//! what the file was and what Sagascope opens instead of quoting the JSON parser.

use serde::Deserialize;

use crate::engine::run::HORIZON_MS;
use crate::engine::scenario::{read_versioned, Scenario, ScenarioError};
use crate::engine::sim::Simulation;
use crate::share::export::{TraceError, MAX_TRACE_BYTES, TRACE_VERSION};

/// What a file held, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// A scenario file.
    Scenario(Scenario),
    /// A trace file: its scenario (with the commands given during the run), which reproduces
    /// its `events` events.
    Trace {
        /// The scenario.
        scenario: Scenario,
        /// How many events the file recorded.
        events: usize,
    },
}

impl Opened {
    /// The scenario to run.
    pub fn scenario(self) -> Scenario {
        match self {
            Opened::Scenario(scenario) | Opened::Trace { scenario, .. } => scenario,
        }
    }
}

/// Why a file was not opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// A scenario file with a problem.
    #[error("{0}")]
    Scenario(String),
    /// A trace file with a problem.
    #[error("this trace file {0}")]
    Trace(String),
    /// A file of another kind.
    #[error("it is {what}, not a Sagascope scenario or trace file")]
    Foreign {
        /// What it is.
        what: &'static str,
    },
}

/// Reads a scenario or trace file.
pub fn read_run_file(text: &str) -> Result<Opened, ImportError> {
    let probe: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let has = |key: &str| probe.as_ref().is_some_and(|v| v.get(key).is_some());
    if has("StartAt") && has("States") {
        return Err(ImportError::Foreign {
            what: "an AWS Step Functions state machine (ASL)",
        });
    }
    if has("protocol") && has("plan") && has("events") {
        return Err(ImportError::Foreign {
            what: "a 2PC / 3PC trace (the 2PC / 3PC view makes one from a saga run; open that run's scenario or trace instead)",
        });
    }
    if has("events") && !has("scenario") {
        return Err(ImportError::Foreign {
            what: "an execution history (Step Functions or Temporal), which Sagascope does not replay yet",
        });
    }
    if has("scenario") && has("events") {
        return read_trace(text);
    }
    Scenario::from_json(text)
        .map(Opened::Scenario)
        .map_err(|e| ImportError::Scenario(scenario_problem(&e)))
}

/// A trace file's events are compared as JSON with the events its scenario produces when run
/// again; they are never read into the engine's types (the page would carry a reader for every
/// kind of event only for this).
/// (Its version is checked before it is read.)
#[derive(Deserialize)]
struct TraceText {
    scenario: Scenario,
    events: Vec<serde_json::Value>,
}

fn read_trace(text: &str) -> Result<Opened, ImportError> {
    let file: TraceText = read_versioned(text, MAX_TRACE_BYTES, TRACE_VERSION)
        .map_err(|e| ImportError::Trace(trace_problem(&TraceError::from(e))))?;
    let problem = |e: TraceError| ImportError::Trace(trace_problem(&e));
    // Running it validates it.
    let mut sim =
        Simulation::new(file.scenario.clone()).map_err(|e| problem(TraceError::Scenario(e)))?;
    let wanted = u64::try_from(file.events.len()).unwrap_or(u64::MAX);
    while sim.event_count() < wanted && sim.next_timer().is_some_and(|t| t <= HORIZON_MS) {
        sim.step();
    }
    for (seq, (recorded, produced)) in file.events.iter().zip(sim.trace()).enumerate() {
        // Through the trace format's own text, as the file was written.
        let produced: Option<serde_json::Value> = serde_json::from_str(&produced.to_json()).ok();
        if produced.as_ref() != Some(recorded) {
            return Err(problem(TraceError::Differs { seq }));
        }
    }
    if sim.trace().len() < file.events.len() {
        return Err(problem(TraceError::TooFew {
            produced: sim.trace().len(),
            recorded: file.events.len(),
        }));
    }
    Ok(Opened::Trace {
        events: file.events.len(),
        scenario: file.scenario,
    })
}

fn trace_problem(error: &TraceError) -> String {
    match error {
        TraceError::Differs { .. } | TraceError::TooFew { .. } => {
            format!("does not match its own scenario: {error}")
        }
        _ => format!("cannot be read: {}", plain(&error.to_string())),
    }
}

fn scenario_problem(error: &ScenarioError) -> String {
    plain(&error.to_string())
}

/// The JSON parser's words made plain: "unknown field `x`, expected one of …" names the field
/// and leaves out the list.
fn plain(message: &str) -> String {
    let Some(at) = message.find("unknown field `") else {
        return message.to_string();
    };
    let rest = &message[at + "unknown field `".len()..];
    let Some(end) = rest.find('`') else {
        return message.to_string();
    };
    format!(
        "{}the field \"{}\" is not one a scenario file has",
        &message[..at],
        &rest[..end]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::{Coordination, Storage};
    use crate::engine::Simulation;
    use crate::share::export::trace_json;

    fn preset(id: &str) -> Scenario {
        presets::scenario(id, Coordination::Choreography, Storage::PerService, 3).unwrap()
    }

    #[test]
    fn a_scenario_file_opens() {
        let scenario = preset("card-declined");
        assert_eq!(
            read_run_file(&scenario.to_json()),
            Ok(Opened::Scenario(scenario))
        );
    }

    #[test]
    fn an_exported_trace_opens_its_scenario() {
        let mut sim = Simulation::new(preset("restaurant-rejects")).unwrap();
        sim.advance_to(3_000);
        let text = trace_json(&sim);
        let opened = read_run_file(&text).unwrap();
        assert_eq!(
            opened,
            Opened::Trace {
                scenario: sim.replay_scenario(),
                events: sim.trace().len()
            }
        );
        // One event changed: the trace no longer matches its scenario, and says so.
        let tampered = text.replacen("\"at_ms\":0", "\"at_ms\":1", 1);
        assert_ne!(tampered, text);
        let err = read_run_file(&tampered).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("this trace file does not match its own scenario: event 0"),
            "{err}"
        );
    }

    #[test]
    fn foreign_files_are_named_for_what_they_are() {
        let asl = crate::share::asl::to_json(&preset("happy-path"));
        assert!(read_run_file(&asl)
            .unwrap_err()
            .to_string()
            .contains("Step Functions state machine"));
        let commit = crate::share::commit_export::commit_trace_json(
            &preset("happy-path"),
            crate::engine::commit::Protocol::TwoPhase,
            crate::engine::commit::CommitPlan::NoFailure,
        )
        .unwrap();
        assert!(read_run_file(&commit)
            .unwrap_err()
            .to_string()
            .contains("a 2PC / 3PC trace"));
        let history = r#"{"events": [{"eventType": "WorkflowExecutionStarted"}]}"#;
        assert!(read_run_file(history)
            .unwrap_err()
            .to_string()
            .contains("execution history"));
    }

    #[test]
    fn a_wrong_field_is_named_plainly_with_its_place() {
        let text = r#"{"version": 1, "sagas": [], "colour": "blue"}"#;
        let err = read_run_file(text).unwrap_err().to_string();
        assert!(
            err.contains("the field \"colour\" is not one a scenario file has"),
            "{err}"
        );
        assert!(!err.contains("expected one of"), "{err}");
        assert!(err.starts_with("line 1, column"), "{err}");
        let broken = read_run_file("{\"version\": 1,").unwrap_err().to_string();
        assert!(broken.starts_with("line 1, column"), "{broken}");
    }
}
