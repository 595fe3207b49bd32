//! Topics fan out (SNS → SQS): an event published to the bus reaches every queue subscribed to
//! it, and the extra subscribers do real work: the notifier learns what happened, the pivot's
//! owner learns that the saga completed.

mod common;

use common::Harness;
use sagascope::engine::choreography::{topic_subscriptions, Reaction};
use sagascope::engine::message::{Body, EventName, Node};
use sagascope::engine::{Coordination, SagaDefinition, ServiceId, Task};

fn deliveries(h: &Harness, event: EventName) -> Vec<ServiceId> {
    h.sim
        .messages()
        .iter()
        .filter(|m| m.from == Node::Bus && m.body == Body::Event { name: event })
        .filter_map(|m| m.to.service())
        .collect()
}

#[test]
fn at_least_two_events_have_more_than_one_subscriber() {
    let def = SagaDefinition::restaurant();
    let topics = topic_subscriptions(&def);
    let shared: Vec<_> = topics
        .iter()
        .filter(|(_, queues)| queues.len() > 1)
        .collect();
    assert!(shared.len() >= 2, "{topics:?}");
    let declined = EventName::StepFailed(1);
    let refunded = EventName::Compensated(1);
    for (event, concerned) in [
        (declined, [ServiceId::Reservation, ServiceId::Notification]),
        (refunded, [ServiceId::Reservation, ServiceId::Notification]),
    ] {
        let queues = &topics.iter().find(|(e, _)| *e == event).expect("a topic").1;
        assert_eq!(queues, &concerned.to_vec(), "{}", event.label(&def));
    }
    // The first subscriber carries the saga on: the decline compensates the reservation.
    assert_eq!(
        Reaction::subscribers(declined, &def)[0].1,
        Reaction::Run(ServiceId::Reservation, Task::Compensate(0))
    );
}

#[test]
fn a_decline_reaches_the_reservation_and_the_notifier() {
    let mut h = Harness::preset("card-declined", Coordination::Choreography);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(
        deliveries(&h, EventName::StepFailed(1)),
        vec![ServiceId::Reservation, ServiceId::Notification]
    );
    let learned = &h.sim.tables().store(ServiceId::Notification).learned[&0];
    assert_eq!(
        learned.failed_step,
        Some(1),
        "the notifier heard of the decline"
    );
    assert!(
        !learned.refunded,
        "nothing was charged, so nothing refunded"
    );
    assert_eq!(learned.undone_steps, vec![0]);
}

#[test]
fn the_notifier_learns_that_a_charge_was_refunded() {
    let mut h = Harness::preset("slot-taken", Coordination::Choreography);
    h.drive();
    h.assert_invariants_hold();
    assert_eq!(
        deliveries(&h, EventName::Compensated(1)),
        vec![ServiceId::Reservation, ServiceId::Notification]
    );
    let learned = &h.sim.tables().store(ServiceId::Notification).learned[&0];
    assert_eq!(learned.failed_step, Some(2));
    assert!(learned.refunded, "the refund's event reached the notifier");
    assert_eq!(learned.undone_steps, vec![1, 0], "in the order heard");
}

#[test]
fn on_the_happy_path_the_notifier_learns_of_no_failure() {
    let mut h = Harness::preset("happy-path", Coordination::Choreography);
    h.drive();
    h.assert_invariants_hold();
    assert!(h
        .sim
        .tables()
        .store(ServiceId::Notification)
        .learned
        .is_empty());
    // The last event reaches the pivot's owner, which notes that the saga completed.
    assert_eq!(
        deliveries(&h, EventName::StepDone(4)),
        vec![ServiceId::Reservation]
    );
    assert!(h.sim.tables().store(ServiceId::Reservation).learned[&0].completed);
}

#[test]
fn orchestration_has_no_topics_to_fan_out() {
    let mut h = Harness::preset("card-declined", Coordination::Orchestration);
    h.drive();
    assert!(h.sim.messages().iter().all(|m| m.to != Node::Bus));
    assert!(h.sim.tables().stores.iter().all(|s| s.learned.is_empty()));
}

#[test]
fn the_notice_waits_for_a_late_event_rather_than_tell_less_than_the_truth() {
    use sagascope::engine::event::{EventKind, FailReason};
    use sagascope::engine::FaultSpec;
    let mut s = sagascope::engine::presets::scenario(
        "slot-taken",
        Coordination::Choreography,
        sagascope::engine::Storage::PerService,
        0,
    )
    .expect("preset");
    // The first message for the notifier is the news of the failure: it comes very late.
    s.faults.push(FaultSpec::Delay {
        service: Some(ServiceId::Notification),
        extra_ms: 6_000,
        times: 1,
    });
    let mut h = Harness::new(s);
    h.drive();
    h.assert_invariants_hold();
    assert!(
        h.count(|k| matches!(
            k,
            EventKind::TaskFailed {
                task: Task::FailureNotice,
                reason: FailReason::AwaitingEvents,
                ..
            }
        )) >= 1,
        "the notice waited"
    );
    assert_eq!(h.outcome(0), sagascope::engine::Outcome::Compensated);
    let learned = &h.sim.tables().store(ServiceId::Notification).learned[&0];
    assert_eq!(learned.failed_step, Some(2));
    assert!(learned.refunded);
}

#[test]
fn the_notifier_learns_of_a_cancellation_after_completion() {
    let mut h = Harness::preset("cancel-after-completion", Coordination::Choreography);
    h.drive();
    h.assert_invariants_hold();
    let learned = &h.sim.tables().store(ServiceId::Notification).learned[&0];
    assert!(learned.cancelled);
    assert!(learned.refunded);
    assert_eq!(learned.undone_steps, vec![2, 1, 0]);
    assert_eq!(learned.failed_step, None);
}

/// Every message a consumer handled and deleted is in its service's processed-messages table
/// (the page shows it), including those it only learned from: read from the trace, not from the
/// consumer's own bookkeeping.
#[test]
fn every_message_a_consumer_handled_is_recorded_as_processed() {
    use sagascope::engine::event::EventKind;
    for preset in ["happy-path", "card-declined", "cancel-after-pivot"] {
        let mut h = Harness::preset(preset, Coordination::Choreography);
        h.drive();
        let mut checked = 0;
        for e in h.sim.trace() {
            let EventKind::Deleted { queue, message } = e.kind else {
                continue;
            };
            let event_id = h.sim.messages()[message as usize].event_id;
            assert!(
                h.sim
                    .tables()
                    .store(queue)
                    .processed_events
                    .contains(&event_id),
                "{preset}: {queue:?} handled message {message} but does not record it"
            );
            checked += 1;
        }
        assert!(checked >= 5, "{preset}: only {checked} deletions");
    }
}
