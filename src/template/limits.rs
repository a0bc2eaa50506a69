//! The stated limits of the template reader, in one place: how large a file, an inflated
//! workbook part, a sheet and one cell may be before the file is refused or the value cut.
//! Each is far above what a real template needs (the 100,000-space benchmark is a 5 MB file
//! of 1.6 million cells) and far below what would exhaust the machine. Pure constants and the
//! checks of a zip container's declared sizes; no reading of files here.

use std::io::Cursor;

use super::columns::Column;
use crate::domain::text::visible;

/// The largest template file read: 256 MiB.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// The most bytes a workbook's zip parts may inflate to, all together: 1 GiB.
pub const MAX_INFLATED_BYTES: u64 = 1024 * 1024 * 1024;
/// The most bytes one zip part may inflate to (a sheet's XML): 512 MiB. The million-row
/// fixture, a sheet of formatted empty rows, is 100 MB.
pub const MAX_PART_BYTES: u64 = 512 * 1024 * 1024;
/// The most bytes the shared strings part may inflate to: 64 MiB. It is read whole into
/// memory before any sheet, so it gets the tightest limit.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 64 * 1024 * 1024;
/// The most non-empty cells read from the data sheet: 5 million (the 100,000-space benchmark
/// has 1.6 million).
pub const MAX_CELLS: usize = 5_000_000;
/// The most characters kept of one cell: Excel's own limit. Longer text is cut to this.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Excel's last row and column (1-based counts): a cell beyond them is not read.
pub const MAX_ROWS: u32 = 1_048_576;
pub const MAX_COLUMNS: u32 = 16_384;
/// The most cells an .xls or .ods sheet may span (rows × columns of its used area): those
/// formats are read into a dense grid by the spreadsheet library, so a stray cell far away
/// costs memory for every cell in between. 4 million cells is about 230 MB at worst; a full
/// BIFF8 sheet of 65,536 rows needs 61 columns to reach it.
pub const MAX_DENSE_CELLS: u64 = 4_000_000;

/// The most characters a field may hold; a longer value is a `too-long` finding and is cut:
/// 100 for codes (building code, state code, zip), 255 for names and addresses, 4,000 for
/// descriptions and extra columns (`None`).
pub fn max_chars(column: Option<Column>) -> usize {
    match column {
        Some(Column::BuildingCode | Column::StateCode | Column::Zip) => 100,
        Some(Column::Description) | None => 4_000,
        Some(_) => 255,
    }
}

/// Why a zip container is refused before it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipTooLarge {
    /// One part inflates to more than its limit.
    Part {
        name: String,
        bytes: u64,
        limit: u64,
    },
    /// All parts together inflate to more than [`MAX_INFLATED_BYTES`].
    Total { bytes: u64, limit: u64 },
}

impl ZipTooLarge {
    pub fn describe(&self) -> String {
        match self {
            ZipTooLarge::Part { name, bytes, limit } => format!(
                "its part {} inflates to {}, more than the {} allowed",
                visible(name),
                mib(*bytes),
                mib(*limit)
            ),
            ZipTooLarge::Total { bytes, limit } => format!(
                "it inflates to {}, more than the {} allowed",
                mib(*bytes),
                mib(*limit)
            ),
        }
    }
}

/// "12.5 MiB".
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Check the sizes a zip container declares for its parts (the zip reader then refuses any
/// part that inflates past its declared size, so the declared sizes bound the real ones).
/// `Ok` when the bytes are not a readable zip: opening it will say what is wrong.
pub fn check_zip(bytes: &[u8]) -> Result<(), ZipTooLarge> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total = 0u64;
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(index) else {
            continue;
        };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let bytes = part.size();
        let limit = part_limit(&name);
        if bytes > limit {
            return Err(ZipTooLarge::Part { name, bytes, limit });
        }
        total = total.saturating_add(bytes);
        if total > MAX_INFLATED_BYTES {
            return Err(ZipTooLarge::Total {
                bytes: total,
                limit: MAX_INFLATED_BYTES,
            });
        }
    }
    Ok(())
}

/// The limit of one part: shared strings are read whole, so they get less room.
fn part_limit(name: &str) -> u64 {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("sharedstrings.xml") || lower.ends_with("sharedstrings.bin") {
        MAX_SHARED_STRINGS_BYTES
    } else {
        MAX_PART_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_strings_get_the_tighter_limit() {
        assert_eq!(part_limit("xl/sharedStrings.xml"), MAX_SHARED_STRINGS_BYTES);
        assert_eq!(part_limit("xl/sharedStrings.bin"), MAX_SHARED_STRINGS_BYTES);
        assert_eq!(part_limit("xl/worksheets/sheet1.xml"), MAX_PART_BYTES);
    }

    #[test]
    fn a_non_zip_is_left_to_the_reader() {
        assert_eq!(check_zip(b"not a zip"), Ok(()));
    }
}
