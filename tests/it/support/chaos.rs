//! The chaos runs of issue 13 C, shared by `tests/it/chaos.rs` and `examples/chaos_soak.rs`
//! (which includes this file and `synced.rs` by path, so it uses nothing else of the harness).
//!
//! For one seed: both simulators in-process with `large:N`, a mix of faults drawn from the seed
//! ([`Mix::of`]: latency, 5xx, 429 with `Retry-After` and drops on both; lost replies, late
//! errors, a call quota renewing every second, short-lived tokens and revoked tokens on
//! Condeco), an initial sync, then changes in Eptura (renames, capacities, a space switched
//! between ME and WE, a deleted space, a new space and a new floor with a space) and a daily
//! sync that allows destructive changes. Each sync is run again, as the operator or `schedule`
//! would, until it succeeds, at most [`MAX_TRIES`] times. After each, the invariants: Condeco
//! holds exactly what Eptura says should sync, no `externalId` twice, each resource with its
//! Eptura name, capacity and kind, and the store sound (integrity check, no open intent, a
//! mapping for every synced entity, each pointing at a live Condeco entity carrying its
//! external id). Any broken invariant panics; [`run_seed`]'s callers add the seed to the
//! message so that the run can be replayed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};
use spacebridge::condeco::{CondecoClient, CondecoSettings};
use spacebridge::domain::{CondecoKey, SyncKind};
use spacebridge::eptura::{EpturaClient, EpturaSettings};
use spacebridge::http::{HttpClient, HttpConfig, Secret};
use spacebridge::sim::{self, Faults, Scenario, SimOptions, Sims};
use spacebridge::store::Store;
use spacebridge::sync::apply::{ApplyOptions, Control};
use spacebridge::sync::{EventSink, PlanOptions, SyncReport, SyncSettings};

use super::synced::{assert_condeco_holds, assert_no_duplicates, expected_of};

/// The most runs one sync may take before the seed fails.
pub const MAX_TRIES: usize = 8;

const USERNAME: &str = "chaos@example.com";
const PASSWORD: &str = "chaos-password";

/// The faults of one seed, for each simulator, and the kinds it holds.
#[derive(Debug, Clone)]
pub struct Mix {
    pub eptura: Faults,
    pub condeco: Faults,
    pub kinds: Vec<&'static str>,
}

impl Mix {
    /// Each kind of fault present or not by a coin toss of the seed's generator, at a rate
    /// drawn from it too.
    pub fn of(seed: u64) -> Mix {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut kinds = Vec::new();
        let mut eptura = Faults {
            seed: Some(seed),
            ..Faults::default()
        };
        let mut condeco = eptura.clone();
        let mut on = |rng: &mut StdRng, kind: &'static str| {
            let chosen = rng.random_bool(0.6);
            if chosen {
                kinds.push(kind);
            }
            chosen
        };
        if on(&mut rng, "latency") {
            let most = rng.random_range(1..=4);
            eptura.latency_ms = Some((0, most));
            condeco.latency_ms = Some((0, most));
        }
        if on(&mut rng, "5xx") {
            eptura.error_rate = rng.random_range(0.02..0.10);
            condeco.error_rate = rng.random_range(0.02..0.10);
        }
        if on(&mut rng, "429") {
            eptura.rate_limit = rng.random_range(0.005..0.02);
            condeco.rate_limit = rng.random_range(0.005..0.02);
        }
        if on(&mut rng, "drop") {
            eptura.drop_rate = rng.random_range(0.01..0.04);
            condeco.drop_rate = rng.random_range(0.01..0.04);
        }
        if on(&mut rng, "lost reply") {
            condeco.lost_reply_rate = rng.random_range(0.01..0.05);
        }
        if on(&mut rng, "late error") {
            condeco.late_error_rate = rng.random_range(0.01..0.04);
        }
        if on(&mut rng, "quota") {
            condeco.quota = Some(rng.random_range(60..=150));
            condeco.quota_period_secs = Some(1);
        }
        if on(&mut rng, "token expiry") {
            condeco.token_ttl_secs = Some(rng.random_range(2..=4));
        }
        if on(&mut rng, "token revoked") {
            condeco.token_revoke_rate = rng.random_range(0.001..0.005);
        }
        Mix {
            eptura,
            condeco,
            kinds,
        }
    }
}

