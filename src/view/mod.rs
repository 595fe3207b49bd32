//! Pure functions from an engine snapshot to what is drawn.
//!
//! Nothing here touches the web: every function is tested natively. The page's components
//! (`crate::ui`) only turn these values into DOM.

pub mod compare;
pub mod faults;
pub mod format;
pub mod gantt;
pub mod glossary;
pub mod html;
pub mod layout;
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
