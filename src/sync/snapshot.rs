//! What the sync reads before it plans: everything Eptura Workplace holds that syncs, and
//! everything Condeco holds, each read through its client (all pages). Plain data once read;
//! the reading is the only I/O here.
//!
//! Eptura is read whole by an initial run. A daily run reads countries, buildings (with their
//! reservation centers) and space types whole (a few pages), but floors and spaces only as the
//! records changed since the store's copy was read (`modifiedOrCreatedAfter`, less a safety
//! overlap for clocks and for writes made while that read ran) plus their id listings, which
//! tell the deleted ones (the API has no feed of deletions). The copy brought up to date is the
//! whole estate again; an id listed but in neither the copy nor the changes (created between
//! two listings) is fetched by itself.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use crate::condeco::{CondecoClient, CondecoError, Filter};
use crate::domain::ids::{EpturaFloorId, EpturaSpaceId};
use crate::domain::remote::{
    CondecoCountry, CondecoGroup, CondecoLocation, CondecoRegion, CondecoResource,
    CondecoWorkspaceType, EpturaBuilding, EpturaCountry, EpturaFloor, EpturaSpace, EpturaSpaceType,
};
use crate::eptura::{EpturaClient, EpturaError};
use crate::store::{EpturaChanges, EpturaCopy};

use super::quota::QuotaWait;

/// How far before the copy's read a daily run asks for changes: covers a server clock behind
/// ours and records written while that read was paging.
pub const CHANGES_OVERLAP_MS: i64 = 10 * 60 * 1000;

/// Eptura Workplace's side: the records the mapping rules read.
#[derive(Debug, Clone, Default)]
pub struct EpturaSnapshot {
    pub countries: Vec<EpturaCountry>,
    /// With their reservation centers.
    pub buildings: Vec<EpturaBuilding>,
    pub floors: Vec<EpturaFloor>,
    pub spaces: Vec<EpturaSpace>,
    pub space_types: Vec<EpturaSpaceType>,
}

impl EpturaSnapshot {
    /// Read everything: the spaces beside the rest, each collection paged one page after
    /// another by the client.
    pub async fn read(eptura: &EpturaClient) -> Result<Self, EpturaError> {
        let (rest, spaces) = tokio::join!(
            async {
                let countries = eptura.countries().await?;
                let buildings = eptura.buildings().await?;
                let floors = eptura.floors(None).await?;
                let space_types = eptura.space_types().await?;
                Ok::<_, EpturaError>((countries, buildings, floors, space_types))
            },
            eptura.spaces(None, None)
        );
        let (countries, buildings, floors, space_types) = rest?;
        Ok(EpturaSnapshot {
            countries,
            buildings,
            floors,
            spaces: spaces?,
            space_types,
        })
    }
}

/// What a read changed in the store's copy of floors and spaces.
#[derive(Debug, Clone, Default)]
pub struct CopyUpdate {
    /// A full read: the copy is replaced by the snapshot's floors and spaces.
    pub replace: bool,
    pub floors: Vec<EpturaFloor>,
    pub spaces: Vec<EpturaSpace>,
    pub gone_floors: Vec<EpturaFloorId>,
    pub gone_spaces: Vec<EpturaSpaceId>,
    /// When the read started (epoch ms).
    pub read_at_ms: i64,
}

impl CopyUpdate {
    /// The store's view of this update (for a full read, `snapshot`'s floors and spaces).
    pub fn changes<'a>(&'a self, snapshot: &'a EpturaSnapshot) -> EpturaChanges<'a> {
        let (floors, spaces) = match self.replace {
            true => (&snapshot.floors, &snapshot.spaces),
            false => (&self.floors, &self.spaces),
        };
        EpturaChanges {
            floors,
            spaces,
            gone_floors: &self.gone_floors,
            gone_spaces: &self.gone_spaces,
            read_at_ms: self.read_at_ms,
        }
    }
}

impl EpturaSnapshot {
    /// Read everything, as the copy's replacement.
    pub async fn read_full(
        eptura: &EpturaClient,
        read_at_ms: i64,
    ) -> Result<(Self, CopyUpdate), EpturaError> {
        let snapshot = EpturaSnapshot::read(eptura).await?;
        let update = CopyUpdate {
            replace: true,
            read_at_ms,
            ..CopyUpdate::default()
        };
        Ok((snapshot, update))
    }

