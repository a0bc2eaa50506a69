//! The mapping rules of `spec/sync-rules.md`, as a pure function: from what Eptura Workplace
//! holds to the Condeco entities that should exist, each keyed by the [`ExternalId`] the sync
//! writes into it. Parents are named by their external ids, never by Condeco ids, so the result
//! (and its fingerprints) does not depend on what Condeco has assigned yet.
//!
//! Rules: only buildings with a reservation center sync; country by ISO code with a default
//! group; region = city, else state name, else state code; floor numbers from the floor names
//! ("Level 3" → 3, "Ground" → 0, "B1" → -1), names without a number get the next free number in
//! name order (flagged); `ME` types → `AllDay` workspace types and personal spaces of capacity
//! 1, `WE` types → `Hourly` and meeting spaces with their capacity, `NONE` types do not sync;
//! every name sanitised for Condeco. What does not sync is listed with the reason. No I/O.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::domain::geo::{self, CountryCode};
use crate::domain::ids::{
    EpturaBuildingId, EpturaCountryId, EpturaFloorId, EpturaSpaceTypeId, ExternalId, SyncKind,
};
use crate::domain::names::{floor_number, normalise, sanitise_for_condeco};
use crate::domain::remote::{
    BookingPeriod, EpturaBuilding, EpturaFloor, EpturaSpace, EpturaSpaceType, ResourceType,
};
use crate::domain::space_type::Usage;

use super::snapshot::EpturaSnapshot;

/// A Condeco entity as the sync wants it: the fields it owns, parents by external id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fields {
    Country {
        name: String,
        country_code: String,
    },
    Group {
        name: String,
        country: ExternalId,
    },
    Region {
        name: String,
        country: ExternalId,
    },
    Location {
        name: String,
        region: ExternalId,
        address: Option<String>,
        city: Option<String>,
        postal_code: Option<String>,
    },
    Floor {
        location: ExternalId,
        number: i32,
        name: String,
    },
    WorkspaceType {
        name: String,
        booking_period: BookingPeriod,
    },
    Resource {
        name: String,
        resource_type: ResourceType,
        booking_period: BookingPeriod,
        capacity: u32,
        location: ExternalId,
        floor: ExternalId,
        floor_number: i32,
        group: ExternalId,
        workspace_type: ExternalId,
    },
}

impl Fields {
    /// The external ids of the entities this one needs to exist first.
    pub fn parents(&self) -> Vec<&ExternalId> {
        match self {
            Fields::Country { .. } | Fields::WorkspaceType { .. } => vec![],
            Fields::Group { country, .. } | Fields::Region { country, .. } => vec![country],
            Fields::Location { region, .. } => vec![region],
            Fields::Floor { location, .. } => vec![location],
            Fields::Resource {
                location,
                floor,
                group,
                workspace_type,
                ..
            } => vec![location, floor, group, workspace_type],
        }
    }

    /// The name Condeco will show.
    pub fn name(&self) -> &str {
        match self {
            Fields::Country { name, .. }
            | Fields::Group { name, .. }
            | Fields::Region { name, .. }
            | Fields::Location { name, .. }
            | Fields::Floor { name, .. }
            | Fields::WorkspaceType { name, .. }
            | Fields::Resource { name, .. } => name,
        }
    }
}

/// One entity the sync wants in Condeco.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Desired {
    pub key: ExternalId,
    pub fields: Fields,
}

impl Desired {
    pub fn kind(&self) -> SyncKind {
        self.key.kind()
    }
}

/// Something in Eptura that does not sync, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub kind: SyncKind,
    /// The Eptura record, as "building 12 (HQ)".
    pub what: String,
    pub reason: String,
}

/// A rule applied that the operator should know about (a floor number guessed, a name changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub kind: SyncKind,
    pub key: String,
    pub message: String,
}

/// Everything the rules make of an Eptura snapshot.
#[derive(Debug, Default, Clone)]
pub struct DesiredState {
    /// In level order, parents first within the output.
    pub entities: Vec<Desired>,
    pub skipped: Vec<Skipped>,
    pub flags: Vec<Flag>,
}

