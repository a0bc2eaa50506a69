//! One file (or folder) per screen, and one for the Upload panel over Review. Each owns its
//! `State` and implements [`Screen`]: its keys (`handle_key` → [`Action`]), its mouse, its
//! drawing and the key tables its hints and help come from. Screens never start work
//! themselves: they return an [`Action`] and the app carries it out, then hands them what the
//! work reports.

pub mod history;
pub mod load;
pub mod merge;
pub mod review;
pub mod sync;
pub mod upload;

use std::path::PathBuf;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::domain::{CountryCode, DecisionChange};
use crate::store::RunId;
use crate::tui::keymap::{Command, Table};
use crate::tui::reads::EngineCommand;
use crate::tui::widgets::Ctx;

/// What a screen says when the session lacks settings: `intro`, each missing setting (with how
/// to set it) marked ✗, then `hint` after a blank line when there is one.
pub fn lacking(intro: &str, missing: &[String], hint: Option<&str>) -> Vec<String> {
    let mut text = vec![intro.to_string()];
    text.extend(missing.iter().map(|m| format!("  ✗ {m}")));
    if let Some(hint) = hint {
        text.push(String::new());
        text.push(hint.to_string());
    }
    text
}

/// What a screen asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A command the screen does not own (help, steps, quit, back, ...).
    Global(Command),
    /// Load a template in the background.
    Load(LoadRequest),
    /// Load the current file again and show what changed.
    Reload,
    /// Ask where to write the annotated copy.
    ExportPrompt,
    /// Open the Upload panel.
    OpenUpload,
    /// Upload panel: run the upload (a dry run, or the real one).
    StartUpload { dry_run: bool },
    /// Upload panel: cancel the dry run (nothing to keep).
    CancelUpload,
    /// Upload panel: stop the real upload after the writes in flight.
    StopUpload,
    /// Upload panel: close it.
    ClosePanel,
    /// Drop a file from the recent list.
    ForgetRecent(PathBuf),
    /// Merge: read both services and match.
    ReadMerge,
    /// Merge: record these decisions, then match again.
    Decide(Vec<DecisionChange>),
    /// Sync: plan (a dry run), of everything or only of what Condeco rejected.
    Plan { retry_rejected: bool },
    /// Sync: start the run the operator confirmed, with these held ops approved.
    StartSync {
        approved: std::collections::BTreeSet<String>,
        retry_rejected: bool,
    },
    /// Sync: tell the running engine.
    Engine(EngineCommand),
    /// History: read the store's runs.
    ReadHistory,
    /// History: read one run's rejected items and drift.
    ReadRun(RunId),
    /// History: go to Sync, plan, and ask before going ARMED.
    SyncNow,
    /// Tell the operator something in the status line.
    Message(String),
}

/// A template to load and the operator's choices.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadRequest {
    pub path: PathBuf,
    pub sheet: Option<String>,
    pub country: Option<CountryCode>,
}

/// What every screen offers the app, which routes events to the current one.
pub trait Screen {
    /// A key press (no overlay is open).
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action>;

    /// A left click at `column`, `row` of the frame; the screen is drawn in `area`.
    fn click(&mut self, _area: Rect, _column: u16, _row: u16) -> Option<Action> {
        None
    }

    /// The mouse wheel at `column`, `row`: `delta` rows down (negative: up).
    fn wheel(&mut self, _area: Rect, _column: u16, _row: u16, _delta: isize) {}

    /// The screen's area changed (the terminal was resized).
    fn resize(&mut self, _area: Rect) {}

    /// The screen was brought to the front: what it needs read, if anything.
    fn opened(&mut self) -> Option<Action> {
        None
    }

    /// Draw into `area`; reads the state only.
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx);

    /// The keys in force now, most specific first: the hint line comes from them.
    fn tables(&self) -> &'static [Table];

    /// What `?` lists: a title ("Review") and every key table of the screen.
    fn help(&self) -> (&'static str, &'static [Table]) {
        ("this screen", self.tables())
    }

    /// Whether a text field or a filter being typed has the keys.
    fn is_typing(&self) -> bool {
        false
    }
}
