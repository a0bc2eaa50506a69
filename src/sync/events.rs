//! What a running sync tells whoever watches it (the CLI's progress line, the TUI's Sync
//! screen): typed events on a channel. Sending never blocks and never fails the sync: with no
//! one listening, events are dropped.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::domain::SyncKind;
use crate::http::HttpStats;
use crate::store::{OpCounts, RunId, RunKind, RunStatus};

use super::apply::Rejected;
use super::plan::Action;

/// One thing that happened in a sync.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run started (or resumed a failed one: `resumed_from`).
    Started {
        run: RunId,
        kind: RunKind,
        resumed_from: Option<RunId>,
    },
    /// Reading one side before planning.
    Reading {
        what: &'static str,
    },
    /// The plan is made: what will run, and the destructive ops held.
    Planned {
        counts: OpCounts,
        held: usize,
    },
    LevelStarted {
        kind: SyncKind,
        total: u64,
    },
    OpDone {
        kind: SyncKind,
        action: Action,
        label: String,
        done: u64,
        total: u64,
    },
    Rejected(Rejected),
    Skipped {
        kind: SyncKind,
        label: String,
        reason: String,
    },
    /// A create's answer was lost: looking the entity up before trying again.
    LookingUp {
        label: String,
    },
    /// Condeco's daily quota is used up: waiting for it to renew.
    QuotaPaused {
        renews_in: Duration,
    },
    /// Requests so far and the limits the HTTP layer found.
    Traffic {
        condeco: HttpStats,
        eptura: HttpStats,
        concurrency: usize,
        paced_rate: Option<f64>,
    },
    Finished {
        run: RunId,
        status: RunStatus,
        counts: OpCounts,
    },
}

/// The sending side; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct EventSink(Option<mpsc::UnboundedSender<Event>>);

impl EventSink {
    /// A sink and the receiver its events arrive on.
    pub fn channel() -> (EventSink, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (EventSink(Some(tx)), rx)
    }

    /// A sink that drops everything.
    pub fn none() -> EventSink {
        EventSink(None)
    }

    pub fn send(&self, event: Event) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(event);
        }
    }
}
