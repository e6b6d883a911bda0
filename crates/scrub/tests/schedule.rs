#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The schedule check on a small hand-worked schedule: a Medicaid PT authorization of 4 visits
//! (2 used) for March, 17 PT visits used this year of the plan's 20, and five appointments
//! listed out of date order.

mod support;

use cleanclaim_billing::Engine;
use cleanclaim_scrub::{ContextData, ScheduleGap, check_schedule};

const SCHEDULE: &str = r#"[
  {"appointment_id": "S0", "patient_id": "MRN-1", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-03-20", "discipline": "pt"},
  {"appointment_id": "S1", "patient_id": "MRN-1", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-03-05", "discipline": "pt", "planned_codes": ["97110"]},
  {"appointment_id": "S2", "patient_id": "MRN-1", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-03-12", "discipline": "pt"},
  {"appointment_id": "S3", "patient_id": "MRN-1", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-04-02", "discipline": "pt"},
  {"appointment_id": "S4", "patient_id": "MRN-1", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-03-25", "discipline": "ot"}
]"#;

fn context() -> ContextData {
    let mut context = ContextData::default();
    context
        .add_file(
            "authorizations.json",
            r#"[{"patient_id": "MRN-1", "payer_id": "MCD01", "number": "A1", "from": "2025-03-01",
                 "to": "2025-03-31", "disciplines": ["pt"], "visits": 4, "used_visits": 2}]"#,
        )
        .unwrap();
    context.add_file("schedule.json", SCHEDULE).unwrap();
    context
        .add_file(
            "prior_usage.json",
            r#"[{"patient_id": "MRN-1", "payer_id": "MCD01", "year": 2025, "discipline": "pt", "visits": 17}]"#,
        )
        .unwrap();
    context
}

/// In date order: S1 is A1's visit 3 and the year's 18th, S2 visit 4 and the 19th, S0 visit
/// 5 (past the 4 allowed) and the 20th, S4 (OT) has no authorization, S3 is after A1 ended
/// and the year's 21st PT visit of 20 covered.
#[test]
fn the_schedule_check_lists_what_would_fall_outside() {
    let engine = Engine::builtin().unwrap();
    let problems = check_schedule(&engine, &context());
    let found: Vec<(&str, ScheduleGap)> = problems
        .iter()
        .map(|p| (p.appointment_id.as_deref().unwrap(), p.gap.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "S0",
                ScheduleGap::BeyondVisits {
                    number: "A1".into(),
                    allowed: 4,
                    nth: 5
                }
            ),
            (
                "S3",
                ScheduleGap::AfterEnd {
                    number: "A1".into(),
                    ended: "2025-03-31".parse().unwrap()
                }
            ),
            ("S3", ScheduleGap::OverAnnualCap { cap: 20, nth: 21 }),
            ("S4", ScheduleGap::NoAuthorization),
        ]
    );
    assert!(problems[0].describe().contains("ask for an extension"));
}

#[test]
fn a_bad_schedule_is_refused_with_its_path() {
    let error = ContextData::default()
        .add_file("schedule.json", r#"[{"patient_id": "MRN-1"}]"#)
        .unwrap_err();
    assert_eq!(error.file, "schedule.json");
    assert!(error.to_string().contains("[0]"), "{error}");
}

/// Under the benefits test pack (PT and OT share a lifetime maximum of 24 visits), with PT's
/// 22 earlier visits and a May authorization A2 of 6 units for 97110 and 97140:
/// - T0 (May 5, PT, 97110 + 97140, 4 units): A2 at 4 units; the 23rd visit in all;
/// - T1 (May 5 again, 97110): the same day's visit, no new visit; A2 at 5 units;
/// - T2 (May 7, OT): no authorization needed; the 24th visit, shared with PT;
/// - T3 (May 8, PT, 97110 + 97530 + 97140): 97530 is outside A2's codes, its two covered
///   codes bring A2 to 7 of 6 units, and it would be the 25th visit of 24.
#[test]
fn code_groups_units_shared_lifetime_limits_and_same_day_appointments() {
    let mut context = ContextData::default();
    context
        .add_file(
            "authorizations.json",
            r#"[{"patient_id": "MRN-2", "payer_id": "BEN-TEST", "number": "A2", "from": "2025-05-01",
                 "to": "2025-05-31", "disciplines": ["pt"], "codes": ["97110", "97140"],
                 "visits": 10, "units": 6}]"#,
        )
        .unwrap();
    context
        .add_file(
            "prior_usage.json",
            r#"[{"patient_id": "MRN-2", "payer_id": "BEN-TEST", "year": 2024, "discipline": "pt", "visits": 22}]"#,
        )
        .unwrap();
    context
        .add_file(
            "schedule.json",
            r#"[
  {"appointment_id": "T0", "patient_id": "MRN-2", "payer_id": "BEN-TEST", "plan": "commercial", "date": "2025-05-05", "discipline": "pt", "planned_codes": ["97110", "97140"], "planned_units": 4},
  {"appointment_id": "T1", "patient_id": "MRN-2", "payer_id": "BEN-TEST", "plan": "commercial", "date": "2025-05-05", "discipline": "pt", "planned_codes": ["97110"]},
  {"appointment_id": "T2", "patient_id": "MRN-2", "payer_id": "BEN-TEST", "plan": "commercial", "date": "2025-05-07", "discipline": "ot", "planned_codes": ["97530"]},
  {"appointment_id": "T3", "patient_id": "MRN-2", "payer_id": "BEN-TEST", "plan": "commercial", "date": "2025-05-08", "discipline": "pt", "planned_codes": ["97110", "97530", "97140"]}
]"#,
        )
        .unwrap();
    let engine = support::engine_for(true);
    let problems = check_schedule(&engine, &context);
    let found: Vec<(&str, ScheduleGap)> = problems
        .iter()
        .map(|p| (p.appointment_id.as_deref().unwrap(), p.gap.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "T3",
                ScheduleGap::CodeNotCovered {
                    number: "A2".into(),
                    code: "97530".parse().unwrap()
                }
            ),
            (
                "T3",
                ScheduleGap::BeyondUnits {
                    number: "A2".into(),
                    allowed: 6,
                    needed: 7
                }
            ),
            ("T3", ScheduleGap::OverLifetimeCap { cap: 24, nth: 25 }),
        ]
    );
}

