//! `spacebridge upload FILE [--dry-run]`: load the template (refused with its findings when it
//! has errors), then create in Eptura Workplace the buildings, floors, spaces and space types
//! it lacks. Exit 0 done, 1 template errors or records refused, 2 cannot read or connect.

use std::io::Write;
use std::process::ExitCode;

use color_eyre::eyre::Result;

use super::connection::ConnectionArgs;
use super::parse::{OutputFormat, TemplateArgs};
use super::{EXIT_ERRORS, EXIT_UNREADABLE};
use crate::eptura::EpturaClient;
use crate::eptura::upload::{KindCount, UploadOptions, UploadReport, upload};
use crate::template::{self, Loaded, Severity};

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
    let upload_options = UploadOptions {
        dry_run: args.dry_run,
        ..UploadOptions::default()
    };
    let outcome = super::runtime()?.block_on(upload(&eptura, &portfolio, upload_options));
    let report = match outcome {
        Ok(report) => report,
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
