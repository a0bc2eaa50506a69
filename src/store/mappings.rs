//! Mappings (Eptura record ↔ Condeco entity, with the fingerprint of what was last written) and
//! the write intents that guard every Condeco write: an intent is recorded before the write,
//! and closed in the same transaction that writes (or removes) its mapping. An intent still
//! open after a crash is one whose outcome is unknown; a resumed run settles it by looking the
//! entity up by `externalId`.

use std::path::Path;

use rusqlite::{ErrorCode, Row, Transaction, params};

use super::Store;
use super::error::{StoreError, sql};
use super::fingerprint::Fingerprint;
use super::runs::RunId;
use super::schema::now;
use super::sql::{Word, condeco_key, external_id, word_sql};
use crate::domain::{CondecoKey, ExternalId, SyncKind};

/// An Eptura record, the Condeco entity written from it, and a fingerprint of what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub eptura: ExternalId,
    pub condeco: CondecoKey,
    pub fingerprint: Fingerprint,
}

impl Mapping {
    pub fn kind(&self) -> SyncKind {
        self.eptura.kind()
    }
}

/// A mapping as stored, with when it was first and last written (UTC, ISO 8601).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMapping {
    pub mapping: Mapping,
    pub created_at: String,
    pub updated_at: String,
}

/// The id of a recorded write intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IntentId(i64);

impl IntentId {
    pub fn get(self) -> i64 {
        self.0
    }
}

/// The Condeco write an intent announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteOp {
    Create,
    Update,
    Link,
    Delete,
}

impl Word for WriteOp {
    const ALL: &'static [WriteOp] = &[
        WriteOp::Create,
        WriteOp::Update,
        WriteOp::Link,
        WriteOp::Delete,
    ];
    fn word(self) -> &'static str {
        match self {
            WriteOp::Create => "create",
            WriteOp::Update => "update",
            WriteOp::Link => "link",
            WriteOp::Delete => "delete",
        }
    }
}

/// How a closed intent ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntentOutcome {
    /// The write happened and the mapping says so.
    Written,
    /// The write was refused, or a resumed run found it never happened.
    NotWritten,
}

impl Word for IntentOutcome {
    const ALL: &'static [IntentOutcome] = &[IntentOutcome::Written, IntentOutcome::NotWritten];
    fn word(self) -> &'static str {
        match self {
            IntentOutcome::Written => "written",
            IntentOutcome::NotWritten => "not-written",
        }
    }
}

word_sql!(WriteOp, IntentOutcome);

/// A write announced before it was made; `outcome` is `None` while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteIntent {
    pub id: IntentId,
    pub run: RunId,
    pub eptura: ExternalId,
    pub op: WriteOp,
    pub recorded_at: String,
    pub outcome: Option<IntentOutcome>,
}

const MAPPING_COLUMNS: &str = "kind, eptura_key, condeco_key, fingerprint, created_at, updated_at";
const INTENT_COLUMNS: &str = "id, run_id, kind, eptura_key, op, recorded_at, outcome";

impl Store {
    /// Writes (or rewrites) the mapping of `mapping.eptura`, outside any intent.
    pub fn put_mapping(&mut self, mapping: &Mapping) -> Result<(), StoreError> {
        self.write("writing a mapping", |tx, path| {
            upsert_mapping(tx, path, mapping)
        })
    }

    /// Forgets the mapping of an Eptura record; `false` when there was none.
    pub fn remove_mapping(&mut self, eptura: &ExternalId) -> Result<bool, StoreError> {
        self.write("removing a mapping", |tx, path| {
            delete_mapping(tx, path, eptura)
        })
    }

    /// The mapping of an Eptura record, if any.
    pub fn mapping(&self, eptura: &ExternalId) -> Result<Option<StoredMapping>, StoreError> {
        let query =
            format!("SELECT {MAPPING_COLUMNS} FROM mappings WHERE kind = ?1 AND eptura_key = ?2");
        let key = params![eptura.kind(), eptura.to_string()];
        self.find(&query, key, stored_mapping, "reading a mapping")
    }

    /// The mapping that points at a Condeco entity, if any.
    pub fn mapping_of_condeco(
        &self,
        condeco: &CondecoKey,
    ) -> Result<Option<StoredMapping>, StoreError> {
        let query =
            format!("SELECT {MAPPING_COLUMNS} FROM mappings WHERE kind = ?1 AND condeco_key = ?2");
        let key = params![condeco.kind(), condeco.to_string()];
        self.find(&query, key, stored_mapping, "reading a mapping")
    }

