//! The merge with an existing Condeco, between the mapping rules and the plan: the matcher's
//! input is made from what the sync already has (the desired state and the Eptura snapshot for
//! the Eptura side, the Condeco snapshot, the store's mappings and decisions), and its outcome
//! becomes what the plan needs ([`MergeLinks`]): the Condeco entity each matched Eptura entity
//! is to be linked to, and the entities held with the reason (in review, not evaluated).
//! Pure except [`preview`], which reads both services and the store as a plan does, and writes
//! nothing.

use std::collections::HashMap;

use crate::domain::ids::{CondecoFloorKey, EpturaBuildingId, EpturaFloorId, EpturaSpaceId};
use crate::domain::names::floor_number;
use crate::domain::remote::{CondecoResource, EpturaBuilding, ResourceType};
use crate::domain::{CondecoKey, ExternalId, SyncKind};
use crate::matcher::{
    Band, CondecoEntity, EpturaEntity, Facts, Input, Level, MatchConfig, Outcome, SpaceKind,
    match_entities,
};
use crate::store::{Mapping, MergeDecision, Store, StoreError};

use super::desired::{Desired, DesiredState, Fields, desired_state};
use super::engine::{SyncError, SyncSettings, blocking};
use super::events::EventSink;
use super::quota::QuotaWait;
use super::snapshot::{CondecoSnapshot, EpturaSnapshot};

/// What the plan takes from the merge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeLinks {
    /// Eptura entity → the Condeco entity it is to be linked to (auto band: certain, decided,
    /// or a clear match).
    pub links: HashMap<ExternalId, CondecoKey>,
    /// Eptura entities neither linked nor created, with the reason (in review, not evaluated).
    pub held: HashMap<ExternalId, String>,
}

/// Match the desired state against Condeco; the outcome and what the plan takes from it.
pub fn merge(
    eptura: &EpturaSnapshot,
    desired: &DesiredState,
    condeco: &CondecoSnapshot,
    mappings: &[Mapping],
    decisions: &[MergeDecision],
    config: &MatchConfig,
) -> (Outcome, MergeLinks) {
    let input = matcher_input(eptura, desired, condeco, mappings, decisions);
    let outcome = match_entities(&input, config);
    let links = links_of(&outcome);
    (outcome, links)
}

/// Whether the matcher has anything to decide: a Condeco entity of a matched level that no
/// mapping names (an initial sync into an empty Condeco, and a daily run after any sync, have
/// none), or a rejection to honour. Without, the merge is empty and is skipped: it would cost
/// a pass over the whole estate (seconds and 100+ MB at 100,000 spaces) to say nothing.
pub fn needs_matching(
    condeco: &CondecoSnapshot,
    mappings: &[Mapping],
    decisions: &[MergeDecision],
) -> bool {
    if decisions
        .iter()
        .any(|d| matches!(d.decision, crate::domain::Decision::Reject(_)))
    {
        return true;
    }
    let mapped: std::collections::HashSet<CondecoKey> =
        mappings.iter().map(|m| m.condeco).collect();
    let unmapped = |key: CondecoKey| !mapped.contains(&key);
    condeco
        .countries
        .iter()
        .any(|c| unmapped(CondecoKey::Country(c.id)))
        || condeco
            .regions
            .iter()
            .any(|r| unmapped(CondecoKey::Region(r.id)))
        || condeco.locations.iter().any(|l| {
            let location = l.id;
            unmapped(CondecoKey::Location(location))
                || l.floors.iter().any(|f| {
                    unmapped(CondecoKey::Floor(CondecoFloorKey {
                        location,
                        number: f.number,
                    }))
                })
        })
        || condeco
            .resources
            .iter()
            .any(|r| unmapped(CondecoKey::Resource(r.id)))
}

/// The links and holds of an outcome.
pub fn links_of(outcome: &Outcome) -> MergeLinks {
    let mut merge = MergeLinks::default();
    for item in &outcome.items {
        match (item.band, item.condeco_id) {
            (Band::Auto, Some(key)) => {
                merge.links.insert(item.eptura_id.clone(), key);
            }
            (Band::Review, _) => {
                merge
                    .held
                    .insert(item.eptura_id.clone(), review_reason(item));
            }
            (Band::NotEvaluated, _) => {
                let reason = "not evaluated: its Condeco candidates could not be read".into();
                merge.held.insert(item.eptura_id.clone(), reason);
            }
            _ => {}
        }
    }
    merge
}

