//! One collection of a simulator's records by id (an id-ordered map) that remembers which
//! records changed since the state file last saved them, so that a save appends only those to
//! the journal (`persist.rs`) instead of writing the whole state. Reading goes through
//! `Deref` to the map; every change goes through the methods here, which is what keeps the
//! record of changes whole. It knows nothing of files or of the records' JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// Records by id, and the ids changed (created, updated or removed) since [`Table::take_changed`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct Table<T> {
    rows: BTreeMap<u64, T>,
    #[serde(skip)]
    changed: BTreeSet<u64>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: BTreeMap::new(),
            changed: BTreeSet::new(),
        }
    }
}

impl<T> Deref for Table<T> {
    type Target = BTreeMap<u64, T>;

    fn deref(&self) -> &BTreeMap<u64, T> {
        &self.rows
    }
}

impl<T> Table<T> {
    pub(super) fn insert(&mut self, id: u64, row: T) -> Option<T> {
        self.changed.insert(id);
        self.rows.insert(id, row)
    }

    pub(super) fn remove(&mut self, id: &u64) -> Option<T> {
        let removed = self.rows.remove(id);
        if removed.is_some() {
            self.changed.insert(*id);
        }
        removed
    }

    /// The record `id`, to change in place (counted as changed).
    pub(super) fn get_mut(&mut self, id: &u64) -> Option<&mut T> {
        let row = self.rows.get_mut(id);
        if row.is_some() {
            self.changed.insert(*id);
        }
        row
    }

    /// Change every record `which` picks with `change`.
    pub(super) fn update_where(
        &mut self,
        which: impl Fn(&T) -> bool,
        mut change: impl FnMut(&mut T),
    ) {
        for (id, row) in &mut self.rows {
            if which(row) {
                change(row);
                self.changed.insert(*id);
            }
        }
    }

    /// Keep only the records `keep` picks.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let changed = &mut self.changed;
        self.rows.retain(|id, row| {
            let kept = keep(row);
            if !kept {
                changed.insert(*id);
            }
            kept
        });
    }

    /// The ids changed since the last call, each with its record now (`None`: removed).
    pub(super) fn take_changed(&mut self) -> Vec<(u64, Option<&T>)> {
        let changed = std::mem::take(&mut self.changed);
        changed
            .into_iter()
            .map(|id| (id, self.rows.get(&id)))
            .collect()
    }

    /// Forget the changes: what is in memory now is what the state file holds.
    pub(super) fn mark_saved(&mut self) {
        self.changed.clear();
    }

    /// A change read back from the journal: the record `id` as saved, or its removal.
    pub(super) fn restore(&mut self, id: u64, row: Option<T>) {
        match row {
            Some(row) => self.rows.insert(id, row),
            None => self.rows.remove(&id),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_is_remembered_once_and_reading_is_not_a_change() {
        let mut table: Table<String> = Table::default();
        table.insert(1, "one".into());
        table.insert(2, "two".into());
        table.insert(3, "three".into());
        table.mark_saved();
        assert!(table.get(&1).is_some());
        assert!(table.take_changed().is_empty(), "reads change nothing");

        table.get_mut(&1).unwrap().push('!');
        table.remove(&2);
        table.remove(&9);
        table.retain(|row| row != "three");
        table.update_where(|row| row.starts_with('x'), |row| row.clear());
        let changed: Vec<(u64, Option<String>)> = table
            .take_changed()
            .into_iter()
            .map(|(id, row)| (id, row.cloned()))
            .collect();
        assert_eq!(
            changed,
            [(1, Some("one!".to_string())), (2, None), (3, None)]
        );
        assert!(table.take_changed().is_empty(), "taken once");
    }

    #[test]
    fn it_serialises_as_its_map_and_restores_changes() {
        let mut table: Table<u32> = Table::default();
        table.insert(7, 70);
        let json = serde_json::to_string(&table).unwrap();
        assert_eq!(json, r#"{"7":70}"#);
        let mut back: Table<u32> = serde_json::from_str(&json).unwrap();
        assert!(back.take_changed().is_empty());
        back.restore(8, Some(80));
        back.restore(7, None);
        assert_eq!(back.iter().collect::<Vec<_>>(), [(&8, &80)]);
    }
}
