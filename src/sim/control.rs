//! What the two simulators share around their APIs: fault injection (latency, errors, 429s,
//! concurrency and per-second limits, dropped connections, Condeco's call quota (daily, or
//! renewed every few seconds for tests) and revoked Condeco tokens, and writes applied whose
//! answer is then lost or replaced by a gateway error), request
//! statistics by route template and status, saving the state file after successful writes, and
//! the test-only `/__sim/stats`, `/__sim/faults` and `/__sim/reset` routes. It knows nothing of
//! either API's records.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::{Value, json};

use super::server::DropConnection;
use super::{Faults, World};

/// Which API a simulator serves; decides error bodies and route templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    Eptura,
    Condeco,
}

/// Counts served at `/__sim/stats`.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct Stats {
    requests: u64,
    /// Writes the API applied, whatever answer the client then got.
    writes: u64,
    /// Applied writes whose connection was then closed without an answer.
    lost_replies: u64,
    /// Applied writes then answered 502 or 504.
    late_errors: u64,
    /// Times every Condeco token was revoked (fault `token_revoke_rate`).
    tokens_revoked: u64,
    by_route: BTreeMap<String, u64>,
    by_status: BTreeMap<String, u64>,
}

/// The fault settings and counters of one simulator.
pub(super) struct Control {
    pub(super) api: Api,
    initial_faults: Faults,
    faults: RwLock<Faults>,
    stats: Mutex<Stats>,
    in_flight: AtomicUsize,
    /// (quota period number since the epoch, calls in it) for the Condeco quota.
    quota_used: Mutex<(u64, u64)>,
    /// (epoch second, calls in it) for `max_per_second`.
    this_second: Mutex<(u64, u64)>,
    /// Where the faults are drawn from (seeded by `Faults::seed`).
    rng: Mutex<StdRng>,
}

