//! `apply`: runs a [`Plan`] against Condeco. Levels in order (countries and groups, regions,
//! locations, floors, workspace types, resources), ops within a level concurrently, then the
//! approved deletes, children first. Before each create its intent is written to the store;
//! after it, the mapping, in the same transaction that closes the intent. A create whose answer
//! was lost (or answered 5xx) is settled by looking the entity up by `externalId`: adopted if
//! it exists, created again if not. A rejected entity (400/409) is recorded with Condeco's
//! message and its children are skipped; the run goes on. The daily quota (403) pauses the run
//! until it renews, or ends it as resumable when that is later than allowed. Cancel and pause
//! act between ops, never inside one, so no write is left without its mapping.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::condeco::{
    CondecoClient, CondecoError, CountryDraft, Filter, FloorDraft, GroupDraft, LocationDraft,
    RegionDraft, ResourceDraft, WorkspaceTypeDraft,
};
use crate::domain::ids::{CondecoFloorKey, CondecoLocationId};
use crate::domain::{CondecoKey, ExternalId, SyncKind};
use crate::store::{Mapping, OpCounts, RunId, Store, StoreError, WriteOp};

use super::desired::Fields;
use super::events::{Event, EventSink};
pub use super::levels::Control;
use super::levels::{Halt, run_level};
use super::plan::{Action, Op, Plan, PlanOptions, approve_late, count_op};
use super::quota::QuotaWait;

/// How an apply behaves.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Ops in flight at once within a level (the HTTP layer's AIMD limit still applies).
    pub concurrency: usize,
    /// The longest the run waits for Condeco's daily quota to renew before it ends resumable.
    pub max_quota_wait: Duration,
    /// Rounds of look-up-then-create for a create whose answer keeps getting lost.
    pub lost_answer_rounds: u32,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            concurrency: 32,
            max_quota_wait: Duration::from_secs(15 * 60),
            lost_answer_rounds: 5,
        }
    }
}

/// An entity Condeco refused, with its message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejected {
    pub kind: SyncKind,
    pub eptura_id: String,
    pub status: u16,
    pub message: String,
}

/// How an apply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every op ran (some may have been rejected).
    Finished,
    Cancelled,
    /// Stopped by the quota, a connection failure or the store: run again to resume.
    Interrupted,
}

/// What an apply did.
#[derive(Debug, Clone)]
pub struct Applied {
    pub ending: Ending,
    /// Why it was interrupted.
    pub reason: Option<String>,
    pub counts: OpCounts,
    pub rejected: Vec<Rejected>,
    pub skipped: Vec<(ExternalId, String)>,
    pub bookings_deleted: u64,
}

/// Why an op could not finish and the run must stop.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{doing}: {source}")]
    Condeco {
        doing: String,
        #[source]
        source: CondecoError,
    },
    #[error("a parent of {0} has no Condeco id after its level ran")]
    Unresolved(String),
}

/// What one op came to.
enum Outcome {
    Done {
        condeco: Option<CondecoKey>,
        bookings_deleted: u64,
    },
    Rejected(Rejected),
    Skipped(String),
}

/// The shared state of one apply.
struct Applier<'a> {
    condeco: &'a CondecoClient,
    store: &'a Mutex<Store>,
    run: RunId,
    events: &'a EventSink,
    control: &'a Control,
    options: &'a ApplyOptions,
}

/// Where a run writes: Condeco, and the store recording it under the run's id.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    pub condeco: &'a CondecoClient,
    pub store: &'a Mutex<Store>,
    pub run: RunId,
}

