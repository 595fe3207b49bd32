//! The engine against the reference model (tests/model) on random schedules whose outcome the
//! design's rules decide.
//!
//! The generator keeps to what the rules decide: step-addressed faults (business failure,
//! transient error, no reply, ambiguous once, compensation failing N times or for ever), retry
//! policies (a single attempt included) and queue receive counts, step timeouts longer than a
//! round trip, a service slower than the step timeout (every reply stale) or a queue consumer
//! slower than the visibility timeout, start times, cancels in every window (before the start, during each step before
//! the pivot, after the pivot, after the end), orchestrator crashes, several sagas on different
//! slots, and on one slot when who books first is decided (the second saga starts once the first
//! has ended, or the first runs without a fault). It leaves out what depends on timing the rules
//! do not fix (message drops, duplicates, delays, reorder, chaos, latency, services and
//! databases down): the exhaustive test (tests/exhaustive.rs) checks those against what the
//! rules guarantee whatever the timing.
//!
//! The cancel's moment is placed from a run of the same schedule without the cancel (the run is
//! the same up to the cancel): "during step 2" means the cancel reaches the orchestrator while
//! step 2's command is out, with a margin for the network's jitter. What the cancel leads to is
//! the model's answer.
//!
//! `SAGASCOPE_MODEL_SCHEDULES` sets how many schedules to run (10,000 by default);
//! `SAGASCOPE_MODEL_SEED` the first seed.

mod model;

use std::collections::BTreeMap;

use model::{Cancel, Fate, Predicted, SagaResult};
use sagascope::engine::event::EventKind;
use sagascope::engine::rng::Rng;
use sagascope::engine::run::HORIZON_MS;
use sagascope::engine::scenario::ScheduledCommand;
use sagascope::engine::{
    Command, Coordination, FaultSpec, SagaSpec, Scenario, ServiceId, Simulation, Storage, Task,
};

const DEFAULT_SCHEDULES: u64 = 10_000;
const SLOTS: [&str; 3] = [
    "Fri 19:30 · table 4",
    "Fri 20:00 · table 2",
    "Sat 19:00 · table 1",
];
const CUSTOMERS: [&str; 3] = ["Ada", "Grace", "Edsger"];
/// The service of each step of the restaurant saga (DESIGN.md's table).
const STEP_SERVICES: [ServiceId; 5] = [
    ServiceId::Reservation,
    ServiceId::Payment,
    ServiceId::Calendar,
    ServiceId::Reservation,
    ServiceId::Notification,
];
/// Margin kept between a cancel's arrival and the nearest step boundary.
const MARGIN_MS: u64 = 150;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// How the sagas of a schedule share slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mix {
    One,
    OwnSlots,
    /// The second saga starts long after the first has ended.
    SameSlotLater,
    /// The first runs without a fault; the second starts later and finds the slot taken.
    SameSlotBusy,
}

/// Which window a cancel is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    BeforeStart,
    DuringStep(usize),
    AfterPivot,
    AfterEnd,
}

struct Schedule {
    scenario: Scenario,
    mix: Mix,
    crashed: bool,
    /// A cancel to place: (saga, window).
    cancel: Option<(usize, Window)>,
}

fn random_step_fault(
    rng: &mut Rng,
    saga: Option<usize>,
    used: &mut [bool; 8],
    slow: Option<ServiceId>,
) -> FaultSpec {
    let times = 1 + rng.up_to(3) as u32;
    loop {
        let step = 1 + rng.index(5);
        // A slow service's steps meet no other fault: which one decides is timing.
        if slow.is_some_and(|s| s == STEP_SERVICES[step - 1]) {
            continue;
        }
        let kind = rng.index(5);
        if kind == 4 {
            if step > 3 || used[4 + step] {
                continue;
            }
            used[4 + step] = true;
            let times = if rng.chance(25) { None } else { Some(times) };
            return FaultSpec::CompensationFails { step, times, saga };
        }
        // One kind of fault on a step's action: which one an attempt meets first is not a rule.
        if used[step - 1] {
            continue;
        }
        used[step - 1] = true;
        return match kind {
            0 if (2..=4).contains(&step) => FaultSpec::BusinessFailure { step, saga },
            0 | 1 => FaultSpec::TransientError { step, times, saga },
            2 => FaultSpec::NoReply { step, times, saga },
            _ => FaultSpec::Ambiguous {
                step,
                times: 1,
                saga,
            },
        };
    }
}

