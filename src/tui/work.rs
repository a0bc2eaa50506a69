//! The work the app runs as background jobs ([`super::jobs`]): loading a template (and
//! building its tree index there, off the UI thread), reading a file's sheet names, writing the
//! annotated copy, and the upload to Eptura Workplace (dry or real, then the session's
//! after-upload step). Each is an async function of owned inputs, its [`Reporter`] and its
//! [`CancellationToken`], returning its last [`Reply`]. The only part of the TUI that reads or
//! writes files or talks to a server; it never touches the app's state.

use std::fmt::Display;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinError;
use tokio_util::sync::CancellationToken;

use crate::eptura::EpturaClient;
use crate::http::HttpStats;
use crate::sync::upload::{UploadOptions, UploadProgress};
use crate::template::{self, LoadOptions, Loaded};
use crate::tui::event::Reply;
use crate::tui::jobs::Reporter;
use crate::tui::portfolio_tree::Prepared;
use crate::tui::screens::LoadRequest;
use crate::tui::screens::load::describe_load_error;
use crate::tui::session::AfterUpload;

/// How often a running upload reports where it stands.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

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
