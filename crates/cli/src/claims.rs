//! `cleanclaim claims`: scrub encounters and write the ready-to-bill ones as an 837P.
//!
//! All or nothing: a rejected record, an encounter that cannot become a claim, data the
//! file cannot carry, or an original this sender already sent stops the run before anything
//! is written. Control numbers come from
//! PostgreSQL so they never repeat; the file is written to a temporary name and renamed only
//! after its claims are recorded.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use cleanclaim_billing::Queue;
use cleanclaim_model::Encounter;
use cleanclaim_scrub::{ScrubOptions, Scrubber};
use cleanclaim_store::{Store, SubmittedClaim};
use cleanclaim_x12::Delimiters;
use cleanclaim_x12::x837::{
    BillingProfile, Claim, ClaimFrequency, WriteOptions, build_claims, transaction_of,
    transactions_needed, write_837p,
};

use crate::Outcome;
use crate::input;
use crate::setup;

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// Encounter files (JSON object, array or NDJSON); `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
    /// Where to write the 837P.
    #[arg(long)]
    out: PathBuf,
    /// The clinic's billing profile (TOML): interchange ids, submitter, receiver, billing
    /// provider, optional service facility. See docs/claims.md.
    #[arg(long)]
    profile: PathBuf,
    /// PostgreSQL holding the control numbers and the record of submitted claims.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// A folder of rule packs that replace or add to the built-in ones.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// A folder of context records (plans_of_care.json, authorizations.json, prior_usage.json).
    #[arg(long)]
    context: Option<PathBuf>,
    /// A line break after each segment (easier to read; some payers refuse it).
    #[arg(long)]
    line_breaks: bool,
    /// Claims to send as replacements or voids: CSV with a header,
    /// `claim_id,frequency,payer_claim_number` (frequency `replacement`/`7` or `void`/`8`).
    /// A blank payer claim number is taken from the latest posted 835 for that claim.
    #[arg(long)]
    resubmissions: Option<PathBuf>,
    /// Send claims this sender already submitted as originals again. Without it such a run
    /// stops: an original sent twice is denied as a duplicate (CARC 18).
    #[arg(long)]
    allow_resend: bool,
}

/// One row of the resubmissions file.
#[derive(Debug, serde::Deserialize)]
struct ResubmissionRow {
    claim_id: String,
    frequency: String,
    #[serde(default)]
    payer_claim_number: String,
}

fn read_resubmissions(
    path: &std::path::Path,
) -> anyhow::Result<Vec<(String, ClaimFrequency, Option<String>)>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for (index, row) in reader.deserialize::<ResubmissionRow>().enumerate() {
        let line = index + 2;
        let row = row.with_context(|| format!("{}:{line}", path.display()))?;
        let frequency = match row.frequency.trim() {
            "replacement" | "7" => ClaimFrequency::Replacement,
            "void" | "8" => ClaimFrequency::Void,
            other => bail!(
                "{}:{line}: frequency `{other}` is not `replacement` (7) or `void` (8)",
                path.display()
            ),
        };
        let number = Some(row.payer_claim_number.trim().to_owned()).filter(|n| !n.is_empty());
        rows.push((row.claim_id.trim().to_owned(), frequency, number));
    }
    Ok(rows)
}

/// Marks replacements and voids, with the payer's claim number from the file or the latest
/// posted remittance; refuses originals this sender already sent unless told to resend.
fn apply_resubmissions(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    sender: &str,
    args: &ClaimsArgs,
    claims: &mut [Claim],
) -> anyhow::Result<()> {
    let rows = match &args.resubmissions {
        Some(path) => read_resubmissions(path)?,
        None => Vec::new(),
    };
    for (claim_id, frequency, number) in rows {
        let Some(claim) = claims.iter_mut().find(|c| c.id == claim_id) else {
            bail!(
                "resubmission of claim {claim_id}: no ready-to-bill encounter in this run becomes that claim; no claims written"
            );
        };
        let number = match number {
            Some(number) => number,
            None => runtime
                .block_on(store.payer_claim_number_of(&claim_id))?
                .with_context(|| {
                    format!(
                        "resubmission of claim {claim_id}: no payer claim number in the file and no posted 835 gives one; no claims written"
                    )
                })?,
        };
        claim.frequency = frequency;
        claim.payer_claim_number = Some(number);
    }
    if args.allow_resend {
        return Ok(());
    }
    let originals: Vec<String> = claims
        .iter()
        .filter(|c| c.frequency == ClaimFrequency::Original)
        .map(|c| c.id.clone())
        .collect();
    let sent = runtime.block_on(store.already_submitted(sender, &originals))?;
    if !sent.is_empty() {
        let shown: Vec<&str> = sent.iter().take(10).map(String::as_str).collect();
        bail!(
            "{} claim(s) were already submitted by {sender} ({}{}): send them as replacements with --resubmissions, or again with --allow-resend; no claims written",
            sent.len(),
            shown.join(", "),
            if sent.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        );
    }
    Ok(())
}

