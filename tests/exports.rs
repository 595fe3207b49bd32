//! Exports: trace and scenario files that round-trip exactly, a Step Functions state machine
//! that is well formed for every preset, and a Mermaid sequence diagram with one arrow per
//! message.

mod common;
mod share_support;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use sagascope::engine::definition::StepKind;
use sagascope::engine::event::EventKind;
use sagascope::engine::message::Task;
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::rng::Rng;
use sagascope::engine::run::{run_to_rest, Watch};
use sagascope::engine::{Coordination, Event, Scenario, Simulation, Storage};
use sagascope::share::asl::{self, FOREVER_ATTEMPTS};
use sagascope::share::export::{self, TraceError, TraceFile};
use sagascope::share::mermaid;
use serde_json::Value;
use share_support::{interactive_run, random_scenario, STYLES};

fn lines(events: &[Event]) -> Vec<String> {
    events.iter().map(Event::to_json).collect()
}

fn preset_runs() -> Vec<(&'static str, Coordination, Simulation)> {
    let mut runs = Vec::new();
    let mut rng = Rng::new(21);
    for p in PRESETS.iter() {
        for style in STYLES {
            if !p.runs_in(style) {
                continue;
            }
            let sim = interactive_run(p.id, style, Storage::PerService, 7, &mut rng, 3);
            runs.push((p.id, style, sim));
        }
    }
    runs
}

fn settled(id: &str, style: Coordination, seed: u64) -> Simulation {
    let scenario = presets::scenario(id, style, Storage::PerService, seed).expect("preset");
    let mut sim = Simulation::new(scenario).expect("valid");
    run_to_rest(&mut sim, Watch::AtEnd, false);
    sim
}

// ---- trace and scenario files -----------------------------------------------------------------

#[test]
fn trace_files_round_trip_exactly_and_reproduce_their_run() {
    for (id, style, sim) in preset_runs() {
        let text = export::trace_json(&sim);
        let file = TraceFile::from_json(&text).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(file, TraceFile::of_run(&sim), "{id} {style:?}");
        assert_eq!(lines(&file.events), lines(sim.trace()), "{id} {style:?}");
        assert_eq!(file.to_json(), text);
        assert_eq!(file.reproduce(), Ok(()), "{id} {style:?}");
        // The file is plain JSON with the version first.
        let value: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["version"], 1);
        assert!(text.starts_with("{\"version\":1,"));
    }
}

#[test]
fn a_trace_that_its_scenario_does_not_produce_is_caught() {
    let sim = settled("card-declined", Coordination::Choreography, 3);
    let file = TraceFile::of_run(&sim);

    let mut altered = file.clone();
    altered.events[10].at_ms += 1;
    assert_eq!(altered.reproduce(), Err(TraceError::Differs { seq: 10 }));

    let mut shorter = file.clone();
    shorter.events.truncate(20);
    assert_eq!(shorter.reproduce(), Ok(()), "a prefix of the run is fine");

    let mut longer = file.clone();
    longer.events.push(file.events[0].clone());
    assert!(matches!(longer.reproduce(), Err(TraceError::TooFew { .. })));

    let mut other_seed = file;
    other_seed.scenario.seed += 1;
    assert!(other_seed.reproduce().is_err());
}

#[test]
fn bad_trace_files_say_what_is_wrong() {
    let sim = settled("happy-path", Coordination::Orchestration, 1);
    let text = export::trace_json(&sim);
    for (bad, needle) in [
        (
            text.replacen("\"version\":1", "\"version\":2", 1),
            "trace version 2",
        ),
        (text[..text.len() / 2].to_string(), "line "),
        // Refused by its size before it is parsed (a valid trace padded past the limit).
        (
            format!("{text}{}", " ".repeat(export::MAX_TRACE_BYTES)),
            "bytes; at most",
        ),
        (
            text.replacen("{\"version\":1,", "{\"version\":1,\"extra\":0,", 1),
            "unknown field `extra`",
        ),
        (
            text.replacen("\"network_ms\":400", "\"network_ms\":0", 1),
            "scenario: timing.network_ms",
        ),
        (
            text.replacen("\"type\":\"saga_started\"", "\"type\":\"saga_exploded\"", 1),
            "saga_exploded",
        ),
    ] {
        let e = TraceFile::from_json(&bad)
            .expect_err("rejected")
            .to_string();
        assert!(e.contains(needle), "{needle}: {e}");
    }
}

