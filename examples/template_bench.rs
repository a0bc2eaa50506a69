//! Figures for the README: parse and validate a generated 100,000-space template (50 buildings
//! × 10 floors × 200 spaces) against a bare calamine read of the same sheet, in one run, with
//! the wall time, CPU time and peak memory of each measured in its own process.
//!
//! `cargo run --release --example template_bench [-- BUILDINGS FLOORS SPACES]`

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use calamine::{Reader, Xlsx};
use spacebridge::template::{self, LoadOptions, generate};

const RUNS: usize = 5;

#[path = "support/mem.rs"]
mod mem;

use mem::peak_rss_kib;

type Error = Box<dyn std::error::Error>;

/// One measurement: wall seconds, peak resident KiB, CPU seconds.
#[derive(Clone, Copy)]
struct Sample {
    wall: f64,
    peak_kib: u64,
    cpu: f64,
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, path] = args.as_slice() {
        // Child process: one measurement, printed for the parent.
        let start = Instant::now();
        measure(mode, Path::new(path))?;
        let wall = start.elapsed().as_secs_f64();
        println!("{wall} {} {}", peak_rss_kib()?, cpu_seconds()?);
        return Ok(());
    }
    let number =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let shape = generate::Shape {
        buildings: number(1, 50),
        floors_per_building: number(2, 10),
        spaces_per_floor: number(3, 200),
    };
    let path = std::env::temp_dir().join(format!(
        "spacebridge-bench-{}x{}x{}.xlsx",
        shape.buildings, shape.floors_per_building, shape.spaces_per_floor
    ));
    if !path.exists() {
        generate::write(&path, shape)?;
    }
    println!(
        "template: {} spaces ({} buildings × {} floors × {}), {:.1} MB xlsx",
        shape.spaces(),
        shape.buildings,
        shape.floors_per_building,
        shape.spaces_per_floor,
        std::fs::metadata(&path)?.len() as f64 / 1e6
    );
    let mut bare = Vec::new();
    let mut load = Vec::new();
    for _ in 0..RUNS {
        // Interleaved, so both see the same machine conditions.
        bare.push(child(&path, "bare")?);
        load.push(child(&path, "load")?);
    }
    let (bare, load) = (median(&bare), median(&load));
    print_row("bare calamine read", bare);
    print_row("parse + validate", load);
    println!(
        "ratio              : {:>6.2}× wall  {:>6.2}× cpu   (median of {RUNS} runs each)",
        load.wall / bare.wall,
        load.cpu / bare.cpu
    );
    Ok(())
}

fn print_row(name: &str, s: Sample) {
    println!(
        "{name:<19}: {:>7.1} ms wall  {:>7.1} ms cpu  peak {:>6.1} MB",
        s.wall * 1e3,
        s.cpu * 1e3,
        s.peak_kib as f64 / 1024.0
    );
}

fn child(path: &Path, mode: &str) -> Result<Sample, Error> {
    let out = Command::new(std::env::current_exe()?)
        .arg(mode)
        .arg(path)
        .output()?;
    let text = String::from_utf8(out.stdout)?;
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [wall, peak, cpu] = fields.as_slice() else {
        return Err(format!("unexpected child output: {text:?}").into());
    };
    Ok(Sample {
        wall: wall.parse()?,
        peak_kib: peak.parse()?,
        cpu: cpu.parse()?,
    })
}

fn measure(mode: &str, path: &Path) -> Result<(), Error> {
    if mode == "bare" {
        let mut book: Xlsx<_> = calamine::open_workbook(path)?;
        let range = book.worksheet_range("Space Data")?;
        std::hint::black_box(range.get_size());
    } else {
        let loaded = template::load(path, &LoadOptions::default())?;
        if loaded.has_errors() {
            return Err("the generated template must be valid".into());
        }
        std::hint::black_box(loaded.counts);
    }
    Ok(())
}

fn median(samples: &[Sample]) -> Sample {
    let pick = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut peaks: Vec<u64> = samples.iter().map(|s| s.peak_kib).collect();
    peaks.sort_unstable();
    Sample {
        wall: pick(samples.iter().map(|s| s.wall).collect()),
        peak_kib: peaks[peaks.len() / 2],
        cpu: pick(samples.iter().map(|s| s.cpu).collect()),
    }
}

/// User + system CPU time of this process, from /proc (10 ms resolution): unlike wall time,
/// it does not grow when other work shares the cores.
fn cpu_seconds() -> Result<f64, Error> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').ok_or("bad /proc/self/stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| -> Result<u64, Error> {
        Ok(fields.get(i).ok_or("short /proc/self/stat")?.parse()?)
    };
    Ok((ticks(11)? + ticks(12)?) as f64 / 100.0)
}
