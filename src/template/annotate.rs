//! The annotated copy sent back to the customer: the data sheet's values as read, every cell
//! with a finding highlighted (red for errors, amber for warnings, with the symbol in the note
//! too so colour is not the only signal) and its messages as a cell note, plus a "Findings"
//! sheet listing every finding with a link to its cell. The cells themselves are written by
//! [`super::writer::write_cell`], as every template cell is; this module adds only the
//! highlighting, the notes and the Findings sheet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, Format, Note, Url, Workbook, Worksheet, XlsxError};

use super::diagnostic::{Diagnostic, Severity};
use super::workbook::DataSheet;
use super::writer::{truncate, write_cell};
use super::{LoadError, LoadOptions, Loaded};

/// Why the annotated copy could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot write the annotated copy to {path}: {source}")]
    Write { path: PathBuf, source: XlsxError },
    #[error(
        "the annotated copy cannot be written to {path}: that is the template being read; give \
         another file name"
    )]
    OverInput { path: PathBuf },
}

const FINDINGS_SHEET: &str = "Findings";

/// Load `source`, write its annotated copy to `out`, and return what was loaded.
/// `out` may not be `source` itself (under any name): that would replace the customer's file.
pub fn write(source: &Path, options: &LoadOptions, out: &Path) -> Result<Loaded, AnnotateError> {
    if same_file(source, out) {
        return Err(AnnotateError::OverInput {
            path: out.to_path_buf(),
        });
    }
    let bytes = super::source::read(source)?;
    let (loaded, sheet) = super::load_sheet(source, bytes, options, true)?;
    let fail = |source| AnnotateError::Write {
        path: out.to_path_buf(),
        source,
    };
    let mut book = Workbook::new();
    let data_name = sheet_name_for_excel(&sheet.name);
    write_data_sheet(
        book.add_worksheet(),
        &data_name,
        &sheet,
        &loaded.diagnostics,
    )
    .map_err(fail)?;
    write_findings_sheet(book.add_worksheet(), &data_name, &loaded.diagnostics).map_err(fail)?;
    book.save(out).map_err(fail)?;
    Ok(loaded)
}

/// Whether two paths name one existing file (a link, `./`, another spelling).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, and not "Findings".
fn sheet_name_for_excel(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if cleaned.is_empty() || cleaned.eq_ignore_ascii_case(FINDINGS_SHEET) {
        "Space Data".to_string()
    } else {
        cleaned
    }
}

fn fill(severity: Severity) -> Format {
    let color = match severity {
        Severity::Error => Color::RGB(0xFFC7CE),
        Severity::Warning => Color::RGB(0xFFEB9C),
        Severity::Info => Color::RGB(0xDDEBF7),
    };
    Format::new().set_background_color(color)
}

fn write_data_sheet(
    ws: &mut Worksheet,
    name: &str,
    sheet: &DataSheet,
    diagnostics: &[Diagnostic],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let mut by_cell: BTreeMap<(u32, u32), Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics
        .iter()
        .filter(|d| d.row > 0 && !d.cell.is_empty())
    {
        if let Some(col) = column_of(&d.cell) {
            by_cell.entry((d.row - 1, col)).or_default().push(d);
        }
    }
    for cell in sheet.grid.cells() {
        let Ok(col) = u16::try_from(cell.col) else {
            continue;
        };
        let format = by_cell
            .get(&(cell.row, cell.col))
            .map(|ds| fill(ds[0].severity));
        write_cell(ws, (cell.row, col), &cell.value, format.as_ref())?;
    }
    for ((row, col), findings) in &by_cell {
        let text: Vec<String> = findings
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}: {}",
                    d.severity.symbol(),
                    d.severity,
                    d.code,
                    d.message
                )
            })
            .collect();
        let note = Note::new(truncate(&text.join("\n\n")))
            .set_author("spacebridge")
            .set_width(360)
            .set_height(140);
        // Highlight cells the sheet left empty (a missing value) too.
        if sheet.grid.get(*row, *col).is_none() {
            ws.write_blank(*row, *col as u16, &fill(findings[0].severity))?;
        }
        ws.insert_note(*row, *col as u16, &note)?;
    }
    ws.set_freeze_panes(sheet.header_row, 0)?;
    Ok(())
}

fn write_findings_sheet(
    ws: &mut Worksheet,
    data_sheet: &str,
    diagnostics: &[Diagnostic],
) -> Result<(), XlsxError> {
    ws.set_name(FINDINGS_SHEET)?;
    let bold = Format::new().set_bold();
    let headers = [
        "Severity",
        "Code",
        "Cell",
        "Row",
        "Column",
        "Value",
        "What to fix",
        "Suggestion",
    ];
    let widths = [10.0, 22.0, 8.0, 6.0, 18.0, 24.0, 90.0, 24.0];
    for (c, (header, width)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, c as u16, *header, &bold)?;
        ws.set_column_width(c as u16, width)?;
    }
    for (i, d) in diagnostics.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(
            r,
            0,
            format!("{} {}", d.severity.symbol(), d.severity),
            &fill(d.severity),
        )?;
        ws.write_string(r, 1, d.code.as_str())?;
        if d.cell.is_empty() {
            ws.write_string(r, 2, &d.sheet)?;
        } else if d.sheet == data_sheet || d.sheet.is_empty() {
            let link = Url::new(format!(
                "internal:'{}'!{}",
                data_sheet.replace('\'', "''"),
                d.cell
            ));
            ws.write_url_with_text(r, 2, link, &d.cell)?;
        } else {
            ws.write_string(r, 2, &d.cell)?;
        }
        if d.row > 0 {
            ws.write_number(r, 3, f64::from(d.row))?;
        }
        ws.write_string(r, 4, &d.column)?;
        ws.write_string(r, 5, truncate(&d.value))?;
        ws.write_string(r, 6, truncate(&d.message))?;
        ws.write_string(r, 7, truncate(d.suggestion.as_deref().unwrap_or("")))?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, diagnostics.len() as u32, headers.len() as u16 - 1)?;
    Ok(())
}

/// "L17" → 11 (0-based column).
fn column_of(cell: &str) -> Option<u32> {
    let letters: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
    if letters.is_empty() {
        return None;
    }
    letters
        .bytes()
        .try_fold(0u32, |acc, b| {
            Some(acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1))
        })
        .map(|n| n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_columns() {
        assert_eq!(column_of("A1"), Some(0));
        assert_eq!(column_of("L17"), Some(11));
        assert_eq!(column_of("AA3"), Some(26));
        assert_eq!(column_of("17"), None);
    }

    #[test]
    fn excel_sheet_names() {
        assert_eq!(sheet_name_for_excel("a/b"), "a_b");
        assert_eq!(sheet_name_for_excel("findings"), "Space Data");
        assert_eq!(sheet_name_for_excel(&"x".repeat(40)).len(), 31);
    }
}
