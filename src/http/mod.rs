//! What both API clients share: one configured reqwest client (rustls, timeouts), retry with
//! exponential backoff and full jitter for transport errors, dropped connections, 429 and 5xx,
//! `Retry-After` in seconds or as an HTTP date, pacing that finds the server's limit (a rate
//! learned from 429s, under an optional cap), an AIMD concurrency limit, a cap on attempts,
//! and counters for progress displays.
//!
//! A hostile or broken server cannot exhaust memory or time: every answer is read as a stream
//! and refused once it passes [`HttpConfig::max_body_bytes`] (a declared `Content-Length`
//! over the limit is refused before any byte is read), each request has a total timeout, and
//! [`HttpConfig::max_list_records`] is the most records a client will page through in one
//! list. Redirects are never followed (the credentials would go with them).
//!
//! A write that is not idempotent (POST, PATCH) and whose answer was lost or was a 5xx may
//! have happened: it is never sent again here. The caller gets [`HttpError::OutcomeUnknown`]
//! and looks the record up before deciding.
//!
//! It knows nothing of either API: callers build a `reqwest::Request`, [`HttpClient::send`]
//! returns the final [`Reply`] (any status the retry policy does not handle) or an
//! [`HttpError`]. Messages name the method and path only: never a header, a query string or a
//! body, so no secret can leak through them.

pub mod backoff;
pub mod limit;
pub mod secret;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, Request, StatusCode};
use serde::Serialize;

use crate::domain::text::{cut_chars, visible};
pub use limit::{Aimd, Cut, Pacer};
pub use reqwest::Url;
pub use secret::Secret;

/// Timeouts, retry and limits. The defaults suit both real APIs.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    /// Whole request, answer included.
    pub request_timeout: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// A `Retry-After` longer than this is not waited for: the request fails with
    /// [`HttpError::Throttled`] so the caller can decide.
    pub max_retry_after: Duration,
    /// The most requests per second whatever the server allows (`--max-rate`); `None` for no
    /// cap: the pace is then found from the server's 429s.
    pub rate_per_second: Option<f64>,
    /// How many requests may start at once under the cap.
    pub burst: u32,
    /// Learn the rate the server allows from its 429s (see [`Pacer`]).
    pub adaptive_rate: bool,
    /// The most requests in flight at once; AIMD moves between 1 and this.
    pub max_concurrency: usize,
    /// The largest answer body read, in bytes: a longer one fails with
    /// [`HttpError::TooLarge`] (not retried). The largest real answers (a page of 100 Eptura
    /// rooms, each nesting its floor and building; 500 Condeco resources) are about 100 KB.
    pub max_body_bytes: u64,
    /// The most records one list may hold: the clients stop paging there with an error, so a
    /// server that answers full pages for ever cannot keep them busy for ever.
    pub max_list_records: usize,
}

/// The default [`HttpConfig::max_body_bytes`]: 16 MiB, over 100 times the largest real page.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// The default [`HttpConfig::max_list_records`]: ten times the largest estate benchmarked.
pub const MAX_LIST_RECORDS: usize = 1_000_000;

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_attempts: 6,
            backoff_base: Duration::from_millis(200),
            backoff_cap: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
            rate_per_second: None,
            burst: 20,
            adaptive_rate: true,
            max_concurrency: 16,
            max_body_bytes: MAX_BODY_BYTES,
            max_list_records: MAX_LIST_RECORDS,
        }
    }
}

impl HttpConfig {
    /// Fast retries and no rate limit: for tests against loopback servers.
    pub fn for_tests() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            max_attempts: 6,
            backoff_base: Duration::from_millis(5),
            backoff_cap: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
            rate_per_second: None,
            burst: 1,
            adaptive_rate: true,
            max_concurrency: 8,
            max_body_bytes: MAX_BODY_BYTES,
            max_list_records: MAX_LIST_RECORDS,
        }
    }
}

