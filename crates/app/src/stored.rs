//! Reading stored records back: encounters on every core (the history an intake re-derives
//! and the visits a stored claims run re-scrubs are hundreds of thousands of records, and each
//! parses alone), and the scrubber's context from stored context records.

use cleanclaim_model::{Encounter, EncounterError, parse_encounter};
use cleanclaim_scrub::{ContextData, ContextKind};
use cleanclaim_store::{StoredContext, StoredEncounter};

/// A stored context record that no longer reads.
#[derive(Debug)]
pub(crate) struct UnreadableContext {
    pub key: String,
    pub version: i32,
    pub reason: String,
}

/// The scrubber's context from stored records.
pub(crate) fn context_of(stored: Vec<StoredContext>) -> Result<ContextData, UnreadableContext> {
    let mut context = ContextData::default();
    for record in stored {
        let read = ContextKind::from_name(&record.kind)
            .ok_or_else(|| format!("unknown kind `{}`", record.kind))
            .and_then(|kind| {
                context
                    .add_entry(kind, &record.record)
                    .map_err(|e| e.to_string())
            });
        read.map_err(|reason| UnreadableContext {
            key: record.record_key,
            version: record.version,
            reason,
        })?;
    }
    Ok(context)
}

/// A stored record that no longer reads as an encounter.
#[derive(Debug)]
pub(crate) struct Unreadable {
    pub encounter_id: String,
    pub version: i32,
    pub source: EncounterError,
}

/// Below this many records one thread parses them all: starting threads would cost more.
const PARALLEL_FROM: usize = 2_000;

/// Parses `stored` in order, splitting the work over the machine's cores.
pub(crate) fn parse_all(stored: &[StoredEncounter]) -> Result<Vec<Encounter>, Unreadable> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads == 1 || stored.len() < PARALLEL_FROM {
        return parse_part(stored);
    }
    let per_thread = stored.len().div_ceil(threads);
    let parts: Vec<Result<Vec<Encounter>, Unreadable>> = std::thread::scope(|scope| {
        let handles: Vec<_> = stored
            .chunks(per_thread)
            .map(|part| scope.spawn(move || parse_part(part)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(Unreadable {
                        encounter_id: String::new(),
                        version: 0,
                        source: EncounterError::Json {
                            path: String::new(),
                            reason: "the thread parsing stored records stopped".to_owned(),
                            line: 0,
                        },
                    })
                })
            })
            .collect()
    });
    let mut encounters = Vec::with_capacity(stored.len());
    for part in parts {
        encounters.extend(part?);
    }
    Ok(encounters)
}

fn parse_part(stored: &[StoredEncounter]) -> Result<Vec<Encounter>, Unreadable> {
    stored
        .iter()
        .map(|s| {
            parse_encounter(&s.record).map_err(|source| Unreadable {
                encounter_id: s.encounter_id.clone(),
                version: s.version,
                source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        reason = "tests fail loudly"
    )]

    use cleanclaim_synth::Generator;

    use super::*;

    fn stored(encounters: &[Encounter]) -> Vec<StoredEncounter> {
        encounters
            .iter()
            .map(|e| StoredEncounter {
                encounter_id: e.id.clone(),
                version: 1,
                patient_id: e.patient.id.clone(),
                date_of_service: e.date_of_service,
                record: serde_json::to_string(e).unwrap(),
                received: None,
                source: None,
                filing: cleanclaim_store::Filing::default(),
            })
            .collect()
    }

    #[test]
    fn records_parse_back_in_order_across_threads() {
        let encounters: Vec<Encounter> = Generator::new(8).take(PARALLEL_FROM * 2 + 7).collect();
        assert_eq!(parse_all(&stored(&encounters)).unwrap(), encounters);
    }

    #[test]
    fn an_unreadable_record_is_named() {
        let encounters: Vec<Encounter> = Generator::new(8).take(PARALLEL_FROM * 2).collect();
        let mut rows = stored(&encounters);
        rows[PARALLEL_FROM + 3].record = "{\"id\": 1}".to_owned();
        let error = parse_all(&rows).unwrap_err();
        assert_eq!(error.encounter_id, encounters[PARALLEL_FROM + 3].id);
    }
}
