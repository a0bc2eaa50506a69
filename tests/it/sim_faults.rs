//! Fault injection of both simulators, seen by a raw reqwest client over loopback: latency,
//! 500/503, 429 with Retry-After (share, concurrency, per second), dropped connections, the
//! Condeco daily quota (and a quota renewing every few seconds), revoked Condeco tokens,
//! partial fault updates and how faults show in the stats.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use spacebridge::sim::{Faults, Scenario};

use crate::support::raw::retry_after;
use crate::support::{CondecoApi, EpturaApi, Side, Simulators, spawn_sims};

/// The existing customer's simulators with `faults`, and a raw Eptura caller.
async fn start(faults: Faults) -> (Simulators, EpturaApi) {
    let sims = spawn_sims(Scenario::ExistingCustomer, faults).await;
    let eptura = sims.eptura_api();
    (sims, eptura)
}

/// A raw Condeco caller without a token, for the token call itself.
fn condeco(sims: &Simulators) -> CondecoApi {
    CondecoApi::new(&sims.condeco_url, "Acme")
}

const ROOMS: &str = "/rooms/count";

#[tokio::test]
async fn latency_delays_every_answer() {
    let (sims, eptura) = start(Faults {
        latency_ms: Some((400, 450)),
        ..Faults::default()
    })
    .await;
    let started = Instant::now();
    let response = eptura.try_get(ROOMS).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));
    sims.set_faults(Side::Eptura, json!({ "latency_ms": null }))
        .await;
    let started = Instant::now();
    eptura.try_get(ROOMS).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(400));
    sims.shutdown().await;
}

#[tokio::test]
async fn error_rate_answers_500_or_503() {
    let (sims, eptura) = start(Faults {
        error_rate: 1.0,
        ..Faults::default()
    })
    .await;
    for _ in 0..10 {
        let status = eptura.try_get(ROOMS).await.unwrap().status();
        assert!(
            status == StatusCode::INTERNAL_SERVER_ERROR
                || status == StatusCode::SERVICE_UNAVAILABLE,
            "{status}"
        );
    }
    let token = condeco(&sims).ask_token().await.unwrap();
    assert!(token.status().is_server_error());
    let body: Value = token.json().await.unwrap();
    assert!(body["message"].is_string(), "Condeco errors are JSON");
    sims.shutdown().await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let (sims, eptura) = start(Faults {
        rate_limit: 1.0,
        ..Faults::default()
    })
    .await;
    let response = eptura.try_get(ROOMS).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&response).is_some());
    // The same wait as an HTTP date, when asked.
    sims.set_faults(Side::Eptura, json!({ "retry_after_date": true }))
        .await;
    let response = eptura.try_get(ROOMS).await.unwrap();
    let date = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_string();
    let when = httpdate::parse_http_date(&date).expect("an HTTP date");
    let wait = when
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(wait <= Duration::from_secs(2), "{date}");
    sims.set_faults(Side::Eptura, json!({ "retry_after_date": false }))
        .await;
    // Half the requests, roughly.
    sims.set_faults(Side::Eptura, json!({ "rate_limit": 0.5 }))
        .await;
    let mut limited = 0;
    for _ in 0..200 {
        if eptura.try_get(ROOMS).await.unwrap().status() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert!((50..=150).contains(&limited), "{limited} of 200 limited");
    let counted = sims.stats(Side::Eptura).await;
    assert_eq!(counted["by_status"]["429"], limited + 2);
    sims.shutdown().await;
}

