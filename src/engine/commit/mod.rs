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

mod sim;

pub mod monitor;

use serde::{Deserialize, Serialize};

use super::definition::ServiceId;
use super::scenario::Scenario;

pub use sim::CommitSim;

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

/// A node of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "node", content = "service")]
pub enum Node {
    /// The transaction manager.
    Coordinator,
    /// A resource manager.
    Participant(ServiceId),
}

/// What a message says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "say")]
pub enum Say {
    /// 2PC: prepare (do the work tentatively, hold the lock, vote).
    Prepare,
    /// 3PC: can you commit? (the same, first phase).
    CanCommit,
    /// A vote.
    Vote {
        /// Yes.
        yes: bool,
    },
    /// 3PC: everyone voted yes; be ready to commit.
    PreCommit,
    /// 3PC: pre-commit received.
    PreCommitAck,
    /// The decision.
    Decision {
        /// Commit (else abort).
        commit: bool,
    },
    /// The decision is applied.
    Ack,
    /// 3PC termination: what state are you in?
    StateRequest,
    /// 3PC termination: my state.
    StateReply {
        /// The state.
        state: ParticipantState,
    },
}

impl Say {
    /// The message as the sequence view labels it.
    pub fn label(self) -> &'static str {
        match self {
            Say::Prepare => "prepare",
            Say::CanCommit => "can commit?",
            Say::Vote { yes: true } => "vote yes",
            Say::Vote { yes: false } => "vote no",
            Say::PreCommit => "pre-commit",
            Say::PreCommitAck => "pre-commit ack",
            Say::Decision { commit: true } => "commit",
            Say::Decision { commit: false } => "abort",
            Say::Ack => "ack",
            Say::StateRequest => "state?",
            Say::StateReply { .. } => "state",
        }
    }
}

/// Where a participant stands in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantState {
    /// Not asked yet.
    #[default]
    Idle,
    /// Asked, waiting for its lock.
    Waiting,
    /// Holding its lock, doing its work.
    Working,
    /// Voted yes and waits for the outcome (2PC: in doubt; 3PC: uncertain).
    Uncertain,
    /// 3PC: pre-committed.
    PreCommitted,
    /// Committed.
    Committed,
    /// Aborted.
    Aborted,
}

impl ParticipantState {
    /// Whether it has decided.
    pub fn decided(self) -> bool {
        matches!(
            self,
            ParticipantState::Committed | ParticipantState::Aborted
        )
    }
}

/// A record of the coordinator's log, which survives its crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "record")]
pub enum LogRecord {
    /// The transaction began.
    Begin,
    /// 3PC: every vote was yes; pre-commits are going out.
    PreCommit,
    /// The decision, forced to the log before anyone hears it.
    Decision {
        /// Commit (else abort).
        commit: bool,
    },
    /// Every participant acknowledged the decision.
    End,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitEvent {
    /// Sequence number.
    pub seq: u64,
    /// Simulated time.
    pub at_ms: u64,
    /// The transaction, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn: Option<TxnId>,
    /// What.
    #[serde(flatten)]
    pub kind: CommitEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum CommitEventKind {
    /// A message leaves.
    TxMessageSent {
        /// From.
        from: Node,
        /// To.
        to: Node,
        /// What it says.
        say: Say,
    },
    /// A message arrives.
    TxMessageDelivered {
        /// From.
        from: Node,
        /// To.
        to: Node,
        /// What it says.
        say: Say,
    },
    /// A message is lost (its receiver down, or across a partition).
    TxMessageLost {
        /// From.
        from: Node,
        /// To.
        to: Node,
        /// What it says.
        say: Say,
    },
    /// The coordinator wrote its log.
    TxLogged {
        /// The record.
        record: LogRecord,
    },
    /// A participant must wait: another transaction holds the lock.
    LockWaited {
        /// Who.
        participant: ServiceId,
        /// The resource.
        resource: String,
        /// The transaction holding it.
        holder: TxnId,
    },
    /// A participant took a lock.
    LockTaken {
        /// Who.
        participant: ServiceId,
        /// The resource.
        resource: String,
    },
    /// A participant let a lock go.
    LockReleased {
        /// Who.
        participant: ServiceId,
        /// The resource.
        resource: String,
    },
    /// A participant voted.
    Voted {
        /// Who.
        participant: ServiceId,
        /// Yes.
        yes: bool,
    },
    /// A 3PC participant pre-committed.
    PreCommitted {
        /// Who.
        participant: ServiceId,
    },
    /// A participant decided: its part is committed or aborted for good.
    Decided {
        /// Who.
        participant: ServiceId,
        /// Commit (else abort).
        commit: bool,
        /// Who decided: the coordinator's decision, or (3PC) a termination run by this
        /// participant or by the one named, or (before voting) the participant alone.
        by: Decider,
    },
    /// A 3PC participant timed out and runs the termination protocol.
    TerminationBegun {
        /// Who runs it.
        participant: ServiceId,
    },
    /// The coordinator crashed.
    CoordinatorCrashed,
    /// The coordinator came back and read its log.
    CoordinatorRecovered,
    /// A partition began.
    PartitionBegan {
        /// Who is cut off.
        isolated: Vec<ServiceId>,
    },
    /// A partition healed.
    PartitionHealed,
    /// Notification told the customer, after the commit (it takes no part in it).
    CustomerNotified {
        /// Committed (else aborted).
        committed: bool,
    },
}

/// Who made a participant's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "service")]
pub enum Decider {
    /// The coordinator's decision message.
    Coordinator,
    /// The participant alone, before it voted yes (a no vote, or a timeout waiting to vote).
    Alone,
    /// A 3PC termination run by this participant.
    Termination(ServiceId),
}

/// A failure for the customers of a saga run booked as transactions (the page's 2PC / 3PC
/// view offers these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitPlan {
    /// Nothing goes wrong.
    #[default]
    NoFailure,
    /// The coordinator crashes once it has the first transaction's votes, and is back 10 s
    /// later.
    CrashAfterVotes,
    /// The same, and it never comes back.
    CrashForGood,
    /// Payment and Calendar are cut off from the coordinator and Reservation for good, after
    /// the votes (2PC) or the first pre-commit (3PC) of the first transaction.
    Partition,
}

impl CommitPlan {
    /// Every plan, in the switch's order.
    pub const ALL: [CommitPlan; 4] = [
        CommitPlan::NoFailure,
        CommitPlan::CrashAfterVotes,
        CommitPlan::CrashForGood,
        CommitPlan::Partition,
    ];

