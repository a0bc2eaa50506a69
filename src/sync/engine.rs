//! One sync run from start to end, and the handle the CLI and the TUI drive it by: take the
//! store's run lock, decide the run's kind (initial, daily, or resumed after a failed or killed
//! run), read both sides, match them (merge), plan, apply, record the run. Commands in (pause,
//! resume, cancel, approve a held op: one approved while the run runs is applied after the
//! rest, under the deletion cap), typed [`Event`]s out. Anything that goes
//! wrong after the run started ends it `failed` in the store and in the report, resumable by
//! running again: only a store that cannot be opened or is locked by another sync is an error.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::condeco::CondecoClient;
use crate::domain::{ExternalId, SyncKind};
use crate::eptura::EpturaClient;
use crate::http::HttpStats;
use crate::store::{
    Drift, LockHolder, Mapping, OpCounts, RequestCounts, RunEnd, RunId, RunKind, RunLock,
    RunStatus, Store, StoreError,
};

use super::apply::{self, ApplyOptions, Control, Ending, Rejected};
use super::desired::{Skipped, desired_state};
use super::events::{Event, EventSink};
use super::merge::{MergeLinks, merge, needs_matching};
use super::plan::{Hold, Plan, PlanOptions, plan};
use super::quota::QuotaWait;
use super::snapshot::{CondecoSnapshot, CopyUpdate, EpturaSnapshot};

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    pub eptura: EpturaClient,
    pub condeco: CondecoClient,
    pub store: PathBuf,
    pub plan: PlanOptions,
    pub apply: ApplyOptions,
}

/// A destructive op as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct HeldOp {
    pub kind: SyncKind,
    pub action: super::plan::Action,
    pub eptura_id: String,
    pub condeco_id: Option<String>,
    #[serde(flatten)]
    pub hold: Hold,
}

/// What `plan` and `sync` print (`spec/cli.md`).
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// `None` for a plan (no run is recorded).
    pub run_id: Option<RunId>,
    /// `initial`, `daily` or `resumed`; `None` for a plan.
    pub kind: Option<RunKind>,
    /// `planned`, `succeeded`, `partial`, `failed` or `cancelled`.
    pub status: String,
    /// Why the run failed or stopped early.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub ops: OpCounts,
    pub held_destructive: Vec<HeldOp>,
    pub rejected: Vec<Rejected>,
    pub skipped: Vec<Skipped>,
    pub requests: RequestCounts,
    pub drift: Vec<Drift>,
    pub bookings_deleted: u64,
    /// Ids given to approve (`--approve`, or through the handle) that named no held op: they
    /// approved nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_approvals: Vec<String>,
}

impl SyncReport {
    /// 0 succeeded (or planned), 3 partial, 4 failed or cancelled (resumable).
    pub fn exit_code(&self) -> i32 {
        match self.status.as_str() {
            "succeeded" | "planned" => 0,
            "partial" => 3,
            _ => 4,
        }
    }
}

/// Why no run could start.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading Eptura Workplace: {0}")]
    Eptura(#[from] crate::eptura::EpturaError),
    #[error("reading Condeco: {0}")]
    Condeco(#[from] crate::condeco::CondecoError),
    #[error(transparent)]
    Plan(#[from] super::plan::PlanError),
    #[error("the sync task stopped unexpectedly: {0}")]
    Task(String),
}

/// The plan a sync would run now, nothing written (the store is only read).
pub async fn preview(settings: &SyncSettings) -> Result<(Plan, SyncReport), SyncError> {
    let store = Mutex::new(Store::open(&settings.store)?);
    let before = traffic(settings);
    let plan = read_and_plan(settings, &store, &EventSink::none(), Reading::Preview).await?;
    let mut report = report_of(&plan, None, None, "planned");
    report.requests = requests_since(settings, before);
    Ok((plan, report))
}

/// The entities Condeco rejected and no later write has cleared: what `--retry-rejected`
/// plans (with the entities under them).
pub fn outstanding_rejected(store: &std::path::Path) -> Result<BTreeSet<ExternalId>, StoreError> {
    let store = Store::open(store)?;
    Ok(store
        .outstanding_rejected()?
        .into_iter()
        .map(|item| item.eptura)
        .collect())
}

/// Run a sync to its end (see the module doc).
pub async fn run(
    settings: &SyncSettings,
    events: &EventSink,
    control: &Control,
) -> Result<SyncReport, SyncError> {
    let store = Store::open(&settings.store)?;
    let lock = store.acquire_lock(&LockHolder::this_process())?;
    let report = run_locked(settings, &lock, events, control).await?;
    lock.release()?;
    Ok(report)
}

/// Run a sync under a run lock the caller holds (`schedule` holds it for its whole life).
pub fn run_locked<'a>(
    settings: &'a SyncSettings,
    lock: &RunLock,
    events: &'a EventSink,
    control: &'a Control,
) -> impl Future<Output = Result<SyncReport, SyncError>> + Send + 'a {
    debug_assert_eq!(lock.holder(), &LockHolder::this_process());
    run_under_lock(settings, events, control)
}