fn generate(seed: u64) -> Schedule {
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5A6A);
    let style = if seed.is_multiple_of(2) {
        Coordination::Orchestration
    } else {
        Coordination::Choreography
    };
    let mix = match rng.index(8) {
        0..=3 => Mix::One,
        4 | 5 => Mix::OwnSlots,
        6 => Mix::SameSlotLater,
        _ => Mix::SameSlotBusy,
    };
    let count = match mix {
        Mix::One => 1,
        Mix::OwnSlots => 2 + rng.index(2),
        _ => 2,
    };
    let sagas: Vec<SagaSpec> = (0..count)
        .map(|i| {
            let slot = match mix {
                Mix::One | Mix::OwnSlots => SLOTS[i],
                _ => SLOTS[0],
            };
            let mut s = SagaSpec::new(CUSTOMERS[i], slot);
            s.amount_cents = 1_000 * (1 + rng.up_to(9));
            s.start_ms = match (mix, i) {
                (Mix::SameSlotLater, 1) => 150_000,
                (Mix::SameSlotBusy, 0) => 0,
                (Mix::SameSlotBusy, 1) => 2_000 + rng.up_to(3_000),
                _ => rng.up_to(3_000),
            };
            s
        })
        .collect();
    let mut scenario = Scenario::new(sagas);
    scenario.name = format!("model schedule {seed}");
    scenario.seed = rng.next_u64();
    scenario.coordination = style;
    scenario.storage = if rng.chance(30) {
        Storage::Shared
    } else {
        Storage::PerService
    };
    let retry = &mut scenario.retry;
    retry.step.max_attempts = Some(1 + rng.up_to(3) as u32);
    retry.step.interval_ms = 200 + rng.up_to(1_300);
    retry.step.jitter = rng.chance(20);
    retry.compensation.max_attempts = Some(1 + rng.up_to(4) as u32);
    retry.retriable.max_attempts = if rng.chance(70) {
        None
    } else {
        Some(1 + rng.up_to(3) as u32)
    };
    scenario.timing.step_timeout_ms = 1_600 + rng.up_to(2_400);
    if rng.chance(30) {
        scenario.timing.network_jitter_ms = 0;
    }
    scenario.queues.max_receive_count = 2 + rng.up_to(3) as u32;
    // A slow service: orchestration, slower than the step timeout (every reply is stale);
    // choreography, a consumer slower than the visibility timeout (redelivered, deduplicated).
    let slow = (mix != Mix::SameSlotBusy && rng.chance(12)).then(|| {
        let service = STEP_SERVICES[rng.index(5)];
        let extra_ms = match style {
            Coordination::Orchestration => scenario.timing.step_timeout_ms + rng.up_to(1_000),
            Coordination::Choreography => {
                let v = scenario.queues.visibility_timeout_ms;
                v + 100 + rng.up_to(v / 2 - 400)
            }
        };
        scenario
            .faults
            .push(FaultSpec::Latency { service, extra_ms });
        service
    });
    if slow.is_some() && style == Coordination::Choreography {
        scenario.queues.max_receive_count = scenario.queues.max_receive_count.max(3);
    }
    let several = count > 1;
    for saga in 0..count {
        if mix == Mix::SameSlotBusy && saga == 0 {
            continue;
        }
        let mut used = [false; 8];
        for _ in 0..rng.index(4) {
            let filter = if several || rng.chance(30) {
                Some(saga)
            } else {
                None
            };
            scenario
                .faults
                .push(random_step_fault(&mut rng, filter, &mut used, slow));
        }
    }
    let crashed =
        style == Coordination::Orchestration && mix != Mix::SameSlotBusy && rng.chance(15);
    if crashed {
        scenario.commands.push(ScheduledCommand {
            at_ms: rng.up_to(8_000),
            command: Command::InjectFault {
                fault: FaultSpec::OrchestratorDown {
                    for_ms: 500 + rng.up_to(4_500),
                },
            },
        });
    }
    let cancel = if !crashed && matches!(mix, Mix::One | Mix::OwnSlots) && rng.chance(35) {
        let saga = rng.index(count);
        let window = match rng.index(6) {
            0 => Window::BeforeStart,
            1..=3 => Window::DuringStep(rng.index(3)),
            4 => Window::AfterPivot,
            _ => Window::AfterEnd,
        };
        if window == Window::BeforeStart {
            scenario.sagas[saga].start_ms = 1_000 + rng.up_to(2_000);
        }
        Some((saga, window))
    } else {
        None
    };
    Schedule {
        scenario,
        mix,
        crashed,
        cancel,
    }
}

