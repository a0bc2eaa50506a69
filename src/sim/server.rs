//! The accept loop both simulators run: HTTP/1.1 with keep-alive over hyper, serving an axum
//! router. It exists (instead of `axum::serve`) so that a response marked [`DropConnection`]
//! makes hyper abort the connection without writing anything: the client really sees a
//! connection error, as with a flaky gateway.

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Put this in a response's extensions to close the connection instead of answering.
#[derive(Debug, Clone, Copy)]
pub(super) struct DropConnection;

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
struct Dropped;

/// Serve `router` on `listener` until `stop` is cancelled; then close every connection.
pub(super) async fn serve(listener: TcpListener, router: Router, stop: CancellationToken) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                Err(e) => tracing::warn!("sim accept failed: {e}"),
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: tokio::net::TcpStream, router: Router) {
    let inner = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let inner = inner.clone();
        async move {
            let response: hyper::Response<Body> = hyper::service::Service::call(&inner, request)
                .await
                .map_err(|never: Infallible| match never {})?;
            if response.extensions().get::<DropConnection>().is_some() {
                return Err(Dropped);
            }
            Ok(response)
        }
    });
    // A connection error is the client's or the fault's doing; nothing to report.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
