//! The interactive ratatui application, and the only module that imports ratatui or crossterm.
//!
//! One owner of the state and the loop ([`App`], which routes events and runs jobs); one
//! [`Event`] enum (key, mouse, resize, tick, job message) on one tokio channel; terminal input
//! read by a task ([`event`]); long work (loading a template, writing the annotated copy,
//! uploading, matching, planning, syncing, reading the history) as background [`jobs`] that
//! report by message, the work itself in [`work`] and what it hands over in [`reads`]. One
//! file per screen in [`screens`], each owning its state, keys and drawing; the overlays in
//! [`help`] and [`prompt`]. Drawing ([`ui`]) reads the state only and happens when something
//! changed, at most once per frame interval. Terminal setup and restore live in [`terminal`];
//! logs go to a file ([`logging`]), never to the screen. Keys are tables in [`keymap`], the
//! source of both the hint line and the `?` help.
//!
//! The modules import each other one way only (the screens never the app, the app never the
//! drawing; `tests/it/tui_shape.rs` checks there is no loop).

pub mod app;
pub mod complete;
pub mod event;
pub mod help;
pub mod jobs;
pub mod keymap;
pub mod layout;
pub mod list;
pub mod logging;
pub mod portfolio_tree;
pub mod prompt;
pub mod reads;
pub mod recent;
pub mod screens;
pub mod session;
pub mod step;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod widgets;
pub mod work;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use app::App;
pub use event::{Event, JobId, JobMessage, Reply};
use screens::LoadRequest;
pub use session::{AfterUpload, Link, Session};
pub use step::Step;
pub use theme::Theme;
pub use widgets::Ctx;

/// Shortest gap between two frames (about 60 per second at most).
pub const FRAME: Duration = Duration::from_millis(16);

/// How to start the TUI.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub session: Session,
    /// A template to load in the background as soon as the TUI is up.
    pub preload: Option<PathBuf>,
    /// Where recent files and the log go; `None` uses [`logging::data_dir`].
    pub data_dir: Option<PathBuf>,
}

/// Why the TUI could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(
        "cannot drive the terminal ({0}): run spacebridge in an interactive terminal, or use \
         the commands (spacebridge parse FILE) for scripts"
    )]
    Terminal(std::io::Error),
}

impl From<std::io::Error> for TuiError {
    fn from(e: std::io::Error) -> Self {
        TuiError::Terminal(e)
    }
}

/// Run the TUI until the operator quits. Must be called inside a tokio runtime.
pub async fn run(options: Options) -> Result<(), TuiError> {
    let data_dir = options.data_dir.or_else(logging::data_dir);
    let log = logging::init(data_dir.as_deref());
    tracing::info!(log = ?log, "tui starting");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut terminal = terminal::enter()?;
    let stop = CancellationToken::new();
    let input = event::spawn_input(tx.clone(), stop.clone())?;
    let size = terminal.size()?;
    let mut app = App::new(
        tx,
        options.session,
        data_dir,
        Theme::from_env(),
        Rect::new(0, 0, size.width, size.height),
    );
    if let Some(path) = options.preload {
        app.start_load(
            LoadRequest {
                path,
                sheet: None,
                country: None,
            },
            false,
        );
    }
    let result = event_loop(&mut terminal, &mut app, &mut rx).await;
    stop.cancel();
    // The input thread notices within a tick.
    let _ = tokio::task::spawn_blocking(move || input.join()).await;
    terminal::restore();
    if !app.work_at_stake().is_empty() || app.is_armed() {
        eprintln!("spacebridge: stopping the work in flight (a sync finishes its writes) …");
    }
    if !app.wind_down().await {
        tracing::warn!("some work did not wind down in time");
    }
    tracing::info!("tui stopped");
    result
}

/// Draw when dirty (at most once per [`FRAME`]), then wait for events and handle every one
/// already queued before drawing again.
async fn event_loop(
    terminal: &mut terminal::Tui,
    app: &mut App,
    rx: &mut mpsc::UnboundedReceiver<Event>,
) -> Result<(), TuiError> {
    // A frame ago, so the first draw is immediate; right after boot (no instant that early) the
    // first draw waits one frame instead of panicking.
    let mut last_draw = Instant::now()
        .checked_sub(FRAME)
        .unwrap_or_else(Instant::now);
    loop {
        let since = last_draw.elapsed();
        if app.dirty && since >= FRAME {
            terminal.draw(|frame| ui::render(frame, app))?;
            app.dirty = false;
            last_draw = Instant::now();
        }
        let event = if app.dirty {
            match tokio::time::timeout(FRAME.saturating_sub(since), rx.recv()).await {
                Ok(event) => event,
                Err(_) => continue,
            }
        } else {
            rx.recv().await
        };
        let Some(event) = event else {
            return Ok(());
        };
        app.handle_event(event);
        while let Ok(event) = rx.try_recv() {
            app.handle_event(event);
        }
        if app.should_quit() {
            return Ok(());
        }
    }
}
