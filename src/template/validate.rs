//! Reading and checking every data row of the data sheet: each cell against its column's type,
//! default and check; the country from the state code; building, floor and space identity; and
//! the checks across rows (a building's rows agree, no space twice, no near-duplicate space
//! type). Produces the [`Portfolio`] with whatever could be read and a finding for everything
//! else: a bad row is reported, never silently dropped. Rows are handed to the [`Checker`] one
//! at a time as the sheet is read, so a streamed sheet is never held whole. Text that leaves
//! here is safe to show: hidden characters escaped, over-long fields cut (both reported).

use std::borrow::Cow;
// foldhash (already in the tree through hashbrown) instead of SipHash: these maps are hit on
// every row, and their keys come from one customer file, not from an attacker who can see the
// per-process seed.
use foldhash::HashMap;
use std::collections::hash_map::Entry;

use calamine::DataRef;

use super::LoadOptions;
use super::cells::{self, CellProblem};
use super::columns::Column;
use super::diagnostic::{Code, Diagnostic, column_letter, shorten};
use super::grid::RowView;
use super::limits;
use super::workbook::{DataSheet, UNKNOWN_FORMULA_ERROR};
use crate::domain::geo::{self, CountryCode};
use crate::domain::names::{self, condeco_name_issues, normalise, sanitise_for_condeco};
use crate::domain::space_type::UsageRules;
use crate::domain::text::{cut_chars, has_hidden, visible, without_hidden};
use crate::domain::{Building, Floor, Portfolio, SourceRow, Space};

/// Text longer than this is a warning: Eptura may cut it.
pub const LONG_TEXT: usize = 1000;

/// What a column expects of its cells: the finding code when a cell is not that, the words
/// that describe it, and the value the customer probably meant, when one can be guessed.
struct Expected {
    code: Code,
    what: &'static str,
    suggest: fn(&str) -> Option<String>,
}

const TEXT: Expected = Expected {
    code: Code::WrongType,
    what: "text",
    suggest: |_| None,
};
const YES_NO: Expected = Expected {
    code: Code::BadBoolean,
    what: "yes or no (yes/no, y/n, true/false, 1/0, x)",
    suggest: |_| None,
};
/// 2.5 people probably meant 3 (rounded); nothing is suggested for an absurd number.
const CAPACITY: Expected = Expected {
    code: Code::BadCapacity,
    what: "a whole number of people (0 or more)",
    suggest: |shown| {
        let value = plausible(shown.parse::<f64>().ok()?)?;
        Some(format!("{}", value.round() as u64))
    },
};
/// -20 square feet probably meant 20; nothing is suggested for an absurd number.
const AREA: Expected = Expected {
    code: Code::BadNumber,
    what: "a number of square feet (0 or more)",
    suggest: |shown| {
        let value = shown.trim().trim_start_matches('-').parse::<f64>().ok()?;
        Some(cells::format_number(plausible(value)?))
    },
};

/// The largest number worth suggesting in place of a bad one.
const LARGEST_SUGGESTION: f64 = 1e9;

/// `value` when it is a number a person might have meant: finite, not negative, not huge
/// (no suggestion of `inf`, `NaN` or 18446744073709551615).
fn plausible(value: f64) -> Option<f64> {
    (value.is_finite() && (0.0..=LARGEST_SUGGESTION).contains(&value)).then_some(value)
}

/// The outcome of checking a sheet.
pub struct Checked {
    pub portfolio: Portfolio,
    pub diagnostics: Vec<Diagnostic>,
}

/// What the checks need to know of the data sheet: its name, header row and columns.
struct SheetLayout {
    name: String,
    header_row: u32,
    positions: [Option<u32>; Column::ALL.len()],
    /// The columns the template does not define: (0-based column, header).
    extras: Vec<(u32, String)>,
    /// The columns that have a header, sorted.
    headed: Vec<u32>,
}

impl SheetLayout {
    fn of(sheet: &DataSheet) -> Self {
        let mut headed: Vec<u32> = sheet.columns.iter().map(|c| c.index).collect();
        headed.sort_unstable();
        SheetLayout {
            name: sheet.name.clone(),
            header_row: sheet.header_row,
            positions: sheet.positions,
            extras: sheet
                .columns
                .iter()
                .filter(|c| c.column.is_none())
                .map(|c| (c.index, c.header.clone()))
                .collect(),
            headed,
        }
    }

    fn position(&self, column: Column) -> Option<u32> {
        self.positions[column as usize]
    }
}

fn is_blank(cell: &DataRef<'_>) -> bool {
    match cell {
        DataRef::Empty => true,
        other => cells::as_str(other).is_some_and(|s| s.trim().is_empty()),
    }
}

/// One data row, addressed by template column.
struct Row<'a> {
    cells: RowView<'a>,
    /// 1-based, as the customer sees it.
    number: u32,
}

