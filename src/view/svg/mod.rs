//! The diagram as SVG markup: nodes, edges, statuses, fault chips and tokens.
//!
//! Pure functions from a snapshot (and what the person selected) to markup, so every status,
//! `data-status` and `data-testid` the page shows is tested natively. The page puts the markup in
//! place and handles clicks by delegation (`data-node`, `data-chip`).

use std::fmt::Write;

use crate::engine::choreography::Reaction;
use crate::engine::definition::{SagaDefinition, ServiceId, StepKind};
use crate::engine::message::{Body, Message, MessageId, Node, SagaId};
use crate::engine::scenario::{Coordination, Scenario};
use crate::engine::sim::{StepState, StepStatus};
use crate::engine::snapshot::Snapshot;

use super::faults::{chip_label, fault_node};
use super::format::{duration, escape, saga_colour, saga_letter, Num};
use super::layout::{consumer_link, edges, legend_origin, nodes, path_d, Lane, NodeKey, Rect};
use super::saga_log::record_text;
use super::status::{kind_badge, kind_meaning, service_status, status_icon, steps_of};
use super::tables::{dead_letter_items, queue_items};
use super::tokens::{progress, Token, TokenShape};

/// What a selected event points at in the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Focus {
    /// The nodes it concerns.
    pub nodes: Vec<NodeKey>,
    /// The message it concerns.
    pub message: Option<MessageId>,
    /// That message's route: (sender, receiver, lane).
    pub edge: Option<(Node, Node, Lane)>,
}

/// A topic the bus has carried, and how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// The event's name.
    pub name: String,
    /// Publishes so far.
    pub count: usize,
    /// A message of this topic is on its way to or from the bus.
    pub live: bool,
    /// How many queues are subscribed to it (more than one: the bus fans it out).
    pub subscribers: usize,
}

/// The topics published to the bus so far, in order of first publish.
pub fn topics(messages: &[Message], in_flight: &[Message], def: &SagaDefinition) -> Vec<Topic> {
    let mut out: Vec<Topic> = Vec::new();
    for m in messages.iter().filter(|m| m.to == Node::Bus) {
        let name = m.body.label(def);
        match out.iter_mut().find(|t| t.name == name) {
            Some(t) => t.count += 1,
            None => out.push(Topic {
                name,
                count: 1,
                live: false,
                subscribers: match m.body {
                    Body::Event { name } => Reaction::subscribers(name, def).len(),
                    _ => 0,
                },
            }),
        }
    }
    for m in in_flight
        .iter()
        .filter(|m| m.to == Node::Bus || m.from == Node::Bus)
    {
        let name = m.body.label(def);
        if let Some(t) = out.iter_mut().find(|t| t.name == name) {
            t.live = true;
        }
    }
    out
}

/// Everything the diagram shows.
#[derive(Debug, Clone, Copy)]
pub struct DiagramState<'a> {
    /// The run now.
    pub snapshot: &'a Snapshot,
    /// The scenario being run.
    pub scenario: &'a Scenario,
    /// The saga whose steps the services show.
    pub saga: SagaId,
    /// The node the person selected.
    pub selected: Option<NodeKey>,
    /// What the selected event points at.
    pub focus: Option<&'a Focus>,
    /// The bus's topics (choreography).
    pub topics: &'a [Topic],
}

/// Rough width of a text in diagram units at a font size (to lay out chips).
fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * 0.6
}

fn lane_name(lane: Lane) -> &'static str {
    match lane {
        Lane::Command => "command",
        Lane::Reply => "reply",
        Lane::Event => "event",
    }
}

