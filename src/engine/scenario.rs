//! Scenarios: which sagas run, how they are coordinated, and which faults they meet.
//!
//! A scenario is versioned JSON (serde). Everything a run depends on is in it, so a scenario
//! and its seed reproduce a run exactly.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::definition::{DefinitionError, SagaDefinition, StepKind};
use super::fault::FaultSpec;
use super::shared::SharedData;

pub use super::coordination::Coordination;

mod faults;
mod validate;

/// The scenario format this engine reads and writes.
pub const SCENARIO_VERSION: u32 = 1;

/// Largest scenario file accepted, in bytes.
pub const MAX_SCENARIO_BYTES: usize = 64 * 1024;
/// Most sagas one scenario may start.
pub const MAX_SAGAS: usize = 8;
/// Most faults one scenario may plan (at start and in commands together).
pub const MAX_FAULTS: usize = 64;
/// Most scheduled commands one scenario may hold.
pub const MAX_COMMANDS: usize = 256;
/// Latest simulated moment a scenario may refer to (one hour).
pub const MAX_TIME_MS: u64 = 3_600_000;

/// Where the services keep their tables.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    /// Each service owns its database.
    #[default]
    PerService,
    /// One database instance holds every service's tables.
    Shared,
}

impl Storage {
    /// The stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Storage::PerService => "per_service",
            Storage::Shared => "shared",
        }
    }
}

/// One saga to start: who reserves what, for how much, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaSpec {
    /// The customer's name.
    pub customer: String,
    /// How many people.
    #[serde(default = "default_party_size")]
    pub party_size: u32,
    /// The table's time slot ("Fri 19:30, table 4").
    pub slot: String,
    /// The amount charged, in cents.
    #[serde(default = "default_amount")]
    pub amount_cents: u64,
    /// When the customer asks, in simulated milliseconds.
    #[serde(default)]
    pub start_ms: u64,
}

fn default_party_size() -> u32 {
    2
}

fn default_amount() -> u64 {
    4_000
}

impl SagaSpec {
    /// A customer reserving `slot` at time 0.
    pub fn new(customer: &str, slot: &str) -> Self {
        Self {
            customer: customer.to_string(),
            party_size: default_party_size(),
            slot: slot.to_string(),
            amount_cents: default_amount(),
            start_ms: 0,
        }
    }
}

/// A Step-Functions-style retry policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Wait before the first retry.
    pub interval_ms: u64,
    /// Most attempts in all (the first one included); `None` retries for ever.
    pub max_attempts: Option<u32>,
    /// Each wait is the previous one times this.
    pub backoff_rate: f64,
    /// No wait is longer than this.
    pub max_delay_ms: u64,
    /// Full jitter: each wait is drawn between 0 and the computed wait, from the seed.
    #[serde(default)]
    pub jitter: bool,
}

impl RetryPolicy {
    /// The wait before attempt `next_attempt` (2 for the first retry), before jitter.
    pub fn delay_before(&self, next_attempt: u32) -> u64 {
        let mut delay = self.interval_ms as f64;
        let mut n = 2;
        while n < next_attempt && delay < self.max_delay_ms as f64 {
            delay *= self.backoff_rate;
            n += 1;
        }
        (delay.min(self.max_delay_ms as f64)) as u64
    }

    /// `true` if another attempt after `attempts_made` is allowed.
    pub fn allows(&self, attempts_made: u32) -> bool {
        self.max_attempts.is_none_or(|max| attempts_made < max)
    }
}

/// The three retry policies a saga uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicies {
    /// Steps up to and including the pivot.
    pub step: RetryPolicy,
    /// Compensations; when these run out the saga ends rollback incomplete.
    pub compensation: RetryPolicy,
    /// Retriable steps and the failure notice: retried while this allows, then a person decides.
    pub retriable: RetryPolicy,
}

