//! Reading the run into the diagram's lanes and rows: which participants get a lane, what each
//! message and event becomes (an arrow or a note) and where it goes. One pass over the trace;
//! its tests, which follow each kind of event onto the page, are in `layout/tests.rs`.

use std::collections::HashMap;
use std::fmt::Write;

use crate::engine::definition::{SagaDefinition, ServiceId};
use crate::engine::event::{Event, EventKind, Outcome};
use crate::engine::message::{Body, EventName, MessageId, MessageState, Node, Task};
use crate::engine::scenario::{Coordination, Scenario};
use crate::view::format::{duration, saga_letter};

use super::*;

/// The lanes a run needs, left to right.
fn lane_keys(scenario: &Scenario, trace: &[Event]) -> Vec<LaneKey> {
    let orchestrated = scenario.coordination == Coordination::Orchestration;
    let seen = |pred: &dyn Fn(Node) -> bool| {
        trace.iter().any(|e| match &e.kind {
            EventKind::MessageSent { from, to, .. } => pred(*from) || pred(*to),
            _ => false,
        })
    };
    let mut keys = vec![LaneKey::Customer];
    if orchestrated || seen(&|n| n == Node::Orchestrator) {
        keys.push(LaneKey::Orchestrator);
    }
    if !orchestrated || seen(&|n| n == Node::Bus) {
        keys.push(LaneKey::Bus);
    }
    keys.extend(ServiceId::ALL.map(LaneKey::Service));
    let dead = trace.iter().any(|e| {
        matches!(
            e.kind,
            EventKind::DeadLettered { .. }
                | EventKind::Redriven { .. }
                | EventKind::ManualIntervention { .. }
        )
    });
    if !orchestrated || dead {
        keys.push(LaneKey::DeadLetters);
    }
    keys
}

fn lane_label(key: LaneKey, coordination: Coordination) -> String {
    match key {
        LaneKey::Customer => "Customer".to_string(),
        LaneKey::Orchestrator => "Orchestrator".to_string(),
        LaneKey::Bus => "Event bus".to_string(),
        LaneKey::Service(s) => s.label().to_string(),
        LaneKey::DeadLetters => match coordination {
            Coordination::Choreography => "Dead letters".to_string(),
            Coordination::Orchestration => "Manual list".to_string(),
        },
    }
}

fn is_compensation(body: &Body) -> bool {
    match body {
        Body::Command { task, .. } | Body::Reply { task, .. } => {
            matches!(task, Task::Compensate(_))
        }
        Body::Event { name } => matches!(name, EventName::Compensated(_)),
    }
}

/// The body as the arrow names it (without the attempt: the arrow says "retry n").
fn body_text(body: &Body, def: &SagaDefinition) -> String {
    match body {
        Body::Command { task, .. } => task.label(def),
        other => other.label(def),
    }
}

fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Running => "running",
        Outcome::Completed => "completed",
        Outcome::Compensated => "compensated",
        Outcome::RollbackIncomplete => "rollback incomplete",
        Outcome::AwaitingPerson => "awaiting a person",
    }
}

/// What the trace says about each message: when it was sent, and the events that follow it.
#[derive(Default)]
struct MessageFacts {
    body: Option<Body>,
    lost: bool,
    related: Vec<u64>,
}

