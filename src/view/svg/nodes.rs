//! Each kind of node of the diagram: a service, the orchestrator, the customer, the event bus, a
//! queue and the dead-letter queue, with what the engine says of it now.

use crate::engine::definition::ServiceId;
use crate::engine::message::Task;
use crate::engine::scenario::Coordination;
use crate::engine::sim::{SagaRecord, StepState, StepStatus};
use crate::view::faults::fault_node;
use crate::view::format::{duration, saga_colour, saga_letter, Num};
use crate::view::html::Html;
use crate::view::layout::{
    bold_text_width, bus_chips_w, topic_pills_in, NodeKey, Rect, PILL_TEXT_PAD,
};
use crate::view::saga_log::record_text;
use crate::view::status::{service_status, status_icon, steps_of};
use crate::view::tables::{dead_letter_items, queue_items};

use super::parts::*;
use super::*;

pub(super) fn service_node(out: &mut Html, state: &Drawing<'_>, s: ServiceId, rect: Rect) {
    let snap = state.snapshot;
    let def = &state.scenario.definition;
    let record = snap.sagas.get(state.saga);
    let status = record
        .map(|r| service_status(r, def, s))
        .unwrap_or_default();
    let view = snap.services.get(s.index());
    let up = view.is_none_or(|v| v.up);
    let db = view.is_none_or(|v| v.database_up);
    let latency = view.map(|v| v.latency_ms).unwrap_or(0);
    let class = format!(
        "saga-node saga-node--service saga-node--{}{}",
        status.as_str(),
        if up && db { "" } else { " saga-node--down" }
    );
    let label = format!(
        "{} service, {}: press Enter for its fault menu",
        s.label(),
        status.as_str()
    );
    open_node(
        out,
        state,
        NodeKey::Service(s),
        rect,
        NodeHead {
            class: &class,
            status: Some(status.as_str()),
            count: None,
            label: &label,
        },
    );
    let big = state.size.is_presenter();
    // Presenter mode: the title, the status under it, the rows, and the fault chips beside
    // the title (see `presenter-diagram.css` for the type sizes these measures are for).
    let (title_y, status_y, rows_y) = if big {
        (27.0, 53.0, 62.0)
    } else {
        (26.0, 46.0, 56.0)
    };
    let m = RowMetrics::of(big);
    text(out, "saga-node__title", 14.0, title_y, None, s.label());
    let width = rect.w - 20.0;
    // Retries show on the header: the most attempts any of this service's tasks has made.
    let tries = record
        .map(|r| {
            let steps = steps_of(def, s)
                .into_iter()
                .filter_map(|i| r.steps.get(i))
                .map(|st| st.attempts.max(st.compensation_attempts));
            let notice = (def.failure_notice.service() == s).then_some(r.notice.attempts);
            steps.chain(notice).max().unwrap_or(0)
        })
        .unwrap_or(0);
    let attempts = if tries > 1 {
        format!(" ×{tries}")
    } else {
        String::new()
    };
    // A step whose compensation ran out of retries shows as failed: the header and its row say
    // that the undo failed, not the step (the charge worked; its refund did not).
    let undo_failed =
        |st: &StepState| st.status == StepStatus::Failed && st.compensation_attempts > 0;
    let word = if status == StepStatus::Failed
        && record.is_some_and(|r| {
            steps_of(def, s)
                .into_iter()
                .filter_map(|i| r.steps.get(i))
                .any(undo_failed)
        }) {
        "undo failed"
    } else {
        status.as_str()
    };
    let status_text = format!("{} {word}{attempts}", status_icon(status));
    text(out, "saga-node__status", 14.0, status_y, None, &status_text);
    // With several sagas the status is the shown saga's: its letter, in its colour, says which.
    let lettered = record.filter(|_| snap.sagas.len() > 1).map(|r| r.id);
    if let Some(r) = record.filter(|_| snap.sagas.len() > 1) {
        out.push(r#"<g class="saga-node__saga saga-"#)
            .push_plain(saga_colour(r.id))
            .push(r#"" data-saga=""#)
            .push_plain(saga_letter(r.id))
            .push(r#"" transform="translate("#)
            .push_plain(Num(rect.w - if big { 26.0 } else { 22.0 }))
            .push(if big { " 46" } else { " 40" })
            .push(r#")"><title>Shows saga "#)
            .push_plain(saga_letter(r.id))
            .push(if big {
                r#"</title><circle r="14"/>"#
            } else {
                r#"</title><circle r="10"/>"#
            });
        text(
            out,
            "saga-node__saga-letter",
            0.0,
            if big { 6.5 } else { 4.5 },
            Some("middle"),
            &saga_letter(r.id).to_string(),
        );
        out.push("</g>");
    }
    let mut row = 0.0;
    for i in steps_of(def, s) {
        let Some(step) = def.steps.get(i) else {
            continue;
        };
        let st = record
            .and_then(|r| r.steps.get(i).copied())
            .unwrap_or_default();
        let name = if undo_failed(&st) {
            Task::Compensate(i).label(def)
        } else {
            step.name.clone()
        };
        step_row(
            out,
            StepRow {
                y: rows_y + row * (m.h + 2.0),
                width,
                step: i,
                name: &name,
                kind: step.kind,
                state: st,
                saga: lettered,
                m,
            },
        );
        row += 1.0;
    }
    if def.failure_notice.service() == s {
        let st = record.map(|r| r.notice).unwrap_or_default();
        notice_row(out, rows_y + row * (m.h + 2.0), width, st, lettered, m);
    }
    if big {
        // Beside the title.
        let x = 14.0 + bold_text_width(s.label(), P_TITLE_FONT) + 12.0;
        fault_chips(out, state, NodeKey::Service(s), x, 6.0, rect.w - 10.0 - x);
    } else {
        fault_chips(out, state, NodeKey::Service(s), 10.0, rect.h - 50.0, width);
    }
    let store = snap.tables.store(s);
    let mut facts = Vec::new();
    if !up {
        facts.push("✖ DOWN".to_string());
    }
    if !db {
        facts.push("✖ database down".to_string());
    }
    if latency > 0 {
        facts.push(format!("+{} latency", duration(latency)));
    }
    // Trouble first; the bookkeeping tables when there is room.
    if facts.is_empty() {
        match snap.coordination {
            Coordination::Orchestration => {
                facts.push(format!("{} idempotency keys", store.idempotency_keys.len()))
            }
            Coordination::Choreography => {
                let pending = store.outbox.iter().filter(|r| !r.published).count();
                facts.push(format!("outbox {pending} unsent"));
                facts.push(format!("{} processed", store.processed_events.len()));
            }
        }
    }
    let facts_class = if up && db {
        "saga-node__facts"
    } else {
        "saga-node__facts saga-node__facts--down"
    };
    let facts = facts.join(" · ");
    if big {
        // On the status's line, right of it, when there is room (left of the saga's letter).
        let end = rect.w - if lettered.is_some() { 48.0 } else { 14.0 };
        let room = end - 14.0 - bold_text_width(&status_text, P_STATUS_FONT) - 16.0;
        if bold_text_width(&facts, P_FACTS_FONT) <= room {
            text(out, facts_class, end, status_y, Some("end"), &facts);
        }
    } else {
        text(out, facts_class, 14.0, rect.h - 10.0, None, &facts);
    }
    out.push("</g>");
}

/// Presenter mode's type sizes, in units (as `presenter-diagram.css` draws them).
pub(super) const P_TITLE_FONT: f64 = 23.0;
/// A presenter status's type size.
pub(super) const P_STATUS_FONT: f64 = 20.0;
/// Presenter facts' and log lines' type size.
pub(super) const P_FACTS_FONT: f64 = 20.0;
/// The width of a character of the log's monospace type, in ems.
const MONO_EM: f64 = 0.62;

pub(super) fn orchestrator_node(out: &mut Html, state: &Drawing<'_>, rect: Rect) {
    let o = &state.snapshot.orchestrator;
    let (class, status) = if o.up {
        ("saga-node saga-node--orchestrator", "running")
    } else {
        (
            "saga-node saga-node--orchestrator saga-node--down",
            "failed",
        )
    };
    open_node(
        out,
        state,
        NodeKey::Orchestrator,
        rect,
        NodeHead {
            class,
            status: Some(status),
            count: None,
            label: "Orchestrator: press Enter to crash it",
        },
    );
    let big = state.size.is_presenter();
    let (title_y, head_y, log_y, line_h, lines) = if big {
        (30.0, 58.0, 84.0, 23.0, 4)
    } else {
        (28.0, 54.0, 78.0, 21.0, 5)
    };
    text(out, "saga-node__title", 16.0, title_y, None, "Orchestrator");
    text(
        out,
        "saga-node__status",
        rect.w - 14.0,
        title_y,
        Some("end"),
        // The process, not a saga: "running" here read as if a finished saga were still going.
        if o.up {
            "● up"
        } else {
            "✗ crashed: restarting"
        },
    );
    let head = format!("Durable saga log · {} records", o.log_len);
    text(out, "orch-log__head", 16.0, head_y, None, &head);
    let recent = &o.recent_log;
    // Presenter mode: a line longer than the box wraps onto the next (the newest lines stay).
    let fits = ((rect.w - 30.0) / (P_FACTS_FONT * MONO_EM))
        .floor()
        .max(8.0) as usize;
    let mut shown: Vec<String> = Vec::new();
    for entry in recent.iter().rev() {
        let line = record_text(entry, &state.scenario.definition);
        let parts = if big { wrap(&line, fits) } else { vec![line] };
        if shown.len() + parts.len() > lines {
            break;
        }
        shown.splice(0..0, parts);
    }
    for (i, line) in shown.iter().enumerate() {
        text(
            out,
            "orch-log__line",
            16.0,
            log_y + i as f64 * line_h,
            None,
            line,
        );
    }
    if big {
        // Right of the log's heading (upper case, spaced: wider than bold).
        let x = 16.0 + bold_text_width(&head, P_FACTS_FONT) * 1.1 + 12.0;
        fault_chips(
            out,
            state,
            NodeKey::Orchestrator,
            x,
            head_y - 19.0,
            rect.w - 14.0 - x,
        );
    } else {
        fault_chips(
            out,
            state,
            NodeKey::Orchestrator,
            rect.w - 170.0,
            40.0,
            156.0,
        );
    }
    out.push("</g>");
}

/// Cuts a line into pieces of at most `width` characters, at spaces when it can.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest: Vec<char> = line.chars().collect();
    while rest.len() > width {
        let cut = rest[..=width]
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|&i| i > width / 2)
            .unwrap_or(width);
        out.push(
            rest[..cut]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_string(),
        );
        rest = rest[cut..].to_vec();
        while rest.first() == Some(&' ') {
            rest.remove(0);
        }
        rest.splice(0..0, "    ".chars());
    }
    out.push(rest.into_iter().collect());
    out
}

pub(super) fn customer_node(out: &mut Html, state: &Drawing<'_>, rect: Rect) {
    open_node(
        out,
        state,
        NodeKey::Customer,
        rect,
        NodeHead {
            class: "saga-node saga-node--customer",
            status: None,
            count: None,
            label: "Customer: show its events",
        },
    );
    let sagas = &state.snapshot.sagas;
    let several = sagas.len() > 1;
    let whole: Vec<String> = sagas
        .iter()
        .map(|r| format!("{} {}", saga_letter(r.id), r.spec.customer))
        .collect();
    let big = state.size.is_presenter();
    // "A Ada · B Grace" on one line when it fits the box, else on two; in presenter mode, as
    // many to a line as fit, as many lines as the box holds, the last saying how many more.
    let lines: Vec<&[SagaRecord]> = if big {
        presenter_lines(sagas, &whole, rect)
    } else if sagas.len() < 2 || bold_text_width(&whole.join(" · "), 12.5) <= rect.w - 10.0 {
        vec![sagas.as_slice()]
    } else {
        let (a, b) = sagas.split_at(sagas.len().div_ceil(2));
        vec![a, b]
    };
    let first = p_customer_first(rect);
    let title_y = match (big, lines.len()) {
        (true, _) => first - 25.0,
        (false, 1) => 23.0,
        (false, _) => 18.0,
    };
    text(
        out,
        "saga-node__title saga-node__title--small",
        rect.w / 2.0,
        title_y,
        Some("middle"),
        "Customer",
    );
    let shown: usize = lines.iter().map(|l| l.len()).sum();
    for (i, line) in lines.iter().enumerate() {
        let y = match (big, lines.len()) {
            (true, _) => first + i as f64 * P_CUSTOMER_LINE,
            (false, 1) => rect.h - 12.0,
            (false, _) => rect.h - 21.0 + i as f64 * 13.0,
        };
        out.push(r#"<text class="saga-node__facts" x=""#)
            .push_plain(Num(rect.w / 2.0))
            .push(r#"" y=""#)
            .push_plain(Num(y))
            .push(r#"" text-anchor="middle">"#);
        for (j, r) in line.iter().enumerate() {
            if j > 0 {
                out.push(" · ");
            }
            if several {
                // The letter in the saga's colour, as its tokens and rows have it.
                out.push(r#"<tspan class="saga-node__who saga-"#)
                    .push_plain(saga_colour(r.id))
                    .push(r#"" data-saga=""#)
                    .push_plain(saga_letter(r.id))
                    .push(r#"">"#)
                    .push_plain(saga_letter(r.id))
                    .push("</tspan>");
            } else {
                out.push_plain(saga_letter(r.id));
            }
            out.push(" ").push_text(&r.spec.customer);
        }
        if i + 1 == lines.len() && shown < sagas.len() {
            // Presenter mode: the customers the box has no room for.
            if !line.is_empty() {
                out.push(" · ");
            }
            out.push("+").push_plain(sagas.len() - shown).push(" more");
        }
        out.push("</text>");
    }
    out.push("</g>");
}

/// Presenter mode's customer lines: the first's baseline (lower in a taller box), and the
/// distance between them.
fn p_customer_first(rect: Rect) -> f64 {
    if rect.h < 80.0 {
        45.0
    } else {
        52.0
    }
}
const P_CUSTOMER_LINE: f64 = 23.0;

/// The customers, packed into lines that fit the box at presenter mode's type size, as many
/// lines as the box holds (keeping one for "+N more" when they do not all fit).
fn presenter_lines<'s>(
    sagas: &'s [SagaRecord],
    whole: &[String],
    rect: Rect,
) -> Vec<&'s [SagaRecord]> {
    let room = rect.w - 12.0;
    let holds = (((rect.h - p_customer_first(rect) + P_CUSTOMER_LINE - 6.0) / P_CUSTOMER_LINE)
        .floor() as usize)
        .max(1);
    let sep = bold_text_width(" · ", P_FACTS_FONT);
    // The names from `start` that fit a line `room` wide.
    let fit = |start: usize, room: f64| {
        let mut width = 0.0;
        let mut end = start;
        for name in whole.iter().skip(start) {
            let w = bold_text_width(name, P_FACTS_FONT) + if end > start { sep } else { 0.0 };
            if end > start && width + w > room {
                break;
            }
            width += w;
            end += 1;
        }
        end
    };
    let mut lines: Vec<&[SagaRecord]> = Vec::new();
    let mut start = 0;
    while start < sagas.len() {
        let last = lines.len() + 1 == holds;
        let mut end = fit(start, room);
        if last && end < sagas.len() {
            // The last line the box holds ends with "· +N more".
            let more = bold_text_width(&format!(" · +{} more", sagas.len()), P_FACTS_FONT);
            end = fit(start, room - more);
            if bold_text_width(&whole[start..end].join(" · "), P_FACTS_FONT) + more > room {
                end = start;
            }
            lines.push(&sagas[start..end]);
            break;
        }
        lines.push(&sagas[start..end]);
        start = end;
    }
    lines
}

pub(super) fn bus_node(out: &mut Html, state: &Drawing<'_>, rect: Rect) {
    open_node(
        out,
        state,
        NodeKey::Bus,
        rect,
        NodeHead {
            class: "saga-node saga-node--bus",
            status: None,
            count: None,
            label: "Event bus: press Enter for message faults",
        },
    );
    let big = state.size.is_presenter();
    let (title_y, pill_text_y, pill_rx) = if big {
        (30.0, 20.5, 14.0)
    } else {
        (27.0, 16.0, 11.0)
    };
    text(out, "saga-node__title", 16.0, title_y, None, "Event bus");
    text(
        out,
        "saga-node__facts",
        16.0,
        rect.h - 12.0,
        None,
        "topics →",
    );
    let labels: Vec<String> = state.topics.iter().map(Topic::label).collect();
    let chips = state
        .snapshot
        .faults
        .iter()
        .any(|f| f.active && fault_node(f, state.scenario) == Some(NodeKey::Bus));
    for pill in topic_pills_in(state.size, &labels, chips) {
        let topics = state.topics.get(pill.topics.clone()).unwrap_or_default();
        let live = topics.iter().any(|t| t.live);
        out.push(r#"<g class="topic"#)
            .push(if live { " topic--live" } else { "" })
            .push(if pill.is_more() { " topic--more" } else { "" })
            .push(r#"" transform="translate("#)
            .push_plain(Num(pill.rect.x))
            .push(" ")
            .push_plain(Num(pill.rect.y))
            .push(r#")">"#);
        if pill.is_more() || pill.text.ends_with('…') {
            // What the pill cannot say, its title does.
            let whole: Vec<&str> = pill
                .topics
                .clone()
                .filter_map(|i| labels.get(i).map(String::as_str))
                .collect();
            out.push("<title>")
                .push_text(&whole.join(", "))
                .push("</title>");
        }
        out.push(r#"<rect class="topic__box" width=""#)
            .push_plain(Num(pill.rect.w))
            .push(r#"" height=""#)
            .push_plain(Num(pill.rect.h))
            .push(r#"" rx=""#)
            .push_plain(Num(pill_rx))
            .push(r#""/>"#);
        text(
            out,
            "topic__text",
            PILL_TEXT_PAD,
            pill_text_y,
            None,
            &pill.text,
        );
        out.push("</g>");
    }
    let chips_w = bus_chips_w(state.size);
    fault_chips(
        out,
        state,
        NodeKey::Bus,
        rect.w - chips_w,
        8.0,
        chips_w - 8.0,
    );
    out.push("</g>");
}

pub(super) fn queue_node(out: &mut Html, state: &Drawing<'_>, s: ServiceId, rect: Rect) {
    let snap = state.snapshot;
    let items = queue_items(snap, &state.scenario.definition, s);
    let hidden: Vec<bool> = snap
        .queues
        .get(s.index())
        .map(|q| q.iter().map(|m| m.visible_at_ms > snap.now_ms).collect())
        .unwrap_or_default();
    open_node(
        out,
        state,
        NodeKey::Queue(s),
        rect,
        NodeHead {
            class: "saga-node saga-node--queue",
            status: None,
            count: Some(items.len()),
            label: &format!(
                "{} queue, {} messages: show its events",
                s.label(),
                items.len()
            ),
        },
    );
    let big = state.size.is_presenter();
    let y = if big { 27.0 } else { 18.0 };
    text(out, "queue__title", 10.0, y, None, "▤ queue");
    text(
        out,
        "queue__count",
        rect.w - 10.0,
        y,
        Some("end"),
        &items.len().to_string(),
    );
    // Presenter mode has room for the count only: its type is for the back row.
    let drawn = if big { 0 } else { 6 };
    for (i, item) in items.iter().take(drawn).enumerate() {
        let busy = hidden.get(i).copied().unwrap_or(false);
        out.push(r#"<g class="queue__msg saga-fill-"#)
            .push_plain(saga_colour(item.saga))
            .push(if busy { " queue__msg--hidden" } else { "" })
            .push(if item.receive_count > 1 {
                " queue__msg--again"
            } else {
                ""
            })
            .push(r#"" transform="translate("#)
            .push_plain(Num(10.0 + i as f64 * 19.0))
            .push(r#" 23)"><title>"#)
            .push_plain(saga_letter(item.saga))
            .push(" · ")
            .push_text(&item.event)
            .push(" · received ")
            .push_plain(item.receive_count)
            .push(" time(s)")
            .push(if busy { " · being processed" } else { "" })
            .push(r#"</title><rect width="16" height="18" rx="3"/>"#);
        text(
            out,
            "queue__n",
            8.0,
            13.0,
            Some("middle"),
            &item.receive_count.to_string(),
        );
        out.push("</g>");
    }
    out.push("</g>");
}

pub(super) fn dead_letter_node(out: &mut Html, state: &Drawing<'_>, rect: Rect) {
    let items = dead_letter_items(state.snapshot, &state.scenario.definition);
    let class = if items.is_empty() {
        "saga-node saga-node--dlq"
    } else {
        "saga-node saga-node--dlq saga-node--dlq-full"
    };
    open_node(
        out,
        state,
        NodeKey::DeadLetters,
        rect,
        NodeHead {
            class,
            status: None,
            count: Some(items.len()),
            label: &format!(
                "Dead-letter queue, {} messages: show its events",
                items.len()
            ),
        },
    );
    let big = state.size.is_presenter();
    let title_y = if big { 22.0 } else { 24.0 };
    text(
        out,
        "saga-node__title saga-node__title--small",
        14.0,
        title_y,
        None,
        "☠ Dead-letter queue",
    );
    let count = match (big, items.len()) {
        (true, n) => n.to_string(),
        (false, 0) => "empty".to_string(),
        (false, n) => format!("{n} waiting"),
    };
    text(
        out,
        "saga-node__status",
        rect.w - 14.0,
        title_y,
        Some("end"),
        &count,
    );
    if big {
        // The first dead letter, in short (the count above says how many).
        let line = match items.first() {
            Some(item) => {
                let short = format!("{} · {}", saga_letter(item.saga), item.event);
                // With its queue and receive count when they fit.
                [
                    format!("{short} ← {} ×{}", item.queue.label(), item.receive_count),
                    format!("{short} ×{}", item.receive_count),
                ]
                .into_iter()
                .find(|l| bold_text_width(l, P_FACTS_FONT) <= rect.w - 28.0)
                .unwrap_or(short)
            }
            None => "empty".to_string(),
        };
        text(out, "dlq__line", 14.0, 45.0, None, &line);
        out.push("</g>");
        return;
    }
    for (i, item) in items.iter().take(2).enumerate() {
        text(
            out,
            "dlq__line",
            14.0,
            47.0 + i as f64 * 19.0,
            None,
            &format!(
                "{} · {} ← {} queue ({} receives)",
                saga_letter(item.saga),
                item.event,
                item.queue.label(),
                item.receive_count
            ),
        );
    }
    if items.len() > 3 {
        text(
            out,
            "dlq__line",
            rect.w - 14.0,
            85.0,
            Some("end"),
            &format!("+{} more", items.len() - 3),
        );
    }
    out.push("</g>");
}

#[cfg(test)]
mod tests;
