//! The saga engine: pure, deterministic, sans-IO.
//!
//! # Contract
//!
//! - **Fully deterministic.** The same [`Scenario`] (and seed) gives the same trace, byte for
//!   byte, on every platform. The seed is the only randomness ([`rng::Rng`]).
//! - **No IO, no clock.** All time is external input: a simulated `u64` of milliseconds passed to
//!   [`Simulation::advance_to`]. Nothing here reads a wall clock or touches the web.
//! - **Commands in, events out.** Mutate with [`Simulation::handle_command`] and
//!   [`Simulation::advance_to`] (or [`Simulation::step`]); drain [`Simulation::poll_event`];
//!   read [`Simulation::snapshot`]. Events are totally ordered by (time, sequence number).
//! - **The saga is data.** A [`SagaDefinition`] is interpreted by one generic machine per
//!   coordination style: [`orchestration`] and [`choreography`].

pub mod choreography;
pub mod commit;
pub mod coordination;
#[doc(hidden)]
pub mod defect;
pub mod definition;
pub mod event;
pub mod fault;
pub mod history;
pub mod invariants;
pub mod matrix;
pub mod message;
pub mod notice;
pub mod orchestration;
pub mod presets;
pub mod rng;
pub mod run;
pub mod safeguard;
pub mod scenario;
pub mod shared;
pub mod sim;
pub mod snapshot;
pub mod tables;

pub use definition::{Operation, SagaDefinition, ServiceId, StepKind};
pub use event::{AttentionReason, Event, EventKind, Outcome};
pub use fault::{FaultKind, FaultSpec};
pub use invariants::{Invariant, Monitor, Violation};
pub use message::{SagaId, Task, TaskResult};
pub use scenario::{Command, Coordination, SagaSpec, Scenario, ScenarioError, Storage};
pub use sim::{CommandError, Simulation, StepStatus};
pub use snapshot::Snapshot;
