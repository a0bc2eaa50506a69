//! The Condeco API simulator: the location hierarchy (countries, groups, regions, locations with
//! floors, workspace types, resources with bookings) under `/{client_name}/api/V1/` for any
//! client name, with the token step, subscription-key and bearer checks, the paging envelope,
//! `externalId` filters and every rule of `spec/condeco-api.md` (name rules, unique sibling
//! names, default workspace types, immutable resource kind, personal capacity 1, 409 on
//! deleting a parent unless `?cascade=true`, `bookingsDeleted`). Records are stored in their
//! API shape, so rendering is plain serialisation.

// Helpers answer a finished HTTP error: the size of `Response` in their `Err` is irrelevant
// next to the request it answers.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::World;
use super::collection::{Collection, collection};
use super::control::{Control, Sim, around_api, condeco_error, control_routes, epoch_ms};
use super::persist::journaled;
use super::table::Table;
use crate::domain::names::condeco_name_issues;

mod sibling_names;

use sibling_names::SiblingNames;

/// Twelve hours, as the real token service gives.
const DEFAULT_TOKEN_TTL_SECS: u64 = 43_200;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Country {
    pub country_id: u64,
    pub name: String,
    pub country_code: String,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Group {
    pub group_id: u64,
    pub name: String,
    pub country_id: u64,
    pub location_ids: Vec<u64>,
    pub is_default: bool,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Region {
    pub region_id: u64,
    pub name: String,
    pub country_id: u64,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LocationFloor {
    pub floor_number: i64,
    pub name: String,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Location {
    pub location_id: u64,
    pub name: String,
    pub region_id: u64,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub time_zone: Option<String>,
    pub status: String,
    pub floors: Vec<LocationFloor>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WorkspaceType {
    pub workspace_type_id: u64,
    pub name: String,
    pub booking_period: String,
    pub is_default: bool,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Resource {
    pub resource_id: u64,
    pub name: String,
    pub resource_type: String,
    pub booking_period: String,
    pub location_id: u64,
    pub floor_number: i64,
    pub group_id: Option<u64>,
    pub workspace_type_id: u64,
    pub capacity: u32,
    pub status: String,
    pub external_id: Option<String>,
    pub booking_count: u64,
}

/// Everything the Condeco simulator holds. Tokens are not saved: after a restart clients get a
/// 401 and fetch a new one, as after a real token expiry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CondecoState {
    pub(super) next_id: u64,
    pub(super) countries: Table<Country>,
    pub(super) groups: Table<Group>,
    pub(super) regions: Table<Region>,
    pub(super) locations: Table<Location>,
    pub(super) workspace_types: Table<WorkspaceType>,
    pub(super) resources: Table<Resource>,
    #[serde(skip)]
    tokens: Tokens,
    /// Built on first use: see [`SiblingNames`].
    #[serde(skip)]
    names: Option<SiblingNames>,
}

journaled!(CondecoState: next_id; countries, groups, regions, locations, workspace_types, resources);

/// Issued bearer tokens → expiry (epoch ms). Its Debug output never shows a token.
#[derive(Clone, Default)]
struct Tokens(HashMap<String, i64>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} issued, redacted)", self.0.len())
    }
}

impl CondecoState {
    /// An empty tenant: only the two default workspace types.
    pub(super) fn with_defaults() -> CondecoState {
        let mut state = CondecoState::default();
        for (name, period) in [("Meeting Room", "Hourly"), ("Desk", "AllDay")] {
            let id = state.new_id();
            let kind = WorkspaceType {
                workspace_type_id: id,
                name: name.into(),
                booking_period: period.into(),
                is_default: true,
                external_id: None,
            };
            state.workspace_types.insert(id, kind);
        }
        state
    }

    /// Forget every token issued: the next request of each client answers 401.
    pub(super) fn revoke_tokens(&mut self) {
        self.tokens.0.clear();
    }

    pub(super) fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn default_type(&self, period: &str) -> Option<u64> {
        self.workspace_types
            .values()
            .find(|t| t.is_default && t.booking_period == period)
            .map(|t| t.workspace_type_id)
    }

    /// The dump of `GET /__sim/state`.
    pub(super) fn dump(&self) -> Value {
        json!({
            "countries": self.countries.values().collect::<Vec<_>>(),
            "groups": self.groups.values().collect::<Vec<_>>(),
            "regions": self.regions.values().collect::<Vec<_>>(),
            "locations": self.locations.values().collect::<Vec<_>>(),
            "workspaceTypes": self.workspace_types.values().collect::<Vec<_>>(),
            "resources": self.resources.values().collect::<Vec<_>>(),
        })
    }

    // Cascading removal; each answers the bookings it deleted.

    /// How many resources `which` picks.
    fn resources_where(&self, which: impl Fn(&Resource) -> bool) -> usize {
        self.resources.values().filter(|r| which(r)).count()
    }

    fn remove_resource(&mut self, id: u64) -> u64 {
        self.resources.remove(&id).map_or(0, |r| r.booking_count)
    }

    fn remove_resources(&mut self, doomed: impl Fn(&Resource) -> bool) -> u64 {
        let ids: Vec<u64> = self
            .resources
            .values()
            .filter(|r| doomed(r))
            .map(|r| r.resource_id)
            .collect();
        ids.into_iter().map(|id| self.remove_resource(id)).sum()
    }

    fn remove_location(&mut self, id: u64) -> u64 {
        let bookings = self.remove_resources(|r| r.location_id == id);
        self.locations.remove(&id);
        self.groups.update_where(
            |group| group.location_ids.contains(&id),
            |group| group.location_ids.retain(|l| *l != id),
        );
        bookings
    }

    fn remove_region(&mut self, id: u64) -> u64 {
        let ids: Vec<u64> = self
            .locations
            .values()
            .filter(|l| l.region_id == id)
            .map(|l| l.location_id)
            .collect();
        let bookings = ids.into_iter().map(|l| self.remove_location(l)).sum();
        self.regions.remove(&id);
        bookings
    }

    fn remove_group(&mut self, id: u64) -> u64 {
        let bookings = self.remove_resources(|r| r.group_id == Some(id));
        self.groups.remove(&id);
        bookings
    }

    fn remove_country(&mut self, id: u64) -> u64 {
        let regions: Vec<u64> = self
            .regions
            .values()
            .filter(|r| r.country_id == id)
            .map(|r| r.region_id)
            .collect();
        let groups: Vec<u64> = self
            .groups
            .values()
            .filter(|g| g.country_id == id)
            .map(|g| g.group_id)
            .collect();
        let mut bookings: u64 = regions.into_iter().map(|r| self.remove_region(r)).sum();
        bookings += groups
            .into_iter()
            .map(|g| self.remove_group(g))
            .sum::<u64>();
        self.countries.remove(&id);
        bookings
    }

    fn remove_workspace_type(&mut self, id: u64) -> u64 {
        let bookings = self.remove_resources(|r| r.workspace_type_id == id);
        self.workspace_types.remove(&id);
        bookings
    }

    fn location_country(&self, location: &Location) -> Option<u64> {
        self.regions.get(&location.region_id).map(|r| r.country_id)
    }
}

// ---------------------------------------------------------------------------------------------
// Request helpers.

type Rejection = Response;

fn bad(message: impl AsRef<str>) -> Rejection {
    condeco_error(StatusCode::BAD_REQUEST, message.as_ref())
}

fn conflict(message: impl AsRef<str>) -> Rejection {
    condeco_error(StatusCode::CONFLICT, message.as_ref())
}

fn not_found(kind: &str, id: impl std::fmt::Display) -> Rejection {
    condeco_error(
        StatusCode::NOT_FOUND,
        &format!("{kind} {id} does not exist"),
    )
}

fn body_object(body: &[u8]) -> Result<Map<String, Value>, Rejection> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad("the body must be a JSON object")),
    }
}

