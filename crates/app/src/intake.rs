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
//! An intake is one transaction ([`Intake`]): the caller adds records a chunk at a time and
//! commits at the end, so memory holds one chunk while the intake stays all or nothing. A
//! chunk should hold whole patients (each patient's records in one chunk): a patient whose
//! records are spread over several chunks is still scrubbed right (each chunk re-derives the
//! patient's history from what the intake has stored so far), at the cost of scrubbing the
//! patient again and storing the intermediate results.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use cleanclaim_billing::{Engine, Queue};
use cleanclaim_model::{Encounter, EncounterError};
use cleanclaim_scrub::{ContextData, ScrubOptions, ScrubResult, Scrubber};
use cleanclaim_store::{
    Filing, IntakeCounts, IntakeSession, Scope, ScrubRecord, Store, StoreError, StoredContext,
    StoredEncounter,
};

use crate::claim_basis::ClaimBasis;
use crate::history_cache::{HistoryCache, Staged};
use crate::stored::{context_of, parse_all};

/// The reason a filing pass stores with the results it changes, before its date.
const FILING_JUDGED: &str = "timely filing judged as of";

/// Patients whose stored visits a filing re-scrub holds in memory at a time.
const RESCRUB_PATIENTS_PER_CHUNK: usize = 500;

/// A result this intake stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub encounter_id: String,
    pub queue: Queue,
    /// The queue of the result before, if there was one.
    pub previous_queue: Option<String>,
    pub reason: String,
}

/// A record left out because an earlier record of the same intake has its encounter id: a
/// corrected visit replaces the first in a later intake, not in the same one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub encounter_id: String,
    /// Where the left-out record came from, when the caller said.
    pub source: Option<String>,
    /// Where the record kept came from.
    pub first_source: Option<String>,
}

/// One record arriving at an intake.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub encounter: Encounter,
    /// The record's text as the sender wrote it, when the caller has it.
    pub received: Option<String>,
    /// Where it came from (`input:line`), when the caller knows.
    pub source: Option<String>,
}

impl Arrival {
    pub fn new(encounter: Encounter) -> Self {
        Self {
            encounter,
            received: None,
            source: None,
        }
    }
}

/// What one chunk of an intake did.
#[derive(Debug, Default)]
pub struct ChunkReport {
    /// Results stored, in patient and date order.
    pub changes: Vec<Change>,
    /// Billed encounters whose result the new history would change: left as billed.
    pub billed_unchanged: Vec<String>,
    pub duplicates: Vec<Duplicate>,
}

/// What a whole intake did (see [`intake`]).
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
    pub duplicates: Vec<Duplicate>,
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
    /// A stored context record no longer reads (the format changed under it).
    #[error("stored context record {key} version {version} cannot be read: {reason}")]
    StoredContext {
        key: String,
        version: i32,
        reason: String,
    },
    #[error("a context record cannot be stored: {0}")]
    UnstorableContext(String),
    #[error("encounter {encounter_id} cannot be stored: {reason}")]
    Unstorable {
        encounter_id: String,
        reason: String,
    },
}

impl IntakeError {
    /// What kind of failure this is, without its message (which can name an encounter or a
    /// record): what logs and error envelopes may carry.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Store(_) => "store",
            Self::StoredRecord { .. } => "stored_record",
            Self::StoredContext { .. } => "stored_context",
            Self::UnstorableContext(_) => "unstorable_context",
            Self::Unstorable { .. } => "unstorable",
        }
    }
}

/// An open intake: add chunks, then commit. Dropped uncommitted, nothing of it is kept.
#[derive(Debug)]
pub struct Intake<'a> {
    session: IntakeSession,
    engine: &'a Engine,
    counts: IntakeCounts,
    /// The date timely filing is judged as of; none leaves it unjudged (see
    /// [`Intake::judge_filing_as_of`]).
    as_of: Option<NaiveDate>,
    /// Parsed visits kept from earlier intakes (see [`Intake::with_cache`]), and what this
    /// one adds to them when it commits.
    cache: Option<&'a mut HistoryCache>,
    staged: Staged,
}

