//! Commands: the inputs a running simulation takes (start, inject or remove a fault, cancel,
//! redrive), carried out now or at their scheduled moment, and recorded so that a run can be
//! replayed exactly.

use super::{new_saga_record, Occurrence, Simulation};
use crate::engine::event::{ClearReason, EventKind};
use crate::engine::message::{EventName, SagaId};
use crate::engine::scenario::{Command, Coordination, Scenario, ScenarioError, ScheduledCommand};

/// A command could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The command's fault or saga is malformed.
    #[error("{0}")]
    Invalid(#[from] ScenarioError),
    /// No saga with that number has been started.
    #[error("there is no saga {0}")]
    NoSuchSaga(usize),
    /// No fault with that number has been injected.
    #[error("there is no fault {0}")]
    NoSuchFault(usize),
    /// Too many sagas already.
    #[error("at most {0} sagas can run")]
    TooManySagas(usize),
}

impl Simulation {
    /// Carries out a command now, after everything already due, and records it so that
    /// [`Simulation::replay_scenario`] reproduces the run.
    pub fn handle_command(&mut self, command: Command) -> Result<(), CommandError> {
        self.advance_to(self.now_ms);
        self.apply_command(command.clone())?;
        self.issued.push(ScheduledCommand {
            at_ms: self.now_ms,
            command,
        });
        Ok(())
    }

    /// Commands given through [`Simulation::handle_command`], with their moments.
    pub fn issued_commands(&self) -> &[ScheduledCommand] {
        &self.issued
    }

    /// The scenario plus every command issued so far: running it reproduces this run exactly.
    pub fn replay_scenario(&self) -> Scenario {
        let mut scenario = self.scenario.clone();
        scenario.commands.extend(self.issued.iter().cloned());
        scenario
    }

    /// Forgets the scheduled commands from number `from` on that have not run yet (a fork: the
    /// future they belonged to is discarded; the commands before `from` are the scenario's own).
    /// The run goes on exactly as a run of [`Simulation::replay_scenario`] would from here.
    /// Returns how many were forgotten.
    pub fn forget_future_commands(&mut self, from: usize) -> usize {
        let pending: Vec<usize> = self
            .agenda
            .values()
            .filter_map(|o| match o {
                Occurrence::ScheduledCommand(i) if *i >= from => Some(*i),
                _ => None,
            })
            .collect();
        if pending.is_empty() {
            return 0;
        }
        self.agenda
            .retain(|_, o| !matches!(o, Occurrence::ScheduledCommand(i) if pending.contains(i)));
        // Every command left in the agenda comes before `from` and keeps its number.
        let mut index = 0;
        self.scenario.commands.retain(|_| {
            let keep = !pending.contains(&index);
            index += 1;
            keep
        });
        pending.len()
    }

    pub(super) fn apply_command(&mut self, command: Command) -> Result<(), CommandError> {
        match command {
            Command::Start { saga } => {
                crate::engine::scenario::Scenario::new(vec![saga.clone()]).validate()?;
                if self.sagas.len() >= crate::engine::scenario::MAX_SAGAS {
                    return Err(CommandError::TooManySagas(
                        crate::engine::scenario::MAX_SAGAS,
                    ));
                }
                let start = saga.start_ms.max(self.now_ms);
                let id = self.sagas.len();
                self.sagas
                    .push(new_saga_record(id, saga, self.step_count()));
                self.schedule_seq(start, Occurrence::StartSaga(id));
                Ok(())
            }
            Command::InjectFault { fault } => {
                fault.validate(&self.scenario, "fault")?;
                self.inject(fault);
                Ok(())
            }
            Command::RemoveFault { fault } => {
                if fault >= self.faults.len() {
                    return Err(CommandError::NoSuchFault(fault));
                }
                self.clear_fault(fault, ClearReason::Removed);
                Ok(())
            }
            Command::Cancel { saga } => {
                if saga >= self.sagas.len() {
                    return Err(CommandError::NoSuchSaga(saga));
                }
                self.request_cancel(saga);
                Ok(())
            }
            Command::Redrive => {
                self.redrive();
                Ok(())
            }
        }
    }

    fn request_cancel(&mut self, saga: SagaId) {
        let ignored = crate::engine::defect::ignores_cancel(self.defect);
        if !ignored {
            if let Some(record) = self.sagas.get_mut(saga) {
                record.cancel_requested = true;
            }
        }
        self.emit(Some(saga), EventKind::CancelRequested);
        if ignored {
            return;
        }
        self.customer_request(saga, EventName::CancelRequested);
    }

    fn redrive(&mut self) {
        match self.scenario.coordination {
            Coordination::Orchestration => self.orchestrator_redrive(),
            Coordination::Choreography => self.redrive_dead_letters(),
        }
    }
}
