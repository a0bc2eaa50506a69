//! `spacebridge` / `spacebridge tui`: the interactive TUI, optionally with a template to load
//! at start.

use std::path::PathBuf;
use std::process::ExitCode;

use color_eyre::eyre::{Context, Result};

use crate::tui;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// A template to load as soon as the TUI is up.
    pub file: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let options = tui::Options {
        preload: args.file,
        ..tui::Options::default()
    };
    runtime.block_on(tui::run(options))?;
    Ok(ExitCode::SUCCESS)
}