/// Apply the mapping rules to an Eptura snapshot.
pub fn desired_state(eptura: &EpturaSnapshot) -> DesiredState {
    let mut state = DesiredState::default();
    let countries = country_ids(eptura);
    let buildings = synced_buildings(eptura, &countries, &mut state);
    let types = workspace_types(&eptura.space_types, &mut state);
    let floors = floors(eptura, &buildings, &mut state);
    resources(eptura, &buildings, &floors, &types, &mut state);
    state.entities.sort_by_key(Desired::kind);
    state
}

/// Eptura's country records by ISO code.
fn country_ids(eptura: &EpturaSnapshot) -> HashMap<CountryCode, (EpturaCountryId, String)> {
    eptura
        .countries
        .iter()
        .filter_map(|c| {
            let code = CountryCode::parse(c.iso_code.as_deref()?)?;
            Some((code, (c.id, c.name.clone())))
        })
        .collect()
}

/// What a synced building's children need from it.
struct SyncedBuilding {
    location: ExternalId,
    group: ExternalId,
}

fn synced_buildings(
    eptura: &EpturaSnapshot,
    countries: &HashMap<CountryCode, (EpturaCountryId, String)>,
    state: &mut DesiredState,
) -> HashMap<EpturaBuildingId, SyncedBuilding> {
    let mut synced = HashMap::new();
    let mut seen_countries: BTreeMap<EpturaCountryId, ()> = BTreeMap::new();
    let mut seen_regions: BTreeMap<ExternalId, ()> = BTreeMap::new();
    for building in &eptura.buildings {
        let what = format!("building {} ({})", building.id, building.name);
        if !building.has_reservation_center() {
            state.skipped.push(Skipped {
                kind: SyncKind::Location,
                what,
                reason: "no reservation center: assign it to one in Eptura Workplace".into(),
            });
            continue;
        }
        let Some((code, country_id, country_name)) = building_country(building, countries) else {
            state.skipped.push(Skipped {
                kind: SyncKind::Location,
                what,
                reason: format!(
                    "country {:?} is not one of Eptura's countries: fix the building's address",
                    building.country_code.as_deref().unwrap_or("")
                ),
            });
            continue;
        };
        let Some(region_name) = region_name(building) else {
            state.skipped.push(Skipped {
                kind: SyncKind::Location,
                what,
                reason: "no city, state name or state code to make a region of".into(),
            });
            continue;
        };
        let country = ExternalId::country(country_id);
        let group = ExternalId::default_group(country_id);
        if seen_countries.insert(country_id, ()).is_none() {
            state.entities.push(Desired {
                key: country.clone(),
                fields: Fields::Country {
                    name: sanitise_for_condeco(country_name),
                    country_code: code.to_string(),
                },
            });
            state.entities.push(Desired {
                key: group.clone(),
                fields: Fields::Group {
                    name: sanitise_for_condeco(&format!("{country_name} Default")),
                    country: country.clone(),
                },
            });
        }
        let region = ExternalId::region(code, &region_name);
        if seen_regions.insert(region.clone(), ()).is_none() {
            state.entities.push(Desired {
                key: region.clone(),
                fields: Fields::Region {
                    name: sanitise_for_condeco(&region_name),
                    country,
                },
            });
        }
        let location = ExternalId::location(building.id);
        flag_sanitised(state, &location, &building.name);
        state.entities.push(Desired {
            key: location.clone(),
            fields: Fields::Location {
                name: sanitise_for_condeco(&building.name),
                region,
                address: building.street.clone(),
                city: building.city.clone(),
                postal_code: building.zip.clone(),
            },
        });
        synced.insert(building.id, SyncedBuilding { location, group });
    }
    synced
}

fn building_country<'a>(
    building: &EpturaBuilding,
    countries: &'a HashMap<CountryCode, (EpturaCountryId, String)>,
) -> Option<(CountryCode, EpturaCountryId, &'a str)> {
    let code = CountryCode::parse(building.country_code.as_deref()?)?;
    let (id, name) = countries.get(&code)?;
    Some((code, *id, name))
}

