//! The work the app runs as background jobs ([`super::jobs`]): loading a template (and
//! building its tree index there, off the UI thread), reading a file's sheet names, writing the
//! annotated copy, the upload to Eptura Workplace (dry or real, then the session's after-upload
//! step), the merge review's match and decisions, the sync's plan, the sync itself (the engine
//! driven by the screen's commands, its events forwarded in batches) and the store's history.
//! Each is an async function of owned inputs, its [`Reporter`] and its [`CancellationToken`],
//! returning its last [`Reply`]. The only part of the TUI that reads or writes files, the store
//! or talks to a server; it never touches the app's state.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinError;
use tokio_util::sync::CancellationToken;

use crate::domain::{DecisionChange, ExternalId};
use crate::eptura::EpturaClient;
use crate::http::HttpStats;
use crate::matcher::MatchConfig;
use crate::store::{RunId, Store, StoreError};
use crate::sync::SyncSettings;
use crate::sync::engine::{EngineHandle, outstanding_rejected, resumable};
use crate::sync::merge::MergeView;
use crate::sync::upload::{UploadOptions, UploadProgress};
use crate::template::{self, LoadOptions, Loaded};
use crate::tui::event::Reply;
use crate::tui::jobs::Reporter;
use crate::tui::portfolio_tree::Prepared;
use crate::tui::reads::{EngineCommand, HistoryRead, MergeRead, PlanRead, RunDetail};
use crate::tui::screens::LoadRequest;
use crate::tui::screens::load::describe_load_error;
use crate::tui::session::AfterUpload;

/// How often a running upload reports where it stands.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// How often a running sync's events are forwarded, in one batch: often enough that the screen
/// follows within a frame or two, rarely enough that 500 ops a second cost the app forty
/// messages a second.
const SYNC_EVENTS_EVERY: Duration = Duration::from_millis(25);

/// A blocking task's result, with a panic or an abort said as `what` stopped unexpectedly.
fn joined<T, E: Display>(result: Result<Result<T, E>, JoinError>, what: &str) -> Result<T, String> {
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("the {what} stopped unexpectedly: {e}")),
    }
}

fn load_options(request: &LoadRequest, cancel: Option<Arc<AtomicBool>>) -> LoadOptions {
    LoadOptions {
        sheet: request.sheet.clone(),
        country: request.country,
        cancel,
    }
}

/// Load the template of `request` and index its tree; the token stops the loader between
/// sheets and rows.
pub async fn load(request: LoadRequest, cancel: CancellationToken) -> Reply {
    let flag = Arc::new(AtomicBool::new(false));
    let options = load_options(&request, Some(flag.clone()));
    let path = request.path;
    let reading = tokio::task::spawn_blocking(move || {
        template::load(&path, &options)
            .map(|loaded| Box::new(Prepared::new(loaded)))
            .map_err(|e| describe_load_error(&e))
    });
    tokio::pin!(reading);
    let read = tokio::select! {
        read = &mut reading => read,
        () = cancel.cancelled() => {
            flag.store(true, Ordering::Relaxed);
            reading.await
        }
    };
    Reply::Loaded(joined(read, "loader"))
}

/// The sheets of `path` and which have a header row.
pub async fn sheets(path: PathBuf) -> Reply {
    let for_reader = path.clone();
    let read = tokio::task::spawn_blocking(move || template::sheet_names(&for_reader)).await;
    Reply::Sheets {
        path,
        result: joined(read, "sheet reader"),
    }
}

/// Write the annotated copy of the template of `request` to `out`.
pub async fn export(request: LoadRequest, out: PathBuf) -> Reply {
    let options = load_options(&request, None);
    let target = out.clone();
    let written = tokio::task::spawn_blocking(move || {
        template::annotate::write(&request.path, &options, &target)
    })
    .await;
    Reply::Exported(joined(written, "export").map(|_| out))
}

/// What an upload job needs.
pub struct Upload {
    pub client: EpturaClient,
    pub loaded: Arc<Loaded>,
    pub dry_run: bool,
    /// Run after a real upload that finished (the demo's reservation centers).
    pub after: Option<AfterUpload>,
}

