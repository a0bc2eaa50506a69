//! How much a workbook will cost to open, checked before the spreadsheet library opens it:
//! the inflated sizes a zip container (`.xlsx`, `.xlsb`, `.ods`) declares for its parts, and
//! the area the sheets of an `.xls` or `.ods` file span (the library reads those into dense
//! grids at open, so one stray cell far away would cost memory for every cell in between).
//! A file over a limit of [`super::limits`] is a [`LoadError::TooLarge`]; a file this module
//! cannot make sense of is left to the library, which says what is wrong with it.

use std::io::{BufReader, Cursor, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::LoadError;
use super::format::Format;
use super::limits::{self, MAX_CELL_CHARS, MAX_COLUMNS, MAX_DENSE_CELLS, MAX_FILE_BYTES, MAX_ROWS};

/// Refuse a file whose opening would cost more than the limits allow.
pub fn check(path: &Path, format: Format, bytes: &[u8]) -> Result<(), LoadError> {
    let too_large = |detail: String| LoadError::TooLarge {
        path: path.to_path_buf(),
        detail,
    };
    if matches!(format, Format::Xlsx | Format::Xlsb | Format::Ods) {
        limits::check_zip(bytes).map_err(|e| too_large(e.describe()))?;
    }
    let found = match format {
        Format::Xls => xls(bytes),
        Format::Ods => ods(bytes),
        _ => Ok(()),
    };
    found.map_err(|problem| match problem {
        Problem::TooLarge(detail) => too_large(detail),
        Problem::Corrupt(detail) => LoadError::Corrupt {
            path: path.to_path_buf(),
            format,
            detail,
        },
    })
}

/// What is wrong with a file before it is opened.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    TooLarge(String),
    Corrupt(String),
}

/// The used area of one sheet: the first and last row and column holding a value.
#[derive(Debug, Default, Clone, Copy)]
struct Extent {
    rows: Option<(u64, u64)>,
    columns: Option<(u64, u64)>,
}

impl Extent {
    /// Add the cells from (`row`, `col`) spanning `rows` rows and `columns` columns.
    fn add(&mut self, (row, col): (u64, u64), (rows, columns): (u64, u64)) {
        let widen = |span: Option<(u64, u64)>, first: u64, count: u64| {
            let last = first.saturating_add(count.max(1) - 1);
            Some(span.map_or((first, last), |(a, b)| (a.min(first), b.max(last))))
        };
        self.rows = widen(self.rows, row, rows);
        self.columns = widen(self.columns, col, columns);
    }

    /// Refuse a sheet whose dense grid would pass [`MAX_DENSE_CELLS`].
    fn check(&self, sheet: &str) -> Result<(), Problem> {
        let (Some((r0, r1)), Some((c0, c1))) = (self.rows, self.columns) else {
            return Ok(());
        };
        let (rows, columns) = (r1 - r0 + 1, c1 - c0 + 1);
        if rows.saturating_mul(columns) > MAX_DENSE_CELLS {
            return Err(Problem::TooLarge(dense_detail(sheet, rows, columns)));
        }
        Ok(())
    }
}

// ---- .xls: the BIFF records of the workbook stream ----

/// BIFF record types (MS-XLS 2.3).
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const MUL_RK: u16 = 0x00BD;
/// Records of one cell whose row and column are their first two 16-bit fields: Number,
/// Label, RString, BoolErr, RK, LabelSst, Formula (the ones calamine turns into cells).
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

/// Check every sheet of an .xls the way calamine will read it: from the position its
/// BoundSheet record gives, records up to the sheet's EOF, nested substreams skipped.
fn xls(bytes: &[u8]) -> Result<(), Problem> {
    let stream = workbook_stream(bytes)?;
    let mut positions = Vec::new();
    for (typ, data) in records(&stream) {
        match typ {
            BOUND_SHEET if data.len() >= 4 => positions.push(u32_at(data, 0)),
            EOF => break,
            _ => {}
        }
    }
    for (number, position) in positions.into_iter().enumerate() {
        let sheet = format!("{}", number + 1);
        let start = usize::try_from(position).unwrap_or(usize::MAX);
        let Some(records_of_sheet) = stream.get(start..) else {
            return Err(Problem::Corrupt(format!(
                "sheet {sheet} starts at byte {position}, past the end of the workbook"
            )));
        };
        xls_sheet(records_of_sheet, &sheet)?;
    }
    Ok(())
}

/// The "Workbook" (BIFF8) or "Book" (BIFF5) stream of the compound file.
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, Problem> {
    let corrupt = |e: std::io::Error| Problem::Corrupt(format!("its compound file: {e}"));
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(corrupt)?;
    let mut stream = file
        .open_stream("/Workbook")
        .or_else(|_| file.open_stream("/Book"))
        .map_err(corrupt)?;
    let mut data = Vec::new();
    (&mut stream)
        .take(MAX_FILE_BYTES)
        .read_to_end(&mut data)
        .map_err(corrupt)?;
    Ok(data)
}

fn xls_sheet(stream: &[u8], sheet: &str) -> Result<(), Problem> {
    let mut extent = Extent::default();
    let (mut seen_bof, mut depth) = (false, 0usize);
    for (typ, data) in records(stream) {
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => check_dimensions(data, sheet)?,
            MUL_RK if data.len() >= 6 => {
                let row = u64::from(u16_at(data, 0));
                let (first, last) = (u16_at(data, 2), u16_at(data, data.len() - 2));
                extent.add((row, u64::from(first.min(last))), (1, 1));
                extent.add((row, u64::from(first.max(last))), (1, 1));
            }
            t if CELL_RECORDS.contains(&t) && data.len() >= 4 => {
                let at = (u64::from(u16_at(data, 0)), u64::from(u16_at(data, 2)));
                extent.add(at, (1, 1));
            }
            _ => {}
        }
    }
    extent.check(sheet)
}

