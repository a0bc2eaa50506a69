//! Generated Space Data templates of a stated size (buildings × floors × spaces), written as a
//! real XLSX in the official layout. For benchmarks and load tests; never customer data.

use std::path::Path;

use rust_xlsxwriter::{Workbook, XlsxError};

use super::columns::{Column, OFFICIAL_HEADER_ROW};

/// The size of a generated template.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub buildings: usize,
    pub floors_per_building: usize,
    pub spaces_per_floor: usize,
}

impl Shape {
    pub fn spaces(&self) -> usize {
        self.buildings * self.floors_per_building * self.spaces_per_floor
    }
}

const STATES: [(&str, &str); 6] = [
    ("TX", "Houston"),
    ("MA", "Boston"),
    ("NY", "New York"),
    ("IL", "Chicago"),
    ("ON", "Toronto"),
    ("QC", "Montreal"),
];
const TYPES: [&str; 5] = [
    "Workstation",
    "Office",
    "Conference Room",
    "Huddle Room",
    "Storage",
];

/// Write a valid template of `shape` to `path`.
pub fn write(path: &Path, shape: Shape) -> Result<(), XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Space Data")?;
    sheet.write_string(0, 0, "Eptura Workplace Space Data Template (generated)")?;
    let header_row = OFFICIAL_HEADER_ROW - 1;
    for (c, column) in Column::ALL.iter().enumerate() {
        sheet.write_string(header_row, c as u16, column.header())?;
    }
    let mut row = header_row + 1;
    for b in 0..shape.buildings {
        let (state, city) = STATES[b % STATES.len()];
        let building = [
            format!("Building {b:03}"),
            format!("B{b:03}"),
            state.to_string(),
            format!("{} Main St", 100 + b),
            String::new(),
            city.to_string(),
            format!("{:05}", 10_000 + b),
        ];
        for f in 0..shape.floors_per_building {
            for s in 0..shape.spaces_per_floor {
                for (c, value) in building.iter().enumerate() {
                    if !value.is_empty() {
                        sheet.write_string(row, c as u16, value)?;
                    }
                }
                let kind = TYPES[s % TYPES.len()];
                sheet.write_number(row, 7, (f + 1) as f64)?;
                sheet.write_string(row, 8, format!("{}-{s:03}", f + 1))?;
                sheet.write_string(row, 9, kind)?;
                sheet.write_string(row, 10, "yes")?;
                sheet.write_number(row, 11, if s % TYPES.len() >= 2 { 8.0 } else { 1.0 })?;
                sheet.write_string(row, 12, "generated space")?;
                sheet.write_number(row, 13, 120.0)?;
                sheet.write_string(row, 14, if s % 7 == 6 { "no" } else { "yes" })?;
                sheet.write_number(row, 15, 130.0)?;
                row += 1;
            }
        }
    }
    book.save(path)
}
