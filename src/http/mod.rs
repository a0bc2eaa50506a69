//! What both API clients share: timeouts, retry with exponential backoff and jitter,
//! `Retry-After`, request rate limiting and AIMD concurrency. Knows nothing of either API.
//! Not yet built: see issue 3.
