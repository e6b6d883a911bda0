//! `cleanclaim x12 validate`: envelope checks for any X12 file, and the 837P implementation
//! guide's loops, elements and cross-segment rules for professional claims.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use cleanclaim_x12::{SetCount, Summary};

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
        let file = crate::files::open_stream(path)?;
        // Errors are printed as the validator finds them: a file of any size is checked in
        // the memory of one buffer and one transaction set's errors.
        let mut printing = Ok(());
        let summary = cleanclaim_x12::validate_reader(file, |error| {
            if printing.is_ok() {
                printing = writeln!(out, "{}: {error}", path.display());
            }
        })
        .with_context(|| format!("cannot read `{}`", path.display()))?;
        printing?;
        writeln!(
            out,
            "{}: {} ({} segment(s), {} error(s){}; transaction sets: {})",
            path.display(),
            verdict(&summary),
            summary.segments,
            summary.errors,
            if summary.fatal {
                ", reading stopped"
            } else {
                ""
            },
            summarize_sets(&summary.sets)
        )?;
        if !summary.is_valid() {
            outcome = outcome.max(Outcome::Findings);
        }
    }
    out.flush()?;
    Ok(outcome)
}

/// A file with no error is still not called valid when a set in it was not checked against
/// its own guide (a 277 claim status response, a 4010 file).
fn verdict(summary: &Summary) -> &'static str {
    if summary.is_valid() {
        "valid"
    } else if summary.errors > 0 {
        "invalid"
    } else {
        "not validated: envelope checked, guide not checked"
    }
}

/// The transaction sets of a file, each kind once in the order first met, with a count when
/// it repeats and the guide applied (`835 005010X221A1 x 1000000 (835 guide checked)`).
fn summarize_sets(sets: &[SetCount]) -> String {
    if sets.is_empty() {
        return "none".to_owned();
    }
    sets.iter()
        .map(|set| match set.count {
            1 => format!("{} {} ({})", set.code, set.version, set.guide.describe()),
            n => format!(
                "{} {} x {n} ({})",
                set.code,
                set.version,
                set.guide.describe()
            ),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use cleanclaim_x12::Guide;

    #[test]
    fn repeated_sets_are_counted_not_listed_and_name_their_guide() {
        let set = |code: &str, version: &str, guide, count| SetCount {
            code: code.to_owned(),
            version: version.to_owned(),
            guide,
            count,
        };
        let sets = [
            set("835", "005010X221A1", Guide::Remittance, 1000),
            set("277", "005010X212", Guide::EnvelopeOnly, 1),
        ];
        assert_eq!(
            summarize_sets(&sets),
            "835 005010X221A1 x 1000 (835 guide checked), 277 005010X212 (envelope checked, guide not checked)"
        );
        assert_eq!(summarize_sets(&[]), "none");
    }
}
