//! The monitor folds a run's trace as it grows. Handed a different run (a trace shorter than what
//! it has folded), it starts again from that run's first event instead of carrying the old run's
//! sagas, money and violations over.

mod common;

use common::Harness;
use sagascope::engine::defect::Defect;
use sagascope::engine::invariants::Monitor;
use sagascope::engine::{Coordination, Simulation};

#[test]
fn a_monitor_handed_a_new_run_judges_that_run_alone() {
    let mut broken = Harness::preset("happy-path", Coordination::Orchestration);
    broken.sim.inject_defect(Defect::WithholdOutcome);
    broken.drive();
    let mut monitor = Monitor::new();
    assert!(
        !monitor.observe(&broken.sim).is_empty(),
        "the first run breaks an invariant"
    );
    let fresh = Harness::preset("happy-path", Coordination::Orchestration).sim;
    assert!(fresh.trace().len() < broken.sim.trace().len());
    assert_eq!(
        monitor.observe(&fresh),
        vec![],
        "the new run has broken nothing"
    );
    let mut played: Simulation = fresh.clone();
    while played.step() {
        assert_eq!(monitor.observe(&played), vec![], "nor as it plays");
    }
}
