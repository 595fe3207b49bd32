//! Tests of `layout`.

use super::*;

fn inside(r: &Rect) -> bool {
    r.x >= 0.0 && r.y >= 0.0 && r.right() <= VIEW_W && r.bottom() <= VIEW_H
}

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
