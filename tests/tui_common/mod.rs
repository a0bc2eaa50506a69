//! Builders shared by the TUI tests (`tests/tui_*.rs`): a headless app of a given size, keys, clicks, drawing on
//! a `TestBackend`, and loading a template the way the app does (or directly).
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use spacebridge::template::{self, LoadOptions};
use spacebridge::tui::screens::LoadRequest;
use spacebridge::tui::{App, Background, Event, Session, Theme, ui};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub const MISTAKES: &str = "assets/sample-template-mistakes.xlsx";
pub const SAMPLE: &str = "assets/sample-template.xlsx";

/// A headless app of `width`×`height`, with no data directory and no colour.
pub fn app(width: u16, height: u16) -> (App, UnboundedReceiver<Event>) {
    let (tx, rx) = unbounded_channel();
    let app = App::new(
        tx,
        Session::default(),
        None,
        Theme { color: false },
        Rect::new(0, 0, width, height),
    );
    (app, rx)
}

/// An app with `file` already loaded (synchronously), showing Review.
pub fn app_with(file: &str, width: u16, height: u16) -> (App, UnboundedReceiver<Event>) {
    app_in(Session::default(), file, width, height)
}

/// Like [`app_with`], in the given session (e.g. with an Eptura client).
pub fn app_in(
    session: Session,
    file: &str,
    width: u16,
    height: u16,
) -> (App, UnboundedReceiver<Event>) {
    let (tx, rx) = unbounded_channel();
    let mut app = App::new(
        tx,
        session,
        None,
        Theme { color: false },
        Rect::new(0, 0, width, height),
    );
    let loaded = template::load(Path::new(file), &LoadOptions::default()).expect("loads");
    app.loaded(
        LoadRequest {
            path: file.into(),
            sheet: None,
            country: None,
        },
        loaded,
        false,
    );
    app.message = None;
    (app, rx)
}

pub fn press(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Press each character of `text` as a key.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

pub fn click(app: &mut App, column: u16, row: u16) {
    app.handle_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }));
}

pub fn wheel_down(app: &mut App, column: u16, row: u16) {
    app.handle_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }));
}

/// Draw the app as the terminal would.
pub fn draw(app: &App) -> Terminal<TestBackend> {
    let mut terminal =
        Terminal::new(TestBackend::new(app.size.width, app.size.height)).expect("test backend");
    terminal
        .draw(|frame| ui::render(frame, app))
        .expect("drawing never fails on a test backend");
    terminal
}

/// The drawn frame as text, one line per row.
pub fn screen(app: &App) -> String {
    draw(app).backend().to_string()
}

/// Wait for the next background reply, hand it to the app, and return its generation and
/// whether it succeeded (the loader's or writer's message if not).
pub async fn next_reply(
    app: &mut App,
    rx: &mut UnboundedReceiver<Event>,
) -> (u64, Result<(), String>) {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("a background reply within a minute")
            .expect("the channel stays open");
        if let Event::Background(reply) = event {
            let summary = match &reply {
                // The Load screen's sheet lists are not what the caller waits for.
                Background::Sheets { .. } => {
                    app.handle_event(Event::Background(reply));
                    continue;
                }
                Background::Loaded { generation, result } => (
                    *generation,
                    result.as_ref().map(|_| ()).map_err(Clone::clone),
                ),
                Background::Exported { generation, result } => (*generation, result.clone()),
                Background::Uploaded {
                    generation, result, ..
                } => (
                    *generation,
                    result.as_ref().map(|_| ()).map_err(Clone::clone),
                ),
            };
            app.handle_event(Event::Background(reply));
            return summary;
        }
    }
}

/// Wait for the next reply with a file's sheets, hand it to the app and return its generation
/// and path; other replies are handed over on the way.
pub async fn next_sheets(
    app: &mut App,
    rx: &mut UnboundedReceiver<Event>,
) -> (u64, std::path::PathBuf) {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("a background reply within a minute")
            .expect("the channel stays open");
        if let Event::Background(reply) = event {
            let tag = match &reply {
                Background::Sheets {
                    generation, path, ..
                } => Some((*generation, path.clone())),
                _ => None,
            };
            app.handle_event(Event::Background(reply));
            if let Some(tag) = tag {
                return tag;
            }
        }
    }
}
