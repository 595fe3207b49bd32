//! The services' tables as rows to draw, with the rows of the newest change marked.

use crate::engine::choreography::QueuedMessage;
use crate::engine::definition::{SagaDefinition, ServiceId};
use crate::engine::message::{SagaId, TaskResult};
use crate::engine::scenario::{Coordination, Storage};
use crate::engine::shared::Counter;
use crate::engine::snapshot::Snapshot;
use crate::engine::tables::{LedgerKind, Recipient, ReservationStatus};

use super::format::{money, saga_letter, seconds};
use super::html::Html;

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// Cell texts, one per column.
    pub cells: Vec<String>,
    /// Written by the newest change in any table.
    pub changed: bool,
    /// A CSS modifier saying what the row means (`ok`, `undone`, `pending`), if anything.
    pub tone: Option<&'static str>,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableView {
    /// Its name (`reservations`, `payment.ledger` in a shared database).
    pub name: String,
    /// Column headings.
    pub columns: Vec<&'static str>,
    /// Rows, oldest first.
    pub rows: Vec<TableRow>,
}

/// One database: a service's own, or the shared one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseView {
    /// What it is called.
    pub title: String,
    /// Whose it is (`None`: the shared database).
    pub service: Option<ServiceId>,
    /// Whether it is up.
    pub up: bool,
    /// Its tables.
    pub tables: Vec<TableView>,
}

/// The moment of the newest change in any table, if any row exists.
pub fn newest_change_ms(snapshot: &Snapshot) -> Option<u64> {
    let t = &snapshot.tables;
    t.reservations
        .values()
        .map(|r| r.updated_ms)
        .chain(t.ledger.iter().map(|r| r.updated_ms))
        .chain(t.slots.iter().map(|r| r.updated_ms))
        .chain(t.notifications.iter().map(|r| r.updated_ms))
        .chain(
            t.stores
                .iter()
                .flat_map(|s| s.outbox.iter().map(|r| r.updated_ms)),
        )
        .max()
}

fn saga_cell(saga: SagaId) -> String {
    saga_letter(saga).to_string()
}

fn row(
    cells: Vec<String>,
    updated_ms: u64,
    newest: Option<u64>,
    tone: Option<&'static str>,
) -> TableRow {
    TableRow {
        cells,
        changed: newest == Some(updated_ms),
        tone,
    }
}

