//! `spacebridge` / `spacebridge tui`: the interactive TUI, optionally with a template to load
//! at start.

use std::path::PathBuf;
use std::process::ExitCode;

use color_eyre::eyre::{Context, Result};

use crate::tui::{self, Link, Session};

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// A template to load as soon as the TUI is up.
    pub file: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let options = tui::Options {
        session: session_from_env(),
        preload: args.file,
        ..tui::Options::default()
    };
    runtime.block_on(tui::run(options))?;
    Ok(ExitCode::SUCCESS)
}

/// What the header says about the services: their addresses from `SPACEBRIDGE_EPTURA_URL` and
/// `SPACEBRIDGE_CONDECO_URL` when set (configured, not yet probed), else "not configured".
fn session_from_env() -> Session {
    let link = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|url| !url.trim().is_empty())
            .map_or(Link::NotConfigured, Link::Configured)
    };
    Session {
        profile: None,
        eptura: link("SPACEBRIDGE_EPTURA_URL"),
        condeco: link("SPACEBRIDGE_CONDECO_URL"),
        note: None,
    }
}
