//! Drawing the timeline: the laid-out rows, spans, axis and now-line as SVG markup.

use std::collections::HashMap;
use std::fmt::Write;

use crate::engine::scenario::Coordination;
use crate::view::command::Command;
use crate::view::format::{saga_colour, saga_letter, seconds, Num};
use crate::view::html::Html;

use super::*;

/// The words an outcome reads as, for a span's kind.
fn outcome_words(kind: SpanKind, outcome: SpanOutcome) -> &'static str {
    match (kind, outcome) {
        (SpanKind::Down, SpanOutcome::Running) => "still down",
        (SpanKind::Down, _) => "back up",
        (k, SpanOutcome::Running) if k.is_wait() => "still waiting",
        (SpanKind::Timeout, _) => "timed out",
        (k, _) if k.is_wait() => "over",
        (_, SpanOutcome::Ok) => "done",
        (_, SpanOutcome::Failed) => "failed",
        (_, SpanOutcome::Refused) => "refused",
        (_, SpanOutcome::TimedOut) => "timed out",
        (_, SpanOutcome::Running) => "still running",
    }
}

/// What a span says to a screen reader and in its tooltip.
pub fn span_description(span: &Span, row: RowKey) -> String {
    let mut text = String::new();
    if let Some(saga) = span.saga {
        let _ = write!(text, "Saga {}: ", saga_letter(saga));
    }
    let _ = write!(
        text,
        "{} on {}, {}, {} to {}",
        span.label,
        row.label(),
        outcome_words(span.kind, span.outcome),
        seconds(span.start_ms),
        seconds(span.end_ms)
    );
    if !span.detail.is_empty() {
        let _ = write!(text, " ({})", span.detail);
    }
    text
}

/// Rough width of a span's text, with its padding.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * SPAN_FONT * 0.6 + 8.0
}

fn text_fits(text: &str, width: f64) -> bool {
    text_width(text) <= width
}

/// The y of a sub-lane's top edge in a row.
fn lane_y(row: &GanttRow, lane: usize) -> f64 {
    row.y + ROW_PAD + lane as f64 * (LANE_H + LANE_GAP)
}

