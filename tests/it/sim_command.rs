//! `spacebridge sim`: prints one "listening" line per simulator once both serve, with the
//! flags applied.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use reqwest::StatusCode;

use crate::support::cli::{args, command, run};
use crate::support::{CondecoApi, EpturaApi};

#[tokio::test]
async fn sim_command_prints_both_addresses_and_serves_the_scenario() {
    let mut child = command(
        &args(&["sim", "--scenario", "existing-customer", "--quota", "1"]),
        &[],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("spacebridge runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut url_of = |name: &str| -> String {
        let line = lines.next().expect("a line").expect("readable");
        let prefix = format!("{name} listening on http://127.0.0.1:");
        assert!(line.starts_with(&prefix), "{line}");
        line.rsplit(' ').next().unwrap_or_default().to_string()
    };
    let eptura = url_of("eptura");
    let condeco = url_of("condeco");

    assert_eq!(EpturaApi::new(&eptura).count("/buildings/count").await, 7);
    let condeco = CondecoApi::new(&condeco, "Acme");
    let first = condeco.ask_token().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = condeco.ask_token().await.unwrap();
    assert_eq!(second.status(), StatusCode::FORBIDDEN, "--quota 1 applies");
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn sim_command_refuses_an_unknown_scenario() {
    let output = run(args(&["sim", "--scenario", "huge"]), vec![]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown scenario"), "{stderr}");
}
