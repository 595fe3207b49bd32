//! The failures the page offers for the customers of a saga run booked as transactions, and
//! the commit scenario they make.

use super::{
    CommitError, CommitFault, CommitScenario, CommitSim, Protocol, Request, Trigger, MAX_REQUESTS,
};
use crate::engine::definition::ServiceId;
use crate::engine::scenario::Scenario;

/// A failure for the customers of a saga run booked as transactions (the page's 2PC / 3PC
/// view offers these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitPlan {
    /// Nothing goes wrong.
    #[default]
    NoFailure,
    /// The coordinator crashes once it has the first transaction's votes, and is back 10 s
    /// later.
    CrashAfterVotes,
    /// The same, and it never comes back.
    CrashForGood,
    /// Payment and Calendar are cut off from the coordinator and Reservation for good, after
    /// the votes (2PC) or the first pre-commit (3PC) of the first transaction.
    Partition,
}

impl CommitPlan {
    /// Every plan, in the switch's order.
    pub const ALL: [CommitPlan; 4] = [
        CommitPlan::NoFailure,
        CommitPlan::CrashAfterVotes,
        CommitPlan::CrashForGood,
        CommitPlan::Partition,
    ];

    /// Its short name, in links and markup.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitPlan::NoFailure => "none",
            CommitPlan::CrashAfterVotes => "crash",
            CommitPlan::CrashForGood => "crash-for-good",
            CommitPlan::Partition => "partition",
        }
    }

    /// Reads a short name.
    pub fn parse(text: &str) -> Option<CommitPlan> {
        CommitPlan::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// What happens, for the switch's tooltip.
    pub fn description(self) -> &'static str {
        match self {
            CommitPlan::NoFailure => "Nothing goes wrong",
            CommitPlan::CrashAfterVotes => "The coordinator crashes once it has the first booking's votes, before it logs a decision, and is back 10 s later",
            CommitPlan::CrashForGood => "The coordinator crashes once it has the first booking's votes, before it logs a decision, and never comes back",
            CommitPlan::Partition => "Payment and Calendar are cut off from the coordinator and Reservation after the first booking's votes (2PC) or first pre-commit (3PC)",
        }
    }

    /// The switch's label.
    pub fn label(self) -> &'static str {
        match self {
            CommitPlan::NoFailure => "No failure",
            CommitPlan::CrashAfterVotes => "Coordinator crash, back in 10 s",
            CommitPlan::CrashForGood => "Coordinator crash, never back",
            CommitPlan::Partition => "Partition",
        }
    }
}

/// How long a commit run is followed: a blocked one stays blocked.
pub const COMMIT_HORIZON_MS: u64 = 60_000;

/// The run's customers as transactions of `protocol` meeting `plan`, run to the horizon.
pub fn commit_run(
    saga: &Scenario,
    protocol: Protocol,
    plan: CommitPlan,
) -> Result<CommitSim, CommitError> {
    let mut sim = CommitSim::new(commit_scenario(saga, protocol, plan))?;
    sim.drive(COMMIT_HORIZON_MS);
    Ok(sim)
}

/// The run's customers (who, which slot, when) as transactions of `protocol` meeting `plan`.
pub fn commit_scenario(saga: &Scenario, protocol: Protocol, plan: CommitPlan) -> CommitScenario {
    let requests = saga
        .sagas
        .iter()
        .take(MAX_REQUESTS)
        .map(|s| Request {
            customer: s.customer.clone(),
            slot: s.slot.clone(),
            start_ms: s.start_ms,
        })
        .collect();
    let mut scenario = CommitScenario::new(protocol, requests);
    let after_votes = Trigger::AllVotesIn { txn: 0 };
    let fault = match plan {
        CommitPlan::NoFailure => None,
        CommitPlan::CrashAfterVotes => Some(CommitFault::CoordinatorCrash {
            when: after_votes,
            for_ms: Some(10_000),
        }),
        CommitPlan::CrashForGood => Some(CommitFault::CoordinatorCrash {
            when: after_votes,
            for_ms: None,
        }),
        CommitPlan::Partition => Some(CommitFault::Partition {
            isolated: vec![ServiceId::Payment, ServiceId::Calendar],
            when: match protocol {
                Protocol::TwoPhase => after_votes,
                Protocol::ThreePhase => Trigger::FirstPreCommitSent { txn: 0 },
            },
            for_ms: None,
        }),
    };
    scenario.faults.extend(fault);
    scenario
}
