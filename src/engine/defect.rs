//! Deliberate defects, for tests only.
//!
//! A monitor that never fails proves nothing: each of these breaks the engine in one small,
//! named way, so that the monitor's tests can show that the invariant it targets catches it (and
//! only that one). They exist for no other reason. Nothing in the scenario, the page or the
//! runner can switch one on: only [`crate::engine::Simulation::inject_defect`], from a test.
//! Each is consulted by a one-line hook at a central place of the engine.

use std::sync::atomic::{AtomicU64, Ordering};

use super::definition::{Operation, ServiceId};
use super::event::Outcome;
use super::message::{Body, Message, Node, SagaId, Task};
use super::sim::Simulation;
use super::tables::{Applied, NotificationRow, ReservationRow, ReservationStatus};

/// One deliberate defect; the invariant each is meant to break is named in brackets.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Defect {
    /// A saga's final outcome is never recorded: it comes to rest running, flagged for no one
    /// [1: every saga ends].
    WithholdOutcome,
    /// A saga left waiting for a person is put on nobody's list: no task, no reason, nothing in
    /// the trace [1: every saga ends].
    ListNobody,
    /// Cancelling a reservation that was never created writes a cancelled row for it
    /// [2: no compensation without its step].
    CancelWhatNeverExisted,
    /// Every notification is written twice [3: each action at most once].
    NotifyTwice,
    /// The orchestrator allows one attempt more than its retry policy, and a queue one receive
    /// more than its maximum [4: attempts].
    ExtraAttempt,
    /// The first attempt of every command to Payment is lost with no fault to blame
    /// [5: no message lost].
    LoseMessage,
    /// Payment, up and running, turns away the first command it receives as if it were down
    /// [5: no message lost].
    LoseOnArrival,
    /// The first command to Payment (orchestration) leaves and never arrives, and a duplicated
    /// event (choreography) is taken into a queue and never held there; nothing says either was
    /// lost [5: no message lost].
    VanishMessage,
    /// Network delays draw on a counter outside the scenario, so a replay differs
    /// [7: determinism].
    HiddenState,
    /// The orchestrator compensates a saga whose pivot has just succeeded
    /// [8: the point of no return].
    CompensateAfterPivot,
    /// The orchestrator compensates a saga whose pivot ran out of attempts with its outcome
    /// unknown (it may have taken effect) [8: the point of no return].
    CompensateUnknownPivot,
    /// Payment charges one cent more than the saga's amount [6: money adds up, and 9: the
    /// outcome matches the data].
    WrongAmount,
    /// The failure notice claims the opposite of what the ledger says
    /// [9: the outcome matches the data].
    UntruthfulNotice,
    /// A customer's request to cancel is logged and then ignored [10: a cancel is honoured].
    IgnoreCancel,
    /// A write to a shared record is reported in the trace but never stored: the count keeps
    /// its old value [11: isolation, the tables' side].
    ForgetSharedWrite,
}

/// [`Defect::WithholdOutcome`]: whether `end_saga` must not record this outcome.
pub(crate) fn withholds_outcome(defect: Option<Defect>, outcome: Outcome) -> bool {
    defect == Some(Defect::WithholdOutcome) && outcome.is_final()
}

/// [`Defect::ListNobody`]: whether a saga that needs a person is left off the list.
pub(crate) fn lists_nobody(defect: Option<Defect>) -> bool {
    defect == Some(Defect::ListNobody)
}

/// [`Defect::ExtraAttempt`]: the attempts the retry policy is told were made.
pub(crate) fn attempts_counted(defect: Option<Defect>, attempts: u32) -> u32 {
    match defect {
        Some(Defect::ExtraAttempt) => attempts.saturating_sub(1),
        _ => attempts,
    }
}

/// [`Defect::ExtraAttempt`]: the receives a queue allows before it dead-letters a message.
pub(crate) fn receives_allowed(defect: Option<Defect>, max_receives: u32) -> u32 {
    match defect {
        Some(Defect::ExtraAttempt) => max_receives.saturating_add(1),
        _ => max_receives,
    }
}

/// [`Defect::LoseMessage`]: whether this message vanishes on the way.
pub(crate) fn loses(defect: Option<Defect>, to: Node, body: &Body) -> bool {
    defect == Some(Defect::LoseMessage)
        && to == Node::Service(ServiceId::Payment)
        && matches!(body, Body::Command { attempt: 1, .. })
}

