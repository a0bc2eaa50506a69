//! The estate of the sync benchmarks: both simulators in-process with the `large:N` scenario,
//! Condeco answering after 20 ms and allowing 500 requests a second (429 with `Retry-After: 1`
//! beyond), Eptura answering after `eptura_latency` ms; and the production HTTP settings for
//! the clients, so the pace is what the HTTP layer learns from Condeco's 429s.

use std::error::Error;

use spacebridge::condeco::{CondecoClient, CondecoSettings};
use spacebridge::eptura::{EpturaClient, EpturaSettings};
use spacebridge::http::{HttpClient, HttpConfig, Secret};
use spacebridge::sim::{self, Faults, Scenario, SimOptions, Sims};

pub type Failure = Box<dyn Error>;

/// Condeco's limit in the benchmarks (requests a second).
pub const CONDECO_LIMIT: u64 = 500;
/// The latency of every Condeco answer, and by default of every Eptura one (milliseconds).
pub const LATENCY_MS: u64 = 20;

/// Both simulators holding `spaces` generated spaces, Condeco empty and limited.
pub async fn start(spaces: usize, eptura_latency: u64) -> Result<Sims, Failure> {
    let sims = sim::start(SimOptions {
        scenario: Scenario::Large(spaces),
        faults: Faults {
            latency_ms: Some((eptura_latency, eptura_latency)).filter(|_| eptura_latency > 0),
            ..Faults::default()
        },
        ..SimOptions::default()
    })
    .await?;
    limit_condeco(&sims.condeco_url).await?;
    Ok(sims)
}

/// Condeco's latency and its 500 requests a second.
async fn limit_condeco(condeco_url: &str) -> Result<(), Failure> {
    let answer = reqwest::Client::new()
        .post(format!("{condeco_url}/__sim/faults"))
        .json(&serde_json::json!({
            "latency_ms": [LATENCY_MS, LATENCY_MS],
            "max_per_second": CONDECO_LIMIT,
        }))
        .send()
        .await?;
    if !answer.status().is_success() {
        return Err(format!(
            "the Condeco simulator refused the limit: {}",
            answer.status()
        )
        .into());
    }
    Ok(())
}

/// The production HTTP settings, one client (limits and counters) per API.
fn http() -> Result<HttpClient, Failure> {
    Ok(HttpClient::new(HttpConfig::default())?)
}

/// A client of the Eptura simulator at `url`.
pub fn eptura(url: &str) -> Result<EpturaClient, Failure> {
    let settings = EpturaSettings {
        url: url.to_string(),
        username: "bench@example.com".into(),
        password: Secret::new("bench-password"),
    };
    Ok(EpturaClient::new(&settings, http()?)?)
}

/// A client of the Condeco simulator at `url`.
pub fn condeco(url: &str) -> Result<CondecoClient, Failure> {
    let settings = CondecoSettings {
        url: url.to_string(),
        client_name: "bench".into(),
        subscription_key: Secret::new("bench-key"),
        client_id: Secret::new("bench-client"),
        client_secret: Secret::new("bench-secret"),
    };
    Ok(CondecoClient::new(&settings, http()?)?)
}
