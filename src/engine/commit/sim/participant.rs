//! The participants: each takes its lock (or waits for it), works, votes, holds the lock until
//! it hears the decision, and in 3PC runs the termination protocol when it times out.

use super::{CommitSim, Occurrence};
use crate::engine::commit::{
    resource, CommitEventKind, CommitFault, Decider, Node, ParticipantState, Protocol, Say, TxnId,
};

impl CommitSim {
    pub(super) fn arm_participant(&mut self, p: usize, txn: TxnId) {
        let part = &mut self.participants[p];
        part.epochs[txn] += 1;
        let epoch = part.epochs[txn];
        let at = self.now_ms + self.scenario.timing.timeout_ms;
        self.schedule(at, Occurrence::ParticipantTimeout(p, txn, epoch));
    }

    pub(super) fn participant_hears(&mut self, p: usize, from: Node, txn: TxnId, say: Say) {
        let me = Node::Participant(self.participants[p].service);
        let state = self.participants[p].states[txn];
        match say {
            Say::Prepare | Say::CanCommit => match state {
                ParticipantState::Idle => {
                    self.arm_participant(p, txn);
                    self.take_or_wait(p, txn);
                }
                ParticipantState::Uncertain => self.send(me, from, txn, Say::Vote { yes: true }),
                ParticipantState::Aborted => self.send(me, from, txn, Say::Vote { yes: false }),
                _ => {}
            },
            Say::PreCommit => match state {
                ParticipantState::Uncertain => {
                    self.participants[p].states[txn] = ParticipantState::PreCommitted;
                    let participant = self.participants[p].service;
                    self.emit(Some(txn), CommitEventKind::PreCommitted { participant });
                    self.send(me, from, txn, Say::PreCommitAck);
                    self.arm_participant(p, txn);
                }
                ParticipantState::PreCommitted => self.send(me, from, txn, Say::PreCommitAck),
                _ => {}
            },
            Say::Decision { commit } => {
                if !state.decided() {
                    let by = match from {
                        Node::Coordinator => Decider::Coordinator,
                        Node::Participant(s) => Decider::Termination(s),
                    };
                    self.settle(p, txn, commit, by);
                }
                self.send(me, from, txn, Say::Ack);
            }
            Say::StateRequest => self.send(me, from, txn, Say::StateReply { state }),
            Say::StateReply { state: theirs } => {
                let expected = self.reachable_others(p).len();
                let rank = match from {
                    Node::Participant(s) => self.participant_index(s),
                    Node::Coordinator => None,
                };
                let heard = self.participants[p].terminations[txn].as_mut();
                if let (Some(heard), Some(rank)) = (heard, rank) {
                    heard.push((rank, theirs));
                    if heard.len() >= expected {
                        self.terminate(p, txn);
                    }
                }
            }
            Say::Vote { .. } | Say::PreCommitAck | Say::Ack => {}
        }
    }

    /// Takes the transaction's lock, or queues behind the transaction that holds it.
    pub(super) fn take_or_wait(&mut self, p: usize, txn: TxnId) {
        let service = self.participants[p].service;
        let resource = resource(service, &self.scenario.requests[txn]);
        let holder = self.participants[p]
            .locks
            .iter()
            .find(|(r, _)| *r == resource)
            .map(|&(_, t)| t);
        match holder {
            Some(holder) if holder != txn => {
                self.participants[p].states[txn] = ParticipantState::Waiting;
                self.participants[p].waiting.push((resource.clone(), txn));
                self.emit(
                    Some(txn),
                    CommitEventKind::LockWaited {
                        participant: service,
                        resource,
                        holder,
                    },
                );
            }
            _ => self.take(p, txn, resource),
        }
    }

    pub(super) fn take(&mut self, p: usize, txn: TxnId, resource: String) {
        let participant = self.participants[p].service;
        self.participants[p].locks.push((resource.clone(), txn));
        self.participants[p].states[txn] = ParticipantState::Working;
        self.emit(
            Some(txn),
            CommitEventKind::LockTaken {
                participant,
                resource,
            },
        );
        let at = self.now_ms + self.scenario.timing.work_ms;
        self.schedule(at, Occurrence::WorkDone(p, txn));
    }

    pub(super) fn work_done(&mut self, p: usize, txn: TxnId) {
        if self.participants[p].states[txn] != ParticipantState::Working {
            return;
        }
        let service = self.participants[p].service;
        let me = Node::Participant(service);
        let no = self.scenario.faults.iter().any(|f| {
            matches!(f, CommitFault::VoteNo { participant, txn: t } if *participant == service && *t == txn)
        });
        self.emit(
            Some(txn),
            CommitEventKind::Voted {
                participant: service,
                yes: !no,
            },
        );
        if no {
            // A no vote may abort at once: the transaction cannot commit.
            self.settle(p, txn, false, Decider::Alone);
        } else {
            self.participants[p].states[txn] = ParticipantState::Uncertain;
            self.arm_participant(p, txn);
        }
        self.send(me, Node::Coordinator, txn, Say::Vote { yes: !no });
    }

