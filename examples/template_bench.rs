//! Figures for the README: parse and validate a generated 100,000-space template (50 buildings
//! × 10 floors × 200 spaces) against a bare calamine read of the same sheet, in one run, and the
//! peak memory of each in its own process.
//!
//! `cargo run --release --example template_bench [-- BUILDINGS FLOORS SPACES]`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use calamine::{Reader, Xlsx};
use spacebridge::template::{self, LoadOptions, generate};

const RUNS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, path] = args.as_slice() {
        // Child process: one measurement, then report the peak memory.
        let elapsed = measure(mode, Path::new(path))?;
        println!("{} {}", elapsed.as_secs_f64(), peak_rss_kib()?);
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
    let size = std::fs::metadata(&path)?.len();
    println!(
        "template: {} spaces ({} buildings × {} floors × {}), {:.1} MB xlsx",
        shape.spaces(),
        shape.buildings,
        shape.floors_per_building,
        shape.spaces_per_floor,
        size as f64 / 1e6
    );
    let mut bare = Vec::new();
    let mut load = Vec::new();
    for _ in 0..RUNS {
        // Interleaved, so both see the same machine conditions.
        bare.push(child(&path, "bare")?);
        load.push(child(&path, "load")?);
    }
    let (bare_s, bare_kib) = median(&bare);
    let (load_s, load_kib) = median(&load);
    println!(
        "bare calamine read : {:>7.1} ms  peak {:>6.1} MB",
        bare_s * 1e3,
        bare_kib as f64 / 1024.0
    );
    println!(
        "parse + validate   : {:>7.1} ms  peak {:>6.1} MB",
        load_s * 1e3,
        load_kib as f64 / 1024.0
    );
    println!(
        "ratio              : {:>7.2}×  (median of {RUNS} runs each)",
        load_s / bare_s
    );
    Ok(())
}

fn child(path: &PathBuf, mode: &str) -> Result<(f64, u64), Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let out = Command::new(exe).arg(mode).arg(path).output()?;
    let text = String::from_utf8(out.stdout)?;
    let mut parts = text.split_whitespace();
    let seconds: f64 = parts.next().ok_or("no time")?.parse()?;
    let kib: u64 = parts.next().ok_or("no memory")?.parse()?;
    Ok((seconds, kib))
}

fn measure(mode: &str, path: &Path) -> Result<Duration, Box<dyn std::error::Error>> {
    let start = Instant::now();
    match mode {
        "bare" => {
            let mut book: Xlsx<_> = calamine::open_workbook(path)?;
            let range = book.worksheet_range("Space Data")?;
            std::hint::black_box(range.get_size());
        }
        _ => {
            let loaded = template::load(path, &LoadOptions::default())?;
            assert!(!loaded.has_errors(), "the generated template must be valid");
            std::hint::black_box(loaded.counts);
        }
    }
    Ok(start.elapsed())
}

fn median(samples: &[(f64, u64)]) -> (f64, u64) {
    let mut times: Vec<f64> = samples.iter().map(|s| s.0).collect();
    let mut peaks: Vec<u64> = samples.iter().map(|s| s.1).collect();
    times.sort_by(f64::total_cmp);
    peaks.sort_unstable();
    (times[times.len() / 2], peaks[peaks.len() / 2])
}

/// VmHWM from /proc: the peak resident memory of this process, in KiB.
fn peak_rss_kib() -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("bad VmHWM line")?
        .parse()?)
}
