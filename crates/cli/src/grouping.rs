//! Putting a large input's records in patient groups, in bounded memory, for an intake that
//! takes a chunk of whole patients at a time.
//!
//! An input grouped by patient (each patient's records together, as EMR exports by patient and
//! our generator write them) streams straight through: a chunk is handed over as soon as it
//! holds enough whole patients. At the first record of a patient whose group already ended,
//! the input is not grouped: the rest is sorted by patient, date and id in runs that spill to
//! temporary files and are merged back in order, so memory holds one run. A patient of the
//! streamed part that shows up again in the rest is scrubbed again with everything stored so
//! far, which the intake handles (see `cleanclaim_app::intake`).
//!
//! The spilled runs hold whole records (PHI): `tempfile::tempfile` makes each file readable by
//! its owner only and unlinks it at once, so nothing is left behind, even after a crash.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::io::{self, BufRead, Write};

use anyhow::Context;
use cleanclaim_app::Arrival;
use cleanclaim_model::{Encounter, parse_encounter};

use crate::spill::{Sorter, Spill, read_string, read_u64, truncated, write_bytes};

/// Bytes of record text held in memory before a sorted run is spilled.
const RUN_BYTES: usize = 64 << 20;

/// A record waiting for its place.
#[derive(Debug)]
struct Spilled {
    patient: String,
    date: String,
    id: String,
    ordinal: u64,
    source: String,
    raw: String,
}

impl Spilled {
    fn key(&self) -> (&str, &str, &str, u64) {
        (&self.patient, &self.date, &self.id, self.ordinal)
    }
}

// Ordered by key alone: the ordinal makes every key unique.
impl PartialEq for Spilled {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Spilled {}
impl PartialOrd for Spilled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Spilled {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl Spill for Spilled {
    fn weight(&self) -> usize {
        self.raw.len() + self.source.len() + 64
    }

    fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        for field in [&self.patient, &self.date, &self.id, &self.source, &self.raw] {
            write_bytes(out, field.as_bytes())?;
        }
        out.write_all(&self.ordinal.to_le_bytes())
    }

    fn read_from(input: &mut impl BufRead) -> io::Result<Option<Self>> {
        let Some(patient) = read_string(input)? else {
            return Ok(None);
        };
        let mut next = || read_string(input)?.ok_or_else(truncated);
        Ok(Some(Self {
            patient,
            date: next()?,
            id: next()?,
            source: next()?,
            raw: next()?,
            ordinal: read_u64(input)?,
        }))
    }
}

enum Mode {
    /// Grouped so far: records go straight into chunks.
    Streaming {
        /// Patients whose group has ended (hashed: memory grows with patients, not records;
        /// a collision only sorts an input that did not need it).
        closed: HashSet<u64>,
        last_patient: Option<String>,
    },
    /// Not grouped: records go into sorted runs.
    Sorting(Sorter<Spilled>),
}

/// Takes records in input order and hands `emit` chunks of whole patients.
pub struct Grouper<F> {
    mode: Mode,
    /// Records per chunk (whole patients, so a chunk may hold more).
    chunk_records: usize,
    /// Bytes of record text per sorted run.
    run_limit: usize,
    chunk: Vec<Arrival>,
    ordinal: u64,
    hasher: RandomState,
    emit: F,
}

impl<F> std::fmt::Debug for Grouper<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grouper")
            .field("chunk", &self.chunk.len())
            .field("ordinal", &self.ordinal)
            .finish_non_exhaustive()
    }
}

impl<F: FnMut(Vec<Arrival>) -> anyhow::Result<()>> Grouper<F> {
    pub fn new(chunk_records: usize, emit: F) -> Self {
        Self {
            chunk_records,
            run_limit: RUN_BYTES,
            mode: Mode::Streaming {
                closed: HashSet::new(),
                last_patient: None,
            },
            chunk: Vec::new(),
            ordinal: 0,
            hasher: RandomState::new(),
            emit,
        }
    }

    /// Takes one record: its encounter, its text as received and where it came from.
    pub fn push(
        &mut self,
        encounter: Encounter,
        raw: String,
        source: String,
    ) -> anyhow::Result<()> {
        self.ordinal += 1;
        if let Mode::Streaming {
            closed,
            last_patient,
        } = &mut self.mode
        {
            let patient = encounter.patient.id.as_str();
            if last_patient.as_deref() != Some(patient) {
                let hash = self.hasher.hash_one(patient);
                if closed.contains(&hash) {
                    // Not grouped after all: hand over what streamed, sort the rest.
                    self.mode = Mode::Sorting(Sorter::new(self.run_limit));
                    self.flush()?;
                } else {
                    if let Some(ended) = last_patient.replace(patient.to_owned()) {
                        closed.insert(self.hasher.hash_one(ended.as_str()));
                        if self.chunk.len() >= self.chunk_records {
                            self.flush()?;
                        }
                    }
                    self.chunk.push(arrival(encounter, raw, source));
                    return Ok(());
                }
            } else {
                self.chunk.push(arrival(encounter, raw, source));
                return Ok(());
            }
        }
        if let Mode::Sorting(sorter) = &mut self.mode {
            sorter
                .push(Spilled {
                    patient: encounter.patient.id,
                    date: encounter.date_of_service.to_string(),
                    id: encounter.id,
                    ordinal: self.ordinal,
                    source,
                    raw,
                })
                .context("cannot write the temporary file that sorts the input")?;
        }
        Ok(())
    }

