//! The Space Data template: a customer's file in, a [`Portfolio`] and every finding out.
//!
//! [`load`] reads the bytes (a regular file, within the [`limits`]), tells the format from the
//! content ([`mod@format`]), checks what opening it would cost, opens the workbook (calamine,
//! streamed into a sparse [`grid`] where it can) or the CSV ([`csv_sheet`]), finds the data
//! sheet and its header row ([`columns`]), then reads and checks every row ([`validate`]). Findings are
//! [`Diagnostic`]s with stable codes and cells as the customer sees them; [`annotate`] writes
//! them back into an XLSX copy for the customer. [`writer`] is the one writer of the template's
//! layout (a portfolio as a template file, and every cell of the annotated copy). A file that
//! cannot be read at all is a [`LoadError`]; a file that can be read is never an error, however
//! broken its rows.
//! This module does no network or database work and never prints.

pub mod annotate;
pub mod cells;
pub mod columns;
pub mod csv_sheet;
pub mod diagnostic;
mod extent;
pub mod format;
pub mod generate;
pub mod grid;
pub mod limits;
mod source;
pub mod validate;
mod workbook;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::domain::{CountryCode, Portfolio, PortfolioCounts};
pub use columns::Column;
pub use diagnostic::{Code, Diagnostic, Severity, Tally};
pub use format::Format;
pub use workbook::SheetInfo;

/// What the operator chose when loading.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Read this sheet instead of the first one with a header row.
    pub sheet: Option<String>,
    /// Country of buildings whose state code is not a US state or Canadian province.
    pub country: Option<CountryCode>,
    /// Set to stop a load early (the TUI's cancel); checked between sheets and rows.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl LoadOptions {
    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// A column of the data sheet as the file has it.
#[derive(Debug, Clone, Serialize)]
pub struct SheetColumn {
    /// 0-based index in the sheet.
    pub index: u32,
    /// "A", "B", ...
    pub letter: String,
    /// The header as written on the header row.
    pub header: String,
    /// The customer's own caption from the row above the machine headers, if any.
    pub caption: Option<String>,
    /// The template column it was recognised as; `None` for an extra column.
    #[serde(skip)]
    pub column: Option<Column>,
}

/// A template that could be read: its portfolio and findings.
#[derive(Debug, Clone, Serialize)]
pub struct Loaded {
    pub file: PathBuf,
    pub format: &'static str,
    pub sheet: String,
    /// 1-based row of the machine headers.
    pub header_row: u32,
    pub columns: Vec<SheetColumn>,
    pub counts: PortfolioCounts,
    pub portfolio: Portfolio,
    /// Worst first, then in sheet order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn tally(&self) -> Tally {
        Tally::of(&self.diagnostics)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Errors that belong to no building (a missing column, a row without a building id):
    /// no part of the template can be uploaded while they stand.
    pub fn unattributed_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && d.building.is_none())
    }

    /// Labels of the buildings that have errors, in portfolio order. Cheap (no copy of the
    /// portfolio): what a screen shows before the upload takes [`Self::without_broken_buildings`].
    pub fn broken_buildings(&self) -> Vec<String> {
        let broken = self.broken_labels();
        self.portfolio
            .buildings
            .iter()
            .map(|b| b.label())
            .filter(|label| broken.contains(label.as_str()))
            .collect()
    }

    fn broken_labels(&self) -> std::collections::BTreeSet<&str> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .filter_map(|d| d.building.as_deref())
            .collect()
    }

    /// The portfolio without the buildings that have errors, and the labels of those left out:
    /// what an upload may take when the operator chooses to leave broken buildings out.
    pub fn without_broken_buildings(&self) -> (Portfolio, Vec<String>) {
        let broken = self.broken_labels();
        let (kept, left_out): (Vec<_>, Vec<_>) = self
            .portfolio
            .buildings
            .iter()
            .cloned()
            .partition(|b| !broken.contains(b.label().as_str()));
        let used: std::collections::HashSet<&str> = kept
            .iter()
            .flat_map(|b| b.floors.iter().flat_map(|f| f.spaces.iter()))
            .map(|s| s.space_type.as_str())
            .collect();
        let space_types = self
            .portfolio
            .space_types
            .iter()
            .filter(|t| used.contains(t.name.as_str()))
            .cloned()
            .collect();
        let portfolio = Portfolio {
            buildings: kept,
            space_types,
        };
        (portfolio, left_out.iter().map(|b| b.label()).collect())
    }

    /// Findings about one row of the data sheet.
    pub fn findings_at_row(&self, row: u32) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(move |d| d.row == row)
    }
}

/// Why a file could not be read at all. Every message names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is empty (0 bytes): ask the customer to send the file again")]
    Empty { path: PathBuf },
    #[error(
        "{path} is password-protected: ask the customer to save it without a password \
         (File > Info > Protect Workbook > Encrypt with Password, clear it) and send it again"
    )]
    Encrypted { path: PathBuf },
    #[error(
        "{path} is {}, not a spreadsheet: the template must be .xlsx, .xlsm, .xls, \
         .xlsb, .ods or UTF-8 .csv{hint}",
        found.with_article()
    )]
    NotASpreadsheet {
        path: PathBuf,
        found: Format,
        hint: &'static str,
    },
    #[error(
        "{path} looks like {} but cannot be opened ({detail}); it may be truncated or \
         corrupt: open it in Excel or LibreOffice, save it again and retry",
        format.with_article()
    )]
    Corrupt {
        path: PathBuf,
        format: Format,
        detail: String,
    },
    #[error("{path} has no sheet named \"{sheet}\"; its sheets are: {available}")]
    NoSuchSheet {
        path: PathBuf,
        sheet: String,
        available: String,
    },
    #[error(
        "{path} has no Space Data header row in the first {} rows of any sheet \
         (looked at: {sheets}); the template needs headers such as Building Name, State Code, \
         Floor, Room, Space Type",
        columns::HEADER_SEARCH_ROWS
    )]
    NoHeaderRow { path: PathBuf, sheets: String },
    #[error("loading {path} was cancelled")]
    Cancelled { path: PathBuf },
    #[error("{path} is {kind}, not a file: give the path of the template file itself")]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(
        "{path} is too large to be a Space Data template: {detail}; check that this is the \
         right file"
    )]
    TooLarge { path: PathBuf, detail: String },
}

