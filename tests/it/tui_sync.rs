//! The Sync screen: its states drawn from a fixed plan and fixed engine events (insta snapshots
//! at 80×24 and 200×50: the plan with held ops, the question before going ARMED, a sync in
//! progress, the rejected items, a run that resumes one a crash left), and driven headless
//! against the simulators over loopback with a real store: plan → question → ARMED → done,
//! held ops approved one by one with their bookings said, the rejected ones shown with
//! Condeco's message and retried on their own, pause, resume and cancel, then a resumed run.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use reqwest::Method;
use serde_json::{Value, json};
use spacebridge::domain::SyncKind;
use spacebridge::http::HttpStats;
use spacebridge::sim::{Faults, Scenario};
use spacebridge::store::{OpCounts, RequestCounts, Run, RunId, RunKind, RunStatus};
use spacebridge::sync::apply::Rejected;
use spacebridge::sync::desired::Skipped;
use spacebridge::sync::engine::{HeldOp, Resumable};
use spacebridge::sync::plan::{Action, Hold};
use spacebridge::sync::{Event, PlanOptions, SyncReport};
use spacebridge::tui::reads::PlanRead;
use spacebridge::tui::screens::sync::{List, Stage};
use spacebridge::tui::{App, Link, Session, Step};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support::syncing::{
    a_synced_room, assert_condeco_matches, book, eptura_call, expected, onboarded, sync, writes,
};
use crate::support::tui::*;
use crate::support::{CONDECO_CLIENT, Side, spawn_sims};

// ---- Drawn from fixed states -------------------------------------------------------------

fn ops(pairs: &[(SyncKind, u64)]) -> BTreeMap<SyncKind, u64> {
    pairs.iter().copied().collect()
}

/// A plan of 7 buildings' worth of creates, two destructive ops held with their bookings.
fn plan(resumes: Option<Resumable>) -> PlanRead {
    let held = |kind, eptura: &str, reason: &str, bookings, resources| HeldOp {
        kind,
        action: Action::Delete,
        eptura_id: eptura.into(),
        condeco_id: Some("88".into()),
        hold: Hold {
            id: format!("{kind}:{eptura}"),
            reason: reason.into(),
            bookings,
            resources,
            approved: false,
        },
    };
    PlanRead {
        report: SyncReport {
            run_id: None,
            kind: None,
            status: "planned".into(),
            reason: None,
            ops: OpCounts {
                create: ops(&[
                    (SyncKind::Country, 2),
                    (SyncKind::Group, 2),
                    (SyncKind::Region, 7),
                    (SyncKind::Location, 7),
                    (SyncKind::Floor, 21),
                    (SyncKind::WorkspaceType, 7),
                    (SyncKind::Resource, 412),
                ]),
                unchanged: ops(&[(SyncKind::Resource, 1_204)]),
                ..OpCounts::default()
            },
            held_destructive: vec![
                held(
                    SyncKind::Resource,
                    "1026",
                    "deleted in Eptura Workplace",
                    7,
                    1,
                ),
                held(
                    SyncKind::Resource,
                    "1031",
                    "switched between ME and WE: deleted and created again",
                    3,
                    1,
                ),
            ],
            rejected: Vec::new(),
            unmatched_approvals: Vec::new(),
            skipped: vec![Skipped {
                kind: SyncKind::Location,
                what: "building 1307 (Washington Capitol Hill)".into(),
                reason: "no reservation center: assign it to one in Eptura Workplace".into(),
            }],
            requests: RequestCounts {
                eptura: 12,
                condeco: 8,
            },
            drift: Vec::new(),
            bookings_deleted: 0,
        },
        resumes,
        retry_rejected: false,
    }
}

/// A run a crash left running, as the store shows it.
fn crashed_run() -> Resumable {
    Resumable {
        run: Run {
            run_id: RunId::new(6),
            kind: RunKind::Initial,
            status: RunStatus::Running,
            started: "2026-05-01T14:02:00.000Z".into(),
            ended: None,
            ops: OpCounts::default(),
            requests: RequestCounts::default(),
            rejected: 0,
            drift: 0,
        },
        crashed: true,
    }
}

