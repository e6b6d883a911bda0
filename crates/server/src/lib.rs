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
mod log;
mod openapi;
pub mod policy;
pub mod routes;
mod state;
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

/// Serves until `shutdown` completes, then finishes the requests in flight and the jobs in
/// hand.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers: Vec<_> = (0..options.workers)
        .map(|n| {
            tokio::spawn(worker::run(
                state.clone(),
                format!("{}-{n}", options.name),
                stopped.clone(),
            ))
        })
        .collect();
    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    served
}
