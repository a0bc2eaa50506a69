//! The Eptura Workplace REST API v2 simulator: buildings, floors, rooms (spaces), room types,
//! read-only countries and reservation centers under `/external/api/rest/v2/`, in the JSON
//! shapes of `spec/eptura-api.md`, with header auth, bare-array paging, `/count` twins and
//! `modifiedOrCreatedAfter`. Records are stored flat (a floor knows its building's id) and
//! nested only when rendered. Fields a client sends that the simulator does not model are kept
//! and echoed back, as a tolerant real tenant would.

// Helpers answer a finished HTTP error: the size of `Response` in their `Err` is irrelevant
// next to the request it answers.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::World;
use super::collection::{Collection, collection};
use super::control::{Control, Sim, around_api, control_routes, epoch_ms, eptura_error};
use super::persist::journaled;
use super::table::Table;
use crate::domain::geo::{self, REGIONS};

/// Where the API lives on the site.
pub(super) const BASE: &str = "/external/api/rest/v2";

/// A country (read-only through the API).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Country {
    pub id: u64,
    pub name: String,
    pub iso_code: String,
    pub date_created: i64,
    pub date_updated: i64,
}

/// A building's address; country and state are references, rendered in full.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country_id: Option<u64>,
    pub state_code: Option<String>,
    #[serde(default)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Building {
    pub id: u64,
    pub name: String,
    pub code: String,
    pub address: Address,
    #[serde(default)]
    pub extra: Map<String, Value>,
    pub date_created: i64,
    pub date_updated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Floor {
    pub id: u64,
    pub name: String,
    pub building_id: u64,
    #[serde(default)]
    pub extra: Map<String, Value>,
    pub date_created: i64,
    pub date_updated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Room {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub capacity: u32,
    pub reservable: bool,
    pub occupied: bool,
    pub floor_id: u64,
    pub type_id: u64,
    #[serde(default)]
    pub extra: Map<String, Value>,
    pub date_created: i64,
    pub date_updated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct RoomType {
    pub id: u64,
    pub name: String,
    pub type_code: String,
    /// "ME", "WE" or "NONE" (an assumed field: see the spec).
    pub usage: Option<String>,
    pub occupiable: bool,
    pub parking_space: bool,
    #[serde(default)]
    pub extra: Map<String, Value>,
    pub date_created: i64,
    pub date_updated: i64,
}

/// A reservation center and the buildings assigned to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Center {
    pub id: u64,
    pub name: String,
    pub module: String,
    pub building_ids: Vec<u64>,
}

/// Everything the Eptura simulator holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EpturaState {
    pub(super) next_id: u64,
    pub(super) countries: Table<Country>,
    pub(super) buildings: Table<Building>,
    pub(super) floors: Table<Floor>,
    pub(super) rooms: Table<Room>,
    pub(super) room_types: Table<RoomType>,
    pub(super) centers: Table<Center>,
}

journaled!(EpturaState: next_id; countries, buildings, floors, rooms, room_types, centers);

impl EpturaState {
    pub(super) fn new_id(&mut self) -> u64 {
        self.next_id = self.next_id.max(1000) + 1;
        self.next_id
    }

    pub(super) fn country_by_iso(&self, iso: &str) -> Option<&Country> {
        self.countries
            .values()
            .find(|c| c.iso_code.eq_ignore_ascii_case(iso))
    }

    pub(super) fn add_country(&mut self, id: u64, name: &str, iso: &str, date: i64) {
        let country = Country {
            id,
            name: name.into(),
            iso_code: iso.into(),
            date_created: date,
            date_updated: date,
        };
        self.countries.insert(id, country);
    }

    pub(super) fn add_center(&mut self, name: &str, building_ids: Vec<u64>) -> u64 {
        let id = self.new_id();
        let center = Center {
            id,
            name: name.into(),
            module: "reservation".into(),
            building_ids,
        };
        self.centers.insert(id, center);
        id
    }

