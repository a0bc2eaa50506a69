//! The history of sync runs (kind, status, op counts, requests, drift) and the items Condeco
//! rejected in each. A run left `running` by a crash is found by [`Store::last_unfinished_run`]
//! and can be marked failed, so that a resumed run takes over.

use std::collections::BTreeMap;
use std::fmt;

use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};

use super::Store;
use super::error::{StoreError, sql};
use super::schema::now;
use super::sql::{Word, external_id, parse_column, word_sql};
use crate::domain::{ExternalId, SyncKind};

/// The id of a run, as `history` and `sync` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(i64);

impl RunId {
    pub const fn new(id: i64) -> Self {
        RunId(id)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Why a run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    Initial,
    Daily,
    Resumed,
}

impl Word for RunKind {
    const ALL: &'static [RunKind] = &[RunKind::Initial, RunKind::Daily, RunKind::Resumed];
    fn word(self) -> &'static str {
        match self {
            RunKind::Initial => "initial",
            RunKind::Daily => "daily",
            RunKind::Resumed => "resumed",
        }
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Succeeded,
    Partial,
    Failed,
    Cancelled,
}

impl Word for RunStatus {
    const ALL: &'static [RunStatus] = &[
        RunStatus::Running,
        RunStatus::Succeeded,
        RunStatus::Partial,
        RunStatus::Failed,
        RunStatus::Cancelled,
    ];
    fn word(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }
}

word_sql!(RunKind, RunStatus);

impl fmt::Display for RunKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Counts per op and kind, shaped as the command line's `ops`:
/// `{"create": {"resource": 12}, "update": {}, ...}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpCounts {
    pub create: BTreeMap<SyncKind, u64>,
    pub update: BTreeMap<SyncKind, u64>,
    pub link: BTreeMap<SyncKind, u64>,
    pub delete: BTreeMap<SyncKind, u64>,
    pub unchanged: BTreeMap<SyncKind, u64>,
}

impl OpCounts {
    /// Created, updated, linked and deleted entities, all kinds together.
    pub fn totals(&self) -> [u64; 4] {
        let sum = |map: &BTreeMap<SyncKind, u64>| map.values().sum();
        [
            sum(&self.create),
            sum(&self.update),
            sum(&self.link),
            sum(&self.delete),
        ]
    }

    /// Created, updated, linked and deleted, all kinds: "+12 ~3 =0 -1".
    pub fn summary(&self) -> String {
        let [created, updated, linked, deleted] = self.totals();
        format!("+{created} ~{updated} ={linked} -{deleted}")
    }
}

/// Requests a run sent to each API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    pub eptura: u64,
    pub condeco: u64,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnd {
    pub status: RunStatus,
    pub ops: OpCounts,
    pub requests: RequestCounts,
    /// Mapped Condeco entities found changed or deleted in Condeco directly.
    pub drift: u64,
}

/// A run as `history` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub run_id: RunId,
    pub kind: RunKind,
    pub status: RunStatus,
    /// UTC, ISO 8601.
    pub started: String,
    pub ended: Option<String>,
    pub ops: OpCounts,
    pub requests: RequestCounts,
    /// Items Condeco rejected in this run.
    pub rejected: u64,
    pub drift: u64,
}

impl Run {
    /// Seconds from start to end (`None` while running, or for a time that does not read).
    pub fn duration_seconds(&self) -> Option<f64> {
        let start: jiff::Timestamp = self.started.parse().ok()?;
        let end: jiff::Timestamp = self.ended.as_deref()?.parse().ok()?;
        Some(end.duration_since(start).as_secs_f64())
    }
}

/// An entity Condeco refused (400/409), with Condeco's message for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedItem {
    pub run: RunId,
    pub eptura: ExternalId,
    pub http_status: u16,
    pub message: String,
    pub rejected_at: String,
    /// Set once a later write of the same record succeeded.
    pub cleared_at: Option<String>,
}

