//! `extract` against the simulator's existing-customer Condeco: the written template parses
//! back without errors and holds as many buildings and spaces as Condeco has locations (with
//! resources) and resources; and the command end to end, followed by `parse`.

use std::collections::HashSet;

use spacebridge::condeco::extract::{caption, extract, fetch};
use spacebridge::sim::{Faults, Scenario};
use spacebridge::template::writer::{self, Layout};
use spacebridge::template::{self, LoadOptions, Severity};

use crate::support::cli::{args, printed, run};
use crate::support::{CONDECO_KEY, Simulators, condeco_env, spawn_sims};

async fn existing_customer() -> Simulators {
    spawn_sims(Scenario::ExistingCustomer, Faults::default()).await
}

#[tokio::test]
async fn the_existing_customer_hierarchy_round_trips_through_a_template() {
    let sims = existing_customer().await;
    let condeco = sims.condeco_client();
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
    let with_resources: HashSet<_> = hierarchy
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
    let floors: HashSet<(_, i32)> = hierarchy
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
    let out_arg = out.display().to_string();
    let output = run(
        args(&["extract", "--out", &out_arg]),
        condeco_env(&sims.condeco_url),
    )
    .await;
    let all = printed(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("wrote"),
        "{all}"
    );
    assert!(!all.contains(CONDECO_KEY), "the key is never printed");
    let parse = run(args(&["parse", &out_arg]), vec![]).await;
    assert_eq!(parse.status.code(), Some(0), "{}", printed(&parse));
    sims.shutdown().await;
}

#[tokio::test]
async fn extract_without_condeco_settings_exits_2_and_names_them() {
    let output = run(
        args(&["extract", "--out", "/tmp/never-written.xlsx"]),
        vec![],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SPACEBRIDGE_CONDECO_URL"));
}
