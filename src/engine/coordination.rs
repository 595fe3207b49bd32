//! The two coordination styles a saga can run under: the one setting every part of the engine
//! (faults, scenarios, both machines, the page) asks about, so it depends on nothing.

use serde::{Deserialize, Serialize};

/// How the saga's steps are coordinated.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Coordination {
    /// A central orchestrator with a durable saga log (AWS Step Functions style).
    #[default]
    Orchestration,
    /// Services react to each other's events over a bus (EventBridge / SNS / SQS style).
    Choreography,
}

impl Coordination {
    /// The stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Coordination::Orchestration => "orchestration",
            Coordination::Choreography => "choreography",
        }
    }
}