const RUN_COLUMNS: &str = "id, kind, status, started_at, ended_at, ops, eptura_requests, \
     condeco_requests, drift, (SELECT count(*) FROM rejected_items r WHERE r.run_id = runs.id)";
const REJECTED_COLUMNS: &str =
    "run_id, kind, eptura_key, http_status, message, rejected_at, cleared_at";

impl Store {
    /// Starts a run, `running` until it is finished.
    pub fn start_run(&mut self, kind: RunKind) -> Result<RunId, StoreError> {
        self.insert(
            "starting a run",
            "INSERT INTO runs (kind, status) VALUES (?1, 'running')",
            params![kind],
        )
        .map(RunId)
    }

    /// Saves a running run's counts so far, so that a crash does not lose them.
    pub fn record_progress(
        &mut self,
        run: RunId,
        ops: &OpCounts,
        requests: RequestCounts,
    ) -> Result<(), StoreError> {
        let ops = ops_json(ops);
        self.update_running(
            run,
            "saving a run's progress",
            "UPDATE runs SET ops = ?2, eptura_requests = ?3, condeco_requests = ?4
             WHERE id = ?1 AND status = 'running'",
            params![run.0, ops, requests.eptura, requests.condeco],
        )
    }

    /// Ends a running run with its status and totals.
    pub fn finish_run(&mut self, run: RunId, end: &RunEnd) -> Result<(), StoreError> {
        let ops = ops_json(&end.ops);
        let finish = concat!(
            "UPDATE runs SET status = ?2, ops = ?3, eptura_requests = ?4, condeco_requests = ?5,
                 drift = ?6, ended_at = ",
            now!(),
            " WHERE id = ?1 AND status = 'running'"
        );
        let values = params![
            run.0,
            end.status,
            ops,
            end.requests.eptura,
            end.requests.condeco,
            end.drift
        ];
        self.update_running(run, "finishing a run", finish, values)
    }

    /// Marks a run that a crash left `running` as failed, keeping the counts it saved.
    pub fn fail_unfinished_run(&mut self, run: RunId) -> Result<(), StoreError> {
        let fail = concat!(
            "UPDATE runs SET status = 'failed', ended_at = ",
            now!(),
            " WHERE id = ?1 AND status = 'running'"
        );
        self.update_running(run, "marking a run failed", fail, params![run.0])
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<Run>, StoreError> {
        let query = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC");
        self.collect(&query, [], run_row, "reading runs")
    }

    /// One run.
    pub fn run(&self, run: RunId) -> Result<Option<Run>, StoreError> {
        self.one_run("WHERE id = ?1", params![run.0])
    }

    /// The newest run that succeeded: a daily sync reads changes since its start.
    pub fn last_succeeded_run(&self) -> Result<Option<Run>, StoreError> {
        self.one_run("WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1", [])
    }

    /// The newest run still marked `running`: with the run lock free, one a crash left behind.
    pub fn last_unfinished_run(&self) -> Result<Option<Run>, StoreError> {
        self.one_run("WHERE status = 'running' ORDER BY id DESC LIMIT 1", [])
    }

    /// Records that Condeco refused a record's write in `run`.
    pub fn record_rejected(
        &mut self,
        run: RunId,
        eptura: &ExternalId,
        http_status: u16,
        message: &str,
    ) -> Result<(), StoreError> {
        self.write("recording a rejected item", |tx, path| {
            tx.execute(
                "INSERT INTO rejected_items (run_id, kind, eptura_key, http_status, message)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    run.0,
                    eptura.kind(),
                    eptura.to_string(),
                    http_status,
                    message
                ],
            )
            .map(|_| ())
            .map_err(sql(path, "recording a rejected item"))
        })
    }

    /// The items Condeco rejected in one run, cleared or not, in the order they came.
    pub fn rejected_items(&self, run: RunId) -> Result<Vec<RejectedItem>, StoreError> {
        let query =
            format!("SELECT {REJECTED_COLUMNS} FROM rejected_items WHERE run_id = ?1 ORDER BY id");
        self.collect(
            &query,
            params![run.0],
            rejected_row,
            "reading rejected items",
        )
    }

