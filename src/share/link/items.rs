//! Fault and command items: how each fault and scheduled command is written in a link's `f=`
//! and `x=` lists, and read back. Every fault kind has a code; a new kind does not compile until
//! it has one.

use crate::engine::definition::ServiceId;
use crate::engine::fault::{FaultKind, FaultSpec};
use crate::engine::scenario::{Command, SagaSpec, ScheduledCommand};

use super::fields::{percent_decode, percent_encode, Fields};
use super::shorten;

/// The code a fault kind has in a link. The match has no catch-all arm: a new kind does not
/// compile until it has a code (and [`parse_fault`] reads it back).
fn fault_code(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::BusinessFailure => "fail",
        FaultKind::TransientError => "transient",
        FaultKind::NoReply => "noreply",
        FaultKind::Ambiguous => "ambiguous",
        FaultKind::CompensationFails => "undofails",
        FaultKind::Latency => "latency",
        FaultKind::ServiceDown => "down",
        FaultKind::DatabaseDown => "dbdown",
        FaultKind::OrchestratorDown => "crash",
        FaultKind::Drop => "drop",
        FaultKind::Duplicate => "dup",
        FaultKind::Delay => "delay",
        FaultKind::Reorder => "reorder",
        FaultKind::Poison => "poison",
        FaultKind::CrashAfterCommit => "commitcrash",
        FaultKind::Chaos => "chaos",
    }
}

pub(super) fn fault_item(fault: &FaultSpec) -> String {
    let saga = |s: &Option<usize>| s.map(|n| format!(".s{n}")).unwrap_or_default();
    let service = |s: &Option<ServiceId>| s.map(|s| format!(".{}", s.as_str())).unwrap_or_default();
    let fields = match fault {
        FaultSpec::BusinessFailure { step, saga: s } => format!("{step}{}", saga(s)),
        FaultSpec::TransientError {
            step,
            times,
            saga: s,
        }
        | FaultSpec::NoReply {
            step,
            times,
            saga: s,
        }
        | FaultSpec::Ambiguous {
            step,
            times,
            saga: s,
        } => format!("{step}.{times}{}", saga(s)),
        FaultSpec::CompensationFails {
            step,
            times,
            saga: s,
        } => format!(
            "{step}{}{}",
            times.map(|t| format!(".{t}")).unwrap_or_default(),
            saga(s)
        ),
        FaultSpec::Latency {
            service: s,
            extra_ms: ms,
        }
        | FaultSpec::ServiceDown {
            service: s,
            for_ms: ms,
        }
        | FaultSpec::DatabaseDown {
            service: s,
            for_ms: ms,
        } => format!("{}.{ms}", s.as_str()),
        FaultSpec::OrchestratorDown { for_ms } => for_ms.to_string(),
        FaultSpec::Drop { service: s, times }
        | FaultSpec::Duplicate { service: s, times }
        | FaultSpec::Reorder { service: s, times } => format!("{times}{}", service(s)),
        FaultSpec::Delay {
            service: s,
            extra_ms,
            times,
        } => format!("{extra_ms}.{times}{}", service(s)),
        FaultSpec::Poison { service: s } => s.as_str().to_string(),
        FaultSpec::CrashAfterCommit { service: s, times } => format!("{}.{times}", s.as_str()),
        FaultSpec::Chaos { percent, for_ms } => format!("{percent}.{for_ms}"),
    };
    format!("{}.{fields}", fault_code(fault.kind()))
}

pub(super) fn command_item(scheduled: &ScheduledCommand) -> String {
    let what = match &scheduled.command {
        Command::Start { saga } => format!(
            "start.{}.{}.{}.{}.{}",
            percent_encode(&saga.customer),
            percent_encode(&saga.slot),
            saga.party_size,
            saga.amount_cents,
            saga.start_ms
        ),
        Command::InjectFault { fault } => fault_item(fault),
        Command::RemoveFault { fault } => format!("remove.{fault}"),
        Command::Cancel { saga } => format!("cancel.{saga}"),
        Command::Redrive => "redrive".to_string(),
    };
    format!("{}.{what}", scheduled.at_ms)
}

pub(super) fn parse_fault_item(item: &str) -> Result<FaultSpec, String> {
    let mut f = Fields::new(item);
    let code = f.take("fault")?;
    parse_fault(code, f)
}

