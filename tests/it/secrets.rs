//! The credentials, proven absent: every command run with known secret values and the most
//! verbose log level, then every byte it printed, every file it wrote (the mapping store and
//! its WAL, the extracted template and the annotated copy inflated part by part, any log
//! file) and every snapshot of the test suite searched for them. A server that echoes the
//! secrets back in its error answers is tried too. Issue 13, B.

use std::io::Read;
use std::path::{Path, PathBuf};

use axum::response::IntoResponse;
use spacebridge::condeco::Filter;
use spacebridge::sim::{Faults, Scenario};

use crate::support::cli::{args, printed, run};
use crate::support::stubs::{self, LogCapture, Seen};
use crate::support::{
    CONDECO_CLIENT_ID, CONDECO_CLIENT_SECRET, CONDECO_KEY, EPTURA_PASSWORD, SAMPLE, condeco_client,
    condeco_env, path_of, spawn_sims,
};

/// Every secret the tests give the tool.
const SECRETS: [&str; 4] = [
    EPTURA_PASSWORD,
    CONDECO_KEY,
    CONDECO_CLIENT_ID,
    CONDECO_CLIENT_SECRET,
];

/// Fail if `text` (from `origin`) holds any secret.
fn assert_clean(origin: &str, text: &[u8]) {
    for secret in SECRETS {
        let found = text
            .windows(secret.len())
            .any(|window| window == secret.as_bytes());
        assert!(!found, "{secret} found in {origin}");
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// The bytes of a file as a search must see them: a zip's parts inflated, any other file as
/// it is.
fn searchable(path: &Path) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    let name = path.display().to_string();
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(&bytes)) else {
        return vec![(name, bytes)];
    };
    (0..archive.len())
        .map(|i| {
            let mut part = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            part.read_to_end(&mut content).unwrap();
            (format!("{name}!{}", part.name().unwrap()), content)
        })
        .collect()
}

#[tokio::test]
async fn no_command_prints_logs_or_stores_a_secret() {
    let sims = spawn_sims(Scenario::NewCustomer, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().display().to_string();
    let db = dir.path().join("store.sqlite").display().to_string();
    let extracted = dir.path().join("extract.xlsx").display().to_string();
    let annotated = dir.path().join("annotated.xlsx").display().to_string();
    let sample = path_of(SAMPLE).display().to_string();
    let mut env = sims.env();
    env.extend([
        ("SPACEBRIDGE_LOG", "trace".to_string()),
        ("RUST_LOG", "trace".to_string()),
        ("SPACEBRIDGE_DATA_DIR", home.clone()),
        ("HOME", home.clone()),
    ]);
    let mut runs = Vec::new();
    runs.push(("upload", run(args(&["upload", &sample]), env.clone()).await));
    sims.assign_every_building("Everywhere Reservation Center")
        .await;
    for (name, command) in [
        ("plan", vec!["plan", "--db", &db]),
        ("sync", vec!["sync", "--format", "json", "--db", &db]),
        ("sync again", vec!["sync", "--db", &db]),
        ("extract", vec!["extract", "--out", &extracted]),
        ("parse", vec!["parse", &sample, "--annotate", &annotated]),
    ] {
        runs.push((name, run(args(&command), env.clone()).await));
    }
    // The failures too: a refused password, and a Condeco that is not there.
    let mut refused = env.clone();
    refused.push(("SPACEBRIDGE_EPTURA_URL", "http://127.0.0.1:9".to_string()));
    refused.push(("SPACEBRIDGE_CONDECO_URL", "http://127.0.0.1:9".to_string()));
    runs.push((
        "sync, nothing there",
        run(args(&["sync", "--db", &db]), refused).await,
    ));
    for (name, output) in &runs {
        assert_clean(
            &format!("what `{name}` printed"),
            printed(output).as_bytes(),
        );
    }
    let (_, first) = &runs[0];
    assert_eq!(first.status.code(), Some(0), "{}", printed(first));
    let (_, synced) = &runs[2];
    assert_eq!(synced.status.code(), Some(0), "{}", printed(synced));
    let files = files_under(dir.path());
    assert!(
        files.iter().any(|f| f.ends_with("store.sqlite")),
        "the store was written: {files:?}"
    );
    assert!(files.iter().any(|f| f.ends_with("extract.xlsx")));
    assert!(files.iter().any(|f| f.ends_with("annotated.xlsx")));
    for file in &files {
        for (origin, bytes) in searchable(file) {
            assert_clean(&origin, &bytes);
        }
    }
    sims.shutdown().await;
}

#[tokio::test]
async fn a_server_echoing_the_secrets_back_never_gets_them_into_a_message() {
    // A Condeco (or something posing as one) that quotes whatever it was sent.
    let (base, log) = stubs::stub(|seen: &Seen| {
        let key = seen
            .headers
            .get("ocp-apim-subscription-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let echoed = format!("rejected key {key} with body {}", seen.body);
        (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "message": echoed })),
        )
            .into_response()
    })
    .await;
    let logs = LogCapture::default();
    let error = {
        let _guard = logs.install();
        condeco_client(&base)
            .countries(&Filter::default())
            .await
            .unwrap_err()
    };
    assert!(!log.lock().unwrap().is_empty(), "the stub was asked");
    let message = error.to_string();
    assert!(
        message.contains("***"),
        "the echo is shown scrubbed: {message}"
    );
    assert_clean("the error", message.as_bytes());
    assert_clean("the error's Debug", format!("{error:?}").as_bytes());
    assert_clean("the trace log", logs.text().as_bytes());
    // And through the binary.
    let output = run(
        args(&["extract", "--out", "/nonexistent/never.xlsx"]),
        condeco_env(&base),
    )
    .await;
    assert_ne!(output.status.code(), Some(0));
    assert_clean("what extract printed", printed(&output).as_bytes());
}

#[test]
fn no_snapshot_holds_a_secret() {
    let snapshots = path_of("tests/it/snapshots");
    let files = files_under(&snapshots);
    assert!(!files.is_empty(), "the snapshots are where they were");
    for file in files {
        assert_clean(&file.display().to_string(), &std::fs::read(&file).unwrap());
    }
}
