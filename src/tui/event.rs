//! The one event type of the TUI, the replies background jobs send, and the thread that feeds
//! terminal input and ticks into the channel. Keys, mouse, resizes, ticks and job replies all travel on
//! one tokio channel to the app's loop.

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossterm::event::{Event as CrosstermEvent, KeyEvent, MouseEvent};
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::http::HttpStats;
use crate::matcher::Outcome;
use crate::sync::SyncReport;
use crate::sync::upload::{UploadProgress, UploadReport};
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

/// How often [`Event::Tick`] fires: while work runs, every tick redraws (the spinner, the
/// elapsed time, a sync's rates), so the screen never goes more than a tick without a frame;
/// 40 a second keeps that gap under the 50 ms a person notices even on a loaded machine, for
/// under a millisecond of drawing per tick.
pub const TICK: Duration = Duration::from_millis(25);

/// Read the terminal's events and send them, with a tick every [`TICK`], until `stop` is
/// cancelled or the receiver is gone. On a thread of its own, not a tokio task: keys and ticks
/// reach the loop even while the runtime's workers are all busy (a sync planning 100,000
/// entities), so the screen keeps answering.
pub fn spawn_input(
    tx: UnboundedSender<Event>,
    stop: CancellationToken,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("tui-input".into())
        .spawn(move || read_input(&tx, &stop))
}

fn read_input(tx: &UnboundedSender<Event>, stop: &CancellationToken) {
    let mut next_tick = Instant::now() + TICK;
    while !stop.is_cancelled() {
        let now = Instant::now();
        if now >= next_tick {
            next_tick = now + TICK;
            if tx.send(Event::Tick).is_err() {
                return;
            }
        }
        let event = match crossterm::event::poll(next_tick.saturating_duration_since(now)) {
            Ok(true) => match crossterm::event::read() {
                Ok(raw) => translate(&raw),
                Err(e) => {
                    tracing::warn!("terminal input failed: {e}");
                    None
                }
            },
            Ok(false) => None,
            Err(e) => {
                tracing::warn!("terminal input failed: {e}");
                return;
            }
        };
        if let Some(event) = event
            && tx.send(event).is_err()
        {
            return;
        }
    }
}

fn translate(raw: &CrosstermEvent) -> Option<Event> {
    match *raw {
        CrosstermEvent::Key(key) => Some(Event::Key(key)),
        CrosstermEvent::Mouse(mouse) => Some(Event::Mouse(mouse)),
        CrosstermEvent::Resize(width, height) => Some(Event::Resize(width, height)),
        _ => None,
    }
}