#[test]
fn scenario_files_round_trip_exactly_and_give_the_same_trace() {
    for (id, style, sim) in preset_runs() {
        let text = export::scenario_json(&sim);
        let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(scenario, sim.replay_scenario(), "{id} {style:?}");
        let mut again = Simulation::new(scenario).expect("valid");
        again.advance_to(sim.now_ms());
        assert_eq!(lines(again.trace()), lines(sim.trace()), "{id} {style:?}");
    }
    let mut rng = Rng::new(8);
    for _ in 0..2_000 {
        let scenario = random_scenario(&mut rng);
        assert_eq!(Scenario::from_json(&scenario.to_json()), Ok(scenario));
    }
}

// ---- the Step Functions state machine ---------------------------------------------------------

/// Checks an ASL document's shape; returns its states by name.
fn check_machine(text: &str) -> BTreeMap<String, Value> {
    let doc: Value = serde_json::from_str(text).expect("valid JSON");
    assert!(doc["Comment"].as_str().is_some_and(|c| !c.is_empty()));
    let states: BTreeMap<String, Value> = doc["States"]
        .as_object()
        .expect("States")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let start = doc["StartAt"].as_str().expect("StartAt");
    assert!(states.contains_key(start), "StartAt {start} missing");
    let mut reached = BTreeSet::new();
    let mut queue = VecDeque::from([start.to_string()]);
    while let Some(name) = queue.pop_front() {
        if !reached.insert(name.clone()) {
            continue;
        }
        let state = &states[&name];
        assert!(name.len() <= 80, "{name}");
        let mut targets = Vec::new();
        match state["Type"].as_str() {
            Some("Task") => {
                assert_eq!(state["Resource"], asl::LAMBDA_INVOKE, "{name}");
                assert!(state["Parameters"]["FunctionName"]
                    .as_str()
                    .is_some_and(|f| !f.is_empty() && f.len() <= 64));
                assert!(state["TimeoutSeconds"].as_u64().is_some_and(|t| t >= 1));
                for r in state["Retry"].as_array().expect("every task retries") {
                    assert!(r["ErrorEquals"].as_array().is_some_and(|e| !e.is_empty()));
                    assert!(r["IntervalSeconds"].as_u64().is_some_and(|s| s >= 1));
                    assert!(r["MaxAttempts"].as_u64().is_some());
                    assert!(r["BackoffRate"].as_f64().is_some_and(|b| b >= 1.0));
                    assert!(r["MaxDelaySeconds"].as_u64().is_some_and(|s| s >= 1));
                }
                for c in state["Catch"].as_array().into_iter().flatten() {
                    assert!(c["ErrorEquals"].as_array().is_some_and(|e| !e.is_empty()));
                    assert_eq!(c["ResultPath"], "$.error");
                    targets.push(c["Next"].as_str().expect("Catch Next").to_string());
                }
                match (state["Next"].as_str(), state["End"].as_bool()) {
                    (Some(next), None) => targets.push(next.to_string()),
                    (None, Some(true)) => {}
                    other => panic!("{name}: Next or End, not {other:?}"),
                }
            }
            Some("Succeed") => assert!(state.get("Next").is_none()),
            Some("Fail") => {
                assert!(state.get("Next").is_none());
                assert!(state["Error"].as_str().is_some());
            }
            other => panic!("{name}: unexpected type {other:?}"),
        }
        for target in targets {
            assert!(
                states.contains_key(&target),
                "{name} → {target}: no such state"
            );
            queue.push_back(target);
        }
    }
    let unreached: Vec<&String> = states.keys().filter(|k| !reached.contains(*k)).collect();
    assert!(unreached.is_empty(), "unreachable: {unreached:?}");
    states
}

fn catch_targets(state: &Value) -> Vec<String> {
    state["Catch"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["Next"].as_str().map(str::to_string))
        .collect()
}

