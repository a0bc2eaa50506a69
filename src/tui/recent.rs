//! Recently loaded templates, kept in the user's data directory (`recent.json`) so the Load
//! screen can offer them next time. A missing or unreadable file is an empty list, never an
//! error: losing the list must not stop anyone working.

use std::path::{Path, PathBuf};

/// How many files are remembered.
pub const KEEP: usize = 10;

const FILE: &str = "recent.json";

/// The remembered files, most recent first.
pub fn read(data_dir: &Path) -> Vec<PathBuf> {
    std::fs::read(data_dir.join(FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// `path` first, without duplicates, at most [`KEEP`].
pub fn remember(list: &mut Vec<PathBuf>, path: &Path) {
    list.retain(|p| p != path);
    list.insert(0, path.to_path_buf());
    list.truncate(KEEP);
}

/// Save the list; failures are logged and otherwise ignored.
pub fn write(data_dir: &Path, list: &[PathBuf]) {
    let result = std::fs::create_dir_all(data_dir).and_then(|()| {
        let json = serde_json::to_vec_pretty(list).map_err(std::io::Error::other)?;
        std::fs::write(data_dir.join(FILE), json)
    });
    if let Err(e) = result {
        tracing::warn!(
            "cannot save the recent files in {}: {e}",
            data_dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_most_recent_first_without_duplicates() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut list = read(dir.path());
        assert!(list.is_empty());
        for name in ["a.xlsx", "b.xlsx", "a.xlsx"] {
            remember(&mut list, Path::new(name));
        }
        write(dir.path(), &list);
        assert_eq!(
            read(dir.path()),
            vec![PathBuf::from("a.xlsx"), PathBuf::from("b.xlsx")]
        );
        for i in 0..20 {
            remember(&mut list, Path::new(&format!("{i}.csv")));
        }
        assert_eq!(list.len(), KEEP);
    }
}
