//! The one harness of the integration tests, in the spirit of zero-to-production's `spawn_app`:
//! [`spawn_sims`] starts both simulators in-process on loopback (given a scenario and faults) and
//! returns a [`Simulators`] handle with their addresses, ready-made clients and settings, raw
//! API callers and readers of the control plane (`stats`, `state`, `faults`). Beside it: loopback
//! stubs and a log capture ([`stubs`]), the binary run with a clean environment ([`cli`]) and a
//! headless TUI ([`tui`]).
//!
//! Test modules take their helpers from here and keep none of their own copies; a helper that
//! only one module needs stays in that module.
#![allow(dead_code)]

pub mod chaos;
pub mod cli;
pub mod raw;
pub mod stubs;
pub mod synced;
pub mod syncing;
pub mod tui;

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use spacebridge::condeco::{CondecoClient, CondecoSettings};
use spacebridge::eptura::{EpturaClient, EpturaSettings};
use spacebridge::http::{HttpClient, HttpConfig, Secret};
use spacebridge::sim::{self, Faults, Scenario, SimError, SimOptions};

pub use raw::{CondecoApi, EpturaApi};

/// The Eptura user every test client signs in as.
pub const EPTURA_USERNAME: &str = "ops@example.com";
/// Its password: a test may check that it appears in no error, log or output.
pub const EPTURA_PASSWORD: &str = "eptura-pass-w0rd-secret";
/// The Condeco site name of every test client.
pub const CONDECO_CLIENT: &str = "acme";
pub const CONDECO_KEY: &str = "sub-key-0123456789abcdef";
pub const CONDECO_CLIENT_ID: &str = "client-id-abcdef";
pub const CONDECO_CLIENT_SECRET: &str = "client-secret-987654321";

/// The sample template of `assets/` (no errors) and its copy with mistakes, relative to the
/// crate root (the tests' working directory).
pub const SAMPLE: &str = "assets/sample-template.xlsx";
pub const MISTAKES: &str = "assets/sample-template-mistakes.xlsx";

/// `rel` (relative to the crate root) as an absolute path, for the binary and for `load`.
pub fn path_of(rel: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Settings of an Eptura client of `url` with the test credentials.
pub fn eptura_settings(url: &str) -> EpturaSettings {
    EpturaSettings {
        url: url.to_string(),
        username: EPTURA_USERNAME.into(),
        password: Secret::new(EPTURA_PASSWORD),
    }
}

/// Settings of a Condeco client of `url` with the test credentials.
pub fn condeco_settings(url: &str) -> CondecoSettings {
    CondecoSettings {
        url: url.to_string(),
        client_name: CONDECO_CLIENT.into(),
        subscription_key: Secret::new(CONDECO_KEY),
        client_id: Secret::new(CONDECO_CLIENT_ID),
        client_secret: Secret::new(CONDECO_CLIENT_SECRET),
    }
}

/// The shared HTTP layer with the tests' settings: short timeouts and backoff, no rate limit.
pub fn test_http() -> HttpClient {
    HttpClient::new(HttpConfig::for_tests()).expect("the HTTP client builds")
}

/// An Eptura client of `url` over the tests' HTTP settings (short timeouts and backoff).
pub fn eptura_client(url: &str) -> EpturaClient {
    eptura_client_with(url, HttpConfig::for_tests())
}

/// An Eptura client of `url` over `http`.
pub fn eptura_client_with(url: &str, http: HttpConfig) -> EpturaClient {
    let http = HttpClient::new(http).expect("the HTTP client builds");
    EpturaClient::new(&eptura_settings(url), http).expect("the Eptura client builds")
}

/// A Condeco client of `url` over the tests' HTTP settings.
pub fn condeco_client(url: &str) -> CondecoClient {
    CondecoClient::new(&condeco_settings(url), test_http()).expect("the Condeco client builds")
}

/// The environment that points the binary at an Eptura of `url`, with the test credentials.
pub fn eptura_env(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SPACEBRIDGE_EPTURA_URL", url.to_string()),
        ("SPACEBRIDGE_EPTURA_USERNAME", EPTURA_USERNAME.to_string()),
        ("SPACEBRIDGE_EPTURA_PASSWORD", EPTURA_PASSWORD.to_string()),
    ]
}

/// The environment that points the binary at a Condeco of `url`, with the test credentials.
pub fn condeco_env(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SPACEBRIDGE_CONDECO_URL", url.to_string()),
        ("SPACEBRIDGE_CONDECO_CLIENT", CONDECO_CLIENT.to_string()),
        (
            "SPACEBRIDGE_CONDECO_SUBSCRIPTION_KEY",
            CONDECO_KEY.to_string(),
        ),
        (
            "SPACEBRIDGE_CONDECO_CLIENT_ID",
            CONDECO_CLIENT_ID.to_string(),
        ),
        (
            "SPACEBRIDGE_CONDECO_CLIENT_SECRET",
            CONDECO_CLIENT_SECRET.to_string(),
        ),
    ]
}

/// One of the two simulators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Eptura,
    Condeco,
}

