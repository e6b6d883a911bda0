//! Coding edits (queue `coding_review`) that need data the engine does not apply per line:
//! diagnosis pairing, age and sex, plan coverage, one evaluation per episode, MUE, and
//! telehealth modifiers on in-person visits.

use std::collections::BTreeMap;

use cleanclaim_billing::pack::age_on;
use cleanclaim_billing::{Adjudication, CodeTiming, Conflict, EvaluationKind, RequiredSex, rules};
use cleanclaim_model::{Discipline, Modality, Modifier, ProcedureCode, VisitType};

use super::{Raised, Visit};

const TELEHEALTH_MODIFIERS: [&str; 4] = ["95", "GT", "FQ", "FR"];

/// Runs every coding edit the period turns on.
pub(crate) fn check(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let coding = &visit.period.coding;
    if coding.diagnosis_pairing {
        diagnosis_pairing(visit, raised);
    }
    if coding.age_sex_edits {
        age_and_sex(visit, raised);
    }
    coverage(visit, raised);
    if coding.one_evaluation_per_episode {
        evaluations(visit, raised);
    }
    documented_units(visit, raised);
    if coding.mue {
        mue(visit, raised);
    }
    telehealth_modifiers(visit, raised);
}

fn billed_codes(visit: &Visit<'_, '_>) -> BTreeMap<ProcedureCode, u32> {
    let mut codes = BTreeMap::new();
    for line in visit.derivation.lines.iter().filter(|line| line.units > 0) {
        *codes.entry(line.code).or_insert(0) += line.units;
    }
    codes
}

/// What the record asks to bill per code, before the payer's method: the units documented on
/// its lines where the EMR sent them, and for an untimed code without them one unit per
/// entry (each entry is a unit the EMR would bill).
fn documented(visit: &Visit<'_, '_>) -> BTreeMap<ProcedureCode, (u32, bool)> {
    let mut codes: BTreeMap<ProcedureCode, (u32, bool)> = BTreeMap::new();
    for line in &visit.encounter.timing.lines {
        let untimed = visit
            .engine
            .catalogue()
            .get(line.code)
            .is_some_and(|info| info.timing == CodeTiming::Untimed);
        let (units, stated) = match line.units {
            Some(units) => (units, true),
            None if untimed => (1, false),
            None => continue,
        };
        let entry = codes.entry(line.code).or_insert((0, false));
        entry.0 = entry.0.saturating_add(units);
        entry.1 |= stated;
    }
    codes
}

/// Units the EMR sent against the units the payer's method gives, per code; and an untimed
/// evaluation entered (or sent with units) more than once on the day.
fn documented_units(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let billed = billed_codes(visit);
    for (code, (units, stated)) in documented(visit) {
        let derived = billed.get(&code).copied().unwrap_or(0);
        let evaluation = visit
            .engine
            .catalogue()
            .get(code)
            .is_some_and(|info| info.evaluation.is_some());
        if evaluation && units > 1 {
            raised.push(Raised::on(
                &rules::EVALUATION_SAME_DAY,
                code,
                format!("{code} is an evaluation entered for {units} units on one day; it is billed once"),
            ));
        } else if stated && units != derived {
            raised.push(Raised::on(
                &rules::DOCUMENTED_UNITS_DIFFER,
                code,
                format!(
                    "{code}: the record sends {units} unit(s); {} gives {derived} for what is documented",
                    visit.derivation.unit_method.describe()
                ),
            ));
        }
    }
}

fn diagnosis_pairing(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let diagnoses = &visit.encounter.clinical.diagnoses;
    if diagnoses.is_empty() {
        return; // doc.diagnosis-missing says so already
    }
    let rules_data = visit.engine.diagnoses();
    for code in billed_codes(visit).into_keys() {
        let Some(group) = rules_data.group_of(code) else {
            continue;
        };
        let extra = visit
            .period
            .coding
            .extra_diagnoses
            .get(&group.id)
            .map_or(&[][..], Vec::as_slice);
        if !rules_data.supports(group, extra, diagnoses) {
            raised.push(Raised::on(
                &rules::DIAGNOSIS_NOT_SUPPORTED,
                code,
                format!(
                    "no diagnosis on the encounter supports {code} ({}); it needs one starting with {}",
                    group.name,
                    group.prefixes.iter().chain(extra).take(8).cloned().collect::<Vec<_>>().join(", ")
                        + if group.prefixes.len() + extra.len() > 8 { ", ..." } else { "" }
                ),
            ));
        }
    }
}

