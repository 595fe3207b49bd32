//! Drawing the sequence diagram: lane heads and lifelines, each row's arrow or note as a button
//! that selects its event, and the words a screen reader hears for it.

use std::fmt::Write;

use crate::view::command::Command;
use crate::view::format::{escape, saga_colour, seconds, Num};

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

fn draw_arrow(out: &mut String, layout: &SequenceLayout, row: &SeqRow, a: &SeqArrow) {
    let (fx, tx) = (lane_x(layout, a.from), lane_x(layout, a.to));
    let line_y = row.y + 5.0;
    let label_y = row.y - 1.0;
    if a.from == a.to {
        // A message to oneself: a small loop to the right.
        let _ = write!(
            out,
            r#"<rect class="seq-row__hit" x="{}" y="{}" width="{}" height="{}"/><path class="seq-arrow__line" d="M{} {}h26v8h-22"/><path class="seq-arrow__head" d="M{} {}l7 -4v8z"/>"#,
            Num(fx - 4.0),
            Num(row.y - ROW_PITCH / 2.0),
            Num(LANE_WIDTH),
            Num(ROW_PITCH),
            Num(fx),
            Num(line_y - 4.0),
            Num(fx),
            Num(line_y + 4.0),
        );
        let _ = write!(
            out,
            r#"<text class="seq-text seq-text--label" x="{}" y="{}">{}</text>"#,
            Num(fx + 30.0),
            Num(line_y + 2.0),
            escape(&a.label)
        );
        return;
    }
    let dir = if tx >= fx { 1.0 } else { -1.0 };
    // A lost message stops short of its target, with a cross.
    let end = if a.lost { fx + (tx - fx) * 0.7 } else { tx };
    let (lo, hi) = if fx < tx { (fx, tx) } else { (tx, fx) };
    let _ = write!(
        out,
        r#"<rect class="seq-row__hit" x="{}" y="{}" width="{}" height="{}"/>"#,
        Num(lo - 6.0),
        Num(row.y - ROW_PITCH / 2.0),
        Num(hi - lo + 12.0),
        Num(ROW_PITCH)
    );
    let _ = write!(
        out,
        r#"<line class="seq-arrow__line" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
        Num(fx),
        Num(line_y),
        Num(end),
        Num(line_y)
    );
    if a.lost {
        let _ = write!(
            out,
            r#"<path class="seq-arrow__cross" d="M{} {}l8 8m0 -8l-8 8"/>"#,
            Num(end - 4.0),
            Num(line_y - 4.0)
        );
    } else {
        let _ = write!(
            out,
            r#"<path class="seq-arrow__head" d="M{} {}l{} -4v8z"/>"#,
            Num(tx),
            Num(line_y),
            Num(-8.0 * dir)
        );
    }
    if a.compensation {
        // The undo marker: a hook at the tail, besides the "undo" in the label.
        let _ = write!(
            out,
            r#"<path class="seq-arrow__undo" d="M{} {}v-7"/>"#,
            Num(fx + 3.0 * dir),
            Num(line_y + 3.5)
        );
    }
    let _ = write!(
        out,
        r#"<text class="seq-text seq-text--label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        Num((fx + end) / 2.0),
        Num(label_y),
        escape(&a.label)
    );
}

fn draw_note(out: &mut String, layout: &SequenceLayout, row: &SeqRow, n: &SeqNote) {
    let w = text_width(&n.text) + 14.0;
    // Kept inside the drawing: a note on the last lane shifts left.
    let x = lane_x(layout, n.lane)
        .min(layout.width - w / 2.0 - 2.0)
        .max(TIME_WIDTH + w / 2.0);
    // The note's whole width and the row's height answer a click, as an arrow's row does.
    let _ = write!(
        out,
        r#"<rect class="seq-row__hit" x="{}" y="{}" width="{}" height="{}"/>"#,
        Num(x - w / 2.0 - 6.0),
        Num(row.y - ROW_PITCH / 2.0),
        Num(w + 12.0),
        Num(ROW_PITCH)
    );
    let _ = write!(
        out,
        r#"<rect class="seq-note__box" x="{}" y="{}" width="{}" height="18" rx="4"/><text class="seq-text seq-text--note" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        Num(x - w / 2.0),
        Num(row.y - 9.0),
        Num(w),
        Num(x),
        Num(row.y + 4.0),
        escape(&n.text)
    );
}