/// Checks that the machine follows the scenario's definition and retry policies.
fn check_saga_shape(scenario: &Scenario, states: &BTreeMap<String, Value>) {
    let def = &scenario.definition;
    let machine = asl::state_machine(scenario);
    let names: Vec<&String> = machine.states.0.iter().map(|(n, _)| n).collect();
    let step_names: Vec<String> = names[..def.steps.len()]
        .iter()
        .map(|n| n.to_string())
        .collect();
    let unique: BTreeSet<&&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "state names are unique");
    let undo_of = |step: usize| -> String {
        // The compensation of `step` is the state the step's own timeout catch goes to.
        catch_targets(&states[&step_names[step]])[0].clone()
    };
    let notify = "NotifyFailure";
    assert_eq!(states[asl::COMPLETED]["Type"], "Succeed");
    if def.steps.iter().any(|s| s.kind != StepKind::Retriable) {
        assert_eq!(states[notify]["Next"], asl::COMPENSATED);
        assert_eq!(states[asl::COMPENSATED]["Type"], "Fail");
    } else {
        assert!(
            !states.contains_key(notify),
            "nothing to compensate, no chain"
        );
    }
    if def.steps.iter().any(|s| s.compensation.is_some()) {
        assert_eq!(states[asl::ROLLBACK_INCOMPLETE]["Type"], "Fail");
    }
    for (k, step) in def.steps.iter().enumerate() {
        let state = &states[&step_names[k]];
        let next = step_names
            .get(k + 1)
            .cloned()
            .unwrap_or_else(|| asl::COMPLETED.to_string());
        assert_eq!(state["Next"], Value::String(next), "the happy path goes on");
        let retry = &state["Retry"][0];
        let policy = match step.kind {
            StepKind::Retriable => &scenario.retry.retriable,
            _ => &scenario.retry.step,
        };
        let attempts = policy
            .max_attempts
            .map_or(u64::from(FOREVER_ATTEMPTS), |n| u64::from(n) - 1);
        assert_eq!(retry["MaxAttempts"].as_u64(), Some(attempts));
        assert_eq!(retry["BackoffRate"].as_f64(), Some(policy.backoff_rate));
        assert_eq!(
            retry["IntervalSeconds"].as_u64(),
            Some(policy.interval_ms.div_ceil(1000).max(1))
        );
        assert_eq!(
            retry["JitterStrategy"].as_str(),
            policy.jitter.then_some("FULL")
        );
        if step.kind == StepKind::Retriable {
            assert!(
                state.get("Catch").is_none(),
                "a retriable step has no Catch"
            );
            continue;
        }
        // A refusal undoes the steps below, nearest first.
        let catches = catch_targets(state);
        let below = def
            .compensations_below(k)
            .next()
            .map(&undo_of)
            .unwrap_or_else(|| notify.to_string());
        assert_eq!(catches.last(), Some(&below), "step {}", k + 1);
        assert_eq!(
            state["Catch"]
                .as_array()
                .and_then(|c| c.last())
                .map(|c| &c["ErrorEquals"][0]),
            Some(&Value::from("States.ALL"))
        );
        if step.compensation.is_some() {
            assert_eq!(
                catches.len(),
                2,
                "out of retries, the step itself is undone"
            );
        }
        // From there the chain runs through every lower compensation in reverse order.
        let mut expected: Vec<String> = def.compensations_below(k).map(&undo_of).collect();
        expected.push(notify.to_string());
        expected.push(asl::COMPENSATED.to_string());
        let mut chain = vec![below];
        while let Some(next) = states[chain.last().expect("non-empty")]["Next"].as_str() {
            chain.push(next.to_string());
        }
        assert_eq!(chain, expected, "step {}", k + 1);
        for undo in &chain[..chain.len() - 2] {
            assert_eq!(catch_targets(&states[undo]), [asl::ROLLBACK_INCOMPLETE]);
            let retry = &states[undo]["Retry"][0];
            let attempts = scenario
                .retry
                .compensation
                .max_attempts
                .map_or(u64::from(FOREVER_ATTEMPTS), |n| u64::from(n) - 1);
            assert_eq!(retry["MaxAttempts"].as_u64(), Some(attempts));
        }
    }
}

