//! Invariants of the unit methods and the engine, over random days of therapy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

mod support;

use cleanclaim_billing::{Selection, UnitMethod, split_timed, units_for_minutes};
use cleanclaim_model::FurnishedBy;
use proptest::prelude::*;
use serde_json::{Value, json};
use support::*;

const TIMED: [&str; 8] = [
    "97110", "97112", "97116", "97140", "97530", "97535", "97035", "97032",
];
const UNTIMED: [&str; 3] = ["97010", "97012", "G0283"];

/// A day of distinct codes: each `(timed code index, minutes, assistant minutes)`.
fn day() -> impl Strategy<Value = Vec<(usize, u32, u32)>> {
    proptest::sample::subsequence((0..TIMED.len()).collect::<Vec<_>>(), 1..=5).prop_flat_map(
        |codes| {
            let n = codes.len();
            (
                Just(codes),
                proptest::collection::vec((0u32..70, 0u32..40), n),
            )
                .prop_map(|(codes, minutes)| {
                    codes
                        .into_iter()
                        .zip(minutes)
                        .map(|(c, (t, a))| (c, t, a))
                        .collect()
                })
        },
    )
}

fn to_lines(day: &[(usize, u32, u32)], with_untimed: bool) -> Value {
    let mut lines: Vec<Value> = day
        .iter()
        .map(|&(code, therapist, assistant)| {
            json!({"code": TIMED[code], "furnished_by": {"therapist_alone": therapist, "assistant_alone": assistant}})
        })
        .collect();
    if with_untimed {
        lines.extend(
            UNTIMED
                .iter()
                .map(|code| json!({"code": code, "minutes": 15})),
        );
    }
    Value::Array(lines)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn cms_never_bills_more_than_the_pooled_table_and_never_zeroes_a_15_minute_code(day in day()) {
        let engine = engine();
        let encounter = encounter_with(to_lines(&day, true), |_| {});
        let derivation = engine.derive(&encounter, Selection { unit_method: Some(UnitMethod::Cms8Minute), ..Selection::default() });
        let pooled: u32 = day.iter().map(|(_, t, a)| t + a).sum();
        let timed_units: u32 = derivation.lines.iter().filter(|l| TIMED.contains(&l.code.as_str())).map(|l| l.units).sum();
        prop_assert_eq!(timed_units, units_for_minutes(pooled));
        for (code, total) in units_by_code(&derivation.lines) {
            if let Some(&(_, t, a)) = day.iter().find(|(c, _, _)| TIMED[*c] == code) {
                prop_assert!(t + a < 15 || total >= (t + a) / 15, "{code} with {} minutes got {total}", t + a);
            } else {
                prop_assert_eq!(total, 1, "untimed {} is one unit", code);
            }
        }
    }

    #[test]
    fn per_code_counts_each_code_on_its_own(day in day()) {
        let engine = engine();
        let encounter = encounter_with(to_lines(&day, false), |_| {});
        let derivation = engine.derive(&encounter, Selection { unit_method: Some(UnitMethod::PerCodeMidpoint), ..Selection::default() });
        for (code, total) in units_by_code(&derivation.lines) {
            let &(_, t, a) = day.iter().find(|(c, _, _)| TIMED[*c] == code).unwrap();
            prop_assert_eq!(total, units_for_minutes(t + a));
        }
    }

    #[test]
    fn the_result_never_depends_on_the_order_of_the_lines(day in day(), seed in any::<u64>(), plan in prop_oneof![Just("medicare_part_b"), Just("commercial")]) {
        let engine = engine();
        let forward = encounter_with(to_lines(&day, true), |v| v["administrative"]["payer"]["plan"] = json!(plan));
        let mut shuffled_day = day.clone();
        // A deterministic shuffle from the seed: rotate, then reverse when the seed is odd.
        let len = shuffled_day.len();
        shuffled_day.rotate_left((seed as usize) % len);
        if seed % 2 == 1 { shuffled_day.reverse(); }
        let mut lines = to_lines(&shuffled_day, true);
        lines.as_array_mut().unwrap().reverse();
        let shuffled = encounter_with(lines, |v| v["administrative"]["payer"]["plan"] = json!(plan));
        let a = derive(&engine, &forward);
        let b = derive(&engine, &shuffled);
        prop_assert_eq!(a.lines, b.lines);
        prop_assert_eq!(a.findings, b.findings);
    }

    #[test]
    fn the_assistant_split_keeps_every_unit(
        therapist in prop_oneof![Just(0u32), 0u32..60],
        assistant in prop_oneof![Just(0u32), 0u32..60],
        together in prop_oneof![Just(0u32), 0u32..30],
    ) {
        let units = units_for_minutes(therapist + assistant + together);
        let split = split_timed(units, FurnishedBy { therapist_alone: therapist, assistant_alone: assistant, together, student_alone: 0 });
        prop_assert_eq!(split.with_modifier + split.without_modifier, units);
        if assistant == 0 { prop_assert_eq!(split.with_modifier, 0); }
        if therapist + together == 0 && assistant > 0 { prop_assert_eq!(split.without_modifier, 0); }
    }
}