async fn run_under_lock(
    settings: &SyncSettings,
    events: &EventSink,
    control: &Control,
) -> Result<SyncReport, SyncError> {
    let mut store = Store::open(&settings.store)?;
    let (kind, resumed_from) = run_kind(&mut store)?;
    let run = store.start_run(kind)?;
    events.send(Event::Started {
        run,
        kind,
        resumed_from,
    });
    let before = traffic(settings);
    let store = Mutex::new(store);
    let ticker = spawn_traffic(settings, events);
    let mut report = run_started(settings, &store, run, events, control).await;
    ticker.abort();
    report.run_id = Some(run);
    report.kind = Some(kind);
    report.requests = requests_since(settings, before);
    let mut store = store.into_inner().unwrap_or_else(|p| p.into_inner());
    store.finish_run(
        run,
        &RunEnd {
            status: status_of(&report.status),
            ops: report.ops.clone(),
            requests: report.requests,
            drift: report.drift.len() as u64,
        },
    )?;
    events.send(Event::Finished {
        run,
        status: status_of(&report.status),
        counts: report.ops.clone(),
    });
    Ok(report)
}

/// A run the next sync takes over: one a crash left `running` (the process died without
/// ending it), or the last run when it failed or was cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumable {
    pub run: crate::store::Run,
    /// Left `running` by a process that died (a crash, a kill, a power cut).
    pub crashed: bool,
}

/// What the next sync on this store would resume, if anything (the store is only read).
pub fn resumable(store: &Store) -> Result<Option<Resumable>, StoreError> {
    if let Some(run) = store.last_unfinished_run()? {
        return Ok(Some(Resumable { run, crashed: true }));
    }
    let last = store.runs()?.into_iter().next();
    Ok(last
        .filter(|last| matches!(last.status, RunStatus::Failed | RunStatus::Cancelled))
        .map(|run| Resumable {
            run,
            crashed: false,
        }))
}

/// Initial (no run ever succeeded), resumed (the last run failed, or was left running by a
/// crash: marked failed now), or daily.
fn run_kind(store: &mut Store) -> Result<(RunKind, Option<RunId>), StoreError> {
    if let Some(resumable) = resumable(store)? {
        if resumable.crashed {
            store.fail_unfinished_run(resumable.run.run_id)?;
        }
        return Ok((RunKind::Resumed, Some(resumable.run.run_id)));
    }
    Ok(match store.last_succeeded_run()? {
        Some(_) => (RunKind::Daily, None),
        None => (RunKind::Initial, None),
    })
}

/// Everything after the run is recorded: any failure ends it `failed`, with the reason.
async fn run_started(
    settings: &SyncSettings,
    store: &Mutex<Store>,
    run: RunId,
    events: &EventSink,
    control: &Control,
) -> SyncReport {
    let planned = read_and_plan(settings, store, events, Reading::Run).await;
    let plan = match planned.and_then(|plan| record_drift(store, run, plan)) {
        Ok(plan) => plan,
        Err(error) => return failed(error.to_string()),
    };
    let mut report = report_of(&plan, Some(run), None, "running");
    let target = apply::Target {
        condeco: &settings.condeco,
        store,
        run,
    };
    let applied = apply::apply(
        &plan,
        target,
        events,
        control,
        &settings.apply,
        &settings.plan,
    )
    .await;
    mark_late_approvals(&mut report, &plan, control);
    match applied {
        Err(error) => {
            report.status = "failed".into();
            report.reason = Some(error.to_string());
        }
        Ok(applied) => {
            report.ops = applied.counts;
            report.rejected = applied.rejected;
            report.bookings_deleted = applied.bookings_deleted;
            report.reason = applied.reason;
            report.status = match applied.ending {
                Ending::Cancelled => "cancelled",
                Ending::Interrupted => "failed",
                Ending::Finished if report.rejected.is_empty() => "succeeded",
                Ending::Finished => "partial",
            }
            .into();
        }
    }
    if let Err(error) = close_open_intents(store) {
        report.status = "failed".into();
        report.reason = Some(error.to_string());
    }
    report
}

/// Held ops approved while the run ran show as approved in its report; ids that named no
/// held op are listed as such.
fn mark_late_approvals(report: &mut SyncReport, plan: &Plan, control: &Control) {
    let Ok(approved) = control.approved.lock() else {
        return;
    };
    for held in &mut report.held_destructive {
        if approved.contains(&held.hold.id) {
            held.hold.approved = true;
        }
    }
    for id in plan.unmatched(&approved) {
        if !report.unmatched_approvals.contains(&id) {
            report.unmatched_approvals.push(id);
        }
    }
}

