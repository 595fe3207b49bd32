//! Step shows exactly one event. An occurrence (a message arriving, a timer) can emit several
//! events at one instant; the page shows the world as it stood right after each of them, as
//! the engine captured it when the event was emitted. These tests check that each captured
//! moment says what its event says, read from the moment's own tables, queues and records
//! (never from the engine's counters), for every preset in both styles; that the last moment
//! is the occurrence's end; and that the player's Step and Step back move one event, while the
//! instant step moves one moment of simulated time.

mod common;

use common::{preset_player, STYLES};
use sagascope::engine::event::{Event, EventKind};
use sagascope::engine::history::CheckedRun;
use sagascope::engine::message::MessageState;
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::{Outcome, Simulation, Storage};

/// What a moment shows that contradicts the event it was captured at, if anything.
fn disagreement(event: &Event, moment: &Simulation) -> Option<String> {
    let saga = event.saga.and_then(|s| moment.sagas().get(s));
    let message_state = |id| {
        moment
            .messages()
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.state)
    };
    let queued = |queue, id| moment.queue(queue).iter().any(|q| q.message == id);
    let wrong = match &event.kind {
        EventKind::MessageSent { message, .. } => message_state(*message).is_none(),
        EventKind::MessageArrived { message } => {
            matches!(message_state(*message), None | Some(MessageState::InFlight))
        }
        EventKind::MessageLost { message, .. } => {
            message_state(*message) != Some(MessageState::Lost)
        }
        EventKind::SagaStarted => !saga.is_some_and(|s| s.started),
        EventKind::SagaEnded { outcome } => saga.map(|s| s.outcome) != Some(*outcome),
        EventKind::ManualIntervention { task, .. } => saga.and_then(|s| s.stuck) != Some(*task),
        EventKind::CancelRequested => !saga.is_some_and(|s| s.cancel_requested),
        EventKind::ServiceDown { service } => moment.service_up(*service),
        EventKind::ServiceUp { service } => !moment.service_up(*service),
        EventKind::DatabaseDown {
            service: Some(service),
        } => moment.database_up(*service),
        EventKind::DatabaseUp {
            service: Some(service),
        } => !moment.database_up(*service),
        EventKind::OrchestratorCrashed => !moment.orchestrator().down,
        EventKind::OrchestratorRecovered { .. } => moment.orchestrator().down,
        EventKind::Enqueued { queue, message } | EventKind::Redriven { queue, message } => {
            !queued(*queue, *message)
        }
        EventKind::Deleted { queue, message } => queued(*queue, *message),
        EventKind::DeadLettered { queue, message } => !moment
            .dead_letters()
            .iter()
            .any(|(q, m)| q == queue && m.message == *message),
        EventKind::FaultInjected { fault, .. } => moment.faults().get(*fault).is_none(),
        EventKind::FaultCleared { fault, .. } => {
            moment.faults().get(*fault).is_none_or(|f| f.active)
        }
        EventKind::RecordWritten { record, after, .. } => {
            moment.tables().shared.get(record).map(|c| c.value) != Some(*after)
        }
        _ => false,
    };
    wrong.then(|| {
        format!(
            "event {} ({:?}) is not what its moment shows",
            event.seq, event.kind
        )
    })
}

