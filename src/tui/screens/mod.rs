//! One file per screen. Each has a `State`, `handle_key(&mut State, KeyEvent) -> Option<Action>`,
//! `render(frame, area, &State, &Ctx)` and the key tables its hints and help come from. Screens
//! never start work themselves: they return an [`Action`] and the app carries it out.

pub mod load;
pub mod review;
pub mod upload;

use std::path::PathBuf;

use super::keymap::Command;
use crate::domain::CountryCode;

/// What a screen asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A command the screen does not own (help, steps, quit, ...).
    Global(Command),
    /// Load a template in the background.
    Load(LoadRequest),
    CancelLoad,
    /// Load the current file again and show what changed.
    Reload,
    /// Ask where to write the annotated copy.
    ExportPrompt,
    /// Open the Upload panel.
    Upload,
    /// Drop a file from the recent list.
    ForgetRecent(PathBuf),
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
