//! The mock services' tables, and the operations that change them.
//!
//! Each operation reports whether it changed anything, so the invariant monitor can tell an
//! action that took effect from one that was a no-op.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::definition::{Operation, ServiceId};
use super::message::{EventName, SagaId, Task, TaskResult};
use super::scenario::SagaSpec;
use super::shared::{Access, SharedTables, Written};

/// A reservation's status: PENDING is the semantic lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReservationStatus {
    /// Created, not yet decided.
    Pending,
    /// The pivot succeeded.
    Confirmed,
    /// Undone.
    Cancelled,
}

/// A row of the Reservation service's `reservations` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationRow {
    /// The saga (and reservation) id.
    pub saga: SagaId,
    /// Who.
    pub customer: String,
    /// How many.
    pub party_size: u32,
    /// Which slot.
    pub slot: String,
    /// Status.
    pub status: ReservationStatus,
    /// When the row last changed.
    pub updated_ms: u64,
}

/// What a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LedgerKind {
    /// Money taken.
    Charged,
    /// Money given back.
    Refunded,
}

/// A row of the Payment service's `ledger` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRow {
    /// Entry number.
    pub entry: u32,
    /// The saga (the idempotency key).
    pub saga: SagaId,
    /// Charged or refunded.
    pub kind: LedgerKind,
    /// Amount in cents.
    pub amount_cents: u64,
    /// When it was written.
    pub updated_ms: u64,
}

/// A row of the Calendar service's `slots` table: a saga holding a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotRow {
    /// The slot.
    pub slot: String,
    /// The saga holding it.
    pub saga: SagaId,
    /// When it was taken.
    pub updated_ms: u64,
}

/// Who a notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The person reserving.
    Customer,
    /// The restaurant.
    Restaurant,
}

/// What the notifier was told about the customer's money when asked to send a failure notice.
///
/// The notifier owns no ledger: the fact reaches it with the request (in orchestration from the
/// orchestrator's log, in choreography from the payment events), and the notice says no more than
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum MoneyFact {
    /// No charge took effect.
    NothingCharged,
    /// The charge took effect and was refunded.
    Refunded {
        /// How much went back, in cents.
        amount_cents: u64,
    },
    /// Whether the charge took effect was never known; its refund ran, and does nothing if it
    /// did not. Only a log whose refund reply did not say what it did (written before replies
    /// carried it) leaves this: a refund's reply now tells refunded from nothing charged.
    RefundedIfCharged {
        /// How much went back if it was charged, in cents.
        amount_cents: u64,
    },
}

impl MoneyFact {
    /// The failure notice's words: what happened to the money is said only as far as it is known.
    pub fn failure_text(fact: Option<MoneyFact>) -> String {
        match fact {
            Some(MoneyFact::NothingCharged) => "reservation failed, nothing charged".to_string(),
            Some(MoneyFact::Refunded { amount_cents }) => {
                format!("reservation failed, {} refunded", money(amount_cents))
            }
            Some(MoneyFact::RefundedIfCharged { amount_cents }) => format!(
                "reservation failed, any charge of {} refunded",
                money(amount_cents)
            ),
            None => "reservation failed".to_string(),
        }
    }
}

/// An amount of money as people read it: `€40.00`.
pub fn money(cents: u64) -> String {
    format!("€{}.{:02}", cents / 100, cents % 100)
}

/// A row of the Notification service's `notifications` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRow {
    /// The saga.
    pub saga: SagaId,
    /// To whom.
    pub recipient: Recipient,
    /// Confirmed or failed.
    pub text: String,
    /// When it was sent.
    pub updated_ms: u64,
    /// A failure notice: what it was told about the money (its text says the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<MoneyFact>,
}