/// An optional field of a body: absent → `None`, present but of the wrong kind → 400.
fn field<T: serde::de::DeserializeOwned>(
    map: &Map<String, Value>,
    key: &str,
) -> Result<Option<T>, Rejection> {
    match map.get(key) {
        None => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|_| bad(format!("{key} has the wrong type: {v}"))),
    }
}

/// `externalId`: absent → keep, null → clear, string → set.
fn external_id(
    map: &Map<String, Value>,
    current: Option<String>,
) -> Result<Option<String>, Rejection> {
    match map.get("externalId") {
        None => Ok(current),
        Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(v) => Err(bad(format!("externalId must be a string or null, not {v}"))),
    }
}

fn required<T>(value: Option<T>, key: &str) -> Result<T, Rejection> {
    value.ok_or_else(|| bad(format!("{key} is required")))
}

/// Condeco's name rules: present, at most 100 characters, no commas, extended ASCII only.
fn check_name(name: &str) -> Result<(), Rejection> {
    if name.trim().is_empty() {
        return Err(bad("name is required and cannot be blank"));
    }
    let issues = condeco_name_issues(name);
    match issues.first() {
        None => Ok(()),
        Some(_) => {
            let reasons: Vec<&str> = issues.iter().map(|i| i.describe()).collect();
            Err(bad(format!(
                "name \"{name}\" {}: names are at most 100 characters, extended ASCII, without commas",
                reasons.join(" and ")
            )))
        }
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn one_of(value: &str, allowed: &[&str], key: &str) -> Result<(), Rejection> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(bad(format!(
            "{key} \"{value}\" is not one of {}",
            allowed.join(", ")
        )))
    }
}

/// Filters and paging of a list request, parsed once.
#[derive(Default)]
struct Filters {
    page_number: u64,
    page_size: u64,
    external_id: Option<String>,
    numbers: HashMap<&'static str, i64>,
    texts: HashMap<&'static str, String>,
}

const NUMBER_FILTERS: &[&str] = &[
    "countryId",
    "regionId",
    "locationId",
    "floorNumber",
    "groupId",
    "workspaceTypeId",
];
const TEXT_FILTERS: &[&str] = &["resourceType", "bookingPeriod", "countryCode", "status"];

impl Filters {
    fn parse(params: &HashMap<String, String>) -> Result<Filters, Rejection> {
        let mut filters = Filters {
            page_number: 1,
            page_size: 100,
            external_id: params.get("externalId").cloned(),
            ..Filters::default()
        };
        for key in NUMBER_FILTERS {
            if let Some(v) = params.get(*key) {
                let n = v
                    .trim()
                    .parse()
                    .map_err(|_| bad(format!("{key} \"{v}\" is not a whole number")))?;
                filters.numbers.insert(key, n);
            }
        }
        for key in TEXT_FILTERS {
            if let Some(v) = params.get(*key) {
                filters.texts.insert(key, v.clone());
            }
        }
        let positive = |key: &str| -> Result<Option<u64>, Rejection> {
            params
                .get(key)
                .map(|v| match v.trim().parse::<u64>() {
                    Ok(n) if n >= 1 => Ok(n),
                    _ => Err(bad(format!("{key} \"{v}\" must be a whole number from 1"))),
                })
                .transpose()
        };
        if let Some(n) = positive("pageNumber")? {
            filters.page_number = n;
        }
        if let Some(n) = positive("pageSize")? {
            filters.page_size = n.min(500);
        }
        Ok(filters)
    }