    /// Every mapping of one kind, by Eptura key.
    pub fn mappings(&self, kind: SyncKind) -> Result<Vec<StoredMapping>, StoreError> {
        let query =
            format!("SELECT {MAPPING_COLUMNS} FROM mappings WHERE kind = ?1 ORDER BY eptura_key");
        self.collect(&query, params![kind], stored_mapping, "reading mappings")
    }

    /// Records, before a Condeco write, that the run is about to make it.
    pub fn record_intent(
        &mut self,
        run: RunId,
        eptura: &ExternalId,
        op: WriteOp,
    ) -> Result<IntentId, StoreError> {
        let values = params![run.get(), eptura.kind(), eptura.to_string(), op];
        self.insert(
            "recording a write intent",
            "INSERT INTO write_intents (run_id, kind, eptura_key, op) VALUES (?1, ?2, ?3, ?4)",
            values,
        )
        .map(IntentId)
    }

    /// After a create, update or link: writes the mapping, closes the intent as written and
    /// clears the record's rejections, all in one transaction.
    pub fn complete_intent(
        &mut self,
        intent: IntentId,
        mapping: &Mapping,
    ) -> Result<(), StoreError> {
        self.write("completing a write intent", |tx, path| {
            close_intent(tx, path, intent, IntentOutcome::Written)?;
            upsert_mapping(tx, path, mapping)?;
            clear_rejections(tx, path, &mapping.eptura)
        })
    }

    /// After a delete: removes the mapping and closes the intent as written, in one
    /// transaction.
    pub fn complete_delete(
        &mut self,
        intent: IntentId,
        eptura: &ExternalId,
    ) -> Result<(), StoreError> {
        self.write("completing a delete", |tx, path| {
            close_intent(tx, path, intent, IntentOutcome::Written)?;
            delete_mapping(tx, path, eptura).map(|_| ())
        })
    }

    /// Closes an intent whose write was refused, or that a resumed run found never happened.
    pub fn abandon_intent(&mut self, intent: IntentId) -> Result<(), StoreError> {
        self.write("abandoning a write intent", |tx, path| {
            close_intent(tx, path, intent, IntentOutcome::NotWritten)
        })
    }

    /// Intents whose outcome is unknown: recorded, never closed (oldest first).
    pub fn open_intents(&self) -> Result<Vec<WriteIntent>, StoreError> {
        let query = format!(
            "SELECT {INTENT_COLUMNS} FROM write_intents WHERE closed_at IS NULL ORDER BY id"
        );
        self.collect(&query, [], write_intent, "reading open write intents")
    }

    /// Every intent of a run, open or closed (oldest first).
    pub fn intents_of_run(&self, run: RunId) -> Result<Vec<WriteIntent>, StoreError> {
        let query =
            format!("SELECT {INTENT_COLUMNS} FROM write_intents WHERE run_id = ?1 ORDER BY id");
        self.collect(
            &query,
            params![run.get()],
            write_intent,
            "reading write intents",
        )
    }
}

fn upsert_mapping(tx: &Transaction, path: &Path, mapping: &Mapping) -> Result<(), StoreError> {
    let (eptura_kind, condeco_kind) = (mapping.eptura.kind(), mapping.condeco.kind());
    if eptura_kind != condeco_kind {
        return Err(StoreError::KindMismatch {
            path: path.to_path_buf(),
            eptura: eptura_kind,
            condeco: condeco_kind,
        });
    }
    let upsert = concat!(
        "INSERT INTO mappings (kind, eptura_key, condeco_key, fingerprint) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind, eptura_key) DO UPDATE SET condeco_key = excluded.condeco_key,
             fingerprint = excluded.fingerprint, updated_at = ",
        now!()
    );
    let values = params![
        eptura_kind,
        mapping.eptura.to_string(),
        mapping.condeco.to_string(),
        mapping.fingerprint.as_str()
    ];
    match tx.execute(upsert, values) {
        Ok(_) => Ok(()),
        Err(error) if error.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
            Err(StoreError::MappingConflict {
                path: path.to_path_buf(),
                kind: eptura_kind,
                eptura: mapping.eptura.to_string(),
                condeco: mapping.condeco.to_string(),
            })
        }
        Err(error) => Err(sql(path, "writing a mapping")(error)),
    }
}

fn delete_mapping(tx: &Transaction, path: &Path, eptura: &ExternalId) -> Result<bool, StoreError> {
    tx.execute(
        "DELETE FROM mappings WHERE kind = ?1 AND eptura_key = ?2",
        params![eptura.kind(), eptura.to_string()],
    )
    .map(|removed| removed > 0)
    .map_err(sql(path, "removing a mapping"))
}