fn present(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// City, else state name, else the state code's name, else the state code ("automatically
/// calculated" in the vendor's words).
fn region_name(building: &EpturaBuilding) -> Option<String> {
    if let Some(city) = present(&building.city) {
        return Some(city.to_string());
    }
    if let Some(state) = present(&building.state_name) {
        return Some(state.to_string());
    }
    let code = present(&building.state_code)?;
    Some(geo::region(code).map_or(code.to_string(), |r| r.name.to_string()))
}

fn flag_sanitised(state: &mut DesiredState, key: &ExternalId, name: &str) {
    let clean = sanitise_for_condeco(name);
    if clean != name {
        state.flags.push(Flag {
            kind: key.kind(),
            key: key.to_string(),
            message: format!("name {name:?} is sent to Condeco as {clean:?}"),
        });
    }
}

/// `ME` → `AllDay`, `WE` → `Hourly`; `NONE` (or unknown usage) does not sync.
fn workspace_types(
    types: &[EpturaSpaceType],
    state: &mut DesiredState,
) -> HashMap<EpturaSpaceTypeId, Usage> {
    let mut synced = HashMap::new();
    for space_type in types {
        let usage = space_type.usage.unwrap_or(Usage::None);
        let period = match usage {
            Usage::Me => BookingPeriod::AllDay,
            Usage::We => BookingPeriod::Hourly,
            Usage::None => continue,
        };
        let key = ExternalId::workspace_type(space_type.id);
        flag_sanitised(state, &key, &space_type.name);
        state.entities.push(Desired {
            key,
            fields: Fields::WorkspaceType {
                name: sanitise_for_condeco(&space_type.name),
                booking_period: period,
            },
        });
        synced.insert(space_type.id, usage);
    }
    synced
}

/// Floor numbers per building: from the name where it says one; otherwise (or when the number
/// is taken) the next free number in name order, flagged.
fn floors(
    eptura: &EpturaSnapshot,
    buildings: &HashMap<EpturaBuildingId, SyncedBuilding>,
    state: &mut DesiredState,
) -> HashMap<EpturaFloorId, (ExternalId, i32)> {
    let mut by_building: BTreeMap<EpturaBuildingId, Vec<&EpturaFloor>> = BTreeMap::new();
    for floor in &eptura.floors {
        if let Some(building) = floor.building_id
            && buildings.contains_key(&building)
        {
            by_building.entry(building).or_default().push(floor);
        }
    }
    let mut numbered = HashMap::new();
    for (building, mut floors) in by_building {
        floors.sort_by(|a, b| {
            normalise(&a.name)
                .cmp(&normalise(&b.name))
                .then(a.id.cmp(&b.id))
        });
        let location = &buildings[&building].location;
        for (floor, number, guessed) in number_floors(&floors) {
            let key = ExternalId::floor(floor.id);
            if guessed {
                state.flags.push(Flag {
                    kind: SyncKind::Floor,
                    key: key.to_string(),
                    message: format!(
                        "floor {:?} has no number of its own in its name: given {number}",
                        floor.name
                    ),
                });
            }
            state.entities.push(Desired {
                key: key.clone(),
                fields: Fields::Floor {
                    location: location.clone(),
                    number,
                    name: sanitise_for_condeco(&floor.name),
                },
            });
            numbered.insert(floor.id, (key, number));
        }
    }
    numbered
}

/// The numbers of one building's floors (given in name order): (floor, number, guessed).
fn number_floors<'a>(floors: &[&'a EpturaFloor]) -> Vec<(&'a EpturaFloor, i32, bool)> {
    let mut taken = std::collections::BTreeSet::new();
    let mut result = Vec::with_capacity(floors.len());
    let mut unnumbered = Vec::new();
    for floor in floors {
        match floor_number(&floor.name) {
            Some(n) if taken.insert(n) => result.push((*floor, n, false)),
            _ => unnumbered.push(*floor),
        }
    }
    let mut next = taken.iter().next_back().map_or(1, |top| (top + 1).max(1));
    for floor in unnumbered {
        while taken.contains(&next) {
            next += 1;
        }
        taken.insert(next);
        result.push((floor, next, true));
    }
    result
}

fn resources(
    eptura: &EpturaSnapshot,
    buildings: &HashMap<EpturaBuildingId, SyncedBuilding>,
    floors: &HashMap<EpturaFloorId, (ExternalId, i32)>,
    types: &HashMap<EpturaSpaceTypeId, Usage>,
    state: &mut DesiredState,
) {
    for space in &eptura.spaces {
        match resource(space, buildings, floors, types) {
            Ok(desired) => {
                flag_sanitised(state, &desired.key, &space.name);
                state.entities.push(desired);
            }
            Err(reason) => state.skipped.push(Skipped {
                kind: SyncKind::Resource,
                what: format!("space {} ({})", space.id, space.name),
                reason,
            }),
        }
    }
}

