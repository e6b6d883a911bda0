//! One episode of care: a patient, a discipline, a payer, a plan of care, and its visits.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use cleanclaim_model::{
    Administrative, Cents, Clinical, ClockTime, Compliance, Delivery, Discipline, Encounter,
    Frequency, FurnishedBy, Goal, GoalStatus, GoalTerm, Measure, Modality, Npi, Patient, Payer,
    PersonName, PlaceOfService, PlanOfCare, PlanType, PostalAddress, ProcedureCode, ProcedureLine,
    ProgressReport, ProviderRole, ReEvaluationBasis, ReferringProvider, RenderingProvider, Sex,
    TestsAndMeasures, Timing, VisitType, YearToDateSpend,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::defects;
use crate::tables;

/// Codes CMS lets therapists furnish by telehealth, from the generator's vocabularies.
const TELEHEALTH_CODES: [&str; 8] = [
    "97110", "97112", "97116", "97530", "97535", "92507", "92526", "97150",
];

pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        return None;
    }
    items.get(rng.random_range(0..items.len()))
}

fn weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (index, weight) in weights.iter().enumerate() {
        if roll < *weight {
            return index;
        }
        roll -= weight;
    }
    0
}

fn code(text: &str) -> Option<ProcedureCode> {
    text.parse().ok()
}

fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

/// The clinic a patient is seen at, derived from the patient id rather than drawn, so that the
/// random stream (and every dataset generated before clinics existed) stays the same.
fn clinic_of(patient_id: &str) -> &'static str {
    let sum: usize = patient_id.bytes().map(usize::from).sum();
    tables::CLINICS
        .get(sum % tables::CLINICS.len())
        .copied()
        .unwrap_or("main")
}

/// The fixed facts of an episode that every visit repeats.
struct Setting {
    discipline: Discipline,
    patient: Patient,
    payer: Payer,
    member_id: String,
    therapist: Npi,
    assistant: Npi,
    referring: Npi,
    plan: PlanOfCare,
    diagnoses: Vec<cleanclaim_model::Icd10Cm>,
    goals: Vec<Goal>,
}

/// A provider's name, derived from the NPI rather than drawn, so that the random stream (and
/// every dataset generated before names existed) stays the same, and one NPI always has one
/// name, as in an EMR's provider table.
pub(crate) fn provider_name(npi: &Npi) -> PersonName {
    let digits: usize = npi.as_str().parse().unwrap_or(0);
    let families = tables::FAMILY_NAMES.len();
    let family = tables::FAMILY_NAMES
        .get(digits % families)
        .copied()
        .unwrap_or("Doe");
    let given = tables::GIVEN_NAMES
        .get(digits / families % tables::GIVEN_NAMES.len())
        .copied()
        .unwrap_or("Pat");
    PersonName {
        family: family.to_owned(),
        given: given.to_owned(),
    }
}

/// How often a treatment visit is documented as two sessions of the day: one visit in
/// `SPLIT_EVERY`, picked from the episode and visit numbers so no random draw is added and
/// existing seeds keep the rest of their output.
const SPLIT_EVERY: u64 = 29;

