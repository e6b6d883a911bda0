//! The audit report page, for admins and auditors: who read or changed what, newest first,
//! filtered by actor, patient and resource, with the hash chain's verification (rows checked,
//! breaks found). Reading it is itself audited.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cleanclaim_store::{AuditFilter, AuditOutcome};
use minijinja::context;
use serde::Deserialize;

use super::{audited_render, page_user, present, user_view};
use crate::policy::READ_AUDIT;
use crate::state::AppState;

/// Rows a page shows.
const ROWS: i64 = 200;

#[derive(Debug, Deserialize)]
pub(super) struct AuditQuery {
    actor: Option<String>,
    patient: Option<String>,
    resource: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Response {
    let principal = match page_user(&state, &headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    if !READ_AUDIT.admits(principal.role) {
        return (
            StatusCode::FORBIDDEN,
            "the audit report is for admins and auditors",
        )
            .into_response();
    }
    let filter = AuditFilter {
        actor: present(&query.actor),
        patient_id: present(&query.patient),
        resource: present(&query.resource),
        limit: ROWS,
        ..AuditFilter::default()
    };
    let (rows, verification) = match (
        state.store().audit_events(&filter).await,
        state.store().verify_audit().await,
    ) {
        (Ok(rows), Ok(verification)) => (rows, verification),
        (Err(error), _) | (_, Err(error)) => return crate::ApiError::from(error).into_response(),
    };
    let mut event = principal.event("read", "audit_log", AuditOutcome::Success);
    event.patient_id.clone_from(&filter.patient_id);
    audited_render(
        &state,
        event,
        "audit.html",
        context! {
            page => "audit", user => user_view(&principal),
            filter => context! { actor => filter.actor, patient => filter.patient_id, resource => filter.resource },
            rows => rows.iter().map(|row| context! {
                seq => row.seq, at => row.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                actor => row.actor, action => row.action, resource => row.resource,
                resource_id => row.resource_id, patient_id => row.patient_id,
                clinic_id => row.clinic_id, outcome => row.outcome,
            }).collect::<Vec<_>>(),
            checked => verification.rows,
            breaks => verification.breaks.len(),
            head => verification.head.map(|(seq, hash)| format!("row {seq}, hash {hash}")),
        },
    )
    .await
}
