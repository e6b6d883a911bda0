//! Scheduled visits checked before they happen: each appointment against the authorization
//! that would cover it and the plan's annual visit limit, in date order, so the front desk
//! asks for an extension (or a new authorization) before the patient is seen rather than
//! after the claim is denied.
//!
//! The draw follows the scrubber's ledger: the earliest covering authorization is drawn
//! first, one visit per appointment; what the ledger says was used before counts.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use cleanclaim_billing::Engine;
use cleanclaim_model::{Discipline, PlanType, ProcedureCode};
use serde::{Deserialize, Serialize};

use crate::context::{AuthStatus, ContextData, ledger_for};

/// One appointment on the schedule (`schedule.json` in the context folder).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledVisit {
    #[serde(default)]
    pub appointment_id: Option<String>,
    pub patient_id: String,
    pub payer_id: String,
    /// Chooses the payer's pack where no pack names the payer id.
    pub plan: PlanType,
    pub date: NaiveDate,
    pub discipline: Discipline,
    #[serde(default)]
    pub planned_codes: Vec<ProcedureCode>,
}

/// Why an appointment would not be billable as things stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleGap {
    /// The pack requires an authorization and none on file covers the date.
    NoAuthorization,
    /// The covering authorizations end before the date.
    AfterEnd { number: String, ended: NaiveDate },
    /// The authorization is marked denied.
    Denied { number: String },
    /// This would be visit `nth` of an authorization allowing `allowed`.
    BeyondVisits {
        number: String,
        allowed: u32,
        nth: u32,
    },
    /// This would be visit `nth` of the year for a plan covering `cap`.
    OverAnnualCap { cap: u32, nth: u32 },
}

/// One appointment that would fall outside its authorization or cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleProblem {
    /// The appointment's position in the schedule file, from 0.
    pub index: usize,
    pub appointment_id: Option<String>,
    pub patient_id: String,
    pub date: NaiveDate,
    pub discipline: Discipline,
    pub gap: ScheduleGap,
}

impl ScheduleProblem {
    /// The gap in words, for the front desk.
    pub fn describe(&self) -> String {
        match &self.gap {
            ScheduleGap::NoAuthorization => {
                "the payer requires prior authorization and none on file covers this date"
                    .to_owned()
            }
            ScheduleGap::AfterEnd { number, ended } => {
                format!("after authorization {number} ended on {ended}")
            }
            ScheduleGap::Denied { number } => format!("authorization {number} is denied"),
            ScheduleGap::BeyondVisits {
                number,
                allowed,
                nth,
            } => format!(
                "visit {nth} of authorization {number}, which allows {allowed}: ask for an extension"
            ),
            ScheduleGap::OverAnnualCap { cap, nth } => {
                format!("visit {nth} of the year; the plan covers {cap}")
            }
        }
    }
}

/// Every appointment that would fall outside its authorization or the plan's annual visit
/// limit, in schedule order. Appointments are drawn in date order (then file order).
pub fn check_schedule(engine: &Engine, context: &ContextData) -> Vec<ScheduleProblem> {
    let schedule = &context.schedule;
    let mut order: Vec<usize> = (0..schedule.len()).collect();
    order.sort_by_key(|&i| schedule.get(i).map(|v| v.date));
    // Visits drawn per ledger item by earlier appointments, and per (patient, payer, year,
    // discipline) for the annual limit.
    let mut drawn: HashMap<usize, u32> = HashMap::new();
    let mut year_visits: HashMap<(String, String, i32, Option<Discipline>), u32> = HashMap::new();
    let mut problems = Vec::new();
    for index in order {
        let Some(visit) = schedule.get(index) else {
            continue;
        };
        let pack = engine
            .packs()
            .all()
            .iter()
            .find(|pack| pack.payer_ids.contains(&visit.payer_id))
            .or_else(|| engine.packs().default_for(visit.plan));
        let period = pack.map(|pack| {
            pack.period_for(visit.date)
                .unwrap_or_else(|| pack.nearest_period(visit.date))
        });
        let problem = |gap| ScheduleProblem {
            index,
            appointment_id: visit.appointment_id.clone(),
            patient_id: visit.patient_id.clone(),
            date: visit.date,
            discipline: visit.discipline,
            gap,
        };
        if let Some(gap) = authorization_gap(
            context,
            visit,
            &mut drawn,
            period.is_some_and(|p| p.authorization.required),
        ) {
            problems.push(problem(gap));
        }
        let year = visit.date.year();
        // A combined limit (PT, OT and SLP sharing it) counts every discipline.
        let combined = period.is_some_and(|p| p.benefits.combined);
        let discipline = (!combined).then_some(visit.discipline);
        let key = (
            visit.patient_id.clone(),
            visit.payer_id.clone(),
            year,
            discipline,
        );
        let before = *year_visits.entry(key.clone()).or_insert_with(|| {
            context
                .usage
                .iter()
                .filter(|u| {
                    u.patient_id == visit.patient_id
                        && u.payer_id == visit.payer_id
                        && u.year == year
                        && discipline.is_none_or(|d| u.discipline == d)
                })
                .map(|u| u.visits)
                .sum()
        });
        if let Some(cap) = period.and_then(|p| p.benefits.visits_per_year)
            && before >= cap
        {
            problems.push(problem(ScheduleGap::OverAnnualCap {
                cap,
                nth: before + 1,
            }));
        }
        year_visits.insert(key, before + 1);
    }
    problems.sort_by_key(|p| p.index);
    problems
}

/// The authorization the appointment would draw on, drawn; or why none would cover it.
fn authorization_gap(
    context: &ContextData,
    visit: &ScheduledVisit,
    drawn: &mut HashMap<usize, u32>,
    required: bool,
) -> Option<ScheduleGap> {
    let (items, covering) = ledger_for(
        context
            .authorizations
            .iter()
            .enumerate()
            .filter(|(_, item)| item.patient_id == visit.patient_id),
        &visit.payer_id,
        visit.discipline,
        visit.date,
    );
    let Some((index, item)) = covering else {
        if let Some((_, last)) = items
            .iter()
            .filter(|(_, item)| item.to < visit.date)
            .max_by_key(|(_, item)| item.to)
        {
            return Some(ScheduleGap::AfterEnd {
                number: last.number.clone(),
                ended: last.to,
            });
        }
        return required.then_some(ScheduleGap::NoAuthorization);
    };
    if item.status == AuthStatus::Denied {
        return Some(ScheduleGap::Denied {
            number: item.number.clone(),
        });
    }
    let before = item.used_visits + drawn.get(&index).copied().unwrap_or(0);
    *drawn.entry(index).or_insert(0) += 1;
    match item.visits {
        Some(allowed) if before >= allowed => Some(ScheduleGap::BeyondVisits {
            number: item.number.clone(),
            allowed,
            nth: before + 1,
        }),
        _ => None,
    }
}