/// The building fields that every row of one building must repeat identically.
#[derive(Clone, Copy)]
enum SharedField {
    Name,
    Code,
    State,
    City,
    Address,
    Zip,
}

impl SharedField {
    const ALL: [SharedField; 6] = [
        SharedField::Name,
        SharedField::Code,
        SharedField::State,
        SharedField::City,
        SharedField::Address,
        SharedField::Zip,
    ];

    fn column(self) -> Column {
        match self {
            SharedField::Name => Column::BuildingName,
            SharedField::Code => Column::BuildingCode,
            SharedField::State => Column::StateCode,
            SharedField::City => Column::City,
            SharedField::Address => Column::Address,
            SharedField::Zip => Column::Zip,
        }
    }

    /// How values are compared: names and addresses loosely, codes exactly.
    fn fold(self, value: &str) -> String {
        match self {
            SharedField::Name | SharedField::City | SharedField::Address => normalise(value),
            SharedField::Code | SharedField::State => value.trim().to_uppercase(),
            SharedField::Zip => value.trim().to_string(),
        }
    }
}

/// The distinct values one building's rows gave a shared field, with the rows of each.
#[derive(Default)]
struct FieldValues(Vec<(String, String, RowSpans)>);

impl FieldValues {
    /// Add `row`'s value; the same text as a known value needs no folding.
    fn record(&mut self, field: SharedField, shown: &str, row: u32) {
        if let Some((_, _, rows)) = self.0.iter_mut().find(|(s, _, _)| s == shown) {
            rows.push(row);
            return;
        }
        let folded = field.fold(shown);
        match self.0.iter_mut().find(|(_, f, _)| *f == folded) {
            Some((_, _, rows)) => rows.push(row),
            None => self.0.push((shown.to_string(), folded, RowSpans::of(row))),
        }
    }
}

/// Row numbers as runs of consecutive rows (a building's rows mostly come together): one
/// entry per run instead of one per row.
#[derive(Debug, Default)]
struct RowSpans {
    spans: Vec<(u32, u32)>,
    count: usize,
}

impl RowSpans {
    fn of(row: u32) -> Self {
        RowSpans {
            spans: vec![(row, row)],
            count: 1,
        }
    }

    fn push(&mut self, row: u32) {
        match self.spans.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(row) => *end = row,
            _ => self.spans.push((row, row)),
        }
        self.count += 1;
    }

    fn first(&self) -> u32 {
        self.spans.first().map_or(0, |(start, _)| *start)
    }
}

struct BuildingDraft {
    building: Building,
    floors: HashMap<String, usize>,
    shared: [FieldValues; 6],
}

#[derive(Default)]
struct TypeUse {
    order: usize,
    first_row: u32,
    /// Building label and floor of the first use, to group findings about the type.
    first_place: (Option<String>, Option<String>),
    count: usize,
    max_capacity: u32,
}

/// A row's building fields, as read (borrowed from the sheet where possible).
struct BuildingFields<'a> {
    name: Option<Cow<'a, str>>,
    code: Option<Cow<'a, str>>,
    state: Option<Cow<'a, str>>,
    /// False when the state code was reported as bad: it then takes no part in the check
    /// that a building's rows agree.
    state_known: bool,
    country: Option<CountryCode>,
    address: Option<Cow<'a, str>>,
    address2: Option<Cow<'a, str>>,
    city: Option<Cow<'a, str>>,
    zip: Option<Cow<'a, str>>,
}

/// Checks the data rows one by one as they are read ([`Checker::check_row`]), then the
/// checks across rows ([`Checker::finish`]). Keeps what it needs of the sheet, so that rows
/// can be handed to it while the sheet is still being read.
pub struct Checker<'a> {
    sheet: SheetLayout,
    options: &'a LoadOptions,
    diagnostics: Vec<Diagnostic>,
    drafts: Vec<BuildingDraft>,
    by_key: HashMap<String, usize>,
    spaces_seen: HashMap<(usize, usize, String), u32>,
    types: HashMap<String, TypeUse>,
    /// The row that last used a space type for the first time.
    new_type_row: Option<u32>,
    /// The last state code looked up, and what it is.
    last_region: Option<(String, Option<&'static geo::Region>)>,
    data_rows: usize,
    /// The last row's building (its raw code or name, and index) and floor (building, raw name,
    /// index): rows come grouped, so most rows skip the folding and the lookups.
    last_building: Option<(bool, String, usize)>,
    last_floor: Option<(usize, String, usize)>,
    /// Values in columns without a header: absolute column → (first row, rows).
    unnamed: std::collections::BTreeMap<u32, (u32, usize)>,
}

