//! Where things are drawn: node boxes and the routes messages travel, for each coordination style.
//!
//! Everything is in the diagram's own units (a [`VIEW_W`] × [`VIEW_H`] `viewBox`); the page
//! scales it to fit.

use crate::engine::definition::ServiceId;
use crate::engine::message::{Body, Node};
use crate::engine::scenario::Coordination;

use super::format::Num;

/// Width of the diagram's coordinate system.
pub const VIEW_W: f64 = 1000.0;
/// Height of the diagram's coordinate system.
pub const VIEW_H: f64 = 440.0;

/// Something drawn as a box in the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKey {
    /// The person reserving.
    Customer,
    /// The saga orchestrator (orchestration).
    Orchestrator,
    /// The event bus (choreography).
    Bus,
    /// A service.
    Service(ServiceId),
    /// A service's inbound queue (choreography).
    Queue(ServiceId),
    /// The dead-letter queue (choreography).
    DeadLetters,
}

impl NodeKey {
    /// The box a message endpoint is drawn in.
    pub fn of(node: Node) -> NodeKey {
        match node {
            Node::Customer => NodeKey::Customer,
            Node::Orchestrator => NodeKey::Orchestrator,
            Node::Bus => NodeKey::Bus,
            Node::Service(s) => NodeKey::Service(s),
            Node::Queue(s) => NodeKey::Queue(s),
        }
    }

    /// The `data-testid` of the node (the test contract).
    pub fn test_id(self) -> String {
        match self {
            NodeKey::Customer => "customer".to_string(),
            NodeKey::Orchestrator => "orchestrator".to_string(),
            NodeKey::Bus => "event-bus".to_string(),
            NodeKey::Service(s) => format!("service-{}", s.as_str()),
            NodeKey::Queue(s) => format!("queue-{}", s.as_str()),
            NodeKey::DeadLetters => "dead-letter-queue".to_string(),
        }
    }

    /// The node a `data-testid` names (the inverse of [`NodeKey::test_id`]).
    pub fn from_test_id(id: &str) -> Option<NodeKey> {
        match id {
            "customer" => Some(NodeKey::Customer),
            "orchestrator" => Some(NodeKey::Orchestrator),
            "event-bus" => Some(NodeKey::Bus),
            "dead-letter-queue" => Some(NodeKey::DeadLetters),
            _ => {
                if let Some(s) = id.strip_prefix("service-") {
                    ServiceId::parse(s).map(NodeKey::Service)
                } else {
                    id.strip_prefix("queue-")
                        .and_then(ServiceId::parse)
                        .map(NodeKey::Queue)
                }
            }
        }
    }

    /// The name people read.
    pub fn label(self) -> String {
        match self {
            NodeKey::Customer => "Customer".to_string(),
            NodeKey::Orchestrator => "Orchestrator".to_string(),
            NodeKey::Bus => "Event bus".to_string(),
            NodeKey::Service(s) => s.label().to_string(),
            NodeKey::Queue(s) => format!("{} queue", s.label()),
            NodeKey::DeadLetters => "Dead-letter queue".to_string(),
        }
    }

    /// The service this node belongs to, if any (a queue belongs to its service).
    pub fn service(self) -> Option<ServiceId> {
        match self {
            NodeKey::Service(s) | NodeKey::Queue(s) => Some(s),
            _ => None,
        }
    }
}

/// A point in diagram units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal, from the left.
    pub x: f64,
    /// Vertical, from the top.
    pub y: f64,
}

const fn pt(x: f64, y: f64) -> Point {
    Point { x, y }
}

/// A box in diagram units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    const fn new(x: f64, y: f64, w: f64, h: f64) -> Self {
        Rect { x, y, w, h }
    }
    /// Horizontal centre.
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    /// Vertical centre.
    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// Which way along a pair of nodes a message goes, so commands and replies between the same two
/// nodes travel on separate lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Orchestrator → service.
    Command,
    /// Service → orchestrator.
    Reply,
    /// An event (choreography, or the customer's request).
    Event,
}

impl Lane {
    /// The lane a message body travels on.
    pub fn of(body: &Body) -> Lane {
        match body {
            Body::Command { .. } => Lane::Command,
            Body::Reply { .. } => Lane::Reply,
            Body::Event { .. } => Lane::Event,
        }
    }
}

/// A drawn connection that messages travel along.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Sender.
    pub from: Node,
    /// Receiver.
    pub to: Node,
    /// Which lane.
    pub lane: Lane,
    /// The polyline, from sender to receiver.
    pub points: Vec<Point>,
}

