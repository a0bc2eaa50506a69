//! Every path, query parameter and field name of the Eptura Workplace v2 API this tool uses,
//! and nothing else: the JSON shapes read (tolerant: unknown fields ignored, optional ones may
//! be missing or null) and the bodies written. A real tenant's differences are a change here.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{NewBuilding, NewFloor, NewSpace, NewSpaceType, Patch};
use crate::domain::Usage;
use crate::domain::remote::{
    CenterRef, EpturaBuilding, EpturaCenter, EpturaCountry, EpturaFloor, EpturaSpace,
    EpturaSpaceType,
};

/// Appended to the site address.
pub const API_ROOT: &str = "external/api/rest/v2/";
pub const HEADER_USERNAME: &str = "x-auth-username";
pub const HEADER_PASSWORD: &str = "x-auth-password";

pub const BUILDINGS: &str = "buildings";
pub const FLOORS: &str = "floors";
pub const ROOMS: &str = "rooms";
pub const ROOM_TYPES: &str = "rooms/types";
pub const COUNTRIES: &str = "countries";
pub const CENTERS: &str = "centers";

pub const PAGE_LIMIT: usize = 100;
pub const Q_LIMIT: &str = "limit";
pub const Q_START_AT: &str = "startAt";
pub const Q_ORDER_BY: &str = "orderBy";
pub const Q_ORDER_BY_TYPE: &str = "orderByType";
pub const Q_MODIFIED_AFTER: &str = "modifiedOrCreatedAfter";
pub const Q_BUILDING_ID: &str = "buildingId";
pub const Q_FLOOR_ID: &str = "floorId";
pub const Q_MODULE: &str = "module";
pub const Q_SELECTOR: &str = "selector";
pub const MODULE_RESERVATION: &str = "reservation";
pub const CENTER_SELECTOR: &str = "buildings(centers(module))";

/// `{"count": n}`.
#[derive(Deserialize)]
pub struct Count {
    pub count: u64,
}

/// Anything with an id: used to check paging progress.
pub trait HasId {
    fn id(&self) -> i64;
}

/// `selector=id`: listing only the ids (how deletions are found: the API has no feed of them).
pub const ID_SELECTOR: &str = "id";

/// A row of an id listing, or a reference to another record.
#[derive(Deserialize)]
pub struct IdOnly {
    id: i64,
}

impl HasId for IdOnly {
    fn id(&self) -> i64 {
        self.id
    }
}

