//! The reader's tests: each kind of event opens or closes the spans it should.

use crate::engine::event::{Event, EventKind};
use crate::engine::message::Body;
use crate::engine::presets;
use crate::engine::scenario::{Coordination, Storage};
use crate::engine::sim::Simulation;
use crate::view::format::duration;
use crate::view::gantt::testing::*;
use crate::view::gantt::*;

#[test]
fn one_span_per_task_started() {
    for (name, r) in all_runs() {
        let g = r.layout();
        let started: Vec<u64> = r
            .events(|k| matches!(k, EventKind::TaskStarted { .. }))
            .iter()
            .map(|e| e.seq)
            .collect();
        let mut work: Vec<u64> = g
            .spans
            .iter()
            .filter(|s| is_work(s))
            .map(|s| s.seq)
            .collect();
        work.sort_unstable();
        assert_eq!(
            work, started,
            "{name}: one span per TaskStarted, keyed by its seq"
        );
        for s in g.spans.iter().filter(|s| is_work(s)) {
            let task = s.task.expect("task");
            let service = task.service(&r.scenario.definition).expect("service");
            assert_eq!(g.rows[s.row].key, RowKey::Service(service), "{name}: {s:?}");
            assert!(s.x1 > s.x0 && s.end_ms >= s.start_ms, "{name}: {s:?}");
        }
    }
}

#[test]
fn every_retry_is_its_own_span() {
    for c in STYLES {
        let r = run("transient-payment", c, None);
        let g = r.layout();
        let payment = row_of(&g, RowKey::Service(ServiceId::Payment));
        let charge: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.row == payment && s.task == Some(Task::Action(1)))
            .filter(|s| s.kind == SpanKind::Attempt)
            .collect();
        assert_eq!(charge.len(), 3, "{c:?}");
        let attempts: Vec<u32> = charge.iter().filter_map(|s| s.attempt).collect();
        assert_eq!(attempts, [1, 2, 3], "{c:?}");
        let outcomes: Vec<SpanOutcome> = charge.iter().map(|s| s.outcome).collect();
        assert_eq!(
            outcomes,
            [SpanOutcome::Failed, SpanOutcome::Failed, SpanOutcome::Ok],
            "{c:?}"
        );
        assert!(!charge[0].label.contains("attempt"), "{c:?}");
        assert!(charge[1].label.ends_with("attempt 2"), "{c:?}");
        assert!(charge[2].label.ends_with("attempt 3"), "{c:?}");
        assert!(charge[0].detail.contains("transient error"), "{c:?}");
        assert!(charge.windows(2).all(|w| w[0].x1 <= w[1].x0), "{c:?}");
    }
}

