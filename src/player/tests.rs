//! The player's behaviour: playing, time travel, forks, predict mode, the fault plan.

use super::*;
use crate::engine::event::Outcome;

fn player(preset: &'static str, coordination: Coordination) -> Player {
    Player::new(
        RunSettings {
            preset,
            coordination,
            ..RunSettings::default()
        },
        Vec::new(),
    )
    .unwrap()
}

fn play_out(p: &mut Player) {
    for _ in 0..10_000 {
        if p.is_settled() {
            break;
        }
        p.advance(100.0);
    }
}

#[test]
fn playing_the_happy_path_completes_and_every_invariant_holds() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        let mut p = player("happy-path", c);
        play_out(&mut p);
        assert!(p.is_settled());
        assert_eq!(p.snapshot().outcome, Outcome::Completed);
        assert!(
            p.invariants().iter().all(|i| i.holds),
            "{:?}",
            p.invariants()
        );
    }
}

fn uninterrupted(preset: &'static str, c: Coordination) -> Player {
    let mut p = player(preset, c);
    play_out(&mut p);
    p
}

#[test]
fn scrubbing_back_and_playing_on_gives_the_uninterrupted_trace() {
    for c in [Coordination::Orchestration, Coordination::Choreography] {
        let full = uninterrupted("card-declined", c);
        let total = full.sim().event_count();
        for target in [0, 1, total / 4, total / 2, total - 1] {
            let mut p = uninterrupted("card-declined", c);
            p.seek(target);
            assert!(p.sim().event_count() >= target.max(p.start_events()));
            assert_eq!(p.in_past(), p.sim().event_count() < total);
            assert_eq!(
                p.timeline(),
                full.sim().trace(),
                "the timeline keeps the future"
            );
            play_out(&mut p);
            assert!(!p.in_past());
            assert_eq!(p.sim().trace(), full.sim().trace(), "{c:?} from {target}");
            assert_eq!(p.invariants(), full.invariants());
        }
    }
}

#[test]
fn a_past_moment_is_exactly_the_moment_a_fresh_run_had_then() {
    let mut p = uninterrupted("transient-payment", Coordination::Orchestration);
    let total = p.sim().event_count();
    p.seek(total / 2);
    let mut fresh = player("transient-payment", Coordination::Orchestration);
    while fresh.sim().event_count() < p.sim().event_count() {
        fresh.step();
    }
    assert_eq!(fresh.sim().trace(), p.sim().trace());
    assert_eq!(fresh.snapshot(), p.snapshot());
    assert_eq!(fresh.invariants(), p.invariants());
    assert_eq!(fresh.now_ms(), p.now_ms());
}

#[test]
fn step_back_undoes_exactly_one_step_forward() {
    let mut p = player("slot-taken", Coordination::Choreography);
    let mut moments = vec![(p.sim().event_count(), p.snapshot())];
    while !p.is_settled() {
        if p.step() > 0 {
            moments.push((p.sim().event_count(), p.snapshot()));
        }
    }
    moments.pop();
    while let Some((events, snapshot)) = moments.pop() {
        assert!(p.step_back());
        assert_eq!(p.sim().event_count(), events);
        assert_eq!(p.snapshot(), snapshot);
    }
    assert!(!p.step_back(), "nothing before the start");
    p.seek(u64::MAX);
    assert!(!p.in_past());
    assert_eq!(p.snapshot().outcome, Outcome::Compensated);
}

