//! Orchestration: one orchestrator holds the saga definition and a durable saga log.
//!
//! The orchestrator's memory is a pure fold of its log ([`OrchestratorState::replay`]): every
//! decision is first appended to the log and then applied, so a crash that wipes the memory
//! loses nothing, and a restart rebuilds exactly what was there.
//!
//! Every command carries a task token (its message's event id) and the reply carries it back:
//! only the reply to the command awaited now decides anything. Once the pivot has been sent the
//! saga only goes forward: a pivot whose outcome stays unknown, a retriable step or the failure
//! notice out of retries waits for a person ([`Phase::AwaitingPerson`]) and a redrive resumes it.
//!
//! The network may duplicate a command, and the copies may answer differently (one fails, the
//! other takes effect): an error says nothing of the other copy. So a step before the pivot that
//! was sent and never refused is undone when the saga goes back (an undo that finds nothing does
//! nothing, and its reply says so), and a "done" that arrives too late to decide anything is
//! still logged ([`LogRecord::HeardLate`]): the step took effect.
//!
//! This file holds the log's records and the memory they fold into, and knows nothing of the
//! simulation; the decisions that write the log are the simulation's, in `sim/orchestrated.rs`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::event::{AttentionReason, Outcome};
use super::message::{SagaId, Task, TaskResult};

/// What the orchestrator learned about an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Heard {
    /// A reply with this result.
    Reply(TaskResult),
    /// No reply in time: the task may or may not have taken effect.
    TimedOut,
}

/// Where a saga stands, as the orchestrator records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", content = "step", rename_all = "snake_case")]
pub enum Phase {
    /// The saga's start message has not arrived (a cancel may have).
    AwaitingStart,
    /// Running step `n`'s action.
    Forward(usize),
    /// Undoing step `n`.
    Compensating(usize),
    /// Telling both parties of the failure.
    NotifyingFailure,
    /// A compensation ran out of retries: waiting for a person (or a redrive).
    AwaitingIntervention(usize),
    /// A task that may only go forward cannot go on by itself (the pivot's outcome is unknown,
    /// a step after the pivot or the failure notice ran out of retries): waiting for a person
    /// (or a redrive, which tries `task` again).
    AwaitingPerson {
        /// The task that could not go on.
        task: Task,
        /// Why.
        reason: AttentionReason,
    },
    /// Finished.
    Ended(Outcome),
}

impl Phase {
    /// The task this phase runs, if it runs one.
    pub fn task(self) -> Option<Task> {
        match self {
            Phase::Forward(s) => Some(Task::Action(s)),
            Phase::Compensating(s) => Some(Task::Compensate(s)),
            Phase::NotifyingFailure => Some(Task::FailureNotice),
            Phase::AwaitingStart
            | Phase::AwaitingIntervention(_)
            | Phase::AwaitingPerson { .. }
            | Phase::Ended(_) => None,
        }
    }
}

/// One record of the durable saga log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum LogRecord {
    /// The saga began.
    Started,
    /// The orchestrator moved the saga to a new phase.
    Decided {
        /// The new phase.
        phase: Phase,
    },
    /// A command is about to be sent.
    Requested {
        /// The task.
        task: Task,
        /// The attempt.
        attempt: u32,
        /// The command's task token (its message's event id): the reply carries it back, and
        /// only the reply to the token awaited now is accepted.
        #[serde(default)]
        token: u32,
    },
    /// The outcome of an attempt.
    Heard {
        /// The task.
        task: Task,
        /// The attempt.
        attempt: u32,
        /// What was heard.
        heard: Heard,
    },
    /// The customer asked to cancel.
    CancelRequested,
    /// A "done" reply to an action that no longer decided anything (a duplicate of an answer
    /// already heard, or an answer to an attempt no longer awaited): the step took effect.
    HeardLate {
        /// The task.
        task: Task,
        /// The attempt the reply answers.
        attempt: u32,
    },
    /// A compensation's reply said whether the undo changed anything (`false`: there was
    /// nothing to undo, so the step never took effect).
    UndoReported {
        /// The step undone.
        step: usize,
        /// Whether the undo changed anything.
        changed: bool,
    },
}

/// A log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When it was written.
    pub at_ms: u64,
    /// Which saga.
    pub saga: SagaId,
    /// What.
    pub record: LogRecord,
}

