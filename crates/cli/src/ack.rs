//! `cleanclaim ack`: read TA1, 999 and 277CA acknowledgments, print each verdict with its
//! reasons, and with `--post` record them against the claims we submitted (a rejection is a
//! technical rejection of those claims).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use cleanclaim_store::Acknowledgment as Recorded;
use cleanclaim_x12::ack::codes::{element_error, segment_error, set_error};
use cleanclaim_x12::ack::{
    AckFile, Acknowledgment, ClaimsAck, FunctionalAck, InterchangeAck, SetAck, StatusVerdict,
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
    #[arg(long, env = "DATABASE_URL", required_if_eq("post", "true"))]
    database_url: Option<String>,
}

pub fn run(args: &AckArgs) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
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
    if args.post
        && let Some(url) = &args.database_url
    {
        let (recorded, new, unknown) = post(url, &file)?;
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
    let reasons: Vec<String> = set
        .errors
        .iter()
        .map(|e| format!("{e}: {}", set_error(e)))
        .collect();
    format!(
        "  {} set {}: {}{}",
        set.code,
        set.control,
        if set.status.accepted() {
            "accepted"
        } else {
            "REJECTED"
        },
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join("; "))
        }
    )
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

/// The verdict for each claim we can name; returns (verdicts, new ones, acknowledgments
/// that name nothing of ours).
fn post(url: &str, file: &AckFile) -> anyhow::Result<(usize, u64, usize)> {
    let (runtime, store) = crate::setup::store(url)?;
    let mut records = Vec::new();
    let mut unknown = 0;
    let number = |text: &str| text.trim().parse::<i64>().ok();
    for ack in &file.acknowledgments {
        match ack {
            Acknowledgment::Interchange(ta1) => {
                let ids = match number(&ta1.control) {
                    Some(control) => {
                        runtime.block_on(store.claims_in_interchange(&file.receiver, control))?
                    }
                    None => Vec::new(),
                };
                unknown += usize::from(ids.is_empty());
                records.extend(ids.into_iter().map(|claim_id| Recorded {
                    claim_id,
                    source: "TA1",
                    reference: format!("{}/{}", file.interchange_control, ta1.control),
                    accepted: ta1.accepted(),
                    detail: format!("TA1 {} note {}", ta1.status, ta1.note),
                }));
            }
            Acknowledgment::Functional(fa) => {
                for set in &fa.sets {
                    let ids = match number(&set.control) {
                        Some(control) => runtime
                            .block_on(store.claims_in_transaction(&file.receiver, control))?,
                        None => Vec::new(),
                    };
                    unknown += usize::from(ids.is_empty());
                    for claim_id in ids {
                        let errors: Vec<String> = set
                            .segment_errors
                            .iter()
                            .filter(|e| e.claim_id.as_deref().is_none_or(|c| c == claim_id))
                            .map(|e| {
                                format!(
                                    "{}@{} {}",
                                    e.segment_id,
                                    e.position,
                                    segment_error(&e.code)
                                )
                            })
                            .collect();
                        records.push(Recorded {
                            reference: format!("{}/{}", file.interchange_control, fa.control),
                            source: "999",
                            accepted: set.status.accepted(),
                            detail: format!("{}; {}", set_line(set).trim(), errors.join("; ")),
                            claim_id,
                        });
                    }
                }
            }
            Acknowledgment::Claims(ca) => {
                // Ours means submitted by the sender this acknowledgment is addressed to.
                let ids: Vec<String> = ca.claims.iter().map(|c| c.claim_id.clone()).collect();
                let known = runtime.block_on(store.already_submitted(&file.receiver, &ids))?;
                for claim in &ca.claims {
                    if !known.contains(&claim.claim_id) {
                        unknown += 1;
                        continue;
                    }
                    if claim.verdict == StatusVerdict::Pending {
                        continue;
                    }
                    let statuses: Vec<String> =
                        claim.statuses.iter().map(|s| s.describe()).collect();
                    records.push(Recorded {
                        claim_id: claim.claim_id.clone(),
                        source: "277CA",
                        reference: format!("{}/{}", file.interchange_control, ca.control),
                        accepted: claim.verdict == StatusVerdict::Accepted,
                        detail: statuses.join("; "),
                    });
                }
            }
        }
    }
    let new = runtime.block_on(store.record_acknowledgments(&records))?;
    Ok((records.len(), new, unknown))
}
