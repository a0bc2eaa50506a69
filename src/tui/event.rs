//! The one event type of the TUI, the replies background jobs send, and the task that feeds
//! terminal input into the channel. Keys, mouse, resizes, ticks and job replies all travel on
//! one tokio channel to the app's loop.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event as CrosstermEvent, EventStream, KeyEvent, MouseEvent};
use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::eptura::upload::{UploadProgress, UploadReport};
use crate::http::HttpStats;
use crate::matcher::Outcome;
use crate::sync::SyncReport;
use crate::template::SheetInfo;
use crate::tui::portfolio_tree::Prepared;
use crate::tui::reads::{HistoryRead, MergeRead, PlanRead, RunDetail};

/// Everything the app's loop reacts to.
#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Animation and message expiry; a few times a second.
    Tick,
    /// A message from a background job (boxed: an upload's progress is large).
    Job(Box<JobMessage>),
}

/// Which job a message comes from: every job started gets a new one, so a message from a job
/// that was cancelled or replaced is told apart and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// One message of a background job: progress while it runs, then its last reply (`done`).
#[derive(Debug)]
pub struct JobMessage {
    pub id: JobId,
    /// The job's last message: it has ended.
    pub done: bool,
    pub reply: Reply,
}

/// What background jobs report.
#[derive(Debug)]
pub enum Reply {
    /// The template with its tree index (built off the UI thread), or why it cannot be read.
    Loaded(Result<Box<Prepared>, String>),
    /// The sheets of a file named in the Load screen's path field, or why it cannot be read.
    Sheets {
        path: PathBuf,
        result: Result<Vec<SheetInfo>, String>,
    },
    /// The annotated copy was written to the path, or why not.
    Exported(Result<PathBuf, String>),
    /// Where a running upload (dry or real) stands, and its requests so far.
    UploadProgress {
        progress: UploadProgress,
        stats: HttpStats,
    },
    /// An upload ended: its report (also when cancelled: what was done until then), or why it
    /// stopped, and the requests it made.
    Uploaded {
        result: Result<UploadReport, String>,
        stats: HttpStats,
        /// What the session's after-upload step said (the demo's reservation centers), or
        /// why it failed; `None` when there is no such step or nothing was uploaded.
        after: Option<Result<String, String>>,
    },
    /// Both services read and matched for the merge review, or why not.
    Matched(Result<Box<MergeRead>, String>),
    /// Decisions recorded in the store and the match made again with them, or why not.
    Decided(Result<Box<Outcome>, String>),
    /// A sync's plan (nothing written), or why there is none.
    Planned(Result<Box<PlanRead>, String>),
    /// What a running sync reported since its last message, oldest first.
    SyncEvents(Vec<crate::sync::Event>),
    /// A sync ended: its report (also when cancelled or failed), or why it could not start.
    Synced(Result<Box<SyncReport>, String>),
    /// The store's runs and schedule, or why they cannot be read.
    History(Result<Box<HistoryRead>, String>),
    /// One run's rejected items and drift, or why not.
    RunDetail(Result<Box<RunDetail>, String>),
}

/// How often [`Event::Tick`] fires.
pub const TICK: Duration = Duration::from_millis(100);

/// Read the terminal's events and send them, with ticks, until `stop` is cancelled or the
/// receiver is gone.
pub fn spawn_input(tx: UnboundedSender<Event>, stop: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            let event = tokio::select! {
                () = stop.cancelled() => break,
                _ = ticks.tick() => Event::Tick,
                read = stream.next() => match read {
                    Some(Ok(raw)) => match translate(&raw) {
                        Some(event) => event,
                        None => continue,
                    },
                    Some(Err(e)) => {
                        tracing::warn!("terminal input failed: {e}");
                        continue;
                    }
                    None => break,
                },
            };
            if tx.send(event).is_err() {
                break;
            }
        }
    })
}

fn translate(raw: &CrosstermEvent) -> Option<Event> {
    match *raw {
        CrosstermEvent::Key(key) => Some(Event::Key(key)),
        CrosstermEvent::Mouse(mouse) => Some(Event::Mouse(mouse)),
        CrosstermEvent::Resize(width, height) => Some(Event::Resize(width, height)),
        _ => None,
    }
}
