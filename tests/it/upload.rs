//! `upload` end to end against the Eptura simulator over loopback HTTP: the sample template
//! into an empty Eptura (or a new customer's) creates every building, floor, space and space
//! type exactly once, and a second run writes nothing; the same under the faults that leave a
//! write applied without the client knowing (a lost answer, a late 502/504), alone and with
//! dropped connections and 5xx: every such create is looked up and adopted, never repeated. An
//! interrupted run finishes the rest without duplicates; a refused space is reported and the
//! rest goes on; a dry run writes nothing; progress; and the command's exit codes.

use serde_json::{Value, json};
use spacebridge::domain::names::normalise;
use spacebridge::http::HttpConfig;
use spacebridge::sim::{Faults, Scenario};
use spacebridge::sync::upload::{UploadOptions, UploadProgress, UploadReport, upload};
use spacebridge::template::{self, LoadOptions, Loaded};

use crate::support::cli::{args, printed, run as spacebridge, run_in_terminal};
use crate::support::stubs::LogCapture;
use crate::support::{
    EPTURA_PASSWORD, MISTAKES, SAMPLE, Side, Simulators, eptura_env, eventually, path_of,
    spawn_sims,
};

/// What `upload` logs each time a create's outcome is unknown and the record is looked up.
const LOOK_UP: &str = "looking the record up before retrying";

fn sample() -> Loaded {
    let loaded = template::load(&path_of(SAMPLE), &LoadOptions::default()).unwrap();
    assert!(!loaded.has_errors());
    loaded
}

/// How many records the template holds: buildings, floors, spaces and space types.
fn records(loaded: &Loaded) -> usize {
    let c = loaded.counts;
    c.buildings + c.floors + c.spaces + c.space_types
}

/// Enough attempts that the reads of a run under faults get through.
fn patient() -> HttpConfig {
    HttpConfig {
        max_attempts: 10,
        ..HttpConfig::for_tests()
    }
}

async fn run(sims: &Simulators, loaded: &Loaded, dry_run: bool) -> UploadReport {
    let options = UploadOptions {
        dry_run,
        ..UploadOptions::default()
    };
    upload(
        &sims.eptura_client_with(patient()),
        &loaded.portfolio,
        options,
    )
    .await
    .unwrap()
}

/// An argument naming a file of the crate (the binary gets absolute paths).
fn file_arg(rel: &str) -> String {
    path_of(rel).display().to_string()
}

/// The codes of the buildings in a simulator state, in order.
fn building_codes(state: &Value) -> Vec<String> {
    rows(state, "buildings")
        .iter()
        .filter_map(|b| b["code"].as_str().map(String::from))
        .collect()
}

fn rows<'a>(state: &'a Value, collection: &str) -> &'a Vec<Value> {
    state[collection]
        .as_array()
        .unwrap_or_else(|| panic!("no {collection} in the state"))
}

/// `(created, present)` of every kind, buildings first.
fn counts(report: &UploadReport) -> [(usize, usize); 4] {
    [
        report.buildings,
        report.floors,
        report.spaces,
        report.space_types,
    ]
    .map(|k| (k.created, k.present))
}

/// What the simulator counted: applied writes and the faults that struck.
#[derive(Debug)]
struct Counted {
    writes: u64,
    /// Writes applied whose answer was lost.
    lost: u64,
    /// Writes applied, then answered 502/504.
    late: u64,
    /// Connections closed without an answer, lost answers included.
    dropped: u64,
}

async fn counted(sims: &Simulators) -> Counted {
    let stats = sims.stats(Side::Eptura).await;
    let count = |field: &Value| field.as_u64().unwrap_or(0);
    Counted {
        writes: stats["writes"]
            .as_u64()
            .unwrap_or_else(|| panic!("{stats}")),
        lost: count(&stats["lost_replies"]),
        late: count(&stats["late_errors"]),
        dropped: count(&stats["by_status"]["dropped"]),
    }
}

