//! `cleanclaim schedule check`: the appointments in the context folder's `schedule.json` (or,
//! with `--stored`, the booked SIU appointments the store keeps) that would fall outside their
//! authorization (beyond its visits or units, after its end, denied, a code outside its group,
//! none on file where the payer requires one) or over the plan's annual or lifetime visit
//! limit, so the front desk acts before the patient is seen.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use cleanclaim_scrub::{ScheduleProblem, check_schedule};
use serde::Serialize;

use crate::Outcome;
use crate::setup;

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// List the scheduled visits that would not be billable as things stand.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The context folder: schedule.json, with authorizations.json and prior_usage.json.
    /// With --stored it may be left out: the appointments are then those the store keeps
    /// from SIU messages.
    #[arg(long, required_unless_present = "stored")]
    context: Option<PathBuf>,
    /// Rule packs replacing or extending the built-in ones (they say which payers require
    /// authorization and their limits).
    #[arg(long)]
    rules: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Start from the store: the appointments' patients' stored visits are scrubbed with
    /// their stored context records (authorizations, prior usage) and counted first, and an
    /// appointment whose visit is stored is left out as seen. The folder's schedule.json is
    /// read; its other files are not (load them with `cleanclaim ingest --context`).
    #[arg(long)]
    stored: bool,
    /// With --stored and no --context: the booked SIU appointments from this date
    /// (YYYY-MM-DD or `today`, the default).
    #[arg(long, value_parser = setup::date_or_today, requires = "stored", conflicts_with = "context")]
    from: Option<chrono::NaiveDate>,
    #[command(flatten)]
    database: setup::DatabaseArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    #[serde(flatten)]
    problem: &'a ScheduleProblem,
    message: String,
}

pub fn run(command: &ScheduleCommand) -> anyhow::Result<Outcome> {
    let ScheduleCommand::Check(args) = command;
    let engine = setup::engine(args.rules.as_deref(), None, None)?;
    let context = setup::context(args.context.as_deref())?;
    let folder = args.context.as_deref().map(|dir| dir.display().to_string());
    if let Some(folder) = &folder
        && context.schedule.is_empty()
    {
        bail!("`{folder}` holds no appointments: put them in schedule.json");
    }
    if let Some(folder) = &folder
        && args.stored
        && (!context.authorizations.is_empty()
            || !context.usage.is_empty()
            || !context.plans.is_empty())
    {
        bail!(
            "--stored starts from the context records in the store; load the folder's other files with `cleanclaim ingest --context {folder}` first (only schedule.json is read with --stored)"
        );
    }
    let (problems, appointments) = if args.stored {
        let (runtime, store) = setup::store(&args.database)?;
        let schedule = if folder.is_some() {
            context.schedule
        } else {
            let from = args
                .from
                .unwrap_or_else(|| chrono::Local::now().date_naive());
            let (placed, unplaced) =
                runtime.block_on(cleanclaim_app::stored_appointments(&store, from))?;
            for appointment in &unplaced {
                eprintln!(
                    "appointment {} ({}, {}): not checked: {}",
                    appointment.appointment_id,
                    appointment.patient_id,
                    appointment.date,
                    appointment.reason
                );
            }
            placed
        };
        let appointments = schedule.len();
        let problems = runtime.block_on(cleanclaim_app::check_schedule_stored(
            &store, &engine, schedule,
        ))?;
        runtime.block_on(store.close());
        (problems, appointments)
    } else {
        let appointments = context.schedule.len();
        (check_schedule(&engine, &context), appointments)
    };
    let mut out = crate::output::stdout();
    match args.format {
        Format::Json => {
            for problem in &problems {
                let line = JsonProblem {
                    problem,
                    message: problem.describe(),
                };
                writeln!(out, "{}", serde_json::to_string(&line)?)?;
            }
        }
        Format::Table => {
            for p in &problems {
                writeln!(
                    out,
                    "{:<14} {}  {:<10} {:<3}  {}",
                    p.appointment_id.as_deref().unwrap_or("-"),
                    p.date,
                    p.patient_id,
                    p.discipline.label(),
                    p.describe()
                )?;
            }
            writeln!(
                out,
                "{} of {} scheduled visit(s) would fall outside their authorization or a benefit limit",
                problems
                    .iter()
                    .map(|p| p.index)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                appointments
            )?;
        }
    }
    out.flush()?;
    Ok(if problems.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
