//! The narration tells what happened: every claim a line of the event log makes is checked
//! against the trace, over every preset in both styles and over random schedules.
//!
//! The checker reads only the trace (and the scenario's data: which step charges the card,
//! which is the pivot); it shares nothing with the narration's own reasoning. A claim is a
//! phrase the narration may write:
//!
//! - a saga named by letter, "another saga", "other saga": another saga is involved, as the
//!   event kind says (it holds the record's flag, wrote it in between, booked the slot);
//! - "refunded", "refunds": this saga's charge was refunded by then ("any charge … refunded"
//!   only while no charge of it stands); "nothing charged": none was taken;
//! - "semantic lock" (or the idea linked): a PENDING flag or a booking of an unfinished saga
//!   decided, or the reservation's own PENDING state is set;
//! - "forward recovery" (or the idea linked): a step after the pivot failed or was retried;
//! - "(attempt N)", "(receive N)", "in X s", "waited X s", "failed it N times": the counts and
//!   the waits the trace shows.
//!
//! Each check is shown to fail on a line doctored to claim what did not happen.
//! `SAGASCOPE_NARRATION_SCHEDULES` sets how many random schedules (1,000 by default).

mod common;

use common::played;
use common::random::random_scenario;
use common::words::{duration_after, number_after};
use sagascope::engine::definition::{Operation, StepKind};
use sagascope::engine::event::{Event, EventKind, FailReason, Outcome};
use sagascope::engine::message::{Body, Message, Node, SagaId, Task};
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::shared::Record;
use sagascope::engine::{Scenario, Simulation, Storage};
use sagascope::view::html::{lines, Line};
use sagascope::view::story::Idea;

/// What the checker reads: the trace and the scenario's data.
struct Run<'a> {
    trace: &'a [Event],
    scenario: &'a Scenario,
    messages: &'a [Message],
}

/// The letter the page gives a saga (A for the first).
fn letter(saga: SagaId) -> char {
    char::from(b'A' + u8::try_from(saga % 26).unwrap_or(0))
}

/// The letters of the sagas a text names ("saga B", "Saga C").
fn named_sagas(text: &str) -> Vec<char> {
    let lower = text.to_lowercase();
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("saga ") {
        let i = from + at + 5;
        let is_letter = bytes.get(i).is_some_and(u8::is_ascii_uppercase);
        let alone = bytes.get(i + 1).is_none_or(|b| !b.is_ascii_alphanumeric());
        if is_letter && alone {
            found.push(char::from(bytes[i]));
        }
        from = i;
    }
    found
}

/// The number after `prefix` in `text` ("(attempt " → 3).
/// Whether `said` (as the narration writes durations, truncated to a tenth of a second)
/// describes `actual` milliseconds.
fn same_duration(said: u64, actual: u64) -> bool {
    actual >= said && actual < said + 100
}

