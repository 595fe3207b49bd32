//! The design's invariants as a type, and what a broken one reports.

use serde::{Deserialize, Serialize};

use crate::engine::message::SagaId;
use crate::engine::shared::Anomaly;

/// One of the design's invariants. It serialises as its number (1–11), as reports always had it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Invariant {
    /// 1. Every saga ends completed, compensated, rollback incomplete or awaiting a person.
    EndsProperly,
    /// 2. No compensation takes effect for a step that did not, and none twice.
    UndoOnlyWhatWasDone,
    /// 3. Each action takes effect at most once per saga.
    ActionAtMostOnce,
    /// 4. Attempts never exceed the configured maximum.
    AttemptsWithinLimit,
    /// 5. No message is lost unless a fault lost it.
    NoMessageLost,
    /// 6. Money adds up, and no slot is held by two sagas.
    MoneyAddsUp,
    /// 7. Same scenario and seed give the same trace.
    Deterministic,
    /// 8. Once the pivot may have taken effect, the saga is never compensated.
    PointOfNoReturn,
    /// 9. A saga's outcome matches the data.
    OutcomeMatchesData,
    /// 10. A cancel is honoured, whenever it arrives.
    CancelHonoured,
    /// 11. Concurrent sagas do not corrupt shared data (isolation).
    Isolation,
}

/// A number that names no invariant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("there is no invariant {0}; they are numbered 1 to 11")]
pub struct UnknownInvariant(pub u8);

impl Invariant {
    /// Every invariant, in the design's order.
    pub const ALL: [Invariant; 11] = [
        Invariant::EndsProperly,
        Invariant::UndoOnlyWhatWasDone,
        Invariant::ActionAtMostOnce,
        Invariant::AttemptsWithinLimit,
        Invariant::NoMessageLost,
        Invariant::MoneyAddsUp,
        Invariant::Deterministic,
        Invariant::PointOfNoReturn,
        Invariant::OutcomeMatchesData,
        Invariant::CancelHonoured,
        Invariant::Isolation,
    ];

    /// Its number in the design (1–10).
    pub fn number(self) -> u8 {
        match self {
            Invariant::EndsProperly => 1,
            Invariant::UndoOnlyWhatWasDone => 2,
            Invariant::ActionAtMostOnce => 3,
            Invariant::AttemptsWithinLimit => 4,
            Invariant::NoMessageLost => 5,
            Invariant::MoneyAddsUp => 6,
            Invariant::Deterministic => 7,
            Invariant::PointOfNoReturn => 8,
            Invariant::OutcomeMatchesData => 9,
            Invariant::CancelHonoured => 10,
            Invariant::Isolation => 11,
        }
    }

    /// The invariant numbered `n`, if there is one.
    pub fn from_number(n: u8) -> Option<Invariant> {
        Invariant::ALL.into_iter().find(|i| i.number() == n)
    }

    /// The stable kebab-case name (JSON, `data-invariant-name`).
    pub fn as_str(self) -> &'static str {
        match self {
            Invariant::EndsProperly => "ends-properly",
            Invariant::UndoOnlyWhatWasDone => "undo-only-what-was-done",
            Invariant::ActionAtMostOnce => "action-at-most-once",
            Invariant::AttemptsWithinLimit => "attempts-within-limit",
            Invariant::NoMessageLost => "no-message-lost",
            Invariant::MoneyAddsUp => "money-adds-up",
            Invariant::Deterministic => "deterministic",
            Invariant::PointOfNoReturn => "point-of-no-return",
            Invariant::OutcomeMatchesData => "outcome-matches-data",
            Invariant::CancelHonoured => "cancel-honoured",
            Invariant::Isolation => "isolation",
        }
    }

    /// A short name that fits one line of the monitor panel.
    pub fn short_name(self) -> &'static str {
        match self {
            Invariant::EndsProperly => "Every saga ends properly",
            Invariant::UndoOnlyWhatWasDone => "Undo only what was done, once",
            Invariant::ActionAtMostOnce => "Each action at most once",
            Invariant::AttemptsWithinLimit => "Attempts within the limit",
            Invariant::NoMessageLost => "No message lost",
            Invariant::MoneyAddsUp => "Money adds up, no double booking",
            Invariant::Deterministic => "Same seed, same trace",
            Invariant::PointOfNoReturn => "No way back after the pivot",
            Invariant::OutcomeMatchesData => "Outcome matches the data",
            Invariant::CancelHonoured => "A cancel is honoured",
            Invariant::Isolation => "No saga overwrites another",
        }
    }

    /// The statement, in one line.
    pub fn statement(self) -> &'static str {
        match self {
            Invariant::EndsProperly => {
                "Every saga ends completed, compensated (in reverse order), rollback incomplete, or awaiting a person with the reason; at rest none is left running unflagged"
            }
            Invariant::UndoOnlyWhatWasDone => {
                "No compensation takes effect for a step that did not take effect, and none twice"
            }
            Invariant::ActionAtMostOnce => {
                "Each action takes effect at most once per saga, whatever is duplicated or re-sent"
            }
            Invariant::AttemptsWithinLimit => {
                "Attempts never exceed the configured maximum, counted from the messages"
            }
            Invariant::NoMessageLost => {
                "No message is lost unless a fault lost it: sent = handled + in flight + queued + dead-lettered + lost"
            }
            Invariant::MoneyAddsUp => {
                "Money adds up from the ledger (charged − refunded = what completed and person-listed sagas hold), and no slot is held by two sagas"
            }
            Invariant::Deterministic => "Same scenario and seed give the same trace",
            Invariant::PointOfNoReturn => {
                "Once the pivot may have taken effect, the saga is never compensated (but for a cancellation after completion)"
            }
            Invariant::OutcomeMatchesData => {
                "A saga's outcome matches the tables: reservation, slot, net charge, and both parties told the truth"
            }
            Invariant::CancelHonoured => {
                "A saga the customer cancelled ends with nothing charged, the slot free, the reservation cancelled and both told"
            }
            Invariant::Isolation => {
                "Concurrent sagas do not corrupt shared data: no write overwrites another saga's update (lost update), no slot has more bookings than tables, and every shared count agrees with the rows it counts"
            }
        }
    }
}

