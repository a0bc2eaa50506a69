//! Chaos runs of the sync (issue 13 C): for many seeds, an initial and a daily sync of
//! `large:N` under a random mix of both simulators' faults, each run again until it succeeds,
//! then Condeco as Eptura says, no duplicate, every mapping live (the driver and its checks are
//! `support/chaos.rs`, shared with `examples/chaos_soak.rs`). `SPACEBRIDGE_CHAOS_SEEDS` runs
//! more seeds, a range or a list; a failure names its seed and how to replay it.

use std::collections::BTreeMap;

use futures_util::StreamExt;

use crate::support::chaos::{run_seed_caught, seeds_from_env};

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
