//! The same scenario under both styles, side by side: a few figures read from each run's trace.

use crate::engine::event::{CompensationReason, Event, EventKind, Outcome};
use crate::engine::message::{Body, Node, Task, TaskResult};

use super::format::seconds;
use super::html::Html;
use super::status::outcome_text;

/// What one run amounts to, read from its trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// The outcome of the whole run: running while any saga runs, else the worst.
    pub outcome: Outcome,
    /// Messages sent (duplicate copies included).
    pub messages: u64,
    /// When the last saga ended, once every saga has.
    pub finished_ms: Option<u64>,
    /// How long the data was inconsistent, summed over the sagas: from a saga's first local
    /// change (a task that changed a row) until it ends completed or compensated. A saga that
    /// ends with its rollback incomplete, or still runs, counts until now.
    pub inconsistent_ms: u64,
    /// Retries the orchestrator scheduled plus redeliveries (a queued message received again).
    pub retries: u64,
    /// Messages moved to the dead-letter queue.
    pub dead_letters: u64,
    /// Compensations that undid something (a row changed).
    pub compensations: u64,
}

/// Where a saga stands while the trace is read.
#[derive(Debug, Clone, Copy, Default)]
struct SagaState {
    outcome: Outcome,
    inconsistent_since: Option<u64>,
    inconsistent_ms: u64,
}

/// The run's outcome from each saga's: running while any runs (or with no saga), else the worst.
/// The same rule as [`crate::engine::snapshot::overall_outcome`], on outcomes instead of records.
fn overall(outcomes: impl Iterator<Item = Outcome>) -> Outcome {
    let mut any = false;
    let mut worst = Outcome::Completed;
    for outcome in outcomes {
        any = true;
        worst = match (worst, outcome) {
            (_, Outcome::Running) | (Outcome::Running, _) => Outcome::Running,
            (_, Outcome::RollbackIncomplete) | (Outcome::RollbackIncomplete, _) => {
                Outcome::RollbackIncomplete
            }
            (_, Outcome::AwaitingPerson) | (Outcome::AwaitingPerson, _) => Outcome::AwaitingPerson,
            (_, Outcome::Compensated) | (Outcome::Compensated, _) => Outcome::Compensated,
            _ => Outcome::Completed,
        };
    }
    if any {
        worst
    } else {
        Outcome::Running
    }
}

