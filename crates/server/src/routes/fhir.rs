//! FHIR R4 intake: `POST /fhir/Bundle` (transaction or collection). The bundle is read whole
//! (`emr::fhir`), then stored in one intake (`app::fhir`). Refusals are OperationOutcomes with
//! the FHIRPath of each element at fault, as FHIR clients expect; success is a
//! transaction-response Bundle with one entry per entry sent.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cleanclaim_app::fhir::{BundleError, EntryResult, record_bundle};
use cleanclaim_emr::fhir::{OperationOutcome, OutcomeIssue, read_bundle};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::policy::Caller;
use crate::state::AppState;

const FHIR_JSON: &str = "application/fhir+json";

fn fhir(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, FHIR_JSON)],
        body.to_string(),
    )
        .into_response()
}

fn outcome(status: StatusCode, outcome: &OperationOutcome) -> Response {
    fhir(status, &outcome.to_json())
}

pub async fn post_bundle(
    Caller(principal): Caller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Ok(text) = std::str::from_utf8(&body) else {
        return Ok(outcome(
            StatusCode::BAD_REQUEST,
            &OperationOutcome::one(OutcomeIssue::structure("Bundle", "the body is not UTF-8")),
        ));
    };
    let bundle = match read_bundle(text, None) {
        Ok(bundle) => bundle,
        Err(refusal) => {
            let structural = refusal.issues.iter().any(|i| i.code == "structure");
            let status = if structural {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            return Ok(outcome(status, &refusal));
        }
    };
    let kind = bundle.kind.clone();
    match record_bundle(state.store(), state.engine(), &principal, bundle).await {
        Ok(results) => {
            let entries: Vec<Value> = results
                .iter()
                .map(|result| match result {
                    EntryResult::Created { resource, id } => json!({"response": {"status": "201 Created", "location": format!("{resource}/{id}")}}),
                    EntryResult::Updated { resource, id: Some(id) } => json!({"response": {"status": "200 OK", "location": format!("{resource}/{id}")}}),
                    EntryResult::Updated { .. } => json!({"response": {"status": "200 OK"}}),
                    EntryResult::Ignored { resource } => json!({"response": {"status": "200 OK", "outcome": {
                        "resourceType": "OperationOutcome",
                        "issue": [{"severity": "information", "code": "informational", "diagnostics": format!("{resource} is not read by cleanclaim")}],
                    }}}),
                })
                .collect();
            let response_kind = if kind == "transaction" {
                "transaction-response"
            } else {
                "batch-response"
            };
            Ok(fhir(
                StatusCode::OK,
                &json!({"resourceType": "Bundle", "type": response_kind, "entry": entries}),
            ))
        }
        Err(BundleError::Refused(refusal)) => {
            Ok(outcome(StatusCode::UNPROCESSABLE_ENTITY, &refusal))
        }
        Err(BundleError::OutOfScope(refusal)) => Ok(outcome(StatusCode::FORBIDDEN, &refusal)),
        Err(BundleError::Intake(error)) => Err(error.into()),
    }
}

/// `GET /fhir/Claim?batch=ID`.
#[derive(Debug, serde::Deserialize)]
pub struct ClaimSearch {
    batch: i64,
}

/// `GET /fhir/ClaimResponse?claim=ID`.
#[derive(Debug, serde::Deserialize)]
pub struct ClaimResponseSearch {
    claim: String,
}

fn searchset(resources: Vec<Value>) -> Response {
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|r| json!({"resource": r}))
        .collect();
    fhir(
        StatusCode::OK,
        &json!({"resourceType": "Bundle", "type": "searchset", "total": entries.len(), "entry": entries}),
    )
}

/// The billing provider's NPI of an 837P we wrote (NM1*85, element 9).
fn billing_npi(x12: &str) -> String {
    x12.split('~')
        .map(str::trim)
        .find(|segment| segment.starts_with("NM1*85*"))
        .and_then(|segment| segment.split('*').nth(9))
        .unwrap_or_default()
        .to_owned()
}

