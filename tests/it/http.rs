//! The shared HTTP layer against tiny loopback servers: retry of 5xx bursts, 429 with
//! Retry-After (seconds and HTTP date), dropped connections, the attempt cap, a POST whose
//! answer is lost or a 5xx never sent twice, the AIMD limit (one cut per burst of 429s), the
//! concurrency cap, pacing (none until the server throttles, or a cap), and no secret in any
//! error or log line.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use reqwest::Method;
use spacebridge::http::{HttpClient, HttpConfig, HttpError, Url};

use crate::support::stubs;

fn client(config: HttpConfig) -> HttpClient {
    HttpClient::new(config).unwrap()
}

async fn get_url(http: &HttpClient, url: &str) -> Result<spacebridge::http::Reply, HttpError> {
    send(http, Method::GET, url).await
}

async fn send(
    http: &HttpClient,
    method: Method,
    url: &str,
) -> Result<spacebridge::http::Reply, HttpError> {
    let request = http
        .request(method, Url::parse(url).unwrap())
        .body("{}")
        .build()
        .unwrap();
    http.send(request).await
}

/// A route (any method) that answers `failure` for the first `failures` calls, then 200 "ok";
/// with the count of calls.
fn flaky(failures: usize, failure: fn() -> Response) -> (Router, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let router = Router::new().route(
        "/thing",
        any(move || {
            let counter = Arc::clone(&counter);
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < failures {
                    failure()
                } else {
                    (StatusCode::OK, "ok").into_response()
                }
            }
        }),
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
async fn a_burst_of_429s_halves_the_concurrency_limit_once() {
    // Four requests in flight together, all answered 429 (final: one attempt each).
    const BURST: usize = 4;
    let barrier = Arc::new(tokio::sync::Barrier::new(BURST));
    let calls = Arc::new(AtomicUsize::new(0));
    let (gate, counter) = (Arc::clone(&barrier), Arc::clone(&calls));
    let router = Router::new().route(
        "/thing",
        get(move || {
            let (gate, counter) = (Arc::clone(&gate), Arc::clone(&counter));
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < BURST {
                    gate.wait().await;
                }
                StatusCode::TOO_MANY_REQUESTS
            }
        }),
    );
    let base = stubs::serve(router).await;
    let http = client(HttpConfig {
        max_concurrency: 8,
        max_attempts: 1,
        ..HttpConfig::for_tests()
    });
    let url = format!("{base}/thing");
    let burst = futures_util::future::join_all((0..BURST).map(|_| get_url(&http, &url))).await;
    assert!(
        burst
            .iter()
            .all(|r| matches!(r, Err(HttpError::GaveUp { status, .. }) if *status == 429)),
        "{burst:?}"
    );
    assert_eq!(http.stats().throttled, BURST as u64);
    // One burst, one cut: 8 → 4 (once per answer would have been 8 → 4 → 2 → 1 → 1).
    assert_eq!(http.concurrency_limit(), 4);
    // A request sent after that cut and throttled again is a new burst: 4 → 2.
    get_url(&http, &url).await.unwrap_err();
    assert_eq!(http.concurrency_limit(), 2);
    assert_eq!(calls.load(Ordering::SeqCst), BURST + 1);
}

