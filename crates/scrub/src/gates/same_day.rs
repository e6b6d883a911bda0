//! Edits over a patient's whole day, not one encounter. NCCI procedure-to-procedure pairs and
//! the date-of-service MUEs count every line billed for the beneficiary on the date of service
//! (NCCI Policy Manual ch.1 §A and §E; MUE adjudication indicators 2 and 3), so two encounters
//! on one day (a PT and an OT session, or two notes of one visit) are judged together.
//!
//! The scrubber has no billing provider (the claim profile adds it), so the day is the
//! patient's lines for the same payer: one clinic's claims to that payer.

use chrono::NaiveDate;
use cleanclaim_billing::{
    Adjudication, BilledLine, EarlierToday, ModifierIndicator, UnitBasis, rules,
};
use cleanclaim_model::{Discipline, Encounter, ProcedureCode};

use super::{Raised, Visit};

/// Modifiers that say a column 2 service was distinct: NCCI Policy Manual ch.1 §E.1.
const DISTINCT: [&str; 5] = ["59", "XE", "XS", "XP", "XU"];

/// A line billed earlier on the same day.
#[derive(Debug, Clone)]
pub(crate) struct DayLine {
    pub encounter_id: String,
    pub discipline: Discipline,
    pub code: ProcedureCode,
    pub units: u32,
    /// The code's timed minutes on that visit (both lines of a CQ/CO split carry them all);
    /// none for an untimed code.
    pub timed_minutes: Option<u32>,
    /// It carries 59 or an X{EPSU} modifier.
    pub distinct: bool,
}

/// The lines billed so far on one day for one payer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Day {
    date: Option<NaiveDate>,
    payer: String,
    lines: Vec<DayLine>,
}

/// A visit the scrubber was told is coming ([`crate::Scrubber::expect`]) and the codes it
/// documents: a column 1 code a later note of the day bills makes a pair with this visit's
/// codes too.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub encounter_id: String,
    pub date: NaiveDate,
    pub payer: String,
    pub codes: Vec<ProcedureCode>,
}

/// The codes documented on the patient's other expected visits of this encounter's day and
/// payer.
pub(crate) fn expected_today<'x>(
    expected: &'x [Expected],
    encounter: &'x Encounter,
) -> impl Iterator<Item = ProcedureCode> + 'x {
    expected
        .iter()
        .filter(move |x| {
            x.date == encounter.date_of_service
                && x.payer == encounter.administrative.payer.id
                && x.encounter_id != encounter.id
        })
        .flat_map(|x| x.codes.iter().copied())
}

impl Day {
    /// Lines of other encounters on this encounter's day for its payer.
    pub fn earlier<'d>(&'d self, encounter: &'d Encounter) -> impl Iterator<Item = &'d DayLine> {
        let same_day = self.date == Some(encounter.date_of_service)
            && self.payer == encounter.administrative.payer.id;
        self.lines
            .iter()
            .filter(move |line| same_day && line.encounter_id != encounter.id)
    }

    /// Adds what an encounter billed; a new day (or payer) starts afresh.
    pub fn record(&mut self, encounter: &Encounter, lines: &[BilledLine]) {
        if self.date != Some(encounter.date_of_service)
            || self.payer != encounter.administrative.payer.id
        {
            self.date = Some(encounter.date_of_service);
            self.payer.clone_from(&encounter.administrative.payer.id);
            self.lines.clear();
        }
        for line in lines {
            let timed = matches!(
                line.basis,
                UnitBasis::Pooled(_)
                    | UnitBasis::PooledDay(_)
                    | UnitBasis::PerCode
                    | UnitBasis::PerCodeDay { .. }
            );
            if line.units == 0 && !timed {
                continue;
            }
            self.lines.push(DayLine {
                encounter_id: encounter.id.clone(),
                discipline: encounter.discipline,
                code: line.code,
                units: line.units,
                timed_minutes: line.minutes.filter(|_| timed),
                distinct: is_distinct(line),
            });
        }
    }
}

/// The timed minutes and units the day's earlier visits of this encounter's discipline
/// billed, to pool with its own (MCPM ch.5 §20.2), and the codes any other visit of the day
/// billed earlier or documents later (for NCCI pairs); none when there were none.
pub(crate) fn earlier_today(
    encounter: &Encounter,
    earlier: &[&DayLine],
    later_codes: impl Iterator<Item = ProcedureCode>,
) -> Option<EarlierToday> {
    let mut today = EarlierToday::default();
    let mut counted: Vec<(&str, ProcedureCode)> = Vec::new();
    for line in earlier
        .iter()
        .filter(|line| line.discipline == encounter.discipline)
    {
        let Some(minutes) = line.timed_minutes else {
            continue;
        };
        let key = (line.encounter_id.as_str(), line.code);
        // A split code's two lines carry the code's minutes once between them.
        let minutes = if counted.contains(&key) {
            0
        } else {
            counted.push(key);
            minutes
        };
        today.add(line.code, minutes, line.units);
        if !today.encounters.contains(&line.encounter_id) {
            today.encounters.push(line.encounter_id.clone());
        }
    }
    let billed_earlier = earlier
        .iter()
        .filter(|line| line.units > 0)
        .map(|line| line.code);
    for code in billed_earlier.chain(later_codes) {
        if !today.day_codes.contains(&code) {
            today.day_codes.push(code);
        }
    }
    (!today.minutes.is_empty() || !today.day_codes.is_empty()).then_some(today)
}