/// Runs `run` to its end occurrence by occurrence, capturing each; returns every disagreement.
fn audit(mut run: CheckedRun) -> Vec<String> {
    let mut found = Vec::new();
    let mut guard = 0;
    loop {
        let before_report = run.monitor.report();
        let Some(moments) = run.step_by_event() else {
            break;
        };
        guard += 1;
        assert!(guard < 200_000, "the run ends");
        let trace = run.sim.trace();
        let before = trace.len() - moments.len();
        for (i, moment) in moments.iter().enumerate() {
            let events = moment.sim.trace();
            if events.len() != before + i + 1 || events != &trace[..before + i + 1] {
                found.push(format!(
                    "moment {i} after event {before} holds the wrong events"
                ));
                continue;
            }
            if let Some(d) = events.last().and_then(|e| disagreement(e, &moment.sim)) {
                found.push(d);
            }
            // Invariants are checked between occurrences: a moment inside one shows them as
            // they stood before it.
            if moment.monitor.report() != before_report {
                found.push(format!(
                    "after event {}: the monitor is not the one before",
                    before + i
                ));
            }
        }
        if let Some(last) = moments.last() {
            // What events tell of may not change after the occurrence's last event. (Two kinds
            // of bookkeeping follow the event they record, as in a real system, and show from
            // the next moment: the outbox relay marks a row published after publishing it, and
            // the orchestrator logs what it heard after hearing it.)
            let (a, b) = (last.sim.snapshot(), run.sim.snapshot());
            let changed: Vec<&str> = [
                ("sagas", a.sagas != b.sagas),
                ("messages", a.in_flight != b.in_flight),
                (
                    "reservations",
                    a.tables.reservations != b.tables.reservations,
                ),
                (
                    "cancellations",
                    a.tables.cancellations != b.tables.cancellations,
                ),
                ("ledger", a.tables.ledger != b.tables.ledger),
                ("slots", a.tables.slots != b.tables.slots),
                (
                    "notifications",
                    a.tables.notifications != b.tables.notifications,
                ),
                ("shared records", a.tables.shared != b.tables.shared),
                ("queues", a.queues != b.queues),
                ("dead letters", a.dead_letters != b.dead_letters),
                ("orchestrator", a.orchestrator.up != b.orchestrator.up),
                ("services", a.services != b.services),
                ("faults", a.faults != b.faults),
                (
                    "waiting for a person",
                    a.manual_intervention != b.manual_intervention,
                ),
                ("outcome", a.outcome != b.outcome),
            ]
            .into_iter()
            .filter_map(|(what, differs)| differs.then_some(what))
            .collect();
            if !changed.is_empty() {
                found.push(format!(
                    "the occurrence ending at event {} ({:?}) changed {changed:?} after its last event",
                    trace.len(),
                    trace.last().map(|e| &e.kind)
                ));
            }
        }
    }
    found
}

