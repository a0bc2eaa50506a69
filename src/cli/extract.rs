//! `spacebridge extract --out FILE.xlsx`: read the existing Condeco hierarchy and write it as a
//! Space Data template (see [`crate::condeco::extract`] for how each column is filled).
//! Exit 0 written, 2 cannot connect or write.

use std::path::PathBuf;
use std::process::ExitCode;

use color_eyre::eyre::Result;

use super::EXIT_UNREADABLE;
use super::connection::ConnectionArgs;
use crate::condeco::CondecoClient;
use crate::condeco::extract::{fetch, write_template};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the template (.xlsx).
    #[arg(long, value_name = "FILE.xlsx")]
    pub out: PathBuf,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let settings = args
        .connection
        .settings()
        .map_err(|e| e.to_string())
        .and_then(|s| s.condeco().map_err(|e| e.to_string()));
    let client = settings.and_then(|s| {
        let http = args.connection.http_client().map_err(|e| e.to_string())?;
        CondecoClient::new(&s, http)
            .map(|c| (c, s.client_name))
            .map_err(|e| e.to_string())
    });
    let (condeco, client_name) = match client {
        Ok(pair) => pair,
        Err(message) => {
            eprintln!("spacebridge: {message}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    let hierarchy = match super::runtime()?.block_on(fetch(&condeco)) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("spacebridge: reading the Condeco hierarchy failed: {e}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    let title = format!("Space Data extracted from Condeco ({client_name}) by spacebridge");
    let summary = match write_template(&hierarchy, &args.out, &title) {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!("spacebridge: {e}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    println!(
        "wrote {}: {} buildings, {} spaces ({} requests to Condeco)",
        summary.file.display(),
        summary.buildings,
        summary.rows,
        condeco.http().stats().requests
    );
    if summary.empty_locations > 0 {
        println!(
            "  {} location(s) without resources are not in the file (a template row is a space)",
            summary.empty_locations
        );
    }
    if summary.skipped_resources > 0 {
        println!(
            "  {} resource(s) without a known location were left out",
            summary.skipped_resources
        );
    }
    if !summary.states_kept.is_empty() {
        println!(
            "  ⚠ no US state or Canadian province found for: {}; the region name was kept as \
             State Code: load the file with --country CC",
            summary.states_kept.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
