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

/// Which drawing of the diagram: the normal one, or presenter mode's (larger type and boxes,
/// in a coordinate system shaped like a projector's diagram column, about 1 unit a pixel at
/// 1280 × 720, so that its smallest text reads at 18 px and more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Size {
    /// The page's own diagram, [`VIEW_W`] × [`VIEW_H`].
    #[default]
    Normal,
    /// Presenter mode's, [`PRESENTER_W`] × [`PRESENTER_H`].
    Presenter,
}

/// Width of presenter mode's coordinate system.
pub const PRESENTER_W: f64 = 820.0;
/// Height of presenter mode's coordinate system.
pub const PRESENTER_H: f64 = 500.0;

impl Size {
    /// The size presenter mode (`true`) or the normal page draws at.
    pub fn of(presenter: bool) -> Size {
        if presenter {
            Size::Presenter
        } else {
            Size::Normal
        }
    }

    /// The coordinate system's width and height.
    pub fn view(self) -> (f64, f64) {
        match self {
            Size::Normal => (VIEW_W, VIEW_H),
            Size::Presenter => (PRESENTER_W, PRESENTER_H),
        }
    }

    /// Whether this is presenter mode's drawing.
    pub fn is_presenter(self) -> bool {
        self == Size::Presenter
    }
}

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
    node_rect_in(Size::Normal, coordination, key)
}

/// Presenter mode's services: two rows of two, wide enough for a step's name on one line.
const P_SERVICE_W: f64 = 401.0;
/// A presenter service's height: title, status, two step rows, fault chips.
pub const P_SERVICE_H: f64 = 128.0;
const P_MARGIN: f64 = 6.0;

/// Where presenter mode draws a service: Reservation and Payment above, Calendar and
/// Notification below, in reading order.
fn p_service(s: ServiceId, y_top: f64, y_bottom: f64) -> Rect {
    let i = service_index(s);
    let column = i % 2.0;
    let y = if i < 2.0 { y_top } else { y_bottom };
    Rect::new(
        P_MARGIN + column * (P_SERVICE_W + P_MARGIN),
        y,
        P_SERVICE_W,
        P_SERVICE_H,
    )
}

/// The second row of services in presenter mode.
const P_ROW2_Y: f64 = PRESENTER_H - P_MARGIN - P_SERVICE_H;
/// Presenter mode's event bus: its height holds three rows of (larger) pills.
const P_BUS_H: f64 = 2.0 * PILL_PAD + 3.0 * P_PILL_H + 2.0 * PILL_GAP;
const P_BUS_Y: f64 = (PRESENTER_H - P_BUS_H) / 2.0;
/// A presenter queue's box.
const P_QUEUE_W: f64 = 170.0;
/// The middle of the bands above and below presenter mode's bus (choreography), between the
/// queues' edges.
const P_BAND_X: f64 = 222.0;
const P_BAND_W: f64 = PRESENTER_W - 2.0 * P_BAND_X;
const P_QUEUE_H: f64 = 40.0;

