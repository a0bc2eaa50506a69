//! Records as the two services hold them, in the domain's words: what the Eptura Workplace and
//! Condeco clients return and what the matcher, the sync and the simulators' callers reason
//! about. The clients' wire types stay private to each client; these are their public face.
//! Every id is typed by its service and kind ([`super::ids`]): no bare number crosses the
//! clients' boundary. Plain data, no I/O.

use serde::{Deserialize, Serialize};

use super::ids::{
    CondecoCountryId, CondecoGroupId, CondecoLocationId, CondecoRegionId, CondecoResourceId,
    CondecoWorkspaceTypeId, EpturaBuildingId, EpturaCenterId, EpturaCountryId, EpturaFloorId,
    EpturaSpaceId, EpturaSpaceTypeId,
};
use super::space_type::Usage;

/// A reservation center a building belongs to (`module` is "reservation" for booking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CenterRef {
    pub id: EpturaCenterId,
    pub name: String,
    pub module: Option<String>,
}

/// An Eptura Workplace building.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpturaBuilding {
    pub id: EpturaBuildingId,
    pub name: String,
    /// Empty codes are `None`.
    pub code: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    pub state_code: Option<String>,
    pub state_name: Option<String>,
    /// ISO alpha-2 as Eptura gives it.
    pub country_code: Option<String>,
    pub centers: Vec<CenterRef>,
    /// Epoch milliseconds.
    pub date_updated: Option<i64>,
}

impl EpturaBuilding {
    /// Whether the building belongs to at least one reservation center (only those sync).
    pub fn has_reservation_center(&self) -> bool {
        self.centers
            .iter()
            .any(|c| c.module.as_deref() == Some("reservation"))
    }
}

/// An Eptura Workplace floor: the name is all there is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpturaFloor {
    pub id: EpturaFloorId,
    pub name: String,
    pub building_id: Option<EpturaBuildingId>,
    pub date_updated: Option<i64>,
}

/// An Eptura Workplace space (the API's "room").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpturaSpace {
    pub id: EpturaSpaceId,
    pub name: String,
    pub description: Option<String>,
    pub capacity: Option<u32>,
    pub reservable: bool,
    pub occupiable: Option<bool>,
    pub area: Option<f64>,
    pub type_id: Option<EpturaSpaceTypeId>,
    pub type_name: Option<String>,
    /// The usage of the space's type, when Eptura says it.
    pub usage: Option<Usage>,
    pub floor_id: Option<EpturaFloorId>,
    pub building_id: Option<EpturaBuildingId>,
    pub date_updated: Option<i64>,
}

/// An Eptura Workplace space type (the API's "room type").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpturaSpaceType {
    pub id: EpturaSpaceTypeId,
    pub name: String,
    pub type_code: Option<String>,
    /// `None` when Eptura does not say (the v2 documentation does not show the field).
    pub usage: Option<Usage>,
    pub occupiable: Option<bool>,
    pub parking: Option<bool>,
    pub date_updated: Option<i64>,
}

/// A country as Eptura Workplace lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpturaCountry {
    pub id: EpturaCountryId,
    pub name: String,
    pub iso_code: Option<String>,
}

/// A reservation center with the buildings it serves (empty when not asked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpturaCenter {
    pub id: EpturaCenterId,
    pub name: String,
    pub module: Option<String>,
    pub building_ids: Vec<EpturaBuildingId>,
}

/// Condeco's two kinds of resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum ResourceType {
    MeetingSpace,
    PersonalSpace,
    /// A value this tool does not know, kept as sent.
    Other(String),
}

/// How a Condeco resource or workspace type is booked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum BookingPeriod {
    AllDay,
    Hourly,
    Other(String),
}

/// A Condeco country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondecoCountry {
    pub id: CondecoCountryId,
    pub name: String,
    pub country_code: Option<String>,
    pub external_id: Option<String>,
}

/// A Condeco group (booking rules live here; every resource belongs to one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondecoGroup {
    pub id: CondecoGroupId,
    pub name: String,
    pub country_id: Option<CondecoCountryId>,
    pub location_ids: Vec<CondecoLocationId>,
    pub is_default: bool,
    pub external_id: Option<String>,
}

/// A Condeco region: a name under a country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondecoRegion {
    pub id: CondecoRegionId,
    pub name: String,
    pub country_id: Option<CondecoCountryId>,
    pub external_id: Option<String>,
}

/// A floor of a Condeco location: a number (0 ground, negative below) and maybe a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondecoFloor {
    pub number: i32,
    pub name: Option<String>,
    pub external_id: Option<String>,
}

impl CondecoFloor {
    /// The name, else the number as text.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) if !name.trim().is_empty() => name.clone(),
            _ => self.number.to_string(),
        }
    }
}

/// A Condeco location (a building).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondecoLocation {
    pub id: CondecoLocationId,
    pub name: String,
    pub region_id: Option<CondecoRegionId>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub time_zone: Option<String>,
    pub status: Option<String>,
    pub floors: Vec<CondecoFloor>,
    pub external_id: Option<String>,
}

/// A Condeco workspace type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondecoWorkspaceType {
    pub id: CondecoWorkspaceTypeId,
    pub name: String,
    pub booking_period: Option<BookingPeriod>,
    pub is_default: bool,
    pub external_id: Option<String>,
}

/// A Condeco resource: a meeting space or a personal space on a location's floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondecoResource {
    pub id: CondecoResourceId,
    pub name: String,
    pub resource_type: Option<ResourceType>,
    pub booking_period: Option<BookingPeriod>,
    pub location_id: Option<CondecoLocationId>,
    pub floor_number: Option<i32>,
    pub group_id: Option<CondecoGroupId>,
    pub workspace_type_id: Option<CondecoWorkspaceTypeId>,
    pub capacity: Option<u32>,
    pub status: Option<String>,
    pub external_id: Option<String>,
    /// Bookings a delete would lose (read-only).
    pub booking_count: Option<u64>,
}
