//! What the matcher is given: the Eptura entities (keyed by the [`ExternalId`] the sync would
//! write) and the Condeco entities (keyed by [`CondecoKey`]), each with its ancestors and the
//! facts the scores read, plus what is already certain (mappings of earlier syncs) and what the
//! operator decided. Plain data: the sync builds it from its snapshots, tests from fixtures.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::{CondecoKey, Decision, ExternalId, SyncKind};

/// The levels the matcher links, parent before child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Country,
    Region,
    Location,
    Floor,
    Resource,
}

impl Level {
    /// Every level, parent before child.
    pub const ALL: [Level; 5] = [
        Level::Country,
        Level::Region,
        Level::Location,
        Level::Floor,
        Level::Resource,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Region => "region",
            Level::Location => "location",
            Level::Floor => "floor",
            Level::Resource => "resource",
        }
    }

    /// The sync's kind of entity at this level.
    pub const fn kind(self) -> SyncKind {
        match self {
            Level::Country => SyncKind::Country,
            Level::Region => SyncKind::Region,
            Level::Location => SyncKind::Location,
            Level::Floor => SyncKind::Floor,
            Level::Resource => SyncKind::Resource,
        }
    }

    /// The level of a kind of entity, for the five kinds the matcher links.
    pub fn of(kind: SyncKind) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.kind() == kind)
    }

    /// How many ancestors an entity of this level has (a country none, a resource four).
    pub const fn depth(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource's kind, as far as matching cares: Condeco cannot change it after creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceKind {
    /// A meeting space (Eptura WE).
    Meeting,
    /// A personal space (Eptura ME).
    Personal,
}

/// What is known of an entity besides its name; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    pub name: String,
    /// A country's ISO code; a building's code.
    pub code: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// A region's state or province code, when it is known ("TX").
    pub state: Option<String>,
    /// A floor's number: Condeco's, or the one an Eptura floor's name states.
    pub floor_number: Option<i32>,
    pub capacity: Option<u32>,
    pub kind: Option<SpaceKind>,
}

/// An Eptura entity to be matched.
#[derive(Debug, Clone, PartialEq)]
pub struct EpturaEntity {
    pub key: ExternalId,
    /// Nearest first: a resource's floor, location, region and country.
    pub ancestors: Vec<ExternalId>,
    pub facts: Facts,
}

/// A Condeco entity that may be the same thing.
#[derive(Debug, Clone, PartialEq)]
pub struct CondecoEntity {
    pub key: CondecoKey,
    /// Nearest first, as for [`EpturaEntity::ancestors`].
    pub ancestors: Vec<CondecoKey>,
    /// The `externalId` it carries, if any.
    pub external_id: Option<String>,
    pub facts: Facts,
}

impl EpturaEntity {
    pub fn level(&self) -> Option<Level> {
        Level::of(self.key.kind())
    }
}

impl CondecoEntity {
    pub fn level(&self) -> Option<Level> {
        Level::of(self.key.kind())
    }
}

/// Everything one match reads.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub eptura: Vec<EpturaEntity>,
    pub condeco: Vec<CondecoEntity>,
    /// Links an earlier sync made (the mapping store): certain.
    pub mapped: HashMap<ExternalId, CondecoKey>,
    /// The operator's decisions, by Eptura entity.
    pub decisions: HashMap<ExternalId, Decision>,
    /// Condeco scopes whose entities could not be read: an Eptura entity whose candidates lie
    /// there is not evaluated (neither matched nor new). `None` in the list: a whole level.
    pub unread: Vec<(Level, Option<CondecoKey>)>,
}

/// The bands' thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MatchConfig {
    /// A score at least this high, clearly ahead of the runner-up, links without review.
    pub auto: f64,
    /// A score at least this high is plausible: the operator decides.
    pub review: f64,
    /// How far ahead of the runner-up (and of a competing claim) an automatic link must be.
    pub margin: f64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            auto: 0.85,
            review: 0.5,
            margin: 0.1,
        }
    }
}

/// Thresholds that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "match thresholds must satisfy 0 < review ({review}) <= auto ({auto}) <= 1 and 0 <= margin \
     ({margin}) < 1"
)]
pub struct BadThresholds {
    pub auto: f64,
    pub review: f64,
    pub margin: f64,
}

impl MatchConfig {
    /// Checked thresholds.
    pub fn new(auto: f64, review: f64, margin: f64) -> Result<MatchConfig, BadThresholds> {
        let fine = review > 0.0 && review <= auto && auto <= 1.0 && (0.0..1.0).contains(&margin);
        if fine {
            Ok(MatchConfig {
                auto,
                review,
                margin,
            })
        } else {
            Err(BadThresholds {
                auto,
                review,
                margin,
            })
        }
    }
}
