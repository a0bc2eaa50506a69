//! Simulators of both APIs (axum) with in-memory state, scenarios and fault injection, so that
//! the clients, the sync and the demo run against something that behaves like a real tenant,
//! over real loopback HTTP. They depend on [`crate::domain`] only, never on the clients' wire
//! types: the JSON shapes here are written from `spec/eptura-api.md` and `spec/condeco-api.md`
//! independently, so that two implementations check the contract.
//!
//! [`start`] binds both servers and returns their addresses; [`Sims::shutdown`] stops them.
//! Each serves its API plus the test-only `/__sim/*` routes (state, stats, faults, reset).

mod collection;
mod condeco;
mod control;
mod eptura;
mod persist;
mod sample;
mod scenario;
mod server;
mod table;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use control::{Api, Control};
use persist::{Journaled, StateFile};

pub use condeco::CondecoState;
pub use eptura::EpturaState;

/// The data both simulators start with (and return to on `POST /__sim/reset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    /// Nothing but Eptura's countries and Condeco's default workspace types.
    #[default]
    Empty,
    /// Eptura has countries, reservation centers without buildings and some of the sample
    /// template's space types; Condeco has only its default workspace types.
    NewCustomer,
    /// Both populated: Eptura holds the sample template, Condeco a drifted copy of most of it
    /// with bookings.
    ExistingCustomer,
    /// N generated spaces in Eptura (50 a floor, 10 floors a building), Condeco empty.
    Large(usize),
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scenario::Empty => f.write_str("empty"),
            Scenario::NewCustomer => f.write_str("new-customer"),
            Scenario::ExistingCustomer => f.write_str("existing-customer"),
            Scenario::Large(n) => write!(f, "large:{n}"),
        }
    }
}

impl FromStr for Scenario {
    type Err = SimError;

    fn from_str(text: &str) -> Result<Scenario, SimError> {
        let unknown = || SimError::UnknownScenario(text.to_string());
        match text.trim() {
            "empty" => Ok(Scenario::Empty),
            "new-customer" => Ok(Scenario::NewCustomer),
            "existing-customer" => Ok(Scenario::ExistingCustomer),
            other => {
                let count = other.strip_prefix("large:").ok_or_else(unknown)?;
                count.parse().map(Scenario::Large).map_err(|_| unknown())
            }
        }
    }
}

/// Faults both simulators inject; `POST /__sim/faults` takes the same fields as JSON (any
/// subset: fields not sent are kept).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Every answer waits a random time in this range (milliseconds, inclusive).
    pub latency_ms: Option<(u64, u64)>,
    /// Share of requests answered 500 or 503.
    pub error_rate: f64,
    /// Share of requests answered 429 with `Retry-After`.
    pub rate_limit: f64,
    /// Beyond this many requests in flight, 429 with `Retry-After`.
    pub max_concurrent: Option<usize>,
    /// Share of requests whose connection is closed without an answer.
    pub drop_rate: f64,
    /// Share of writes (POST/PUT/DELETE) that are applied, then lose their answer: the
    /// connection is closed without one.
    pub lost_reply_rate: f64,
    /// Share of writes that are applied, then answered 502 or 504, as by a gateway in front of
    /// a slow server.
    pub late_error_rate: f64,
    /// Condeco daily call quota: past it, 403 "Out of call volume quota" with `Retry-After`.
    pub quota: Option<u64>,
    /// How often the quota renews, in seconds (`None`: once a day, at midnight UTC). A short
    /// period lets a test see the quota run out and renew within one run.
    pub quota_period_secs: Option<u64>,
    /// Beyond this many requests in one second, 429 with `Retry-After: 1`.
    pub max_per_second: Option<u64>,
    /// Lifetime of Condeco tokens in seconds (default 43200, twelve hours).
    pub token_ttl_secs: Option<u64>,
    /// Share of Condeco requests before which every token issued so far is revoked, as when
    /// the token service restarts or an administrator ends the sessions: that request and
    /// those in flight answer 401 until the client fetches a new token.
    pub token_revoke_rate: f64,
    /// Refuse every credential, as a tenant would after a password or key change: Eptura
    /// answers 401, Condeco 401 with a JSON `message` (the token step included).
    pub deny_credentials: bool,
    /// Send the `Retry-After` of 429s as an HTTP date instead of seconds.
    pub retry_after_date: bool,
    /// Draw the faults from this seed (the same mix of faults for the same requests); `None`
    /// draws from the system's entropy. Setting it through `/__sim/faults` restarts the draws.
    pub seed: Option<u64>,
}

/// How to start the simulators.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    pub scenario: Scenario,
    /// 0 = any free port.
    pub eptura_port: u16,
    /// 0 = any free port.
    pub condeco_port: u16,
    /// Load the data from this file when it exists, and save it there after every write.
    pub state_file: Option<PathBuf>,
    pub faults: Faults,
}

/// Why the simulators could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(
        "unknown scenario \"{0}\": use empty, new-customer, existing-customer or large:N (N spaces)"
    )]
    UnknownScenario(String),
    #[error("cannot listen on 127.0.0.1:{port} ({source}): choose another port, or 0 for any")]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot read the simulator state file {path} ({reason}): fix or delete it")]
    StateFile { path: PathBuf, reason: String },
}