    /// The participant's part of `txn` is decided: it is done or undone, and its lock goes to
    /// the next transaction waiting.
    pub(super) fn settle(&mut self, p: usize, txn: TxnId, commit: bool, by: Decider) {
        let participant = self.participants[p].service;
        let part = &mut self.participants[p];
        part.states[txn] = if commit {
            ParticipantState::Committed
        } else {
            ParticipantState::Aborted
        };
        part.epochs[txn] += 1;
        part.terminations[txn] = None;
        part.waiting.retain(|&(_, t)| t != txn);
        self.emit(
            Some(txn),
            CommitEventKind::Decided {
                participant,
                commit,
                by,
            },
        );
        let held = self.participants[p]
            .locks
            .iter()
            .position(|&(_, t)| t == txn);
        if let Some(at) = held {
            let (resource, _) = self.participants[p].locks.remove(at);
            self.emit(
                Some(txn),
                CommitEventKind::LockReleased {
                    participant,
                    resource: resource.clone(),
                },
            );
            let next = self.participants[p]
                .waiting
                .iter()
                .position(|(r, _)| *r == resource);
            if let Some(i) = next {
                let (resource, next_txn) = self.participants[p].waiting.remove(i);
                self.take(p, next_txn, resource);
            }
        }
    }

    pub(super) fn participant_timeout(&mut self, p: usize, txn: TxnId) {
        match self.participants[p].states[txn] {
            // Not voted yet: it may give up alone.
            ParticipantState::Waiting | ParticipantState::Working => {
                self.settle(p, txn, false, Decider::Alone);
            }
            // 2PC: in doubt, it may not decide; it waits for the coordinator.
            ParticipantState::Uncertain | ParticipantState::PreCommitted
                if self.scenario.protocol == Protocol::ThreePhase =>
            {
                self.begin_termination(p, txn);
            }
            _ => {}
        }
    }

    /// The other participants this one can reach.
    pub(super) fn reachable_others(&self, p: usize) -> Vec<usize> {
        let me = Node::Participant(self.participants[p].service);
        (0..self.participants.len())
            .filter(|&q| q != p)
            .filter(|&q| !self.separated(me, Node::Participant(self.participants[q].service)))
            .collect()
    }

    pub(super) fn begin_termination(&mut self, p: usize, txn: TxnId) {
        let service = self.participants[p].service;
        self.emit(
            Some(txn),
            CommitEventKind::TerminationBegun {
                participant: service,
            },
        );
        self.participants[p].terminations[txn] = Some(Vec::new());
        let others = self.reachable_others(p);
        for q in &others {
            let to = Node::Participant(self.participants[*q].service);
            self.send(Node::Participant(service), to, txn, Say::StateRequest);
        }
        let part = &mut self.participants[p];
        part.epochs[txn] += 1;
        let epoch = part.epochs[txn];
        let at = self.now_ms + 2 * self.scenario.timing.latency_ms + 1;
        self.schedule(at, Occurrence::TerminationTimeout(p, txn, epoch));
        if others.is_empty() {
            self.terminate(p, txn);
        }
    }

    /// With the states heard (its own among them): a participant that has decided settles it,
    /// and one that has not voted yes means abort (nobody can have pre-committed); otherwise,
    /// all having voted yes, the first-ranked of them decides by the termination rule (any
    /// pre-committed: commit; else abort) and any other waits for it. The decider tells the
    /// participants it can reach.
    pub(super) fn terminate(&mut self, p: usize, txn: TxnId) {
        let Some(mut heard) = self.participants[p].terminations[txn].take() else {
            return;
        };
        let own = self.participants[p].states[txn];
        if own.decided() {
            return;
        }
        heard.push((p, own));
        let has = |state| heard.iter().any(|&(_, s)| s == state);
        let unvoted = heard.iter().any(|&(_, s)| {
            matches!(
                s,
                ParticipantState::Idle | ParticipantState::Waiting | ParticipantState::Working
            )
        });
        let commit = if has(ParticipantState::Committed) {
            true
        } else if has(ParticipantState::Aborted) || unvoted {
            // Someone has not voted yes: nobody can have pre-committed.
            false
        } else if heard
            .iter()
            .filter(|(_, s)| !s.decided())
            .map(|&(r, _)| r)
            .min()
            == Some(p)
        {
            has(ParticipantState::PreCommitted)
        } else {
            // A participant ranked before it is undecided too: it will decide.
            self.arm_participant(p, txn);
            return;
        };
        let service = self.participants[p].service;
        self.settle(p, txn, commit, Decider::Termination(service));
        for q in self.reachable_others(p) {
            let to = Node::Participant(self.participants[q].service);
            self.send(
                Node::Participant(service),
                to,
                txn,
                Say::Decision { commit },
            );
        }
    }
}
