//! The seeded data of each [`Scenario`], for both simulators. Everything is deterministic (no
//! randomness, fixed dates in the past) so that tests can count on it. The `existing-customer`
//! Condeco tenant is a drifted copy of the sample template: abbreviations, floor naming styles,
//! typos, a location differing in case or punctuation, one room only Condeco has, one Eptura
//! room Condeco lacks, bookings, and no external ids.

use super::Scenario;
use super::condeco::{
    CondecoState, Country as CCountry, Group, Location, LocationFloor, Region, Resource,
    WorkspaceType,
};
use super::eptura::{Address, Building, EpturaState, Floor, Room, RoomType};
use super::sample::{self, SampleSpaces};
use crate::domain::geo;
use crate::domain::names::floor_number;
use serde_json::{Map, json};

/// 2023-01-01T00:00:00Z: seeded records are older than anything a test creates.
const SEED_DATE: i64 = 1_672_531_200_000;

/// Both states for a scenario.
pub(super) fn seed(scenario: Scenario) -> (EpturaState, CondecoState) {
    match scenario {
        Scenario::Empty => (eptura_base(), CondecoState::with_defaults()),
        Scenario::NewCustomer => (eptura_new_customer(), CondecoState::with_defaults()),
        Scenario::ExistingCustomer => {
            let eptura = eptura_existing_customer();
            let condeco = condeco_existing_customer(&eptura);
            (eptura, condeco)
        }
        Scenario::Large(spaces) => (eptura_large(spaces), CondecoState::with_defaults()),
    }
}

/// (id, name, ISO code): Eptura's country ids are its own.
const COUNTRIES: &[(u64, &str, &str)] = &[
    (223, "United States of America (the)", "US"),
    (38, "Canada", "CA"),
    (
        224,
        "United Kingdom of Great Britain and Northern Ireland (the)",
        "GB",
    ),
    (142, "Mexico", "MX"),
    (81, "Germany", "DE"),
    (74, "France", "FR"),
];

/// The sample template's space types: (name, typeCode, usage, occupiable, parking).
const SPACE_TYPES: &[(&str, &str, &str, bool, bool)] = &[
    ("Workstation", "WKST", "ME", true, false),
    ("Office", "OFF", "ME", true, false),
    ("Conference Room", "CONF", "WE", false, false),
    ("Huddle Room", "HUD", "WE", false, false),
    ("Phone Booth", "PHB", "ME", false, false),
    ("Training Room", "TRN", "WE", false, false),
    ("Boardroom", "BRD", "WE", false, false),
    ("Storage", "STOR", "NONE", false, false),
    ("Corridor", "CORR", "NONE", false, false),
    ("Parking", "PARK", "ME", false, true),
    ("Locker", "LOCK", "ME", false, false),
];

/// The types a new customer already has in Eptura; uploading the sample creates the rest.
const NEW_CUSTOMER_TYPES: &[&str] = &["Workstation", "Office", "Conference Room", "Storage"];

fn eptura_base() -> EpturaState {
    let mut state = EpturaState::default();
    for (id, name, iso) in COUNTRIES {
        state.add_country(*id, name, iso, SEED_DATE);
    }
    state
}

fn add_type(state: &mut EpturaState, name: &str) -> u64 {
    let (_, code, usage, occupiable, parking) = SPACE_TYPES
        .iter()
        .find(|t| t.0 == name)
        .copied()
        .unwrap_or((name, "", "NONE", false, false));
    let id = state.new_id();
    let kind = RoomType {
        id,
        name: name.into(),
        type_code: code.into(),
        usage: Some(usage.into()),
        occupiable,
        parking_space: parking,
        extra: Map::new(),
        date_created: SEED_DATE,
        date_updated: SEED_DATE,
    };
    state.room_types.insert(id, kind);
    id
}

fn center_name(city: &str) -> String {
    format!("{city} Reservation Center")
}

fn eptura_new_customer() -> EpturaState {
    let mut state = eptura_base();
    for name in NEW_CUSTOMER_TYPES {
        add_type(&mut state, name);
    }
    for building in sample::BUILDINGS {
        state.add_center(&center_name(building.city), Vec::new());
    }
    state
}

/// The sample building left without a reservation center, so that the sync skips it.
const WITHOUT_CENTER: &str = "DCA1";