fn review_reason(item: &crate::matcher::Item) -> String {
    let what = match (&item.condeco_id, &item.condeco_name) {
        (Some(key), Some(name)) => format!("proposed {key} ({name}), score {:.2}", item.score),
        (Some(key), None) => format!("proposed {key}"),
        _ => "no candidate left".to_string(),
    };
    let flags: Vec<&str> = item.flags.iter().map(|f| f.describe()).collect();
    let why = if flags.is_empty() {
        String::new()
    } else {
        format!("; {}", flags.join("; "))
    };
    format!("in the merge review ({what}{why}): decide with `spacebridge decide`, then it syncs")
}

/// A match now, as `spacebridge match` shows it: both services and the store read, nothing
/// written.
pub async fn preview(settings: &SyncSettings) -> Result<Outcome, SyncError> {
    let (view, decisions) = MergeView::read(settings).await?;
    Ok(view.outcome(&decisions, &settings.plan.matching))
}

/// What a merge review reads once and matches again after every decision (the TUI's Merge
/// screen): both snapshots, the desired state and the store's mappings. Matching again costs
/// the matcher's time only, no request.
#[derive(Debug, Clone, Default)]
pub struct MergeView {
    pub eptura: EpturaSnapshot,
    pub desired: DesiredState,
    pub condeco: CondecoSnapshot,
    pub mappings: Vec<Mapping>,
}

impl MergeView {
    /// Read both services and the store (nothing written); the view and the decisions stored.
    pub async fn read(
        settings: &SyncSettings,
    ) -> Result<(MergeView, Vec<MergeDecision>), SyncError> {
        let (mappings, decisions) = blocking(|| {
            let store = Store::open(&settings.store)?;
            let mut mappings = Vec::new();
            for kind in SyncKind::ALL {
                mappings.extend(store.mappings(kind)?.into_iter().map(|m| m.mapping));
            }
            Ok::<_, StoreError>((mappings, store.decisions()?))
        })?;
        let silent = EventSink::none();
        let quota = QuotaWait {
            max_wait: settings.apply.max_quota_wait,
            events: &silent,
        };
        let (eptura, condeco) = tokio::join!(
            EpturaSnapshot::read(&settings.eptura),
            CondecoSnapshot::read(&settings.condeco, quota)
        );
        let eptura = eptura?;
        let view = MergeView {
            desired: blocking(|| desired_state(&eptura)),
            eptura,
            condeco: condeco?,
            mappings,
        };
        Ok((view, decisions))
    }

    /// The match given these decisions.
    pub fn outcome(&self, decisions: &[MergeDecision], config: &MatchConfig) -> Outcome {
        let view = self;
        merge(
            &view.eptura,
            &view.desired,
            &view.condeco,
            &view.mappings,
            decisions,
            config,
        )
        .0
    }

    /// The bookings Condeco holds under each of its entities (a resource's own; a floor's,
    /// a location's, a region's and a country's added up from their resources): what a wrong
    /// link would move. Entities without bookings are left out.
    pub fn bookings(&self) -> HashMap<CondecoKey, u64> {
        let mut above: HashMap<CondecoKey, Vec<CondecoKey>> = HashMap::new();
        for entity in condeco_side(&self.condeco) {
            above.insert(entity.key, entity.ancestors);
        }
        let mut bookings: HashMap<CondecoKey, u64> = HashMap::new();
        for resource in &self.condeco.resources {
            let count = resource.booking_count.unwrap_or(0);
            if count == 0 {
                continue;
            }
            let key = CondecoKey::Resource(resource.id);
            let chain = above.get(&key).map(Vec::as_slice).unwrap_or_default();
            for holder in std::iter::once(&key).chain(chain) {
                *bookings.entry(*holder).or_default() += count;
            }
        }
        bookings
    }
}

