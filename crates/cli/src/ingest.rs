//! `cleanclaim ingest`: store encounters and scrub them against the stored history (see
//! `cleanclaim_app::intake`), then print what changed: each result stored, with its queue and
//! why it was made.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use cleanclaim_app::intake;
use cleanclaim_billing::Queue;

use crate::Outcome;
use crate::input;
use crate::setup::{self, DatabaseArgs};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Encounter files (JSON object, array or NDJSON); `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
    /// A folder of rule packs that replace or add to the built-in ones.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// A folder of context records (plans_of_care.json, authorizations.json,
    /// prior_usage.json), the same for every intake.
    #[arg(long)]
    context: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub fn run(args: &IngestArgs) -> anyhow::Result<Outcome> {
    let engine = setup::engine(args.rules.as_deref(), None, None)?;
    let context = setup::context(args.context.as_deref())?;
    let batch = input::read_batch_as_received(&args.files)?;
    let (runtime, store) = setup::store(&args.database)?;
    let report = runtime.block_on(intake(
        &store,
        &engine,
        &context,
        &batch.encounters,
        &batch.raws,
    ))?;

    let mut out = crate::output::stdout();
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
    out.flush()?;
    eprintln!(
        "{} record(s): {} new, {} corrected, {} unchanged, {} rejected; {} result(s) stored",
        report.received as u64 + batch.rejected,
        report.new_encounters,
        report.corrected,
        report.unchanged,
        batch.rejected,
        report.changes.len()
    );
    let held = report.changes.iter().any(|c| c.queue != Queue::ReadyToBill)
        || !report.billed_unchanged.is_empty();
    Ok(if batch.rejected > 0 {
        Outcome::BadInput
    } else if held {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
