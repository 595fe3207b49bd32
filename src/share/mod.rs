//! Sharing a run: links that reproduce it, and exports for documents and for real engines.
//!
//! Pure and deterministic like the engine beneath it (no IO, no clock, no web crates), so every
//! codec here is tested natively and behaves identically in the page:
//! - [`link`]: the shareable link (scenario, seed, style, storage and the current moment);
//! - [`export`]: the run's trace as versioned JSON, and a reader for it;
//! - [`mermaid`]: the run's messages as a Mermaid `sequenceDiagram`;
//! - [`asl`]: the saga definition as an AWS Step Functions state machine;
//! - [`commit_export`]: the 2PC / 3PC view's run as a trace file and a sequence diagram;
//! - [`import`]: reading a scenario or trace file a person opens, or saying what else it is.

pub mod asl;
pub mod base64url;
pub mod commit_export;
pub mod export;
pub mod import;
pub mod link;
pub mod mermaid;
pub mod query;
