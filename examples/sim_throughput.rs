//! Throughput of both simulators on loopback: many keep-alive connections from reqwest GET a
//! 100-row page for a few seconds each, and the requests per second are printed.
//!
//! Run with `cargo run --release --example sim_throughput [SECONDS] [CONNECTIONS]`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use spacebridge::sim::{self, Scenario, SimOptions};

/// Fetch `url` from `connections` concurrent tasks for `seconds`; (requests, failures, bytes).
async fn hammer(
    http: reqwest::Client,
    url: String,
    headers: Vec<(&'static str, String)>,
    seconds: u64,
    connections: usize,
) -> (u64, u64, u64) {
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (http, url, headers) = (http.clone(), url.clone(), headers.clone());
            let (done, failed, bytes) = (done.clone(), failed.clone(), bytes.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let mut request = http.get(&url);
                    for (name, value) in &headers {
                        request = request.header(*name, value);
                    }
                    match request.send().await {
                        Ok(response) if response.status().is_success() => {
                            let body = response.bytes().await.map(|b| b.len()).unwrap_or(0);
                            bytes.fetch_add(body as u64, Ordering::Relaxed);
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    (
        done.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed),
    )
}

/// CPU seconds this process (simulators and load generator together) has used, from
/// /proc/self/stat (utime + stime, in ticks of 1/100 s); 0 where that file does not exist.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of the file are 12 and 13 after the name and state.
    (ticks(11) + ticks(12)) / 100.0
}

fn report(name: &str, seconds: u64, cpu: f64, (done, failed, bytes): (u64, u64, u64)) {
    let per_second = done as f64 / seconds as f64;
    let per_cpu_second = if cpu > 0.0 { done as f64 / cpu } else { 0.0 };
    let page = bytes.checked_div(done).unwrap_or(0);
    println!(
        "{name:<8} {per_second:>7.0} requests/s wall clock, {per_cpu_second:>7.0} per CPU-second \
         (server + client)  ({done} ok, {failed} failed, {page} bytes a page)"
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let connections: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let sims = sim::start(SimOptions {
        scenario: Scenario::Large(5_000),
        ..SimOptions::default()
    })
    .await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()?;

    // Condeco has no seeded resources in the large scenario: create a location with 100.
    let base = format!("{}/Bench/api/V1", sims.condeco_url);
    let token: serde_json::Value = http
        .post(format!("{base}/token"))
        .form(&[
            ("client_id", "a"),
            ("client_secret", "b"),
            ("grant_type", "password"),
        ])
        .send()
        .await?
        .json()
        .await?;
    let token = format!("Bearer {}", token["access_token"].as_str().unwrap_or(""));
    let condeco_headers = vec![
        ("Ocp-Apim-Subscription-Key", "bench".to_string()),
        ("Authorization", token),
    ];
    let post = |path: &str, body: serde_json::Value| {
        let mut request = http.post(format!("{base}/{path}")).json(&body);
        for (name, value) in &condeco_headers {
            request = request.header(*name, value);
        }
        request
    };
    let country: serde_json::Value = post(
        "countries",
        serde_json::json!({"name": "United States", "countryCode": "US"}),
    )
    .send()
    .await?
    .json()
    .await?;
    let region: serde_json::Value = post(
        "regions",
        serde_json::json!({"name": "Texas", "countryId": country["countryId"]}),
    )
    .send()
    .await?
    .json()
    .await?;
    let location: serde_json::Value = post(
        "locations",
        serde_json::json!({"name": "Houston", "regionId": region["regionId"],
                           "floors": [{"floorNumber": 1, "name": "1"}]}),
    )
    .send()
    .await?
    .json()
    .await?;
    for i in 0..100 {
        post(
            "resources",
            serde_json::json!({"name": format!("Desk {i:03}"), "resourceType": "PersonalSpace",
                               "locationId": location["locationId"], "floorNumber": 1}),
        )
        .send()
        .await?;
    }

    println!(
        "{seconds} s per simulator, {connections} concurrent keep-alive connections, 100-row pages"
    );
    let eptura_headers = vec![
        ("x-auth-username", "bench".to_string()),
        ("x-auth-password", "bench".to_string()),
    ];
    let cpu = cpu_seconds();
    let eptura = hammer(
        http.clone(),
        format!("{}/external/api/rest/v2/rooms?limit=100", sims.eptura_url),
        eptura_headers,
        seconds,
        connections,
    )
    .await;
    report("eptura", seconds, cpu_seconds() - cpu, eptura);
    let cpu = cpu_seconds();
    let condeco = hammer(
        http.clone(),
        format!("{base}/resources?pageSize=100"),
        condeco_headers.clone(),
        seconds,
        connections,
    )
    .await;
    report("condeco", seconds, cpu_seconds() - cpu, condeco);
    sims.shutdown().await;
    Ok(())
}
