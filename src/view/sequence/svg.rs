//! Drawing the sequence diagram: lane heads and lifelines, each row's arrow or note as a button
//! that selects its event, and the words a screen reader hears for it.

use crate::view::command::Command;
use crate::view::format::{saga_colour, seconds, Num};
use crate::view::html::Html;

use super::*;

/// Rough width of a text at the note size.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 6.4
}

fn lane_x(layout: &SequenceLayout, i: usize) -> f64 {
    layout.lanes.get(i).map_or(0.0, |l| l.x)
}

fn lane_name(layout: &SequenceLayout, i: usize) -> &str {
    layout.lanes.get(i).map_or("", |l| l.label.as_str())
}

/// What a screen reader says for a row: its visible text first (time, then label), then where.
fn aria(layout: &SequenceLayout, row: &SeqRow) -> String {
    let time = seconds(row.at_ms);
    match &row.mark {
        SeqMark::Arrow(a) => format!(
            "{time} {}: from {} to {}",
            a.label,
            lane_name(layout, a.from),
            lane_name(layout, a.to)
        ),
        SeqMark::Note(n) => format!("{time} {}: on {}", n.text, lane_name(layout, n.lane)),
    }
}

fn arrow_classes(a: &SeqArrow) -> String {
    let mut c = format!("seq-arrow seq-arrow--{}", a.class);
    match a.kind {
        ArrowKind::Message => {}
        ArrowKind::DeadLetter => c.push_str(" seq-arrow--dead-letter"),
        ArrowKind::Redrive => c.push_str(" seq-arrow--redrive"),
    }
    for (on, name) in [
        (a.retry.is_some(), " seq-arrow--retry"),
        (a.duplicate, " seq-arrow--duplicate"),
        (a.lost, " seq-arrow--lost"),
        (a.compensation, " seq-arrow--compensation"),
    ] {
        if on {
            c.push_str(name);
        }
    }
    c
}

/// The rectangle that answers a click on a row, from `x`, `w` wide.
fn hit(out: &mut Html, row: &SeqRow, x: f64, w: f64) {
    out.push_rect(
        "seq-row__hit",
        (x, row.y - ROW_PITCH / 2.0),
        (w, ROW_PITCH),
        "",
    );
}

/// A text of the diagram, at the start of `x` or centred on it.
fn text(out: &mut Html, class: &'static str, x: f64, y: f64, middle: bool, words: &str) {
    out.push_svg_text(class, (x, y), middle.then_some("middle"), words);
}