    /// Its short name, in links and markup.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitPlan::NoFailure => "none",
            CommitPlan::CrashAfterVotes => "crash",
            CommitPlan::CrashForGood => "crash-for-good",
            CommitPlan::Partition => "partition",
        }
    }

    /// Reads a short name.
    pub fn parse(text: &str) -> Option<CommitPlan> {
        CommitPlan::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// What happens, for the switch's tooltip.
    pub fn description(self) -> &'static str {
        match self {
            CommitPlan::NoFailure => "Nothing goes wrong",
            CommitPlan::CrashAfterVotes => "The coordinator crashes once it has the first booking's votes, before it logs a decision, and is back 10 s later",
            CommitPlan::CrashForGood => "The coordinator crashes once it has the first booking's votes, before it logs a decision, and never comes back",
            CommitPlan::Partition => "Payment and Calendar are cut off from the coordinator and Reservation after the first booking's votes (2PC) or first pre-commit (3PC)",
        }
    }

    /// The switch's label.
    pub fn label(self) -> &'static str {
        match self {
            CommitPlan::NoFailure => "No failure",
            CommitPlan::CrashAfterVotes => "Coordinator crash, back in 10 s",
            CommitPlan::CrashForGood => "Coordinator crash, never back",
            CommitPlan::Partition => "Partition",
        }
    }
}

/// The run's customers (who, which slot, when) as transactions of `protocol` meeting `plan`.
pub fn commit_scenario(saga: &Scenario, protocol: Protocol, plan: CommitPlan) -> CommitScenario {
    let requests = saga
        .sagas
        .iter()
        .take(MAX_REQUESTS)
        .map(|s| Request {
            customer: s.customer.clone(),
            slot: s.slot.clone(),
            start_ms: s.start_ms,
        })
        .collect();
    let mut scenario = CommitScenario::new(protocol, requests);
    let after_votes = Trigger::AllVotesIn { txn: 0 };
    let fault = match plan {
        CommitPlan::NoFailure => None,
        CommitPlan::CrashAfterVotes => Some(CommitFault::CoordinatorCrash {
            when: after_votes,
            for_ms: Some(10_000),
        }),
        CommitPlan::CrashForGood => Some(CommitFault::CoordinatorCrash {
            when: after_votes,
            for_ms: None,
        }),
        CommitPlan::Partition => Some(CommitFault::Partition {
            isolated: vec![ServiceId::Payment, ServiceId::Calendar],
            when: match protocol {
                Protocol::TwoPhase => after_votes,
                Protocol::ThreePhase => Trigger::FirstPreCommitSent { txn: 0 },
            },
            for_ms: None,
        }),
    };
    scenario.faults.extend(fault);
    scenario
}

/// The resource a participant locks for a request.
pub fn resource(participant: ServiceId, request: &Request) -> String {
    match participant {
        ServiceId::Reservation => format!("reservation of {}", request.customer),
        ServiceId::Payment => format!("funds of {}", request.customer),
        ServiceId::Calendar | ServiceId::Notification => format!("slot {}", request.slot),
    }
}
