//! The Upload panel (`u` in Review) driven headless against a real Eptura simulator over
//! loopback: refusals and left-out buildings, the dry run, the real upload with ARMED mode and
//! the demo's reservation-center step, a cancelled upload finished by the next one, and a
//! second run that finds everything present.

use crossterm::event::KeyCode;
use serde_json::json;
use spacebridge::sim::{Faults, Scenario};
use spacebridge::tui::screens::upload::Stage;
use spacebridge::tui::{App, Event, Link, Session};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support::tui::*;
use crate::support::{Side, Simulators, spawn_sims};

async fn simulator() -> Simulators {
    spawn_sims(Scenario::NewCustomer, Faults::default()).await
}

/// A session with a client of the Eptura simulator and the demo's center step, and no
/// Condeco: [`connected`] without it.
fn session(sims: &Simulators) -> Session {
    Session {
        condeco: Link::NotConfigured,
        condeco_client: None,
        store: None,
        ..connected(sims, std::path::Path::new("unused.sqlite"))
    }
}

/// How many records of `key` ("rooms", say) a simulator state holds.
fn count(state: &serde_json::Value, key: &str) -> usize {
    state[key].as_array().map_or(0, Vec::len)
}

fn stage(app: &App) -> &Stage {
    &app.upload.as_ref().expect("the upload panel is open").stage
}