fn resource(
    space: &EpturaSpace,
    buildings: &HashMap<EpturaBuildingId, SyncedBuilding>,
    floors: &HashMap<EpturaFloorId, (ExternalId, i32)>,
    types: &HashMap<EpturaSpaceTypeId, Usage>,
) -> Result<Desired, String> {
    if !space.reservable {
        return Err("not reservable".into());
    }
    let building = space
        .building_id
        .and_then(|b| buildings.get(&b))
        .ok_or("its building does not sync")?;
    let (floor, floor_number) = space
        .floor_id
        .and_then(|f| floors.get(&f))
        .ok_or("its floor does not sync")?;
    let type_id = space.type_id.ok_or("it has no space type")?;
    let usage = types
        .get(&type_id)
        .copied()
        .ok_or("its space type is neither ME nor WE")?;
    let (resource_type, booking_period, capacity) = match usage {
        Usage::Me => (ResourceType::PersonalSpace, BookingPeriod::AllDay, 1),
        Usage::We => (
            ResourceType::MeetingSpace,
            BookingPeriod::Hourly,
            space.capacity.unwrap_or(1).max(1),
        ),
        Usage::None => return Err("its space type is neither ME nor WE".into()),
    };
    Ok(Desired {
        key: ExternalId::resource(space.id),
        fields: Fields::Resource {
            name: sanitise_for_condeco(&space.name),
            resource_type,
            booking_period,
            capacity,
            location: building.location.clone(),
            floor: floor.clone(),
            floor_number: *floor_number,
            group: building.group.clone(),
            workspace_type: ExternalId::workspace_type(type_id),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::remote::{CenterRef, EpturaCountry};

    fn building(id: i64, city: Option<&str>, centered: bool) -> EpturaBuilding {
        EpturaBuilding {
            id: id.into(),
            name: format!("Tower, {id}"),
            code: Some(format!("T{id}")),
            street: Some("1 Main St".into()),
            city: city.map(str::to_string),
            zip: Some("77002".into()),
            state_code: Some("TX".into()),
            state_name: None,
            country_code: Some("US".into()),
            centers: if centered {
                vec![CenterRef {
                    id: 1.into(),
                    name: "HQ".into(),
                    module: Some("reservation".into()),
                }]
            } else {
                vec![]
            },
            date_updated: None,
        }
    }

    fn floor(id: i64, building: i64, name: &str) -> EpturaFloor {
        EpturaFloor {
            id: id.into(),
            name: name.into(),
            building_id: Some(building.into()),
            date_updated: None,
        }
    }

    fn space(id: i64, floor: i64, building: i64, type_id: i64) -> EpturaSpace {
        EpturaSpace {
            id: id.into(),
            name: format!("Room {id}"),
            description: None,
            capacity: Some(6),
            reservable: true,
            occupiable: Some(true),
            area: None,
            type_id: Some(type_id.into()),
            type_name: None,
            usage: None,
            floor_id: Some(floor.into()),
            building_id: Some(building.into()),
            date_updated: None,
        }
    }

    fn space_type(id: i64, usage: Usage) -> EpturaSpaceType {
        EpturaSpaceType {
            id: id.into(),
            name: format!("Type {id}"),
            type_code: None,
            usage: Some(usage),
            occupiable: None,
            parking: None,
            date_updated: None,
        }
    }

    fn snapshot() -> EpturaSnapshot {
        EpturaSnapshot {
            countries: vec![EpturaCountry {
                id: 7.into(),
                name: "United States".into(),
                iso_code: Some("US".into()),
            }],
            buildings: vec![building(1, Some("Houston"), true), building(2, None, false)],
            floors: vec![
                floor(10, 1, "Level 3"),
                floor(11, 1, "Ground"),
                floor(12, 1, "Mezzanine"),
                floor(13, 1, "3rd Floor"),
                floor(20, 2, "1"),
            ],
            spaces: vec![
                space(100, 10, 1, 1),
                space(101, 11, 1, 2),
                space(102, 20, 2, 1),
            ],
            space_types: vec![
                space_type(1, Usage::We),
                space_type(2, Usage::Me),
                space_type(3, Usage::None),
            ],
        }
    }

    fn find<'a>(state: &'a DesiredState, key: &ExternalId) -> &'a Fields {
        &state
            .entities
            .iter()
            .find(|d| &d.key == key)
            .unwrap_or_else(|| panic!("{key} not desired"))
            .fields
    }

    #[test]
    fn buildings_without_a_reservation_center_and_their_spaces_are_skipped_with_the_reason() {
        let state = desired_state(&snapshot());
        assert!(
            state
                .entities
                .iter()
                .all(|d| d.key != ExternalId::location(EpturaBuildingId::from(2)))
        );
        assert!(
            state.skipped.iter().any(
                |s| s.what.starts_with("building 2") && s.reason.contains("reservation center")
            )
        );
        assert!(
            state
                .skipped
                .iter()
                .any(|s| s.what.starts_with("space 102"))
        );
    }

    #[test]
    fn country_group_region_and_location_follow_the_rules() {
        let state = desired_state(&snapshot());
        let country = ExternalId::country(EpturaCountryId::from(7));
        assert_eq!(
            find(&state, &country),
            &Fields::Country {
                name: "United States".into(),
                country_code: "US".into()
            }
        );
        assert!(matches!(
            find(&state, &ExternalId::default_group(EpturaCountryId::from(7))),
            Fields::Group { .. }
        ));
        let Fields::Location { name, region, .. } =
            find(&state, &ExternalId::location(EpturaBuildingId::from(1)))
        else {
            panic!("not a location");
        };
        assert_eq!(name, "Tower 1", "the comma is sanitised");
        assert_eq!(region.to_string(), "US:Houston");
        // Parents come before children.
        let kinds: Vec<SyncKind> = state.entities.iter().map(Desired::kind).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        assert_eq!(kinds, sorted);
    }

    #[test]
    fn a_building_without_a_city_takes_its_state_name_as_region() {
        let mut eptura = snapshot();
        eptura.buildings[0].city = None;
        let state = desired_state(&eptura);
        let Fields::Location { region, .. } =
            find(&state, &ExternalId::location(EpturaBuildingId::from(1)))
        else {
            panic!("not a location");
        };
        assert_eq!(region.to_string(), "US:Texas");
    }

    #[test]
    fn floor_numbers_come_from_names_and_clashes_or_no_number_get_the_next_free_one_flagged() {
        let state = desired_state(&snapshot());
        let number = |id| match find(&state, &ExternalId::floor(EpturaFloorId::from(id))) {
            Fields::Floor { number, .. } => *number,
            _ => panic!("not a floor"),
        };
        assert_eq!(number(11), 0, "Ground");
        // "3rd Floor" sorts before "Level 3": it keeps 3, "Level 3" is moved on.
        assert_eq!(number(13), 3);
        assert_eq!(number(10), 4);
        assert_eq!(number(12), 5, "Mezzanine has no number");
        let flagged: Vec<&str> = state.flags.iter().map(|f| f.key.as_str()).collect();
        assert!(
            flagged.contains(&"10") && flagged.contains(&"12"),
            "{flagged:?}"
        );
    }

    #[test]
    fn we_spaces_are_meeting_spaces_and_me_spaces_personal_of_capacity_one() {
        let state = desired_state(&snapshot());
        let resource = |id: i64| find(&state, &ExternalId::resource(id.into())).clone();
        let Fields::Resource {
            resource_type,
            booking_period,
            capacity,
            ..
        } = resource(100)
        else {
            panic!("not a resource");
        };
        assert_eq!(
            (resource_type, booking_period, capacity),
            (ResourceType::MeetingSpace, BookingPeriod::Hourly, 6)
        );
        let Fields::Resource {
            resource_type,
            booking_period,
            capacity,
            ..
        } = resource(101)
        else {
            panic!("not a resource");
        };
        assert_eq!(
            (resource_type, booking_period, capacity),
            (ResourceType::PersonalSpace, BookingPeriod::AllDay, 1)
        );
        // NONE types do not sync.
        assert!(
            state
                .entities
                .iter()
                .all(|d| d.key != ExternalId::workspace_type(EpturaSpaceTypeId::from(3)))
        );
    }
}
