//! Tests of `layout`.

use super::*;

fn inside(r: &Rect) -> bool {
    inside_of(Size::Normal, r)
}

fn inside_of(size: Size, r: &Rect) -> bool {
    let (w, h) = size.view();
    r.x >= 0.0 && r.y >= 0.0 && r.right() <= w && r.bottom() <= h
}

const STYLES: [Coordination; 2] = [Coordination::Orchestration, Coordination::Choreography];

fn overlap(a: &Rect, b: &Rect) -> bool {
    a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
}

#[test]
fn every_node_fits_the_view_and_none_overlap() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        let all = nodes(c);
        for (k, r) in &all {
            assert!(inside(r), "{c:?} {k:?} {r:?} leaves the view");
        }
        for (i, (ka, a)) in all.iter().enumerate() {
            for (kb, b) in &all[i + 1..] {
                assert!(!overlap(a, b), "{c:?}: {ka:?} overlaps {kb:?}");
            }
        }
    }
}

#[test]
fn orchestration_draws_the_orchestrator_and_no_bus() {
    let keys: Vec<NodeKey> = nodes(Coordination::Orchestration)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(keys.contains(&NodeKey::Orchestrator));
    assert!(!keys.contains(&NodeKey::Bus));
    assert_eq!(keys.len(), 6);
}

#[test]
fn choreography_draws_bus_queues_and_dead_letters() {
    let keys: Vec<NodeKey> = nodes(Coordination::Choreography)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for k in [
        NodeKey::Bus,
        NodeKey::DeadLetters,
        NodeKey::Queue(ServiceId::Calendar),
    ] {
        assert!(keys.contains(&k), "{k:?} missing");
    }
    assert!(!keys.contains(&NodeKey::Orchestrator));
}

#[test]
fn commands_and_replies_travel_on_separate_lanes() {
    let c = Coordination::Orchestration;
    let down = route(
        c,
        Node::Orchestrator,
        Node::Service(ServiceId::Payment),
        Lane::Command,
    );
    let up = route(
        c,
        Node::Service(ServiceId::Payment),
        Node::Orchestrator,
        Lane::Reply,
    );
    let mid_down = point_along(&down, 0.5);
    let mid_up = point_along(&up, 0.5);
    let gap = ((mid_down.x - mid_up.x).powi(2) + (mid_down.y - mid_up.y).powi(2)).sqrt();
    assert!((gap - 2.0 * LANE_OFFSET).abs() < 0.01, "lanes {gap} apart");
}

#[test]
fn a_command_route_runs_from_orchestrator_to_service() {
    let c = Coordination::Orchestration;
    let r = route(
        c,
        Node::Orchestrator,
        Node::Service(ServiceId::Calendar),
        Lane::Command,
    );
    let orch = node_rect(c, NodeKey::Orchestrator).unwrap();
    let svc = node_rect(c, NodeKey::Service(ServiceId::Calendar)).unwrap();
    assert!((r[0].y - orch.bottom()).abs() < LANE_OFFSET + 0.1);
    assert!((r[r.len() - 1].y - svc.y).abs() < LANE_OFFSET + 0.1);
}

#[test]
fn publish_and_delivery_routes_meet_the_bus() {
    let c = Coordination::Choreography;
    let bus = node_rect(c, NodeKey::Bus).unwrap();
    let publish = route(c, Node::Service(ServiceId::Payment), Node::Bus, Lane::Event);
    assert_eq!(publish.last().unwrap().y, bus.y);
    let deliver = route(c, Node::Bus, Node::Queue(ServiceId::Payment), Lane::Event);
    assert_eq!(deliver[0].y, bus.y);
}

#[test]
fn an_unknown_route_is_a_straight_line_between_centres() {
    let c = Coordination::Choreography;
    let r = route(
        c,
        Node::Service(ServiceId::Payment),
        Node::Customer,
        Lane::Event,
    );
    assert_eq!(r.len(), 2);
}

#[test]
fn point_along_walks_the_polyline() {
    let p = [pt(0.0, 0.0), pt(10.0, 0.0), pt(10.0, 10.0)];
    assert_eq!(point_along(&p, 0.0), pt(0.0, 0.0));
    assert_eq!(point_along(&p, 0.25), pt(5.0, 0.0));
    assert_eq!(point_along(&p, 0.75), pt(10.0, 5.0));
    assert_eq!(point_along(&p, 2.0), pt(10.0, 10.0));
    assert_eq!(point_along(&[], 0.5), pt(0.0, 0.0));
}

#[test]
fn path_d_is_svg_syntax() {
    assert_eq!(path_d(&[pt(1.0, 2.0), pt(3.5, 4.0)]), "M1.0 2.0 L3.5 4.0");
}

