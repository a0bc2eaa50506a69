//! The command line: one file per command, each parsing its arguments, calling the library and
//! printing. Exit codes and JSON shapes are the contract of `spec/cli.md`. This is the only
//! place (with `main`) that uses eyre; library modules return their own error types.

pub mod connection;
mod decide;
pub mod demo;
mod extract;
mod history;
mod matching;
mod parse;
mod plan;
mod progress;
mod schedule;
mod sim;
mod sync;
mod tui;
mod upload;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Onboard a customer into the Condeco + Eptura Workplace integration and keep both in sync.
/// Without a command: the interactive TUI, which takes a template to load and the connection
/// flags of `spacebridge tui`.
#[derive(Debug, Parser)]
#[command(
    name = "spacebridge",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// What the TUI takes when no command is given.
    #[command(flatten)]
    pub tui: tui::Args,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate a Space Data template (exit 0 valid, 1 has errors, 2 cannot read).
    Parse(parse::Args),
    /// Create the template's buildings, floors, spaces and missing space types in Eptura
    /// Workplace; idempotent (exit 0, 1 errors, 2 cannot read/connect).
    Upload(upload::Args),
    /// Write the existing Condeco hierarchy as a Space Data template.
    Extract(extract::Args),
    /// The merge preview against an existing Condeco: which Eptura entity is which Condeco
    /// entity (auto, review, new), the review queue, what Condeco has alone; nothing written.
    Match(matching::Args),
    /// Record merge decisions (accept, reject, link, new, undo; one at a time or from the
    /// `match --format csv` file), honoured by every later match, plan and sync.
    Decide(decide::Args),
    /// The sync plan: what a sync would create, update, link and delete; nothing written.
    Plan(sync::SyncArgs),
    /// Run or resume a sync to Condeco (exit 0 succeeded, 3 partial, 4 failed: resumable).
    Sync(sync::SyncArgs),
    /// Keep Condeco in sync: a sync every DURATION or each day at HH:MM, failed runs restarted
    /// with backoff; stops cleanly on Ctrl-C or SIGTERM.
    Schedule(schedule::Args),
    /// Past sync runs, newest first; with a run id, its rejected items and drift.
    History(history::Args),
    /// Run both simulators (Eptura Workplace and Condeco) on 127.0.0.1 until Ctrl-C.
    Sim(sim::Args),
    /// The interactive TUI (also what `spacebridge` alone runs).
    Tui(tui::Args),
    /// The TUI against both simulators, in-process, with the sample template loaded.
    Demo(demo::Args),
}

/// Exit code for "the input has errors".
pub const EXIT_ERRORS: u8 = 1;
/// Exit code for "cannot read or connect".
pub const EXIT_UNREADABLE: u8 = 2;

/// The tokio runtime of the async commands.
fn runtime() -> color_eyre::eyre::Result<tokio::runtime::Runtime> {
    use color_eyre::eyre::WrapErr;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("starting the async runtime")
}

/// Run the command line and return the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Parse(args)) => parse::run(&args),
        Some(Command::Upload(args)) => upload::run(&args),
        Some(Command::Extract(args)) => extract::run(&args),
        Some(Command::Match(args)) => matching::run(&args),
        Some(Command::Decide(args)) => decide::run(&args),
        Some(Command::Plan(args)) => plan::run(&args),
        Some(Command::Sync(args)) => sync::run(&args),
        Some(Command::Schedule(args)) => schedule::run(&args),
        Some(Command::History(args)) => history::run(&args),
        Some(Command::Sim(args)) => sim::run(args),
        Some(Command::Tui(args)) => tui::run(args),
        Some(Command::Demo(args)) => demo::run(&args),
        None => tui::run(cli.tui),
    };
    match outcome {
        Ok(code) => code,
        Err(report) => {
            eprintln!("spacebridge: {report:?}");
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}
