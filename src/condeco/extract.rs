//! Extract: read the whole Condeco hierarchy (countries, regions, locations with their floors,
//! workspace types, resources) and turn it into the portfolio of a Space Data template that
//! `parse` reads back without errors once written, for existing Condeco customers who have no
//! template (sync-rules.md, path 2).
//!
//! One row per resource: Building Name = location name, Building Code = the Condeco location
//! id, City = location city (else the region name), Floor = the floor's name (else its
//! number), Room = resource name, Space Type = workspace type name, Capacity, Reservable and
//! Occupiable yes. The template needs a state code Condeco does not hold; it is derived in this
//! order: the region's name when it is a state or province ("Texas", "TX"), a state code or
//! name in the address ("…, Houston, TX 77002"), the postal code (US ZIP-3 ranges, Canadian
//! first letters), and last the region's name as it is (valid only for countries outside the
//! US and Canada, loaded with `--country`). Locations without resources have no row: a template
//! row is a space.
//!
//! Row building is pure ([`rows`], [`extract`] groups them into a [`Portfolio`]); [`fetch`]
//! reads. Writing the file is the template writer's ([`crate::template::writer`]), with
//! [`caption`] for the caption row.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{CondecoClient, CondecoError, Filter};
use crate::domain::geo::{self, REGIONS};
use crate::domain::ids::{CondecoLocationId, CondecoRegionId, CondecoWorkspaceTypeId};
use crate::domain::postal::region_for_postal_code;
use crate::domain::remote::{
    CondecoCountry, CondecoLocation, CondecoRegion, CondecoResource, CondecoWorkspaceType,
    ResourceType,
};
use crate::domain::space_type::UsageRules;
use crate::domain::{Building, Floor, Portfolio, SourceRow, Space};
use crate::template::Column;
use crate::template::writer::FIRST_DATA_ROW;

/// Everything an extract reads.
#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    pub countries: Vec<CondecoCountry>,
    pub regions: Vec<CondecoRegion>,
    pub locations: Vec<CondecoLocation>,
    pub workspace_types: Vec<CondecoWorkspaceType>,
    pub resources: Vec<CondecoResource>,
}

/// Read the whole hierarchy, one collection after the other.
pub async fn fetch(condeco: &CondecoClient) -> Result<Hierarchy, CondecoError> {
    let all = Filter::default();
    Ok(Hierarchy {
        countries: condeco.countries(&all).await?,
        regions: condeco.regions(&all).await?,
        locations: condeco.locations(&all).await?,
        workspace_types: condeco.workspace_types(&all).await?,
        resources: condeco.resources(&all).await?,
    })
}

/// How the state code of a row was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateSource {
    RegionName,
    Address,
    PostalCode,
    /// Kept as the region's name: not a US state or Canadian province.
    RegionKept,
}

/// One template row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateRow {
    pub building_name: String,
    pub building_code: String,
    pub state_code: String,
    pub state_source: StateSource,
    pub address: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    pub floor: String,
    pub room: String,
    pub space_type: String,
    pub capacity: u32,
}

/// The hierarchy as a template's portfolio, and what could not be put in it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Extract {
    pub portfolio: Portfolio,
    /// Resources without a known location, left out.
    pub skipped_resources: usize,
    /// Locations without resources (no row can hold them).
    pub empty_locations: usize,
    /// Buildings whose state code is the region's name kept as is: load with `--country`.
    pub states_kept: Vec<String>,
}

