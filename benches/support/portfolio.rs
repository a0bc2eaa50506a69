//! A generated portfolio for the Review benchmarks (`benches/review_render.rs` and
//! `examples/review_bench.rs`): 50 buildings × 10 floors × 200 spaces with a finding on about
//! one space in a hundred, in memory as the loader returns it, or written as a template file.
#![allow(dead_code)]

use std::path::Path;

use rust_xlsxwriter::Workbook;
use spacebridge::domain::space_type::UsageRules;
use spacebridge::domain::{Building, CountryCode, Floor, Portfolio, SourceRow, Space};
use spacebridge::template::{Code, Diagnostic, Loaded, Severity, columns::Column};

pub const BUILDINGS: usize = 50;
pub const FLOORS: usize = 10;
pub const SPACES: usize = 200;
const SHEET: &str = "Space Data";

/// The portfolio in memory, as the loader would return it.
pub fn generated(file: &Path) -> Loaded {
    let rules = UsageRules::default();
    let us = CountryCode::parse("US");
    let mut row = 2;
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
                        cell: format!("L{row}"),
                        row,
                        column: "Capacity".into(),
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
            key: code.to_lowercase(),
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
    let portfolio = Portfolio {
        buildings,
        space_types: vec![
            rules.classify("Workstation", 1),
            rules.classify("Conference Room", 8),
        ],
    };
    Loaded {
        file: file.to_path_buf(),
        format: "xlsx",
        sheet: SHEET.into(),
        header_row: 1,
        columns: Vec::new(),
        counts: portfolio.counts(),
        portfolio,
        diagnostics,
    }
}

/// The same portfolio as a template file: headers on row 1, one row per space.
pub fn write_xlsx(loaded: &Loaded, path: &Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET).expect("sheet name");
    for (c, column) in Column::ALL.iter().enumerate() {
        sheet
            .write_string(0, c as u16, column.header())
            .expect("header");
    }
    for (r, (building, floor, space)) in (1..).zip(loaded.portfolio.spaces()) {
        let text = [
            building.name.clone().unwrap_or_default(),
            building.code.clone().unwrap_or_default(),
            building.state_code.clone(),
            building.address.clone().unwrap_or_default(),
            String::new(),
            building.city.clone().unwrap_or_default(),
            building.zip.clone().unwrap_or_default(),
            floor.name.clone(),
            space.name.clone(),
            space.space_type.clone(),
            "Yes".into(),
            space.capacity.to_string(),
            String::new(),
            "48".into(),
            "Yes".into(),
            String::new(),
        ];
        for (c, value) in text.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(r, c as u16, value).expect("cell");
            }
        }
    }
    book.save(path).expect("save the generated template");
}
