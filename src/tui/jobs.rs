//! Background jobs, one abstraction for every kind of long work: a job is a spawned tokio task
//! given a [`Reporter`] (its messages reach the app's loop as [`Event::Job`], tagged with the
//! job's [`JobId`]) and a [`CancellationToken`] it watches. At most one job of each
//! [`JobKind`] runs: starting another replaces it. Cancelling a job forgets it at once (its
//! messages are dropped from then on); stopping one asks it to wind down and still takes its
//! last message (an upload's count of what it did before it stopped).
//!
//! Load, sheet reading, export, upload, the merge match and its decisions, the sync plan, the
//! sync itself (a job that starts `sync::engine::EngineHandle`, forwards its events as replies
//! and calls its `cancel()` when the token is cancelled) and the history are jobs. Cancelled
//! jobs' tasks are kept so that quitting can wait a moment for them to wind down (a sync
//! finishes its writes in flight). This module knows nothing of what the jobs do and never
//! draws.

use std::future::Future;
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::tui::event::{Event, JobId, JobMessage, Reply};

/// What a job does; one of each kind runs at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Reading a template (and building its tree index).
    Load,
    /// Reading the sheet names of the file in the Load screen's path field.
    Sheets,
    /// Writing the annotated copy.
    Export,
    /// The upload to Eptura Workplace, dry or real.
    Upload,
    /// Reading both services and matching them for the merge review.
    Match,
    /// Recording merge decisions and matching again.
    Decide,
    /// A sync's plan (a dry run: nothing written).
    Plan,
    /// A sync run.
    Sync,
    /// Reading the store's runs (or one run's detail).
    History,
}

/// How a job talks to the app: every message carries the job's id.
#[derive(Debug, Clone)]
pub struct Reporter {
    id: JobId,
    tx: UnboundedSender<Event>,
}

impl Reporter {
    /// Send a progress message. `false` once the app is gone (the job may as well stop).
    pub fn send(&self, reply: Reply) -> bool {
        self.post(reply, false)
    }

    fn post(&self, reply: Reply, done: bool) -> bool {
        let message = JobMessage {
            id: self.id,
            done,
            reply,
        };
        self.tx.send(Event::Job(Box::new(message))).is_ok()
    }
}

struct Running {
    id: JobId,
    kind: JobKind,
    cancel: CancellationToken,
    started: Instant,
    /// Asked to stop; its last message is still awaited.
    stopping: bool,
    /// Kept so the task is owned here (dropping a handle would only detach it), and so that
    /// quitting can wait for a cancelled job to wind down.
    task: JoinHandle<()>,
}

/// The jobs running now.
pub struct Jobs {
    tx: UnboundedSender<Event>,
    next: u64,
    running: Vec<Running>,
    /// Tasks of cancelled jobs, still winding down.
    winding_down: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Jobs whose messages go to `tx`.
    pub fn new(tx: UnboundedSender<Event>) -> Jobs {
        Jobs {
            tx,
            next: 0,
            running: Vec::new(),
            winding_down: Vec::new(),
        }
    }

