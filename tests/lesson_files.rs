//! A damaged or mistaken lesson file is refused with a sentence that names the place and the
//! problem (bad version, no version, unknown preset, unknown field or fault, an answer out of
//! range, cut-short JSON, no stops, …), never a panic; a good one reads back as written.

use sagascope::lesson::{Lesson, LessonError, LessonIndex, MAX_LESSON_BYTES};
use serde_json::{json, Value};

/// A valid lesson with a stop of each kind.
fn good() -> Value {
    json!({
        "sagascope_lesson": 1,
        "id": "sample",
        "title": "Sample",
        "summary": "One stop of each kind.",
        "stops": [
            { "say": "Hello." },
            { "say": "Open.", "open": { "preset": "card-declined", "coordination": "orchestration" } },
            { "say": "Wait.", "pause_at": { "event": "step_refused", "step": "charge_card" } },
            { "say": "Act.", "do": { "action": "inject", "fault": "transient_error", "service": "reservation", "step": "confirm_reservation" } },
            { "say": "Think.", "ask": { "prompt": "Which?", "choices": ["a", "b", "c"], "answer": 2, "why": "Because.",
                "check": { "fact": "first_undone", "step": "create_reservation" } } },
            { "say": "Try.", "challenge": { "goal": { "fact": "money_does_not_add_up" },
                "requires": [{ "safeguard": "idempotency", "on": false }],
                "solution": [{ "action": "safeguard", "safeguard": "idempotency", "on": false },
                             { "action": "wait", "until_ms": 1000 },
                             { "action": "inject", "fault": { "kind": "duplicate", "service": "payment", "times": 1 } }] } }
        ]
    })
}

/// The error for `good()` changed by `change`.
fn refused(change: impl FnOnce(&mut Value)) -> String {
    let mut v = good();
    change(&mut v);
    match Lesson::from_json(&v.to_string()) {
        Ok(_) => panic!("accepted: {v}"),
        Err(e) => e.to_string(),
    }
}

fn stop(v: &mut Value, n: usize) -> &mut Value {
    &mut v["stops"][n]
}

#[test]
fn a_good_lesson_reads_and_reads_back() {
    let lesson = Lesson::from_json(&good().to_string()).expect("valid");
    assert_eq!(lesson.stops.len(), 6);
    assert_eq!(Lesson::from_json(&lesson.to_json()), Ok(lesson));
}