    fn number(&self, key: &str, value: i64) -> bool {
        self.numbers.get(key).is_none_or(|n| *n == value)
    }

    fn text(&self, key: &str, value: &str) -> bool {
        self.texts
            .get(key)
            .is_none_or(|t| t.eq_ignore_ascii_case(value))
    }

    /// No filter but the page.
    fn only_paging(&self) -> bool {
        self.external_id.is_none() && self.numbers.is_empty() && self.texts.is_empty()
    }

    fn page<T: Serialize>(&self, rows: Vec<&T>) -> Response {
        self.page_of(rows.len(), rows.into_iter())
    }

    /// The page of `rows` (`total` of them) this query asks for, in its envelope.
    fn page_of<'a, T: Serialize + 'a>(
        &self,
        total: usize,
        rows: impl Iterator<Item = &'a T>,
    ) -> Response {
        let skip = (self.page_number - 1).saturating_mul(self.page_size) as usize;
        let items: Vec<&T> = rows.skip(skip).take(self.page_size as usize).collect();
        Json(Envelope {
            items,
            page_number: self.page_number,
            page_size: self.page_size,
            total_count: total,
        })
        .into_response()
    }
}

/// Condeco's paging envelope.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a, T> {
    items: Vec<&'a T>,
    page_number: u64,
    page_size: u64,
    total_count: usize,
}

// ---------------------------------------------------------------------------------------------
// The entities, each saying how it is stored, filtered, built from a body, and deleted.

collection!(CondecoState:
    Country => countries, country_id, "country", "/countries";
    Group => groups, group_id, "group", "/groups";
    Region => regions, region_id, "region", "/regions";
    Location => locations, location_id, "location", "/locations";
    WorkspaceType => workspace_types, workspace_type_id, "workspace type", "/workspacetypes";
    Resource => resources, resource_id, "resource", "/resources";
);

/// The `externalId` every Condeco record carries, for the `externalId` filter.
trait Tagged {
    fn external_id(&self) -> Option<&str>;
}

macro_rules! tagged {
    ($($kind:ty),*) => {$(
        impl Tagged for $kind {
            fn external_id(&self) -> Option<&str> {
                self.external_id.as_deref()
            }
        }
    )*};
}
tagged!(Country, Group, Region, Location, WorkspaceType, Resource);

/// What a Condeco kind adds to its [`Collection`]: filters, body rules and deletes.
trait Entity: Collection<CondecoState> + Tagged + Serialize {
    /// Records with the same sibling key must have different names (default: one namespace).
    fn siblings(&self) -> String {
        String::new()
    }
    fn keeps(&self, state: &CondecoState, filters: &Filters) -> bool;
    /// The record a body describes: a new one (`current` = None) or `current` with the fields
    /// sent changed.
    fn from_body(
        state: &CondecoState,
        current: Option<&Self>,
        map: &Map<String, Value>,
    ) -> Result<Self, Rejection>;
    /// How many direct children would block a delete without `cascade`.
    fn children(state: &CondecoState, id: u64) -> usize;
    /// Why this record cannot be deleted at all, if it cannot.
    fn undeletable(&self) -> Option<String> {
        None
    }
    /// Delete with everything under it; the bookings deleted.
    fn remove(state: &mut CondecoState, id: u64) -> u64;
}

impl Entity for Country {
    fn keeps(&self, _: &CondecoState, f: &Filters) -> bool {
        f.text("countryCode", &self.country_code)
    }
    fn from_body(
        state: &CondecoState,
        current: Option<&Self>,
        map: &Map<String, Value>,
    ) -> Result<Self, Rejection> {
        let name: Option<String> = field(map, "name")?;
        let code: Option<String> = field(map, "countryCode")?;
        let code = required(
            code.or(current.map(|c| c.country_code.clone())),
            "countryCode",
        )?;
        let code = crate::domain::CountryCode::parse(&code)
            .ok_or_else(|| bad(format!("countryCode \"{code}\" is not an ISO alpha-2 code")))?
            .to_string();
        let id = current.map_or(0, |c| c.country_id);
        if state
            .countries
            .values()
            .any(|c| c.country_id != id && c.country_code == code)
        {
            return Err(conflict(format!(
                "a country with code {code} already exists"
            )));
        }
        Ok(Country {
            country_id: id,
            name: required(name.or(current.map(|c| c.name.clone())), "name")?,
            country_code: code,
            external_id: external_id(map, current.and_then(|c| c.external_id.clone()))?,
        })
    }
    fn children(state: &CondecoState, id: u64) -> usize {
        state
            .regions
            .values()
            .filter(|r| r.country_id == id)
            .count()
            + state.groups.values().filter(|g| g.country_id == id).count()
    }
    fn remove(state: &mut CondecoState, id: u64) -> u64 {
        state.remove_country(id)
    }
}

