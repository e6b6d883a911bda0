//! `cleanclaim scrub`: units, modifiers and findings for each encounter.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use cleanclaim_billing::{Engine, PtpTable, Selection, UnitMethod};

use crate::Outcome;
use crate::input;
use crate::report::{self, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table per encounter.
    Table,
    /// One JSON object per encounter (NDJSON).
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
    /// Encounter files (JSON object, array or NDJSON); `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
    /// Use this payer policy for every encounter instead of the plan type's default
    /// (medicare-part-b, medicare-advantage, commercial-per-code, medicaid, workers-comp).
    #[arg(long)]
    payer: Option<String>,
    /// Override the payer policy's unit method.
    #[arg(long, value_enum)]
    payer_method: Option<MethodArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// An NCCI PTP edit file in the CMS practitioner layout (tab-delimited), replacing the
    /// built-in therapy sample.
    #[arg(long)]
    ncci: Option<PathBuf>,
    /// Do not print the summary line to standard error.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: &ScrubArgs) -> anyhow::Result<Outcome> {
    let mut engine = Engine::builtin().context("built-in reference data is broken")?;
    if let Some(path) = &args.ncci {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        engine = engine.with_ptp(PtpTable::parse(&path.display().to_string(), &bytes)?);
    }
    let policy = match &args.payer {
        Some(id) => match engine.payers().by_id(id) {
            Some(policy) => Some(policy),
            None => {
                let known: Vec<&str> = engine
                    .payers()
                    .all()
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect();
                bail!("unknown payer `{id}`; known payers: {}", known.join(", "));
            }
        },
        None => None,
    };
    let selection = Selection {
        policy,
        unit_method: args.payer_method.map(|m| match m {
            MethodArg::Cms8Minute => UnitMethod::Cms8Minute,
            MethodArg::PerCodeMidpoint => UnitMethod::PerCodeMidpoint,
        }),
    };
    let stdout = io::stdout();
    let color = args.format == Format::Table && stdout.is_terminal();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut summary = Summary::default();
    for name in &args.files {
        input::for_each(name, |item| {
            match item.result {
                Ok(encounter) => {
                    let derivation = engine.derive(&encounter, selection);
                    summary.record(&derivation);
                    match args.format {
                        Format::Table => {
                            report::write_table(&mut out, &encounter, &derivation, color)?
                        }
                        Format::Json => report::write_json(&mut out, &encounter, &derivation)?,
                    }
                }
                Err(err) => {
                    summary.rejected += 1;
                    out.flush()?;
                    eprintln!("{name}:{}: rejected: {err}", item.line);
                }
            }
            Ok(())
        })?;
    }
    out.flush()?;
    if !args.quiet {
        eprintln!("{summary}");
    }
    Ok(summary.outcome())
}
