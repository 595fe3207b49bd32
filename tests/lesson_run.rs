//! A student working through a lesson: Back and Next move between stops without blocking; a
//! stop with no task is done once shown, a question once answered (the first answer counts), an
//! action once the run shows it (the fault in the plan, the safeguard switched, the cancel or
//! redrive given) and a challenge once met; the progress kept comes back on the next visit, and
//! what no longer fits an edited lesson is left out.

mod common;

use sagascope::engine::definition::Operation;
use sagascope::engine::fault::{FaultKind, FaultSpec};
use sagascope::engine::safeguard::Safeguard;
use sagascope::engine::{Coordination, ServiceId};
use sagascope::lesson::{Action, Lesson, LessonProgress, LessonRun, Mark, Progress};

fn lesson() -> Lesson {
    Lesson::from_json(
        r#"{
          "sagascope_lesson": 1, "id": "walk", "title": "Walk", "summary": "Each kind of stop.",
          "stops": [
            { "say": "Hello." },
            { "say": "Open.", "open": { "preset": "restaurant-rejects" } },
            { "say": "Act.", "do": { "action": "inject", "fault": "compensation_fails", "service": "payment" } },
            { "say": "Think.", "ask": { "prompt": "Which?", "choices": ["a", "b"], "answer": 1, "why": "Because." } },
            { "say": "Try.", "challenge": { "goal": { "fact": "saga_ends", "outcome": "rollback-incomplete" } } },
            { "say": "Bye." }
          ]
        }"#,
    )
    .expect("valid")
}

#[test]
fn back_and_next_move_freely_and_plain_stops_are_done_once_shown() {
    let mut run = LessonRun::new(lesson(), None);
    assert_eq!(run.index(), 0);
    assert!(!run.back(), "nothing before the first stop");
    assert_eq!(run.marks()[0], Mark::Current);
    assert!(run.is_done(0));
    assert!(run.forward() && run.forward() && run.forward());
    assert_eq!(run.index(), 3);
    assert!(run.is_done(1), "the open stop was shown");
    assert!(!run.is_done(2), "the action was not taken");
    assert_eq!(
        run.marks(),
        [
            Mark::Done,
            Mark::Done,
            Mark::Todo,
            Mark::Current,
            Mark::Todo,
            Mark::Todo
        ]
    );
    assert!(run.go_to(5));
    assert!(!run.forward(), "nothing after the last stop");
    assert!(!run.go_to(6) && !run.go_to(5));
    assert!(run.back());
    assert_eq!(run.index(), 4);
    assert_eq!(run.done_count(), 3);
    assert_eq!(run.resume_at(), 2);
    assert_eq!(run.challenges(), (0, 1));
}

#[test]
fn a_question_takes_its_first_answer_only() {
    let mut run = LessonRun::new(lesson(), None);
    assert!(!run.answer(0), "no question shown");
    run.go_to(3);
    assert!(!run.answer(2), "not a choice");
    assert!(!run.is_done(3));
    assert!(run.answer(0));
    assert!(!run.answer(1), "the first answer stands");
    assert_eq!(run.picked(3), Some(0));
    assert!(run.is_done(3));
}

#[test]
fn an_action_and_a_challenge_are_done_when_the_run_shows_them() {
    let mut run = LessonRun::new(lesson(), None);
    let mut p = lesson().stops[1]
        .open
        .as_ref()
        .expect("an open stop")
        .player()
        .expect("a run");
    run.go_to(2);
    assert!(!run.observe(&p));
    p.inject(FaultSpec::TransientError {
        step: 2,
        times: 2,
        saga: None,
    })
    .expect("injected");
    assert!(!run.observe(&p), "another kind of fault at Payment");
    p.inject(FaultSpec::CompensationFails {
        step: 2,
        times: None,
        saga: None,
    })
    .expect("injected");
    assert!(run.observe(&p));
    assert!(!run.observe(&p), "said once");
    assert!(run.is_done(2));

    run.go_to(4);
    assert!(!run.observe(&p), "not yet: the run has not played");
    p.advance(1e9);
    assert!(run.observe(&p));
    assert_eq!(run.challenges(), (1, 1));
    // Elsewhere, observing changes nothing.
    run.go_to(0);
    assert!(!run.observe(&p));
}

#[test]
fn each_action_shows_only_once_taken() {
    let inject = Action::Inject {
        fault: FaultKind::TransientError,
        service: ServiceId::Reservation,
        step: Some(Operation::ConfirmReservation),
    };
    let mut p = common::preset_player("happy-path", Coordination::Orchestration);
    assert!(!inject.done(&p));
    p.inject(FaultSpec::TransientError {
        step: 1,
        times: 2,
        saga: None,
    })
    .expect("injected");
    assert!(!inject.done(&p), "the other step of Reservation");
    p.inject(FaultSpec::TransientError {
        step: 4,
        times: 2,
        saga: None,
    })
    .expect("injected");
    assert!(inject.done(&p));

    let off = Action::Safeguard {
        safeguard: Safeguard::Idempotency,
        on: false,
    };
    assert!(!off.done(&p));
    let p = p
        .with_safeguard(Safeguard::Idempotency, false)
        .expect("restarted");
    assert!(off.done(&p));
    assert!(inject.done(&p), "the plan survives the restart");

    let cancel = Action::Cancel { saga: 0 };
    let mut p = p;
    assert!(!cancel.done(&p));
    p.advance(1_000.0);
    p.cancel(0).expect("cancelled");
    assert!(cancel.done(&p));
    assert!(!Action::Cancel { saga: 1 }.done(&p));

    let mut c = common::preset_player("poison-redrive", Coordination::Choreography);
    assert!(
        !Action::Redrive.done(&c),
        "the preset's own redrive is not the student's"
    );
    c.advance(1e9);
    assert!(!Action::Redrive.done(&c));
    c.redrive().expect("redriven");
    assert!(Action::Redrive.done(&c));
}

#[test]
fn progress_comes_back_and_what_no_longer_fits_is_left_out() {
    let mut run = LessonRun::new(lesson(), None);
    run.go_to(3);
    run.answer(1);
    run.go_to(5);
    let kept = run.progress();
    assert_eq!(kept.picked.get(&3), Some(&1));
    let mut progress = Progress::new();
    progress.record("walk", kept);
    let (again, error) = Progress::from_storage(&progress.to_storage());
    assert_eq!(error, None);
    let back = LessonRun::new(lesson(), again.get("walk"));
    assert_eq!(back.done_count(), run.done_count());
    assert_eq!(back.picked(3), Some(1));
    assert_eq!(back.resume_at(), 1);

    // Progress written for another version of the lesson: stops it no longer has, an answer
    // its question no longer offers, a challenge stop recorded as a plain one.
    let stale = LessonProgress {
        done: [0, 4, 9].into(),
        met: [2].into(),
        picked: [(3, 5), (0, 1)].into(),
    };
    let run = LessonRun::new(lesson(), Some(&stale));
    assert!(run.is_done(0));
    assert!(!run.is_done(2) && !run.is_done(3) && !run.is_done(4));
    assert_eq!(run.picked(3), None);
    assert_eq!(run.picked(0), None);
    assert_eq!(run.done_count(), 1);
}
