//! `cleanclaim claims`: scrub encounters and write the ready-to-bill ones as an 837P.
//!
//! One bad encounter does not block a batch: a rejected record, an encounter that cannot
//! become a claim, data the file cannot carry, or an original this sender already sent is
//! reported and left out, and the rest is written (`--all-or-nothing` restores the old rule).
//! Control numbers come from the database so they never repeat; the file is written to a
//! temporary name beside `--out`, flushed and renamed, and its claims are recorded as
//! submitted only once it is in place (if recording fails, the file is removed).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use cleanclaim_app::{
    Delivery, Resubmit, SubmitOptions, SubmitReport, judge_filing, prepare_stored_as_of,
    prepare_with, submit,
};
use cleanclaim_scrub::ScrubOptions;
use cleanclaim_store::Scope;
use cleanclaim_x12::x837::{BillingProfile, ClaimFrequency};

use crate::Outcome;
use crate::input;
use crate::setup;

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// Encounter files (JSON object, array or NDJSON); `-` reads standard input. With none,
    /// the stored encounters that are ready to bill and not yet billed (see `ingest`).
    files: Vec<String>,
    /// Where to write the 837P. It holds PHI: it is created readable by its owner only.
    #[arg(long)]
    out: PathBuf,
    /// Replace `--out` when it exists (by default an existing file is never overwritten).
    #[arg(long)]
    overwrite: bool,
    /// The clinic's billing profile (TOML): interchange ids, submitter, receiver, billing
    /// provider, optional service facility. See docs/claims.md.
    #[arg(long)]
    profile: PathBuf,
    /// The database holding the control numbers and the record of submitted claims.
    #[command(flatten)]
    database: setup::DatabaseArgs,
    /// A folder of rule packs that replace or add to the built-in ones.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// A folder of context records (plans_of_care.json, authorizations.json, prior_usage.json).
    #[arg(long)]
    context: Option<PathBuf>,
    /// Judge timely filing as of this date (YYYY-MM-DD or `today`, the day the file goes
    /// out): a visit past its pack's filing limit is held instead of billed (CARC 29 avoided).
    /// With stored encounters the store's queues are judged first (each moved visit printed
    /// on standard error). Without it filing is not judged.
    #[arg(long, value_parser = setup::date_or_today)]
    as_of: Option<chrono::NaiveDate>,
    /// Allowed amounts per code and year (CSV: year,locality,code,modifier,allowed; see
    /// docs/rule-packs.md): the KX threshold counts them instead of billed charges.
    #[arg(long)]
    fee_schedule: Option<PathBuf>,
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

fn read_resubmissions(path: &std::path::Path) -> anyhow::Result<Vec<Resubmit>> {
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
        rows.push(Resubmit {
            claim_id: row.claim_id.trim().to_owned(),
            frequency,
            payer_claim_number: number,
        });
    }
    Ok(rows)
}

pub fn run(args: &ClaimsArgs) -> anyhow::Result<Outcome> {
    let engine = setup::engine(args.rules.as_deref(), None, None)?;
    let engine = setup::with_fee_schedule(engine, args.fee_schedule.as_deref())?;
    let context = setup::context(args.context.as_deref())?;
    let profile_text =
        crate::files::read_text(&args.profile, "billing profile", crate::files::SMALL)?;
    let profile: BillingProfile = toml::from_str(&profile_text)
        .map_err(|e| anyhow::anyhow!("{}: {}", args.profile.display(), e.message()))?;
    check_out_path(&args.out, args.overwrite)?;
    let resubmissions = match &args.resubmissions {
        Some(path) => read_resubmissions(path)?,
        None => Vec::new(),
    };

    let options = SubmitOptions {
        resubmissions,
        allow_resend: args.allow_resend,
        all_or_nothing: args.all_or_nothing,
        line_breaks: args.line_breaks,
        created: chrono::Local::now().naive_local(),
    };
    let mut delivery = FileDelivery {
        out: &args.out,
        overwrite: args.overwrite,
    };
    if args.files.is_empty() {
        if args.context.is_some() {
            bail!(
                "--context applies to encounter files; stored encounters are billed with the context stored with them (load it with `cleanclaim ingest --context DIR`)"
            );
        }
        let (runtime, store) = setup::store(&args.database)?;
        if let Some(date) = args.as_of {
            // The store's queues are judged first, so a visit past its filing limit is seen
            // held in the work queues, not only left out of this file.
            let judged = runtime.block_on(judge_filing(&store, &engine, date))?;
            crate::ingest::print_chunk(&mut std::io::stderr(), &judged)?;
        }
        let prepared = runtime.block_on(prepare_stored_as_of(
            &store,
            &engine,
            &profile,
            &Scope::everything(),
            args.as_of,
        ))?;
        if !prepared.has_claims() && prepared.unbilled.is_empty() {
            eprintln!(
                "no stored encounter is ready to bill and not yet billed (`cleanclaim ingest` stores them); nothing written"
            );
            return Ok(Outcome::Findings);
        }
        let report =
            runtime.block_on(submit(&store, &profile, prepared, &options, &mut delivery))?;
        runtime.block_on(store.close());
        print_report(&report, args, &profile.interchange.sender_id, 0);
        return Ok(outcome(&report, 0));
    }
    let batch = input::read_batch(&args.files)?;
    if batch.rejected > 0 && args.all_or_nothing {
        bail!(
            "{} record(s) rejected; no claims written (--all-or-nothing)",
            batch.rejected
        );
    }
    let prepared = prepare_with(
        &engine,
        context,
        &batch.encounters,
        &profile,
        ScrubOptions {
            as_of: args.as_of,
            ..ScrubOptions::default()
        },
    )?;
    // No database is needed (or asked for) when nothing is ready to bill.
    let report = if prepared.has_claims() {
        let (runtime, store) = setup::store(&args.database)?;
        let report =
            runtime.block_on(submit(&store, &profile, prepared, &options, &mut delivery))?;
        runtime.block_on(store.close());
        report
    } else {
        if args.all_or_nothing && !prepared.unbilled.is_empty() {
            bail!(
                "{} ready-to-bill encounter(s) cannot be billed; no claims written (--all-or-nothing)",
                prepared.unbilled_encounters()
            );
        }
        SubmitReport {
            claims: Vec::new(),
            interchange: None,
            held: prepared.held,
            unbilled: prepared.unbilled,
            already_submitted: Vec::new(),
            batch: None,
        }
    };
    print_report(
        &report,
        args,
        &profile.interchange.sender_id,
        batch.rejected,
    );
    Ok(outcome(&report, batch.rejected))
}

