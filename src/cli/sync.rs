//! `spacebridge sync [--allow-destructive] [--format json]`: run or resume a sync from Eptura
//! Workplace to Condeco. Exit 0 succeeded, 3 partial (some entities rejected: listed with
//! Condeco's message), 4 failed or cancelled (run again to resume), 2 cannot start (settings,
//! store locked by another sync). On a terminal, a progress line on stderr.

use std::io::{Stderr, Write};
use std::process::ExitCode;

use color_eyre::eyre::Result;

use super::EXIT_UNREADABLE;
use super::connection::ConnectionArgs;
use super::matching::MatchArgs;
use super::parse::OutputFormat;
use super::progress::ProgressLine;
use crate::store::OpCounts;
use crate::sync::apply::{ApplyOptions, Control};
use crate::sync::engine::{HeldOp, SyncReport, SyncSettings, outstanding_rejected};
use crate::sync::{Event, EventSink, PlanOptions};

/// What `plan` and `sync` share: where to connect, what the operator allows.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Apply destructive changes (deletes, delete-and-recreate) instead of holding them.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Approve one held op by its id (as `plan` lists it, e.g. "resource:123"); repeatable.
    #[arg(long, value_name = "ID")]
    pub approve: Vec<String>,
    /// The most of the mapped resources one run may delete, in percent.
    #[arg(long, value_name = "PERCENT", default_value_t = 5.0, value_parser = parse_percent)]
    pub deletion_cap: f64,
    /// Retry only the entities Condeco rejected in earlier runs (and those under them), after
    /// fixing what its message named.
    #[arg(long)]
    pub retry_rejected: bool,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub matching: MatchArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}`: give a percentage from 0 to 100")),
    }
}

impl SyncArgs {
    /// The settings, or `None` after saying on stderr what to set.
    pub fn settings_or_say(&self) -> Option<SyncSettings> {
        self.settings()
            .map_err(|message| eprintln!("spacebridge: {message}"))
            .ok()
    }

    /// The clients, the store and the options; or what to set.
    pub fn settings(&self) -> Result<SyncSettings, String> {
        let store = self.connection.store_path()?;
        let only = match self.retry_rejected {
            true => Some(outstanding_rejected(&store).map_err(|e| e.to_string())?),
            false => None,
        };
        Ok(SyncSettings {
            eptura: self.connection.eptura_client()?,
            condeco: self.connection.condeco_client()?,
            store,
            plan: PlanOptions {
                matching: self.matching.config().map_err(|e| e.to_string())?,
                allow_destructive: self.allow_destructive,
                approved: self.approve.iter().cloned().collect(),
                deletion_cap: self.deletion_cap / 100.0,
                only,
            },
            apply: ApplyOptions::default(),
        })
    }
}

pub fn run(args: &SyncArgs) -> Result<ExitCode> {
    let Some(settings) = args.settings_or_say() else {
        return Ok(ExitCode::from(EXIT_UNREADABLE));
    };
    let runtime = super::runtime()?;
    let outcome = runtime.block_on(async {
        let (sink, events) = EventSink::channel();
        let line = ProgressLine::stderr();
        let progress = line
            .is_shown()
            .then(|| tokio::spawn(show_progress(events, line)));
        let (control, _pause) = Control::detached();
        let cancel = control.cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nstopping after the writes in flight (Ctrl-C again to force)…");
                cancel.cancel();
            }
        });
        let report = crate::sync::run(&settings, &sink, &control).await;
        drop(sink);
        if let Some(progress) = progress {
            let _ = progress.await;
        }
        report
    });
    let report = match outcome {
        Ok(report) => report,
        Err(e) => {
            eprintln!("spacebridge: {e}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    print_report(&report, args.format)?;
    Ok(ExitCode::from(report.exit_code() as u8))
}

/// The report as text or JSON on stdout.
pub fn print_report(report: &SyncReport, format: OutputFormat) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(report)?)?,
        OutputFormat::Text => write_text(&mut out, report)?,
    }
    Ok(())
}

fn write_text(out: &mut impl Write, report: &SyncReport) -> std::io::Result<()> {
    let run = report
        .run_id
        .map(|id| format!("run {id} "))
        .unwrap_or_default();
    let kind = report.kind.map(|k| format!("({k}) ")).unwrap_or_default();
    writeln!(out, "{run}{kind}{}", report.status)?;
    if let Some(reason) = &report.reason {
        writeln!(out, "  {reason}")?;
    }
    write_counts(out, &report.ops)?;
    write_held(out, &report.held_destructive)?;
    for id in &report.unmatched_approvals {
        writeln!(
            out,
            "  --approve {id} named no held op: it approved nothing (`spacebridge plan` lists \
             the held ops with their ids)"
        )?;
    }
    for rejected in &report.rejected {
        writeln!(
            out,
            "  rejected {} {} ({}): {}",
            rejected.kind, rejected.eptura_id, rejected.status, rejected.message
        )?;
    }
    for drift in &report.drift {
        let what = match drift.fields.is_empty() {
            true => drift.change.to_string(),
            false => format!("{} {}", drift.change, drift.fields.join(", ")),
        };
        writeln!(
            out,
            "  drift: {} {} (Condeco {}) {what} in Condeco directly: put back by this run",
            drift.kind, drift.eptura, drift.condeco
        )?;
    }
    for skipped in &report.skipped {
        writeln!(out, "  not synced: {}: {}", skipped.what, skipped.reason)?;
    }
    writeln!(
        out,
        "  requests: {} to Eptura Workplace, {} to Condeco",
        report.requests.eptura, report.requests.condeco
    )
}

fn write_counts(out: &mut impl Write, counts: &OpCounts) -> std::io::Result<()> {
    for (label, map) in [
        ("create", &counts.create),
        ("update", &counts.update),
        ("link", &counts.link),
        ("delete", &counts.delete),
        ("unchanged", &counts.unchanged),
    ] {
        if map.is_empty() {
            continue;
        }
        let parts: Vec<String> = map.iter().map(|(k, n)| format!("{n} {k}")).collect();
        writeln!(out, "  {label:<9} {}", parts.join(", "))?;
    }
    Ok(())
}

fn write_held(out: &mut impl Write, held: &[HeldOp]) -> std::io::Result<()> {
    for op in held {
        let state = if op.hold.approved { "approved" } else { "HELD" };
        writeln!(
            out,
            "  {state} {:?} {} {}: {} ({} bookings would be lost) [--approve {}]",
            op.action, op.kind, op.eptura_id, op.hold.reason, op.hold.bookings, op.hold.id
        )?;
    }
    Ok(())
}

/// The progress line: the level, its progress, the request rate.
async fn show_progress(
    mut events: tokio::sync::mpsc::UnboundedReceiver<Event>,
    mut progress: ProgressLine<Stderr>,
) {
    let mut level = String::new();
    let mut line = String::new();
    while let Some(event) = events.recv().await {
        match event {
            Event::Reading { what } => line = format!("reading {what}…"),
            Event::LevelStarted { kind, total } => {
                level = kind.to_string();
                line = format!("{level}: 0/{total}");
            }
            Event::OpDone { done, total, .. } => line = format!("{level}: {done}/{total}"),
            Event::QuotaPaused { renews_in } => {
                line = format!("Condeco quota used up: waiting {}s", renews_in.as_secs());
            }
            Event::Traffic { condeco, .. } => {
                progress.show_with_rate(&line, condeco.requests);
                continue;
            }
            _ => continue,
        }
        progress.show(&line);
    }
    progress.clear();
}