#[test]
fn compensations_are_marked_and_follow_their_steps() {
    for id in [
        "card-declined",
        "slot-taken",
        "restaurant-rejects",
        "compensation-fails",
    ] {
        for c in STYLES {
            let r = run(id, c, None);
            let g = r.layout();
            let comps: Vec<&Span> = g
                .spans
                .iter()
                .filter(|s| s.kind == SpanKind::Compensation)
                .collect();
            assert!(!comps.is_empty(), "{id} {c:?}");
            for comp in &comps {
                let Some(Task::Compensate(step)) = comp.task else {
                    panic!("{id} {c:?}: {comp:?}");
                };
                assert!(comp.label.starts_with("undo "), "{id} {c:?}: {comp:?}");
                let forward: Vec<&Span> = g
                    .spans
                    .iter()
                    .filter(|s| s.saga == comp.saga && s.task == Some(Task::Action(step)))
                    .collect();
                assert!(!forward.is_empty(), "{id} {c:?}: {comp:?}");
                for f in forward {
                    assert_eq!(f.row, comp.row, "{id} {c:?}");
                    assert!(f.end_ms <= comp.start_ms, "{id} {c:?}: {f:?} then {comp:?}");
                }
            }
            let svg = gantt_svg(&r.input(None));
            let hatched = svg.matches(r#"fill="url(#gantt-hatch)""#).count();
            assert_eq!(
                hatched,
                comps.len(),
                "{id} {c:?}: a hatch on each compensation"
            );
            assert!(svg.contains(r#"data-kind="compensation""#), "{id} {c:?}");
        }
    }
}

#[test]
fn backoff_waits_last_their_delay() {
    for id in [
        "transient-payment",
        "notifier-down",
        "slow-payment",
        "compensation-fails",
    ] {
        let r = run(id, Coordination::Orchestration, None);
        let g = r.layout();
        let orchestrator = row_of(&g, RowKey::Orchestrator);
        let scheduled = r.events(|k| matches!(k, EventKind::RetryScheduled { .. }));
        let waits: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::BackoffWait)
            .collect();
        assert!(!scheduled.is_empty(), "{id}");
        assert_eq!(waits.len(), scheduled.len(), "{id}");
        for e in scheduled {
            let EventKind::RetryScheduled { delay_ms, .. } = e.kind else {
                unreachable!()
            };
            let w = waits.iter().find(|w| w.seq == e.seq).expect("its wait");
            assert_eq!(w.row, orchestrator, "{id}");
            assert_eq!(
                (w.start_ms, w.end_ms),
                (e.at_ms, e.at_ms + delay_ms),
                "{id}"
            );
            let px = delay_ms as f64 / g.ms_per_px;
            assert!(
                ((w.x1 - w.x0) - px.max(MIN_SPAN_PX)).abs() < 1e-6,
                "{id}: {w:?}"
            );
            assert!(w.label.contains(&duration(delay_ms)), "{id}: {w:?}");
            assert_eq!(w.outcome, SpanOutcome::Ok, "{id}");
        }
    }
}

#[test]
fn redeliveries_show_the_visibility_timeout() {
    for id in ["transient-payment", "poison-redrive", "database-down"] {
        let r = run(id, Coordination::Choreography, None);
        let g = r.layout();
        let redelivered: Vec<&Event> = r.events(
            |k| matches!(k, EventKind::Received { receive_count, .. } if *receive_count > 1),
        );
        let waits: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::VisibilityWait)
            .collect();
        assert!(!redelivered.is_empty(), "{id}");
        assert_eq!(waits.len(), redelivered.len(), "{id}");
        for e in redelivered {
            let EventKind::Received { queue, .. } = e.kind else {
                unreachable!()
            };
            let w = waits
                .iter()
                .find(|w| w.events.contains(&e.seq))
                .expect("a wait ends at each redelivery");
            assert_eq!(w.end_ms, e.at_ms, "{id}");
            assert_eq!(g.rows[w.row].key, RowKey::Service(queue), "{id}");
            // It starts where the failed attempt before it ended.
            let failed = g
                .spans
                .iter()
                .find(|s| is_work(s) && s.events.contains(&w.seq))
                .expect("the failed attempt");
            assert_eq!(failed.outcome, SpanOutcome::Failed, "{id}");
            assert_eq!(failed.end_ms, w.start_ms, "{id}");
            assert!(w.detail.contains("delivered again"), "{id}: {w:?}");
        }
    }
    // Orchestration has no queues: no visibility waits.
    let g = run("transient-payment", Coordination::Orchestration, None).layout();
    assert!(g.spans.iter().all(|s| s.kind != SpanKind::VisibilityWait));
}

#[test]
fn timeouts_wait_on_the_orchestrator_row() {
    let r = run("slow-payment", Coordination::Orchestration, None);
    let g = r.layout();
    let orchestrator = row_of(&g, RowKey::Orchestrator);
    let timed_out = r.events(|k| matches!(k, EventKind::TimedOut { .. }));
    let waits: Vec<&Span> = g
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Timeout)
        .collect();
    assert!(!timed_out.is_empty());
    assert_eq!(waits.len(), timed_out.len());
    for e in timed_out {
        let EventKind::TimedOut { task, attempt } = e.kind else {
            unreachable!()
        };
        let w = waits
            .iter()
            .find(|w| w.events.contains(&e.seq))
            .expect("wait");
        assert_eq!(w.row, orchestrator);
        assert_eq!(w.end_ms, e.at_ms);
        let started = r
            .trace
            .iter()
            .rfind(|s| {
                s.seq < e.seq
                    && s.kind == EventKind::TaskStarted { task, attempt }
                    && s.saga == e.saga
            })
            .expect("its start");
        assert_eq!((w.start_ms, w.seq), (started.at_ms, started.seq));
        assert_eq!(w.outcome, SpanOutcome::TimedOut);
    }
}

