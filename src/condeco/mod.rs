//! The Condeco client: one method per operation of `spec/condeco-api.md` over the shared
//! [`crate::http`] layer. It owns the token flow (`POST token`, both headers on every call, one
//! refresh and repeat on 401), the paging envelope (`pageNumber` from 1, `pageSize` 500,
//! `totalCount`), the `externalId` filters, and the mapping of Condeco's answers to
//! [`CondecoError`]: a 400/409 `message` reaches the caller verbatim, a 403 quota answer says
//! when the quota renews and is not retried (calls are a budget). Paths and field names live in
//! the private `wire` module; records are [`crate::domain::remote`] types. [`extract`] writes
//! the hierarchy out as a Space Data template.
//!
//! The subscription key, client id, client secret and token are [`Secret`]s: never in a
//! message, a log line or a `Debug` output.

pub mod extract;
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use reqwest::header::HeaderValue;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::domain::ids::{
    CondecoCountryId, CondecoGroupId, CondecoLocationId, CondecoRegionId, CondecoResourceId,
    CondecoWorkspaceTypeId,
};
use crate::domain::remote::{
    BookingPeriod, CondecoCountry, CondecoFloor, CondecoGroup, CondecoLocation, CondecoRegion,
    CondecoResource, CondecoWorkspaceType, ResourceType,
};
use crate::domain::text::visible;
use crate::http::backoff::clamp_server_wait;
use crate::http::{HttpClient, HttpError, Idempotence, Reply, Secret, Url};

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct CondecoSettings {
    /// The API address, e.g. `https://api.condecosoftware.com`.
    pub url: String,
    /// The customer's Condeco site name.
    pub client_name: String,
    pub subscription_key: Secret,
    pub client_id: Secret,
    pub client_secret: Secret,
}

/// Filters of a list; each collection uses the ones it knows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub external_id: Option<String>,
    pub country_id: Option<CondecoCountryId>,
    pub region_id: Option<CondecoRegionId>,
    pub location_id: Option<CondecoLocationId>,
    pub floor_number: Option<i32>,
    pub resource_type: Option<ResourceType>,
}

impl Filter {
    pub fn external_id(id: impl Into<String>) -> Self {
        Filter {
            external_id: Some(id.into()),
            ..Filter::default()
        }
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        let mut push = |key, value: Option<String>| {
            if let Some(v) = value {
                q.push((key, v));
            }
        };
        push(wire::Q_EXTERNAL_ID, self.external_id.clone());
        push(wire::Q_COUNTRY_ID, self.country_id.map(|v| v.to_string()));
        push(wire::Q_REGION_ID, self.region_id.map(|v| v.to_string()));
        push(wire::Q_LOCATION_ID, self.location_id.map(|v| v.to_string()));
        push(
            wire::Q_FLOOR_NUMBER,
            self.floor_number.map(|v| v.to_string()),
        );
        push(
            wire::Q_RESOURCE_TYPE,
            self.resource_type
                .as_ref()
                .map(|t| wire::resource_type_text(t).to_string()),
        );
        q
    }
}

