//! A synthetic therapy organization over a period: clinics with PT, PTA, OT, OTA and SLP
//! providers who work set weekdays, patients in episodes of care that start on the clinics'
//! days at a steady rate, authorizations with visit counts and dates, and visits documented
//! with the defects clinics see at configurable rates. Each defective visit carries its fix
//! (the visit as it should have been documented, or the authorization that covers it), so a
//! simulation can work holds the way a biller would.
//!
//! Deterministic for a seed; visits come out day by day in date order, so memory holds the
//! episodes in progress, not the period.

use std::collections::{BTreeMap, VecDeque};

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use cleanclaim_model::{
    Discipline, Encounter, Modality, Npi, PersonName, PlanType, ProcedureCode, ProviderRole,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::episode;

/// Per-visit (or, for authorizations, per-episode) rates of each documentation defect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DefectRates {
    /// The note is signed 3-21 days after the visit: it reaches billing late (no hold).
    pub late_note: f64,
    /// A timed code documented without its minutes.
    pub missing_minutes: f64,
    /// The visit falls after the plan of care's certification ended (recertification late).
    pub expired_plan: f64,
    /// The episode's authorization allows fewer visits than the plan: its last visits exceed it.
    pub exhausted_authorization: f64,
    /// A payer that requires authorization, and none was obtained for the episode.
    pub missing_authorization: f64,
    /// 97530 and 97140 on one day without a separate interval (no 59/X modifier).
    pub wrong_modifier: f64,
    /// Documented as telehealth with a code that is not on the telehealth list.
    pub telehealth_mistake: f64,
}

impl Default for DefectRates {
    /// Rates in the range published first-pass denial rates of 10-20% imply.
    fn default() -> Self {
        Self {
            late_note: 0.05,
            missing_minutes: 0.025,
            expired_plan: 0.02,
            exhausted_authorization: 0.25,
            missing_authorization: 0.08,
            wrong_modifier: 0.05,
            telehealth_mistake: 0.02,
        }
    }
}

impl DefectRates {
    /// Every rate times `factor` (0 gives a defect-free organization), capped at 1.
    pub fn scaled(self, factor: f64) -> Self {
        let s = |rate: f64| (rate * factor).clamp(0.0, 1.0);
        Self {
            late_note: s(self.late_note),
            missing_minutes: s(self.missing_minutes),
            expired_plan: s(self.expired_plan),
            exhausted_authorization: s(self.exhausted_authorization),
            missing_authorization: s(self.missing_authorization),
            wrong_modifier: s(self.wrong_modifier),
            telehealth_mistake: s(self.telehealth_mistake),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgSpec {
    pub clinics: u32,
    pub months: u32,
    pub seed: u64,
    /// The first day of the period.
    pub start: NaiveDate,
    /// Visits a clinic sees on a working day, on average, once episodes are under way.
    pub visits_per_clinic_day: u32,
    pub rates: DefectRates,
}

impl OrgSpec {
    pub fn new(clinics: u32, months: u32, seed: u64, start: NaiveDate) -> Self {
        Self {
            clinics,
            months,
            seed,
            start,
            visits_per_clinic_day: 190,
            rates: DefectRates::default(),
        }
    }

    /// The day after the period.
    pub fn end(&self) -> NaiveDate {
        self.start
            .checked_add_months(Months::new(self.months))
            .unwrap_or(self.start)
    }
}

/// A documentation defect of the organization's visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgDefect {
    LateNote,
    MissingMinutes,
    ExpiredPlan,
    ExhaustedAuthorization,
    MissingAuthorization,
    WrongModifier,
    TelehealthMistake,
}

impl OrgDefect {
    pub fn name(self) -> &'static str {
        match self {
            Self::LateNote => "late_note",
            Self::MissingMinutes => "missing_minutes",
            Self::ExpiredPlan => "expired_plan",
            Self::ExhaustedAuthorization => "exhausted_authorization",
            Self::MissingAuthorization => "missing_authorization",
            Self::WrongModifier => "wrong_modifier",
            Self::TelehealthMistake => "telehealth_mistake",
        }
    }
}

/// A provider of a clinic and the weekdays they work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub npi: Npi,
    pub name: PersonName,
    pub role: ProviderRole,
    /// Monday to Friday.
    pub works: [bool; 5],
}