impl<'a> Checker<'a> {
    pub fn new(sheet: &DataSheet, options: &'a LoadOptions) -> Self {
        Checker {
            sheet: SheetLayout::of(sheet),
            options,
            diagnostics: Vec::new(),
            drafts: Vec::new(),
            by_key: HashMap::default(),
            spaces_seen: HashMap::default(),
            types: HashMap::default(),
            new_type_row: None,
            last_region: None,
            data_rows: 0,
            last_building: None,
            last_floor: None,
            unnamed: Default::default(),
        }
    }

    /// Remember values that sit in a column without a header: they would be lost.
    fn note_unnamed_values(&mut self, row: &Row) {
        // Both the cells and the headed columns are sorted by column: one walk over both.
        let mut headed = self.sheet.headed.iter().peekable();
        for (col, value) in row.cells.cells {
            while headed.next_if(|h| *h < col).is_some() {}
            if headed.peek() != Some(&col) && !is_blank(value) {
                let entry = self.unnamed.entry(*col).or_insert((row.number, 0));
                entry.1 += 1;
            }
        }
    }

    fn report_unnamed_values(&mut self) {
        let unnamed = std::mem::take(&mut self.unnamed);
        for (column, (first, rows)) in unnamed {
            let letter = column_letter(column);
            let d = Diagnostic {
                cell: format!("{letter}{first}"),
                row: first,
                ..Diagnostic::file(
                    Code::UnnamedColumn,
                    &self.sheet.name,
                    format!(
                        "column {letter} holds values on {rows} row{} (first on row {first}) but \
                         has no header on row {}, so they are ignored: give it a header or \
                         delete the values",
                        if rows == 1 { "" } else { "s" },
                        self.sheet.header_row
                    ),
                )
            };
            self.report(d);
        }
    }

