//! Edits over a patient's whole day: NCCI pairs and date-of-service MUEs across encounters.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

mod support;

use cleanclaim_scrub::{ContextData, ScrubOptions, Scrubber};
use serde_json::json;
use support::{Spec, encounter_from, engine_for, scrub_case};

fn spec(encounter: serde_json::Value, history: Vec<serde_json::Value>) -> Spec {
    Spec {
        encounter,
        history,
        context: serde_json::Map::new(),
        rules: None,
        as_of: None,
    }
}

fn messages_of<'f>(found: &'f [(String, String, String)], rule: &str) -> Vec<&'f str> {
    found
        .iter()
        .filter(|(id, _, _)| id == rule)
        .map(|(_, _, message)| message.as_str())
        .collect()
}

/// A morning PT session bills 97140, the afternoon OT session 97530: the pair is found on the
/// visit that completes it, naming the other encounter and which side needs the modifier.
#[test]
fn a_pair_split_over_two_disciplines_is_found_and_explained() {
    let found = scrub_case(&spec(
        json!({
            "discipline": "ot",
            "compliance": {"plan_of_care": {"discipline": "ot"}, "rendering": {"npi": "1245319599", "role": "ot"}},
            "timing": {"lines": [{"code": "97530", "minutes": 25, "charge_per_unit": 4700}]}
        }),
        vec![json!({
            "id": "CASE-0000",
            "timing": {"lines": [{"code": "97140", "minutes": 15, "charge_per_unit": 4100}]}
        })],
    ));
    let messages = messages_of(&found, "coding.ncci-pair-across-encounters");
    assert_eq!(messages.len(), 1, "{found:?}");
    assert!(
        messages[0].starts_with("97140 (column 2, on the earlier visit) and 97530 (column 1)")
            && messages[0].contains("encounter CASE-0000"),
        "{}",
        messages[0]
    );
    assert!(found.contains(&(
        "(queue)".to_owned(),
        "coding_review".to_owned(),
        String::new()
    )));
}

/// Another day, or another payer, is not the same day's claim.
#[test]
fn another_date_or_payer_is_not_paired() {
    for other in [
        json!({"id": "CASE-0000", "date_of_service": "2025-03-07",
               "timing": {"lines": [{"code": "97140", "minutes": 15, "charge_per_unit": 4100}]}}),
        json!({"id": "CASE-0000",
               "administrative": {"payer": {"id": "BCBS-IL", "name": "Blue Cross", "plan": "commercial"}},
               "timing": {"lines": [{"code": "97140", "minutes": 15, "charge_per_unit": 4100}]}}),
    ] {
        let found = scrub_case(&spec(
            json!({"timing": {"lines": [{"code": "97530", "minutes": 25, "charge_per_unit": 4700}]}}),
            vec![other],
        ));
        assert!(
            messages_of(&found, "coding.ncci-pair-across-encounters").is_empty(),
            "{found:?}"
        );
    }
}

/// A date-of-service MUE (97012: 1 per day, MAI 3) counts both sessions of the day.
#[test]
fn a_date_of_service_mue_adds_up_the_days_encounters() {
    let line = json!({"timing": {"lines": [
        {"code": "97110", "minutes": 30, "charge_per_unit": 4200},
        {"code": "97012", "charge_per_unit": 2000}
    ]}});
    let mut earlier = line.clone();
    earlier["id"] = json!("CASE-0000");
    let found = scrub_case(&spec(line.clone(), vec![earlier]));
    let messages = messages_of(&found, "coding.mue-exceeded");
    assert_eq!(
        messages,
        vec![
            "97012 is billed for 2 units on 2025-03-10 with encounter CASE-0000; its MUE is 1 per day (MAI 3, date of service edit: clinical)"
        ],
        "{found:?}"
    );
    let alone = scrub_case(&spec(line, Vec::new()));
    assert!(
        messages_of(&alone, "coding.mue-exceeded").is_empty(),
        "{alone:?}"
    );
}

/// A morning and an afternoon PT session of 10 minutes of 97110 each are 20 minutes for the
/// day: one unit, billed on the morning's claim; the afternoon's line says why it has none.
/// An OT session the same day is another discipline and keeps its own units.
#[test]
fn one_disciplines_sessions_of_a_day_pool_their_timed_minutes() {
    let engine = engine_for(false);
    let session = |id: &str, discipline: &str, code: &str| {
        encounter_from(&json!({
            "id": id,
            "discipline": discipline,
            "compliance": {"plan_of_care": {"discipline": discipline}, "rendering": {"npi": "1245319599", "role": discipline}},
            "timing": {"lines": [{"code": code, "minutes": 10, "charge_per_unit": 4200}]}
        }))
    };
    let encounters = [
        session("CASE-AM", "pt", "97110"),
        session("CASE-PM", "pt", "97110"),
        session("CASE-OT", "ot", "97535"),
    ];
    let mut scrubber = Scrubber::new(&engine, ContextData::default(), ScrubOptions::default());
    let results = scrubber.scrub_batch(&encounters);
    let units = |at: usize| -> Vec<u32> {
        results[at]
            .derivation
            .lines
            .iter()
            .map(|l| l.units)
            .collect()
    };
    assert_eq!(units(0), [1]);
    assert_eq!(units(1), [0]);
    assert_eq!(units(2), [1], "another discipline is not pooled");
    let afternoon = &results[1].derivation.lines[0];
    assert_eq!(afternoon.pooled_with, ["CASE-AM"]);
    let explanation = afternoon.explanation();
    assert!(
        explanation.starts_with("the day's timed minutes pooled with the earlier visit(s) CASE-AM")
            && explanation.contains("20 min -> 1 unit(s) for the day, 1 already billed")
            && explanation.ends_with("-> 0 unit(s) on this visit; not billed"),
        "{explanation}"
    );
    assert_eq!(results[1].derivation.lines[0].charge, None);
    let held = results[1]
        .findings
        .iter()
        .find(|f| f.rule.id == "units.nothing-billable")
        .expect("a visit with nothing left to bill is held to be closed");
    assert!(
        held.message
            .contains("pooled with the day's earlier visit(s) CASE-AM"),
        "{}",
        held.message
    );
}