#[tokio::test]
async fn requests_are_not_paced_until_the_server_throttles() {
    let (router, _) = flaky(20, || (StatusCode::OK, "fine").into_response());
    let base = stubs::serve(router).await;
    let http = client(HttpConfig::default());
    assert_eq!(HttpConfig::default().rate_per_second, None, "no fixed rate");
    let url = format!("{base}/thing");
    for _ in 0..20 {
        get_url(&http, &url).await.unwrap();
    }
    assert_eq!(http.paced_rate(), None, "paced before any 429");
    let (router, _) = flaky(1, || StatusCode::TOO_MANY_REQUESTS.into_response());
    let throttling = stubs::serve(router).await;
    get_url(&http, &format!("{throttling}/thing"))
        .await
        .unwrap();
    // The rate learned is a little under what was getting through (at least 0.5/s).
    let learned = http.paced_rate().expect("a rate learned from the 429");
    assert!(learned >= 0.5, "{learned}");
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
    let error = send(&http, Method::POST, &format!("{base}/rooms"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, HttpError::OutcomeUnknown { .. }),
        "{error:?}"
    );
    assert_eq!(*connections.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_post_or_patch_answered_5xx_is_sent_once_and_its_outcome_is_unknown() {
    let cases: [(Method, fn() -> Response); 4] = [
        (Method::POST, || {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }),
        (Method::POST, || StatusCode::BAD_GATEWAY.into_response()),
        (Method::POST, || {
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }),
        (Method::PATCH, || {
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }),
    ];
    for (method, failure) in cases {
        let status = failure().status();
        // The stub would answer "ok" to a second call: only one is allowed.
        let (router, calls) = flaky(1, failure);
        let base = stubs::serve(router).await;
        let http = client(HttpConfig::for_tests());
        let error = send(&http, method.clone(), &format!("{base}/thing"))
            .await
            .unwrap_err();
        let HttpError::OutcomeUnknown { detail, .. } = &error else {
            panic!("{method} answered {status}: {error:?}");
        };
        assert!(detail.contains(status.as_str()), "{detail}");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{method} {status}");
        assert_eq!(http.stats().retries, 0, "{method} {status}");
        assert!(error.to_string().contains("look the record up"), "{error}");
    }
}

#[tokio::test]
async fn a_put_answered_a_gateway_error_is_retried() {
    let (router, calls) = flaky(2, || StatusCode::GATEWAY_TIMEOUT.into_response());
    let base = stubs::serve(router).await;
    let http = client(HttpConfig::for_tests());
    let reply = send(&http, Method::PUT, &format!("{base}/thing"))
        .await
        .unwrap();
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
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
        any(move |headers: HeaderMap| {
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
    let with_secret = |method: Method| {
        http.request(method, Url::parse(&format!("{base}/thing")).unwrap())
            .header("x-auth-password", value.clone())
            .build()
            .unwrap()
    };
    // A GET retried until the cap, and a POST whose 502 leaves its outcome unknown.
    let error = http.send(with_secret(Method::GET)).await.unwrap_err();
    assert!(matches!(error, HttpError::GaveUp { .. }), "{error:?}");
    let unknown = http.send(with_secret(Method::POST)).await.unwrap_err();
    assert!(
        matches!(unknown, HttpError::OutcomeUnknown { .. }),
        "{unknown:?}"
    );
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
        unknown.to_string(),
        format!("{unknown:?}"),
        refused.to_string(),
        format!("{refused:?}"),
        logs,
    ] {
        assert!(!text.contains(PASSWORD), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_never_followed_with_the_credentials() {
    // The other origin counts every request it gets.
    let (elsewhere, reached) = flaky(0, || StatusCode::OK.into_response());
    let elsewhere = stubs::serve(elsewhere).await;
    let target = format!("{elsewhere}/thing");
    for status in [
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::MOVED_PERMANENTLY,
    ] {
        let location = target.clone();
        let router = Router::new().route(
            "/api",
            any(move || {
                let location = location.clone();
                async move { (status, [("location", location)]).into_response() }
            }),
        );
        let base = stubs::serve(router).await;
        let http = client(HttpConfig::for_tests());
        let request = http
            .request(Method::GET, Url::parse(&format!("{base}/api")).unwrap())
            .header("x-auth-password", "pa55")
            .build()
            .unwrap();
        let error = http.send(request).await.unwrap_err();
        let HttpError::Redirected { to, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(to, &elsewhere, "the message names the other origin");
        assert!(error.to_string().contains("not followed"), "{error}");
    }
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "a request reached the other origin"
    );
}
