//! The fault menu of each node, and the short labels of active faults (the chips on a node).

use crate::engine::definition::{ServiceId, StepKind};
use crate::engine::fault::{FaultKind, FaultSpec};
use crate::engine::message::Task;
use crate::engine::scenario::{Coordination, Scenario, Storage};
use crate::engine::sim::ActiveFault;

use super::format::{capitalise, duration};
use super::layout::NodeKey;
use super::status::steps_of;

/// One entry of a fault menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultChoice {
    /// Its kind (the `data-fault` name).
    pub kind: FaultKind,
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

fn choice(label: impl Into<String>, spec: FaultSpec) -> FaultChoice {
    FaultChoice {
        kind: spec.kind(),
        label: label.into(),
        spec,
    }
}

/// Every fault that can be injected at a node under the scenario's coordination, in menu order
/// (the order of [`FaultKind::ALL`]).
pub fn menu(scenario: &Scenario, node: NodeKey) -> Vec<FaultChoice> {
    let mut out: Vec<FaultChoice> = FaultKind::ALL
        .into_iter()
        .flat_map(|kind| choices(scenario, node, kind))
        .collect();
    out.retain(|c| {
        c.spec.applies_to(scenario.coordination) && c.spec.validate(scenario, "fault").is_ok()
    });
    out
}

/// Where the page offers each kind of fault, and how. The match has no catch-all arm, so a new
/// kind does not compile until it says where it is offered.
fn choices(scenario: &Scenario, node: NodeKey, kind: FaultKind) -> Vec<FaultChoice> {
    let bus = node == NodeKey::Bus;
    let service = match node {
        NodeKey::Service(s) => Some(s),
        _ => None,
    };
    // The message faults are offered on each service (its messages) and on the bus (any).
    let messages = |label: &str, spec: fn(Option<ServiceId>) -> FaultSpec| match (service, bus) {
        (Some(s), _) => vec![choice(label, spec(Some(s)))],
        (None, true) => vec![choice(label, spec(None))],
        (None, false) => Vec::new(),
    };
    let orchestration = scenario.coordination == Coordination::Orchestration;
    match kind {
        FaultKind::BusinessFailure
        | FaultKind::TransientError
        | FaultKind::NoReply
        | FaultKind::Ambiguous
        | FaultKind::CompensationFails => match service {
            Some(s) => step_choices(scenario, s, kind),
            None => Vec::new(),
        },
        FaultKind::Latency => service
            .map(|service| {
                choice(
                    "+2.5 s latency",
                    FaultSpec::Latency {
                        service,
                        extra_ms: 2_500,
                    },
                )
            })
            .into_iter()
            .collect(),
        FaultKind::ServiceDown => service
            .map(|service| {
                choice(
                    "Down 5 s",
                    FaultSpec::ServiceDown {
                        service,
                        for_ms: 5_000,
                    },
                )
            })
            .into_iter()
            .collect(),
        FaultKind::DatabaseDown => service
            .map(|service| {
                choice(
                    if scenario.storage == Storage::Shared {
                        "Shared database down 5 s"
                    } else {
                        "Database down 5 s"
                    },
                    FaultSpec::DatabaseDown {
                        service,
                        for_ms: 5_000,
                    },
                )
            })
            .into_iter()
            .collect(),
        FaultKind::OrchestratorDown if node == NodeKey::Orchestrator && orchestration => {
            vec![choice(
                "Crash for 3 s",
                FaultSpec::OrchestratorDown { for_ms: 3_000 },
            )]
        }
        FaultKind::OrchestratorDown => Vec::new(),
        FaultKind::Drop => {
            let label = if orchestration && !bus {
                "Drop next message"
            } else {
                "Drop next publish"
            };
            messages(label, |service| FaultSpec::Drop { service, times: 1 })
        }
        FaultKind::Duplicate => {
            let label = if orchestration && !bus {
                "Duplicate next message"
            } else {
                "Duplicate next delivery"
            };
            messages(label, |service| FaultSpec::Duplicate { service, times: 1 })
        }
        FaultKind::Delay => messages("Delay next message 3 s", |service| FaultSpec::Delay {
            service,
            extra_ms: 3_000,
            times: 1,
        }),
        FaultKind::Reorder => messages("Reorder next 3", |service| FaultSpec::Reorder {
            service,
            times: 3,
        }),
        FaultKind::Poison => service
            .map(|service| choice("Poison message", FaultSpec::Poison { service }))
            .into_iter()
            .collect(),
        FaultKind::CrashAfterCommit => service
            .map(|service| {
                choice(
                    "Crash after next commit",
                    FaultSpec::CrashAfterCommit { service, times: 1 },
                )
            })
            .into_iter()
            .collect(),
        // Chaos is not a node's: the toolbar's chaos switch injects [`CHAOS`].
        FaultKind::Chaos => Vec::new(),
    }
}

