//! `spacebridge demo [--scenario new-customer|existing-customer]`: the TUI against both
//! simulators started in-process on loopback, with a throw-away data directory and the sample
//! template (built into the binary) loaded in the background at start, so Review opens by
//! itself. The simulator wiring is [`start_simulators`] alone. After a real upload from the
//! TUI the demo assigns the uploaded buildings to reservation centers through the simulator's
//! test-only route ([`assign_reservation_centers`]), standing in for the customer's step in
//! Eptura's admin UI, and says so; that code stays here, out of `crate::eptura`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use color_eyre::eyre::{Context, Result};

use crate::domain::Portfolio;
use crate::domain::names::normalise;
use crate::eptura::{EpturaClient, EpturaSettings};
use crate::http::{HttpClient, HttpConfig, Secret};
use crate::sim::{self, Faults, SimOptions, Sims};
use crate::tui::{self, AfterUpload, Link, Session};

/// The sample template shipped in `assets/`, so the demo works from any directory.
const SAMPLE_TEMPLATE: &[u8] = include_bytes!("../../assets/sample-template.xlsx");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scenario {
    /// Condeco holds nothing yet: the sync creates everything.
    #[default]
    NewCustomer,
    /// Condeco already holds part of the portfolio: the merge matters.
    ExistingCustomer,
}

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = Scenario::NewCustomer)]
    pub scenario: Scenario,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let scratch = Scratch::create()?;
    let template = scratch.path().join("sample-template.xlsx");
    std::fs::write(&template, SAMPLE_TEMPLATE)
        .with_context(|| format!("writing the sample template to {}", template.display()))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let sims = start_simulators(args.scenario, scratch.path()).await;
        let options = tui::Options {
            session: sims.session(),
            preload: Some(template),
            data_dir: Some(scratch.path().join("data")),
        };
        let outcome = tui::run(options).await;
        sims.shutdown().await;
        outcome
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The simulators the demo runs against, and what the status bar says about them.
struct Simulators {
    sims: Option<Sims>,
    session: Session,
}

impl Simulators {
    fn session(&self) -> Session {
        self.session.clone()
    }

    async fn shutdown(self) {
        if let Some(sims) = self.sims {
            sims.shutdown().await;
        }
    }
}

/// Start both simulators for `scenario` on free loopback ports, in memory (nothing of theirs
/// outlives the demo). If they cannot start, the demo runs on the template alone and says why.
async fn start_simulators(scenario: Scenario, _dir: &Path) -> Simulators {
    let options = SimOptions {
        scenario: match scenario {
            Scenario::NewCustomer => sim::Scenario::NewCustomer,
            Scenario::ExistingCustomer => sim::Scenario::ExistingCustomer,
        },
        eptura_port: 0,
        condeco_port: 0,
        state_file: None,
        faults: Faults::default(),
    };
    let profile = Some(format!("demo ({})", options.scenario));
    match sim::start(options).await {
        Ok(sims) => Simulators {
            session: Session {
                profile,
                eptura: Link::Simulator(sims.eptura_url.clone()),
                condeco: Link::Simulator(sims.condeco_url.clone()),
                eptura_client: simulator_client(&sims.eptura_url),
                after_upload: Some(assign_reservation_centers(sims.eptura_url.clone())),
                ..Session::default()
            },
            sims: Some(sims),
        },
        Err(e) => {
            tracing::warn!("demo simulators did not start: {e}");
            Simulators {
                session: Session {
                    profile,
                    eptura: Link::NotConfigured,
                    condeco: Link::NotConfigured,
                    note: Some(format!("simulators did not start ({e}): template only")),
                    ..Session::default()
                },
                sims: None,
            }
        }
    }
}

/// A client of the Eptura simulator (it takes any user and password). A faster request rate
/// than a real tenant's default, so the demo's upload takes seconds.
pub fn simulator_client(eptura_url: &str) -> Option<EpturaClient> {
    let settings = EpturaSettings {
        url: eptura_url.to_string(),
        username: "demo".to_string(),
        password: Secret::new("demo"),
    };
    let http = HttpClient::new(HttpConfig {
        rate_per_second: Some(100.0),
        burst: 100,
        ..HttpConfig::default()
    });
    match http
        .map_err(|e| e.to_string())
        .and_then(|http| EpturaClient::new(&settings, http).map_err(|e| e.to_string()))
    {
        Ok(client) => Some(client),
        Err(e) => {
            tracing::warn!("demo: no Eptura client for the simulator: {e}");
            None
        }
    }
}

/// The demo's step after an upload, standing in for the customer's step in Eptura's admin UI:
/// every uploaded building with a reservable space joins its city's reservation center, through
/// the simulator's test-only `POST /__sim/centers` (never part of the Eptura client).
pub fn assign_reservation_centers(eptura_url: String) -> AfterUpload {
    AfterUpload(Arc::new(move |client, portfolio| {
        let url = eptura_url.clone();
        Box::pin(async move { assign_centers(&url, &client, &portfolio).await })
    }))
}

async fn assign_centers(
    eptura_url: &str,
    client: &EpturaClient,
    portfolio: &Portfolio,
) -> std::result::Result<String, String> {
    let existing = client.buildings().await.map_err(|e| {
        format!("demo: cannot list the buildings to assign reservation centers: {e}")
    })?;
    let key = |code: Option<&str>| code.map(|c| c.trim().to_uppercase());
    let mut by_city: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let reservable = (portfolio.buildings.iter()).filter(|b| {
        b.floors
            .iter()
            .flat_map(|f| &f.spaces)
            .any(|s| s.reservable)
    });
    for building in reservable {
        let code = key(building.code.as_deref());
        let found = (existing.iter())
            .find(|e| code.is_some() && key(e.code.as_deref()) == code)
            .or_else(|| {
                let name = normalise(building.display_name());
                existing.iter().find(|e| normalise(&e.name) == name)
            });
        if let Some(found) = found {
            let city = building.city.clone().unwrap_or_else(|| "Demo".to_string());
            by_city.entry(city).or_default().push(found.id.get());
        }
    }
    let http = reqwest::Client::new();
    let mut assigned = 0;
    for (city, ids) in &by_city {
        let name = format!("{city} Reservation Center");
        let body = serde_json::json!({ "name": name, "buildingIds": ids });
        let response = http
            .post(format!(
                "{}/__sim/centers",
                eptura_url.trim_end_matches('/')
            ))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("demo: cannot assign {name}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "demo: the simulator answered {} to assigning {name}",
                response.status()
            ));
        }
        assigned += ids.len();
    }
    Ok(format!(
        "demo: assigned {assigned} buildings to {} reservation centers, standing in for \
         Eptura's admin UI",
        by_city.len()
    ))
}

/// A directory removed when the demo ends.
struct Scratch(PathBuf);

impl Scratch {
    fn create() -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("spacebridge-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the demo's scratch directory {}", dir.display()))?;
        Ok(Scratch(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
