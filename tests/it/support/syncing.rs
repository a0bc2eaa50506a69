//! Running syncs in tests: simulators onboarded with the sample template, a sync with a store
//! in a temporary directory, Condeco's write counter, the Eptura API as a customer changes it,
//! and bookings put on a resource.

use std::path::PathBuf;

use serde_json::{Value, json};
use spacebridge::sim::{Faults, Scenario};
use spacebridge::sync::apply::{ApplyOptions, Control};
use spacebridge::sync::upload::{UploadOptions, upload};
use spacebridge::sync::{EventSink, PlanOptions, SyncReport, SyncSettings};
use spacebridge::template::{self, LoadOptions};

use super::synced::{Expected, assert_condeco_holds, expected_of};
use super::{SAMPLE, Side, Simulators, path_of, spawn_sims};

/// New-customer simulators with the sample template uploaded and every building in a
/// reservation center; a store path in a temporary directory.
pub async fn onboarded(faults: Faults) -> (Simulators, tempfile::TempDir) {
    let sims = spawn_sims(Scenario::NewCustomer, Faults::default()).await;
    let loaded = template::load(&path_of(SAMPLE), &LoadOptions::default()).unwrap();
    let report = upload(
        &sims.eptura_client(),
        &loaded.portfolio,
        UploadOptions::default(),
    )
    .await
    .unwrap();
    assert!(!report.has_failures(), "{:?}", report.failures);
    let buildings: Vec<i64> = sims.state(Side::Eptura).await["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    sims.assign_center("Everywhere Reservation Center", &buildings)
        .await;
    sims.set_faults(Side::Condeco, &faults).await;
    (sims, tempfile::tempdir().unwrap())
}

pub fn settings(sims: &Simulators, store: PathBuf, plan: PlanOptions) -> SyncSettings {
    SyncSettings {
        eptura: sims.eptura_client(),
        condeco: sims.condeco_client(),
        store,
        plan,
        apply: ApplyOptions::default(),
    }
}

pub async fn sync(sims: &Simulators, dir: &tempfile::TempDir, plan: PlanOptions) -> SyncReport {
    let (control, _pause) = Control::detached();
    spacebridge::sync::run(
        &settings(sims, dir.path().join("store.sqlite"), plan),
        &EventSink::none(),
        &control,
    )
    .await
    .unwrap()
}

/// `--allow-destructive`.
pub fn allowing_destructive() -> PlanOptions {
    PlanOptions {
        allow_destructive: true,
        ..PlanOptions::default()
    }
}

pub async fn writes(sims: &Simulators) -> u64 {
    sims.stats(Side::Condeco).await["writes"].as_u64().unwrap()
}

pub async fn expected(sims: &Simulators) -> Expected {
    expected_of(&sims.state(Side::Eptura).await)
}

/// Condeco holds exactly what Eptura says should sync, each once, each with its external id.
pub async fn assert_condeco_matches(sims: &Simulators) {
    assert_condeco_holds(
        &sims.state(Side::Eptura).await,
        &sims.state(Side::Condeco).await,
    );
}

/// The Eptura API as a customer would change it: PUT/DELETE on its records.
pub async fn eptura_call(sims: &Simulators, method: reqwest::Method, path: &str, body: Value) {
    let (status, answer) = sims.eptura_api().send(method, path, body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
}

/// A synced resource with its Eptura room: (Condeco resource id, room JSON).
pub async fn a_synced_room(sims: &Simulators, usage: &str, skip: usize) -> (i64, Value) {
    let eptura = sims.state(Side::Eptura).await;
    let condeco = sims.state(Side::Condeco).await;
    let room = eptura["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reservable"] == json!(true) && r["type"]["usage"] == json!(usage))
        .nth(skip)
        .unwrap()
        .clone();
    let external = room["id"].as_i64().unwrap().to_string();
    let resource = condeco["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["externalId"] == json!(external))
        .unwrap();
    (resource["resourceId"].as_i64().unwrap(), room)
}

pub async fn book(sims: &Simulators, resource: i64, count: u64) {
    let response = reqwest::Client::new()
        .post(format!("{}/__sim/bookings", sims.condeco_url))
        .json(&json!({ "resourceId": resource, "count": count }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}
