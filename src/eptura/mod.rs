//! The Eptura Workplace v2 client: one method per endpoint of `spec/eptura-api.md`, over the
//! shared [`crate::http`] layer. Lists page over bare arrays (`limit` 100, `startAt`, stop on a
//! short page), one page at a time but for id listings whose page count `/count` gives; `/count` and
//! `modifiedOrCreatedAfter` are offered where the API has them. Returns
//! [`crate::domain::remote`] records; the JSON shapes, paths and field names live in the
//! private `wire` module. The upload of a template's portfolio, built on it, is the sync's
//! ([`crate::sync::upload`]).
//!
//! Credentials go in the `x-auth-*` headers, marked sensitive; no error message holds them.
//! A page longer than asked, a list longer than [`crate::http::HttpConfig::max_list_records`]
//! or a server that repeats a page is an error, never an endless loop.

mod wire;

use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::Usage;
use crate::domain::ids::{
    EpturaBuildingId, EpturaCenterId, EpturaCountryId, EpturaFloorId, EpturaSpaceId,
    EpturaSpaceTypeId,
};
use crate::domain::remote::{
    EpturaBuilding, EpturaCenter, EpturaCountry, EpturaFloor, EpturaSpace, EpturaSpaceType,
};
use crate::domain::text::visible;
use crate::http::{HttpClient, HttpError, Reply, Secret, Url};
use wire::HasId;

/// Id pages fetched at once: the documentation warns that parallel pages provoke 429, and four
/// small ones are what the HTTP layer's pacing absorbs (listings of whole records stay one page
/// at a time).
const ID_PAGES_AT_ONCE: usize = 4;

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct EpturaSettings {
    /// The site address, e.g. `https://acme.ioffice.com`; the client appends the API root.
    pub url: String,
    pub username: String,
    pub password: Secret,
}

/// A building to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewBuilding {
    pub name: String,
    pub code: Option<String>,
    pub street: Option<String>,
    pub street2: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    pub state_code: Option<String>,
    pub country_code: Option<String>,
}

/// A floor to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFloor {
    pub building_id: EpturaBuildingId,
    pub name: String,
}

/// A space to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSpace {
    pub floor_id: EpturaFloorId,
    pub type_id: EpturaSpaceTypeId,
    pub name: String,
    pub capacity: u32,
    pub reservable: bool,
    pub occupiable: bool,
    pub description: Option<String>,
    /// Square feet.
    pub area: Option<f64>,
}

/// A space type to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSpaceType {
    pub name: String,
    pub usage: Usage,
    pub type_code: Option<String>,
    pub occupiable: Option<bool>,
}

/// The changed fields of an update (`PUT` sends the id plus these); fields a kind does not
/// have are left `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch {
    pub name: Option<String>,
    pub code: Option<String>,
    pub description: Option<String>,
    pub capacity: Option<u32>,
    pub reservable: Option<bool>,
    pub occupiable: Option<bool>,
    pub area: Option<f64>,
    pub usage: Option<Usage>,
    pub floor_id: Option<EpturaFloorId>,
    pub type_id: Option<EpturaSpaceTypeId>,
}

