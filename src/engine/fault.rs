//! The failure model: every fault is data, injectable before a run or at any moment in one.
//!
//! This is the faults' own vocabulary and needs no scenario; what a fault means in a given
//! scenario (is it valid there, how is it described, which service shows it) is the
//! scenario's to say, in `scenario/faults.rs`.

use serde::{Deserialize, Serialize};

use super::coordination::Coordination;
use super::definition::ServiceId;

/// A fault, as planned in a scenario or injected by a command.
///
/// Steps are numbered from 1, as people count them; `saga`, when given, limits a step fault to
/// one saga (numbered from 0), otherwise it hits the first saga that gets there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultSpec {
    /// The step's business failure (card declined, slot taken, restaurant rejects).
    BusinessFailure {
        /// Step number, from 1.
        step: usize,
        /// Only this saga.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saga: Option<usize>,
    },
    /// The step fails with a transient error `times` times, then works.
    TransientError {
        /// Step number, from 1.
        step: usize,
        /// How many failures.
        times: u32,
        /// Only this saga.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saga: Option<usize>,
    },
    /// The service takes the request but never answers and does nothing, `times` times.
    NoReply {
        /// Step number, from 1.
        step: usize,
        /// How many times.
        times: u32,
        /// Only this saga.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saga: Option<usize>,
    },
    /// The step takes effect but its reply (or acknowledgement) is lost, `times` times.
    Ambiguous {
        /// Step number, from 1.
        step: usize,
        /// How many times.
        times: u32,
        /// Only this saga.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saga: Option<usize>,
    },
    /// The step's compensation fails `times` times, or for ever when `times` is absent.
    CompensationFails {
        /// Step number, from 1.
        step: usize,
        /// How many failures; absent means for ever.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        times: Option<u32>,
        /// Only this saga.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saga: Option<usize>,
    },
    /// Everything the service does takes `extra_ms` longer, until removed.
    Latency {
        /// Which service.
        service: ServiceId,
        /// Added time.
        extra_ms: u64,
    },
    /// The service is down for `for_ms`, then back.
    ServiceDown {
        /// Which service.
        service: ServiceId,
        /// How long.
        for_ms: u64,
    },
    /// The service's database is down for `for_ms` (in shared storage: every service's).
    DatabaseDown {
        /// Whose database.
        service: ServiceId,
        /// How long.
        for_ms: u64,
    },
    /// The orchestrator crashes, and restarts from its log after `for_ms`.
    OrchestratorDown {
        /// How long.
        for_ms: u64,
    },
    /// The next `times` messages (to or from `service`, if given) are lost on the way.
    Drop {
        /// Only messages to or from this service.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<ServiceId>,
        /// How many.
        times: u32,
    },
    /// The next `times` messages are delivered twice.
    Duplicate {
        /// Only messages to or from this service.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<ServiceId>,
        /// How many.
        times: u32,
    },
    /// The next `times` messages take `extra_ms` longer.
    Delay {
        /// Only messages to or from this service.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<ServiceId>,
        /// Added time.
        extra_ms: u64,
        /// How many.
        times: u32,
    },
    /// The next `times` messages get a random extra delay, so later ones can overtake them.
    Reorder {
        /// Only messages to or from this service.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<ServiceId>,
        /// How many.
        times: u32,
    },
    /// The next message the service handles fails every delivery, until this fault is removed.
    Poison {
        /// Which service.
        service: ServiceId,
    },
    /// Choreography: the service crashes right after a local commit, before its event leaves,
    /// `times` times; it restarts a moment later. The outbox keeps the event; without it the
    /// event is lost.
    CrashAfterCommit {
        /// Which service.
        service: ServiceId,
        /// How many times.
        times: u32,
    },
    /// Random faults drawn from the seed: each message or request meets one with this chance.
    Chaos {
        /// Chance in percent.
        percent: u32,
        /// For how long.
        for_ms: u64,
    },
}

