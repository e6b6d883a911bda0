//! A FHIR R4 bundle through the service: its visits and plans of care stored in one intake
//! (all of it or nothing), each visit scrubbed with the patient's history, every visit checked
//! against the caller's scope (its clinic, and the clinic of any version already stored) and
//! audited in the intake's transaction.

use cleanclaim_billing::Engine;
use cleanclaim_emr::fhir::{BundleIntake, OperationOutcome, OutcomeIssue};
use cleanclaim_scrub::{ContextData, ContextKind};
use cleanclaim_store::{AuditEvent, AuditOutcome, Store};

use crate::access::Principal;
use crate::intake::{Arrival, Intake, IntakeError};
use crate::record::encounter_in_scope;

/// What happened to each entry of the bundle, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryResult {
    /// An encounter stored for the first time.
    Created { resource: String, id: String },
    /// An encounter stored again (a new version, or unchanged), or a resource read into one.
    Updated {
        resource: String,
        id: Option<String>,
    },
    /// A resource type cleanclaim does not read.
    Ignored { resource: String },
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// The bundle cannot be stored as it is: the outcome says where.
    #[error("the bundle was refused")]
    Refused(OperationOutcome),
    /// A visit is of a clinic the caller does not have (answered as forbidden, audited).
    #[error("not allowed")]
    OutOfScope(OperationOutcome),
}

impl From<cleanclaim_store::StoreError> for BundleError {
    fn from(error: cleanclaim_store::StoreError) -> Self {
        Self::Intake(IntakeError::Store(error))
    }
}

/// Stores a read bundle for `principal`.
pub async fn record_bundle(
    store: &Store,
    engine: &Engine,
    principal: &Principal,
    bundle: BundleIntake,
) -> Result<Vec<EntryResult>, BundleError> {
    let known: Vec<String> = store.clinics().await?.into_iter().map(|c| c.id).collect();
    let mut refused = Vec::new();
    for (index, encounter) in &bundle.encounters {
        match encounter.administrative.location.as_deref() {
            Some(clinic) if known.iter().any(|k| k == clinic) => {}
            _ => refused.push(OutcomeIssue::invalid(
                format!("Bundle.entry[{index}].resource.location"),
                "the encounter's location must name a clinic of this organization (location.identifier.value)",
            )),
        }
    }
    if !refused.is_empty() {
        return Err(BundleError::Refused(OperationOutcome { issues: refused }));
    }
    let mut intake = Intake::begin(store, engine).await?;
    let ids: Vec<String> = bundle
        .encounters
        .iter()
        .map(|(_, e)| e.id.clone())
        .collect();
    let stored = intake
        .session()
        .latest_versions(&ids)
        .await
        .map_err(IntakeError::from)?;
    let event =
        |encounter: &cleanclaim_model::Encounter, action: &str, outcome: AuditOutcome| AuditEvent {
            resource_id: Some(encounter.id.clone()),
            patient_id: Some(encounter.patient.id.clone()),
            clinic_id: encounter.administrative.location.clone(),
            ..principal.event(action, "encounter", outcome)
        };
    let mut denied = Vec::new();
    let mut denied_events = Vec::new();
    for (index, encounter) in &bundle.encounters {
        if !encounter_in_scope(principal, encounter, stored.get(&encounter.id)) {
            denied.push(OutcomeIssue::forbidden(
                format!("Bundle.entry[{index}].resource"),
                "this encounter is of a clinic you do not have",
            ));
            denied_events.push(event(encounter, "create", AuditOutcome::Denied));
        }
    }
    if !denied.is_empty() {
        drop(intake);
        store.audit(&denied_events).await?;
        return Err(BundleError::OutOfScope(OperationOutcome { issues: denied }));
    }
    let mut context = ContextData::default();
    for (index, _, record) in &bundle.plans_of_care {
        context.add_entry(ContextKind::Plan, record).map_err(|e| {
            BundleError::Refused(OperationOutcome::one(OutcomeIssue::invalid(
                format!("Bundle.entry[{index}].resource"),
                format!(
                    "the plan of care does not read: {}",
                    cleanclaim_model::redact_quoted(&e.to_string())
                ),
            )))
        })?;
    }
    intake.load_context(&context).await?;
    let arrivals = bundle
        .encounters
        .iter()
        .map(|(_, encounter)| Arrival {
            source: Some(format!("fhir:{}", principal.username)),
            ..Arrival::new(encounter.clone())
        })
        .collect();
    intake.add(arrivals).await?;
    let events: Vec<AuditEvent> = bundle
        .encounters
        .iter()
        .map(|(_, e)| {
            event(
                e,
                if stored.contains_key(&e.id) {
                    "update"
                } else {
                    "create"
                },
                AuditOutcome::Success,
            )
        })
        .collect();
    intake
        .session()
        .audit(&events)
        .await
        .map_err(IntakeError::from)?;
    intake.commit(0).await?;
    let mut results: Vec<EntryResult> = bundle
        .entries
        .iter()
        .map(|(resource, read)| {
            if *read {
                EntryResult::Updated {
                    resource: resource.clone(),
                    id: None,
                }
            } else {
                EntryResult::Ignored {
                    resource: resource.clone(),
                }
            }
        })
        .collect();
    for (index, encounter) in &bundle.encounters {
        if let Some(slot) = results.get_mut(*index) {
            *slot = if stored.contains_key(&encounter.id) {
                EntryResult::Updated {
                    resource: "Encounter".into(),
                    id: Some(encounter.id.clone()),
                }
            } else {
                EntryResult::Created {
                    resource: "Encounter".into(),
                    id: encounter.id.clone(),
                }
            };
        }
    }
    Ok(results)
}
