//! Every invariant can fail: each test runs a scenario the monitor passes, then the same scenario
//! with one safeguard switched off or one deliberate engine defect, and asserts that exactly the
//! invariant it targets breaks. A check that cannot fail this way would be a tautology.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::defect::Defect;
use sagascope::engine::event::EventKind;
use sagascope::engine::invariants::{check_determinism, Invariant};
use sagascope::engine::presets;
use sagascope::engine::scenario::ScheduledCommand;
use sagascope::engine::tables::LedgerKind;
use sagascope::engine::{
    Command, Coordination, FaultSpec, Operation, SagaSpec, Scenario, ServiceId, Storage, Task,
};

fn preset(id: &str, style: Coordination) -> Scenario {
    presets::scenario(id, style, Storage::PerService, 0).expect("preset exists")
}

/// Runs `scenario` as it is, expecting no violation, then with `defect`, expecting exactly
/// `invariant` to break; returns the broken run for further looks.
fn breaks_only(scenario: Scenario, defect: Defect, invariant: Invariant) -> Harness {
    let mut clean = Harness::new(scenario.clone());
    clean.drive();
    assert!(
        clean.broken().is_empty(),
        "without {defect:?} the run holds: {:#?}",
        &clean.violations[..clean.violations.len().min(3)]
    );
    let mut h = Harness::new(scenario);
    h.sim.inject_defect(defect);
    h.drive();
    assert_eq!(
        h.broken(),
        vec![invariant.number()],
        "{defect:?} breaks {invariant} alone: {:#?}",
        h.monitor.violations().collect::<Vec<_>>()
    );
    h
}

fn first(h: &Harness, invariant: Invariant) -> sagascope::engine::Violation {
    h.violations
        .iter()
        .find(|v| v.invariant == invariant)
        .cloned()
        .expect("a violation")
}

#[test]
fn invariant_1_a_saga_left_running_unflagged_at_rest() {
    for style in STYLES {
        let h = breaks_only(
            preset("happy-path", style),
            Defect::WithholdOutcome,
            Invariant::EndsProperly,
        );
        let v = first(&h, Invariant::EndsProperly);
        assert_eq!(v.sagas, vec![0], "{style:?}");
        assert!(v.detail.contains("still running"), "{}", v.detail);
    }
}

#[test]
fn invariant_1_exempts_only_the_saga_a_permanent_fault_holds() {
    // A poison message stays in force for the first saga; the second is left running by the
    // defect with nothing to excuse it: only the second is named.
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.sagas.push(SagaSpec {
        start_ms: 6_000,
        ..SagaSpec::new("Grace", "Fri 20:00 · table 2")
    });
    scenario.faults.push(FaultSpec::Poison {
        service: ServiceId::Payment,
    });
    let mut h = Harness::new(scenario);
    h.sim.inject_defect(Defect::WithholdOutcome);
    h.drive();
    let named: std::collections::BTreeSet<usize> = h
        .violations
        .iter()
        .filter(|v| v.invariant == Invariant::EndsProperly)
        .flat_map(|v| v.sagas.clone())
        .collect();
    assert_eq!(named, [1].into(), "{:#?}", h.violations);
    let report = h.monitor.report();
    assert!(
        report[0]
            .exemptions
            .iter()
            .any(|e| e.starts_with("saga A: a poison message")),
        "{:?}",
        report[0].exemptions
    );
}

#[test]
fn invariant_2_a_compensation_for_a_step_that_never_happened() {
    // The reservation service never answers and does nothing: the step's outcome is unknown and
    // its compensation runs; it must then change nothing.
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.faults.push(FaultSpec::NoReply {
        step: 1,
        times: 3,
        saga: None,
    });
    let h = breaks_only(
        scenario,
        Defect::CancelWhatNeverExisted,
        Invariant::UndoOnlyWhatWasDone,
    );
    let v = first(&h, Invariant::UndoOnlyWhatWasDone);
    assert_eq!(v.saga, Some(0));
    assert!(v.detail.contains("never"), "{}", v.detail);
    // Seen twice over: in the trace (the compensation changed something) and in the tables (a
    // cancelled row appeared that no creation preceded).
    assert!(
        h.violations
            .iter()
            .any(|v| v.detail.contains("is cancelled but was never created")),
        "{:#?}",
        h.violations
    );
}