/// The matcher's input: the Eptura side from the desired state (with the original names and
/// the building facts of the snapshot), the Condeco side from its snapshot.
pub fn matcher_input(
    eptura: &EpturaSnapshot,
    desired: &DesiredState,
    condeco: &CondecoSnapshot,
    mappings: &[Mapping],
    decisions: &[MergeDecision],
) -> Input {
    let matched = |kind: SyncKind| Level::of(kind).is_some();
    Input {
        eptura: eptura_side(eptura, desired),
        condeco: condeco_side(condeco),
        mapped: mappings
            .iter()
            .filter(|m| matched(m.kind()))
            .map(|m| (m.eptura.clone(), m.condeco))
            .collect(),
        decisions: decisions
            .iter()
            .filter(|d| matched(d.eptura.kind()))
            .map(|d| (d.eptura.clone(), d.decision))
            .collect(),
        unread: Vec::new(),
    }
}

fn eptura_side(eptura: &EpturaSnapshot, desired: &DesiredState) -> Vec<EpturaEntity> {
    let buildings: HashMap<EpturaBuildingId, &EpturaBuilding> =
        eptura.buildings.iter().map(|b| (b.id, b)).collect();
    let floors: HashMap<EpturaFloorId, &str> = eptura
        .floors
        .iter()
        .map(|f| (f.id, f.name.as_str()))
        .collect();
    let spaces: HashMap<EpturaSpaceId, &str> = eptura
        .spaces
        .iter()
        .map(|s| (s.id, s.name.as_str()))
        .collect();
    let states = region_states(desired, &buildings);
    let mut ancestors: HashMap<&ExternalId, Vec<ExternalId>> = HashMap::new();
    let mut out = Vec::new();
    for entity in &desired.entities {
        let Some(parent) = level_parent(entity) else {
            if matches!(entity.fields, Fields::Country { .. }) {
                ancestors.insert(&entity.key, Vec::new());
                out.push(eptura_entity(entity, Vec::new(), facts_of(entity)));
            }
            continue;
        };
        let mut chain = vec![parent.clone()];
        chain.extend(ancestors.get(parent).cloned().unwrap_or_default());
        let mut facts = facts_of(entity);
        match &entity.key {
            ExternalId::Region { .. } => facts.state = states.get(&entity.key).cloned(),
            ExternalId::Location(id) => {
                if let Some(building) = buildings.get(id) {
                    facts.name.clone_from(&building.name);
                    facts.code.clone_from(&building.code);
                }
            }
            ExternalId::Floor(id) => {
                if let Some(name) = floors.get(id) {
                    facts.name = (*name).to_string();
                }
                facts.floor_number = floor_number(&facts.name);
            }
            ExternalId::Resource(id) => {
                if let Some(name) = spaces.get(id) {
                    facts.name = (*name).to_string();
                }
            }
            _ => {}
        }
        ancestors.insert(&entity.key, chain.clone());
        out.push(eptura_entity(entity, chain, facts));
    }
    out
}

fn eptura_entity(entity: &Desired, ancestors: Vec<ExternalId>, facts: Facts) -> EpturaEntity {
    EpturaEntity {
        key: entity.key.clone(),
        ancestors,
        facts,
    }
}

/// The parent one level up among the matched levels (a resource's floor, a floor's location,
/// a location's region, a region's country); `None` for a country and for the kinds the
/// matcher leaves to the plan's rules (groups, workspace types).
fn level_parent(entity: &Desired) -> Option<&ExternalId> {
    match &entity.fields {
        Fields::Region { country, .. } => Some(country),
        Fields::Location { region, .. } => Some(region),
        Fields::Floor { location, .. } => Some(location),
        Fields::Resource { floor, .. } => Some(floor),
        Fields::Country { .. } | Fields::Group { .. } | Fields::WorkspaceType { .. } => None,
    }
}

/// The facts the desired fields give (names as the sync would send them).
fn facts_of(entity: &Desired) -> Facts {
    let mut facts = Facts {
        name: entity.fields.name().to_string(),
        ..Facts::default()
    };
    match &entity.fields {
        Fields::Country { country_code, .. } => facts.code = Some(country_code.clone()),
        Fields::Location {
            address,
            city,
            postal_code,
            ..
        } => {
            facts.street.clone_from(address);
            facts.city.clone_from(city);
            facts.postal_code.clone_from(postal_code);
        }
        Fields::Floor { number, .. } => facts.floor_number = Some(*number),
        Fields::Resource {
            resource_type,
            capacity,
            ..
        } => {
            facts.kind = space_kind(resource_type);
            facts.capacity = Some(*capacity);
        }
        _ => {}
    }
    facts
}