/// The sequence diagram as an `<svg>` element.
pub fn sequence_svg(input: &SequenceInput) -> String {
    let layout = layout(input);
    let (w, h) = (layout.width, layout.height);
    let arrows = layout.rows.iter().filter(|r| r.arrow().is_some()).count();
    let mut out = String::with_capacity(1024 + layout.rows.len() * 420);
    let _ = write!(
        out,
        r#"<svg class="sequence" data-testid="sequence-view" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="group" aria-label="{}">"#,
        Num(w),
        Num(h),
        Num(w),
        Num(h),
        escape(&format!(
            "Sequence diagram: {} lanes, {arrows} arrows, {} notes",
            layout.lanes.len(),
            layout.rows.len().saturating_sub(arrows)
        ))
    );
    out.push_str(r#"<g class="seq-lifelines" aria-hidden="true">"#);
    for l in &layout.lanes {
        let _ = write!(
            out,
            r#"<line class="seq-lifeline" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            Num(l.x),
            Num(HEAD_HEIGHT - 8.0),
            Num(l.x),
            Num(h)
        );
    }
    out.push_str("</g><g class=\"seq-rows\">");
    for row in &layout.rows {
        let (kind, extra, what) = match &row.mark {
            SeqMark::Arrow(a) => (
                "arrow",
                arrow_classes(a),
                format!(r#" data-message="{}""#, a.message),
            ),
            SeqMark::Note(n) => (
                "note",
                format!("seq-note seq-note--{}", n.kind.as_str()),
                format!(r#" data-note="{}""#, n.kind.as_str()),
            ),
        };
        let saga = row
            .saga
            .map(|s| {
                format!(
                    r#" data-saga="{s}" style="--saga: var(--saga-{})""#,
                    saga_colour(s)
                )
            })
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<g class="seq-row seq-row--{kind} {extra}{}" {}{what}{saga} tabindex="0" role="button" aria-label="{}"{}>"#,
            if row.selected {
                " seq-row--selected"
            } else {
                ""
            },
            Command::SelectEvent(row.seq).attrs(),
            escape(&aria(&layout, row)),
            if row.selected {
                r#" aria-current="true""#
            } else {
                ""
            }
        );
        if row.selected {
            let _ = write!(
                out,
                r#"<rect class="seq-row__band" x="0" y="{}" width="{}" height="{}"/>"#,
                Num(row.y - ROW_PITCH / 2.0),
                Num(w),
                Num(ROW_PITCH)
            );
        }
        let _ = write!(
            out,
            // The space keeps the time and the label apart in the row's text, which is what a
            // screen reader's name for the row must start with.
            r#"<text class="seq-text seq-text--time" x="{}" y="{}" text-anchor="end">{} </text>"#,
            Num(TIME_WIDTH - 8.0),
            Num(row.y + 4.0),
            escape(&seconds(row.at_ms))
        );
        match &row.mark {
            SeqMark::Arrow(a) => draw_arrow(&mut out, &layout, row, a),
            SeqMark::Note(n) => draw_note(&mut out, &layout, row, n),
        }
        out.push_str("</g>");
    }
    // The lane heads come last, over everything, on a band of their own: the page keeps them
    // at the top of the pane while it scrolls down the rows.
    let _ = write!(
        out,
        r#"</g><g class="seq-heads"><rect class="seq-heads__band" x="0" y="0" width="{}" height="{}"/>"#,
        Num(w),
        Num(HEAD_HEIGHT)
    );
    for l in &layout.lanes {
        let key = l.key.as_str();
        let bw = LANE_WIDTH - 16.0;
        let _ = write!(
            out,
            r#"<g class="seq-head seq-head--{key}" data-lane="{key}" data-testid="sequence-lane-{key}"><rect class="seq-head__box" x="{}" y="4" width="{}" height="{}" rx="6"/><text class="seq-text seq-text--lane" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            Num(l.x - bw / 2.0),
            Num(bw),
            Num(HEAD_HEIGHT - 12.0),
            Num(l.x),
            Num(if l.sub.is_empty() { 25.0 } else { 20.0 }),
            escape(&l.label)
        );
        if !l.sub.is_empty() {
            let _ = write!(
                out,
                r#"<text class="seq-text seq-text--lane-sub" x="{}" y="33" text-anchor="middle">{}</text>"#,
                Num(l.x),
                escape(&l.sub)
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</g></svg>");
    out
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
