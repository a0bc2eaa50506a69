//! The TUI while a large sync runs (issue 12): the app driven headless through the same loop
//! as `tui::event_loop` (draw when something changed, at most every 16 ms; handle every queued
//! event before the next frame), on a 200×50 `TestBackend`, against both simulators in-process
//! with the `large:N` estate (Condeco at 500 requests a second with 20 ms latency, Eptura with
//! 20 ms), ticks every 25 ms from a thread of their own as the input thread sends them, and a
//! key (Tab, j, k, l in turn) every 150 ms from another thread, as a person would type. `4` plans, `s` `y` runs the sync;
//! the figures are taken from the plan to the end of the run.
//!
//! Printed, for the dry run, the run's reading phase and its writing phase: frames, the gap
//! between frames (mean, p99, max), the time a frame takes to draw, and the key-to-draw
//! latency (from the key's send to the end of the frame that shows it).
//!
//! `cargo run --release --example sync_tui_bench [SPACES] [MAX_SECONDS]` (default 100000, no
//! limit: with MAX_SECONDS the sync is cancelled then, and the figures cover what ran).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use spacebridge::tui::event::TICK;
use spacebridge::tui::screens::sync::Stage;
use spacebridge::tui::{App, Event, FRAME, Link, Session, Theme, ui};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

#[path = "support/large_sync.rs"]
mod large_sync;
#[path = "support/mem.rs"]
mod mem;

use large_sync::{Failure, LATENCY_MS};

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
/// How often the typist presses a key.
const KEY_EVERY: Duration = Duration::from_millis(150);

/// Where the sync was when a frame was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// The dry run before the question.
    Planning,
    /// The run reads both sides and plans.
    Reading,
    /// The run writes.
    Writing,
}

/// What was measured in one phase.
#[derive(Debug, Default)]
struct Figures {
    gaps: Vec<Duration>,
    draws: Vec<Duration>,
    keys: Vec<Duration>,
}

fn main() -> Result<(), Failure> {
    // As `spacebridge demo` and `spacebridge tui` run: tokio's default runtime (a worker per
    // core), the loop on the thread that blocks on it.
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run())
}

