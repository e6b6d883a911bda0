//! One visit from schedule to payment, for the encounter trace page: the appointment it was
//! booked as, the record as stored, its scrub result now (every unit and modifier with its
//! explanation, each finding with its fix and source, the authorization and benefit standing),
//! the history of its results and queue stays, and the claims sent for it with their
//! acknowledgments and adjudications.
//!
//! The lines' explanations are not stored (a result keeps its queue and findings): the
//! patient's stored visits are scrubbed again with their stored context, as a claims run does,
//! so the explanation is the one the claim would be built from.

use chrono::{DateTime, Utc};
use cleanclaim_billing::Engine;
use cleanclaim_scrub::{ScrubOptions, Scrubber};
use cleanclaim_store::{
    ClaimAdjudication, EncounterView, QueueItem, ScheduledVisitRow, ScrubRecord, Store,
};

use crate::schedule::HistoryError;
use crate::stored::{context_of, parse_all};

/// Everything known of one visit.
#[derive(Debug)]
pub struct EncounterTrace {
    pub view: EncounterView,
    /// The appointments of the patient on the visit's date.
    pub appointments: Vec<ScheduledVisitRow>,
    /// The scrub of the visit now, with its patient's stored history; none when the record
    /// no longer reads.
    pub scrub: Option<TracedScrub>,
    /// Every stored result, oldest first, with the reason it was made.
    pub results: Vec<ScrubRecord>,
    /// Every queue stay, oldest first, with its comments.
    pub stays: Vec<(QueueItem, Vec<Comment>)>,
    /// Every submission of the visit's claim: (interchange control number, frequency).
    pub submissions: Vec<(i64, String)>,
    /// 999 and 277CA verdicts: (source, accepted, detail).
    pub acknowledgments: Vec<(String, bool, String)>,
    pub adjudications: Vec<ClaimAdjudication>,
}

/// A comment on a queue stay: (author, text, when).
pub type Comment = (String, String, DateTime<Utc>);

/// The scrub result in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedScrub {
    pub queue: String,
    pub pack: String,
    pub unit_method: String,
    pub place_of_service: String,
    pub lines: Vec<TracedLine>,
    pub findings: Vec<TracedFinding>,
    pub authorization: Option<String>,
    pub benefits: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedLine {
    pub code: String,
    pub units: u32,
    pub modifiers: Vec<String>,
    pub minutes: Option<u32>,
    pub charge_cents: Option<i64>,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedFinding {
    pub rule: String,
    pub severity: String,
    pub queue: String,
    pub message: String,
    pub fix: String,
    pub source: String,
}

/// The trace of a stored encounter; none when no encounter has the id. The caller checks the
/// caller's scope against `view` before showing anything.
pub async fn encounter_trace(
    store: &Store,
    engine: &Engine,
    encounter_id: &str,
) -> Result<Option<EncounterTrace>, HistoryError> {
    let Some(view) = store.encounter_view(encounter_id).await? else {
        return Ok(None);
    };
    let patients = [view.patient_id.clone()];
    let appointments = store
        .scheduled_visits_of(&view.patient_id)
        .await?
        .into_iter()
        .filter(|appointment| appointment.date_of_service == view.date_of_service)
        .collect();
    let scrub = scrub_now(store, engine, &patients, encounter_id).await?;
    let mut stays = Vec::new();
    for stay in store.queue_history(encounter_id).await? {
        let comments = store.queue_comments(stay.id).await?;
        stays.push((stay, comments));
    }
    Ok(Some(EncounterTrace {
        results: store.results_of(encounter_id).await?,
        submissions: store.submissions_of(encounter_id).await?,
        acknowledgments: store.acknowledgments_of(encounter_id).await?,
        adjudications: store.adjudications_of(encounter_id).await?,
        view,
        appointments,
        scrub,
        stays,
    }))
}

/// The visit's result when its patient's stored visits are scrubbed again now.
async fn scrub_now(
    store: &Store,
    engine: &Engine,
    patients: &[String],
    encounter_id: &str,
) -> Result<Option<TracedScrub>, HistoryError> {
    let Ok(visits) = parse_all(&store.latest_encounters_of(patients).await?) else {
        return Ok(None);
    };
    let context = context_of(store.latest_context_of(patients).await?)?;
    let mut scrubber = Scrubber::new(engine, context, ScrubOptions::default());
    let results = scrubber.scrub_batch(&visits);
    let Some(result) = results.iter().find(|r| r.encounter_id == encounter_id) else {
        return Ok(None);
    };
    let derivation = &result.derivation;
    Ok(Some(TracedScrub {
        queue: result.queue.name().to_owned(),
        pack: format!("{} {}", result.pack.id, result.pack.version),
        unit_method: derivation.unit_method.name().to_owned(),
        place_of_service: derivation.place_of_service.to_string(),
        lines: derivation
            .lines
            .iter()
            .map(|line| TracedLine {
                code: line.code.to_string(),
                units: line.units,
                modifiers: line.modifier_codes().map(|m| m.to_string()).collect(),
                minutes: line.own_minutes(),
                charge_cents: line.charge.map(|c| c.0),
                explanation: line.explanation(),
            })
            .collect(),
        findings: result
            .findings
            .iter()
            .map(|finding| TracedFinding {
                rule: finding.rule.id.to_string(),
                severity: finding.severity.name().to_owned(),
                queue: finding.rule.queue.name().to_owned(),
                message: finding.message.clone(),
                fix: finding.rule.fix.to_string(),
                source: finding.rule.source.to_string(),
            })
            .collect(),
        authorization: result.authorization.as_ref().map(ToString::to_string),
        benefits: result.benefits.as_ref().map(ToString::to_string),
    }))
}
