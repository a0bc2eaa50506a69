//! The store's schema as an ordered list of migrations, applied by `PRAGMA user_version`: the
//! version is the number of migrations applied. Each migration and its version bump commit in
//! one transaction, so a store is always at exactly one version. Append new migrations; never
//! edit one that has shipped.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::error::StoreError;

/// The current time as the store writes it: UTC, ISO 8601 with milliseconds.
macro_rules! now {
    () => {
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    };
}
pub(crate) use now;

const KINDS: &str =
    "('country', 'group', 'region', 'location', 'floor', 'workspace_type', 'resource')";

/// Version 1: mappings, runs, write intents, merge decisions, rejected items, the run lock.
fn version_1() -> String {
    format!(
        "CREATE TABLE mappings (
            kind        TEXT NOT NULL CHECK (kind IN {KINDS}),
            eptura_key  TEXT NOT NULL,
            condeco_key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            created_at  TEXT NOT NULL DEFAULT ({now}),
            updated_at  TEXT NOT NULL DEFAULT ({now}),
            PRIMARY KEY (kind, eptura_key),
            UNIQUE (kind, condeco_key)
        ) WITHOUT ROWID;

        CREATE TABLE runs (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            kind             TEXT NOT NULL CHECK (kind IN ('initial', 'daily', 'resumed')),
            status           TEXT NOT NULL CHECK (status IN
                                 ('running', 'succeeded', 'partial', 'failed', 'cancelled')),
            started_at       TEXT NOT NULL DEFAULT ({now}),
            ended_at         TEXT,
            ops              TEXT NOT NULL DEFAULT '{{}}',
            eptura_requests  INTEGER NOT NULL DEFAULT 0,
            condeco_requests INTEGER NOT NULL DEFAULT 0,
            drift            INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX runs_by_status ON runs (status, id);

        CREATE TABLE write_intents (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id      INTEGER NOT NULL REFERENCES runs (id),
            kind        TEXT NOT NULL CHECK (kind IN {KINDS}),
            eptura_key  TEXT NOT NULL,
            op          TEXT NOT NULL CHECK (op IN ('create', 'update', 'link', 'delete')),
            recorded_at TEXT NOT NULL DEFAULT ({now}),
            closed_at   TEXT,
            outcome     TEXT CHECK (outcome IN ('written', 'not-written')),
            CHECK ((closed_at IS NULL) = (outcome IS NULL))
        );
        CREATE INDEX write_intents_open ON write_intents (id) WHERE closed_at IS NULL;

        CREATE TABLE merge_decisions (
            kind        TEXT NOT NULL CHECK (kind IN {KINDS}),
            eptura_key  TEXT NOT NULL,
            decision    TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'link-to', 'new')),
            condeco_key TEXT,
            decided_at  TEXT NOT NULL DEFAULT ({now}),
            PRIMARY KEY (kind, eptura_key),
            CHECK ((decision = 'link-to') = (condeco_key IS NOT NULL))
        ) WITHOUT ROWID;

        CREATE TABLE rejected_items (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id      INTEGER NOT NULL REFERENCES runs (id),
            kind        TEXT NOT NULL CHECK (kind IN {KINDS}),
            eptura_key  TEXT NOT NULL,
            http_status INTEGER NOT NULL,
            message     TEXT NOT NULL,
            rejected_at TEXT NOT NULL DEFAULT ({now}),
            cleared_at  TEXT
        );
        CREATE INDEX rejected_items_by_run ON rejected_items (run_id);
        CREATE INDEX rejected_items_outstanding ON rejected_items (kind, eptura_key)
            WHERE cleared_at IS NULL;

        CREATE TABLE run_lock (
            id     INTEGER PRIMARY KEY CHECK (id = 1),
            holder TEXT NOT NULL,
            pid    INTEGER NOT NULL,
            host   TEXT NOT NULL,
            since  TEXT NOT NULL DEFAULT ({now})
        );",
        now = now!()
    )
}

/// Version 2: the copy of Eptura's floors and spaces a daily run reads changes against, and
/// the drift each run found.
fn version_2() -> String {
    format!(
        "CREATE TABLE eptura_copy (
            kind   TEXT NOT NULL CHECK (kind IN ('floor', 'space')),
            id     INTEGER NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (kind, id)
        ) WITHOUT ROWID;

        CREATE TABLE eptura_copy_read (
            id         INTEGER PRIMARY KEY CHECK (id = 1),
            read_at_ms INTEGER NOT NULL
        );

        CREATE TABLE drift (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id      INTEGER NOT NULL REFERENCES runs (id),
            kind        TEXT NOT NULL CHECK (kind IN {KINDS}),
            eptura_key  TEXT NOT NULL,
            condeco_key TEXT NOT NULL,
            change      TEXT NOT NULL CHECK (change IN ('changed', 'deleted')),
            fields      TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX drift_by_run ON drift (run_id);"
    )
}

/// Version 3: a merge decision to accept or reject names the Condeco entity it is about (an
/// accept without one could come to mean another entity once the candidates change). Rows of
/// version 1 are kept; an accept or reject without a Condeco key can only have come from a
/// hand edit and reads back as an error naming it.
fn version_3() -> String {
    format!(
        "CREATE TABLE merge_decisions_2 (
            kind        TEXT NOT NULL CHECK (kind IN {KINDS}),
            eptura_key  TEXT NOT NULL,
            decision    TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'link-to', 'new')),
            condeco_key TEXT,
            decided_at  TEXT NOT NULL DEFAULT ({now}),
            PRIMARY KEY (kind, eptura_key),
            CHECK ((decision = 'new') = (condeco_key IS NULL) OR decision IN ('accept', 'reject'))
        ) WITHOUT ROWID;
        INSERT INTO merge_decisions_2 SELECT kind, eptura_key, decision, condeco_key, decided_at
            FROM merge_decisions;
        DROP TABLE merge_decisions;
        ALTER TABLE merge_decisions_2 RENAME TO merge_decisions;",
        now = now!()
    )
}

/// Version 4: the schedule a `schedule` daemon keeps on this store (its rule, its next run and
/// who runs it), so that `history` and the TUI can say when the next run is due.
fn version_4() -> String {
    format!(
        "CREATE TABLE schedule (
            id         INTEGER PRIMARY KEY CHECK (id = 1),
            rule       TEXT NOT NULL,
            next_run   TEXT,
            pid        INTEGER NOT NULL,
            host       TEXT NOT NULL,
            updated_at TEXT NOT NULL DEFAULT ({now})
        );",
        now = now!()
    )
}

/// Every migration, oldest first; the store's version is how many have been applied.
fn migrations() -> Vec<String> {
    vec![version_1(), version_2(), version_3(), version_4()]
}

/// The schema version this binary writes.
pub fn current_version() -> i64 {
    migrations().len() as i64
}

/// Brings the store at `path` up to [`current_version`], refusing one that is newer.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let migrations = migrations();
    let known = migrations.len() as i64;
    let found = user_version(conn).map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    if found > known {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    for (version, sql) in (1..).zip(&migrations).skip(found.max(0) as usize) {
        apply(conn, version, sql).map_err(|source| StoreError::Migrate {
            path: path.to_path_buf(),
            version,
            source,
        })?;
    }
    Ok(())
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// One migration and its version bump, in one transaction.
fn apply(conn: &mut Connection, version: i64, sql: &str) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    // Another process may have migrated while this one waited for the lock.
    if user_version(&tx)? >= version {
        return Ok(());
    }
    tx.execute_batch(sql)?;
    tx.pragma_update(None, "user_version", version)?;
    tx.commit()
}
