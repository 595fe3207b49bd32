//! A cancel is honoured whenever it arrives: before the start, during each step, while the pivot
//! is in flight, after the pivot and after completion. Before the pivot takes effect the saga
//! aborts and compensates; after it, the saga completes and a cancellation saga follows.

mod common;

use common::Harness;
use sagascope::engine::event::{CompensationReason, EventKind};
use sagascope::engine::presets;
use sagascope::engine::tables::ReservationStatus;
use sagascope::engine::{Command, Coordination, Outcome, Scenario, Storage, Task};

fn with_cancel(style: Coordination, start_ms: u64, cancel_ms: u64) -> Scenario {
    let mut s = presets::scenario("happy-path", style, Storage::PerService, 0).expect("preset");
    s.sagas[0].start_ms = start_ms;
    s.commands
        .push(sagascope::engine::scenario::ScheduledCommand {
            at_ms: cancel_ms,
            command: Command::Cancel { saga: 0 },
        });
    s
}

fn position(h: &Harness, pred: impl Fn(&EventKind) -> bool) -> Option<usize> {
    h.sim.trace().iter().position(|e| pred(&e.kind))
}

/// Which way the cancel went: did the pivot take effect first?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    BeforePivot,
    AfterPivot,
}

/// The business result of a cancel, the same in both styles: compensated, nothing held, both
/// parties told; after the pivot, only once the saga had completed.
fn assert_cancel_honoured(h: &Harness, label: &str) -> Window {
    h.assert_invariants_hold();
    assert_eq!(h.outcome(0), Outcome::Compensated, "{label}");
    let t = h.sim.tables();
    assert_eq!(t.net_cents(0), 0, "{label}: nothing charged in the end");
    assert!(t.slots.is_empty(), "{label}: the slot is free");
    assert!(
        t.reservations
            .get(&0)
            .is_none_or(|r| r.status == ReservationStatus::Cancelled),
        "{label}: the reservation is cancelled or was never made"
    );
    let effects = h.effects(0);
    let notices = effects
        .iter()
        .filter(|t| **t == Task::FailureNotice)
        .count();
    assert_eq!(notices, 1, "{label}: both parties told once");
    if h.actions(0).contains(&4) {
        assert_eq!(h.actions(0), vec![1, 2, 3, 4, 5], "{label}");
        assert_eq!(h.compensations(0), vec![3, 2, 1], "{label}");
        let completed = position(h, |k| {
            matches!(
                k,
                EventKind::SagaEnded {
                    outcome: Outcome::Completed
                }
            )
        });
        let cancellation = position(h, |k| {
            matches!(
                k,
                EventKind::CompensationBegun {
                    reason: CompensationReason::CancelledAfterCompletion
                }
            )
        });
        assert!(
            completed.is_some() && completed < cancellation,
            "{label}: the saga completes, then the cancellation saga follows"
        );
        let confirmed_notice = effects.iter().position(|t| *t == Task::Action(4));
        let failure_notice = effects.iter().position(|t| *t == Task::FailureNotice);
        assert!(
            confirmed_notice < failure_notice,
            "{label}: told of the confirmation before the cancellation"
        );
        Window::AfterPivot
    } else {
        assert!(!h.actions(0).contains(&5), "{label}");
        let mut undo: Vec<usize> = h.actions(0).into_iter().filter(|s| *s < 4).collect();
        undo.reverse();
        assert_eq!(
            h.compensations(0),
            undo,
            "{label}: what took effect is undone in reverse"
        );
        Window::BeforePivot
    }
}

#[test]
fn a_cancel_before_the_start_creates_nothing_and_tells_both_parties() {
    let mut h = Harness::new(with_cancel(Coordination::Choreography, 3_000, 0));
    h.drive();
    assert_eq!(
        assert_cancel_honoured(&h, "before the start"),
        Window::BeforePivot
    );
    assert!(h.actions(0).is_empty(), "no step took effect");
    assert!(h.sim.tables().reservations.is_empty());
    assert!(h.sim.tables().ledger.is_empty(), "nothing charged");
}

#[test]
fn a_cancel_arriving_with_the_start_is_honoured() {
    let mut h = Harness::new(with_cancel(Coordination::Choreography, 0, 0));
    h.drive();
    assert_eq!(
        assert_cancel_honoured(&h, "with the start"),
        Window::BeforePivot
    );
}

#[test]
fn a_cancel_during_each_step_before_the_pivot_aborts() {
    // The happy path's steps take effect at about 0.6, 1.8, 3.0 and 4.1 s; a cancel takes
    // about 0.6 s to be recorded by the pivot's owner.
    for cancel_ms in [300, 1_200, 2_400] {
        let mut h = Harness::new(with_cancel(Coordination::Choreography, 0, cancel_ms));
        h.drive();
        let label = format!("cancel at {cancel_ms} ms");
        assert_eq!(assert_cancel_honoured(&h, &label), Window::BeforePivot);
        assert!(!h.actions(0).contains(&4), "{label}: never confirmed");
    }
}

#[test]
fn a_cancel_after_the_pivot_waits_for_completion_then_runs_the_cancellation_saga() {
    // Recorded after the confirmation, before the notifier is done: the saga completes first.
    for cancel_ms in [3_600, 4_200, 4_800] {
        let mut h = Harness::new(with_cancel(Coordination::Choreography, 0, cancel_ms));
        h.drive();
        let label = format!("cancel at {cancel_ms} ms");
        assert_eq!(assert_cancel_honoured(&h, &label), Window::AfterPivot);
    }
}

#[test]
fn a_cancel_after_completion_runs_the_cancellation_saga() {
    let mut h = Harness::new(with_cancel(Coordination::Choreography, 0, 9_000));
    h.drive();
    assert_eq!(
        assert_cancel_honoured(&h, "after completion"),
        Window::AfterPivot
    );
}

#[test]
fn every_window_gives_the_same_business_result_in_both_styles() {
    for style in [Coordination::Choreography, Coordination::Orchestration] {
        let mut seen = Vec::new();
        // From a cancel that overtakes the start to one after completion, in both styles.
        for cancel_ms in (0..=8_000).step_by(100) {
            let mut h = Harness::new(with_cancel(style, 0, cancel_ms));
            h.drive();
            let label = format!("{style:?}, cancel at {cancel_ms} ms");
            seen.push(assert_cancel_honoured(&h, &label));
        }
        assert!(seen.contains(&Window::BeforePivot), "{style:?}");
        assert!(seen.contains(&Window::AfterPivot), "{style:?}");
        // Once the pivot has taken effect, every later cancel goes the same way.
        let first_after = seen.iter().position(|w| *w == Window::AfterPivot);
        assert!(
            seen[first_after.unwrap_or(0)..]
                .iter()
                .all(|w| *w == Window::AfterPivot),
            "{style:?}: {seen:?}"
        );
    }
}

#[test]
fn a_cancel_racing_the_pivot_in_the_owners_queue_is_decided_by_its_database() {
    // Both reach Reservation's queue at about the same moment: whichever commits first decides,
    // and either way the result is one of the two the rules allow.
    let mut windows = Vec::new();
    for cancel_ms in (3_300..=3_700).step_by(20) {
        let mut h = Harness::new(with_cancel(Coordination::Choreography, 0, cancel_ms));
        h.drive();
        windows.push(assert_cancel_honoured(
            &h,
            &format!("cancel at {cancel_ms} ms"),
        ));
    }
    assert!(windows.contains(&Window::BeforePivot), "{windows:?}");
    assert!(windows.contains(&Window::AfterPivot), "{windows:?}");
}