/// Without idempotency a duplicated refund is refunded twice: the same compensation took effect
/// a second time, which invariant 2 names as such (not only as an undo out of order).
#[test]
fn invariant_2_without_idempotency_a_duplicated_refund_refunds_twice() {
    for style in STYLES {
        let mut scenario = preset("restaurant-rejects", style);
        scenario.safeguards.idempotency = false;
        let mut h = Harness::new(scenario);
        // Payment has charged and answered; its next message is the refund: deliver it twice.
        h.step_until(|h| {
            h.count(
                |k| matches!(k, EventKind::TaskStarted { task, .. } if *task == Task::Action(3)),
            ) > 0
        });
        h.sim
            .handle_command(Command::InjectFault {
                fault: FaultSpec::Duplicate {
                    service: Some(ServiceId::Payment),
                    times: 1,
                },
            })
            .expect("a duplicate");
        h.drive();
        let refunds = h
            .sim
            .tables()
            .ledger
            .iter()
            .filter(|r| r.kind == LedgerKind::Refunded)
            .count();
        assert_eq!(refunds, 2, "{style:?}: refunded twice");
        assert!(
            h.broken()
                .contains(&Invariant::UndoOnlyWhatWasDone.number()),
            "{style:?}: {:?}",
            h.broken()
        );
        let v = first(&h, Invariant::UndoOnlyWhatWasDone);
        assert_eq!(
            v.step,
            Some(2),
            "{style:?}: the refund, step 2's undo: {v:?}"
        );
        assert!(v.detail.contains("twice"), "{style:?}: {}", v.detail);
        // The ledger says so too: one charge, two refunds (invariant 6, from the tables).
        assert!(
            h.violations
                .iter()
                .any(|v| v.detail.contains("was refunded 2 times for 1 charge")),
            "{style:?}: {:#?}",
            h.violations
        );
    }
}

#[test]
fn invariant_3_an_action_applied_twice() {
    for style in STYLES {
        breaks_only(
            preset("happy-path", style),
            Defect::NotifyTwice,
            Invariant::ActionAtMostOnce,
        );
    }
}

#[test]
fn invariants_3_6_and_9_without_idempotency_a_duplicate_charges_twice() {
    for style in STYLES {
        let mut h = Harness::preset("no-idempotency", style);
        h.drive();
        assert_eq!(h.broken(), vec![3, 6, 9], "{style:?}");
        let v = first(&h, Invariant::ActionAtMostOnce);
        assert_eq!(v.step, Some(2), "{style:?}: the charge, step 2: {v:?}");
    }
}

#[test]
fn invariant_4_one_attempt_more_than_the_policy_allows() {
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 3,
        saga: None,
    });
    let h = breaks_only(
        scenario,
        Defect::ExtraAttempt,
        Invariant::AttemptsWithinLimit,
    );
    let v = first(&h, Invariant::AttemptsWithinLimit);
    assert_eq!(v.step, Some(2));
    assert!(v.detail.contains("4 times"), "{}", v.detail);
    assert!(v.detail.contains("step 2 (Charge card)"), "{}", v.detail);
}

/// In choreography the limit is the queue's: a message received for processing more often than
/// its maximum receive count.
#[test]
fn invariant_4_one_receive_more_than_the_queue_allows() {
    let mut scenario = preset("happy-path", Coordination::Choreography);
    scenario.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 10,
        saga: None,
    });
    let max = scenario.queues.max_receive_count;
    let h = breaks_only(
        scenario,
        Defect::ExtraAttempt,
        Invariant::AttemptsWithinLimit,
    );
    let v = first(&h, Invariant::AttemptsWithinLimit);
    assert!(
        v.detail.contains(&format!("{} times (max {max})", max + 1)),
        "{}",
        v.detail
    );
}

