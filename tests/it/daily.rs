//! The daily operation end to end, over loopback HTTP with a real SQLite store: after an
//! initial sync, a daily run reads only Eptura's changes (plus the id listings) and writes
//! exactly what changed, the destructive changes held; the run after it writes nothing; drift
//! made in Condeco directly is reported with its fields, put back by a planned op, and kept with
//! the run in the store.

use reqwest::Method;
use serde_json::{Value, json};
use spacebridge::domain::SyncKind;
use spacebridge::sim::{Faults, Scenario};
use spacebridge::store::{DriftChange, Store};
use spacebridge::sync::PlanOptions;
use spacebridge::sync::snapshot::EpturaSnapshot;

use crate::support::syncing::{assert_condeco_matches, eptura_call, sync, writes};
use crate::support::{CONDECO_CLIENT, Side, Simulators, spawn_sims};

/// A `large:N` estate synced once into an empty Condeco.
async fn synced_large(spaces: usize) -> (Simulators, tempfile::TempDir) {
    let sims = spawn_sims(Scenario::Large(spaces), Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let first = sync(&sims, &dir, PlanOptions::default()).await;
    assert_eq!(first.status, "succeeded", "{:?}", first.reason);
    (sims, dir)
}

fn rooms(eptura: &Value) -> Vec<Value> {
    eptura["rooms"].as_array().unwrap().clone()
}

fn id(record: &Value) -> i64 {
    record["id"].as_i64().unwrap()
}

fn count(map: &std::collections::BTreeMap<SyncKind, u64>, kind: SyncKind) -> u64 {
    map.get(&kind).copied().unwrap_or(0)
}

#[tokio::test]
async fn a_daily_run_writes_exactly_what_changed_and_the_next_one_nothing() {
    let (sims, dir) = synced_large(2_000).await;
    let eptura = sims.state(Side::Eptura).await;
    let rooms = rooms(&eptura);
    let single_desks: Vec<&Value> = rooms.iter().filter(|r| r["capacity"] == json!(1)).collect();
    let meeting_type = rooms
        .iter()
        .find(|r| r["capacity"] == json!(8))
        .map(|r| r["type"]["id"].clone())
        .unwrap();

    // 1 % of 2,000 spaces: 12 renamed, 5 with a new capacity, 1 switched from a desk (ME) to
    // a meeting room (WE), 1 deleted, and a new floor with one new space.
    for room in &single_desks[0..12] {
        let body = json!({ "id": id(room), "name": format!("{} renamed", room["name"].as_str().unwrap()) });
        eptura_call(&sims, Method::PUT, &format!("/rooms/{}", id(room)), body).await;
    }
    let meeting_rooms: Vec<&Value> = rooms.iter().filter(|r| r["capacity"] == json!(8)).collect();
    for room in &meeting_rooms[0..5] {
        let body = json!({ "id": id(room), "capacity": 12 });
        eptura_call(&sims, Method::PUT, &format!("/rooms/{}", id(room)), body).await;
    }
    let switched = single_desks[20];
    let body = json!({ "id": id(switched), "type": { "id": meeting_type }, "capacity": 6 });
    eptura_call(
        &sims,
        Method::PUT,
        &format!("/rooms/{}", id(switched)),
        body,
    )
    .await;
    let deleted = single_desks[30];
    eptura_call(
        &sims,
        Method::DELETE,
        &format!("/rooms/{}", id(deleted)),
        json!({}),
    )
    .await;
    let building = eptura["buildings"][0]["id"].clone();
    let floor = sims
        .eptura_api()
        .create(
            "/floors",
            json!({ "name": "Level 11", "building": { "id": building } }),
        )
        .await;
    sims.eptura_api()
        .create(
            "/rooms",
            json!({ "name": "Level 11 Huddle", "floor": { "id": floor["id"] },
                    "type": { "id": meeting_type }, "capacity": 4, "reservable": true }),
        )
        .await;

    let before = writes(&sims).await;
    let daily = sync(&sims, &dir, PlanOptions::default()).await;
    assert_eq!(daily.status, "succeeded", "{:?}", daily.reason);
    assert_eq!(serde_json::to_value(daily.kind).unwrap(), json!("daily"));
    assert_eq!(
        count(&daily.ops.update, SyncKind::Resource),
        17,
        "{:?}",
        daily.ops
    );
    assert_eq!(
        count(&daily.ops.create, SyncKind::Floor),
        1,
        "{:?}",
        daily.ops
    );
    assert_eq!(
        count(&daily.ops.create, SyncKind::Resource),
        1,
        "{:?}",
        daily.ops
    );
    assert_eq!(
        count(&daily.ops.delete, SyncKind::Resource),
        0,
        "held, not run"
    );
    let held: Vec<&str> = daily
        .held_destructive
        .iter()
        .map(|h| h.eptura_id.as_str())
        .collect();
    let (switched_id, deleted_id) = (id(switched).to_string(), id(deleted).to_string());
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.contains(&switched_id.as_str()) && held.contains(&deleted_id.as_str()));
    assert_eq!(
        writes(&sims).await - before,
        19,
        "17 updates, a floor, a resource"
    );
    assert!(daily.drift.is_empty(), "{:?}", daily.drift);

    let before = writes(&sims).await;
    let next = sync(&sims, &dir, PlanOptions::default()).await;
    assert_eq!(next.status, "succeeded");
    assert_eq!(writes(&sims).await, before, "nothing changed: no write");
    assert_eq!(
        next.held_destructive.len(),
        2,
        "still waiting for the operator"
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn drift_made_in_condeco_is_reported_with_its_fields_and_put_back() {
    let (sims, dir) = synced_large(300).await;
    let condeco = sims.state(Side::Condeco).await;
    let resources = condeco["resources"].as_array().unwrap();
    let (renamed, deleted) = (&resources[3], &resources[7]);
    let api = sims.condeco_api(CONDECO_CLIENT).await;
    let renamed_id = renamed["resourceId"].as_i64().unwrap();
    let deleted_id = deleted["resourceId"].as_i64().unwrap();
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("resources/{renamed_id}"),
            Some(json!({ "name": "Renamed by hand" })),
        )
        .await;
    assert!(status.is_success());
    let (status, _) = api
        .call(Method::DELETE, &format!("resources/{deleted_id}"), None)
        .await;
    assert!(status.is_success());

    let report = sync(&sims, &dir, PlanOptions::default()).await;
    assert_eq!(report.status, "succeeded", "{:?}", report.reason);
    let mut drift = serde_json::to_value(&report.drift).unwrap();
    drift
        .as_array_mut()
        .unwrap()
        .sort_by_key(|d| d["change"].as_str().unwrap().to_string());
    assert_eq!(
        drift,
        json!([
            { "kind": "resource", "condeco_id": renamed_id.to_string(),
              "eptura_id": renamed["externalId"], "change": "changed", "fields": ["name"] },
            { "kind": "resource", "condeco_id": deleted_id.to_string(),
              "eptura_id": deleted["externalId"], "change": "deleted", "fields": [] },
        ])
    );
    assert_eq!(count(&report.ops.update, SyncKind::Resource), 1);
    assert_eq!(count(&report.ops.create, SyncKind::Resource), 1);
    assert_condeco_matches(&sims).await;
    let store = Store::open(&dir.path().join("store.sqlite")).unwrap();
    let run = report.run_id.unwrap();
    let kept = store.drift_of_run(run).unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().any(|d| d.change == DriftChange::Deleted));
    assert_eq!(store.run(run).unwrap().unwrap().drift, 2);

    let again = sync(&sims, &dir, PlanOptions::default()).await;
    assert!(again.drift.is_empty(), "put back: {:?}", again.drift);
    sims.shutdown().await;
}

