//! The simulation: one deterministic event loop shared by both coordination styles.
//!
//! Call order (sans-IO): mutate with [`Simulation::handle_command`] or
//! [`Simulation::advance_to`], then drain [`Simulation::poll_event`]; ask
//! [`Simulation::next_timer`] when the next thing is due. Time only moves forward: an
//! `advance_to` into the past does nothing.

use std::collections::{BTreeMap, VecDeque};

use super::choreography::{customer_queue, QueuedMessage};
use super::definition::ServiceId;
use super::event::{
    AttentionReason, ClearReason, Event, EventKind, FailReason, LossReason, Outcome,
};
use super::fault::{FaultKind, FaultSpec};
use super::message::{
    Body, EventName, Message, MessageId, MessageState, Node, SagaId, Task, TaskResult,
};
use super::orchestration::Orchestrator;
use super::rng::Rng;
use super::scenario::{
    Command, Coordination, SagaSpec, Scenario, ScenarioError, ScheduledCommand, Storage,
};
use super::tables::{MoneyFact, OperationContext, Tables};

/// A step's status as the page shows it (`data-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not begun.
    #[default]
    Idle,
    /// First attempt under way.
    Running,
    /// Failed transiently; being tried again.
    Retrying,
    /// Done.
    Succeeded,
    /// Refused, or out of retries.
    Failed,
    /// Being undone.
    Compensating,
    /// Undone.
    Compensated,
}

impl StepStatus {
    /// The `data-status` value.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Idle => "idle",
            StepStatus::Running => "running",
            StepStatus::Retrying => "retrying",
            StepStatus::Succeeded => "succeeded",
            StepStatus::Failed => "failed",
            StepStatus::Compensating => "compensating",
            StepStatus::Compensated => "compensated",
        }
    }
}

/// One step of one saga, as seen from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct StepState {
    /// Status.
    pub status: StepStatus,
    /// Attempts at the action (receives, in choreography).
    pub attempts: u32,
    /// Attempts at the compensation.
    pub compensation_attempts: u32,
}

/// One saga, as seen from outside.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SagaRecord {
    /// Its number.
    pub id: SagaId,
    /// Who reserves what.
    pub spec: SagaSpec,
    /// Whether it has begun.
    pub started: bool,
    /// Its outcome so far.
    pub outcome: Outcome,
    /// Each step.
    pub steps: Vec<StepState>,
    /// The failure notice after compensation.
    pub notice: StepState,
    /// The customer asked to cancel.
    pub cancel_requested: bool,
    /// A cancellation saga is undoing it (its outcome is then that saga's).
    pub cancelling: bool,
    /// A task waiting for a person (a dead letter or a compensation out of retries).
    pub stuck: Option<Task>,
    /// Why it waits for a person, while it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stuck_reason: Option<AttentionReason>,
    /// When it reached its outcome.
    pub ended_ms: Option<u64>,
}

impl SagaRecord {
    /// The state of a task's step (or of the notice).
    pub fn task_state_mut(&mut self, task: Task) -> Option<&mut StepState> {
        match task {
            Task::Action(s) | Task::Compensate(s) => self.steps.get_mut(s),
            Task::FailureNotice => Some(&mut self.notice),
        }
    }
}

/// A fault as it stands in a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActiveFault {
    /// Its number, in injection order.
    pub id: usize,
    /// What it is.
    pub spec: FaultSpec,
    /// When it was injected.
    pub injected_ms: u64,
    /// When it ends by itself, if it does.
    pub until_ms: Option<u64>,
    /// How many more times it fires, if it is counted.
    pub remaining: Option<u32>,
    /// Whether it still acts.
    pub active: bool,
    /// How many times it has fired.
    pub fired: u32,
    /// Poison: the (saga, task) or event it has poisoned.
    pub poisoned: Option<(SagaId, Task)>,
}

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
}

/// A command could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The command's fault or saga is malformed.
    #[error("{0}")]
    Invalid(#[from] ScenarioError),
    /// No saga with that number has been started.
    #[error("there is no saga {0}")]
    NoSuchSaga(usize),
    /// No fault with that number has been injected.
    #[error("there is no fault {0}")]
    NoSuchFault(usize),
    /// Too many sagas already.
    #[error("at most {0} sagas can run")]
    TooManySagas(usize),
}

