//! `spacebridge demo [--scenario new-customer|existing-customer] [--keep DIR]`: the TUI against
//! both simulators started in-process on loopback, with a throw-away data directory (mapping
//! store, recent files, log) and the sample template (built into the binary) loaded in the
//! background at start, so Review opens by itself. With `--keep DIR` the simulators' data, the
//! store and the data directory live in DIR instead, so quitting and starting the demo again
//! with the same DIR carries on where it was (a sync quit half-way resumes). The simulator
//! wiring is [`start_simulators`] alone. After a real upload from the
//! TUI the demo assigns the uploaded buildings to reservation centers through the simulator's
//! test-only route ([`assign_reservation_centers`]), standing in for the customer's step in
//! Eptura's admin UI, and says so; that code stays here, out of `crate::eptura`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use color_eyre::eyre::{Context, Result};

use crate::condeco::{CondecoClient, CondecoSettings};
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
    /// Keep the simulators' data, the mapping store and the recent files in DIR (created if
    /// missing): the demo started again with the same DIR carries on where it was.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// Requests a second the demo's clients send to the Condeco simulator: slow enough to watch
/// the sync's gauges move (about eight seconds for the sample), and to quit it half-way.
const DEMO_CONDECO_RATE: f64 = 60.0;

pub fn run(args: &Args) -> Result<ExitCode> {
    let scratch = match &args.keep {
        Some(dir) => Scratch::keep(dir)?,
        None => Scratch::create()?,
    };
    let template = scratch.path().join("sample-template.xlsx");
    std::fs::write(&template, SAMPLE_TEMPLATE)
        .with_context(|| format!("writing the sample template to {}", template.display()))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let state = args
            .keep
            .as_ref()
            .map(|_| scratch.path().join("simulators.json"));
        let mut sims = start_simulators(args.scenario, state).await;
        sims.session.store = Some(scratch.path().join("store.sqlite"));
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
/// outlives the demo) or kept in `state` (read at start when it exists). If they cannot start,
/// the demo runs on the template alone and says why.
async fn start_simulators(scenario: Scenario, state: Option<PathBuf>) -> Simulators {
    let options = SimOptions {
        scenario: match scenario {
            Scenario::NewCustomer => sim::Scenario::NewCustomer,
            Scenario::ExistingCustomer => sim::Scenario::ExistingCustomer,
        },
        eptura_port: 0,
        condeco_port: 0,
        state_file: state,
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
                condeco_client: condeco_simulator_client(&sims.condeco_url),
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
    demo_client("Eptura", 100.0, 100, |http| {
        EpturaClient::new(&settings, http).map_err(|e| e.to_string())
    })
}

/// A client of the Condeco simulator (it takes any key and credentials), paced at
/// [`DEMO_CONDECO_RATE`].
pub fn condeco_simulator_client(condeco_url: &str) -> Option<CondecoClient> {
    let settings = CondecoSettings {
        url: condeco_url.to_string(),
        client_name: "demo".to_string(),
        subscription_key: Secret::new("demo"),
        client_id: Secret::new("demo"),
        client_secret: Secret::new("demo"),
    };
    demo_client("Condeco", DEMO_CONDECO_RATE, 10, |http| {
        CondecoClient::new(&settings, http).map_err(|e| e.to_string())
    })
}

/// A client over HTTP paced at `rate` requests a second; `None` (logged) if it cannot be built.
fn demo_client<T>(
    service: &str,
    rate: f64,
    burst: u32,
    build: impl FnOnce(HttpClient) -> std::result::Result<T, String>,
) -> Option<T> {
    let http = HttpClient::new(HttpConfig {
        rate_per_second: Some(rate),
        burst,
        ..HttpConfig::default()
    });
    match http.map_err(|e| e.to_string()).and_then(build) {
        Ok(client) => Some(client),
        Err(e) => {
            tracing::warn!("demo: no {service} client for the simulator: {e}");
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

/// The demo's directory: removed when the demo ends, unless the operator asked to keep it.
struct Scratch {
    dir: PathBuf,
    remove: bool,
}

impl Scratch {
    fn create() -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("spacebridge-demo-{}", std::process::id()));
        Scratch::made(dir, true)
    }

    fn keep(dir: &Path) -> Result<Scratch> {
        Scratch::made(dir.to_path_buf(), false)
    }

    fn made(dir: PathBuf, remove: bool) -> Result<Scratch> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the demo's directory {}", dir.display()))?;
        Ok(Scratch { dir, remove })
    }

    fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