/// The rows of the template, in location, floor, resource order.
pub fn rows(h: &Hierarchy) -> (Vec<TemplateRow>, usize) {
    let locations: HashMap<CondecoLocationId, &CondecoLocation> =
        h.locations.iter().map(|l| (l.id, l)).collect();
    let regions: HashMap<CondecoRegionId, &CondecoRegion> =
        h.regions.iter().map(|r| (r.id, r)).collect();
    let types: HashMap<CondecoWorkspaceTypeId, &str> = h
        .workspace_types
        .iter()
        .map(|t| (t.id, t.name.as_str()))
        .collect();
    let mut skipped = 0;
    let mut rows = Vec::new();
    for resource in &h.resources {
        let Some(location) = resource.location_id.and_then(|id| locations.get(&id)) else {
            skipped += 1;
            continue;
        };
        let region = location.region_id.and_then(|id| regions.get(&id)).copied();
        let (state_code, state_source) = state_of(location, region);
        let floor = resource
            .floor_number
            .map(|n| {
                location
                    .floors
                    .iter()
                    .find(|f| f.number == n)
                    .map(|f| f.label())
                    .unwrap_or_else(|| n.to_string())
            })
            .unwrap_or_else(|| "0".into());
        let space_type = resource
            .workspace_type_id
            .and_then(|id| types.get(&id))
            .map(|t| t.to_string())
            .unwrap_or_else(|| default_type(resource.resource_type.as_ref()).to_string());
        let room = if resource.name.trim().is_empty() {
            format!("Resource {}", resource.id)
        } else {
            resource.name.clone()
        };
        rows.push(TemplateRow {
            building_name: location.name.clone(),
            building_code: location.id.to_string(),
            state_code,
            state_source,
            address: location.address.clone(),
            city: location.city.clone().or_else(|| {
                region
                    .map(|r| r.name.clone())
                    .filter(|n| !n.trim().is_empty())
            }),
            zip: location.postal_code.clone(),
            floor,
            room,
            space_type,
            capacity: resource.capacity.unwrap_or(1),
        });
    }
    let order: HashMap<CondecoLocationId, usize> = h
        .locations
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id, i))
        .collect();
    rows.sort_by_key(|r| {
        let location = r
            .building_code
            .parse::<CondecoLocationId>()
            .ok()
            .and_then(|id| order.get(&id).copied());
        (location, floor_order(&r.floor))
    });
    (rows, skipped)
}

fn floor_order(floor: &str) -> (i32, String) {
    (
        crate::domain::names::floor_number(floor).unwrap_or(i32::MAX),
        floor.to_string(),
    )
}

/// Condeco's default workspace types, for a resource without one.
fn default_type(kind: Option<&ResourceType>) -> &'static str {
    match kind {
        Some(ResourceType::PersonalSpace) => "Desk",
        _ => "Meeting Room",
    }
}

/// The state code of a location; see the module documentation for the order.
fn state_of(location: &CondecoLocation, region: Option<&CondecoRegion>) -> (String, StateSource) {
    if let Some(found) = region.and_then(|r| region_named(&r.name)) {
        return (found.code.to_string(), StateSource::RegionName);
    }
    if let Some(found) = location.address.as_deref().and_then(region_in_address) {
        return (found.code.to_string(), StateSource::Address);
    }
    if let Some(found) = location
        .postal_code
        .as_deref()
        .and_then(region_for_postal_code)
    {
        return (found.code.to_string(), StateSource::PostalCode);
    }
    let kept = region
        .map(|r| r.name.clone())
        .filter(|n| !n.trim().is_empty())
        .or_else(|| location.city.clone())
        .unwrap_or_else(|| "??".into());
    (kept, StateSource::RegionKept)
}

/// "TX", "tx", "Texas" → Texas; anything else → `None`.
fn region_named(text: &str) -> Option<&'static geo::Region> {
    let text = text.trim();
    geo::region(text).or_else(|| REGIONS.iter().find(|r| r.name.eq_ignore_ascii_case(text)))
}

/// A state code or name among the comma-separated parts of an address, last part first:
/// "901 Bagby St, Houston, TX 77002" → TX.
fn region_in_address(address: &str) -> Option<&'static geo::Region> {
    address.rsplit(',').find_map(|part| {
        let words: Vec<&str> = part.split_whitespace().collect();
        let code = words
            .iter()
            .find(|w| w.len() == 2 && w.chars().all(|c| c.is_ascii_uppercase()))
            .and_then(|w| geo::region(w));
        code.or_else(|| {
            let letters: String = part
                .chars()
                .filter(|c| c.is_alphabetic() || *c == ' ')
                .collect();
            region_named(&letters)
        })
    })
}