/// An app of `width`×`height` on Sync with `plan` shown, nothing written.
fn planned_app(width: u16, height: u16, plan: PlanRead) -> App {
    let session = Session {
        profile: Some("acme".into()),
        eptura: Link::Configured("https://acme.eptura.example".into()),
        condeco: Link::Configured("https://api.condeco.example".into()),
        ..Session::default()
    };
    let (mut app, _rx) = new_app(session, None, width, height);
    app.step = Step::Sync;
    app.sync.planned(Ok(Box::new(plan)));
    app
}

fn traffic(requests: u64, throttled: u64, concurrency: usize) -> Event {
    Event::Traffic {
        condeco: HttpStats {
            requests,
            throttled,
            retries: throttled,
            ..HttpStats::default()
        },
        eptura: HttpStats::default(),
        concurrency,
        paced_rate: None,
    }
}

/// The run of [`plan`] well into its resources, fed as the engine reports it, every quarter
/// second from `start`; two rooms rejected, some 429s.
fn run_events(app: &mut App, start: Instant, resumed_from: Option<RunId>) {
    let at = |ms: u64| start + Duration::from_millis(ms);
    let planned = plan(None).report.ops;
    let kind = match resumed_from {
        Some(_) => RunKind::Resumed,
        None => RunKind::Initial,
    };
    app.sync.events(
        vec![
            Event::Started {
                run: RunId::new(7),
                kind,
                resumed_from,
            },
            Event::Reading {
                what: "Eptura Workplace",
            },
            Event::Planned {
                counts: planned.clone(),
                held: 2,
            },
        ],
        at(0),
    );
    for (kind, total) in planned.create {
        let done = if kind == SyncKind::Resource {
            187
        } else {
            total
        };
        let mut events = vec![Event::LevelStarted { kind, total }];
        events.extend((1..=done).map(|done| Event::OpDone {
            kind,
            action: Action::Create,
            label: format!("{kind} {done}"),
            done,
            total,
        }));
        app.sync.events(events, at(100));
    }
    for (tick, (requests, throttled, concurrency)) in [
        (0, 0, 16),
        (40, 0, 16),
        (90, 2, 8),
        (140, 2, 8),
        (190, 2, 9),
    ]
    .into_iter()
    .enumerate()
    {
        let events = vec![traffic(requests, throttled, concurrency)];
        app.sync.events(events, at(100 + 250 * tick as u64));
    }
    let rejected = |id: &str, message: &str| {
        Event::Rejected(Rejected {
            kind: SyncKind::Resource,
            eptura_id: id.into(),
            status: 400,
            message: message.into(),
        })
    };
    app.sync.events(
        vec![
            rejected("1044", "400 name contains a comma: \"Desk, Window\""),
            rejected(
                "1045",
                "409 a resource named \"Huddle 2\" exists on this floor",
            ),
            Event::OpDone {
                kind: SyncKind::Resource,
                action: Action::Create,
                label: "resource 188".into(),
                done: 188,
                total: 412,
            },
        ],
        at(1100),
    );
}

/// An app of `width`×`height` whose sync of [`plan`] runs (resuming `resumed_from`), its
/// events fed from a fixed start.
fn running_app(width: u16, height: u16, resumes: Option<Resumable>) -> App {
    let resumed_from = resumes.as_ref().map(|r| r.run.run_id);
    let mut app = planned_app(width, height, plan(resumes));
    let start = Instant::now();
    app.sync.started(start);
    run_events(&mut app, start, resumed_from);
    app
}

fn snapshot_both(name: &str, make: impl Fn(u16, u16) -> App) {
    for (width, height) in [(80, 24), (200, 50)] {
        let app = make(width, height);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), draw(&app).backend());
    }
}