    /// Hands over everything left, in patient groups.
    pub fn finish(mut self) -> anyhow::Result<()> {
        let mode = std::mem::replace(
            &mut self.mode,
            Mode::Streaming {
                closed: HashSet::new(),
                last_patient: None,
            },
        );
        if let Mode::Sorting(sorter) = mode {
            let mut last_patient: Option<String> = None;
            for record in sorter
                .finish()
                .context("cannot write the temporary file that sorts the input")?
            {
                let record =
                    record.context("cannot read the temporary file that sorts the input")?;
                if last_patient.as_deref() != Some(record.patient.as_str()) {
                    if self.chunk.len() >= self.chunk_records {
                        self.flush()?;
                    }
                    last_patient = Some(record.patient.clone());
                }
                // The record was read once already; reading it again cannot fail unless the
                // temporary file was changed under us.
                let encounter = parse_encounter(&record.raw).with_context(|| {
                    format!(
                        "{}: the record changed while it was being sorted",
                        record.source
                    )
                })?;
                self.chunk
                    .push(arrival(encounter, record.raw, record.source));
            }
        }
        self.flush()
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.chunk);
        (self.emit)(chunk)
    }
}

fn arrival(encounter: Encounter, raw: String, source: String) -> Arrival {
    Arrival {
        encounter,
        received: Some(raw),
        source: Some(source),
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        reason = "tests fail loudly"
    )]

    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use cleanclaim_synth::Generator;

    use super::*;

    /// Runs `records` through a grouper; the chunks it handed over, as (patient, id, source).
    fn group(
        records: &[Encounter],
        chunk_records: usize,
        run_limit: usize,
    ) -> Vec<Vec<(String, String, String)>> {
        let chunks = RefCell::new(Vec::new());
        let mut grouper = Grouper::new(chunk_records, |chunk: Vec<Arrival>| {
            chunks.borrow_mut().push(
                chunk
                    .into_iter()
                    .map(|a| {
                        assert_eq!(
                            a.received.as_deref(),
                            Some(serde_json::to_string(&a.encounter).unwrap().as_str())
                        );
                        (a.encounter.patient.id, a.encounter.id, a.source.unwrap())
                    })
                    .collect(),
            );
            Ok(())
        });
        grouper.run_limit = run_limit;
        for (line, encounter) in records.iter().enumerate() {
            let raw = serde_json::to_string(encounter).unwrap();
            grouper
                .push(encounter.clone(), raw, format!("in:{}", line + 1))
                .unwrap();
        }
        grouper.finish().unwrap();
        chunks.into_inner()
    }

    #[test]
    fn a_grouped_input_streams_in_chunks_of_whole_patients_in_input_order() {
        let records: Vec<Encounter> = Generator::new(3).take(400).collect();
        let chunks = group(&records, 50, RUN_BYTES);
        assert!(chunks.len() > 3, "{} chunks", chunks.len());
        let flat: Vec<&(String, String, String)> = chunks.iter().flatten().collect();
        let ids: Vec<&str> = flat.iter().map(|(_, id, _)| id.as_str()).collect();
        let expected: Vec<&str> = records.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, expected);
        // No patient is split between chunks.
        let mut chunk_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, chunk) in chunks.iter().enumerate() {
            for (patient, _, _) in chunk {
                assert_eq!(
                    *chunk_of.entry(patient).or_insert(index),
                    index,
                    "{patient}"
                );
            }
        }
    }

    #[test]
    fn an_ungrouped_input_is_sorted_through_spilled_runs_without_losing_a_record() {
        let mut records: Vec<Encounter> = Generator::new(4).take(600).collect();
        // Deal the records out like cards: every patient is spread over the input.
        records.sort_by_key(|e| (e.date_of_service, e.id.clone()));
        // Runs of about 20 records each: many spills, many-way merge.
        let chunks = group(&records, 40, 20 * 1_700);
        let flat: Vec<&(String, String, String)> = chunks.iter().flatten().collect();
        assert_eq!(flat.len(), records.len());
        let mut sources: Vec<&str> = flat.iter().map(|(_, _, s)| s.as_str()).collect();
        sources.sort_unstable();
        sources.dedup();
        assert_eq!(sources.len(), records.len(), "a record was lost or doubled");
        // The first record streamed before the disorder showed; after it, each patient is in
        // one chunk, its records by date and id.
        let sorted = &chunks[1..];
        let mut chunk_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, chunk) in sorted.iter().enumerate() {
            for (patient, _, _) in chunk {
                assert_eq!(
                    *chunk_of.entry(patient).or_insert(index),
                    index,
                    "{patient}"
                );
            }
        }
        let by_id: BTreeMap<&str, &Encounter> =
            records.iter().map(|e| (e.id.as_str(), e)).collect();
        let keys: Vec<(String, chrono::NaiveDate, String)> = sorted
            .iter()
            .flatten()
            .map(|(p, id, _)| (p.clone(), by_id[id.as_str()].date_of_service, id.clone()))
            .collect();
        let mut in_order = keys.clone();
        in_order.sort();
        assert_eq!(keys, in_order);
    }
}