/// Whether a request may be sent twice. A `POST` that may have reached the server is not
/// repeated after a lost answer: the caller gets [`HttpError::OutcomeUnknown`] and looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotence {
    Idempotent,
    NotIdempotent,
}

impl Idempotence {
    pub fn of(method: &Method) -> Self {
        if *method == Method::POST || *method == Method::PATCH {
            Idempotence::NotIdempotent
        } else {
            Idempotence::Idempotent
        }
    }
}

/// A final answer: status, headers and the whole body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text, cut to `max` characters and with hidden characters made visible,
    /// for error messages.
    pub fn excerpt(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        visible(&cut_chars(text.trim(), max)).into_owned()
    }

    /// The `Retry-After` delay, if the server sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        backoff::retry_after(&self.headers, SystemTime::now())
    }
}

/// Why a request has no final answer. Messages hold the method and path only.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("cannot build the request {method} {path}: {detail}")]
    Build {
        method: Method,
        path: String,
        detail: String,
    },
    #[error(
        "{method} {path} failed after {attempts} attempts: {detail}; check the address and \
         the network, then retry"
    )]
    Transport {
        method: Method,
        path: String,
        attempts: u32,
        detail: String,
    },
    #[error(
        "{method} {path}: no answer that says whether the request was applied ({detail}); it \
         may or may not have been: look the record up before sending it again"
    )]
    OutcomeUnknown {
        method: Method,
        path: String,
        detail: String,
    },
    #[error(
        "{method} {path} still answered {status} after {attempts} attempts; the service is \
         overloaded or failing: retry later"
    )]
    GaveUp {
        method: Method,
        path: String,
        attempts: u32,
        status: StatusCode,
    },
    #[error(
        "{method} {path} answered {status}, a redirect to {to}: not followed, so that no \
         credential goes to another address; check the configured address (https://, host)"
    )]
    Redirected {
        method: Method,
        path: String,
        status: StatusCode,
        /// The target's origin ("https://host:port"), or a note when it has none.
        to: String,
    },
    #[error(
        "{method} {path}: the answer is larger than the {} allowed ({}); the address may point \
         at the wrong service, or the service is misbehaving",
        bytes_text(*limit), declared.map_or_else(|| "it kept coming".to_string(), |n| format!("{} declared", bytes_text(n)))
    )]
    TooLarge {
        method: Method,
        path: String,
        limit: u64,
        /// The `Content-Length` the server announced, when it did.
        declared: Option<u64>,
    },
    #[error(
        "{method} {path}: the service asks to wait {}s before retrying, longer than the {}s \
         allowed; retry later",
        retry_after.as_secs(), allowed.as_secs()
    )]
    Throttled {
        method: Method,
        path: String,
        retry_after: Duration,
        allowed: Duration,
    },
}

impl HttpError {
    /// True when retrying later may succeed (everything but a malformed request).
    pub fn is_transient(&self) -> bool {
        !matches!(self, HttpError::Build { .. } | HttpError::TooLarge { .. })
    }
}

/// "16 MiB", "512 KiB", "900 bytes".
fn bytes_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Counters since the client was made.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
}

/// A snapshot of the counters, for progress displays and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HttpStats {
    /// Attempts sent, retries included.
    pub requests: u64,
    pub retries: u64,
    /// 429 answers.
    pub throttled: u64,
    /// 5xx answers.
    pub server_errors: u64,
    /// Connect and read failures, dropped connections, timeouts.
    pub transport_errors: u64,
}

/// A configured client with retry and limits. Cheap to clone; clones share limits and counters.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    config: Arc<HttpConfig>,
    concurrency: Arc<Aimd>,
    pacer: Arc<Pacer>,
    counters: Arc<Counters>,
}

/// What was sent, for judging its answer.
struct Sent {
    method: Method,
    path: String,
    attempt: u32,
    /// The AIMD window the request was sent in.
    window: u64,
    idempotence: Idempotence,
}

/// Why an answer could not be read.
enum Unread {
    Transport(reqwest::Error),
    /// Longer than [`HttpConfig::max_body_bytes`]; `declared` is its `Content-Length`.
    TooLarge {
        declared: Option<u64>,
    },
}