/// A generator from `seed`, or from the system's entropy.
fn fault_rng(seed: Option<u64>) -> StdRng {
    seed.map_or_else(StdRng::from_os_rng, StdRng::seed_from_u64)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Control {
    pub(super) fn new(api: Api, faults: Faults) -> Control {
        let rng = Mutex::new(fault_rng(faults.seed));
        Control {
            rng,
            api,
            initial_faults: faults.clone(),
            faults: RwLock::new(faults),
            stats: Mutex::new(Stats::default()),
            in_flight: AtomicUsize::new(0),
            quota_used: Mutex::new((0, 0)),
            this_second: Mutex::new((0, 0)),
        }
    }

    pub(super) fn faults(&self) -> Faults {
        self.faults
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn set_faults(&self, faults: Faults) {
        *lock(&self.rng) = fault_rng(faults.seed);
        *self
            .faults
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = faults;
    }

    fn reset(&self) {
        self.set_faults(self.initial_faults.clone());
        *lock(&self.stats) = Stats::default();
        *lock(&self.quota_used) = (0, 0);
        *lock(&self.this_second) = (0, 0);
    }

    fn record(&self, route: String, status: String, write: WriteOutcome) {
        let mut stats = lock(&self.stats);
        stats.requests += 1;
        stats.writes += u64::from(write != WriteOutcome::None);
        stats.lost_replies += u64::from(write == WriteOutcome::LostReply);
        stats.late_errors += u64::from(write == WriteOutcome::LateError);
        *stats.by_route.entry(route).or_default() += 1;
        *stats.by_status.entry(status).or_default() += 1;
    }

    /// The answer a fault gives instead of the API, if any (checked in this order: dropped
    /// connection, quota, concurrency, per-second limit, 429 share, error share, refused
    /// credentials).
    fn fault(&self, faults: &Faults, in_flight: usize) -> Option<Response> {
        let mut guard = lock(&self.rng);
        let rng = &mut *guard;
        if chance(rng, faults.drop_rate) {
            return Some(dropped());
        }
        if self.api == Api::Condeco
            && let Some(quota) = faults.quota
            && let Some(wait) = self.over_quota(quota, faults.quota_period_secs)
        {
            return Some(quota_exceeded(wait));
        }
        if faults.max_concurrent.is_some_and(|max| in_flight > max) {
            return Some(self.too_many("too many concurrent requests", faults.retry_after_date));
        }
        if let Some(max) = faults.max_per_second
            && self.over_per_second(max)
        {
            return Some(self.too_many("too many requests this second", faults.retry_after_date));
        }
        if chance(rng, faults.rate_limit) {
            return Some(self.too_many("rate limit exceeded", faults.retry_after_date));
        }
        if chance(rng, faults.error_rate) {
            let status = either(
                rng,
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::SERVICE_UNAVAILABLE,
            );
            return Some(self.error(status, "simulated server error"));
        }
        if faults.deny_credentials {
            let message = "Access denied due to invalid subscription key or credentials.";
            return Some(self.error(StatusCode::UNAUTHORIZED, message));
        }
        None
    }

    /// What a fault makes of a write the API has applied: its answer lost (the connection
    /// closed) or replaced by a 502/504, as a gateway in front of a slow server answers; `None`
    /// keeps the API's answer.
    fn after_write(&self, faults: &Faults) -> Option<(Response, WriteOutcome)> {
        let mut guard = lock(&self.rng);
        let rng = &mut *guard;
        if chance(rng, faults.lost_reply_rate) {
            return Some((dropped(), WriteOutcome::LostReply));
        }
        if chance(rng, faults.late_error_rate) {
            let status = either(rng, StatusCode::BAD_GATEWAY, StatusCode::GATEWAY_TIMEOUT);
            let message = "simulated gateway error: the write was applied, its answer was lost";
            return Some((self.error(status, message), WriteOutcome::LateError));
        }
        None
    }

    /// Count one call against the quota of this period (a UTC day unless `period_secs` says
    /// otherwise); `Some(time until it renews)` when past it.
    fn over_quota(&self, quota: u64, period_secs: Option<u64>) -> Option<Duration> {
        let period = period_secs.unwrap_or(86_400).max(1);
        let now = epoch_secs();
        let current = now / period;
        let mut used = lock(&self.quota_used);
        if used.0 != current {
            *used = (current, 0);
        }
        used.1 += 1;
        (used.1 > quota).then(|| Duration::from_secs((current + 1) * period - now))
    }

    /// Whether every Condeco token is revoked before this request (fault
    /// `token_revoke_rate`); counted in the stats when it is.
    fn revokes_tokens(&self, faults: &Faults) -> bool {
        let revoke =
            self.api == Api::Condeco && chance(&mut *lock(&self.rng), faults.token_revoke_rate);
        if revoke {
            lock(&self.stats).tokens_revoked += 1;
        }
        revoke
    }

    fn over_per_second(&self, max: u64) -> bool {
        let now = epoch_secs();
        let mut window = lock(&self.this_second);
        if window.0 != now {
            *window = (now, 0);
        }
        window.1 += 1;
        window.1 > max
    }

    /// 429, asking to wait a second: as "1", or as the HTTP date a second from now.
    fn too_many(&self, message: &str, as_date: bool) -> Response {
        let mut response = self.error(StatusCode::TOO_MANY_REQUESTS, message);
        let wait = if as_date {
            let when = SystemTime::now() + Duration::from_secs(1);
            HeaderValue::from_str(&httpdate::fmt_http_date(when))
                .unwrap_or(HeaderValue::from_static("1"))
        } else {
            HeaderValue::from_static("1")
        };
        response.headers_mut().insert(header::RETRY_AFTER, wait);
        response
    }

    /// An error in this API's style: Condeco answers JSON `{"message"}`, Eptura's body is not
    /// reliable (HTML for server errors, plain text otherwise).
    pub(super) fn error(&self, status: StatusCode, message: &str) -> Response {
        match self.api {
            Api::Condeco => condeco_error(status, message),
            Api::Eptura => eptura_error(status, message),
        }
    }
}

/// What became of a request as a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteOutcome {
    /// Not a write, or one the API refused.
    None,
    /// Applied and answered by the API.
    Answered,
    /// Applied, then the connection closed without an answer.
    LostReply,
    /// Applied, then answered 502 or 504.
    LateError,
}

/// True with probability `share` (0 never draws).
fn chance(rng: &mut impl Rng, share: f64) -> bool {
    share > 0.0 && rng.random_bool(share.min(1.0))
}

/// One of two statuses, evenly.
fn either(rng: &mut impl Rng, one: StatusCode, other: StatusCode) -> StatusCode {
    if rng.random_bool(0.5) { one } else { other }
}

/// A response that makes the server close the connection without answering.
fn dropped() -> Response {
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(DropConnection);
    response
}

fn is_dropped(response: &Response) -> bool {
    response.extensions().get::<DropConnection>().is_some()
}

/// Condeco's error: status plus `{"message": ...}`.
pub(super) fn condeco_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// Eptura's error: a status with a body nobody should parse.
pub(super) fn eptura_error(status: StatusCode, message: &str) -> Response {
    if status.is_server_error() {
        let page = format!("<html><body><h1>{}</h1></body></html>", status.as_u16());
        (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::NOT_FOUND {
        status.into_response()
    } else {
        (status, message.to_string()).into_response()
    }
}

fn quota_exceeded(wait: Duration) -> Response {
    let secs = wait.as_secs();
    let message = format!(
        "Out of call volume quota. Quota will be replenished in {:02}:{:02}:{:02}.",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    let mut response = condeco_error(StatusCode::FORBIDDEN, &message);
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

pub(super) fn epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub(super) fn epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What the routers of both simulators hold.
#[derive(Clone)]
pub(super) struct Sim {
    pub(super) world: Arc<World>,
    pub(super) control: Arc<Control>,
}

/// Counts the request in flight for as long as it lives.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The middleware around every API route: faults, then the route, then stats and saving.
pub(super) async fn around_api(State(sim): State<Sim>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/__sim/") {
        return next.run(request).await;
    }
    let control = &sim.control;
    let method = request.method().clone();
    let route = route_template(control.api, &method, request.uri().path());
    let in_flight = control.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    let _guard = InFlight(&control.in_flight);
    let faults = control.faults();

    let write_route = matches!(method, Method::POST | Method::PUT | Method::DELETE)
        && !route.ends_with(" /token");

    let (response, write) = match control.fault(&faults, in_flight) {
        Some(response) => (response, WriteOutcome::None),
        None => {
            if control.revokes_tokens(&faults) {
                sim.world.revoke_condeco_tokens();
            }
            if let Some((low, high)) = faults.latency_ms {
                let wait = rand::rng().random_range(low.min(high)..=high.max(low));
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            let response = next.run(request).await;
            if write_route && response.status().is_success() {
                control
                    .after_write(&faults)
                    .unwrap_or((response, WriteOutcome::Answered))
            } else {
                (response, WriteOutcome::None)
            }
        }
    };

    let status = if is_dropped(&response) {
        "dropped".to_string()
    } else {
        response.status().as_u16().to_string()
    };
    control.record(route, status, write);
    if write != WriteOutcome::None {
        sim.world.save();
    }
    response
}

/// "GET /buildings/{id}": the method and path with ids replaced, and Condeco's
/// `/{client}/api/V1` prefix and Eptura's `/external/api/rest/v2` prefix removed.
fn route_template(api: Api, method: &Method, path: &str) -> String {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let prefix = match api {
        Api::Eptura => 4,
        Api::Condeco => 3,
    };
    if segments.len() >= prefix {
        segments.drain(..prefix);
    }
    let mut out = String::from(method.as_str());
    out.push(' ');
    let mut previous = "";
    for segment in &segments {
        out.push('/');
        if segment.parse::<i64>().is_ok() {
            out.push_str(if previous == "floors" && api == Api::Condeco {
                "{floorNumber}"
            } else {
                "{id}"
            });
        } else {
            out.push_str(segment);
        }
        previous = segment;
    }
    if segments.is_empty() {
        out.push('/');
    }
    out
}

/// `/__sim/stats`, `/__sim/faults` and `/__sim/reset`; the caller adds `/__sim/state`.
pub(super) fn control_routes() -> axum::Router<Sim> {
    axum::Router::new()
        .route("/__sim/stats", get(stats))
        .route("/__sim/faults", get(get_faults).post(post_faults))
        .route("/__sim/reset", post(reset))
}

async fn stats(State(sim): State<Sim>) -> Json<Stats> {
    Json(lock(&sim.control.stats).clone())
}

async fn get_faults(State(sim): State<Sim>) -> Json<Faults> {
    Json(sim.control.faults())
}

/// Merge the fields sent into the current faults.
async fn post_faults(State(sim): State<Sim>, body: axum::body::Bytes) -> Response {
    let control = &sim.control;
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(Value::Object(patch)) => Value::Object(patch),
        _ => {
            let message = "send a JSON object of fault settings, e.g. {\"error_rate\": 0.1}";
            return condeco_error(StatusCode::BAD_REQUEST, message);
        }
    };
    let mut current = serde_json::to_value(control.faults()).unwrap_or_else(|_| json!({}));
    if let (Value::Object(current), Value::Object(patch)) = (&mut current, patch) {
        current.extend(patch);
    }
    match serde_json::from_value::<Faults>(current) {
        Ok(faults) if valid_shares(&faults) => {
            control.set_faults(faults.clone());
            Json(faults).into_response()
        }
        Ok(_) => condeco_error(
            StatusCode::BAD_REQUEST,
            "error_rate, rate_limit, drop_rate, lost_reply_rate, late_error_rate and \
             token_revoke_rate are shares between 0 and 1",
        ),
        Err(e) => condeco_error(StatusCode::BAD_REQUEST, &format!("bad fault settings: {e}")),
    }
}

fn valid_shares(faults: &Faults) -> bool {
    [
        faults.error_rate,
        faults.rate_limit,
        faults.drop_rate,
        faults.lost_reply_rate,
        faults.late_error_rate,
        faults.token_revoke_rate,
    ]
    .iter()
    .all(|share| (0.0..=1.0).contains(share))
}

/// Back to the scenario's data, the starting faults and zero counts, for this API only.
async fn reset(State(sim): State<Sim>) -> Response {
    sim.control.reset();
    match sim.control.api {
        Api::Eptura => sim.world.reset_eptura(),
        Api::Condeco => sim.world.reset_condeco(),
    }
    Json(json!({ "reset": true })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_templates_replace_ids_and_prefixes() {
        let t = |api, m: &Method, p| route_template(api, m, p);
        assert_eq!(
            t(
                Api::Eptura,
                &Method::GET,
                "/external/api/rest/v2/buildings/42"
            ),
            "GET /buildings/{id}"
        );
        assert_eq!(
            t(
                Api::Eptura,
                &Method::POST,
                "/external/api/rest/v2/rooms/types"
            ),
            "POST /rooms/types"
        );
        assert_eq!(
            t(
                Api::Condeco,
                &Method::PUT,
                "/acme/api/V1/locations/3/floors/-1"
            ),
            "PUT /locations/{id}/floors/{floorNumber}"
        );
    }

    #[test]
    fn quota_counts_calls_per_day() {
        let control = Control::new(Api::Condeco, Faults::default());
        assert!(control.over_quota(2, None).is_none());
        assert!(control.over_quota(2, None).is_none());
        let wait = control
            .over_quota(2, None)
            .expect("third call is over a quota of 2");
        assert!(wait <= Duration::from_secs(86_400));
    }

    #[test]
    fn a_quota_period_renews_the_quota_within_that_period() {
        let control = Control::new(Api::Condeco, Faults::default());
        assert!(control.over_quota(1, Some(600)).is_none());
        let wait = control
            .over_quota(1, Some(600))
            .expect("second call is over a quota of 1");
        assert!(
            (Duration::from_secs(1)..=Duration::from_secs(600)).contains(&wait),
            "renews within the period, not at midnight: {wait:?}"
        );
    }

    #[test]
    fn only_condeco_revokes_tokens() {
        let all = Faults {
            token_revoke_rate: 1.0,
            ..Faults::default()
        };
        assert!(Control::new(Api::Condeco, all.clone()).revokes_tokens(&all));
        assert!(!Control::new(Api::Eptura, all.clone()).revokes_tokens(&all));
        let none = Faults::default();
        assert!(!Control::new(Api::Condeco, none.clone()).revokes_tokens(&none));
    }
}
