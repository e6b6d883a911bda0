//! Encounters: store (scrubbed at once, with the patient's history), read, list, correct.
//! Every read is audited with the patient it showed; a record of a clinic the caller does not
//! have answers 404, as if it did not exist, and is audited as denied.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use cleanclaim_app::record::{IdempotencyKey, Mode, RecordOutcome, Recorded, record_encounter};
use cleanclaim_model::parse_encounter;
use cleanclaim_store::{AuditEvent, AuditOutcome, EncounterFilter, ScrubRecord};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::policy::Caller;
use crate::routes::page_limit;
use crate::state::AppState;

/// The longest idempotency key accepted.
const MAX_KEY_LENGTH: usize = 255;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Finding {
    pub rule: String,
    pub message: String,
}

/// A scrub result.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ResultBody {
    /// documentation_hold, authorization, coding_review or ready_to_bill.
    pub queue: String,
    pub pack: String,
    pub pack_version: String,
    pub charge_cents: i64,
    /// Why this result was made: new, corrected, or history that changed.
    pub reason: String,
    pub findings: Vec<Finding>,
}

impl ResultBody {
    fn of(record: &ScrubRecord) -> Self {
        Self::from_parts(
            &record.queue,
            &record.pack_id,
            &record.pack_version,
            record.charge_cents,
            &record.reason,
            &record.findings,
        )
    }

    fn from_parts(
        queue: &str,
        pack: &str,
        pack_version: &str,
        charge_cents: i64,
        reason: &str,
        findings: &str,
    ) -> Self {
        Self {
            queue: queue.to_owned(),
            pack: pack.to_owned(),
            pack_version: pack_version.to_owned(),
            charge_cents,
            reason: reason.to_owned(),
            findings: findings_of(findings),
        }
    }
}

/// Stored findings (`rule: message` per line) as a list.
pub(crate) fn findings_of(text: &str) -> Vec<Finding> {
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once(": ") {
            Some((rule, message)) => Finding {
                rule: rule.to_owned(),
                message: message.to_owned(),
            },
            None => Finding {
                rule: String::new(),
                message: line.to_owned(),
            },
        })
        .collect()
}

/// The answer to a create or update.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Stored {
    pub encounter_id: String,
    /// True when this request made the encounter (false: a new version of one that existed).
    pub created: bool,
    /// False when the same record was stored already: nothing changed.
    pub changed: bool,
    pub result: Option<ResultBody>,
}

pub async fn create(
    Caller(principal): Caller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    store(&state, &principal, &headers, &body, None).await
}

pub async fn update(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    store(&state, &principal, &headers, &body, Some(&id)).await
}

