//! The transactional outbox as a switch: a service that crashes between its local commit and
//! publishing its event loses nothing with the outbox (the relay publishes after the restart);
//! without it the event is lost (the dual write), the saga stalls, and the trace says so.

mod common;

use common::Harness;
use sagascope::engine::event::EventKind;
use sagascope::engine::presets;
use sagascope::engine::{Coordination, FaultSpec, Outcome, Scenario, ServiceId, Storage};

fn crash_after_payment_commits(coordination: Coordination, outbox: bool) -> Scenario {
    let mut s =
        presets::scenario("happy-path", coordination, Storage::PerService, 0).expect("preset");
    s.safeguards.outbox = outbox;
    s.faults.push(FaultSpec::CrashAfterCommit {
        service: ServiceId::Payment,
        times: 1,
    });
    s
}

#[test]
fn with_the_outbox_the_relay_publishes_after_the_restart() {
    let mut h = Harness::new(crash_after_payment_commits(
        Coordination::Choreography,
        true,
    ));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.count(|k| matches!(k, EventKind::FaultFired { .. })), 1);
    assert_eq!(
        h.count(|k| matches!(
            k,
            EventKind::ServiceDown {
                service: ServiceId::Payment
            }
        )),
        1,
        "it crashed"
    );
    assert_eq!(h.count(|k| matches!(k, EventKind::PublishLost { .. })), 0);
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(
        h.sim.tables().ledger.len(),
        1,
        "the redelivery is not charged again"
    );
    assert!(h
        .sim
        .tables()
        .store(ServiceId::Payment)
        .outbox
        .iter()
        .all(|r| r.published));
}

#[test]
fn without_the_outbox_the_crash_loses_the_event_and_the_saga_stalls() {
    let mut h = Harness::new(crash_after_payment_commits(
        Coordination::Choreography,
        false,
    ));
    h.drive();
    assert_eq!(
        h.count(|k| matches!(
            k,
            EventKind::PublishLost {
                service: ServiceId::Payment,
                ..
            }
        )),
        1,
        "the trace says the event was lost"
    );
    assert_eq!(h.sim.tables().ledger.len(), 1, "the charge committed");
    assert!(h.sim.tables().slots.is_empty(), "nobody heard of it");
    assert_eq!(h.outcome(0), Outcome::Running, "stalled");
    assert!(h.sim.is_quiescent());
    assert!(
        h.broken().contains(&1),
        "the monitor says the saga came to rest without an outcome: {:?}",
        h.broken()
    );
}

#[test]
fn without_the_outbox_and_without_a_crash_events_are_published_directly() {
    let mut s = crash_after_payment_commits(Coordination::Choreography, false);
    s.faults.clear();
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert!(h.sim.tables().stores.iter().all(|s| s.outbox.is_empty()));
    assert_eq!(h.count(|k| matches!(k, EventKind::OutboxWritten { .. })), 0);
}

#[test]
fn the_crash_means_nothing_to_an_orchestrated_run() {
    let mut h = Harness::new(crash_after_payment_commits(
        Coordination::Orchestration,
        true,
    ));
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.count(|k| matches!(k, EventKind::ServiceDown { .. })), 0);
}

#[test]
fn old_scenario_files_load_with_the_outbox_on() {
    let text = r#"{"version": 1, "coordination": "choreography",
        "sagas": [{"customer": "Ada", "slot": "Fri 19:30"}],
        "safeguards": {"idempotency": true, "semantic_lock": true}}"#;
    let scenario = Scenario::from_json(text).expect("loads");
    assert!(scenario.safeguards.outbox);
    let round = Scenario::from_json(&scenario.to_json()).expect("round trip");
    assert_eq!(round, scenario);
}

#[test]
fn the_crash_is_validated_like_any_counted_fault() {
    let s = crash_after_payment_commits(Coordination::Choreography, true);
    let bad = FaultSpec::CrashAfterCommit {
        service: ServiceId::Payment,
        times: 0,
    };
    assert!(bad.validate(&s, "fault").is_err());
    assert_eq!(
        sagascope::engine::FaultKind::parse("crash_after_commit"),
        Some(sagascope::engine::FaultKind::CrashAfterCommit)
    );
}

#[test]
fn with_the_outbox_no_crash_after_commit_breaks_an_invariant() {
    let presets_to_try = [
        "happy-path",
        "card-declined",
        "slot-taken",
        "restaurant-rejects",
    ];
    let mut crashes = 0;
    for seed in 0..120u64 {
        let preset = presets_to_try[(seed % 4) as usize];
        let mut s = presets::scenario(
            preset,
            Coordination::Choreography,
            Storage::PerService,
            seed,
        )
        .expect("preset");
        s.faults.push(FaultSpec::CrashAfterCommit {
            service: ServiceId::ALL[(seed / 4 % 4) as usize],
            times: 1 + (seed / 16 % 3) as u32,
        });
        if seed % 3 == 0 {
            s.faults.push(FaultSpec::Duplicate {
                service: None,
                times: 2,
            });
        }
        let mut h = Harness::new(s);
        h.drive();
        h.assert_invariants_hold();
        assert!(
            h.sim.sagas().iter().all(|r| r.outcome.is_final()),
            "seed {seed} ({preset}): {:?}",
            h.sim.sagas().iter().map(|r| r.outcome).collect::<Vec<_>>()
        );
        crashes += h.count(|k| matches!(k, EventKind::ServiceDown { .. }));
    }
    assert!(crashes > 100, "the crashes happened: {crashes}");
}

#[test]
fn the_relay_of_a_crashed_service_waits_for_its_restart() {
    // The outbox row is committed before the crash, but a relay is part of its service: nothing
    // is published from Payment while it is down, only once it is back.
    let mut h = Harness::new(crash_after_payment_commits(
        Coordination::Choreography,
        true,
    ));
    h.drive();
    let trace = h.sim.trace();
    let down = trace
        .iter()
        .position(|e| {
            matches!(
                e.kind,
                EventKind::ServiceDown {
                    service: ServiceId::Payment
                }
            )
        })
        .expect("Payment crashed");
    let up = trace
        .iter()
        .position(|e| {
            matches!(
                e.kind,
                EventKind::ServiceUp {
                    service: ServiceId::Payment
                }
            )
        })
        .expect("Payment restarted");
    let published_while_down = trace[down..up]
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::MessageSent {
                    from: sagascope::engine::message::Node::Service(ServiceId::Payment),
                    ..
                }
            )
        })
        .count();
    assert_eq!(published_while_down, 0, "nothing leaves a crashed service");
    assert_eq!(h.outcome(0), Outcome::Completed);
}