/// A country to create or update (`PUT` keeps fields left `None`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountryDraft {
    pub name: String,
    pub country_code: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupDraft {
    pub name: String,
    pub country_id: Option<CondecoCountryId>,
    pub location_ids: Option<Vec<CondecoLocationId>>,
    pub is_default: Option<bool>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionDraft {
    pub name: String,
    pub country_id: Option<CondecoCountryId>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationDraft {
    pub name: String,
    pub region_id: Option<CondecoRegionId>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub time_zone: Option<String>,
    pub status: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FloorDraft {
    pub name: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkspaceTypeDraft {
    pub name: String,
    pub booking_period: Option<BookingPeriod>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceDraft {
    pub name: String,
    pub resource_type: Option<ResourceType>,
    pub booking_period: Option<BookingPeriod>,
    pub location_id: Option<CondecoLocationId>,
    pub floor_number: Option<i32>,
    pub group_id: Option<CondecoGroupId>,
    pub workspace_type_id: Option<CondecoWorkspaceTypeId>,
    pub capacity: Option<u32>,
    pub status: Option<String>,
    pub external_id: Option<String>,
}

/// What a delete cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deleted {
    pub bookings_deleted: u64,
}

/// What can go wrong talking to Condeco.
#[derive(Debug, thiserror::Error)]
pub enum CondecoError {
    #[error(
        "the Condeco address \"{url}\" is not a valid URL ({detail}); give e.g. https://api.condecosoftware.com"
    )]
    BadUrl { url: String, detail: String },
    #[error(
        "the Condeco {what} has characters an HTTP header cannot carry (line breaks or \
         non-ASCII): check it"
    )]
    BadCredential { what: &'static str },
    #[error(
        "Condeco refused the client id or secret ({status}{}): check \
         SPACEBRIDGE_CONDECO_CLIENT_ID and SPACEBRIDGE_CONDECO_CLIENT_SECRET",
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
    )]
    TokenRefused {
        status: u16,
        message: Option<String>,
    },
    #[error(
        "Condeco answered 401 to {method} {path} with a fresh token{}: check \
         SPACEBRIDGE_CONDECO_SUBSCRIPTION_KEY and the client name",
        message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
    )]
    Unauthorized {
        method: Method,
        path: String,
        message: Option<String>,
    },
    #[error("Condeco's daily call quota is used up (403 on {method} {path}); {}", renewal(*renews_in))]
    QuotaExhausted {
        method: Method,
        path: String,
        /// From `Retry-After`, when sent.
        renews_in: Option<Duration>,
        renews_at: Option<SystemTime>,
    },
    #[error("Condeco refused {method} {path} (403): {message}")]
    Forbidden {
        method: Method,
        path: String,
        message: String,
    },
    #[error("Condeco rejected {method} {path} ({status}): {message}")]
    Rejected {
        method: Method,
        path: String,
        status: u16,
        /// Condeco's own `message`, unchanged: it is meant for the operator.
        message: String,
    },
    #[error("Condeco has no {path} (404 on {method})")]
    NotFound { method: Method, path: String },
    #[error("Condeco answered {status} to {method} {path}: {body}")]
    Status {
        method: Method,
        path: String,
        status: u16,
        body: String,
    },
    #[error("Condeco answered {method} {path} with JSON this tool cannot read: {detail}")]
    Decode {
        method: Method,
        path: String,
        detail: String,
    },
    #[error(
        "Condeco answered {got} items to {path} page {page} when {asked} were asked: it ignores \
         paging or is not Condeco; stopping"
    )]
    PageTooLarge {
        path: String,
        page: u32,
        asked: u32,
        got: usize,
    },
    #[error(
        "{path} holds {} (the most one list may hold is {limit}): stopping rather than \
         paging for ever",
        total.map_or_else(|| format!("more than {limit} items"), |n| format!("{n} items by its totalCount"))
    )]
    ListTooLong {
        path: String,
        limit: usize,
        /// The `totalCount` Condeco reported, when that was the reason.
        total: Option<u64>,
    },
    #[error(transparent)]
    Http(#[from] HttpError),
}

fn renewal(renews_in: Option<Duration>) -> String {
    match renews_in {
        Some(wait) => {
            let wait = clamp_server_wait(wait);
            let at = httpdate::fmt_http_date(SystemTime::now() + wait);
            let minutes = wait.as_secs().div_ceil(60);
            format!(
                "it renews in {}h {:02}m (about {at}): resume the run then",
                minutes / 60,
                minutes % 60
            )
        }
        None => "Condeco did not say when it renews (usually at midnight UTC): resume the run \
                 tomorrow"
            .into(),
    }
}

impl CondecoError {
    /// Condeco's message for a 400/409, verbatim.
    pub fn rejection(&self) -> Option<(u16, &str)> {
        match self {
            CondecoError::Rejected {
                status, message, ..
            } => Some((*status, message)),
            _ => None,
        }
    }

    pub fn is_quota(&self) -> bool {
        matches!(self, CondecoError::QuotaExhausted { .. })
    }

    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, CondecoError::Http(HttpError::OutcomeUnknown { .. }))
    }
}

type Result<T> = std::result::Result<T, CondecoError>;

/// A bearer token and when to stop trusting it.
#[derive(Debug, Clone)]
struct Token {
    value: Secret,
    renew_after: Instant,
}

/// Tokens are renewed this long before they expire.
const TOKEN_MARGIN: Duration = Duration::from_secs(300);

