//! The alternative a saga replaces: the same reservation as one distributed transaction, run by
//! two-phase commit (2PC) or three-phase commit (3PC).
//!
//! # Contract
//!
//! - **Deterministic, no IO, no clock**, like the saga engine: a [`CommitScenario`] gives the
//!   same trace every time; time is a simulated `u64` of milliseconds.
//! - **A coordinator and three participants**: Reservation, Payment and Calendar. Each customer's
//!   request is one transaction. A participant asked to prepare takes the lock on its resource
//!   (the customer's reservation row, the customer's funds, the slot), waiting while another
//!   transaction holds it, does its work, and votes. After a yes vote it holds the lock until it
//!   hears the decision. Notification cannot take part (an e-mail cannot be rolled back): it is
//!   told after the commit.
//! - **2PC** (Gray and Reuter, ch. 10): prepare, votes, the decision forced to the coordinator's
//!   log, then sent. A participant that voted yes may not decide alone: if the coordinator
//!   crashes after the votes, it stays in doubt with its lock held until the coordinator comes
//!   back and reads its log (a transaction with no decision logged is aborted: presumed abort).
//! - **3PC** (Skeen, 1981): can-commit, pre-commit, do-commit, with participant timeouts and the
//!   termination protocol: a participant that times out collects the states of the participants
//!   it can reach. If one has decided, it follows; if one has not voted yes, it aborts;
//!   otherwise the first-ranked of them decides (any pre-committed: commit; all uncertain:
//!   abort) and the others wait for it. It does not block when the coordinator crashes; under a network partition the two
//!   sides can decide differently.
//! - **Commands in, events out**: [`CommitSim::advance_to`] and [`CommitSim::step`]; every event
//!   is in [`CommitSim::trace`]. The checks in [`monitor`] read only the trace.

mod event;
mod plan;
mod sim;
mod twin;

pub mod monitor;

use serde::{Deserialize, Serialize};

use super::definition::ServiceId;

pub use event::{CommitEvent, CommitEventKind, Decider, LogRecord, Node, ParticipantState, Say};
pub use plan::{commit_run, commit_scenario, CommitPlan, COMMIT_HORIZON_MS};
pub use sim::CommitSim;
pub use twin::{saga_failure, saga_under, SagaFailure};

/// Which atomic commit protocol runs the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// Two-phase commit: blocks while the coordinator is down after the votes.
    #[default]
    TwoPhase,
    /// Three-phase commit: does not block, but a partition can split the decision.
    ThreePhase,
}

impl Protocol {
    /// Both, in the order the page offers them.
    pub const ALL: [Protocol; 2] = [Protocol::TwoPhase, Protocol::ThreePhase];

    /// Its short name, in links and markup: `2pc`, `3pc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::TwoPhase => "2pc",
            Protocol::ThreePhase => "3pc",
        }
    }

    /// Reads a short name.
    pub fn parse(text: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The protocol's name as people write it.
    pub fn label(self) -> &'static str {
        match self {
            Protocol::TwoPhase => "Two-phase commit",
            Protocol::ThreePhase => "Three-phase commit",
        }
    }
}

/// The participants, in the order the termination protocol ranks them.
pub const PARTICIPANTS: [ServiceId; 3] = [
    ServiceId::Reservation,
    ServiceId::Payment,
    ServiceId::Calendar,
];

/// A transaction's number: its customer's place in the scenario.
pub type TxnId = usize;

/// One customer's reservation, as one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Who books (and whose funds Payment locks).
    pub customer: String,
    /// The slot Calendar locks.
    pub slot: String,
    /// When the coordinator begins it.
    #[serde(default)]
    pub start_ms: u64,
}

impl Request {
    /// A request for `customer` at `slot`, begun at 0 ms.
    pub fn new(customer: &str, slot: &str) -> Self {
        Self {
            customer: customer.to_string(),
            slot: slot.to_string(),
            start_ms: 0,
        }
    }
}

/// When a fault strikes: at a time, or at a point of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "when")]
pub enum Trigger {
    /// At this simulated time.
    At {
        /// Milliseconds.
        ms: u64,
    },
    /// The moment the coordinator has every vote of the transaction, before it logs anything.
    AllVotesIn {
        /// The transaction.
        txn: TxnId,
    },
    /// 3PC: just after the coordinator has sent the transaction's first pre-commit.
    FirstPreCommitSent {
        /// The transaction.
        txn: TxnId,
    },
}