/// The figures of a run of `sagas` sagas at `now_ms`, from its trace (events after `now_ms` are
/// not read).
///
/// `inconsistent_ms` is the time the data spent inconsistent, summed over the sagas: each saga
/// counts from its first local change (a `TaskApplied` that changed a row) until it ends
/// completed or compensated; one that ends with its rollback incomplete, or still runs, counts
/// until `now_ms`. A saga that changes data again after it ended (a cancellation, a redrive)
/// counts again from that change.
pub fn figures(trace: &[Event], sagas: usize, now_ms: u64) -> Figures {
    let mut states = vec![SagaState::default(); sagas];
    let mut f = Figures {
        outcome: Outcome::Running,
        messages: 0,
        finished_ms: None,
        inconsistent_ms: 0,
        retries: 0,
        dead_letters: 0,
        compensations: 0,
    };
    let mut last_end = None;
    for event in trace.iter().take_while(|e| e.at_ms <= now_ms) {
        let state = event.saga.and_then(|s| states.get_mut(s));
        match &event.kind {
            EventKind::MessageSent { from, body, .. } => {
                f.messages += 1;
                // The orchestrator commanding a saga whose rollback was incomplete: a redrive.
                if let (Node::Orchestrator, Body::Command { .. }, Some(state)) = (from, body, state)
                {
                    if state.outcome == Outcome::RollbackIncomplete {
                        state.outcome = Outcome::Running;
                    }
                }
            }
            EventKind::RetryScheduled { .. } => f.retries += 1,
            EventKind::Received { receive_count, .. } if *receive_count > 1 => f.retries += 1,
            EventKind::DeadLettered { .. } => f.dead_letters += 1,
            EventKind::Redriven { .. } => {
                if let Some(state) = state {
                    if matches!(
                        state.outcome,
                        Outcome::RollbackIncomplete | Outcome::AwaitingPerson
                    ) {
                        state.outcome = Outcome::Running;
                    }
                }
            }
            EventKind::CompensationBegun {
                reason: CompensationReason::CancelledAfterCompletion,
            } => {
                if let Some(state) = state {
                    state.outcome = Outcome::Running;
                }
            }
            EventKind::TaskApplied {
                task,
                result,
                changed: true,
                ..
            } => {
                if let Some(state) = state {
                    state.inconsistent_since.get_or_insert(event.at_ms);
                }
                if matches!(task, Task::Compensate(_)) && *result == TaskResult::Done {
                    f.compensations += 1;
                }
            }
            EventKind::SagaEnded { outcome } => {
                last_end = Some(event.at_ms);
                if let Some(state) = state {
                    state.outcome = *outcome;
                    if matches!(outcome, Outcome::Completed | Outcome::Compensated) {
                        if let Some(since) = state.inconsistent_since.take() {
                            state.inconsistent_ms += event.at_ms.saturating_sub(since);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for state in &states {
        f.inconsistent_ms += state.inconsistent_ms;
        if let Some(since) = state.inconsistent_since {
            f.inconsistent_ms += now_ms.saturating_sub(since);
        }
    }
    f.outcome = overall(states.iter().map(|s| s.outcome));
    if f.outcome.is_final() {
        f.finished_ms = last_end;
    }
    f
}

/// How good an outcome is, for the comparison: completed best, running worst.
fn outcome_rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Completed => 3,
        Outcome::Compensated => 2,
        Outcome::AwaitingPerson => 1,
        Outcome::RollbackIncomplete => 1,
        Outcome::Running => 0,
    }
}

/// One figure (a column of the table): its name, label, the two cells' raw values and texts, and
/// which side is better.
struct Column {
    figure: &'static str,
    label: &'static str,
    values: [String; 2],
    texts: [String; 2],
    better: Option<usize>,
    /// The word beside the ✓ of the better value.
    word: &'static str,
}

/// The side whose key is smaller, if they differ.
fn smaller(a: u64, b: u64) -> Option<usize> {
    match a.cmp(&b) {
        std::cmp::Ordering::Less => Some(0),
        std::cmp::Ordering::Greater => Some(1),
        std::cmp::Ordering::Equal => None,
    }
}

fn count_column(figure: &'static str, label: &'static str, a: u64, b: u64, both: bool) -> Column {
    Column {
        figure,
        label,
        values: [a.to_string(), b.to_string()],
        texts: [a.to_string(), b.to_string()],
        better: if both { smaller(a, b) } else { None },
        word: "fewer",
    }
}

/// The table that compares a run under orchestration with the same run under choreography.
///
/// `settled` says, per style, whether the run has come to rest; a figure that is not known yet
/// reads "running…" (or "—" when the run rested without it), and the better value of a row is
/// marked (✓ and a word) only once both runs have come to rest.
pub fn compare_html(orchestration: &Figures, choreography: &Figures, settled: [bool; 2]) -> String {
    let figs = [orchestration, choreography];
    let both = settled[0] && settled[1];
    let unknown = |side: usize| {
        if settled[side] {
            "—".to_string()
        } else {
            "running…".to_string()
        }
    };
    let outcome_cell = |side: usize| {
        let o = figs[side].outcome;
        if o == Outcome::Running && !settled[side] {
            "running…".to_string()
        } else {
            let (icon, text, _) = outcome_text(o);
            format!("{icon} {text}")
        }
    };
    let finished = |side: usize| {
        figs[side]
            .finished_ms
            .map(seconds)
            .unwrap_or_else(|| unknown(side))
    };
    let columns = [
        Column {
            figure: "outcome",
            label: "Outcome",
            values: [
                orchestration.outcome.as_str().to_string(),
                choreography.outcome.as_str().to_string(),
            ],
            texts: [outcome_cell(0), outcome_cell(1)],
            better: if both {
                smaller(
                    u64::from(outcome_rank(choreography.outcome)),
                    u64::from(outcome_rank(orchestration.outcome)),
                )
            } else {
                None
            },
            word: "better",
        },
        count_column(
            "messages",
            "Messages sent",
            orchestration.messages,
            choreography.messages,
            both,
        ),
        Column {
            figure: "finished",
            label: "Finished at",
            values: [
                orchestration
                    .finished_ms
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                choreography
                    .finished_ms
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
            ],
            texts: [finished(0), finished(1)],
            better: match (both, orchestration.finished_ms, choreography.finished_ms) {
                (true, Some(a), Some(b)) => smaller(a, b),
                _ => None,
            },
            word: "sooner",
        },
        Column {
            figure: "inconsistent",
            label: "Half done, visible*",
            values: [
                orchestration.inconsistent_ms.to_string(),
                choreography.inconsistent_ms.to_string(),
            ],
            texts: [
                seconds(orchestration.inconsistent_ms),
                seconds(choreography.inconsistent_ms),
            ],
            better: if both {
                smaller(orchestration.inconsistent_ms, choreography.inconsistent_ms)
            } else {
                None
            },
            word: "shorter",
        },
        count_column(
            "retries",
            "Retries and redeliveries",
            orchestration.retries,
            choreography.retries,
            both,
        ),
        count_column(
            "dead-letters",
            "Dead letters",
            orchestration.dead_letters,
            choreography.dead_letters,
            both,
        ),
        count_column(
            "compensations",
            "Compensations",
            orchestration.compensations,
            choreography.compensations,
            both,
        ),
    ];
    // One row per style and one column per figure: two rows stay short enough to sit under the
    // two diagrams on a 1280 × 720 projector, and a column reads as one comparison.
    let mut out = Html::with_capacity(4096);
    out.push(r#"<table class="compare" data-testid="compare"><caption class="compare__caption">The same scenario, seed and faults under both styles. A ✓ marks the better value in each column once both runs have come to rest.</caption><thead><tr><th scope="col">Style</th>"#);
    for column in &columns {
        out.push(r#"<th scope="col" data-figure=""#)
            .push(column.figure)
            .push(r#"">"#)
            .push_text(column.label)
            .push("</th>");
    }
    out.push("</tr></thead><tbody>");
    for (side, (style, name)) in [
        ("orchestration", "Orchestration"),
        ("choreography", "Choreography"),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(r#"<tr data-style=""#)
            .push(style)
            .push(r#""><th scope="row">"#)
            .push(name)
            .push("</th>");
        for column in &columns {
            let better = column.better == Some(side);
            out.push(r#"<td data-figure=""#)
                .push(column.figure)
                .push(r#"" data-style=""#)
                .push(style)
                .push(r#"""#)
                .push_attr("data-value", &column.values[side])
                .push(if better {
                    r#" class="compare__better" data-better="true""#
                } else {
                    ""
                })
                .push(">")
                .push_text(&column.texts[side]);
            if better {
                out.push(r#" <span class="compare__mark">✓ "#)
                    .push(column.word)
                    .push("</span>");
            }
            out.push("</td>");
        }
        out.push("</tr>");
    }
    out.push(r#"</tbody><tfoot><tr><td colspan=""#)
        .push_plain(columns.len() + 1)
        .push(r#"" class="compare__note">* Half done, visible: how long other sagas could see a saga half done, summed over the sagas, from its first local change until it completes or is compensated (one still running or with an incomplete rollback counts until now). Each service's own database stays consistent throughout. Retries include the queues' redeliveries.</td></tr></tfoot></table>"#);
    out.into_string()
}

#[cfg(test)]
mod tests;
