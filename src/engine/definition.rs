//! The saga as data: steps, their actions and compensations, their kinds.
//!
//! One generic machine per coordination style interprets a [`SagaDefinition`]; nothing in the
//! engine is written for one particular step.

use serde::{Deserialize, Serialize};

/// One of the four mock microservices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceId {
    /// Owns reservations and the go/no-go decision.
    Reservation,
    /// Owns the payment ledger.
    Payment,
    /// Owns the restaurant's time slots.
    Calendar,
    /// Tells the customer and the restaurant.
    Notification,
}

impl ServiceId {
    /// Every service, in drawing order.
    pub const ALL: [ServiceId; 4] = [
        ServiceId::Reservation,
        ServiceId::Payment,
        ServiceId::Calendar,
        ServiceId::Notification,
    ];

    /// The stable lower-case name (used in `data-testid` and JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceId::Reservation => "reservation",
            ServiceId::Payment => "payment",
            ServiceId::Calendar => "calendar",
            ServiceId::Notification => "notification",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            ServiceId::Reservation => "Reservation",
            ServiceId::Payment => "Payment",
            ServiceId::Calendar => "Calendar",
            ServiceId::Notification => "Notification",
        }
    }

    /// Position in [`ServiceId::ALL`].
    pub fn index(self) -> usize {
        match self {
            ServiceId::Reservation => 0,
            ServiceId::Payment => 1,
            ServiceId::Calendar => 2,
            ServiceId::Notification => 3,
        }
    }

    /// Parses the lower-case name.
    pub fn parse(name: &str) -> Option<ServiceId> {
        ServiceId::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// What a mock service can do to its own tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Insert a reservation in status PENDING (the semantic lock).
    CreateReservation,
    /// Set a reservation to CANCELLED; nothing if it never existed.
    CancelReservation,
    /// PENDING → CONFIRMED, unless the customer cancelled or the restaurant rejects.
    ConfirmReservation,
    /// Append a CHARGED entry to the ledger.
    ChargeCard,
    /// Append a REFUNDED entry, if the saga was charged.
    RefundPayment,
    /// Hold the table's time slot for the saga.
    BookSlot,
    /// Release the saga's hold on its slot, if it has one.
    ReleaseSlot,
    /// Tell the customer and the restaurant that the reservation is confirmed.
    NotifyConfirmed,
    /// Tell the customer and the restaurant that the reservation failed.
    NotifyFailure,
}

impl Operation {
    /// The service that owns the tables this operation changes.
    pub fn service(self) -> ServiceId {
        match self {
            Operation::CreateReservation
            | Operation::CancelReservation
            | Operation::ConfirmReservation => ServiceId::Reservation,
            Operation::ChargeCard | Operation::RefundPayment => ServiceId::Payment,
            Operation::BookSlot | Operation::ReleaseSlot => ServiceId::Calendar,
            Operation::NotifyConfirmed | Operation::NotifyFailure => ServiceId::Notification,
        }
    }

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::CreateReservation => "create_reservation",
            Operation::CancelReservation => "cancel_reservation",
            Operation::ConfirmReservation => "confirm_reservation",
            Operation::ChargeCard => "charge_card",
            Operation::RefundPayment => "refund_payment",
            Operation::BookSlot => "book_slot",
            Operation::ReleaseSlot => "release_slot",
            Operation::NotifyConfirmed => "notify_confirmed",
            Operation::NotifyFailure => "notify_failure",
        }
    }
}

/// Richardson's classification of saga steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Can be undone by a compensating action.
    Compensatable,
    /// The go/no-go point: once it succeeds the saga must complete.
    Pivot,
    /// Comes after the pivot and only goes forward: retried, never compensated (forward recovery).
    Retriable,
}

impl StepKind {
    /// The stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Compensatable => "compensatable",
            StepKind::Pivot => "pivot",
            StepKind::Retriable => "retriable",
        }
    }
}

/// One step of a saga.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// A short name ("Charge card").
    pub name: String,
    /// The forward action.
    pub action: Operation,
    /// The compensating action (compensatable steps only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Operation>,
    /// Compensatable, pivot or retriable.
    pub kind: StepKind,
    /// The business failure this step can meet, in words ("card declined").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_failure: Option<String>,
    /// Choreography: the event published when the action succeeds ("PaymentCharged").
    pub done_event: String,
    /// Choreography: the event published on a business failure ("PaymentDeclined").
    pub failed_event: String,
    /// Choreography: the event published when the compensation is done ("PaymentRefunded").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensated_event: Option<String>,
}