#[test]
fn every_preset_exports_a_well_formed_state_machine() {
    for p in PRESETS.iter() {
        for style in STYLES {
            let scenario = presets::scenario(p.id, style, Storage::PerService, 0).expect("preset");
            let text = asl::to_json(&scenario);
            let states = check_machine(&text);
            check_saga_shape(&scenario, &states);
            // The restaurant saga: the pivot's refusal releases, refunds, cancels, notifies.
            assert_eq!(
                catch_targets(&states["ConfirmReservation"]),
                ["ReleaseSlot"]
            );
            assert_eq!(states["ReleaseSlot"]["Next"], "RefundPayment");
            assert_eq!(states["RefundPayment"]["Next"], "CancelReservation");
            assert_eq!(states["CancelReservation"]["Next"], "NotifyFailure");
            assert_eq!(states["Notify"]["Retry"][0]["ErrorEquals"][0], "States.ALL");
            assert!(states["Notify"]["Comment"]
                .as_str()
                .is_some_and(|c| c.contains("for ever")));
        }
    }
}

#[test]
fn other_definitions_and_policies_export_well_formed_machines() {
    let mut rng = Rng::new(4);
    for _ in 0..300 {
        let scenario = random_scenario(&mut rng);
        let states = check_machine(&asl::to_json(&scenario));
        check_saga_shape(&scenario, &states);
    }
    // No pivot; one step only; names that clash with each other and with the end states.
    let mut no_pivot = Scenario::new(vec![]);
    no_pivot.definition.steps.remove(3);
    let mut single = Scenario::new(vec![]);
    single.definition.steps.drain(..4);
    let mut clashing = Scenario::new(vec![]);
    clashing.definition.steps[0].name = "Saga completed".to_string();
    clashing.definition.steps[1].name = "Create reservation".to_string();
    clashing.definition.steps[2].name = "§ ;".to_string();
    for scenario in [no_pivot, single, clashing] {
        assert_eq!(scenario.validate(), Ok(()));
        let states = check_machine(&asl::to_json(&scenario));
        check_saga_shape(&scenario, &states);
    }
}

#[test]
fn jitter_and_finite_policies_show_in_the_retriers() {
    let mut scenario = Scenario::new(vec![]);
    scenario.retry.step.jitter = true;
    scenario.retry.retriable.max_attempts = Some(5);
    let states = check_machine(&asl::to_json(&scenario));
    assert_eq!(states["ChargeCard"]["Retry"][0]["JitterStrategy"], "FULL");
    assert_eq!(states["Notify"]["Retry"][0]["MaxAttempts"], 4);
    assert!(states["Notify"]["Comment"]
        .as_str()
        .is_some_and(|c| !c.contains("for ever")));
}

// ---- the Mermaid sequence diagram -------------------------------------------------------------

const ARROWS: [&str; 6] = ["-->>", "->>", "--x", "-x", "--)", "-)"];

/// A message line: (from, arrow, to, text).
fn parse_arrow(line: &str) -> Option<(String, &'static str, String, String)> {
    let (head, text) = line.trim().split_once(": ")?;
    if head.starts_with("Note ") {
        return None;
    }
    ARROWS.iter().find_map(|arrow| {
        let (from, to) = head.split_once(arrow)?;
        let ok = |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
        (ok(from) && ok(to)).then(|| (from.to_string(), *arrow, to.to_string(), text.to_string()))
    })
}

