//! Opening the file in the format its content shows, and finding the data sheet: the chosen
//! sheet, or the first whose top rows hold a header row. Also describes the sheet's columns
//! (recognised, extra, duplicated, missing) as findings.
//!
//! Sheets are read into a [`Grid`] of their non-empty cells. `.xlsx` and `.xlsb` sheets are
//! streamed cell by cell, so no dense grid is ever built; `.xls` and `.ods` files, which the
//! spreadsheet library reads whole into dense grids, have their extent checked first
//! ([`super::extent`]). A cell beyond Excel's last row or column is not read (a finding), a
//! cell longer than Excel allows is cut, and a sheet of more than [`MAX_CELLS`] values is
//! refused.

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{Cell, CellErrorType, Data, DataRef, Reader, Sheets};

use super::columns::{self, Column, HEADER_SEARCH_ROWS, OFFICIAL_HEADER_ROW};
use super::diagnostic::{Code, Diagnostic, column_letter};
use super::format::Format;
use super::grid::{Grid, GridRow, RowView, SheetCell};
use super::limits::{MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_ROWS};
use super::{LoadError, LoadOptions, SheetColumn, csv_sheet, extent};
use crate::domain::text::{cut_chars, visible};

/// The sheet that holds the data, with its header row found and its columns described.
pub struct DataSheet {
    pub name: String,
    /// The cells read whole: every cell of the sheet, or for a streamed `.xlsx` sheet only its
    /// top rows unless all were asked for.
    pub grid: Grid,
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

/// What the loader does with each data row, as it is read: the sheet it belongs to (its
/// header row and columns found) and the row.
pub type OnRow<'f> = &'f mut dyn FnMut(&DataSheet, RowView<'_>);

/// How often (in rows) a load checks whether it was cancelled.
const CANCEL_CHECK_ROWS: u32 = 4096;

/// Open the file, find its data sheet and hand every data row to `on_row` as it is read.
/// The sheet returned holds the cells read whole ([`DataSheet::grid`]): all of them for every
/// format but `.xlsx`, whose rows are streamed and kept only when `keep_cells` asks for them
/// (the annotated copy needs them).
pub fn read_data_sheet(
    path: &Path,
    format: Format,
    bytes: Vec<u8>,
    options: &LoadOptions,
    keep_cells: bool,
    on_row: OnRow<'_>,
) -> Result<DataSheet, LoadError> {
    let mut book = match open(path, format, bytes)? {
        Book::Workbook(book) => book,
        Book::Csv(grid) => {
            let name = csv_sheet_name(path);
            let read = SheetRead {
                grid,
                out_of_range: OutOfRange::default(),
            };
            return from_grid(&name, read, options, on_row)
                .map_err(|e| e.into_load(path, format, &name))?
                .ok_or_else(|| LoadError::NoHeaderRow {
                    path: path.to_path_buf(),
                    sheets: name.clone(),
                });
        }
    };
    let names = book.sheet_names();
    let candidates = match &options.sheet {
        Some(wanted) => vec![
            names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(wanted))
                .ok_or_else(|| LoadError::NoSuchSheet {
                    path: path.to_path_buf(),
                    sheet: visible(wanted).into_owned(),
                    available: visible(&names.join(", ")).into_owned(),
                })?
                .clone(),
        ],
        None => names.clone(),
    };
    for name in &candidates {
        if options.cancelled() {
            return Err(LoadError::Cancelled {
                path: path.to_path_buf(),
            });
        }
        let found = data_sheet(&mut book, name, options, keep_cells, on_row)
            .map_err(|e| e.into_load(path, format, name))?;
        if let Some(mut sheet) = found {
            note_ignored_sheets(&mut sheet, &names);
            return Ok(sheet);
        }
    }
    Err(LoadError::NoHeaderRow {
        path: path.to_path_buf(),
        sheets: visible(&candidates.join(", ")).into_owned(),
    })
}

/// Sheet `name` as the data sheet, its rows handed to `on_row`; `None` when it has no header
/// row. `.xlsx` sheets are streamed; the other formats are read into a grid first.
fn data_sheet(
    book: &mut Sheets<Cursor<Vec<u8>>>,
    name: &str,
    options: &LoadOptions,
    keep_cells: bool,
    on_row: OnRow<'_>,
) -> Result<Option<DataSheet>, SheetError> {
    if let Sheets::Xlsx(xlsx) = book {
        let mut reader = xlsx
            .worksheet_cells_reader(name)
            .map_err(|e| SheetError::Library(e.to_string()))?;
        let next = || {
            reader
                .next_cell()
                .map_err(|e| SheetError::Library(e.to_string()))
        };
        return stream(name, next, options, keep_cells, on_row);
    }
    let read = read_sheet(book, name, Rows::All)?;
    from_grid(name, read, options, on_row)
}

/// A sheet read whole as the data sheet, its data rows handed to `on_row`.
fn from_grid(
    name: &str,
    read: SheetRead,
    options: &LoadOptions,
    on_row: OnRow<'_>,
) -> Result<Option<DataSheet>, SheetError> {
    let Some(mut sheet) = describe(name, read.grid) else {
        return Ok(None);
    };
    sheet.note_out_of_range(&read.out_of_range);
    feed_grid(&sheet, options, on_row)?;
    Ok(Some(sheet))
}

/// Hand the rows of the sheet's grid below its header row to `on_row`.
fn feed_grid(
    sheet: &DataSheet,
    options: &LoadOptions,
    on_row: OnRow<'_>,
) -> Result<(), SheetError> {
    let mut buffer = Vec::new();
    // `header_row` is 1-based: as a 0-based index it is the first row below the headers.
    for (i, row) in sheet.grid.rows_from(sheet.header_row).enumerate() {
        if (i as u32).is_multiple_of(CANCEL_CHECK_ROWS) && options.cancelled() {
            return Err(SheetError::Cancelled);
        }
        on_row(sheet, row.view(&mut buffer));
    }
    Ok(())
}

/// Stream a sheet: its top rows are kept to find the header row in; when there is one, every
/// later row is handed to `on_row` as soon as its last cell is read, its text borrowed from the
/// workbook's string table, and dropped (kept only with `keep_cells`). Rows are taken in the
/// order the file stores them, which Excel and LibreOffice keep sorted.
fn stream<'a>(
    name: &str,
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, SheetError>,
    options: &LoadOptions,
    keep_cells: bool,
    on_row: OnRow<'_>,
) -> Result<Option<DataSheet>, SheetError> {
    let mut out_of_range = OutOfRange::default();
    let mut top = Vec::new();
    let mut pending = None;
    let mut first_row = None;
    // The reader must not be asked again once it has said the sheet ended.
    let mut ended = true;
    while let Some(cell) = next()? {
        let Some((row, col, value)) = admit(&cell, &mut out_of_range) else {
            continue;
        };
        let first = *first_row.get_or_insert(row);
        if row >= first.saturating_add(HEADER_SEARCH_ROWS as u32) {
            pending = Some((row, col, value));
            ended = false;
            break;
        }
        top.push(SheetCell {
            row,
            col,
            value: Data::from(value),
        });
    }
    let Some(mut sheet) = describe(name, Grid::from_cells(top)) else {
        return Ok(None);
    };
    feed_grid(&sheet, options, on_row)?;
    let mut kept = Vec::new();
    let mut row = StreamedRow::default();
    while !ended {
        let (index, col, value) = match pending.take() {
            Some(cell) => cell,
            None => match next()? {
                Some(cell) => match admit(&cell, &mut out_of_range) {
                    Some(cell) => cell,
                    None => continue,
                },
                None => {
                    ended = true;
                    continue;
                }
            },
        };
        if row.index.is_some_and(|r| r != index) {
            row.hand_over(&sheet, options, on_row)?;
        }
        row.index = Some(index);
        if keep_cells {
            if kept.len() + sheet.grid.len() >= MAX_CELLS {
                return Err(SheetError::TooManyCells);
            }
            kept.push(SheetCell {
                row: index,
                col,
                value: Data::from(value.clone()),
            });
        }
        row.cells.push((col, value));
    }
    row.hand_over(&sheet, options, on_row)?;
    if keep_cells {
        let mut cells = std::mem::take(&mut sheet.grid).into_cells();
        cells.extend(kept);
        sheet.grid = Grid::from_cells(cells);
    }
    sheet.note_out_of_range(&out_of_range);
    Ok(Some(sheet))
}

