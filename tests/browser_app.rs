//! Component tests of the page in headless Chromium (wasm-bindgen-test): mount the app, click
//! its controls, and check the DOM and the data-testid contract.
//! Run with `cargo test --target wasm32-unknown-unknown` (scripts/test does).
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use leptos::mount::mount_to;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// A mounted app in its own element; unmounted when dropped.
struct Mounted {
    host: HtmlElement,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.host.remove();
    }
}

fn mount() -> Mounted {
    // Every test starts from the defaults, not from the run an earlier test left behind.
    if let Some(storage) = leptos::prelude::window().local_storage().ok().flatten() {
        storage
            .remove_item(sagascope::ui::remember::KEY)
            .expect("forget the remembered run");
    }
    let document = leptos::prelude::document();
    let host: HtmlElement = document
        .create_element("div")
        .expect("create a host element")
        .unchecked_into();
    document
        .body()
        .expect("the page has a body")
        .append_child(&host)
        .expect("append the host");
    let handle = mount_to(host.clone(), sagascope::ui::App);
    Mounted {
        host,
        _handle: Box::new(handle),
    }
}

/// Lets effects run and the markup they write land in the DOM.
async fn settle() {
    for _ in 0..4 {
        leptos::task::tick().await;
    }
    TimeoutFuture::new(20).await;
}

impl Mounted {
    fn find(&self, selector: &str) -> Option<web_sys::Element> {
        self.host
            .query_selector(selector)
            .expect("a valid selector")
    }

    fn test_id(&self, id: &str) -> web_sys::Element {
        self.find(&format!("[data-testid=\"{id}\"]"))
            .unwrap_or_else(|| panic!("nothing has data-testid={id}"))
    }

    /// Clicks an element, HTML or SVG, with an event that bubbles to the page's handler.
    fn click(&self, selector: &str) {
        let el = self
            .find(selector)
            .unwrap_or_else(|| panic!("nothing matches {selector}"));
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let event = web_sys::Event::new_with_event_init_dict("click", &init).expect("an event");
        el.dispatch_event(&event).expect("dispatch a click");
    }

    fn attr(&self, selector: &str, name: &str) -> Option<String> {
        self.find(selector).and_then(|el| el.get_attribute(name))
    }

    fn log_lines(&self) -> u32 {
        self.find(".log__list")
            .map(|list| list.child_element_count())
            .unwrap_or(0)
    }

    fn log_text(&self) -> String {
        self.test_id("event-log").text_content().unwrap_or_default()
    }

    /// Steps until the outcome is no longer running (at most `limit` steps).
    async fn step_to_the_end(&self, limit: usize) {
        for _ in 0..limit {
            self.click("[data-testid=\"step\"]");
        }
        settle().await;
    }
}

#[wasm_bindgen_test]
async fn the_page_has_every_hook_of_the_contract() {
    let app = mount();
    settle().await;
    for id in [
        "play",
        "pause",
        "step",
        "step-back",
        "reset",
        "speed",
        "preset",
        "coordination",
        "storage",
        "seed",
        "orchestrator",
        "service-reservation",
        "service-payment",
        "service-calendar",
        "service-notification",
        "event-log",
        "narration",
        "outcome",
        "invariants",
    ] {
        app.test_id(id);
    }
    // Nothing to go back to before the first step.
    assert_eq!(
        app.attr("[data-testid=\"step-back\"]", "disabled")
            .as_deref(),
        Some("")
    );
    assert_eq!(
        app.attr("[data-testid=\"outcome\"]", "data-outcome")
            .as_deref(),
        Some("running")
    );
    assert_eq!(
        app.attr("[data-testid=\"service-payment\"]", "data-status")
            .as_deref(),
        Some("idle")
    );
    let rows = app
        .find(".invariants__list")
        .map(|l| l.child_element_count());
    assert_eq!(
        rows,
        u32::try_from(sagascope::engine::Invariant::ALL.len()).ok()
    );
}