/// An episode's visits, with documentation defects on about `defect_rate` of them. With
/// `split_sessions`, about one treatment visit in [`SPLIT_EVERY`] is documented as a morning
/// and an afternoon session (two encounters of one date), as clinics do for twice-daily
/// sessions and late addenda: the scrubber pools their timed minutes (MCPM ch.5 §20.2).
pub(crate) fn generate(
    rng: &mut ChaCha8Rng,
    episode_no: u64,
    defect_rate: f64,
    split_sessions: bool,
) -> Vec<Encounter> {
    let disciplines = [Discipline::Pt, Discipline::Ot, Discipline::Slp];
    let discipline = disciplines
        .get(weighted(rng, &[60, 25, 15]))
        .copied()
        .unwrap_or(Discipline::Pt);
    let Some(&(payer_id, payer_name, plan_type, _)) =
        tables::PAYERS.get(weighted(rng, &tables::PAYERS.map(|p| p.3)))
    else {
        return Vec::new();
    };
    let medicare = matches!(
        plan_type,
        PlanType::MedicarePartB | PlanType::MedicareAdvantage
    );
    let start = weekday_on_or_after(add_days(
        NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or_default(),
        rng.random_range(0..640),
    ));
    let birth_year = if medicare {
        rng.random_range(1936..1960)
    } else {
        rng.random_range(1950..2016)
    };
    let birth_date = NaiveDate::from_ymd_opt(
        birth_year,
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
    .unwrap_or_default();
    let family = pick(rng, &tables::FAMILY_NAMES).copied().unwrap_or("Doe");
    let given = pick(rng, &tables::GIVEN_NAMES).copied().unwrap_or("Pat");
    let patient = Patient {
        id: format!("MRN{episode_no:08}"),
        name: PersonName {
            family: family.to_owned(),
            given: given.to_owned(),
        },
        birth_date,
        sex: if rng.random_bool(0.55) {
            Sex::Female
        } else {
            Sex::Male
        },
        // Derived from the episode number, not drawn, so the random stream (and every
        // dataset generated before addresses existed) stays the same.
        address: Some(PostalAddress {
            line1: format!("{} MAIN ST", 100 + episode_no % 900),
            line2: None,
            city: "SPRINGFIELD".to_owned(),
            state: "IL".to_owned(),
            zip: "62701".to_owned(),
        }),
    };
    let n_diagnoses = rng.random_range(1..=3);
    let mut diagnoses = Vec::with_capacity(n_diagnoses);
    while diagnoses.len() < n_diagnoses {
        if let Some(dx) = pick(rng, tables::diagnoses(discipline)).and_then(|d| d.parse().ok())
            && !diagnoses.contains(&dx)
        {
            diagnoses.push(dx);
        }
    }
    let weeks = rng.random_range(4..=12u8);
    let visits_per_week = rng.random_range(2..=3u8);
    let plan = PlanOfCare {
        discipline,
        certification_start: start,
        certification_end: add_days(start, u64::from(weeks) * 7 - 1).min(add_days(start, 89)),
        signed_on: Some(add_days(start, rng.random_range(1..20))),
        signer_npi: Some(Npi::with_check_digit(rng.random_range(0..100_000_000))),
        frequency: Some(Frequency {
            visits_per_week,
            weeks,
        }),
        sent_to_referrer_on: None,
        delay_reason: None,
    };
    let setting = Setting {
        discipline,
        patient,
        payer: Payer {
            id: payer_id.to_owned(),
            name: payer_name.to_owned(),
            plan: plan_type,
        },
        member_id: member_id(payer_id, plan_type, rng.random_range(0..1_000_000_000u32)),
        therapist: Npi::with_check_digit(rng.random_range(0..100_000_000)),
        assistant: Npi::with_check_digit(rng.random_range(0..100_000_000)),
        referring: Npi::with_check_digit(rng.random_range(0..100_000_000)),
        goals: vec![
            Goal {
                text: "Independent with home exercise program".into(),
                term: GoalTerm::ShortTerm,
                status: GoalStatus::Progressing,
                target_date: Some(add_days(start, 28)),
            },
            Goal {
                text: "Return to prior level of function".into(),
                term: GoalTerm::LongTerm,
                status: GoalStatus::New,
                target_date: Some(plan.certification_end),
            },
        ],
        plan,
        diagnoses,
    };

    let n_visits = rng
        .random_range(4..=usize::from(weeks) * usize::from(visits_per_week))
        .min(24);
    let mut ytd = if medicare && rng.random_bool(0.3) {
        Cents(rng.random_range(0..230_000))
    } else {
        Cents::ZERO
    };
    let mut visits = Vec::with_capacity(n_visits);
    let mut date = start;
    let mut last_report = start;
    let mut days_since_report = 0u32;
    for visit_no in 0..n_visits {
        if visit_no > 0 {
            date = next_visit_day(rng, date, visits_per_week);
        }
        days_since_report += 1;
        let visit_type = match visit_no {
            0 => VisitType::Evaluation,
            n if n + 1 == n_visits => VisitType::Discharge,
            10 if discipline != Discipline::Slp && rng.random_bool(0.4) => VisitType::ReEvaluation,
            _ => VisitType::Treatment,
        };
        let mut encounter = visit(
            rng,
            &setting,
            date,
            visit_type,
            ytd,
            last_report,
            days_since_report,
        );
        if days_since_report >= 10 {
            // A progress report is written at this visit; the next period starts here.
            last_report = date;
            days_since_report = 0;
        }
        let charges: Cents = encounter
            .timing
            .lines
            .iter()
            .map(|line| {
                line.charge_per_unit
                    .unwrap_or_default()
                    .times(line.minutes.map_or(1, |m| (m + 7) / 15).max(1))
            })
            .sum();
        ytd += charges;
        let defective = rng.random_bool(defect_rate);
        if defective {
            defects::inject(rng, &mut encounter);
        }
        // Only a clean visit is split, so each defect stays on the note it was put on.
        let split = (split_sessions
            && !defective
            && episode_no
                .wrapping_mul(13)
                .wrapping_add(visit_no as u64)
                .is_multiple_of(SPLIT_EVERY))
        .then(|| afternoon_session(&mut encounter))
        .flatten();
        visits.push(encounter);
        visits.extend(split);
    }
    visits
}

/// Moves the last timed line of an in-person treatment visit with two or more of them into a
/// second session at 14:00 the same day; none when the visit has no such line to spare.
fn afternoon_session(morning: &mut Encounter) -> Option<Encounter> {
    if morning.clinical.visit_type != VisitType::Treatment
        || morning.administrative.modality != Modality::InPerson
    {
        return None;
    }
    let timed: Vec<usize> = morning
        .timing
        .lines
        .iter()
        .enumerate()
        .filter(|(_, line)| {
            line.minutes.is_some() && crate::TIMED_CODES.contains(&line.code.as_str())
        })
        .map(|(at, _)| at)
        .collect();
    let (2.., Some(&last)) = (timed.len(), timed.last()) else {
        return None;
    };
    let mut line = morning.timing.lines.remove(last);
    let minutes = line.minutes.unwrap_or(0);
    if line.start.is_some() {
        const AFTERNOON: u32 = 14 * 60;
        line.start = clock_time(AFTERNOON);
        line.stop = clock_time(AFTERNOON + minutes);
    }
    morning.timing.total_treatment_minutes = morning
        .timing
        .total_treatment_minutes
        .map(|total| total.saturating_sub(minutes));
    let mut afternoon = morning.clone();
    afternoon.timing.lines = vec![line];
    afternoon.timing.total_treatment_minutes = Some(minutes);
    Some(afternoon)
}

/// A member id in the payer's shape: a Medicare Beneficiary Identifier for Part B, the
/// payer's prefix and nine digits otherwise. Derived from one drawn number, so the random
/// stream is the same whichever shape it takes.
fn member_id(payer_id: &str, plan: PlanType, number: u32) -> String {
    if plan == PlanType::MedicarePartB {
        return mbi(number);
    }
    format!("{}{number:09}", payer_id.get(..2).unwrap_or(payer_id))
}

/// An MBI from a number, position by position (CMS MBI format: 1 a digit 1-9; 2, 5, 8, 9
/// letters other than S, L, O, I, B, Z; 3 and 6 a letter or digit; the rest digits).
pub(crate) fn mbi(number: u32) -> String {
    const LETTERS: &[u8; 20] = b"ACDEFGHJKMNPQRTUVWXY";
    const LETTER_OR_DIGIT: &[u8; 30] = b"0123456789ACDEFGHJKMNPQRTUVWXY";
    let mut rest = u64::from(number);
    let mut take = |alphabet: &[u8]| {
        let radix = alphabet.len() as u64;
        let index = usize::try_from(rest % radix).unwrap_or(0);
        rest /= radix;
        alphabet.get(index).copied().map_or('0', char::from)
    };
    let digits = b"0123456789";
    let positions: [&[u8]; 11] = [
        b"123456789",
        LETTERS,
        LETTER_OR_DIGIT,
        digits,
        LETTERS,
        LETTER_OR_DIGIT,
        digits,
        LETTERS,
        LETTERS,
        digits,
        digits,
    ];
    positions.iter().map(|alphabet| take(alphabet)).collect()
}

fn next_visit_day(rng: &mut ChaCha8Rng, date: NaiveDate, visits_per_week: u8) -> NaiveDate {
    let gap = if visits_per_week >= 3 {
        rng.random_range(1..=3)
    } else {
        rng.random_range(2..=4)
    };
    weekday_on_or_after(add_days(date, gap))
}

/// Outpatient clinics in the synthetic world see patients Monday to Friday.
fn weekday_on_or_after(mut date: NaiveDate) -> NaiveDate {
    while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        date = add_days(date, 1);
    }
    date
}

