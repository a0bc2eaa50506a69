//! `plan`: the exact Condeco writes a sync would make, as a pure function of the desired state
//! (Eptura through the mapping rules), the Condeco snapshot and the mappings of the store.
//!
//! Per entity: mapped and its fingerprint unchanged → unchanged (no write, which is why a
//! daily run with no changes makes zero writes); mapped and changed → update; not mapped but
//! the merge matched it to a Condeco entity ([`MergeLinks`]), or a Condeco entity already
//! carries its external id (a create whose answer was lost, a crashed run) or is the same
//! thing by a rule (a country by ISO code, a default group, a region by name in its country, a
//! floor by number, a workspace type by name and period) → link; held by the merge (in review,
//! not evaluated, or under a held parent) → neither linked nor created, listed with the reason
//! among the skipped; otherwise create. Destructive changes (a mapped location, floor or resource no longer
//! wanted; a location whose country or city changed; a resource switched between ME and WE or
//! moved to another building) are held with the bookings they would lose unless approved, and
//! approved ones past the deletion cap stop the plan. Condeco entities the sync has no mapping
//! for are never touched.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::domain::ids::{
    CondecoCountryId, CondecoFloorKey, CondecoGroupId, CondecoLocationId, CondecoRegionId,
    CondecoResourceId, CondecoWorkspaceTypeId,
};
use crate::domain::names::normalise;
use crate::domain::remote::{CondecoLocation, CondecoResource};
use crate::domain::{CondecoKey, ExternalId, SyncKind};
use crate::matcher::MatchConfig;
use crate::store::{Drift, DriftChange, Fingerprint, FingerprintError, Mapping, OpCounts};

use super::desired::{Desired, DesiredState, Fields, Flag, Skipped};
use super::merge::MergeLinks;
use super::snapshot::CondecoSnapshot;

/// What the operator allows.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// The merge matcher's thresholds (which Eptura entities link to existing Condeco ones).
    pub matching: MatchConfig,
    /// Approve every destructive op (`--allow-destructive`).
    pub allow_destructive: bool,
    /// Approve these held ops by their hold id (the TUI's one-by-one approval).
    pub approved: BTreeSet<String>,
    /// The most of the mapped resources approved ops may delete, as a share (default 5 %).
    pub deletion_cap: f64,
    /// Plan only these entities and those under them (`sync --retry-rejected`); the rest of
    /// the plan's ops wait for the next full run.
    pub only: Option<BTreeSet<ExternalId>>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            matching: MatchConfig::default(),
            allow_destructive: false,
            approved: BTreeSet::new(),
            deletion_cap: 0.05,
            only: None,
        }
    }
}

/// What an op does to Condeco.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    /// Adopt an existing Condeco entity: write the external id and the synced fields when they
    /// differ (`write`), then the mapping.
    Link {
        write: bool,
    },
    Delete,
    /// Delete the Condeco entity (and its bookings) and create it again.
    Recreate,
}

/// Why a destructive op waits for the operator, and what it would cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    /// Approving this id approves the op and every op held with it (a location's children).
    pub id: String,
    pub reason: String,
    /// Bookings the op would delete (`bookingCount`).
    pub bookings: u64,
    /// Resources the op would delete.
    pub resources: u64,
    pub approved: bool,
}

/// One Condeco write (or a link without one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Op {
    pub kind: SyncKind,
    pub action: Action,
    #[serde(rename = "eptura_id")]
    pub key: ExternalId,
    /// The Condeco entity it acts on, when one exists.
    #[serde(rename = "condeco_id")]
    pub condeco: Option<CondecoKey>,
    /// What to write (none for a delete).
    pub fields: Option<Fields>,
    #[serde(skip)]
    pub fingerprint: Option<Fingerprint>,
    pub hold: Option<Hold>,
}

impl Op {
    /// Held and not approved: not run.
    pub fn is_held(&self) -> bool {
        self.hold.as_ref().is_some_and(|h| !h.approved)
    }

    pub fn label(&self) -> String {
        match &self.fields {
            Some(fields) => format!("{} {} ({})", self.kind, self.key, fields.name()),
            None => format!("{} {}", self.kind, self.key),
        }
    }
}