impl Provider {
    fn works_on(&self, date: NaiveDate) -> bool {
        let day = date.weekday().num_days_from_monday();
        self.works
            .get(usize::try_from(day).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or(false)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinic {
    /// The location id encounters carry.
    pub id: String,
    pub name: String,
    pub providers: Vec<Provider>,
}

/// An authorization as the scrubber's context file (`authorizations.json`) and the payer
/// record it: the visits it allows for one discipline between two dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub patient_id: String,
    pub payer_id: String,
    pub number: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub discipline: Discipline,
    pub visits: u32,
}

/// One visit as the clinic documented it, with its defect and fix.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgVisit {
    pub encounter: Encounter,
    /// The day the note is signed and the visit can reach billing.
    pub documented_on: NaiveDate,
    pub defect: Option<OrgDefect>,
    /// The visit as it should have been documented, when the defect is in the record.
    pub corrected: Option<Box<Encounter>>,
    /// The episode's authorization as issued, on the episode's first visit in the period.
    pub authorization: Option<Authorization>,
    /// The authorization that covers the visit once obtained or extended (authorization
    /// defects).
    pub authorization_fix: Option<Authorization>,
}

/// One working day's visits, across the clinics.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgDay {
    pub date: NaiveDate,
    pub visits: Vec<OrgVisit>,
}

/// The organization: its clinics, and its visits day by day (an iterator).
#[derive(Debug)]
pub struct Organization {
    pub spec: OrgSpec,
    pub clinics: Vec<Clinic>,
    rng: ChaCha8Rng,
    /// The next day episodes start on.
    day: NaiveDate,
    pending: BTreeMap<NaiveDate, Vec<OrgVisit>>,
    episodes: u64,
    visits_per_clinic: Vec<u64>,
    ready: VecDeque<OrgDay>,
}

/// Episodes start this long before the period so that it opens with a full caseload.
const WARM_UP_DAYS: u64 = 70;

/// Mean visits of a generated episode (measured: the visits per clinic-day a month gets
/// once the warm-up has filled the caseload); new episodes per clinic-day are the target
/// visits over this.
const MEAN_VISITS_PER_EPISODE: f64 = 8.8;

/// Payers that require prior authorization for therapy, as the simulator's built-in rules
/// (`crates/payer/data/payer-rules.toml`) have it.
const AUTHORIZATION_PAYERS: [&str; 5] = ["00590", "87726", "MCD01", "MA001", "WC100"];

const CLINIC_NAMES: [&str; 24] = [
    "riverside",
    "oakwood",
    "lakeview",
    "hillcrest",
    "maple",
    "cedar",
    "harbor",
    "summit",
    "meadow",
    "brookside",
    "westgate",
    "eastfield",
    "northpoint",
    "southpark",
    "pinecrest",
    "elmwood",
    "fairview",
    "kingsley",
    "lincoln",
    "madison",
    "parkside",
    "stonebridge",
    "valley",
    "willow",
];

/// A clinic's roster: role and head count (15 providers: about 190 visits a day).
const ROSTER: [(ProviderRole, u32); 5] = [
    (ProviderRole::Pt, 5),
    (ProviderRole::Pta, 3),
    (ProviderRole::Ot, 3),
    (ProviderRole::Ota, 2),
    (ProviderRole::Slp, 2),
];

impl Organization {
    pub fn new(spec: OrgSpec) -> Self {
        let clinics = (0..spec.clinics).map(clinic).collect();
        let day = spec
            .start
            .checked_sub_days(Days::new(WARM_UP_DAYS))
            .unwrap_or(spec.start);
        let visits_per_clinic = vec![0; usize::try_from(spec.clinics).unwrap_or(0)];
        Self {
            rng: ChaCha8Rng::seed_from_u64(spec.seed),
            spec,
            clinics,
            day,
            pending: BTreeMap::new(),
            episodes: 0,
            visits_per_clinic,
            ready: VecDeque::new(),
        }
    }