/// The Condeco client. Clones share the token, limits and counters.
#[derive(Debug, Clone)]
pub struct CondecoClient {
    http: HttpClient,
    root: Url,
    settings: Arc<CondecoSettings>,
    token: Arc<Mutex<Option<Token>>>,
    token_fetches: Arc<AtomicU64>,
}

impl CondecoClient {
    pub fn new(settings: &CondecoSettings, http: HttpClient) -> Result<Self> {
        Ok(CondecoClient {
            root: api_root(&settings.url, &settings.client_name)?,
            http,
            settings: Arc::new(settings.clone()),
            token: Arc::default(),
            token_fetches: Arc::default(),
        })
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// How many tokens were fetched (the first one and every refresh).
    pub fn token_fetches(&self) -> u64 {
        self.token_fetches.load(Ordering::Relaxed)
    }

    // ---- countries ----

    pub async fn countries(&self, filter: &Filter) -> Result<Vec<CondecoCountry>> {
        self.list::<wire::Country, _>(wire::COUNTRIES, filter).await
    }

    pub async fn country(&self, id: CondecoCountryId) -> Result<CondecoCountry> {
        self.get_one::<wire::Country, _>(&format!("{}/{id}", wire::COUNTRIES))
            .await
    }

    pub async fn create_country(&self, draft: &CountryDraft) -> Result<CondecoCountry> {
        self.write::<wire::Country, _>(Method::POST, wire::COUNTRIES.into(), wire::country(draft))
            .await
    }

    pub async fn update_country(
        &self,
        id: CondecoCountryId,
        draft: &CountryDraft,
    ) -> Result<CondecoCountry> {
        let path = format!("{}/{id}", wire::COUNTRIES);
        self.write::<wire::Country, _>(Method::PUT, path, wire::country(draft))
            .await
    }

    pub async fn delete_country(&self, id: CondecoCountryId) -> Result<Deleted> {
        self.delete(format!("{}/{id}", wire::COUNTRIES), false)
            .await
    }

    // ---- groups ----

    pub async fn groups(&self, filter: &Filter) -> Result<Vec<CondecoGroup>> {
        self.list::<wire::Group, _>(wire::GROUPS, filter).await
    }

    pub async fn group(&self, id: CondecoGroupId) -> Result<CondecoGroup> {
        self.get_one::<wire::Group, _>(&format!("{}/{id}", wire::GROUPS))
            .await
    }

    pub async fn create_group(&self, draft: &GroupDraft) -> Result<CondecoGroup> {
        self.write::<wire::Group, _>(Method::POST, wire::GROUPS.into(), wire::group(draft))
            .await
    }

    pub async fn update_group(
        &self,
        id: CondecoGroupId,
        draft: &GroupDraft,
    ) -> Result<CondecoGroup> {
        let path = format!("{}/{id}", wire::GROUPS);
        self.write::<wire::Group, _>(Method::PUT, path, wire::group(draft))
            .await
    }

    pub async fn delete_group(&self, id: CondecoGroupId) -> Result<Deleted> {
        self.delete(format!("{}/{id}", wire::GROUPS), false).await
    }

    // ---- regions ----

    pub async fn regions(&self, filter: &Filter) -> Result<Vec<CondecoRegion>> {
        self.list::<wire::Region, _>(wire::REGIONS, filter).await
    }

    pub async fn region(&self, id: CondecoRegionId) -> Result<CondecoRegion> {
        self.get_one::<wire::Region, _>(&format!("{}/{id}", wire::REGIONS))
            .await
    }

    pub async fn create_region(&self, draft: &RegionDraft) -> Result<CondecoRegion> {
        self.write::<wire::Region, _>(Method::POST, wire::REGIONS.into(), wire::region(draft))
            .await
    }

    pub async fn update_region(
        &self,
        id: CondecoRegionId,
        draft: &RegionDraft,
    ) -> Result<CondecoRegion> {
        let path = format!("{}/{id}", wire::REGIONS);
        self.write::<wire::Region, _>(Method::PUT, path, wire::region(draft))
            .await
    }

    pub async fn delete_region(&self, id: CondecoRegionId) -> Result<Deleted> {
        self.delete(format!("{}/{id}", wire::REGIONS), false).await
    }

    // ---- locations and their floors ----

    pub async fn locations(&self, filter: &Filter) -> Result<Vec<CondecoLocation>> {
        self.list::<wire::Location, _>(wire::LOCATIONS, filter)
            .await
    }

    pub async fn location(&self, id: CondecoLocationId) -> Result<CondecoLocation> {
        self.get_one::<wire::Location, _>(&format!("{}/{id}", wire::LOCATIONS))
            .await
    }

    pub async fn create_location(&self, draft: &LocationDraft) -> Result<CondecoLocation> {
        let body = wire::location(draft);
        self.write::<wire::Location, _>(Method::POST, wire::LOCATIONS.into(), body)
            .await
    }

    pub async fn update_location(
        &self,
        id: CondecoLocationId,
        draft: &LocationDraft,
    ) -> Result<CondecoLocation> {
        let path = format!("{}/{id}", wire::LOCATIONS);
        self.write::<wire::Location, _>(Method::PUT, path, wire::location(draft))
            .await
    }

    /// Deletes the location's bookings too; with children it is a 409 unless `cascade`.
    pub async fn delete_location(&self, id: CondecoLocationId, cascade: bool) -> Result<Deleted> {
        self.delete(format!("{}/{id}", wire::LOCATIONS), cascade)
            .await
    }

    /// Create or update floor `number` of a location.
    pub async fn put_floor(
        &self,
        location_id: CondecoLocationId,
        number: i32,
        draft: &FloorDraft,
    ) -> Result<CondecoFloor> {
        let path = wire::floor_path(location_id, number);
        self.write::<wire::Floor, _>(Method::PUT, path, wire::floor(number, draft))
            .await
    }

    pub async fn delete_floor(
        &self,
        location_id: CondecoLocationId,
        number: i32,
        cascade: bool,
    ) -> Result<Deleted> {
        self.delete(wire::floor_path(location_id, number), cascade)
            .await
    }

    // ---- workspace types ----

    pub async fn workspace_types(&self, filter: &Filter) -> Result<Vec<CondecoWorkspaceType>> {
        self.list::<wire::WorkspaceType, _>(wire::WORKSPACE_TYPES, filter)
            .await
    }

    pub async fn workspace_type(&self, id: CondecoWorkspaceTypeId) -> Result<CondecoWorkspaceType> {
        self.get_one::<wire::WorkspaceType, _>(&format!("{}/{id}", wire::WORKSPACE_TYPES))
            .await
    }

    pub async fn create_workspace_type(
        &self,
        draft: &WorkspaceTypeDraft,
    ) -> Result<CondecoWorkspaceType> {
        let body = wire::workspace_type(draft);
        self.write::<wire::WorkspaceType, _>(Method::POST, wire::WORKSPACE_TYPES.into(), body)
            .await
    }

    pub async fn update_workspace_type(
        &self,
        id: CondecoWorkspaceTypeId,
        draft: &WorkspaceTypeDraft,
    ) -> Result<CondecoWorkspaceType> {
        let path = format!("{}/{id}", wire::WORKSPACE_TYPES);
        self.write::<wire::WorkspaceType, _>(Method::PUT, path, wire::workspace_type(draft))
            .await
    }

    pub async fn delete_workspace_type(&self, id: CondecoWorkspaceTypeId) -> Result<Deleted> {
        self.delete(format!("{}/{id}", wire::WORKSPACE_TYPES), false)
            .await
    }

    // ---- resources ----

    pub async fn resources(&self, filter: &Filter) -> Result<Vec<CondecoResource>> {
        self.list::<wire::Resource, _>(wire::RESOURCES, filter)
            .await
    }

    pub async fn resource(&self, id: CondecoResourceId) -> Result<CondecoResource> {
        self.get_one::<wire::Resource, _>(&format!("{}/{id}", wire::RESOURCES))
            .await
    }

    pub async fn create_resource(&self, draft: &ResourceDraft) -> Result<CondecoResource> {
        let body = wire::resource(draft);
        self.write::<wire::Resource, _>(Method::POST, wire::RESOURCES.into(), body)
            .await
    }

    /// `resource_type` and `booking_period` cannot change after creation (Condeco answers 400).
    pub async fn update_resource(
        &self,
        id: CondecoResourceId,
        draft: &ResourceDraft,
    ) -> Result<CondecoResource> {
        let path = format!("{}/{id}", wire::RESOURCES);
        self.write::<wire::Resource, _>(Method::PUT, path, wire::resource(draft))
            .await
    }

    pub async fn delete_resource(&self, id: CondecoResourceId) -> Result<Deleted> {
        self.delete(format!("{}/{id}", wire::RESOURCES), false)
            .await
    }

    // ---- the generic verbs ----

    /// Every record matching the filter, page by page until the first page's `totalCount`
    /// (or a short page); at most [`crate::http::HttpConfig::max_list_records`].
    async fn list<W, T>(&self, path: &str, filter: &Filter) -> Result<Vec<T>>
    where
        W: DeserializeOwned + Into<T>,
    {
        let limit = self.http.config().max_list_records;
        let too_long = |total| CondecoError::ListTooLong {
            path: format!("/{path}"),
            limit,
            total,
        };
        let mut all: Vec<T> = Vec::new();
        let mut expected: Option<u64> = None;
        let mut page_number = 1u32;
        loop {
            let mut query = filter.query();
            query.push((wire::Q_PAGE_NUMBER, page_number.to_string()));
            query.push((wire::Q_PAGE_SIZE, wire::PAGE_SIZE.to_string()));
            let reply = self.call(Method::GET, path, &query, None).await?;
            let page: wire::Page<W> = decode(&Method::GET, path, &reply)?;
            let rows = page.items.len();
            if rows > wire::PAGE_SIZE as usize {
                return Err(CondecoError::PageTooLarge {
                    path: format!("/{path}"),
                    page: page_number,
                    asked: wire::PAGE_SIZE,
                    got: rows,
                });
            }
            // The count the first page reported is the one believed: a server whose total
            // grows with every page cannot keep the client paging.
            let total = *expected.get_or_insert(page.total_count.unwrap_or(u64::MAX));
            if total != u64::MAX && total > limit as u64 {
                return Err(too_long(Some(total)));
            }
            all.extend(page.items.into_iter().map(Into::into));
            let complete = all.len() as u64 >= total;
            if complete || rows == 0 || rows < wire::PAGE_SIZE as usize {
                return Ok(all);
            }
            if all.len() >= limit {
                return Err(too_long(None));
            }
            page_number = page_number.checked_add(1).ok_or_else(|| too_long(None))?;
        }
    }

    async fn get_one<W, T>(&self, path: &str) -> Result<T>
    where
        W: DeserializeOwned + Into<T>,
    {
        let reply = self.call(Method::GET, path, &[], None).await?;
        let record: W = decode(&Method::GET, path, &reply)?;
        Ok(record.into())
    }

    async fn write<W, T>(&self, method: Method, path: String, body: Value) -> Result<T>
    where
        W: DeserializeOwned + Into<T>,
    {
        let reply = self.call(method.clone(), &path, &[], Some(body)).await?;
        let record: W = decode(&method, &path, &reply)?;
        Ok(record.into())
    }

    async fn delete(&self, path: String, cascade: bool) -> Result<Deleted> {
        let query: Vec<(&str, String)> = if cascade {
            vec![(wire::Q_CASCADE, "true".into())]
        } else {
            Vec::new()
        };
        let reply = self.call(Method::DELETE, &path, &query, None).await?;
        let deleted: wire::Deleted = if reply.body.iter().all(u8::is_ascii_whitespace) {
            wire::Deleted::default()
        } else {
            decode(&Method::DELETE, &path, &reply)?
        };
        Ok(Deleted {
            bookings_deleted: deleted.bookings_deleted.unwrap_or(0),
        })
    }

    /// One authorised call: on 401, one new token and one repeat.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Reply> {
        let token = self.current_token().await?;
        let reply = self
            .send(method.clone(), path, query, body.as_ref(), &token)
            .await?;
        if reply.status.as_u16() != 401 {
            return self.check(method, path, reply);
        }
        tracing::debug!(%method, path, "401: fetching a new Condeco token and repeating once");
        self.forget_token(&token).await;
        let token = self.current_token().await?;
        let reply = self
            .send(method.clone(), path, query, body.as_ref(), &token)
            .await?;
        if reply.status.as_u16() == 401 {
            return Err(CondecoError::Unauthorized {
                method,
                path: format!("/{path}"),
                message: self.message(&reply),
            });
        }
        self.check(method, path, reply)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        token: &Secret,
    ) -> Result<Reply> {
        let url = self.url(path)?;
        let mut builder = self
            .http
            .request(method.clone(), url)
            .header(wire::HEADER_SUBSCRIPTION_KEY, self.key_header()?)
            .header(reqwest::header::AUTHORIZATION, bearer(token)?)
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            builder = builder.query(query);
        }
        if let Some(body) = body {
            builder = builder.json(body);
        }
        let request = builder.build().map_err(|e| CondecoError::Decode {
            method,
            path: format!("/{path}"),
            detail: format!("cannot build the request: {}", e.without_url()),
        })?;
        Ok(self.http.send(request).await?)
    }

    /// The token in use, fetched when there is none or it is about to expire. Callers queue on
    /// the lock, so concurrent requests share one fetch.
    async fn current_token(&self) -> Result<Secret> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref()
            && Instant::now() < token.renew_after
        {
            return Ok(token.value.clone());
        }
        let token = self.fetch_token().await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    /// Drop `stale` unless another request already replaced it.
    async fn forget_token(&self, stale: &Secret) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == *stale) {
            *slot = None;
        }
    }

    async fn fetch_token(&self) -> Result<Token> {
        self.token_fetches.fetch_add(1, Ordering::Relaxed);
        let form = [
            (wire::FORM_CLIENT_ID, self.settings.client_id.expose()),
            (
                wire::FORM_CLIENT_SECRET,
                self.settings.client_secret.expose(),
            ),
            (wire::FORM_GRANT_TYPE, wire::GRANT_TYPE),
        ];
        let request = self
            .http
            .request(Method::POST, self.url(wire::TOKEN)?)
            .header(wire::HEADER_SUBSCRIPTION_KEY, self.key_header()?)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .build()
            .map_err(|e| CondecoError::Decode {
                method: Method::POST,
                path: format!("/{}", wire::TOKEN),
                detail: format!("cannot build the request: {}", e.without_url()),
            })?;
        let reply = self
            .http
            .send_with(request, Idempotence::Idempotent)
            .await?;
        match reply.status.as_u16() {
            200..=299 => {}
            400 | 401 => {
                return Err(CondecoError::TokenRefused {
                    status: reply.status.as_u16(),
                    message: self.message(&reply),
                });
            }
            _ => return Err(self.error_of(Method::POST, wire::TOKEN, &reply)),
        }
        let bad_token = |detail: String| CondecoError::Decode {
            method: Method::POST,
            path: format!("/{}", wire::TOKEN),
            detail: self.scrub(&detail),
        };
        let token: wire::Token = serde_json::from_slice(&reply.body).map_err(|_| {
            // serde's message could quote the body, and the body holds the token.
            bad_token("the token answer is not JSON with an access_token".into())
        })?;
        let seconds = wire::token_lifetime(token.expires_in.as_ref()).map_err(bad_token)?;
        let lifetime = clamp_server_wait(Duration::from_secs(seconds));
        Ok(Token {
            value: Secret::new(token.access_token),
            renew_after: Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN.min(lifetime / 2)),
        })
    }

    /// Any status but 2xx as an error.
    fn check(&self, method: Method, path: &str, reply: Reply) -> Result<Reply> {
        if reply.status.is_success() {
            Ok(reply)
        } else {
            Err(self.error_of(method, path, &reply))
        }
    }

    /// The error a non-2xx answer stands for.
    fn error_of(&self, method: Method, path: &str, reply: &Reply) -> CondecoError {
        let path = format!("/{path}");
        let status = reply.status.as_u16();
        match status {
            400 | 409 => CondecoError::Rejected {
                method,
                path,
                status,
                message: self
                    .message(reply)
                    .unwrap_or_else(|| self.scrub(&reply.excerpt(500))),
            },
            403 => {
                let message = self
                    .message(reply)
                    .unwrap_or_else(|| self.scrub(&reply.excerpt(300)));
                let renews_in = reply.retry_after();
                if renews_in.is_some() || message.to_lowercase().contains("quota") {
                    CondecoError::QuotaExhausted {
                        method,
                        path,
                        renews_in,
                        renews_at: renews_in
                            .map(|wait| SystemTime::now() + clamp_server_wait(wait)),
                    }
                } else {
                    CondecoError::Forbidden {
                        method,
                        path,
                        message,
                    }
                }
            }
            404 => CondecoError::NotFound { method, path },
            _ => CondecoError::Status {
                method,
                path,
                status,
                body: self.scrub(&reply.excerpt(300)),
            },
        }
    }

    /// The `message` of an error body, secrets scrubbed (it is otherwise verbatim).
    fn message(&self, reply: &Reply) -> Option<String> {
        let parsed: wire::Message = serde_json::from_slice(&reply.body).ok()?;
        parsed.message.map(|m| self.scrub(&m))
    }

    /// Server text made fit for a message: secrets scrubbed, hidden characters made visible.
    fn scrub(&self, text: &str) -> String {
        let s = &self.settings;
        let text = s.subscription_key.scrub(text);
        let text = s.client_id.scrub(&text);
        visible(&s.client_secret.scrub(&text)).into_owned()
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.root.join(path).map_err(|e| CondecoError::BadUrl {
            url: path.to_string(),
            detail: e.to_string(),
        })
    }

    fn key_header(&self) -> Result<HeaderValue> {
        sensitive(self.settings.subscription_key.expose(), "subscription key")
    }
}