impl RetryPolicies {
    /// The policy a task is retried under: a retriable step and the failure notice under
    /// `retriable`, a compensation under `compensation`, any other step under `step`.
    pub fn for_task(
        &self,
        task: super::message::Task,
        definition: &SagaDefinition,
    ) -> &RetryPolicy {
        if task.only_forward(definition) {
            &self.retriable
        } else if matches!(task, super::message::Task::Compensate(_)) {
            &self.compensation
        } else {
            &self.step
        }
    }
}

impl Default for RetryPolicies {
    fn default() -> Self {
        Self {
            step: RetryPolicy {
                interval_ms: 1_000,
                max_attempts: Some(3),
                backoff_rate: 2.0,
                max_delay_ms: 8_000,
                jitter: false,
            },
            compensation: RetryPolicy {
                interval_ms: 1_000,
                max_attempts: Some(4),
                backoff_rate: 2.0,
                max_delay_ms: 8_000,
                jitter: false,
            },
            retriable: RetryPolicy {
                interval_ms: 1_000,
                max_attempts: None,
                backoff_rate: 2.0,
                max_delay_ms: 4_000,
                jitter: false,
            },
        }
    }
}

/// How long things take, in simulated milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// One network hop.
    pub network_ms: u64,
    /// Up to this much is added to each hop, drawn from the seed.
    pub network_jitter_ms: u64,
    /// A service handling one request or message.
    pub process_ms: u64,
    /// Orchestration: how long the orchestrator waits for a reply.
    pub step_timeout_ms: u64,
    /// Choreography: how long after a commit the outbox relay publishes.
    pub relay_ms: u64,
    /// Choreography: how often a relay retries a failed publish.
    pub relay_retry_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            network_ms: 400,
            network_jitter_ms: 60,
            process_ms: 200,
            step_timeout_ms: 2_000,
            relay_ms: 100,
            relay_retry_ms: 1_000,
        }
    }
}

/// Choreography: each service's queue (SQS style).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// A received message stays hidden this long; if not deleted by then it is delivered again.
    pub visibility_timeout_ms: u64,
    /// A message received more often than this goes to the dead-letter queue.
    pub max_receive_count: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            visibility_timeout_ms: 2_500,
            max_receive_count: 4,
        }
    }
}

/// Safeguards that can be switched off to show why they exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Safeguards {
    /// Services remember what they processed (idempotency keys, processed-message tables).
    pub idempotency: bool,
    /// Calendar refuses a slot that another saga booked (a plain slot, without a count of
    /// tables); on a shared record (tables left, a gift card), a handling under way and then the
    /// saga that took from it mark it PENDING until that saga completes or is compensated, and
    /// other sagas wait.
    pub semantic_lock: bool,
    /// Choreography: a service writes the event it will publish in its local transaction (the
    /// transactional outbox) and a relay publishes it; off, it publishes straight after the
    /// commit (a dual write), and a crash in between loses the event.
    #[serde(default = "switched_on")]
    pub outbox: bool,
    /// Commutative updates: a shared record is changed in place (take one table, take the
    /// amount) on its value at the write, instead of written back from the value read.
    #[serde(default, skip_serializing_if = "is_off")]
    pub commutative_updates: bool,
    /// Reread value: before writing a shared record, a service checks that it still holds the
    /// value read; if not, the step fails and is tried again.
    #[serde(default, skip_serializing_if = "is_off")]
    pub reread_value: bool,
    /// Pessimistic view: the saga is reordered so that the card is charged last before the
    /// pivot, after the steps a business rule may refuse (see
    /// [`SagaDefinition::pessimistic_view`](super::definition::SagaDefinition::pessimistic_view)).
    #[serde(default, skip_serializing_if = "is_off")]
    pub pessimistic_view: bool,
    /// By value: a request of [`BY_VALUE_CENTS`] or more sets PENDING flags on the shared records
    /// it updates, as the semantic lock does; smaller ones do not. Every saga honours a flag.
    #[serde(default, skip_serializing_if = "is_off")]
    pub by_value: bool,
    /// Version file: each service records the operations it performs for a saga, and refuses
    /// an action that arrives after its compensation (whatever idempotency does).
    #[serde(default, skip_serializing_if = "is_off")]
    pub version_file: bool,
}

