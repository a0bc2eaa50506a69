//! A small stateful Eptura Workplace stand-in for tests that run before (or beside) the real
//! simulator: bare-array paging, filters, creates with ids, a write counter, and two faults:
//! answer 503 once a number of writes is reached, and lose the answer of a create after
//! applying it (the connection drops).

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::stubs::{Seen, json as reply, stub};

#[derive(Default)]
pub struct State {
    next_id: i64,
    pub buildings: Vec<Value>,
    pub floors: Vec<Value>,
    pub rooms: Vec<Value>,
    pub types: Vec<Value>,
    pub writes: usize,
    /// Answer 503 to every write once this many writes succeeded.
    pub fail_after_writes: Option<usize>,
    /// Apply, then drop the connection, for this many room creates.
    pub lose_room_answers: usize,
    /// Answer 400 to a create of a room with this name.
    pub reject_room: Option<String>,
}

pub type Fake = Arc<Mutex<State>>;

const ROOT: &str = "/external/api/rest/v2/";

pub async fn start() -> (String, Fake) {
    let state: Fake = Arc::default();
    let shared = Arc::clone(&state);
    let (base, _) = stub(move |seen| answer(&shared, seen)).await;
    (base, state)
}

fn answer(state: &Fake, seen: &Seen) -> axum::response::Response {
    let path = seen.path.strip_prefix(ROOT).unwrap_or("").to_string();
    let mut s = state.lock().unwrap();
    match seen.method.as_str() {
        "GET" => {
            let rows: Vec<Value> = match path.as_str() {
                "buildings" => s.buildings.clone(),
                "floors" => s
                    .floors
                    .iter()
                    .filter(|f| matches(seen.q("buildingId"), &f["building"]["id"]))
                    .cloned()
                    .collect(),
                "rooms" => s
                    .rooms
                    .iter()
                    .filter(|r| matches(seen.q("buildingId"), &r["floor"]["building"]["id"]))
                    .filter(|r| matches(seen.q("floorId"), &r["floor"]["id"]))
                    .cloned()
                    .collect(),
                "rooms/types" => s.types.clone(),
                _ => return reply(404, json!({})),
            };
            let limit: usize = seen.q("limit").and_then(|v| v.parse().ok()).unwrap_or(50);
            let start: usize = seen.q("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
            reply(
                200,
                Value::Array(rows.into_iter().skip(start).take(limit).collect()),
            )
        }
        "POST" => {
            if s.fail_after_writes.is_some_and(|n| s.writes >= n) {
                return reply(503, json!({}));
            }
            if path == "rooms" && s.reject_room.as_deref() == seen.json()["name"].as_str() {
                return reply(400, json!({"error": "room name not allowed"}));
            }
            s.next_id += 1;
            let id = s.next_id;
            let mut body = seen.json();
            body["id"] = json!(id);
            match path.as_str() {
                "buildings" => s.buildings.push(body.clone()),
                "floors" => s.floors.push(body.clone()),
                "rooms/types" => s.types.push(body.clone()),
                "rooms" => {
                    let floor = s
                        .floors
                        .iter()
                        .find(|f| f["id"] == body["floor"]["id"])
                        .cloned()
                        .unwrap_or(Value::Null);
                    let room_type = s
                        .types
                        .iter()
                        .find(|t| t["id"] == body["type"]["id"])
                        .cloned()
                        .unwrap_or(Value::Null);
                    body["floor"] = floor;
                    body["type"] = room_type;
                    s.rooms.push(body.clone());
                }
                _ => return reply(404, json!({})),
            }
            s.writes += 1;
            if path == "rooms" && s.lose_room_answers > 0 {
                s.lose_room_answers -= 1;
                drop(s);
                panic!("fake: dropping the connection after applying the create");
            }
            reply(201, body)
        }
        _ => reply(405, json!({})),
    }
}

fn matches(wanted: Option<&str>, actual: &Value) -> bool {
    wanted.is_none_or(|w| actual.as_i64().map(|a| a.to_string()).as_deref() == Some(w))
}
