//! The checks made of the world as it stands: the outcomes the engine claims against the
//! tables, the trace and the scenario.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::definition::{Operation, ServiceId};
use crate::engine::event::Outcome;
use crate::engine::message::{MessageId, SagaId};
use crate::engine::sim::{Occurrence, SagaRecord, Simulation};
use crate::engine::tables::{LedgerKind, Recipient, ReservationStatus, Tables};

use super::shared::signed_money;
use super::vocabulary::{saga_name, Invariant, Violation};
use super::watcher::{
    notice_kind, says_nothing_charged, says_refund_if_charged, says_refunded, Fate, NoticeKind,
    Watcher,
};

/// What the tables say about one saga's business.
struct Business {
    reservation: Option<ReservationStatus>,
    holds_slot: bool,
    charged: bool,
    refunded: bool,
    net_cents: i64,
    /// The last notice each party got: (kind, text).
    told: [Option<(NoticeKind, String)>; 2],
}

fn cents(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

/// What a saga that completes is charged, per the scenario: its amount, if its definition
/// charges at all.
fn amount_due(sim: &Simulation, saga: &SagaRecord) -> i64 {
    let charges = sim
        .scenario()
        .definition
        .steps
        .iter()
        .any(|s| s.action == Operation::ChargeCard);
    if charges {
        cents(saga.spec.amount_cents)
    } else {
        0
    }
}

fn business(tables: &Tables, saga: &SagaRecord) -> Business {
    let id = saga.id;
    let mut b = Business {
        reservation: tables.reservations.get(&id).map(|r| r.status),
        holds_slot: tables
            .slots
            .iter()
            .any(|r| r.saga == id && r.slot == saga.spec.slot),
        charged: false,
        refunded: false,
        net_cents: 0,
        told: [None, None],
    };
    for row in tables.ledger.iter().filter(|r| r.saga == id) {
        match row.kind {
            LedgerKind::Charged => {
                b.charged = true;
                b.net_cents += cents(row.amount_cents);
            }
            LedgerKind::Refunded => {
                b.refunded = true;
                b.net_cents -= cents(row.amount_cents);
            }
        }
    }
    for row in tables.notifications.iter().filter(|r| r.saga == id) {
        let i = match row.recipient {
            Recipient::Customer => 0,
            Recipient::Restaurant => 1,
        };
        b.told[i] = Some((notice_kind(&row.text), row.text.clone()));
    }
    b
}

/// What is wrong with a saga that claims to be undone (compensated, or cancelled): nothing
/// held, nothing charged, both parties told of the failure in true words.
fn undone_problems(b: &Business) -> Vec<String> {
    let mut problems = Vec::new();
    if b.reservation
        .is_some_and(|s| s != ReservationStatus::Cancelled)
    {
        problems.push(format!(
            "its reservation is {:?}, not cancelled",
            b.reservation.unwrap_or(ReservationStatus::Pending)
        ));
    }
    if b.holds_slot {
        problems.push("it still holds its slot".to_string());
    }
    if b.net_cents != 0 {
        problems.push(format!("it still holds {}", signed_money(b.net_cents)));
    }
    for (who, told) in ["customer", "restaurant"].iter().zip(&b.told) {
        match told {
            Some((NoticeKind::Failure, _)) => {}
            Some((_, text)) => problems.push(format!("the {who} was last told \"{text}\"")),
            None => problems.push(format!("the {who} was never told")),
        }
    }
    problems
}

/// Whether the failure notices say what the ledger says.
fn untruthful(b: &Business) -> Option<String> {
    for told in b.told.iter().flatten() {
        let (kind, text) = told;
        if *kind != NoticeKind::Failure {
            continue;
        }
        if b.refunded && !says_refunded(text) {
            return Some(format!(
                "the failure notice says \"{text}\" while the ledger shows a refund"
            ));
        }
        if b.charged && says_nothing_charged(text) {
            return Some(format!(
                "the failure notice says \"{text}\" while the ledger shows a charge"
            ));
        }
        if !b.charged && says_refunded(text) && !says_refund_if_charged(text) {
            return Some(format!(
                "the failure notice says \"{text}\" while nothing was ever charged"
            ));
        }
    }
    None
}

/// Invariant 1: outcomes at rest, and the manual-intervention list. Returns the exemptions.
pub(super) fn ends_properly(
    sim: &Simulation,
    w: &Watcher,
    settled: bool,
    now: (u64, u64),
    found: &mut Vec<Violation>,
) -> Vec<String> {
    let mut exemptions = Vec::new();
    for saga in sim.sagas() {
        let id = saga.id;
        let watch = w.sagas.get(&id);
        // Listed for a person: the engine's list names a task and a reason, and the trace
        // shows the saga being listed for that task.
        let listed = match (saga.stuck, saga.stuck_reason) {
            (Some(task), Some(reason)) => watch
                .and_then(|s| s.last_manual)
                .is_some_and(|(_, t, r)| t == task && r == reason),
            _ => false,
        };
        match saga.outcome {
            Outcome::RollbackIncomplete | Outcome::AwaitingPerson if !listed => {
                found.push(Violation::new(
                    Invariant::EndsProperly,
                    vec![id],
                    saga.stuck.and_then(|t| t.step()),
                    now,
                    format!(
                        "{} is {} but not listed for a person with the reason",
                        saga_name(id),
                        saga.outcome.as_str()
                    ),
                ));
            }
            Outcome::Running if settled && watch.is_some_and(|s| s.started) && !listed => {
                let watch = watch.cloned().unwrap_or_default();
                let active = |f: &usize| sim.faults().get(*f).is_some_and(|fault| fault.active);
                if let Some(f) = watch.poisoned_by.iter().find(|f| active(f)) {
                    exemptions.push(format!(
                        "{}: a poison message for it is still in force (fault {f})",
                        saga_name(id)
                    ));
                } else {
                    found.push(Violation::new(
                        Invariant::EndsProperly,
                        vec![id],
                        None,
                        now,
                        format!(
                            "{} came to rest still running, listed for no one",
                            saga_name(id)
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    exemptions
}

/// Invariant 5: what the trace says of every message against where the world holds it.
pub(super) fn no_message_lost(
    sim: &Simulation,
    w: &Watcher,
    now: (u64, u64),
    found: &mut Vec<Violation>,
) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut in_flight: BTreeSet<MessageId> = BTreeSet::new();
    let mut queued: BTreeSet<MessageId> = BTreeSet::new();
    let mut dead: BTreeSet<MessageId> = BTreeSet::new();
    for (id, m) in w.messages.iter().enumerate() {
        let id = MessageId::try_from(id).unwrap_or(MessageId::MAX);
        let name = match m.fate {
            Fate::InFlight => {
                in_flight.insert(id);
                "in flight"
            }
            Fate::Queued => {
                queued.insert(id);
                "queued"
            }
            Fate::Handled => "handled",
            Fate::DeadLettered => {
                dead.insert(id);
                "dead-lettered"
            }
            Fate::Lost => "lost",
        };
        *counts.entry(name).or_default() += 1;
    }
    let sent = w.messages.len();
    let mut problems = Vec::new();
    if sim.messages().len() != sent {
        problems.push(format!(
            "{} messages exist but the trace shows {sent} sent",
            sim.messages().len()
        ));
    }
    // On the wire: an arrival is due; or held at the orchestrator's door while it is down.
    let mut travelling: BTreeSet<MessageId> = sim
        .pending()
        .filter_map(|o| match o {
            Occurrence::Arrive(m) => Some(*m),
            _ => None,
        })
        .collect();
    travelling.extend(sim.orchestrator().held.iter().copied());
    if travelling != in_flight {
        let missing: Vec<_> = in_flight.difference(&travelling).collect();
        problems.push(format!(
            "the trace has {} messages in flight, the world {} (vanished: {missing:?})",
            in_flight.len(),
            travelling.len()
        ));
    }
    let in_queues: BTreeSet<MessageId> = ServiceId::ALL
        .iter()
        .flat_map(|s| sim.queue(*s).iter().map(|q| q.message))
        .collect();
    if in_queues != queued {
        problems.push(format!(
            "the trace has {} messages queued, the queues hold {}",
            queued.len(),
            in_queues.len()
        ));
    }
    let letters: BTreeSet<MessageId> = sim.dead_letters().iter().map(|(_, q)| q.message).collect();
    if letters != dead {
        problems.push(format!(
            "the trace has {} dead letters, the dead-letter queue holds {}",
            dead.len(),
            letters.len()
        ));
    }
    if !problems.is_empty() {
        let tally = counts
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(" + ");
        found.push(Violation::new(
            Invariant::NoMessageLost,
            Vec::new(),
            None,
            now,
            format!("sent {sent} = {tally}, but {}", problems.join("; ")),
        ));
    }
}

/// Invariant 6: the ledger's totals against a tally from the scenario's amounts and the
/// outcomes; one saga per slot.
pub(super) fn money_adds_up(sim: &Simulation, now: (u64, u64), found: &mut Vec<Violation>) {
    let tables = sim.tables();
    let (mut charged, mut refunded) = (0i64, 0i64);
    for row in &tables.ledger {
        match row.kind {
            LedgerKind::Charged => charged += cents(row.amount_cents),
            LedgerKind::Refunded => refunded += cents(row.amount_cents),
        }
    }
    let mut completed = 0i64;
    // Sagas not yet ended, or listed for a person, may hold their amount or nothing.
    let mut open: Vec<i64> = Vec::new();
    for saga in sim.sagas() {
        let amount = amount_due(sim, saga);
        match saga.outcome {
            Outcome::Completed => completed += amount,
            Outcome::Compensated => {}
            Outcome::Running if !saga.started => {}
            Outcome::Running | Outcome::RollbackIncomplete | Outcome::AwaitingPerson => {
                open.push(amount)
            }
        }
    }
    let mut possible: BTreeSet<i64> = BTreeSet::from([completed]);
    for amount in &open {
        let more: Vec<i64> = possible.iter().map(|p| p + amount).collect();
        possible.extend(more);
    }
    let net = charged - refunded;
    if !possible.contains(&net) {
        let expected = if open.is_empty() {
            signed_money(completed)
        } else {
            format!(
                "{} plus what {} open saga(s) hold",
                signed_money(completed),
                open.len()
            )
        };
        found.push(Violation::new(
            Invariant::MoneyAddsUp,
            Vec::new(),
            None,
            now,
            format!(
                "charged − refunded = {} − {} = {}, but the sagas' outcomes account for {expected}",
                signed_money(charged),
                signed_money(refunded),
                signed_money(net)
            ),
        ));
    }
    let mut holders: BTreeMap<&str, BTreeSet<SagaId>> = BTreeMap::new();
    // A slot with several tables may have several bookings: invariant 11 counts them.
    let shared = &sim.scenario().shared.tables;
    for row in tables
        .slots
        .iter()
        .filter(|r| !shared.contains_key(&r.slot))
    {
        holders
            .entry(row.slot.as_str())
            .or_default()
            .insert(row.saga);
    }
    for (slot, sagas) in holders {
        if sagas.len() > 1 {
            let names = sagas
                .iter()
                .map(|s| (s + 1).to_string())
                .collect::<Vec<_>>()
                .join(" and ");
            found.push(Violation::new(
                Invariant::MoneyAddsUp,
                sagas.into_iter().collect(),
                None,
                now,
                format!("slot \"{slot}\" is held by sagas {names}"),
            ));
        }
    }
}

/// Invariant 9: each ended saga's outcome against the tables.
pub(super) fn outcome_matches_data(sim: &Simulation, now: (u64, u64), found: &mut Vec<Violation>) {
    for saga in sim.sagas() {
        let b = business(sim.tables(), saga);
        let amount = amount_due(sim, saga);
        let problems = match saga.outcome {
            Outcome::Completed => {
                let mut p = Vec::new();
                if b.reservation != Some(ReservationStatus::Confirmed) {
                    p.push(format!("its reservation is {:?}", b.reservation));
                }
                if !b.holds_slot {
                    p.push("it holds no slot".to_string());
                }
                if b.net_cents != amount {
                    p.push(format!(
                        "it holds {}, not {}",
                        signed_money(b.net_cents),
                        signed_money(amount)
                    ));
                }
                for (who, told) in ["customer", "restaurant"].iter().zip(&b.told) {
                    match told {
                        Some((NoticeKind::Success, _)) => {}
                        Some((_, text)) => p.push(format!("the {who} was last told \"{text}\"")),
                        None => p.push(format!("the {who} was never told")),
                    }
                }
                p
            }
            Outcome::Compensated => {
                let mut p = undone_problems(&b);
                p.extend(untruthful(&b));
                p
            }
            _ => Vec::new(),
        };
        if !problems.is_empty() {
            found.push(Violation::new(
                Invariant::OutcomeMatchesData,
                vec![saga.id],
                None,
                now,
                format!(
                    "{} is {} but {}",
                    saga_name(saga.id),
                    saga.outcome.as_str(),
                    problems.join("; ")
                ),
            ));
        }
    }
}

/// Invariant 10: at rest, a saga the customer cancelled holds nothing and both were told.
pub(super) fn cancel_honoured(
    sim: &Simulation,
    w: &Watcher,
    settled: bool,
    now: (u64, u64),
    found: &mut Vec<Violation>,
) {
    if !settled {
        return;
    }
    for saga in sim.sagas() {
        let Some((asked_ms, _)) = w.sagas.get(&saga.id).and_then(|s| s.cancel_requested) else {
            continue;
        };
        let b = business(sim.tables(), saga);
        let problems = match saga.outcome {
            Outcome::Completed | Outcome::Compensated => undone_problems(&b),
            // Listed for a person: the person finishes the job; still running: invariant 1's.
            _ => Vec::new(),
        };
        if !problems.is_empty() {
            found.push(Violation::new(
                Invariant::CancelHonoured,
                vec![saga.id],
                None,
                now,
                format!(
                    "the customer of {} asked to cancel at {asked_ms} ms, yet it ended {} and {}",
                    saga_name(saga.id),
                    saga.outcome.as_str(),
                    problems.join("; ")
                ),
            ));
        }
    }
}