impl From<Invariant> for u8 {
    fn from(i: Invariant) -> u8 {
        i.number()
    }
}

impl TryFrom<u8> for Invariant {
    type Error = UnknownInvariant;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Invariant::from_number(n).ok_or(UnknownInvariant(n))
    }
}

impl std::fmt::Display for Invariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.number(), self.short_name())
    }
}

/// One broken invariant: which, for whom, where in the saga, when, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Which invariant (its number in JSON).
    pub invariant: Invariant,
    /// The invariant's stable name ([`Invariant::as_str`]).
    pub name: String,
    /// The saga concerned, if one (the first of [`Violation::sagas`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saga: Option<SagaId>,
    /// Every saga concerned (two for a slot held twice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sagas: Vec<SagaId>,
    /// The step concerned, numbered from 1 as people count, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// When it was seen broken: simulated ms.
    #[serde(default)]
    pub at_ms: u64,
    /// When it was seen broken: the sequence number of the event that showed it.
    #[serde(default)]
    pub seq: u64,
    /// What is wrong, in words.
    pub detail: String,
    /// For invariant 11, the isolation anomaly the trace shows, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anomaly: Option<Anomaly>,
}

impl Violation {
    /// A violation of `invariant` about `sagas`, seen at (`at_ms`, `seq`).
    pub fn new(
        invariant: Invariant,
        sagas: Vec<SagaId>,
        step: Option<usize>,
        (at_ms, seq): (u64, u64),
        detail: String,
    ) -> Self {
        Self {
            invariant,
            name: invariant.as_str().to_string(),
            saga: sagas.first().copied(),
            sagas,
            step: step.map(|s| s + 1),
            at_ms,
            seq,
            detail,
            anomaly: None,
        }
    }

    /// The same violation, naming the isolation anomaly it is.
    #[must_use]
    pub fn anomaly(mut self, anomaly: Anomaly) -> Self {
        self.anomaly = Some(anomaly);
        self
    }
}

/// The state of one invariant in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvariantStatus {
    /// Which invariant (1–10).
    pub invariant: u8,
    /// Its statement.
    pub name: String,
    /// Its stable name ([`Invariant::as_str`]).
    #[serde(default)]
    pub key: String,
    /// Its short name, for one line.
    #[serde(default)]
    pub short_name: String,
    /// Whether it holds (as far as it has been checked).
    pub holds: bool,
    /// Whether it has been checked at all: invariant 7 is checked by replaying the run, which
    /// callers do once a run settles.
    pub checked: bool,
    /// When it first broke (simulated ms), and the event sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<(u64, u64)>,
    /// What broke, the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The first violation in full: saga(s), step, moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation: Option<Violation>,
    /// Sagas the check leaves aside for now, each with its cause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<String>,
}

impl InvariantStatus {
    /// The invariant, as a type.
    pub fn which(&self) -> Option<Invariant> {
        Invariant::from_number(self.invariant)
    }
}

/// "saga B", as the page names it.
pub(crate) fn saga_name(saga: SagaId) -> String {
    format!("saga {}", crate::engine::message::saga_letter(saga))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_json_round_trip() {
        for (i, inv) in Invariant::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(inv.number()), i + 1);
            assert_eq!(Invariant::from_number(inv.number()), Some(inv));
            assert_eq!(serde_json::to_string(&inv).ok(), Some((i + 1).to_string()));
            assert!(inv.short_name().len() <= 34, "{inv}: too long for one line");
            assert!(!inv.statement().is_empty());
        }
        assert_eq!(Invariant::try_from(12), Err(UnknownInvariant(12)));
        // Each invariant is told apart on the page by its key, its line in the monitor and its
        // statement.
        for text in [
            Invariant::as_str,
            Invariant::short_name,
            Invariant::statement,
        ] {
            let distinct: std::collections::BTreeSet<&str> =
                Invariant::ALL.into_iter().map(text).collect();
            assert_eq!(distinct.len(), Invariant::ALL.len());
        }
    }
}
