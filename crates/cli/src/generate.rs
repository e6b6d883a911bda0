//! `cleanclaim generate`: synthetic encounters as NDJSON, or as the HL7 DFT^P03 messages an
//! EMR would send for them (with the channel files that read them).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use std::collections::BTreeMap;

use cleanclaim_emr::{ChannelBuilder, Sender, dft_for};
use cleanclaim_model::Encounter;
use cleanclaim_synth::Generator;

use crate::Outcome;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GenerateArgs {
    #[command(subcommand)]
    what: Option<GenerateCommand>,
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

#[derive(Debug, clap::Subcommand)]
enum GenerateCommand {
    /// A synthetic organization over months, into a folder: clinics and providers, visits in
    /// every format the interfaces read, authorizations, and each defect with its fix.
    Org(crate::generate_org::OrgArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Hl7,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<Outcome> {
    if let Some(GenerateCommand::Org(org)) = &args.what {
        return crate::generate_org::run(org);
    }
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    if (args.channels.is_some() || args.context.is_some()) && args.format != Format::Hl7 {
        anyhow::bail!("--channels and --context go with --format hl7");
    }
    let mut out = BufWriter::with_capacity(1 << 16, sink);
    let mut hl7 = Hl7Writer::new(args.seed);
    for encounter in
        Generator::new(args.seed).take(usize::try_from(args.encounters).unwrap_or(usize::MAX))
    {
        match args.format {
            Format::Json => {
                serde_json::to_writer(&mut out, &encounter)?;
                out.write_all(b"\n")?;
            }
            Format::Hl7 => hl7.write(&mut out, &encounter)?,
        }
    }
    out.flush()?;
    if let Some(folder) = &args.channels {
        hl7.write_channels(folder)?;
    }
    if let Some(folder) = &args.context {
        hl7.write_plans(folder)?;
    }
    Ok(Outcome::Clean)
}

/// Writes encounters as the DFT^P03 messages the sending application SYNTH sends, one per
/// visit with the clinic as the facility, and collects what they cannot carry: the channel
/// file per clinic that reads them, and the plans of care.
pub struct Hl7Writer {
    seed: u64,
    sent: u64,
    timestamp: String,
    channels: BTreeMap<String, ChannelBuilder>,
    plans: BTreeMap<(String, String, String), serde_json::Value>,
}

impl Hl7Writer {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            sent: 0,
            timestamp: chrono::Utc::now().format("%Y%m%d%H%M%S").to_string(),
            channels: BTreeMap::new(),
            plans: BTreeMap::new(),
        }
    }

    pub fn write(&mut self, out: &mut impl Write, encounter: &Encounter) -> anyhow::Result<()> {
        let clinic = encounter
            .administrative
            .location
            .clone()
            .unwrap_or_default();
        let sender = Sender {
            application: "SYNTH".into(),
            facility: clinic.to_uppercase(),
        };
        let control = format!("S{}-{:08}", self.seed, self.sent);
        self.sent += 1;
        out.write_all(dft_for(encounter, &sender, &control, &self.timestamp).as_bytes())?;
        out.write_all(b"\n")?;
        self.channels.entry(clinic).or_default().add(encounter);
        if let Some(plan) = &encounter.compliance.plan_of_care {
            let key = (
                encounter.patient.id.clone(),
                plan.discipline.label().to_owned(),
                plan.certification_start.to_string(),
            );
            let plan = serde_json::to_value(plan)?;
            self.plans.entry(key).or_insert_with(
                || serde_json::json!({"patient_id": encounter.patient.id, "plan_of_care": plan}),
            );
        }
        Ok(())
    }

    /// A channel file per clinic, `synth-CLINIC.toml`, naming every payer and clinician sent.
    pub fn write_channels(&self, folder: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create `{}`", folder.display()))?;
        for (clinic, builder) in &self.channels {
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
        Ok(())
    }

    /// The plans of care as a context folder (`plans_of_care.json`) for `ingest --context`.
    pub fn write_plans(&self, folder: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create `{}`", folder.display()))?;
        let path = folder.join("plans_of_care.json");
        let plans: Vec<&serde_json::Value> = self.plans.values().collect();
        std::fs::write(&path, serde_json::to_string_pretty(&plans)?)
            .with_context(|| format!("cannot write `{}`", path.display()))
    }
}