    /// Starts the day's episodes in every clinic.
    fn start_episodes(&mut self, date: NaiveDate) {
        let per_day = f64::from(self.spec.visits_per_clinic_day) / MEAN_VISITS_PER_EPISODE;
        for index in 0..self.clinics.len() {
            let whole = per_day.floor();
            let extra = self.rng.random_bool((per_day - whole).clamp(0.0, 1.0));
            let starts = whole as u32 + u32::from(extra);
            for _ in 0..starts {
                self.episodes += 1;
                let visits = self.episode(index, date);
                for visit in visits {
                    self.pending
                        .entry(visit.encounter.date_of_service)
                        .or_default()
                        .push(visit);
                }
            }
        }
    }

    /// One episode of clinic `index` starting on `date`, placed and with its defects.
    fn episode(&mut self, index: usize, date: NaiveDate) -> Vec<OrgVisit> {
        // No split sessions: the organization's authorizations and defects count visits as
        // encounters.
        let mut encounters = episode::generate(&mut self.rng, self.episodes, 0.0, false);
        let Some(first) = encounters.first() else {
            return Vec::new();
        };
        let shift = (date - first.date_of_service).num_days();
        let discipline = first.discipline;
        let Some(clinic) = self.clinics.get(index) else {
            return Vec::new();
        };
        let therapist = pick_provider(&mut self.rng, clinic, discipline, false, date);
        let assistant = pick_provider(&mut self.rng, clinic, discipline, true, date);
        for encounter in &mut encounters {
            shift_dates(encounter, shift);
            staff(encounter, therapist.as_ref(), assistant.as_ref());
            encounter.administrative.location = Some(clinic.id.clone());
            encounter.patient.id = format!("{}-{}", clinic.id, encounter.patient.id);
        }
        let rates = self.spec.rates;
        let authorization = self.authorize(&mut encounters);
        let first_in_period = encounters
            .iter()
            .position(|e| e.date_of_service >= self.spec.start);
        if let Some(auth) = &authorization {
            let n = encounters.len();
            if n >= 4 && self.rng.random_bool(rates.exhausted_authorization) {
                let short = self.rng.random_range(2..=3usize).min(n - 1);
                let mut issued = auth.clone();
                issued.visits = u32::try_from(n - short).unwrap_or(0);
                let mut extended = auth.clone();
                extended.visits = u32::try_from(n + 2).unwrap_or(u32::MAX);
                let defect = (OrgDefect::ExhaustedAuthorization, extended, n - short);
                return self.finish(
                    encounters,
                    Some(issued),
                    Some(defect),
                    first_in_period,
                    index,
                );
            }
            if self.rng.random_bool(rates.missing_authorization) {
                let defect = (OrgDefect::MissingAuthorization, auth.clone(), 0);
                return self.finish(encounters, None, Some(defect), first_in_period, index);
            }
        }
        self.finish(encounters, authorization, None, first_in_period, index)
    }

    /// The authorization an episode of a payer that requires one gets (every visit of the
    /// plan, and a little more), with its number on every visit.
    fn authorize(&mut self, encounters: &mut [Encounter]) -> Option<Authorization> {
        let first = encounters.first()?;
        let payer = first.administrative.payer.id.clone();
        if !AUTHORIZATION_PAYERS.contains(&payer.as_str()) {
            for encounter in encounters.iter_mut() {
                encounter.administrative.authorization = None;
            }
            return None;
        }
        let plan = first.compliance.plan_of_care.as_ref()?;
        let number = format!("AUTH-{}", first.patient.id);
        let last = encounters
            .iter()
            .map(|e| e.date_of_service)
            .max()
            .unwrap_or(plan.certification_end);
        let authorization = Authorization {
            patient_id: first.patient.id.clone(),
            payer_id: payer,
            number: number.clone(),
            from: plan.certification_start,
            to: plan.certification_end.max(last),
            discipline: first.discipline,
            visits: u32::try_from(encounters.len()).unwrap_or(u32::MAX)
                + self.rng.random_range(0..=2),
        };
        for encounter in encounters.iter_mut() {
            encounter.administrative.authorization = Some(number.clone());
        }
        Some(authorization)
    }