fn eptura_existing_customer() -> EpturaState {
    let mut state = eptura_base();
    let types: Vec<(String, u64)> = SPACE_TYPES
        .iter()
        .map(|t| (t.0.to_string(), add_type(&mut state, t.0)))
        .collect();
    let type_id = |name: &str| types.iter().find(|t| t.0 == name).map(|t| t.1);
    for b in sample::BUILDINGS {
        let country = geo::region(b.state)
            .and_then(|r| state.country_by_iso(r.country.as_str()))
            .map(|c| c.id);
        let mut address_extra = Map::new();
        if let Some(street2) = b.street2 {
            address_extra.insert("street2".into(), json!(street2));
        }
        let building_id = state.new_id();
        let building = Building {
            id: building_id,
            name: b.name.into(),
            code: b.code.into(),
            address: Address {
                street: Some(b.street.into()),
                city: Some(b.city.into()),
                postal_code: Some(b.zip.into()),
                country_id: country,
                state_code: Some(b.state.into()),
                extra: address_extra,
            },
            extra: Map::new(),
            date_created: SEED_DATE,
            date_updated: SEED_DATE,
        };
        state.buildings.insert(building_id, building);
        let mut floors: Vec<(&str, u64)> = Vec::new();
        for group in sample::SPACES.iter().filter(|s| s.building == b.code) {
            let floor_id = match floors.iter().find(|f| f.0 == group.floor) {
                Some(f) => f.1,
                None => {
                    let id = state.new_id();
                    state.floors.insert(
                        id,
                        Floor {
                            id,
                            name: group.floor.into(),
                            building_id,
                            extra: Map::new(),
                            date_created: SEED_DATE,
                            date_updated: SEED_DATE,
                        },
                    );
                    floors.push((group.floor, id));
                    id
                }
            };
            let Some(kind) = type_id(group.space_type) else {
                continue;
            };
            for name in group.names {
                let id = state.new_id();
                state
                    .rooms
                    .insert(id, sample_room(id, name, group, floor_id, kind));
            }
        }
        if b.code != WITHOUT_CENTER {
            state.add_center(&center_name(b.city), vec![building_id]);
        }
    }
    state
}

fn sample_room(id: u64, name: &str, group: &SampleSpaces, floor_id: u64, type_id: u64) -> Room {
    let mut extra = Map::new();
    if let Some(area) = group.square_feet {
        extra.insert("area".into(), json!(area));
    }
    if let Some(rentable) = group.rentable_square_feet {
        extra.insert("rentableArea".into(), json!(rentable));
    }
    Room {
        id,
        name: name.into(),
        description: group.description.unwrap_or("").into(),
        capacity: group.capacity,
        reservable: group.reservable,
        occupied: group.occupiable,
        floor_id,
        type_id,
        extra,
        date_created: SEED_DATE,
        date_updated: SEED_DATE,
    }
}

/// Spaces of the large scenario: 50 a floor, 10 floors a building, one center a building.
const LARGE_PER_FLOOR: usize = 50;
const LARGE_FLOORS: usize = 10;
const LARGE_STATES: &[&str] = &["TX", "MA", "NY", "IL", "CA", "WA", "ON", "QC"];

fn eptura_large(spaces: usize) -> EpturaState {
    let mut state = eptura_base();
    let types: Vec<u64> = ["Workstation", "Office", "Conference Room", "Phone Booth"]
        .iter()
        .map(|t| add_type(&mut state, t))
        .collect();
    let mut made = 0;
    let mut b = 0;
    while made < spaces {
        b += 1;
        let code = format!("L{b:03}");
        let region = LARGE_STATES[b % LARGE_STATES.len()];
        let country = geo::region(region)
            .and_then(|r| state.country_by_iso(r.country.as_str()))
            .map(|c| c.id);
        let building_id = state.new_id();
        state.buildings.insert(
            building_id,
            Building {
                id: building_id,
                name: format!("Large Building {b:03}"),
                code: code.clone(),
                address: Address {
                    street: Some(format!("{b} Main St")),
                    city: Some(format!("City {b:03}")),
                    postal_code: Some(format!("{:05}", 10_000 + b)),
                    country_id: country,
                    state_code: Some(region.into()),
                    extra: Map::new(),
                },
                extra: Map::new(),
                date_created: SEED_DATE,
                date_updated: SEED_DATE,
            },
        );
        for f in 1..=LARGE_FLOORS {
            if made >= spaces {
                break;
            }
            let floor_id = state.new_id();
            state.floors.insert(
                floor_id,
                Floor {
                    id: floor_id,
                    name: f.to_string(),
                    building_id,
                    extra: Map::new(),
                    date_created: SEED_DATE,
                    date_updated: SEED_DATE,
                },
            );
            for s in 1..=LARGE_PER_FLOOR.min(spaces - made) {
                let (kind, capacity) = match s % 10 {
                    0 => (types[2], 8),
                    5 => (types[1], 1),
                    7 => (types[3], 1),
                    _ => (types[0], 1),
                };
                let id = state.new_id();
                let room = Room {
                    id,
                    name: format!("{code}-{f:02}-{s:03}"),
                    description: String::new(),
                    capacity,
                    reservable: true,
                    occupied: false,
                    floor_id,
                    type_id: kind,
                    extra: Map::new(),
                    date_created: SEED_DATE,
                    date_updated: SEED_DATE,
                };
                state.rooms.insert(id, room);
                made += 1;
            }
        }
        state.add_center(&format!("Large Building {b:03} Center"), vec![building_id]);
    }
    state
}

