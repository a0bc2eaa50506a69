//! `spacebridge demo [--scenario new-customer|existing-customer]`: the TUI against both
//! simulators started in-process on loopback, with a throw-away data directory and the sample
//! template (built into the binary) loaded in the background at start, so Review opens by
//! itself. The simulator wiring is [`start_simulators`] alone.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use color_eyre::eyre::{Context, Result};

use crate::sim::{self, Faults, SimOptions, Sims};
use crate::tui::{self, Link, Session};

/// The sample template shipped in `assets/`, so the demo works from any directory.
const SAMPLE_TEMPLATE: &[u8] = include_bytes!("../../assets/sample-template.xlsx");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scenario {
    /// Condeco holds nothing yet: the sync creates everything.
    #[default]
    NewCustomer,
    /// Condeco already holds part of the portfolio: the merge matters.
    ExistingCustomer,
}

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = Scenario::NewCustomer)]
    pub scenario: Scenario,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let scratch = Scratch::create()?;
    let template = scratch.path().join("sample-template.xlsx");
    std::fs::write(&template, SAMPLE_TEMPLATE)
        .with_context(|| format!("writing the sample template to {}", template.display()))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let sims = start_simulators(args.scenario, scratch.path()).await;
        let options = tui::Options {
            session: sims.session(),
            preload: Some(template),
            data_dir: Some(scratch.path().join("data")),
        };
        let outcome = tui::run(options).await;
        sims.shutdown().await;
        outcome
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The simulators the demo runs against, and what the status bar says about them.
struct Simulators {
    sims: Option<Sims>,
    session: Session,
}

impl Simulators {
    fn session(&self) -> Session {
        self.session.clone()
    }

    async fn shutdown(self) {
        if let Some(sims) = self.sims {
            sims.shutdown().await;
        }
    }
}

/// Start both simulators for `scenario` on free loopback ports, in memory (nothing of theirs
/// outlives the demo). If they cannot start, the demo runs on the template alone and says why.
async fn start_simulators(scenario: Scenario, _dir: &Path) -> Simulators {
    let options = SimOptions {
        scenario: match scenario {
            Scenario::NewCustomer => sim::Scenario::NewCustomer,
            Scenario::ExistingCustomer => sim::Scenario::ExistingCustomer,
        },
        eptura_port: 0,
        condeco_port: 0,
        state_file: None,
        faults: Faults::default(),
    };
    let profile = Some(format!("demo ({})", options.scenario));
    match sim::start(options).await {
        Ok(sims) => Simulators {
            session: Session {
                profile,
                eptura: Link::Simulator(sims.eptura_url.clone()),
                condeco: Link::Simulator(sims.condeco_url.clone()),
                note: None,
            },
            sims: Some(sims),
        },
        Err(e) => {
            tracing::warn!("demo simulators did not start: {e}");
            Simulators {
                session: Session {
                    profile,
                    eptura: Link::NotConfigured,
                    condeco: Link::NotConfigured,
                    note: Some(format!("simulators did not start ({e}): template only")),
                },
                sims: None,
            }
        }
    }
}

/// A directory removed when the demo ends.
struct Scratch(PathBuf);

impl Scratch {
    fn create() -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("spacebridge-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the demo's scratch directory {}", dir.display()))?;
        Ok(Scratch(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