    /// The episode's visits in the period, each with its defects, fixes and ids.
    fn finish(
        &mut self,
        mut encounters: Vec<Encounter>,
        authorization: Option<Authorization>,
        auth_defect: Option<(OrgDefect, Authorization, usize)>,
        first_in_period: Option<usize>,
        index: usize,
    ) -> Vec<OrgVisit> {
        let booked_by = self
            .clinics
            .get(index)
            .map(|clinic| scheduler(&clinic.id, self.episodes, auth_defect.is_some()));
        for encounter in &mut encounters {
            encounter.administrative.scheduled_by.clone_from(&booked_by);
        }
        let rates = self.spec.rates;
        // Visits before the period were billed before it: an authorization of an episode
        // under way is seen with what is left of it.
        let before = first_in_period.unwrap_or(0);
        let remaining = |mut authorization: Authorization| {
            let used = u32::try_from(before).unwrap_or(u32::MAX);
            authorization.visits = authorization.visits.saturating_sub(used);
            authorization
        };
        let authorization = authorization.map(remaining);
        let auth_defect = auth_defect.map(|(kind, fix, from)| (kind, remaining(fix), from));
        let mut visits = Vec::with_capacity(encounters.len());
        for (n, mut encounter) in encounters.into_iter().enumerate() {
            if first_in_period.is_none_or(|first| n < first) {
                continue;
            }
            let mut defect = None;
            let mut corrected = None;
            let mut authorization_fix = None;
            if let Some((kind, fix, from_visit)) = &auth_defect
                && n >= *from_visit
            {
                defect = Some(*kind);
                authorization_fix = Some(fix.clone());
                if *kind == OrgDefect::MissingAuthorization {
                    corrected = Some(Box::new(encounter.clone()));
                    encounter.administrative.authorization = None;
                }
            }
            if defect.is_none() {
                let clean = encounter.clone();
                let roll: f64 = self.rng.random();
                let record_defect = [
                    (rates.missing_minutes, OrgDefect::MissingMinutes),
                    (rates.expired_plan, OrgDefect::ExpiredPlan),
                    (rates.wrong_modifier, OrgDefect::WrongModifier),
                    (rates.telehealth_mistake, OrgDefect::TelehealthMistake),
                ]
                .into_iter()
                .scan(0.0, |sum, (rate, kind)| {
                    *sum += rate;
                    Some((*sum, kind))
                })
                .find(|(upto, _)| roll < *upto)
                .map(|(_, kind)| kind);
                if let Some(kind) = record_defect
                    && inject(kind, &mut encounter)
                    && encounter != clean
                {
                    defect = Some(kind);
                    corrected = Some(Box::new(clean));
                }
            }
            let late = self.rng.random_bool(rates.late_note);
            let delay = if late {
                defect = defect.or(Some(OrgDefect::LateNote));
                self.rng.random_range(3..=21)
            } else {
                self.rng.random_range(0..=1)
            };
            let documented_on = encounter
                .date_of_service
                .checked_add_days(Days::new(delay))
                .unwrap_or(encounter.date_of_service);
            let counter = self.visits_per_clinic.get_mut(index);
            let number = counter.map_or(0, |c| {
                *c += 1;
                *c
            });
            let clinic_id = encounter
                .administrative
                .location
                .clone()
                .unwrap_or_default();
            encounter.id = format!("{clinic_id}-{number:08}");
            if let Some(corrected) = &mut corrected {
                corrected.id = encounter.id.clone();
            }
            visits.push(OrgVisit {
                authorization: if visits.is_empty() {
                    authorization.clone()
                } else {
                    None
                },
                encounter,
                documented_on,
                defect,
                corrected,
                authorization_fix,
            });
        }
        visits
    }
}

impl Iterator for Organization {
    type Item = OrgDay;

