//! Choreography: a message that keeps failing goes to the dead-letter queue; redrive brings it back.

mod common;

use common::Harness;
use sagascope::engine::event::EventKind;
use sagascope::engine::{Command, Coordination, Outcome, Task};

#[test]
fn a_poison_message_is_dead_lettered_after_max_receives() {
    let mut h = Harness::preset("poison-redrive", Coordination::Choreography);
    h.drive_until(15_000);
    h.assert_invariants_hold();
    assert_eq!(h.sim.dead_letters().len(), 1);
    let (queue, letter) = &h.sim.dead_letters()[0];
    assert_eq!(*queue, sagascope::engine::ServiceId::Payment);
    assert_eq!(
        letter.receive_count,
        h.sim.scenario().queues.max_receive_count + 1
    );
    assert_eq!(
        h.sim.sagas()[0].stuck,
        Some(Task::Action(1)),
        "listed for intervention"
    );
    // A dead letter waits for a person; it does not run for ever.
    h.assert_awaiting_person(0, sagascope::engine::AttentionReason::DeadLettered);
}

#[test]
fn redrive_after_the_fix_completes_the_saga() {
    let mut h = Harness::preset("poison-redrive", Coordination::Choreography);
    h.drive();
    h.assert_invariants_hold();
    assert!(h.sim.dead_letters().is_empty());
    assert_eq!(h.count(|k| matches!(k, EventKind::Redriven { .. })), 1);
    assert_eq!(h.outcome(0), Outcome::Completed);
    assert_eq!(h.sim.sagas()[0].stuck, None);
    assert_eq!(h.sim.tables().ledger.len(), 1);
}

#[test]
fn redrive_while_the_poison_remains_dead_letters_again() {
    let mut scenario = sagascope::engine::presets::scenario(
        "poison-redrive",
        Coordination::Choreography,
        sagascope::engine::Storage::PerService,
        0,
    )
    .expect("preset");
    scenario.commands.clear();
    let mut h = Harness::new(scenario);
    h.drive_until(15_000);
    h.sim.handle_command(Command::Redrive).expect("redrive");
    h.drive();
    assert_eq!(
        h.sim.dead_letters().len(),
        1,
        "still poison: back in the DLQ"
    );
    assert_eq!(h.count(|k| matches!(k, EventKind::DeadLettered { .. })), 2);
    h.assert_invariants_hold();
}

#[test]
fn sent_equals_handled_plus_in_flight_plus_dead_lettered_plus_dropped() {
    use sagascope::engine::message::MessageState;
    let mut h = Harness::preset("poison-redrive", Coordination::Choreography);
    h.drive_until(15_000);
    let m = h.sim.messages();
    let by = |s: MessageState| m.iter().filter(|x| x.state == s).count();
    assert_eq!(by(MessageState::DeadLettered), 1);
    assert_eq!(
        m.len(),
        by(MessageState::Handled)
            + by(MessageState::InFlight)
            + by(MessageState::Queued)
            + by(MessageState::DeadLettered)
            + by(MessageState::Lost)
    );
}

/// A compensation that took effect but whose message comes back (the service crashed between
/// its commit and deleting the message, and with idempotency off nothing remembers it was
/// handled) until it is dead-lettered is a leftover: the refund was made, so the rollback is
/// not incomplete and nobody is asked to see to it.
#[test]
fn a_dead_lettered_compensation_that_took_effect_is_a_leftover() {
    use sagascope::engine::scenario::ScheduledCommand;
    use sagascope::engine::{presets, FaultSpec, ServiceId, Storage};
    let base = || {
        let mut s = presets::scenario(
            "slot-taken",
            Coordination::Choreography,
            Storage::PerService,
            0,
        )
        .expect("preset");
        s.safeguards.idempotency = false;
        s.queues.max_receive_count = 1;
        s
    };
    // When the charge was made: the crash must meet the refund, Payment's next commit.
    let mut calm = Harness::new(base());
    calm.drive();
    let charged_at = calm
        .sim
        .trace()
        .iter()
        .find(|e| {
            matches!(
                e.kind,
                EventKind::TaskApplied {
                    task: Task::Action(1),
                    ..
                }
            )
        })
        .map(|e| e.at_ms)
        .expect("the card is charged");
    let mut s = base();
    s.commands.push(ScheduledCommand {
        at_ms: charged_at + 1,
        command: Command::InjectFault {
            fault: FaultSpec::CrashAfterCommit {
                service: ServiceId::Payment,
                times: 1,
            },
        },
    });
    let mut h = Harness::new(s);
    h.drive();
    let refund_dead_lettered = h.count(|k| {
        matches!(
            k,
            EventKind::DeadLettered {
                queue: ServiceId::Payment,
                ..
            }
        )
    });
    assert!(
        refund_dead_lettered >= 1,
        "the refund's message came back until dead-lettered"
    );
    assert_eq!(h.outcome(0), Outcome::Compensated);
    assert_eq!(h.sim.sagas()[0].stuck, None);
    assert_eq!(h.sim.tables().net_cents(0), 0, "charged and refunded");
}
