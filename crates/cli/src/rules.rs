//! `cleanclaim rules`: check rule packs, explain a rule, list rules, and write the rule
//! reference (docs/rules.md) from the packs.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use cleanclaim_billing::pack::{Setting, VARIABLES, plan_name};
use cleanclaim_billing::{Engine, Queue, Rule, RulePacks, rules};

use crate::Outcome;
use crate::setup;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Check the rule packs of a folder (with the built-in packs they replace or extend).
    Check {
        /// A folder of rule packs (*.toml).
        dir: PathBuf,
    },
    /// Print a rule: severity, queue, the fields it reads, how to fix it, its source, and
    /// what each pack does with it.
    Explain {
        /// A rule id, e.g. doc.progress-report-overdue.
        rule: String,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// List every rule.
    List {
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Write the rule reference in Markdown (docs/rules.md is made with this).
    Docs {
        #[command(flatten)]
        packs: PackArgs,
    },
}

#[derive(Debug, Args)]
pub struct PackArgs {
    /// A folder of rule packs that replace or add to the built-in ones.
    #[arg(long)]
    rules: Option<PathBuf>,
}

pub fn run(command: &RulesCommand) -> anyhow::Result<Outcome> {
    let engine = Engine::builtin()?;
    let mut out = crate::output::stdout();
    let outcome = write_command(command, &engine, &mut out)?;
    out.flush()?;
    Ok(outcome)
}

fn write_command(
    command: &RulesCommand,
    engine: &Engine,
    out: &mut impl Write,
) -> anyhow::Result<Outcome> {
    match command {
        RulesCommand::Check { dir } => {
            let packs = setup::packs(engine, Some(dir))?;
            let files = setup::read_pack_dir(dir)?;
            for (file, _) in &files {
                if let Some(pack) = packs.all().iter().find(|p| p.file == *file) {
                    writeln!(
                        out,
                        "{file}: ok: pack `{}` version {}, {} period(s), {} expression rule(s)",
                        pack.id,
                        pack.version,
                        pack.periods().len(),
                        pack.expression_rules().len()
                    )?;
                }
            }
            Ok(Outcome::Clean)
        }
        RulesCommand::Explain { rule, packs } => {
            let packs = setup::packs(engine, packs.rules.as_deref())?;
            write!(out, "{}", explain(&packs, rule)?)?;
            Ok(Outcome::Clean)
        }
        RulesCommand::List { packs } => {
            let packs = setup::packs(engine, packs.rules.as_deref())?;
            for rule in all_rules(&packs) {
                writeln!(
                    out,
                    "{:<48} {:<5} {}",
                    rule.id,
                    rule.severity.name(),
                    rule.queue.name()
                )?;
            }
            Ok(Outcome::Clean)
        }
        RulesCommand::Docs { packs } => {
            let packs = setup::packs(engine, packs.rules.as_deref())?;
            write!(out, "{}", docs(&packs))?;
            Ok(Outcome::Clean)
        }
    }
}

/// Built-in rules, then each pack's expression rules.
fn all_rules(packs: &RulePacks) -> Vec<&Rule> {
    let mut all: Vec<&Rule> = rules::ALL.to_vec();
    for pack in packs.all() {
        all.extend(pack.expression_rules().iter().map(|r| &r.rule));
    }
    all
}

fn explain(packs: &RulePacks, id: &str) -> anyhow::Result<String> {
    let Some(rule) = all_rules(packs).into_iter().find(|rule| rule.id == id) else {
        bail!("no rule `{id}`; `cleanclaim rules list` shows them all");
    };
    let mut text = String::new();
    writeln!(text, "{}", rule.id)?;
    writeln!(
        text,
        "  severity: {} (unless a pack changes it)",
        rule.severity.name()
    )?;
    writeln!(text, "  queue:    {}", rule.queue.name())?;
    if !rule.fields.is_empty() {
        let fields: Vec<&str> = rule.fields.iter().map(|f| &**f).collect();
        writeln!(text, "  reads:    {}", fields.join(", "))?;
    }
    writeln!(text, "  fix:      {}", rule.fix)?;
    writeln!(text, "  source:   {}", rule.source)?;
    for pack in packs.all() {
        if let Some(expression) = pack.expression_rules().iter().find(|r| r.rule.id == id) {
            writeln!(text, "  defined by pack `{}` ({}):", pack.id, pack.file)?;
            writeln!(text, "    when: {}", expression.when)?;
            writeln!(text, "    message: {}", expression.message)?;
        }
        for period in pack.periods() {
            if let Some(setting) = period.setting(id) {
                writeln!(
                    text,
                    "  pack `{}` from {}: {}",
                    pack.id,
                    period.from,
                    setting_name(setting)
                )?;
            }
        }
    }
    Ok(text)
}

fn setting_name(setting: Setting) -> &'static str {
    match setting {
        Setting::Hold => "hold",
        Setting::Warn => "warn",
        Setting::Off => "off",
    }
}

