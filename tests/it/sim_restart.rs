//! The Condeco side going down in the middle of a sync (issue 13 C): `spacebridge sim
//! --state FILE` (a child process) is SIGKILLed while `spacebridge sync` creates resources,
//! then started again at once on the same ports from its state file. What a killed simulator
//! had answered is still there (the journal is written before the answer); the sync retries
//! through the outage, or fails and is run again, and ends with Condeco as Eptura says, no
//! `externalId` twice, and a further run writing nothing.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::cli::{SimProcess, args, command, printed, run, start_sim};
use crate::support::synced::{assert_condeco_holds, assert_no_duplicates, expected_of};
use crate::support::{condeco_env, eptura_env, get_json};

fn env(sim: &SimProcess) -> Vec<(&'static str, String)> {
    let mut env = eptura_env(&sim.eptura_url);
    env.extend(condeco_env(&sim.condeco_url));
    env
}

async fn condeco_writes(sim: &SimProcess) -> u64 {
    get_json(&format!("{}/__sim/stats", sim.condeco_url)).await["writes"]
        .as_u64()
        .unwrap()
}

async fn states(sim: &SimProcess) -> (Value, Value) {
    (
        get_json(&format!("{}/__sim/state", sim.eptura_url)).await,
        get_json(&format!("{}/__sim/state", sim.condeco_url)).await,
    )
}

/// Entities in Condeco carrying an external id (floors inside their locations).
fn synced(condeco: &Value) -> usize {
    let tagged = |records: &Value| {
        records.as_array().map_or(0, |r| {
            r.iter().filter(|e| e["externalId"].is_string()).count()
        })
    };
    let floors: usize = condeco["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| tagged(&l["floors"]))
        .sum();
    condeco
        .as_object()
        .unwrap()
        .values()
        .map(tagged)
        .sum::<usize>()
        + floors
}

#[tokio::test(flavor = "multi_thread")]
async fn a_simulator_killed_mid_sync_restarts_from_its_state_and_the_sync_finishes_without_duplicates()
 {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sim.json").display().to_string();
    let db = dir.path().join("store.sqlite").display().to_string();
    let flags = args(&["--scenario", "large:3000", "--state", &state]);
    let mut sim = start_sim(&flags);
    let want = expected_of(&states(&sim).await.0).resources.len();
    let sync_args = args(&["sync", "--format", "json", "--db", &db]);
    let child = command(&sync_args, &env(&sim))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Killed once a third of the resources are written.
    let deadline = Instant::now() + Duration::from_secs(300);
    while condeco_writes(&sim).await < want as u64 / 3 {
        assert!(Instant::now() < deadline, "the sync did not get going");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let answered_before = synced(&states(&sim).await.1);
    sim.kill();
    let mut restart = flags.clone();
    restart.extend(sim.same_ports());
    let sim = start_sim(&restart);
    let kept = synced(&states(&sim).await.1);
    eprintln!("{answered_before} entities before the kill, {kept} after the restart");
    assert!(kept >= answered_before, "the restart lost answered writes");

    let first = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let mut statuses = vec![printed(&first)];
    let mut report: Value = serde_json::from_slice(&first.stdout).unwrap_or(Value::Null);
    while report["status"] != "succeeded" {
        assert!(statuses.len() < 4, "no success: {statuses:?}");
        let again = run(sync_args.clone(), env(&sim)).await;
        statuses.push(printed(&again));
        report = serde_json::from_slice(&again.stdout).unwrap_or(Value::Null);
    }
    eprintln!(
        "{} runs; the last: {} ({})",
        statuses.len(),
        report["kind"],
        report["status"]
    );
    let (eptura, condeco) = states(&sim).await;
    assert_condeco_holds(&eptura, &condeco);
    assert_no_duplicates(&condeco);

    let before = condeco_writes(&sim).await;
    let again = run(sync_args, env(&sim)).await;
    let last: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(last["status"], "succeeded", "{last}");
    assert_eq!(condeco_writes(&sim).await, before, "the run after wrote");
}
