//! The limiters both clients share, none of which knows about HTTP:
//! - [`Pacer`]: when the next request may start. A hard cap (`--max-rate`, a token bucket) and
//!   a learned rate found from the server's 429s: cut to a little under the rate that was
//!   getting through, then grown by about 2 % a second, never below a quarter of the best rate
//!   seen (so 429s that have nothing to do with the rate, as a flaky gateway's, cannot pace
//!   the client down to nothing).
//! - [`Aimd`]: an additive-increase / multiplicative-decrease concurrency limit. It halves
//!   once per window (a burst of 429s to requests sent before the cut counts once, not once
//!   per answer) and grows back by one after a window of successes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How far back the pacer counts successes to learn the rate that gets through.
const RATE_WINDOW: Duration = Duration::from_secs(1);
/// Share of the measured rate kept after a throttled burst.
const RATE_BACKOFF: f64 = 0.95;
/// Growth of the learned rate per success, as a share of one request per second: at any rate
/// this is about 2 % a second.
const RATE_GROWTH_PER_SUCCESS: f64 = 0.02;
/// Below this the learned rate does not go (requests per second).
const MIN_RATE: f64 = 0.5;
/// Nor below this share of the best rate measured.
const PEAK_FLOOR: f64 = 0.25;
/// Fewer successes than this in the window say too little about the server's rate: a 429
/// then cuts only the concurrency.
const MIN_EVIDENCE: usize = 20;

/// Decides when a request may start.
#[derive(Debug)]
pub struct Pacer {
    cap: Option<f64>,
    burst: f64,
    adaptive: bool,
    state: Mutex<PacerState>,
}

#[derive(Debug)]
struct PacerState {
    /// The learned rate; `None` until the server first throttles.
    learned: Option<f64>,
    tokens: f64,
    refilled: Instant,
    /// When the successes in the last [`RATE_WINDOW`] were counted.
    successes: VecDeque<Instant>,
    first_success: Option<Instant>,
    /// The best rate measured at a throttle.
    peak: f64,
}

impl Pacer {
    /// `cap`: most requests per second whatever the server allows (`None`: no cap); `burst`:
    /// how many may start at once under the cap; `adaptive`: learn the rate from 429s.
    pub fn new(cap: Option<f64>, burst: u32, adaptive: bool) -> Self {
        let burst = f64::from(burst.max(1));
        Pacer {
            cap: cap
                .filter(|r| r.is_finite() && *r > 0.0)
                .map(|r| r.max(0.001)),
            burst,
            adaptive,
            state: Mutex::new(PacerState {
                learned: None,
                tokens: burst,
                refilled: Instant::now(),
                successes: VecDeque::new(),
                first_success: None,
                peak: 0.0,
            }),
        }
    }

    /// The rate requests are paced at now, if any.
    pub fn rate(&self) -> Option<f64> {
        self.effective_rate(&lock(&self.state))
    }

    fn effective_rate(&self, state: &PacerState) -> Option<f64> {
        match (self.cap, state.learned) {
            (Some(cap), Some(learned)) => Some(cap.min(learned)),
            (cap, learned) => cap.or(learned),
        }
    }

