//! `cleanclaim audit verify`: checks the audit log's hash chain end to end and names every
//! row that was edited, deleted or moved. Exit 0 when intact, 1 when not.

use std::io::Write;

use clap::{Args, Subcommand};

use crate::Outcome;
use crate::setup::{self, DatabaseArgs};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; print the head to record elsewhere.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// A head recorded earlier (`SEQ:HASH`, as this command prints it): the chain must still
    /// hold that row with that hash, so newest rows cut off are found too.
    #[arg(long)]
    expect_head: Option<String>,
}

pub fn run(command: &AuditCommand) -> anyhow::Result<Outcome> {
    let AuditCommand::Verify(args) = command;
    let (runtime, store) = setup::store(&args.database)?;
    let verification = runtime.block_on(store.verify_audit())?;
    let mut out = crate::output::stdout();
    let mut broken = !verification.breaks.is_empty();
    for problem in &verification.breaks {
        writeln!(out, "broken: {problem}")?;
    }
    if let Some(expected) = &args.expect_head {
        let (seq, hash) = expected
            .split_once(':')
            .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok()?, hash)))
            .ok_or_else(|| {
                anyhow::anyhow!("--expect-head takes SEQ:HASH, as `audit verify` prints it")
            })?;
        let rows = runtime.block_on(store.audit_events(&cleanclaim_store::AuditFilter {
            before_seq: Some(seq + 1),
            limit: 1,
            ..Default::default()
        }))?;
        match rows.first() {
            Some(row) if row.seq == seq && row.hash == hash => {}
            _ => {
                broken = true;
                writeln!(
                    out,
                    "broken: the recorded head {seq} is not in the chain as recorded: rows were removed or rewritten"
                )?;
            }
        }
    }
    match &verification.head {
        Some((seq, hash)) => writeln!(out, "{} rows; head {seq}:{hash}", verification.rows)?,
        None => writeln!(out, "the audit log is empty")?,
    }
    writeln!(out, "{}", if broken { "NOT intact" } else { "intact" })?;
    out.flush()?;
    Ok(if broken {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
