//! Tests of `nodes`.

use super::*;

use crate::engine::presets;
use crate::engine::scenario::Storage;
use crate::engine::sim::Simulation;
use crate::view::layout::Size;
use crate::view::svg::testing::*;

#[test]
fn service_and_step_statuses_follow_the_engine() {
    let s = sim("card-declined", Coordination::Orchestration, 600_000);
    let markup = svg(&s, 0, None);
    assert!(tag_of(&markup, "service-payment").contains(r#"data-status="failed""#));
    assert!(tag_of(&markup, "service-calendar").contains(r#"data-status="idle""#));
    assert!(markup.contains(r#"data-step="1" data-kind="compensatable" data-status="compensated""#));
    assert!(markup.contains(r#"data-step="4" data-kind="pivot" data-status="idle""#));
    assert!(markup.contains(r#"data-step="5" data-kind="retriable""#));
    assert!(markup.contains(r#"data-notice="true" data-status="succeeded""#));
}

#[test]
fn the_selected_saga_decides_what_services_show() {
    let s = sim("two-customers", Coordination::Orchestration, 600_000);
    let first = svg(&s, 0, None);
    let second = svg(&s, 1, None);
    assert!(tag_of(&first, "service-calendar").contains(r#"data-status="succeeded""#));
    assert!(tag_of(&second, "service-calendar").contains(r#"data-status="failed""#));
}

#[test]
fn the_orchestrator_shows_its_log() {
    let s = sim("happy-path", Coordination::Orchestration, 2_000);
    let markup = svg(&s, 0, None);
    assert!(markup.contains("Durable saga log"));
    assert!(markup.contains("heard Create reservation #1: done"));
}

#[test]
fn the_orchestrator_shows_whether_its_process_is_up() {
    let mut s = sim("orchestrator-crash", Coordination::Orchestration, 0);
    let mut crashed = false;
    while s.step() {
        if !s.snapshot().orchestrator.up {
            crashed = true;
            let markup = svg(&s, 0, None);
            assert!(markup.contains("✗ crashed: restarting"));
            assert!(tag_of(&markup, "orchestrator").contains(r#"data-status="failed""#));
            break;
        }
    }
    assert!(crashed, "the preset crashes the orchestrator");
    while s.step() {}
    let markup = svg(&s, 0, None);
    // Up, not "running": the saga it ran has finished.
    assert!(markup.contains("● up"));
    assert!(!markup.contains("● running"));
    assert!(tag_of(&markup, "orchestrator").contains(r#"data-status="running""#));
}

#[test]
fn dead_letters_are_drawn_with_their_contents() {
    let s = sim("poison-redrive", Coordination::Choreography, 15_000);
    let markup = svg(&s, 0, None);
    assert!(tag_of(&markup, "dead-letter-queue").contains(r#"data-count="1""#));
    assert!(
        markup.contains("A · ReservationCreated ← Payment queue ("),
        "{markup}"
    );
}

#[test]
fn customer_names_are_escaped() {
    let mut scenario = presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
        1,
    )
    .unwrap();
    scenario.sagas[0].customer = "<script>".to_string();
    let s = Simulation::new(scenario).unwrap();
    let markup = svg(&s, 0, None);
    assert!(!markup.contains("<script>"));
    assert!(markup.contains("&lt;script&gt;"));
}

/// The opening tags of the elements whose class list starts with `class`.
fn tags_with_class<'a>(markup: &'a str, class: &str) -> Vec<&'a str> {
    let needle = format!(r#"class="{class}"#);
    markup
        .match_indices(&needle)
        .map(|(at, _)| {
            let start = markup[..at].rfind('<').unwrap();
            let end = at + markup[at..].find('>').unwrap();
            &markup[start..=end]
        })
        .collect()
}

#[test]
fn with_several_sagas_every_status_on_a_node_carries_the_saga_letter_and_colour() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        let s = sim("two-customers", c, 600_000);
        for (saga, letter) in [(0, 'A'), (1, 'B')] {
            let markup = svg(&s, saga, None);
            let lettered = format!(r#"saga-step--lettered saga-{saga}" data-saga="{letter}""#);
            // Every step row (5) and the failure notice's row, each with its letter on a tab.
            let rows = tags_with_class(&markup, "saga-step ");
            assert_eq!(rows.len(), 6, "{c:?}");
            for row in &rows {
                assert!(row.contains(&lettered), "{c:?}: {row}");
            }
            assert_eq!(
                markup
                    .matches(&format!(
                        r#"<text class="saga-step__letter" x="8.0" y="18.5" text-anchor="middle">{letter}</text>"#
                    ))
                    .count(),
                6,
                "{c:?}"
            );
            assert_eq!(
                markup.matches(r#"<path class="saga-step__saga""#).count(),
                6
            );
            assert!(markup.contains(&format!(", saga {letter}</title>")));
            // The badge by the node's status says the same.
            let badges = tags_with_class(&markup, "saga-node__saga ");
            assert_eq!(badges.len(), 4, "{c:?}");
            for b in badges {
                assert!(b.contains(&format!(r#"saga-{saga}" data-saga="{letter}""#)));
            }
            // The customer node names each customer by a letter in its saga's colour.
            for (other, l) in [(0, 'A'), (1, 'B')] {
                assert!(markup.contains(&format!(
                    r#"<tspan class="saga-node__who saga-{other}" data-saga="{l}">{l}</tspan>"#
                )));
            }
        }
    }
}

#[test]
fn with_one_saga_the_nodes_carry_no_saga_marks() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        let markup = svg(&sim("card-declined", c, 600_000), 0, None);
        for mark in [
            "data-saga",
            "saga-step--lettered",
            "saga-step__letter",
            "saga-node__saga",
            "saga-node__who",
        ] {
            assert!(!markup.contains(mark), "{c:?}: {mark}");
        }
        // The rows read as they always did: the icon, then the name.
        assert!(markup.contains(r#"<text class="saga-step__icon" x="9.0" y="19.0">"#));
        assert!(markup.contains(r#"<text class="saga-step__name" x="27.0" y="19">"#));
        assert!(markup.contains(">A Ada</text>"), "{c:?}");
    }
}

#[test]
fn the_customers_fit_their_node() {
    // Choreography's narrow customer box puts two customers on two lines.
    let markup = svg(
        &sim("two-customers", Coordination::Choreography, 0),
        0,
        None,
    );
    let at = markup.find(r#"data-testid="customer""#).unwrap();
    let customer = &markup[at..at + markup[at..].find("</g>").unwrap()];
    assert_eq!(customer.matches(r#"class="saga-node__facts""#).count(), 2);
    assert!(customer
        .contains(r#"<text class="saga-node__title saga-node__title--small" x="41.0" y="18.0""#));
    assert!(customer.contains("</tspan> Ada</text>"));
    assert!(customer.contains("</tspan> Grace</text>"));
    // Orchestration's wide one keeps them on one line.
    let s = sim("two-customers", Coordination::Orchestration, 0);
    assert!(svg(&s, 0, None).contains("</tspan> Ada · <tspan"));
}

/// Presenter mode's step rows hold every step's name, and every compensation's, whole on one
/// line beside the status icon (and a saga letter) and the kind badge, at its type size.
#[test]
fn presenter_rows_hold_every_name_at_its_type_size() {
    use crate::engine::message::Task;
    let def = crate::engine::definition::SagaDefinition::restaurant();
    let width = P_SERVICE_W_TEST - 20.0;
    let m = RowMetrics::of(true);
    let step_font = 20.0;
    for (i, _) in def.steps.iter().enumerate() {
        let mut names = vec![Task::Action(i).label(&def)];
        if def.steps[i].compensation.is_some() {
            names.push(Task::Compensate(i).label(&def));
        }
        for name in names {
            let line = format!("{} {name}", i + 1);
            let room = width - m.name_x[1] - m.badge.0 - 8.0;
            assert!(
                bold_text_width(&line, step_font) <= room,
                "{line:?} does not fit a presenter row ({room} units)"
            );
        }
    }
    assert!(bold_text_width("✉ Notify failure ×9", step_font) <= width - m.name_x[1]);
    // The longest status, with retries, beside the saga's letter.
    for status in [
        "compensating",
        "compensated",
        "undo failed",
        "succeeded",
        "retrying",
    ] {
        let line = format!("↺ {status} ×99");
        assert!(
            14.0 + bold_text_width(&line, P_STATUS_FONT) <= P_SERVICE_W_TEST - 48.0,
            "{line:?}"
        );
    }
}

const P_SERVICE_W_TEST: f64 = 401.0;

/// Every text of a presenter drawing, by its class: the markup's `<text class="…">`s.
fn text_classes(markup: &str) -> Vec<String> {
    markup
        .split("<text class=\"")
        .skip(1)
        .filter_map(|t| t.split('"').next().map(str::to_string))
        .collect()
}

#[test]
fn presenter_mode_draws_every_node_at_its_size_without_the_legend() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        for preset in [
            "card-declined",
            "transient-payment",
            "no-semantic-lock",
            "compensation-fails",
            "two-customers",
        ] {
            let s = sim(preset, c, 4_000);
            let normal = svg(&s, 0, None);
            let big = svg_in(Size::Presenter, &s, 0, None);
            assert!(normal.contains(r#"class="legend""#), "{c:?} {preset}");
            assert!(!big.contains(r#"class="legend""#), "{c:?} {preset}");
            // The same nodes, each where presenter mode's layout puts it.
            for (key, rect) in crate::view::layout::nodes_in(Size::Presenter, c) {
                let tag = tag_of(&big, &key.test_id());
                assert!(
                    tag.contains(&format!("translate({} {})", Num(rect.x), Num(rect.y))),
                    "{c:?} {preset} {key:?}: {tag}"
                );
            }
            // What the audience reads is all there: titles, statuses, steps.
            let classes = text_classes(&big);
            for class in ["saga-node__title", "saga-node__status", "saga-step__name"] {
                assert!(
                    classes.iter().any(|k| k.starts_with(class)),
                    "{c:?} {preset}: no {class}"
                );
            }
            assert_eq!(
                big.matches("data-step=").count(),
                normal.matches("data-step=").count(),
                "{c:?} {preset}: every step row"
            );
            // Presenter rows are taller, for their larger type.
            assert!(big.contains(r#"<rect class="saga-step__bg" width="381.0" height="30""#));
        }
    }
    // The orchestrator's newest log lines are there.
    let s = sim("card-declined", Coordination::Orchestration, 600_000);
    let big = svg_in(Size::Presenter, &s, 0, None);
    assert!(big.matches(r#"class="orch-log__line""#).count() >= 3);
    assert!(big.contains("ended compensated"));
}

#[test]
fn a_long_log_line_wraps_at_a_space() {
    let lines = wrap(
        "12.30 s  A  waiting for a person on Create reservation: no reply",
        30,
    );
    assert!(
        lines.len() >= 2 && lines.iter().all(|l| l.chars().count() <= 30),
        "{lines:?}"
    );
    // Cut between words: the words read as before.
    let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
    assert_eq!(
        words.join(" "),
        "12.30 s A waiting for a person on Create reservation: no reply"
    );
    assert_eq!(wrap("short", 30), vec!["short".to_string()]);
}

#[test]
fn presenter_customers_fit_their_box() {
    let s = sim("two-customers", Coordination::Choreography, 0);
    let sagas = &s.snapshot().sagas;
    let whole: Vec<String> = sagas
        .iter()
        .map(|r| format!("{} {}", saga_letter(r.id), r.spec.customer))
        .collect();
    // Choreography's short box: both on its one line.
    let rect = crate::view::layout::node_rect_in(
        Size::Presenter,
        Coordination::Choreography,
        NodeKey::Customer,
    )
    .unwrap();
    let lines = presenter_lines(sagas, &whole, rect);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].len(), 2);
    // A narrow one: one line, ending with how many more.
    let narrow = Rect { w: 90.0, ..rect };
    let lines = presenter_lines(sagas, &whole, narrow);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].len() < 2);
    // A tall one: a line each.
    let tall = Rect {
        w: 90.0,
        h: 160.0,
        ..rect
    };
    let lines = presenter_lines(sagas, &whole, tall);
    assert_eq!(
        lines.iter().map(|l| l.len()).collect::<Vec<_>>(),
        vec![1, 1]
    );
}