/// A row of a service's transactional outbox (choreography).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxRow {
    /// Row number within this outbox.
    pub id: u32,
    /// The business event id the message will carry.
    pub event_id: u32,
    /// The saga.
    pub saga: SagaId,
    /// The event.
    pub event: EventName,
    /// Whether the relay has published it.
    pub published: bool,
    /// When it was written or published.
    pub updated_ms: u64,
}

/// A remembered result, keyed by saga id + task (orchestration's idempotency key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRow {
    /// The saga.
    pub saga: SagaId,
    /// The task.
    pub task: Task,
    /// What the first run answered.
    pub result: TaskResult,
    /// A compensation: whether the first run changed anything, said again with a repeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<bool>,
}

/// Version file: one operation a service performed for a saga, recorded so that a late one
/// can be put in its place (an action after its compensation is refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRow {
    /// The saga.
    pub saga: SagaId,
    /// The operation: an action or a compensation.
    pub task: Task,
    /// When it was recorded (ms).
    pub at_ms: u64,
}

/// Everything one service keeps in its database besides its business table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStore {
    /// Orchestration: results remembered by idempotency key (saga, task).
    pub idempotency_keys: Vec<IdempotencyRow>,
    /// Choreography: ids of the business events already processed (idempotent consumer).
    pub processed_events: BTreeSet<u32>,
    /// Choreography: the transactional outbox.
    pub outbox: Vec<OutboxRow>,
    /// Choreography: what this service learned of each saga from the events it consumed beyond
    /// its own work (the notifier: failures and compensations; the pivot's owner: completion).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub learned: BTreeMap<SagaId, Learned>,
    /// Version file: the operations performed, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub version_file: Vec<VersionRow>,
}

/// What a service learned of one saga from events it consumed (choreography): the notifier
/// reads it to tell the truth in the failure notice ("refunded" or "nothing charged").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learned {
    /// The step (from 0) whose failure event it heard (a decline, a slot taken, a rejection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<usize>,
    /// The steps (from 0) whose compensated event it heard, in the order heard.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undone_steps: Vec<usize>,
    /// A charge was refunded: it heard the refund's event (the payment step's compensation).
    #[serde(default)]
    pub refunded: bool,
    /// The saga completed: it heard the last step's done event.
    #[serde(default)]
    pub completed: bool,
    /// The customer cancelled a completed reservation: it heard the cancellation saga begin.
    #[serde(default)]
    pub cancelled: bool,
}

/// All tables of all services.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tables {
    /// Reservation: reservations by saga.
    pub reservations: BTreeMap<SagaId, ReservationRow>,
    /// Reservation: sagas whose customer asked to cancel.
    pub cancellations: BTreeSet<SagaId>,
    /// Payment: the ledger.
    pub ledger: Vec<LedgerRow>,
    /// Calendar: slot holds.
    pub slots: Vec<SlotRow>,
    /// Notification: messages sent.
    pub notifications: Vec<NotificationRow>,
    /// Per service (in [`ServiceId::ALL`] order): idempotency, processed events, outbox.
    pub stores: [ServiceStore; 4],
    /// Records several sagas contend for (tables left per slot, gift cards).
    #[serde(default, skip_serializing_if = "SharedTables::is_empty")]
    pub shared: SharedTables,
}

/// What an operation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The result to report.
    pub result: TaskResult,
    /// Whether any row changed.
    pub changed: bool,
    /// What it wrote to a shared record, if it wrote one.
    pub written: Option<Written>,
}

impl Applied {
    fn changed() -> Self {
        Self {
            result: TaskResult::Done,
            changed: true,
            written: None,
        }
    }
    fn no_op() -> Self {
        Self {
            result: TaskResult::Done,
            changed: false,
            written: None,
        }
    }
    fn refused() -> Self {
        Self {
            result: TaskResult::BusinessFailure,
            changed: false,
            written: None,
        }
    }
    fn wrote(written: Option<Written>) -> Self {
        Self {
            written,
            ..Self::changed()
        }
    }
}

