//! The `--state FILE` of the simulators: a snapshot of both APIs' data in FILE (JSON) and an
//! append-only journal beside it (`FILE.journal`), one line per saved write holding only the
//! records that write changed (whole, or `null` once removed) and the id counters. A write
//! costs a line, not the whole state: at 100,000 spaces rewriting the state after each write
//! made a write cost megabytes. When the journal has grown past the snapshot's size it is
//! folded into a new snapshot (written to a temporary file, then renamed, so that a crash never
//! leaves half a file) and emptied; the same happens at start. Loading reads the snapshot, then
//! replays the journal; a last line cut short by a crash (its write never answered) is ignored.
//! Tokens, faults and stats are not saved.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CondecoState, EpturaState, SimError};

/// The largest snapshot or journal read back (a `large:100000` state is about 20 MiB of
/// snapshot; the journal is folded into it once it outgrows it).
const MAX_STATE_FILE_BYTES: u64 = 1 << 30;

/// Bumped when the layout changes; a file of another version is refused, not misread.
/// Version 2 added the journal.
const VERSION: u32 = 2;

/// The journal is folded into the snapshot once it is larger than this or the snapshot.
const MIN_JOURNAL_BYTES: u64 = 1 << 20;

#[derive(Serialize)]
struct SavedRef<'a> {
    version: u32,
    eptura: &'a EpturaState,
    condeco: &'a CondecoState,
}

#[derive(Deserialize)]
struct Saved {
    version: u32,
    eptura: EpturaState,
    condeco: CondecoState,
}

/// One changed record, as a journal line holds it: its table, its id, and the record now
/// (`null` when removed).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Change {
    table: String,
    id: u64,
    record: Value,
}

/// What one API changed in one save.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Part {
    next_id: u64,
    changes: Vec<Change>,
}

/// One journal line.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    eptura: Part,
    condeco: Part,
}

/// A simulator's state as the journal sees it: tables whose changes it can take and restore,
/// and an id counter. Implemented by [`journaled!`] from the list of tables.
pub(super) trait Journaled {
    fn take_changes(&mut self) -> serde_json::Result<Vec<Change>>;
    fn mark_saved(&mut self);
    fn restore(&mut self, change: Change) -> Result<(), String>;
    fn next_id(&self) -> u64;
    fn set_next_id(&mut self, next_id: u64);
}

/// `journaled!(State: next_id; table, ...)`: the [`Journaled`] impl of a state whose tables
/// are [`super::table::Table`] fields, named in the journal by their field names.
macro_rules! journaled {
    ($state:ty: $next_id:ident; $($table:ident),* $(,)?) => {
        impl $crate::sim::persist::Journaled for $state {
            fn take_changes(&mut self) -> serde_json::Result<Vec<$crate::sim::persist::Change>> {
                let mut changes = Vec::new();
                $(
                    for (id, row) in self.$table.take_changed() {
                        let record = serde_json::to_value(row)?;
                        changes.push($crate::sim::persist::Change::new(stringify!($table), id, record));
                    }
                )*
                Ok(changes)
            }
            fn mark_saved(&mut self) {
                $( self.$table.mark_saved(); )*
            }
            fn restore(&mut self, change: $crate::sim::persist::Change) -> Result<(), String> {
                let (table, id, record) = change.into_parts();
                match table.as_str() {
                    $(
                        stringify!($table) => {
                            let row = match record {
                                serde_json::Value::Null => None,
                                record => Some(serde_json::from_value(record).map_err(|e| {
                                    format!("{} {id} in the journal: {e}", stringify!($table))
                                })?),
                            };
                            self.$table.restore(id, row);
                        }
                    )*
                    other => return Err(format!("the journal names a table \"{other}\" it cannot hold")),
                }
                Ok(())
            }
            fn next_id(&self) -> u64 {
                self.$next_id
            }
            fn set_next_id(&mut self, next_id: u64) {
                self.$next_id = next_id;
            }
        }
    };
}

pub(super) use journaled;

impl Change {
    pub(super) fn new(table: &str, id: u64, record: Value) -> Change {
        Change {
            table: table.to_string(),
            id,
            record,
        }
    }

