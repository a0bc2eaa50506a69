//! `spacebridge upload FILE [--dry-run]`: load the template (refused with its findings when it
//! has errors), then create in Eptura Workplace the buildings, floors, spaces and space types
//! it lacks. On a terminal a progress line on stderr says where it stands. Exit 0 done, 1
//! template errors or records refused, 2 cannot read or connect.

use std::io::{Stderr, Write};
use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::Result;
use tokio::sync::watch;

use super::connection::ConnectionArgs;
use super::parse::{OutputFormat, TemplateArgs};
use super::progress::ProgressLine;
use super::{EXIT_ERRORS, EXIT_UNREADABLE};
use crate::domain::Portfolio;
use crate::eptura::EpturaClient;
use crate::sync::upload::{
    KindCount, UploadError, UploadOptions, UploadProgress, UploadReport, upload,
};
use crate::template::{self, Loaded, Severity};

/// Shortest gap between two redraws of the progress line.
const REDRAW: Duration = Duration::from_millis(100);

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub template: TemplateArgs,
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Upload the buildings without errors and leave out (and list) those with errors; the
    /// exit code stays 1 while any error remains.
    #[arg(long)]
    pub skip_broken_buildings: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let loaded = match template::load(&args.template.file, &args.template.load_options()) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("spacebridge: {e}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    let can_skip = args.skip_broken_buildings && loaded.unattributed_errors().next().is_none();
    if loaded.has_errors() && !can_skip {
        refuse(&loaded);
        return Ok(ExitCode::from(EXIT_ERRORS));
    }
    let (portfolio, left_out) = loaded.without_broken_buildings();
    for label in &left_out {
        eprintln!("left out (has errors, see `spacebridge parse`): {label}");
    }
    let eptura = match args
        .connection
        .settings()
        .map_err(|e| e.to_string())
        .and_then(|s| s.eptura().map_err(|e| e.to_string()))
        .and_then(|s| {
            let http = args.connection.http_client().map_err(|e| e.to_string())?;
            EpturaClient::new(&s, http).map_err(|e| e.to_string())
        }) {
        Ok(client) => client,
        Err(message) => {
            eprintln!("spacebridge: {message}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    let outcome = super::runtime()?.block_on(run_with_progress(&eptura, &portfolio, args.dry_run));
    let report = match outcome {
        Ok(report) => report,
        Err(e) if args.dry_run => {
            eprintln!(
                "spacebridge: the dry run stopped while {}: {}",
                e.doing, e.source
            );
            eprintln!("nothing was written");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
        Err(e) => {
            eprintln!("spacebridge: {e}");
            eprintln!("nothing is lost: run the same upload again to finish the rest");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => {
            let json = JsonReport {
                report: &report,
                requests: eptura.http().stats(),
            };
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        OutputFormat::Text => write_text(&mut out, &report, eptura.http().stats().requests)?,
    }
    Ok(if report.has_failures() || !left_out.is_empty() {
        ExitCode::from(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

/// The upload, with a progress line on stderr when it is a terminal.
async fn run_with_progress(
    eptura: &EpturaClient,
    portfolio: &Portfolio,
    dry_run: bool,
) -> Result<UploadReport, UploadError> {
    let line = ProgressLine::stderr();
    let (progress, watched) = watch::channel(UploadProgress::default());
    let shown = (line.is_shown())
        .then(|| tokio::spawn(show_progress(watched, line, eptura.clone(), dry_run)));
    let options = UploadOptions {
        dry_run,
        progress: shown.is_some().then_some(progress),
        ..UploadOptions::default()
    };
    // The upload drops the sender when it ends, which ends the progress line.
    let result = upload(eptura, portfolio, options).await;
    if let Some(shown) = shown {
        let _ = shown.await;
    }
    result
}

/// "uploading: space types 11/11 · buildings 3/7 · …  (130 requests, 19/s)", redrawn at most
/// every [`REDRAW`] until the upload ends.
async fn show_progress(
    mut watched: watch::Receiver<UploadProgress>,
    mut line: ProgressLine<Stderr>,
    eptura: EpturaClient,
    dry_run: bool,
) {
    let doing = if dry_run { "dry run" } else { "uploading" };
    while watched.changed().await.is_ok() {
        let p = *watched.borrow_and_update();
        let t = p.totals;
        let kinds = [
            ("space types", p.space_types, t.space_types),
            ("buildings", p.buildings, t.buildings),
            ("floors", p.floors, t.floors),
            ("spaces", p.spaces, t.spaces),
        ];
        let parts: Vec<String> = (kinds.iter())
            .map(|(kind, done, total)| {
                format!(
                    "{kind} {}/{total}",
                    done.created + done.present + done.failed
                )
            })
            .collect();
        let text = format!("{doing}: {}", parts.join(" · "));
        line.show_with_rate(&text, eptura.http().stats().requests);
        tokio::time::sleep(REDRAW).await;
    }
    line.clear();
}

/// `upload --format json`: the report plus the request counters.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a UploadReport,
    requests: crate::http::HttpStats,
}

/// The template has errors: say how many and show the first ones.
fn refuse(loaded: &Loaded) {
    let tally = loaded.tally();
    eprintln!(
        "spacebridge: {} has {} error(s) and {} warning(s); fix them before uploading \
         (`spacebridge parse {}` lists them all):",
        loaded.file.display(),
        tally.errors,
        tally.warnings,
        loaded.file.display()
    );
    for d in loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .take(10)
    {
        eprintln!("  ✗ {:<6} {:<20} {}", d.cell, d.code.as_str(), d.message);
    }
    if tally.errors > 10 {
        eprintln!("  … and {} more", tally.errors - 10);
    }
    if loaded.unattributed_errors().next().is_none() {
        eprintln!(
            "or upload the buildings without errors now with --skip-broken-buildings \
             (the others are left out and listed)"
        );
    }
}

fn write_text(out: &mut impl Write, report: &UploadReport, requests: u64) -> std::io::Result<()> {
    if report.dry_run {
        writeln!(out, "dry run: nothing was written")?;
    }
    let verb = if report.dry_run {
        "would create"
    } else {
        "created"
    };
    for line in &report.created {
        writeln!(out, "  + {verb} {line}")?;
    }
    writeln!(out)?;
    let kinds = [
        ("space types", report.space_types),
        ("buildings", report.buildings),
        ("floors", report.floors),
        ("spaces", report.spaces),
    ];
    for (kind, count) in kinds {
        writeln!(out, "{kind:<12} {}", summary(verb, count))?;
    }
    for failure in &report.failures {
        writeln!(
            out,
            "✗ {} {}: {}",
            failure.kind, failure.name, failure.message
        )?;
    }
    writeln!(out, "{requests} requests to Eptura Workplace")?;
    if report.has_failures() {
        writeln!(
            out,
            "✗ {} record(s) refused: fix them and run the upload again",
            report.failures.len()
        )?;
    } else if report.writes() == 0 {
        writeln!(out, "✓ everything was already in Eptura Workplace")?;
    } else {
        writeln!(out, "✓ done")?;
    }
    Ok(())
}

fn summary(verb: &str, count: KindCount) -> String {
    let mut text = format!(
        "{} {verb}, {} already present",
        count.created, count.present
    );
    if count.failed > 0 {
        text.push_str(&format!(", {} refused", count.failed));
    }
    text
}
