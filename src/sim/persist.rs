//! The `--state FILE` of the simulators: both APIs' data in one JSON file, read at start when
//! it exists and rewritten after every successful write (to a temporary file, then renamed, so
//! that a crash never leaves half a file). Tokens, faults and stats are not saved.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{CondecoState, EpturaState, SimError};

/// Bumped when the layout changes; a file of another version is refused, not misread.
const VERSION: u32 = 1;

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

/// The bytes of the state file for these states.
pub(super) fn encode(eptura: &EpturaState, condeco: &CondecoState) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&SavedRef {
        version: VERSION,
        eptura,
        condeco,
    })
}

/// Where the state lives on disk; saves are serialised so that the newest state wins.
pub(super) struct StateFile {
    path: PathBuf,
    saving: Mutex<()>,
}

impl StateFile {
    pub(super) fn new(path: PathBuf) -> StateFile {
        StateFile {
            path,
            saving: Mutex::new(()),
        }
    }

    /// The saved states, or `None` when the file does not exist yet.
    pub(super) fn load(&self) -> Result<Option<(EpturaState, CondecoState)>, SimError> {
        let failed = |reason: String| SimError::StateFile {
            path: self.path.clone(),
            reason,
        };
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(failed(e.to_string())),
        };
        let saved: Saved = serde_json::from_slice(&bytes).map_err(|e| failed(e.to_string()))?;
        if saved.version != VERSION {
            return Err(failed(format!(
                "version {} is not {VERSION}",
                saved.version
            )));
        }
        Ok(Some((saved.eptura, saved.condeco)))
    }

    /// Encode (under the save lock, so the newest state is the one written) and write.
    pub(super) fn save(&self, encode: impl FnOnce() -> serde_json::Result<Vec<u8>>) {
        let _saving = self
            .saving
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let written = encode()
            .map_err(std::io::Error::other)
            .and_then(|bytes| write_atomically(&self.path, &bytes));
        if let Err(e) = written {
            tracing::warn!(
                "cannot save the simulator state to {}: {e}",
                self.path.display()
            );
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    std::fs::rename(&temporary, path)
}
