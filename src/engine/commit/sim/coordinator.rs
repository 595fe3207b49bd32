//! The coordinator: it begins each transaction, counts the votes (and, in 3PC, the pre-commit
//! acks), forces its decision to the log before anyone hears it, and after a crash reads the
//! log to finish what it had decided.

use super::{CommitSim, Occurrence, Phase};
use crate::engine::commit::{
    CommitEventKind, LogRecord, Node, Protocol, Say, Trigger, TxnId, PARTICIPANTS,
};

/// The coordinator sends a decision again to a participant that has not acknowledged it until
/// it does, waiting twice as long each time, up to 2^MAX_BACKOFF timeouts.
const MAX_BACKOFF: u32 = 4;
use crate::engine::definition::ServiceId;

impl CommitSim {
    pub(super) fn write_log(&mut self, txn: TxnId, record: LogRecord) {
        self.log.push((txn, record));
        self.emit(Some(txn), CommitEventKind::TxLogged { record });
    }

    pub(super) fn tell_all(&mut self, txn: TxnId, say: Say) {
        for service in PARTICIPANTS {
            self.send(Node::Coordinator, Node::Participant(service), txn, say);
        }
    }

    pub(super) fn arm_coordinator(&mut self, txn: TxnId) {
        let at = self.now_ms + self.scenario.timing.timeout_ms;
        self.schedule(
            at,
            Occurrence::CoordinatorTimeout(txn, self.coordinator_epoch),
        );
    }

    pub(super) fn begin(&mut self, txn: TxnId) {
        if !self.coordinator_up {
            self.deferred.push(txn);
            return;
        }
        self.write_log(txn, LogRecord::Begin);
        self.tracking[txn].phase = Phase::Voting;
        let ask = match self.scenario.protocol {
            Protocol::TwoPhase => Say::Prepare,
            Protocol::ThreePhase => Say::CanCommit,
        };
        self.tell_all(txn, ask);
        self.arm_coordinator(txn);
    }

    pub(super) fn coordinator_hears(&mut self, from: Node, txn: TxnId, say: Say) {
        let Node::Participant(service) = from else {
            return;
        };
        let Some(p) = self.participant_index(service) else {
            return;
        };
        let phase = self.tracking[txn].phase;
        match say {
            Say::Vote { yes } if phase == Phase::Voting => {
                self.tracking[txn].votes[p] = Some(yes);
                if !yes {
                    self.decide(txn, false);
                } else if self.tracking[txn].votes.iter().all(|v| *v == Some(true)) {
                    self.all_yes(txn);
                }
            }
            Say::PreCommitAck if phase == Phase::PreCommitting => {
                self.tracking[txn].pre_acks[p] = true;
                if self.tracking[txn].pre_acks.iter().all(|&a| a) {
                    self.decide(txn, true);
                }
            }
            Say::Ack => {
                if let Phase::Deciding(commit) = phase {
                    self.tracking[txn].acks[p] = true;
                    if self.tracking[txn].acks.iter().all(|&a| a) {
                        self.tracking[txn].phase = Phase::Done;
                        self.write_log(txn, LogRecord::End);
                        self.emit(
                            Some(txn),
                            CommitEventKind::CustomerNotified { committed: commit },
                        );
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn all_yes(&mut self, txn: TxnId) {
        self.reached(Trigger::AllVotesIn { txn });
        if !self.coordinator_up {
            return;
        }
        match self.scenario.protocol {
            Protocol::TwoPhase => self.decide(txn, true),
            Protocol::ThreePhase => {
                self.write_log(txn, LogRecord::PreCommit);
                self.tracking[txn].phase = Phase::PreCommitting;
                for (i, service) in PARTICIPANTS.into_iter().enumerate() {
                    self.send(
                        Node::Coordinator,
                        Node::Participant(service),
                        txn,
                        Say::PreCommit,
                    );
                    if i == 0 {
                        self.reached(Trigger::FirstPreCommitSent { txn });
                        if !self.coordinator_up {
                            return;
                        }
                    }
                }
                self.arm_coordinator(txn);
            }
        }
    }

    /// Forces the decision to the log, then tells every participant.
    pub(super) fn decide(&mut self, txn: TxnId, commit: bool) {
        self.write_log(txn, LogRecord::Decision { commit });
        self.tracking[txn].phase = Phase::Deciding(commit);
        self.tell_all(txn, Say::Decision { commit });
        self.arm_coordinator(txn);
    }

    pub(super) fn coordinator_timeout(&mut self, txn: TxnId) {
        match self.tracking[txn].phase {
            // Not every vote came: abort.
            Phase::Voting => self.decide(txn, false),
            // 3PC: every participant voted yes; one that does not acknowledge is taken as
            // failed, and the others commit.
            Phase::PreCommitting => self.decide(txn, true),
            Phase::Deciding(commit) => {
                let tracking = &mut self.tracking[txn];
                tracking.resends += 1;
                let backoff = 1u64 << tracking.resends.min(MAX_BACKOFF);
                let unacked: Vec<ServiceId> = PARTICIPANTS
                    .into_iter()
                    .zip(tracking.acks)
                    .filter(|&(_, acked)| !acked)
                    .map(|(s, _)| s)
                    .collect();
                for service in unacked {
                    self.send(
                        Node::Coordinator,
                        Node::Participant(service),
                        txn,
                        Say::Decision { commit },
                    );
                }
                let at = self.now_ms + self.scenario.timing.timeout_ms * backoff;
                self.schedule(
                    at,
                    Occurrence::CoordinatorTimeout(txn, self.coordinator_epoch),
                );
            }
            Phase::Idle | Phase::Done => {}
        }
    }

    /// The coordinator is back: it reads its log. A decision logged and not ended is sent
    /// again; a transaction with no decision is aborted (presumed abort), unless 3PC
    /// pre-commits went out, which leaves it to the participants' termination.
    pub(super) fn recover(&mut self) {
        if self.coordinator_up {
            return;
        }
        self.coordinator_up = true;
        self.emit(None, CommitEventKind::CoordinatorRecovered);
        for txn in 0..self.tracking.len() {
            let records: Vec<LogRecord> = self
                .log
                .iter()
                .filter(|(t, _)| *t == txn)
                .map(|&(_, r)| r)
                .collect();
            if records.contains(&LogRecord::End) {
                self.tracking[txn].phase = Phase::Done;
                continue;
            }
            let decision = records.iter().find_map(|r| match r {
                LogRecord::Decision { commit } => Some(*commit),
                _ => None,
            });
            match (decision, records.contains(&LogRecord::Begin)) {
                (Some(commit), _) => {
                    self.tracking[txn].phase = Phase::Deciding(commit);
                    self.tell_all(txn, Say::Decision { commit });
                    self.arm_coordinator(txn);
                }
                // 2PC: presumed abort. 3PC: no pre-commit logged means none was sent, so
                // nobody can have pre-committed and abort is safe; once pre-commits went out
                // the participants' termination decides.
                (None, true) if !records.contains(&LogRecord::PreCommit) => {
                    self.decide(txn, false);
                }
                _ => {}
            }
        }
        for txn in std::mem::take(&mut self.deferred) {
            self.begin(txn);
        }
    }
}
