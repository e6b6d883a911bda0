//! History per patient: episodes of care per discipline, the authorization draw-down and the
//! year's visits and charges. Fed by every encounter scrubbed (in date order per patient) and
//! by the context records.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use cleanclaim_model::{Cents, Discipline, Encounter, VisitType};

/// One episode of care of one discipline.
#[derive(Debug, Clone)]
pub(crate) struct Episode {
    /// The first treatment day (the first visit, or the plan record's episode start).
    pub start: NaiveDate,
    pub last_visit: NaiveDate,
    /// Distinct dates with a visit: two sessions on one day are one treatment day.
    pub treatment_days: BTreeSet<NaiveDate>,
    /// Initial evaluations billed in the episode so far.
    pub evaluations: u32,
    /// The latest progress report written by a clinician.
    pub last_clinician_report: Option<NaiveDate>,
    pub discharged: bool,
}

impl Episode {
    fn new(start: NaiveDate) -> Self {
        Self {
            start,
            last_visit: start,
            treatment_days: BTreeSet::new(),
            evaluations: 0,
            last_clinician_report: None,
            discharged: false,
        }
    }

    /// Treatment days after `since` up to and including `date` (all of them when `since` is
    /// none: the first reporting period starts on the first day of the episode).
    pub fn treatment_days_after(&self, since: Option<NaiveDate>, date: NaiveDate) -> u32 {
        let count = match since {
            Some(since) => self
                .treatment_days
                .range(since.succ_opt().unwrap_or(since)..=date)
                .count(),
            None => self.treatment_days.range(..=date).count(),
        };
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Treatment days in `date`'s week (Monday to Sunday) up to and including `date`.
    pub fn treatment_days_in_week(&self, date: NaiveDate) -> u32 {
        let monday = date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday()));
        u32::try_from(self.treatment_days.range(monday..=date).count()).unwrap_or(u32::MAX)
    }

    /// This date's treatment day number in the episode (1 = the first day).
    pub fn treatment_day(&self, date: NaiveDate) -> u32 {
        u32::try_from(self.treatment_days.range(..=date).count()).unwrap_or(u32::MAX)
    }
}

/// Visits and charges of one patient, payer, year and discipline.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    pub visits: u32,
    pub charges: Cents,
    /// Therapy spend for the KX threshold: allowed amounts with a fee schedule, else charges.
    pub therapy_spend: Cents,
}

impl Usage {
    /// Both together.
    pub fn plus(self, other: Self) -> Self {
        Self {
            visits: self.visits + other.visits,
            charges: self.charges + other.charges,
            therapy_spend: self.therapy_spend + other.therapy_spend,
        }
    }
}

/// (payer id, year, discipline, condition): the condition is the visit's primary diagnosis
/// category (ICD-10-CM, three characters), none when it has no diagnosis.
pub(crate) type UsageKey = (String, i32, Discipline, Option<String>);

/// The condition a visit's usage is counted under (see [`UsageKey`]).
pub(crate) fn condition_of(encounter: &Encounter) -> Option<String> {
    encounter
        .clinical
        .diagnoses
        .first()
        .map(|dx| dx.category().to_owned())
}

/// Everything remembered about one patient.
#[derive(Debug, Default)]
pub(crate) struct PatientState {
    episodes: HashMap<Discipline, Episode>,
    /// Keyed by (payer id, year, discipline).
    usage: HashMap<UsageKey, Usage>,
    /// Visits and units drawn per authorization (index into the context ledger).
    pub drawn: HashMap<usize, (u32, u32)>,
    /// The dates of service each authorization was drawn on, per discipline: a second note
    /// of a day draws no second visit.
    pub drawn_days: HashSet<(usize, NaiveDate, Discipline)>,
    /// The dates of service counted as visits per (payer id, discipline): a day's second note
    /// is not a second visit toward an annual visit limit.
    visit_days: HashSet<(String, Discipline, NaiveDate)>,
    /// Encounter ids already counted, so a record sent twice never counts twice.
    counted: HashSet<String>,
    /// The lines billed on the latest day scrubbed, for the edits over a whole day.
    pub day: crate::gates::same_day::Day,
    /// Codes documented on the patient's visits announced before they are scrubbed.
    pub expected: Vec<crate::gates::same_day::Expected>,
}

