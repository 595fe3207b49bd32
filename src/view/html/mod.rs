//! The page's panels as HTML markup, one file per panel: the bar's Share menu, the notice, the event log, the saga chips and actions, the fault menu, the outcome banner, the
//! narration, the invariant monitor and the data tabs. This module only gathers them, so
//! `crate::view::html::X` names each of them.
//!
//! Each panel builds its markup with [`Html`], which grows only by static markup, escaped text,
//! numbers and command attributes, so a person's text cannot reach the page un-escaped.
//!
//! Pure functions, tested natively. An interactive element names what it does with the
//! attributes of a [`Command`](crate::view::command::Command)
//! ([`Command::attrs`](crate::view::command::Command::attrs)), a form control with a
//! [`Control`](crate::view::command::Control); the page reads them back and handles them by
//! delegation (see `crate::view::command`).

mod data;
mod fault_menu;
mod invariants;
mod log;
mod markup;
mod narration;
mod notice;
mod outcome;
mod sagas;
mod share;

pub use data::data_html;
pub use fault_menu::fault_menu_html;
pub use invariants::invariants_html;
pub use log::{filter_chip_html, lines, lines_from, log_head_html, log_line_html, Line};
pub use markup::{Html, Plain};
pub use narration::{narrated, narration_html};
pub use notice::notice_html;
pub use outcome::outcome_html;
pub use sagas::toolbar_html;
pub use share::{share_html, share_menu_html};

/// `attr` when `on`, else nothing: a class or an attribute that is there or not.
fn attr_if(on: bool, attr: &'static str) -> &'static str {
    if on {
        attr
    } else {
        ""
    }
}

/// A preset's run (storage per service, seed 1), driven for ten minutes of simulated time.
#[cfg(test)]
fn run(preset: &str, c: crate::engine::scenario::Coordination) -> crate::engine::sim::Simulation {
    let scenario = crate::engine::presets::scenario(
        preset,
        c,
        crate::engine::scenario::Storage::PerService,
        1,
    )
    .unwrap();
    let mut sim = crate::engine::sim::Simulation::new(scenario).unwrap();
    sim.drive(600_000);
    sim
}
