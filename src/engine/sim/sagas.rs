//! Each saga as seen from outside (its record, its steps' states, the effects it had), and the
//! bookkeeping of step statuses and outcomes that both coordination styles share.

use super::Simulation;
use crate::engine::event::{AttentionReason, EventKind, Outcome};
use crate::engine::message::{SagaId, Task, TaskResult};
use crate::engine::scenario::SagaSpec;

/// A step's status as the page shows it (`data-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not begun.
    #[default]
    Idle,
    /// First attempt under way.
    Running,
    /// Failed transiently; being tried again.
    Retrying,
    /// Done.
    Succeeded,
    /// Refused, or out of retries.
    Failed,
    /// Being undone.
    Compensating,
    /// Undone.
    Compensated,
}

impl StepStatus {
    /// The `data-status` value.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Idle => "idle",
            StepStatus::Running => "running",
            StepStatus::Retrying => "retrying",
            StepStatus::Succeeded => "succeeded",
            StepStatus::Failed => "failed",
            StepStatus::Compensating => "compensating",
            StepStatus::Compensated => "compensated",
        }
    }
}

/// One step of one saga, as seen from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct StepState {
    /// Status.
    pub status: StepStatus,
    /// Attempts at the action (receives, in choreography).
    pub attempts: u32,
    /// Attempts at the compensation.
    pub compensation_attempts: u32,
}

/// One saga, as seen from outside.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SagaRecord {
    /// Its number.
    pub id: SagaId,
    /// Who reserves what.
    pub spec: SagaSpec,
    /// Whether it has begun.
    pub started: bool,
    /// Its outcome so far.
    pub outcome: Outcome,
    /// Each step.
    pub steps: Vec<StepState>,
    /// The failure notice after compensation.
    pub notice: StepState,
    /// The customer asked to cancel.
    pub cancel_requested: bool,
    /// A cancellation saga is undoing it (its outcome is then that saga's).
    pub cancelling: bool,
    /// A task waiting for a person (a dead letter or a compensation out of retries).
    pub stuck: Option<Task>,
    /// Why it waits for a person, while it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stuck_reason: Option<AttentionReason>,
    /// When it reached its outcome.
    pub ended_ms: Option<u64>,
}

impl SagaRecord {
    /// The state of a task's step (or of the notice).
    pub fn task_state_mut(&mut self, task: Task) -> Option<&mut StepState> {
        match task {
            Task::Action(s) | Task::Compensate(s) => self.steps.get_mut(s),
            Task::FailureNotice => Some(&mut self.notice),
        }
    }
}

/// A record of a task that took effect, for the invariant monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Effect {
    /// The saga.
    pub saga: SagaId,
    /// The task.
    pub task: Task,
    /// When.
    pub at_ms: u64,
}

impl Simulation {
    pub(super) fn note_attempt(&mut self, saga: SagaId, task: Task, attempt: u32) {
        let Some(record) = self.sagas.get_mut(saga) else {
            return;
        };
        let Some(state) = record.task_state_mut(task) else {
            return;
        };
        match task {
            Task::Action(_) | Task::FailureNotice => {
                state.attempts = state.attempts.max(attempt);
                state.status = if attempt > 1 {
                    StepStatus::Retrying
                } else {
                    StepStatus::Running
                };
            }
            Task::Compensate(_) => {
                state.compensation_attempts = state.compensation_attempts.max(attempt);
                state.status = StepStatus::Compensating;
            }
        }
        self.emit(Some(saga), EventKind::TaskStarted { task, attempt });
    }

    pub(super) fn note_result(&mut self, saga: SagaId, task: Task, result: TaskResult) {
        let status = match (task, result) {
            (Task::Compensate(_), TaskResult::Done) => StepStatus::Compensated,
            (_, TaskResult::Done) => StepStatus::Succeeded,
            (_, TaskResult::BusinessFailure) => StepStatus::Failed,
            (Task::Compensate(_), TaskResult::TransientError) => StepStatus::Compensating,
            (_, TaskResult::TransientError) => StepStatus::Retrying,
        };
        if let Some(state) = self
            .sagas
            .get_mut(saga)
            .and_then(|r| r.task_state_mut(task))
        {
            state.status = status;
        }
        match result {
            TaskResult::Done => self.emit(Some(saga), EventKind::StepSucceeded { task }),
            TaskResult::BusinessFailure => self.emit(Some(saga), EventKind::StepRefused { task }),
            TaskResult::TransientError => {}
        }
    }

    pub(super) fn set_status(&mut self, saga: SagaId, task: Task, status: StepStatus) {
        if let Some(state) = self
            .sagas
            .get_mut(saga)
            .and_then(|r| r.task_state_mut(task))
        {
            state.status = status;
        }
    }

    /// Sets a saga's outcome; `Running` reopens it (a cancellation saga, a redrive) silently.
    pub(super) fn end_saga(&mut self, saga: SagaId, outcome: Outcome) {
        let now = self.now_ms;
        if crate::engine::defect::withholds_outcome(self.defect, outcome) {
            return;
        }
        if let Some(record) = self.sagas.get_mut(saga) {
            if record.outcome == outcome {
                return;
            }
            record.outcome = outcome;
            record.ended_ms = outcome.is_final().then_some(now);
        }
        // Richardson: the PENDING flags are cleared when the saga completes or is compensated. A
        // saga left for a person may be redriven and go on, so its flags stay.
        if matches!(outcome, Outcome::Completed | Outcome::Compensated) {
            self.release_holds(saga);
        }
        if outcome.is_final() {
            self.emit(Some(saga), EventKind::SagaEnded { outcome });
        }
    }

    /// Lists a saga for a person (`Some`: the stuck task and why) or takes it off the list.
    pub(super) fn mark_stuck(&mut self, saga: SagaId, stuck: Option<(Task, AttentionReason)>) {
        if stuck.is_some() && crate::engine::defect::lists_nobody(self.defect) {
            return;
        }
        if let Some(record) = self.sagas.get_mut(saga) {
            record.stuck = stuck.map(|(task, _)| task);
            record.stuck_reason = stuck.map(|(_, reason)| reason);
        }
        if let Some((task, reason)) = stuck {
            self.emit(Some(saga), EventKind::ManualIntervention { task, reason });
        }
    }
}

pub(super) fn new_saga_record(id: SagaId, spec: SagaSpec, steps: usize) -> SagaRecord {
    SagaRecord {
        id,
        spec,
        started: false,
        outcome: Outcome::Running,
        steps: vec![StepState::default(); steps],
        notice: StepState::default(),
        cancel_requested: false,
        cancelling: false,
        stuck: None,
        stuck_reason: None,
        ended_ms: None,
    }
}
