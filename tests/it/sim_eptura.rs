//! The Eptura Workplace simulator over real loopback HTTP, with raw reqwest (no client
//! library): auth, paging edges, counts, modifiedOrCreatedAfter, CRUD, read-only countries,
//! reservation centers, scenarios' contents and stats.

use reqwest::StatusCode;
use serde_json::{Value, json};
use spacebridge::sim::{Faults, Scenario};

use crate::support::{EpturaApi, Side, Simulators, spawn_sims};

/// Both simulators with `scenario` and a raw Eptura caller.
async fn start(scenario: Scenario) -> (Simulators, EpturaApi) {
    let sims = spawn_sims(scenario, Faults::default()).await;
    let api = sims.eptura_api();
    (sims, api)
}

fn names(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn requests_without_credentials_are_refused() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    let url = format!("{}/buildings", api.base);
    let bare = reqwest::get(&url).await.unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    let half = api
        .http
        .get(&url)
        .header("x-auth-username", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(half.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.rows("/buildings").await.len(), 7);
    sims.shutdown().await;
}

#[tokio::test]
async fn pages_are_bare_arrays_cut_at_the_limit() {
    let (sims, api) = start(Scenario::Empty).await;
    assert!(api.rows("/buildings").await.is_empty(), "zero rows");
    for i in 0..10 {
        api.create("/buildings", json!({ "name": format!("B{i:02}") }))
            .await;
    }
    // Exactly `limit` rows: a full page, then an empty one.
    assert_eq!(api.rows("/buildings?limit=10").await.len(), 10);
    assert!(api.rows("/buildings?limit=10&startAt=10").await.is_empty());
    // limit + 1 rows: a full page and a page of one.
    api.create("/buildings", json!({ "name": "B10" })).await;
    assert_eq!(api.rows("/buildings?limit=10").await.len(), 10);
    let last = api.rows("/buildings?limit=10&startAt=10").await;
    assert_eq!(names(&last), vec!["B10"]);
    assert_eq!(api.count("/buildings/count").await, 11);
    // Pages do not overlap and cover everything.
    let first = api.rows("/buildings?limit=10").await;
    assert!(!names(&first).contains(&"B10".to_string()));
    sims.shutdown().await;
}

#[tokio::test]
async fn limit_defaults_to_50_and_is_capped_at_100() {
    let (sims, api) = start(Scenario::Large(250)).await;
    assert_eq!(api.rows("/rooms").await.len(), 50);
    assert_eq!(api.rows("/rooms?limit=500").await.len(), 100);
    assert_eq!(api.rows("/rooms?limit=100&startAt=200").await.len(), 50);
    assert_eq!(api.count("/rooms/count").await, 250);
    let (status, _) = api.get("/rooms?limit=ten").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    sims.shutdown().await;
}

#[tokio::test]
async fn ordering_and_search() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    let by_name = names(&api.rows("/buildings?orderBy=name&orderByType=desc").await);
    let mut sorted = by_name.clone();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(by_name, sorted);
    let ids: Vec<u64> = api
        .rows("/rooms/types?orderByType=desc")
        .await
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let houston = api.rows("/buildings?search=houston").await;
    assert_eq!(names(&houston), vec!["Houston Energy Center"]);
    sims.shutdown().await;
}

#[tokio::test]
async fn count_twins_and_filters_by_building_and_floor() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    assert_eq!(api.count("/buildings/count").await, 7);
    assert_eq!(api.count("/floors/count").await, 21);
    assert_eq!(api.count("/rooms/count").await, 422);
    assert_eq!(api.count("/rooms/types/count").await, 11);
    let houston = &api.rows("/buildings?search=houston").await[0];
    let id = houston["id"].as_u64().unwrap();
    let floors = api.rows(&format!("/floors?buildingId={id}")).await;
    assert_eq!(names(&floors), vec!["1", "2", "3", "4"]);
    assert_eq!(
        api.count(&format!("/floors/count?buildingId={id}")).await,
        4
    );
    assert!(floors.iter().all(|f| f["building"]["id"] == json!(id)));
    let floor = floors[0]["id"].as_u64().unwrap();
    let rooms = api.count(&format!("/rooms/count?floorId={floor}")).await;
    assert_eq!(rooms, 22, "Houston floor 1 has 22 spaces in the sample");
    // floorId wins over a mismatching buildingId.
    let both = api
        .count(&format!("/rooms/count?floorId={floor}&buildingId=1"))
        .await;
    assert_eq!(both, rooms);
    let in_building = api.count(&format!("/rooms/count?buildingId={id}")).await;
    assert_eq!(in_building, 79, "22 + 20 + 19 + 18 spaces");
    sims.shutdown().await;
}

