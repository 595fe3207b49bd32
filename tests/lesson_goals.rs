//! A lesson's facts (its challenges' goals and its questions' checks) are read from the trace and
//! the tables by code of their own, and each one can fail: a run that does not reach the goal
//! is not accepted, at any moment of it, and a run that does is. Over every preset in both
//! styles, each goal holds exactly in the presets that make it happen, and where it does the
//! engine's own monitor agrees (it says which invariant broke). Pause points are found in real
//! runs, at the first matching event after the moment shown.

mod common;

use sagascope::engine::definition::Operation;
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::safeguard::Safeguard;
use sagascope::engine::{Coordination, Monitor, Outcome, Scenario, ServiceId, Simulation, Storage};
use sagascope::lesson::{pause_point, Challenge, EventPattern, EventWanted, Fact, SafeguardIs};

const ORCH: Coordination = Coordination::Orchestration;
const CHOR: Coordination = Coordination::Choreography;

fn scenario(preset: &str, style: Coordination) -> Scenario {
    presets::scenario(preset, style, Storage::PerService, 1).expect("a preset")
}

/// Runs `scenario` to its end; whether `fact` held at some moment, and whether at the end.
fn watch(scenario: Scenario, fact: &Fact) -> (bool, bool) {
    let mut sim = Simulation::new(scenario).expect("valid");
    let mut ever = fact.holds(&sim);
    while sim.step() {
        ever |= fact.holds(&sim);
    }
    (ever, fact.holds(&sim))
}

fn at_end(preset: &str, style: Coordination, fact: &Fact) -> bool {
    watch(scenario(preset, style), fact).1
}

fn never(preset: &str, style: Coordination, fact: &Fact) -> bool {
    !watch(scenario(preset, style), fact).0
}

fn pattern(event: EventWanted) -> EventPattern {
    EventPattern {
        event,
        step: None,
        service: None,
        saga: None,
        outcome: None,
    }
}

/// A goal, the presets (with their style) that reach it, and the invariants the monitor reports
/// then (one of them).
type Expected = (Fact, &'static [(&'static str, Coordination)], &'static [u8]);

#[test]
fn each_goal_holds_exactly_where_a_preset_makes_it_happen_and_the_monitor_agrees() {
    // A slot overbooked from a lost update is the isolation invariant's to report.
    let goals: [Expected; 5] = [
        (
            Fact::MoneyDoesNotAddUp,
            &[
                ("no-idempotency", ORCH),
                ("no-idempotency", CHOR),
                ("late-charge", ORCH),
            ],
            &[6],
        ),
        (
            Fact::DoubleBooking,
            &[
                ("no-semantic-lock", ORCH),
                ("no-semantic-lock", CHOR),
                ("last-table", ORCH),
                ("last-table", CHOR),
            ],
            &[6, 11],
        ),
        (
            Fact::LostUpdate,
            &[
                ("last-table", ORCH),
                ("last-table", CHOR),
                ("big-and-small", ORCH),
                ("big-and-small", CHOR),
                ("balance-raced", ORCH),
                ("balance-raced", CHOR),
            ],
            &[11],
        ),
        (
            Fact::DeadLetter,
            &[("poison-redrive", CHOR), ("compensation-fails", CHOR)],
            &[],
        ),
        (
            Fact::PivotOutcomeUnknown,
            &[("pivot-reply-lost", ORCH)],
            &[],
        ),
    ];
    for (goal, reached, invariants) in goals {
        for preset in PRESETS {
            for style in [ORCH, CHOR].into_iter().filter(|s| preset.runs_in(*s)) {
                let mut sim = Simulation::new(scenario(preset.id, style)).expect("valid");
                let mut monitor = Monitor::new();
                let mut ever = false;
                while sim.step() {
                    monitor.observe(&sim);
                    ever |= goal.holds(&sim);
                }
                let expected = reached.contains(&(preset.id, style));
                assert_eq!(
                    ever,
                    expected,
                    "{goal:?} in {} ({})",
                    preset.id,
                    style.as_str()
                );
                assert_eq!(
                    goal.holds(&sim),
                    expected,
                    "{goal:?} at the end of {}",
                    preset.id
                );
                if expected && !invariants.is_empty() {
                    assert!(
                        monitor
                            .violations()
                            .any(|v| invariants.contains(&v.invariant.number())),
                        "{goal:?} in {}: the monitor reports none of invariants {invariants:?}",
                        preset.id
                    );
                }
            }
        }
    }
}