#[test]
fn outages_are_bands_across_their_rows() {
    for c in STYLES {
        let r = run("database-down", c, None);
        let g = r.layout();
        let down = r.events(|k| matches!(k, EventKind::DatabaseDown { .. }))[0];
        let up = r.events(|k| matches!(k, EventKind::DatabaseUp { .. }))[0];
        let band = g
            .spans
            .iter()
            .find(|s| s.kind == SpanKind::Down && s.seq == down.seq)
            .expect("band");
        assert_eq!(
            (band.start_ms, band.end_ms),
            (down.at_ms, up.at_ms),
            "{c:?}"
        );
        assert_eq!(band.lane, None);
        let row = &g.rows[band.row];
        assert_eq!(row.key, RowKey::Service(ServiceId::Payment));
        assert_eq!((band.y, band.height), (row.y, row.height));
    }
    let r = run("orchestrator-crash", Coordination::Orchestration, None);
    let g = r.layout();
    let band = g
        .spans
        .iter()
        .find(|s| s.kind == SpanKind::Down)
        .expect("band");
    assert_eq!(g.rows[band.row].key, RowKey::Orchestrator);
    assert_eq!(band.outcome, SpanOutcome::Ok);
}

#[test]
fn open_spans_run_to_now() {
    // Cut short during payment's second attempt and during the second backoff.
    let full = run("transient-payment", Coordination::Orchestration, None);
    let second = full
        .trace
        .iter()
        .find(|e| {
            e.kind
                == EventKind::TaskStarted {
                    task: Task::Action(1),
                    attempt: 2,
                }
        })
        .expect("second attempt");
    let r = run(
        "transient-payment",
        Coordination::Orchestration,
        Some(second.at_ms + 100),
    );
    let g = r.layout();
    let open: Vec<&Span> = g
        .spans
        .iter()
        .filter(|s| s.outcome == SpanOutcome::Running)
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].seq, second.seq);
    assert_eq!(open[0].end_ms, r.now_ms);
    assert!((open[0].x1 - g.x_of(r.now_ms)).abs() < 1e-9);
    assert!((g.now_x - g.x_of(r.now_ms)).abs() < 1e-9);

    let backoff = full.events(|k| matches!(k, EventKind::RetryScheduled { attempt: 3, .. }))[0];
    let r = run(
        "transient-payment",
        Coordination::Orchestration,
        Some(backoff.at_ms + 300),
    );
    let g = r.layout();
    let wait = g.spans.iter().find(|s| s.seq == backoff.seq).expect("wait");
    assert_eq!(wait.outcome, SpanOutcome::Running);
    assert_eq!((wait.start_ms, wait.end_ms), (backoff.at_ms, r.now_ms));

    // Choreography: cut short while the message is hidden after a failure.
    let full = run("poison-redrive", Coordination::Choreography, None);
    let failed = full.events(|k| matches!(k, EventKind::TaskFailed { .. }))[0];
    let r = run(
        "poison-redrive",
        Coordination::Choreography,
        Some(failed.at_ms + 500),
    );
    let g = r.layout();
    let wait = g
        .spans
        .iter()
        .find(|s| s.kind == SpanKind::VisibilityWait)
        .expect("wait");
    assert_eq!(wait.outcome, SpanOutcome::Running);
    assert_eq!((wait.start_ms, wait.end_ms), (failed.at_ms, r.now_ms));
}

