//! Two limiters both clients share: a token bucket for the request rate, and an AIMD
//! concurrency limit that halves on every 429 and grows back by one after a window of
//! successes (one success per permit of the current limit). Neither knows about HTTP.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// A token bucket: `rate` tokens per second, holding at most `burst`.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub fn new(rate_per_second: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate: rate_per_second.max(0.001),
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Wait until a token is available and take it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = lock(&self.state);
                let now = Instant::now();
                let refill = now.duration_since(state.1).as_secs_f64() * self.rate;
                state.0 = (state.0 + refill).min(self.burst);
                state.1 = now;
                if state.0 >= 1.0 {
                    state.0 -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - state.0) / self.rate)
            };
            tokio::time::sleep(wait).await;
        }
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
}

/// Held while a request is in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct AimdPermit {
    owner: Arc<Aimd>,
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
                    };
                }
            }
            notified.await;
        }
    }

    /// The server said "too many": halve the limit (never below one).
    pub fn on_throttled(&self) {
        let mut state = lock(&self.state);
        state.limit = (state.limit / 2).max(1);
        state.successes = 0;
    }

    /// A request succeeded: after `limit` successes in a row the limit grows by one.
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
    async fn aimd_halves_on_throttle_and_grows_back_by_one_per_window() {
        let aimd = Aimd::new(8);
        aimd.on_throttled();
        assert_eq!(aimd.limit(), 4);
        aimd.on_throttled();
        aimd.on_throttled();
        aimd.on_throttled();
        assert_eq!(aimd.limit(), 1);
        aimd.on_success();
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
    async fn token_bucket_paces_requests() {
        let bucket = TokenBucket::new(50.0, 1);
        let start = Instant::now();
        for _ in 0..6 {
            bucket.acquire().await;
        }
        // One token at once, then five at 20 ms each.
        assert!(
            start.elapsed() >= Duration::from_millis(90),
            "{:?}",
            start.elapsed()
        );
    }
}
