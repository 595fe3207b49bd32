//! Tests of `tables`.

use super::*;
use crate::engine::presets;
use crate::engine::sim::Simulation;

fn settled(preset: &str, c: Coordination, s: Storage) -> Snapshot {
    let scenario = presets::scenario(preset, c, s, 1).unwrap();
    let mut sim = Simulation::new(scenario).unwrap();
    sim.drive(600_000);
    sim.snapshot()
}

#[test]
fn each_service_has_its_own_database_by_default() {
    let snap = settled(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
    );
    let dbs = databases(&snap, &SagaDefinition::restaurant());
    assert_eq!(dbs.len(), 4);
    assert_eq!(dbs[0].tables[0].name, "reservations");
    assert_eq!(dbs[0].tables[0].rows[0].cells[2], "CONFIRMED");
    assert_eq!(dbs[1].tables[0].rows[0].cells[2], "CHARGED");
    assert!(dbs
        .iter()
        .all(|d| d.tables.iter().any(|t| t.name == "idempotency_keys")));
}

#[test]
fn a_shared_database_holds_every_table() {
    let snap = settled("happy-path", Coordination::Choreography, Storage::Shared);
    let dbs = databases(&snap, &SagaDefinition::restaurant());
    assert_eq!(dbs.len(), 1);
    let names: Vec<&str> = dbs[0].tables.iter().map(|t| t.name.as_str()).collect();
    for want in [
        "reservation.reservations",
        "payment.ledger",
        "calendar.slots",
        "notification.notifications",
        "payment.outbox",
        "payment.processed_messages",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
}

#[test]
fn only_the_newest_change_is_highlighted() {
    let snap = settled(
        "card-declined",
        Coordination::Orchestration,
        Storage::PerService,
    );
    let dbs = databases(&snap, &SagaDefinition::restaurant());
    let changed: Vec<(&str, &TableRow)> = dbs
        .iter()
        .flat_map(|d| d.tables.iter())
        .flat_map(|t| t.rows.iter().map(move |r| (t.name.as_str(), r)))
        .filter(|(_, r)| r.changed)
        .collect();
    assert!(!changed.is_empty());
    assert!(
        changed.iter().all(|(name, _)| *name == "notifications"),
        "{changed:?}"
    );
    assert_eq!(dbs[0].tables[0].rows[0].cells[2], "CANCELLED");
}

#[test]
fn choreography_shows_outboxes_and_processed_messages() {
    let snap = settled(
        "happy-path",
        Coordination::Choreography,
        Storage::PerService,
    );
    let dbs = databases(&snap, &SagaDefinition::restaurant());
    let payment = &dbs[1];
    let outbox = payment.tables.iter().find(|t| t.name == "outbox").unwrap();
    assert_eq!(outbox.rows[0].cells[2], "PaymentCharged");
    assert_eq!(outbox.rows[0].cells[3], "✓ yes");
    let processed = payment
        .tables
        .iter()
        .find(|t| t.name == "processed_messages")
        .unwrap();
    assert!(!processed.rows.is_empty());
}

#[test]
fn databases_render_as_html_with_changed_rows_marked() {
    let snap = settled(
        "card-declined",
        Coordination::Orchestration,
        Storage::PerService,
    );
    let html = databases_html(&databases(&snap, &SagaDefinition::restaurant())).into_string();
    assert_eq!(html.matches("<article").count(), 4);
    assert!(html.contains(r#"data-table="reservations""#));
    assert!(html.contains("<td>CANCELLED</td>"));
    assert!(html.contains("db__row--changed"));
    assert!(html.contains("(empty)"));
    // A value a narrow column may cut short carries its whole text as a title.
    assert!(
        html.contains(r#"<td title="Fri 19:30 · table 4">Fri 19:30 · table 4</td>"#),
        "{html}"
    );
}

#[test]
fn dead_letters_and_manual_items_are_listed() {
    let scenario = presets::scenario(
        "poison-redrive",
        Coordination::Choreography,
        Storage::PerService,
        1,
    )
    .unwrap();
    let mut sim = Simulation::new(scenario).unwrap();
    sim.drive(15_000);
    let snap = sim.snapshot();
    let dead = dead_letter_items(&snap, &SagaDefinition::restaurant());
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].queue, ServiceId::Payment);
    assert_eq!(dead[0].event, "ReservationCreated");

    let snap = settled(
        "compensation-fails",
        Coordination::Orchestration,
        Storage::PerService,
    );
    let manual = manual_items(&snap, &SagaDefinition::restaurant());
    assert_eq!(
        manual,
        vec![(
            0,
            "Refund payment (Payment): a compensation ran out of retries: the rollback is incomplete"
                .to_string()
        )]
    );
}

#[test]
fn shared_records_are_drawn_with_their_tables_bookings_and_lock() {
    let snap = settled(
        "last-table",
        Coordination::Orchestration,
        Storage::PerService,
    );
    let dbs = databases(&snap, &SagaDefinition::restaurant());
    let left = dbs[2]
        .tables
        .iter()
        .find(|t| t.name == "tables_left")
        .expect("Calendar draws its tables left");
    // One table, two bookings, none left: overbooked, drawn as broken.
    assert_eq!(left.rows[0].cells, ["Fri 19:30", "1", "2", "0", "–"]);
    assert_eq!(left.rows[0].tone, Some("broken"));
    let plain = settled(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
    );
    let dbs = databases(&plain, &SagaDefinition::restaurant());
    assert!(dbs
        .iter()
        .flat_map(|d| d.tables.iter())
        .all(|t| t.name != "tables_left" && t.name != "gift_cards"));
}

#[test]
fn a_gift_card_shows_what_it_started_with_and_holds_and_its_lock_while_an_update_is_under_way() {
    let mut scenario = presets::scenario(
        "balance-raced",
        Coordination::Orchestration,
        Storage::PerService,
        1,
    )
    .unwrap();
    scenario.safeguards.semantic_lock = true;
    let mut sim = Simulation::new(scenario).unwrap();
    let mut saw_pending = false;
    while sim.step() {
        let snap = sim.snapshot();
        let dbs = databases(&snap, &SagaDefinition::restaurant());
        let cards = dbs[1]
            .tables
            .iter()
            .find(|t| t.name == "gift_cards")
            .expect("Payment draws its gift cards");
        assert_eq!(cards.rows[0].cells[..2], ["Ada", "€50.00"]);
        if cards.rows[0].cells[3].starts_with("PENDING · ") {
            saw_pending = true;
            assert_eq!(cards.rows[0].tone, Some("pending"));
        }
    }
    assert!(
        saw_pending,
        "the flag shows while a charge is being handled"
    );
    let dbs = databases(&sim.snapshot(), &SagaDefinition::restaurant());
    let cards = dbs[1]
        .tables
        .iter()
        .find(|t| t.name == "gift_cards")
        .unwrap();
    assert_eq!(cards.rows[0].cells[2..], ["€10.00", "–"]);
}
