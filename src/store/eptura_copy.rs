//! A copy of Eptura Workplace's floors and spaces as the last run read them, with the time of
//! that read, so that a daily run reads only the records changed since
//! (`modifiedOrCreatedAfter`) plus the id listings, and still plans against the whole estate.
//!
//! Records are kept as the domain's JSON, keyed by kind and Eptura id. A run replaces the copy
//! (initial) or applies its changes (daily: changed rows written, vanished ids removed) in one
//! transaction together with the new read time, so a kill leaves the old copy or the new one,
//! never a mix. The copy is only a cache of what Eptura said: losing it costs one full read.

use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Store;
use super::error::{StoreError, sql};
use crate::domain::ids::{EpturaFloorId, EpturaSpaceId};
use crate::domain::remote::{EpturaFloor, EpturaSpace};

/// The copy as a run left it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpturaCopy {
    pub floors: Vec<EpturaFloor>,
    pub spaces: Vec<EpturaSpace>,
    /// When the read that produced it started (epoch milliseconds, this machine's clock).
    pub read_at_ms: i64,
}

/// What a daily read changed in the copy.
#[derive(Debug, Clone, Default)]
pub struct EpturaChanges<'a> {
    pub floors: &'a [EpturaFloor],
    pub spaces: &'a [EpturaSpace],
    pub gone_floors: &'a [EpturaFloorId],
    pub gone_spaces: &'a [EpturaSpaceId],
    pub read_at_ms: i64,
}

const FLOOR: &str = "floor";
const SPACE: &str = "space";

impl Store {
    /// The copy, or `None` when no run has saved one.
    pub fn eptura_copy(&self) -> Result<Option<EpturaCopy>, StoreError> {
        let read_at: Option<i64> = self
            .conn
            .query_row(
                "SELECT read_at_ms FROM eptura_copy_read WHERE id = 1",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql(&self.path, "reading the Eptura copy"))?;
        let Some(read_at_ms) = read_at else {
            return Ok(None);
        };
        Ok(Some(EpturaCopy {
            floors: self.copied(FLOOR)?,
            spaces: self.copied(SPACE)?,
            read_at_ms,
        }))
    }

    /// Replace the whole copy with a full read (`gone_*` are ignored: what is not in it is
    /// gone).
    pub fn replace_eptura_copy(&mut self, read: &EpturaChanges<'_>) -> Result<(), StoreError> {
        self.write("saving the Eptura copy", |tx, path| {
            tx.execute("DELETE FROM eptura_copy", [])
                .map_err(sql(path, "saving the Eptura copy"))?;
            save(tx, FLOOR, read.floors, |f| f.id.get(), path)?;
            save(tx, SPACE, read.spaces, |s| s.id.get(), path)?;
            set_read_at(tx, read.read_at_ms, path)
        })
    }

    /// Apply a daily read's changes to the copy.
    pub fn update_eptura_copy(&mut self, changes: &EpturaChanges<'_>) -> Result<(), StoreError> {
        self.write("updating the Eptura copy", |tx, path| {
            save(tx, FLOOR, changes.floors, |f| f.id.get(), path)?;
            save(tx, SPACE, changes.spaces, |s| s.id.get(), path)?;
            remove(tx, FLOOR, changes.gone_floors, path)?;
            remove(tx, SPACE, changes.gone_spaces, path)?;
            set_read_at(tx, changes.read_at_ms, path)
        })
    }

    fn copied<T: DeserializeOwned>(&self, kind: &str) -> Result<Vec<T>, StoreError> {
        self.collect(
            "SELECT record FROM eptura_copy WHERE kind = ?1 ORDER BY id",
            params![kind],
            |row| {
                let text: String = row.get(0)?;
                serde_json::from_str(&text).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(e))
                })
            },
            "reading the Eptura copy",
        )
    }
}

fn save<T: Serialize>(
    tx: &Transaction,
    kind: &str,
    records: &[T],
    id: impl Fn(&T) -> i64,
    path: &std::path::Path,
) -> Result<(), StoreError> {
    let action = "saving the Eptura copy";
    let mut upsert = tx
        .prepare_cached(
            "INSERT INTO eptura_copy (kind, id, record) VALUES (?1, ?2, ?3)
             ON CONFLICT (kind, id) DO UPDATE SET record = excluded.record",
        )
        .map_err(sql(path, action))?;
    for record in records {
        let text = serde_json::to_string(record).map_err(|e| StoreError::Sql {
            path: path.to_path_buf(),
            action,
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        })?;
        upsert
            .execute(params![kind, id(record), text])
            .map_err(sql(path, action))?;
    }
    Ok(())
}

fn remove<I: Copy + Into<i64>>(
    tx: &Transaction,
    kind: &str,
    ids: &[I],
    path: &std::path::Path,
) -> Result<(), StoreError> {
    let action = "updating the Eptura copy";
    let mut delete = tx
        .prepare_cached("DELETE FROM eptura_copy WHERE kind = ?1 AND id = ?2")
        .map_err(sql(path, action))?;
    for id in ids {
        delete
            .execute(params![kind, (*id).into()])
            .map_err(sql(path, action))?;
    }
    Ok(())
}

fn set_read_at(
    tx: &Transaction,
    read_at_ms: i64,
    path: &std::path::Path,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO eptura_copy_read (id, read_at_ms) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET read_at_ms = excluded.read_at_ms",
        params![read_at_ms],
    )
    .map(|_| ())
    .map_err(sql(path, "saving the Eptura copy"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floor(id: i64, name: &str) -> EpturaFloor {
        EpturaFloor {
            id: id.into(),
            name: name.into(),
            building_id: Some(1.into()),
            date_updated: Some(5),
        }
    }

    fn space(id: i64, name: &str) -> EpturaSpace {
        EpturaSpace {
            id: id.into(),
            name: name.into(),
            description: None,
            capacity: Some(4),
            reservable: true,
            occupiable: None,
            area: Some(12.5),
            type_id: Some(3.into()),
            type_name: Some("Meeting Room".into()),
            usage: None,
            floor_id: Some(10.into()),
            building_id: Some(1.into()),
            date_updated: Some(7),
        }
    }

    #[test]
    fn a_copy_is_replaced_then_changed_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        assert_eq!(store.eptura_copy().unwrap(), None);
        let first = EpturaCopy {
            floors: vec![floor(10, "1"), floor(11, "2")],
            spaces: vec![space(100, "A"), space(101, "B")],
            read_at_ms: 1_000,
        };
        store
            .replace_eptura_copy(&EpturaChanges {
                floors: &first.floors,
                spaces: &first.spaces,
                read_at_ms: 1_000,
                ..EpturaChanges::default()
            })
            .unwrap();
        assert_eq!(store.eptura_copy().unwrap(), Some(first));

        let renamed = [space(101, "B renamed"), space(102, "C")];
        store
            .update_eptura_copy(&EpturaChanges {
                floors: &[],
                spaces: &renamed,
                gone_floors: &[11.into()],
                gone_spaces: &[100.into()],
                read_at_ms: 2_000,
            })
            .unwrap();
        let copy = store.eptura_copy().unwrap().unwrap();
        assert_eq!(copy.read_at_ms, 2_000);
        assert_eq!(copy.floors, vec![floor(10, "1")]);
        assert_eq!(copy.spaces, renamed.to_vec());
    }
}