impl StepDef {
    /// The service that runs this step.
    pub fn service(&self) -> ServiceId {
        self.action.service()
    }
}

/// A whole saga: its steps in order, and how failure is announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaDefinition {
    /// The saga's name.
    pub name: String,
    /// The event that starts a saga in choreography ("ReservationRequested").
    pub start_event: String,
    /// The steps, in forward order.
    pub steps: Vec<StepDef>,
    /// The action that tells both parties the saga failed, after the compensations.
    pub failure_notice: Operation,
    /// Choreography: the event published once both parties know of the failure.
    pub failure_notice_event: String,
}

/// What is wrong with a saga definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// A saga needs at least one step.
    #[error("the saga has no steps")]
    NoSteps,
    /// More steps than the engine draws or checks.
    #[error("the saga has {0} steps; at most {max} are allowed", max = SagaDefinition::MAX_STEPS)]
    TooManySteps(usize),
    /// Only compensatable steps can have (and must have) a compensation.
    #[error("step {step} ({name}): {problem}")]
    BadStep {
        /// Index of the step (1-based, as people count).
        step: usize,
        /// Its name.
        name: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// Steps must go compensatable…, then at most one pivot, then retriable….
    #[error("steps must be ordered compensatable, then one pivot, then retriable; step {0} is out of order")]
    KindOrder(usize),
}

impl SagaDefinition {
    /// The most steps a definition may have.
    pub const MAX_STEPS: usize = 12;

    /// The restaurant-reservation saga of the design, as Richardson would classify it.
    pub fn restaurant() -> Self {
        let step = |name: &str,
                    action,
                    compensation,
                    kind,
                    business_failure: Option<&str>,
                    done: &str,
                    failed: &str,
                    compensated: Option<&str>| StepDef {
            name: name.to_string(),
            action,
            compensation,
            kind,
            business_failure: business_failure.map(str::to_string),
            done_event: done.to_string(),
            failed_event: failed.to_string(),
            compensated_event: compensated.map(str::to_string),
        };
        Self {
            name: "Restaurant reservation".to_string(),
            start_event: "ReservationRequested".to_string(),
            steps: vec![
                step(
                    "Create reservation",
                    Operation::CreateReservation,
                    Some(Operation::CancelReservation),
                    StepKind::Compensatable,
                    None,
                    "ReservationCreated",
                    "ReservationFailed",
                    Some("ReservationCancelled"),
                ),
                step(
                    "Charge card",
                    Operation::ChargeCard,
                    Some(Operation::RefundPayment),
                    StepKind::Compensatable,
                    Some("card declined"),
                    "PaymentCharged",
                    "PaymentDeclined",
                    Some("PaymentRefunded"),
                ),
                step(
                    "Book slot",
                    Operation::BookSlot,
                    Some(Operation::ReleaseSlot),
                    StepKind::Compensatable,
                    Some("slot already taken"),
                    "SlotBooked",
                    "SlotUnavailable",
                    Some("SlotReleased"),
                ),
                step(
                    "Confirm reservation",
                    Operation::ConfirmReservation,
                    None,
                    StepKind::Pivot,
                    Some("restaurant rejects"),
                    "ReservationConfirmed",
                    "ReservationRejected",
                    None,
                ),
                step(
                    "Notify",
                    Operation::NotifyConfirmed,
                    None,
                    StepKind::Retriable,
                    None,
                    "PartiesNotified",
                    "NotificationFailed",
                    None,
                ),
            ],
            failure_notice: Operation::NotifyFailure,
            failure_notice_event: "FailureNotified".to_string(),
        }
    }

