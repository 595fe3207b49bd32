//! The simulation: one deterministic event loop shared by both coordination styles.
//!
//! Call order (sans-IO): mutate with [`Simulation::handle_command`] or
//! [`Simulation::advance_to`], then drain [`Simulation::poll_event`]; ask
//! [`Simulation::next_timer`] when the next thing is due. Time only moves forward: an
//! `advance_to` into the past does nothing.
//!
//! This file holds the world's state and the loop itself: [`Simulation::advance_to`],
//! [`Simulation::step`] and [`Simulation::drive`] take the next due occurrence off one agenda
//! and dispatch it, and every event is stamped here. Around the loop, one file per job:
//! `sagas` (each saga as seen from outside, and its steps' statuses), `commands` (the inputs a
//! run takes, recorded for replay), `network` (messages on their way, meeting message faults),
//! `faults` (injecting, firing and clearing faults), `services` (a service serving a task), and
//! the two coordination styles at work: `orchestrated` (the orchestrator's decisions) and
//! `choreographed` (the bus, the consumers and the outbox relay).

mod choreographed;
mod commands;
mod faults;
mod isolation;
mod network;
mod orchestrated;
mod sagas;
mod services;

use std::collections::{BTreeMap, VecDeque};

use super::choreography::{customer_queue, QueuedMessage};
use super::definition::ServiceId;
use super::event::{ClearReason, Event, EventKind};
use super::message::{Body, EventName, Message, MessageId, Node, SagaId, Task};
use super::orchestration::Orchestrator;
use super::rng::Rng;
use super::scenario::{Coordination, SagaSpec, Scenario, ScenarioError, ScheduledCommand, Storage};
use super::tables::Tables;

pub use commands::CommandError;
pub use faults::ActiveFault;
pub use sagas::{Effect, SagaRecord, StepState, StepStatus};
pub(crate) use services::{DedupKey, Served};

use sagas::new_saga_record;

/// What the loop has to do at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Occurrence {
    StartSaga(SagaId),
    Arrive(MessageId),
    ScheduledCommand(usize),
    FaultExpires(usize),
    Timeout {
        saga: SagaId,
        task: Task,
        attempt: u32,
        token: u32,
        epoch: u32,
    },
    Retry {
        saga: SagaId,
        task: Task,
        attempt: u32,
        epoch: u32,
    },
    Poll(ServiceId),
    ProcessDone {
        service: ServiceId,
        message: MessageId,
    },
    Relay(ServiceId),
    /// A service that crashed right after a commit comes back.
    Restart(ServiceId),
    /// Orchestration: a service's handling of a command on a shared record is over.
    HandleCommand {
        service: ServiceId,
        message: MessageId,
    },
}

/// The whole simulated world.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub(crate) scenario: Scenario,
    pub(crate) now_ms: u64,
    next_seq: u64,
    agenda: BTreeMap<(u64, u8, u64), Occurrence>,
    issued: Vec<ScheduledCommand>,
    agenda_seq: u64,
    rng: Rng,
    pending_events: VecDeque<Event>,
    trace: Vec<Event>,
    keep_trace: bool,
    pub(crate) sagas: Vec<SagaRecord>,
    pub(crate) messages: Vec<Message>,
    pub(crate) tables: Tables,
    faults: Vec<ActiveFault>,
    pub(crate) orchestrator: Orchestrator,
    queues: [Vec<QueuedMessage>; 4],
    dead_letters: Vec<(ServiceId, QueuedMessage)>,
    effects: Vec<Effect>,
    service_down: [u32; 4],
    database_down: [u32; 4],
    next_event_id: u32,
    pub(crate) defect: Option<super::defect::Defect>,
    /// What each handling under way read of a shared record, by the message it handles.
    reads: Vec<(MessageId, isolation::PendingRead)>,
    /// Semantic lock: the handling (its request, and the saga) whose update of a shared record
    /// is under way.
    /// (A few records at most: lists, which weigh far less in the page than maps.)
    locks: Vec<(super::shared::Record, MessageId, SagaId)>,
    /// Semantic lock: the saga that wrote a shared record and has not ended. Its PENDING flag
    /// stays until the saga completes or is compensated, so no other saga acts on its update
    /// while it may still be undone.
    holds: Vec<(super::shared::Record, SagaId)>,
    /// While [`Simulation::step_by_event`] runs: the world as it stood right after each event
    /// of the occurrence, as the event was emitted.
    moments: Option<Vec<Simulation>>,
}