fn business_table(snapshot: &Snapshot, service: ServiceId, newest: Option<u64>) -> Vec<TableView> {
    let t = &snapshot.tables;
    match service {
        ServiceId::Reservation => {
            let mut tables = vec![TableView {
                name: "reservations".to_string(),
                columns: vec!["saga · customer", "slot", "status"],
                rows: t
                    .reservations
                    .values()
                    .map(|r| {
                        let (status, tone) = match r.status {
                            ReservationStatus::Pending => ("PENDING", "pending"),
                            ReservationStatus::Confirmed => ("CONFIRMED", "ok"),
                            ReservationStatus::Cancelled => ("CANCELLED", "undone"),
                        };
                        row(
                            vec![
                                format!(
                                    "{} · {} ({})",
                                    saga_letter(r.saga),
                                    r.customer,
                                    r.party_size
                                ),
                                r.slot.clone(),
                                status.to_string(),
                            ],
                            r.updated_ms,
                            newest,
                            Some(tone),
                        )
                    })
                    .collect(),
            }];
            if !t.cancellations.is_empty() {
                tables.push(TableView {
                    name: "cancel_requests".to_string(),
                    columns: vec!["saga"],
                    rows: t
                        .cancellations
                        .iter()
                        .map(|s| TableRow {
                            cells: vec![saga_cell(*s)],
                            changed: false,
                            tone: None,
                        })
                        .collect(),
                });
            }
            tables
        }
        ServiceId::Payment => std::iter::once(TableView {
            name: "ledger".to_string(),
            columns: vec!["#", "saga", "entry", "amount"],
            rows: t
                .ledger
                .iter()
                .map(|r| {
                    let (kind, tone) = match r.kind {
                        LedgerKind::Charged => ("CHARGED", "ok"),
                        LedgerKind::Refunded => ("REFUNDED", "undone"),
                    };
                    row(
                        vec![
                            r.entry.to_string(),
                            saga_cell(r.saga),
                            kind.to_string(),
                            money(r.amount_cents),
                        ],
                        r.updated_ms,
                        newest,
                        Some(tone),
                    )
                })
                .collect(),
        })
        .chain(gift_cards(snapshot))
        .collect(),
        ServiceId::Calendar => std::iter::once(TableView {
            name: "slots".to_string(),
            columns: vec!["slot", "held by", "since"],
            rows: t
                .slots
                .iter()
                .map(|r| {
                    row(
                        vec![r.slot.clone(), saga_cell(r.saga), seconds(r.updated_ms)],
                        r.updated_ms,
                        newest,
                        Some("ok"),
                    )
                })
                .collect(),
        })
        .chain(tables_left(snapshot))
        .collect(),
        ServiceId::Notification => vec![TableView {
            name: "notifications".to_string(),
            columns: vec!["saga", "to", "text"],
            rows: t
                .notifications
                .iter()
                .map(|r| {
                    let to = match r.recipient {
                        Recipient::Customer => "customer",
                        Recipient::Restaurant => "restaurant",
                    };
                    let tone = if r.text.contains("confirmed") {
                        "ok"
                    } else {
                        "undone"
                    };
                    row(
                        vec![saga_cell(r.saga), to.to_string(), r.text.clone()],
                        r.updated_ms,
                        newest,
                        Some(tone),
                    )
                })
                .collect(),
        }],
    }
}

/// The semantic lock's flag on a shared record: "PENDING · A", or "–".
fn pending_cell(counter: &Counter) -> (String, Option<&'static str>) {
    match counter.pending {
        Some(saga) => (format!("PENDING · {}", saga_letter(saga)), Some("pending")),
        None => ("–".to_string(), None),
    }
}

/// Calendar's shared counts: each listed slot's tables, bookings and tables left. More bookings
/// than tables is drawn as broken.
fn tables_left(snapshot: &Snapshot) -> Option<TableView> {
    let t = &snapshot.tables;
    (!t.shared.tables_left.is_empty()).then(|| TableView {
        name: "tables_left".to_string(),
        columns: vec!["slot", "tables", "booked", "left", "lock"],
        rows: t
            .shared
            .tables_left
            .iter()
            .map(|(slot, counter)| {
                let booked = t.slots.iter().filter(|r| r.slot == *slot).count() as u64;
                let (lock, pending) = pending_cell(counter);
                let over = booked > counter.initial;
                TableRow {
                    cells: vec![
                        slot.clone(),
                        counter.initial.to_string(),
                        booked.to_string(),
                        counter.value.to_string(),
                        lock,
                    ],
                    changed: false,
                    tone: if over { Some("broken") } else { pending },
                }
            })
            .collect(),
    })
}

/// Payment's gift cards: each listed customer's starting balance and balance now.
fn gift_cards(snapshot: &Snapshot) -> Option<TableView> {
    let cards = &snapshot.tables.shared.gift_cards;
    (!cards.is_empty()).then(|| TableView {
        name: "gift_cards".to_string(),
        columns: vec!["customer", "started", "balance", "lock"],
        rows: cards
            .iter()
            .map(|(customer, counter)| {
                let (lock, tone) = pending_cell(counter);
                TableRow {
                    cells: vec![
                        customer.clone(),
                        money(counter.initial),
                        money(counter.value),
                        lock,
                    ],
                    changed: false,
                    tone,
                }
            })
            .collect(),
    })
}

fn result_text(result: TaskResult) -> &'static str {
    match result {
        TaskResult::Done => "done",
        TaskResult::BusinessFailure => "refused",
        TaskResult::TransientError => "error",
    }
}

