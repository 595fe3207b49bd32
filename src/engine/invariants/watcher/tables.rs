//! The watcher's look at the tables after each event: rows that went back, cancellations without
//! their creation, a slot booked or held twice, money charged or refunded more often than the
//! trace allows, and each party told at most once.

use std::collections::BTreeMap;

use crate::engine::sim::Simulation;
use crate::engine::tables::{LedgerKind, ReservationStatus};

use super::super::vocabulary::{saga_name, Invariant};
use super::*;

impl Watcher {
    /// Looks at the tables and compares them with what earlier observations saw.
    pub(super) fn observe_tables(&mut self, sim: &Simulation) {
        let tables = sim.tables();
        let at = (sim.now_ms(), sim.event_count().saturating_sub(1));
        let creating = creating_step(sim.scenario());
        // The ledger only grows: each new row is judged against the rows before it.
        for row in tables.ledger.iter().skip(self.ledger_seen) {
            let saga = row.saga;
            match row.kind {
                LedgerKind::Charged => {
                    let n = self.charges.entry(saga).or_default();
                    *n += 1;
                    if *n == 2 {
                        self.historic.push(Violation::new(
                            Invariant::ActionAtMostOnce,
                            vec![saga],
                            None,
                            at,
                            format!(
                                "{} was charged twice (ledger entry {})",
                                saga_name(saga),
                                row.entry
                            ),
                        ));
                    }
                }
                LedgerKind::Refunded => {
                    let charged = self.charges.get(&saga).copied().unwrap_or(0);
                    let n = self.refunds.entry(saga).or_default();
                    *n += 1;
                    let detail = if charged == 0 {
                        Some(format!(
                            "{} was refunded (ledger entry {}) but never charged",
                            saga_name(saga),
                            row.entry
                        ))
                    } else if *n > charged {
                        Some(format!(
                            "{} was refunded {n} times for {charged} charge(s) (ledger entry {})",
                            saga_name(saga),
                            row.entry
                        ))
                    } else {
                        None
                    };
                    if let Some(detail) = detail {
                        self.historic.push(Violation::new(
                            Invariant::UndoOnlyWhatWasDone,
                            vec![saga],
                            None,
                            at,
                            detail,
                        ));
                    }
                }
            }
        }
        self.ledger_seen = tables.ledger.len();
        // Reservations: a status only moves forward, PENDING → CONFIRMED → CANCELLED.
        let rank = |s: ReservationStatus| match s {
            ReservationStatus::Pending => 0,
            ReservationStatus::Confirmed => 1,
            ReservationStatus::Cancelled => 2,
        };
        let mut found = Vec::new();
        for (saga, row) in &tables.reservations {
            let now = SeenReservation {
                status: row.status,
                updated_ms: row.updated_ms,
            };
            match self.reservations.get(saga) {
                None if row.status == ReservationStatus::Cancelled => {
                    let created_per_trace = creating.is_some_and(|c| {
                        self.sagas
                            .get(saga)
                            .and_then(|w| w.actions.get(&c))
                            .is_some_and(|n| *n > 0)
                    });
                    if !created_per_trace {
                        found.push((
                            Invariant::UndoOnlyWhatWasDone,
                            *saga,
                            format!(
                                "the reservation of {} is cancelled but was never created",
                                saga_name(*saga)
                            ),
                        ));
                    }
                }
                Some(before) if rank(now.status) < rank(before.status) => found.push((
                    Invariant::ActionAtMostOnce,
                    *saga,
                    format!(
                        "the reservation of {} went back from {:?} to {:?}: an action took effect again",
                        saga_name(*saga),
                        before.status,
                        now.status
                    ),
                )),
                Some(before)
                    if before.status == ReservationStatus::Cancelled
                        && now.status == ReservationStatus::Cancelled
                        && before.updated_ms != now.updated_ms =>
                {
                    found.push((
                        Invariant::UndoOnlyWhatWasDone,
                        *saga,
                        format!(
                            "the reservation of {} was cancelled twice",
                            saga_name(*saga)
                        ),
                    ))
                }
                _ => {}
            }
            self.reservations.insert(*saga, now);
        }
        // Slots: each saga books at most once; a saga never holds two rows.
        let mut holds: BTreeMap<SagaId, usize> = BTreeMap::new();
        for row in &tables.slots {
            *holds.entry(row.saga).or_default() += 1;
        }
        for (saga, n) in &holds {
            if !self.slot_holds.contains(saga) {
                let b = self.bookings.entry(*saga).or_default();
                *b += 1;
                if *b == 2 {
                    found.push((
                        Invariant::ActionAtMostOnce,
                        *saga,
                        format!("{} booked a slot a second time", saga_name(*saga)),
                    ));
                }
            }
            if *n > 1 && self.double_holds_reported.insert(*saga) {
                found.push((
                    Invariant::ActionAtMostOnce,
                    *saga,
                    format!("{} holds {n} slot rows at once", saga_name(*saga)),
                ));
            }
        }
        self.slot_holds = holds.keys().copied().collect();
        // Notifications: each party is told of success, or of failure, at most once per saga.
        for row in tables.notifications.iter().skip(self.notifications_seen) {
            let kind = notice_kind(&row.text) == NoticeKind::Success;
            let n = self
                .notices
                .entry((row.saga, recipient_index(row.recipient), kind))
                .or_default();
            *n += 1;
            if *n == 2 {
                found.push((
                    Invariant::ActionAtMostOnce,
                    row.saga,
                    format!(
                        "{}: the {:?} was told \"{}\" twice",
                        saga_name(row.saga),
                        row.recipient,
                        row.text
                    ),
                ));
            }
        }
        self.notifications_seen = tables.notifications.len();
        for (invariant, saga, detail) in found {
            self.historic
                .push(Violation::new(invariant, vec![saga], None, at, detail));
        }
    }
}
