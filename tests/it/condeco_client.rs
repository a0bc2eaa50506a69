//! The Condeco client against loopback stubs: the token flow and its one refresh on 401, both
//! headers, the paging envelope (0, exactly one page, one page + 1), `externalId` filters, CRUD
//! paths of every entity, floors by number, deletes reporting lost bookings, a 409 message
//! reaching the caller verbatim, quota exhaustion, 429 with Retry-After, and no secret in any
//! error, Debug output or log line.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::stubs::{self, LogCapture, Seen, json};
use axum::response::IntoResponse;
use futures_util::StreamExt;
use serde_json::{Value, json};
use spacebridge::condeco::{
    CondecoError, CountryDraft, Filter, FloorDraft, GroupDraft, LocationDraft, RegionDraft,
    ResourceDraft, WorkspaceTypeDraft,
};
use spacebridge::domain::remote::{BookingPeriod, ResourceType};
use spacebridge::sim::{Faults, Scenario};

use crate::support::{
    CONDECO_CLIENT_ID as CLIENT_ID, CONDECO_CLIENT_SECRET as CLIENT_SECRET, CONDECO_KEY as KEY,
    Side, Simulators, condeco_client as client, spawn_sims,
};

const TOKEN_PREFIX: &str = "tok-very-secret-";

/// Answers the token call with a numbered token; everything else with `answer`, after checking
/// both headers.
fn with_token<F>(answer: F) -> impl Fn(&Seen) -> axum::response::Response + Send + Sync + 'static
where
    F: Fn(&Seen, usize) -> axum::response::Response + Send + Sync + 'static,
{
    let issued = Arc::new(AtomicUsize::new(0));
    move |seen: &Seen| {
        assert_eq!(seen.headers["ocp-apim-subscription-key"], KEY);
        if seen.path == "/acme/api/V1/token" {
            let form: std::collections::HashMap<String, String> =
                reqwest::Url::parse(&format!("http://x/?{}", seen.body))
                    .unwrap()
                    .query_pairs()
                    .into_owned()
                    .collect();
            assert_eq!(form["client_id"], CLIENT_ID);
            assert_eq!(form["client_secret"], CLIENT_SECRET);
            assert_eq!(form["grant_type"], "password");
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            return json(
                200,
                json!({"access_token": format!("{TOKEN_PREFIX}{n}"),
                                    "token_type": "bearer", "expires_in": 43199}),
            );
        }
        let auth = seen.headers["authorization"].to_str().unwrap();
        let n: usize = auth
            .strip_prefix(&format!("Bearer {TOKEN_PREFIX}"))
            .expect("a bearer token")
            .parse()
            .unwrap();
        answer(seen, n)
    }
}

fn page(seen: &Seen, total: usize, id_field: &str) -> axum::response::Response {
    let number: usize = seen.q("pageNumber").unwrap().parse().unwrap();
    let size: usize = seen.q("pageSize").unwrap().parse().unwrap();
    let start = (number - 1) * size;
    let items: Vec<Value> = (start..total.min(start + size))
        .map(|i| json!({id_field: i + 1, "name": format!("R{i}"), "unknownField": [1, 2]}))
        .collect();
    json(
        200,
        json!({"items": items, "pageNumber": number, "pageSize": size, "totalCount": total}),
    )
}

