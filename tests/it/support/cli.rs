//! The `spacebridge` binary run by the tests, always with a clean environment (no profile, no
//! `SPACEBRIDGE_*` variable of the machine) plus what the test gives; and `spacebridge sim` as
//! a child process whose simulator addresses are read from what it prints.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

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

/// Run the binary to the end on a pseudo-terminal (through `script`, so its stderr is a
/// terminal) and return all it drew there; `None` when `script` is not installed.
pub async fn run_in_terminal(
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let line = std::iter::once(env!("CARGO_BIN_EXE_spacebridge").to_string())
        .chain(args)
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(script)
            .args(["-qefc", &line, "/dev/null"])
            .env_clear()
            .env("HOME", "/nonexistent/spacebridge-test-home")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("script runs")
    })
    .await
    .expect("the run finishes");
    Some(String::from_utf8_lossy(&output.stdout).to_string())
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

/// `spacebridge sim` running in a child process; killed when dropped.
pub struct SimProcess {
    child: std::process::Child,
    /// From its first line, "eptura listening on URL".
    pub eptura_url: String,
    /// From its second line, "condeco listening on URL".
    pub condeco_url: String,
}

/// Start `spacebridge sim` with `flags` and read the address of each simulator from the
/// lines it prints once both listen (each must say "NAME listening on http://127.0.0.1:PORT").
pub fn start_sim(flags: &[String]) -> SimProcess {
    let mut sim_args = vec!["sim".to_string()];
    sim_args.extend_from_slice(flags);
    let mut child = command(&sim_args, &[])
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
    let eptura_url = url_of("eptura");
    let condeco_url = url_of("condeco");
    SimProcess {
        child,
        eptura_url,
        condeco_url,
    }
}

impl SimProcess {
    /// SIGKILL it (nothing flushed, nothing closed cleanly) and reap it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The flags that start a simulator again on the same two ports.
    pub fn same_ports(&self) -> Vec<String> {
        let port = |url: &str| url.rsplit(':').next().unwrap_or_default().to_string();
        vec![
            "--eptura-port".into(),
            port(&self.eptura_url),
            "--condeco-port".into(),
            port(&self.condeco_url),
        ]
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
