//! What each kind of event becomes in the diagram, from preset and hand-made runs.

use crate::engine::event::EventKind;
use crate::engine::fault::FaultSpec;
use crate::engine::message::{Body, Task};
use crate::engine::presets::scenario;
use crate::engine::scenario::Storage;
use crate::engine::sim::Simulation;
use crate::view::sequence::testing::*;
use crate::view::sequence::*;

#[test]
fn lanes_follow_the_style() {
    let orch = layout(&input(&run("happy-path", ORCH), None));
    assert_eq!(
        keys(&orch),
        [
            "customer",
            "orchestrator",
            "reservation",
            "payment",
            "calendar",
            "notification"
        ]
    );
    let choreo = layout(&input(&run("happy-path", CHOREO), None));
    assert_eq!(
        keys(&choreo),
        [
            "customer",
            "bus",
            "reservation",
            "payment",
            "calendar",
            "notification",
            "dead-letters"
        ]
    );
    // A person is needed: orchestration shows the manual list too.
    let stuck = layout(&input(&run("compensation-fails", ORCH), None));
    assert_eq!(keys(&stuck).last(), Some(&"dead-letters"));
    // Lifelines are evenly spaced, left to right, inside the width.
    for l in [&orch, &choreo, &stuck] {
        assert!(l.lanes.windows(2).all(|w| w[1].x - w[0].x == LANE_WIDTH));
        assert!(l.lanes.last().is_some_and(|last| last.x < l.width));
    }
}

#[test]
fn one_arrow_per_message_sent_in_trace_order() {
    for preset in [
        "happy-path",
        "card-declined",
        "slow-payment",
        "two-customers",
    ] {
        for c in [ORCH, CHOREO] {
            let sim = run(preset, c);
            let l = layout(&input(&sim, None));
            let arrows = message_arrows(&l);
            assert_eq!(arrows.len(), sends(&sim), "{preset} {c:?}");
            let ids: Vec<MessageId> = arrows.iter().map(|a| a.message).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            assert_eq!(ids, sorted, "{preset} {c:?}: arrows in send order");
            // Each arrow goes between the lanes of its sender and receiver.
            for m in sim.messages() {
                let a = arrows.iter().find(|a| a.message == m.id).expect("drawn");
                assert_eq!(l.lanes[a.from].key, LaneKey::of_node(m.from));
                assert_eq!(l.lanes[a.to].key, LaneKey::of_node(m.to));
            }
        }
    }
}

#[test]
fn rows_go_down_and_fit() {
    for (preset, c) in [("transient-payment", ORCH), ("poison-redrive", CHOREO)] {
        let sim = run(preset, c);
        let l = layout(&input(&sim, None));
        assert!(l.rows.windows(2).all(|w| w[1].y > w[0].y));
        assert!(l.rows.windows(2).all(|w| w[1].seq > w[0].seq));
        assert!(l.rows.iter().all(|r| r.y > HEAD_HEIGHT && r.y < l.height));
        let pitch = l.rows[1].y - l.rows[0].y;
        assert!((22.0..=26.0).contains(&pitch));
    }
}

#[test]
fn retries_are_labelled() {
    let sim = run("transient-payment", ORCH);
    let l = layout(&input(&sim, None));
    let retries: Vec<&SeqArrow> = message_arrows(&l)
        .into_iter()
        .filter(|a| a.retry.is_some())
        .collect();
    // Payment fails twice: attempts 2 and 3 are retries 1 and 2.
    assert_eq!(
        retries.iter().map(|a| a.retry).collect::<Vec<_>>(),
        [Some(1), Some(2)]
    );
    assert!(retries[0].label.contains("retry 1"));
    assert!(retries[1].label.contains("retry 2"));
    assert!(retries.iter().all(|a| a.label.contains("Charge card")));
    // Each retry is announced by a wait note before it.
    let waits = l
        .rows
        .iter()
        .filter(|r| r.note().is_some_and(|n| n.kind == NoteKind::RetryWait))
        .count();
    assert_eq!(waits, 2);
    let svg = sequence_svg(&input(&sim, None));
    assert_eq!(svg.matches("seq-arrow--retry").count(), 2);
}