#[test]
fn invariant_5_a_message_lost_with_no_fault_to_blame() {
    let h = breaks_only(
        preset("happy-path", Coordination::Orchestration),
        Defect::LoseMessage,
        Invariant::NoMessageLost,
    );
    let v = first(&h, Invariant::NoMessageLost);
    assert!(v.detail.contains("no fault"), "{}", v.detail);
}

/// A service that was down and is back up no longer excuses a loss: "the receiver is down" must
/// be true when the message arrives.
#[test]
fn invariant_5_a_message_lost_to_an_outage_that_is_over() {
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    // Payment is down for the first moments only, long before the charge is sent.
    scenario.faults.push(FaultSpec::ServiceDown {
        service: ServiceId::Payment,
        for_ms: 50,
    });
    let h = breaks_only(scenario, Defect::LoseOnArrival, Invariant::NoMessageLost);
    let v = first(&h, Invariant::NoMessageLost);
    assert!(v.detail.contains("ReceiverDown"), "{}", v.detail);
}

/// Only a drop or chaos explains a dropped message: another fault in force (here Notification's
/// added latency) does not.
#[test]
fn invariant_5_an_unrelated_fault_does_not_excuse_a_loss() {
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.faults.push(FaultSpec::Latency {
        service: ServiceId::Notification,
        extra_ms: 10,
    });
    breaks_only(scenario, Defect::LoseMessage, Invariant::NoMessageLost);
}

/// A message that leaves and is never delivered, and that no event says was lost: the trace and
/// the world no longer account for the same messages.
#[test]
fn invariant_5_a_message_that_vanishes_without_a_trace() {
    let h = breaks_only(
        preset("happy-path", Coordination::Orchestration),
        Defect::VanishMessage,
        Invariant::NoMessageLost,
    );
    let v = first(&h, Invariant::NoMessageLost);
    assert!(v.detail.contains("vanished"), "{}", v.detail);
    // The tally accounts for every message the trace shows sent: one of them in flight.
    assert!(
        v.detail.contains(" handled + 1 in flight, but"),
        "{}",
        v.detail
    );
}

/// In choreography: a duplicated event that a queue took in (the trace says so) and never holds.
#[test]
fn invariant_5_a_queued_message_that_vanishes_without_a_trace() {
    let mut scenario = preset("happy-path", Coordination::Choreography);
    scenario.faults.push(FaultSpec::Duplicate {
        service: Some(ServiceId::Payment),
        times: 1,
    });
    let h = breaks_only(scenario, Defect::VanishMessage, Invariant::NoMessageLost);
    let v = first(&h, Invariant::NoMessageLost);
    assert!(
        v.detail.contains("messages queued, the queues hold"),
        "{}",
        v.detail
    );
}

/// A drop fault excuses as many losses as it fired, no more: after it dropped one message, a
/// second loss with no fault to blame still breaks invariant 5.
#[test]
fn invariant_5_a_drop_fault_excuses_one_loss_per_firing() {
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.faults.push(FaultSpec::Drop {
        service: Some(ServiceId::Reservation),
        times: 1,
    });
    breaks_only(scenario, Defect::LoseMessage, Invariant::NoMessageLost);
}

/// Chaos excuses a drop only while it is in force: once it has expired, a loss with no fault to
/// blame breaks invariant 5.
#[test]
fn invariant_5_chaos_that_has_expired_excuses_nothing() {
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.faults.push(FaultSpec::Chaos {
        percent: 1,
        for_ms: 50,
    });
    breaks_only(scenario, Defect::LoseMessage, Invariant::NoMessageLost);
}

