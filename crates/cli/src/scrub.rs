//! `cleanclaim scrub`: the work queue, billed lines and findings of each encounter.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, ValueEnum};
use cleanclaim_billing::UnitMethod;
use cleanclaim_scrub::ScrubOptions;

use crate::Outcome;
use crate::scrub_run::{self, RunSettings};
use crate::setup;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table per encounter.
    Table,
    /// One JSON object per encounter (NDJSON), then one `{"summary": ...}` record.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// CMS total-time ("8-minute") rule: timed minutes pooled across codes.
    #[value(name = "cms_8_minute")]
    Cms8Minute,
    /// AMA CPT per-code midpoint rule: each timed code counted on its own.
    #[value(name = "per_code_midpoint")]
    PerCodeMidpoint,
}

#[derive(Debug, Args)]
pub struct ScrubArgs {
    /// Encounter files (JSON object, array or NDJSON); `-` reads standard input. The batch
    /// is scrubbed in date order per patient; results print in input order. Any size:
    /// what does not fit the sort buffer is sorted through temporary files.
    #[arg(required = true)]
    files: Vec<String>,
    /// Use this rule pack for every encounter instead of the one for its payer
    /// (medicare-part-b, medicare-following, commercial-per-code, medicaid, workers-comp,
    /// or one from --rules).
    #[arg(long)]
    payer: Option<String>,
    /// Override the rule pack's unit method.
    #[arg(long, value_enum)]
    payer_method: Option<MethodArg>,
    /// A folder of rule packs (*.toml) that replace built-in packs of the same id or add
    /// new ones.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// A folder of context records: plans_of_care.json, authorizations.json,
    /// prior_usage.json (each optional).
    #[arg(long)]
    context: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// An NCCI PTP edit file in the CMS practitioner layout (tab-delimited), replacing the
    /// built-in therapy sample.
    #[arg(long)]
    ncci: Option<PathBuf>,
    /// A CMS practitioner services MUE table (CSV), replacing the built-in therapy sample.
    #[arg(long)]
    mue: Option<PathBuf>,
    /// Judge timely filing as of this date (YYYY-MM-DD or `today`): a visit past its
    /// pack's filing limit is held, one near it warned. Without it filing is not judged, so
    /// a re-run gives the same answer whatever the day.
    #[arg(long, value_parser = setup::date_or_today)]
    as_of: Option<chrono::NaiveDate>,
    /// Allowed amounts per code and year (CSV: year,locality,code,modifier,allowed; see
    /// docs/rule-packs.md): the KX threshold counts them instead of billed charges.
    #[arg(long)]
    fee_schedule: Option<PathBuf>,
    /// Do not print the summary line to standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Scrubbing threads (patients are independent, so whole patients go to each); the
    /// output is the same for any number. Defaults to the number of cores.
    #[arg(long, short)]
    jobs: Option<usize>,
    /// MiB of encounters (and of results) held in memory before sorted runs spill to
    /// temporary files: memory stays near twice this whatever the input's size.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=65536))]
    sort_buffer_mb: u64,
}

pub fn run(args: &ScrubArgs) -> anyhow::Result<Outcome> {
    let engine = setup::engine(
        args.rules.as_deref(),
        args.ncci.as_deref(),
        args.mue.as_deref(),
    )?;
    let engine = setup::with_fee_schedule(engine, args.fee_schedule.as_deref())?;
    let context = setup::context(args.context.as_deref())?;
    let pack = match &args.payer {
        Some(id) => match engine.packs().by_id(id) {
            Some(pack) => Some(pack),
            None => {
                let known: Vec<&str> = engine.packs().all().iter().map(|p| p.id.as_str()).collect();
                bail!(
                    "unknown payer pack `{id}`; known packs: {}",
                    known.join(", ")
                );
            }
        },
        None => None,
    };
    let options = ScrubOptions {
        pack,
        unit_method: args.payer_method.map(|m| match m {
            MethodArg::Cms8Minute => UnitMethod::Cms8Minute,
            MethodArg::PerCodeMidpoint => UnitMethod::PerCodeMidpoint,
        }),
        as_of: args.as_of,
    };

    let color = args.format == Format::Table && io::stdout().is_terminal();
    let mut out = crate::output::stdout();
    let settings = RunSettings {
        engine: &engine,
        context,
        options,
        format: args.format,
        color,
        jobs: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        budget: usize::try_from(args.sort_buffer_mb << 20).unwrap_or(usize::MAX),
    };
    let (summary, totals) = scrub_run::run(&args.files, settings, &mut out)?;
    match args.format {
        Format::Table => totals.write_table(&mut out)?,
        Format::Json => totals.write_json(&mut out)?,
    }
    out.flush()?;
    if !args.quiet {
        eprintln!("{summary}");
    }
    Ok(summary.outcome())
}
