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

/// Under the per-code method a code's minutes also count per date of service: two sessions of
/// 7 minutes of 97110 reach no unit alone, but the day's 14 minutes are one unit, billed on
/// the afternoon's claim and explained with the morning's visit named.
#[test]
fn the_per_code_method_counts_a_codes_minutes_over_the_day() {
    let engine = engine_for(false);
    let session = |id: &str, minutes: u32| {
        encounter_from(&json!({
            "id": id,
            "timing": {"lines": [{"code": "97110", "minutes": minutes, "charge_per_unit": 4200}]}
        }))
    };
    let encounters = [session("CASE-AM", 7), session("CASE-PM", 7)];
    let mut scrubber = Scrubber::new(
        &engine,
        ContextData::default(),
        ScrubOptions {
            unit_method: Some(cleanclaim_billing::UnitMethod::PerCodeMidpoint),
            ..ScrubOptions::default()
        },
    );
    let results = scrubber.scrub_batch(&encounters);
    assert_eq!(results[0].derivation.lines[0].units, 0);
    let afternoon = &results[1].derivation.lines[0];
    assert_eq!(afternoon.units, 1);
    assert_eq!(afternoon.pooled_with, ["CASE-AM"]);
    let explanation = afternoon.explanation();
    assert!(
        explanation.contains("with the earlier visit(s) CASE-AM: 7 min here, 14 min on the day -> 1 unit(s) for the day, 0 already billed -> 1 unit(s) on this visit"),
        "{explanation}"
    );
}

/// Payers count authorized and capped visits by date of service: a day's second note of the
/// discipline (a split session) draws no second visit from the authorization and adds none
/// toward the annual visit limit, while the next day's visit is over both.
#[test]
fn a_days_second_note_is_not_a_second_visit() {
    let payer =
        json!({"id": "MA-ACME", "name": "Acme Medicare Advantage", "plan": "medicare_advantage"});
    let note = |id: &str, date: &str| {
        json!({
            "id": id,
            "date_of_service": date,
            "administrative": {"payer": payer}
        })
    };
    let mut context = serde_json::Map::new();
    context.insert(
        "authorizations.json".to_owned(),
        json!([{
            "patient_id": "MRN-CASE", "payer_id": "MA-ACME", "number": "A123",
            "from": "2025-03-01", "to": "2025-04-30", "disciplines": ["pt"],
            "visits": 12, "used_visits": 11
        }]),
    );
    let case = |encounter: serde_json::Value| Spec {
        encounter,
        history: vec![note("CASE-AM", "2025-03-10")],
        context: context.clone(),
        rules: None,
        as_of: None,
    };
    let afternoon = scrub_case(&case(note("CASE-PM", "2025-03-10")));
    assert!(
        messages_of(&afternoon, "auth.visits-exhausted").is_empty(),
        "{afternoon:?}"
    );
    let next_day = scrub_case(&case(note("CASE-NEXT", "2025-03-11")));
    assert_eq!(
        messages_of(&next_day, "auth.visits-exhausted"),
        ["authorization A123 allows 12 visits and 12 are used"],
        "{next_day:?}"
    );

    let commercial = json!({"id": "ACME", "name": "Acme Health", "plan": "commercial"});
    let mut capped = serde_json::Map::new();
    capped.insert(
        "prior_usage.json".to_owned(),
        json!([{"patient_id": "MRN-CASE", "payer_id": "ACME", "year": 2025,
                "discipline": "pt", "visits": 29, "charges": 0}]),
    );
    let commercial_note = |id: &str, date: &str| json!({"id": id, "date_of_service": date, "administrative": {"payer": commercial}});
    let cap_case = |encounter: serde_json::Value| Spec {
        encounter,
        history: vec![commercial_note("CASE-AM", "2025-03-10")],
        context: capped.clone(),
        rules: None,
        as_of: None,
    };
    let afternoon = scrub_case(&cap_case(commercial_note("CASE-PM", "2025-03-10")));
    assert!(
        messages_of(&afternoon, "benefit.visit-cap-reached").is_empty(),
        "{afternoon:?}"
    );
    let next_day = scrub_case(&cap_case(commercial_note("CASE-NEXT", "2025-03-11")));
    assert_eq!(
        messages_of(&next_day, "benefit.visit-cap-reached").len(),
        1,
        "{next_day:?}"
    );
}

/// When the column 2 code comes on the later visit with a separate interval documented, the
/// engine puts the NCCI modifier on it, naming the earlier visit's column 1 code, and the day
/// has no pair left to hold; without the interval documented the pair is held.
#[test]
fn a_later_column_2_code_with_a_separate_interval_takes_the_modifier() {
    let earlier = json!({
        "id": "CASE-0000",
        "timing": {"lines": [{"code": "97530", "minutes": 25, "charge_per_unit": 4700}]}
    });
    let later = |separate: bool| {
        json!({"timing": {"lines": [{"code": "97140", "minutes": 15, "charge_per_unit": 4100,
                                     "separate_interval": separate}]}})
    };
    let documented = scrub_case(&spec(later(true), vec![earlier.clone()]));
    assert!(
        messages_of(&documented, "coding.ncci-pair-across-encounters").is_empty(),
        "{documented:?}"
    );
    let engine = engine_for(false);
    let encounters = [encounter_from(&earlier), encounter_from(&later(true))];
    let mut scrubber = Scrubber::new(&engine, ContextData::default(), ScrubOptions::default());
    let results = scrubber.scrub_batch(&encounters);
    assert_eq!(results[1].encounter_id, encounters[1].id);
    let line = &results[1].derivation.lines[0];
    assert!(
        line.modifiers.iter().any(|m| matches!(
            m.reason,
            cleanclaim_billing::ModifierReason::Ncci { column1 } if column1.as_str() == "97530"
        )),
        "{:?}",
        line.modifiers
    );
    let undocumented = scrub_case(&spec(later(false), vec![earlier.clone()]));
    assert_eq!(
        messages_of(&undocumented, "coding.ncci-pair-across-encounters").len(),
        1,
        "{undocumented:?}"
    );

    // The other order: the column 2 code with its interval on the note scrubbed first (the
    // morning), the column 1 code on the afternoon's. The morning's line takes the modifier
    // because the batch announced the afternoon, and the afternoon has no pair to hold.
    let mut morning = later(true);
    morning["id"] = json!("CASE-0000");
    let mut afternoon = earlier;
    afternoon["id"] = json!("CASE-0001");
    let encounters = [encounter_from(&afternoon), encounter_from(&morning)];
    let mut scrubber = Scrubber::new(&engine, ContextData::default(), ScrubOptions::default());
    let results = scrubber.scrub_batch(&encounters);
    let morning_line = &results[1].derivation.lines[0];
    assert!(
        morning_line
            .modifiers
            .iter()
            .any(|m| matches!(m.reason, cleanclaim_billing::ModifierReason::Ncci { .. })),
        "{:?}",
        morning_line.modifiers
    );
    assert!(
        !results[0]
            .findings
            .iter()
            .any(|f| f.rule.id == "coding.ncci-pair-across-encounters"),
        "{:?}",
        results[0].findings
    );
}