/// The plan: ops in level order (deletes last, children first), what stays, what is skipped.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    pub ops: Vec<Op>,
    pub unchanged: BTreeMap<SyncKind, u64>,
    pub skipped: Vec<Skipped>,
    pub flags: Vec<Flag>,
    /// Mappings whose Condeco entity is gone and which are no longer wanted: forgotten, no write.
    pub stale: Vec<ExternalId>,
    /// Mapped resources before this plan (the base of the deletion cap).
    pub mapped_resources: u64,
    /// Ids the operator gave to approve that name no held op of this plan (a typo, a stale
    /// plan): they approve nothing, and the report says so.
    pub unmatched_approvals: Vec<String>,
    /// Mapped entities changed or deleted in Condeco directly: a change of synced fields is
    /// put back by an update, a deleted entity still wanted is created again (both planned
    /// ops, shown before they run).
    pub drift: Vec<Drift>,
}

/// Count `op` as done (a recreate is a delete and a create).
pub fn count_op(counts: &mut OpCounts, op: &Op) {
    let bump = |map: &mut BTreeMap<SyncKind, u64>| *map.entry(op.kind).or_default() += 1;
    match op.action {
        Action::Create => bump(&mut counts.create),
        Action::Update => bump(&mut counts.update),
        Action::Link { .. } => bump(&mut counts.link),
        Action::Delete => bump(&mut counts.delete),
        Action::Recreate => {
            bump(&mut counts.delete);
            bump(&mut counts.create);
        }
    }
}

impl Plan {
    /// The counts this plan would make if every op not held ran.
    pub fn counts(&self) -> OpCounts {
        let mut counts = OpCounts {
            unchanged: self.unchanged.clone(),
            ..OpCounts::default()
        };
        for op in self.runnable() {
            count_op(&mut counts, op);
        }
        counts
    }

    /// Those of `ids` that are the hold id of no destructive op of this plan.
    pub fn unmatched(&self, ids: &BTreeSet<String>) -> Vec<String> {
        let held: BTreeSet<&str> = self
            .destructive()
            .filter_map(|op| op.hold.as_ref().map(|h| h.id.as_str()))
            .collect();
        ids.iter()
            .filter(|id| !held.contains(id.as_str()))
            .cloned()
            .collect()
    }

    /// The destructive ops, approved or not.
    pub fn destructive(&self) -> impl Iterator<Item = &Op> {
        self.ops.iter().filter(|op| op.hold.is_some())
    }

    /// Ops not held, in the order they must run.
    pub fn runnable(&self) -> impl Iterator<Item = &Op> {
        self.ops.iter().filter(|op| !op.is_held())
    }
}

/// Why no plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(
        "the approved changes would delete {deleting} of the {mapped} mapped resources \
         ({share:.1} %, more than the {cap:.1} % cap): approve fewer, or raise the cap with \
         --deletion-cap if this is really meant"
    )]
    DeletionCap {
        deleting: u64,
        mapped: u64,
        share: f64,
        cap: f64,
    },
    #[error(transparent)]
    Fingerprint(#[from] FingerprintError),
}

/// Plan the sync of `desired` into Condeco as `condeco` holds it, given the store's mappings.
pub fn plan(
    desired: &DesiredState,
    condeco: &CondecoSnapshot,
    mappings: &[Mapping],
    merge: &MergeLinks,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let index = CondecoIndex::new(condeco);
    let mut planner = Planner {
        index: &index,
        merge,
        held: HashSet::new(),
        mapped: mappings.iter().map(|m| (m.eptura.clone(), m)).collect(),
        resolved: HashMap::new(),
        recreated_locations: BTreeMap::new(),
        plan: Plan {
            skipped: desired.skipped.clone(),
            flags: desired.flags.clone(),
            mapped_resources: mappings
                .iter()
                .filter(|m| m.kind() == SyncKind::Resource)
                .count() as u64,
            ..Plan::default()
        },
    };
    for entity in &desired.entities {
        planner.entity(entity)?;
    }
    planner.deletes(desired, mappings);
    let mut plan = planner.plan;
    if let Some(only) = &options.only {
        keep_only(&mut plan, only);
    }
    approve(&mut plan, options);
    check_cap(&plan, options)?;
    Ok(plan)
}

