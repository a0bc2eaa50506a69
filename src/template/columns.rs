//! The template's columns: their machine headers (row 4 of the official template), the
//! aliases real files drift to ("Bldg Code", "building name", "Sq Ft"), and how a header row is
//! recognised among the first rows of a sheet.

use crate::domain::names::normalise;

/// A column of the Space Data template, in the official order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    BuildingName,
    BuildingCode,
    StateCode,
    Address,
    Address2,
    City,
    Zip,
    Floor,
    Room,
    SpaceType,
    Occupiable,
    Capacity,
    Description,
    SquareFeet,
    Reservable,
    RentableSquareFeet,
}

impl Column {
    pub const ALL: [Column; 16] = [
        Column::BuildingName,
        Column::BuildingCode,
        Column::StateCode,
        Column::Address,
        Column::Address2,
        Column::City,
        Column::Zip,
        Column::Floor,
        Column::Room,
        Column::SpaceType,
        Column::Occupiable,
        Column::Capacity,
        Column::Description,
        Column::SquareFeet,
        Column::Reservable,
        Column::RentableSquareFeet,
    ];

    /// The 0-based sheet column of this column in the official layout: its place in [`Self::ALL`].
    pub fn index(self) -> u16 {
        self as u16
    }

    /// The machine header, exactly as row 4 of the official template writes it.
    pub fn header(self) -> &'static str {
        match self {
            Column::BuildingName => "Building Name",
            Column::BuildingCode => "Building Code",
            Column::StateCode => "State Code",
            Column::Address => "Address",
            Column::Address2 => "Address2",
            Column::City => "City",
            Column::Zip => "Zip",
            Column::Floor => "Floor",
            Column::Room => "Room",
            Column::SpaceType => "Space Type",
            Column::Occupiable => "Occupiable",
            Column::Capacity => "Capacity",
            Column::Description => "Description",
            Column::SquareFeet => "Square Feet",
            Column::Reservable => "Reservable",
            Column::RentableSquareFeet => "Rentable Square Feet",
        }
    }

    /// Other spellings seen in customers' files, in normalised form.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::BuildingName => &["building", "bldg name", "building name s", "site name"],
            Column::BuildingCode => &["bldg code", "bldg", "building id", "site code", "bldg id"],
            Column::StateCode => &["state", "province", "state province", "st", "state abbr"],
            Column::Address => &["address1", "address 1", "street", "street address"],
            Column::Address2 => &["address 2", "address line 2", "suite"],
            Column::City => &["town", "city name"],
            Column::Zip => &[
                "zip code",
                "zipcode",
                "postal code",
                "postcode",
                "post code",
            ],
            Column::Floor => &["floor name", "level", "floor number", "flr"],
            Column::Room => &["room name", "space", "space name", "room number", "rm"],
            Column::SpaceType => &["type", "room type", "space type name", "spacetype"],
            Column::Occupiable => &["occupiable y n", "is occupiable", "occupancy"],
            Column::Capacity => &["seats", "max capacity", "headcount", "occupants"],
            Column::Description => &["desc", "notes", "comments"],
            Column::SquareFeet => &["sq ft", "sqft", "area", "area sq ft", "square footage"],
            Column::Reservable => &["bookable", "is reservable", "reservable y n"],
            Column::RentableSquareFeet => &["rentable sq ft", "rentable sqft", "rentable area"],
        }
    }

    /// Whether a header cell names this column (case, spacing and punctuation folded).
    pub fn matches(self, folded_header: &str) -> bool {
        folded_header == normalise(self.header()) || self.aliases().contains(&folded_header)
    }

    /// The column a header cell names, if any.
    pub fn recognise(header: &str) -> Option<Column> {
        let folded = normalise(header);
        if folded.is_empty() {
            return None;
        }
        Column::ALL.into_iter().find(|c| c.matches(&folded))
    }

    /// Columns without which no row can be read.
    pub fn is_required(self) -> bool {
        matches!(
            self,
            Column::StateCode | Column::Floor | Column::Room | Column::SpaceType
        )
    }
}

/// The official row of machine headers (1-based).
pub const OFFICIAL_HEADER_ROW: u32 = 4;
/// How many rows from the top are searched for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;
/// A row is a header row when it names at least this many distinct template columns.
pub const HEADER_MIN_SCORE: usize = 4;

/// How well a row reads as the header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HeaderScore {
    /// Distinct template columns the row names (by header or alias).
    pub columns: usize,
    /// Of those, how many by the exact machine header: this makes the machine header row win
    /// over a caption row above it that uses aliases ("Site code", "State").
    pub exact: usize,
}

impl HeaderScore {
    pub fn is_header(self) -> bool {
        self.columns >= HEADER_MIN_SCORE
    }

    /// The ranking among candidate rows.
    pub fn rank(self) -> usize {
        self.columns + self.exact
    }
}

/// Score a candidate header row.
pub fn header_score<'a>(cells: impl Iterator<Item = &'a str>) -> HeaderScore {
    let mut seen: Vec<(Column, bool)> = cells
        .filter_map(|cell| {
            let column = Column::recognise(cell)?;
            Some((column, normalise(cell) == normalise(column.header())))
        })
        .collect();
    seen.sort();
    let exact = seen
        .iter()
        .filter(|(_, exact)| *exact)
        .map(|(c, _)| *c)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    seen.dedup_by_key(|(c, _)| *c);
    HeaderScore {
        columns: seen.len(),
        exact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_headers_and_aliases_loosely() {
        assert_eq!(
            Column::recognise("Building Name"),
            Some(Column::BuildingName)
        );
        assert_eq!(
            Column::recognise(" building  name "),
            Some(Column::BuildingName)
        );
        assert_eq!(Column::recognise("Bldg Code"), Some(Column::BuildingCode));
        assert_eq!(Column::recognise("ADDRESS2"), Some(Column::Address2));
        assert_eq!(Column::recognise("Address 2"), Some(Column::Address2));
        assert_eq!(Column::recognise("Sq. Ft."), Some(Column::SquareFeet));
        assert_eq!(
            Column::recognise("Rentable Square Feet"),
            Some(Column::RentableSquareFeet)
        );
        assert_eq!(Column::recognise("Cost Center"), None);
        assert_eq!(Column::recognise(""), None);
    }

    #[test]
    fn the_index_is_the_place_in_the_official_order() {
        for (i, column) in Column::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(column.index()), i, "{column:?}");
        }
    }

    #[test]
    fn header_rows_score_higher_than_data_rows() {
        let header = ["Building Name", "State Code", "Floor", "Room", "Space Type"];
        let score = header_score(header.into_iter());
        assert_eq!((score.columns, score.exact), (5, 5));
        assert!(score.is_header());
        let captions = ["Building", "State", "Floor", "Room", "Type"];
        assert!(header_score(captions.into_iter()).rank() < score.rank());
        let data = ["Houston HQ", "TX", "2", "2-014", "Workstation"];
        assert!(!header_score(data.into_iter()).is_header());
    }
}
