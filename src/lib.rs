//! Sagascope: see the saga pattern work and fail.
//!
//! Three layers that only look downwards:
//! - [`engine`]: the pure, deterministic saga engine (no IO, no clock, no web crates);
//! - [`view`]: pure functions from an engine snapshot to what is drawn;
//! - [`ui`]: Leptos components that send commands and read snapshots.

pub mod engine;
#[cfg(not(target_arch = "wasm32"))]
pub mod runner;
pub mod ui;
pub mod view;