/// Keep the ops of `only` and of the entities under them (ops come parents first).
fn keep_only(plan: &mut Plan, only: &BTreeSet<ExternalId>) {
    let mut kept: BTreeSet<ExternalId> = only.clone();
    plan.ops.retain(|op| {
        let under_kept = op
            .fields
            .as_ref()
            .is_some_and(|f| f.parents().into_iter().any(|p| kept.contains(p)));
        let keep = kept.contains(&op.key) || under_kept;
        if keep {
            kept.insert(op.key.clone());
        }
        keep
    });
}

/// Mark held ops approved by the flag or by their hold id; note the ids that name none.
fn approve(plan: &mut Plan, options: &PlanOptions) {
    for op in &mut plan.ops {
        if let Some(hold) = op.hold.as_mut() {
            hold.approved = options.allow_destructive || options.approved.contains(&hold.id);
        }
    }
    plan.unmatched_approvals = plan.unmatched(&options.approved);
}

/// The plan with the held ops of `ids` approved as well (approvals that came while the run
/// ran), still under the deletion cap; `None` when none of them was held.
pub fn approve_late(
    plan: &Plan,
    ids: &BTreeSet<String>,
    options: &PlanOptions,
) -> Result<Option<Plan>, PlanError> {
    let mut late = plan.clone();
    let mut any = false;
    for op in &mut late.ops {
        if let Some(hold) = op.hold.as_mut()
            && !hold.approved
            && ids.contains(&hold.id)
        {
            hold.approved = true;
            any = true;
        }
    }
    if !any {
        return Ok(None);
    }
    check_cap(&late, options)?;
    Ok(Some(late))
}

fn check_cap(plan: &Plan, options: &PlanOptions) -> Result<(), PlanError> {
    let deleting: u64 = plan
        .destructive()
        .filter(|op| !op.is_held())
        .map(|op| op.hold.as_ref().map_or(0, |h| h.resources))
        .sum();
    let mapped = plan.mapped_resources;
    if deleting == 0 || mapped == 0 {
        return Ok(());
    }
    let share = deleting as f64 / mapped as f64;
    if share > options.deletion_cap {
        return Err(PlanError::DeletionCap {
            deleting,
            mapped,
            share: share * 100.0,
            cap: options.deletion_cap * 100.0,
        });
    }
    Ok(())
}

struct Planner<'a> {
    index: &'a CondecoIndex<'a>,
    merge: &'a MergeLinks,
    /// Held by the merge: neither linked nor created (nor their children).
    held: HashSet<ExternalId>,
    mapped: HashMap<ExternalId, &'a Mapping>,
    /// The Condeco entity each planned key has or will have (known only for existing ones).
    resolved: HashMap<ExternalId, CondecoKey>,
    /// Locations planned for recreation: their hold, which their children share.
    recreated_locations: BTreeMap<ExternalId, Hold>,
    plan: Plan,
}

