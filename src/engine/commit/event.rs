//! What happens in a commit run: the nodes, what their messages say, where a participant
//! stands, the coordinator's log records, and the trace's events.

use serde::{Deserialize, Serialize};

use super::TxnId;
use crate::engine::definition::ServiceId;

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
