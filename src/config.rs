//! Connection settings: where Eptura Workplace and Condeco are, the credentials, and the
//! mapping store, resolved flags > environment > config file (`spec/cli.md`). The config file
//! is TOML with one `[profile.NAME]` table per customer, by default in the user's config dir.
//! Secrets come only from the environment or the config file (never a flag), are [`Secret`]s
//! from the moment they are read, and a config file other users could read is refused.
//! Reads the environment through a function so tests can give their own; does no network I/O.
//! A key the file should not hold (a misspelling, say) is an error that names it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::condeco::CondecoSettings;
use crate::eptura::EpturaSettings;
use crate::http::Secret;

pub const ENV_EPTURA_URL: &str = "SPACEBRIDGE_EPTURA_URL";
pub const ENV_EPTURA_USERNAME: &str = "SPACEBRIDGE_EPTURA_USERNAME";
pub const ENV_EPTURA_PASSWORD: &str = "SPACEBRIDGE_EPTURA_PASSWORD";
pub const ENV_CONDECO_URL: &str = "SPACEBRIDGE_CONDECO_URL";
pub const ENV_CONDECO_CLIENT: &str = "SPACEBRIDGE_CONDECO_CLIENT";
pub const ENV_CONDECO_SUBSCRIPTION_KEY: &str = "SPACEBRIDGE_CONDECO_SUBSCRIPTION_KEY";
pub const ENV_CONDECO_CLIENT_ID: &str = "SPACEBRIDGE_CONDECO_CLIENT_ID";
pub const ENV_CONDECO_CLIENT_SECRET: &str = "SPACEBRIDGE_CONDECO_CLIENT_SECRET";
pub const ENV_DB: &str = "SPACEBRIDGE_DB";
/// Not in the contract, but handy for scripts: the profile when `--profile` is not given.
pub const ENV_PROFILE: &str = "SPACEBRIDGE_PROFILE";
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// What the command line gave (no secrets: there are no flags for them).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub eptura_url: Option<String>,
    pub eptura_username: Option<String>,
    pub condeco_url: Option<String>,
    pub condeco_client: Option<String>,
    pub db: Option<PathBuf>,
}

/// One profile of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub eptura_url: Option<String>,
    pub eptura_username: Option<String>,
    pub eptura_password: Option<Secret>,
    pub condeco_url: Option<String>,
    pub condeco_client: Option<String>,
    pub condeco_subscription_key: Option<Secret>,
    pub condeco_client_id: Option<Secret>,
    pub condeco_client_secret: Option<Secret>,
    pub db: Option<PathBuf>,
}

/// Every key a profile may hold, as written in the config file; a key not listed here is an
/// error naming it (a misspelled key would otherwise be ignored without a word).
const PROFILE_KEYS: [&str; 9] = [
    "eptura_url",
    "eptura_username",
    "eptura_password",
    "condeco_url",
    "condeco_client",
    "condeco_subscription_key",
    "condeco_client_id",
    "condeco_client_secret",
    "db",
];

/// The largest config file read: it holds a few profiles of a few lines each.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profile: BTreeMap<String, Profile>,
}

/// The resolved settings; any of them may be missing until a command needs it.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub eptura_url: Option<String>,
    pub eptura_username: Option<String>,
    pub eptura_password: Option<Secret>,
    pub condeco_url: Option<String>,
    pub condeco_client: Option<String>,
    pub condeco_subscription_key: Option<Secret>,
    pub condeco_client_id: Option<Secret>,
    pub condeco_client_secret: Option<Secret>,
    pub db: Option<PathBuf>,
    /// The config file read, if any, and the profile used.
    pub config_file: Option<PathBuf>,
    pub profile: Option<String>,
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the config file {path} can be read by other users (mode {mode:o}) and holds secrets: \
         run `chmod 600 {path}` and try again"
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error(
        "the config file {path} is not valid TOML near line {line}; expected tables such as \
         [profile.acme] with keys like eptura_url = \"https://...\""
    )]
    Syntax { path: PathBuf, line: usize },
    #[error("the config file {path} has no [profile.{profile}]; its profiles are: {available}")]
    NoSuchProfile {
        path: PathBuf,
        profile: String,
        available: String,
    },
    #[error(
        "the config file {path} has an unknown key \"{key}\"{}; a profile's keys are: {}",
        nearest.map(|k| format!(" (did you mean \"{k}\"?)")).unwrap_or_default(),
        PROFILE_KEYS.join(", ")
    )]
    UnknownKey {
        path: PathBuf,
        /// Where it is: `profile.NAME.KEY`, or the top-level key.
        key: String,
        nearest: Option<&'static str>,
    },
    #[error(
        "the config file {path} is not a regular file or is larger than {} KiB: give the \
         path of the TOML file",
        MAX_CONFIG_BYTES / 1024
    )]
    NotAConfigFile { path: PathBuf },
    #[error("{what} is not set: {how}")]
    Missing { what: &'static str, how: String },
}

