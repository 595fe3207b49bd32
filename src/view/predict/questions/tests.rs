//! Each topic's question, asked of the preset runs that raise it.

use crate::engine::event::EventKind;
use crate::engine::message::SagaId;
use crate::engine::scenario::Coordination;
use crate::engine::sim::Simulation;
use crate::view::format::seconds;
use crate::view::predict::testing::*;
use crate::view::predict::*;

#[test]
fn a_declined_card_asks_what_the_saga_does_and_the_answer_is_compensate() {
    for c in STYLES {
        let sim = run("card-declined", c);
        let qs = walk(&sim);
        let (event, q) = first(&qs, TOPIC_COMPENSATE).expect("a compensate question");
        assert!(matches!(event.kind, EventKind::CompensationBegun { .. }));
        assert!(right(q).contains("compensate"), "{c:?}: {}", right(q));
        assert!(
            q.prompt
                .contains("Payment refused Charge card (card declined)"),
            "{}",
            q.prompt
        );
        assert!(q.prompt.starts_with("Saga A"), "{}", q.prompt);
        assert_eq!(q.idea, Some(Idea::Compensation));
        assert!(q.choices.iter().any(|c| c.starts_with("Retry Charge card")));
    }
}

/// The step the saga should undo first, found from the trace: the newest completed
/// compensatable step before the first compensation starts.
fn newest_completed(sim: &Simulation, saga: SagaId) -> usize {
    let def = &sim.scenario().definition;
    let mut newest = None;
    for e in sim.trace().iter().filter(|e| e.saga == Some(saga)) {
        match e.kind {
            EventKind::StepSucceeded {
                task: Task::Action(s),
            } if def.steps[s].compensation.is_some() => newest = Some(s),
            EventKind::TaskStarted {
                task: Task::Compensate(_),
                ..
            } => break,
            _ => {}
        }
    }
    newest.expect("a completed step")
}

#[test]
fn the_compensation_order_answer_is_the_newest_completed_step() {
    for preset in [
        "card-declined",
        "slot-taken",
        "restaurant-rejects",
        "compensation-fails",
    ] {
        for c in STYLES {
            let sim = run(preset, c);
            let qs = walk(&sim);
            let (event, q) = first(&qs, TOPIC_COMPENSATION_ORDER).expect("an order question");
            let saga = event.saga.expect("saga");
            let newest = newest_completed(&sim, saga);
            let expected = Task::Compensate(newest).label(&sim.scenario().definition);
            assert_eq!(right(q), expected, "{preset} {c:?}");
            // The forward-order mistake is offered, and the text says why.
            assert!(q.explanation.contains("reverse order"), "{}", q.explanation);
            assert!(q.choices.len() >= 3);
        }
    }
    // Restaurant rejects: three steps done, the newest is the booking.
    let sim = run("restaurant-rejects", Coordination::Orchestration);
    let qs = walk(&sim);
    let (_, q) = first(&qs, TOPIC_COMPENSATION_ORDER).expect("order");
    assert_eq!(right(q), "Release slot");
    assert!(q.choices.iter().any(|c| c == "Cancel reservation"));
    assert!(q
        .explanation
        .contains("Release slot, Refund payment and Cancel reservation"));
}

#[test]
fn a_declined_card_has_nothing_to_refund() {
    let sim = run("card-declined", Coordination::Orchestration);
    let qs = walk(&sim);
    let (_, q) = first(&qs, TOPIC_COMPENSATION_ORDER).expect("order");
    assert_eq!(right(q), "Cancel reservation");
    assert!(q.choices.iter().any(|c| c == "Refund payment"));
    assert!(
        q.explanation.contains("Charge card never took effect"),
        "{}",
        q.explanation
    );
}