    /// The dump of `GET /__sim/state`, every record in its API shape.
    pub(super) fn dump(&self) -> Value {
        let r = Render(self);
        json!({
            "buildings": self.buildings.values().map(|b| r.building(b)).collect::<Vec<_>>(),
            "floors": self.floors.values().filter_map(|f| r.floor(f)).collect::<Vec<_>>(),
            "rooms": self.rooms.values().filter_map(|x| r.room(x)).collect::<Vec<_>>(),
            "roomTypes": self.room_types.values().map(|t| r.room_type(t)).collect::<Vec<_>>(),
            "countries": self.countries.values().map(|c| r.country(c)).collect::<Vec<_>>(),
            "centers": self.centers.values().map(|c| r.center_with_buildings(c)).collect::<Vec<_>>(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering: the API's JSON shapes, borrowed from the state.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CountryOut<'a> {
    id: u64,
    name: &'a str,
    iso_code: &'a str,
    alpha2_code: &'a str,
    date_created: i64,
    date_updated: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StateOut<'a> {
    id: u64,
    code: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddressOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    street: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<CountryOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<StateOut<'a>>,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
}

#[derive(Serialize)]
struct CenterRef<'a> {
    id: u64,
    name: &'a str,
    module: &'a str,
}

/// The centers a building is assigned to, serialised without collecting them first.
struct CentersOf<'a> {
    state: &'a EpturaState,
    building: u64,
}

impl Serialize for CentersOf<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let building = self.building;
        serializer.collect_seq(
            self.state
                .centers
                .values()
                .filter(|c| c.building_ids.contains(&building))
                .map(|c| CenterRef {
                    id: c.id,
                    name: &c.name,
                    module: &c.module,
                }),
        )
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BuildingOut<'a> {
    id: u64,
    name: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<AddressOut<'a>>,
    centers: CentersOf<'a>,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
    date_created: i64,
    date_updated: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FloorOut<'a> {
    id: u64,
    name: &'a str,
    building: BuildingOut<'a>,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
    date_created: i64,
    date_updated: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoomTypeOut<'a> {
    id: u64,
    name: &'a str,
    type_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<&'a str>,
    occupiable: bool,
    parking_space: bool,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
    date_created: i64,
    date_updated: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoomOut<'a> {
    id: u64,
    name: &'a str,
    description: &'a str,
    capacity: u32,
    reservable: bool,
    occupied: bool,
    #[serde(rename = "type")]
    room_type: RoomTypeOut<'a>,
    floor: FloorOut<'a>,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
    date_created: i64,
    date_updated: i64,
}

#[derive(Serialize)]
struct CenterOut<'a> {
    id: u64,
    name: &'a str,
    module: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    buildings: Option<Vec<BuildingOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rules: Option<&'a str>,
}

/// Renders records of one state into their API shapes.
#[derive(Clone, Copy)]
struct Render<'a>(&'a EpturaState);