fn run(scenario: &Scenario) -> Simulation {
    let mut sim = Simulation::new(scenario.clone()).expect("generated scenarios are valid");
    sim.drive(HORIZON_MS);
    sim
}

/// Moments in a run of one saga: first command (or receive) of each step's action, when it was
/// applied, when the saga learned it succeeded, and when the saga ended.
#[derive(Default)]
struct Moments {
    sent: BTreeMap<usize, u64>,
    applied: BTreeMap<usize, u64>,
    known: BTreeMap<usize, u64>,
    ended: Option<u64>,
}

fn moments(sim: &Simulation, saga: usize) -> Moments {
    let mut m = Moments::default();
    for e in sim.trace().iter().filter(|e| e.saga == Some(saga)) {
        match &e.kind {
            EventKind::TaskStarted {
                task: Task::Action(s),
                ..
            } => {
                m.sent.entry(*s).or_insert(e.at_ms);
            }
            EventKind::TaskApplied {
                task: Task::Action(s),
                ..
            } => {
                m.applied.entry(*s).or_insert(e.at_ms);
            }
            EventKind::StepSucceeded {
                task: Task::Action(s),
            } => {
                m.known.entry(*s).or_insert(e.at_ms);
            }
            EventKind::SagaEnded { .. } if m.ended.is_none() => m.ended = Some(e.at_ms),
            _ => {}
        }
    }
    m
}

/// The moment to cancel at for a window, read off a run without the cancel; `None` if that run
/// has no such window (or it is too narrow to hit with the jitter's margin).
fn place_cancel(
    scenario: &Scenario,
    reference: &Simulation,
    saga: usize,
    window: Window,
    rng: &mut Rng,
) -> Option<(u64, Cancel)> {
    const PIVOT: usize = 3;
    let m = moments(reference, saga);
    let t = &scenario.timing;
    let (net, jitter) = (t.network_ms, t.network_jitter_ms);
    let pick = |lo: u64, hi: u64, rng: &mut Rng| (lo < hi).then(|| lo + rng.up_to(hi - lo));
    let orchestration = scenario.coordination == Coordination::Orchestration;
    match window {
        Window::BeforeStart => {
            let start = scenario.sagas[saga].start_ms;
            pick(0, start.saturating_sub(300), rng).map(|c| (c, Cancel::BeforeStart))
        }
        Window::DuringStep(k) if orchestration => {
            // The cancel reaches the orchestrator while step k's command is out.
            let lo = (m.sent.get(&k)? + MARGIN_MS).saturating_sub(net);
            let hi = m.known.get(&k)?.saturating_sub(MARGIN_MS + net + jitter);
            pick(lo, hi, rng).map(|c| (c, Cancel::DuringStep(k)))
        }
        Window::DuringStep(k) => {
            // Steps below k took effect; the cancel reaches the pivot's owner well before the
            // pivot is applied.
            let lo = match k {
                0 => scenario.sagas[saga].start_ms,
                _ => m.applied.get(&(k - 1))? + MARGIN_MS,
            };
            // A slow consumer takes longer to record the cancel.
            let slow: u64 = scenario
                .faults
                .iter()
                .map(|f| match f {
                    FaultSpec::Latency { extra_ms, .. } => *extra_ms,
                    _ => 0,
                })
                .sum();
            let hi = m
                .applied
                .get(&PIVOT)?
                .saturating_sub(2 * MARGIN_MS + net + jitter + t.process_ms + slow);
            pick(lo, hi, rng).map(|c| (c, Cancel::DuringStep(k)))
        }
        Window::AfterPivot => {
            let ended = m.ended?;
            let lo = if orchestration {
                (m.sent.get(&PIVOT)? + MARGIN_MS).saturating_sub(net)
            } else {
                m.applied.get(&PIVOT)? + MARGIN_MS
            };
            let hi = ended.saturating_sub(MARGIN_MS + net + jitter);
            pick(lo, hi, rng).map(|c| (c, Cancel::AfterPivot))
        }
        Window::AfterEnd => {
            let ended = m.ended?;
            Some((ended + 200 + rng.up_to(3_000), Cancel::AfterEnd))
        }
    }
}

