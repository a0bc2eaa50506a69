//! Chaos runs of the sync (issue 13 C): for many seeds, an initial and a daily sync of
//! `large:N` under a random mix of both simulators' faults, each run again until it succeeds,
//! then Condeco as Eptura says, no duplicate, every mapping live (the driver and its checks are
//! `support/chaos.rs`, shared with `examples/chaos_soak.rs`). `SPACEBRIDGE_CHAOS_SEEDS` runs
//! more seeds, a range or a list; a failure names its seed and how to replay it. Beside it, the
//! quota's two cases one at a time: used up while reading (the run pauses) and renewing later
//! than the run may wait (it ends resumable, and the next run finishes it).

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use spacebridge::sim::{Faults, Scenario};
use spacebridge::sync::apply::Control;
use spacebridge::sync::{Event, EventSink, PlanOptions, SyncReport, SyncSettings};

use crate::support::chaos::{run_seed_caught, seeds_from_env};
use crate::support::syncing::{assert_condeco_matches, settings, writes};
use crate::support::{Side, spawn_sims};

/// Spaces per seed: two buildings (500 spaces a building), so two countries.
const SPACES: usize = 600;
/// Seeds run by default: every kind of fault fires among them.
const SEEDS: u64 = 6;
/// Seeds run at once: a run mostly waits (latency, `Retry-After`, backoff), not computes.
const AT_ONCE: usize = 3;

#[tokio::test(flavor = "multi_thread")]
async fn syncs_under_random_faults_end_as_eptura_says_without_duplicates_and_every_mapping_live() {
    let outcomes: Vec<_> = futures_util::stream::iter(seeds_from_env(SEEDS))
        .map(|seed| run_seed_caught(seed, SPACES))
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut fired: BTreeMap<&str, u64> = BTreeMap::new();
    let mut broken = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(report) => {
                eprintln!(
                    "seed {}: {:?}, runs {:?}, {:.1}s, fired {:?}",
                    report.seed,
                    report.kinds,
                    report.tries,
                    report.elapsed.as_secs_f64(),
                    report.fired
                );
                for (kind, n) in report.fired {
                    *fired.entry(kind).or_default() += n;
                }
            }
            Err(message) => broken.push(message),
        }
    }
    eprintln!("faults fired: {fired:?}");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    for kind in [
        "5xx",
        "429",
        "drop",
        "lost reply",
        "late error",
        "quota",
        "token fetched",
    ] {
        assert!(fired.contains_key(kind), "no {kind} fired: {fired:?}");
    }
}

/// A sync with `settings` to its end, and every event it sent.
async fn run_with_events(settings: &SyncSettings) -> (SyncReport, Vec<Event>) {
    let (sink, mut events) = EventSink::channel();
    let (control, _pause) = Control::detached();
    let report = spacebridge::sync::run(settings, &sink, &control)
        .await
        .expect("the run starts");
    drop(sink);
    let mut seen = Vec::new();
    while let Some(event) = events.recv().await {
        seen.push(event);
    }
    (report, seen)
}

#[tokio::test]
async fn a_quota_used_up_while_reading_condeco_pauses_the_run_until_it_renews() {
    // Four calls a second: the token and the first reads of Condeco use it up.
    let faults = Faults {
        quota: Some(4),
        quota_period_secs: Some(1),
        ..Faults::default()
    };
    let sims = spawn_sims(Scenario::Large(5), faults).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(
        &sims,
        dir.path().join("store.sqlite"),
        PlanOptions::default(),
    );
    let (report, events) = run_with_events(&settings).await;
    assert_eq!(report.status, "succeeded", "{:?}", report.reason);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::QuotaPaused { .. })),
        "the run said it paused"
    );
    let stats = sims.stats(Side::Condeco).await;
    assert!(
        stats["by_status"]["403"].as_u64().unwrap_or(0) > 0,
        "{stats}"
    );
    assert_condeco_matches(&sims).await;
    sims.shutdown().await;
}

#[tokio::test]
async fn a_quota_renewing_later_than_allowed_ends_the_run_resumable_and_the_next_run_finishes() {
    // Enough for the token, the reads and a couple of writes; renewed at midnight UTC, later
    // than this run may wait.
    let faults = Faults {
        quota: Some(9),
        ..Faults::default()
    };
    let sims = spawn_sims(Scenario::Large(5), faults).await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings(
        &sims,
        dir.path().join("store.sqlite"),
        PlanOptions::default(),
    );
    settings.apply.max_quota_wait = Duration::ZERO;
    let (first, _) = run_with_events(&settings).await;
    assert_eq!(first.status, "failed");
    let reason = first.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("quota") && reason.contains("renews in"),
        "{reason}"
    );
    assert!(writes(&sims).await > 0, "it wrote what the quota allowed");

    sims.set_faults(Side::Condeco, json!({ "quota": null }))
        .await;
    let (second, _) = run_with_events(&settings).await;
    assert_eq!(second.status, "succeeded", "{:?}", second.reason);
    assert_eq!(
        second.kind.map(|k| k.to_string()).as_deref(),
        Some("resumed")
    );
    assert_condeco_matches(&sims).await;
    sims.shutdown().await;
}