/// The orchestrator's memory of one saga: nothing here is not derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SagaMemory {
    /// The phase.
    pub phase: Phase,
    /// Attempts made at the current task, in the current series (a redrive starts a new one).
    pub attempt: u32,
    /// The task token of the command that is out with no answer heard, if one is.
    pub awaiting: Option<u32>,
    /// The last answer heard for the current task, if it was not a success.
    pub last_heard: Option<Heard>,
    /// The customer asked to cancel.
    pub cancel_requested: bool,
    /// Steps whose action is known to have taken effect.
    pub done: BTreeSet<usize>,
    /// Steps whose action may have taken effect: an attempt timed out, or a command was sent
    /// again after a restart with no answer heard to the first send.
    pub unknown: BTreeSet<usize>,
    /// Steps whose action was sent and not refused. The network may duplicate a command, and
    /// an error from one copy says nothing of the other: until a "done" or a refusal, a step
    /// that was sent may have taken effect.
    #[serde(default)]
    pub sent: BTreeSet<usize>,
}

impl SagaMemory {
    fn new() -> Self {
        Self {
            phase: Phase::AwaitingStart,
            attempt: 0,
            awaiting: None,
            last_heard: None,
            cancel_requested: false,
            done: BTreeSet::new(),
            unknown: BTreeSet::new(),
            sent: BTreeSet::new(),
        }
    }

    fn apply(&mut self, record: LogRecord) {
        match record {
            // The first decision moves the saga on; a cancel logged before the start is kept.
            LogRecord::Started => {}
            LogRecord::Decided { phase } => {
                self.phase = phase;
                self.attempt = 0;
                self.awaiting = None;
                self.last_heard = None;
            }
            LogRecord::Requested {
                task,
                attempt,
                token,
            } => {
                if let Task::Action(s) = task {
                    self.sent.insert(s);
                    // Sent again with no answer heard (a restart): the first send may have taken effect.
                    if self.awaiting.is_some() && !self.done.contains(&s) {
                        self.unknown.insert(s);
                    }
                }
                self.attempt = self.attempt.max(attempt);
                self.awaiting = Some(token);
            }
            LogRecord::Heard { task, heard, .. } => {
                self.awaiting = None;
                match (task, heard) {
                    (Task::Action(s), Heard::Reply(TaskResult::Done)) => {
                        self.done.insert(s);
                        self.unknown.remove(&s);
                        self.last_heard = None;
                    }
                    (Task::Action(s), Heard::TimedOut) => {
                        if !self.done.contains(&s) {
                            self.unknown.insert(s);
                        }
                        self.last_heard = Some(heard);
                    }
                    (Task::Action(s), Heard::Reply(TaskResult::BusinessFailure)) => {
                        // A refusal means the step did not take effect, whatever an earlier
                        // timeout left open: the service remembers it for every copy and resend.
                        self.unknown.remove(&s);
                        self.sent.remove(&s);
                        self.last_heard = Some(heard);
                    }
                    (_, Heard::Reply(TaskResult::Done)) => self.last_heard = None,
                    _ => self.last_heard = Some(heard),
                }
            }
            LogRecord::CancelRequested => self.cancel_requested = true,
            // Knowledge only: it never touches the attempt awaited now.
            LogRecord::HeardLate { task, .. } => {
                if let Task::Action(s) = task {
                    self.done.insert(s);
                    self.unknown.remove(&s);
                }
            }
            LogRecord::UndoReported { .. } => {}
        }
    }
}

/// The orchestrator: its durable log and its (volatile) memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orchestrator {
    /// Whether it is running.
    pub down: bool,
    /// Bumped at every crash so that timers set before it are ignored.
    pub epoch: u32,
    /// The durable saga log.
    pub log: Vec<LogEntry>,
    /// What it remembers (empty while down).
    pub memory: BTreeMap<SagaId, SagaMemory>,
    /// Customer requests that arrived while it was down, handled on restart.
    pub held: Vec<u32>,
}

impl Orchestrator {
    /// Appends a decision to the log, then applies it to the memory: the only way either
    /// changes while the orchestrator runs.
    pub(crate) fn write(&mut self, at_ms: u64, saga: SagaId, record: LogRecord) {
        self.log.push(LogEntry {
            at_ms,
            saga,
            record,
        });
        self.memory
            .entry(saga)
            .or_insert_with(SagaMemory::new)
            .apply(record);
    }
}

/// Rebuilding state from a log.
pub struct OrchestratorState;

impl OrchestratorState {
    /// Folds a log into the memory it implies.
    pub fn replay(log: &[LogEntry]) -> BTreeMap<SagaId, SagaMemory> {
        let mut memory: BTreeMap<SagaId, SagaMemory> = BTreeMap::new();
        for entry in log {
            memory
                .entry(entry.saga)
                .or_insert_with(SagaMemory::new)
                .apply(entry.record);
        }
        memory
    }
}
