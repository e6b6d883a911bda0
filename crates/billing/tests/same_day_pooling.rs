//! A day's timed minutes pooled across visits (MCPM ch.5 §20.2), checked against a
//! brute-force model of the 8-minute rule rather than against the allocation code itself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

use cleanclaim_billing::{
    EarlierToday, PooledShare, TimedMinutes, allocate_after, allocate_pooled,
};
use cleanclaim_model::ProcedureCode;
use proptest::prelude::*;

const CODES: [&str; 5] = ["97110", "97112", "97140", "97530", "97535"];

/// The units a day's total timed minutes allow, from the rule's words: the first unit at 8
/// minutes, each further one 15 minutes later (8-22 one, 23-37 two, ...).
fn chart_units(minutes: u32) -> u32 {
    let mut units = 0;
    while minutes >= 15 * units + 8 {
        units += 1;
    }
    units
}

/// Every allocation of the day's units to codes that the rule allows: each code gets its
/// full 15-minute units, and the units the total still allows go one each to codes with
/// leftover minutes, never to a code with fewer leftover minutes than one passed over.
fn valid_allocations(day: &[(ProcedureCode, u32)]) -> Vec<Vec<u32>> {
    let total: u32 = day.iter().map(|(_, m)| m).sum();
    let units = chart_units(total);
    let n = day.len();
    let mut valid = Vec::new();
    for mask in 0u32..(1 << n) {
        let allocation: Vec<u32> = (0..n)
            .map(|i| day[i].1 / 15 + u32::from(mask & (1 << i) != 0))
            .collect();
        if allocation.iter().sum::<u32>() != units {
            continue;
        }
        let extra = |i: usize| mask & (1 << i) != 0;
        let leftover = |i: usize| day[i].1 % 15;
        let gets_extra_without_leftover = (0..n).any(|i| extra(i) && leftover(i) == 0);
        let passed_over_a_larger_leftover =
            (0..n).any(|i| extra(i) && (0..n).any(|j| !extra(j) && leftover(j) > leftover(i)));
        if !gets_extra_without_leftover && !passed_over_a_larger_leftover {
            valid.push(allocation);
        }
    }
    valid
}

/// One visit's timed lines: (code index, minutes), codes distinct.
type Visit = Vec<(usize, u32)>;

/// A day split into visits.
fn visits() -> impl Strategy<Value = Vec<Visit>> {
    let visit = proptest::sample::subsequence((0..CODES.len()).collect::<Vec<_>>(), 1..=3)
        .prop_flat_map(|codes| {
            let n = codes.len();
            (Just(codes), proptest::collection::vec(0u32..40, n))
                .prop_map(|(codes, minutes)| codes.into_iter().zip(minutes).collect::<Vec<_>>())
        });
    proptest::collection::vec(visit, 1..=4)
}

fn code(index: usize) -> ProcedureCode {
    CODES[index].parse().unwrap()
}

/// Scrubs the visits in order as the scrubber does: the first alone, each later one after
/// the ones before. Returns each visit's units per code.
fn bill_in_order(visits: &[Vec<(usize, u32)>]) -> Vec<Vec<(ProcedureCode, u32)>> {
    let mut earlier = EarlierToday::default();
    let mut billed = Vec::new();
    for (n, visit) in visits.iter().enumerate() {
        let timed: Vec<TimedMinutes> = visit
            .iter()
            .map(|&(c, minutes)| TimedMinutes {
                code: code(c),
                minutes,
            })
            .collect();
        let units: Vec<u32> = if earlier.minutes.is_empty() {
            allocate_pooled(&timed)
                .iter()
                .map(PooledShare::units)
                .collect()
        } else {
            allocate_after(&earlier, &timed)
                .iter()
                .map(|s| s.units)
                .collect()
        };
        for (t, u) in timed.iter().zip(&units) {
            earlier.add(t.code, t.minutes, *u);
        }
        earlier.encounters.push(format!("V{n}"));
        billed.push(timed.iter().map(|t| t.code).zip(units).collect());
    }
    billed
}

fn day_minutes(visits: &[Vec<(usize, u32)>]) -> Vec<(ProcedureCode, u32)> {
    let mut day: Vec<(ProcedureCode, u32)> = Vec::new();
    for &(c, minutes) in visits.iter().flatten() {
        match day.iter_mut().find(|(k, _)| *k == code(c)) {
            Some((_, total)) => *total += minutes,
            None => day.push((code(c), minutes)),
        }
    }
    day
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// However the day's minutes were split into visits, the visits together bill exactly
    /// the units of the day's total minutes, never more.
    #[test]
    fn the_days_visits_bill_the_units_of_the_summed_minutes(visits in visits()) {
        let billed = bill_in_order(&visits);
        let total: u32 = billed.iter().flatten().map(|(_, u)| u).sum();
        let minutes: u32 = visits.iter().flatten().map(|(_, m)| m).sum();
        prop_assert_eq!(total, chart_units(minutes));
    }

    /// Splitting one visit's minutes across two encounters never changes the day's units.
    #[test]
    fn splitting_a_visit_in_two_keeps_its_units(visit in visits().prop_map(|v| v[0].clone()), cut in proptest::collection::vec(0u32..=100, 3)) {
        let (first, second): (Visit, Visit) = visit
            .iter()
            .enumerate()
            .map(|(i, &(c, m))| {
                let part = m * cut[i % cut.len()] / 100;
                ((c, part), (c, m - part))
            })
            .unzip();
        let whole: u32 = bill_in_order(std::slice::from_ref(&visit)).iter().flatten().map(|(_, u)| u).sum();
        let split: u32 = bill_in_order(&[first, second]).iter().flatten().map(|(_, u)| u).sum();
        prop_assert_eq!(whole, split);
    }

    /// One visit's allocation is one the rule allows (the oracle enumerates them all).
    #[test]
    fn a_single_visits_allocation_is_a_valid_one(visits in visits()) {
        let day = day_minutes(&visits);
        let timed: Vec<TimedMinutes> = day.iter().map(|&(code, minutes)| TimedMinutes { code, minutes }).collect();
        let allocation: Vec<u32> = allocate_pooled(&timed).iter().map(PooledShare::units).collect();
        let valid = valid_allocations(&day);
        prop_assert!(valid.contains(&allocation), "{:?} not in {:?} for {:?}", allocation, valid, day);
    }
}

#[test]
fn the_chart_is_the_rules_table() {
    for (minutes, units) in [(7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (53, 4)] {
        assert_eq!(chart_units(minutes), units, "{minutes}");
    }
}