/// One schedule, ready: the scenario to run and the model's answer per saga.
struct Prepared {
    scenario: Scenario,
    mix: Mix,
    predictions: Vec<Option<Vec<Predicted>>>,
}

fn prepare(seed: u64) -> Prepared {
    let schedule = generate(seed);
    let mut scenario = schedule.scenario.clone();
    let mut cancels = BTreeMap::new();
    if let Some((saga, window)) = schedule.cancel {
        let reference = run(&scenario);
        let mut rng = Rng::new(seed ^ 0xC0FFEE);
        if let Some((at_ms, cancel)) = place_cancel(&scenario, &reference, saga, window, &mut rng) {
            scenario.commands.push(ScheduledCommand {
                at_ms,
                command: Command::Cancel { saga },
            });
            cancels.insert(saga, cancel);
        }
    }
    let Some(inputs) = model::inputs(&scenario, &cancels) else {
        let predictions = vec![None; scenario.sagas.len()];
        return Prepared {
            scenario,
            mix: schedule.mix,
            predictions,
        };
    };
    let mut predictions: Vec<Option<Vec<Predicted>>> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let mut input = input.clone();
        if i == 1 && matches!(schedule.mix, Mix::SameSlotLater | Mix::SameSlotBusy) {
            // The second saga books after the first has settled: the slot is taken if the
            // first still holds it (every allowed ending of the first must agree).
            let holds: Option<Vec<bool>> = predictions[0]
                .as_ref()
                .map(|alts| alts.iter().map(|p| p.result.rows.slot_held).collect());
            match holds {
                Some(h) if !h.is_empty() && h.iter().all(|x| *x == h[0]) => {
                    input.slot_taken = h[0];
                }
                _ => {
                    predictions.push(None);
                    continue;
                }
            }
        }
        predictions.push(model::predict(&scenario, &input, schedule.crashed));
    }
    Prepared {
        scenario,
        mix: schedule.mix,
        predictions,
    }
}

/// One saga where the engine did something the model does not allow.
struct Difference {
    seed: u64,
    saga: usize,
    scenario: Scenario,
    expected: Vec<Predicted>,
    observed: SagaResult,
    mix: Mix,
}

impl Difference {
    /// A short name for what differs, to group differences by: the rule the model applied and
    /// what the engine did instead.
    fn category(&self) -> String {
        let s = &self.scenario;
        let mut whys: Vec<String> = self.expected.iter().map(|p| p.why.clone()).collect();
        whys.sort_unstable();
        whys.dedup();
        let o = &self.observed;
        let what = if !self.expected.iter().any(|p| p.result.fate == o.fate) {
            format!("engine: {:?}", o.fate)
        } else if !self.expected.iter().any(|p| {
            p.result.actions == o.actions
                && p.result.compensations == o.compensations
                && p.result.notices == o.notices
        }) {
            "engine: same outcome, other effects".to_string()
        } else if self.expected.iter().any(|p| {
            let (mut a, mut b) = (p.result.rows.clone(), o.rows.clone());
            a.failure_rows.clear();
            b.failure_rows.clear();
            a == b && p.result.rows.failure_rows.len() == o.rows.failure_rows.len()
        }) {
            format!(
                "engine: the failure notice says {:?}",
                o.rows.failure_rows.first()
            )
        } else {
            "engine: other rows".to_string()
        };
        let crash = s
            .commands
            .iter()
            .any(|c| matches!(c.command, Command::InjectFault { .. }));
        let slow = s.faults.iter().find_map(|f| match f {
            FaultSpec::Latency { service, .. } => Some(format!(", slow {}", service.as_str())),
            _ => None,
        });
        format!(
            "{}{}{}{}: {} -> {what}",
            s.coordination.as_str(),
            slow.unwrap_or_default(),
            match self.mix {
                Mix::SameSlotLater | Mix::SameSlotBusy => ", one slot",
                _ => "",
            },
            if crash { ", orchestrator crash" } else { "" },
            whys.join(" | ")
        )
        .replace("engine: Running", "engine: still running at rest")
    }
}

