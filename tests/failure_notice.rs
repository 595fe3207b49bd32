//! The failure notice tells the truth: "refunded" (with the amount) when the saga's charge was
//! refunded, "nothing charged" only when nothing was, checked against Payment's ledger.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::event::EventKind;
use sagascope::engine::message::Body;
use sagascope::engine::tables::{money, LedgerKind, MoneyFact, Recipient};
use sagascope::engine::{presets, Coordination, FaultSpec, Outcome, SagaId, Storage, Task};

fn run(preset: &str, style: Coordination) -> Harness {
    let scenario = presets::scenario(preset, style, Storage::PerService, 0).expect("preset");
    let mut h = Harness::new(scenario);
    h.drive();
    h
}

/// The failure notices a saga's two parties got: (customer's text, restaurant's text).
fn failure_notice(h: &Harness, saga: SagaId) -> (String, String) {
    let failures: Vec<_> = h
        .sim
        .tables()
        .notifications
        .iter()
        .filter(|r| r.saga == saga && r.text.starts_with("reservation failed"))
        .collect();
    assert_eq!(failures.len(), 2, "one notice to each party: {failures:?}");
    let to = |who: Recipient| {
        failures
            .iter()
            .find(|r| r.recipient == who)
            .map(|r| r.text.clone())
            .expect("a notice to each party")
    };
    (to(Recipient::Customer), to(Recipient::Restaurant))
}

/// (charged, refunded) in cents for one saga, read off the ledger.
fn ledger(h: &Harness, saga: SagaId) -> (u64, u64) {
    h.sim
        .tables()
        .ledger
        .iter()
        .filter(|r| r.saga == saga)
        .fold((0, 0), |(c, r), row| match row.kind {
            LedgerKind::Charged => (c + row.amount_cents, r),
            LedgerKind::Refunded => (c, r + row.amount_cents),
        })
}

/// Checks the saga's notice against the ledger and returns its text.
fn notice_matches_ledger(h: &Harness, saga: SagaId, case: &str) -> String {
    let (customer, restaurant) = failure_notice(h, saga);
    assert_eq!(
        customer, restaurant,
        "{case}: both parties are told the same"
    );
    let expected = match ledger(h, saga) {
        (0, 0) => "reservation failed, nothing charged".to_string(),
        (charged, refunded) if charged == refunded => {
            format!("reservation failed, {} refunded", money(refunded))
        }
        other => panic!("{case}: a failed saga's money does not add up: {other:?}"),
    };
    assert_eq!(customer, expected, "{case}: the notice against the ledger");
    customer
}

fn refunded_case(preset: &str, saga: SagaId) {
    for style in STYLES {
        let case = format!("{preset} {style:?}");
        let h = run(preset, style);
        h.assert_invariants_hold();
        assert_eq!(h.outcome(saga), Outcome::Compensated, "{case}");
        let amount = h.sim.sagas()[saga].spec.amount_cents;
        assert_eq!(
            ledger(&h, saga),
            (amount, amount),
            "{case}: charged, then refunded"
        );
        let text = notice_matches_ledger(&h, saga, &case);
        assert!(!text.contains("nothing charged"), "{case}: {text}");
        assert!(text.contains(&money(amount)), "{case}: {text}");
    }
}

#[test]
fn a_declined_card_is_told_nothing_charged() {
    for style in STYLES {
        let case = format!("card-declined {style:?}");
        let h = run("card-declined", style);
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{case}");
        assert_eq!(ledger(&h, 0), (0, 0), "{case}");
        let text = notice_matches_ledger(&h, 0, &case);
        assert!(text.contains("nothing charged"), "{case}: {text}");
    }
}

#[test]
fn a_slot_taken_is_told_refunded() {
    refunded_case("slot-taken", 0);
}

#[test]
fn a_restaurant_rejection_is_told_refunded() {
    refunded_case("restaurant-rejects", 0);
}

#[test]
fn a_cancel_before_the_pivot_after_the_charge_is_told_refunded() {
    refunded_case("cancel-before-pivot", 0);
}

#[test]
fn the_second_of_two_customers_is_told_refunded() {
    refunded_case("two-customers", 1);
    for style in STYLES {
        let h = run("two-customers", style);
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        assert!(
            h.sim
                .tables()
                .notifications
                .iter()
                .filter(|r| r.saga == 0)
                .all(|r| r.text == "reservation confirmed"),
            "{style:?}: the first customer is told only of success"
        );
    }
}

/// The notifier learns the fact from the request, not from Payment's ledger: in orchestration the
/// failure notice command carries it.
#[test]
fn the_orchestrator_sends_the_fact_with_the_notice_command() {
    for (preset, expected) in [
        ("card-declined", MoneyFact::NothingCharged),
        (
            "slot-taken",
            MoneyFact::Refunded {
                amount_cents: 4_000,
            },
        ),
    ] {
        let h = run(preset, Coordination::Orchestration);
        let carried: Vec<Option<MoneyFact>> = h
            .sim
            .trace()
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::MessageSent {
                    body:
                        Body::Command {
                            task: Task::FailureNotice,
                            money,
                            ..
                        },
                    ..
                } => Some(money),
                _ => None,
            })
            .collect();
        assert_eq!(carried, vec![Some(expected)], "{preset}");
        let stored: Vec<Option<MoneyFact>> = h
            .sim
            .tables()
            .notifications
            .iter()
            .map(|r| r.money)
            .collect();
        assert_eq!(stored, vec![Some(expected); 2], "{preset}");
    }
}

/// A charge whose outcome the orchestrator never learned is compensated; the notice then says
/// neither "nothing charged" nor a refund it cannot vouch for.
#[test]
fn an_unknown_charge_is_told_only_what_is_known() {
    let no_reply = |times| FaultSpec::NoReply {
        step: 2,
        times,
        saga: None,
    };
    // Never answered, never charged; or charged on the third attempt with the answer lost.
    let ambiguous = FaultSpec::Ambiguous {
        step: 2,
        times: 1,
        saga: None,
    };
    for (faults, charged) in [
        (vec![no_reply(3)], false),
        (vec![no_reply(2), ambiguous], true),
    ] {
        let mut scenario = presets::scenario(
            "happy-path",
            Coordination::Orchestration,
            Storage::PerService,
            0,
        )
        .expect("preset");
        scenario.faults.extend(faults.iter().cloned());
        let mut h = Harness::new(scenario);
        h.drive();
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{faults:?}");
        let expected_ledger = if charged { (4_000, 4_000) } else { (0, 0) };
        assert_eq!(ledger(&h, 0), expected_ledger, "{faults:?}");
        let (text, _) = failure_notice(&h, 0);
        assert_eq!(
            text, "reservation failed, any charge of €40.00 refunded",
            "{faults:?}"
        );
    }
}