#[test]
fn a_fault_at_a_past_moment_forks_a_new_future() {
    let mut p = uninterrupted("happy-path", Coordination::Orchestration);
    assert_eq!(p.snapshot().outcome, Outcome::Completed);
    let total = p.sim().event_count();
    let early = p
        .sim()
        .trace()
        .iter()
        .position(|e| matches!(e.kind, crate::engine::event::EventKind::TaskStarted { .. }))
        .unwrap() as u64;
    p.seek(early + 1);
    p.inject(FaultSpec::BusinessFailure {
        step: 2,
        saga: None,
    })
    .unwrap();
    let fork = p.take_fork().expect("a fork");
    assert!(fork.events <= early + 2 && fork.discarded > 0);
    assert_eq!(fork.events + fork.discarded, total);
    assert!(p.take_fork().is_none(), "told once");
    assert!(!p.in_past());
    play_out(&mut p);
    assert_eq!(p.snapshot().outcome, Outcome::Compensated);
    assert_eq!(p.timeline(), p.sim().trace());
    assert!(
        p.invariants().iter().all(|i| i.holds),
        "{:?}",
        p.invariants()
    );
    // The new run is its own: replaying it gives it again.
    let again = Simulation::new(p.sim().replay_scenario()).unwrap();
    let mut again = crate::engine::history::CheckedRun::start(again);
    while again.step() {}
    assert_eq!(again.sim.trace(), p.sim().trace());
    // Going back in the new future and on again stays in it.
    p.seek(early + 3);
    play_out(&mut p);
    assert_eq!(p.snapshot().outcome, Outcome::Compensated);
}

#[test]
fn a_fork_drops_the_old_futures_commands_but_keeps_the_scenarios_own() {
    let mut p = player("cancel-before-pivot", Coordination::Choreography);
    p.advance(300.0);
    p.advance(100.0);
    let late = p
        .inject(FaultSpec::Latency {
            service: crate::engine::definition::ServiceId::Calendar,
            extra_ms: 900,
        })
        .unwrap();
    play_out(&mut p);
    assert_eq!(p.plan().len(), 1);
    assert!(p.sim().faults().len() > late);
    p.seek(2);
    p.inject(FaultSpec::Latency {
        service: crate::engine::definition::ServiceId::Payment,
        extra_ms: 100,
    })
    .unwrap();
    assert!(p.take_fork().is_some());
    play_out(&mut p);
    let calendar_latency = p.sim().faults().iter().any(|f| {
        matches!(
            f.spec,
            FaultSpec::Latency {
                service: crate::engine::definition::ServiceId::Calendar,
                ..
            }
        )
    });
    assert!(!calendar_latency, "the old future's fault is gone");
    assert_eq!(p.plan().len(), 1, "and left the plan");
    assert!(
        p.sim()
            .trace()
            .iter()
            .any(|e| matches!(e.kind, crate::engine::event::EventKind::CancelRequested)),
        "the preset's own cancel still happens"
    );
}

#[test]
fn a_refused_command_at_a_past_moment_discards_nothing() {
    let mut p = uninterrupted("happy-path", Coordination::Orchestration);
    let total = p.sim().event_count();
    p.seek(5);
    assert!(p.remove_fault(42).is_err());
    assert!(p.in_past());
    assert_eq!(p.timeline().len() as u64, total);
    assert!(p.take_fork().is_none());
}

#[test]
fn looking_ahead_finds_the_step_and_leaves_the_run_alone() {
    use crate::engine::event::EventKind;
    let mut p = player("card-declined", Coordination::Orchestration);
    p.advance(100.0);
    let before = p.sim().trace().to_vec();
    let (stop, found) = p
        .look_ahead(10_000, |_, e, _| {
            matches!(e.kind, EventKind::CompensationBegun { .. }).then_some(e.seq)
        })
        .expect("card declined compensates");
    assert_eq!(p.sim().trace(), &before[..], "the run itself did not move");
    let full = uninterrupted("card-declined", Coordination::Orchestration);
    let begun = full
        .sim()
        .trace()
        .iter()
        .find(|e| matches!(e.kind, EventKind::CompensationBegun { .. }))
        .unwrap()
        .seq;
    assert_eq!(found, vec![begun]);
    assert!(stop <= begun);
    p.set_stop(Some(stop));
    play_out(&mut p);
    assert_eq!(p.sim().event_count(), stop);
    assert!(p.sim().trace().iter().all(|e| e.seq < begun));
    assert!(p.look_ahead(10_000, |_, _, _| None::<()>).is_none());
}

