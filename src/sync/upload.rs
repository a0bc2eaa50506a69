//! The upload, the sync's other direction: a template's [`Portfolio`] into Eptura Workplace.
//! Three steps, as the sync to Condeco: [`read`] what Eptura holds of the portfolio, [`plan`]
//! (pure) the records to create, level by level, each op referring to its parents either as
//! records Eptura has or as earlier ops of the plan, then [`execute`] the plan on the executor
//! the sync shares ([`super::levels`]): space types, buildings, floors, spaces, each level's
//! creates several at once. A dry run is the plan itself, reported; a real run executes that
//! same plan, so what the dry run showed is what runs.
//!
//! Idempotent by matching, not by memory: a building matches by code, else by normalised name;
//! a floor by (building, normalised name); a space by (floor, normalised name); a space type by
//! normalised name. So a second run creates nothing, and an interrupted one finishes the rest
//! next time. A create whose answer was lost (or answered 5xx) is settled by looking the record
//! up before creating it again, so a lost answer never makes a duplicate. A record Eptura
//! refuses is reported, and what it would have held is counted as not created with it; a
//! failure of the connection stops the upload. An upload asked to stop (its cancellation
//! token) starts no new create, lets those in flight finish and reports what it did, so its
//! counts are exact. Progress is sent after every record. Nothing here prints.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::levels::{Control, Halt, run_level};
use crate::domain::ids::{EpturaBuildingId, EpturaFloorId, EpturaSpaceTypeId};
use crate::domain::names::normalise;
use crate::domain::remote::{EpturaBuilding, EpturaFloor, EpturaSpace, EpturaSpaceType};
use crate::domain::{Building, Portfolio, PortfolioCounts, Space};
use crate::eptura::{EpturaClient, EpturaError, NewBuilding, NewFloor, NewSpace, NewSpaceType};

/// How to upload.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Plan and report, write nothing.
    pub dry_run: bool,
    /// Creates in flight at once within a level (the HTTP layer's AIMD limit still applies).
    pub concurrency: usize,
    /// Receives where the upload stands after every record.
    pub progress: Option<watch::Sender<UploadProgress>>,
    /// Once cancelled, no new create starts; those in flight finish and the report says
    /// `stopped`.
    pub cancel: Option<CancellationToken>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            dry_run: false,
            concurrency: 8,
            progress: None,
            cancel: None,
        }
    }
}

/// Where an upload stands, for a progress display: counts so far against the template's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UploadProgress {
    pub space_types: KindCount,
    pub buildings: KindCount,
    pub floors: KindCount,
    pub spaces: KindCount,
    pub totals: PortfolioCounts,
}

impl UploadProgress {
    /// Records settled so far (created, present or not created), all kinds.
    pub fn done(&self) -> usize {
        [self.space_types, self.buildings, self.floors, self.spaces]
            .iter()
            .map(|k| k.created + k.present + k.failed)
            .sum()
    }

    /// Records the template holds, all kinds.
    pub fn total(&self) -> usize {
        let t = self.totals;
        t.space_types + t.buildings + t.floors + t.spaces
    }
}

/// Created, already-present and not-created records of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub created: usize,
    pub present: usize,
    /// Refused by Eptura, or not created because what would hold them was refused.
    pub failed: usize,
}

/// What an upload did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct UploadReport {
    pub dry_run: bool,
    pub space_types: KindCount,
    pub buildings: KindCount,
    pub floors: KindCount,
    pub spaces: KindCount,
    /// One line per record created (or to be created): in plan order for a dry run, in the
    /// order they were made for a real one.
    pub created: Vec<String>,
    /// Records Eptura refused, with its answer, and what was not created with them.
    pub failures: Vec<UploadFailure>,
    /// The upload was asked to stop before the end: the counts are what it did until then.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
}

impl UploadReport {
    pub fn has_failures(&self) -> bool {
        !self.failures.is_empty()
    }

    pub fn writes(&self) -> usize {
        self.space_types.created
            + self.buildings.created
            + self.floors.created
            + self.spaces.created
    }

    fn count(&mut self, kind: UploadKind) -> &mut KindCount {
        match kind {
            UploadKind::SpaceType => &mut self.space_types,
            UploadKind::Building => &mut self.buildings,
            UploadKind::Floor => &mut self.floors,
            UploadKind::Space => &mut self.spaces,
        }
    }
}