fn age_and_sex(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let patient = &visit.encounter.patient;
    let age = age_on(patient.birth_date, visit.encounter.date_of_service);
    for dx in &visit.encounter.clinical.diagnoses {
        match visit.engine.diagnoses().conflict(dx, patient.sex, age) {
            Some(Conflict::Sex(edit)) => raised.push(Raised::new(
                &rules::DIAGNOSIS_SEX_CONFLICT,
                format!(
                    "{dx} ({}) applies to {} patients only",
                    edit.name,
                    match edit.sex {
                        Some(RequiredSex::Male) => "male",
                        _ => "female",
                    }
                ),
            )),
            Some(Conflict::Age(edit)) => raised.push(Raised::new(
                &rules::DIAGNOSIS_AGE_CONFLICT,
                format!(
                    "{dx} ({}) applies to ages {}; the patient is {age}",
                    edit.name,
                    match (edit.min_age, edit.max_age) {
                        (Some(min), Some(max)) => format!("{min} to {max}"),
                        (Some(min), None) => format!("{min} and over"),
                        (None, Some(max)) => format!("up to {max}"),
                        (None, None) => "any".to_owned(),
                    }
                ),
            )),
            None => {}
        }
    }
}

fn coverage(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let coding = &visit.period.coding;
    let telehealth = visit.encounter.administrative.modality != Modality::InPerson;
    let payer = &visit.period.billing.name;
    for code in billed_codes(visit).into_keys() {
        if coding.not_covered.contains(&code) {
            raised.push(Raised::on(
                &rules::CODE_NOT_COVERED,
                code,
                format!("{payer} does not cover {code}"),
            ));
        } else if telehealth && coding.not_covered_telehealth.contains(&code) {
            raised.push(Raised::on(
                &rules::CODE_NOT_COVERED,
                code,
                format!("{payer} does not cover {code} by telehealth"),
            ));
        }
    }
}

fn evaluations(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    if visit.episode.evaluations_before == 0 {
        return;
    }
    let re_evaluation = visit.encounter.clinical.visit_type == VisitType::ReEvaluation;
    for code in billed_codes(visit).into_keys() {
        let Some(evaluation) = visit
            .engine
            .catalogue()
            .get(code)
            .and_then(|info| info.evaluation)
            .filter(|evaluation| evaluation.kind == EvaluationKind::Evaluation)
        else {
            continue;
        };
        let start = visit.episode.start;
        let message = if evaluation.discipline == Discipline::Slp {
            // CPT has no SLP re-evaluation code: a re-evaluation is billed with the
            // evaluation code (MBPM ch.15 §220.3.C), and its reason is the documentation gate's.
            if re_evaluation {
                continue;
            }
            format!(
                "{code} is an SLP evaluation, and the episode that began on {start} already has one: \
                 if this is a re-evaluation, mark the visit as one (SLP re-evaluations are billed \
                 with the evaluation code) and document its reason"
            )
        } else {
            format!(
                "{code} is an initial evaluation, but the episode that began on {start} already has one"
            )
        };
        raised.push(Raised::on(&rules::EVALUATION_REPEATED, code, message));
    }
}

fn mue(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let table = visit.engine.mue();
    let documented = documented(visit);
    let mut codes = billed_codes(visit);
    for code in documented.keys() {
        codes.entry(*code).or_insert(0);
    }
    for (code, units) in codes {
        let Some(edit) = table.get(code) else {
            continue;
        };
        // MAI 1 applies per claim line; MAI 2/3 add up the day's lines.
        let counted = match edit.adjudication {
            Adjudication::Line => visit
                .derivation
                .lines
                .iter()
                .filter(|line| line.code == code)
                .map(|line| line.units)
                .max()
                .unwrap_or(0),
            Adjudication::DatePolicy | Adjudication::DateClinical => units,
        }
        // The edit counts what would be reported: entries of an untimed code, or the units the
        // EMR sent, when they are more than the method gives.
        .max(documented.get(&code).map_or(0, |(units, _)| *units));
        if counted > edit.units {
            raised.push(Raised::on(
                &rules::MUE_EXCEEDED,
                code,
                format!(
                    "{code} is billed for {counted} units; its MUE is {} ({})",
                    edit.units,
                    edit.adjudication.describe()
                ),
            ));
        }
    }
}

fn telehealth_modifiers(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    if visit.encounter.administrative.modality != Modality::InPerson {
        return;
    }
    for line in &visit.encounter.timing.lines {
        if let Some(modifier) = line
            .modifiers
            .iter()
            .find(|m| TELEHEALTH_MODIFIERS.contains(&Modifier::as_str(m)))
        {
            raised.push(Raised::on(
                &rules::TELEHEALTH_MODIFIER_IN_PERSON,
                line.code,
                format!(
                    "{} carries telehealth modifier {modifier} but the visit is in person at POS {}",
                    line.code, visit.encounter.administrative.place_of_service
                ),
            ));
        }
    }
}