#[test]
fn invariant_5_a_dropped_message_is_blamed_on_its_fault() {
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.faults.push(FaultSpec::Drop {
        service: Some(ServiceId::Payment),
        times: 1,
    });
    let mut h = Harness::new(scenario);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(
        h.count(|k| matches!(k, sagascope::engine::EventKind::MessageLost { .. })),
        1
    );
}

#[test]
fn invariant_6_without_the_semantic_lock_two_sagas_hold_one_slot() {
    for style in STYLES {
        let mut h = Harness::preset("no-semantic-lock", style);
        h.drive();
        assert_eq!(h.broken(), vec![6], "{style:?}");
        assert_eq!(first(&h, Invariant::MoneyAddsUp).sagas, vec![0, 1]);
    }
}

#[test]
fn invariant_7_state_outside_the_scenario_makes_the_replay_differ() {
    let mut clean = Harness::preset("happy-path", Coordination::Orchestration);
    clean.drive();
    assert_eq!(check_determinism(&clean.sim), Ok(()));
    let mut h = Harness::preset("happy-path", Coordination::Orchestration);
    h.sim.inject_defect(Defect::HiddenState);
    h.drive();
    h.assert_invariants_hold();
    let v = check_determinism(&h.sim).expect_err("the replay differs");
    assert_eq!(v.invariant, Invariant::Deterministic);
}

#[test]
fn invariant_8_compensating_after_the_pivot_succeeded() {
    // A saga with nothing to refund, so that the failure notice's words stay true.
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    let payment = scenario
        .definition
        .steps
        .iter()
        .position(|s| s.action == Operation::ChargeCard)
        .expect("a payment step");
    scenario.definition.steps.remove(payment);
    let h = breaks_only(
        scenario,
        Defect::CompensateAfterPivot,
        Invariant::PointOfNoReturn,
    );
    let v = first(&h, Invariant::PointOfNoReturn);
    assert_eq!(v.step, Some(3), "the pivot, step 3 of this saga: {v:?}");
}

/// The money checks count cents, not charges: a charge of the wrong amount breaks the ledger's
/// total (6) and the completed saga's net charge (9).
#[test]
fn invariants_6_and_9_a_charge_of_the_wrong_amount() {
    for style in STYLES {
        let mut h = Harness::preset("happy-path", style);
        h.sim.inject_defect(Defect::WrongAmount);
        h.drive();
        assert_eq!(h.outcome(0), sagascope::engine::Outcome::Completed);
        assert_eq!(h.broken(), vec![6, 9], "{style:?}: {:#?}", h.violations);
        let v = first(&h, Invariant::MoneyAddsUp);
        assert!(v.detail.contains("€40.01"), "{style:?}: {}", v.detail);
    }
}

#[test]
fn invariant_9_a_failure_notice_that_claims_a_refund_never_made() {
    for style in STYLES {
        let h = breaks_only(
            preset("card-declined", style),
            Defect::UntruthfulNotice,
            Invariant::OutcomeMatchesData,
        );
        let v = first(&h, Invariant::OutcomeMatchesData);
        assert!(
            v.detail.contains("nothing was ever charged"),
            "{}",
            v.detail
        );
    }
}

#[test]
fn invariant_10_a_cancel_that_is_ignored() {
    // The customer cancels before anything is charged.
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.commands.push(ScheduledCommand {
        at_ms: 100,
        command: Command::Cancel { saga: 0 },
    });
    let h = breaks_only(scenario, Defect::IgnoreCancel, Invariant::CancelHonoured);
    let v = first(&h, Invariant::CancelHonoured);
    assert!(v.detail.contains("ended completed"), "{}", v.detail);
}