#[test]
fn predict_mode_stops_before_the_step_asked_and_goes_on_when_released() {
    let full = uninterrupted("card-declined", Coordination::Orchestration);
    let mut p = player("card-declined", Coordination::Orchestration);
    // Where instants begin (a step of the engine begins there).
    let mut starts = Vec::new();
    while !p.is_settled() {
        starts.push(p.sim().event_count());
        p.step_instant();
    }
    let stop = starts[starts.len() / 2];
    let mut p = player("card-declined", Coordination::Orchestration);
    p.set_stop(Some(stop));
    play_out(&mut p);
    assert!(p.at_stop());
    assert!(!p.is_settled());
    assert_eq!(p.sim().event_count(), stop);
    assert_eq!(p.step(), 0, "Step waits too");
    p.set_stop(None);
    play_out(&mut p);
    assert_eq!(p.sim().trace(), full.sim().trace());
}

#[test]
fn advance_moves_the_clock_by_the_simulated_time() {
    let mut p = player("happy-path", Coordination::Orchestration);
    p.advance(250.0);
    assert_eq!(p.now_ms(), 250);
    p.advance(0.4);
    p.advance(0.4);
    assert_eq!(p.now_ms(), 250);
    p.advance(0.4);
    assert_eq!(p.now_ms(), 251);
}

#[test]
fn step_always_shows_at_least_one_event() {
    let mut p = player("happy-path", Coordination::Choreography);
    let mut steps = 0;
    while !p.is_settled() {
        assert!(p.step() >= 1 || p.is_settled());
        steps += 1;
        assert!(steps < 1_000);
    }
    assert_eq!(p.snapshot().outcome, Outcome::Completed);
    assert_eq!(p.step(), 0);
}

#[test]
fn an_injected_fault_joins_the_plan_and_a_restart_meets_it_from_the_start() {
    let mut p = player("happy-path", Coordination::Orchestration);
    play_out(&mut p);
    assert_eq!(p.snapshot().outcome, Outcome::Completed);
    p.inject(FaultSpec::BusinessFailure {
        step: 2,
        saga: None,
    })
    .unwrap();
    assert_eq!(p.plan().len(), 1);
    let mut again = p.restarted().unwrap();
    play_out(&mut again);
    assert_eq!(again.snapshot().outcome, Outcome::Compensated);
    assert!(again.is_planned(0));
}

#[test]
fn a_fault_injected_mid_run_takes_effect_from_then_on() {
    let mut p = player("happy-path", Coordination::Choreography);
    p.advance(500.0);
    p.inject(FaultSpec::BusinessFailure {
        step: 3,
        saga: None,
    })
    .unwrap();
    play_out(&mut p);
    assert_eq!(p.snapshot().outcome, Outcome::Compensated);
    assert!(p.invariants().iter().all(|i| i.holds));
}

#[test]
fn removing_a_planned_fault_takes_it_out_of_the_plan() {
    let mut p = player("happy-path", Coordination::Orchestration);
    let id = p
        .inject(FaultSpec::Latency {
            service: crate::engine::definition::ServiceId::Payment,
            extra_ms: 2_500,
        })
        .unwrap();
    p.remove_fault(id).unwrap();
    assert!(p.plan().is_empty());
    assert!(p.remove_fault(99).is_err());
}

#[test]
fn a_new_preset_clears_the_plan_and_a_new_style_keeps_it() {
    let mut p = player("happy-path", Coordination::Orchestration);
    p.inject(FaultSpec::BusinessFailure {
        step: 2,
        saga: None,
    })
    .unwrap();
    p.inject(FaultSpec::OrchestratorDown { for_ms: 3_000 })
        .unwrap();
    let other_style = p
        .reconfigured(RunSettings {
            coordination: Coordination::Choreography,
            ..p.settings().clone()
        })
        .unwrap();
    assert_eq!(
        other_style.plan(),
        &[FaultSpec::BusinessFailure {
            step: 2,
            saga: None
        }]
    );
    let other_preset = p
        .reconfigured(RunSettings {
            preset: "slot-taken",
            ..p.settings().clone()
        })
        .unwrap();
    assert!(other_preset.plan().is_empty());
}