/// Run the ops of `plan` that are not held.
pub async fn apply(
    plan: &Plan,
    Target {
        condeco,
        store,
        run,
    }: Target<'_>,
    events: &EventSink,
    control: &Control,
    options: &ApplyOptions,
    plan_options: &PlanOptions,
) -> Result<Applied, ApplyError> {
    // A fatal error stops this apply's new ops without cancelling the caller's token.
    let control = control.child();
    let applier = Applier {
        condeco,
        store,
        run,
        events,
        control: &control,
        options,
    };
    applier.forget_stale(plan)?;
    let mut resolved = applier.mapped()?;
    let mut failed: HashSet<ExternalId> = HashSet::new();
    let mut applied = Applied {
        ending: Ending::Finished,
        reason: None,
        counts: OpCounts {
            unchanged: plan.unchanged.clone(),
            ..OpCounts::default()
        },
        rejected: Vec::new(),
        skipped: Vec::new(),
        bookings_deleted: 0,
    };
    let everything = |_: &Op| true;
    if applier
        .pass(plan, everything, &mut resolved, &mut failed, &mut applied)
        .await
    {
        return Ok(applied);
    }
    // Held ops approved while the run ran: run them now, in the same order.
    let approved = control
        .approved
        .lock()
        .map(|ids| ids.clone())
        .unwrap_or_default();
    match approve_late(plan, &approved, plan_options) {
        Ok(Some(late)) => {
            let newly = |op: &Op| op.hold.as_ref().is_some_and(|h| approved.contains(&h.id));
            applier
                .pass(&late, newly, &mut resolved, &mut failed, &mut applied)
                .await;
        }
        Ok(None) => {}
        // Past the cap: the late approvals are not run, and the run says why.
        Err(refused) => applied.reason = Some(refused.to_string()),
    }
    Ok(applied)
}

impl Applier<'_> {
    /// The runnable ops `chosen` picks, level by level, then the deletes; true when the run
    /// stopped (cancelled, or a fatal error), recorded in `applied`.
    async fn pass(
        &self,
        plan: &Plan,
        chosen: impl Fn(&Op) -> bool,
        resolved: &mut HashMap<ExternalId, CondecoKey>,
        failed: &mut HashSet<ExternalId>,
        applied: &mut Applied,
    ) -> bool {
        let runnable = || plan.runnable().filter(|op| chosen(op));
        let levels = SyncKind::ALL.iter().map(|kind| {
            runnable()
                .filter(|op| op.kind == *kind && op.action != Action::Delete)
                .collect::<Vec<_>>()
        });
        let deletes = runnable()
            .filter(|op| op.action == Action::Delete)
            .collect::<Vec<_>>();
        for ops in levels.chain(std::iter::once(deletes)) {
            if ops.is_empty() {
                continue;
            }
            let level = self.level(&ops, resolved, failed, applied).await;
            for (key, condeco) in level.resolved {
                resolved.insert(key, condeco);
            }
            failed.extend(level.failed);
            if let Some(halt) = level.halt {
                match halt {
                    Halt::Cancelled => applied.ending = Ending::Cancelled,
                    Halt::Failed(error) => {
                        applied.ending = Ending::Interrupted;
                        applied.reason = Some(error.to_string());
                    }
                }
                return true;
            }
        }
        false
    }
}

/// What a level resolved, failed, and whether it stopped the run.
struct Level {
    resolved: Vec<(ExternalId, CondecoKey)>,
    failed: Vec<ExternalId>,
    halt: Option<Halt<ApplyError>>,
}

