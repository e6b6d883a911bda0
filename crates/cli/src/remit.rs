//! `cleanclaim remit`: read an 835 as it streams, categorize every adjustment, print payments
//! and denials (a table, or one JSON object per line), and with `--post` link each claim to
//! what we submitted and post the file to PostgreSQL whole or not at all.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use cleanclaim_remit::{Category, CategoryMap, ClaimOutcome, LineLink, Submitted, assess, link};
use cleanclaim_store::{
    PostedAdjustment, PostedClaim, Posting, ProviderAdjustmentRecord, RemittanceId,
    RemittanceRecord, Started, Store,
};
use cleanclaim_x12::x835::{ClaimPayment, ClaimStatus, PayeeIds, Payment, RemitItem, RemitReader};
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
    /// Link claims to submitted claims and post the file to PostgreSQL. A payer's trace
    /// number already posted is reported and skipped.
    #[arg(long)]
    post: bool,
    #[arg(long, env = "DATABASE_URL", required_if_eq("post", "true"))]
    database_url: Option<String>,
}

/// The claim column of the table.
const CLAIM_ID_WIDTH: usize = 20;

/// Claims looked up and inserted together when posting.
const BATCH: usize = 500;

/// What the run saw, for the summary and the exit code.
#[derive(Debug, Default)]
struct Tally {
    claims: usize,
    denied: usize,
    /// Paid, but some lines denied.
    partly_denied: usize,
    review: usize,
    duplicates: usize,
    unbalanced: usize,
    paid_cents: i64,
    denied_by_cause: BTreeMap<Category, (usize, i64)>,
    /// Claims posted, with `--post`.
    posted: Option<usize>,
}

struct Poster<'m> {
    runtime: tokio::runtime::Runtime,
    store: Store,
    posting: Option<Posting>,
    current: Option<RemittanceId>,
    next_seq: i32,
    batch: Vec<(ClaimPayment, ClaimOutcome<'m>)>,
    /// Claims posted whose CLP01 is not a claim we submitted, and lines of ours we could
    /// not place.
    unmatched_claims: usize,
    unmatched_lines: usize,
    posted_claims: usize,
    /// Claims the assessment found clean that linking sends to review.
    review_added: usize,
    /// Who the current payment paid: claims link only to that provider's submissions.
    payee: PayeeIds,
}

/// What a posting did, for the summary.
struct PostingCounts {
    posted: usize,
    unmatched_claims: usize,
    unmatched_lines: usize,
    review_added: usize,
}

pub fn run(args: &RemitArgs) -> anyhow::Result<Outcome> {
    let mut map = CategoryMap::builtin()?;
    if let Some(path) = &args.categories {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        map = map.with_overrides(&path.display().to_string(), &text)?;
    }
    let mut out = crate::output::stdout();
    let mut tally = Tally::default();
    for file in &args.files {
        read_file(args, file, &map, &mut out, &mut tally)?;
    }
    print_summary(&mut out, args.format, &tally)?;
    out.flush()?;
    Ok(
        if tally.denied + tally.partly_denied + tally.review + tally.duplicates + tally.unbalanced
            == 0
        {
            Outcome::Clean
        } else {
            Outcome::Findings
        },
    )
}

