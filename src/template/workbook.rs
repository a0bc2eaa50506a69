//! Opening the file in the format its content shows, and finding the data sheet: the chosen
//! sheet, or the first whose top rows hold a header row. Also describes the sheet's columns
//! (recognised, extra, duplicated, missing) as findings.

use std::io::Cursor;
use std::path::Path;

use calamine::{CellErrorType, Data, Range, Reader, Sheets};

use super::columns::{self, Column, HEADER_SEARCH_ROWS, OFFICIAL_HEADER_ROW};
use super::diagnostic::{Code, Diagnostic, column_letter};
use super::format::Format;
use super::{LoadError, LoadOptions, SheetColumn, csv_sheet};

/// The sheet that holds the data, with its header row found and its columns described.
pub struct DataSheet {
    pub name: String,
    pub range: Range<Data>,
    /// 1-based row of the headers, as the customer sees it.
    pub header_row: u32,
    pub columns: Vec<SheetColumn>,
    /// Where each template column is: the absolute 0-based sheet column.
    pub positions: [Option<u32>; Column::ALL.len()],
    /// Findings about the file, the sheets and the header row.
    pub notes: Vec<Diagnostic>,
}

impl DataSheet {
    pub fn position(&self, column: Column) -> Option<u32> {
        self.positions[column as usize]
    }
}

/// Open the file and return its data sheet.
pub fn find_data_sheet(
    path: &Path,
    format: Format,
    bytes: Vec<u8>,
    options: &LoadOptions,
) -> Result<DataSheet, LoadError> {
    let mut book = match open(path, format, bytes)? {
        Book::Workbook(book) => book,
        Book::Csv(range) => {
            let name = csv_sheet_name(path);
            return describe(&name, range).ok_or_else(|| LoadError::NoHeaderRow {
                path: path.to_path_buf(),
                sheets: name.clone(),
            });
        }
    };
    let names = book.sheet_names();
    let corrupt = |detail: String| LoadError::Corrupt {
        path: path.to_path_buf(),
        format,
        detail,
    };
    if let Some(wanted) = &options.sheet {
        let name = names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| LoadError::NoSuchSheet {
                path: path.to_path_buf(),
                sheet: wanted.clone(),
                available: names.join(", "),
            })?
            .clone();
        let range = read_range(&mut book, &name).map_err(|e| corrupt(e.to_string()))?;
        let mut sheet = describe(&name, range).ok_or_else(|| LoadError::NoHeaderRow {
            path: path.to_path_buf(),
            sheets: name.clone(),
        })?;
        note_ignored_sheets(&mut sheet, &names);
        return Ok(sheet);
    }
    for name in &names {
        if options.cancelled() {
            return Err(LoadError::Cancelled {
                path: path.to_path_buf(),
            });
        }
        let range =
            read_range(&mut book, name).map_err(|e| corrupt(format!("sheet \"{name}\": {e}")))?;
        if let Some(mut sheet) = describe(name, range) {
            note_ignored_sheets(&mut sheet, &names);
            return Ok(sheet);
        }
    }
    Err(LoadError::NoHeaderRow {
        path: path.to_path_buf(),
        sheets: names.join(", "),
    })
}

/// The name a CSV file's only (pseudo-)sheet goes by: the file's name without extension.
fn csv_sheet_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "csv".into())
}

/// A sheet of a template file, as the Load screen offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    pub name: String,
    /// Whether one of its first [`HEADER_SEARCH_ROWS`] rows looks like the header row.
    pub has_header: bool,
}

/// Every sheet of the file, in workbook order, with whether it holds a header row. Opens the
/// file like [`find_data_sheet`] does; rows are not read or checked.
pub fn sheet_infos(
    path: &Path,
    format: Format,
    bytes: Vec<u8>,
) -> Result<Vec<SheetInfo>, LoadError> {
    let mut book = match open(path, format, bytes)? {
        Book::Workbook(book) => book,
        Book::Csv(range) => {
            return Ok(vec![SheetInfo {
                name: csv_sheet_name(path),
                has_header: header_offset(&range).is_some(),
            }]);
        }
    };
    let names = book.sheet_names();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = read_range(&mut book, &name).map_err(|e| LoadError::Corrupt {
            path: path.to_path_buf(),
            format,
            detail: format!("sheet \"{name}\": {e}"),
        })?;
        sheets.push(SheetInfo {
            has_header: header_offset(&range).is_some(),
            name,
        });
    }
    Ok(sheets)
}