#[test]
fn timeouts_are_notes_on_the_orchestrator() {
    let sim = run("slow-payment", ORCH);
    let l = layout(&input(&sim, None));
    let timeouts: Vec<&SeqNote> = l
        .rows
        .iter()
        .filter_map(SeqRow::note)
        .filter(|n| n.kind == NoteKind::Timeout)
        .collect();
    let timed_out = sim
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TimedOut { .. }))
        .count();
    assert!(timed_out > 0);
    assert_eq!(timeouts.len(), timed_out);
    assert!(timeouts
        .iter()
        .all(|n| l.lanes[n.lane].key == LaneKey::Orchestrator && n.text.contains("timeout")));
}

#[test]
fn shared_records_are_notes_on_their_service_and_a_lost_update_says_so() {
    for style in [ORCH, CHOREO] {
        let sim = run("last-table", style);
        let l = layout(&input(&sim, None));
        let notes: Vec<&SeqNote> = l.rows.iter().filter_map(SeqRow::note).collect();
        let count = |kind| notes.iter().filter(|n| n.kind == kind).count();
        let reads = sim
            .trace()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::RecordRead { .. }))
            .count();
        assert_eq!(count(NoteKind::RecordRead), reads, "{style:?}");
        // Both read the last table; the second write overwrites the first.
        assert_eq!(count(NoteKind::RecordWritten), 1, "{style:?}");
        assert_eq!(count(NoteKind::LostUpdate), 1, "{style:?}");
        let lost = notes
            .iter()
            .find(|n| n.kind == NoteKind::LostUpdate)
            .expect("the lost update");
        assert_eq!(
            l.lanes[lost.lane].key,
            LaneKey::Service(ServiceId::Calendar)
        );
        assert!(lost.text.contains("lost update"), "{}", lost.text);
    }
    // With the semantic lock, the second read sees the flag.
    let mut locked = scenario("last-table", ORCH, Storage::PerService, 0).expect("preset");
    locked.safeguards.semantic_lock = true;
    let mut sim = Simulation::new(locked).expect("valid");
    sim.advance_to(60_000);
    let l = layout(&input(&sim, None));
    let flagged = l
        .rows
        .iter()
        .filter_map(SeqRow::note)
        .any(|n| n.kind == NoteKind::RecordRead && n.text.contains("PENDING for A"));
    assert!(flagged);
    assert!(!l
        .rows
        .iter()
        .filter_map(SeqRow::note)
        .any(|n| n.kind == NoteKind::LostUpdate));
}

fn compensation_steps(l: &SequenceLayout, sim: &Simulation) -> (Vec<usize>, Vec<usize>) {
    // Forward commands that succeeded, and the compensation commands, in row order.
    let mut forward = Vec::new();
    let mut undo = Vec::new();
    for a in message_arrows(l) {
        let m = &sim.messages()[a.message as usize];
        match m.body {
            Body::Command {
                task: Task::Action(s),
                ..
            } if !a.compensation && !forward.contains(&s) => forward.push(s),
            Body::Command {
                task: Task::Compensate(s),
                ..
            } => {
                assert!(a.compensation && a.label.starts_with("undo: "));
                undo.push(s);
            }
            _ => {}
        }
    }
    (forward, undo)
}