/// Lays out the diagram: lanes, one row per message sent or lane note, in trace order.
pub fn layout(input: &SequenceInput) -> SequenceLayout {
    let scenario = input.scenario;
    let def = &scenario.definition;
    let coordination = scenario.coordination;
    let keys = lane_keys(scenario, input.trace);
    let lanes: Vec<SeqLane> = keys
        .iter()
        .enumerate()
        .map(|(i, &key)| SeqLane {
            key,
            label: lane_label(key, coordination),
            sub: match (key, coordination) {
                (LaneKey::Service(_), Coordination::Choreography) => "and its queue".to_string(),
                _ => String::new(),
            },
            x: TIME_WIDTH + LANE_WIDTH * (i as f64 + 0.5),
        })
        .collect();
    let lane = |key: LaneKey| keys.iter().position(|&k| k == key);
    let many_sagas = scenario.sagas.len() > 1;

    // First pass: what became of each message.
    let mut facts: HashMap<MessageId, MessageFacts> = HashMap::new();
    for e in input.trace {
        match &e.kind {
            EventKind::MessageSent { message, body, .. } => {
                facts.entry(*message).or_default().body = Some(*body);
            }
            EventKind::MessageLost { message, .. } => {
                let f = facts.entry(*message).or_default();
                f.lost = true;
                f.related.push(e.seq);
            }
            EventKind::MessageArrived { message }
            | EventKind::Enqueued { message, .. }
            | EventKind::Deleted { message, .. } => {
                facts.entry(*message).or_default().related.push(e.seq);
            }
            EventKind::Received {
                message,
                receive_count: 1,
                ..
            } => facts.entry(*message).or_default().related.push(e.seq),
            _ => {}
        }
    }
    for m in input.messages {
        if m.state == MessageState::Lost {
            facts.entry(m.id).or_default().lost = true;
        }
    }
    let body_of = |id: MessageId| facts.get(&id).and_then(|f| f.body);

    let mut rows: Vec<SeqRow> = Vec::new();
    for e in input.trace {
        let prefix = match (many_sagas, e.saga) {
            (true, Some(s)) => format!("{} · ", saga_letter(s)),
            _ => String::new(),
        };
        let note = |lane: Option<usize>, kind: NoteKind, text: String| {
            lane.map(|lane| {
                (
                    SeqMark::Note(SeqNote {
                        lane,
                        kind,
                        text: format!("{prefix}{text}"),
                    }),
                    Vec::new(),
                )
            })
        };
        let service_note = |s: ServiceId, kind: NoteKind, text: String| {
            note(lane(LaneKey::Service(s)), kind, text)
        };
        let orchestrator = lane(LaneKey::Orchestrator);
        // Notes about the saga as a whole go where it is coordinated.
        let coordinator = orchestrator.or(lane(LaneKey::Bus));
        let mark: Option<(SeqMark, Vec<u64>)> = match &e.kind {
            EventKind::MessageSent {
                message,
                from,
                to,
                body,
                duplicate,
                ..
            } => {
                let (Some(f), Some(t)) =
                    (lane(LaneKey::of_node(*from)), lane(LaneKey::of_node(*to)))
                else {
                    continue;
                };
                let fact = facts.get(message);
                let lost = fact.is_some_and(|f| f.lost);
                let retry = match body {
                    Body::Command { attempt, .. } if *attempt > 1 => Some(attempt - 1),
                    _ => None,
                };
                let compensation = is_compensation(body);
                let mut label = prefix.clone();
                if compensation {
                    label.push_str("undo: ");
                }
                label.push_str(&body_text(body, def));
                if let Some(n) = retry {
                    let _ = write!(label, " · retry {n}");
                }
                if *duplicate {
                    label.push_str(" · duplicate");
                }
                if lost {
                    label.push_str(" · lost");
                }
                Some((
                    SeqMark::Arrow(SeqArrow {
                        from: f,
                        to: t,
                        kind: ArrowKind::Message,
                        class: body.class(),
                        message: *message,
                        label,
                        retry,
                        duplicate: *duplicate,
                        lost,
                        compensation,
                    }),
                    fact.map(|f| f.related.clone()).unwrap_or_default(),
                ))
            }
            EventKind::DeadLettered { queue, message } | EventKind::Redriven { queue, message } => {
                let dead = matches!(e.kind, EventKind::DeadLettered { .. });
                let (Some(q), Some(d)) =
                    (lane(LaneKey::Service(*queue)), lane(LaneKey::DeadLetters))
                else {
                    continue;
                };
                let body = body_of(*message);
                let text = body.map(|b| body_text(&b, def)).unwrap_or_default();
                let (from, to, kind, word) = if dead {
                    (q, d, ArrowKind::DeadLetter, "dead-lettered")
                } else {
                    (d, q, ArrowKind::Redrive, "redrive")
                };
                Some((
                    SeqMark::Arrow(SeqArrow {
                        from,
                        to,
                        kind,
                        class: body.map(|b| b.class()).unwrap_or("event"),
                        message: *message,
                        label: format!("{prefix}{word}: {text}"),
                        retry: None,
                        duplicate: false,
                        lost: false,
                        compensation: body.is_some_and(|b| is_compensation(&b)),
                    }),
                    Vec::new(),
                ))
            }
            EventKind::Received {
                queue,
                receive_count,
                ..
            } if *receive_count > 1 => service_note(
                *queue,
                NoteKind::Redelivery,
                format!("↻ retry {}: received again", receive_count - 1),
            ),
            EventKind::TimedOut { task, attempt } => note(
                orchestrator,
                NoteKind::Timeout,
                format!("◷ timeout: {} (attempt {attempt})", task.label(def)),
            ),
            EventKind::RetryScheduled {
                task,
                attempt,
                delay_ms,
            } => note(
                coordinator,
                NoteKind::RetryWait,
                format!(
                    "↻ retry {} of {} in {}",
                    attempt.saturating_sub(1),
                    task.label(def),
                    duration(*delay_ms)
                ),
            ),
            EventKind::TaskFailed {
                task,
                service,
                reason,
            } => service_note(
                *service,
                NoteKind::Failed,
                format!("⚠ {}: {}", reason.label(), task.label(def)),
            ),
            EventKind::DuplicateIgnored { service, .. } => service_note(
                *service,
                NoteKind::DuplicateIgnored,
                "= duplicate ignored".to_string(),
            ),
            EventKind::ReplyIgnored { message } | EventKind::ReplyStale { message, .. } => {
                let text = body_of(*message)
                    .map(|b| body_text(&b, def))
                    .unwrap_or_default();
                note(
                    orchestrator,
                    NoteKind::ReplyIgnored,
                    format!("= stale reply ignored: {text}"),
                )
            }
            EventKind::CompensationBegun { .. } => note(
                coordinator,
                NoteKind::CompensationBegun,
                "↶ compensation begins".to_string(),
            ),
            EventKind::SagaEnded { outcome } => note(
                lane(LaneKey::Customer),
                NoteKind::Ended,
                format!("■ {}", outcome_word(*outcome)),
            ),
            EventKind::ManualIntervention { task, reason } => note(
                lane(LaneKey::DeadLetters),
                NoteKind::ManualIntervention,
                format!("⚑ needs a person: {} ({})", task.label(def), reason.label()),
            ),
            EventKind::OrchestratorCrashed => note(
                orchestrator,
                NoteKind::Crashed,
                "✕ crashed: memory lost".to_string(),
            ),
            EventKind::OrchestratorRecovered { resumed, .. } => note(
                orchestrator,
                NoteKind::Recovered,
                format!("✓ recovered from log: {resumed} resumed"),
            ),
            EventKind::ServiceDown { service } => {
                service_note(*service, NoteKind::Down, "▼ down".to_string())
            }
            EventKind::ServiceUp { service } => {
                service_note(*service, NoteKind::Up, "▲ up".to_string())
            }
            EventKind::DatabaseDown { service } => match service {
                Some(s) => service_note(*s, NoteKind::Down, "▼ database down".to_string()),
                None => service_note(
                    ServiceId::Reservation,
                    NoteKind::Down,
                    "▼ shared database down".to_string(),
                ),
            },
            EventKind::DatabaseUp { service } => match service {
                Some(s) => service_note(*s, NoteKind::Up, "▲ database up".to_string()),
                None => service_note(
                    ServiceId::Reservation,
                    NoteKind::Up,
                    "▲ shared database up".to_string(),
                ),
            },
            EventKind::RecordRead {
                service,
                record,
                value,
                pending,
                ..
            } => {
                let flag = pending
                    .map(|s| format!(", PENDING for {}", saga_letter(s)))
                    .unwrap_or_default();
                let text = format!(
                    "⌕ reads {}: {}{flag}",
                    record.label(),
                    record.value_text(*value)
                );
                service_note(*service, NoteKind::RecordRead, text)
            }
            EventKind::RecordWritten {
                service,
                record,
                based_on,
                before,
                after,
                ..
            } => {
                let (kind, text) = if based_on == before {
                    let (was, now) = (record.value_text(*before), record.value_text(*after));
                    (
                        NoteKind::RecordWritten,
                        format!("✎ {}: {was} → {now}", record.label()),
                    )
                } else {
                    let text = format!(
                        "✗ {} = {} from a stale read: lost update",
                        record.label(),
                        record.value_text(*after)
                    );
                    (NoteKind::LostUpdate, text)
                };
                service_note(*service, kind, text)
            }
            _ => None,
        };
        if let Some((mark, related)) = mark {
            let y = HEAD_HEIGHT + ROW_PITCH * (rows.len() as f64 + 0.5);
            let mut row = SeqRow {
                y,
                seq: e.seq,
                related,
                at_ms: e.at_ms,
                saga: e.saga,
                mark,
                selected: false,
            };
            row.selected = input.selected.is_some_and(|s| row.stands_for(s));
            rows.push(row);
        }
    }
    SequenceLayout {
        width: TIME_WIDTH + LANE_WIDTH * lanes.len() as f64,
        height: HEAD_HEIGHT + ROW_PITCH * rows.len() as f64 + BOTTOM,
        lanes,
        rows,
    }
}

#[cfg(test)]
mod tests;
