//! The faults that break a naive sync, on both simulators over loopback with raw reqwest: a
//! write that is applied and then loses its answer (`lost_reply_rate`), or is applied and then
//! answered 502/504 as by a gateway in front of a slow server (`late_error_rate`). Either way
//! the record exists afterwards, so a blind retry of the create would duplicate it; the stats
//! count the applied write and the fault. Also: `spacebridge sim` takes both as flags.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spacebridge::sim::{self, Scenario, SimOptions, Sims};

const EPTURA_API: &str = "external/api/rest/v2";

async fn start() -> Sims {
    sim::start(SimOptions {
        scenario: Scenario::Empty,
        ..SimOptions::default()
    })
    .await
    .expect("simulators start")
}

/// Change the faults through `/__sim/faults`, as a test harness over the wire would.
async fn set_faults(http: &reqwest::Client, root: &str, patch: Value) {
    let response = http
        .post(format!("{root}/__sim/faults"))
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "faults {patch} accepted");
}

async fn sim_json(root: &str, route: &str) -> Value {
    reqwest::get(format!("{root}/__sim/{route}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// How many records of `collection` in the state dump are named `name`.
async fn named(root: &str, collection: &str, name: &str) -> usize {
    let state = sim_json(root, "state").await;
    state[collection]
        .as_array()
        .unwrap_or_else(|| panic!("{collection} in {state}"))
        .iter()
        .filter(|record| record["name"] == name)
        .count()
}

/// A raw request to the Eptura API with its auth headers.
fn eptura(
    http: &reqwest::Client,
    sims: &Sims,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    http.request(method, format!("{}/{EPTURA_API}/{path}", sims.eptura_url))
        .header("x-auth-username", "a")
        .header("x-auth-password", "b")
}

/// A raw Condeco API caller holding a token.
struct Condeco {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Condeco {
    async fn new(sims: &Sims) -> Condeco {
        let http = reqwest::Client::new();
        let base = format!("{}/Acme/api/V1", sims.condeco_url);
        let form = [
            ("client_id", "a"),
            ("client_secret", "b"),
            ("grant_type", "password"),
        ];
        let answer: Value = http
            .post(format!("{base}/token"))
            .form(&form)
            .send()
            .await
            .expect("the token step is not a write, so no write fault touches it")
            .json()
            .await
            .unwrap();
        let token = answer["access_token"].as_str().unwrap().to_string();
        Condeco { http, base, token }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/{path}", self.base))
            .header("Ocp-Apim-Subscription-Key", "key")
            .bearer_auth(&self.token)
    }
}

fn is_gateway_error(status: StatusCode) -> bool {
    status == StatusCode::BAD_GATEWAY || status == StatusCode::GATEWAY_TIMEOUT
}

#[tokio::test]
async fn eptura_lost_reply_applies_the_write_and_answers_nothing() {
    let sims = start().await;
    let http = reqwest::Client::new();
    set_faults(&http, &sims.eptura_url, json!({ "lost_reply_rate": 1.0 })).await;

    let sent = eptura(&http, &sims, Method::POST, "buildings")
        .json(&json!({ "name": "Lost Reply Tower", "code": "LRT" }))
        .send()
        .await;
    let error = sent.expect_err("the connection closes without an answer");
    assert!(error.status().is_none(), "no HTTP status: {error}");
    assert_eq!(
        named(&sims.eptura_url, "buildings", "Lost Reply Tower").await,
        1
    );

    // Reads and refused writes are answered: only an applied write loses its reply.
    let read = eptura(&http, &sims, Method::GET, "buildings/count")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let refused = eptura(&http, &sims, Method::POST, "buildings")
        .json(&json!({ "code": "NONAME" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    let stats = sim_json(&sims.eptura_url, "stats").await;
    assert_eq!(stats["writes"], 1, "{stats}");
    assert_eq!(stats["lost_replies"], 1, "{stats}");
    assert_eq!(stats["by_status"]["dropped"], 1, "{stats}");
    sims.shutdown().await;
}

#[tokio::test]
async fn eptura_late_error_applies_the_write_and_answers_a_gateway_error() {
    let sims = start().await;
    let http = reqwest::Client::new();
    set_faults(&http, &sims.eptura_url, json!({ "late_error_rate": 1.0 })).await;

    let answer = eptura(&http, &sims, Method::POST, "rooms/types")
        .json(&json!({ "name": "Late Error Lab" }))
        .send()
        .await
        .unwrap();
    assert!(is_gateway_error(answer.status()), "{}", answer.status());
    assert_eq!(
        named(&sims.eptura_url, "roomTypes", "Late Error Lab").await,
        1
    );

    let stats = sim_json(&sims.eptura_url, "stats").await;
    let status = answer.status().as_u16().to_string();
    assert_eq!(stats["by_status"][&status], 1, "{stats}");
    assert_eq!(stats["writes"], 1, "{stats}");
    assert_eq!(stats["late_errors"], 1, "{stats}");
    sims.shutdown().await;
}

#[tokio::test]
async fn condeco_lost_reply_applies_the_write_and_answers_nothing() {
    let sims = start().await;
    let http = reqwest::Client::new();
    set_faults(&http, &sims.condeco_url, json!({ "lost_reply_rate": 1.0 })).await;
    let api = Condeco::new(&sims).await;

    let sent = api
        .request(Method::POST, "countries")
        .json(&json!({ "name": "Ireland", "countryCode": "IE" }))
        .send()
        .await;
    let error = sent.expect_err("the connection closes without an answer");
    assert!(error.status().is_none(), "no HTTP status: {error}");
    assert_eq!(named(&sims.condeco_url, "countries", "Ireland").await, 1);

    let stats = sim_json(&sims.condeco_url, "stats").await;
    assert_eq!(stats["writes"], 1, "the token is not a write: {stats}");
    assert_eq!(stats["lost_replies"], 1, "{stats}");
    sims.shutdown().await;
}

#[tokio::test]
async fn condeco_late_error_applies_the_write_and_answers_a_gateway_error() {
    let sims = start().await;
    let http = reqwest::Client::new();
    set_faults(&http, &sims.condeco_url, json!({ "late_error_rate": 1.0 })).await;
    let api = Condeco::new(&sims).await;

    let answer = api
        .request(Method::POST, "countries")
        .json(&json!({ "name": "Portugal", "countryCode": "PT" }))
        .send()
        .await
        .unwrap();
    assert!(is_gateway_error(answer.status()), "{}", answer.status());
    assert_eq!(named(&sims.condeco_url, "countries", "Portugal").await, 1);

    // The blind retry a naive sync would send now meets the record it already made.
    let retried = api
        .request(Method::POST, "countries")
        .json(&json!({ "name": "Portugal", "countryCode": "PT" }))
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), StatusCode::CONFLICT);

    let stats = sim_json(&sims.condeco_url, "stats").await;
    assert_eq!(stats["writes"], 1, "{stats}");
    assert_eq!(stats["late_errors"], 1, "{stats}");
    sims.shutdown().await;
}

#[tokio::test]
async fn write_fault_rates_are_shares_between_0_and_1() {
    let sims = start().await;
    let http = reqwest::Client::new();
    for field in ["lost_reply_rate", "late_error_rate"] {
        let refused = http
            .post(format!("{}/__sim/faults", sims.eptura_url))
            .json(&json!({ field: 1.5 }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{field}");
    }
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_command_takes_the_write_fault_flags() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spacebridge"))
        .args([
            "sim",
            "--lost-reply-rate",
            "0.25",
            "--late-error-rate",
            "0.5",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spacebridge runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    for name in ["eptura", "condeco"] {
        let line = lines.next().expect("a line").expect("readable");
        assert!(line.starts_with(&format!("{name} listening on ")), "{line}");
        let url = line.rsplit(' ').next().unwrap_or_default().to_string();
        let faults = sim_json(&url, "faults").await;
        assert_eq!(faults["lost_reply_rate"], 0.25, "{name}: {faults}");
        assert_eq!(faults["late_error_rate"], 0.5, "{name}: {faults}");
    }
    let _ = child.kill();
    let _ = child.wait();
}