/// The row being streamed: its index and its cells so far.
#[derive(Default)]
struct StreamedRow<'a> {
    index: Option<u32>,
    cells: Vec<(u32, DataRef<'a>)>,
    /// Rows handed over so far.
    count: u32,
}

impl StreamedRow<'_> {
    /// Hand the row to `on_row` (its cells sorted by column) and start the next.
    fn hand_over(
        &mut self,
        sheet: &DataSheet,
        options: &LoadOptions,
        on_row: OnRow<'_>,
    ) -> Result<(), SheetError> {
        let Some(index) = self.index.take() else {
            return Ok(());
        };
        if !self.cells.is_sorted_by_key(|(col, _)| *col) {
            self.cells.sort_by_key(|(col, _)| *col);
        }
        on_row(
            sheet,
            RowView {
                index,
                cells: &self.cells,
            },
        );
        self.cells.clear();
        self.count += 1;
        if self.count.is_multiple_of(CANCEL_CHECK_ROWS) && options.cancelled() {
            return Err(SheetError::Cancelled);
        }
        Ok(())
    }
}

/// A streamed cell as the reader keeps it: `None` when empty, or beyond Excel's last row or
/// column (counted in `out`); text longer than [`MAX_CELL_CHARS`] cut.
fn admit<'a>(cell: &Cell<DataRef<'a>>, out: &mut OutOfRange) -> Option<(u32, u32, DataRef<'a>)> {
    let (row, col) = cell.get_position();
    if row >= MAX_ROWS || col >= MAX_COLUMNS {
        out.count += 1;
        out.first.get_or_insert((row, col));
        return None;
    }
    let value = match cell.get_value() {
        DataRef::Empty => return None,
        DataRef::SharedString(s) if s.len() > MAX_CELL_CHARS => {
            DataRef::String(cut_chars(s, MAX_CELL_CHARS).into_owned())
        }
        DataRef::String(s) if s.len() > MAX_CELL_CHARS => {
            DataRef::String(cut_chars(s, MAX_CELL_CHARS).into_owned())
        }
        other => other.clone(),
    };
    Some((row, col, value))
}

