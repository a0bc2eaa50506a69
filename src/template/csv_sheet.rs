//! CSV templates, exported by customers from other tools: UTF-8 (a byte-order mark allowed),
//! comma or semicolon separated (told from the first lines), quoted fields with embedded
//! separators and line breaks. Read into the same [`Grid`] as a workbook sheet, every value
//! text, each cut to [`MAX_CELL_CHARS`], at most [`MAX_CELLS`] of them.

use calamine::Data;

use super::grid::{Grid, SheetCell};
use super::limits::{MAX_CELL_CHARS, MAX_CELLS};
use crate::domain::text::cut_chars;

/// Why CSV bytes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("it holds more than {MAX_CELLS} non-empty cells")]
    TooManyCells,
}

/// Read CSV bytes into a sheet grid.
pub fn read(bytes: &[u8]) -> Result<Grid, CsvError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(body))
        .from_reader(body);
    let mut cells = Vec::new();
    for (row, record) in reader.records().enumerate() {
        for (col, field) in record?.iter().enumerate() {
            if field.trim().is_empty() {
                continue;
            }
            if cells.len() == MAX_CELLS {
                return Err(CsvError::TooManyCells);
            }
            cells.push(SheetCell {
                row: u32::try_from(row).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
                value: Data::String(cut_chars(field, MAX_CELL_CHARS).into_owned()),
            });
        }
    }
    Ok(Grid::from_cells(cells))
}

/// Semicolon when the first lines hold more semicolons than commas outside quotes.
fn delimiter(body: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted, mut lines) = (0usize, 0usize, false, 0);
    for &b in body.iter().take(64 * 1024) {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            b'\n' if !quoted => {
                lines += 1;
                if lines >= 10 {
                    break;
                }
            }
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_fields_and_detects_semicolons() {
        let grid = read(b"\xEF\xBB\xBFa;b;c\n\"x;1\";\"multi\nline\";3\n").unwrap();
        assert_eq!(grid.get(0, 0), Some(&Data::String("a".into())));
        assert_eq!(grid.get(1, 0), Some(&Data::String("x;1".into())));
        assert_eq!(grid.get(1, 1), Some(&Data::String("multi\nline".into())));
        let grid = read(b"a,b\n1,2,3\n").unwrap();
        assert_eq!(grid.get(1, 2), Some(&Data::String("3".into())));
    }

    #[test]
    fn blank_lines_are_not_rows() {
        let grid = read(b"\n\nBuilding Name,Floor\n").unwrap();
        assert_eq!(grid.start(), Some((0, 0)));
    }

    #[test]
    fn a_huge_field_is_cut_to_what_excel_holds() {
        let mut csv = b"a,".to_vec();
        csv.extend(std::iter::repeat_n(b'x', MAX_CELL_CHARS + 10));
        let grid = read(&csv).unwrap();
        let Some(Data::String(cut)) = grid.get(0, 1) else {
            panic!("no cell");
        };
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
