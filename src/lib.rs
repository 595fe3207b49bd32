//! Sagascope: see the saga pattern work and fail.
//!
//! Three layers that only look downwards:
//! - [`engine`]: the pure, deterministic saga engine (no IO, no clock, no web crates);
//! - [`player`]: the run the page shows (time travel, forks, the fault plan), pure as well;
//! - [`view`]: pure functions from an engine snapshot to what is drawn;
//! - [`ui`]: Leptos components that send commands and read snapshots.
//!
//! Beside them, [`share`] turns a run into links and exports, and [`lesson`] reads guided
//! lessons and follows a student through one (both pure, like the engine).

pub mod engine;
pub mod lesson;
pub mod player;
pub mod runner;
pub mod share;
pub mod ui;
pub mod view;
