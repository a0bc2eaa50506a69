//! What the simulators' `--state FILE` costs a write, at the size of a real estate.
//!
//! `cargo run --release --example sim_state_cost [SPACES] [WRITES] [IN_FLIGHT]` (defaults
//! 100000, 2000, 8) starts both simulators with `large:SPACES` and a state file in a temporary
//! directory, creates a location with a floor in Condeco, then WRITES resources (IN_FLIGHT at a
//! time), and prints the writes per second, the bytes the process wrote for them (`wchar` of
//! `/proc/self/io`) and the state files' sizes; then the same writes without a state file, for
//! comparison; then it restarts the simulators from the state file, timing the load, and
//! checks that every resource written is there.

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use spacebridge::sim::{self, Scenario, SimOptions, Sims};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// A Condeco API caller holding a token.
struct Condeco {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Condeco {
    async fn connect(sims: &Sims) -> Result<Condeco> {
        let http = reqwest::Client::new();
        let base = format!("{}/cost/api/V1", sims.condeco_url);
        let answer: Value = http
            .post(format!("{base}/token"))
            .form(&[
                ("client_id", "cost"),
                ("client_secret", "cost"),
                ("grant_type", "password"),
            ])
            .send()
            .await?
            .json()
            .await?;
        let token = answer["access_token"]
            .as_str()
            .ok_or("no token")?
            .to_string();
        Ok(Condeco { http, base, token })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut request = self
            .http
            .request(method, format!("{}/{path}", self.base))
            .header("Ocp-Apim-Subscription-Key", "cost")
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let answer: Value = response.json().await?;
        if !status.is_success() {
            return Err(format!("{path}: {status} {answer}").into());
        }
        Ok(answer)
    }

    async fn create(&self, path: &str, body: Value) -> Result<Value> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
}

/// Bytes this process has handed to `write` so far.
fn bytes_written() -> Result<u64> {
    let io = std::fs::read_to_string("/proc/self/io")?;
    let line = io
        .lines()
        .find(|l| l.starts_with("wchar:"))
        .ok_or("no wchar in /proc/self/io")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad wchar")?.parse()?)
}

/// Create a location with one floor, then `writes` resources on it; the time the resources
/// took.
async fn write_resources(sims: &Sims, writes: usize, in_flight: usize) -> Result<Duration> {
    let condeco = Condeco::connect(sims).await?;
    let country = condeco
        .create(
            "countries",
            json!({ "name": "Costland", "countryCode": "NZ" }),
        )
        .await?;
    let region = condeco
        .create(
            "regions",
            json!({ "name": "Cost", "countryId": country["countryId"] }),
        )
        .await?;
    let location = condeco
        .create(
            "locations",
            json!({ "name": "Cost House", "regionId": region["regionId"],
                    "floors": [{ "floorNumber": 1, "name": "1" }] }),
        )
        .await?;
    let started = Instant::now();
    let failures: Vec<String> = futures_util::stream::iter(0..writes)
        .map(|n| {
            let body = json!({ "name": format!("Cost room {n}"), "resourceType": "MeetingSpace",
                               "locationId": location["locationId"], "floorNumber": 1,
                               "capacity": 4, "externalId": format!("cost-{n}") });
            condeco.create("resources", body)
        })
        .buffer_unordered(in_flight.max(1))
        .filter_map(|answer| async move { answer.err().map(|e| e.to_string()) })
        .collect()
        .await;
    if let Some(first) = failures.first() {
        return Err(format!("{} writes failed, the first: {first}", failures.len()).into());
    }
    Ok(started.elapsed())
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn argument(position: usize, default: usize) -> usize {
    std::env::args()
        .nth(position)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let spaces = argument(1, 100_000);
    let writes = argument(2, 2_000);
    let in_flight = argument(3, 8);
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("state.json");
    let options = |state_file| SimOptions {
        scenario: Scenario::Large(spaces),
        state_file,
        ..SimOptions::default()
    };
    println!("large:{spaces}, {writes} Condeco writes, {in_flight} in flight");

    let started = Instant::now();
    let sims = sim::start(options(Some(state.clone()))).await?;
    println!(
        "start with a new state file: {:.2}s",
        started.elapsed().as_secs_f64()
    );
    let before = bytes_written()?;
    let took = write_resources(&sims, writes, in_flight).await?;
    let written = bytes_written()? - before;
    sims.shutdown().await;
    println!(
        "with --state: {:.1} writes/s ({:.2}s), {:.1} MiB written ({:.1} KiB a write)",
        writes as f64 / took.as_secs_f64(),
        took.as_secs_f64(),
        mib(written),
        written as f64 / 1024.0 / writes as f64
    );
    let mut files: Vec<_> = std::fs::read_dir(dir.path())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for file in &files {
        println!(
            "  {}: {:.1} MiB",
            file.file_name().unwrap_or_default().to_string_lossy(),
            mib(size(file))
        );
    }

    let sims = sim::start(options(None)).await?;
    let took = write_resources(&sims, writes, in_flight).await?;
    sims.shutdown().await;
    println!(
        "without a state file: {:.1} writes/s ({:.2}s)",
        writes as f64 / took.as_secs_f64(),
        took.as_secs_f64()
    );

    let started = Instant::now();
    let sims = sim::start(options(Some(state))).await?;
    let loaded = started.elapsed();
    let condeco = Condeco::connect(&sims).await?;
    let page = condeco
        .call(reqwest::Method::GET, "resources?pageSize=1", None)
        .await?;
    let total = page["totalCount"].as_u64().unwrap_or(0);
    sims.shutdown().await;
    println!(
        "restart from the state file: {:.2}s, {total} resources there (of {writes} written)",
        loaded.as_secs_f64()
    );
    if total != writes as u64 {
        return Err("resources were lost across the restart".into());
    }
    Ok(())
}
