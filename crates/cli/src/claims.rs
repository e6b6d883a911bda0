//! `cleanclaim claims`: scrub encounters and write the ready-to-bill ones as an 837P.
//!
//! One bad encounter does not block a batch: a rejected record, an encounter that cannot
//! become a claim, data the file cannot carry, or an original this sender already sent is
//! reported and left out, and the rest is written (`--all-or-nothing` restores the old rule).
//! Control numbers come from PostgreSQL so they never repeat; the file is written to a
//! temporary name beside `--out`, flushed and renamed, and its claims are recorded as
//! submitted only once it is in place (if recording fails, the file is removed).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use cleanclaim_billing::Queue;
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
    /// Send claims this sender already submitted as originals again. Without it they are left
    /// out and reported: an original sent twice is denied as a duplicate (CARC 18).
    #[arg(long)]
    allow_resend: bool,
    /// Write nothing unless every record is read and every ready-to-bill encounter becomes a
    /// claim. Without it, what can be billed is written and each encounter that cannot is
    /// reported with the reason (exit code 2).
    #[arg(long)]
    all_or_nothing: bool,
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
/// posted remittance; leaves out (and reports) originals this sender already sent, unless told
/// to resend: a payer denies a second original as a duplicate (CARC 18).
fn apply_resubmissions(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    sender: &str,
    args: &ClaimsArgs,
    claims: &mut Vec<(String, Claim)>,
    unbilled: &mut Vec<Unbilled>,
) -> anyhow::Result<()> {
    let rows = match &args.resubmissions {
        Some(path) => read_resubmissions(path)?,
        None => Vec::new(),
    };
    for (claim_id, frequency, number) in rows {
        let Some((_, claim)) = claims.iter_mut().find(|(_, c)| c.id == claim_id) else {
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
        .filter(|(_, c)| c.frequency == ClaimFrequency::Original)
        .map(|(_, c)| c.id.clone())
        .collect();
    let sent = runtime.block_on(store.already_submitted(sender, &originals))?;
    if sent.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = sent.iter().take(10).map(String::as_str).collect();
    eprintln!(
        "cleanclaim: {} claim(s) were already submitted by {sender} ({}{}): send them as replacements with --resubmissions, or again with --allow-resend; left out",
        sent.len(),
        shown.join(", "),
        if sent.len() > shown.len() {
            ", ..."
        } else {
            ""
        }
    );
    let encounters: Vec<String> = claims
        .iter()
        .filter(|(_, c)| sent.contains(&c.id))
        .map(|(e, _)| e.clone())
        .collect();
    claims.retain(|(e, _)| !encounters.contains(e));
    for encounter in encounters {
        unbilled.push(Unbilled {
            encounter,
            reason: "already submitted as an original by this sender".to_owned(),
        });
    }
    Ok(())
}

/// An encounter that was ready to bill but is not in the file, and why.
struct Unbilled {
    encounter: String,
    reason: String,
}

pub fn run(args: &ClaimsArgs) -> anyhow::Result<Outcome> {
    let engine = setup::engine(args.rules.as_deref(), None, None)?;
    let context = setup::context(args.context.as_deref())?;
    let profile_text = std::fs::read_to_string(&args.profile)
        .with_context(|| format!("reading {}", args.profile.display()))?;
    let profile: BillingProfile = toml::from_str(&profile_text)
        .map_err(|e| anyhow::anyhow!("{}: {}", args.profile.display(), e.message()))?;
    check_out_path(&args.out)?;

    let batch = input::read_batch(&args.files)?;
    if batch.rejected > 0 && args.all_or_nothing {
        bail!(
            "{} record(s) rejected; no claims written (--all-or-nothing)",
            batch.rejected
        );
    }
    let encounters = batch.encounters;

    let mut scrubber = Scrubber::new(&engine, context, ScrubOptions::default());
    let results = scrubber.scrub_batch(&encounters);
    let mut claims = Vec::new();
    let mut held: Vec<(Queue, usize)> = Vec::new();
    let mut unbilled: Vec<Unbilled> = Vec::new();
    for (encounter, result) in encounters.iter().zip(&results) {
        if result.queue != Queue::ReadyToBill {
            match held.iter_mut().find(|(q, _)| *q == result.queue) {
                Some((_, n)) => *n += 1,
                None => held.push((result.queue, 1)),
            }
            continue;
        }
        match build_claims(encounter, &result.derivation, None) {
            Ok(built) => claims.extend(built.into_iter().map(|c| (encounter.id.clone(), c))),
            Err(err) => unbilled.push(Unbilled {
                encounter: encounter.id.clone(),
                reason: format!("{}: {}", err.field, err.reason),
            }),
        }
    }
    leave_out_unwritable(&profile, &mut claims, &mut unbilled)?;

    // No database is needed (or asked for) when nothing is ready to bill.
    let connection = if claims.is_empty() {
        None
    } else {
        Some(setup::store(&args.database_url)?)
    };
    let sender = profile.interchange.sender_id.clone();
    if let Some((runtime, store)) = &connection {
        apply_resubmissions(runtime, store, &sender, args, &mut claims, &mut unbilled)?;
    }

    for failure in &unbilled {
        eprintln!(
            "cleanclaim: encounter {}: not billed: {}",
            failure.encounter, failure.reason
        );
    }
    if !unbilled.is_empty() && args.all_or_nothing {
        bail!(
            "{} ready-to-bill encounter(s) cannot be billed; no claims written (--all-or-nothing)",
            count_encounters(&unbilled)
        );
    }
    let held_total: usize = held.iter().map(|(_, n)| n).sum();
    let held_text = if held.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = held
            .iter()
            .map(|(q, n)| format!("{} {n}", q.name()))
            .collect();
        format!(": {}", parts.join(", "))
    };
    let outcome = if batch.rejected > 0 || !unbilled.is_empty() {
        Outcome::BadInput
    } else if held_total > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    };
    let Some((runtime, store)) = connection.filter(|_| !claims.is_empty()) else {
        eprintln!(
            "no claim to write: {held_total} encounter(s) held{held_text}; {} not billed; {} record(s) rejected; nothing written",
            count_encounters(&unbilled),
            batch.rejected
        );
        return Ok(outcome.max(Outcome::Findings));
    };

    let claims: Vec<Claim> = claims.into_iter().map(|(_, claim)| claim).collect();
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
    place_file(&args.out, &text)?;
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
    // The claims count as submitted only once the file is in place; if they cannot be
    // recorded, the file goes, so nothing is sent that the store does not know of.
    if let Err(err) =
        runtime.block_on(store.record_submission(&sender, controls.interchange, &submitted))
    {
        let _ = std::fs::remove_file(&args.out);
        return Err(err).context("recording the submission; no claims written");
    }
    eprintln!(
        "wrote {} claim(s) to {} (ISA13 {:09}); {held_total} encounter(s) held{held_text}; {} not billed; {} record(s) rejected",
        claims.len(),
        args.out.display(),
        controls.interchange,
        count_encounters(&unbilled),
        batch.rejected
    );
    Ok(outcome)
}