/// A record that could not be created.
#[derive(Debug, Clone, Serialize)]
pub struct UploadFailure {
    pub kind: &'static str,
    pub name: String,
    pub message: String,
}

/// A failure that stops the upload: the service cannot be reached or refuses the credentials.
#[derive(Debug, thiserror::Error)]
#[error("upload stopped while {doing}: {source}")]
pub struct UploadError {
    pub doing: String,
    #[source]
    pub source: EpturaError,
}

type Result<T> = std::result::Result<T, UploadError>;

fn context(doing: impl Into<String>) -> impl FnOnce(EpturaError) -> UploadError {
    let doing = doing.into();
    move |source| UploadError { doing, source }
}

/// The levels of an upload, parents first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum UploadKind {
    SpaceType,
    Building,
    Floor,
    Space,
}

impl UploadKind {
    pub const ALL: [UploadKind; 4] = [
        UploadKind::SpaceType,
        UploadKind::Building,
        UploadKind::Floor,
        UploadKind::Space,
    ];

    pub fn noun(self) -> &'static str {
        match self {
            UploadKind::SpaceType => "space type",
            UploadKind::Building => "building",
            UploadKind::Floor => "floor",
            UploadKind::Space => "space",
        }
    }

    fn plural(self, n: usize) -> String {
        let noun = self.noun();
        if n == 1 {
            format!("1 {noun}")
        } else {
            format!("{n} {noun}s")
        }
    }
}

/// A record an op refers to: one Eptura has, or the one an earlier op of the plan creates
/// (its index in [`UploadPlan::ops`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref<I> {
    Existing(I),
    Planned(usize),
}

/// What one op creates. Parents are [`Ref`]s, resolved to ids when the op runs.
#[derive(Debug, Clone)]
pub enum Draft {
    SpaceType(NewSpaceType),
    Building(NewBuilding),
    Floor {
        building: Ref<EpturaBuildingId>,
        name: String,
    },
    /// The template's space, created on `floor` with `space_type`.
    Space {
        floor: Ref<EpturaFloorId>,
        space_type: Ref<EpturaSpaceTypeId>,
        space: Space,
    },
}

/// One record to create.
#[derive(Debug, Clone)]
pub struct UploadOp {
    pub kind: UploadKind,
    /// Where it sits, for failures: `HOU1 / Floor 2 / 2-014`.
    pub name: String,
    /// The line the report shows for it: `space "2-014" on HOU1 / floor Floor 2`.
    pub line: String,
    pub draft: Draft,
}

/// What an upload will create, level by level, and what Eptura already has.
#[derive(Debug, Clone, Default)]
pub struct UploadPlan {
    /// Parents' levels first; an op's [`Ref::Planned`] parents are earlier ops.
    pub ops: Vec<UploadOp>,
    /// The template's records Eptura already has, per kind.
    pub present: BTreeMap<UploadKind, usize>,
    /// Records that cannot be created whatever Eptura answers (a space whose type is neither
    /// in the template nor in Eptura).
    pub unplaceable: Vec<(UploadKind, UploadFailure)>,
    pub totals: PortfolioCounts,
}

impl UploadPlan {
    /// The plan as a report: what a dry run says.
    pub fn report(&self) -> UploadReport {
        let mut report = self.base_report();
        report.dry_run = true;
        for op in &self.ops {
            report.count(op.kind).created += 1;
            report.created.push(op.line.clone());
        }
        report
    }

    /// A report with the present records and the unplaceable ones: where every run starts.
    fn base_report(&self) -> UploadReport {
        let mut report = UploadReport::default();
        for (kind, present) in &self.present {
            report.count(*kind).present = *present;
        }
        for (kind, failure) in &self.unplaceable {
            report.count(*kind).failed += 1;
            report.failures.push(failure.clone());
        }
        report
    }
}

/// What Eptura holds that the plan looks at: every space type and building, and the floors and
/// spaces of the buildings the portfolio matches.
#[derive(Debug, Clone, Default)]
pub struct EpturaHoldings {
    pub space_types: Vec<EpturaSpaceType>,
    pub buildings: Vec<EpturaBuilding>,
    pub floors: Vec<EpturaFloor>,
    pub spaces: Vec<EpturaSpace>,
}

