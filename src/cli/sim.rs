//! `spacebridge sim [--eptura-port P] [--condeco-port P] [--scenario NAME] [--state FILE]
//! [--latency-ms A..B] [--error-rate F] [--rate-limit N] [--max-concurrent N] [--drop-rate F]
//! [--lost-reply-rate F] [--late-error-rate F] [--quota N [--quota-period SECS]]
//! [--token-ttl SECS] [--token-revoke-rate F] [--seed N]`:
//! both simulators, standalone on 127.0.0.1, until Ctrl-C. Prints one `... listening on URL`
//! line per simulator once both are ready.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use color_eyre::eyre::{Context, Result};

use crate::sim::{self, Faults, Scenario, SimOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port of the Eptura Workplace simulator (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub eptura_port: u16,
    /// Port of the Condeco simulator (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub condeco_port: u16,
    /// Seeded data: empty, new-customer, existing-customer or large:N.
    #[arg(long, default_value = "empty")]
    pub scenario: Scenario,
    /// Load the data from this file if it exists and save it there after every write.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Delay every answer by a random time in this range, e.g. 20..200.
    #[arg(long, value_name = "A..B", value_parser = parse_range)]
    pub latency_ms: Option<(u64, u64)>,
    /// Share of requests answered 500/503 (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = parse_share)]
    pub error_rate: f64,
    /// At most 1: the share of requests answered 429. Above 1: requests per second beyond
    /// which 429 is answered.
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<f64>,
    /// Requests in flight beyond which 429 is answered.
    #[arg(long, value_name = "N")]
    pub max_concurrent: Option<usize>,
    /// Share of requests whose connection is closed without an answer (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = parse_share)]
    pub drop_rate: f64,
    /// Share of writes (POST/PUT/DELETE) applied, then left without an answer: the connection
    /// closes (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = parse_share)]
    pub lost_reply_rate: f64,
    /// Share of writes applied, then answered 502 or 504 as by a gateway (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = parse_share)]
    pub late_error_rate: f64,
    /// Condeco daily call quota; past it, 403 "Out of call volume quota".
    #[arg(long, value_name = "N")]
    pub quota: Option<u64>,
    /// Renew the quota every SECS seconds instead of at midnight UTC.
    #[arg(long, value_name = "SECS", requires = "quota",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub quota_period: Option<u64>,
    /// Lifetime of Condeco tokens in seconds (default twelve hours).
    #[arg(long, value_name = "SECS")]
    pub token_ttl: Option<u64>,
    /// Share of Condeco requests before which every token issued is revoked (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = parse_share)]
    pub token_revoke_rate: f64,
    /// Draw the faults from this seed, for a mix of faults that can be replayed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

fn parse_range(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("\"{text}\" is not a range of milliseconds like 20..200");
    let (low, high) = text.split_once("..").ok_or_else(bad)?;
    let low = low.trim().parse().map_err(|_| bad())?;
    let high = high.trim().parse().map_err(|_| bad())?;
    if low > high {
        return Err(bad());
    }
    Ok((low, high))
}

fn parse_share(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!(
            "\"{text}\" is not a share between 0 and 1, like 0.05"
        )),
    }
}

impl Args {
    fn faults(&self) -> Faults {
        let (rate_limit, max_per_second) = match self.rate_limit {
            Some(n) if n > 1.0 => (0.0, Some(n as u64)),
            Some(share) => (share.max(0.0), None),
            None => (0.0, None),
        };
        Faults {
            latency_ms: self.latency_ms,
            error_rate: self.error_rate,
            rate_limit,
            max_concurrent: self.max_concurrent,
            drop_rate: self.drop_rate,
            lost_reply_rate: self.lost_reply_rate,
            late_error_rate: self.late_error_rate,
            quota: self.quota,
            quota_period_secs: self.quota_period,
            max_per_second,
            token_ttl_secs: self.token_ttl,
            token_revoke_rate: self.token_revoke_rate,
            deny_credentials: false,
            retry_after_date: false,
            seed: self.seed,
        }
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().wrap_err("cannot start the async runtime")?;
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> Result<ExitCode> {
    let options = SimOptions {
        scenario: args.scenario,
        eptura_port: args.eptura_port,
        condeco_port: args.condeco_port,
        state_file: args.state.clone(),
        faults: args.faults(),
    };
    let sims = sim::start(options).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "eptura listening on {}", sims.eptura_url)?;
        writeln!(out, "condeco listening on {}", sims.condeco_url)?;
        out.flush()?;
    }
    tokio::signal::ctrl_c()
        .await
        .wrap_err("cannot wait for Ctrl-C")?;
    sims.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