/// A Dimensions record as calamine reads it (MS-XLS 2.4.90): calamine reserves room for the
/// area it declares and computes its height without checking that it ends after it starts.
fn check_dimensions(data: &[u8], sheet: &str) -> Result<(), Problem> {
    let (first_row, end_row, mut first_col, end_col) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0)),
            u32::from(u16_at(data, 2)),
            u32::from(u16_at(data, 4)),
            u32::from(u16_at(data, 6)),
        ),
        14 | 16 => (
            u32_at(data, 0),
            u32_at(data, 4),
            u32::from(u16_at(data, 8)),
            u32::from(u16_at(data, 10)),
        ),
        _ => return Ok(()),
    };
    if first_col > 0xFF || end_col < first_col {
        first_col = 0;
    }
    if end_row == 0 || end_col == 0 {
        return Ok(());
    }
    let Some(rows) = end_row.checked_sub(first_row) else {
        return Err(Problem::Corrupt(format!(
            "sheet {sheet} declares a used area whose last row ({end_row}) is before its first \
             ({first_row})"
        )));
    };
    let columns = end_col - first_col;
    if u64::from(rows).saturating_mul(u64::from(columns)) > MAX_DENSE_CELLS {
        return Err(Problem::TooLarge(dense_detail(
            sheet,
            u64::from(rows),
            u64::from(columns),
        )));
    }
    Ok(())
}

/// The records of a BIFF stream: (type, data), until the stream ends or a record is cut.
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        if rest.len() < 4 {
            return None;
        }
        let typ = u16_at(rest, 0);
        let len = usize::from(u16_at(rest, 2));
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((typ, data))
    })
}

fn u16_at(data: &[u8], at: usize) -> u16 {
    match data.get(at..at + 2) {
        Some(&[a, b]) => u16::from_le_bytes([a, b]),
        _ => 0,
    }
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    match data.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

// ---- .ods: the tables of content.xml ----

/// Check every table of an .ods the way calamine will expand it: rows and cells repeated
/// (`number-rows-repeated`, `number-columns-repeated`, capped at Excel's bounds as calamine
/// caps them) and repeated spaces (`text:s text:c`, which calamine writes out one by one).
fn ods(bytes: &[u8]) -> Result<(), Problem> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    reader.config_mut().expand_empty_elements = true;
    let mut scan = OdsScan::default();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| Problem::Corrupt(format!("content.xml: {e}")))?;
        match event {
            Event::Start(e) => scan.start(&e)?,
            Event::End(e) => scan.end(e.name().as_ref())?,
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Where the scan of content.xml is.
#[derive(Default)]
struct OdsScan {
    tables: usize,
    extent: Extent,
    /// Rows of the current table so far (after repeats).
    rows: u64,
    /// The current row: its repeat count and the columns so far.
    row_repeats: u64,
    columns: u64,
    row_extent: Option<(u64, u64)>,
}

impl OdsScan {
    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), Problem> {
        match e.name().as_ref() {
            "table:table" => {
                self.tables += 1;
                self.extent = Extent::default();
                self.rows = 0;
            }
            "table:table-row" => {
                let repeats = number(e, "table:number-rows-repeated");
                self.row_repeats = repeats.min(u64::from(MAX_ROWS).saturating_sub(self.rows));
                self.columns = 0;
                self.row_extent = None;
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let room = u64::from(MAX_COLUMNS).saturating_sub(self.columns);
                let repeats = number(e, "table:number-columns-repeated").min(room);
                if holds_value(e) && repeats > 0 {
                    let last = self.columns + repeats - 1;
                    self.row_extent = Some(match self.row_extent {
                        Some((first, _)) => (first, last),
                        None => (self.columns, last),
                    });
                }
                self.columns = self.columns.saturating_add(repeats);
            }
            "text:s" => {
                let spaces = number(e, "text:c");
                if spaces > MAX_CELL_CHARS as u64 {
                    return Err(Problem::TooLarge(format!(
                        "a cell of table {} repeats a space {spaces} times, more than the \
                         {MAX_CELL_CHARS} characters a cell may hold",
                        self.tables.max(1)
                    )));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), Problem> {
        match name {
            "table:table-row" => {
                if let Some((first, last)) = self.row_extent {
                    let at = (self.rows, first);
                    self.extent.add(at, (self.row_repeats, last - first + 1));
                }
                self.rows = self.rows.saturating_add(self.row_repeats);
            }
            "table:table" => self.extent.check(&self.tables.to_string())?,
            _ => {}
        }
        Ok(())
    }
}

/// A repeat count attribute (1 when absent or unreadable, as calamine would fail on it).
fn number(e: &BytesStart<'_>, key: &str) -> u64 {
    e.try_get_attribute(key)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse().ok())
        .unwrap_or(1)
}

/// Whether a cell holds a value or a formula (as calamine decides, or more).
fn holds_value(e: &BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| {
        matches!(
            a.key.as_ref(),
            "office:value"
                | "office:value-type"
                | "office:string-value"
                | "office:date-value"
                | "office:time-value"
                | "office:boolean-value"
                | "calcext:value-type"
                | "table:formula"
        )
    })
}

/// The message for a sheet whose dense grid would be `rows` × `columns`.
fn dense_detail(sheet: &str, rows: u64, columns: u64) -> String {
    format!(
        "sheet \"{sheet}\" spans {rows} rows × {columns} columns ({} cells), more than the \
         {MAX_DENSE_CELLS} this format can be read with; delete the stray cells far from the \
         data, or save the file as .xlsx",
        rows.saturating_mul(columns)
    )
}