/// Buildings whose floors and spaces are read at once.
const BUILDINGS_READ_AT_ONCE: usize = 4;

/// Read what Eptura holds of `portfolio`.
pub async fn read(eptura: &EpturaClient, portfolio: &Portfolio) -> Result<EpturaHoldings> {
    let (space_types, buildings) = tokio::try_join!(
        async {
            let listed = eptura.space_types().await;
            listed.map_err(context("listing the space types"))
        },
        async {
            let listed = eptura.buildings().await;
            listed.map_err(context("listing the buildings"))
        },
    )?;
    let matched: Vec<(EpturaBuildingId, String)> = (portfolio.buildings.iter())
        .filter_map(|b| Some((find_building(&new_building(b), &buildings)?.id, b.label())))
        .collect();
    let contents: Vec<(Vec<EpturaFloor>, Vec<EpturaSpace>)> = stream::iter(matched)
        .map(|(id, label)| async move {
            let floors = eptura.floors(Some(id)).await;
            let floors = floors.map_err(context(format!("listing the floors of {label}")))?;
            let spaces = eptura.spaces(Some(id), None).await;
            let spaces = spaces.map_err(context(format!("listing the spaces of {label}")))?;
            Ok::<_, UploadError>((floors, spaces))
        })
        .buffered(BUILDINGS_READ_AT_ONCE)
        .try_collect()
        .await?;
    let (floors, spaces): (Vec<_>, Vec<_>) = contents.into_iter().unzip();
    Ok(EpturaHoldings {
        space_types,
        buildings,
        floors: floors.into_iter().flatten().collect(),
        spaces: spaces.into_iter().flatten().collect(),
    })
}

/// The building a draft matches: by code, else by normalised name (a coded building never
/// takes another code's building by name).
fn find_building<'a>(
    draft: &NewBuilding,
    existing: &'a [EpturaBuilding],
) -> Option<&'a EpturaBuilding> {
    let code = draft.code.as_deref().map(|c| c.trim().to_uppercase());
    if let Some(code) = &code
        && let Some(found) = existing
            .iter()
            .find(|b| b.code.as_deref().map(|c| c.trim().to_uppercase()).as_ref() == Some(code))
    {
        return Some(found);
    }
    let name = normalise(&draft.name);
    existing
        .iter()
        .find(|b| normalise(&b.name) == name && (code.is_none() || b.code.is_none()))
}

/// The records to create for `portfolio`, given what Eptura holds. Pure.
pub fn plan(portfolio: &Portfolio, holdings: &EpturaHoldings) -> UploadPlan {
    let mut planner = Planner {
        plan: UploadPlan {
            totals: portfolio.counts(),
            ..UploadPlan::default()
        },
    };
    let types = planner.space_types(portfolio, holdings);
    let buildings: Vec<Ref<EpturaBuildingId>> = (portfolio.buildings.iter())
        .map(|b| planner.building(b, holdings))
        .collect();
    let floors: Vec<Vec<Ref<EpturaFloorId>>> = (portfolio.buildings.iter().zip(&buildings))
        .map(|(b, at)| planner.floors(b, *at, holdings))
        .collect();
    let existing_spaces: HashSet<(EpturaFloorId, String)> = (holdings.spaces.iter())
        .filter_map(|s| Some((s.floor_id?, normalise(&s.name))))
        .collect();
    for (building, floor_refs) in portfolio.buildings.iter().zip(&floors) {
        for (floor, at) in building.floors.iter().zip(floor_refs) {
            let place = format!("{} / floor {}", building.label(), floor.name);
            for space in &floor.spaces {
                planner.space(space, &place, *at, &types, &existing_spaces);
            }
        }
    }
    planner.plan
}

struct Planner {
    plan: UploadPlan,
}

impl Planner {
    /// A record Eptura has, as its children's ops refer to it.
    fn present<I>(&mut self, kind: UploadKind, id: I) -> Ref<I> {
        self.count_present(kind);
        Ref::Existing(id)
    }

    fn count_present(&mut self, kind: UploadKind) {
        *self.plan.present.entry(kind).or_default() += 1;
    }

