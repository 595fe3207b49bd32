//! Snapshots: everything a view needs, at one moment, as plain data.

use serde::{Deserialize, Serialize};

use super::choreography::QueuedMessage;
use super::definition::ServiceId;
use super::event::Outcome;
use super::message::{Message, MessageState, SagaId, Task};
use super::orchestration::{LogEntry, Phase};
use super::scenario::{Coordination, Storage};
use super::sim::{ActiveFault, SagaRecord, Simulation};
use super::tables::Tables;

/// One service, as drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    /// Which.
    pub id: ServiceId,
    /// Running.
    pub up: bool,
    /// Its database (or the shared one) is up.
    pub database_up: bool,
    /// Extra processing time from latency faults.
    pub latency_ms: u64,
    /// Active faults attached to it (their numbers).
    pub faults: Vec<usize>,
}

/// The orchestrator, as drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrchestratorView {
    /// Running.
    pub up: bool,
    /// Log records so far.
    pub log_len: usize,
    /// The last log records (newest last).
    pub recent_log: Vec<LogEntry>,
    /// Each saga's phase in its memory (empty while down).
    pub phases: Vec<(SagaId, Phase)>,
}

/// Everything a view needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Simulated now.
    pub now_ms: u64,
    /// Orchestration or choreography.
    pub coordination: Coordination,
    /// Per service or shared.
    pub storage: Storage,
    /// Events so far.
    pub event_count: usize,
    /// Every saga.
    pub sagas: Vec<SagaRecord>,
    /// Messages on the wire now (including those about to leave a service).
    pub in_flight: Vec<Message>,
    /// Every table.
    pub tables: Tables,
    /// Each service's queue, in [`ServiceId::ALL`] order.
    pub queues: Vec<Vec<QueuedMessage>>,
    /// The dead-letter queue.
    pub dead_letters: Vec<(ServiceId, QueuedMessage)>,
    /// The orchestrator.
    pub orchestrator: OrchestratorView,
    /// The services.
    pub services: Vec<ServiceView>,
    /// Every fault injected so far.
    pub faults: Vec<ActiveFault>,
    /// Sagas waiting for a person, and the task that is stuck.
    pub manual_intervention: Vec<(SagaId, Task)>,
    /// The outcome of the whole run.
    pub outcome: Outcome,
}

/// The outcome of a run with several sagas: running while any runs, else the worst.
pub fn overall_outcome(sagas: &[SagaRecord]) -> Outcome {
    if sagas.is_empty() || sagas.iter().any(|s| s.outcome == Outcome::Running) {
        Outcome::Running
    } else if sagas
        .iter()
        .any(|s| s.outcome == Outcome::RollbackIncomplete)
    {
        Outcome::RollbackIncomplete
    } else if sagas.iter().any(|s| s.outcome == Outcome::AwaitingPerson) {
        Outcome::AwaitingPerson
    } else if sagas.iter().any(|s| s.outcome == Outcome::Compensated) {
        Outcome::Compensated
    } else {
        Outcome::Completed
    }
}

impl Simulation {
    /// Everything a view needs, now.
    pub fn snapshot(&self) -> Snapshot {
        let scenario = self.scenario();
        let services = ServiceId::ALL
            .iter()
            .map(|&id| ServiceView {
                id,
                up: self.service_up(id),
                database_up: self.database_up(id),
                latency_ms: self.latency_ms(id),
                faults: self
                    .faults()
                    .iter()
                    .filter(|f| f.active && f.spec.service(scenario) == Some(id))
                    .map(|f| f.id)
                    .collect(),
            })
            .collect();
        let log = &self.orchestrator().log;
        Snapshot {
            now_ms: self.now_ms(),
            coordination: scenario.coordination,
            storage: scenario.storage,
            event_count: usize::try_from(self.event_count()).unwrap_or(usize::MAX),
            sagas: self.sagas().to_vec(),
            in_flight: self
                .messages()
                .iter()
                .filter(|m| m.state == MessageState::InFlight)
                .cloned()
                .collect(),
            tables: self.tables().clone(),
            queues: ServiceId::ALL
                .iter()
                .map(|s| self.queue(*s).to_vec())
                .collect(),
            dead_letters: self.dead_letters().to_vec(),
            orchestrator: OrchestratorView {
                up: !self.orchestrator().down,
                log_len: log.len(),
                recent_log: log[log.len().saturating_sub(12)..].to_vec(),
                phases: self
                    .orchestrator()
                    .memory
                    .iter()
                    .map(|(s, m)| (*s, m.phase))
                    .collect(),
            },
            services,
            faults: self.faults().to_vec(),
            manual_intervention: self
                .sagas()
                .iter()
                .filter_map(|s| s.stuck.map(|t| (s.id, t)))
                .collect(),
            outcome: overall_outcome(self.sagas()),
        }
    }
}