impl Entity for Group {
    fn siblings(&self) -> String {
        self.country_id.to_string()
    }
    fn keeps(&self, _: &CondecoState, f: &Filters) -> bool {
        f.number("countryId", self.country_id as i64)
            && f.numbers
                .get("locationId")
                .is_none_or(|l| self.location_ids.contains(&(*l as u64)))
    }
    fn from_body(
        state: &CondecoState,
        current: Option<&Self>,
        map: &Map<String, Value>,
    ) -> Result<Self, Rejection> {
        let name: Option<String> = field(map, "name")?;
        let country: Option<u64> = field(map, "countryId")?;
        let country = required(country.or(current.map(|g| g.country_id)), "countryId")?;
        if !state.countries.contains_key(&country) {
            return Err(bad(format!("country {country} does not exist")));
        }
        let locations: Option<Vec<u64>> = field(map, "locationIds")?;
        let locations = locations
            .or(current.map(|g| g.location_ids.clone()))
            .unwrap_or_default();
        if let Some(missing) = locations.iter().find(|l| !state.locations.contains_key(l)) {
            return Err(bad(format!("location {missing} does not exist")));
        }
        let is_default: Option<bool> = field(map, "isDefault")?;
        Ok(Group {
            group_id: current.map_or(0, |g| g.group_id),
            name: required(name.or(current.map(|g| g.name.clone())), "name")?,
            country_id: country,
            location_ids: locations,
            is_default: is_default
                .or(current.map(|g| g.is_default))
                .unwrap_or(false),
            external_id: external_id(map, current.and_then(|g| g.external_id.clone()))?,
        })
    }
    fn children(state: &CondecoState, id: u64) -> usize {
        state.resources_where(|r| r.group_id == Some(id))
    }
    fn remove(state: &mut CondecoState, id: u64) -> u64 {
        state.remove_group(id)
    }
}

impl Entity for Region {
    fn siblings(&self) -> String {
        self.country_id.to_string()
    }
    fn keeps(&self, _: &CondecoState, f: &Filters) -> bool {
        f.number("countryId", self.country_id as i64)
    }
    fn from_body(
        state: &CondecoState,
        current: Option<&Self>,
        map: &Map<String, Value>,
    ) -> Result<Self, Rejection> {
        let name: Option<String> = field(map, "name")?;
        let country: Option<u64> = field(map, "countryId")?;
        let country = required(country.or(current.map(|r| r.country_id)), "countryId")?;
        if !state.countries.contains_key(&country) {
            return Err(bad(format!("country {country} does not exist")));
        }
        Ok(Region {
            region_id: current.map_or(0, |r| r.region_id),
            name: required(name.or(current.map(|r| r.name.clone())), "name")?,
            country_id: country,
            external_id: external_id(map, current.and_then(|r| r.external_id.clone()))?,
        })
    }
    fn children(state: &CondecoState, id: u64) -> usize {
        state
            .locations
            .values()
            .filter(|l| l.region_id == id)
            .count()
    }
    fn remove(state: &mut CondecoState, id: u64) -> u64 {
        state.remove_region(id)
    }
}

impl Entity for Location {
    fn siblings(&self) -> String {
        self.region_id.to_string()
    }
    fn keeps(&self, state: &CondecoState, f: &Filters) -> bool {
        f.number("regionId", self.region_id as i64)
            && f.numbers
                .get("countryId")
                .is_none_or(|c| state.location_country(self) == Some(*c as u64))
            && f.text("status", &self.status)
    }
    fn from_body(
        state: &CondecoState,
        current: Option<&Self>,
        map: &Map<String, Value>,
    ) -> Result<Self, Rejection> {
        let name: Option<String> = field(map, "name")?;
        let region: Option<u64> = field(map, "regionId")?;
        let region = required(region.or(current.map(|l| l.region_id)), "regionId")?;
        if !state.regions.contains_key(&region) {
            return Err(bad(format!("region {region} does not exist")));
        }
        let status: Option<String> = field(map, "status")?;
        let status = status
            .or(current.map(|l| l.status.clone()))
            .unwrap_or_else(|| "Open".into());
        one_of(&status, &["Open", "Closed"], "status")?;
        let text = |key: &str, kept: Option<&String>| -> Result<Option<String>, Rejection> {
            match map.get(key) {
                None => Ok(kept.cloned()),
                Some(_) => field(map, key),
            }
        };
        // Floors come with a new location; afterwards they change through their own path.
        let floors = match current {
            Some(l) => l.floors.clone(),
            None => new_floors(map)?,
        };
        Ok(Location {
            location_id: current.map_or(0, |l| l.location_id),
            name: required(name.or(current.map(|l| l.name.clone())), "name")?,
            region_id: region,
            address: text("address", current.and_then(|l| l.address.as_ref()))?,
            city: text("city", current.and_then(|l| l.city.as_ref()))?,
            postal_code: text("postalCode", current.and_then(|l| l.postal_code.as_ref()))?,
            time_zone: text("timeZone", current.and_then(|l| l.time_zone.as_ref()))?,
            status,
            floors,
            external_id: external_id(map, current.and_then(|l| l.external_id.clone()))?,
        })
    }
    fn children(state: &CondecoState, id: u64) -> usize {
        let floors = state.locations.get(&id).map_or(0, |l| l.floors.len());
        floors + state.resources_where(|r| r.location_id == id)
    }
    fn remove(state: &mut CondecoState, id: u64) -> u64 {
        state.remove_location(id)
    }
}