    pub(super) fn into_parts(self) -> (String, u64, Value) {
        (self.table, self.id, self.record)
    }
}

/// The bytes of the snapshot for these states.
pub(super) fn encode(eptura: &EpturaState, condeco: &CondecoState) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&SavedRef {
        version: VERSION,
        eptura,
        condeco,
    })
}

/// The journal line of what both states changed since they were last saved (taking the
/// changes), or `None` when nothing did.
pub(super) fn journal_line(
    eptura: &mut EpturaState,
    condeco: &mut CondecoState,
) -> serde_json::Result<Option<Vec<u8>>> {
    let entry = Entry {
        eptura: part(eptura)?,
        condeco: part(condeco)?,
    };
    if entry.eptura.changes.is_empty() && entry.condeco.changes.is_empty() {
        return Ok(None);
    }
    let mut line = serde_json::to_vec(&entry)?;
    line.push(b'\n');
    Ok(Some(line))
}

fn part(state: &mut impl Journaled) -> serde_json::Result<Part> {
    Ok(Part {
        next_id: state.next_id(),
        changes: state.take_changes()?,
    })
}

/// Replay one journal line onto the states.
fn replay(
    entry: Entry,
    eptura: &mut EpturaState,
    condeco: &mut CondecoState,
) -> Result<(), String> {
    for (part, state) in [
        (entry.eptura, eptura as &mut dyn Journaled),
        (entry.condeco, condeco as &mut dyn Journaled),
    ] {
        state.set_next_id(state.next_id().max(part.next_id));
        for change in part.changes {
            state.restore(change)?;
        }
    }
    Ok(())
}

/// Where the state lives on disk; saves are serialised so that the newest state wins and a
/// write's line is in the journal before its answer leaves.
pub(super) struct StateFile {
    path: PathBuf,
    journal_path: PathBuf,
    saving: Mutex<Journal>,
}

/// The open journal and the sizes that decide when it is folded into the snapshot.
#[derive(Default)]
struct Journal {
    file: Option<File>,
    bytes: u64,
    snapshot_bytes: u64,
}

impl StateFile {
    pub(super) fn new(path: PathBuf) -> StateFile {
        let mut journal_path = path.as_os_str().to_owned();
        journal_path.push(".journal");
        StateFile {
            path,
            journal_path: PathBuf::from(journal_path),
            saving: Mutex::new(Journal::default()),
        }
    }