    /// A record to create, as its parents' ops refer to it.
    fn create<I>(&mut self, kind: UploadKind, name: String, line: String, draft: Draft) -> Ref<I> {
        Ref::Planned(self.push(kind, name, line, draft))
    }

    /// A record to create; its index in the plan.
    fn push(&mut self, kind: UploadKind, name: String, line: String, draft: Draft) -> usize {
        self.plan.ops.push(UploadOp {
            kind,
            name,
            line,
            draft,
        });
        self.plan.ops.len() - 1
    }

    /// Every space type the spaces need, by normalised name.
    fn space_types(
        &mut self,
        portfolio: &Portfolio,
        holdings: &EpturaHoldings,
    ) -> HashMap<String, Ref<EpturaSpaceTypeId>> {
        let existing: HashMap<String, EpturaSpaceTypeId> = (holdings.space_types.iter())
            .map(|t| (normalise(&t.name), t.id))
            .collect();
        let mut refs = HashMap::new();
        for space_type in &portfolio.space_types {
            let key = normalise(&space_type.name);
            if refs.contains_key(&key) {
                continue;
            }
            let at = match existing.get(&key) {
                Some(id) => self.present(UploadKind::SpaceType, *id),
                None => self.create(
                    UploadKind::SpaceType,
                    space_type.name.clone(),
                    format!("space type \"{}\" ({})", space_type.name, space_type.usage),
                    Draft::SpaceType(NewSpaceType {
                        name: space_type.name.clone(),
                        usage: space_type.usage,
                        type_code: None,
                        occupiable: None,
                    }),
                ),
            };
            refs.insert(key, at);
        }
        refs
    }

    fn building(
        &mut self,
        building: &Building,
        holdings: &EpturaHoldings,
    ) -> Ref<EpturaBuildingId> {
        let draft = new_building(building);
        match find_building(&draft, &holdings.buildings) {
            Some(found) => self.present(UploadKind::Building, found.id),
            None => self.create(
                UploadKind::Building,
                building.label(),
                format!("building {}", building.label()),
                Draft::Building(draft),
            ),
        }
    }

    fn floors(
        &mut self,
        building: &Building,
        at: Ref<EpturaBuildingId>,
        holdings: &EpturaHoldings,
    ) -> Vec<Ref<EpturaFloorId>> {
        let existing: HashMap<String, EpturaFloorId> = match at {
            Ref::Existing(id) => (holdings.floors.iter())
                .filter(|f| f.building_id == Some(id))
                .map(|f| (normalise(&f.name), f.id))
                .collect(),
            Ref::Planned(_) => HashMap::new(),
        };
        let mut refs = Vec::with_capacity(building.floors.len());
        for floor in &building.floors {
            let found = existing.get(&normalise(&floor.name));
            refs.push(match found {
                Some(id) => self.present(UploadKind::Floor, *id),
                None => self.create(
                    UploadKind::Floor,
                    format!("{} / {}", building.label(), floor.name),
                    format!("floor \"{}\" in {}", floor.name, building.label()),
                    Draft::Floor {
                        building: at,
                        name: floor.name.clone(),
                    },
                ),
            });
        }
        refs
    }

    fn space(
        &mut self,
        space: &Space,
        place: &str,
        floor: Ref<EpturaFloorId>,
        types: &HashMap<String, Ref<EpturaSpaceTypeId>>,
        existing: &HashSet<(EpturaFloorId, String)>,
    ) {
        if let Ref::Existing(floor_id) = floor
            && existing.contains(&(floor_id, normalise(&space.name)))
        {
            self.count_present(UploadKind::Space);
            return;
        }
        let name = format!("{place} / {}", space.name);
        let Some(space_type) = types.get(&normalise(&space.space_type)) else {
            let message = format!(
                "its space type \"{}\" is neither in the template's types nor in Eptura",
                space.space_type
            );
            let failure = UploadFailure {
                kind: UploadKind::Space.noun(),
                name,
                message,
            };
            self.plan.unplaceable.push((UploadKind::Space, failure));
            return;
        };
        let draft = Draft::Space {
            floor,
            space_type: *space_type,
            space: space.clone(),
        };
        let line = format!("space \"{}\" on {place}", space.name);
        self.push(UploadKind::Space, name, line, draft);
    }
}

