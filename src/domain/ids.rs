//! Typed ids of both services, the sync's kinds of entity ([`SyncKind`]) and the two keys a
//! mapping joins: the [`ExternalId`] the sync writes into a Condeco entity (the Eptura id of the
//! matching record) and the [`CondecoKey`] of that entity. A bare `i64` says nothing about which
//! API and which kind it belongs to; these types make a building id that is passed where a
//! space id belongs a compile error. Plain data, no I/O.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use super::geo::CountryCode;

/// Text that is not an id of the kind it was read as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a {what}: expected {expected}")]
pub struct IdParseError {
    pub text: String,
    pub what: &'static str,
    pub expected: &'static str,
}

impl IdParseError {
    fn new(text: &str, what: &'static str, expected: &'static str) -> Self {
        IdParseError {
            text: text.to_string(),
            what,
            expected,
        }
    }
}

/// Defines a newtype over `i64` for one kind of id of one API: `Copy`, ordered, hashable,
/// serialised as the bare number, shown as the number, parsed from it.
macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                $name(id)
            }

            /// The number as the API sends it.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            fn from_str(text: &str) -> Result<Self, IdParseError> {
                text.trim()
                    .parse()
                    .map($name)
                    .map_err(|_| IdParseError::new(text, $what, "a whole number"))
            }
        }
    };
}

numeric_id!(
    /// An Eptura Workplace building.
    EpturaBuildingId,
    "Eptura building id"
);
numeric_id!(
    /// An Eptura Workplace floor.
    EpturaFloorId,
    "Eptura floor id"
);
numeric_id!(
    /// An Eptura Workplace space (the API's "room").
    EpturaSpaceId,
    "Eptura space id"
);
numeric_id!(
    /// An Eptura Workplace space type (the API's "room type").
    EpturaSpaceTypeId,
    "Eptura space type id"
);
numeric_id!(
    /// A country as Eptura Workplace lists it.
    EpturaCountryId,
    "Eptura country id"
);
numeric_id!(
    /// An Eptura Workplace reservation center.
    EpturaCenterId,
    "Eptura center id"
);
numeric_id!(
    /// A Condeco country.
    CondecoCountryId,
    "Condeco country id"
);
numeric_id!(
    /// A Condeco group.
    CondecoGroupId,
    "Condeco group id"
);
numeric_id!(
    /// A Condeco region.
    CondecoRegionId,
    "Condeco region id"
);
numeric_id!(
    /// A Condeco location.
    CondecoLocationId,
    "Condeco location id"
);
numeric_id!(
    /// A Condeco workspace type.
    CondecoWorkspaceTypeId,
    "Condeco workspace type id"
);
numeric_id!(
    /// A Condeco resource.
    CondecoResourceId,
    "Condeco resource id"
);

/// A Condeco floor: floors have no id of their own, only a number within their location.
/// Written as `"{location}:{number}"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CondecoFloorKey {
    pub location: CondecoLocationId,
    /// 0 is the ground floor, negative numbers are below ground.
    pub number: i32,
}

impl fmt::Display for CondecoFloorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.location, self.number)
    }
}

impl FromStr for CondecoFloorKey {
    type Err = IdParseError;

    fn from_str(text: &str) -> Result<Self, IdParseError> {
        let bad = || IdParseError::new(text, "Condeco floor key", "\"{location id}:{number}\"");
        let (location, number) = text.split_once(':').ok_or_else(bad)?;
        Ok(CondecoFloorKey {
            location: location.parse().map_err(|_| bad())?,
            number: number.trim().parse().map_err(|_| bad())?,
        })
    }
}

/// The kinds of entity a sync writes to Condeco, in level order: parent before child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncKind {
    Country,
    Group,
    Region,
    Location,
    Floor,
    WorkspaceType,
    Resource,
}

impl SyncKind {
    /// Every kind, parent before child.
    pub const ALL: [SyncKind; 7] = [
        SyncKind::Country,
        SyncKind::Group,
        SyncKind::Region,
        SyncKind::Location,
        SyncKind::Floor,
        SyncKind::WorkspaceType,
        SyncKind::Resource,
    ];

    /// The name the command line's JSON uses (`workspace_type`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            SyncKind::Country => "country",
            SyncKind::Group => "group",
            SyncKind::Region => "region",
            SyncKind::Location => "location",
            SyncKind::Floor => "floor",
            SyncKind::WorkspaceType => "workspace_type",
            SyncKind::Resource => "resource",
        }
    }
}

