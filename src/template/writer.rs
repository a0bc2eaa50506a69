//! Writing the Space Data template: the one place that puts a [`Portfolio`] into an XLSX in
//! the official layout (a title on row 1, an optional caption row above the headers, the
//! machine headers on [`OFFICIAL_HEADER_ROW`], one row per space below), and the one place that
//! turns a cell value into an XLSX cell. Generated benchmark templates, Condeco extracts and the
//! annotated copy all write through here. Every cell is placed by the column table
//! ([`Column::ALL`], [`Column::index`]), never by a counted index, so what is written reads
//! back with [`super::load`] as the same buildings, floors and spaces. This module writes; it
//! never reads or checks a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::Data;
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};

use super::columns::{Column, OFFICIAL_HEADER_ROW};
use crate::domain::{Building, Floor, Portfolio, Space};

/// The data sheet's name in a written template.
pub const SHEET: &str = "Space Data";
/// The 1-based row of the first space in a written template: a portfolio built in memory
/// numbers its [`crate::domain::SourceRow`]s from here to match the file.
pub const FIRST_DATA_ROW: u32 = OFFICIAL_HEADER_ROW + 1;
/// Excel's limit on the characters of one cell.
const CELL_MAX: usize = 32_767;
const COLUMN_WIDTH: f64 = 18.0;
/// Error values Excel writes as literals in a formula ("=#REF!").
const KNOWN_ERRORS: [&str; 7] = [
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
];

/// Why a template could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the template {path}: {source}; check the folder exists and is writable")]
pub struct WriteError {
    pub path: PathBuf,
    pub source: XlsxError,
}

/// What a written template has besides its data: the title on row 1 and, for people, a
/// caption per column on the row above the headers. Captions must read unlike any header or
/// alias (see [`Column::recognise`]) so that the header row stays where it is.
#[derive(Debug, Clone, Copy)]
pub struct Layout<'a> {
    pub title: &'a str,
    pub captions: Option<fn(Column) -> &'static str>,
}

/// Write `portfolio` as a Space Data template to `path`.
pub fn write(portfolio: &Portfolio, layout: &Layout, path: &Path) -> Result<(), WriteError> {
    let mut book = Workbook::new();
    write_sheet(book.add_worksheet(), portfolio, layout)
        .and_then(|()| book.save(path))
        .map_err(|source| WriteError {
            path: path.to_path_buf(),
            source,
        })
}

fn write_sheet(
    ws: &mut Worksheet,
    portfolio: &Portfolio,
    layout: &Layout,
) -> Result<(), XlsxError> {
    ws.set_name(SHEET)?;
    let bold = Format::new().set_bold();
    let header_row = OFFICIAL_HEADER_ROW - 1;
    ws.write_string_with_format(0, 0, layout.title, &bold)?;
    for column in Column::ALL {
        if let Some(caption) = layout.captions {
            ws.write_string(header_row - 1, column.index(), caption(column))?;
        }
        ws.write_string_with_format(header_row, column.index(), column.header(), &bold)?;
        ws.set_column_width(column.index(), COLUMN_WIDTH)?;
    }
    let extras = ExtraColumns::of(portfolio);
    for (header, &col) in &extras.0 {
        ws.write_string_with_format(header_row, col, *header, &bold)?;
    }
    for (row, (building, floor, space)) in (header_row + 1..).zip(portfolio.spaces()) {
        for column in Column::ALL {
            let value = cell(column, building, floor, space);
            write_cell(ws, (row, column.index()), &value, None)?;
        }
        for (header, value) in &space.extra {
            if let Some(&col) = extras.0.get(header.as_str()) {
                ws.write_string(row, col, truncate(value))?;
            }
        }
    }
    Ok(())
}

/// Columns the template does not define, kept by spaces as (header, value): each header gets
/// a column after the template's, in order of first use.
struct ExtraColumns<'a>(HashMap<&'a str, u16>);

impl<'a> ExtraColumns<'a> {
    fn of(portfolio: &'a Portfolio) -> Self {
        let mut columns = HashMap::new();
        for (_, _, space) in portfolio.spaces() {
            for (header, _) in &space.extra {
                let next = (Column::ALL.len() + columns.len()) as u16;
                columns.entry(header.as_str()).or_insert(next);
            }
        }
        ExtraColumns(columns)
    }
}