#[test]
fn test_ids_read_back() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        for (key, _) in nodes(c) {
            assert_eq!(NodeKey::from_test_id(&key.test_id()), Some(key));
        }
    }
    assert_eq!(NodeKey::from_test_id("service-nope"), None);
}

#[test]
fn test_ids_follow_the_contract() {
    assert_eq!(
        NodeKey::Service(ServiceId::Payment).test_id(),
        "service-payment"
    );
    assert_eq!(NodeKey::Bus.test_id(), "event-bus");
    assert_eq!(NodeKey::DeadLetters.test_id(), "dead-letter-queue");
    assert_eq!(NodeKey::Orchestrator.test_id(), "orchestrator");
}

/// The pills' boxes keep apart, inside the bus, clear of its title (and of its fault chips), and
/// each text fits its pill.
fn check_pills(pills: &[Pill], chips: bool, what: &str) {
    check_pills_in(Size::Normal, pills, chips, what);
}

fn check_pills_in(size: Size, pills: &[Pill], chips: bool, what: &str) {
    let bus = node_rect_in(size, Coordination::Choreography, NodeKey::Bus).unwrap();
    let (left, font, chip_h) = match size {
        Size::Normal => (PILL_LEFT, PILL_FONT, 21.0),
        Size::Presenter => (P_PILL_LEFT, P_PILL_FONT, 26.0),
    };
    let title = Rect::new(0.0, 0.0, left, bus.h);
    let chips_w = bus_chips_w(size);
    let chip_area = Rect::new(bus.w - chips_w, 0.0, chips_w, 8.0 + chip_h);
    for (i, p) in pills.iter().enumerate() {
        let r = &p.rect;
        assert!(
            r.x >= 0.0 && r.y >= 0.0 && r.right() <= bus.w && r.bottom() <= bus.h,
            "{what}: {p:?} leaves the bus"
        );
        assert!(!overlap(r, &title), "{what}: {p:?} covers the title");
        if chips {
            assert!(!overlap(r, &chip_area), "{what}: {p:?} covers the chips");
        }
        assert!(
            bold_text_width(&p.text, font) + 2.0 * PILL_TEXT_PAD <= r.w + 1e-9,
            "{what}: {:?} overflows its pill",
            p.text
        );
        for q in &pills[i + 1..] {
            assert!(!overlap(r, &q.rect), "{what}: {p:?} overlaps {q:?}");
        }
    }
    // In order, each topic once.
    let mut next = 0;
    for p in pills {
        assert_eq!(p.topics.start, next, "{what}");
        next = p.topics.end;
    }
}

#[test]
fn topic_pills_never_overlap_and_every_preset_shows_all_its_topics() {
    use crate::engine::presets::{self, PRESETS};
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;
    use crate::view::svg::topics;
    let c = Coordination::Choreography;
    let mut most = 0;
    for preset in PRESETS.iter().filter(|p| p.runs_in(c)) {
        let scenario = presets::scenario(preset.id, c, Storage::PerService, 1).unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        // Along the run (topics come and counts grow) and at its end.
        loop {
            let more = sim.step();
            let snapshot = sim.snapshot();
            let labels: Vec<String> = topics(
                sim.messages(),
                &snapshot.in_flight,
                &sim.scenario().definition,
            )
            .iter()
            .map(|t| t.label())
            .collect();
            most = most.max(labels.len());
            for chips in [false, true] {
                let pills = topic_pills(&labels, chips);
                let what = format!("{} (chips: {chips}) {labels:?}", preset.id);
                check_pills(&pills, chips, &what);
                assert_eq!(pills.len(), labels.len(), "{what}: a topic had no room");
                for (p, l) in pills.iter().zip(&labels) {
                    assert_eq!(&p.text, l, "{what}");
                }
                // Presenter mode's larger pills: apart and whole, the last counting the rest.
                let big = topic_pills_in(Size::Presenter, &labels, chips);
                check_pills_in(Size::Presenter, &big, chips, &what);
                assert_eq!(
                    big.last().map_or(0, |p| p.topics.end),
                    labels.len(),
                    "{what}"
                );
                if labels.len() <= 5 {
                    assert_eq!(
                        big.len(),
                        labels.len(),
                        "presenter {what}: a topic had no room"
                    );
                }
            }
            if !more {
                break;
            }
        }
    }
    assert!(most >= 10, "the presets publish up to {most} topics");
}

