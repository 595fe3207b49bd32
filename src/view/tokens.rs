//! Messages in flight, drawn as tokens moving along their routes.
//!
//! A token's shape says what it carries: a square for a command, a circle for a reply, a diamond
//! for an event. Its position at time `t` is `(t - sent) / (arrive - sent)` of the way along its
//! route, clamped; while `t < sent` the message is still being prepared and waits at its sender.

use crate::engine::definition::SagaDefinition;
use crate::engine::message::{Body, Message, MessageId, SagaId};
use crate::engine::scenario::Coordination;

use super::format::Num;
use super::layout::{point_along, route_in, Lane, Point, Size};

/// How a token is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenShape {
    /// A command (orchestrator → service).
    Square,
    /// A reply (service → orchestrator).
    Circle,
    /// An event.
    Diamond,
}

impl TokenShape {
    /// The shape for a message body.
    pub fn of(body: &Body) -> TokenShape {
        match body {
            Body::Command { .. } => TokenShape::Square,
            Body::Reply { .. } => TokenShape::Circle,
            Body::Event { .. } => TokenShape::Diamond,
        }
    }

    /// The stable lower-case name (a CSS modifier).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenShape::Square => "square",
            TokenShape::Circle => "circle",
            TokenShape::Diamond => "diamond",
        }
    }

    /// An SVG path for the shape, centred on the origin, `r` from centre to edge.
    pub fn path(self, r: f64) -> String {
        match self {
            TokenShape::Square => format!("M{0} {0} H{1} V{1} H{0} Z", Num(-r), Num(r)),
            TokenShape::Circle => {
                let (m, r) = (Num(-r), Num(r));
                format!("M{m} 0 A{r} {r} 0 1 0 {r} 0 A{r} {r} 0 1 0 {m} 0 Z")
            }
            TokenShape::Diamond => {
                let d = r * 1.3;
                let (m, d) = (Num(-d), Num(d));
                format!("M0 {m} L{d} 0 L0 {d} L{m} 0 Z")
            }
        }
    }
}

/// How far along its route a message is at `now_ms`, from 0 (at its sender) to 1 (arrived).
pub fn progress(sent_ms: u64, arrive_ms: u64, now_ms: f64) -> f64 {
    let sent = sent_ms as f64;
    let arrive = arrive_ms as f64;
    if now_ms <= sent {
        return 0.0;
    }
    if arrive <= sent {
        return 1.0;
    }
    ((now_ms - sent) / (arrive - sent)).clamp(0.0, 1.0)
}

/// Everything about a token that does not change while it travels.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The message.
    pub id: MessageId,
    /// Its saga.
    pub saga: SagaId,
    /// Its shape.
    pub shape: TokenShape,
    /// `command`, `reply` or `event`.
    pub class: &'static str,
    /// What it carries, in words ("Charge card", "PaymentCharged").
    pub label: String,
    /// A copy made by a duplicate fault.
    pub duplicate: bool,
    /// Its route.
    pub route: Vec<Point>,
    /// When it leaves its sender.
    pub sent_ms: u64,
    /// When it arrives.
    pub arrive_ms: u64,
}

impl Token {
    /// The token of a message.
    pub fn of(message: &Message, def: &SagaDefinition, coordination: Coordination) -> Token {
        Token::of_in(Size::Normal, message, def, coordination)
    }

    /// The token of a message, on its route in a drawing.
    pub fn of_in(
        size: Size,
        message: &Message,
        def: &SagaDefinition,
        coordination: Coordination,
    ) -> Token {
        Token {
            id: message.id,
            saga: message.saga,
            shape: TokenShape::of(&message.body),
            class: message.body.class(),
            label: message.body.label(def),
            duplicate: message.duplicate,
            route: route_in(
                size,
                coordination,
                message.from,
                message.to,
                Lane::of(&message.body),
            ),
            sent_ms: message.sent_ms,
            arrive_ms: message.arrive_ms,
        }
    }

    /// Where it is at `now_ms`, and whether it is still waiting at its sender.
    pub fn position(&self, now_ms: f64) -> (Point, bool) {
        let mut p = point_along(&self.route, progress(self.sent_ms, self.arrive_ms, now_ms));
        if self.duplicate {
            // A copy travels beside its original so both can be seen.
            p.x += 9.0;
            p.y -= 9.0;
        }
        (p, now_ms < self.sent_ms as f64)
    }
}

