//! The `spacebridge` binary run by the tests, always with a clean environment (no profile, no
//! `SPACEBRIDGE_*` variable of the machine) plus what the test gives.

use std::process::{Command, Output};

/// The binary with `args`, a clean environment and `env`; not started yet.
pub fn command(args: &[String], env: &[(&'static str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spacebridge"));
    command
        .args(args)
        .env_clear()
        .env("HOME", "/nonexistent/spacebridge-test-home")
        .envs(env.iter().map(|(k, v)| (k, v)));
    command
}

/// Run the binary to the end (on a blocking thread, so the simulators keep serving).
pub async fn run(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || command(&args, &env).output().expect("spacebridge runs"))
        .await
        .expect("the run finishes")
}

/// `args` as owned strings.
pub fn args(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// Everything the run printed, stdout then stderr.
pub fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