/// Every building, floor, space and space type of the template is in the simulator exactly
/// once, on the right floor of the right building, and nothing else is (the scenarios used
/// here have no buildings, floors or spaces of their own, and only sample space types).
fn assert_each_exactly_once(state: &Value, loaded: &Loaded) {
    let c = loaded.counts;
    let sizes = ["buildings", "floors", "rooms", "roomTypes"].map(|k| rows(state, k).len());
    assert_eq!(sizes, [c.buildings, c.floors, c.spaces, c.space_types]);
    let same = |value: &Value, name: &str| {
        value
            .as_str()
            .is_some_and(|v| normalise(v) == normalise(name))
    };
    for building in &loaded.portfolio.buildings {
        let code = building
            .code
            .as_deref()
            .expect("the sample's buildings have codes");
        let found: Vec<&Value> = rows(state, "buildings")
            .iter()
            .filter(|b| b["code"] == code)
            .collect();
        assert_eq!(found.len(), 1, "building {code}");
        let id = &found[0]["id"];
        for floor in &building.floors {
            let on_floor = |f: &Value| f["building"]["id"] == *id && same(&f["name"], &floor.name);
            let floors = rows(state, "floors").iter().filter(|f| on_floor(f));
            assert_eq!(floors.count(), 1, "{code} / {}", floor.name);
            for space in &floor.spaces {
                let rooms = rows(state, "rooms")
                    .iter()
                    .filter(|r| on_floor(&r["floor"]) && same(&r["name"], &space.name));
                assert_eq!(rooms.count(), 1, "{code} / {} / {}", floor.name, space.name);
            }
        }
    }
    for space_type in &loaded.portfolio.space_types {
        let types = rows(state, "roomTypes")
            .iter()
            .filter(|t| same(&t["name"], &space_type.name));
        assert_eq!(types.count(), 1, "space type {}", space_type.name);
    }
}

/// Upload the sample twice into `scenario` under `faults`: the first run settles every
/// record with one applied write per record created, each exactly once; the second finds them
/// all and writes nothing. Returns the simulators (still running) and the first report.
async fn upload_twice(scenario: Scenario, faults: Faults) -> (Simulators, Loaded, UploadReport) {
    let loaded = sample();
    let c = loaded.counts;
    let sims = spawn_sims(scenario, faults).await;
    let first = run(&sims, &loaded, false).await;
    assert!(first.failures.is_empty(), "{:?}", first.failures);
    let settled = counts(&first).map(|(created, present)| created + present);
    assert_eq!(settled, [c.buildings, c.floors, c.spaces, c.space_types]);
    let writes = counted(&sims).await.writes;
    assert_eq!(
        writes,
        first.writes() as u64,
        "one write per record created"
    );
    assert_each_exactly_once(&sims.state(Side::Eptura).await, &loaded);

    let second = run(&sims, &loaded, false).await;
    assert_eq!(second.writes(), 0);
    assert_eq!(
        counts(&second),
        [c.buildings, c.floors, c.spaces, c.space_types].map(|n| (0, n))
    );
    assert_eq!(counted(&sims).await.writes, writes, "the second run wrote");
    (sims, loaded, first)
}

#[tokio::test]
async fn the_sample_uploads_once_and_a_second_run_writes_nothing() {
    let (sims, loaded, first) = upload_twice(Scenario::Empty, Faults::default()).await;
    let c = loaded.counts;
    assert_eq!(
        counts(&first),
        [c.buildings, c.floors, c.spaces, c.space_types].map(|n| (n, 0))
    );
    assert_eq!(counted(&sims).await.writes, records(&loaded) as u64);
    let state = sims.state(Side::Eptura).await;
    let hou = rows(&state, "buildings")
        .iter()
        .find(|b| b["code"] == "HOU1")
        .expect("HOU1 created");
    let expected = loaded
        .portfolio
        .buildings
        .iter()
        .find(|b| b.code.as_deref() == Some("HOU1"))
        .unwrap();
    assert_eq!(
        hou["address"]["state"]["code"],
        expected.state_code.as_str(),
        "{hou}"
    );
    assert_eq!(
        hou["address"]["city"].as_str(),
        expected.city.as_deref(),
        "{hou}"
    );
    for space_type in &loaded.portfolio.space_types {
        let sent = rows(&state, "roomTypes")
            .iter()
            .find(|t| t["name"] == space_type.name.as_str())
            .expect("the type was created");
        assert_eq!(sent["usage"], space_type.usage.to_string(), "{sent}");
    }
    sims.shutdown().await;
}

