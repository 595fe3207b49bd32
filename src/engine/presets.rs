//! Ready-made scenarios: each shows one idea of the saga pattern.

use super::definition::ServiceId;
use super::fault::FaultSpec;
use super::scenario::{Command, Coordination, SagaSpec, Scenario, ScheduledCommand, Storage};

/// A named scenario.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Stable id (used in links and on the command line).
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// One line: what it shows.
    pub description: &'static str,
    /// The one coordination style it means anything in (an orchestrator crash needs an
    /// orchestrator; a crash between commit and publish needs an outbox and a relay).
    pub only: Option<Coordination>,
    /// What it adds to the plain one-saga scenario (faults, commands, sagas, safeguards).
    pub build: fn(&mut Scenario),
}

/// Presets are told apart by id (their builders are functions, which do not compare).
impl PartialEq for Preset {
    fn eq(&self, other: &Preset) -> bool {
        self.id == other.id
    }
}

impl Eq for Preset {}

impl Preset {
    /// Whether it runs in `coordination`.
    pub fn runs_in(&self, coordination: Coordination) -> bool {
        self.only.is_none_or(|only| only == coordination)
    }
}

const fn preset(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    build: fn(&mut Scenario),
) -> Preset {
    Preset {
        id,
        title,
        description,
        only: None,
        build,
    }
}

