//! What the monitor remembers: the trace folded event by event, and the tables as successive
//! observations saw them. Nothing here is read from the engine's own bookkeeping (its effect
//! list, attempt counters or helpers); the engine's claims (outcomes, the manual-intervention
//! list) are only ever compared with this.
//!
//! This file holds what is remembered and folds each event into it; the checks made along the
//! way are in `watcher/trace.rs` (what the trace tells) and `watcher/tables.rs` (what the tables
//! show).

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::definition::{Operation, StepKind};
use crate::engine::event::Outcome;
use crate::engine::event::{AttentionReason, CompensationReason, Event, EventKind, LossReason};
use crate::engine::fault::FaultSpec;
use crate::engine::message::{Body, MessageId, Node, SagaId, Task, TaskResult};
use crate::engine::scenario::{Coordination, Scenario};
use crate::engine::sim::Simulation;
use crate::engine::tables::{Recipient, ReservationStatus};

use super::vocabulary::{saga_name, Invariant, Violation};

mod isolation;
mod tables;
mod trace;

/// Where a message is, as the trace tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    InFlight,
    Queued,
    Handled,
    DeadLettered,
    Lost,
}

#[derive(Debug, Clone)]
pub(super) struct Msg {
    pub saga: SagaId,
    pub to: Node,
    pub body: Body,
    pub fate: Fate,
    /// Choreography: receives that led to processing, in the current series (since the last
    /// redrive).
    receives: u32,
    receives_reported: bool,
}

/// One series of attempts at a task (orchestration).
#[derive(Debug, Clone, Copy, Default)]
struct Series {
    commands: u32,
    last_attempt: u32,
    last_seq: u64,
    reported: bool,
}

/// What the trace says about one saga.
#[derive(Debug, Clone, Default)]
pub(super) struct SagaWatch {
    pub started: bool,
    /// When the customer first asked to cancel (ms, seq).
    pub cancel_requested: Option<(u64, u64)>,
    /// Choreography: the pivot's service began it.
    pivot_sent: bool,
    /// Orchestration: attempts at the pivot sent whose answer never came back as a definite
    /// "not done" (a transient error or a rejection): each may have taken effect.
    pivot_open: BTreeSet<u32>,
    pivot_rejected: bool,
    /// The reply that rejected the pivot (orchestration): if it is then ignored as stale, it
    /// decided nothing.
    pivot_rejection: Option<MessageId>,
    pivot_done: bool,
    /// A cancellation saga (after completion) has begun.
    cancellation_saga: bool,
    /// Actions and compensations that changed a row, by step.
    actions: BTreeMap<usize, u32>,
    compensations: BTreeMap<usize, u32>,
    /// The last compensation that took effect since compensation (re)began: for the order.
    last_compensation: Option<usize>,
    series: BTreeMap<Task, Series>,
    /// The last time the saga was listed for a person (seq), and for what.
    pub last_manual: Option<(u64, Task, AttentionReason)>,
    /// Poison messages that have hit this saga: the one fault that can leave a saga running at
    /// rest. (A compensation that fails for ever cannot: within its retry policy the saga ends
    /// rollback incomplete, or the queue dead-letters it; retried for ever, the run never rests.)
    pub poisoned_by: BTreeSet<usize>,
}

impl SagaWatch {
    /// The pivot may have taken effect: it did, or it was sent, some attempt's answer never
    /// came back, and no definite rejection did.
    fn past_the_pivot(&self) -> bool {
        self.pivot_done
            || (!self.pivot_rejected && (self.pivot_sent || !self.pivot_open.is_empty()))
    }
}

/// A reservation as last observed.
#[derive(Debug, Clone, Copy)]
struct SeenReservation {
    status: ReservationStatus,
    updated_ms: u64,
}

