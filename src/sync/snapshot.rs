//! What the sync reads before it plans: everything Eptura Workplace holds that syncs, and
//! everything Condeco holds, each read whole through its client (all pages). Plain data once
//! read; the reading is the only I/O here.

use crate::condeco::{CondecoClient, CondecoError, Filter};
use crate::domain::remote::{
    CondecoCountry, CondecoGroup, CondecoLocation, CondecoRegion, CondecoResource,
    CondecoWorkspaceType, EpturaBuilding, EpturaCountry, EpturaFloor, EpturaSpace, EpturaSpaceType,
};
use crate::eptura::{EpturaClient, EpturaError};

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
    /// Read everything, one collection after another (each is paged by the client).
    pub async fn read(eptura: &EpturaClient) -> Result<Self, EpturaError> {
        Ok(EpturaSnapshot {
            countries: eptura.countries().await?,
            buildings: eptura.buildings().await?,
            floors: eptura.floors(None).await?,
            spaces: eptura.spaces(None, None).await?,
            space_types: eptura.space_types().await?,
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
    /// Read everything, one collection after another (each is paged by the client).
    pub async fn read(condeco: &CondecoClient) -> Result<Self, CondecoError> {
        let all = Filter::default();
        Ok(CondecoSnapshot {
            countries: condeco.countries(&all).await?,
            groups: condeco.groups(&all).await?,
            regions: condeco.regions(&all).await?,
            locations: condeco.locations(&all).await?,
            workspace_types: condeco.workspace_types(&all).await?,
            resources: condeco.resources(&all).await?,
        })
    }
}
