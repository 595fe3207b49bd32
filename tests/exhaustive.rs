//! Exhaustive small schedules: every single fault at every moment of the fault-free run, and
//! every pair of faults at the moments a step is sent, applied or answered, in both styles.
//!
//! After each run the invariants are checked (`invariants::check`), the data is checked against
//! what the rules guarantee whatever the timing (tests/model: each action and compensation at
//! most once, the rows consistent with the outcome, the notice truthful), and, where every fault
//! is one the model counts (step-addressed), the outcome is compared with the reference model. A
//! step fault injected after its step was applied (in the fault-free run, which is the same run
//! up to the injection) meets no attempt, so the model leaves it out.
//!
//! Faults whose effect depends on timing the rules do not fix (latency, services, databases or
//! the orchestrator down, drops, duplicates, delays, reorder, poison, chaos) get the invariants
//! and the guarantees only.
//!
//! The single-fault runs check the invariants after every event; the pairs at the end.

mod model;

use std::collections::{BTreeMap, BTreeSet};

use model::{Fate, Predicted, SagaResult};
use sagascope::engine::event::EventKind;
use sagascope::engine::invariants;
use sagascope::engine::run::HORIZON_MS;
use sagascope::engine::{
    Command, Coordination, FaultSpec, SagaSpec, Scenario, ServiceId, Simulation, Storage, Task,
};

const STYLES: [Coordination; 2] = [Coordination::Orchestration, Coordination::Choreography];

fn base(style: Coordination, storage: Storage) -> Scenario {
    let mut s = Scenario::new(vec![SagaSpec::new("Ada", "Fri 19:30 · table 4")]);
    s.name = "exhaustive".to_string();
    s.coordination = style;
    s.storage = storage;
    s.seed = 7;
    s
}

/// Every fault the sweep injects, with the storage to run it under: step faults with a count a
/// retry absorbs and one that exhausts the default budgets, compensations failing once and for
/// ever, and each service-level kind on each service.
fn faults(style: Coordination) -> Vec<(FaultSpec, Storage)> {
    let per = Storage::PerService;
    let mut out = Vec::new();
    let counts: &[u32] = &[1, 4];
    for step in 2..=4 {
        out.push((FaultSpec::BusinessFailure { step, saga: None }, per));
    }
    for step in 1..=5 {
        for &times in counts {
            out.push((
                FaultSpec::TransientError {
                    step,
                    times,
                    saga: None,
                },
                per,
            ));
            out.push((
                FaultSpec::NoReply {
                    step,
                    times,
                    saga: None,
                },
                per,
            ));
        }
        out.push((
            FaultSpec::Ambiguous {
                step,
                times: 1,
                saga: None,
            },
            per,
        ));
    }
    for step in 1..=3 {
        for times in [Some(1), None] {
            out.push((
                FaultSpec::CompensationFails {
                    step,
                    times,
                    saga: None,
                },
                per,
            ));
        }
    }
    for service in ServiceId::ALL {
        out.push((
            FaultSpec::Latency {
                service,
                extra_ms: 2_500,
            },
            per,
        ));
        out.push((
            FaultSpec::ServiceDown {
                service,
                for_ms: 3_000,
            },
            per,
        ));
        out.push((
            FaultSpec::DatabaseDown {
                service,
                for_ms: 3_000,
            },
            per,
        ));
        out.push((FaultSpec::Poison { service }, per));
    }
    out.push((
        FaultSpec::DatabaseDown {
            service: ServiceId::Payment,
            for_ms: 3_000,
        },
        Storage::Shared,
    ));
    if style == Coordination::Orchestration {
        out.push((FaultSpec::OrchestratorDown { for_ms: 3_000 }, per));
    }
    let services = std::iter::once(None).chain(ServiceId::ALL.into_iter().map(Some));
    for service in services {
        out.push((FaultSpec::Drop { service, times: 1 }, per));
        out.push((FaultSpec::Duplicate { service, times: 1 }, per));
        out.push((
            FaultSpec::Delay {
                service,
                extra_ms: 1_500,
                times: 1,
            },
            per,
        ));
        out.push((FaultSpec::Reorder { service, times: 2 }, per));
    }
    out.push((
        FaultSpec::Chaos {
            percent: 20,
            for_ms: 5_000,
        },
        per,
    ));
    out
}

/// The fault-free run's moments: every event's, and when each step was sent, applied and
/// answered.
struct FaultFree {
    moments: Vec<u64>,
    key_moments: Vec<u64>,
}

fn fault_free(style: Coordination) -> FaultFree {
    let mut sim = Simulation::new(base(style, Storage::PerService)).expect("valid");
    sim.drive(HORIZON_MS);
    let moments: BTreeSet<u64> = sim.trace().iter().map(|e| e.at_ms).collect();
    let mut key = BTreeSet::new();
    for e in sim.trace() {
        match &e.kind {
            EventKind::TaskStarted {
                task: Task::Action(_),
                ..
            }
            | EventKind::StepSucceeded {
                task: Task::Action(_),
            }
            | EventKind::TaskApplied {
                task: Task::Action(_),
                ..
            } => {
                key.insert(e.at_ms);
            }
            _ => {}
        }
    }
    FaultFree {
        moments: moments.into_iter().collect(),
        key_moments: key.into_iter().collect(),
    }
}