/// The config file used when `--config` is not given.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "spacebridge")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Flags > environment > config file.
pub fn resolve(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let env = |key: &str| env(key).filter(|v| !v.trim().is_empty());
    let (config_file, named) = match &flags.config {
        Some(path) => (Some(path.clone()), true),
        None => (default_config_path(), false),
    };
    let profile_name = flags.profile.clone().or_else(|| env(ENV_PROFILE));
    let (file, profile) = match &config_file {
        Some(path) if named || path.exists() => {
            let profile = read_profile(path, profile_name.as_deref())?;
            (Some(path.clone()), profile)
        }
        _ => (None, None),
    };
    let p = profile.unwrap_or_default();
    let secret = |key: &str, from_file: Option<Secret>| env(key).map(Secret::new).or(from_file);
    // Flag, else environment, else the config file.
    let layered = |flag: &Option<String>, key: &str, from_file: Option<String>| {
        flag.clone().or_else(|| env(key)).or(from_file)
    };
    Ok(Settings {
        eptura_url: layered(&flags.eptura_url, ENV_EPTURA_URL, p.eptura_url),
        eptura_username: layered(
            &flags.eptura_username,
            ENV_EPTURA_USERNAME,
            p.eptura_username,
        ),
        eptura_password: secret(ENV_EPTURA_PASSWORD, p.eptura_password),
        condeco_url: layered(&flags.condeco_url, ENV_CONDECO_URL, p.condeco_url),
        condeco_client: layered(&flags.condeco_client, ENV_CONDECO_CLIENT, p.condeco_client),
        condeco_subscription_key: secret(ENV_CONDECO_SUBSCRIPTION_KEY, p.condeco_subscription_key),
        condeco_client_id: secret(ENV_CONDECO_CLIENT_ID, p.condeco_client_id),
        condeco_client_secret: secret(ENV_CONDECO_CLIENT_SECRET, p.condeco_client_secret),
        db: flags
            .db
            .clone()
            .or_else(|| env(ENV_DB).map(PathBuf::from))
            .or(p.db),
        config_file: file,
        profile: profile_name.or(Some(DEFAULT_PROFILE.into())),
    })
}

/// The named profile (or `default`, which may be absent) of a config file.
fn read_profile(path: &Path, name: Option<&str>) -> Result<Option<Profile>, ConfigError> {
    check_private(path)?;
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    profile_of(path, &text, name)
}

/// The named profile (or `default`) of config file text; `path` names it in errors.
fn profile_of(path: &Path, text: &str, name: Option<&str>) -> Result<Option<Profile>, ConfigError> {
    // toml's own messages quote the offending line, which may hold a secret: give the line only.
    let syntax = |e: toml::de::Error| ConfigError::Syntax {
        path: path.to_path_buf(),
        line: e
            .span()
            .map(|span| {
                // Bytes, not characters: a span need not fall on a character boundary.
                let before = &text.as_bytes()[..span.start.min(text.len())];
                before.iter().filter(|b| **b == b'\n').count() + 1
            })
            .unwrap_or(1),
    };
    let table: toml::Table = toml::from_str(text).map_err(syntax)?;
    check_keys(path, &table)?;
    let mut file: ConfigFile = toml::from_str(text).map_err(syntax)?;
    match name {
        Some(name) => match file.profile.remove(name) {
            Some(profile) => Ok(Some(profile)),
            None => Err(ConfigError::NoSuchProfile {
                path: path.to_path_buf(),
                profile: name.to_string(),
                available: if file.profile.is_empty() {
                    "(none)".into()
                } else {
                    file.profile.keys().cloned().collect::<Vec<_>>().join(", ")
                },
            }),
        },
        None => Ok(file.profile.remove(DEFAULT_PROFILE)),
    }
}