/// What can go wrong talking to Eptura Workplace.
#[derive(Debug, thiserror::Error)]
pub enum EpturaError {
    #[error(
        "the Eptura address \"{url}\" is not a valid URL ({detail}); give e.g. https://acme.ioffice.com"
    )]
    BadUrl { url: String, detail: String },
    #[error(
        "the Eptura {what} has characters an HTTP header cannot carry (line breaks or \
         non-ASCII): check SPACEBRIDGE_EPTURA_{}",
        what.to_uppercase()
    )]
    BadCredential { what: &'static str },
    #[error(
        "Eptura Workplace refused the credentials (401) on {method} {path}: check \
         SPACEBRIDGE_EPTURA_USERNAME and SPACEBRIDGE_EPTURA_PASSWORD"
    )]
    Unauthorized { method: Method, path: String },
    #[error("Eptura Workplace has no {path} (404 on {method})")]
    NotFound { method: Method, path: String },
    #[error("Eptura Workplace answered {status} to {method} {path}: {body}")]
    Status {
        method: Method,
        path: String,
        status: u16,
        body: String,
    },
    #[error("Eptura Workplace answered {method} {path} with JSON this tool cannot read: {detail}")]
    Decode {
        method: Method,
        path: String,
        detail: String,
    },
    #[error(
        "Eptura Workplace returned the same page twice for {path} at startAt={start_at}: it \
         seems to ignore paging; stopping rather than looping"
    )]
    PagingStuck { path: String, start_at: usize },
    #[error(
        "Eptura Workplace answered {got} rows to {path} at startAt={start_at} when {asked} were \
         asked: it ignores paging or is not Eptura Workplace; stopping"
    )]
    PageTooLarge {
        path: String,
        start_at: usize,
        asked: usize,
        got: usize,
    },
    #[error(
        "{path} still had more rows after {limit} (the most one list may hold): Eptura Workplace \
         keeps answering full pages; stopping rather than paging for ever"
    )]
    ListTooLong { path: String, limit: usize },
    #[error(transparent)]
    Http(#[from] HttpError),
}

impl EpturaError {
    /// True when the request may have been applied but its answer was lost.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, EpturaError::Http(HttpError::OutcomeUnknown { .. }))
    }

    /// True for failures of the connection or the service, as opposed to a refused request.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            EpturaError::Http(_)
                | EpturaError::BadUrl { .. }
                | EpturaError::BadCredential { .. }
                | EpturaError::Unauthorized { .. }
        )
    }
}

/// The Eptura Workplace v2 client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct EpturaClient {
    http: HttpClient,
    root: Url,
    username: String,
    password: Secret,
}

type Result<T> = std::result::Result<T, EpturaError>;