/// The `floors` of a new location's body, checked like floors sent one by one.
fn new_floors(map: &Map<String, Value>) -> Result<Vec<LocationFloor>, Rejection> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct FloorBody {
        floor_number: i64,
        name: Option<String>,
        external_id: Option<String>,
    }
    let sent: Option<Vec<FloorBody>> = field(map, "floors")?;
    let mut floors: Vec<LocationFloor> = Vec::new();
    for floor in sent.unwrap_or_default() {
        let name = floor.name.unwrap_or_else(|| floor.floor_number.to_string());
        check_name(&name)?;
        if floors.iter().any(|f| f.floor_number == floor.floor_number) {
            return Err(conflict(format!(
                "floor {} is listed twice",
                floor.floor_number
            )));
        }
        if floors.iter().any(|f| same_name(&f.name, &name)) {
            return Err(conflict(format!("two floors are named \"{name}\"")));
        }
        floors.push(LocationFloor {
            floor_number: floor.floor_number,
            name,
            external_id: floor.external_id,
        });
    }
    floors.sort_by_key(|f| f.floor_number);
    Ok(floors)
}

impl Entity for WorkspaceType {
    fn keeps(&self, _: &CondecoState, f: &Filters) -> bool {
        f.text("bookingPeriod", &self.booking_period)
    }
    fn from_body(
        _: &CondecoState,
        current: Option<&Self>,
        map: &Map<String, Value>,
    ) -> Result<Self, Rejection> {
        let name: Option<String> = field(map, "name")?;
        let period: Option<String> = field(map, "bookingPeriod")?;
        if let (Some(c), Some(p)) = (current, &period)
            && *p != c.booking_period
        {
            return Err(bad(format!(
                "the bookingPeriod of workspace type \"{}\" cannot change ({} to {p})",
                c.name, c.booking_period
            )));
        }
        let period = required(
            period.or(current.map(|t| t.booking_period.clone())),
            "bookingPeriod",
        )?;
        one_of(&period, &["AllDay", "Hourly"], "bookingPeriod")?;
        Ok(WorkspaceType {
            workspace_type_id: current.map_or(0, |t| t.workspace_type_id),
            name: required(name.or(current.map(|t| t.name.clone())), "name")?,
            booking_period: period,
            is_default: current.is_some_and(|t| t.is_default),
            external_id: external_id(map, current.and_then(|t| t.external_id.clone()))?,
        })
    }
    fn children(state: &CondecoState, id: u64) -> usize {
        state.resources_where(|r| r.workspace_type_id == id)
    }
    fn undeletable(&self) -> Option<String> {
        self.is_default.then(|| {
            format!(
                "\"{}\" is a default workspace type and cannot be deleted",
                self.name
            )
        })
    }
    fn remove(state: &mut CondecoState, id: u64) -> u64 {
        state.remove_workspace_type(id)
    }
}