/// The state code of each region, from the first of its buildings that has one.
fn region_states(
    desired: &DesiredState,
    buildings: &HashMap<EpturaBuildingId, &EpturaBuilding>,
) -> HashMap<ExternalId, String> {
    let mut states = HashMap::new();
    for entity in &desired.entities {
        if let (ExternalId::Location(id), Fields::Location { region, .. }) =
            (&entity.key, &entity.fields)
            && let Some(state) = buildings.get(id).and_then(|b| b.state_code.clone())
        {
            states.entry(region.clone()).or_insert(state);
        }
    }
    states
}

fn space_kind(resource_type: &ResourceType) -> Option<SpaceKind> {
    match resource_type {
        ResourceType::MeetingSpace => Some(SpaceKind::Meeting),
        ResourceType::PersonalSpace => Some(SpaceKind::Personal),
        ResourceType::Other(_) => None,
    }
}

fn condeco_side(condeco: &CondecoSnapshot) -> Vec<CondecoEntity> {
    let entity = |key, ancestors, external_id: &Option<String>, facts| CondecoEntity {
        key,
        ancestors,
        external_id: external_id.clone(),
        facts,
    };
    let named = |name: &str| Facts {
        name: name.to_string(),
        ..Facts::default()
    };
    let mut out = Vec::new();
    let mut above: HashMap<CondecoKey, Vec<CondecoKey>> = HashMap::new();
    for c in &condeco.countries {
        let key = CondecoKey::Country(c.id);
        let facts = Facts {
            code: c.country_code.clone(),
            ..named(&c.name)
        };
        above.insert(key, vec![key]);
        out.push(entity(key, vec![], &c.external_id, facts));
    }
    let chain = |above: &HashMap<CondecoKey, Vec<CondecoKey>>, parent: Option<CondecoKey>| {
        parent
            .map(|p| above.get(&p).cloned().unwrap_or_else(|| vec![p]))
            .unwrap_or_default()
    };
    for r in &condeco.regions {
        let key = CondecoKey::Region(r.id);
        let parent = r.country_id.map(CondecoKey::Country);
        let ancestors = chain(&above, parent);
        above.insert(key, [vec![key], ancestors.clone()].concat());
        out.push(entity(key, ancestors, &r.external_id, named(&r.name)));
    }
    for l in &condeco.locations {
        let id = l.id;
        let key = CondecoKey::Location(id);
        let ancestors = chain(&above, l.region_id.map(CondecoKey::Region));
        above.insert(key, [vec![key], ancestors.clone()].concat());
        let facts = Facts {
            street: l.address.clone(),
            postal_code: l.postal_code.clone(),
            city: l.city.clone(),
            ..named(&l.name)
        };
        out.push(entity(key, ancestors, &l.external_id, facts));
        for f in &l.floors {
            let floor = CondecoKey::Floor(CondecoFloorKey {
                location: id,
                number: f.number,
            });
            let facts = Facts {
                floor_number: Some(f.number),
                ..named(f.name.as_deref().unwrap_or(""))
            };
            out.push(entity(
                floor,
                chain(&above, Some(key)),
                &f.external_id,
                facts,
            ));
        }
    }
    for r in &condeco.resources {
        out.push(entity(
            CondecoKey::Resource(r.id),
            resource_ancestors(r, &above),
            &r.external_id,
            Facts {
                capacity: r.capacity,
                kind: r.resource_type.as_ref().and_then(space_kind),
                ..named(&r.name)
            },
        ));
    }
    out
}

/// A resource's floor (whether or not its location lists it), location, region and country.
fn resource_ancestors(
    r: &CondecoResource,
    above: &HashMap<CondecoKey, Vec<CondecoKey>>,
) -> Vec<CondecoKey> {
    let Some(location) = r.location_id else {
        return Vec::new();
    };
    let location_key = CondecoKey::Location(location);
    let mut ancestors = above
        .get(&location_key)
        .cloned()
        .unwrap_or_else(|| vec![location_key]);
    if let Some(number) = r.floor_number {
        ancestors.insert(0, CondecoKey::Floor(CondecoFloorKey { location, number }));
    }
    ancestors
}
