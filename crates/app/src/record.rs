//! One encounter arriving through the service: checked against the caller's scope, stored and
//! scrubbed with the patient's history as an intake of one record, audited, and (with an
//! idempotency key) its answer kept, all in the intake's one transaction. A request sent
//! again with the same key gets the first answer and stores nothing.

use cleanclaim_billing::Engine;
use cleanclaim_model::Encounter;
use cleanclaim_store::{AuditEvent, AuditOutcome, ScrubRecord, Store};
use sha2::{Digest, Sha256};

use crate::access::Principal;
use crate::intake::{Arrival, Intake, IntakeError};

/// An idempotency key and the hash of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    pub fn new(key: &str, request_body: &[u8]) -> Self {
        Self {
            key: key.to_owned(),
            request_hash: hex::encode(Sha256::digest(request_body)),
        }
    }
}

/// What storing the encounter did.
#[derive(Debug)]
pub struct RecordOutcome {
    pub encounter_id: String,
    /// False when the same record was already stored (nothing changed).
    pub changed: bool,
    /// True when the encounter id existed before this request.
    pub existed: bool,
    /// The encounter's latest result after this request.
    pub result: Option<ScrubRecord>,
}

/// The answer a caller gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Stored (or found unchanged); `answer` is what the caller rendered of it.
    Done { status: i32, body: String },
    /// The same key and request came before: its answer, again.
    Replayed { status: i32, body: String },
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// The encounter's clinic (or the stored one it would replace) is not the caller's.
    #[error("not allowed")]
    OutOfScope,
    /// An update named an encounter that does not exist.
    #[error("no encounter `{0}` exists")]
    NotFound(String),
    /// The key was used before with a different request.
    #[error("the idempotency key `{0}` was used with a different request")]
    KeyReused(String),
}

/// Whether the request must create or may only replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Create, or store a new version of, the encounter (an EMR resends corrected notes).
    Upsert,
    /// Replace an encounter that exists.
    Update,
}

/// Stores one encounter for `principal`. `answer` renders the outcome (status and body) while
/// the transaction is open, so an idempotent answer is kept with what it answers. A refusal
/// is audited as denied (in a transaction of its own, since nothing else is kept).
pub async fn record_encounter(
    store: &Store,
    engine: &Engine,
    principal: &Principal,
    encounter: Encounter,
    mode: Mode,
    idempotency: Option<&IdempotencyKey>,
    answer: impl FnOnce(&RecordOutcome) -> (i32, String),
) -> Result<Recorded, RecordError> {
    let id = encounter.id.clone();
    let event = |action: &str, outcome: AuditOutcome| AuditEvent {
        resource_id: Some(id.clone()),
        patient_id: Some(encounter.patient.id.clone()),
        clinic_id: encounter.administrative.location.clone(),
        ..principal.event(action, "encounter", outcome)
    };
    let mut intake = Intake::begin(store, engine).await?;
    if let Some(key) = idempotency
        && let Some((hash, status, body)) = intake
            .session()
            .idempotent_answer(principal.user_id, &key.key)
            .await
            .map_err(IntakeError::from)?
    {
        if hash != key.request_hash {
            return Err(RecordError::KeyReused(key.key.clone()));
        }
        drop(intake);
        store
            .audit(&[event("replay", AuditOutcome::Success)])
            .await
            .map_err(IntakeError::from)?;
        return Ok(Recorded::Replayed { status, body });
    }
    let stored = intake
        .session()
        .latest_versions(std::slice::from_ref(&id))
        .await
        .map_err(IntakeError::from)?
        .remove(&id);
    let existed = stored.is_some();
    let action = if existed { "update" } else { "create" };
    if !encounter_in_scope(principal, &encounter, stored.as_ref()) {
        drop(intake);
        store
            .audit(&[event(action, AuditOutcome::Denied)])
            .await
            .map_err(IntakeError::from)?;
        return Err(RecordError::OutOfScope);
    }
    if mode == Mode::Update && !existed {
        return Err(RecordError::NotFound(id));
    }
    intake
        .add(vec![Arrival {
            source: Some(format!("api:{}", principal.username)),
            ..Arrival::new(encounter.clone())
        }])
        .await?;
    let changed = intake.counts().unchanged == 0;
    let result = intake
        .session()
        .latest_results(std::slice::from_ref(&id))
        .await
        .map_err(IntakeError::from)?
        .remove(&id);
    let outcome = RecordOutcome {
        encounter_id: id.clone(),
        changed,
        existed,
        result,
    };
    let (status, body) = answer(&outcome);
    intake
        .session()
        .audit(&[event(action, AuditOutcome::Success)])
        .await
        .map_err(IntakeError::from)?;
    if let Some(key) = idempotency {
        intake
            .session()
            .remember_answer(
                principal.user_id,
                &key.key,
                &key.request_hash,
                status,
                &body,
            )
            .await
            .map_err(IntakeError::from)?;
    }
    intake.commit(0).await?;
    Ok(Recorded::Done { status, body })
}

/// Whether `principal` may store `encounter`: its clinic and rendering clinician are in their
/// scope, and so are those of the version already stored (if any), so nobody can move
/// another clinic's visit into theirs.
pub(crate) fn encounter_in_scope(
    principal: &Principal,
    encounter: &Encounter,
    stored: Option<&cleanclaim_store::LatestVersion>,
) -> bool {
    let stored_in_scope = stored.is_none_or(|version| {
        let (clinic, npi) = filing_of_record(&version.record);
        principal.scope.admits(clinic.as_deref(), npi.as_deref())
    });
    let rendering = encounter
        .compliance
        .rendering
        .as_ref()
        .map(|r| r.npi.as_str().to_owned());
    stored_in_scope
        && principal.scope.admits(
            encounter.administrative.location.as_deref(),
            rendering.as_deref(),
        )
}

/// The clinic and rendering NPI of a stored record (JSON), read without parsing the whole
/// encounter; a record that does not have them has none.
fn filing_of_record(record: &str) -> (Option<String>, Option<String>) {
    let value: serde_json::Value = serde_json::from_str(record).unwrap_or_default();
    let text = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    (
        text("/administrative/location"),
        text("/compliance/rendering/npi"),
    )
}