    fn next(&mut self) -> Option<OrgDay> {
        let end = self.spec.end();
        loop {
            if let Some(day) = self.ready.pop_front() {
                return Some(day);
            }
            if self.day >= end {
                // Episodes under way at the end are cut off with the period.
                self.pending.clear();
                return None;
            }
            let date = self.day;
            self.day = date.checked_add_days(Days::new(1))?;
            if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                continue;
            }
            self.start_episodes(date);
            if date >= self.spec.start
                && let Some(visits) = self.pending.remove(&date)
            {
                self.ready.push_back(OrgDay { date, visits });
            }
            // Days before the period (the warm-up) are dropped.
            while let Some((&first, _)) = self.pending.first_key_value() {
                if first >= date {
                    break;
                }
                self.pending.pop_first();
            }
        }
    }
}

fn clinic(index: u32) -> Clinic {
    let position = usize::try_from(index).unwrap_or(0);
    let base = CLINIC_NAMES
        .get(position % CLINIC_NAMES.len())
        .copied()
        .unwrap_or("clinic");
    let round = position / CLINIC_NAMES.len();
    let id = if round == 0 {
        base.to_owned()
    } else {
        format!("{base}{}", round + 1)
    };
    let mut providers = Vec::new();
    let mut seat = 0u32;
    for (role, count) in ROSTER {
        for _ in 0..count {
            seat += 1;
            let npi = Npi::with_check_digit(70_000_000 + index * 100 + seat);
            // One in four providers works four days; which day off turns with the seat.
            let mut works = [true; 5];
            if seat.is_multiple_of(4)
                && let Some(day) = works.get_mut(usize::try_from(seat % 5).unwrap_or(0))
            {
                *day = false;
            }
            providers.push(Provider {
                name: episode::provider_name(&npi),
                npi,
                role,
                works,
            });
        }
    }
    let mut name = String::with_capacity(id.len() + 16);
    let mut chars = id.chars();
    if let Some(first) = chars.next() {
        name.extend(first.to_uppercase());
        name.push_str(chars.as_str());
    }
    name.push_str(" Physical Therapy");
    Clinic {
        id,
        name,
        providers,
    }
}

fn is_assistant(role: ProviderRole) -> bool {
    matches!(role, ProviderRole::Pta | ProviderRole::Ota)
}

fn discipline_of(role: ProviderRole) -> Option<Discipline> {
    match role {
        ProviderRole::Pt | ProviderRole::Pta => Some(Discipline::Pt),
        ProviderRole::Ot | ProviderRole::Ota => Some(Discipline::Ot),
        ProviderRole::Slp => Some(Discipline::Slp),
        _ => None,
    }
}

/// A provider of the discipline working on `date` (any of the discipline if none does).
/// Who books an episode's visits: one of the clinic's three front-desk schedulers, by the
/// episode's number (no RNG draw, so a seed keeps its visits). The newest of them (desk 3)
/// books most of the episodes whose authorization goes wrong, as a new hire who does not yet
/// check the visits left would: the by-scheduler cut of the denials has something to find.
fn scheduler(clinic: &str, episode: u64, authorization_defect: bool) -> String {
    let desk = if authorization_defect && episode % 5 < 3 {
        3
    } else {
        episode % 3 + 1
    };
    format!("{clinic}-desk-{desk}")
}

fn pick_provider(
    rng: &mut ChaCha8Rng,
    clinic: &Clinic,
    discipline: Discipline,
    assistant: bool,
    date: NaiveDate,
) -> Option<Provider> {
    let of_kind: Vec<&Provider> = clinic
        .providers
        .iter()
        .filter(|p| discipline_of(p.role) == Some(discipline) && is_assistant(p.role) == assistant)
        .collect();
    let working: Vec<&Provider> = of_kind
        .iter()
        .copied()
        .filter(|p| p.works_on(date))
        .collect();
    let pool = if working.is_empty() { of_kind } else { working };
    episode::pick(rng, &pool).map(|p| (*p).clone())
}

