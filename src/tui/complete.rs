//! Tab completion of paths in the Load screen and the command line: directories and template
//! files (.xlsx .xlsm .xls .xlsb .ods .csv) that start with what was typed, and a
//! [`Completer`] that keeps the matches so Tab again cycles them and the screen can list them.
//! Reads one directory (at most [`SCAN_LIMIT`] entries) per Tab press, never during drawing.

use std::path::{Path, PathBuf};

/// File endings offered by completion.
pub const TEMPLATE_EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv"];

/// Entries read from one directory at most, so a huge directory cannot stall a key press.
const SCAN_LIMIT: usize = 5_000;

/// `~/x` → the home directory joined with `x`.
pub fn expand_home(typed: &str) -> PathBuf {
    match typed.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|d| d.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(typed)),
        None => PathBuf::from(typed),
    }
}

fn is_template(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TEMPLATE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Every completion of `typed`, as full replacement texts, directories (ending in `/`) first.
pub fn candidates(typed: &str) -> Vec<String> {
    let (dir_text, prefix) = match typed.rfind('/') {
        Some(at) => typed.split_at(at + 1),
        None => ("", typed),
    };
    let dir = if dir_text.is_empty() {
        PathBuf::from(".")
    } else {
        expand_home(dir_text)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for entry in entries.flatten().take(SCAN_LIMIT) {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            dirs.push(format!("{dir_text}{name}/"));
        } else if is_template(&path) {
            files.push(format!("{dir_text}{name}"));
        }
    }
    dirs.sort();
    files.sort();
    dirs.extend(files);
    dirs
}

/// The longest common prefix of `texts` (on character boundaries).
pub fn common_prefix(texts: &[String]) -> String {
    let Some(first) = texts.first() else {
        return String::new();
    };
    let mut end = first.len();
    for text in &texts[1..] {
        end = first
            .char_indices()
            .zip(text.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(end);
    }
    first[..end].to_string()
}

/// Tab completion of one field: the matches of the last Tab, and which of them is in the
/// field while Tab cycles through them.
#[derive(Debug, Clone, Default)]
pub struct Completer {
    pub matches: Vec<String>,
    /// The match in the field while cycling; `None` before the first cycle.
    pub at: Option<usize>,
}

impl Completer {
    /// Tab on `typed`: the field's new text, or `None` when no folder or template file starts
    /// with it. Several matches complete their common part first, then cycle.
    pub fn tab(&mut self, typed: &str) -> Option<String> {
        if let Some(i) = self.at.filter(|_| !self.matches.is_empty()) {
            let next = (i + 1) % self.matches.len();
            self.at = Some(next);
            return Some(self.matches[next].clone());
        }
        let found = candidates(typed);
        let text = match found.len() {
            0 => {
                self.reset();
                return None;
            }
            1 => {
                self.reset();
                return found.into_iter().next();
            }
            _ => {
                let common = common_prefix(&found);
                if common.len() > typed.len() {
                    self.at = None;
                    common
                } else {
                    self.at = Some(0);
                    found[0].clone()
                }
            }
        };
        self.matches = found;
        Some(text)
    }

    /// The field was edited: the next Tab starts afresh.
    pub fn reset(&mut self) {
        self.matches.clear();
        self.at = None;
    }

    /// The matches by their last part ("sample.xlsx", "samples/"), the one in the field in
    /// brackets; empty when the last Tab found one match or none.
    pub fn names(&self) -> Vec<String> {
        (self.matches.iter().enumerate())
            .map(|(i, path)| {
                let name = path
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(path);
                let name = if path.ends_with('/') {
                    format!("{name}/")
                } else {
                    name.to_string()
                };
                if Some(i) == self.at {
                    format!("[{name}]")
                } else {
                    name
                }
            })
            .collect()
    }
}

/// What to say when Tab found nothing for `typed`.
pub fn nothing_matches(typed: &str) -> String {
    format!("nothing to complete: no folder or template file starts with \"{typed}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_directories_and_templates_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("samples")).expect("mkdir");
        for name in ["sites.xlsx", "sites.csv", "notes.txt", ".hidden.xlsx"] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        let base = format!("{}/", dir.path().display());
        let all = candidates(&base);
        assert_eq!(
            all,
            vec![
                format!("{base}samples/"),
                format!("{base}sites.csv"),
                format!("{base}sites.xlsx")
            ]
        );
        let sites = candidates(&format!("{base}si"));
        assert_eq!(common_prefix(&sites), format!("{base}sites."));
        assert!(candidates(&format!("{base}zz")).is_empty());
    }

    #[test]
    fn the_completer_completes_the_common_part_then_cycles() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["site-a.xlsx", "site-b.csv"] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        let base = format!("{}/", dir.path().display());
        let mut completer = Completer::default();
        let first = completer.tab(&format!("{base}s")).expect("matches");
        assert_eq!(first, format!("{base}site-"));
        assert_eq!(completer.names(), vec!["site-a.xlsx", "site-b.csv"]);
        let second = completer.tab(&first).expect("cycles");
        assert_eq!(second, format!("{base}site-a.xlsx"));
        assert_eq!(completer.names(), vec!["[site-a.xlsx]", "site-b.csv"]);
        assert_eq!(completer.tab(&second), Some(format!("{base}site-b.csv")));
        completer.reset();
        assert_eq!(completer.tab(&format!("{base}zz")), None);
        assert!(completer.names().is_empty());
    }

    #[test]
    fn common_prefix_respects_characters() {
        let texts = vec!["été.xlsx".to_string(), "étage.csv".to_string()];
        assert_eq!(common_prefix(&texts), "ét");
        assert_eq!(common_prefix(&[]), "");
    }
}
