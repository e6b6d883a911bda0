//! Printing scrub results: a table for people, NDJSON for programs.
//!
//! The JSON shapes here are the serializable counterpart of the engine's types (the engine's
//! own types are not serde types, so the output format can evolve without touching them).

use std::fmt;
use std::io::Write;

use cleanclaim_billing::{Derivation, Severity};
use cleanclaim_model::Encounter;
use serde::Serialize;

use crate::Outcome;

#[derive(Serialize)]
struct EncounterReport<'a> {
    encounter_id: &'a str,
    date_of_service: String,
    discipline: &'a str,
    payer_policy: &'a str,
    unit_method: &'a str,
    place_of_service: PosReport,
    clean: bool,
    lines: Vec<LineReport>,
    findings: Vec<FindingReport>,
}

#[derive(Serialize)]
struct PosReport {
    code: String,
    explanation: String,
}

#[derive(Serialize)]
struct LineReport {
    code: String,
    units: u32,
    modifiers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    charge_cents: Option<i64>,
    explanation: String,
}

#[derive(Serialize)]
struct FindingReport {
    rule: &'static str,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    message: String,
    fix: &'static str,
    source: &'static str,
}

fn build<'a>(encounter: &'a Encounter, derivation: &'a Derivation<'_>) -> EncounterReport<'a> {
    EncounterReport {
        encounter_id: &encounter.id,
        date_of_service: encounter.date_of_service.to_string(),
        discipline: encounter.discipline.label(),
        payer_policy: &derivation.policy.id,
        unit_method: derivation.unit_method.name(),
        place_of_service: PosReport {
            code: derivation.place_of_service.place_of_service.to_string(),
            explanation: derivation.place_of_service.to_string(),
        },
        clean: derivation.is_clean(),
        lines: derivation
            .lines
            .iter()
            .map(|line| LineReport {
                code: line.code.to_string(),
                units: line.units,
                modifiers: line.modifier_codes().map(|m| m.to_string()).collect(),
                minutes: line.minutes,
                charge_cents: line.charge.map(|c| c.0),
                explanation: line.explanation(),
            })
            .collect(),
        findings: derivation
            .findings
            .iter()
            .map(|finding| FindingReport {
                rule: finding.rule.id,
                severity: finding.severity().name(),
                code: finding.code.map(|c| c.to_string()),
                message: finding.message.clone(),
                fix: finding.rule.fix,
                source: finding.rule.source,
            })
            .collect(),
    }
}

/// One NDJSON line for the encounter.
pub fn write_json(
    out: &mut impl Write,
    encounter: &Encounter,
    derivation: &Derivation<'_>,
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &build(encounter, derivation))?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A readable block for the encounter.
pub fn write_table(
    out: &mut impl Write,
    encounter: &Encounter,
    derivation: &Derivation<'_>,
    color: bool,
) -> anyhow::Result<()> {
    let report = build(encounter, derivation);
    let (bold, red, yellow, green, reset) = if color {
        ("\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "", "", "")
    };
    let status = if report.clean {
        format!("{green}clean{reset}")
    } else {
        format!("{red}{} finding(s){reset}", report.findings.len())
    };
    writeln!(
        out,
        "{bold}{}{reset}  {}  {}  payer {} ({})  POS {}  {status}",
        report.encounter_id,
        report.date_of_service,
        report.discipline,
        report.payer_policy,
        report.unit_method,
        report.place_of_service.code
    )?;
    writeln!(
        out,
        "  {:<6} {:>5}  {:<12} {:>4} {:>9}  explanation",
        "code", "units", "modifiers", "min", "charge"
    )?;
    for line in &report.lines {
        let minutes = line
            .minutes
            .map_or_else(|| "-".to_owned(), |m| m.to_string());
        let charge = line.charge_cents.map_or_else(
            || "-".to_owned(),
            |c| cleanclaim_model::Cents(c).to_string(),
        );
        writeln!(
            out,
            "  {:<6} {:>5}  {:<12} {:>4} {:>9}  {}",
            line.code,
            line.units,
            line.modifiers.join(" "),
            minutes,
            charge,
            line.explanation
        )?;
    }
    if report.place_of_service.code != encounter.administrative.place_of_service.as_str()
        || encounter.administrative.modality != Default::default()
    {
        writeln!(out, "  {}", report.place_of_service.explanation)?;
    }
    for finding in &report.findings {
        let paint = if finding.severity == Severity::Hold.name() {
            red
        } else {
            yellow
        };
        writeln!(
            out,
            "  {paint}{:<4}{reset} {}  {}",
            finding.severity.to_uppercase(),
            finding.rule,
            finding.message
        )?;
        writeln!(out, "       fix: {}", finding.fix)?;
        writeln!(out, "       source: {}", finding.source)?;
    }
    writeln!(out)?;
    Ok(())
}

/// Counts for the summary line and the exit code.
#[derive(Debug, Default)]
pub struct Summary {
    pub clean: u64,
    pub with_findings: u64,
    pub rejected: u64,
    pub holds: u64,
}

impl Summary {
    pub fn record(&mut self, derivation: &Derivation<'_>) {
        if derivation.is_clean() {
            self.clean += 1;
        } else {
            self.with_findings += 1;
        }
        if derivation
            .findings
            .iter()
            .any(|f| f.severity() == Severity::Hold)
        {
            self.holds += 1;
        }
    }

    pub fn outcome(&self) -> Outcome {
        if self.rejected > 0 {
            Outcome::BadInput
        } else if self.with_findings > 0 {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} encounter(s): {} clean, {} with findings ({} held), {} rejected",
            self.clean + self.with_findings + self.rejected,
            self.clean,
            self.with_findings,
            self.holds,
            self.rejected
        )
    }
}