impl Applier<'_> {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Mappings whose Condeco entity is gone and which are no longer wanted.
    fn forget_stale(&self, plan: &Plan) -> Result<(), StoreError> {
        let mut store = self.store();
        for key in &plan.stale {
            store.remove_mapping(key)?;
        }
        Ok(())
    }

    /// Every mapping's Condeco key, by external id.
    fn mapped(&self) -> Result<HashMap<ExternalId, CondecoKey>, StoreError> {
        let store = self.store();
        let mut resolved = HashMap::new();
        for kind in SyncKind::ALL {
            for stored in store.mappings(kind)? {
                resolved.insert(stored.mapping.eptura, stored.mapping.condeco);
            }
        }
        Ok(resolved)
    }

    /// Run one level's ops concurrently ([`run_level`]); stop taking new ones on cancel or a
    /// fatal error.
    async fn level(
        &self,
        ops: &[&Op],
        resolved: &HashMap<ExternalId, CondecoKey>,
        failed: &HashSet<ExternalId>,
        applied: &mut Applied,
    ) -> Level {
        let kind = ops[0].kind;
        let total = ops.len() as u64;
        self.events.send(Event::LevelStarted { kind, total });
        let mut level = Level {
            resolved: Vec::new(),
            failed: Vec::new(),
            halt: None,
        };
        let mut done = 0u64;
        let settle = |op: &Op, outcome: Outcome| match outcome {
            Outcome::Done {
                condeco,
                bookings_deleted,
            } => {
                count_op(&mut applied.counts, op);
                applied.bookings_deleted += bookings_deleted;
                if let Some(condeco) = condeco {
                    level.resolved.push((op.key.clone(), condeco));
                }
                done += 1;
                self.events.send(Event::OpDone {
                    kind: op.kind,
                    action: op.action,
                    label: op.label(),
                    done,
                    total,
                });
            }
            Outcome::Rejected(rejected) => {
                level.failed.push(op.key.clone());
                self.events.send(Event::Rejected(rejected.clone()));
                applied.rejected.push(rejected);
            }
            Outcome::Skipped(reason) => {
                level.failed.push(op.key.clone());
                self.events.send(Event::Skipped {
                    kind: op.kind,
                    label: op.label(),
                    reason: reason.clone(),
                });
                applied.skipped.push((op.key.clone(), reason));
            }
        };
        let run = |op| self.one(op, resolved, failed);
        let halt = run_level(ops, self.options.concurrency, self.control, run, settle).await;
        level.halt = halt;
        level
    }

    /// One op, or why it is skipped (a parent not synced).
    async fn one(
        &self,
        op: &Op,
        resolved: &HashMap<ExternalId, CondecoKey>,
        failed: &HashSet<ExternalId>,
    ) -> Result<Outcome, ApplyError> {
        match parents_of(op, resolved, failed) {
            Err(reason) => Ok(Outcome::Skipped(reason)),
            Ok(parents) => self.run_op(op, &parents).await,
        }
    }

    async fn run_op(&self, op: &Op, parents: &Parents) -> Result<Outcome, ApplyError> {
        match op.action {
            Action::Create => self.create(op, parents).await,
            Action::Update | Action::Link { write: true } => self.update(op, parents).await,
            Action::Link { write: false } => self.link(op),
            Action::Delete => self.delete(op).await,
            Action::Recreate => {
                let deleted = self.delete(op).await?;
                let Outcome::Done {
                    bookings_deleted, ..
                } = deleted
                else {
                    return Ok(deleted);
                };
                match self.create(op, parents).await? {
                    Outcome::Done { condeco, .. } => Ok(Outcome::Done {
                        condeco,
                        bookings_deleted,
                    }),
                    other => Ok(other),
                }
            }
        }
    }

    fn mapping(&self, op: &Op, condeco: CondecoKey) -> Result<Mapping, ApplyError> {
        let fingerprint = op
            .fingerprint
            .clone()
            .ok_or_else(|| ApplyError::Unresolved(op.label()))?;
        Ok(Mapping {
            eptura: op.key.clone(),
            condeco,
            fingerprint,
        })
    }

    /// A link with nothing to write: only the mapping.
    fn link(&self, op: &Op) -> Result<Outcome, ApplyError> {
        let condeco = op
            .condeco
            .ok_or_else(|| ApplyError::Unresolved(op.label()))?;
        self.store().put_mapping(&self.mapping(op, condeco)?)?;
        Ok(Outcome::Done {
            condeco: Some(condeco),
            bookings_deleted: 0,
        })
    }

    /// Create with an intent; settle a lost answer by looking the entity up.
    async fn create(&self, op: &Op, parents: &Parents) -> Result<Outcome, ApplyError> {
        let fields = op
            .fields
            .as_ref()
            .ok_or_else(|| ApplyError::Unresolved(op.label()))?;
        if let Fields::Floor { .. } = fields {
            // A floor is a PUT by number: safe to repeat, no intent needed.
            return self.put(op, fields, parents, None).await;
        }
        let intent = self
            .store()
            .record_intent(self.run, &op.key, WriteOp::Create)?;
        let mut round = 1;
        loop {
            let attempt = self
                .with_quota(|| write_entity(self.condeco, &op.key, fields, parents, None))
                .await;
            let error = match attempt {
                Ok(condeco) => {
                    self.store()
                        .complete_intent(intent, &self.mapping(op, condeco)?)?;
                    return Ok(Outcome::Done {
                        condeco: Some(condeco),
                        bookings_deleted: 0,
                    });
                }
                Err(error) => error,
            };
            if let Some(outcome) = self.rejected(op, &error)? {
                self.store().abandon_intent(intent)?;
                return Ok(outcome);
            }
            if !(error.is_outcome_unknown() && round < self.options.lost_answer_rounds) {
                return Err(ApplyError::Condeco {
                    doing: format!("creating {}", op.label()),
                    source: error,
                });
            }
            self.events.send(Event::LookingUp { label: op.label() });
            if let Some(found) = self.find(&op.key).await? {
                self.store()
                    .complete_intent(intent, &self.mapping(op, found)?)?;
                return Ok(Outcome::Done {
                    condeco: Some(found),
                    bookings_deleted: 0,
                });
            }
            round += 1;
        }
    }

    /// Update (or link with a write) an existing entity: a PUT, safe to repeat.
    async fn update(&self, op: &Op, parents: &Parents) -> Result<Outcome, ApplyError> {
        let (Some(fields), Some(existing)) = (&op.fields, op.condeco) else {
            return Err(ApplyError::Unresolved(op.label()));
        };
        self.put(op, fields, parents, Some(existing)).await
    }

    /// A write that may be repeated (an update, a floor), then its mapping.
    async fn put(
        &self,
        op: &Op,
        fields: &Fields,
        parents: &Parents,
        existing: Option<CondecoKey>,
    ) -> Result<Outcome, ApplyError> {
        let result = self
            .with_quota(|| write_entity(self.condeco, &op.key, fields, parents, existing))
            .await;
        match result {
            Ok(condeco) => {
                self.store().put_mapping(&self.mapping(op, condeco)?)?;
                Ok(Outcome::Done {
                    condeco: Some(condeco),
                    bookings_deleted: 0,
                })
            }
            Err(error) => self.refused_or_fatal(op, error, "writing"),
        }
    }

    async fn delete(&self, op: &Op) -> Result<Outcome, ApplyError> {
        let Some(existing) = op.condeco else {
            return Err(ApplyError::Unresolved(op.label()));
        };
        let intent = self
            .store()
            .record_intent(self.run, &op.key, WriteOp::Delete)?;
        let result = self
            .with_quota(|| delete_entity(self.condeco, existing))
            .await;
        let bookings_deleted = match result {
            Ok(n) => n,
            // Already gone (deleted in Condeco, or with its location): nothing to lose.
            Err(CondecoError::NotFound { .. }) => 0,
            Err(error) => {
                self.store().abandon_intent(intent)?;
                return self.refused_or_fatal(op, error, "deleting");
            }
        };
        self.store().complete_delete(intent, &op.key)?;
        Ok(Outcome::Done {
            condeco: None,
            bookings_deleted,
        })
    }

    /// A 400/409 is recorded and the run goes on; anything else stops it.
    fn refused_or_fatal(
        &self,
        op: &Op,
        error: CondecoError,
        doing: &str,
    ) -> Result<Outcome, ApplyError> {
        match self.rejected(op, &error)? {
            Some(outcome) => Ok(outcome),
            None => Err(ApplyError::Condeco {
                doing: format!("{doing} {}", op.label()),
                source: error,
            }),
        }
    }

    fn rejected(&self, op: &Op, error: &CondecoError) -> Result<Option<Outcome>, StoreError> {
        let Some((status, message)) = error.rejection() else {
            return Ok(None);
        };
        self.store()
            .record_rejected(self.run, &op.key, status, message)?;
        Ok(Some(Outcome::Rejected(Rejected {
            kind: op.kind,
            eptura_id: op.key.to_string(),
            status,
            message: message.to_string(),
        })))
    }

    /// Look an entity up by the external id the sync wrote into it.
    async fn find(&self, key: &ExternalId) -> Result<Option<CondecoKey>, ApplyError> {
        let result = self.with_quota(|| find_entity(self.condeco, key)).await;
        result.map_err(|source| ApplyError::Condeco {
            doing: format!("looking up {} {key} after a lost answer", key.kind()),
            source,
        })
    }

    /// Run a call, waiting for the quota when it renews within what the run may wait
    /// (otherwise the quota error ends the run, resumable).
    async fn with_quota<T, F, Fut>(&self, call: F) -> Result<T, CondecoError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, CondecoError>>,
    {
        let quota = QuotaWait {
            max_wait: self.options.max_quota_wait,
            events: self.events,
        };
        quota.call(call).await
    }
}