    fn cell<'r>(&self, row: &Row<'r>, column: Column) -> Option<&'r DataRef<'r>> {
        row.cells.get(self.sheet.position(column)?)
    }

    /// A finding at `column` of `row`.
    fn finding(
        &self,
        row: &Row,
        column: Column,
        code: Code,
        value: &str,
        message: String,
    ) -> Diagnostic {
        let at = self.sheet.position(column);
        self.finding_at(row, at, column.header(), code, value, message)
    }

    /// A finding at 0-based sheet column `at` (when known) of `row`, whose header is `header`.
    fn finding_at(
        &self,
        row: &Row,
        at: Option<u32>,
        header: &str,
        code: Code,
        value: &str,
        message: String,
    ) -> Diagnostic {
        let letter = at.map(column_letter).unwrap_or_default();
        Diagnostic {
            cell: format!("{letter}{}", row.number),
            row: row.number,
            column: header.to_string(),
            ..Diagnostic::file(code, &self.sheet.name, message).with_value(value)
        }
    }

    /// A cell's text made safe to keep and show: hidden characters reported and written as
    /// visible escapes (so they can never be uploaded, printed raw or sent on), text longer
    /// than `max` characters reported and cut.
    fn safe_text<'t>(
        &mut self,
        row: &Row,
        (at, header): (Option<u32>, &str),
        max: usize,
        value: Cow<'t, str>,
    ) -> Cow<'t, str> {
        let value = if has_hidden(&value) {
            let shown = visible(&value).into_owned();
            let d = self
                .finding_at(
                    row,
                    at,
                    header,
                    Code::ControlCharacter,
                    &shown,
                    format!(
                        "{header} holds a hidden control character (shown as \\u{{..}}), which a \
                         terminal obeys instead of showing and which must not be uploaded: \
                         delete it"
                    ),
                )
                .with_suggestion(shorten(without_hidden(&value).trim()));
            self.report(d);
            Cow::Owned(shown)
        } else {
            value
        };
        if value.len() <= max {
            return value;
        }
        let length = value.chars().count();
        if length <= max {
            return value;
        }
        let d = self.finding_at(
            row,
            at,
            header,
            Code::TooLong,
            &value,
            format!(
                "{header} is {length} characters long, more than the {max} it may have: \
                 shorten it"
            ),
        );
        self.report(d);
        Cow::Owned(cut_chars(&value, max).into_owned())
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Report a cell that could not be read as the type `expected` describes.
    fn report_problem(
        &mut self,
        row: &Row,
        column: Column,
        problem: CellProblem,
        expected: &Expected,
    ) {
        let Expected {
            code,
            what,
            suggest,
        } = *expected;
        let header = column.header();
        let d = match problem {
            CellProblem::FormulaError(e) if e == UNKNOWN_FORMULA_ERROR.to_string() => self.finding(
                row,
                column,
                Code::FormulaError,
                "formula error",
                format!(
                    "{header} holds a formula whose result is an error (the file does not say \
                     which): fix the formula or type the value"
                ),
            ),
            CellProblem::FormulaError(e) => self.finding(
                row,
                column,
                Code::FormulaError,
                &e,
                format!("{header} holds the formula error {e}: fix the formula or type the value"),
            ),
            CellProblem::WrongType { shown, kind } => self.finding(
                row,
                column,
                Code::WrongType,
                &shown,
                format!(
                    "{header} is {kind} ({shown}) but should be {what}: format the cell as text \
                     and type the value"
                ),
            ),
            CellProblem::NotA { shown } => {
                let d = self.finding(
                    row,
                    column,
                    code,
                    &shown,
                    format!("{header} \"{}\" is not {what}", shorten(&shown)),
                );
                Diagnostic {
                    suggestion: suggest(&shown),
                    ..d
                }
            }
        };
        self.report(d);
    }

    /// The text of a cell; `Err` when the cell was bad (already reported).
    fn text<'r>(&mut self, row: &Row<'r>, column: Column) -> Result<Option<Cow<'r, str>>, ()> {
        match cells::text(self.cell(row, column)) {
            Ok(Some(value)) => {
                let at = (self.sheet.position(column), column.header());
                let value = self.safe_text(row, at, limits::max_chars(Some(column)), value);
                self.check_length(row, column, &value);
                Ok(Some(value))
            }
            Ok(None) => Ok(None),
            Err(problem) => {
                self.report_problem(row, column, problem, &TEXT);
                Err(())
            }
        }
    }

    /// A required text cell: blank is reported as missing.
    fn required<'r>(&mut self, row: &Row<'r>, column: Column) -> Option<Cow<'r, str>> {
        self.sheet.position(column)?;
        match self.text(row, column) {
            Ok(Some(value)) => Some(value),
            Ok(None) => {
                let d = self.finding(
                    row,
                    column,
                    Code::MissingValue,
                    "",
                    format!("{} is required but blank: fill it in", column.header()),
                );
                self.report(d);
                None
            }
            Err(()) => None,
        }
    }

    fn check_length(&mut self, row: &Row, column: Column, value: &str) {
        let is_name = matches!(column, Column::BuildingName | Column::Floor | Column::Room);
        // A text of no more bytes than the limit has no more characters either.
        if is_name || value.len() <= LONG_TEXT {
            return;
        }
        let length = value.chars().count();
        if length > LONG_TEXT {
            let d = self.finding(
                row,
                column,
                Code::LongText,
                value,
                format!(
                    "{} is {length} characters long; Eptura may cut it after {LONG_TEXT}: \
                     shorten it",
                    column.header()
                ),
            );
            self.report(d);
        }
    }

    /// Warn when Condeco would reject a name, giving the name sync will use instead.
    fn check_condeco_name(&mut self, row: &Row, column: Column, name: &str) {
        let issues = condeco_name_issues(name);
        if issues.is_empty() {
            return;
        }
        let reasons: Vec<&str> = issues.iter().map(|i| i.describe()).collect();
        let sanitised = sanitise_for_condeco(name);
        let d = self
            .finding(
                row,
                column,
                Code::NameSanitised,
                name,
                format!(
                    "{} {}, which Condeco rejects; sync will send \"{}\" unless you rename it",
                    column.header(),
                    reasons.join(" and "),
                    shorten(&sanitised)
                ),
            )
            .with_suggestion(sanitised);
        self.report(d);
    }

    /// Check one data row (a blank row is skipped).
    pub fn row(&mut self, cells: RowView<'_>) {
        if cells.values().all(is_blank) {
            return;
        }
        let row = Row {
            cells,
            number: cells.index + 1,
        };
        self.check_row(&row);
    }

    fn check_row<'r>(&mut self, row: &Row<'r>) {
        self.data_rows += 1;
        self.note_unnamed_values(row);
        let first_finding = self.diagnostics.len();
        let fields = self.building_fields(row);
        let floor = self.required(row, Column::Floor);
        let room = self.required(row, Column::Room);
        let space_type = self.required(row, Column::SpaceType);
        let space = self.space_fields(row, room, space_type);
        let Some(building) = self.place_building(row, &fields) else {
            return;
        };
        let first_use_of_type = space.is_some() && self.new_type_row == Some(row.number);
        let place = |checker: &Self| {
            (
                checker.drafts[building].building.label(),
                floor.as_deref().map(str::to_string),
            )
        };
        if first_use_of_type && let Some(space) = &space {
            let (label, floor_name) = place(self);
            if let Some(used) = self.types.get_mut(&space.space_type) {
                used.first_place = (Some(label), floor_name);
            }
        }
        if let (Some(floor), Some(space)) = (&floor, space) {
            self.place_space(row, building, floor, space);
        }
        if self.diagnostics.len() > first_finding {
            let (label, floor_name) = place(self);
            for d in &mut self.diagnostics[first_finding..] {
                d.building = Some(label.clone());
                d.floor.clone_from(&floor_name);
            }
        }
    }

    fn building_fields<'r>(&mut self, row: &Row<'r>) -> BuildingFields<'r> {
        let name = self.text(row, Column::BuildingName).unwrap_or(None);
        let code = self.text(row, Column::BuildingCode).unwrap_or(None);
        let state_text = self.required(row, Column::StateCode);
        let (state, country, state_known) = match state_text {
            Some(s) => self.region(row, s),
            None => (None, None, false),
        };
        let address = self.text(row, Column::Address).unwrap_or(None);
        let address2 = self.text(row, Column::Address2).unwrap_or(None);
        let city = self.text(row, Column::City).unwrap_or(None);
        let zip = self.zip(row, country);
        BuildingFields {
            name,
            code,
            state,
            state_known,
            country,
            address,
            address2,
            city,
            zip,
        }
    }

    /// The state code, the country it implies and whether it is known, or a finding.
    fn region<'r>(
        &mut self,
        row: &Row,
        state: Cow<'r, str>,
    ) -> (Option<Cow<'r, str>>, Option<CountryCode>, bool) {
        // Rows of one building repeat its state: look the code up once per change.
        let known = match &self.last_region {
            Some((text, region)) if *text == *state => *region,
            _ => {
                let region = geo::region(&state);
                self.last_region = Some((state.to_string(), region));
                region
            }
        };
        if let Some(region) = known {
            return (Some(Cow::Borrowed(region.code)), Some(region.country), true);
        }
        let fallback = self
            .options
            .country
            .filter(|c| *c != CountryCode::US && *c != CountryCode::CA);
        if let Some(country) = fallback {
            return (Some(state), Some(country), true);
        }
        let suggestion = geo::suggest_region(&state);
        let mut d = self.finding(
            row,
            Column::StateCode,
            Code::BadState,
            &state,
            format!(
                "State Code \"{}\" is not a US state or Canadian province code; use the \
                 two-letter code{}",
                shorten(&state),
                if self.options.country.is_none() {
                    ", or give --country CC for buildings outside the US and Canada"
                } else {
                    ""
                }
            ),
        );
        if let Some(region) = suggestion {
            d = d.with_suggestion(format!("{} ({})", region.code, region.name));
        }
        self.report(d);
        (Some(state), None, false)
    }

    /// The zip as text; a number short of five digits in a US row gets its leading zeros back.
    fn zip<'r>(&mut self, row: &Row<'r>, country: Option<CountryCode>) -> Option<Cow<'r, str>> {
        let cell = self.cell(row, Column::Zip);
        let text = self.text(row, Column::Zip).unwrap_or(None)?;
        let numeric = matches!(cell, Some(DataRef::Int(_) | DataRef::Float(_)));
        if numeric
            && country == Some(CountryCode::US)
            && text.len() < 5
            && text.bytes().all(|b| b.is_ascii_digit())
        {
            let padded = format!("{text:0>5}");
            let d = self
                .finding(
                    row,
                    Column::Zip,
                    Code::ZipPadded,
                    &text,
                    format!(
                        "Zip {text} is a number, so the spreadsheet dropped its leading zeros; read \
                         as {padded}: format the column as text to keep them"
                    ),
                )
                .with_suggestion(padded.clone());
            self.report(d);
            return Some(Cow::Owned(padded));
        }
        Some(text)
    }

    fn space_fields<'r>(
        &mut self,
        row: &Row<'r>,
        room: Option<Cow<'r, str>>,
        space_type: Option<Cow<'r, str>>,
    ) -> Option<Space> {
        let occupiable = self.yes_no(row, Column::Occupiable).unwrap_or(true);
        let capacity = self.capacity(row);
        let description = self
            .text(row, Column::Description)
            .unwrap_or(None)
            .map(Cow::into_owned);
        let square_feet = self.area(row, Column::SquareFeet);
        let reservable = self.yes_no(row, Column::Reservable).unwrap_or(false);
        let rentable_square_feet = self.area(row, Column::RentableSquareFeet);
        let extra = self.extras(row);
        let name = room?;
        self.check_condeco_name(row, Column::Room, &name);
        let space_type = space_type?;
        self.note_type_use(row, &space_type, capacity);
        Some(Space {
            name: name.into_owned(),
            space_type: space_type.into_owned(),
            occupiable,
            capacity,
            description,
            square_feet,
            reservable,
            rentable_square_feet,
            extra,
            source: SourceRow { row: row.number },
        })
    }

    fn yes_no(&mut self, row: &Row, column: Column) -> Option<bool> {
        match cells::yes_no(self.cell(row, column)) {
            Ok(value) => value,
            Err(problem) => {
                self.report_problem(row, column, problem, &YES_NO);
                None
            }
        }
    }

    fn capacity(&mut self, row: &Row) -> u32 {
        match cells::whole(self.cell(row, Column::Capacity)) {
            Ok(value) => value.unwrap_or(1),
            Err(problem) => {
                self.report_problem(row, Column::Capacity, problem, &CAPACITY);
                1
            }
        }
    }

    fn area(&mut self, row: &Row, column: Column) -> Option<f64> {
        match cells::non_negative(self.cell(row, column)) {
            Ok(value) => value,
            Err(problem) => {
                self.report_problem(row, column, problem, &AREA);
                None
            }
        }
    }

    /// The values of the extra columns, safe to keep.
    fn extras(&mut self, row: &Row) -> Vec<(String, String)> {
        let columns = std::mem::take(&mut self.sheet.extras);
        let mut extras = Vec::new();
        for (index, header) in &columns {
            let Some(cell) = row.cells.get(*index) else {
                continue;
            };
            let value = match cells::text(Some(cell)) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(_) => Cow::Owned(cells::shown(cell)),
            };
            let at = (Some(*index), header.as_str());
            let value = self.safe_text(row, at, limits::max_chars(None), value);
            extras.push((header.clone(), value.into_owned()));
        }
        self.sheet.extras = columns;
        extras
    }

    fn note_type_use(&mut self, row: &Row, space_type: &str, capacity: u32) {
        if let Some(entry) = self.types.get_mut(space_type) {
            entry.count += 1;
            entry.max_capacity = entry.max_capacity.max(capacity);
            return;
        }
        let first = TypeUse {
            order: self.types.len(),
            first_row: row.number,
            count: 1,
            max_capacity: capacity,
            ..TypeUse::default()
        };
        self.types.insert(space_type.to_string(), first);
        self.new_type_row = Some(row.number);
    }

    /// The building this row belongs to, created on its first row; `None` without an identity.
    fn place_building(&mut self, row: &Row, fields: &BuildingFields) -> Option<usize> {
        // (is it a code, the raw text): a code never matches a name.
        let raw_key = match (&fields.code, &fields.name) {
            (Some(code), _) => Some((true, code.as_ref())),
            (None, Some(name)) => Some((false, name.as_ref())),
            (None, None) => None,
        };
        let cached = match (&self.last_building, raw_key) {
            (Some((by_code, raw, index)), Some((is_code, key)))
                if *by_code == is_code && raw == key =>
            {
                Some(*index)
            }
            _ => None,
        };
        // The key is only computed for a row whose building differs from the last row's.
        let Some(key) = cached.map_or_else(
            || Building::key_for(fields.code.as_deref(), fields.name.as_deref()),
            |_| Some(String::new()),
        ) else {
            let column = if self.sheet.position(Column::BuildingName).is_some() {
                Column::BuildingName
            } else {
                Column::BuildingCode
            };
            if self.sheet.position(column).is_some() {
                let d = self.finding(
                    row,
                    column,
                    Code::MissingBuildingId,
                    "",
                    "Building Name and Building Code are both blank: give at least one so the \
                         row belongs to a building"
                        .to_string(),
                );
                self.report(d);
            }
            return None;
        };
        let index = match cached.or_else(|| self.by_key.get(&key).copied()) {
            Some(index) => index,
            None => self.new_building(row, key, fields),
        };
        if cached.is_none() {
            self.last_building = raw_key.map(|(is_code, raw)| (is_code, raw.to_string(), index));
        }
        let draft = &mut self.drafts[index];
        for field in SharedField::ALL {
            if matches!(field, SharedField::State) && !fields.state_known {
                continue;
            }
            let value = match field {
                SharedField::Name => fields.name.as_deref(),
                SharedField::Code => fields.code.as_deref(),
                SharedField::State => fields.state.as_deref(),
                SharedField::City => fields.city.as_deref(),
                SharedField::Address => fields.address.as_deref(),
                SharedField::Zip => fields.zip.as_deref(),
            }
            .unwrap_or("");
            draft.shared[field as usize].record(field, value, row.number);
        }
        Some(index)
    }

    fn new_building(&mut self, row: &Row, key: String, fields: &BuildingFields) -> usize {
        if let Some(name) = &fields.name {
            self.check_condeco_name(row, Column::BuildingName, name);
        }
        let index = self.drafts.len();
        self.by_key.insert(key.clone(), index);
        let owned = |value: &Option<Cow<str>>| value.as_deref().map(str::to_string);
        self.drafts.push(BuildingDraft {
            building: Building {
                key,
                name: owned(&fields.name),
                code: owned(&fields.code),
                state_code: owned(&fields.state).unwrap_or_default(),
                country: fields.country,
                address: owned(&fields.address),
                address2: owned(&fields.address2),
                city: owned(&fields.city),
                zip: owned(&fields.zip),
                floors: Vec::new(),
                source: SourceRow { row: row.number },
            },
            floors: HashMap::default(),
            shared: Default::default(),
        });
        index
    }

    fn place_space(&mut self, row: &Row, building: usize, floor_name: &str, space: Space) {
        let floor = match &self.last_floor {
            Some((b, raw, f)) if *b == building && raw == floor_name => *f,
            _ => {
                let f = self.floor_index(row, building, floor_name);
                self.last_floor = Some((building, floor_name.to_string(), f));
                f
            }
        };
        let space_key = (building, floor, normalise(&space.name));
        // One hash of the key: the common case is a new space.
        let first = match self.spaces_seen.entry(space_key) {
            Entry::Vacant(slot) => {
                slot.insert(row.number);
                None
            }
            Entry::Occupied(seen) => Some(*seen.get()),
        };
        if let Some(first) = first {
            let label = self.drafts[building].building.label();
            let floor_name = &self.drafts[building].building.floors[floor].name;
            let d = self.finding(
                row,
                Column::Room,
                Code::DuplicateSpace,
                &space.name,
                format!(
                    "space \"{}\" on floor {floor_name} of {label} is on row {first} and again on \
                     row {}: delete one row or rename the room",
                    shorten(&space.name),
                    row.number
                ),
            );
            self.report(d);
            return;
        }
        self.drafts[building].building.floors[floor]
            .spaces
            .push(space);
    }

    /// The floor of `building` named `floor_name`, created on first use.
    fn floor_index(&mut self, row: &Row, building: usize, floor_name: &str) -> usize {
        let floor_key = normalise(floor_name);
        if let Some(&f) = self.drafts[building].floors.get(&floor_key) {
            return f;
        }
        self.check_condeco_name(row, Column::Floor, floor_name);
        let draft = &mut self.drafts[building];
        let f = draft.building.floors.len();
        draft.floors.insert(floor_key, f);
        draft.building.floors.push(Floor {
            name: floor_name.to_string(),
            spaces: Vec::new(),
            source: SourceRow { row: row.number },
        });
        f
    }

    /// The checks across rows, once every row was seen; the portfolio and every finding.
    pub fn finish(mut self) -> Checked {
        if self.data_rows == 0 {
            let d = Diagnostic {
                row: self.sheet.header_row,
                ..Diagnostic::file(
                    Code::NoData,
                    &self.sheet.name,
                    format!(
                        "no data rows below the header row (row {}): the template is empty",
                        self.sheet.header_row
                    ),
                )
            };
            self.report(d);
        }
        self.report_unnamed_values();
        self.check_shared_fields();
        self.check_same_name_buildings();
        let space_types = self.classify_types();
        self.check_similar_types();
        Checked {
            portfolio: Portfolio {
                buildings: self.drafts.into_iter().map(|d| d.building).collect(),
                space_types,
            },
            diagnostics: self.diagnostics,
        }
    }

    /// Every value of a shared field that differs from the most common one is a finding on the
    /// first row that gave it, naming every row involved.
    fn check_shared_fields(&mut self) {
        let mut found = Vec::new();
        for draft in &self.drafts {
            let label = draft.building.label();
            for field in SharedField::ALL {
                let values = &draft.shared[field as usize].0;
                if values.len() < 2 {
                    continue;
                }
                let mut ordered: Vec<&(String, String, RowSpans)> = values.iter().collect();
                ordered.sort_by_key(|(_, _, rows)| std::cmp::Reverse(rows.count));
                let (common, _, common_rows) = ordered[0];
                for (shown, _, rows) in &ordered[1..] {
                    let column = field.column();
                    let first = rows.first();
                    let message = format!(
                        "{label}: {} is {} on {} but {} on {}; every row of a building must agree",
                        column.header(),
                        quote_or_blank(shown),
                        describe_rows(rows),
                        quote_or_blank(common),
                        describe_rows(common_rows),
                    );
                    found.push((
                        first,
                        column,
                        shown.clone(),
                        message,
                        common.clone(),
                        label.clone(),
                    ));
                }
            }
        }
        for (first, column, shown, message, common, label) in found {
            let letter = self
                .sheet
                .position(column)
                .map(column_letter)
                .unwrap_or_default();
            let mut d = Diagnostic {
                cell: format!("{letter}{first}"),
                row: first,
                column: column.header().to_string(),
                building: Some(label),
                ..Diagnostic::file(Code::ConflictingBuilding, &self.sheet.name, message)
                    .with_value(&shown)
            };
            if !common.is_empty() {
                d = d.with_suggestion(common);
            }
            self.report(d);
        }
    }

    /// Two buildings with the same name but different codes are probably one building.
    fn check_same_name_buildings(&mut self) {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, draft) in self.drafts.iter().enumerate() {
            if let Some(name) = &draft.building.name {
                by_name.entry(normalise(name)).or_default().push(i);
            }
        }
        let mut groups: Vec<Vec<usize>> = by_name.into_values().filter(|g| g.len() > 1).collect();
        groups.sort();
        for group in groups {
            let codes: Vec<String> = group
                .iter()
                .map(|&i| {
                    let b = &self.drafts[i].building;
                    format!(
                        "{} (row {})",
                        b.code.as_deref().unwrap_or("no code"),
                        b.source.row
                    )
                })
                .collect();
            let later = &self.drafts[group[1]].building;
            let name = later.name.clone().unwrap_or_default();
            let letter = self
                .sheet
                .position(Column::BuildingCode)
                .map(column_letter)
                .unwrap_or_default();
            let d = Diagnostic {
                cell: format!("{letter}{}", later.source.row),
                row: later.source.row,
                column: Column::BuildingCode.header().to_string(),
                building: Some(later.label()),
                ..Diagnostic::file(
                    Code::ConflictingBuilding,
                    &self.sheet.name,
                    format!(
                        "building name \"{name}\" is used with different Building Codes: {}; give \
                         every row of one building the same code, or rename one building",
                        codes.join(", ")
                    ),
                )
                .with_value(later.code.as_deref().unwrap_or(""))
            };
            self.report(d);
        }
    }

    fn classify_types(&self) -> Vec<crate::domain::SpaceType> {
        let rules = UsageRules::default();
        let mut ordered: Vec<(&String, &TypeUse)> = self.types.iter().collect();
        ordered.sort_by_key(|(_, u)| u.order);
        ordered
            .into_iter()
            .map(|(name, used)| rules.classify(name, used.max_capacity))
            .collect()
    }

    /// A type used rarely whose name is a near miss of a common type is probably a typo.
    fn check_similar_types(&mut self) {
        let mut found = Vec::new();
        for (rare, rare_use) in &self.types {
            let folded = normalise(rare);
            let best = self
                .types
                .iter()
                .filter(|(other, other_use)| {
                    *other != rare && other_use.count >= rare_use.count * 3
                })
                .map(|(other, other_use)| {
                    (
                        other,
                        other_use,
                        names::levenshtein(&folded, &normalise(other)),
                    )
                })
                .filter(|(_, _, distance)| *distance <= (folded.chars().count() / 6).max(1))
                .min_by_key(|(other, u, distance)| {
                    (*distance, std::cmp::Reverse(u.count), (*other).clone())
                });
            if let Some((common, common_use, _)) = best {
                found.push((
                    rare.clone(),
                    rare_use.first_row,
                    rare_use.count,
                    common.clone(),
                    common_use.count,
                    rare_use.first_place.clone(),
                ));
            }
        }
        found.sort_by_key(|f| f.1);
        for (rare, row, count, common, common_count, (building, floor)) in found {
            let letter = self
                .sheet
                .position(Column::SpaceType)
                .map(column_letter)
                .unwrap_or_default();
            let d = Diagnostic {
                cell: format!("{letter}{row}"),
                row,
                column: Column::SpaceType.header().to_string(),
                building,
                floor,
                ..Diagnostic::file(
                    Code::SimilarSpaceType,
                    &self.sheet.name,
                    format!(
                        "space type \"{rare}\" ({count} space{}) looks like a typo of \"{common}\" \
                         ({common_count} spaces); upload would create it as a new type",
                        if count == 1 { "" } else { "s" }
                    ),
                )
                .with_value(&rare)
                .with_suggestion(common)
            };
            self.report(d);
        }
    }
}

