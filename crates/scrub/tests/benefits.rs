//! Benefit limits: where the annual and lifetime limits stand after each visit, disciplines
//! that share a limit, and lifetime counting across years.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

mod support;

use cleanclaim_model::{Cents, Discipline};
use cleanclaim_scrub::{ScrubOptions, Scrubber};
use serde_json::json;
use support::{context_from, encounter_from, engine_for};

/// Under the test pack PT and OT share a lifetime maximum of 24 visits and $6,000: prior
/// years' usage and this batch's visits count, a day's second note adds no visit, and SLP
/// keeps its own count.
#[test]
fn each_result_says_where_the_shared_lifetime_limit_stands() {
    let engine = engine_for(true);
    let payer = json!({"id": "BEN-TEST", "name": "Benefit test plan", "plan": "commercial"});
    let context = context_from(
        json!({"prior_usage.json": [
            {"patient_id": "MRN-CASE", "payer_id": "BEN-TEST", "year": 2024,
             "discipline": "pt", "visits": 20, "charges": 200000},
            {"patient_id": "MRN-CASE", "payer_id": "BEN-TEST", "year": 2024,
             "discipline": "slp", "visits": 30, "charges": 0}
        ]})
        .as_object()
        .unwrap(),
    );
    let visit = |id: &str, date: &str, discipline: &str| {
        encounter_from(&json!({
            "id": id,
            "date_of_service": date,
            "discipline": discipline,
            "administrative": {"payer": payer},
            "compliance": {"plan_of_care": {"discipline": discipline},
                           "rendering": {"npi": "1245319599", "role": discipline}},
            "timing": {"lines": [{"code": "97530", "minutes": 30, "charge_per_unit": 5000}]}
        }))
    };
    let encounters = [
        visit("CASE-01", "2025-03-10", "ot"),
        visit("CASE-02", "2025-03-11", "pt"),
        visit("CASE-03", "2025-03-11", "pt"),
        visit("CASE-04", "2025-03-12", "pt"),
        visit("CASE-05", "2025-03-13", "pt"),
        visit("CASE-06", "2025-03-13", "slp"),
    ];
    let mut scrubber = Scrubber::new(&engine, context, ScrubOptions::default());
    let results = scrubber.scrub_batch(&encounters);
    let standing = |at: usize| results[at].benefits.clone().unwrap();
    let held = |at: usize| {
        results[at]
            .findings
            .iter()
            .any(|f| f.rule.id == "benefit.lifetime-cap-reached")
    };

    let first = standing(0);
    assert_eq!(first.disciplines, [Discipline::Pt, Discipline::Ot]);
    assert_eq!(first.lifetime_visits_used, 21);
    assert_eq!(first.lifetime_visits_left(), Some(3));
    assert_eq!(first.lifetime_charges_used, Cents(210_000));
    assert_eq!(first.visits_allowed, None);
    // The day's second PT note is the same visit.
    assert_eq!(standing(1).lifetime_visits_used, 22);
    assert_eq!(standing(2).lifetime_visits_used, 22);
    assert_eq!(standing(3).lifetime_visits_used, 23);
    assert_eq!(standing(4).lifetime_visits_used, 24);
    assert_eq!(standing(4).lifetime_visits_left(), Some(0));
    assert!(
        (0..5).all(|at| !held(at)),
        "the 24th visit is still covered"
    );
    // SLP is not shared: its own 30 prior visits, and no cap reached by the others.
    let slp = standing(5);
    assert_eq!(slp.disciplines, [Discipline::Slp]);
    assert_eq!(slp.lifetime_visits_used, 31);
    assert!(held(5), "SLP's own count is over 24");

    // One more PT visit is the 25th.
    let mut more = encounters.to_vec();
    more.push(visit("CASE-07", "2025-03-14", "pt"));
    let context = context_from(
        json!({"prior_usage.json": [
            {"patient_id": "MRN-CASE", "payer_id": "BEN-TEST", "year": 2024,
             "discipline": "pt", "visits": 20, "charges": 200000}
        ]})
        .as_object()
        .unwrap(),
    );
    let mut scrubber = Scrubber::new(&engine, context, ScrubOptions::default());
    let results = scrubber.scrub_batch(&more);
    let last = results.last().unwrap();
    let message = last
        .findings
        .iter()
        .find(|f| f.rule.id == "benefit.lifetime-cap-reached")
        .map(|f| f.message.clone());
    assert_eq!(
        message.as_deref(),
        Some("the plan covers 24 visits in all (PT and OT combined); 24 were used before this one")
    );
}

/// Counted per condition (the primary diagnosis category), 3 visits each: the prior year's
/// 2 visits for M17 (knee osteoarthritis) leave one; a visit for another condition starts its
/// own count, and the standing names the condition counted.
#[test]
fn a_per_condition_limit_counts_the_visits_primary_diagnosis_category() {
    let engine = engine_for(true);
    let payer = json!({"id": "COND-TEST", "name": "Per-condition plan", "plan": "commercial"});
    let context = context_from(
        json!({"prior_usage.json": [
            {"patient_id": "MRN-CASE", "payer_id": "COND-TEST", "year": 2024,
             "discipline": "pt", "visits": 2, "charges": 0, "condition": "M17.11"},
            {"patient_id": "MRN-CASE", "payer_id": "COND-TEST", "year": 2024,
             "discipline": "pt", "visits": 5, "charges": 0, "condition": "M54.50"}
        ]})
        .as_object()
        .unwrap(),
    );
    let visit = |id: &str, date: &str, diagnoses: serde_json::Value| {
        encounter_from(&json!({
            "id": id,
            "date_of_service": date,
            "administrative": {"payer": payer},
            "clinical": {"diagnoses": diagnoses}
        }))
    };
    let encounters = [
        visit("CASE-01", "2025-03-10", json!(["M17.11", "R26.89"])),
        visit("CASE-02", "2025-03-12", json!(["M17.11", "R26.89"])),
        visit("CASE-03", "2025-03-14", json!(["S83.241A"])),
    ];
    let mut scrubber = Scrubber::new(&engine, context, ScrubOptions::default());
    let results = scrubber.scrub_batch(&encounters);
    let capped = |at: usize| {
        results[at]
            .findings
            .iter()
            .find(|f| f.rule.id == "benefit.lifetime-cap-reached")
            .map(|f| f.message.clone())
    };
    assert_eq!(capped(0), None);
    let first = results[0].benefits.clone().unwrap();
    assert_eq!(first.lifetime_condition.as_deref(), Some("M17"));
    assert_eq!(first.lifetime_visits_used, 3);
    assert_eq!(first.lifetime_visits_left(), Some(0));
    assert_eq!(
        capped(1).as_deref(),
        Some("the plan covers 3 visits for condition M17 (PT); 3 were used before this one")
    );
    assert_eq!(capped(2), None, "another condition has its own count");
    assert_eq!(results[2].benefits.clone().unwrap().lifetime_visits_used, 1);
}
