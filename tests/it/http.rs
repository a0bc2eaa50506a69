//! The shared HTTP layer against tiny loopback servers: retry of 5xx bursts, 429 with
//! Retry-After (seconds and HTTP date), dropped connections, the attempt cap, the AIMD limit,
//! the concurrency cap, and no secret in any error or log line.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use reqwest::Method;
use spacebridge::http::{HttpClient, HttpConfig, HttpError, Url};

use crate::support::stubs;

fn client(config: HttpConfig) -> HttpClient {
    HttpClient::new(config).unwrap()
}

async fn get_url(http: &HttpClient, url: &str) -> Result<spacebridge::http::Reply, HttpError> {
    let request = http
        .request(Method::GET, Url::parse(url).unwrap())
        .build()
        .unwrap();
    http.send(request).await
}

/// A route that answers `failure` for the first `failures` calls, then 200 "ok".
fn flaky(failures: usize, failure: fn() -> axum::response::Response) -> (Router, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let router = Router::new().route(
        "/thing",
        get(move || {
            let counter = Arc::clone(&counter);
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < failures {
                    failure()
                } else {
                    (StatusCode::OK, "ok").into_response()
                }
            }
        })
        .post(|| async { (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response() }),
    );
    (router, calls)
}

#[tokio::test]
async fn a_burst_of_5xx_is_retried_until_it_passes() {
    let (router, calls) = flaky(3, || StatusCode::BAD_GATEWAY.into_response());
    let base = stubs::serve(router).await;
    let http = client(HttpConfig::for_tests());
    let reply = get_url(&http, &format!("{base}/thing")).await.unwrap();
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, b"ok");
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    let stats = http.stats();
    assert_eq!(
        (stats.requests, stats.retries, stats.server_errors),
        (4, 3, 3)
    );
}