const SERVICE_W: f64 = 232.0;
/// The event bus's height: three rows of topic pills.
const BUS_H: f64 = 2.0 * PILL_PAD + 3.0 * PILL_H + 2.0 * PILL_GAP;
const SERVICE_GAP: f64 = 14.0;
const LANE_OFFSET: f64 = 8.0;

fn service_index(s: ServiceId) -> f64 {
    // At most 4: exact in f64.
    f64::from(u8::try_from(s.index()).unwrap_or(0))
}

fn service_x(s: ServiceId) -> f64 {
    SERVICE_GAP + service_index(s) * (SERVICE_W + SERVICE_GAP)
}

/// The box of a node, if the style draws it.
pub fn node_rect(coordination: Coordination, key: NodeKey) -> Option<Rect> {
    match coordination {
        Coordination::Orchestration => match key {
            NodeKey::Customer => Some(Rect::new(24.0, 48.0, 140.0, 56.0)),
            NodeKey::Orchestrator => Some(Rect::new(250.0, 8.0, 500.0, 172.0)),
            NodeKey::Service(s) => Some(Rect::new(service_x(s), 246.0, SERVICE_W, 186.0)),
            _ => None,
        },
        Coordination::Choreography => match key {
            NodeKey::Customer => Some(Rect::new(6.0, 362.0, 82.0, 52.0)),
            NodeKey::Service(s) => Some(Rect::new(service_x(s), 8.0, SERVICE_W, 178.0)),
            NodeKey::Queue(s) => Some(Rect::new(service_x(s) + 84.0, 210.0, 112.0, 44.0)),
            NodeKey::Bus => Some(Rect::new(94.0, 272.0, 896.0, BUS_H)),
            NodeKey::DeadLetters => Some(Rect::new(632.0, 356.0, 358.0, 78.0)),
            NodeKey::Orchestrator => None,
        },
    }
}

/// Where the legend (shapes and step kinds) is drawn.
pub fn legend_origin(coordination: Coordination) -> Point {
    match coordination {
        Coordination::Orchestration => pt(776.0, 20.0),
        Coordination::Choreography => pt(104.0, 362.0),
    }
}

/// Every node the style draws, in drawing order.
pub fn nodes(coordination: Coordination) -> Vec<(NodeKey, Rect)> {
    let mut keys = vec![NodeKey::Customer];
    match coordination {
        Coordination::Orchestration => keys.push(NodeKey::Orchestrator),
        Coordination::Choreography => {
            keys.push(NodeKey::Bus);
            keys.push(NodeKey::DeadLetters);
            keys.extend(ServiceId::ALL.map(NodeKey::Queue));
        }
    }
    keys.extend(ServiceId::ALL.map(NodeKey::Service));
    keys.into_iter()
        .filter_map(|k| node_rect(coordination, k).map(|r| (k, r)))
        .collect()
}

/// Shifts a two-point segment sideways by `by` (positive: to the left of its direction).
fn shifted(a: Point, b: Point, by: f64) -> [Point; 2] {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt().max(f64::EPSILON);
    let (nx, ny) = (dy / len * by, -dx / len * by);
    [pt(a.x + nx, a.y + ny), pt(b.x + nx, b.y + ny)]
}

