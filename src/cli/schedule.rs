//! `spacebridge schedule (--every DURATION | --at HH:MM)`: a foreground daemon that runs the sync
//! on time. `--every` runs at once, then every DURATION from one start to the next; `--at` runs
//! each day at that local time. A run that fails is started again (resumed) after a wait that
//! doubles from `--restart-after`, up to `--max-restarts` times, then the daemon waits for the
//! next slot; each restart is said. Condeco's daily quota pauses a run until it renews. SIGTERM
//! or Ctrl-C stops it cleanly: the run in progress stops between ops (nothing is lost; the next
//! run resumes it) and the daemon exits 0. It holds the store's run lock for its whole life,
//! so a second `schedule` or `sync` on the same store refuses, naming the holder.

use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::Result;
use tokio_util::sync::CancellationToken;

use super::EXIT_UNREADABLE;
use super::sync::SyncArgs;
use crate::store::{LockHolder, RunLock, Store};
use crate::sync::apply::Control;
use crate::sync::engine::{SyncReport, SyncSettings, run_locked};
use crate::sync::{Event, EventSink};

/// The longest wait between two restarts of a failed run.
const MAX_RESTART_WAIT: Duration = Duration::from_secs(600);
/// How long a run may wait for Condeco's daily quota to renew (a day, and some).
const QUOTA_WAIT: Duration = Duration::from_secs(25 * 3600);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run now, then every DURATION ("30m", "6h", "24h"; from one start to the next).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration,
          required_unless_present = "at", conflicts_with = "at")]
    pub every: Option<Duration>,
    /// Run every day at this local time (HH:MM, 24-hour).
    #[arg(long, value_name = "HH:MM", value_parser = parse_time_of_day)]
    pub at: Option<jiff::civil::Time>,
    /// How many times a failed run is restarted before waiting for the next slot.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_restarts: u32,
    /// The first wait before restarting a failed run; doubles at each restart (10 min at most).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s")]
    pub restart_after: Duration,
    #[command(flatten)]
    pub sync: SyncArgs,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let parsed: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}`: give a duration such as 30s, 15m, 6h or 24h"))?;
    match Duration::try_from(parsed) {
        Ok(d) if d >= Duration::from_secs(1) && d <= Duration::from_secs(31 * 24 * 3600) => Ok(d),
        _ => Err(format!(
            "`{text}`: give a duration from 1s to 744h (31 days)"
        )),
    }
}

fn parse_time_of_day(text: &str) -> Result<jiff::civil::Time, String> {
    let text = text.trim();
    let padded = match text.find(':') {
        Some(1) => format!("0{text}"),
        _ => text.to_string(),
    };
    padded
        .parse()
        .map_err(|_| format!("`{text}`: give a time of day as HH:MM, from 00:00 to 23:59"))
}

/// When the next run is due.
#[derive(Debug, Clone, Copy)]
enum Slots {
    Every(Duration),
    At(jiff::civil::Time),
}

impl Slots {
    /// How long from now until the next slot (`last_start`: when the previous run started).
    fn wait(self, last_start: Option<std::time::Instant>) -> Duration {
        match self {
            Slots::Every(every) => {
                last_start.map_or(Duration::ZERO, |s| every.saturating_sub(s.elapsed()))
            }
            Slots::At(time) => until_local(time),
        }
    }
}

/// Until the next time the local clock shows `time` (tomorrow if it is past today).
fn until_local(time: jiff::civil::Time) -> Duration {
    let now = jiff::Zoned::now();
    let today = now.with().time(time).build();
    let next = today.and_then(|t| match t > now {
        true => Ok(t),
        false => t.checked_add(jiff::Span::new().days(1)),
    });
    next.ok()
        .and_then(|next| Duration::try_from(now.duration_until(&next)).ok())
        .unwrap_or(Duration::from_secs(24 * 3600))
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let Some(mut settings) = args.sync.settings_or_say() else {
        return Ok(ExitCode::from(EXIT_UNREADABLE));
    };
    settings.apply.max_quota_wait = QUOTA_WAIT;
    let lock = match take_lock(&settings) {
        Ok(lock) => lock,
        Err(message) => {
            eprintln!("spacebridge: {message}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    let slots = match (args.every, args.at) {
        (Some(every), _) => Slots::Every(every),
        (None, Some(at)) => Slots::At(at),
        (None, None) => Slots::Every(Duration::from_secs(24 * 3600)),
    };
    let runtime = super::runtime()?;
    runtime.block_on(daemon(&settings, &lock, slots, args));
    lock.release()?;
    say("stopped");
    Ok(ExitCode::SUCCESS)
}

fn take_lock(settings: &SyncSettings) -> Result<RunLock, String> {
    let store = Store::open(&settings.store).map_err(|e| e.to_string())?;
    store
        .acquire_lock(&LockHolder::this_process())
        .map_err(|e| format!("{e} (schedule runs one sync at a time per store)"))
}

/// Run on every slot until SIGTERM or Ctrl-C.
async fn daemon(settings: &SyncSettings, lock: &RunLock, slots: Slots, args: &Args) {
    let (control, _pause) = Control::detached();
    let stop = control.cancel.clone();
    tokio::spawn(stop_on_signal(stop.clone()));
    say(&format!(
        "scheduled: {} on {} (Ctrl-C or SIGTERM stops it)",
        describe(slots),
        settings.store.display()
    ));
    let mut last_start = None;
    loop {
        let wait = slots.wait(last_start);
        record_next_run(settings, slots, wait);
        if !wait.is_zero() {
            say(&format!("next run in {}", human(wait)));
            if !sleep_unless_stopped(wait, &stop).await {
                return;
            }
        }
        last_start = Some(std::time::Instant::now());
        record_next_run(settings, slots, Duration::ZERO);
        run_with_restarts(settings, lock, &control, args).await;
        if stop.is_cancelled() {
            return;
        }
    }
}

/// Keep the rule and the next run in the store, for `history` and the TUI: due in `wait`, or
/// running now when `wait` is zero. A store that cannot be written is said, not fatal.
fn record_next_run(settings: &SyncSettings, slots: Slots, wait: Duration) {
    let next = (!wait.is_zero())
        .then(|| jiff::SignedDuration::try_from(wait).ok())
        .flatten()
        .and_then(|wait| jiff::Timestamp::now().checked_add(wait).ok())
        .map(|at| at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
    let recorded = Store::open(&settings.store).and_then(|mut store| {
        store.record_schedule(
            &describe(slots),
            next.as_deref(),
            &LockHolder::this_process(),
        )
    });
    if let Err(error) = recorded {
        say(&format!("cannot record the next run in the store: {error}"));
    }
}

/// One slot's run: restarted after failures, with a doubling wait, up to the limit.
async fn run_with_restarts(
    settings: &SyncSettings,
    lock: &RunLock,
    control: &Control,
    args: &Args,
) {
    let mut wait = args.restart_after;
    for attempt in 0..=args.max_restarts {
        let report = one_run(settings, lock, control).await;
        let failed = report.as_ref().is_none_or(|r| r.status == "failed");
        if !failed || control.cancel.is_cancelled() {
            return;
        }
        if attempt == args.max_restarts {
            say(&format!(
                "giving up after {} restarts; the next slot resumes the run",
                args.max_restarts
            ));
            return;
        }
        say(&format!(
            "restarting in {} (restart {} of {})",
            human(wait),
            attempt + 1,
            args.max_restarts
        ));
        if !sleep_unless_stopped(wait, &control.cancel).await {
            return;
        }
        wait = (wait * 2).min(MAX_RESTART_WAIT);
    }
}

/// One sync, its start and end said on stdout.
async fn one_run(settings: &SyncSettings, lock: &RunLock, control: &Control) -> Option<SyncReport> {
    let (sink, events) = EventSink::channel();
    let narrator = tokio::spawn(narrate(events));
    let outcome = run_locked(settings, lock, &sink, control).await;
    drop(sink);
    let _ = narrator.await;
    match outcome {
        Ok(report) => {
            say(&summary(&report));
            Some(report)
        }
        Err(error) => {
            say(&format!("the sync could not start: {error}"));
            None
        }
    }
}

/// The events worth a line in a daemon's log.
async fn narrate(mut events: tokio::sync::mpsc::UnboundedReceiver<Event>) {
    while let Some(event) = events.recv().await {
        match event {
            Event::Started {
                run,
                kind,
                resumed_from,
            } => {
                let resumed = resumed_from
                    .map(|r| format!(", resuming run {r}"))
                    .unwrap_or_default();
                say(&format!("run {run} ({kind}) started{resumed}"));
            }
            Event::QuotaPaused { renews_in } => say(&format!(
                "Condeco's daily quota is used up: paused until it renews in {}",
                human(renews_in)
            )),
            _ => {}
        }
    }
}

fn summary(report: &SyncReport) -> String {
    let run = report.run_id.map(|r| r.to_string()).unwrap_or_default();
    let [created, updated, linked, deleted] = report.ops.totals();
    let mut line = format!(
        "run {run} {}: {created} created, {updated} updated, {linked} linked, {deleted} deleted, \
         {} rejected, {} drift, {} held",
        report.status,
        report.rejected.len(),
        report.drift.len(),
        report
            .held_destructive
            .iter()
            .filter(|h| !h.hold.approved)
            .count()
    );
    if let Some(reason) = &report.reason {
        line.push_str(&format!(" ({reason})"));
    }
    line
}

/// Sleep for `wait`; false when stopped first.
async fn sleep_unless_stopped(wait: Duration, stop: &CancellationToken) -> bool {
    tokio::select! {
        () = tokio::time::sleep(wait) => true,
        () = stop.cancelled() => false,
    }
}

async fn stop_on_signal(stop: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    say("stopping: the writes in flight finish, the next run resumes the rest");
    stop.cancel();
}

fn describe(slots: Slots) -> String {
    match slots {
        Slots::Every(every) => format!("a sync now and every {}", human(every)),
        Slots::At(at) => format!("a sync every day at {} local time", at.strftime("%H:%M")),
    }
}

fn human(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

/// A line on stdout, stamped with the UTC time (a daemon's output is its log).
fn say(line: &str) {
    let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ");
    println!("{now} {line}");
}
