//! Claims out and answers in: a claim batch from the caller's ready encounters (its 837P kept
//! for download, recorded with its claims and their audit rows in one transaction), 835
//! remittances posted and matched, 999/277CA acknowledgments recorded per claim.
//!
//! An 835 or an acknowledgment answers for claims of every clinic a billing provider bills,
//! so posting one is for organization-wide users; a batch holds only the caller's clinics'
//! claims, and only a caller who sees all of them downloads it.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use cleanclaim_app::access::Principal;
use cleanclaim_app::{
    Delivery, Keep, RemitSink, RemitTally, RemittancePoster, SubmitError, SubmitOptions,
    post_acknowledgments_audited, prepare_stored_within, read_remittance, submit,
};
use cleanclaim_model::Cents;
use cleanclaim_remit::ClaimOutcome;
use cleanclaim_store::{AuditEvent, AuditOutcome};
use cleanclaim_x12::x835::{ClaimPayment, Payment, ProviderAdjustment, TransactionTotals};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::policy::Caller;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Send originals this sender already submitted again (left out otherwise).
    #[serde(default)]
    pub allow_resend: bool,
    /// Write nothing unless every ready encounter becomes a claim.
    #[serde(default)]
    pub all_or_nothing: bool,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LeftOut {
    pub encounter_id: String,
    pub reason: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct BatchAnswer {
    /// The batch's id (download its 837P at `/api/claim-batches/{id}/837`); absent when
    /// nothing could be billed.
    pub batch_id: Option<i64>,
    pub interchange_control: Option<u64>,
    pub claims: Vec<String>,
    pub total_cents: Cents,
    /// Encounters per queue that are not ready to bill.
    pub held: BTreeMap<String, usize>,
    pub left_out: Vec<LeftOut>,
    pub already_submitted: Vec<String>,
}

/// Keeps the file in the store: nothing to deliver elsewhere.
struct StoreDelivery(Keep);

impl Delivery for StoreDelivery {
    fn deliver(&mut self, _text: &str) -> std::io::Result<()> {
        Ok(())
    }
    fn withdraw(&mut self) {}
    fn keep_in_store(&self) -> Option<&Keep> {
        Some(&self.0)
    }
}

fn submit_error(error: SubmitError) -> ApiError {
    match error {
        SubmitError::Store(store) => store.into(),
        SubmitError::NotAll { count } => ApiError::new(
            ErrorCode::Conflict,
            format!(
                "{count} ready encounter(s) cannot be billed; nothing written (all_or_nothing)"
            ),
        ),
        SubmitError::Record(cleanclaim_store::StoreError::AlreadySubmitted { .. }) => {
            ApiError::new(
                ErrorCode::Conflict,
                "another run billed some of these claims first; nothing was recorded: try again",
            )
        }
        other => {
            tracing::error!(error = %other, "claim batch failed");
            ApiError::new(ErrorCode::Internal, "the server failed; see its log")
        }
    }
}

pub async fn create_batch(
    Caller(principal): Caller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<BatchAnswer>), ApiError> {
    let request: BatchRequest = if body.is_empty() {
        BatchRequest::default()
    } else {
        crate::json::parse(&body)?
    };
    let profile = state.profile().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Conflict,
            "the server has no billing profile: start it with --profile FILE",
        )
    })?;
    let prepared = prepare_stored_within(state.store(), state.engine(), profile, &principal.scope)
        .await
        .map_err(submit_error)?;
    let filings = state.store().filings_of(&prepared.encounter_ids()).await?;
    let events = filings
        .into_iter()
        .map(|(encounter, patient, clinic)| {
            let event = AuditEvent {
                resource_id: Some(encounter.clone()),
                patient_id: Some(patient),
                clinic_id: clinic,
                ..principal.event("bill", "claim", AuditOutcome::Success)
            };
            (encounter, event)
        })
        .collect();
    let mut delivery = StoreDelivery(Keep {
        created_by: principal.username.clone(),
        clinics: principal.scope.clinics.clone(),
        events,
    });
    let options = SubmitOptions {
        resubmissions: Vec::new(),
        allow_resend: request.allow_resend,
        all_or_nothing: request.all_or_nothing,
        line_breaks: false,
        created: Utc::now().naive_utc(),
    };
    let report = submit(state.store(), profile, prepared, &options, &mut delivery)
        .await
        .map_err(submit_error)?;
    let answer = BatchAnswer {
        batch_id: report.batch,
        interchange_control: report.interchange,
        total_cents: report.claims.iter().map(|c| c.total()).sum(),
        claims: report.claims.iter().map(|c| c.id.clone()).collect(),
        held: report
            .held
            .iter()
            .map(|(queue, n)| (queue.name().to_owned(), *n))
            .collect(),
        left_out: report
            .unbilled
            .iter()
            .map(|u| LeftOut {
                encounter_id: u.encounter.clone(),
                reason: u.reason.clone(),
            })
            .collect(),
        already_submitted: report.already_submitted,
    };
    let status = if answer.batch_id.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)))
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct BatchInfo {
    pub id: i64,
    pub sender_id: String,
    pub interchange_control: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub claim_count: i64,
    pub total_cents: Cents,
}

