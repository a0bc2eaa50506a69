//! The store under SIGKILL: a child process (this test binary, re-run with an environment
//! variable) records intents and completes them with mappings in a loop, and is killed at
//! random moments. After every kill the store must open, pass SQLite's integrity check, and
//! hold every intent either open without its mapping or closed with it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;

use super::{Fingerprint, IntentOutcome, Mapping, RunKind, Store, WriteOp};
use crate::domain::ids::{CondecoResourceId, EpturaSpaceId};
use crate::domain::{ExternalId, SyncKind};

/// Set in the child: the store it writes to.
const CHILD_STORE: &str = "SPACEBRIDGE_STORE_CRASH_CHILD";
const ROUNDS: usize = 8;
/// The child stops by itself after this long, should the parent be gone.
const CHILD_LIMIT: Duration = Duration::from_secs(60);

#[test]
fn sigkill_at_random_moments_leaves_every_intent_open_or_closed_with_its_mapping() {
    if let Some(path) = std::env::var_os(CHILD_STORE) {
        write_until_killed(Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    drop(Store::open(&path).unwrap());
    let mut rng = rand::rng();
    for round in 0..ROUNDS {
        let before = mapping_count(&path);
        let mut child = spawn_child(&path);
        wait_for_writes(&path, before);
        std::thread::sleep(Duration::from_millis(rng.random_range(0..40)));
        child.kill().unwrap();
        child.wait().unwrap();
        let open = assert_consistent(&path);
        assert!(
            open <= round + 1,
            "one write in flight per kill, {open} open"
        );
    }
    assert!(
        mapping_count(&path) >= ROUNDS,
        "every round wrote something"
    );
}

fn spawn_child(path: &Path) -> std::process::Child {
    let name = concat!(
        module_path!(),
        "::sigkill_at_random_moments_leaves_every_intent_open_or_closed_with_its_mapping"
    );
    let name = name.split_once("::").map_or(name, |(_, rest)| rest);
    Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1"])
        .env(CHILD_STORE, path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The child: one run, then intent + mapping pairs, forever (or until the limit).
fn write_until_killed(path: &Path) {
    let mut store = Store::open(path).unwrap();
    let run = store.start_run(RunKind::Resumed).unwrap();
    let started = Instant::now();
    for index in 0.. {
        if started.elapsed() > CHILD_LIMIT {
            return;
        }
        let id = run.get() * 1_000_000 + index;
        let eptura = ExternalId::resource(EpturaSpaceId::new(id));
        let intent = store.record_intent(run, &eptura, WriteOp::Create).unwrap();
        let mapping = Mapping {
            eptura,
            condeco: CondecoResourceId::new(id).into(),
            fingerprint: Fingerprint::of(&index).unwrap(),
        };
        store.complete_intent(intent, &mapping).unwrap();
    }
}

fn mapping_count(path: &Path) -> usize {
    let store = Store::open(path).unwrap();
    store.mappings(SyncKind::Resource).unwrap().len()
}

/// Waits until the child has written a mapping, so that the kill lands mid-loop.
fn wait_for_writes(path: &Path, before: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while mapping_count(path) == before {
        assert!(Instant::now() < deadline, "the child wrote nothing in 30 s");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Checks the store after a kill; returns how many intents are open.
fn assert_consistent(path: &Path) -> usize {
    let store = Store::open(path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    let mut open = 0;
    let mut written = 0;
    for run in store.runs().unwrap() {
        for intent in store.intents_of_run(run.run_id).unwrap() {
            let mapped = store.mapping(&intent.eptura).unwrap().is_some();
            match intent.outcome {
                None => {
                    assert!(!mapped, "open intent {:?} has a mapping", intent.id);
                    open += 1;
                }
                Some(IntentOutcome::Written) => {
                    assert!(mapped, "closed intent {:?} has no mapping", intent.id);
                    written += 1;
                }
                Some(IntentOutcome::NotWritten) => panic!("the child never abandons"),
            }
        }
    }
    let mappings = store.mappings(SyncKind::Resource).unwrap().len();
    assert_eq!(
        mappings, written,
        "every mapping came with its intent closed"
    );
    assert_eq!(store.open_intents().unwrap().len(), open);
    open
}
