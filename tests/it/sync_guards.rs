//! The guards of destructive changes, tried the way an operator in a hurry, or a script, would
//! try to get around them (issue 13 C): the deletion cap against runs repeated with
//! `--allow-destructive`, approvals adding up past it, a stale plan and nonsense caps; `plan`
//! (the dry run) writing nothing whatever it is allowed; `sync` holding every destructive op
//! unless it is approved, and saying so when an `--approve` id names no held op.

use serde_json::{Value, json};
use spacebridge::sim::{Faults, Scenario};
use spacebridge::store::Store;

use crate::support::cli::{args, printed, run as spacebridge};
use crate::support::syncing::writes;
use crate::support::{Side, Simulators, spawn_sims};

/// `large:200` (one building, four floors of 50 resources) synced once; the store's path.
async fn synced() -> (Simulators, tempfile::TempDir, String) {
    let sims = spawn_sims(Scenario::Large(200), Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite").display().to_string();
    let first = sync(&sims, &db, &[]).await;
    assert_eq!(first["status"], "succeeded", "{first}");
    (sims, dir, db)
}

/// `spacebridge sync --format json --db DB FLAGS`: its report.
async fn sync(sims: &Simulators, db: &str, flags: &[&str]) -> Value {
    let mut all = args(&["sync", "--format", "json", "--db", db]);
    all.extend(args(flags));
    let output = spacebridge(all, sims.env()).await;
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", printed(&output)))
}

/// Delete the first `n` rooms (in id order) in Eptura; their ids.
async fn delete_rooms(sims: &Simulators, skip: usize, n: usize) -> Vec<i64> {
    let rooms = sims.state(Side::Eptura).await["rooms"].clone();
    let ids: Vec<i64> = rooms
        .as_array()
        .unwrap()
        .iter()
        .skip(skip)
        .take(n)
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    for id in &ids {
        let (status, _) = sims
            .eptura_api()
            .send(
                reqwest::Method::DELETE,
                &format!("/rooms/{id}"),
                Value::Null,
            )
            .await;
        assert!(status.is_success());
    }
    ids
}

/// How many resources Condeco holds.
async fn resources(sims: &Simulators) -> usize {
    sims.state(Side::Condeco).await["resources"]
        .as_array()
        .unwrap()
        .len()
}

fn reason(report: &Value) -> String {
    report["reason"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn runs_repeated_with_allow_destructive_never_chip_away_at_a_deletion_over_the_cap() {
    let (sims, _dir, db) = synced().await;
    // 20 of 200 resources gone from Eptura: 10 %, twice the default cap.
    let deleted = delete_rooms(&sims, 0, 20).await;
    let before = writes(&sims).await;
    for attempt in 1..=4 {
        let report = sync(&sims, &db, &["--allow-destructive"]).await;
        assert_eq!(report["status"], "failed", "attempt {attempt}: {report}");
        assert!(
            reason(&report).contains("cap"),
            "attempt {attempt}: {report}"
        );
    }
    assert_eq!(writes(&sims).await, before, "no run deleted anything");
    assert_eq!(resources(&sims).await, 200);

    // Approvals one by one add up: past the cap the whole run is refused, not cut at the cap.
    let ids: Vec<String> = deleted.iter().map(|id| format!("resource:{id}")).collect();
    let mut flags = Vec::new();
    for id in &ids[..11] {
        flags.extend(["--approve", id.as_str()]);
    }
    let refused = sync(&sims, &db, &flags).await;
    assert_eq!(refused["status"], "failed", "{refused}");
    assert!(reason(&refused).contains("11 of the 200"), "{refused}");
    assert_eq!(writes(&sims).await, before, "nothing deleted");

    // Ten are within the cap; the next run, without approvals, deletes nothing more.
    let within = sync(&sims, &db, &flags[..20]).await;
    assert_eq!(within["status"], "succeeded", "{within}");
    assert_eq!(within["ops"]["delete"]["resource"], 10, "{within}");
    assert_eq!(resources(&sims).await, 190);
    let plain = sync(&sims, &db, &[]).await;
    assert_eq!(plain["status"], "succeeded", "{plain}");
    assert!(plain["ops"]["delete"].get("resource").is_none(), "{plain}");
    let held = plain["held_destructive"].as_array().unwrap();
    assert_eq!(held.len(), 10, "approvals do not carry over: {plain}");
    assert_eq!(resources(&sims).await, 190);
}

#[tokio::test]
async fn a_stale_plan_cannot_carry_more_deletions_than_the_cap_allows() {
    let (sims, _dir, db) = synced().await;
    delete_rooms(&sims, 0, 4).await;
    let planned = spacebridge(
        args(&[
            "plan",
            "--format",
            "json",
            "--allow-destructive",
            "--db",
            &db,
        ]),
        sims.env(),
    )
    .await;
    assert_eq!(planned.status.code(), Some(0), "{}", printed(&planned));
    // The operator read that plan (4 deletes, within the cap); meanwhile 8 more go.
    delete_rooms(&sims, 4, 8).await;
    let before = writes(&sims).await;
    let report = sync(&sims, &db, &["--allow-destructive"]).await;
    assert_eq!(report["status"], "failed", "{report}");
    assert!(reason(&report).contains("12 of the 200"), "{report}");
    assert_eq!(writes(&sims).await, before);
}

#[tokio::test]
async fn the_cap_cannot_be_set_past_100_percent_or_to_nonsense() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite").display().to_string();
    for cap in ["150", "-1", "NaN", "inf", "5%", ""] {
        let flag = format!("--deletion-cap={cap}");
        let output = spacebridge(args(&["sync", &flag, "--db", &db]), Vec::new()).await;
        assert_eq!(output.status.code(), Some(2), "{cap}: {}", printed(&output));
        assert!(
            printed(&output).contains("percentage from 0 to 100"),
            "{cap}: {}",
            printed(&output)
        );
    }
}

#[tokio::test]
async fn plan_writes_nothing_whatever_it_is_allowed() {
    let (sims, _dir, db) = synced().await;
    let deleted = delete_rooms(&sims, 0, 3).await;
    let renamed = sims.state(Side::Eptura).await["rooms"][10]["id"].clone();
    let (status, _) = sims
        .eptura_api()
        .send(
            reqwest::Method::PUT,
            &format!("/rooms/{renamed}"),
            json!({ "name": "Renamed in Eptura" }),
        )
        .await;
    assert!(status.is_success());
    let store = Store::open(std::path::Path::new(&db)).unwrap();
    let runs = store.runs().unwrap().len();
    let copy_read = store.eptura_copy().unwrap().map(|c| c.read_at_ms);
    let before = writes(&sims).await;
    let approve = format!("resource:{}", deleted[0]);
    let output = spacebridge(
        args(&[
            "plan",
            "--format",
            "json",
            "--allow-destructive",
            "--approve",
            &approve,
            "--deletion-cap",
            "100",
            "--db",
            &db,
        ]),
        sims.env(),
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", printed(&output));
    let planned: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(planned["status"], "planned");
    assert_eq!(planned["ops"]["delete"]["resource"], 3, "{planned}");
    assert_eq!(planned["ops"]["update"]["resource"], 1, "{planned}");
    assert_eq!(writes(&sims).await, before, "plan wrote to Condeco");
    assert_eq!(store.runs().unwrap().len(), runs, "plan recorded a run");
    assert_eq!(
        store.eptura_copy().unwrap().map(|c| c.read_at_ms),
        copy_read,
        "plan moved the store's copy of Eptura"
    );
    assert_eq!(resources(&sims).await, 200);
}

#[tokio::test]
async fn sync_holds_every_destructive_op_unless_approved_and_says_when_an_approval_names_nothing() {
    let (sims, _dir, db) = synced().await;
    let deleted = delete_rooms(&sims, 0, 2).await;
    let condeco_id = sims.state(Side::Condeco).await["resources"][0]["resourceId"].clone();
    let before = writes(&sims).await;
    // A raised cap approves nothing; ids that name no held op approve nothing either: another
    // room's id, the Condeco id, another kind, a wrong case, a wildcard.
    let wrong = [
        "resource:999999".to_string(),
        format!("resource:{condeco_id}"),
        format!("floor:{}", deleted[0]),
        format!("Resource:{}", deleted[0]),
        "*".to_string(),
    ];
    let mut flags = vec!["--deletion-cap", "100"];
    for id in &wrong {
        flags.extend(["--approve", id.as_str()]);
    }
    let report = sync(&sims, &db, &flags).await;
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(writes(&sims).await, before, "nothing destroyed");
    assert_eq!(resources(&sims).await, 200);
    let held = report["held_destructive"].as_array().unwrap();
    assert_eq!(held.len(), 2, "{report}");
    assert!(held.iter().all(|h| h["approved"] == json!(false)));
    let unmatched: Vec<&str> = report["unmatched_approvals"]
        .as_array()
        .unwrap_or_else(|| panic!("the report says which approvals named nothing: {report}"))
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    assert_eq!(unmatched.len(), wrong.len(), "{report}");

    let text = spacebridge(
        args(&["sync", "--approve", "resource:999999", "--db", &db]),
        sims.env(),
    )
    .await;
    assert!(
        printed(&text).contains("--approve resource:999999 named no held op"),
        "{}",
        printed(&text)
    );

    // The right id approves exactly that op.
    let right = format!("resource:{}", deleted[1]);
    let report = sync(&sims, &db, &["--approve", &right]).await;
    assert_eq!(report["ops"]["delete"]["resource"], 1, "{report}");
    assert!(report.get("unmatched_approvals").is_none(), "{report}");
    assert_eq!(resources(&sims).await, 199);
}
