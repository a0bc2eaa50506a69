//! Criterion benchmark of drawing the Review screen (the whole frame) on a 200×50
//! `TestBackend` for a generated 100,000-space portfolio, with the tree collapsed and with
//! every building and floor expanded, plus the expand-all key. `examples/review_bench.rs` adds
//! the key latency while a load runs.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use spacebridge::tui::screens::LoadRequest;
use spacebridge::tui::{App, Event, Session, Theme, ui};

#[path = "support/portfolio.rs"]
mod portfolio;

/// The app with the portfolio loaded, and the receiver of its (unused) background channel.
fn app_with_portfolio() -> (App, tokio::sync::mpsc::UnboundedReceiver<Event>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut app = App::new(
        tx,
        Session::default(),
        None,
        Theme { color: true },
        Rect::new(0, 0, 200, 50),
    );
    let loaded = portfolio::generated(Path::new("generated.xlsx"));
    app.loaded(
        LoadRequest {
            path: "generated.xlsx".into(),
            sheet: None,
            country: None,
        },
        loaded,
        false,
    );
    (app, rx)
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn review_render(c: &mut Criterion) {
    let (mut app, _rx) = app_with_portfolio();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test backend");
    c.bench_function("review 100k spaces, collapsed, 200x50 frame", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| ui::render(frame, black_box(&app)))
                .expect("draw");
        });
    });
    press(&mut app, KeyCode::Char('E'));
    for _ in 0..100 {
        press(&mut app, KeyCode::PageDown);
    }
    c.bench_function(
        "review 100k spaces, expanded and scrolled, 200x50 frame",
        |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| ui::render(frame, black_box(&app)))
                    .expect("draw");
            });
        },
    );
    c.bench_function("review 100k spaces, expand all + collapse all keys", |b| {
        b.iter(|| {
            press(&mut app, KeyCode::Char('E'));
            press(&mut app, KeyCode::Char('C'));
        });
    });
}

criterion_group!(benches, review_render);
criterion_main!(benches);