/// Invariant 11 from the trace is broken for real by the *last table* preset (tests/isolation.rs);
/// its tables' side sees what the trace cannot: a write reported but never stored.
#[test]
fn invariant_11_a_shared_write_that_is_never_stored() {
    for style in STYLES {
        let mut scenario = preset("last-table", style);
        scenario.safeguards.semantic_lock = true;
        let h = breaks_only(scenario, Defect::ForgetSharedWrite, Invariant::Isolation);
        let v = first(&h, Invariant::Isolation);
        assert!(
            v.detail
                .contains("tables left at Fri 19:30 says 1, but 1 table(s) − 1 booking(s) = 0"),
            "{}",
            v.detail
        );
    }
}

#[test]
fn the_report_names_every_invariant() {
    let mut h = Harness::preset("no-semantic-lock", Coordination::Orchestration);
    h.drive();
    let report = h.monitor.report();
    assert_eq!(report.len(), 11);
    for (status, inv) in report.iter().zip(Invariant::ALL) {
        assert_eq!(status.which(), Some(inv));
        assert_eq!(status.key, inv.as_str());
    }
    let broken = &report[5];
    assert!(!broken.holds);
    let v = broken.violation.as_ref().expect("the first violation");
    assert_eq!(v.sagas, vec![0, 1]);
    assert_eq!(broken.broken_at, Some((v.at_ms, v.seq)));
}

#[test]
fn invariant_8_lets_a_pivot_that_answered_every_attempt_with_an_error_be_compensated() {
    // Every attempt at the pivot came back as a transient error and no copy took effect, so a
    // rollback does not cross the point of no return. (The engine itself asks a person, since it
    // cannot know that no other copy took effect; the defect compensates, and the monitor, which
    // reads the tables, has nothing to say.)
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.faults.push(FaultSpec::TransientError {
        step: 4,
        times: 3,
        saga: None,
    });
    let mut h = Harness::new(scenario);
    h.sim.inject_defect(Defect::CompensateUnknownPivot);
    h.drive();
    assert_eq!(h.outcome(0), sagascope::engine::Outcome::Compensated);
    assert!(!h.broken().contains(&8), "{:#?}", h.violations);
}

/// The pivot never answers: the engine waits for a person; a defective engine that compensates
/// instead crosses the point of no return, and invariant 8 alone says so.
#[test]
fn invariant_8_a_pivot_whose_every_attempt_went_unanswered_is_not_compensated() {
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.faults.push(FaultSpec::NoReply {
        step: 4,
        times: 3,
        saga: None,
    });
    let mut clean = Harness::new(scenario.clone());
    clean.drive();
    clean.assert_awaiting_person(0, sagascope::engine::AttentionReason::PivotOutcomeUnknown);
    let h = breaks_only(
        scenario,
        Defect::CompensateUnknownPivot,
        Invariant::PointOfNoReturn,
    );
    assert_eq!(h.outcome(0), sagascope::engine::Outcome::Compensated);
}

/// Only the pivot's own transient error says that one of its attempts did nothing: a stale
/// transient error from another step, arriving while the pivot's first attempt is unanswered,
/// must not make the monitor forget that attempt.
#[test]
fn invariant_8_is_not_fooled_by_another_steps_transient_error() {
    let mut scenario = preset("happy-path", Coordination::Orchestration);
    scenario.retry.step.max_attempts = Some(2);
    // The charge's first attempt fails, and its error is held up until the pivot is out.
    scenario.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 1,
        saga: None,
    });
    // The pivot's first attempt does nothing and never answers; its second fails.
    scenario.faults.push(FaultSpec::NoReply {
        step: 4,
        times: 1,
        saga: None,
    });
    scenario.faults.push(FaultSpec::TransientError {
        step: 4,
        times: 1,
        saga: None,
    });
    let run = |defect: Option<Defect>| {
        let mut h = Harness::new(scenario.clone());
        if let Some(d) = defect {
            h.sim.inject_defect(d);
        }
        h.step_until(|h| {
            h.count(
                |k| matches!(k, EventKind::TaskStarted { task, .. } if *task == Task::Action(1)),
            ) > 0
        });
        h.sim
            .handle_command(Command::InjectFault {
                fault: FaultSpec::Delay {
                    service: Some(ServiceId::Payment),
                    extra_ms: 4_000,
                    times: 1,
                },
            })
            .expect("a delay");
        h.drive();
        h
    };
    let clean = run(None);
    clean.assert_awaiting_person(0, sagascope::engine::AttentionReason::PivotOutcomeUnknown);
    assert!(clean.broken().is_empty(), "{:#?}", clean.violations);
    let stale_error_after_the_pivot = clean.sim.trace().iter().any(|e| {
        matches!(e.kind, EventKind::ReplyStale { .. })
            && clean.sim.trace().iter().any(|p| {
                p.at_ms < e.at_ms
                    && matches!(p.kind, EventKind::TaskStarted { task, attempt: 1 } if task == Task::Action(3))
            })
    });
    assert!(
        stale_error_after_the_pivot,
        "the charge's stale error arrives after the pivot is out"
    );
    let broken = run(Some(Defect::CompensateUnknownPivot));
    assert_eq!(broken.outcome(0), sagascope::engine::Outcome::Compensated);
    assert_eq!(
        broken.broken(),
        vec![Invariant::PointOfNoReturn.number()],
        "{:#?}",
        broken.violations
    );
}