/// Create what the portfolio has and Eptura lacks: [`read`], [`plan`], then either the plan's
/// report (a dry run) or [`execute`].
pub async fn upload(
    eptura: &EpturaClient,
    portfolio: &Portfolio,
    options: UploadOptions,
) -> Result<UploadReport> {
    let totals = portfolio.counts();
    send_progress(&options, &UploadReport::default(), totals);
    let holdings = read(eptura, portfolio).await?;
    let plan = plan(portfolio, &holdings);
    if options.dry_run {
        let report = plan.report();
        send_progress(&options, &report, totals);
        return Ok(report);
    }
    execute(eptura, &plan, &options).await
}

/// What running one op came to.
enum Outcome {
    /// The new record's id (of the op's kind).
    Created(i64),
    /// Eptura refused it, with its answer.
    Refused(String),
    /// Not run: a parent was not created (the op index of the refused record it descends from).
    Skipped { root: usize },
}

/// Run `plan` against Eptura, level by level.
pub async fn execute(
    eptura: &EpturaClient,
    plan: &UploadPlan,
    options: &UploadOptions,
) -> Result<UploadReport> {
    let cancel = options.cancel.clone().unwrap_or_default();
    // A fatal error stops this upload's new creates without cancelling the caller's token.
    let (control, _pause) = Control::cancelled_by(cancel.child_token());
    let mut report = plan.base_report();
    let mut roots: BTreeMap<usize, Root> = BTreeMap::new();
    let mut created: HashMap<usize, i64> = HashMap::new();
    let mut refused: HashMap<usize, usize> = HashMap::new();
    send_progress(options, &report, plan.totals);
    let indexed: Vec<(usize, &UploadOp)> = plan.ops.iter().enumerate().collect();
    for kind in UploadKind::ALL {
        let ops: Vec<&(usize, &UploadOp)> =
            indexed.iter().filter(|(_, op)| op.kind == kind).collect();
        if ops.is_empty() {
            continue;
        }
        let mut level: Vec<(usize, Outcome)> = Vec::new();
        let (made, lost) = (&created, &refused);
        let halt = run_level(
            &ops,
            options.concurrency,
            &control,
            |&(index, op)| run_op(eptura, index, op, made, lost),
            |&(index, op), outcome| {
                settle(&mut report, &mut roots, index, op, &outcome);
                send_progress(options, &report, plan.totals);
                level.push((index, outcome));
            },
        )
        .await;
        for (index, outcome) in level {
            match outcome {
                Outcome::Created(id) => {
                    created.insert(index, id);
                }
                Outcome::Refused(_) => {
                    refused.insert(index, index);
                }
                Outcome::Skipped { root } => {
                    refused.insert(index, root);
                }
            }
        }
        match halt {
            None => {}
            Some(Halt::Cancelled) => {
                report.stopped = true;
                break;
            }
            Some(Halt::Failed(error)) => return Err(error),
        }
    }
    note_what_was_not_created(&mut report, &roots);
    send_progress(options, &report, plan.totals);
    Ok(report)
}

/// A refused record: its failure's place in the report and what was not created with it.
struct Root {
    failure: usize,
    with_it: BTreeMap<UploadKind, usize>,
}

/// Count one op's outcome in the report.
fn settle(
    report: &mut UploadReport,
    roots: &mut BTreeMap<usize, Root>,
    index: usize,
    op: &UploadOp,
    outcome: &Outcome,
) {
    let count = report.count(op.kind);
    match outcome {
        Outcome::Created(_) => {
            count.created += 1;
            report.created.push(op.line.clone());
        }
        Outcome::Refused(message) => {
            count.failed += 1;
            let root = Root {
                failure: report.failures.len(),
                with_it: BTreeMap::new(),
            };
            report.failures.push(UploadFailure {
                kind: op.kind.noun(),
                name: op.name.clone(),
                message: message.clone(),
            });
            roots.insert(index, root);
        }
        Outcome::Skipped { root } => {
            count.failed += 1;
            if let Some(root) = roots.get_mut(root) {
                *root.with_it.entry(op.kind).or_default() += 1;
            }
        }
    }
}

