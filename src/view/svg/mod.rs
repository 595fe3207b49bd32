//! The diagram as SVG markup: nodes, edges, statuses, fault chips and tokens.
//!
//! Pure functions from a snapshot (and what the person selected) to markup, so every status,
//! `data-status` and `data-testid` the page shows is tested natively. The page puts the markup in
//! place and handles clicks by delegation (`data-node`, `data-chip`).
//!
//! This file draws the diagram's edges and legend and lays out its nodes; `nodes.rs` draws each
//! kind of node, from the pieces in `parts.rs` (a node's head, its fault chips, its step rows),
//! and `token_layer.rs` draws the messages in flight.

mod nodes;
mod parts;
mod token_layer;

pub use token_layer::{tokens_svg, tokens_svg_in};

use crate::engine::choreography::Reaction;
use crate::engine::definition::{SagaDefinition, ServiceId};
use crate::engine::message::{Body, Message, MessageId, Node, SagaId};
use crate::engine::scenario::{Coordination, Scenario};
use crate::engine::snapshot::Snapshot;

use super::format::Num;
use super::html::Html;
use super::layout::{
    consumer_link_in, edges_in, legend_origin, nodes_in, path_d, Lane, NodeKey, Size,
};
use super::tokens::TokenShape;
use nodes::{
    bus_node, customer_node, dead_letter_node, orchestrator_node, queue_node, service_node,
};
use parts::text;

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

impl Topic {
    /// Its pill's text: the name, how many times it was published and, when the bus fans it
    /// out, to how many queues ("⇉2", compact so the pills fit on the bus).
    pub fn label(&self) -> String {
        if self.subscribers > 1 {
            format!("{} ×{} ⇉{}", self.name, self.count, self.subscribers)
        } else {
            format!("{} ×{}", self.name, self.count)
        }
    }
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

/// What the diagram shows, and at which size: what each node is drawn from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drawing<'a> {
    state: DiagramState<'a>,
    /// Which drawing: the normal one or presenter mode's.
    pub(crate) size: Size,
}

impl<'a> std::ops::Deref for Drawing<'a> {
    type Target = DiagramState<'a>;
    fn deref(&self) -> &DiagramState<'a> {
        &self.state
    }
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
    diagram_svg_in(state, Size::Normal)
}

