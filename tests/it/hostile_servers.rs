//! Servers that answer as an attacker or a broken gateway would: HTML instead of JSON,
//! truncated JSON, wrong types, endless and huge bodies, pages larger than asked, endless pages,
//! a slow drip, redirects to another origin, absurd headers and token lifetimes. Each must end
//! in a clear error, in bounded time and memory, and no credential may reach any origin but
//! the one it belongs to. Issue 13, A.1–A.3, A.9 and B.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use spacebridge::condeco::{CondecoClient, CondecoError, Filter};
use spacebridge::eptura::EpturaError;
use spacebridge::http::{HttpClient, HttpConfig, HttpError};
use tokio::io::AsyncWriteExt;

use crate::support::stubs::{self, Seen};
use crate::support::{condeco_settings, eptura_client_with};

/// How long any one hostile exchange may take before the test calls it a hang.
const BOUNDED: Duration = Duration::from_secs(15);

/// Run `call`, failing the test if it takes longer than [`BOUNDED`].
async fn bounded<T>(what: &str, call: impl std::future::Future<Output = T>) -> T {
    let started = Instant::now();
    let result = tokio::time::timeout(BOUNDED, call)
        .await
        .unwrap_or_else(|_| panic!("{what}: still running after {BOUNDED:?}"));
    assert!(started.elapsed() < BOUNDED);
    result
}

/// An answer with a status, a content type and a body, as given.
fn raw(status: u16, content_type: &str, body: impl Into<String>) -> Response {
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        [("content-type", content_type.to_string())],
        body.into(),
    )
        .into_response()
}

/// A Condeco client of `url` with `http`.
fn condeco_with(url: &str, http: HttpConfig) -> CondecoClient {
    CondecoClient::new(&condeco_settings(url), HttpClient::new(http).unwrap()).unwrap()
}

/// A Condeco stub: the token call answered with `token`, every other call by `answer`.
async fn condeco_stub(
    token: Value,
    answer: impl Fn(&Seen) -> Response + Send + Sync + 'static,
) -> (String, stubs::Log) {
    stubs::stub(move |seen: &Seen| {
        if seen.path.ends_with("/token") {
            stubs::json(200, token.clone())
        } else {
            answer(seen)
        }
    })
    .await
}

/// The buildings of the Eptura at `base` over `http`, within [`BOUNDED`].
async fn buildings(
    what: &str,
    base: &str,
    http: HttpConfig,
) -> Result<Vec<spacebridge::domain::remote::EpturaBuilding>, EpturaError> {
    bounded(what, eptura_client_with(base, http).buildings()).await
}

/// The countries of the Condeco at `base`, within [`BOUNDED`].
async fn countries(
    what: &str,
    base: &str,
    http: HttpConfig,
) -> Result<Vec<spacebridge::domain::remote::CondecoCountry>, CondecoError> {
    bounded(what, condeco_with(base, http).countries(&Filter::default())).await
}

/// A full page of 500 countries (ids from `first`), with `totalCount` when given.
fn full_page(first: i64, total: Option<u64>) -> Response {
    let items: Vec<Value> = (first..first + 500)
        .map(|i| json!({"countryId": i, "name": "C"}))
        .collect();
    match total {
        Some(total) => stubs::json(200, json!({"items": items, "totalCount": total})),
        None => stubs::json(200, json!({"items": items})),
    }
}

fn good_token() -> Value {
    json!({"access_token": "tok-123", "token_type": "bearer", "expires_in": 3600})
}

// ------------------------------------------------------------- what the body says (B)

