//! Rule packs: the ones the engine runs, and checking an uploaded one. No PHI.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use cleanclaim_billing::RulePacks;
use cleanclaim_billing::pack::BUILTIN_PACKS;
use serde::Serialize;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PackSummary {
    pub id: String,
    pub name: String,
    pub version: String,
    pub source: String,
    pub payer_ids: Vec<String>,
    pub default_for: Vec<String>,
    pub periods: usize,
    pub expression_rules: usize,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PeriodBody {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ExpressionRuleBody {
    pub id: String,
    pub when: String,
    pub message: String,
    pub fix: String,
    pub source: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PackDetail {
    #[serde(flatten)]
    pub summary: PackSummary,
    pub file: String,
    pub period_ranges: Vec<PeriodBody>,
    pub rules: Vec<ExpressionRuleBody>,
}

fn summary(pack: &cleanclaim_billing::RulePack) -> PackSummary {
    PackSummary {
        id: pack.id.clone(),
        name: pack.name.clone(),
        version: pack.version.clone(),
        source: pack.source.clone(),
        payer_ids: pack.payer_ids.clone(),
        default_for: pack
            .default_for
            .iter()
            .map(|plan| format!("{plan:?}"))
            .collect(),
        periods: pack.periods().len(),
        expression_rules: pack.expression_rules().len(),
    }
}

pub async fn list(State(state): State<AppState>) -> Json<Vec<PackSummary>> {
    Json(state.engine().packs().all().iter().map(summary).collect())
}

pub async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PackDetail>, ApiError> {
    let pack = state
        .engine()
        .packs()
        .all()
        .iter()
        .find(|pack| pack.id == id)
        .ok_or_else(|| ApiError::not_found("rule pack"))?;
    Ok(Json(PackDetail {
        summary: summary(pack),
        file: pack.file.clone(),
        period_ranges: pack
            .periods()
            .iter()
            .map(|p| PeriodBody {
                from: p.from,
                to: p.to,
            })
            .collect(),
        rules: pack
            .expression_rules()
            .iter()
            .map(|r| ExpressionRuleBody {
                id: r.rule.id.to_string(),
                when: r.when.clone(),
                message: r.message.clone(),
                fix: r.rule.fix.to_string(),
                source: r.rule.source.to_string(),
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Validation {
    pub valid: bool,
    /// The pack's id when it is valid.
    pub id: Option<String>,
    /// `file:line:column: reason` when it is not.
    pub error: Option<String>,
}

/// The name an uploaded pack's errors are reported under.
const UPLOAD: &str = "upload.toml";

/// The largest pack accepted for checking.
const MAX_PACK_BYTES: usize = 1 << 20;

pub async fn validate(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<Validation>, ApiError> {
    if body.len() > MAX_PACK_BYTES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            "a rule pack is at most 1 MiB",
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, "a rule pack is UTF-8 TOML"))?;
    let diagnoses = state.engine().diagnoses();
    // Checked beside the built-in packs, as `rules check` does; the running engine is unchanged.
    let checked = RulePacks::load(&BUILTIN_PACKS, &[(UPLOAD, text)], diagnoses);
    Ok(Json(match checked {
        Ok(packs) => Validation {
            valid: true,
            id: packs
                .all()
                .iter()
                .find(|pack| pack.file == UPLOAD)
                .map(|pack| pack.id.clone()),
            error: None,
        },
        Err(error) => Validation {
            valid: false,
            id: None,
            error: Some(error.to_string()),
        },
    }))
}