impl PatientState {
    /// The episode this encounter belongs to, opened (or re-opened) as needed: a new episode
    /// starts with the first visit, after a discharge, or after a gap of more than
    /// `gap_days`. The encounter's date becomes a treatment day.
    pub fn episode_for(
        &mut self,
        encounter: &Encounter,
        gap_days: u32,
        known_start: Option<NaiveDate>,
    ) -> &mut Episode {
        let date = encounter.date_of_service;
        // An episode known to have begun before these encounters continues at the first of
        // them: the gap that ends an episode is measured between visits, never from the
        // known start (a long episode's recertification is not a new episode).
        let episode = self
            .episodes
            .entry(encounter.discipline)
            .or_insert_with(|| {
                let mut episode = Episode::new(known_start.unwrap_or(date).min(date));
                episode.last_visit = date;
                episode
            });
        let gap = (date - episode.last_visit).num_days();
        if episode.discharged || gap > i64::from(gap_days) {
            *episode = Episode::new(date);
        }
        episode.treatment_days.insert(date);
        if date > episode.last_visit {
            episode.last_visit = date;
        }
        episode
    }

    /// Records what a scrubbed encounter leaves behind. Returns false when this encounter id
    /// was already counted.
    pub fn record(
        &mut self,
        encounter: &Encounter,
        charges: Cents,
        therapy_spend: Cents,
        evaluation_billed: bool,
        clinician_report: Option<NaiveDate>,
    ) -> bool {
        let first_time = self.counted.insert(encounter.id.clone());
        if let Some(episode) = self.episodes.get_mut(&encounter.discipline) {
            if let Some(report) = clinician_report {
                episode.last_clinician_report = episode.last_clinician_report.max(Some(report));
            }
            if encounter.clinical.visit_type == VisitType::Discharge {
                episode.discharged = true;
            }
            if evaluation_billed && first_time {
                episode.evaluations += 1;
            }
        }
        if !first_time {
            return false;
        }
        let key = (
            encounter.administrative.payer.id.clone(),
            encounter.date_of_service.year(),
            encounter.discipline,
            condition_of(encounter),
        );
        let new_day = self.visit_days.insert((
            encounter.administrative.payer.id.clone(),
            encounter.discipline,
            encounter.date_of_service,
        ));
        let usage = self.usage.entry(key).or_default();
        usage.visits += u32::from(new_day);
        usage.charges += charges;
        usage.therapy_spend += therapy_spend;
        true
    }

    /// Whether an earlier note of this encounter's payer and discipline on its date was
    /// counted as the day's visit.
    pub fn visit_day_counted(&self, encounter: &Encounter) -> bool {
        self.visit_days.contains(&(
            encounter.administrative.payer.id.clone(),
            encounter.discipline,
            encounter.date_of_service,
        ))
    }

    /// Whether this encounter id was already counted.
    pub fn counted(&self, encounter_id: &str) -> bool {
        self.counted.contains(encounter_id)
    }

    /// Every usage recorded, by (payer id, year, discipline, condition).
    pub fn usage_entries(&self) -> impl Iterator<Item = (&UsageKey, &Usage)> {
        self.usage.iter()
    }

    /// Usage recorded for a payer and discipline in the years `years` admits, of one
    /// condition when `condition` is given (every condition otherwise).
    pub fn usage_matching(
        &self,
        payer_id: &str,
        discipline: Discipline,
        years: impl Fn(i32) -> bool,
        condition: Option<&str>,
    ) -> Usage {
        self.usage
            .iter()
            .filter(|((payer, year, d, c), _)| {
                payer == payer_id
                    && years(*year)
                    && *d == discipline
                    && condition.is_none_or(|wanted| c.as_deref() == Some(wanted))
            })
            .fold(Usage::default(), |sum, (_, usage)| sum.plus(*usage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, day).unwrap()
    }

    #[test]
    fn treatment_days_count_distinct_dates_after_the_report() {
        let mut episode = Episode::new(date(1));
        for day in [1, 3, 3, 5, 8, 10] {
            episode.treatment_days.insert(date(day));
        }
        assert_eq!(episode.treatment_days_after(None, date(10)), 5);
        assert_eq!(episode.treatment_days_after(Some(date(3)), date(10)), 3);
        assert_eq!(episode.treatment_days_after(Some(date(3)), date(5)), 1);
        assert_eq!(episode.treatment_day(date(5)), 3);
    }
}
