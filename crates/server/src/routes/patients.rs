//! A patient's authorizations and plans of care: stored (the patient's visits re-scrubbed,
//! the answer says which moved), and the authorization ledger (used, remaining).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use cleanclaim_app::patient_records::{
    PatientRecordError, authorization_ledger, put_patient_record,
};
use cleanclaim_scrub::ContextKind;
use serde::Serialize;

use crate::error::{ApiError, ErrorCode};
use crate::policy::Caller;
use crate::state::AppState;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Moved {
    pub encounter_id: String,
    pub queue: String,
    pub previous_queue: Option<String>,
    pub reason: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RecordStored {
    /// Visits whose result changed because of this record.
    pub changed: Vec<Moved>,
}

fn record_error(error: PatientRecordError) -> ApiError {
    match error {
        PatientRecordError::Intake(intake) => intake.into(),
        PatientRecordError::OutOfScope => ApiError::not_found("patient"),
        PatientRecordError::Invalid { path, reason } => {
            ApiError::field(ErrorCode::InvalidInput, path, reason)
        }
    }
}

async fn put(
    state: &AppState,
    principal: &cleanclaim_app::access::Principal,
    kind: ContextKind,
    body: &[u8],
) -> Result<Json<RecordStored>, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, "the body is not UTF-8 JSON"))?;
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
        return Err(ApiError::new(ErrorCode::BadRequest, "the body is not JSON"));
    }
    let report = put_patient_record(state.store(), state.engine(), principal, kind, text)
        .await
        .map_err(record_error)?;
    Ok(Json(RecordStored {
        changed: report
            .changes
            .into_iter()
            .map(|change| Moved {
                encounter_id: change.encounter_id,
                queue: change.queue.name().to_owned(),
                previous_queue: change.previous_queue,
                reason: change.reason,
            })
            .collect(),
    }))
}

/// The authorization record, as in `authorizations.json` (docs/context.md).
#[derive(Debug, schemars::JsonSchema)]
#[allow(dead_code, reason = "the shape of the body, for the OpenAPI document")]
pub struct AuthorizationBody {
    pub patient_id: String,
    pub payer_id: String,
    pub number: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// PT, OT and/or SLP: several share one allowance.
    pub disciplines: Vec<String>,
    pub visits: Option<u32>,
    pub units: Option<u32>,
    /// Used before the visits cleanclaim has stored.
    pub used_visits: Option<u32>,
    pub used_units: Option<u32>,
    /// active, extension_requested, denied or patient_pay.
    pub status: Option<String>,
}

/// The plan-of-care record, as in `plans_of_care.json` (docs/context.md).
#[derive(Debug, schemars::JsonSchema)]
#[allow(dead_code, reason = "the shape of the body, for the OpenAPI document")]
pub struct PlanBody {
    pub patient_id: String,
    /// The plan of care, as an encounter's `compliance.plan_of_care`.
    pub plan_of_care: serde_json::Value,
    pub episode_start: Option<NaiveDate>,
}

pub async fn put_authorization(
    Caller(principal): Caller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<RecordStored>, ApiError> {
    put(&state, &principal, ContextKind::Authorization, &body).await
}

pub async fn put_plan(
    Caller(principal): Caller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<RecordStored>, ApiError> {
    put(&state, &principal, ContextKind::Plan, &body).await
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LedgerLine {
    pub number: String,
    pub payer_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub disciplines: Vec<String>,
    pub status: String,
    pub visits: Option<u32>,
    pub used_visits: u32,
    pub remaining_visits: Option<u32>,
    pub units: Option<u32>,
    pub used_units: u32,
    pub remaining_units: Option<u32>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Ledger {
    pub patient_id: String,
    pub authorizations: Vec<LedgerLine>,
}

pub async fn ledger(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(patient_id): Path<String>,
) -> Result<Json<Ledger>, ApiError> {
    let entries = authorization_ledger(state.store(), state.engine(), &principal, &patient_id)
        .await
        .map_err(record_error)?;
    Ok(Json(Ledger {
        authorizations: entries
            .into_iter()
            .filter(|entry| entry.authorization.patient_id == patient_id)
            .map(|entry| {
                let item = entry.authorization;
                LedgerLine {
                    number: item.number,
                    payer_id: item.payer_id,
                    from: item.from,
                    to: item.to,
                    disciplines: item.disciplines.iter().map(|d| format!("{d:?}")).collect(),
                    status: item.status.name().to_owned(),
                    visits: item.visits,
                    used_visits: entry.used_visits,
                    remaining_visits: entry.remaining_visits,
                    units: item.units,
                    used_units: entry.used_units,
                    remaining_units: entry.remaining_units,
                }
            })
            .collect(),
        patient_id,
    }))
}