/// The trace folded so far, the tables as observed so far, and what history already showed broken.
#[derive(Debug, Clone, Default)]
pub(crate) struct Watcher {
    seen: usize,
    pub messages: Vec<Msg>,
    /// By fault number: what it is and whether it still acts.
    faults: BTreeMap<usize, (FaultSpec, bool)>,
    unused_drop_firings: u32,
    pub services_down: BTreeSet<usize>,
    pub orchestrator_down: bool,
    last_recovery_seq: Option<u64>,
    pub sagas: BTreeMap<SagaId, SagaWatch>,
    /// Violations history showed; each stays broken.
    pub historic: Vec<Violation>,
    reservations: BTreeMap<SagaId, SeenReservation>,
    slot_holds: BTreeSet<SagaId>,
    bookings: BTreeMap<SagaId, u32>,
    ledger_seen: usize,
    charges: BTreeMap<SagaId, u32>,
    refunds: BTreeMap<SagaId, u32>,
    notifications_seen: usize,
    notices: BTreeMap<(SagaId, u8, bool), u32>,
    double_holds_reported: BTreeSet<SagaId>,
    isolation: isolation::IsolationWatch,
}

/// How a notification reads: a confirmation, or anything else (a failure, a cancellation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NoticeKind {
    Success,
    Failure,
}

/// Words that make a notice about something other than success, even if it says "confirmed".
const NOT_SUCCESS: [&str; 9] = [
    "fail",
    "cancel",
    "reject",
    "declin",
    "refund",
    "could not",
    "nothing charged",
    "not charged",
    "no charge",
];

pub(super) fn notice_kind(text: &str) -> NoticeKind {
    let t = text.to_ascii_lowercase();
    if t.contains("confirm") && !NOT_SUCCESS.iter().any(|w| t.contains(w)) {
        NoticeKind::Success
    } else {
        NoticeKind::Failure
    }
}

pub(super) fn says_refunded(text: &str) -> bool {
    text.to_ascii_lowercase().contains("refund")
}

/// A notice that states the refund only on condition ("any charge … refunded"): true whether or
/// not the charge took effect, which is all a coordinator that never heard the charge can say.
pub(super) fn says_refund_if_charged(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("any charge") || t.contains("if charged")
}

pub(super) fn says_nothing_charged(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("nothing charged")
        || t.contains("nothing was charged")
        || t.contains("not charged")
        || t.contains("no charge")
}

fn recipient_index(r: Recipient) -> u8 {
    match r {
        Recipient::Customer => 0,
        Recipient::Restaurant => 1,
    }
}

/// The step whose action creates the reservation (what a cancelled reservation needs).
fn creating_step(scenario: &Scenario) -> Option<usize> {
    scenario
        .definition
        .steps
        .iter()
        .position(|s| s.action == Operation::CreateReservation)
}

/// The most attempts the scenario allows at `task` in one series (orchestration).
fn attempt_cap(scenario: &Scenario, task: Task) -> Option<u32> {
    let retry = &scenario.retry;
    match task {
        Task::Action(s) => match scenario.definition.steps.get(s).map(|d| d.kind) {
            Some(StepKind::Retriable) => retry.retriable.max_attempts,
            _ => retry.step.max_attempts,
        },
        Task::Compensate(_) => retry.compensation.max_attempts,
        Task::FailureNotice => retry.retriable.max_attempts,
    }
}

fn step_label(scenario: &Scenario, task: Task) -> String {
    let label = task.label(&scenario.definition);
    match task.step() {
        Some(s) => format!("step {} ({label})", s + 1),
        None => label,
    }
}

impl Watcher {
    /// Folds the trace events not yet seen, then looks at the tables.
    pub fn catch_up(&mut self, sim: &Simulation) {
        let trace = sim.trace();
        if trace.len() < self.seen {
            // A different run: start again.
            *self = Watcher::default();
        }
        let scenario = sim.scenario();
        let mut touched = Vec::new();
        for event in &trace[self.seen..] {
            self.fold(scenario, event, &mut touched);
            self.isolation.fold(sim, event, &mut self.historic);
        }
        self.seen = trace.len();
        self.check_receives(sim, &touched);
        self.observe_tables(sim);
    }