    /// Wait until a request may start, and count it.
    pub async fn acquire(&self) {
        loop {
            let wait = self.try_take(Instant::now());
            match wait {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Take a slot now (`None`) or say how long to wait.
    fn try_take(&self, now: Instant) -> Option<Duration> {
        let mut state = lock(&self.state);
        // Not paced (no cap, nothing learned yet): start now.
        let rate = self.effective_rate(&state)?;
        let burst = self.burst.min((rate / 20.0).max(1.0));
        let refill = now.duration_since(state.refilled).as_secs_f64() * rate;
        state.tokens = (state.tokens + refill).min(burst);
        state.refilled = now;
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            return None;
        }
        Some(Duration::from_secs_f64((1.0 - state.tokens) / rate))
    }

    /// A request got through: remember it, and let the learned rate grow.
    pub fn on_success(&self) {
        self.on_success_at(Instant::now());
    }

    fn on_success_at(&self, now: Instant) {
        let mut state = lock(&self.state);
        state.first_success.get_or_insert(now);
        state.successes.push_back(now);
        while state
            .successes
            .front()
            .is_some_and(|t| now.duration_since(*t) > RATE_WINDOW)
        {
            state.successes.pop_front();
        }
        if let Some(learned) = state.learned.as_mut() {
            *learned += RATE_GROWTH_PER_SUCCESS;
        }
    }

    /// A new burst of 429s (once per window, see [`Aimd::on_throttled`]): pace at a little
    /// under the rate that was getting through.
    pub fn on_throttled(&self) {
        self.on_throttled_at(Instant::now());
    }

    fn on_throttled_at(&self, now: Instant) {
        if !self.adaptive {
            return;
        }
        let mut state = lock(&self.state);
        let recent = state
            .successes
            .iter()
            .filter(|t| now.duration_since(**t) <= RATE_WINDOW)
            .count();
        if recent < MIN_EVIDENCE {
            return;
        }
        let recent = recent as f64;
        // Over the last window, or since the first success when that is more recent.
        let span = state
            .first_success
            .map_or(RATE_WINDOW, |first| {
                now.duration_since(first).min(RATE_WINDOW)
            })
            .max(Duration::from_millis(50));
        let measured = recent / span.as_secs_f64();
        state.peak = state.peak.max(measured);
        let previous = state.learned.unwrap_or(f64::INFINITY);
        let floor = (state.peak * PEAK_FLOOR).max(MIN_RATE);
        state.learned = Some((measured * RATE_BACKOFF).min(previous).max(floor));
        state.tokens = state.tokens.min(1.0);
    }
}

/// Additive-increase / multiplicative-decrease concurrency limit.
#[derive(Debug)]
pub struct Aimd {
    max: usize,
    state: Mutex<AimdState>,
    notify: Notify,
}

#[derive(Debug)]
struct AimdState {
    limit: usize,
    in_flight: usize,
    successes: usize,
    /// Counts the cuts: a permit remembers the window it was taken in.
    window: u64,
}

/// Held while a request is in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct AimdPermit {
    owner: Arc<Aimd>,
    window: u64,
}

impl AimdPermit {
    /// The window (number of cuts so far) this permit was taken in.
    pub fn window(&self) -> u64 {
        self.window
    }
}

/// What a throttled answer did to the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The request was sent before the last cut: that cut already answered this burst.
    SameBurst,
    /// A new burst: the limit was halved.
    Halved,
}

impl Aimd {
    /// Starts at `max` (the most requests ever in flight at once).
    pub fn new(max: usize) -> Arc<Self> {
        let max = max.max(1);
        Arc::new(Aimd {
            max,
            state: Mutex::new(AimdState {
                limit: max,
                in_flight: 0,
                successes: 0,
                window: 0,
            }),
            notify: Notify::new(),
        })
    }

    pub fn limit(&self) -> usize {
        lock(&self.state).limit
    }

    pub fn in_flight(&self) -> usize {
        lock(&self.state).in_flight
    }

    /// Wait for a free slot under the current limit.
    pub async fn acquire(self: &Arc<Self>) -> AimdPermit {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = lock(&self.state);
                if state.in_flight < state.limit {
                    state.in_flight += 1;
                    return AimdPermit {
                        owner: Arc::clone(self),
                        window: state.window,
                    };
                }
            }
            notified.await;
        }
    }

    /// The server said "too many" to a request sent in `window`: halve the limit (never below
    /// one), once per window.
    pub fn on_throttled(&self, window: u64) -> Cut {
        let mut state = lock(&self.state);
        if window < state.window {
            return Cut::SameBurst;
        }
        state.limit = (state.limit / 2).max(1);
        state.successes = 0;
        state.window += 1;
        Cut::Halved
    }

    /// A request succeeded: after `limit` successes the limit grows by one.
    pub fn on_success(&self) {
        let mut state = lock(&self.state);
        if state.limit >= self.max {
            return;
        }
        state.successes += 1;
        if state.successes >= state.limit {
            state.limit += 1;
            state.successes = 0;
            drop(state);
            self.notify.notify_waiters();
        }
    }
}

impl Drop for AimdPermit {
    fn drop(&mut self) {
        lock(&self.owner.state).in_flight -= 1;
        self.owner.notify.notify_waiters();
    }
}

