//! `cleanclaim ingest`: store encounters and scrub them against the stored history (see
//! `cleanclaim_app::intake`), then print what changed: each result stored, with its queue and
//! why it was made.
//!
//! The inputs are read a record at a time and handed to the intake in chunks of whole patients
//! (see [`crate::grouping`]), so memory does not grow with the input; the intake is still one
//! transaction, committed after the last chunk.

use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use anyhow::Context;
use clap::Args;
use cleanclaim_app::{Arrival, ChunkReport, Intake};
use cleanclaim_billing::Queue;

use crate::Outcome;
use crate::grouping::Grouper;
use crate::input;
use crate::setup::{self, DatabaseArgs};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Encounter files (JSON object, array or NDJSON); `-` reads standard input.
    #[arg(required_unless_present = "context")]
    files: Vec<String>,
    /// A folder of rule packs that replace or add to the built-in ones.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// A folder of context records (plans_of_care.json, authorizations.json,
    /// prior_usage.json) to store first: a record new or changed since the last intake is a
    /// new version, and its patient's stored visits are scrubbed again. Visits are always
    /// scrubbed with the records stored for their patients.
    #[arg(long)]
    context: Option<PathBuf>,
    /// Records handed to the intake at a time (whole patients, so a chunk may hold more):
    /// memory holds a few chunks; larger chunks mean fewer, larger statements.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..))]
    chunk: u32,
    /// Judge timely filing as of this date (YYYY-MM-DD or `today`) in every scrub this intake
    /// makes; without it filing is not judged. Pass it to `claims` as well: a later intake
    /// without it scrubs a patient's visits with filing unjudged again.
    #[arg(long, value_parser = setup::date_or_today)]
    as_of: Option<chrono::NaiveDate>,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub fn run(args: &IngestArgs) -> anyhow::Result<Outcome> {
    let engine = setup::engine(args.rules.as_deref(), None, None)?;
    let context = setup::context(args.context.as_deref())?;
    let (runtime, store) = setup::store(&args.database)?;
    // An error below drops the open intake (its transaction and pooled connection), which
    // sqlx can only do inside the runtime's context: without this a bad input panicked.
    let _in_runtime = runtime.enter();
    let mut intake = runtime.block_on(Intake::begin(&store, &engine))?;
    if let Some(date) = args.as_of {
        intake.judge_filing_as_of(date);
    }
    let mut out = crate::output::stdout();
    let loaded = runtime
        .block_on(intake.load_context(&context))
        .context(NOTHING_STORED)?;
    let mut held = print_chunk(&mut out, &loaded)?;
    // Reading and parsing run on a thread of their own, a couple of chunks ahead of the
    // intake, so the two cores parse and scrub-and-store at once.
    let (chunks, arriving) = std::sync::mpsc::sync_channel::<Vec<Arrival>>(2);
    let files = args.files.clone();
    let chunk_records = args.chunk as usize;
    let reader = std::thread::spawn(move || read_inputs(&files, chunk_records, &chunks));
    let mut stored = (|| -> anyhow::Result<()> {
        for chunk in arriving {
            let report = runtime.block_on(intake.add(chunk))?;
            held |= print_chunk(&mut out, &report)?;
        }
        Ok(())
    })();
    // Whatever failed first is the error to report: a reader error ends the chunks, an
    // intake error drops the channel and so stops the reader.
    let unreadable = match reader.join() {
        Ok(Ok(unreadable)) => unreadable,
        Ok(Err(error)) => {
            stored = stored.and(Err(error));
            0
        }
        Err(_) => {
            stored = stored.and(Err(anyhow::anyhow!(
                "the input reader stopped unexpectedly"
            )));
            0
        }
    };
    stored.context(NOTHING_STORED)?;
    let counts = runtime
        .block_on(intake.commit(unreadable))
        .context(NOTHING_STORED)?;
    runtime.block_on(store.close());
    out.flush()?;
    eprintln!(
        "{} record(s): {} new, {} corrected, {} unchanged, {} rejected; {} context record(s) stored; {} result(s) stored",
        counts.records,
        counts.new_encounters,
        counts.corrected,
        counts.unchanged,
        counts.rejected,
        counts.context_records,
        counts.results
    );
    Ok(if counts.rejected > 0 {
        Outcome::BadInput
    } else if held {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

const NOTHING_STORED: &str =
    "nothing of this intake was stored (any results printed above were not kept)";

/// Reads every input a record at a time into chunks of whole patients for `chunks`; how many
/// records could not be read (each reported on standard error).
fn read_inputs(
    files: &[String],
    chunk_records: usize,
    chunks: &SyncSender<Vec<Arrival>>,
) -> anyhow::Result<u64> {
    let mut unreadable: u64 = 0;
    let mut grouper = Grouper::new(chunk_records, |chunk| {
        chunks
            .send(chunk)
            .map_err(|_| anyhow::anyhow!("the intake stopped before the input was read"))
    });
    for name in files {
        input::for_each(name, |item| {
            let source = format!("{name}:{}", item.line);
            match item.result {
                Ok(encounter) => grouper.push(encounter, item.raw, source)?,
                Err(error) => {
                    unreadable += 1;
                    eprintln!("{source}: rejected: {error}");
                }
            }
            Ok(())
        })?;
    }
    grouper.finish()?;
    Ok(unreadable)
}

/// Prints a chunk's results (and on standard error, its duplicates); whether any result was
/// held or a billed visit needs review.
pub(crate) fn print_chunk(out: &mut impl Write, report: &ChunkReport) -> anyhow::Result<bool> {
    for duplicate in &report.duplicates {
        eprintln!(
            "{}: rejected: encounter id `{}` was already read at {}; each visit needs an id of its own (a corrected visit replaces the first in a later run, not in the same intake)",
            duplicate.source.as_deref().unwrap_or("(input)"),
            duplicate.encounter_id,
            duplicate
                .first_source
                .as_deref()
                .unwrap_or("an earlier record")
        );
    }
    for change in &report.changes {
        writeln!(
            out,
            "{:<24} {:<20} {}{}",
            change.encounter_id,
            change.queue.name(),
            change.reason,
            change
                .previous_queue
                .as_deref()
                .filter(|before| *before != change.queue.name())
                .map(|before| format!(" (was {before})"))
                .unwrap_or_default()
        )?;
    }
    for id in &report.billed_unchanged {
        writeln!(
            out,
            "{id:<24} {:<20} billed: the new history would change its result; review it",
            "(billed)"
        )?;
    }
    Ok(report.changes.iter().any(|c| c.queue != Queue::ReadyToBill)
        || !report.billed_unchanged.is_empty())
}