    /// Rejections no later write has cleared: what "retry the rejected ones" retries.
    pub fn outstanding_rejected(&self) -> Result<Vec<RejectedItem>, StoreError> {
        let query = format!(
            "SELECT {REJECTED_COLUMNS} FROM rejected_items WHERE cleared_at IS NULL ORDER BY id"
        );
        self.collect(&query, [], rejected_row, "reading rejected items")
    }

    /// Clears a record's outstanding rejections (a successful write through
    /// [`Store::complete_intent`] does this itself).
    pub fn clear_rejected(&mut self, eptura: &ExternalId) -> Result<(), StoreError> {
        self.write("clearing rejected items", |tx, path| {
            super::mappings::clear_rejections(tx, path, eptura)
        })
    }

    fn one_run(
        &self,
        filter: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<Run>, StoreError> {
        let query = format!("SELECT {RUN_COLUMNS} FROM runs {filter}");
        self.find(&query, params, run_row, "reading runs")
    }

    /// Runs an update on a run that must still be running.
    fn update_running(
        &mut self,
        run: RunId,
        action: &'static str,
        update: &str,
        params: impl rusqlite::Params,
    ) -> Result<(), StoreError> {
        self.write(action, |tx, path| {
            let changed = tx.execute(update, params).map_err(sql(path, action))?;
            if changed == 0 {
                return Err(StoreError::UnknownRun {
                    path: path.to_path_buf(),
                    id: run.0,
                });
            }
            Ok(())
        })
    }
}

fn ops_json(ops: &OpCounts) -> String {
    // Maps keyed by a unit enum with string names always serialise.
    serde_json::to_string(ops).unwrap_or_else(|_| "{}".to_string())
}

fn run_row(row: &Row<'_>) -> rusqlite::Result<Run> {
    Ok(Run {
        run_id: RunId(row.get(0)?),
        kind: row.get(1)?,
        status: row.get(2)?,
        started: row.get(3)?,
        ended: row.get(4)?,
        ops: parse_column(row, 5, |text| serde_json::from_str::<OpCounts>(text))?,
        requests: RequestCounts {
            eptura: row.get(6)?,
            condeco: row.get(7)?,
        },
        drift: row.get(8)?,
        rejected: row.get(9)?,
    })
}

fn rejected_row(row: &Row<'_>) -> rusqlite::Result<RejectedItem> {
    Ok(RejectedItem {
        run: RunId(row.get(0)?),
        eptura: external_id(row, 1, 2)?,
        http_status: row.get(3)?,
        message: row.get(4)?,
        rejected_at: row.get(5)?,
        cleared_at: row.get(6)?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::ids::{CondecoResourceId, EpturaSpaceId};
    use crate::store::tests::temp_store;
    use crate::store::{Fingerprint, Mapping, WriteOp};

    fn counts() -> (OpCounts, RequestCounts) {
        let mut ops = OpCounts::default();
        ops.create.insert(SyncKind::Resource, 12);
        ops.unchanged.insert(SyncKind::WorkspaceType, 2);
        let requests = RequestCounts {
            eptura: 40,
            condeco: 31,
        };
        (ops, requests)
    }

    #[test]
    fn a_finished_run_reads_back_with_its_counts() {
        let (_dir, mut store) = temp_store();
        let run = store.start_run(RunKind::Initial).unwrap();
        let started = store.run(run).unwrap().unwrap();
        assert_eq!(
            (started.status, started.ended.clone()),
            (RunStatus::Running, None)
        );
        let (ops, requests) = counts();
        let end = RunEnd {
            status: RunStatus::Partial,
            ops: ops.clone(),
            requests,
            drift: 3,
        };
        store.finish_run(run, &end).unwrap();
        let finished = store.run(run).unwrap().unwrap();
        assert_eq!(finished.kind, RunKind::Initial);
        assert_eq!(finished.status, RunStatus::Partial);
        assert_eq!(
            (finished.ops, finished.requests, finished.drift),
            (ops, requests, 3)
        );
        assert!(finished.ended.is_some());
        assert!(store.finish_run(run, &end).is_err(), "a run ends once");
    }

    #[test]
    fn runs_serialise_as_history_shows_them() {
        let (_dir, mut store) = temp_store();
        let run = store.start_run(RunKind::Daily).unwrap();
        let (ops, requests) = counts();
        store.record_progress(run, &ops, requests).unwrap();
        let json = serde_json::to_value(store.run(run).unwrap().unwrap()).unwrap();
        assert_eq!(json["run_id"], json!(run.get()));
        assert_eq!(json["kind"], "daily");
        assert_eq!(json["status"], "running");
        assert_eq!(json["ops"]["create"]["resource"], 12);
        assert_eq!(json["ops"]["unchanged"]["workspace_type"], 2);
        assert_eq!(json["requests"], json!({"eptura": 40, "condeco": 31}));
        assert_eq!(json["rejected"], 0);
    }

    #[test]
    fn history_is_newest_first_and_finds_the_last_succeeded_and_unfinished() {
        let (_dir, mut store) = temp_store();
        assert_eq!(store.last_succeeded_run().unwrap(), None);
        let end = |status| RunEnd {
            status,
            ops: OpCounts::default(),
            requests: RequestCounts::default(),
            drift: 0,
        };
        let first = store.start_run(RunKind::Initial).unwrap();
        store.finish_run(first, &end(RunStatus::Succeeded)).unwrap();
        let second = store.start_run(RunKind::Daily).unwrap();
        store.finish_run(second, &end(RunStatus::Failed)).unwrap();
        let crashed = store.start_run(RunKind::Daily).unwrap();

        let ids: Vec<RunId> = store.runs().unwrap().iter().map(|r| r.run_id).collect();
        assert_eq!(ids, [crashed, second, first]);
        assert_eq!(store.last_succeeded_run().unwrap().unwrap().run_id, first);
        assert_eq!(
            store.last_unfinished_run().unwrap().unwrap().run_id,
            crashed
        );

        store.fail_unfinished_run(crashed).unwrap();
        assert_eq!(store.last_unfinished_run().unwrap(), None);
        assert_eq!(
            store.run(crashed).unwrap().unwrap().status,
            RunStatus::Failed
        );
    }

    #[test]
    fn rejected_items_are_listed_per_run_and_cleared_by_a_successful_write() {
        let (_dir, mut store) = temp_store();
        let run = store.start_run(RunKind::Initial).unwrap();
        let desk = ExternalId::resource(EpturaSpaceId::new(5));
        let room = ExternalId::resource(EpturaSpaceId::new(6));
        store
            .record_rejected(run, &desk, 400, "Name has a comma")
            .unwrap();
        store
            .record_rejected(run, &room, 409, "Duplicate name")
            .unwrap();
        let items = store.rejected_items(run).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(
            (items[0].eptura.clone(), items[0].http_status),
            (desk.clone(), 400)
        );
        assert_eq!(items[0].message, "Name has a comma");
        assert_eq!(store.run(run).unwrap().unwrap().rejected, 2);

        let retry = store.start_run(RunKind::Resumed).unwrap();
        let intent = store.record_intent(retry, &desk, WriteOp::Create).unwrap();
        let mapping = Mapping {
            eptura: desk.clone(),
            condeco: CondecoResourceId::new(50).into(),
            fingerprint: Fingerprint::of(&json!({"name": "Desk 5"})).unwrap(),
        };
        store.complete_intent(intent, &mapping).unwrap();
        let outstanding = store.outstanding_rejected().unwrap();
        assert_eq!(outstanding.len(), 1);
        assert_eq!(outstanding[0].eptura, room);
        // History still shows what the first run met.
        assert!(store.rejected_items(run).unwrap()[0].cleared_at.is_some());

        store.clear_rejected(&room).unwrap();
        assert!(store.outstanding_rejected().unwrap().is_empty());
    }
}