/// The inputs an operation needs besides the tables.
pub struct OperationContext<'a> {
    /// The saga.
    pub saga: SagaId,
    /// What the saga reserves.
    pub spec: &'a SagaSpec,
    /// Simulated now.
    pub now_ms: u64,
    /// An injected business failure applies.
    pub forced_business_failure: bool,
    /// Whether a plain slot booked by another saga counts as taken (the semantic lock's switch).
    pub semantic_lock: bool,
    /// The failure notice: what the request says happened to the money (`None`: it says nothing).
    pub money: Option<MoneyFact>,
    /// The shared record the operation reads and writes, if it touches one.
    pub shared: Option<Access>,
}

impl ServiceStore {
    /// The remembered result for an idempotency key.
    pub fn remembered(&self, saga: SagaId, task: Task) -> Option<TaskResult> {
        self.remembered_row(saga, task).map(|r| r.result)
    }

    /// The remembered row for an idempotency key.
    pub fn remembered_row(&self, saga: SagaId, task: Task) -> Option<&IdempotencyRow> {
        self.idempotency_keys
            .iter()
            .find(|r| r.saga == saga && r.task == task)
    }

    /// Remembers a result (and, for a compensation, whether it changed anything) unless the key
    /// is already there.
    pub fn remember(
        &mut self,
        saga: SagaId,
        task: Task,
        result: TaskResult,
        changed: Option<bool>,
    ) {
        if self.remembered(saga, task).is_none() {
            self.idempotency_keys.push(IdempotencyRow {
                saga,
                task,
                result,
                changed,
            });
        }
    }
}

impl Tables {
    /// The store of one service.
    pub fn store(&self, service: ServiceId) -> &ServiceStore {
        &self.stores[service.index()]
    }

    /// The store of one service, to change.
    pub fn store_mut(&mut self, service: ServiceId) -> &mut ServiceStore {
        &mut self.stores[service.index()]
    }