/// The diagram's edges and nodes as a drawing draws them (presenter mode's: larger).
pub fn diagram_svg_in(state: &DiagramState<'_>, size: Size) -> String {
    let state = &Drawing {
        state: *state,
        size,
    };
    let coordination = state.scenario.coordination;
    let mut out = Html::with_capacity(16 * 1024);
    out.push(r#"<g class="edges">"#);
    for s in ServiceId::ALL {
        if let Some([a, b]) = consumer_link_in(size, coordination, s) {
            out.push_line("edge edge--consumer", (a.x, a.y), (b.x, b.y));
        }
    }
    let lit_edge = state.focus.and_then(|f| f.edge);
    for e in edges_in(size, coordination) {
        let lit = lit_edge == Some((e.from, e.to, e.lane));
        out.push(r#"<path class="edge edge--"#)
            .push(lane_name(e.lane))
            .push(if lit { " edge--lit" } else { "" })
            .push(r#"""#)
            .push_attr("d", &path_d(&e.points))
            .push(r#" marker-end="url(#arrow)"/>"#);
    }
    out.push("</g>");
    // Presenter mode has no room for the legend: its type is for the back row.
    if !size.is_presenter() {
        legend(&mut out, coordination);
    }
    for (key, rect) in nodes_in(size, coordination) {
        match key {
            NodeKey::Service(s) => service_node(&mut out, state, s, rect),
            NodeKey::Orchestrator => orchestrator_node(&mut out, state, rect),
            NodeKey::Bus => bus_node(&mut out, state, rect),
            NodeKey::Queue(s) => queue_node(&mut out, state, s, rect),
            NodeKey::DeadLetters => dead_letter_node(&mut out, state, rect),
            NodeKey::Customer => customer_node(&mut out, state, rect),
        }
    }
    out.into_string()
}

/// What the shapes and badges mean.
fn legend(out: &mut Html, coordination: Coordination) {
    let origin = legend_origin(coordination);
    // Orchestration has a tall corner (one column), choreography a wide strip (two rows).
    let (dx, dy) = match coordination {
        Coordination::Orchestration => (0.0, 21.0),
        Coordination::Choreography => (112.0, 0.0),
    };
    out.push(r#"<g class="legend" transform="translate("#)
        .push_plain(Num(origin.x))
        .push(" ")
        .push_plain(Num(origin.y))
        .push(r#")" aria-hidden="true">"#);
    let shapes = [
        (TokenShape::Square, "command"),
        (TokenShape::Circle, "reply"),
        (TokenShape::Diamond, "event"),
    ];
    for (i, (shape, name)) in shapes.iter().enumerate() {
        let (x, y) = (i as f64 * dx, 10.0 + i as f64 * dy);
        out.push(r#"<path class="legend__shape legend__shape--"#)
            .push(name)
            .push(r#"" transform="translate("#)
            .push_plain(Num(x + 8.0))
            .push(" ")
            .push_plain(Num(y))
            .push(r#")""#)
            .push_attr("d", &shape.path(7.0))
            .push("/>");
        text(out, "legend__text", x + 22.0, y + 5.0, None, name);
    }
    let kinds = [("C", "compensatable"), ("P", "pivot"), ("R", "retriable")];
    let (row_x, row_y) = match coordination {
        Coordination::Orchestration => (0.0, 3.0 * dy + 8.0),
        Coordination::Choreography => (0.0, 30.0),
    };
    for (i, (badge, name)) in kinds.iter().enumerate() {
        let (x, y) = (row_x + i as f64 * dx * 1.15, row_y + i as f64 * dy);
        out.push(r#"<g class="kind-badge kind-badge--"#)
            .push(name)
            .push(r#"" transform="translate("#)
            .push_plain(Num(x))
            .push(" ")
            .push_plain(Num(y))
            .push(r#")"><rect class="kind-badge__box" width="18" height="17" rx="4"/>"#);
        text(
            out,
            "kind-badge__text kind-badge__text--small",
            9.0,
            13.0,
            Some("middle"),
            badge,
        );
        out.push("</g>");
        text(out, "legend__text", x + 24.0, y + 13.0, None, name);
    }
    out.push("</g>");
}

/// Runs and lookups the diagram's tests share.
#[cfg(test)]
mod testing {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;

    pub(super) fn sim(preset: &str, c: Coordination, until_ms: u64) -> Simulation {
        let scenario = presets::scenario(preset, c, Storage::PerService, 1).unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(until_ms);
        sim
    }

    pub(super) fn svg(sim: &Simulation, saga: SagaId, focus: Option<&Focus>) -> String {
        svg_in(Size::Normal, sim, saga, focus)
    }

    pub(super) fn svg_in(
        size: Size,
        sim: &Simulation,
        saga: SagaId,
        focus: Option<&Focus>,
    ) -> String {
        let snapshot = sim.snapshot();
        let t = topics(
            sim.messages(),
            &snapshot.in_flight,
            &sim.scenario().definition,
        );
        diagram_svg_in(
            &DiagramState {
                snapshot: &snapshot,
                scenario: sim.scenario(),
                saga,
                selected: None,
                focus,
                topics: &t,
            },
            size,
        )
    }

    /// The opening tag of the element with `data-testid="id"`.
    pub(super) fn tag_of<'a>(markup: &'a str, id: &str) -> &'a str {
        let at = markup
            .find(&format!(r#"data-testid="{id}""#))
            .unwrap_or_else(|| panic!("{id} not drawn"));
        let start = markup[..at].rfind('<').unwrap();
        let end = at + markup[at..].find('>').unwrap();
        &markup[start..=end]
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

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
}