#[test]
fn every_moment_shows_what_its_event_says_in_every_preset() {
    let mut runs = 0;
    for preset in PRESETS.iter() {
        for style in STYLES {
            if preset.only.is_some_and(|only| only != style) {
                continue;
            }
            for storage in [Storage::PerService, Storage::Shared] {
                let scenario = presets::scenario(preset.id, style, storage, 1).expect("preset");
                let sim = Simulation::new(scenario).expect("valid");
                let found = audit(CheckedRun::start(sim));
                assert!(
                    found.is_empty(),
                    "{} / {style:?} / {storage:?}: {} problems, first: {:?}",
                    preset.id,
                    found.len(),
                    &found[..found.len().min(5)]
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 50, "{runs} runs audited");
}

#[test]
fn the_audit_catches_a_moment_that_contradicts_its_event() {
    // The world before an occurrence shown as if it were the world after its first event.
    let scenario =
        presets::scenario("card-declined", STYLES[0], Storage::PerService, 1).expect("preset");
    let mut run = CheckedRun::start(Simulation::new(scenario).expect("valid"));
    let mut caught = 0;
    loop {
        let before = run.sim.clone();
        let Some(moments) = run.step_by_event() else {
            break;
        };
        if let Some(first) = moments.first() {
            let event = first.sim.trace().last().expect("an event");
            if disagreement(event, &before).is_some() {
                caught += 1;
            }
            assert_eq!(disagreement(event, &first.sim), None);
        }
    }
    assert!(caught > 5, "the stale world was caught {caught} times");
    let ended = Event {
        seq: 99,
        at_ms: 0,
        saga: Some(0),
        kind: EventKind::SagaEnded {
            outcome: Outcome::Completed,
        },
    };
    let running = Simulation::new(
        presets::scenario("happy-path", STYLES[1], Storage::PerService, 1).expect("preset"),
    )
    .expect("valid");
    assert!(disagreement(&ended, &running).is_some());
}

#[test]
fn step_shows_one_event_and_step_back_takes_one_back_through_a_whole_run() {
    for style in STYLES {
        let mut played = preset_player("restaurant-rejects", style);
        played.advance(1e9);
        let full = played.timeline().to_vec();

        let mut p = preset_player("restaurant-rejects", style);
        let mut counts = vec![p.event_count()];
        let mut mid = 0;
        while !p.is_settled() {
            let shown = p.step();
            if shown == 0 {
                break;
            }
            assert_eq!(shown, 1, "{style:?}");
            assert_eq!(p.event_count(), counts[counts.len() - 1] + 1, "{style:?}");
            assert_eq!(p.sim().trace(), &full[..p.event_count() as usize]);
            assert_eq!(p.timeline(), p.sim().trace(), "nothing ahead is shown");
            mid += usize::from(p.mid_instant());
            counts.push(p.event_count());
        }
        assert_eq!(p.sim().trace(), &full[..], "{style:?}: same run as played");
        assert!(mid > 10, "{style:?}: instants of several events ({mid})");
        while p.step_back() {
            counts.pop();
            assert_eq!(Some(&p.event_count()), counts.last(), "{style:?}");
            assert!(p.in_past(), "{style:?}: an earlier moment than the latest");
            assert_eq!(
                p.timeline(),
                &full[..],
                "{style:?}: the timeline keeps the future"
            );
            assert_eq!(p.sim().trace(), &full[..p.event_count() as usize]);
        }
        assert_eq!(counts.len(), 1, "{style:?}: back to the start");
    }
}

#[test]
fn the_instant_step_runs_everything_at_the_next_moment() {
    for style in STYLES {
        let mut p = preset_player("transient-payment", style);
        let mut instants = 0;
        loop {
            let before = p.event_count() as usize;
            if p.step_instant() == 0 {
                break;
            }
            instants += 1;
            let trace = p.sim().trace();
            let now = trace[trace.len() - 1].at_ms;
            assert!(trace[before..].iter().all(|e| e.at_ms == now), "{style:?}");
            assert!(!p.mid_instant());
            // Nothing else at that moment is left to run.
            assert!(p.sim().next_timer().is_none_or(|t| t > now), "{style:?}");
            // And the instant step back undoes it whole.
            let mut q = p.clone();
            assert!(q.step_back_instant());
            assert_eq!(q.event_count() as usize, before, "{style:?}");
        }
        assert!(instants > 5);
        assert!(p.is_settled());

        // Mid-instant, it finishes the instant shown.
        let mut q = preset_player("transient-payment", style);
        while !q.mid_instant() {
            assert!(q.step() > 0);
        }
        let now = q.now_ms();
        q.step_instant();
        assert!(!q.mid_instant());
        assert_eq!(q.now_ms(), now, "{style:?}");
        assert!(q.sim().next_timer().is_none_or(|t| t > now));
    }
}

#[test]
fn playing_or_a_command_mid_instant_shows_the_whole_instant_first() {
    let mut p = preset_player("happy-path", STYLES[0]);
    while !p.mid_instant() {
        assert!(p.step() > 0);
    }
    let mut whole = p.clone();
    whole.step_instant();
    p.cancel(0).expect("cancel");
    assert!(!p.mid_instant());
    assert!(p.event_count() >= whole.event_count());
    assert_eq!(
        p.sim().trace()[..whole.event_count() as usize],
        whole.sim().trace()[..]
    );
}

#[test]
fn the_latest_moment_inside_an_instant_is_the_furthest_event_shown() {
    let mut p = preset_player("card-declined", STYLES[1]);
    while !p.mid_instant() {
        assert!(p.step() > 0);
    }
    let mut whole = p.clone();
    whole.step_instant();
    p.step();
    let furthest = p.event_count();
    assert!(p.step_back() && p.step_back());
    assert!(p.in_past());
    p.return_to_latest();
    assert_eq!(p.event_count(), furthest, "End: the furthest event shown");
    assert!(!p.in_past());
    // Also from further back, and from the run's start.
    for back in 1..=(furthest - p.start_events()) {
        for _ in 0..back {
            assert!(p.step_back());
        }
        p.return_to_latest();
        assert_eq!(p.event_count(), furthest, "End after {back} steps back");
    }
    p.seek(0);
    assert!(p.in_past());
    assert_eq!(
        p.timeline().len() as u64,
        furthest,
        "the timeline ends where the page has been"
    );
    p.return_to_latest();
    assert_eq!(p.event_count(), furthest, "End from the start");
    // Playing on shows the rest of the instant, as a whole.
    p.advance(0.0);
    assert_eq!(p.event_count(), whole.event_count());
}

#[test]
fn a_link_to_a_moment_inside_an_instant_opens_exactly_there() {
    use sagascope::share::link::Playhead;
    for style in STYLES {
        let mut p = preset_player("restaurant-rejects", style);
        let mut checked = 0;
        for i in 0..40 {
            p.step();
            if i % 3 == 0 {
                // Now and then from an earlier moment too.
                p.step_back();
            }
            let moment = p.playhead();
            if (p.mid_instant() || p.in_past()) && p.event_count() > p.start_events() {
                assert_eq!(moment, Playhead::Event(p.event_count() - 1), "{style:?}");
            }
            let mut there = preset_player("restaurant-rejects", style);
            there.reach(moment);
            assert_eq!(there.event_count(), p.event_count(), "{style:?} step {i}");
            assert_eq!(there.sim().trace(), p.sim().trace(), "{style:?} step {i}");
            assert_eq!(there.snapshot(), p.snapshot(), "{style:?} step {i}");
            checked += usize::from(there.mid_instant());
            p.step();
        }
        assert!(checked > 5, "{style:?}: {checked} links inside an instant");
    }
}
