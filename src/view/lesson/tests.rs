use super::*;
use crate::lesson::{Lesson, LessonProgress};

/// A lesson with one stop of each kind, its texts full of markup.
fn lesson() -> Lesson {
    Lesson::from_json(
        r#"{
          "sagascope_lesson": 1,
          "id": "sample",
          "title": "A <b>bold</b> & \"quoted\" lesson",
          "summary": "Everything <i>at once</i>.",
          "stops": [
            { "say": "Hello <script>alert(1)</script>" },
            { "say": "Open it.", "open": { "preset": "card-declined", "coordination": "choreography" } },
            { "say": "Wait.", "pause_at": { "event": "step_refused", "step": "charge_card", "saga": 1 } },
            { "say": "Act.", "do": { "action": "inject", "fault": "business_failure", "service": "payment" } },
            { "say": "Think.", "ask": { "prompt": "Which <one>?", "choices": ["a & b", "c < d", "e"], "answer": 1, "why": "Because <reasons>." } },
            { "say": "Try.", "challenge": { "goal": { "fact": "saga_ends", "outcome": "rollback-incomplete" },
                "requires": [{ "safeguard": "idempotency", "on": false }], "hint": "Look <here>." } }
          ]
        }"#,
    )
    .expect("valid")
}

fn at(stop: usize) -> LessonRun {
    let mut run = LessonRun::new(lesson(), None);
    run.go_to(stop);
    run
}

#[test]
fn the_panel_names_the_lesson_the_stop_and_every_dot() {
    let html = lesson_html(&at(0));
    assert!(html.starts_with(r#"<section class="lesson" data-testid="lesson""#));
    assert!(html.contains("A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; lesson"));
    assert!(html.contains("Hello &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>") && !html.contains("<b>"));
    assert!(html.contains(r#"data-testid="lesson-stop" aria-live="polite">Stop 1 of 6</span>"#));
    assert!(html.contains(r#"data-testid="lesson-progress" aria-label="1 of 6 stops done""#));
    assert_eq!(html.matches(r#"class="lesson__dot""#).count(), 6);
    assert!(html.contains(
        r#"data-action="lesson-go" data-stop="0" data-state="current" aria-label="Stop 1: current, done" aria-current="step""#
    ));
    assert!(html.contains(r#"data-stop="5" data-state="todo" aria-label="Stop 6: not done yet""#));
    assert_eq!(html.matches("aria-current").count(), 1);
}

#[test]
fn back_and_next_carry_their_keys_and_stop_at_the_ends() {
    let first = lesson_html(&at(0));
    assert!(first.contains(
        r#"data-action="lesson-back" data-testid="lesson-back" title="Back (PageUp or ,)" aria-keyshortcuts="PageUp ," disabled>"#
    ));
    assert!(first.contains(
        r#"data-action="lesson-next" data-testid="lesson-next" title="Next (PageDown or .)" aria-keyshortcuts="PageDown .">"#
    ));
    let last = lesson_html(&at(5));
    assert!(last.contains(r#"aria-keyshortcuts="PageUp ,">"#));
    assert!(last.contains(r#"aria-keyshortcuts="PageDown ." disabled>"#));
    assert!(last.contains(r#"data-action="lesson-close""#));
}

#[test]
fn each_kind_of_stop_says_what_to_do() {
    assert!(lesson_html(&at(1)).contains("Opens: Card declined, choreographed"));
    assert!(lesson_html(&at(2)).contains(
        "the run pauses when a step is refused (a business failure): Charge card, saga B."
    ));
    let act = lesson_html(&at(3));
    assert!(act.contains(r#"data-testid="lesson-do" data-done="false""#));
    assert!(act.contains("Click Payment and pick “Business failure”."));
    assert!(act.contains("Not done yet"));
    let challenge = lesson_html(&at(5));
    assert!(challenge.contains(r#"data-testid="lesson-challenge" data-met="false""#));
    assert!(challenge.contains(
        "make it so that a saga ends rollback incomplete, with Idempotent consumers off."
    ));
    assert!(challenge.contains("Look &lt;here&gt;."));
    assert!(challenge.contains("Not met yet"));
}

#[test]
fn a_question_offers_numbered_choices_then_marks_them_and_explains() {
    let mut run = at(4);
    let html = lesson_html(&run);
    assert!(html.contains("Which &lt;one&gt;?"));
    assert!(html.contains(
        r#"data-action="lesson-answer" data-choice="1" data-testid="lesson-choice-1">c &lt; d</button>"#
    ));
    assert!(!html.contains("data-verdict") && !html.contains("reasons"));
    assert!(run.answer(0));
    let html = lesson_html(&run);
    assert!(html.contains(r#"data-verdict="wrong""#));
    assert!(html.contains("✗ wrong: your answer"));
    assert!(html.contains("✗ Not quite. Because &lt;reasons&gt;."));
    assert_eq!(html.matches(" disabled data-mark").count(), 3);
    assert_eq!(html.matches(r#"data-mark="right""#).count(), 1);

    let mut run = at(4);
    run.answer(1);
    let html = lesson_html(&run);
    assert!(html.contains(r#"data-verdict="right""#));
    assert!(html.contains("✓ right: your answer"));
    assert!(html.contains("✓ Right. Because"));
}

#[test]
fn the_chooser_lists_every_lesson_with_its_progress() {
    let index = LessonIndex::from_json(
        r#"{ "sagascope_lessons": 1, "lessons": [
            { "id": "one", "title": "One <1>", "summary": "First.", "stops": 4 },
            { "id": "two", "title": "Two", "summary": "Second.", "stops": 3 },
            { "id": "three", "title": "Three", "summary": "Third.", "stops": 2 } ] }"#,
    )
    .expect("valid");
    let mut progress = Progress::new();
    progress.record(
        "one",
        LessonProgress {
            done: [0, 1].into(),
            ..LessonProgress::default()
        },
    );
    progress.record(
        "two",
        LessonProgress {
            done: [0].into(),
            met: [1].into(),
            picked: [(2, 0)].into(),
        },
    );
    let html = lesson_list_html(&index, &progress);
    assert!(html.contains(
        r#"data-action="lesson-open" data-lesson="0" data-testid="lesson-open-one" data-done="false""#
    ));
    assert!(html.contains("One &lt;1&gt;"));
    assert!(html.contains("2 of 4 stops done"));
    assert!(html.contains(r#"data-lesson="1" data-testid="lesson-open-two" data-done="true""#));
    assert!(html.contains("✓ Done · 3 stops"));
    assert!(html.contains("Not started · 2 stops"));
}

#[test]
fn every_vocabulary_has_words() {
    assert_eq!(operation_label(Operation::ReleaseSlot), "Release slot");
    assert_eq!(operation_label(Operation::BookSlot), "Book slot");
    assert_eq!(operation_label(Operation::NotifyFailure), "Notify failure");
    assert_eq!(
        fact_text(&Fact::Undone {
            steps: vec![Operation::BookSlot, Operation::ChargeCard],
            saga: Some(0)
        }),
        "the steps undone of saga A are Book slot and Charge card, in that order"
    );
    assert_eq!(
        action_text(&Action::Safeguard {
            safeguard: crate::engine::safeguard::Safeguard::SemanticLock,
            on: false
        }),
        "Switch Semantic lock off in the shield menu"
    );
}