#[tokio::test]
async fn html_truncated_json_and_wrong_types_are_decode_errors_that_say_so() {
    let answers: [(&str, &str); 4] = [
        ("text/html", "<html><body><h1>Sign in</h1></body></html>"),
        ("application/json", r#"[{"id": 1, "name": "HQ""#),
        ("application/json", r#"[{"id": "one", "name": 7}]"#),
        ("application/json", r#"{"items": []}"#),
    ];
    for (content_type, body) in answers {
        let (base, _) = stubs::stub(move |_: &Seen| raw(200, content_type, body)).await;
        let error = buildings(body, &base, HttpConfig::for_tests())
            .await
            .unwrap_err();
        assert!(
            matches!(error, EpturaError::Decode { .. }),
            "{body}: {error:?}"
        );
        assert!(
            error.to_string().contains("JSON this tool cannot read"),
            "{error}"
        );
    }
    let (base, _) = condeco_stub(good_token(), |_| {
        raw(200, "application/json", r#"{"items": "x"}"#)
    })
    .await;
    let error = countries("condeco", &base, HttpConfig::for_tests())
        .await
        .unwrap_err();
    assert!(matches!(error, CondecoError::Decode { .. }), "{error:?}");
}

// -------------------------------------------------------------------- body sizes (A.2)

/// Answer 200 with a chunked body that never ends (until the client hangs up).
async fn endless_body(_head: String, mut socket: tokio::net::TcpStream) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                transfer-encoding: chunked\r\n\r\n";
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk = format!("10000\r\n{}\r\n", "[".repeat(0x10000));
    while socket.write_all(chunk.as_bytes()).await.is_ok() {}
}

#[tokio::test]
async fn an_endless_body_is_cut_off_at_the_stated_limit() {
    let (base, connections) = stubs::raw_server(endless_body).await;
    let http = HttpConfig {
        max_body_bytes: 4 * 1024 * 1024,
        ..HttpConfig::for_tests()
    };
    let error = buildings("endless", &base, http).await.unwrap_err();
    let EpturaError::Http(HttpError::TooLarge {
        limit, declared, ..
    }) = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!((*limit, *declared), (4 * 1024 * 1024, None));
    assert!(error.to_string().contains("4 MiB"), "{error}");
    assert_eq!(
        *connections.lock().unwrap(),
        1,
        "a too-large answer is not retried"
    );
}

#[tokio::test]
async fn a_huge_declared_length_is_refused_before_the_body_is_read() {
    let (base, _) = stubs::raw_server(|_head, mut socket: tokio::net::TcpStream| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                    content-length: 10000000000\r\n\r\n[";
        let _ = socket.write_all(head.as_bytes()).await;
        // Then nothing: a client that waited for ten gigabytes would time out instead.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let started = Instant::now();
    let error = buildings("declared", &base, HttpConfig::for_tests())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            EpturaError::Http(HttpError::TooLarge {
                declared: Some(10_000_000_000),
                ..
            })
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_200_mb_page_is_refused_at_16_mib_by_default() {
    let page = Arc::new(format!("[{}]", "{\"id\":1},".repeat(2_400_000)));
    assert!(page.len() > 20 * 1024 * 1024);
    let (base, _) = stubs::stub(move |_: &Seen| raw(200, "application/json", page.as_str())).await;
    let error = buildings("big page", &base, HttpConfig::for_tests())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, EpturaError::Http(HttpError::TooLarge { limit, .. }) if *limit == 16 * 1024 * 1024),
        "{error:?}"
    );
}

#[tokio::test]
async fn pages_larger_than_asked_are_refused() {
    let (base, _) = stubs::stub(|_: &Seen| {
        let rows: Vec<Value> = (1..=101).map(|i| json!({"id": i, "name": "B"})).collect();
        stubs::json(200, Value::Array(rows))
    })
    .await;
    let error = buildings("eptura", &base, HttpConfig::for_tests())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            EpturaError::PageTooLarge {
                asked: 100,
                got: 101,
                ..
            }
        ),
        "{error:?}"
    );
    let (base, _) = condeco_stub(good_token(), |_| {
        let items: Vec<Value> = (1..=501)
            .map(|i| json!({"countryId": i, "name": "C"}))
            .collect();
        stubs::json(200, json!({"items": items, "totalCount": 501}))
    })
    .await;
    let error = countries("condeco", &base, HttpConfig::for_tests())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            CondecoError::PageTooLarge {
                asked: 500,
                got: 501,
                ..
            }
        ),
        "{error:?}"
    );
}

// -------------------------------------------------------------------- endless paging (A.3)