    /// Checks the shape rules the machines rely on.
    pub fn validate(&self) -> Result<(), DefinitionError> {
        if self.steps.is_empty() {
            return Err(DefinitionError::NoSteps);
        }
        if self.steps.len() > Self::MAX_STEPS {
            return Err(DefinitionError::TooManySteps(self.steps.len()));
        }
        let mut previous_rank = 0;
        let mut pivots = 0;
        for (i, step) in self.steps.iter().enumerate() {
            let bad = |problem| DefinitionError::BadStep {
                step: i + 1,
                name: step.name.clone(),
                problem,
            };
            let rank = match step.kind {
                StepKind::Compensatable => 0,
                StepKind::Pivot => 1,
                StepKind::Retriable => 2,
            };
            if step.kind == StepKind::Pivot {
                pivots += 1;
            }
            if rank < previous_rank || pivots > 1 {
                return Err(DefinitionError::KindOrder(i + 1));
            }
            previous_rank = rank;
            match (step.kind, step.compensation) {
                (StepKind::Compensatable, None) => {
                    return Err(bad("a compensatable step needs a compensation"))
                }
                (StepKind::Compensatable, Some(c)) if c.service() != step.service() => {
                    return Err(bad("the compensation must run on the step's own service"))
                }
                (StepKind::Pivot | StepKind::Retriable, Some(_)) => {
                    return Err(bad("only compensatable steps have a compensation"))
                }
                _ => {}
            }
            if step.kind == StepKind::Compensatable && step.compensated_event.is_none() {
                return Err(bad("a compensatable step needs a compensated_event"));
            }
            if step.kind == StepKind::Retriable && step.business_failure.is_some() {
                return Err(bad("a retriable step cannot have a business failure"));
            }
        }
        Ok(())
    }

    /// Richardson's pessimistic view: the same saga with the card charged last before the
    /// pivot, after the steps whose business rules may refuse (the table's booking), so that a
    /// refusal there never takes money that other sagas would see and then see refunded. A
    /// charge can be declined, so it cannot go after the pivot: the pivot may still refuse once
    /// the money is taken. Applying it twice changes nothing.
    pub fn pessimistic_view(&self) -> SagaDefinition {
        let end = self
            .pivot()
            .unwrap_or(self.steps.len())
            .min(self.steps.len());
        let (charges, others): (Vec<StepDef>, Vec<StepDef>) = self.steps[..end]
            .iter()
            .cloned()
            .partition(|s| s.action == Operation::ChargeCard && s.kind == StepKind::Compensatable);
        let mut steps = others;
        steps.extend(charges);
        steps.extend(self.steps[end..].iter().cloned());
        SagaDefinition {
            steps,
            ..self.clone()
        }
    }

    /// Index of the pivot step, if there is one.
    pub fn pivot(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.kind == StepKind::Pivot)
    }

    /// `true` if a business failure of step `step` must be compensated (it comes before or at the pivot).
    pub fn is_before_commit(&self, step: usize) -> bool {
        self.steps
            .get(step)
            .is_some_and(|s| s.kind != StepKind::Retriable)
    }

    /// The compensatable steps below `step`, nearest first: the order to undo them in.
    pub fn compensations_below(&self, step: usize) -> impl Iterator<Item = usize> + '_ {
        (0..step.min(self.steps.len()))
            .rev()
            .filter(|&i| self.steps[i].compensation.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restaurant_saga_is_valid() {
        assert_eq!(SagaDefinition::restaurant().validate(), Ok(()));
    }

    #[test]
    fn restaurant_pivot_is_confirmation() {
        let d = SagaDefinition::restaurant();
        assert_eq!(d.pivot(), Some(3));
        assert_eq!(d.steps[3].action, Operation::ConfirmReservation);
    }

    #[test]
    fn compensations_run_in_reverse_order() {
        let d = SagaDefinition::restaurant();
        let order: Vec<usize> = d.compensations_below(3).collect();
        assert_eq!(order, vec![2, 1, 0]);
    }

    #[test]
    fn pivot_before_compensatable_is_rejected() {
        let mut d = SagaDefinition::restaurant();
        d.steps.swap(2, 3);
        assert!(matches!(d.validate(), Err(DefinitionError::KindOrder(_))));
    }

    #[test]
    fn compensatable_without_compensation_is_rejected() {
        let mut d = SagaDefinition::restaurant();
        d.steps[1].compensation = None;
        assert!(matches!(
            d.validate(),
            Err(DefinitionError::BadStep { step: 2, .. })
        ));
    }

    #[test]
    fn compensation_on_another_service_is_rejected() {
        let mut d = SagaDefinition::restaurant();
        d.steps[1].compensation = Some(Operation::ReleaseSlot);
        assert!(d.validate().is_err());
    }
}
