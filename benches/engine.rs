//! Engine benchmarks that print figures: events per second, and the time of the fault matrix.
//!
//! `cargo bench --bench engine`

use std::time::{Duration, Instant};

use sagascope::engine::history::{CheckedRun, History};
use sagascope::engine::matrix::run_matrix;
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::rng::Rng;
use sagascope::engine::run::Watch;
use sagascope::engine::{Coordination, FaultSpec, SagaSpec, Scenario, Simulation, Storage};

fn all_preset_scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    for style in [Coordination::Orchestration, Coordination::Choreography] {
        for p in PRESETS.iter() {
            if !p.runs_in(style) {
                continue;
            }
            if let Some(s) = presets::scenario(p.id, style, Storage::PerService, 1) {
                out.push(s);
            }
        }
    }
    out
}

/// Runs every preset to rest again and again for `budget`, draining events as a caller would.
fn events_per_second(budget: Duration) -> (f64, u64, u64) {
    let scenarios = all_preset_scenarios();
    let started = Instant::now();
    let (mut events, mut runs) = (0u64, 0u64);
    while started.elapsed() < budget {
        for scenario in &scenarios {
            let Ok(sim) = Simulation::new(scenario.clone()) else {
                continue;
            };
            let mut sim = sim.without_trace();
            while sim.step() {
                while let Some(event) = sim.poll_event() {
                    std::hint::black_box(&event);
                    events += 1;
                }
            }
            runs += 1;
        }
    }
    (
        events as f64 / started.elapsed().as_secs_f64(),
        events,
        runs,
    )
}

fn best_of(n: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut size = 0;
    for _ in 0..n {
        let t = Instant::now();
        size = f();
        best = best.min(t.elapsed());
    }
    (best, size)
}

/// A long run for time travel: eight customers, some sharing slots, under chaos for a minute,
/// with the notifier down for five minutes so that forward recovery keeps retrying.
fn long_scenario() -> Scenario {
    let sagas = (0..8)
        .map(|i| {
            let mut s = SagaSpec::new(&format!("Customer {}", i + 1), &format!("slot {}", i % 3));
            s.start_ms = i * 4_000;
            s
        })
        .collect();
    let mut scenario = Scenario::new(sagas);
    scenario.seed = 5;
    scenario.faults.push(FaultSpec::ServiceDown {
        service: sagascope::engine::ServiceId::Notification,
        for_ms: 300_000,
    });
    scenario.faults.push(FaultSpec::Chaos {
        percent: 40,
        for_ms: 60_000,
    });
    scenario
}

/// How long seeking to a random past moment takes, with checkpoints and by replaying from the start.
fn seek_times() -> (u64, Duration, Duration, Duration) {
    let Ok(sim) = Simulation::new(long_scenario()) else {
        return (0, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    };
    let build = Instant::now();
    let mut moment = CheckedRun::start(sim);
    let mut history = History::new(&moment);
    while moment.step() {
        history.record(&moment);
    }
    let build = build.elapsed();
    let total = moment.sim.event_count();
    let mut rng = Rng::new(1);
    let targets: Vec<u64> = (0..200).map(|_| rng.up_to(total)).collect();
    let t = Instant::now();
    for &target in &targets {
        std::hint::black_box(history.seek(target));
    }
    let with_checkpoints = t.elapsed() / 200;
    let t = Instant::now();
    for &target in targets.iter().take(50) {
        if let Ok(replay) = Simulation::new(long_scenario()) {
            let mut replay = CheckedRun::start(replay);
            while replay.sim.event_count() < target && replay.step() {}
            std::hint::black_box(replay);
        }
    }
    let from_start = t.elapsed() / 50;
    (total, build, with_checkpoints, from_start)
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let budget = if quick {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(2)
    };

    let (rate, events, runs) = events_per_second(budget);
    println!(
        "engine: {:.2} million events/s ({events} events in {runs} runs of {} presets, both styles; goal ≥ 1.0)",
        rate / 1e6,
        all_preset_scenarios().len()
    );

    let (at_end, rows) = best_of(if quick { 1 } else { 5 }, || run_matrix(Watch::AtEnd).len());
    println!(
        "matrix: {rows} runs (every single fault and pair, both styles), invariants checked at the end: {:.1} ms (best of 5; goal < 100 ms)",
        at_end.as_secs_f64() * 1e3
    );
    let (every, _) = best_of(if quick { 1 } else { 3 }, || {
        run_matrix(Watch::EveryEvent).len()
    });
    println!(
        "matrix: invariants checked after every event: {:.1} ms (best of 3)",
        every.as_secs_f64() * 1e3
    );

    let (events, build, seek, replay) = seek_times();
    println!(
        "time travel: a run of {events} events; run + checkpoints {:.2} ms; seek to a random moment {:.3} ms with checkpoints, {:.3} ms replaying from the start",
        build.as_secs_f64() * 1e3,
        seek.as_secs_f64() * 1e3,
        replay.as_secs_f64() * 1e3
    );
}
