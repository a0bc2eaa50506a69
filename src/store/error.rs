//! What can go wrong with the mapping store, each message naming the file and what to do.

use std::path::PathBuf;

use crate::domain::SyncKind;

/// A failure of the mapping store. Every message names the store's file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open the mapping store {}: {source}. Check that its folder exists and is \
         writable, or give another file with --db",
        path.display()
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error(
        "the mapping store {} has schema version {found}, newer than this spacebridge knows \
         (up to {known}): it was written by a newer release. Use that release, or give another \
         file with --db",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error(
        "cannot upgrade the mapping store {} to schema version {version}: {source}. The file is \
         left as it was; free disk space or fix its permissions and try again",
        path.display()
    )]
    Migrate {
        path: PathBuf,
        version: i64,
        source: rusqlite::Error,
    },

    #[error(
        "the mapping store {} failed while {action}: {source}. If another spacebridge is using \
         it, wait for it to finish; if the disk is full or read-only, fix that and try again",
        path.display()
    )]
    Sql {
        path: PathBuf,
        action: &'static str,
        source: rusqlite::Error,
    },

    #[error(
        "the mapping store {}: the Condeco {kind} {condeco} is already mapped to another Eptura \
         record, so it cannot be mapped to Eptura {eptura} too. Undo the other mapping (or the \
         merge decision that made it) first",
        path.display()
    )]
    MappingConflict {
        path: PathBuf,
        kind: SyncKind,
        eptura: String,
        condeco: String,
    },

    #[error(
        "the mapping store {}: the Eptura side is a {eptura} but the Condeco side is a \
         {condeco}; a mapping joins two records of the same kind",
        path.display()
    )]
    KindMismatch {
        path: PathBuf,
        eptura: SyncKind,
        condeco: SyncKind,
    },

    #[error(
        "a sync is already running on the mapping store {}: {holder}, since {since}. Wait for \
         it to finish; a lock left by a process that has ended on this machine is taken over \
         automatically",
        path.display()
    )]
    Locked {
        path: PathBuf,
        holder: String,
        since: String,
    },

    #[error(
        "the mapping store {} has no open write intent {id}: it was never recorded or is \
         already settled",
        path.display()
    )]
    UnknownIntent { path: PathBuf, id: i64 },

    #[error(
        "the mapping store {} has no running run {id}: it was never started or has ended",
        path.display()
    )]
    UnknownRun { path: PathBuf, id: i64 },
}

/// Maps a SQLite error met while doing `action` on the store at `path`.
pub(crate) fn sql(
    path: &std::path::Path,
    action: &'static str,
) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Sql {
        path,
        action,
        source,
    }
}
