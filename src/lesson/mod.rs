//! Guided lessons: a short, versioned file of stops that a teacher steps through with the
//! keyboard and a student works through alone.
//!
//! A stop has a talking point (`say`) and at most one thing to do: open a run (a preset in a
//! coordination style, or a whole scenario), pause the run at an event, ask the student to act
//! (inject a fault at a service, switch a safeguard, cancel, redrive), ask a question, or set a
//! challenge the engine checks. Every vocabulary is a type: faults, services, steps, safeguards,
//! outcomes and events are named as the engine names them, so a lesson that misspells one is
//! refused with the stop and the field that is wrong.
//!
//! A challenge's goal and a question's check are [`Fact`]s, read from the run's trace and tables
//! by code of their own ([`fact`]), never from the engine's counters, outcome helpers or
//! invariant monitor: a checker that shared the engine's reasoning would agree with its bugs.
//!
//! Pure Rust with no web dependency: the page fetches lesson files, and keeps a [`LessonRun`]
//! and the student's [`Progress`] (in `localStorage`, through [`Progress::to_storage`] and
//! [`Progress::from_storage`]).

use serde::{Deserialize, Serialize};

use crate::engine::commit::{CommitPlan, Protocol};
use crate::engine::definition::{Operation, ServiceId};
use crate::engine::event::Outcome;
use crate::engine::fault::{FaultKind, FaultSpec};
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{Coordination, Scenario, Storage};

pub mod fact;
mod names;
mod progress;
mod read;
mod run;

pub use fact::{pause_point, Pause};
pub use progress::{LessonProgress, Progress, ProgressError, PROGRESS_VERSION};
pub use read::{IndexEntry, LessonError, LessonIndex, INDEX_VERSION};
pub use run::{LessonRun, Mark};

/// The lesson format this code reads and writes (the `sagascope_lesson` field).
pub const LESSON_VERSION: u32 = 1;
/// Largest lesson file accepted, in bytes.
pub const MAX_LESSON_BYTES: usize = 64 * 1024;
/// Most stops a lesson may have.
pub const MAX_STOPS: usize = 40;
/// Most choices a question may offer.
pub const MAX_CHOICES: usize = 6;

/// A guided lesson, as its file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Format version: must be [`LESSON_VERSION`].
    #[serde(rename = "sagascope_lesson")]
    pub version: u32,
    /// Stable id: lower-case letters, digits and dashes (the file's name, the progress key).
    pub id: String,
    /// The title.
    pub title: String,
    /// One or two sentences: what the student learns.
    pub summary: String,
    /// The stops, in order (1 to [`MAX_STOPS`]).
    pub stops: Vec<Stop>,
}

/// One stop of a lesson: a talking point and at most one thing to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stop {
    /// The talking point.
    pub say: String,
    /// Open a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<Open>,
    /// Play, and pause at the first event like this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_at: Option<EventPattern>,
    /// Something the student does to the run.
    #[serde(default, rename = "do", skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// A question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<Ask>,
    /// A goal the engine checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<Challenge>,
}