/// The name a CSV file's only (pseudo-)sheet goes by: the file's name without extension.
fn csv_sheet_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| visible(&s.to_string_lossy()).into_owned())
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
/// file like [`read_data_sheet`] does; of each sheet only the top rows are read.
pub fn sheet_infos(
    path: &Path,
    format: Format,
    bytes: Vec<u8>,
) -> Result<Vec<SheetInfo>, LoadError> {
    let mut book = match open(path, format, bytes)? {
        Book::Workbook(book) => book,
        Book::Csv(grid) => {
            return Ok(vec![SheetInfo {
                name: csv_sheet_name(path),
                has_header: header_offset(&grid).is_some(),
            }]);
        }
    };
    let names = book.sheet_names();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let read = read_sheet(&mut book, &name, Rows::Top)
            .map_err(|e| e.into_load(path, format, &name))?;
        sheets.push(SheetInfo {
            has_header: header_offset(&read.grid).is_some(),
            name: visible(&name).into_owned(),
        });
    }
    Ok(sheets)
}

/// How much of a sheet to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    All,
    /// The rows the header row is looked for in (and a little more, as rows may come out of
    /// order).
    Top,
}

/// A sheet as read: its cells, and the cells that were left out for lying beyond Excel's
/// last row or column.
struct SheetRead {
    grid: Grid,
    out_of_range: OutOfRange,
}

/// Cells beyond Excel's last row or column: how many, and the first one's position.
#[derive(Debug, Default)]
struct OutOfRange {
    count: usize,
    first: Option<(u32, u32)>,
}

/// Why a sheet could not be read.
enum SheetError {
    Library(String),
    TooManyCells,
    Cancelled,
}

impl SheetError {
    fn into_load(self, path: &Path, format: Format, sheet: &str) -> LoadError {
        match self {
            SheetError::Library(detail) => LoadError::Corrupt {
                path: path.to_path_buf(),
                format,
                detail: visible(&format!("sheet \"{sheet}\": {detail}")).into_owned(),
            },
            SheetError::Cancelled => LoadError::Cancelled {
                path: path.to_path_buf(),
            },
            SheetError::TooManyCells => LoadError::TooLarge {
                path: path.to_path_buf(),
                detail: format!(
                    "sheet \"{}\" holds more than {MAX_CELLS} non-empty cells",
                    visible(sheet)
                ),
            },
        }
    }
}

