//! Raw callers of the simulators' APIs: plain reqwest with the headers each API wants, no
//! client library, so that the simulators are checked independently of the clients. Answers
//! come back as (status, JSON); helpers that expect success assert it.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

/// Eptura's `/external/api/rest/v2` with the auth headers (any user is let in).
pub struct EpturaApi {
    pub http: reqwest::Client,
    /// The site address: the control plane (`/__sim/...`) is under it.
    pub root: String,
    /// The API root.
    pub base: String,
}

impl EpturaApi {
    pub fn new(root: &str) -> EpturaApi {
        EpturaApi {
            http: reqwest::Client::new(),
            root: root.to_string(),
            base: format!("{root}/external/api/rest/v2"),
        }
    }

    /// A request of `path` (under the API root) with the auth headers.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("x-auth-username", "admin")
            .header("x-auth-password", "secret")
    }

    /// A GET, whatever becomes of it (the connection may be dropped on purpose).
    pub async fn try_get(&self, path: &str) -> reqwest::Result<reqwest::Response> {
        self.request(Method::GET, path).send().await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self.try_get(path).await.expect("Eptura answers");
        answer(response).await
    }

    pub async fn send(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .request(method, path)
            .json(&body)
            .send()
            .await
            .expect("Eptura answers");
        answer(response).await
    }

    /// The rows of a list, which must be a bare array.
    pub async fn rows(&self, path: &str) -> Vec<Value> {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body.as_array()
            .unwrap_or_else(|| panic!("GET {path} is not a bare array: {body}"))
            .clone()
    }

    /// The `count` of a `/count` route.
    pub async fn count(&self, path: &str) -> u64 {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}");
        body["count"].as_u64().expect("count")
    }

    /// A POST that must answer 201; the created record.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, created) = self.send(Method::POST, path, body).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {created}");
        created
    }
}

/// Condeco's `/{client}/api/V1` with the subscription key and a bearer token.
pub struct CondecoApi {
    pub http: reqwest::Client,
    /// The API address: the control plane (`/__sim/...`) is under it.
    pub root: String,
    /// `{root}/{client}/api/V1`.
    pub base: String,
    /// The token sent as bearer; empty until one is fetched.
    pub token: String,
}

impl CondecoApi {
    /// A caller of site `client` without a token yet.
    pub fn new(root: &str, client: &str) -> CondecoApi {
        CondecoApi {
            http: reqwest::Client::new(),
            root: root.to_string(),
            base: format!("{root}/{client}/api/V1"),
            token: String::new(),
        }
    }

    /// A caller of site `client` holding a fresh token.
    pub async fn connect(root: &str, client: &str) -> CondecoApi {
        let mut api = CondecoApi::new(root, client);
        api.token = api.fetch_token().await;
        api
    }

    /// The token call (password grant), whatever becomes of it.
    pub async fn ask_token(&self) -> reqwest::Result<reqwest::Response> {
        self.http
            .post(format!("{}/token", self.base))
            .form(&[
                ("client_id", "spacebridge"),
                ("client_secret", "hunter2"),
                ("grant_type", "password"),
            ])
            .send()
            .await
    }

    /// A new token; the call must succeed and answer like Condeco does.
    pub async fn fetch_token(&self) -> String {
        let response = self.ask_token().await.expect("Condeco answers");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("the token is JSON");
        assert_eq!(body["token_type"], "bearer");
        assert!(body["expires_in"].as_u64().is_some());
        body["access_token"]
            .as_str()
            .expect("an access token")
            .to_string()
    }

    /// A request of `path` (under the site's API root) with the key and the token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}/{path}", self.base))
            .header("Ocp-Apim-Subscription-Key", "key-123")
            .bearer_auth(&self.token)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("Condeco answers")).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    /// The `items` of a page, which must be served.
    pub async fn items(&self, path: &str) -> Vec<Value> {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body["items"].as_array().expect("a page of items").clone()
    }

    /// A POST that must answer 201; the created record.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, created) = self.call(Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {created}");
        created
    }
}

/// The status and the JSON body (`null` when there is none).
async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The `Retry-After` of an answer, in seconds.
pub fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
