//! Upload a template's [`Portfolio`] to Eptura Workplace: create the missing space types
//! (with the usage the template's classification gave them), buildings (name, code, address
//! with state and city), floors and spaces, and nothing that is already there.
//!
//! Idempotent by matching, not by memory: a building matches by code, else by normalised name;
//! a floor by (building, normalised name); a space by (floor, normalised name); a space type by
//! normalised name. So a second run creates nothing, and a run that was interrupted finishes
//! the rest next time. A create whose answer was lost is settled by looking the record up
//! before creating it again, so a dropped connection never makes a duplicate.
//!
//! A record Eptura refuses is reported and skipped with its children; a failure of the
//! connection stops the upload. An upload asked to stop (its cancellation token) starts no
//! new create, lets the ones in flight finish and returns what it did until then, so its
//! counts are exact. Progress is reported after every record. This module never prints.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{EpturaClient, EpturaError, NewBuilding, NewFloor, NewSpace, NewSpaceType};
use crate::domain::names::normalise;
use crate::domain::remote::{EpturaBuilding, EpturaFloor, EpturaSpace};
use crate::domain::{Building, Floor, Portfolio, PortfolioCounts, Space};

/// How to upload.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Look and report, write nothing.
    pub dry_run: bool,
    /// Spaces created at once (the HTTP layer's AIMD limit still applies).
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
    /// Records settled so far (created, present or refused), all kinds.
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

/// Created and already-present records of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub created: usize,
    pub present: usize,
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
    /// One line per record created (or to be created), in order.
    pub created: Vec<String>,
    /// Records Eptura refused, with its answer; their children were skipped.
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

/// Create what the portfolio has and Eptura lacks.
pub async fn upload(
    eptura: &EpturaClient,
    portfolio: &Portfolio,
    options: UploadOptions,
) -> Result<UploadReport> {
    let mut run = Run {
        eptura,
        report: UploadReport {
            dry_run: options.dry_run,
            ..UploadReport::default()
        },
        totals: portfolio.counts(),
        options,
    };
    let types = run.space_types(portfolio).await?;
    run.tick();
    let existing = eptura
        .buildings()
        .await
        .map_err(context("listing the buildings"))?;
    for building in &portfolio.buildings {
        if run.stopping() {
            break;
        }
        run.building(building, &existing, &types).await?;
    }
    run.report.stopped = run.stopping();
    run.tick();
    Ok(run.report)
}

/// The key a building is matched by: its code, else its normalised name.
fn find_building<'a>(
    building: &Building,
    existing: &'a [EpturaBuilding],
) -> Option<&'a EpturaBuilding> {
    let code = building.code.as_deref().map(|c| c.trim().to_uppercase());
    if let Some(code) = &code
        && let Some(found) = existing
            .iter()
            .find(|b| b.code.as_deref().map(|c| c.trim().to_uppercase()).as_ref() == Some(code))
    {
        return Some(found);
    }
    let name = normalise(building.display_name());
    existing
        .iter()
        .find(|b| normalise(&b.name) == name && (code.is_none() || b.code.is_none()))
}

struct Run<'a> {
    eptura: &'a EpturaClient,
    options: UploadOptions,
    report: UploadReport,
    totals: PortfolioCounts,
}

/// Space type ids by normalised name; `None` for a type a dry run would create.
type TypeIds = HashMap<String, Option<i64>>;

/// The spaces a building already has, as (floor id, normalised name).
type SpaceKeys = HashSet<(i64, String)>;

