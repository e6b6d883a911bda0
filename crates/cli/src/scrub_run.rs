//! The `scrub` run over inputs of any size, in bounded memory, on every core.
//!
//! 1. Read: each record is parsed (a bad one is reported and left out), and its text queued
//!    in the order the scrubber needs (patient, date, discipline, id, then input order),
//!    spilling sorted runs to temporary files past a byte budget. Ids are queued apart, to
//!    find a second record with an id already read.
//! 2. Scrub: the queue is read back in that order, a patient's encounters together; whole
//!    patients go to workers, each with its own scrubber (patients share nothing), which
//!    render each result and forget the patient.
//! 3. Write: rendered results are sorted back into input order, through runs again.
//!
//! The output is the same whatever the number of workers or the budget: a test compares
//! them.

use std::io::{self, BufRead, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use chrono::Datelike;
use cleanclaim_billing::Engine;
use cleanclaim_model::{Discipline, Encounter, parse_encounter};
use cleanclaim_scrub::{ContextData, ScrubOptions, Scrubber};

use crate::input::{self, Position};
use crate::report::{self, Summary};
use crate::scrub::Format;
use crate::spill::{Sorter, Spill, read_bytes, read_string, read_u64, truncated, write_bytes};
use crate::totals::Totals;

/// What a run is given besides its inputs.
pub struct RunSettings<'e> {
    pub engine: &'e Engine,
    pub context: ContextData,
    pub options: ScrubOptions<'e>,
    pub format: Format,
    pub color: bool,
    /// Scrubbing workers; 1 scrubs on the calling thread.
    pub jobs: usize,
    /// Bytes each queue holds before it spills a run.
    pub budget: usize,
}

/// Encounters handed to a worker at a time, rounded up to whole patients.
const JOB_ENCOUNTERS: usize = 1024;

/// Scrubs the inputs and writes the results, in input order, to `out`.
pub fn run(
    names: &[String],
    settings: RunSettings<'_>,
    out: &mut impl Write,
) -> anyhow::Result<(Summary, Totals)> {
    let read = read_inputs(names, settings.budget, settings.jobs)?;
    let mut summary = Summary {
        rejected: read.rejected,
        ..Summary::default()
    };
    let mut totals = Totals::new(read.rejected);
    let mut rendered: Sorter<Rendered> = Sorter::new(settings.budget);
    let tallies = scrub_queue(read.queue, &read.duplicates, &settings, &mut rendered)?;
    for (worker_summary, worker_totals) in tallies {
        summary.merge(&worker_summary);
        totals.merge(worker_totals);
    }
    for record in rendered.finish()? {
        out.write_all(&record?.bytes)?;
    }
    Ok((summary, totals))
}

/// An encounter read and checked, waiting for its patient's turn. Fields compare in the
/// order the scrubber takes a batch, then input order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    patient: String,
    date: i32,
    discipline: u8,
    id: String,
    seq: u64,
    raw: String,
}

impl Pending {
    fn new(seq: u64, encounter: &Encounter, raw: String) -> Self {
        Self {
            patient: encounter.patient.id.clone(),
            date: encounter.date_of_service.num_days_from_ce(),
            discipline: match encounter.discipline {
                Discipline::Pt => 0,
                Discipline::Ot => 1,
                Discipline::Slp => 2,
            },
            id: encounter.id.clone(),
            seq,
            raw,
        }
    }
}

impl Spill for Pending {
    fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        write_bytes(out, self.patient.as_bytes())?;
        out.write_all(&self.date.to_le_bytes())?;
        out.write_all(&[self.discipline])?;
        write_bytes(out, self.id.as_bytes())?;
        out.write_all(&self.seq.to_le_bytes())?;
        write_bytes(out, self.raw.as_bytes())
    }

    fn read_from(input: &mut impl BufRead) -> io::Result<Option<Self>> {
        let Some(patient) = read_string(input)? else {
            return Ok(None);
        };
        let mut date = [0; 4];
        input.read_exact(&mut date)?;
        let mut discipline = [0; 1];
        input.read_exact(&mut discipline)?;
        let id = read_string(input)?.ok_or_else(truncated)?;
        let seq = read_u64(input)?;
        let raw = read_string(input)?.ok_or_else(truncated)?;
        Ok(Some(Self {
            patient,
            date: i32::from_le_bytes(date),
            discipline: discipline[0],
            id,
            seq,
            raw,
        }))
    }

    fn weight(&self) -> usize {
        self.raw.len() + self.patient.len() + self.id.len() + 64
    }
}

/// Where an encounter id was read, to find ids read twice.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    id: String,
    seq: u64,
    input: u64,
    line: u64,
}

impl Spill for Seen {
    fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        write_bytes(out, self.id.as_bytes())?;
        for number in [self.seq, self.input, self.line] {
            out.write_all(&number.to_le_bytes())?;
        }
        Ok(())
    }

    fn read_from(input: &mut impl BufRead) -> io::Result<Option<Self>> {
        let Some(id) = read_string(input)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            id,
            seq: read_u64(input)?,
            input: read_u64(input)?,
            line: read_u64(input)?,
        }))
    }

    fn weight(&self) -> usize {
        self.id.len() + 48
    }
}