    fn failed(&self, reason: impl Into<String>) -> SimError {
        SimError::StateFile {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    /// `file`, refused when larger than [`MAX_STATE_FILE_BYTES`] and read no further than that.
    fn bounded(&self, file: File, what: &str) -> Result<std::io::Take<File>, SimError> {
        let size = file
            .metadata()
            .map_err(|e| self.failed(format!("{what}{e}")))?
            .len();
        if size > MAX_STATE_FILE_BYTES {
            return Err(self.failed(format!(
                "{what}{size} bytes, over the {MAX_STATE_FILE_BYTES} a state file may hold"
            )));
        }
        Ok(std::io::Read::take(file, MAX_STATE_FILE_BYTES))
    }

    /// The saved states (the snapshot with the journal replayed), or `None` when there is no
    /// snapshot yet.
    pub(super) fn load(&self) -> Result<Option<(EpturaState, CondecoState)>, SimError> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.failed(e.to_string())),
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut self.bounded(file, "")?, &mut bytes)
            .map_err(|e| self.failed(e.to_string()))?;
        let saved: Saved =
            serde_json::from_slice(&bytes).map_err(|e| self.failed(e.to_string()))?;
        if saved.version != VERSION {
            return Err(self.failed(format!("version {} is not {VERSION}", saved.version)));
        }
        let (mut eptura, mut condeco) = (saved.eptura, saved.condeco);
        self.replay_journal(&mut eptura, &mut condeco)?;
        Ok(Some((eptura, condeco)))
    }

    fn replay_journal(
        &self,
        eptura: &mut EpturaState,
        condeco: &mut CondecoState,
    ) -> Result<(), SimError> {
        let file = match File::open(&self.journal_path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.failed(format!("its journal: {e}"))),
        };
        let file = self.bounded(file, "its journal: ")?;
        let mut lines = BufReader::new(file).split(b'\n').enumerate().peekable();
        while let Some((number, line)) = lines.next() {
            let line = line.map_err(|e| self.failed(format!("its journal: {e}")))?;
            let last = lines.peek().is_none();
            match serde_json::from_slice::<Entry>(&line) {
                Ok(entry) => replay(entry, eptura, condeco)
                    .map_err(|e| self.failed(format!("its journal, line {}: {e}", number + 1)))?,
                // Cut short by a crash while it was written: that write was never answered.
                Err(_) if last => {}
                Err(e) => {
                    return Err(self.failed(format!("its journal, line {}: {e}", number + 1)));
                }
            }
        }
        Ok(())
    }

    /// Write a whole new snapshot (under the save lock) and empty the journal.
    pub(super) fn save_snapshot(&self, encode: impl FnOnce() -> serde_json::Result<Vec<u8>>) {
        let mut journal = self
            .saving
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.fold(&mut journal, encode);
    }

    /// Append the line of what changed (under the save lock, so a write's change is on disk
    /// before any save that started after it returns); fold the journal into a new snapshot
    /// once it is large.
    pub(super) fn append(
        &self,
        line: impl FnOnce() -> serde_json::Result<Option<Vec<u8>>>,
        encode: impl FnOnce() -> serde_json::Result<Vec<u8>>,
    ) {
        let mut journal = self
            .saving
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let line = match line() {
            Ok(Some(line)) => line,
            Ok(None) => return,
            Err(e) => return self.warn(&e.to_string()),
        };
        if let Err(e) = self.write_line(&mut journal, &line) {
            return self.warn(&e.to_string());
        }
        if journal.bytes > journal.snapshot_bytes.max(MIN_JOURNAL_BYTES) {
            self.fold(&mut journal, encode);
        }
    }

    fn write_line(&self, journal: &mut Journal, line: &[u8]) -> std::io::Result<()> {
        if journal.file.is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.journal_path)?;
            journal.bytes = file.metadata()?.len();
            journal.file = Some(file);
        }
        if let Some(file) = journal.file.as_mut() {
            file.write_all(line)?;
        }
        journal.bytes += line.len() as u64;
        Ok(())
    }

    /// A new snapshot, then an empty journal (a crash in between replays the old journal over
    /// the new snapshot: every line holds whole records, so that changes nothing).
    fn fold(&self, journal: &mut Journal, encode: impl FnOnce() -> serde_json::Result<Vec<u8>>) {
        let written = encode()
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                write_atomically(&self.path, &bytes)?;
                Ok(bytes.len() as u64)
            })
            .and_then(|snapshot_bytes| {
                let file = File::create(&self.journal_path)?;
                drop(file);
                *journal = Journal {
                    file: None,
                    bytes: 0,
                    snapshot_bytes,
                };
                Ok(())
            });
        if let Err(e) = written {
            self.warn(&e.to_string());
        }
    }

    fn warn(&self, error: &str) {
        tracing::warn!(
            "cannot save the simulator state to {}: {error}",
            self.path.display()
        );
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = File::create(&temporary)?;
    file.write_all(bytes)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod bound_tests {
    use super::*;

    #[test]
    fn a_state_file_or_journal_over_the_bound_is_refused_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let file = StateFile::new(path.clone());
        // A sparse file: its size says 2 GiB, nothing is written.
        File::create(&path)
            .unwrap()
            .set_len(2 * MAX_STATE_FILE_BYTES)
            .unwrap();
        let error = file.load().unwrap_err().to_string();
        assert!(error.contains("over the"), "{error}");
        // A readable snapshot and an oversized journal beside it.
        std::fs::remove_file(&path).unwrap();
        File::create(&file.journal_path)
            .unwrap()
            .set_len(MAX_STATE_FILE_BYTES + 1)
            .unwrap();
        let mut eptura = EpturaState::default();
        let mut condeco = CondecoState::default();
        let error = file
            .replay_journal(&mut eptura, &mut condeco)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("its journal") && error.contains("over the"),
            "{error}"
        );
    }
}