impl<'a> Render<'a> {
    fn country(self, c: &'a Country) -> CountryOut<'a> {
        CountryOut {
            id: c.id,
            name: &c.name,
            iso_code: &c.iso_code,
            alpha2_code: &c.iso_code,
            date_created: c.date_created,
            date_updated: c.date_updated,
        }
    }

    fn building(self, b: &'a Building) -> BuildingOut<'a> {
        let a = &b.address;
        // Stored codes are the table's own (upper case), so an exact comparison finds them.
        let state = a.state_code.as_deref().and_then(|code| {
            let index = REGIONS.iter().position(|r| r.code == code)?;
            let region = &REGIONS[index];
            Some(StateOut {
                id: index as u64 + 1,
                code: region.code,
                name: region.name,
            })
        });
        let country = a.country_id.and_then(|id| self.0.countries.get(&id));
        let present = a.street.is_some()
            || a.city.is_some()
            || a.postal_code.is_some()
            || country.is_some()
            || state.is_some()
            || !a.extra.is_empty();
        let address = present.then(|| AddressOut {
            street: a.street.as_deref(),
            city: a.city.as_deref(),
            postal_code: a.postal_code.as_deref(),
            country: country.map(|c| self.country(c)),
            state,
            extra: &a.extra,
        });
        let centers = CentersOf {
            state: self.0,
            building: b.id,
        };
        BuildingOut {
            id: b.id,
            name: &b.name,
            code: &b.code,
            address,
            centers,
            extra: &b.extra,
            date_created: b.date_created,
            date_updated: b.date_updated,
        }
    }

    fn floor(self, f: &'a Floor) -> Option<FloorOut<'a>> {
        let building = self.0.buildings.get(&f.building_id)?;
        Some(FloorOut {
            id: f.id,
            name: &f.name,
            building: self.building(building),
            extra: &f.extra,
            date_created: f.date_created,
            date_updated: f.date_updated,
        })
    }

    fn room_type(self, t: &'a RoomType) -> RoomTypeOut<'a> {
        RoomTypeOut {
            id: t.id,
            name: &t.name,
            type_code: &t.type_code,
            usage: t.usage.as_deref(),
            occupiable: t.occupiable,
            parking_space: t.parking_space,
            extra: &t.extra,
            date_created: t.date_created,
            date_updated: t.date_updated,
        }
    }

    fn room(self, r: &'a Room) -> Option<RoomOut<'a>> {
        let floor = self.0.floors.get(&r.floor_id)?;
        let room_type = self.0.room_types.get(&r.type_id)?;
        Some(RoomOut {
            id: r.id,
            name: &r.name,
            description: &r.description,
            capacity: r.capacity,
            reservable: r.reservable,
            occupied: r.occupied,
            room_type: self.room_type(room_type),
            floor: self.floor(floor)?,
            extra: &r.extra,
            date_created: r.date_created,
            date_updated: r.date_updated,
        })
    }

    fn center(self, c: &'a Center) -> CenterOut<'a> {
        CenterOut {
            id: c.id,
            name: &c.name,
            module: &c.module,
            buildings: None,
            rules: None,
        }
    }

    fn center_with_buildings(self, c: &'a Center) -> CenterOut<'a> {
        let buildings = c
            .building_ids
            .iter()
            .filter_map(|id| self.0.buildings.get(id))
            .map(|b| self.building(b))
            .collect();
        CenterOut {
            buildings: Some(buildings),
            rules: Some("{}"),
            ..self.center(c)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Listing: limit/startAt/orderBy/orderByType/search/modifiedOrCreatedAfter and filters.

/// A value to sort on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Missing,
    Int(i64),
    Text(String),
}

collection!(EpturaState:
    Country => countries, id, "country", "/countries";
    Building => buildings, id, "building", "/buildings";
    Floor => floors, id, "floor", "/floors";
    Room => rooms, id, "room", "/rooms";
    RoomType => room_types, id, "room type", "/rooms/types";
    Center => centers, id, "center", "/centers";
);

/// What listing needs of a record besides its id and name: its dates.
trait Listed: Collection<EpturaState> {
    /// The latest of dateCreated and dateUpdated; `None` for kinds without dates.
    fn changed(&self) -> Option<i64>;
    /// Mark the record changed at `now` (epoch ms).
    fn touch(&mut self, now: i64);
    fn sort_key(&self, field: &str) -> SortKey {
        match field {
            "id" => SortKey::Int(self.id() as i64),
            "name" => SortKey::Text(self.name().to_lowercase()),
            "dateCreated" | "dateUpdated" => self.changed().map_or(SortKey::Missing, SortKey::Int),
            _ => SortKey::Missing,
        }
    }
}

macro_rules! listed {
    ($($kind:ty),*) => {$(
        impl Listed for $kind {
            fn changed(&self) -> Option<i64> { Some(self.date_created.max(self.date_updated)) }
            fn touch(&mut self, now: i64) { self.date_updated = now; }
        }
    )*};
}
listed!(Country, Building, Floor, Room, RoomType);

/// Centers have no dates.
impl Listed for Center {
    fn changed(&self) -> Option<i64> {
        None
    }
    fn touch(&mut self, _: i64) {}
}

/// The listing query, parsed.
struct ListQuery {
    limit: usize,
    start_at: usize,
    order_by: String,
    descending: bool,
    search: Option<String>,
    changed_after: Option<i64>,
    params: HashMap<String, String>,
}

impl ListQuery {
    fn parse(params: HashMap<String, String>) -> Result<ListQuery, String> {
        let limit = number(&params, "limit")?.unwrap_or(50).min(100) as usize;
        let start_at = number(&params, "startAt")?.unwrap_or(0) as usize;
        let changed_after = number(&params, "modifiedOrCreatedAfter")?.map(|n| n as i64);
        let descending = match params.get("orderByType").map(|s| s.to_lowercase()) {
            None => false,
            Some(s) if s == "asc" => false,
            Some(s) if s == "desc" => true,
            Some(other) => return Err(format!("orderByType \"{other}\" is not asc or desc")),
        };
        Ok(ListQuery {
            limit,
            start_at,
            order_by: params
                .get("orderBy")
                .cloned()
                .unwrap_or_else(|| "id".into()),
            descending,
            search: params.get("search").map(|s| s.to_lowercase()),
            changed_after,
            params,
        })
    }

    /// The plain field names of `selector` (`id,name`); `None` without one or when it expands
    /// relations (`buildings(centers(module))`), which listings answer in full.
    fn projection(&self) -> Option<Vec<String>> {
        let selector = self.params.get("selector")?;
        if selector.contains('(') {
            return None;
        }
        let fields: Vec<String> = selector
            .split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        (!fields.is_empty()).then_some(fields)
    }

    fn id_param(&self, name: &str) -> Result<Option<u64>, String> {
        number(&self.params, name)
    }

    fn keeps<T: Listed>(&self, record: &T) -> bool {
        let searched = self
            .search
            .as_ref()
            .is_none_or(|s| record.name().to_lowercase().contains(s));
        let changed = match (self.changed_after, record.changed()) {
            (Some(after), Some(changed)) => changed >= after,
            _ => true,
        };
        searched && changed
    }

    /// Filter, then count (`counting`) or order and cut one page. Records come in id order,
    /// so the default order cuts the page without looking at the rest.
    fn select<'a, T: Listed + 'a>(
        &self,
        records: impl Iterator<Item = &'a T>,
        counting: bool,
    ) -> (usize, Vec<&'a T>) {
        let kept = records.filter(|r| self.keeps(*r));
        if counting {
            return (kept.count(), Vec::new());
        }
        if self.order_by == "id" && !self.descending {
            return (0, kept.skip(self.start_at).take(self.limit).collect());
        }
        let mut kept: Vec<&T> = kept.collect();
        let total = kept.len();
        if self.order_by != "id" {
            kept.sort_by_cached_key(|r| (r.sort_key(&self.order_by), r.id()));
        }
        if self.descending {
            kept.reverse();
        }
        let page = kept
            .into_iter()
            .skip(self.start_at)
            .take(self.limit)
            .collect();
        (total, page)
    }
}

fn number(params: &HashMap<String, String>, name: &str) -> Result<Option<u64>, String> {
    params
        .get(name)
        .map(|v| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| format!("{name} \"{v}\" is not a whole number"))
        })
        .transpose()
}

// ---------------------------------------------------------------------------------------------
// Routes.

type Params = Query<HashMap<String, String>>;

fn bad(message: impl AsRef<str>) -> Response {
    eptura_error(StatusCode::BAD_REQUEST, message.as_ref())
}

fn not_found() -> Response {
    eptura_error(StatusCode::NOT_FOUND, "not found")
}

fn parse_id(id: &str) -> Result<u64, Response> {
    id.parse().map_err(|_| not_found())
}

pub(super) fn router(world: std::sync::Arc<World>, control: std::sync::Arc<Control>) -> Router {
    let sim = Sim { world, control };
    let api = Router::new()
        .merge(editable::<Building>())
        .merge(editable::<Floor>())
        .merge(editable::<Room>())
        .merge(editable::<RoomType>())
        .merge(routes::<Country>(
            post(read_only),
            put(read_only).delete(read_only),
        ))
        .route("/centers", get(list_centers))
        .route("/centers/{id}", get(get_center))
        .route_layer(middleware::from_fn(require_auth));
    Router::new()
        .nest(BASE, api)
        .route("/__sim/state", get(dump))
        .route("/__sim/centers", post(sim_center))
        .merge(control_routes())
        .layer(middleware::from_fn_with_state(sim.clone(), around_api))
        .with_state(sim)
}

/// A kind's list, count and one-record routes, with `create` beside the list and `change`
/// (update, delete) beside the record.
fn routes<T: Kind>(create: MethodRouter<Sim>, change: MethodRouter<Sim>) -> Router<Sim> {
    Router::new()
        .route(T::PATH, get(list::<T>).merge(create))
        .route(&format!("{}/count", T::PATH), get(count::<T>))
        .route(&format!("{}/{{id}}", T::PATH), get(one::<T>).merge(change))
}

/// The routes of a kind clients write.
fn editable<T: Editable>() -> Router<Sim> {
    routes::<T>(post(create::<T>), put(update::<T>).delete(remove::<T>))
}

/// Every API request needs `x-auth-username` and `x-auth-password`; any values are accepted.
async fn require_auth(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let present = ["x-auth-username", "x-auth-password"]
        .iter()
        .all(|name| headers.get(*name).is_some_and(|v| !v.as_bytes().is_empty()));
    if present {
        next.run(request).await
    } else {
        eptura_error(StatusCode::UNAUTHORIZED, "")
    }
}

async fn dump(State(sim): State<Sim>) -> Json<Value> {
    Json(sim.world.eptura().dump())
}

async fn read_only() -> Response {
    eptura_error(StatusCode::INTERNAL_SERVER_ERROR, "countries are read-only")
}

/// A page as a bare JSON array, or the count as `{"count": n}`.
fn answer<T: Serialize>(counting: bool, total: usize, page: &[T]) -> Response {
    if counting {
        return Json(json!({ "count": total })).into_response();
    }
    // Sized for nested records up front: pages are large and growing a buffer copies them.
    let mut body = Vec::with_capacity(256 + page.len() * 1024);
    match serde_json::to_writer(&mut body, page) {
        Ok(()) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => eptura_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The filters of one listing beyond the common ones, parsed only where the kind takes them.
#[derive(Default)]
struct Placement {
    building: Option<u64>,
    floor: Option<u64>,
    types: Option<Vec<u64>>,
}

impl Placement {
    fn parse(query: &ListQuery, accepted: &[&str]) -> Result<Placement, String> {
        let id = |name: &str| match accepted.contains(&name) {
            true => query.id_param(name),
            false => Ok(None),
        };
        let types = accepted
            .contains(&"type")
            .then(|| query.params.get("type"))
            .flatten()
            .map(|t| t.split(',').filter_map(|x| x.trim().parse().ok()).collect());
        Ok(Placement {
            building: id("buildingId")?,
            floor: id("floorId")?,
            types,
        })
    }
}

/// What a kind the API lists adds to [`Listed`]: its API shape and its own filters.
trait Kind: Listed {
    type Out<'a>: Serialize
    where
        Self: 'a;
    /// The filters it takes besides the common ones: "buildingId", "floorId", "type".
    const FILTERS: &'static [&'static str] = &[];
    /// The API shape; `None` when a record it nests is gone.
    fn render<'a>(r: Render<'a>, record: &'a Self) -> Option<Self::Out<'a>>;
    fn placed(&self, _state: &EpturaState, _filters: &Placement) -> bool {
        true
    }
}

impl Kind for Country {
    type Out<'a> = CountryOut<'a>;
    fn render<'a>(r: Render<'a>, record: &'a Self) -> Option<CountryOut<'a>> {
        Some(r.country(record))
    }
}

impl Kind for Building {
    type Out<'a> = BuildingOut<'a>;
    fn render<'a>(r: Render<'a>, record: &'a Self) -> Option<BuildingOut<'a>> {
        Some(r.building(record))
    }
}

impl Kind for Floor {
    type Out<'a> = FloorOut<'a>;
    const FILTERS: &'static [&'static str] = &["buildingId"];
    fn render<'a>(r: Render<'a>, record: &'a Self) -> Option<FloorOut<'a>> {
        r.floor(record)
    }
    fn placed(&self, _: &EpturaState, filters: &Placement) -> bool {
        filters.building.is_none_or(|b| self.building_id == b)
    }
}

impl Kind for Room {
    type Out<'a> = RoomOut<'a>;
    const FILTERS: &'static [&'static str] = &["buildingId", "floorId", "type"];
    fn render<'a>(r: Render<'a>, record: &'a Self) -> Option<RoomOut<'a>> {
        r.room(record)
    }
    /// floorId wins over buildingId; a mismatch is not an error.
    fn placed(&self, state: &EpturaState, filters: &Placement) -> bool {
        let placed = match (filters.floor, filters.building) {
            (Some(f), _) => self.floor_id == f,
            (None, Some(b)) => state.floors.get(&self.floor_id).map(|f| f.building_id) == Some(b),
            (None, None) => true,
        };
        placed
            && filters
                .types
                .as_ref()
                .is_none_or(|t| t.contains(&self.type_id))
    }
}

impl Kind for RoomType {
    type Out<'a> = RoomTypeOut<'a>;
    fn render<'a>(r: Render<'a>, record: &'a Self) -> Option<RoomTypeOut<'a>> {
        Some(r.room_type(record))
    }
}

/// One page (or the count) of a kind's records.
fn listing<T: Kind>(sim: &Sim, params: HashMap<String, String>, counting: bool) -> Response {
    let query = match ListQuery::parse(params) {
        Ok(q) => q,
        Err(e) => return bad(e),
    };
    let filters = match Placement::parse(&query, T::FILTERS) {
        Ok(f) => f,
        Err(e) => return bad(e),
    };
    let state = sim.world.eptura();
    let r = Render(&state);
    let records = T::table(&state)
        .values()
        .filter(|x| x.placed(&state, &filters));
    let (total, page) = query.select(records, counting);
    let rendered = page.into_iter().filter_map(|x| T::render(r, x));
    match query.projection() {
        Some(fields) => answer(counting, total, &project(rendered, &fields)),
        None => answer(counting, total, &rendered.collect::<Vec<_>>()),
    }
}

/// Only the top-level fields a `selector` names, as the API's field projection gives them
/// (`selector=id` is how a sync lists ids to find deletions).
fn project<T: Serialize>(records: impl Iterator<Item = T>, fields: &[String]) -> Vec<Value> {
    records
        .filter_map(|record| match serde_json::to_value(record) {
            Ok(Value::Object(mut map)) => {
                map.retain(|key, _| fields.iter().any(|f| f == key));
                Some(Value::Object(map))
            }
            _ => None,
        })
        .collect()
}

async fn list<T: Kind>(State(sim): State<Sim>, Query(p): Params) -> Response {
    listing::<T>(&sim, p, false)
}

async fn count<T: Kind>(State(sim): State<Sim>, Query(p): Params) -> Response {
    listing::<T>(&sim, p, true)
}

async fn list_centers(State(sim): State<Sim>, Query(p): Params) -> Response {
    let module = p.get("module").cloned();
    let query = match ListQuery::parse(p) {
        Ok(q) => q,
        Err(e) => return bad(e),
    };
    let Some(module) = module else {
        return bad("module is required, e.g. module=reservation");
    };
    let state = sim.world.eptura();
    let records = state
        .centers
        .values()
        .filter(|c| c.module.eq_ignore_ascii_case(&module));
    let (_, page) = query.select(records, false);
    let rows: Vec<Value> = page
        .into_iter()
        .map(|c| json!({ "id": c.id, "name": c.name }))
        .collect();
    Json(rows).into_response()
}

async fn get_center(State(sim): State<Sim>, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let state = sim.world.eptura();
    match state.centers.get(&id) {
        Some(c) => Json(Render(&state).center_with_buildings(c)).into_response(),
        None => not_found(),
    }
}

async fn one<T: Kind>(State(sim): State<Sim>, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let state = sim.world.eptura();
    rendered::<T>(&state, id).map_or_else(|r| r, |out| Json(out).into_response())
}

/// Record `id` in its API shape, or 404.
fn rendered<T: Kind>(state: &EpturaState, id: u64) -> Result<T::Out<'_>, Response> {
    T::table(state)
        .get(&id)
        .and_then(|x| T::render(Render(state), x))
        .ok_or_else(not_found)
}

// ---------------------------------------------------------------------------------------------
// Writes. Bodies are read loosely: known fields are checked, unknown ones kept.

/// Fields the simulator models or computes, never kept as "extra".
const COMPUTED: &[&str] = &["id", "dateCreated", "dateUpdated", "centers"];

fn body_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad("the body must be a JSON object")),
    }
}

/// A string field: `Ok(None)` when absent or null.
fn text(map: &Map<String, Value>, key: &str) -> Result<Option<String>, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(bad(format!("{key} must be a string, not {other}"))),
    }
}

