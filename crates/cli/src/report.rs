//! Printing scrub results: a table for people, NDJSON for programs.
//!
//! The JSON shapes here are the serializable counterpart of the engine's types (the engine's
//! own types are not serde types, so the output format can evolve without touching them).

use std::fmt;
use std::io::Write;

use cleanclaim_billing::{PackSelection, Queue, Severity};
use cleanclaim_model::Encounter;
use cleanclaim_scrub::ScrubResult;
use serde::Serialize;

use crate::Outcome;

#[derive(Serialize)]
struct EncounterReport<'a> {
    encounter_id: &'a str,
    date_of_service: String,
    discipline: &'a str,
    queue: &'static str,
    rule_pack: &'a str,
    /// `payer_id` (a pack names the payer), `plan_default` (none does: the plan type's
    /// default applies) or `forced` (`--payer`).
    rule_pack_chosen_by: &'static str,
    rule_pack_version: &'a str,
    rules_from: String,
    unit_method: &'a str,
    place_of_service: PosReport,
    clean: bool,
    lines: Vec<LineReport>,
    findings: Vec<FindingReport<'a>>,
    /// The authorization the visit drew on, after the visit.
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization: Option<AuthorizationReport<'a>>,
    /// The plan's annual and lifetime limits after the visit, when the pack sets any.
    #[serde(skip_serializing_if = "Option::is_none")]
    benefits: Option<BenefitReport>,
}

#[derive(Serialize)]
struct BenefitReport {
    disciplines: Vec<&'static str>,
    year: i32,
    visits_used: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    visits_left: Option<u32>,
    charges_used_cents: cleanclaim_model::Cents,
    #[serde(skip_serializing_if = "Option::is_none")]
    charges_left_cents: Option<cleanclaim_model::Cents>,
    /// The condition (ICD-10-CM category) the lifetime figures count, when the pack counts
    /// them per condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    lifetime_condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifetime_visits_used: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifetime_visits_left: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifetime_charges_used_cents: Option<cleanclaim_model::Cents>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifetime_charges_left_cents: Option<cleanclaim_model::Cents>,
}

impl BenefitReport {
    fn new(standing: &cleanclaim_scrub::BenefitStanding) -> Self {
        let lifetime_visits = standing.lifetime_visits_allowed.is_some();
        let lifetime_charges = standing.lifetime_charges_allowed.is_some();
        Self {
            disciplines: standing.disciplines.iter().map(|d| d.label()).collect(),
            year: standing.year,
            visits_used: standing.visits_used,
            visits_left: standing.visits_left(),
            charges_used_cents: standing.charges_used,
            charges_left_cents: standing.charges_left(),
            lifetime_condition: standing.lifetime_condition.clone(),
            lifetime_visits_used: lifetime_visits.then_some(standing.lifetime_visits_used),
            lifetime_visits_left: standing.lifetime_visits_left(),
            lifetime_charges_used_cents: lifetime_charges.then_some(standing.lifetime_charges_used),
            lifetime_charges_left_cents: standing.lifetime_charges_left(),
        }
    }
}

#[derive(Serialize)]
struct AuthorizationReport<'a> {
    number: &'a str,
    visits_used: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    visits_left: Option<u32>,
    units_used: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    units_left: Option<u32>,
    ends: String,
    days_left: i64,
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
    /// This line's own minutes (for half of an assistant split, that half's).
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes: Option<u32>,
    /// The code's minutes for the day, when the line is half of an assistant split.
    #[serde(skip_serializing_if = "Option::is_none")]
    code_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    charge_cents: Option<cleanclaim_model::Cents>,
    explanation: String,
}

#[derive(Serialize)]
struct FindingReport<'a> {
    rule: &'a str,
    severity: &'static str,
    queue: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    message: String,
    fix: &'a str,
    source: &'a str,
    fields: Vec<&'a str>,
}

fn build<'a>(encounter: &'a Encounter, result: &'a ScrubResult<'_>) -> EncounterReport<'a> {
    let derivation = &result.derivation;
    EncounterReport {
        encounter_id: &encounter.id,
        date_of_service: encounter.date_of_service.to_string(),
        discipline: encounter.discipline.label(),
        queue: result.queue.name(),
        rule_pack: &result.pack.id,
        rule_pack_chosen_by: result.pack_selection.name(),
        rule_pack_version: &result.pack.version,
        rules_from: result.period.from.to_string(),
        unit_method: derivation.unit_method.name(),
        place_of_service: PosReport {
            code: derivation.place_of_service.place_of_service.to_string(),
            explanation: derivation.place_of_service.to_string(),
        },
        clean: result.is_clean(),
        lines: derivation
            .lines
            .iter()
            .map(|line| LineReport {
                code: line.code.to_string(),
                units: line.units,
                modifiers: line.modifier_codes().map(|m| m.to_string()).collect(),
                minutes: line.own_minutes(),
                code_minutes: line.assistant_split.and(line.minutes),
                charge_cents: line.charge,
                explanation: line.explanation(),
            })
            .collect(),
        findings: result
            .findings
            .iter()
            .map(|finding| FindingReport {
                rule: &finding.rule.id,
                severity: finding.severity.name(),
                queue: finding.rule.queue.name(),
                code: finding.code.map(|c| c.to_string()),
                message: finding.message.clone(),
                fix: &finding.rule.fix,
                source: &finding.rule.source,
                fields: finding.rule.fields.iter().map(|f| &**f).collect(),
            })
            .collect(),
        authorization: result.authorization.as_ref().map(|a| AuthorizationReport {
            number: &a.number,
            visits_used: a.visits_used,
            visits_left: a.visits_left(),
            units_used: a.units_used,
            units_left: a.units_left(),
            ends: a.ends.to_string(),
            days_left: a.days_left,
        }),
        benefits: result.benefits.as_ref().map(BenefitReport::new),
    }
}

