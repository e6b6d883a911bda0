//! The audit log, for auditors: filtered and paged, newest first. Reading it is itself audited.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use cleanclaim_store::{AuditFilter, AuditOutcome};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::policy::Caller;
use crate::routes::page_limit;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    actor: Option<String>,
    patient: Option<String>,
    resource: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    before: Option<i64>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Event {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub resource: String,
    pub resource_id: Option<String>,
    pub patient_id: Option<String>,
    pub clinic_id: Option<String>,
    pub outcome: String,
    pub hash: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct EventList {
    pub events: Vec<Event>,
}

pub async fn list(
    Caller(principal): Caller,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<EventList>, ApiError> {
    let Query(query) =
        query.map_err(|rejection| ApiError::new(ErrorCode::InvalidInput, rejection.body_text()))?;
    let filter = AuditFilter {
        actor: query.actor,
        patient_id: query.patient.clone(),
        resource: query.resource,
        from: query.from,
        to: query.to,
        before_seq: query.before,
        limit: page_limit(query.limit)?,
    };
    let rows = state.store().audit_events(&filter).await?;
    let mut event = principal.event("read", "audit_log", AuditOutcome::Success);
    event.patient_id = query.patient;
    state.store().audit(&[event]).await?;
    Ok(Json(EventList {
        events: rows
            .into_iter()
            .map(|row| Event {
                seq: row.seq,
                at: row.at,
                actor: row.actor,
                action: row.action,
                resource: row.resource,
                resource_id: row.resource_id,
                patient_id: row.patient_id,
                clinic_id: row.clinic_id,
                outcome: row.outcome,
                hash: row.hash,
            })
            .collect(),
    }))
}
