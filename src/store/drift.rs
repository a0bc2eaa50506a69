//! Drift: mapped Condeco entities found changed (which synced fields) or deleted in Condeco
//! directly, as each run saw them. Kept per run for `history RUN_ID`; the run's row counts
//! them.

use rusqlite::{Row, params};
use serde::Serialize;

use super::Store;
use super::error::sql;
use super::sql::{Word, condeco_key, external_id, word_sql};
use super::{RunId, StoreError};
use crate::domain::{CondecoKey, ExternalId, SyncKind};

/// What happened to a mapped entity in Condeco.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftChange {
    /// Synced fields differ from what the sync last wrote.
    Changed,
    /// The entity is gone.
    Deleted,
}

impl Word for DriftChange {
    const ALL: &'static [DriftChange] = &[DriftChange::Changed, DriftChange::Deleted];
    fn word(self) -> &'static str {
        match self {
            DriftChange::Changed => "changed",
            DriftChange::Deleted => "deleted",
        }
    }
}

word_sql!(DriftChange);

impl std::fmt::Display for DriftChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// One drifted entity (`spec/cli.md`: `{"kind", "condeco_id", "eptura_id", "change",
/// "fields"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub kind: SyncKind,
    #[serde(rename = "condeco_id")]
    pub condeco: CondecoKey,
    #[serde(rename = "eptura_id")]
    pub eptura: ExternalId,
    pub change: DriftChange,
    /// The synced fields that differ (Condeco's names); empty for a deletion.
    pub fields: Vec<String>,
}

impl Store {
    /// Records what `run` found drifted, in one transaction.
    pub fn record_drift(&mut self, run: RunId, drift: &[Drift]) -> Result<(), StoreError> {
        let action = "recording drift";
        self.write(action, |tx, path| {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO drift (run_id, kind, eptura_key, condeco_key, change, fields)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(sql(path, action))?;
            for item in drift {
                insert
                    .execute(params![
                        run.get(),
                        item.kind,
                        item.eptura.to_string(),
                        item.condeco.to_string(),
                        item.change,
                        item.fields.join(",")
                    ])
                    .map_err(sql(path, action))?;
            }
            Ok(())
        })
    }

    /// What one run found drifted, in the order it was found.
    pub fn drift_of_run(&self, run: RunId) -> Result<Vec<Drift>, StoreError> {
        self.collect(
            "SELECT kind, eptura_key, condeco_key, change, fields FROM drift
             WHERE run_id = ?1 ORDER BY id",
            params![run.get()],
            drift_row,
            "reading drift",
        )
    }
}

fn drift_row(row: &Row<'_>) -> rusqlite::Result<Drift> {
    let fields: String = row.get(4)?;
    Ok(Drift {
        kind: row.get(0)?,
        eptura: external_id(row, 0, 1)?,
        condeco: condeco_key(row, 0, 2)?,
        change: row.get(3)?,
        fields: fields
            .split(',')
            .filter(|f| !f.is_empty())
            .map(String::from)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{CondecoResourceId, EpturaSpaceId};
    use crate::store::RunKind;

    #[test]
    fn drift_is_kept_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let first = store.start_run(RunKind::Initial).unwrap();
        let second = store.start_run(RunKind::Daily).unwrap();
        let renamed = Drift {
            kind: SyncKind::Resource,
            condeco: CondecoKey::Resource(CondecoResourceId::new(7)),
            eptura: ExternalId::resource(EpturaSpaceId::new(70)),
            change: DriftChange::Changed,
            fields: vec!["name".into(), "capacity".into()],
        };
        let deleted = Drift {
            change: DriftChange::Deleted,
            fields: Vec::new(),
            condeco: CondecoKey::Resource(CondecoResourceId::new(8)),
            eptura: ExternalId::resource(EpturaSpaceId::new(80)),
            ..renamed.clone()
        };
        store
            .record_drift(second, &[renamed.clone(), deleted.clone()])
            .unwrap();
        assert_eq!(store.drift_of_run(first).unwrap(), Vec::new());
        assert_eq!(store.drift_of_run(second).unwrap(), vec![renamed, deleted]);
    }
}