/// One encounter's output, put back in input order at the end.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rendered {
    seq: u64,
    bytes: Vec<u8>,
}

impl Spill for Rendered {
    fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&self.seq.to_le_bytes())?;
        write_bytes(out, &self.bytes)
    }

    fn read_from(input: &mut impl BufRead) -> io::Result<Option<Self>> {
        if input.fill_buf()?.is_empty() {
            return Ok(None);
        }
        let seq = read_u64(input)?;
        let bytes = read_bytes(input)?.ok_or_else(truncated)?;
        Ok(Some(Self { seq, bytes }))
    }

    fn weight(&self) -> usize {
        self.bytes.len() + 32
    }
}

struct Read {
    queue: Sorter<Pending>,
    /// Input positions (`seq`) of records whose id an earlier record used, in order.
    duplicates: Vec<u64>,
    rejected: u64,
}

/// Records parsed together on the workers while reading.
const PARSE_BATCH: usize = 4096;

/// Step 1: parses every record, reports the bad ones, queues the good ones and finds ids
/// read twice (reported after the inputs are read, in input order).
fn read_inputs(names: &[String], budget: usize, jobs: usize) -> anyhow::Result<Read> {
    let mut queue: Sorter<Pending> = Sorter::new(budget);
    let mut ids: Sorter<Seen> = Sorter::new(budget / 8);
    let mut rejected = 0u64;
    let mut seq = 0u64;
    for (input_no, name) in names.iter().enumerate() {
        let mut take = |items: Vec<input::Item>| -> anyhow::Result<()> {
            for item in items {
                seq += 1;
                match item.result {
                    Ok(encounter) => {
                        ids.push(Seen {
                            id: encounter.id.clone(),
                            seq,
                            input: input_no as u64,
                            line: item.line as u64,
                        })?;
                        queue.push(Pending::new(seq, &encounter, item.raw))?;
                    }
                    Err(err) => {
                        rejected += 1;
                        let position = Position {
                            input: name.clone(),
                            line: item.line,
                        };
                        eprintln!("{position}: rejected: {err}");
                    }
                }
            }
            Ok(())
        };
        let mut batch: Vec<input::RawItem> = Vec::with_capacity(PARSE_BATCH);
        input::for_each_raw(name, |item| {
            batch.push(item);
            if batch.len() >= PARSE_BATCH {
                take(parse_all(std::mem::take(&mut batch), jobs))?;
            }
            Ok(())
        })?;
        take(parse_all(batch, jobs))?;
    }
    let mut duplicates: Vec<(u64, String)> = Vec::new();
    let mut first: Option<Seen> = None;
    for seen in ids.finish()? {
        let seen = seen?;
        match &first {
            Some(kept) if kept.id == seen.id => {
                let at = |record: &Seen| Position {
                    input: usize::try_from(record.input)
                        .ok()
                        .and_then(|n| names.get(n))
                        .cloned()
                        .unwrap_or_default(),
                    line: usize::try_from(record.line).unwrap_or_default(),
                };
                duplicates.push((
                    seen.seq,
                    input::duplicate_id(&at(&seen), &seen.id, &at(kept).to_string()),
                ));
            }
            _ => first = Some(seen),
        }
    }
    duplicates.sort_unstable();
    for (_, message) in &duplicates {
        eprintln!("{message}");
    }
    rejected += duplicates.len() as u64;
    Ok(Read {
        queue,
        duplicates: duplicates.into_iter().map(|(seq, _)| seq).collect(),
        rejected,
    })
}