impl Run<'_> {
    /// Whether the upload was asked to stop: start no new create.
    fn stopping(&self) -> bool {
        self.options
            .cancel
            .as_ref()
            .is_some_and(|c| c.is_cancelled())
    }

    /// Tell the progress receiver, if any, where the upload stands.
    fn tick(&self) {
        if let Some(progress) = &self.options.progress {
            let r = &self.report;
            progress.send_replace(UploadProgress {
                space_types: r.space_types,
                buildings: r.buildings,
                floors: r.floors,
                spaces: r.spaces,
                totals: self.totals,
            });
        }
    }

    async fn space_types(&mut self, portfolio: &Portfolio) -> Result<TypeIds> {
        let existing = self
            .eptura
            .space_types()
            .await
            .map_err(context("listing the space types"))?;
        let mut ids: TypeIds = existing
            .iter()
            .map(|t| (normalise(&t.name), Some(t.id)))
            .collect();
        for space_type in &portfolio.space_types {
            if self.stopping() {
                break;
            }
            let key = normalise(&space_type.name);
            if ids.contains_key(&key) {
                self.report.space_types.present += 1;
                continue;
            }
            let draft = NewSpaceType {
                name: space_type.name.clone(),
                usage: space_type.usage,
                type_code: None,
                occupiable: None,
            };
            let line = format!("space type \"{}\" ({})", space_type.name, space_type.usage);
            let created = self
                .create(
                    "space type",
                    &space_type.name,
                    line,
                    || self.eptura.create_space_type(&draft),
                    || async {
                        let all = self.eptura.space_types().await?;
                        Ok(all.into_iter().find(|t| normalise(&t.name) == key))
                    },
                )
                .await?;
            match created {
                Created::Made(t) => {
                    self.report.space_types.created += 1;
                    ids.insert(normalise(&space_type.name), Some(t.id));
                }
                Created::DryRun => {
                    self.report.space_types.created += 1;
                    ids.insert(normalise(&space_type.name), None);
                }
                Created::Refused => self.report.space_types.failed += 1,
            }
            self.tick();
        }
        Ok(ids)
    }

    async fn building(
        &mut self,
        building: &Building,
        existing: &[EpturaBuilding],
        types: &TypeIds,
    ) -> Result<()> {
        let (building_id, floors, spaces) = match find_building(building, existing) {
            Some(found) => {
                self.report.buildings.present += 1;
                let floors = self
                    .eptura
                    .floors(Some(found.id))
                    .await
                    .map_err(context(format!(
                        "listing the floors of {}",
                        building.label()
                    )))?;
                let spaces = self
                    .eptura
                    .spaces(Some(found.id), None)
                    .await
                    .map_err(context(format!(
                        "listing the spaces of {}",
                        building.label()
                    )))?;
                (Some(found.id), floors, spaces)
            }
            None => {
                let draft = new_building(building);
                let line = format!("building {}", building.label());
                let created = self
                    .create(
                        "building",
                        &building.label(),
                        line,
                        || self.eptura.create_building(&draft),
                        || async {
                            let all = self.eptura.buildings().await?;
                            Ok(find_building(building, &all).cloned())
                        },
                    )
                    .await?;
                match created {
                    Created::Made(b) => {
                        self.report.buildings.created += 1;
                        (Some(b.id), Vec::new(), Vec::new())
                    }
                    Created::DryRun => {
                        self.report.buildings.created += 1;
                        (None, Vec::new(), Vec::new())
                    }
                    Created::Refused => {
                        self.report.buildings.failed += 1;
                        return Ok(());
                    }
                }
            }
        };
        let existing_spaces: SpaceKeys = spaces
            .iter()
            .filter_map(|s| Some((s.floor_id?, normalise(&s.name))))
            .collect();
        self.tick();
        for floor in &building.floors {
            if self.stopping() {
                return Ok(());
            }
            self.floor(
                building,
                building_id,
                floor,
                &floors,
                &existing_spaces,
                types,
            )
            .await?;
            self.tick();
        }
        Ok(())
    }

    async fn floor(
        &mut self,
        building: &Building,
        building_id: Option<i64>,
        floor: &Floor,
        floors: &[EpturaFloor],
        spaces: &SpaceKeys,
        types: &TypeIds,
    ) -> Result<()> {
        let key = normalise(&floor.name);
        let floor_id = match floors.iter().find(|f| normalise(&f.name) == key) {
            Some(found) => {
                self.report.floors.present += 1;
                Some(found.id)
            }
            None => {
                let line = format!("floor \"{}\" in {}", floor.name, building.label());
                let label = format!("{} / {}", building.label(), floor.name);
                let created = match building_id {
                    Some(building_id) => {
                        let draft = NewFloor {
                            building_id,
                            name: floor.name.clone(),
                        };
                        self.create(
                            "floor",
                            &label,
                            line,
                            || self.eptura.create_floor(&draft),
                            || async {
                                let all = self.eptura.floors(Some(building_id)).await?;
                                Ok(all.into_iter().find(|f| normalise(&f.name) == key))
                            },
                        )
                        .await?
                    }
                    None => {
                        self.report.created.push(line);
                        Created::DryRun
                    }
                };
                match created {
                    Created::Made(f) => {
                        self.report.floors.created += 1;
                        Some(f.id)
                    }
                    Created::DryRun => {
                        self.report.floors.created += 1;
                        None
                    }
                    Created::Refused => {
                        self.report.floors.failed += 1;
                        return Ok(());
                    }
                }
            }
        };
        let (present, missing): (Vec<&Space>, Vec<&Space>) = floor
            .spaces
            .iter()
            .partition(|s| floor_id.is_some_and(|id| spaces.contains(&(id, normalise(&s.name)))));
        self.report.spaces.present += present.len();
        self.spaces(building, floor, floor_id, &missing, types)
            .await
    }

    /// Create the missing spaces of one floor, several at once.
    async fn spaces(
        &mut self,
        building: &Building,
        floor: &Floor,
        floor_id: Option<i64>,
        missing: &[&Space],
        types: &TypeIds,
    ) -> Result<()> {
        let place = format!("{} / floor {}", building.label(), floor.name);
        let (Some(floor_id), false) = (floor_id, self.options.dry_run) else {
            for space in missing {
                self.report
                    .created
                    .push(format!("space \"{}\" on {place}", space.name));
            }
            self.report.spaces.created += missing.len();
            return Ok(());
        };
        let type_of = |space: &Space| types.get(&normalise(&space.space_type)).copied().flatten();
        let (ready, untyped): (Vec<&Space>, Vec<&Space>) =
            missing.iter().copied().partition(|s| type_of(s).is_some());
        for space in untyped {
            self.report.spaces.failed += 1;
            self.report.failures.push(UploadFailure {
                kind: "space",
                name: format!("{place} / {}", space.name),
                message: format!(
                    "its space type \"{}\" is not in Eptura and could not be created",
                    space.space_type
                ),
            });
        }
        let eptura = self.eptura;
        let cancel = self.options.cancel.clone();
        // The futures are built before they go into the stream (they do nothing until polled):
        // a mapping closure in the stream's type would make the upload future not `Send`, and
        // the TUI runs it in a spawned task. Each looks at the token when it starts, so once
        // the upload is asked to stop the queued ones do nothing and those in flight finish.
        let creates: Vec<_> = (ready.into_iter())
            .map(|space| {
                let type_id = type_of(space).unwrap_or_default();
                let cancel = cancel.clone();
                async move {
                    if cancel.is_some_and(|c| c.is_cancelled()) {
                        return (space, None);
                    }
                    (
                        space,
                        Some(create_space(eptura, floor_id, space, type_id).await),
                    )
                }
            })
            .collect();
        let mut outcomes = stream::iter(creates).buffer_unordered(self.options.concurrency.max(1));
        while let Some((space, outcome)) = outcomes.next().await {
            let Some(outcome) = outcome else {
                continue;
            };
            match outcome {
                Ok(_) => {
                    self.report.spaces.created += 1;
                    self.report
                        .created
                        .push(format!("space \"{}\" on {place}", space.name));
                }
                Err(e) if e.is_connection() => {
                    return Err(UploadError {
                        doing: format!("creating space \"{}\" on {place}", space.name),
                        source: e,
                    });
                }
                Err(e) => {
                    self.report.spaces.failed += 1;
                    self.report.failures.push(UploadFailure {
                        kind: "space",
                        name: format!("{place} / {}", space.name),
                        message: e.to_string(),
                    });
                }
            }
            self.tick();
        }
        Ok(())
    }

    /// Create one record, or in a dry run only note it. A lost answer is settled with `find`;
    /// a refusal is recorded; a connection failure stops the upload.
    async fn create<T, C, CF, F, FF>(
        &mut self,
        kind: &'static str,
        name: &str,
        line: String,
        create: C,
        find: F,
    ) -> Result<Created<T>>
    where
        C: Fn() -> CF,
        CF: Future<Output = std::result::Result<T, EpturaError>>,
        F: Fn() -> FF,
        FF: Future<Output = std::result::Result<Option<T>, EpturaError>>,
    {
        if self.options.dry_run {
            self.report.created.push(line);
            return Ok(Created::DryRun);
        }
        match create_or_adopt(&create, &find).await {
            Ok(made) => {
                self.report.created.push(line);
                Ok(Created::Made(made))
            }
            Err(e) if e.is_connection() => Err(UploadError {
                doing: format!("creating {kind} {name}"),
                source: e,
            }),
            Err(e) => {
                self.report.failures.push(UploadFailure {
                    kind,
                    name: name.to_string(),
                    message: e.to_string(),
                });
                Ok(Created::Refused)
            }
        }
    }
}