#[wasm_bindgen_test]
async fn step_adds_events_and_the_run_completes() {
    let app = mount();
    settle().await;
    assert_eq!(app.log_lines(), 0);
    app.click("[data-testid=\"step\"]");
    settle().await;
    let after_one = app.log_lines();
    assert!(after_one >= 1, "a step shows at least one event");
    assert!(app
        .test_id("clock")
        .text_content()
        .unwrap_or_default()
        .starts_with("t = "));
    app.step_to_the_end(400).await;
    assert_eq!(
        app.attr("[data-testid=\"outcome\"]", "data-outcome")
            .as_deref(),
        Some("completed")
    );
    assert!(app.log_lines() > after_one);
    assert_eq!(
        app.attr("[data-testid=\"invariants\"]", "data-all-hold")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        app.attr("[data-testid=\"service-notification\"]", "data-status")
            .as_deref(),
        Some("succeeded")
    );
}

#[wasm_bindgen_test]
async fn play_starts_the_clock_and_pause_stops_it() {
    let app = mount();
    settle().await;
    app.click("[data-testid=\"play\"]");
    settle().await;
    assert_eq!(
        app.attr("main.app", "data-playing").as_deref(),
        Some("true")
    );
    TimeoutFuture::new(300).await;
    app.click("[data-testid=\"pause\"]");
    settle().await;
    assert_eq!(
        app.attr("main.app", "data-playing").as_deref(),
        Some("false")
    );
    let clock = app.test_id("clock").text_content().unwrap_or_default();
    assert_ne!(clock, "t = 0.00 s", "time moved while playing");
    TimeoutFuture::new(200).await;
    assert_eq!(
        app.test_id("clock").text_content().unwrap_or_default(),
        clock,
        "and stopped"
    );
}

#[wasm_bindgen_test]
async fn a_fault_chosen_in_the_menu_is_compensated_after_reset() {
    let app = mount();
    settle().await;
    app.click("[data-testid=\"service-payment\"]");
    settle().await;
    assert!(app
        .find("[data-testid=\"fault-menu\"] [data-fault=\"business_failure\"]")
        .is_some());
    app.click("[data-fault=\"business_failure\"]");
    settle().await;
    assert!(
        app.find("[data-testid=\"service-payment\"] [data-chip]")
            .is_some(),
        "the fault shows as a chip"
    );
    app.click("[data-testid=\"reset\"]");
    settle().await;
    app.step_to_the_end(400).await;
    assert_eq!(
        app.attr("[data-testid=\"outcome\"]", "data-outcome")
            .as_deref(),
        Some("compensated")
    );
    assert_eq!(
        app.attr("[data-testid=\"service-payment\"]", "data-status")
            .as_deref(),
        Some("failed")
    );
    // Clicking Payment filtered the log to it; show everything again.
    app.click("[data-testid=\"log-show-all\"]");
    settle().await;
    let log = app.log_text();
    assert!(log.contains("refuses Charge card: card declined"), "{log}");
    assert!(log.contains("Reservation cancelled for Ada"), "{log}");
}

#[wasm_bindgen_test]
async fn choreography_draws_the_bus_and_the_dead_letter_queue() {
    let app = mount();
    settle().await;
    app.click("[data-testid=\"coordination\"] [data-value=\"choreography\"]");
    settle().await;
    assert_eq!(
        app.attr("[data-testid=\"coordination\"]", "data-value")
            .as_deref(),
        Some("choreography")
    );
    app.test_id("event-bus");
    assert_eq!(
        app.attr("[data-testid=\"dead-letter-queue\"]", "data-count")
            .as_deref(),
        Some("0")
    );
    assert!(app.find("[data-testid=\"orchestrator\"]").is_none());
    app.step_to_the_end(600).await;
    assert_eq!(
        app.attr("[data-testid=\"outcome\"]", "data-outcome")
            .as_deref(),
        Some("completed")
    );
    assert!(app.log_text().contains("publishes PaymentCharged"));
}
