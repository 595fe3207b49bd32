//! Every preset in both styles, and the random schedules, through the monitor: prints what it
//! flags, so the engine's open defects are listed by invariant.

mod common;

use common::{Harness, STYLES};
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::Storage;

#[test]
#[ignore = "a survey: run with --ignored --nocapture to list what the monitor flags"]
fn survey_presets() {
    for style in STYLES {
        for storage in [Storage::PerService, Storage::Shared] {
            for preset in PRESETS.iter() {
                if !preset.runs_in(style) {
                    continue;
                }
                let scenario = presets::scenario(preset.id, style, storage, 0).expect("preset");
                let mut h = Harness::new(scenario);
                h.drive();
                let broken = h.broken();
                if !broken.is_empty() {
                    println!(
                        "{:<24} {:<14} {:<12} broke {:?}",
                        preset.id,
                        style.as_str(),
                        storage.as_str(),
                        broken
                    );
                    for v in h.monitor.violations() {
                        println!(
                            "    {} at {} ms (event {}): {}",
                            v.invariant.number(),
                            v.at_ms,
                            v.seq,
                            v.detail
                        );
                    }
                }
            }
        }
    }
}

#[test]
#[ignore = "a survey: run with --ignored --nocapture to list what the monitor flags"]
fn survey_fault_matrix() {
    use sagascope::engine::matrix::run_matrix;
    use sagascope::engine::run::Watch;
    let mut by_broken: std::collections::BTreeMap<Vec<u8>, Vec<String>> = Default::default();
    for row in run_matrix(Watch::EveryEvent) {
        if !row.broken.is_empty() {
            by_broken
                .entry(row.broken.clone())
                .or_default()
                .push(format!(
                    "{} {}",
                    row.coordination.as_str(),
                    row.faults.join(" + ")
                ));
        }
    }
    for (broken, rows) in &by_broken {
        println!("broke {broken:?}: {} runs", rows.len());
        for r in rows.iter().take(6) {
            println!("    {r}");
        }
    }
}