/// The box of a node in a drawing, if the style draws it.
pub fn node_rect_in(size: Size, coordination: Coordination, key: NodeKey) -> Option<Rect> {
    if size.is_presenter() {
        return presenter_rect(coordination, key);
    }
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

/// Presenter mode's boxes: the orchestrator (or the bus) in a band across the middle, the
/// services in two rows of two above and below it, so that its type can be large.
fn presenter_rect(coordination: Coordination, key: NodeKey) -> Option<Rect> {
    let service = |s| p_service(s, P_MARGIN, P_ROW2_Y);
    match coordination {
        Coordination::Orchestration => {
            let band_y = P_MARGIN + P_SERVICE_H + 26.0;
            let band_h = P_ROW2_Y - 26.0 - band_y;
            match key {
                NodeKey::Customer => Some(Rect::new(P_MARGIN, band_y + 10.0, 134.0, band_h - 20.0)),
                NodeKey::Orchestrator => Some(Rect::new(
                    170.0,
                    band_y,
                    PRESENTER_W - P_MARGIN - 170.0,
                    band_h,
                )),
                NodeKey::Service(s) => Some(service(s)),
                _ => None,
            }
        }
        Coordination::Choreography => match key {
            NodeKey::Service(s) => Some(service(s)),
            NodeKey::Queue(s) => {
                let svc = service(s);
                let y = if service_index(s) < 2.0 {
                    (svc.bottom() + P_BUS_Y - P_QUEUE_H) / 2.0
                } else {
                    (P_BUS_Y + P_BUS_H + svc.y - P_QUEUE_H) / 2.0
                };
                // Under the outer end of its service: the middle of each band is free.
                let x = if service_index(s) % 2.0 == 0.0 {
                    svc.x + 20.0
                } else {
                    svc.right() - 20.0 - P_QUEUE_W
                };
                Some(Rect::new(x, y, P_QUEUE_W, P_QUEUE_H))
            }
            NodeKey::Bus => Some(Rect::new(
                P_MARGIN,
                P_BUS_Y,
                PRESENTER_W - 2.0 * P_MARGIN,
                P_BUS_H,
            )),
            // The customer and the dead letters in the middle of the bands above and below
            // the bus.
            NodeKey::Customer => {
                let y = P_MARGIN + P_SERVICE_H + 6.0;
                Some(Rect::new(P_BAND_X, y, P_BAND_W, P_BUS_Y - 6.0 - y))
            }
            NodeKey::DeadLetters => {
                let y = P_BUS_Y + P_BUS_H + 6.0;
                Some(Rect::new(P_BAND_X, y, P_BAND_W, P_ROW2_Y - 6.0 - y))
            }
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
    nodes_in(Size::Normal, coordination)
}

/// Every node the style draws in a drawing, in drawing order.
pub fn nodes_in(size: Size, coordination: Coordination) -> Vec<(NodeKey, Rect)> {
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
        .filter_map(|k| node_rect_in(size, coordination, k).map(|r| (k, r)))
        .collect()
}

/// Shifts a two-point segment sideways by `by` (positive: to the left of its direction).
/// The orchestrator's two lanes to service `s`, from `port` on its box to `end` on the
/// service's: commands on one side, replies back on the other.
fn command_and_reply(out: &mut Vec<Edge>, s: ServiceId, port: Point, end: Point) {
    let [a, b] = shifted(port, end, LANE_OFFSET);
    out.push(Edge {
        from: Node::Orchestrator,
        to: Node::Service(s),
        lane: Lane::Command,
        points: vec![a, b],
    });
    let [a, b] = shifted(port, end, -LANE_OFFSET);
    out.push(Edge {
        from: Node::Service(s),
        to: Node::Orchestrator,
        lane: Lane::Reply,
        points: vec![b, a],
    });
}

fn shifted(a: Point, b: Point, by: f64) -> [Point; 2] {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt().max(f64::EPSILON);
    let (nx, ny) = (dy / len * by, -dx / len * by);
    [pt(a.x + nx, a.y + ny), pt(b.x + nx, b.y + ny)]
}

/// Every connection the style draws, each a route messages can travel.
pub fn edges(coordination: Coordination) -> Vec<Edge> {
    edges_in(Size::Normal, coordination)
}

/// Every connection the style draws in a drawing, each a route messages can travel.
pub fn edges_in(size: Size, coordination: Coordination) -> Vec<Edge> {
    let rect = |k| node_rect_in(size, coordination, k);
    let mut out = Vec::new();
    if size.is_presenter() {
        presenter_edges(coordination, &mut out);
        return out;
    }
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
                command_and_reply(&mut out, s, port, top);
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

/// Presenter mode's connections: straight up or down from the band across the middle.
fn presenter_edges(coordination: Coordination, out: &mut Vec<Edge>) {
    let rect = |k| node_rect_in(Size::Presenter, coordination, k);
    match coordination {
        Coordination::Orchestration => {
            let (Some(customer), Some(orch)) =
                (rect(NodeKey::Customer), rect(NodeKey::Orchestrator))
            else {
                return;
            };
            out.push(Edge {
                from: Node::Customer,
                to: Node::Orchestrator,
                lane: Lane::Event,
                points: vec![pt(customer.right(), orch.cy()), pt(orch.x, orch.cy())],
            });
            for s in ServiceId::ALL {
                let Some(service) = rect(NodeKey::Service(s)) else {
                    continue;
                };
                let x = service.cx().clamp(orch.x + 40.0, orch.right() - 40.0);
                let (port, end) = if service.y < orch.y {
                    (pt(x, orch.y), pt(x, service.bottom()))
                } else {
                    (pt(x, orch.bottom()), pt(x, service.y))
                };
                command_and_reply(out, s, port, end);
            }
        }
        Coordination::Choreography => {
            let (Some(customer), Some(bus)) = (rect(NodeKey::Customer), rect(NodeKey::Bus)) else {
                return;
            };
            if let Some(queue) = rect(NodeKey::Queue(ServiceId::Reservation)) {
                out.push(Edge {
                    from: Node::Customer,
                    to: Node::Queue(ServiceId::Reservation),
                    lane: Lane::Event,
                    points: vec![pt(customer.x, queue.cy()), pt(queue.right(), queue.cy())],
                });
            }
            for s in ServiceId::ALL {
                let (Some(service), Some(queue)) =
                    (rect(NodeKey::Service(s)), rect(NodeKey::Queue(s)))
                else {
                    continue;
                };
                // Publishes on the inner side of its queue.
                let x = if service_index(s) % 2.0 == 0.0 {
                    queue.right() + 12.0
                } else {
                    queue.x - 12.0
                };
                let above = service.y < bus.y;
                let (from_svc, to_bus) = if above {
                    (pt(x, service.bottom()), pt(x, bus.y))
                } else {
                    (pt(x, service.y), pt(x, bus.bottom()))
                };
                out.push(Edge {
                    from: Node::Service(s),
                    to: Node::Bus,
                    lane: Lane::Event,
                    points: vec![from_svc, to_bus],
                });
                let (from_bus, to_queue) = if above {
                    (pt(queue.cx(), bus.y), pt(queue.cx(), queue.bottom()))
                } else {
                    (pt(queue.cx(), bus.bottom()), pt(queue.cx(), queue.y))
                };
                out.push(Edge {
                    from: Node::Bus,
                    to: Node::Queue(s),
                    lane: Lane::Event,
                    points: vec![from_bus, to_queue],
                });
            }
        }
    }
}

/// The line from a queue up to the service that consumes it (choreography); not a message route.
pub fn consumer_link(coordination: Coordination, service: ServiceId) -> Option<[Point; 2]> {
    consumer_link_in(Size::Normal, coordination, service)
}

/// The line from a queue to the service that consumes it, in a drawing.
pub fn consumer_link_in(
    size: Size,
    coordination: Coordination,
    service: ServiceId,
) -> Option<[Point; 2]> {
    let queue = node_rect_in(size, coordination, NodeKey::Queue(service))?;
    let svc = node_rect_in(size, coordination, NodeKey::Service(service))?;
    if svc.y > queue.y {
        return Some([pt(queue.cx(), queue.bottom()), pt(queue.cx(), svc.y)]);
    }
    Some([pt(queue.cx(), queue.y), pt(queue.cx(), svc.bottom())])
}

/// The route a message from `from` to `to` travels: a drawn edge when there is one, else a
/// straight line between the two boxes' centres.
pub fn route(coordination: Coordination, from: Node, to: Node, lane: Lane) -> Vec<Point> {
    route_in(Size::Normal, coordination, from, to, lane)
}

/// The route a message travels in a drawing (see [`route`]).
pub fn route_in(
    size: Size,
    coordination: Coordination,
    from: Node,
    to: Node,
    lane: Lane,
) -> Vec<Point> {
    let all = edges_in(size, coordination);
    let found = all
        .iter()
        .find(|e| e.from == from && e.to == to && e.lane == lane)
        .or_else(|| all.iter().find(|e| e.from == from && e.to == to));
    if let Some(edge) = found {
        return edge.points.clone();
    }
    let (w, h) = size.view();
    let centre = |n: Node| {
        node_rect_in(size, coordination, NodeKey::of(n))
            .map(|r| pt(r.cx(), r.cy()))
            .unwrap_or(pt(w / 2.0, h / 2.0))
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
/// Presenter mode's topic pills: text size, height.
pub const P_PILL_FONT: f64 = 20.0;
/// A presenter topic pill's height.
pub const P_PILL_H: f64 = 28.0;
/// Where presenter pills begin, right of the bus's title.
const P_PILL_LEFT: f64 = 150.0;
const PILL_PAD: f64 = 5.0;
/// Where the pills begin, right of the bus's title.
const PILL_LEFT: f64 = 130.0;
/// The room the bus's fault chips take at the right of its first row.
pub const BUS_CHIPS_W: f64 = 104.0;
/// The room the bus's fault chips take in presenter mode.
pub const P_BUS_CHIPS_W: f64 = 170.0;

/// The room the bus's fault chips take in a drawing.
pub fn bus_chips_w(size: Size) -> f64 {
    if size.is_presenter() {
        P_BUS_CHIPS_W
    } else {
        BUS_CHIPS_W
    }
}

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
fn pill_width(size: Size, text: &str) -> f64 {
    let font = if size.is_presenter() {
        P_PILL_FONT
    } else {
        PILL_FONT
    };
    bold_text_width(text, font) + 2.0 * PILL_TEXT_PAD
}

/// Lays the bus's topic pills out, in order, in rows right of its title (the first row leaves
/// room for fault chips when `chips`), so that none overlaps another, the title or the chips,
/// and each text fits its pill. Topics that do not fit share a last "+N more" pill.
pub fn topic_pills(labels: &[String], chips: bool) -> Vec<Pill> {
    topic_pills_in(Size::Normal, labels, chips)
}

/// The topic pills of the bus of a drawing (see [`topic_pills`]).
pub fn topic_pills_in(size: Size, labels: &[String], chips: bool) -> Vec<Pill> {
    let Some(bus) = node_rect_in(size, Coordination::Choreography, NodeKey::Bus) else {
        return Vec::new();
    };
    let (pill_h, left) = if size.is_presenter() {
        (P_PILL_H, P_PILL_LEFT)
    } else {
        (PILL_H, PILL_LEFT)
    };
    let geometry = PillRows {
        size,
        h: pill_h,
        left,
    };
    let right = bus.w - PILL_PAD;
    let rows: Vec<(f64, f64)> = (0..3)
        .map(|i| {
            let y = PILL_PAD + f64::from(i) * (pill_h + PILL_GAP);
            let end = if chips && i == 0 {
                bus.w - bus_chips_w(size) - PILL_GAP
            } else {
                right
            };
            (y, end)
        })
        .collect();
    let mut out: Vec<Pill> = Vec::with_capacity(labels.len());
    let (mut row, mut x) = (0, left);
    for (i, label) in labels.iter().enumerate() {
        let mut text = label.clone();
        let widest = right - left;
        if pill_width(size, &text) > widest {
            // Longer than any row: cut short (its title still says it whole).
            while !text.is_empty() && pill_width(size, &format!("{text}…")) > widest {
                text.pop();
            }
            text.push('…');
        }
        let w = pill_width(size, &text);
        while let Some(&(_, end)) = rows.get(row) {
            if x + w <= end {
                break;
            }
            row += 1;
            x = left;
        }
        let Some(&(y, _)) = rows.get(row) else {
            // No room left: the last pills give way to one that counts the rest.
            more(&mut out, &rows, &geometry, i, labels.len());
            return out;
        };
        out.push(Pill {
            rect: Rect::new(x, y, w, pill_h),
            text,
            topics: i..i + 1,
        });
        x += w + PILL_GAP * 2.0;
    }
    out
}

/// The pills' size, height and left edge in a drawing.
struct PillRows {
    size: Size,
    h: f64,
    left: f64,
}

/// Ends the pills with one that stands for topics `first..total` (and the pills it displaces).
fn more(out: &mut Vec<Pill>, rows: &[(f64, f64)], g: &PillRows, first: usize, total: usize) {
    let mut first = first;
    loop {
        let text = format!("+{} more", total - first);
        let w = pill_width(g.size, &text);
        let (x, y, end) = match out.last() {
            Some(p) => {
                let row_end = rows
                    .iter()
                    .find(|(y, _)| (*y - p.rect.y).abs() < 0.5)
                    .map_or(0.0, |r| r.1);
                (p.rect.right() + PILL_GAP * 2.0, p.rect.y, row_end)
            }
            None => (g.left, PILL_PAD, rows.first().map_or(0.0, |r| r.1)),
        };
        if x + w <= end || out.is_empty() {
            out.push(Pill {
                rect: Rect::new(x, y, w, g.h),
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
