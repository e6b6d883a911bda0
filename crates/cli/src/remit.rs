//! `cleanclaim remit`: read an 835 as it streams, categorize every adjustment, print payments
//! and denials (a table, or one JSON object per line), and with `--post` link each claim to
//! what we submitted and post the file to the database whole or not at all. The reading and
//! posting are the application layer's (`cleanclaim_app::remittance`); this is its printer.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use cleanclaim_app::{RemitSink, RemitTally, RemittancePoster, read_remittance};
use cleanclaim_remit::{CategoryMap, ClaimOutcome};
use cleanclaim_store::Store;
use cleanclaim_x12::x835::{ClaimPayment, ClaimStatus, Payment};
use serde_json::json;

use crate::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    /// One JSON object per line: payment, claim, provider_adjustment, end, summary.
    Json,
}

#[derive(Debug, Args)]
pub struct RemitArgs {
    /// The 835 files, read (and with `--post`, each posted whole or not at all) in order;
    /// `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// A CARC/RARC category map whose entries replace the built-in ones, code by code
    /// (same shape as crates/remit/data/adjustment-categories.toml).
    #[arg(long)]
    categories: Option<PathBuf>,
    /// Link claims to submitted claims and post each file to the database, whole or not at
    /// all. A payer's trace number already posted is reported and skipped.
    #[arg(long)]
    post: bool,
    #[command(flatten)]
    database: crate::setup::DatabaseArgs,
}

/// The claim column of the table.
const CLAIM_ID_WIDTH: usize = 20;

