#![allow(clippy::unwrap_used, reason = "tests fail loudly by design")]
//! The schedule check on a small hand-worked schedule: a Medicaid PT authorization of 4 visits
//! (2 used) for March, 17 PT visits used this year of the plan's 20, and five appointments
//! listed out of date order.

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
