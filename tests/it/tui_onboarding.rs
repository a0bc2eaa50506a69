//! Whole onboardings driven by keys through the app, against both simulators started
//! in-process on loopback and a real store, judged by the Condeco simulator's final state:
//! a new customer (load the template, upload it, sync) and an existing one (merge review,
//! sync); and a sync quit half-way, then reopened in a new app on the same store, which
//! resumes it without doing anything twice. The keys pressed are counted, as an operator
//! would type them.

use crossterm::event::KeyCode;
use serde_json::json;
use spacebridge::domain::SyncKind;
use spacebridge::sim::{Faults, Scenario};
use spacebridge::store::{RunKind, RunStatus, Store};
use spacebridge::tui::screens::merge;
use spacebridge::tui::screens::sync::Stage;
use spacebridge::tui::screens::upload;
use spacebridge::tui::{App, Event, Step};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support::synced::{
    assert_condeco_holds, assert_no_duplicates, external_ids, resources, synced_of,
};
use crate::support::tui::*;
use crate::support::{Side, Simulators, path_of, spawn_sims};

/// An app whose keys are counted.
struct Keys {
    app: App,
    count: usize,
}

impl Keys {
    fn press(&mut self, code: KeyCode) {
        press(&mut self.app, code);
        self.count += 1;
    }

    fn type_text(&mut self, text: &str) {
        type_text(&mut self.app, text);
        self.count += text.chars().count();
    }
}

/// A new app in `sims`' session, keeping its store in `dir`.
fn start(sims: &Simulators, dir: &tempfile::TempDir) -> (App, UnboundedReceiver<Event>) {
    let session = connected(sims, &dir.path().join("store.sqlite"));
    new_app(session, None, 100, 30)
}

/// A new app in `sims`' session (its store in `dir`) with the sample template loaded by
/// typing its path in the Load screen.
async fn loaded_by_keys(
    sims: &Simulators,
    dir: &tempfile::TempDir,
) -> (Keys, UnboundedReceiver<Event>) {
    let (app, mut rx) = start(sims, dir);
    let mut keys = Keys { app, count: 0 };
    keys.press(KeyCode::Char('i'));
    keys.type_text(&path_of(SAMPLE).display().to_string());
    keys.press(KeyCode::Enter);
    settle(&mut keys.app, &mut rx).await;
    assert_eq!(keys.app.step, Step::Review);
    (keys, rx)
}

