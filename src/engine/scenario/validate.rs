//! Checking a scenario before it runs: every number in range, every saga well formed, the
//! definition and the faults valid; each rejection names the place (a JSON path) and the
//! problem.

use super::*;

impl Scenario {
    /// Checks every value against its range and every reference against what exists.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != SCENARIO_VERSION {
            return Err(ScenarioError::Version(self.version));
        }
        self.definition.validate()?;
        if self.name.len() > 200 {
            return Err(invalid("name", "longer than 200 characters"));
        }
        if self.description.len() > 2_000 {
            return Err(invalid("description", "longer than 2000 characters"));
        }
        if self.sagas.len() > MAX_SAGAS {
            return Err(invalid(
                "sagas",
                format!(
                    "{} sagas; at most {MAX_SAGAS} are allowed",
                    self.sagas.len()
                ),
            ));
        }
        for (i, saga) in self.sagas.iter().enumerate() {
            validate_saga(saga, &format!("sagas[{i}]"))?;
        }
        let injected = self
            .commands
            .iter()
            .filter(|c| matches!(c.command, Command::InjectFault { .. }))
            .count();
        if self.faults.len() + injected > MAX_FAULTS {
            return Err(invalid(
                "faults",
                format!(
                    "{} faults; at most {MAX_FAULTS} are allowed",
                    self.faults.len() + injected
                ),
            ));
        }
        for (i, fault) in self.faults.iter().enumerate() {
            fault.validate(self, &format!("faults[{i}]"))?;
        }
        if self.commands.len() > MAX_COMMANDS {
            return Err(invalid(
                "commands",
                format!(
                    "{} commands; at most {MAX_COMMANDS} are allowed",
                    self.commands.len()
                ),
            ));
        }
        let mut sagas_so_far = self.sagas.len();
        let mut faults_so_far = self.faults.len();
        for (i, scheduled) in self.commands.iter().enumerate() {
            let path = format!("commands[{i}]");
            if scheduled.at_ms > MAX_TIME_MS {
                return Err(invalid(format!("{path}.at_ms"), "later than one hour"));
            }
            match &scheduled.command {
                Command::Start { saga } => {
                    validate_saga(saga, &format!("{path}.saga"))?;
                    sagas_so_far += 1;
                    if sagas_so_far > MAX_SAGAS {
                        return Err(invalid(path, format!("more than {MAX_SAGAS} sagas")));
                    }
                }
                Command::InjectFault { fault } => {
                    fault.validate(self, &format!("{path}.fault"))?;
                    faults_so_far += 1;
                }
                Command::RemoveFault { fault } => {
                    if *fault >= faults_so_far {
                        return Err(invalid(
                            format!("{path}.fault"),
                            format!("no fault number {fault} has been injected by then"),
                        ));
                    }
                }
                Command::Cancel { saga } => {
                    if *saga >= MAX_SAGAS {
                        return Err(invalid(format!("{path}.saga"), "no such saga"));
                    }
                }
                Command::Redrive => {}
            }
        }
        self.validate_settings()
    }

    pub(super) fn validate_settings(&self) -> Result<(), ScenarioError> {
        let t = &self.timing;
        let in_range = |path: &str, value: u64, min: u64, max: u64| {
            if value < min || value > max {
                Err(invalid(path, format!("{value} is outside {min}..={max}")))
            } else {
                Ok(())
            }
        };
        in_range("timing.network_ms", t.network_ms, 1, 60_000)?;
        in_range("timing.network_jitter_ms", t.network_jitter_ms, 0, 60_000)?;
        in_range("timing.process_ms", t.process_ms, 1, 60_000)?;
        in_range("timing.step_timeout_ms", t.step_timeout_ms, 100, 600_000)?;
        in_range("timing.relay_ms", t.relay_ms, 1, 60_000)?;
        in_range("timing.relay_retry_ms", t.relay_retry_ms, 10, 60_000)?;
        for (name, policy) in [
            ("retry.step", &self.retry.step),
            ("retry.compensation", &self.retry.compensation),
            ("retry.retriable", &self.retry.retriable),
        ] {
            in_range(
                &format!("{name}.interval_ms"),
                policy.interval_ms,
                1,
                600_000,
            )?;
            in_range(
                &format!("{name}.max_delay_ms"),
                policy.max_delay_ms,
                1,
                600_000,
            )?;
            if let Some(max) = policy.max_attempts {
                in_range(&format!("{name}.max_attempts"), u64::from(max), 1, 20)?;
            }
            if !(1.0..=10.0).contains(&policy.backoff_rate) {
                return Err(invalid(
                    format!("{name}.backoff_rate"),
                    format!("{} is outside 1.0..=10.0", policy.backoff_rate),
                ));
            }
        }
        in_range(
            "queues.visibility_timeout_ms",
            self.queues.visibility_timeout_ms,
            100,
            600_000,
        )?;
        in_range(
            "queues.max_receive_count",
            u64::from(self.queues.max_receive_count),
            1,
            20,
        )?;
        self.validate_shared()
    }

    fn validate_shared(&self) -> Result<(), ScenarioError> {
        let shared = &self.shared;
        if shared.tables.len() > MAX_SAGAS || shared.gift_cards.len() > MAX_SAGAS {
            return Err(invalid(
                "shared",
                format!("at most {MAX_SAGAS} slots and {MAX_SAGAS} gift cards are allowed"),
            ));
        }
        for (slot, &tables) in &shared.tables {
            let path = format!("shared.tables[\"{}\"]", clip(slot));
            if slot.trim().is_empty() || slot.len() > 60 {
                return Err(invalid(path, "a slot's name must be 1 to 60 characters"));
            }
            if tables > 100 {
                return Err(invalid(path, format!("{tables} tables; at most 100")));
            }
        }
        for (customer, &cents) in &shared.gift_cards {
            let path = format!("shared.gift_cards[\"{}\"]", clip(customer));
            if customer.trim().is_empty() || customer.len() > 60 {
                return Err(invalid(
                    path,
                    "a customer's name must be 1 to 60 characters",
                ));
            }
            if cents > 100_000_000 {
                return Err(invalid(path, "must be at most 100000000 cents"));
            }
        }
        Ok(())
    }
}

/// A name cut short enough to quote in a message.
fn clip(name: &str) -> String {
    name.chars().take(60).collect()
}

fn validate_saga(saga: &SagaSpec, path: &str) -> Result<(), ScenarioError> {
    if saga.customer.trim().is_empty() || saga.customer.len() > 60 {
        return Err(invalid(
            format!("{path}.customer"),
            "must be 1 to 60 characters",
        ));
    }
    if saga.slot.trim().is_empty() || saga.slot.len() > 60 {
        return Err(invalid(
            format!("{path}.slot"),
            "must be 1 to 60 characters",
        ));
    }
    if saga.party_size == 0 || saga.party_size > 50 {
        return Err(invalid(format!("{path}.party_size"), "must be 1 to 50"));
    }
    if saga.amount_cents == 0 || saga.amount_cents > 10_000_000 {
        return Err(invalid(
            format!("{path}.amount_cents"),
            "must be 1 to 10000000",
        ));
    }
    if saga.start_ms > MAX_TIME_MS {
        return Err(invalid(format!("{path}.start_ms"), "later than one hour"));
    }
    Ok(())
}
