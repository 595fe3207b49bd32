//! The failure notice tells the truth: "refunded" (with the amount) when the saga's charge was
//! refunded, "nothing charged" only when nothing was, checked against Payment's ledger.

mod common;

use common::{orchestrated_happy_path, Harness, STYLES};
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

/// The happy path with `faults` added, in orchestration, run to the end.
fn orchestrated(faults: &[FaultSpec]) -> Harness {
    let mut scenario = orchestrated_happy_path(&[]);
    scenario.faults.extend(faults.iter().cloned());
    let mut h = Harness::new(scenario);
    h.drive();
    h
}

/// What the refunds' replies said they did, in order: `Some(true)` money went back.
fn refund_reports(h: &Harness) -> Vec<Option<bool>> {
    h.sim
        .messages()
        .iter()
        .filter_map(|m| match m.body {
            Body::Reply {
                task: Task::Compensate(1),
                changed,
                ..
            } => Some(changed),
            _ => None,
        })
        .collect()
}

/// A charge that never answered was never charged: its refund (sent because the charge's
/// outcome was unknown) finds nothing to refund and says so, and the notice says "nothing
/// charged", not a hedge.
#[test]
fn a_charge_that_never_answered_is_told_nothing_charged() {
    let h = orchestrated(&[FaultSpec::NoReply {
        step: 2,
        times: 4,
        saga: None,
    }]);
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(ledger(&h, 0), (0, 0));
    assert_eq!(
        refund_reports(&h),
        vec![Some(false)],
        "the refund did nothing"
    );
    let text = notice_matches_ledger(&h, 0, "no reply ×4");
    assert_eq!(text, "reservation failed, nothing charged");
}

/// A charge that took effect on its first attempt with the reply lost, and no answer to any
/// attempt after it: the orchestrator never heard, the refund took the money back, and the
/// notice says so with the amount.
#[test]
fn a_charge_whose_every_answer_was_lost_is_told_refunded() {
    let mut scenario = orchestrated_happy_path(&[]);
    scenario.faults.push(FaultSpec::Ambiguous {
        step: 2,
        times: 1,
        saga: None,
    });
    let mut h = Harness::new(scenario);
    h.step_until(|h| {
        h.count(|k| {
            matches!(
                k,
                EventKind::TaskApplied {
                    task: Task::Action(1),
                    ..
                }
            )
        }) > 0
    });
    // Every later attempt goes unanswered too.
    h.sim
        .handle_command(sagascope::engine::Command::InjectFault {
            fault: FaultSpec::NoReply {
                step: 2,
                times: 10,
                saga: None,
            },
        })
        .expect("a no-reply fault");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(ledger(&h, 0), (4_000, 4_000));
    assert_eq!(
        refund_reports(&h),
        vec![Some(true)],
        "the refund took money back"
    );
    let text = notice_matches_ledger(&h, 0, "every answer lost");
    assert_eq!(text, "reservation failed, €40.00 refunded");
}

/// The refund's reply is lost once: the repeat is answered from the idempotency row, which
/// remembers that the first run refunded, and the notice still says "refunded".
#[test]
fn a_repeated_refund_still_says_it_refunded() {
    let mut scenario = orchestrated_happy_path(&[]);
    // Charged on the last attempt with the answer lost: compensated with a real refund.
    scenario.faults.push(FaultSpec::NoReply {
        step: 2,
        times: 2,
        saga: None,
    });
    scenario.faults.push(FaultSpec::Ambiguous {
        step: 2,
        times: 1,
        saga: None,
    });
    let mut h = Harness::new(scenario);
    // Lose the first refund's reply on its way back.
    h.step_until(|h| {
        h.sim.messages().iter().any(|m| {
            matches!(
                m.body,
                Body::Command {
                    task: Task::Compensate(1),
                    ..
                }
            )
        })
    });
    h.sim
        .handle_command(sagascope::engine::Command::InjectFault {
            fault: FaultSpec::Drop {
                service: Some(sagascope::engine::ServiceId::Payment),
                times: 1,
            },
        })
        .expect("a drop fault");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(ledger(&h, 0), (4_000, 4_000), "one refund");
    assert!(
        h.count(|k| matches!(
            k,
            EventKind::DuplicateIgnored {
                task: Task::Compensate(1),
                ..
            }
        )) >= 1,
        "the refund was asked again and answered from its idempotency row"
    );
    let store = h.sim.tables().store(sagascope::engine::ServiceId::Payment);
    assert_eq!(
        store
            .remembered_row(0, Task::Compensate(1))
            .and_then(|r| r.changed),
        Some(true)
    );
    let text = notice_matches_ledger(&h, 0, "refund reply lost");
    assert_eq!(text, "reservation failed, €40.00 refunded");
}

/// Never answered, or charged on the third attempt with the answer lost: the refund's reply
/// tells which, and the notice says it without a hedge.
#[test]
fn an_unknown_charge_is_told_what_the_refund_found() {
    let no_reply = |times| FaultSpec::NoReply {
        step: 2,
        times,
        saga: None,
    };
    let ambiguous = FaultSpec::Ambiguous {
        step: 2,
        times: 1,
        saga: None,
    };
    for (faults, charged) in [
        (vec![no_reply(3)], false),
        (vec![no_reply(2), ambiguous], true),
    ] {
        let h = orchestrated(&faults);
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Compensated, "{faults:?}");
        let expected_ledger = if charged { (4_000, 4_000) } else { (0, 0) };
        assert_eq!(ledger(&h, 0), expected_ledger, "{faults:?}");
        let text = notice_matches_ledger(&h, 0, &format!("{faults:?}"));
        assert!(!text.contains("any charge"), "{faults:?}: {text}");
    }
}

/// A duplicated charge command: one copy fails (its database hiccups), the other charges. The
/// orchestrator acts on the error, hears the other copy's "done" late, and a cancel then
/// compensates: the refund is real and the notice says so.
#[test]
fn a_duplicated_charge_with_one_copy_failing_is_refunded_and_told_so() {
    let mut scenario = orchestrated_happy_path(&[]);
    scenario.faults.push(FaultSpec::Duplicate {
        service: Some(sagascope::engine::ServiceId::Payment),
        times: 1,
    });
    scenario.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 1,
        saga: None,
    });
    let mut h = Harness::new(scenario);
    // Cancel as soon as the charge's late "done" has been set aside, before the retry.
    h.step_until(|h| h.count(|k| matches!(k, EventKind::ReplyIgnored { .. })) > 0);
    h.sim
        .handle_command(sagascope::engine::Command::Cancel { saga: 0 })
        .expect("a cancel");
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(ledger(&h, 0), (4_000, 4_000), "charged once, refunded once");
    assert_eq!(refund_reports(&h), vec![Some(true)]);
    let text = notice_matches_ledger(&h, 0, "duplicated charge");
    assert_eq!(text, "reservation failed, €40.00 refunded");
}