/// Every connection the style draws, each a route messages can travel.
pub fn edges(coordination: Coordination) -> Vec<Edge> {
    let rect = |k| node_rect(coordination, k);
    let mut out = Vec::new();
    match coordination {
        Coordination::Orchestration => {
            let (Some(customer), Some(orch)) =
                (rect(NodeKey::Customer), rect(NodeKey::Orchestrator))
            else {
                return out;
            };
            out.push(Edge {
                from: Node::Customer,
                to: Node::Orchestrator,
                lane: Lane::Event,
                points: vec![
                    pt(customer.right(), customer.cy()),
                    pt(orch.x, customer.cy()),
                ],
            });
            for s in ServiceId::ALL {
                let Some(service) = rect(NodeKey::Service(s)) else {
                    continue;
                };
                let port = pt(
                    orch.x + orch.w * (service_index(s) + 1.0) / 5.0,
                    orch.bottom(),
                );
                let top = pt(service.cx(), service.y);
                let [a, b] = shifted(port, top, LANE_OFFSET);
                out.push(Edge {
                    from: Node::Orchestrator,
                    to: Node::Service(s),
                    lane: Lane::Command,
                    points: vec![a, b],
                });
                let [a, b] = shifted(port, top, -LANE_OFFSET);
                out.push(Edge {
                    from: Node::Service(s),
                    to: Node::Orchestrator,
                    lane: Lane::Reply,
                    points: vec![b, a],
                });
            }
        }
        Coordination::Choreography => {
            let (Some(customer), Some(bus)) = (rect(NodeKey::Customer), rect(NodeKey::Bus)) else {
                return out;
            };
            if let Some(queue) = rect(NodeKey::Queue(ServiceId::Reservation)) {
                // Up the left edge, past the end of the bus, into the first service's queue.
                let x = customer.cx();
                out.push(Edge {
                    from: Node::Customer,
                    to: Node::Queue(ServiceId::Reservation),
                    lane: Lane::Event,
                    points: vec![
                        pt(x, customer.y),
                        pt(x, queue.cy()),
                        pt(queue.x, queue.cy()),
                    ],
                });
            }
            for s in ServiceId::ALL {
                let (Some(service), Some(queue)) =
                    (rect(NodeKey::Service(s)), rect(NodeKey::Queue(s)))
                else {
                    continue;
                };
                let x = service.right() - 20.0;
                out.push(Edge {
                    from: Node::Service(s),
                    to: Node::Bus,
                    lane: Lane::Event,
                    points: vec![pt(x, service.bottom()), pt(x, bus.y)],
                });
                out.push(Edge {
                    from: Node::Bus,
                    to: Node::Queue(s),
                    lane: Lane::Event,
                    points: vec![pt(queue.cx(), bus.y), pt(queue.cx(), queue.bottom())],
                });
            }
        }
    }
    out
}

/// The line from a queue up to the service that consumes it (choreography); not a message route.
pub fn consumer_link(coordination: Coordination, service: ServiceId) -> Option<[Point; 2]> {
    let queue = node_rect(coordination, NodeKey::Queue(service))?;
    let svc = node_rect(coordination, NodeKey::Service(service))?;
    Some([pt(queue.cx(), queue.y), pt(queue.cx(), svc.bottom())])
}

/// The route a message from `from` to `to` travels: a drawn edge when there is one, else a
/// straight line between the two boxes' centres.
pub fn route(coordination: Coordination, from: Node, to: Node, lane: Lane) -> Vec<Point> {
    let all = edges(coordination);
    let found = all
        .iter()
        .find(|e| e.from == from && e.to == to && e.lane == lane)
        .or_else(|| all.iter().find(|e| e.from == from && e.to == to));
    if let Some(edge) = found {
        return edge.points.clone();
    }
    let centre = |n: Node| {
        node_rect(coordination, NodeKey::of(n))
            .map(|r| pt(r.cx(), r.cy()))
            .unwrap_or(pt(VIEW_W / 2.0, VIEW_H / 2.0))
    };
    vec![centre(from), centre(to)]
}

/// The point a `fraction` (0–1) of the way along a polyline.
pub fn point_along(points: &[Point], fraction: f64) -> Point {
    let Some(&first) = points.first() else {
        return pt(0.0, 0.0);
    };
    let lengths: Vec<f64> = points
        .windows(2)
        .map(|w| ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt())
        .collect();
    let total: f64 = lengths.iter().sum();
    if total <= 0.0 {
        return first;
    }
    let mut left = fraction.clamp(0.0, 1.0) * total;
    for (w, len) in points.windows(2).zip(&lengths) {
        if left <= *len && *len > 0.0 {
            let t = left / len;
            return pt(
                w[0].x + (w[1].x - w[0].x) * t,
                w[0].y + (w[1].y - w[0].y) * t,
            );
        }
        left -= len;
    }
    points.last().copied().unwrap_or(first)
}

/// The width of a character of bold text, in ems: an upper bound for the common sans-serif faces
/// the page may get (DejaVu Sans Bold, the widest of them, measured; Segoe UI, Roboto and the
/// San Francisco faces are narrower), so text laid out by it stays inside its box.
fn bold_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | 'I' | 'J' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | '·' => 0.39,
        ' ' => 0.36,
        'f' | 'r' | 't' => 0.5,
        'm' | 'w' | 'M' | 'W' => 1.1,
        'A'..='Z' => 0.86,
        'a'..='z' | '0'..='9' => 0.73,
        _ => 1.0,
    }
}

/// How wide a line of bold text is drawn at `font` units (at most: see [`bold_em`]).
pub fn bold_text_width(text: &str, font: f64) -> f64 {
    text.chars().map(bold_em).sum::<f64>() * font
}