/// The clinic's staff on the visit: the episode's therapist renders (or supervises), its
/// assistant renders where the episode had an assistant render.
fn staff(encounter: &mut Encounter, therapist: Option<&Provider>, assistant: Option<&Provider>) {
    let Some(rendering) = &mut encounter.compliance.rendering else {
        return;
    };
    let Some(therapist) = therapist else {
        return;
    };
    match (rendering.supervising_npi.is_some(), assistant) {
        (true, Some(assistant)) => {
            rendering.npi = assistant.npi;
            rendering.name = Some(assistant.name.clone());
            rendering.supervising_npi = Some(therapist.npi);
        }
        _ => {
            rendering.npi = therapist.npi;
            rendering.name = Some(therapist.name.clone());
            rendering.supervising_npi = None;
            rendering.role = therapist.role;
        }
    }
}

/// Moves every date of the record by `days`, keeping their distances.
fn shift_dates(encounter: &mut Encounter, days: i64) {
    let by = |date: &mut NaiveDate| {
        let moved = if days >= 0 {
            date.checked_add_days(Days::new(days.unsigned_abs()))
        } else {
            date.checked_sub_days(Days::new(days.unsigned_abs()))
        };
        if let Some(moved) = moved {
            *date = moved;
        }
    };
    by(&mut encounter.date_of_service);
    if let Some(plan) = &mut encounter.compliance.plan_of_care {
        by(&mut plan.certification_start);
        by(&mut plan.certification_end);
        if let Some(signed) = &mut plan.signed_on {
            by(signed);
        }
        if let Some(sent) = &mut plan.sent_to_referrer_on {
            by(sent);
        }
    }
    if let Some(report) = &mut encounter.compliance.last_progress_report {
        by(&mut report.date);
    }
    for goal in &mut encounter.clinical.goals {
        if let Some(target) = &mut goal.target_date {
            by(target);
        }
    }
    if let Some(referrer) = &mut encounter.administrative.referring_provider {
        if let Some(signed) = &mut referrer.order_signed_on {
            by(signed);
        }
        if let Some(seen) = &mut referrer.patient_last_seen_on {
            by(seen);
        }
    }
}

/// Puts a record defect on the visit; false when the visit has nothing it could apply to.
fn inject(kind: OrgDefect, encounter: &mut Encounter) -> bool {
    let lines = &mut encounter.timing.lines;
    match kind {
        OrgDefect::MissingMinutes => {
            let Some(line) = lines
                .iter_mut()
                .find(|l| crate::TIMED_CODES.contains(&l.code.as_str()))
            else {
                return false;
            };
            line.minutes = None;
            line.start = None;
            line.stop = None;
            line.furnished_by = None;
            true
        }
        OrgDefect::ExpiredPlan => {
            let Some(plan) = &mut encounter.compliance.plan_of_care else {
                return false;
            };
            let Some(day_before) = encounter.date_of_service.checked_sub_days(Days::new(1)) else {
                return false;
            };
            if plan.certification_start > day_before {
                return false;
            }
            plan.certification_end = day_before;
            true
        }
        OrgDefect::WrongModifier => {
            if encounter.discipline == Discipline::Slp {
                return false;
            }
            for (text, minutes) in [("97530", 15), ("97140", 12)] {
                if let Ok(code) = text.parse::<ProcedureCode>()
                    && !lines.iter().any(|l| l.code == code)
                {
                    lines.push(crate::defects::plain_line(code, minutes));
                }
            }
            lines.iter_mut().for_each(|l| l.separate_interval = false);
            true
        }
        OrgDefect::TelehealthMistake => {
            if encounter.discipline == Discipline::Slp {
                return false;
            }
            if let Ok(code) = "97140".parse::<ProcedureCode>()
                && !lines.iter().any(|l| l.code == code)
            {
                lines.push(crate::defects::plain_line(code, 15));
            }
            encounter.administrative.modality = Modality::TelehealthHome;
            true
        }
        OrgDefect::LateNote
        | OrgDefect::ExhaustedAuthorization
        | OrgDefect::MissingAuthorization => false,
    }
}