/// The tokens of every message in flight.
pub fn tokens(
    in_flight: &[Message],
    def: &SagaDefinition,
    coordination: Coordination,
) -> Vec<Token> {
    tokens_in(Size::Normal, in_flight, def, coordination)
}

/// The tokens of every message in flight, on their routes in a drawing.
pub fn tokens_in(
    size: Size,
    in_flight: &[Message],
    def: &SagaDefinition,
    coordination: Coordination,
) -> Vec<Token> {
    in_flight
        .iter()
        .map(|m| Token::of_in(size, m, def, coordination))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::definition::ServiceId;
    use crate::engine::message::{EventName, MessageState, Node, Task, TaskResult};

    fn message(body: Body, from: Node, to: Node) -> Message {
        Message {
            id: 7,
            event_id: 7,
            saga: 1,
            from,
            to,
            body,
            sent_ms: 1_000,
            arrive_ms: 1_400,
            state: MessageState::InFlight,
            duplicate: false,
        }
    }

    #[test]
    fn progress_waits_at_the_sender_until_sent() {
        assert_eq!(progress(1_000, 1_400, 500.0), 0.0);
        assert_eq!(progress(1_000, 1_400, 1_000.0), 0.0);
        assert_eq!(progress(1_000, 1_400, 1_100.0), 0.25);
        assert_eq!(progress(1_000, 1_400, 1_400.0), 1.0);
        assert_eq!(progress(1_000, 1_400, 9_000.0), 1.0);
        assert_eq!(progress(1_000, 1_000, 1_001.0), 1.0);
    }

    #[test]
    fn each_class_has_its_own_shape() {
        let def = SagaDefinition::restaurant();
        let c = Coordination::Orchestration;
        let cmd = message(
            Body::Command {
                task: Task::Action(1),
                attempt: 1,
                money: None,
            },
            Node::Orchestrator,
            Node::Service(ServiceId::Payment),
        );
        let reply = message(
            Body::Reply {
                task: Task::Action(1),
                attempt: 1,
                result: TaskResult::Done,
                changed: None,
            },
            Node::Service(ServiceId::Payment),
            Node::Orchestrator,
        );
        let event = message(
            Body::Event {
                name: EventName::StepDone(1),
            },
            Node::Service(ServiceId::Payment),
            Node::Bus,
        );
        let shapes: Vec<TokenShape> = [cmd, reply, event]
            .iter()
            .map(|m| Token::of(m, &def, c).shape)
            .collect();
        assert_eq!(
            shapes,
            [TokenShape::Square, TokenShape::Circle, TokenShape::Diamond]
        );
    }

    #[test]
    fn a_token_moves_from_sender_to_receiver() {
        let def = SagaDefinition::restaurant();
        let c = Coordination::Orchestration;
        let m = message(
            Body::Command {
                task: Task::Action(1),
                attempt: 2,
                money: None,
            },
            Node::Orchestrator,
            Node::Service(ServiceId::Payment),
        );
        let t = Token::of(&m, &def, c);
        assert_eq!(t.label, "Charge card (attempt 2)");
        let (start, waiting) = t.position(900.0);
        assert!(waiting);
        assert_eq!(start, t.route[0]);
        let (end, waiting) = t.position(1_400.0);
        assert!(!waiting);
        assert_eq!(end, *t.route.last().unwrap());
        let (mid, _) = t.position(1_200.0);
        assert!(mid.y > start.y && mid.y < end.y);
    }

    #[test]
    fn a_duplicate_travels_beside_its_original() {
        let def = SagaDefinition::restaurant();
        let c = Coordination::Choreography;
        let mut m = message(
            Body::Event {
                name: EventName::StepDone(0),
            },
            Node::Bus,
            Node::Queue(ServiceId::Payment),
        );
        let original = Token::of(&m, &def, c).position(1_200.0).0;
        m.duplicate = true;
        let copy = Token::of(&m, &def, c).position(1_200.0).0;
        assert_ne!(original, copy);
    }

    #[test]
    fn shape_paths_are_closed() {
        for s in [TokenShape::Square, TokenShape::Circle, TokenShape::Diamond] {
            assert!(s.path(6.0).ends_with('Z'));
        }
    }
}