    /// Start `work` as the job of its `kind`, replacing one that runs. `work` gets the job's
    /// reporter and token and returns the future to spawn; what the future returns is the
    /// job's last message. `None` when there is no tokio runtime to run it on (a synchronous
    /// test).
    pub fn start<W, F>(&mut self, kind: JobKind, now: Instant, work: W) -> Option<JobId>
    where
        W: FnOnce(Reporter, CancellationToken) -> F,
        F: Future<Output = Reply> + Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        self.cancel(kind);
        self.next += 1;
        let id = JobId(self.next);
        let cancel = CancellationToken::new();
        let reporter = Reporter {
            id,
            tx: self.tx.clone(),
        };
        let future = work(reporter.clone(), cancel.clone());
        let task = runtime.spawn(async move {
            let reply = future.await;
            reporter.post(reply, true);
        });
        tracing::debug!(?kind, id = id.0, "job started");
        self.running.push(Running {
            id,
            kind,
            cancel,
            started: now,
            stopping: false,
            task,
        });
        Some(id)
    }

    /// Cancel the job of `kind` and forget it: its messages are dropped from now on. `false`
    /// when none runs.
    pub fn cancel(&mut self, kind: JobKind) -> bool {
        let Some(at) = self.running.iter().position(|j| j.kind == kind) else {
            return false;
        };
        let job = self.running.remove(at);
        job.cancel.cancel();
        tracing::debug!(?kind, id = job.id.0, "job cancelled");
        self.winding_down.retain(|task| !task.is_finished());
        self.winding_down.push(job.task);
        true
    }

    /// Ask the job of `kind` to stop, and keep taking its messages until its last one.
    /// `false` when none runs.
    pub fn stop(&mut self, kind: JobKind) -> bool {
        let Some(job) = self.running.iter_mut().find(|j| j.kind == kind) else {
            return false;
        };
        job.cancel.cancel();
        job.stopping = true;
        true
    }

    /// The kind of the job `message` comes from, when that job is current; `None` for a
    /// message of a job cancelled or replaced since (drop it). A job's last message ends it.
    pub fn accept(&mut self, message: &JobMessage) -> Option<JobKind> {
        let at = self.running.iter().position(|j| j.id == message.id)?;
        let kind = self.running[at].kind;
        if message.done {
            self.running.remove(at);
        }
        Some(kind)
    }

    pub fn is_running(&self, kind: JobKind) -> bool {
        self.running.iter().any(|j| j.kind == kind)
    }

    /// Whether the job of `kind` was asked to stop and has not ended yet.
    pub fn is_stopping(&self, kind: JobKind) -> bool {
        self.running.iter().any(|j| j.kind == kind && j.stopping)
    }

    /// When the job of `kind` started.
    pub fn started(&self, kind: JobKind) -> Option<Instant> {
        self.running
            .iter()
            .find(|j| j.kind == kind)
            .map(|j| j.started)
    }

    /// The kinds running now, oldest first.
    pub fn kinds(&self) -> impl Iterator<Item = JobKind> + '_ {
        self.running.iter().map(|j| j.kind)
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// Cancel every job (quitting).
    pub fn cancel_all(&mut self) {
        for job in self.running.drain(..) {
            job.cancel.cancel();
            self.winding_down.push(job.task);
        }
    }

    /// Wait until the cancelled jobs have wound down (a sync's writes in flight land and its
    /// run is recorded as cancelled), at most `limit`. `false` when some did not end in time.
    pub async fn wind_down(&mut self, limit: std::time::Duration) -> bool {
        let tasks = std::mem::take(&mut self.winding_down);
        let all = futures_util::future::join_all(tasks);
        tokio::time::timeout(limit, all).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

    use super::*;

    fn exported(name: &str) -> Reply {
        Reply::Exported(Ok(name.into()))
    }

    async fn next(rx: &mut UnboundedReceiver<Event>) -> JobMessage {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(Event::Job(message))) => *message,
            other => panic!("expected a job message, got {other:?}"),
        }
    }

    /// A job that sends one progress message, then waits for its token and ends.
    async fn until_cancelled(reporter: Reporter, cancel: CancellationToken) -> Reply {
        reporter.send(exported("progress"));
        cancel.cancelled().await;
        exported("stopped")
    }

    #[tokio::test]
    async fn a_replaced_job_s_messages_are_dropped_and_the_new_one_s_kept() {
        let (tx, mut rx) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let now = Instant::now();
        let first = jobs.start(JobKind::Export, now, until_cancelled);
        let second = jobs.start(JobKind::Export, now, until_cancelled);
        assert_ne!(first, second);
        assert_eq!(jobs.kinds().count(), 1, "one job of a kind");
        let mut kept = Vec::new();
        for _ in 0..3 {
            let message = next(&mut rx).await;
            if jobs.accept(&message).is_some() {
                kept.push((message.id, message.done));
            }
        }
        assert_eq!(kept, vec![(second.expect("started"), false)]);
        assert!(jobs.is_running(JobKind::Export));
        jobs.cancel_all();
        assert!(jobs.is_empty());
    }

    #[tokio::test]
    async fn a_stopped_job_is_heard_until_its_last_message() {
        let (tx, mut rx) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        jobs.start(JobKind::Upload, Instant::now(), until_cancelled);
        let progress = next(&mut rx).await;
        assert_eq!(jobs.accept(&progress), Some(JobKind::Upload));
        assert!(jobs.stop(JobKind::Upload));
        assert!(jobs.is_stopping(JobKind::Upload));
        let last = next(&mut rx).await;
        assert!(last.done);
        assert_eq!(jobs.accept(&last), Some(JobKind::Upload));
        assert!(
            !jobs.is_running(JobKind::Upload),
            "the last message ends it"
        );
    }

    #[tokio::test]
    async fn a_cancelled_job_is_forgotten_at_once() {
        let (tx, mut rx) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        jobs.start(JobKind::Load, Instant::now(), until_cancelled);
        assert!(jobs.cancel(JobKind::Load));
        assert!(!jobs.is_running(JobKind::Load));
        let progress = next(&mut rx).await;
        let last = next(&mut rx).await;
        assert_eq!(jobs.accept(&progress), None);
        assert_eq!(jobs.accept(&last), None);
        assert!(!jobs.cancel(JobKind::Load), "nothing left to cancel");
    }

    #[test]
    fn without_a_runtime_nothing_starts() {
        let (tx, _rx) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        assert_eq!(
            jobs.start(JobKind::Load, Instant::now(), until_cancelled),
            None
        );
        assert!(jobs.is_empty());
    }
}
