//! `spacebridge extract --out FILE.xlsx`: read the existing Condeco hierarchy, turn it into a
//! portfolio (see [`crate::condeco::extract`] for how each column is filled) and write it with
//! the template writer ([`crate::template::writer`]).
//! Exit 0 written, 2 cannot connect or write.

use std::path::PathBuf;
use std::process::ExitCode;

use color_eyre::eyre::Result;

use super::EXIT_UNREADABLE;
use super::connection::ConnectionArgs;
use crate::condeco::CondecoClient;
use crate::condeco::extract::{caption, extract, fetch};
use crate::template::writer::{self, Layout};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the template (.xlsx).
    #[arg(long, value_name = "FILE.xlsx")]
    pub out: PathBuf,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub fn run(args: &Args) -> Result<ExitCode> {
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
    let extracted = extract(&hierarchy);
    let layout = Layout {
        title: &title,
        captions: Some(caption),
    };
    if let Err(e) = writer::write(&extracted.portfolio, &layout, &args.out) {
        eprintln!("spacebridge: {e}");
        return Ok(ExitCode::from(EXIT_UNREADABLE));
    }
    let counts = extracted.portfolio.counts();
    println!(
        "wrote {}: {} buildings, {} spaces ({} requests to Condeco)",
        args.out.display(),
        counts.buildings,
        counts.spaces,
        condeco.http().stats().requests
    );
    if extracted.empty_locations > 0 {
        println!(
            "  {} location(s) without resources are not in the file (a template row is a space)",
            extracted.empty_locations
        );
    }
    if extracted.skipped_resources > 0 {
        println!(
            "  {} resource(s) without a known location were left out",
            extracted.skipped_resources
        );
    }
    if !extracted.states_kept.is_empty() {
        println!(
            "  ⚠ no US state or Canadian province found for: {}; the region name was kept as \
             State Code: load the file with --country CC",
            extracted.states_kept.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