/// A poisoned lock only means another task panicked mid-update of plain counters: keep going.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn aimd_halves_once_per_burst_and_grows_back_by_one_per_window() {
        let aimd = Aimd::new(8);
        let permits: Vec<_> = futures_util::future::join_all((0..8).map(|_| aimd.acquire())).await;
        let windows: Vec<u64> = permits.iter().map(AimdPermit::window).collect();
        drop(permits);
        // Eight throttled answers to requests sent together: one cut, not three.
        let cuts: Vec<Cut> = windows.iter().map(|w| aimd.on_throttled(*w)).collect();
        assert_eq!(cuts[0], Cut::Halved);
        assert!(cuts[1..].iter().all(|c| *c == Cut::SameBurst), "{cuts:?}");
        assert_eq!(aimd.limit(), 4);
        // A request sent after the cut and throttled again cuts again.
        let later = aimd.acquire().await.window();
        assert_eq!(aimd.on_throttled(later), Cut::Halved);
        assert_eq!(aimd.limit(), 2);
        aimd.on_success();
        assert_eq!(aimd.limit(), 2);
        aimd.on_success();
        assert_eq!(aimd.limit(), 3);
        for _ in 0..100 {
            aimd.on_success();
        }
        assert_eq!(aimd.limit(), 8);
    }

    #[tokio::test]
    async fn aimd_never_lets_more_than_the_limit_through() {
        let aimd = Aimd::new(2);
        let a = aimd.acquire().await;
        let _b = aimd.acquire().await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), aimd.acquire()).await;
        assert!(waiting.is_err(), "a third permit was granted at limit 2");
        drop(a);
        let c = tokio::time::timeout(Duration::from_millis(500), aimd.acquire()).await;
        assert!(c.is_ok());
        assert_eq!(aimd.in_flight(), 2);
    }

    #[tokio::test]
    async fn a_capped_pacer_paces_requests() {
        let pacer = Pacer::new(Some(50.0), 1, true);
        let start = Instant::now();
        for _ in 0..6 {
            pacer.acquire().await;
        }
        // One at once, then five at 20 ms each.
        assert!(
            start.elapsed() >= Duration::from_millis(90),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn an_uncapped_pacer_learns_the_rate_that_got_through_and_grows_it() {
        let pacer = Pacer::new(None, 1, true);
        assert_eq!(pacer.rate(), None, "no pacing before the server throttles");
        for _ in 0..MIN_EVIDENCE - 1 {
            pacer.on_success();
        }
        pacer.on_throttled();
        assert_eq!(pacer.rate(), None, "too few successes to learn from");
        for _ in MIN_EVIDENCE..100 {
            pacer.on_success();
        }
        pacer.on_throttled();
        let learned = pacer.rate().unwrap_or(0.0);
        // 100 successes within (at most) 50 ms of the first: at least 100 requests/s got
        // through; the learned rate is a little under what was measured.
        assert!(learned >= 100.0 * RATE_BACKOFF, "{learned}");
        for _ in 0..50 {
            pacer.on_success();
        }
        let grown = pacer.rate().unwrap_or(0.0);
        assert!((grown - learned - 50.0 * RATE_GROWTH_PER_SUCCESS).abs() < 1e-9);
        // The cap wins over what was learned.
        let capped = Pacer::new(Some(10.0), 1, true);
        for _ in 0..100 {
            capped.on_success();
        }
        capped.on_throttled();
        assert_eq!(capped.rate(), Some(10.0));
    }

    #[test]
    fn throttles_unrelated_to_the_rate_never_pace_below_a_quarter_of_the_best_rate() {
        let pacer = Pacer::new(None, 1, true);
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        for i in 0..200 {
            pacer.on_success_at(at(i * 5));
        }
        pacer.on_throttled_at(at(1000));
        let first = pacer.rate().unwrap_or(0.0);
        assert!((first - 200.0 * RATE_BACKOFF).abs() < 1.0, "{first}");
        // A flaky server goes on throttling a few requests a second, whatever the pace.
        for second in 2..60 {
            for i in 0..30 {
                pacer.on_success_at(at(second * 1000 + i * 30));
            }
            pacer.on_throttled_at(at(second * 1000 + 950));
        }
        let after = pacer.rate().unwrap_or(0.0);
        assert!(after >= 200.0 * PEAK_FLOOR, "{first} → {after}");
        assert!(after < first, "it did slow down: {after}");
    }
}