#[test]
fn the_version_is_read_first() {
    assert_eq!(
        refused(|v| v["sagascope_lesson"] = json!(2)),
        "version 2 is not supported; this Sagascope reads version 1"
    );
    assert_eq!(
        refused(|v| {
            v.as_object_mut().map(|o| o.remove("sagascope_lesson"));
        }),
        r#"this is not a Sagascope lesson: it has no "sagascope_lesson" version"#
    );
    assert_eq!(
        refused(|v| v["sagascope_lesson"] = json!("1")),
        "sagascope_lesson: the version must be a whole number"
    );
    // A scenario file is not a lesson.
    assert!(Lesson::from_json(r#"{"version": 1, "sagas": []}"#)
        .unwrap_err()
        .to_string()
        .starts_with("this is not a Sagascope lesson"));
}

#[test]
fn cut_short_or_oversized_text_is_refused() {
    let text = good().to_string();
    let cut = &text[..text.len() / 2];
    match Lesson::from_json(cut) {
        Err(LessonError::Json { line, message, .. }) => {
            assert_eq!(line, 1);
            assert!(message.contains("EOF while parsing"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        Lesson::from_json("").unwrap_err().to_string(),
        "line 1, column 0: EOF while parsing a value"
    );
    let big = format!("{}{}", " ".repeat(MAX_LESSON_BYTES), text);
    assert!(matches!(
        Lesson::from_json(&big),
        Err(LessonError::TooLarge(n)) if n == big.len()
    ));
}

#[test]
fn unknown_names_say_which_stop_and_what_is_known() {
    assert_eq!(
        refused(|v| stop(v, 1)["open"]["preset"] = json!("nope")),
        format!(
            r#"stop 2, open: there is no preset called "nope"; the presets are {}"#,
            sagascope::engine::presets::PRESETS.map(|p| p.id).join(", ")
        )
    );
    assert_eq!(
        refused(|v| stop(v, 0)["explode"] = json!(true)),
        r#"stop 1: there is no field "explode" here; the fields are say, open, pause_at, do, ask, challenge"#
    );
    assert_eq!(
        refused(|v| v["author"] = json!("me")),
        r#"the lesson: there is no field "author" here; the fields are sagascope_lesson, id, title, summary, stops"#
    );
    let fault = refused(|v| stop(v, 3)["do"]["fault"] = json!("explode"));
    assert!(
        fault.starts_with(
            r#"stop 4: the fault "explode" is not one of business_failure, transient_error"#
        ),
        "{fault}"
    );
    assert!(refused(|v| stop(v, 2)["pause_at"]["event"] = json!("boom"))
        .starts_with(r#"stop 3: "boom" is not one of saga_started, task_started"#));
    assert!(
        refused(|v| stop(v, 5)["challenge"]["goal"]["fact"] = json!("flying"))
            .starts_with(r#"stop 6: "flying" is not one of saga_ends, money_does_not_add_up"#)
    );
    assert!(
        refused(|v| stop(v, 5)["challenge"]["requires"][0]["safeguard"] = json!("helmet"))
            .starts_with(
                r#"stop 6: the safeguard "helmet" is not one of idempotency, semantic_lock"#
            )
    );
    assert_eq!(
        refused(|v| {
            stop(v, 0).as_object_mut().map(|o| o.remove("say"));
        }),
        r#"stop 1: the field "say" is missing"#
    );
    // The 2PC / 3PC view a stop opens: its protocol and failure by their short names.
    let protocol = refused(|v| {
        stop(v, 1)["open"]["commit"] = json!({ "protocol": "4pc", "failure": "crash" });
    });
    assert!(
        protocol.starts_with(r#"stop 2: the protocol "4pc" is not one of 2pc, 3pc"#),
        "{protocol}"
    );
    let failure = refused(|v| {
        stop(v, 1)["open"]["commit"] = json!({ "protocol": "3pc", "failure": "meteor" });
    });
    assert!(
        failure.starts_with(
            r#"stop 2: the failure "meteor" is not one of none, crash, crash-for-good, partition"#
        ),
        "{failure}"
    );
    let mut opened = good();
    stop(&mut opened, 1)["open"]["commit"] = json!({ "protocol": "2pc", "failure": "partition" });
    assert!(Lesson::from_json(&opened.to_string()).is_ok());
}

#[test]
fn a_question_must_offer_its_answer() {
    assert_eq!(
        refused(|v| stop(v, 4)["ask"]["answer"] = json!(3)),
        "stop 5, ask, answer: the answer is choice 3, but the choices are numbered from 0 to 2"
    );
    assert_eq!(
        refused(|v| stop(v, 4)["ask"]["choices"] = json!(["only"])),
        "stop 5, ask, choices: a question has 2 to 6 choices; this one has 1"
    );
    assert_eq!(
        refused(|v| stop(v, 4)["ask"]["choices"] = json!(["a", "b", "a"])),
        r#"stop 5, ask, choice 2: "a" is offered twice"#
    );
    assert_eq!(
        refused(|v| stop(v, 4)["ask"]["why"] = json!("  ")),
        "stop 5, ask, why: it is empty"
    );
    assert!(refused(|v| stop(v, 4)["ask"]["answer"] = json!(-1)).starts_with("stop 5: "));
}

#[test]
fn the_stops_are_counted_and_each_does_one_thing() {
    assert_eq!(
        refused(|v| v["stops"] = json!([])),
        "stops: the lesson has no stops; it needs at least one"
    );
    assert_eq!(
        refused(|v| v["stops"] = Value::Array(vec![json!({ "say": "Hi." }); 41])),
        "stops: the lesson has 41 stops; at most 40 are allowed"
    );
    assert_eq!(
        refused(|v| stop(v, 4)["challenge"] = good()["stops"][5]["challenge"].clone()),
        "stop 5: a stop has at most one of open, pause_at, do, ask and challenge; this one has ask and challenge"
    );
    assert_eq!(
        refused(|v| {
            let s = v["stops"].as_array_mut().expect("stops");
            s.remove(1);
        }),
        "stop 2, pause_at: there is no run yet: an earlier stop must open one"
    );
    assert_eq!(
        refused(|v| stop(v, 0)["say"] = json!("x".repeat(601))),
        "stop 1, say: it has 601 characters; at most 600 are allowed"
    );
    assert_eq!(
        refused(|v| v["id"] = json!("Not An Id")),
        r#"id: "Not An Id" is not an id: 1 to 40 lower-case letters, digits and dashes"#
    );
    assert_eq!(refused(|v| v["title"] = json!("")), "title: it is empty");
}

#[test]
fn what_a_stop_names_must_exist_in_its_run() {
    assert_eq!(
        refused(|v| stop(v, 1)["open"] = json!({ "preset": "dual-write" })),
        r#"stop 2, open: the preset "dual-write" does not run in orchestration"#
    );
    assert_eq!(
        refused(|v| stop(v, 3)["do"] =
            json!({ "action": "inject", "fault": "crash_after_commit", "service": "payment" })),
        r#"stop 4, do: the fault "crash_after_commit" means nothing in orchestration"#
    );
    assert_eq!(
        refused(|v| stop(v, 3)["do"] =
            json!({ "action": "inject", "fault": "chaos", "service": "payment" })),
        r#"stop 4, do: the fault "chaos" is not in a service's menu"#
    );
    assert_eq!(
        refused(|v| stop(v, 3)["do"]["service"] = json!("calendar")),
        "stop 4, do: confirm_reservation runs at Reservation, not at Calendar"
    );
    assert_eq!(
        refused(|v| stop(v, 3)["do"] = json!({ "action": "cancel", "saga": 8 })),
        "stop 4, do: there is no saga 8; sagas are numbered from 0 to 7"
    );
    assert_eq!(
        refused(
            |v| stop(v, 2)["pause_at"] = json!({ "event": "dead_lettered", "step": "charge_card" })
        ),
        r#"stop 3, pause_at: this kind of event is not about a step, so it takes no "step""#
    );
    assert_eq!(
        refused(
            |v| stop(v, 2)["pause_at"] = json!({ "event": "step_refused", "outcome": "completed" })
        ),
        r#"stop 3, pause_at: only saga_ended takes an "outcome""#
    );
    assert_eq!(
        refused(|v| stop(v, 5)["challenge"]["goal"] =
            json!({ "fact": "saga_ends", "outcome": "running" })),
        "stop 6, challenge, goal: running is not an outcome a saga ends with"
    );
    assert_eq!(
        refused(|v| {
            stop(v, 1)["open"]["coordination"] = json!("choreography");
            stop(v, 5)["challenge"]["goal"] = json!({ "fact": "pivot_outcome_unknown" });
        }),
        "stop 6, challenge, goal: only an orchestrator waits for the pivot's reply: open an orchestrated run"
    );
    assert_eq!(
        refused(|v| {
            stop(v, 5)["challenge"]["requires"] = json!([
                { "safeguard": "outbox", "on": false },
                { "safeguard": "outbox", "on": true }
            ])
        }),
        r#"stop 6, challenge, requires: "outbox" is named twice"#
    );
}

#[test]
fn a_whole_scenario_can_be_opened_if_it_is_valid() {
    let scenario = |version: u32| {
        json!({ "version": version, "coordination": "choreography",
                "sagas": [{ "customer": "Ada", "slot": "Fri 19:30" }] })
    };
    let mut v = good();
    stop(&mut v, 1)["open"] = json!({ "scenario": scenario(1) });
    // The inline scenario is choreographed: a crash after commit means something there.
    stop(&mut v, 3)["do"] =
        json!({ "action": "inject", "fault": "crash_after_commit", "service": "payment" });
    let lesson = Lesson::from_json(&v.to_string()).expect("valid");
    assert!(lesson.stops[1]
        .open
        .as_ref()
        .is_some_and(|o| o.player().is_ok()));

    assert_eq!(
        refused(|v| stop(v, 1)["open"] = json!({ "scenario": scenario(2) })),
        "stop 2, open, scenario: version 2 is not supported; this Sagascope reads version 1"
    );
    assert_eq!(
        refused(|v| stop(v, 1)["open"] = json!({ "scenario": scenario(1), "seed": 3 })),
        "stop 2, open: a whole scenario brings its own coordination, storage and seed; give them in it"
    );
    assert_eq!(
        refused(|v| stop(v, 1)["open"] = json!({ "preset": "happy-path", "scenario": scenario(1) })),
        "stop 2, open: give a preset or a scenario, not both"
    );
    assert_eq!(
        refused(|v| stop(v, 1)["open"] = json!({})),
        "stop 2, open: give a preset or a scenario to open"
    );
    let mut bad = scenario(1);
    bad["sagas"] = json!([]);
    bad["faults"] = json!([{ "kind": "business_failure", "step": 9 }]);
    assert!(refused(|v| stop(v, 1)["open"] = json!({ "scenario": bad }))
        .starts_with("stop 2, open, scenario: faults[0]"));
}

#[test]
fn the_list_of_lessons_is_checked_too() {
    let list = |lessons: Value| {
        LessonIndex::from_json(&json!({ "sagascope_lessons": 1, "lessons": lessons }).to_string())
            .map_err(|e| e.to_string())
    };
    let entry = |id: &str| json!({ "id": id, "title": "T", "summary": "S", "stops": 3 });
    assert!(list(json!([entry("a"), entry("b")])).is_ok());
    assert_eq!(
        list(json!([entry("a"), entry("a")])),
        Err(r#"lesson 2: the id "a" is listed twice"#.to_string())
    );
    assert_eq!(
        list(json!([entry("../etc")])),
        Err(
            r#"lesson 1: "../etc" is not an id: 1 to 40 lower-case letters, digits and dashes"#
                .to_string()
        )
    );
    assert_eq!(
        LessonIndex::from_json(r#"{"sagascope_lessons": 7, "lessons": []}"#)
            .map_err(|e| e.to_string()),
        Err("version 7 is not supported; this Sagascope reads version 1".to_string())
    );
    assert_eq!(
        LessonIndex::from_json(&good().to_string()).map_err(|e| e.to_string()),
        Err(
            r#"this is not a Sagascope list of lessons: it has no "sagascope_lessons" version"#
                .to_string()
        )
    );
}