#[test]
fn a_safeguard_switch_starts_again_from_zero_with_the_same_faults() {
    let duplicate = FaultSpec::Duplicate {
        service: Some(crate::engine::definition::ServiceId::Payment),
        times: 1,
    };
    let mut p = player("happy-path", Coordination::Orchestration);
    p.inject(duplicate.clone()).unwrap();
    play_out(&mut p);
    assert!(p.invariants().iter().all(|i| i.holds));
    for safeguard in Safeguard::ALL {
        // Each switch flipped from its default (the countermeasures are off unless chosen).
        let flipped = !safeguard.on_by_default();
        let off = p.with_safeguard(safeguard, flipped).unwrap();
        assert_eq!(off.now_ms(), 0);
        assert_eq!(off.plan(), std::slice::from_ref(&duplicate));
        assert_eq!(off.safeguards().get(safeguard), flipped);
        assert_eq!(
            off.settings().safeguards,
            Some(Safeguards::default().with(safeguard, flipped))
        );
        // It stays switched through a restart and a change of style or storage.
        let restarted = off.restarted().unwrap();
        assert_eq!(restarted.safeguards().get(safeguard), flipped);
        let moved = off
            .reconfigured(RunSettings {
                coordination: Coordination::Choreography,
                storage: Storage::Shared,
                ..off.settings().clone()
            })
            .unwrap();
        assert_eq!(moved.safeguards().get(safeguard), flipped);
        assert_eq!(
            off.with_safeguard(safeguard, !flipped)
                .unwrap()
                .safeguards(),
            &Safeguards::default()
        );
    }
    // Switched off, idempotency lets the duplicate charge the card twice, and it shows.
    let mut off = p.with_safeguard(Safeguard::Idempotency, false).unwrap();
    play_out(&mut off);
    assert!(off.invariants().iter().any(|i| !i.holds));
}

#[test]
fn another_preset_brings_its_own_safeguards() {
    let p = player("happy-path", Coordination::Orchestration)
        .with_safeguard(Safeguard::SemanticLock, false)
        .unwrap();
    let other = p
        .reconfigured(RunSettings {
            preset: "no-idempotency",
            ..p.settings().clone()
        })
        .unwrap();
    assert_eq!(other.settings().safeguards, None);
    assert!(!other.safeguards().idempotency);
    assert!(other.safeguards().semantic_lock);
}

#[test]
fn a_switched_safeguard_is_remembered_in_the_link() {
    use crate::share::link::{self, LinkState};
    let p = player("no-semantic-lock", Coordination::Choreography)
        .with_safeguard(Safeguard::SemanticLock, true)
        .unwrap();
    let text = link::encode(&LinkState::of_run(p.sim(), Playhead::Start)).unwrap();
    assert!(text.contains("p=no-semantic-lock"), "{text}");
    assert!(text.contains("sg=semantic_lock.on"), "{text}");
    let state = link::decode(&text).unwrap();
    let reopened = Player::from_scenario(state.scenario, state.preset.map(|p| p.id)).unwrap();
    assert_eq!(reopened.settings().preset, "no-semantic-lock");
    assert_eq!(reopened.safeguards(), &Safeguards::default());
    // Switched again after reopening, it still goes back into the link.
    let off = reopened
        .with_safeguard(Safeguard::Idempotency, false)
        .unwrap();
    let text = link::encode(&LinkState::of_run(off.sim(), Playhead::Start)).unwrap();
    assert!(text.contains("idempotency.off"), "{text}");
}

