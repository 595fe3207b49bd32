//! Data several sagas contend for: the restaurant's tables left per slot (Calendar) and a
//! customer's gift card (Payment).
//!
//! A saga has no isolation: its local transactions commit one by one, so concurrent sagas meet
//! each other's work. Here the meeting is real. A service handling a request on a shared record
//! reads it when the request arrives (a [`EventKind::RecordRead`](super::event::EventKind)),
//! works for the handling time, then decides and writes (a `RecordWritten`). Done the naive way
//! (decide on the value read, write back the value computed from it), two handlings that overlap
//! lose one update: two customers read the last free table and both get it, or two charges read
//! one balance and the card forgets one. The countermeasures of Richardson's *Microservices
//! Patterns* (ch. 4) are switches in [`Safeguards`](super::scenario::Safeguards): the semantic
//! lock (a PENDING flag that others wait on), commutative updates and reread value.
//!
//! A slot or customer that the scenario does not list here keeps the plain rules: one saga per
//! slot, a card with no balance.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::definition::Operation;
use super::message::SagaId;
use super::scenario::SagaSpec;
use super::tables::money;

/// What concurrent sagas did to each other's data, as the monitor names it (Berenson et al.'s
/// phenomena, in a saga's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anomaly {
    /// A write based on a stale read wiped out another saga's update.
    LostUpdate,
    /// A saga acted on another saga's update that was later undone by its compensation.
    DirtyRead,
    /// Two steps of one saga read the same record and saw two values: another saga wrote it in
    /// between (a fuzzy, or non-repeatable, read).
    FuzzyRead,
}

/// The shared records a scenario starts with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedData {
    /// Calendar: how many tables each listed slot has. A booking takes one, a release gives it
    /// back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, u64>,
    /// Payment: each listed customer pays from a gift card holding this many cents. A charge
    /// the balance cannot cover is declined.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub gift_cards: BTreeMap<String, u64>,
    /// Reservation looks at the slot's tables left before it accepts a booking, and refuses
    /// when none is left: the saga reads the record in its first step and again when Calendar
    /// books.
    #[serde(default, skip_serializing_if = "super::scenario::is_off")]
    pub check_availability: bool,
}

impl SharedData {
    /// Whether nothing is shared and nothing said about it (the restaurant's plain rules apply
    /// everywhere, and a scenario file leaves the section out).
    pub fn is_empty(&self) -> bool {
        *self == SharedData::default()
    }

    /// The record an operation for this saga reads and writes, and what it does to it; `None`
    /// when the operation touches no shared record.
    pub fn access(&self, op: Operation, spec: &SagaSpec) -> Option<(Record, Change)> {
        let slot = || Record::TablesLeft {
            slot: spec.slot.clone(),
        };
        let card = || Record::GiftCard {
            customer: spec.customer.clone(),
        };
        match op {
            Operation::CreateReservation
                if self.check_availability && self.tables.contains_key(&spec.slot) =>
            {
                Some((slot(), Change::Need(1)))
            }
            Operation::BookSlot if self.tables.contains_key(&spec.slot) => {
                Some((slot(), Change::Take(1)))
            }
            Operation::ReleaseSlot if self.tables.contains_key(&spec.slot) => {
                Some((slot(), Change::Give(1)))
            }
            Operation::ChargeCard if self.gift_cards.contains_key(&spec.customer) => {
                Some((card(), Change::Take(spec.amount_cents)))
            }
            Operation::RefundPayment if self.gift_cards.contains_key(&spec.customer) => {
                Some((card(), Change::Give(spec.amount_cents)))
            }
            _ => None,
        }
    }

    /// The value a record starts with.
    pub fn initial(&self, record: &Record) -> Option<u64> {
        match record {
            Record::TablesLeft { slot } => self.tables.get(slot).copied(),
            Record::GiftCard { customer } => self.gift_cards.get(customer).copied(),
        }
    }
}

/// One shared record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// Calendar: tables left in a slot.
    TablesLeft {
        /// The slot.
        slot: String,
    },
    /// Payment: a customer's gift-card balance, in cents.
    GiftCard {
        /// The customer.
        customer: String,
    },
}

impl Record {
    /// The record as people read it: "tables left at Fri 19:30".
    pub fn label(&self) -> String {
        match self {
            Record::TablesLeft { slot } => format!("tables left at {slot}"),
            Record::GiftCard { customer } => format!("{customer}'s gift card"),
        }
    }

    /// A value of this record as people read it: "1 table", "€10.00".
    pub fn value_text(&self, value: u64) -> String {
        match self {
            Record::TablesLeft { .. } if value == 1 => "1 table".to_string(),
            Record::TablesLeft { .. } => format!("{value} tables"),
            Record::GiftCard { .. } => money(value),
        }
    }
}

/// What an operation does to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Takes this much, and is refused when there is less.
    Take(u64),
    /// Gives this much back.
    Give(u64),
    /// Only looks: needs this much to be there, and writes nothing.
    Need(u64),
}

impl Change {
    /// The value after the change from `base`, or `None` when `base` cannot cover a take.
    pub fn apply_to(self, base: u64) -> Option<u64> {
        match self {
            Change::Take(n) => base.checked_sub(n),
            Change::Give(n) => base.checked_add(n),
            Change::Need(n) => (base >= n).then_some(base),
        }
    }
}

