//! The invariant monitor: the design's invariants, checked against the simulated world.
//!
//! A checker shares nothing with what it checks. Every check here is computed from data the
//! engine's bookkeeping does not produce for it: the tables (reservations, ledger, slots,
//! notifications), the trace (every event, in order) and the scenario (what was asked for). The
//! engine's claims (each saga's outcome, its manual-intervention list) are what gets checked,
//! never the evidence. Exemptions are per saga and name their cause.
//!
//! Where each invariant's evidence comes from:
//!
//! 1. the trace's `ManualIntervention` against the saga's listing (outcomes at rest); the order
//!    of the `TaskApplied` compensations; exemptions from the trace's poison and for-ever
//!    compensation faults that hit that saga and are still in force;
//! 2. the ledger (a refund needs an earlier charge, one refund per charge), reservations as
//!    observed (cancelled needs created; cancelled once), and the trace's `TaskApplied` as a
//!    cross-check;
//! 3. charges per saga in the ledger, slot bookings and reservation statuses as observed,
//!    notifications per party, and `TaskApplied` as a cross-check;
//! 4. commands sent per task and series (orchestration), receives per message and series
//!    (choreography), against the scenario's retry policies and queue settings;
//! 5. every message's fate from the trace against the agenda, the queues and the dead-letter
//!    queue, and each loss against the faults that fired and the outages the trace shows;
//! 6. the ledger's totals against the scenario's amounts and the outcomes; slot rows;
//! 7. a replay from the scenario;
//! 8. the pivot's commands, replies and `TaskApplied` in the trace against later compensation;
//! 9. and 10. the tables (reservation, slot, ledger, the words of the last notice each party
//!    got) against the outcome, and against `CancelRequested` in the trace;
//! 11. each `RecordWritten` against the monitor's own value of the record (the scenario's
//!     starting value moved by the trace's writes) and the change its task makes; the slots
//!     table and the ledger against the shared counts of tables left and gift-card balances.
//!
//! [`check`] looks at a simulation at one moment and reports every broken invariant as data;
//! [`Monitor`] runs it after every event, folding only the new events, and remembers when each
//! invariant first broke. Both read the trace: a simulation made
//! [`without_trace`](Simulation::without_trace) cannot be monitored.

mod checks;
mod shared;
mod vocabulary;
mod watcher;

use std::collections::BTreeMap;

use super::sim::Simulation;

pub use vocabulary::{Invariant, InvariantStatus, UnknownInvariant, Violation};
use watcher::Watcher;

/// Checks invariants 1–6 and 8–11 now, from scratch. `settled` says the run has come to rest
/// (nothing more is due), which is when invariants 1 and 10 ask every saga to have ended.
pub fn check(sim: &Simulation, settled: bool) -> Vec<Violation> {
    let mut watcher = Watcher::default();
    watcher.catch_up(sim);
    let (found, _) = evaluate(sim, &watcher, settled);
    found
}

/// Everything broken now (history included), and the exemptions in force.
fn evaluate(sim: &Simulation, w: &Watcher, settled: bool) -> (Vec<Violation>, Vec<String>) {
    let now = (sim.now_ms(), sim.event_count().saturating_sub(1));
    let mut found = w.historic.clone();
    let exemptions = checks::ends_properly(sim, w, settled, now, &mut found);
    checks::no_message_lost(sim, w, now, &mut found);
    checks::money_adds_up(sim, now, &mut found);
    checks::outcome_matches_data(sim, now, &mut found);
    checks::cancel_honoured(sim, w, settled, now, &mut found);
    shared::isolation_holds(sim, now, &mut found);
    (found, exemptions)
}

/// Invariant 7: replays the run's scenario (with every command issued) from scratch to the same
/// moment and compares the traces event by event.
pub fn check_determinism(sim: &Simulation) -> Result<(), Box<Violation>> {
    let at = (sim.now_ms(), sim.event_count().saturating_sub(1));
    let broken = |detail: String| {
        Box::new(Violation::new(
            Invariant::Deterministic,
            Vec::new(),
            None,
            at,
            detail,
        ))
    };
    let mut again = match Simulation::new(sim.replay_scenario()) {
        Ok(s) => s,
        Err(e) => return Err(broken(format!("the scenario no longer loads: {e}"))),
    };
    // A test's deliberate defect is part of the run being replayed.
    again.defect = sim.defect;
    again.advance_to(sim.now_ms());
    let (a, b) = (sim.trace(), again.trace());
    if let Some(i) = (0..a.len().min(b.len())).find(|&i| a[i] != b[i]) {
        return Err(broken(format!("the replay differs at event {i}")));
    }
    if a.len() != b.len() {
        return Err(broken(format!(
            "the replay has {} events, the run {}",
            b.len(),
            a.len()
        )));
    }
    Ok(())
}

/// Checks after every event and remembers when each invariant first broke.
#[derive(Debug, Clone, Default)]
pub struct Monitor {
    watcher: Watcher,
    first: BTreeMap<Invariant, Violation>,
    exemptions: Vec<String>,
    checks: u64,
    determinism_checked: bool,
}

impl Monitor {
    /// A monitor that has seen nothing broken.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks `sim` now (folding the events since the last look); returns the violations found,
    /// the ones history already showed included.
    pub fn observe(&mut self, sim: &Simulation) -> Vec<Violation> {
        self.checks += 1;
        self.watcher.catch_up(sim);
        let (found, exemptions) = evaluate(sim, &self.watcher, sim.is_quiescent());
        for v in &found {
            self.first.entry(v.invariant).or_insert_with(|| v.clone());
        }
        self.exemptions = exemptions;
        found
    }

    /// Records a determinism result.
    pub fn record_determinism(&mut self, _sim: &Simulation, result: Result<(), Box<Violation>>) {
        self.determinism_checked = true;
        if let Err(v) = result {
            self.first.entry(Invariant::Deterministic).or_insert(*v);
        }
    }

    /// How many checks have run.
    pub fn checks(&self) -> u64 {
        self.checks
    }

    /// Whether nothing has broken.
    pub fn all_hold(&self) -> bool {
        self.first.is_empty()
    }

    /// The first violation of each invariant that broke, in the design's order.
    pub fn violations(&self) -> impl Iterator<Item = &Violation> {
        self.first.values()
    }

    /// The status of every invariant.
    pub fn report(&self) -> Vec<InvariantStatus> {
        Invariant::ALL
            .iter()
            .map(|&inv| {
                let first = self.first.get(&inv);
                InvariantStatus {
                    invariant: inv.number(),
                    name: inv.statement().to_string(),
                    key: inv.as_str().to_string(),
                    short_name: inv.short_name().to_string(),
                    holds: first.is_none(),
                    checked: inv != Invariant::Deterministic || self.determinism_checked,
                    broken_at: first.map(|v| (v.at_ms, v.seq)),
                    detail: first.map(|v| v.detail.clone()),
                    violation: first.cloned(),
                    exemptions: if inv == Invariant::EndsProperly {
                        self.exemptions.clone()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect()
    }
}