#[test]
fn compensations_are_marked_and_run_in_reverse() {
    let sim = run("card-declined", ORCH);
    let l = layout(&input(&sim, None));
    let (forward, undo) = compensation_steps(&l, &sim);
    // Payment refused: only the reservation is undone.
    assert_eq!(forward, [0, 1]);
    assert_eq!(undo, [0]);
    // The pivot fails: every earlier step with a compensation, last first.
    let sim = run("restaurant-rejects", ORCH);
    let l = layout(&input(&sim, None));
    let (forward, undo) = compensation_steps(&l, &sim);
    let mut expected: Vec<usize> = forward
        .iter()
        .copied()
        .filter(|&s| sim.scenario().definition.steps[s].compensation.is_some())
        .collect();
    expected.reverse();
    assert_eq!(undo, expected);
    assert_eq!(undo.len(), 3);
    let svg = sequence_svg(&input(&sim, None));
    assert!(svg.contains("seq-arrow--compensation"));
    assert!(svg.contains("seq-arrow__undo"));
    // Choreography undoes with events that say "undo" too.
    let sim = run("restaurant-rejects", CHOREO);
    let l = layout(&input(&sim, None));
    assert!(message_arrows(&l)
        .iter()
        .any(|a| a.compensation && a.label.starts_with("undo: ")));
}

#[test]
fn duplicates_are_dashed_and_labelled() {
    for c in [ORCH, CHOREO] {
        let sim = run("duplicate-event", c);
        let l = layout(&input(&sim, None));
        let dups: Vec<&SeqArrow> = message_arrows(&l)
            .into_iter()
            .filter(|a| a.duplicate)
            .collect();
        let copies = sim.messages().iter().filter(|m| m.duplicate).count();
        assert!(copies > 0);
        assert_eq!(dups.len(), copies, "{c:?}");
        assert!(dups.iter().all(|a| a.label.contains("duplicate")));
        assert!(l.rows.iter().any(|r| r
            .note()
            .is_some_and(|n| n.kind == NoteKind::DuplicateIgnored)));
        let svg = sequence_svg(&input(&sim, None));
        assert_eq!(svg.matches("seq-arrow--duplicate").count(), copies);
    }
    let css = include_str!("../../../../style/sequence.css");
    assert!(css.contains(".seq-arrow--duplicate .seq-arrow__line { stroke-dasharray"));
}

#[test]
fn lost_messages_stop_short_with_a_cross() {
    let sim = run("notifier-down", ORCH);
    let l = layout(&input(&sim, None));
    let lost: Vec<&SeqArrow> = message_arrows(&l).into_iter().filter(|a| a.lost).collect();
    let lost_in_trace = sim
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::MessageLost { .. }))
        .count();
    assert!(lost_in_trace > 0);
    assert_eq!(lost.len(), lost_in_trace);
    assert!(lost.iter().all(|a| a.label.ends_with("lost")));
    let svg = sequence_svg(&input(&sim, None));
    assert_eq!(svg.matches("seq-arrow__cross").count(), lost_in_trace);
    // Each stops short of its target's lifeline.
    for (row, a) in l
        .rows
        .iter()
        .filter_map(|r| r.arrow().map(|a| (r, a)))
        .filter(|(_, a)| a.lost)
    {
        let start = svg.find(&format!("data-seq=\"{}\"", row.seq)).expect("row");
        let line = &svg[start..];
        let at = line.find("x2=\"").expect("line") + 4;
        let x2: f64 = line[at..at + line[at..].find('"').expect("quote")]
            .parse()
            .expect("number");
        let (from, to) = (l.lanes[a.from].x, l.lanes[a.to].x);
        assert!((x2 - to).abs() > 20.0 && (x2 - from).abs() > 20.0, "{x2}");
    }
}

