//! Pure functions from an engine snapshot to what is drawn.
//!
//! Nothing here touches the web: every function is tested natively. The page's components
//! (`crate::ui`) only turn these values into DOM.

pub mod bar;
pub mod command;
pub mod commit;
pub mod compare;
pub mod faults;
pub mod format;
pub mod gantt;
pub mod glossary;
pub mod html;
pub mod layout;
pub mod lesson;
pub mod monitor;
pub mod predict;
pub mod saga_log;
pub mod sequence;
pub mod status;
pub mod story;
pub mod svg;
pub mod tables;
pub mod teach;
pub mod tokens;

/// What the view modules' tests share.
#[cfg(test)]
pub(crate) mod testing {
    use crate::engine::presets;
    use crate::engine::scenario::{Coordination, Storage};
    use crate::engine::sim::Simulation;

    /// A preset's run (storage per service, seed 1), stepped until nothing more is due.
    pub fn played(preset: &str, coordination: Coordination) -> Simulation {
        let scenario =
            presets::scenario(preset, coordination, Storage::PerService, 1).expect("preset");
        let mut sim = Simulation::new(scenario).expect("valid");
        while sim.step() {}
        sim
    }
}