impl Planner<'_> {
    fn entity(&mut self, desired: &Desired) -> Result<(), PlanError> {
        if let Some(reason) = self.merge_hold(desired) {
            self.held.insert(desired.key.clone());
            self.plan.skipped.push(Skipped {
                kind: desired.kind(),
                what: format!(
                    "{} {} ({})",
                    desired.kind(),
                    desired.key,
                    desired.fields.name()
                ),
                reason,
            });
            return Ok(());
        }
        let fingerprint = Fingerprint::of(&desired.fields)?;
        let existing = self.existing(desired);
        let op = match existing {
            Some((key, true)) => self.mapped_op(desired, key, &fingerprint),
            Some((key, false)) => Some(self.link(desired, key)),
            None => Some(self.create(desired)),
        };
        match op {
            None => *self.plan.unchanged.entry(desired.kind()).or_default() += 1,
            Some(mut op) => {
                op.fingerprint = Some(fingerprint);
                self.plan.ops.push(op);
            }
        }
        Ok(())
    }

    /// Why the merge holds this entity back, if it does: in review or not evaluated, a parent
    /// held, or linked to a Condeco floor of another number than its name gives.
    fn merge_hold(&self, desired: &Desired) -> Option<String> {
        if let Some(reason) = self.merge.held.get(&desired.key) {
            return Some(reason.clone());
        }
        if let Some(parent) = desired
            .fields
            .parents()
            .into_iter()
            .find(|p| self.held.contains(*p))
        {
            return Some(format!(
                "its {} {parent} is held by the merge review",
                parent.kind()
            ));
        }
        match (&desired.fields, self.merge.links.get(&desired.key)) {
            (Fields::Floor { number, .. }, Some(CondecoKey::Floor(floor)))
                if floor.number != *number && !self.mapped.contains_key(&desired.key) =>
            {
                Some(format!(
                    "matched to floor {} of its Condeco location, but its name gives number \
                     {number}: put the number in the floor's name in Eptura Workplace, or \
                     decide it is new",
                    floor.number
                ))
            }
            _ => None,
        }
    }

    /// The Condeco entity this desired one is, and whether a mapping says so (else a link).
    fn existing(&mut self, desired: &Desired) -> Option<(CondecoKey, bool)> {
        if let Some(mapping) = self.mapped.get(&desired.key) {
            if self.index.exists(&mapping.condeco) {
                self.resolved.insert(desired.key.clone(), mapping.condeco);
                return Some((mapping.condeco, true));
            }
            self.plan.drift.push(Drift {
                kind: desired.kind(),
                condeco: mapping.condeco,
                eptura: desired.key.clone(),
                change: DriftChange::Deleted,
                fields: Vec::new(),
            });
        }
        if let Some(&matched) = self.merge.links.get(&desired.key)
            && self.index.exists(&matched)
        {
            self.resolved.insert(desired.key.clone(), matched);
            return Some((matched, false));
        }
        let found = self
            .index
            .by_external_id(&desired.key)
            .or_else(|| self.same_by_rule(desired))?;
        self.resolved.insert(desired.key.clone(), found);
        Some((found, false))
    }

    /// A Condeco entity that is the same thing by a rule, not yet mapped to anything.
    fn same_by_rule(&self, desired: &Desired) -> Option<CondecoKey> {
        let parent = |key: &ExternalId| self.resolved.get(key).copied();
        let found = match &desired.fields {
            Fields::Country { country_code, .. } => self.index.country_by_code(country_code),
            Fields::Group { country, .. } => match parent(country)? {
                CondecoKey::Country(id) => self.index.default_group(id),
                _ => None,
            },
            Fields::Region { name, country } => match parent(country)? {
                CondecoKey::Country(id) => self.index.region_by_name(id, name),
                _ => None,
            },
            Fields::Floor {
                location, number, ..
            } => match parent(location)? {
                CondecoKey::Location(id) => self.index.floor(id, *number),
                _ => None,
            },
            Fields::WorkspaceType {
                name,
                booking_period,
            } => self.index.workspace_type_by_name(name, booking_period),
            Fields::Location { .. } | Fields::Resource { .. } => None,
        }?;
        let taken = self.index.external_id(&found).is_some();
        (!taken).then_some(found)
    }

    /// A mapped entity: unchanged, updated, or recreated when the change cannot be an update.
    fn mapped_op(
        &mut self,
        desired: &Desired,
        condeco: CondecoKey,
        fingerprint: &Fingerprint,
    ) -> Option<Op> {
        if let Some(hold) = self.destructive_change(desired, condeco) {
            return Some(self.op(desired, Action::Recreate, Some(condeco), Some(hold)));
        }
        let unchanged = self
            .mapped
            .get(&desired.key)
            .is_some_and(|m| &m.fingerprint == fingerprint);
        if !unchanged {
            return Some(self.op(desired, Action::Update, Some(condeco), None));
        }
        // What the sync last wrote is what it wants now: any difference was made in Condeco.
        let drifted = self.index.differences(&condeco, desired);
        if drifted.is_empty() {
            return None;
        }
        self.plan.drift.push(Drift {
            kind: desired.kind(),
            condeco,
            eptura: desired.key.clone(),
            change: DriftChange::Changed,
            fields: drifted.into_iter().map(String::from).collect(),
        });
        Some(self.op(desired, Action::Update, Some(condeco), None))
    }

    fn link(&mut self, desired: &Desired, condeco: CondecoKey) -> Op {
        let write = !self.index.agrees(&condeco, desired);
        self.op(desired, Action::Link { write }, Some(condeco), None)
    }

    fn create(&mut self, desired: &Desired) -> Op {
        self.op(desired, Action::Create, None, None)
    }

    fn op(
        &self,
        desired: &Desired,
        action: Action,
        condeco: Option<CondecoKey>,
        hold: Option<Hold>,
    ) -> Op {
        Op {
            kind: desired.kind(),
            action,
            key: desired.key.clone(),
            condeco,
            fields: Some(desired.fields.clone()),
            fingerprint: None,
            hold,
        }
    }

    /// A change Condeco cannot take as an update, with what recreating would cost.
    fn destructive_change(&mut self, desired: &Desired, condeco: CondecoKey) -> Option<Hold> {
        match (&desired.fields, condeco) {
            (Fields::Location { region, .. }, CondecoKey::Location(id)) => {
                let current = self.index.locations.get(&id)?;
                let wanted = self.resolved.get(region).copied();
                let now = current.region_id.map(CondecoKey::Region);
                if wanted.is_some() && wanted == now {
                    return None;
                }
                let hold = Hold {
                    id: desired.key_label(),
                    reason: "its country or city changed: the location is deleted with its \
                             floors, resources and bookings, and created again"
                        .into(),
                    bookings: self.index.location_bookings(id),
                    resources: self.index.location_resources(id),
                    approved: false,
                };
                self.recreated_locations
                    .insert(desired.key.clone(), hold.clone());
                Some(hold)
            }
            (Fields::Floor { location, .. }, _) => self.child_of_recreated(location),
            (
                Fields::Resource {
                    resource_type,
                    location,
                    ..
                },
                CondecoKey::Resource(id),
            ) => {
                if let Some(hold) = self.child_of_recreated(location) {
                    return Some(hold);
                }
                let current = self.index.resources.get(&id)?;
                let switched = current.resource_type.as_ref() != Some(resource_type);
                let wanted = self.resolved.get(location).copied();
                let now = current.location_id.map(CondecoKey::Location);
                let moved = wanted.is_some() && wanted != now;
                let reason = match (switched, moved) {
                    (true, _) => {
                        "switched between ME and WE: Condeco cannot change a \
                                  resource's type, so it is deleted with its bookings and \
                                  created again"
                    }
                    (false, true) => {
                        "moved to another building: deleted with its bookings \
                                      and created again there"
                    }
                    (false, false) => return None,
                };
                Some(Hold {
                    id: desired.key_label(),
                    reason: reason.into(),
                    bookings: current.booking_count.unwrap_or(0),
                    resources: 1,
                    approved: false,
                })
            }
            _ => None,
        }
    }

    /// A child of a location being recreated goes with it (its cost is counted there).
    fn child_of_recreated(&self, location: &ExternalId) -> Option<Hold> {
        let parent = self.recreated_locations.get(location)?;
        Some(Hold {
            reason: format!("its location is recreated ({})", parent.reason),
            bookings: 0,
            resources: 0,
            ..parent.clone()
        })
    }

    /// Mapped locations, floors and resources no longer wanted: held deletes, children first.
    fn deletes(&mut self, desired: &DesiredState, mappings: &[Mapping]) {
        let wanted: BTreeSet<&ExternalId> = desired.entities.iter().map(|d| &d.key).collect();
        let unwanted: Vec<&Mapping> = mappings
            .iter()
            .filter(|m| !wanted.contains(&m.eptura))
            .collect();
        // A location deleted takes its floors and resources along: they are held with it.
        let mut deleted_locations = HashMap::new();
        for mapping in &unwanted {
            if let CondecoKey::Location(id) = mapping.condeco
                && self.index.exists(&mapping.condeco)
            {
                deleted_locations.insert(id, format!("{}:{}", mapping.kind(), mapping.eptura));
            }
        }
        let mut deletes = Vec::new();
        for mapping in unwanted {
            if !self.index.exists(&mapping.condeco) {
                self.plan.stale.push(mapping.eptura.clone());
                continue;
            }
            let parent = self
                .index
                .location_of(&mapping.condeco)
                .and_then(|l| deleted_locations.get(&l));
            let hold = match parent {
                Some(parent) if mapping.kind() != SyncKind::Location => Some(Hold {
                    id: parent.clone(),
                    reason: "its location is deleted".into(),
                    bookings: 0,
                    resources: 0,
                    approved: false,
                }),
                _ => self.index.delete_hold(mapping),
            };
            if let Some(hold) = hold {
                deletes.push(Op {
                    kind: mapping.kind(),
                    action: Action::Delete,
                    key: mapping.eptura.clone(),
                    condeco: Some(mapping.condeco),
                    fields: None,
                    fingerprint: None,
                    hold: Some(hold),
                });
            }
        }
        deletes.sort_by_key(|op| std::cmp::Reverse(op.kind));
        self.plan.ops.extend(deletes);
    }
}