impl Scenario {
    /// The scenario as the simulation runs it: with the pessimistic view, the saga reordered
    /// (see [`SagaDefinition::pessimistic_view`](super::definition::SagaDefinition::pessimistic_view)).
    /// Two scenarios that run the same compare equal after it.
    #[must_use]
    pub fn as_run(mut self) -> Scenario {
        if self.safeguards.pessimistic_view {
            self.definition = self.definition.pessimistic_view();
        }
        self
    }
}

/// By value: the amount from which a request counts as risky (€50).
pub const BY_VALUE_CENTS: u64 = 5_000;

impl Safeguards {
    /// Whether `spec`'s saga sets PENDING flags on the shared records it updates: the semantic
    /// lock for every saga, or by value for a risky one.
    pub fn flags_for(&self, spec: &SagaSpec) -> bool {
        self.semantic_lock || (self.by_value && spec.amount_cents >= BY_VALUE_CENTS)
    }
}

fn switched_on() -> bool {
    true
}

pub(crate) fn is_off(on: &bool) -> bool {
    !*on
}

impl Default for Safeguards {
    fn default() -> Self {
        Self {
            idempotency: true,
            semantic_lock: true,
            outbox: true,
            commutative_updates: false,
            reread_value: false,
            pessimistic_view: false,
            by_value: false,
            version_file: false,
        }
    }
}

/// Something to do at a given simulated moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledCommand {
    /// When, in simulated milliseconds.
    pub at_ms: u64,
    /// What.
    pub command: Command,
}

/// An input to a running simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Start another saga.
    Start {
        /// Who reserves what.
        saga: SagaSpec,
    },
    /// Inject a fault from now on.
    InjectFault {
        /// The fault.
        fault: FaultSpec,
    },
    /// Remove an injected fault (by its number, in injection order from 0).
    RemoveFault {
        /// The fault's number.
        fault: usize,
    },
    /// The customer cancels saga `saga` (numbered from 0).
    Cancel {
        /// The saga's number.
        saga: usize,
    },
    /// Move dead letters back to their queues, and retry compensations awaiting manual intervention.
    Redrive,
}

/// Everything a run depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version: must be [`SCENARIO_VERSION`].
    pub version: u32,
    /// A short title.
    #[serde(default)]
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Orchestration or choreography.
    #[serde(default)]
    pub coordination: Coordination,
    /// Database per service or shared.
    #[serde(default)]
    pub storage: Storage,
    /// The only source of randomness.
    #[serde(default)]
    pub seed: u64,
    /// The saga's steps.
    #[serde(default = "SagaDefinition::restaurant")]
    pub definition: SagaDefinition,
    /// The sagas to start.
    pub sagas: Vec<SagaSpec>,
    /// Faults present from time 0.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Inputs at later moments.
    #[serde(default)]
    pub commands: Vec<ScheduledCommand>,
    /// Durations.
    #[serde(default)]
    pub timing: Timing,
    /// Retry policies.
    #[serde(default)]
    pub retry: RetryPolicies,
    /// Queue settings (choreography).
    #[serde(default)]
    pub queues: QueueConfig,
    /// Safeguards.
    #[serde(default)]
    pub safeguards: Safeguards,
    /// Records several sagas contend for: tables per slot, gift cards.
    #[serde(default, skip_serializing_if = "SharedData::is_empty")]
    pub shared: SharedData,
}

