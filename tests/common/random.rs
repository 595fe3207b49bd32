//! The one random fault generator the tests share: a valid fault for the restaurant saga, of
//! any kind, drawn from a seeded [`Rng`].
//!
//! It matches on [`FaultKind`] with no catch-all arm, so a new kind does not compile until the
//! generator draws it, and it draws from [`FaultKind::ALL`]: `the_fault_generator_draws_every_kind`
//! (in `tests/property.rs`) fails if a kind is listed but never drawn. The property schedules and
//! the share tests' scenarios both draw their faults here, and the schedules themselves
//! ([`random_scenario`]) serve the property test, the narration's and the questions' checks.

use sagascope::engine::rng::Rng;
use sagascope::engine::scenario::ScheduledCommand;
use sagascope::engine::{
    Command, Coordination, FaultKind, FaultSpec, SagaSpec, Scenario, ServiceId, Storage,
};

fn service(rng: &mut Rng) -> ServiceId {
    ServiceId::ALL[rng.index(4)]
}

fn maybe<T>(rng: &mut Rng, value: T) -> Option<T> {
    rng.chance(50).then_some(value)
}

/// A valid fault for the restaurant saga, of any kind.
pub fn random_fault(rng: &mut Rng) -> FaultSpec {
    let times = 1 + rng.up_to(3) as u32;
    let saga = if rng.chance(25) {
        Some(rng.index(3))
    } else {
        None
    };
    // No catch-all arm: a new kind does not compile until the generator draws it.
    match FaultKind::ALL[rng.index(FaultKind::ALL.len())] {
        FaultKind::BusinessFailure => FaultSpec::BusinessFailure {
            step: 1 + rng.index(4),
            saga,
        },
        FaultKind::TransientError => FaultSpec::TransientError {
            step: 1 + rng.index(5),
            times,
            saga,
        },
        FaultKind::NoReply => FaultSpec::NoReply {
            step: 1 + rng.index(5),
            times,
            saga,
        },
        FaultKind::Ambiguous => FaultSpec::Ambiguous {
            step: 1 + rng.index(5),
            times,
            saga,
        },
        FaultKind::CompensationFails => FaultSpec::CompensationFails {
            step: 1 + rng.index(3),
            times: if rng.chance(70) { Some(times) } else { None },
            saga,
        },
        FaultKind::Latency => FaultSpec::Latency {
            service: service(rng),
            extra_ms: 1 + rng.up_to(3_000),
        },
        FaultKind::ServiceDown => FaultSpec::ServiceDown {
            service: service(rng),
            for_ms: 1 + rng.up_to(6_000),
        },
        FaultKind::DatabaseDown => FaultSpec::DatabaseDown {
            service: service(rng),
            for_ms: 1 + rng.up_to(5_000),
        },
        FaultKind::OrchestratorDown => FaultSpec::OrchestratorDown {
            for_ms: 1 + rng.up_to(4_000),
        },
        FaultKind::Drop => {
            let s = service(rng);
            FaultSpec::Drop {
                service: maybe(rng, s),
                times,
            }
        }
        FaultKind::Duplicate => {
            let s = service(rng);
            FaultSpec::Duplicate {
                service: maybe(rng, s),
                times,
            }
        }
        FaultKind::Delay => {
            let s = service(rng);
            FaultSpec::Delay {
                service: maybe(rng, s),
                extra_ms: 1 + rng.up_to(5_000),
                times,
            }
        }
        FaultKind::Reorder => {
            let s = service(rng);
            FaultSpec::Reorder {
                service: maybe(rng, s),
                times,
            }
        }
        FaultKind::Poison => FaultSpec::Poison {
            service: service(rng),
        },
        FaultKind::CrashAfterCommit => FaultSpec::CrashAfterCommit {
            service: service(rng),
            times: 1 + rng.up_to(3) as u32,
        },
        FaultKind::Chaos => FaultSpec::Chaos {
            percent: 1 + rng.up_to(40) as u32,
            for_ms: 1 + rng.up_to(10_000),
        },
    }
}