/// What a stop asks for, besides its talking point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StopKind<'a> {
    /// Only the talking point.
    Talk,
    /// Open a run.
    Open(&'a Open),
    /// Pause at an event.
    PauseAt(&'a EventPattern),
    /// The student acts.
    Do(&'a Action),
    /// A question.
    Ask(&'a Ask),
    /// A challenge.
    Challenge(&'a Challenge),
}

impl Stop {
    /// What the stop asks for (the first one given; a valid lesson gives at most one).
    pub fn kind(&self) -> StopKind<'_> {
        if let Some(open) = &self.open {
            StopKind::Open(open)
        } else if let Some(pattern) = &self.pause_at {
            StopKind::PauseAt(pattern)
        } else if let Some(action) = &self.action {
            StopKind::Do(action)
        } else if let Some(ask) = &self.ask {
            StopKind::Ask(ask)
        } else if let Some(challenge) = &self.challenge {
            StopKind::Challenge(challenge)
        } else {
            StopKind::Talk
        }
    }

    /// Whether the stop has a task the student completes (an action, a question, a challenge);
    /// any other stop is done once shown.
    pub fn has_task(&self) -> bool {
        matches!(
            self.kind(),
            StopKind::Do(_) | StopKind::Ask(_) | StopKind::Challenge(_)
        )
    }
}

/// A run to open: a preset in a coordination style, or a whole scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// A preset's id (see `engine::presets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// The preset's coordination style (orchestration unless given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordination: Option<Coordination>,
    /// The preset's storage (a database per service unless given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
    /// The preset's seed (1 unless given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// A whole scenario instead of a preset (with its own style, storage and seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Box<Scenario>>,
    /// Show the run's bookings as atomic transactions in the 2PC / 3PC view instead of the
    /// saga's diagram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitOpen>,
}

/// The 2PC / 3PC view, as a stop opens it: a protocol and the failure it meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitOpen {
    /// `2pc` or `3pc`.
    #[serde(with = "names::protocol")]
    pub protocol: Protocol,
    /// `none`, `crash` (the coordinator crashes after the votes, back 10 s later),
    /// `crash-for-good` or `partition`.
    #[serde(with = "names::commit_plan")]
    pub failure: CommitPlan,
}

/// Which events a pause (or a question's check) is about: a kind of event, narrowed by step,
/// service, saga or outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventPattern {
    /// The kind of event.
    pub event: EventWanted,
    /// Only events about a task running this operation: an action (`charge_card`) or a
    /// compensation (`refund_payment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Operation>,
    /// Only events at this service (or its queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceId>,
    /// Only events of this saga (numbered from 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saga: Option<usize>,
    /// `saga_ended` only: only this outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// The kinds of trace event a lesson can name (a subset of the engine's `EventKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventWanted {
    /// A customer asked for a reservation.
    SagaStarted,
    /// A service began a task (an attempt, or a receive from its queue).
    TaskStarted,
    /// A service finished a task (done or refused).
    TaskApplied,
    /// A task failed for a reason a retry may fix.
    TaskFailed,
    /// The orchestrator waited too long for a reply.
    TimedOut,
    /// A retry was scheduled after a wait.
    RetryScheduled,
    /// The saga learned that a task succeeded.
    StepSucceeded,
    /// The saga learned that a step met its business failure.
    StepRefused,
    /// The saga began undoing its steps.
    CompensationBegun,
    /// A service recognised a repeat and did nothing.
    DuplicateIgnored,
    /// A consumer received a message from its queue.
    Received,
    /// A message went to the dead-letter queue.
    DeadLettered,
    /// A dead letter went back to its queue.
    Redriven,
    /// A saga was listed for a person.
    ManualIntervention,
    /// A saga reached an outcome.
    SagaEnded,
    /// A message was lost on the way.
    MessageLost,
    /// A service went down.
    ServiceDown,
    /// A service came back.
    ServiceUp,
    /// The orchestrator crashed.
    OrchestratorCrashed,
    /// The orchestrator rebuilt its state from its log.
    OrchestratorRecovered,
    /// A service read a shared record (tables left, a gift card).
    RecordRead,
    /// A service wrote a shared record.
    RecordWritten,
    /// The customer asked to cancel.
    CancelRequested,
    /// A service crashed between its commit and publishing its event, losing the event.
    PublishLost,
}

/// Something the student does to the run; done once the run shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Click a service and pick a fault of this kind from its menu.
    Inject {
        /// The kind of fault.
        #[serde(with = "names::fault_kind")]
        fault: FaultKind,
        /// The service clicked.
        service: ServiceId,
        /// For a step fault at a service with several steps: the step's action.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<Operation>,
    },
    /// Switch a safeguard on or off in the shield menu.
    Safeguard {
        /// Which.
        #[serde(with = "names::safeguard")]
        safeguard: Safeguard,
        /// On or off.
        on: bool,
    },
    /// The customer of this saga cancels.
    Cancel {
        /// The saga, numbered from 0.
        saga: usize,
    },
    /// Redrive the dead letters.
    Redrive,
}

/// A question with its choices, the right one and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ask {
    /// The question.
    pub prompt: String,
    /// The choices (2 to [`MAX_CHOICES`], all different).
    pub choices: Vec<String>,
    /// The right choice, numbered from 0.
    pub answer: usize,
    /// Why it is right, shown once the student has answered.
    pub why: String,
    /// What makes the right answer true of the run, checked against its trace and tables by
    /// the lessons' tests (the run played on to its end from this stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Fact>,
}