async fn store(
    state: &AppState,
    principal: &cleanclaim_app::access::Principal,
    headers: &HeaderMap,
    body: &[u8],
    path_id: Option<&str>,
) -> Result<Response, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, "the body is not UTF-8 JSON"))?;
    // Not JSON at all is a bad request (400); JSON with a wrong value is 422, with its path.
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
        return Err(ApiError::new(ErrorCode::BadRequest, "the body is not JSON"));
    }
    let encounter = parse_encounter(text).map_err(|error| {
        ApiError::field(ErrorCode::InvalidInput, error.path(), error.to_string())
    })?;
    // Every visit the service stores belongs to a clinic: scope is decided by it.
    let Some(location) = encounter.administrative.location.as_deref() else {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "administrative.location",
            "the clinic this visit belongs to is required (a clinic id, see GET /api/clinics)",
        ));
    };
    if !state
        .store()
        .clinics()
        .await?
        .iter()
        .any(|clinic| clinic.id == location)
    {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "administrative.location",
            "no clinic has this id (see GET /api/clinics)",
        ));
    }
    if let Some(id) = path_id
        && encounter.id != id
    {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "id",
            "the body's id is not the id in the path",
        ));
    }
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => {
            let key = value
                .to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= MAX_KEY_LENGTH)
                .ok_or_else(|| {
                    ApiError::field(
                        ErrorCode::BadRequest,
                        "Idempotency-Key",
                        "an idempotency key is 1 to 255 visible ASCII characters",
                    )
                })?;
            Some(IdempotencyKey::new(key, body))
        }
    };
    let mode = if path_id.is_some() {
        Mode::Update
    } else {
        Mode::Upsert
    };
    let recorded = record_encounter(
        state.store(),
        state.engine(),
        principal,
        encounter,
        mode,
        key.as_ref(),
        |outcome| render(outcome, mode),
    )
    .await?;
    let (status, body) = match recorded {
        Recorded::Done { status, body } | Recorded::Replayed { status, body } => (status, body),
    };
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    Ok((
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

fn render(outcome: &RecordOutcome, mode: Mode) -> (i32, String) {
    let answer = Stored {
        encounter_id: outcome.encounter_id.clone(),
        created: !outcome.existed,
        changed: outcome.changed,
        result: outcome.result.as_ref().map(ResultBody::of),
    };
    let status = if mode == Mode::Upsert && !outcome.existed {
        201
    } else {
        200
    };
    (
        status,
        serde_json::to_string(&answer).unwrap_or_else(|_| "{}".to_owned()),
    )
}

/// An encounter with its result and its record.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct EncounterDetail {
    pub encounter_id: String,
    pub version: i32,
    pub patient_id: String,
    pub date_of_service: NaiveDate,
    pub location: Option<String>,
    pub rendering_npi: Option<String>,
    pub payer_id: Option<String>,
    pub received_at: DateTime<Utc>,
    pub result: Option<ResultBody>,
    /// The record as stored (the encounter format).
    pub record: serde_json::Value,
}

pub async fn read(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<EncounterDetail>, ApiError> {
    let view = state.store().encounter_view(&id).await?;
    let mut event = principal.event("read", "encounter", AuditOutcome::Success);
    event.resource_id = Some(id.clone());
    let Some(view) = view else {
        event.outcome = AuditOutcome::Failed;
        state.store().audit(&[event]).await?;
        return Err(ApiError::not_found("encounter"));
    };
    event.patient_id = Some(view.patient_id.clone());
    event.clinic_id = view.clinic_id.clone();
    if !principal
        .scope
        .admits(view.clinic_id.as_deref(), view.rendering_npi.as_deref())
    {
        event.outcome = AuditOutcome::Denied;
        state.store().audit(&[event]).await?;
        return Err(ApiError::not_found("encounter"));
    }
    let record = serde_json::from_str(&view.record).unwrap_or(serde_json::Value::Null);
    let result = view.queue.as_ref().map(|queue| {
        ResultBody::from_parts(
            queue,
            view.pack_id.as_deref().unwrap_or(""),
            view.pack_version.as_deref().unwrap_or(""),
            view.charge_cents.unwrap_or(0),
            view.reason.as_deref().unwrap_or(""),
            view.findings.as_deref().unwrap_or(""),
        )
    });
    // The audit row is kept before the record leaves.
    state.store().audit(&[event]).await?;
    Ok(Json(EncounterDetail {
        encounter_id: view.encounter_id,
        version: view.version,
        patient_id: view.patient_id,
        date_of_service: view.date_of_service,
        location: view.clinic_id,
        rendering_npi: view.rendering_npi,
        payer_id: view.payer_id,
        received_at: view.received_at,
        result,
        record,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    location: Option<String>,
    provider: Option<String>,
    payer: Option<String>,
    queue: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct EncounterItem {
    pub encounter_id: String,
    pub version: i32,
    pub patient_id: String,
    pub date_of_service: NaiveDate,
    pub location: Option<String>,
    pub rendering_npi: Option<String>,
    pub payer_id: Option<String>,
    pub queue: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct EncounterList {
    pub items: Vec<EncounterItem>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<String>,
}

pub async fn list(
    Caller(principal): Caller,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<EncounterList>, ApiError> {
    let Query(query) =
        query.map_err(|rejection| ApiError::new(ErrorCode::InvalidInput, rejection.body_text()))?;
    let limit = page_limit(query.limit)?;
    let filter = EncounterFilter {
        from: query.from,
        to: query.to,
        clinic_id: query.location,
        rendering_npi: query.provider,
        payer_id: query.payer,
        queue: query.queue,
        after: query.after,
        limit,
    };
    let rows = state
        .store()
        .list_encounters(&principal.scope, &filter)
        .await?;
    // One audit row per patient the page shows, kept before the page leaves.
    let mut patients: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.patient_id.as_str(), r.clinic_id.as_deref()))
        .collect();
    patients.sort_unstable();
    patients.dedup();
    let events: Vec<AuditEvent> = if patients.is_empty() {
        vec![principal.event("list", "encounter", AuditOutcome::Success)]
    } else {
        patients
            .iter()
            .map(|(patient, clinic)| AuditEvent {
                patient_id: Some((*patient).to_owned()),
                clinic_id: clinic.map(str::to_owned),
                ..principal.event("list", "encounter", AuditOutcome::Success)
            })
            .collect()
    };
    state.store().audit(&events).await?;
    let next_after = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.encounter_id.clone()))
        .flatten();
    Ok(Json(EncounterList {
        items: rows
            .into_iter()
            .map(|r| EncounterItem {
                encounter_id: r.encounter_id,
                version: r.version,
                patient_id: r.patient_id,
                date_of_service: r.date_of_service,
                location: r.clinic_id,
                rendering_npi: r.rendering_npi,
                payer_id: r.payer_id,
                queue: r.queue,
            })
            .collect(),
        next_after,
    }))
}
