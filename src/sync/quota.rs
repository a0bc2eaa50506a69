//! Waiting out Condeco's call quota, the same way wherever a run calls Condeco (its reads,
//! writes and look-ups): a 403 quota answer that renews within the run's allowance pauses the
//! call (said with [`Event::QuotaPaused`]) and repeats it once renewed; one that renews later
//! is returned, and ends the run resumable. It does not decide what a call is or retries any
//! other error.

use std::future::Future;
use std::time::Duration;

use crate::condeco::CondecoError;

use super::events::{Event, EventSink};

/// How long a run may wait for the quota, and where it says so.
#[derive(Clone, Copy)]
pub struct QuotaWait<'a> {
    pub max_wait: Duration,
    pub events: &'a EventSink,
}

impl QuotaWait<'_> {
    /// Run `call`; while it answers the quota, wait for the renewal and call again, as long
    /// as each renewal is within `max_wait`.
    pub async fn call<T, F, Fut>(&self, call: F) -> Result<T, CondecoError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, CondecoError>>,
    {
        loop {
            match call().await {
                Err(CondecoError::QuotaExhausted {
                    renews_in: Some(wait),
                    ..
                }) if wait <= self.max_wait => {
                    self.events.send(Event::QuotaPaused { renews_in: wait });
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }
}