/// The value a space's row holds in `column`.
pub fn cell(column: Column, building: &Building, floor: &Floor, space: &Space) -> Data {
    let text = |value: &str| Data::String(value.to_string());
    let optional = |value: &Option<String>| value.as_deref().map_or(Data::Empty, text);
    let number = |value: Option<f64>| value.map_or(Data::Empty, Data::Float);
    let yes_no = |value: bool| text(if value { "yes" } else { "no" });
    match column {
        Column::BuildingName => optional(&building.name),
        Column::BuildingCode => optional(&building.code),
        Column::StateCode => text(&building.state_code),
        Column::Address => optional(&building.address),
        Column::Address2 => optional(&building.address2),
        Column::City => optional(&building.city),
        Column::Zip => optional(&building.zip),
        Column::Floor => text(&floor.name),
        Column::Room => text(&space.name),
        Column::SpaceType => text(&space.space_type),
        Column::Occupiable => yes_no(space.occupiable),
        Column::Capacity => Data::Float(f64::from(space.capacity)),
        Column::Description => optional(&space.description),
        Column::SquareFeet => number(space.square_feet),
        Column::Reservable => yes_no(space.reservable),
        Column::RentableSquareFeet => number(space.rentable_square_feet),
    }
}

/// Write one cell as the loader would read it back: text as text (cut to Excel's limit),
/// numbers as numbers, dates as dates and error values as errors. An empty cell is left
/// unwritten unless it has a `format`.
pub fn write_cell(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    value: &Data,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    let plain = Format::new();
    let format = format.unwrap_or(&plain);
    match value {
        Data::Empty => {
            if format != &plain {
                ws.write_blank(row, col, format)?;
            }
        }
        Data::String(s) => {
            ws.write_string_with_format(row, col, truncate(s), format)?;
        }
        Data::Int(i) => {
            ws.write_number_with_format(row, col, *i as f64, format)?;
        }
        Data::Float(f) => {
            ws.write_number_with_format(row, col, *f, format)?;
        }
        Data::Bool(b) => {
            ws.write_boolean_with_format(row, col, *b, format)?;
        }
        Data::DateTime(d) => {
            let date = format.clone().set_num_format("yyyy-mm-dd");
            ws.write_number_with_format(row, col, d.as_f64(), &date)?;
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => {
            ws.write_string_with_format(row, col, s, format)?;
        }
        Data::Error(e) => {
            let error = match e.to_string() {
                known if KNOWN_ERRORS.contains(&known.as_str()) => known,
                _ => "#N/A".to_string(),
            };
            let formula = Formula::new(format!("={error}")).set_result(error);
            ws.write_formula_with_format(row, col, formula, format)?;
        }
    }
    Ok(())
}

/// Text cut to what one cell can hold.
pub fn truncate(text: &str) -> String {
    text.chars().take(CELL_MAX).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SourceRow;
    use crate::domain::space_type::UsageRules;
    use crate::template::generate::{self, Shape};
    use crate::template::{Code, LoadOptions, Loaded, annotate, load};

    /// Everything the template holds about each space, with the rows it sits on.
    fn fields(p: &Portfolio) -> Vec<String> {
        p.spaces()
            .map(|(b, f, s)| {
                format!(
                    "{:?}",
                    (
                        (&b.key, &b.name, &b.code, &b.state_code, b.country),
                        (&b.address, &b.address2, &b.city, &b.zip, b.source.row),
                        (&f.name, f.source.row),
                        (&s.name, &s.space_type, s.occupiable, s.capacity),
                        (&s.description, s.square_feet, s.reservable),
                        (s.rentable_square_feet, &s.extra, s.source.row),
                    )
                )
            })
            .collect()
    }

    /// Load `path` and check it holds `written`, without errors.
    fn reads_back(path: &Path, written: &Portfolio) -> Loaded {
        let loaded = load(path, &LoadOptions::default()).unwrap();
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        assert_eq!(loaded.header_row, OFFICIAL_HEADER_ROW);
        assert_eq!(loaded.counts, written.counts());
        assert_eq!(fields(&loaded.portfolio), fields(written));
        assert_eq!(loaded.portfolio.space_types, written.space_types);
        loaded
    }

    fn building(
        code: Option<&str>,
        name: Option<&str>,
        state: &str,
        floors: Vec<Floor>,
    ) -> Building {
        Building {
            key: Building::key_for(code, name).unwrap_or_default(),
            name: name.map(String::from),
            code: code.map(String::from),
            state_code: state.into(),
            country: crate::domain::geo::region(state).map(|r| r.country),
            address: Some("1 Main St, Boston, MA".into()),
            address2: code.map(|_| "Suite 4".into()),
            city: name.map(|_| "Boston".into()),
            zip: Some(if state == "ON" { "M5V 2T6" } else { "02110" }.into()),
            floors,
            source: SourceRow { row: 0 },
        }
    }

    fn floor(name: &str, spaces: Vec<Space>) -> Floor {
        Floor {
            name: name.into(),
            spaces,
            source: SourceRow { row: 0 },
        }
    }

    fn space(name: &str, space_type: &str, capacity: u32) -> Space {
        Space {
            name: name.into(),
            space_type: space_type.into(),
            occupiable: capacity > 0,
            capacity,
            description: (capacity > 1).then(|| format!("{name} seats {capacity}")),
            square_feet: (capacity > 1).then_some(240.5),
            reservable: capacity != 1,
            rentable_square_feet: None,
            extra: vec![("Cost Center".into(), format!("CC-{capacity}"))],
            source: SourceRow { row: 0 },
        }
    }

    /// Rows numbered as the writer places them.
    fn numbered(mut buildings: Vec<Building>) -> Portfolio {
        let mut row = FIRST_DATA_ROW;
        for b in &mut buildings {
            b.source.row = row;
            for f in &mut b.floors {
                f.source.row = row;
                for s in &mut f.spaces {
                    s.source.row = row;
                    row += 1;
                }
            }
        }
        Portfolio::new(buildings, &UsageRules::default())
    }

    /// Like an extract: numeric-looking codes and a zip with a leading zero kept as text, a
    /// building known by name only, named floors, a column the template does not define.
    fn extract_like() -> Portfolio {
        numbered(vec![
            building(
                Some("101"),
                Some("Boston Office"),
                "MA",
                vec![
                    floor(
                        "Ground",
                        vec![
                            space("Desk 1", "Desk", 1),
                            space("Board", "Meeting Room", 12),
                        ],
                    ),
                    floor("2", vec![space("Desk 2", "Desk", 1)]),
                ],
            ),
            building(
                None,
                Some("Toronto Hub"),
                "ON",
                vec![floor("B1", vec![space("Store", "Storage", 0)])],
            ),
        ])
    }

    fn caption(_: Column) -> &'static str {
        "filled in by spacebridge"
    }

    #[test]
    fn a_generated_template_reads_back_as_its_portfolio() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("generated.xlsx");
        let shape = Shape {
            buildings: 3,
            floors_per_building: 2,
            spaces_per_floor: 7,
        };
        generate::write(&path, shape).unwrap();
        let loaded = reads_back(&path, &generate::portfolio(shape));
        assert_eq!(loaded.counts.spaces, shape.spaces());
    }

    #[test]
    fn a_written_portfolio_reads_back_with_its_captions_and_extra_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("extract.xlsx");
        let portfolio = extract_like();
        let layout = Layout {
            title: "Extract",
            captions: Some(caption),
        };
        write(&portfolio, &layout, &path).unwrap();
        let loaded = reads_back(&path, &portfolio);
        assert_eq!(loaded.sheet, SHEET);
        for column in Column::ALL {
            let read = &loaded.columns[usize::from(column.index())];
            assert_eq!(read.column, Some(column));
            assert_eq!(read.caption.as_deref(), Some(caption(column)));
        }
        assert_eq!(
            loaded.columns.last().map(|c| c.header.as_str()),
            Some("Cost Center")
        );
    }

    #[test]
    fn an_annotated_copy_reads_back_as_the_portfolio_with_its_findings_listed() {
        let dir = tempfile::tempdir().unwrap();
        let (path, out) = (
            dir.path().join("in.xlsx"),
            dir.path().join("annotated.xlsx"),
        );
        let mut portfolio = extract_like();
        let long = "x".repeat(crate::template::validate::LONG_TEXT + 1);
        portfolio.buildings[0].floors[0].spaces[1].description = Some(long);
        let layout = Layout {
            title: "Extract",
            captions: None,
        };
        write(&portfolio, &layout, &path).unwrap();
        let annotated = annotate::write(&path, &LoadOptions::default(), &out).unwrap();
        let long_text: Vec<_> = annotated
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::LongText)
            .map(|d| d.row)
            .collect();
        assert_eq!(long_text, [FIRST_DATA_ROW + 1]);
        let again = reads_back(&out, &portfolio);
        let cells = |l: &Loaded| -> Vec<(Code, String)> {
            l.diagnostics
                .iter()
                .filter(|d| d.code != Code::IgnoredSheet)
                .map(|d| (d.code, d.cell.clone()))
                .collect()
        };
        assert_eq!(cells(&again), cells(&annotated));
    }

    #[test]
    fn an_unwritable_path_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("out.xlsx");
        let layout = Layout {
            title: "t",
            captions: None,
        };
        let error = write(&extract_like(), &layout, &path).unwrap_err();
        assert!(error.to_string().contains("missing"), "{error}");
    }
}