#[tokio::test]
async fn a_server_answering_full_pages_for_ever_is_stopped_at_the_stated_limit() {
    // Every page is full and holds new ids: nothing in the answers says the list ends.
    let (base, log) = stubs::stub(|seen: &Seen| {
        let start: i64 = seen.q("startAt").unwrap().parse().unwrap();
        let rows: Vec<Value> = (0..100)
            .map(|i| json!({"id": start + i + 1, "name": "B"}))
            .collect();
        stubs::json(200, Value::Array(rows))
    })
    .await;
    let http = HttpConfig {
        max_list_records: 2_000,
        ..HttpConfig::for_tests()
    };
    let error = buildings("eptura", &base, http).await.unwrap_err();
    assert!(
        matches!(error, EpturaError::ListTooLong { limit: 2_000, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("for ever"), "{error}");
    assert_eq!(log.lock().unwrap().len(), 20);
}

#[tokio::test]
async fn condeco_paging_stops_at_the_count_it_reported_or_at_the_limit() {
    let http = HttpConfig {
        max_list_records: 2_000,
        ..HttpConfig::for_tests()
    };
    // No totalCount and full pages for ever.
    let (base, _) = condeco_stub(good_token(), |seen: &Seen| {
        let page: i64 = seen.q("pageNumber").unwrap().parse().unwrap();
        full_page(page * 1000, None)
    })
    .await;
    let error = countries("no count", &base, http.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            CondecoError::ListTooLong {
                limit: 2_000,
                total: None,
                ..
            }
        ),
        "{error:?}"
    );
    // An absurd totalCount is refused on the first page.
    let (base, log) = condeco_stub(good_token(), |_| full_page(0, Some(1_000_000_000_000))).await;
    let error = countries("absurd count", &base, http.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            CondecoError::ListTooLong {
                total: Some(1_000_000_000_000),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(log.lock().unwrap().len(), 2, "the token and one page");
    // A totalCount that grows with every page: the first one is believed.
    let (base, log) = condeco_stub(good_token(), |seen: &Seen| {
        let page: i64 = seen.q("pageNumber").unwrap().parse().unwrap();
        full_page(page * 1000, Some(1000 + page as u64 * 500))
    })
    .await;
    let listed = countries("growing", &base, http).await.unwrap();
    assert_eq!(listed.len(), 1500);
    assert_eq!(log.lock().unwrap().len(), 4, "the token and three pages");
}

// ------------------------------------------------------------------ time: the slow drip

#[tokio::test]
async fn a_slow_drip_ends_with_a_timeout_not_a_hang() {
    let (base, connections) =
        stubs::raw_server(|_head, mut socket: tokio::net::TcpStream| async move {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                    transfer-encoding: chunked\r\n\r\n";
            let _ = socket.write_all(head.as_bytes()).await;
            loop {
                if socket.write_all(b"1\r\n[\r\n").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await;
    let http = HttpConfig {
        request_timeout: Duration::from_secs(1),
        max_attempts: 2,
        ..HttpConfig::for_tests()
    };
    let started = Instant::now();
    let error = buildings("drip", &base, http).await.unwrap_err();
    assert!(
        matches!(&error, EpturaError::Http(HttpError::Transport { detail, .. }) if detail.contains("timed out")),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(*connections.lock().unwrap(), 2, "one retry, then the error");
}

// ------------------------------------------------------- redirects and other origins (A.1)

/// A stub that records every request (it must see none).
async fn elsewhere() -> (String, stubs::Log) {
    stubs::stub(|_: &Seen| raw(200, "application/json", "[]")).await
}

#[tokio::test]
async fn no_credential_follows_a_redirect_from_either_client() {
    let (other, seen_there) = elsewhere().await;
    let target = format!("{other}/steal");
    let to = target.clone();
    let (base, _) = stubs::stub(move |_: &Seen| {
        (
            axum::http::StatusCode::TEMPORARY_REDIRECT,
            [("location", to.clone())],
        )
            .into_response()
    })
    .await;
    let error = buildings("eptura", &base, HttpConfig::for_tests())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, EpturaError::Http(HttpError::Redirected { to, .. }) if *to == other),
        "{error:?}"
    );
    // Condeco's token call carries the client id and secret in its body.
    let to = target.clone();
    let (base, _) = stubs::stub(move |_: &Seen| {
        (axum::http::StatusCode::FOUND, [("location", to.clone())]).into_response()
    })
    .await;
    let error = countries("condeco", &base, HttpConfig::for_tests())
        .await
        .unwrap_err();
    assert!(
        matches!(error, CondecoError::Http(HttpError::Redirected { .. })),
        "{error:?}"
    );
    assert!(
        seen_there.lock().unwrap().is_empty(),
        "a request reached the other origin"
    );
}

// ---------------------------------------------------------------- extreme headers (A.9)

#[tokio::test]
async fn absurd_retry_afters_are_clamped_and_reported_not_a_panic() {
    for wait in [
        "18446744073709551616",
        "1e30",
        "9999999999999",
        "-5",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let (base, _) = stubs::stub(move |_: &Seen| {
            (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", wait)],
            )
                .into_response()
        })
        .await;
        let error = buildings(wait, &base, HttpConfig::for_tests())
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                EpturaError::Http(HttpError::Throttled { .. } | HttpError::GaveUp { .. })
            ),
            "{wait}: {error:?}"
        );
    }
    // Condeco's quota answer with a renewal no clock can hold.
    let (base, _) = condeco_stub(good_token(), |_| {
        (
            axum::http::StatusCode::FORBIDDEN,
            [("retry-after", "9999999999999")],
            r#"{"message": "Out of call volume quota"}"#,
        )
            .into_response()
    })
    .await;
    let error = countries("quota", &base, HttpConfig::for_tests())
        .await
        .unwrap_err();
    assert!(error.is_quota(), "{error:?}");
    assert!(error.to_string().contains("renews in 24h 00m"), "{error}");
}

#[tokio::test]
async fn a_flood_of_headers_is_a_transport_error() {
    let (base, _) = stubs::raw_server(|_head, mut socket: tokio::net::TcpStream| async move {
        let mut answer = String::from("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
        for i in 0..5_000 {
            answer.push_str(&format!("x-junk-{i}: {}\r\n", "v".repeat(64)));
        }
        answer.push_str("content-length: 2\r\n\r\n[]");
        let _ = socket.write_all(answer.as_bytes()).await;
    })
    .await;
    let http = HttpConfig {
        max_attempts: 2,
        ..HttpConfig::for_tests()
    };
    let error = buildings("headers", &base, http).await.unwrap_err();
    assert!(
        matches!(error, EpturaError::Http(HttpError::Transport { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn token_lifetimes_of_every_shape_are_read_or_named() {
    let (base, _) = condeco_stub(
        json!({"access_token": "tok", "expires_in": 18446744073709551615u64}),
        |_| stubs::json(200, json!({"items": [], "totalCount": 0})),
    )
    .await;
    let client = condeco_with(&base, HttpConfig::for_tests());
    bounded("2^64-1", client.countries(&Filter::default()))
        .await
        .expect("a lifetime of 2^64-1 seconds is a day");
    bounded("again", client.countries(&Filter::default()))
        .await
        .unwrap();
    assert_eq!(client.token_fetches(), 1, "and the token is reused");

    for (expires_in, said) in [
        (json!(-1), "negative"),
        (json!(3600.5), "not a whole number"),
        (json!("soon"), "the text \"soon\""),
        (json!(true), "true/false"),
    ] {
        let token = json!({"access_token": "tok", "expires_in": expires_in});
        let (base, _) = condeco_stub(token, |_| stubs::json(200, json!({"items": []}))).await;
        let error = countries(said, &base, HttpConfig::for_tests())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, CondecoError::Decode { detail, .. } if detail.contains(said)),
            "{said}: {error:?}"
        );
    }
    for readable in [json!("3600"), json!(3600.0)] {
        let token = json!({"access_token": "tok", "expires_in": readable});
        let (base, _) = condeco_stub(token, |_| stubs::json(200, json!({"items": []}))).await;
        countries("readable", &base, HttpConfig::for_tests())
            .await
            .unwrap_or_else(|e| panic!("{readable}: {e}"));
    }
}