/// A random schedule: one to three sagas on two slots, either style and storage, shared records
/// and a countermeasure now and then, up to three faults and four commands (cancel, redrive,
/// inject), then a person who removes every fault at 60 s and redrives at 61 s and 121 s.
pub fn random_scenario(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let slots = ["Fri 19:30 · table 4", "Fri 20:00 · table 2"];
    let sagas = (0..1 + rng.index(3))
        .map(|i| {
            let mut s = SagaSpec::new(["Ada", "Grace", "Edsger"][i], slots[rng.index(2)]);
            s.start_ms = rng.up_to(3_000);
            s
        })
        .collect::<Vec<_>>();
    let saga_count = sagas.len();
    let mut scenario = Scenario::new(sagas);
    scenario.seed = rng.next_u64();
    scenario.coordination = if rng.chance(50) {
        Coordination::Orchestration
    } else {
        Coordination::Choreography
    };
    scenario.storage = if rng.chance(30) {
        Storage::Shared
    } else {
        Storage::PerService
    };
    contend(&mut scenario, seed);
    for _ in 0..rng.index(4) {
        scenario.faults.push(random_fault(&mut rng));
    }
    for _ in 0..rng.index(4) {
        let at_ms = rng.up_to(12_000);
        let command = match rng.index(6) {
            0 => Command::Cancel {
                saga: rng.index(saga_count),
            },
            1 => Command::Redrive,
            _ => Command::InjectFault {
                fault: random_fault(&mut rng),
            },
        };
        scenario.commands.push(ScheduledCommand { at_ms, command });
    }
    // A person eventually steps in: remove every fault, then redrive what is stuck.
    let total = scenario.faults.len()
        + scenario
            .commands
            .iter()
            .filter(|c| matches!(c.command, Command::InjectFault { .. }))
            .count();
    for fault in 0..total {
        scenario.commands.push(ScheduledCommand {
            at_ms: 60_000,
            command: Command::RemoveFault { fault },
        });
    }
    // Twice: a saga that waited behind another's PENDING flag while that one waited for a
    // person may be dead-lettered again before the flag clears.
    for at_ms in [61_000, 121_000] {
        scenario.commands.push(ScheduledCommand {
            at_ms,
            command: Command::Redrive,
        });
    }
    scenario.commands.sort_by_key(|c| c.at_ms);
    scenario
}

/// Shared records and an isolation countermeasure, drawn from a generator of their own so that
/// the schedules' other draws stay as they were: some sagas contend for a slot's tables or for
/// Ada's gift card, with the semantic lock (the default), commutative updates or reread value.
fn contend(scenario: &mut Scenario, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x5A6A_15C0);
    let slots: Vec<String> = scenario.sagas.iter().map(|s| s.slot.clone()).collect();
    let countermeasure = rng.index(3);
    if countermeasure > 0 {
        scenario.safeguards.semantic_lock = false;
        if countermeasure == 1 {
            scenario.safeguards.commutative_updates = true;
        } else {
            scenario.safeguards.reread_value = true;
        }
    }
    // Without the semantic lock a plain slot takes any number of sagas: count its tables.
    let counted = countermeasure > 0 || rng.chance(40);
    for slot in slots {
        if counted {
            scenario.shared.tables.insert(slot, 1 + rng.index(2) as u64);
        }
    }
    if rng.chance(40) {
        for saga in scenario.sagas.iter_mut().filter(|_| rng.chance(60)) {
            saga.customer = "Ada".to_string();
        }
        scenario
            .shared
            .gift_cards
            .insert("Ada".to_string(), rng.up_to(12_000));
    }
    // Reservation looks at the tables left before it accepts (drawn last, so that the draws
    // above stay as they were).
    scenario.shared.check_availability = counted && rng.chance(50);
    // And now and then the saga reordered by the pessimistic view, under every fault.
    scenario.safeguards.pessimistic_view = rng.chance(25);
}
