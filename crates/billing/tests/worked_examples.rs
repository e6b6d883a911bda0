//! Every worked example in `shared/reference/therapy-billing-rules.md`, through the engine.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

mod support;

use cleanclaim_billing::{Selection, UnitMethod};
use serde_json::json;
use support::*;

fn units_under(method: UnitMethod, entries: &[(&str, u32)]) -> Vec<(String, u32)> {
    let engine = engine();
    let encounter = encounter_with(lines(entries), |_| {});
    let selection = Selection {
        unit_method: Some(method),
        ..Selection::default()
    };
    units_by_code(&engine.derive(&encounter, selection).lines)
}

fn expect(entries: &[(&str, u32)]) -> Vec<(String, u32)> {
    entries.iter().map(|(c, u)| (c.to_string(), *u)).collect()
}

// MCPM ch.5 §20.2, Example 1: 97112 24 + 97110 23 = 47 -> 3 units; the code with more time gets 2.
#[test]
fn cms_example_1() {
    let got = units_under(UnitMethod::Cms8Minute, &[("97112", 24), ("97110", 23)]);
    assert_eq!(got, expect(&[("97110", 1), ("97112", 2)]));
}

// Example 2: 97112 20 + 97110 20 = 40 -> 3 units, 2 to either code, never 3 to one.
#[test]
fn cms_example_2_tie_is_deterministic_and_explained() {
    let engine = engine();
    let encounter = encounter_with(lines(&[("97112", 20), ("97110", 20)]), |_| {});
    let derivation = derive(&engine, &encounter);
    assert_eq!(
        units_by_code(&derivation.lines),
        expect(&[("97110", 2), ("97112", 1)])
    );
    let explanation = derivation.lines[0].explanation();
    assert!(
        explanation.contains("tie: 97112 had the same leftover"),
        "{explanation}"
    );
}

// Example 3: 97110 33 + 97140 7 = 40 -> 3 units: 97110 x2, 97140 x1 (leftovers compared: 3 < 7).
#[test]
fn cms_example_3_compares_leftovers_not_totals() {
    let got = units_under(UnitMethod::Cms8Minute, &[("97110", 33), ("97140", 7)]);
    assert_eq!(got, expect(&[("97110", 2), ("97140", 1)]));
}

// Example 4: 97110 18, 97140 13, 97116 10, 97035 8 = 49 -> 3 units; none of 97035.
#[test]
fn cms_example_4_four_codes() {
    let got = units_under(
        UnitMethod::Cms8Minute,
        &[("97110", 18), ("97140", 13), ("97116", 10), ("97035", 8)],
    );
    assert_eq!(
        got,
        expect(&[("97035", 0), ("97110", 1), ("97116", 1), ("97140", 1)])
    );
}

// Example 5: three codes at 7 minutes = 21 -> 1 unit to one of them.
#[test]
fn cms_example_5_three_short_services() {
    let got = units_under(
        UnitMethod::Cms8Minute,
        &[("97112", 7), ("97110", 7), ("97140", 7)],
    );
    assert_eq!(got.iter().map(|(_, u)| u).sum::<u32>(), 1);
    assert_eq!(got, expect(&[("97110", 1), ("97112", 0), ("97140", 0)]));
}

// The derived check in §1.3: 97110 30, 97140 6, 97530 4 = 40 -> 97110 x2 + 97140 x1.
#[test]
fn cms_derived_check_three_codes() {
    let got = units_under(
        UnitMethod::Cms8Minute,
        &[("97110", 30), ("97140", 6), ("97530", 4)],
    );
    assert_eq!(got, expect(&[("97110", 2), ("97140", 1), ("97530", 0)]));
}

// §2 "Same input, two methods": every row, both columns.
#[test]
fn both_methods_on_the_same_inputs() {
    type Day<'a> = &'a [(&'a str, u32)];
    let rows: [(Day<'_>, u32, u32); 6] = [
        (&[("97112", 24), ("97110", 23)], 3, 4),
        (&[("97112", 20), ("97110", 20)], 3, 2),
        (&[("97110", 33), ("97140", 7)], 3, 2),
        (
            &[("97110", 18), ("97140", 13), ("97116", 10), ("97035", 8)],
            3,
            4,
        ),
        (&[("97112", 7), ("97110", 7), ("97140", 7)], 1, 0),
        (&[("97110", 10), ("97112", 10)], 1, 2),
    ];
    for (input, cms, per_code) in rows {
        let total = |method| {
            units_under(method, input)
                .iter()
                .map(|(_, u)| *u)
                .sum::<u32>()
        };
        assert_eq!(total(UnitMethod::Cms8Minute), cms, "CMS {input:?}");
        assert_eq!(
            total(UnitMethod::PerCodeMidpoint),
            per_code,
            "per-code {input:?}"
        );
    }
}

#[test]
fn the_payer_selects_the_method() {
    let engine = engine();
    let commercial = encounter_with(lines(&[("97112", 24), ("97110", 23)]), |v| {
        v["administrative"]["payer"]["plan"] = json!("commercial");
    });
    let derivation = derive(&engine, &commercial);
    assert_eq!(derivation.unit_method, UnitMethod::PerCodeMidpoint);
    assert_eq!(
        units_by_code(&derivation.lines),
        expect(&[("97110", 2), ("97112", 2)])
    );
    assert!(
        derivation.lines[0]
            .explanation()
            .contains("counted on its own")
    );
}

#[test]
fn untimed_codes_are_one_unit_whatever_the_minutes() {
    let got = units_under(
        UnitMethod::Cms8Minute,
        &[("97161", 55), ("92507", 40), ("97150", 0), ("G0283", 15)],
    );
    assert_eq!(
        got,
        expect(&[("92507", 1), ("97150", 1), ("97161", 1), ("G0283", 1)])
    );
}

#[test]
fn untimed_minutes_do_not_enter_the_timed_pool() {
    // MBPM ch.15 §220.3.C: evaluation minutes are not timed-code minutes.
    let got = units_under(UnitMethod::Cms8Minute, &[("97161", 45), ("97110", 7)]);
    assert_eq!(got, expect(&[("97110", 0), ("97161", 1)]));
}

#[test]
fn the_explanation_reads_like_the_issue_asks() {
    let engine = engine();
    let encounter = encounter_with(lines(&[("97112", 24), ("97110", 23)]), |_| {});
    let derivation = derive(&engine, &encounter);
    let line = derivation
        .lines
        .iter()
        .find(|l| l.code.as_str() == "97112")
        .unwrap();
    assert_eq!(
        line.explanation(),
        "47 timed minutes -> 3 units (CMS 8-minute rule, MCPM ch.5 §20.2); 97112 had 24 min = 1 full unit(s) + 1 of the 1 remaining unit(s) for its 9 leftover min, among the most leftover minutes -> 2 unit(s) in all; GP: always-therapy code under the PT plan of care (MCPM ch.5 §20.1)"
    );
}