struct Tally {
    schedules: u64,
    per_style: BTreeMap<&'static str, u64>,
    sagas: u64,
    decided: u64,
    differences: Vec<Difference>,
    cancels: u64,
    crashes: u64,
}

fn compare(first: u64, count: u64) -> Tally {
    let mut tally = Tally {
        schedules: 0,
        per_style: BTreeMap::new(),
        sagas: 0,
        decided: 0,
        differences: Vec::new(),
        cancels: 0,
        crashes: 0,
    };
    for seed in first..first + count {
        let prepared = prepare(seed);
        let sim = run(&prepared.scenario);
        tally.schedules += 1;
        *tally
            .per_style
            .entry(prepared.scenario.coordination.as_str())
            .or_default() += 1;
        if prepared
            .scenario
            .commands
            .iter()
            .any(|c| matches!(c.command, Command::Cancel { .. }))
        {
            tally.cancels += 1;
        }
        if !prepared.scenario.commands.is_empty()
            && prepared
                .scenario
                .commands
                .iter()
                .any(|c| matches!(c.command, Command::InjectFault { .. }))
        {
            tally.crashes += 1;
        }
        for (saga, prediction) in prepared.predictions.iter().enumerate() {
            tally.sagas += 1;
            let Some(expected) = prediction else {
                continue;
            };
            tally.decided += 1;
            let observed = model::observe(&sim, saga);
            if !expected.iter().any(|p| p.result == observed) {
                tally.differences.push(Difference {
                    seed,
                    saga,
                    scenario: prepared.scenario.clone(),
                    expected: expected.clone(),
                    observed,
                    mix: prepared.mix,
                });
            }
        }
    }
    tally
}

fn figures(tally: &Tally) -> String {
    format!(
        "figures: model comparison: {} schedules ({} orchestration, {} choreography), {} sagas ({} decided by the model), {} with a cancel, {} with a crash, {} differences",
        tally.schedules,
        tally.per_style.get("orchestration").copied().unwrap_or(0),
        tally.per_style.get("choreography").copied().unwrap_or(0),
        tally.sagas,
        tally.decided,
        tally.cancels,
        tally.crashes,
        tally.differences.len()
    )
}

/// Groups the differences by what differs, each with its smallest schedule.
fn categories(tally: &Tally) -> String {
    let mut groups: BTreeMap<String, (usize, &Difference)> = BTreeMap::new();
    let weight = |d: &Difference| {
        (
            d.scenario.sagas.len(),
            d.scenario.faults.len(),
            d.scenario.commands.len(),
        )
    };
    for d in &tally.differences {
        let entry = groups.entry(d.category()).or_insert((0, d));
        entry.0 += 1;
        if weight(d) < weight(entry.1) {
            entry.1 = d;
        }
    }
    let mut out = String::new();
    for (name, (n, d)) in &groups {
        let faults: Vec<String> = d
            .scenario
            .faults
            .iter()
            .map(|f| f.describe(&d.scenario))
            .collect();
        out.push_str(&format!(
            "- {n} × {name}\n  smallest: seed {}, saga {}, faults {:?}, commands {:?}\n  expected one of {:?}\n  observed {:?}\n",
            d.seed,
            d.saga + 1,
            faults,
            d.scenario.commands.iter().map(|c| (c.at_ms, &c.command)).collect::<Vec<_>>(),
            d.expected.iter().map(|p| &p.result).collect::<Vec<_>>(),
            d.observed
        ));
    }
    out
}

fn describe(d: &Difference) -> String {
    format!(
        "seed {} saga {}\n  expected one of: {:#?}\n  observed: {:#?}\n  scenario: {}",
        d.seed,
        d.saga,
        d.expected,
        d.observed,
        d.scenario.to_json()
    )
}

fn schedules() -> (u64, u64) {
    (
        env_u64("SAGASCOPE_MODEL_SEED", 0),
        env_u64("SAGASCOPE_MODEL_SCHEDULES", DEFAULT_SCHEDULES),
    )
}

