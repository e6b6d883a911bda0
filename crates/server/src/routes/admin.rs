//! The organization: clinics, users, API tokens. Administrators only; every change audited.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use cleanclaim_app::access::{self, NewAccount, Role};
use cleanclaim_store::{AuditEvent, AuditOutcome, Clinic};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::policy::Caller;
use crate::routes::session::Done;
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicBody {
    pub id: String,
    pub name: String,
}

pub async fn clinics(State(state): State<AppState>) -> Result<Json<Vec<ClinicBody>>, ApiError> {
    Ok(Json(
        state
            .store()
            .clinics()
            .await?
            .into_iter()
            .map(|c| ClinicBody {
                id: c.id,
                name: c.name,
            })
            .collect(),
    ))
}

/// An id is what URLs and filters carry: letters, digits, `-` and `_`, 1 to 64.
fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn put_clinic(
    Caller(principal): Caller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    let clinic: ClinicBody = crate::json::parse(&body)?;
    if !valid_id(&clinic.id) {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "id",
            "a clinic id is 1 to 64 letters, digits, `-` or `_`",
        ));
    }
    state
        .store()
        .put_clinic(&Clinic {
            id: clinic.id.clone(),
            name: clinic.name,
        })
        .await?;
    let event = AuditEvent {
        resource_id: Some(clinic.id.clone()),
        clinic_id: Some(clinic.id),
        ..principal.event("put", "clinic", AuditOutcome::Success)
    };
    state.store().audit(&[event]).await?;
    Ok((StatusCode::CREATED, Json(Done { done: true })))
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub username: String,
    /// At least 12 characters; absent for an integration that uses API tokens only.
    pub password: Option<String>,
    /// admin, biller, therapist, front_desk, auditor or integration.
    pub role: String,
    /// A therapist's NPI (required for therapists).
    pub npi: Option<String>,
    /// Sees every clinic (an RCM leader, an auditor).
    #[serde(default)]
    pub all_clinics: bool,
    #[serde(default)]
    pub clinics: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct UserCreated {
    pub id: i64,
    pub username: String,
}

pub async fn create_user(
    Caller(principal): Caller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<UserCreated>), ApiError> {
    let request: NewUserBody = crate::json::parse(&body)?;
    if !valid_id(&request.username) {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "username",
            "a user name is 1 to 64 letters, digits, `-` or `_`",
        ));
    }
    let role: Role = request.role.parse()?;
    let account = NewAccount {
        username: request.username.clone(),
        password: request.password,
        role,
        npi: request.npi,
        all_clinics: request.all_clinics,
        clinics: request.clinics,
    };
    let id = access::add_user(state.store(), &account).await?;
    let event = AuditEvent {
        resource_id: Some(request.username.clone()),
        ..principal.event("create", "user", AuditOutcome::Success)
    };
    state.store().audit(&[event]).await?;
    Ok((
        StatusCode::CREATED,
        Json(UserCreated {
            id,
            username: request.username,
        }),
    ))
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// What the token is for ("EMR interface, north clinic").
    pub name: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TokenIssued {
    /// Shown once: only its hash is kept.
    pub token: String,
}

pub async fn issue_token(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(username): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<TokenIssued>), ApiError> {
    let request: TokenRequest = crate::json::parse(&body)?;
    let token = access::issue_api_token(state.store(), &username, &request.name)
        .await
        .map_err(|error| match error {
            access::AccessError::Store(cleanclaim_store::StoreError::NotFound { .. }) => {
                ApiError::not_found("user")
            }
            other => other.into(),
        })?;
    let event = AuditEvent {
        resource_id: Some(username),
        ..principal.event("issue_token", "user", AuditOutcome::Success)
    };
    state.store().audit(&[event]).await?;
    Ok((StatusCode::CREATED, Json(TokenIssued { token })))
}