pub fn run(args: &ClaimsArgs) -> anyhow::Result<Outcome> {
    let engine = setup::engine(args.rules.as_deref(), None, None)?;
    let context = setup::context(args.context.as_deref())?;
    let profile_text = std::fs::read_to_string(&args.profile)
        .with_context(|| format!("reading {}", args.profile.display()))?;
    let profile: BillingProfile = toml::from_str(&profile_text)
        .map_err(|e| anyhow::anyhow!("{}: {}", args.profile.display(), e.message()))?;

    let mut encounters: Vec<Encounter> = Vec::new();
    let mut rejected = 0usize;
    for name in &args.files {
        input::for_each(name, |item| {
            match item.result {
                Ok(encounter) => encounters.push(encounter),
                Err(err) => {
                    rejected += 1;
                    eprintln!("{name}:{}: rejected: {err}", item.line);
                }
            }
            Ok(())
        })?;
    }
    if rejected > 0 {
        bail!("{rejected} record(s) rejected; no claims written");
    }

    let mut scrubber = Scrubber::new(&engine, context, ScrubOptions::default());
    let results = scrubber.scrub_batch(&encounters);
    let mut claims = Vec::new();
    let mut held: Vec<(Queue, usize)> = Vec::new();
    let mut failures = Vec::new();
    for (encounter, result) in encounters.iter().zip(&results) {
        if result.queue != Queue::ReadyToBill {
            match held.iter_mut().find(|(q, _)| *q == result.queue) {
                Some((_, n)) => *n += 1,
                None => held.push((result.queue, 1)),
            }
            continue;
        }
        match build_claims(encounter, &result.derivation, None) {
            Ok(built) => claims.extend(built),
            Err(err) => failures.push(err),
        }
    }
    for failure in &failures {
        eprintln!("cleanclaim: {failure}");
    }
    if !failures.is_empty() {
        bail!(
            "{} encounter(s) cannot become claims; no claims written",
            failures.len()
        );
    }
    let held_text: Vec<String> = held
        .iter()
        .map(|(q, n)| format!("{} {n}", q.name()))
        .collect();
    if claims.is_empty() {
        eprintln!(
            "no encounter is ready to bill (held: {}); nothing written",
            held_text.join(", ")
        );
        return Ok(Outcome::Findings);
    }

    let sender = profile.interchange.sender_id.clone();
    let (runtime, store) = setup::store(&args.database_url)?;
    apply_resubmissions(&runtime, &store, &sender, args, &mut claims)?;
    let controls = runtime
        .block_on(store.reserve_controls(&sender, transactions_needed(claims.len()) as u64))?;
    let options = WriteOptions {
        delimiters: Delimiters::default(),
        created: chrono::Local::now().naive_local(),
        controls,
        line_breaks: args.line_breaks,
    };
    // Reserved numbers a failed write leaves unused are a gap, never a repeat.
    let text = write_837p(&profile, &claims, &options)?;

    let temporary = args.out.with_extension("837.partial");
    std::fs::write(&temporary, &text)
        .with_context(|| format!("writing {}", temporary.display()))?;
    let submitted: Vec<SubmittedClaim> = claims
        .iter()
        .enumerate()
        .map(|(index, claim)| SubmittedClaim {
            claim_id: claim.id.clone(),
            frequency: claim.frequency.code().to_owned(),
            transaction_control: i64::try_from(transaction_of(controls, index)).unwrap_or(i64::MAX),
            total_cents: claim.total().0,
            line_controls: claim
                .lines
                .iter()
                .map(|l| l.control_number.clone())
                .collect(),
            billing_npi: profile.billing_provider.npi.to_string(),
            billing_tax_id: profile.billing_provider.tax_id.clone(),
        })
        .collect();
    if let Err(err) =
        runtime.block_on(store.record_submission(&sender, controls.interchange, &submitted))
    {
        let _ = std::fs::remove_file(&temporary);
        return Err(err).context("recording the submission; no claims written");
    }
    std::fs::rename(&temporary, &args.out)
        .with_context(|| format!("renaming to {}", args.out.display()))?;
    eprintln!(
        "wrote {} claim(s) to {} (ISA13 {:09}); {} encounter(s) held{}",
        claims.len(),
        args.out.display(),
        controls.interchange,
        held.iter().map(|(_, n)| n).sum::<usize>(),
        if held.is_empty() {
            String::new()
        } else {
            format!(": {}", held_text.join(", "))
        }
    );
    Ok(if held.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