/// Closes an open intent; an unknown or already closed one is an error (and the transaction
/// it is part of is rolled back).
fn close_intent(
    tx: &Transaction,
    path: &Path,
    intent: IntentId,
    outcome: IntentOutcome,
) -> Result<(), StoreError> {
    let close = concat!(
        "UPDATE write_intents SET outcome = ?2, closed_at = ",
        now!(),
        " WHERE id = ?1 AND closed_at IS NULL"
    );
    let closed = tx
        .execute(close, params![intent.0, outcome])
        .map_err(sql(path, "closing a write intent"))?;
    if closed == 0 {
        return Err(StoreError::UnknownIntent {
            path: path.to_path_buf(),
            id: intent.0,
        });
    }
    Ok(())
}

/// Marks the outstanding rejections of a record as cleared: it has now been written.
pub(crate) fn clear_rejections(
    tx: &Transaction,
    path: &Path,
    eptura: &ExternalId,
) -> Result<(), StoreError> {
    let clear = concat!(
        "UPDATE rejected_items SET cleared_at = ",
        now!(),
        " WHERE kind = ?1 AND eptura_key = ?2 AND cleared_at IS NULL"
    );
    tx.execute(clear, params![eptura.kind(), eptura.to_string()])
        .map(|_| ())
        .map_err(sql(path, "clearing rejected items"))
}

fn stored_mapping(row: &Row<'_>) -> rusqlite::Result<StoredMapping> {
    Ok(StoredMapping {
        mapping: Mapping {
            eptura: external_id(row, 0, 1)?,
            condeco: condeco_key(row, 0, 2)?,
            fingerprint: Fingerprint::from_stored(row.get(3)?),
        },
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
    })
}

