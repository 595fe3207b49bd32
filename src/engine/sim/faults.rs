//! Faults in a run: injecting them, firing them, clearing them (removed, expired or used up),
//! and the questions the services and the network ask about which faults are active.

use super::{Occurrence, Simulation};
use crate::engine::definition::ServiceId;
use crate::engine::event::{ClearReason, EventKind};
use crate::engine::fault::{FaultKind, FaultSpec};
use crate::engine::message::{SagaId, Task};
use crate::engine::scenario::Storage;

/// A fault as it stands in a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActiveFault {
    /// Its number, in injection order.
    pub id: usize,
    /// What it is.
    pub spec: FaultSpec,
    /// When it was injected.
    pub injected_ms: u64,
    /// When it ends by itself, if it does.
    pub until_ms: Option<u64>,
    /// How many more times it fires, if it is counted.
    pub remaining: Option<u32>,
    /// Whether it still acts.
    pub active: bool,
    /// How many times it has fired.
    pub fired: u32,
    /// Poison: the (saga, task) or event it has poisoned.
    pub poisoned: Option<(SagaId, Task)>,
}

impl Simulation {
    pub(super) fn inject(&mut self, spec: FaultSpec) {
        let id = self.faults.len();
        let until_ms = spec.duration_ms().map(|d| self.now_ms + d);
        self.faults.push(ActiveFault {
            id,
            spec: spec.clone(),
            injected_ms: self.now_ms,
            until_ms,
            remaining: spec.times(),
            active: true,
            fired: 0,
            poisoned: None,
        });
        self.emit(
            None,
            EventKind::FaultInjected {
                fault: id,
                spec: spec.clone(),
            },
        );
        if let Some(until) = until_ms {
            self.schedule_seq(until, Occurrence::FaultExpires(id));
        }
        if !spec.applies_to(self.scenario.coordination) {
            return;
        }
        match spec {
            FaultSpec::ServiceDown { service, .. } => {
                self.service_down[service.index()] += 1;
                if self.service_down[service.index()] == 1 {
                    self.emit(None, EventKind::ServiceDown { service });
                }
            }
            FaultSpec::DatabaseDown { service, .. } => {
                let was_up = self.database_up(service);
                self.database_down[service.index()] += 1;
                if was_up {
                    let which = match self.scenario.storage {
                        Storage::PerService => Some(service),
                        Storage::Shared => None,
                    };
                    self.emit(None, EventKind::DatabaseDown { service: which });
                }
            }
            FaultSpec::OrchestratorDown { .. } => self.orchestrator_crash(),
            _ => {}
        }
    }

    pub(super) fn clear_fault(&mut self, id: usize, reason: ClearReason) {
        let Some(fault) = self.faults.get_mut(id) else {
            return;
        };
        if !fault.active {
            return;
        }
        fault.active = false;
        let spec = fault.spec.clone();
        self.emit(None, EventKind::FaultCleared { fault: id, reason });
        if !spec.applies_to(self.scenario.coordination) {
            return;
        }
        match spec {
            FaultSpec::ServiceDown { service, .. } => {
                let down = &mut self.service_down[service.index()];
                *down = down.saturating_sub(1);
                if *down == 0 {
                    self.emit(None, EventKind::ServiceUp { service });
                    self.service_recovered(service);
                }
            }
            FaultSpec::DatabaseDown { service, .. } => {
                let down = &mut self.database_down[service.index()];
                *down = down.saturating_sub(1);
                if self.database_up(service) {
                    let which = match self.scenario.storage {
                        Storage::PerService => Some(service),
                        Storage::Shared => None,
                    };
                    self.emit(None, EventKind::DatabaseUp { service: which });
                }
            }
            FaultSpec::OrchestratorDown { .. } => {
                let still_down = self
                    .faults
                    .iter()
                    .any(|f| f.active && matches!(f.spec, FaultSpec::OrchestratorDown { .. }));
                if !still_down {
                    self.orchestrator_recover();
                }
            }
            _ => {}
        }
    }

    /// Marks one firing of fault `id`, retiring it when used up.
    pub(super) fn fire(&mut self, id: usize, saga: Option<SagaId>) {
        let used_up = match self.faults.get_mut(id) {
            Some(fault) => {
                fault.fired += 1;
                if let Some(left) = fault.remaining.as_mut() {
                    *left = left.saturating_sub(1);
                    *left == 0
                } else {
                    false
                }
            }
            None => return,
        };
        self.emit(saga, EventKind::FaultFired { fault: id });
        if used_up {
            self.clear_fault(id, ClearReason::UsedUp);
        }
    }

    pub(super) fn fire_message_fault(
        &mut self,
        service: Option<ServiceId>,
        kind: FaultKind,
    ) -> Option<usize> {
        let id = self.faults.iter().position(|f| {
            f.active
                && f.spec.kind() == kind
                && match &f.spec {
                    FaultSpec::Drop { service: s, .. }
                    | FaultSpec::Duplicate { service: s, .. }
                    | FaultSpec::Delay { service: s, .. }
                    | FaultSpec::Reorder { service: s, .. } => s.is_none() || *s == service,
                    _ => false,
                }
        })?;
        self.fire(id, None);
        Some(id)
    }

    pub(super) fn chaos_percent(&self) -> Option<u32> {
        self.faults.iter().find_map(|f| match f.spec {
            FaultSpec::Chaos { percent, .. } if f.active => Some(percent),
            _ => None,
        })
    }

    /// The first active step fault of `kind` for this saga and step.
    pub(super) fn step_fault(&self, kind: FaultKind, saga: SagaId, step: usize) -> Option<usize> {
        self.faults.iter().position(|f| {
            f.active
                && f.spec.kind() == kind
                && f.spec.step_index() == Some(step)
                && f.spec.saga_filter().is_none_or(|s| s == saga)
        })
    }

    /// Extra processing time from latency faults on `service`.
    pub(crate) fn latency_ms(&self, service: ServiceId) -> u64 {
        self.faults
            .iter()
            .filter(|f| f.active)
            .filter_map(|f| match f.spec {
                FaultSpec::Latency {
                    service: s,
                    extra_ms,
                } if s == service => Some(extra_ms),
                _ => None,
            })
            .sum()
    }
}