fn parse_fault(code: &str, mut f: Fields<'_>) -> Result<FaultSpec, String> {
    let Some(kind) = FaultKind::ALL.into_iter().find(|k| fault_code(*k) == code) else {
        return Err(format!("{:?} is not a fault", shorten(code)));
    };
    let fault = match kind {
        FaultKind::BusinessFailure => FaultSpec::BusinessFailure {
            step: f.number("step")?,
            saga: f.optional_saga()?,
        },
        FaultKind::TransientError => FaultSpec::TransientError {
            step: f.number("step")?,
            times: f.number("times")?,
            saga: f.optional_saga()?,
        },
        FaultKind::NoReply => FaultSpec::NoReply {
            step: f.number("step")?,
            times: f.number("times")?,
            saga: f.optional_saga()?,
        },
        FaultKind::Ambiguous => FaultSpec::Ambiguous {
            step: f.number("step")?,
            times: f.number("times")?,
            saga: f.optional_saga()?,
        },
        FaultKind::CompensationFails => {
            let step = f.number("step")?;
            let times = match f.peek() {
                Some(field) if !field.starts_with('s') => Some(f.number("times")?),
                _ => None,
            };
            FaultSpec::CompensationFails {
                step,
                times,
                saga: f.optional_saga()?,
            }
        }
        FaultKind::Latency => FaultSpec::Latency {
            service: f.service()?,
            extra_ms: f.number("extra time")?,
        },
        FaultKind::ServiceDown => FaultSpec::ServiceDown {
            service: f.service()?,
            for_ms: f.number("duration")?,
        },
        FaultKind::DatabaseDown => FaultSpec::DatabaseDown {
            service: f.service()?,
            for_ms: f.number("duration")?,
        },
        FaultKind::OrchestratorDown => FaultSpec::OrchestratorDown {
            for_ms: f.number("duration")?,
        },
        FaultKind::Drop => FaultSpec::Drop {
            times: f.number("times")?,
            service: f.optional_service()?,
        },
        FaultKind::Duplicate => FaultSpec::Duplicate {
            times: f.number("times")?,
            service: f.optional_service()?,
        },
        FaultKind::Delay => FaultSpec::Delay {
            extra_ms: f.number("extra time")?,
            times: f.number("times")?,
            service: f.optional_service()?,
        },
        FaultKind::Reorder => FaultSpec::Reorder {
            times: f.number("times")?,
            service: f.optional_service()?,
        },
        FaultKind::Poison => FaultSpec::Poison {
            service: f.service()?,
        },
        FaultKind::CrashAfterCommit => FaultSpec::CrashAfterCommit {
            service: f.service()?,
            times: f.number("times")?,
        },
        FaultKind::Chaos => FaultSpec::Chaos {
            percent: f.number("percent")?,
            for_ms: f.number("duration")?,
        },
    };
    f.finish(fault)
}