impl EpturaClient {
    pub fn new(settings: &EpturaSettings, http: HttpClient) -> Result<Self> {
        let root = api_root(&settings.url)?;
        Ok(EpturaClient {
            http,
            root,
            username: settings.username.clone(),
            password: settings.password.clone(),
        })
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    // ---- buildings ----

    pub async fn buildings(&self) -> Result<Vec<EpturaBuilding>> {
        self.list::<wire::Building, _>(wire::BUILDINGS, &[]).await
    }

    pub async fn buildings_changed_since(&self, epoch_ms: i64) -> Result<Vec<EpturaBuilding>> {
        let since = epoch_ms.to_string();
        self.list::<wire::Building, _>(wire::BUILDINGS, &[(wire::Q_MODIFIED_AFTER, since)])
            .await
    }

    pub async fn building_count(&self) -> Result<u64> {
        self.count(wire::BUILDINGS, &[]).await
    }

    pub async fn building(&self, id: EpturaBuildingId) -> Result<EpturaBuilding> {
        self.get_one::<wire::Building, _>(&format!("{}/{id}", wire::BUILDINGS))
            .await
    }

    pub async fn create_building(&self, building: &NewBuilding) -> Result<EpturaBuilding> {
        self.create::<wire::Building, _>(wire::BUILDINGS, wire::new_building(building))
            .await
    }

    pub async fn update_building(
        &self,
        id: EpturaBuildingId,
        patch: &Patch,
    ) -> Result<EpturaBuilding> {
        self.update::<wire::Building, _>(wire::BUILDINGS, id.get(), patch)
            .await
    }

    pub async fn delete_building(&self, id: EpturaBuildingId) -> Result<()> {
        self.delete(wire::BUILDINGS, id.get()).await
    }

    // ---- floors ----

    /// Every floor, or the floors of one building.
    pub async fn floors(&self, building_id: Option<EpturaBuildingId>) -> Result<Vec<EpturaFloor>> {
        let query: Vec<_> = building_id
            .map(|id| (wire::Q_BUILDING_ID, id.to_string()))
            .into_iter()
            .collect();
        self.list::<wire::Floor, _>(wire::FLOORS, &query).await
    }

    pub async fn floors_changed_since(&self, epoch_ms: i64) -> Result<Vec<EpturaFloor>> {
        let since = epoch_ms.to_string();
        self.list::<wire::Floor, _>(wire::FLOORS, &[(wire::Q_MODIFIED_AFTER, since)])
            .await
    }

    /// The id of every floor (a listing with `selector=id`): what a daily sync finds deleted
    /// floors by.
    pub async fn floor_ids(&self) -> Result<Vec<EpturaFloorId>> {
        self.list_ids(wire::FLOORS).await
    }

    pub async fn floor_count(&self) -> Result<u64> {
        self.count(wire::FLOORS, &[]).await
    }

    pub async fn floor(&self, id: EpturaFloorId) -> Result<EpturaFloor> {
        self.get_one::<wire::Floor, _>(&format!("{}/{id}", wire::FLOORS))
            .await
    }

    pub async fn create_floor(&self, floor: &NewFloor) -> Result<EpturaFloor> {
        self.create::<wire::Floor, _>(wire::FLOORS, wire::new_floor(floor))
            .await
    }

    pub async fn update_floor(&self, id: EpturaFloorId, patch: &Patch) -> Result<EpturaFloor> {
        self.update::<wire::Floor, _>(wire::FLOORS, id.get(), patch)
            .await
    }

    pub async fn delete_floor(&self, id: EpturaFloorId) -> Result<()> {
        self.delete(wire::FLOORS, id.get()).await
    }

    // ---- spaces (rooms) ----

    /// Every space, or those of a building and/or floor.
    pub async fn spaces(
        &self,
        building_id: Option<EpturaBuildingId>,
        floor_id: Option<EpturaFloorId>,
    ) -> Result<Vec<EpturaSpace>> {
        let mut query = Vec::new();
        if let Some(id) = building_id {
            query.push((wire::Q_BUILDING_ID, id.to_string()));
        }
        if let Some(id) = floor_id {
            query.push((wire::Q_FLOOR_ID, id.to_string()));
        }
        self.list::<wire::Room, _>(wire::ROOMS, &query).await
    }

    pub async fn spaces_changed_since(&self, epoch_ms: i64) -> Result<Vec<EpturaSpace>> {
        let since = epoch_ms.to_string();
        self.list::<wire::Room, _>(wire::ROOMS, &[(wire::Q_MODIFIED_AFTER, since)])
            .await
    }

    /// The id of every space (a listing with `selector=id`).
    pub async fn space_ids(&self) -> Result<Vec<EpturaSpaceId>> {
        self.list_ids(wire::ROOMS).await
    }

    pub async fn space_count(&self) -> Result<u64> {
        self.count(wire::ROOMS, &[]).await
    }

    pub async fn space(&self, id: EpturaSpaceId) -> Result<EpturaSpace> {
        self.get_one::<wire::Room, _>(&format!("{}/{id}", wire::ROOMS))
            .await
    }

    pub async fn create_space(&self, space: &NewSpace) -> Result<EpturaSpace> {
        self.create::<wire::Room, _>(wire::ROOMS, wire::new_space(space))
            .await
    }

    pub async fn update_space(&self, id: EpturaSpaceId, patch: &Patch) -> Result<EpturaSpace> {
        self.update::<wire::Room, _>(wire::ROOMS, id.get(), patch)
            .await
    }

    pub async fn delete_space(&self, id: EpturaSpaceId) -> Result<()> {
        self.delete(wire::ROOMS, id.get()).await
    }

    // ---- space types (room types) ----

    pub async fn space_types(&self) -> Result<Vec<EpturaSpaceType>> {
        self.list::<wire::RoomType, _>(wire::ROOM_TYPES, &[]).await
    }

    pub async fn space_types_changed_since(&self, epoch_ms: i64) -> Result<Vec<EpturaSpaceType>> {
        let since = epoch_ms.to_string();
        self.list::<wire::RoomType, _>(wire::ROOM_TYPES, &[(wire::Q_MODIFIED_AFTER, since)])
            .await
    }

    pub async fn space_type_count(&self) -> Result<u64> {
        self.count(wire::ROOM_TYPES, &[]).await
    }

    pub async fn create_space_type(&self, space_type: &NewSpaceType) -> Result<EpturaSpaceType> {
        self.create::<wire::RoomType, _>(wire::ROOM_TYPES, wire::new_space_type(space_type))
            .await
    }

    pub async fn update_space_type(
        &self,
        id: EpturaSpaceTypeId,
        patch: &Patch,
    ) -> Result<EpturaSpaceType> {
        self.update::<wire::RoomType, _>(wire::ROOM_TYPES, id.get(), patch)
            .await
    }

    pub async fn delete_space_type(&self, id: EpturaSpaceTypeId) -> Result<()> {
        self.delete(wire::ROOM_TYPES, id.get()).await
    }

    // ---- countries (read-only) ----

    pub async fn countries(&self) -> Result<Vec<EpturaCountry>> {
        self.list::<wire::Country, _>(wire::COUNTRIES, &[]).await
    }

    pub async fn countries_changed_since(&self, epoch_ms: i64) -> Result<Vec<EpturaCountry>> {
        let since = epoch_ms.to_string();
        self.list::<wire::Country, _>(wire::COUNTRIES, &[(wire::Q_MODIFIED_AFTER, since)])
            .await
    }

    pub async fn country_count(&self) -> Result<u64> {
        self.count(wire::COUNTRIES, &[]).await
    }

    pub async fn country(&self, id: EpturaCountryId) -> Result<EpturaCountry> {
        self.get_one::<wire::Country, _>(&format!("{}/{id}", wire::COUNTRIES))
            .await
    }

    // ---- reservation centers ----

    /// The reservation centers (without their buildings).
    pub async fn reservation_centers(&self) -> Result<Vec<EpturaCenter>> {
        let query = [(wire::Q_MODULE, wire::MODULE_RESERVATION.to_string())];
        self.list::<wire::Center, _>(wire::CENTERS, &query).await
    }

    /// One center with the ids of its buildings.
    pub async fn center(&self, id: EpturaCenterId) -> Result<EpturaCenter> {
        let path = format!("{}/{id}", wire::CENTERS);
        let query = [(wire::Q_SELECTOR, wire::CENTER_SELECTOR.to_string())];
        let reply = self.call(Method::GET, &path, &query, None).await?;
        let record: wire::Center = self.decode(&Method::GET, &path, &reply)?;
        Ok(record.into())
    }

    // ---- the generic verbs ----

    /// Every record of a collection, page by page.
    async fn list<W, T>(&self, path: &str, filters: &[(&str, String)]) -> Result<Vec<T>>
    where
        W: DeserializeOwned + HasId + Into<T>,
    {
        self.list_from::<W, T>(path, filters, 0).await
    }

    /// One page from `start_at`, in id order; never more rows than asked.
    async fn list_page<W: DeserializeOwned>(
        &self,
        path: &str,
        filters: &[(&str, String)],
        start_at: usize,
    ) -> Result<Vec<W>> {
        let mut query: Vec<(&str, String)> = filters.to_vec();
        query.push((wire::Q_LIMIT, wire::PAGE_LIMIT.to_string()));
        query.push((wire::Q_START_AT, start_at.to_string()));
        query.push((wire::Q_ORDER_BY, "id".into()));
        query.push((wire::Q_ORDER_BY_TYPE, "asc".into()));
        let reply = self.call(Method::GET, path, &query, None).await?;
        let page: Vec<W> = self.decode(&Method::GET, path, &reply)?;
        if page.len() > wire::PAGE_LIMIT {
            return Err(EpturaError::PageTooLarge {
                path: format!("/{path}"),
                start_at,
                asked: wire::PAGE_LIMIT,
                got: page.len(),
            });
        }
        Ok(page)
    }

    /// Every record from `start_at` on, one page after another as the API asks.
    async fn list_from<W, T>(
        &self,
        path: &str,
        filters: &[(&str, String)],
        mut start_at: usize,
    ) -> Result<Vec<T>>
    where
        W: DeserializeOwned + HasId + Into<T>,
    {
        let mut all: Vec<T> = Vec::new();
        let mut previous_first: Option<i64> = None;
        loop {
            let page: Vec<W> = self.list_page(path, filters, start_at).await?;
            let rows = page.len();
            let first = page.first().map(HasId::id);
            if rows > 0 && first == previous_first {
                return Err(EpturaError::PagingStuck {
                    path: path.to_string(),
                    start_at,
                });
            }
            previous_first = first;
            all.extend(page.into_iter().map(Into::into));
            if rows < wire::PAGE_LIMIT {
                return Ok(all);
            }
            let limit = self.http.config().max_list_records;
            if all.len() >= limit {
                return Err(EpturaError::ListTooLong {
                    path: format!("/{path}"),
                    limit,
                });
            }
            start_at += rows;
        }
    }

    /// Every id of a collection. Id pages are small and their number is known from the
    /// `/count` twin, so they are fetched [`ID_PAGES_AT_ONCE`] at a time (the HTTP layer's
    /// pacing answers a 429 as for any call); a last page still full (records created since
    /// the count) is followed one page at a time as usual.
    async fn list_ids<I: From<i64>>(&self, path: &str) -> Result<Vec<I>> {
        let selector = [(wire::Q_SELECTOR, wire::ID_SELECTOR.to_string())];
        let count = usize::try_from(self.count(path, &[]).await?).unwrap_or(usize::MAX);
        let limit = self.http.config().max_list_records;
        if count >= limit {
            return Err(EpturaError::ListTooLong {
                path: format!("/{path}"),
                limit,
            });
        }
        let starts = (0..=count / wire::PAGE_LIMIT).map(|page| page * wire::PAGE_LIMIT);
        let pages: Vec<Result<Vec<i64>>> = stream::iter(starts)
            .map(|start_at| self.id_page(path, &selector, start_at))
            .buffered(ID_PAGES_AT_ONCE)
            .collect()
            .await;
        let mut ids = Vec::with_capacity(count);
        let mut last_full = false;
        for page in pages {
            let page = page?;
            last_full = page.len() == wire::PAGE_LIMIT;
            ids.extend(page);
        }
        if last_full {
            let more = self
                .list_from::<wire::IdOnly, i64>(path, &selector, ids.len())
                .await?;
            ids.extend(more);
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids.into_iter().map(I::from).collect())
    }

    /// One page of ids from `start_at`.
    async fn id_page(
        &self,
        path: &str,
        selector: &[(&str, String)],
        start_at: usize,
    ) -> Result<Vec<i64>> {
        let page = self
            .list_page::<wire::IdOnly>(path, selector, start_at)
            .await?;
        Ok(page.into_iter().map(i64::from).collect())
    }

    async fn count(&self, path: &str, filters: &[(&str, String)]) -> Result<u64> {
        let path = format!("{path}/count");
        let reply = self.call(Method::GET, &path, filters, None).await?;
        let count: wire::Count = self.decode(&Method::GET, &path, &reply)?;
        Ok(count.count)
    }

    async fn get_one<W, T>(&self, path: &str) -> Result<T>
    where
        W: DeserializeOwned + Into<T>,
    {
        let reply = self.call(Method::GET, path, &[], None).await?;
        let record: W = self.decode(&Method::GET, path, &reply)?;
        Ok(record.into())
    }

    async fn create<W, T>(&self, path: &str, body: Value) -> Result<T>
    where
        W: DeserializeOwned + Into<T>,
    {
        let reply = self.call(Method::POST, path, &[], Some(body)).await?;
        let record: W = self.decode(&Method::POST, path, &reply)?;
        Ok(record.into())
    }

    async fn update<W, T>(&self, kind: &str, id: i64, patch: &Patch) -> Result<T>
    where
        W: DeserializeOwned + Into<T>,
    {
        let path = format!("{kind}/{id}");
        let body = wire::patch(id, patch);
        let reply = self.call(Method::PUT, &path, &[], Some(body)).await?;
        let record: W = self.decode(&Method::PUT, &path, &reply)?;
        Ok(record.into())
    }

    async fn delete(&self, kind: &str, id: i64) -> Result<()> {
        let path = format!("{kind}/{id}");
        self.call(Method::DELETE, &path, &[], None).await?;
        Ok(())
    }

    /// One request with both auth headers; any status but 2xx becomes an [`EpturaError`].
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Reply> {
        let url = self.root.join(path).map_err(|e| EpturaError::BadUrl {
            url: path.to_string(),
            detail: e.to_string(),
        })?;
        let mut password = reqwest::header::HeaderValue::from_str(self.password.expose())
            .map_err(|_| EpturaError::BadCredential { what: "password" })?;
        password.set_sensitive(true);
        let mut builder = self
            .http
            .request(method.clone(), url)
            .header(wire::HEADER_USERNAME, &self.username)
            .header(wire::HEADER_PASSWORD, password)
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            builder = builder.query(query);
        }
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        let request = builder.build().map_err(|e| EpturaError::Decode {
            method: method.clone(),
            path: path.to_string(),
            detail: format!("cannot build the request: {}", e.without_url()),
        })?;
        let reply = self.http.send(request).await?;
        self.check(method, path, reply)
    }