/// How a service dealt with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Served {
    /// It answered with this result; whether the operation changed anything.
    Answered(TaskResult, bool),
    /// It had done this already and did nothing (idempotency): the remembered result, and
    /// whether the first run changed anything if that was remembered.
    Repeat(TaskResult, Option<bool>),
    /// It failed; a retry may work.
    Failed(FailReason),
    /// It took the request and never answered, and did nothing.
    Hung,
    /// It did the task but its answer (or acknowledgement) was lost.
    AnswerLost(TaskResult),
}

/// How a task is deduplicated by the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DedupKey {
    /// Orchestration: idempotency key = saga id + task.
    Key,
    /// Choreography: the business event id.
    Event(u32),
}

/// A record of a task that took effect, for the invariant monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Effect {
    /// The saga.
    pub saga: SagaId,
    /// The task.
    pub task: Task,
    /// When.
    pub at_ms: u64,
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
    pub(crate) rng: Rng,
    pending_events: VecDeque<Event>,
    pub(crate) trace: Vec<Event>,
    pub(crate) keep_trace: bool,
    pub(crate) sagas: Vec<SagaRecord>,
    pub(crate) messages: Vec<Message>,
    pub(crate) tables: Tables,
    pub(crate) faults: Vec<ActiveFault>,
    pub(crate) orchestrator: Orchestrator,
    pub(crate) queues: [Vec<QueuedMessage>; 4],
    pub(crate) dead_letters: Vec<(ServiceId, QueuedMessage)>,
    pub(crate) effects: Vec<Effect>,
    pub(crate) service_down: [u32; 4],
    pub(crate) database_down: [u32; 4],
    next_event_id: u32,
    pub(crate) defect: Option<super::defect::Defect>,
}

