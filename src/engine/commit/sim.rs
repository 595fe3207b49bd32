//! The commit protocols at work: a coordinator, three participants with their locks, the network
//! between them and the failures, as one deterministic discrete-event simulation.

use std::collections::BTreeMap;

use super::{
    resource, CommitError, CommitEvent, CommitEventKind, CommitFault, CommitScenario, Decider,
    LogRecord, Node, ParticipantState, Protocol, Say, Trigger, TxnId, PARTICIPANTS,
};
use crate::engine::definition::ServiceId;

/// The coordinator sends a decision again to a participant that has not acknowledged it until
/// it does, waiting twice as long each time, up to 2^MAX_BACKOFF timeouts.
const MAX_BACKOFF: u32 = 4;

/// What is due at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Occurrence {
    Begin(TxnId),
    Deliver {
        from: Node,
        to: Node,
        txn: TxnId,
        say: Say,
    },
    WorkDone(usize, TxnId),
    /// The coordinator's wait for votes (or 3PC pre-commit acks, or acks) is over.
    CoordinatorTimeout(TxnId, u32),
    /// A participant's wait (for its lock, its vote's outcome) is over.
    ParticipantTimeout(usize, TxnId, u32),
    /// A termination's wait for states is over.
    TerminationTimeout(usize, TxnId, u32),
    Fault(usize),
    Recover,
    Heal,
}

/// The coordinator's memory of one transaction (lost in a crash; its log is not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tracking {
    phase: Phase,
    votes: [Option<bool>; 3],
    pre_acks: [bool; 3],
    acks: [bool; 3],
    resends: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Phase {
    #[default]
    Idle,
    Voting,
    PreCommitting,
    Deciding(bool),
    Done,
}

/// One participant: its state in each transaction, its locks and who waits for them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Participant {
    service: ServiceId,
    states: Vec<ParticipantState>,
    /// Each transaction's timer generation: a timer from an older one is stale.
    epochs: Vec<u32>,
    locks: Vec<(String, TxnId)>,
    waiting: Vec<(String, TxnId)>,
    /// A termination this participant runs, by transaction: the states heard so far, by the
    /// participant's rank.
    terminations: Vec<Option<Vec<(usize, ParticipantState)>>>,
}

/// A run of 2PC or 3PC.
#[derive(Debug, Clone)]
pub struct CommitSim {
    scenario: CommitScenario,
    now_ms: u64,
    agenda: BTreeMap<(u64, u64), Occurrence>,
    agenda_seq: u64,
    trace: Vec<CommitEvent>,
    coordinator_up: bool,
    /// Bumped by each crash: the coordinator's timers from before it are stale.
    coordinator_epoch: u32,
    log: Vec<(TxnId, LogRecord)>,
    tracking: Vec<Tracking>,
    /// Transactions due to begin while the coordinator was down.
    deferred: Vec<TxnId>,
    participants: Vec<Participant>,
    isolated: Option<Vec<ServiceId>>,
    fired: Vec<bool>,
}

impl CommitSim {
    /// A run of `scenario` at 0 ms.
    pub fn new(scenario: CommitScenario) -> Result<Self, CommitError> {
        scenario.validate()?;
        let n = scenario.requests.len();
        let participants = PARTICIPANTS
            .iter()
            .map(|&service| Participant {
                service,
                states: vec![ParticipantState::Idle; n],
                epochs: vec![0; n],
                locks: Vec::new(),
                waiting: Vec::new(),
                terminations: vec![None; n],
            })
            .collect();
        let mut sim = CommitSim {
            now_ms: 0,
            agenda: BTreeMap::new(),
            agenda_seq: 0,
            trace: Vec::new(),
            coordinator_up: true,
            coordinator_epoch: 0,
            log: Vec::new(),
            tracking: vec![Tracking::default(); n],
            deferred: Vec::new(),
            participants,
            isolated: None,
            fired: vec![false; scenario.faults.len()],
            scenario,
        };
        for (txn, request) in sim.scenario.requests.clone().iter().enumerate() {
            sim.schedule(request.start_ms, Occurrence::Begin(txn));
        }
        for (i, fault) in sim.scenario.faults.clone().iter().enumerate() {
            let when = match fault {
                CommitFault::CoordinatorCrash { when, .. }
                | CommitFault::Partition { when, .. } => *when,
                CommitFault::VoteNo { .. } => continue,
            };
            if let Trigger::At { ms } = when {
                sim.schedule(ms, Occurrence::Fault(i));
            }
        }
        Ok(sim)
    }

    /// The scenario.
    pub fn scenario(&self) -> &CommitScenario {
        &self.scenario
    }