    /// Read what changed since `copy` was read, and bring it up to date (see the module doc).
    pub async fn read_changes(
        eptura: &EpturaClient,
        copy: EpturaCopy,
        read_at_ms: i64,
    ) -> Result<(Self, CopyUpdate), EpturaError> {
        let since = copy.read_at_ms.saturating_sub(CHANGES_OVERLAP_MS);
        // Seven listings, two at a time (the long id listings beside the short ones); whole
        // records are paged one page after another as Eptura asks, id pages a few at a time.
        let (small, ids) = tokio::join!(
            async {
                let countries = eptura.countries().await?;
                let buildings = eptura.buildings().await?;
                let space_types = eptura.space_types().await?;
                let floors = eptura.floors_changed_since(since).await?;
                let spaces = eptura.spaces_changed_since(since).await?;
                Ok::<_, EpturaError>((countries, buildings, space_types, floors, spaces))
            },
            async {
                let floors = eptura.floor_ids().await?;
                let spaces = eptura.space_ids().await?;
                Ok::<_, EpturaError>((floors, spaces))
            }
        );
        let (countries, buildings, space_types, changed_floors, changed_spaces) = small?;
        let (floor_ids, space_ids) = ids?;
        let floors = Changed {
            copy: copy.floors,
            changed: changed_floors,
            ids: floor_ids,
        }
        .settle(|f| f.id, |id| eptura.floor(id))
        .await?;
        let spaces = Changed {
            copy: copy.spaces,
            changed: changed_spaces,
            ids: space_ids,
        }
        .settle(|s| s.id, |id| eptura.space(id))
        .await?;
        let snapshot = EpturaSnapshot {
            countries,
            buildings,
            floors: floors.records,
            spaces: spaces.records,
            space_types,
        };
        let update = CopyUpdate {
            replace: false,
            floors: floors.changed,
            spaces: spaces.changed,
            gone_floors: floors.gone,
            gone_spaces: spaces.gone,
            read_at_ms,
        };
        Ok((snapshot, update))
    }
}

/// One collection's copy, the records changed since, and the ids listed now.
struct Changed<T, I> {
    copy: Vec<T>,
    changed: Vec<T>,
    ids: Vec<I>,
}

/// The collection brought up to date.
struct Settled<T, I> {
    /// Every record now, in id order.
    records: Vec<T>,
    /// The records to write to the copy (changed, and fetched by id).
    changed: Vec<T>,
    /// Ids in the copy no longer listed.
    gone: Vec<I>,
}

impl<T: Clone, I: Copy + Ord> Changed<T, I> {
    async fn settle<F, Fut>(
        self,
        id: impl Fn(&T) -> I,
        fetch: F,
    ) -> Result<Settled<T, I>, EpturaError>
    where
        F: Fn(I) -> Fut,
        Fut: Future<Output = Result<T, EpturaError>>,
    {
        let listed: BTreeSet<I> = self.ids.iter().copied().collect();
        let mut all: BTreeMap<I, T> = BTreeMap::new();
        let mut gone = Vec::new();
        for record in self.copy {
            let key = id(&record);
            match listed.contains(&key) {
                true => drop(all.insert(key, record)),
                false => gone.push(key),
            }
        }
        let mut changed: Vec<T> = Vec::new();
        for record in self.changed {
            if listed.contains(&id(&record)) {
                all.insert(id(&record), record.clone());
                changed.push(record);
            }
        }
        let missing: Vec<I> = listed
            .iter()
            .filter(|k| !all.contains_key(k))
            .copied()
            .collect();
        for key in missing {
            match fetch(key).await {
                Ok(record) => {
                    all.insert(key, record.clone());
                    changed.push(record);
                }
                // Deleted since it was listed: gone, as the next listing will say.
                Err(EpturaError::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(Settled {
            records: all.into_values().collect(),
            changed,
            gone,
        })
    }
}

/// Condeco's side: every entity of the hierarchy, floors inside their locations.
#[derive(Debug, Clone, Default)]
pub struct CondecoSnapshot {
    pub countries: Vec<CondecoCountry>,
    pub groups: Vec<CondecoGroup>,
    pub regions: Vec<CondecoRegion>,
    pub locations: Vec<CondecoLocation>,
    pub workspace_types: Vec<CondecoWorkspaceType>,
    pub resources: Vec<CondecoResource>,
}

impl CondecoSnapshot {
    /// Read everything, one collection after another (each is paged by the client); a
    /// collection cut short by the call quota is read again once it renews, if `quota` allows.
    pub async fn read(condeco: &CondecoClient, quota: QuotaWait<'_>) -> Result<Self, CondecoError> {
        let all = Filter::default();
        Ok(CondecoSnapshot {
            countries: quota.call(|| condeco.countries(&all)).await?,
            groups: quota.call(|| condeco.groups(&all)).await?,
            regions: quota.call(|| condeco.regions(&all)).await?,
            locations: quota.call(|| condeco.locations(&all)).await?,
            workspace_types: quota.call(|| condeco.workspace_types(&all)).await?,
            resources: quota.call(|| condeco.resources(&all)).await?,
        })
    }
}