/// Both running simulators.
pub struct Sims {
    /// "http://127.0.0.1:PORT": the Eptura site address (the API is under
    /// `/external/api/rest/v2/`).
    pub eptura_url: String,
    /// "http://127.0.0.1:PORT": the Condeco API address (the API is under
    /// `/{client_name}/api/V1/`).
    pub condeco_url: String,
    stop: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl fmt::Debug for Sims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sims")
            .field("eptura_url", &self.eptura_url)
            .field("condeco_url", &self.condeco_url)
            .finish_non_exhaustive()
    }
}

impl Sims {
    /// Stop both servers, close their connections and wait until they are gone.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

/// Dropping the handle stops both servers too (without waiting for them).
impl Drop for Sims {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The data of both simulators, shared because one state file holds both.
pub(crate) struct World {
    scenario: Scenario,
    eptura: RwLock<EpturaState>,
    condeco: RwLock<CondecoState>,
    state_file: Option<StateFile>,
}

impl World {
    fn eptura(&self) -> RwLockReadGuard<'_, EpturaState> {
        self.eptura
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn eptura_mut(&self) -> RwLockWriteGuard<'_, EpturaState> {
        self.eptura
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn condeco(&self) -> RwLockReadGuard<'_, CondecoState> {
        self.condeco
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn condeco_mut(&self) -> RwLockWriteGuard<'_, CondecoState> {
        self.condeco
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Eptura back to the scenario's data.
    fn reset_eptura(&self) {
        *self.eptura_mut() = scenario::seed(self.scenario).0;
        self.save_snapshot();
    }

    /// Every Condeco token issued so far stops working (fault `token_revoke_rate`).
    fn revoke_condeco_tokens(&self) {
        self.condeco_mut().revoke_tokens();
    }

    /// Condeco back to the scenario's data.
    fn reset_condeco(&self) {
        *self.condeco_mut() = scenario::seed(self.scenario).1;
        self.save_snapshot();
    }

    /// After a write: append what changed to the state file's journal, if there is a state
    /// file. A failure is logged, not fatal: the simulator keeps serving from memory.
    fn save(&self) {
        if let Some(file) = &self.state_file {
            file.append(
                || persist::journal_line(&mut self.eptura_mut(), &mut self.condeco_mut()),
                || self.snapshot(),
            );
        }
    }

    /// Write both states whole to the state file (at start and after a reset).
    fn save_snapshot(&self) {
        if let Some(file) = &self.state_file {
            file.save_snapshot(|| self.snapshot());
        }
    }

    /// The snapshot of both states; from now on, what is in memory counts as saved.
    fn snapshot(&self) -> serde_json::Result<Vec<u8>> {
        let mut eptura = self.eptura_mut();
        let mut condeco = self.condeco_mut();
        eptura.mark_saved();
        condeco.mark_saved();
        persist::encode(&eptura, &condeco)
    }
}

/// Start both simulators on 127.0.0.1 with the scenario's data (or the state file's, when it
/// exists) and return once both are listening.
pub async fn start(options: SimOptions) -> Result<Sims, SimError> {
    let state_file = options.state_file.map(StateFile::new);
    let (eptura, condeco) = match state_file.as_ref().map(StateFile::load).transpose()? {
        Some(Some(saved)) => saved,
        _ => scenario::seed(options.scenario),
    };
    let world = Arc::new(World {
        scenario: options.scenario,
        eptura: RwLock::new(eptura),
        condeco: RwLock::new(condeco),
        state_file,
    });
    world.save_snapshot();

    let eptura_listener = bind(options.eptura_port).await?;
    let condeco_listener = bind(options.condeco_port).await?;
    let eptura_url = url_of(&eptura_listener, options.eptura_port)?;
    let condeco_url = url_of(&condeco_listener, options.condeco_port)?;

    let stop = CancellationToken::new();
    let eptura_control = Arc::new(Control::new(Api::Eptura, options.faults.clone()));
    let condeco_control = Arc::new(Control::new(Api::Condeco, options.faults));
    let eptura_app = eptura::router(world.clone(), eptura_control);
    let condeco_app = condeco::router(world, condeco_control);
    let tasks = vec![
        tokio::spawn(server::serve(eptura_listener, eptura_app, stop.clone())),
        tokio::spawn(server::serve(condeco_listener, condeco_app, stop.clone())),
    ];
    Ok(Sims {
        eptura_url,
        condeco_url,
        stop,
        tasks,
    })
}

async fn bind(port: u16) -> Result<TcpListener, SimError> {
    TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| SimError::Bind { port, source })
}

fn url_of(listener: &TcpListener, port: u16) -> Result<String, SimError> {
    let address = listener
        .local_addr()
        .map_err(|source| SimError::Bind { port, source })?;
    Ok(format!("http://{address}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names_round_trip() {
        for text in ["empty", "new-customer", "existing-customer", "large:5000"] {
            let scenario: Scenario = text.parse().unwrap();
            assert_eq!(scenario.to_string(), text);
        }
        assert!("large:many".parse::<Scenario>().is_err());
        assert!("existing".parse::<Scenario>().is_err());
    }
}