/// The Condeco ids of the op's parents, or why it cannot run.
fn parents_of(
    op: &Op,
    resolved: &HashMap<ExternalId, CondecoKey>,
    failed: &HashSet<ExternalId>,
) -> Result<Parents, String> {
    let mut parents = Parents::default();
    let Some(fields) = &op.fields else {
        return Ok(parents);
    };
    for parent in fields.parents() {
        if failed.contains(parent) {
            return Err(format!(
                "its parent {} {parent} was not synced",
                parent.kind()
            ));
        }
        let Some(key) = resolved.get(parent) else {
            return Err(format!(
                "its parent {} {parent} is not in Condeco (held or skipped)",
                parent.kind()
            ));
        };
        parents.set(*key);
    }
    Ok(parents)
}

/// The Condeco ids an op's parents resolved to.
#[derive(Debug, Default, Clone, Copy)]
struct Parents {
    country: Option<crate::domain::ids::CondecoCountryId>,
    group: Option<crate::domain::ids::CondecoGroupId>,
    region: Option<crate::domain::ids::CondecoRegionId>,
    location: Option<CondecoLocationId>,
    floor: Option<CondecoFloorKey>,
    workspace_type: Option<crate::domain::ids::CondecoWorkspaceTypeId>,
}

impl Parents {
    fn set(&mut self, key: CondecoKey) {
        match key {
            CondecoKey::Country(id) => self.country = Some(id),
            CondecoKey::Group(id) => self.group = Some(id),
            CondecoKey::Region(id) => self.region = Some(id),
            CondecoKey::Location(id) => self.location = Some(id),
            CondecoKey::Floor(floor) => self.floor = Some(floor),
            CondecoKey::WorkspaceType(id) => self.workspace_type = Some(id),
            CondecoKey::Resource(_) => {}
        }
    }
}

