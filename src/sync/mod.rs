//! The sync from Eptura Workplace to Condeco (`spec/sync-rules.md`): read both sides
//! ([`snapshot`]), apply the mapping rules ([`desired`]), match what Condeco already has
//! ([`merge`], through the [`crate::matcher`]), diff against Condeco and the mapping store
//! into a [`plan::Plan`] (pure), run it ([`apply`]) with intents, mappings and resume (every
//! Condeco call waiting out the call quota the same way, [`quota`]),
//! and drive a whole run through [`engine`], which the CLI and the TUI share, with progress
//! [`events`]. Nothing here prints or draws.

pub mod apply;
pub mod desired;
pub mod engine;
pub mod events;
pub mod levels;
pub mod merge;
pub mod plan;
pub mod quota;
pub mod snapshot;
pub mod upload;

pub use engine::{EngineHandle, SyncError, SyncReport, SyncSettings, preview, run};
pub use events::{Event, EventSink};
pub use merge::MergeLinks;
pub use plan::{Plan, PlanOptions};