/// A failure to inject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CommitFault {
    /// The coordinator crashes, losing all but its log, and comes back after `for_ms` (or
    /// never).
    CoordinatorCrash {
        /// When.
        #[serde(flatten)]
        when: Trigger,
        /// How long it stays down; `None`: it never comes back.
        #[serde(default)]
        for_ms: Option<u64>,
    },
    /// A participant votes no (it cannot do its part, a business failure).
    VoteNo {
        /// Who.
        participant: ServiceId,
        /// For which transaction.
        txn: TxnId,
    },
    /// Messages between `isolated` and everyone else (the coordinator included) are lost.
    Partition {
        /// The participants cut off.
        isolated: Vec<ServiceId>,
        /// When it begins.
        #[serde(flatten)]
        when: Trigger,
        /// How long it lasts; `None`: until the end of the run.
        #[serde(default)]
        for_ms: Option<u64>,
    },
}

/// The protocol's timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitTiming {
    /// One way, for every message.
    pub latency_ms: u64,
    /// A participant's work once it holds its lock.
    pub work_ms: u64,
    /// How long the coordinator waits for votes (and, in 3PC, for pre-commit acks), and how
    /// long a 3PC participant waits before it runs the termination protocol.
    pub timeout_ms: u64,
}

impl Default for CommitTiming {
    fn default() -> Self {
        Self {
            latency_ms: 200,
            work_ms: 200,
            timeout_ms: 3_000,
        }
    }
}

/// A run of the commit protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitScenario {
    /// 2PC or 3PC.
    pub protocol: Protocol,
    /// The transactions.
    pub requests: Vec<Request>,
    /// The failures.
    #[serde(default)]
    pub faults: Vec<CommitFault>,
    /// The timing.
    #[serde(default)]
    pub timing: CommitTiming,
}

/// Why a commit scenario cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitError {
    /// No request, or too many.
    #[error("a run needs 1 to {max} requests; this one has {0}", max = MAX_REQUESTS)]
    Requests(usize),
    /// A fault names a transaction that does not exist.
    #[error("fault {fault} names transaction {txn}, but there are {count}")]
    NoSuchTxn {
        /// The fault's place in the list.
        fault: usize,
        /// The transaction it names.
        txn: TxnId,
        /// How many there are.
        count: usize,
    },
    /// A fault names Notification, which takes no part.
    #[error("fault {0} names Notification, which takes no part in the transaction")]
    NotAParticipant(usize),
    /// A time out of range.
    #[error("{0} must be 1 to 60,000 ms")]
    Timing(&'static str),
}

/// At most this many requests.
pub const MAX_REQUESTS: usize = 8;

impl CommitScenario {
    /// A run of `protocol` for `requests` with no faults.
    pub fn new(protocol: Protocol, requests: Vec<Request>) -> Self {
        Self {
            protocol,
            requests,
            faults: Vec::new(),
            timing: CommitTiming::default(),
        }
    }

    /// Checks what the simulation relies on.
    pub fn validate(&self) -> Result<(), CommitError> {
        let count = self.requests.len();
        if count == 0 || count > MAX_REQUESTS {
            return Err(CommitError::Requests(count));
        }
        let t = &self.timing;
        for (name, ms) in [
            ("latency_ms", t.latency_ms),
            ("work_ms", t.work_ms),
            ("timeout_ms", t.timeout_ms),
        ] {
            if ms == 0 || ms > 60_000 {
                return Err(CommitError::Timing(name));
            }
        }
        for (fault, f) in self.faults.iter().enumerate() {
            let txn = match f {
                CommitFault::VoteNo { participant, txn } => {
                    if !PARTICIPANTS.contains(participant) {
                        return Err(CommitError::NotAParticipant(fault));
                    }
                    Some(*txn)
                }
                CommitFault::Partition { isolated, when, .. } => {
                    if isolated.iter().any(|p| !PARTICIPANTS.contains(p)) {
                        return Err(CommitError::NotAParticipant(fault));
                    }
                    when.txn()
                }
                CommitFault::CoordinatorCrash { when, .. } => when.txn(),
            };
            if let Some(txn) = txn.filter(|&t| t >= count) {
                return Err(CommitError::NoSuchTxn { fault, txn, count });
            }
        }
        Ok(())
    }
}

impl Trigger {
    fn txn(self) -> Option<TxnId> {
        match self {
            Trigger::At { .. } => None,
            Trigger::AllVotesIn { txn } | Trigger::FirstPreCommitSent { txn } => Some(txn),
        }
    }
}

/// The resource a participant locks for a request.
pub fn resource(participant: ServiceId, request: &Request) -> String {
    match participant {
        ServiceId::Reservation => format!("reservation of {}", request.customer),
        ServiceId::Payment => format!("funds of {}", request.customer),
        ServiceId::Calendar | ServiceId::Notification => format!("slot {}", request.slot),
    }
}