/// Add to each refusal what was not created with it.
fn note_what_was_not_created(report: &mut UploadReport, roots: &BTreeMap<usize, Root>) {
    for root in roots.values().filter(|r| !r.with_it.is_empty()) {
        let what: Vec<String> = (root.with_it.iter())
            .map(|(kind, n)| kind.plural(*n))
            .collect();
        if let Some(failure) = report.failures.get_mut(root.failure) {
            failure.message = format!(
                "{}; not created with it: {}",
                failure.message,
                what.join(", ")
            );
        }
    }
}

/// Create one op's record, its parents resolved; a refusal is an outcome, a connection failure
/// stops the upload.
async fn run_op(
    eptura: &EpturaClient,
    index: usize,
    op: &UploadOp,
    created: &HashMap<usize, i64>,
    refused: &HashMap<usize, usize>,
) -> Result<Outcome> {
    // A parent's id, or the refused record it descends from (itself when its parent never ran:
    // a stop before the parent's level finished).
    fn id_of<I: From<i64>>(
        parent: Ref<I>,
        index: usize,
        created: &HashMap<usize, i64>,
        refused: &HashMap<usize, usize>,
    ) -> std::result::Result<I, usize> {
        match parent {
            Ref::Existing(id) => Ok(id),
            Ref::Planned(p) => (created.get(&p).copied().map(I::from))
                .ok_or_else(|| refused.get(&p).copied().unwrap_or(index)),
        }
    }
    let made = match &op.draft {
        Draft::SpaceType(draft) => create_space_type(eptura, draft).await,
        Draft::Building(draft) => create_building(eptura, draft).await,
        Draft::Floor { building, name } => match id_of(*building, index, created, refused) {
            Ok(building_id) => create_floor(eptura, building_id, name).await,
            Err(root) => return Ok(Outcome::Skipped { root }),
        },
        Draft::Space {
            floor,
            space_type,
            space,
        } => match (
            id_of(*floor, index, created, refused),
            id_of(*space_type, index, created, refused),
        ) {
            (Ok(floor_id), Ok(type_id)) => {
                create_space(eptura, &new_space(space, floor_id, type_id)).await
            }
            (Err(root), _) | (_, Err(root)) => return Ok(Outcome::Skipped { root }),
        },
    };
    match made {
        Ok(id) => Ok(Outcome::Created(id)),
        Err(e) if e.is_connection() => Err(UploadError {
            doing: format!("creating {} {}", op.kind.noun(), op.name),
            source: e,
        }),
        Err(e) => Ok(Outcome::Refused(e.to_string())),
    }
}

/// A created record's id, as the plan keeps it (the op says which kind it is).
type Made = std::result::Result<i64, EpturaError>;

async fn create_space_type(eptura: &EpturaClient, draft: &NewSpaceType) -> Made {
    let key = normalise(&draft.name);
    let made = create_or_adopt(&|| eptura.create_space_type(draft), &|| async {
        let all = eptura.space_types().await?;
        Ok(all.into_iter().find(|t| normalise(&t.name) == key))
    })
    .await?;
    Ok(made.id.get())
}

async fn create_building(eptura: &EpturaClient, draft: &NewBuilding) -> Made {
    let made = create_or_adopt(&|| eptura.create_building(draft), &|| async {
        let all = eptura.buildings().await?;
        Ok(find_building(draft, &all).cloned())
    })
    .await?;
    Ok(made.id.get())
}

async fn create_floor(eptura: &EpturaClient, building_id: EpturaBuildingId, name: &str) -> Made {
    let draft = NewFloor {
        building_id,
        name: name.to_string(),
    };
    let key = normalise(name);
    let made = create_or_adopt(&|| eptura.create_floor(&draft), &|| async {
        let all = eptura.floors(Some(building_id)).await?;
        Ok(all.into_iter().find(|f| normalise(&f.name) == key))
    })
    .await?;
    Ok(made.id.get())
}

async fn create_space(eptura: &EpturaClient, draft: &NewSpace) -> Made {
    let (floor_id, key) = (draft.floor_id, normalise(&draft.name));
    let made = create_or_adopt(&|| eptura.create_space(draft), &|| async {
        let all = eptura.spaces(None, Some(floor_id)).await?;
        Ok(all
            .into_iter()
            .find(|s| s.floor_id == Some(floor_id) && normalise(&s.name) == key))
    })
    .await?;
    Ok(made.id.get())
}

