//! When to try again: exponential backoff with full jitter, and the server's `Retry-After`
//! (seconds or an HTTP date). Pure functions of their inputs plus a random draw.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Full jitter: a uniform draw in `[0, min(cap, base · 2^attempt)]` (attempt counts from 0).
pub fn full_jitter(base: Duration, cap: Duration, attempt: u32) -> Duration {
    let ceiling = exponential(base, cap, attempt);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(0..=millis))
}

/// `min(cap, base · 2^attempt)` without overflow.
pub fn exponential(base: Duration, cap: Duration, attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt.min(30)).unwrap_or(u32::MAX);
    base.checked_mul(factor).unwrap_or(cap).min(cap)
}

/// The longest wait a server may ask for and be believed: a day. Anything longer (a
/// `Retry-After` of 2^64 seconds, a token living for ever) is taken as this, so no arithmetic
/// on instants can overflow and the caller's own "longer than allowed" check still applies.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// A server-given duration, at most [`MAX_SERVER_WAIT`].
pub fn clamp_server_wait(wait: Duration) -> Duration {
    wait.min(MAX_SERVER_WAIT)
}

/// The delay a `Retry-After` header asks for, from `now`: delta-seconds ("120") or an HTTP
/// date ("Wed, 21 Oct 2026 07:28:00 GMT"; a date in the past means zero). `None` when the
/// header is absent or unreadable.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(clamp_server_wait(Duration::from_secs(seconds)));
    }
    if let Ok(seconds) = text.parse::<f64>()
        && seconds.is_finite()
        && seconds >= 0.0
    {
        let capped = seconds.min(MAX_SERVER_WAIT.as_secs_f64());
        return Some(Duration::from_secs_f64(capped));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(clamp_server_wait(
        when.duration_since(now).unwrap_or(Duration::ZERO),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn absurd_retry_afters_are_clamped_to_a_day_not_a_panic() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for absurd in [
            "18446744073709551615",
            "1e30",
            "9999999999999",
            "1.7976931348623157e308",
        ] {
            assert_eq!(
                retry_after(&headers(absurd), now),
                Some(MAX_SERVER_WAIT),
                "{absurd}"
            );
        }
        assert_eq!(
            retry_after(&headers("Fri, 31 Dec 9999 23:59:59 GMT"), now),
            Some(MAX_SERVER_WAIT)
        );
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(
            retry_after(&headers("7"), now),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            retry_after(&headers(&later), now),
            Some(Duration::from_secs(90))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(retry_after(&headers(&earlier), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        assert_eq!(exponential(base, cap, 0), base);
        assert_eq!(exponential(base, cap, 3), Duration::from_millis(800));
        assert_eq!(exponential(base, cap, 10), cap);
        assert_eq!(exponential(base, cap, 400), cap);
        for attempt in 0..8 {
            assert!(full_jitter(base, cap, attempt) <= exponential(base, cap, attempt));
        }
    }
}
