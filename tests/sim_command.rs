//! `spacebridge sim`: prints one "listening" line per simulator once both serve, with the
//! flags applied.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::StatusCode;

#[tokio::test]
async fn sim_command_prints_both_addresses_and_serves_the_scenario() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spacebridge"))
        .args(["sim", "--scenario", "existing-customer", "--quota", "1"])
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

    let http = reqwest::Client::new();
    let count: serde_json::Value = http
        .get(format!("{eptura}/external/api/rest/v2/buildings/count"))
        .header("x-auth-username", "a")
        .header("x-auth-password", "b")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count["count"], 7);
    let token = format!("{condeco}/Acme/api/V1/token");
    let form = [
        ("client_id", "a"),
        ("client_secret", "b"),
        ("grant_type", "password"),
    ];
    let first = http.post(&token).form(&form).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = http.post(&token).form(&form).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::FORBIDDEN, "--quota 1 applies");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn sim_command_refuses_an_unknown_scenario() {
    let output = Command::new(env!("CARGO_BIN_EXE_spacebridge"))
        .args(["sim", "--scenario", "huge"])
        .output()
        .expect("spacebridge runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown scenario"), "{stderr}");
}