#[tokio::test]
async fn reading_only_the_changes_gives_the_same_estate_as_reading_it_all() {
    let (sims, dir) = synced_large(700).await;
    let eptura = sims.state(Side::Eptura).await;
    let rooms = rooms(&eptura);
    let body = json!({ "id": id(&rooms[1]), "name": "Moved desk" });
    eptura_call(
        &sims,
        Method::PUT,
        &format!("/rooms/{}", id(&rooms[1])),
        body,
    )
    .await;
    eptura_call(
        &sims,
        Method::DELETE,
        &format!("/rooms/{}", id(&rooms[2])),
        json!({}),
    )
    .await;
    let floor = &eptura["floors"][3];
    let body = json!({ "id": id(floor), "name": "Mezzanine" });
    eptura_call(&sims, Method::PUT, &format!("/floors/{}", id(floor)), body).await;
    sims.eptura_api()
        .create(
            "/rooms",
            json!({ "name": "New room", "floor": { "id": floor["id"] },
                    "type": { "id": rooms[0]["type"]["id"] }, "capacity": 2 }),
        )
        .await;

    let client = sims.eptura_client();
    let copy = Store::open(&dir.path().join("store.sqlite"))
        .unwrap()
        .eptura_copy()
        .unwrap()
        .expect("the initial run saved a copy");
    let (changed, update) = EpturaSnapshot::read_changes(&client, copy, 0)
        .await
        .unwrap();
    let whole = EpturaSnapshot::read(&client).await.unwrap();
    assert_eq!(changed.floors, whole.floors);
    assert_eq!(changed.spaces, whole.spaces);
    assert_eq!(changed.buildings, whole.buildings);
    assert_eq!(update.gone_spaces, vec![id(&rooms[2]).into()]);
    assert_eq!(update.spaces.len(), 2, "the renamed room and the new one");
    assert_eq!(update.floors.len(), 1, "the renamed floor");
    sims.shutdown().await;
}