impl Simulation {
    /// A simulation of `scenario`, at time 0, with the scenario's faults injected and its sagas
    /// and commands scheduled.
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        scenario.validate()?;
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
            scenario,
        };
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

    /// Carries out a command now, after everything already due, and records it so that
    /// [`Simulation::replay_scenario`] reproduces the run.
    pub fn handle_command(&mut self, command: Command) -> Result<(), CommandError> {
        self.advance_to(self.now_ms);
        self.apply_command(command.clone())?;
        self.issued.push(ScheduledCommand {
            at_ms: self.now_ms,
            command,
        });
        Ok(())
    }

    /// Commands given through [`Simulation::handle_command`], with their moments.
    pub fn issued_commands(&self) -> &[ScheduledCommand] {
        &self.issued
    }

    /// The scenario plus every command issued so far: running it reproduces this run exactly.
    pub fn replay_scenario(&self) -> Scenario {
        let mut scenario = self.scenario.clone();
        scenario.commands.extend(self.issued.iter().cloned());
        scenario
    }

    /// Forgets the scheduled commands from number `from` on that have not run yet (a fork: the
    /// future they belonged to is discarded; the commands before `from` are the scenario's own).
    /// The run goes on exactly as a run of [`Simulation::replay_scenario`] would from here.
    /// Returns how many were forgotten.
    pub fn forget_future_commands(&mut self, from: usize) -> usize {
        let pending: Vec<usize> = self
            .agenda
            .values()
            .filter_map(|o| match o {
                Occurrence::ScheduledCommand(i) if *i >= from => Some(*i),
                _ => None,
            })
            .collect();
        if pending.is_empty() {
            return 0;
        }
        self.agenda
            .retain(|_, o| !matches!(o, Occurrence::ScheduledCommand(i) if pending.contains(i)));
        // Every command left in the agenda comes before `from` and keeps its number.
        let mut index = 0;
        self.scenario.commands.retain(|_| {
            let keep = !pending.contains(&index);
            index += 1;
            keep
        });
        pending.len()
    }

    fn apply_command(&mut self, command: Command) -> Result<(), CommandError> {
        match command {
            Command::Start { saga } => {
                super::scenario::Scenario::new(vec![saga.clone()]).validate()?;
                if self.sagas.len() >= super::scenario::MAX_SAGAS {
                    return Err(CommandError::TooManySagas(super::scenario::MAX_SAGAS));
                }
                let start = saga.start_ms.max(self.now_ms);
                let id = self.sagas.len();
                self.sagas
                    .push(new_saga_record(id, saga, self.step_count()));
                self.schedule_seq(start, Occurrence::StartSaga(id));
                Ok(())
            }
            Command::InjectFault { fault } => {
                fault.validate(&self.scenario, "fault")?;
                self.inject(fault);
                Ok(())
            }
            Command::RemoveFault { fault } => {
                if fault >= self.faults.len() {
                    return Err(CommandError::NoSuchFault(fault));
                }
                self.clear_fault(fault, ClearReason::Removed);
                Ok(())
            }
            Command::Cancel { saga } => {
                if saga >= self.sagas.len() {
                    return Err(CommandError::NoSuchSaga(saga));
                }
                self.request_cancel(saga);
                Ok(())
            }
            Command::Redrive => {
                self.redrive();
                Ok(())
            }
        }
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

    fn request_cancel(&mut self, saga: SagaId) {
        self.emit(Some(saga), EventKind::CancelRequested);
        if super::defect::ignores_cancel(self.defect) {
            return;
        }
        if let Some(record) = self.sagas.get_mut(saga) {
            record.cancel_requested = true;
        }
        self.customer_request(saga, EventName::CancelRequested);
    }

    /// The customer's request goes to the orchestrator, or straight to the queue of the service
    /// that reacts to it.
    fn customer_request(&mut self, saga: SagaId, name: EventName) {
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

    fn network_delay(&mut self) -> u64 {
        let timing = &self.scenario.timing;
        let (base, jitter) = (timing.network_ms, timing.network_jitter_ms);
        base + self.rng.up_to(jitter) + super::defect::hidden_delay_ms(self.defect)
    }

    /// Sends a message, applying the message faults that match it. Returns the message id.
    pub(crate) fn send(
        &mut self,
        saga: SagaId,
        from: Node,
        to: Node,
        body: Body,
        event_id: u32,
        depart_ms: u64,
    ) -> MessageId {
        let mut delay = self.network_delay();
        let service_end = to.service().or(from.service());
        let choreography = self.scenario.coordination == Coordination::Choreography;
        // Which message faults can act on this hop: a publish can be lost (the relay retries),
        // a delivery into a queue can be repeated or delayed (at-least-once), and in
        // orchestration any command or reply can be lost, repeated or delayed.
        let customer = from == Node::Customer;
        let can_drop = !customer && (!choreography || to == Node::Bus);
        let can_duplicate = !customer && (!choreography || matches!(to, Node::Queue(_)));
        let mut dropped = false;
        let mut duplicate = false;
        if !customer {
            if can_drop
                && self
                    .fire_message_fault(service_end, FaultKind::Drop)
                    .is_some()
            {
                dropped = true;
            }
            if !dropped
                && can_duplicate
                && self
                    .fire_message_fault(service_end, FaultKind::Duplicate)
                    .is_some()
            {
                duplicate = true;
            }
            if let Some(id) = self.fire_message_fault(service_end, FaultKind::Delay) {
                if let Some(FaultSpec::Delay { extra_ms, .. }) =
                    self.faults.get(id).map(|f| &f.spec)
                {
                    delay += *extra_ms;
                }
            }
            if self
                .fire_message_fault(service_end, FaultKind::Reorder)
                .is_some()
            {
                let spread = self.scenario.timing.network_ms.saturating_mul(3);
                delay += self.rng.up_to(spread);
            }
            if let Some(percent) = self.chaos_percent() {
                if self.rng.chance(percent) {
                    match self.rng.up_to(2) {
                        0 if can_drop => dropped = true,
                        1 if can_duplicate => duplicate = true,
                        _ => delay += self.scenario.timing.network_ms * 2,
                    }
                }
            }
        }
        dropped |= super::defect::loses(self.defect, to, &body);
        let id = self.push_message(
            saga,
            from,
            to,
            body,
            event_id,
            depart_ms,
            depart_ms + delay,
            false,
        );
        if dropped {
            self.lose(id, LossReason::Dropped);
        } else {
            self.schedule_seq(depart_ms + delay, Occurrence::Arrive(id));
        }
        if duplicate && !dropped {
            let extra = self.network_delay() / 2 + 1;
            let copy = self.push_message(
                saga,
                from,
                to,
                body,
                event_id,
                depart_ms,
                depart_ms + delay + extra,
                true,
            );
            self.schedule_seq(depart_ms + delay + extra, Occurrence::Arrive(copy));
        }
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn push_message(
        &mut self,
        saga: SagaId,
        from: Node,
        to: Node,
        body: Body,
        event_id: u32,
        sent_ms: u64,
        arrive_ms: u64,
        duplicate: bool,
    ) -> MessageId {
        let id = MessageId::try_from(self.messages.len()).unwrap_or(MessageId::MAX);
        self.messages.push(Message {
            id,
            event_id,
            saga,
            from,
            to,
            body,
            sent_ms,
            arrive_ms,
            state: MessageState::InFlight,
            duplicate,
        });
        self.emit(
            Some(saga),
            EventKind::MessageSent {
                message: id,
                from,
                to,
                body,
                arrive_ms,
                duplicate,
            },
        );
        id
    }

    pub(crate) fn set_message_state(&mut self, id: MessageId, state: MessageState) {
        if let Some(m) = self.messages.get_mut(id as usize) {
            m.state = state;
        }
    }

    pub(crate) fn lose(&mut self, id: MessageId, reason: LossReason) {
        self.set_message_state(id, MessageState::Lost);
        let saga = self.messages.get(id as usize).map(|m| m.saga);
        self.emit(
            saga,
            EventKind::MessageLost {
                message: id,
                reason,
            },
        );
    }

    fn arrive(&mut self, id: MessageId) {
        let Some(message) = self.messages.get(id as usize).cloned() else {
            return;
        };
        match message.to {
            Node::Orchestrator => self.orchestrator_receive(message),
            Node::Service(service) => self.service_receive_command(service, message),
            Node::Bus => self.bus_receive(message),
            Node::Queue(service) => self.enqueue(service, message),
            Node::Customer => {
                self.set_message_state(id, MessageState::Handled);
                self.emit(
                    Some(message.saga),
                    EventKind::MessageArrived { message: id },
                );
            }
        }
    }

    // ---- faults -----------------------------------------------------------------------------

    fn inject(&mut self, spec: FaultSpec) {
        let id = self.faults.len();
        let until_ms = spec.duration_ms().map(|d| self.now_ms + d);
        self.faults.push(ActiveFault {
            id,
            spec: spec.clone(),
            injected_ms: self.now_ms,
            until_ms,
            remaining: spec.times(),
            active: true,
            fired: 0,
            poisoned: None,
        });
        self.emit(
            None,
            EventKind::FaultInjected {
                fault: id,
                spec: spec.clone(),
            },
        );
        if let Some(until) = until_ms {
            self.schedule_seq(until, Occurrence::FaultExpires(id));
        }
        if !spec.applies_to(self.scenario.coordination) {
            return;
        }
        match spec {
            FaultSpec::ServiceDown { service, .. } => {
                self.service_down[service.index()] += 1;
                if self.service_down[service.index()] == 1 {
                    self.emit(None, EventKind::ServiceDown { service });
                }
            }
            FaultSpec::DatabaseDown { service, .. } => {
                let was_up = self.database_up(service);
                self.database_down[service.index()] += 1;
                if was_up {
                    let which = match self.scenario.storage {
                        Storage::PerService => Some(service),
                        Storage::Shared => None,
                    };
                    self.emit(None, EventKind::DatabaseDown { service: which });
                }
            }
            FaultSpec::OrchestratorDown { .. } => self.orchestrator_crash(),
            _ => {}
        }
    }

    fn clear_fault(&mut self, id: usize, reason: ClearReason) {
        let Some(fault) = self.faults.get_mut(id) else {
            return;
        };
        if !fault.active {
            return;
        }
        fault.active = false;
        let spec = fault.spec.clone();
        self.emit(None, EventKind::FaultCleared { fault: id, reason });
        if !spec.applies_to(self.scenario.coordination) {
            return;
        }
        match spec {
            FaultSpec::ServiceDown { service, .. } => {
                let down = &mut self.service_down[service.index()];
                *down = down.saturating_sub(1);
                if *down == 0 {
                    self.emit(None, EventKind::ServiceUp { service });
                    self.service_recovered(service);
                }
            }
            FaultSpec::DatabaseDown { service, .. } => {
                let down = &mut self.database_down[service.index()];
                *down = down.saturating_sub(1);
                if self.database_up(service) {
                    let which = match self.scenario.storage {
                        Storage::PerService => Some(service),
                        Storage::Shared => None,
                    };
                    self.emit(None, EventKind::DatabaseUp { service: which });
                }
            }
            FaultSpec::OrchestratorDown { .. } => {
                let still_down = self
                    .faults
                    .iter()
                    .any(|f| f.active && matches!(f.spec, FaultSpec::OrchestratorDown { .. }));
                if !still_down {
                    self.orchestrator_recover();
                }
            }
            _ => {}
        }
    }

    /// Marks one firing of fault `id`, retiring it when used up.
    pub(crate) fn fire(&mut self, id: usize, saga: Option<SagaId>) {
        let used_up = match self.faults.get_mut(id) {
            Some(fault) => {
                fault.fired += 1;
                if let Some(left) = fault.remaining.as_mut() {
                    *left = left.saturating_sub(1);
                    *left == 0
                } else {
                    false
                }
            }
            None => return,
        };
        self.emit(saga, EventKind::FaultFired { fault: id });
        if used_up {
            self.clear_fault(id, ClearReason::UsedUp);
        }
    }

    fn fire_message_fault(&mut self, service: Option<ServiceId>, kind: FaultKind) -> Option<usize> {
        let id = self.faults.iter().position(|f| {
            f.active
                && f.spec.kind() == kind
                && match &f.spec {
                    FaultSpec::Drop { service: s, .. }
                    | FaultSpec::Duplicate { service: s, .. }
                    | FaultSpec::Delay { service: s, .. }
                    | FaultSpec::Reorder { service: s, .. } => s.is_none() || *s == service,
                    _ => false,
                }
        })?;
        self.fire(id, None);
        Some(id)
    }

    fn chaos_percent(&self) -> Option<u32> {
        self.faults.iter().find_map(|f| match f.spec {
            FaultSpec::Chaos { percent, .. } if f.active => Some(percent),
            _ => None,
        })
    }

    /// The first active step fault of `kind` for this saga and step.
    fn step_fault(&self, kind: FaultKind, saga: SagaId, step: usize) -> Option<usize> {
        self.faults.iter().position(|f| {
            f.active
                && f.spec.kind() == kind
                && f.spec.step_index() == Some(step)
                && f.spec.saga_filter().is_none_or(|s| s == saga)
        })
    }

    /// Extra processing time from latency faults on `service`.
    pub(crate) fn latency_ms(&self, service: ServiceId) -> u64 {
        self.faults
            .iter()
            .filter(|f| f.active)
            .filter_map(|f| match f.spec {
                FaultSpec::Latency {
                    service: s,
                    extra_ms,
                } if s == service => Some(extra_ms),
                _ => None,
            })
            .sum()
    }

    // ---- the services -----------------------------------------------------------------------

    /// A service runs a task for a saga: faults first, then idempotency, then the operation.
    /// `money` is what the request says happened to the customer's money (the failure notice's
    /// facts reach the notifier this way, never from Payment's ledger).
    pub(crate) fn serve(
        &mut self,
        service: ServiceId,
        saga: SagaId,
        task: Task,
        dedup: DedupKey,
        money: Option<MoneyFact>,
    ) -> Served {
        if !self.database_up(service) {
            return self.failed(service, saga, task, FailReason::DatabaseDown);
        }
        // A poison message: the first request the service meets while the fault is active.
        if let Some(id) = self.faults.iter().position(|f| {
            f.active
                && matches!(f.spec, FaultSpec::Poison { service: s } if s == service)
                && f.poisoned.is_none_or(|p| p == (saga, task))
        }) {
            if let Some(fault) = self.faults.get_mut(id) {
                fault.poisoned = Some((saga, task));
            }
            self.fire(id, Some(saga));
            return self.failed(service, saga, task, FailReason::Poison);
        }
        if let Some(percent) = self.chaos_percent() {
            if self.rng.chance(percent / 2) {
                return self.failed(service, saga, task, FailReason::Chaos);
            }
        }
        match task {
            Task::Action(step) => {
                if let Some(id) = self.step_fault(FaultKind::NoReply, saga, step) {
                    self.fire(id, Some(saga));
                    self.emit(
                        Some(saga),
                        EventKind::TaskFailed {
                            task,
                            service,
                            reason: FailReason::NoReply,
                        },
                    );
                    return Served::Hung;
                }
                if let Some(id) = self.step_fault(FaultKind::TransientError, saga, step) {
                    self.fire(id, Some(saga));
                    return self.failed(service, saga, task, FailReason::Transient);
                }
            }
            Task::Compensate(step) => {
                if let Some(id) = self.step_fault(FaultKind::CompensationFails, saga, step) {
                    self.fire(id, Some(saga));
                    return self.failed(service, saga, task, FailReason::CompensationFault);
                }
            }
            Task::FailureNotice => {}
        }
        let idempotent = self.scenario.safeguards.idempotency;
        if idempotent {
            let store = self.tables.store(service);
            let seen = match dedup {
                DedupKey::Key => store
                    .remembered_row(saga, task)
                    .map(|r| (r.result, r.changed)),
                DedupKey::Event(e) => store
                    .processed_events
                    .contains(&e)
                    .then_some((TaskResult::Done, None)),
            };
            if let Some((result, changed)) = seen {
                self.emit(Some(saga), EventKind::DuplicateIgnored { task, service });
                return Served::Repeat(result, changed);
            }
        }
        let forced = match task {
            Task::Action(step) => match self.step_fault(FaultKind::BusinessFailure, saga, step) {
                Some(id) => {
                    self.fire(id, Some(saga));
                    true
                }
                None => self.refused_after_cancel(service, saga, task),
            },
            _ => false,
        };
        let Some(op) = task.operation(&self.scenario.definition) else {
            return self.failed(service, saga, task, FailReason::Transient);
        };
        let Some(spec) = self.sagas.get(saga).map(|s| s.spec.clone()) else {
            return self.failed(service, saga, task, FailReason::Transient);
        };
        let applied = self.tables.apply(
            op,
            &OperationContext {
                saga,
                spec: &spec,
                now_ms: self.now_ms,
                forced_business_failure: forced,
                semantic_lock: self.scenario.safeguards.semantic_lock,
                money,
            },
        );
        let applied = super::defect::after_apply(self, op, task, saga, applied);
        if applied.changed {
            self.effects.push(Effect {
                saga,
                task,
                at_ms: self.now_ms,
            });
        }
        let store = self.tables.store_mut(service);
        match dedup {
            DedupKey::Key => {
                if idempotent {
                    let changed = matches!(task, Task::Compensate(_)).then_some(applied.changed);
                    store.remember(saga, task, applied.result, changed);
                    if let Task::Compensate(step) = task {
                        // A tombstone: an action command still on its way after its compensation
                        // must not take effect.
                        store.remember(saga, Task::Action(step), TaskResult::BusinessFailure, None);
                    }
                }
            }
            DedupKey::Event(e) => {
                if idempotent {
                    store.processed_events.insert(e);
                }
            }
        }
        self.emit(
            Some(saga),
            EventKind::TaskApplied {
                task,
                service,
                result: applied.result,
                changed: applied.changed,
            },
        );
        if let Task::Action(step) = task {
            if let Some(id) = self.step_fault(FaultKind::Ambiguous, saga, step) {
                self.fire(id, Some(saga));
                return Served::AnswerLost(applied.result);
            }
        }
        Served::Answered(applied.result, applied.changed)
    }

    fn failed(
        &mut self,
        service: ServiceId,
        saga: SagaId,
        task: Task,
        reason: FailReason,
    ) -> Served {
        self.emit(
            Some(saga),
            EventKind::TaskFailed {
                task,
                service,
                reason,
            },
        );
        Served::Failed(reason)
    }

    // ---- step statuses, shared by both styles -----------------------------------------------

    pub(crate) fn note_attempt(&mut self, saga: SagaId, task: Task, attempt: u32) {
        let Some(record) = self.sagas.get_mut(saga) else {
            return;
        };
        let Some(state) = record.task_state_mut(task) else {
            return;
        };
        match task {
            Task::Action(_) | Task::FailureNotice => {
                state.attempts = state.attempts.max(attempt);
                state.status = if attempt > 1 {
                    StepStatus::Retrying
                } else {
                    StepStatus::Running
                };
            }
            Task::Compensate(_) => {
                state.compensation_attempts = state.compensation_attempts.max(attempt);
                state.status = StepStatus::Compensating;
            }
        }
        self.emit(Some(saga), EventKind::TaskStarted { task, attempt });
    }

    pub(crate) fn note_result(&mut self, saga: SagaId, task: Task, result: TaskResult) {
        let status = match (task, result) {
            (Task::Compensate(_), TaskResult::Done) => StepStatus::Compensated,
            (_, TaskResult::Done) => StepStatus::Succeeded,
            (_, TaskResult::BusinessFailure) => StepStatus::Failed,
            (Task::Compensate(_), TaskResult::TransientError) => StepStatus::Compensating,
            (_, TaskResult::TransientError) => StepStatus::Retrying,
        };
        if let Some(state) = self
            .sagas
            .get_mut(saga)
            .and_then(|r| r.task_state_mut(task))
        {
            state.status = status;
        }
        match result {
            TaskResult::Done => self.emit(Some(saga), EventKind::StepSucceeded { task }),
            TaskResult::BusinessFailure => self.emit(Some(saga), EventKind::StepRefused { task }),
            TaskResult::TransientError => {}
        }
    }

    pub(crate) fn set_status(&mut self, saga: SagaId, task: Task, status: StepStatus) {
        if let Some(state) = self
            .sagas
            .get_mut(saga)
            .and_then(|r| r.task_state_mut(task))
        {
            state.status = status;
        }
    }

    /// Sets a saga's outcome; `Running` reopens it (a cancellation saga, a redrive) silently.
    pub(crate) fn end_saga(&mut self, saga: SagaId, outcome: Outcome) {
        let now = self.now_ms;
        if super::defect::withholds_outcome(self.defect, outcome) {
            return;
        }
        if let Some(record) = self.sagas.get_mut(saga) {
            if record.outcome == outcome {
                return;
            }
            record.outcome = outcome;
            record.ended_ms = outcome.is_final().then_some(now);
        }
        if outcome.is_final() {
            self.emit(Some(saga), EventKind::SagaEnded { outcome });
        }
    }

    /// Lists a saga for a person (`Some`: the stuck task and why) or takes it off the list.
    pub(crate) fn mark_stuck(&mut self, saga: SagaId, stuck: Option<(Task, AttentionReason)>) {
        if let Some(record) = self.sagas.get_mut(saga) {
            record.stuck = stuck.map(|(task, _)| task);
            record.stuck_reason = stuck.map(|(_, reason)| reason);
        }
        if let Some((task, reason)) = stuck {
            self.emit(Some(saga), EventKind::ManualIntervention { task, reason });
        }
    }

    fn redrive(&mut self) {
        match self.scenario.coordination {
            Coordination::Orchestration => self.orchestrator_redrive(),
            Coordination::Choreography => self.redrive_dead_letters(),
        }
    }

    pub(crate) fn service_recovered(&mut self, service: ServiceId) {
        if self.scenario.coordination == Coordination::Choreography {
            self.schedule_seq(self.now_ms, Occurrence::Poll(service));
            self.schedule_seq(self.now_ms, Occurrence::Relay(service));
        }
    }
}

fn new_saga_record(id: SagaId, spec: SagaSpec, steps: usize) -> SagaRecord {
    SagaRecord {
        id,
        spec,
        started: false,
        outcome: Outcome::Running,
        steps: vec![StepState::default(); steps],
        notice: StepState::default(),
        cancel_requested: false,
        cancelling: false,
        stuck: None,
        stuck_reason: None,
        ended_ms: None,
    }
}