/// The diagram's edges and nodes (everything but the tokens).
pub fn diagram_svg(state: &DiagramState<'_>) -> String {
    let coordination = state.scenario.coordination;
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(r#"<g class="edges">"#);
    for s in ServiceId::ALL {
        if let Some([a, b]) = consumer_link(coordination, s) {
            let _ = write!(
                out,
                r#"<line class="edge edge--consumer" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
                Num(a.x),
                Num(a.y),
                Num(b.x),
                Num(b.y)
            );
        }
    }
    let lit_edge = state.focus.and_then(|f| f.edge);
    for e in edges(coordination) {
        let lit = lit_edge == Some((e.from, e.to, e.lane));
        let _ = write!(
            out,
            r#"<path class="edge edge--{}{}" d="{}" marker-end="url(#arrow)"/>"#,
            lane_name(e.lane),
            if lit { " edge--lit" } else { "" },
            path_d(&e.points)
        );
    }
    out.push_str("</g>");
    legend(&mut out, coordination);
    for (key, rect) in nodes(coordination) {
        match key {
            NodeKey::Service(s) => service_node(&mut out, state, s, rect),
            NodeKey::Orchestrator => orchestrator_node(&mut out, state, rect),
            NodeKey::Bus => bus_node(&mut out, state, rect),
            NodeKey::Queue(s) => queue_node(&mut out, state, s, rect),
            NodeKey::DeadLetters => dead_letter_node(&mut out, state, rect),
            NodeKey::Customer => customer_node(&mut out, state, rect),
        }
    }
    out
}

/// What the shapes and badges mean.
fn legend(out: &mut String, coordination: Coordination) {
    let origin = legend_origin(coordination);
    // Orchestration has a tall corner (one column), choreography a wide strip (two rows).
    let (dx, dy) = match coordination {
        Coordination::Orchestration => (0.0, 21.0),
        Coordination::Choreography => (112.0, 0.0),
    };
    let _ = write!(
        out,
        r#"<g class="legend" transform="translate({:.1} {:.1})" aria-hidden="true">"#,
        Num(origin.x),
        Num(origin.y)
    );
    let shapes = [
        (TokenShape::Square, "command"),
        (TokenShape::Circle, "reply"),
        (TokenShape::Diamond, "event"),
    ];
    for (i, (shape, name)) in shapes.iter().enumerate() {
        let (x, y) = (i as f64 * dx, 10.0 + i as f64 * dy);
        let _ = write!(
            out,
            r#"<path class="legend__shape legend__shape--{name}" transform="translate({} {})" d="{}"/>"#,
            Num(x + 8.0),
            Num(y),
            shape.path(7.0)
        );
        text(out, "legend__text", x + 22.0, y + 5.0, None, name);
    }
    let kinds = [("C", "compensatable"), ("P", "pivot"), ("R", "retriable")];
    let (row_x, row_y) = match coordination {
        Coordination::Orchestration => (0.0, 3.0 * dy + 8.0),
        Coordination::Choreography => (0.0, 30.0),
    };
    for (i, (badge, name)) in kinds.iter().enumerate() {
        let (x, y) = (row_x + i as f64 * dx * 1.15, row_y + i as f64 * dy);
        let _ = write!(
            out,
            r#"<g class="kind-badge kind-badge--{name}" transform="translate({} {})"><rect class="kind-badge__box" width="18" height="17" rx="4"/>"#,
            Num(x),
            Num(y)
        );
        text(
            out,
            "kind-badge__text kind-badge__text--small",
            9.0,
            13.0,
            Some("middle"),
            badge,
        );
        out.push_str("</g>");
        text(out, "legend__text", x + 24.0, y + 13.0, None, name);
    }
    out.push_str("</g>");
}

/// Opens a node's group: position, test id, status, selection, focus and keyboard access.
/// What a node's group says about it.
struct NodeHead<'a> {
    class: &'a str,
    status: Option<&'a str>,
    count: Option<usize>,
    label: &'a str,
}

