//! `spacebridge history [RUN_ID] [--format json]`: the store's sync runs, newest first, with
//! kind, status, duration, ops, requests, rejected and drift counts; with a run id, that run's
//! rejected items (Condeco's message) and drift. Reads the store only; needs no connection.

use std::io::Write;
use std::process::ExitCode;

use color_eyre::eyre::Result;
use serde::Serialize;

use super::EXIT_UNREADABLE;
use super::connection::ConnectionArgs;
use super::parse::OutputFormat;
use crate::domain::when::{human_duration, short_time};
use crate::store::{Drift, RejectedItem, Run, RunId, Store, StoreError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One run: its rejected items and drift.
    pub run: Option<i64>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// A run as `history --format json` lists it: the store's run and its duration.
#[derive(Debug, Serialize)]
struct Listed {
    #[serde(flatten)]
    run: Run,
    duration_seconds: Option<f64>,
}

/// One run in full.
#[derive(Debug, Serialize)]
struct Detail {
    run: Listed,
    rejected: Vec<Rejected>,
    drift: Vec<Drift>,
}

#[derive(Debug, Serialize)]
struct Rejected {
    kind: crate::domain::SyncKind,
    eptura_id: String,
    http_status: u16,
    message: String,
    rejected_at: String,
    cleared_at: Option<String>,
}

impl From<RejectedItem> for Rejected {
    fn from(item: RejectedItem) -> Self {
        Rejected {
            kind: item.eptura.kind(),
            eptura_id: item.eptura.to_string(),
            http_status: item.http_status,
            message: item.message,
            rejected_at: item.rejected_at,
            cleared_at: item.cleared_at,
        }
    }
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let store = match args.connection.store_path().map(|path| Store::open(&path)) {
        Ok(Ok(store)) => store,
        Ok(Err(error)) => return refuse(&error.to_string()),
        Err(message) => return refuse(&message),
    };
    let outcome = match args.run {
        None => list(&store, args.format),
        Some(id) => detail(&store, RunId::new(id), args.format),
    };
    match outcome {
        Ok(code) => Ok(code),
        Err(error) => refuse(&error.to_string()),
    }
}

fn refuse(message: &str) -> Result<ExitCode> {
    eprintln!("spacebridge: {message}");
    Ok(ExitCode::from(EXIT_UNREADABLE))
}

fn listed(run: Run) -> Listed {
    Listed {
        duration_seconds: run.duration_seconds(),
        run,
    }
}

fn list(store: &Store, format: OutputFormat) -> Result<ExitCode, StoreError> {
    let runs: Vec<Listed> = store.runs()?.into_iter().map(listed).collect();
    let mut out = std::io::stdout().lock();
    let written = match format {
        OutputFormat::Json => write_json(&mut out, &serde_json::json!({ "runs": runs })),
        OutputFormat::Text => write_runs(&mut out, &runs),
    };
    Ok(quiet_on_closed_pipe(written))
}

fn detail(store: &Store, id: RunId, format: OutputFormat) -> Result<ExitCode, StoreError> {
    let Some(run) = store.run(id)? else {
        eprintln!("spacebridge: no run {id} in this store: `spacebridge history` lists them");
        return Ok(ExitCode::from(EXIT_UNREADABLE));
    };
    let detail = Detail {
        run: listed(run),
        rejected: store
            .rejected_items(id)?
            .into_iter()
            .map(Rejected::from)
            .collect(),
        drift: store.drift_of_run(id)?,
    };
    let mut out = std::io::stdout().lock();
    let written = match format {
        OutputFormat::Json => write_json(&mut out, &detail),
        OutputFormat::Text => write_detail(&mut out, &detail),
    };
    Ok(quiet_on_closed_pipe(written))
}

/// A closed pipe (`history | head`) is not an error.
fn quiet_on_closed_pipe(written: std::io::Result<()>) -> ExitCode {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("spacebridge: writing the history: {e}");
            ExitCode::from(EXIT_UNREADABLE)
        }
        _ => ExitCode::SUCCESS,
    }
}

fn write_json(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

fn write_runs(out: &mut impl Write, runs: &[Listed]) -> std::io::Result<()> {
    if runs.is_empty() {
        return writeln!(
            out,
            "no sync has run on this store yet: `spacebridge sync` runs one"
        );
    }
    writeln!(
        out,
        "{:>5}  {:<8} {:<10} {:<20} {:>9}  {:<24} {:>15} {:>8} {:>6}",
        "RUN",
        "KIND",
        "STATUS",
        "STARTED (UTC)",
        "DURATION",
        "OPS +NEW ~UPD =LINK -DEL",
        "REQUESTS E/C",
        "REJECTED",
        "DRIFT"
    )?;
    for listed in runs {
        let run = &listed.run;
        writeln!(
            out,
            "{:>5}  {:<8} {:<10} {:<20} {:>9}  {:<24} {:>15} {:>8} {:>6}",
            run.run_id,
            run.kind.to_string(),
            run.status.to_string(),
            short_time(&run.started),
            listed
                .duration_seconds
                .map_or_else(|| "running".into(), human_duration),
            run.ops.summary(),
            format!("{}/{}", run.requests.eptura, run.requests.condeco),
            run.rejected,
            run.drift
        )?;
    }
    Ok(())
}

fn write_detail(out: &mut impl Write, detail: &Detail) -> std::io::Result<()> {
    write_runs(out, std::slice::from_ref(&detail.run))?;
    if detail.rejected.is_empty() {
        writeln!(out, "\nno item rejected")?;
    } else {
        writeln!(out, "\nrejected by Condeco ({}):", detail.rejected.len())?;
        for item in &detail.rejected {
            let cleared = item
                .cleared_at
                .as_deref()
                .map(|at| format!(" (since written, {})", short_time(at)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} {} ({}): {}{cleared}",
                item.kind, item.eptura_id, item.http_status, item.message
            )?;
        }
        writeln!(
            out,
            "  fix what each message names, then `spacebridge sync --retry-rejected`"
        )?;
    }
    if detail.drift.is_empty() {
        return writeln!(out, "no drift");
    }
    writeln!(out, "drift found in Condeco ({}):", detail.drift.len())?;
    for drift in &detail.drift {
        let fields = match drift.fields.is_empty() {
            true => String::new(),
            false => format!(": {}", drift.fields.join(", ")),
        };
        writeln!(
            out,
            "  {} {} (Condeco {}) {}{fields}",
            drift.kind, drift.eptura, drift.condeco, drift.change
        )?;
    }
    Ok(())
}