/// The cells of a sheet. In .xlsb files calamine 0.38 drops formula cells whose cached result
/// is an error; they are put back as an error value so that they are reported, not read as blank.
fn read_range(
    book: &mut Sheets<Cursor<Vec<u8>>>,
    name: &str,
) -> Result<Range<Data>, calamine::Error> {
    let mut range = book.worksheet_range(name)?;
    if let Sheets::Xlsb(xlsb) = book
        && let Ok(formulas) = xlsb.worksheet_formula(name)
    {
        for (row, col, formula) in formulas.used_cells() {
            let at = match formulas.start() {
                Some((r0, c0)) => (r0 + row as u32, c0 + col as u32),
                None => continue,
            };
            let blank = range.get_value(at).is_none_or(|d| *d == Data::Empty);
            if blank && !formula.is_empty() {
                range.set_value(at, Data::Error(UNKNOWN_FORMULA_ERROR));
            }
        }
    }
    Ok(range)
}

/// The error value given to a formula cell whose cached error the reader could not see.
pub const UNKNOWN_FORMULA_ERROR: CellErrorType = CellErrorType::GettingData;

enum Book {
    Workbook(Box<Sheets<Cursor<Vec<u8>>>>),
    Csv(Range<Data>),
}

fn open(path: &Path, format: Format, bytes: Vec<u8>) -> Result<Book, LoadError> {
    let corrupt = |detail: String| LoadError::Corrupt {
        path: path.to_path_buf(),
        format,
        detail,
    };
    let cursor = Cursor::new(bytes);
    let book = match format {
        Format::Xlsx => {
            Sheets::Xlsx(calamine::Xlsx::new(cursor).map_err(|e| corrupt(e.to_string()))?)
        }
        Format::Xlsb => {
            Sheets::Xlsb(calamine::Xlsb::new(cursor).map_err(|e| corrupt(e.to_string()))?)
        }
        Format::Ods => Sheets::Ods(calamine::Ods::new(cursor).map_err(|e| match e {
            calamine::OdsError::Password => LoadError::Encrypted {
                path: path.to_path_buf(),
            },
            e => corrupt(e.to_string()),
        })?),
        Format::Xls => Sheets::Xls(calamine::Xls::new(cursor).map_err(|e| match e {
            calamine::XlsError::Password => LoadError::Encrypted {
                path: path.to_path_buf(),
            },
            e => corrupt(e.to_string()),
        })?),
        Format::Csv => {
            let range = csv_sheet::read(cursor.get_ref()).map_err(|e| corrupt(e.to_string()))?;
            return Ok(Book::Csv(range));
        }
        Format::Encrypted => {
            return Err(LoadError::Encrypted {
                path: path.to_path_buf(),
            });
        }
        found @ (Format::OtherZip | Format::Html | Format::Pdf | Format::Unknown) => {
            return Err(LoadError::NotASpreadsheet {
                path: path.to_path_buf(),
                found,
                hint: not_a_spreadsheet_hint(found),
            });
        }
    };
    Ok(Book::Workbook(Box::new(book)))
}

fn not_a_spreadsheet_hint(found: Format) -> &'static str {
    match found {
        Format::Html => {
            "; some tools save an HTML page with an .xls name: open it in Excel and save as .xlsx"
        }
        Format::Unknown => {
            "; if it is a CSV in another encoding (e.g. Latin-1), save it again as UTF-8 CSV"
        }
        _ => "",
    }
}