fn quote_or_blank(value: &str) -> String {
    if value.is_empty() {
        "blank".to_string()
    } else {
        format!("\"{}\"", shorten(value))
    }
}

/// "row 7", "rows 5–40, 42", "rows 5–9, 12, 15 and 8 more".
fn describe_rows(rows: &RowSpans) -> String {
    const SHOWN: usize = 4;
    let spans = &rows.spans;
    let mut parts: Vec<String> = spans
        .iter()
        .take(SHOWN)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    if spans.len() > SHOWN {
        parts.push(format!("and {} more", spans.len() - SHOWN));
    }
    let noun = if rows.count == 1 { "row" } else { "rows" };
    format!("{noun} {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(rows: &[u32]) -> RowSpans {
        let mut spans = RowSpans::default();
        rows.iter().for_each(|&r| spans.push(r));
        spans
    }

    #[test]
    fn rows_are_described_as_spans() {
        assert_eq!(describe_rows(&spans(&[7])), "row 7");
        assert_eq!(describe_rows(&spans(&[5, 6, 7, 9])), "rows 5–7, 9");
        assert_eq!(
            describe_rows(&spans(&[1, 3, 5, 7, 9, 11])),
            "rows 1, 3, 5, 7, and 2 more"
        );
        assert_eq!(spans(&[4, 5, 9]).first(), 4);
    }
}