#[test]
fn the_plan_shows_held_ops_with_their_bookings() {
    snapshot_both("sync_plan_held", |w, h| {
        let mut app = planned_app(w, h, plan(None));
        assert_eq!(app.sync.list, List::Held, "held ops wait for the operator");
        press(&mut app, KeyCode::Char('d'));
        assert!(
            said(&app).contains("7 booking(s) will be lost"),
            "{}",
            said(&app)
        );
        app.message = None;
        app
    });
    snapshot_both("sync_confirm", |w, h| {
        let mut app = planned_app(w, h, plan(None));
        press(&mut app, KeyCode::Char('D'));
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sync.stage, Stage::Confirming);
        assert!(
            !app.is_armed(),
            "the question comes before anything is written"
        );
        app.message = None;
        app
    });
}

#[test]
fn a_sync_in_progress_shows_gauges_rates_and_its_log() {
    snapshot_both("sync_in_progress", |w, h| {
        let app = running_app(w, h, None);
        assert!(app.is_armed());
        let head = screen(&app);
        assert!(head.lines().next().unwrap().contains("ARMED"), "{head}");
        app
    });
}

#[test]
fn rejected_items_show_condeco_s_message() {
    snapshot_both("sync_rejected", |w, h| {
        let mut app = running_app(w, h, None);
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.sync.list, List::Rejected);
        let shown = screen(&app);
        assert!(
            shown.contains("✗ resource 1044 (400): 400 name contains a comma"),
            "{shown}"
        );
        app
    });
}

#[test]
fn a_run_that_resumes_a_crashed_one_says_so_and_what_was_done() {
    let planned = screen(&planned_app(100, 30, plan(Some(crashed_run()))));
    assert!(planned.contains("this sync resumes run 6"), "{planned}");
    assert!(planned.contains("crash"), "{planned}");
    snapshot_both("sync_resumed", |w, h| {
        let app = running_app(w, h, Some(crashed_run()));
        let shown = screen(&app);
        assert!(
            shown.contains("after run 6 crashed: 1204 already done"),
            "{shown}"
        );
        app
    });
}

// ---- Against the simulators ---------------------------------------------------------------

/// An app connected to `sims` with its store in `dir`, on Sync with the plan shown (`4`).
async fn planned_by_keys(
    sims: &crate::support::Simulators,
    dir: &tempfile::TempDir,
) -> (App, UnboundedReceiver<spacebridge::tui::Event>) {
    let session = connected(sims, &dir.path().join("store.sqlite"));
    let (mut app, mut rx) = app_in(session, SAMPLE, 120, 40);
    press(&mut app, KeyCode::Char('4'));
    settle(&mut app, &mut rx).await;
    assert_eq!(app.sync.stage, Stage::Planned, "{}", screen(&app));
    (app, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_then_question_then_armed_then_done_and_history_lists_it() {
    let (sims, dir) = onboarded(Faults::default()).await;
    let session = connected(&sims, &dir.path().join("store.sqlite"));
    let (mut app, mut rx) = app_in(session, SAMPLE, 120, 40);
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(app.sync.stage, Stage::Planning);
    settle(&mut app, &mut rx).await;
    assert_eq!(app.sync.stage, Stage::Planned, "{}", screen(&app));
    let planned = app.sync.plan.as_ref().unwrap().report.ops.clone();
    let rooms = expected(&sims).await.resources.len() as u64;
    assert_eq!(planned.create[&SyncKind::Resource], rooms, "{planned:?}");
    assert_eq!(writes(&sims).await, 0, "a plan writes nothing");

    // The question, then back: still nothing written.
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sync.stage, Stage::Confirming);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.sync.stage, Stage::Planned);
    assert_eq!(writes(&sims).await, 0);

    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('y'));
    assert!(app.is_armed());
    settle(&mut app, &mut rx).await;
    assert_eq!(app.sync.stage, Stage::Finished);
    assert!(!app.is_armed());
    let report = app.sync.report.clone().unwrap();
    assert_eq!(report.status, "succeeded", "{:?}", report.reason);
    assert_eq!(report.ops.create, planned.create);
    assert_condeco_matches(&sims).await;
    let live = app.sync.live.as_ref().unwrap();
    assert_eq!(live.done(), live.total(), "every gauge full");
    assert!(said(&app).contains("succeeded"), "{}", said(&app));
    let hints = screen(&app).lines().last().unwrap_or_default().to_string();
    assert!(!hints.contains("retry"), "nothing was rejected: {hints}");

    press(&mut app, KeyCode::Char('5'));
    settle(&mut app, &mut rx).await;
    let runs = &app.history.read.as_ref().unwrap().runs;
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].kind, runs[0].status),
        (RunKind::Initial, RunStatus::Succeeded)
    );
    press(&mut app, KeyCode::Enter);
    settle(&mut app, &mut rx).await;
    assert!(
        screen(&app).contains("✓ nothing rejected"),
        "{}",
        screen(&app)
    );
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_delete_is_approved_with_its_bookings_said_and_runs() {
    let (sims, dir) = onboarded(Faults::default()).await;
    assert_eq!(
        sync(&sims, &dir, PlanOptions::default()).await.status,
        "succeeded"
    );
    let (resource, room) = a_synced_room(&sims, "WE", 0).await;
    book(&sims, resource, 7).await;
    let room_id = room["id"].as_i64().unwrap();
    eptura_call(
        &sims,
        Method::DELETE,
        &format!("/rooms/{room_id}"),
        Value::Null,
    )
    .await;

    let (mut app, mut rx) = planned_by_keys(&sims, &dir).await;
    let held = app.sync.held().into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].hold.bookings, 7);
    assert!(screen(&app).contains("7 bookings"), "{}", screen(&app));

    // Held unless approved: a run now would not delete it.
    press(&mut app, KeyCode::Char('d'));
    assert!(
        said(&app).contains("7 booking(s) will be lost"),
        "{}",
        said(&app)
    );
    press(&mut app, KeyCode::Char('s'));
    assert!(screen(&app).contains("1 of 1 held op(s) approved: 7 booking(s) will be lost"));
    press(&mut app, KeyCode::Char('y'));
    settle(&mut app, &mut rx).await;
    let report = app.sync.report.clone().unwrap();
    assert_eq!(report.bookings_deleted, 7, "{report:?}");
    let condeco = sims.state(Side::Condeco).await;
    let still = condeco["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["resourceId"] == json!(resource));
    assert!(!still, "the approved delete ran");
    sims.shutdown().await;
}