fn bearer(token: &Secret) -> Result<HeaderValue> {
    sensitive(&format!("Bearer {}", token.expose()), "token")
}

fn sensitive(value: &str, what: &'static str) -> Result<HeaderValue> {
    let mut header =
        HeaderValue::from_str(value).map_err(|_| CondecoError::BadCredential { what })?;
    header.set_sensitive(true);
    Ok(header)
}

fn decode<W: DeserializeOwned>(method: &Method, path: &str, reply: &Reply) -> Result<W> {
    serde_json::from_slice(&reply.body).map_err(|e| CondecoError::Decode {
        method: method.clone(),
        path: format!("/{path}"),
        // serde may quote the answer: hidden characters made visible.
        detail: visible(&e.to_string()).into_owned(),
    })
}

/// `https://api.example.com` + `acme` → `https://api.example.com/acme/api/V1/`.
fn api_root(url: &str, client_name: &str) -> Result<Url> {
    let base = url.trim().trim_end_matches('/');
    let client = client_name.trim().trim_matches('/');
    let full = if client.is_empty() {
        format!("{base}/{}", wire::API_SUFFIX)
    } else {
        format!("{base}/{client}/{}", wire::API_SUFFIX)
    };
    Url::parse(&full).map_err(|e| CondecoError::BadUrl {
        url: url.to_string(),
        detail: e.to_string(),
    })
}

