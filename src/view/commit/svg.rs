//! The commit view's drawing: a lane per node and time flowing down, an arrow per message,
//! each participant's locks as bars in the customer's colour, the waits and the time in doubt,
//! the coordinator's outage and the partition.

use crate::engine::commit::{CommitEvent, CommitEventKind, CommitScenario, Node, Say};
use crate::engine::definition::ServiceId;
use crate::view::format::{seconds, Num};
use crate::view::html::Html;

/// The lanes, left to right.
const LANES: [Node; 4] = [
    Node::Coordinator,
    Node::Participant(ServiceId::Reservation),
    Node::Participant(ServiceId::Payment),
    Node::Participant(ServiceId::Calendar),
];
const LANE_GAP: f64 = 160.0;
const LEFT: f64 = 90.0;
const TOP: f64 = 56.0;
const PLOT: f64 = 400.0;
/// Notification's lane: told after the commit, never part of it.
const NOTIFY_X: f64 = LEFT + 4.0 * LANE_GAP;

fn lane_x(node: Node) -> f64 {
    let i = LANES.iter().position(|&n| n == node).unwrap_or(0);
    LEFT + i as f64 * LANE_GAP
}

fn participant_x(service: ServiceId) -> f64 {
    lane_x(Node::Participant(service))
}

