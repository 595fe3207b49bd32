//! The fault menu of each node, and the short labels of active faults (the chips on a node).

use crate::engine::definition::{ServiceId, StepKind};
use crate::engine::fault::FaultSpec;
use crate::engine::message::Task;
use crate::engine::scenario::{Coordination, Scenario, Storage};
use crate::engine::sim::ActiveFault;

use super::format::{capitalise, duration};
use super::layout::NodeKey;
use super::status::steps_of;

/// One entry of a fault menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultChoice {
    /// The `data-fault` name.
    pub kind: &'static str,
    /// What the button says.
    pub label: String,
    /// What it injects.
    pub spec: FaultSpec,
}

/// The chaos fault the page's chaos switch injects.
pub const CHAOS: FaultSpec = FaultSpec::Chaos {
    percent: 25,
    for_ms: 20_000,
};

fn choice(kind: &'static str, label: impl Into<String>, spec: FaultSpec) -> FaultChoice {
    FaultChoice {
        kind,
        label: label.into(),
        spec,
    }
}

/// Every fault that can be injected at a node under the scenario's coordination, in menu order.
pub fn menu(scenario: &Scenario, node: NodeKey) -> Vec<FaultChoice> {
    match node {
        NodeKey::Service(service) => service_menu(scenario, service),
        NodeKey::Orchestrator if scenario.coordination == Coordination::Orchestration => {
            vec![choice(
                "orchestrator_down",
                "Crash for 3 s",
                FaultSpec::OrchestratorDown { for_ms: 3_000 },
            )]
        }
        NodeKey::Bus => vec![
            choice(
                "drop",
                "Drop next publish",
                FaultSpec::Drop {
                    service: None,
                    times: 1,
                },
            ),
            choice(
                "duplicate",
                "Duplicate next delivery",
                FaultSpec::Duplicate {
                    service: None,
                    times: 1,
                },
            ),
            choice(
                "delay",
                "Delay next message 3 s",
                FaultSpec::Delay {
                    service: None,
                    extra_ms: 3_000,
                    times: 1,
                },
            ),
            choice(
                "reorder",
                "Reorder next 3",
                FaultSpec::Reorder {
                    service: None,
                    times: 3,
                },
            ),
        ],
        _ => Vec::new(),
    }
}