/// One run: each fault injected at its moment (after everything due then), run to rest.
/// Returns the run and the invariants it broke: after every event when `every_event`, else at
/// the end.
fn run(
    style: Coordination,
    storage: Storage,
    faults: &[(u64, &FaultSpec)],
    every_event: bool,
) -> (Simulation, BTreeSet<(u8, String)>) {
    let mut sim = Simulation::new(base(style, storage)).expect("valid");
    let mut broken = BTreeSet::new();
    let mut note = |sim: &Simulation, settled: bool| {
        for v in invariants::check(sim, settled) {
            broken.insert((v.invariant.number(), v.detail));
        }
    };
    for (at_ms, fault) in faults {
        sim.advance_to(*at_ms);
        sim.handle_command(Command::InjectFault {
            fault: (*fault).clone(),
        })
        .expect("the sweep's faults are valid");
    }
    if every_event {
        while sim.next_timer().is_some_and(|t| t <= HORIZON_MS) {
            sim.step();
            note(&sim, false);
        }
    } else {
        sim.drive(HORIZON_MS);
    }
    note(&sim, sim.is_quiescent());
    (sim, broken)
}

/// The task a step fault is aimed at.
fn target(fault: &FaultSpec) -> Option<Task> {
    let step = fault.step_index()?;
    Some(match fault {
        FaultSpec::CompensationFails { .. } => Task::Compensate(step),
        _ => Task::Action(step),
    })
}

/// The model's answer, if every fault is one it counts. A fault injected at moment t meets the
/// attempts of its task served after t; the run up to t is the run with the earlier faults only,
/// so that run says which attempts came before. If its task was done by then, the fault meets
/// nothing; if an attempt had failed by then, or an earlier fault is aimed at the same task, how
/// many attempts it meets is a matter of timing, and the model does not decide.
fn predict(
    style: Coordination,
    storage: Storage,
    faults: &[(u64, &FaultSpec)],
) -> Option<Vec<Predicted>> {
    let scenario = base(style, storage);
    let mut inputs = model::inputs(&scenario, &BTreeMap::new())?;
    for (i, &(at_ms, fault)) in faults.iter().enumerate() {
        let task = target(fault)?;
        let earlier: Vec<(u64, &FaultSpec)> = faults[..i]
            .iter()
            .copied()
            .filter(|(t, _)| *t < at_ms)
            .collect();
        if faults[..i].iter().any(|(_, f)| target(f) == Some(task)) {
            return None;
        }
        let (before, _) = run(style, storage, &earlier, false);
        let mut done = false;
        for e in before.trace().iter().filter(|e| e.at_ms <= at_ms) {
            match &e.kind {
                EventKind::TaskApplied { task: t, .. } if *t == task => done = true,
                EventKind::TaskFailed { task: t, .. } if *t == task => return None,
                _ => {}
            }
        }
        if !done {
            model::add_fault(&mut inputs, fault, false)?;
        }
    }
    model::predict(&scenario, &inputs[0], false)
}

#[derive(Default)]
struct Sweep {
    singles: usize,
    pairs: usize,
    violations: Vec<String>,
    differences: Vec<String>,
    broken: Vec<String>,
    compared: usize,
}

impl Sweep {
    fn check(
        &mut self,
        style: Coordination,
        faults: &[(u64, &FaultSpec, Storage)],
        every_event: bool,
    ) {
        let storage = faults
            .iter()
            .map(|(_, _, s)| *s)
            .max()
            .unwrap_or(Storage::PerService);
        let timed: Vec<(u64, &FaultSpec)> = faults.iter().map(|(t, f, _)| (*t, *f)).collect();
        let specs: Vec<&FaultSpec> = faults.iter().map(|(_, f, _)| *f).collect();
        let (sim, violations) = run(style, storage, &timed, every_event);
        let what = format!(
            "{}{}: {}",
            style.as_str(),
            if storage == Storage::Shared {
                ", shared database"
            } else {
                ""
            },
            timed
                .iter()
                .map(|(t, f)| format!("{} at {t} ms", f.describe(sim.scenario())))
                .collect::<Vec<_>>()
                .join(" + ")
        );
        for (invariant, detail) in violations {
            self.violations
                .push(format!("invariant {invariant}: {detail} [{what}]"));
        }
        let observed = model::observe(&sim, 0);
        for wrong in model::consistency(&sim, 0) {
            self.broken.push(format!("{wrong} [{what}]"));
        }
        let settled = sim.is_quiescent();
        let endless = specs.iter().any(|f| {
            matches!(
                f,
                FaultSpec::Poison { .. } | FaultSpec::CompensationFails { times: None, .. }
            )
        });
        if settled && !endless && observed.fate == Fate::Running && sim.sagas()[0].stuck.is_none() {
            self.broken
                .push(format!("at rest, running, flagged for no one [{what}]"));
        }
        if let Some(expected) = predict(style, storage, &timed) {
            self.compared += 1;
            if !expected.iter().any(|p| p.result == observed) {
                self.differences
                    .push(difference(&what, &expected, &observed));
            }
        }
    }
}