#[test]
fn an_orchestration_only_preset_refuses_choreography() {
    let err = Player::new(
        RunSettings {
            preset: "orchestrator-crash",
            coordination: Coordination::Choreography,
            ..RunSettings::default()
        },
        Vec::new(),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        PlayerError::OneStyleOnly(_, Coordination::Orchestration)
    ));
}

#[test]
fn poison_reaches_the_dead_letter_queue_and_redrive_clears_it() {
    let mut p = player("happy-path", Coordination::Choreography);
    let poison = p
        .inject(FaultSpec::Poison {
            service: crate::engine::definition::ServiceId::Payment,
        })
        .unwrap();
    play_out(&mut p);
    assert_eq!(p.snapshot().dead_letters.len(), 1);
    p.remove_fault(poison).unwrap();
    p.redrive().unwrap();
    assert!(p.snapshot().dead_letters.is_empty());
    play_out(&mut p);
    assert_eq!(p.snapshot().outcome, Outcome::Completed);
    assert!(
        p.invariants().iter().all(|i| i.holds),
        "{:?}",
        p.invariants()
    );
}

#[test]
fn chaos_switches_on_and_off() {
    let mut p = player("happy-path", Coordination::Orchestration);
    p.set_chaos(true, crate::view::faults::CHAOS).unwrap();
    assert!(p.chaos_on());
    p.advance(1_000.0);
    p.set_chaos(false, crate::view::faults::CHAOS).unwrap();
    assert!(!p.chaos_on());
    assert!(p.plan().is_empty());
}

#[test]
fn switched_off_idempotency_breaks_an_invariant_visibly() {
    let mut p = player("no-idempotency", Coordination::Choreography);
    play_out(&mut p);
    assert!(p.invariants().iter().any(|i| !i.holds));
}

#[test]
fn a_shared_link_reopens_the_same_run_at_the_same_moment() {
    use crate::share::link::{decode, encode, LinkState};
    let mut p = player("restaurant-rejects", Coordination::Choreography);
    p.advance(1_234.0);
    p.inject(FaultSpec::Latency {
        service: crate::engine::definition::ServiceId::Payment,
        extra_ms: 700,
    })
    .unwrap();
    p.advance(900.0);
    let moment = Playhead::AtMs(p.now_ms());
    let text = encode(&LinkState::of_run(p.sim(), moment)).unwrap();
    let state = decode(&text).unwrap();
    let mut again = Player::from_scenario(state.scenario, state.preset.map(|x| x.id)).unwrap();
    again.reach(state.moment);
    assert_eq!(again.now_ms(), p.now_ms());
    assert_eq!(again.sim().trace(), p.sim().trace());
    assert_eq!(again.settings().preset, "restaurant-rejects");
    play_out(&mut p);
    play_out(&mut again);
    assert_eq!(again.sim().trace(), p.sim().trace());
}

#[test]
fn a_run_opened_from_a_scenario_keeps_it_across_restarts_and_new_seeds() {
    let mut scenario = presets::scenario(
        "card-declined",
        Coordination::Orchestration,
        Storage::Shared,
        5,
    )
    .unwrap();
    scenario.name = "My own".to_string();
    let p = Player::from_scenario(scenario.clone(), None).unwrap();
    assert_eq!(p.settings().preset, CUSTOM);
    let mut restarted = p.restarted().unwrap();
    play_out(&mut restarted);
    assert_eq!(restarted.sim().scenario(), &scenario);
    assert_eq!(restarted.snapshot().outcome, Outcome::Compensated);
    let reseeded = p
        .reconfigured(RunSettings {
            seed: 9,
            ..p.settings().clone()
        })
        .unwrap();
    assert_eq!(reseeded.sim().scenario().name, "My own");
    assert_eq!(reseeded.sim().scenario().seed, 9);
    let preset = p
        .reconfigured(RunSettings {
            preset: "happy-path",
            ..p.settings().clone()
        })
        .unwrap();
    assert_ne!(preset.sim().scenario().name, "My own");
}