/// Read config file text (for the fuzz target of `fuzz/`): any bytes give a profile or an
/// error, never a panic, and the error never quotes a value.
#[cfg(fuzzing)]
pub fn fuzz_read(text: &str) -> Result<Option<Profile>, ConfigError> {
    profile_of(Path::new("fuzz.toml"), text, Some("acme"))
}

/// Every key of the file is one this tool reads: `[profile.NAME]` tables of [`PROFILE_KEYS`].
fn check_keys(path: &Path, table: &toml::Table) -> Result<(), ConfigError> {
    let unknown = |key: String, last: &str, known: &[&'static str]| ConfigError::UnknownKey {
        path: path.to_path_buf(),
        nearest: nearest_key(last, known),
        key,
    };
    for (key, value) in table {
        if key != "profile" {
            return Err(unknown(key.clone(), key, &["profile"]));
        }
        let Some(profiles) = value.as_table() else {
            continue;
        };
        for (name, profile) in profiles {
            let Some(profile) = profile.as_table() else {
                continue;
            };
            if let Some(key) = profile.keys().find(|k| !PROFILE_KEYS.contains(&k.as_str())) {
                return Err(unknown(format!("profile.{name}.{key}"), key, &PROFILE_KEYS));
            }
        }
    }
    Ok(())
}

/// The known key a misspelled one is closest to, if it is close (a few edits).
fn nearest_key(key: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .map(|k| (crate::domain::names::levenshtein(key, k), *k))
        .filter(|(distance, k)| *distance <= (k.len() / 4).max(2))
        .min()
        .map(|(_, k)| k)
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !metadata.is_file() || metadata.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::NotAConfigFile {
            path: path.to_path_buf(),
        });
    }
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ConfigError::Exposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

fn missing(what: &'static str, flag: Option<&str>, env: &str, key: &str) -> ConfigError {
    let how = match flag {
        Some(flag) => format!("give {flag}, set {env}, or put {key} in the config file profile"),
        None => format!("set {env} or put {key} in the config file profile (never a flag)"),
    };
    ConfigError::Missing { what, how }
}

/// One setting a client needs, and where it can be set.
struct Need {
    what: &'static str,
    flag: Option<&'static str>,
    env: &'static str,
    key: &'static str,
}

impl Need {
    fn missing(&self) -> ConfigError {
        missing(self.what, self.flag, self.env, self.key)
    }
}

const EPTURA_URL: Need = Need {
    what: "the Eptura address",
    flag: Some("--eptura-url"),
    env: ENV_EPTURA_URL,
    key: "eptura_url",
};
const EPTURA_USERNAME: Need = Need {
    what: "the Eptura user",
    flag: Some("--eptura-username"),
    env: ENV_EPTURA_USERNAME,
    key: "eptura_username",
};
const EPTURA_PASSWORD: Need = Need {
    what: "the Eptura password",
    flag: None,
    env: ENV_EPTURA_PASSWORD,
    key: "eptura_password",
};
const CONDECO_URL: Need = Need {
    what: "the Condeco address",
    flag: Some("--condeco-url"),
    env: ENV_CONDECO_URL,
    key: "condeco_url",
};
const CONDECO_CLIENT: Need = Need {
    what: "the Condeco client name",
    flag: Some("--condeco-client"),
    env: ENV_CONDECO_CLIENT,
    key: "condeco_client",
};
const CONDECO_SUBSCRIPTION_KEY: Need = Need {
    what: "the Condeco subscription key",
    flag: None,
    env: ENV_CONDECO_SUBSCRIPTION_KEY,
    key: "condeco_subscription_key",
};
const CONDECO_CLIENT_ID: Need = Need {
    what: "the Condeco client id",
    flag: None,
    env: ENV_CONDECO_CLIENT_ID,
    key: "condeco_client_id",
};
const CONDECO_CLIENT_SECRET: Need = Need {
    what: "the Condeco client secret",
    flag: None,
    env: ENV_CONDECO_CLIENT_SECRET,
    key: "condeco_client_secret",
};

/// The needs of `set`, each with whether it is set, that are not set.
fn missing_of<const N: usize>(set: [(bool, Need); N]) -> Vec<ConfigError> {
    (set.into_iter())
        .filter(|(is_set, _)| !is_set)
        .map(|(_, need)| need.missing())
        .collect()
}

