//! `--state FILE`: both simulators' data outlives a restart, is written atomically after every
//! successful write, and a broken file is refused with a message naming it. Also the handle's
//! lifecycle: dropping it stops the servers.

use reqwest::StatusCode;
use serde_json::{Value, json};
use spacebridge::sim::{self, Scenario, SimError, SimOptions, Sims};

async fn start(scenario: Scenario, file: &std::path::Path) -> Result<Sims, SimError> {
    sim::start(SimOptions {
        scenario,
        state_file: Some(file.to_path_buf()),
        ..SimOptions::default()
    })
    .await
}

async fn state(root: &str) -> Value {
    reqwest::get(format!("{root}/__sim/state"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn condeco_token(http: &reqwest::Client, base: &str) -> String {
    let body: Value = http
        .post(format!("{base}/token"))
        .form(&[
            ("client_id", "a"),
            ("client_secret", "b"),
            ("grant_type", "password"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim-state.json");
    let http = reqwest::Client::new();

    let sims = start(Scenario::NewCustomer, &file).await.unwrap();
    assert!(file.exists(), "the seed is saved at start");
    let created = http
        .post(format!(
            "{}/external/api/rest/v2/buildings",
            sims.eptura_url
        ))
        .header("x-auth-username", "a")
        .header("x-auth-password", "b")
        .json(&json!({ "name": "Houston Energy Center", "code": "HOU1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let base = format!("{}/Acme/api/V1", sims.condeco_url);
    let token = condeco_token(&http, &base).await;
    let country = http
        .post(format!("{base}/countries"))
        .header("Ocp-Apim-Subscription-Key", "k")
        .bearer_auth(&token)
        .json(&json!({ "name": "United States", "countryCode": "US", "externalId": "223" }))
        .send()
        .await
        .unwrap();
    assert_eq!(country.status(), StatusCode::CREATED);
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["version"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    let before = (
        state(&sims.eptura_url).await,
        state(&sims.condeco_url).await,
    );
    sims.shutdown().await;

    // Another scenario is ignored: the file wins.
    let sims = start(Scenario::Empty, &file).await.unwrap();
    let after = (
        state(&sims.eptura_url).await,
        state(&sims.condeco_url).await,
    );
    assert_eq!(before, after);
    let buildings = after.0["buildings"].as_array().unwrap();
    assert_eq!(buildings.len(), 1);
    assert_eq!(buildings[0]["code"], "HOU1");
    assert_eq!(after.1["countries"][0]["externalId"], "223");
    // Tokens are not saved: the old one is refused, a new one works.
    let base = format!("{}/Acme/api/V1", sims.condeco_url);
    let stale = http
        .get(format!("{base}/countries"))
        .header("Ocp-Apim-Subscription-Key", "k")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    let fresh = condeco_token(&http, &base).await;
    let listed = http
        .get(format!("{base}/countries"))
        .header("Ocp-Apim-Subscription-Key", "k")
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    // New ids do not collide with saved ones.
    let second = http
        .post(format!(
            "{}/external/api/rest/v2/buildings",
            sims.eptura_url
        ))
        .header("x-auth-username", "a")
        .header("x-auth-password", "b")
        .json(&json!({ "name": "Boston Seaport" }))
        .send()
        .await
        .unwrap();
    let second: Value = second.json().await.unwrap();
    assert_ne!(second["id"], buildings[0]["id"]);
    sims.shutdown().await;
}

#[tokio::test]
async fn a_broken_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "{ not json").unwrap();
    let error = start(Scenario::Empty, &file).await.expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("broken.json"), "{message}");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_servers() {
    let sims = sim::start(SimOptions::default()).await.unwrap();
    let url = format!("{}/__sim/stats", sims.eptura_url);
    assert!(reqwest::get(&url).await.is_ok());
    drop(sims);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let fresh = reqwest::Client::builder().build().unwrap();
    assert!(
        fresh.get(&url).send().await.is_err(),
        "nothing listens any more"
    );
}
