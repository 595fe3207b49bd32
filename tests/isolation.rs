//! Concurrent sagas on shared records: with no countermeasure two overlapping updates lose one
//! (overbooking, a forgotten charge) and invariant 11 names it; each countermeasure prevents it
//! in its own way, in both coordination styles. A saga turned away by an update that is later
//! undone read dirty data: only the semantic lock, held until the updating saga ends, prevents it.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::event::{EventKind, FailReason};
use sagascope::engine::presets;
use sagascope::engine::safeguard::Safeguard;
use sagascope::engine::shared::{Anomaly, Record};
use sagascope::engine::tables::LedgerKind;
use sagascope::engine::{Coordination, Invariant, Outcome, Scenario, Storage, Violation};

fn preset(id: &str, style: Coordination) -> Scenario {
    presets::scenario(id, style, Storage::PerService, 0).expect("preset exists")
}

fn with(mut scenario: Scenario, safeguard: Safeguard) -> Scenario {
    scenario.safeguards.set(safeguard, true);
    scenario
}

fn run(scenario: Scenario) -> Harness {
    let mut h = Harness::new(scenario);
    h.drive();
    h
}

fn tables_left(h: &Harness) -> u64 {
    let slot = "Fri 19:30";
    h.sim
        .tables()
        .shared
        .tables_left
        .get(slot)
        .expect("the slot is shared")
        .value
}

fn gift_card(h: &Harness) -> u64 {
    h.sim
        .tables()
        .shared
        .gift_cards
        .get("Ada")
        .expect("the card is shared")
        .value
}

fn failures(h: &Harness, reason: FailReason) -> usize {
    h.count(|k| matches!(k, EventKind::TaskFailed { reason: r, .. } if *r == reason))
}

/// Each violation once (the monitor reports what has broken after every event).
fn anomalies(h: &Harness) -> Vec<Violation> {
    let mut unique: Vec<Violation> = Vec::new();
    for v in &h.violations {
        if !unique.contains(v) {
            unique.push(v.clone());
        }
    }
    unique
}

const COUNTERMEASURES: [Safeguard; 3] = [
    Safeguard::SemanticLock,
    Safeguard::CommutativeUpdates,
    Safeguard::RereadValue,
];

#[test]
fn last_table_without_a_countermeasure_both_read_one_and_the_slot_is_overbooked() {
    for style in STYLES {
        let h = run(preset("last-table", style));
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert_eq!(h.outcome(1), Outcome::Completed, "{style:?}");
        assert_eq!(h.sim.tables().slots.len(), 2, "{style:?}: two bookings");
        assert_eq!(tables_left(&h), 0, "{style:?}: and yet one table taken");
        // Both reads saw the last table.
        let reads: Vec<u64> = h
            .sim
            .trace()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::RecordRead { value, .. } => Some(*value),
                _ => None,
            })
            .collect();
        assert_eq!(reads, vec![1, 1], "{style:?}");
        assert_eq!(h.broken(), vec![11], "{style:?}");
        let lost = h
            .violations
            .iter()
            .find(|v| v.detail.contains("is lost"))
            .expect("the lost update is named");
        assert_eq!(lost.invariant, Invariant::Isolation);
        let mut sagas = lost.sagas.clone();
        sagas.sort_unstable();
        assert_eq!(
            sagas,
            vec![0, 1],
            "{style:?}: the writer and the overwritten"
        );
        assert!(
            lost.detail.contains("tables left at Fri 19:30"),
            "{}",
            lost.detail
        );
        assert!(
            h.violations
                .iter()
                .any(|v| v.detail.contains("overbooked: 2 bookings")),
            "{style:?}: the tables show it too"
        );
    }
}

