//! Reading and checking one rule pack file. Everything is checked here, before any encounter
//! is scrubbed: unknown keys, bad codes, overlapping or inverted dates, unknown rule ids,
//! expressions that do not compile or name unknown variables.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use cleanclaim_model::PlanType;
use serde::Deserialize;
use toml::Spanned;

use super::bindings::Needs;
use super::error::PackError;
use super::expression::{self, ExpressionRule};
use super::policy::{
    AuthorizationPolicy, BenefitPolicy, CodingPolicy, DocumentationPolicy, Setting,
};
use super::{Period, RulePack};
use crate::diagnosis::{DiagnosisRules, is_icd_prefix};
use crate::payer::PayerPolicy;
use crate::rules::{self, Queue, Rule, Severity};
use crate::thresholds::{ThresholdTable, Thresholds};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    pack: Header,
    #[serde(default)]
    thresholds: Option<Spanned<ThresholdTable>>,
    #[serde(default, rename = "period")]
    periods: Vec<Spanned<PeriodSpec>>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RuleSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    id: Spanned<String>,
    name: String,
    version: String,
    #[serde(default)]
    default_for: Vec<PlanType>,
    #[serde(default)]
    payer_ids: Vec<String>,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodSpec {
    from: NaiveDate,
    #[serde(default)]
    to: Option<NaiveDate>,
    billing: PayerPolicy,
    documentation: DocumentationPolicy,
    #[serde(default)]
    authorization: AuthorizationPolicy,
    #[serde(default)]
    benefits: BenefitPolicy,
    #[serde(default)]
    coding: CodingPolicy,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<Setting>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    when: Spanned<String>,
    message: String,
    fix: String,
    source: String,
    severity: Severity,
    queue: Spanned<Queue>,
    #[serde(default)]
    from: Option<NaiveDate>,
    #[serde(default)]
    to: Option<NaiveDate>,
}

/// Reads and checks one pack; `file` names it in errors.
pub(crate) fn load(
    file: &str,
    text: &str,
    diagnoses: &DiagnosisRules,
    env: &Arc<cel::Env>,
) -> Result<RulePack, PackError> {
    let parsed: PackFile = toml::from_str(text).map_err(|e| PackError::toml(file, text, &e))?;
    let at = |offset: usize, message: String| PackError::at(file, text, offset, message);
    let header = parsed.pack;
    let id = header.id.get_ref().clone();
    if !is_identifier(&id) {
        return Err(at(
            header.id.span().start,
            format!("pack id `{id}` must be lowercase letters, digits and dashes"),
        ));
    }

    let thresholds = match parsed.thresholds {
        Some(table) => {
            let start = table.span().start;
            Thresholds::from_table(table.into_inner()).map_err(|reason| at(start, reason))?
        }
        None => Thresholds::none(),
    };

    let mut periods = Vec::with_capacity(parsed.periods.len());
    for spanned in parsed.periods {
        let start = spanned.span().start;
        let spec = spanned.into_inner();
        let period = period(&header.name, &id, spec, &thresholds, diagnoses)
            .map_err(|(offset, reason)| at(offset.unwrap_or(start), reason))?;
        periods.push((start, period));
    }
    if periods.is_empty() {
        return Err(PackError::file(
            file,
            "a pack needs at least one [[period]] of rules",
        ));
    }
    periods.sort_by_key(|(_, period)| period.from);
    for pair in periods.windows(2) {
        if let [(_, earlier), (start, later)] = pair
            && earlier.to.is_none_or(|to| to >= later.from)
        {
            return Err(at(
                *start,
                format!(
                    "the period from {} overlaps the period from {}{}",
                    later.from,
                    earlier.from,
                    earlier
                        .to
                        .map_or_else(|| " (open-ended)".to_owned(), |to| format!(" to {to}"))
                ),
            ));
        }
    }

    let mut expression_rules: Vec<ExpressionRule> = Vec::with_capacity(parsed.rules.len());
    for spanned in parsed.rules {
        let start = spanned.span().start;
        let spec = spanned.into_inner();
        if rules::by_id(&spec.id).is_some() {
            return Err(at(
                start,
                format!(
                    "rule `{}` is a built-in rule; give the expression rule its own id",
                    spec.id
                ),
            ));
        }
        if expression_rules.iter().any(|r| r.rule.id == spec.id) {
            return Err(at(start, format!("rule `{}` is defined twice", spec.id)));
        }
        expression_rules.push(
            expression_rule(spec, env)
                .map_err(|(offset, reason)| at(offset.unwrap_or(start), reason))?,
        );
    }

    Ok(RulePack {
        id,
        name: header.name,
        version: header.version,
        source: header.source,
        default_for: header.default_for,
        payer_ids: header.payer_ids,
        file: file.to_owned(),
        periods: periods.into_iter().map(|(_, period)| period).collect(),
        thresholds,
        expression_needs: expression_rules
            .iter()
            .fold(Needs::default(), |mut needs, rule| {
                needs.merge(&rule.needs);
                needs
            }),
        expression_rules,
    })
}

