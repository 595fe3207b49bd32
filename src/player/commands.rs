//! The commands a person sends to the run: inject or remove a fault, chaos on or off, cancel a
//! saga, redrive the dead letters. Each is recorded in the fault plan or the scenario, so that
//! the run can be replayed and shared.

use super::*;

impl Player {
    pub(super) fn command(&mut self, command: Command) -> Result<(), PlayerError> {
        self.settle();
        if self.in_past() {
            // Refuse a command that cannot apply before discarding anything.
            let mut trial = self.at.sim.clone();
            trial.handle_command(command.clone())?;
            self.fork_here();
        }
        self.tape = None;
        self.at.sim.handle_command(command)?;
        self.at.sim.discard_pending_events();
        self.at.monitor.observe(&self.at.sim);
        self.determinism_checked = false;
        self.after_change();
        Ok(())
    }

    /// Injects a fault now and adds it to the plan, so a restart meets it from time 0.
    /// Returns the fault's number in this run.
    pub fn inject(&mut self, fault: FaultSpec) -> Result<usize, PlayerError> {
        self.command(Command::InjectFault {
            fault: fault.clone(),
        })?;
        let id = self.at.sim.faults().len().saturating_sub(1);
        if fault.applies_to(self.settings.coordination) {
            self.plan.push(fault.clone());
            self.planned.push((id, fault));
        }
        Ok(id)
    }

    /// Removes an active fault; a fault from the user's plan leaves the plan too.
    pub fn remove_fault(&mut self, fault: usize) -> Result<(), PlayerError> {
        self.command(Command::RemoveFault { fault })?;
        if let Some(pos) = self.planned.iter().position(|(id, _)| *id == fault) {
            let (_, spec) = self.planned.remove(pos);
            if let Some(i) = self.plan.iter().position(|f| *f == spec) {
                self.plan.remove(i);
            }
        }
        Ok(())
    }

    /// Switches chaos on (injecting `chaos`) or off (removing every active chaos fault).
    pub fn set_chaos(&mut self, on: bool, chaos: FaultSpec) -> Result<(), PlayerError> {
        if on {
            self.inject(chaos).map(|_| ())
        } else {
            let active: Vec<usize> = self
                .at
                .sim
                .faults()
                .iter()
                .filter(|f| f.active && f.spec.kind() == FaultKind::Chaos)
                .map(|f| f.id)
                .collect();
            for id in active {
                self.remove_fault(id)?;
            }
            self.plan.retain(|f| f.kind() != FaultKind::Chaos);
            Ok(())
        }
    }

    /// Whether a chaos fault is acting.
    pub fn chaos_on(&self) -> bool {
        self.sim()
            .faults()
            .iter()
            .any(|f| f.active && f.spec.kind() == FaultKind::Chaos)
    }

    /// The customer cancels saga `saga`.
    pub fn cancel(&mut self, saga: usize) -> Result<(), PlayerError> {
        self.command(Command::Cancel { saga })
    }

    /// Dead letters go back to their queues; stuck compensations are tried again.
    pub fn redrive(&mut self) -> Result<(), PlayerError> {
        self.command(Command::Redrive)
    }
}