/// Medicare Part B's member ids are MBIs in the organization too (the episode generator makes
/// them); the rest keep the payer's own shape.
pub fn is_medicare(plan: PlanType) -> bool {
    plan == PlanType::MedicarePartB
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;

    fn spec() -> OrgSpec {
        OrgSpec::new(2, 1, 9, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap())
    }

    #[test]
    fn the_same_seed_gives_the_same_organization_in_date_order() {
        let a: Vec<OrgDay> = Organization::new(spec()).collect();
        let b: Vec<OrgDay> = Organization::new(spec()).collect();
        assert_eq!(a, b);
        let dates: Vec<NaiveDate> = a.iter().map(|d| d.date).collect();
        assert!(dates.windows(2).all(|w| w[0] < w[1]));
        assert!(
            dates
                .iter()
                .all(|d| d.month() == 3 && d.weekday().num_days_from_monday() < 5)
        );
        for day in &a {
            assert!(
                day.visits
                    .iter()
                    .all(|v| v.encounter.date_of_service == day.date)
            );
        }
        let mut ids: Vec<&str> = a
            .iter()
            .flat_map(|d| d.visits.iter().map(|v| v.encounter.id.as_str()))
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn volume_is_near_the_clinics_daily_target() {
        let days: Vec<OrgDay> = Organization::new(spec()).collect();
        let visits: usize = days.iter().map(|d| d.visits.len()).sum();
        let per_clinic_day = visits as f64 / days.len() as f64 / 2.0;
        assert!((150.0..230.0).contains(&per_clinic_day), "{per_clinic_day}");
    }

    #[test]
    fn every_defect_shows_up_and_carries_its_fix() {
        let visits: Vec<OrgVisit> = Organization::new(spec()).flat_map(|d| d.visits).collect();
        let mut seen = std::collections::BTreeMap::new();
        for visit in &visits {
            let Some(defect) = visit.defect else { continue };
            *seen.entry(defect).or_insert(0) += 1;
            match defect {
                OrgDefect::LateNote => {
                    assert!(visit.documented_on > visit.encounter.date_of_service)
                }
                OrgDefect::ExhaustedAuthorization => {
                    assert!(visit.authorization_fix.is_some())
                }
                OrgDefect::MissingAuthorization => {
                    assert!(visit.encounter.administrative.authorization.is_none());
                    assert!(
                        visit
                            .corrected
                            .as_ref()
                            .unwrap()
                            .administrative
                            .authorization
                            .is_some()
                    );
                }
                _ => {
                    let corrected = visit.corrected.as_ref().unwrap();
                    assert_ne!(**corrected, visit.encounter);
                    assert_eq!(corrected.id, visit.encounter.id);
                }
            }
        }
        assert_eq!(seen.len(), 7, "{seen:?}");
        let share = seen.values().sum::<usize>() as f64 / visits.len() as f64;
        assert!((0.08..0.30).contains(&share), "{share}");
        let none = Organization::new(OrgSpec {
            rates: DefectRates::default().scaled(0.0),
            ..spec()
        });
        assert!(none.flat_map(|d| d.visits).all(|v| v.defect.is_none()));
    }

    #[test]
    fn providers_work_at_their_clinic_and_medicare_members_have_mbis() {
        let org = Organization::new(spec());
        let npis: Vec<Npi> = org
            .clinics
            .iter()
            .flat_map(|c| c.providers.iter().map(|p| p.npi))
            .collect();
        assert_eq!(org.clinics.len(), 2);
        assert_eq!(org.clinics[0].providers.len(), 15);
        for visit in org.flat_map(|d| d.visits) {
            let rendering = visit.encounter.compliance.rendering.as_ref().unwrap();
            assert!(npis.contains(&rendering.npi));
            let administrative = &visit.encounter.administrative;
            if is_medicare(administrative.payer.plan) {
                let id = administrative.member_id.as_bytes();
                assert_eq!(id.len(), 11);
                assert!(id[0].is_ascii_digit() && id[1].is_ascii_uppercase());
            }
        }
    }
}