impl fmt::Display for SyncKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SyncKind {
    type Err = IdParseError;

    fn from_str(text: &str) -> Result<Self, IdParseError> {
        SyncKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                IdParseError::new(
                    text,
                    "kind of entity",
                    "country, group, region, location, floor, workspace_type or resource",
                )
            })
    }
}

/// What the sync writes into a Condeco entity's `externalId`: the id of the matching Eptura
/// record, or for the two kinds Eptura has no record of, a key derived from one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExternalId {
    /// `"{Eptura country id}"`.
    Country(EpturaCountryId),
    /// The default group the sync creates for a country: `"{Eptura country id}-default"`.
    DefaultGroup(EpturaCountryId),
    /// A city (or state) in a country, which Eptura has no record of: `"{ISO}:{name}"`.
    Region { country: CountryCode, name: String },
    /// `"{Eptura building id}"`.
    Location(EpturaBuildingId),
    /// `"{Eptura floor id}"`.
    Floor(EpturaFloorId),
    /// `"{Eptura space type id}"`.
    WorkspaceType(EpturaSpaceTypeId),
    /// `"{Eptura space id}"`.
    Resource(EpturaSpaceId),
}

const DEFAULT_GROUP_SUFFIX: &str = "-default";

impl ExternalId {
    pub fn country(id: EpturaCountryId) -> Self {
        ExternalId::Country(id)
    }

    pub fn default_group(country: EpturaCountryId) -> Self {
        ExternalId::DefaultGroup(country)
    }

    pub fn region(country: CountryCode, name: &str) -> Self {
        ExternalId::Region {
            country,
            name: name.to_string(),
        }
    }

    pub fn location(building: EpturaBuildingId) -> Self {
        ExternalId::Location(building)
    }

    pub fn floor(floor: EpturaFloorId) -> Self {
        ExternalId::Floor(floor)
    }

    pub fn workspace_type(space_type: EpturaSpaceTypeId) -> Self {
        ExternalId::WorkspaceType(space_type)
    }

    pub fn resource(space: EpturaSpaceId) -> Self {
        ExternalId::Resource(space)
    }

    /// The kind of Condeco entity that carries this id.
    pub fn kind(&self) -> SyncKind {
        match self {
            ExternalId::Country(_) => SyncKind::Country,
            ExternalId::DefaultGroup(_) => SyncKind::Group,
            ExternalId::Region { .. } => SyncKind::Region,
            ExternalId::Location(_) => SyncKind::Location,
            ExternalId::Floor(_) => SyncKind::Floor,
            ExternalId::WorkspaceType(_) => SyncKind::WorkspaceType,
            ExternalId::Resource(_) => SyncKind::Resource,
        }
    }

    /// Reads the `externalId` of a Condeco entity of `kind` back into the Eptura record it
    /// names. The same text means different records for different kinds, hence the kind.
    pub fn parse(kind: SyncKind, text: &str) -> Result<Self, IdParseError> {
        Ok(match kind {
            SyncKind::Country => ExternalId::Country(text.parse()?),
            SyncKind::Group => ExternalId::DefaultGroup(parse_default_group(text)?),
            SyncKind::Region => parse_region(text)?,
            SyncKind::Location => ExternalId::Location(text.parse()?),
            SyncKind::Floor => ExternalId::Floor(text.parse()?),
            SyncKind::WorkspaceType => ExternalId::WorkspaceType(text.parse()?),
            SyncKind::Resource => ExternalId::Resource(text.parse()?),
        })
    }

    pub fn building_id(&self) -> Option<EpturaBuildingId> {
        match self {
            ExternalId::Location(id) => Some(*id),
            _ => None,
        }
    }

    pub fn floor_id(&self) -> Option<EpturaFloorId> {
        match self {
            ExternalId::Floor(id) => Some(*id),
            _ => None,
        }
    }

    pub fn space_id(&self) -> Option<EpturaSpaceId> {
        match self {
            ExternalId::Resource(id) => Some(*id),
            _ => None,
        }
    }

    pub fn space_type_id(&self) -> Option<EpturaSpaceTypeId> {
        match self {
            ExternalId::WorkspaceType(id) => Some(*id),
            _ => None,
        }
    }