enum Created<T> {
    Made(T),
    DryRun,
    Refused,
}

/// How many times a create whose answer keeps getting lost is looked up and tried again.
const LOST_ANSWER_ROUNDS: usize = 5;

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

async fn create_space(
    eptura: &EpturaClient,
    floor_id: i64,
    space: &Space,
    type_id: i64,
) -> std::result::Result<EpturaSpace, EpturaError> {
    let draft = NewSpace {
        floor_id,
        type_id,
        name: space.name.clone(),
        capacity: space.capacity,
        reservable: space.reservable,
        occupiable: space.occupiable,
        description: space.description.clone(),
        area: space.square_feet,
    };
    let key = normalise(&space.name);
    create_or_adopt(&|| eptura.create_space(&draft), &|| async {
        let all = eptura.spaces(None, Some(floor_id)).await?;
        Ok(all
            .into_iter()
            .find(|s| s.floor_id == Some(floor_id) && normalise(&s.name) == key))
    })
    .await
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SourceRow;

    fn building(name: Option<&str>, code: Option<&str>) -> Building {
        Building {
            key: String::new(),
            name: name.map(String::from),
            code: code.map(String::from),
            state_code: "TX".into(),
            country: None,
            address: None,
            address2: None,
            city: None,
            zip: None,
            floors: Vec::new(),
            source: SourceRow { row: 5 },
        }
    }

    fn remote(id: i64, name: &str, code: Option<&str>) -> EpturaBuilding {
        EpturaBuilding {
            id,
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

    #[test]
    fn buildings_match_by_code_then_by_normalised_name() {
        let existing = [
            remote(1, "Houston HQ", Some("hou1")),
            remote(2, "Boston  Office.", None),
            remote(3, "Chicago", Some("CHI9")),
        ];
        let find = |b: Building| find_building(&b, &existing).map(|e| e.id);
        assert_eq!(find(building(Some("Renamed"), Some("HOU1"))), Some(1));
        assert_eq!(find(building(Some("boston office"), Some("BOS1"))), Some(2));
        assert_eq!(find(building(Some("Boston Office"), None)), Some(2));
        // A coded building never takes another code's building by name.
        assert_eq!(find(building(Some("Chicago"), Some("CHI1"))), None);
        assert_eq!(find(building(Some("Chicago"), None)), Some(3));
    }
}
