//! A patient's context records through the service: an authorization or a plan of care
//! stored (a new version when it changes) with the patient's visits re-scrubbed against it,
//! audited in the same transaction; and the authorization ledger (used, remaining) as the
//! stored visits draw it down.
//!
//! Scope: a patient belongs to the clinics of their stored visits. A caller may change a
//! patient's records when every stored visit is in their scope (or there is none yet: the
//! front desk enters the authorization before the first visit), and read them when at least
//! one is (or there is none).

use cleanclaim_billing::Engine;
use cleanclaim_scrub::{ContextData, ContextKind, LedgerEntry, ScrubOptions, Scrubber};
use cleanclaim_store::{AuditEvent, AuditOutcome, Store};

use crate::access::Principal;
use crate::intake::{ChunkReport, Intake, IntakeError};
use crate::stored::{context_of, parse_all};

#[derive(Debug, thiserror::Error)]
pub enum PatientRecordError {
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// The patient has visits outside the caller's scope.
    #[error("not allowed")]
    OutOfScope,
    /// The record is not one of its kind; `path` is the JSON path at fault.
    #[error("at `{path}`: {reason}")]
    Invalid { path: String, reason: String },
}

impl From<cleanclaim_store::StoreError> for PatientRecordError {
    fn from(error: cleanclaim_store::StoreError) -> Self {
        Self::Intake(IntakeError::Store(error))
    }
}

/// Whether the caller may read (`all = false`) or change (`all = true`) the patient's records.
async fn patient_in_scope(
    store: &Store,
    principal: &Principal,
    patient_id: &str,
    all: bool,
) -> Result<bool, PatientRecordError> {
    let filings = store.patient_filings(patient_id).await?;
    let admitted = |(clinic, npi): &(Option<String>, Option<String>)| {
        principal.scope.admits(clinic.as_deref(), npi.as_deref())
    };
    Ok(filings.is_empty()
        || if all {
            filings.iter().all(admitted)
        } else {
            filings.iter().any(admitted)
        })
}

/// Audits the attempt as denied; the caller is told the patient is not there.
async fn refuse(store: &Store, event: AuditEvent) -> PatientRecordError {
    let denied = AuditEvent {
        outcome: AuditOutcome::Denied,
        ..event
    };
    match store.audit(&[denied]).await {
        Ok(()) => PatientRecordError::OutOfScope,
        Err(error) => error.into(),
    }
}

/// Reads one record of `kind`, naming the JSON path of a bad value (never the value).
fn read_record(
    kind: ContextKind,
    record: &str,
) -> Result<(ContextData, String), PatientRecordError> {
    let invalid = |path: &str, reason: String| PatientRecordError::Invalid {
        path: path.to_owned(),
        reason,
    };
    let mut context = ContextData::default();
    context
        .add_entry(kind, record)
        .map_err(|e| invalid("", cleanclaim_model::redact_quoted(&e.to_string())))?;
    if let Some(item) = context.authorizations.first() {
        if item.to < item.from {
            return Err(invalid("to", "ends before it starts".into()));
        }
        if item.disciplines.is_empty() {
            return Err(invalid("disciplines", "names no discipline".into()));
        }
        if item.number.trim().is_empty() {
            return Err(invalid("number", "is empty".into()));
        }
    }
    if let Some(plan) = context.plans.first()
        && plan.plan_of_care.certification_end < plan.plan_of_care.certification_start
    {
        return Err(invalid(
            "plan_of_care.certification_end",
            "is before the certification starts".into(),
        ));
    }
    let patient = context
        .entries()
        .map_err(|e| invalid("", e.to_string()))?
        .first()
        .map(|entry| entry.patient_id.clone())
        .unwrap_or_default();
    Ok((context, patient))
}

/// Stores an authorization or plan of care for `principal` and re-scrubs the patient's
/// visits; returns what changed.
pub async fn put_patient_record(
    store: &Store,
    engine: &Engine,
    principal: &Principal,
    kind: ContextKind,
    record: &str,
) -> Result<ChunkReport, PatientRecordError> {
    let (context, patient) = read_record(kind, record)?;
    let event = AuditEvent {
        patient_id: Some(patient.clone()),
        ..principal.event("put", kind.name(), AuditOutcome::Success)
    };
    if !patient_in_scope(store, principal, &patient, true).await? {
        return Err(refuse(store, event).await);
    }
    let mut intake = Intake::begin(store, engine).await?;
    let report = intake.load_context(&context).await?;
    intake
        .session()
        .audit(&[event])
        .await
        .map_err(IntakeError::from)?;
    intake.commit(0).await?;
    Ok(report)
}

/// The patient's authorizations with what their stored visits used and what is left.
pub async fn authorization_ledger(
    store: &Store,
    engine: &Engine,
    principal: &Principal,
    patient_id: &str,
) -> Result<Vec<LedgerEntry>, PatientRecordError> {
    let event = AuditEvent {
        patient_id: Some(patient_id.to_owned()),
        ..principal.event("read", "authorization", AuditOutcome::Success)
    };
    if !patient_in_scope(store, principal, patient_id, false).await? {
        return Err(refuse(store, event).await);
    }
    let patients = [patient_id.to_owned()];
    let visits = parse_all(&store.latest_encounters_of(&patients).await?).map_err(|e| {
        IntakeError::StoredRecord {
            encounter_id: e.encounter_id,
            version: e.version,
            source: e.source,
        }
    })?;
    let context = context_of(store.latest_context_of(&patients).await?).map_err(|e| {
        IntakeError::StoredContext {
            key: e.key,
            version: e.version,
            reason: e.reason,
        }
    })?;
    let mut scrubber = Scrubber::new(engine, context, ScrubOptions::default());
    scrubber.scrub_batch(&visits);
    store.audit(&[event]).await?;
    Ok(scrubber.ledger())
}