impl Simulation {
    /// A simulation of `scenario`, at time 0, with the scenario's faults injected and its sagas
    /// and commands scheduled.
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        scenario.validate()?;
        let scenario = scenario.as_run();
        let mut sim = Simulation {
            rng: Rng::new(scenario.seed),
            now_ms: 0,
            next_seq: 0,
            agenda: BTreeMap::new(),
            issued: Vec::new(),
            agenda_seq: 0,
            pending_events: VecDeque::new(),
            trace: Vec::new(),
            keep_trace: true,
            sagas: Vec::new(),
            messages: Vec::new(),
            tables: Tables::default(),
            faults: Vec::new(),
            orchestrator: Orchestrator::default(),
            queues: Default::default(),
            dead_letters: Vec::new(),
            effects: Vec::new(),
            service_down: [0; 4],
            database_down: [0; 4],
            next_event_id: 0,
            defect: None,
            reads: Vec::new(),
            locks: Vec::new(),
            holds: Vec::new(),
            moments: None,
            scenario,
        };
        sim.tables.shared = super::shared::SharedTables::new(&sim.scenario.shared);
        for fault in sim.scenario.faults.clone() {
            sim.inject(fault);
        }
        for spec in sim.scenario.sagas.clone() {
            sim.add_saga(spec);
        }
        for (i, scheduled) in sim.scenario.commands.iter().enumerate() {
            // A scheduled command runs after everything else due at its moment, exactly as a
            // command given interactively at that moment does (see `handle_command`).
            let key = (scheduled.at_ms, 1, sim.agenda_seq);
            sim.agenda_seq += 1;
            sim.agenda.insert(key, Occurrence::ScheduledCommand(i));
        }
        Ok(sim)
    }

    /// Switches a deliberate defect on: only the invariant monitor's tests do this, to prove that
    /// each check can fail (see [`super::defect`]).
    #[doc(hidden)]
    pub fn inject_defect(&mut self, defect: super::defect::Defect) {
        self.defect = Some(defect);
    }

    /// Stops keeping the whole trace in memory (events can still be drained); for benchmarks.
    pub fn without_trace(mut self) -> Self {
        self.keep_trace = false;
        self
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Simulated now.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// How many events have happened.
    pub fn event_count(&self) -> u64 {
        self.next_seq
    }

    /// Every event so far (when the trace is kept).
    pub fn trace(&self) -> &[Event] {
        &self.trace
    }

    /// Every saga.
    pub fn sagas(&self) -> &[SagaRecord] {
        &self.sagas
    }

    /// All tables.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// Every message sent so far.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Every fault injected so far.
    pub fn faults(&self) -> &[ActiveFault] {
        &self.faults
    }

    /// Tasks that took effect, in order.
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// The orchestrator (orchestration only does anything with it).
    pub fn orchestrator(&self) -> &Orchestrator {
        &self.orchestrator
    }

    /// A service's queue (choreography).
    pub fn queue(&self, service: ServiceId) -> &[QueuedMessage] {
        &self.queues[service.index()]
    }

    /// The dead-letter queue: (source queue, message).
    pub fn dead_letters(&self) -> &[(ServiceId, QueuedMessage)] {
        &self.dead_letters
    }

    /// Whether a service is up.
    pub fn service_up(&self, service: ServiceId) -> bool {
        self.service_down[service.index()] == 0
    }

    /// Whether a service's database is up (in shared storage, the one database).
    pub fn database_up(&self, service: ServiceId) -> bool {
        match self.scenario.storage {
            Storage::PerService => self.database_down[service.index()] == 0,
            Storage::Shared => self.database_down.iter().all(|&d| d == 0),
        }
    }

    /// The next moment something is due, if anything is.
    #[must_use]
    pub fn next_timer(&self) -> Option<u64> {
        self.agenda.keys().next().map(|&(t, _, _)| t)
    }

    /// The next undrained event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.pending_events.pop_front()
    }

    pub(crate) fn pending(&self) -> impl Iterator<Item = &Occurrence> {
        self.agenda.values()
    }

    /// Whether nothing more will happen without a new command.
    pub fn is_quiescent(&self) -> bool {
        self.agenda.is_empty()
    }

    /// Processes everything due up to and including `now_ms`, then sets the clock to it.
    pub fn advance_to(&mut self, now_ms: u64) {
        while let Some(&(t, _, _)) = self.agenda.keys().next() {
            if t > now_ms {
                break;
            }
            self.step();
        }
        self.now_ms = self.now_ms.max(now_ms);
    }

    /// Processes the next due occurrence, jumping the clock to it. `false` if nothing is due.
    pub fn step(&mut self) -> bool {
        let Some(((t, _, _), occurrence)) = self.agenda.pop_first() else {
            return false;
        };
        self.now_ms = self.now_ms.max(t);
        self.dispatch(occurrence);
        true
    }

    /// Like [`Simulation::step`], and also returns the world as it stood right after each event
    /// the occurrence emitted, in order (empty if it emitted none or nothing was due). Handlers
    /// change the world before they emit the event that tells of the change, so each moment
    /// shows what its event says (`tests/one_event.rs` checks this for every preset).
    pub fn step_by_event(&mut self) -> Vec<Simulation> {
        self.moments = Some(Vec::new());
        self.step();
        self.moments.take().unwrap_or_default()
    }

    /// Runs until nothing is due or `limit_ms` is passed; returns the number of steps taken.
    pub fn drive(&mut self, limit_ms: u64) -> usize {
        let mut steps = 0;
        while let Some(t) = self.next_timer() {
            if t > limit_ms {
                break;
            }
            self.step();
            steps += 1;
        }
        steps
    }

    fn dispatch(&mut self, occurrence: Occurrence) {
        match occurrence {
            Occurrence::StartSaga(saga) => self.start_saga(saga),
            Occurrence::Arrive(message) => self.arrive(message),
            Occurrence::ScheduledCommand(i) => {
                if let Some(scheduled) = self.scenario.commands.get(i).cloned() {
                    // Scheduled commands were validated with the scenario; one that cannot apply
                    // now (a cancel for a saga never started) is skipped, as a user's click would be.
                    let _ignored = self.apply_command(scheduled.command);
                }
            }
            Occurrence::FaultExpires(id) => self.clear_fault(id, ClearReason::Expired),
            Occurrence::Timeout {
                saga,
                task,
                attempt,
                token,
                epoch,
            } => self.orchestrator_timeout(saga, task, attempt, token, epoch),
            Occurrence::Retry {
                saga,
                task,
                attempt,
                epoch,
            } => self.orchestrator_retry(saga, task, attempt, epoch),
            Occurrence::Poll(service) => self.poll_queue(service),
            Occurrence::ProcessDone { service, message } => self.process_done(service, message),
            Occurrence::Relay(service) => self.relay(service),
            Occurrence::Restart(service) => self.restart_after_crash(service),
            Occurrence::HandleCommand { service, message } => self.finish_command(service, message),
        }
    }

    // ---- bookkeeping shared by both styles -------------------------------------------------

    pub(crate) fn step_count(&self) -> usize {
        self.scenario.definition.steps.len()
    }

    pub(crate) fn emit(&mut self, saga: Option<SagaId>, kind: EventKind) {
        let event = Event {
            seq: self.next_seq,
            at_ms: self.now_ms,
            saga,
            kind,
        };
        self.next_seq += 1;
        if self.keep_trace {
            self.trace.push(event.clone());
        }
        self.pending_events.push_back(event);
        if let Some(mut moments) = self.moments.take() {
            moments.push(self.clone());
            self.moments = Some(moments);
        }
    }

    /// Drops undrained events (for callers that read the trace instead).
    pub fn discard_pending_events(&mut self) {
        self.pending_events.clear();
    }

    pub(crate) fn schedule_seq(&mut self, at_ms: u64, occurrence: Occurrence) {
        let key = (at_ms.max(self.now_ms), 0, self.agenda_seq);
        self.agenda_seq += 1;
        self.agenda.insert(key, occurrence);
    }

    fn add_saga(&mut self, spec: SagaSpec) {
        let id = self.sagas.len();
        let start = spec.start_ms;
        self.sagas
            .push(new_saga_record(id, spec, self.step_count()));
        self.schedule_seq(start, Occurrence::StartSaga(id));
    }

    fn start_saga(&mut self, saga: SagaId) {
        if let Some(record) = self.sagas.get_mut(saga) {
            record.started = true;
        }
        self.emit(Some(saga), EventKind::SagaStarted);
        self.customer_request(saga, EventName::Start);
    }

    /// The customer's request goes to the orchestrator, or straight to the queue of the service
    /// that reacts to it.
    pub(super) fn customer_request(&mut self, saga: SagaId, name: EventName) {
        let to = match self.scenario.coordination {
            Coordination::Orchestration => Node::Orchestrator,
            Coordination::Choreography => match customer_queue(name, &self.scenario.definition) {
                Some(service) => Node::Queue(service),
                None => return,
            },
        };
        let event = self.new_event_id();
        self.send(
            saga,
            Node::Customer,
            to,
            Body::Event { name },
            event,
            self.now_ms,
        );
    }

    pub(crate) fn new_event_id(&mut self) -> u32 {
        let id = self.next_event_id;
        self.next_event_id += 1;
        id
    }

    pub(crate) fn service_recovered(&mut self, service: ServiceId) {
        if self.scenario.coordination == Coordination::Choreography {
            self.schedule_seq(self.now_ms, Occurrence::Poll(service));
            self.schedule_seq(self.now_ms, Occurrence::Relay(service));
        }
    }
}