/// Every preset, in menu order.
pub const PRESETS: [Preset; 31] = [
    preset("happy-path", "Happy path", "Every step succeeds: reserve, charge, book, confirm, notify.", happy_path),
    preset("card-declined", "Card declined", "Payment refuses: the reservation is cancelled and both parties told.", card_declined),
    preset("slot-taken", "Slot taken", "The calendar refuses: refund, then cancel, in reverse order.", slot_taken),
    preset(
        "restaurant-rejects",
        "Restaurant rejects",
        "The pivot fails: release the slot, refund, cancel — exact reverse order.", restaurant_rejects),
    preset(
        "notifier-down",
        "Notifier down",
        "After the pivot there is no going back: notification is retried until it works (forward recovery).", notifier_down),
    preset(
        "transient-payment",
        "Transient payment errors",
        "Payment fails twice, then works: the orchestrator retries after growing waits; in choreography the queue redelivers after its visibility timeout.", transient_payment),
    preset(
        "ambiguous-payment",
        "Ambiguous payment",
        "The card is charged but the reply is lost: the retry is recognised by its idempotency key.", ambiguous_payment),
    Preset {
        id: "orchestrator-crash",
        title: "Orchestrator crash",
        description: "The orchestrator crashes mid-saga and resumes from its durable log.",
        only: Some(Coordination::Orchestration),
        build: orchestrator_crash,
    },
    preset(
        "duplicate-event",
        "Duplicate message",
        "A message to Payment is delivered twice: the idempotent consumer charges once.", duplicate_event),
    preset(
        "poison-redrive",
        "Poison message and redrive",
        "A message Payment cannot process goes to the dead-letter queue; after the fix it is redriven.", poison_redrive),
    preset(
        "compensation-fails",
        "Compensation fails",
        "The refund keeps failing: the saga ends rollback incomplete, listed for a person.", compensation_fails),
    preset(
        "cancel-before-pivot",
        "Customer cancels early",
        "The customer cancels before confirmation: the saga aborts and compensates.", cancel_before_pivot),
    preset(
        "cancel-after-completion",
        "Customer cancels later",
        "The customer cancels a confirmed reservation: a cancellation saga undoes it.", cancel_after_completion),
    preset(
        "two-customers",
        "Two customers, one slot",
        "Two sagas want the same table: the second is refused and compensates.", two_customers),
    preset(
        "database-down",
        "Database down",
        "Payment's database goes down while Ada is booking and Grace is paying: one service stops, or every service with a shared database.", database_down),
    preset(
        "no-idempotency",
        "Idempotency switched off",
        "Duplicates are processed twice: a double charge breaks an invariant.", no_idempotency),
    preset(
        "no-semantic-lock",
        "Semantic lock switched off",
        "Two sagas book the same slot at once. Switched off, Calendar no longer counts the first booking against the second, so both stand: the monitor says which invariant broke.", no_semantic_lock),
    preset(
        "last-table",
        "Last table, two customers",
        "Ada and Grace ask for the last free table at once; Calendar reads how many tables are left, works, then writes back. With the semantic lock off both read 1 and both write 0: the slot is overbooked (a lost update). Switch the lock on and the second one waits, then is refused.", last_table),
    preset(
        "dirty-read",
        "Refund after a dirty read",
        "Ada books the last table at Fri 19:30, then the restaurant rejects her confirmation, so her saga releases the table and refunds her. Grace asked in between: Calendar read 0 tables left and turned her away for a table that came back a moment later (a dirty read). With the semantic lock on, Ada's booking stays PENDING until her saga ends, so Grace's booking waits for it and gets the table.", dirty_read),
    preset(
        "fuzzy-read",
        "Table gone between two looks",
        "Reservation looks at the tables left before it accepts a booking. Ada's look sees the last table, but her card fails once and Grace books it meanwhile: when Calendar books for Ada it reads 0, so her saga refunds and cancels what it did on the strength of its first look (a fuzzy read). With the semantic lock on, Ada's look sets the PENDING flag: Grace waits, then is turned away before anything is charged.", fuzzy_read),
    preset(
        "declined-dirty-read",
        "Declined for money refunded later",
        "Ada books two tables from her €50 gift card. The first is at a fully booked slot: her card is charged €40, Calendar refuses the booking, and the €40 is refunded. Her second booking's charge came in between, read €10 and was declined for money that came back a moment later (a dirty read). With the pessimistic view the saga books before it charges, so the refused booking never touches the card; the semantic lock makes the second charge wait instead.", declined_dirty_read),
    Preset {
        id: "late-charge",
        title: "Charge after its refund",
        description: "Payment is so slow that the orchestrator gives up on the charge and refunds it: the refund finds nothing to undo. With idempotency switched off nothing remembers it, so the delayed charges arrive after the refund and take effect: the customer pays for a failed reservation. Switch on the version file and Payment refuses an action whose compensation came first.",
        only: Some(Coordination::Orchestration),
        build: late_charge,
    },
    preset(
        "big-and-small",
        "A big charge and a small one",
        "Ada pays €60 for one table and €40 for another from her €100 gift card, and both charges read the card at once: without a countermeasure the card forgets one. By value protects the risky request: the €60 charge sets the PENDING flag, so the €40 one waits and both count. In Balance raced, where both charges are €40, by value changes nothing.", big_and_small),
    preset(
        "balance-raced",
        "Balance raced",
        "Ada books two tables, each paid from her €50 gift card; both charges read €50 and write back €10, so the card forgets one €40 charge (a lost update). With the semantic lock, commutative updates or reread value the second charge sees €10 and is declined.", balance_raced),
    preset(
        "chaos",
        "Chaos",
        "Random drops, duplicates, delays and errors drawn from the seed; the invariants still hold.", chaos),
    preset(
        "slow-payment",
        "Slow payment",
        "Payment answers after the timeout: retries meet late replies, and idempotency keeps it to one charge.", slow_payment),
    preset(
        "pivot-reply-lost",
        "Pivot reply lost",
        "The restaurant confirms but the reply is lost: the saga is past its point of no return, so it asks again (the confirmation is idempotent) until it knows, then goes forward.", pivot_reply_lost),
    preset(
        "cancel-too-early",
        "Cancel before the start",
        "The customer cancels before the saga has begun: nothing is done, nothing charged, and both parties are told.", cancel_too_early),
    preset(
        "cancel-after-pivot",
        "Cancel after the pivot",
        "The customer cancels while the confirmation is under way: the saga may not turn back, so it completes and a cancellation saga undoes it.", cancel_after_pivot),
    Preset {
        id: "slow-consumer",
        title: "Slow consumer",
        description: "Payment takes longer than its queue's visibility timeout: the message is delivered again while the first delivery is still being handled, and the idempotent consumer drops the copy; switch idempotency off to see a double charge.",
        only: Some(Coordination::Choreography),
        build: slow_consumer,
    },
    Preset {
        id: "dual-write",
        title: "Dual write",
        description: "Payment commits the charge, then crashes before publishing its event; with the outbox switched off the event is lost and the saga stalls. Switch the outbox on and the relay publishes it after the restart.",
        only: Some(Coordination::Choreography),
        build: dual_write,
    },
];

/// Finds a preset by id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

fn at(at_ms: u64, command: Command) -> ScheduledCommand {
    ScheduledCommand { at_ms, command }
}

/// The scenario of preset `id`, for the given style, storage and seed.
pub fn scenario(
    id: &str,
    coordination: Coordination,
    storage: Storage,
    seed: u64,
) -> Option<Scenario> {
    let preset = find(id)?;
    let mut s = Scenario::new(vec![SagaSpec::new("Ada", "Fri 19:30 · table 4")]);
    s.name = preset.title.to_string();
    s.description = preset.description.to_string();
    s.coordination = coordination;
    s.storage = storage;
    s.seed = seed;
    (preset.build)(&mut s);
    Some(s)
}