    fn check(&self, method: Method, path: &str, reply: Reply) -> Result<Reply> {
        let path = format!("/{path}");
        match reply.status.as_u16() {
            200..=299 => Ok(reply),
            401 | 403 => Err(EpturaError::Unauthorized { method, path }),
            404 => Err(EpturaError::NotFound { method, path }),
            status => Err(EpturaError::Status {
                method,
                path,
                status,
                body: self.password.scrub(&reply.excerpt(300)),
            }),
        }
    }

    fn decode<W: DeserializeOwned>(&self, method: &Method, path: &str, reply: &Reply) -> Result<W> {
        serde_json::from_slice(&reply.body).map_err(|e| EpturaError::Decode {
            method: method.clone(),
            path: format!("/{path}"),
            // serde may quote the answer: secrets scrubbed, hidden characters made visible.
            detail: visible(&self.password.scrub(&e.to_string())).into_owned(),
        })
    }
}

/// `https://site` → `https://site/external/api/rest/v2/` (kept when already there).
fn api_root(site: &str) -> Result<Url> {
    let trimmed = site.trim().trim_end_matches('/');
    let full = if trimmed.ends_with(wire::API_ROOT.trim_end_matches('/')) {
        format!("{trimmed}/")
    } else {
        format!("{trimmed}/{}", wire::API_ROOT)
    };
    Url::parse(&full).map_err(|e| EpturaError::BadUrl {
        url: site.to_string(),
        detail: e.to_string(),
    })
}