fn store_tables(
    snapshot: &Snapshot,
    def: &SagaDefinition,
    service: ServiceId,
    newest: Option<u64>,
) -> Vec<TableView> {
    let mut tables = coordination_tables(snapshot, def, service, newest);
    let store = snapshot.tables.store(service);
    if !store.version_file.is_empty() {
        tables.push(TableView {
            name: "version_file".to_string(),
            columns: vec!["saga", "operation", "at"],
            rows: store
                .version_file
                .iter()
                .map(|r| {
                    row(
                        vec![saga_cell(r.saga), r.task.label(def), seconds(r.at_ms)],
                        r.at_ms,
                        newest,
                        None,
                    )
                })
                .collect(),
        });
    }
    tables
}

/// The tables a service keeps for its style of coordination: idempotency keys, or an outbox
/// and processed events.
fn coordination_tables(
    snapshot: &Snapshot,
    def: &SagaDefinition,
    service: ServiceId,
    newest: Option<u64>,
) -> Vec<TableView> {
    let store = snapshot.tables.store(service);
    match snapshot.coordination {
        Coordination::Orchestration => vec![TableView {
            name: "idempotency_keys".to_string(),
            columns: vec!["key (saga · task)", "result"],
            rows: store
                .idempotency_keys
                .iter()
                .map(|k| TableRow {
                    cells: vec![
                        format!("{} · {}", saga_letter(k.saga), k.task.label(def)),
                        result_text(k.result).to_string(),
                    ],
                    changed: false,
                    tone: None,
                })
                .collect(),
        }],
        Coordination::Choreography => vec![
            TableView {
                name: "outbox".to_string(),
                columns: vec!["#", "saga", "event", "published"],
                rows: store
                    .outbox
                    .iter()
                    .map(|r| {
                        row(
                            vec![
                                r.id.to_string(),
                                saga_cell(r.saga),
                                r.event.label(def),
                                if r.published {
                                    "✓ yes"
                                } else {
                                    "… pending"
                                }
                                .to_string(),
                            ],
                            r.updated_ms,
                            newest,
                            Some(if r.published { "ok" } else { "pending" }),
                        )
                    })
                    .collect(),
            },
            TableView {
                name: "processed_messages".to_string(),
                columns: vec!["event id"],
                rows: store
                    .processed_events
                    .iter()
                    .map(|e| TableRow {
                        cells: vec![format!("#{e}")],
                        changed: false,
                        tone: None,
                    })
                    .collect(),
            },
        ],
    }
}

/// Every database as drawn: one per service, or one shared database holding every table.
pub fn databases(snapshot: &Snapshot, def: &SagaDefinition) -> Vec<DatabaseView> {
    let newest = newest_change_ms(snapshot);
    let up = |s: ServiceId| {
        snapshot
            .services
            .get(s.index())
            .is_none_or(|v| v.database_up)
    };
    match snapshot.storage {
        Storage::PerService => ServiceId::ALL
            .iter()
            .map(|&s| {
                let mut tables = business_table(snapshot, s, newest);
                tables.extend(store_tables(snapshot, def, s, newest));
                DatabaseView {
                    title: format!("{} database", s.label()),
                    service: Some(s),
                    up: up(s),
                    tables,
                }
            })
            .collect(),
        Storage::Shared => {
            let mut tables = Vec::new();
            for s in ServiceId::ALL {
                for mut table in business_table(snapshot, s, newest)
                    .into_iter()
                    .chain(store_tables(snapshot, def, s, newest))
                {
                    table.name = format!("{}.{}", s.as_str(), table.name);
                    tables.push(table);
                }
            }
            vec![DatabaseView {
                title: "Shared database".to_string(),
                service: None,
                up: ServiceId::ALL.iter().all(|&s| up(s)),
                tables,
            }]
        }
    }
}

