//! The connection flags every networked command shares (`spec/cli.md`): addresses and user
//! names only. Secrets have no flag on purpose: they come from the environment or the config
//! file, resolved by [`crate::config`].

use std::path::PathBuf;

use crate::config::{self, ConfigError, Flags, Settings};
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
    /// Most requests per second to each service (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 20.0)]
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
