//! The native runner: trace lines, a summary, clear errors and exit codes.

use sagascope::runner::run;

fn call(args: &[&str]) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).expect("utf-8"),
        String::from_utf8(err).expect("utf-8"),
    )
}

#[test]
fn a_preset_prints_json_lines_then_a_summary() {
    let (code, out, err) = call(&[
        "--preset",
        "restaurant-rejects",
        "--coordination",
        "choreography",
        "--seed",
        "7",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 10);
    for line in &lines {
        serde_json::from_str::<serde_json::Value>(line).expect("every line is JSON");
    }
    let summary: serde_json::Value = serde_json::from_str(lines[lines.len() - 1]).expect("json");
    let s = &summary["summary"];
    assert_eq!(s["outcome"], "compensated");
    assert_eq!(s["coordination"], "choreography");
    assert_eq!(s["seed"], 7);
    assert_eq!(s["sagas"][0]["outcome"], "compensated");
    assert_eq!(s["invariants"].as_array().map(Vec::len), Some(11));
    assert!(s["invariants"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|i| i["holds"] == true));
    assert!(s["tables"]["ledger"].is_array());
}

#[test]
fn the_same_arguments_print_the_same_bytes() {
    let a = call(&["--preset", "chaos", "--seed", "11"]);
    let b = call(&["--preset", "chaos", "--seed", "11"]);
    assert_eq!(a.1, b.1);
    let c = call(&["--preset", "chaos", "--seed", "12"]);
    assert_ne!(a.1, c.1);
}

#[test]
fn list_names_every_preset() {
    let (code, out, _) = call(&["--list"]);
    assert_eq!(code, 0);
    for p in sagascope::engine::presets::PRESETS.iter() {
        assert!(out.contains(p.id), "{} missing", p.id);
    }
}

#[test]
fn bad_input_gets_one_clear_line_and_status_1() {
    for (args, needle) in [
        (vec!["--preset", "nope"], "unknown preset"),
        (vec!["--seed", "x"], "whole number"),
        (vec!["--coordination", "both"], "unknown coordination"),
        (vec!["--frobnicate"], "unknown argument"),
        (
            vec!["--scenario", "/nonexistent/file.json"],
            "/nonexistent/file.json",
        ),
        (
            vec![
                "--preset",
                "orchestrator-crash",
                "--coordination",
                "choreography",
            ],
            "runs in orchestration only",
        ),
    ] {
        let (code, out, err) = call(&args);
        assert_eq!(code, 1, "{args:?}");
        assert!(out.is_empty(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn a_broken_invariant_exits_with_status_2() {
    let (code, out, _) = call(&["--preset", "no-idempotency", "--summary-only"]);
    assert_eq!(code, 2);
    assert!(out.contains("\"holds\":false"));
}

#[test]
fn a_scenario_file_runs() {
    let dir = std::env::temp_dir().join(format!("sagascope-runner-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("s.json");
    std::fs::write(
        &path,
        r#"{"version": 1, "coordination": "choreography",
            "sagas": [{"customer": "Ada", "slot": "Fri 19:30"}],
            "faults": [{"kind": "business_failure", "step": 2}]}"#,
    )
    .expect("write");
    let (code, out, err) = call(&["--scenario", path.to_str().expect("path"), "--summary-only"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"outcome\":\"compensated\""), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn export_trace_is_the_trace_file_of_the_same_run() {
    let args = [
        "--preset",
        "slot-taken",
        "--coordination",
        "choreography",
        "--seed",
        "4",
    ];
    let (code, lines_out, _) = call(&args);
    assert_eq!(code, 0);
    let (code, out, err) = call(&[&args[..], &["--export", "trace"]].concat());
    assert_eq!(code, 0, "{err}");
    let file = sagascope::share::export::TraceFile::from_json(&out).expect("a trace file");
    let event_lines: Vec<String> = file.events.iter().map(|e| e.to_json()).collect();
    let runner_lines: Vec<&str> = lines_out.lines().collect();
    // The runner's JSON lines are the same events, then the summary.
    assert_eq!(event_lines, runner_lines[..runner_lines.len() - 1]);
    assert_eq!(file.scenario.seed, 4);
    assert_eq!(file.reproduce(), Ok(()));
}

#[test]
fn export_scenario_is_a_file_the_runner_reads_back() {
    let (code, out, err) = call(&[
        "--preset",
        "card-declined",
        "--storage",
        "shared",
        "--seed",
        "9",
        "--export",
        "scenario",
    ]);
    assert_eq!(code, 0, "{err}");
    let scenario = sagascope::engine::Scenario::from_json(&out).expect("valid scenario");
    assert_eq!(
        Some(scenario),
        sagascope::engine::presets::scenario(
            "card-declined",
            sagascope::engine::Coordination::Orchestration,
            sagascope::engine::Storage::Shared,
            9
        )
    );
    let dir = std::env::temp_dir().join(format!("sagascope-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("exported.json");
    std::fs::write(&path, &out).expect("write");
    let from_file = call(&["--scenario", path.to_str().expect("path")]);
    let from_preset = call(&[
        "--preset",
        "card-declined",
        "--storage",
        "shared",
        "--seed",
        "9",
    ]);
    assert_eq!(from_file.1, from_preset.1);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn export_mermaid_and_asl_print_their_formats() {
    let (code, out, _) = call(&["--preset", "restaurant-rejects", "--export", "mermaid"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("sequenceDiagram\n"));
    assert!(out.contains("Orchestrator->>Calendar: compensate: Release slot"));
    let (code, out, _) = call(&["--preset", "restaurant-rejects", "--export", "asl"]);
    assert_eq!(code, 0);
    let asl: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(asl["StartAt"], "CreateReservation");
    assert_eq!(
        asl["States"]["ConfirmReservation"]["Catch"][0]["Next"],
        "ReleaseSlot"
    );
}

#[test]
fn the_commit_exports_print_the_customers_as_transactions() {
    let args = [
        "--preset",
        "happy-path",
        "--protocol",
        "2pc",
        "--plan",
        "crash-for-good",
    ];
    let (code, out, _) = call(&[&args[..], &["--export", "commit-mermaid"]].concat());
    assert_eq!(code, 0);
    assert!(out.starts_with("sequenceDiagram\n"), "{out}");
    assert!(out.contains("Coordinator->>Payment: T1 prepare"), "{out}");
    assert!(out.contains("Note over Coordinator: crashed"), "{out}");
    let (code, out, _) = call(&[&args[..], &["--export", "commit-trace"]].concat());
    assert_eq!(code, 0);
    let file: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(file["protocol"], "2pc");
    assert_eq!(file["plan"], "crash-for-good");
    assert!(file["events"].as_array().is_some_and(|e| !e.is_empty()));
    let (code, _, err) = call(&[
        "--preset",
        "happy-path",
        "--plan",
        "sometimes",
        "--export",
        "commit-trace",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown plan \"sometimes\""), "{err}");
}

#[test]
fn an_exported_link_runs_the_same_trace() {
    let args = [
        "--preset",
        "poison-redrive",
        "--coordination",
        "choreography",
        "--seed",
        "3",
    ];
    let (code, link, _) = call(&[&args[..], &["--export", "link"]].concat());
    assert_eq!(code, 0);
    let link = link.trim();
    assert_eq!(link, "v=1&p=poison-redrive&c=ch&st=ps&seed=3");
    assert_eq!(call(&["--link", link]).1, call(&args).1);
    // A scenario no preset makes travels whole, and runs the same too.
    let (_, out, _) = call(&["--preset", "chaos", "--seed", "5", "--export", "scenario"]);
    let dir = std::env::temp_dir().join(format!("sagascope-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("s.json");
    std::fs::write(
        &path,
        out.replace("\"network_ms\": 400", "\"network_ms\": 350"),
    )
    .expect("write");
    let path = path.to_str().expect("path");
    let (_, link, _) = call(&["--scenario", path, "--export", "link"]);
    assert!(link.starts_with("v=1&s="), "{link}");
    assert_eq!(
        call(&["--link", link.trim()]).1,
        call(&["--scenario", path]).1
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_exports_and_links_get_one_clear_line() {
    for (args, needle) in [
        (vec!["--export", "pdf"], "unknown export \"pdf\""),
        (vec!["--export"], "--export needs a value"),
        (
            vec!["--export", "trace", "--summary-only"],
            "drop --summary-only",
        ),
        (vec!["--link", "v=1&p=happy-path&seed=x"], "--link: seed"),
        (vec!["--link", "v=9"], "--link: link version"),
        (
            vec!["--link", "v=1&p=happy-path", "--preset", "chaos"],
            "one of --preset",
        ),
    ] {
        let (code, out, err) = call(&args);
        assert_eq!(code, 1, "{args:?}");
        assert!(out.is_empty(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