impl Settings {
    /// Everything the Eptura client needs, or which setting is missing.
    pub fn eptura(&self) -> Result<EpturaSettings, ConfigError> {
        Ok(EpturaSettings {
            url: (self.eptura_url.clone()).ok_or_else(|| EPTURA_URL.missing())?,
            username: (self.eptura_username.clone()).ok_or_else(|| EPTURA_USERNAME.missing())?,
            password: (self.eptura_password.clone()).ok_or_else(|| EPTURA_PASSWORD.missing())?,
        })
    }

    /// Every Eptura setting that is missing, each saying how to set it (empty: complete).
    pub fn eptura_missing(&self) -> Vec<ConfigError> {
        missing_of([
            (self.eptura_url.is_some(), EPTURA_URL),
            (self.eptura_username.is_some(), EPTURA_USERNAME),
            (self.eptura_password.is_some(), EPTURA_PASSWORD),
        ])
    }

    /// Everything the Condeco client needs, or which setting is missing.
    pub fn condeco(&self) -> Result<CondecoSettings, ConfigError> {
        let secret =
            |value: &Option<Secret>, need: Need| value.clone().ok_or_else(|| need.missing());
        Ok(CondecoSettings {
            url: (self.condeco_url.clone()).ok_or_else(|| CONDECO_URL.missing())?,
            client_name: (self.condeco_client.clone()).ok_or_else(|| CONDECO_CLIENT.missing())?,
            subscription_key: secret(&self.condeco_subscription_key, CONDECO_SUBSCRIPTION_KEY)?,
            client_id: secret(&self.condeco_client_id, CONDECO_CLIENT_ID)?,
            client_secret: secret(&self.condeco_client_secret, CONDECO_CLIENT_SECRET)?,
        })
    }

