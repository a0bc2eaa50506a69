//! `spacebridge` / `spacebridge tui`: the interactive TUI, optionally with a template to load
//! at start.

use std::path::PathBuf;
use std::process::ExitCode;

use color_eyre::eyre::{Context, Result};

use super::connection::ConnectionArgs;
use crate::config::Settings;
use crate::eptura::EpturaClient;
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

/// What the header says about the services (their addresses when configured, not yet
/// probed, else "not configured") and the Eptura client the upload uses, from the connection
/// settings (environment, then the config file) when they are complete.
fn session_from_env() -> Session {
    let connection = ConnectionArgs {
        config: None,
        profile: None,
        eptura_url: None,
        eptura_username: None,
        condeco_url: None,
        condeco_client: None,
        db: None,
        max_rate: 0.0,
    };
    let (settings, note) = match connection.settings() {
        Ok(settings) => (settings, None),
        Err(e) => (Settings::default(), Some(e.to_string())),
    };
    let link = |url: &Option<String>| url.clone().map_or(Link::NotConfigured, Link::Configured);
    let eptura = settings.eptura().map_err(|e| e.to_string()).and_then(|s| {
        let http = connection.http_client().map_err(|e| e.to_string())?;
        EpturaClient::new(&s, http).map_err(|e| e.to_string())
    });
    let (eptura_client, eptura_problem) = match eptura {
        Ok(client) => (Some(client), None),
        Err(problem) => (None, Some(problem)),
    };
    Session {
        profile: settings
            .profile
            .clone()
            .filter(|_| settings.config_file.is_some()),
        eptura: link(&settings.eptura_url),
        condeco: link(&settings.condeco_url),
        note,
        eptura_client,
        eptura_problem,
        after_upload: None,
    }
}