/// [`Defect::LoseOnArrival`]: whether a service that is up turns this command away.
pub(crate) fn turns_away(defect: Option<Defect>, service: ServiceId, body: &Body) -> bool {
    defect == Some(Defect::LoseOnArrival)
        && service == ServiceId::Payment
        && matches!(body, Body::Command { attempt: 1, .. })
}

/// [`Defect::VanishMessage`]: whether this message, once sent, is never delivered nor lost.
pub(crate) fn vanishes(defect: Option<Defect>, to: Node, body: &Body) -> bool {
    defect == Some(Defect::VanishMessage)
        && to == Node::Service(ServiceId::Payment)
        && matches!(body, Body::Command { attempt: 1, .. })
}

/// [`Defect::VanishMessage`]: whether a queue drops this message as it takes it in.
pub(crate) fn vanishes_from_queue(defect: Option<Defect>, message: &Message) -> bool {
    defect == Some(Defect::VanishMessage) && message.duplicate
}

static HIDDEN_DRAWS: AtomicU64 = AtomicU64::new(0);

/// [`Defect::HiddenState`]: extra network delay drawn from outside the scenario.
pub(crate) fn hidden_delay_ms(defect: Option<Defect>) -> u64 {
    if defect == Some(Defect::HiddenState) {
        HIDDEN_DRAWS.fetch_add(1, Ordering::Relaxed) % 37
    } else {
        0
    }
}

/// [`Defect::CompensateAfterPivot`]: whether the orchestrator turns back after step `step`
/// succeeded.
pub(crate) fn compensates_after(defect: Option<Defect>, step: usize, pivot: usize) -> bool {
    defect == Some(Defect::CompensateAfterPivot) && step == pivot
}

/// [`Defect::CompensateUnknownPivot`]: whether the orchestrator turns back when the pivot's
/// outcome is unknown.
pub(crate) fn compensates_unknown_pivot(defect: Option<Defect>) -> bool {
    defect == Some(Defect::CompensateUnknownPivot)
}

/// [`Defect::IgnoreCancel`]: whether a cancel request goes nowhere.
pub(crate) fn ignores_cancel(defect: Option<Defect>) -> bool {
    defect == Some(Defect::IgnoreCancel)
}

/// The defects that act on the tables, right after an operation ran.
pub(crate) fn after_apply(
    sim: &mut Simulation,
    op: Operation,
    task: Task,
    saga: SagaId,
    applied: Applied,
) -> Applied {
    let (defect, now_ms) = (sim.defect, sim.now_ms);
    let Some(spec) = sim.sagas.get(saga).map(|s| s.spec.clone()) else {
        return applied;
    };
    let tables = &mut sim.tables;
    if let (Some(Defect::ForgetSharedWrite), Some(written)) = (defect, applied.written) {
        let counter = match op {
            Operation::BookSlot | Operation::ReleaseSlot => {
                tables.shared.tables_left.get_mut(&spec.slot)
            }
            _ => tables.shared.gift_cards.get_mut(&spec.customer),
        };
        if let Some(counter) = counter {
            counter.value = written.before;
        }
    }
    match (defect, op) {
        (Some(Defect::CancelWhatNeverExisted), Operation::CancelReservation)
            if !tables.reservations.contains_key(&saga) =>
        {
            tables.reservations.insert(
                saga,
                ReservationRow {
                    saga,
                    customer: spec.customer.clone(),
                    party_size: spec.party_size,
                    slot: spec.slot.clone(),
                    status: ReservationStatus::Cancelled,
                    updated_ms: now_ms,
                },
            );
            Applied {
                changed: true,
                ..applied
            }
        }
        (Some(Defect::WrongAmount), Operation::ChargeCard) if applied.changed => {
            if let Some(row) = tables.ledger.iter_mut().rev().find(|r| r.saga == saga) {
                row.amount_cents += 1;
            }
            applied
        }
        (Some(Defect::NotifyTwice), Operation::NotifyConfirmed | Operation::NotifyFailure) => {
            let again: Vec<NotificationRow> = tables
                .notifications
                .iter()
                .filter(|r| r.saga == saga && r.updated_ms == now_ms)
                .cloned()
                .collect();
            tables.notifications.extend(again);
            applied
        }
        (Some(Defect::UntruthfulNotice), _) if task == Task::FailureNotice => {
            for row in tables
                .notifications
                .iter_mut()
                .filter(|r| r.saga == saga && r.updated_ms == now_ms)
            {
                row.text = if row.text.contains("refund") {
                    "reservation failed, nothing charged".to_string()
                } else {
                    "reservation failed, payment refunded".to_string()
                };
            }
            applied
        }
        _ => applied,
    }
}