/// Every database as HTML: one card per database, its tables with the newest change marked.
pub fn databases_html(dbs: &[DatabaseView]) -> Html {
    let mut out = Html::with_capacity(8 * 1024);
    for db in dbs {
        out.push(r#"<article class="db"#)
            .push(if db.service.is_none() {
                " db--shared"
            } else {
                ""
            })
            .push(if db.up { "" } else { " db--down" })
            .push(r#"" data-db=""#)
            .push(db.service.map(|s| s.as_str()).unwrap_or("shared"))
            .push(r#""><h3 class="db__title">"#)
            .push_text(&db.title)
            .push(if db.up {
                ""
            } else {
                r#" <span class="db__down">✖ down</span>"#
            })
            .push(r#"</h3><div class="db__tables">"#);
        for table in &db.tables {
            out.push(r#"<table class="db__table""#)
                .push_attr("data-table", &table.name)
                .push(r#"><caption class="db__caption">"#)
                .push_text(&table.name)
                .push("</caption><thead><tr>");
            for c in &table.columns {
                out.push(r#"<th scope="col">"#).push_text(c).push("</th>");
            }
            out.push("</tr></thead><tbody>");
            if table.rows.is_empty() {
                out.push(r#"<tr class="db__empty"><td colspan=""#)
                    .push_plain(table.columns.len())
                    .push(r#"">(empty)</td></tr>"#);
            }
            for row in &table.rows {
                out.push(r#"<tr class="db__row"#);
                if let Some(tone) = row.tone {
                    out.push(" db__row--").push(tone);
                }
                out.push(if row.changed { " db__row--changed" } else { "" })
                    .push(r#"" data-changed=""#)
                    .push_plain(row.changed)
                    .push(r#"">"#);
                for cell in &row.cells {
                    // A narrow column cuts a long value short: its title holds it whole, and the
                    // row shows it wrapped while pointed at (style/main.css).
                    if cell.chars().count() > 9 {
                        out.push("<td").push_attr("title", cell).push(">");
                    } else {
                        out.push("<td>");
                    }
                    out.push_text(cell).push("</td>");
                }
                out.push("</tr>");
            }
            out.push("</tbody></table>");
        }
        out.push("</div></article>");
    }
    out
}

/// A message waiting in a queue or in the dead-letter queue, as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    /// The queue it is (or was) in.
    pub queue: ServiceId,
    /// Its saga.
    pub saga: SagaId,
    /// The event, in words.
    pub event: String,
    /// How many times it has been received.
    pub receive_count: u32,
    /// Its message number.
    pub message: u32,
}

fn item(queue: ServiceId, q: &QueuedMessage, def: &SagaDefinition) -> QueueItem {
    QueueItem {
        queue,
        saga: q.saga,
        event: q.event.label(def),
        receive_count: q.receive_count,
        message: q.message,
    }
}

/// The messages waiting in a service's queue.
pub fn queue_items(
    snapshot: &Snapshot,
    def: &SagaDefinition,
    service: ServiceId,
) -> Vec<QueueItem> {
    snapshot
        .queues
        .get(service.index())
        .map(|q| q.iter().map(|m| item(service, m, def)).collect())
        .unwrap_or_default()
}

/// The dead-letter queue's contents.
pub fn dead_letter_items(snapshot: &Snapshot, def: &SagaDefinition) -> Vec<QueueItem> {
    snapshot
        .dead_letters
        .iter()
        .map(|(s, m)| item(*s, m, def))
        .collect()
}

/// The manual-intervention queue: each saga waiting for a person, and what is stuck.
pub fn manual_items(snapshot: &Snapshot, def: &SagaDefinition) -> Vec<(SagaId, String)> {
    snapshot
        .manual_intervention
        .iter()
        .map(|(saga, task)| {
            let service = task.service(def).map(|s| s.label()).unwrap_or("?");
            let why = snapshot
                .sagas
                .iter()
                .find(|r| r.id == *saga)
                .and_then(|r| r.stuck_reason)
                .map(|reason| format!(": {}", reason.label()))
                .unwrap_or_default();
            (*saga, format!("{} ({service}){why}", task.label(def)))
        })
        .collect()
}

#[cfg(test)]
mod tests;
