//! Intake: store encounters and scrub them against the stored history.
//!
//! History is not a second copy of the truth: each patient's history (treatment days,
//! progress reports, evaluations, authorization draw-down, the year's visits and spend) is
//! re-derived by scrubbing the latest stored version of every visit of that patient in date
//! order. So a clinic that ingests day by day gets the same queues and findings as one run over
//! the whole period, and a late note (a visit dated before visits already scrubbed) changes the
//! results of the visits after it: each changed result is stored with the reason, unless the
//! visit was already billed (its result is then left as billed, and reported).
//!
//! An intake is written in one transaction: its new versions, its results, its queue moves.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cleanclaim_billing::{Engine, Queue};
use cleanclaim_model::{Encounter, EncounterError, parse_encounter};
use cleanclaim_scrub::{ContextData, ScrubOptions, ScrubResult, Scrubber};
use cleanclaim_store::{ScrubRecord, Store, StoreError, StoredEncounter};

/// A result this intake stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub encounter_id: String,
    pub queue: Queue,
    /// The queue of the result before, if there was one.
    pub previous_queue: Option<String>,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct IntakeReport {
    /// Records received.
    pub received: usize,
    /// Encounters stored for the first time.
    pub new_encounters: usize,
    /// Encounters stored again with a different record (a new version).
    pub corrected: usize,
    /// Records identical to the stored version: nothing to do.
    pub unchanged: usize,
    /// Results stored, in patient and date order.
    pub changes: Vec<Change>,
    /// Billed encounters whose result the new history would change: left as billed.
    pub billed_unchanged: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record no longer reads as an encounter (the format changed under it).
    #[error("stored encounter {encounter_id} version {version} cannot be read: {source}")]
    StoredRecord {
        encounter_id: String,
        version: i32,
        source: EncounterError,
    },
    #[error("encounter {encounter_id} cannot be stored: {reason}")]
    Unstorable {
        encounter_id: String,
        reason: String,
    },
}

/// Stores `encounters` and scrubs them, with every stored visit of their patients, against
/// `context`; see the module docs. `received` is each record's text as the sender wrote it,
/// index for index, kept with its version (empty when the caller has none).
pub async fn intake(
    store: &Store,
    engine: &Engine,
    context: &ContextData,
    encounters: &[Encounter],
    received: &[String],
) -> Result<IntakeReport, IntakeError> {
    let mut report = IntakeReport {
        received: encounters.len(),
        ..IntakeReport::default()
    };
    let ids: Vec<String> = encounters.iter().map(|e| e.id.clone()).collect();
    let latest = store.latest_versions(&ids).await?;
    let mut versions: Vec<StoredEncounter> = Vec::new();
    let mut arrived: HashMap<String, (i32, bool)> = HashMap::new();
    for (index, encounter) in encounters.iter().enumerate() {
        let record = serde_json::to_string(encounter).map_err(|error| IntakeError::Unstorable {
            encounter_id: encounter.id.clone(),
            reason: error.to_string(),
        })?;
        let version = match latest.get(&encounter.id) {
            Some((_, stored)) if *stored == record => {
                report.unchanged += 1;
                continue;
            }
            Some((version, _)) => {
                report.corrected += 1;
                version + 1
            }
            None => {
                report.new_encounters += 1;
                1
            }
        };
        arrived.insert(encounter.id.clone(), (version, version > 1));
        versions.push(StoredEncounter {
            encounter_id: encounter.id.clone(),
            version,
            patient_id: encounter.patient.id.clone(),
            date_of_service: encounter.date_of_service,
            record,
            received: received.get(index).cloned(),
        });
    }
    if versions.is_empty() {
        return Ok(report);
    }

    // Every visit of the patients this intake touches: the stored ones, with this intake's
    // versions in place of theirs.
    let patients: Vec<String> = versions
        .iter()
        .map(|v| v.patient_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut timeline: BTreeMap<String, (i32, Encounter)> = BTreeMap::new();
    for stored in store.latest_encounters_of(&patients).await? {
        let encounter =
            parse_encounter(&stored.record).map_err(|source| IntakeError::StoredRecord {
                encounter_id: stored.encounter_id.clone(),
                version: stored.version,
                source,
            })?;
        timeline.insert(stored.encounter_id, (stored.version, encounter));
    }
    for (encounter, version) in encounters
        .iter()
        .filter_map(|e| arrived.get(&e.id).map(|(v, _)| (e, *v)))
    {
        timeline.insert(encounter.id.clone(), (version, encounter.clone()));
    }
    let visits: Vec<(i32, Encounter)> = timeline.into_values().collect();
    let batch: Vec<Encounter> = visits.iter().map(|(_, e)| e.clone()).collect();
    let mut scrubber = Scrubber::new(engine, context.clone(), ScrubOptions::default());
    let results = scrubber.scrub_batch(&batch);

    let all_ids: Vec<String> = batch.iter().map(|e| e.id.clone()).collect();
    let previous = store.latest_results(&all_ids).await?;
    let billed: BTreeSet<String> = store
        .billed_encounters(&all_ids)
        .await?
        .into_iter()
        .collect();
    // Which new versions each patient got, to say why a later visit changed.
    let mut arrivals_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for version in &versions {
        arrivals_of
            .entry(version.patient_id.as_str())
            .or_default()
            .push(version.encounter_id.as_str());
    }

    let mut records: Vec<ScrubRecord> = Vec::new();
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&i| {
        batch
            .get(i)
            .map(|e| (e.patient.id.clone(), e.date_of_service, e.id.clone()))
    });
    for index in order {
        let (Some((version, encounter)), Some(result)) = (visits.get(index), results.get(index))
        else {
            continue;
        };
        let record = scrub_record(encounter, *version, result);
        let before = previous.get(&encounter.id);
        let reason = match arrived.get(&encounter.id) {
            Some((_, true)) => format!("corrected record (version {version})"),
            Some((_, false)) => "new record".to_owned(),
            None => match before {
                Some(before)
                    if before.queue == record.queue && before.findings == record.findings =>
                {
                    continue;
                }
                _ if billed.contains(&encounter.id) => {
                    report.billed_unchanged.push(encounter.id.clone());
                    continue;
                }
                _ => format!(
                    "history changed by {}",
                    arrivals_of
                        .get(encounter.patient.id.as_str())
                        .map(|ids| ids.join(", "))
                        .unwrap_or_default()
                ),
            },
        };
        report.changes.push(Change {
            encounter_id: encounter.id.clone(),
            queue: result.queue,
            previous_queue: before.map(|b| b.queue.clone()),
            reason: reason.clone(),
        });
        records.push(ScrubRecord { reason, ..record });
    }
    store.record_intake(&versions, &records).await?;
    Ok(report)
}

/// What is kept of a scrub result: its queue, pack, findings and dollars.
fn scrub_record(encounter: &Encounter, version: i32, result: &ScrubResult<'_>) -> ScrubRecord {
    let findings: Vec<String> = result
        .findings
        .iter()
        .map(|f| format!("{}: {}", f.rule.id, f.message))
        .collect();
    ScrubRecord {
        encounter_id: encounter.id.clone(),
        encounter_version: version,
        queue: result.queue.name().to_owned(),
        pack_id: result.pack.id.clone(),
        pack_version: result.pack.version.clone(),
        findings: findings.join("\n"),
        charge_cents: result
            .derivation
            .lines
            .iter()
            .filter_map(|line| line.charge)
            .map(|charge| charge.0)
            .sum(),
        reason: String::new(),
    }
}
