//! Same scenario and seed, same trace, in the browser too: the engine compiled to wasm and run
//! in headless Chromium produces byte for byte the golden traces the native tests check.
#![cfg(target_arch = "wasm32")]

mod golden_cases;

use golden_cases::{trace, CASES};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn browser_traces_equal_the_native_golden_files() {
    for (preset, style, seed, file, golden) in CASES {
        assert!(!golden.is_empty(), "{file} is empty");
        let now = trace(preset, style, seed);
        assert!(
            now == golden,
            "{file}: the browser's trace differs from the native one"
        );
    }
}