/// The batch, if the caller sees every clinic it was made for.
pub(crate) async fn visible_batch(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<cleanclaim_store::ClaimBatch, ApiError> {
    let batch = state
        .store()
        .claim_batch(id)
        .await?
        .ok_or_else(|| ApiError::not_found("claim batch"))?;
    let visible = match (&principal.scope.clinics, &batch.clinics) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(mine), Some(theirs)) => theirs.split(',').all(|c| mine.iter().any(|m| m == c)),
    };
    if !visible {
        let event = AuditEvent {
            resource_id: Some(id.to_string()),
            ..principal.event("read", "claim_batch", AuditOutcome::Denied)
        };
        state.store().audit(&[event]).await?;
        return Err(ApiError::not_found("claim batch"));
    }
    Ok(batch)
}

pub async fn read_batch(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<BatchInfo>, ApiError> {
    let batch = visible_batch(&state, &principal, id).await?;
    Ok(Json(BatchInfo {
        id: batch.id,
        sender_id: batch.sender_id,
        interchange_control: batch.interchange_control,
        created_at: batch.created_at,
        created_by: batch.created_by,
        claim_count: batch.claim_count,
        total_cents: Cents(batch.total_cents),
    }))
}

pub async fn download_batch(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    visible_batch(&state, &principal, id).await?;
    let text = state
        .store()
        .claim_batch_text(id)
        .await?
        .ok_or_else(|| ApiError::not_found("claim batch"))?;
    let event = AuditEvent {
        resource_id: Some(id.to_string()),
        ..principal.event("download", "claim_batch", AuditOutcome::Success)
    };
    state.store().audit(&[event]).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/edi-x12".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"claims-{id}.837\""),
            ),
        ],
        text,
    )
        .into_response())
}

/// Posting answers for every clinic a provider bills: organization-wide users only.
async fn organization_wide(
    state: &AppState,
    principal: &Principal,
    resource: &str,
) -> Result<(), ApiError> {
    if principal.scope.clinics.is_none() {
        return Ok(());
    }
    state
        .store()
        .audit(&[principal.event("post", resource, AuditOutcome::Denied)])
        .await?;
    Err(ApiError::new(
        ErrorCode::NeedsAllClinics,
        "a payer's file answers for every clinic: post it as a user who sees every clinic",
    ))
}

#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct PostedClaim {
    pub claim_id: String,
    pub paid_cents: Cents,
    pub denied: bool,
    pub denied_cents: Cents,
    /// The root cause of what was denied (authorization, documentation, ...).
    pub cause: Option<String>,
    pub needs_review: bool,
}

#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct RemittanceAnswer {
    pub payments: usize,
    /// Payments posted before (same payer, same trace number), skipped.
    pub already_posted: usize,
    pub claims: Vec<PostedClaim>,
    pub posted: usize,
    pub unmatched_claims: usize,
    pub paid_cents: Cents,
    pub denied: usize,
    pub envelope_findings: Vec<String>,
}

/// Collects what the 835 said, for the answer.
#[derive(Default)]
struct Collect(RemittanceAnswer);