    fn saga(&mut self, saga: SagaId) -> &mut SagaWatch {
        self.sagas.entry(saga).or_default()
    }

    fn broke(
        &mut self,
        invariant: Invariant,
        sagas: Vec<SagaId>,
        step: Option<usize>,
        at: (u64, u64),
        detail: String,
    ) {
        self.historic
            .push(Violation::new(invariant, sagas, step, at, detail));
    }

    fn fold(&mut self, scenario: &Scenario, event: &Event, touched: &mut Vec<MessageId>) {
        let at = (event.at_ms, event.seq);
        let pivot = scenario.definition.pivot();
        let choreography = scenario.coordination == Coordination::Choreography;
        match &event.kind {
            EventKind::SagaStarted => {
                if let Some(s) = event.saga {
                    self.saga(s).started = true;
                }
            }
            EventKind::CancelRequested => {
                if let Some(s) = event.saga {
                    let w = self.saga(s);
                    w.cancel_requested.get_or_insert(at);
                }
            }
            EventKind::MessageSent {
                message,
                from,
                to,
                body,
                duplicate,
                ..
            } => {
                let saga = event.saga.unwrap_or_default();
                let index = *message as usize;
                if self.messages.len() <= index {
                    self.messages.resize(
                        index + 1,
                        Msg {
                            saga,
                            to: *to,
                            body: *body,
                            fate: Fate::Handled,
                            receives: 0,
                            receives_reported: false,
                        },
                    );
                }
                self.messages[index] = Msg {
                    saga,
                    to: *to,
                    body: *body,
                    fate: Fate::InFlight,
                    receives: 0,
                    receives_reported: false,
                };
                if let Body::Command { task, attempt, .. } = body {
                    if *from == Node::Orchestrator && !duplicate {
                        if Some(*task) == pivot.map(Task::Action) {
                            self.saga(saga).pivot_open.insert(*attempt);
                        }
                        self.count_command(scenario, saga, *task, *attempt, at);
                    }
                }
            }
            EventKind::MessageArrived { message } => {
                if let Some(m) = self.messages.get_mut(*message as usize) {
                    m.fate = Fate::Handled;
                    let m = m.clone();
                    if let Body::Reply {
                        task,
                        attempt,
                        result,
                        ..
                    } = m.body
                    {
                        let to_pivot =
                            m.to == Node::Orchestrator && Some(task) == pivot.map(Task::Action);
                        let w = self.saga(m.saga);
                        if to_pivot && result == TaskResult::TransientError {
                            // That attempt failed before doing anything.
                            w.pivot_open.remove(&attempt);
                        }
                        if to_pivot && result == TaskResult::BusinessFailure && !w.pivot_rejected {
                            w.pivot_rejected = true;
                            w.pivot_rejection = Some(*message);
                        }
                    }
                }
            }
            EventKind::MessageLost { message, reason } => self.lost(*message, *reason, at),
            EventKind::ReplyIgnored { message } => {
                if let Some(s) = event.saga {
                    let w = self.saga(s);
                    if w.pivot_rejection == Some(*message) {
                        w.pivot_rejected = false;
                        w.pivot_rejection = None;
                    }
                }
            }
            EventKind::Enqueued { message, .. } | EventKind::Redriven { message, .. } => {
                if let Some(m) = self.messages.get_mut(*message as usize) {
                    m.fate = Fate::Queued;
                    if matches!(event.kind, EventKind::Redriven { .. }) {
                        m.receives = 0;
                        m.receives_reported = false;
                    }
                }
            }
            EventKind::Received { message, .. } => {
                if let Some(m) = self.messages.get_mut(*message as usize) {
                    m.receives += 1;
                    touched.push(*message);
                }
            }
            EventKind::DeadLettered { message, .. } => {
                if let Some(m) = self.messages.get_mut(*message as usize) {
                    m.fate = Fate::DeadLettered;
                    // The receive that sent it here was not an attempt.
                    m.receives = m.receives.saturating_sub(1);
                }
            }
            EventKind::Deleted { message, .. } => {
                if let Some(m) = self.messages.get_mut(*message as usize) {
                    m.fate = Fate::Handled;
                }
            }
            EventKind::TaskStarted { task, .. } => {
                if let Some(s) = event.saga {
                    if choreography && Some(*task) == pivot.map(Task::Action) {
                        self.saga(s).pivot_sent = true;
                    }
                }
            }
            EventKind::TaskApplied {
                task,
                result,
                changed,
                ..
            } => {
                if let Some(s) = event.saga {
                    self.applied(scenario, s, *task, *result, *changed, choreography, at);
                }
            }
            EventKind::CompensationBegun { reason } => {
                if let Some(s) = event.saga {
                    let w = self.saga(s);
                    w.last_compensation = None;
                    if *reason == CompensationReason::CancelledAfterCompletion {
                        w.cancellation_saga = true;
                    } else if w.past_the_pivot() {
                        self.broke(
                            Invariant::PointOfNoReturn,
                            vec![s],
                            pivot,
                            at,
                            format!(
                                "{} began compensating ({reason:?}) after its pivot may have taken effect",
                                saga_name(s)
                            ),
                        );
                    }
                }
            }
            EventKind::SagaEnded { outcome } => {
                if let Some(s) = event.saga {
                    let w = self.saga(s);
                    if *outcome == Outcome::Compensated
                        && w.past_the_pivot()
                        && !w.cancellation_saga
                    {
                        self.broke(
                            Invariant::PointOfNoReturn,
                            vec![s],
                            pivot,
                            at,
                            format!(
                                "{} ended compensated though its pivot may have taken effect",
                                saga_name(s)
                            ),
                        );
                    }
                }
            }
            EventKind::ManualIntervention { task, reason } => {
                if let Some(s) = event.saga {
                    self.saga(s).last_manual = Some((event.seq, *task, *reason));
                }
            }
            EventKind::ServiceDown { service } => {
                self.services_down.insert(service.index());
            }
            EventKind::ServiceUp { service } => {
                self.services_down.remove(&service.index());
            }
            EventKind::OrchestratorCrashed => self.orchestrator_down = true,
            EventKind::OrchestratorRecovered { .. } => {
                self.orchestrator_down = false;
                self.last_recovery_seq = Some(event.seq);
            }
            EventKind::FaultInjected { fault, spec } => {
                self.faults.insert(*fault, (spec.clone(), true));
            }
            EventKind::FaultCleared { fault, .. } => {
                if let Some(f) = self.faults.get_mut(fault) {
                    f.1 = false;
                }
            }
            EventKind::FaultFired { fault } => {
                let spec = self.faults.get(fault).map(|f| f.0.clone());
                match (spec, event.saga) {
                    (Some(FaultSpec::Drop { .. }), _) => self.unused_drop_firings += 1,
                    (Some(FaultSpec::Poison { .. }), Some(s)) => {
                        self.saga(s).poisoned_by.insert(*fault);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_read_by_their_words() {
        assert_eq!(notice_kind("reservation confirmed"), NoticeKind::Success);
        for text in [
            "reservation failed, nothing charged",
            "reservation failed, payment refunded",
            "your confirmed reservation was cancelled and refunded",
            "the restaurant could not take you",
        ] {
            assert_eq!(notice_kind(text), NoticeKind::Failure, "{text}");
        }
        assert!(says_refunded("Payment refunded"));
        assert!(says_nothing_charged(
            "reservation failed, nothing was charged"
        ));
        assert!(!says_nothing_charged("reservation failed, 40.00 refunded"));
    }
}
