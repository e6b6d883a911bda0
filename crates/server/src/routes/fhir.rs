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