    /// Runs one operation against the tables.
    pub fn apply(&mut self, op: Operation, ctx: &OperationContext<'_>) -> Applied {
        let saga = ctx.saga;
        let now = ctx.now_ms;
        if ctx.forced_business_failure {
            return Applied::refused();
        }
        match op {
            Operation::CreateReservation => {
                if self.reservations.contains_key(&saga) {
                    return Applied::no_op();
                }
                // Looking at the slot's tables left: none, and the booking is refused.
                if let Some(access) = &ctx.shared {
                    let seen = self
                        .shared
                        .get(&access.record)
                        .map(|c| access.basis(c.value));
                    if seen.and_then(|v| access.change.apply_to(v)).is_none() {
                        return Applied::refused();
                    }
                }
                self.reservations.insert(
                    saga,
                    ReservationRow {
                        saga,
                        customer: ctx.spec.customer.clone(),
                        party_size: ctx.spec.party_size,
                        slot: ctx.spec.slot.clone(),
                        status: ReservationStatus::Pending,
                        updated_ms: now,
                    },
                );
                Applied::changed()
            }
            Operation::CancelReservation => match self.reservations.get_mut(&saga) {
                Some(row) if row.status != ReservationStatus::Cancelled => {
                    row.status = ReservationStatus::Cancelled;
                    row.updated_ms = now;
                    Applied::changed()
                }
                _ => Applied::no_op(),
            },
            Operation::ConfirmReservation => {
                if self.cancellations.contains(&saga) {
                    return Applied::refused();
                }
                match self.reservations.get_mut(&saga) {
                    Some(row) if row.status == ReservationStatus::Pending => {
                        row.status = ReservationStatus::Confirmed;
                        row.updated_ms = now;
                        Applied::changed()
                    }
                    Some(row) if row.status == ReservationStatus::Confirmed => Applied::no_op(),
                    _ => Applied::refused(),
                }
            }
            Operation::ChargeCard => {
                let written = match &ctx.shared {
                    Some(access) => match self.write_shared(access) {
                        Some(w) => Some(w),
                        None => return Applied::refused(), // the card cannot cover it
                    },
                    None => None,
                };
                self.push_ledger(saga, LedgerKind::Charged, ctx.spec.amount_cents, now);
                Applied::wrote(written)
            }
            Operation::RefundPayment => {
                // Refund only what was charged; repeated refunds are stopped by idempotency, not here,
                // so that switching idempotency off shows what it protects.
                let charged = self
                    .ledger
                    .iter()
                    .any(|r| r.saga == saga && r.kind == LedgerKind::Charged);
                if !charged {
                    return Applied::no_op();
                }
                let written = ctx.shared.as_ref().and_then(|a| self.write_shared(a));
                self.push_ledger(saga, LedgerKind::Refunded, ctx.spec.amount_cents, now);
                Applied::wrote(written)
            }
            Operation::BookSlot => {
                if self.slots.iter().any(|r| r.saga == saga) {
                    return Applied::no_op();
                }
                let written = match &ctx.shared {
                    // A slot with several tables: the count of tables left decides.
                    Some(access) => match self.write_shared(access) {
                        Some(w) => Some(w),
                        None => return Applied::refused(), // no table left
                    },
                    None => {
                        let taken = self
                            .slots
                            .iter()
                            .any(|r| r.slot == ctx.spec.slot && r.saga != saga);
                        if taken && ctx.semantic_lock {
                            return Applied::refused();
                        }
                        None
                    }
                };
                self.slots.push(SlotRow {
                    slot: ctx.spec.slot.clone(),
                    saga,
                    updated_ms: now,
                });
                Applied::wrote(written)
            }
            Operation::ReleaseSlot => {
                let before = self.slots.len();
                self.slots.retain(|r| r.saga != saga);
                if self.slots.len() == before {
                    Applied::no_op()
                } else {
                    Applied::wrote(ctx.shared.as_ref().and_then(|a| self.write_shared(a)))
                }
            }
            Operation::NotifyConfirmed | Operation::NotifyFailure => {
                let (text, money) = if op == Operation::NotifyConfirmed {
                    ("reservation confirmed".to_string(), None)
                } else {
                    (MoneyFact::failure_text(ctx.money), ctx.money)
                };
                for recipient in [Recipient::Customer, Recipient::Restaurant] {
                    self.notifications.push(NotificationRow {
                        saga,
                        recipient,
                        text: text.clone(),
                        updated_ms: now,
                        money,
                    });
                }
                Applied::changed()
            }
        }
    }

    /// Decides and writes a shared record: on the value read when the handling began (the
    /// naive way), or with commutative updates on the value now. `None`: the value cannot cover
    /// a take.
    fn write_shared(&mut self, access: &Access) -> Option<Written> {
        let counter = self.shared.get_mut(&access.record)?;
        let before = counter.value;
        let based_on = access.basis(before);
        let after = access.change.apply_to(based_on)?;
        counter.value = after;
        Some(Written {
            based_on,
            before,
            after,
        })
    }

    fn push_ledger(&mut self, saga: SagaId, kind: LedgerKind, amount_cents: u64, now: u64) {
        let entry = u32::try_from(self.ledger.len()).unwrap_or(u32::MAX);
        self.ledger.push(LedgerRow {
            entry,
            saga,
            kind,
            amount_cents,
            updated_ms: now,
        });
    }

    /// Net money held for a saga: charges minus refunds, in cents (negative after a double refund).
    pub fn net_cents(&self, saga: SagaId) -> i64 {
        self.ledger
            .iter()
            .filter(|r| r.saga == saga)
            .map(|r| {
                let amount = i64::try_from(r.amount_cents).unwrap_or(i64::MAX);
                match r.kind {
                    LedgerKind::Charged => amount,
                    LedgerKind::Refunded => -amount,
                }
            })
            .sum()
    }
}