impl RemitSink for Collect {
    fn payment(
        &mut self,
        _payment: &Payment,
        already_posted: Option<DateTime<Utc>>,
    ) -> std::io::Result<()> {
        self.0.payments += 1;
        self.0.already_posted += usize::from(already_posted.is_some());
        Ok(())
    }
    fn claim(&mut self, claim: &ClaimPayment, outcome: &ClaimOutcome<'_>) -> std::io::Result<()> {
        self.0.claims.push(PostedClaim {
            claim_id: claim.patient_control_number.to_string(),
            paid_cents: outcome.paid_cents,
            denied: outcome.denied,
            denied_cents: outcome.denied_cents,
            cause: outcome.cause.map(|c| c.name().to_owned()),
            needs_review: !outcome.is_clean(),
        });
        Ok(())
    }
    fn provider_adjustment(&mut self, _adjustment: &ProviderAdjustment) -> std::io::Result<()> {
        Ok(())
    }
    fn end(&mut self, _totals: &TransactionTotals) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostQuery {
    /// Post in the background: the answer is a job to follow at `/api/jobs/{id}`.
    #[serde(default)]
    background: bool,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct JobQueued {
    pub job_id: i64,
}

pub async fn post_remittance(
    Caller(principal): Caller,
    State(state): State<AppState>,
    query: Result<axum::extract::Query<PostQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let axum::extract::Query(query) =
        query.map_err(|rejection| ApiError::new(ErrorCode::InvalidInput, rejection.body_text()))?;
    organization_wide(&state, &principal, "remittance").await?;
    if query.background {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::new(ErrorCode::BadRequest, "an 835 is X12 text"))?;
        let event = principal.event("queue", "remittance", AuditOutcome::Success);
        let job_id = state
            .store()
            .enqueue_job(
                cleanclaim_store::JobKind::PostRemittance,
                text,
                &principal.username,
                &[event],
            )
            .await?;
        return Ok((StatusCode::ACCEPTED, Json(JobQueued { job_id })).into_response());
    }
    let event = principal.event("post", "remittance", AuditOutcome::Success);
    Ok(Json(post_835(&state, &body, event).await?).into_response())
}

/// Posts one 835 (whole or not at all), audited as `event` and per claim, and says what it
/// held: the route and the background worker both come here.
pub(crate) async fn post_835(
    state: &AppState,
    body: &[u8],
    event: AuditEvent,
) -> Result<RemittanceAnswer, ApiError> {
    let poster = RemittancePoster::begin(state.store())
        .await?
        .audited_as(event);
    let mut sink = Collect::default();
    let mut tally = RemitTally::default();
    let result = read_remittance(
        body,
        state.categories(),
        Some(poster),
        &mut sink,
        &mut tally,
    )
    .await
    .map_err(|error| match error {
        cleanclaim_app::RemitError::Read(read) => ApiError::new(
            ErrorCode::InvalidInput,
            format!("the 835 cannot be read; nothing posted: {read}"),
        ),
        cleanclaim_app::RemitError::Store(store) => store.into(),
        cleanclaim_app::RemitError::Sink(_) => {
            ApiError::new(ErrorCode::Internal, "the server failed; see its log")
        }
    })?;
    let mut answer = sink.0;
    if let Some(posting) = result.posting {
        answer.posted = posting.posted;
        answer.unmatched_claims = posting.unmatched_claims;
    }
    answer.paid_cents = tally.paid_cents;
    answer.denied = tally.denied;
    answer.envelope_findings = result.envelope_findings;
    Ok(answer)
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct JobBody {
    pub id: i64,
    pub kind: String,
    /// queued, running, done or failed.
    pub status: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// What the job did (for a posting, what `POST /api/remittances` answers).
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
}

pub async fn read_job(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<JobBody>, ApiError> {
    let job = state
        .store()
        .job(id)
        .await?
        .filter(|job| principal.scope.clinics.is_none() || job.created_by == principal.username)
        .ok_or_else(|| ApiError::not_found("job"))?;
    Ok(Json(JobBody {
        id: job.id,
        kind: job.kind,
        status: job.status,
        created_by: job.created_by,
        created_at: job.created_at,
        finished_at: job.finished_at,
        result: job.result.and_then(|text| serde_json::from_str(&text).ok()),
        error: job.error,
    }))
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AckAnswer {
    /// Claim verdicts found.
    pub verdicts: usize,
    /// Verdicts not recorded before.
    pub new: u64,
    /// Acknowledgments (or claims) naming nothing we submitted.
    pub unknown: usize,
}

pub async fn post_acknowledgment(
    Caller(principal): Caller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<AckAnswer>, ApiError> {
    organization_wide(&state, &principal, "acknowledgment").await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, "an acknowledgment is X12 text"))?;
    let file = cleanclaim_x12::ack::read_acknowledgments(text).map_err(|error| {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("the acknowledgment cannot be read; nothing recorded: {error}"),
        )
    })?;
    let event = principal.event("post", "acknowledgment", AuditOutcome::Success);
    let posting = post_acknowledgments_audited(state.store(), &file, Some(&event)).await?;
    Ok(Json(AckAnswer {
        verdicts: posting.verdicts,
        new: posting.new,
        unknown: posting.unknown,
    }))
}