/// The check from scratch (what the exhaustive sweep and the runner use) finds what the live
/// monitor found, on runs where invariants break.
#[test]
fn the_check_from_scratch_finds_what_the_monitor_found() {
    for (id, style) in [
        ("no-idempotency", Coordination::Orchestration),
        ("no-idempotency", Coordination::Choreography),
        ("no-semantic-lock", Coordination::Orchestration),
    ] {
        let mut h = Harness::new(preset(id, style));
        h.drive();
        let live = h.broken();
        assert!(!live.is_empty(), "{id} {style:?} breaks an invariant");
        let mut scratch: Vec<u8> = sagascope::engine::invariants::check(&h.sim, true)
            .iter()
            .map(|v| v.invariant.number())
            .collect();
        scratch.sort_unstable();
        scratch.dedup();
        assert_eq!(scratch, live, "{id} {style:?}");
    }
}

/// What the page's monitor panel and the runner's summary read from the monitor (whether all
/// hold, the first violation of each, every invariant's status, how many checks ran) says the
/// same as the violations its checks returned, on a clean run and on a broken one.
#[test]
fn the_monitor_reports_what_its_checks_found() {
    let mut clean = Harness::new(preset("happy-path", Coordination::Orchestration));
    clean.drive();
    assert!(clean.monitor.all_hold());
    assert_eq!(clean.monitor.violations().count(), 0);
    assert!(clean.monitor.checks() > 10, "checked after every event");
    let report = clean.monitor.report();
    assert_eq!(report.len(), Invariant::ALL.len());
    assert!(report.iter().all(|s| s.holds && s.broken_at.is_none()));
    let determinism = Invariant::Deterministic.number();
    assert!(
        !report
            .iter()
            .any(|s| s.invariant == determinism && s.checked),
        "determinism is unchecked until a replay is recorded"
    );
    clean
        .monitor
        .record_determinism(&clean.sim, check_determinism(&clean.sim));
    let report = clean.monitor.report();
    assert!(report.iter().all(|s| s.checked && s.holds));

    let mut broken = Harness::new(preset("no-idempotency", Coordination::Orchestration));
    broken.drive();
    let found = broken.broken();
    assert!(!found.is_empty());
    assert!(!broken.monitor.all_hold());
    let mut first: Vec<u8> = broken
        .monitor
        .violations()
        .map(|v| v.invariant.number())
        .collect();
    first.sort_unstable();
    assert_eq!(first, found, "one first violation per broken invariant");
    for status in broken.monitor.report() {
        let is_broken = found.contains(&status.invariant);
        assert_eq!(status.holds, !is_broken, "invariant {}", status.invariant);
        assert_eq!(status.broken_at.is_some(), is_broken);
        assert_eq!(status.detail.is_some(), is_broken);
    }
}