    /// The Eptura country of a country or of its default group.
    pub fn country_id(&self) -> Option<EpturaCountryId> {
        match self {
            ExternalId::Country(id) | ExternalId::DefaultGroup(id) => Some(*id),
            _ => None,
        }
    }
}

fn parse_default_group(text: &str) -> Result<EpturaCountryId, IdParseError> {
    let bad = || {
        IdParseError::new(
            text,
            "default group external id",
            "\"{Eptura country id}-default\"",
        )
    };
    let country = text.strip_suffix(DEFAULT_GROUP_SUFFIX).ok_or_else(bad)?;
    country.parse().map_err(|_| bad())
}

fn parse_region(text: &str) -> Result<ExternalId, IdParseError> {
    let bad = || IdParseError::new(text, "region external id", "\"{ISO code}:{region name}\"");
    let (iso, name) = text.split_once(':').ok_or_else(bad)?;
    let country = CountryCode::parse(iso).ok_or_else(bad)?;
    if name.trim().is_empty() {
        return Err(bad());
    }
    Ok(ExternalId::region(country, name))
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternalId::Country(id) => write!(f, "{id}"),
            ExternalId::DefaultGroup(id) => write!(f, "{id}{DEFAULT_GROUP_SUFFIX}"),
            ExternalId::Region { country, name } => write!(f, "{country}:{name}"),
            ExternalId::Location(id) => write!(f, "{id}"),
            ExternalId::Floor(id) => write!(f, "{id}"),
            ExternalId::WorkspaceType(id) => write!(f, "{id}"),
            ExternalId::Resource(id) => write!(f, "{id}"),
        }
    }
}

/// Serialised as the text written into Condeco.
impl Serialize for ExternalId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The Condeco entity of a mapping: its id, or for a floor, its location and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CondecoKey {
    Country(CondecoCountryId),
    Group(CondecoGroupId),
    Region(CondecoRegionId),
    Location(CondecoLocationId),
    Floor(CondecoFloorKey),
    WorkspaceType(CondecoWorkspaceTypeId),
    Resource(CondecoResourceId),
}

impl CondecoKey {
    pub fn kind(&self) -> SyncKind {
        match self {
            CondecoKey::Country(_) => SyncKind::Country,
            CondecoKey::Group(_) => SyncKind::Group,
            CondecoKey::Region(_) => SyncKind::Region,
            CondecoKey::Location(_) => SyncKind::Location,
            CondecoKey::Floor(_) => SyncKind::Floor,
            CondecoKey::WorkspaceType(_) => SyncKind::WorkspaceType,
            CondecoKey::Resource(_) => SyncKind::Resource,
        }
    }

    /// Reads a key written by [`CondecoKey`]'s `Display` back, as the kind it was written for.
    pub fn parse(kind: SyncKind, text: &str) -> Result<Self, IdParseError> {
        Ok(match kind {
            SyncKind::Country => CondecoKey::Country(text.parse()?),
            SyncKind::Group => CondecoKey::Group(text.parse()?),
            SyncKind::Region => CondecoKey::Region(text.parse()?),
            SyncKind::Location => CondecoKey::Location(text.parse()?),
            SyncKind::Floor => CondecoKey::Floor(text.parse()?),
            SyncKind::WorkspaceType => CondecoKey::WorkspaceType(text.parse()?),
            SyncKind::Resource => CondecoKey::Resource(text.parse()?),
        })
    }
}

impl fmt::Display for CondecoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CondecoKey::Country(id) => write!(f, "{id}"),
            CondecoKey::Group(id) => write!(f, "{id}"),
            CondecoKey::Region(id) => write!(f, "{id}"),
            CondecoKey::Location(id) => write!(f, "{id}"),
            CondecoKey::Floor(key) => write!(f, "{key}"),
            CondecoKey::WorkspaceType(id) => write!(f, "{id}"),
            CondecoKey::Resource(id) => write!(f, "{id}"),
        }
    }
}

impl Serialize for CondecoKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Implements `From` each typed id for the key enum variant that wraps it.
macro_rules! key_from_ids {
    ($key:ident: $($id:ident => $variant:ident),* $(,)?) => {
        $(impl From<$id> for $key {
            fn from(id: $id) -> Self {
                $key::$variant(id)
            }
        })*
    };
}