impl Desired {
    /// "resource:123": the id a hold is approved by.
    fn key_label(&self) -> String {
        format!("{}:{}", self.kind(), self.key)
    }
}

/// Condeco's entities by key and by external id, with booking counts per location and floor.
struct CondecoIndex<'a> {
    countries: HashMap<CondecoCountryId, &'a crate::domain::remote::CondecoCountry>,
    groups: HashMap<CondecoGroupId, &'a crate::domain::remote::CondecoGroup>,
    regions: HashMap<CondecoRegionId, &'a crate::domain::remote::CondecoRegion>,
    locations: HashMap<CondecoLocationId, &'a CondecoLocation>,
    workspace_types:
        HashMap<CondecoWorkspaceTypeId, &'a crate::domain::remote::CondecoWorkspaceType>,
    resources: HashMap<CondecoResourceId, &'a CondecoResource>,
    by_external: HashMap<(SyncKind, &'a str), CondecoKey>,
    /// (location, floor) → (resources, bookings).
    per_floor: HashMap<CondecoFloorKey, (u64, u64)>,
}

impl<'a> CondecoIndex<'a> {
    fn new(s: &'a CondecoSnapshot) -> Self {
        let mut index = CondecoIndex {
            countries: s.countries.iter().map(|c| (c.id, c)).collect(),
            groups: s.groups.iter().map(|g| (g.id, g)).collect(),
            regions: s.regions.iter().map(|r| (r.id, r)).collect(),
            locations: s.locations.iter().map(|l| (l.id, l)).collect(),
            workspace_types: s.workspace_types.iter().map(|t| (t.id, t)).collect(),
            resources: s.resources.iter().map(|r| (r.id, r)).collect(),
            by_external: HashMap::new(),
            per_floor: HashMap::new(),
        };
        index.index_external_ids(s);
        for resource in &s.resources {
            if let (Some(location), Some(number)) = (resource.location_id, resource.floor_number) {
                let key = CondecoFloorKey { location, number };
                let entry = index.per_floor.entry(key).or_default();
                entry.0 += 1;
                entry.1 += resource.booking_count.unwrap_or(0);
            }
        }
        index
    }