fn difference(what: &str, expected: &[Predicted], observed: &SagaResult) -> String {
    let mut whys: Vec<&str> = expected.iter().map(|p| p.why.as_str()).collect();
    whys.dedup();
    let fates: Vec<Fate> = expected.iter().map(|p| p.result.fate).collect();
    let aspect = if !fates.contains(&observed.fate) {
        format!("{:?} instead of {:?}", observed.fate, fates)
    } else if !expected.iter().any(|p| {
        p.result.actions == observed.actions && p.result.compensations == observed.compensations
    }) {
        format!(
            "effects: actions {:?}, compensations {:?}",
            observed.actions, observed.compensations
        )
    } else {
        format!("rows: {:?}", observed.rows)
    };
    format!("{} -> {aspect} [{what}]", whys.join(" | "))
}

/// Groups lines by what comes before their `[…]` context, with a count and the first example.
fn grouped(lines: &[String]) -> String {
    let mut groups: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for line in lines {
        let key = line.split(" [").next().unwrap_or(line);
        let entry = groups.entry(key).or_insert((0, line));
        entry.0 += 1;
    }
    groups
        .values()
        .map(|(n, example)| format!("- {n} × {example}\n"))
        .collect()
}

fn sweep() -> Sweep {
    let mut sweep = Sweep::default();
    for style in STYLES {
        let reference = fault_free(style);
        let list = faults(style);
        for &at_ms in &reference.moments {
            for (fault, storage) in &list {
                sweep.check(style, &[(at_ms, fault, *storage)], true);
                sweep.singles += 1;
            }
        }
        // Pairs: both at one of the moments a step is sent, applied or answered, or the first
        // from the start and the second at such a moment.
        for &at_ms in &reference.key_moments {
            for (i, (a, sa)) in list.iter().enumerate() {
                for (b, sb) in &list[i + 1..] {
                    sweep.check(style, &[(at_ms, a, *sa), (at_ms, b, *sb)], false);
                    sweep.pairs += 1;
                }
            }
            for (a, sa) in &list {
                for (b, sb) in &list {
                    if at_ms == 0 || a == b {
                        continue;
                    }
                    sweep.check(style, &[(0, a, *sa), (at_ms, b, *sb)], false);
                    sweep.pairs += 1;
                }
            }
        }
    }
    sweep
}

fn figures(s: &Sweep) -> String {
    format!(
        "figures: exhaustive: {} single-fault runs, {} pairs, {} violations, {} differences ({} runs compared with the model, {} breaches of the rules' guarantees)",
        s.singles,
        s.pairs,
        s.violations.len(),
        s.differences.len(),
        s.compared,
        s.broken.len()
    )
}

/// A declined card is compensated; then every delivery of the failure notice fails. The notice
/// only goes forward, so the saga waits for a person with its rollback whole, and that breaks
/// no guarantee.
#[test]
fn a_saga_that_compensated_and_cannot_send_its_notice_waits_for_a_person() {
    let (sim, violations) = run(
        Coordination::Choreography,
        Storage::PerService,
        &[
            (
                0,
                &FaultSpec::BusinessFailure {
                    step: 2,
                    saga: None,
                },
            ),
            (
                0,
                &FaultSpec::Poison {
                    service: ServiceId::Notification,
                },
            ),
        ],
        false,
    );
    let observed = model::observe(&sim, 0);
    assert_eq!(observed.fate, Fate::AwaitingPerson);
    assert_eq!(observed.compensations, vec![0]);
    assert_eq!(observed.notices, 0);
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(model::consistency(&sim, 0), Vec::<String>::new());
}

/// The sweep's figures, and today's findings grouped; fails only if the sweep did not run.
#[test]
fn exhaustive_figures() {
    let started = std::time::Instant::now();
    let s = sweep();
    println!("{}", figures(&s));
    println!(
        "exhaustive sweep took {:.1} s\nviolations by kind:\n{}\nguarantees broken, by kind:\n{}\ndifferences from the model, by kind:\n{}",
        started.elapsed().as_secs_f64(),
        grouped(&s.violations),
        grouped(&s.broken),
        grouped(&s.differences)
    );
    assert!(
        s.singles > 1_000 && s.pairs > 1_000,
        "the sweep is too small"
    );
    assert!(s.compared > 1_000, "the model decided too few runs");
}

/// The sweep's verdict: no invariant broken, no guarantee broken, no difference from the model.
#[test]
fn exhaustive_schedules_keep_the_rules() {
    let s = sweep();
    println!("{}", figures(&s));
    assert!(
        s.violations.is_empty() && s.broken.is_empty() && s.differences.is_empty(),
        "violations:\n{}\nguarantees broken:\n{}\ndifferences:\n{}",
        grouped(&s.violations),
        grouped(&s.broken),
        grouped(&s.differences)
    );
}