/// Encounters named in `unbilled` (an encounter split into several claims counts once).
fn count_encounters(unbilled: &[Unbilled]) -> usize {
    let mut names: Vec<&str> = unbilled.iter().map(|u| u.encounter.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// Writes each claim alone first: a claim whose data the file cannot carry (a character X12
/// forbids, a value too long, a state that is not a state code) is left out with its
/// encounter's other claims and reported, instead of stopping the file. A problem of the
/// file's own (the profile) stops the run.
fn leave_out_unwritable(
    profile: &BillingProfile,
    claims: &mut Vec<(String, Claim)>,
    unbilled: &mut Vec<Unbilled>,
) -> anyhow::Result<()> {
    let trial = WriteOptions {
        delimiters: Delimiters::default(),
        created: chrono::NaiveDateTime::default(),
        controls: cleanclaim_x12::x837::ControlNumbers {
            interchange: 1,
            group: 1,
            first_transaction: 1,
        },
        line_breaks: false,
    };
    let mut refused: Vec<String> = Vec::new();
    for (encounter, claim) in claims.iter() {
        if let Err(err) = write_837p(profile, std::slice::from_ref(claim), &trial) {
            if err.claim().is_none() {
                return Err(err).context("the billing profile cannot be written");
            }
            refused.push(encounter.clone());
            unbilled.push(Unbilled {
                encounter: encounter.clone(),
                reason: err.to_string(),
            });
        }
    }
    // Every claim of a refused encounter goes: half a visit is never billed.
    claims.retain(|(encounter, _)| !refused.contains(encounter));
    Ok(())
}

/// `--out` must name a file in an existing folder; checked before anything is reserved.
fn check_out_path(out: &Path) -> anyhow::Result<()> {
    if out.is_dir() {
        bail!(
            "--out {} is a folder; name the file to write (for example {}/claims.837)",
            out.display(),
            out.display()
        );
    }
    let folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        bail!(
            "--out {}: the folder {} does not exist",
            out.display(),
            folder.display()
        );
    }
    Ok(())
}

/// Writes `text` to a temporary file beside `out`, flushes it to disk and renames it into
/// place, so `out` is either the whole file or untouched; the temporary file never stays.
fn place_file(out: &Path, text: &str) -> anyhow::Result<()> {
    let name = out
        .file_name()
        .map_or_else(|| "claims".into(), |n| n.to_string_lossy().into_owned());
    let temporary = out.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, out)
    })();
    if let Err(err) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(err).with_context(|| format!("writing {}; no claims written", out.display()));
    }
    Ok(())
}
