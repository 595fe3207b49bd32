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
        let capacity = u64::from(capacity);
        if bookings > capacity {
            found.push(Violation::new(
                Invariant::Isolation,
                holders.iter().copied().collect(),
                None,
                now,
                format!(
                    "{slot} is overbooked: {bookings} bookings ({}) for {capacity} table(s)",
                    names(&holders)
                ),
            ));
        }
        let left = tables.shared.tables_left.get(slot).map(|c| c.value);
        let expected = capacity.saturating_sub(bookings);
        if bookings <= capacity && left != Some(expected) {
            let said = left.map_or("nothing".to_string(), |l| l.to_string());
            found.push(Violation::new(
                Invariant::Isolation,
                holders.iter().copied().collect(),
                None,
                now,
                format!(
                    "tables left at {slot} says {said}, but {capacity} table(s) − {bookings} booking(s) = {expected}"
                ),
            ));
        }
    }
    for (customer, &initial) in &shared.gift_cards {
        let theirs: BTreeSet<SagaId> = sim
            .sagas()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.spec.customer == *customer)
            .map(|(i, _)| i)
            .collect();
        let net: i128 = tables
            .ledger
            .iter()
            .filter(|r| theirs.contains(&r.saga))
            .map(|r| match r.kind {
                LedgerKind::Charged => i128::from(r.amount_cents),
                LedgerKind::Refunded => -i128::from(r.amount_cents),
            })
            .sum();
        let expected = i128::from(initial) - net;
        let balance = tables.shared.gift_cards.get(customer).map(|c| c.value);
        if balance.map(i128::from) != Some(expected) {
            let said = balance.map_or("nothing".to_string(), money);
            let lost = if balance.map(i128::from) > Some(expected) {
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

fn signed_money(cents: i128) -> String {
    let text = money(u64::try_from(cents.unsigned_abs()).unwrap_or(u64::MAX));
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
