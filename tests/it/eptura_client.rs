//! The Eptura Workplace client against loopback stubs: paging over bare arrays (pages of 0,
//! exactly `limit` and `limit + 1` rows), records with missing and unknown fields, `/count`,
//! `modifiedOrCreatedAfter`, the bodies of create/update/delete, centers, and errors that name
//! what to fix without the password.

use serde_json::{Value, json};
use spacebridge::domain::Usage;
use spacebridge::eptura::{
    EpturaClient, EpturaError, EpturaSettings, NewBuilding, NewFloor, NewSpace, NewSpaceType, Patch,
};
use spacebridge::http::{HttpConfig, Secret};
use spacebridge::sim::{Faults, Scenario};

use crate::support::stubs::{self, Seen, json};
use crate::support::{
    EPTURA_PASSWORD as PASSWORD, EPTURA_USERNAME, Side, Simulators, eptura_client as client,
    eptura_settings, spawn_sims, test_http,
};

/// `n` buildings served as bare arrays honouring `limit` and `startAt`.
fn paged_buildings(n: usize) -> impl Fn(&Seen) -> axum::response::Response {
    move |seen: &Seen| {
        assert_eq!(seen.headers["x-auth-password"], PASSWORD);
        assert_eq!(seen.headers["x-auth-username"], EPTURA_USERNAME);
        let limit: usize = seen.q("limit").unwrap().parse().unwrap();
        let start: usize = seen.q("startAt").unwrap().parse().unwrap();
        let rows: Vec<Value> = (start..n.min(start + limit))
            .map(|i| json!({"id": i + 1, "name": format!("B{i}")}))
            .collect();
        json(200, Value::Array(rows))
    }
}

#[tokio::test]
async fn pages_of_zero_exactly_limit_and_limit_plus_one() {
    for (rows, requests) in [(0, 1), (99, 1), (100, 2), (101, 2), (250, 3)] {
        let (base, log) = stubs::stub(paged_buildings(rows)).await;
        let buildings = client(&base).buildings().await.unwrap();
        assert_eq!(buildings.len(), rows, "{rows} rows");
        let ids: Vec<i64> = buildings.iter().map(|b| b.id.get()).collect();
        assert_eq!(
            ids,
            (1..=rows as i64).collect::<Vec<_>>(),
            "in order, none twice"
        );
        let log = log.lock().unwrap();
        assert_eq!(log.len(), requests, "{rows} rows take {requests} requests");
        let starts: Vec<&str> = log.iter().map(|s| s.q("startAt").unwrap()).collect();
        let expected: Vec<String> = (0..requests).map(|p| (p * 100).to_string()).collect();
        assert_eq!(starts, expected);
        assert!(log.iter().all(|s| s.q("limit") == Some("100")));
        assert!(
            log.iter()
                .all(|s| s.path == "/external/api/rest/v2/buildings")
        );
    }
}

