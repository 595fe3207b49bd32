//! Each preset's events, told: every one has words, and the ones that teach name their idea.

use crate::engine::presets;
use crate::engine::scenario::{Coordination, Storage};
use crate::engine::sim::Simulation;
use crate::view::story::*;

fn run(preset: &str, c: Coordination) -> Simulation {
    let scenario = presets::scenario(preset, c, Storage::PerService, 1).unwrap();
    let mut sim = Simulation::new(scenario).unwrap();
    sim.drive(600_000);
    sim
}

fn stories(sim: &Simulation) -> Vec<Story> {
    let ctx = StoryContext {
        scenario: sim.scenario(),
        messages: sim.messages(),
        faults: sim.faults(),
        sagas: sim.sagas(),
        notifications: &sim.tables().notifications,
        trace: sim.trace(),
    };
    sim.trace().iter().map(|e| tell(e, &ctx)).collect()
}

#[test]
fn every_event_of_every_preset_is_told() {
    for preset in presets::PRESETS {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            if !preset.runs_in(c) {
                continue;
            }
            let sim = run(preset.id, c);
            for s in stories(&sim) {
                assert!(!s.text.is_empty(), "{}: empty story", preset.id);
                assert!(!s.icon.is_empty());
            }
        }
    }
}

#[test]
fn card_declined_tells_refusal_then_compensation() {
    let sim = run("card-declined", Coordination::Orchestration);
    let texts: Vec<String> = stories(&sim).into_iter().map(|s| s.text).collect();
    let refused = texts
        .iter()
        .position(|t| t.contains("refuses Charge card: card declined"))
        .unwrap();
    let cancelled = texts
        .iter()
        .position(|t| t.contains("Reservation cancelled for Ada"))
        .unwrap();
    let told = texts
        .iter()
        .position(|t| t.contains("told: reservation failed"))
        .unwrap();
    assert!(refused < cancelled && cancelled < told, "{texts:#?}");
}

#[test]
fn the_failure_notice_story_repeats_the_notice() {
    for (preset, said) in [
        ("card-declined", "told: reservation failed, nothing charged"),
        ("slot-taken", "told: reservation failed, €40.00 refunded"),
    ] {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            let sim = run(preset, c);
            let told: Vec<String> = stories(&sim)
                .into_iter()
                .map(|s| s.text)
                .filter(|t| t.contains("told: reservation failed"))
                .collect();
            assert_eq!(
                told,
                vec![format!("Ada and the restaurant are {said}")],
                "{preset} {c:?}"
            );
        }
    }
}

#[test]
fn compensation_stories_name_the_idea() {
    let sim = run("slot-taken", Coordination::Choreography);
    let refund = stories(&sim)
        .into_iter()
        .find(|s| s.text.starts_with("Payment refunds"))
        .unwrap();
    assert_eq!(refund.idea, Some(Idea::Compensation));
    assert!(refund.why.contains("REFUNDED"));
}

#[test]
fn the_pivot_is_named() {
    let sim = run("happy-path", Coordination::Orchestration);
    let confirm = stories(&sim)
        .into_iter()
        .find(|s| s.text.starts_with("Reservation confirmed"))
        .unwrap();
    assert_eq!(confirm.idea, Some(Idea::Pivot));
}

#[test]
fn messages_are_linked_to_their_nodes() {
    let sim = run("happy-path", Coordination::Choreography);
    let publish = stories(&sim)
        .into_iter()
        .find(|s| s.text == "Payment publishes PaymentCharged")
        .unwrap();
    assert!(publish.message.is_some());
    assert_eq!(
        publish.nodes,
        vec![NodeKey::Service(ServiceId::Payment), NodeKey::Bus]
    );
    assert_eq!(publish.idea, Some(Idea::Outbox));
}

#[test]
fn dead_letters_and_redrive_are_told() {
    let sim = run("poison-redrive", Coordination::Choreography);
    let all = stories(&sim);
    assert!(all
        .iter()
        .any(|s| s.idea == Some(Idea::DeadLetter) && s.text.contains("dead-letter")));
    assert!(all.iter().any(|s| s.text.contains("redriven")));
    assert!(all.iter().any(|s| s.idea == Some(Idea::AtLeastOnce)));
}

#[test]
fn retries_name_backoff_and_timeouts() {
    let sim = run("transient-payment", Coordination::Orchestration);
    assert!(stories(&sim).iter().any(|s| s.idea == Some(Idea::Backoff)));
    let sim = run("slow-payment", Coordination::Orchestration);
    assert!(stories(&sim).iter().any(|s| s.idea == Some(Idea::Timeout)));
}

#[test]
fn a_shared_database_outage_shows_the_blast_radius() {
    let scenario = presets::scenario(
        "database-down",
        Coordination::Orchestration,
        Storage::Shared,
        1,
    )
    .unwrap();
    let mut sim = Simulation::new(scenario).unwrap();
    sim.drive(600_000);
    let down = stories(&sim)
        .into_iter()
        .find(|s| s.text.starts_with("The shared database goes down"))
        .unwrap();
    assert_eq!(down.nodes.len(), 4);
    assert_eq!(down.idea, Some(Idea::BlastRadius));
}

#[test]
fn the_outcome_stays_narrated_after_the_last_publish() {
    let sim = run("card-declined", Coordination::Choreography);
    let last = stories(&sim).into_iter().rev().find(|s| !s.minor).unwrap();
    assert_eq!(last.text, "Saga A compensated");
}

#[test]
fn forward_recovery_is_named_only_when_a_step_after_the_pivot_was_retried() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        // The happy path recovers nothing: its completion is the pivot's consequence.
        let plain = stories(&run("happy-path", c));
        let ended = plain
            .iter()
            .find(|s| s.text.ends_with("completed") && s.text.starts_with("Saga"))
            .expect("the saga completes");
        assert_eq!(ended.idea, Some(Idea::Pivot), "{c:?}");
        let last_step = plain
            .iter()
            .find(|s| s.text.starts_with("Step 5 "))
            .expect("the last step succeeds");
        assert_eq!(
            last_step.idea,
            Some(Idea::Pivot),
            "{c:?}: {}",
            last_step.why
        );
        // Notifier down: the orchestrator retries the notification after the pivot until it
        // works; in choreography the message waits in its queue and arrives once.
        let sim = run("notifier-down", c);
        let retried = sim.sagas()[0].steps[4].attempts > 1;
        assert_eq!(retried, c == Coordination::Orchestration, "{c:?}");
        let told = stories(&sim);
        let ended = told
            .iter()
            .find(|s| s.text.ends_with("completed") && s.text.starts_with("Saga"))
            .expect("the saga completes");
        let expected = if retried {
            Idea::ForwardRecovery
        } else {
            Idea::Pivot
        };
        assert_eq!(ended.idea, Some(expected), "{c:?}");
    }
}
