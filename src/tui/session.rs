//! What the TUI was started with: where it is connected (for the header), the clients the work
//! uses (Eptura for the upload; both and the mapping store for the merge and the sync), what is
//! missing before each service can be used (named setting by setting, for the screens that say
//! what to set), and the demo's after-upload step. Built by the command line (`cli/tui.rs`,
//! `cli/demo.rs`); the TUI only reads it.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use crate::condeco::CondecoClient;
use crate::domain::Portfolio;
use crate::eptura::EpturaClient;
use crate::sync::apply::ApplyOptions;
use crate::sync::{PlanOptions, SyncSettings};

/// Where the TUI is connected, and the clients the work uses.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// The customer profile, or what stands for one ("demo").
    pub profile: Option<String>,
    pub eptura: Link,
    pub condeco: Link,
    /// Said in the header when set (e.g. "simulators not available").
    pub note: Option<String>,
    /// Where the settings were read: "profile acme of ~/.config/spacebridge/config.toml".
    pub settings_from: Option<String>,
    /// The Eptura Workplace client, when the settings are complete (the upload needs it).
    pub eptura_client: Option<EpturaClient>,
    /// Each Eptura setting still missing, with how to set it; empty when the client exists.
    pub eptura_missing: Vec<String>,
    /// The Condeco client, when its settings are complete (the merge and the sync need it).
    pub condeco_client: Option<CondecoClient>,
    /// Each Condeco setting still missing, with how to set it (for the sync).
    pub condeco_missing: Vec<String>,
    /// The mapping store the sync will keep its ids in, when known.
    pub store: Option<PathBuf>,
    /// A step run after every successful real upload (the demo's reservation centers).
    pub after_upload: Option<AfterUpload>,
}

impl Session {
    /// What the merge and the sync run with (default thresholds, destructive ops held), or
    /// every setting still missing, with how to set it.
    pub fn sync_settings(&self) -> Result<SyncSettings, Vec<String>> {
        let mut missing = Vec::new();
        if self.eptura_client.is_none() {
            missing.extend(self.eptura_missing.iter().cloned());
            if self.eptura_missing.is_empty() {
                missing.push("Eptura Workplace is not configured".to_string());
            }
        }
        if self.condeco_client.is_none() {
            missing.extend(self.condeco_missing.iter().cloned());
            if self.condeco_missing.is_empty() {
                missing.push("Condeco is not configured".to_string());
            }
        }
        if self.store.is_none() {
            missing.push(
                "the mapping store: set --db PATH, SPACEBRIDGE_DB or the profile's db".to_string(),
            );
        }
        match (&self.eptura_client, &self.condeco_client, &self.store) {
            (Some(eptura), Some(condeco), Some(store)) if missing.is_empty() => Ok(SyncSettings {
                eptura: eptura.clone(),
                condeco: condeco.clone(),
                store: store.clone(),
                plan: PlanOptions::default(),
                apply: ApplyOptions::default(),
            }),
            _ => Err(missing),
        }
    }
}

/// What [`AfterUpload`] returns: a sentence for the operator, or why it failed.
pub type AfterUploadFuture = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;

/// A step the session runs after a successful real upload, with the client and what was
/// uploaded. The demo sets one that stands in for the customer's step in Eptura's admin UI.
#[derive(Clone)]
pub struct AfterUpload(
    pub Arc<dyn Fn(EpturaClient, Arc<Portfolio>) -> AfterUploadFuture + Send + Sync>,
);

impl std::fmt::Debug for AfterUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AfterUpload(..)")
    }
}

/// The state of one service connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Link {
    #[default]
    NotConfigured,
    /// A simulator started by `spacebridge demo`.
    Simulator(String),
    Configured(String),
}
