//! The commit protocols at work: a coordinator, three participants with their locks, the network
//! between them and the failures, as one deterministic discrete-event simulation.

use std::collections::BTreeMap;

use super::{
    CommitError, CommitEvent, CommitEventKind, CommitFault, CommitScenario, LogRecord, Node,
    ParticipantState, Say, Trigger, TxnId, PARTICIPANTS,
};
use crate::engine::definition::ServiceId;

mod coordinator;
mod participant;

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
}