fn draw_arrow(out: &mut Html, layout: &SequenceLayout, row: &SeqRow, a: &SeqArrow) {
    let (fx, tx) = (lane_x(layout, a.from), lane_x(layout, a.to));
    let line_y = row.y + 5.0;
    let label_y = row.y - 1.0;
    if a.from == a.to {
        // A message to oneself: a small loop to the right.
        hit(out, row, fx - 4.0, LANE_WIDTH);
        out.push(r#"<path class="seq-arrow__line" d="M"#)
            .push_plain(Num(fx))
            .push(" ")
            .push_plain(Num(line_y - 4.0))
            .push(r#"h26v8h-22"/><path class="seq-arrow__head" d="M"#)
            .push_plain(Num(fx))
            .push(" ")
            .push_plain(Num(line_y + 4.0))
            .push(r#"l7 -4v8z"/>"#);
        text(
            out,
            "seq-text seq-text--label",
            fx + 30.0,
            line_y + 2.0,
            false,
            &a.label,
        );
        return;
    }
    let dir = if tx >= fx { 1.0 } else { -1.0 };
    // A lost message stops short of its target, with a cross.
    let end = if a.lost { fx + (tx - fx) * 0.7 } else { tx };
    let (lo, hi) = if fx < tx { (fx, tx) } else { (tx, fx) };
    hit(out, row, lo - 6.0, hi - lo + 12.0);
    out.push_line("seq-arrow__line", (fx, line_y), (end, line_y));
    if a.lost {
        out.push(r#"<path class="seq-arrow__cross" d="M"#)
            .push_plain(Num(end - 4.0))
            .push(" ")
            .push_plain(Num(line_y - 4.0))
            .push(r#"l8 8m0 -8l-8 8"/>"#);
    } else {
        out.push(r#"<path class="seq-arrow__head" d="M"#)
            .push_plain(Num(tx))
            .push(" ")
            .push_plain(Num(line_y))
            .push("l")
            .push_plain(Num(-8.0 * dir))
            .push(r#" -4v8z"/>"#);
    }
    if a.compensation {
        // The undo marker: a hook at the tail, besides the "undo" in the label.
        out.push(r#"<path class="seq-arrow__undo" d="M"#)
            .push_plain(Num(fx + 3.0 * dir))
            .push(" ")
            .push_plain(Num(line_y + 3.5))
            .push(r#"v-7"/>"#);
    }
    text(
        out,
        "seq-text seq-text--label",
        (fx + end) / 2.0,
        label_y,
        true,
        &a.label,
    );
}

fn draw_note(out: &mut Html, layout: &SequenceLayout, row: &SeqRow, n: &SeqNote) {
    let w = text_width(&n.text) + 14.0;
    // Kept inside the drawing: a note on the last lane shifts left.
    let x = lane_x(layout, n.lane)
        .min(layout.width - w / 2.0 - 2.0)
        .max(TIME_WIDTH + w / 2.0);
    // The note's whole width and the row's height answer a click, as an arrow's row does.
    hit(out, row, x - w / 2.0 - 6.0, w + 12.0);
    out.push_rect(
        "seq-note__box",
        (x - w / 2.0, row.y - 9.0),
        (w, 18.0),
        r#" rx="4""#,
    );
    text(
        out,
        "seq-text seq-text--note",
        x,
        row.y + 4.0,
        true,
        &n.text,
    );
}

/// The sequence diagram as an `<svg>` element.
pub fn sequence_svg(input: &SequenceInput) -> String {
    let layout = layout(input);
    let (w, h) = (layout.width, layout.height);
    let arrows = layout.rows.iter().filter(|r| r.arrow().is_some()).count();
    let mut out = Html::with_capacity(1024 + layout.rows.len() * 420);
    out.push(r#"<svg class="sequence" data-testid="sequence-view" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#)
        .push_plain(Num(w))
        .push(" ")
        .push_plain(Num(h))
        .push(r#"" width=""#)
        .push_plain(Num(w))
        .push(r#"" height=""#)
        .push_plain(Num(h))
        .push(r#"" role="group""#)
        .push_attr(
            "aria-label",
            &format!(
                "Sequence diagram: {} lanes, {arrows} arrows, {} notes",
                layout.lanes.len(),
                layout.rows.len().saturating_sub(arrows)
            ),
        )
        .push(r#"><g class="seq-lifelines" aria-hidden="true">"#);
    for l in &layout.lanes {
        out.push_line("seq-lifeline", (l.x, HEAD_HEIGHT - 8.0), (l.x, h));
    }
    out.push(r#"</g><g class="seq-rows">"#);
    for row in &layout.rows {
        let (kind, classes) = match &row.mark {
            SeqMark::Arrow(a) => ("arrow", arrow_classes(a)),
            SeqMark::Note(n) => ("note", format!("seq-note seq-note--{}", n.kind.as_str())),
        };
        out.push(r#"<g class="seq-row seq-row--"#)
            .push(kind)
            .push(" ")
            .push_text(&classes);
        // The saga's colour comes from its class (`.saga-N` sets `--saga`): the page's content
        // security policy allows no style attributes.
        if let Some(s) = row.saga {
            out.push(" saga-").push_plain(saga_colour(s));
        }
        out.push(if row.selected {
            " seq-row--selected"
        } else {
            ""
        })
        .push(r#"" "#)
        .push_command(Command::SelectEvent(row.seq));
        match &row.mark {
            SeqMark::Arrow(a) => {
                out.push(r#" data-message=""#)
                    .push_plain(a.message)
                    .push(r#"""#);
            }
            SeqMark::Note(n) => {
                out.push(r#" data-note=""#)
                    .push(n.kind.as_str())
                    .push(r#"""#);
            }
        }
        if let Some(s) = row.saga {
            out.push(r#" data-saga=""#).push_plain(s).push(r#"""#);
        }
        out.push(r#" tabindex="0" role="button""#)
            .push_attr("aria-label", &aria(&layout, row))
            .push(if row.selected {
                r#" aria-current="true">"#
            } else {
                ">"
            });
        if row.selected {
            out.push_rect(
                "seq-row__band",
                (0.0, row.y - ROW_PITCH / 2.0),
                (w, ROW_PITCH),
                "",
            );
        }
        // The space keeps the time and the label apart in the row's text, which is what a
        // screen reader's name for the row must start with.
        out.push_svg_text(
            "seq-text seq-text--time",
            (TIME_WIDTH - 8.0, row.y + 4.0),
            Some("end"),
            &format!("{} ", seconds(row.at_ms)),
        );
        match &row.mark {
            SeqMark::Arrow(a) => draw_arrow(&mut out, &layout, row, a),
            SeqMark::Note(n) => draw_note(&mut out, &layout, row, n),
        }
        out.push("</g>");
    }
    // The lane heads come last, over everything, on a band of their own: the page keeps them
    // at the top of the pane while it scrolls down the rows.
    out.push(r#"</g><g class="seq-heads"><rect class="seq-heads__band" x="0" y="0" width=""#)
        .push_plain(Num(w))
        .push(r#"" height=""#)
        .push_plain(Num(HEAD_HEIGHT))
        .push(r#""/>"#);
    for l in &layout.lanes {
        let key = l.key.as_str();
        let bw = LANE_WIDTH - 16.0;
        out.push(r#"<g class="seq-head seq-head--"#)
            .push(key)
            .push(r#"" data-lane=""#)
            .push(key)
            .push(r#"" data-testid="sequence-lane-"#)
            .push(key)
            .push(r#""><rect class="seq-head__box" x=""#)
            .push_plain(Num(l.x - bw / 2.0))
            .push(r#"" y="4" width=""#)
            .push_plain(Num(bw))
            .push(r#"" height=""#)
            .push_plain(Num(HEAD_HEIGHT - 12.0))
            .push(r#"" rx="6"/>"#);
        text(
            &mut out,
            "seq-text seq-text--lane",
            l.x,
            if l.sub.is_empty() { 25.0 } else { 20.0 },
            true,
            &l.label,
        );
        if !l.sub.is_empty() {
            text(
                &mut out,
                "seq-text seq-text--lane-sub",
                l.x,
                33.0,
                true,
                &l.sub,
            );
        }
        out.push("</g>");
    }
    out.push("</g></svg>");
    out.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::EventKind;
    use crate::engine::presets::scenario;
    use crate::engine::scenario::Storage;
    use crate::view::sequence::testing::*;

    #[test]
    fn selection_highlights_one_row() {
        let sim = run("card-declined", CHOREO);
        let l = layout(&input(&sim, None));
        assert!(l.rows.iter().all(|r| !r.selected));
        let row = &l.rows[4];
        let svg = sequence_svg(&input(&sim, Some(row.seq)));
        assert_eq!(svg.matches("aria-current=\"true\"").count(), 1);
        assert_eq!(svg.matches("seq-row--selected").count(), 1);
        let at = svg.find("aria-current").expect("current");
        let start = svg[..at].rfind("<g ").expect("row start");
        assert!(svg[start..at].contains(&format!("data-seq=\"{}\"", row.seq)));
        // Selecting a message's arrival (in the log) highlights its arrow.
        let arrived = sim
            .trace()
            .iter()
            .find(|e| matches!(e.kind, EventKind::MessageArrived { .. }))
            .expect("arrival");
        let l = layout(&input(&sim, Some(arrived.seq)));
        let selected: Vec<&SeqRow> = l.rows.iter().filter(|r| r.selected).collect();
        assert_eq!(selected.len(), 1);
        assert!(selected[0].arrow().is_some() && selected[0].seq < arrived.seq);
    }

    #[test]
    fn every_row_is_a_button_for_its_event() {
        let sim = run("orchestrator-crash", ORCH);
        let l = layout(&input(&sim, None));
        let svg = sequence_svg(&input(&sim, None));
        assert!(svg.starts_with("<svg class=\"sequence\" data-testid=\"sequence-view\""));
        assert!(svg.contains(&format!(
            "viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\"",
            Num(l.width),
            Num(l.height),
            Num(l.width),
            Num(l.height)
        )));
        assert_eq!(
            svg.matches("data-action=\"select-event\"").count(),
            l.rows.len()
        );
        assert_eq!(svg.matches("role=\"button\"").count(), l.rows.len());
        let arrows = l.rows.iter().filter(|r| r.arrow().is_some()).count();
        assert_eq!(svg.matches("data-message=").count(), arrows);
        assert_eq!(svg.matches("data-note=").count(), l.rows.len() - arrows);
        assert_eq!(svg.matches("tabindex=\"0\"").count(), l.rows.len());
        for r in &l.rows {
            assert!(svg.contains(&format!("data-seq=\"{}\"", r.seq)));
        }
        let notes: Vec<NoteKind> = l
            .rows
            .iter()
            .filter_map(SeqRow::note)
            .map(|n| n.kind)
            .collect();
        assert!(notes.contains(&NoteKind::Crashed) && notes.contains(&NoteKind::Recovered));
        assert_eq!(svg.matches("<g ").count(), svg.matches("</g>").count());
    }

    #[test]
    fn text_is_escaped() {
        let mut s = scenario("card-declined", CHOREO, Storage::PerService, 1).expect("preset");
        s.definition.steps[0].name = "Reserve <b>&\"'".to_string();
        s.definition.steps[0].done_event = "<Created>".to_string();
        s.definition.steps[0].compensated_event = Some("<Undone>".to_string());
        s.definition.start_event = "<Start & go>".to_string();
        let sim = run_scenario(s.clone());
        let svg = sequence_svg(&input(&sim, None));
        assert!(svg.contains("&lt;Created&gt;"));
        assert!(svg.contains("&lt;Start &amp; go&gt;"));
        assert!(!svg.contains("<Created>") && !svg.contains("<Start") && !svg.contains("<b>"));
        s.coordination = ORCH;
        let sim = run_scenario(s);
        let svg = sequence_svg(&input(&sim, None));
        assert!(svg.contains("Reserve &lt;b&gt;&amp;&quot;&#39;"));
        assert!(!svg.contains("<b>"));
    }
}
