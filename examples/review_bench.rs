//! Benchmark of the Review screen on a generated 100,000-space portfolio (50 buildings × 10
//! floors × 200 spaces, a finding on about one space in a hundred):
//! - drawing Review on a 200×50 `TestBackend` (collapsed, fully expanded, scrolled, filtered);
//! - the key handlers that touch every row (expand all, a `/` filter keystroke);
//! - the UI answering keys (handle + draw) while the same portfolio, written as an .xlsx, loads
//!   in the background, and the cost of the reply that opens Review.
//!
//! Run with `cargo run --release --example review_bench`; figures go to stdout.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use spacebridge::template::Loaded;
use spacebridge::tui::screens::LoadRequest;
use spacebridge::tui::{App, Event, Session, Theme, ui};

#[path = "../benches/support/portfolio.rs"]
mod portfolio;

use portfolio::{BUILDINGS, FLOORS, SPACES, generated, write_xlsx};

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let total = BUILDINGS * FLOORS * SPACES;
    println!(
        "portfolio: {BUILDINGS} buildings × {FLOORS} floors × {SPACES} spaces = {total} spaces"
    );
    let loaded = generated(Path::new("generated.xlsx"));
    println!("findings: {}", loaded.diagnostics.len());

    let (mut app, _rx) = new_app();
    let copy = loaded.clone();
    let started = Instant::now();
    app.loaded(request("generated.xlsx"), copy, false);
    println!(
        "open Review synchronously (tree index built on this thread): {:.1} ms",
        ms(started.elapsed())
    );
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("backend");

    report("draw, tree collapsed", frames(&mut terminal, &app, 200));
    let expand = timed(|| press(&mut app, KeyCode::Char('E')));
    let rows = app.review.as_ref().map_or(0, |r| r.rows.len());
    println!(
        "key E (expand all, {rows} visible rows): {:.1} ms",
        ms(expand)
    );
    report("draw, all expanded, top", frames(&mut terminal, &app, 200));
    for _ in 0..200 {
        press(&mut app, KeyCode::PageDown);
    }
    report(
        "draw, all expanded, scrolled",
        frames(&mut terminal, &app, 200),
    );
    press(&mut app, KeyCode::Char('G'));
    report(
        "draw, all expanded, last row",
        frames(&mut terminal, &app, 200),
    );
    press(&mut app, KeyCode::Char('/'));
    let keystroke = timed(|| press(&mut app, KeyCode::Char('7')));
    println!(
        "filter keystroke over {total} spaces: {:.1} ms",
        ms(keystroke)
    );
    report("draw, filtered", frames(&mut terminal, &app, 200));
    press(&mut app, KeyCode::Esc);

    latency_while_loading(&loaded).await;
}

/// Keys handled and frames drawn while the same portfolio loads from an .xlsx in the background.
async fn latency_while_loading(loaded: &Loaded) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("generated.xlsx");
    let started = Instant::now();
    write_xlsx(loaded, &file);
    println!(
        "\nwrote {} ({:.1} MB) in {:.1} s",
        file.display(),
        std::fs::metadata(&file).map_or(0.0, |m| m.len() as f64 / 1e6),
        started.elapsed().as_secs_f64()
    );
    let (mut app, mut rx) = new_app();
    app.loaded(request("generated.xlsx"), loaded.clone(), false);
    press(&mut app, KeyCode::Char('E'));
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("backend");
    let load_started = Instant::now();
    app.start_load(request(&file.display().to_string()), false);
    let mut samples = Vec::new();
    let reply = loop {
        let t = Instant::now();
        let key = if samples.len() % 50 < 25 {
            KeyCode::Char('j')
        } else {
            KeyCode::Char('k')
        };
        press(&mut app, key);
        terminal
            .draw(|frame| ui::render(frame, &app))
            .expect("draw");
        samples.push(t.elapsed());
        // An operator types at most every few milliseconds; the loop sleeps like the real one.
        tokio::time::sleep(Duration::from_millis(5)).await;
        if let Ok(Event::Job(reply)) = rx.try_recv() {
            break reply;
        }
    };
    let load_time = load_started.elapsed();
    let handle = timed(|| app.handle_event(Event::Job(reply)));
    println!(
        "background load of {total} rows: {:.2} s; {} keys handled meanwhile",
        load_time.as_secs_f64(),
        samples.len(),
        total = BUILDINGS * FLOORS * SPACES
    );
    report("key + draw while loading", samples);
    println!(
        "reply handled (opens Review on the new portfolio): {:.1} ms",
        ms(handle)
    );
    let counts = app.review.as_ref().map(|r| r.loaded.counts);
    println!("loaded: {counts:?}");
}

fn new_app() -> (App, tokio::sync::mpsc::UnboundedReceiver<Event>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = App::new(
        tx,
        Session::default(),
        None,
        Theme::from_env(),
        Rect::new(0, 0, WIDTH, HEIGHT),
    );
    (app, rx)
}

fn request(path: &str) -> LoadRequest {
    LoadRequest {
        path: PathBuf::from(path),
        sheet: None,
        country: None,
    }
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn timed(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

fn frames(terminal: &mut Terminal<TestBackend>, app: &App, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            timed(|| {
                terminal.draw(|frame| ui::render(frame, app)).expect("draw");
            })
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{what}: mean {:.2} ms, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        ms(mean),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
        samples.len()
    );
}
