//! cleanclaim as a service: `cleanclaim serve`. A REST API (JSON; the OpenAPI document at
//! `/api/openapi.json`) over the same application layer the command line calls, on the same
//! store (SQLite by default, PostgreSQL with a URL).
//!
//! - [`routes::table`] is every route with its policy; the router is built from it alone and
//!   wraps each route in [`policy::enforce`] (authentication, then the route's roles).
//! - What a caller sees is narrowed by their scope (their clinics; a therapist, their own
//!   visits) in the store's queries; another clinic's record answers 404 and is audited.
//! - Every read and write of PHI is audited: a write in its own transaction, a read before
//!   the response leaves.
//! - Logs carry the method, the route's template, the status, the error code and the time:
//!   never a path's values, a query, a body or an error's message.

mod error;
mod json;
mod kpi_cache;
mod log;
pub mod mllp;
mod openapi;
pub mod policy;
pub mod routes;
mod state;
mod web;
mod worker;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;

pub use error::{ApiError, ErrorCode};
pub use openapi::build as openapi_document;
pub use state::AppState;

/// The largest request body: an encounter is a few KB; a rule pack at most 1 MiB.
const MAX_BODY: usize = 2 << 20;

/// The service's router over `state`.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in routes::table() {
        let guard = from_fn_with_state((state.clone(), route.policy, route.path), policy::enforce);
        router = router.route(route.path, route.handler.layer(guard));
    }
    router
        .merge(web::routes())
        .fallback(|| async { ApiError::not_found("route").into_response() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                "this path does not take that method",
            )
            .into_response()
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(from_fn(log::request))
        .with_state(state)
}

/// How a server process runs besides its routes.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Background workers in this process (0: none; another process does the work).
    pub workers: usize,
    /// This process's name in the jobs it takes (host and process id, by default).
    pub name: String,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            workers: 1,
            name: format!("cleanclaim-{}", std::process::id()),
        }
    }
}

/// Serves plain HTTP until `shutdown` completes, then finishes the requests in flight and the
/// jobs in hand.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let workers = Workers::start(&state, &options);
    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    workers.stop().await;
    served
}

/// How long requests in flight may take to finish once a TLS server is asked to stop.
const TLS_DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

/// As [`serve`], over TLS (rustls, TLS 1.2 and 1.3) with a PEM certificate chain and key.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    state: AppState,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
    certificate_pem: Vec<u8>,
    key_pem: Vec<u8>,
) -> std::io::Result<()> {
    // One process-wide provider (ring: no C toolchain beyond what ring needs); an earlier
    // install by this process is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem(certificate_pem, key_pem).await?;
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(TLS_DRAIN));
    });
    let workers = Workers::start(&state, &options);
    let served = axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(router(state).into_make_service())
        .await;
    workers.stop().await;
    served
}

/// The background workers of a process.
struct Workers {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The first read of the KPI facts, begun at start so that the first dashboard after a
    /// restart does not wait for a year of them; dropped, not awaited, at stop.
    warm: tokio::task::JoinHandle<()>,
}

impl Workers {
    fn start(state: &AppState, options: &ServeOptions) -> Self {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let tasks = (0..options.workers)
            .map(|n| {
                tokio::spawn(worker::run(
                    state.clone(),
                    format!("{}-{n}", options.name),
                    stopped.clone(),
                ))
            })
            .collect();
        let kpis = state.clone();
        let warm = tokio::spawn(async move {
            match kpis.kpi_figures().await {
                // A large store: the read goes on in the background.
                Ok(_) | Err(kpi_cache::KpiReadError::Counting) => {}
                Err(error) => {
                    tracing::warn!(error = %error, "reading the KPI facts at start failed; the first page will read them");
                }
            }
        });
        Self { stop, tasks, warm }
    }

    /// Asks every worker to stop and waits for the jobs in hand.
    async fn stop(self) {
        self.warm.abort();
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
