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
            label: "Time inconsistent*",
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
        .push(r#"" class="compare__note">* Time inconsistent: summed over the sagas, from a saga's first local change until it completes or is compensated (one still running or with an incomplete rollback counts until now). Retries include the queues' redeliveries.</td></tr></tfoot></table>"#);
    out.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::{Coordination, Storage};
    use crate::engine::sim::Simulation;
    use crate::engine::snapshot::overall_outcome;

    const BOTH: [Coordination; 2] = [Coordination::Orchestration, Coordination::Choreography];

    use crate::view::testing::played as run;

    fn of(sim: &Simulation) -> Figures {
        figures(sim.trace(), sim.sagas().len(), sim.now_ms())
    }

    fn count(sim: &Simulation, pred: impl Fn(&EventKind) -> bool) -> u64 {
        sim.trace().iter().filter(|e| pred(&e.kind)).count() as u64
    }

    fn first_change(sim: &Simulation) -> u64 {
        sim.trace()
            .iter()
            .find(|e| matches!(e.kind, EventKind::TaskApplied { changed: true, .. }))
            .unwrap()
            .at_ms
    }

    #[test]
    fn the_outcome_agrees_with_the_engine_at_every_moment() {
        for preset in presets::PRESETS {
            for c in BOTH {
                if !preset.runs_in(c) {
                    continue;
                }
                let scenario = presets::scenario(preset.id, c, Storage::PerService, 1).unwrap();
                let mut sim = Simulation::new(scenario).unwrap();
                let mut steps = 0;
                loop {
                    let f = of(&sim);
                    assert_eq!(
                        f.outcome,
                        overall_outcome(sim.sagas()),
                        "{} {c:?} at {} ms",
                        preset.id,
                        sim.now_ms()
                    );
                    assert_eq!(f.finished_ms.is_some(), f.outcome.is_final());
                    steps += 1;
                    if !sim.step() || steps > 5000 {
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn the_happy_path_completes_in_both_styles() {
        for c in BOTH {
            let sim = run("happy-path", c);
            let f = of(&sim);
            assert_eq!(f.outcome, Outcome::Completed);
            assert_eq!(
                f.messages,
                count(&sim, |k| matches!(k, EventKind::MessageSent { .. }))
            );
            assert!(f.messages > 0);
            let end = sim.sagas()[0].ended_ms.unwrap();
            assert_eq!(f.finished_ms, Some(end));
            // One saga, consistent again at completion: inconsistent from its first change.
            assert_eq!(f.inconsistent_ms, end - first_change(&sim));
            assert!(f.inconsistent_ms > 0);
            assert_eq!((f.retries, f.dead_letters, f.compensations), (0, 0, 0));
        }
    }

    #[test]
    fn a_declined_card_is_compensated_and_was_inconsistent_for_a_while() {
        for c in BOTH {
            let sim = run("card-declined", c);
            let f = of(&sim);
            assert_eq!(f.outcome, Outcome::Compensated);
            let finished = f.finished_ms.unwrap();
            assert!(
                f.inconsistent_ms > 0 && f.inconsistent_ms < finished,
                "{f:?}"
            );
            assert_eq!(f.inconsistent_ms, finished - first_change(&sim));
            // The PENDING reservation was cancelled: one compensation changed something.
            assert_eq!(f.compensations, 1, "{c:?}");
        }
    }

    #[test]
    fn slot_taken_counts_two_compensations() {
        for c in BOTH {
            let f = of(&run("slot-taken", c));
            assert_eq!(f.outcome, Outcome::Compensated);
            assert_eq!(f.compensations, 2, "{c:?}");
        }
    }

    #[test]
    fn retries_and_dead_letters_are_counted() {
        let sim = run("transient-payment", Coordination::Orchestration);
        let f = of(&sim);
        assert_eq!(
            f.retries,
            count(&sim, |k| matches!(k, EventKind::RetryScheduled { .. }))
        );
        assert!(f.retries >= 2, "{f:?}");
        let sim = run("transient-payment", Coordination::Choreography);
        let f = of(&sim);
        assert_eq!(
            f.retries,
            count(
                &sim,
                |k| matches!(k, EventKind::Received { receive_count, .. } if *receive_count > 1)
            )
        );
        assert!(f.retries >= 2, "{f:?}");
        let sim = run("poison-redrive", Coordination::Choreography);
        let f = of(&sim);
        assert!(f.dead_letters >= 1);
        assert_eq!(
            f.dead_letters,
            count(&sim, |k| matches!(k, EventKind::DeadLettered { .. }))
        );
    }

    #[test]
    fn an_incomplete_rollback_counts_until_now() {
        for c in BOTH {
            let sim = run("compensation-fails", c);
            let f = of(&sim);
            assert_eq!(f.outcome, Outcome::RollbackIncomplete);
            assert_eq!(f.inconsistent_ms, sim.now_ms() - first_change(&sim));
            let later = figures(sim.trace(), 1, sim.now_ms() + 5_000);
            assert_eq!(later.inconsistent_ms, f.inconsistent_ms + 5_000);
        }
    }

    #[test]
    fn two_sagas_add_up() {
        for c in BOTH {
            let sim = run("two-customers", c);
            let f = of(&sim);
            assert_eq!(f.outcome, overall_outcome(sim.sagas()));
            let one = |saga: usize| {
                let trace: Vec<Event> = sim
                    .trace()
                    .iter()
                    .filter(|e| e.saga == Some(saga))
                    .cloned()
                    .collect();
                figures(&trace, 2, sim.now_ms()).inconsistent_ms
            };
            assert_eq!(f.inconsistent_ms, one(0) + one(1));
            let last = sim.sagas().iter().filter_map(|s| s.ended_ms).max();
            assert_eq!(f.finished_ms, last);
        }
    }

    #[test]
    fn a_run_cut_short_is_still_running() {
        for c in BOTH {
            let whole = run("card-declined", c);
            let end = whole.sagas()[0].ended_ms.unwrap();
            let scenario = presets::scenario("card-declined", c, Storage::PerService, 1).unwrap();
            let mut sim = Simulation::new(scenario).unwrap();
            sim.drive(end / 2);
            let f = of(&sim);
            assert_eq!(f.outcome, Outcome::Running);
            assert_eq!(f.finished_ms, None);
            // The same figures from the whole trace read up to the same moment.
            assert_eq!(
                figures(whole.trace(), 1, sim.now_ms()),
                f,
                "{c:?} at {}",
                sim.now_ms()
            );
            let html = compare_html(&f, &f, [false, false]);
            for style in ["orchestration", "choreography"] {
                assert!(html.contains(&format!(
                    r#"<td data-figure="outcome" data-style="{style}" data-value="running">running…</td>"#
                )));
                assert!(html.contains(&format!(
                    r#"<td data-figure="finished" data-style="{style}" data-value="">running…</td>"#
                )));
            }
            assert!(!html.contains("compare__better"));
            let html = compare_html(&f, &of(&whole), [false, true]);
            assert!(
                !html.contains("compare__better"),
                "marks wait for both runs"
            );
        }
    }

    /// The cells of one figure's column, orchestration first.
    fn column<'a>(html: &'a str, figure: &str) -> Vec<&'a str> {
        let start = format!(r#"<td data-figure="{figure}""#);
        html.match_indices(&start)
            .filter_map(|(at, _)| html[at..].split_once("</td>").map(|(cell, _)| cell))
            .collect()
    }

    #[test]
    fn the_table_marks_the_better_value_in_words() {
        // Retries make the two styles send different numbers of messages (on the happy path
        // they happen to send as many).
        let o = of(&run("transient-payment", Coordination::Orchestration));
        let ch = of(&run("transient-payment", Coordination::Choreography));
        let html = compare_html(&o, &ch, [true, true]);
        assert!(html.starts_with(r#"<table class="compare" data-testid="compare"><caption"#));
        // A row per style, a column per figure, in this order.
        assert_eq!(html.matches("<tr data-style=").count(), 2);
        let figures = [
            "outcome",
            "messages",
            "finished",
            "inconsistent",
            "retries",
            "dead-letters",
            "compensations",
        ];
        let mut last = 0;
        for figure in figures {
            let header = html
                .find(&format!(r#"<th scope="col" data-figure="{figure}">"#))
                .unwrap();
            assert!(header > last, "{figure} in order");
            last = header;
            let cells = column(&html, figure);
            assert_eq!(cells.len(), 2, "{figure}");
            assert!(cells[0].contains(r#"data-style="orchestration""#));
            assert!(cells[1].contains(r#"data-style="choreography""#));
        }
        assert!(html.contains(r#"colspan="8""#));
        assert!(html.contains(&format!(
            r#"<td data-figure="messages" data-style="orchestration" data-value="{}""#,
            o.messages
        )));
        assert!(html.contains(r#"data-value="completed">✓ Completed</td>"#));
        // The side with fewer messages carries the mark, in words as well as colour.
        let fewer = if o.messages < ch.messages {
            "orchestration"
        } else {
            "choreography"
        };
        assert_ne!(o.messages, ch.messages);
        let cells = column(&html, "messages");
        let marked: Vec<_> = cells
            .iter()
            .filter(|c| c.contains("compare__better"))
            .collect();
        assert_eq!(marked.len(), 1);
        assert!(marked[0].contains(&format!(
            r#"data-style="{fewer}" data-value="{}" class="compare__better" data-better="true">"#,
            o.messages.min(ch.messages)
        )));
        assert!(marked[0].contains("✓ fewer"));
        // Equal values: no mark.
        assert!(column(&html, "outcome")
            .iter()
            .all(|c| !c.contains("compare__better")));
        assert!(html.contains("first local change"));
    }

    #[test]
    fn the_better_outcome_wins_its_column() {
        let done = of(&run("happy-path", Coordination::Orchestration));
        let undone = of(&run("card-declined", Coordination::Choreography));
        let html = compare_html(&undone, &done, [true, true]);
        assert!(html.contains(r#"<td data-figure="outcome" data-style="choreography" data-value="completed" class="compare__better" data-better="true">✓ Completed <span class="compare__mark">✓ better</span></td>"#));
        assert!(html.contains(r#"data-value="compensated">↩ Compensated</td>"#));
    }
}
