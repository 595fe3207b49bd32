//! Tests of `compare`.

use super::*;
use crate::engine::presets;
use crate::engine::scenario::{Coordination, Storage};
use crate::engine::sim::Simulation;
use crate::engine::snapshot::overall_outcome;

const BOTH: [Coordination; 2] = [Coordination::Orchestration, Coordination::Choreography];

use crate::view::testing::played as run;

fn of(sim: &Simulation) -> Figures {
    figures(sim.trace(), sim.sagas().len(), sim.now_ms())
}

fn count(sim: &Simulation, pred: impl Fn(&EventKind) -> bool) -> u64 {
    sim.trace().iter().filter(|e| pred(&e.kind)).count() as u64
}

fn first_change(sim: &Simulation) -> u64 {
    sim.trace()
        .iter()
        .find(|e| matches!(e.kind, EventKind::TaskApplied { changed: true, .. }))
        .unwrap()
        .at_ms
}

#[test]
fn the_outcome_agrees_with_the_engine_at_every_moment() {
    for preset in presets::PRESETS {
        for c in BOTH {
            if !preset.runs_in(c) {
                continue;
            }
            let scenario = presets::scenario(preset.id, c, Storage::PerService, 1).unwrap();
            let mut sim = Simulation::new(scenario).unwrap();
            let mut steps = 0;
            loop {
                let f = of(&sim);
                assert_eq!(
                    f.outcome,
                    overall_outcome(sim.sagas()),
                    "{} {c:?} at {} ms",
                    preset.id,
                    sim.now_ms()
                );
                assert_eq!(f.finished_ms.is_some(), f.outcome.is_final());
                steps += 1;
                if !sim.step() || steps > 5000 {
                    break;
                }
            }
        }
    }
}

#[test]
fn the_happy_path_completes_in_both_styles() {
    for c in BOTH {
        let sim = run("happy-path", c);
        let f = of(&sim);
        assert_eq!(f.outcome, Outcome::Completed);
        assert_eq!(
            f.messages,
            count(&sim, |k| matches!(k, EventKind::MessageSent { .. }))
        );
        assert!(f.messages > 0);
        let end = sim.sagas()[0].ended_ms.unwrap();
        assert_eq!(f.finished_ms, Some(end));
        // One saga, consistent again at completion: inconsistent from its first change.
        assert_eq!(f.inconsistent_ms, end - first_change(&sim));
        assert!(f.inconsistent_ms > 0);
        assert_eq!((f.retries, f.dead_letters, f.compensations), (0, 0, 0));
    }
}

#[test]
fn a_declined_card_is_compensated_and_was_inconsistent_for_a_while() {
    for c in BOTH {
        let sim = run("card-declined", c);
        let f = of(&sim);
        assert_eq!(f.outcome, Outcome::Compensated);
        let finished = f.finished_ms.unwrap();
        assert!(
            f.inconsistent_ms > 0 && f.inconsistent_ms < finished,
            "{f:?}"
        );
        assert_eq!(f.inconsistent_ms, finished - first_change(&sim));
        // The PENDING reservation was cancelled: one compensation changed something.
        assert_eq!(f.compensations, 1, "{c:?}");
    }
}

#[test]
fn slot_taken_counts_two_compensations() {
    for c in BOTH {
        let f = of(&run("slot-taken", c));
        assert_eq!(f.outcome, Outcome::Compensated);
        assert_eq!(f.compensations, 2, "{c:?}");
    }
}

#[test]
fn retries_and_dead_letters_are_counted() {
    let sim = run("transient-payment", Coordination::Orchestration);
    let f = of(&sim);
    assert_eq!(
        f.retries,
        count(&sim, |k| matches!(k, EventKind::RetryScheduled { .. }))
    );
    assert!(f.retries >= 2, "{f:?}");
    let sim = run("transient-payment", Coordination::Choreography);
    let f = of(&sim);
    assert_eq!(
        f.retries,
        count(
            &sim,
            |k| matches!(k, EventKind::Received { receive_count, .. } if *receive_count > 1)
        )
    );
    assert!(f.retries >= 2, "{f:?}");
    let sim = run("poison-redrive", Coordination::Choreography);
    let f = of(&sim);
    assert!(f.dead_letters >= 1);
    assert_eq!(
        f.dead_letters,
        count(&sim, |k| matches!(k, EventKind::DeadLettered { .. }))
    );
}

#[test]
fn an_incomplete_rollback_counts_until_now() {
    for c in BOTH {
        let sim = run("compensation-fails", c);
        let f = of(&sim);
        assert_eq!(f.outcome, Outcome::RollbackIncomplete);
        assert_eq!(f.inconsistent_ms, sim.now_ms() - first_change(&sim));
        let later = figures(sim.trace(), 1, sim.now_ms() + 5_000);
        assert_eq!(later.inconsistent_ms, f.inconsistent_ms + 5_000);
    }
}

