//! `extract` against the simulator's existing-customer Condeco: the written template parses
//! back without errors and holds as many buildings and spaces as Condeco has locations (with
//! resources) and resources; and the command end to end, followed by `parse`.

mod common;

use std::collections::HashSet;

use spacebridge::condeco::extract::{caption, extract, fetch};
use spacebridge::condeco::{CondecoClient, CondecoSettings};
use spacebridge::http::{HttpClient, HttpConfig, Secret};
use spacebridge::sim::{self, Scenario, SimOptions};
use spacebridge::template::writer::{self, Layout};
use spacebridge::template::{self, LoadOptions, Severity};

fn client(base: &str) -> CondecoClient {
    let settings = CondecoSettings {
        url: base.to_string(),
        client_name: "acme".into(),
        subscription_key: Secret::new("key-secret"),
        client_id: Secret::new("id-secret"),
        client_secret: Secret::new("client-secret"),
    };
    CondecoClient::new(&settings, HttpClient::new(HttpConfig::for_tests()).unwrap()).unwrap()
}

async fn existing_customer() -> sim::Sims {
    sim::start(SimOptions {
        scenario: Scenario::ExistingCustomer,
        ..SimOptions::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_existing_customer_hierarchy_round_trips_through_a_template() {
    let sims = existing_customer().await;
    let condeco = client(&sims.condeco_url);
    let hierarchy = fetch(&condeco).await.unwrap();
    assert!(
        !hierarchy.resources.is_empty(),
        "the scenario has resources"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("extract.xlsx");
    let summary = extract(&hierarchy);
    let layout = Layout {
        title: "Extract",
        captions: Some(caption),
    };
    writer::write(&summary.portfolio, &layout, &path).unwrap();
    assert_eq!(summary.skipped_resources, 0);

    let loaded = template::load(&path, &LoadOptions::default()).unwrap();
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let with_resources: HashSet<i64> = hierarchy
        .resources
        .iter()
        .filter_map(|r| r.location_id)
        .collect();
    assert_eq!(loaded.counts.spaces, hierarchy.resources.len());
    assert_eq!(loaded.counts.buildings, with_resources.len());
    assert_eq!(
        loaded.counts.buildings + summary.empty_locations,
        hierarchy.locations.len(),
        "every location is a building unless it has no resource"
    );
    let floors: HashSet<(i64, i32)> = hierarchy
        .resources
        .iter()
        .filter_map(|r| Some((r.location_id?, r.floor_number?)))
        .collect();
    assert_eq!(loaded.counts.floors, floors.len());
    sims.shutdown().await;
}

#[tokio::test]
async fn the_extract_command_writes_a_file_parse_accepts() {
    let sims = existing_customer().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("condeco.xlsx");
    let url = sims.condeco_url.clone();
    let out_arg = out.display().to_string();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_spacebridge"))
            .args(["extract", "--out", &out_arg])
            .env_clear()
            .env("HOME", "/nonexistent/spacebridge-test-home")
            .env("SPACEBRIDGE_CONDECO_URL", url)
            .env("SPACEBRIDGE_CONDECO_CLIENT", "acme")
            .env(
                "SPACEBRIDGE_CONDECO_SUBSCRIPTION_KEY",
                "key-from-env-secret",
            )
            .env("SPACEBRIDGE_CONDECO_CLIENT_ID", "id")
            .env("SPACEBRIDGE_CONDECO_CLIENT_SECRET", "secret-from-env")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("wrote"), "{stdout}");
    assert!(!format!("{stdout}{stderr}").contains("key-from-env-secret"));
    let parse = std::process::Command::new(env!("CARGO_BIN_EXE_spacebridge"))
        .args(["parse", &out.display().to_string()])
        .output()
        .unwrap();
    assert_eq!(
        parse.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&parse.stdout)
    );
    sims.shutdown().await;
}

#[tokio::test]
async fn extract_without_condeco_settings_exits_2_and_names_them() {
    let output = tokio::task::spawn_blocking(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_spacebridge"))
            .args(["extract", "--out", "/tmp/never-written.xlsx"])
            .env_clear()
            .env("HOME", "/nonexistent/spacebridge-test-home")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SPACEBRIDGE_CONDECO_URL"));
}