fn is_distinct(line: &BilledLine) -> bool {
    line.modifiers
        .iter()
        .any(|applied| DISTINCT.contains(&applied.modifier.as_str()))
}

/// Checks this visit's billed lines against the day's earlier lines.
pub(crate) fn check(visit: &Visit<'_, '_>, earlier: &[&DayLine], raised: &mut Vec<Raised>) {
    if earlier.is_empty() {
        return;
    }
    if visit.period.billing.ncci {
        ncci(visit, earlier, raised);
    }
    if visit.period.coding.mue {
        mue(visit, earlier, raised);
    }
}

fn ncci(visit: &Visit<'_, '_>, earlier: &[&DayLine], raised: &mut Vec<Raised>) {
    let date = visit.encounter.date_of_service;
    let table = visit.engine.ptp();
    let modifier = &visit.period.billing.ncci_modifier;
    let mut reported: Vec<(ProcedureCode, ProcedureCode)> = Vec::new();
    for line in visit.derivation.lines.iter().filter(|line| line.units > 0) {
        for other in earlier.iter().filter(|other| other.units > 0) {
            // Either code may be column 1: the pair is judged whichever visit came first.
            let pairs = [
                (other.code, line.code, is_distinct(line), "on this visit"),
                (
                    line.code,
                    other.code,
                    other.distinct,
                    "on the earlier visit",
                ),
            ];
            for (column1, column2, distinct, where_column2) in pairs {
                if reported.contains(&(column1, column2)) {
                    continue;
                }
                let Some(edit) = table.edit(column1, column2, date) else {
                    continue;
                };
                let message = match edit.indicator {
                    ModifierIndicator::NotApplicable => continue,
                    ModifierIndicator::Allowed if distinct => continue,
                    ModifierIndicator::NotAllowed => (
                        &rules::NCCI_NOT_ALLOWED,
                        format!(
                            "{column2} (column 2, {where_column2}) is not payable with {column1} (column 1) on {date}; the other is on encounter {}, and no modifier can bypass this edit",
                            other.encounter_id
                        ),
                    ),
                    ModifierIndicator::Allowed => (
                        &rules::NCCI_PAIR_ACROSS_ENCOUNTERS,
                        format!(
                            "{column2} (column 2, {where_column2}) and {column1} (column 1) are an NCCI pair billed on {date} in this encounter and encounter {}: bill {column2} with XE (a separate encounter) or {modifier} if the sessions were distinct",
                            other.encounter_id
                        ),
                    ),
                };
                reported.push((column1, column2));
                raised.push(Raised::on(message.0, line.code, message.1));
            }
        }
    }
}

fn mue(visit: &Visit<'_, '_>, earlier: &[&DayLine], raised: &mut Vec<Raised>) {
    let table = visit.engine.mue();
    let mut codes: Vec<ProcedureCode> = visit
        .derivation
        .lines
        .iter()
        .filter(|line| line.units > 0)
        .map(|line| line.code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    for code in codes {
        let Some(edit) = table.get(code) else {
            continue;
        };
        if edit.adjudication == Adjudication::Line {
            continue;
        }
        let here: u32 = visit
            .derivation
            .lines
            .iter()
            .filter(|line| line.code == code)
            .map(|line| line.units)
            .sum();
        let before: Vec<&&DayLine> = earlier
            .iter()
            .filter(|line| line.code == code && line.units > 0)
            .collect();
        let day_total = before
            .iter()
            .fold(here, |sum, line| sum.saturating_add(line.units));
        // Over on this visit alone is the coding gate's finding already.
        if here > edit.units || day_total <= edit.units {
            continue;
        }
        let mut others: Vec<&str> = before
            .iter()
            .map(|line| line.encounter_id.as_str())
            .collect();
        others.dedup();
        raised.push(Raised::on(
            &rules::MUE_EXCEEDED,
            code,
            format!(
                "{code} is billed for {day_total} units on {} with encounter {}; its MUE is {} per day ({})",
                visit.encounter.date_of_service,
                others.join(", "),
                edit.units,
                edit.adjudication.describe()
            ),
        ));
    }
}