// ---- what each preset adds to the plain scenario -----------------------------------------------

fn happy_path(_: &mut Scenario) {}

fn card_declined(s: &mut Scenario) {
    s.faults.push(FaultSpec::BusinessFailure {
        step: 2,
        saga: None,
    });
}

fn slot_taken(s: &mut Scenario) {
    s.faults.push(FaultSpec::BusinessFailure {
        step: 3,
        saga: None,
    });
}

fn restaurant_rejects(s: &mut Scenario) {
    s.faults.push(FaultSpec::BusinessFailure {
        step: 4,
        saga: None,
    });
}

fn notifier_down(s: &mut Scenario) {
    s.faults.push(FaultSpec::ServiceDown {
        service: ServiceId::Notification,
        for_ms: 9_000,
    });
}

fn transient_payment(s: &mut Scenario) {
    s.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 2,
        saga: None,
    });
}

fn ambiguous_payment(s: &mut Scenario) {
    s.faults.push(FaultSpec::Ambiguous {
        step: 2,
        times: 1,
        saga: None,
    });
}

fn orchestrator_crash(s: &mut Scenario) {
    s.commands.push(at(
        2_500,
        Command::InjectFault {
            fault: FaultSpec::OrchestratorDown { for_ms: 3_000 },
        },
    ));
}

fn duplicate_event(s: &mut Scenario) {
    s.faults.push(FaultSpec::Duplicate {
        service: Some(ServiceId::Payment),
        times: 1,
    });
}

fn poison_redrive(s: &mut Scenario) {
    s.faults.push(FaultSpec::Poison {
        service: ServiceId::Payment,
    });
    s.commands
        .push(at(16_000, Command::RemoveFault { fault: 0 }));
    s.commands.push(at(17_000, Command::Redrive));
}

fn compensation_fails(s: &mut Scenario) {
    s.faults.push(FaultSpec::BusinessFailure {
        step: 4,
        saga: None,
    });
    s.faults.push(FaultSpec::CompensationFails {
        step: 2,
        times: None,
        saga: None,
    });
}

fn cancel_before_pivot(s: &mut Scenario) {
    s.commands.push(at(1_200, Command::Cancel { saga: 0 }));
}

fn cancel_after_completion(s: &mut Scenario) {
    s.commands.push(at(9_000, Command::Cancel { saga: 0 }));
}

fn two_customers(s: &mut Scenario) {
    let mut second = SagaSpec::new("Grace", "Fri 19:30 · table 4");
    second.start_ms = 300;
    second.party_size = 4;
    second.amount_cents = 6_000;
    s.sagas.push(second);
}

fn no_semantic_lock(s: &mut Scenario) {
    two_customers(s);
    s.safeguards.semantic_lock = false;
}

/// Ada and then Grace (`grace_ms` later) ask for the one table left at Fri 19:30, with the
/// semantic lock off.
fn one_table_two_customers(s: &mut Scenario, grace_ms: u64) {
    s.sagas = vec![
        SagaSpec::new("Ada", "Fri 19:30"),
        SagaSpec {
            start_ms: grace_ms,
            party_size: 4,
            amount_cents: 6_000,
            ..SagaSpec::new("Grace", "Fri 19:30")
        },
    ];
    s.shared.tables.insert("Fri 19:30".to_string(), 1);
    s.safeguards.semantic_lock = false;
}

/// The two bookings reach Calendar within one handling time of each other, so their reads of
/// the slot's tables left overlap.
fn last_table(s: &mut Scenario) {
    one_table_two_customers(s, 100);
}

/// Grace's booking reaches Calendar after Ada's has taken the last table and before Ada's
/// rejected confirmation has released it.
fn dirty_read(s: &mut Scenario) {
    one_table_two_customers(s, 400);
    s.faults.push(FaultSpec::BusinessFailure {
        step: 4,
        saga: Some(0),
    });
}

/// Reservation checks the tables left before accepting; Ada's charge fails once, so Grace
/// looks, pays and books while Ada waits to retry.
fn fuzzy_read(s: &mut Scenario) {
    one_table_two_customers(s, 200);
    s.shared.check_availability = true;
    s.faults.push(FaultSpec::TransientError {
        step: 2,
        times: 1,
        saga: Some(0),
    });
}

