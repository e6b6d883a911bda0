//! `GET /api/kpis`: the revenue-cycle KPIs (docs/kpis.md) of the visits the caller may see, as
//! JSON or (`format=csv`) CSV. A clinic user's KPIs count their clinics' visits only; a
//! therapist's, the visits they rendered.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderName;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use cleanclaim_app::kpis::{KpiFilter, to_csv};
use cleanclaim_store::AuditOutcome;
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::policy::Caller;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct KpiQuery {
    location: Option<String>,
    payer: Option<String>,
    provider: Option<String>,
    discipline: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// The day receivables are counted at.
    as_of: Option<NaiveDate>,
    format: Option<String>,
}

pub async fn read(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Query(query): Query<KpiQuery>,
) -> Result<Response, ApiError> {
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::field(
                ErrorCode::InvalidInput,
                "format",
                "json or csv",
            ));
        }
    };
    let provider = match (&principal.scope.rendering_npi, query.provider) {
        (Some(own), Some(asked)) if *own != asked => {
            return Err(ApiError::field(
                ErrorCode::InvalidInput,
                "provider",
                "a therapist sees their own visits only",
            ));
        }
        (Some(own), _) => Some(own.clone()),
        (None, asked) => asked,
    };
    let filter = KpiFilter {
        location: query.location,
        payer: query.payer,
        provider,
        discipline: query.discipline,
        from: query.from,
        to: query.to,
        clinics: principal.scope.clinics.clone(),
        as_of: query.as_of,
    };
    let figures = state.kpi_figures().await?;
    let kpis = figures.snapshot.index.compute(&filter);
    state
        .store()
        .audit(&[principal.event("read", "kpis", AuditOutcome::Success)])
        .await?;
    // When the facts were read, and whether the store has moved on since (a refresh is under
    // way): the figures are exact as of that moment.
    let read_at = [
        (
            HeaderName::from_static("x-figures-read-at"),
            figures.snapshot.read_at.to_rfc3339(),
        ),
        (
            HeaderName::from_static("x-figures-behind"),
            figures.behind.to_string(),
        ),
    ];
    Ok(if csv {
        (
            read_at,
            [(CONTENT_TYPE, "text/csv; charset=utf-8")],
            to_csv(&kpis),
        )
            .into_response()
    } else {
        (read_at, Json(kpis)).into_response()
    })
}
