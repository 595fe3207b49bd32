//! Invariant 11 from the tables: a slot with several tables never has more bookings than
//! tables, its count of tables left agrees with the bookings in the slots table, and a gift
//! card's balance agrees with the ledger's charges and refunds for its customer. The starting
//! values come from the scenario; everything else is counted from the rows.

use std::collections::BTreeSet;

use crate::engine::message::SagaId;
use crate::engine::sim::Simulation;
use crate::engine::tables::{money, LedgerKind};

use super::vocabulary::{saga_name, Invariant, Violation};

/// Checks the shared records against the rows they count.
pub(super) fn isolation_holds(sim: &Simulation, now: (u64, u64), found: &mut Vec<Violation>) {
    let shared = &sim.scenario().shared;
    let tables = sim.tables();
    for (slot, &capacity) in &shared.tables {
        let holders: BTreeSet<SagaId> = tables
            .slots
            .iter()
            .filter(|r| r.slot == *slot)
            .map(|r| r.saga)
            .collect();
        let bookings = tables.slots.iter().filter(|r| r.slot == *slot).count() as u64;
        let left = tables.shared.tables_left.get(slot).map(|c| c.value);
        let expected = capacity.saturating_sub(bookings);
        let broken = if bookings > capacity {
            format!(
                "{slot} is overbooked: {bookings} bookings ({}) for {capacity} table(s)",
                names(&holders)
            )
        } else if left != Some(expected) {
            let said = left.map_or("nothing".to_string(), |l| l.to_string());
            format!(
                "tables left at {slot} says {said}, but {capacity} table(s) − {bookings} booking(s) = {expected}"
            )
        } else {
            continue;
        };
        found.push(Violation::new(
            Invariant::Isolation,
            holders.into_iter().collect(),
            None,
            now,
            broken,
        ));
    }
    for (customer, &initial) in &shared.gift_cards {
        let theirs: BTreeSet<SagaId> = sim
            .sagas()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.spec.customer == *customer)
            .map(|(i, _)| i)
            .collect();
        let net: i64 = tables
            .ledger
            .iter()
            .filter(|r| theirs.contains(&r.saga))
            .map(|r| match r.kind {
                LedgerKind::Charged => signed(r.amount_cents),
                LedgerKind::Refunded => -signed(r.amount_cents),
            })
            .sum();
        let expected = signed(initial) - net;
        let balance = tables.shared.gift_cards.get(customer).map(|c| c.value);
        if balance.map(signed) != Some(expected) {
            let said = balance.map_or("nothing".to_string(), money);
            let lost = if balance.map(signed) > Some(expected) {
                "a charge was forgotten"
            } else {
                "a refund was forgotten"
            };
            found.push(Violation::new(
                Invariant::Isolation,
                theirs.iter().copied().collect(),
                None,
                now,
                format!(
                    "{customer}'s gift card holds {said}, but {} less the ledger's net charges of {} leaves {}: {lost}",
                    money(initial),
                    signed_money(net),
                    signed_money(expected)
                ),
            ));
        }
    }
}

pub(super) fn signed_money(cents: i64) -> String {
    let text = money(cents.unsigned_abs());
    if cents < 0 {
        format!("−{text}")
    } else {
        text
    }
}

fn names(sagas: &BTreeSet<SagaId>) -> String {
    sagas
        .iter()
        .map(|&s| saga_name(s))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A count or amount as a signed number (every value a scenario allows fits).
pub(super) fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
