//! The reservation as one distributed transaction: two-phase commit blocks when its
//! coordinator crashes after the votes, three-phase commit does not but splits under a
//! partition, and the monitor (which reads only the trace) says which guarantee broke.

use sagascope::engine::commit::monitor::{check, figures, CommitInvariant, TxOutcome};
use sagascope::engine::commit::{
    CommitEventKind, CommitFault, CommitScenario, CommitSim, Decider, LogRecord, ParticipantState,
    Protocol, Request, Trigger, PARTICIPANTS,
};
use sagascope::engine::ServiceId;

const HORIZON: u64 = 120_000;

fn ada() -> Vec<Request> {
    vec![Request::new("Ada", "Fri 19:30")]
}

fn run(scenario: CommitScenario) -> CommitSim {
    let mut sim = CommitSim::new(scenario).expect("valid");
    sim.drive(HORIZON);
    sim
}

fn outcomes(sim: &CommitSim) -> Vec<TxOutcome> {
    figures(sim.trace(), sim.scenario().requests.len()).outcomes
}

fn crash_after_votes(protocol: Protocol, for_ms: Option<u64>) -> CommitScenario {
    let mut s = CommitScenario::new(protocol, ada());
    s.faults.push(CommitFault::CoordinatorCrash {
        when: Trigger::AllVotesIn { txn: 0 },
        for_ms,
    });
    s
}

#[test]
fn with_no_failure_every_participant_commits_and_the_customer_is_told_after() {
    for protocol in Protocol::ALL {
        let sim = run(CommitScenario::new(protocol, ada()));
        assert!(sim.at_rest(), "{protocol:?}");
        for p in PARTICIPANTS {
            assert_eq!(sim.state(p, 0), ParticipantState::Committed, "{protocol:?}");
            assert!(sim.locks(p).is_empty(), "{protocol:?}: locks released");
        }
        assert_eq!(outcomes(&sim), vec![TxOutcome::Committed]);
        assert!(check(protocol, sim.trace()).is_empty());
        // Notification takes no part: it is told once every participant has acknowledged.
        let told = sim
            .trace()
            .iter()
            .position(|e| {
                matches!(
                    e.kind,
                    CommitEventKind::CustomerNotified { committed: true }
                )
            })
            .expect("the customer is told");
        let last_decision = sim
            .trace()
            .iter()
            .rposition(|e| matches!(e.kind, CommitEventKind::Decided { .. }))
            .expect("decisions");
        assert!(told > last_decision, "{protocol:?}");
    }
    // 2PC: prepare, vote and decision, ack: 4 messages per participant; 3PC adds a round.
    let two = figures(
        run(CommitScenario::new(Protocol::TwoPhase, ada())).trace(),
        1,
    );
    let three = figures(
        run(CommitScenario::new(Protocol::ThreePhase, ada())).trace(),
        1,
    );
    assert_eq!(two.messages, 12);
    assert_eq!(three.messages, 18);
    assert!(three.finished_ms > two.finished_ms);
}

#[test]
fn one_no_vote_aborts_every_participant() {
    for protocol in Protocol::ALL {
        let mut s = CommitScenario::new(protocol, ada());
        s.faults.push(CommitFault::VoteNo {
            participant: ServiceId::Calendar,
            txn: 0,
        });
        let sim = run(s);
        for p in PARTICIPANTS {
            assert_eq!(
                sim.state(p, 0),
                ParticipantState::Aborted,
                "{protocol:?} {p:?}"
            );
            assert!(sim.locks(p).is_empty());
        }
        assert!(check(protocol, sim.trace()).is_empty(), "{protocol:?}");
    }
}

#[test]
fn two_phase_blocks_with_locks_held_while_the_coordinator_is_down_after_the_votes() {
    let sim = run(crash_after_votes(Protocol::TwoPhase, None));
    assert!(!sim.coordinator_up());
    assert!(sim.at_rest(), "nothing more can happen");
    for p in PARTICIPANTS {
        assert_eq!(
            sim.state(p, 0),
            ParticipantState::Uncertain,
            "{p:?} in doubt"
        );
        assert_eq!(sim.locks(p).len(), 1, "{p:?} still holds its lock");
    }
    assert_eq!(outcomes(&sim), vec![TxOutcome::Blocked]);
    // Blocked, but no guarantee broken: that is the lesson, not a bug.
    assert!(check(Protocol::TwoPhase, sim.trace()).is_empty());
    // No decision was ever logged.
    assert!(!sim
        .log()
        .iter()
        .any(|(_, r)| matches!(r, LogRecord::Decision { .. })));
}

