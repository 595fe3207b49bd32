//! The orchestrator's durable saga log, as lines people read.

use crate::engine::definition::SagaDefinition;
use crate::engine::message::{Task, TaskResult};
use crate::engine::orchestration::{Heard, LogEntry, LogRecord, Phase};

use super::format::{saga_letter, seconds};

/// One log record in words: `1.47 s  A  heard Charge card #1: refused`.
pub fn record_text(entry: &LogEntry, def: &SagaDefinition) -> String {
    let what = match entry.record {
        LogRecord::Started => "saga started".to_string(),
        LogRecord::Decided { phase } => match phase {
            Phase::Forward(s) => format!("next: {}", Task::Action(s).label(def)),
            Phase::Compensating(s) => format!("undo: {}", Task::Compensate(s).label(def)),
            Phase::NotifyingFailure => "next: notify failure".to_string(),
            Phase::AwaitingIntervention(s) => {
                format!(
                    "stuck on {}: needs a person",
                    Task::Compensate(s).label(def)
                )
            }
            Phase::AwaitingPerson { task, reason } => {
                format!(
                    "waiting for a person on {}: {}",
                    task.label(def),
                    reason.label()
                )
            }
            Phase::AwaitingStart => "waiting for the start".to_string(),
            Phase::Ended(outcome) => format!("ended {}", outcome.as_str()),
        },
        LogRecord::Requested { task, attempt, .. } => {
            format!("sent {} #{attempt}", task.label(def))
        }
        LogRecord::Heard {
            task,
            attempt,
            heard,
        } => {
            let how = match heard {
                Heard::Reply(TaskResult::Done) => "done",
                Heard::Reply(TaskResult::BusinessFailure) => "refused",
                Heard::Reply(TaskResult::TransientError) => "error",
                Heard::TimedOut => "timed out",
            };
            format!("heard {} #{attempt}: {how}", task.label(def))
        }
        LogRecord::CancelRequested => "cancel requested".to_string(),
        LogRecord::HeardLate { task, attempt } => {
            format!("heard {} #{attempt}: done (late)", task.label(def))
        }
        LogRecord::UndoReported { step, changed } => {
            let task = Task::Compensate(step).label(def);
            if changed {
                format!("{task}: undone")
            } else {
                format!("{task}: nothing to undo")
            }
        }
    };
    format!(
        "{}  {}  {what}",
        seconds(entry.at_ms),
        saga_letter(entry.saga)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::{Coordination, Storage};
    use crate::engine::sim::Simulation;

    #[test]
    fn the_log_tells_requests_replies_and_decisions() {
        let scenario = presets::scenario(
            "card-declined",
            Coordination::Orchestration,
            Storage::PerService,
            1,
        )
        .unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(600_000);
        let def = &sim.scenario().definition;
        let lines: Vec<String> = sim
            .orchestrator()
            .log
            .iter()
            .map(|e| record_text(e, def))
            .collect();
        assert!(lines[0].ends_with("A  saga started"), "{lines:#?}");
        assert!(lines
            .iter()
            .any(|l| l.ends_with("heard Charge card #1: refused")));
        assert!(lines
            .iter()
            .any(|l| l.ends_with("undo: Cancel reservation")));
        assert!(lines.iter().any(|l| l.ends_with("ended compensated")));
    }
}
