//! One log line per request: method, the route's template (`/api/encounters/{id}`, never the
//! id), status, error code and milliseconds. Nothing a caller sent is logged: ids, queries,
//! bodies and error messages can all carry PHI.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ErrorCode;

pub async fn request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let code = response.extensions().get::<ErrorCode>().map(|c| c.as_str());
    tracing::info!(
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        error = code.unwrap_or(""),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}