#[tokio::test]
async fn a_server_that_ignores_paging_is_caught() {
    let (base, _) = stubs::stub(|_: &Seen| {
        json(
            200,
            Value::Array((1..=100).map(|i| json!({"id": i})).collect()),
        )
    })
    .await;
    let error = client(&base).floors(None).await.unwrap_err();
    assert!(
        matches!(error, EpturaError::PagingStuck { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn records_with_missing_and_unknown_fields_are_read() {
    let (base, _) = stubs::stub(|seen: &Seen| match seen.path.as_str() {
        "/external/api/rest/v2/buildings" => json(200, json!([
            {"id": 43, "name": "Houston HQ", "code": "HOU1", "metric": false,
             "address": {"street": "901 Bagby St", "city": "Houston", "postalCode": "77002",
                         "country": {"id": 223, "isoCode": "US", "defaultSelected": true},
                         "state": {"id": 61, "code": "TX", "name": "Texas"}},
             "centers": [{"id": 145, "name": "Houston RC", "module": "reservation"}],
             "dateUpdated": 1677538229843i64},
            {"id": 44, "name": "Bare", "code": ""},
            {"id": 45, "name": "Null address", "address": null, "city": "Austin", "centers": null}
        ])),
        "/external/api/rest/v2/rooms" => json(200, json!([
            {"id": 1921, "name": "B02-059", "capacity": 1, "reservable": true, "occupied": true,
             "type": {"id": 1, "name": "Workstation", "usage": "ME", "hexColor": "fff"},
             "floor": {"id": 55, "name": "2", "building": {"id": 43}}, "googleData": {}},
            {"id": 1922, "name": "No type", "capacity": null, "area": 56.5}
        ])),
        "/external/api/rest/v2/rooms/types" => json(200, json!([
            {"id": 238, "name": "Conference Room", "typeCode": "CONF", "usage": "WE",
             "occupiable": false, "parkingSpace": false, "spaceTypeGroup": {"id": 1}},
            {"id": 239, "name": "Lab"}
        ])),
        _ => json(404, json!({})),
    })
    .await;
    let eptura = client(&base);
    let buildings = eptura.buildings().await.unwrap();
    let hou = &buildings[0];
    assert_eq!(hou.code.as_deref(), Some("HOU1"));
    assert_eq!(hou.state_code.as_deref(), Some("TX"));
    assert_eq!(hou.country_code.as_deref(), Some("US"));
    assert_eq!(hou.zip.as_deref(), Some("77002"));
    assert!(hou.has_reservation_center());
    assert_eq!(buildings[1].code, None, "an empty code is no code");
    assert_eq!(buildings[1].city, None);
    assert!(!buildings[1].has_reservation_center());
    assert_eq!(buildings[2].city.as_deref(), Some("Austin"));

    let spaces = eptura.spaces(Some(43.into()), None).await.unwrap();
    assert_eq!(spaces[0].usage, Some(Usage::Me));
    assert_eq!(
        (spaces[0].floor_id, spaces[0].building_id),
        (Some(55.into()), Some(43.into()))
    );
    assert_eq!((spaces[1].capacity, spaces[1].type_id), (None, None));
    assert_eq!(spaces[1].area, Some(56.5));

    let types = eptura.space_types().await.unwrap();
    assert_eq!(types[0].usage, Some(Usage::We));
    assert_eq!(
        types[1].usage, None,
        "usage is an assumption: absent is fine"
    );
}

#[tokio::test]
async fn counts_filters_and_changes_since() {
    let (base, log) = stubs::stub(|seen: &Seen| {
        if seen.path.ends_with("/count") {
            json(200, json!({"count": 1234}))
        } else {
            json(200, json!([]))
        }
    })
    .await;
    let eptura = client(&base);
    assert_eq!(eptura.building_count().await.unwrap(), 1234);
    assert_eq!(eptura.floor_count().await.unwrap(), 1234);
    assert_eq!(eptura.space_count().await.unwrap(), 1234);
    assert_eq!(eptura.space_type_count().await.unwrap(), 1234);
    assert_eq!(eptura.country_count().await.unwrap(), 1234);
    eptura
        .buildings_changed_since(1_700_000_000_000)
        .await
        .unwrap();
    eptura.floors_changed_since(5).await.unwrap();
    eptura.spaces_changed_since(6).await.unwrap();
    eptura.space_types_changed_since(7).await.unwrap();
    eptura.countries_changed_since(8).await.unwrap();
    eptura.floors(Some(43.into())).await.unwrap();
    eptura
        .spaces(Some(43.into()), Some(55.into()))
        .await
        .unwrap();
    eptura.countries().await.unwrap();
    eptura.reservation_centers().await.unwrap();
    let log = log.lock().unwrap();
    let paths: Vec<&str> = log.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "buildings/count",
            "floors/count",
            "rooms/count",
            "rooms/types/count",
            "countries/count",
            "buildings",
            "floors",
            "rooms",
            "rooms/types",
            "countries",
            "floors",
            "rooms",
            "countries",
            "centers"
        ]
        .map(|p| format!("/external/api/rest/v2/{p}"))
    );
    assert_eq!(log[5].q("modifiedOrCreatedAfter"), Some("1700000000000"));
    assert_eq!(log[9].q("modifiedOrCreatedAfter"), Some("8"));
    assert_eq!(log[10].q("buildingId"), Some("43"));
    assert_eq!(
        (log[11].q("buildingId"), log[11].q("floorId")),
        (Some("43"), Some("55"))
    );
    assert_eq!(log[13].q("module"), Some("reservation"));
}

/// Echo a create (201, with an id) or an update (200) as the API would.
fn echo(seen: &Seen) -> axum::response::Response {
    let mut body = seen.json();
    match seen.method.as_str() {
        "POST" => {
            body["id"] = json!(900);
            json(201, body)
        }
        "PUT" | "GET" => {
            if body.is_null() {
                body = json!({});
            }
            let id: i64 = seen.path.rsplit('/').next().unwrap().parse().unwrap();
            body["id"] = json!(id);
            body["name"] = body.get("name").cloned().unwrap_or(json!("kept"));
            json(200, body)
        }
        "DELETE" => json(200, json!({"response": "Successfully removed"})),
        _ => json(405, json!({})),
    }
}

#[tokio::test]
async fn create_update_get_and_delete_send_the_documented_bodies() {
    let (base, log) = stubs::stub(echo).await;
    let eptura = client(&base);
    let building = eptura
        .create_building(&NewBuilding {
            name: "Houston HQ".into(),
            code: Some("HOU1".into()),
            street: Some("901 Bagby St".into()),
            city: Some("Houston".into()),
            zip: Some("77002".into()),
            state_code: Some("TX".into()),
            country_code: Some("US".into()),
            ..NewBuilding::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (building.id.get(), building.state_code.as_deref()),
        (900, Some("TX"))
    );
    let floor = eptura
        .create_floor(&NewFloor {
            building_id: 900.into(),
            name: "2".into(),
        })
        .await
        .unwrap();
    assert_eq!(floor.name, "2");
    let space_type = eptura
        .create_space_type(&NewSpaceType {
            name: "Huddle".into(),
            usage: Usage::We,
            type_code: None,
            occupiable: Some(true),
        })
        .await
        .unwrap();
    assert_eq!(space_type.usage, Some(Usage::We));
    eptura
        .create_space(&NewSpace {
            floor_id: 55.into(),
            type_id: 238.into(),
            name: "2-014".into(),
            capacity: 6,
            reservable: true,
            occupiable: true,
            description: Some("Window".into()),
            area: Some(180.0),
        })
        .await
        .unwrap();
    let patch = Patch {
        capacity: Some(8),
        ..Patch::default()
    };
    let updated = eptura.update_space(1921.into(), &patch).await.unwrap();
    assert_eq!((updated.id.get(), updated.capacity), (1921, Some(8)));
    eptura
        .update_building(
            43.into(),
            &Patch {
                name: Some("HQ".into()),
                ..Patch::default()
            },
        )
        .await
        .unwrap();
    eptura
        .update_floor(55.into(), &Patch::default())
        .await
        .unwrap();
    eptura
        .update_space_type(
            238.into(),
            &Patch {
                usage: Some(Usage::Me),
                ..Patch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(eptura.building(43.into()).await.unwrap().id, 43.into());
    assert_eq!(eptura.floor(55.into()).await.unwrap().id, 55.into());
    assert_eq!(eptura.space(1921.into()).await.unwrap().id, 1921.into());
    assert_eq!(eptura.country(223.into()).await.unwrap().id, 223.into());
    eptura.delete_space(1921.into()).await.unwrap();
    eptura.delete_floor(55.into()).await.unwrap();
    eptura.delete_building(43.into()).await.unwrap();
    eptura.delete_space_type(238.into()).await.unwrap();

    let log = log.lock().unwrap();
    let b = log[0].json();
    assert_eq!(log[0].method, "POST");
    assert_eq!(b["address"]["state"]["code"], "TX");
    assert_eq!(b["address"]["country"]["isoCode"], "US");
    assert_eq!(b["address"]["postalCode"], "77002");
    assert_eq!(log[1].json(), json!({"name": "2", "building": {"id": 900}}));
    assert_eq!(log[2].json()["usage"], "WE");
    let s = log[3].json();
    assert_eq!(
        (s["floor"]["id"].clone(), s["type"]["id"].clone()),
        (json!(55), json!(238))
    );
    assert_eq!(
        (s["capacity"].clone(), s["reservable"].clone()),
        (json!(6), json!(true))
    );
    assert_eq!(
        log[4].json(),
        json!({"id": 1921, "capacity": 8}),
        "id plus changed fields only"
    );
    assert_eq!(log[4].path, "/external/api/rest/v2/rooms/1921");
    assert_eq!(log[7].json(), json!({"id": 238, "usage": "ME"}));
    assert_eq!(log[7].path, "/external/api/rest/v2/rooms/types/238");
    let deletes: Vec<&str> = log[12..].iter().map(|s| s.method.as_str()).collect();
    assert_eq!(deletes, ["DELETE"; 4]);
}

#[tokio::test]
async fn a_center_lists_its_buildings() {
    let (base, log) = stubs::stub(|_: &Seen| {
        json(200, json!({"id": 145, "name": "Houston RC", "rules": "{}",
            "buildings": [{"id": 43, "name": "HQ", "centers": [{"id": 145, "module": "reservation"}]},
                          {"id": 44}]}))
    })
    .await;
    let center = client(&base).center(145.into()).await.unwrap();
    assert_eq!(center.building_ids, vec![43.into(), 44.into()]);
    assert_eq!(
        log.lock().unwrap()[0].q("selector"),
        Some("buildings(centers(module))")
    );
}

#[tokio::test]
async fn errors_name_the_fix_and_never_the_password() {
    let (base, _) = stubs::stub(|seen: &Seen| match seen.path.as_str() {
        p if p.ends_with("/buildings") => json(401, json!({"echo": PASSWORD})),
        p if p.ends_with("/rooms/7") => json(404, json!({})),
        p if p.ends_with("/countries") => {
            use axum::response::IntoResponse;
            (
                axum::http::StatusCode::BAD_REQUEST,
                format!("<html>bad {PASSWORD}</html>"),
            )
                .into_response()
        }
        _ => json(200, json!("not a list")),
    })
    .await;
    let eptura = client(&base);
    let unauthorized = eptura.buildings().await.unwrap_err();
    assert!(matches!(unauthorized, EpturaError::Unauthorized { .. }));
    assert!(
        unauthorized
            .to_string()
            .contains("SPACEBRIDGE_EPTURA_PASSWORD")
    );
    let missing = eptura.space(7.into()).await.unwrap_err();
    assert!(
        matches!(missing, EpturaError::NotFound { .. }),
        "{missing:?}"
    );
    let status = eptura.countries().await.unwrap_err();
    assert!(
        matches!(status, EpturaError::Status { status: 400, .. }),
        "{status:?}"
    );
    let decode = eptura.floors(None).await.unwrap_err();
    assert!(matches!(decode, EpturaError::Decode { .. }), "{decode:?}");
    for e in [&unauthorized, &missing, &status, &decode] {
        assert!(!e.to_string().contains(PASSWORD), "{e}");
        assert!(!format!("{e:?}").contains(PASSWORD), "{e:?}");
    }
    assert!(!format!("{eptura:?}").contains(PASSWORD));
}

// ---- against the simulator (an independent implementation of the same contract) ----

async fn start_sim(scenario: Scenario) -> Simulators {
    spawn_sims(scenario, Faults::default()).await
}

/// Requests the Eptura simulator saw for one route ("GET /rooms").
async fn route_count(sims: &Simulators, route: &str) -> u64 {
    sims.stats(Side::Eptura).await["by_route"][route]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn sim_every_endpoint() {
    let sims = start_sim(Scenario::Empty).await;
    let eptura = sims.eptura_client();
    let countries = eptura.countries().await.unwrap();
    assert!(!countries.is_empty());
    assert_eq!(
        eptura.country_count().await.unwrap(),
        countries.len() as u64
    );
    let us = countries
        .iter()
        .find(|c| c.iso_code.as_deref() == Some("US"))
        .expect("the US is listed");
    assert_eq!(
        eptura.country(us.id).await.unwrap().iso_code.as_deref(),
        Some("US")
    );
    assert!(eptura.countries_changed_since(0).await.unwrap().len() <= countries.len());

    let building = eptura
        .create_building(&NewBuilding {
            name: "Houston HQ".into(),
            code: Some("HOU1".into()),
            city: Some("Houston".into()),
            state_code: Some("TX".into()),
            country_code: Some("US".into()),
            zip: Some("77002".into()),
            ..NewBuilding::default()
        })
        .await
        .unwrap();
    assert_eq!(building.code.as_deref(), Some("HOU1"));
    assert_eq!(
        eptura.building(building.id).await.unwrap().name,
        "Houston HQ"
    );
    let renamed = eptura
        .update_building(
            building.id,
            &Patch {
                name: Some("Houston Tower".into()),
                ..Patch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.code.as_deref()),
        ("Houston Tower", Some("HOU1"))
    );
    assert_eq!(eptura.building_count().await.unwrap(), 1);
    assert_eq!(eptura.buildings_changed_since(0).await.unwrap().len(), 1);

    let floor = eptura
        .create_floor(&NewFloor {
            building_id: building.id,
            name: "2".into(),
        })
        .await
        .unwrap();
    assert_eq!(floor.building_id, Some(building.id));
    assert_eq!(eptura.floor(floor.id).await.unwrap().name, "2");
    eptura
        .update_floor(
            floor.id,
            &Patch {
                name: Some("Level 2".into()),
                ..Patch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        eptura.floors(Some(building.id)).await.unwrap()[0].name,
        "Level 2"
    );
    assert_eq!(eptura.floor_count().await.unwrap(), 1);
    assert_eq!(eptura.floors_changed_since(0).await.unwrap().len(), 1);

    let space_type = eptura
        .create_space_type(&NewSpaceType {
            name: "Huddle".into(),
            usage: Usage::We,
            type_code: None,
            occupiable: None,
        })
        .await
        .unwrap();
    let types_before = eptura.space_type_count().await.unwrap();
    eptura
        .update_space_type(
            space_type.id,
            &Patch {
                name: Some("Huddle Room".into()),
                ..Patch::default()
            },
        )
        .await
        .unwrap();
    assert!(
        eptura
            .space_types()
            .await
            .unwrap()
            .iter()
            .any(|t| t.name == "Huddle Room")
    );
    assert!(
        !eptura
            .space_types_changed_since(0)
            .await
            .unwrap()
            .is_empty()
    );

    let space = eptura
        .create_space(&NewSpace {
            floor_id: floor.id,
            type_id: space_type.id,
            name: "2-014".into(),
            capacity: 6,
            reservable: true,
            occupiable: true,
            description: None,
            area: Some(120.0),
        })
        .await
        .unwrap();
    assert_eq!(
        (space.floor_id, space.building_id, space.type_id),
        (Some(floor.id), Some(building.id), Some(space_type.id))
    );
    assert_eq!(eptura.space(space.id).await.unwrap().capacity, Some(6));
    eptura
        .update_space(
            space.id,
            &Patch {
                capacity: Some(8),
                ..Patch::default()
            },
        )
        .await
        .unwrap();
    let listed = eptura
        .spaces(Some(building.id), Some(floor.id))
        .await
        .unwrap();
    assert_eq!((listed.len(), listed[0].capacity), (1, Some(8)));
    assert_eq!(eptura.space_count().await.unwrap(), 1);
    assert_eq!(eptura.spaces_changed_since(0).await.unwrap().len(), 1);

    // Reservation centers: the admin-UI step, stood in for by the simulator.
    sims.assign_center("Houston RC", &[building.id.get()]).await;
    let centers = eptura.reservation_centers().await.unwrap();
    let center = centers
        .iter()
        .find(|c| c.name == "Houston RC")
        .expect("listed");
    assert_eq!(
        eptura.center(center.id).await.unwrap().building_ids,
        vec![building.id]
    );
    assert!(
        eptura
            .building(building.id)
            .await
            .unwrap()
            .has_reservation_center()
    );

    eptura.delete_space(space.id).await.unwrap();
    eptura.delete_floor(floor.id).await.unwrap();
    eptura.delete_space_type(space_type.id).await.unwrap();
    assert_eq!(eptura.space_type_count().await.unwrap(), types_before - 1);
    eptura.delete_building(building.id).await.unwrap();
    assert_eq!(eptura.building_count().await.unwrap(), 0);
    assert!(matches!(
        eptura.building(building.id).await,
        Err(EpturaError::NotFound { .. })
    ));
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_pages_of_zero_exactly_limit_and_limit_plus_one() {
    for (spaces, requests) in [(0usize, 1u64), (100, 2), (101, 2)] {
        let sims = start_sim(Scenario::Large(spaces)).await;
        let eptura = sims.eptura_client();
        let all = eptura.spaces(None, None).await.unwrap();
        assert_eq!(all.len(), spaces);
        let ids: std::collections::HashSet<_> = all.iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), spaces, "no row twice");
        assert_eq!(
            route_count(&sims, "GET /rooms").await,
            requests,
            "{spaces} spaces"
        );
        sims.shutdown().await;
    }
}

#[tokio::test]
async fn sim_throttling_errors_and_dropped_connections_are_ridden_out() {
    let sims = start_sim(Scenario::Large(450)).await;
    sims.set_faults(
        Side::Eptura,
        Faults {
            rate_limit: 0.1,
            error_rate: 0.1,
            drop_rate: 0.1,
            ..Faults::default()
        },
    )
    .await;
    let patient = sims.eptura_client_with(HttpConfig {
        max_attempts: 12,
        ..HttpConfig::for_tests()
    });
    // Read until every fault has shown up at least once (each draw is random); every read
    // must still be complete.
    for _ in 0..60 {
        assert_eq!(patient.spaces(None, None).await.unwrap().len(), 450);
        assert!(!patient.buildings().await.unwrap().is_empty());
        let s = patient.http().stats();
        if s.throttled > 0 && s.server_errors > 0 && s.transport_errors > 0 {
            break;
        }
    }
    let stats = patient.http().stats();
    assert!(stats.retries > 0 && stats.throttled > 0, "{stats:?}");
    assert!(
        stats.server_errors > 0 && stats.transport_errors > 0,
        "{stats:?}"
    );
    let by_status = sims.stats(Side::Eptura).await["by_status"].clone();
    assert!(by_status["429"].as_u64().unwrap_or(0) > 0, "{by_status}");
    assert!(
        by_status["dropped"].as_u64().unwrap_or(0) > 0,
        "{by_status}"
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_a_concurrency_cap_shrinks_the_limit() {
    let sims = start_sim(Scenario::Large(40)).await;
    sims.set_faults(
        Side::Eptura,
        Faults {
            max_concurrent: Some(2),
            latency_ms: Some((20, 30)),
            ..Faults::default()
        },
    )
    .await;
    let eptura = sims.eptura_client();
    let ids: Vec<_> = eptura
        .spaces(None, None)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let gets = ids.iter().map(|id| eptura.space(*id));
    // The limit is cut once per burst of 429s and grows back with successes: watch its
    // lowest point while the requests run, not where it ends.
    let mut lowest = eptura.http().concurrency_limit();
    let all = futures_util::future::join_all(gets);
    tokio::pin!(all);
    let results = loop {
        tokio::select! {
            results = &mut all => break results,
            _ = tokio::time::sleep(std::time::Duration::from_millis(1)) => {
                lowest = lowest.min(eptura.http().concurrency_limit());
            }
        }
    };
    assert!(results.iter().all(Result::is_ok));
    assert!(eptura.http().stats().throttled > 0);
    assert!(lowest < 8, "AIMD came down from 8");
    sims.shutdown().await;
}

#[tokio::test]
async fn a_password_no_header_can_carry_is_named_not_shown() {
    let settings = EpturaSettings {
        password: Secret::new("line\nbreak-secret"),
        ..eptura_settings("http://127.0.0.1:9")
    };
    let eptura = EpturaClient::new(&settings, test_http()).unwrap();
    let error = eptura.buildings().await.unwrap_err();
    assert!(
        matches!(error, EpturaError::BadCredential { what: "password" }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("SPACEBRIDGE_EPTURA_PASSWORD"),
        "{error}"
    );
    assert!(!format!("{error} {error:?}").contains("break-secret"));
}