// ---------------------------------------------------------------------------------------------
// The existing customer's Condeco tenant.

/// How a sample building appears in Condeco: its location name (with drift) and its floors as
/// (Eptura floor name, Condeco floor name).
struct DriftedLocation {
    code: &'static str,
    name: &'static str,
    time_zone: &'static str,
    floors: &'static [(&'static str, &'static str)],
}

const LOCATIONS: &[DriftedLocation] = &[
    DriftedLocation {
        code: "HOU1",
        name: "Houston Energy Centre",
        time_zone: "Central Standard Time",
        floors: &[
            ("1", "Level 1"),
            ("2", "Level 2"),
            ("3", "Level 3"),
            ("4", "Level 4"),
        ],
    },
    DriftedLocation {
        code: "BOS1",
        name: "Boston Seaport",
        time_zone: "Eastern Standard Time",
        floors: &[
            ("Ground", "Ground Floor"),
            ("Level 2", "2nd Floor"),
            ("Level 3", "3rd Floor"),
        ],
    },
    DriftedLocation {
        code: "NYC1",
        name: "New York - Midtown",
        time_zone: "Eastern Standard Time",
        floors: &[("12", "12"), ("14", "14"), ("15", "15")],
    },
    DriftedLocation {
        code: "CHI1",
        name: "CHICAGO WEST LOOP",
        time_zone: "Central Standard Time",
        floors: &[
            ("B1", "Basement"),
            ("1", "Floor 1"),
            ("2", "Floor 2"),
            ("3", "Floor 3"),
        ],
    },
    DriftedLocation {
        code: "TOR1",
        name: "Toronto King West",
        time_zone: "Eastern Standard Time",
        floors: &[("B1", "P1"), ("Ground", "Ground"), ("2", "2")],
    },
    DriftedLocation {
        code: "MTL1",
        name: "Montreal Centre Ville",
        time_zone: "Eastern Standard Time",
        floors: &[("1", "1st Floor"), ("2", "2nd Floor")],
    },
];

/// Room names that drifted in Condeco: (building, Eptura name, Condeco name).
const RENAMED: &[(&str, &str, &str)] = &[
    ("CHI1", "Conf Rm 3A", "Conference Room 3A"),
    ("CHI1", "Conf Rm 3B", "Conference Room 3B"),
    ("HOU1", "Conf Rm 4A", "Conference Rm 4A"),
    ("HOU1", "Galveston Room", "Galvestn Room"),
    ("CHI1", "Lakeshore Room", "Lake Shore Room"),
    ("BOS1", "Huddle 02A", "Huddle Rm 02A"),
    ("NYC1", "SoHo Room", "Soho Room"),
];

/// The Eptura room Condeco lacks.
pub(super) const MISSING_IN_CONDECO: (&str, &str) = ("HOU1", "Heights Room");
/// The room only Condeco has: (building, floor number, name, capacity).
pub(super) const ONLY_IN_CONDECO: (&str, i64, &str, u32) = ("NYC1", 14, "Hudson Room", 8);

/// Condeco workspace types of the existing customer, besides the defaults, and which sample
/// space type uses which: (Eptura type, Condeco type, booking period).
const WORKSPACE_TYPES: &[(&str, &str, &str)] = &[
    ("Workstation", "Desk", "AllDay"),
    ("Conference Room", "Meeting Room", "Hourly"),
    ("Huddle Room", "Huddle Space", "Hourly"),
    ("Phone Booth", "Phone Booth", "AllDay"),
    ("Training Room", "Training Room", "Hourly"),
    ("Boardroom", "Boardroom", "Hourly"),
    ("Parking", "Parking Space", "AllDay"),
    ("Locker", "Locker", "AllDay"),
];

