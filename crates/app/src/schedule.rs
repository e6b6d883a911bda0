//! The schedule check against the store: the appointments' patients' stored visits are
//! scrubbed with their stored context records, and the check starts where that history ends
//! (each authorization's use after the stored visits, each year's visits and charges), so the
//! front desk sees what the visits already documented left.

use cleanclaim_billing::Engine;
use cleanclaim_model::EncounterError;
use cleanclaim_scrub::{ScheduleProblem, ScheduledVisit, ScrubOptions, Scrubber, check_schedule};
use cleanclaim_store::{Store, StoreError};

use crate::stored::{context_of, parse_all};

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
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

/// The appointments of `schedule` that would fall outside their authorization or the plan's
/// limits once the stored visits of their patients are counted; see the module docs. An
/// appointment with a stored visit of its patient, payer and discipline on its day was seen,
/// and is left out. A problem's `index` is the appointment's position in `schedule`.
pub async fn check_schedule_stored(
    store: &Store,
    engine: &Engine,
    schedule: Vec<ScheduledVisit>,
) -> Result<Vec<ScheduleProblem>, ScheduleError> {
    let mut patients: Vec<String> = schedule.iter().map(|v| v.patient_id.clone()).collect();
    patients.sort();
    patients.dedup();
    let visits = parse_all(&store.latest_encounters_of(&patients).await?).map_err(|e| {
        ScheduleError::StoredRecord {
            encounter_id: e.encounter_id,
            version: e.version,
            source: e.source,
        }
    })?;
    let mut context = context_of(store.latest_context_of(&patients).await?).map_err(|e| {
        ScheduleError::StoredContext {
            key: e.key,
            version: e.version,
            reason: e.reason,
        }
    })?;
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