/// Both simulators, running; stop them with [`Simulators::shutdown`] (dropping stops them too,
/// without waiting).
#[derive(Debug)]
pub struct Simulators {
    /// "http://127.0.0.1:PORT", the Eptura site address.
    pub eptura_url: String,
    /// "http://127.0.0.1:PORT", the Condeco API address.
    pub condeco_url: String,
    sims: sim::Sims,
}

/// Start both simulators on loopback with `scenario`'s data and `faults`.
pub async fn spawn_sims(scenario: Scenario, faults: Faults) -> Simulators {
    spawn_sims_with(SimOptions {
        scenario,
        faults,
        ..SimOptions::default()
    })
    .await
    .expect("the simulators start")
}

/// Start both simulators with `options` (a state file, say); the error when they refuse.
pub async fn spawn_sims_with(options: SimOptions) -> Result<Simulators, SimError> {
    let sims = sim::start(options).await?;
    Ok(Simulators {
        eptura_url: sims.eptura_url.clone(),
        condeco_url: sims.condeco_url.clone(),
        sims,
    })
}

impl Simulators {
    /// The address of one simulator.
    pub fn url(&self, side: Side) -> &str {
        match side {
            Side::Eptura => &self.eptura_url,
            Side::Condeco => &self.condeco_url,
        }
    }

    /// An Eptura client of the simulator with the tests' HTTP settings.
    pub fn eptura_client(&self) -> EpturaClient {
        eptura_client(&self.eptura_url)
    }

    /// An Eptura client of the simulator over `http`.
    pub fn eptura_client_with(&self, http: HttpConfig) -> EpturaClient {
        eptura_client_with(&self.eptura_url, http)
    }

    /// A Condeco client of the simulator with the tests' HTTP settings.
    pub fn condeco_client(&self) -> CondecoClient {
        condeco_client(&self.condeco_url)
    }

    /// A raw Eptura caller (reqwest with the auth headers, no client library).
    pub fn eptura_api(&self) -> EpturaApi {
        EpturaApi::new(&self.eptura_url)
    }

    /// A raw Condeco caller for site `client`, holding a fresh token.
    pub async fn condeco_api(&self, client: &str) -> CondecoApi {
        CondecoApi::connect(&self.condeco_url, client).await
    }

    /// The environment that points the binary at both simulators.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = eptura_env(&self.eptura_url);
        env.extend(condeco_env(&self.condeco_url));
        env
    }

    /// `GET /__sim/stats` of one simulator: requests by route and status, writes.
    pub async fn stats(&self, side: Side) -> Value {
        get_json(&format!("{}/__sim/stats", self.url(side))).await
    }

    /// `GET /__sim/state` of one simulator: all its data.
    pub async fn state(&self, side: Side) -> Value {
        get_json(&format!("{}/__sim/state", self.url(side))).await
    }

    /// `GET /__sim/faults` of one simulator.
    pub async fn faults(&self, side: Side) -> Value {
        get_json(&format!("{}/__sim/faults", self.url(side))).await
    }

    /// `POST /__sim/faults` of one simulator (a partial update); checks it was accepted and
    /// returns the faults now in force.
    pub async fn set_faults(&self, side: Side, patch: impl serde::Serialize) -> Value {
        let response = self.post_faults(side, patch).await;
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("the faults are JSON")
    }

    /// `POST /__sim/faults` of one simulator, whatever the answer.
    pub async fn post_faults(&self, side: Side, patch: impl serde::Serialize) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/__sim/faults", self.url(side)))
            .json(&patch)
            .send()
            .await
            .expect("the simulator answers")
    }

    /// `POST /__sim/centers` of Eptura: a reservation center holding `buildings` (the step
    /// Eptura's admin UI does); returns the center.
    pub async fn assign_center(&self, name: &str, buildings: &[i64]) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}/__sim/centers", self.eptura_url))
            .json(&serde_json::json!({ "name": name, "buildingIds": buildings }))
            .send()
            .await
            .expect("the simulator answers");
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("the center is JSON")
    }

    /// Put every building Eptura holds in one reservation center named `name` (so that all
    /// of them sync); returns the center.
    pub async fn assign_every_building(&self, name: &str) -> Value {
        let buildings: Vec<i64> = self.state(Side::Eptura).await["buildings"]
            .as_array()
            .expect("buildings")
            .iter()
            .filter_map(|b| b["id"].as_i64())
            .collect();
        self.assign_center(name, &buildings).await
    }

    /// `POST /__sim/reset` of one simulator: its scenario's data and starting faults again,
    /// and zero counts.
    pub async fn reset(&self, side: Side) {
        let response = reqwest::Client::new()
            .post(format!("{}/__sim/reset", self.url(side)))
            .send()
            .await
            .expect("the simulator answers");
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// Stop both servers and wait until they are gone.
    pub async fn shutdown(self) {
        self.sims.shutdown().await;
    }
}

/// A GET answered with JSON.
pub async fn get_json(url: &str) -> Value {
    reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url} is not JSON: {e}"))
}

/// How long [`eventually`] waits before it fails the test.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// Poll `check` (every few milliseconds) until it gives a value, and return it; fail the test,
/// naming `what`, if it has not within [`DEADLINE`]. For waiting on something that happens in
/// another task, instead of sleeping for a guessed time.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{what}: not within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
