//! Documentation gates (queue `documentation_hold`): what must be in the record before a
//! therapy claim can go. Each check cites its rule in `cleanclaim_billing::rules`.

use chrono::{Days, NaiveDate};
use cleanclaim_billing::{CodeTiming, EvaluationKind, rules};
use cleanclaim_model::{ProviderRole, ReEvaluationBasis, VisitType};

use super::{Raised, Visit};

/// Runs every documentation gate the period turns on.
pub(crate) fn check(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    required_fields(visit, raised);
    treatment_time(visit, raised);
    plan_of_care(visit, raised);
    frequency(visit, raised);
    progress_report(visit, raised);
    evaluation_notes(visit, raised);
    providers(visit, raised);
}

fn required_fields(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let encounter = visit.encounter;
    if encounter.clinical.diagnoses.is_empty() {
        raised.push(Raised::new(
            &rules::DIAGNOSIS_MISSING,
            "no diagnosis is documented".to_owned(),
        ));
    }
    if encounter.compliance.rendering.is_none() {
        raised.push(Raised::new(
            &rules::RENDERING_MISSING,
            "no rendering provider is documented".to_owned(),
        ));
    }
}

/// Total treatment time includes the timed minutes: a note whose total is smaller has one of
/// the two wrong, and the units billed rest on the timed minutes.
fn treatment_time(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let timing = &visit.encounter.timing;
    let Some(total) = timing.total_treatment_minutes else {
        return;
    };
    let timed: u64 = timing
        .lines
        .iter()
        .filter(|line| {
            visit
                .engine
                .catalogue()
                .get(line.code)
                .is_some_and(|info| info.timing == CodeTiming::Timed)
        })
        .map(|line| u64::from(line.minutes.unwrap_or(0)))
        .sum();
    if timed > u64::from(total) {
        raised.push(Raised::new(
            &rules::TOTAL_MINUTES_BELOW_TIMED,
            format!(
                "total treatment time is {total} minutes but the timed codes document {timed} minutes"
            ),
        ));
    }
}

/// Visits beyond what the plan of care sets: in a week, or in all (visits a week times weeks).
/// Two sessions on one day are one treatment day.
fn frequency(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let Some(frequency) = visit.plan.and_then(|plan| plan.frequency) else {
        return;
    };
    let per_week = u32::from(frequency.visits_per_week);
    let planned = per_week * u32::from(frequency.weeks);
    let episode = &visit.episode;
    if per_week > 0 && episode.days_this_week > per_week {
        raised.push(Raised::new(
            &rules::FREQUENCY_EXCEEDED,
            format!(
                "this is treatment day {} of its week; the plan of care sets {per_week} a week",
                episode.days_this_week
            ),
        ));
    } else if planned > 0 && episode.treatment_day > planned {
        raised.push(Raised::new(
            &rules::FREQUENCY_EXCEEDED,
            format!(
                "this is treatment day {} of the episode; the plan of care sets {planned} ({per_week} a week for {} weeks)",
                episode.treatment_day, frequency.weeks
            ),
        ));
    }
}

/// An evaluation-only visit needs no plan (the evaluation is the plan, MBPM ch.15 §220.1).
fn is_evaluation_only(visit: &Visit<'_, '_>) -> bool {
    visit.encounter.clinical.visit_type == VisitType::Evaluation
        && visit.derivation.lines.iter().all(|line| {
            visit
                .engine
                .catalogue()
                .get(line.code)
                .is_some_and(|info| info.evaluation.is_some())
        })
}