impl Entity for Resource {
    fn siblings(&self) -> String {
        format!("{}/{}", self.location_id, self.floor_number)
    }
    fn keeps(&self, state: &CondecoState, f: &Filters) -> bool {
        let location = state.locations.get(&self.location_id);
        f.number("locationId", self.location_id as i64)
            && f.number("floorNumber", self.floor_number)
            && f.numbers
                .get("groupId")
                .is_none_or(|g| self.group_id == Some(*g as u64))
            && f.number("workspaceTypeId", self.workspace_type_id as i64)
            && f.text("resourceType", &self.resource_type)
            && f.text("bookingPeriod", &self.booking_period)
            && f.text("status", &self.status)
            && f.numbers
                .get("regionId")
                .is_none_or(|r| location.is_some_and(|l| l.region_id == *r as u64))
            && f.numbers
                .get("countryId")
                .is_none_or(|c| location.and_then(|l| state.location_country(l)) == Some(*c as u64))
    }
    fn from_body(
        state: &CondecoState,
        current: Option<&Self>,
        map: &Map<String, Value>,
    ) -> Result<Self, Rejection> {
        let name: Option<String> = field(map, "name")?;
        let kind: Option<String> = field(map, "resourceType")?;
        let period: Option<String> = field(map, "bookingPeriod")?;
        if let Some(c) = current {
            for (key, sent, kept) in [
                ("resourceType", &kind, &c.resource_type),
                ("bookingPeriod", &period, &c.booking_period),
            ] {
                if let Some(sent) = sent
                    && sent != kept
                {
                    return Err(bad(format!(
                        "the {key} of a resource cannot change after creation ({kept} to \
                         {sent}): delete the resource and create it again"
                    )));
                }
            }
        }
        let kind = required(
            kind.or(current.map(|r| r.resource_type.clone())),
            "resourceType",
        )?;
        one_of(&kind, &["MeetingSpace", "PersonalSpace"], "resourceType")?;
        let personal = kind == "PersonalSpace";
        let period = period
            .or(current.map(|r| r.booking_period.clone()))
            .unwrap_or_else(|| if personal { "AllDay" } else { "Hourly" }.into());
        one_of(&period, &["AllDay", "Hourly"], "bookingPeriod")?;
        if !personal && period != "Hourly" {
            return Err(bad("a MeetingSpace is booked Hourly"));
        }

        let location: Option<u64> = field(map, "locationId")?;
        let location = required(location.or(current.map(|r| r.location_id)), "locationId")?;
        let Some(place) = state.locations.get(&location) else {
            return Err(bad(format!("location {location} does not exist")));
        };
        let floor: Option<i64> = field(map, "floorNumber")?;
        let floor = required(floor.or(current.map(|r| r.floor_number)), "floorNumber")?;
        if !place.floors.iter().any(|f| f.floor_number == floor) {
            return Err(bad(format!(
                "location {location} has no floor {floor}: add it with PUT locations/{location}/floors/{floor}"
            )));
        }
        let group: Option<Option<u64>> = field(map, "groupId")?;
        let group = group.unwrap_or(current.and_then(|r| r.group_id));
        if let Some(g) = group
            && !state.groups.contains_key(&g)
        {
            return Err(bad(format!("group {g} does not exist")));
        }
        let kind_id: Option<u64> = field(map, "workspaceTypeId")?;
        let kind_id = kind_id
            .or(current.map(|r| r.workspace_type_id))
            .or_else(|| state.default_type(&period))
            .ok_or_else(|| bad("workspaceTypeId is required"))?;
        let Some(workspace) = state.workspace_types.get(&kind_id) else {
            return Err(bad(format!("workspace type {kind_id} does not exist")));
        };
        if workspace.booking_period != period {
            return Err(bad(format!(
                "workspace type \"{}\" is {} but the resource is {period}",
                workspace.name, workspace.booking_period
            )));
        }
        let capacity: Option<u32> = field(map, "capacity")?;
        let capacity = capacity.or(current.map(|r| r.capacity)).unwrap_or(1);
        if personal && capacity != 1 {
            return Err(bad(format!(
                "a PersonalSpace has capacity 1, not {capacity}"
            )));
        }
        if capacity == 0 {
            return Err(bad("capacity must be at least 1"));
        }
        let status: Option<String> = field(map, "status")?;
        let status = status
            .or(current.map(|r| r.status.clone()))
            .unwrap_or_else(|| "Open".into());
        one_of(&status, &["Open", "Closed"], "status")?;
        Ok(Resource {
            resource_id: current.map_or(0, |r| r.resource_id),
            name: required(name.or(current.map(|r| r.name.clone())), "name")?,
            resource_type: kind,
            booking_period: period,
            location_id: location,
            floor_number: floor,
            group_id: group,
            workspace_type_id: kind_id,
            capacity,
            status,
            external_id: external_id(map, current.and_then(|r| r.external_id.clone()))?,
            booking_count: current.map_or(0, |r| r.booking_count),
        })
    }
    fn children(_: &CondecoState, _: u64) -> usize {
        0
    }
    fn remove(state: &mut CondecoState, id: u64) -> u64 {
        state.remove_resource(id)
    }
}

// ---------------------------------------------------------------------------------------------
// Routes.

type Params = Query<HashMap<String, String>>;
type PathParams = Path<HashMap<String, String>>;

pub(super) fn router(world: std::sync::Arc<World>, control: std::sync::Arc<Control>) -> Router {
    let sim = Sim { world, control };
    let api = Router::new()
        .merge(routes::<Country>())
        .merge(routes::<Group>())
        .merge(routes::<Region>())
        .merge(routes::<Location>())
        .merge(routes::<WorkspaceType>())
        .merge(routes::<Resource>())
        .route("/locations/{id}/floors", get(list_floors))
        .route(
            "/locations/{id}/floors/{floor}",
            get(get_floor).put(put_floor).delete(delete_floor),
        )
        .route_layer(middleware::from_fn_with_state(sim.clone(), require_auth))
        .route("/token", post(token));
    Router::new()
        .nest("/{client}/api/V1", api)
        .route("/__sim/state", get(dump))
        .route("/__sim/bookings", post(sim_bookings))
        .merge(control_routes())
        .fallback(|| async { condeco_error(StatusCode::NOT_FOUND, "no such resource") })
        .layer(middleware::from_fn_with_state(sim.clone(), around_api))
        .with_state(sim)
}

/// A kind's collection (list, create) and record (one, update, delete) routes.
fn routes<T: Entity>() -> Router<Sim> {
    Router::new()
        .route(T::PATH, get(list::<T>).post(create::<T>))
        .route(
            &format!("{}/{{id}}", T::PATH),
            get(one::<T>).put(update::<T>).delete(remove::<T>),
        )
}

async fn dump(State(sim): State<Sim>) -> Json<Value> {
    Json(sim.world.condeco().dump())
}

/// `POST /__sim/bookings {"resourceId", "count"}`: set how many bookings a resource holds,
/// standing in for the people who book it, so that destructive changes have something to lose.
async fn sim_bookings(State(sim): State<Sim>, body: axum::body::Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Bookings {
        resource_id: u64,
        count: u64,
    }
    let Ok(wanted) = serde_json::from_slice::<Bookings>(&body) else {
        return condeco_error(
            StatusCode::BAD_REQUEST,
            "send {\"resourceId\": id, \"count\": n}",
        );
    };
    let booked = {
        let mut state = sim.world.condeco_mut();
        state
            .resources
            .get_mut(&wanted.resource_id)
            .map(|resource| resource.booking_count = wanted.count)
    };
    match booked {
        Some(()) => {
            sim.world.save();
            Json(json!({ "resourceId": wanted.resource_id, "bookingCount": wanted.count }))
                .into_response()
        }
        None => condeco_error(StatusCode::NOT_FOUND, "no such resource"),
    }
}

