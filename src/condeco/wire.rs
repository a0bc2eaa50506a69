//! Every path, query parameter, header and field name of the Condeco contract
//! (`spec/condeco-api.md`), and nothing else: the JSON read (tolerant: unknown fields ignored,
//! optional ones may be missing or null) and the bodies written. Condeco does not publish this
//! collection's endpoint list, so a real tenant's differences are expected: change them here.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    CountryDraft, FloorDraft, GroupDraft, LocationDraft, RegionDraft, ResourceDraft,
    WorkspaceTypeDraft,
};
use crate::domain::ids::CondecoLocationId;
use crate::domain::remote::{
    BookingPeriod, CondecoCountry, CondecoFloor, CondecoGroup, CondecoLocation, CondecoRegion,
    CondecoResource, CondecoWorkspaceType, ResourceType,
};

/// Appended to the API address: `{api_url}/{client_name}/api/V1/`.
pub const API_SUFFIX: &str = "api/V1/";
pub const TOKEN: &str = "token";
pub const HEADER_SUBSCRIPTION_KEY: &str = "Ocp-Apim-Subscription-Key";
pub const FORM_CLIENT_ID: &str = "client_id";
pub const FORM_CLIENT_SECRET: &str = "client_secret";
pub const FORM_GRANT_TYPE: &str = "grant_type";
pub const GRANT_TYPE: &str = "password";

pub const COUNTRIES: &str = "countries";
pub const GROUPS: &str = "groups";
pub const REGIONS: &str = "regions";
pub const LOCATIONS: &str = "locations";
pub const FLOORS: &str = "floors";
pub const WORKSPACE_TYPES: &str = "workspacetypes";
pub const RESOURCES: &str = "resources";

pub const PAGE_SIZE: u32 = 500;
pub const Q_PAGE_NUMBER: &str = "pageNumber";
pub const Q_PAGE_SIZE: &str = "pageSize";
pub const Q_CASCADE: &str = "cascade";
pub const Q_EXTERNAL_ID: &str = "externalId";
pub const Q_COUNTRY_ID: &str = "countryId";
pub const Q_REGION_ID: &str = "regionId";
pub const Q_LOCATION_ID: &str = "locationId";
pub const Q_FLOOR_NUMBER: &str = "floorNumber";
pub const Q_RESOURCE_TYPE: &str = "resourceType";

/// The path of one floor.
pub fn floor_path(location_id: CondecoLocationId, floor_number: i32) -> String {
    format!("{LOCATIONS}/{location_id}/{FLOORS}/{floor_number}")
}

#[derive(Deserialize)]
pub struct Token {
    pub access_token: String,
    /// Read loosely, so that a wrong type gets its own message (see [`token_lifetime`]).
    #[serde(default)]
    pub expires_in: Option<Value>,
}

/// The lifetime of a token whose answer has no `expires_in`.
const DEFAULT_TOKEN_SECONDS: u64 = 3600;

/// A token's lifetime in seconds from its `expires_in`: a whole number, or a string of digits
/// as some OAuth servers send it; absent is an hour. Anything else is refused with what is
/// wrong with it (the value is not secret, so it is quoted).
pub fn token_lifetime(expires_in: Option<&Value>) -> Result<u64, String> {
    match expires_in {
        None | Some(Value::Null) => Ok(DEFAULT_TOKEN_SECONDS),
        Some(Value::Number(n)) => whole_seconds(n),
        Some(Value::String(text)) => text.trim().parse::<u64>().map_err(|_| {
            let shown: String = text.chars().take(40).collect();
            format!("expires_in is the text \"{shown}\", not a number of seconds")
        }),
        Some(Value::Bool(_)) => Err("expires_in is true/false, not a number of seconds".into()),
        Some(Value::Array(_) | Value::Object(_)) => {
            Err("expires_in is a list or an object, not a number of seconds".into())
        }
    }
}

fn whole_seconds(n: &serde_json::Number) -> Result<u64, String> {
    if let Some(seconds) = n.as_u64() {
        return Ok(seconds);
    }
    match n.as_f64() {
        Some(f) if f < 0.0 => Err(format!(
            "expires_in is negative ({n}): the token would have expired already"
        )),
        // A whole number written as a float (3600.0); beyond u64 it saturates, and the
        // caller clamps it to a day anyway.
        Some(f) if f.is_finite() && f.fract() == 0.0 => Ok(f as u64),
        _ => Err(format!("expires_in is {n}, not a whole number of seconds")),
    }
}

