//! The background worker each server process runs: it takes queued jobs (see
//! `store::jobs` for how processes share them) and does them, until the server stops.

use std::time::Duration;

use cleanclaim_store::{AuditEvent, AuditOutcome, ClaimedJob, JobKind};
use tokio::sync::watch;

use crate::error::ErrorCode;
use crate::state::AppState;

/// How long an idle worker waits before looking for work again.
const IDLE_POLL: Duration = Duration::from_millis(250);

/// Runs until `stop` turns true; a job in hand is finished first.
pub async fn run(state: AppState, name: String, mut stop: watch::Receiver<bool>) {
    if let Err(error) = state.store().requeue_abandoned_jobs().await {
        tracing::warn!(error = %error, "requeueing abandoned jobs failed");
    }
    while !*stop.borrow() {
        match state.store().claim_job(&name).await {
            Ok(Some(job)) => {
                let id = job.id;
                match process(&state, &job).await {
                    // A store failure leaves the job to be taken again (its lock goes with
                    // it); anything else is the job's outcome.
                    Err(Retry) => {
                        drop(job);
                        tracing::warn!(job = id, "job left for another attempt");
                        pause(&mut stop).await;
                    }
                    Ok(outcome) => {
                        let ok = outcome.is_ok();
                        if let Err(error) = state.store().finish_job(job, &name, outcome).await {
                            tracing::warn!(job = id, error = %error, "finishing a job failed");
                        } else {
                            tracing::info!(job = id, ok, "job finished");
                        }
                    }
                }
            }
            Ok(None) => pause(&mut stop).await,
            Err(error) => {
                tracing::warn!(error = %error, "taking a job failed");
                pause(&mut stop).await;
            }
        }
    }
}

async fn pause(stop: &mut watch::Receiver<bool>) {
    tokio::select! {
        () = tokio::time::sleep(IDLE_POLL) => {}
        _ = stop.changed() => {}
    }
}

/// The job could not be done for a reason that may pass (the database).
struct Retry;

/// Does a job: `Ok(Ok(result))` done, `Ok(Err(why))` failed for good.
async fn process(state: &AppState, job: &ClaimedJob) -> Result<Result<String, String>, Retry> {
    match job.kind {
        JobKind::PostRemittance => {
            let event = AuditEvent {
                actor: job.created_by.clone(),
                action: "post".into(),
                resource: "remittance".into(),
                resource_id: Some(format!("job {}", job.id)),
                patient_id: None,
                clinic_id: None,
                outcome: AuditOutcome::Success,
            };
            match crate::routes::post_835(state, job.payload.as_bytes(), event).await {
                Ok(answer) => Ok(Ok(serde_json::to_string(&answer).unwrap_or_default())),
                Err(error) if matches!(error.code, ErrorCode::Internal | ErrorCode::Busy) => {
                    Err(Retry)
                }
                Err(error) => Ok(Err(error.message)),
            }
        }
    }
}
