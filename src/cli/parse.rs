//! `spacebridge parse FILE [--sheet S] [--country CC] [--format text|json] [--annotate OUT]`:
//! load and validate a template, print a report for a person or the JSON contract, and
//! optionally write the annotated copy for the customer (never over the template, and over an
//! existing file only with `--force`). Everything printed that came from the file has had its
//! hidden characters made visible by the template loader.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use color_eyre::eyre::{Context, Result};
use serde::Serialize;

use super::{EXIT_ERRORS, EXIT_UNREADABLE};
use crate::domain::{CountryCode, PortfolioCounts};
use crate::template::{self, Diagnostic, LoadOptions, Loaded, Severity, Tally};

/// The template file and how to read it: shared by every command that loads one.
#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    /// The template: .xlsx, .xlsm, .xls, .xlsb, .ods or .csv (told by content).
    pub file: PathBuf,
    /// Read this sheet instead of the first one with a header row.
    #[arg(long)]
    pub sheet: Option<String>,
    /// Country (ISO alpha-2) of buildings whose state is not a US state or Canadian province.
    #[arg(long, value_parser = parse_country)]
    pub country: Option<CountryCode>,
}

impl TemplateArgs {
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            sheet: self.sheet.clone(),
            country: self.country,
            cancel: None,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub template: TemplateArgs,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Also write a copy with bad cells highlighted and a Findings sheet, for the customer.
    /// Never the template itself; an existing file only with --force.
    #[arg(long, value_name = "OUT.xlsx")]
    pub annotate: Option<PathBuf>,
    /// Overwrite the --annotate file if it exists.
    #[arg(long, requires = "annotate")]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

fn parse_country(text: &str) -> Result<CountryCode, String> {
    CountryCode::parse(text)
        .ok_or_else(|| format!("\"{text}\" is not a two-letter ISO country code (e.g. GB)"))
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let options = args.template.load_options();
    let file = &args.template.file;
    if let Some(out) = &args.annotate
        && let Err(message) = check_annotate_target(file, out, args.force)
    {
        eprintln!("spacebridge: {message}");
        return Ok(ExitCode::from(EXIT_UNREADABLE));
    }
    let loaded = match &args.annotate {
        Some(out) => template::annotate::write(file, &options, out).map_err(|e| e.to_string()),
        None => template::load(file, &options).map_err(|e| e.to_string()),
    };
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("spacebridge: {message}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    if let Err(e) = print_report(args.format, &loaded)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        // A closed pipe (`parse FILE | head`) is the reader's choice, not a failure.
        return Err(e).context("writing the report");
    }
    if let Some(path) = &args.annotate {
        eprintln!("annotated copy written to {}", path.display());
    }
    Ok(if loaded.has_errors() {
        ExitCode::from(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

/// The annotated copy may not replace the template, nor any other file without `--force`.
fn check_annotate_target(file: &Path, out: &Path, force: bool) -> Result<(), String> {
    if template::annotate::same_file(file, out) {
        return Err(format!(
            "--annotate {} is the template being read: give another file name for the copy",
            out.display()
        ));
    }
    if out.exists() && !force {
        return Err(format!(
            "--annotate {} already exists: give another file name, or add --force to \
             overwrite it",
            out.display()
        ));
    }
    Ok(())
}

fn print_report(format: OutputFormat, loaded: &Loaded) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &Report::of(loaded))?;
            writeln!(out)
        }
        OutputFormat::Text => write_text(&mut out, loaded),
    }
}

/// The JSON contract of `parse --format json`.
#[derive(Serialize)]
struct Report<'a> {
    file: String,
    format: &'a str,
    sheet: &'a str,
    header_row: u32,
    counts: PortfolioCounts,
    valid: bool,
    summary: Tally,
    diagnostics: &'a [Diagnostic],
}

