//! The lessons' facts about atomic commit (2PC / 3PC) are read from the commit trace by the
//! lessons' own code. Here they are compared, for every preset, protocol and failure, with the
//! commit monitor's independent reading of the same runs (its outcomes and broken guarantees),
//! and each is shown to fail on a trace that contradicts it.

mod common;

use common::STYLES;
use sagascope::engine::commit::monitor::{self, CommitInvariant, TxOutcome};
use sagascope::engine::commit::{commit_run, CommitPlan, Protocol};
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::{Simulation, Storage};
use sagascope::lesson::Fact;

#[test]
fn the_commit_facts_agree_with_the_commit_monitor_everywhere() {
    let mut seen = [0usize; 3];
    for preset in PRESETS.iter() {
        let style = preset.only.unwrap_or(STYLES[0]);
        let scenario = presets::scenario(preset.id, style, Storage::PerService, 1).expect("preset");
        let sim = Simulation::new(scenario.clone()).expect("valid");
        for protocol in Protocol::ALL {
            for failure in CommitPlan::ALL {
                let Ok(commit) = commit_run(&scenario, protocol, failure) else {
                    continue;
                };
                let trace = commit.trace();
                let figures = monitor::figures(trace, commit.scenario().requests.len());
                let broken = monitor::check(protocol, trace);
                let blocked = figures.outcomes.contains(&TxOutcome::Blocked);
                let split = broken
                    .iter()
                    .any(|v| v.invariant == CommitInvariant::Atomicity);
                // The monitor's "blocked": a participant that voted yes still waits.
                let none_in_doubt = !blocked;
                let place = format!("{} {protocol:?} {failure:?}", preset.id);
                assert_eq!(
                    Fact::CommitBlocks { protocol, failure }.holds(&sim),
                    blocked,
                    "{place}"
                );
                assert_eq!(
                    Fact::CommitSplits { protocol, failure }.holds(&sim),
                    split,
                    "{place}"
                );
                assert_eq!(
                    Fact::CommitNoneInDoubt { protocol, failure }.holds(&sim),
                    none_in_doubt,
                    "{place}"
                );
                seen[0] += usize::from(blocked);
                seen[1] += usize::from(split);
                seen[2] += usize::from(none_in_doubt);
            }
        }
    }
    assert!(
        seen.iter().all(|&n| n > 0),
        "each fact both holds and fails somewhere: {seen:?}"
    );
}

#[test]
fn what_the_atomic_commit_lesson_teaches_holds_of_its_run() {
    let sim = Simulation::new(
        presets::scenario("happy-path", STYLES[0], Storage::PerService, 1).expect("preset"),
    )
    .expect("valid");
    use CommitPlan::*;
    use Protocol::*;
    // 2PC blocks when the coordinator is gone after the votes; 3PC's termination decides.
    assert!(Fact::CommitBlocks {
        protocol: TwoPhase,
        failure: CrashForGood
    }
    .holds(&sim));
    assert!(!Fact::CommitBlocks {
        protocol: ThreePhase,
        failure: CrashForGood
    }
    .holds(&sim));
    assert!(Fact::CommitNoneInDoubt {
        protocol: ThreePhase,
        failure: CrashForGood
    }
    .holds(&sim));
    // A coordinator back in 10 s ends the wait; a partition splits 3PC but only blocks 2PC.
    assert!(!Fact::CommitBlocks {
        protocol: TwoPhase,
        failure: CrashAfterVotes
    }
    .holds(&sim));
    assert!(Fact::CommitSplits {
        protocol: ThreePhase,
        failure: Partition
    }
    .holds(&sim));
    assert!(!Fact::CommitSplits {
        protocol: TwoPhase,
        failure: Partition
    }
    .holds(&sim));
    assert!(!Fact::CommitSplits {
        protocol: TwoPhase,
        failure: NoFailure
    }
    .holds(&sim));
}
