//! Browser smoke test: mounts the app in headless Chromium (wasm-bindgen-test).
//! Run with `cargo test --target wasm32-unknown-unknown` (scripts/test does).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn app_mounts_and_shows_its_name() {
    let document = leptos::prelude::document();
    let host = document.create_element("div").expect("create div");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("append div");
    let host: web_sys::HtmlElement = host.unchecked_into();

    let handle = leptos::mount::mount_to(host.clone(), sagascope::ui::App);

    let text = host.text_content().unwrap_or_default();
    assert!(text.contains("Sagascope"), "mounted text was: {text:?}");
    assert!(host.query_selector("main.app").expect("query").is_some());
    drop(handle);
}