fn open_node(
    out: &mut String,
    state: &DiagramState<'_>,
    key: NodeKey,
    rect: Rect,
    head: NodeHead<'_>,
) {
    let NodeHead {
        class,
        status,
        count,
        label,
    } = head;
    let id = key.test_id();
    let selected = state.selected == Some(key);
    let lit = state.focus.is_some_and(|f| f.nodes.contains(&key));
    let _ = write!(
        out,
        r#"<g class="{class}{}{}" transform="translate({:.1} {:.1})" data-testid="{id}" data-node="{id}""#,
        if selected { " is-selected" } else { "" },
        if lit { " is-lit" } else { "" },
        Num(rect.x),
        Num(rect.y),
    );
    if let Some(status) = status {
        let _ = write!(out, r#" data-status="{status}""#);
    }
    if let Some(count) = count {
        let _ = write!(out, r#" data-count="{count}""#);
    }
    // A labelled group, not a button: it holds the fault chips, buttons of their own, and its
    // steps stay readable one by one (a button's contents are read only as its name).
    let _ = write!(
        out,
        r#" tabindex="0" role="group" aria-label="{}"><rect class="saga-node__box" width="{:.1}" height="{:.1}" rx="12"/>"#,
        escape(label),
        Num(rect.w),
        Num(rect.h)
    );
}

fn text(out: &mut String, class: &str, x: f64, y: f64, anchor: Option<&str>, content: &str) {
    let (x, y) = (Num(x), Num(y));
    let _ = write!(out, r#"<text class="{class}" x="{x}" y="{y}""#);
    if let Some(anchor) = anchor {
        let _ = write!(out, r#" text-anchor="{anchor}""#);
    }
    let _ = write!(out, ">{}</text>", escape(content));
}

/// Chips for the active faults shown on a node; each removes its fault when activated.
fn fault_chips(
    out: &mut String,
    state: &DiagramState<'_>,
    key: NodeKey,
    x: f64,
    y: f64,
    width: f64,
) {
    let chips: Vec<_> = state
        .snapshot
        .faults
        .iter()
        .filter(|f| f.active && fault_node(f, state.scenario) == Some(key))
        .collect();
    let mut left = x;
    for (i, f) in chips.iter().enumerate() {
        let label = chip_label(f, state.scenario);
        let long = f.spec.describe(state.scenario);
        let w = text_width(&label, 12.0) + 34.0;
        if left + w > x + width && i > 0 {
            text(
                out,
                "fault-chip__more",
                left + 2.0,
                y + 15.0,
                None,
                &format!("+{}", chips.len() - i),
            );
            break;
        }
        let _ = write!(
            out,
            r#"<g class="fault-chip" transform="translate({} {})" data-chip="{}" tabindex="0" role="button" aria-label="{}: remove fault ({})"><title>{} (click to remove)</title><rect class="fault-chip__box" width="{}" height="21" rx="10.5"/>"#,
            Num(left),
            Num(y),
            f.id,
            escape(&label),
            escape(&long),
            escape(&long),
            Num(w),
        );
        text(
            out,
            "fault-chip__text",
            9.0,
            15.0,
            None,
            &format!("⚡{label}"),
        );
        // The ✕ only draws "remove": the name says it in words.
        let _ = write!(
            out,
            r#"<text class="fault-chip__x" x="{}" y="15.0" aria-hidden="true">✕</text>"#,
            Num(w - 15.0)
        );
        out.push_str("</g>");
        left += w + 5.0;
    }
}

fn step_row(
    out: &mut String,
    y: f64,
    width: f64,
    step: usize,
    name: &str,
    kind: StepKind,
    state: StepState,
) {
    let status = state.status.as_str();
    let (badge, kind_name) = kind_badge(kind);
    let _ = write!(
        out,
        r#"<g class="saga-step saga-step--{status}" data-step="{}" data-kind="{kind_name}" data-status="{status}" transform="translate(10 {})"><title>Step {}: {} ({}), {status}</title><rect class="saga-step__bg" width="{}" height="28" rx="7"/>"#,
        step + 1,
        Num(y),
        step + 1,
        escape(name),
        kind_meaning(kind),
        Num(width),
    );
    text(
        out,
        "saga-step__icon",
        9.0,
        19.0,
        None,
        status_icon(state.status),
    );
    let _ = write!(
        out,
        r#"<text class="saga-step__name" x="27" y="19"><tspan class="saga-step__n">{}</tspan> {}</text>"#,
        step + 1,
        escape(name)
    );
    let _ = write!(
        out,
        r#"<g class="kind-badge kind-badge--{kind_name}" transform="translate({:.1} 4)"><rect class="kind-badge__box" width="22" height="20" rx="4"/>"#,
        Num(width - 26.0)
    );
    text(out, "kind-badge__text", 11.0, 15.0, Some("middle"), badge);
    out.push_str("</g></g>");
}

fn notice_row(out: &mut String, y: f64, width: f64, state: StepState) {
    let status = state.status.as_str();
    let quiet = if state.status == StepStatus::Idle {
        " saga-step--quiet"
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"<g class="saga-step saga-step--notice saga-step--{status}{quiet}" data-notice="true" data-status="{status}" transform="translate(10 {})"><title>After a failure, once every step is undone: tell the customer and the restaurant</title><rect class="saga-step__bg" width="{}" height="28" rx="7"/>"#,
        Num(y),
        Num(width),
    );
    text(
        out,
        "saga-step__icon",
        9.0,
        19.0,
        None,
        status_icon(state.status),
    );
    text(out, "saga-step__name", 27.0, 19.0, None, "✉ Notify failure");
    if state.attempts > 1 {
        text(
            out,
            "saga-step__tries",
            width - 8.0,
            19.0,
            Some("end"),
            &format!("×{}", state.attempts),
        );
    }
    out.push_str("</g>");
}

fn service_node(out: &mut String, state: &DiagramState<'_>, s: ServiceId, rect: Rect) {
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
    text(
        out,
        "saga-node__status",
        14.0,
        46.0,
        None,
        &format!("{} {}{attempts}", status_icon(status), status.as_str()),
    );
    let mut row = 0.0;
    for i in steps_of(def, s) {
        let Some(step) = def.steps.get(i) else {
            continue;
        };
        let st = record
            .and_then(|r| r.steps.get(i).copied())
            .unwrap_or_default();
        step_row(out, 56.0 + row * 32.0, width, i, &step.name, step.kind, st);
        row += 1.0;
    }
    if def.failure_notice.service() == s {
        let st = record.map(|r| r.notice).unwrap_or_default();
        notice_row(out, 56.0 + row * 32.0, width, st);
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
    out.push_str("</g>");
}

fn orchestrator_node(out: &mut String, state: &DiagramState<'_>, rect: Rect) {
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
    out.push_str("</g>");
}

fn customer_node(out: &mut String, state: &DiagramState<'_>, rect: Rect) {
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
    text(
        out,
        "saga-node__title saga-node__title--small",
        rect.w / 2.0,
        23.0,
        Some("middle"),
        "Customer",
    );
    let names: Vec<String> = state
        .snapshot
        .sagas
        .iter()
        .map(|r| format!("{} {}", saga_letter(r.id), r.spec.customer))
        .collect();
    text(
        out,
        "saga-node__facts",
        rect.w / 2.0,
        rect.h - 12.0,
        Some("middle"),
        &names.join(" · "),
    );
    out.push_str("</g>");
}

fn bus_node(out: &mut String, state: &DiagramState<'_>, rect: Rect) {
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
    let (mut x, mut y) = (130.0, 6.0);
    for topic in state.topics {
        let label = if topic.subscribers > 1 {
            // Compact, so the pills still fit on the bus: "⇉2" reads as "to two queues".
            format!("{} ×{} ⇉{}", topic.name, topic.count, topic.subscribers)
        } else {
            format!("{} ×{}", topic.name, topic.count)
        };
        let w = text_width(&label, 13.0) + 16.0;
        if x + w > rect.w - 110.0 {
            if y > 6.0 {
                break;
            }
            x = 130.0;
            y += 26.0;
        }
        let _ = write!(
            out,
            r#"<g class="topic{}" transform="translate({} {})"><rect class="topic__box" width="{}" height="22" rx="11"/>"#,
            if topic.live { " topic--live" } else { "" },
            Num(x),
            Num(y),
            Num(w),
        );
        text(out, "topic__text", 8.0, 16.0, None, &label);
        out.push_str("</g>");
        x += w + 6.0;
    }
    fault_chips(out, state, NodeKey::Bus, rect.w - 104.0, 8.0, 96.0);
    out.push_str("</g>");
}

fn queue_node(out: &mut String, state: &DiagramState<'_>, s: ServiceId, rect: Rect) {
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
        let _ = write!(
            out,
            r#"<g class="queue__msg saga-fill-{}{}{}" transform="translate({:.1} 23)"><title>{} · {} · received {} time(s){}</title><rect width="16" height="18" rx="3"/>"#,
            saga_colour(item.saga),
            if busy { " queue__msg--hidden" } else { "" },
            if item.receive_count > 1 {
                " queue__msg--again"
            } else {
                ""
            },
            Num(10.0 + i as f64 * 19.0),
            saga_letter(item.saga),
            escape(&item.event),
            item.receive_count,
            if busy { " · being processed" } else { "" },
        );
        text(
            out,
            "queue__n",
            8.0,
            13.0,
            Some("middle"),
            &item.receive_count.to_string(),
        );
        out.push_str("</g>");
    }
    out.push_str("</g>");
}

fn dead_letter_node(out: &mut String, state: &DiagramState<'_>, rect: Rect) {
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
    out.push_str("</g>");
}

/// The messages in flight at `now_ms`, as tokens: a square for a command, a circle for a reply,
/// a diamond for an event, each with its saga's letter and what it carries.
///
/// With `jump` (the person prefers reduced motion) a token in flight does not glide: it stands
/// still halfway along its edge until it arrives.
pub fn tokens_svg(tokens: &[Token], now_ms: f64, lit: Option<MessageId>, jump: bool) -> String {
    let mut out = String::with_capacity(tokens.len() * 400);
    for t in tokens {
        let at = if jump && now_ms < t.arrive_ms as f64 {
            (t.sent_ms + t.arrive_ms) as f64 / 2.0
        } else {
            now_ms
        };
        let (p, waiting) = t.position(at);
        let letter = saga_letter(t.saga);
        let _ = write!(
            out,
            r#"<g class="token token--{} saga-{}{}{}{}" data-message="{}" data-progress="{}" transform="translate({} {})"><title>{} {} · saga {letter}{}</title><path class="token__shape" d="{}"/>"#,
            t.class,
            saga_colour(t.saga),
            if lit == Some(t.id) { " token--lit" } else { "" },
            if waiting { " token--waiting" } else { "" },
            if t.duplicate { " token--duplicate" } else { "" },
            t.id,
            Num(progress(t.sent_ms, t.arrive_ms, at)),
            Num(p.x),
            Num(p.y),
            t.class,
            escape(&t.label),
            if t.duplicate { " (duplicate)" } else { "" },
            t.shape.path(10.0),
        );
        text(
            &mut out,
            "token__letter",
            0.0,
            4.5,
            Some("middle"),
            &letter.to_string(),
        );
        // Near the right edge the label goes on the left of the token, to stay in view.
        if p.x > super::layout::VIEW_W - 190.0 {
            text(&mut out, "token__label", -16.0, 5.0, Some("end"), &t.label);
        } else {
            text(&mut out, "token__label", 16.0, 5.0, None, &t.label);
        }
        out.push_str("</g>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fault::FaultSpec;
    use crate::engine::presets;
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;
    use crate::view::tokens::tokens;

    fn sim(preset: &str, c: Coordination, until_ms: u64) -> Simulation {
        let scenario = presets::scenario(preset, c, Storage::PerService, 1).unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(until_ms);
        sim
    }

    fn svg(sim: &Simulation, saga: SagaId, focus: Option<&Focus>) -> String {
        let snapshot = sim.snapshot();
        let t = topics(
            sim.messages(),
            &snapshot.in_flight,
            &sim.scenario().definition,
        );
        diagram_svg(&DiagramState {
            snapshot: &snapshot,
            scenario: sim.scenario(),
            saga,
            selected: None,
            focus,
            topics: &t,
        })
    }

    /// The opening tag of the element with `data-testid="id"`.
    fn tag_of<'a>(markup: &'a str, id: &str) -> &'a str {
        let at = markup
            .find(&format!(r#"data-testid="{id}""#))
            .unwrap_or_else(|| panic!("{id} not drawn"));
        let start = markup[..at].rfind('<').unwrap();
        let end = at + markup[at..].find('>').unwrap();
        &markup[start..=end]
    }

    #[test]
    fn orchestration_draws_the_contract_nodes() {
        let markup = svg(&sim("happy-path", Coordination::Orchestration, 0), 0, None);
        for id in [
            "orchestrator",
            "service-reservation",
            "service-payment",
            "service-calendar",
            "service-notification",
        ] {
            assert!(tag_of(&markup, id).contains("tabindex=\"0\""));
        }
        assert!(!markup.contains("event-bus"));
    }

    #[test]
    fn choreography_draws_the_bus_and_the_dead_letter_queue() {
        let markup = svg(&sim("happy-path", Coordination::Choreography, 0), 0, None);
        assert!(tag_of(&markup, "event-bus").contains("data-node"));
        assert!(tag_of(&markup, "dead-letter-queue").contains(r#"data-count="0""#));
        assert!(!markup.contains(r#"data-testid="orchestrator""#));
    }

    #[test]
    fn service_and_step_statuses_follow_the_engine() {
        let s = sim("card-declined", Coordination::Orchestration, 600_000);
        let markup = svg(&s, 0, None);
        assert!(tag_of(&markup, "service-payment").contains(r#"data-status="failed""#));
        assert!(tag_of(&markup, "service-calendar").contains(r#"data-status="idle""#));
        assert!(
            markup.contains(r#"data-step="1" data-kind="compensatable" data-status="compensated""#)
        );
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
    fn active_faults_show_as_removable_chips() {
        let mut s = sim("happy-path", Coordination::Orchestration, 0);
        s.handle_command(crate::engine::scenario::Command::InjectFault {
            fault: FaultSpec::Latency {
                service: ServiceId::Payment,
                extra_ms: 2_500,
            },
        })
        .unwrap();
        let markup = svg(&s, 0, None);
        assert!(markup.contains(r#"data-chip="0""#));
        // Named by what it shows first (the chip's text), then what activating it does.
        assert!(markup.contains(r#"aria-label="+2.5 s: remove fault (Payment: +2500 ms latency)""#));
        // The chip is a button inside its node, so the node must not be a button too.
        assert!(tag_of(&markup, "service-payment")
            .contains(r#"role="group" aria-label="Payment service"#));
        assert_eq!(
            markup.matches(r#"role="button""#).count(),
            1,
            "only the chip is a button"
        );
        assert!(markup.contains("+2.5 s latency"));
    }

    #[test]
    fn a_focused_event_lights_its_nodes_and_edge() {
        let s = sim("happy-path", Coordination::Orchestration, 0);
        let focus = Focus {
            nodes: vec![NodeKey::Service(ServiceId::Payment)],
            message: None,
            edge: Some((
                Node::Orchestrator,
                Node::Service(ServiceId::Payment),
                Lane::Command,
            )),
        };
        let markup = svg(&s, 0, Some(&focus));
        assert!(tag_of(&markup, "service-payment").contains("is-lit"));
        assert!(!tag_of(&markup, "service-calendar").contains("is-lit"));
        assert_eq!(markup.matches("edge--lit").count(), 1);
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
    fn the_bus_lists_its_topics() {
        let s = sim("happy-path", Coordination::Choreography, 600_000);
        let snapshot = s.snapshot();
        let t = topics(s.messages(), &snapshot.in_flight, &s.scenario().definition);
        assert_eq!(t[0].name, "ReservationCreated");
        assert!(t.iter().all(|t| t.count == 1 && !t.live));
        assert!(svg(&s, 0, None).contains("PaymentCharged ×1"));
    }

    #[test]
    fn a_topic_with_several_subscribers_says_how_many_queues_it_reaches() {
        let s = sim("card-declined", Coordination::Choreography, 600_000);
        let snapshot = s.snapshot();
        let t = topics(s.messages(), &snapshot.in_flight, &s.scenario().definition);
        let declined = t.iter().find(|t| t.name == "PaymentDeclined").unwrap();
        assert_eq!(declined.subscribers, 2);
        let created = t.iter().find(|t| t.name == "ReservationCreated").unwrap();
        assert_eq!(created.subscribers, 1);
        let markup = svg(&s, 0, None);
        assert!(markup.contains("PaymentDeclined ×1 ⇉2"));
        assert!(markup.contains("ReservationCreated ×1<"));
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
    fn tokens_are_drawn_by_class_and_position() {
        let s = sim("happy-path", Coordination::Orchestration, 500);
        let snapshot = s.snapshot();
        let all = tokens(
            &snapshot.in_flight,
            &s.scenario().definition,
            Coordination::Orchestration,
        );
        assert!(!all.is_empty());
        let markup = tokens_svg(&all, 600.0, Some(all[0].id), false);
        assert!(markup.contains("token token--command saga-0 token--lit"));
        assert!(markup.contains("Create reservation"));
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

    #[test]
    fn with_reduced_motion_a_token_stands_still_while_it_flies() {
        let scenario = presets::scenario(
            "happy-path",
            Coordination::Orchestration,
            Storage::PerService,
            1,
        )
        .unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.advance_to(1);
        let snapshot = sim.snapshot();
        let all = tokens(
            &snapshot.in_flight,
            &sim.scenario().definition,
            Coordination::Orchestration,
        );
        let t = all.first().expect("a message in flight");
        let early = t.sent_ms as f64 + 1.0;
        let late = t.arrive_ms as f64 - 1.0;
        assert_eq!(
            tokens_svg(&all, early, None, true),
            tokens_svg(&all, late, None, true)
        );
        assert_ne!(
            tokens_svg(&all, early, None, false),
            tokens_svg(&all, late, None, false)
        );
    }
}