#[tokio::test]
async fn the_sample_uploads_into_a_new_customer_beside_its_space_types() {
    let (sims, loaded, first) = upload_twice(Scenario::NewCustomer, Faults::default()).await;
    // The scenario has 4 of the sample's space types: only the rest is created.
    assert_eq!(first.space_types.present, 4);
    assert_eq!(first.space_types.created, loaded.counts.space_types - 4);
    sims.shutdown().await;
}

/// [`upload_twice`] into an empty Eptura under `faults`: one applied write per record, each
/// record once; what the simulator counted (printed, for the record of the run).
async fn upload_twice_under(faults: Faults) -> Counted {
    let (sims, loaded, _) = upload_twice(Scenario::Empty, faults.clone()).await;
    let counted = counted(&sims).await;
    eprintln!(
        "lost_reply_rate {}, late_error_rate {}, drop_rate {}, error_rate {}: {counted:?}",
        faults.lost_reply_rate, faults.late_error_rate, faults.drop_rate, faults.error_rate
    );
    assert_eq!(counted.writes, records(&loaded) as u64, "{counted:?}");
    sims.shutdown().await;
    counted
}

#[tokio::test]
async fn lost_answers_make_no_duplicate() {
    let counted = upload_twice_under(Faults {
        lost_reply_rate: 0.3,
        ..Faults::default()
    })
    .await;
    assert!(
        counted.lost > 0,
        "the look-up was not exercised: {counted:?}"
    );
}

#[tokio::test]
async fn late_gateway_errors_make_no_duplicate() {
    let counted = upload_twice_under(Faults {
        late_error_rate: 0.3,
        ..Faults::default()
    })
    .await;
    assert!(
        counted.late > 0,
        "the look-up was not exercised: {counted:?}"
    );
}

#[tokio::test]
async fn every_fault_at_once_makes_no_duplicate() {
    let counted = upload_twice_under(Faults {
        lost_reply_rate: 0.3,
        late_error_rate: 0.3,
        drop_rate: 0.05,
        error_rate: 0.05,
        ..Faults::default()
    })
    .await;
    assert!(counted.lost > 0 && counted.late > 0, "{counted:?}");
    // Some connections were also dropped before the API saw them.
    assert!(counted.dropped > counted.lost, "{counted:?}");
}