#[test]
fn last_table_with_any_countermeasure_one_gets_the_table_and_the_other_is_refused() {
    for style in STYLES {
        for safeguard in COUNTERMEASURES {
            let h = run(with(preset("last-table", style), safeguard));
            h.assert_invariants_hold();
            let outcomes = [h.outcome(0), h.outcome(1)];
            assert!(
                outcomes.contains(&Outcome::Completed) && outcomes.contains(&Outcome::Compensated),
                "{style:?} {safeguard:?}: {outcomes:?}"
            );
            assert_eq!(h.sim.tables().slots.len(), 1, "{style:?} {safeguard:?}");
            assert_eq!(tables_left(&h), 0, "{style:?} {safeguard:?}");
            // Each in its own way.
            let (locked, changed) = (
                failures(&h, FailReason::RecordLocked),
                failures(&h, FailReason::RecordChanged),
            );
            match safeguard {
                Safeguard::SemanticLock => assert!(locked > 0 && changed == 0, "{style:?}"),
                Safeguard::RereadValue => assert!(changed > 0 && locked == 0, "{style:?}"),
                _ => {
                    assert_eq!((locked, changed), (0, 0), "{style:?}");
                    // Commutative: every write is based on the value at the write.
                    for e in h.sim.trace() {
                        if let EventKind::RecordWritten {
                            based_on, before, ..
                        } = &e.kind
                        {
                            assert_eq!(based_on, before, "{style:?}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn balance_raced_without_a_countermeasure_the_card_forgets_a_charge() {
    for style in STYLES {
        let h = run(preset("balance-raced", style));
        let charges = h
            .sim
            .tables()
            .ledger
            .iter()
            .filter(|r| r.kind == LedgerKind::Charged)
            .count();
        assert_eq!(charges, 2, "{style:?}: two charges of €40 in the ledger");
        assert_eq!(
            gift_card(&h),
            1_000,
            "{style:?}: yet the card went down by €40 only"
        );
        assert_eq!(
            h.broken(),
            vec![11],
            "{style:?}: money adds up in the ledger"
        );
        assert!(
            h.violations
                .iter()
                .any(|v| v.detail.contains("a charge was forgotten")),
            "{style:?}: {:#?}",
            h.violations
        );
        assert!(
            h.violations.iter().any(|v| v
                .detail
                .contains("Ada's gift card = €10.00 from its read of €50.00")),
            "{style:?}: {:#?}",
            h.violations
        );
    }
}

#[test]
fn balance_raced_with_any_countermeasure_the_second_charge_is_declined() {
    for style in STYLES {
        for safeguard in COUNTERMEASURES {
            let h = run(with(preset("balance-raced", style), safeguard));
            h.assert_invariants_hold();
            let outcomes = [h.outcome(0), h.outcome(1)];
            assert!(
                outcomes.contains(&Outcome::Completed) && outcomes.contains(&Outcome::Compensated),
                "{style:?} {safeguard:?}: {outcomes:?}"
            );
            assert_eq!(gift_card(&h), 1_000, "{style:?} {safeguard:?}");
        }
    }
}

#[test]
fn a_refund_gives_the_money_back_to_the_card() {
    for style in STYLES {
        let mut scenario = preset("card-declined", style);
        // Ada pays from her card; the calendar refuses, so the charge is refunded.
        scenario.faults.clear();
        scenario
            .faults
            .push(sagascope::engine::FaultSpec::BusinessFailure {
                step: 3,
                saga: None,
            });
        scenario.shared.gift_cards.insert("Ada".to_string(), 5_000);
        let h = run(scenario);
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(gift_card(&h), 5_000, "{style:?}");
        let writes: Vec<(u64, u64)> = h
            .sim
            .trace()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::RecordWritten {
                    record,
                    before,
                    after,
                    ..
                } if matches!(**record, Record::GiftCard { .. }) => Some((*before, *after)),
                _ => None,
            })
            .collect();
        assert_eq!(writes, vec![(5_000, 1_000), (1_000, 5_000)], "{style:?}");
    }
}

#[test]
fn a_card_that_cannot_cover_the_charge_declines_it() {
    for style in STYLES {
        let mut scenario = preset("happy-path", style);
        scenario.shared.gift_cards.insert("Ada".to_string(), 3_999);
        let h = run(scenario);
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(gift_card(&h), 3_999, "{style:?}");
        assert!(h.sim.tables().ledger.is_empty(), "{style:?}");
    }
}

#[test]
fn a_scenario_file_carries_the_shared_records_and_the_switches() {
    let scenario = with(
        preset("balance-raced", Coordination::Orchestration),
        Safeguard::RereadValue,
    );
    let json = scenario.to_json();
    assert!(json.contains("\"gift_cards\""), "{json}");
    assert!(json.contains("\"reread_value\": true"), "{json}");
    assert_eq!(Scenario::from_json(&json), Ok(scenario));
    // A plain scenario's file is as it was.
    let plain = preset("happy-path", Coordination::Orchestration).to_json();
    for absent in ["shared", "commutative_updates", "reread_value"] {
        assert!(!plain.contains(absent), "{plain}");
    }
    // Bad values are refused with the place named.
    let mut bad = preset("last-table", Coordination::Orchestration);
    bad.shared.tables.insert("Fri 19:30".to_string(), 101);
    let err = Scenario::from_json(&bad.to_json()).expect_err("too many tables");
    assert!(
        err.to_string().contains("shared.tables[\"Fri 19:30\"]"),
        "{err}"
    );
}

#[test]
fn a_saga_turned_away_by_an_update_later_compensated_read_dirty_data() {
    for style in STYLES {
        let h = run(preset("dirty-read", style));
        // Grace read 0 tables left while Ada held the last one, and was refused.
        let grace_read = h.sim.trace().iter().find_map(|e| match &e.kind {
            EventKind::RecordRead { value, .. } if e.saga == Some(1) => Some(*value),
            _ => None,
        });
        assert_eq!(grace_read, Some(0), "{style:?}");
        assert_eq!(
            h.outcome(1),
            Outcome::Compensated,
            "{style:?}: Grace turned away"
        );
        assert_eq!(
            h.outcome(0),
            Outcome::Compensated,
            "{style:?}: Ada rejected"
        );
        assert_eq!(tables_left(&h), 1, "{style:?}: the table came back");
        assert!(h.sim.tables().slots.is_empty(), "{style:?}");
        assert_eq!(h.broken(), vec![11], "{style:?}");
        let dirty = h
            .violations
            .iter()
            .find(|v| v.anomaly == Some(Anomaly::DirtyRead))
            .expect("the dirty read is named");
        assert_eq!(
            dirty.sagas,
            vec![1, 0],
            "{style:?}: the reader, then the taker"
        );
        assert_eq!(dirty.step, Some(3), "{style:?}: at Book slot");
        // Named when Ada gave the table back, not before.
        let released = h
            .sim
            .trace()
            .iter()
            .find(|e| {
                e.saga == Some(0)
                    && matches!(
                        e.kind,
                        EventKind::RecordWritten {
                            before: 0,
                            after: 1,
                            ..
                        }
                    )
            })
            .expect("Ada releases the table");
        assert_eq!(dirty.seq, released.seq, "{style:?}");
    }
}

#[test]
fn with_the_semantic_lock_the_second_booking_waits_for_the_first_saga_and_gets_the_table() {
    for style in STYLES {
        let h = run(with(preset("dirty-read", style), Safeguard::SemanticLock));
        assert!(h.violations.is_empty(), "{style:?}: {:?}", h.violations);
        assert!(
            failures(&h, FailReason::RecordLocked) > 0,
            "{style:?}: Grace waited"
        );
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(
            h.outcome(1),
            Outcome::Completed,
            "{style:?}: Grace got the table"
        );
        assert_eq!(tables_left(&h), 0, "{style:?}");
        assert_eq!(h.sim.tables().slots.len(), 1, "{style:?}");
    }
}

#[test]
fn commutative_updates_and_reread_value_do_not_prevent_a_dirty_read() {
    for style in STYLES {
        for safeguard in [Safeguard::CommutativeUpdates, Safeguard::RereadValue] {
            let h = run(with(preset("dirty-read", style), safeguard));
            let anomalies: Vec<_> = h.violations.iter().filter_map(|v| v.anomaly).collect();
            assert!(
                anomalies.contains(&Anomaly::DirtyRead),
                "{style:?} {safeguard:?}: {:?}",
                h.violations
            );
            assert!(!anomalies.contains(&Anomaly::LostUpdate), "{style:?}");
        }
    }
}

#[test]
fn a_saga_whose_two_steps_read_the_tables_left_apart_read_fuzzily() {
    for style in STYLES {
        let h = run(preset("fuzzy-read", style));
        // Ada's look saw the last table; her booking found none after Grace's.
        let ada_reads: Vec<(Option<usize>, u64)> = h
            .sim
            .trace()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::RecordRead { task, value, .. } if e.saga == Some(0) => {
                    Some((task.step(), *value))
                }
                _ => None,
            })
            .collect();
        assert_eq!(ada_reads, vec![(Some(0), 1), (Some(2), 0)], "{style:?}");
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(h.outcome(1), Outcome::Completed, "{style:?}");
        // Ada was charged on the strength of her first look, then refunded.
        let ada_ledger: Vec<LedgerKind> = h
            .sim
            .tables()
            .ledger
            .iter()
            .filter(|r| r.saga == 0)
            .map(|r| r.kind)
            .collect();
        assert_eq!(
            ada_ledger,
            vec![LedgerKind::Charged, LedgerKind::Refunded],
            "{style:?}"
        );
        assert_eq!(h.broken(), vec![11], "{style:?}");
        let fuzzy = anomalies(&h);
        let fuzzy: Vec<_> = fuzzy
            .iter()
            .filter(|v| v.anomaly == Some(Anomaly::FuzzyRead))
            .collect();
        assert_eq!(fuzzy.len(), 1, "{style:?}: {:?}", h.violations);
        assert_eq!(
            fuzzy[0].sagas,
            vec![0, 1],
            "{style:?}: the reader, then the writer"
        );
        assert_eq!(fuzzy[0].step, Some(3), "{style:?}: at Book slot");
        assert!(
            fuzzy[0].detail.contains("1 table in Create reservation")
                && fuzzy[0].detail.contains("0 tables in Book slot"),
            "{style:?}: {}",
            fuzzy[0].detail
        );
    }
}

#[test]
fn with_the_semantic_lock_the_look_holds_the_table_and_the_second_customer_waits() {
    for style in STYLES {
        let h = run(with(preset("fuzzy-read", style), Safeguard::SemanticLock));
        assert!(h.violations.is_empty(), "{style:?}: {:?}", h.violations);
        assert!(
            failures(&h, FailReason::RecordLocked) > 0,
            "{style:?}: Grace waited at her look"
        );
        assert_eq!(
            h.outcome(0),
            Outcome::Completed,
            "{style:?}: Ada kept her table"
        );
        assert_eq!(h.outcome(1), Outcome::Compensated, "{style:?}");
        // Grace was turned away at her look, before anything was charged.
        assert!(
            h.sim.tables().ledger.iter().all(|r| r.saga == 0),
            "{style:?}: {:?}",
            h.sim.tables().ledger
        );
        assert_eq!(tables_left(&h), 0, "{style:?}");
        assert!(
            h.sim
                .tables()
                .shared
                .tables_left
                .get("Fri 19:30")
                .is_some_and(|c| c.pending.is_none()),
            "{style:?}: the flag is cleared when the sagas end"
        );
    }
}

#[test]
fn commutative_updates_and_reread_value_do_not_prevent_a_fuzzy_read() {
    for style in STYLES {
        for safeguard in [Safeguard::CommutativeUpdates, Safeguard::RereadValue] {
            let h = run(with(preset("fuzzy-read", style), safeguard));
            let anomalies: Vec<_> = anomalies(&h).iter().filter_map(|v| v.anomaly).collect();
            assert_eq!(
                anomalies,
                vec![Anomaly::FuzzyRead],
                "{style:?} {safeguard:?}: {:?}",
                h.violations
            );
        }
    }
}

#[test]
fn without_the_look_no_step_reads_the_tables_left_twice() {
    for style in STYLES {
        let mut scenario = preset("fuzzy-read", style);
        scenario.shared.check_availability = false;
        let h = run(scenario);
        assert!(
            h.violations
                .iter()
                .all(|v| v.anomaly != Some(Anomaly::FuzzyRead)),
            "{style:?}: {:?}",
            h.violations
        );
        // Without the look both customers pay, and Calendar turns Ada away at the booking.
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
    }
}

/// The step names of the saga as the simulation runs it.
fn step_names(h: &Harness) -> Vec<String> {
    h.sim
        .scenario()
        .definition
        .steps
        .iter()
        .map(|s| s.name.clone())
        .collect()
}

#[test]
fn a_charge_declined_for_money_later_refunded_is_a_dirty_read() {
    for style in STYLES {
        let h = run(preset("declined-dirty-read", style));
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}: no table");
        assert_eq!(h.outcome(1), Outcome::Compensated, "{style:?}: declined");
        assert_eq!(gift_card(&h), 5_000, "{style:?}: all the money came back");
        assert_eq!(h.broken(), vec![11], "{style:?}");
        let dirty = anomalies(&h);
        let dirty: Vec<_> = dirty
            .iter()
            .filter(|v| v.anomaly == Some(Anomaly::DirtyRead))
            .collect();
        assert_eq!(dirty.len(), 1, "{style:?}: {:?}", h.violations);
        assert_eq!(dirty[0].sagas, vec![1, 0], "{style:?}");
        assert_eq!(dirty[0].step, Some(2), "{style:?}: at Charge card");
    }
}

#[test]
fn with_the_pessimistic_view_the_refused_booking_never_touches_the_card() {
    for style in STYLES {
        let h = run(with(
            preset("declined-dirty-read", style),
            Safeguard::PessimisticView,
        ));
        assert!(h.violations.is_empty(), "{style:?}: {:?}", h.violations);
        assert_eq!(
            step_names(&h),
            [
                "Create reservation",
                "Book slot",
                "Charge card",
                "Confirm reservation",
                "Notify"
            ],
            "{style:?}: the saga books before it charges"
        );
        assert_eq!(h.outcome(0), Outcome::Compensated, "{style:?}");
        assert_eq!(h.outcome(1), Outcome::Completed, "{style:?}");
        assert!(
            h.sim.tables().ledger.iter().all(|r| r.saga == 1),
            "{style:?}: the first booking charged nothing: {:?}",
            h.sim.tables().ledger
        );
        assert_eq!(gift_card(&h), 1_000, "{style:?}");
    }
}

#[test]
fn the_pessimistic_view_does_not_prevent_a_lost_update_or_a_rejection_after_the_charge() {
    for style in STYLES {
        let raced = run(with(
            preset("balance-raced", style),
            Safeguard::PessimisticView,
        ));
        let found: Vec<_> = anomalies(&raced).iter().filter_map(|v| v.anomaly).collect();
        assert!(found.contains(&Anomaly::LostUpdate), "{style:?}: {found:?}");
        // The restaurant rejects after the booking: the table still comes back too late.
        let rejected = run(with(
            preset("dirty-read", style),
            Safeguard::PessimisticView,
        ));
        let found: Vec<_> = anomalies(&rejected)
            .iter()
            .filter_map(|v| v.anomaly)
            .collect();
        assert_eq!(found, vec![Anomaly::DirtyRead], "{style:?}");
    }
}

#[test]
fn commutative_updates_and_reread_value_do_not_prevent_a_declined_dirty_read() {
    for style in STYLES {
        for safeguard in [Safeguard::CommutativeUpdates, Safeguard::RereadValue] {
            let h = run(with(preset("declined-dirty-read", style), safeguard));
            let found: Vec<_> = anomalies(&h).iter().filter_map(|v| v.anomaly).collect();
            assert_eq!(found, vec![Anomaly::DirtyRead], "{style:?} {safeguard:?}");
        }
    }
}

/// Balance raced with a risky first charge (€60 from a €100 card) and a small second one.
fn big_and_small(style: Coordination) -> Scenario {
    let scenario = preset("big-and-small", style);
    assert_eq!(scenario.sagas[0].amount_cents, 6_000);
    assert_eq!(scenario.shared.gift_cards.get("Ada"), Some(&10_000));
    scenario
}

#[test]
fn by_value_flags_the_risky_charge_and_the_small_one_waits_for_it() {
    for style in STYLES {
        let naive = run(big_and_small(style));
        let found: Vec<_> = anomalies(&naive).iter().filter_map(|v| v.anomaly).collect();
        assert!(found.contains(&Anomaly::LostUpdate), "{style:?}: {found:?}");

        let h = run(with(big_and_small(style), Safeguard::ByValue));
        assert!(h.violations.is_empty(), "{style:?}: {:?}", h.violations);
        assert!(
            failures(&h, FailReason::RecordLocked) > 0,
            "{style:?}: the small charge waited"
        );
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert_eq!(h.outcome(1), Outcome::Completed, "{style:?}");
        assert_eq!(gift_card(&h), 0, "{style:?}: €100 − €60 − €40");
    }
}

#[test]
fn by_value_leaves_small_requests_to_race() {
    for style in STYLES {
        // Two charges of €40, under the €50 from which a request counts as risky.
        let h = run(with(preset("balance-raced", style), Safeguard::ByValue));
        let found: Vec<_> = anomalies(&h).iter().filter_map(|v| v.anomaly).collect();
        assert!(found.contains(&Anomaly::LostUpdate), "{style:?}: {found:?}");
        assert_eq!(failures(&h, FailReason::RecordLocked), 0, "{style:?}");
    }
}

#[test]
fn by_value_keeps_a_small_charge_read_before_the_risky_one_from_writing_over_it() {
    for style in STYLES {
        // The small charge reads the card first, unflagged; the risky one then reads and flags
        // it. The small one's write must wait for the flag, not overwrite the risky update.
        let mut scenario = big_and_small(style);
        scenario.sagas[0].amount_cents = 4_000;
        scenario.sagas[1].amount_cents = 6_000;
        let naive = run(scenario.clone());
        let found: Vec<_> = anomalies(&naive).iter().filter_map(|v| v.anomaly).collect();
        assert!(found.contains(&Anomaly::LostUpdate), "{style:?}: {found:?}");
        let h = run(with(scenario, Safeguard::ByValue));
        assert!(h.violations.is_empty(), "{style:?}: {:?}", h.violations);
        assert!(failures(&h, FailReason::RecordLocked) > 0, "{style:?}");
        assert_eq!(gift_card(&h), 0, "{style:?}: both charges count");
    }
}
