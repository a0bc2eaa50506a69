//! Reading a template file without trusting it: only a regular file (a FIFO would block for
//! ever, a device never ends), at most [`MAX_FILE_BYTES`] by its size before a byte is read,
//! and refused from its first bytes when they already show it is not a spreadsheet, so a
//! 2 GB binary named `.xlsx` is never read whole. What the bytes hold is for [`super::format`]
//! to tell; this module only fetches them.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::LoadError;
use super::format::{self, Format};
use super::limits::{MAX_FILE_BYTES, mib};

/// How many bytes are looked at before the rest is read.
const HEAD_BYTES: usize = 8 * 1024;

/// The bytes of the template at `path`.
pub fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(LoadError::NotAFile {
            path: path.to_path_buf(),
            kind: file_kind(&metadata),
        });
    }
    check_size(path, metadata.len())?;
    let mut file = File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    (&mut file)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if let Some(found) = format::refused_from_head(&bytes) {
        return Err(LoadError::not_a_spreadsheet(path, found));
    }
    // The file may have grown since it was measured: read one byte past the limit to know.
    file.take(MAX_FILE_BYTES + 1 - bytes.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    check_size(path, bytes.len() as u64)?;
    Ok(bytes)
}

/// A template of `bytes` bytes is refused above [`MAX_FILE_BYTES`].
pub fn check_size(path: &Path, bytes: u64) -> Result<(), LoadError> {
    if bytes > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_path_buf(),
            detail: format!(
                "it is {}, more than the {} a template may be",
                mib(bytes),
                mib(MAX_FILE_BYTES)
            ),
        });
    }
    Ok(())
}

/// What a path that is not a regular file is, in words.
fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    "not a regular file"
}

impl LoadError {
    /// The error for content that is not a spreadsheet, with the hint that fits it.
    pub(super) fn not_a_spreadsheet(path: &Path, found: Format) -> LoadError {
        let hint = match found {
            Format::Html => {
                "; some tools save an HTML page with an .xls name: open it in Excel and save as \
                 .xlsx"
            }
            Format::Unknown => {
                "; if it is a CSV in another encoding (e.g. Latin-1), save it again as UTF-8 CSV"
            }
            _ => "",
        };
        LoadError::NotASpreadsheet {
            path: path.to_path_buf(),
            found,
            hint,
        }
    }
}