/// Declares [`FaultKind`] and [`FaultKind::ALL`] from one list, so that no kind can be left out
/// of `ALL` (the menus, the fault matrix and the tests' generator all walk it).
macro_rules! fault_kinds {
    ($($(#[$doc:meta])* $kind:ident,)*) => {
        /// What kind of fault a [`FaultSpec`] is: the vocabulary the menus, links, the matrix and
        /// the tests share. Adding a kind means adding it to this list (which puts it in
        /// [`FaultKind::ALL`] too) and to each `match` that the compiler then points at.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FaultKind {
            $($(#[$doc])* $kind,)*
        }

        impl FaultKind {
            /// Every kind, in menu order.
            pub const ALL: [FaultKind; [$(FaultKind::$kind),*].len()] = [$(FaultKind::$kind),*];
        }
    };
}

fault_kinds! {
    /// [`FaultSpec::BusinessFailure`].
    BusinessFailure,
    /// [`FaultSpec::TransientError`].
    TransientError,
    /// [`FaultSpec::NoReply`].
    NoReply,
    /// [`FaultSpec::Ambiguous`].
    Ambiguous,
    /// [`FaultSpec::CompensationFails`].
    CompensationFails,
    /// [`FaultSpec::Latency`].
    Latency,
    /// [`FaultSpec::ServiceDown`].
    ServiceDown,
    /// [`FaultSpec::DatabaseDown`].
    DatabaseDown,
    /// [`FaultSpec::OrchestratorDown`].
    OrchestratorDown,
    /// [`FaultSpec::Drop`].
    Drop,
    /// [`FaultSpec::Duplicate`].
    Duplicate,
    /// [`FaultSpec::Delay`].
    Delay,
    /// [`FaultSpec::Reorder`].
    Reorder,
    /// [`FaultSpec::Poison`].
    Poison,
    /// [`FaultSpec::CrashAfterCommit`].
    CrashAfterCommit,
    /// [`FaultSpec::Chaos`].
    Chaos,
}

impl FaultKind {
    /// The stable snake_case name: the `data-fault` attribute and the JSON `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::BusinessFailure => "business_failure",
            FaultKind::TransientError => "transient_error",
            FaultKind::NoReply => "no_reply",
            FaultKind::Ambiguous => "ambiguous",
            FaultKind::CompensationFails => "compensation_fails",
            FaultKind::Latency => "latency",
            FaultKind::ServiceDown => "service_down",
            FaultKind::DatabaseDown => "database_down",
            FaultKind::OrchestratorDown => "orchestrator_down",
            FaultKind::Drop => "drop",
            FaultKind::Duplicate => "duplicate",
            FaultKind::Delay => "delay",
            FaultKind::Reorder => "reorder",
            FaultKind::Poison => "poison",
            FaultKind::CrashAfterCommit => "crash_after_commit",
            FaultKind::Chaos => "chaos",
        }
    }

    /// The kind named by [`FaultKind::as_str`].
    pub fn parse(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What people call it ("Reply lost").
    pub fn label(self) -> &'static str {
        match self {
            FaultKind::BusinessFailure => "Business failure",
            FaultKind::TransientError => "Transient error",
            FaultKind::NoReply => "No reply",
            FaultKind::Ambiguous => "Reply lost",
            FaultKind::CompensationFails => "Compensation fails",
            FaultKind::Latency => "Latency",
            FaultKind::ServiceDown => "Service down",
            FaultKind::DatabaseDown => "Database down",
            FaultKind::OrchestratorDown => "Orchestrator crash",
            FaultKind::Drop => "Message dropped",
            FaultKind::Duplicate => "Message duplicated",
            FaultKind::Delay => "Message delayed",
            FaultKind::Reorder => "Messages reordered",
            FaultKind::Poison => "Poison message",
            FaultKind::CrashAfterCommit => "Crash after commit",
            FaultKind::Chaos => "Chaos",
        }
    }

    /// Whether faults of this kind mean anything under this coordination style.
    pub fn applies_to(self, coordination: Coordination) -> bool {
        match self {
            FaultKind::OrchestratorDown => coordination == Coordination::Orchestration,
            // Only choreography has an outbox and a relay to lose an event between.
            FaultKind::CrashAfterCommit => coordination == Coordination::Choreography,
            FaultKind::BusinessFailure
            | FaultKind::TransientError
            | FaultKind::NoReply
            | FaultKind::Ambiguous
            | FaultKind::CompensationFails
            | FaultKind::Latency
            | FaultKind::ServiceDown
            | FaultKind::DatabaseDown
            | FaultKind::Drop
            | FaultKind::Duplicate
            | FaultKind::Delay
            | FaultKind::Reorder
            | FaultKind::Poison
            | FaultKind::Chaos => true,
        }
    }
}

impl std::fmt::Display for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FaultSpec {
    /// What kind of fault this is.
    pub fn kind(&self) -> FaultKind {
        match self {
            FaultSpec::BusinessFailure { .. } => FaultKind::BusinessFailure,
            FaultSpec::TransientError { .. } => FaultKind::TransientError,
            FaultSpec::NoReply { .. } => FaultKind::NoReply,
            FaultSpec::Ambiguous { .. } => FaultKind::Ambiguous,
            FaultSpec::CompensationFails { .. } => FaultKind::CompensationFails,
            FaultSpec::Latency { .. } => FaultKind::Latency,
            FaultSpec::ServiceDown { .. } => FaultKind::ServiceDown,
            FaultSpec::DatabaseDown { .. } => FaultKind::DatabaseDown,
            FaultSpec::OrchestratorDown { .. } => FaultKind::OrchestratorDown,
            FaultSpec::Drop { .. } => FaultKind::Drop,
            FaultSpec::Duplicate { .. } => FaultKind::Duplicate,
            FaultSpec::Delay { .. } => FaultKind::Delay,
            FaultSpec::Reorder { .. } => FaultKind::Reorder,
            FaultSpec::Poison { .. } => FaultKind::Poison,
            FaultSpec::CrashAfterCommit { .. } => FaultKind::CrashAfterCommit,
            FaultSpec::Chaos { .. } => FaultKind::Chaos,
        }
    }

    /// The step (0-based) this fault is about, if it is about one.
    pub fn step_index(&self) -> Option<usize> {
        match self {
            FaultSpec::BusinessFailure { step, .. }
            | FaultSpec::TransientError { step, .. }
            | FaultSpec::NoReply { step, .. }
            | FaultSpec::Ambiguous { step, .. }
            | FaultSpec::CompensationFails { step, .. } => step.checked_sub(1),
            _ => None,
        }
    }

    /// The saga filter of a step fault.
    pub fn saga_filter(&self) -> Option<usize> {
        match self {
            FaultSpec::BusinessFailure { saga, .. }
            | FaultSpec::TransientError { saga, .. }
            | FaultSpec::NoReply { saga, .. }
            | FaultSpec::Ambiguous { saga, .. }
            | FaultSpec::CompensationFails { saga, .. } => *saga,
            _ => None,
        }
    }

    /// How many times the fault fires before it is used up (`None`: until removed or expired).
    pub fn times(&self) -> Option<u32> {
        match self {
            FaultSpec::BusinessFailure { .. } => Some(1),
            FaultSpec::TransientError { times, .. }
            | FaultSpec::NoReply { times, .. }
            | FaultSpec::Ambiguous { times, .. }
            | FaultSpec::Drop { times, .. }
            | FaultSpec::Duplicate { times, .. }
            | FaultSpec::Delay { times, .. }
            | FaultSpec::Reorder { times, .. }
            | FaultSpec::CrashAfterCommit { times, .. } => Some(*times),
            FaultSpec::CompensationFails { times, .. } => *times,
            _ => None,
        }
    }

    /// How long the fault lasts (`None`: until used up or removed).
    pub fn duration_ms(&self) -> Option<u64> {
        match self {
            FaultSpec::ServiceDown { for_ms, .. }
            | FaultSpec::DatabaseDown { for_ms, .. }
            | FaultSpec::OrchestratorDown { for_ms }
            | FaultSpec::Chaos { for_ms, .. } => Some(*for_ms),
            _ => None,
        }
    }

    pub fn applies_to(&self, coordination: Coordination) -> bool {
        self.kind().applies_to(coordination)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One fault of each kind (an exhaustive match: a new kind must say what it looks like).
    fn sample(kind: FaultKind) -> FaultSpec {
        match kind {
            FaultKind::BusinessFailure => FaultSpec::BusinessFailure {
                step: 2,
                saga: None,
            },
            FaultKind::TransientError => FaultSpec::TransientError {
                step: 1,
                times: 2,
                saga: Some(1),
            },
            FaultKind::NoReply => FaultSpec::NoReply {
                step: 3,
                times: 1,
                saga: None,
            },
            FaultKind::Ambiguous => FaultSpec::Ambiguous {
                step: 4,
                times: 1,
                saga: None,
            },
            FaultKind::CompensationFails => FaultSpec::CompensationFails {
                step: 2,
                times: None,
                saga: None,
            },
            FaultKind::Latency => FaultSpec::Latency {
                service: ServiceId::Payment,
                extra_ms: 2_500,
            },
            FaultKind::ServiceDown => FaultSpec::ServiceDown {
                service: ServiceId::Calendar,
                for_ms: 5_000,
            },
            FaultKind::DatabaseDown => FaultSpec::DatabaseDown {
                service: ServiceId::Reservation,
                for_ms: 5_000,
            },
            FaultKind::OrchestratorDown => FaultSpec::OrchestratorDown { for_ms: 3_000 },
            FaultKind::Drop => FaultSpec::Drop {
                service: None,
                times: 1,
            },
            FaultKind::Duplicate => FaultSpec::Duplicate {
                service: Some(ServiceId::Payment),
                times: 1,
            },
            FaultKind::Delay => FaultSpec::Delay {
                service: None,
                extra_ms: 3_000,
                times: 1,
            },
            FaultKind::Reorder => FaultSpec::Reorder {
                service: None,
                times: 3,
            },
            FaultKind::Poison => FaultSpec::Poison {
                service: ServiceId::Notification,
            },
            FaultKind::CrashAfterCommit => FaultSpec::CrashAfterCommit {
                service: ServiceId::Calendar,
                times: 2,
            },
            FaultKind::Chaos => FaultSpec::Chaos {
                percent: 25,
                for_ms: 20_000,
            },
        }
    }

    #[test]
    fn every_kind_is_named_as_its_json_kind_and_parses_back() {
        for kind in FaultKind::ALL {
            let spec = sample(kind);
            assert_eq!(spec.kind(), kind);
            let json = serde_json::to_string(&spec).unwrap();
            assert!(
                json.starts_with(&format!(r#"{{"kind":"{}""#, kind.as_str())),
                "{json}"
            );
            assert_eq!(FaultKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::from_str::<FaultSpec>(&json).unwrap(), spec);
        }
        assert_eq!(FaultKind::parse("Drop"), None);
        assert_eq!(FaultKind::parse(""), None);
    }

    #[test]
    fn kinds_are_listed_once_each_with_distinct_names_and_labels() {
        let mut names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.as_str()).collect();
        let mut labels: Vec<&str> = FaultKind::ALL.iter().map(|k| k.label()).collect();
        let mut kinds = FaultKind::ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        labels.sort_unstable();
        labels.dedup();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(names.len(), FaultKind::ALL.len());
        assert_eq!(labels.len(), FaultKind::ALL.len());
        assert_eq!(kinds.len(), FaultKind::ALL.len());
    }

    #[test]
    fn only_the_orchestrator_crash_and_the_crash_after_commit_are_for_one_style() {
        for kind in FaultKind::ALL {
            let (orchestration, choreography) = match kind {
                FaultKind::OrchestratorDown => (true, false),
                FaultKind::CrashAfterCommit => (false, true),
                _ => (true, true),
            };
            assert_eq!(
                kind.applies_to(Coordination::Orchestration),
                orchestration,
                "{kind}"
            );
            assert_eq!(
                kind.applies_to(Coordination::Choreography),
                choreography,
                "{kind}"
            );
            assert_eq!(
                sample(kind).applies_to(Coordination::Choreography),
                choreography,
                "{kind}: the spec and its kind agree"
            );
        }
    }
}
