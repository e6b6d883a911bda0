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
        let sets = summarize_sets(&report.transactions);
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
            sets
        )?;
        if !report.is_valid() {
            outcome = outcome.max(Outcome::Findings);
        }
    }
    out.flush()?;
    Ok(outcome)
}

/// The transaction sets of a file, each kind once in the order first met, with a count when
/// it repeats (`835 005010X221A1 x 1000000`): a file of a million sets gets a short line, not
/// a million names.
fn summarize_sets(transactions: &[(String, String)]) -> String {
    let mut kinds: Vec<(&str, &str, usize)> = Vec::new();
    for (code, version) in transactions {
        match kinds
            .iter_mut()
            .find(|(c, v, _)| *c == code.as_str() && *v == version.as_str())
        {
            Some(kind) => kind.2 += 1,
            None => kinds.push((code, version, 1)),
        }
    }
    if kinds.is_empty() {
        return "none".to_owned();
    }
    kinds
        .iter()
        .map(|(code, version, count)| match count {
            1 => format!("{code} {version}"),
            n => format!("{code} {version} x {n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_sets_are_counted_not_listed() {
        let sets: Vec<(String, String)> = (0..1000)
            .map(|_| ("835".to_owned(), "005010X221A1".to_owned()))
            .chain([("999".to_owned(), "005010X231A1".to_owned())])
            .collect();
        assert_eq!(
            summarize_sets(&sets),
            "835 005010X221A1 x 1000, 999 005010X231A1"
        );
        assert_eq!(summarize_sets(&[]), "none");
    }
}
