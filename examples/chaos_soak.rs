//! The chaos soak (issue 13 C): `tests/it/chaos.rs` for minutes instead of six seeds.
//!
//! `cargo run --release --example chaos_soak [MINUTES] [SPACES] [FIRST_SEED] [AT_ONCE]`
//! (defaults 10, 600, 1, 4) runs seeds FIRST_SEED, FIRST_SEED+1, ... (AT_ONCE at a time) until
//! MINUTES have passed: for each, an initial and a daily sync of `large:SPACES` under the seed's
//! random mix of faults, each run again until it succeeds, then every invariant checked (the
//! driver is `tests/it/support/chaos.rs`). It prints each seed as it ends, then the seeds run,
//! the faults injected by kind, the runs each sync needed, why runs failed, and every broken
//! invariant with its seed. Exit 1 when an invariant broke.

#[allow(dead_code)]
#[path = "../tests/it/support/synced.rs"]
mod synced;

#[allow(dead_code)]
#[path = "../tests/it/support/chaos.rs"]
mod chaos;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

/// What the soak counts over all seeds.
#[derive(Default)]
struct Totals {
    seeds: u64,
    with_kind: BTreeMap<&'static str, u64>,
    fired: BTreeMap<&'static str, u64>,
    initial_runs: BTreeMap<usize, u64>,
    daily_runs: BTreeMap<usize, u64>,
    why_failed: BTreeMap<String, u64>,
    broken: Vec<String>,
}

impl Totals {
    fn add(&mut self, outcome: Result<chaos::SeedReport, String>) {
        self.seeds += 1;
        let report = match outcome {
            Ok(report) => report,
            Err(broken) => {
                println!("BROKEN {broken}");
                self.broken.push(broken);
                return;
            }
        };
        println!(
            "seed {}: runs {:?} in {:.1}s, {:?}",
            report.seed,
            report.tries,
            report.elapsed.as_secs_f64(),
            report.kinds
        );
        for kind in &report.kinds {
            *self.with_kind.entry(kind).or_default() += 1;
        }
        for (kind, n) in report.fired {
            *self.fired.entry(kind).or_default() += n;
        }
        *self.initial_runs.entry(report.tries[0]).or_default() += 1;
        *self.daily_runs.entry(report.tries[1]).or_default() += 1;
        for failure in report.failures {
            *self.why_failed.entry(gist(&failure)).or_default() += 1;
        }
    }

    fn print(&self, elapsed: Duration) {
        println!(
            "\n{} seeds in {:.1} minutes, {} broken",
            self.seeds,
            elapsed.as_secs_f64() / 60.0,
            self.broken.len()
        );
        println!("seeds with each kind of fault: {:?}", self.with_kind);
        println!("faults injected by kind: {:?}", self.fired);
        println!("runs the initial sync needed: {:?}", self.initial_runs);
        println!("runs the daily sync needed: {:?}", self.daily_runs);
        println!("why runs failed (then ran again):");
        for (why, n) in &self.why_failed {
            println!("  {n} × {why}");
        }
        for broken in &self.broken {
            println!("BROKEN {broken}");
        }
    }
}

/// A failure's reason without the ids and numbers that make each one different.
fn gist(reason: &str) -> String {
    let words: String = reason
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    words.chars().take(160).collect()
}

fn argument<T: std::str::FromStr>(position: usize, default: T) -> T {
    std::env::args()
        .nth(position)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let minutes: f64 = argument(1, 10.0);
    let spaces: usize = argument(2, 600);
    let first: u64 = argument(3, 1);
    let at_once: usize = argument(4, 4);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(minutes * 60.0);
    println!(
        "chaos soak: {minutes} minutes, large:{spaces}, seeds from {first}, {at_once} at once"
    );
    let mut totals = Totals::default();
    let mut outcomes =
        futures_util::stream::iter((first..).take_while(|_| Instant::now() < deadline))
            .map(|seed| chaos::run_seed_caught(seed, spaces))
            .buffer_unordered(at_once.max(1));
    while let Some(outcome) = outcomes.next().await {
        totals.add(outcome);
    }
    totals.print(started.elapsed());
    if totals.broken.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