key_from_ids!(CondecoKey:
    CondecoCountryId => Country,
    CondecoGroupId => Group,
    CondecoRegionId => Region,
    CondecoLocationId => Location,
    CondecoFloorKey => Floor,
    CondecoWorkspaceTypeId => WorkspaceType,
    CondecoResourceId => Resource,
);

// No `From<EpturaCountryId>`: a country id is the key of both a country and its default group.
key_from_ids!(ExternalId:
    EpturaBuildingId => Location,
    EpturaFloorId => Floor,
    EpturaSpaceTypeId => WorkspaceType,
    EpturaSpaceId => Resource,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_from_their_names_in_level_order() {
        let names: Vec<&str> = SyncKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "country",
                "group",
                "region",
                "location",
                "floor",
                "workspace_type",
                "resource"
            ]
        );
        for kind in SyncKind::ALL {
            assert_eq!(kind.as_str().parse::<SyncKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).ok(), Some(kind.as_str().into()));
        }
        assert!(SyncKind::ALL.windows(2).all(|pair| pair[0] < pair[1]));
        assert!("workspace-type".parse::<SyncKind>().is_err());
    }

    #[test]
    fn ids_serialise_and_show_as_the_bare_number() {
        let id = EpturaSpaceId::new(4711);
        assert_eq!(serde_json::to_string(&id).ok().as_deref(), Some("4711"));
        assert_eq!(id.to_string(), "4711");
        assert_eq!(" 4711".parse::<EpturaSpaceId>(), Ok(id));
        assert_eq!(i64::from(id), 4711);
        let error = "47a".parse::<CondecoResourceId>().unwrap_err();
        assert!(error.to_string().contains("Condeco resource id"), "{error}");
    }

    #[test]
    fn external_ids_follow_the_convention_and_read_back() {
        let us = CountryCode::US;
        let cases = [
            (ExternalId::country(EpturaCountryId::new(7)), "7"),
            (
                ExternalId::default_group(EpturaCountryId::new(7)),
                "7-default",
            ),
            (ExternalId::region(us, "New York"), "US:New York"),
            (ExternalId::location(EpturaBuildingId::new(12)), "12"),
            (ExternalId::floor(EpturaFloorId::new(130)), "130"),
            (ExternalId::workspace_type(EpturaSpaceTypeId::new(3)), "3"),
            (ExternalId::resource(EpturaSpaceId::new(99001)), "99001"),
        ];
        for (id, text) in cases {
            assert_eq!(id.to_string(), text);
            assert_eq!(ExternalId::parse(id.kind(), text), Ok(id.clone()));
        }
    }

    #[test]
    fn external_ids_of_the_wrong_shape_are_refused() {
        assert!(ExternalId::parse(SyncKind::Group, "7").is_err());
        assert!(ExternalId::parse(SyncKind::Group, "x-default").is_err());
        assert!(ExternalId::parse(SyncKind::Region, "Boston").is_err());
        assert!(ExternalId::parse(SyncKind::Region, "USA:Boston").is_err());
        assert!(ExternalId::parse(SyncKind::Region, "US: ").is_err());
        assert!(ExternalId::parse(SyncKind::Location, "US:Boston").is_err());
    }

    #[test]
    fn a_region_name_may_hold_a_colon() {
        let id = ExternalId::parse(SyncKind::Region, "CA:Québec: Centre").unwrap();
        assert_eq!(id, ExternalId::region(CountryCode::CA, "Québec: Centre"));
    }

    #[test]
    fn condeco_keys_read_back_per_kind() {
        let floor = CondecoFloorKey {
            location: CondecoLocationId::new(5),
            number: -1,
        };
        let key = CondecoKey::from(floor);
        assert_eq!(key.to_string(), "5:-1");
        assert_eq!(CondecoKey::parse(SyncKind::Floor, "5:-1"), Ok(key));
        let resource = CondecoKey::from(CondecoResourceId::new(88));
        assert_eq!(CondecoKey::parse(SyncKind::Resource, "88"), Ok(resource));
        assert_eq!(resource.kind(), SyncKind::Resource);
        assert!(CondecoKey::parse(SyncKind::Floor, "5").is_err());
        assert!(CondecoKey::parse(SyncKind::Location, "5:1").is_err());
    }
}