#[tokio::test]
async fn pages_of_zero_exactly_one_page_and_one_more() {
    for (rows, requests) in [(0, 1), (500, 1), (501, 2), (1200, 3)] {
        let (base, log) =
            stubs::stub(with_token(move |seen, _| page(seen, rows, "resourceId"))).await;
        let resources = client(&base).resources(&Filter::default()).await.unwrap();
        assert_eq!(resources.len(), rows);
        assert!(
            resources
                .iter()
                .enumerate()
                .all(|(i, r)| r.id.get() == i as i64 + 1)
        );
        let log = log.lock().unwrap();
        let calls: Vec<&Seen> = log
            .iter()
            .filter(|s| s.path.ends_with("/resources"))
            .collect();
        assert_eq!(calls.len(), requests, "{rows} rows");
        let numbers: Vec<&str> = calls.iter().map(|s| s.q("pageNumber").unwrap()).collect();
        let expected: Vec<String> = (1..=requests).map(|n| n.to_string()).collect();
        assert_eq!(numbers, expected);
        assert!(calls.iter().all(|s| s.q("pageSize") == Some("500")));
        assert_eq!(
            log.iter().filter(|s| s.path.ends_with("/token")).count(),
            1,
            "one token"
        );
    }
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_call_repeated() {
    let (base, log) = stubs::stub(with_token(|seen, token| {
        if token == 1 {
            json(401, json!({"message": "token expired"}))
        } else {
            page(seen, 3, "countryId")
        }
    }))
    .await;
    let condeco = client(&base);
    let countries = condeco.countries(&Filter::default()).await.unwrap();
    assert_eq!(countries.len(), 3);
    assert_eq!(condeco.token_fetches(), 2);
    // The new token is kept for later calls.
    condeco.countries(&Filter::default()).await.unwrap();
    assert_eq!(condeco.token_fetches(), 2);
    let paths: Vec<String> = log.lock().unwrap().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        paths,
        ["token", "countries", "token", "countries", "countries"]
            .map(|p| format!("/acme/api/V1/{p}"))
    );
}

