//! Every single fault and every pair of faults, both styles: no invariant breaks.

use sagascope::engine::matrix::{combinations, run_matrix};
use sagascope::engine::run::Watch;
use sagascope::engine::Coordination;

#[test]
fn the_fault_matrix_breaks_no_invariant() {
    let rows = run_matrix(Watch::EveryEvent);
    let expected = combinations(Coordination::Orchestration).len()
        + combinations(Coordination::Choreography).len();
    assert_eq!(rows.len(), expected);
    assert!(rows.len() > 1_000, "pairs included: {}", rows.len());
    let broken: Vec<_> = rows.iter().filter(|r| !r.broken.is_empty()).collect();
    assert!(
        broken.is_empty(),
        "{} runs broke invariants, e.g. {:?}",
        broken.len(),
        broken.first()
    );
    println!(
        "figures: fault matrix (every single fault and pair, both styles), {} runs, 0 violations",
        rows.len()
    );
}

#[test]
fn the_matrix_sees_every_outcome() {
    let rows = run_matrix(Watch::AtEnd);
    for outcome in ["completed", "compensated", "rollback-incomplete"] {
        assert!(
            rows.iter().any(|r| r.outcome.as_str() == outcome),
            "no run ended {outcome}"
        );
    }
}
