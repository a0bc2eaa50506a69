//! The faults that break a naive sync, on both simulators over loopback with raw reqwest: a
//! write that is applied and then loses its answer (`lost_reply_rate`), or is applied and then
//! answered 502/504 as by a gateway in front of a slow server (`late_error_rate`). Either way
//! the record exists afterwards, so a blind retry of the create would duplicate it; the stats
//! count the applied write and the fault. Also: both rates are shares, and `spacebridge sim`
//! takes both as flags.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spacebridge::sim::{Faults, Scenario};

use crate::support::cli::{args, start_sim};
use crate::support::{Side, Simulators, get_json, spawn_sims};

/// Both simulators, empty, with `fault` (a field of `Faults`) at 1.0 on `side`.
async fn with_fault(side: Side, fault: &str) -> Simulators {
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    sims.set_faults(side, json!({ fault: 1.0 })).await;
    sims
}

/// How many records of `collection` in `side`'s state are named `name`.
async fn named(sims: &Simulators, side: Side, collection: &str, name: &str) -> usize {
    let state = sims.state(side).await;
    state[collection]
        .as_array()
        .unwrap_or_else(|| panic!("{collection} in {state}"))
        .iter()
        .filter(|record| record["name"] == name)
        .count()
}

/// Send `request`: the connection must close with no HTTP answer at all.
async fn assert_no_answer(request: reqwest::RequestBuilder) {
    let error = request
        .send()
        .await
        .expect_err("the connection closes without an answer");
    assert!(error.status().is_none(), "no HTTP status: {error}");
}

/// `side` counted one applied write (the Condeco token is none), struck by the fault counted
/// as `counter` (`lost_replies` or `late_errors`); its stats.
async fn assert_one_write_struck(sims: &Simulators, side: Side, counter: &str) -> Value {
    let stats = sims.stats(side).await;
    assert_eq!(stats["writes"], 1, "{side:?}: {stats}");
    assert_eq!(stats[counter], 1, "{side:?}: {stats}");
    stats
}

fn is_gateway_error(status: StatusCode) -> bool {
    status == StatusCode::BAD_GATEWAY || status == StatusCode::GATEWAY_TIMEOUT
}

#[tokio::test]
async fn eptura_lost_reply_applies_the_write_and_answers_nothing() {
    let sims = with_fault(Side::Eptura, "lost_reply_rate").await;
    let api = sims.eptura_api();

    let tower = json!({ "name": "Lost Reply Tower", "code": "LRT" });
    assert_no_answer(api.request(Method::POST, "/buildings").json(&tower)).await;
    let tower = named(&sims, Side::Eptura, "buildings", "Lost Reply Tower").await;
    assert_eq!(tower, 1);

    // Reads and refused writes are answered: only an applied write loses its reply.
    assert_eq!(api.count("/buildings/count").await, 1);
    let (refused, _) = api
        .send(Method::POST, "/buildings", json!({ "code": "NONAME" }))
        .await;
    assert_eq!(refused, StatusCode::BAD_REQUEST);

    let stats = assert_one_write_struck(&sims, Side::Eptura, "lost_replies").await;
    assert_eq!(stats["by_status"]["dropped"], 1, "{stats}");
    sims.shutdown().await;
}

#[tokio::test]
async fn eptura_late_error_applies_the_write_and_answers_a_gateway_error() {
    let sims = with_fault(Side::Eptura, "late_error_rate").await;

    let (status, _) = sims
        .eptura_api()
        .send(
            Method::POST,
            "/rooms/types",
            json!({ "name": "Late Error Lab" }),
        )
        .await;
    assert!(is_gateway_error(status), "{status}");
    let lab = named(&sims, Side::Eptura, "roomTypes", "Late Error Lab").await;
    assert_eq!(lab, 1);

    let stats = assert_one_write_struck(&sims, Side::Eptura, "late_errors").await;
    assert_eq!(stats["by_status"][status.as_str()], 1, "{stats}");
    sims.shutdown().await;
}

#[tokio::test]
async fn condeco_lost_reply_applies_the_write_and_answers_nothing() {
    let sims = with_fault(Side::Condeco, "lost_reply_rate").await;
    // The token step is not a write, so no write fault touches it.
    let api = sims.condeco_api("Acme").await;

    let ireland = json!({ "name": "Ireland", "countryCode": "IE" });
    assert_no_answer(api.request(Method::POST, "countries").json(&ireland)).await;
    assert_eq!(named(&sims, Side::Condeco, "countries", "Ireland").await, 1);

    assert_one_write_struck(&sims, Side::Condeco, "lost_replies").await;
    sims.shutdown().await;
}

#[tokio::test]
async fn condeco_late_error_applies_the_write_and_answers_a_gateway_error() {
    let sims = with_fault(Side::Condeco, "late_error_rate").await;
    let api = sims.condeco_api("Acme").await;
    let portugal = || Some(json!({ "name": "Portugal", "countryCode": "PT" }));

    let (status, _) = api.call(Method::POST, "countries", portugal()).await;
    assert!(is_gateway_error(status), "{status}");
    assert_eq!(
        named(&sims, Side::Condeco, "countries", "Portugal").await,
        1
    );

    // The blind retry a naive sync would send now meets the record it already made.
    let (retried, _) = api.call(Method::POST, "countries", portugal()).await;
    assert_eq!(retried, StatusCode::CONFLICT);

    assert_one_write_struck(&sims, Side::Condeco, "late_errors").await;
    sims.shutdown().await;
}

#[tokio::test]
async fn write_fault_rates_are_shares_between_0_and_1() {
    let sims = spawn_sims(Scenario::Empty, Faults::default()).await;
    for side in [Side::Eptura, Side::Condeco] {
        for field in ["lost_reply_rate", "late_error_rate"] {
            let refused = sims.post_faults(side, json!({ field: 1.5 })).await;
            assert_eq!(
                refused.status(),
                StatusCode::BAD_REQUEST,
                "{side:?} {field}"
            );
        }
        let faults = sims.faults(side).await;
        assert_eq!(faults["lost_reply_rate"], 0.0, "{side:?}: {faults}");
    }
    sims.shutdown().await;
}

#[tokio::test]
async fn sim_command_takes_the_write_fault_flags() {
    let sim = start_sim(&args(&[
        "--lost-reply-rate",
        "0.25",
        "--late-error-rate",
        "0.5",
    ]));
    for url in [&sim.eptura_url, &sim.condeco_url] {
        let faults: Value = get_json(&format!("{url}/__sim/faults")).await;
        assert_eq!(faults["lost_reply_rate"], 0.25, "{url}: {faults}");
        assert_eq!(faults["late_error_rate"], 0.5, "{url}: {faults}");
    }
}