/// The claims of a batch as FHIR Claims, read back from the 837P that was sent.
pub async fn search_claims(
    Caller(principal): Caller,
    State(state): State<AppState>,
    axum::extract::Query(search): axum::extract::Query<ClaimSearch>,
) -> Result<Response, ApiError> {
    let batch = crate::routes::billing::visible_batch(&state, &principal, search.batch).await?;
    let text = state
        .store()
        .claim_batch_text(search.batch)
        .await?
        .ok_or_else(|| ApiError::not_found("claim batch"))?;
    let claims =
        cleanclaim_x12::x837::read_claims(&text).map_err(|_| ApiError::not_found("claim batch"))?;
    let npi = billing_npi(&text);
    let sent = batch
        .created_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let event = cleanclaim_store::AuditEvent {
        resource_id: Some(search.batch.to_string()),
        ..principal.event(
            "read",
            "fhir_claim",
            cleanclaim_store::AuditOutcome::Success,
        )
    };
    state.store().audit(&[event]).await?;
    Ok(searchset(
        claims
            .iter()
            .map(|c| cleanclaim_emr::fhir::export::claim_resource(c, &npi, &sent))
            .collect(),
    ))
}

/// What the payer's 835s said of a claim, as FHIR ClaimResponses. A claim the caller may
/// not see answers an empty set (audited as denied), as one that does not exist does.
pub async fn search_claim_responses(
    Caller(principal): Caller,
    State(state): State<AppState>,
    axum::extract::Query(search): axum::extract::Query<ClaimResponseSearch>,
) -> Result<Response, ApiError> {
    use cleanclaim_emr::fhir::export::{Adjudication, Adjustment, claim_response_resource};
    use cleanclaim_store::{AuditEvent, AuditOutcome};
    // A visit of more than 50 lines is billed as `{id}-2`, `{id}-3`...: the visit decides scope.
    let mut view = state.store().encounter_view(&search.claim).await?;
    if view.is_none()
        && let Some((visit, suffix)) = search.claim.rsplit_once('-')
        && suffix.parse::<u32>().is_ok()
    {
        view = state.store().encounter_view(visit).await?;
    }
    let mut event = AuditEvent {
        resource_id: Some(search.claim.clone()),
        ..principal.event("read", "fhir_claim_response", AuditOutcome::Success)
    };
    let visible = view.as_ref().is_some_and(|v| {
        principal
            .scope
            .admits(v.clinic_id.as_deref(), v.rendering_npi.as_deref())
    });
    if let Some(view) = &view {
        event.patient_id = Some(view.patient_id.clone());
        event.clinic_id = view.clinic_id.clone();
    }
    if !visible {
        event.outcome = if view.is_some() {
            AuditOutcome::Denied
        } else {
            AuditOutcome::Failed
        };
        state.store().audit(&[event]).await?;
        return Ok(searchset(Vec::new()));
    }
    let adjudications = state.store().adjudications_of(&search.claim).await?;
    state.store().audit(&[event]).await?;
    let resources = adjudications
        .into_iter()
        .map(|a| {
            claim_response_resource(&Adjudication {
                id: format!("{}-{}", a.remittance_id, a.claim_id),
                claim_id: a.claim_id,
                payer_name: a.payer_name,
                trace_number: a.trace_number,
                payment_date: a.payment_date.map(|d| d.to_string()),
                posted_at: a
                    .posted_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                status: a.status,
                charge_cents: a.charge_cents,
                paid_cents: a.paid_cents,
                patient_responsibility_cents: a.patient_responsibility_cents,
                payer_claim_number: a.payer_claim_number,
                denied: a.denied,
                cause: a.cause,
                adjustments: a
                    .adjustments
                    .into_iter()
                    .map(|x| Adjustment {
                        line_control: x.line_control,
                        group: x.group,
                        reason: x.reason,
                        amount_cents: x.amount_cents,
                    })
                    .collect(),
            })
        })
        .collect();
    Ok(searchset(resources))
}