/// Find the header row among the first rows of `range` and describe the columns; `None`
/// when no row looks like a header row.
fn describe(name: &str, range: Range<Data>) -> Option<DataSheet> {
    let (start_row, start_col) = range.start()?;
    let relative = header_offset(&range)?;
    let header_row = start_row + relative as u32 + 1;
    let headers = range.rows().nth(relative)?;
    let captions = relative
        .checked_sub(1)
        .and_then(|above| range.rows().nth(above));
    let mut sheet = DataSheet {
        name: name.to_string(),
        header_row,
        columns: Vec::new(),
        positions: [None; Column::ALL.len()],
        notes: Vec::new(),
        range: Range::empty(),
    };
    for (offset, cell) in headers.iter().enumerate() {
        let header = header_text(cell).trim().to_string();
        if header.is_empty() {
            continue;
        }
        let index = start_col + offset as u32;
        let caption = captions
            .and_then(|row| row.get(offset))
            .map(|c| header_text(c).trim().to_string())
            .filter(|c| !c.is_empty() && *c != header);
        let column = Column::recognise(&header);
        sheet.add_column(index, header, caption, column);
    }
    sheet.note_missing_columns();
    if header_row != OFFICIAL_HEADER_ROW {
        let recognised = sheet.columns.iter().filter(|c| c.column.is_some()).count();
        sheet.notes.push(Diagnostic {
            row: header_row,
            cell: format!("A{header_row}"),
            ..Diagnostic::file(
                Code::HeaderRowMoved,
                name,
                format!(
                    "the headers were found on row {header_row}, not on row {OFFICIAL_HEADER_ROW} \
                     where the template keeps them ({recognised} template columns recognised \
                     there); check that this row is the header row"
                ),
            )
        });
    }
    sheet.range = range;
    Some(sheet)
}

/// The 0-based offset, from the range's first row, of the header row among the first
/// [`HEADER_SEARCH_ROWS`] rows; `None` when no row looks like one.
fn header_offset(range: &Range<Data>) -> Option<usize> {
    range
        .rows()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .map(|(i, row)| (i, columns::header_score(row.iter().map(header_text))))
        .filter(|(_, score)| score.is_header())
        // Highest rank wins; the earliest row among equals.
        .max_by(|a, b| a.1.rank().cmp(&b.1.rank()).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// The text of a header cell; numbers and other types never name a column.
fn header_text(cell: &Data) -> &str {
    match cell {
        Data::String(s) => s,
        _ => "",
    }
}

impl DataSheet {
    fn add_column(
        &mut self,
        index: u32,
        header: String,
        caption: Option<String>,
        column: Option<Column>,
    ) {
        let letter = column_letter(index);
        let cell = format!("{letter}{}", self.header_row);
        match column {
            Some(c) if self.positions[c as usize].is_some() => {
                let first = self.positions[c as usize]
                    .map(column_letter)
                    .unwrap_or_default();
                self.notes.push(Diagnostic {
                    cell,
                    row: self.header_row,
                    column: header.clone(),
                    ..Diagnostic::file(
                        Code::DuplicateColumn,
                        &self.name,
                        format!(
                            "\"{header}\" names the {} column again; column {first} is used and \
                             this one is ignored: delete or rename one of them",
                            c.header()
                        ),
                    )
                    .with_value(&header)
                });
            }
            Some(c) => self.positions[c as usize] = Some(index),
            None => self.notes.push(Diagnostic {
                cell,
                row: self.header_row,
                column: header.clone(),
                ..Diagnostic::file(
                    Code::ExtraColumn,
                    &self.name,
                    format!(
                        "\"{header}\" is not a template column; its values are kept as an extra \
                         attribute of each space"
                    ),
                )
                .with_value(&header)
            }),
        }
        self.columns.push(SheetColumn {
            index,
            letter,
            header,
            caption,
            column,
        });
    }

    fn note_missing_columns(&mut self) {
        let mut missing: Vec<String> = Column::ALL
            .into_iter()
            .filter(|c| c.is_required() && self.position(*c).is_none())
            .map(|c| c.header().to_string())
            .collect();
        if self.position(Column::BuildingName).is_none()
            && self.position(Column::BuildingCode).is_none()
        {
            missing.insert(0, "Building Name or Building Code".to_string());
        }
        for header in missing {
            self.notes.push(Diagnostic {
                row: self.header_row,
                column: header.clone(),
                ..Diagnostic::file(
                    Code::MissingColumn,
                    &self.name,
                    format!(
                        "the required column \"{header}\" is not on the header row (row {}): add \
                         it with that header",
                        self.header_row
                    ),
                )
            });
        }
    }
}

fn note_ignored_sheets(sheet: &mut DataSheet, names: &[String]) {
    for other in names.iter().filter(|n| **n != sheet.name) {
        sheet.notes.push(Diagnostic::file(
            Code::IgnoredSheet,
            other,
            format!(
                "sheet \"{other}\" was not read: the data comes from sheet \"{}\"",
                sheet.name
            ),
        ));
    }
}
