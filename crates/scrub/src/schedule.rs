//! Scheduled visits checked before they happen: each appointment against the authorization
//! that would cover it and the plan's annual visit limit, in date order, so the front desk
//! asks for an extension (or a new authorization) before the patient is seen rather than
//! after the claim is denied.
//!
//! The draw follows the scrubber's ledger: the earliest covering authorization is drawn
//! first, one visit per patient, discipline and day (two appointments of a day are one
//! visit, as the scrubber counts a split session), and the planned units of the codes it
//! covers; what the ledger says was used before counts. Benefit limits count the
//! disciplines that share them (`combined`, `shared`), annual and lifetime.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use cleanclaim_billing::{Engine, LifetimeScope};
use cleanclaim_model::{Discipline, PlanType, ProcedureCode};
use serde::{Deserialize, Serialize};

use crate::context::{AuthStatus, AuthorizationItem, ContextData, ledger_for};

/// One appointment on the schedule (`schedule.json` in the context folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledVisit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_id: Option<String>,
    pub patient_id: String,
    pub payer_id: String,
    /// Chooses the payer's pack where no pack names the payer id.
    pub plan: PlanType,
    pub date: NaiveDate,
    pub discipline: Discipline,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub planned_codes: Vec<ProcedureCode>,
    /// The units the visit is expected to bill of the codes its authorization covers; without
    /// it each planned code the authorization covers counts one unit (the least it can
    /// bill), so a units limit is never flagged early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_units: Option<u32>,
    /// The condition the visit treats (an ICD-10-CM code or category), for lifetime limits
    /// the pack counts per condition; without it those are not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

impl ScheduledVisit {
    /// The condition's three-character ICD-10-CM category.
    fn condition_category(&self) -> Option<String> {
        let condition = self.condition.as_deref()?.replace('.', "");
        condition.get(..3).map(str::to_ascii_uppercase)
    }

    fn units(&self) -> u32 {
        self.planned_units
            .unwrap_or_else(|| u32::try_from(self.planned_codes.len()).unwrap_or(u32::MAX))
    }
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
    /// This would bring the authorization's units to `needed` of the `allowed`.
    BeyondUnits {
        number: String,
        allowed: u32,
        needed: u32,
    },
    /// A planned code the authorization's code group leaves out.
    CodeNotCovered { number: String, code: ProcedureCode },
    /// This would be visit `nth` of the year for a plan covering `cap`.
    OverAnnualCap { cap: u32, nth: u32 },
    /// This would be visit `nth` in all for a plan covering `cap` over the patient's coverage.
    OverLifetimeCap { cap: u32, nth: u32 },
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
            ScheduleGap::BeyondUnits {
                number,
                allowed,
                needed,
            } => format!(
                "its planned units bring authorization {number} to {needed} of the {allowed} allowed: ask for more units"
            ),
            ScheduleGap::CodeNotCovered { number, code } => format!(
                "planned code {code} is not in authorization {number}'s codes: ask for it to be added"
            ),
            ScheduleGap::OverAnnualCap { cap, nth } => {
                format!("visit {nth} of the year; the plan covers {cap}")
            }
            ScheduleGap::OverLifetimeCap { cap, nth } => {
                format!("visit {nth} in all; the plan covers {cap} over the patient's coverage")
            }
        }
    }
}

/// Every appointment that would fall outside its authorization or the plan's annual or
/// lifetime visit limit, in schedule order. Appointments are drawn in date order (then file
/// order).
pub fn check_schedule(engine: &Engine, context: &ContextData) -> Vec<ScheduleProblem> {
    let schedule = &context.schedule;
    let mut order: Vec<usize> = (0..schedule.len()).collect();
    order.sort_by_key(|&i| schedule.get(i).map(|v| v.date));
    let mut ledger = Ledger::default();
    // Visits counted per (patient, payer, year, disciplines sharing the limit) for the annual
    // limit, and per (patient, payer, disciplines) for the lifetime one.
    let mut year_visits: HashMap<(String, String, i32, Vec<Discipline>), u32> = HashMap::new();
    let mut lifetime_visits: HashMap<(String, String, Vec<Discipline>, Option<String>), u32> =
        HashMap::new();
    let mut seen_days: HashSet<(String, String, Discipline, NaiveDate)> = HashSet::new();
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
        // A second appointment of the day is the same visit: no second visit is drawn or
        // counted, though its planned units are.
        let new_day = seen_days.insert((
            visit.patient_id.clone(),
            visit.payer_id.clone(),
            visit.discipline,
            visit.date,
        ));
        let exempt = |code: ProcedureCode| {
            period.is_some_and(|p| p.authorization.evaluations_exempt)
                && engine
                    .catalogue()
                    .get(code)
                    .is_some_and(|info| info.evaluation.is_some())
        };
        let evaluation_only =
            !visit.planned_codes.is_empty() && visit.planned_codes.iter().all(|c| exempt(*c));
        if !evaluation_only {
            let required = period.is_some_and(|p| p.authorization.required);
            for gap in ledger.draw(context, visit, new_day, required, &exempt) {
                problems.push(problem(gap));
            }
        }
        let Some(benefits) = period.map(|p| &p.benefits) else {
            continue;
        };
        let disciplines = benefits.sharing_with(visit.discipline);
        let year = visit.date.year();
        let this_visit = u32::from(new_day);
        let key = (
            visit.patient_id.clone(),
            visit.payer_id.clone(),
            year,
            disciplines.clone(),
        );
        let before = *year_visits.entry(key.clone()).or_insert_with(|| {
            context
                .usage
                .iter()
                .filter(|u| {
                    u.patient_id == visit.patient_id
                        && u.payer_id == visit.payer_id
                        && u.year == year
                        && disciplines.contains(&u.discipline)
                })
                .map(|u| u.visits)
                .sum()
        });
        if let Some(cap) = benefits.visits_per_year
            && before >= cap
            && new_day
        {
            problems.push(problem(ScheduleGap::OverAnnualCap {
                cap,
                nth: before + 1,
            }));
        }
        year_visits.insert(key, before + this_visit);
        // Per condition, an appointment without one cannot be counted.
        let condition = match benefits.lifetime_per {
            LifetimeScope::Coverage => Some(None),
            LifetimeScope::Condition => visit.condition_category().map(Some),
        };
        if let (Some(cap), Some(condition)) = (benefits.lifetime_visits, condition) {
            let key = (
                visit.patient_id.clone(),
                visit.payer_id.clone(),
                disciplines.clone(),
                condition.clone(),
            );
            let before = *lifetime_visits.entry(key.clone()).or_insert_with(|| {
                context
                    .usage
                    .iter()
                    .filter(|u| {
                        u.patient_id == visit.patient_id
                            && u.payer_id == visit.payer_id
                            && u.year <= year
                            && disciplines.contains(&u.discipline)
                            && condition
                                .as_deref()
                                .is_none_or(|category| u.is_for_condition(category))
                    })
                    .map(|u| u.visits)
                    .sum()
            });
            if before >= cap && new_day {
                problems.push(problem(ScheduleGap::OverLifetimeCap {
                    cap,
                    nth: before + 1,
                }));
            }
            lifetime_visits.insert(key, before + this_visit);
        }
    }
    problems.sort_by_key(|p| p.index);
    problems
}