struct Parsed {
    declared: BTreeSet<String>,
    used: BTreeSet<String>,
    arrows: Vec<(String, &'static str, String, String)>,
    notes: Vec<String>,
}

fn check_diagram(text: &str) -> Parsed {
    assert!(text.starts_with("sequenceDiagram\n"), "{text}");
    let mut parsed = Parsed {
        declared: BTreeSet::new(),
        used: BTreeSet::new(),
        arrows: Vec::new(),
        notes: Vec::new(),
    };
    for line in text.lines().skip(1) {
        let line = line.trim();
        // Nothing Mermaid would read as a statement break or markup is left in a label.
        let label = line.split_once(": ").map_or("", |(_, l)| l);
        let mut plain = String::new();
        let mut rest = label;
        while let Some(i) = rest.find('#') {
            plain.push_str(&rest[..i]);
            let entity = &rest[i + 1..];
            let digits = entity.chars().take_while(char::is_ascii_digit).count();
            assert!(digits > 0 && entity[digits..].starts_with(';'), "{line}");
            rest = &entity[digits + 1..];
        }
        plain.push_str(rest);
        assert!(!plain.contains([';', '<', '>']), "{line}");
        if line.starts_with("%%") {
            continue;
        }
        if let Some(rest) = line
            .strip_prefix("participant ")
            .or_else(|| line.strip_prefix("actor "))
        {
            let id = rest.split(" as ").next().unwrap_or_default();
            assert!(
                parsed.declared.insert(id.to_string()),
                "declared twice: {id}"
            );
            assert!(
                parsed.arrows.is_empty() && parsed.notes.is_empty(),
                "declare first"
            );
        } else if let Some(rest) = line.strip_prefix("Note over ") {
            let (over, note) = rest.split_once(": ").expect("note text");
            for id in over.split(',') {
                parsed.used.insert(id.to_string());
            }
            parsed.notes.push(note.to_string());
        } else {
            let (from, arrow, to, label) = parse_arrow(line).unwrap_or_else(|| panic!("{line}"));
            parsed.used.insert(from.clone());
            parsed.used.insert(to.clone());
            parsed.arrows.push((from, arrow, to, label));
        }
    }
    assert_eq!(parsed.declared, parsed.used, "declared = used");
    parsed
}

#[test]
fn every_preset_draws_one_arrow_per_message() {
    for p in PRESETS.iter() {
        for style in STYLES {
            if !p.runs_in(style) {
                continue;
            }
            let sim = settled(p.id, style, 5);
            let parsed = check_diagram(&mermaid::sequence_diagram(&sim));
            let sent: Vec<&Event> = sim
                .trace()
                .iter()
                .filter(|e| matches!(e.kind, EventKind::MessageSent { .. }))
                .collect();
            assert_eq!(parsed.arrows.len(), sent.len(), "{} {style:?}", p.id);
            let lost: BTreeSet<u32> = sim
                .trace()
                .iter()
                .filter_map(|e| match e.kind {
                    EventKind::MessageLost { message, .. } => Some(message),
                    _ => None,
                })
                .collect();
            for (arrow, event) in parsed.arrows.iter().zip(&sent) {
                let EventKind::MessageSent {
                    message,
                    body,
                    duplicate,
                    ..
                } = &event.kind
                else {
                    unreachable!()
                };
                let reply = body.class() == "reply";
                let expected = match (lost.contains(message), *duplicate, reply) {
                    (true, _, true) => "--x",
                    (true, _, false) => "-x",
                    (false, true, true) => "--)",
                    (false, true, false) => "-)",
                    (false, false, true) => "-->>",
                    (false, false, false) => "->>",
                };
                assert_eq!(arrow.1, expected, "{} {style:?}: {arrow:?}", p.id);
            }
        }
    }
}

#[test]
fn the_diagram_tells_retries_timeouts_duplicates_dead_letters_and_compensations() {
    let orch = Coordination::Orchestration;
    let chor = Coordination::Choreography;
    let has = |id: &str, style, needles: &[&str]| {
        let text = mermaid::sequence_diagram(&settled(id, style, 0));
        for needle in needles {
            assert!(
                text.contains(needle),
                "{id} {style:?}: no {needle:?}\n{text}"
            );
        }
    };
    has(
        "transient-payment",
        orch,
        &[
            "Charge card failed: transient error",
            "retry Charge card in",
            "Charge card (attempt 2)",
        ],
    );
    has(
        "slow-payment",
        orch,
        &[
            "timeout: no reply to Charge card (attempt 1)",
            "late or repeated reply ignored",
        ],
    );
    has(
        "duplicate-event",
        chor,
        &[
            "-)",
            "(duplicate)",
            "repeat of Charge card ignored (idempotency)",
        ],
    );
    has(
        "poison-redrive",
        chor,
        &[
            "participant DLQ as Dead-letter queue",
            "Note over PaymentQueue,DLQ: dead-lettered: ReservationCreated",
            "redriven to its queue",
            "fault removed: Payment: poison message",
        ],
    );
    has(
        "restaurant-rejects",
        orch,
        &[
            "Orchestrator->>Calendar: compensate: Release slot",
            "Orchestrator->>Payment: compensate: Refund payment",
            "compensation begins: a step was refused",
            "saga ended: compensated",
        ],
    );
    has(
        "restaurant-rejects",
        chor,
        &[
            "Note over Calendar: compensate: Release slot",
            "Bus->>PaymentQueue: SlotReleased",
        ],
    );
    has(
        "compensation-fails",
        orch,
        &[
            "Refund payment failed: compensation fault",
            "needs a person: Refund payment",
            "saga ended: rollback-incomplete",
        ],
    );
    has(
        "orchestrator-crash",
        orch,
        &["orchestrator crashed", "orchestrator recovered"],
    );
    has("two-customers", orch, &["[saga 2] ", "[saga 1] "]);
    has("database-down", chor, &["Note over Payment: database down"]);

    let scenario = presets::scenario("database-down", orch, Storage::Shared, 0).expect("preset");
    let mut sim = Simulation::new(scenario).expect("valid");
    run_to_rest(&mut sim, Watch::AtEnd, false);
    let text = mermaid::sequence_diagram(&sim);
    assert!(
        text.contains("Note over Reservation,Notification: shared database down"),
        "{text}"
    );
    check_diagram(&text);
}

#[test]
fn awkward_names_are_escaped_for_mermaid() {
    let mut rng = Rng::new(12);
    for _ in 0..200 {
        let mut scenario = random_scenario(&mut rng);
        scenario.definition.steps[2].name = "Book; the <slot> #4\nnow".to_string();
        scenario.definition.steps[2].done_event = "Slot;Booked#1".to_string();
        let mut sim = Simulation::new(scenario).expect("valid");
        sim.drive(20_000);
        let text = mermaid::sequence_diagram(&sim);
        let parsed = check_diagram(&text);
        let sent = sim
            .trace()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::MessageSent { .. }))
            .count();
        assert_eq!(parsed.arrows.len(), sent);
    }
    assert_eq!(
        mermaid::escape("Book; the <slot> #4\nnow"),
        "Book#59; the #60;slot#62; #35;4 now"
    );
}

