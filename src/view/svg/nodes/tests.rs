//! Tests of `nodes`.

use super::*;

use crate::engine::presets;
use crate::engine::scenario::Storage;
use crate::engine::sim::Simulation;
use crate::view::svg::testing::*;

#[test]
fn service_and_step_statuses_follow_the_engine() {
    let s = sim("card-declined", Coordination::Orchestration, 600_000);
    let markup = svg(&s, 0, None);
    assert!(tag_of(&markup, "service-payment").contains(r#"data-status="failed""#));
    assert!(tag_of(&markup, "service-calendar").contains(r#"data-status="idle""#));
    assert!(markup.contains(r#"data-step="1" data-kind="compensatable" data-status="compensated""#));
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