fn plan_of_care(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let policy = &visit.period.documentation;
    let date = visit.encounter.date_of_service;
    let Some(plan) = visit.plan else {
        if policy.plan_of_care_required && !is_evaluation_only(visit) {
            raised.push(Raised::new(
                &rules::PLAN_OF_CARE_MISSING,
                format!(
                    "no {} plan of care is on file for {date}",
                    visit.encounter.discipline.label()
                ),
            ));
        }
        return;
    };
    if date < plan.certification_start || date > plan.certification_end {
        raised.push(Raised::new(
            &rules::OUTSIDE_CERTIFICATION,
            format!(
                "the visit on {date} is outside the certification period {} to {}",
                plan.certification_start, plan.certification_end
            ),
        ));
    }
    if let Some(days) = policy.recertification_days
        && let Some(due) = plan
            .certification_start
            .checked_add_days(Days::new(u64::from(days)))
        && date >= due
    {
        raised.push(Raised::new(
            &rules::RECERTIFICATION_DUE,
            format!(
                "the plan certified from {} needs recertification by {due} (every {days} days); the visit is on {date}",
                plan.certification_start
            ),
        ));
    }
    let Some(days) = policy.certification_signature_days else {
        return;
    };
    // An initial certification is due within `days` of the first treatment; a
    // recertification (a plan certified after the episode began) before the period it
    // continues ends, the day before its own starts.
    let first_treatment = visit.episode.start.min(plan.certification_start);
    let recertification = plan.certification_start > visit.episode.start;
    let deadline = if recertification {
        plan.certification_start
            .pred_opt()
            .unwrap_or(plan.certification_start)
    } else {
        first_treatment
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(NaiveDate::MAX)
    };
    let delay_explained = plan
        .delay_reason
        .as_deref()
        .is_some_and(|reason| !reason.trim().is_empty());
    match plan.signed_on {
        Some(signed) if signed > deadline && !delay_explained => raised.push(Raised::new(
            &rules::CERTIFICATION_LATE,
            if recertification {
                format!(
                    "the recertification from {} was signed on {signed}, after the period it continues ended on {deadline}, and no reason for the delay is documented",
                    plan.certification_start
                )
            } else {
                format!(
                    "the plan was signed on {signed}, more than {days} days after the first treatment on {first_treatment}, and no reason for the delay is documented"
                )
            },
        )),
        Some(_) => {}
        None => {
            let exception = policy
                .referral_exception
                .then(|| referral_exception_gap(visit, plan, deadline));
            if exception == Some(None) {
                return;
            }
            raised.push(Raised::new(
                &rules::PLAN_OF_CARE_UNSIGNED,
                format!(
                    "the plan of care certified from {} is not signed (due by {deadline}){}",
                    plan.certification_start,
                    exception.flatten().map_or(String::new(), |gap| format!("; {gap}"))
                ),
            ));
        }
    }
}

/// CY2025 PFS: a signed order/referral plus the plan sent to the referring practitioner in
/// time meets the initial certification; recertifications get no such exception. `None` when
/// the exception is met, else what keeps it from applying, said from what is on file.
fn referral_exception_gap(
    visit: &Visit<'_, '_>,
    plan: &cleanclaim_model::PlanOfCare,
    deadline: NaiveDate,
) -> Option<String> {
    if plan.certification_start > visit.episode.start {
        return Some(
            "the referral exception covers initial certifications only, and this plan recertifies an episode that began earlier".to_owned(),
        );
    }
    let signed_order = visit
        .encounter
        .administrative
        .referring_provider
        .as_ref()
        .and_then(|referral| referral.order_signed_on);
    let Some(order) = signed_order else {
        return Some("no signed referral is on file for the referral exception".to_owned());
    };
    match plan.sent_to_referrer_on {
        Some(sent) if sent <= deadline => None,
        Some(sent) => Some(format!(
            "the referral signed on {order} is on file, but the plan was sent to the referrer on {sent}, after {deadline}"
        )),
        None => Some(format!(
            "the referral signed on {order} is on file, but no date the plan was sent to the referrer is"
        )),
    }
}

fn progress_report(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let Some(limit) = visit.period.documentation.progress_report_treatment_days else {
        return;
    };
    let days = visit.episode.days_since_report;
    if days <= limit {
        return;
    }
    let since = visit.episode.last_report.map_or_else(
        || format!("since the episode began on {}", visit.episode.start),
        |date| format!("since the last clinician report on {date}"),
    );
    let assistant_note = visit
        .encounter
        .compliance
        .last_progress_report
        .filter(|report| !is_clinician(report.written_by))
        .map(|report| {
            format!(
                "; the report of {} was written by a {} and does not count",
                report.date,
                report.written_by.label()
            )
        })
        .unwrap_or_default();
    raised.push(Raised::new(
        &rules::PROGRESS_REPORT_OVERDUE,
        format!(
            "this is treatment day {days} {since}; a progress report is due every {limit} treatment days{assistant_note}"
        ),
    ));
}