/// Captions for the row above the headers: for people, deliberately unlike any header or
/// alias so that the header row stays where the template writer puts it.
pub fn caption(column: Column) -> &'static str {
    match column {
        Column::BuildingName => "Condeco location",
        Column::BuildingCode => "Condeco location id",
        Column::StateCode => "State or province (two letters)",
        Column::Address => "First address line",
        Column::Address2 => "Second address line",
        Column::City => "City or Condeco region",
        Column::Zip => "Postcode as text",
        Column::Floor => "Floor name or number",
        Column::Room => "Condeco resource",
        Column::SpaceType => "Condeco workspace type",
        Column::Occupiable => "Occupiable yes or no",
        Column::Capacity => "Seats",
        Column::Description => "Notes for the space",
        Column::SquareFeet => "Area in sq ft",
        Column::Reservable => "Bookable yes or no",
        Column::RentableSquareFeet => "Rentable area in sq ft",
    }
}

/// The portfolio of the hierarchy, one space per resource, numbered as the rows of the
/// template it is written as; with what could not be put in it.
pub fn extract(h: &Hierarchy) -> Extract {
    let (rows, skipped) = rows(h);
    let mut states_kept: Vec<String> = rows
        .iter()
        .filter(|r| r.state_source == StateSource::RegionKept)
        .map(|r| format!("{} ({})", r.building_name, r.state_code))
        .collect();
    states_kept.dedup();
    let with_resources: HashSet<CondecoLocationId> =
        h.resources.iter().filter_map(|r| r.location_id).collect();
    Extract {
        portfolio: portfolio(rows),
        skipped_resources: skipped,
        empty_locations: h
            .locations
            .iter()
            .filter(|l| !with_resources.contains(&l.id))
            .count(),
        states_kept,
    }
}

