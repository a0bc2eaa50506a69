//! CSV templates, exported by customers from other tools: UTF-8 (a byte-order mark allowed),
//! comma or semicolon separated (told from the first lines), quoted fields with embedded
//! separators and line breaks. Read into the same grid as a workbook sheet, every value text.

use calamine::{Cell, Data, Range};

/// Read CSV bytes into a sheet grid.
pub fn read(bytes: &[u8]) -> Result<Range<Data>, csv::Error> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(body))
        .from_reader(body);
    let mut cells = Vec::new();
    for (row, record) in reader.records().enumerate() {
        for (col, field) in record?.iter().enumerate() {
            if !field.trim().is_empty() {
                cells.push(Cell::new(
                    (row as u32, col as u32),
                    Data::String(field.to_string()),
                ));
            }
        }
    }
    // Keep row 1 as the origin so that rows count as the customer sees them.
    if !cells.iter().any(|c| c.get_position() == (0, 0)) {
        cells.push(Cell::new((0, 0), Data::Empty));
    }
    Ok(Range::from_sparse(cells))
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
        let range = read(b"\xEF\xBB\xBFa;b;c\n\"x;1\";\"multi\nline\";3\n").unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("a".into())));
        assert_eq!(range.get((1, 0)), Some(&Data::String("x;1".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::String("multi\nline".into())));
        let range = read(b"a,b\n1,2,3\n").unwrap();
        assert_eq!(range.get((1, 2)), Some(&Data::String("3".into())));
    }

    #[test]
    fn origin_stays_at_row_one() {
        let range = read(b"\n\nBuilding Name,Floor\n").unwrap();
        assert_eq!(range.start(), Some((0, 0)));
    }
}
