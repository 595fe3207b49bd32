//! Database per service versus one shared database: the blast radius of a database outage.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::event::{EventKind, FailReason};
use sagascope::engine::scenario::ScheduledCommand;
use sagascope::engine::{Command, FaultSpec, Outcome, ServiceId, Storage};

fn failed_services(h: &Harness) -> Vec<ServiceId> {
    let mut v: Vec<ServiceId> = h
        .sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::TaskFailed {
                service,
                reason: FailReason::DatabaseDown,
                ..
            } => Some(service),
            _ => None,
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn database_down_for_long(style: sagascope::engine::Coordination, storage: Storage) -> Harness {
    let mut scenario =
        sagascope::engine::presets::scenario("happy-path", style, storage, 0).expect("preset");
    scenario.commands.push(ScheduledCommand {
        at_ms: 100,
        command: Command::InjectFault {
            fault: FaultSpec::DatabaseDown {
                service: ServiceId::Payment,
                for_ms: 2_500,
            },
        },
    });
    let mut h = Harness::new(scenario);
    h.drive();
    h
}

#[test]
fn per_service_a_database_outage_stops_only_its_service() {
    for style in STYLES {
        let h = database_down_for_long(style, Storage::PerService);
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        let failed = failed_services(&h);
        assert!(
            failed.iter().all(|s| *s == ServiceId::Payment),
            "{style:?}: {failed:?}"
        );
    }
}

#[test]
fn shared_database_outage_stops_every_service() {
    for style in STYLES {
        let h = database_down_for_long(style, Storage::Shared);
        h.assert_invariants_hold();
        assert_eq!(h.outcome(0), Outcome::Completed, "{style:?}");
        let failed = failed_services(&h);
        assert!(
            failed.contains(&ServiceId::Reservation),
            "{style:?}: the first step fails too: {failed:?}"
        );
        let downs: Vec<Option<ServiceId>> = h
            .sim
            .trace()
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::DatabaseDown { service } => Some(service),
                _ => None,
            })
            .collect();
        assert_eq!(downs, vec![None], "the shared database goes down as one");
    }
}

#[test]
fn the_database_down_preset_completes_in_both_storages() {
    for style in STYLES {
        for storage in [Storage::PerService, Storage::Shared] {
            let scenario = sagascope::engine::presets::scenario("database-down", style, storage, 0)
                .expect("preset");
            let mut h = Harness::new(scenario);
            h.drive();
            h.assert_invariants_hold();
            assert!(h.outcome(0).is_final(), "{style:?} {storage:?}");
        }
    }
}

/// The preset itself shows the lesson: with a database per service only Payment fails and Ada,
/// already past Payment, finishes undisturbed; with the shared database another service fails
/// too and Ada waits out the outage.
#[test]
fn the_database_down_preset_differs_between_the_storages() {
    for style in STYLES {
        let run = |storage: Storage| {
            let scenario = sagascope::engine::presets::scenario("database-down", style, storage, 0)
                .expect("preset");
            let mut h = Harness::new(scenario);
            h.drive();
            h.assert_invariants_hold();
            for saga in 0..h.sim.sagas().len() {
                assert_eq!(h.outcome(saga), Outcome::Completed, "{style:?} {storage:?}");
            }
            h
        };
        let own = run(Storage::PerService);
        let shared = run(Storage::Shared);
        assert_eq!(failed_services(&own), vec![ServiceId::Payment], "{style:?}");
        let elsewhere: Vec<ServiceId> = failed_services(&shared)
            .into_iter()
            .filter(|s| *s != ServiceId::Payment)
            .collect();
        assert!(
            !elsewhere.is_empty(),
            "{style:?}: the shared outage fails another service's work too"
        );
        let ada_failures = |h: &Harness| {
            h.sim
                .trace()
                .iter()
                .filter(|e| e.saga == Some(0))
                .filter(|e| {
                    matches!(
                        e.kind,
                        EventKind::TaskFailed {
                            reason: FailReason::DatabaseDown,
                            ..
                        }
                    )
                })
                .count()
        };
        assert_eq!(
            ada_failures(&own),
            0,
            "{style:?}: Ada never needs Payment's database"
        );
        assert!(ada_failures(&shared) > 0, "{style:?}");
        let ended = |h: &Harness| h.sim.sagas()[0].ended_ms.expect("ended");
        assert!(
            ended(&shared) > ended(&own) + 2_000,
            "{style:?}: Ada finishes at {} ms with a shared database, {} ms with her own",
            ended(&shared),
            ended(&own)
        );
        assert_ne!(own.trace_json(), shared.trace_json(), "{style:?}");
    }
}
