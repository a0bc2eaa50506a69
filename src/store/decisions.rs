//! The merge review's decisions ([`Decision`], a domain type), one per Eptura record and level:
//! accept the proposed Condeco entity, reject it, link to another one, or create a new one. Match
//! and sync honour them on every later run until the operator undoes one.

use rusqlite::types::Type;
use rusqlite::{Row, params};

use super::Store;
use super::error::{StoreError, sql};
use super::schema::now;
use super::sql::{condeco_key, external_id};
use crate::domain::{Decision, DecisionChange, ExternalId};

/// A stored decision; the level is `eptura.kind()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeDecision {
    pub eptura: ExternalId,
    pub decision: Decision,
    /// UTC, ISO 8601.
    pub decided_at: String,
}

/// A decision word the store does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown merge decision {0:?}")]
struct UnknownDecision(String);

const DECISION_COLUMNS: &str = "kind, eptura_key, decision, condeco_key, decided_at";

impl Store {
    /// Records (or replaces) the decision for an Eptura record.
    pub fn set_decision(
        &mut self,
        eptura: &ExternalId,
        decision: Decision,
    ) -> Result<(), StoreError> {
        if let Some(key) = decision.condeco()
            && key.kind() != eptura.kind()
        {
            return Err(StoreError::KindMismatch {
                path: self.path.clone(),
                eptura: eptura.kind(),
                condeco: key.kind(),
            });
        }
        let upsert = concat!(
            "INSERT INTO merge_decisions (kind, eptura_key, decision, condeco_key)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (kind, eptura_key) DO UPDATE SET decision = excluded.decision,
                 condeco_key = excluded.condeco_key, decided_at = ",
            now!()
        );
        let values = params![
            eptura.kind(),
            eptura.to_string(),
            decision.word(),
            decision.condeco().map(|key| key.to_string())
        ];
        self.write("recording a merge decision", |tx, path| {
            tx.execute(upsert, values)
                .map(|_| ())
                .map_err(sql(path, "recording a merge decision"))
        })
    }

    /// Forgets the decision for an Eptura record; `false` when there was none.
    pub fn undo_decision(&mut self, eptura: &ExternalId) -> Result<bool, StoreError> {
        self.write("undoing a merge decision", |tx, path| {
            tx.execute(
                "DELETE FROM merge_decisions WHERE kind = ?1 AND eptura_key = ?2",
                params![eptura.kind(), eptura.to_string()],
            )
            .map(|removed| removed > 0)
            .map_err(sql(path, "undoing a merge decision"))
        })
    }

    /// Records or forgets one decision; `false` for an undo that found none.
    pub fn change_decision(&mut self, change: &DecisionChange) -> Result<bool, StoreError> {
        match change {
            DecisionChange::Set(entity, decision) => {
                self.set_decision(entity, *decision).map(|()| true)
            }
            DecisionChange::Undo(entity) => self.undo_decision(entity),
        }
    }

    /// The decision for one Eptura record, if any.
    pub fn decision(&self, eptura: &ExternalId) -> Result<Option<MergeDecision>, StoreError> {
        let query = format!(
            "SELECT {DECISION_COLUMNS} FROM merge_decisions WHERE kind = ?1 AND eptura_key = ?2"
        );
        let key = params![eptura.kind(), eptura.to_string()];
        self.find(&query, key, decision_row, "reading a merge decision")
    }

    /// Every decision, in the order they were made.
    pub fn decisions(&self) -> Result<Vec<MergeDecision>, StoreError> {
        let query = format!(
            "SELECT {DECISION_COLUMNS} FROM merge_decisions ORDER BY decided_at, kind, eptura_key"
        );
        self.collect(&query, [], decision_row, "reading merge decisions")
    }
}

fn decision_row(row: &Row<'_>) -> rusqlite::Result<MergeDecision> {
    let word: String = row.get(2)?;
    let unknown = |word: String| {
        rusqlite::Error::FromSqlConversionFailure(2, Type::Text, Box::new(UnknownDecision(word)))
    };
    let decision = match word.as_str() {
        "new" => Decision::New,
        "accept" | "reject" | "link-to" => {
            if row.get_ref(3)?.data_type() == Type::Null {
                return Err(unknown(format!("{word} without a Condeco key")));
            }
            let key = condeco_key(row, 0, 3)?;
            match word.as_str() {
                "accept" => Decision::Accept(key),
                "reject" => Decision::Reject(key),
                _ => Decision::LinkTo(key),
            }
        }
        _ => return Err(unknown(word)),
    };
    Ok(MergeDecision {
        eptura: external_id(row, 0, 1)?,
        decision,
        decided_at: row.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CountryCode;
    use crate::domain::ids::{CondecoLocationId, CondecoRegionId, EpturaBuildingId};
    use crate::store::tests::temp_store;

    #[test]
    fn decisions_round_trip_and_a_new_one_replaces_the_old() {
        let (_dir, mut store) = temp_store();
        let building = ExternalId::location(EpturaBuildingId::new(12));
        let region = ExternalId::region(CountryCode::US, "Boston");
        let proposed = Decision::Accept(CondecoLocationId::new(3).into());
        store.set_decision(&building, proposed).unwrap();
        store.set_decision(&region, Decision::New).unwrap();
        let link = Decision::LinkTo(CondecoLocationId::new(7).into());
        store.set_decision(&building, link).unwrap();

        assert_eq!(store.decision(&building).unwrap().unwrap().decision, link);
        let all: Vec<(ExternalId, Decision)> = store
            .decisions()
            .unwrap()
            .into_iter()
            .map(|d| (d.eptura, d.decision))
            .collect();
        assert_eq!(all.len(), 2);
        assert!(all.contains(&(region.clone(), Decision::New)));
        assert!(all.contains(&(building.clone(), link)));
    }

    #[test]
    fn undo_removes_a_decision() {
        let (_dir, mut store) = temp_store();
        let building = ExternalId::location(EpturaBuildingId::new(12));
        let rejected = Decision::Reject(CondecoLocationId::new(3).into());
        store.set_decision(&building, rejected).unwrap();
        assert_eq!(
            store.decision(&building).unwrap().unwrap().decision,
            rejected
        );
        assert!(store.undo_decision(&building).unwrap());
        assert!(!store.undo_decision(&building).unwrap());
        assert_eq!(store.decision(&building).unwrap(), None);
    }

    #[test]
    fn a_link_to_an_entity_of_another_kind_is_refused() {
        let (_dir, mut store) = temp_store();
        let building = ExternalId::location(EpturaBuildingId::new(12));
        let region = Decision::LinkTo(CondecoRegionId::new(3).into());
        let error = store.set_decision(&building, region).unwrap_err();
        assert!(matches!(error, StoreError::KindMismatch { .. }), "{error}");
        assert_eq!(store.decision(&building).unwrap(), None);
    }
}