#[tokio::test]
async fn modified_or_created_after_returns_only_recent_changes() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let after = format!("modifiedOrCreatedAfter={since}");
    assert!(api.rows(&format!("/buildings?{after}")).await.is_empty());
    let created = api
        .create(
            "/buildings",
            json!({ "name": "Austin Annex", "code": "AUS1" }),
        )
        .await;
    let room = &api.rows("/rooms?limit=1").await[0];
    let room_id = room["id"].as_u64().unwrap();
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("/rooms/{room_id}"),
            json!({ "id": room_id, "capacity": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let buildings = api.rows(&format!("/buildings?{after}")).await;
    assert_eq!(names(&buildings), vec!["Austin Annex"]);
    assert_eq!(buildings[0]["id"], created["id"]);
    let rooms = api.rows(&format!("/rooms?{after}")).await;
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0]["id"], json!(room_id));
    assert!(rooms[0]["dateUpdated"].as_u64().unwrap() >= since as u64);
    assert!(api.rows(&format!("/floors?{after}")).await.is_empty());
    assert!(api.rows(&format!("/rooms/types?{after}")).await.is_empty());
    assert!(api.rows(&format!("/countries?{after}")).await.is_empty());
    assert_eq!(
        api.rows("/countries?modifiedOrCreatedAfter=0").await.len(),
        6
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn create_read_update_delete_with_nested_records() {
    let (sims, api) = start(Scenario::NewCustomer).await;
    let building = api
        .create(
            "/buildings",
            json!({
                "name": "Houston Energy Center", "code": "HOU1",
                "address": {"street": "1201 Louisiana St", "city": "Houston",
                            "postalCode": "77002", "country": {"isoCode": "US"},
                            "state": {"code": "TX"}}
            }),
        )
        .await;
    assert_eq!(building["address"]["country"]["isoCode"], "US");
    assert_eq!(building["address"]["state"]["code"], "TX");
    assert_eq!(building["centers"], json!([]));
    assert!(building["dateCreated"].as_i64().unwrap() > 1_700_000_000_000);
    let b = building["id"].as_u64().unwrap();
    let floor = api
        .create("/floors", json!({ "name": "2", "building": { "id": b } }))
        .await;
    assert_eq!(floor["building"]["code"], "HOU1");
    let kind = api
        .create(
            "/rooms/types",
            json!({ "name": "Huddle Room", "typeCode": "HUD", "usage": "WE" }),
        )
        .await;
    assert_eq!(kind["usage"], "WE");
    let room = api
        .create(
            "/rooms",
            json!({
                "name": "Huddle 02A", "capacity": 4, "reservable": true,
                "floor": {"id": floor["id"]}, "type": {"id": kind["id"]},
                "area": 110.0
            }),
        )
        .await;
    assert_eq!(room["floor"]["building"]["id"], json!(b));
    assert_eq!(room["type"]["name"], "Huddle Room");
    assert_eq!(room["area"], json!(110.0), "unknown fields are kept");
    let r = room["id"].as_u64().unwrap();

    // A partial update keeps what was not sent.
    let (status, updated) = api
        .send(
            reqwest::Method::PUT,
            &format!("/rooms/{r}"),
            json!({ "id": r, "capacity": 6 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["capacity"], 6);
    assert_eq!(updated["name"], "Huddle 02A");
    assert!(updated["dateUpdated"].as_i64() >= room["dateUpdated"].as_i64());

    let (status, _) = api
        .send(
            reqwest::Method::POST,
            "/rooms",
            json!({ "name": "Lost", "floor": {"id": 999_999}, "type": {"id": kind["id"]} }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api
        .send(reqwest::Method::POST, "/buildings", json!({ "code": "X" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "name is required");

    let (status, gone) = api
        .send(reqwest::Method::DELETE, &format!("/rooms/{r}"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(gone, json!({ "response": "Successfully removed" }));
    assert_eq!(
        api.get(&format!("/rooms/{r}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = api
        .send(
            reqwest::Method::DELETE,
            &format!("/buildings/{b}"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        api.count("/floors/count").await,
        0,
        "floors go with their building"
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn countries_are_read_only() {
    let (sims, api) = start(Scenario::Empty).await;
    let countries = api.rows("/countries").await;
    let us = countries.iter().find(|c| c["isoCode"] == "US").unwrap();
    let id = us["id"].as_u64().unwrap();
    assert_eq!(
        api.get(&format!("/countries/{id}")).await.1["isoCode"],
        "US"
    );
    let (status, _) = api
        .send(
            reqwest::Method::POST,
            "/countries",
            json!({ "name": "Atlantis" }),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("/countries/{id}"),
            json!({ "name": "X" }),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    sims.shutdown().await;
}

#[tokio::test]
async fn reservation_centers_list_their_buildings() {
    let (sims, api) = start(Scenario::NewCustomer).await;
    let centers = api.rows("/centers?module=reservation").await;
    assert_eq!(centers.len(), 7, "one per city of the sample template");
    let building = api.create("/buildings", json!({ "name": "Annex" })).await;
    let b = building["id"].as_i64().unwrap();
    let assigned = sims.assign_center("Annex Reservation Center", &[b]).await;
    let center = assigned["id"].as_u64().unwrap();
    assert_eq!(api.rows("/centers?module=reservation").await.len(), 8);
    let (_, read) = api.get(&format!("/buildings/{b}")).await;
    assert_eq!(read["centers"][0]["module"], "reservation");
    assert_eq!(read["centers"][0]["id"], json!(center));
    let (status, detail) = api
        .get(&format!(
            "/centers/{center}?selector=buildings(centers(module)),rules"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["buildings"][0]["id"], json!(b));
    assert_eq!(api.get("/centers").await.0, StatusCode::BAD_REQUEST);
    sims.shutdown().await;
}

#[tokio::test]
async fn new_customer_has_countries_centers_and_some_types() {
    let (sims, api) = start(Scenario::NewCustomer).await;
    let codes: Vec<Value> = api
        .rows("/countries")
        .await
        .iter()
        .map(|c| c["isoCode"].clone())
        .collect();
    assert!(codes.contains(&json!("US")) && codes.contains(&json!("CA")));
    let types = names(&api.rows("/rooms/types").await);
    assert_eq!(
        types,
        vec!["Workstation", "Office", "Conference Room", "Storage"]
    );
    assert_eq!(api.count("/buildings/count").await, 0);
    let state = sims.state(Side::Eptura).await;
    assert!(
        state["centers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["buildings"] == json!([]))
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn existing_customer_holds_the_sample_template_with_centers_on_most_buildings() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    let buildings = api.rows("/buildings").await;
    let codes: Vec<&str> = buildings
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["HOU1", "BOS1", "NYC1", "CHI1", "DCA1", "TOR1", "MTL1"]
    );
    let without: Vec<&str> = buildings
        .iter()
        .filter(|b| b["centers"] == json!([]))
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(without, vec!["DCA1"]);
    let types = api.rows("/rooms/types").await;
    assert!(
        types
            .iter()
            .all(|t| ["ME", "WE", "NONE"].contains(&t["usage"].as_str().unwrap()))
    );
    let state = sims.state(Side::Eptura).await;
    assert_eq!(state["rooms"].as_array().unwrap().len(), 422);
    assert_eq!(state["roomTypes"].as_array().unwrap().len(), 11);
    sims.shutdown().await;
}

#[tokio::test]
async fn large_scenario_generates_the_asked_number_of_spaces() {
    let (sims, api) = start(Scenario::Large(1_200)).await;
    assert_eq!(api.count("/rooms/count").await, 1_200);
    assert_eq!(api.count("/floors/count").await, 24);
    assert_eq!(api.count("/buildings/count").await, 3);
    let buildings = api.rows("/buildings").await;
    assert!(buildings.iter().all(|b| b["centers"] != json!([])));
    sims.shutdown().await;
}

#[tokio::test]
async fn stats_count_requests_by_route_template_and_status() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    let id = api.rows("/buildings").await[0]["id"].as_u64().unwrap();
    api.get(&format!("/buildings/{id}")).await;
    api.get(&format!("/buildings/{}", id + 1)).await;
    api.get("/buildings/0").await;
    api.create("/buildings", json!({ "name": "New" })).await;
    reqwest::get(format!("{}/buildings", api.base))
        .await
        .unwrap();
    let stats = sims.stats(Side::Eptura).await;
    assert_eq!(stats["requests"], 6);
    assert_eq!(stats["writes"], 1);
    assert_eq!(stats["by_route"]["GET /buildings/{id}"], 3);
    assert_eq!(stats["by_route"]["GET /buildings"], 2);
    assert_eq!(stats["by_route"]["POST /buildings"], 1);
    assert_eq!(stats["by_status"]["201"], 1);
    assert_eq!(stats["by_status"]["401"], 1);
    assert_eq!(
        stats["by_status"]["404"], 2,
        "id + 1 is a floor, 0 is nothing"
    );
    // Reset brings back the scenario and zero counts.
    sims.reset(Side::Eptura).await;
    assert_eq!(sims.stats(Side::Eptura).await["requests"], 0);
    assert_eq!(api.count("/buildings/count").await, 7);
    sims.shutdown().await;
}