fn write_intent(row: &Row<'_>) -> rusqlite::Result<WriteIntent> {
    Ok(WriteIntent {
        id: IntentId(row.get(0)?),
        run: RunId::new(row.get(1)?),
        eptura: external_id(row, 2, 3)?,
        op: row.get(4)?,
        recorded_at: row.get(5)?,
        outcome: row.get(6)?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::ids::{
        CondecoFloorKey, CondecoLocationId, CondecoResourceId, EpturaBuildingId, EpturaFloorId,
        EpturaSpaceId,
    };
    use crate::store::RunKind;
    use crate::store::tests::temp_store;

    fn resource(space: i64, resource: i64, fields: &serde_json::Value) -> Mapping {
        Mapping {
            eptura: ExternalId::resource(EpturaSpaceId::new(space)),
            condeco: CondecoResourceId::new(resource).into(),
            fingerprint: Fingerprint::of(fields).unwrap(),
        }
    }

    #[test]
    fn a_mapping_reads_back_by_either_side() {
        let (_dir, mut store) = temp_store();
        let floor = Mapping {
            eptura: ExternalId::floor(EpturaFloorId::new(130)),
            condeco: CondecoFloorKey {
                location: CondecoLocationId::new(9),
                number: -1,
            }
            .into(),
            fingerprint: Fingerprint::of(&json!({"name": "B1"})).unwrap(),
        };
        store.put_mapping(&floor).unwrap();
        let by_eptura = store.mapping(&floor.eptura).unwrap().unwrap();
        assert_eq!(by_eptura.mapping, floor);
        assert!(
            by_eptura.created_at.ends_with('Z'),
            "{}",
            by_eptura.created_at
        );
        let by_condeco = store.mapping_of_condeco(&floor.condeco).unwrap().unwrap();
        assert_eq!(by_condeco.mapping, floor);
        assert_eq!(store.mappings(SyncKind::Floor).unwrap().len(), 1);
        assert!(store.mappings(SyncKind::Resource).unwrap().is_empty());
    }

    #[test]
    fn rewriting_a_mapping_keeps_its_creation_and_replaces_the_fingerprint() {
        let (_dir, mut store) = temp_store();
        let first = resource(1, 10, &json!({"capacity": 4}));
        store.put_mapping(&first).unwrap();
        let created = store.mapping(&first.eptura).unwrap().unwrap().created_at;
        let second = resource(1, 10, &json!({"capacity": 6}));
        store.put_mapping(&second).unwrap();
        let stored = store.mapping(&first.eptura).unwrap().unwrap();
        assert_eq!(stored.mapping.fingerprint, second.fingerprint);
        assert_eq!(stored.created_at, created);
        assert!(stored.updated_at >= created);
    }

    #[test]
    fn one_condeco_entity_cannot_map_two_eptura_records() {
        let (_dir, mut store) = temp_store();
        store.put_mapping(&resource(1, 10, &json!({}))).unwrap();
        let error = store.put_mapping(&resource(2, 10, &json!({}))).unwrap_err();
        assert!(
            matches!(error, StoreError::MappingConflict { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("resource 10"), "{error}");
        // The same Condeco id under another kind is another entity.
        let location = Mapping {
            eptura: ExternalId::location(EpturaBuildingId::new(2)),
            condeco: CondecoLocationId::new(10).into(),
            fingerprint: Fingerprint::of(&json!({})).unwrap(),
        };
        store.put_mapping(&location).unwrap();
    }

    #[test]
    fn a_mapping_joins_two_records_of_one_kind() {
        let (_dir, mut store) = temp_store();
        let odd = Mapping {
            eptura: ExternalId::resource(EpturaSpaceId::new(1)),
            condeco: CondecoLocationId::new(1).into(),
            fingerprint: Fingerprint::of(&json!({})).unwrap(),
        };
        let error = store.put_mapping(&odd).unwrap_err();
        assert!(matches!(error, StoreError::KindMismatch { .. }), "{error}");
    }

    #[test]
    fn removing_a_mapping_says_whether_there_was_one() {
        let (_dir, mut store) = temp_store();
        let mapping = resource(1, 10, &json!({}));
        store.put_mapping(&mapping).unwrap();
        assert!(store.remove_mapping(&mapping.eptura).unwrap());
        assert!(!store.remove_mapping(&mapping.eptura).unwrap());
        assert_eq!(store.mapping(&mapping.eptura).unwrap(), None);
    }

    #[test]
    fn an_intent_stays_open_until_its_mapping_is_written() {
        let (_dir, mut store) = temp_store();
        let run = store.start_run(RunKind::Initial).unwrap();
        let mapping = resource(1, 10, &json!({"name": "Desk 1"}));
        let intent = store
            .record_intent(run, &mapping.eptura, WriteOp::Create)
            .unwrap();
        let open = store.open_intents().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(
            (open[0].id, open[0].run, open[0].op),
            (intent, run, WriteOp::Create)
        );
        assert_eq!(open[0].eptura, mapping.eptura);
        assert_eq!(open[0].outcome, None);

        store.complete_intent(intent, &mapping).unwrap();
        assert!(store.open_intents().unwrap().is_empty());
        assert_eq!(
            store.mapping(&mapping.eptura).unwrap().unwrap().mapping,
            mapping
        );
        let closed = store.intents_of_run(run).unwrap();
        assert_eq!(closed[0].outcome, Some(IntentOutcome::Written));
    }

    #[test]
    fn a_failed_mapping_write_leaves_the_intent_open() {
        let (_dir, mut store) = temp_store();
        let run = store.start_run(RunKind::Initial).unwrap();
        store.put_mapping(&resource(1, 10, &json!({}))).unwrap();
        let clashing = resource(2, 10, &json!({}));
        let intent = store
            .record_intent(run, &clashing.eptura, WriteOp::Create)
            .unwrap();
        assert!(store.complete_intent(intent, &clashing).is_err());
        // Rolled back together: the intent is still open, no mapping was written.
        assert_eq!(store.open_intents().unwrap().len(), 1);
        assert_eq!(store.mapping(&clashing.eptura).unwrap(), None);
    }

    #[test]
    fn closing_an_intent_twice_is_refused_and_writes_nothing() {
        let (_dir, mut store) = temp_store();
        let run = store.start_run(RunKind::Daily).unwrap();
        let mapping = resource(1, 10, &json!({}));
        let intent = store
            .record_intent(run, &mapping.eptura, WriteOp::Create)
            .unwrap();
        store.abandon_intent(intent).unwrap();
        let error = store.complete_intent(intent, &mapping).unwrap_err();
        assert!(matches!(error, StoreError::UnknownIntent { .. }), "{error}");
        assert_eq!(store.mapping(&mapping.eptura).unwrap(), None);
        let closed = store.intents_of_run(run).unwrap();
        assert_eq!(closed[0].outcome, Some(IntentOutcome::NotWritten));
    }

    #[test]
    fn a_completed_delete_removes_the_mapping_with_the_intent() {
        let (_dir, mut store) = temp_store();
        let run = store.start_run(RunKind::Daily).unwrap();
        let mapping = resource(1, 10, &json!({}));
        store.put_mapping(&mapping).unwrap();
        let intent = store
            .record_intent(run, &mapping.eptura, WriteOp::Delete)
            .unwrap();
        store.complete_delete(intent, &mapping.eptura).unwrap();
        assert_eq!(store.mapping(&mapping.eptura).unwrap(), None);
        assert!(store.open_intents().unwrap().is_empty());
    }

    #[test]
    fn an_intent_needs_a_run_that_exists() {
        let (_dir, mut store) = temp_store();
        let eptura = ExternalId::resource(EpturaSpaceId::new(1));
        let error = store.record_intent(RunId::new(77), &eptura, WriteOp::Create);
        assert!(error.is_err(), "foreign keys are on");
    }
}