pub(super) fn svg(out: &mut Html, scenario: &CommitScenario, trace: &[CommitEvent], now_ms: u64) {
    // Drawn up to the last thing that happened to a node (a decision sent again and again
    // across a partition does not stretch the drawing), and a little after.
    let last = trace
        .iter()
        .rev()
        .find(|e| {
            !matches!(
                e.kind,
                CommitEventKind::TxMessageSent { .. }
                    | CommitEventKind::TxMessageDelivered { .. }
                    | CommitEventKind::TxMessageLost { .. }
            )
        })
        .map_or(0, |e| e.at_ms);
    // A lock still held at the end stays held as the page's clock runs on: the drawing grows
    // with it.
    let taken = |release: bool| {
        trace
            .iter()
            .filter(|e| match e.kind {
                CommitEventKind::LockTaken { .. } => !release,
                CommitEventKind::LockReleased { .. } => release,
                _ => false,
            })
            .count()
    };
    let held = taken(false) > taken(true);
    let settled = (last + 3 * scenario.timing.latency_ms).max(1_000);
    let end = if held { settled.max(now_ms) } else { settled };
    let k = PLOT / end as f64;
    let y = |t: u64| TOP + t.min(end) as f64 * k;
    let width = NOTIFY_X + 90.0;
    let height = TOP + PLOT + 24.0;
    let latency = scenario.timing.latency_ms;
    out.push(r#"<svg class="commit__svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#)
        .push_plain(Num(width))
        .push(" ")
        .push_plain(Num(height))
        .push(r#"" role="img""#)
        .push_attr(
            "aria-label",
            &format!(
                "{} of {} transaction(s), {} events",
                scenario.protocol.label(),
                scenario.requests.len(),
                trace.len()
            ),
        )
        .push(">");
    for node in LANES {
        let x = lane_x(node);
        let name = match node {
            Node::Coordinator => "Coordinator",
            Node::Participant(s) => s.label(),
        };
        out.push_svg_text("commit__head", (x, 22.0), Some("middle"), name)
            .push_line("commit__lifeline", (x, 30.0), (x, height));
    }
    out.push_svg_text(
        "commit__head commit__head--aside",
        (NOTIFY_X, 22.0),
        Some("middle"),
        "Notification",
    )
    .push_line(
        "commit__lifeline commit__lifeline--aside",
        (NOTIFY_X, 30.0),
        (NOTIFY_X, height),
    );
    let step = [500, 1_000, 2_000, 5_000, 10_000, 20_000]
        .into_iter()
        .find(|&s| end / s <= 8)
        .unwrap_or(30_000);
    for t in (0..=end).step_by(step as usize) {
        out.push_line("commit__tick", (8.0, y(t)), (width - 8.0, y(t)))
            .push_svg_text("commit__time", (8.0, y(t) - 3.0), None, &seconds(t));
    }
    bands(out, trace, &y, end);
    spans(out, trace, &y, end);
    for e in trace.iter().take_while(|e| e.at_ms <= end) {
        let txn = e.txn.unwrap_or(0);
        let colour = saga_class(txn);
        match &e.kind {
            CommitEventKind::TxMessageDelivered { from, to, say }
            | CommitEventKind::TxMessageLost { from, to, say } => {
                let lost = matches!(e.kind, CommitEventKind::TxMessageLost { .. });
                let (x1, x2) = (lane_x(*from), lane_x(*to));
                let (y1, y2) = (y(e.at_ms.saturating_sub(latency)), y(e.at_ms));
                out.push(r#"<g class="commit__msg "#)
                    .push_text(&colour)
                    .push(if lost {
                        r#" commit__msg--lost">"#
                    } else {
                        r#"">"#
                    })
                    .push_line("commit__arrow", (x1, y1), (x2, y2));
                if matches!(say, Say::Decision { .. } | Say::Vote { .. }) || lost {
                    let label = if lost {
                        format!("{} ✕", say.label())
                    } else {
                        say.label().to_string()
                    };
                    // Nearer the participant's end: the coordinator's end is where every
                    // participant's arrow meets, and labels at the middle would crowd there.
                    let t = match (from, to) {
                        (Node::Coordinator, _) => 0.7,
                        (_, Node::Coordinator) => 0.3,
                        _ => 0.5,
                    };
                    out.push_svg_text(
                        "commit__label",
                        (x1 + t * (x2 - x1), y1 + t * (y2 - y1) - 3.0),
                        Some("middle"),
                        &label,
                    );
                }
                out.push("</g>");
            }
            CommitEventKind::Decided {
                participant,
                commit,
                ..
            } => {
                let word = if *commit { "✓ commit" } else { "✗ abort" };
                out.push_svg_text(
                    if *commit {
                        "commit__decided"
                    } else {
                        "commit__decided commit__decided--abort"
                    },
                    (participant_x(*participant) + 10.0, y(e.at_ms) + 4.0),
                    None,
                    word,
                );
            }
            CommitEventKind::CustomerNotified { committed } => {
                let word = if *committed {
                    "✉ booked"
                } else {
                    "✉ not booked"
                };
                out.push_svg_text(
                    "commit__decided",
                    (NOTIFY_X, y(e.at_ms) + 4.0),
                    Some("middle"),
                    word,
                );
            }
            _ => {}
        }
    }
    if now_ms <= end {
        out.push_line(
            "commit__now",
            (LEFT - 40.0, y(now_ms)),
            (NOTIFY_X + 40.0, y(now_ms)),
        );
    }
    out.push("</svg>");
}

fn saga_class(txn: usize) -> String {
    format!("saga-{}", txn % 8)
}

/// The coordinator's outage and the partition, as bands behind the lanes.
fn bands(out: &mut Html, trace: &[CommitEvent], y: &dyn Fn(u64) -> f64, end: u64) {
    let mut down: Option<u64> = None;
    let mut cut: Option<(u64, Vec<ServiceId>)> = None;
    let draw_down = |out: &mut Html, from: u64, to: u64| {
        let x = lane_x(Node::Coordinator);
        out.push_rect(
            "commit__down",
            (x - 40.0, y(from)),
            (80.0, (y(to) - y(from)).max(2.0)),
            "",
        )
        .push_svg_text(
            "commit__band-label",
            (x, y(from) + 12.0),
            Some("middle"),
            "down",
        );
    };
    let draw_cut = |out: &mut Html, from: u64, to: u64, isolated: &[ServiceId]| {
        let left = isolated
            .iter()
            .map(|&s| participant_x(s))
            .fold(f64::MAX, f64::min);
        let x = left - LANE_GAP / 2.0;
        out.push_line(
            "commit__partition",
            (x, y(from)),
            (x, y(to).max(y(from) + 2.0)),
        )
        .push_svg_text(
            "commit__band-label",
            (x, y(from) - 4.0),
            Some("middle"),
            "partition",
        );
    };
    for e in trace {
        match &e.kind {
            CommitEventKind::CoordinatorCrashed => down = Some(e.at_ms),
            CommitEventKind::CoordinatorRecovered => {
                if let Some(from) = down.take() {
                    draw_down(out, from, e.at_ms);
                }
            }
            CommitEventKind::PartitionBegan { isolated } => cut = Some((e.at_ms, isolated.clone())),
            CommitEventKind::PartitionHealed => {
                if let Some((from, isolated)) = cut.take() {
                    draw_cut(out, from, e.at_ms, &isolated);
                }
            }
            _ => {}
        }
    }
    if let Some(from) = down {
        draw_down(out, from, end);
    }
    if let Some((from, isolated)) = cut {
        draw_cut(out, from, end, &isolated);
    }
}

/// Each participant's locks (a bar in the customer's colour from taken to released), the part
/// spent in doubt after a yes vote, and the waits for another's lock (a dashed line).
fn spans(out: &mut Html, trace: &[CommitEvent], y: &dyn Fn(u64) -> f64, end: u64) {
    let mut open: Vec<(ServiceId, usize, u64)> = Vec::new();
    let mut doubt: Vec<(ServiceId, usize, u64)> = Vec::new();
    let mut waits: Vec<(ServiceId, usize, u64)> = Vec::new();
    let offset = |txn: usize| (txn % 4) as f64 * 5.0 - 7.5;
    let bar =
        |out: &mut Html, class: &'static str, s: ServiceId, txn: usize, from: u64, to: u64| {
            let x = participant_x(s) + offset(txn) - 3.0;
            out.push(r#"<g class=""#)
                .push_text(&saga_class(txn))
                .push(r#"">"#)
                .push_rect(class, (x, y(from)), (6.0, (y(to) - y(from)).max(2.0)), "")
                .push("</g>");
        };
    let close = |list: &mut Vec<(ServiceId, usize, u64)>, s: ServiceId, txn: usize| {
        list.iter()
            .position(|&(p, t, _)| p == s && t == txn)
            .map(|i| list.swap_remove(i).2)
    };
    for e in trace {
        let txn = e.txn.unwrap_or(0);
        match &e.kind {
            CommitEventKind::LockTaken { participant, .. } => {
                if let Some(from) = close(&mut waits, *participant, txn) {
                    let x = participant_x(*participant) + offset(txn);
                    out.push_line("commit__wait", (x, y(from)), (x, y(e.at_ms)));
                }
                open.push((*participant, txn, e.at_ms));
            }
            CommitEventKind::LockWaited { participant, .. } => {
                waits.push((*participant, txn, e.at_ms));
            }
            CommitEventKind::LockReleased { participant, .. } => {
                if let Some(from) = close(&mut open, *participant, txn) {
                    bar(out, "commit__lock", *participant, txn, from, e.at_ms);
                }
            }
            CommitEventKind::Voted {
                participant,
                yes: true,
            } => doubt.push((*participant, txn, e.at_ms)),
            CommitEventKind::Decided { participant, .. } => {
                if let Some(from) = close(&mut doubt, *participant, txn) {
                    bar(out, "commit__doubt", *participant, txn, from, e.at_ms);
                }
                // It gave up waiting (or heard the decision first).
                if let Some(from) = close(&mut waits, *participant, txn) {
                    let x = participant_x(*participant) + offset(txn);
                    out.push_line("commit__wait", (x, y(from)), (x, y(e.at_ms)));
                }
            }
            _ => {}
        }
    }
    for (s, txn, from) in open {
        bar(out, "commit__lock commit__lock--held", s, txn, from, end);
    }
    for (s, txn, from) in doubt {
        bar(out, "commit__doubt", s, txn, from, end);
    }
    for (s, txn, from) in waits {
        let x = participant_x(s) + offset(txn);
        out.push_line("commit__wait", (x, y(from)), (x, y(end)));
    }
}