#[test]
fn the_diagram_of_a_trace_file_is_the_diagram_of_the_run() {
    let sim = settled("cancel-after-completion", Coordination::Choreography, 2);
    let file = TraceFile::from_json(&export::trace_json(&sim)).expect("reads");
    assert_eq!(
        mermaid::from_trace(&file.scenario, &file.events),
        mermaid::sequence_diagram(&sim)
    );
    let compensations = sim
        .trace()
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::TaskStarted {
                    task: Task::Compensate(_),
                    ..
                }
            )
        })
        .count();
    assert!(compensations >= 3);
}

#[test]
fn the_svg_export_resolves_the_pages_colours_and_keeps_each_sagas_own() {
    use sagascope::share::export::resolve_vars;
    let root = |name: &str| match name {
        "--st-failed" => " #c0392b".to_string(),
        "--saga-1" => "#d35400".to_string(),
        "--alias" => "var(--st-failed)".to_string(),
        _ => String::new(),
    };
    // The page's own variables become their values, through an alias too.
    assert_eq!(
        resolve_vars(".x { fill: var(--st-failed); stroke: var(--alias) }", &root),
        ".x { fill: #c0392b; stroke: #c0392b }"
    );
    // A fallback stands in for a variable the root lacks.
    assert_eq!(resolve_vars("fill: var(--nope, red)", &root), "fill: red");
    assert_eq!(
        resolve_vars("fill: var(--nope, var(--saga-1))", &root),
        "fill: #d35400"
    );
    // A saga's colour is set on its own elements: kept, with the rule that sets it resolved.
    assert_eq!(
        resolve_vars(
            "[data-saga=\"B\"] { --saga: var(--saga-1) } .token { fill: var(--saga) }",
            &root
        ),
        "[data-saga=\"B\"] { --saga: #d35400 } .token { fill: var(--saga) }"
    );
    // Text that is not a whole var() is left alone.
    assert_eq!(resolve_vars("fill: var(--saga", &root), "fill: var(--saga");
}