/// Upload the template's buildings without errors, reporting where it stands every
/// [`PROGRESS_EVERY`]. Once the token is cancelled no new create starts; the report then counts
/// exactly what was done.
pub async fn upload(job: Upload, reporter: Reporter, cancel: CancellationToken) -> Reply {
    let Upload {
        client,
        loaded,
        dry_run,
        after,
    } = job;
    let start = client.http().stats();
    let portfolio = Arc::new(loaded.without_broken_buildings().0);
    let (progress_tx, progress) = watch::channel(UploadProgress::default());
    let options = UploadOptions {
        dry_run,
        progress: Some(progress_tx),
        cancel: Some(cancel),
        ..UploadOptions::default()
    };
    let running = crate::sync::upload::upload(&client, &portfolio, options);
    tokio::pin!(running);
    let mut ticks = tokio::time::interval(PROGRESS_EVERY);
    let result = loop {
        tokio::select! {
            result = &mut running => break result,
            _ = ticks.tick() => {
                reporter.send(Reply::UploadProgress {
                    progress: *progress.borrow(),
                    stats: stats_since(client.http().stats(), start),
                });
            }
        }
    };
    let result = result.map_err(|e| {
        if dry_run {
            format!("the dry run stopped while {}: {}", e.doing, e.source)
        } else {
            e.to_string()
        }
    });
    let after = match (&result, after) {
        (Ok(report), Some(step)) if !dry_run && !report.stopped => {
            Some((step.0)(client.clone(), portfolio.clone()).await)
        }
        _ => None,
    };
    Reply::Uploaded {
        result,
        stats: stats_since(client.http().stats(), start),
        after,
    }
}

/// `now - start`, counter by counter.
pub fn stats_since(now: HttpStats, start: HttpStats) -> HttpStats {
    HttpStats {
        requests: now.requests.saturating_sub(start.requests),
        retries: now.retries.saturating_sub(start.retries),
        throttled: now.throttled.saturating_sub(start.throttled),
        server_errors: now.server_errors.saturating_sub(start.server_errors),
        transport_errors: now.transport_errors.saturating_sub(start.transport_errors),
    }
}

/// Read both services and the store, and match them for the merge review.
pub async fn merge_read(settings: SyncSettings) -> Reply {
    let (view, decisions) = match MergeView::read(&settings).await {
        Ok(read) => read,
        Err(error) => return Reply::Matched(Err(error.to_string())),
    };
    let config = settings.plan.matching;
    let matched = tokio::task::spawn_blocking(move || {
        let outcome = view.outcome(&decisions, &config);
        let bookings = view.bookings();
        Ok::<_, std::convert::Infallible>(MergeRead {
            view: Arc::new(view),
            outcome,
            bookings,
        })
    })
    .await;
    Reply::Matched(joined(matched, "matcher").map(Box::new))
}

/// What a decision job needs: the store, the changes, and what was read to match again.
pub struct Decide {
    pub store: PathBuf,
    pub changes: Vec<DecisionChange>,
    pub view: Arc<MergeView>,
    pub config: MatchConfig,
}

/// Record the decisions in the store, then match again (no request: the view was read once)
/// with every decision stored.
pub async fn decide(job: Decide) -> Reply {
    let done = tokio::task::spawn_blocking(move || {
        let mut store = Store::open(&job.store)?;
        for change in &job.changes {
            store.change_decision(change)?;
        }
        let decisions = store.decisions()?;
        Ok::<_, StoreError>(job.view.outcome(&decisions, &job.config))
    })
    .await;
    Reply::Decided(joined(done, "decision").map(Box::new))
}

/// The entities Condeco rejected and no later write cleared, when only they are to be
/// synced (`retry_rejected`); `None` otherwise.
async fn rejected_only(
    store: PathBuf,
    retry_rejected: bool,
) -> Result<Option<BTreeSet<ExternalId>>, String> {
    if !retry_rejected {
        return Ok(None);
    }
    let read = tokio::task::spawn_blocking(move || outstanding_rejected(&store)).await;
    joined(read, "store reader").map(Some)
}