fn condeco_existing_customer(eptura: &EpturaState) -> CondecoState {
    let mut state = CondecoState::with_defaults();
    let mut kinds: Vec<(&str, u64)> = Vec::new();
    for (eptura_type, name, period) in WORKSPACE_TYPES {
        let existing = state
            .workspace_types
            .values()
            .find(|t| t.name == *name)
            .map(|t| t.workspace_type_id);
        let id = existing.unwrap_or_else(|| {
            let id = state.new_id();
            let kind = WorkspaceType {
                workspace_type_id: id,
                name: (*name).into(),
                booking_period: (*period).into(),
                is_default: false,
                external_id: None,
            };
            state.workspace_types.insert(id, kind);
            id
        });
        kinds.push((eptura_type, id));
    }

    let mut countries: Vec<(&str, u64, u64)> = Vec::new(); // (iso, country id, default group)
    for (iso, name) in [("US", "United States"), ("CA", "Canada")] {
        let country_id = state.new_id();
        state.countries.insert(
            country_id,
            CCountry {
                country_id,
                name: name.into(),
                country_code: iso.into(),
                external_id: None,
            },
        );
        let group_id = state.new_id();
        state.groups.insert(
            group_id,
            Group {
                group_id,
                name: format!("{name} Default"),
                country_id,
                location_ids: Vec::new(),
                is_default: true,
                external_id: None,
            },
        );
        countries.push((iso, country_id, group_id));
    }
    let executive = state.new_id();
    state.groups.insert(
        executive,
        Group {
            group_id: executive,
            name: "Executive Suites".into(),
            country_id: countries[0].1,
            location_ids: Vec::new(),
            is_default: false,
            external_id: None,
        },
    );

    let mut bookings_seed = 0u64;
    for drifted in LOCATIONS {
        let Some(sample) = sample::BUILDINGS.iter().find(|b| b.code == drifted.code) else {
            continue;
        };
        let Some(region) = geo::region(sample.state) else {
            continue;
        };
        let Some(&(_, country_id, group_id)) =
            countries.iter().find(|c| c.0 == region.country.as_str())
        else {
            continue;
        };
        let region_id = region_of(&mut state, country_id, region.name);
        let floors = drifted
            .floors
            .iter()
            .filter_map(|(eptura_name, name)| {
                Some(LocationFloor {
                    floor_number: i64::from(floor_number(eptura_name)?),
                    name: (*name).into(),
                    external_id: None,
                })
            })
            .collect();
        let location_id = state.new_id();
        state.locations.insert(
            location_id,
            Location {
                location_id,
                name: drifted.name.into(),
                region_id,
                address: Some(sample.street.into()),
                city: Some(sample.city.into()),
                postal_code: Some(sample.zip.into()),
                time_zone: Some(drifted.time_zone.into()),
                status: "Open".into(),
                floors,
                external_id: None,
            },
        );
        if let Some(group) = state.groups.get_mut(&group_id) {
            group.location_ids.push(location_id);
        }
        for (floor_name, space) in eptura_spaces(eptura, drifted.code) {
            let Some(floor) = floor_number(&floor_name) else {
                continue;
            };
            let Some(&(_, kind)) = kinds.iter().find(|k| k.0 == space.type_name) else {
                continue;
            };
            if !space.reservable || (drifted.code, space.name.as_str()) == MISSING_IN_CONDECO {
                continue;
            }
            let name = RENAMED
                .iter()
                .find(|r| r.0 == drifted.code && r.1 == space.name)
                .map_or(space.name.clone(), |r| r.2.to_string());
            bookings_seed += 1;
            let resource = resource(
                &mut state,
                (location_id, i64::from(floor), group_id, kind),
                &name,
                space.usage == "WE",
                space.capacity,
                bookings_seed,
            );
            state.resources.insert(resource.resource_id, resource);
        }
        if drifted.code == ONLY_IN_CONDECO.0 {
            let meeting_room = kinds
                .iter()
                .find(|k| k.0 == "Conference Room")
                .map_or(0, |k| k.1);
            let (_, floor, name, capacity) = ONLY_IN_CONDECO;
            let extra = resource(
                &mut state,
                (location_id, floor, group_id, meeting_room),
                name,
                true,
                capacity,
                3,
            );
            state.resources.insert(extra.resource_id, extra);
        }
    }
    state
}