pub fn run(args: &RemitArgs) -> anyhow::Result<Outcome> {
    let mut map = CategoryMap::builtin()?;
    if let Some(path) = &args.categories {
        let text = crate::files::read_text(path, "category file", crate::files::SMALL)?;
        map = map.with_overrides(&path.display().to_string(), &text)?;
    }
    // One connection for every file; each file is posted in a transaction of its own.
    let (runtime, store) = if args.post {
        let (runtime, store) = crate::setup::store(&args.database)?;
        (runtime, Some(store))
    } else {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        (runtime, None)
    };
    let mut printer = Printer {
        out: crate::output::stdout(),
        format: args.format,
        file: String::new(),
    };
    let mut tally = RemitTally::default();
    for file in &args.files {
        runtime.block_on(read_file(
            file,
            &map,
            store.as_ref(),
            &mut printer,
            &mut tally,
        ))?;
    }
    print_summary(&mut printer.out, args.format, &tally)?;
    printer.out.flush()?;
    Ok(if tally.has_findings() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Reads one 835, printing as it goes; with a store, posts it in one transaction.
async fn read_file(
    file: &str,
    map: &CategoryMap,
    store: Option<&Store>,
    printer: &mut Printer<impl Write>,
    tally: &mut RemitTally,
) -> anyhow::Result<()> {
    let input: Box<dyn std::io::Read> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(crate::files::open_stream(std::path::Path::new(file))?)
    };
    let poster = match store {
        Some(store) => Some(RemittancePoster::begin(store).await?),
        None => None,
    };
    let posting = poster.is_some();
    printer.file = file.to_owned();
    let result = read_remittance(input, map, poster, printer, tally)
        .await
        .with_context(|| {
            if posting {
                format!("{file}: nothing posted")
            } else {
                file.to_owned()
            }
        })?;
    // Envelope counts and control numbers that do not match do not stop reading; say so.
    for finding in &result.envelope_findings {
        eprintln!("{file}: warning: {finding}");
    }
    if result.more_findings > 0 {
        eprintln!(
            "{file}: warning: {} more envelope finding(s)",
            result.more_findings
        );
    }
    if let Some(counts) = result.posting {
        eprintln!(
            "{file}: posted {} claim(s); {} not matched to a submitted claim, {} line(s) not matched to a submitted line",
            counts.posted, counts.unmatched_claims, counts.unmatched_lines
        );
    }
    Ok(())
}

/// Prints each item as the 835 is read: a table, or one JSON object per line.
struct Printer<W> {
    out: W,
    format: Format,
    /// The file being read, for messages.
    file: String,
}

impl<W: Write> RemitSink for Printer<W> {
    fn payment(
        &mut self,
        payment: &Payment,
        already_posted: Option<chrono::DateTime<chrono::Utc>>,
    ) -> std::io::Result<()> {
        if let Some(posted_at) = already_posted {
            eprintln!(
                "{}: payment {} from {} was already posted on {}; not posted again",
                self.file,
                payment.trace_number,
                payment.payer_key(),
                posted_at.format("%Y-%m-%d %H:%M UTC")
            );
        }
        print_payment(
            &mut self.out,
            self.format,
            payment,
            already_posted.is_some(),
        )
        .map_err(std::io::Error::other)
    }

    fn claim(&mut self, claim: &ClaimPayment, outcome: &ClaimOutcome<'_>) -> std::io::Result<()> {
        print_claim(&mut self.out, self.format, claim, outcome).map_err(std::io::Error::other)
    }

    fn provider_adjustment(
        &mut self,
        adjustment: &cleanclaim_x12::x835::ProviderAdjustment,
    ) -> std::io::Result<()> {
        match self.format {
            Format::Table => writeln!(
                self.out,
                "  provider adjustment {} {}: {}",
                adjustment.reason,
                adjustment.reference,
                adjustment.amount_cents.decimal()
            ),
            Format::Json => json_line(&mut self.out, &JsonItem::ProviderAdjustment { adjustment })
                .map_err(std::io::Error::other),
        }
    }

    fn end(&mut self, totals: &cleanclaim_x12::x835::TransactionTotals) -> std::io::Result<()> {
        match self.format {
            Format::Table if !totals.imbalance_cents().is_zero() => writeln!(
                self.out,
                "  does not balance: claims paid {} less provider adjustments {} is not the payment {} (off by {})",
                totals.claims_paid_cents.decimal(),
                totals.provider_adjustments_cents.decimal(),
                totals.payment_cents.decimal(),
                totals.imbalance_cents().decimal()
            ),
            Format::Table => Ok(()),
            Format::Json => {
                json_line(&mut self.out, &JsonItem::End { totals }).map_err(std::io::Error::other)
            }
        }
    }
}

/// Dollars with two decimals, as a biller reads them.
/// One line of `--format json`, serialized straight to the output: a claim per line on
/// files of millions of claims, with no intermediate JSON tree.
#[derive(serde::Serialize)]
#[serde(tag = "item", rename_all = "snake_case")]
enum JsonItem<'a> {
    Payment {
        payment: &'a Payment,
        already_posted: bool,
    },
    Claim {
        claim: &'a ClaimPayment,
        outcome: &'a ClaimOutcome<'a>,
    },
    ProviderAdjustment {
        adjustment: &'a cleanclaim_x12::x835::ProviderAdjustment,
    },
    End {
        totals: &'a cleanclaim_x12::x835::TransactionTotals,
    },
}