/// The comparison itself, with its figures: every saga the model decides ends as the model
/// allows, and the model decides enough sagas to mean something.
#[test]
fn engine_matches_the_model() {
    let (first, count) = schedules();
    let started = std::time::Instant::now();
    let tally = compare(first, count);
    println!("{}", figures(&tally));
    println!(
        "model comparison took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for d in tally.differences.iter().take(20) {
        println!("{}\n", describe(d));
    }
    assert_eq!(tally.schedules, count);
    assert!(
        tally.decided * 10 >= tally.sagas * 8,
        "the model decided only {} of {} sagas",
        tally.decided,
        tally.sagas
    );
    assert!(
        tally.differences.is_empty(),
        "{} differences from the model; by kind:\n{}",
        tally.differences.len(),
        categories(&tally)
    );
}

// ---- the model itself, on cases the design spells out ------------------------------------------

fn one_saga(style: Coordination, faults: Vec<FaultSpec>) -> Scenario {
    let mut s = Scenario::new(vec![SagaSpec::new("Ada", SLOTS[0])]);
    s.coordination = style;
    s.faults = faults;
    s
}

fn predicted(scenario: &Scenario, cancel: Option<Cancel>) -> Vec<SagaResult> {
    let mut cancels = BTreeMap::new();
    if let Some(c) = cancel {
        cancels.insert(0, c);
    }
    let inputs = model::inputs(scenario, &cancels).expect("model faults");
    model::predict(scenario, &inputs[0], false)
        .expect("the model decides")
        .into_iter()
        .map(|p| p.result)
        .collect()
}

#[test]
fn the_model_compensates_a_declined_card_in_reverse_order() {
    for style in [Coordination::Orchestration, Coordination::Choreography] {
        let s = one_saga(
            style,
            vec![FaultSpec::BusinessFailure {
                step: 3,
                saga: None,
            }],
        );
        let r = predicted(&s, None);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].fate, Fate::Compensated);
        assert_eq!(r[0].actions, vec![0, 1]);
        assert_eq!(r[0].compensations, vec![1, 0]);
        assert_eq!(r[0].rows.reservation, Some("CANCELLED"));
        assert_eq!(r[0].rows.net_cents, 0);
        assert_eq!(
            r[0].rows.failure_rows,
            vec![model::Says::Refunded, model::Says::Refunded]
        );
    }
}

#[test]
fn the_model_never_compensates_a_pivot_that_may_have_taken_effect() {
    let mut s = one_saga(
        Coordination::Orchestration,
        vec![FaultSpec::Ambiguous {
            step: 4,
            times: 1,
            saga: None,
        }],
    );
    s.retry.step.max_attempts = Some(1);
    let r = predicted(&s, None);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].fate, Fate::AwaitingPerson);
    assert_eq!(r[0].actions, vec![0, 1, 2, 3]);
    assert!(r[0].compensations.is_empty());
    assert_eq!(r[0].rows.reservation, Some("CONFIRMED"));
}

#[test]
fn the_model_flags_a_forward_step_out_of_attempts() {
    let mut s = one_saga(
        Coordination::Orchestration,
        vec![FaultSpec::TransientError {
            step: 5,
            times: 3,
            saga: None,
        }],
    );
    s.retry.retriable.max_attempts = Some(2);
    let r = predicted(&s, None);
    assert_eq!(
        r.iter().map(|r| r.fate).collect::<Vec<_>>(),
        [Fate::AwaitingPerson]
    );
    s.retry.retriable.max_attempts = None;
    let r = predicted(&s, None);
    assert_eq!(
        r.iter().map(|r| r.fate).collect::<Vec<_>>(),
        [Fate::Completed]
    );
}

#[test]
fn the_model_honours_a_cancel_in_every_window() {
    let s = one_saga(Coordination::Orchestration, vec![]);
    let before = predicted(&s, Some(Cancel::BeforeStart));
    assert_eq!(before.len(), 1);
    assert!(before[0].actions.is_empty());
    assert_eq!(before[0].fate, Fate::Compensated);
    assert_eq!(
        before[0].rows.failure_rows,
        vec![model::Says::NothingCharged, model::Says::NothingCharged]
    );
    let during = predicted(&s, Some(Cancel::DuringStep(1)));
    assert_eq!(
        during.iter().map(|r| r.actions.clone()).collect::<Vec<_>>(),
        vec![vec![0], vec![0, 1]]
    );
    let after = predicted(&s, Some(Cancel::AfterPivot));
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].actions, vec![0, 1, 2, 3, 4]);
    assert_eq!(after[0].compensations, vec![2, 1, 0]);
    assert_eq!(after[0].rows.success_rows, 2);
    assert_eq!(after[0].fate, Fate::Compensated);
}

