//! The fault matrix: every single fault and every pair of faults over the restaurant saga, in
//! both coordination styles.

use serde::Serialize;

use super::definition::ServiceId;
use super::event::Outcome;
use super::fault::FaultSpec;
use super::run::{run_to_rest, Watch};
use super::scenario::{Coordination, SagaSpec, Scenario};
use super::sim::Simulation;

/// The faults the matrix combines: one of each kind at each place it applies.
pub fn catalog() -> Vec<FaultSpec> {
    let mut faults = Vec::new();
    for step in 2..=4 {
        faults.push(FaultSpec::BusinessFailure { step, saga: None });
    }
    for step in 1..=5 {
        faults.push(FaultSpec::TransientError {
            step,
            times: 2,
            saga: None,
        });
        faults.push(FaultSpec::NoReply {
            step,
            times: 1,
            saga: None,
        });
        faults.push(FaultSpec::Ambiguous {
            step,
            times: 1,
            saga: None,
        });
    }
    for step in 1..=3 {
        faults.push(FaultSpec::CompensationFails {
            step,
            times: Some(2),
            saga: None,
        });
    }
    faults.push(FaultSpec::CompensationFails {
        step: 2,
        times: None,
        saga: None,
    });
    for service in ServiceId::ALL {
        faults.push(FaultSpec::ServiceDown {
            service,
            for_ms: 4_000,
        });
        faults.push(FaultSpec::DatabaseDown {
            service,
            for_ms: 3_000,
        });
        faults.push(FaultSpec::Latency {
            service,
            extra_ms: 2_500,
        });
    }
    faults.push(FaultSpec::OrchestratorDown { for_ms: 3_000 });
    faults.push(FaultSpec::Drop {
        service: None,
        times: 2,
    });
    faults.push(FaultSpec::Duplicate {
        service: None,
        times: 2,
    });
    faults.push(FaultSpec::Delay {
        service: None,
        extra_ms: 3_000,
        times: 2,
    });
    faults.push(FaultSpec::Reorder {
        service: None,
        times: 3,
    });
    faults.push(FaultSpec::Poison {
        service: ServiceId::Payment,
    });
    faults
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
