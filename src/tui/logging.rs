//! Where the TUI's logs go: a file in the user's data directory, never the screen (which the
//! TUI owns). `SPACEBRIDGE_LOG` sets the filter (default `info`).

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// The data directory: `SPACEBRIDGE_DATA_DIR`, else the platform's
/// (`~/.local/share/spacebridge` on Linux).
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("SPACEBRIDGE_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("", "", "spacebridge")
                .map(|dirs| dirs.data_dir().to_path_buf())
        })
}

/// Send tracing to `DIR/spacebridge.log`. Returns the log's path, or `None` when there is no
/// directory or the file cannot be opened (then nothing is logged).
pub fn init(data_dir: Option<&Path>) -> Option<PathBuf> {
    let dir = data_dir?;
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join("spacebridge.log");
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let filter =
        EnvFilter::try_from_env("SPACEBRIDGE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(path)
}