impl Run<'_> {
    fn step_of(&self, op: Operation) -> Option<usize> {
        self.scenario
            .definition
            .steps
            .iter()
            .position(|s| s.action == op)
    }

    fn after_pivot(&self, task: Task) -> bool {
        match task {
            Task::Action(s) => self
                .scenario
                .definition
                .steps
                .get(s)
                .is_some_and(|d| d.kind == StepKind::Retriable),
            Task::FailureNotice => true,
            Task::Compensate(_) => false,
        }
    }

    fn started(&self, saga: SagaId, before: usize) -> bool {
        self.trace[..before]
            .iter()
            .any(|e| e.saga == Some(saga) && matches!(e.kind, EventKind::SagaStarted))
    }

    /// Whether `saga` had completed or been compensated by `before`, and not begun again since
    /// (a cancellation saga after completion, a redrive, or a late copy of one of its requests
    /// being handled): a saga keeps its flags until then, and a handling holds one while it runs.
    fn settled(&self, saga: SagaId, before: usize) -> bool {
        let mut settled = false;
        for e in self.trace[..before].iter().filter(|e| e.saga == Some(saga)) {
            match e.kind {
                EventKind::SagaEnded { outcome } => {
                    settled = matches!(outcome, Outcome::Completed | Outcome::Compensated);
                }
                EventKind::CompensationBegun { .. } | EventKind::RecordRead { .. } => {
                    settled = false
                }
                _ => {}
            }
        }
        settled
    }

    /// Whether `saga` had ended by `before` and done nothing since (a redrive or a cancellation
    /// saga sets it going again).
    fn ended(&self, saga: SagaId, before: usize) -> bool {
        let mut ended = false;
        for e in self.trace[..before].iter().filter(|e| e.saga == Some(saga)) {
            match e.kind {
                EventKind::SagaEnded { outcome } => ended = outcome != Outcome::Running,
                EventKind::TaskStarted { .. }
                | EventKind::TaskApplied { .. }
                | EventKind::CompensationBegun { .. } => ended = false,
                _ => {}
            }
        }
        ended
    }

    /// The record `saga`'s task last read before `before`, and where.
    fn last_read(
        &self,
        saga: Option<SagaId>,
        task: Task,
        before: usize,
    ) -> Option<(usize, &Record)> {
        self.trace[..before]
            .iter()
            .enumerate()
            .rev()
            .find_map(|(j, e)| match &e.kind {
                EventKind::RecordRead {
                    task: t, record, ..
                } if e.saga == saga && *t == task => Some((j, record.as_ref())),
                _ => None,
            })
    }

    /// Sagas other than `saga` that read or wrote `record` in `range`.
    fn touched_by_others(
        &self,
        saga: Option<SagaId>,
        record: &Record,
        range: std::ops::Range<usize>,
        writes_only: bool,
    ) -> Vec<SagaId> {
        let mut found = Vec::new();
        for e in &self.trace[range] {
            let on = match &e.kind {
                EventKind::RecordWritten { record: r, .. } => r.as_ref() == record,
                EventKind::RecordRead { record: r, .. } => !writes_only && r.as_ref() == record,
                _ => false,
            };
            if let Some(other) = e.saga.filter(|s| on && Some(*s) != saga) {
                if !found.contains(&other) {
                    found.push(other);
                }
            }
        }
        found
    }

    /// Whether `saga`'s `op` took effect (changed something) before `before`.
    fn took_effect(&self, saga: Option<SagaId>, task: Task, before: usize) -> bool {
        self.trace[..before].iter().any(|e| {
            e.saga == saga
                && matches!(e.kind, EventKind::TaskApplied { task: t, changed: true, .. } if t == task)
        })
    }

    /// The non-duplicate commands the orchestrator sent for a saga's task in `range`: (index,
    /// attempt).
    fn commands(
        &self,
        saga: Option<SagaId>,
        task: Task,
        range: std::ops::Range<usize>,
    ) -> Vec<(usize, u32)> {
        let start = range.start;
        self.trace[range]
            .iter()
            .enumerate()
            .filter_map(|(j, e)| match &e.kind {
                EventKind::MessageSent {
                    from: Node::Orchestrator,
                    body:
                        Body::Command {
                            task: t, attempt, ..
                        },
                    duplicate: false,
                    ..
                } if e.saga == saga && *t == task => Some((start + j, *attempt)),
                _ => None,
            })
            .collect()
    }

    /// How many times the queue delivered `message` before `upto`, since it was last redriven
    /// (a redrive starts its count again).
    fn receives(&self, message: sagascope::engine::message::MessageId, upto: usize) -> u64 {
        let since = self.trace[..upto]
            .iter()
            .rposition(|e| matches!(e.kind, EventKind::Redriven { message: m, .. } if m == message))
            .map_or(0, |j| j + 1);
        self.trace[since..upto]
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Received { message: m, .. } if m == message))
            .count() as u64
    }

    /// Checks every claim of the line told for `self.trace[i]`.
    fn check(&self, i: usize, line: &Line) -> Result<(), String> {
        let event = &self.trace[i];
        let saga = event.saga;
        let said = format!("{} {}", line.story.text, line.story.why);
        let lower = said.to_lowercase();
        self.check_sagas(i, event, &said, &lower)?;
        self.check_money(i, saga, &lower)?;
        self.check_lock(i, event, &lower, line.story.idea)?;
        self.check_forward(i, saga, &lower, line.story.idea)?;
        self.check_counts(i, event, &line.story.text, &line.story.why)
    }

    fn check_sagas(&self, i: usize, event: &Event, said: &str, lower: &str) -> Result<(), String> {
        let saga = event.saga;
        let others: Vec<SagaId> = (0..self.scenario.sagas.len())
            .filter(|s| Some(*s) != saga && self.started(*s, i))
            .collect();
        for named in named_sagas(said) {
            if Some(named) == saga.map(letter) {
                continue;
            }
            if !others.iter().any(|s| letter(*s) == named) {
                return Err(format!("names saga {named}, which had not started"));
            }
        }
        if (lower.contains("another saga") || lower.contains("other saga")) && others.is_empty() {
            return Err("speaks of another saga, but no other saga had started".to_string());
        }
        match &event.kind {
            EventKind::RecordRead {
                record,
                pending: Some(holder),
                ..
            } => {
                if Some(*holder) == saga {
                    // The saga's own flag: nothing to say of another saga.
                    if lower.contains("another saga")
                        || named_sagas(said).contains(&letter(*holder))
                    {
                        return Err("names the saga's own flag as another saga's".to_string());
                    }
                    return Ok(());
                }
                let touched = self.touched_by_others(saga, record, 0..i, false);
                if !touched.contains(holder) || self.settled(*holder, i) {
                    return Err(format!(
                        "says saga {} holds the record's flag, but it had not touched it or had ended",
                        letter(*holder)
                    ));
                }
            }
            EventKind::TaskFailed {
                task,
                reason: FailReason::RecordLocked,
                ..
            } => {
                // The flag is judged when the task read the record.
                let (j, record) = self
                    .last_read(saga, *task, i)
                    .ok_or("a locked record this saga never read")?;
                if !lower.contains("another saga") {
                    // Then it speaks of another handling of the same saga's: there must be one
                    // that read the record too.
                    let other_handling = self.trace[..i].iter().enumerate().any(|(k, e)| {
                        k != j
                            && e.saga == saga
                            && matches!(&e.kind, EventKind::RecordRead { record: r, .. } if r.as_ref() == record)
                    });
                    if !other_handling {
                        return Err(
                            "speaks of another handling of this saga's, but there was none"
                                .to_string(),
                        );
                    }
                    return Ok(());
                }
                // At the read, or since then (a flag set after the read counts too).
                let holders: Vec<SagaId> = self
                    .touched_by_others(saga, record, 0..i, false)
                    .into_iter()
                    .filter(|s| !self.settled(*s, j) || !self.settled(*s, i))
                    .collect();
                if holders.is_empty() {
                    return Err(
                        "says another saga's update is PENDING, but none is under way".to_string(),
                    );
                }
            }
            EventKind::TaskFailed {
                task,
                reason: FailReason::RecordChanged,
                ..
            } => {
                let (_, record) = self
                    .last_read(saga, *task, i)
                    .ok_or("a changed record this saga never read")?;
                // The handling that failed may be an earlier one than the last to read (a repeat
                // read after it): another saga wrote after one of this task's reads.
                let reads: Vec<usize> = (0..i)
                    .filter(|&k| {
                        self.trace[k].saga == saga
                            && matches!(&self.trace[k].kind, EventKind::RecordRead { task: t, record: r, .. } if t == task && r.as_ref() == record)
                    })
                    .collect();
                let other = reads
                    .iter()
                    .any(|&k| !self.touched_by_others(saga, record, k..i, true).is_empty());
                if lower.contains("another saga") && !other {
                    return Err("says another saga wrote in between, but none did".to_string());
                }
                let own = reads.first().is_some_and(|&k| {
                    self.trace[k..i].iter().any(|e| {
                        e.saga == saga
                            && matches!(&e.kind, EventKind::RecordWritten { record: r, .. } if r.as_ref() == record)
                    })
                });
                if !lower.contains("another saga") && !own {
                    return Err(
                        "says this saga's own request wrote in between, but none did".to_string(),
                    );
                }
            }
            EventKind::RecordWritten {
                task,
                record,
                based_on,
                before,
                ..
            } if based_on != before => {
                let (j, _) = self
                    .last_read(saga, *task, i)
                    .ok_or("a write on a value this saga never read")?;
                if self.touched_by_others(saga, record, j..i, true).is_empty() {
                    return Err("says another saga's write is lost, but none wrote".to_string());
                }
            }
            EventKind::TaskApplied {
                task: Task::Action(step),
                ..
            } if Some(*step) == self.step_of(Operation::BookSlot) => {
                for named in named_sagas(said) {
                    let Some(other) = others.iter().copied().find(|s| letter(*s) == named) else {
                        continue;
                    };
                    if !self.took_effect(Some(other), Task::Action(*step), i) {
                        return Err(format!("says saga {named} booked the slot, but it had not"));
                    }
                }
                if lower.contains("has not finished")
                    && named_sagas(said)
                        .iter()
                        .filter_map(|n| others.iter().find(|s| letter(**s) == *n))
                        .all(|s| self.ended(*s, i))
                {
                    return Err("says the slot's holder has not finished, but it had".to_string());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_money(&self, i: usize, saga: Option<SagaId>, lower: &str) -> Result<(), String> {
        let Some(charge) = self.step_of(Operation::ChargeCard) else {
            return Ok(());
        };
        let charged = self.took_effect(saga, Task::Action(charge), i);
        let refunded = self.took_effect(saga, Task::Compensate(charge), i + 1);
        if lower.contains("any charge of") {
            if charged && !refunded {
                return Err("says any charge was refunded, but a charge stands".to_string());
            }
        } else if (lower.contains("refunded") || lower.contains("refunds ")) && !refunded {
            return Err("says the money was refunded, but no refund took effect".to_string());
        }
        if lower.contains("nothing charged") && charged {
            return Err("says nothing was charged, but the card was charged".to_string());
        }
        Ok(())
    }

    fn check_lock(
        &self,
        i: usize,
        event: &Event,
        lower: &str,
        idea: Option<Idea>,
    ) -> Result<(), String> {
        if !lower.contains("semantic lock") && idea != Some(Idea::SemanticLock) {
            return Ok(());
        }
        let flags = self.scenario.safeguards.semantic_lock || self.scenario.safeguards.by_value;
        let ok = match &event.kind {
            // The reservation's own PENDING state.
            EventKind::TaskApplied {
                task: Task::Action(step),
                changed: true,
                ..
            } => Some(*step) == self.step_of(Operation::CreateReservation),
            // A PENDING flag made the saga wait (checked by `check_sagas`).
            EventKind::RecordRead {
                pending: Some(_), ..
            } => flags,
            EventKind::TaskFailed {
                reason: FailReason::RecordLocked,
                ..
            } => flags,
            // A slot refused because an unfinished saga booked it.
            EventKind::TaskApplied {
                task: Task::Action(step),
                ..
            } if Some(*step) == self.step_of(Operation::BookSlot) => {
                self.scenario.safeguards.semantic_lock
                    && (0..self.scenario.sagas.len()).any(|s| {
                        Some(s) != event.saga
                            && self.took_effect(Some(s), Task::Action(*step), i)
                            && !self.ended(s, i)
                    })
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(
                "speaks of the semantic lock, but no PENDING flag or unfinished booking decided"
                    .to_string(),
            )
        }
    }

    fn check_forward(
        &self,
        i: usize,
        saga: Option<SagaId>,
        lower: &str,
        idea: Option<Idea>,
    ) -> Result<(), String> {
        if !lower.contains("forward recovery") && idea != Some(Idea::ForwardRecovery) {
            return Ok(());
        }
        let retried = self.trace[..=i].iter().any(|e| {
            e.saga == saga
                && match e.kind {
                    EventKind::TaskStarted { task, attempt } => {
                        attempt > 1 && self.after_pivot(task)
                    }
                    EventKind::TaskFailed { task, .. } | EventKind::TimedOut { task, .. } => {
                        self.after_pivot(task)
                    }
                    _ => false,
                }
        });
        if retried {
            Ok(())
        } else {
            Err(
                "speaks of forward recovery, but no step after the pivot failed or was retried"
                    .to_string(),
            )
        }
    }

    fn check_counts(&self, i: usize, event: &Event, text: &str, why: &str) -> Result<(), String> {
        let saga = event.saga;
        match &event.kind {
            EventKind::RetryScheduled { task, .. } => {
                let n = number_after(text, "(attempt ").ok_or("a retry without its attempt")?;
                // A person's redrive starts the task's attempts again.
                let since = self.trace[..i]
                    .iter()
                    .rposition(|e| {
                        e.saga == saga
                            && matches!(e.kind, EventKind::ManualIntervention { task: t, .. } if t == *task)
                    })
                    .map_or(0, |j| j + 1);
                let tried: Vec<(usize, u32)> = self.commands(saga, *task, since..i);
                let most = tried.iter().map(|(_, a)| u64::from(*a)).max().unwrap_or(0);
                if n != most + 1 {
                    return Err(format!(
                        "names attempt {n}, but {most} attempt(s) were sent"
                    ));
                }
                let wait = duration_after(text, " in ").ok_or("a retry without its wait")?;
                let crashed = |to: usize| {
                    self.trace[i..to]
                        .iter()
                        .any(|e| matches!(e.kind, EventKind::OrchestratorCrashed))
                };
                if let Some((j, _)) = self
                    .commands(saga, *task, i..self.trace.len())
                    .into_iter()
                    .find(|(_, a)| u64::from(*a) == n)
                {
                    let actual = self.trace[j].at_ms - event.at_ms;
                    if !crashed(j) && !same_duration(wait, actual) {
                        return Err(format!(
                            "says the retry waits {wait} ms, but it came after {actual} ms"
                        ));
                    }
                }
            }
            EventKind::TaskStarted { task, .. } if text.contains("(attempt ") => {
                let n = number_after(text, "(attempt ").ok_or("no attempt")?;
                // The orchestrator starts an attempt as it sends its command, at the same moment.
                let sent = self.commands(saga, *task, 0..self.trace.len());
                if !sent
                    .iter()
                    .any(|(j, a)| u64::from(*a) == n && self.trace[*j].at_ms == event.at_ms)
                {
                    return Err(format!("names attempt {n}, but no such command was sent"));
                }
            }
            EventKind::TimedOut { task, .. } => {
                let n = number_after(text, "(attempt ").ok_or("a timeout without its attempt")?;
                let (j, attempt) = *self
                    .commands(saga, *task, 0..i)
                    .last()
                    .ok_or("a timeout for a command never sent")?;
                if u64::from(attempt) != n {
                    return Err(format!(
                        "names attempt {n}, but the last command was attempt {attempt}"
                    ));
                }
                let wait = duration_after(why, "waited ").ok_or("a timeout without its wait")?;
                let actual = event.at_ms - self.trace[j].at_ms;
                if !same_duration(wait, actual) {
                    return Err(format!(
                        "says it waited {wait} ms, but the command went {actual} ms before"
                    ));
                }
            }
            EventKind::Received { message, .. } if text.contains("(receive ") => {
                let n = number_after(text, "(receive ").ok_or("no receive")?;
                let seen = self.receives(*message, i + 1);
                if n != seen {
                    return Err(format!(
                        "names receive {n}, but the queue delivered it {seen} time(s)"
                    ));
                }
            }
            EventKind::TaskStarted { task, .. } if text.contains("(receive ") => {
                let n = number_after(text, "(receive ").ok_or("no receive")?;
                let queue = task.service(&self.scenario.definition);
                let last = self.trace[..i].iter().rev().find_map(|e| match e.kind {
                    EventKind::Received {
                        queue: q, message, ..
                    } if e.saga == saga && Some(q) == queue => Some(message),
                    _ => None,
                });
                let seen = last.map(|m| self.receives(m, i)).unwrap_or(0);
                if n != seen {
                    return Err(format!(
                        "names receive {n}, but the queue delivered it {seen} time(s)"
                    ));
                }
            }
            EventKind::DeadLettered { message, .. } => {
                // The receive that finds the count used up moves the message aside at once.
                let n = number_after(why, "failed it ").ok_or("a dead letter without its count")?;
                let last_now = self.trace[..i].iter().rev().find(
                    |e| matches!(e.kind, EventKind::Received { message: m, .. } if m == *message),
                );
                let moved_at_once = last_now.is_some_and(|e| e.at_ms == event.at_ms);
                let seen = self.receives(*message, i) - u64::from(moved_at_once);
                if n != seen {
                    return Err(format!(
                        "says it failed {n} times, but it was received {seen} time(s)"
                    ));
                }
            }
            _ => {}
        }
        let _ = self.messages;
        Ok(())
    }
}

/// Every claim of every line of a run, or the first one the trace does not bear out.
fn check_run(sim: &Simulation, told: &[Line]) -> Result<(), String> {
    let run = Run {
        trace: sim.trace(),
        scenario: sim.scenario(),
        messages: sim.messages(),
    };
    for (i, line) in told.iter().enumerate() {
        run.check(i, line).map_err(|why| {
            format!(
                "event {} ({:?}) told as {:?} / {:?}: {why}",
                i, run.trace[i].kind, line.story.text, line.story.why
            )
        })?;
    }
    Ok(())
}

fn schedules() -> u64 {
    common::env_u64("SAGASCOPE_NARRATION_SCHEDULES", 1_000)
}

#[test]
fn every_preset_is_narrated_truly_in_both_styles() {
    let mut runs = 0;
    let mut told = 0;
    for preset in PRESETS {
        for c in common::STYLES {
            if !preset.runs_in(c) {
                continue;
            }
            let scenario = presets::scenario(preset.id, c, Storage::PerService, 1).expect("preset");
            let sim = played(scenario);
            let lines = lines(&sim);
            assert_eq!(lines.len(), sim.trace().len());
            if let Err(e) = check_run(&sim, &lines) {
                panic!("{} {c:?}: {e}", preset.id);
            }
            runs += 1;
            told += lines.len();
        }
    }
    assert!(runs > 50, "{runs}");
    println!(
        "figures: narration claims, {runs} preset runs, {told} lines checked against the trace"
    );
}

#[test]
fn random_schedules_are_narrated_truly() {
    let n = schedules();
    let mut told = 0;
    for seed in 0..n {
        let scenario = random_scenario(seed);
        let sim = played(scenario.clone());
        let lines = lines(&sim);
        if let Err(e) = check_run(&sim, &lines) {
            panic!("schedule {seed}: {e}\nscenario: {}", scenario.to_json());
        }
        told += lines.len();
    }
    println!(
        "figures: narration claims, {n} random schedules, {told} lines checked against the trace"
    );
}

// --- Each check can fail: a line doctored to claim what did not happen is caught. ---

fn doctored(
    preset: &str,
    c: sagascope::engine::Coordination,
    pick: impl Fn(&Event) -> bool,
    doctor: impl Fn(&mut Line),
) -> Result<(), String> {
    let sim = played(presets::scenario(preset, c, Storage::PerService, 1).expect("preset"));
    let mut told = lines(&sim);
    check_run(&sim, &told).expect("the real narration passes");
    let i = sim
        .trace()
        .iter()
        .position(pick)
        .expect("an event to doctor");
    doctor(&mut told[i]);
    check_run(&sim, &told)
}

use sagascope::engine::Coordination::{Choreography, Orchestration};

#[test]
fn a_saga_that_does_not_exist_is_caught() {
    let e = doctored(
        "slot-taken",
        Orchestration,
        |e| matches!(e.kind, EventKind::TaskApplied { .. }),
        |l| {
            l.story.why = "Saga B booked this slot first.".to_string();
        },
    );
    assert!(e.as_ref().is_err_and(|e| e.contains("saga B")));
    let e = doctored(
        "slot-taken",
        Orchestration,
        |e| matches!(e.kind, EventKind::TaskApplied { .. }),
        |l| {
            l.story.why = "Another saga holds it.".to_string();
        },
    );
    assert!(e.as_ref().is_err_and(|e| e.contains("another saga")));
}

#[test]
fn a_refund_that_did_not_happen_is_caught() {
    let e = doctored(
        "card-declined",
        Choreography,
        |e| matches!(e.kind, EventKind::SagaEnded { .. }),
        |l| {
            l.story.why = "€40.00 refunded.".to_string();
        },
    );
    assert!(e.as_ref().is_err_and(|e| e.contains("refunded")));
    let e = doctored(
        "slot-taken",
        Orchestration,
        |e| matches!(e.kind, EventKind::SagaEnded { .. }),
        |l| {
            l.story.text = "told: reservation failed, nothing charged".to_string();
        },
    );
    assert!(e.as_ref().is_err_and(|e| e.contains("nothing was charged")));
}

#[test]
fn a_semantic_lock_that_decided_nothing_is_caught() {
    let e = doctored(
        "card-declined",
        Orchestration,
        |e| matches!(e.kind, EventKind::StepRefused { .. }),
        |l| {
            l.story.idea = Some(Idea::SemanticLock);
        },
    );
    assert!(e.as_ref().is_err_and(|e| e.contains("semantic lock")));
}

#[test]
fn forward_recovery_on_the_happy_path_is_caught() {
    let e = doctored(
        "happy-path",
        Orchestration,
        |e| matches!(e.kind, EventKind::SagaEnded { .. }),
        |l| {
            l.story.why = "Retried until it worked (forward recovery).".to_string();
        },
    );
    assert!(e.as_ref().is_err_and(|e| e.contains("forward recovery")));
}

#[test]
fn a_wrong_attempt_or_wait_is_caught() {
    let retry = |e: &Event| matches!(e.kind, EventKind::RetryScheduled { .. });
    let e = doctored("transient-payment", Orchestration, retry, |l| {
        l.story.text = l.story.text.replace("(attempt 2)", "(attempt 3)");
    });
    assert!(e.as_ref().is_err_and(|e| e.contains("attempt 3")));
    let e = doctored("transient-payment", Orchestration, retry, |l| {
        l.story.text = l.story.text.replace(" in 1 s", " in 3 s");
    });
    assert!(
        e.as_ref().is_err_and(|e| e.contains("waits 3000 ms")),
        "{e:?}"
    );
    let e = doctored(
        "poison-redrive",
        Choreography,
        |e| matches!(e.kind, EventKind::DeadLettered { .. }),
        |l| {
            l.story.why = "Payment failed it 9 times.".to_string();
        },
    );
    assert!(
        e.as_ref().is_err_and(|e| e.contains("failed 9 times")),
        "{e:?}"
    );
}

#[test]
fn the_claims_are_found_in_the_words() {
    assert_eq!(
        named_sagas("Saga B and saga C, not saga Dx or sagas E"),
        vec!['B', 'C']
    );
    assert_eq!(number_after("Retry x (attempt 12)", "(attempt "), Some(12));
    assert_eq!(
        duration_after("Retry in 2.5 s (attempt 3)", " in "),
        Some(2_500)
    );
    assert_eq!(duration_after("waited 400 ms and", "waited "), Some(400));
    assert!(same_duration(2_500, 2_550) && !same_duration(2_500, 2_600));
}
