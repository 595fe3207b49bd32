//! What a run of 2PC or 3PC did, read from its trace alone: the guarantees each protocol gives
//! (checked, with the broken ones named), and the figures the comparison with a saga shows.
//! Nothing here asks the simulation for its state.

use serde::{Deserialize, Serialize};

use super::{CommitEvent, CommitEventKind, Decider, LogRecord, Protocol, TxnId};
use crate::engine::definition::ServiceId;

/// A guarantee of an atomic commit protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitInvariant {
    /// All participants of a transaction commit, or all abort.
    Atomicity,
    /// 2PC: a participant that voted yes decides only as the coordinator's logged decision
    /// says; it never commits before that decision is logged.
    NoDecidingAlone,
    /// A lock has one holder at a time.
    LockExclusive,
    /// A participant lets its lock go only once its part is decided.
    LocksHeldUntilDecided,
}

impl CommitInvariant {
    /// Every guarantee.
    pub const ALL: [CommitInvariant; 4] = [
        CommitInvariant::Atomicity,
        CommitInvariant::NoDecidingAlone,
        CommitInvariant::LockExclusive,
        CommitInvariant::LocksHeldUntilDecided,
    ];

    /// Its statement.
    pub fn label(self) -> &'static str {
        match self {
            CommitInvariant::Atomicity => "All participants commit, or all abort",
            CommitInvariant::NoDecidingAlone => "No participant decides alone after voting yes",
            CommitInvariant::LockExclusive => "A lock has one holder at a time",
            CommitInvariant::LocksHeldUntilDecided => "Locks are held until the decision",
        }
    }
}

/// A guarantee broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitViolation {
    /// Which.
    pub invariant: CommitInvariant,
    /// The transaction.
    pub txn: TxnId,
    /// The event that showed it.
    pub seq: u64,
    /// What is wrong, in words.
    pub detail: String,
}

