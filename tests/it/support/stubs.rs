//! Stand-ins for a server, for the tests of the clients and the HTTP layer: tiny axum stubs on
//! loopback that record what they saw, raw TCP servers that drop connections or write whatever
//! a hostile server would (endless bodies, slow drips, broken headers), and a tracing capture
//! to prove secrets never reach a log line.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serve `router` on 127.0.0.1 (a free port); returns `http://127.0.0.1:PORT`.
pub async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{address}")
}

/// A server that closes the first `drops` connections without answering, then answers every
/// request with 200 and `body`.
pub async fn dropping_server(drops: usize, body: &'static str) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let n = {
                let mut c = counter.lock().unwrap();
                *c += 1;
                *c
            };
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 8192];
                let _ = socket.read(&mut buffer).await;
                if n <= drops {
                    drop(socket);
                    return;
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
                    body.len(),
                    body
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (format!("http://{address}"), seen)
}

/// A raw TCP server: for each connection the request head is read (up to the blank line, and
/// what the socket had of the body), then `answer` writes whatever it likes to the socket.
/// Returns `http://127.0.0.1:PORT` and how many connections were accepted.
pub async fn raw_server<F, Fut>(answer: F) -> (String, Arc<Mutex<usize>>)
where
    F: Fn(String, tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&seen);
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            *counter.lock().unwrap() += 1;
            let answer = Arc::clone(&answer);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                answer(String::from_utf8_lossy(&head).into_owned(), socket).await;
            });
        }
    });
    (format!("http://{address}"), seen)
}

/// Every tracing line written while the guard lives, at TRACE level.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let sink = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One request as a stub saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: std::collections::HashMap<String, String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Seen {
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query.get(key).map(String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

pub type Log = Arc<Mutex<Vec<Seen>>>;

/// A stub answering every request with `answer(&seen)`; returns its address and what it saw.
pub async fn stub<F>(answer: F) -> (String, Log)
where
    F: Fn(&Seen) -> axum::response::Response + Send + Sync + 'static,
{
    let log: Log = Arc::default();
    let seen_log = Arc::clone(&log);
    let answer = Arc::new(answer);
    let router = Router::new().fallback(
        move |method: axum::http::Method,
              uri: axum::http::Uri,
              headers: axum::http::HeaderMap,
              body: String| {
            let (log, answer) = (Arc::clone(&seen_log), Arc::clone(&answer));
            async move {
                let query = uri.query().map(url_pairs).unwrap_or_default();
                let seen = Seen {
                    method: method.to_string(),
                    path: uri.path().to_string(),
                    query,
                    headers,
                    body,
                };
                let reply = answer(&seen);
                log.lock().unwrap().push(seen);
                reply
            }
        },
    );
    (serve(router).await, log)
}

fn url_pairs(query: &str) -> std::collections::HashMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// A JSON answer.
pub fn json(status: u16, value: serde_json::Value) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        axum::Json(value),
    )
        .into_response()
}