/// Therapists write progress reports; assistants' and students' notes are not complete
/// reports (MBPM ch.15 §220.3.D).
pub(crate) fn is_clinician(role: ProviderRole) -> bool {
    matches!(
        role,
        ProviderRole::Pt | ProviderRole::Ot | ProviderRole::Slp
    )
}

fn evaluation_notes(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let clinical = &visit.encounter.clinical;
    let kinds: Vec<EvaluationKind> = visit
        .derivation
        .lines
        .iter()
        .filter(|line| line.units > 0)
        .filter_map(|line| visit.engine.catalogue().get(line.code))
        .filter_map(|info| info.evaluation.map(|e| e.kind))
        .collect();
    let evaluating =
        kinds.contains(&EvaluationKind::Evaluation) || clinical.visit_type == VisitType::Evaluation;
    let re_evaluating = kinds.contains(&EvaluationKind::ReEvaluation)
        || clinical.visit_type == VisitType::ReEvaluation;
    let measures = &clinical.tests_and_measures;
    if (evaluating || re_evaluating) && (!measures.performed || measures.measures.is_empty()) {
        raised.push(Raised::new(
            &rules::EVALUATION_WITHOUT_MEASURES,
            format!(
                "the {} documents no objective tests and measures",
                if evaluating {
                    "evaluation"
                } else {
                    "re-evaluation"
                }
            ),
        ));
    }
    if !re_evaluating {
        return;
    }
    let reason_given = clinical
        .re_evaluation_reason
        .as_deref()
        .is_some_and(|reason| !reason.trim().is_empty());
    match clinical.re_evaluation_basis {
        None => raised.push(Raised::new(
            &rules::RE_EVALUATION_WITHOUT_REASON,
            "a re-evaluation is billed without a coded reason".to_owned(),
        )),
        Some(ReEvaluationBasis::Other) if !reason_given => raised.push(Raised::new(
            &rules::RE_EVALUATION_WITHOUT_REASON,
            "the re-evaluation's reason is `other`, and the reason is not written".to_owned(),
        )),
        Some(ReEvaluationBasis::Routine) => raised.push(Raised::new(
            &rules::RE_EVALUATION_ROUTINE,
            "the re-evaluation is documented as a routine reassessment".to_owned(),
        )),
        Some(_) => {}
    }
}

fn providers(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let rendering = visit.encounter.compliance.rendering.as_ref();
    let role = rendering.map(|rendering| rendering.role);
    // A therapist who renders supervises the assistant minutes of the visit herself; an
    // assistant or student who renders needs the supervising therapist named.
    if let Some(rendering) = rendering
        && (rendering.role.is_assistant() || rendering.role == ProviderRole::Student)
        && rendering.supervising_npi.is_none()
    {
        raised.push(Raised::new(
            &rules::SUPERVISOR_MISSING,
            format!(
                "a {} rendered the visit and no supervising therapist is recorded",
                rendering.role.label()
            ),
        ));
    }
    let policy = &visit.period.documentation;
    if !policy.assistant_may_render
        && let Some(role) = role.filter(|role| role.is_assistant())
    {
        raised.push(Raised::new(
            &rules::ASSISTANT_RENDERING,
            format!(
                "a {} is the rendering provider; {} needs the supervising therapist on the claim",
                role.label(),
                visit.period.billing.name
            ),
        ));
    }
    if policy.student_minutes_billable {
        return;
    }
    if role == Some(ProviderRole::Student) {
        raised.push(Raised::new(
            &rules::STUDENT_MINUTES,
            "a student is the rendering provider".to_owned(),
        ));
    }
    for line in &visit.encounter.timing.lines {
        if let Some(minutes) = line
            .furnished_by
            .map(|by| by.student_alone)
            .filter(|minutes| *minutes > 0)
        {
            raised.push(Raised::on(
                &rules::STUDENT_MINUTES,
                line.code,
                format!(
                    "{} has {minutes} minutes furnished by a student without the therapist in the room",
                    line.code
                ),
            ));
        }
    }
}