pub(super) fn parse_command_item(item: &str) -> Result<ScheduledCommand, String> {
    let mut f = Fields::new(item);
    let at_ms = f.number("time")?;
    let code = f.take("command")?;
    let command = match code {
        "start" => {
            let customer = percent_decode(f.take("customer")?)?;
            let slot = percent_decode(f.take("slot")?)?;
            let saga = SagaSpec {
                customer,
                slot,
                party_size: f.number("party size")?,
                amount_cents: f.number("amount")?,
                start_ms: f.number("start time")?,
            };
            f.finish(Command::Start { saga })?
        }
        "remove" => {
            let fault = f.number("fault number")?;
            f.finish(Command::RemoveFault { fault })?
        }
        "cancel" => {
            let saga = f.number("saga number")?;
            f.finish(Command::Cancel { saga })?
        }
        "redrive" => f.finish(Command::Redrive)?,
        fault => Command::InjectFault {
            fault: parse_fault(fault, f).map_err(|p| {
                format!("{p} (commands are remove, cancel, redrive, start or a fault)")
            })?,
        },
    };
    Ok(ScheduledCommand { at_ms, command })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::{Coordination, Storage};
    use crate::share::link::{decode, detect_preset, encode, LinkState, Playhead};

    /// Faults of one kind, with and without their optional fields (an exhaustive match: a new
    /// kind must show what it looks like in a link).
    fn samples(kind: FaultKind) -> Vec<FaultSpec> {
        match kind {
            FaultKind::BusinessFailure => vec![
                FaultSpec::BusinessFailure {
                    step: 2,
                    saga: Some(1),
                },
                FaultSpec::BusinessFailure {
                    step: 3,
                    saga: None,
                },
            ],
            FaultKind::TransientError => vec![FaultSpec::TransientError {
                step: 5,
                times: 3,
                saga: Some(0),
            }],
            FaultKind::NoReply => vec![FaultSpec::NoReply {
                step: 1,
                times: 1,
                saga: None,
            }],
            FaultKind::Ambiguous => vec![FaultSpec::Ambiguous {
                step: 4,
                times: 2,
                saga: Some(2),
            }],
            FaultKind::CompensationFails => vec![
                FaultSpec::CompensationFails {
                    step: 2,
                    times: None,
                    saga: Some(0),
                },
                FaultSpec::CompensationFails {
                    step: 2,
                    times: Some(3),
                    saga: None,
                },
                FaultSpec::CompensationFails {
                    step: 1,
                    times: None,
                    saga: None,
                },
            ],
            FaultKind::Latency => vec![FaultSpec::Latency {
                service: ServiceId::Notification,
                extra_ms: 2_500,
            }],
            FaultKind::ServiceDown => vec![FaultSpec::ServiceDown {
                service: ServiceId::Payment,
                for_ms: 4_000,
            }],
            FaultKind::DatabaseDown => vec![FaultSpec::DatabaseDown {
                service: ServiceId::Reservation,
                for_ms: 3_000,
            }],
            FaultKind::OrchestratorDown => vec![FaultSpec::OrchestratorDown { for_ms: 3_000 }],
            FaultKind::Drop => vec![
                FaultSpec::Drop {
                    service: None,
                    times: 2,
                },
                FaultSpec::Drop {
                    service: Some(ServiceId::Calendar),
                    times: 1,
                },
            ],
            FaultKind::Duplicate => vec![FaultSpec::Duplicate {
                service: Some(ServiceId::Payment),
                times: 1,
            }],
            FaultKind::Delay => vec![
                FaultSpec::Delay {
                    service: Some(ServiceId::Calendar),
                    extra_ms: 700,
                    times: 2,
                },
                FaultSpec::Delay {
                    service: None,
                    extra_ms: 3_000,
                    times: 1,
                },
            ],
            FaultKind::Reorder => vec![FaultSpec::Reorder {
                service: None,
                times: 3,
            }],
            FaultKind::Poison => vec![FaultSpec::Poison {
                service: ServiceId::Calendar,
            }],
            FaultKind::CrashAfterCommit => vec![FaultSpec::CrashAfterCommit {
                service: ServiceId::Reservation,
                times: 1,
            }],
            FaultKind::Chaos => vec![FaultSpec::Chaos {
                percent: 25,
                for_ms: 20_000,
            }],
        }
    }

    #[test]
    fn every_fault_kind_round_trips_through_an_item() {
        for kind in FaultKind::ALL {
            let faults = samples(kind);
            assert!(!faults.is_empty(), "{kind}");
            for fault in faults {
                assert_eq!(fault.kind(), kind);
                let item = fault_item(&fault);
                assert!(item.starts_with(fault_code(kind)), "{item}");
                assert_eq!(parse_fault_item(&item), Ok(fault.clone()), "{item}");
                let command = format!("1500.{item}");
                assert_eq!(
                    parse_command_item(&command).map(|c| c.command),
                    Ok(Command::InjectFault { fault }),
                    "{command}"
                );
            }
        }
    }

    #[test]
    fn every_fault_kind_round_trips_through_a_whole_link() {
        for kind in FaultKind::ALL {
            let style = if kind.applies_to(Coordination::Choreography) {
                Coordination::Choreography
            } else {
                Coordination::Orchestration
            };
            let mut scenario =
                presets::scenario("happy-path", style, Storage::PerService, 3).unwrap();
            scenario.faults.extend(samples(kind));
            let state = LinkState {
                preset: detect_preset(&scenario),
                scenario,
                moment: Playhead::Start,
            };
            let text = encode(&state).unwrap();
            assert!(text.contains("&f="), "{kind} is in the preset form: {text}");
            assert_eq!(decode(&text), Ok(state), "{text}");
        }
    }

    #[test]
    fn fault_codes_are_distinct() {
        let mut codes: Vec<&str> = FaultKind::ALL.into_iter().map(fault_code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), FaultKind::ALL.len());
    }
}
