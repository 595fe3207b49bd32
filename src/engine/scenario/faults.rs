//! A fault read against the scenario it is in: checked against its steps and limits, described
//! with its steps' names, and placed on the service the page shows it on. The fault vocabulary
//! itself ([`FaultSpec`]) knows nothing of scenarios, so the dependency runs one way: scenarios
//! are made of faults.

use super::{Scenario, ScenarioError, MAX_SAGAS, MAX_TIME_MS};
use crate::engine::definition::{ServiceId, StepKind};
use crate::engine::fault::FaultSpec;

impl FaultSpec {
    /// The service this fault is attached to in the page, if any.
    pub fn service(&self, scenario: &Scenario) -> Option<ServiceId> {
        if let Some(step) = self.step_index() {
            return scenario.definition.steps.get(step).map(|s| s.service());
        }
        match self {
            FaultSpec::Latency { service, .. }
            | FaultSpec::ServiceDown { service, .. }
            | FaultSpec::DatabaseDown { service, .. }
            | FaultSpec::Poison { service }
            | FaultSpec::CrashAfterCommit { service, .. } => Some(*service),
            FaultSpec::Drop { service, .. }
            | FaultSpec::Duplicate { service, .. }
            | FaultSpec::Delay { service, .. }
            | FaultSpec::Reorder { service, .. } => *service,
            _ => None,
        }
    }

    /// A short description people read ("Payment: card declined").
    pub fn describe(&self, scenario: &Scenario) -> String {
        let step_name = |step: &usize| {
            scenario
                .definition
                .steps
                .get(step.saturating_sub(1))
                .map(|s| s.name.clone())
                .unwrap_or_else(|| format!("step {step}"))
        };
        let for_saga = |saga: &Option<usize>| match saga {
            Some(s) => format!(" (saga {})", s + 1),
            None => String::new(),
        };
        let to = |service: &Option<ServiceId>| match service {
            Some(s) => format!(" to/from {}", s.label()),
            None => String::new(),
        };
        match self {
            FaultSpec::BusinessFailure { step, saga } => {
                let what = scenario
                    .definition
                    .steps
                    .get(step.saturating_sub(1))
                    .and_then(|s| s.business_failure.clone())
                    .unwrap_or_else(|| "business failure".to_string());
                format!("{}: {what}{}", step_name(step), for_saga(saga))
            }
            FaultSpec::TransientError { step, times, saga } => {
                format!(
                    "{}: transient error ×{times}{}",
                    step_name(step),
                    for_saga(saga)
                )
            }
            FaultSpec::NoReply { step, times, saga } => {
                format!("{}: no reply ×{times}{}", step_name(step), for_saga(saga))
            }
            FaultSpec::Ambiguous { step, times, saga } => format!(
                "{}: took effect, reply lost ×{times}{}",
                step_name(step),
                for_saga(saga)
            ),
            FaultSpec::CompensationFails { step, times, saga } => format!(
                "{}: compensation fails {}{}",
                step_name(step),
                match times {
                    Some(n) => format!("×{n}"),
                    None => "for ever".to_string(),
                },
                for_saga(saga)
            ),
            FaultSpec::Latency { service, extra_ms } => {
                format!("{}: +{extra_ms} ms latency", service.label())
            }
            FaultSpec::ServiceDown { service, for_ms } => {
                format!("{} down for {} s", service.label(), seconds(*for_ms))
            }
            FaultSpec::DatabaseDown { service, for_ms } => {
                format!(
                    "{} database down for {} s",
                    service.label(),
                    seconds(*for_ms)
                )
            }
            FaultSpec::OrchestratorDown { for_ms } => {
                format!("orchestrator crashes, back after {} s", seconds(*for_ms))
            }
            FaultSpec::Drop { service, times } => format!("drop {times} message(s){}", to(service)),
            FaultSpec::Duplicate { service, times } => {
                format!("duplicate {times} message(s){}", to(service))
            }
            FaultSpec::Delay {
                service,
                extra_ms,
                times,
            } => format!("delay {times} message(s) by {extra_ms} ms{}", to(service)),
            FaultSpec::Reorder { service, times } => {
                format!("reorder {times} message(s){}", to(service))
            }
            FaultSpec::Poison { service } => format!("{}: poison message", service.label()),
            FaultSpec::CrashAfterCommit { service, times } => {
                format!("{}: crashes after commit ×{times}", service.label())
            }
            FaultSpec::Chaos { percent, for_ms } => {
                format!("chaos {percent}% for {} s", seconds(*for_ms))
            }
        }
    }

    /// Checks ranges and references; `path` names the field in error messages.
    pub fn validate(&self, scenario: &Scenario, path: &str) -> Result<(), ScenarioError> {
        let err = |field: &str, problem: String| ScenarioError::Invalid {
            path: format!("{path}.{field}"),
            problem,
        };
        let steps = scenario.definition.steps.len();
        if let FaultSpec::BusinessFailure { step, .. }
        | FaultSpec::TransientError { step, .. }
        | FaultSpec::NoReply { step, .. }
        | FaultSpec::Ambiguous { step, .. }
        | FaultSpec::CompensationFails { step, .. } = self
        {
            if *step == 0 || *step > steps {
                return Err(err("step", format!("{step} is not a step (1..={steps})")));
            }
        }
        if let FaultSpec::BusinessFailure { step, .. } = self {
            let def = &scenario.definition.steps[step - 1];
            if def.kind == StepKind::Retriable {
                return Err(err(
                    "step",
                    format!(
                        "step {step} ({}) is retriable: it has no business failure",
                        def.name
                    ),
                ));
            }
        }
        if let FaultSpec::CompensationFails { step, .. } = self {
            let def = &scenario.definition.steps[step - 1];
            if def.compensation.is_none() {
                return Err(err(
                    "step",
                    format!("step {step} ({}) has no compensation", def.name),
                ));
            }
        }
        if let Some(saga) = self.saga_filter() {
            if saga >= MAX_SAGAS {
                return Err(err("saga", format!("{saga} is not a saga number")));
            }
        }
        if let Some(times) = self.times() {
            if times == 0 || times > 100 {
                return Err(err("times", format!("{times} is outside 1..=100")));
            }
        }
        if let Some(ms) = self.duration_ms() {
            if ms == 0 || ms > MAX_TIME_MS {
                return Err(err("for_ms", format!("{ms} is outside 1..={MAX_TIME_MS}")));
            }
        }
        match self {
            FaultSpec::Latency { extra_ms, .. } | FaultSpec::Delay { extra_ms, .. }
                if *extra_ms == 0 || *extra_ms > 60_000 =>
            {
                Err(err("extra_ms", format!("{extra_ms} is outside 1..=60000")))
            }
            FaultSpec::Chaos { percent, .. } if *percent == 0 || *percent > 100 => {
                Err(err("percent", format!("{percent} is outside 1..=100")))
            }
            _ => Ok(()),
        }
    }
}

fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}", ms / 1000)
    } else {
        format!("{:.1}", ms as f64 / 1000.0)
    }
}