/// Plan, answer the question, run, and wait for the end: `4 s y`.
async fn sync_by_keys(keys: &mut Keys, rx: &mut UnboundedReceiver<Event>) {
    keys.press(KeyCode::Char('4'));
    settle(&mut keys.app, rx).await;
    assert_eq!(keys.app.sync.stage, Stage::Planned, "{}", screen(&keys.app));
    keys.press(KeyCode::Char('s'));
    keys.press(KeyCode::Char('y'));
    assert!(keys.app.is_armed());
    settle(&mut keys.app, rx).await;
    assert_eq!(
        keys.app.sync.stage,
        Stage::Finished,
        "{}",
        screen(&keys.app)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_customer_is_onboarded_by_keys_load_upload_sync() {
    let sims = spawn_sims(Scenario::NewCustomer, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut keys, mut rx) = loaded_by_keys(&sims, &dir).await;
    let typed = keys.count;

    // Upload: the dry run, then y; the demo's step puts the buildings in reservation centers.
    keys.press(KeyCode::Char('u'));
    settle(&mut keys.app, &mut rx).await;
    keys.press(KeyCode::Char('y'));
    settle(&mut keys.app, &mut rx).await;
    let panel = keys.app.upload.as_ref().unwrap();
    assert!(matches!(&panel.stage, upload::Stage::Done(r) if !r.has_failures()));
    assert!(
        screen(&keys.app).contains("4 sync"),
        "the panel offers the next step"
    );

    // 4 closes the finished panel on the way to Sync.
    sync_by_keys(&mut keys, &mut rx).await;
    assert!(keys.app.upload.is_none());
    let report = keys.app.sync.report.clone().unwrap();
    assert_eq!(report.status, "succeeded", "{:?}", report.reason);
    assert_eq!(report.kind, Some(RunKind::Initial));
    let counted = keys.count - typed;
    assert_eq!(counted, 5, "u y 4 s y, after loading the file");

    let (eptura, condeco) = (
        sims.state(Side::Eptura).await,
        sims.state(Side::Condeco).await,
    );
    assert_condeco_holds(&eptura, &condeco);
    assert_no_duplicates(&condeco);
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_customer_is_onboarded_by_keys_merge_review_then_sync() {
    let sims = spawn_sims(Scenario::ExistingCustomer, Faults::default()).await;
    let before = resources(&sims.state(Side::Condeco).await);
    let dir = tempfile::tempdir().unwrap();
    let (mut keys, mut rx) = loaded_by_keys(&sims, &dir).await;

    keys.press(KeyCode::Char('3'));
    settle(&mut keys.app, &mut rx).await;
    assert_eq!(keys.app.merge.stage, merge::Stage::Ready);
    let queue = keys.app.merge.rows.len();
    assert_eq!(queue, 5, "the five regions named after their states");
    for _ in 0..queue {
        keys.press(KeyCode::Char('a'));
        settle(&mut keys.app, &mut rx).await;
    }
    assert!(keys.app.merge.rows.is_empty(), "{}", screen(&keys.app));
    let store = Store::open(&dir.path().join("store.sqlite")).unwrap();
    assert_eq!(
        store.decisions().unwrap().len(),
        5,
        "each decision stored as made"
    );

    sync_by_keys(&mut keys, &mut rx).await;
    let report = keys.app.sync.report.clone().unwrap();
    assert_eq!(report.status, "succeeded", "{:?}", report.reason);
    assert_eq!(report.ops.create[&SyncKind::Resource], 1);

    // Linked, not created twice: no duplicate, no booking lost, every synced entity carries
    // its external id, the room only Condeco has left alone.
    let (eptura, condeco) = (
        sims.state(Side::Eptura).await,
        sims.state(Side::Condeco).await,
    );
    assert_no_duplicates(&condeco);
    let want = synced_of(&eptura);
    assert_eq!(external_ids(&condeco, "resources"), want.resources);
    assert_eq!(external_ids(&condeco, "locations"), want.locations);
    let after = resources(&condeco);
    for (id, (name, bookings, _)) in &before {
        let now = after.get(id).map(|r| r.1);
        assert_eq!(now, Some(*bookings), "{name} ({id}) lost bookings");
    }
    assert_eq!(
        after.len(),
        before.len() + 1,
        "one room created, the rest linked"
    );
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_quit_half_way_resumes_when_the_app_is_opened_again() {
    let sims = spawn_sims(Scenario::Large(1500), Faults::default()).await;
    sims.set_faults(Side::Condeco, json!({ "latency_ms": [2, 4] }))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (mut app, mut rx) = start(&sims, &dir);
    press(&mut app, KeyCode::Char('4'));
    settle(&mut app, &mut rx).await;
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('y'));
    handle_until(&mut app, &mut rx, |app| {
        app.sync.live.as_ref().is_some_and(|l| l.done() >= 300)
    })
    .await;
    // q asks first while a sync runs; y quits, and the sync stops after the writes in flight.
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.should_quit());
    assert!(
        screen(&app).contains("A sync is running"),
        "{}",
        screen(&app)
    );
    press(&mut app, KeyCode::Char('y'));
    assert!(app.should_quit());
    assert!(app.wind_down().await, "the sync winds down in time");
    drop(app);
    let runs = Store::open(&dir.path().join("store.sqlite"))
        .unwrap()
        .runs()
        .unwrap();
    assert_eq!(runs[0].status, RunStatus::Cancelled, "{runs:?}");
    let first = runs[0]
        .ops
        .create
        .get(&SyncKind::Resource)
        .copied()
        .unwrap_or(0);
    assert!(first > 0, "{first}");

    // Opened again on the same store: the plan says it resumes run 1; the run finishes it.
    let (mut app, mut rx) = start(&sims, &dir);
    press(&mut app, KeyCode::Char('4'));
    resume_by_keys(&mut app, &mut rx).await;
    let live = app.sync.live.as_ref().unwrap();
    assert_eq!(live.kind, Some(RunKind::Resumed));
    assert!(
        screen(&app).contains("after run 1 stopped"),
        "{}",
        screen(&app)
    );
    assert_eq!(app.sync.report.as_ref().unwrap().status, "succeeded");
    let (eptura, condeco) = (
        sims.state(Side::Eptura).await,
        sims.state(Side::Condeco).await,
    );
    assert_condeco_holds(&eptura, &condeco);
    let second = app.sync.report.as_ref().unwrap().ops.create[&SyncKind::Resource];
    let held = condeco["resources"].as_array().unwrap().len() as u64;
    assert_eq!(
        first + second,
        held,
        "every resource created once: none twice, none left"
    );
    sims.shutdown().await;
}