#[tokio::test]
async fn too_many_concurrent_requests_get_429() {
    let (sims, eptura) = start(Faults {
        latency_ms: Some((800, 800)),
        max_concurrent: Some(2),
        ..Faults::default()
    })
    .await;
    let answers = futures_util::future::join_all((0..6).map(|_| eptura.try_get(ROOMS))).await;
    let statuses: Vec<StatusCode> = answers
        .iter()
        .map(|a| a.as_ref().unwrap().status())
        .collect();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let limited: Vec<&reqwest::Response> = answers
        .iter()
        .map(|a| a.as_ref().unwrap())
        .filter(|a| a.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(ok, 2, "{statuses:?}");
    assert_eq!(limited.len(), 4, "{statuses:?}");
    assert!(limited.iter().all(|r| retry_after(r).is_some()));
    sims.shutdown().await;
}

#[tokio::test]
async fn requests_beyond_the_per_second_limit_get_429() {
    let (sims, eptura) = start(Faults {
        max_per_second: Some(5),
        ..Faults::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(eptura.try_get(ROOMS).await.unwrap().status());
    }
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Twelve quick requests span at most two one-second windows of five.
    assert!(limited >= 2, "{statuses:?}");
    sims.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_are_connection_errors() {
    let (sims, eptura) = start(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    })
    .await;
    for _ in 0..3 {
        let error = eptura
            .try_get(ROOMS)
            .await
            .expect_err("the connection closes without an answer");
        assert!(error.status().is_none(), "no HTTP status: {error}");
    }
    assert!(
        condeco(&sims).ask_token().await.is_err(),
        "Condeco drops too"
    );
    sims.set_faults(Side::Eptura, json!({ "drop_rate": 0.0 }))
        .await;
    let response = eptura.try_get(ROOMS).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let counted = sims.stats(Side::Eptura).await;
    assert_eq!(counted["by_status"]["dropped"], 3);
    sims.shutdown().await;
}

#[tokio::test]
async fn condeco_quota_answers_403_until_it_renews() {
    let (sims, eptura) = start(Faults {
        quota: Some(3),
        ..Faults::default()
    })
    .await;
    for _ in 0..3 {
        let response = condeco(&sims).ask_token().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let over = condeco(&sims).ask_token().await.unwrap();
    assert_eq!(over.status(), StatusCode::FORBIDDEN);
    let wait = retry_after(&over).expect("Retry-After in seconds");
    assert!(wait <= 86_400);
    let body: Value = over.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Out of call volume quota. Quota will be replenished in "),
        "{message}"
    );
    // HH:MM:SS agrees with Retry-After.
    let clock = message
        .trim_end_matches('.')
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let parts: Vec<u64> = clock.split(':').map(|p| p.parse().unwrap()).collect();
    let seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
    assert!(seconds.abs_diff(wait) <= 1, "{clock} vs {wait}");
    // The quota is Condeco's: Eptura is unaffected.
    let answered = eptura.try_get(ROOMS).await.unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    // Raising the quota lets calls through again.
    sims.set_faults(Side::Condeco, json!({ "quota": 100 }))
        .await;
    let response = condeco(&sims).ask_token().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    sims.shutdown().await;
}

#[tokio::test]
async fn fault_updates_are_partial_and_checked() {
    let faults = Faults {
        quota: Some(1000),
        ..Faults::default()
    };
    let sims = spawn_sims(Scenario::ExistingCustomer, faults).await;
    let after = sims
        .set_faults(Side::Condeco, json!({ "error_rate": 0.25 }))
        .await;
    assert_eq!(after["error_rate"], 0.25);
    assert_eq!(after["quota"], 1000, "fields not sent are kept");
    let refused = sims
        .post_faults(Side::Condeco, json!({ "drop_rate": 2.0 }))
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let current = sims.faults(Side::Condeco).await;
    assert_eq!(current["drop_rate"], 0.0);
    // Reset restores the starting faults.
    sims.reset(Side::Condeco).await;
    let current = sims.faults(Side::Condeco).await;
    assert_eq!(current["error_rate"], 0.0);
    assert_eq!(current["quota"], 1000);
    sims.shutdown().await;
}

#[tokio::test]
async fn denied_credentials_answer_401_on_both() {
    let (sims, eptura) = start(Faults {
        deny_credentials: true,
        ..Faults::default()
    })
    .await;
    let refused = eptura.try_get(ROOMS).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let token = condeco(&sims).ask_token().await.unwrap();
    assert_eq!(token.status(), StatusCode::UNAUTHORIZED);
    let body: Value = token.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("Access denied"));
    sims.set_faults(Side::Eptura, json!({ "deny_credentials": false }))
        .await;
    let answered = eptura.try_get(ROOMS).await.unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    sims.shutdown().await;
}

#[tokio::test]
async fn a_seed_replays_the_same_faults_and_another_seed_draws_others() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let (sims, eptura) = start(Faults {
            error_rate: 0.5,
            seed: Some(seed),
            ..Faults::default()
        })
        .await;
        let mut seen = Vec::new();
        for _ in 0..40 {
            seen.push(eptura.try_get(ROOMS).await.unwrap().status().as_u16());
        }
        sims.shutdown().await;
        seen
    }
    let first = statuses(7).await;
    assert!(
        first.contains(&200) && first.iter().any(|s| *s >= 500),
        "{first:?}"
    );
    assert_eq!(statuses(7).await, first, "the same seed, the same faults");
    assert_ne!(statuses(8).await, first, "another seed, other faults");
}

#[tokio::test]
async fn a_quota_with_a_short_period_renews_when_retry_after_says() {
    let (sims, _) = start(Faults {
        quota: Some(2),
        quota_period_secs: Some(2),
        ..Faults::default()
    })
    .await;
    let over = loop {
        let response = condeco(&sims).ask_token().await.unwrap();
        if response.status() == StatusCode::FORBIDDEN {
            break response;
        }
        assert_eq!(response.status(), StatusCode::OK);
    };
    let wait = retry_after(&over).expect("Retry-After in seconds");
    assert!((1..=2).contains(&wait), "renews within the period: {wait}");
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let renewed = condeco(&sims).ask_token().await.unwrap();
    assert_eq!(renewed.status(), StatusCode::OK, "renewed after {wait}s");
    sims.shutdown().await;
}

#[tokio::test]
async fn revoked_tokens_answer_401_until_a_new_one_is_fetched() {
    let (sims, _) = start(Faults::default()).await;
    let api = sims.condeco_api("Acme").await;
    assert_eq!(api.get("countries").await.0, StatusCode::OK);
    sims.set_faults(Side::Condeco, json!({ "token_revoke_rate": 1.0 }))
        .await;
    assert_eq!(api.get("countries").await.0, StatusCode::UNAUTHORIZED);
    sims.set_faults(Side::Condeco, json!({ "token_revoke_rate": 0.0 }))
        .await;
    assert_eq!(
        api.get("countries").await.0,
        StatusCode::UNAUTHORIZED,
        "a revoked token stays revoked"
    );
    let fresh = sims.condeco_api("Acme").await;
    assert_eq!(fresh.get("countries").await.0, StatusCode::OK);
    let stats = sims.stats(Side::Condeco).await;
    assert_eq!(stats["tokens_revoked"], 1, "{stats}");
    let refused = sims
        .post_faults(Side::Condeco, json!({ "token_revoke_rate": 1.5 }))
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    sims.shutdown().await;
}
