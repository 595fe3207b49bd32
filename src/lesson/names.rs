//! Serde for the engine vocabularies that have stable names but no serde of their own: a fault
//! kind and a safeguard are written as their `as_str` names, and a name that is not one of them
//! is refused with the list of those that are.

use serde::de::Error;
use serde::{Deserialize, Deserializer, Serializer};

/// "a, b and c" of the names, for an error message.
fn names(all: impl Iterator<Item = &'static str>) -> String {
    all.collect::<Vec<_>>().join(", ")
}

/// A [`FaultKind`](crate::engine::fault::FaultKind) by its `data-fault` name.
pub mod fault_kind {
    use super::*;
    use crate::engine::fault::FaultKind;

    /// Writes the kind's name.
    pub fn serialize<S: Serializer>(kind: &FaultKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.as_str())
    }

    /// Reads a kind's name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FaultKind, D::Error> {
        let name = String::deserialize(d)?;
        FaultKind::parse(&name).ok_or_else(|| {
            D::Error::custom(format!(
                "the fault {name:?} is not one of {}",
                names(FaultKind::ALL.iter().map(|k| k.as_str()))
            ))
        })
    }
}

/// A [`Safeguard`](crate::engine::safeguard::Safeguard) by its field name.
pub mod safeguard {
    use super::*;
    use crate::engine::safeguard::Safeguard;

    /// Writes the safeguard's name.
    pub fn serialize<S: Serializer>(safeguard: &Safeguard, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(safeguard.as_str())
    }

    /// Reads a safeguard's name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Safeguard, D::Error> {
        let name = String::deserialize(d)?;
        Safeguard::parse(&name).ok_or_else(|| {
            D::Error::custom(format!(
                "the safeguard {name:?} is not one of {}",
                names(Safeguard::ALL.iter().map(|s| s.as_str()))
            ))
        })
    }
}

/// A commit [`Protocol`](crate::engine::commit::Protocol) by its short name (`2pc`, `3pc`).
pub mod protocol {
    use super::*;
    use crate::engine::commit::Protocol;

    /// Writes the protocol's short name.
    pub fn serialize<S: Serializer>(protocol: &Protocol, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(protocol.as_str())
    }

    /// Reads a protocol's short name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Protocol, D::Error> {
        let name = String::deserialize(d)?;
        Protocol::parse(&name).ok_or_else(|| {
            D::Error::custom(format!(
                "the protocol {name:?} is not one of {}",
                names(Protocol::ALL.iter().map(|p| p.as_str()))
            ))
        })
    }
}

/// A [`CommitPlan`](crate::engine::commit::CommitPlan) (the failure the 2PC / 3PC view
/// offers) by its short name.
pub mod commit_plan {
    use super::*;
    use crate::engine::commit::CommitPlan;

    /// Writes the plan's short name.
    pub fn serialize<S: Serializer>(plan: &CommitPlan, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(plan.as_str())
    }

    /// Reads a plan's short name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CommitPlan, D::Error> {
        let name = String::deserialize(d)?;
        CommitPlan::parse(&name).ok_or_else(|| {
            D::Error::custom(format!(
                "the failure {name:?} is not one of {}",
                names(CommitPlan::ALL.iter().map(|p| p.as_str()))
            ))
        })
    }
}
