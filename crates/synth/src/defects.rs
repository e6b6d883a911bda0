//! Documentation defects injected into synthetic encounters, at the rates clinics see them.

use chrono::Days;
use cleanclaim_model::{Encounter, ProcedureLine};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Share of encounters that get one defect. Published first-pass denial rates of 10-20%
/// put realistic documentation defect rates in the same range.
pub const DEFECT_RATE: f64 = 0.14;

/// The kinds of defect the generator injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    MissingDiagnosis,
    TimedMinutesMissing,
    UnsignedPlanOfCare,
    MissingPlanOfCare,
    OutsideCertification,
    ProgressReportOverdue,
    EvaluationWithoutMeasures,
    NcciUndocumented,
    MinutesExceedInterval,
    UnrecognizedCode97014,
}

const ALL: [Defect; 10] = [
    Defect::MissingDiagnosis,
    Defect::TimedMinutesMissing,
    Defect::UnsignedPlanOfCare,
    Defect::MissingPlanOfCare,
    Defect::OutsideCertification,
    Defect::ProgressReportOverdue,
    Defect::EvaluationWithoutMeasures,
    Defect::NcciUndocumented,
    Defect::MinutesExceedInterval,
    Defect::UnrecognizedCode97014,
];

pub(crate) fn inject(rng: &mut ChaCha8Rng, encounter: &mut Encounter) {
    let defect = ALL
        .get(rng.random_range(0..ALL.len()))
        .copied()
        .unwrap_or(Defect::MissingDiagnosis);
    let lines = &mut encounter.timing.lines;
    match defect {
        Defect::MissingDiagnosis => encounter.clinical.diagnoses.clear(),
        Defect::TimedMinutesMissing => {
            if let Some(line) = lines
                .iter_mut()
                .find(|l| crate::TIMED_CODES.contains(&l.code.as_str()))
            {
                line.minutes = None;
                line.start = None;
                line.stop = None;
                line.furnished_by = None;
            }
        }
        Defect::UnsignedPlanOfCare => {
            if let Some(plan) = &mut encounter.compliance.plan_of_care {
                plan.signed_on = None;
            }
        }
        Defect::MissingPlanOfCare => encounter.compliance.plan_of_care = None,
        Defect::OutsideCertification => {
            if let Some(plan) = &mut encounter.compliance.plan_of_care {
                let day_before = encounter
                    .date_of_service
                    .checked_sub_days(Days::new(1))
                    .unwrap_or(encounter.date_of_service);
                plan.certification_end = day_before.max(plan.certification_start);
                if plan.certification_end >= encounter.date_of_service {
                    plan.certification_start = encounter
                        .date_of_service
                        .checked_add_days(Days::new(1))
                        .unwrap_or(plan.certification_start);
                    plan.certification_end = plan.certification_start;
                }
            }
        }
        Defect::ProgressReportOverdue => {
            if let Some(report) = &mut encounter.compliance.last_progress_report {
                report.treatment_days_since = 12;
            }
        }
        Defect::EvaluationWithoutMeasures => {
            encounter.clinical.tests_and_measures = Default::default()
        }
        Defect::NcciUndocumented => {
            for (text, minutes) in [("97530", 15), ("97140", 12)] {
                if let Ok(code) = text.parse()
                    && !lines.iter().any(|l| l.code == code)
                {
                    lines.push(plain_line(code, minutes));
                }
            }
            lines.iter_mut().for_each(|l| l.separate_interval = false);
        }
        Defect::MinutesExceedInterval => {
            if let Some(line) = lines
                .iter_mut()
                .find(|l| l.start.is_some() && l.stop.is_some() && l.furnished_by.is_none())
            {
                line.minutes = line.minutes.map(|m| m + 10);
            }
        }
        Defect::UnrecognizedCode97014 => {
            if let Ok(code) = "97014".parse() {
                lines.push(plain_line(code, 15));
            }
        }
    }
}

pub(crate) fn plain_line(code: cleanclaim_model::ProcedureCode, minutes: u32) -> ProcedureLine {
    ProcedureLine {
        code,
        minutes: Some(minutes),
        start: None,
        stop: None,
        furnished_by: None,
        delivery: Default::default(),
        separate_interval: false,
        modifiers: Vec::new(),
        charge_per_unit: Some(cleanclaim_model::Cents(4000)),
        units: None,
    }
}
