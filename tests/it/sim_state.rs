//! `--state FILE`: both simulators' data outlives a restart, is written atomically after every
//! successful write, and a broken file is refused with a message naming it. Also the handle's
//! lifecycle: dropping it stops the servers.

use reqwest::StatusCode;
use serde_json::{Value, json};
use spacebridge::sim::{Scenario, SimError, SimOptions};

use crate::support::{CondecoApi, Side, Simulators, eventually, spawn_sims, spawn_sims_with};

async fn start(scenario: Scenario, file: &std::path::Path) -> Result<Simulators, SimError> {
    spawn_sims_with(SimOptions {
        scenario,
        state_file: Some(file.to_path_buf()),
        ..SimOptions::default()
    })
    .await
}

async fn both_states(sims: &Simulators) -> (Value, Value) {
    (
        sims.state(Side::Eptura).await,
        sims.state(Side::Condeco).await,
    )
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim-state.json");

    let sims = start(Scenario::NewCustomer, &file).await.unwrap();
    assert!(file.exists(), "the seed is saved at start");
    sims.eptura_api()
        .create(
            "/buildings",
            json!({ "name": "Houston Energy Center", "code": "HOU1" }),
        )
        .await;
    let condeco = sims.condeco_api("Acme").await;
    condeco
        .create(
            "countries",
            json!({ "name": "United States", "countryCode": "US", "externalId": "223" }),
        )
        .await;
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["version"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    let before = both_states(&sims).await;
    sims.shutdown().await;

    // Another scenario is ignored: the file wins.
    let sims = start(Scenario::Empty, &file).await.unwrap();
    let after = both_states(&sims).await;
    assert_eq!(before, after);
    let buildings = after.0["buildings"].as_array().unwrap();
    assert_eq!(buildings.len(), 1);
    assert_eq!(buildings[0]["code"], "HOU1");
    assert_eq!(after.1["countries"][0]["externalId"], "223");
    // Tokens are not saved: the old one is refused, a new one works.
    let mut stale = CondecoApi::new(&sims.condeco_url, "Acme");
    stale.token = condeco.token;
    assert_eq!(stale.get("countries").await.0, StatusCode::UNAUTHORIZED);
    let fresh = sims.condeco_api("Acme").await;
    assert_eq!(fresh.get("countries").await.0, StatusCode::OK);
    // New ids do not collide with saved ones.
    let second = sims
        .eptura_api()
        .create("/buildings", json!({ "name": "Boston Seaport" }))
        .await;
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
    let sims = spawn_sims(Scenario::default(), Default::default()).await;
    let url = format!("{}/__sim/stats", sims.eptura_url);
    assert!(reqwest::get(&url).await.is_ok());
    drop(sims);
    // Dropping does not wait for the servers: poll until a new connection is refused.
    eventually("nothing listens any more", || async {
        let fresh = reqwest::Client::new();
        fresh.get(&url).send().await.is_err().then_some(())
    })
    .await;
}
