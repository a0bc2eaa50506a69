//! Figures for the README's upload paragraph: a generated template (10 buildings × 10 floors ×
//! SPACES/100) uploaded twice into a fresh Eptura simulator (`new-customer` scenario), RUNS
//! times. Each run is its own process, with the simulators in it: the first upload's wall time,
//! requests and records created; the second's wall time, requests and writes (0 when the upload
//! is idempotent); the process's peak resident memory (VmHWM; template load, client and
//! simulator together). Prints every run, the median of each figure, and the load average at
//! the start and the end.
//!
//! `cargo run --release --example upload_bench [SPACES] [RUNS]` (defaults 10000 and 3).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use spacebridge::eptura::{EpturaClient, EpturaSettings};
use spacebridge::http::{HttpClient, HttpConfig, Secret};
use spacebridge::sim::{self, Scenario, SimOptions};
use spacebridge::sync::upload::{UploadOptions, UploadReport, upload};
use spacebridge::template::{self, LoadOptions, generate};

#[path = "support/mem.rs"]
mod mem;

use mem::peak_rss_kib;

type Error = Box<dyn std::error::Error>;

const BUILDINGS: usize = 10;
const FLOORS: usize = 10;

/// One run's figures, in the order the child prints them.
#[derive(Clone, Copy)]
struct Sample {
    first_secs: f64,
    first_requests: f64,
    created: f64,
    second_secs: f64,
    second_requests: f64,
    second_writes: f64,
    peak_mib: f64,
}

impl Sample {
    const FIELDS: usize = 7;

    fn to_array(self) -> [f64; Self::FIELDS] {
        [
            self.first_secs,
            self.first_requests,
            self.created,
            self.second_secs,
            self.second_requests,
            self.second_writes,
            self.peak_mib,
        ]
    }

    fn from_array(a: [f64; Self::FIELDS]) -> Self {
        let [
            first_secs,
            first_requests,
            created,
            second_secs,
            second_requests,
            second_writes,
            peak_mib,
        ] = a;
        Sample {
            first_secs,
            first_requests,
            created,
            second_secs,
            second_requests,
            second_writes,
            peak_mib,
        }
    }
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, path] = args.as_slice()
        && mode == "run"
    {
        // Child process: one run, its figures on one line for the parent.
        let sample = tokio::runtime::Runtime::new()?.block_on(one_run(Path::new(path)))?;
        let line: Vec<String> = sample.to_array().iter().map(f64::to_string).collect();
        println!("{}", line.join(" "));
        return Ok(());
    }
    let number =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (spaces, runs) = (number(1, 10_000), number(2, 3).max(1));
    let per_floor = BUILDINGS * FLOORS;
    if spaces == 0 || spaces % per_floor != 0 {
        return Err(format!("SPACES must be a positive multiple of {per_floor}").into());
    }
    let shape = generate::Shape {
        buildings: BUILDINGS,
        floors_per_building: FLOORS,
        spaces_per_floor: spaces / per_floor,
    };
    let load_at_start = load_average()?;
    let path = std::env::temp_dir().join(format!("spacebridge-upload-bench-{spaces}.xlsx"));
    generate::write(&path, shape)?;
    println!(
        "template: {} spaces ({BUILDINGS} buildings × {FLOORS} floors × {}), simulator \
         scenario new-customer in-process, HttpConfig::default(), release build",
        shape.spaces(),
        shape.spaces_per_floor
    );
    let mut samples = Vec::new();
    for run in 1..=runs {
        let sample = child(&path)?;
        print_row(&format!("run {run}"), sample);
        samples.push(sample);
    }
    print_row(&format!("median of {runs}"), median(&samples));
    println!(
        "load average: start {load_at_start}, end {}",
        load_average()?
    );
    Ok(())
}

/// Fresh simulators, the template loaded, then two uploads of it.
async fn one_run(path: &Path) -> Result<Sample, Error> {
    let loaded = template::load(path, &LoadOptions::default())?;
    if loaded.has_errors() {
        return Err("the generated template must be valid".into());
    }
    let sims = sim::start(SimOptions {
        scenario: Scenario::NewCustomer,
        ..SimOptions::default()
    })
    .await?;
    let settings = EpturaSettings {
        url: sims.eptura_url.clone(),
        username: "bench@example.com".into(),
        password: Secret::new("bench"),
    };
    let client = EpturaClient::new(&settings, HttpClient::new(HttpConfig::default())?)?;
    let (first, first_secs, first_requests) = timed_upload(&client, &loaded.portfolio).await?;
    let (second, second_secs, second_requests) = timed_upload(&client, &loaded.portfolio).await?;
    sims.shutdown().await;
    Ok(Sample {
        first_secs,
        first_requests,
        created: first.writes() as f64,
        second_secs,
        second_requests,
        second_writes: second.writes() as f64,
        peak_mib: peak_rss_kib()? as f64 / 1024.0,
    })
}

/// One upload: its report, wall seconds and the requests it sent.
async fn timed_upload(
    client: &EpturaClient,
    portfolio: &spacebridge::domain::Portfolio,
) -> Result<(UploadReport, f64, f64), Error> {
    let before = client.http().stats().requests;
    let start = Instant::now();
    let report = upload(client, portfolio, UploadOptions::default()).await?;
    let secs = start.elapsed().as_secs_f64();
    if report.has_failures() {
        return Err(format!("{} records refused", report.failures.len()).into());
    }
    Ok((
        report,
        secs,
        (client.http().stats().requests - before) as f64,
    ))
}

fn print_row(name: &str, s: Sample) {
    println!(
        "{name:<12}: first {:>6.2} s {:>6} requests {:>6} created | second {:>5.2} s {:>4} \
         requests {} writes | peak {:>5.1} MB",
        s.first_secs,
        s.first_requests,
        s.created,
        s.second_secs,
        s.second_requests,
        s.second_writes,
        s.peak_mib
    );
}

fn child(path: &Path) -> Result<Sample, Error> {
    let out = Command::new(std::env::current_exe()?)
        .arg("run")
        .arg(path)
        .output()?;
    if !out.status.success() {
        return Err(format!("a run failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let text = String::from_utf8(out.stdout)?;
    let fields = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<Vec<f64>, _>>()?;
    let fields: [f64; Sample::FIELDS] = fields
        .try_into()
        .map_err(|_| format!("unexpected run output: {text:?}"))?;
    Ok(Sample::from_array(fields))
}

/// The median of each figure on its own.
fn median(samples: &[Sample]) -> Sample {
    let columns = samples.iter().map(|s| s.to_array());
    Sample::from_array(std::array::from_fn(|i| {
        let mut column: Vec<f64> = columns.clone().map(|a| a[i]).collect();
        column.sort_by(f64::total_cmp);
        column[column.len() / 2]
    }))
}

/// The 1, 5 and 15 minute load averages from /proc/loadavg.
fn load_average() -> Result<String, Error> {
    let text = std::fs::read_to_string("/proc/loadavg")?;
    Ok(text
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" "))
}