/// What earlier appointments drew per ledger item: (visits, units).
#[derive(Default)]
struct Ledger {
    drawn: HashMap<usize, (u32, u32)>,
}

impl Ledger {
    /// Draws the appointment on the authorization that would cover it; why it would not be
    /// billable on it, if anything.
    fn draw(
        &mut self,
        context: &ContextData,
        visit: &ScheduledVisit,
        new_day: bool,
        required: bool,
        exempt: &dyn Fn(ProcedureCode) -> bool,
    ) -> Vec<ScheduleGap> {
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
                return vec![ScheduleGap::AfterEnd {
                    number: last.number.clone(),
                    ended: last.to,
                }];
            }
            return required
                .then_some(ScheduleGap::NoAuthorization)
                .into_iter()
                .collect();
        };
        if item.status == AuthStatus::Denied {
            return vec![ScheduleGap::Denied {
                number: item.number.clone(),
            }];
        }
        let mut gaps = Vec::new();
        // Codes another code group covers draw on it (one unit each), as the scrubber draws.
        let mut others: Vec<(usize, &AuthorizationItem, u32)> = Vec::new();
        for &code in &visit.planned_codes {
            if item.covers(code) || exempt(code) {
                continue;
            }
            let elsewhere = items
                .iter()
                .filter(|(_, other)| {
                    other.from <= visit.date
                        && visit.date <= other.to
                        && !other.codes.is_empty()
                        && other.covers(code)
                })
                .min_by(|(_, a), (_, b)| a.from.cmp(&b.from).then_with(|| a.number.cmp(&b.number)));
            match elsewhere {
                Some(&(index, other)) => match others.iter_mut().find(|(at, _, _)| *at == index) {
                    Some((_, _, units)) => *units += 1,
                    None => others.push((index, other, 1)),
                },
                None => gaps.push(ScheduleGap::CodeNotCovered {
                    number: item.number.clone(),
                    code,
                }),
            }
        }
        let covered_units = if item.codes.is_empty() || visit.planned_units.is_some() {
            visit.units()
        } else {
            u32::try_from(
                visit
                    .planned_codes
                    .iter()
                    .filter(|code| item.covers(**code))
                    .count(),
            )
            .unwrap_or(u32::MAX)
        };
        self.take((index, item), covered_units, new_day, &mut gaps);
        for (index, other, units) in others {
            self.take((index, other), units, new_day, &mut gaps);
        }
        gaps
    }

    /// Draws the day's visit (on a new day) and `units` on an authorization, noting the gap
    /// when either goes beyond what it allows.
    fn take(
        &mut self,
        (index, item): (usize, &AuthorizationItem),
        units: u32,
        new_day: bool,
        gaps: &mut Vec<ScheduleGap>,
    ) {
        let (drawn_visits, drawn_units) = self.drawn.get(&index).copied().unwrap_or((0, 0));
        let before = item.used_visits + drawn_visits;
        if let Some(allowed) = item.visits
            && before >= allowed
            && new_day
        {
            gaps.push(ScheduleGap::BeyondVisits {
                number: item.number.clone(),
                allowed,
                nth: before + 1,
            });
        }
        let needed = item.used_units + drawn_units + units;
        if let Some(allowed) = item.units
            && needed > allowed
            && units > 0
        {
            gaps.push(ScheduleGap::BeyondUnits {
                number: item.number.clone(),
                allowed,
                needed,
            });
        }
        let entry = self.drawn.entry(index).or_insert((0, 0));
        entry.0 += u32::from(new_day);
        entry.1 += units;
    }
}