impl From<reqwest::Error> for Unread {
    fn from(error: reqwest::Error) -> Self {
        Unread::Transport(error)
    }
}

/// What one attempt came to.
enum Attempt {
    Done(Reply),
    Retry { delay: Duration, reason: String },
    Fail(HttpError),
}

impl HttpClient {
    pub fn new(config: HttpConfig) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("spacebridge/", env!("CARGO_PKG_VERSION")))
            // Never follow a redirect: the credentials in our headers would go with it.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| HttpError::Build {
                method: Method::GET,
                path: "(client)".into(),
                detail: describe(&e),
            })?;
        Ok(HttpClient {
            client,
            concurrency: Aimd::new(config.max_concurrency),
            pacer: Arc::new(Pacer::new(
                config.rate_per_second,
                config.burst,
                config.adaptive_rate,
            )),
            config: Arc::new(config),
            counters: Arc::default(),
        })
    }

    /// A request builder on the shared client; finish it with `.build()` and [`Self::send`].
    pub fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    pub fn stats(&self) -> HttpStats {
        let c = &self.counters;
        HttpStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            server_errors: c.server_errors.load(Ordering::Relaxed),
            transport_errors: c.transport_errors.load(Ordering::Relaxed),
        }
    }

    /// The AIMD limit right now.
    pub fn concurrency_limit(&self) -> usize {
        self.concurrency.limit()
    }

    /// The requests per second paced at right now (`None`: not paced).
    pub fn paced_rate(&self) -> Option<f64> {
        self.pacer.rate()
    }

    /// Send with retry; the reply is whatever status ended the retries (2xx, 4xx but 429, or
    /// a 5xx/429 the caller must see because the request is not idempotent and the server's
    /// answer is final).
    pub async fn send(&self, request: Request) -> Result<Reply, HttpError> {
        let idempotence = Idempotence::of(request.method());
        self.send_with(request, idempotence).await
    }

    /// [`Self::send`] with an explicit idempotence (a token `POST` may be repeated safely).
    pub async fn send_with(
        &self,
        request: Request,
        idempotence: Idempotence,
    ) -> Result<Reply, HttpError> {
        let method = request.method().clone();
        let path = request.url().path().to_string();
        let mut attempt = 0;
        loop {
            let Some(this) = request.try_clone() else {
                return Err(HttpError::Build {
                    method,
                    path,
                    detail: "the body cannot be sent twice (a stream)".into(),
                });
            };
            attempt += 1;
            match self.attempt(this, idempotence, attempt).await {
                Attempt::Done(reply) => return Ok(reply),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { delay, reason } => {
                    if attempt >= self.config.max_attempts {
                        return Err(self.exhausted(method, path, attempt, reason));
                    }
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(
                        %method, %path, attempt, delay_ms = delay.as_millis() as u64, %reason,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn attempt(&self, request: Request, idempotence: Idempotence, attempt: u32) -> Attempt {
        let permit = self.concurrency.acquire().await;
        self.pacer.acquire().await;
        let method = request.method().clone();
        let path = request.url().path().to_string();
        let window = permit.window();
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let outcome = self.exchange(request).await;
        drop(permit);
        match outcome {
            Ok(reply) => self.judge(
                reply,
                Sent {
                    method,
                    path,
                    attempt,
                    window,
                    idempotence,
                },
            ),
            Err(Unread::TooLarge { declared }) => {
                let limit = self.config.max_body_bytes;
                Attempt::Fail(match idempotence {
                    // A write answered: it may have been applied, the answer cannot be read.
                    Idempotence::NotIdempotent => HttpError::OutcomeUnknown {
                        method,
                        path,
                        detail: format!(
                            "its answer is larger than the {} allowed",
                            bytes_text(limit)
                        ),
                    },
                    Idempotence::Idempotent => HttpError::TooLarge {
                        method,
                        path,
                        limit,
                        declared,
                    },
                })
            }
            Err(Unread::Transport(error)) => {
                self.counters
                    .transport_errors
                    .fetch_add(1, Ordering::Relaxed);
                let detail = describe(&error);
                if idempotence == Idempotence::NotIdempotent && !error.is_connect() {
                    return Attempt::Fail(HttpError::OutcomeUnknown {
                        method,
                        path,
                        detail,
                    });
                }
                Attempt::Retry {
                    delay: self.backoff(attempt),
                    reason: detail,
                }
            }
        }
    }

    /// Send and read the whole body, so a connection dropped mid-body is a transport error.
    /// The body is read chunk by chunk and given up as soon as it passes the limit; a declared
    /// length over the limit is refused before reading.
    async fn exchange(&self, request: Request) -> Result<Reply, Unread> {
        let limit = self.config.max_body_bytes;
        let mut response = self.client.execute(request).await?;
        let declared = response.content_length();
        if declared.is_some_and(|n| n > limit) {
            return Err(Unread::TooLarge { declared });
        }
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let capacity = declared.unwrap_or(0).min(limit);
        let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = response.chunk().await? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(Unread::TooLarge { declared });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    fn judge(&self, reply: Reply, sent: Sent) -> Attempt {
        let Sent {
            method,
            path,
            attempt,
            window,
            idempotence,
        } = sent;
        let status = reply.status;
        if status.is_redirection() {
            return Attempt::Fail(HttpError::Redirected {
                method,
                path,
                status,
                to: redirect_origin(&reply.headers),
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.counters.throttled.fetch_add(1, Ordering::Relaxed);
        } else if status.is_server_error() {
            self.counters.server_errors.fetch_add(1, Ordering::Relaxed);
            // A gateway may answer 5xx for a write the server behind it applied.
            if idempotence == Idempotence::NotIdempotent {
                return Attempt::Fail(HttpError::OutcomeUnknown {
                    method,
                    path,
                    detail: format!("answered {status}"),
                });
            }
        } else {
            self.concurrency.on_success();
            self.pacer.on_success();
            return Attempt::Done(reply);
        }
        // 429, and 5xx to an idempotent request: retry, waiting as the server asks.
        let delay = match reply.retry_after() {
            Some(wait) if wait > self.config.max_retry_after => {
                return Attempt::Fail(HttpError::Throttled {
                    method,
                    path,
                    retry_after: wait,
                    allowed: self.config.max_retry_after,
                });
            }
            Some(wait) => wait,
            None => self.backoff(attempt),
        };
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.on_throttled(window);
        }
        if attempt >= self.config.max_attempts {
            return Attempt::Fail(HttpError::GaveUp {
                method,
                path,
                attempts: attempt,
                status,
            });
        }
        Attempt::Retry {
            delay,
            reason: format!("answered {status}"),
        }
    }

    /// One cut of concurrency and pace per burst of 429s (the throttled request itself waits
    /// as the server asked).
    fn on_throttled(&self, window: u64) {
        if self.concurrency.on_throttled(window) == Cut::Halved {
            self.pacer.on_throttled();
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        backoff::full_jitter(
            self.config.backoff_base,
            self.config.backoff_cap,
            attempt.saturating_sub(1),
        )
    }

    fn exhausted(&self, method: Method, path: String, attempts: u32, reason: String) -> HttpError {
        HttpError::Transport {
            method,
            path,
            attempts,
            detail: reason,
        }
    }
}

/// Where a redirect points, as an origin only (a path or query may carry anything).
fn redirect_origin(headers: &HeaderMap) -> String {
    let location = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok());
    match location.map(Url::parse) {
        Some(Ok(url)) => url.origin().ascii_serialization(),
        Some(Err(_)) => "another path of the same site".to_string(),
        None => "nowhere (no Location header)".to_string(),
    }
}

/// A reqwest error as text: its kind and causes, without the URL (which may carry a query).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_string()
    } else if error.is_connect() {
        "could not connect".to_string()
    } else {
        "connection failed".to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
