//! A generated portfolio for the Review benchmarks (`benches/review_render.rs` and
//! `examples/review_bench.rs`): 50 buildings × 10 floors × 200 spaces with a finding on about
//! one space in a hundred, in memory as the loader returns it, or written as a template file
//! by the template writer (so the rows in memory are the rows of the file).
#![allow(dead_code)]

use std::path::Path;

use spacebridge::domain::space_type::UsageRules;
use spacebridge::domain::{Building, CountryCode, Floor, Portfolio, SourceRow, Space};
use spacebridge::template::columns::{Column, OFFICIAL_HEADER_ROW};
use spacebridge::template::diagnostic::column_letter;
use spacebridge::template::writer::{self, FIRST_DATA_ROW, Layout, SHEET};
use spacebridge::template::{Code, Diagnostic, Loaded, Severity};

pub const BUILDINGS: usize = 50;
pub const FLOORS: usize = 10;
pub const SPACES: usize = 200;

/// The portfolio in memory, as the loader would return it.
pub fn generated(file: &Path) -> Loaded {
    let us = CountryCode::parse("US");
    let capacity = column_letter(u32::from(Column::Capacity.index()));
    let mut row = FIRST_DATA_ROW;
    let mut diagnostics = Vec::new();
    let mut buildings = Vec::new();
    for b in 0..BUILDINGS {
        let code = format!("B{b:02}");
        let name = format!("Building {b:02}");
        let label = format!("{name} ({code})");
        let mut floors = Vec::new();
        for f in 0..FLOORS {
            let floor_name = (f + 1).to_string();
            let first_row = row;
            let mut spaces = Vec::new();
            for s in 0..SPACES {
                let space_type = if s % 10 == 0 {
                    "Conference Room"
                } else {
                    "Workstation"
                };
                if (b * FLOORS * SPACES + f * SPACES + s).is_multiple_of(97) {
                    diagnostics.push(Diagnostic {
                        severity: Severity::Error,
                        code: Code::BadCapacity,
                        sheet: SHEET.into(),
                        cell: format!("{capacity}{row}"),
                        row,
                        column: Column::Capacity.header().into(),
                        value: "2.5".into(),
                        message: "Capacity \"2.5\" is not a whole number of people".into(),
                        suggestion: Some("3".into()),
                        building: Some(label.clone()),
                        floor: Some(floor_name.clone()),
                    });
                }
                spaces.push(Space {
                    name: format!("{code}-{:02}-{s:03}", f + 1),
                    space_type: space_type.into(),
                    occupiable: true,
                    capacity: if s % 10 == 0 { 8 } else { 1 },
                    description: None,
                    square_feet: Some(48.0),
                    reservable: true,
                    rentable_square_feet: None,
                    extra: Vec::new(),
                    source: SourceRow { row },
                });
                row += 1;
            }
            floors.push(Floor {
                name: floor_name,
                spaces,
                source: SourceRow { row: first_row },
            });
        }
        buildings.push(Building {
            key: Building::key_for(Some(&code), None).unwrap_or_default(),
            name: Some(name),
            code: Some(code),
            state_code: "TX".into(),
            country: us,
            address: Some(format!("{b} Main St")),
            address2: None,
            city: Some("Houston".into()),
            zip: Some("77002".into()),
            floors,
            source: SourceRow {
                row: row - (FLOORS * SPACES) as u32,
            },
        });
    }
    let portfolio = Portfolio::new(buildings, &UsageRules::default());
    Loaded {
        file: file.to_path_buf(),
        format: "xlsx",
        sheet: SHEET.into(),
        header_row: OFFICIAL_HEADER_ROW,
        columns: Vec::new(),
        counts: portfolio.counts(),
        portfolio,
        diagnostics,
    }
}

/// The same portfolio as a template file, written by the template writer.
pub fn write_xlsx(loaded: &Loaded, path: &Path) {
    let layout = Layout {
        title: "Review benchmark portfolio (generated)",
        captions: None,
    };
    writer::write(&loaded.portfolio, &layout, path).expect("write the generated template");
}
