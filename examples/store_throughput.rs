//! How many mappings per second the store writes the way a sync does: for each entity, one
//! transaction recording the intent, then one writing the mapping and closing the intent.
//!
//! `cargo run --release --example store_throughput [COUNT] [DIR]` (default 2000 pairs in a
//! temporary folder; give DIR to measure a particular disk).

use std::time::Instant;

use spacebridge::domain::ExternalId;
use spacebridge::domain::ids::{CondecoResourceId, EpturaSpaceId};
use spacebridge::store::{Fingerprint, Mapping, RunKind, Store, WriteOp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: i64 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(2000);
    let temp = tempfile::tempdir_in(args.next().unwrap_or_else(|| ".".to_string()))?;
    let mut store = Store::open(&temp.path().join("throughput.db"))?;
    let run = store.start_run(RunKind::Initial)?;

    let started = Instant::now();
    for id in 1..=count {
        let eptura = ExternalId::resource(EpturaSpaceId::new(id));
        let intent = store.record_intent(run, &eptura, WriteOp::Create)?;
        let fields = serde_json::json!({"name": format!("Desk {id}"), "capacity": 1});
        let mapping = Mapping {
            eptura,
            condeco: CondecoResourceId::new(100_000 + id).into(),
            fingerprint: Fingerprint::of(&fields)?,
        };
        store.complete_intent(intent, &mapping)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{count} mappings (intent + mapping, 2 transactions each, synchronous=NORMAL) in {seconds:.2} s: {:.0} mappings/s",
        count as f64 / seconds
    );
    Ok(())
}