/// Decode `body` as every answer the client reads (for the fuzz targets of `fuzz/`): the
/// decoders and the conversions to domain records must never panic, whatever the bytes.
#[cfg(fuzzing)]
pub fn fuzz_decode(body: &[u8]) {
    fn each<W: DeserializeOwned + Into<T>, T>(body: &[u8]) {
        if let Ok(page) = serde_json::from_slice::<Vec<W>>(body) {
            let _: Vec<T> = page.into_iter().map(Into::into).collect();
        }
        if let Ok(one) = serde_json::from_slice::<W>(body) {
            let _: T = one.into();
        }
    }
    each::<wire::Building, EpturaBuilding>(body);
    each::<wire::Floor, EpturaFloor>(body);
    each::<wire::Room, EpturaSpace>(body);
    each::<wire::RoomType, EpturaSpaceType>(body);
    each::<wire::Country, EpturaCountry>(body);
    each::<wire::Center, EpturaCenter>(body);
    let _ = serde_json::from_slice::<wire::Count>(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_root_is_appended_once() {
        for site in [
            "https://acme.ioffice.com",
            "https://acme.ioffice.com/",
            "https://acme.ioffice.com/external/api/rest/v2",
            "https://acme.ioffice.com/external/api/rest/v2/",
        ] {
            assert_eq!(
                api_root(site).unwrap().as_str(),
                "https://acme.ioffice.com/external/api/rest/v2/",
                "{site}"
            );
        }
        assert!(matches!(
            api_root("not a url"),
            Err(EpturaError::BadUrl { .. })
        ));
    }
}