    fn index_external_ids(&mut self, s: &'a CondecoSnapshot) {
        let mut add = |kind, external: &'a Option<String>, key: CondecoKey| {
            if let Some(text) = external.as_deref().filter(|t| !t.is_empty()) {
                self.by_external.entry((kind, text)).or_insert(key);
            }
        };
        for c in &s.countries {
            add(SyncKind::Country, &c.external_id, CondecoKey::Country(c.id));
        }
        for g in &s.groups {
            add(SyncKind::Group, &g.external_id, CondecoKey::Group(g.id));
        }
        for r in &s.regions {
            add(SyncKind::Region, &r.external_id, CondecoKey::Region(r.id));
        }
        for l in &s.locations {
            add(
                SyncKind::Location,
                &l.external_id,
                CondecoKey::Location(l.id),
            );
            for f in &l.floors {
                let key = CondecoFloorKey {
                    location: l.id,
                    number: f.number,
                };
                add(SyncKind::Floor, &f.external_id, CondecoKey::Floor(key));
            }
        }
        for t in &s.workspace_types {
            add(
                SyncKind::WorkspaceType,
                &t.external_id,
                CondecoKey::WorkspaceType(t.id),
            );
        }
        for r in &s.resources {
            add(
                SyncKind::Resource,
                &r.external_id,
                CondecoKey::Resource(r.id),
            );
        }
    }

    fn exists(&self, key: &CondecoKey) -> bool {
        match key {
            CondecoKey::Country(id) => self.countries.contains_key(id),
            CondecoKey::Group(id) => self.groups.contains_key(id),
            CondecoKey::Region(id) => self.regions.contains_key(id),
            CondecoKey::Location(id) => self.locations.contains_key(id),
            CondecoKey::Floor(key) => self.floor(key.location, key.number).is_some(),
            CondecoKey::WorkspaceType(id) => self.workspace_types.contains_key(id),
            CondecoKey::Resource(id) => self.resources.contains_key(id),
        }
    }

    fn by_external_id(&self, key: &ExternalId) -> Option<CondecoKey> {
        self.by_external
            .get(&(key.kind(), key.to_string().as_str()))
            .copied()
    }

    /// The external id the Condeco entity carries, if any.
    fn external_id(&self, key: &CondecoKey) -> Option<&str> {
        let text = match key {
            CondecoKey::Country(id) => self.countries.get(id)?.external_id.as_deref(),
            CondecoKey::Group(id) => self.groups.get(id)?.external_id.as_deref(),
            CondecoKey::Region(id) => self.regions.get(id)?.external_id.as_deref(),
            CondecoKey::Location(id) => self.locations.get(id)?.external_id.as_deref(),
            CondecoKey::Floor(key) => {
                let location = self.locations.get(&key.location)?;
                let floor = location.floors.iter().find(|f| f.number == key.number)?;
                floor.external_id.as_deref()
            }
            CondecoKey::WorkspaceType(id) => self.workspace_types.get(id)?.external_id.as_deref(),
            CondecoKey::Resource(id) => self.resources.get(id)?.external_id.as_deref(),
        };
        text.filter(|t| !t.is_empty())
    }

    fn country_by_code(&self, code: &str) -> Option<CondecoKey> {
        self.countries
            .values()
            .filter(|c| c.country_code.as_deref() == Some(code))
            .min_by_key(|c| c.id)
            .map(|c| CondecoKey::Country(c.id))
    }

    fn default_group(&self, country: CondecoCountryId) -> Option<CondecoKey> {
        self.groups
            .values()
            .filter(|g| g.is_default && g.country_id == Some(country))
            .min_by_key(|g| g.id)
            .map(|g| CondecoKey::Group(g.id))
    }

    fn region_by_name(&self, country: CondecoCountryId, name: &str) -> Option<CondecoKey> {
        let wanted = normalise(name);
        self.regions
            .values()
            .filter(|r| r.country_id == Some(country))
            .filter(|r| normalise(&r.name) == wanted)
            .min_by_key(|r| r.id)
            .map(|r| CondecoKey::Region(r.id))
    }

    fn floor(&self, location: CondecoLocationId, number: i32) -> Option<CondecoKey> {
        let found = self.locations.get(&location)?;
        found
            .floors
            .iter()
            .any(|f| f.number == number)
            .then_some(CondecoKey::Floor(CondecoFloorKey { location, number }))
    }

    fn workspace_type_by_name(
        &self,
        name: &str,
        period: &crate::domain::remote::BookingPeriod,
    ) -> Option<CondecoKey> {
        let wanted = normalise(name);
        self.workspace_types
            .values()
            .filter(|t| normalise(&t.name) == wanted && t.booking_period.as_ref() == Some(period))
            .min_by_key(|t| t.id)
            .map(|t| CondecoKey::WorkspaceType(t.id))
    }

    /// Whether an entity to be linked already holds the synced fields and this external id
    /// (then linking needs no write). Parents are compared by what they are linked to.
    fn agrees(&self, key: &CondecoKey, desired: &Desired) -> bool {
        self.differences(key, desired).is_empty()
    }

    /// The synced fields (Condeco's names) in which the entity differs from `desired`, its
    /// external id included.
    fn differences(&self, key: &CondecoKey, desired: &Desired) -> Vec<&'static str> {
        let mut differ = Vec::new();
        let mut check = |same: bool, field: &'static str| {
            if !same {
                differ.push(field);
            }
        };
        check(
            self.external_id(key) == Some(desired.key.to_string().as_str()),
            "externalId",
        );
        match (key, &desired.fields) {
            (
                CondecoKey::Resource(id),
                Fields::Resource {
                    name,
                    resource_type,
                    capacity,
                    floor_number,
                    ..
                },
            ) => {
                if let Some(r) = self.resources.get(id) {
                    check(&r.name == name, "name");
                    check(
                        r.resource_type.as_ref() == Some(resource_type),
                        "resourceType",
                    );
                    check(r.capacity == Some(*capacity), "capacity");
                    check(r.floor_number == Some(*floor_number), "floorNumber");
                }
            }
            (CondecoKey::Location(id), Fields::Location { name, .. }) => {
                check(
                    self.locations.get(id).is_some_and(|l| &l.name == name),
                    "name",
                );
            }
            (CondecoKey::Floor(floor), Fields::Floor { name, .. }) => check(
                self.locations
                    .get(&floor.location)
                    .and_then(|l| l.floors.iter().find(|f| f.number == floor.number))
                    .is_some_and(|f| f.name.as_deref() == Some(name.as_str())),
                "name",
            ),
            (_, fields) => check(self.name_of(key) == Some(fields.name()), "name"),
        }
        differ
    }

    fn name_of(&self, key: &CondecoKey) -> Option<&str> {
        Some(match key {
            CondecoKey::Country(id) => &self.countries.get(id)?.name,
            CondecoKey::Group(id) => &self.groups.get(id)?.name,
            CondecoKey::Region(id) => &self.regions.get(id)?.name,
            CondecoKey::WorkspaceType(id) => &self.workspace_types.get(id)?.name,
            _ => return None,
        })
    }

    /// The location a floor or resource is on.
    fn location_of(&self, key: &CondecoKey) -> Option<CondecoLocationId> {
        match key {
            CondecoKey::Floor(floor) => Some(floor.location),
            CondecoKey::Resource(id) => self.resources.get(id)?.location_id,
            _ => None,
        }
    }

    fn location_bookings(&self, id: CondecoLocationId) -> u64 {
        self.per_floor
            .iter()
            .filter(|(k, _)| k.location == id)
            .map(|(_, (_, bookings))| bookings)
            .sum()
    }

    fn location_resources(&self, id: CondecoLocationId) -> u64 {
        self.per_floor
            .iter()
            .filter(|(k, _)| k.location == id)
            .map(|(_, (resources, _))| resources)
            .sum()
    }

    /// The hold of deleting a mapped entity no longer wanted (only locations, floors and
    /// resources are deleted; countries, groups, regions and workspace types are left).
    fn delete_hold(&self, mapping: &Mapping) -> Option<Hold> {
        let id = format!("{}:{}", mapping.kind(), mapping.eptura);
        let (reason, bookings, resources) = match mapping.condeco {
            CondecoKey::Location(location) => (
                "the building no longer syncs (deleted, or without a reservation center)",
                self.location_bookings(location),
                self.location_resources(location),
            ),
            CondecoKey::Floor(floor) => {
                let (resources, bookings) = self.per_floor.get(&floor).copied().unwrap_or_default();
                (
                    "the floor no longer syncs (deleted in Eptura)",
                    bookings,
                    resources,
                )
            }
            CondecoKey::Resource(resource) => (
                "the space no longer syncs (deleted, not reservable, or of a type that is \
                 neither ME nor WE)",
                self.resources.get(&resource)?.booking_count.unwrap_or(0),
                1,
            ),
            _ => return None,
        };
        Some(Hold {
            id,
            reason: reason.into(),
            bookings,
            resources,
            approved: false,
        })
    }
}
