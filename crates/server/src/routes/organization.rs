//! The organization's clinicians (NPI, credential, license, supervisor, clinic) and payers (which
//! rule pack judges each).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use chrono::NaiveDate;
use cleanclaim_model::{Npi, PersonName, ProviderRole};
use cleanclaim_store::{AuditEvent, AuditOutcome, ProviderRow};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::policy::Caller;
use crate::routes::session::Done;
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderBody {
    pub npi: Npi,
    pub name: PersonName,
    pub role: ProviderRole,
    /// Two-letter state of the license.
    #[serde(default)]
    pub license_state: Option<String>,
    #[serde(default)]
    pub license_number: Option<String>,
    #[serde(default)]
    pub license_expires: Option<NaiveDate>,
    /// The supervising therapist of an assistant or a student.
    #[serde(default)]
    pub supervisor_npi: Option<Npi>,
    /// The clinic they work at.
    #[serde(default)]
    pub clinic: Option<String>,
}

fn role_name(role: ProviderRole) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub async fn put_provider(
    Caller(principal): Caller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<Done>, ApiError> {
    let provider: ProviderBody = crate::json::parse(&body)?;
    if let Some(license_state) = &provider.license_state
        && !(license_state.len() == 2 && license_state.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "license_state",
            "a license state is two capital letters",
        ));
    }
    let needs_supervisor = matches!(
        provider.role,
        ProviderRole::Pta | ProviderRole::Ota | ProviderRole::Student
    );
    match &provider.supervisor_npi {
        None if needs_supervisor => {
            return Err(ApiError::field(
                ErrorCode::InvalidInput,
                "supervisor_npi",
                "an assistant or a student needs a supervising therapist",
            ));
        }
        Some(supervisor) => {
            let known = state.store().provider(supervisor.as_str()).await?;
            let therapist = known
                .as_ref()
                .is_some_and(|p| matches!(p.role.as_str(), "pt" | "ot" | "slp"));
            if !therapist {
                return Err(ApiError::field(
                    ErrorCode::InvalidInput,
                    "supervisor_npi",
                    "the supervisor must be a therapist (PT, OT or SLP) on file",
                ));
            }
        }
        None => {}
    }
    let row = ProviderRow {
        npi: provider.npi.as_str().to_owned(),
        family_name: provider.name.family,
        given_name: provider.name.given,
        role: role_name(provider.role),
        license_state: provider.license_state,
        license_number: provider.license_number,
        license_expires: provider.license_expires,
        supervisor_npi: provider.supervisor_npi.map(|n| n.as_str().to_owned()),
        clinic_id: provider.clinic.clone(),
    };
    let event = AuditEvent {
        resource_id: Some(row.npi.clone()),
        clinic_id: provider.clinic,
        ..principal.event("put", "provider", AuditOutcome::Success)
    };
    state
        .store()
        .put_provider(&row, &[event])
        .await
        .map_err(|error| {
            match error {
                // The clinic does not exist (its foreign key).
                cleanclaim_store::StoreError::Database(_) => {
                    ApiError::field(ErrorCode::InvalidInput, "clinic", "no such clinic")
                }
                other => other.into(),
            }
        })?;
    Ok(Json(Done { done: true }))
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProviderItem {
    pub npi: String,
    pub family_name: String,
    pub given_name: String,
    pub role: String,
    pub license_state: Option<String>,
    pub license_number: Option<String>,
    pub license_expires: Option<NaiveDate>,
    pub supervisor_npi: Option<String>,
    pub clinic: Option<String>,
}

pub async fn providers(
    Caller(principal): Caller,
    State(state): State<AppState>,
) -> Result<Json<Vec<ProviderItem>>, ApiError> {
    let rows = state.store().providers(&principal.scope).await?;
    Ok(Json(
        rows.into_iter()
            .map(|p| ProviderItem {
                npi: p.npi,
                family_name: p.family_name,
                given_name: p.given_name,
                role: p.role,
                license_state: p.license_state,
                license_number: p.license_number,
                license_expires: p.license_expires,
                supervisor_npi: p.supervisor_npi,
                clinic: p.clinic_id,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PayerItem {
    /// A payer id as encounters carry it; absent for a plan type's default pack.
    pub payer_id: Option<String>,
    /// The plan type whose default this pack is, when it is one.
    pub default_for: Option<String>,
    pub pack: String,
    pub pack_name: String,
    pub pack_version: String,
}

/// Which pack judges which payer: the packs' payer ids, then their plan-type defaults.
pub async fn payers(State(state): State<AppState>) -> Json<Vec<PayerItem>> {
    let mut items = Vec::new();
    for pack in state.engine().packs().all() {
        for payer in &pack.payer_ids {
            items.push(PayerItem {
                payer_id: Some(payer.clone()),
                default_for: None,
                pack: pack.id.clone(),
                pack_name: pack.name.clone(),
                pack_version: pack.version.clone(),
            });
        }
        for plan in &pack.default_for {
            items.push(PayerItem {
                payer_id: None,
                default_for: serde_json::to_value(plan)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned)),
                pack: pack.id.clone(),
                pack_name: pack.name.clone(),
                pack_version: pack.version.clone(),
            });
        }
    }
    Json(items)
}
