//! Scenario files: versioned JSON, and every rejection names the place and the problem.

use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::scenario::MAX_SCENARIO_BYTES;
use sagascope::engine::{Coordination, Scenario, ScenarioError, Storage};

fn err(text: &str) -> String {
    Scenario::from_json(text)
        .expect_err("must be rejected")
        .to_string()
}

#[test]
fn every_preset_round_trips_through_json() {
    for p in PRESETS.iter() {
        for style in [Coordination::Orchestration, Coordination::Choreography] {
            let s = presets::scenario(p.id, style, Storage::Shared, 5).expect("preset");
            assert_eq!(Scenario::from_json(&s.to_json()), Ok(s), "{}", p.id);
        }
    }
}

#[test]
fn a_minimal_file_gets_defaults() {
    let s = Scenario::from_json(r#"{"version":1,"sagas":[{"customer":"Ada","slot":"Fri 19:30"}]}"#)
        .expect("valid");
    assert_eq!(s.coordination, Coordination::Orchestration);
    assert_eq!(s.definition.steps.len(), 5);
    assert_eq!(s.sagas[0].amount_cents, 4_000);
}

#[test]
fn syntax_errors_name_line_and_column() {
    let e = Scenario::from_json(
        "{\"version\": 1,\n \"sagas\": [\n  {\"customer\": \"A\" \"slot\": \"s\"}]}",
    )
    .expect_err("bad");
    match e {
        ScenarioError::Json { line, column, .. } => {
            assert_eq!(line, 3);
            assert!(column > 10);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_fields_are_rejected_by_name() {
    assert!(err(r#"{"version":1,"sagas":[],"colour":"red"}"#).contains("unknown field `colour`"));
    assert!(
        err(r#"{"version":1,"sagas":[{"customer":"A","slot":"s","vip":true}]}"#).contains("`vip`")
    );
    assert!(
        err(r#"{"version":1,"sagas":[],"faults":[{"kind":"drop","times":1,"when":3}]}"#)
            .contains("`when`")
    );
}

#[test]
fn other_versions_are_refused() {
    assert!(err(r#"{"version":2,"sagas":[]}"#).contains("version 2 is not supported"));
    assert!(err(r#"{"sagas":[]}"#).contains("version"));
}

#[test]
fn values_out_of_range_name_the_field_path() {
    let cases = [
        (
            r#"{"version":1,"sagas":[{"customer":"","slot":"s"}]}"#,
            "sagas[0].customer",
        ),
        (
            r#"{"version":1,"sagas":[{"customer":"A","slot":"s","party_size":0}]}"#,
            "sagas[0].party_size",
        ),
        (
            r#"{"version":1,"sagas":[],"faults":[{"kind":"transient_error","step":0,"times":1}]}"#,
            "faults[0].step",
        ),
        (
            r#"{"version":1,"sagas":[],"faults":[{"kind":"drop","times":1000}]}"#,
            "faults[0].times",
        ),
        (
            r#"{"version":1,"sagas":[],"faults":[{"kind":"business_failure","step":5}]}"#,
            "faults[0].step",
        ),
        (
            r#"{"version":1,"sagas":[],"faults":[{"kind":"compensation_fails","step":4}]}"#,
            "faults[0].step",
        ),
        (
            r#"{"version":1,"sagas":[],"faults":[{"kind":"chaos","percent":101,"for_ms":5}]}"#,
            "faults[0].percent",
        ),
        (
            r#"{"version":1,"sagas":[],"commands":[{"at_ms":1,"command":{"type":"remove_fault","fault":0}}]}"#,
            "commands[0].fault",
        ),
        (
            r#"{"version":1,"sagas":[],"commands":[{"at_ms":99999999,"command":{"type":"redrive"}}]}"#,
            "commands[0].at_ms",
        ),
        (
            r#"{"version":1,"sagas":[],"timing":{"network_ms":0,"network_jitter_ms":0,"process_ms":1,"step_timeout_ms":100,"relay_ms":1,"relay_retry_ms":10}}"#,
            "timing.network_ms",
        ),
        (
            r#"{"version":1,"sagas":[],"retry":{"step":{"interval_ms":1,"max_attempts":3,"backoff_rate":0.5,"max_delay_ms":5},"compensation":{"interval_ms":1,"max_attempts":3,"backoff_rate":2,"max_delay_ms":5},"retriable":{"interval_ms":1,"max_attempts":null,"backoff_rate":2,"max_delay_ms":5}}}"#,
            "retry.step.backoff_rate",
        ),
    ];
    for (text, path) in cases {
        let message = err(text);
        assert!(message.starts_with(path), "{path}: {message}");
    }
}

#[test]
fn too_many_sagas_and_too_large_files_are_refused() {
    let saga = r#"{"customer":"A","slot":"s"}"#;
    let many = format!(r#"{{"version":1,"sagas":[{}]}}"#, [saga; 9].join(","));
    assert!(err(&many).contains("at most 8"));
    let huge = format!(
        r#"{{"version":1,"name":"{}","sagas":[]}}"#,
        "x".repeat(MAX_SCENARIO_BYTES)
    );
    assert!(err(&huge).contains("bytes"));
}

#[test]
fn a_malformed_definition_is_refused() {
    let mut s = Scenario::new(vec![]);
    s.definition.steps.swap(2, 3);
    let text = s.to_json();
    assert!(err(&text).starts_with("definition:"));
}