async fn run() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let spaces: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(100_000);
    let limit: Option<Duration> =
        (args.next().map(|s| s.parse::<u64>()).transpose()?).map(Duration::from_secs);
    let sims = large_sync::start(spaces, LATENCY_MS).await?;
    let dir = tempfile::tempdir()?;
    let session = Session {
        profile: Some("bench".into()),
        eptura: Link::Simulator(sims.eptura_url.clone()),
        condeco: Link::Simulator(sims.condeco_url.clone()),
        eptura_client: Some(large_sync::eptura(&sims.eptura_url)?),
        condeco_client: Some(large_sync::condeco(&sims.condeco_url)?),
        store: Some(dir.path().join("store.sqlite")),
        ..Session::default()
    };
    let (tx, mut rx) = unbounded_channel();
    let mut app = App::new(
        tx.clone(),
        session,
        None,
        Theme { color: false },
        Rect::new(0, 0, WIDTH, HEIGHT),
    );
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = every(TICK, stop.clone(), {
        let tx = tx.clone();
        move || tx.send(Event::Tick).is_ok()
    });
    let sent: Arc<Mutex<VecDeque<Instant>>> = Arc::default();
    println!("large:{spaces} — planning (a dry run), then the sync; {WIDTH}×{HEIGHT} frames");

    let started = Instant::now();
    key(&mut app, KeyCode::Char('4'));
    let mut typist = None;
    let mut figures: Vec<(Phase, Figures)> = Vec::new();
    let mut last_draw = Instant::now()
        .checked_sub(FRAME)
        .unwrap_or_else(Instant::now);
    let mut last_frame: Option<Instant> = None;
    // Keys handled since the last frame, with when they were sent.
    let mut waiting: Vec<Instant> = Vec::new();
    let mut cancelled = false;
    loop {
        let since = last_draw.elapsed();
        if app.dirty && since >= FRAME {
            let begin = Instant::now();
            terminal.draw(|frame| ui::render(frame, &app))?;
            let end = Instant::now();
            app.dirty = false;
            last_draw = end;
            let phase = phase_of(&app);
            let at = match figures.last_mut() {
                Some((p, f)) if *p == phase => f,
                _ => {
                    figures.push((phase, Figures::default()));
                    last_frame = None;
                    &mut figures.last_mut().expect("just pushed").1
                }
            };
            at.draws.push(end - begin);
            if let Some(previous) = last_frame {
                at.gaps.push(begin - previous);
            }
            at.keys.extend(waiting.drain(..).map(|sent| end - sent));
            last_frame = Some(begin);
        }
        if app.sync.stage == Stage::Planned && typist.is_none() {
            // The plan is in: the question, then ARMED; the typist starts.
            println!("planned in {:.1} s", started.elapsed().as_secs_f64());
            key(&mut app, KeyCode::Char('s'));
            key(&mut app, KeyCode::Char('y'));
            typist = Some(typist_keys(tx.clone(), sent.clone(), stop.clone()));
        }
        if let Some(limit) = limit
            && !cancelled
            && started.elapsed() > limit
            && app.is_armed()
        {
            println!("cancelling after {} s as asked", limit.as_secs());
            key(&mut app, KeyCode::Char('c'));
            cancelled = true;
        }
        if matches!(app.sync.stage, Stage::Finished | Stage::Failed(_)) {
            break;
        }
        let event = wait(&mut rx, app.dirty, since).await;
        let Some(event) = event else { continue };
        handle(&mut app, event, &sent, &mut waiting);
        while let Ok(event) = rx.try_recv() {
            handle(&mut app, event, &sent, &mut waiting);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = ticker.join();
    if let Some(typist) = typist {
        let _ = typist.join();
    }
    let report = app.sync.report.clone();
    println!(
        "sync {} in {:.1} s: {}",
        report.as_ref().map_or("failed", |r| r.status.as_str()),
        started.elapsed().as_secs_f64(),
        report.as_ref().map_or(String::new(), |r| r.ops.summary()),
    );
    for (phase, f) in &figures {
        print_figures(*phase, f);
    }
    if let Ok(kib) = mem::peak_rss_kib() {
        println!(
            "peak memory (simulators included): {:.0} MB",
            kib as f64 / 1024.0
        );
    }
    sims.shutdown().await;
    Ok(())
}

/// Like `tui::event_loop`: with a frame due, wait at most until it is; else until an event.
async fn wait(rx: &mut UnboundedReceiver<Event>, dirty: bool, since: Duration) -> Option<Event> {
    if dirty {
        tokio::time::timeout(FRAME.saturating_sub(since), rx.recv())
            .await
            .ok()
            .flatten()
    } else {
        rx.recv().await
    }
}

fn handle(
    app: &mut App,
    event: Event,
    sent: &Mutex<VecDeque<Instant>>,
    waiting: &mut Vec<Instant>,
) {
    if matches!(event, Event::Key(_))
        && let Some(at) = sent.lock().ok().and_then(|mut s| s.pop_front())
    {
        waiting.push(at);
    }
    app.handle_event(event);
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn phase_of(app: &App) -> Phase {
    match &app.sync.live {
        None => Phase::Planning,
        Some(live) if live.gauges.iter().any(|g| g.started) => Phase::Writing,
        Some(_) => Phase::Reading,
    }
}

/// A thread that calls `send` every `period` until `stop` (or until `send` says the app is
/// gone), as the input thread sends ticks and keys.
fn every(
    period: Duration,
    stop: Arc<AtomicBool>,
    mut send: impl FnMut() -> bool + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(period);
            if !send() {
                return;
            }
        }
    })
}

/// A key every [`KEY_EVERY`]: Tab (the next list), j, k (scroll it), l (the log's level).
fn typist_keys(
    tx: UnboundedSender<Event>,
    sent: Arc<Mutex<VecDeque<Instant>>>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let keys = [
        KeyCode::Tab,
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Char('l'),
    ];
    let mut cycle = keys.into_iter().cycle();
    every(KEY_EVERY, stop, move || {
        let code = cycle.next().unwrap_or(KeyCode::Tab);
        if let Ok(mut sent) = sent.lock() {
            sent.push_back(Instant::now());
        }
        tx.send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .is_ok()
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// "mean 1.2 ms, p99 3.4 ms, max 5.6 ms (n 789)".
fn summary(samples: &[Duration]) -> String {
    if samples.is_empty() {
        return "none".into();
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let mean = sorted.iter().sum::<Duration>() / sorted.len() as u32;
    let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
    let max = sorted[sorted.len() - 1];
    format!(
        "mean {:.1} ms, p99 {:.1} ms, max {:.1} ms (n {})",
        ms(mean),
        ms(p99),
        ms(max),
        sorted.len()
    )
}

fn print_figures(phase: Phase, figures: &Figures) {
    let name = match phase {
        Phase::Planning => "dry run (plan)",
        Phase::Reading => "sync, reading",
        Phase::Writing => "sync, writing",
    };
    println!("{name}:");
    println!("  gap between frames: {}", summary(&figures.gaps));
    println!("  drawing a frame:    {}", summary(&figures.draws));
    println!("  key to drawn:       {}", summary(&figures.keys));
}