#[test]
fn two_phase_recovers_by_presumed_abort_once_the_coordinator_is_back() {
    let sim = run(crash_after_votes(Protocol::TwoPhase, Some(10_000)));
    for p in PARTICIPANTS {
        assert_eq!(sim.state(p, 0), ParticipantState::Aborted, "{p:?}");
        assert!(sim.locks(p).is_empty());
    }
    let f = figures(sim.trace(), 1);
    // Each participant sat in doubt for the whole outage.
    assert!(f.in_doubt_ms >= 3 * 10_000, "{f:?}");
    assert!(check(Protocol::TwoPhase, sim.trace()).is_empty());
}

#[test]
fn another_customer_waits_for_the_slot_a_blocked_transaction_holds() {
    let mut s = crash_after_votes(Protocol::TwoPhase, Some(8_000));
    s.requests.push(Request {
        start_ms: 500,
        ..Request::new("Grace", "Fri 19:30")
    });
    let sim = run(s);
    let waited = sim.trace().iter().find(|e| {
        matches!(
            &e.kind,
            CommitEventKind::LockWaited {
                participant: ServiceId::Calendar,
                holder: 0,
                ..
            }
        ) && e.txn == Some(1)
    });
    assert!(waited.is_some(), "Grace waits for Ada's slot");
    let f = figures(sim.trace(), 2);
    assert!(f.blocked_ms > 0, "{f:?}");
    assert!(check(Protocol::TwoPhase, sim.trace()).is_empty());
}

#[test]
fn three_phase_does_not_block_when_the_coordinator_crashes() {
    for trigger in [
        Trigger::AllVotesIn { txn: 0 },
        Trigger::FirstPreCommitSent { txn: 0 },
    ] {
        let mut s = CommitScenario::new(Protocol::ThreePhase, ada());
        s.faults.push(CommitFault::CoordinatorCrash {
            when: trigger,
            for_ms: None,
        });
        let sim = run(s);
        assert!(!sim.coordinator_up());
        let expected = match trigger {
            // Nobody pre-committed: the termination aborts.
            Trigger::AllVotesIn { .. } => ParticipantState::Aborted,
            // Reservation pre-committed: the termination commits.
            _ => ParticipantState::Committed,
        };
        for p in PARTICIPANTS {
            assert_eq!(sim.state(p, 0), expected, "{trigger:?} {p:?}");
            assert!(sim.locks(p).is_empty(), "{trigger:?}: no lock held");
        }
        assert!(sim.trace().iter().any(|e| matches!(
            e.kind,
            CommitEventKind::Decided {
                by: Decider::Termination(ServiceId::Reservation),
                ..
            }
        )));
        assert!(
            check(Protocol::ThreePhase, sim.trace()).is_empty(),
            "{trigger:?}"
        );
    }
}

#[test]
fn three_phase_splits_under_a_partition_and_the_monitor_says_so() {
    let mut s = CommitScenario::new(Protocol::ThreePhase, ada());
    // Reservation has its pre-commit; Payment and Calendar are cut off before theirs arrive.
    s.faults.push(CommitFault::Partition {
        isolated: vec![ServiceId::Payment, ServiceId::Calendar],
        when: Trigger::FirstPreCommitSent { txn: 0 },
        for_ms: None,
    });
    let sim = run(s);
    assert_eq!(
        sim.state(ServiceId::Reservation, 0),
        ParticipantState::Committed
    );
    assert_eq!(sim.state(ServiceId::Payment, 0), ParticipantState::Aborted);
    assert_eq!(sim.state(ServiceId::Calendar, 0), ParticipantState::Aborted);
    assert_eq!(outcomes(&sim), vec![TxOutcome::Split]);
    let broken = check(Protocol::ThreePhase, sim.trace());
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0].invariant, CommitInvariant::Atomicity);
    assert!(
        broken[0].detail.contains("committed"),
        "{}",
        broken[0].detail
    );
    // The same partition under 2PC blocks the cut-off side instead of splitting.
    let mut s = CommitScenario::new(Protocol::TwoPhase, ada());
    s.faults.push(CommitFault::Partition {
        isolated: vec![ServiceId::Payment, ServiceId::Calendar],
        when: Trigger::AllVotesIn { txn: 0 },
        for_ms: None,
    });
    let sim = run(s);
    assert_eq!(
        sim.state(ServiceId::Reservation, 0),
        ParticipantState::Committed
    );
    assert_eq!(
        sim.state(ServiceId::Payment, 0),
        ParticipantState::Uncertain
    );
    assert_eq!(outcomes(&sim), vec![TxOutcome::Blocked]);
    assert!(check(Protocol::TwoPhase, sim.trace()).is_empty());
}

