//! The schedule check against the store: the appointments' patients' stored visits are
//! scrubbed with their stored context records, and the check starts where that history ends
//! (each authorization's use after the stored visits, each year's visits and charges), so the
//! front desk sees what the visits already documented left. The appointments are a schedule
//! file's, or those the store keeps from SIU messages ([`stored_appointments`]).

use chrono::NaiveDate;
use cleanclaim_billing::Engine;
use cleanclaim_model::{Discipline, Encounter, EncounterError, PlanType, ProcedureCode};
use cleanclaim_scrub::{ScheduleProblem, ScheduledVisit, ScrubOptions, Scrubber, check_schedule};
use cleanclaim_store::{Store, StoreError};

use crate::stored::{context_of, parse_all};

/// Reading patients' stored history back (their visits and context records), for the schedule
/// check and the encounter trace.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored context record no longer reads.
    #[error("stored context record {key} version {version} cannot be read: {reason}")]
    StoredContext {
        key: String,
        version: i32,
        reason: String,
    },
    /// A stored record no longer reads as an encounter.
    #[error("stored encounter {encounter_id} version {version} cannot be read: {source}")]
    StoredRecord {
        encounter_id: String,
        version: i32,
        source: EncounterError,
    },
}

impl From<crate::stored::Unreadable> for HistoryError {
    fn from(e: crate::stored::Unreadable) -> Self {
        Self::StoredRecord {
            encounter_id: e.encounter_id,
            version: e.version,
            source: e.source,
        }
    }
}

impl From<crate::stored::UnreadableContext> for HistoryError {
    fn from(e: crate::stored::UnreadableContext) -> Self {
        Self::StoredContext {
            key: e.key,
            version: e.version,
            reason: e.reason,
        }
    }
}

/// The appointments of `schedule` that would fall outside their authorization or the plan's
/// limits once the stored visits of their patients are counted; see the module docs. An
/// appointment with a stored visit of its patient, payer and discipline on its day was seen,
/// and is left out. A problem's `index` is the appointment's position in `schedule`.
pub async fn check_schedule_stored(
    store: &Store,
    engine: &Engine,
    schedule: Vec<ScheduledVisit>,
) -> Result<Vec<ScheduleProblem>, HistoryError> {
    let mut patients: Vec<String> = schedule.iter().map(|v| v.patient_id.clone()).collect();
    patients.sort();
    patients.dedup();
    let visits = parse_all(&store.latest_encounters_of(&patients).await?)?;
    let mut context = context_of(store.latest_context_of(&patients).await?)?;
    let mut scrubber = Scrubber::new(engine, context.clone(), ScrubOptions::default());
    scrubber.scrub_batch(&visits);
    // The ledger lists the context's authorizations in order, each with its use after the
    // stored visits: that use becomes the starting point.
    for (item, entry) in context.authorizations.iter_mut().zip(scrubber.ledger()) {
        item.used_visits = entry.used_visits;
        item.used_units = entry.used_units;
    }
    context.usage.extend(scrubber.usage_records());
    // An appointment whose visit is already stored was seen: its visit's own scrub result
    // says whether it is billable, and it is counted above.
    let (positions, unseen): (Vec<usize>, Vec<ScheduledVisit>) = schedule
        .into_iter()
        .enumerate()
        .filter(|(_, appointment)| {
            !visits.iter().any(|visit| {
                visit.patient.id == appointment.patient_id
                    && visit.administrative.payer.id == appointment.payer_id
                    && visit.discipline == appointment.discipline
                    && visit.date_of_service == appointment.date
            })
        })
        .unzip();
    context.schedule = unseen;
    let mut problems = check_schedule(engine, &context);
    for problem in &mut problems {
        problem.index = positions
            .get(problem.index)
            .copied()
            .unwrap_or(problem.index);
    }
    Ok(problems)
}

/// A stored appointment the check cannot place: what it lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    pub appointment_id: String,
    pub patient_id: String,
    pub date: NaiveDate,
    pub reason: &'static str,
}

/// The booked appointments the store keeps from SIU messages, on or after `from`, as a
/// schedule: SIU carries no payer, so each takes the payer of the patient's ADT coverage
/// (IN1), else of the patient's latest stored visit; its discipline is the scheduled
/// clinician's, else that visit's. An appointment with neither is returned as unplaced.
pub async fn stored_appointments(
    store: &Store,
    from: NaiveDate,
) -> Result<(Vec<ScheduledVisit>, Vec<Unplaced>), HistoryError> {
    let rows = store.booked_scheduled_visits(from).await?;
    let mut patients: Vec<String> = rows.iter().map(|row| row.patient_id.clone()).collect();
    patients.sort();
    patients.dedup();
    let visits = parse_all(&store.latest_encounters_of(&patients).await?)?;
    let mut coverage: std::collections::HashMap<String, Option<(String, PlanType)>> =
        std::collections::HashMap::new();
    for patient in &patients {
        let payer = store
            .patient_record(patient)
            .await?
            .and_then(|(_, record)| payer_of_record(&record));
        coverage.insert(patient.clone(), payer);
    }
    let (mut placed, mut unplaced) = (Vec::new(), Vec::new());
    for row in rows {
        let latest: Option<&Encounter> = visits
            .iter()
            .filter(|visit| visit.patient.id == row.patient_id)
            .max_by_key(|visit| (visit.date_of_service, visit.id.as_str()));
        let payer = coverage
            .get(&row.patient_id)
            .cloned()
            .flatten()
            .or_else(|| {
                latest.map(|visit| {
                    (
                        visit.administrative.payer.id.clone(),
                        visit.administrative.payer.plan,
                    )
                })
            });
        let discipline = row
            .discipline
            .as_deref()
            .and_then(discipline_named)
            .or_else(|| latest.map(|visit| visit.discipline));
        let unplaced_for = |reason| Unplaced {
            appointment_id: row.appointment_id.clone(),
            patient_id: row.patient_id.clone(),
            date: row.date_of_service,
            reason,
        };
        let Some((payer_id, plan)) = payer else {
            unplaced.push(unplaced_for(
                "no payer: no ADT coverage (IN1) and no stored visit for the patient",
            ));
            continue;
        };
        let Some(discipline) = discipline else {
            unplaced.push(unplaced_for(
                "no discipline: the scheduled clinician is not known to the channel and the patient has no stored visit",
            ));
            continue;
        };
        let planned_codes = serde_json::from_str::<Vec<String>>(&row.planned_codes)
            .unwrap_or_default()
            .iter()
            .filter_map(|code| code.parse::<ProcedureCode>().ok())
            .collect();
        placed.push(ScheduledVisit {
            appointment_id: Some(row.appointment_id),
            patient_id: row.patient_id,
            payer_id,
            plan,
            date: row.date_of_service,
            discipline,
            planned_codes,
            planned_units: None,
            // The condition under treatment: the latest visit's primary diagnosis.
            condition: latest
                .and_then(|visit| visit.clinical.diagnoses.first())
                .map(|dx| dx.as_str().to_owned()),
        });
    }
    Ok((placed, unplaced))
}

/// The payer of an ADT record's coverage (`coverage.payer`), when it has one.
fn payer_of_record(record: &str) -> Option<(String, PlanType)> {
    let value: serde_json::Value = serde_json::from_str(record).ok()?;
    let payer = value.get("coverage")?.get("payer")?;
    let id = payer.get("id")?.as_str()?.to_owned();
    let plan = serde_json::from_value(payer.get("plan")?.clone()).ok()?;
    Some((id, plan))
}

fn discipline_named(name: &str) -> Option<Discipline> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}