    /// Every Condeco setting that is missing, each saying how to set it (empty: complete).
    pub fn condeco_missing(&self) -> Vec<ConfigError> {
        missing_of([
            (self.condeco_url.is_some(), CONDECO_URL),
            (self.condeco_client.is_some(), CONDECO_CLIENT),
            (
                self.condeco_subscription_key.is_some(),
                CONDECO_SUBSCRIPTION_KEY,
            ),
            (self.condeco_client_id.is_some(), CONDECO_CLIENT_ID),
            (self.condeco_client_secret.is_some(), CONDECO_CLIENT_SECRET),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn write_config(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        (dir, path)
    }

    /// Resolve with only a config file (and a profile), no flags or environment.
    fn resolve_file(path: PathBuf, profile: Option<&str>) -> Result<Settings, ConfigError> {
        let flags = Flags {
            config: Some(path),
            profile: profile.map(str::to_string),
            ..Flags::default()
        };
        resolve(&flags, &env_of(&[]))
    }

    const FILE: &str = r#"
[profile.acme]
eptura_url = "https://file.example"
eptura_username = "file-user"
eptura_password = "file-password-secret"
condeco_url = "https://condeco.file"
condeco_client = "acme"
condeco_subscription_key = "file-key-secret"
condeco_client_id = "file-id"
condeco_client_secret = "file-client-secret"

[profile.other]
eptura_url = "https://other.example"
"#;

    #[test]
    fn flags_beat_environment_beat_file() {
        let (_dir, path) = write_config(FILE, 0o600);
        let flags = Flags {
            config: Some(path.clone()),
            profile: Some("acme".into()),
            eptura_url: Some("https://flag.example".into()),
            ..Flags::default()
        };
        let env = env_of(&[
            (ENV_EPTURA_URL, "https://env.example"),
            (ENV_EPTURA_USERNAME, "env-user"),
            (ENV_CONDECO_CLIENT_SECRET, "env-client-secret"),
        ]);
        let s = resolve(&flags, &env).unwrap();
        assert_eq!(s.eptura_url.as_deref(), Some("https://flag.example"));
        assert_eq!(s.eptura_username.as_deref(), Some("env-user"));
        assert_eq!(
            s.eptura_password.as_ref().map(Secret::expose),
            Some("file-password-secret")
        );
        assert_eq!(
            s.condeco_client_secret.as_ref().map(Secret::expose),
            Some("env-client-secret")
        );
        assert_eq!(s.condeco_client.as_deref(), Some("acme"));
        let debug = format!("{s:?} {:?} {:?}", s.eptura().unwrap(), s.condeco().unwrap());
        for secret in [
            "file-password-secret",
            "file-key-secret",
            "env-client-secret",
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
    }

    #[test]
    fn a_config_file_others_can_read_is_refused() {
        let (_dir, path) = write_config(FILE, 0o644);
        let error = resolve_file(path, Some("acme")).unwrap_err();
        assert!(
            matches!(error, ConfigError::Exposed { mode: 0o644, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("chmod 600"));
    }

    #[test]
    fn unknown_profiles_and_bad_toml_are_named_without_quoting_secrets() {
        let (_dir, path) = write_config(FILE, 0o600);
        let error = resolve_file(path, Some("nope")).unwrap_err().to_string();
        assert!(error.contains("acme, other"), "{error}");
        let (_dir2, bad) = write_config(
            "[profile.x]\neptura_password = \"s3cret-value\" oops\n",
            0o600,
        );
        let error = resolve_file(bad, None).unwrap_err();
        assert!(
            matches!(error, ConfigError::Syntax { line: 2, .. }),
            "{error:?}"
        );
        assert!(!error.to_string().contains("s3cret-value"));
    }

    #[test]
    fn every_missing_setting_is_named() {
        let settings = Settings {
            eptura_username: Some("ops".into()),
            condeco_url: Some("https://condeco.example".into()),
            ..Settings::default()
        };
        let eptura: Vec<String> = (settings.eptura_missing().iter())
            .map(ToString::to_string)
            .collect();
        assert_eq!(eptura.len(), 2, "{eptura:?}");
        assert!(eptura[0].contains("--eptura-url"), "{eptura:?}");
        assert!(eptura[1].contains(ENV_EPTURA_PASSWORD), "{eptura:?}");
        assert_eq!(settings.condeco_missing().len(), 4);
        let complete = Settings {
            eptura_url: Some("https://e.example".into()),
            eptura_password: Some(Secret::new("x")),
            ..settings
        };
        assert!(complete.eptura_missing().is_empty());
        assert!(complete.eptura().is_ok());
    }

    #[test]
    fn a_misspelled_key_is_named_with_the_key_it_resembles() {
        let (_dir, path) = write_config(
            "[profile.acme]\neptura_url = \"https://x\"\neptura_pasword = \"s3cret-value\"\n",
            0o600,
        );
        let error = resolve_file(path, Some("acme")).unwrap_err();
        assert!(
            matches!(&error, ConfigError::UnknownKey { key, nearest: Some("eptura_password"), .. }
                if key == "profile.acme.eptura_pasword"),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(text.contains("did you mean \"eptura_password\""), "{text}");
        assert!(!text.contains("s3cret-value"), "{text}");
        let (_dir, path) = write_config("[profiles.acme]\ndb = \"x\"\n", 0o600);
        let error = resolve_file(path, None).unwrap_err();
        assert!(
            matches!(&error, ConfigError::UnknownKey { key, nearest: Some("profile"), .. } if key == "profiles"),
            "{error:?}"
        );
    }

    #[test]
    fn every_listed_key_is_read() {
        let body: String = PROFILE_KEYS
            .iter()
            .map(|k| format!("{k} = \"value-of-{k}\"\n"))
            .collect();
        let (_dir, path) = write_config(&format!("[profile.acme]\n{body}"), 0o600);
        let s = resolve_file(path, Some("acme")).unwrap();
        assert_eq!(s.db, Some(PathBuf::from("value-of-db")));
        assert_eq!(
            s.condeco_client_secret.as_ref().map(Secret::expose),
            Some("value-of-condeco_client_secret")
        );
    }

    #[test]
    fn a_config_path_that_is_not_a_file_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let error = resolve_file(dir.path().to_path_buf(), None).unwrap_err();
        assert!(
            matches!(error, ConfigError::NotAConfigFile { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn missing_settings_say_where_to_put_them() {
        let s = Settings {
            eptura_url: Some("https://x".into()),
            eptura_username: Some("u".into()),
            ..Settings::default()
        };
        let error = s.eptura().unwrap_err().to_string();
        assert!(
            error.contains(ENV_EPTURA_PASSWORD) && error.contains("never a flag"),
            "{error}"
        );
        let error = s.condeco().unwrap_err().to_string();
        assert!(error.contains("--condeco-url"), "{error}");
    }
}
