//! `cleanclaim simulate payer`: a payer's answers to an 837P we wrote (999, 277CA, 835), by the
//! simulator's rules, remembering what it adjudicated in `payer-state.json` in the output
//! folder so that a later file sees duplicates and this year's deductibles.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use cleanclaim_payer::{PayerState, Rules, simulate};

use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum SimulateCommand {
    /// Answer an 837P as a payer would: writes NAME.999, NAME.277 and NAME.835 into --out.
    Payer(PayerArgs),
}

#[derive(Debug, Args)]
pub struct PayerArgs {
    /// The 837P to answer.
    #[arg(long = "in")]
    input: PathBuf,
    /// The folder for the answers (and the payer's memory, payer-state.json).
    #[arg(long)]
    out: PathBuf,
    /// The payer's rules (TOML; see crates/payer/data/payer-rules.toml, the built-in ones).
    #[arg(long)]
    rules: Option<PathBuf>,
    /// The payer's date (YYYY-MM-DD): timely filing is counted to it. Default: today.
    #[arg(long)]
    date: Option<NaiveDate>,
}

pub fn run(command: &SimulateCommand) -> anyhow::Result<Outcome> {
    let SimulateCommand::Payer(args) = command;
    let rules = match &args.rules {
        Some(path) => {
            let text = crate::files::read_text(path, "payer rules", crate::files::SMALL)?;
            Rules::from_toml(&text, &path.display().to_string())?
        }
        None => Rules::builtin()?,
    };
    let text = crate::files::read_text(&args.input, "837P", crate::files::RECORDS)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create `{}`", args.out.display()))?;
    let state_path = args.out.join("payer-state.json");
    let mut state: PayerState = if state_path.exists() {
        let saved = crate::files::read_text(&state_path, "payer state", crate::files::RECORDS)?;
        serde_json::from_str(&saved)
            .with_context(|| format!("{} is not a payer state", state_path.display()))?
    } else {
        PayerState::default()
    };
    let today = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let answers = simulate(&text, &rules, &mut state, today)?;
    let stem = args
        .input
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("claims");
    let write = |extension: &str, body: &str| -> anyhow::Result<PathBuf> {
        let path = args.out.join(format!("{stem}.{extension}"));
        std::fs::write(&path, body)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(path)
    };
    let mut written = vec![write("999", &answers.ack_999)?];
    if let Some(ack) = &answers.ack_277ca {
        written.push(write("277", ack)?);
    }
    if let Some(remit) = &answers.remittance_835 {
        written.push(write("835", remit)?);
    }
    std::fs::write(&state_path, serde_json::to_string(&state)?)
        .with_context(|| format!("cannot write `{}`", state_path.display()))?;
    let s = &answers.summary;
    for path in &written {
        println!("wrote {}", path.display());
    }
    println!(
        "{} claims: {} rejected at the front end, {} paid ({}), {} denied",
        s.claims, s.rejected_front_end, s.paid, s.paid_cents, s.denied
    );
    Ok(if answers.ack_277ca.is_none() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