fn flag(map: &Map<String, Value>, key: &str) -> Result<Option<bool>, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(bad(format!("{key} must be true or false, not {other}"))),
    }
}

fn whole(map: &Map<String, Value>, key: &str) -> Result<Option<u64>, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .map(Some)
            .ok_or_else(|| bad(format!("{key} must be a whole number, not {v}"))),
    }
}

/// `{"id": n}` (or a bare number) under `key`, or `{key}Id` beside it.
fn reference(map: &Map<String, Value>, key: &str) -> Result<Option<u64>, Response> {
    let found = match map.get(key) {
        Some(Value::Object(inner)) => inner.get("id").and_then(Value::as_u64),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    match found {
        Some(id) => Ok(Some(id)),
        None => whole(map, &format!("{key}Id")),
    }
}

fn required_name(map: &Map<String, Value>) -> Result<String, Response> {
    match text(map, "name")? {
        Some(name) if !name.trim().is_empty() => Ok(name),
        _ => Err(bad("name is required")),
    }
}

/// The name a body changes to, if it sends one: never blank.
fn new_name(map: &Map<String, Value>) -> Result<Option<String>, Response> {
    match text(map, "name")? {
        Some(name) if name.trim().is_empty() => Err(bad("name cannot be empty")),
        sent => Ok(sent),
    }
}

fn extra_of(map: &Map<String, Value>, modelled: &[&str]) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !modelled.contains(&k.as_str()) && !COMPUTED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The body's `id`, if sent, must be the path's.
fn check_body_id(map: &Map<String, Value>, id: u64) -> Result<(), Response> {
    match map.get("id").and_then(Value::as_u64) {
        Some(sent) if sent != id => Err(bad(format!("body id {sent} is not the path id {id}"))),
        _ => Ok(()),
    }
}

fn created<T: Serialize>(out: T) -> Response {
    (StatusCode::CREATED, Json(out)).into_response()
}

fn removed() -> Response {
    Json(json!({ "response": "Successfully removed" })).into_response()
}

/// What a kind clients write adds to [`Kind`]: how a body changes it and what a delete takes
/// with it.
trait Editable: Kind {
    /// A new record before its body is applied: the name, dated `now`, the rest empty.
    fn blank(name: String, now: i64) -> Self;
    /// What a create needs besides a name (the references the spec requires).
    fn required(_map: &Map<String, Value>) -> Result<(), Response> {
        Ok(())
    }
    /// Apply a body (create or partial update), checking the records it names.
    fn apply(&mut self, state: &EpturaState, map: &Map<String, Value>) -> Result<(), Response>;
    /// Delete record `id` (it exists) and whatever goes with it.
    fn delete(state: &mut EpturaState, id: u64) -> Result<(), Response> {
        Self::table_mut(state).remove(&id);
        Ok(())
    }
}

async fn create<T: Editable>(State(sim): State<Sim>, body: axum::body::Bytes) -> Response {
    create_record::<T>(&sim, &body).unwrap_or_else(|r| r)
}

fn create_record<T: Editable>(sim: &Sim, body: &[u8]) -> Result<Response, Response> {
    let map = body_object(body)?;
    let name = required_name(&map)?;
    T::required(&map)?;
    let mut state = sim.world.eptura_mut();
    let mut record = T::blank(name, epoch_ms());
    record.apply(&state, &map)?;
    let id = state.new_id();
    record.set_id(id);
    T::table_mut(&mut state).insert(id, record);
    rendered::<T>(&state, id).map(created)
}

async fn update<T: Editable>(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    update_record::<T>(&sim, &id, &body).unwrap_or_else(|r| r)
}

fn update_record<T: Editable>(sim: &Sim, id: &str, body: &[u8]) -> Result<Response, Response> {
    let id = parse_id(id)?;
    let map = body_object(body)?;
    check_body_id(&map, id)?;
    let mut state = sim.world.eptura_mut();
    let mut record = T::table(&state).get(&id).cloned().ok_or_else(not_found)?;
    record.apply(&state, &map)?;
    record.touch(epoch_ms());
    T::table_mut(&mut state).insert(id, record);
    rendered::<T>(&state, id).map(|out| Json(out).into_response())
}

async fn remove<T: Editable>(State(sim): State<Sim>, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut state = sim.world.eptura_mut();
    if !T::table(&state).contains_key(&id) {
        return not_found();
    }
    T::delete(&mut state, id).map_or_else(|r| r, |()| removed())
}

const BUILDING_FIELDS: &[&str] = &[
    "name",
    "code",
    "address",
    "street",
    "city",
    "postalCode",
    "country",
    "state",
];
const ADDRESS_FIELDS: &[&str] = &["street", "city", "postalCode", "country", "state"];

/// Apply a building body (create or partial update) to `building`.
fn apply_building(
    state: &EpturaState,
    building: &mut Building,
    map: &Map<String, Value>,
) -> Result<(), Response> {
    if let Some(name) = new_name(map)? {
        building.name = name;
    }
    if let Some(code) = text(map, "code")? {
        building.code = code;
    }
    // The API is loose about placement: address fields may come inside `address` or beside it.
    let nested = match map.get("address") {
        Some(Value::Object(a)) => a.clone(),
        _ => Map::new(),
    };
    for source in [map, &nested] {
        let a = &mut building.address;
        if let Some(street) = text(source, "street")? {
            a.street = Some(street);
        }
        if let Some(city) = text(source, "city")? {
            a.city = Some(city);
        }
        if let Some(zip) = text(source, "postalCode")? {
            a.postal_code = Some(zip);
        }
        if let Some(country) = source.get("country").filter(|v| !v.is_null()) {
            a.country_id = Some(resolve_country(state, country)?);
        }
        if let Some(region) = source.get("state").filter(|v| !v.is_null()) {
            a.state_code = Some(resolve_state(region)?);
        }
    }
    building
        .address
        .extra
        .extend(extra_of(&nested, ADDRESS_FIELDS));
    building.extra.extend(extra_of(map, BUILDING_FIELDS));
    Ok(())
}

fn resolve_country(state: &EpturaState, value: &Value) -> Result<u64, Response> {
    let by_id = value
        .get("id")
        .and_then(Value::as_u64)
        .or_else(|| value.as_u64());
    if let Some(id) = by_id {
        return state
            .countries
            .contains_key(&id)
            .then_some(id)
            .ok_or_else(|| bad(format!("country {id} does not exist")));
    }
    let code = ["isoCode", "alpha2Code", "code"]
        .iter()
        .find_map(|k| value.get(k).and_then(Value::as_str))
        .or_else(|| value.as_str());
    code.and_then(|c| state.country_by_iso(c))
        .map(|c| c.id)
        .ok_or_else(|| bad(format!("unknown country {value}")))
}

fn resolve_state(value: &Value) -> Result<String, Response> {
    if let Some(id) = value.get("id").and_then(Value::as_u64) {
        return REGIONS
            .get((id as usize).wrapping_sub(1))
            .map(|r| r.code.to_string())
            .ok_or_else(|| bad(format!("state {id} does not exist")));
    }
    let code = value
        .get("code")
        .and_then(Value::as_str)
        .or_else(|| value.as_str());
    code.and_then(geo::region)
        .map(|r| r.code.to_string())
        .ok_or_else(|| bad(format!("unknown state {value}")))
}

impl Editable for Building {
    fn blank(name: String, now: i64) -> Building {
        Building {
            id: 0,
            name,
            code: String::new(),
            address: Address::default(),
            extra: Map::new(),
            date_created: now,
            date_updated: now,
        }
    }
    fn apply(&mut self, state: &EpturaState, map: &Map<String, Value>) -> Result<(), Response> {
        apply_building(state, self, map)
    }
    /// Assumed: deleting a building deletes its floors and their rooms.
    fn delete(state: &mut EpturaState, id: u64) -> Result<(), Response> {
        state.buildings.remove(&id);
        let floors: Vec<u64> = state
            .floors
            .values()
            .filter(|f| f.building_id == id)
            .map(|f| f.id)
            .collect();
        for floor in floors {
            remove_floor(state, floor);
        }
        state.centers.update_where(
            |center| center.building_ids.contains(&id),
            |center| center.building_ids.retain(|b| *b != id),
        );
        Ok(())
    }
}

fn remove_floor(state: &mut EpturaState, id: u64) {
    state.floors.remove(&id);
    state.rooms.retain(|r| r.floor_id != id);
}

const FLOOR_FIELDS: &[&str] = &["name", "building", "buildingId"];

impl Editable for Floor {
    fn blank(name: String, now: i64) -> Floor {
        Floor {
            id: 0,
            name,
            building_id: 0,
            extra: Map::new(),
            date_created: now,
            date_updated: now,
        }
    }
    fn required(map: &Map<String, Value>) -> Result<(), Response> {
        match reference(map, "building")? {
            Some(_) => Ok(()),
            None => Err(bad("building: {\"id\": n} is required")),
        }
    }
    fn apply(&mut self, state: &EpturaState, map: &Map<String, Value>) -> Result<(), Response> {
        let name = text(map, "name")?;
        if let Some(b) = reference(map, "building")? {
            if !state.buildings.contains_key(&b) {
                return Err(bad(format!("building {b} does not exist")));
            }
            self.building_id = b;
        }
        if let Some(name) = name {
            self.name = name;
        }
        self.extra.extend(extra_of(map, FLOOR_FIELDS));
        Ok(())
    }
    /// Deleting a floor deletes its rooms.
    fn delete(state: &mut EpturaState, id: u64) -> Result<(), Response> {
        remove_floor(state, id);
        Ok(())
    }
}

const ROOM_FIELDS: &[&str] = &[
    "name",
    "description",
    "capacity",
    "reservable",
    "occupied",
    "floor",
    "floorId",
    "type",
    "typeId",
];

/// Apply a room body to `room`, checking the floor and type it names.
fn apply_room(
    state: &EpturaState,
    room: &mut Room,
    map: &Map<String, Value>,
) -> Result<(), Response> {
    if let Some(name) = new_name(map)? {
        room.name = name;
    }
    if let Some(description) = text(map, "description")? {
        room.description = description;
    }
    if let Some(capacity) = whole(map, "capacity")? {
        room.capacity = u32::try_from(capacity).map_err(|_| bad("capacity is too large"))?;
    }
    if let Some(reservable) = flag(map, "reservable")? {
        room.reservable = reservable;
    }
    if let Some(occupied) = flag(map, "occupied")? {
        room.occupied = occupied;
    }
    if let Some(floor) = reference(map, "floor")? {
        if !state.floors.contains_key(&floor) {
            return Err(bad(format!("floor {floor} does not exist")));
        }
        room.floor_id = floor;
    }
    if let Some(kind) = reference(map, "type")? {
        if !state.room_types.contains_key(&kind) {
            return Err(bad(format!("room type {kind} does not exist")));
        }
        room.type_id = kind;
    }
    room.extra.extend(extra_of(map, ROOM_FIELDS));
    Ok(())
}

impl Editable for Room {
    fn blank(name: String, now: i64) -> Room {
        Room {
            id: 0,
            name,
            description: String::new(),
            capacity: 0,
            reservable: false,
            occupied: false,
            floor_id: 0,
            type_id: 0,
            extra: Map::new(),
            date_created: now,
            date_updated: now,
        }
    }
    fn required(map: &Map<String, Value>) -> Result<(), Response> {
        match (reference(map, "floor")?, reference(map, "type")?) {
            (Some(_), Some(_)) => Ok(()),
            _ => Err(bad("floor: {\"id\": n} and type: {\"id\": n} are required")),
        }
    }
    fn apply(&mut self, state: &EpturaState, map: &Map<String, Value>) -> Result<(), Response> {
        apply_room(state, self, map)
    }
}

const TYPE_FIELDS: &[&str] = &["name", "typeCode", "usage", "occupiable", "parkingSpace"];

fn apply_type(kind: &mut RoomType, map: &Map<String, Value>) -> Result<(), Response> {
    if let Some(name) = new_name(map)? {
        kind.name = name;
    }
    if let Some(code) = text(map, "typeCode")? {
        kind.type_code = code;
    }
    if let Some(usage) = text(map, "usage")? {
        let usage = usage.to_uppercase();
        if !["ME", "WE", "NONE"].contains(&usage.as_str()) {
            return Err(bad(format!("usage \"{usage}\" is not ME, WE or NONE")));
        }
        kind.usage = Some(usage);
    }
    if let Some(occupiable) = flag(map, "occupiable")? {
        kind.occupiable = occupiable;
    }
    if let Some(parking) = flag(map, "parkingSpace")? {
        kind.parking_space = parking;
    }
    kind.extra.extend(extra_of(map, TYPE_FIELDS));
    Ok(())
}

impl Editable for RoomType {
    fn blank(name: String, now: i64) -> RoomType {
        RoomType {
            id: 0,
            name,
            type_code: String::new(),
            usage: None,
            occupiable: false,
            parking_space: false,
            extra: Map::new(),
            date_created: now,
            date_updated: now,
        }
    }
    fn apply(&mut self, _: &EpturaState, map: &Map<String, Value>) -> Result<(), Response> {
        apply_type(self, map)
    }
    /// A room type still in use cannot be deleted.
    fn delete(state: &mut EpturaState, id: u64) -> Result<(), Response> {
        if state.rooms.values().any(|r| r.type_id == id) {
            return Err(eptura_error(StatusCode::CONFLICT, "room type is in use"));
        }
        state.room_types.remove(&id);
        Ok(())
    }
}

/// `POST /__sim/centers {"name", "buildingIds"}`: create a reservation center (or reuse the one
/// of that name) and assign the buildings to it, standing in for Eptura's admin UI.
async fn sim_center(State(sim): State<Sim>, body: axum::body::Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct NewCenter {
        name: String,
        #[serde(default)]
        building_ids: Vec<u64>,
    }
    let Ok(wanted) = serde_json::from_slice::<NewCenter>(&body) else {
        return bad("send {\"name\": \"...\", \"buildingIds\": [ids]}");
    };
    let mut state = sim.world.eptura_mut();
    if let Some(missing) = wanted
        .building_ids
        .iter()
        .find(|b| !state.buildings.contains_key(b))
    {
        return bad(format!("building {missing} does not exist"));
    }
    let existing = state
        .centers
        .values()
        .find(|c| c.name.eq_ignore_ascii_case(&wanted.name))
        .map(|c| c.id);
    let (id, status) = match existing {
        Some(id) => (id, StatusCode::OK),
        None => (
            state.add_center(&wanted.name, Vec::new()),
            StatusCode::CREATED,
        ),
    };
    if let Some(center) = state.centers.get_mut(&id) {
        for b in wanted.building_ids {
            if !center.building_ids.contains(&b) {
                center.building_ids.push(b);
            }
        }
    }
    // Assigning a center changes the buildings, as the admin UI would.
    let now = epoch_ms();
    let assigned: Vec<u64> = state.centers[&id].building_ids.clone();
    for b in assigned {
        if let Some(building) = state.buildings.get_mut(&b) {
            building.date_updated = now;
        }
    }
    let out = serde_json::to_value(Render(&state).center_with_buildings(&state.centers[&id]));
    drop(state);
    sim.world.save();
    match out {
        Ok(out) => (status, Json(out)).into_response(),
        Err(e) => eptura_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
