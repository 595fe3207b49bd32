//! Tests of `teach`.

use super::*;
use crate::engine::presets;
use crate::engine::scenario::Coordination;
use crate::view::testing::played;

fn trace(preset: &str, c: Coordination) -> Vec<Event> {
    played(preset, c).trace().to_vec()
}

fn count(markup: &str, needle: &str) -> usize {
    markup.matches(needle).count()
}

#[test]
fn ticks_cover_every_event_once_and_runs_merge() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        let events = trace("card-declined", c);
        let svg = timeline_svg(&Timeline {
            events: &events,
            start: 0,
            at: events.len() as u64,
            selected: None,
        });
        // The widths of the bars add up to the number of events.
        let widths: usize = svg
            .split(r#"<rect class="tick "#)
            .skip(1)
            .filter_map(|r| {
                r.split("width=\"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .sum();
        assert_eq!(widths, events.len());
        let runs = count(&svg, r#"<rect class="tick "#);
        let changes = 1 + events
            .windows(2)
            .filter(|w| tick_kind(&w[0].kind) != tick_kind(&w[1].kind))
            .count();
        assert_eq!(runs, changes);
        assert!(svg.contains("tick--compensation"), "{c:?}: the undo shows");
        assert!(svg.contains("tick--failure"), "{c:?}: the refusal shows");
        assert!(
            !svg.contains("timeline__future"),
            "nothing ahead at the latest moment"
        );
    }
}

#[test]
fn a_past_moment_dims_the_future_and_marks_the_selection() {
    let events = trace("transient-payment", Coordination::Orchestration);
    let svg = timeline_svg(&Timeline {
        events: &events,
        start: 0,
        at: 10,
        selected: Some(events[20].seq),
    });
    assert!(svg.contains(&format!(
        r#"<rect class="timeline__future" x="10" y="0" width="{}""#,
        events.len() - 10
    )));
    assert!(svg.contains(r#"<rect class="timeline__selected" x="20""#));
    assert!(svg.contains(r#"<rect class="timeline__now" x="9""#));
    assert!(svg.contains("tick--retry"));
}

#[test]
fn the_label_says_where_the_moment_is_and_offers_the_way_back() {
    let events = trace("happy-path", Coordination::Choreography);
    let t = Timeline {
        events: &events,
        start: 0,
        at: 5,
        selected: None,
    };
    let label = timeline_label(&t, true);
    assert!(label.contains(&format!("Event 5 of {}", events.len())));
    assert!(label.contains(&seconds(events[4].at_ms)));
    assert!(label.contains(r#"data-testid="to-latest""#));
    assert!(!timeline_label(&t, false).contains("to-latest"));
}

#[test]
fn a_pointer_lands_on_an_event() {
    assert_eq!(event_at(0.0, 10), Some(0));
    assert_eq!(event_at(0.55, 10), Some(5));
    assert_eq!(event_at(1.0, 10), Some(9));
    assert_eq!(event_at(7.0, 10), Some(9));
    assert_eq!(event_at(-1.0, 10), Some(0));
    assert_eq!(event_at(f64::NAN, 10), None);
    assert_eq!(event_at(0.5, 0), None);
}

#[test]
fn every_event_kind_of_every_preset_has_a_tick_kind_with_a_legend_entry() {
    let legend = timeline_legend();
    for p in presets::PRESETS {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            if !p.runs_in(c) {
                continue;
            }
            for e in trace(p.id, c) {
                let k = tick_kind(&e.kind);
                assert!(legend.contains(&format!("tick--{}", k.as_str())));
            }
        }
    }
}

#[test]
fn every_listed_shortcut_has_a_key_that_does_something() {
    let keys = [
        " ",
        "ArrowLeft",
        "ArrowRight",
        "[",
        "]",
        "1",
        "9",
        "f",
        "t",
        "?",
        "p",
        "v",
        "q",
        "b",
        "c",
        "r",
        "g",
        "Home",
        "End",
    ];
    for k in keys {
        assert!(key_command(k).is_some(), "{k:?}");
    }
    assert_eq!(key_command("1"), Some(Command::Number(0)));
    assert_eq!(key_command("9"), Some(Command::Number(8)));
    assert_eq!(key_command("0"), None);
    assert_eq!(key_command("x"), None);
    assert_eq!(key_command("Enter"), None);
    let help = help_html(false);
    for s in SHORTCUTS {
        for k in s.keys {
            assert!(
                help.contains(&format!("<kbd>{}</kbd>", crate::view::format::escape(k))),
                "{k}"
            );
        }
    }
    assert!(help.contains(r#"data-action="presenter""#));
    assert!(help_html(true).contains("Leave presenter mode"));
}

#[test]
fn the_view_switch_marks_the_view_shown() {
    let html = views_html(View::Sequence, true, false);
    assert_eq!(count(&html, r#"aria-pressed="true""#), 2);
    assert!(html.contains(r#"data-testid="view-sequence" aria-pressed="true""#));
    assert!(html.contains(r#"data-testid="predict-toggle" aria-pressed="true""#));
    let both = views_html(View::Sequence, false, true);
    assert_eq!(count(&both, " disabled"), View::ALL.len());
    assert_eq!(View::Gantt.next(), View::Commit);
    assert_eq!(View::Commit.next(), View::Diagram);
    assert_eq!(View::parse("gantt"), Some(View::Gantt));
    assert_eq!(View::parse("pie"), None);
}

#[test]
fn the_fork_notice_counts_what_was_discarded() {
    let text = fork_notice(1_200, 14, 37);
    assert!(text.contains("1.20 s") && text.contains("event 14") && text.contains("37 events"));
    assert!(fork_notice(0, 1, 1).contains("1 event that had come after it was"));
}
