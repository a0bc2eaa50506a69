//! What a sync should have made in Condeco, judged from the simulators' states
//! (`GET /__sim/state` of each): the external ids Eptura says should reach Condeco, the ones
//! Condeco holds per collection (failing on any duplicate), and the check that they match.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// What the Eptura simulator holds that should reach Condeco: external ids per kind.
pub struct Expected {
    pub locations: BTreeSet<String>,
    pub floors: BTreeSet<String>,
    pub resources: BTreeSet<String>,
    pub workspace_types: BTreeSet<String>,
}

/// From the Eptura simulator's state: every building, floor, reservable room whose type's
/// usage is ME/WE, and those types.
pub fn expected_of(eptura: &Value) -> Expected {
    let ids = |key: &str, keep: &dyn Fn(&Value) -> bool| -> BTreeSet<String> {
        eptura[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| keep(r))
            .map(|r| r["id"].as_i64().unwrap().to_string())
            .collect()
    };
    let synced_usage = |t: &Value| matches!(t["usage"].as_str(), Some("ME" | "WE"));
    Expected {
        locations: ids("buildings", &|_| true),
        floors: ids("floors", &|_| true),
        resources: ids("rooms", &|r| {
            r["reservable"].as_bool() == Some(true) && synced_usage(&r["type"])
        }),
        workspace_types: ids("roomTypes", &synced_usage),
    }
}

/// The `externalId`s Condeco holds in collection `key`; fails on any duplicate.
pub fn external_ids(condeco: &Value, key: &str) -> BTreeSet<String> {
    let mut seen = BTreeMap::new();
    for record in condeco[key].as_array().unwrap() {
        if let Some(id) = record["externalId"].as_str() {
            *seen.entry(id.to_string()).or_insert(0) += 1;
        }
    }
    let duplicated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicated.is_empty(), "duplicate {key}: {duplicated:?}");
    seen.into_keys().collect()
}

/// The `externalId`s of the floors of every Condeco location; fails on any duplicate.
pub fn floor_external_ids(condeco: &Value) -> BTreeSet<String> {
    let mut all = Vec::new();
    for location in condeco["locations"].as_array().unwrap() {
        for floor in location["floors"].as_array().unwrap() {
            if let Some(id) = floor["externalId"].as_str() {
                all.push(id.to_string());
            }
        }
    }
    let set: BTreeSet<String> = all.iter().cloned().collect();
    assert_eq!(set.len(), all.len(), "a floor external id twice");
    set
}

/// Fails if any top-level Condeco collection, or the floors, hold an `externalId` twice.
pub fn assert_no_duplicates(condeco: &Value) {
    let collections = condeco.as_object().unwrap();
    for (key, records) in collections {
        if records
            .as_array()
            .is_some_and(|r| r.iter().all(Value::is_object))
        {
            external_ids(condeco, key);
        }
    }
    floor_external_ids(condeco);
}

/// Condeco holds exactly what Eptura says should sync, each once, each with its external id.
pub fn assert_condeco_holds(eptura: &Value, condeco: &Value) {
    let want = expected_of(eptura);
    assert_eq!(external_ids(condeco, "locations"), want.locations);
    assert_eq!(floor_external_ids(condeco), want.floors);
    assert_eq!(external_ids(condeco, "resources"), want.resources);
    assert_eq!(
        external_ids(condeco, "workspaceTypes"),
        want.workspace_types
    );
    let resources = condeco["resources"].as_array().unwrap();
    assert!(
        resources.iter().all(|r| r["externalId"].is_string()),
        "every resource carries its external id"
    );
    assert_eq!(
        resources.len(),
        want.resources.len(),
        "no resource without one"
    );
}

/// The Condeco resources by id: (name, bookings, externalId).
pub fn resources(condeco: &Value) -> BTreeMap<i64, (String, u64, Option<String>)> {
    condeco["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["resourceId"].as_i64().unwrap();
            let name = r["name"].as_str().unwrap().to_string();
            let bookings = r["bookingCount"].as_u64().unwrap();
            let external = r["externalId"].as_str().map(str::to_string);
            (id, (name, bookings, external))
        })
        .collect()
}

/// What should reach Condeco: [`expected_of`] less the buildings without a reservation
/// center (the scenario has one) and their floors and rooms.
pub fn synced_of(eptura: &Value) -> Expected {
    let unsynced: Vec<String> = eptura["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["centers"].as_array().is_none_or(Vec::is_empty))
        .map(|b| b["id"].to_string())
        .collect();
    let ids_in = |key: &str, building: &dyn Fn(&Value) -> &Value| -> Vec<String> {
        eptura[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| unsynced.contains(&building(r)["id"].to_string()))
            .map(|r| r["id"].to_string())
            .collect()
    };
    let floors = ids_in("floors", &|f| &f["building"]);
    let rooms = ids_in("rooms", &|r| &r["floor"]["building"]);
    let mut want = expected_of(eptura);
    want.locations.retain(|id| !unsynced.contains(id));
    want.floors.retain(|id| !floors.contains(id));
    want.resources.retain(|id| !rooms.contains(id));
    want
}