/// Upload the sample into an empty Eptura where every write is applied and then faulted by
/// `fault` (1.0): each create must be looked up once and adopted, never sent again.
async fn every_create_is_looked_up_and_adopted(fault: &str) -> (u64, u64) {
    let loaded = sample();
    let c = loaded.counts;
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    sims.set_faults(Side::Eptura, json!({ fault: 1.0 })).await;
    let capture = LogCapture::default();
    let report = {
        let _guard = capture.install();
        run(&sims, &loaded, false).await
    };
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(
        counts(&report),
        [c.buildings, c.floors, c.spaces, c.space_types].map(|n| (n, 0)),
        "an adopted record counts as created"
    );
    let total = records(&loaded);
    let look_ups = capture.text().matches(LOOK_UP).count();
    assert_eq!(look_ups, total, "one look-up per create");
    let counted = counted(&sims).await;
    assert_eq!(counted.writes, total as u64, "one applied write per record");
    assert_each_exactly_once(&sims.state(Side::Eptura).await, &loaded);
    sims.shutdown().await;
    (counted.lost, counted.late)
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_adopted_not_repeated() {
    let (lost, late) = every_create_is_looked_up_and_adopted("lost_reply_rate").await;
    assert_eq!((lost, late), (records(&sample()) as u64, 0));
}

#[tokio::test]
async fn a_create_answered_a_late_gateway_error_is_adopted_not_repeated() {
    let (lost, late) = every_create_is_looked_up_and_adopted("late_error_rate").await;
    assert_eq!((lost, late), (0, records(&sample()) as u64));
}

#[tokio::test]
async fn an_interrupted_upload_finishes_next_time_without_duplicates() {
    let loaded = sample();
    let total = records(&loaded) as u64;
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    let eptura = sims.eptura_client();
    let portfolio = loaded.portfolio.clone();
    let interrupted =
        tokio::spawn(async move { upload(&eptura, &portfolio, UploadOptions::default()).await });
    // After 150 writes the service fails every request.
    eventually("150 writes", || async {
        (counted(&sims).await.writes >= 150).then_some(())
    })
    .await;
    sims.set_faults(Side::Eptura, json!({ "error_rate": 1.0 }))
        .await;
    let error = interrupted.await.unwrap().unwrap_err();
    assert!(error.source.is_connection(), "{error}");
    assert!(error.to_string().contains("answered 50"), "{error}");
    let applied = counted(&sims).await.writes;
    assert!((150..total).contains(&applied), "{applied} of {total}");

    sims.set_faults(Side::Eptura, json!({ "error_rate": 0.0 }))
        .await;
    let rest = run(&sims, &loaded, false).await;
    assert_eq!(rest.writes() as u64, total - applied);
    assert_eq!(counted(&sims).await.writes, total);
    assert_each_exactly_once(&sims.state(Side::Eptura).await, &loaded);
    sims.shutdown().await;
}

#[tokio::test]
async fn a_refused_space_is_reported_and_the_rest_goes_on() {
    let mut loaded = sample();
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    // Eptura refuses a space with a blank name (400 "name is required").
    let victim = &mut loaded.portfolio.buildings[0].floors[0].spaces[0];
    let name = std::mem::replace(&mut victim.name, " ".into());
    let report = run(&sims, &loaded, false).await;
    assert_eq!(report.spaces.failed, 1);
    assert_eq!(report.spaces.created, loaded.counts.spaces - 1);
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let failure = &report.failures[0];
    assert_eq!(failure.kind, "space");
    assert!(failure.message.contains("name is required"), "{failure:?}");
    assert_eq!(counted(&sims).await.writes, records(&loaded) as u64 - 1);
    // Fixed in the template, the next run creates just that one.
    loaded.portfolio.buildings[0].floors[0].spaces[0].name = name;
    let again = run(&sims, &loaded, false).await;
    assert_eq!((again.spaces.created, again.writes()), (1, 1));
    assert_each_exactly_once(&sims.state(Side::Eptura).await, &loaded);
    sims.shutdown().await;
}

#[tokio::test]
async fn a_refused_floor_is_reported_with_the_spaces_not_created_with_it() {
    let mut loaded = sample();
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    // Eptura refuses a floor with a blank name: its spaces cannot be created either.
    let victim = &mut loaded.portfolio.buildings[0].floors[0];
    let (name, on_it) = (
        std::mem::replace(&mut victim.name, " ".into()),
        victim.spaces.len(),
    );
    let report = run(&sims, &loaded, false).await;
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let failure = &report.failures[0];
    assert_eq!(failure.kind, "floor");
    assert!(failure.message.contains("name is required"), "{failure:?}");
    let with_it = format!("not created with it: {on_it} spaces");
    assert!(failure.message.ends_with(&with_it), "{failure:?}");
    assert_eq!((report.floors.failed, report.spaces.failed), (1, on_it));
    assert_eq!(report.spaces.created, loaded.counts.spaces - on_it);
    // Nothing left out of the counts: every record is created, present or not created.
    let settled: usize = counts(&report)
        .iter()
        .map(|(created, present)| created + present)
        .sum();
    assert_eq!(settled + 1 + on_it, records(&loaded));
    loaded.portfolio.buildings[0].floors[0].name = name;
    let again = run(&sims, &loaded, false).await;
    assert_eq!((again.floors.created, again.spaces.created), (1, on_it));
    assert_each_exactly_once(&sims.state(Side::Eptura).await, &loaded);
    sims.shutdown().await;
}

#[tokio::test]
async fn what_a_dry_run_lists_is_what_the_run_then_creates() {
    let loaded = sample();
    // An Eptura that already has part of the sample: the plan must leave that part out.
    let sims = spawn_sims(Scenario::NewCustomer, Faults::default()).await;
    let half = {
        let mut half = loaded.clone();
        half.portfolio.buildings.truncate(1);
        half.portfolio.buildings[0].floors.truncate(1);
        half
    };
    run(&sims, &half, false).await;
    let dry = run(&sims, &loaded, true).await;
    assert!(dry.writes() > 0 && dry.writes() < records(&loaded));
    let real = run(&sims, &loaded, false).await;
    let sorted = |report: &UploadReport| {
        let mut lines = report.created.clone();
        lines.sort();
        lines
    };
    assert_eq!(sorted(&dry), sorted(&real));
    assert_eq!(counts(&dry), counts(&real));
    assert_each_exactly_once(&sims.state(Side::Eptura).await, &loaded);
    sims.shutdown().await;
}

#[tokio::test]
async fn progress_is_reported_until_everything_is_settled() {
    let loaded = sample();
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    let (sender, mut receiver) = tokio::sync::watch::channel(Default::default());
    let watcher = tokio::spawn(async move {
        let mut updates = 0;
        while receiver.changed().await.is_ok() {
            updates += 1;
        }
        (updates, *receiver.borrow())
    });
    let options = UploadOptions {
        progress: Some(sender),
        ..UploadOptions::default()
    };
    upload(&sims.eptura_client(), &loaded.portfolio, options)
        .await
        .unwrap();
    let (updates, last): (usize, UploadProgress) = watcher.await.unwrap();
    assert!(updates > 1, "{updates} updates");
    assert_eq!(last.total(), records(&loaded));
    assert_eq!(last.done(), last.total());
    assert_eq!(last.spaces.created, loaded.counts.spaces);
    sims.shutdown().await;
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_lists_everything() {
    let loaded = sample();
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    let dry = run(&sims, &loaded, true).await;
    assert_eq!(counted(&sims).await.writes, 0);
    assert!(dry.dry_run);
    assert_eq!(dry.spaces.created, loaded.counts.spaces);
    assert_eq!(dry.floors.created, loaded.counts.floors);
    assert_eq!(dry.created.len(), records(&loaded));
    sims.shutdown().await;
}

#[tokio::test]
async fn the_command_exits_0_then_says_everything_is_there() {
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    let env = eptura_env(&sims.eptura_url);
    let dry = spacebridge(
        vec!["upload".into(), file_arg(SAMPLE), "--dry-run".into()],
        env.clone(),
    )
    .await;
    assert_eq!(
        dry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert_eq!(sims.stats(Side::Eptura).await["writes"], 0);
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(stdout.contains("would create building"), "{stdout}");

    let fast = |mut args: Vec<String>| {
        args.extend(["--max-rate".to_string(), "0".to_string()]);
        args
    };
    let first = spacebridge(fast(vec!["upload".into(), file_arg(SAMPLE)]), env.clone()).await;
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = spacebridge(fast(vec!["upload".into(), file_arg(SAMPLE)]), env.clone()).await;
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert_eq!(second.status.code(), Some(0));
    assert!(
        stdout.contains("everything was already in Eptura Workplace"),
        "{stdout}"
    );
    assert!(stdout.contains("422 already present"), "{stdout}");
    let json = spacebridge(
        fast(vec![
            "upload".into(),
            file_arg(SAMPLE),
            "--format".into(),
            "json".into(),
        ]),
        env,
    )
    .await;
    assert_eq!(json.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["spaces"]["present"], 422);
    assert_eq!(json["spaces"]["created"], 0);
    assert!(json["requests"]["requests"].as_u64().unwrap() > 0, "{json}");
    for out in [&first, &second] {
        assert!(!printed(out).contains(EPTURA_PASSWORD));
    }
    sims.shutdown().await;
}

#[tokio::test]
async fn the_command_refuses_a_template_with_errors_and_a_missing_service() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Building Name,Building Code,State Code,Floor,Room,Space Type,Capacity\n\
         Houston HQ,HOU1,TX,1,101,Workstation,2.5\n",
    )
    .unwrap();
    let out = spacebridge(vec!["upload".into(), bad.display().to_string()], vec![]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad-capacity"), "{stderr}");

    let env = eptura_env("http://127.0.0.1:9");
    let out = spacebridge(vec!["upload".into(), file_arg(SAMPLE)], env).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let missing = spacebridge(vec!["upload".into(), file_arg(SAMPLE)], vec![]).await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("SPACEBRIDGE_EPTURA_URL"));
}

#[tokio::test]
async fn broken_buildings_are_left_out_only_when_asked() {
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    let env = eptura_env(&sims.eptura_url);
    let mistakes = file_arg(MISTAKES);
    let refused = spacebridge(args(&["upload", &mistakes]), env.clone()).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--skip-broken-buildings"));
    assert_eq!(sims.stats(Side::Eptura).await["writes"], 0);

    let partial = spacebridge(
        args(&[
            "upload",
            &mistakes,
            "--skip-broken-buildings",
            "--max-rate",
            "0",
        ]),
        env,
    )
    .await;
    let stderr = String::from_utf8_lossy(&partial.stderr);
    // Errors remain, so the exit code says so; the clean buildings are in Eptura.
    assert_eq!(partial.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("left out (has errors"), "{stderr}");
    assert!(stderr.contains("Houston Energy Center (HOU1)"), "{stderr}");
    let mut codes = building_codes(&sims.state(Side::Eptura).await);
    // The mistakes file breaks HOU1, BOS1, NYC1, CHI1 and DCA1; TOR1 and MTL1 are clean (and
    // created at once: their order in Eptura is the order the answers came in).
    codes.sort();
    assert_eq!(codes, vec!["MTL1", "TOR1"], "{stderr}");
    sims.shutdown().await;
}

#[tokio::test]
async fn the_command_shows_progress_on_a_terminal_and_none_in_a_pipe() {
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    let env = eptura_env(&sims.eptura_url);
    // Piped, as the tests run it: the report alone, no progress line.
    let piped = spacebridge(
        vec!["upload".into(), file_arg(SAMPLE), "--dry-run".into()],
        env.clone(),
    )
    .await;
    assert_eq!(piped.status.code(), Some(0), "{}", printed(&piped));
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(
        !stderr.contains('\r') && !stderr.contains("\x1b[2K"),
        "{stderr:?}"
    );
    // On a terminal: the line is drawn over itself, then cleared before the report.
    let upload = vec![
        "upload".into(),
        file_arg(SAMPLE),
        "--max-rate".into(),
        "0".into(),
    ];
    let Some(drawn) = run_in_terminal(upload, env).await else {
        eprintln!("skipped: script(1) is not installed to give the binary a terminal");
        return;
    };
    assert!(
        drawn.contains("\r\x1b[2Kuploading: space types "),
        "{drawn:?}"
    );
    assert!(drawn.contains(" requests, "), "{drawn:?}");
    let report = drawn.rsplit("\r\x1b[2K").next().unwrap_or_default();
    assert!(
        report.contains("✓ done"),
        "the report after the cleared line: {report:?}"
    );
    assert_eq!(
        counted(&sims).await.writes,
        records(&sample()) as u64,
        "the upload ran"
    );
    sims.shutdown().await;
}
