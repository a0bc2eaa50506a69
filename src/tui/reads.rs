//! What the background work reads for the Merge, Sync and History screens, handed over whole in
//! one reply (plain data built off the UI thread, so that a screen only keeps it and draws
//! it), and the commands the Sync screen sends a running sync. No I/O and no drawing here.

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::CondecoKey;
use crate::matcher::Outcome;
use crate::store::{Drift, RejectedItem, Run, RunId, Schedule};
use crate::sync::SyncReport;
use crate::sync::engine::Resumable;
use crate::sync::merge::MergeView;

/// A merge review: what was read (kept to match again after each decision), the match, and
/// the bookings under each Condeco entity.
#[derive(Debug, Clone)]
pub struct MergeRead {
    pub view: Arc<MergeView>,
    pub outcome: Outcome,
    pub bookings: HashMap<CondecoKey, u64>,
}

/// A sync's plan as a dry run found it, and the run it would take over.
#[derive(Debug, Clone)]
pub struct PlanRead {
    /// The plan as `spacebridge plan` reports it (`status` "planned").
    pub report: SyncReport,
    pub resumes: Option<Resumable>,
    /// Planned for the entities Condeco rejected only (`r` after a partial run).
    pub retry_rejected: bool,
}

/// The store's runs, newest first, and the schedule a daemon keeps on it.
#[derive(Debug, Clone, Default)]
pub struct HistoryRead {
    pub runs: Vec<Run>,
    pub schedule: Option<Schedule>,
    /// Whether the schedule's daemon still runs (its process is alive, as far as this machine
    /// can tell).
    pub daemon_alive: bool,
    /// Rejections no later write has cleared: what "retry the rejected ones" would retry.
    pub outstanding: usize,
}

/// One run drilled into: its rejected items (with Condeco's message) and its drift.
#[derive(Debug, Clone)]
pub struct RunDetail {
    pub run: RunId,
    pub rejected: Vec<RejectedItem>,
    pub drift: Vec<Drift>,
}

/// What the Sync screen asks of a running sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineCommand {
    /// Finish the ops in flight, start no new one.
    Pause,
    Resume,
    /// Stop at the next op boundary; the run ends `cancelled` and resumes next time.
    Cancel,
    /// Approve held ops by their hold ids: they run after the rest, under the deletion cap.
    Approve(Vec<String>),
}