/// Checks every guarantee of `protocol` over the trace.
pub fn check(protocol: Protocol, trace: &[CommitEvent]) -> Vec<CommitViolation> {
    let mut found = Vec::new();
    // (txn, participant) -> decided commit?
    let mut decided: Vec<(TxnId, ServiceId, bool)> = Vec::new();
    let mut voted_yes: Vec<(TxnId, ServiceId)> = Vec::new();
    let mut logged: Vec<(TxnId, bool)> = Vec::new();
    // (participant, resource) -> holder
    let mut held: Vec<(ServiceId, String, TxnId)> = Vec::new();
    let mut split: Vec<TxnId> = Vec::new();
    for e in trace {
        let Some(txn) = e.txn else {
            continue;
        };
        let mut broke = |invariant, detail: String| {
            found.push(CommitViolation {
                invariant,
                txn,
                seq: e.seq,
                detail,
            });
        };
        match &e.kind {
            CommitEventKind::TxLogged {
                record: LogRecord::Decision { commit },
            } => logged.push((txn, *commit)),
            CommitEventKind::Voted {
                participant,
                yes: true,
            } => voted_yes.push((txn, *participant)),
            CommitEventKind::Decided {
                participant,
                commit,
                by,
            } => {
                // Named once per transaction, at the first decision that disagrees.
                let other = decided
                    .iter()
                    .find(|&&(t, _, c)| t == txn && c != *commit)
                    .map(|&(_, p, _)| p)
                    .filter(|_| !split.contains(&txn));
                if let Some(other) = other {
                    split.push(txn);
                    broke(
                        CommitInvariant::Atomicity,
                        format!(
                            "transaction {}: {} {}, but {} {}",
                            txn + 1,
                            participant.label(),
                            verb(*commit),
                            other.label(),
                            verb(!*commit)
                        ),
                    );
                }
                decided.push((txn, *participant, *commit));
                let after_yes = voted_yes.contains(&(txn, *participant));
                if protocol == Protocol::TwoPhase && after_yes {
                    let as_logged = logged.contains(&(txn, *commit));
                    if *by != Decider::Coordinator || !as_logged {
                        broke(
                            CommitInvariant::NoDecidingAlone,
                            format!(
                                "transaction {}: {} voted yes, then {} with no such decision in the coordinator's log",
                                txn + 1,
                                participant.label(),
                                verb(*commit)
                            ),
                        );
                    }
                }
            }
            CommitEventKind::LockTaken {
                participant,
                resource,
            } => {
                let holder = held
                    .iter()
                    .find(|(p, r, _)| p == participant && r == resource)
                    .map(|&(_, _, t)| t);
                if let Some(holder) = holder {
                    broke(
                        CommitInvariant::LockExclusive,
                        format!(
                            "transaction {} took {resource} at {} while transaction {} held it",
                            txn + 1,
                            participant.label(),
                            holder + 1
                        ),
                    );
                }
                held.push((*participant, resource.clone(), txn));
            }
            CommitEventKind::LockReleased {
                participant,
                resource,
            } => {
                held.retain(|(p, r, t)| !(p == participant && r == resource && *t == txn));
                let settled = decided
                    .iter()
                    .any(|&(t, p, _)| t == txn && p == *participant);
                if !settled {
                    broke(
                        CommitInvariant::LocksHeldUntilDecided,
                        format!(
                            "{} let {resource} go before its part of transaction {} was decided",
                            participant.label(),
                            txn + 1
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    found
}

fn verb(commit: bool) -> &'static str {
    if commit {
        "committed"
    } else {
        "aborted"
    }
}

/// How a transaction ended, as the participants' decisions say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxOutcome {
    /// Every participant committed.
    Committed,
    /// Every participant aborted.
    Aborted,
    /// Some committed and some aborted: atomicity lost.
    Split,
    /// A participant that voted yes is still waiting for the decision (2PC blocking).
    Blocked,
    /// Not every participant has decided, and none is in doubt.
    Undecided,
}

/// The figures of a run, for the comparison with a saga.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitFigures {
    /// Each transaction's outcome.
    pub outcomes: Vec<TxOutcome>,
    /// Messages sent.
    pub messages: usize,
    /// When the last participant decided its last transaction (ms).
    pub finished_ms: u64,
    /// Lock-held time per resource, summed over holders (ms); a lock still held counts to the
    /// end of the trace.
    pub lock_held_ms: Vec<(String, u64)>,
    /// How long transactions waited for another's lock, in all (ms).
    pub blocked_ms: u64,
    /// How long participants spent in doubt after voting yes, in all (ms).
    pub in_doubt_ms: u64,
    /// How long some participants of a transaction had decided and others had not, in all
    /// (ms): the data disagreed across services.
    pub inconsistent_ms: u64,
}

/// The figures of a run of `transactions` transactions, from its trace.
pub fn figures(trace: &[CommitEvent], transactions: usize) -> CommitFigures {
    let end = trace.last().map_or(0, |e| e.at_ms);
    let mut messages = 0;
    let mut finished_ms = 0;
    let mut locks: Vec<(ServiceId, String, TxnId, u64)> = Vec::new();
    let mut lock_held_ms: Vec<(String, u64)> = Vec::new();
    let mut waits: Vec<(ServiceId, TxnId, u64)> = Vec::new();
    let mut blocked_ms = 0;
    let mut doubt: Vec<(ServiceId, TxnId, u64)> = Vec::new();
    let mut in_doubt_ms = 0;
    // Per transaction: (first decision, decisions, commits, aborts).
    let mut decisions: Vec<(u64, usize, bool, bool)> = vec![(0, 0, false, false); transactions];
    let mut inconsistent_ms = 0;
    let add_held = |resource: &str, ms: u64, into: &mut Vec<(String, u64)>| match into
        .iter_mut()
        .find(|(r, _)| r == resource)
    {
        Some((_, total)) => *total += ms,
        None => into.push((resource.to_string(), ms)),
    };
    for e in trace {
        let txn = e.txn.unwrap_or(0);
        match &e.kind {
            CommitEventKind::TxMessageSent { .. } => messages += 1,
            CommitEventKind::LockWaited { participant, .. } => {
                waits.push((*participant, txn, e.at_ms));
            }
            CommitEventKind::LockTaken {
                participant,
                resource,
            } => {
                if let Some(at) = waits
                    .iter()
                    .position(|&(p, t, _)| p == *participant && t == txn)
                {
                    blocked_ms += e.at_ms - waits.swap_remove(at).2;
                }
                locks.push((*participant, resource.clone(), txn, e.at_ms));
            }
            CommitEventKind::LockReleased {
                participant,
                resource,
            } => {
                let at = locks
                    .iter()
                    .position(|(p, r, t, _)| p == participant && r == resource && *t == txn);
                if let Some(at) = at {
                    let since = locks.swap_remove(at).3;
                    add_held(resource, e.at_ms - since, &mut lock_held_ms);
                }
            }
            CommitEventKind::Voted {
                participant,
                yes: true,
            } => doubt.push((*participant, txn, e.at_ms)),
            CommitEventKind::Decided {
                participant,
                commit,
                ..
            } => {
                finished_ms = finished_ms.max(e.at_ms);
                // A wait ended by the decision (or by giving up) counts until then.
                if let Some(at) = waits
                    .iter()
                    .position(|&(p, t, _)| p == *participant && t == txn)
                {
                    blocked_ms += e.at_ms - waits.swap_remove(at).2;
                }
                if let Some(at) = doubt
                    .iter()
                    .position(|&(p, t, _)| p == *participant && t == txn)
                {
                    in_doubt_ms += e.at_ms - doubt.swap_remove(at).2;
                }
                if let Some(d) = decisions.get_mut(txn) {
                    if d.1 == 0 {
                        d.0 = e.at_ms;
                    }
                    d.1 += 1;
                    if *commit {
                        d.2 = true;
                    } else {
                        d.3 = true;
                    }
                    if d.1 == super::PARTICIPANTS.len() {
                        inconsistent_ms += e.at_ms - d.0;
                    }
                }
            }
            _ => {}
        }
    }
    for (_, resource, _, since) in &locks {
        add_held(resource, end - since, &mut lock_held_ms);
    }
    for &(_, _, since) in &waits {
        blocked_ms += end - since;
    }
    for d in &decisions {
        if d.1 > 0 && d.1 < super::PARTICIPANTS.len() {
            inconsistent_ms += end - d.0;
        }
    }
    in_doubt_ms += doubt.iter().map(|&(_, _, since)| end - since).sum::<u64>();
    let outcomes = decisions
        .iter()
        .enumerate()
        .map(|(txn, &(_, count, commits, aborts))| {
            if commits && aborts {
                TxOutcome::Split
            } else if doubt.iter().any(|&(_, t, _)| t == txn) {
                TxOutcome::Blocked
            } else if count < super::PARTICIPANTS.len() {
                TxOutcome::Undecided
            } else if commits {
                TxOutcome::Committed
            } else {
                TxOutcome::Aborted
            }
        })
        .collect();
    CommitFigures {
        outcomes,
        messages,
        finished_ms,
        lock_held_ms,
        blocked_ms,
        in_doubt_ms,
        inconsistent_ms,
    }
}