/// The row labels, in an `<svg>` of their own that the stylesheet keeps in view (sticky) while
/// the timeline scrolls sideways under it: each row's name on its stripe and, when several sagas
/// run, each sub-lane's saga letter in the saga's colour.
fn labels_svg(out: &mut Html, g: &GanttLayout, several: bool) {
    let (w, h) = (Num(LABEL_W), Num(g.height));
    out.push(r#"<svg class="gantt__labels" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" viewBox="0 0 "#)
        .push_plain(w)
        .push(" ")
        .push_plain(h)
        .push(r#"" width=""#)
        .push_plain(w)
        .push(r#"" height=""#)
        .push_plain(h)
        .push(r#""><rect class="gantt__labels-bg" x="0" y="0" width=""#)
        .push_plain(w)
        .push(r#"" height=""#)
        .push_plain(h)
        .push(r#""/>"#);
    for (i, row) in g.rows.iter().enumerate() {
        out.push(r#"<rect class="gantt__row gantt__row--"#)
            .push(if i % 2 == 0 { "even" } else { "odd" })
            .push(r#"" x="0" y=""#)
            .push_plain(Num(row.y))
            .push(r#"" width=""#)
            .push_plain(w)
            .push(r#"" height=""#)
            .push_plain(Num(row.height))
            .push(r#""/><text class="gantt__row-label" data-row=""#)
            .push(row.key.as_str())
            .push(r#"" x="10" y=""#)
            .push_plain(Num(row.y + ROW_PAD + LANE_H / 2.0 + 4.0))
            .push(r#"">"#)
            .push_text(row.key.label())
            .push("</text>");
        if !several {
            continue;
        }
        for (lane, saga) in row.lanes.iter().enumerate() {
            let Some(saga) = saga else {
                continue;
            };
            let y = lane_y(row, lane);
            out.push(r#"<g class="gantt__lane-label saga-"#)
                .push_plain(saga_colour(*saga))
                .push(r#"" data-saga=""#)
                .push_plain(saga_letter(*saga))
                .push(r#"" transform="translate("#)
                .push_plain(Num(LABEL_W - 22.0))
                .push(" ")
                .push_plain(Num(y + 2.0))
                .push(r#")"><rect class="gantt__lane-chip" width="16" height=""#)
                .push_plain(Num(LANE_H - 4.0))
                .push(r#"" rx="4"/>"#)
                .push_svg_text(
                    "gantt__lane-letter",
                    (8.0, LANE_H / 2.0 + 2.0),
                    Some("middle"),
                    &saga_letter(*saga).to_string(),
                )
                .push("</g>");
        }
    }
    out.push_line(
        "gantt__labels-edge",
        (LABEL_W - 0.5, 0.0),
        (LABEL_W - 0.5, g.height),
    )
    .push("</svg>");
}

/// The whole timeline: its row labels (kept in view while it scrolls sideways) over an `<svg>`
/// of its rows, axis, spans and now-line, in a `<div class="gantt-frame">`.
pub fn gantt_svg(input: &GanttInput) -> String {
    let g = layout(input);
    let mut out = Html::with_capacity(10 * 1024 + g.spans.len() * 600);
    let several = input.scenario.sagas.len() > 1;
    out.push(r#"<div class="gantt-frame">"#);
    labels_svg(&mut out, &g, several);
    let (w, h) = (Num(g.width), Num(g.height));
    out.push(r#"<svg class="gantt" data-testid="gantt-view" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#)
        .push_plain(w)
        .push(" ")
        .push_plain(h)
        .push(r#"" width=""#)
        .push_plain(w)
        .push(r#"" height=""#)
        .push_plain(h)
        .push(r#"" role="group" aria-label="Timeline of the run: one row per "#)
        .push(match input.scenario.coordination {
            Coordination::Orchestration => "service and the orchestrator",
            Coordination::Choreography => "service",
        })
        .push(r#", time to the right">"#)
        .push(concat!(
            r#"<defs><pattern id="gantt-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">"#,
            r#"<line class="gantt__hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>"#
        ));

    // Rows, and with several sagas each sub-lane tinted in its saga's colour.
    out.push(r#"<g class="gantt__rows">"#);
    for (i, row) in g.rows.iter().enumerate() {
        out.push(r#"<rect class="gantt__row gantt__row--"#)
            .push(if i % 2 == 0 { "even" } else { "odd" })
            .push(r#"" data-row=""#)
            .push(row.key.as_str())
            .push(r#"" x="0" y=""#)
            .push_plain(Num(row.y))
            .push(r#"" width=""#)
            .push_plain(w)
            .push(r#"" height=""#)
            .push_plain(Num(row.height))
            .push(r#""/>"#);
        if !several {
            continue;
        }
        for (lane, saga) in row.lanes.iter().enumerate() {
            if let Some(saga) = saga {
                out.push(r#"<rect class="gantt__lane saga-"#)
                    .push_plain(saga_colour(*saga))
                    .push(r#"" data-saga=""#)
                    .push_plain(saga_letter(*saga))
                    .push(r#"" x=""#)
                    .push_plain(Num(LABEL_W))
                    .push(r#"" y=""#)
                    .push_plain(Num(lane_y(row, lane) - LANE_GAP / 2.0))
                    .push(r#"" width=""#)
                    .push_plain(Num(g.width - LABEL_W))
                    .push(r#"" height=""#)
                    .push_plain(Num(LANE_H + LANE_GAP))
                    .push(r#""/>"#);
            }
        }
    }
    out.push("</g>");

    // Axis.
    out.push(r#"<g class="gantt__axis" aria-hidden="true">"#);
    for t in &g.axis {
        out.push_line(
            "gantt__tick",
            (t.x, AXIS_H - 6.0),
            (t.x, g.height - BOTTOM_PAD),
        )
        .push_svg_text(
            "gantt__tick-label",
            (t.x + if t.ms == 0 { 3.0 } else { 0.0 }, AXIS_H - 10.0),
            // The first would be half under the row labels.
            Some(if t.ms == 0 { "start" } else { "middle" }),
            &t.label,
        );
    }
    out.push("</g>");

    // Spans.
    out.push(r#"<g class="gantt__spans">"#);
    // Where the next span on each lane begins, for labels drawn outside narrow spans.
    let mut starts: HashMap<(usize, usize), Vec<f64>> = HashMap::new();
    for s in &g.spans {
        if let Some(lane) = s.lane {
            starts.entry((s.row, lane)).or_default().push(s.x0);
        }
    }
    for v in starts.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    for span in &g.spans {
        let Some(row) = g.rows.get(span.row) else {
            continue;
        };
        let room = match span.lane {
            Some(lane) => starts
                .get(&(span.row, lane))
                .and_then(|v| v.iter().copied().find(|&x| x >= span.x1))
                .unwrap_or(g.width),
            // A band's label goes where no span of its row is drawn.
            None => g
                .spans
                .iter()
                .filter(|s| s.row == span.row && s.lane.is_some())
                // Counting the label a narrow span may draw to its right.
                .filter(|s| s.x1 + text_width(&s.label) > span.x0)
                .map(|s| s.x0.max(span.x0))
                .fold(span.x1, f64::min),
        };
        span_svg(&mut out, span, row.key, input.selected, room);
    }
    out.push("</g>");

    out.push(r#"<g class="gantt__now" data-testid="gantt-now">"#)
        .push_line(
            "gantt__now-line",
            (g.now_x, AXIS_H - 4.0),
            (g.now_x, g.height - BOTTOM_PAD),
        )
        .push_svg_text(
            "gantt__now-label",
            (g.now_x, 12.0),
            Some(if g.now_x > g.width - 60.0 {
                "end"
            } else {
                "middle"
            }),
            &format!("now {}", seconds(input.now_ms)),
        )
        .push("</g></svg></div>");
    out.into_string()
}

/// The mark that tells a span's outcome without colour.
fn span_icon(span: &Span) -> &'static str {
    match (span.kind, span.outcome) {
        (_, SpanOutcome::Running) => "…",
        (k, _) if k.is_wait() => "",
        (_, outcome) => outcome.icon(),
    }
}

/// Draws one span; `room` is the x where the next span on its lane begins (or the plot's end;
/// for a band, where the first span of its row covers it).
fn span_svg(out: &mut Html, span: &Span, row: RowKey, selected: Option<u64>, room: f64) {
    let is_selected = selected.is_some_and(|s| span.events.contains(&s));
    let description = span_description(span, row);
    let (kind, outcome) = (span.kind.as_str(), span.outcome.as_str());
    out.push(r#"<g class="gantt-span gantt-span--"#)
        .push(kind)
        .push(" gantt-span--")
        .push(outcome);
    if let Some(saga) = span.saga {
        out.push(" saga-").push_plain(saga_colour(saga));
    }
    out.push(if is_selected {
        " gantt-span--selected"
    } else {
        ""
    })
    .push(r#"" data-kind=""#)
    .push(kind);
    if let Some(saga) = span.saga {
        out.push(r#"" data-saga=""#).push_plain(saga_letter(saga));
    }
    out.push(r#"" data-outcome=""#)
        .push(outcome)
        .push(r#"" data-row=""#)
        .push(row.as_str())
        .push(r#"" "#)
        .push_command(Command::SelectEvent(span.seq))
        .push(r#" tabindex="0" role="button""#)
        .push_attr("aria-label", &description)
        .push(if is_selected {
            r#" aria-current="true""#
        } else {
            ""
        })
        .push("><title>")
        .push_text(&description)
        .push("</title>");
    let (at, size) = ((span.x0, span.y), (span.x1 - span.x0, span.height));
    out.push_rect("gantt-span__box", at, size, r#" rx="3""#);
    if span.kind == SpanKind::Compensation {
        out.push_rect(
            "gantt-span__hatch",
            at,
            size,
            r#" rx="3" fill="url(#gantt-hatch)""#,
        );
    }
    if span.kind != SpanKind::Down {
        let width = span.x1 - span.x0;
        let icon = span_icon(span);
        let full = format!("{icon} {}", span.label).trim_start().to_string();
        let short = match span.kind {
            SpanKind::Compensation => format!("{icon} undo").trim_start().to_string(),
            _ => icon.to_string(),
        };
        let y = span.y + span.height / 2.0 + 4.0;
        if text_fits(&full, width) {
            out.push_svg_text("gantt-span__text", (span.x0 + 4.0, y), None, &full);
        } else {
            // Too narrow: a short mark inside, the label outside if the lane has room.
            let short_fits = !short.is_empty() && text_fits(&short, width);
            if short_fits {
                out.push_svg_text("gantt-span__text", (span.x0 + 4.0, y), None, &short);
            }
            let outside = if short_fits { span.label.clone() } else { full };
            if text_fits(&outside, room - span.x1) {
                out.push_svg_text(
                    "gantt-span__text gantt-span__text--outside",
                    (span.x1 + 2.0, y),
                    None,
                    &outside,
                );
            }
        }
    } else if text_fits(&span.label, room - span.x0) {
        out.push_svg_text(
            "gantt-span__band-text",
            (span.x0 + 4.0, span.y + span.height / 2.0 + 4.0),
            None,
            &span.label,
        );
    }
    out.push("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::EventKind;
    use crate::view::gantt::testing::*;

    #[test]
    fn every_span_is_a_button_that_selects_its_event() {
        for (name, r) in all_runs().into_iter().step_by(3) {
            let g = r.layout();
            let svg = gantt_svg(&r.input(None));
            assert!(
                svg.starts_with(r#"<div class="gantt-frame"><svg class="gantt__labels""#)
                    && svg.ends_with("</svg></div>"),
                "{name}"
            );
            assert!(svg.contains(r#"data-testid="gantt-view""#), "{name}");
            assert!(svg.contains(&format!(
                r#"viewBox="0 0 {} {}" width="{}" height="{}""#,
                Num(g.width),
                Num(g.height),
                Num(g.width),
                Num(g.height)
            )));
            let n = g.spans.len();
            assert_eq!(
                svg.matches(r#"data-action="select-event""#).count(),
                n,
                "{name}"
            );
            assert_eq!(
                svg.matches(r#"tabindex="0" role="button" aria-label=""#)
                    .count(),
                n
            );
            assert_eq!(svg.matches("<title>").count(), n, "{name}");
            for s in &g.spans {
                assert!(svg.contains(&format!(r#"data-seq="{}""#, s.seq)), "{name}");
            }
            assert!(!svg.contains("aria-current"), "{name}");
        }
    }

    #[test]
    fn the_selected_event_highlights_its_span() {
        let r = run("transient-payment", Coordination::Orchestration, None);
        let g = r.layout();
        let failed = r.events(|k| matches!(k, EventKind::TaskFailed { .. }))[1];
        let holders: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.events.contains(&failed.seq))
            .collect();
        assert_eq!(holders.len(), 1);
        let svg = gantt_svg(&r.input(Some(failed.seq)));
        assert_eq!(svg.matches(r#"aria-current="true""#).count(), 1);
        let start = svg.find("gantt-span--selected").expect("selected");
        let tail = &svg[start..];
        let tag_end = tail.find('>').expect("tag");
        assert!(tail[..tag_end].contains(&format!(r#"data-seq="{}""#, holders[0].seq)));
        assert!(tail[..tag_end].contains(r#"aria-current="true""#));
        // An event no span stands for highlights nothing.
        let svg = gantt_svg(&r.input(Some(u64::MAX)));
        assert!(!svg.contains("aria-current"));
    }

    #[test]
    fn text_is_escaped() {
        let mut r = run("card-declined", Coordination::Orchestration, None);
        r.scenario.definition.steps[1].name = "Charge <b>card</b> & \"co\"".to_string();
        let svg = gantt_svg(&r.input(None));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("Charge &lt;b&gt;card&lt;/b&gt; &amp; &quot;co&quot;"));
    }

    #[test]
    fn the_now_line_is_drawn_at_now() {
        let r = run("happy-path", Coordination::Choreography, Some(4_000));
        let g = r.layout();
        let svg = gantt_svg(&r.input(None));
        assert!(svg.contains(&format!(r#"x1="{}""#, Num(g.now_x))));
        assert!(svg.contains("now 4.00 s"));
        assert!((g.now_x - (LABEL_W + 4_000.0 / g.ms_per_px)).abs() < 1e-9);
    }

    #[test]
    fn the_row_labels_are_drawn_apart_to_stay_in_view() {
        for (name, r) in all_runs().into_iter().step_by(5) {
            let g = r.layout();
            let svg = gantt_svg(&r.input(None));
            let (labels, plot) = svg
                .split_once(r#"<svg class="gantt" "#)
                .expect("two drawings");
            assert!(
                labels.contains(&format!(
                    r#"<svg class="gantt__labels" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" viewBox="0 0 {} {}" width="{}""#,
                    Num(LABEL_W),
                    Num(g.height),
                    Num(LABEL_W)
                )),
                "{name}"
            );
            for row in &g.rows {
                let key = format!(r#"data-row="{}""#, row.key.as_str());
                assert_eq!(labels.matches(&key).count(), 1, "{name}");
                assert!(labels.contains(&format!(">{}</text>", row.key.label())));
            }
            assert!(!plot.contains("gantt__row-label"), "{name}");
            // Nothing of the run is drawn under the labels while the view is scrolled home.
            assert!(g.spans.iter().all(|s| s.x0 >= LABEL_W), "{name}");
            assert!(plot.contains(r#"text-anchor="start">0 s</text>"#), "{name}");
        }
    }

    #[test]
    fn with_several_sagas_each_lane_is_tinted_and_lettered_in_its_colour() {
        for c in STYLES {
            let r = run("two-customers", c, None);
            let g = r.layout();
            let svg = gantt_svg(&r.input(None));
            let lanes: usize = g
                .rows
                .iter()
                .map(|row| row.lanes.iter().flatten().count())
                .sum();
            assert_eq!(
                svg.matches(r#"<rect class="gantt__lane saga-"#).count(),
                lanes
            );
            assert_eq!(
                svg.matches(r#"<g class="gantt__lane-label saga-"#).count(),
                lanes
            );
            let mut marked = 0;
            for (saga, letter) in [(0, 'A'), (1, 'B')] {
                assert!(svg.contains(&format!(
                    r#"<rect class="gantt__lane saga-{saga}" data-saga="{letter}""#
                )));
                assert!(svg.contains(&format!(
                    r#"<g class="gantt__lane-label saga-{saga}" data-saga="{letter}""#
                )));
                marked += svg
                    .matches(&format!(r#"data-saga="{letter}" data-outcome=""#))
                    .count();
            }
            // Every span of a saga says whose it is.
            assert_eq!(
                marked,
                g.spans.iter().filter(|s| s.saga.is_some()).count(),
                "{c:?}"
            );
        }
        // One saga: no tints, no letters.
        let r = run("card-declined", Coordination::Orchestration, None);
        let svg = gantt_svg(&r.input(None));
        assert!(!svg.contains("gantt__lane"));
        assert!(svg.contains(r#"data-saga="A""#), "spans still say whose");
    }
}