/// A shared record's row: its value, and the PENDING flag of the semantic lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    /// Tables left, or cents on the card.
    pub value: u64,
    /// What it started with: the slot's tables, the card's balance.
    pub initial: u64,
    /// Semantic lock: the saga whose update of this record is under way, or has been made and
    /// may still be undone (its saga has not ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<SagaId>,
}

/// The shared records as the services hold them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedTables {
    /// Calendar: tables left per slot.
    #[serde(default, skip_serializing_if = "Rows::is_empty")]
    pub tables_left: Rows,
    /// Payment: gift-card balances per customer.
    #[serde(default, skip_serializing_if = "Rows::is_empty")]
    pub gift_cards: Rows,
}

/// One table of shared records, by key (a slot, a customer), in the scenario's order; written
/// as a JSON object. A list, not a map: a run has a few records, and a list weighs far less in
/// the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows(Vec<(String, Counter)>);

impl Rows {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The row for `key`.
    pub fn get(&self, key: &str) -> Option<&Counter> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, c)| c)
    }

    /// The row for `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Counter> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, c)| c)
    }

    /// Every row, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Counter)> {
        self.0.iter().map(|(k, c)| (k, c))
    }
}

impl Serialize for Rows {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, Counter>::deserialize(deserializer)?;
        Ok(Rows(map.into_iter().collect()))
    }
}

impl SharedTables {
    /// The records as a scenario starts them.
    pub fn new(data: &SharedData) -> Self {
        let rows = |map: &BTreeMap<String, u64>| {
            Rows(
                map.iter()
                    .map(|(key, &value)| {
                        let counter = Counter {
                            value,
                            initial: value,
                            pending: None,
                        };
                        (key.clone(), counter)
                    })
                    .collect(),
            )
        };
        Self {
            tables_left: rows(&data.tables),
            gift_cards: rows(&data.gift_cards),
        }
    }

    /// Whether there are no shared records.
    pub fn is_empty(&self) -> bool {
        self.tables_left.is_empty() && self.gift_cards.is_empty()
    }

    /// A record's row.
    pub fn get(&self, record: &Record) -> Option<&Counter> {
        match record {
            Record::TablesLeft { slot } => self.tables_left.get(slot),
            Record::GiftCard { customer } => self.gift_cards.get(customer),
        }
    }

    /// A record's row, to change.
    pub fn get_mut(&mut self, record: &Record) -> Option<&mut Counter> {
        match record {
            Record::TablesLeft { slot } => self.tables_left.get_mut(slot),
            Record::GiftCard { customer } => self.gift_cards.get_mut(customer),
        }
    }
}

/// What a handling read at its start, kept until it decides and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// The record.
    pub record: Record,
    /// The value read.
    pub value: u64,
    /// Semantic lock: another handling's update of the record was under way when it was read
    /// (this saga's, or another's).
    pub locked_by: Option<SagaId>,
}

/// How an operation on a shared record decides and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The record and what the operation does to it.
    pub record: Record,
    /// The change.
    pub change: Change,
    /// The value read when the handling began (`None`: it read nothing then, and decides on
    /// the value now).
    pub read: Option<u64>,
    /// Commutative updates: change the value in place (decide on the value now) instead of
    /// writing back a value computed from the read.
    pub commutative: bool,
}

impl Access {
    /// The value the operation decides on when the record holds `now`: the value read when the
    /// handling began (the naive way), or with commutative updates (or no read) the value now.
    pub fn basis(&self, now: u64) -> u64 {
        match self.read {
            Some(read) if !self.commutative => read,
            _ => now,
        }
    }
}

/// A write to a shared record, as an operation reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The value the decision was based on.
    pub based_on: u64,
    /// The value just before the write.
    pub before: u64,
    /// The value written.
    pub after: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_slots_and_customers_are_shared() {
        let data = SharedData {
            tables: BTreeMap::from([("Fri 19:30".to_string(), 1)]),
            gift_cards: BTreeMap::from([("Ada".to_string(), 5_000)]),
            check_availability: false,
        };
        let ada = SagaSpec::new("Ada", "Fri 19:30");
        let bob = SagaSpec::new("Bob", "Sat 20:00");
        assert_eq!(
            data.access(Operation::BookSlot, &ada),
            Some((
                Record::TablesLeft {
                    slot: "Fri 19:30".into()
                },
                Change::Take(1)
            ))
        );
        assert_eq!(
            data.access(Operation::RefundPayment, &ada),
            Some((
                Record::GiftCard {
                    customer: "Ada".into()
                },
                Change::Give(4_000)
            ))
        );
        assert_eq!(data.access(Operation::BookSlot, &bob), None);
        assert_eq!(data.access(Operation::ChargeCard, &bob), None);
        assert_eq!(data.access(Operation::CreateReservation, &ada), None);
        let tables = SharedTables::new(&data);
        assert_eq!(
            tables
                .get(&Record::GiftCard {
                    customer: "Ada".into()
                })
                .map(|c| c.value),
            Some(5_000)
        );
    }

    #[test]
    fn a_take_is_refused_when_the_value_cannot_cover_it() {
        assert_eq!(Change::Take(1).apply_to(1), Some(0));
        assert_eq!(Change::Take(1).apply_to(0), None);
        assert_eq!(Change::Take(4_000).apply_to(3_999), None);
        assert_eq!(Change::Give(4_000).apply_to(1_000), Some(5_000));
    }
}