/// The rule reference: every rule by queue, then every pack with its periods.
pub fn docs(packs: &RulePacks) -> String {
    // Writing to a String cannot fail.
    docs_inner(packs).unwrap_or_default()
}

fn docs_inner(packs: &RulePacks) -> Result<String, std::fmt::Error> {
    let mut md = String::new();
    writeln!(md, "# Rules")?;
    writeln!(md)?;
    writeln!(
        md,
        "Generated by `cleanclaim rules docs` from the rule registry and the built-in packs; do not edit by hand (a test keeps it current)."
    )?;
    writeln!(
        md,
        "An encounter with a `hold` finding goes to the queue of its first hold in this order: documentation_hold, authorization, coding_review. Otherwise it is ready_to_bill. `warn` findings travel with the claim as notes."
    )?;
    for queue in Queue::ALL.iter().filter(|q| **q != Queue::ReadyToBill) {
        writeln!(md)?;
        writeln!(md, "## {}", queue.name())?;
        writeln!(md)?;
        writeln!(md, "| rule | default | fix | source |")?;
        writeln!(md, "|---|---|---|---|")?;
        for rule in all_rules(packs).into_iter().filter(|r| r.queue == *queue) {
            writeln!(
                md,
                "| `{}` | {} | {} | {} |",
                rule.id,
                rule.severity.name(),
                rule.fix.replace('|', "\\|"),
                rule.source.replace('|', "\\|")
            )?;
        }
    }
    writeln!(md)?;
    writeln!(md, "## Packs")?;
    for pack in packs.all() {
        writeln!(md)?;
        writeln!(
            md,
            "### `{}`: {} (version {})",
            pack.id, pack.name, pack.version
        )?;
        writeln!(md)?;
        let plans: Vec<&str> = pack.default_for.iter().map(|p| plan_name(*p)).collect();
        writeln!(md, "- file: `{}`", pack.file)?;
        writeln!(
            md,
            "- default for: {}",
            if plans.is_empty() {
                "-".to_owned()
            } else {
                plans.join(", ")
            }
        )?;
        writeln!(md, "- source: {}", pack.source)?;
        for period in pack.periods() {
            let to = period
                .to
                .map_or_else(|| "onward".to_owned(), |to| format!("to {to}"));
            let b = &period.billing;
            let d = &period.documentation;
            writeln!(md, "- from {} {to}:", period.from)?;
            writeln!(
                md,
                "  - billing: {}, assistant modifiers {}, KX {}, NCCI {} ({}), telehealth modifier {}",
                b.unit_method,
                yes(b.assistant_modifiers),
                yes(b.kx_threshold),
                yes(b.ncci),
                b.ncci_modifier,
                b.telehealth_modifier
                    .map_or_else(|| "none".to_owned(), |m| m.to_string())
            )?;
            writeln!(
                md,
                "  - documentation: plan of care {}, signature within {}, referral exception {}, recertification {}, progress report every {}, assistant may render {}, student minutes {}",
                if d.plan_of_care_required {
                    "required"
                } else {
                    "optional"
                },
                days(d.certification_signature_days),
                yes(d.referral_exception),
                days(d.recertification_days),
                d.progress_report_treatment_days
                    .map_or_else(|| "-".to_owned(), |n| format!("{n} treatment days")),
                yes(d.assistant_may_render),
                if d.student_minutes_billable {
                    "billable"
                } else {
                    "not billable"
                }
            )?;
            writeln!(
                md,
                "  - authorization {}; visits per year {}; spend cap {}",
                if period.authorization.required {
                    "required"
                } else {
                    "not required"
                },
                period
                    .benefits
                    .visits_per_year
                    .map_or_else(|| "-".to_owned(), |n| n.to_string()),
                period.benefits.spend_cap_cents.map_or_else(
                    || "-".to_owned(),
                    |c| cleanclaim_model::Cents(c).to_string()
                )
            )?;
            for (rule, setting) in period.settings() {
                writeln!(md, "  - `{rule}`: {}", setting_name(*setting))?;
            }
        }
        for expression in pack.expression_rules() {
            writeln!(
                md,
                "- expression rule `{}` ({}, {}): `{}`",
                expression.rule.id,
                expression.rule.severity.name(),
                expression.rule.queue.name(),
                expression.when
            )?;
        }
    }
    writeln!(md)?;
    writeln!(
        md,
        "Expression rules can use these variables: {}.",
        VARIABLES.map(|v| format!("`{v}`")).join(", ")
    )?;
    Ok(md)
}

fn yes(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

fn days(value: Option<u32>) -> String {
    value.map_or_else(|| "-".to_owned(), |n| format!("{n} days"))
}