/// A resource another integration made in Condeco with the name a new Eptura room wants on its
/// floor: Condeco refuses the sync's create (409). Returns the resource's id.
async fn take_the_name(sims: &crate::support::Simulators, name: &str) -> (i64, Value) {
    let eptura = sims.state(Side::Eptura).await;
    let room = eptura["rooms"][0].clone();
    let new_room = sims
        .eptura_api()
        .create(
            "/rooms",
            json!({ "name": name, "floor": { "id": room["floor"]["id"] },
                    "type": { "id": room["type"]["id"] }, "capacity": 1, "reservable": true }),
        )
        .await;
    let condeco = sims.state(Side::Condeco).await;
    let synced = (condeco["resources"].as_array().unwrap().iter())
        .find(|r| r["externalId"] == json!(room["id"].as_i64().unwrap().to_string()))
        .unwrap()
        .clone();
    let mut twin = synced;
    let map = twin.as_object_mut().unwrap();
    map.remove("resourceId");
    map.insert("externalId".into(), json!("other-integration-1"));
    map.insert("name".into(), json!(name));
    let api = sims.condeco_api(CONDECO_CLIENT).await;
    let id = api.create("resources", twin).await["resourceId"]
        .as_i64()
        .unwrap();
    (id, new_room)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_ones_show_condeco_s_message_and_are_retried_on_their_own() {
    let sims = spawn_sims(Scenario::Large(100), Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        sync(&sims, &dir, PlanOptions::default()).await.status,
        "succeeded"
    );
    let (twin, new_room) = take_the_name(&sims, "Hand Made Twin").await;

    let (mut app, mut rx) = planned_by_keys(&sims, &dir).await;
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('y'));
    settle(&mut app, &mut rx).await;
    let report = app.sync.report.clone().unwrap();
    assert_eq!(report.status, "partial");
    assert_eq!(
        app.sync.list,
        List::Rejected,
        "the rejected ones are shown first"
    );
    let shown = screen(&app);
    let id = new_room["id"].as_i64().unwrap().to_string();
    assert!(shown.contains(&format!("✗ resource {id} (409)")), "{shown}");
    assert!(
        shown.contains("Hand Made Twin"),
        "Condeco's message: {shown}"
    );
    assert!(
        said(&app).contains("r retries just those"),
        "{}",
        said(&app)
    );

    // The operator renames Condeco's resource; r plans only the rejected room, then runs it.
    let api = sims.condeco_api(CONDECO_CLIENT).await;
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("resources/{twin}"),
            Some(json!({ "name": "Hand Made" })),
        )
        .await;
    assert!(status.is_success());
    press(&mut app, KeyCode::Char('r'));
    settle(&mut app, &mut rx).await;
    let plan = app.sync.plan.clone().unwrap();
    assert!(plan.retry_rejected);
    assert_eq!(
        plan.report.ops.create.values().sum::<u64>(),
        1,
        "{:?}",
        plan.report.ops
    );
    let before = writes(&sims).await;
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('y'));
    settle(&mut app, &mut rx).await;
    assert_eq!(app.sync.report.as_ref().unwrap().status, "succeeded");
    assert_eq!(writes(&sims).await - before, 1, "only the rejected room");
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_cancel_then_the_next_sync_resumes() {
    let faults: Faults = serde_json::from_value(json!({ "latency_ms": [2, 4] })).unwrap();
    let sims = spawn_sims(Scenario::Large(2000), faults).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut app, mut rx) = planned_by_keys(&sims, &dir).await;
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('y'));
    let resources = |app: &App| {
        let live = app.sync.live.as_ref().unwrap();
        (live.gauges.iter())
            .find(|g| g.kind == SyncKind::Resource)
            .map_or(0, |g| g.done)
    };
    handle_until(&mut app, &mut rx, |app| resources(app) >= 100).await;

    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.sync.stage, Stage::Paused);
    assert!(screen(&app).contains("PAUSED"));
    // The writes in flight land; then nothing more is written while paused.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let paused_at = writes(&sims).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(writes(&sims).await, paused_at, "no write while paused");

    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.sync.stage, Stage::Running);
    handle_until(&mut app, &mut rx, |app| resources(app) >= 400).await;
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.sync.stage, Stage::Stopping);
    settle(&mut app, &mut rx).await;
    let cancelled = app.sync.report.clone().unwrap();
    assert_eq!(cancelled.status, "cancelled");
    assert!(
        said(&app).contains("the next sync resumes the rest"),
        "{}",
        said(&app)
    );

    // s plans a new sync: it says it resumes the cancelled run, then finishes the rest.
    press(&mut app, KeyCode::Char('s'));
    resume_by_keys(&mut app, &mut rx).await;
    let resumes = app.sync.plan.as_ref().unwrap().resumes.clone().unwrap();
    assert_eq!(resumes.run.status, RunStatus::Cancelled);
    let live = app.sync.live.as_ref().unwrap();
    assert_eq!(live.resumed_from, Some(RunId::new(1)));
    assert_eq!(live.kind, Some(RunKind::Resumed));
    assert_eq!(app.sync.report.as_ref().unwrap().status, "succeeded");
    assert_condeco_matches(&sims).await;
    sims.shutdown().await;
}

#[test]
fn without_colour_the_live_view_keeps_its_symbols_and_words() {
    let mut app = running_app(100, 30, Some(crashed_run()));
    app.theme = spacebridge::tui::Theme { color: false };
    let terminal = draw(&app);
    for cell in terminal.backend().buffer().content() {
        assert_eq!(
            cell.fg,
            ratatui::style::Color::Reset,
            "no colour under NO_COLOR"
        );
        assert_eq!(
            cell.bg,
            ratatui::style::Color::Reset,
            "no colour under NO_COLOR"
        );
    }
    let text = terminal.backend().to_string();
    for said in [
        "ARMED",
        "✓countries",
        "▸resources",
        "after run 6 crashed",
        "429s",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
}
