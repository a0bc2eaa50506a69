//! The Condeco simulator over real loopback HTTP, with raw reqwest (no client library): token
//! and 401s, the paging envelope, externalId filters, every rule of the spec (names, unique
//! siblings, default workspace types, immutable resource kind, personal capacity, cascade and
//! bookingsDeleted), floors, and the scenarios' contents.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spacebridge::sim::{Faults, Scenario};

use crate::support::{CondecoApi, Side, Simulators, eventually, spawn_sims};

/// Both simulators with `scenario` and a raw Condeco caller holding a token.
async fn start(scenario: Scenario) -> (Simulators, CondecoApi) {
    let sims = spawn_sims(scenario, Faults::default()).await;
    let api = sims.condeco_api("Acme_Corp").await;
    (sims, api)
}

/// Records of the Condeco rules' tests.
impl CondecoApi {
    /// country → region → location with floors 1 and 2; returns the location id.
    async fn location(&self, name: &str) -> u64 {
        let country = self
            .create(
                "countries",
                json!({ "name": "United States", "countryCode": "US" }),
            )
            .await;
        let region = self
            .create(
                "regions",
                json!({ "name": "Texas", "countryId": country["countryId"] }),
            )
            .await;
        let location = self
            .create(
                "locations",
                json!({ "name": name, "regionId": region["regionId"],
                        "floors": [{"floorNumber": 1, "name": "Level 1"},
                                   {"floorNumber": 2, "name": "Level 2"}] }),
            )
            .await;
        location["locationId"].as_u64().unwrap()
    }

    async fn desk(&self, location: u64, floor: i64, name: &str) -> Value {
        self.create(
            "resources",
            json!({ "name": name, "resourceType": "PersonalSpace", "bookingPeriod": "AllDay",
                    "locationId": location, "floorNumber": floor }),
        )
        .await
    }
}

fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn every_request_needs_a_subscription_key_and_a_valid_token() {
    let (sims, api) = start(Scenario::Empty).await;
    let url = format!("{}/countries", api.base);
    let no_key = api
        .http
        .get(&url)
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), StatusCode::UNAUTHORIZED);
    let body: Value = no_key.json().await.unwrap();
    assert!(!message(&body).is_empty(), "401 carries a JSON message");
    let no_token = api
        .http
        .get(&url)
        .header("Ocp-Apim-Subscription-Key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    let forged = api
        .http
        .get(&url)
        .header("Ocp-Apim-Subscription-Key", "k")
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.get("countries").await.0, StatusCode::OK);
    // Any client name works.
    assert!(
        !CondecoApi::new(&sims.condeco_url, "Other_Client")
            .fetch_token()
            .await
            .is_empty()
    );
    let bad_grant = api
        .http
        .post(format!("{}/token", api.base))
        .form(&[
            ("client_id", "a"),
            ("client_secret", "b"),
            ("grant_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_grant.status(), StatusCode::BAD_REQUEST);
    sims.shutdown().await;
}

#[tokio::test]
async fn tokens_expire_and_a_new_one_works() {
    let (sims, mut api) = start(Scenario::Empty).await;
    sims.set_faults(Side::Condeco, json!({ "token_ttl_secs": 1 }))
        .await;
    api.token = api.fetch_token().await;
    assert_eq!(api.get("countries").await.0, StatusCode::OK);
    eventually("the one-second token expires", || async {
        (api.get("countries").await.0 == StatusCode::UNAUTHORIZED).then_some(())
    })
    .await;
    api.token = api.fetch_token().await;
    assert_eq!(api.get("countries").await.0, StatusCode::OK);
    sims.shutdown().await;
}

#[tokio::test]
async fn pages_come_in_an_envelope() {
    let (sims, api) = start(Scenario::Empty).await;
    let (_, empty) = api.get("countries").await;
    assert_eq!(
        empty,
        json!({"items": [], "pageNumber": 1, "pageSize": 100, "totalCount": 0})
    );
    for (i, code) in ["US", "CA", "GB", "FR", "DE"].iter().enumerate() {
        api.create(
            "countries",
            json!({ "name": format!("C{i}"), "countryCode": code }),
        )
        .await;
    }
    // Exactly pageSize rows: a full page, then an empty one.
    assert_eq!(api.items("countries?pageSize=5").await.len(), 5);
    assert!(
        api.items("countries?pageSize=5&pageNumber=2")
            .await
            .is_empty()
    );
    // pageSize + 1 rows.
    api.create("countries", json!({ "name": "C5", "countryCode": "MX" }))
        .await;
    let (_, second) = api.get("countries?pageSize=5&pageNumber=2").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["name"], "C5");
    assert_eq!(second["totalCount"], 6);
    assert_eq!(second["pageNumber"], 2);
    assert_eq!(api.get("countries?pageSize=1000").await.1["pageSize"], 500);
    assert_eq!(
        api.get("countries?pageNumber=0").await.0,
        StatusCode::BAD_REQUEST
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn every_collection_filters_by_external_id() {
    let (sims, api) = start(Scenario::Empty).await;
    let location = api.location("Houston HQ").await;
    let resource = api.desk(location, 1, "HOU-01-001").await;
    let resource_id = resource["resourceId"].as_u64().unwrap();
    let state = sims.state(Side::Condeco).await;
    let ids = [
        ("countries", state["countries"][0]["countryId"].clone()),
        ("regions", state["regions"][0]["regionId"].clone()),
        ("locations", json!(location)),
        ("resources", json!(resource_id)),
    ];
    for (i, (path, id)) in ids.iter().enumerate() {
        let external = format!("E-{i}");
        let (status, updated) = api
            .call(
                Method::PUT,
                &format!("{path}/{id}"),
                Some(json!({ "externalId": external })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {updated}");
        let found = api.items(&format!("{path}?externalId={external}")).await;
        assert_eq!(found.len(), 1, "{path}");
        assert!(
            api.items(&format!("{path}?externalId=nope"))
                .await
                .is_empty(),
            "{path}"
        );
    }
    let country = state["countries"][0]["countryId"].clone();
    api.create(
        "groups",
        json!({ "name": "US Default", "countryId": country, "isDefault": true,
                "locationIds": [location], "externalId": "G-1" }),
    )
    .await;
    assert_eq!(api.items("groups?externalId=G-1").await.len(), 1);
    api.create(
        "workspacetypes",
        json!({ "name": "Phone Booth", "bookingPeriod": "AllDay", "externalId": "T-1" }),
    )
    .await;
    assert_eq!(api.items("workspacetypes?externalId=T-1").await.len(), 1);
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("locations/{location}/floors/2"),
            Some(json!({ "name": "Level 2", "externalId": "F-2" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let floors = api
        .items(&format!("locations/{location}/floors?externalId=F-2"))
        .await;
    assert_eq!(floors.len(), 1);
    assert_eq!(floors[0]["floorNumber"], 2);
    sims.shutdown().await;
}

#[tokio::test]
async fn list_filters_narrow_resources() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    let (_, all) = api.get("resources?pageSize=500").await;
    let total = all["totalCount"].as_u64().unwrap();
    let personal = api.get("resources?resourceType=PersonalSpace").await.1["totalCount"]
        .as_u64()
        .unwrap();
    let meeting = api.get("resources?resourceType=MeetingSpace").await.1["totalCount"]
        .as_u64()
        .unwrap();
    assert_eq!(personal + meeting, total);
    assert!(personal > 0 && meeting > 0);
    let location = all["items"][0]["locationId"].as_u64().unwrap();
    let on_floor = api
        .items(&format!(
            "resources?locationId={location}&floorNumber=1&pageSize=500"
        ))
        .await;
    assert!(!on_floor.is_empty());
    assert!(
        on_floor
            .iter()
            .all(|r| r["locationId"] == json!(location) && r["floorNumber"] == 1)
    );
    let country = api.items("countries?countryCode=CA").await[0]["countryId"].clone();
    let regions = api.items(&format!("regions?countryId={country}")).await;
    let names: Vec<&str> = regions
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Ontario", "Quebec"]);
    sims.shutdown().await;
}

#[tokio::test]
async fn names_follow_condecos_rules() {
    let (sims, api) = start(Scenario::Empty).await;
    let country = api
        .create(
            "countries",
            json!({ "name": "Canada", "countryCode": "CA" }),
        )
        .await["countryId"]
        .clone();
    let region = |name: &str| json!({ "name": name, "countryId": country });
    for bad in ["Ontario, East", "Ontario \u{20ac}", &"x".repeat(101), "  "] {
        let (status, body) = api.call(Method::POST, "regions", Some(region(bad))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert!(!message(&body).is_empty(), "{bad:?} has a message");
    }
    api.create("regions", region(&"x".repeat(100))).await;
    api.create("regions", region("Québec")).await;
    // Unique among siblings, compared without case.
    api.create("regions", region("Ontario")).await;
    let (status, body) = api
        .call(Method::POST, "regions", Some(region("ONTARIO")))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&body).contains("ONTARIO"));
    // The same name under another parent is fine.
    let other = api
        .create(
            "countries",
            json!({ "name": "United States", "countryCode": "US" }),
        )
        .await;
    api.create(
        "regions",
        json!({ "name": "Ontario", "countryId": other["countryId"] }),
    )
    .await;
    // A rename into a sibling's name is refused too.
    let quebec = api.items("regions?pageSize=10").await;
    let quebec = quebec.iter().find(|r| r["name"] == "Québec").unwrap();
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("regions/{}", quebec["regionId"]),
            Some(json!({ "name": "Ontario" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A rename frees the old name and takes the new one.
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("regions/{}", quebec["regionId"]),
            Some(json!({ "name": "Quebec City" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    api.create("regions", region("Québec")).await;
    let (status, _) = api
        .call(Method::POST, "regions", Some(region("quebec city")))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    sims.shutdown().await;
}

#[tokio::test]
async fn default_workspace_types_exist_and_cannot_be_deleted() {
    let (sims, api) = start(Scenario::Empty).await;
    let types = api.items("workspacetypes").await;
    let defaults: Vec<(String, String)> = types
        .iter()
        .filter(|t| t["isDefault"] == true)
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["bookingPeriod"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        defaults,
        vec![
            ("Meeting Room".to_string(), "Hourly".to_string()),
            ("Desk".to_string(), "AllDay".to_string())
        ]
    );
    for t in &types {
        let (status, body) = api
            .call(
                Method::DELETE,
                &format!("workspacetypes/{}?cascade=true", t["workspaceTypeId"]),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(message(&body).contains("default"));
    }
    let custom = api
        .create(
            "workspacetypes",
            json!({ "name": "Locker", "bookingPeriod": "AllDay" }),
        )
        .await;
    assert_eq!(custom["isDefault"], false);
    let (status, body) = api
        .call(
            Method::DELETE,
            &format!("workspacetypes/{}", custom["workspaceTypeId"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "bookingsDeleted": 0 }));
    sims.shutdown().await;
}

#[tokio::test]
async fn resource_kind_is_fixed_and_personal_spaces_seat_one() {
    let (sims, api) = start(Scenario::Empty).await;
    let location = api.location("Houston HQ").await;
    let desk = api.desk(location, 1, "HOU-01-001").await;
    assert_eq!(desk["capacity"], 1);
    assert_eq!(desk["bookingCount"], 0);
    let path = format!("resources/{}", desk["resourceId"]);
    for change in [
        json!({ "resourceType": "MeetingSpace" }),
        json!({ "bookingPeriod": "Hourly" }),
    ] {
        let (status, body) = api.call(Method::PUT, &path, Some(change.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{change}");
        assert!(message(&body).contains("cannot change"), "{body}");
    }
    // Sending the same values, or other fields, is fine; unsent fields are kept.
    let (status, renamed) = api
        .call(
            Method::PUT,
            &path,
            Some(json!({ "resourceType": "PersonalSpace", "name": "HOU-01-001A" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name"], "HOU-01-001A");
    assert_eq!(renamed["floorNumber"], 1);
    let (status, _) = api
        .call(Method::PUT, &path, Some(json!({ "capacity": 2 })))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "personal capacity is 1");
    let (status, _) = api
        .call(
            Method::POST,
            "resources",
            Some(json!({ "name": "Desk 2", "resourceType": "PersonalSpace",
                         "locationId": location, "floorNumber": 1, "capacity": 4 })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = api
        .call(
            Method::POST,
            "resources",
            Some(json!({ "name": "Desk 3", "resourceType": "PersonalSpace",
                         "locationId": location, "floorNumber": 7 })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no floor 7: {body}");
    let room = api
        .create(
            "resources",
            json!({ "name": "Bayou Room", "resourceType": "MeetingSpace",
                    "locationId": location, "floorNumber": 2, "capacity": 10 }),
        )
        .await;
    assert_eq!(room["bookingPeriod"], "Hourly");
    assert_eq!(room["capacity"], 10);
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("resources/{}", room["resourceId"]),
            Some(json!({ "bookingCount": 99 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, read) = api.get(&format!("resources/{}", room["resourceId"])).await;
    assert_eq!(read["bookingCount"], 0, "bookingCount is read-only");
    sims.shutdown().await;
}

#[tokio::test]
async fn deleting_a_parent_needs_cascade_and_reports_bookings() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    let state = sims.state(Side::Condeco).await;
    let resources = state["resources"].as_array().unwrap();
    let location = &state["locations"][0];
    let id = location["locationId"].as_u64().unwrap();
    let bookings_of = |pick: &dyn Fn(&Value) -> bool| -> u64 {
        resources
            .iter()
            .filter(|r| pick(r))
            .map(|r| r["bookingCount"].as_u64().unwrap())
            .sum()
    };

    // A resource answers its own bookings.
    let one = resources
        .iter()
        .find(|r| r["bookingCount"].as_u64().unwrap() > 0 && r["locationId"] != json!(id))
        .unwrap();
    let (status, body) = api
        .call(
            Method::DELETE,
            &format!("resources/{}", one["resourceId"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bookingsDeleted"], one["bookingCount"]);

    // A floor with resources.
    let floor_path = format!("locations/{id}/floors/2");
    let (status, body) = api.call(Method::DELETE, &floor_path, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&body).contains("cascade"));
    let expected = bookings_of(&|r| r["locationId"] == json!(id) && r["floorNumber"] == 2);
    assert!(expected > 0);
    let (status, body) = api
        .call(Method::DELETE, &format!("{floor_path}?cascade=true"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bookingsDeleted"], expected);

    // The location with what is left.
    let left = bookings_of(&|r| r["locationId"] == json!(id) && r["floorNumber"] != 2);
    let path = format!("locations/{id}");
    assert_eq!(
        api.call(Method::DELETE, &path, None).await.0,
        StatusCode::CONFLICT
    );
    let (status, body) = api
        .call(Method::DELETE, &format!("{path}?cascade=true"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bookingsDeleted"], left);
    assert_eq!(api.get(&path).await.0, StatusCode::NOT_FOUND);
    assert!(
        api.items(&format!("resources?locationId={id}"))
            .await
            .is_empty()
    );

    // A region and a country with children.
    let region = location["regionId"].as_u64().unwrap();
    let country_has_children = api
        .call(
            Method::DELETE,
            &format!("countries/{}", state["countries"][0]["countryId"]),
            None,
        )
        .await;
    assert_eq!(country_has_children.0, StatusCode::CONFLICT);
    let (status, body) = api
        .call(Method::DELETE, &format!("regions/{region}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "the region's only location is gone");
    assert_eq!(body["bookingsDeleted"], 0);
    sims.shutdown().await;
}

#[tokio::test]
async fn floors_are_upserted_by_number() {
    let (sims, api) = start(Scenario::Empty).await;
    let location = api.location("Houston HQ").await;
    let path = format!("locations/{location}/floors/-1");
    let (status, floor) = api
        .call(Method::PUT, &path, Some(json!({ "name": "Basement" })))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(floor["floorNumber"], -1);
    let (status, floor) = api
        .call(Method::PUT, &path, Some(json!({ "externalId": "77" })))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(floor["name"], "Basement", "unsent fields are kept");
    let (_, read) = api.get(&format!("locations/{location}")).await;
    let numbers: Vec<i64> = read["floors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["floorNumber"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![-1, 1, 2]);
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("locations/{location}/floors/3"),
            Some(json!({ "name": "level 1" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "floor names are unique too");
    let (status, body) = api.call(Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bookingsDeleted"], 0);
    assert_eq!(api.get(&path).await.0, StatusCode::NOT_FOUND);
    sims.shutdown().await;
}

#[tokio::test]
async fn new_customer_and_empty_have_only_the_default_types() {
    for scenario in [Scenario::Empty, Scenario::NewCustomer, Scenario::Large(10)] {
        let sims = spawn_sims(scenario, Faults::default()).await;
        let state = sims.state(Side::Condeco).await;
        assert_eq!(state["workspaceTypes"].as_array().unwrap().len(), 2);
        for kind in ["countries", "groups", "regions", "locations", "resources"] {
            assert_eq!(state[kind], json!([]), "{scenario}: {kind}");
        }
        sims.shutdown().await;
    }
}

#[tokio::test]
async fn existing_customer_has_drifted_names_bookings_and_no_external_ids() {
    let sims = spawn_sims(Scenario::ExistingCustomer, Faults::default()).await;
    let state = sims.state(Side::Condeco).await;
    let names = |kind: &str| -> Vec<String> {
        state[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    let locations = names("locations");
    assert_eq!(locations.len(), 6, "every sample building with a center");
    assert!(locations.contains(&"New York - Midtown".to_string()));
    assert!(locations.contains(&"CHICAGO WEST LOOP".to_string()));
    assert!(!locations.iter().any(|l| l.contains("Washington")));
    let resources = names("resources");
    assert!(resources.contains(&"Conference Room 3A".to_string()));
    assert!(!resources.contains(&"Conf Rm 3A".to_string()));
    assert!(
        resources.contains(&"Hudson Room".to_string()),
        "Condeco only"
    );
    assert!(
        !resources.contains(&"Heights Room".to_string()),
        "Eptura only"
    );
    let floor_names: Vec<String> = state["locations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["floors"].as_array().unwrap().clone())
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    for style in ["Level 2", "2nd Floor", "12", "Basement", "Ground Floor"] {
        assert!(floor_names.contains(&style.to_string()), "{style}");
    }
    let bookings: u64 = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bookingCount"].as_u64().unwrap())
        .sum();
    assert!(bookings > 100, "{bookings} bookings");
    for kind in ["countries", "groups", "regions", "locations", "resources"] {
        assert!(
            state[kind]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["externalId"].is_null()),
            "{kind}"
        );
    }
    let defaults = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["isDefault"] == true)
        .count();
    assert_eq!(defaults, 2, "one default group per country");
    // Every resource obeys the rules the simulator enforces.
    for r in state["resources"].as_array().unwrap() {
        if r["resourceType"] == "PersonalSpace" {
            assert_eq!(r["capacity"], 1);
            assert_eq!(r["bookingPeriod"], "AllDay");
        } else {
            assert_eq!(r["bookingPeriod"], "Hourly");
        }
    }
    sims.shutdown().await;
}

#[tokio::test]
async fn stats_count_condeco_routes_without_the_client_prefix() {
    let (sims, api) = start(Scenario::ExistingCustomer).await;
    let location = api.items("locations").await[0]["locationId"].clone();
    api.get(&format!("locations/{location}")).await;
    api.call(
        Method::PUT,
        &format!("locations/{location}/floors/9"),
        Some(json!({ "name": "Roof" })),
    )
    .await;
    let stats = sims.stats(Side::Condeco).await;
    assert_eq!(stats["requests"], 4);
    assert_eq!(stats["writes"], 1, "the token is not a write");
    assert_eq!(stats["by_route"]["POST /token"], 1);
    assert_eq!(stats["by_route"]["GET /locations/{id}"], 1);
    assert_eq!(
        stats["by_route"]["PUT /locations/{id}/floors/{floorNumber}"],
        1
    );
    assert_eq!(stats["by_status"]["200"], 4);
    sims.shutdown().await;
}
