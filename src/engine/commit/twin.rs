//! The saga under the same failure as a commit run: the page's saga scenario with the failure
//! of a [`CommitPlan`] struck at the moment it struck the transactions, so that the comparison
//! puts the two side by side on one seed, one failure and one clock.
//!
//! What the failure is for a saga: a coordinator crash is an orchestrator crash of the same
//! length (choreography has no coordinator to crash); a partition that cuts Payment and
//! Calendar off is, for the saga's services, Payment and Calendar out of reach for as long.

use super::{CommitEvent, CommitEventKind, CommitPlan};
use crate::engine::definition::ServiceId;
use crate::engine::fault::FaultSpec;
use crate::engine::scenario::{Command, Coordination, Scenario, ScheduledCommand};

/// The failure a saga meets in place of the commit run's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SagaFailure {
    /// When it strikes (ms), as it struck the transactions.
    pub at_ms: u64,
    /// The faults it injects then.
    pub faults: Vec<FaultSpec>,
    /// How long it lasts (ms); `None`: as the commit run's, for good (to the horizon).
    pub lasts_ms: Option<u64>,
}

/// The saga's counterpart of the failure `plan` put on the commit run whose trace is `trace`,
/// lasting until `horizon_ms` if the commit run's never ends; `None` when nothing struck (no
/// failure, or not yet) or the saga has nothing it could strike (a crash, in choreography).
pub fn saga_failure(
    saga: &Scenario,
    plan: CommitPlan,
    trace: &[CommitEvent],
    horizon_ms: u64,
) -> Option<SagaFailure> {
    let (began, ended) = match plan {
        CommitPlan::NoFailure => return None,
        CommitPlan::CrashAfterVotes | CommitPlan::CrashForGood => (
            first(trace, |k| matches!(k, CommitEventKind::CoordinatorCrashed))?,
            first(trace, |k| {
                matches!(k, CommitEventKind::CoordinatorRecovered)
            }),
        ),
        CommitPlan::Partition => (
            first(trace, |k| {
                matches!(k, CommitEventKind::PartitionBegan { .. })
            })?,
            first(trace, |k| matches!(k, CommitEventKind::PartitionHealed)),
        ),
    };
    let for_ms = ended.unwrap_or(horizon_ms).max(began) - began;
    let faults = match plan {
        CommitPlan::Partition => [ServiceId::Payment, ServiceId::Calendar]
            .into_iter()
            .map(|service| FaultSpec::ServiceDown { service, for_ms })
            .collect(),
        _ if saga.coordination == Coordination::Orchestration => {
            vec![FaultSpec::OrchestratorDown { for_ms }]
        }
        _ => return None,
    };
    Some(SagaFailure {
        at_ms: began,
        faults,
        lasts_ms: ended.map(|_| for_ms),
    })
}

/// `saga` with `failure` scheduled: the scenario of the saga under the same failure.
pub fn saga_under(saga: &Scenario, failure: &SagaFailure) -> Scenario {
    let mut twin = saga.clone();
    for fault in &failure.faults {
        twin.commands.push(ScheduledCommand {
            at_ms: failure.at_ms,
            command: Command::InjectFault {
                fault: fault.clone(),
            },
        });
    }
    // Commands run in time order; those at the same moment in the order given.
    twin.commands.sort_by_key(|c| c.at_ms);
    twin
}

fn first(trace: &[CommitEvent], pick: impl Fn(&CommitEventKind) -> bool) -> Option<u64> {
    trace.iter().find(|e| pick(&e.kind)).map(|e| e.at_ms)
}