#[test]
fn the_monitor_reads_the_trace_and_catches_each_broken_guarantee() {
    let sim = run(CommitScenario::new(Protocol::TwoPhase, ada()));
    let clean = sim.trace().to_vec();
    assert!(check(Protocol::TwoPhase, &clean).is_empty());

    // Atomicity: one participant's decision flipped.
    let mut t = clean.clone();
    let at = t
        .iter()
        .rposition(|e| matches!(e.kind, CommitEventKind::Decided { .. }))
        .expect("a decision");
    if let CommitEventKind::Decided { commit, .. } = &mut t[at].kind {
        *commit = false;
    }
    let kinds: Vec<_> = check(Protocol::TwoPhase, &t)
        .iter()
        .map(|v| v.invariant)
        .collect();
    assert!(kinds.contains(&CommitInvariant::Atomicity), "{kinds:?}");

    // Deciding alone: a yes voter commits on a termination in 2PC.
    let mut t = clean.clone();
    if let CommitEventKind::Decided { by, .. } = &mut t[at].kind {
        *by = Decider::Termination(ServiceId::Calendar);
    }
    let kinds: Vec<_> = check(Protocol::TwoPhase, &t)
        .iter()
        .map(|v| v.invariant)
        .collect();
    assert_eq!(kinds, vec![CommitInvariant::NoDecidingAlone]);

    // A lock released before the decision: move a release ahead of its participant's decision.
    let mut t = clean.clone();
    let release = t
        .iter()
        .position(|e| matches!(e.kind, CommitEventKind::LockReleased { .. }))
        .expect("a release");
    let decision = release - 1;
    assert!(matches!(t[decision].kind, CommitEventKind::Decided { .. }));
    t.swap(release, decision);
    let kinds: Vec<_> = check(Protocol::TwoPhase, &t)
        .iter()
        .map(|v| v.invariant)
        .collect();
    assert!(
        kinds.contains(&CommitInvariant::LocksHeldUntilDecided),
        "{kinds:?}"
    );

    // Two holders: a second transaction's take of a held lock.
    let mut two = CommitScenario::new(Protocol::TwoPhase, ada());
    two.requests.push(Request {
        start_ms: 100,
        ..Request::new("Grace", "Fri 19:30")
    });
    let sim = run(two);
    let mut t = sim.trace().to_vec();
    assert!(check(Protocol::TwoPhase, &t).is_empty());
    let wait = t
        .iter()
        .position(|e| matches!(e.kind, CommitEventKind::LockWaited { .. }))
        .expect("Grace waits");
    if let CommitEventKind::LockWaited {
        participant,
        resource,
        ..
    } = t[wait].kind.clone()
    {
        t[wait].kind = CommitEventKind::LockTaken {
            participant,
            resource,
        };
    }
    let kinds: Vec<_> = check(Protocol::TwoPhase, &t)
        .iter()
        .map(|v| v.invariant)
        .collect();
    assert!(kinds.contains(&CommitInvariant::LockExclusive), "{kinds:?}");
}

#[test]
fn same_scenario_same_trace() {
    for protocol in Protocol::ALL {
        let mut s = crash_after_votes(protocol, Some(5_000));
        s.requests.push(Request {
            start_ms: 300,
            ..Request::new("Grace", "Fri 19:30")
        });
        assert_eq!(run(s.clone()).trace(), run(s).trace());
    }
}

#[test]
fn a_scenario_that_names_what_does_not_exist_is_refused() {
    let mut s = CommitScenario::new(Protocol::TwoPhase, ada());
    s.faults.push(CommitFault::VoteNo {
        participant: ServiceId::Notification,
        txn: 0,
    });
    assert!(CommitSim::new(s).is_err());
    let mut s = CommitScenario::new(Protocol::TwoPhase, ada());
    s.faults.push(CommitFault::CoordinatorCrash {
        when: Trigger::AllVotesIn { txn: 3 },
        for_ms: None,
    });
    assert!(CommitSim::new(s).is_err());
    assert!(CommitSim::new(CommitScenario::new(Protocol::TwoPhase, vec![])).is_err());
}
