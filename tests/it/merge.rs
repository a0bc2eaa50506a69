//! The merge with an existing Condeco end to end, over loopback HTTP with a real SQLite store,
//! through the binary: on the `existing-customer` simulators (Condeco holding the sample
//! estate with naming drift and bookings, one room only Condeco has, one only Eptura has),
//! `match` shows the bands and the review queue, `decide` settles the queue (one at a time
//! and from the CSV), `sync` links instead of creating: no duplicate resource, no booking
//! lost, every linked Condeco entity carries its `externalId`, the Condeco-only room left
//! alone; a second `match` shows every decision kept and a second sync writes nothing.

use serde_json::Value;
use spacebridge::sim::{Faults, Scenario};

use crate::support::cli::{args, printed, run as spacebridge};
use crate::support::synced::{
    assert_no_duplicates, external_ids, floor_external_ids, resources, synced_of,
};
use crate::support::{Side, Simulators, spawn_sims};

/// `spacebridge ARGS --db DB` against the simulators; fails unless it exits 0.
async fn ok(sims: &Simulators, db: &str, command: &[&str]) -> std::process::Output {
    let mut all = command.to_vec();
    all.extend(["--db", db]);
    let output = spacebridge(args(&all), sims.env()).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{command:?}: {}",
        printed(&output)
    );
    output
}

async fn match_json(sims: &Simulators, db: &str) -> Value {
    let output = ok(sims, db, &["match", "--format", "json"]).await;
    serde_json::from_slice(&output.stdout).unwrap()
}

fn items(report: &Value) -> Vec<&Value> {
    report["levels"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|items| items.as_array().unwrap())
        .collect()
}

fn entity(item: &Value, level: &str) -> String {
    format!("{level}:{}", item["eptura_id"].as_str().unwrap())
}

/// The item of "level:id" in a `match --format json` report.
fn item_of<'r>(report: &'r Value, entity: &str) -> &'r Value {
    let (level, id) = entity.split_once(':').unwrap();
    report["levels"][level]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["eptura_id"] == id)
        .unwrap_or_else(|| panic!("{entity} not in the report"))
}

/// The `match --format csv` output with "accept" in the decision column of every review row
/// not decided yet, as an operator would fill it in a spreadsheet.
fn accept_the_review(csv: &[u8]) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(csv);
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (band, decision) = (column("band"), column("decision"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if row[band] == "review" && row[decision].is_empty() {
            row[decision] = "accept".into();
        }
        writer.write_record(&row).unwrap();
    }
    writer.into_inner().unwrap()
}

#[tokio::test]
async fn match_decide_and_sync_link_an_existing_condeco_without_duplicates_or_lost_bookings() {
    let sims = spawn_sims(Scenario::ExistingCustomer, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite").display().to_string();
    let before = resources(&sims.state(Side::Condeco).await);

    // The preview: the spec's JSON shape, the review queue, the one-sided rooms.
    let first = match_json(&sims, &db).await;
    for level in ["country", "region", "location", "floor", "resource"] {
        assert!(first["levels"][level].is_array(), "{level} in {first}");
    }
    for item in items(&first) {
        for field in [
            "eptura_id",
            "condeco_id",
            "band",
            "score",
            "reasons",
            "runner_up",
        ] {
            assert!(item.get(field).is_some(), "{field} in {item}");
        }
    }
    let band_of = |report: &Value, name: &str| -> String {
        items(report)
            .into_iter()
            .find(|i| i["eptura_name"] == name)
            .map(|i| i["band"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(band_of(&first, "Heights Room"), "new", "only Eptura has it");
    assert_eq!(
        band_of(&first, "Conf Rm 3A"),
        "auto",
        "Conference Room 3A in Condeco"
    );
    let unpartnered: Vec<&str> = first["unpartnered"]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["condeco_name"].as_str().unwrap())
        .collect();
    assert_eq!(unpartnered, ["Hudson Room"]);
    let queue: Vec<(String, String)> = first["levels"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(level, items)| {
            items
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["band"] == "review")
                .map(|i| {
                    (
                        entity(i, level),
                        i["condeco_id"].as_str().unwrap().to_string(),
                    )
                })
        })
        .collect();
    assert!(!queue.is_empty(), "the drifted estate has a review queue");

    // Nothing in review is created or linked while it waits.
    let plan = ok(&sims, &db, &["plan", "--format", "json"]).await;
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert!(
        plan["ops"]["create"]["location"].is_null(),
        "{}",
        plan["ops"]
    );
    let held = plan["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["reason"].as_str().unwrap().contains("merge review"))
        .count();
    assert!(
        held >= queue.len(),
        "{held} held for {} in review",
        queue.len()
    );

    // Decide: the first one alone (its proposal looked up), an undo, the rest from the CSV.
    let (first_entity, _) = &queue[0];
    ok(&sims, &db, &["decide", "new", first_entity]).await;
    ok(&sims, &db, &["decide", "undo", first_entity]).await;
    ok(&sims, &db, &["decide", "accept", first_entity]).await;
    let csv = ok(&sims, &db, &["match", "--format", "csv"]).await;
    let decided = accept_the_review(&csv.stdout);
    let file = dir.path().join("decided.csv");
    std::fs::write(&file, decided).unwrap();
    ok(&sims, &db, &["decide", "--from", file.to_str().unwrap()]).await;

    // The sync links; it creates only what Condeco lacks.
    let run = ok(&sims, &db, &["sync", "--format", "json"]).await;
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["status"], "succeeded", "{report}");
    assert!(
        report["ops"]["create"]["location"].is_null(),
        "{}",
        report["ops"]
    );
    assert_eq!(report["ops"]["create"]["resource"], 1, "{}", report["ops"]);
    assert!(report["ops"]["link"]["resource"].as_u64().unwrap() >= 300);

    let eptura = sims.state(Side::Eptura).await;
    let condeco = sims.state(Side::Condeco).await;
    assert_no_duplicates(&condeco);
    let after = resources(&condeco);
    assert_eq!(
        after.len(),
        before.len() + 1,
        "one resource created, none twice"
    );
    for (id, (name, bookings, _)) in &before {
        let (_, now, _) = after
            .get(id)
            .unwrap_or_else(|| panic!("{name} ({id}) was deleted"));
        assert_eq!(now, bookings, "{name} ({id}) lost bookings");
    }
    let want = synced_of(&eptura);
    assert_eq!(external_ids(&condeco, "resources"), want.resources);
    assert_eq!(external_ids(&condeco, "locations"), want.locations);
    assert_eq!(floor_external_ids(&condeco), want.floors);
    let hudson = after.values().find(|r| r.0 == "Hudson Room").unwrap();
    let hudson_before = before.values().find(|r| r.0 == "Hudson Room").unwrap();
    assert_eq!(hudson, hudson_before, "the Condeco-only room is left alone");

    // Every decision is kept by the next match; the next sync writes nothing.
    let second = match_json(&sims, &db).await;
    for (entity_id, condeco_id) in &queue {
        let item = item_of(&second, entity_id);
        assert_eq!(item["decision"], "accept", "{entity_id}: {item}");
        assert_eq!(item["band"], "auto");
        assert_eq!(item["condeco_id"].as_str(), Some(condeco_id.as_str()));
    }
    assert!(
        items(&second).iter().all(|i| i["band"] != "review"),
        "nothing left in review"
    );
    let writes = sims.stats(Side::Condeco).await["writes"].clone();
    let again = ok(&sims, &db, &["sync", "--format", "json"]).await;
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["status"], "succeeded");
    assert_eq!(sims.stats(Side::Condeco).await["writes"], writes, "{again}");
}