fn visit(
    rng: &mut ChaCha8Rng,
    setting: &Setting,
    date: NaiveDate,
    visit_type: VisitType,
    ytd: Cents,
    last_report: NaiveDate,
    days_since_report: u32,
) -> Encounter {
    let discipline = setting.discipline;
    let telehealth = visit_type == VisitType::Treatment && rng.random_bool(0.08);
    let modality = match (telehealth, rng.random_bool(0.8)) {
        (false, _) => Modality::InPerson,
        (true, true) => Modality::TelehealthHome,
        (true, false) => Modality::TelehealthOther,
    };
    let assistant =
        visit_type == VisitType::Treatment && discipline != Discipline::Slp && rng.random_bool(0.3);
    // Medicare and Medicaid enroll only therapists: the supervising therapist renders and the
    // assistant's share shows in `furnished_by`. Commercial and workers' comp plans often
    // let the assistant render.
    let assistant_renders = assistant
        && matches!(
            setting.payer.plan,
            PlanType::Commercial | PlanType::Other | PlanType::WorkersComp
        );
    let role = match (discipline, assistant_renders) {
        (Discipline::Pt, false) => ProviderRole::Pt,
        (Discipline::Pt, true) => ProviderRole::Pta,
        (Discipline::Ot, false) => ProviderRole::Ot,
        (Discipline::Ot, true) => ProviderRole::Ota,
        (Discipline::Slp, _) => ProviderRole::Slp,
    };
    let lines = procedure_lines(rng, discipline, visit_type, telehealth, assistant);
    let total_minutes = lines.iter().filter_map(|l| l.minutes).sum();
    let evaluation = matches!(visit_type, VisitType::Evaluation | VisitType::ReEvaluation);
    let tests_and_measures = if evaluation {
        let measures = tables::measures(discipline);
        let n = rng.random_range(1..=2.min(measures.len()));
        TestsAndMeasures {
            performed: true,
            measures: measures
                .iter()
                .take(n)
                .map(|name| Measure {
                    name: (*name).to_owned(),
                    value: Some(format!("{}", rng.random_range(10..60))),
                })
                .collect(),
        }
    } else {
        TestsAndMeasures::default()
    };
    let bucket_spend = match discipline {
        Discipline::Ot => YearToDateSpend {
            pt_slp: Cents::ZERO,
            ot: ytd,
        },
        _ => YearToDateSpend {
            pt_slp: ytd,
            ot: Cents::ZERO,
        },
    };
    Encounter {
        id: String::new(),
        date_of_service: date,
        discipline,
        patient: setting.patient.clone(),
        clinical: Clinical {
            diagnoses: setting.diagnoses.clone(),
            visit_type,
            goals: setting.goals.clone(),
            tests_and_measures,
            re_evaluation_basis: (visit_type == VisitType::ReEvaluation)
                .then_some(ReEvaluationBasis::SignificantChange),
            re_evaluation_reason: (visit_type == VisitType::ReEvaluation)
                .then(|| "Significant decline in gait speed after a fall".to_owned()),
        },
        timing: Timing {
            lines,
            total_treatment_minutes: Some(total_minutes),
        },
        administrative: Administrative {
            payer: setting.payer.clone(),
            member_id: setting.member_id.clone(),
            subscriber: None,
            referring_provider: Some(ReferringProvider {
                npi: setting.referring,
                name: Some(provider_name(&setting.referring)),
                order_signed_on: Some(setting.plan.certification_start),
                order_kind: None,
                order_received_on: None,
                // The referrer saw the patient the day the order was signed; no RNG draw,
                // so existing seeds keep their output.
                patient_last_seen_on: Some(setting.plan.certification_start),
            }),
            place_of_service: PlaceOfService::OFFICE,
            modality,
            authorization: matches!(
                setting.payer.plan,
                PlanType::Medicaid | PlanType::WorkersComp | PlanType::MedicareAdvantage
            )
            // One authorization covers the episode, as payers issue them.
            .then(|| format!("AUTH-{}", setting.patient.id)),
            year_to_date_spend: bucket_spend,
            location: Some(clinic_of(&setting.patient.id).to_owned()),
            // The organization's generator books visits (`org.rs`); a lone episode has no
            // front desk.
            scheduled_by: None,
        },
        compliance: Compliance {
            rendering: Some(RenderingProvider {
                npi: if assistant_renders {
                    setting.assistant
                } else {
                    setting.therapist
                },
                role,
                name: Some(provider_name(if assistant_renders {
                    &setting.assistant
                } else {
                    &setting.therapist
                })),
                supervising_npi: assistant_renders.then_some(setting.therapist),
                supervising_name: assistant_renders.then(|| provider_name(&setting.therapist)),
            }),
            plan_of_care: Some(setting.plan.clone()),
            last_progress_report: (date > last_report).then_some(ProgressReport {
                date: last_report,
                treatment_days_since: days_since_report,
                written_by: role_of_therapist(discipline),
            }),
            medical_necessity_documented: ytd > Cents(200_000) && rng.random_bool(0.9),
        },
    }
}