/// The sync's plan (a dry run: the store is only read, nothing is written), and the run it
/// would take over; with `retry_rejected`, only for what Condeco rejected before.
pub async fn plan(mut settings: SyncSettings, retry_rejected: bool) -> Reply {
    let store = settings.store.clone();
    let earlier = tokio::task::spawn_blocking(move || resumable(&Store::open(&store)?)).await;
    let resumes = match joined(earlier, "store reader") {
        Ok(resumes) => resumes,
        Err(message) => return Reply::Planned(Err(message)),
    };
    settings.plan.only = match rejected_only(settings.store.clone(), retry_rejected).await {
        Ok(only) => only,
        Err(message) => return Reply::Planned(Err(message)),
    };
    let planned = crate::sync::preview(&settings).await.map(|(_, report)| {
        Box::new(PlanRead {
            report,
            resumes,
            retry_rejected,
        })
    });
    Reply::Planned(planned.map_err(|e| e.to_string()))
}

/// What a sync job needs: the settings (approvals made on the plan included), whether only
/// the entities Condeco rejected are retried, and where the Sync screen's commands arrive.
pub struct Sync {
    pub settings: SyncSettings,
    pub retry_rejected: bool,
    pub commands: mpsc::UnboundedReceiver<EngineCommand>,
}

/// Run a sync: the engine in its own task, its events forwarded every [`SYNC_EVENTS_EVERY`]
/// in one batch, the screen's commands passed on; the token cancels the run (it stops after
/// the writes in flight). The last reply is the run's report.
pub async fn sync(job: Sync, reporter: Reporter, cancel: CancellationToken) -> Reply {
    let Sync {
        mut settings,
        retry_rejected,
        mut commands,
    } = job;
    settings.plan.only = match rejected_only(settings.store.clone(), retry_rejected).await {
        Ok(only) => only,
        Err(message) => return Reply::Synced(Err(message)),
    };
    let mut handle = EngineHandle::start(settings);
    let mut events = std::mem::replace(&mut handle.events, mpsc::unbounded_channel().1);
    let mut batch = Vec::new();
    let mut ticks = tokio::time::interval(SYNC_EVENTS_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut cancelled = false;
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => batch.push(event),
                None => break,
            },
            Some(command) = commands.recv() => match command {
                EngineCommand::Pause => handle.pause(),
                EngineCommand::Resume => handle.resume(),
                EngineCommand::Cancel => handle.cancel(),
                EngineCommand::Approve(ids) => ids.into_iter().for_each(|id| handle.approve(id)),
            },
            _ = ticks.tick() => {
                if !batch.is_empty() {
                    reporter.send(Reply::SyncEvents(std::mem::take(&mut batch)));
                }
            }
            () = cancel.cancelled(), if !cancelled => {
                handle.cancel();
                cancelled = true;
            }
        }
    }
    if !batch.is_empty() {
        reporter.send(Reply::SyncEvents(batch));
    }
    Reply::Synced(
        handle
            .finish()
            .await
            .map(Box::new)
            .map_err(|e| e.to_string()),
    )
}

/// The store's runs, newest first, its schedule and its outstanding rejections.
pub async fn history(store: PathBuf) -> Reply {
    let read = tokio::task::spawn_blocking(move || {
        let store = Store::open(&store)?;
        let schedule = store.schedule()?;
        let holder = store.lock_holder()?.map(|(holder, _)| holder);
        let daemon_alive = schedule
            .as_ref()
            .is_some_and(|s| holder.as_ref() == Some(&s.holder) && !s.holder.is_stale());
        Ok::<_, StoreError>(HistoryRead {
            runs: store.runs()?,
            schedule,
            daemon_alive,
            outstanding: store.outstanding_rejected()?.len(),
        })
    })
    .await;
    Reply::History(joined(read, "history reader").map(Box::new))
}

/// One run's rejected items and drift.
pub async fn run_detail(store: PathBuf, run: RunId) -> Reply {
    let read = tokio::task::spawn_blocking(move || {
        let store = Store::open(&store)?;
        Ok::<_, StoreError>(RunDetail {
            run,
            rejected: store.rejected_items(run)?,
            drift: store.drift_of_run(run)?,
        })
    })
    .await;
    Reply::RunDetail(joined(read, "history reader").map(Box::new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_since_subtracts_counter_by_counter() {
        let start = HttpStats {
            requests: 10,
            retries: 1,
            ..HttpStats::default()
        };
        let now = HttpStats {
            requests: 25,
            retries: 3,
            throttled: 2,
            ..HttpStats::default()
        };
        let d = stats_since(now, start);
        assert_eq!((d.requests, d.retries, d.throttled), (15, 2, 2));
    }
}