/// Create (`existing` is `None`) or update one entity from its fields; its Condeco key.
async fn write_entity(
    condeco: &CondecoClient,
    key: &ExternalId,
    fields: &Fields,
    parents: &Parents,
    existing: Option<CondecoKey>,
) -> Result<CondecoKey, CondecoError> {
    let external_id = Some(key.to_string());
    let id = |k: Option<CondecoKey>| k.map(condeco_number);
    Ok(match fields {
        Fields::Country { name, country_code } => {
            let draft = CountryDraft {
                name: name.clone(),
                country_code: Some(country_code.clone()),
                external_id,
            };
            let made = match id(existing) {
                Some(n) => condeco.update_country(n.into(), &draft).await?,
                None => condeco.create_country(&draft).await?,
            };
            CondecoKey::Country(made.id)
        }
        Fields::Group { name, .. } => {
            let draft = GroupDraft {
                name: name.clone(),
                country_id: parents.country,
                location_ids: None,
                is_default: Some(true),
                external_id,
            };
            let made = match id(existing) {
                Some(n) => condeco.update_group(n.into(), &draft).await?,
                None => condeco.create_group(&draft).await?,
            };
            CondecoKey::Group(made.id)
        }
        Fields::Region { name, .. } => {
            let draft = RegionDraft {
                name: name.clone(),
                country_id: parents.country,
                external_id,
            };
            let made = match id(existing) {
                Some(n) => condeco.update_region(n.into(), &draft).await?,
                None => condeco.create_region(&draft).await?,
            };
            CondecoKey::Region(made.id)
        }
        Fields::Location {
            name,
            address,
            city,
            postal_code,
            ..
        } => {
            let draft = LocationDraft {
                name: name.clone(),
                region_id: parents.region,
                address: address.clone(),
                city: city.clone(),
                postal_code: postal_code.clone(),
                time_zone: None,
                status: None,
                external_id,
            };
            let made = match id(existing) {
                Some(n) => condeco.update_location(n.into(), &draft).await?,
                None => condeco.create_location(&draft).await?,
            };
            CondecoKey::Location(made.id)
        }
        Fields::Floor { number, name, .. } => {
            // Floors are PUT by number: the same call creates and updates.
            let location = parents.location.unwrap_or(CondecoLocationId::new(0));
            let draft = FloorDraft {
                name: Some(name.clone()),
                external_id,
            };
            condeco.put_floor(location, *number, &draft).await?;
            CondecoKey::Floor(CondecoFloorKey {
                location,
                number: *number,
            })
        }
        Fields::WorkspaceType {
            name,
            booking_period,
        } => {
            let draft = WorkspaceTypeDraft {
                name: name.clone(),
                booking_period: Some(booking_period.clone()),
                external_id,
            };
            let made = match id(existing) {
                Some(n) => condeco.update_workspace_type(n.into(), &draft).await?,
                None => condeco.create_workspace_type(&draft).await?,
            };
            CondecoKey::WorkspaceType(made.id)
        }
        Fields::Resource {
            name,
            resource_type,
            booking_period,
            capacity,
            floor_number,
            ..
        } => {
            let draft = ResourceDraft {
                name: name.clone(),
                resource_type: Some(resource_type.clone()),
                booking_period: Some(booking_period.clone()),
                location_id: parents.location,
                floor_number: Some(*floor_number),
                // The group (its booking rules) is Condeco's to set once the resource exists:
                // a linked or updated resource keeps the group Condeco gave it.
                group_id: parents.group.filter(|_| existing.is_none()),
                workspace_type_id: parents.workspace_type,
                capacity: Some(*capacity),
                status: None,
                external_id,
            };
            let made = match id(existing) {
                Some(n) => condeco.update_resource(n.into(), &draft).await?,
                None => condeco.create_resource(&draft).await?,
            };
            CondecoKey::Resource(made.id)
        }
    })
}

