//! `cleanclaim ack`: read TA1, 999 and 277CA acknowledgments, print each verdict with its
//! reasons, and with `--post` record them against the claims we submitted (a rejection is a
//! technical rejection of those claims).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use cleanclaim_app::{AckPosting, post_acknowledgments, set_summary};
use cleanclaim_x12::ack::codes::{element_error, segment_error};
use cleanclaim_x12::ack::{
    Acknowledgment, ClaimsAck, FunctionalAck, InterchangeAck, SetAck, StatusVerdict,
    read_acknowledgments,
};
use serde_json::json;

use crate::Outcome;
use crate::remit::Format;

#[derive(Debug, Args)]
pub struct AckArgs {
    /// The 999 or 277CA file (a TA1 may come with either).
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Record the verdicts against the claims we submitted.
    #[arg(long)]
    post: bool,
    #[command(flatten)]
    database: crate::setup::DatabaseArgs,
}

pub fn run(args: &AckArgs) -> anyhow::Result<Outcome> {
    let text = crate::files::read_text(&args.file, "acknowledgment", crate::files::RECORDS)?;
    let file = read_acknowledgments(&text).with_context(|| format!("{}", args.file.display()))?;
    let mut out = crate::output::stdout();
    for finding in &file.findings {
        eprintln!("{}: warning: {finding}", args.file.display());
    }
    let mut rejected = 0usize;
    for ack in &file.acknowledgments {
        rejected += match ack {
            Acknowledgment::Interchange(ta1) => usize::from(!ta1.accepted()),
            Acknowledgment::Functional(fa) => {
                fa.sets.iter().filter(|s| !s.status.accepted()).count()
            }
            Acknowledgment::Claims(ca) => ca
                .claims
                .iter()
                .filter(|c| c.verdict == StatusVerdict::Rejected)
                .count(),
        };
        match args.format {
            Format::Json => writeln!(out, "{}", json!(ack))?,
            Format::Table => match ack {
                Acknowledgment::Interchange(ta1) => print_ta1(&mut out, ta1)?,
                Acknowledgment::Functional(fa) => print_999(&mut out, fa)?,
                Acknowledgment::Claims(ca) => print_277ca(&mut out, ca)?,
            },
        }
    }
    out.flush()?;
    if args.post {
        let (runtime, store) = crate::setup::store(&args.database)?;
        let AckPosting {
            verdicts: recorded,
            new,
            unknown,
        } = runtime.block_on(post_acknowledgments(&store, &file))?;
        eprintln!(
            "{}: {recorded} claim verdict(s), {new} new; {unknown} acknowledgment(s) name nothing we submitted",
            args.file.display()
        );
    }
    Ok(if rejected == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn print_ta1(out: &mut impl Write, ta1: &InterchangeAck) -> anyhow::Result<()> {
    let verdict = match ta1.status.as_str() {
        "A" => "accepted",
        "E" => "accepted with errors",
        _ => "REJECTED",
    };
    writeln!(
        out,
        "TA1 for interchange {}: {verdict} (note {})",
        ta1.control, ta1.note
    )?;
    Ok(())
}

fn set_line(set: &SetAck) -> String {
    format!("  {}", set_summary(set))
}

fn print_999(out: &mut impl Write, fa: &FunctionalAck) -> anyhow::Result<()> {
    writeln!(
        out,
        "999 {} for group {} ({} {}): {:?}, {} of {} set(s) accepted",
        fa.control,
        fa.group_control,
        fa.functional_id,
        fa.group_version,
        fa.group_status,
        fa.accepted,
        fa.included
    )?;
    for set in &fa.sets {
        writeln!(out, "{}", set_line(set))?;
        for error in &set.segment_errors {
            writeln!(
                out,
                "    {} at segment {}{}{}: {}",
                error.segment_id,
                error.position,
                if error.loop_id.is_empty() {
                    String::new()
                } else {
                    format!(" in loop {}", error.loop_id)
                },
                error
                    .claim_id
                    .as_ref()
                    .map(|c| format!(" (claim {c})"))
                    .unwrap_or_default(),
                segment_error(&error.code)
            )?;
            for element in &error.elements {
                writeln!(
                    out,
                    "      element {}: {}",
                    element.position,
                    element_error(&element.code)
                )?;
            }
        }
    }
    Ok(())
}

fn print_277ca(out: &mut impl Write, ca: &ClaimsAck) -> anyhow::Result<()> {
    writeln!(out, "277CA {}: {} claim(s)", ca.control, ca.claims.len())?;
    for claim in &ca.claims {
        let statuses: Vec<String> = claim.statuses.iter().map(|s| s.describe()).collect();
        writeln!(
            out,
            "  claim {}: {:?} {}{}",
            claim.claim_id,
            claim.verdict,
            statuses.join("; "),
            claim
                .payer_claim_number
                .as_ref()
                .map(|n| format!(" (payer claim {n})"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}