#[tokio::test]
async fn a_wrong_key_fails_after_one_refresh() {
    let (base, log) = stubs::stub(with_token(|_, _| {
        json(
            401,
            json!({"message": "Access denied due to invalid subscription key."}),
        )
    }))
    .await;
    let condeco = client(&base);
    let error = condeco.regions(&Filter::default()).await.unwrap_err();
    assert!(
        matches!(error, CondecoError::Unauthorized { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("invalid subscription key"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("SPACEBRIDGE_CONDECO_SUBSCRIPTION_KEY")
    );
    assert_eq!(log.lock().unwrap().len(), 4, "token, call, token, call");
}

#[tokio::test]
async fn refused_client_credentials_are_named() {
    let (base, _) = stubs::stub(|_: &Seen| json(400, json!({"error": "invalid_client"}))).await;
    let error = client(&base).groups(&Filter::default()).await.unwrap_err();
    assert!(
        matches!(error, CondecoError::TokenRefused { status: 400, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("SPACEBRIDGE_CONDECO_CLIENT_SECRET")
    );
}

#[tokio::test]
async fn external_id_and_other_filters_reach_the_query() {
    let (base, log) = stubs::stub(with_token(|seen, _| page(seen, 1, "resourceId"))).await;
    let condeco = client(&base);
    condeco
        .resources(&Filter::external_id("room-1921"))
        .await
        .unwrap();
    let filter = Filter {
        location_id: Some(7.into()),
        floor_number: Some(-1),
        resource_type: Some(ResourceType::PersonalSpace),
        ..Filter::default()
    };
    condeco.resources(&filter).await.unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log[1].q("externalId"), Some("room-1921"));
    assert_eq!(
        (
            log[2].q("locationId"),
            log[2].q("floorNumber"),
            log[2].q("resourceType")
        ),
        (Some("7"), Some("-1"), Some("PersonalSpace"))
    );
}

/// Creates get an id (201), updates echo (200), deletes report bookings.
fn crud(seen: &Seen, _: usize) -> axum::response::Response {
    let id_field = |path: &str| match path.split('/').nth(4).unwrap_or("") {
        "countries" => "countryId",
        "groups" => "groupId",
        "regions" => "regionId",
        "locations" => "locationId",
        "workspacetypes" => "workspaceTypeId",
        _ => "resourceId",
    };
    let mut body = seen.json();
    match seen.method.as_str() {
        "POST" => {
            body[id_field(&seen.path)] = json!(77);
            json(201, body)
        }
        "PUT" if seen.path.contains("/floors/") => json(200, body),
        "PUT" | "GET" => {
            if body.is_null() {
                body = json!({"name": "x"});
            }
            let id: i64 = seen.path.rsplit('/').next().unwrap().parse().unwrap();
            body[id_field(&seen.path)] = json!(id);
            json(200, body)
        }
        "DELETE" => json(200, json!({"bookingsDeleted": 4})),
        _ => json(405, json!({})),
    }
}

#[tokio::test]
async fn every_entity_can_be_created_read_updated_and_deleted() {
    let (base, log) = stubs::stub(with_token(crud)).await;
    let c = client(&base);
    let country = c
        .create_country(&CountryDraft {
            name: "United States".into(),
            country_code: Some("US".into()),
            external_id: Some("US".into()),
        })
        .await
        .unwrap();
    assert_eq!(
        (country.id.get(), country.external_id.as_deref()),
        (77, Some("US"))
    );
    let group = c
        .create_group(&GroupDraft {
            name: "US default".into(),
            country_id: Some(77.into()),
            is_default: Some(true),
            ..GroupDraft::default()
        })
        .await
        .unwrap();
    assert!(group.is_default);
    let region = c
        .create_region(&RegionDraft {
            name: "Houston".into(),
            country_id: Some(77.into()),
            external_id: None,
        })
        .await
        .unwrap();
    assert_eq!(region.country_id, Some(77.into()));
    let location = c
        .create_location(&LocationDraft {
            name: "Houston HQ".into(),
            region_id: Some(77.into()),
            postal_code: Some("77002".into()),
            external_id: Some("43".into()),
            ..LocationDraft::default()
        })
        .await
        .unwrap();
    assert_eq!(location.postal_code.as_deref(), Some("77002"));
    let floor = c
        .put_floor(
            77.into(),
            -1,
            &FloorDraft {
                name: Some("B1".into()),
                external_id: Some("55".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!((floor.number, floor.name.as_deref()), (-1, Some("B1")));
    let wt = c
        .create_workspace_type(&WorkspaceTypeDraft {
            name: "Huddle".into(),
            booking_period: Some(BookingPeriod::Hourly),
            external_id: Some("238".into()),
        })
        .await
        .unwrap();
    assert_eq!(wt.booking_period, Some(BookingPeriod::Hourly));
    let resource = c
        .create_resource(&ResourceDraft {
            name: "2-014".into(),
            resource_type: Some(ResourceType::MeetingSpace),
            booking_period: Some(BookingPeriod::Hourly),
            location_id: Some(77.into()),
            floor_number: Some(2),
            group_id: Some(77.into()),
            workspace_type_id: Some(77.into()),
            capacity: Some(6),
            external_id: Some("1921".into()),
            ..ResourceDraft::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (resource.capacity, resource.floor_number),
        (Some(6), Some(2))
    );

    let renamed = |name: &str| name.to_string();
    c.update_country(
        1.into(),
        &CountryDraft {
            name: renamed("USA"),
            ..CountryDraft::default()
        },
    )
    .await
    .unwrap();
    c.update_group(
        2.into(),
        &GroupDraft {
            name: renamed("G"),
            ..GroupDraft::default()
        },
    )
    .await
    .unwrap();
    c.update_region(
        3.into(),
        &RegionDraft {
            name: renamed("R"),
            ..RegionDraft::default()
        },
    )
    .await
    .unwrap();
    c.update_location(
        4.into(),
        &LocationDraft {
            name: renamed("L"),
            ..LocationDraft::default()
        },
    )
    .await
    .unwrap();
    c.update_workspace_type(
        5.into(),
        &WorkspaceTypeDraft {
            name: renamed("W"),
            ..WorkspaceTypeDraft::default()
        },
    )
    .await
    .unwrap();
    let updated = c
        .update_resource(
            6.into(),
            &ResourceDraft {
                name: renamed("2-015"),
                capacity: Some(8),
                ..ResourceDraft::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((updated.id.get(), updated.capacity), (6, Some(8)));
    assert_eq!(c.country(1.into()).await.unwrap().id, 1.into());
    assert_eq!(c.group(2.into()).await.unwrap().id, 2.into());
    assert_eq!(c.region(3.into()).await.unwrap().id, 3.into());
    assert_eq!(c.location(4.into()).await.unwrap().id, 4.into());
    assert_eq!(c.workspace_type(5.into()).await.unwrap().id, 5.into());
    assert_eq!(c.resource(6.into()).await.unwrap().id, 6.into());

    assert_eq!(
        c.delete_resource(6.into()).await.unwrap().bookings_deleted,
        4
    );
    assert_eq!(
        c.delete_floor(4.into(), -1, false)
            .await
            .unwrap()
            .bookings_deleted,
        4
    );
    assert_eq!(
        c.delete_location(4.into(), true)
            .await
            .unwrap()
            .bookings_deleted,
        4
    );
    c.delete_workspace_type(5.into()).await.unwrap();
    c.delete_region(3.into()).await.unwrap();
    c.delete_group(2.into()).await.unwrap();
    c.delete_country(1.into()).await.unwrap();

    let log = log.lock().unwrap();
    let calls: Vec<String> = log
        .iter()
        .filter(|s| !s.path.ends_with("/token"))
        .map(|s| {
            format!(
                "{} {}",
                s.method,
                s.path.trim_start_matches("/acme/api/V1/")
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            "POST countries",
            "POST groups",
            "POST regions",
            "POST locations",
            "PUT locations/77/floors/-1",
            "POST workspacetypes",
            "POST resources",
            "PUT countries/1",
            "PUT groups/2",
            "PUT regions/3",
            "PUT locations/4",
            "PUT workspacetypes/5",
            "PUT resources/6",
            "GET countries/1",
            "GET groups/2",
            "GET regions/3",
            "GET locations/4",
            "GET workspacetypes/5",
            "GET resources/6",
            "DELETE resources/6",
            "DELETE locations/4/floors/-1",
            "DELETE locations/4",
            "DELETE workspacetypes/5",
            "DELETE regions/3",
            "DELETE groups/2",
            "DELETE countries/1",
        ]
    );
    let bodies: Vec<&Seen> = log
        .iter()
        .filter(|s| s.method == "POST" || s.method == "PUT")
        .collect();
    let resource_body = bodies
        .iter()
        .find(|s| s.path.ends_with("/resources"))
        .unwrap()
        .json();
    assert_eq!(resource_body["resourceType"], "MeetingSpace");
    assert_eq!(resource_body["bookingPeriod"], "Hourly");
    assert_eq!(resource_body["externalId"], "1921");
    let floor_body = bodies
        .iter()
        .find(|s| s.path.contains("/floors/"))
        .unwrap()
        .json();
    assert_eq!(
        floor_body,
        json!({"floorNumber": -1, "name": "B1", "externalId": "55"})
    );
    let update = bodies
        .iter()
        .find(|s| s.path.ends_with("/resources/6"))
        .unwrap()
        .json();
    assert_eq!(
        update,
        json!({"name": "2-015", "capacity": 8}),
        "unsent fields are kept"
    );
    let cascade = log
        .iter()
        .find(|s| s.method == "DELETE" && s.path.ends_with("/locations/4"))
        .unwrap();
    assert_eq!(cascade.q("cascade"), Some("true"));
}

#[tokio::test]
async fn a_409_message_reaches_the_caller_unchanged() {
    const MESSAGE: &str = "A location named 'Houston HQ' already exists in region 12.";
    let (base, _) = stubs::stub(with_token(|_, _| json(409, json!({"message": MESSAGE})))).await;
    let error = client(&base)
        .create_location(&LocationDraft {
            name: "Houston HQ".into(),
            ..LocationDraft::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.rejection(), Some((409, MESSAGE)));
    assert!(error.to_string().ends_with(MESSAGE), "{error}");
}

#[tokio::test]
async fn a_used_up_quota_says_when_it_renews_and_is_not_retried() {
    let (base, log) = stubs::stub(with_token(|_, _| {
        (
            axum::http::StatusCode::FORBIDDEN,
            [("retry-after", "7200")],
            axum::Json(json!({"statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 02:00:00."})),
        )
            .into_response()
    }))
    .await;
    let error = client(&base)
        .locations(&Filter::default())
        .await
        .unwrap_err();
    match &error {
        CondecoError::QuotaExhausted {
            renews_in,
            renews_at,
            ..
        } => {
            assert_eq!(*renews_in, Some(Duration::from_secs(7200)));
            assert!(renews_at.is_some());
        }
        other => panic!("not a quota error: {other:?}"),
    }
    assert!(error.is_quota());
    assert!(error.to_string().contains("renews in 2h 00m"), "{error}");
    assert_eq!(
        log.lock().unwrap().len(),
        2,
        "token + one call, no blind retry"
    );
}

#[tokio::test]
async fn throttling_is_retried_after_the_asked_delay() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let (base, _) = stubs::stub(with_token(move |seen, _| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
            )
                .into_response()
        } else {
            page(seen, 2, "workspaceTypeId")
        }
    }))
    .await;
    let condeco = client(&base);
    let start = std::time::Instant::now();
    let types = condeco.workspace_types(&Filter::default()).await.unwrap();
    assert_eq!(types.len(), 2);
    assert!(start.elapsed() >= Duration::from_millis(950));
    assert_eq!(condeco.http().stats().throttled, 1);
}

#[tokio::test]
async fn secrets_never_reach_errors_debug_or_logs() {
    let capture = LogCapture::default();
    let _guard = capture.install();
    let (base, _) = stubs::stub(with_token(|seen, token| match seen.path.as_str() {
        p if p.ends_with("/countries") && token == 1 => json(401, json!({"message": "expired"})),
        p if p.ends_with("/countries") => json(
            400,
            json!({"message": format!("bad key {KEY} for {CLIENT_ID}")}),
        ),
        p if p.ends_with("/regions") => axum::http::StatusCode::BAD_GATEWAY.into_response(),
        _ => (
            axum::http::StatusCode::IM_A_TEAPOT,
            format!("echo {CLIENT_SECRET}"),
        )
            .into_response(),
    }))
    .await;
    let condeco = client(&base);
    let mut texts = vec![format!("{condeco:?}")];
    for error in [
        condeco.countries(&Filter::default()).await.unwrap_err(),
        condeco.regions(&Filter::default()).await.unwrap_err(),
        condeco.groups(&Filter::default()).await.unwrap_err(),
    ] {
        texts.push(error.to_string());
        texts.push(format!("{error:?}"));
    }
    // And one that cannot connect at all.
    let refused = client("http://127.0.0.1:9");
    let error = refused.countries(&Filter::default()).await.unwrap_err();
    texts.push(error.to_string());
    texts.push(format!("{error:?}"));
    let logs = capture.text();
    assert!(logs.contains("401"), "the refresh was logged: {logs}");
    texts.push(logs);
    for text in &texts {
        for secret in [KEY, CLIENT_ID, CLIENT_SECRET, TOKEN_PREFIX] {
            assert!(!text.contains(secret), "{secret} leaked in: {text}");
        }
    }
}

// ---- against the simulator (an independent implementation of the same contract) ----

async fn start_sim(scenario: Scenario) -> Simulators {
    spawn_sims(scenario, Faults::default()).await
}

#[tokio::test]
async fn sim_every_entity_and_its_rules() {
    let sims = start_sim(Scenario::Empty).await;
    let c = sims.condeco_client();
    let defaults = c.workspace_types(&Filter::default()).await.unwrap();
    assert!(defaults.iter().any(|t| t.name == "Desk" && t.is_default));
    assert!(
        defaults
            .iter()
            .any(|t| t.name == "Meeting Room" && t.is_default)
    );

    let country = c
        .create_country(&CountryDraft {
            name: "United States".into(),
            country_code: Some("US".into()),
            external_id: Some("223".into()),
        })
        .await
        .unwrap();
    let group = c
        .create_group(&GroupDraft {
            name: "US default".into(),
            country_id: Some(country.id),
            is_default: Some(true),
            ..GroupDraft::default()
        })
        .await
        .unwrap();
    let region = c
        .create_region(&RegionDraft {
            name: "Houston".into(),
            country_id: Some(country.id),
            external_id: None,
        })
        .await
        .unwrap();
    let location = c
        .create_location(&LocationDraft {
            name: "Houston HQ".into(),
            region_id: Some(region.id),
            city: Some("Houston".into()),
            postal_code: Some("77002".into()),
            external_id: Some("43".into()),
            ..LocationDraft::default()
        })
        .await
        .unwrap();
    let floor = c
        .put_floor(
            location.id,
            2,
            &FloorDraft {
                name: Some("Level 2".into()),
                external_id: Some("55".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(floor.number, 2);
    let fetched = c.location(location.id).await.unwrap();
    assert_eq!(fetched.floors.len(), 1);
    assert_eq!(fetched.floors[0].name.as_deref(), Some("Level 2"));
    let huddle = c
        .create_workspace_type(&WorkspaceTypeDraft {
            name: "Huddle".into(),
            booking_period: Some(BookingPeriod::Hourly),
            external_id: Some("238".into()),
        })
        .await
        .unwrap();
    let resource = c
        .create_resource(&ResourceDraft {
            name: "2-014".into(),
            resource_type: Some(ResourceType::MeetingSpace),
            booking_period: Some(BookingPeriod::Hourly),
            location_id: Some(location.id),
            floor_number: Some(2),
            group_id: Some(group.id),
            workspace_type_id: Some(huddle.id),
            capacity: Some(6),
            external_id: Some("1921".into()),
            ..ResourceDraft::default()
        })
        .await
        .unwrap();

    // Filters by externalId, and reads of one.
    let by_external = c.resources(&Filter::external_id("1921")).await.unwrap();
    assert_eq!(
        by_external.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![resource.id]
    );
    assert!(
        c.resources(&Filter::external_id("nope"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        c.locations(&Filter::external_id("43")).await.unwrap().len(),
        1
    );
    assert_eq!(
        c.country(country.id).await.unwrap().country_code.as_deref(),
        Some("US")
    );
    assert!(c.group(group.id).await.unwrap().is_default);
    assert_eq!(
        c.region(region.id).await.unwrap().country_id,
        Some(country.id)
    );
    assert_eq!(
        c.workspace_type(huddle.id).await.unwrap().booking_period,
        Some(BookingPeriod::Hourly)
    );
    assert_eq!(c.resource(resource.id).await.unwrap().capacity, Some(6));
    let in_region = Filter {
        region_id: Some(region.id),
        ..Filter::default()
    };
    assert_eq!(c.locations(&in_region).await.unwrap().len(), 1);

    // Updates keep unsent fields.
    c.update_country(
        country.id,
        &CountryDraft {
            name: "USA".into(),
            ..CountryDraft::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.country(country.id).await.unwrap().country_code.as_deref(),
        Some("US")
    );
    c.update_group(
        group.id,
        &GroupDraft {
            name: "US".into(),
            ..GroupDraft::default()
        },
    )
    .await
    .unwrap();
    c.update_region(
        region.id,
        &RegionDraft {
            name: "Houston TX".into(),
            ..RegionDraft::default()
        },
    )
    .await
    .unwrap();
    let moved = c
        .update_location(
            location.id,
            &LocationDraft {
                name: "Houston Tower".into(),
                ..LocationDraft::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (moved.name.as_str(), moved.postal_code.as_deref()),
        ("Houston Tower", Some("77002"))
    );
    c.update_workspace_type(
        huddle.id,
        &WorkspaceTypeDraft {
            name: "Huddle Room".into(),
            ..WorkspaceTypeDraft::default()
        },
    )
    .await
    .unwrap();
    let resized = c
        .update_resource(
            resource.id,
            &ResourceDraft {
                name: "2-014".into(),
                capacity: Some(8),
                ..ResourceDraft::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (resized.capacity, resized.external_id.as_deref()),
        (Some(8), Some("1921"))
    );

    // The kind of a resource cannot change: Condeco's message reaches the caller.
    let switch = c
        .update_resource(
            resource.id,
            &ResourceDraft {
                name: "2-014".into(),
                resource_type: Some(ResourceType::PersonalSpace),
                ..ResourceDraft::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(switch.rejection().map(|(s, _)| s), Some(400), "{switch:?}");

    // A parent with children is a 409 unless cascading; deletes report bookings.
    let refused = c.delete_location(location.id, false).await.unwrap_err();
    assert_eq!(
        refused.rejection().map(|(s, _)| s),
        Some(409),
        "{refused:?}"
    );
    let default_type = defaults.iter().find(|t| t.is_default).unwrap();
    assert!(
        c.delete_workspace_type(default_type.id).await.is_err(),
        "defaults stay"
    );
    c.delete_resource(resource.id).await.unwrap();
    c.delete_floor(location.id, 2, false).await.unwrap();
    c.delete_location(location.id, false).await.unwrap();
    c.delete_workspace_type(huddle.id).await.unwrap();
    c.delete_region(region.id).await.unwrap();
    c.delete_group(group.id).await.unwrap();
    c.delete_country(country.id).await.unwrap();
    assert!(matches!(
        c.country(country.id).await,
        Err(CondecoError::NotFound { .. })
    ));
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_deleting_a_booked_resource_reports_the_bookings_lost() {
    let sims = start_sim(Scenario::ExistingCustomer).await;
    let c = sims.condeco_client();
    let resources = c.resources(&Filter::default()).await.unwrap();
    let booked = resources
        .iter()
        .find(|r| r.booking_count.unwrap_or(0) > 0)
        .expect("the scenario has bookings");
    let deleted = c.delete_resource(booked.id).await.unwrap();
    assert_eq!(Some(deleted.bookings_deleted), booked.booking_count);
    sims.shutdown().await;
}

/// Resource list requests the simulator has seen so far.
async fn resource_pages(sims: &Simulators) -> u64 {
    sims.stats(Side::Condeco).await["by_route"]["GET /resources"]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn sim_pages_of_zero_exactly_one_page_and_one_more() {
    let sims = start_sim(Scenario::Empty).await;
    let base = sims.condeco_url.clone();
    let c = client(&base);
    assert!(c.resources(&Filter::default()).await.unwrap().is_empty());
    assert_eq!(resource_pages(&sims).await, 1, "zero rows: one request");

    let country = c
        .create_country(&CountryDraft {
            name: "United States".into(),
            country_code: Some("US".into()),
            external_id: None,
        })
        .await
        .unwrap();
    let region = c
        .create_region(&RegionDraft {
            name: "Austin".into(),
            country_id: Some(country.id),
            external_id: None,
        })
        .await
        .unwrap();
    let location = c
        .create_location(&LocationDraft {
            name: "Austin Lab".into(),
            region_id: Some(region.id),
            ..LocationDraft::default()
        })
        .await
        .unwrap();
    c.put_floor(location.id, 1, &FloorDraft::default())
        .await
        .unwrap();
    let desk = c
        .workspace_types(&Filter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "Desk")
        .unwrap();
    let creates = (0..501).map(|i| {
        let c = c.clone();
        async move {
            c.create_resource(&ResourceDraft {
                name: format!("Desk {i:03}"),
                resource_type: Some(ResourceType::PersonalSpace),
                booking_period: Some(BookingPeriod::AllDay),
                location_id: Some(location.id),
                floor_number: Some(1),
                workspace_type_id: Some(desk.id),
                capacity: Some(1),
                ..ResourceDraft::default()
            })
            .await
            .unwrap()
            .id
        }
    });
    let ids: Vec<_> = futures_util::stream::iter(creates)
        .buffer_unordered(8)
        .collect()
        .await;

    let before = resource_pages(&sims).await;
    let all = c.resources(&Filter::default()).await.unwrap();
    assert_eq!(all.len(), 501);
    let distinct: std::collections::HashSet<_> = all.iter().map(|r| r.id).collect();
    assert_eq!(distinct.len(), 501, "no resource twice across pages");
    assert_eq!(
        resource_pages(&sims).await - before,
        2,
        "501 rows: two pages"
    );

    c.delete_resource(ids[0]).await.unwrap();
    let before = resource_pages(&sims).await;
    assert_eq!(c.resources(&Filter::default()).await.unwrap().len(), 500);
    assert_eq!(
        resource_pages(&sims).await - before,
        1,
        "exactly 500: one page, totalCount says done"
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_a_lost_token_is_renewed_once() {
    let sims = start_sim(Scenario::Empty).await;
    let c = sims.condeco_client();
    c.countries(&Filter::default()).await.unwrap();
    // A reset forgets every token the simulator issued: the next call answers 401.
    sims.reset(Side::Condeco).await;
    c.countries(&Filter::default()).await.unwrap();
    assert_eq!(c.token_fetches(), 2);
    let stats = sims.stats(Side::Condeco).await;
    assert_eq!(stats["by_status"]["401"].as_u64(), Some(1), "{stats}");
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_a_duplicate_name_is_a_409_with_condecos_message_unchanged() {
    let sims = start_sim(Scenario::Empty).await;
    let c = sims.condeco_client();
    let country = c
        .create_country(&CountryDraft {
            name: "Canada".into(),
            country_code: Some("CA".into()),
            external_id: None,
        })
        .await
        .unwrap();
    let draft = RegionDraft {
        name: "Toronto".into(),
        country_id: Some(country.id),
        external_id: None,
    };
    c.create_region(&draft).await.unwrap();
    let error = c.create_region(&draft).await.unwrap_err();
    let (status, message) = error.rejection().expect("a rejection");
    assert_eq!(status, 409);
    // The same call made by hand gets the same words.
    let (_, raw) = sims
        .condeco_api("acme")
        .await
        .call(
            reqwest::Method::POST,
            "regions",
            Some(json!({"name": "Toronto", "countryId": country.id})),
        )
        .await;
    assert_eq!(raw["message"].as_str(), Some(message));
    assert!(error.to_string().ends_with(message));
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_quota_exhaustion_stops_without_retrying() {
    let sims = start_sim(Scenario::Empty).await;
    sims.set_faults(
        Side::Condeco,
        Faults {
            quota: Some(3),
            ..Faults::default()
        },
    )
    .await;
    let c = sims.condeco_client();
    let mut outcome = Ok(Vec::new());
    for _ in 0..6 {
        outcome = c.countries(&Filter::default()).await;
        if outcome.is_err() {
            break;
        }
    }
    let error = outcome.unwrap_err();
    match &error {
        CondecoError::QuotaExhausted {
            renews_in: Some(wait),
            ..
        } => {
            assert!(*wait <= Duration::from_secs(86_400) && *wait > Duration::ZERO);
        }
        other => panic!("not a quota error: {other:?}"),
    }
    assert!(error.to_string().contains("renews in"), "{error}");
    let stats = sims.stats(Side::Condeco).await;
    assert_eq!(
        stats["by_status"]["403"].as_u64(),
        Some(1),
        "no blind retry: {stats}"
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_secrets_stay_out_of_logs_under_faults() {
    let capture = LogCapture::default();
    let _guard = capture.install();
    let sims = start_sim(Scenario::ExistingCustomer).await;
    sims.set_faults(
        Side::Condeco,
        Faults {
            error_rate: 0.2,
            drop_rate: 0.1,
            ..Faults::default()
        },
    )
    .await;
    let c = sims.condeco_client();
    let mut texts = Vec::new();
    for _ in 0..50 {
        match c.locations(&Filter::default()).await {
            Ok(locations) => assert!(!locations.is_empty()),
            Err(e) => texts.push(format!("{e} {e:?}")),
        }
        if c.http().stats().retries > 0 {
            break;
        }
    }
    assert!(c.http().stats().retries > 0, "faults were met");
    texts.push(capture.text());
    for text in &texts {
        for secret in [KEY, CLIENT_ID, CLIENT_SECRET] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
    sims.shutdown().await;
}