/// Close the intents left open (by a crash of an earlier run, or lost answers this run gave up
/// on): the plan of this run adopted whatever they created.
fn close_open_intents(store: &Mutex<Store>) -> Result<(), StoreError> {
    let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
    for intent in store.open_intents()? {
        store.abandon_intent(intent.id)?;
    }
    Ok(())
}

/// Keep what the plan found drifted with the run.
fn record_drift(store: &Mutex<Store>, run: RunId, plan: Plan) -> Result<Plan, SyncError> {
    if !plan.drift.is_empty() {
        let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
        store.record_drift(run, &plan.drift)?;
    }
    Ok(plan)
}

/// Whether a read may change the store (a run) or not (a preview).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Run,
    Preview,
}

/// Read both sides and plan. Open intents of dead runs need no look-up of their own: the plan
/// adopts every Condeco entity carrying one of our external ids.
async fn read_and_plan(
    settings: &SyncSettings,
    store: &Mutex<Store>,
    events: &EventSink,
    reading: Reading,
) -> Result<Plan, SyncError> {
    let phase = std::time::Instant::now();
    let copy = blocking(|| lock(store).eptura_copy())?;
    tracing::info!(ms = phase.elapsed().as_millis(), "read the Eptura copy");
    // The two services are read at the same time: neither waits for the other.
    let phase = std::time::Instant::now();
    let (eptura, condeco) = tokio::join!(
        read_eptura(settings, copy, events),
        read_condeco(settings, events)
    );
    let (eptura, update) = eptura?;
    let condeco = condeco?;
    tracing::info!(ms = phase.elapsed().as_millis(), "read both services");
    let phase = std::time::Instant::now();
    let (mappings, decisions) = blocking(|| {
        let mut guard = lock(store);
        if reading == Reading::Run {
            save_copy(&mut guard, &eptura, &update)?;
        }
        Ok::<_, StoreError>((all_mappings(&guard)?, guard.decisions()?))
    })?;
    tracing::info!(
        ms = phase.elapsed().as_millis(),
        "saved the copy, read the mappings"
    );
    let plan = blocking(|| {
        let phase = std::time::Instant::now();
        let desired = desired_state(&eptura);
        let matching = &settings.plan.matching;
        let links = match needs_matching(&condeco, &mappings, &decisions) {
            true => merge(&eptura, &desired, &condeco, &mappings, &decisions, matching).1,
            false => MergeLinks::default(),
        };
        tracing::info!(ms = phase.elapsed().as_millis(), "mapped and matched");
        let phase = std::time::Instant::now();
        let plan = plan(&desired, &condeco, &mappings, &links, &settings.plan);
        tracing::info!(ms = phase.elapsed().as_millis(), "planned");
        plan
    })?;
    events.send(Event::Planned {
        counts: plan.counts(),
        held: plan.ops.iter().filter(|op| op.is_held()).count(),
    });
    Ok(plan)
}