/// Rows in location, floor order grouped into buildings and floors.
fn portfolio(rows: Vec<TemplateRow>) -> Portfolio {
    let mut buildings: Vec<Building> = Vec::new();
    for (row, source) in rows.into_iter().zip(FIRST_DATA_ROW..) {
        let source = SourceRow { row: source };
        if buildings.last().and_then(|b| b.code.as_deref()) != Some(row.building_code.as_str()) {
            buildings.push(Building {
                key: Building::key_for(Some(&row.building_code), None).unwrap_or_default(),
                name: Some(row.building_name),
                code: Some(row.building_code),
                country: geo::region(&row.state_code).map(|r| r.country),
                state_code: row.state_code,
                address: row.address,
                address2: None,
                city: row.city,
                zip: row.zip,
                floors: Vec::new(),
                source,
            });
        }
        let Some(building) = buildings.last_mut() else {
            continue;
        };
        let floor = match building.floors.iter().position(|f| f.name == row.floor) {
            Some(index) => index,
            None => {
                building.floors.push(Floor {
                    name: row.floor,
                    spaces: Vec::new(),
                    source,
                });
                building.floors.len() - 1
            }
        };
        building.floors[floor].spaces.push(Space {
            name: row.room,
            space_type: row.space_type,
            occupiable: true,
            capacity: row.capacity,
            description: None,
            square_feet: None,
            reservable: true,
            rentable_square_feet: None,
            extra: Vec::new(),
            source,
        });
    }
    Portfolio::new(buildings, &UsageRules::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::remote::CondecoFloor;
    use crate::template::writer::{self, Layout};
    use crate::template::{LoadOptions, load};

    fn location(
        id: i64,
        name: &str,
        region: i64,
        address: Option<&str>,
        zip: Option<&str>,
    ) -> CondecoLocation {
        CondecoLocation {
            id: id.into(),
            name: name.into(),
            region_id: Some(region.into()),
            address: address.map(String::from),
            city: None,
            postal_code: zip.map(String::from),
            time_zone: None,
            status: Some("Open".into()),
            floors: vec![
                CondecoFloor {
                    number: 0,
                    name: Some("Ground".into()),
                    external_id: None,
                },
                CondecoFloor {
                    number: 2,
                    name: None,
                    external_id: None,
                },
            ],
            external_id: None,
        }
    }

    fn resource(
        id: i64,
        name: &str,
        location: i64,
        floor: i32,
        kind: ResourceType,
        type_id: Option<i64>,
    ) -> CondecoResource {
        CondecoResource {
            id: id.into(),
            name: name.into(),
            resource_type: Some(kind),
            booking_period: None,
            location_id: Some(location.into()),
            floor_number: Some(floor),
            group_id: None,
            workspace_type_id: type_id.map(Into::into),
            capacity: Some(if id % 2 == 0 { 1 } else { 8 }),
            status: None,
            external_id: None,
            booking_count: Some(3),
        }
    }

    fn hierarchy() -> Hierarchy {
        let region = |id, name: &str| CondecoRegion {
            id,
            name: name.into(),
            country_id: Some(1.into()),
            external_id: None,
        };
        Hierarchy {
            countries: vec![CondecoCountry {
                id: 1.into(),
                name: "United States".into(),
                country_code: Some("US".into()),
                external_id: None,
            }],
            regions: vec![
                region(10.into(), "Texas"),
                region(11.into(), "Boston"),
                region(12.into(), "Chicago"),
            ],
            locations: vec![
                location(100, "Houston HQ", 10, None, None),
                location(
                    101,
                    "Boston Office",
                    11,
                    Some("1 Main St, Boston, MA"),
                    Some("02110"),
                ),
                location(102, "Chicago Loop", 12, None, Some("60601")),
                location(103, "Empty", 12, None, None),
            ],
            workspace_types: vec![CondecoWorkspaceType {
                id: 5.into(),
                name: "Huddle Room".into(),
                booking_period: None,
                is_default: false,
                external_id: None,
            }],
            resources: vec![
                resource(1, "Huddle 1", 100, 2, ResourceType::MeetingSpace, Some(5)),
                resource(2, "Desk 1", 100, 0, ResourceType::PersonalSpace, None),
                resource(3, "Board", 101, 2, ResourceType::MeetingSpace, None),
                resource(4, "Desk 9", 102, 7, ResourceType::PersonalSpace, None),
                resource(5, "Lost", 999, 1, ResourceType::MeetingSpace, None),
            ],
        }
    }

    #[test]
    fn state_codes_come_from_region_address_or_postal_code() {
        let (rows, skipped) = rows(&hierarchy());
        assert_eq!(skipped, 1);
        let states: Vec<(&str, StateSource)> = rows
            .iter()
            .map(|r| (r.state_code.as_str(), r.state_source))
            .collect();
        assert_eq!(
            states,
            [
                ("TX", StateSource::RegionName),
                ("TX", StateSource::RegionName),
                ("MA", StateSource::Address),
                ("IL", StateSource::PostalCode),
            ]
        );
        assert_eq!(
            rows[0].floor, "Ground",
            "floors in order, named when Condeco names them"
        );
        assert_eq!(rows[1].floor, "2");
        assert_eq!(rows[3].floor, "7", "an unknown floor keeps its number");
        assert_eq!(rows[1].space_type, "Huddle Room");
        assert_eq!(rows[0].space_type, "Desk");
        assert_eq!(
            rows[2].city.as_deref(),
            Some("Boston"),
            "city falls back to the region"
        );
        assert_eq!(
            region_in_address("12 Elm, Austin, Texas").map(|r| r.code),
            Some("TX")
        );
    }

    #[test]
    fn the_written_template_parses_back_without_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("extract.xlsx");
        let extract = extract(&hierarchy());
        let counts = extract.portfolio.counts();
        assert_eq!(
            (counts.spaces, counts.buildings, extract.empty_locations),
            (4, 3, 1)
        );
        let layout = Layout {
            title: "Extract",
            captions: Some(caption),
        };
        writer::write(&extract.portfolio, &layout, &path).unwrap();
        let loaded = load(&path, &LoadOptions::default()).unwrap();
        let errors: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::template::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(loaded.header_row, 4);
        assert_eq!((loaded.counts.buildings, loaded.counts.spaces), (3, 4));
        let boston = loaded
            .portfolio
            .buildings
            .iter()
            .find(|b| b.code.as_deref() == Some("101"))
            .unwrap();
        assert_eq!(boston.zip.as_deref(), Some("02110"), "zip kept as text");
        assert_eq!(boston.state_code, "MA");
        assert!(
            loaded
                .columns
                .iter()
                .any(|c| c.caption.as_deref() == Some("Seats"))
        );
    }
}