/// Parses a batch on up to `jobs` threads, keeping its order.
fn parse_all(batch: Vec<input::RawItem>, jobs: usize) -> Vec<input::Item> {
    if jobs <= 1 || batch.len() < 2 {
        return batch.into_iter().map(input::RawItem::parse).collect();
    }
    let per_thread = batch.len().div_ceil(jobs);
    let mut parts: Vec<Vec<input::RawItem>> = Vec::with_capacity(jobs);
    let mut rest = batch;
    while rest.len() > per_thread {
        let tail = rest.split_off(per_thread);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.into_iter()
                        .map(input::RawItem::parse)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Whole patients, in queue order.
type Job = Vec<Vec<Pending>>;
/// A worker's counts.
type Tally = (Summary, Totals);

/// Step 2: reads the queue back a patient at a time and scrubs whole patients on the
/// workers; their rendered results go to `rendered`.
fn scrub_queue(
    queue: Sorter<Pending>,
    duplicates: &[u64],
    settings: &RunSettings<'_>,
    rendered: &mut Sorter<Rendered>,
) -> anyhow::Result<Vec<Tally>> {
    let mut jobs = Jobs {
        queue: queue.finish()?,
        duplicates,
        carried: None,
    };
    if settings.jobs <= 1 {
        let mut worker = Worker::new(settings);
        while let Some(job) = jobs.next_job()? {
            for record in worker.scrub(job)? {
                rendered.push(record)?;
            }
        }
        return Ok(vec![worker.tally]);
    }
    std::thread::scope(|scope| {
        let (job_sender, job_receiver) = mpsc::sync_channel::<Job>(settings.jobs);
        let job_receiver = Arc::new(Mutex::new(job_receiver));
        // Unbounded: a worker never waits on the reader, which waits on the bounded jobs.
        let (done_sender, done_receiver) = mpsc::channel::<anyhow::Result<Vec<Rendered>>>();
        let workers: Vec<_> = (0..settings.jobs)
            .map(|_| {
                let job_receiver = Arc::clone(&job_receiver);
                let done_sender = done_sender.clone();
                scope.spawn(move || {
                    let mut worker = Worker::new(settings);
                    loop {
                        let job = job_receiver
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .recv();
                        let Ok(job) = job else { break };
                        if done_sender.send(worker.scrub(job)).is_err() {
                            break;
                        }
                    }
                    worker.tally
                })
            })
            .collect();
        drop(done_sender);
        let mut fed = || -> anyhow::Result<()> {
            while let Some(job) = jobs.next_job()? {
                job_sender
                    .send(job)
                    .map_err(|_| anyhow::anyhow!("a scrub worker stopped"))?;
                while let Ok(done) = done_receiver.try_recv() {
                    for record in done? {
                        rendered.push(record)?;
                    }
                }
            }
            Ok(())
        };
        let fed = fed();
        drop(job_sender);
        for done in done_receiver {
            for record in done? {
                rendered.push(record)?;
            }
        }
        fed?;
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .map_err(|_| anyhow::anyhow!("a scrub worker panicked"))
            })
            .collect()
    })
}

/// Cuts the sorted queue into jobs of whole patients, leaving out ids read twice.
struct Jobs<'d> {
    queue: crate::spill::Sorted<Pending>,
    duplicates: &'d [u64],
    /// The first encounter of the next patient, read while finishing the last one.
    carried: Option<Pending>,
}

impl Jobs<'_> {
    fn next_pending(&mut self) -> anyhow::Result<Option<Pending>> {
        if let Some(pending) = self.carried.take() {
            return Ok(Some(pending));
        }
        for pending in self.queue.by_ref() {
            let pending = pending.context("cannot read back the sorted encounters")?;
            if self.duplicates.binary_search(&pending.seq).is_err() {
                return Ok(Some(pending));
            }
        }
        Ok(None)
    }

    fn next_job(&mut self) -> anyhow::Result<Option<Job>> {
        let mut job: Job = Vec::new();
        let mut count = 0usize;
        while count < JOB_ENCOUNTERS {
            let Some(first) = self.next_pending()? else {
                break;
            };
            let mut patient = vec![first];
            while let Some(next) = self.next_pending()? {
                if patient.first().is_some_and(|f| f.patient == next.patient) {
                    patient.push(next);
                } else {
                    self.carried = Some(next);
                    break;
                }
            }
            count += patient.len();
            job.push(patient);
        }
        Ok((!job.is_empty()).then_some(job))
    }
}

struct Worker<'s, 'e> {
    scrubber: Scrubber<'e>,
    settings: &'s RunSettings<'e>,
    tally: Tally,
}

impl<'s, 'e> Worker<'s, 'e> {
    fn new(settings: &'s RunSettings<'e>) -> Self {
        Self {
            scrubber: Scrubber::new(settings.engine, settings.context.clone(), settings.options),
            settings,
            tally: (Summary::default(), Totals::new(0)),
        }
    }

    fn scrub(&mut self, job: Job) -> anyhow::Result<Vec<Rendered>> {
        let mut out = Vec::with_capacity(job.iter().map(Vec::len).sum());
        for patient in job {
            // Parsed once already when it was read; it parses the same now. The patient's
            // visits are announced before any is scrubbed, so a day's earlier note sees the
            // later one's codes (NCCI pairs across the day).
            let encounters = patient
                .iter()
                .map(|pending| parse_encounter(&pending.raw))
                .collect::<Result<Vec<_>, _>>()
                .context("an encounter read earlier no longer parses")?;
            for encounter in &encounters {
                self.scrubber.expect(encounter);
            }
            for (pending, encounter) in patient.iter().zip(&encounters) {
                let result = self.scrubber.scrub(encounter);
                self.tally.0.record(&result);
                self.tally.1.record(pending.seq, encounter, &result);
                let mut bytes = Vec::with_capacity(2048);
                match self.settings.format {
                    Format::Table => {
                        report::write_table(&mut bytes, encounter, &result, self.settings.color)?;
                    }
                    Format::Json => report::write_json(&mut bytes, encounter, &result)?,
                }
                out.push(Rendered {
                    seq: pending.seq,
                    bytes,
                });
            }
            if let Some(first) = patient.first() {
                self.scrubber.forget_patient(&first.patient);
            }
        }
        Ok(out)
    }
}