/// Decode `body` as every answer the client reads (for the fuzz targets of `fuzz/`): pages of
/// each entity, the token answer and its lifetime, error messages, delete answers. None of it
/// may panic, whatever the bytes.
#[cfg(fuzzing)]
pub fn fuzz_decode(body: &[u8]) {
    fn page<W: DeserializeOwned + Into<T>, T>(body: &[u8]) {
        if let Ok(page) = serde_json::from_slice::<wire::Page<W>>(body) {
            let _: Vec<T> = page.items.into_iter().map(Into::into).collect();
        }
        if let Ok(one) = serde_json::from_slice::<W>(body) {
            let _: T = one.into();
        }
    }
    page::<wire::Country, CondecoCountry>(body);
    page::<wire::Group, CondecoGroup>(body);
    page::<wire::Region, CondecoRegion>(body);
    page::<wire::Location, CondecoLocation>(body);
    page::<wire::Floor, CondecoFloor>(body);
    page::<wire::WorkspaceType, CondecoWorkspaceType>(body);
    page::<wire::Resource, CondecoResource>(body);
    if let Ok(token) = serde_json::from_slice::<wire::Token>(body)
        && let Ok(seconds) = wire::token_lifetime(token.expires_in.as_ref())
    {
        let lifetime = clamp_server_wait(Duration::from_secs(seconds));
        let _ = Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN.min(lifetime / 2));
    }
    let _ = serde_json::from_slice::<wire::Message>(body);
    let _ = serde_json::from_slice::<wire::Deleted>(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_holds_the_client_name() {
        assert_eq!(
            api_root("https://api.example.com/", "acme")
                .unwrap()
                .as_str(),
            "https://api.example.com/acme/api/V1/"
        );
        assert!(api_root("::", "acme").is_err());
    }

    #[test]
    fn quota_messages_say_when_it_renews() {
        let e = CondecoError::QuotaExhausted {
            method: Method::GET,
            path: "/resources".into(),
            renews_in: Some(Duration::from_secs(3 * 3600 + 60 * 12)),
            renews_at: None,
        };
        assert!(e.to_string().contains("renews in 3h 12m"), "{e}");
    }
}
