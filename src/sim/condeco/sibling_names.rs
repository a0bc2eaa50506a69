//! The Condeco simulator's names per sibling group, so the unique-sibling-name rule costs one
//! hash lookup per write instead of a scan of the whole table (with a scan, a 100,000-resource
//! sync spent 80 % of its time there and did not finish in 10 minutes).
//!
//! Built from the tables on first use (so a seeded scenario or a loaded state file needs no
//! care), then added to on every create and update. Entries of records since renamed or
//! removed are left in place and checked against the table at look-up, so no removal path has
//! to know about the index: a stale entry costs memory, never a wrong answer.

use std::collections::HashMap;

use super::{CondecoState, Country, Entity, Group, Location, Region, Resource, WorkspaceType};

/// (kind, sibling key, folded name) → ids that had that name there.
#[derive(Clone, Default)]
pub(super) struct SiblingNames(HashMap<(&'static str, String, String), Vec<u64>>);

impl std::fmt::Debug for SiblingNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SiblingNames({} names)", self.0.len())
    }
}

/// Names compare trimmed and without ASCII case, as `same_name` does.
fn fold(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

impl SiblingNames {
    /// Every record of every table.
    pub(super) fn build(state: &CondecoState) -> SiblingNames {
        let mut index = SiblingNames::default();
        index.add_table::<Country>(state);
        index.add_table::<Group>(state);
        index.add_table::<Region>(state);
        index.add_table::<Location>(state);
        index.add_table::<WorkspaceType>(state);
        index.add_table::<Resource>(state);
        index
    }

    fn add_table<T: Entity>(&mut self, state: &CondecoState) {
        for record in T::table(state).values() {
            self.add(record);
        }
    }

    /// Remember `record` under its current name and parent.
    pub(super) fn add<T: Entity>(&mut self, record: &T) {
        let ids = self
            .0
            .entry((T::KIND, record.siblings(), fold(record.name())))
            .or_default();
        if !ids.contains(&record.id()) {
            ids.push(record.id());
        }
    }

    /// Ids that were once stored with `record`'s name among its siblings (the caller checks
    /// they still are).
    pub(super) fn named_like<T: Entity>(&self, record: &T, siblings: &str) -> &[u64] {
        self.0
            .get(&(T::KIND, siblings.to_owned(), fold(record.name())))
            .map_or(&[], Vec::as_slice)
    }
}