impl From<IdOnly> for i64 {
    fn from(row: IdOnly) -> i64 {
        row.id
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Building {
    id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    address: Option<Address>,
    /// Some answers put the city at top level.
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    centers: Option<Vec<Center>>,
    #[serde(default)]
    date_updated: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Address {
    #[serde(default)]
    street: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    country: Option<Country>,
    #[serde(default)]
    state: Option<State>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Country {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    iso_code: Option<String>,
    #[serde(default)]
    alpha2_code: Option<String>,
}

#[derive(Deserialize)]
struct State {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
pub struct Center {
    id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    buildings: Option<Vec<IdOnly>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Floor {
    id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    building: Option<IdOnly>,
    #[serde(default)]
    date_updated: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    capacity: Option<f64>,
    #[serde(default)]
    reservable: Option<bool>,
    #[serde(default)]
    occupiable: Option<bool>,
    #[serde(default)]
    area: Option<f64>,
    #[serde(default, rename = "type")]
    room_type: Option<RoomType>,
    #[serde(default)]
    floor: Option<Floor>,
    #[serde(default)]
    date_updated: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomType {
    id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    type_code: Option<String>,
    #[serde(default)]
    usage: Option<String>,
    #[serde(default)]
    occupiable: Option<bool>,
    #[serde(default)]
    parking_space: Option<bool>,
    #[serde(default)]
    date_updated: Option<i64>,
}

macro_rules! has_id {
    ($($t:ty),*) => { $(impl HasId for $t { fn id(&self) -> i64 { self.id } })* };
}
has_id!(Building, Floor, Room, RoomType, Center);

impl HasId for Country {
    fn id(&self) -> i64 {
        self.id.unwrap_or_default()
    }
}

/// Blank strings are absent.
fn text(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn usage(value: Option<&str>) -> Option<Usage> {
    match value?.trim().to_ascii_uppercase().as_str() {
        "ME" => Some(Usage::Me),
        "WE" => Some(Usage::We),
        "NONE" => Some(Usage::None),
        _ => None,
    }
}

impl From<Building> for EpturaBuilding {
    fn from(w: Building) -> Self {
        let address = w.address.unwrap_or_default();
        let (state_code, state_name) = match address.state {
            Some(s) => (text(s.code), text(s.name)),
            None => (None, None),
        };
        EpturaBuilding {
            id: w.id.into(),
            name: w.name.unwrap_or_default(),
            code: text(w.code),
            street: text(address.street),
            city: text(address.city).or(text(w.city)),
            zip: text(address.postal_code),
            state_code,
            state_name,
            country_code: address
                .country
                .and_then(|c| text(c.iso_code).or(text(c.alpha2_code))),
            centers: w
                .centers
                .unwrap_or_default()
                .into_iter()
                .map(|c| CenterRef {
                    id: c.id.into(),
                    name: c.name.unwrap_or_default(),
                    module: text(c.module),
                })
                .collect(),
            date_updated: w.date_updated,
        }
    }
}

impl From<Floor> for EpturaFloor {
    fn from(w: Floor) -> Self {
        EpturaFloor {
            id: w.id.into(),
            name: w.name.unwrap_or_default(),
            building_id: w.building.map(|b| b.id.into()),
            date_updated: w.date_updated,
        }
    }
}

impl From<Room> for EpturaSpace {
    fn from(w: Room) -> Self {
        let (type_id, type_name, type_usage) = match w.room_type {
            Some(t) => (Some(t.id.into()), text(t.name), usage(t.usage.as_deref())),
            None => (None, None, None),
        };
        let (floor_id, building_id) = match w.floor {
            Some(f) => (Some(f.id.into()), f.building.map(|b| b.id.into())),
            None => (None, None),
        };
        EpturaSpace {
            id: w.id.into(),
            name: w.name.unwrap_or_default(),
            description: text(w.description),
            capacity: w
                .capacity
                .filter(|c| c.is_finite() && *c >= 0.0)
                .map(|c| c.round() as u32),
            reservable: w.reservable.unwrap_or(false),
            occupiable: w.occupiable,
            area: w.area,
            type_id,
            type_name,
            usage: type_usage,
            floor_id,
            building_id,
            date_updated: w.date_updated,
        }
    }
}

impl From<RoomType> for EpturaSpaceType {
    fn from(w: RoomType) -> Self {
        EpturaSpaceType {
            id: w.id.into(),
            name: w.name.unwrap_or_default(),
            type_code: text(w.type_code),
            usage: usage(w.usage.as_deref()),
            occupiable: w.occupiable,
            parking: w.parking_space,
            date_updated: w.date_updated,
        }
    }
}

impl From<Country> for EpturaCountry {
    fn from(w: Country) -> Self {
        EpturaCountry {
            id: w.id.unwrap_or_default().into(),
            name: w.name.unwrap_or_default(),
            iso_code: text(w.iso_code).or(text(w.alpha2_code)),
        }
    }
}

impl From<Center> for EpturaCenter {
    fn from(w: Center) -> Self {
        EpturaCenter {
            id: w.id.into(),
            name: w.name.unwrap_or_default(),
            module: text(w.module),
            building_ids: w
                .buildings
                .unwrap_or_default()
                .into_iter()
                .map(|b| b.id.into())
                .collect(),
        }
    }
}

fn usage_text(usage: Usage) -> &'static str {
    match usage {
        Usage::Me => "ME",
        Usage::We => "WE",
        Usage::None => "NONE",
    }
}

/// Insert `key: value` when the value is present.
fn put(body: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        body.insert(key.to_string(), value);
    }
}

pub fn new_building(b: &NewBuilding) -> Value {
    let mut address = Map::new();
    put(&mut address, "street", b.street.clone().map(Value::from));
    put(&mut address, "street2", b.street2.clone().map(Value::from));
    put(&mut address, "city", b.city.clone().map(Value::from));
    put(&mut address, "postalCode", b.zip.clone().map(Value::from));
    put(
        &mut address,
        "state",
        b.state_code.clone().map(|c| json!({ "code": c })),
    );
    put(
        &mut address,
        "country",
        b.country_code.clone().map(|c| json!({ "isoCode": c })),
    );
    let mut body = Map::new();
    body.insert("name".into(), b.name.clone().into());
    put(&mut body, "code", b.code.clone().map(Value::from));
    body.insert("address".into(), Value::Object(address));
    Value::Object(body)
}

pub fn new_floor(f: &NewFloor) -> Value {
    json!({ "name": f.name, "building": { "id": f.building_id } })
}

pub fn new_space(s: &NewSpace) -> Value {
    let mut body = Map::new();
    body.insert("name".into(), s.name.clone().into());
    body.insert("floor".into(), json!({ "id": s.floor_id }));
    body.insert("type".into(), json!({ "id": s.type_id }));
    body.insert("capacity".into(), s.capacity.into());
    body.insert("reservable".into(), s.reservable.into());
    body.insert("occupiable".into(), s.occupiable.into());
    put(
        &mut body,
        "description",
        s.description.clone().map(Value::from),
    );
    put(&mut body, "area", s.area.map(Value::from));
    Value::Object(body)
}

pub fn new_space_type(t: &NewSpaceType) -> Value {
    let mut body = Map::new();
    body.insert("name".into(), t.name.clone().into());
    body.insert("usage".into(), usage_text(t.usage).into());
    put(&mut body, "typeCode", t.type_code.clone().map(Value::from));
    put(&mut body, "occupiable", t.occupiable.map(Value::from));
    Value::Object(body)
}

/// An update: the id plus only the changed fields.
pub fn patch(id: i64, patch: &Patch) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), id.into());
    put(&mut body, "name", patch.name.clone().map(Value::from));
    put(&mut body, "code", patch.code.clone().map(Value::from));
    put(
        &mut body,
        "description",
        patch.description.clone().map(Value::from),
    );
    put(&mut body, "capacity", patch.capacity.map(Value::from));
    put(&mut body, "reservable", patch.reservable.map(Value::from));
    put(&mut body, "occupiable", patch.occupiable.map(Value::from));
    put(&mut body, "area", patch.area.map(Value::from));
    put(
        &mut body,
        "usage",
        patch.usage.map(|u| Value::from(usage_text(u))),
    );
    put(
        &mut body,
        "floor",
        patch.floor_id.map(|id| json!({ "id": id })),
    );
    put(
        &mut body,
        "type",
        patch.type_id.map(|id| json!({ "id": id })),
    );
    Value::Object(body)
}
