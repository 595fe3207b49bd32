//! Leptos components: they send commands to the engine and read its snapshots.

use leptos::prelude::*;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="app">
            <h1>"Sagascope"</h1>
            <p>"See the saga pattern work and fail."</p>
        </main>
    }
}