/// The step faults a service offers, one per step it runs (named after the step when it runs
/// several).
fn step_choices(scenario: &Scenario, service: ServiceId, kind: FaultKind) -> Vec<FaultChoice> {
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
    for i in steps {
        let Some(step) = def.steps.get(i) else {
            continue;
        };
        let number = i + 1;
        match kind {
            FaultKind::BusinessFailure => {
                if let (Some(what), true) =
                    (&step.business_failure, step.kind != StepKind::Retriable)
                {
                    out.push(choice(
                        capitalise(what),
                        FaultSpec::BusinessFailure {
                            step: number,
                            saga: None,
                        },
                    ));
                }
            }
            FaultKind::TransientError => out.push(choice(
                format!("Transient error ×2{}", suffix(i)),
                FaultSpec::TransientError {
                    step: number,
                    times: 2,
                    saga: None,
                },
            )),
            FaultKind::NoReply => out.push(choice(
                format!("No reply{}", suffix(i)),
                FaultSpec::NoReply {
                    step: number,
                    times: 1,
                    saga: None,
                },
            )),
            FaultKind::Ambiguous => out.push(choice(
                format!("Reply lost (ambiguous){}", suffix(i)),
                FaultSpec::Ambiguous {
                    step: number,
                    times: 1,
                    saga: None,
                },
            )),
            FaultKind::CompensationFails if step.compensation.is_some() => {
                let undo = Task::Compensate(i).label(def);
                for (times, how) in [(Some(2), "×2"), (None, "for ever")] {
                    out.push(choice(
                        format!("{undo} fails {how}"),
                        FaultSpec::CompensationFails {
                            step: number,
                            times,
                            saga: None,
                        },
                    ));
                }
            }
            _ => {}
        }
    }
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
        let mut k: Vec<&str> = menu.iter().map(|c| c.kind.as_str()).collect();
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
            .filter(|c| c.kind == FaultKind::TransientError)
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
            FaultKind::OrchestratorDown
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

    /// Every node the diagram draws in a style.
    fn drawn_nodes(c: Coordination) -> Vec<NodeKey> {
        [
            NodeKey::Customer,
            NodeKey::Orchestrator,
            NodeKey::Bus,
            NodeKey::DeadLetters,
        ]
        .into_iter()
        .chain(ServiceId::ALL.map(NodeKey::Service))
        .chain(ServiceId::ALL.map(NodeKey::Queue))
        .filter(|n| crate::view::layout::node_rect(c, *n).is_some())
        .collect()
    }

    #[test]
    fn every_kind_is_offered_in_every_style_it_applies_to_and_in_no_other() {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            for storage in [Storage::PerService, Storage::Shared] {
                let mut s = scenario(c);
                s.storage = storage;
                // The node menus, and the toolbar's chaos switch.
                let offered: Vec<FaultKind> = drawn_nodes(c)
                    .into_iter()
                    .flat_map(|n| menu(&s, n))
                    .map(|choice| choice.kind)
                    .chain([CHAOS.kind()])
                    .collect();
                for kind in FaultKind::ALL {
                    assert_eq!(
                        offered.contains(&kind),
                        kind.applies_to(c),
                        "{kind} under {c:?}, {storage:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn menus_follow_the_order_of_the_kinds() {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            let s = scenario(c);
            for node in drawn_nodes(c) {
                let positions: Vec<usize> = menu(&s, node)
                    .iter()
                    .filter_map(|choice| FaultKind::ALL.iter().position(|k| *k == choice.kind))
                    .collect();
                assert!(positions.is_sorted(), "{node:?} under {c:?}: {positions:?}");
            }
        }
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