/// Reads one 835, printing as it goes; with `--post`, posts it in one transaction.
fn read_file(
    args: &RemitArgs,
    file: &str,
    map: &CategoryMap,
    out: &mut impl Write,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let input: Box<dyn std::io::Read> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(File::open(file).with_context(|| format!("opening {file}"))?)
    };
    let mut poster = match (&args.database_url, args.post) {
        (Some(url), true) => Some(Poster::connect(url)?),
        _ => None,
    };
    let mut skipping = false;
    let mut reader = RemitReader::new(input);
    loop {
        let item = reader.next_item().with_context(|| match poster {
            Some(_) => format!("{}: nothing posted", file),
            None => file.to_owned(),
        })?;
        let Some(item) = item else { break };
        match item {
            RemitItem::Payment(payment) => {
                skipping = false;
                if let Some(poster) = poster.as_mut()
                    && let Started::Duplicate { posted_at } = poster.start(&payment)?
                {
                    skipping = true;
                    tally.duplicates += 1;
                    eprintln!(
                        "{}: payment {} from {} was already posted on {}; not posted again",
                        file,
                        payment.trace_number,
                        payment.payer_key(),
                        posted_at.format("%Y-%m-%d %H:%M UTC")
                    );
                }
                print_payment(out, args.format, &payment, skipping)?;
            }
            RemitItem::Claim(claim) => {
                let outcome = assess(&claim, map);
                tally.count(&outcome);
                print_claim(out, args.format, &claim, &outcome)?;
                match poster.as_mut() {
                    Some(poster) if !skipping => poster.push(*claim, outcome)?,
                    // Printed and done with: its storage serves the next claim.
                    _ => reader.recycle(claim),
                }
            }
            RemitItem::ProviderAdjustment(adjustment) => {
                match args.format {
                    Format::Table => writeln!(
                        out,
                        "  provider adjustment {} {}: {}",
                        adjustment.reason,
                        adjustment.reference,
                        money(adjustment.amount_cents)
                    )?,
                    Format::Json => json_line(
                        out,
                        &JsonItem::ProviderAdjustment {
                            adjustment: &adjustment,
                        },
                    )?,
                }
                if let Some(poster) = poster.as_mut().filter(|_| !skipping) {
                    poster.provider_adjustment(ProviderAdjustmentRecord {
                        provider_id: adjustment.provider_id,
                        reason: adjustment.reason,
                        reference: adjustment.reference,
                        amount_cents: adjustment.amount_cents,
                    })?;
                }
            }
            RemitItem::End(totals) => {
                if totals.imbalance_cents() != 0 {
                    tally.unbalanced += 1;
                }
                match args.format {
                    Format::Table if totals.imbalance_cents() != 0 => writeln!(
                        out,
                        "  does not balance: claims paid {} less provider adjustments {} is not the payment {} (off by {})",
                        money(totals.claims_paid_cents),
                        money(totals.provider_adjustments_cents),
                        money(totals.payment_cents),
                        money(totals.imbalance_cents())
                    )?,
                    Format::Table => {}
                    Format::Json => json_line(out, &JsonItem::End { totals: &totals })?,
                }
                if let Some(poster) = poster.as_mut() {
                    poster.flush()?;
                }
            }
        }
    }
    // Envelope counts and control numbers that do not match do not stop reading; say so.
    let (findings, more) = reader.findings();
    for finding in findings {
        eprintln!("{}: warning: {finding}", file);
    }
    if more > 0 {
        eprintln!("{}: warning: {more} more envelope finding(s)", file);
    }
    if let Some(poster) = poster {
        let counts = poster.commit()?;
        tally.posted = Some(counts.posted);
        tally.review += counts.review_added;
        eprintln!(
            "{}: posted {} claim(s); {} not matched to a submitted claim, {} line(s) not matched to a submitted line",
            file, counts.posted, counts.unmatched_claims, counts.unmatched_lines
        );
    }
    Ok(())
}

impl Tally {
    fn count(&mut self, outcome: &ClaimOutcome<'_>) {
        self.claims += 1;
        self.paid_cents += outcome.paid_cents;
        self.denied += usize::from(outcome.denied);
        self.partly_denied += usize::from(!outcome.denied && outcome.cause.is_some());
        self.review += usize::from(!outcome.is_clean());
        if let Some(cause) = outcome.cause {
            let entry = self.denied_by_cause.entry(cause).or_default();
            entry.0 += 1;
            entry.1 += outcome.denied_cents;
        }
    }
}