#[test]
fn two_sagas_add_up() {
    for c in BOTH {
        let sim = run("two-customers", c);
        let f = of(&sim);
        assert_eq!(f.outcome, overall_outcome(sim.sagas()));
        let one = |saga: usize| {
            let trace: Vec<Event> = sim
                .trace()
                .iter()
                .filter(|e| e.saga == Some(saga))
                .cloned()
                .collect();
            figures(&trace, 2, sim.now_ms()).inconsistent_ms
        };
        assert_eq!(f.inconsistent_ms, one(0) + one(1));
        let last = sim.sagas().iter().filter_map(|s| s.ended_ms).max();
        assert_eq!(f.finished_ms, last);
    }
}

#[test]
fn a_run_cut_short_is_still_running() {
    for c in BOTH {
        let whole = run("card-declined", c);
        let end = whole.sagas()[0].ended_ms.unwrap();
        let scenario = presets::scenario("card-declined", c, Storage::PerService, 1).unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(end / 2);
        let f = of(&sim);
        assert_eq!(f.outcome, Outcome::Running);
        assert_eq!(f.finished_ms, None);
        // The same figures from the whole trace read up to the same moment.
        assert_eq!(
            figures(whole.trace(), 1, sim.now_ms()),
            f,
            "{c:?} at {}",
            sim.now_ms()
        );
        let html = compare_html(&f, &f, [false, false]);
        for style in ["orchestration", "choreography"] {
            assert!(html.contains(&format!(
                r#"<td data-figure="outcome" data-style="{style}" data-value="running">running…</td>"#
            )));
            assert!(html.contains(&format!(
                r#"<td data-figure="finished" data-style="{style}" data-value="">running…</td>"#
            )));
        }
        assert!(!html.contains("compare__better"));
        let html = compare_html(&f, &of(&whole), [false, true]);
        assert!(
            !html.contains("compare__better"),
            "marks wait for both runs"
        );
    }
}

/// The cells of one figure's column, orchestration first.
fn column<'a>(html: &'a str, figure: &str) -> Vec<&'a str> {
    let start = format!(r#"<td data-figure="{figure}""#);
    html.match_indices(&start)
        .filter_map(|(at, _)| html[at..].split_once("</td>").map(|(cell, _)| cell))
        .collect()
}

#[test]
fn the_table_marks_the_better_value_in_words() {
    // Retries make the two styles send different numbers of messages (on the happy path
    // they happen to send as many).
    let o = of(&run("transient-payment", Coordination::Orchestration));
    let ch = of(&run("transient-payment", Coordination::Choreography));
    let html = compare_html(&o, &ch, [true, true]);
    assert!(html.starts_with(r#"<table class="compare" data-testid="compare"><caption"#));
    // A row per style, a column per figure, in this order.
    assert_eq!(html.matches("<tr data-style=").count(), 2);
    let figures = [
        "outcome",
        "messages",
        "finished",
        "inconsistent",
        "retries",
        "dead-letters",
        "compensations",
    ];
    let mut last = 0;
    for figure in figures {
        let header = html
            .find(&format!(r#"<th scope="col" data-figure="{figure}">"#))
            .unwrap();
        assert!(header > last, "{figure} in order");
        last = header;
        let cells = column(&html, figure);
        assert_eq!(cells.len(), 2, "{figure}");
        assert!(cells[0].contains(r#"data-style="orchestration""#));
        assert!(cells[1].contains(r#"data-style="choreography""#));
    }
    assert!(html.contains(r#"colspan="8""#));
    assert!(html.contains(&format!(
        r#"<td data-figure="messages" data-style="orchestration" data-value="{}""#,
        o.messages
    )));
    assert!(html.contains(r#"data-value="completed">✓ Completed</td>"#));
    // The side with fewer messages carries the mark, in words as well as colour.
    let fewer = if o.messages < ch.messages {
        "orchestration"
    } else {
        "choreography"
    };
    assert_ne!(o.messages, ch.messages);
    let cells = column(&html, "messages");
    let marked: Vec<_> = cells
        .iter()
        .filter(|c| c.contains("compare__better"))
        .collect();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].contains(&format!(
        r#"data-style="{fewer}" data-value="{}" class="compare__better" data-better="true">"#,
        o.messages.min(ch.messages)
    )));
    assert!(marked[0].contains("✓ fewer"));
    // Equal values: no mark.
    assert!(column(&html, "outcome")
        .iter()
        .all(|c| !c.contains("compare__better")));
    assert!(html.contains("first local change"));
}

#[test]
fn the_better_outcome_wins_its_column() {
    let done = of(&run("happy-path", Coordination::Orchestration));
    let undone = of(&run("card-declined", Coordination::Choreography));
    let html = compare_html(&undone, &done, [true, true]);
    assert!(html.contains(r#"<td data-figure="outcome" data-style="choreography" data-value="completed" class="compare__better" data-better="true">✓ Completed <span class="compare__mark">✓ better</span></td>"#));
    assert!(html.contains(r#"data-value="compensated">↩ Compensated</td>"#));
}