/// `POST token` with form fields client_id, client_secret, grant_type=password; any
/// credentials are accepted.
async fn token(
    State(sim): State<Sim>,
    form: Result<Form<HashMap<String, String>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return bad("send client_id, client_secret and grant_type=password as a form");
    };
    let filled = |k: &str| form.get(k).is_some_and(|v| !v.is_empty());
    if !filled("client_id") || !filled("client_secret") {
        return bad("client_id and client_secret are required");
    }
    if form.get("grant_type").map(String::as_str) != Some("password") {
        return bad("grant_type must be password");
    }
    let ttl = sim
        .control
        .faults()
        .token_ttl_secs
        .unwrap_or(DEFAULT_TOKEN_TTL_SECS);
    let token: String = {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..40)
            .map(|_| char::from_digit(rng.random_range(0..36), 36).unwrap_or('0'))
            .collect()
    };
    let expires = epoch_ms().saturating_add((ttl as i64).saturating_mul(1000));
    {
        let mut state = sim.world.condeco_mut();
        let now = epoch_ms();
        state.tokens.0.retain(|_, until| *until > now);
        state.tokens.0.insert(token.clone(), expires);
    }
    Json(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": ttl.saturating_sub(1),
    }))
    .into_response()
}

/// The subscription key must be present and the bearer token one we issued and still valid.
async fn require_auth(State(sim): State<Sim>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let key = headers
        .get("ocp-apim-subscription-key")
        .is_some_and(|v| !v.as_bytes().is_empty());
    if !key {
        return condeco_error(
            StatusCode::UNAUTHORIZED,
            "Access denied due to missing subscription key.",
        );
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let valid = bearer.is_some_and(|token| {
        let state = sim.world.condeco();
        state
            .tokens
            .0
            .get(token)
            .is_some_and(|until| *until > epoch_ms())
    });
    if !valid {
        return condeco_error(
            StatusCode::UNAUTHORIZED,
            "Authorization has been denied for this request: the token is missing, unknown or expired.",
        );
    }
    next.run(request).await
}

fn path_id(params: &HashMap<String, String>, kind: &str) -> Result<u64, Rejection> {
    let raw = params.get("id").map(String::as_str).unwrap_or("");
    raw.parse().map_err(|_| not_found(kind, raw))
}

async fn list<T: Entity>(State(sim): State<Sim>, Query(params): Params) -> Response {
    let filters = match Filters::parse(&params) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let state = sim.world.condeco();
    if filters.only_paging() {
        // The whole table in id order: cut the page without filtering every record (a
        // 100,000-resource listing is 200 pages).
        let table = T::table(&state);
        return filters.page_of(table.len(), table.values());
    }
    let rows: Vec<&T> = T::table(&state)
        .values()
        .filter(|r| {
            filters
                .external_id
                .as_deref()
                .is_none_or(|x| r.external_id() == Some(x))
        })
        .filter(|r| r.keeps(&state, &filters))
        .collect();
    filters.page(rows)
}

async fn one<T: Entity>(State(sim): State<Sim>, Path(params): PathParams) -> Response {
    let id = match path_id(&params, T::KIND) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let state = sim.world.condeco();
    match T::table(&state).get(&id) {
        Some(record) => Json(record).into_response(),
        None => not_found(T::KIND, id),
    }
}

/// Name rules and unique sibling names, for a record about to be stored.
fn check_record<T: Entity>(state: &mut CondecoState, record: &T) -> Result<(), Rejection> {
    check_name(record.name())?;
    let siblings = record.siblings();
    let names = state
        .names
        .take()
        .unwrap_or_else(|| SiblingNames::build(state));
    let clash = names.named_like(record, &siblings).iter().any(|&id| {
        id != record.id()
            && T::table(state).get(&id).is_some_and(|other| {
                same_name(other.name(), record.name()) && other.siblings() == siblings
            })
    });
    state.names = Some(names);
    if clash {
        return Err(conflict(format!(
            "a {} named \"{}\" already exists in the same parent",
            T::KIND,
            record.name()
        )));
    }
    Ok(())
}

/// Store a checked record under its id.
fn store_record<T: Entity>(state: &mut CondecoState, record: T) {
    if let Some(names) = state.names.as_mut() {
        names.add(&record);
    }
    T::table_mut(state).insert(record.id(), record);
}

async fn create<T: Entity>(State(sim): State<Sim>, body: axum::body::Bytes) -> Response {
    let map = match body_object(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let mut state = sim.world.condeco_mut();
    let mut record = match T::from_body(&state, None, &map) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(r) = check_record(&mut state, &record) {
        return r;
    }
    let id = state.new_id();
    record.set_id(id);
    store_record(&mut state, record.clone());
    (StatusCode::CREATED, Json(record)).into_response()
}

async fn update<T: Entity>(
    State(sim): State<Sim>,
    Path(params): PathParams,
    body: axum::body::Bytes,
) -> Response {
    let (id, map) = match (path_id(&params, T::KIND), body_object(&body)) {
        (Ok(id), Ok(map)) => (id, map),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let mut state = sim.world.condeco_mut();
    let Some(current) = T::table(&state).get(&id).cloned() else {
        return not_found(T::KIND, id);
    };
    let record = match T::from_body(&state, Some(&current), &map) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(r) = check_record(&mut state, &record) {
        return r;
    }
    store_record(&mut state, record.clone());
    Json(record).into_response()
}

fn cascading(params: &HashMap<String, String>) -> bool {
    params
        .get("cascade")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

async fn remove<T: Entity>(
    State(sim): State<Sim>,
    Path(params): PathParams,
    Query(query): Params,
) -> Response {
    let id = match path_id(&params, T::KIND) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut state = sim.world.condeco_mut();
    let Some(record) = T::table(&state).get(&id) else {
        return not_found(T::KIND, id);
    };
    if let Some(reason) = record.undeletable() {
        return bad(reason);
    }
    let children = T::children(&state, id);
    if children > 0 && !cascading(&query) {
        return conflict(format!(
            "{} {id} still has {children} children: delete them first or add ?cascade=true",
            T::KIND
        ));
    }
    let bookings = T::remove(&mut state, id);
    Json(json!({ "bookingsDeleted": bookings })).into_response()
}

fn floor_path(params: &HashMap<String, String>) -> Result<(u64, i64), Rejection> {
    let location = path_id(params, "location")?;
    let raw = params.get("floor").map(String::as_str).unwrap_or("");
    let floor = raw
        .parse()
        .map_err(|_| bad(format!("floor number \"{raw}\" is not a whole number")))?;
    Ok((location, floor))
}

async fn list_floors(
    State(sim): State<Sim>,
    Path(params): PathParams,
    Query(query): Params,
) -> Response {
    let (id, filters) = match (path_id(&params, "location"), Filters::parse(&query)) {
        (Ok(id), Ok(f)) => (id, f),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let state = sim.world.condeco();
    match state.locations.get(&id) {
        Some(location) => filters.page(
            location
                .floors
                .iter()
                .filter(|f| {
                    filters
                        .external_id
                        .as_deref()
                        .is_none_or(|x| f.external_id.as_deref() == Some(x))
                })
                .collect(),
        ),
        None => not_found("location", id),
    }
}

async fn get_floor(State(sim): State<Sim>, Path(params): PathParams) -> Response {
    let (id, number) = match floor_path(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let state = sim.world.condeco();
    let Some(location) = state.locations.get(&id) else {
        return not_found("location", id);
    };
    match location.floors.iter().find(|f| f.floor_number == number) {
        Some(floor) => Json(floor).into_response(),
        None => not_found("floor", format!("{number} of location {id}")),
    }
}

/// Create or update floor `floorNumber` of a location.
async fn put_floor(
    State(sim): State<Sim>,
    Path(params): PathParams,
    body: axum::body::Bytes,
) -> Response {
    let ((id, number), map) = match (floor_path(&params), body_object(&body)) {
        (Ok(p), Ok(m)) => (p, m),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let name: Option<String> = match field(&map, "name") {
        Ok(n) => n,
        Err(r) => return r,
    };
    let mut state = sim.world.condeco_mut();
    let Some(location) = state.locations.get_mut(&id) else {
        return not_found("location", id);
    };
    let existing = location
        .floors
        .iter()
        .position(|f| f.floor_number == number);
    let name = name
        .or(existing.map(|i| location.floors[i].name.clone()))
        .unwrap_or_else(|| number.to_string());
    if let Err(r) = check_name(&name) {
        return r;
    }
    if location
        .floors
        .iter()
        .any(|f| f.floor_number != number && same_name(&f.name, &name))
    {
        return conflict(format!(
            "location {id} already has a floor named \"{name}\""
        ));
    }
    let current = existing.and_then(|i| location.floors[i].external_id.clone());
    let external = match external_id(&map, current) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let floor = LocationFloor {
        floor_number: number,
        name,
        external_id: external,
    };
    match existing {
        Some(i) => location.floors[i] = floor.clone(),
        None => {
            location.floors.push(floor.clone());
            location.floors.sort_by_key(|f| f.floor_number);
        }
    }
    Json(floor).into_response()
}

async fn delete_floor(
    State(sim): State<Sim>,
    Path(params): PathParams,
    Query(query): Params,
) -> Response {
    let (id, number) = match floor_path(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut state = sim.world.condeco_mut();
    let Some(location) = state.locations.get(&id) else {
        return not_found("location", id);
    };
    if !location.floors.iter().any(|f| f.floor_number == number) {
        return not_found("floor", format!("{number} of location {id}"));
    }
    let on_floor = |r: &Resource| r.location_id == id && r.floor_number == number;
    let children = state.resources_where(on_floor);
    if children > 0 && !cascading(&query) {
        return conflict(format!(
            "floor {number} of location {id} still has {children} resources: delete them first or add ?cascade=true"
        ));
    }
    let bookings = state.remove_resources(on_floor);
    if let Some(location) = state.locations.get_mut(&id) {
        location.floors.retain(|f| f.floor_number != number);
    }
    Json(json!({ "bookingsDeleted": bookings })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_tokens() {
        let mut state = CondecoState::with_defaults();
        state.tokens.0.insert("s3cr3t-token".into(), i64::MAX);
        let shown = format!("{state:?}");
        assert!(!shown.contains("s3cr3t-token"), "{shown}");
        assert!(shown.contains("1 issued"));
    }

    #[test]
    fn names_with_commas_or_wide_characters_are_refused() {
        assert!(check_name("Conference Room 3A").is_ok());
        assert!(check_name("Salle Québec").is_ok());
        for bad in ["Room, East", "Room \u{4e00}", "", "   "] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"x".repeat(100)).is_ok());
        assert!(check_name(&"x".repeat(101)).is_err());
    }
}