/// The monitor knows the pivot took effect from the table change itself, not from the answers:
/// here every answer the orchestrator hears is an error (another copy of the command confirmed
/// the reservation, its reply lost), and compensating must still break the point of no return.
#[test]
fn invariant_8_a_pivot_that_took_effect_behind_another_copys_error() {
    let clean = common::pivot_confirmed_behind_errors(None);
    assert!(clean.broken().is_empty(), "{:#?}", clean.violations);
    let h = common::pivot_confirmed_behind_errors(Some(Defect::CompensateUnknownPivot));
    assert_eq!(h.outcome(0), sagascope::engine::Outcome::Compensated);
    assert_eq!(h.broken(), vec![Invariant::PointOfNoReturn.number()]);
    let v = first(&h, Invariant::PointOfNoReturn);
    assert!(
        v.detail.contains("after its pivot may have taken effect"),
        "{}",
        v.detail
    );
}

/// In orchestration only a rejection the orchestrator heard turns the pivot back: a rejection
/// whose reply was lost leaves the pivot's outcome unknown to it, so compensating then breaks the
/// point of no return, even though the restaurant did refuse.
#[test]
fn invariant_8_a_rejection_nobody_heard_does_not_excuse_a_compensation() {
    let run = |defect: Option<Defect>| {
        let mut scenario = preset("happy-path", Coordination::Orchestration);
        scenario.retry.step.max_attempts = Some(2);
        // The restaurant refuses the pivot; the reply saying so is lost.
        scenario.faults.push(FaultSpec::BusinessFailure {
            step: 4,
            saga: None,
        });
        scenario.faults.push(FaultSpec::Ambiguous {
            step: 4,
            times: 1,
            saga: None,
        });
        let mut h = Harness::new(scenario);
        if let Some(d) = defect {
            h.sim.inject_defect(d);
        }
        h.step_until(|h| {
            h.count(
                |k| matches!(k, EventKind::TaskApplied { task, .. } if *task == Task::Action(3)),
            ) > 0
        });
        // The second attempt's command is lost on the way.
        h.sim
            .handle_command(Command::InjectFault {
                fault: FaultSpec::Drop {
                    service: Some(ServiceId::Reservation),
                    times: 1,
                },
            })
            .expect("a fault");
        h.drive();
        h
    };
    let clean = run(None);
    clean.assert_awaiting_person(0, sagascope::engine::AttentionReason::PivotOutcomeUnknown);
    assert!(clean.broken().is_empty(), "{:#?}", clean.violations);
    let rejected = clean.count(|k| {
        matches!(
            k,
            EventKind::TaskApplied {
                task: Task::Action(3),
                result: sagascope::engine::TaskResult::BusinessFailure,
                ..
            }
        )
    });
    assert_eq!(rejected, 1, "the restaurant did refuse");
    let h = run(Some(Defect::CompensateUnknownPivot));
    assert_eq!(h.outcome(0), sagascope::engine::Outcome::Compensated);
    assert_eq!(h.broken(), vec![Invariant::PointOfNoReturn.number()]);
}

/// A saga waiting for a person must be on the list with its task and reason: one that waits on
/// nobody's list breaks invariant 1, in both styles.
#[test]
fn invariant_1_a_saga_waiting_for_a_person_on_nobodys_list() {
    for style in STYLES {
        // The reservation's undo fails for good: the rollback cannot finish by itself.
        let mut scenario = preset("card-declined", style);
        scenario.faults.push(FaultSpec::CompensationFails {
            step: 1,
            times: None,
            saga: None,
        });
        let h = breaks_only(scenario, Defect::ListNobody, Invariant::EndsProperly);
        let v = first(&h, Invariant::EndsProperly);
        assert!(
            v.detail
                .contains("but not listed for a person with the reason"),
            "{style:?}: {}",
            v.detail
        );
    }
}