#[test]
fn a_safeguard_switched_back_on_keeps_the_goal_away() {
    let locked = |preset: &str| {
        let mut s = scenario(preset, ORCH);
        s.safeguards.semantic_lock = true;
        s
    };
    assert!(!watch(locked("last-table"), &Fact::DoubleBooking).0);
    assert!(!watch(locked("last-table"), &Fact::LostUpdate).0);
    assert!(!watch(locked("no-semantic-lock"), &Fact::DoubleBooking).0);
    let mut careful = scenario("no-idempotency", ORCH);
    careful.safeguards.idempotency = true;
    assert!(!watch(careful, &Fact::MoneyDoesNotAddUp).0);
}

#[test]
fn an_ending_is_the_last_one_and_only_while_the_saga_rests() {
    let ends = |outcome, saga| Fact::SagaEnds { outcome, saga };
    assert!(at_end(
        "compensation-fails",
        ORCH,
        &ends(Outcome::RollbackIncomplete, None)
    ));
    assert!(never(
        "restaurant-rejects",
        ORCH,
        &ends(Outcome::RollbackIncomplete, None)
    ));
    assert!(at_end(
        "restaurant-rejects",
        ORCH,
        &ends(Outcome::Compensated, Some(0))
    ));
    assert!(never("happy-path", CHOR, &ends(Outcome::Compensated, None)));
    // Two sagas: each one's own ending.
    assert!(at_end(
        "two-customers",
        ORCH,
        &ends(Outcome::Compensated, Some(1))
    ));
    assert!(never(
        "two-customers",
        ORCH,
        &ends(Outcome::Compensated, Some(0))
    ));
    assert!(at_end(
        "two-customers",
        ORCH,
        &ends(Outcome::Completed, Some(0))
    ));
    // Awaiting a person, then redriven and completed: the waiting ends with the redrive.
    let (ever, end) = watch(
        scenario("poison-redrive", CHOR),
        &ends(Outcome::AwaitingPerson, None),
    );
    assert!(ever && !end);
    assert!(at_end(
        "poison-redrive",
        CHOR,
        &ends(Outcome::Completed, None)
    ));
    // Completed, then cancelled: a cancellation saga undoes it.
    let (ever, end) = watch(
        scenario("cancel-after-completion", ORCH),
        &ends(Outcome::Completed, None),
    );
    assert!(ever && !end);
    assert!(at_end(
        "cancel-after-completion",
        ORCH,
        &ends(Outcome::Compensated, None)
    ));
}

#[test]
fn what_is_undone_is_read_in_the_order_it_took_effect() {
    let first = |step| Fact::FirstUndone { step, saga: None };
    for style in [ORCH, CHOR] {
        assert!(at_end(
            "restaurant-rejects",
            style,
            &first(Operation::BookSlot)
        ));
        assert!(never(
            "restaurant-rejects",
            style,
            &first(Operation::ChargeCard)
        ));
        assert!(at_end(
            "card-declined",
            style,
            &first(Operation::CreateReservation)
        ));
        let order = |steps: Vec<Operation>| Fact::Undone { steps, saga: None };
        use Operation::{BookSlot, ChargeCard, CreateReservation};
        assert!(at_end(
            "restaurant-rejects",
            style,
            &order(vec![BookSlot, ChargeCard, CreateReservation])
        ));
        assert!(never(
            "restaurant-rejects",
            style,
            &order(vec![CreateReservation, ChargeCard, BookSlot])
        ));
        assert!(at_end(
            "card-declined",
            style,
            &order(vec![CreateReservation])
        ));
        assert!(at_end("happy-path", style, &order(vec![])));
        assert!(never("happy-path", style, &first(CreateReservation)));
    }
    // Two sagas: only the refused one undoes anything.
    let grace = |saga| Fact::Undone {
        steps: vec![Operation::ChargeCard, Operation::CreateReservation],
        saga,
    };
    assert!(at_end("two-customers", ORCH, &grace(Some(1))));
    assert!(never("two-customers", ORCH, &grace(Some(0))));
}

#[test]
fn the_pivot_and_event_counts_are_read_from_the_run() {
    assert!(at_end(
        "happy-path",
        ORCH,
        &Fact::Pivot {
            step: Operation::ConfirmReservation
        }
    ));
    assert!(never(
        "happy-path",
        ORCH,
        &Fact::Pivot {
            step: Operation::ChargeCard
        }
    ));
    let failed = |times| Fact::Happens {
        what: EventPattern {
            service: Some(ServiceId::Payment),
            ..pattern(EventWanted::TaskFailed)
        },
        times,
    };
    assert!(at_end("poison-redrive", CHOR, &failed(Some(4))));
    assert!(!at_end("poison-redrive", CHOR, &failed(Some(3))));
    assert!(at_end("poison-redrive", CHOR, &failed(None)));
    assert!(never("happy-path", CHOR, &failed(None)));
    assert!(at_end("happy-path", CHOR, &failed(Some(0))));
    let ended = |outcome| Fact::Happens {
        what: EventPattern {
            outcome: Some(outcome),
            ..pattern(EventWanted::SagaEnded)
        },
        times: Some(1),
    };
    assert!(at_end("card-declined", ORCH, &ended(Outcome::Compensated)));
    assert!(never("card-declined", ORCH, &ended(Outcome::Completed)));
}