/// Read and check a template file.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    load_bytes(path, source::read(path)?, options)
}

/// The sheets of a template file and which of them hold a header row, without reading the
/// rows (the Load screen's sheet choice). A CSV file has one sheet named after the file.
pub fn sheet_names(path: &Path) -> Result<Vec<SheetInfo>, LoadError> {
    let bytes = source::read(path)?;
    let format = detect_nonempty(path, &bytes)?;
    guarded(path, format, || workbook::sheet_infos(path, format, bytes))
}

/// Run the spreadsheet library on a file. It panics on some malformed files (indexes read from
/// the file used unchecked; `fuzz/` found them): a panic becomes a [`LoadError::Corrupt`]
/// instead of ending the process, and its message is not printed (the error says what
/// happened). The checks before it ([`extent`]) keep it from the allocations that would abort
/// the process, which no unwinding could catch.
fn guarded<T>(
    path: &Path,
    format: Format,
    read: impl FnOnce() -> Result<T, LoadError>,
) -> Result<T, LoadError> {
    quiet_panics_while_guarded();
    IN_GUARD.with(|guard| guard.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    IN_GUARD.with(|guard| guard.set(false));
    outcome.unwrap_or_else(|_| {
        Err(LoadError::Corrupt {
            path: path.to_path_buf(),
            format,
            detail: "the spreadsheet reader failed on its content".into(),
        })
    })
}

thread_local! {
    /// Whether this thread is inside [`guarded`].
    static IN_GUARD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Wrap the process's panic hook, once, so that a panic caught by [`guarded`] is not printed
/// (nor handed to a hook that, say, restores the terminal); every other panic goes to the hook
/// as before. Not under `cargo fuzz`, whose hook must see every panic.
fn quiet_panics_while_guarded() {
    #[cfg(not(fuzzing))]
    {
        static WRAPPED: std::sync::Once = std::sync::Once::new();
        WRAPPED.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if !IN_GUARD.with(std::cell::Cell::get) {
                    previous(info);
                }
            }));
        });
    }
}

/// The format the content shows; an empty or oversized file is an error.
fn detect_nonempty(path: &Path, bytes: &[u8]) -> Result<Format, LoadError> {
    if bytes.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    source::check_size(path, bytes.len() as u64)?;
    Ok(format::detect(bytes))
}

/// Read and check a template already in memory; `path` names it in messages.
pub fn load_bytes(path: &Path, bytes: Vec<u8>, options: &LoadOptions) -> Result<Loaded, LoadError> {
    load_sheet(path, bytes, options, false).map(|(loaded, _)| loaded)
}

/// Load, handing each data row to the checks as it is read; with `keep_cells`, the data
/// sheet keeps every cell (for the annotated copy).
fn load_sheet(
    path: &Path,
    bytes: Vec<u8>,
    options: &LoadOptions,
    keep_cells: bool,
) -> Result<(Loaded, workbook::DataSheet), LoadError> {
    let format = detect_nonempty(path, &bytes)?;
    let mut checker: Option<validate::Checker> = None;
    let mut on_row = |sheet: &workbook::DataSheet, row: grid::RowView<'_>| {
        checker
            .get_or_insert_with(|| validate::Checker::new(sheet, options))
            .row(row);
    };
    let mut sheet = guarded(path, format, || {
        workbook::read_data_sheet(path, format, bytes, options, keep_cells, &mut on_row)
    })?;
    let checked = checker
        .unwrap_or_else(|| validate::Checker::new(&sheet, options))
        .finish();
    if format == Format::Csv {
        // A CSV export has its headers on row 1 by nature: that is no drift.
        sheet
            .notes
            .retain(|d| !(d.code == Code::HeaderRowMoved && sheet.header_row == 1));
    }
    let mut diagnostics = std::mem::take(&mut sheet.notes);
    if !format.extension_agrees(path) {
        diagnostics.push(wrong_extension(path, format, &sheet.name));
    }
    diagnostics.extend(checked.diagnostics);
    diagnostics.iter_mut().for_each(Diagnostic::make_visible);
    sort_worst_first(&mut diagnostics);
    let loaded = Loaded {
        file: path.to_path_buf(),
        format: format.name(),
        sheet: sheet.name.clone(),
        header_row: sheet.header_row,
        columns: std::mem::take(&mut sheet.columns),
        counts: checked.portfolio.counts(),
        portfolio: checked.portfolio,
        diagnostics,
    };
    Ok((loaded, sheet))
}

fn wrong_extension(path: &Path, format: Format, sheet: &str) -> Diagnostic {
    let named = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_else(|| "(no extension)".into());
    Diagnostic::file(
        Code::WrongExtension,
        sheet,
        format!(
            "the file is {} but its name ends in \"{named}\"; it was read by its content. \
             Rename it to .{} so other tools open it too",
            format.with_article(),
            format.extensions().first().copied().unwrap_or("xlsx")
        ),
    )
    .with_value(&named)
}

/// Severity first, then sheet position.
fn sort_worst_first(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.severity, a.row, a.cell.len(), &a.cell).cmp(&(b.severity, b.row, b.cell.len(), &b.cell))
    });
}
