//! The connection flags every networked command shares (`spec/cli.md`): addresses and user
//! names only. Secrets have no flag on purpose: they come from the environment or the config
//! file, resolved by [`crate::config`].

use std::path::PathBuf;

use crate::condeco::CondecoClient;
use crate::config::{self, ConfigError, Flags, Settings};
use crate::eptura::EpturaClient;
use crate::http::{HttpClient, HttpConfig, HttpError};

#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionArgs {
    /// Config file (TOML, one [profile.NAME] per customer); default in the user's config dir.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Profile of the config file to use (default: "default").
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Eptura Workplace site address (the client appends /external/api/rest/v2/).
    #[arg(long, value_name = "URL")]
    pub eptura_url: Option<String>,
    /// Eptura Workplace user (the password comes from SPACEBRIDGE_EPTURA_PASSWORD or the config).
    #[arg(long, value_name = "USER")]
    pub eptura_username: Option<String>,
    /// Condeco API address (the client appends /{client}/api/V1/).
    #[arg(long, value_name = "URL")]
    pub condeco_url: Option<String>,
    /// Condeco client (site) name.
    #[arg(long, value_name = "NAME")]
    pub condeco_client: Option<String>,
    /// Mapping store (SQLite file).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Most requests per second to each service, a cap over the pace found from the
    /// server's 429s (0: no cap).
    #[arg(long, value_name = "N", default_value_t = 0.0, value_parser = parse_max_rate)]
    pub max_rate: f64,
}

impl ConnectionArgs {
    /// Flags > environment > config file.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let flags = Flags {
            config: self.config.clone(),
            profile: self.profile.clone(),
            eptura_url: self.eptura_url.clone(),
            eptura_username: self.eptura_username.clone(),
            condeco_url: self.condeco_url.clone(),
            condeco_client: self.condeco_client.clone(),
            db: self.db.clone(),
        };
        config::resolve(&flags, &|key| std::env::var(key).ok())
    }
}

impl ConnectionArgs {
    /// The Eptura Workplace client, or what to set.
    pub fn eptura_client(&self) -> Result<EpturaClient, String> {
        let settings = self.settings().map_err(|e| e.to_string())?;
        let eptura = settings.eptura().map_err(|e| e.to_string())?;
        let http = self.http_client().map_err(|e| e.to_string())?;
        EpturaClient::new(&eptura, http).map_err(|e| e.to_string())
    }

    /// The Condeco client, or what to set.
    pub fn condeco_client(&self) -> Result<CondecoClient, String> {
        let settings = self.settings().map_err(|e| e.to_string())?;
        let condeco = settings.condeco().map_err(|e| e.to_string())?;
        let http = self.http_client().map_err(|e| e.to_string())?;
        CondecoClient::new(&condeco, http).map_err(|e| e.to_string())
    }

    /// The mapping store: `--db` > `SPACEBRIDGE_DB` > the profile's `db`, else one file per
    /// profile in the user's data directory.
    pub fn store_path(&self) -> Result<PathBuf, String> {
        let settings = self.settings().map_err(|e| e.to_string())?;
        if let Some(db) = settings.db {
            return Ok(db);
        }
        let profile = settings.profile.unwrap_or_else(|| "default".into());
        directories::ProjectDirs::from("", "", "spacebridge")
            .map(|dirs| dirs.data_dir().join(format!("{profile}.sqlite")))
            .ok_or_else(|| {
                "no home directory to keep the mapping store in: give --db PATH or set \
                 SPACEBRIDGE_DB"
                    .to_string()
            })
    }

    /// An HTTP client with the default limits and the chosen request rate.
    pub fn http_client(&self) -> Result<HttpClient, HttpError> {
        let rate = (self.max_rate > 0.0).then_some(self.max_rate);
        HttpClient::new(HttpConfig {
            rate_per_second: rate,
            burst: rate.map(|r| r.ceil() as u32).unwrap_or(1),
            ..HttpConfig::default()
        })
    }
}

/// The slowest cap that still makes progress: one request every ten seconds.
const MIN_MAX_RATE: f64 = 0.1;

/// `--max-rate`: 0 (no cap) or a finite rate of at least [`MIN_MAX_RATE`].
fn parse_max_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of requests per second"))?;
    if rate == 0.0 || (rate.is_finite() && rate >= MIN_MAX_RATE) {
        Ok(rate)
    } else {
        Err(format!(
            "`{text}`: give 0 for no cap, or at least {MIN_MAX_RATE} requests per second"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_max_rate;

    #[test]
    fn max_rate_is_zero_or_a_usable_rate() {
        assert_eq!(parse_max_rate("0"), Ok(0.0));
        assert_eq!(parse_max_rate("250"), Ok(250.0));
        for bad in ["1e-300", "-5", "inf", "NaN", "fast"] {
            let error = parse_max_rate(bad).expect_err(bad);
            assert!(error.contains(bad), "{error}");
        }
    }
}
