//! The engine's traces for a few presets equal the checked-in golden files (which
//! tests/browser_determinism.rs also compares against, in Chromium). After an intended change
//! to the engine, regenerate them with `UPDATE_GOLDEN=1 cargo test --test golden`.

mod golden_cases;

use golden_cases::{trace, CASES};

#[test]
fn native_traces_equal_the_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for (preset, style, seed, file, golden) in CASES {
        let now = trace(preset, style, seed);
        if update {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/golden")
                .join(file);
            std::fs::write(&path, &now).expect("write golden file");
            continue;
        }
        assert!(
            !golden.is_empty(),
            "{file} is empty: run with UPDATE_GOLDEN=1"
        );
        assert!(
            now == golden,
            "{file}: the engine's trace changed (UPDATE_GOLDEN=1 to accept)"
        );
    }
}
