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
    assert_eq!(s["invariants"].as_array().map(Vec::len), Some(7));
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
            "needs an orchestrator",
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
