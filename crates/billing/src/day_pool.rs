//! A day's timed minutes pooled across visits. CMS counts the timed minutes one discipline
//! furnished a beneficiary on a date of service together, however many visits or notes they
//! were documented in (MCPM ch.5 §20.2): 10 minutes of 97110 in the morning and 10 in the
//! afternoon are 20 minutes, one unit, not two. A later visit of the day bills what the day's
//! pooled total allows beyond what the earlier visits billed. Under the per-code method each
//! code's minutes on the date count together the same way, code by code.

use cleanclaim_model::ProcedureCode;

use crate::units::{PooledShare, TimedMinutes, allocate_pooled, units_for_minutes};

/// What one discipline billed earlier on the same date of service, for the same payer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EarlierToday {
    /// The earlier visits' encounter ids, in the order they were scrubbed.
    pub encounters: Vec<String>,
    /// Their timed minutes per code, summed.
    pub minutes: Vec<TimedMinutes>,
    /// Their timed units per code, summed.
    pub units: Vec<(ProcedureCode, u32)>,
    /// Every code the day's other visits for the payer bill (earlier) or document (later),
    /// by any discipline: the column 1 codes an NCCI pair with this visit's codes can have
    /// (NCCI PTP edits apply to the day's services, NCCI Policy Manual ch.1 §A).
    pub day_codes: Vec<ProcedureCode>,
}

impl EarlierToday {
    /// Adds one earlier visit's timed code: its minutes and the units it billed.
    pub fn add(&mut self, code: ProcedureCode, minutes: u32, units: u32) {
        match self.minutes.iter_mut().find(|t| t.code == code) {
            Some(entry) => entry.minutes = entry.minutes.saturating_add(minutes),
            None => self.minutes.push(TimedMinutes { code, minutes }),
        }
        match self.units.iter_mut().find(|(c, _)| *c == code) {
            Some((_, total)) => *total = total.saturating_add(units),
            None => self.units.push((code, units)),
        }
    }

    /// Timed units billed by the earlier visits, all codes.
    pub fn total_units(&self) -> u32 {
        self.units
            .iter()
            .fold(0u32, |sum, (_, units)| sum.saturating_add(*units))
    }

    fn units_of(&self, code: ProcedureCode) -> u32 {
        self.units
            .iter()
            .filter(|(c, _)| *c == code)
            .fold(0u32, |sum, (_, units)| sum.saturating_add(*units))
    }
}

/// Under the per-code method, a code's units on a visit that follows others of the same day:
/// the code's minutes for the whole day through the unit table, less what the earlier visits
/// billed for it. Returns (units, the day's minutes of the code, the units billed earlier).
pub fn per_code_after(
    earlier: &EarlierToday,
    code: ProcedureCode,
    minutes: u32,
) -> (u32, u32, u32) {
    let earlier_minutes = earlier
        .minutes
        .iter()
        .filter(|t| t.code == code)
        .fold(0u32, |sum, t| sum.saturating_add(t.minutes));
    let day_minutes = earlier_minutes.saturating_add(minutes);
    let earlier_units = earlier.units_of(code);
    let units = units_for_minutes(day_minutes).saturating_sub(earlier_units);
    (units, day_minutes, earlier_units)
}

/// One code's units on a visit that follows others of the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayShare {
    /// The code's share of the whole day's pooled allocation (all visits' minutes).
    pub day: PooledShare,
    /// Timed units the earlier visits billed, all codes.
    pub earlier_units: u32,
    /// Units the earlier visits billed for this code.
    pub earlier_units_of_code: u32,
    /// What this visit bills for the code.
    pub units: u32,
}

