//! `spacebridge sim`: prints one "listening" line per simulator once both serve, with the
//! flags applied.

use reqwest::StatusCode;

use crate::support::cli::{args, run, start_sim};
use crate::support::{CondecoApi, EpturaApi};

#[tokio::test]
async fn sim_command_prints_both_addresses_and_serves_the_scenario() {
    let sim = start_sim(&args(&["--scenario", "existing-customer", "--quota", "1"]));
    let (eptura, condeco) = (&sim.eptura_url, &sim.condeco_url);

    assert_eq!(EpturaApi::new(eptura).count("/buildings/count").await, 7);
    let condeco = CondecoApi::new(condeco, "Acme");
    let first = condeco.ask_token().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = condeco.ask_token().await.unwrap();
    assert_eq!(second.status(), StatusCode::FORBIDDEN, "--quota 1 applies");
}

#[tokio::test]
async fn sim_command_refuses_an_unknown_scenario() {
    let output = run(args(&["sim", "--scenario", "huge"]), vec![]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown scenario"), "{stderr}");
}