#[test]
fn topics_that_do_not_fit_share_a_last_pill() {
    let labels: Vec<String> = (0..30)
        .map(|i| format!("SomeRatherLongEventName{i} ×{i} ⇉2"))
        .collect();
    for chips in [false, true] {
        let pills = topic_pills(&labels, chips);
        check_pills(&pills, chips, "30 topics");
        let last = pills.last().unwrap();
        assert!(last.is_more() && last.text.starts_with('+'), "{last:?}");
        assert_eq!(last.topics.end, 30);
        assert_eq!(last.text, format!("+{} more", last.topics.len()));
    }
    // A name longer than any row is cut short.
    let long = vec!["W".repeat(200)];
    let pills = topic_pills(&long, false);
    check_pills(&pills, false, "one long name");
    assert!(pills[0].text.ends_with('…') && !pills[0].is_more());
    assert!(topic_pills(&[], true).is_empty());
}

#[test]
fn bold_text_is_measured_by_its_characters() {
    // Narrow letters take less room than wide ones; an unknown symbol a whole em.
    assert!(bold_text_width("iii", 10.0) < bold_text_width("mmm", 10.0));
    assert_eq!(bold_text_width("⇉", 10.0), 10.0);
    assert_eq!(bold_text_width("", 10.0), 0.0);
}

#[test]
fn presenter_nodes_fit_its_view_and_none_overlap() {
    for c in STYLES {
        let all = nodes_in(Size::Presenter, c);
        assert_eq!(
            all.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            nodes(c).iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            "{c:?}: the same nodes as the normal drawing"
        );
        for (k, r) in &all {
            assert!(
                inside_of(Size::Presenter, r),
                "{c:?} {k:?} {r:?} leaves the view"
            );
        }
        for (i, (ka, a)) in all.iter().enumerate() {
            for (kb, b) in &all[i + 1..] {
                assert!(!overlap(a, b), "{c:?}: {ka:?} overlaps {kb:?}");
            }
        }
    }
    // The normal drawing is the one it always was.
    assert_eq!(Size::default(), Size::Normal);
    assert_eq!(Size::of(false).view(), (VIEW_W, VIEW_H));
    assert_eq!(Size::of(true).view(), (PRESENTER_W, PRESENTER_H));
}

/// Whether a point lies on a box's edge (within half a unit).
fn on_edge(p: Point, r: &Rect) -> bool {
    let within = |v: f64, a: f64, b: f64| v >= a - 0.5 && v <= b + 0.5;
    let near = |v: f64, e: f64| (v - e).abs() <= 0.5;
    (within(p.x, r.x, r.right()) && (near(p.y, r.y) || near(p.y, r.bottom())))
        || (within(p.y, r.y, r.bottom()) && (near(p.x, r.x) || near(p.x, r.right())))
}

#[test]
fn presenter_routes_run_from_box_to_box_through_no_other() {
    for c in STYLES {
        let rects = nodes_in(Size::Presenter, c);
        let all = edges_in(Size::Presenter, c);
        assert_eq!(all.len(), edges(c).len(), "{c:?}: every route drawn");
        for e in &all {
            let from = node_rect_in(Size::Presenter, c, NodeKey::of(e.from)).unwrap();
            let to = node_rect_in(Size::Presenter, c, NodeKey::of(e.to)).unwrap();
            let (first, last) = (e.points[0], *e.points.last().unwrap());
            assert!(on_edge(first, &from), "{c:?} {e:?} starts off its sender");
            assert!(on_edge(last, &to), "{c:?} {e:?} ends off its receiver");
            // No other box in the way: sample the route.
            for i in 1..50 {
                let p = point_along(&e.points, f64::from(i) / 50.0);
                for (k, r) in &rects {
                    if *k == NodeKey::of(e.from) || *k == NodeKey::of(e.to) {
                        continue;
                    }
                    let inside = p.x > r.x && p.x < r.right() && p.y > r.y && p.y < r.bottom();
                    assert!(!inside, "{c:?} {e:?} crosses {k:?} at {p:?}");
                }
            }
        }
        for s in ServiceId::ALL {
            if let Some([a, b]) = consumer_link_in(Size::Presenter, c, s) {
                let queue = node_rect_in(Size::Presenter, c, NodeKey::Queue(s)).unwrap();
                let svc = node_rect_in(Size::Presenter, c, NodeKey::Service(s)).unwrap();
                assert!(on_edge(a, &queue) && on_edge(b, &svc), "{s:?}");
            }
        }
    }
    // Commands and replies keep to their own lanes there too.
    let c = Coordination::Orchestration;
    let down = route_in(
        Size::Presenter,
        c,
        Node::Orchestrator,
        Node::Service(ServiceId::Calendar),
        Lane::Command,
    );
    let up = route_in(
        Size::Presenter,
        c,
        Node::Service(ServiceId::Calendar),
        Node::Orchestrator,
        Lane::Reply,
    );
    assert_ne!(point_along(&down, 0.5), point_along(&up, 0.5));
}
