//! The watcher's checks of what the trace tells, event by event: commands per series of attempts
//! (orchestration), receives per message (choreography), losses and their causes, and each
//! step's effect and undo (at most once, in reverse order, never past the point of no return).

use crate::engine::sim::Simulation;

use super::super::vocabulary::{saga_name, Invariant};
use super::*;

impl Watcher {
    /// Invariant 4 in orchestration: commands sent per task, per series of attempts. A command
    /// repeating the last attempt after the orchestrator restarted is that attempt asked again,
    /// not a new one; the first command after the saga was listed for a person (and resumed)
    /// starts a new series.
    pub(super) fn count_command(
        &mut self,
        scenario: &Scenario,
        saga: SagaId,
        task: Task,
        attempt: u32,
        at: (u64, u64),
    ) {
        let recovery = self.last_recovery_seq;
        let w = self.saga(saga);
        let manual = w.last_manual.map(|(seq, _, _)| seq);
        let series = w.series.entry(task).or_default();
        let resumed = series.commands > 0 && manual.is_some_and(|m| m > series.last_seq);
        if resumed {
            *series = Series::default();
        }
        let asked_again = attempt <= series.last_attempt
            && attempt > 0
            && recovery.is_some_and(|r| r > series.last_seq);
        if !asked_again {
            series.commands += 1;
        }
        series.last_attempt = series.last_attempt.max(attempt);
        series.last_seq = at.1;
        let (commands, reported) = (series.commands, series.reported);
        if let Some(cap) = attempt_cap(scenario, task) {
            if commands > cap && !reported {
                if let Some(series) = self.saga(saga).series.get_mut(&task) {
                    series.reported = true;
                }
                self.broke(
                    Invariant::AttemptsWithinLimit,
                    vec![saga],
                    task.step(),
                    at,
                    format!(
                        "{}: {} was sent {commands} times in one series of attempts (max {cap})",
                        saga_name(saga),
                        step_label(scenario, task)
                    ),
                );
            }
        }
    }

    /// Invariant 4 in choreography: receives of one message that led to processing, per series.
    pub(super) fn check_receives(&mut self, sim: &Simulation, touched: &[MessageId]) {
        let max = sim.scenario().queues.max_receive_count;
        let at = (sim.now_ms(), sim.event_count().saturating_sub(1));
        for id in touched {
            let Some(m) = self.messages.get(*id as usize) else {
                continue;
            };
            if m.receives > max && !m.receives_reported {
                let (saga, receives) = (m.saga, m.receives);
                if let Some(m) = self.messages.get_mut(*id as usize) {
                    m.receives_reported = true;
                }
                self.broke(
                    Invariant::AttemptsWithinLimit,
                    vec![saga],
                    None,
                    at,
                    format!(
                        "{}: message {id} was received for processing {receives} times (max {max})",
                        saga_name(saga)
                    ),
                );
            }
        }
    }

    /// Invariant 5: a lost message must have a fault that could have lost it.
    pub(super) fn lost(&mut self, message: MessageId, reason: LossReason, at: (u64, u64)) {
        let Some(m) = self.messages.get_mut(message as usize) else {
            return;
        };
        m.fate = Fate::Lost;
        let (saga, to) = (m.saga, m.to);
        let cause = match reason {
            LossReason::Dropped => {
                if self.unused_drop_firings > 0 {
                    self.unused_drop_firings -= 1;
                    true
                } else {
                    self.faults
                        .values()
                        .any(|(spec, active)| *active && matches!(spec, FaultSpec::Chaos { .. }))
                }
            }
            LossReason::ReceiverDown => match to {
                Node::Orchestrator => self.orchestrator_down,
                Node::Service(s) | Node::Queue(s) => self.services_down.contains(&s.index()),
                _ => false,
            },
        };
        if !cause {
            self.broke(
                Invariant::NoMessageLost,
                vec![saga],
                None,
                at,
                format!(
                    "message {message} to {} was lost ({reason:?}) with no fault or outage to blame",
                    to.name()
                ),
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn applied(
        &mut self,
        scenario: &Scenario,
        saga: SagaId,
        task: Task,
        result: TaskResult,
        changed: bool,
        choreography: bool,
        at: (u64, u64),
    ) {
        let pivot = scenario.definition.pivot();
        let w = self.saga(saga);
        let mut found: Vec<(Invariant, Option<usize>, String)> = Vec::new();
        match task {
            Task::Action(s) => {
                if Some(s) == pivot {
                    if result == TaskResult::Done && changed {
                        w.pivot_done = true;
                    }
                    if result == TaskResult::BusinessFailure && choreography {
                        w.pivot_rejected = true;
                    }
                }
                if changed {
                    let n = w.actions.entry(s).or_default();
                    *n += 1;
                    if *n == 2 {
                        found.push((
                            Invariant::ActionAtMostOnce,
                            Some(s),
                            format!(
                                "{}: {} took effect a second time",
                                saga_name(saga),
                                step_label(scenario, task)
                            ),
                        ));
                    }
                }
            }
            Task::Compensate(s) if changed => {
                if w.actions.get(&s).copied().unwrap_or(0) == 0 {
                    found.push((
                        Invariant::UndoOnlyWhatWasDone,
                        Some(s),
                        format!(
                            "{}: the compensation of step {} took effect but the step never did",
                            saga_name(saga),
                            s + 1
                        ),
                    ));
                }
                let n = w.compensations.entry(s).or_default();
                *n += 1;
                if *n == 2 {
                    found.push((
                        Invariant::UndoOnlyWhatWasDone,
                        Some(s),
                        format!(
                            "{}: the compensation of step {} took effect twice",
                            saga_name(saga),
                            s + 1
                        ),
                    ));
                }
                if let Some(previous) = w.last_compensation {
                    if s >= previous {
                        found.push((
                            Invariant::EndsProperly,
                            Some(s),
                            format!(
                                "{}: step {} was undone after step {}, not in reverse order",
                                saga_name(saga),
                                s + 1,
                                previous + 1
                            ),
                        ));
                    }
                }
                w.last_compensation = Some(s);
                if w.past_the_pivot() && !w.cancellation_saga {
                    found.push((
                        Invariant::PointOfNoReturn,
                        Some(s),
                        format!(
                            "{}: step {} was undone after the pivot may have taken effect",
                            saga_name(saga),
                            s + 1
                        ),
                    ));
                }
            }
            _ => {}
        }
        for (invariant, step, detail) in found {
            self.broke(invariant, vec![saga], step, at, detail);
        }
    }
}