/// Run work that holds the thread for long (planning 100,000 entities, reading or writing the
/// store's copy of Eptura) without holding up the runtime: on a multi-threaded runtime the
/// worker first hands its other tasks and the timers to another thread (`block_in_place`), so
/// the simulators, the HTTP layer's pacing and a TUI's jobs go on meanwhile; on a
/// single-threaded runtime (tests) it simply runs.
pub(crate) fn blocking<T>(work: impl FnOnce() -> T) -> T {
    let flavor = tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor());
    match flavor {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// Eptura whole without a copy, else only its changes since the copy's read.
async fn read_eptura(
    settings: &SyncSettings,
    copy: Option<crate::store::EpturaCopy>,
    events: &EventSink,
) -> Result<(EpturaSnapshot, CopyUpdate), SyncError> {
    let read_at_ms = epoch_ms();
    let eptura = &settings.eptura;
    Ok(match copy {
        None => {
            events.send(Event::Reading {
                what: "Eptura Workplace",
            });
            EpturaSnapshot::read_full(eptura, read_at_ms).await?
        }
        Some(copy) => {
            events.send(Event::Reading {
                what: "Eptura Workplace changes",
            });
            EpturaSnapshot::read_changes(eptura, copy, read_at_ms).await?
        }
    })
}

fn save_copy(
    store: &mut Store,
    eptura: &EpturaSnapshot,
    update: &CopyUpdate,
) -> Result<(), StoreError> {
    let changes = update.changes(eptura);
    match update.replace {
        true => store.replace_eptura_copy(&changes),
        false => store.update_eptura_copy(&changes),
    }
}

/// Now, in milliseconds since the epoch (Eptura's unit for `modifiedOrCreatedAfter`).
fn epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

async fn read_condeco(
    settings: &SyncSettings,
    events: &EventSink,
) -> Result<CondecoSnapshot, SyncError> {
    events.send(Event::Reading { what: "Condeco" });
    let quota = QuotaWait {
        max_wait: settings.apply.max_quota_wait,
        events,
    };
    Ok(CondecoSnapshot::read(&settings.condeco, quota).await?)
}

fn all_mappings(store: &Store) -> Result<Vec<Mapping>, StoreError> {
    let mut all = Vec::new();
    for kind in SyncKind::ALL {
        all.extend(store.mappings(kind)?.into_iter().map(|m| m.mapping));
    }
    Ok(all)
}

/// A run that failed before it had a plan.
fn failed(reason: String) -> SyncReport {
    SyncReport {
        reason: Some(reason),
        ..report_of(&Plan::default(), None, None, "failed")
    }
}

fn report_of(plan: &Plan, run: Option<RunId>, kind: Option<RunKind>, status: &str) -> SyncReport {
    SyncReport {
        run_id: run,
        kind,
        status: status.into(),
        reason: None,
        ops: plan.counts(),
        held_destructive: plan
            .destructive()
            .filter_map(|op| {
                Some(HeldOp {
                    kind: op.kind,
                    action: op.action,
                    eptura_id: op.key.to_string(),
                    condeco_id: op.condeco.map(|c| c.to_string()),
                    hold: op.hold.clone()?,
                })
            })
            .collect(),
        rejected: Vec::new(),
        skipped: plan.skipped.clone(),
        requests: RequestCounts::default(),
        drift: plan.drift.clone(),
        bookings_deleted: 0,
        unmatched_approvals: plan.unmatched_approvals.clone(),
    }
}

fn status_of(status: &str) -> RunStatus {
    match status {
        "succeeded" => RunStatus::Succeeded,
        "partial" => RunStatus::Partial,
        "cancelled" => RunStatus::Cancelled,
        _ => RunStatus::Failed,
    }
}

fn traffic(settings: &SyncSettings) -> (HttpStats, HttpStats) {
    (
        settings.eptura.http().stats(),
        settings.condeco.http().stats(),
    )
}

fn requests_since(settings: &SyncSettings, before: (HttpStats, HttpStats)) -> RequestCounts {
    let (eptura, condeco) = traffic(settings);
    RequestCounts {
        eptura: eptura.requests - before.0.requests,
        condeco: condeco.requests - before.1.requests,
    }
}

/// Every quarter second, the traffic so far (for progress lines and sparklines).
fn spawn_traffic(settings: &SyncSettings, events: &EventSink) -> JoinHandle<()> {
    let (eptura, condeco, events) = (
        settings.eptura.clone(),
        settings.condeco.clone(),
        events.clone(),
    );
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tick.tick().await;
            events.send(Event::Traffic {
                condeco: condeco.http().stats(),
                eptura: eptura.http().stats(),
                concurrency: condeco.http().concurrency_limit(),
                paced_rate: condeco.http().paced_rate(),
            });
        }
    })
}

/// A sync running in the background: pause, resume, cancel; events arrive on `events`.
pub struct EngineHandle {
    pub events: mpsc::UnboundedReceiver<Event>,
    cancel: CancellationToken,
    approved: std::sync::Arc<Mutex<BTreeSet<String>>>,
    pause: watch::Sender<bool>,
    task: JoinHandle<Result<SyncReport, SyncError>>,
}

impl EngineHandle {
    /// Start a run on the tokio runtime.
    pub fn start(settings: SyncSettings) -> EngineHandle {
        let (sink, events) = EventSink::channel();
        let (control, pause) = Control::detached();
        let cancel = control.cancel.clone();
        let approved = control.approved.clone();
        let task = tokio::spawn(async move { run(&settings, &sink, &control).await });
        EngineHandle {
            events,
            cancel,
            approved,
            pause,
            task,
        }
    }

    /// Finish the ops in flight, start no new one until resumed.
    pub fn pause(&self) {
        let _ = self.pause.send(true);
    }

    pub fn resume(&self) {
        let _ = self.pause.send(false);
    }

    /// Approve a held op (and those held with it) by its hold id: it runs after the rest of
    /// the run, under the deletion cap.
    pub fn approve(&self, hold_id: impl Into<String>) {
        if let Ok(mut approved) = self.approved.lock() {
            approved.insert(hold_id.into());
        }
    }

    /// Stop at the next op boundary; the run ends `cancelled` and resumes next time.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Wait for the run's report.
    pub async fn finish(self) -> Result<SyncReport, SyncError> {
        self.task
            .await
            .map_err(|e| SyncError::Task(e.to_string()))?
    }
}
