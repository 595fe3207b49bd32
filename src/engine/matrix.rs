//! The fault matrix: every single fault and every pair of faults over the restaurant saga, in
//! both coordination styles.

use serde::Serialize;

use super::definition::ServiceId;
use super::event::Outcome;
use super::fault::{FaultKind, FaultSpec};
use super::run::{run_to_rest, Watch};
use super::scenario::{Coordination, SagaSpec, Scenario};
use super::sim::Simulation;

/// The faults the matrix combines: one of each kind at each place it applies, in the order of
/// [`FaultKind::ALL`].
pub fn catalog() -> Vec<FaultSpec> {
    FaultKind::ALL.into_iter().flat_map(of_kind).collect()
}

/// The matrix's faults of one kind. The match has no catch-all arm: a new kind does not compile
/// until the matrix says how it tries it.
fn of_kind(kind: FaultKind) -> Vec<FaultSpec> {
    match kind {
        FaultKind::BusinessFailure => (2..=4)
            .map(|step| FaultSpec::BusinessFailure { step, saga: None })
            .collect(),
        FaultKind::TransientError => (1..=5)
            .map(|step| FaultSpec::TransientError {
                step,
                times: 2,
                saga: None,
            })
            .collect(),
        FaultKind::NoReply => (1..=5)
            .map(|step| FaultSpec::NoReply {
                step,
                times: 1,
                saga: None,
            })
            .collect(),
        FaultKind::Ambiguous => (1..=5)
            .map(|step| FaultSpec::Ambiguous {
                step,
                times: 1,
                saga: None,
            })
            .collect(),
        FaultKind::CompensationFails => (1..=3)
            .map(|step| FaultSpec::CompensationFails {
                step,
                times: Some(2),
                saga: None,
            })
            .chain([FaultSpec::CompensationFails {
                step: 2,
                times: None,
                saga: None,
            }])
            .collect(),
        FaultKind::Latency => ServiceId::ALL
            .map(|service| FaultSpec::Latency {
                service,
                extra_ms: 2_500,
            })
            .to_vec(),
        FaultKind::ServiceDown => ServiceId::ALL
            .map(|service| FaultSpec::ServiceDown {
                service,
                for_ms: 4_000,
            })
            .to_vec(),
        FaultKind::DatabaseDown => ServiceId::ALL
            .map(|service| FaultSpec::DatabaseDown {
                service,
                for_ms: 3_000,
            })
            .to_vec(),
        FaultKind::OrchestratorDown => vec![FaultSpec::OrchestratorDown { for_ms: 3_000 }],
        FaultKind::Drop => vec![FaultSpec::Drop {
            service: None,
            times: 2,
        }],
        FaultKind::Duplicate => vec![FaultSpec::Duplicate {
            service: None,
            times: 2,
        }],
        FaultKind::Delay => vec![FaultSpec::Delay {
            service: None,
            extra_ms: 3_000,
            times: 2,
        }],
        FaultKind::Reorder => vec![FaultSpec::Reorder {
            service: None,
            times: 3,
        }],
        FaultKind::Poison => vec![FaultSpec::Poison {
            service: ServiceId::Payment,
        }],
        FaultKind::CrashAfterCommit => vec![FaultSpec::CrashAfterCommit {
            service: ServiceId::Payment,
            times: 1,
        }],
        FaultKind::Chaos => vec![FaultSpec::Chaos {
            percent: 20,
            for_ms: 5_000,
        }],
    }
}

/// One run of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    /// The faults, described.
    pub faults: Vec<String>,
    /// The style.
    pub coordination: Coordination,
    /// The outcome.
    pub outcome: Outcome,
    /// Events in the run.
    pub events: usize,
    /// Broken invariants (numbers).
    pub broken: Vec<u8>,
}

/// Every fault combination of size 1 and 2 for one style (faults that do not apply to it are skipped).
pub fn combinations(coordination: Coordination) -> Vec<Vec<FaultSpec>> {
    let faults: Vec<FaultSpec> = catalog()
        .into_iter()
        .filter(|f| f.applies_to(coordination))
        .collect();
    let mut out: Vec<Vec<FaultSpec>> = faults.iter().map(|f| vec![f.clone()]).collect();
    for i in 0..faults.len() {
        for j in i + 1..faults.len() {
            out.push(vec![faults[i].clone(), faults[j].clone()]);
        }
    }
    out
}

/// Runs one combination; `watch` chooses how often the invariants are checked.
pub fn run_one(coordination: Coordination, faults: &[FaultSpec], watch: Watch) -> MatrixRow {
    let mut scenario = Scenario::new(vec![SagaSpec::new("Ada", "Fri 19:30 · table 4")]);
    scenario.coordination = coordination;
    scenario.faults = faults.to_vec();
    let faults_text = faults.iter().map(|f| f.describe(&scenario)).collect();
    match Simulation::new(scenario) {
        Ok(sim) => {
            // The monitor reads the trace: keep it.
            let mut sim = sim;
            let report = run_to_rest(&mut sim, watch, false);
            MatrixRow {
                faults: faults_text,
                coordination,
                outcome: report.outcome,
                events: report.events,
                broken: report
                    .invariants
                    .iter()
                    .filter(|i| !i.holds)
                    .map(|i| i.invariant)
                    .collect(),
            }
        }
        Err(_) => MatrixRow {
            faults: faults_text,
            coordination,
            outcome: Outcome::Running,
            events: 0,
            broken: vec![0],
        },
    }
}

/// The whole matrix, both styles.
pub fn run_matrix(watch: Watch) -> Vec<MatrixRow> {
    let mut rows = Vec::new();
    for coordination in [Coordination::Orchestration, Coordination::Choreography] {
        for faults in combinations(coordination) {
            rows.push(run_one(coordination, &faults, watch));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_tries_every_kind_in_every_style_it_applies_to() {
        for coordination in [Coordination::Orchestration, Coordination::Choreography] {
            let singles: Vec<FaultKind> = combinations(coordination)
                .iter()
                .filter(|c| c.len() == 1)
                .flat_map(|c| c.iter().map(FaultSpec::kind))
                .collect();
            for kind in FaultKind::ALL {
                assert_eq!(
                    singles.contains(&kind),
                    kind.applies_to(coordination),
                    "{kind} under {coordination:?}"
                );
            }
        }
    }

    #[test]
    fn every_fault_of_the_catalog_is_valid() {
        let scenario = Scenario::new(vec![SagaSpec::new("Ada", "Fri 19:30 · table 4")]);
        for fault in catalog() {
            assert_eq!(fault.validate(&scenario, "fault"), Ok(()), "{fault:?}");
        }
    }
}