/// One NDJSON line for the encounter.
pub fn write_json(
    out: &mut impl Write,
    encounter: &Encounter,
    result: &ScrubResult<'_>,
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &build(encounter, result))?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A readable block for the encounter.
pub fn write_table(
    out: &mut impl Write,
    encounter: &Encounter,
    result: &ScrubResult<'_>,
    color: bool,
) -> anyhow::Result<()> {
    let report = build(encounter, result);
    let (bold, red, yellow, green, reset) = if color {
        ("\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "", "", "")
    };
    let status = match (result.queue, report.clean) {
        (Queue::ReadyToBill, true) => format!("{green}ready_to_bill{reset}"),
        (Queue::ReadyToBill, false) => format!(
            "{green}ready_to_bill{reset} {yellow}{} note(s){reset}",
            report.findings.len()
        ),
        (queue, _) => format!(
            "{red}{}{reset} ({} finding(s))",
            queue.name(),
            report.findings.len()
        ),
    };
    let chosen = match result.pack_selection {
        PackSelection::PayerId => String::new(),
        PackSelection::Forced => "forced by --payer, ".to_owned(),
        PackSelection::PlanDefault => format!(
            "plan default: no pack names payer {}, ",
            encounter.administrative.payer.id
        ),
    };
    writeln!(
        out,
        "{bold}{}{reset}  {}  {}  pack {} {} ({chosen}rules from {}, {})  POS {}  {status}",
        report.encounter_id,
        report.date_of_service,
        report.discipline,
        report.rule_pack,
        report.rule_pack_version,
        report.rules_from,
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
        let charge = line
            .charge_cents
            .map_or_else(|| "-".to_owned(), |c| c.to_string());
        let row = format!(
            "  {:<6} {:>5}  {:<12} {:>4} {:>9}  ",
            line.code,
            line.units,
            line.modifiers.join(" "),
            minutes,
            charge,
        );
        write_wrapped(out, &row, &line.explanation)?;
    }
    if report.place_of_service.code != encounter.administrative.place_of_service.as_str()
        || encounter.administrative.modality != Default::default()
    {
        writeln!(out, "  {}", report.place_of_service.explanation)?;
    }
    if let Some(benefits) = &result.benefits {
        writeln!(out, "  {benefits}")?;
    }
    if let Some(authorization) = &result.authorization {
        writeln!(out, "  {authorization}")?;
    }
    for finding in &report.findings {
        let paint = if finding.severity == Severity::Hold.name() {
            red
        } else {
            yellow
        };
        writeln!(
            out,
            "  {paint}{:<4}{reset} {}",
            finding.severity.to_uppercase(),
            finding.rule,
        )?;
        write_wrapped(out, "       ", &finding.message)?;
        write_wrapped(out, "       fix: ", finding.fix)?;
        if !finding.fields.is_empty() {
            write_wrapped(out, "       looked at: ", &finding.fields.join(", "))?;
        }
        write_wrapped(out, "       source: ", finding.source)?;
    }
    writeln!(out)?;
    Ok(())
}

/// The table's width: long explanations wrap under their column instead of making
/// 400-character rows.
const TABLE_WIDTH: usize = 110;

/// Writes `prefix` and `text`, wrapping `text` at word boundaries so that no line passes
/// `TABLE_WIDTH`; continuation lines are indented to where `text` started.
fn write_wrapped(out: &mut impl Write, prefix: &str, text: &str) -> std::io::Result<()> {
    let indent = prefix.chars().count();
    let room = TABLE_WIDTH.saturating_sub(indent).max(30);
    let mut line = String::new();
    let mut first = true;
    for word in text.split_whitespace() {
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > room {
            writeln!(
                out,
                "{}{line}",
                if first {
                    prefix.to_owned()
                } else {
                    " ".repeat(indent)
                }
            )?;
            first = false;
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    writeln!(
        out,
        "{}{line}",
        if first {
            prefix.to_owned()
        } else {
            " ".repeat(indent)
        }
    )
}

/// Counts per work queue, for the closing line and the exit code.
#[derive(Debug, Default)]
pub struct Summary {
    pub clean: u64,
    pub with_findings: u64,
    pub rejected: u64,
    /// Encounters per queue, in `Queue::ALL` order.
    pub queues: [u64; 4],
}

impl Summary {
    pub fn record(&mut self, result: &ScrubResult<'_>) {
        if result.is_clean() {
            self.clean += 1;
        } else {
            self.with_findings += 1;
        }
        if let Some(count) = Queue::ALL
            .iter()
            .position(|queue| *queue == result.queue)
            .and_then(|index| self.queues.get_mut(index))
        {
            *count += 1;
        }
    }

    /// Adds counts kept apart (by another worker) to these.
    pub fn merge(&mut self, other: &Self) {
        self.clean += other.clean;
        self.with_findings += other.with_findings;
        self.rejected += other.rejected;
        for (ours, theirs) in self.queues.iter_mut().zip(other.queues) {
            *ours += theirs;
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
            "{} encounter(s): {} clean, {} with findings, {} rejected;",
            self.clean + self.with_findings + self.rejected,
            self.clean,
            self.with_findings,
            self.rejected
        )?;
        for (queue, count) in Queue::ALL.iter().zip(self.queues) {
            write!(f, " {} {count}", queue.name())?;
        }
        Ok(())
    }
}