/// The cells of a sheet. `.xlsx` and `.xlsb` sheets are streamed; in `.xlsb` files calamine
/// 0.38 drops formula cells whose cached result is an error, so they are put back as an error
/// value (reported, not read as blank).
fn read_sheet(
    book: &mut Sheets<Cursor<Vec<u8>>>,
    name: &str,
    rows: Rows,
) -> Result<SheetRead, SheetError> {
    let library = |e: &dyn std::fmt::Display| SheetError::Library(e.to_string());
    match book {
        Sheets::Xlsx(xlsx) => {
            let mut reader = xlsx.worksheet_cells_reader(name).map_err(|e| library(&e))?;
            let reserve = reader.dimensions().len();
            collect(
                || reader.next_cell().map_err(|e| library(&e)),
                reserve,
                rows,
            )
        }
        Sheets::Xlsb(xlsb) => {
            let mut read = {
                let mut reader = xlsb.worksheet_cells_reader(name).map_err(|e| library(&e))?;
                let reserve = reader.dimensions().len();
                collect(
                    || reader.next_cell().map_err(|e| library(&e)),
                    reserve,
                    rows,
                )?
            };
            restore_formula_errors(xlsb, name, &mut read.grid);
            Ok(read)
        }
        Sheets::Xls(_) | Sheets::Ods(_) => {
            let range = book.worksheet_range(name).map_err(|e| library(&e))?;
            let grid = Grid::from_range(range);
            if grid.len() > MAX_CELLS {
                return Err(SheetError::TooManyCells);
            }
            Ok(SheetRead {
                grid,
                out_of_range: OutOfRange::default(),
            })
        }
    }
}

/// Stream cells from `next` into a grid: empty cells skipped, cells beyond Excel's bounds
/// counted and left out, long text cut, at most [`MAX_CELLS`]. With [`Rows::Top`] the stream
/// stops once past the rows the header row is looked for in.
fn collect<'a>(
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, SheetError>,
    declared: u64,
    rows: Rows,
) -> Result<SheetRead, SheetError> {
    let mut cells =
        Vec::with_capacity(usize::try_from(declared.min(MAX_CELLS as u64)).unwrap_or(0));
    let mut out_of_range = OutOfRange::default();
    let mut first_row: Option<u32> = None;
    while let Some(cell) = next()? {
        let Some((row, col, value)) = admit(&cell, &mut out_of_range) else {
            continue;
        };
        let top = *first_row.get_or_insert(row);
        if rows == Rows::Top && row > top.saturating_add(2 * HEADER_SEARCH_ROWS as u32) {
            break;
        }
        if cells.len() == MAX_CELLS {
            return Err(SheetError::TooManyCells);
        }
        cells.push(SheetCell {
            row,
            col,
            value: Data::from(value),
        });
    }
    Ok(SheetRead {
        grid: Grid::from_cells(cells),
        out_of_range,
    })
}

/// Put back the `.xlsb` formula cells whose cached error calamine does not return.
fn restore_formula_errors<RS: Read + Seek>(
    xlsb: &mut calamine::Xlsb<RS>,
    name: &str,
    grid: &mut Grid,
) {
    let Ok(mut reader) = xlsb.worksheet_cells_reader(name) else {
        return;
    };
    let mut missing = Vec::new();
    while let Ok(Some(formula)) = reader.next_formula() {
        let (row, col) = formula.get_position();
        if !formula.get_value().is_empty() && grid.get(row, col).is_none() {
            missing.push((row, col));
        }
    }
    for (row, col) in missing {
        grid.set(row, col, Data::Error(UNKNOWN_FORMULA_ERROR));
    }
}

/// The error value given to a formula cell whose cached error the reader could not see.
pub const UNKNOWN_FORMULA_ERROR: CellErrorType = CellErrorType::GettingData;

enum Book {
    Workbook(Box<Sheets<Cursor<Vec<u8>>>>),
    Csv(Grid),
}

fn open(path: &Path, format: Format, bytes: Vec<u8>) -> Result<Book, LoadError> {
    let corrupt = |detail: String| LoadError::Corrupt {
        path: path.to_path_buf(),
        format,
        detail: visible(&detail).into_owned(),
    };
    extent::check(path, format, &bytes)?;
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
            let grid = csv_sheet::read(cursor.get_ref()).map_err(|e| match e {
                csv_sheet::CsvError::TooManyCells => LoadError::TooLarge {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                },
                e @ csv_sheet::CsvError::Csv(_) => corrupt(e.to_string()),
            })?;
            return Ok(Book::Csv(grid));
        }
        Format::Encrypted => {
            return Err(LoadError::Encrypted {
                path: path.to_path_buf(),
            });
        }
        found @ (Format::OtherZip | Format::Html | Format::Pdf | Format::Unknown) => {
            return Err(LoadError::not_a_spreadsheet(path, found));
        }
    };
    Ok(Book::Workbook(Box::new(book)))
}