#[tokio::test]
async fn the_attempt_cap_ends_a_long_outage() {
    let (router, calls) = flaky(100, || StatusCode::INTERNAL_SERVER_ERROR.into_response());
    let base = stubs::serve(router).await;
    let http = client(HttpConfig {
        max_attempts: 3,
        ..HttpConfig::for_tests()
    });
    let error = get_url(&http, &format!("{base}/thing")).await.unwrap_err();
    assert!(
        matches!(error, HttpError::GaveUp { attempts: 3, status, .. } if status == 500),
        "{error:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(error.to_string().contains("GET /thing"), "{error}");
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let (router, _) = flaky(1, || {
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")]).into_response()
    });
    let base = stubs::serve(router).await;
    let http = client(HttpConfig::for_tests());
    let start = Instant::now();
    let reply = get_url(&http, &format!("{base}/thing")).await.unwrap();
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(http.stats().throttled, 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let (router, _) = flaky(1, || {
        let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
        (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", when)]).into_response()
    });
    let base = stubs::serve(router).await;
    let http = client(HttpConfig::for_tests());
    let start = Instant::now();
    get_url(&http, &format!("{base}/thing")).await.unwrap();
    // HTTP dates have whole seconds: the wait is between 1 and 2 s.
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_allowed_is_reported_not_waited() {
    let (router, calls) = flaky(1, || {
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "3600")]).into_response()
    });
    let base = stubs::serve(router).await;
    let http = client(HttpConfig::for_tests());
    let error = get_url(&http, &format!("{base}/thing")).await.unwrap_err();
    assert!(
        matches!(error, HttpError::Throttled { retry_after, .. } if retry_after.as_secs() == 3600),
        "{error:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn throttling_halves_the_concurrency_limit() {
    let (router, _) = flaky(2, || StatusCode::TOO_MANY_REQUESTS.into_response());
    let base = stubs::serve(router).await;
    let http = client(HttpConfig {
        max_concurrency: 8,
        ..HttpConfig::for_tests()
    });
    get_url(&http, &format!("{base}/thing")).await.unwrap();
    // 8 → 4 → 2, then one success is not yet a full window at 2.
    assert_eq!(http.concurrency_limit(), 2);
    get_url(&http, &format!("{base}/thing")).await.unwrap();
    assert_eq!(http.concurrency_limit(), 3);
}

#[tokio::test]
async fn dropped_connections_are_retried_for_reads() {
    let (base, connections) = stubs::dropping_server(2, "[1,2,3]").await;
    let http = client(HttpConfig::for_tests());
    let reply = get_url(&http, &format!("{base}/anything")).await.unwrap();
    assert_eq!(reply.body, b"[1,2,3]");
    assert_eq!(*connections.lock().unwrap(), 3);
    assert_eq!(http.stats().transport_errors, 2);
}

#[tokio::test]
async fn a_post_whose_answer_is_lost_is_not_repeated() {
    let (base, connections) = stubs::dropping_server(1, "{}").await;
    let http = client(HttpConfig::for_tests());
    let request = http
        .request(Method::POST, Url::parse(&format!("{base}/rooms")).unwrap())
        .body("{}")
        .build()
        .unwrap();
    let error = http.send(request).await.unwrap_err();
    assert!(
        matches!(error, HttpError::OutcomeUnknown { .. }),
        "{error:?}"
    );
    assert_eq!(*connections.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_post_answered_503_is_retried() {
    let (router, _) = flaky(0, || StatusCode::OK.into_response());
    let base = stubs::serve(router).await;
    let http = client(HttpConfig {
        max_attempts: 2,
        ..HttpConfig::for_tests()
    });
    let request = http
        .request(Method::POST, Url::parse(&format!("{base}/thing")).unwrap())
        .build()
        .unwrap();
    let error = http.send(request).await.unwrap_err();
    assert!(
        matches!(error, HttpError::GaveUp { attempts: 2, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn never_more_requests_in_flight_than_the_limit() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (now, top) = (Arc::clone(&in_flight), Arc::clone(&peak));
    let router = Router::new().route(
        "/slow",
        get(move || {
            let (now, top) = (Arc::clone(&now), Arc::clone(&top));
            async move {
                let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                top.fetch_max(current, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(30)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    let base = stubs::serve(router).await;
    let http = client(HttpConfig {
        max_concurrency: 3,
        ..HttpConfig::for_tests()
    });
    let url = format!("{base}/slow");
    let calls = (0..12).map(|_| get_url(&http, &url));
    let replies = futures_util::future::join_all(calls).await;
    assert!(replies.iter().all(|r| r.is_ok()));
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_rate_limit_paces_requests() {
    let router = Router::new().route("/thing", get(|| async { "ok" }));
    let base = stubs::serve(router).await;
    let http = client(HttpConfig {
        rate_per_second: Some(40.0),
        burst: 1,
        ..HttpConfig::for_tests()
    });
    let start = Instant::now();
    for _ in 0..5 {
        get_url(&http, &format!("{base}/thing")).await.unwrap();
    }
    assert!(
        start.elapsed() >= Duration::from_millis(95),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn no_secret_in_errors_or_logs() {
    const PASSWORD: &str = "pa55-word-never-shown";
    let capture = stubs::LogCapture::default();
    let _guard = capture.install();
    let seen_password = Arc::new(std::sync::Mutex::new(String::new()));
    let seen = Arc::clone(&seen_password);
    let router = Router::new().route(
        "/thing",
        post(move |headers: HeaderMap| {
            let seen = Arc::clone(&seen);
            async move {
                *seen.lock().unwrap() = headers
                    .get("x-auth-password")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                StatusCode::BAD_GATEWAY
            }
        }),
    );
    let base = stubs::serve(router).await;
    let http = client(HttpConfig {
        max_attempts: 2,
        ..HttpConfig::for_tests()
    });
    let mut value = reqwest::header::HeaderValue::from_static(PASSWORD);
    value.set_sensitive(true);
    let request = http
        .request(Method::POST, Url::parse(&format!("{base}/thing")).unwrap())
        .header("x-auth-password", value.clone())
        .build()
        .unwrap();
    let error = http.send(request).await.unwrap_err();
    assert_eq!(
        *seen_password.lock().unwrap(),
        PASSWORD,
        "the header was sent"
    );
    // And a connection that cannot be made.
    let refused = http
        .request(Method::GET, Url::parse("http://127.0.0.1:9/x?q=1").unwrap())
        .header("x-auth-password", value)
        .build()
        .unwrap();
    let refused = http.send(refused).await.unwrap_err();
    assert!(
        matches!(refused, HttpError::Transport { .. }),
        "{refused:?}"
    );
    let logs = capture.text();
    assert!(logs.contains("retrying"), "the retries were logged: {logs}");
    for text in [
        error.to_string(),
        format!("{error:?}"),
        refused.to_string(),
        format!("{refused:?}"),
        logs,
    ] {
        assert!(!text.contains(PASSWORD), "secret leaked: {text}");
    }
}
