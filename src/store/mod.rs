//! The SQLite mapping store on the operator's machine: which Eptura record each Condeco entity
//! came from ([`Mapping`]), the write intents that keep a resumed run from creating duplicates
//! ([`WriteIntent`]), the merge review's decisions ([`Decision`]), the history of runs
//! ([`Run`]) with their rejected items ([`RejectedItem`]) and drift ([`Drift`]), the copy of
//! Eptura's floors and spaces a daily run reads changes against ([`EpturaCopy`]), the lock
//! that keeps two syncs off one store ([`RunLock`]) and the schedule a daemon runs by
//! ([`Schedule`]). Schema in `schema.rs`, guarantees in `docs/store.md`.
//!
//! It must not hold secrets: [`Store::open`] takes a path and nothing else, no settings reach
//! it, and nothing it stores comes from a credential. It knows nothing of HTTP or of either
//! API's wire format: it stores the domain's ids ([`crate::domain::ids`]) as text.
//!
//! Durability: WAL journal with `synchronous=NORMAL`. A killed process (SIGKILL, a crash) never
//! loses a committed transaction; a power loss may lose the last few, never corrupts the file.
//! That is enough because the sync does not depend on an intent surviving: every run reads all
//! of Condeco first and adopts each entity that carries one of our external ids, so a create
//! whose intent was lost is found all the same. (FULL, an fsync per commit, measured about 140
//! commits/s on this VM, too slow for a 500 requests/s sync.) Every change of more than one row
//! is one transaction, so a kill at any instant leaves either all of it or none
//! ([`stop_point`] lets a crash test stop the process inside a named transaction to kill it
//! there).

mod decisions;
mod drift;
mod eptura_copy;
mod error;
mod fingerprint;
mod lock;
mod mappings;
mod runs;
mod schedule;
mod schema;
mod sql;
pub mod stop_point;

#[cfg(test)]
mod crash_tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

pub use crate::domain::Decision;
pub use decisions::MergeDecision;
pub use drift::{Drift, DriftChange};
pub use eptura_copy::{EpturaChanges, EpturaCopy};
pub use error::StoreError;
pub use fingerprint::{Fingerprint, FingerprintError};
pub use lock::{LockHolder, RunLock};
pub use mappings::{IntentId, IntentOutcome, Mapping, StoredMapping, WriteIntent, WriteOp};
pub use runs::{OpCounts, RejectedItem, RequestCounts, Run, RunEnd, RunId, RunKind, RunStatus};
pub use schedule::Schedule;
pub use schema::current_version as schema_version;

use error::sql;

/// How long a statement waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open mapping store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the store at `path`, creating it if missing and bringing its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = connect(path)?;
        schema::migrate(&mut conn, path)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's own consistency check: `["ok"]` for a sound file, else the problems it found.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        self.collect(
            "PRAGMA integrity_check",
            [],
            |row| row.get(0),
            "checking integrity",
        )
    }

    /// Runs a query expected to match at most one row and reads it with `read`.
    pub(crate) fn find<T>(
        &self,
        query: &str,
        params: impl rusqlite::Params,
        read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
        action: &'static str,
    ) -> Result<Option<T>, StoreError> {
        self.conn
            .query_row(query, params, read)
            .optional()
            .map_err(sql(&self.path, action))
    }

    /// Inserts one row in its own transaction and returns its rowid.
    pub(crate) fn insert(
        &mut self,
        action: &'static str,
        insert: &str,
        params: impl rusqlite::Params,
    ) -> Result<i64, StoreError> {
        self.write(action, |tx, path| {
            tx.execute(insert, params).map_err(sql(path, action))?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Runs a query and reads every row with `read`.
    pub(crate) fn collect<T>(
        &self,
        query: &str,
        params: impl rusqlite::Params,
        read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
        action: &'static str,
    ) -> Result<Vec<T>, StoreError> {
        let rows = self
            .conn
            .prepare(query)
            .and_then(|mut statement| statement.query_map(params, read)?.collect());
        rows.map_err(sql(&self.path, action))
    }

    /// Runs `work` in one write transaction: all of it is committed, or none.
    fn write<T>(
        &mut self,
        action: &'static str,
        work: impl FnOnce(&Transaction, &Path) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(path, action))?;
        let value = work(&tx, path)?;
        stop_point::reached(action);
        tx.commit().map_err(sql(path, action))?;
        Ok(value)
    }
}

/// Opens a connection with the store's settings: WAL, full sync, foreign keys, busy timeout.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let open_error = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open(path).map_err(open_error)?;
    configure(&conn).map_err(open_error)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("spacebridge.db")).unwrap();
        (dir, store)
    }

    fn pragma(store: &Store, name: &str) -> String {
        store
            .conn
            .query_row(&format!("PRAGMA {name}"), [], |row| {
                row.get::<_, rusqlite::types::Value>(0)
            })
            .map(|value| format!("{value:?}"))
            .unwrap()
    }

    #[test]
    fn a_new_store_is_migrated_and_reopens_at_the_same_version() {
        let (dir, store) = temp_store();
        assert_eq!(
            pragma(&store, "user_version"),
            format!("Integer({})", schema_version())
        );
        assert_eq!(store.integrity_check().unwrap(), ["ok"]);
        drop(store);
        let again = Store::open(&dir.path().join("spacebridge.db")).unwrap();
        assert_eq!(
            pragma(&again, "user_version"),
            format!("Integer({})", schema_version())
        );
    }

    #[test]
    fn the_store_runs_with_wal_full_sync_and_foreign_keys() {
        let (_dir, store) = temp_store();
        assert_eq!(pragma(&store, "journal_mode"), "Text(\"wal\")");
        assert_eq!(pragma(&store, "synchronous"), "Integer(1)");
        assert_eq!(pragma(&store, "foreign_keys"), "Integer(1)");
    }

    #[test]
    fn a_store_from_a_newer_release_is_refused_with_both_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("newer.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", schema_version() + 3)
            .unwrap();
        drop(conn);
        let error = Store::open(&path).err().unwrap();
        assert!(matches!(error, StoreError::NewerSchema { .. }), "{error}");
        let message = error.to_string();
        assert!(message.contains("newer.db"), "{message}");
        assert!(
            message.contains(&format!("{}", schema_version() + 3)),
            "{message}"
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_open_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(
            &path,
            "this is not SQLite, just text long enough to be a header",
        )
        .unwrap();
        let error = Store::open(&path).err().unwrap();
        assert!(error.to_string().contains("notes.txt"), "{error}");
    }
}
