//! `cleanclaim generate`: synthetic encounters as NDJSON, or as the HL7 DFT^P03 messages an
//! EMR would send for them (with the channel files that read them).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use std::collections::BTreeMap;

use cleanclaim_emr::{ChannelBuilder, Sender, dft_for};
use cleanclaim_synth::Generator;

use crate::Outcome;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many encounters to write.
    #[arg(long, default_value_t = 100)]
    encounters: u64,
    /// Seed: the same seed always gives the same encounters.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// `json` (NDJSON in the native format) or `hl7` (one DFT^P03 per encounter, as the
    /// sending application SYNTH with the clinic as the facility).
    #[arg(long, default_value = "json")]
    format: Format,
    /// With `--format hl7`: write a channel file per clinic into this folder, reading the
    /// messages written (every payer and clinician they name).
    #[arg(long, requires = "format")]
    channels: Option<PathBuf>,
    /// With `--format hl7`: write the plans of care the messages cannot carry as a context
    /// folder (`plans_of_care.json`) for `cleanclaim ingest --context`.
    #[arg(long, requires = "format")]
    context: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Hl7,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<Outcome> {
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    if (args.channels.is_some() || args.context.is_some()) && args.format != Format::Hl7 {
        anyhow::bail!("--channels and --context go with --format hl7");
    }
    let mut plans: BTreeMap<(String, String, String), serde_json::Value> = BTreeMap::new();
    let mut out = BufWriter::with_capacity(1 << 16, sink);
    let mut channels: BTreeMap<String, ChannelBuilder> = BTreeMap::new();
    let timestamp = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    for (n, encounter) in Generator::new(args.seed)
        .take(usize::try_from(args.encounters).unwrap_or(usize::MAX))
        .enumerate()
    {
        match args.format {
            Format::Json => {
                serde_json::to_writer(&mut out, &encounter)?;
                out.write_all(b"\n")?;
            }
            Format::Hl7 => {
                let clinic = encounter
                    .administrative
                    .location
                    .clone()
                    .unwrap_or_default();
                let sender = Sender {
                    application: "SYNTH".into(),
                    facility: clinic.to_uppercase(),
                };
                let control = format!("S{}-{n:08}", args.seed);
                out.write_all(dft_for(&encounter, &sender, &control, &timestamp).as_bytes())?;
                out.write_all(b"\n")?;
                if args.channels.is_some() {
                    channels.entry(clinic).or_default().add(&encounter);
                }
                if let (Some(_), Some(plan)) = (&args.context, &encounter.compliance.plan_of_care) {
                    let key = (
                        encounter.patient.id.clone(),
                        plan.discipline.label().to_owned(),
                        plan.certification_start.to_string(),
                    );
                    let plan = serde_json::to_value(plan)?;
                    plans.entry(key).or_insert_with(|| serde_json::json!({"patient_id": encounter.patient.id, "plan_of_care": plan}));
                }
            }
        }
    }
    out.flush()?;
    if let Some(folder) = &args.channels {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create `{}`", folder.display()))?;
        for (clinic, builder) in &channels {
            let sender = Sender {
                application: "SYNTH".into(),
                facility: clinic.to_uppercase(),
            };
            let path = folder.join(format!("synth-{clinic}.toml"));
            std::fs::write(
                &path,
                builder.toml(&format!("synth-{clinic}"), &sender, clinic),
            )
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
    }
    if let Some(folder) = &args.context {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create `{}`", folder.display()))?;
        let path = folder.join("plans_of_care.json");
        let plans: Vec<&serde_json::Value> = plans.values().collect();
        std::fs::write(&path, serde_json::to_string_pretty(&plans)?)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(Outcome::Clean)
}