#[test]
fn the_model_ends_rollback_incomplete_when_a_compensation_keeps_failing() {
    let s = one_saga(
        Coordination::Choreography,
        vec![
            FaultSpec::BusinessFailure {
                step: 4,
                saga: None,
            },
            FaultSpec::CompensationFails {
                step: 2,
                times: None,
                saga: None,
            },
        ],
    );
    let r = predicted(&s, None);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].fate, Fate::RollbackIncomplete);
    assert_eq!(r[0].compensations, vec![2]);
    assert_eq!(r[0].rows.net_cents, 4_000);
}

fn predicted_after_a_crash(scenario: &Scenario) -> Vec<SagaResult> {
    let inputs = model::inputs(scenario, &BTreeMap::new()).expect("model faults");
    model::predict(scenario, &inputs[0], true)
        .expect("the model decides")
        .into_iter()
        .map(|p| p.result)
        .collect()
}

#[test]
fn a_step_that_only_heard_errors_is_unknown_and_may_be_compensated() {
    // Every attempt at creating the reservation answered with an error, and its compensation
    // fails for ever. An error answers one copy of the command; a duplicate (or, after a crash,
    // the command that was out) may have taken effect, so the step's outcome is unknown: it may
    // be compensated, and that compensation running out of attempts is a rollback incomplete.
    // Either way nothing takes effect.
    let mut s = one_saga(
        Coordination::Orchestration,
        vec![
            FaultSpec::TransientError {
                step: 1,
                times: 4,
                saga: None,
            },
            FaultSpec::CompensationFails {
                step: 1,
                times: None,
                saga: None,
            },
        ],
    );
    s.retry.step.max_attempts = Some(2);
    let fates = |r: &[SagaResult]| r.iter().map(|r| r.fate).collect::<Vec<_>>();
    let calm = predicted(&s, None);
    assert_eq!(fates(&calm), [Fate::Compensated, Fate::RollbackIncomplete]);
    assert!(calm
        .iter()
        .all(|r| r.actions.is_empty() && r.compensations.is_empty()));
    // After a crash the re-sent command is the same attempt the error answered: that copy may
    // have taken effect, and is then undone (or stays, if its compensation keeps failing).
    let crashed = predicted_after_a_crash(&s);
    for r in &calm {
        assert!(crashed.contains(r), "{r:?} not allowed after a crash");
    }
    assert!(crashed
        .iter()
        .any(|r| r.actions == [0] && r.fate == Fate::RollbackIncomplete));
}

#[test]
fn after_a_crash_a_late_reply_may_decide() {
    // Payment answers later than the step timeout: without a crash no reply decides, the charge
    // gives up unknown and its refund (as late) runs out of attempts. After a restart the same
    // task token is awaited again, so the late reply to the command sent before the crash may
    // decide the charge (the saga completes) or the refund (the saga is compensated).
    let timeout = 2_000;
    let mut s = one_saga(
        Coordination::Orchestration,
        vec![FaultSpec::Latency {
            service: ServiceId::Payment,
            extra_ms: timeout + 500,
        }],
    );
    s.timing.step_timeout_ms = timeout;
    let fates = |r: &[SagaResult]| r.iter().map(|r| r.fate).collect::<Vec<_>>();
    assert_eq!(fates(&predicted(&s, None)), [Fate::RollbackIncomplete]);
    let crashed = fates(&predicted_after_a_crash(&s));
    for fate in [Fate::Completed, Fate::Compensated, Fate::RollbackIncomplete] {
        assert!(crashed.contains(&fate), "{fate:?} not among {crashed:?}");
    }
}

#[test]
fn a_late_done_heard_before_the_last_attempt_gives_up_lets_a_forward_step_go_on() {
    // The notifier answers later than the step timeout. Its "done" to the first attempt decides
    // no attempt, but with a second attempt out it comes before the retries run out: the step
    // took effect, so the saga completes. With a single attempt nothing comes in time.
    let timeout = 2_000;
    let mut s = one_saga(
        Coordination::Orchestration,
        vec![FaultSpec::Latency {
            service: ServiceId::Notification,
            extra_ms: timeout + 500,
        }],
    );
    s.timing.step_timeout_ms = timeout;
    let fates = |r: &[SagaResult]| r.iter().map(|r| r.fate).collect::<Vec<_>>();
    s.retry.retriable.max_attempts = Some(2);
    assert_eq!(fates(&predicted(&s, None)), [Fate::Completed]);
    s.retry.retriable.max_attempts = Some(1);
    assert_eq!(fates(&predicted(&s, None)), [Fate::AwaitingPerson]);
}