/// Payment answers each charge 9 s late: the orchestrator times out, gives up and refunds
/// before the charges arrive. Idempotency is off, so no tombstone refuses them.
fn late_charge(s: &mut Scenario) {
    s.faults.push(FaultSpec::Delay {
        service: Some(ServiceId::Payment),
        extra_ms: 9_000,
        times: 3,
    });
    s.safeguards.idempotency = false;
}

/// Ada's first booking is charged, then refused for want of a table; her second booking's
/// charge reaches Payment in between.
fn declined_dirty_read(s: &mut Scenario) {
    s.sagas = vec![
        SagaSpec::new("Ada", "Fri 19:30"),
        SagaSpec {
            start_ms: 400,
            ..SagaSpec::new("Ada", "Sat 20:00 · table 2")
        },
    ];
    s.shared.tables.insert("Fri 19:30".to_string(), 0);
    s.shared.gift_cards.insert("Ada".to_string(), 5_000);
    s.safeguards.semantic_lock = false;
}

/// Balance raced with a risky first charge (€60) and a small second one (€40), from €100.
fn big_and_small(s: &mut Scenario) {
    balance_raced(s);
    if let Some(first) = s.sagas.first_mut() {
        first.amount_cents = 6_000;
    }
    s.shared.gift_cards.insert("Ada".to_string(), 10_000);
}

/// The two charges reach Payment within one handling time of each other.
fn balance_raced(s: &mut Scenario) {
    s.sagas = vec![
        SagaSpec::new("Ada", "Fri 19:30 · table 4"),
        SagaSpec {
            start_ms: 100,
            ..SagaSpec::new("Ada", "Sat 20:00 · table 2")
        },
    ];
    s.shared.gift_cards.insert("Ada".to_string(), 5_000);
    s.safeguards.semantic_lock = false;
}

fn database_down(s: &mut Scenario) {
    // A lone saga waits at Payment for the whole outage and asks no other service for
    // anything, so the storage would make no difference. A second customer keeps two
    // services busy: when Payment's database fails Ada is past Payment (at Calendar) and
    // Grace is about to pay. With a database per service only Grace waits; with the
    // shared one Ada's Calendar fails as well.
    let mut second = SagaSpec::new("Grace", "Fri 20:00 · table 7");
    second.start_ms = 1_500;
    second.party_size = 4;
    second.amount_cents = 6_000;
    s.sagas.push(second);
    s.commands.push(at(
        2_500,
        Command::InjectFault {
            fault: FaultSpec::DatabaseDown {
                service: ServiceId::Payment,
                for_ms: 4_000,
            },
        },
    ));
}

fn no_idempotency(s: &mut Scenario) {
    s.safeguards.idempotency = false;
    s.faults.push(FaultSpec::Duplicate {
        service: Some(ServiceId::Payment),
        times: 1,
    });
}

fn chaos(s: &mut Scenario) {
    s.faults.push(FaultSpec::Chaos {
        percent: 25,
        for_ms: 20_000,
    });
}

fn pivot_reply_lost(s: &mut Scenario) {
    s.faults.push(FaultSpec::Ambiguous {
        step: 4,
        times: 1,
        saga: None,
    });
}

fn cancel_too_early(s: &mut Scenario) {
    if let Some(first) = s.sagas.first_mut() {
        first.start_ms = 1_500;
    }
    s.commands.push(at(600, Command::Cancel { saga: 0 }));
}

/// The confirmation is sent at about 3.6 s (orchestration) and handled at about 3.9 s
/// (choreography): a cancel at 4.3 s reaches a saga past its point of no return.
fn cancel_after_pivot(s: &mut Scenario) {
    s.commands.push(at(4_300, Command::Cancel { saga: 0 }));
}

fn slow_consumer(s: &mut Scenario) {
    s.faults.push(FaultSpec::Latency {
        service: ServiceId::Payment,
        extra_ms: 2_800,
    });
}

fn dual_write(s: &mut Scenario) {
    s.safeguards.outbox = false;
    s.faults.push(FaultSpec::CrashAfterCommit {
        service: ServiceId::Payment,
        times: 1,
    });
}

/// One charge command is slow enough to time out: its late reply meets the retry, is
/// ignored as stale, and the retry is answered from the idempotency key. (A service slow
/// every time would time out every attempt: replies count only for the attempt awaited.)
fn slow_payment(s: &mut Scenario) {
    s.faults.push(FaultSpec::Delay {
        service: Some(ServiceId::Payment),
        extra_ms: 2_500,
        times: 1,
    });
}