    /// Every event so far.
    pub fn trace(&self) -> &[CommitEvent] {
        &self.trace
    }

    /// The simulated time.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Where `participant` stands in `txn`.
    pub fn state(&self, participant: ServiceId, txn: TxnId) -> ParticipantState {
        self.participant_index(participant)
            .and_then(|p| self.participants[p].states.get(txn).copied())
            .unwrap_or_default()
    }

    /// The locks `participant` holds: (resource, transaction).
    pub fn locks(&self, participant: ServiceId) -> &[(String, TxnId)] {
        self.participant_index(participant)
            .map_or(&[], |p| &self.participants[p].locks)
    }

    /// The coordinator's log.
    pub fn log(&self) -> &[(TxnId, LogRecord)] {
        &self.log
    }

    /// Whether the coordinator is up.
    pub fn coordinator_up(&self) -> bool {
        self.coordinator_up
    }

    /// Whether nothing more is due.
    pub fn at_rest(&self) -> bool {
        self.agenda.is_empty()
    }

    /// Handles the next occurrence; `false` when nothing is due.
    pub fn step(&mut self) -> bool {
        let Some(((at, _), occurrence)) = self.agenda.pop_first() else {
            return false;
        };
        self.now_ms = self.now_ms.max(at);
        self.occur(occurrence);
        true
    }

    /// Handles everything due up to `ms`, and moves the clock there.
    pub fn advance_to(&mut self, ms: u64) {
        while self.agenda.keys().next().is_some_and(|&(at, _)| at <= ms) {
            self.step();
        }
        self.now_ms = self.now_ms.max(ms);
    }

    /// Runs until nothing is due or the clock passes `horizon_ms`.
    pub fn drive(&mut self, horizon_ms: u64) {
        while self
            .agenda
            .keys()
            .next()
            .is_some_and(|&(at, _)| at <= horizon_ms)
        {
            self.step();
        }
    }

    fn participant_index(&self, service: ServiceId) -> Option<usize> {
        PARTICIPANTS.iter().position(|&s| s == service)
    }

    fn schedule(&mut self, at: u64, occurrence: Occurrence) {
        self.agenda_seq += 1;
        self.agenda.insert((at, self.agenda_seq), occurrence);
    }

    fn emit(&mut self, txn: Option<TxnId>, kind: CommitEventKind) {
        let seq = self.trace.len() as u64;
        self.trace.push(CommitEvent {
            seq,
            at_ms: self.now_ms,
            txn,
            kind,
        });
    }