#[test]
fn a_service_that_never_answers_times_out() {
    for c in STYLES {
        let mut scenario =
            presets::scenario("happy-path", c, Storage::PerService, 1).expect("preset");
        scenario
            .faults
            .push(crate::engine::fault::FaultSpec::NoReply {
                step: 2,
                times: 1,
                saga: None,
            });
        let mut sim = Simulation::new(scenario).expect("valid");
        while sim.step() {}
        let r = Run {
            scenario: sim.scenario().clone(),
            trace: sim.trace().to_vec(),
            messages: sim.messages().to_vec(),
            now_ms: sim.now_ms(),
        };
        let g = r.layout();
        let charge: Vec<&Span> = g
            .spans
            .iter()
            .filter(|s| s.task == Some(Task::Action(1)) && is_work(s))
            .collect();
        assert_eq!(charge.len(), 2, "{c:?}: {charge:?}");
        assert_eq!(charge[0].outcome, SpanOutcome::TimedOut, "{c:?}");
        assert_eq!(charge[1].outcome, SpanOutcome::Ok, "{c:?}");
        assert!(charge[0].end_ms <= charge[1].start_ms, "{c:?}");
        // It ends when the run gives up on it: the timeout, or the redelivery.
        let ender = r
            .trace
            .iter()
            .find(|e| e.seq == *charge[0].events.last().expect("events"))
            .expect("event");
        match c {
            Coordination::Orchestration => {
                assert!(
                    matches!(ender.kind, EventKind::TimedOut { .. }),
                    "{ender:?}"
                );
                assert!(g.spans.iter().any(|s| s.kind == SpanKind::Timeout));
            }
            Coordination::Choreography => {
                assert!(
                    matches!(
                        ender.kind,
                        EventKind::Received {
                            receive_count: 2,
                            ..
                        }
                    ),
                    "{ender:?}"
                );
            }
        }
        assert_eq!(charge[0].end_ms, ender.at_ms, "{c:?}");
        assert!(
            g.spans.iter().all(|s| s.outcome != SpanOutcome::Running),
            "{c:?}"
        );
    }
}

#[test]
fn dead_letters_wait_for_their_redrive() {
    let r = run("poison-redrive", Coordination::Choreography, None);
    let g = r.layout();
    let dead = r.events(|k| matches!(k, EventKind::DeadLettered { .. }));
    let redriven = r.events(|k| matches!(k, EventKind::Redriven { .. }));
    let waits: Vec<&Span> = g
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::DeadLetter)
        .collect();
    assert_eq!(waits.len(), dead.len());
    assert_eq!(waits[0].seq, dead[0].seq);
    assert_eq!(
        (waits[0].start_ms, waits[0].end_ms),
        (dead[0].at_ms, redriven[0].at_ms)
    );
    assert_eq!(
        g.rows[waits[0].row].key,
        RowKey::Service(ServiceId::Payment)
    );
    // Before the redrive, it is still waiting.
    let r = run(
        "poison-redrive",
        Coordination::Choreography,
        Some(redriven[0].at_ms - 1),
    );
    let g = r.layout();
    let wait = g
        .spans
        .iter()
        .find(|s| s.kind == SpanKind::DeadLetter)
        .expect("wait");
    assert_eq!(wait.outcome, SpanOutcome::Running);
    assert_eq!(wait.end_ms, r.now_ms);
}

#[test]
fn answers_close_the_attempt_whose_command_arrived() {
    // Chaos duplicates and delays commands: copies and late arrivals must not close a newer
    // attempt.
    let mut checked = 0;
    for seed in 1..=16 {
        let scenario = presets::scenario(
            "chaos",
            Coordination::Orchestration,
            Storage::PerService,
            seed,
        )
        .expect("preset");
        let mut sim = Simulation::new(scenario).expect("valid");
        while sim.step() {}
        let r = Run {
            scenario: sim.scenario().clone(),
            trace: sim.trace().to_vec(),
            messages: sim.messages().to_vec(),
            now_ms: sim.now_ms(),
        };
        let g = r.layout();
        for s in g.spans.iter().filter(|s| is_work(s)) {
            let Some(end) = r.trace.iter().find(|e| {
                s.events.contains(&e.seq)
                    && e.at_ms == s.end_ms
                    && matches!(
                        e.kind,
                        EventKind::TaskApplied { .. }
                            | EventKind::TaskFailed { .. }
                            | EventKind::DuplicateIgnored { .. }
                    )
            }) else {
                continue;
            };
            let arrived = r
                .trace
                .iter()
                .rev()
                .filter(|e| e.seq < end.seq && e.saga == s.saga)
                .find_map(|e| match e.kind {
                    EventKind::MessageArrived { message } => {
                        match r.messages.iter().find(|m| m.id == message)?.body {
                            Body::Command { task, attempt, .. } if Some(task) == s.task => {
                                Some(attempt)
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                });
            assert_eq!(arrived, s.attempt, "seed {seed}: {s:?}");
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked}");
}
