//! FHIR R4 bundles: a therapy visit's resources become one encounter and one plan of care;
//! each invalid bundle is refused whole with an OperationOutcome naming the element's path.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use cleanclaim_emr::fhir::{OperationOutcome, read_bundle};
use serde_json::{Value, json};

const BUNDLE: &str = include_str!("data/bundle.json");

fn bundle() -> Value {
    serde_json::from_str(BUNDLE).unwrap()
}

fn refused(bundle: &Value) -> OperationOutcome {
    read_bundle(&bundle.to_string(), None)
        .err()
        .unwrap_or_else(|| panic!("accepted"))
}

#[test]
fn a_visit_bundle_becomes_an_encounter_and_a_plan_of_care() {
    let intake = read_bundle(BUNDLE, None).unwrap();
    assert_eq!(intake.kind, "transaction");
    assert_eq!(intake.encounters.len(), 1);
    let (index, visit) = &intake.encounters[0];
    assert_eq!(*index, 7);
    assert_eq!(visit.id, "V-20260309-1001");
    assert_eq!(visit.date_of_service.to_string(), "2026-03-09");
    assert_eq!(visit.patient.id, "MRN-1001");
    assert_eq!(visit.administrative.location.as_deref(), Some("north"));
    assert_eq!(visit.administrative.payer.id, "04412");
    assert_eq!(visit.administrative.member_id, "1EG4TE5MK73");
    let referrer = visit.administrative.referring_provider.as_ref().unwrap();
    assert_eq!(referrer.npi.as_str(), "1234567893");
    assert_eq!(referrer.order_signed_on.unwrap().to_string(), "2026-02-20");
    let rendering = visit.compliance.rendering.as_ref().unwrap();
    assert_eq!(rendering.npi.as_str(), "1245319599");
    let lines: Vec<(&str, Option<u32>, Option<i64>, usize)> = visit
        .timing
        .lines
        .iter()
        .map(|l| {
            (
                l.code.as_str(),
                l.minutes,
                l.charge_per_unit.map(|c| c.0),
                l.modifiers.len(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("97112", Some(24), Some(4600), 1),
            ("97110", Some(23), Some(4200), 0)
        ]
    );
    assert_eq!(visit.clinical.diagnoses.len(), 2);
    assert_eq!(intake.plans_of_care.len(), 1);
    let plan: Value = serde_json::from_str(&intake.plans_of_care[0].2).unwrap();
    assert_eq!(plan["plan_of_care"]["certification_end"], "2026-05-23");
    assert_eq!(plan["plan_of_care"]["signer_npi"], "1234567893");
    assert_eq!(
        intake.entries.iter().filter(|(_, read)| !read).count(),
        1,
        "the Observation is ignored"
    );
}

#[test]
fn each_invalid_bundle_names_the_element() {
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            Box::new(|b| b["entry"][0]["resource"]["birthDate"] = json!(19510714)),
            "Bundle.entry[0].resource.birthDate",
            "invalid",
        ),
        (
            Box::new(|b| {
                b["entry"][7]["resource"]["subject"] = json!({"reference": "Patient/nobody"})
            }),
            "Bundle.entry[7].resource.subject",
            "not-found",
        ),
        (
            Box::new(|b| {
                b["entry"][11]["resource"]["performedPeriod"]["end"] =
                    json!("2026-03-09T09:00:00-06:00")
            }),
            "Bundle.entry[11].resource.performedPeriod",
            "invalid",
        ),
        (
            Box::new(|b| b["entry"][10]["resource"]["code"] = json!({"coding": []})),
            "Bundle.entry[10].resource.code",
            "required",
        ),
        (
            Box::new(|b| b["entry"][1]["resource"]["subscriberId"] = Value::Null),
            "Bundle.entry[1].resource.subscriberId",
            "required",
        ),
        (
            Box::new(|b| b["entry"][2]["resource"]["identifier"] = json!([])),
            "Bundle.entry[2].resource.identifier",
            "required",
        ),
        (
            Box::new(|b| b["entry"][6]["resource"]["period"] = json!({"start": "2026-02-23"})),
            "Bundle.entry[6].resource.period",
            "required",
        ),
        (
            Box::new(|b| b["entry"][10]["resource"]["extension"][1]["valueCode"] = json!("G!")),
            "Bundle.entry[7].resource",
            "invalid",
        ),
        (
            Box::new(|b| b["type"] = json!("batch")),
            "Bundle.type",
            "not-supported",
        ),
        (
            Box::new(|b| b["resourceType"] = json!("Patient")),
            "Bundle.resourceType",
            "invalid",
        ),
    ];
    for (change, expression, code) in cases {
        let mut b = bundle();
        change(&mut b);
        let outcome = refused(&b);
        let found = outcome.issues.iter().find(|i| i.expression == expression);
        let Some(issue) = found else {
            panic!("{expression}: {:?}", outcome.issues)
        };
        assert_eq!(issue.code, code, "{expression}");
        let json = outcome.to_json();
        assert_eq!(json["resourceType"], "OperationOutcome");
        assert!(
            json["issue"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["expression"][0] == expression)
        );
    }
}

#[test]
fn an_outcome_never_quotes_a_value() {
    let mut b = bundle();
    b["entry"][0]["resource"]["name"] = json!("Rivera-Secret");
    let outcome = refused(&b);
    assert!(!format!("{outcome:?}").contains("Rivera-Secret"));
    let not_json = read_bundle("{not json", None).err().unwrap();
    assert_eq!(
        (
            not_json.issues[0].code,
            not_json.issues[0].expression.as_str()
        ),
        ("structure", "Bundle")
    );
}

#[test]
fn a_malformed_procedure_or_condition_is_named_once_even_when_it_names_no_encounter() {
    let mut b = bundle();
    let entries = b["entry"].as_array_mut().unwrap();
    entries.push(json!({"resource": {"resourceType": "Procedure", "encounter": "urn:uuid:e1", "code": {"coding": []}}}));
    entries.push(json!({"resource": {"resourceType": "Condition", "subject": 7}}));
    let outcome = refused(&b);
    let named = |expression: &str| {
        outcome
            .issues
            .iter()
            .filter(|i| i.expression.starts_with(expression))
            .count()
    };
    assert_eq!(
        named("Bundle.entry[13].resource.encounter"),
        1,
        "{:?}",
        outcome.issues
    );
    assert_eq!(
        named("Bundle.entry[14].resource.subject"),
        1,
        "{:?}",
        outcome.issues
    );
}

#[test]
fn a_condition_with_a_null_encounter_is_the_patients() {
    let mut b = bundle();
    b["entry"][8]["resource"]["encounter"] = serde_json::Value::Null;
    b["entry"][9]["resource"]["encounter"] = serde_json::Value::Null;
    let intake = read_bundle(&b.to_string(), None).unwrap();
    let visit = &intake.encounters[0].1;
    let codes: Vec<String> = visit
        .clinical
        .diagnoses
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(codes, ["M1711", "R2689"]);
}