#[test]
fn a_challenge_counts_only_under_the_safeguards_it_requires() {
    let mut p = common::preset_player("no-idempotency", ORCH);
    p.advance(1e9);
    let challenge = |on| Challenge {
        goal: Fact::MoneyDoesNotAddUp,
        requires: vec![SafeguardIs {
            safeguard: Safeguard::Idempotency,
            on,
        }],
        hint: None,
        solution: Vec::new(),
    };
    assert!(challenge(false).met(&p));
    assert!(!challenge(true).met(&p));
    let mut fixed = p
        .with_safeguard(Safeguard::Idempotency, true)
        .expect("restarted");
    fixed.advance(1e9);
    assert!(!challenge(true).met(&fixed));
}

#[test]
fn a_pause_comes_right_after_the_first_matching_event_ahead() {
    let def = scenario("happy-path", ORCH).definition;
    let mut p = common::preset_player("happy-path", ORCH);
    let charged = EventPattern {
        step: Some(Operation::ChargeCard),
        ..pattern(EventWanted::StepSucceeded)
    };
    let pause = pause_point(&p, &charged).expect("the card is charged");
    p.set_stop(Some(pause.stop_at));
    p.advance(1e9);
    assert!(p.at_stop());
    assert_eq!(p.event_count(), pause.stop_at);
    assert_eq!(p.now_ms(), pause.at_ms);
    let trace = p.sim().trace();
    assert!(charged.matches(&trace[pause.seq as usize], &def));
    assert!(pause.seq < pause.stop_at);
    assert_eq!(
        trace.iter().filter(|e| charged.matches(e, &def)).count(),
        1,
        "paused right after the first one"
    );
    // From there the next step to succeed is a later one: the slot's booking.
    let next = pause_point(&p, &pattern(EventWanted::StepSucceeded)).expect("more steps");
    assert!(next.seq > pause.seq);
    p.set_stop(Some(next.stop_at));
    p.advance(1e9);
    let e = &p.sim().trace()[next.seq as usize];
    assert!(EventPattern {
        step: Some(Operation::BookSlot),
        ..pattern(EventWanted::StepSucceeded)
    }
    .matches(e, &def));
    // Nothing dead-letters in a happy run, and the charge does not happen twice.
    assert_eq!(pause_point(&p, &pattern(EventWanted::DeadLettered)), None);
    assert_eq!(pause_point(&p, &charged), None);
    // Back at the start, the same pause is found again.
    p.seek(0);
    assert_eq!(pause_point(&p, &charged), Some(pause));
}

#[test]
fn a_pause_can_wait_for_one_saga_or_one_service() {
    let def = scenario("two-customers", ORCH).definition;
    let p = common::preset_player("two-customers", ORCH);
    let refused = |saga| EventPattern {
        step: Some(Operation::BookSlot),
        saga: Some(saga),
        ..pattern(EventWanted::StepRefused)
    };
    let pause = pause_point(&p, &refused(1)).expect("Grace is refused");
    assert_eq!(
        p.sim().trace().len() as u64,
        p.event_count(),
        "the player did not move"
    );
    assert_eq!(pause_point(&p, &refused(0)), None, "Ada is not");
    let mut p = p;
    p.set_stop(Some(pause.stop_at));
    p.advance(1e9);
    assert_eq!(p.sim().trace()[pause.seq as usize].saga, Some(1));

    let c = common::preset_player("poison-redrive", CHOR);
    let at = |service| EventPattern {
        service: Some(service),
        ..pattern(EventWanted::TaskFailed)
    };
    let failed = pause_point(&c, &at(ServiceId::Payment)).expect("Payment fails");
    let mut paused = c.clone();
    paused.set_stop(Some(failed.stop_at));
    paused.advance(1e9);
    assert!(at(ServiceId::Payment).matches(&paused.sim().trace()[failed.seq as usize], &def));
    assert_eq!(pause_point(&c, &at(ServiceId::Calendar)), None);
    let dead = pause_point(&c, &pattern(EventWanted::DeadLettered)).expect("dead-lettered");
    assert!(dead.at_ms > failed.at_ms);
}