/// How many times a create whose answer keeps getting lost is looked up and tried again. A
/// round costs one look-up, and only when an answer was lost; 8 rather than the sync's 5
/// because an upload has no store to resume from, so giving up stops it (the suite's heaviest
/// mix, 5 % drops and 5 % server errors before Eptura sees a create, once ran out of 5 rounds
/// in about ten runs of `upload::every_fault_at_once_makes_no_duplicate`).
const LOST_ANSWER_ROUNDS: usize = 8;

/// Create; when the answer was lost, adopt the record if it exists, else create again (a few
/// rounds, then the lost answer is reported).
async fn create_or_adopt<T, C, CF, F, FF>(
    create: &C,
    find: &F,
) -> std::result::Result<T, EpturaError>
where
    C: Fn() -> CF,
    CF: Future<Output = std::result::Result<T, EpturaError>>,
    F: Fn() -> FF,
    FF: Future<Output = std::result::Result<Option<T>, EpturaError>>,
{
    let mut round = 1;
    loop {
        match create().await {
            Err(e) if e.is_outcome_unknown() && round < LOST_ANSWER_ROUNDS => {
                tracing::info!(
                    round,
                    "a create's answer was lost; looking the record up before retrying"
                );
                if let Some(found) = find().await? {
                    return Ok(found);
                }
                round += 1;
            }
            other => return other,
        }
    }
}

/// Tell the progress receiver, if any, where the upload stands.
fn send_progress(options: &UploadOptions, report: &UploadReport, totals: PortfolioCounts) {
    if let Some(progress) = &options.progress {
        progress.send_replace(UploadProgress {
            space_types: report.space_types,
            buildings: report.buildings,
            floors: report.floors,
            spaces: report.spaces,
            totals,
        });
    }
}

fn new_building(building: &Building) -> NewBuilding {
    NewBuilding {
        name: building.display_name().to_string(),
        code: building.code.clone(),
        street: building.address.clone(),
        street2: building.address2.clone(),
        city: building.city.clone(),
        zip: building.zip.clone(),
        state_code: Some(building.state_code.clone()).filter(|s| !s.is_empty()),
        country_code: building.country.map(|c| c.to_string()),
    }
}

