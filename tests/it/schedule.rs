//! The daily operation's commands as an operator runs them: `schedule --every 2s` restarts a
//! failed run with backoff until it succeeds, resumed, and stops cleanly on SIGTERM; a second
//! `schedule` (or a `sync`) on the same store refuses, naming the holder; `history` lists the
//! failed and resumed runs and shows one run's rejected items; `sync --retry-rejected` retries
//! only what Condeco rejected, once its cause is fixed.

use std::process::Stdio;

use reqwest::Method;
use serde_json::{Value, json};
use spacebridge::sim::{Faults, Scenario};
use spacebridge::store::{RunStatus, Store};

use crate::support::cli::{args, command, printed, run as spacebridge};
use crate::support::syncing::writes;
use crate::support::{CONDECO_CLIENT, Side, Simulators, eventually, spawn_sims};

/// The runs of the store at `db`, newest first (none while it does not exist yet).
fn runs(db: &str) -> Vec<spacebridge::store::Run> {
    Store::open(std::path::Path::new(db))
        .and_then(|s| s.runs())
        .unwrap_or_default()
}

#[tokio::test]
async fn schedule_restarts_a_failed_run_refuses_a_second_daemon_and_stops_on_sigterm() {
    let sims = spawn_sims(Scenario::Large(200), Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite").display().to_string();
    sims.set_faults(Side::Condeco, &json!({ "error_rate": 1.0 }))
        .await;
    let flags = args(&[
        "schedule",
        "--every",
        "2s",
        "--restart-after",
        "1s",
        "--db",
        &db,
    ]);
    let daemon = command(&flags, &sims.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    eventually("a failed run", || async {
        runs(&db)
            .iter()
            .any(|r| r.status == RunStatus::Failed)
            .then_some(())
    })
    .await;
    let second = spacebridge(flags.clone(), sims.env()).await;
    assert_eq!(second.status.code(), Some(2), "{}", printed(&second));
    let said = printed(&second);
    assert!(said.contains(&format!("pid {}", daemon.id())), "{said}");
    let sync = spacebridge(args(&["sync", "--db", &db]), sims.env()).await;
    assert_eq!(sync.status.code(), Some(2), "{}", printed(&sync));

    sims.set_faults(Side::Condeco, &json!({ "error_rate": 0.0 }))
        .await;
    let succeeded = eventually("a run that succeeds after the fault", || async {
        runs(&db)
            .into_iter()
            .find(|r| r.status == RunStatus::Succeeded)
    })
    .await;
    assert_eq!(succeeded.kind.to_string(), "resumed");
    // The daemon keeps its rule and its next run in the store, for History.
    let schedule = eventually("the next run recorded", || async {
        Store::open(std::path::Path::new(&db))
            .and_then(|s| s.schedule())
            .ok()
            .flatten()
            .filter(|s| s.next_run.is_some())
    })
    .await;
    assert_eq!(schedule.rule, "a sync now and every 2s");
    assert_eq!(schedule.holder.pid, daemon.id());

    let pid = rustix::process::Pid::from_raw(daemon.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = tokio::task::spawn_blocking(move || daemon.wait_with_output().unwrap())
        .await
        .unwrap();
    let log = printed(&status);
    assert_eq!(status.status.code(), Some(0), "{log}");
    assert!(log.contains("restarting in 1s (restart 1 of 5)"), "{log}");
    assert!(log.contains("resuming run"), "{log}");
    assert!(log.contains("stopped"), "{log}");

    let history = spacebridge(args(&["history", "--format", "json", "--db", &db]), vec![]).await;
    assert_eq!(history.status.code(), Some(0), "{}", printed(&history));
    let listed: Value = serde_json::from_slice(&history.stdout).unwrap();
    let runs = listed["runs"].as_array().unwrap();
    let ids: Vec<i64> = runs.iter().map(|r| r["run_id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    for field in [
        "run_id", "kind", "status", "started", "ended", "ops", "requests", "rejected", "drift",
    ] {
        assert!(runs[0].get(field).is_some(), "{field} in {}", runs[0]);
    }
    let statuses: Vec<&str> = runs.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert!(
        statuses.contains(&"failed") && statuses.contains(&"succeeded"),
        "{statuses:?}"
    );
    assert!(runs.iter().any(|r| r["kind"] == json!("resumed")));
    sims.shutdown().await;
}

/// A resource another integration made in Condeco (its own `externalId`, so the merge never
/// takes it for ours) with the name a new Eptura room will want, on its floor: Condeco refuses
/// the sync's create (409, unique names on a floor).
async fn take_the_name(sims: &Simulators, name: &str, like: &Value) -> i64 {
    let mut twin = like.clone();
    let map = twin.as_object_mut().unwrap();
    map.remove("resourceId");
    map.insert("externalId".into(), json!("other-integration-1"));
    map.insert("name".into(), json!(name));
    let api = sims.condeco_api(CONDECO_CLIENT).await;
    api.create("resources", twin).await["resourceId"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn history_shows_a_runs_rejected_items_and_retry_rejected_retries_only_them() {
    let sims = spawn_sims(Scenario::Large(100), Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite").display().to_string();
    let sync = |extra: &[&str]| {
        let mut flags = args(&["sync", "--format", "json", "--db", &db]);
        flags.extend(args(extra));
        spacebridge(flags, sims.env())
    };
    assert_eq!(sync(&[]).await.status.code(), Some(0));

    // A new Eptura room whose name a hand-made Condeco resource already has on its floor.
    let eptura = sims.state(Side::Eptura).await;
    let room = &eptura["rooms"][0];
    let new_room = sims
        .eptura_api()
        .create(
            "/rooms",
            json!({ "name": "Hand Made Twin", "floor": { "id": room["floor"]["id"] },
                    "type": { "id": room["type"]["id"] }, "capacity": 1, "reservable": true }),
        )
        .await;
    let condeco = sims.state(Side::Condeco).await;
    let synced = condeco["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["externalId"] == json!(room["id"].as_i64().unwrap().to_string()))
        .unwrap()
        .clone();
    let twin = take_the_name(&sims, "Hand Made Twin", &synced).await;

    let partial = sync(&[]).await;
    assert_eq!(partial.status.code(), Some(3), "{}", printed(&partial));
    let report: Value = serde_json::from_slice(&partial.stdout).unwrap();
    let rejected = report["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{report}");
    assert_eq!(
        rejected[0]["eptura_id"],
        json!(new_room["id"].as_i64().unwrap().to_string())
    );
    let run_id = report["run_id"].as_i64().unwrap().to_string();

    let shown = spacebridge(args(&["history", &run_id, "--db", &db]), vec![]).await;
    let text = printed(&shown);
    assert_eq!(shown.status.code(), Some(0), "{text}");
    assert!(text.contains("rejected by Condeco (1)"), "{text}");
    assert!(
        text.contains("Hand Made Twin"),
        "Condeco's message names the clash: {text}"
    );
    assert!(text.contains("--retry-rejected"), "{text}");

    // The operator renames the hand-made resource; meanwhile another room changed in Eptura.
    let api = sims.condeco_api(CONDECO_CLIENT).await;
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("resources/{twin}"),
            Some(json!({ "name": "Hand Made Original" })),
        )
        .await;
    assert!(status.is_success());
    let other = &eptura["rooms"][5];
    let (status, _) = sims
        .eptura_api()
        .send(
            Method::PUT,
            &format!("/rooms/{}", other["id"]),
            json!({ "id": other["id"], "name": "Renamed meanwhile" }),
        )
        .await;
    assert!(status.is_success());

    let before = writes(&sims).await;
    let retried = sync(&["--retry-rejected"]).await;
    assert_eq!(retried.status.code(), Some(0), "{}", printed(&retried));
    assert_eq!(writes(&sims).await - before, 1, "only the rejected room");
    let store = Store::open(std::path::Path::new(&db)).unwrap();
    assert!(store.outstanding_rejected().unwrap().is_empty());

    let before = writes(&sims).await;
    assert_eq!(sync(&[]).await.status.code(), Some(0));
    assert_eq!(
        writes(&sims).await - before,
        1,
        "the rename waited for a full run"
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn history_on_a_new_store_says_no_run_yet_and_an_unknown_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite").display().to_string();
    let empty = spacebridge(args(&["history", "--db", &db]), vec![]).await;
    assert_eq!(empty.status.code(), Some(0));
    assert!(
        printed(&empty).contains("no sync has run"),
        "{}",
        printed(&empty)
    );
    let unknown = spacebridge(args(&["history", "42", "--db", &db]), vec![]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        printed(&unknown).contains("no run 42"),
        "{}",
        printed(&unknown)
    );
}