fn region_of(state: &mut CondecoState, country_id: u64, name: &str) -> u64 {
    if let Some(r) = state
        .regions
        .values()
        .find(|r| r.country_id == country_id && r.name == name)
    {
        return r.region_id;
    }
    let region_id = state.new_id();
    state.regions.insert(
        region_id,
        Region {
            region_id,
            name: name.into(),
            country_id,
            external_id: None,
        },
    );
    region_id
}

/// A new resource; `n` spreads the bookings (some resources have none).
fn resource(
    state: &mut CondecoState,
    (location_id, floor_number, group_id, workspace_type_id): (u64, i64, u64, u64),
    name: &str,
    meeting: bool,
    capacity: u32,
    n: u64,
) -> Resource {
    let resource_id = state.new_id();
    Resource {
        resource_id,
        name: name.into(),
        resource_type: if meeting {
            "MeetingSpace"
        } else {
            "PersonalSpace"
        }
        .into(),
        booking_period: if meeting { "Hourly" } else { "AllDay" }.into(),
        location_id,
        floor_number,
        group_id: Some(group_id),
        workspace_type_id,
        capacity: if meeting { capacity.max(1) } else { 1 },
        status: "Open".into(),
        external_id: None,
        booking_count: if meeting { (n * 7 + 3) % 11 } else { n % 4 },
    }
}

/// A space of an Eptura building, as the Condeco seed needs it.
struct SeedSpace {
    name: String,
    type_name: String,
    usage: String,
    capacity: u32,
    reservable: bool,
}

/// The spaces of the Eptura building with this code, with their floor names, in id order.
fn eptura_spaces(eptura: &EpturaState, code: &str) -> Vec<(String, SeedSpace)> {
    let Some(building) = eptura.buildings.values().find(|b| b.code == code) else {
        return Vec::new();
    };
    eptura
        .rooms
        .values()
        .filter_map(|room| {
            let floor = eptura.floors.get(&room.floor_id)?;
            let kind = eptura.room_types.get(&room.type_id)?;
            (floor.building_id == building.id).then(|| {
                let space = SeedSpace {
                    name: room.name.clone(),
                    type_name: kind.name.clone(),
                    usage: kind.usage.clone().unwrap_or_default(),
                    capacity: room.capacity,
                    reservable: room.reservable,
                };
                (floor.name.clone(), space)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_data_matches_the_sample_template_counts() {
        let spaces: usize = sample::SPACES.iter().map(|s| s.names.len()).sum();
        assert_eq!(spaces, 422);
        assert_eq!(sample::BUILDINGS.len(), 7);
        let (eptura, _) = seed(Scenario::ExistingCustomer);
        assert_eq!(eptura.rooms.len(), 422);
        assert_eq!(eptura.floors.len(), 21);
        assert_eq!(eptura.room_types.len(), 11);
    }

    #[test]
    fn every_drift_points_at_a_real_eptura_room() {
        let (eptura, condeco) = seed(Scenario::ExistingCustomer);
        let in_eptura = |code: &str, name: &str| {
            eptura_spaces(&eptura, code)
                .iter()
                .any(|(_, s)| s.name == name)
        };
        for (code, from, to) in RENAMED {
            assert!(in_eptura(code, from), "{code} {from}");
            assert!(condeco.resources.values().any(|r| r.name == *to), "{to}");
        }
        let (code, missing) = MISSING_IN_CONDECO;
        assert!(in_eptura(code, missing));
        assert!(!condeco.resources.values().any(|r| r.name == missing));
        assert!(!in_eptura(ONLY_IN_CONDECO.0, ONLY_IN_CONDECO.2));
        for location in LOCATIONS {
            assert_eq!(
                location.floors.len(),
                eptura
                    .floors
                    .values()
                    .filter(|f| eptura.buildings[&f.building_id].code == location.code)
                    .count(),
                "{}: every Eptura floor has a Condeco floor",
                location.code
            );
        }
    }

    #[test]
    fn seeds_are_deterministic() {
        for scenario in [
            Scenario::NewCustomer,
            Scenario::ExistingCustomer,
            Scenario::Large(700),
        ] {
            let (a, b) = seed(scenario);
            let (c, d) = seed(scenario);
            assert_eq!(
                serde_json::to_value(&a).unwrap(),
                serde_json::to_value(&c).unwrap()
            );
            assert_eq!(
                serde_json::to_value(&b).unwrap(),
                serde_json::to_value(&d).unwrap()
            );
        }
    }
}
