//! The sync benchmark of issue 8: one initial sync of N generated spaces into an empty Condeco,
//! both simulators in-process on loopback. Condeco answers after 20 ms and allows 500 requests
//! a second (429 with `Retry-After: 1` beyond); Eptura has no rate limit and answers after
//! 20 ms too (or after EPTURA_LATENCY_MS: 0 for none). The clients use the production HTTP defaults (`HttpConfig::default()`), so the pace
//! is what the HTTP layer learns from Condeco's 429s.
//!
//! Printed: wall time (and the read/plan and apply phases), Condeco requests, entities created,
//! Condeco calls per created entity, the Condeco request rate against the 500/s limit, the 429s
//! seen and the peak memory of the process (VmHWM; the simulators' data included).
//!
//! With CHANGED_PERCENT, the daily benchmark of issue 9 follows: that share of the spaces is
//! renamed in Eptura (one in five also gets a new capacity), a daily run syncs the changes, and
//! a second daily run finds nothing to do. Printed for each: its Eptura and Condeco calls beside
//! the bound (changes + listing pages + a few), its wall time beside the time those calls take
//! at the limits (Condeco's calls at 500/s; Eptura's pages one after another at its latency, as
//! its documentation asks), and its Condeco writes.
//!
//! `cargo run --release --example sync_bench [SPACES] [EPTURA_LATENCY_MS] [CHANGED_PERCENT]`
//! (default 100000, 20, no daily phase).

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use spacebridge::condeco::CondecoClient;
use spacebridge::domain::ids::EpturaSpaceId;
use spacebridge::eptura::{EpturaClient, Patch};
use spacebridge::http::HttpStats;
use spacebridge::sync::apply::{ApplyOptions, Control};
use spacebridge::sync::{Event, EventSink, PlanOptions, SyncSettings};

#[path = "support/large_sync.rs"]
mod large_sync;
#[path = "support/mem.rs"]
mod mem;

use large_sync::{CONDECO_LIMIT, Failure, LATENCY_MS};
use mem::peak_rss_kib;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    // RUST_LOG=spacebridge::sync=info shows how long each phase of a run takes.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut args = std::env::args().skip(1);
    let spaces: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(100_000);
    let eptura_latency: u64 = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(LATENCY_MS);
    let sims = large_sync::start(spaces, eptura_latency).await?;
    let store_dir = tempfile::tempdir()?;
    let settings = SyncSettings {
        eptura: large_sync::eptura(&sims.eptura_url)?,
        condeco: large_sync::condeco(&sims.condeco_url)?,
        store: store_dir.path().join("store.sqlite"),
        plan: PlanOptions::default(),
        apply: ApplyOptions::default(),
    };

    let (sink, events) = EventSink::channel();
    let watcher = tokio::spawn(watch_apply(events, settings.condeco.clone()));
    let (control, _pause) = Control::detached();
    let started = Instant::now();
    let report = spacebridge::sync::run(&settings, &sink, &control).await?;
    let wall = started.elapsed();
    drop(sink);
    let apply = watcher.await?;
    let condeco = settings.condeco.http().stats();

    let created: u64 = report.ops.create.values().sum();
    println!(
        "spaces: {spaces}; eptura latency {eptura_latency} ms; status: {}",
        report.status
    );
    if let Some(reason) = &report.reason {
        println!("reason: {reason}");
    }
    print_figures(wall, &apply, condeco, report.requests.eptura, created);
    if let Some(percent) = args.next().map(|p| p.parse::<f64>()).transpose()? {
        let changed = change_spaces(&settings.eptura, percent).await?;
        daily(&settings, &sims.condeco_url, changed, eptura_latency).await?;
        daily(&settings, &sims.condeco_url, 0, eptura_latency).await?;
    }
    sims.shutdown().await;
    Ok(())
}

/// Rename `percent` of the spaces (every fifth also gets a new capacity); how many changed.
async fn change_spaces(eptura: &EpturaClient, percent: f64) -> Result<u64, Failure> {
    let spaces = eptura.spaces(None, None).await?;
    let step = (100.0 / percent).round().max(1.0) as usize;
    let patches: Vec<(EpturaSpaceId, Patch)> = (spaces.iter().step_by(step).enumerate())
        .map(|(n, space)| {
            let patch = Patch {
                name: Some(format!("{} (renamed)", space.name)),
                capacity: (n % 5 == 0).then_some(space.capacity.unwrap_or(1) + 1),
                ..Patch::default()
            };
            (space.id, patch)
        })
        .collect();
    let changed = patches.len() as u64;
    let updates = patches
        .iter()
        .map(|(id, patch)| eptura.update_space(*id, patch));
    let results: Vec<_> = stream::iter(updates).buffer_unordered(16).collect().await;
    for result in results {
        result?;
    }
    Ok(changed)
}