fn outcome(report: &SubmitReport, rejected: u64) -> Outcome {
    if rejected > 0 || !report.unbilled.is_empty() {
        Outcome::BadInput
    } else if report.held_total() > 0 || report.claims.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn print_report(report: &SubmitReport, args: &ClaimsArgs, sender: &str, rejected: u64) {
    if !report.already_submitted.is_empty() {
        let sent = &report.already_submitted;
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
    }
    for failure in &report.unbilled {
        eprintln!(
            "cleanclaim: encounter {}: not billed: {}",
            failure.encounter, failure.reason
        );
    }
    let held_text = if report.held.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = report
            .held
            .iter()
            .map(|(q, n)| format!("{} {n}", q.name()))
            .collect();
        format!(": {}", parts.join(", "))
    };
    let rest = format!(
        "{} encounter(s) held{held_text}; {} not billed; {rejected} record(s) rejected",
        report.held_total(),
        report.unbilled_encounters(),
    );
    match report.interchange {
        Some(interchange) => eprintln!(
            "wrote {} claim(s) to {} (ISA13 {interchange:09}); {rest}",
            report.claims.len(),
            args.out.display(),
        ),
        None => eprintln!("no claim to write: {rest}; nothing written"),
    }
}

/// The CLI delivers the 837P to `--out`.
struct FileDelivery<'a> {
    out: &'a Path,
    overwrite: bool,
}

impl Delivery for FileDelivery<'_> {
    fn deliver(&mut self, text: &str) -> std::io::Result<()> {
        place_file(self.out, text, self.overwrite)
    }

    fn withdraw(&mut self) {
        let _ = std::fs::remove_file(self.out);
    }
}

/// `--out` must name a file in an existing folder, and a new one unless `--overwrite`;
/// checked before anything is reserved.
fn check_out_path(out: &Path, overwrite: bool) -> anyhow::Result<()> {
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
    if !overwrite && out.symlink_metadata().is_ok() {
        bail!(
            "--out {} exists; pass --overwrite to replace it (claims already written there may have been sent)",
            out.display()
        );
    }
    Ok(())
}

/// Writes `text` to a new temporary file beside `out` (a unique name, created exclusively so
/// no planted symlink is followed, readable by its owner only: it holds PHI), flushes it to
/// disk and renames it into place, so `out` is either the whole file or untouched. Without
/// `overwrite` the rename refuses an `out` that appeared meanwhile (another run's claims);
/// the temporary file never stays.
fn place_file(out: &Path, text: &str, overwrite: bool) -> std::io::Result<()> {
    let name = out
        .file_name()
        .map_or_else(|| "claims".into(), |n| n.to_string_lossy().into_owned());
    let folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(folder)?;
    std::io::Write::write_all(&mut temporary, text.as_bytes())?;
    temporary.as_file().sync_all()?;
    let placed = if overwrite {
        temporary.persist(out)
    } else {
        temporary.persist_noclobber(out)
    };
    placed.map_err(|error| error.error)?;
    // The rename itself survives a crash once the folder is flushed too.
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}