/// A pack id is used in file names, URLs and `--payer`: keep it plain.
fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

type Problem = (Option<usize>, String);

fn period(
    pack_name: &str,
    pack_id: &str,
    spec: PeriodSpec,
    thresholds: &Thresholds,
    diagnoses: &DiagnosisRules,
) -> Result<Period, Problem> {
    if spec.to.is_some_and(|to| to < spec.from) {
        return Err((
            None,
            format!("period from {} ends before it starts", spec.from),
        ));
    }
    let mut billing = spec.billing;
    if let Some(problem) = billing.problem() {
        return Err((None, format!("billing: {problem}")));
    }
    if billing.kx_threshold && thresholds.is_empty() {
        return Err((
            None,
            "billing: kx_threshold is on but the pack has no [thresholds] kx amounts".to_owned(),
        ));
    }
    if let Some(problem) = spec.benefits.problem() {
        return Err((None, format!("benefits: {problem}")));
    }
    billing.id = pack_id.to_owned();
    billing.name = pack_name.to_owned();
    for group in spec.coding.extra_diagnoses.keys() {
        if !diagnoses.has_group(group) {
            return Err((
                None,
                format!(
                    "coding.extra_diagnoses: unknown code group `{group}`; known groups: {}",
                    diagnoses.group_ids().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    for prefix in spec.coding.extra_diagnoses.values().flatten() {
        if !is_icd_prefix(prefix) {
            return Err((
                None,
                format!("coding.extra_diagnoses: `{prefix}` is not an ICD-10-CM code or prefix"),
            ));
        }
    }
    let mut severity = Vec::with_capacity(spec.severity.len());
    for (rule_id, setting) in spec.severity {
        if rules::by_id(&rule_id).is_none() {
            return Err((
                Some(setting.span().start),
                format!("severity: unknown rule `{rule_id}` (see `cleanclaim rules list`)"),
            ));
        }
        severity.push((rule_id, setting.into_inner()));
    }
    Ok(Period {
        from: spec.from,
        to: spec.to,
        billing,
        documentation: spec.documentation,
        authorization: spec.authorization,
        benefits: spec.benefits,
        coding: spec.coding,
        severity,
    })
}

fn expression_rule(spec: RuleSpec, env: &Arc<cel::Env>) -> Result<ExpressionRule, Problem> {
    if !spec.id.contains('.') || spec.id.chars().any(char::is_whitespace) {
        return Err((
            None,
            format!(
                "rule id `{}` needs a namespace and no spaces, e.g. `acme.no-97750-on-eval-day`",
                spec.id
            ),
        ));
    }
    let queue_offset = spec.queue.span().start;
    let queue = spec.queue.into_inner();
    if queue == Queue::ReadyToBill {
        return Err((
            Some(queue_offset),
            "a rule cannot route to ready_to_bill; use documentation_hold, authorization or coding_review"
                .to_owned(),
        ));
    }
    if let (Some(from), Some(to)) = (spec.from, spec.to)
        && to < from
    {
        return Err((None, format!("rule `{}` ends before it starts", spec.id)));
    }
    let when_offset = spec.when.span().start;
    let when = spec.when.into_inner();
    let program = expression::compile(env, &when).map_err(|reason| (Some(when_offset), reason))?;
    Ok(ExpressionRule {
        rule: Rule {
            id: spec.id.into(),
            severity: spec.severity,
            queue,
            fields: expression::fields_read(&when)
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>()
                .into(),
            fix: spec.fix.into(),
            source: spec.source.into(),
        },
        message: spec.message,
        when,
        from: spec.from,
        to: spec.to,
        needs: Needs::of(program.expression()),
        program: Arc::new(program),
    })
}