fn json_line(out: &mut impl Write, item: &JsonItem<'_>) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, item)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn status_name(status: Option<ClaimStatus>) -> &'static str {
    match status {
        Some(ClaimStatus::Processed { sequence: 1 }) => "paid as primary",
        Some(ClaimStatus::Processed { sequence: 2 }) => "paid as secondary",
        Some(ClaimStatus::Processed { .. }) => "paid as tertiary",
        Some(ClaimStatus::Denied) => "denied",
        Some(ClaimStatus::ProcessedForwarded { .. }) => "paid, forwarded",
        Some(ClaimStatus::Reversal) => "reversal",
        Some(ClaimStatus::NotOurClaimForwarded) => "not ours, forwarded",
        Some(ClaimStatus::PredeterminationOnly) => "predetermination",
        None => "unreadable status",
    }
}

fn print_payment(
    out: &mut impl Write,
    format: Format,
    payment: &Payment,
    duplicate: bool,
) -> anyhow::Result<()> {
    match format {
        Format::Table => {
            writeln!(
                out,
                "payment {} {} from {} to {} (trace {}{}){}",
                payment.method,
                payment.total_cents.decimal(),
                payment.payer.name,
                payment.payee.name,
                payment.trace_number,
                payment
                    .payment_date
                    .map(|d| format!(", {d}"))
                    .unwrap_or_default(),
                if duplicate { " ALREADY POSTED" } else { "" }
            )?;
            for error in &payment.errors {
                writeln!(out, "  warning: {error}")?;
            }
            writeln!(
                out,
                "  {:<20} {:<18} {:>10} {:>10} {:>10}  {:<20} why",
                "claim", "status", "charged", "paid", "patient", "denial"
            )?;
        }
        Format::Json => json_line(
            out,
            &JsonItem::Payment {
                payment,
                already_posted: duplicate,
            },
        )?,
    }
    Ok(())
}

fn print_claim(
    out: &mut impl Write,
    format: Format,
    claim: &ClaimPayment,
    outcome: &ClaimOutcome<'_>,
) -> anyhow::Result<()> {
    match format {
        Format::Table => {
            let denial = match (outcome.denied, outcome.cause) {
                (true, Some(cause)) => format!("denied: {cause}"),
                (true, None) => "denied".to_owned(),
                (false, Some(cause)) => format!("{} line(s): {cause}", outcome.denied_lines),
                (false, None) => String::new(),
            };
            let mut why: Vec<String> = Vec::new();
            for adjustment in outcome
                .adjustments
                .iter()
                .filter(|a| a.category.is_denial())
            {
                let reason = adjustment.why();
                if !why.contains(&reason) {
                    why.push(reason);
                }
            }
            let why = why.join("; ");
            // CLM01 may be 38 characters: a long id takes a line of its own, so the columns
            // of every row stay under their headings.
            let id = claim.patient_control_number.as_str();
            let id = if id.chars().count() > CLAIM_ID_WIDTH {
                writeln!(out, "  {id}")?;
                ""
            } else {
                id
            };
            writeln!(
                out,
                "  {:<20} {:<18} {:>10} {:>10} {:>10}  {:<20} {}",
                id,
                status_name(claim.status),
                claim.charge_cents.decimal(),
                claim.paid_cents.decimal(),
                claim.patient_responsibility_cents.decimal(),
                denial,
                why
            )?;
            if !outcome.imbalance_cents.is_zero() {
                writeln!(
                    out,
                    "    does not balance: off by {}",
                    outcome.imbalance_cents.decimal()
                )?;
            }
            for error in &outcome.errors {
                writeln!(out, "    unreadable: {error}")?;
            }
        }
        Format::Json => json_line(out, &JsonItem::Claim { claim, outcome })?,
    }
    Ok(())
}

fn print_summary(out: &mut impl Write, format: Format, tally: &RemitTally) -> anyhow::Result<()> {
    let by_cause: Vec<_> = tally
        .denied_by_cause
        .iter()
        .map(|(cause, (claims, cents))| json!({"cause": cause, "claims": claims, "denied_cents": cents}))
        .collect();
    match format {
        Format::Table => {
            writeln!(
                out,
                "{} claim(s), {} paid; {} denied, {} partly denied, {} to review, {} payment(s) already posted",
                tally.claims,
                tally.paid_cents.decimal(),
                tally.denied,
                tally.partly_denied,
                tally.review,
                tally.duplicates
            )?;
            for (cause, (claims, cents)) in &tally.denied_by_cause {
                writeln!(
                    out,
                    "  {cause}: {claims} claim(s), {} denied",
                    cents.decimal()
                )?;
            }
        }
        Format::Json => writeln!(
            out,
            "{}",
            json!({
                "item": "summary",
                "claims": tally.claims,
                "paid_cents": tally.paid_cents,
                "denied": tally.denied,
                "partly_denied": tally.partly_denied,
                "to_review": tally.review,
                "already_posted": tally.duplicates,
                "unbalanced_transactions": tally.unbalanced,
                "posted": tally.posted,
                "denials_by_cause": by_cause,
            })
        )?,
    }
    Ok(())
}