#[test]
fn transient_payment_errors_ask_about_the_retry() {
    let sim = run("transient-payment", Coordination::Orchestration);
    let qs = walk(&sim);
    let (event, q) = first(&qs, TOPIC_RETRY).expect("a retry question");
    let EventKind::RetryScheduled { delay_ms, .. } = event.kind else {
        panic!("asked before {event:?}");
    };
    assert!(right(q).contains(&seconds(delay_ms)), "{}", right(q));
    assert!(right(q).contains("attempt 2"));
    assert!(
        q.prompt
            .contains("Charge card (attempt 1) at Payment failed with a transient error"),
        "{}",
        q.prompt
    );
    assert_eq!(q.idea, Some(Idea::Backoff));
    // Asked once, although the payment fails twice.
    assert_eq!(qs.iter().filter(|(_, q)| q.topic == TOPIC_RETRY).count(), 1);

    let sim = run("transient-payment", Coordination::Choreography);
    let qs = walk(&sim);
    let (event, q) = first(&qs, TOPIC_RETRY).expect("a redelivery question");
    assert!(matches!(
        event.kind,
        EventKind::Received {
            receive_count: 2,
            ..
        }
    ));
    assert!(right(q).contains("delivers it again"));
    assert!(
        q.prompt.contains("PaymentCharged") || q.prompt.contains("ReservationCreated"),
        "{}",
        q.prompt
    );
    assert_eq!(q.idea, Some(Idea::AtLeastOnce));
}

#[test]
fn a_timeout_after_the_pivot_is_forward_recovery() {
    let sim = run("notifier-down", Coordination::Orchestration);
    let qs = walk(&sim);
    let (_, q) = first(&qs, TOPIC_FORWARD_RECOVERY).expect("forward recovery");
    assert!(q.prompt.contains("no reply within 2 s"), "{}", q.prompt);
    assert!(q.choices.iter().any(|c| c.starts_with("Compensate")));
    assert!(q.explanation.contains("Confirm reservation was the pivot"));
    assert_eq!(q.idea, Some(Idea::ForwardRecovery));
    assert!(first(&qs, TOPIC_RETRY).is_none());
}

#[test]
fn a_poison_message_asks_about_dead_lettering() {
    let sim = run("poison-redrive", Coordination::Choreography);
    let qs = walk(&sim);
    let (event, q) = first(&qs, TOPIC_DEAD_LETTER).expect("dead-letter question");
    assert!(matches!(event.kind, EventKind::DeadLettered { .. }));
    assert!(right(q).contains("dead-letter queue"));
    assert!(q.prompt.contains("Payment's queue"), "{}", q.prompt);
    assert!(q
        .prompt
        .contains(&sim.scenario().queues.max_receive_count.to_string()));
    assert_eq!(q.idea, Some(Idea::DeadLetter));
}

#[test]
fn a_repeat_is_recognised() {
    for (c, key) in [
        (Coordination::Orchestration, "idempotency key"),
        (Coordination::Choreography, "processed messages"),
    ] {
        let sim = run("duplicate-event", c);
        let qs = walk(&sim);
        let (_, q) = first(&qs, TOPIC_DUPLICATE).expect("duplicate question");
        assert!(right(q).contains(key), "{c:?}: {}", right(q));
        assert!(q
            .choices
            .iter()
            .any(|c| c == "It does Charge card a second time"));
    }
}

#[test]
fn the_outcome_is_asked_with_the_real_answer() {
    for (preset, outcome) in [
        ("happy-path", "Completed"),
        ("card-declined", "Compensated"),
        ("compensation-fails", "Rollback incomplete"),
    ] {
        for c in STYLES {
            let sim = run(preset, c);
            let qs = walk(&sim);
            let (event, q) = first(&qs, TOPIC_OUTCOME).expect("outcome question");
            assert!(matches!(event.kind, EventKind::SagaEnded { .. }));
            assert!(
                right(q).starts_with(outcome),
                "{preset} {c:?}: {}",
                right(q)
            );
        }
    }
    let sim = run("happy-path", Coordination::Orchestration);
    let qs = walk(&sim);
    // Nothing goes wrong: the only question is how it ends.
    assert_eq!(qs.len(), 1, "{qs:?}");
    assert!(qs[0].1.prompt.contains("Notify confirmed") || qs[0].1.prompt.contains("Steps done"));
}

#[test]
fn a_crashed_orchestrator_asks_about_its_log() {
    let sim = run("orchestrator-crash", Coordination::Orchestration);
    let qs = walk(&sim);
    let (event, q) = first(&qs, TOPIC_RECOVERY).expect("recovery question");
    let EventKind::OrchestratorRecovered { replayed, .. } = event.kind else {
        panic!("asked before {event:?}");
    };
    assert!(right(q).contains(&format!("({replayed} records)")));
    assert_eq!(q.idea, Some(Idea::DurableLog));
}