#[test]
fn poison_goes_to_the_dead_letters_and_back() {
    let sim = run("poison-redrive", CHOREO);
    let l = layout(&input(&sim, None));
    let dlq = l
        .lanes
        .iter()
        .position(|x| x.key == LaneKey::DeadLetters)
        .expect("lane");
    let payment = l
        .lanes
        .iter()
        .position(|x| x.key == LaneKey::Service(ServiceId::Payment))
        .expect("lane");
    let special: Vec<&SeqArrow> = l
        .rows
        .iter()
        .filter_map(SeqRow::arrow)
        .filter(|a| a.kind != ArrowKind::Message)
        .collect();
    assert_eq!(special.len(), 2);
    assert_eq!(
        (special[0].kind, special[0].from, special[0].to),
        (ArrowKind::DeadLetter, payment, dlq)
    );
    assert_eq!(
        (special[1].kind, special[1].from, special[1].to),
        (ArrowKind::Redrive, dlq, payment)
    );
    assert!(special[0].label.starts_with("dead-lettered"));
    // The queue's redeliveries before it: retries on Payment's lane.
    let redeliveries = l
        .rows
        .iter()
        .filter_map(SeqRow::note)
        .filter(|n| n.kind == NoteKind::Redelivery)
        .collect::<Vec<_>>();
    assert!(redeliveries.len() >= 2);
    assert!(redeliveries
        .iter()
        .all(|n| n.lane == payment && n.text.contains("retry")));
    // The dead letter's row stands for the DeadLettered event.
    let dead_seq = sim
        .trace()
        .iter()
        .find(|e| matches!(e.kind, EventKind::DeadLettered { .. }))
        .map(|e| e.seq);
    let row = l
        .rows
        .iter()
        .find(|r| r.arrow() == Some(special[0]))
        .expect("row");
    assert_eq!(Some(row.seq), dead_seq);
    // Every note's box stays inside the drawing, the one on the last lane too.
    let svg = sequence_svg(&input(&sim, None));
    let num = |text: &str, attr: &str| -> f64 {
        let start = text.find(attr).expect("attr") + attr.len();
        let end = text[start..].find('"').expect("quote") + start;
        text[start..end].parse().expect("number")
    };
    let boxes: Vec<&str> = svg.split("<rect class=\"seq-note__box\"").skip(1).collect();
    assert_eq!(
        boxes.len(),
        l.rows.iter().filter(|r| r.note().is_some()).count()
    );
    for b in boxes {
        let (x, w) = (num(b, " x=\""), num(b, " width=\""));
        assert!(x >= TIME_WIDTH && x + w <= l.width, "{x} {w}");
    }
}

#[test]
fn a_chaos_run_stays_one_row_per_send_or_note() {
    for c in [ORCH, CHOREO] {
        let mut s = scenario("chaos", c, Storage::PerService, 7).expect("preset");
        // Eight sagas under chaos: a long, messy trace.
        // The notifier stays down for minutes: retried forward until it is back.
        s.faults = vec![
            FaultSpec::Chaos {
                percent: 30,
                for_ms: 60_000,
            },
            FaultSpec::ServiceDown {
                service: ServiceId::Notification,
                for_ms: 150_000,
            },
        ];
        s.retry.retriable.max_delay_ms = 1_000;
        for i in 0..7 {
            let mut spec = crate::engine::scenario::SagaSpec::new("Ada", &format!("slot {i}"));
            spec.start_ms = 700 * i;
            s.sagas.push(spec);
        }
        let sim = run_scenario(s);
        let l = layout(&input(&sim, None));
        let notes = l.rows.iter().filter(|r| r.note().is_some()).count();
        let special = l
            .rows
            .iter()
            .filter_map(SeqRow::arrow)
            .filter(|a| a.kind != ArrowKind::Message)
            .count();
        assert_eq!(l.rows.len(), sends(&sim) + notes + special);
        assert_eq!(message_arrows(&l).len(), sends(&sim));
        // Orchestration retries the notifier over and over: well over two thousand events.
        // (Choreography's messages wait in the queue meanwhile: a shorter trace.)
        if c == ORCH {
            assert!(sim.trace().len() >= 2_000, "{}", sim.trace().len());
            assert!(l.rows.len() >= 1_000);
        }
        assert_eq!(
            l.height,
            HEAD_HEIGHT + ROW_PITCH * l.rows.len() as f64 + BOTTOM
        );
        // Many sagas: each label says whose it is.
        assert!(message_arrows(&l)
            .iter()
            .all(|a| a.label.chars().nth(1) == Some(' ')));
        let svg = sequence_svg(&input(&sim, None));
        assert_eq!(
            svg.matches("data-action=\"select-event\"").count(),
            l.rows.len()
        );
    }
}