    fn occur(&mut self, occurrence: Occurrence) {
        match occurrence {
            Occurrence::Begin(txn) => self.begin(txn),
            Occurrence::Deliver { from, to, txn, say } => self.deliver(from, to, txn, say),
            Occurrence::WorkDone(p, txn) => self.work_done(p, txn),
            Occurrence::CoordinatorTimeout(txn, epoch) => {
                if self.coordinator_up && epoch == self.coordinator_epoch {
                    self.coordinator_timeout(txn);
                }
            }
            Occurrence::ParticipantTimeout(p, txn, epoch) => {
                if self.participants[p].epochs[txn] == epoch {
                    self.participant_timeout(p, txn);
                }
            }
            Occurrence::TerminationTimeout(p, txn, epoch) => {
                if self.participants[p].epochs[txn] == epoch {
                    self.terminate(p, txn);
                }
            }
            Occurrence::Fault(i) => self.fire(i),
            Occurrence::Recover => self.recover(),
            Occurrence::Heal => {
                if self.isolated.take().is_some() {
                    self.emit(None, CommitEventKind::PartitionHealed);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Failures

    /// Fires every fault not yet fired whose trigger is `point`.
    fn reached(&mut self, point: Trigger) {
        for i in 0..self.scenario.faults.len() {
            let when = match &self.scenario.faults[i] {
                CommitFault::CoordinatorCrash { when, .. }
                | CommitFault::Partition { when, .. } => *when,
                CommitFault::VoteNo { .. } => continue,
            };
            if when == point {
                self.fire(i);
            }
        }
    }

    fn fire(&mut self, i: usize) {
        if self.fired.get(i) != Some(&false) {
            return;
        }
        self.fired[i] = true;
        match self.scenario.faults[i].clone() {
            CommitFault::CoordinatorCrash { for_ms, .. } => {
                if !self.coordinator_up {
                    return;
                }
                self.coordinator_up = false;
                self.coordinator_epoch += 1;
                for t in &mut self.tracking {
                    *t = Tracking::default();
                }
                self.emit(None, CommitEventKind::CoordinatorCrashed);
                if let Some(ms) = for_ms {
                    self.schedule(self.now_ms + ms, Occurrence::Recover);
                }
            }
            CommitFault::Partition {
                isolated, for_ms, ..
            } => {
                self.isolated = Some(isolated.clone());
                self.emit(None, CommitEventKind::PartitionBegan { isolated });
                if let Some(ms) = for_ms {
                    self.schedule(self.now_ms + ms, Occurrence::Heal);
                }
            }
            CommitFault::VoteNo { .. } => {}
        }
    }

    /// Whether a partition stands between `a` and `b`.
    fn separated(&self, a: Node, b: Node) -> bool {
        let Some(isolated) = &self.isolated else {
            return false;
        };
        let cut = |n: Node| matches!(n, Node::Participant(s) if isolated.contains(&s));
        cut(a) != cut(b)
    }

    // ---------------------------------------------------------------------------------------
    // Messages

    fn send(&mut self, from: Node, to: Node, txn: TxnId, say: Say) {
        self.emit(Some(txn), CommitEventKind::TxMessageSent { from, to, say });
        let at = self.now_ms + self.scenario.timing.latency_ms;
        self.schedule(at, Occurrence::Deliver { from, to, txn, say });
    }

    fn deliver(&mut self, from: Node, to: Node, txn: TxnId, say: Say) {
        let down = to == Node::Coordinator && !self.coordinator_up;
        if down || self.separated(from, to) {
            self.emit(Some(txn), CommitEventKind::TxMessageLost { from, to, say });
            return;
        }
        self.emit(
            Some(txn),
            CommitEventKind::TxMessageDelivered { from, to, say },
        );
        match to {
            Node::Coordinator => self.coordinator_hears(from, txn, say),
            Node::Participant(service) => {
                if let Some(p) = self.participant_index(service) {
                    self.participant_hears(p, from, txn, say);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // The coordinator

    fn write_log(&mut self, txn: TxnId, record: LogRecord) {
        self.log.push((txn, record));
        self.emit(Some(txn), CommitEventKind::TxLogged { record });
    }

    fn tell_all(&mut self, txn: TxnId, say: Say) {
        for service in PARTICIPANTS {
            self.send(Node::Coordinator, Node::Participant(service), txn, say);
        }
    }

    fn arm_coordinator(&mut self, txn: TxnId) {
        let at = self.now_ms + self.scenario.timing.timeout_ms;
        self.schedule(
            at,
            Occurrence::CoordinatorTimeout(txn, self.coordinator_epoch),
        );
    }

    fn begin(&mut self, txn: TxnId) {
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

    fn coordinator_hears(&mut self, from: Node, txn: TxnId, say: Say) {
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

    fn all_yes(&mut self, txn: TxnId) {
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
    fn decide(&mut self, txn: TxnId, commit: bool) {
        self.write_log(txn, LogRecord::Decision { commit });
        self.tracking[txn].phase = Phase::Deciding(commit);
        self.tell_all(txn, Say::Decision { commit });
        self.arm_coordinator(txn);
    }

    fn coordinator_timeout(&mut self, txn: TxnId) {
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
    fn recover(&mut self) {
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

    // ---------------------------------------------------------------------------------------
    // The participants

    fn arm_participant(&mut self, p: usize, txn: TxnId) {
        let part = &mut self.participants[p];
        part.epochs[txn] += 1;
        let epoch = part.epochs[txn];
        let at = self.now_ms + self.scenario.timing.timeout_ms;
        self.schedule(at, Occurrence::ParticipantTimeout(p, txn, epoch));
    }

    fn participant_hears(&mut self, p: usize, from: Node, txn: TxnId, say: Say) {
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
    fn take_or_wait(&mut self, p: usize, txn: TxnId) {
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

    fn take(&mut self, p: usize, txn: TxnId, resource: String) {
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

    fn work_done(&mut self, p: usize, txn: TxnId) {
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
    fn settle(&mut self, p: usize, txn: TxnId, commit: bool, by: Decider) {
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

    fn participant_timeout(&mut self, p: usize, txn: TxnId) {
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
    fn reachable_others(&self, p: usize) -> Vec<usize> {
        let me = Node::Participant(self.participants[p].service);
        (0..self.participants.len())
            .filter(|&q| q != p)
            .filter(|&q| !self.separated(me, Node::Participant(self.participants[q].service)))
            .collect()
    }

    fn begin_termination(&mut self, p: usize, txn: TxnId) {
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
    fn terminate(&mut self, p: usize, txn: TxnId) {
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