/// Dollars with two decimals, as a biller reads them.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

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
                money(payment.total_cents),
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
                money(claim.charge_cents),
                money(claim.paid_cents),
                money(claim.patient_responsibility_cents),
                denial,
                why
            )?;
            if outcome.imbalance_cents != 0 {
                writeln!(
                    out,
                    "    does not balance: off by {}",
                    money(outcome.imbalance_cents)
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

fn print_summary(out: &mut impl Write, format: Format, tally: &Tally) -> anyhow::Result<()> {
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
                money(tally.paid_cents),
                tally.denied,
                tally.partly_denied,
                tally.review,
                tally.duplicates
            )?;
            for (cause, (claims, cents)) in &tally.denied_by_cause {
                writeln!(
                    out,
                    "  {cause}: {claims} claim(s), {} denied",
                    money(*cents)
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

impl<'m> Poster<'m> {
    fn connect(url: &str) -> anyhow::Result<Self> {
        let (runtime, store) = crate::setup::store(url)?;
        let posting = runtime.block_on(store.begin_posting())?;
        Ok(Self {
            runtime,
            store,
            posting: Some(posting),
            current: None,
            next_seq: 0,
            batch: Vec::new(),
            unmatched_claims: 0,
            unmatched_lines: 0,
            posted_claims: 0,
            review_added: 0,
            payee: PayeeIds::default(),
        })
    }

    /// The runtime and the open posting, borrowed together.
    fn parts(&mut self) -> anyhow::Result<(&tokio::runtime::Runtime, &mut Posting)> {
        let posting = self
            .posting
            .as_mut()
            .context("the posting has already been committed")?;
        Ok((&self.runtime, posting))
    }

    /// Starts a payment; `Duplicate` means its claims are to be skipped.
    fn start(&mut self, payment: &Payment) -> anyhow::Result<Started> {
        self.flush()?;
        let record = RemittanceRecord {
            payer_key: payment.payer_key(),
            trace_number: &payment.trace_number,
            payer_name: &payment.payer.name,
            payment_cents: payment.total_cents,
            payment_date: payment.payment_date,
            method: &payment.method,
        };
        let started = {
            let (runtime, posting) = self.parts()?;
            runtime.block_on(posting.start(&record))?
        };
        self.current = match started {
            Started::New(id) => Some(id),
            Started::Duplicate { .. } => None,
        };
        self.next_seq = 0;
        self.payee = payment.payee_ids();
        Ok(started)
    }

    fn push(&mut self, claim: ClaimPayment, outcome: ClaimOutcome<'m>) -> anyhow::Result<()> {
        self.batch.push((claim, outcome));
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn provider_adjustment(&mut self, adjustment: ProviderAdjustmentRecord) -> anyhow::Result<()> {
        let Some(id) = self.current else {
            return Ok(());
        };
        let (runtime, posting) = self.parts()?;
        runtime.block_on(posting.add_provider_adjustment(id, &adjustment))?;
        Ok(())
    }

    /// Links the buffered claims to our submissions and inserts them.
    fn flush(&mut self) -> anyhow::Result<()> {
        let Some(id) = self.current else {
            self.batch.clear();
            return Ok(());
        };
        if self.batch.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = self
            .batch
            .iter()
            .map(|(c, _)| c.patient_control_number.to_string())
            .collect();
        let submitted = self.runtime.block_on(self.store.line_controls_of(
            &ids,
            &self.payee.npi,
            &self.payee.tax_id,
        ))?;
        let posted: Vec<PostedClaim> = self
            .batch
            .drain(..)
            .map(|(claim, outcome)| {
                let ours = submitted
                    .get_key_value(claim.patient_control_number.as_str())
                    .map(|(id, lines)| Submitted {
                        claim_id: id,
                        line_controls: lines,
                    });
                let linked = link(&claim, ours);
                self.posted_claims += 1;
                match &linked.claim_id {
                    None => self.unmatched_claims += 1,
                    Some(_) => {
                        self.unmatched_lines += linked
                            .lines
                            .iter()
                            .filter(|l| **l == LineLink::Unmatched)
                            .count();
                    }
                }
                let needs_review = !outcome.is_clean() || !linked.is_complete();
                if outcome.is_clean() && needs_review {
                    self.review_added += 1;
                }
                let line_control = |line: Option<usize>| {
                    let index = line?;
                    let remit_line = claim.lines.get(index)?;
                    match linked.lines.get(index)? {
                        LineLink::Control(_) => {
                            remit_line.control_number.as_ref().map(ToString::to_string)
                        }
                        LineLink::Position(ours) => ours_control(&submitted, &claim, *ours),
                        LineLink::Unmatched => None,
                    }
                };
                PostedClaim {
                    claim_id: claim.patient_control_number.to_string(),
                    matched: linked.claim_id.is_some(),
                    status: claim.status.map_or("", ClaimStatus::code).to_owned(),
                    charge_cents: claim.charge_cents,
                    paid_cents: claim.paid_cents,
                    patient_responsibility_cents: claim.patient_responsibility_cents,
                    payer_claim_number: claim.payer_claim_number.to_string(),
                    denied: outcome.denied,
                    denied_lines: i32::try_from(outcome.denied_lines).unwrap_or(i32::MAX),
                    denied_cents: outcome.denied_cents,
                    cause: outcome.cause.map(|c| c.name().to_owned()),
                    needs_review,
                    adjustments: outcome
                        .adjustments
                        .iter()
                        .map(|a| PostedAdjustment {
                            line_control: line_control(a.line),
                            group: a.group.code().to_owned(),
                            reason: a.reason.to_string(),
                            amount_cents: a.amount_cents,
                            category: a.category.name().to_owned(),
                        })
                        .collect(),
                }
            })
            .collect();
        let first = self.next_seq;
        self.next_seq += i32::try_from(posted.len()).unwrap_or(i32::MAX);
        let (runtime, posting) = self.parts()?;
        runtime.block_on(posting.add_claims(id, first, &posted))?;
        Ok(())
    }

    /// Commits everything posted; returns (claims posted, claims not ours, lines not placed).
    fn commit(mut self) -> anyhow::Result<PostingCounts> {
        self.flush()?;
        if let Some(posting) = self.posting.take() {
            self.runtime.block_on(posting.commit())?;
        }
        Ok(PostingCounts {
            posted: self.posted_claims,
            unmatched_claims: self.unmatched_claims,
            unmatched_lines: self.unmatched_lines,
            review_added: self.review_added,
        })
    }
}

impl Drop for Poster<'_> {
    /// A posting not committed (bad input half way) is rolled back: nothing of the file stays.
    fn drop(&mut self) {
        if let Some(posting) = self.posting.take() {
            let _ = self.runtime.block_on(posting.rollback());
        }
    }
}

fn ours_control(
    submitted: &std::collections::HashMap<String, Vec<String>>,
    claim: &ClaimPayment,
    index: usize,
) -> Option<String> {
    submitted
        .get(claim.patient_control_number.as_str())?
        .get(index)
        .cloned()
}