#[test]
fn a_cancel_during_a_step_may_undo_it_as_a_no_op() {
    // The cancel arrives while the reservation is being created and every attempt so far was
    // answered with an error: its command was out and never refused, so the orchestrator may
    // undo it (nothing to undo). If that compensation keeps failing, the saga ends rollback
    // incomplete with nothing taken effect.
    let mut s = one_saga(
        Coordination::Orchestration,
        vec![
            FaultSpec::TransientError {
                step: 1,
                times: 2,
                saga: None,
            },
            FaultSpec::CompensationFails {
                step: 1,
                times: None,
                saga: None,
            },
        ],
    );
    s.retry.step.max_attempts = Some(4);
    let results = predicted(&s, Some(Cancel::DuringStep(0)));
    assert!(results
        .iter()
        .any(|r| r.fate == Fate::RollbackIncomplete && r.actions.is_empty()));
    assert!(results
        .iter()
        .any(|r| r.fate == Fate::Compensated && r.actions.is_empty()));
}

#[test]
fn the_model_reads_a_notice_in_three_classes() {
    use model::{classify, Says};
    let cases = [
        ("reservation failed, €40.00 refunded", Some(Says::Refunded)),
        (
            "Reservation failed, nothing charged",
            Some(Says::NothingCharged),
        ),
        (
            "reservation failed, any charge of €40.00 refunded",
            Some(Says::Conditional),
        ),
        (
            "reservation failed, refunded if charged",
            Some(Says::Conditional),
        ),
        ("reservation failed", Some(Says::Other)),
        ("reservation confirmed for Fri 19:30", None),
    ];
    for (text, says) in cases {
        assert_eq!(classify(text), says, "{text}");
    }
    // charged, refunded, net: the definite words are true in one case each; the conditional
    // in both, and in neither while a charge is left standing.
    assert!(Says::Refunded.is_true(true, true, 0));
    assert!(!Says::Refunded.is_true(false, false, 0));
    assert!(Says::NothingCharged.is_true(false, false, 0));
    assert!(!Says::NothingCharged.is_true(true, true, 0));
    assert!(Says::Conditional.is_true(true, true, 0));
    assert!(Says::Conditional.is_true(false, false, 0));
    assert!(!Says::Conditional.is_true(true, false, 4_000));
    assert!(!Says::Other.is_true(false, false, 0));
}

#[test]
fn the_same_seed_gives_the_same_schedule() {
    for seed in [0, 1, 77, 12_345] {
        assert_eq!(prepare(seed).scenario, prepare(seed).scenario);
    }
}

/// Prints one schedule and its run, for reading a difference: `SAGASCOPE_MODEL_SEED=n cargo test
/// --release --test model_property show_one_schedule -- --ignored --nocapture`.
#[test]
#[ignore = "prints one schedule, on request"]
fn show_one_schedule() {
    let seed = env_u64("SAGASCOPE_MODEL_SEED", 0);
    let prepared = prepare(seed);
    println!("{}", prepared.scenario.to_json());
    let sim = run(&prepared.scenario);
    for e in sim.trace() {
        let chatter = matches!(
            e.kind,
            EventKind::MessageSent { .. }
                | EventKind::MessageArrived { .. }
                | EventKind::Enqueued { .. }
                | EventKind::Received { .. }
                | EventKind::Deleted { .. }
                | EventKind::OutboxWritten { .. }
                | EventKind::FaultInjected { .. }
        );
        if !chatter {
            println!("{:>7} saga {:?}: {:?}", e.at_ms, e.saga, e.kind);
        }
    }
    for (saga, prediction) in prepared.predictions.iter().enumerate() {
        println!("saga {}: model {prediction:#?}", saga + 1);
        println!(
            "saga {}: engine {:#?}",
            saga + 1,
            model::observe(&sim, saga)
        );
    }
}