impl<'a> Intake<'a> {
    /// Starts an intake on `store` (waiting for another intake to finish first). Visits are
    /// scrubbed with the context records stored for their patients ([`Intake::load_context`]).
    pub async fn begin(store: &Store, engine: &'a Engine) -> Result<Self, IntakeError> {
        Ok(Self {
            session: store.begin_intake().await?,
            engine,
            counts: IntakeCounts::default(),
            as_of: None,
            cache: None,
            staged: Staged::default(),
        })
    }

    /// Takes the patients' history from `cache` where it holds the stored version, and keeps
    /// what this intake reads and writes in it once it commits. A cache serves intakes into
    /// one store.
    pub fn with_cache(mut self, cache: &'a mut HistoryCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Judges timely filing as of `date` in every scrub this intake makes. Filing is opt-in
    /// (the scrubber's `as_of`), so a re-run gives the same answer on any day; a clinic that
    /// judges it passes the date to every stored command.
    pub fn judge_filing_as_of(&mut self, date: NaiveDate) {
        self.as_of = Some(date);
    }

    /// Scrubs again, as of `date`, every stored visit of the patients with an unbilled visit
    /// (`patients`, from [`Store::unbilled_within`] and [`Store::patients_of`], read before
    /// the intake began), and stores the results timely filing changed: a visit past its
    /// payer's limit leaves `ready_to_bill` for its hold before it can be billed.
    pub async fn rescrub_for_filing(
        &mut self,
        date: NaiveDate,
        patients: &[String],
    ) -> Result<ChunkReport, IntakeError> {
        self.judge_filing_as_of(date);
        let cause = vec![format!("{FILING_JUDGED} {date}")];
        let mut report = ChunkReport::default();
        for chunk in patients.chunks(RESCRUB_PATIENTS_PER_CHUNK) {
            let causes: BTreeMap<String, Vec<String>> = chunk
                .iter()
                .map(|patient| (patient.clone(), cause.clone()))
                .collect();
            self.rescrub(chunk, Arrived::none(), &causes, &mut report)
                .await?;
        }
        Ok(report)
    }

    /// Stores the context records that are new or changed (each a new version under its key)
    /// and re-scrubs the stored visits of their patients, saying which record changed.
    pub async fn load_context(
        &mut self,
        context: &ContextData,
    ) -> Result<ChunkReport, IntakeError> {
        let entries = context
            .entries()
            .map_err(|error| IntakeError::UnstorableContext(error.to_string()))?;
        let patients: Vec<String> = entries
            .iter()
            .map(|e| e.patient_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut latest: HashMap<(String, String), (i32, String)> = self
            .session
            .latest_context_of(&patients)
            .await?
            .into_iter()
            .map(|c| ((c.kind, c.record_key), (c.version, c.record)))
            .collect();
        let mut written: Vec<StoredContext> = Vec::new();
        let mut causes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for entry in entries {
            let slot = (entry.kind.name().to_owned(), entry.key.clone());
            let version = match latest.get(&slot) {
                Some((_, record)) if *record == entry.record => continue,
                Some((version, _)) => version + 1,
                None => 1,
            };
            latest.insert(slot, (version, entry.record.clone()));
            causes
                .entry(entry.patient_id.clone())
                .or_default()
                .push(format!(
                    "{} {} (version {version})",
                    entry.kind.name(),
                    entry.key
                ));
            written.push(StoredContext {
                kind: entry.kind.name().to_owned(),
                record_key: entry.key,
                version,
                patient_id: entry.patient_id,
                record: entry.record,
            });
        }
        self.session.write_context(&written).await?;
        self.counts.context_records += written.len() as u64;
        let mut report = ChunkReport::default();
        let patients: Vec<String> = causes.keys().cloned().collect();
        self.rescrub(&patients, Arrived::none(), &causes, &mut report)
            .await?;
        Ok(report)
    }

    /// The intake's id in the store.
    pub fn id(&self) -> i64 {
        self.session.id()
    }

    pub fn counts(&self) -> IntakeCounts {
        self.counts
    }

    /// The intake's transaction, for what a caller keeps with it (audit events, idempotent
    /// answers) and reads through it.
    pub fn session(&mut self) -> &mut IntakeSession {
        &mut self.session
    }

    /// Stores a chunk's records and scrubs them, with every stored visit of their patients.
    pub async fn add(&mut self, arrivals: Vec<Arrival>) -> Result<ChunkReport, IntakeError> {
        let mut report = ChunkReport::default();
        self.counts.records += arrivals.len() as u64;
        let ids: Vec<String> = arrivals.iter().map(|a| a.encounter.id.clone()).collect();
        let latest = self.session.latest_versions(&ids).await?;

        let mut versions: Vec<StoredEncounter> = Vec::new();
        // Encounter id -> (version, is a correction), for the records this chunk stores.
        let mut arrived: HashMap<String, (i32, bool)> = HashMap::new();
        let mut kept: Vec<Encounter> = Vec::new();
        let mut first_source: HashMap<String, Option<String>> = HashMap::new();
        for arrival in arrivals {
            let Arrival {
                encounter,
                received,
                source,
            } = arrival;
            let stored = latest.get(&encounter.id);
            let earlier = match first_source.get(&encounter.id) {
                Some(first) => Some(first.clone()),
                None => stored
                    .filter(|s| s.intake_id == Some(self.session.id()))
                    .map(|s| s.source.clone()),
            };
            if let Some(first_source) = earlier {
                self.counts.rejected += 1;
                report.duplicates.push(Duplicate {
                    encounter_id: encounter.id,
                    source,
                    first_source,
                });
                continue;
            }
            first_source.insert(encounter.id.clone(), source.clone());
            let record =
                serde_json::to_string(&encounter).map_err(|error| IntakeError::Unstorable {
                    encounter_id: encounter.id.clone(),
                    reason: error.to_string(),
                })?;
            let version = match stored {
                Some(stored) if stored.record == record => {
                    self.counts.unchanged += 1;
                    continue;
                }
                Some(stored) => {
                    self.counts.corrected += 1;
                    stored.version + 1
                }
                None => {
                    self.counts.new_encounters += 1;
                    1
                }
            };
            arrived.insert(encounter.id.clone(), (version, version > 1));
            versions.push(StoredEncounter {
                encounter_id: encounter.id.clone(),
                version,
                patient_id: encounter.patient.id.clone(),
                date_of_service: encounter.date_of_service,
                // The sender's text is kept only where it says something the record does not.
                received: received.filter(|text| *text != record),
                record,
                source,
                filing: filing_of(&encounter),
            });
            kept.push(encounter);
        }
        if versions.is_empty() {
            return Ok(report);
        }

        let patients: Vec<String> = versions
            .iter()
            .map(|v| v.patient_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // Which new versions each patient got, to say why a later visit changed.
        let mut causes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for version in &versions {
            causes
                .entry(version.patient_id.clone())
                .or_default()
                .push(version.encounter_id.clone());
        }
        let first_changed = first_new_dates(&versions, &arrived);
        let arrivals = Arrived {
            versions: &versions,
            ids: arrived,
            kept,
            first_changed,
        };
        self.rescrub(&patients, arrivals, &causes, &mut report)
            .await?;
        Ok(report)
    }

    /// Scrubs every visit of `patients` (the stored ones, with the chunk's `arrived`
    /// versions in place of theirs) with their stored context, and stores the results that
    /// are new or changed; `causes` says what changed each patient's history.
    async fn rescrub(
        &mut self,
        patients: &[String],
        arrived: Arrived<'_>,
        causes: &BTreeMap<String, Vec<String>>,
        report: &mut ChunkReport,
    ) -> Result<(), IntakeError> {
        let Arrived {
            versions,
            ids: arrived,
            kept,
            first_changed,
        } = arrived;
        let arrived = &arrived;
        if patients.is_empty() {
            return Ok(());
        }
        let history = self.read_history(patients, arrived).await?;
        // Written after the history is read: the history has no use for them (they are
        // scrubbed from `kept`), and reading them back was a quarter of what it read.
        self.session.write(versions, &[]).await?;
        let mut timeline: BTreeMap<String, (i32, Arc<Encounter>)> = BTreeMap::new();
        for (version, encounter) in history {
            timeline.insert(encounter.id.clone(), (version, encounter));
        }
        for encounter in kept {
            if let Some((version, _)) = arrived.get(&encounter.id) {
                let encounter = Arc::new(encounter);
                if self.cache.is_some() {
                    self.staged.add(*version, Arc::clone(&encounter));
                }
                timeline.insert(encounter.id.clone(), (*version, encounter));
            }
        }
        if timeline.is_empty() {
            return Ok(());
        }
        let (visit_versions, batch): (Vec<i32>, Vec<Arc<Encounter>>) =
            timeline.into_values().unzip();
        let context = self.stored_context(patients).await?;
        let options = ScrubOptions {
            as_of: self.as_of,
            ..ScrubOptions::default()
        };
        let mut scrubber = Scrubber::new(self.engine, context, options);
        let results = scrubber.scrub_batch(&batch);

        let may_change = |encounter: &Encounter| {
            first_changed
                .get(&encounter.patient.id)
                .is_none_or(|first| encounter.date_of_service >= *first)
        };
        let compared: Vec<String> = batch
            .iter()
            .filter(|e| may_change(e))
            .map(|e| e.id.clone())
            .collect();
        let previous = self.session.latest_results(&compared).await?;
        let billed: BTreeSet<String> = self
            .session
            .billed_encounters(&compared)
            .await?
            .into_iter()
            .collect();

        let mut records: Vec<ScrubRecord> = Vec::new();
        let mut order: Vec<usize> = (0..batch.len()).collect();
        let at = |index: usize| batch.get(index).map(|e| &**e);
        order.sort_by(|&a, &b| visit_key(at(a)).cmp(&visit_key(at(b))));
        for index in order {
            let (Some(encounter), Some(version), Some(result)) = (
                batch.get(index),
                visit_versions.get(index),
                results.get(index),
            ) else {
                continue;
            };
            if !may_change(encounter) {
                continue;
            }
            let record = scrub_record(encounter, *version, result);
            let before = previous.get(&encounter.id);
            let reason = match arrived.get(&encounter.id) {
                Some((_, true)) => format!("corrected record (version {version})"),
                Some((_, false)) => "new record".to_owned(),
                None => match before {
                    Some(before) if same_result(before, &record) => continue,
                    _ if billed.contains(&encounter.id) => {
                        report.billed_unchanged.push(encounter.id.clone());
                        continue;
                    }
                    _ => {
                        let what = causes
                            .get(&encounter.patient.id)
                            .map(|what| what.join(", "))
                            .unwrap_or_default();
                        // A filing pass changes no history: its cause is the reason itself.
                        match self.as_of {
                            Some(_) if what.starts_with(FILING_JUDGED) => what,
                            _ => format!("history changed by {what}"),
                        }
                    }
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
        self.session.write(&[], &records).await?;
        self.counts.results += records.len() as u64;
        Ok(())
    }

    /// The latest stored version of every visit of `patients` but the `arrived` ones,
    /// parsed: from the cache where it holds that version, from the store otherwise.
    async fn read_history(
        &mut self,
        patients: &[String],
        arrived: &HashMap<String, (i32, bool)>,
    ) -> Result<Vec<(i32, Arc<Encounter>)>, IntakeError> {
        let Some(cache) = self.cache.as_deref_mut() else {
            let stored: Vec<StoredEncounter> = self
                .session
                .latest_encounters_of(patients)
                .await?
                .into_iter()
                .filter(|stored| !arrived.contains_key(&stored.encounter_id))
                .collect();
            let parsed = parse_stored(&stored)?;
            let versions = stored.iter().map(|s| s.version);
            return Ok(versions.zip(parsed.into_iter().map(Arc::new)).collect());
        };
        let listed = self.session.latest_versions_of_patients(patients).await?;
        let mut history = Vec::with_capacity(listed.len());
        let mut missing = Vec::new();
        for (encounter_id, version) in listed {
            if arrived.contains_key(&encounter_id) {
                continue;
            }
            match cache.take(&encounter_id, version) {
                Some(encounter) => history.push((version, encounter)),
                None => missing.push(encounter_id),
            }
        }
        if !missing.is_empty() {
            let stored = self.session.latest_encounters_by_id(&missing).await?;
            let parsed = parse_stored(&stored)?;
            for (stored, encounter) in stored.iter().zip(parsed) {
                let encounter = Arc::new(encounter);
                self.staged.add(stored.version, Arc::clone(&encounter));
                history.push((stored.version, encounter));
            }
        }
        Ok(history)
    }

    /// The context records stored for these patients.
    async fn stored_context(&mut self, patients: &[String]) -> Result<ContextData, IntakeError> {
        context_of(self.session.latest_context_of(patients).await?).map_err(|e| {
            IntakeError::StoredContext {
                key: e.key,
                version: e.version,
                reason: e.reason,
            }
        })
    }

    /// Keeps everything added; `rejected` is the records the caller could not read (kept in
    /// the intake's counts beside the duplicates this intake left out).
    pub async fn commit(self, rejected: u64) -> Result<IntakeCounts, IntakeError> {
        let mut counts = self.counts;
        counts.rejected += rejected;
        counts.records += rejected;
        self.session.commit(counts).await?;
        if let Some(cache) = self.cache {
            cache.commit(self.staged);
        }
        Ok(counts)
    }
}

/// Parses stored records, naming the one that no longer reads.
fn parse_stored(stored: &[StoredEncounter]) -> Result<Vec<Encounter>, IntakeError> {
    parse_all(stored).map_err(|e| IntakeError::StoredRecord {
        encounter_id: e.encounter_id,
        version: e.version,
        source: e.source,
    })
}

/// Whether a result says what the stored one says: its queue, findings and claim lines (a
/// result stored before the lines were kept is judged on the first two, so an upgrade does not
/// store every visit again; its claims are built by scrubbing again).
fn same_result(before: &ScrubRecord, now: &ScrubRecord) -> bool {
    before.queue == now.queue
        && before.findings == now.findings
        && (before.claim_basis.is_none() || before.claim_basis == now.claim_basis)
}

/// The records a chunk stores, for [`Intake::rescrub`].
struct Arrived<'c> {
    /// Their versions, written once the patients' history is read.
    versions: &'c [StoredEncounter],
    /// Encounter id -> (version, is a correction).
    ids: HashMap<String, (i32, bool)>,
    /// The records, as read.
    kept: Vec<Encounter>,
    /// See [`first_new_dates`]; a patient not in it has every result compared.
    first_changed: HashMap<String, NaiveDate>,
}

impl Arrived<'static> {
    /// Nothing arrived: a re-scrub for a context record or for timely filing.
    fn none() -> Self {
        Self {
            versions: &[],
            ids: HashMap::new(),
            kept: Vec::new(),
            first_changed: HashMap::new(),
        }
    }
}

/// For each patient whose only changes in a chunk are new visits, the date of the first: a
/// visit's result depends on the visits before it (in date order) and on the others of its
/// own day, never on a later one, so the results dated before it cannot change. A patient
/// with a corrected record is left out (the correction may have moved its date of service):
/// all of their results are compared.
fn first_new_dates(
    versions: &[StoredEncounter],
    arrived: &HashMap<String, (i32, bool)>,
) -> HashMap<String, NaiveDate> {
    let mut first: HashMap<String, NaiveDate> = HashMap::new();
    let mut corrected: BTreeSet<&str> = BTreeSet::new();
    for version in versions {
        if arrived
            .get(&version.encounter_id)
            .is_some_and(|(_, correction)| *correction)
        {
            corrected.insert(&version.patient_id);
            continue;
        }
        first
            .entry(version.patient_id.clone())
            .and_modify(|date| *date = (*date).min(version.date_of_service))
            .or_insert(version.date_of_service);
    }
    first.retain(|patient, _| !corrected.contains(patient.as_str()));
    first
}

fn visit_key(encounter: Option<&Encounter>) -> Option<(&str, chrono::NaiveDate, &str)> {
    encounter.map(|e| (e.patient.id.as_str(), e.date_of_service, e.id.as_str()))
}

/// Stores `encounters` and scrubs them, with every stored visit of their patients, against
/// `context`, as one intake of one chunk; see the module docs. `received` is each record's
/// text as the sender wrote it, index for index (empty when the caller has none).
pub async fn intake(
    store: &Store,
    engine: &Engine,
    context: &ContextData,
    encounters: &[Encounter],
    received: &[String],
) -> Result<IntakeReport, IntakeError> {
    let intake = Intake::begin(store, engine).await?;
    intake_into(intake, context, encounters, received).await
}

/// As [`intake`], with the patients' history taken from `cache` where it can be, and what it
/// reads and writes kept there (see [`HistoryCache`]): for a process that takes in week
/// after week into one store.
pub async fn intake_with_cache(
    store: &Store,
    engine: &Engine,
    cache: &mut HistoryCache,
    context: &ContextData,
    encounters: &[Encounter],
) -> Result<IntakeReport, IntakeError> {
    let intake = Intake::begin(store, engine).await?.with_cache(cache);
    intake_into(intake, context, encounters, &[]).await
}

async fn intake_into(
    mut intake: Intake<'_>,
    context: &ContextData,
    encounters: &[Encounter],
    received: &[String],
) -> Result<IntakeReport, IntakeError> {
    let loaded = intake.load_context(context).await?;
    let arrivals = encounters
        .iter()
        .enumerate()
        .map(|(index, encounter)| Arrival {
            encounter: encounter.clone(),
            received: received.get(index).cloned(),
            source: None,
        })
        .collect();
    let chunk = intake.add(arrivals).await?;
    let counts = intake.commit(0).await?;
    let as_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok(IntakeReport {
        received: encounters.len(),
        new_encounters: as_usize(counts.new_encounters),
        corrected: as_usize(counts.corrected),
        unchanged: as_usize(counts.unchanged),
        changes: loaded.changes.into_iter().chain(chunk.changes).collect(),
        billed_unchanged: loaded
            .billed_unchanged
            .into_iter()
            .chain(chunk.billed_unchanged)
            .collect(),
        duplicates: chunk.duplicates,
    })
}

/// Judges timely filing as of `date` on the stored visits not yet billed, as one intake: a
/// visit past its payer's filing limit is moved out of `ready_to_bill` into its hold (and one
/// near it gets the warning), each result stored with the reason, before a claims run picks
/// the ready visits. Billed visits are left as billed.
pub async fn judge_filing(
    store: &Store,
    engine: &Engine,
    date: NaiveDate,
) -> Result<ChunkReport, IntakeError> {
    let unbilled = store.unbilled_within(&Scope::everything()).await?;
    let patients = store.patients_of(&unbilled).await?;
    let mut intake = Intake::begin(store, engine).await?;
    let report = intake.rescrub_for_filing(date, &patients).await?;
    intake.commit(0).await?;
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
        claim_basis: Some(ClaimBasis::of(&result.derivation).to_stored()),
    }
}

/// The columns a version is scoped and filtered by, from the record.
fn filing_of(encounter: &Encounter) -> Filing {
    Filing {
        clinic_id: encounter.administrative.location.clone(),
        rendering_npi: encounter
            .compliance
            .rendering
            .as_ref()
            .map(|r| r.npi.as_str().to_owned()),
        payer_id: Some(encounter.administrative.payer.id.clone()),
        discipline: Some(encounter.discipline.key().to_owned()),
        scheduled_by: encounter.administrative.scheduled_by.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: &str, patient: &str, day: u32) -> StoredEncounter {
        StoredEncounter {
            encounter_id: id.to_owned(),
            version: 1,
            patient_id: patient.to_owned(),
            date_of_service: NaiveDate::from_ymd_opt(2025, 3, day).unwrap_or_default(),
            record: String::new(),
            received: None,
            source: None,
            filing: Filing::default(),
        }
    }

    #[test]
    fn only_patients_with_new_visits_alone_are_compared_from_their_first_new_date() {
        let versions = [
            version("A-2", "A", 12),
            version("A-1", "A", 5),
            version("B-1", "B", 7),
            version("B-0", "B", 3),
        ];
        let arrived: HashMap<String, (i32, bool)> = [
            ("A-2", (1, false)),
            ("A-1", (1, false)),
            ("B-1", (1, false)),
            // A correction may have moved its date: all of B's results are compared.
            ("B-0", (2, true)),
        ]
        .into_iter()
        .map(|(id, arrival)| (id.to_owned(), arrival))
        .collect();
        let first = first_new_dates(&versions, &arrived);
        assert_eq!(first.len(), 1);
        assert_eq!(first.get("A"), NaiveDate::from_ymd_opt(2025, 3, 5).as_ref());
    }
}