impl<'a> Report<'a> {
    fn of(loaded: &'a Loaded) -> Self {
        Report {
            file: loaded.file.display().to_string(),
            format: loaded.format,
            sheet: &loaded.sheet,
            header_row: loaded.header_row,
            counts: loaded.counts,
            valid: !loaded.has_errors(),
            summary: loaded.tally(),
            diagnostics: &loaded.diagnostics,
        }
    }
}

/// A summary, then findings grouped by building and floor, worst building first.
fn write_text(out: &mut impl Write, loaded: &Loaded) -> std::io::Result<()> {
    let c = loaded.counts;
    let tally = loaded.tally();
    writeln!(out, "{} ({})", loaded.file.display(), loaded.format)?;
    writeln!(
        out,
        "sheet \"{}\", headers on row {}",
        loaded.sheet, loaded.header_row
    )?;
    writeln!(
        out,
        "{} buildings · {} floors · {} spaces · {} space types",
        c.buildings, c.floors, c.spaces, c.space_types
    )?;
    writeln!(
        out,
        "{} · {} · {} info",
        plural(tally.errors, "error"),
        plural(tally.warnings, "warning"),
        tally.infos
    )?;
    for (group, findings) in grouped(&loaded.diagnostics) {
        let (errors, warnings) = errors_and_warnings(&findings);
        let worst = findings
            .iter()
            .map(|d| d.severity)
            .min()
            .unwrap_or(Severity::Info);
        writeln!(out)?;
        writeln!(
            out,
            "{} {group}  ({}, {})",
            worst.symbol(),
            plural(errors, "error"),
            plural(warnings, "warning")
        )?;
        let mut floor: Option<&str> = None;
        for d in findings {
            if d.floor.as_deref() != floor {
                floor = d.floor.as_deref();
                if let Some(f) = floor {
                    writeln!(out, "  floor {f}")?;
                }
            }
            write_finding(out, d)?;
        }
    }
    writeln!(out)?;
    if tally.errors > 0 {
        writeln!(
            out,
            "✗ {}: fix them and load the file again; it cannot be uploaded yet",
            plural(tally.errors, "error")
        )?;
    } else {
        writeln!(out, "✓ no errors: the template can be uploaded")?;
    }
    Ok(())
}

fn write_finding(out: &mut impl Write, d: &Diagnostic) -> std::io::Result<()> {
    let cell = if d.cell.is_empty() {
        "-"
    } else {
        d.cell.as_str()
    };
    write!(
        out,
        "    {} {:<6} {:<20} {}",
        d.severity.symbol(),
        cell,
        d.code.as_str(),
        d.message
    )?;
    if let Some(s) = &d.suggestion {
        write!(out, " → {s}")?;
    }
    writeln!(out)
}

/// Findings by building (the others under "file and sheets"), worst group first; within a group by
/// floor, then severity, then row.
fn grouped(diagnostics: &[Diagnostic]) -> Vec<(String, Vec<&Diagnostic>)> {
    let mut groups: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        let key = d
            .building
            .clone()
            .unwrap_or_else(|| "file and sheets".to_string());
        groups.entry(key).or_default().push(d);
    }
    let mut groups: Vec<(String, Vec<&Diagnostic>)> = groups.into_iter().collect();
    for (_, findings) in &mut groups {
        findings.sort_by(|a, b| (&a.floor, a.severity, a.row).cmp(&(&b.floor, b.severity, b.row)));
    }
    let weight = |findings: &[&Diagnostic]| {
        let (errors, warnings) = errors_and_warnings(findings);
        (std::cmp::Reverse(errors), std::cmp::Reverse(warnings))
    };
    groups.sort_by(|a, b| weight(&a.1).cmp(&weight(&b.1)).then(a.0.cmp(&b.0)));
    groups
}

/// "1 error", "3 errors".
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn errors_and_warnings(findings: &[&Diagnostic]) -> (usize, usize) {
    let count = |severity| findings.iter().filter(|d| d.severity == severity).count();
    (count(Severity::Error), count(Severity::Warning))
}
