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
    bold_text_width, topic_pills, NodeKey, Rect, BUS_CHIPS_W, PILL_TEXT_PAD,
};
use crate::view::saga_log::record_text;
use crate::view::status::{service_status, status_icon, steps_of};
use crate::view::tables::{dead_letter_items, queue_items};

use super::parts::*;
use super::*;

pub(super) fn service_node(out: &mut Html, state: &DiagramState<'_>, s: ServiceId, rect: Rect) {
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
    text(out, "saga-node__title", 14.0, 26.0, None, s.label());
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
    text(
        out,
        "saga-node__status",
        14.0,
        46.0,
        None,
        &format!("{} {word}{attempts}", status_icon(status)),
    );
    // With several sagas the status is the shown saga's: its letter, in its colour, says which.
    let lettered = record.filter(|_| snap.sagas.len() > 1).map(|r| r.id);
    if let Some(r) = record.filter(|_| snap.sagas.len() > 1) {
        out.push(r#"<g class="saga-node__saga saga-"#)
            .push_plain(saga_colour(r.id))
            .push(r#"" data-saga=""#)
            .push_plain(saga_letter(r.id))
            .push(r#"" transform="translate("#)
            .push_plain(Num(rect.w - 22.0))
            .push(r#" 40)"><title>Shows saga "#)
            .push_plain(saga_letter(r.id))
            .push(r#"</title><circle r="10"/>"#);
        text(
            out,
            "saga-node__saga-letter",
            0.0,
            4.5,
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
                y: 56.0 + row * 32.0,
                width,
                step: i,
                name: &name,
                kind: step.kind,
                state: st,
                saga: lettered,
            },
        );
        row += 1.0;
    }
    if def.failure_notice.service() == s {
        let st = record.map(|r| r.notice).unwrap_or_default();
        notice_row(out, 56.0 + row * 32.0, width, st, lettered);
    }
    fault_chips(out, state, NodeKey::Service(s), 10.0, rect.h - 50.0, width);
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
    text(
        out,
        facts_class,
        14.0,
        rect.h - 10.0,
        None,
        &facts.join(" · "),
    );
    out.push("</g>");
}

pub(super) fn orchestrator_node(out: &mut Html, state: &DiagramState<'_>, rect: Rect) {
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
    text(out, "saga-node__title", 16.0, 28.0, None, "Orchestrator");
    text(
        out,
        "saga-node__status",
        rect.w - 14.0,
        28.0,
        Some("end"),
        // The process, not a saga: "running" here read as if a finished saga were still going.
        if o.up {
            "● up"
        } else {
            "✗ crashed: restarting"
        },
    );
    text(
        out,
        "orch-log__head",
        16.0,
        54.0,
        None,
        &format!("Durable saga log · {} records", o.log_len),
    );
    let recent = &o.recent_log;
    for (i, entry) in recent[recent.len().saturating_sub(5)..].iter().enumerate() {
        text(
            out,
            "orch-log__line",
            16.0,
            78.0 + i as f64 * 21.0,
            None,
            &record_text(entry, &state.scenario.definition),
        );
    }
    fault_chips(
        out,
        state,
        NodeKey::Orchestrator,
        rect.w - 170.0,
        40.0,
        156.0,
    );
    out.push("</g>");
}

pub(super) fn customer_node(out: &mut Html, state: &DiagramState<'_>, rect: Rect) {
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
    // "A Ada · B Grace" on one line when it fits the box, else on two.
    let lines: Vec<&[SagaRecord]> =
        if sagas.len() < 2 || bold_text_width(&whole.join(" · "), 12.5) <= rect.w - 10.0 {
            vec![sagas.as_slice()]
        } else {
            let (a, b) = sagas.split_at(sagas.len().div_ceil(2));
            vec![a, b]
        };
    let title_y = if lines.len() > 1 { 18.0 } else { 23.0 };
    text(
        out,
        "saga-node__title saga-node__title--small",
        rect.w / 2.0,
        title_y,
        Some("middle"),
        "Customer",
    );
    for (i, line) in lines.iter().enumerate() {
        let y = match lines.len() {
            1 => rect.h - 12.0,
            _ => rect.h - 21.0 + i as f64 * 13.0,
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
        out.push("</text>");
    }
    out.push("</g>");
}

pub(super) fn bus_node(out: &mut Html, state: &DiagramState<'_>, rect: Rect) {
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
    text(out, "saga-node__title", 16.0, 27.0, None, "Event bus");
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
    for pill in topic_pills(&labels, chips) {
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
            .push(r#"" rx="11"/>"#);
        text(out, "topic__text", PILL_TEXT_PAD, 16.0, None, &pill.text);
        out.push("</g>");
    }
    fault_chips(
        out,
        state,
        NodeKey::Bus,
        rect.w - BUS_CHIPS_W,
        8.0,
        BUS_CHIPS_W - 8.0,
    );
    out.push("</g>");
}

pub(super) fn queue_node(out: &mut Html, state: &DiagramState<'_>, s: ServiceId, rect: Rect) {
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
    text(out, "queue__title", 10.0, 18.0, None, "▤ queue");
    text(
        out,
        "queue__count",
        rect.w - 10.0,
        18.0,
        Some("end"),
        &items.len().to_string(),
    );
    for (i, item) in items.iter().take(6).enumerate() {
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

pub(super) fn dead_letter_node(out: &mut Html, state: &DiagramState<'_>, rect: Rect) {
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
    text(
        out,
        "saga-node__title saga-node__title--small",
        14.0,
        24.0,
        None,
        "☠ Dead-letter queue",
    );
    let count = match items.len() {
        0 => "empty".to_string(),
        n => format!("{n} waiting"),
    };
    text(
        out,
        "saga-node__status",
        rect.w - 14.0,
        24.0,
        Some("end"),
        &count,
    );
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