/// What is wrong with a scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// The text is larger than [`MAX_SCENARIO_BYTES`].
    #[error("the scenario is {0} bytes; at most {max} are accepted", max = MAX_SCENARIO_BYTES)]
    TooLarge(usize),
    /// The text is not valid scenario JSON.
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The version field names a format this engine does not read.
    #[error("version {0} is not supported; this Sagascope reads version {SCENARIO_VERSION}")]
    Version(u32),
    /// A value is out of range or refers to something that does not exist.
    #[error("{path}: {problem}")]
    Invalid {
        /// Where, as a field path (`faults[2].step`).
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The saga definition breaks a rule.
    #[error("definition: {0}")]
    Definition(#[from] DefinitionError),
}

fn invalid(path: impl Into<String>, problem: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        path: path.into(),
        problem: problem.into(),
    }
}

impl Scenario {
    /// A scenario with the restaurant saga, default settings and the given sagas.
    pub fn new(sagas: Vec<SagaSpec>) -> Self {
        Self {
            version: SCENARIO_VERSION,
            name: String::new(),
            description: String::new(),
            coordination: Coordination::default(),
            storage: Storage::default(),
            seed: 0,
            definition: SagaDefinition::restaurant(),
            sagas,
            faults: Vec::new(),
            commands: Vec::new(),
            timing: Timing::default(),
            retry: RetryPolicies::default(),
            queues: QueueConfig::default(),
            safeguards: Safeguards::default(),
            shared: SharedData::default(),
        }
    }

    /// Parses and validates scenario JSON; every rejection names the place and the problem.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        let scenario: Scenario = read_versioned(text, MAX_SCENARIO_BYTES, SCENARIO_VERSION)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Pretty JSON that [`Scenario::from_json`] reads back to an equal scenario.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The index of the first step of a given kind, for presets and faults.
    pub fn step_of_kind(&self, kind: StepKind) -> Option<usize> {
        self.definition.steps.iter().position(|s| s.kind == kind)
    }
}

#[derive(Deserialize)]
struct VersionProbe {
    version: u32,
}

/// Why a versioned JSON file was not read, before anything in it was checked.
#[derive(Debug)]
pub enum Unread {
    /// It has this many bytes, more than accepted.
    TooLarge(usize),
    /// Its `version` names a format this code does not read.
    Version(u32),
    /// It is not the JSON expected.
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
}

/// Reads a versioned JSON file: its size first, then its top-level `version` (so that an old or
/// future file is told so rather than failing on other fields), then the rest.
pub fn read_versioned<T: DeserializeOwned>(
    text: &str,
    max_bytes: usize,
    version: u32,
) -> Result<T, Unread> {
    if text.len() > max_bytes {
        return Err(Unread::TooLarge(text.len()));
    }
    if let Some(found) = json_version(text).filter(|v| *v != version) {
        return Err(Unread::Version(found));
    }
    serde_json::from_str(text).map_err(|e| {
        let (line, column, message) = json_error_parts(&e);
        Unread::Json {
            line,
            column,
            message,
        }
    })
}

impl From<Unread> for ScenarioError {
    fn from(unread: Unread) -> Self {
        match unread {
            Unread::TooLarge(bytes) => ScenarioError::TooLarge(bytes),
            Unread::Version(v) => ScenarioError::Version(v),
            Unread::Json {
                line,
                column,
                message,
            } => ScenarioError::Json {
                line,
                column,
                message,
            },
        }
    }
}

/// The top-level `version` field of a versioned JSON text, if it has one that reads as a number.
fn json_version(text: &str) -> Option<u32> {
    serde_json::from_str::<VersionProbe>(text)
        .ok()
        .map(|p| p.version)
}

/// A JSON error as (line, column, message without the position the message repeats).
/// A JSON error's line, column and message (without serde's " at line … column …" tail).
pub fn json_error_parts(e: &serde_json::Error) -> (usize, usize, String) {
    let text = e.to_string();
    let message = text
        .split(" at line ")
        .next()
        .unwrap_or_default()
        .to_string();
    (e.line(), e.column(), message)
}
