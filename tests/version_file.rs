//! The version file: a service records the operations it performs for each saga and refuses an
//! action that arrives after its own compensation. In *Charge after its refund* the orchestrator
//! gives up on a slow charge and refunds it before the charges arrive; with idempotency off
//! nothing else stops them. The version file does, and only that: a duplicate still takes effect
//! twice without idempotency.

mod common;

use common::Harness;
use sagascope::engine::event::EventKind;
use sagascope::engine::presets;
use sagascope::engine::safeguard::Safeguard;
use sagascope::engine::tables::LedgerKind;
use sagascope::engine::{Coordination, Invariant, Outcome, Scenario, Storage};

fn late_charge() -> Scenario {
    presets::scenario(
        "late-charge",
        Coordination::Orchestration,
        Storage::PerService,
        0,
    )
    .expect("preset exists")
}

fn run(scenario: Scenario) -> Harness {
    let mut h = Harness::new(scenario);
    h.drive();
    h
}

fn charges(h: &Harness) -> usize {
    h.sim
        .tables()
        .ledger
        .iter()
        .filter(|r| r.kind == LedgerKind::Charged)
        .count()
}

#[test]
fn without_it_or_idempotency_the_late_charges_take_effect_after_the_refund() {
    let h = run(late_charge());
    assert_eq!(h.outcome(0), Outcome::Compensated);
    // The refund found nothing; the charges came after it and stayed.
    assert!(charges(&h) >= 1, "{:?}", h.sim.tables().ledger);
    assert!(h
        .sim
        .tables()
        .ledger
        .iter()
        .all(|r| r.kind == LedgerKind::Charged));
    let broken = h.broken();
    assert!(
        broken.contains(&(Invariant::MoneyAddsUp.number())),
        "{broken:?}"
    );
    assert_eq!(
        h.count(|k| matches!(k, EventKind::LateActionRefused { .. })),
        0
    );
}

#[test]
fn with_it_the_charges_that_come_after_their_refund_are_refused() {
    let mut scenario = late_charge();
    scenario.safeguards.set(Safeguard::VersionFile, true);
    let h = run(scenario);
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(charges(&h), 0, "{:?}", h.sim.tables().ledger);
    let refused = h.count(|k| matches!(k, EventKind::LateActionRefused { .. }));
    assert!(refused >= 1, "every late charge is refused");
    // Payment's version file holds the refund before any charge.
    let file = &h
        .sim
        .tables()
        .store(sagascope::engine::ServiceId::Payment)
        .version_file;
    assert!(
        file.first()
            .is_some_and(|r| matches!(r.task, sagascope::engine::message::Task::Compensate(1))),
        "{file:?}"
    );
}

#[test]
fn it_does_not_stop_a_duplicate_from_taking_effect_twice() {
    let mut scenario = presets::scenario(
        "no-idempotency",
        Coordination::Orchestration,
        Storage::PerService,
        0,
    )
    .expect("preset exists");
    scenario.safeguards.set(Safeguard::VersionFile, true);
    let h = run(scenario);
    assert!(
        h.broken().contains(&(Invariant::ActionAtMostOnce.number())),
        "{:?}",
        h.broken()
    );
}

#[test]
fn with_idempotency_the_tombstone_alone_refuses_them() {
    let mut scenario = late_charge();
    scenario.safeguards.set(Safeguard::Idempotency, true);
    let h = run(scenario);
    h.assert_invariants_hold();
    assert_eq!(charges(&h), 0);
}
