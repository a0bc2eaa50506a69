//! The TUI headless, for the `tui_*` modules: an app of a given size, keys, clicks, drawing on
//! a `TestBackend`, loading a template the way the app does (or directly), a session connected
//! to the simulators with a store (for Merge, Sync and History), and waiting for the background
//! replies.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use spacebridge::cli::demo::assign_reservation_centers;
use spacebridge::http::HttpConfig;
use spacebridge::template::{self, LoadOptions};
use spacebridge::tui::screens::{LoadRequest, review};
use spacebridge::tui::{App, Event, JobId, JobMessage, Link, Reply, Session, Theme, ui};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::Simulators;
pub use super::{MISTAKES, SAMPLE};

/// A session connected to both simulators (clients without a rate limit), with a mapping store
/// at `store` and the demo's reservation-center step after an upload. The header shows fixed
/// addresses, so that snapshots do not depend on the ports.
pub fn connected(sims: &Simulators, store: &Path) -> Session {
    let http = HttpConfig {
        rate_per_second: None,
        ..HttpConfig::default()
    };
    Session {
        profile: Some("test".into()),
        eptura: Link::Simulator("http://127.0.0.1:PORT".into()),
        condeco: Link::Simulator("http://127.0.0.1:PORT".into()),
        eptura_client: Some(sims.eptura_client_with(http)),
        condeco_client: Some(sims.condeco_client()),
        store: Some(store.to_path_buf()),
        after_upload: Some(assign_reservation_centers(sims.eptura_url.clone())),
        ..Session::default()
    }
}

/// A headless app of `width`×`height`, with no data directory and no colour.
pub fn app(width: u16, height: u16) -> (App, UnboundedReceiver<Event>) {
    new_app(Session::default(), None, width, height)
}

/// A headless app in `session` that keeps its recent files (and the like) in `data_dir`.
pub fn new_app(
    session: Session,
    data_dir: Option<PathBuf>,
    width: u16,
    height: u16,
) -> (App, UnboundedReceiver<Event>) {
    let (tx, rx) = unbounded_channel();
    let app = App::new(
        tx,
        session,
        data_dir,
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
    let (mut app, rx) = new_app(session, None, width, height);
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

/// The reload story: the customer's file (the template with mistakes) loaded through the Load
/// screen, then replaced by the fixed file (the sample) and reloaded with `r`. The app shows
/// what changed; the temporary folder holding the file lives as long as the returned guard.
pub async fn reloaded_app(
    width: u16,
    height: u16,
) -> (App, UnboundedReceiver<Event>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("customer.xlsx");
    std::fs::copy(MISTAKES, &file).expect("copy");
    let (mut app, mut rx) = app(width, height);
    type_path(&mut app, &file.display().to_string());
    press(&mut app, KeyCode::Enter);
    assert_eq!(next_reply(&mut app, &mut rx).await.1, Ok(()));
    std::fs::copy(SAMPLE, &file).expect("copy");
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(next_reply(&mut app, &mut rx).await.1, Ok(()));
    (app, rx, dir)
}

/// The Review screen's state; the test has loaded a template.
pub fn review(app: &App) -> &review::State {
    app.review.as_ref().expect("a template is loaded")
}

/// The message the app shows in its status line, or "".
pub fn said(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
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

/// On the Load screen (which opens with the recent files focused): `i` to edit the path, then
/// type `path`.
pub fn type_path(app: &mut App, path: &str) {
    press(app, KeyCode::Char('i'));
    type_text(app, path);
}

/// Press Ctrl + `c`.
pub fn ctrl(app: &mut App, c: char) {
    app.handle_event(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
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

/// The next job message (other events are skipped); fails after a minute.
async fn next_job(rx: &mut UnboundedReceiver<Event>) -> JobMessage {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("a job message within a minute")
            .expect("the channel stays open");
        if let Event::Job(message) = event {
            return *message;
        }
    }
}

/// Whether a job's last message succeeded (the loader's or writer's message if not); `None`
/// for progress and for sheet names, which are not what the tests wait for.
fn outcome(message: &JobMessage) -> Option<Result<(), String>> {
    fn ended<T>(result: &Result<T, String>) -> Result<(), String> {
        result.as_ref().map(|_| ()).map_err(Clone::clone)
    }
    let result = match &message.reply {
        _ if !message.done => return None,
        Reply::Sheets { .. } | Reply::UploadProgress { .. } | Reply::SyncEvents(_) => return None,
        Reply::Loaded(result) => ended(result),
        Reply::Exported(result) => ended(result),
        Reply::Uploaded { result, .. } => ended(result),
        Reply::Matched(result) => ended(result),
        Reply::Decided(result) => ended(result),
        Reply::Planned(result) => ended(result),
        Reply::Synced(result) => ended(result),
        Reply::History(result) => ended(result),
        Reply::RunDetail(result) => ended(result),
    };
    Some(result)
}

/// Wait for the next job to end, hand its messages to the app, and return its id and whether
/// it succeeded (the loader's or writer's message if not). Progress and sheet names are handed
/// over on the way: they are not what the caller waits for.
pub async fn next_reply(
    app: &mut App,
    rx: &mut UnboundedReceiver<Event>,
) -> (JobId, Result<(), String>) {
    loop {
        let message = next_job(rx).await;
        let (id, ended) = (message.id, outcome(&message));
        app.handle_event(Event::Job(Box::new(message)));
        if let Some(result) = ended {
            return (id, result);
        }
    }
}

/// Wait until no job the operator waits for runs, checking that each ended well.
pub async fn settle(app: &mut App, rx: &mut UnboundedReceiver<Event>) {
    while app.is_busy() {
        let (_, result) = next_reply(app, rx).await;
        assert_eq!(result, Ok(()));
    }
}

/// With a plan asked for (`4`, or `s` after a run): wait for it, check it says it resumes
/// run 1, then `s y` and wait for the run's end.
pub async fn resume_by_keys(app: &mut App, rx: &mut UnboundedReceiver<Event>) {
    settle(app, rx).await;
    let shown = screen(app);
    assert!(shown.contains("this sync resumes run 1"), "{shown}");
    press(app, KeyCode::Char('s'));
    press(app, KeyCode::Char('y'));
    settle(app, rx).await;
}

/// Hand the app job messages until `done` says the app is where the test wants it; fails
/// after a minute without a message.
pub async fn handle_until(
    app: &mut App,
    rx: &mut UnboundedReceiver<Event>,
    done: impl Fn(&App) -> bool,
) {
    while !done(app) {
        let message = next_job(rx).await;
        app.handle_event(Event::Job(Box::new(message)));
    }
}

/// Wait for the next message with a file's sheets, hand it to the app and return its job id and
/// path; other messages are handed over on the way.
pub async fn next_sheets(app: &mut App, rx: &mut UnboundedReceiver<Event>) -> (JobId, PathBuf) {
    loop {
        let message = next_job(rx).await;
        let tag = match &message.reply {
            Reply::Sheets { path, .. } => Some((message.id, path.clone())),
            _ => None,
        };
        app.handle_event(Event::Job(Box::new(message)));
        if let Some(tag) = tag {
            return tag;
        }
    }
}