/// What one seed came to.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub seed: u64,
    pub kinds: Vec<&'static str>,
    /// Runs of the initial sync, then of the daily sync, until each succeeded.
    pub tries: [usize; 2],
    /// The reasons of the runs that did not succeed.
    pub failures: Vec<String>,
    /// Faults the simulators gave, by kind (from their stats).
    pub fired: BTreeMap<&'static str, u64>,
    pub elapsed: Duration,
}

/// Both simulators, clients of each, and a store in a temporary directory.
struct Bench {
    sims: Sims,
    http: reqwest::Client,
    dir: tempfile::TempDir,
}

impl Bench {
    async fn start(spaces: usize) -> Bench {
        let options = SimOptions {
            scenario: Scenario::Large(spaces),
            ..SimOptions::default()
        };
        Bench {
            sims: sim::start(options).await.expect("the simulators start"),
            http: reqwest::Client::new(),
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn store(&self) -> std::path::PathBuf {
        self.dir.path().join("store.sqlite")
    }

    fn settings(&self, plan: PlanOptions) -> SyncSettings {
        let http = || HttpClient::new(HttpConfig::for_tests()).expect("the HTTP client builds");
        let eptura = EpturaSettings {
            url: self.sims.eptura_url.clone(),
            username: USERNAME.into(),
            password: Secret::new(PASSWORD),
        };
        let condeco = CondecoSettings {
            url: self.sims.condeco_url.clone(),
            client_name: "chaos".into(),
            subscription_key: Secret::new("chaos-key"),
            client_id: Secret::new("chaos-id"),
            client_secret: Secret::new("chaos-secret"),
        };
        SyncSettings {
            eptura: EpturaClient::new(&eptura, http()).expect("the Eptura client builds"),
            condeco: CondecoClient::new(&condeco, http()).expect("the Condeco client builds"),
            store: self.store(),
            plan,
            apply: ApplyOptions::default(),
        }
    }

    async fn get(&self, url: String) -> Value {
        let response = self.http.get(&url).send().await;
        let response = response.unwrap_or_else(|e| panic!("GET {url}: {e}"));
        response.json().await.expect("the simulator answers JSON")
    }

    async fn states(&self) -> (Value, Value) {
        let state = |url: &str| self.get(format!("{url}/__sim/state"));
        (
            state(&self.sims.eptura_url).await,
            state(&self.sims.condeco_url).await,
        )
    }

    async fn set_faults(&self, eptura: &Faults, condeco: &Faults) {
        for (url, faults) in [
            (&self.sims.eptura_url, eptura),
            (&self.sims.condeco_url, condeco),
        ] {
            let response = self
                .http
                .post(format!("{url}/__sim/faults"))
                .json(faults)
                .send()
                .await
                .expect("the simulator answers");
            assert!(response.status().is_success(), "{}", response.status());
        }
    }

    /// A call to Eptura's API as a customer changing their estate (no fault is in force).
    async fn eptura(&self, method: Method, path: &str, body: Value) -> Value {
        let url = format!("{}/external/api/rest/v2{path}", self.sims.eptura_url);
        let mut request = self
            .http
            .request(method, &url)
            .header("x-auth-username", USERNAME)
            .header("x-auth-password", PASSWORD);
        if !body.is_null() {
            request = request.json(&body);
        }
        let response = request.send().await.expect("Eptura answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// The faults both simulators gave so far, by kind.
    async fn fired(&self, mix: &Mix) -> BTreeMap<&'static str, u64> {
        let eptura = self
            .get(format!("{}/__sim/stats", self.sims.eptura_url))
            .await;
        let condeco = self
            .get(format!("{}/__sim/stats", self.sims.condeco_url))
            .await;
        let mut fired = BTreeMap::new();
        for stats in [&eptura, &condeco] {
            let count = |key: &str| stats[key].as_u64().unwrap_or(0);
            let status = |code: &str| stats["by_status"][code].as_u64().unwrap_or(0);
            let lost = count("lost_replies");
            for (kind, n) in [
                ("5xx", status("500") + status("503")),
                ("429", status("429")),
                ("drop", status("dropped") - lost),
                ("lost reply", lost),
                ("late error", count("late_errors")),
                ("quota", status("403")),
                ("token revoked", count("tokens_revoked")),
                ("401", status("401")),
            ] {
                *fired.entry(kind).or_default() += n;
            }
        }
        if mix.condeco.token_ttl_secs.is_some() {
            let tokens = condeco["by_route"]["POST /token"].as_u64().unwrap_or(0);
            fired.insert("token fetched", tokens);
        }
        if mix.condeco.latency_ms.is_some() {
            let delayed = eptura["requests"].as_u64().unwrap_or(0)
                + condeco["requests"].as_u64().unwrap_or(0);
            fired.insert("latency", delayed);
        }
        fired.retain(|_, n| *n > 0);
        fired
    }
}

/// Run a sync again and again until it succeeds; the runs it took and why the others failed.
async fn sync_until_done(
    bench: &Bench,
    plan: PlanOptions,
    failures: &mut Vec<String>,
) -> (usize, SyncReport) {
    let settings = bench.settings(plan);
    for tries in 1..=MAX_TRIES {
        let (control, _pause) = Control::detached();
        let report = spacebridge::sync::run(&settings, &EventSink::none(), &control)
            .await
            .expect("the run starts");
        if report.status == "succeeded" {
            return (tries, report);
        }
        failures.push(format!(
            "{} ({} rejected): {}",
            report.status,
            report.rejected.len(),
            report.reason.clone().unwrap_or_default()
        ));
    }
    panic!(
        "no success in {MAX_TRIES} runs: {}",
        failures[failures.len() - MAX_TRIES..].join(" | ")
    );
}

/// One seed, start to end (see the module doc); panics on a broken invariant.
pub async fn run_seed(seed: u64, spaces: usize) -> SeedReport {
    let started = Instant::now();
    let mix = Mix::of(seed);
    let bench = Bench::start(spaces).await;
    bench.set_faults(&mix.eptura, &mix.condeco).await;
    let mut failures = Vec::new();

    let (initial, _) = sync_until_done(&bench, PlanOptions::default(), &mut failures).await;
    check(&bench, "after the initial sync").await;

    bench.set_faults(&Faults::default(), &mix.condeco).await;
    change_eptura(&bench, seed).await;
    bench.set_faults(&mix.eptura, &mix.condeco).await;
    let allowing = PlanOptions {
        allow_destructive: true,
        ..PlanOptions::default()
    };
    let (daily, report) = sync_until_done(&bench, allowing, &mut failures).await;
    check(&bench, "after the daily sync").await;
    let kind = report.kind.map(|k| k.to_string()).unwrap_or_default();
    assert!(
        ["daily", "resumed"].contains(&kind.as_str()),
        "the daily sync ran as {kind}"
    );

    let fired = bench.fired(&mix).await;
    bench.sims.shutdown().await;
    SeedReport {
        seed,
        kinds: mix.kinds,
        tries: [initial, daily],
        failures,
        fired,
        elapsed: started.elapsed(),
    }
}

/// What a customer changes in Eptura between two syncs, drawn from the seed: renames, new
/// capacities, a space switched between ME and WE, a deleted space, a new space, and a new
/// floor with a space.
async fn change_eptura(bench: &Bench, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let (eptura, _) = bench.states().await;
    let rooms = eptura["rooms"].as_array().expect("rooms");
    let usage_of = |room: &Value| room["type"]["usage"].as_str().unwrap_or("").to_string();
    let type_with = |usage: &str| {
        eptura["roomTypes"]
            .as_array()
            .expect("room types")
            .iter()
            .find(|t| t["usage"] == json!(usage))
            .map(|t| t["id"].clone())
            .expect("a type of that usage")
    };
    let mut picked = BTreeSet::new();
    let mut pick = |rng: &mut StdRng| loop {
        let index = rng.random_range(0..rooms.len());
        if picked.insert(index) {
            return &rooms[index];
        }
    };
    for n in 0..5 {
        let room = pick(&mut rng);
        let body = json!({ "name": format!("Chaos {seed} room {n}") });
        bench
            .eptura(Method::PUT, &format!("/rooms/{}", room["id"]), body)
            .await;
    }
    for _ in 0..3 {
        let room = pick(&mut rng);
        let body = json!({ "capacity": rng.random_range(2..=20) });
        bench
            .eptura(Method::PUT, &format!("/rooms/{}", room["id"]), body)
            .await;
    }
    let switched = pick(&mut rng);
    let other = if usage_of(switched) == "ME" {
        "WE"
    } else {
        "ME"
    };
    let body = json!({ "typeId": type_with(other) });
    bench
        .eptura(Method::PUT, &format!("/rooms/{}", switched["id"]), body)
        .await;
    let deleted = pick(&mut rng);
    bench
        .eptura(
            Method::DELETE,
            &format!("/rooms/{}", deleted["id"]),
            Value::Null,
        )
        .await;

    let floor = &rooms[0]["floor"];
    let new_room = |name: String, floor: &Value| {
        json!({ "name": name, "floor": { "id": floor["id"] }, "type": { "id": type_with("WE") },
                "capacity": 6, "reservable": true })
    };
    bench
        .eptura(
            Method::POST,
            "/rooms",
            new_room(format!("Chaos {seed} new"), floor),
        )
        .await;
    let building = json!({ "id": floor["building"]["id"] });
    let new_floor = bench
        .eptura(
            Method::POST,
            "/floors",
            json!({ "name": "40", "building": building }),
        )
        .await;
    bench
        .eptura(
            Method::POST,
            "/rooms",
            new_room(format!("Chaos {seed} up"), &new_floor),
        )
        .await;
}

/// Every invariant of a finished sync (see the module doc).
async fn check(bench: &Bench, when: &str) {
    let (eptura, condeco) = bench.states().await;
    assert_condeco_holds(&eptura, &condeco);
    assert_no_duplicates(&condeco);
    assert_resources_as_in_eptura(&eptura, &condeco, when);
    assert_store_sound(&bench.store(), &eptura, &condeco, when);
}

/// Each resource carries its Eptura room's name and capacity, and the kind its usage says.
fn assert_resources_as_in_eptura(eptura: &Value, condeco: &Value, when: &str) {
    let rooms: HashMap<String, &Value> = eptura["rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .map(|r| (r["id"].to_string(), r))
        .collect();
    for resource in condeco["resources"].as_array().expect("resources") {
        let external = resource["externalId"].as_str().unwrap_or_default();
        let room = rooms[external];
        let personal = room["type"]["usage"] == json!("ME");
        let capacity = if personal {
            json!(1)
        } else {
            room["capacity"].clone()
        };
        let kind = if personal {
            "PersonalSpace"
        } else {
            "MeetingSpace"
        };
        assert_eq!(resource["name"], room["name"], "{when}: {resource}");
        assert_eq!(resource["capacity"], capacity, "{when}: {resource}");
        assert_eq!(resource["resourceType"], json!(kind), "{when}: {resource}");
    }
}

/// The store opens and passes SQLite's check, holds no open intent, maps every synced entity,
/// and every mapping points at a live Condeco entity that carries its external id.
pub fn assert_store_sound(path: &Path, eptura: &Value, condeco: &Value, when: &str) {
    let store = Store::open(path).expect("the store opens");
    assert_eq!(store.integrity_check().expect("checked"), ["ok"], "{when}");
    let open = store.open_intents().expect("intents");
    assert!(open.is_empty(), "{when}: open intents {open:?}");
    let live = live_entities(condeco);
    let mut mapped: BTreeMap<SyncKind, BTreeSet<String>> = BTreeMap::new();
    for kind in SyncKind::ALL {
        for stored in store.mappings(kind).expect("mappings") {
            let mapping = stored.mapping;
            let external = mapping.eptura.to_string();
            let carried = live.get(&(kind, mapping.condeco.to_string()));
            assert_eq!(
                carried,
                Some(&Some(external.clone())),
                "{when}: the {kind} mapping {external} → {} points at no Condeco entity \
                 carrying it",
                mapping.condeco
            );
            mapped.entry(kind).or_default().insert(external);
        }
    }
    let want = expected_of(eptura);
    for (kind, expected) in [
        (SyncKind::Location, &want.locations),
        (SyncKind::Floor, &want.floors),
        (SyncKind::WorkspaceType, &want.workspace_types),
        (SyncKind::Resource, &want.resources),
    ] {
        let missing: Vec<_> = expected
            .difference(mapped.get(&kind).unwrap_or(&BTreeSet::new()))
            .cloned()
            .collect();
        assert!(
            missing.is_empty(),
            "{when}: no {kind} mapping for {missing:?}"
        );
    }
}

/// Every Condeco entity by (kind, key as the store writes it) → its external id.
fn live_entities(condeco: &Value) -> HashMap<(SyncKind, String), Option<String>> {
    let mut live = HashMap::new();
    let external = |record: &Value| record["externalId"].as_str().map(str::to_string);
    for (kind, collection, id) in [
        (SyncKind::Country, "countries", "countryId"),
        (SyncKind::Group, "groups", "groupId"),
        (SyncKind::Region, "regions", "regionId"),
        (SyncKind::Location, "locations", "locationId"),
        (SyncKind::WorkspaceType, "workspaceTypes", "workspaceTypeId"),
        (SyncKind::Resource, "resources", "resourceId"),
    ] {
        for record in condeco[collection].as_array().expect(collection) {
            live.insert((kind, record[id].to_string()), external(record));
        }
    }
    for location in condeco["locations"].as_array().expect("locations") {
        for floor in location["floors"].as_array().expect("floors") {
            let key = CondecoKey::Floor(spacebridge::domain::ids::CondecoFloorKey {
                location: location["locationId"].as_i64().unwrap_or(0).into(),
                number: floor["floorNumber"].as_i64().unwrap_or(0) as i32,
            });
            live.insert((SyncKind::Floor, key.to_string()), external(floor));
        }
    }
    live
}

/// The seeds to run: `SPACEBRIDGE_CHAOS_SEEDS` as a count ("40": seeds 1 to 40), a range
/// ("100..120", inclusive) or a list ("7,19"); `default_count` seeds when it is not set.
pub fn seeds_from_env(default_count: u64) -> Vec<u64> {
    let Ok(text) = std::env::var("SPACEBRIDGE_CHAOS_SEEDS") else {
        return (1..=default_count).collect();
    };
    let number = |t: &str| -> u64 {
        t.trim()
            .parse()
            .unwrap_or_else(|_| panic!("SPACEBRIDGE_CHAOS_SEEDS: \"{text}\" is not N, A..B or A,B"))
    };
    if let Some((from, to)) = text.split_once("..") {
        (number(from)..=number(to)).collect()
    } else if text.contains(',') {
        text.split(',')
            .filter(|t| !t.trim().is_empty())
            .map(number)
            .collect()
    } else {
        (1..=number(&text)).collect()
    }
}

/// [`run_seed`] in a task of its own: a broken invariant comes back as the panic's message
/// with the seed and how to replay it, instead of unwinding through the caller.
pub async fn run_seed_caught(seed: u64, spaces: usize) -> Result<SeedReport, String> {
    tokio::spawn(run_seed(seed, spaces)).await.map_err(|error| {
        let message = match error.try_into_panic() {
            Ok(panic) => panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic without a message".into()),
            Err(error) => error.to_string(),
        };
        format!("seed {seed}: {message} (replay: SPACEBRIDGE_CHAOS_SEEDS={seed}..{seed})")
    })
}
