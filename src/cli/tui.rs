//! `spacebridge` / `spacebridge tui [FILE]`: the interactive TUI, optionally with a template to
//! load at start, connected like every other networked command (`--profile`, `--config`,
//! `--eptura-url`, `--db`, …; flags > environment > config file). The session says, setting by
//! setting, what is missing before each service can be used.

use std::path::PathBuf;
use std::process::ExitCode;

use color_eyre::eyre::{Context, Result};

use super::connection::ConnectionArgs;
use crate::config::Settings;
use crate::tui::{self, Link, Session};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A template to load as soon as the TUI is up.
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let options = tui::Options {
        session: session(&args.connection),
        preload: args.file,
        ..tui::Options::default()
    };
    runtime.block_on(tui::run(options))?;
    Ok(ExitCode::SUCCESS)
}

/// What the header says about the services (their addresses when configured, not yet probed,
/// else "not configured"), the clients the upload, the merge and the sync use when their
/// settings are complete, and each setting still missing with how to set it.
pub fn session(connection: &ConnectionArgs) -> Session {
    let (settings, note) = match connection.settings() {
        Ok(settings) => (settings, None),
        Err(e) => (Settings::default(), Some(e.to_string())),
    };
    let link = |url: &Option<String>| url.clone().map_or(Link::NotConfigured, Link::Configured);
    let said = |errors: Vec<crate::config::ConfigError>| -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    };
    let readable = note.is_none();
    let (eptura_client, eptura_missing) =
        client_or_missing(said(settings.eptura_missing()), readable, || {
            connection.eptura_client()
        });
    let (condeco_client, condeco_missing) =
        client_or_missing(said(settings.condeco_missing()), readable, || {
            connection.condeco_client()
        });
    Session {
        profile: settings
            .profile
            .clone()
            .filter(|_| settings.config_file.is_some()),
        eptura: link(&settings.eptura_url),
        condeco: link(&settings.condeco_url),
        note,
        settings_from: Some(settings_from(&settings)),
        eptura_client,
        eptura_missing,
        condeco_client,
        condeco_missing,
        store: connection.store_path().ok(),
        after_upload: None,
    }
}

/// A client when its settings are complete and the config could be read; else (also when it
/// cannot be built) what is missing, setting by setting.
fn client_or_missing<T>(
    mut missing: Vec<String>,
    readable: bool,
    build: impl FnOnce() -> Result<T, String>,
) -> (Option<T>, Vec<String>) {
    let client = (missing.is_empty() && readable)
        .then(|| build().map_err(|problem| missing.push(problem)).ok())
        .flatten();
    (client, missing)
}

/// "profile acme of /home/me/.config/spacebridge/config.toml", or that no config file was read.
fn settings_from(settings: &Settings) -> String {
    let profile = settings
        .profile
        .as_deref()
        .unwrap_or(crate::config::DEFAULT_PROFILE);
    match &settings.config_file {
        Some(file) => format!("profile {profile} of {}", file.display()),
        None => match crate::config::default_config_path() {
            Some(path) => format!(
                "flags and environment (no config file at {})",
                path.display()
            ),
            None => "flags and environment (no config file)".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    /// A private config file with `profile` holding `body`.
    fn config(profile: &str, body: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, format!("[profile.{profile}]\n{body}\n")).expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        (dir, path)
    }

    #[test]
    fn bare_spacebridge_and_tui_take_the_connection_flags() {
        let (_dir, path) = config("acme", "eptura_username = \"ops\"");
        let path = path.display().to_string();
        let bare = Cli::try_parse_from([
            "spacebridge",
            "--config",
            &path,
            "--profile",
            "acme",
            "--eptura-url",
            "http://127.0.0.1:9",
            "--db",
            "/tmp/acme.sqlite",
        ])
        .expect("the bare command takes the connection flags");
        assert!(bare.command.is_none());
        let session = session(&bare.tui.connection);
        assert_eq!(session.profile.as_deref(), Some("acme"));
        assert_eq!(
            session.eptura,
            Link::Configured("http://127.0.0.1:9".into())
        );
        assert_eq!(session.store, Some(PathBuf::from("/tmp/acme.sqlite")));
        assert!(
            session
                .settings_from
                .as_deref()
                .is_some_and(|s| s.contains("profile acme of")),
            "{:?}",
            session.settings_from
        );
        // The address and the user are set: only the password is missing, and it is named.
        assert!(session.eptura_client.is_none());
        assert_eq!(
            session.eptura_missing.len(),
            1,
            "{:?}",
            session.eptura_missing
        );
        assert!(session.eptura_missing[0].contains("SPACEBRIDGE_EPTURA_PASSWORD"));

        let tui = Cli::try_parse_from(["spacebridge", "tui", "site.xlsx", "--profile", "acme"])
            .expect("spacebridge tui takes them too");
        let Some(Command::Tui(args)) = tui.command else {
            panic!("the tui command");
        };
        assert_eq!(args.file, Some(PathBuf::from("site.xlsx")));
        assert_eq!(args.connection.profile.as_deref(), Some("acme"));
    }
}