/// The number of an entity with an id of its own (floors have none).
fn condeco_number(key: CondecoKey) -> i64 {
    match key {
        CondecoKey::Country(id) => id.get(),
        CondecoKey::Group(id) => id.get(),
        CondecoKey::Region(id) => id.get(),
        CondecoKey::Location(id) => id.get(),
        CondecoKey::Floor(floor) => floor.location.get(),
        CondecoKey::WorkspaceType(id) => id.get(),
        CondecoKey::Resource(id) => id.get(),
    }
}

/// Delete one entity (a location or floor with everything on it); the bookings lost.
async fn delete_entity(condeco: &CondecoClient, key: CondecoKey) -> Result<u64, CondecoError> {
    let deleted = match key {
        CondecoKey::Location(id) => condeco.delete_location(id, true).await?,
        CondecoKey::Floor(floor) => {
            condeco
                .delete_floor(floor.location, floor.number, true)
                .await?
        }
        CondecoKey::Resource(id) => condeco.delete_resource(id).await?,
        CondecoKey::Country(id) => condeco.delete_country(id).await?,
        CondecoKey::Group(id) => condeco.delete_group(id).await?,
        CondecoKey::Region(id) => condeco.delete_region(id).await?,
        CondecoKey::WorkspaceType(id) => condeco.delete_workspace_type(id).await?,
    };
    Ok(deleted.bookings_deleted)
}

/// The Condeco entity carrying `key` as its external id, if any.
async fn find_entity(
    condeco: &CondecoClient,
    key: &ExternalId,
) -> Result<Option<CondecoKey>, CondecoError> {
    let filter = Filter::external_id(key.to_string());
    Ok(match key.kind() {
        SyncKind::Country => condeco
            .countries(&filter)
            .await?
            .first()
            .map(|c| CondecoKey::Country(c.id)),
        SyncKind::Group => condeco
            .groups(&filter)
            .await?
            .first()
            .map(|g| CondecoKey::Group(g.id)),
        SyncKind::Region => condeco
            .regions(&filter)
            .await?
            .first()
            .map(|r| CondecoKey::Region(r.id)),
        SyncKind::Location => condeco
            .locations(&filter)
            .await?
            .first()
            .map(|l| CondecoKey::Location(l.id)),
        SyncKind::WorkspaceType => condeco
            .workspace_types(&filter)
            .await?
            .first()
            .map(|t| CondecoKey::WorkspaceType(t.id)),
        SyncKind::Resource => condeco
            .resources(&filter)
            .await?
            .first()
            .map(|r| CondecoKey::Resource(r.id)),
        // Floors are PUT, never looked up.
        SyncKind::Floor => None,
    })
}
