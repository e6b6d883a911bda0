//! `cleanclaim generate`: synthetic encounters as NDJSON.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
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
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<Outcome> {
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, sink);
    for encounter in
        Generator::new(args.seed).take(usize::try_from(args.encounters).unwrap_or(usize::MAX))
    {
        serde_json::to_writer(&mut out, &encounter)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(Outcome::Clean)
}