/// One daily run and its figures against the bounds.
async fn daily(
    settings: &SyncSettings,
    condeco_url: &str,
    changed: u64,
    eptura_latency: u64,
) -> Result<(), Failure> {
    let writes_before = condeco_writes(condeco_url).await?;
    let (control, _pause) = Control::detached();
    let started = Instant::now();
    let report = spacebridge::sync::run(settings, &EventSink::none(), &control).await?;
    let wall = started.elapsed().as_secs_f64();
    let writes = condeco_writes(condeco_url).await? - writes_before;
    let (eptura_calls, condeco_calls) = (report.requests.eptura, report.requests.condeco);
    let pages = listing_pages(settings, changed).await?;
    let at_limits = condeco_calls as f64 / CONDECO_LIMIT as f64
        + eptura_calls as f64 * eptura_latency as f64 / 1000.0;
    println!();
    println!(
        "daily run, {changed} spaces changed: {} ({}), {:.1} s",
        report.status,
        report.kind.map(|k| k.to_string()).unwrap_or_default(),
        wall
    );
    println!(
        "calls: {eptura_calls} Eptura + {condeco_calls} Condeco = {}; bound: {changed} changes + {pages} listing pages = {}",
        eptura_calls + condeco_calls,
        changed + pages
    );
    println!(
        "time at the limits: {at_limits:.1} s; wall / that = {:.2}",
        wall / at_limits.max(0.001)
    );
    println!("condeco writes: {writes}");
    Ok(())
}

/// The pages a daily run's listings take: Eptura's countries, buildings, space types and the
/// changed floors and spaces whole, the floor and space id listings (100 rows a page), and
/// each Condeco collection (500 a page).
async fn listing_pages(settings: &SyncSettings, changed: u64) -> Result<u64, Failure> {
    let e = &settings.eptura;
    let eptura_pages = |n: u64| n / 100 + 1;
    let condeco_pages = |n: u64| n / 500 + 1;
    let eptura = eptura_pages(e.country_count().await?)
        + eptura_pages(e.building_count().await?)
        + eptura_pages(e.space_type_count().await?)
        + eptura_pages(e.floor_count().await?)
        + eptura_pages(e.space_count().await?)
        + eptura_pages(0)
        + eptura_pages(changed);
    let all = spacebridge::condeco::Filter::default();
    let condeco = &settings.condeco;
    let resources = condeco.resources(&all).await?.len() as u64;
    let locations = condeco.locations(&all).await?.len() as u64;
    // Countries, groups, regions and workspace types: one page each at this size.
    Ok(eptura + condeco_pages(resources) + condeco_pages(locations) + 4)
}

async fn condeco_writes(condeco_url: &str) -> Result<u64, Failure> {
    let stats: serde_json::Value = reqwest::get(format!("{condeco_url}/__sim/stats"))
        .await?
        .json()
        .await?;
    stats["writes"]
        .as_u64()
        .ok_or_else(|| "no write count in the simulator's stats".into())
}

/// When the apply started, with the Condeco counters then, and the limits seen during it.
#[derive(Debug, Default)]
struct ApplyPhase {
    started: Option<(Instant, HttpStats)>,
    ended: Option<Instant>,
    lowest_concurrency: Option<usize>,
    paced_rates: Vec<f64>,
}

/// Follow the run's events: the apply starts when the plan is made and ends with the run.
async fn watch_apply(
    mut events: tokio::sync::mpsc::UnboundedReceiver<Event>,
    condeco: CondecoClient,
) -> ApplyPhase {
    let mut phase = ApplyPhase::default();
    while let Some(event) = events.recv().await {
        match event {
            Event::Planned { .. } => {
                phase.started = Some((Instant::now(), condeco.http().stats()));
            }
            Event::Traffic {
                concurrency,
                paced_rate,
                ..
            } if phase.started.is_some() => {
                let lowest = phase.lowest_concurrency.get_or_insert(concurrency);
                *lowest = (*lowest).min(concurrency);
                phase.paced_rates.extend(paced_rate);
            }
            Event::Finished { .. } => phase.ended = Some(Instant::now()),
            _ => {}
        }
    }
    phase
}

fn print_figures(
    wall: Duration,
    apply: &ApplyPhase,
    condeco: HttpStats,
    eptura_requests: u64,
    created: u64,
) {
    let limit = CONDECO_LIMIT as f64;
    let rate = condeco.requests as f64 / wall.as_secs_f64();
    println!("wall time: {:.1} s", wall.as_secs_f64());
    println!(
        "condeco requests: {} ({} retries, {} 429s); eptura requests: {eptura_requests}",
        condeco.requests, condeco.retries, condeco.throttled
    );
    println!("entities created: {created}");
    println!(
        "condeco calls per created entity: {:.4}",
        condeco.requests as f64 / created.max(1) as f64
    );
    println!(
        "condeco rate over the whole run: {rate:.0}/s = {:.3} of the {CONDECO_LIMIT}/s limit",
        rate / limit
    );
    if let (Some((start, before)), Some(end)) = (apply.started, apply.ended) {
        let seconds = end.duration_since(start).as_secs_f64();
        let requests = condeco.requests - before.requests;
        let rate = requests as f64 / seconds;
        println!(
            "apply phase: {seconds:.1} s (reading and planning {:.1} s), {requests} condeco \
             requests, {rate:.0}/s = {:.3} of the limit, {} 429s",
            wall.as_secs_f64() - seconds,
            rate / limit,
            condeco.throttled - before.throttled
        );
    }
    let paced = &apply.paced_rates;
    if let (Some(first), Some(last)) = (paced.first(), paced.last()) {
        let least = paced.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "paced rate in the apply: first {first:.0}/s, least {least:.0}/s, last {last:.0}/s"
        );
    }
    if let Some(lowest) = apply.lowest_concurrency {
        println!("lowest concurrency limit in the apply: {lowest}");
    }
    match peak_rss_kib().ok() {
        Some(kib) => println!("peak memory (VmHWM): {:.0} MB", kib as f64 / 1024.0),
        None => println!("peak memory: unknown (no /proc/self/status)"),
    }
}
