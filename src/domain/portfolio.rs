//! The customer's portfolio: buildings, their floors and the spaces on them, each remembering
//! the template row it came from so that every finding and every later sync step can point the
//! operator back to the customer's own cell.

use serde::Serialize;

use super::geo::CountryCode;
use super::names::normalise;
use super::space_type::{SpaceType, UsageRules};

/// Where a record came from in the customer's file: its 1-based row on the data sheet (the
/// sheet is the portfolio's, see `template::Loaded::sheet`), as the customer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    pub row: u32,
}

/// Everything a template describes, grouped building → floor → space.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Portfolio {
    pub buildings: Vec<Building>,
    /// Space types in order of first use, with the usage that classification gave them.
    pub space_types: Vec<SpaceType>,
}

/// Counts shown in every summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PortfolioCounts {
    pub buildings: usize,
    pub floors: usize,
    pub spaces: usize,
    pub space_types: usize,
}

impl Portfolio {
    /// A portfolio of `buildings` with their space types classified by `rules`, in order of
    /// first use, each by the largest capacity among its spaces (for portfolios built in
    /// memory, not read from a file).
    pub fn new(buildings: Vec<Building>, rules: &UsageRules) -> Portfolio {
        let mut used: Vec<(&str, u32)> = Vec::new();
        for space in buildings
            .iter()
            .flat_map(|b| b.floors.iter().flat_map(|f| f.spaces.iter()))
        {
            match used.iter_mut().find(|(name, _)| *name == space.space_type) {
                Some((_, max)) => *max = (*max).max(space.capacity),
                None => used.push((&space.space_type, space.capacity)),
            }
        }
        let space_types = used
            .into_iter()
            .map(|(name, max)| rules.classify(name, max))
            .collect();
        Portfolio {
            buildings,
            space_types,
        }
    }

    pub fn counts(&self) -> PortfolioCounts {
        PortfolioCounts {
            buildings: self.buildings.len(),
            floors: self.buildings.iter().map(|b| b.floors.len()).sum(),
            spaces: self.buildings.iter().map(Building::space_count).sum(),
            space_types: self.space_types.len(),
        }
    }

    /// Every space with its building and floor, in file order within each floor.
    pub fn spaces(&self) -> impl Iterator<Item = (&Building, &Floor, &Space)> {
        self.buildings.iter().flat_map(|b| {
            b.floors
                .iter()
                .flat_map(move |f| f.spaces.iter().map(move |s| (b, f, s)))
        })
    }

    pub fn space_type(&self, name: &str) -> Option<&SpaceType> {
        self.space_types.iter().find(|t| t.name == name)
    }
}

/// A building, identified by its code when it has one, otherwise by its normalised name.
#[derive(Debug, Clone, Serialize)]
pub struct Building {
    /// The identity key: the code, or the normalised name (see [`super::names::normalise`]).
    pub key: String,
    pub name: Option<String>,
    pub code: Option<String>,
    pub state_code: String,
    pub country: Option<CountryCode>,
    pub address: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    pub floors: Vec<Floor>,
    /// The first row that named this building.
    pub source: SourceRow,
}

impl Building {
    /// The identity key of a building with this code and name: the code (upper case), else
    /// the normalised name; `None` when it has neither.
    pub fn key_for(code: Option<&str>, name: Option<&str>) -> Option<String> {
        match (code, name) {
            (Some(code), _) => Some(code.trim().to_uppercase()),
            (None, Some(name)) => Some(normalise(name)),
            (None, None) => None,
        }
    }

    /// The name shown to people: the name, else the code.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().or(self.code.as_deref()).unwrap_or("")
    }

    /// "Houston HQ (HOU1)" when both are known.
    pub fn label(&self) -> String {
        match (&self.name, &self.code) {
            (Some(n), Some(c)) => format!("{n} ({c})"),
            _ => self.display_name().to_string(),
        }
    }

    pub fn space_count(&self) -> usize {
        self.floors.iter().map(|f| f.spaces.len()).sum()
    }
}

/// A floor of a building; the name is all the template gives ("2", "Ground", "B1").
#[derive(Debug, Clone, Serialize)]
pub struct Floor {
    pub name: String,
    pub spaces: Vec<Space>,
    pub source: SourceRow,
}

/// A space (Eptura's old name: room) with the template's fields, defaults applied.
#[derive(Debug, Clone, Serialize)]
pub struct Space {
    pub name: String,
    pub space_type: String,
    pub occupiable: bool,
    pub capacity: u32,
    pub description: Option<String>,
    pub square_feet: Option<f64>,
    pub reservable: bool,
    pub rentable_square_feet: Option<f64>,
    /// Columns the template does not define, kept as (header, value).
    pub extra: Vec<(String, String)>,
    pub source: SourceRow,
}