/// Text size, height and inner padding of a topic pill on the event bus.
pub const PILL_FONT: f64 = 12.5;
/// A topic pill's height.
pub const PILL_H: f64 = 22.0;
/// Space between the pill's edge and its text, each side.
pub const PILL_TEXT_PAD: f64 = 8.0;
const PILL_GAP: f64 = 3.0;
const PILL_PAD: f64 = 5.0;
/// Where the pills begin, right of the bus's title.
const PILL_LEFT: f64 = 130.0;
/// The room the bus's fault chips take at the right of its first row.
pub const BUS_CHIPS_W: f64 = 104.0;

/// A topic pill on the event bus, in the bus's own units.
#[derive(Debug, Clone, PartialEq)]
pub struct Pill {
    /// Its box.
    pub rect: Rect,
    /// Its text (cut short with "…" if no row is wide enough).
    pub text: String,
    /// The topics it stands for: one, or (the last pill, when they do not all fit) the rest.
    pub topics: std::ops::Range<usize>,
}

impl Pill {
    /// Whether it stands for several topics that did not fit ("+3 more").
    pub fn is_more(&self) -> bool {
        self.topics.len() > 1
    }
}

/// The box a pill with this text needs.
fn pill_width(text: &str) -> f64 {
    bold_text_width(text, PILL_FONT) + 2.0 * PILL_TEXT_PAD
}

/// Lays the bus's topic pills out, in order, in rows right of its title (the first row leaves
/// room for fault chips when `chips`), so that none overlaps another, the title or the chips,
/// and each text fits its pill. Topics that do not fit share a last "+N more" pill.
pub fn topic_pills(labels: &[String], chips: bool) -> Vec<Pill> {
    let Some(bus) = node_rect(Coordination::Choreography, NodeKey::Bus) else {
        return Vec::new();
    };
    let right = bus.w - PILL_PAD;
    let rows: Vec<(f64, f64)> = (0..3)
        .map(|i| {
            let y = PILL_PAD + f64::from(i) * (PILL_H + PILL_GAP);
            let end = if chips && i == 0 {
                bus.w - BUS_CHIPS_W - PILL_GAP
            } else {
                right
            };
            (y, end)
        })
        .collect();
    let mut out: Vec<Pill> = Vec::with_capacity(labels.len());
    let (mut row, mut x) = (0, PILL_LEFT);
    for (i, label) in labels.iter().enumerate() {
        let mut text = label.clone();
        let widest = right - PILL_LEFT;
        if pill_width(&text) > widest {
            // Longer than any row: cut short (its title still says it whole).
            while !text.is_empty() && pill_width(&format!("{text}…")) > widest {
                text.pop();
            }
            text.push('…');
        }
        let w = pill_width(&text);
        while let Some(&(_, end)) = rows.get(row) {
            if x + w <= end {
                break;
            }
            row += 1;
            x = PILL_LEFT;
        }
        let Some(&(y, _)) = rows.get(row) else {
            // No room left: the last pills give way to one that counts the rest.
            more(&mut out, &rows, i, labels.len());
            return out;
        };
        out.push(Pill {
            rect: Rect::new(x, y, w, PILL_H),
            text,
            topics: i..i + 1,
        });
        x += w + PILL_GAP * 2.0;
    }
    out
}

/// Ends the pills with one that stands for topics `first..total` (and the pills it displaces).
fn more(out: &mut Vec<Pill>, rows: &[(f64, f64)], first: usize, total: usize) {
    let mut first = first;
    loop {
        let text = format!("+{} more", total - first);
        let w = pill_width(&text);
        let (x, y, end) = match out.last() {
            Some(p) => {
                let row_end = rows
                    .iter()
                    .find(|(y, _)| (*y - p.rect.y).abs() < 0.5)
                    .map_or(0.0, |r| r.1);
                (p.rect.right() + PILL_GAP * 2.0, p.rect.y, row_end)
            }
            None => (PILL_LEFT, PILL_PAD, rows.first().map_or(0.0, |r| r.1)),
        };
        if x + w <= end || out.is_empty() {
            out.push(Pill {
                rect: Rect::new(x, y, w, PILL_H),
                text,
                topics: first..total,
            });
            return;
        }
        // Make room: the last shown topic joins the rest.
        out.pop();
        first -= 1;
    }
}

/// An SVG path (`M x y L x y …`) through the points.
pub fn path_d(points: &[Point]) -> String {
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        if i > 0 {
            d.push(' ');
        }
        d.push_str(&format!("{cmd}{} {}", Num(p.x), Num(p.y)));
    }
    d
}

#[cfg(test)]
mod tests;
