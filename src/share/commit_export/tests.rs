use super::*;
use crate::engine::presets;
use crate::engine::scenario::{Coordination, SagaSpec, Storage};

fn happy() -> Scenario {
    presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
        0,
    )
    .expect("preset")
}

#[test]
fn the_diagram_draws_prepare_votes_and_the_crash_that_blocks() {
    let text = commit_mermaid(&happy(), Protocol::TwoPhase, CommitPlan::CrashForGood).unwrap();
    assert!(text.starts_with("sequenceDiagram\n"), "{text}");
    for line in [
        "    Coordinator->>Reservation: T1 prepare",
        "    Reservation->>Coordinator: T1 vote yes",
        "    Note over Reservation: T1 locks ",
        "    Note over Coordinator: crashed",
        "    Note over Coordinator,Notification: Two-phase commit of Ada; failure: Coordinator crash, never back",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    // It crashed before deciding: no decision is logged, no lock released, nobody told.
    assert!(!text.contains("log decision"), "{text}");
    assert!(!text.contains("releases"), "{text}");
    assert!(!text.contains("customer told"), "{text}");
    // Every line is a declaration, an arrow or a note.
    for line in text.lines().skip(1) {
        let line = line.trim_start();
        assert!(
            line == "autonumber"
                || line.starts_with("participant ")
                || line.starts_with("Note over ")
                || line.contains("->>")
                || line.contains("-x"),
            "{line}"
        );
    }
}

#[test]
fn with_no_failure_the_decision_is_logged_and_the_customer_told() {
    let text = commit_mermaid(&happy(), Protocol::ThreePhase, CommitPlan::NoFailure).unwrap();
    for line in [
        "    Coordinator->>Payment: T1 can commit?",
        "    Coordinator->>Calendar: T1 pre-commit",
        "    Note over Coordinator: T1 log decision: commit",
        "    Note over Calendar: T1 committed",
        "    Note over Notification: T1 customer told: booked",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn a_split_under_a_partition_is_named_in_the_diagram_and_the_file() {
    let text = commit_mermaid(&happy(), Protocol::ThreePhase, CommitPlan::Partition).unwrap();
    assert!(
        text.contains("partition: Payment and Calendar cut off"),
        "{text}"
    );
    assert!(text.contains("broke "), "{text}");
    let json = commit_trace_json(&happy(), Protocol::ThreePhase, CommitPlan::Partition).unwrap();
    let file: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(file["version"], 1);
    assert_eq!(file["protocol"], "3pc");
    assert_eq!(file["plan"], "partition");
    let run = commit_run(&happy(), Protocol::ThreePhase, CommitPlan::Partition).unwrap();
    assert_eq!(
        file["events"].as_array().map(Vec::len),
        Some(run.trace().len())
    );
    assert!(!file["broken"].as_array().unwrap().is_empty(), "{json}");
    // The events read back as the run's.
    let events: Vec<CommitEvent> = serde_json::from_value(file["events"].clone()).unwrap();
    assert_eq!(events, run.trace());
}

#[test]
fn a_blocked_run_breaks_no_guarantee_in_its_file() {
    let json = commit_trace_json(&happy(), Protocol::TwoPhase, CommitPlan::CrashForGood).unwrap();
    let file: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(file["broken"].as_array().map(Vec::len), Some(0), "{json}");
    assert_eq!(file["scenario"]["requests"][0]["customer"], "Ada", "{json}");
}

#[test]
fn names_that_mean_something_to_mermaid_stay_text() {
    let mut saga = Scenario::new(vec![SagaSpec::new("Eve;#<b>", "Fri 19:30")]);
    saga.coordination = Coordination::Orchestration;
    let text = commit_mermaid(&saga, Protocol::TwoPhase, CommitPlan::NoFailure).unwrap();
    assert!(!text.contains("<b>"), "{text}");
    assert!(text.contains("Eve#59;#35;#60;b#62;"), "{text}");
}
