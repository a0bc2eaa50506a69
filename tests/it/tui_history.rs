//! The History screen: the store's runs (initial, daily, resumed; succeeded, partial, failed)
//! with their counts, durations and requests, a run drilled into (rejected items with
//! Condeco's message, drift), and the schedule's next run; insta snapshots at 80×24 and
//! 200×50 from fixed runs, then against a real store: the daemon's next run read back, and
//! `s` going to Sync with the question before going ARMED opening once the plan is in.

use crossterm::event::KeyCode;
use spacebridge::domain::ids::{CondecoLocationId, EpturaBuildingId, EpturaSpaceId};
use spacebridge::domain::{CondecoKey, ExternalId, SyncKind};
use spacebridge::sim::Faults;
use spacebridge::store::{
    Drift, DriftChange, LockHolder, OpCounts, RejectedItem, RequestCounts, Run, RunId, RunKind,
    RunStatus, Schedule, Store,
};
use spacebridge::tui::reads::{HistoryRead, RunDetail};
use spacebridge::tui::screens::history::Stage;
use spacebridge::tui::screens::sync;
use spacebridge::tui::{App, Link, Session, Step};

use crate::support::syncing::onboarded;
use crate::support::tui::*;

fn run(id: i64, kind: RunKind, status: RunStatus, minute: u32, created: u64) -> Run {
    Run {
        run_id: RunId::new(id),
        kind,
        status,
        started: format!("2026-05-0{id}T02:30:00.000Z"),
        ended: Some(format!("2026-05-0{id}T02:{minute:02}:07.500Z")),
        ops: OpCounts {
            create: [(SyncKind::Resource, created)].into_iter().collect(),
            update: [(SyncKind::Resource, 3)].into_iter().collect(),
            ..OpCounts::default()
        },
        requests: RequestCounts {
            eptura: 41 * id as u64,
            condeco: created + 12,
        },
        rejected: u64::from(status == RunStatus::Partial) * 2,
        drift: u64::from(kind == RunKind::Daily),
    }
}

fn history() -> HistoryRead {
    HistoryRead {
        runs: vec![
            run(4, RunKind::Daily, RunStatus::Partial, 31, 12),
            run(3, RunKind::Resumed, RunStatus::Succeeded, 34, 1_204),
            run(2, RunKind::Initial, RunStatus::Failed, 33, 980),
            run(1, RunKind::Initial, RunStatus::Cancelled, 30, 120),
        ],
        schedule: Some(Schedule {
            rule: "a sync every day at 02:30 local time".into(),
            next_run: Some("2026-05-05T02:30:00Z".into()),
            holder: LockHolder {
                pid: 4242,
                host: "ops-box".into(),
            },
            updated_at: "2026-05-04T02:31:08.000Z".into(),
        }),
        daemon_alive: true,
        outstanding: 2,
    }
}

fn detail() -> RunDetail {
    let rejected = |space: i64, message: &str| RejectedItem {
        run: RunId::new(4),
        eptura: ExternalId::Resource(EpturaSpaceId::from(space)),
        http_status: 409,
        message: message.into(),
        rejected_at: "2026-05-04T02:30:41.000Z".into(),
        cleared_at: None,
    };
    RunDetail {
        run: RunId::new(4),
        rejected: vec![
            rejected(1044, "a resource named \"Huddle 2\" exists on this floor"),
            rejected(1045, "the name \"Desk, Window\" contains a comma"),
        ],
        drift: vec![Drift {
            kind: SyncKind::Location,
            eptura: ExternalId::Location(EpturaBuildingId::from(1301)),
            condeco: CondecoKey::Location(CondecoLocationId::from(12)),
            change: DriftChange::Changed,
            fields: vec!["name".into()],
        }],
    }
}

fn history_app(width: u16, height: u16) -> App {
    let session = Session {
        profile: Some("acme".into()),
        eptura: Link::Configured("https://acme.eptura.example".into()),
        condeco: Link::Configured("https://api.condeco.example".into()),
        store: Some("/tmp/acme.sqlite".into()),
        ..Session::default()
    };
    let (mut app, _rx) = new_app(session, None, width, height);
    app.step = Step::History;
    app.history.history(Ok(Box::new(history())));
    app
}

#[test]
fn the_runs_and_the_schedule_s_next_run() {
    for (width, height) in [(80, 24), (200, 50)] {
        let mut app = history_app(width, height);
        assert_eq!(app.history.stage, Stage::Ready);
        let shown = screen(&app);
        assert!(
            shown.contains("Next run 2026-05-05 02:30:00 UTC"),
            "{shown}"
        );
        assert!(
            shown.contains("⚠ partial") && shown.contains("✗ failed"),
            "{shown}"
        );
        insta::assert_snapshot!(format!("history_{width}x{height}"), draw(&app).backend());

        // Drilled into: the rejected items with Condeco's message, and the drift.
        app.history.detail(Ok(Box::new(detail())));
        let shown = screen(&app);
        assert!(
            shown.contains("✗ resource 1044 (409): a resource named \"Huddle 2\""),
            "{shown}"
        );
        insta::assert_snapshot!(
            format!("history_run_detail_{width}x{height}"),
            draw(&app).backend()
        );
    }
}

#[test]
fn a_schedule_whose_daemon_stopped_says_so() {
    let mut app = history_app(120, 30);
    let mut read = history();
    read.daemon_alive = false;
    app.history.history(Ok(Box::new(read)));
    let shown = screen(&app);
    assert!(shown.contains("is not running: start it again"), "{shown}");
    // The mouse: a click on the third run selects it, a second click opens it.
    let runs = spacebridge::tui::screens::history::Panes::of(app.main_area()).runs;
    click(&mut app, runs.x + 4, runs.y + 4);
    assert_eq!(app.history.cursor.selected, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_s_schedule_is_read_and_s_syncs_now_after_the_plan() {
    let (sims, dir) = onboarded(Faults::default()).await;
    let path = dir.path().join("store.sqlite");
    let mut store = Store::open(&path).unwrap();
    let me = LockHolder::this_process();
    // A daemon of this process holds the store and has recorded its next run.
    store
        .record_schedule("a sync now and every 6h", Some("2026-05-05T08:00:00Z"), &me)
        .unwrap();
    let lock = store.acquire_lock(&me).unwrap();

    let session = crate::support::tui::connected(&sims, &path);
    let (mut app, mut rx) = app_in(session, SAMPLE, 120, 40);
    press(&mut app, KeyCode::Char('5'));
    settle(&mut app, &mut rx).await;
    let shown = screen(&app);
    assert!(
        shown.contains("Next run 2026-05-05 08:00:00 UTC · a sync now and every 6h"),
        "{shown}"
    );
    assert!(
        shown.contains("No sync has run on this store yet"),
        "{shown}"
    );
    drop(lock);

    // s: to Sync, the plan, then the question at once (nothing written before y).
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.step, Step::Sync);
    settle(&mut app, &mut rx).await;
    assert_eq!(app.sync.stage, sync::Stage::Confirming, "{}", screen(&app));
    sims.shutdown().await;
}