/// Find the header row among the first rows of the sheet and describe the columns; `None`
/// when no row looks like a header row.
fn describe(name: &str, grid: Grid) -> Option<DataSheet> {
    let header_index = header_offset(&grid)?;
    let header_row = header_index + 1;
    let headers = grid.row(header_index);
    let captions = header_index.checked_sub(1).map(|above| grid.row(above));
    let name = visible(name).into_owned();
    let mut sheet = DataSheet {
        name,
        header_row,
        columns: Vec::new(),
        positions: [None; Column::ALL.len()],
        notes: Vec::new(),
        grid: Grid::default(),
    };
    for cell in headers.cells {
        let header = visible(header_text(&cell.value).trim()).into_owned();
        if header.is_empty() {
            continue;
        }
        let caption = captions
            .and_then(|row| row.get(cell.col))
            .map(|c| visible(header_text(c).trim()).into_owned())
            .filter(|c| !c.is_empty() && *c != header);
        let column = Column::recognise(&header);
        sheet.add_column(cell.col, header, caption, column);
    }
    sheet.note_missing_columns();
    if header_row != OFFICIAL_HEADER_ROW {
        let recognised = sheet.columns.iter().filter(|c| c.column.is_some()).count();
        sheet.notes.push(Diagnostic {
            row: header_row,
            cell: format!("A{header_row}"),
            ..Diagnostic::file(
                Code::HeaderRowMoved,
                &sheet.name,
                format!(
                    "the headers were found on row {header_row}, not on row {OFFICIAL_HEADER_ROW} \
                     where the template keeps them ({recognised} template columns recognised \
                     there); check that this row is the header row"
                ),
            )
        });
    }
    sheet.grid = grid;
    Some(sheet)
}

/// The 0-based row of the header row among the first [`HEADER_SEARCH_ROWS`] rows from the
/// sheet's first row with a value; `None` when no row looks like one.
fn header_offset(grid: &Grid) -> Option<u32> {
    let (top, _) = grid.start()?;
    let last = top.saturating_add(HEADER_SEARCH_ROWS as u32);
    grid.rows()
        .take_while(|row| row.index < last)
        .map(|row| (row.index, header_score(row)))
        .filter(|(_, score)| score.is_header())
        // Highest rank wins; the earliest row among equals.
        .max_by(|a, b| a.1.rank().cmp(&b.1.rank()).then(b.0.cmp(&a.0)))
        .map(|(index, _)| index)
}

fn header_score(row: GridRow<'_>) -> columns::HeaderScore {
    columns::header_score(row.values().map(header_text))
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

    /// One finding for the cells left out for lying beyond Excel's last row or column.
    fn note_out_of_range(&mut self, out: &OutOfRange) {
        let Some((row, col)) = out.first else {
            return;
        };
        let rows = u64::from(row) + 1;
        let shown = if col < MAX_COLUMNS {
            format!("{}{rows}", column_letter(col))
        } else {
            format!("row {rows}, column {}", u64::from(col) + 1)
        };
        self.notes.push(
            Diagnostic::file(
                Code::CellOutOfRange,
                &self.name,
                format!(
                    "{} cell{} lie{} beyond the last row ({MAX_ROWS}) or column ({MAX_COLUMNS}) a \
                 spreadsheet can have, the first at {shown}: not read. The file was probably \
                 written by a broken tool: open it in Excel and save it again",
                    out.count,
                    if out.count == 1 { "" } else { "s" },
                    if out.count == 1 { "s" } else { "" },
                ),
            )
            .with_value(&shown),
        );
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
    for other in names
        .iter()
        .map(|n| visible(n))
        .filter(|n| **n != sheet.name)
    {
        sheet.notes.push(Diagnostic::file(
            Code::IgnoredSheet,
            &other,
            format!(
                "sheet \"{other}\" was not read: the data comes from sheet \"{}\"",
                sheet.name
            ),
        ));
    }
}
