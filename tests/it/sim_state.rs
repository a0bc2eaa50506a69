//! `--state FILE`: both simulators' data outlives a restart; a write appends only what it
//! changed to the journal beside the snapshot (the snapshot is written whole only at start, on a
//! reset, or when the journal has grown past it); a journal line cut short by a crash is
//! ignored, a broken file is refused with a message naming it. Also the handle's lifecycle:
//! dropping it stops the servers.

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
    let canada = condeco
        .create(
            "countries",
            json!({ "name": "Canada", "countryCode": "CA" }),
        )
        .await;
    let (status, _) = condeco
        .call(
            reqwest::Method::DELETE,
            &format!("countries/{}", canada["countryId"]),
            None,
        )
        .await;
    assert!(status.is_success());
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["version"], 2);
    assert!(
        saved["eptura"]["buildings"].as_object().unwrap().is_empty(),
        "a write does not rewrite the snapshot"
    );
    let journal = std::fs::read_to_string(journal_of(&file)).unwrap();
    let lines: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "a line a write: {journal}");
    assert!(
        lines.iter().all(|l| l.to_string().len() < 2_000),
        "each line holds what its write changed: {journal}"
    );
    assert_eq!(lines[3]["condeco"]["changes"][0]["record"], Value::Null);
    let mut leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    leftovers.sort();
    assert_eq!(
        leftovers,
        ["sim-state.json", "sim-state.json.journal"],
        "no temporary file left"
    );
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
    assert_eq!(after.1["countries"].as_array().unwrap().len(), 1, "removed");
    assert_eq!(
        std::fs::metadata(journal_of(&file)).unwrap().len(),
        0,
        "the journal is folded into the snapshot at start"
    );
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

fn journal_of(file: &std::path::Path) -> std::path::PathBuf {
    let mut journal = file.as_os_str().to_owned();
    journal.push(".journal");
    journal.into()
}

#[tokio::test]
async fn a_journal_line_cut_short_by_a_crash_is_ignored_and_a_broken_line_before_the_end_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let sims = start(Scenario::Empty, &file).await.unwrap();
    let condeco = sims.condeco_api("Acme").await;
    for (name, code) in [("Mexico", "MX"), ("Germany", "DE")] {
        condeco
            .create("countries", json!({ "name": name, "countryCode": code }))
            .await;
    }
    sims.shutdown().await;
    let journal = journal_of(&file);
    let whole = std::fs::read(&journal).unwrap();
    // The second write's line, cut in the middle as by a kill while it was appended.
    let cut = &whole[..whole.len() - 20];
    std::fs::write(&journal, cut).unwrap();
    let sims = start(Scenario::Empty, &file).await.unwrap();
    let countries = sims.state(Side::Condeco).await["countries"].clone();
    let names: Vec<&str> = countries
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Mexico"], "the cut line is not replayed");
    sims.shutdown().await;

    let mut broken = b"{ not a line\n".to_vec();
    broken.extend_from_slice(&whole);
    std::fs::write(&journal, broken).unwrap();
    let error = start(Scenario::Empty, &file).await.expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("state.json") && message.contains("line 1"),
        "{message}"
    );
}

#[tokio::test]
async fn bookings_set_through_the_test_route_outlive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let sims = start(Scenario::ExistingCustomer, &file).await.unwrap();
    let resource = sims.state(Side::Condeco).await["resources"][0]["resourceId"].clone();
    let booked = reqwest::Client::new()
        .post(format!("{}/__sim/bookings", sims.condeco_url))
        .json(&json!({ "resourceId": resource, "count": 42 }))
        .send()
        .await
        .unwrap();
    assert!(booked.status().is_success());
    sims.shutdown().await;
    let sims = start(Scenario::ExistingCustomer, &file).await.unwrap();
    let resources = sims.state(Side::Condeco).await["resources"].clone();
    let kept = resources
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resourceId"] == resource)
        .unwrap();
    assert_eq!(kept["bookingCount"], 42);
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