/// A planned code another code group covers draws on that group, as the scrubber draws: two
/// appointments planning 97110 (A3) and 97112 (A4, 1 unit) bring A4 to 2 units of 1 on the
/// second.
#[test]
fn a_code_another_group_covers_draws_on_that_group() {
    let mut context = ContextData::default();
    context
        .add_file(
            "authorizations.json",
            r#"[{"patient_id": "MRN-3", "payer_id": "MCD01", "number": "A3", "from": "2025-05-01",
                 "to": "2025-05-31", "disciplines": ["pt"], "codes": ["97110"], "units": 8},
                {"patient_id": "MRN-3", "payer_id": "MCD01", "number": "A4", "from": "2025-05-01",
                 "to": "2025-05-31", "disciplines": ["pt"], "codes": ["97112"], "units": 1}]"#,
        )
        .unwrap();
    context
        .add_file(
            "schedule.json",
            r#"[
  {"appointment_id": "U0", "patient_id": "MRN-3", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-05-05", "discipline": "pt", "planned_codes": ["97110", "97112"]},
  {"appointment_id": "U1", "patient_id": "MRN-3", "payer_id": "MCD01", "plan": "medicaid", "date": "2025-05-07", "discipline": "pt", "planned_codes": ["97110", "97112"]}
]"#,
        )
        .unwrap();
    let problems = check_schedule(&Engine::builtin().unwrap(), &context);
    let found: Vec<(&str, ScheduleGap)> = problems
        .iter()
        .map(|p| (p.appointment_id.as_deref().unwrap(), p.gap.clone()))
        .collect();
    assert_eq!(
        found,
        [(
            "U1",
            ScheduleGap::BeyondUnits {
                number: "A4".into(),
                allowed: 1,
                needed: 2
            }
        )]
    );
}
