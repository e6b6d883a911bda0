//! `cleanclaim x12 validate`: envelope checks for any X12 file, and the 837P implementation
//! guide's loops, elements and cross-segment rules for professional claims.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;

use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum X12Command {
    /// Validate X12 files; every error names the segment number, segment id and element.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub fn run(command: &X12Command) -> anyhow::Result<Outcome> {
    let X12Command::Validate { files } = command;
    let mut outcome = Outcome::Clean;
    let mut out = crate::output::stdout();
    for path in files {
        let bytes = crate::files::read_bytes(path, "X12 file", crate::files::TABLE)?;
        let Ok(text) = String::from_utf8(bytes) else {
            writeln!(
                out,
                "{}: not UTF-8 text; X12 uses the basic and extended character sets",
                path.display()
            )?;
            outcome = Outcome::BadInput;
            continue;
        };
        let report = cleanclaim_x12::validate(&text);
        for error in &report.errors {
            writeln!(out, "{}: {error}", path.display())?;
        }
        let sets: Vec<String> = report
            .transactions
            .iter()
            .map(|(code, version)| format!("{code} {version}"))
            .collect();
        writeln!(
            out,
            "{}: {} ({} segment(s), {} error(s){}; transaction sets: {})",
            path.display(),
            if report.is_valid() {
                "valid"
            } else {
                "invalid"
            },
            report.segments,
            report.errors.len(),
            if report.fatal {
                ", reading stopped"
            } else {
                ""
            },
            if sets.is_empty() {
                "none".to_owned()
            } else {
                sets.join(", ")
            }
        )?;
        if !report.is_valid() {
            outcome = outcome.max(Outcome::Findings);
        }
    }
    out.flush()?;
    Ok(outcome)
}