fn new_space(space: &Space, floor_id: EpturaFloorId, type_id: EpturaSpaceTypeId) -> NewSpace {
    NewSpace {
        floor_id,
        type_id,
        name: space.name.clone(),
        capacity: space.capacity,
        reservable: space.reservable,
        occupiable: space.occupiable,
        description: space.description.clone(),
        area: space.square_feet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::generate::{Shape, portfolio};

    fn remote_building(id: i64, name: &str, code: Option<&str>) -> EpturaBuilding {
        EpturaBuilding {
            id: id.into(),
            name: name.into(),
            code: code.map(String::from),
            street: None,
            city: None,
            zip: None,
            state_code: None,
            state_name: None,
            country_code: None,
            centers: Vec::new(),
            date_updated: None,
        }
    }

    fn draft(name: &str, code: Option<&str>) -> NewBuilding {
        NewBuilding {
            name: name.into(),
            code: code.map(String::from),
            ..NewBuilding::default()
        }
    }

    #[test]
    fn buildings_match_by_code_then_by_normalised_name() {
        let existing = [
            remote_building(1, "Houston HQ", Some("hou1")),
            remote_building(2, "Boston  Office.", None),
            remote_building(3, "Chicago", Some("CHI9")),
        ];
        let find = |d: NewBuilding| find_building(&d, &existing).map(|e| e.id.get());
        assert_eq!(find(draft("Renamed", Some("HOU1"))), Some(1));
        assert_eq!(find(draft("boston office", Some("BOS1"))), Some(2));
        assert_eq!(find(draft("Boston Office", None)), Some(2));
        // A coded building never takes another code's building by name.
        assert_eq!(find(draft("Chicago", Some("CHI1"))), None);
        assert_eq!(find(draft("Chicago", None)), Some(3));
    }

    /// Eptura holding building B000 with its floor "1", one space on it, and one space type.
    fn partial_holdings() -> EpturaHoldings {
        EpturaHoldings {
            space_types: vec![EpturaSpaceType {
                id: 70.into(),
                name: "workstation".into(),
                type_code: None,
                usage: None,
                occupiable: None,
                parking: None,
                date_updated: None,
            }],
            buildings: vec![remote_building(10, "Old name", Some("b000"))],
            floors: vec![EpturaFloor {
                id: 20.into(),
                name: "1".into(),
                building_id: Some(10.into()),
                date_updated: None,
            }],
            spaces: vec![EpturaSpace {
                id: 30.into(),
                name: "1-000".into(),
                description: None,
                capacity: None,
                reservable: true,
                occupiable: None,
                area: None,
                type_id: Some(70.into()),
                type_name: None,
                usage: None,
                floor_id: Some(20.into()),
                building_id: Some(10.into()),
                date_updated: None,
            }],
        }
    }

    #[test]
    fn the_plan_creates_only_what_eptura_lacks_each_op_after_its_parents() {
        let shape = Shape {
            buildings: 2,
            floors_per_building: 2,
            spaces_per_floor: 3,
        };
        let plan = plan(&portfolio(shape), &partial_holdings());
        let of = |kind| plan.ops.iter().filter(|op| op.kind == kind).count();
        // The 3 types the spaces use, one present; B001 new; floor 2 of B000 and both of B001
        // new; 12 spaces less the one present.
        assert_eq!(of(UploadKind::SpaceType), 2);
        assert_eq!(of(UploadKind::Building), 1);
        assert_eq!(of(UploadKind::Floor), 3);
        assert_eq!(of(UploadKind::Space), 11);
        let present = |kind| plan.present.get(&kind).copied().unwrap_or(0);
        let kinds = UploadKind::ALL.map(present);
        assert_eq!(kinds, [1, 1, 1, 1]);
        // Levels in order, and every planned parent an earlier op of the parent's kind.
        let levels: Vec<UploadKind> = plan.ops.iter().map(|op| op.kind).collect();
        assert!(levels.is_sorted());
        fn parent_kind<I: Copy>(plan: &UploadPlan, r: Ref<I>, at: usize) -> Option<UploadKind> {
            match r {
                Ref::Existing(_) => None,
                Ref::Planned(p) => {
                    assert!(p < at, "op {at} refers to a later op {p}");
                    Some(plan.ops[p].kind)
                }
            }
        }
        for (at, op) in plan.ops.iter().enumerate() {
            match &op.draft {
                Draft::Floor { building, .. } => {
                    let kind = parent_kind(&plan, *building, at);
                    assert!(matches!(kind, None | Some(UploadKind::Building)));
                }
                Draft::Space {
                    floor, space_type, ..
                } => {
                    let floor_kind = parent_kind(&plan, *floor, at);
                    assert!(matches!(floor_kind, None | Some(UploadKind::Floor)));
                    let type_kind = parent_kind(&plan, *space_type, at);
                    assert!(matches!(type_kind, None | Some(UploadKind::SpaceType)));
                }
                Draft::SpaceType(_) | Draft::Building(_) => {}
            }
        }
        // Floor 2 of B000 hangs under the existing building; its spaces under the new floor.
        let b000_floor_2 = (plan.ops.iter())
            .position(|op| op.name == "Building 000 (B000) / 2")
            .expect("B000's floor 2 is planned");
        let Draft::Floor { building, .. } = &plan.ops[b000_floor_2].draft else {
            panic!("not a floor");
        };
        assert_eq!(*building, Ref::Existing(10.into()));
        let on_it = (plan.ops.iter())
            .filter(|op| matches!(&op.draft, Draft::Space { floor, .. } if *floor == Ref::Planned(b000_floor_2)))
            .count();
        assert_eq!(on_it, 3);
    }

    #[test]
    fn a_dry_run_reports_the_plan_itself() {
        let shape = Shape {
            buildings: 2,
            floors_per_building: 2,
            spaces_per_floor: 3,
        };
        let plan = plan(&portfolio(shape), &partial_holdings());
        let report = plan.report();
        assert!(report.dry_run);
        let lines: Vec<&String> = plan.ops.iter().map(|op| &op.line).collect();
        assert_eq!(report.created.iter().collect::<Vec<_>>(), lines);
        assert_eq!(report.writes(), plan.ops.len());
        assert_eq!(
            (
                report.spaces.created,
                report.spaces.present,
                report.spaces.failed
            ),
            (11, 1, 0)
        );
    }
}
