//! Generated Space Data templates of a stated size (buildings × floors × spaces): the
//! portfolio in memory, or written as a real XLSX in the official layout by [`super::writer`].
//! For benchmarks and load tests; never customer data.

use std::path::Path;

use super::writer::{self, FIRST_DATA_ROW, Layout, WriteError};
use crate::domain::geo;
use crate::domain::space_type::UsageRules;
use crate::domain::{Building, Floor, Portfolio, SourceRow, Space};

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

/// The portfolio of `shape`, as loading its written template returns it.
pub fn portfolio(shape: Shape) -> Portfolio {
    let mut row = FIRST_DATA_ROW;
    let mut next_row = || {
        row += 1;
        SourceRow { row: row - 1 }
    };
    let buildings = (0..shape.buildings)
        .map(|b| {
            let (state, city) = STATES[b % STATES.len()];
            let code = format!("B{b:03}");
            let floors: Vec<Floor> = (1..=shape.floors_per_building)
                .map(|f| {
                    let spaces: Vec<Space> = (0..shape.spaces_per_floor)
                        .map(|s| space(f, s, next_row()))
                        .collect();
                    Floor {
                        name: f.to_string(),
                        source: spaces.first().map_or(SourceRow { row: 0 }, |s| s.source),
                        spaces,
                    }
                })
                .collect();
            let name = format!("Building {b:03}");
            Building {
                key: Building::key_for(Some(&code), None).unwrap_or_default(),
                source: floors.first().map_or(SourceRow { row: 0 }, |f| f.source),
                name: Some(name),
                code: Some(code),
                state_code: state.to_string(),
                country: geo::region(state).map(|r| r.country),
                address: Some(format!("{} Main St", 100 + b)),
                address2: None,
                city: Some(city.to_string()),
                zip: Some(format!("{:05}", 10_000 + b)),
                floors,
            }
        })
        .collect();
    Portfolio::new(buildings, &UsageRules::default())
}

/// Space `s` of floor `floor`: types in turn, one in seven not reservable.
fn space(floor: usize, s: usize, source: SourceRow) -> Space {
    Space {
        name: format!("{floor}-{s:03}"),
        space_type: TYPES[s % TYPES.len()].to_string(),
        occupiable: true,
        capacity: if s % TYPES.len() >= 2 { 8 } else { 1 },
        description: Some("generated space".to_string()),
        square_feet: Some(120.0),
        reservable: s % 7 != 6,
        rentable_square_feet: Some(130.0),
        extra: Vec::new(),
        source,
    }
}

/// Write a valid template of `shape` to `path`.
pub fn write(path: &Path, shape: Shape) -> Result<(), WriteError> {
    let layout = Layout {
        title: "Eptura Workplace Space Data Template (generated)",
        captions: None,
    };
    writer::write(&portfolio(shape), &layout, path)
}