fn service_menu(scenario: &Scenario, service: ServiceId) -> Vec<FaultChoice> {
    let def = &scenario.definition;
    let steps = steps_of(def, service);
    let several = steps.len() > 1;
    let suffix = |step: usize| {
        if several {
            def.steps
                .get(step)
                .map(|s| format!(" · {}", s.name))
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut out = Vec::new();
    for &i in &steps {
        let Some(step) = def.steps.get(i) else {
            continue;
        };
        if let (Some(what), true) = (&step.business_failure, step.kind != StepKind::Retriable) {
            out.push(choice(
                "business_failure",
                capitalise(what),
                FaultSpec::BusinessFailure {
                    step: i + 1,
                    saga: None,
                },
            ));
        }
    }
    for &i in &steps {
        out.push(choice(
            "transient_error",
            format!("Transient error ×2{}", suffix(i)),
            FaultSpec::TransientError {
                step: i + 1,
                times: 2,
                saga: None,
            },
        ));
    }
    for &i in &steps {
        out.push(choice(
            "no_reply",
            format!("No reply{}", suffix(i)),
            FaultSpec::NoReply {
                step: i + 1,
                times: 1,
                saga: None,
            },
        ));
    }
    for &i in &steps {
        out.push(choice(
            "ambiguous",
            format!("Reply lost (ambiguous){}", suffix(i)),
            FaultSpec::Ambiguous {
                step: i + 1,
                times: 1,
                saga: None,
            },
        ));
    }
    for &i in &steps {
        if def.steps.get(i).is_some_and(|s| s.compensation.is_some()) {
            let undo = Task::Compensate(i).label(def);
            out.push(choice(
                "compensation_fails",
                format!("{undo} fails ×2"),
                FaultSpec::CompensationFails {
                    step: i + 1,
                    times: Some(2),
                    saga: None,
                },
            ));
            out.push(choice(
                "compensation_fails",
                format!("{undo} fails for ever"),
                FaultSpec::CompensationFails {
                    step: i + 1,
                    times: None,
                    saga: None,
                },
            ));
        }
    }
    out.push(choice(
        "latency",
        "+2.5 s latency",
        FaultSpec::Latency {
            service,
            extra_ms: 2_500,
        },
    ));
    out.push(choice(
        "service_down",
        "Down 5 s",
        FaultSpec::ServiceDown {
            service,
            for_ms: 5_000,
        },
    ));
    out.push(choice(
        "database_down",
        if scenario.storage == Storage::Shared {
            "Shared database down 5 s"
        } else {
            "Database down 5 s"
        },
        FaultSpec::DatabaseDown {
            service,
            for_ms: 5_000,
        },
    ));
    let (drop, duplicate) = match scenario.coordination {
        Coordination::Orchestration => ("Drop next message", "Duplicate next message"),
        Coordination::Choreography => ("Drop next publish", "Duplicate next delivery"),
    };
    out.push(choice(
        "drop",
        drop,
        FaultSpec::Drop {
            service: Some(service),
            times: 1,
        },
    ));
    out.push(choice(
        "duplicate",
        duplicate,
        FaultSpec::Duplicate {
            service: Some(service),
            times: 1,
        },
    ));
    out.push(choice(
        "delay",
        "Delay next message 3 s",
        FaultSpec::Delay {
            service: Some(service),
            extra_ms: 3_000,
            times: 1,
        },
    ));
    out.push(choice(
        "reorder",
        "Reorder next 3",
        FaultSpec::Reorder {
            service: Some(service),
            times: 3,
        },
    ));
    out.push(choice(
        "poison",
        "Poison message",
        FaultSpec::Poison { service },
    ));
    out.push(choice(
        "crash_after_commit",
        "Crash after next commit",
        FaultSpec::CrashAfterCommit { service, times: 1 },
    ));
    out.retain(|c| {
        c.spec.applies_to(scenario.coordination) && c.spec.validate(scenario, "fault").is_ok()
    });
    out
}

/// A short label for an active fault, to fit on a chip: what is left of it.
pub fn chip_label(fault: &ActiveFault, scenario: &Scenario) -> String {
    let left = |times: u32| fault.remaining.unwrap_or(times);
    let def = &scenario.definition;
    match &fault.spec {
        FaultSpec::BusinessFailure { step, .. } => def
            .steps
            .get(step.saturating_sub(1))
            .and_then(|s| s.business_failure.as_deref())
            .map(capitalise)
            .unwrap_or_else(|| "Refuses".to_string()),
        FaultSpec::TransientError { times, step, .. } => {
            format!("Error ×{} (step {step})", left(*times))
        }
        FaultSpec::NoReply { times, step, .. } => {
            format!("No reply ×{} (step {step})", left(*times))
        }
        FaultSpec::Ambiguous { times, step, .. } => {
            format!("Reply lost ×{} (step {step})", left(*times))
        }
        FaultSpec::CompensationFails { times: Some(t), .. } => format!("Undo fails ×{}", left(*t)),
        FaultSpec::CompensationFails { times: None, .. } => "Undo fails ∞".to_string(),
        FaultSpec::Latency { extra_ms, .. } => format!("+{}", duration(*extra_ms)),
        FaultSpec::ServiceDown { for_ms, .. } => format!("Down {}", duration(*for_ms)),
        FaultSpec::DatabaseDown { for_ms, .. } => format!("DB down {}", duration(*for_ms)),
        FaultSpec::OrchestratorDown { .. } => "Crashed".to_string(),
        FaultSpec::Drop { times, .. } => format!("Drop ×{}", left(*times)),
        FaultSpec::Duplicate { times, .. } => format!("Duplicate ×{}", left(*times)),
        FaultSpec::Delay { times, .. } => format!("Delay ×{}", left(*times)),
        FaultSpec::Reorder { times, .. } => format!("Reorder ×{}", left(*times)),
        FaultSpec::Poison { .. } => "Poison".to_string(),
        FaultSpec::CrashAfterCommit { times, .. } => {
            format!("Crash after commit ×{}", left(*times))
        }
        FaultSpec::Chaos { percent, .. } => format!("Chaos {percent}%"),
    }
}

/// The node an active fault is shown on.
pub fn fault_node(fault: &ActiveFault, scenario: &Scenario) -> Option<NodeKey> {
    match fault.spec.service(scenario) {
        Some(s) => Some(NodeKey::Service(s)),
        None => match fault.spec {
            FaultSpec::OrchestratorDown { .. } => Some(NodeKey::Orchestrator),
            FaultSpec::Drop { .. }
            | FaultSpec::Duplicate { .. }
            | FaultSpec::Delay { .. }
            | FaultSpec::Reorder { .. } => Some(NodeKey::Bus),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;

    fn scenario(c: Coordination) -> Scenario {
        presets::scenario("happy-path", c, Storage::PerService, 0).unwrap()
    }

    fn kinds(menu: &[FaultChoice]) -> Vec<&'static str> {
        let mut k: Vec<&str> = menu.iter().map(|c| c.kind).collect();
        k.dedup();
        k
    }

    #[test]
    fn payment_offers_every_fault_that_applies() {
        let m = menu(
            &scenario(Coordination::Orchestration),
            NodeKey::Service(ServiceId::Payment),
        );
        assert_eq!(
            kinds(&m),
            [
                "business_failure",
                "transient_error",
                "no_reply",
                "ambiguous",
                "compensation_fails",
                "latency",
                "service_down",
                "database_down",
                "drop",
                "duplicate",
                "delay",
                "reorder",
                "poison"
            ]
        );
        assert_eq!(m[0].label, "Card declined");
        assert_eq!(
            m[0].spec,
            FaultSpec::BusinessFailure {
                step: 2,
                saga: None
            }
        );
        assert!(m.iter().any(|c| c.label == "Refund payment fails for ever"));
    }

    #[test]
    fn notification_has_no_business_failure_and_nothing_to_undo() {
        let m = menu(
            &scenario(Coordination::Choreography),
            NodeKey::Service(ServiceId::Notification),
        );
        let k = kinds(&m);
        assert!(!k.contains(&"business_failure"));
        assert!(!k.contains(&"compensation_fails"));
        assert!(k.contains(&"transient_error"));
    }

    #[test]
    fn reservation_offers_both_its_steps() {
        let m = menu(
            &scenario(Coordination::Orchestration),
            NodeKey::Service(ServiceId::Reservation),
        );
        assert_eq!(m[0].label, "Restaurant rejects");
        let transient: Vec<&str> = m
            .iter()
            .filter(|c| c.kind == "transient_error")
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(
            transient,
            [
                "Transient error ×2 · Create reservation",
                "Transient error ×2 · Confirm reservation"
            ]
        );
    }

    #[test]
    fn the_orchestrator_can_crash_only_in_orchestration() {
        assert_eq!(
            menu(
                &scenario(Coordination::Orchestration),
                NodeKey::Orchestrator
            )[0]
            .kind,
            "orchestrator_down"
        );
        assert!(menu(&scenario(Coordination::Choreography), NodeKey::Orchestrator).is_empty());
    }

    #[test]
    fn every_choice_is_a_valid_fault() {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            let s = scenario(c);
            for node in [NodeKey::Orchestrator, NodeKey::Bus]
                .into_iter()
                .chain(ServiceId::ALL.map(NodeKey::Service))
            {
                for choice in menu(&s, node) {
                    assert_eq!(choice.spec.validate(&s, "f"), Ok(()), "{choice:?}");
                    assert_eq!(choice.spec.kind(), choice.kind);
                }
            }
        }
        assert_eq!(
            CHAOS.validate(&scenario(Coordination::Choreography), "f"),
            Ok(())
        );
    }

    #[test]
    fn chips_say_what_is_left() {
        let s = scenario(Coordination::Orchestration);
        let fault = ActiveFault {
            id: 0,
            spec: FaultSpec::TransientError {
                step: 2,
                times: 2,
                saga: None,
            },
            injected_ms: 0,
            until_ms: None,
            remaining: Some(1),
            active: true,
            fired: 1,
            poisoned: None,
        };
        assert_eq!(chip_label(&fault, &s), "Error ×1 (step 2)");
        assert_eq!(
            fault_node(&fault, &s),
            Some(NodeKey::Service(ServiceId::Payment))
        );
    }
}
