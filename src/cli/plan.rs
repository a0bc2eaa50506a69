//! `spacebridge plan [--format json]`: the sync plan (creates, updates, links, deletes and
//! unchanged per level, destructive ops held with their bookings), nothing written.

use std::process::ExitCode;

use color_eyre::eyre::Result;

use super::EXIT_UNREADABLE;
use super::sync::{SyncArgs, print_report};

pub fn run(args: &SyncArgs) -> Result<ExitCode> {
    let Some(settings) = args.settings_or_say() else {
        return Ok(ExitCode::from(EXIT_UNREADABLE));
    };
    match super::runtime()?.block_on(crate::sync::preview(&settings)) {
        Ok((_, report)) => {
            print_report(&report, args.format)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("spacebridge: {e}");
            Ok(ExitCode::from(EXIT_UNREADABLE))
        }
    }
}