/// `{"message": "..."}` on errors.
#[derive(Deserialize)]
pub struct Message {
    #[serde(default, alias = "Message")]
    pub message: Option<String>,
}

/// The paging envelope.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub total_count: Option<u64>,
}

/// `{"bookingsDeleted": n}` after a delete.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Deleted {
    #[serde(default)]
    pub bookings_deleted: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Country {
    country_id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    country_code: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    group_id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    country_id: Option<i64>,
    #[serde(default)]
    location_ids: Option<Vec<i64>>,
    #[serde(default)]
    is_default: Option<bool>,
    #[serde(default)]
    external_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    region_id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    country_id: Option<i64>,
    #[serde(default)]
    external_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    location_id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    region_id: Option<i64>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    floors: Option<Vec<Floor>>,
    #[serde(default)]
    external_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Floor {
    floor_number: i32,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceType {
    workspace_type_id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    booking_period: Option<String>,
    #[serde(default)]
    is_default: Option<bool>,
    #[serde(default)]
    external_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    resource_id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    resource_type: Option<String>,
    #[serde(default)]
    booking_period: Option<String>,
    #[serde(default)]
    location_id: Option<i64>,
    #[serde(default)]
    floor_number: Option<i32>,
    #[serde(default)]
    group_id: Option<i64>,
    #[serde(default)]
    workspace_type_id: Option<i64>,
    #[serde(default)]
    capacity: Option<f64>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    booking_count: Option<u64>,
}

/// Blank strings are absent.
fn text(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn booking_period(value: Option<String>) -> Option<BookingPeriod> {
    let value = text(value)?;
    Some(match value.as_str() {
        "AllDay" => BookingPeriod::AllDay,
        "Hourly" => BookingPeriod::Hourly,
        _ => BookingPeriod::Other(value),
    })
}

fn resource_type(value: Option<String>) -> Option<ResourceType> {
    let value = text(value)?;
    Some(match value.as_str() {
        "MeetingSpace" => ResourceType::MeetingSpace,
        "PersonalSpace" => ResourceType::PersonalSpace,
        _ => ResourceType::Other(value),
    })
}

pub fn booking_period_text(period: &BookingPeriod) -> &str {
    match period {
        BookingPeriod::AllDay => "AllDay",
        BookingPeriod::Hourly => "Hourly",
        BookingPeriod::Other(other) => other,
    }
}

pub fn resource_type_text(kind: &ResourceType) -> &str {
    match kind {
        ResourceType::MeetingSpace => "MeetingSpace",
        ResourceType::PersonalSpace => "PersonalSpace",
        ResourceType::Other(other) => other,
    }
}

impl From<Country> for CondecoCountry {
    fn from(w: Country) -> Self {
        CondecoCountry {
            id: w.country_id.into(),
            name: w.name.unwrap_or_default(),
            country_code: text(w.country_code),
            external_id: text(w.external_id),
        }
    }
}

impl From<Group> for CondecoGroup {
    fn from(w: Group) -> Self {
        CondecoGroup {
            id: w.group_id.into(),
            name: w.name.unwrap_or_default(),
            country_id: w.country_id.map(Into::into),
            location_ids: (w.location_ids.unwrap_or_default().into_iter())
                .map(Into::into)
                .collect(),
            is_default: w.is_default.unwrap_or(false),
            external_id: text(w.external_id),
        }
    }
}

impl From<Region> for CondecoRegion {
    fn from(w: Region) -> Self {
        CondecoRegion {
            id: w.region_id.into(),
            name: w.name.unwrap_or_default(),
            country_id: w.country_id.map(Into::into),
            external_id: text(w.external_id),
        }
    }
}

impl From<Floor> for CondecoFloor {
    fn from(w: Floor) -> Self {
        CondecoFloor {
            number: w.floor_number,
            name: text(w.name),
            external_id: text(w.external_id),
        }
    }
}

impl From<Location> for CondecoLocation {
    fn from(w: Location) -> Self {
        CondecoLocation {
            id: w.location_id.into(),
            name: w.name.unwrap_or_default(),
            region_id: w.region_id.map(Into::into),
            address: text(w.address),
            city: text(w.city),
            postal_code: text(w.postal_code),
            time_zone: text(w.time_zone),
            status: text(w.status),
            floors: w
                .floors
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            external_id: text(w.external_id),
        }
    }
}

impl From<WorkspaceType> for CondecoWorkspaceType {
    fn from(w: WorkspaceType) -> Self {
        CondecoWorkspaceType {
            id: w.workspace_type_id.into(),
            name: w.name.unwrap_or_default(),
            booking_period: booking_period(w.booking_period),
            is_default: w.is_default.unwrap_or(false),
            external_id: text(w.external_id),
        }
    }
}

impl From<Resource> for CondecoResource {
    fn from(w: Resource) -> Self {
        CondecoResource {
            id: w.resource_id.into(),
            name: w.name.unwrap_or_default(),
            resource_type: resource_type(w.resource_type),
            booking_period: booking_period(w.booking_period),
            location_id: w.location_id.map(Into::into),
            floor_number: w.floor_number,
            group_id: w.group_id.map(Into::into),
            workspace_type_id: w.workspace_type_id.map(Into::into),
            capacity: w
                .capacity
                .filter(|c| c.is_finite() && *c >= 0.0)
                .map(|c| c.round() as u32),
            status: text(w.status),
            external_id: text(w.external_id),
            booking_count: w.booking_count,
        }
    }
}

/// A JSON object of the fields that are set.
struct Body(Map<String, Value>);

impl Body {
    fn new() -> Self {
        Body(Map::new())
    }

    fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    fn opt<V: Into<Value>>(self, key: &str, value: Option<V>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

pub fn country(d: &CountryDraft) -> Value {
    Body::new()
        .set("name", d.name.clone())
        .opt("countryCode", d.country_code.clone())
        .opt("externalId", d.external_id.clone())
        .done()
}

/// Ids as the bare numbers the wire carries.
fn numbers<I: Copy + Into<i64>>(ids: &[I]) -> Vec<i64> {
    ids.iter().map(|id| (*id).into()).collect()
}

pub fn group(d: &GroupDraft) -> Value {
    Body::new()
        .set("name", d.name.clone())
        .opt("countryId", d.country_id.map(i64::from))
        .opt("locationIds", d.location_ids.as_deref().map(numbers))
        .opt("isDefault", d.is_default)
        .opt("externalId", d.external_id.clone())
        .done()
}

pub fn region(d: &RegionDraft) -> Value {
    Body::new()
        .set("name", d.name.clone())
        .opt("countryId", d.country_id.map(i64::from))
        .opt("externalId", d.external_id.clone())
        .done()
}

pub fn location(d: &LocationDraft) -> Value {
    Body::new()
        .set("name", d.name.clone())
        .opt("regionId", d.region_id.map(i64::from))
        .opt("address", d.address.clone())
        .opt("city", d.city.clone())
        .opt("postalCode", d.postal_code.clone())
        .opt("timeZone", d.time_zone.clone())
        .opt("status", d.status.clone())
        .opt("externalId", d.external_id.clone())
        .done()
}

pub fn floor(number: i32, d: &FloorDraft) -> Value {
    Body::new()
        .set("floorNumber", number)
        .opt("name", d.name.clone())
        .opt("externalId", d.external_id.clone())
        .done()
}

pub fn workspace_type(d: &WorkspaceTypeDraft) -> Value {
    Body::new()
        .set("name", d.name.clone())
        .opt(
            "bookingPeriod",
            d.booking_period
                .as_ref()
                .map(|p| booking_period_text(p).to_string()),
        )
        .opt("externalId", d.external_id.clone())
        .done()
}

pub fn resource(d: &ResourceDraft) -> Value {
    Body::new()
        .set("name", d.name.clone())
        .opt(
            "resourceType",
            d.resource_type
                .as_ref()
                .map(|t| resource_type_text(t).to_string()),
        )
        .opt(
            "bookingPeriod",
            d.booking_period
                .as_ref()
                .map(|p| booking_period_text(p).to_string()),
        )
        .opt("locationId", d.location_id.map(i64::from))
        .opt("floorNumber", d.floor_number)
        .opt("groupId", d.group_id.map(i64::from))
        .opt("workspaceTypeId", d.workspace_type_id.map(i64::from))
        .opt("capacity", d.capacity)
        .opt("status", d.status.clone())
        .opt("externalId", d.external_id.clone())
        .done()
}