/// This visit's timed units when `earlier` visits of the day came first: the day's pooled
/// total less what they billed, spread over this visit's codes by the day's allocation. When
/// the day's allocation gives a unit to a code only an earlier visit had (its claim is already
/// out), this visit's codes take it, best-ranked first (most leftover minutes, then most
/// minutes, then lowest code), so the day's total is always the pooled total. One share per
/// entry of `timed`, in order; codes must be distinct.
pub fn allocate_after(earlier: &EarlierToday, timed: &[TimedMinutes]) -> Vec<DayShare> {
    let mut day: Vec<TimedMinutes> = earlier.minutes.clone();
    for entry in timed {
        match day.iter_mut().find(|t| t.code == entry.code) {
            Some(total) => total.minutes = total.minutes.saturating_add(entry.minutes),
            None => day.push(*entry),
        }
    }
    let shares = allocate_pooled(&day);
    let day_share = |code: ProcedureCode| {
        day.iter()
            .position(|t| t.code == code)
            .and_then(|at| shares.get(at))
            .copied()
    };
    let pooled_units = shares.first().map_or(0, |share| share.pooled_units);
    let earlier_units = earlier.total_units();
    let remaining = pooled_units.saturating_sub(earlier_units);

    let mut units: Vec<u32> = timed
        .iter()
        .map(|t| {
            day_share(t.code)
                .map_or(0, |share| share.units())
                .saturating_sub(earlier.units_of(t.code))
        })
        .collect();
    // Best first: the order the day's allocation hands out leftover units.
    let mut ranking: Vec<usize> = (0..timed.len()).collect();
    ranking.sort_by_key(|&at| {
        timed.get(at).and_then(|t| {
            let total = day.iter().find(|d| d.code == t.code)?;
            Some((
                std::cmp::Reverse(total.minutes % 15),
                std::cmp::Reverse(total.minutes),
                t.code,
            ))
        })
    });
    let mut sum: u32 = units.iter().sum();
    while sum < remaining && !ranking.is_empty() {
        for &at in &ranking {
            if sum < remaining
                && let Some(n) = units.get_mut(at)
            {
                *n += 1;
                sum += 1;
            }
        }
    }
    while sum > remaining {
        for &at in ranking.iter().rev() {
            if sum > remaining
                && let Some(n) = units.get_mut(at)
                && *n > 0
            {
                *n -= 1;
                sum -= 1;
            }
        }
    }
    timed
        .iter()
        .zip(units)
        .filter_map(|(t, units)| {
            Some(DayShare {
                day: day_share(t.code)?,
                earlier_units,
                earlier_units_of_code: earlier.units_of(t.code),
                units,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> ProcedureCode {
        text.parse().unwrap()
    }

    fn earlier(entries: &[(&str, u32, u32)]) -> EarlierToday {
        let mut earlier = EarlierToday::default();
        for (c, minutes, units) in entries {
            earlier.add(code(c), *minutes, *units);
        }
        earlier
    }

    fn units_after(before: &[(&str, u32, u32)], now: &[(&str, u32)]) -> Vec<u32> {
        let timed: Vec<TimedMinutes> = now
            .iter()
            .map(|(c, minutes)| TimedMinutes {
                code: code(c),
                minutes: *minutes,
            })
            .collect();
        allocate_after(&earlier(before), &timed)
            .iter()
            .map(|share| share.units)
            .collect()
    }

    #[test]
    fn per_code_counts_the_codes_day() {
        // 97110 10 min in the morning billed 1 unit; 10 more in the afternoon: the code's
        // 20 minutes are 1 unit, already billed.
        assert_eq!(
            per_code_after(&earlier(&[("97110", 10, 1)]), code("97110"), 10),
            (0, 20, 1)
        );
        // 7 + 7 minutes: neither alone reaches the midpoint, the day's 14 are 1 unit.
        assert_eq!(
            per_code_after(&earlier(&[("97110", 7, 0)]), code("97110"), 7),
            (1, 14, 0)
        );
        // Another code's minutes earlier do not count toward this one.
        assert_eq!(
            per_code_after(&earlier(&[("97140", 7, 0)]), code("97110"), 7),
            (0, 7, 0)
        );
    }

    #[test]
    fn two_ten_minute_sessions_are_one_unit() {
        // Morning: 97110 10 min, 1 unit. Afternoon: 10 more: the day is 20 min, 1 unit.
        assert_eq!(units_after(&[("97110", 10, 1)], &[("97110", 10)]), [0]);
    }

    #[test]
    fn a_later_visit_can_bill_more_than_alone() {
        // 22 + 22 minutes: 1 unit each alone, 3 for the day's 44.
        assert_eq!(units_after(&[("97110", 22, 1)], &[("97110", 22)]), [2]);
    }

    #[test]
    fn a_unit_the_day_gives_an_earlier_code_goes_to_this_visits_code() {
        // 97110 7 min earlier (0 units), 97140 2 min now: the day's 9 min are 1 unit, which
        // the day's allocation gives 97110, already billed; 97140 takes it.
        assert_eq!(units_after(&[("97110", 7, 0)], &[("97140", 2)]), [1]);
    }

    #[test]
    fn codes_over_the_day_total_give_back_units_worst_first() {
        // Earlier 97110 14 min = 1 unit. Now 97140 14 min and 97112 3 min: day 31 min = 2
        // units; one is left, and it goes to 97140 (most leftover).
        assert_eq!(
            units_after(&[("97110", 14, 1)], &[("97140", 14), ("97112", 3)]),
            [1, 0]
        );
    }
}
