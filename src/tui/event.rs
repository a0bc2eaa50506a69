//! The one event type of the TUI and the task that feeds terminal input into it. Keys, mouse,
//! resizes, ticks and background replies all travel on one tokio channel to the app's loop.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event as CrosstermEvent, EventStream, KeyEvent, MouseEvent};
use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::portfolio_tree::Prepared;
use crate::eptura::upload::UploadReport;
use crate::template::SheetInfo;

/// Everything the app's loop reacts to.
#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Animation and message expiry; a few times a second.
    Tick,
    /// A reply from background work.
    Background(Background),
}

/// Replies from background tasks, each tagged with the generation of the job that sent it.
#[derive(Debug)]
pub enum Background {
    Loaded {
        generation: u64,
        /// The template with its tree index (built off the UI thread), or the loader's
        /// message for why it cannot be read.
        result: Result<Box<Prepared>, String>,
    },
    Exported {
        generation: u64,
        result: Result<(), String>,
    },
    /// The sheets of a file named in the Load screen's path field, or why it cannot be read.
    Sheets {
        generation: u64,
        path: PathBuf,
        result: Result<Vec<SheetInfo>, String>,
    },
    /// An upload (dry or real) ended: its report, or why it stopped.
    Uploaded {
        generation: u64,
        result: Result<UploadReport, String>,
        /// What the session's after-upload step said (the demo's reservation centers), or
        /// why it failed; `None` when there is no such step or nothing was uploaded.
        after: Option<Result<String, String>>,
    },
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
