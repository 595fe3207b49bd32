//! Tests of `predict`.

use super::testing::*;
use super::*;
use crate::engine::event::CompensationReason;
use crate::engine::presets;
use crate::engine::scenario::Storage;
use crate::engine::sim::Simulation;

#[test]
fn every_preset_asks_few_distinct_well_formed_questions() {
    let mut unknown_checked = 0;
    for preset in presets::PRESETS {
        for c in STYLES {
            if !preset.runs_in(c) {
                continue;
            }
            for (storage, seed) in [
                (Storage::PerService, 1),
                (Storage::PerService, 7),
                (Storage::Shared, 3),
            ] {
                let sim = run_with(preset.id, c, storage, seed);
                let run = format!("{} {c:?} {storage:?} seed {seed}", preset.id);
                unknown_checked += check_run(&sim, &run);
            }
        }
    }
    assert!(unknown_checked > 0, "no run gave up on a step");
}

/// Checks every question of a run; returns how many gave up on a step after its retries.
fn check_run(sim: &Simulation, run: &str) -> usize {
    let trace = sim.trace();
    let qs = walk(sim);
    let mut seen: Vec<(Option<SagaId>, Topic)> = Vec::new();
    let mut gave_up = 0;
    for (event, q) in &qs {
        let key = (event.saga, q.topic);
        assert!(!seen.contains(&key), "{run}: {key:?} asked twice");
        seen.push(key);
        assert_eq!(q.seq, event.seq);
        assert!(q.answer < q.choices.len());
        assert!(q.choices.len() >= 3, "{run}: {q:?}");
        for (i, a) in q.choices.iter().enumerate() {
            assert!(!a.is_empty());
            assert!(q.choices[..i].iter().all(|b| b != a), "{run}: {q:?}");
        }
        assert!(q.prompt.ends_with('?'), "{run}: {}", q.prompt);
        assert!(q.explanation.ends_with('.'), "{run}: {}", q.explanation);
        assert!(q.idea.is_some());
        // A saga that gives up on a step whose last attempt got no reply says so.
        if let EventKind::CompensationBegun {
            reason: CompensationReason::RetriesExhausted,
        } = event.kind
        {
            let at = trace
                .iter()
                .position(|e| e.seq == event.seq)
                .expect("in trace");
            let timed_out = trace[..at]
                .iter()
                .rev()
                .filter(|e| e.saga == event.saga)
                .find_map(|e| match e.kind {
                    EventKind::TaskFailed { .. } => Some(false),
                    EventKind::TimedOut { .. } => Some(true),
                    _ => None,
                });
            assert_eq!(
                q.prompt.contains("nobody knows"),
                timed_out == Some(true),
                "{run}: {}",
                q.prompt
            );
            gave_up += 1;
        }
    }
    for saga in 0..sim.scenario().sagas.len() {
        let n = qs.iter().filter(|(e, _)| e.saga == Some(saga)).count();
        assert!(n <= 8, "{run}: {n} questions for saga {saga}");
    }
    gave_up
}

#[test]
fn the_answer_is_not_always_first() {
    let mut positions = Vec::new();
    for preset in [
        "card-declined",
        "slot-taken",
        "transient-payment",
        "poison-redrive",
    ] {
        for c in STYLES {
            positions.extend(walk(&run(preset, c)).iter().map(|(_, q)| q.answer));
        }
    }
    assert!(positions.contains(&0));
    assert!(positions.iter().any(|&p| p != 0));
}

#[test]
fn bookkeeping_is_never_asked_about() {
    let sim = run("slot-taken", Coordination::Choreography);
    let trace = sim.trace();
    for (i, e) in trace.iter().enumerate() {
        if matches!(
            e.kind,
            EventKind::MessageArrived { .. }
                | EventKind::Enqueued { .. }
                | EventKind::Deleted { .. }
                | EventKind::OutboxWritten { .. }
                | EventKind::FaultFired { .. }
        ) {
            assert!(question(&trace[..i], e, sim.scenario(), sim.messages()).is_none());
        }
    }
}