/// Wait for the running upload's reply (skipping a stale one of a cancelled job) and check it
/// succeeded.
async fn finish(app: &mut App, rx: &mut UnboundedReceiver<Event>) {
    while app.is_busy() {
        let (_, result) = next_reply(app, rx).await;
        assert_eq!(result, Ok(()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_then_upload_then_everything_present() {
    let sims = simulator().await;
    let (mut app, mut rx) = app_in(session(&sims), SAMPLE, 110, 32);

    press(&mut app, KeyCode::Char('u'));
    assert!(matches!(stage(&app), Stage::Checking));
    assert!(!app.is_armed(), "a dry run is not armed");
    finish(&mut app, &mut rx).await;
    let Stage::Checked(report) = stage(&app) else {
        panic!("the dry run's result shows: {:?}", stage(&app));
    };
    assert_eq!(report.buildings.created, 7);
    assert_eq!(report.floors.created, 21);
    assert_eq!(report.spaces.created, 422);
    // new-customer has 4 of the sample's 11 space types.
    assert_eq!(
        (report.space_types.created, report.space_types.present),
        (7, 4)
    );
    assert_eq!(
        count(&sims.state(Side::Eptura).await, "buildings"),
        0,
        "a dry run writes nothing"
    );
    insta::assert_snapshot!("upload_dry_run", draw(&app).backend());

    press(&mut app, KeyCode::Char('y'));
    assert!(matches!(stage(&app), Stage::Running));
    assert!(app.is_armed());
    assert!(screen(&app).lines().next().unwrap_or("").contains("ARMED"));
    finish(&mut app, &mut rx).await;
    let Stage::Done(report) = stage(&app) else {
        panic!("the upload's summary shows: {:?}", stage(&app));
    };
    assert!(!report.has_failures(), "{:?}", report.failures);
    assert_eq!(report.spaces.created, 422);
    let top = screen(&app);
    assert!(top.lines().next().unwrap_or("").contains("DRY-RUN"));
    assert!(top.contains("done: 457 record(s) created"), "{top}");
    let status = said(&app);
    assert!(
        status.contains("demo: assigned 7 buildings to 7 reservation centers, standing in for"),
        "{status}"
    );

    let state = sims.state(Side::Eptura).await;
    assert_eq!(count(&state, "buildings"), 7);
    assert_eq!(count(&state, "rooms"), 422);
    let assigned: usize = (state["centers"].as_array().expect("centers"))
        .iter()
        .map(|c| c["buildings"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        assigned, 7,
        "every building with a reservable space has a center"
    );

    press(&mut app, KeyCode::Esc);
    assert!(app.upload.is_none(), "Esc closes a finished panel");
    press(&mut app, KeyCode::Char('u'));
    finish(&mut app, &mut rx).await;
    let Stage::Checked(report) = stage(&app) else {
        panic!("the second dry run shows: {:?}", stage(&app));
    };
    assert_eq!(report.writes(), 0);
    assert_eq!(report.spaces.present, 422);
    assert!(screen(&app).contains("everything is already in Eptura Workplace"));
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_upload_is_finished_by_the_next() {
    let sims = simulator().await;
    // Some latency, so the upload is surely still running when the test cancels it.
    sims.set_faults(Side::Eptura, json!({ "latency_ms": [5, 10] }))
        .await;
    let (mut app, mut rx) = app_in(session(&sims), SAMPLE, 110, 32);
    press(&mut app, KeyCode::Char('u'));
    finish(&mut app, &mut rx).await;
    press(&mut app, KeyCode::Char('y'));
    // Let it create part of the portfolio (the job reports its progress), then stop it.
    handle_until(&mut app, &mut rx, |app| {
        app.upload
            .as_ref()
            .is_some_and(|p| p.progress.floors.created >= 1)
    })
    .await;
    let progress = app.upload.as_ref().expect("panel").progress;
    assert!(progress.spaces.created < 422, "stopped half-way");
    press(&mut app, KeyCode::Esc);
    assert!(matches!(stage(&app), Stage::Stopping));
    // The writes in flight finish; the last message counts exactly what was created.
    finish(&mut app, &mut rx).await;
    let Stage::Stopped(report) = stage(&app) else {
        panic!("the stopped upload's count shows: {:?}", stage(&app));
    };
    let state = sims.state(Side::Eptura).await;
    assert_eq!(
        report.spaces.created,
        count(&state, "rooms"),
        "the count is what the simulator holds"
    );
    assert_eq!(report.floors.created, count(&state, "floors"));
    assert!(!app.is_busy() && !app.is_armed());
    assert!(screen(&app).contains("the next upload (u) finishes the rest"));

    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('u'));
    finish(&mut app, &mut rx).await;
    let Stage::Checked(report) = stage(&app) else {
        panic!("the dry run after the cancel shows: {:?}", stage(&app));
    };
    assert!(report.buildings.present >= 1, "what was created stays");
    assert!(report.spaces.created > 0, "the rest is still to do");
    press(&mut app, KeyCode::Char('y'));
    finish(&mut app, &mut rx).await;
    assert!(matches!(stage(&app), Stage::Done(r) if !r.has_failures()));
    assert_eq!(count(&sims.state(Side::Eptura).await, "buildings"), 7);
    assert_eq!(
        count(&sims.state(Side::Eptura).await, "rooms"),
        422,
        "no duplicates, nothing missing"
    );
    sims.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_with_errors_leaves_broken_buildings_out() {
    let sims = simulator().await;
    let (mut app, mut rx) = app_in(session(&sims), MISTAKES, 110, 32);
    press(&mut app, KeyCode::Char('u'));
    assert!(matches!(stage(&app), Stage::LeaveOut));
    let shown = screen(&app);
    for label in [
        "Houston Energy Center (HOU1)",
        "Boston Seaport (BOS1)",
        "New York Midtown (NYC1)",
        "Chicago West Loop (CHI1)",
        "Washington Capitol Hill (DCA1)",
    ] {
        assert!(
            shown.contains(label),
            "{label} is listed as left out:\n{shown}"
        );
    }
    let left_out = &app.upload.as_ref().expect("panel").left_out;
    assert_eq!(
        left_out.len(),
        5,
        "TOR1 and MTL1 have warnings only: {left_out:?}"
    );
    assert!(!app.is_busy(), "nothing runs before the operator says so");

    press(&mut app, KeyCode::Char('y'));
    finish(&mut app, &mut rx).await;
    let Stage::Checked(report) = stage(&app) else {
        panic!("the dry run's result shows: {:?}", stage(&app));
    };
    assert_eq!(report.buildings.created, 2, "TOR1 and MTL1 go");
    assert!(screen(&app).contains("left out (they have errors)"));
    sims.shutdown().await;
}

#[test]
fn without_eptura_the_panel_says_what_to_set() {
    let session = Session {
        eptura_missing: vec![
            "the Eptura user is not set: give --eptura-username, set \
             SPACEBRIDGE_EPTURA_USERNAME, or put eptura_username in the config file profile"
                .into(),
        ],
        settings_from: Some("profile acme of /home/ops/.config/spacebridge/config.toml".into()),
        ..Session::default()
    };
    let (mut app, _rx) = app_in(session, SAMPLE, 100, 30);
    press(&mut app, KeyCode::Char('u'));
    assert!(matches!(stage(&app), Stage::NotConfigured));
    assert!(!app.is_busy());
    let shown = screen(&app);
    assert!(shown.contains("SPACEBRIDGE_EPTURA_USERNAME"), "{shown}");
    assert!(shown.contains("the Eptura user is not set"), "{shown}");
    assert!(shown.contains("profile acme of"), "{shown}");
    // `?` lists the panel's keys and goes back to the panel.
    press(&mut app, KeyCode::Char('?'));
    let help = screen(&app);
    assert!(
        help.contains("Help: Upload panel") && help.contains("close the panel"),
        "{help}"
    );
    press(&mut app, KeyCode::Esc);
    assert!(
        screen(&app).contains("SPACEBRIDGE_EPTURA_USERNAME"),
        "back to the panel"
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.upload.is_none());
    // The command line opens it too.
    type_text(&mut app, ":upload");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(stage(&app), Stage::NotConfigured));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quit_while_uploading_asks_first() {
    let sims = simulator().await;
    let (mut app, mut rx) = app_in(session(&sims), SAMPLE, 110, 32);
    press(&mut app, KeyCode::Char('u'));
    finish(&mut app, &mut rx).await;
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.should_quit(), "q asks first while the upload runs");
    assert!(screen(&app).contains("Quit?"));
    press(&mut app, KeyCode::Char('n'));
    assert!(matches!(stage(&app), Stage::Running), "back to the panel");
    press(&mut app, KeyCode::Char('q'));
    press(&mut app, KeyCode::Char('y'));
    assert!(app.should_quit());
    sims.shutdown().await;
}

#[test]
fn errors_of_no_building_refuse_the_upload_and_say_why() {
    let (mut app, _rx) = app_with("tests/fixtures/broken/missing-columns.xlsx", 100, 30);
    press(&mut app, KeyCode::Char('u'));
    let Stage::Blocked { errors, total } = stage(&app) else {
        panic!("the template is refused: {:?}", stage(&app));
    };
    assert_eq!(*total, 2);
    assert!(errors.iter().any(|e| e.contains("\"Floor\"")), "{errors:?}");
    assert!(!app.is_busy());
    let shown = screen(&app);
    assert!(shown.contains("cannot be uploaded"), "{shown}");
    assert!(shown.contains("missing-column"), "{shown}");
    // Nothing to say yes to: only the way out works, and the hints offer only that.
    press(&mut app, KeyCode::Char('y'));
    assert!(app.upload.is_some(), "y does nothing here");
    assert!(!shown.contains("y go on"), "{shown}");
    press(&mut app, KeyCode::Enter);
    assert!(app.upload.is_none(), "Enter closes it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_upload_counts_429s_and_still_finishes() {
    let sims = simulator().await;
    sims.set_faults(Side::Eptura, json!({ "rate_limit": 0.03 }))
        .await;
    let (mut app, mut rx) = app_in(session(&sims), SAMPLE, 110, 32);
    press(&mut app, KeyCode::Char('u'));
    finish(&mut app, &mut rx).await;
    press(&mut app, KeyCode::Char('y'));
    finish(&mut app, &mut rx).await;
    let panel = app.upload.as_ref().expect("panel");
    assert!(matches!(&panel.stage, Stage::Done(r) if !r.has_failures()));
    assert!(panel.stats.throttled > 0, "{:?}", panel.stats);
    assert!(
        panel.stats.retries >= panel.stats.throttled,
        "{:?}",
        panel.stats
    );
    let expected = format!(
        "{} retries · {} × 429",
        panel.stats.retries, panel.stats.throttled
    );
    assert!(screen(&app).contains(&expected), "{expected}");
    assert_eq!(count(&sims.state(Side::Eptura).await, "rooms"), 422);
    sims.shutdown().await;
}