fn role_of_therapist(discipline: Discipline) -> ProviderRole {
    match discipline {
        Discipline::Pt => ProviderRole::Pt,
        Discipline::Ot => ProviderRole::Ot,
        Discipline::Slp => ProviderRole::Slp,
    }
}

fn procedure_lines(
    rng: &mut ChaCha8Rng,
    discipline: Discipline,
    visit_type: VisitType,
    telehealth: bool,
    assistant: bool,
) -> Vec<ProcedureLine> {
    let mut picked: Vec<(&'static str, i64, Option<u32>)> = Vec::with_capacity(5);
    match visit_type {
        VisitType::Evaluation | VisitType::ReEvaluation => {
            let (eval, fee) = tables::evaluation(discipline, visit_type == VisitType::ReEvaluation);
            picked.push((eval, fee, Some(rng.random_range(30..60))));
            if discipline != Discipline::Slp
                && rng.random_bool(0.5)
                && let Some(&(timed, fee)) = pick(rng, tables::timed_codes(discipline))
            {
                picked.push((timed, fee, Some(rng.random_range(8..20))));
            }
        }
        VisitType::Treatment | VisitType::Discharge => {
            if discipline == Discipline::Slp {
                if let Some(&(untimed, fee)) = pick(rng, tables::untimed_treatment(discipline)) {
                    picked.push((untimed, fee, Some(rng.random_range(30..50))));
                }
                if rng.random_bool(0.1)
                    && let Some(&(timed, fee)) = pick(rng, tables::timed_codes(discipline))
                {
                    picked.push((timed, fee, Some(rng.random_range(8..25))));
                }
            } else {
                let n_timed = rng.random_range(2..=4);
                let mut attempts = 0;
                while picked.len() < n_timed && attempts < 20 {
                    attempts += 1;
                    if let Some(&(timed, fee)) = pick(rng, tables::timed_codes(discipline))
                        && !picked.iter().any(|p| p.0 == timed)
                        && (!telehealth || TELEHEALTH_CODES.contains(&timed))
                    {
                        picked.push((timed, fee, Some(rng.random_range(8..26))));
                    }
                }
                if !telehealth
                    && rng.random_bool(0.12)
                    && let Some(&(untimed, fee)) = pick(rng, tables::untimed_treatment(discipline))
                    && !picked.iter().any(|p| p.0 == untimed)
                {
                    picked.push((untimed, fee, Some(rng.random_range(10..20))));
                }
            }
        }
    }
    let mut clock = 8 * 60 + u32::from(rng.random_range(0..20u8)) * 15;
    let has_pair = picked.iter().any(|p| p.0 == "97530") && picked.iter().any(|p| p.0 == "97140");
    picked
        .into_iter()
        .filter_map(|(text, fee, minutes)| {
            let code = code(text)?;
            let minutes = minutes.unwrap_or(15);
            let timed_line = tables::timed_codes(discipline)
                .iter()
                .any(|(timed, _)| *timed == text);
            let furnished_by = (assistant && timed_line && rng.random_bool(0.4)).then(|| {
                let therapist_alone = rng.random_range(0..=minutes);
                FurnishedBy {
                    therapist_alone,
                    assistant_alone: minutes - therapist_alone,
                    together: 0,
                    student_alone: 0,
                }
            });
            let timed_times = rng.random_bool(0.7);
            let (start, stop) = if timed_times {
                let start = clock_time(clock);
                clock += minutes + rng.random_range(0..3);
                (start, clock_time(clock.min(23 * 60 + 59)))
            } else {
                (None, None)
            };
            Some(ProcedureLine {
                code,
                minutes: Some(minutes),
                start,
                stop,
                furnished_by,
                delivery: if text == "97150" {
                    Delivery::Group
                } else {
                    Delivery::OneOnOne
                },
                separate_interval: has_pair && text == "97140" && rng.random_bool(0.85),
                modifiers: Vec::new(),
                charge_per_unit: Some(Cents(fee)),
                units: None,
            })
        })
        .collect()
}

fn clock_time(minute_of_day: u32) -> Option<ClockTime> {
    format!(
        "{:02}:{:02}",
        (minute_of_day / 60).min(23),
        minute_of_day % 60
    )
    .parse()
    .ok()
}
