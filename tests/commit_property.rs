//! Random schedules for each commit protocol (crashes of the coordinator at any time or point,
//! no votes, partitions of any participants): 2PC never breaks a guarantee and blocks only
//! while a failure lasts for good; 3PC never blocks and breaks atomicity only under a
//! partition. Both lessons are asserted to happen, not only allowed.

use sagascope::engine::commit::monitor::{check, figures, CommitInvariant, TxOutcome};
use sagascope::engine::commit::{
    CommitFault, CommitScenario, CommitSim, Protocol, Request, Trigger, PARTICIPANTS,
};
use sagascope::engine::rng::Rng;

/// Schedules per protocol (`SAGASCOPE_COMMIT_SCHEDULES` for a longer run).
fn schedules() -> u64 {
    std::env::var("SAGASCOPE_COMMIT_SCHEDULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

const HORIZON: u64 = 300_000;

fn random_scenario(protocol: Protocol, seed: u64) -> CommitScenario {
    let mut rng = Rng::new(seed);
    let customers = ["Ada", "Grace", "Lin"];
    let slots = ["Fri 19:30", "Sat 20:00"];
    let requests: Vec<Request> = (0..1 + rng.index(4))
        .map(|_| Request {
            start_ms: rng.up_to(3_000),
            ..Request::new(customers[rng.index(3)], slots[rng.index(2)])
        })
        .collect();
    let count = requests.len();
    let mut s = CommitScenario::new(protocol, requests);
    let trigger = |rng: &mut Rng| match rng.index(3) {
        0 => Trigger::At {
            ms: rng.up_to(6_000),
        },
        1 => Trigger::AllVotesIn {
            txn: rng.index(count),
        },
        _ => Trigger::FirstPreCommitSent {
            txn: rng.index(count),
        },
    };
    let lasting = |rng: &mut Rng| (!rng.chance(25)).then(|| 500 + rng.up_to(15_000));
    if rng.chance(50) {
        let when = trigger(&mut rng);
        let for_ms = lasting(&mut rng);
        s.faults
            .push(CommitFault::CoordinatorCrash { when, for_ms });
    }
    if rng.chance(30) {
        s.faults.push(CommitFault::VoteNo {
            participant: PARTICIPANTS[rng.index(3)],
            txn: rng.index(count),
        });
    }
    if rng.chance(40) {
        let mut isolated: Vec<_> = PARTICIPANTS
            .into_iter()
            .filter(|_| rng.chance(50))
            .collect();
        if isolated.is_empty() {
            isolated.push(PARTICIPANTS[rng.index(3)]);
        }
        let when = trigger(&mut rng);
        let for_ms = lasting(&mut rng);
        s.faults.push(CommitFault::Partition {
            isolated,
            when,
            for_ms,
        });
    }
    s
}

fn lasts_for_good(s: &CommitScenario) -> bool {
    s.faults.iter().any(|f| {
        matches!(
            f,
            CommitFault::CoordinatorCrash { for_ms: None, .. }
                | CommitFault::Partition { for_ms: None, .. }
        )
    })
}

fn partitioned(s: &CommitScenario) -> bool {
    s.faults
        .iter()
        .any(|f| matches!(f, CommitFault::Partition { .. }))
}

#[test]
fn two_phase_commit_keeps_every_guarantee_and_blocks_only_while_a_failure_lasts() {
    let (mut blocked, mut committed, mut aborted, mut unbegun) = (0, 0, 0, 0);
    for seed in 0..schedules() {
        let s = random_scenario(Protocol::TwoPhase, seed);
        let mut sim = CommitSim::new(s.clone()).expect("valid");
        sim.drive(HORIZON);
        let broken = check(Protocol::TwoPhase, sim.trace());
        assert!(broken.is_empty(), "schedule {seed}: {broken:?}\n{s:?}");
        for outcome in figures(sim.trace(), s.requests.len()).outcomes {
            match outcome {
                TxOutcome::Committed => committed += 1,
                TxOutcome::Aborted => aborted += 1,
                TxOutcome::Blocked => {
                    assert!(lasts_for_good(&s), "schedule {seed} blocked\n{s:?}");
                    blocked += 1;
                }
                // Some participant never heard of it: the coordinator went down, or the
                // participant was cut off, for good. It holds nothing for it.
                TxOutcome::Undecided if lasts_for_good(&s) => unbegun += 1,
                other => panic!("schedule {seed}: {other:?}\n{s:?}"),
            }
        }
    }
    assert!(
        blocked > 0,
        "a coordinator down for good must block someone"
    );
    println!(
        "figures: 2PC, {} random schedules: 0 violations; transactions committed {committed}, aborted {aborted}, blocked {blocked} (each under a failure that lasts), never heard of by a participant cut off for good {unbegun}",
        schedules()
    );
}

#[test]
fn three_phase_commit_never_blocks_and_splits_only_under_a_partition() {
    let (mut split, mut committed, mut aborted, mut unbegun) = (0, 0, 0, 0);
    for seed in 0..schedules() {
        let s = random_scenario(Protocol::ThreePhase, seed);
        let mut sim = CommitSim::new(s.clone()).expect("valid");
        sim.drive(HORIZON);
        let broken = check(Protocol::ThreePhase, sim.trace());
        for v in &broken {
            assert_eq!(
                v.invariant,
                CommitInvariant::Atomicity,
                "schedule {seed}: {v:?}"
            );
            assert!(
                partitioned(&s),
                "schedule {seed} split with no partition\n{s:?}"
            );
        }
        for outcome in figures(sim.trace(), s.requests.len()).outcomes {
            match outcome {
                TxOutcome::Committed => committed += 1,
                TxOutcome::Aborted => aborted += 1,
                TxOutcome::Split => split += 1,
                TxOutcome::Undecided if lasts_for_good(&s) => unbegun += 1,
                other => panic!("schedule {seed}: {other:?}\n{s:?}"),
            }
        }
    }
    assert!(split > 0, "some partition must split a transaction");
    println!(
        "figures: 3PC, {} random schedules: atomicity broken only under partitions ({split} transactions split); committed {committed}, aborted {aborted}, never heard of by a participant cut off for good {unbegun}, none blocked",
        schedules()
    );
}
