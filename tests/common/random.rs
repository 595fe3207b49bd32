//! The one random fault generator the tests share: a valid fault for the restaurant saga, of
//! any kind, drawn from a seeded [`Rng`].
//!
//! It matches on [`FaultKind`] with no catch-all arm, so a new kind does not compile until the
//! generator draws it, and it draws from [`FaultKind::ALL`]: `the_fault_generator_draws_every_kind`
//! (in `tests/property.rs`) fails if a kind is listed but never drawn. The property schedules and
//! the share tests' scenarios both draw their faults here.

use sagascope::engine::rng::Rng;
use sagascope::engine::{FaultKind, FaultSpec, ServiceId};

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