/// A goal the engine checks, with the settings it must be reached under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// What must become true of the run.
    pub goal: Fact,
    /// Safeguards that must be on or off for the goal to count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<SafeguardIs>,
    /// A hint, shown on request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// One way to reach the goal from this stop, for the lessons' tests (and a teacher).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub solution: Vec<Move>,
}

/// A safeguard in a given position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafeguardIs {
    /// Which.
    #[serde(with = "names::safeguard")]
    pub safeguard: Safeguard,
    /// On or off.
    pub on: bool,
}

/// One move of a challenge's solution: exactly what to do, in the page's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Move {
    /// Play on until this simulated moment.
    Wait {
        /// The moment, in simulated ms.
        until_ms: u64,
    },
    /// Inject this fault (one the fault menus offer).
    Inject {
        /// The fault.
        fault: FaultSpec,
    },
    /// Switch a safeguard.
    Safeguard {
        /// Which.
        #[serde(with = "names::safeguard")]
        safeguard: Safeguard,
        /// On or off.
        on: bool,
    },
    /// The customer of this saga cancels.
    Cancel {
        /// The saga, numbered from 0.
        saga: usize,
    },
    /// Redrive the dead letters.
    Redrive,
}

/// Something true or false of a run, read from its trace and tables ([`Fact::holds`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fact {
    /// A saga (this one, if given) ends with this outcome and stays ended.
    SagaEnds {
        /// The outcome: completed, compensated, rollback-incomplete or awaiting-person.
        outcome: Outcome,
        /// Only this saga (numbered from 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saga: Option<usize>,
    },
    /// The ledger does not match the sagas: some saga holds neither nothing nor its amount,
    /// or a completed saga is not charged its amount, or a compensated one is charged.
    MoneyDoesNotAddUp,
    /// The orchestrator sent the pivot and waited in vain for its reply: whether it took
    /// effect is unknown.
    PivotOutcomeUnknown,
    /// A message reached the dead-letter queue.
    DeadLetter,
    /// A slot is held by more sagas than it has tables.
    DoubleBooking,
    /// A write of a shared record was based on a value read before another saga changed it,
    /// wiping out that change (a lost update).
    LostUpdate,
    /// The first step undone (the first compensation that took effect) is this step's.
    FirstUndone {
        /// The step's action (`book_slot` for the slot's release).
        step: Operation,
        /// Only this saga (numbered from 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saga: Option<usize>,
    },
    /// Exactly these steps are undone, in this order.
    Undone {
        /// The steps' actions, in the order their compensations took effect.
        steps: Vec<Operation>,
        /// Only this saga (numbered from 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saga: Option<usize>,
    },
    /// This step is the saga's pivot (its point of no return).
    Pivot {
        /// The step's action.
        step: Operation,
    },
    /// The run's bookings, as transactions of `protocol` meeting `failure`, leave a participant
    /// blocked: it voted yes, holds its lock, and never learns the decision (within the 60 s
    /// the view follows).
    CommitBlocks {
        /// `2pc` or `3pc`.
        #[serde(with = "names::protocol")]
        protocol: Protocol,
        /// The failure.
        #[serde(with = "names::commit_plan")]
        failure: CommitPlan,
    },
    /// The run's bookings, as transactions of `protocol` meeting `failure`, leave no one in
    /// doubt: every participant that voted learns or reaches a decision (within the 60 s the
    /// view follows).
    CommitNoneInDoubt {
        /// `2pc` or `3pc`.
        #[serde(with = "names::protocol")]
        protocol: Protocol,
        /// The failure.
        #[serde(with = "names::commit_plan")]
        failure: CommitPlan,
    },
    /// The run's bookings, as transactions of `protocol` meeting `failure`, split: one
    /// participant of a transaction commits while another aborts.
    CommitSplits {
        /// `2pc` or `3pc`.
        #[serde(with = "names::protocol")]
        protocol: Protocol,
        /// The failure.
        #[serde(with = "names::commit_plan")]
        failure: CommitPlan,
    },
    /// Events like this happen (exactly `times` times, if given; else at least once).
    Happens {
        /// Which events.
        what: EventPattern,
        /// How many.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        times: Option<u32>,
    },
}
